"""The Python harness (python/ipc_emu): a test that is itself one side of the
link, written only against the package: bond, echo, kill, unbound, rebond,
reports; nothing may stay behind in /dev/shm or as a process."""
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The package of this checkout, before any installed copy.
sys.path.insert(0, str(ROOT / "python"))

import ipc_emu  # noqa: E402
from ipc_emu.pytest_plugin import ipc_emu_cli, ipc_emu_pair, ipc_emu_run  # noqa: E402,F401


def payload(i, n):
    return bytes((i * 131 + k * 7) & 0xFF for k in range(n))


def gone(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return ") Z " in stat


def wait_for(pred, timeout):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# ------------------------------------------------------------------ bond/echo


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unbound", ["disable", "enable", "detect"])
def test_icmsg_bond_and_echo_exact_bytes(ipc_emu_pair, unbound):
    pair = ipc_emu_pair(backend="icmsg", unbound=unbound)
    assert pair.instance == "ipc0"
    ep = pair.open()
    ep.wait_bound(timeout=5)
    assert ep.bound and ep.bonds == 1 and ep.unbounds == 0
    # Every length from 1 byte up to the 128-byte RX buffer, in order.
    for n in range(1, 129):
        assert ep.send(payload(n, n)) == n
        assert ep.recv(timeout=5) == payload(n, n)
    # A burst: sent back to back, echoed in order.
    msgs = [payload(i, 1 + i % 100) for i in range(500)]
    for m in msgs:
        ep.send(m, timeout=5)
    assert [ep.recv(timeout=5) for _ in msgs] == msgs
    assert ep.received == 128 + 500 and ep.sent == 128 + 500
    assert ep.queued == 0 and ep.dropped == 0 and ep.errors == 0
    assert ep.try_recv(0) is None


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kw", [{"doorbell": "eventfd"}, {"rx_in_isr": True},
                                {"role": "remote"}, {"backend": "icbmsg", "role": "remote"}],
                         ids=["eventfd", "rx-in-isr", "python-is-remote", "icbmsg-remote"])
def test_echo_variants(ipc_emu_pair, kw):
    pair = ipc_emu_pair(unbound="enable" if kw.get("backend") != "icbmsg" else None, **kw)
    ep = pair.open()
    ep.wait_bound(timeout=5)
    msgs = [payload(i, 1 + i % 120) for i in range(200)]
    for m in msgs:
        ep.send(m, timeout=5)
    assert [ep.recv(timeout=5) for _ in msgs] == msgs
    assert pair.harness.role == kw.get("role", "host")
    assert pair.harness.peer_status(pair.peer_role)[0] == pair.remote.pid


@pytest.mark.timeout(60)
def test_icbmsg_endpoints_by_name(ipc_emu_pair):
    pair = ipc_emu_pair(backend="icbmsg", endpoints=3)
    assert pair.instance == "ipc1"
    eps = [pair.open(f"ep{i}") for i in (2, 0, 1)]  # any order: bound by name
    for ep in eps:
        ep.wait_bound(timeout=5)
    for round_ in range(50):
        for i, ep in enumerate(eps):
            ep.send(payload(round_, 8 + i) + ep.name.encode(), timeout=5)
    for i, ep in enumerate(eps):
        got = [ep.recv(timeout=5) for _ in range(50)]
        assert got == [payload(r, 8 + i) + ep.name.encode() for r in range(50)]
        assert ep.errors == 0
    # An endpoint the echo server does not have stays unbound.
    lone = pair.open("nobody")
    with pytest.raises(TimeoutError):
        lone.wait_bound(timeout=0.3)
    with pytest.raises(ipc_emu.IpcEmuError):
        lone.send(b"x", timeout=0)


@pytest.mark.timeout(60)
def test_send_recv_errors(ipc_emu_pair):
    pair = ipc_emu_pair(backend="icmsg", unbound="enable")
    with pytest.raises(ipc_emu.IpcEmuError) as e:
        pair.harness.open("no_such_label", "ep0")
    assert e.value.errno == errno.ENODEV
    ep = pair.open()
    ep.wait_bound(timeout=5)
    with pytest.raises(ipc_emu.IpcEmuError) as e:
        ep.send(b"x" * 100000, timeout=0)  # larger than the ring
    assert e.value.errno in (errno.EMSGSIZE, errno.ENOMEM)
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        ep.recv(timeout=0.2)
    assert 0.15 < time.monotonic() - t0 < 2.0
    ep.close()
    with pytest.raises(ipc_emu.IpcEmuError) as e:
        ep.send(b"closed")
    assert e.value.errno == errno.ENOTCONN


@pytest.mark.timeout(60)
def test_two_harnesses_in_one_process():
    """Both sides in this process, no CLI: the remote attaches through the
    host's descriptors; messages bigger than the default receive buffer."""
    with ipc_emu.Harness() as host, ipc_emu.Harness() as remote:
        host.create_segment()
        remote.attach_fds(*host.fds())
        host.unlink()
        assert host.instances() == [("ipc0", "icmsg"), ("ipc1", "icbmsg")]
        host.start("host")
        remote.start("remote")
        a, b = host.open("ipc1", "big"), remote.open("ipc1", "big")
        a.wait_bound(timeout=5)
        b.wait_bound(timeout=5)
        big = payload(9, 5000)
        assert a.send(big, timeout=5) == len(big)
        assert b.recv(timeout=5) == big
        assert b.rx_bytes == 5000 and a.tx_bytes == 5000
    with pytest.raises(ipc_emu.IpcEmuError) as e:
        a.send(b"after close")
    assert e.value.errno == errno.EBADF


@pytest.mark.timeout(60)
@pytest.mark.parametrize("v2_first", [True, False])
def test_v2_side_reports_a_classic_peer(v2_first):
    """ICBMsg v2 across from classic ICBMsg (a peer on Zephyr v4.4 or older):
    the v2 side reports it in one error, whichever side opens first, and
    neither binds."""
    with ipc_emu.Harness() as host, ipc_emu.Harness() as remote:
        host.create_segment()
        remote.attach_fds(*host.fds())
        host.unlink()
        host.start("host", icbmsg_version="v2")
        remote.start("remote", icbmsg_version="classic")
        if v2_first:
            v2 = host.open("ipc1", "alpha")
            classic = remote.open("ipc1", "alpha")
        else:
            classic = remote.open("ipc1", "alpha")
            v2 = host.open("ipc1", "alpha")
        assert wait_for(lambda: v2.errors >= 1, 5), v2
        assert v2.last_error == "peer speaks classic ICBMsg"
        time.sleep(0.2)
        assert v2.errors == 1 and v2.bonds == 0 and classic.bonds == 0


# ---------------------------------------------------------- kill / unbound


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unbound", ["enable", "detect"])
def test_kill_unbound_rebond(ipc_emu_pair, unbound):
    pair = ipc_emu_pair(backend="icmsg", unbound=unbound)
    ep = pair.open()
    ep.wait_bound(timeout=5)
    ep.send(b"before")
    assert ep.recv(timeout=5) == b"before"
    first = pair.remote.pid
    boots = pair.remote_boots()

    assert pair.kill_remote() == -signal.SIGKILL
    assert gone(first) and not pair.remote.alive
    pair.restart_remote()
    assert pair.remote.pid != first and pair.remote_boots() == boots + 1

    ep.wait_unbound(timeout=5)
    assert not ep.bound and ep.unbounds == 1
    # As on Zephyr: after unbound() ICMsg drops sends silently (the peer's
    # session is gone), so this is never echoed.
    assert ep.send(b"while unbound", timeout=0) == len(b"while unbound")
    ep.rebind()
    assert not ep.unbound_pending
    ep.wait_bound(timeout=5)
    assert ep.bonds == 2
    for n in (1, 64, 128):
        ep.send(payload(n, n))
        assert ep.recv(timeout=5) == payload(n, n)
    assert ep.errors == 0 and ep.try_recv(0) is None


@pytest.mark.timeout(120)
def test_repeated_kills(ipc_emu_pair):
    pair = ipc_emu_pair(backend="icmsg", unbound="enable")
    ep = pair.open()
    ep.wait_bound(timeout=5)
    for cycle in range(5):
        # Kill while traffic is in flight: sent but maybe not echoed.
        for i in range(20):
            ep.send(payload(cycle, 32 + i), timeout=5)
        pair.kill_remote()
        pair.restart_remote()
        ep.wait_unbound(timeout=5)
        ep.drain()  # echoes of the dead incarnation
        ep.rebind()
        ep.wait_bound(timeout=5)
        ep.send(b"cycle %d" % cycle)
        assert ep.recv(timeout=5) == b"cycle %d" % cycle
    assert ep.bonds == 6 and ep.unbounds == 5 and ep.errors == 0
    assert len(pair.remote.incarnations) == 5
    assert all(rc == -signal.SIGKILL for _, rc, _ in pair.remote.incarnations)


@pytest.mark.timeout(60)
def test_clean_stop_of_the_remote_is_an_unbound(ipc_emu_pair):
    pair = ipc_emu_pair(backend="icmsg", unbound="enable")
    ep = pair.open()
    ep.wait_bound(timeout=5)
    ep.send(b"x")
    assert ep.recv(timeout=5) == b"x"
    assert pair.remote.stop() == 0  # SIGTERM: deregisters, exits 0
    assert "1 messages echoed" in pair.remote.incarnations[-1][2]
    ep.wait_unbound(timeout=5)
    pair.restart_remote()
    ep.rebind()
    ep.wait_bound(timeout=5)


@pytest.mark.timeout(60)
def test_our_side_restarts(ipc_emu_pair):
    """This process's core stops and starts again: the echo server sees
    unbound, re-registers, and the link bonds again."""
    pair = ipc_emu_pair(backend="icmsg", unbound="enable")
    ep = pair.open()
    ep.wait_bound(timeout=5)
    pair.harness.stop()
    assert not ep.bound
    pair.harness.start("host", unbound="enable")
    ep2 = pair.open()
    ep2.wait_bound(timeout=5)
    ep2.send(b"after our restart")
    assert ep2.recv(timeout=5) == b"after our restart"


# ---------------------------------------------------------- nothing leaks


@pytest.mark.timeout(60)
def test_nothing_left_behind_with_names(ipc_emu_cli):
    pair = ipc_emu.Pair(backend="icmsg", unbound="enable", keep_names=True, cli=ipc_emu_cli)
    try:
        name = pair.segment
        assert sorted(os.listdir("/dev/shm")).count(f"{name}-mem") == 1
        assert pair.shm_objects() == [f"{name}-ctl", f"{name}-mem"]
        ep = pair.open()
        ep.wait_bound(timeout=5)
        pair.kill_remote()
        pair.restart_remote()
        pids = [p for p, _, _ in pair.remote.incarnations] + [pair.remote.pid]
    finally:
        assert pair.close() == 0
    assert pair.shm_objects() == [] and pair.live_processes() == []
    assert not [n for n in os.listdir("/dev/shm") if n.startswith(name)]
    assert all(gone(p) for p in pids)


@pytest.mark.timeout(60)
def test_nothing_left_behind_when_the_python_side_is_killed(ipc_emu_cli, tmp_path):
    """SIGKILL of the Python process itself: its names were never left in
    /dev/shm and its echo server exits on its own."""
    script = tmp_path / "victim.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT / "python")!r})
        import ipc_emu
        pair = ipc_emu.Pair(unbound="enable", cli={ipc_emu_cli!r})
        ep = pair.open()
        ep.wait_bound(timeout=5)
        print(pair.segment, pair.remote.pid, flush=True)
        time.sleep(60)
    """))
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        name, pid = p.stdout.readline().split()
        pid = int(pid)
        assert not gone(pid)
    finally:
        p.kill()
        p.wait()
        p.stdout.close()
    assert wait_for(lambda: gone(pid), 5), f"echo server {pid} outlived its parent"
    assert not [n for n in os.listdir("/dev/shm") if n.startswith(name + "-")]


# ----------------------------------------------------------------- reports


@pytest.mark.timeout(120)
def test_report_fields(ipc_emu_run):
    r = ipc_emu_run("--unbound", "enable", "--kill-random", 1, "--messages", 4000,
                    "--seed", 3)
    assert r.returncode == 0, r.stderr
    assert r.passed
    for key in ("ok", "scenario", "backend", "unbound", "messages", "bytes", "bonds",
                "unbounds", "crashes_injected", "restarts", "latency_us", "throughput",
                "blocks_in_use_at_end", "peers", "leaks"):
        assert key in r, key
    assert (r["scenario"], r["backend"], r["unbound"]) == ("echo-stream", "icmsg", "enable")
    m = r["messages"]
    assert m["sent"] > 0 and m["received"] > 0
    assert m["corrupted"] == m["duplicated"] == m["reordered"] == m["lost"] == 0
    assert r["crashes_injected"] == 1 and r["restarts"] == 1 and r["unbounds"] >= 1
    assert [p["role"] for p in r["peers"]] == ["host", "remote"]
    assert all(p["exit_status"] == 0 for p in r["peers"])
    assert r["leaks"] == {"shm_objects": 0, "processes": 0}


@pytest.mark.timeout(60)
def test_report_of_a_usage_error(ipc_emu_run):
    r = ipc_emu_run("--backend", "nonsense")
    assert r.returncode == 2 and dict(r) == {} and "--backend" in r.stderr


# ------------------------------------------------------------ the example


@pytest.mark.timeout(180)
def test_documented_example_runs():
    """docs/python-harness.md shows python/examples/test_echo_example.py
    verbatim; run it as a user would."""
    example = ROOT / "python" / "examples" / "test_echo_example.py"
    doc = (ROOT / "docs" / "python-harness.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, re.S)
    assert example.read_text() in blocks, "the doc's example differs from the file"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        str(example)], capture_output=True, text=True, env=env, timeout=170)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "2 passed" in p.stdout


# ----------------------------------------------------------------- install


@pytest.mark.timeout(180)
def test_pip_installable(tmp_path, ipc_emu_cli):
    """`pip install --no-deps --no-build-isolation ./python` works offline and
    the installed copy (not this checkout's) is a working harness."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "python", src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                        "--no-build-isolation", "--no-index", "--disable-pip-version-check",
                        "--target", str(site), str(src)],
                       capture_output=True, text=True, timeout=170)
    assert p.returncode == 0, p.stdout + p.stderr
    code = textwrap.dedent("""
        import ipc_emu, sys
        assert ipc_emu.__file__.startswith(sys.argv[1]), ipc_emu.__file__
        with ipc_emu.Pair() as pair:
            ep = pair.open()
            ep.wait_bound(timeout=5)
            ep.send(b"installed")
            assert ep.recv(timeout=5) == b"installed"
        print("ok")
    """)
    env = dict(os.environ, PYTHONPATH=str(site), IPC_EMU_BIN=ipc_emu_cli)
    p = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True,
                       env=env, timeout=60, cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stdout + p.stderr


# ---------------------------------------------------------------- valgrind


@pytest.mark.valgrind
@pytest.mark.timeout(300)
def test_echo_server_valgrind_clean(ipc_emu_pair):
    """The echo server runs the harness C API: memcheck-clean through bond,
    echo, an unbound of ours and a clean exit (exit 99 on any error)."""
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    pair = ipc_emu_pair(backend="icmsg", unbound="enable", valgrind=True)
    ep = pair.open()
    ep.wait_bound(timeout=60)
    for n in (1, 17, 128):
        ep.send(payload(n, n), timeout=10)
        assert ep.recv(timeout=60) == payload(n, n)
    ep.close()
    ep.rebind()
    ep.wait_bound(timeout=60)
    ep.send(b"last", timeout=10)
    assert ep.recv(timeout=60) == b"last"
    status = pair.close()
    assert status == 0, pair.remote.incarnations[-1][2]
