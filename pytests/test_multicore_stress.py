"""`ipc-emu stress` on a topology of more than two cores (docs/multicore.md,
"stress"): mode multicore, sessions of the multi-core `run --kill-random`
until N core resets, the per-link and per-core rows, the JSON and JUnit
reports, usage errors.

The topologies: examples/nrf54h20 (4 cores, 4 links; cpuapp <-> cpurad is
ICBMsg + ICMsg, so a kill of either restarts both) and a 3-core ICMsg star
from scripts/gen-topology.py.  The victims of a seed are deterministic, the
message counts are not: the tests assert the relations every reset implies
(which links it touches, which cores restart with it) and exact totals.
Leaks (processes of the test, /dev/shm objects) are checked after every
test by conftest's fixture; the campaign's session directory here.
"""
import glob
import json
import re
import signal
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import (NRF54H20, NRF54H20_BACKENDS, NRF54H20_CORES, NRF54H20_DIR,
                      NRF54H20_LINKS, gen_star, tagged_pids, wait_for)

ROOT = Path(__file__).resolve().parent.parent
CORES, LINKS, BACKENDS = NRF54H20_CORES, NRF54H20_LINKS, NRF54H20_BACKENDS
USAGE_TAIL = " (see 'ipc-emu help stress')\n"
TOP_KEYS = ["ok", "command", "mode", "cycles", "seed", "core_resets", "cascade_restarts",
            "sessions", "failed_sessions", "hangs", "messages_checked", "duration_s",
            "first_failure", "links", "cores"]
LINK_KEYS = ["name", "ok", "backend", "resets", "recovered", "messages_checked", "failures",
             "first_failure"]
CORE_KEYS = ["name", "kills", "crashes", "restarts"]


def stress(cli, tmp_path, *args, timeout=60):
    out = tmp_path / "stress.json"
    res = cli("stress", "--json", out, *args, timeout=timeout)
    assert out.exists(), f"no JSON report\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    # The sessions' directory is gone with the campaign.
    assert glob.glob(f"/tmp/ipc-emu-stress-{cli.procs[-1].pid}-*") == []
    return res, json.loads(out.read_text())


def assert_passed(rep, cycles):
    assert list(rep) == TOP_KEYS
    assert (rep["ok"], rep["command"], rep["mode"]) == (True, "stress", "multicore")
    assert (rep["cycles"], rep["core_resets"]) == (cycles, cycles)
    assert (rep["failed_sessions"], rep["hangs"], rep["first_failure"]) == (0, 0, None)
    # Five kills per session: the last one takes what is left.
    assert rep["sessions"] == -(-cycles // 5)
    for lk in rep["links"]:
        assert list(lk) == LINK_KEYS
        assert (lk["ok"], lk["failures"], lk["first_failure"]) == (True, 0, None), lk
        assert lk["recovered"] == lk["resets"], lk
        assert lk["messages_checked"] > 0
    for c in rep["cores"]:
        assert list(c) == CORE_KEYS
        assert c["crashes"] == 0
    assert sum(c["kills"] for c in rep["cores"]) == cycles
    assert rep["messages_checked"] == sum(lk["messages_checked"] for lk in rep["links"])


def test_nrf54h20_campaign(cli, tmp_path):
    junit = tmp_path / "stress.xml"
    res, rep = stress(cli, tmp_path, "--dts", NRF54H20, "--cycles", 6, "--seed", 3,
                      "--junit", junit)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stderr == ""
    assert_passed(rep, 6)
    assert rep["seed"] == 3
    assert [lk["name"] for lk in rep["links"]] == LINKS
    assert [lk["backend"] for lk in rep["links"]] == BACKENDS
    assert [c["name"] for c in rep["cores"]] == CORES
    k = {c["name"]: c["kills"] for c in rep["cores"]}
    r = {c["name"]: c["restarts"] for c in rep["cores"]}
    both = k["cpuapp"] + k["cpurad"]  # ICBMsg: a kill of either restarts the two
    assert r == {"cpuapp": both, "cpurad": both, "cpuppr": k["cpuppr"],
                 "cpuflpr": k["cpuflpr"]}
    assert rep["cascade_restarts"] == both
    # cpuapp takes part in every link; cpuppr and cpuflpr in one each.
    assert [lk["resets"] for lk in rep["links"]] == [
        both, both, both + k["cpuppr"], both + k["cpuflpr"]]
    lines = res.stdout.splitlines()
    assert lines[0] == "ipc-emu stress: multicore, 4 cores, 4 links, 6 core resets, seed 3"
    assert lines[1].split() == ["link", "backend", "resets", "recovered", "checked",
                                "failures"]
    for line, lk in zip(lines[2:6], rep["links"]):
        assert line.split() == [lk["name"], lk["backend"], str(lk["resets"]),
                                str(lk["recovered"]), str(lk["messages_checked"]), "0",
                                "PASS"]
    assert lines[6].split() == ["core", "kills", "restarts"]
    for line, c in zip(lines[7:11], rep["cores"]):
        assert line.split() == [c["name"], str(c["kills"]), str(c["restarts"])]
    assert re.fullmatch(
        rf"  result: PASS: 6 core resets \(\+{both} ICBMsg cascade restarts\) in 2 sessions, "
        rf"{rep['messages_checked']} messages checked, \d+\.\d s", lines[11])
    assert len(lines) == 12
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "ipc-emu stress", "4", "0")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("ipc-emu.stress", f"multicore {name}") for name in LINKS]
    assert all(c.find("failure") is None for c in cases)


def test_star_with_core_names(cli, tmp_path):
    f = gen_star(tmp_path, 3)
    res, rep = stress(cli, tmp_path, "--core", f"hub={f[0]}", "--core", f"a={f[1]}",
                      "--core", f"b={f[2]}", "--cycles", 6)
    assert res.returncode == 0, res.stdout + res.stderr
    assert_passed(rep, 6)
    assert rep["seed"] == 1
    assert [lk["name"] for lk in rep["links"]] == ["hub-a.ipc_cpu1", "hub-b.ipc_cpu2"]
    assert [lk["backend"] for lk in rep["links"]] == ["icmsg", "icmsg"]
    k = {c["name"]: c["kills"] for c in rep["cores"]}
    assert list(k) == ["hub", "a", "b"]
    # ICMsg only: a killed core restarts alone, nothing cascades.
    assert [c["restarts"] for c in rep["cores"]] == [k["hub"], k["a"], k["b"]]
    assert rep["cascade_restarts"] == 0
    assert [lk["resets"] for lk in rep["links"]] == [k["hub"] + k["a"], k["hub"] + k["b"]]
    assert "(+0 ICBMsg cascade restarts) in 2 sessions" in res.stdout


def test_same_seed_same_victims(cli, tmp_path):
    f = ",".join(map(str, gen_star(tmp_path, 3)))
    reps = []
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        res, rep = stress(cli, tmp_path / sub, "--dts", f, "--cycles", 3, "--seed", 11)
        assert res.returncode == 0, res.stdout + res.stderr
        assert_passed(rep, 3)
        reps.append(rep)
    assert [c["kills"] for c in reps[0]["cores"]] == [c["kills"] for c in reps[1]["cores"]]
    assert [lk["resets"] for lk in reps[0]["links"]] == [
        lk["resets"] for lk in reps[1]["links"]]


def test_json_stdout_and_quiet(cli, tmp_path):
    f = ",".join(map(str, gen_star(tmp_path, 3)))
    res = cli("stress", "--dts", f, "--cycles", 2, "--modes", "multicore", "--json", "-")
    assert res.returncode == 0, res.stderr
    rep = json.loads(res.stdout)  # stdout: the JSON only
    assert_passed(rep, 2)
    assert res.stderr.startswith("ipc-emu stress: multicore, 3 cores, 2 links, 2 core "
                                 "resets, seed 1\n")
    res = cli("stress", "--dts", f, "--cycles", 2, "--quiet")
    assert (res.returncode, res.stdout, res.stderr) == (0, "", "")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_ends_the_campaign(cli, tmp_path, sig):
    f = ",".join(map(str, gen_star(tmp_path, 3)))
    p = cli.start("stress", "--dts", f, "--cycles", 1000000, "--json", tmp_path / "x.json")
    # stress, its session's run and the three cores.
    assert wait_for(lambda: len(tagged_pids(cli.tag)) >= 5, 20)
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    assert (p.returncode, out) == (128 + sig, "")
    assert err == (f"ipc-emu: stress: interrupted by signal {int(sig)}: the session's cores "
                   "killed\n")
    assert not (tmp_path / "x.json").exists()
    assert glob.glob(f"/tmp/ipc-emu-stress-{p.pid}-*") == []


def test_two_core_dts_stays_two_core(cli):
    # Two files in --dts: the two-core campaign, whose modes refuse multicore.
    pair = f"{NRF54H20_DIR / 'cpuapp.dts'},{NRF54H20_DIR / 'cpurad.dts'}"
    res = cli("stress", "--dts", pair, "--modes", "multicore")
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == ("ipc-emu: stress: --modes multicore: mode multicore needs a "
                          "topology: --dts A,B,C[,...] (three files or more) or --core "
                          "NAME=FILE" + USAGE_TAIL)


TOPO = "(--dts A,B,C[,...] or --core NAME=FILE)"


@pytest.mark.parametrize("args, line", [
    (["--dts", NRF54H20, "--modes", "icmsg-enable"],
     f"--modes icmsg-enable: a topology {TOPO} has one mode: multicore"),
    (["--dts", NRF54H20, "--modes", "multicore,icbmsg"],
     f"--modes multicore,icbmsg: a topology {TOPO} has one mode: multicore"),
    (["--modes", "multicore"],
     "--modes multicore: mode multicore needs a topology: --dts A,B,C[,...] (three files "
     "or more) or --core NAME=FILE"),
    (["--dts", NRF54H20, "--valgrind"], f"--valgrind is two-core only: not with a topology "
     f"{TOPO}"),
    (["--dts", NRF54H20, "--zephyr-base", "/nonexistent"],
     f"--zephyr-base is two-core only: not with a topology {TOPO}"),
    (["--dts", NRF54H20, "--core", "a=x.dts"],
     "--dts and --core exclude each other: name every core with --core NAME=FILE, or none"),
    (["--core", "a=x.dts", "--dts", NRF54H20],
     "--dts and --core exclude each other: name every core with --core NAME=FILE, or none"),
    (["--core", "nofile"], "--core wants NAME=FILE, not 'nofile'"),
    (["--core"], "--core needs a value"),
    (["--dts", "a.dts,b.dts,,c.dts"],
     "--dts wants FILE,FILE,FILE[,...] for a topology, not 'a.dts,b.dts,,c.dts'"),
])
def test_usage_errors(cli, args, line):
    res = cli("stress", *args)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == "ipc-emu: stress: " + line + USAGE_TAIL


def test_refused_topologies(cli, tmp_path):
    # Leaving out the FLPR: cpuapp's FLPR link dangles (the topology's line).
    three = ",".join(str(NRF54H20_DIR / f"{c}.dts") for c in CORES[:3])
    res = cli("stress", "--dts", three, "--cycles", 1)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == (
        f"ipc-emu: stress: {NRF54H20_DIR / 'cpuapp.dts'}: /ipc/ipc-2-14: tx-region "
        "/reserved-memory/memory@2f89b800 (0x2f89b800+0x400) is used by no instance of "
        f"another core ({NRF54H20_DIR / 'cpurad.dts'}, {NRF54H20_DIR / 'cpuppr.dts'})\n")
    res = cli("stress", "--core", f"a={NRF54H20_DIR / 'cpuapp.dts'}")
    assert (res.returncode, res.stderr) == (
        2, "ipc-emu: stress: 1 devicetree: a multi-core topology takes 2 to 8 cores, one "
        "devicetree each\n")
    # Legacy ICMsg cannot recover a kill: the run refuses it, nothing runs.
    f = gen_star(tmp_path, 3)
    for p in f:
        p.write_text(p.read_text().replace('unbound = "enable"', 'unbound = "disable"'))
    out = tmp_path / "never.json"
    res = cli("stress", "--dts", ",".join(map(str, f)), "--cycles", 1, "--json", out)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == (
        "ipc-emu: stress: link cpu0-cpu1.ipc_cpu1: --kill-random needs unbound = \"enable\" "
        f"or \"detect\" on {f[0]} /ipc/ipc-cpu1: in legacy mode (\"disable\") ICMsg has no "
        "reset protocol\n")
    assert not out.exists()


def test_help_names_the_topology(cli):
    res = cli("help", "stress")
    assert res.returncode == 0
    assert "  --dts A,B,C[,...], --core NAME=FILE (repeatable)   a topology of more than\n" \
        in res.stdout
    assert "  ipc-emu stress --cycles 100 --dts app.dts,rad.dts,ppr.dts\n" in res.stdout
