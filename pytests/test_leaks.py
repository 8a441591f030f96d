"""Nothing leaks (issue 5 item 8): a SIGKILLed supervisor takes its peers and
its segment with it, `ipc-emu clean` removes what a killed named peer leaves
(and nothing else), and system-call failures injected with IPC_EMU_INJECT
give one clean line, the documented exit status and no leftovers.

Every test uses the `cli` fixture: its autouse leak check (conftest.py) fails
the test and removes whatever process or /dev/shm object of it survives.
"""
import os
import re
import signal
import time
from pathlib import Path

import pytest

from conftest import SHM, _ppid, clean_turn, peer_pids, shm_entries, tagged_pids, wait_for

ZEPHYR_STYLE_TREE = Path(__file__).resolve().parent.parent / "tests" / "zephyr_style" / "tree"
LONG = 100000000  # messages: a run that cannot end by itself during a test


def alive(pid):
    """Running and not a zombie (psutil-free)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def segment_complete(name):
    """The host has published its segment (`clean` sees a live owner)."""
    return (SHM / f"{name}-ctl").exists() and (SHM / f"{name}-mem").exists()


def start_host(cli, seg, *extra):
    host = cli.start("peer", "--role", "host", "--segment", seg, "--messages", LONG,
                     "--timeout", 50, "--quiet", *extra)
    assert wait_for(lambda: segment_complete(seg), 10), "the host did not create its segment"
    # Wait until the header is published, not just until the files exist.
    assert wait_for(lambda: cli("clean", "--dry-run", seg).stdout.startswith("kept "), 10)
    return host


def inject(monkeypatch, spec):
    """The next processes started by `cli` get IPC_EMU_INJECT=spec."""
    monkeypatch.setenv("IPC_EMU_INJECT", spec)


# ---------------------------------------------------------------- (a) supervisor SIGKILL

@pytest.mark.timeout(40)
@pytest.mark.parametrize("backend,doorbell", [("icmsg", "futex"), ("icmsg", "eventfd"),
                                              ("icbmsg", "futex"), ("icbmsg", "eventfd")])
def test_sigkill_of_supervisor_takes_peers_and_segment(cli, backend, doorbell):
    sup = cli.start("run", "--backend", backend, "--doorbell", doorbell, "--messages", LONG,
                    "--quiet")
    assert wait_for(lambda: len(peer_pids(cli.tag)) == 2, 10), "peers did not start"
    peers = peer_pids(cli.tag)
    time.sleep(0.3)  # mid-run: messages are flowing
    assert sup.poll() is None and all(alive(p) for p in peers)
    os.kill(sup.pid, signal.SIGKILL)
    sup.wait()
    assert sup.returncode == -signal.SIGKILL
    assert wait_for(lambda: not any(alive(p) for p in peers), 5), "peers outlived the supervisor"
    assert tagged_pids(cli.tag) == []
    assert shm_entries([f"ipc-emu-{sup.pid}-"]) == []


# ---------------------------------------------------------------- (b) ipc-emu clean

@pytest.mark.timeout(120)
@pytest.mark.parametrize("option,kind", [("--trace", "trace"), ("--valgrind", "vg"),
                                         ("--sanitize", "san")])
def test_clean_removes_run_dir_of_killed_supervisor(cli, tmp_path, monkeypatch, option, kind):
    """--trace, --valgrind and --sanitize give the run a private directory in
    /tmp; only a SIGKILLed supervisor leaves it, and `ipc-emu clean` removes
    it then (and not while the supervisor lives)."""
    args = {"trace": [option, tmp_path / "trace.json"], "vg": [option],
            "san": ["--zephyr-base", ZEPHYR_STYLE_TREE, option, "undefined"]}[kind]
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(tmp_path / "zcache"))
    sup = cli.start("run", "--messages", LONG, "--quiet", *args)
    pattern = re.compile(rf"^ipc-emu-{kind}-{sup.pid}-[0-9]+-[A-Za-z0-9]{{6}}$")

    def run_dirs():
        return sorted(p for p in Path("/tmp").iterdir() if pattern.match(p.name))

    def peers():  # built-in peers or the Zephyr apps: the supervisor's children
        return [p for p in tagged_pids(cli.tag) if _ppid(p) == sup.pid]

    assert wait_for(lambda: len(peers()) == 2 and len(run_dirs()) == 1, 90)
    (d,) = run_dirs()
    r = cli("clean", "--dry-run")
    assert r.returncode == 0
    assert str(d) not in r.stdout, "a live supervisor's directory is never listed"
    # A plain `clean` removes every dead supervisor's directory: the
    # variants of this test (on other xdist workers) take turns from the kill
    # to their own clean, so that one does not remove another's.
    with clean_turn():
        os.kill(sup.pid, signal.SIGKILL)
        sup.wait(timeout=10)
        assert wait_for(lambda: not tagged_pids(cli.tag), 20), "peers outlived the supervisor"
        assert d.is_dir(), "a SIGKILLed supervisor cannot remove its directory itself"
        r = cli("clean")
        assert r.returncode == 0, r.stderr
        assert f"removed {d} (pid {sup.pid} dead)" in r.stdout.splitlines()
        assert not d.exists()


def test_clean_removes_segment_of_killed_peer(cli):
    seg = cli.segment_name()
    host = start_host(cli, seg)

    # A live owner: kept, with or without --dry-run.
    res = cli("clean", seg)
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout == f"kept {seg} (pid {host.pid} alive)\nclean: 0 removed, 1 kept (owner alive)\n"
    assert segment_complete(seg)

    with clean_turn():  # from the kill to our clean: no other worker's plain clean
        host.kill()  # SIGKILL while it waits for its partner: the segment stays
        # Not reaped yet: a zombie counts as dead.
        res = cli("clean", "--dry-run", seg)
        assert (res.returncode, res.stderr) == (0, "")
        assert res.stdout == (f"would remove {seg} (pid {host.pid} dead)\n"
                              "clean: 1 would be removed, 0 kept (owner alive)\n")
        host.wait()
        assert segment_complete(seg), "--dry-run removed something"

        res = cli("clean", seg)
        assert (res.returncode, res.stderr) == (0, "")
        assert res.stdout == (f"removed {seg} (pid {host.pid} dead)\n"
                              "clean: 1 removed, 0 kept (owner alive)\n")
        assert shm_entries([seg + "-"]) == []

    res = cli("clean", seg)
    assert res.returncode == 2
    assert res.stderr == f"ipc-emu: clean: no segment '{seg}' in /dev/shm\n"


@pytest.mark.timeout(40)
def test_clean_keeps_segment_while_attached_remote_lives(cli):
    """The creator (host) dies, the remote that attached by name lives on: kept."""
    seg = cli.segment_name()
    host = start_host(cli, seg)
    remote = cli.start("peer", "--role", "remote", "--segment", seg, "--messages", LONG,
                       "--timeout", 50, "--quiet")
    time.sleep(0.5)
    assert remote.poll() is None
    host.kill()
    host.wait()
    res = cli("clean", seg)
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout == f"kept {seg} (pid {remote.pid} alive)\nclean: 0 removed, 1 kept (owner alive)\n"
    assert segment_complete(seg)
    with clean_turn():
        remote.kill()
        remote.wait()
        res = cli("clean", "--quiet", seg)
        assert (res.returncode, res.stdout, res.stderr) == (0, "", "")
    assert shm_entries([seg + "-"]) == []


@pytest.mark.timeout(40)
def test_clean_scan_lists_dead_segment_and_ignores_foreign_files(cli):
    dead = cli.segment_name()
    foreign = cli.segment_name()
    memonly = cli.segment_name()
    host = start_host(cli, dead)
    with clean_turn():  # the dead segment must be ours to scan and clean
        host.kill()
        host.wait()
        # Same shape as a segment, wrong contents; and a -mem without its -ctl.
        (SHM / f"{foreign}-ctl").write_bytes(b"\xa5" * 21568)
        (SHM / f"{foreign}-mem").write_bytes(b"\0" * 4096)
        (SHM / f"{memonly}-mem").write_bytes(b"\0" * 4096)
        try:
            # Whole /dev/shm, dry run only (other users' dead segments are not ours to remove here).
            res = cli("clean", "--dry-run")
            assert (res.returncode, res.stderr) == (0, "")
            lines = res.stdout.splitlines()
            assert f"would remove {dead} (pid {host.pid} dead)" in lines
            assert not any(foreign in line for line in lines)
            assert (f"skipped {memonly}-mem (no {memonly}-ctl: cannot tell whether it is an "
                    "ipc-emu segment)") in lines
            assert re.fullmatch(r"clean: [1-9]\d* would be removed, \d+ kept \(owner alive\), "
                                r"[1-9]\d* skipped \(no control block\)", lines[-1])

            res = cli("clean", foreign)
            assert res.returncode == 2
            assert res.stderr == (f"ipc-emu: clean: '{foreign}' is not an ipc-emu segment "
                                  "(unknown control block)\n")
            res = cli("clean", memonly)
            assert (res.returncode, res.stderr) == (0, "")
            assert res.stdout == (f"skipped {memonly}-mem (no {memonly}-ctl: cannot tell whether "
                                  "it is an ipc-emu segment)\nclean: 0 removed, 0 kept (owner alive), "
                                  "1 skipped (no control block)\n")
            assert (SHM / f"{foreign}-ctl").read_bytes() == b"\xa5" * 21568
            assert (SHM / f"{foreign}-mem").exists() and (SHM / f"{memonly}-mem").exists()
            assert segment_complete(dead)

            res = cli("clean", dead)
            assert (res.returncode, res.stderr) == (0, "")
            assert res.stdout.splitlines()[0] == f"removed {dead} (pid {host.pid} dead)"
            assert shm_entries([dead + "-"]) == []
        finally:
            for n in (f"{foreign}-ctl", f"{foreign}-mem", f"{memonly}-mem"):
                try:
                    (SHM / n).unlink()
                except OSError:
                    pass


@pytest.mark.timeout(20)
def test_clean_usage(cli):
    res = cli("clean", "--help")
    assert res.returncode == 0 and res.stdout.startswith("usage: ipc-emu clean")
    for word in ("--dry-run", "--quiet", "start", "zombie", "-mem"):
        assert word in res.stdout, word
    res = cli("help", "clean")
    assert res.returncode == 0 and res.stdout.startswith("usage: ipc-emu clean")
    res = cli("clean", "--all")
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == "ipc-emu: clean: unknown option '--all' (see 'ipc-emu help clean')\n"
    res = cli("clean", "a/b")
    assert res.returncode == 2
    assert res.stderr == "ipc-emu: clean: 'a/b' is not a segment name\n"


# ---------------------------------------------------------------- (c) injected failures

CREATE_FAULTS = [
    ("ftruncate:ENOSPC@1", "futex", "No space left on device"),
    ("ftruncate:ENOSPC@2", "futex", "No space left on device"),
    ("fallocate:ENOSPC@1", "futex", "No space left on device"),
    ("shm_open:EMFILE@1", "futex", "Too many open files"),
    ("shm_open:EMFILE@2", "futex", "Too many open files"),
    ("mmap:ENOMEM@1", "futex", "Cannot allocate memory"),
    ("mmap:ENOMEM@2", "futex", "Cannot allocate memory"),
    ("eventfd:EMFILE@1", "eventfd", "Too many open files"),
    ("eventfd:EMFILE@2", "eventfd", "Too many open files"),
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("spec,doorbell,msg", CREATE_FAULTS)
def test_run_reports_injected_create_failure(cli, monkeypatch, spec, doorbell, msg):
    inject(monkeypatch, spec)
    p = cli.start("run", "--doorbell", doorbell, "--messages", 100)
    out, err = p.communicate(timeout=15)
    assert p.returncode == 1, err
    assert err == f"ipc-emu: cannot create the shared-memory segment: {msg}\n"
    assert out == ""
    assert shm_entries([f"ipc-emu-{p.pid}-"]) == []
    assert tagged_pids(cli.tag) == []


@pytest.mark.timeout(20)
@pytest.mark.parametrize("spec,doorbell,msg", [c for c in CREATE_FAULTS if c[1] == "futex"])
def test_named_peer_reports_injected_create_failure(cli, monkeypatch, spec, doorbell, msg):
    seg = cli.segment_name()
    inject(monkeypatch, spec)
    p = cli.start("peer", "--role", "host", "--segment", seg, "--messages", 100)
    out, err = p.communicate(timeout=15)
    assert p.returncode == 1, err
    assert err == f"ipc-emu: cannot create segment '{seg}': {msg}\n"
    assert out == ""
    assert shm_entries([seg + "-"]) == []


@pytest.mark.timeout(30)
@pytest.mark.parametrize("spec,msg", [("shm_open:EMFILE@1", "Too many open files"),
                                      ("fstat:EIO@1", "Input/output error"),
                                      ("mmap:ENOMEM@2", "Cannot allocate memory")])
def test_named_remote_reports_injected_attach_failure(cli, monkeypatch, spec, msg):
    seg = cli.segment_name()
    host = start_host(cli, seg)
    inject(monkeypatch, spec)
    p = cli.start("peer", "--role", "remote", "--segment", seg, "--messages", 100)
    out, err = p.communicate(timeout=15)
    assert p.returncode == 1, err
    assert err == f"ipc-emu: cannot attach to segment '{seg}': {msg}\n"
    assert out == ""
    monkeypatch.delenv("IPC_EMU_INJECT")
    with clean_turn():
        host.kill()
        host.wait()
        res = cli("clean", "--quiet", seg)
        assert (res.returncode, res.stdout, res.stderr) == (0, "", "")
        assert shm_entries([seg + "-"]) == []


@pytest.mark.timeout(30)
def test_run_peers_report_injected_attach_failure(cli, monkeypatch):
    """Inherited by both peers: each fails to dup its descriptors, says so in
    one line; the supervisor reports the failed run."""
    inject(monkeypatch, "dup:EMFILE@1")
    p = cli.start("run", "--messages", 100, "--quiet")
    out, err = p.communicate(timeout=25)
    assert p.returncode == 1, err
    assert sorted(err.splitlines()) == [
        "ipc-emu run: FAIL: host peer exited with status 1; remote peer exited with status 1",
        "ipc-emu: peer host: cannot attach inherited segment: Too many open files",
        "ipc-emu: peer remote: cannot attach inherited segment: Too many open files"]
    assert shm_entries([f"ipc-emu-{p.pid}-"]) == []
    assert tagged_pids(cli.tag) == []


@pytest.mark.timeout(40)
@pytest.mark.parametrize("doorbell,call", [("futex", "futex_wait"), ("eventfd", "poll")])
def test_eintr_in_doorbell_wait_is_transparent(cli, monkeypatch, doorbell, call):
    # EIO at the same call shows that the peers do get there (the core logs
    # it and falls back to a short sleep) ...
    inject(monkeypatch, f"{call}:EIO@3")
    p = cli.start("run", "--doorbell", doorbell, "--messages", 2000, "--quiet")
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert "doorbell wait failed (-5), polling" in err
    # ... so EINTR there is injected too, and retried without a trace.
    inject(monkeypatch, f"{call}:EINTR@3")
    p = cli.start("run", "--doorbell", doorbell, "--messages", 2000, "--quiet")
    out, err = p.communicate(timeout=30)
    assert (p.returncode, err) == (0, "")
    assert shm_entries([f"ipc-emu-{p.pid}-"]) == []


@pytest.mark.timeout(20)
@pytest.mark.parametrize("spec,why", [
    ("nosuch:EIO", "unknown call 'nosuch' (known: shm_open, "),
    ("mmap:EFOO", "unknown errno 'EFOO' in 'mmap:EFOO' (use a name such as ENOSPC, or a number)"),
    ("mmap:ENOMEM@0", "bad count in 'mmap:ENOMEM@0' (N >= 1)"),
    ("mmap", "'mmap' is not call:ERRNO[@N]"),
    ("mmap:ENOMEM,", "trailing ','"),
])
def test_bad_inject_spec_is_one_line(cli, monkeypatch, spec, why):
    inject(monkeypatch, spec)
    p = cli.start("run", "--messages", 100)
    out, err = p.communicate(timeout=15)
    assert (p.returncode, out) == (2, "")
    assert err.startswith(f"ipc-emu: IPC_EMU_INJECT: {why}") and err.count("\n") == 1
