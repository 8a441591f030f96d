"""Output that CI and people expect (issue 15 section 5): --quiet failure
lines, report paths checked before the run, clean JSON on stdout with
`--json -`, progress lines when stdout is not a terminal, --junit for run
and stress, a host peer's cleanup on SIGINT/SIGTERM and its refusals, and
no empty trace file after a SIGKILL."""
import json
import os
import pty
import re
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import clean_turn, wait_for

SHM = Path("/dev/shm")
# A run that lasts about a second or two on the CI machine.
LONG_RUN = ("--messages", "30000")
# A quick failure: the scenario cannot finish within --timeout 1.
FAILING_RUN = ("--timeout", "1", "--messages", "100000000")


def unwritable(tmp_path, kind):
    """A report path that cannot be written (tests run as root: no
    permission bits; a missing directory, a directory, a path under a file)."""
    if kind == "missing-dir":
        return tmp_path / "no" / "such" / "r.out"
    if kind == "directory":
        return tmp_path
    f = tmp_path / "plain"
    f.write_text("x")
    return f / "r.out"


def start_host(cli, seg):
    """A host peer on segment seg, once its core runs (its pid in the segment)."""
    host = cli.start("peer", "--role", "host", "--segment", seg, "--timeout", "30")
    assert wait_for(lambda: (SHM / f"{seg}-ctl").exists(), 10)

    def running():
        r = cli("inspect", seg, "--json")
        return r.returncode == 0 and json.loads(r.stdout)["mailbox"]["host"]["pid"] == host.pid
    assert wait_for(running, 10)
    return host


REASONS = {"missing-dir": "No such file or directory", "directory": "Is a directory",
           "under-file": "Not a directory"}


# ----------------------------------------------------------------- --quiet

@pytest.mark.timeout(60)
def test_quiet_run_passing_prints_nothing(cli):
    r = cli("run", "--messages", "50", "--quiet")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


@pytest.mark.timeout(60)
def test_quiet_run_failing_prints_the_failure_line(cli, tmp_path):
    rep = tmp_path / "r.json"
    r = cli("run", *FAILING_RUN, "--quiet", "--json", rep)
    assert r.returncode == 1 and r.stdout == ""
    reason = json.loads(rep.read_text())["reason"]
    assert reason.startswith("hang: no completion within 1 s"), reason
    assert r.stderr == f"ipc-emu run: FAIL: {reason}\n"


@pytest.mark.timeout(60)
def test_quiet_peer_failing_prints_the_failure_line(cli):
    r = cli("peer", "--role", "host", "--segment", cli.segment_name(), "--timeout", "1",
            "--quiet")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.splitlines()[-1] == ("ipc-emu peer: FAIL: host peer exited with status 1; "
                                         "remote peer did not finish")


# ------------------------------------------------- report paths, checked first

@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", sorted(REASONS))
@pytest.mark.parametrize("cmd,opt", [("run", "--json"), ("run", "--junit"), ("stress", "--json"),
                                     ("stress", "--junit"), ("bench", "--json"),
                                     ("bench", "--plot")])
def test_unwritable_report_path_is_a_usage_error_before_the_run(cli, tmp_path, kind, cmd, opt):
    path = unwritable(tmp_path, kind)
    args = {"run": ("--messages", "1000000"), "stress": ("--cycles", "1000"),
            "bench": ("--quick",)}[cmd]
    t0 = time.monotonic()
    r = cli(cmd, *args, opt, path)
    assert r.returncode == 2
    assert r.stderr == f"ipc-emu: {cmd}: {opt}: cannot write {path}: {REASONS[kind]}\n"
    assert r.stdout == ""
    assert time.monotonic() - t0 < 5, "refused before the run, not after it"


@pytest.mark.timeout(60)
def test_peer_json_unwritable(cli, tmp_path):
    path = unwritable(tmp_path, "missing-dir")
    r = cli("peer", "--role", "host", "--segment", cli.segment_name(), "--json", path)
    assert r.returncode == 2
    assert r.stderr == f"ipc-emu: peer: --json: cannot write {path}: No such file or directory\n"


# ------------------------------------------------------------- --json -

@pytest.mark.timeout(60)
def test_run_json_stdout_is_clean(cli):
    # --ipm-console: the host peer prints "remote: <line>" on its stdout,
    # which must not land in the JSON either.
    r = cli("run", "--scenario", "ipm-echo", "--ipm-console", "--messages", "200", "--json", "-")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and doc["scenario"] == "ipm-echo"
    assert "remote: " in r.stderr and "  result      PASS: " in r.stderr


@pytest.mark.timeout(60)
def test_stress_json_stdout_is_clean(cli):
    r = cli("stress", "--cycles", "2", "--modes", "icmsg-enable", "--json", "-")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and [m["mode"] for m in doc["modes"]] == ["icmsg-enable"]
    assert "ipc-emu stress: 2 cycles per mode, seed 1\n" in r.stderr


@pytest.mark.timeout(60)
def test_bench_json_stdout_is_clean_and_quiet(cli):
    r = cli("bench", "--quick", "--only", "raw_eventfd", "--json", "-")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [x["name"] for x in doc["results"]] == ["raw_eventfd"]
    assert "\nraw_eventfd " in r.stderr and "\ngoals:\n" in r.stderr
    q = cli("bench", "--quick", "--only", "raw_eventfd", "--quiet")
    assert (q.returncode, q.stdout, q.stderr) == (0, "", "")


@pytest.mark.timeout(60)
def test_inspect_json_stdout_on_a_live_segment(cli):
    seg = cli.segment_name()
    host = start_host(cli, seg)
    try:
        for form in (("--json", "-"), ("--json=-",)):
            r = cli("inspect", seg, *form)
            assert r.returncode == 0, r.stderr
            doc = json.loads(r.stdout)
            assert doc["source"]["kind"] == "segment" and doc["source"]["name"] == seg
            assert doc["mailbox"]["host"]["pid"] == host.pid
    finally:
        host.send_signal(signal.SIGTERM)
        host.communicate(timeout=10)


# ------------------------------------------------------------ progress lines

@pytest.mark.timeout(60)
def test_run_progress_lines_in_a_pipe(cli, monkeypatch):
    monkeypatch.setenv("IPC_EMU_PROGRESS_S", "0.2")
    r = cli("run", *LONG_RUN)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines, "a run of over 0.2 s in a pipe prints progress lines"
    for line in lines:
        m = re.fullmatch(r"ipc-emu run: (\d+) s, (\d+)/(\d+) messages", line)
        assert m, line
        assert int(m[2]) <= int(m[3]) == 2 * 30000 + 2
    q = cli("run", *LONG_RUN, "--quiet")
    assert (q.returncode, q.stderr) == (0, "")


@pytest.mark.timeout(60)
def test_run_no_progress_lines_on_a_terminal(cli, monkeypatch):
    monkeypatch.setenv("IPC_EMU_PROGRESS_S", "0.2")
    master, slave = pty.openpty()
    try:
        p = cli.start("run", *LONG_RUN, stdout=slave)
        os.close(slave)
        slave = -1
        out = b""
        while p.poll() is None:  # drain the terminal so the run never blocks
            try:
                out += os.read(master, 65536)
            except OSError:
                break
        _, err = p.communicate(timeout=60)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert p.returncode == 0, err
    assert "ipc-emu run: " not in err and b"result      PASS" in out


@pytest.mark.timeout(60)
def test_stress_and_bench_progress_lines(cli, monkeypatch):
    monkeypatch.setenv("IPC_EMU_PROGRESS_S", "0.01")
    r = cli("stress", "--cycles", "30", "--modes", "icmsg-enable", "--json", "-")
    assert r.returncode == 0, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("ipc-emu stress: ") and " s, " in x]
    assert lines
    for line in lines:
        assert re.fullmatch(r"ipc-emu stress: \d+ s, mode 1/1 icmsg-enable, cycles \d+/30, "
                            r"sessions \d+", line), line
    b = cli("bench", "--quick", "--only", "raw_spin,raw_eventfd", "--json", "-")
    assert b.returncode == 0, b.stderr
    lines = [x for x in b.stderr.splitlines() if x.startswith("ipc-emu bench: ")]
    assert [re.sub(r"\d+ s,", "N s,", x) for x in lines] == [
        "ipc-emu bench: N s, round 1/1, figure 1 (raw_spin)",
        "ipc-emu bench: N s, round 1/1, figure 2 (raw_eventfd)"]


# ------------------------------------------------------------------ --junit

def junit_cases(path):
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return root, suites[0], suites[0].findall("testcase")


@pytest.mark.timeout(60)
def test_run_junit_pass_and_fail(cli, tmp_path):
    xml, rep = tmp_path / "ok.xml", tmp_path / "ok.json"
    r = cli("run", "--messages", "50", "--junit", xml, "--json", rep)
    assert r.returncode == 0, r.stderr
    root, suite, cases = junit_cases(xml)
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    assert suite.get("name") == "ipc-emu run"
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("ipc-emu.run", "echo-stream icmsg ipc0 unbound=disable")]
    assert cases[0].find("failure") is None

    xml, rep = tmp_path / "fail.xml", tmp_path / "fail.json"
    r = cli("run", *FAILING_RUN, "--junit", xml, "--json", rep)
    assert r.returncode == 1
    root, suite, cases = junit_cases(xml)
    assert (root.get("tests"), root.get("failures")) == ("1", "1")
    failure = cases[0].find("failure")
    reason = json.loads(rep.read_text())["reason"]
    assert failure.get("message") == reason and failure.text == reason


@pytest.mark.timeout(60)
def test_stress_junit_and_quiet_failure_line(cli, tmp_path):
    xml = tmp_path / "s.xml"
    r = cli("stress", "--cycles", "1", "--modes", "icmsg-enable,icmsg-disable", "--quiet",
            "--junit", xml)
    assert r.returncode == 1 and r.stdout == ""
    fails = [x for x in r.stderr.splitlines() if x.startswith("ipc-emu stress: FAIL: ")]
    assert len(fails) == 1 and fails[0].startswith("ipc-emu stress: FAIL: icmsg-disable: "
                                                   "session 1: ")
    root, suite, cases = junit_cases(xml)
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    assert suite.get("name") == "ipc-emu stress"
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("ipc-emu.stress", "icmsg-enable"), ("ipc-emu.stress", "icmsg-disable")]
    assert cases[0].find("failure") is None
    msg = fails[0][len("ipc-emu stress: FAIL: icmsg-disable: "):]
    assert cases[1].find("failure").get("message") == msg


# -------------------------------------------------------------------- peer

@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_peer_host_removes_its_segment_on_signal(cli, sig):
    seg = cli.segment_name()
    host = cli.start("peer", "--role", "host", "--segment", seg, "--timeout", "30")
    files = [SHM / f"{seg}-ctl", SHM / f"{seg}-mem"]
    assert wait_for(lambda: all(f.exists() for f in files), 10)
    host.send_signal(sig)
    _, err = host.communicate(timeout=10)
    assert host.returncode == 128 + sig
    assert err == f"ipc-emu: peer host: interrupted by signal {int(sig)}: segment removed\n"
    assert not any(f.exists() for f in files)


@pytest.mark.timeout(60)
def test_peer_second_host_is_refused(cli):
    seg = cli.segment_name()
    host = start_host(cli, seg)
    try:
        r = cli("peer", "--role", "host", "--segment", seg, "--timeout", "5")
        assert r.returncode == 2
        assert r.stderr == f"ipc-emu: segment '{seg}': role host is taken by pid {host.pid}\n"
        assert host.poll() is None, "the first host runs on"
    finally:
        host.send_signal(signal.SIGTERM)
        host.communicate(timeout=10)


@pytest.mark.timeout(60)
def test_peer_name_collision_names_the_files(cli):
    seg = cli.segment_name()
    ctl, mem = SHM / f"{seg}-ctl", SHM / f"{seg}-mem"
    ctl.write_bytes(b"not a segment\n")
    mem.write_bytes(b"not a segment\n")
    try:
        r = cli("peer", "--role", "host", "--segment", seg, "--timeout", "10")
        assert r.returncode == 2
        assert r.stderr == (f"ipc-emu: cannot use segment '{seg}': {ctl} and {mem} are not an "
                            "ipc-emu segment (Protocol error): another program's objects or a "
                            "leftover: remove them or choose another --segment\n")
        assert ctl.read_bytes() == b"not a segment\n", "someone else's files are left alone"
    finally:
        ctl.unlink()
        mem.unlink()


# ------------------------------------------------------------------- trace

@pytest.mark.timeout(60)
def test_sigkilled_run_leaves_no_trace_file(cli, tmp_path):
    fresh, old = tmp_path / "fresh.json", tmp_path / "old.json"
    old.write_text("an older trace\n")
    for path in (fresh, old):
        p = cli.start("run", "--messages", "100000000", "--trace", path)
        time.sleep(0.5)
        assert p.poll() is None
        p.kill()
        p.communicate(timeout=10)
    assert not fresh.exists(), "no empty trace file"
    assert old.read_text() == "an older trace\n", "an older trace is not truncated"
    assert [x.name for x in tmp_path.iterdir()] == ["old.json"]
    with clean_turn():  # a plain clean: the other workers' dead ones too
        cli("clean")  # the dead supervisors' event directories
