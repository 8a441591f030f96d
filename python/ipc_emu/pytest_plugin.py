"""pytest fixtures for tests that are one side of an ipc-emu link.

An installed package (pip) registers this module as a pytest plugin (entry
point ``pytest11``): the fixtures are there in every test, nothing to import.
Used in place (PYTHONPATH), load them with ``pytest -p ipc_emu.pytest_plugin``
or import the ones you use into your test module (or conftest.py):

    from ipc_emu.pytest_plugin import ipc_emu_cli, ipc_emu_pair, ipc_emu_run

* ``ipc_emu_cli``  (session) path of the ipc-emu CLI ($IPC_EMU_BIN, else next
  to the library, else PATH); the test fails if there is none.
* ``ipc_emu_pair`` factory: ``ipc_emu_pair(**kw)`` returns a started
  ipc_emu.Pair (same keywords).  After the test every pair is closed and
  the fixture asserts that none left a /dev/shm object or a process behind.
* ``ipc_emu_run``  factory: ``ipc_emu_run(*args, timeout=300)`` runs
  ``ipc-emu run --json FILE ARGS`` and returns the parsed ipc_emu.Report
  (a dict with .returncode, .stdout, .stderr).
"""
import os
import time

import pytest

from . import _native
from .pair import Pair
from .report import run as _run

LEAK_GRACE_S = 5.0


@pytest.fixture(scope="session")
def ipc_emu_cli():
    path = _native.find_cli()
    if path is None or not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"ipc-emu CLI not found ({path}): build it and set IPC_EMU_BIN")
    return path


@pytest.fixture
def ipc_emu_pair(ipc_emu_cli):
    pairs = []

    def make(**kw):
        kw.setdefault("cli", ipc_emu_cli)
        p = Pair(**kw)
        pairs.append(p)
        return p

    yield make
    errors = []
    for p in pairs:
        try:
            p.close()
        except Exception as e:  # keep checking the others
            errors.append(f"closing {p.segment}: {e!r}")
    deadline = time.monotonic() + LEAK_GRACE_S
    while True:
        shm = [x for p in pairs for x in p.shm_objects()]
        procs = [x for p in pairs for x in p.live_processes()]
        if (not shm and not procs) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for pid in procs:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    for name in shm:
        try:
            os.unlink(os.path.join("/dev/shm", name))
        except OSError:
            pass
    assert not errors, "; ".join(errors)
    assert not shm, f"/dev/shm objects left behind: {shm}"
    assert not procs, f"peer processes left behind: {procs}"


@pytest.fixture
def ipc_emu_run(ipc_emu_cli):
    def run(*args, timeout=300.0, env=None, check=False):
        return _run(*args, cli=ipc_emu_cli, timeout=timeout, env=env, check=check)

    return run
