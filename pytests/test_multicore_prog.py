"""`ipc-emu run --dts A,B,C --core-prog NAME=PROG`: your own Zephyr program on
each core of a multi-core SoC (docs/multicore.md, "your own programs").

The example examples/nrf54h20/zephyr/ (app.c on cpuapp, echo.c on the three
others, each built against its core's devicetree) is looked up beside the
CLI: <dir of ipc-emu>/examples/nrf54h20/<core>.  Every core attaches to the
one SoC segment, each of its links on its own view, and the programs' exit
statuses are the verdict.  Shell scripts stand in for programs where only
the supervisor's side is tested (environment contract, failures, hangs).
"""
import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from conftest import NRF54H20, NRF54H20_CORES, NRF54H20_LINKS, NRF54H20_BACKENDS

VALGRIND = bool(os.environ.get("VALGRIND"))


@pytest.fixture(scope="module")
def progs(ipc_emu_bin):
    root = Path(ipc_emu_bin).parent / "examples" / "nrf54h20"
    for c in NRF54H20_CORES:
        assert (root / c).is_file(), f"{root / c} not built (configure with -DIPC_EMU_EXAMPLES=ON)"
    return {c: str(root / c) for c in NRF54H20_CORES}


def prog_args(progs):
    out = []
    for c in NRF54H20_CORES:
        out += ["--core-prog", f"{c}={progs[c]}"]
    return out


def script(tmp_path, name, body):
    p = tmp_path / name
    p.write_text("#!/bin/sh\n" + body)
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return str(p)


@pytest.mark.timeout(120)
def test_nrf54h20_programs_pass(cli, progs, tmp_path):
    """Four Zephyr programs, one per core, over four links at once: the
    application core pings every link 50 times and every echo comes back."""
    js = tmp_path / "r.json"
    r = cli("run", "--dts", NRF54H20, *prog_args(progs), "--json", str(js), timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "app: 50 messages echoed on each of 4 links\n" in r.stdout
    assert r.stdout.count("<inf> echo: echoed on ") == 3
    assert "<inf> echo: echoed on 2 links\n" in r.stdout  # cpurad: ICBMsg + ICMsg
    lines = r.stdout.splitlines()
    assert "ipc-emu run: 4 cores, 4 links, user programs, doorbell futex" in lines
    for name, be in zip(NRF54H20_LINKS, NRF54H20_BACKENDS):
        core = name.split(".")[0].split("-")[1]
        assert any(re.fullmatch(rf"  link {re.escape(name)} +{be} +cpuapp -> {core}", ln)
                   for ln in lines), name
    for c in NRF54H20_CORES:
        assert any(re.fullmatch(rf"  core {c} +pid \d+  program {re.escape(progs[c])}  "
                                 r"kills 0  crashes 0  restarts 0  exit 0", ln)
                   for ln in lines), c
    assert re.search(r"^  result      PASS: all 4 programs exited with status 0 \(\d+\.\d\d s\)$",
                     r.stdout, re.M)
    doc = json.loads(js.read_text())
    assert doc["mode"] == "multicore" and doc["scenario"] == "user-programs"
    assert doc["ok"] is True and doc["hang"] is False
    assert doc["reason"] == "all 4 programs exited with status 0"
    assert [c["name"] for c in doc["cores"]] == NRF54H20_CORES
    assert [c["program"] for c in doc["cores"]] == [progs[c] for c in NRF54H20_CORES]
    assert [c["exit_status"] for c in doc["cores"]] == [0, 0, 0, 0]
    assert [(k["name"], k["backend"], k["host"]) for k in doc["links"]] == [
        (n, b, "cpuapp") for n, b in zip(NRF54H20_LINKS, NRF54H20_BACKENDS)]


@pytest.mark.timeout(120)
def test_nrf54h20_programs_eventfd(cli, progs):
    r = cli("run", "--dts", NRF54H20, *prog_args(progs), "--doorbell", "eventfd", "--quiet",
            timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "app: 50 messages echoed on each of 4 links\n" in r.stdout
    assert "ipc-emu run:" not in r.stdout


@pytest.mark.timeout(60)
def test_environment_contract(cli, tmp_path):
    """Each program gets its core's name, its devicetree, the SoC segment's
    descriptors and its links (link:role:instance of its own file), no
    two-core variable, and the arguments after --."""
    body = ('echo "core=$IPC_EMU_CORE dts=$IPC_EMU_DTS links=$IPC_EMU_SOC_LINKS '
            'role=${IPC_EMU_ROLE-unset} fds=${IPC_EMU_FDS-unset} soc=$IPC_EMU_SOC_FDS '
            'sched=$IPC_EMU_SCHEDULE args=$*"\n')
    p = script(tmp_path, "envdump", body)
    args = []
    for c in NRF54H20_CORES:
        args += ["--core-prog", f"{c}={p}"]
    r = cli("run", "--dts", NRF54H20, *args, "--doorbell", "eventfd", "--quiet", "--",
            "one", "two", timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    got = {}
    for ln in r.stdout.splitlines():
        m = re.fullmatch(r"core=(\w+) dts=(\S+) links=(\S+) role=unset fds=unset "
                         r"soc=(\d+),(\d+)((?:,\d+){4}) sched=coop args=one two", ln)
        assert m, ln
        got[m.group(1)] = (m.group(2), m.group(3))
    dts = NRF54H20.split(",")
    assert got == {
        "cpuapp": (dts[0], "0:host:0,1:host:1,2:host:2,3:host:3"),
        "cpurad": (dts[1], "0:remote:0,1:remote:1"),
        "cpuppr": (dts[2], "2:remote:0"),
        "cpuflpr": (dts[3], "3:remote:0"),
    }


@pytest.mark.timeout(60)
def test_failing_program(cli, progs, tmp_path):
    """A program that fails: exit 1, its core named in the reason; the others
    are cut short after a grace period."""
    args = prog_args(progs)
    args[args.index(f"cpuppr={progs['cpuppr']}")] = "cpuppr=/bin/false"
    js = tmp_path / "r.json"
    r = cli("run", "--dts", NRF54H20, *args, "--json", str(js), timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(js.read_text())
    assert doc["ok"] is False
    assert "core cpuppr exited with status 1" in doc["reason"]
    assert [c["exit_status"] for c in doc["cores"]][2] == 1
    assert re.search(r"^  result      FAIL: .*core cpuppr exited with status 1", r.stdout, re.M)


@pytest.mark.timeout(60)
def test_hanging_programs(cli, tmp_path):
    """Programs that never end: --timeout, a hang, nothing left behind."""
    p = script(tmp_path, "forever", "exec sleep 600\n")
    args = []
    for c in NRF54H20_CORES:
        args += ["--core-prog", f"{c}={p}"]
    js = tmp_path / "r.json"
    r = cli("run", "--dts", NRF54H20, *args, "--timeout", "1", "--quiet", "--json", str(js),
            timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(js.read_text())
    assert doc["hang"] is True and doc["ok"] is False
    assert doc["reason"].startswith("hang: the programs were still running after --timeout 1 s")
    assert r.stderr.startswith("ipc-emu run: FAIL: hang: ")


@pytest.mark.timeout(120)
def test_programs_trace(cli, progs, tmp_path):
    """--trace: one process per core (its program), one interrupt thread per
    core shared by its links, and the work of each link's core tagged with
    that link."""
    out = tmp_path / "t.json"
    r = cli("run", "--dts", NRF54H20, *prog_args(progs), "--trace", str(out), "--quiet",
            timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    ev = json.loads(out.read_text())["traceEvents"]
    procs = {e["pid"]: e["args"]["name"] for e in ev if e.get("name") == "process_name"}
    assert sorted(procs.values()) == sorted(NRF54H20_CORES + ["supervisor"])
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev
               if e.get("name") == "thread_name"}
    links_of = {c: {n for n in NRF54H20_LINKS if c in n.split(".")[0].split("-")}
                for c in NRF54H20_CORES}
    for pid, core in procs.items():
        if core == "supervisor":
            continue
        irq = [n for (p, _), n in threads.items() if p == pid and n.startswith("irq")]
        assert len(irq) == 1, (core, irq)
        starts = [e["args"]["link"] for e in ev
                  if e["pid"] == pid and e.get("name") == "core_start"]
        assert sorted(starts) == sorted(links_of[core]), core
        tagged = {e["args"]["link"] for e in ev if e["pid"] == pid and e.get("ph") != "M"
                  and "link" in e.get("args", {})}
        assert tagged == links_of[core], core


@pytest.mark.timeout(300)
def test_programs_valgrind(cli, progs):
    """--valgrind: every program under memcheck, errors per core."""
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    r = cli("run", "--dts", NRF54H20, *prog_args(progs), "--valgrind", timeout=280)
    assert r.returncode == 0, r.stdout + r.stderr
    for c in NRF54H20_CORES:
        assert re.search(rf"^  core {c} +pid \d+  program \S+  kills 0  crashes 0  restarts 0  "
                         r"exit 0  valgrind errors 0$",
                         r.stdout, re.M), r.stdout


@pytest.mark.parametrize("extra, msg", [
    (["--core-prog", "cpuapp=@P@"],
     "core cpurad has no program (give every core of the topology a program, or none)"),
    (["--core-prog", "cpuapp=@P@", "--core-prog", "cpuapp=@P@"],
     "--core-prog: core cpuapp is given two programs"),
    (["--core-prog", "cpugpu=@P@"], "--core-prog cpugpu=@P@: no core named 'cpugpu'"),
    (["--core-prog", "cpuapp"], "--core-prog wants NAME=PROG"),
    (["--core-prog", "cpuapp=/nonexistent/prog"], "--core-prog cpuapp=/nonexistent/prog: no such program"),
    (["--", "x"], "-- ARGS are the user programs' arguments: they need --core-prog NAME=PROG"),
    (["--core-prog", "cpuapp=@P@", "--endpoints", "2"],
     "--endpoints is not available with --core-prog"),
    (["--core-prog", "cpuapp=@P@", "--nocopy"], "--nocopy is not available with --core-prog"),
])
def test_refused(cli, tmp_path, extra, msg):
    p = script(tmp_path, "prog", "exit 0\n")
    extra = [a.replace("@P@", p) for a in extra]
    msg = msg.replace("@P@", p)
    r = cli("run", "--dts", NRF54H20, *extra, timeout=30)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout == ""
    assert msg in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.timeout(30)
def test_program_without_supervisor(progs):
    """A core's program started by hand: one line, exit 2."""
    import subprocess
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_EMU_")}
    env["IPC_EMU_CORE"] = "cpuppr"
    env["IPC_EMU_DTS"] = NRF54H20.split(",")[2]
    r = subprocess.run([progs["cpuppr"]], env=env, capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == (
        "ipc-emu: IPC_EMU_CORE=cpuppr needs IPC_EMU_SOC_FDS and IPC_EMU_SOC_LINKS: start it "
        "with `ipc-emu run --dts A,B,C --core-prog NAME=PROG` (docs/multicore.md)")
