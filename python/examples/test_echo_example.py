"""A complete pytest test against the ipc_emu package: this process is the
host of an ICMsg link, `ipc-emu peer --scenario echo-server` the remote.
Run: IPC_EMU_BIN=build/ipc-emu PYTHONPATH=python python3 -m pytest python/examples
"""
import pytest

from ipc_emu.pytest_plugin import ipc_emu_cli, ipc_emu_pair, ipc_emu_run  # noqa: F401


@pytest.mark.timeout(60)
def test_echo_survives_a_remote_crash(ipc_emu_pair):
    pair = ipc_emu_pair(backend="icmsg", unbound="enable")
    ep = pair.open("ep0")
    ep.wait_bound(timeout=5)

    ep.send(b"hello, remote")
    assert ep.recv(timeout=5) == b"hello, remote"

    pair.kill_remote()           # SIGKILL: the remote core crashes
    pair.restart_remote()        # a new incarnation on the same memory
    ep.wait_unbound(timeout=5)   # unbound(): the peer's session changed
    ep.rebind()                  # re-register, as a Zephyr application does
    ep.wait_bound(timeout=5)

    ep.send(b"hello again")
    assert ep.recv(timeout=5) == b"hello again"
    assert (ep.bonds, ep.unbounds, ep.errors) == (2, 1, 0)


@pytest.mark.timeout(120)
def test_stress_report(ipc_emu_run):
    report = ipc_emu_run("--unbound", "enable", "--kill-random", 1, "--messages", 4000)
    assert report.returncode == 0, report.stderr
    assert report["ok"] and report["restarts"] == 1
    assert report["messages"]["corrupted"] == report["messages"]["lost"] == 0
    assert report["leaks"] == {"shm_objects": 0, "processes": 0}
