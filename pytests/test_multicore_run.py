"""`ipc-emu run` with more than two cores (docs/multicore.md, "run" and
"faults"): one process per core, every link of the topology at once, kills
per core and their recovery, the text and JSON reports, usage errors.

The topologies: examples/nrf54h20 (4 cores, 4 links: cpuapp <-> cpurad
ICBMsg + ICMsg, cpuapp <-> cpuppr ICMsg, cpuapp <-> cpuflpr ICMsg) and
stars written by scripts/gen-topology.py.  Leaks (/dev/shm objects,
processes) are checked after every test by conftest's fixture.
"""
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (NRF54H20, NRF54H20_BACKENDS, NRF54H20_CORES, NRF54H20_DIR,
                      NRF54H20_LINKS, gen_star, tagged_pids, wait_for)

ROOT = Path(__file__).resolve().parent.parent
CORES, LINKS, BACKENDS = NRF54H20_CORES, NRF54H20_LINKS, NRF54H20_BACKENDS
ICBMSG_K = 4  # the ICBMsg link's endpoints (the default)
USAGE_TAIL = " (see 'ipc-emu run --help')\n"


def run_json(cli, tmp_path, *args, timeout=60):
    out = tmp_path / "mc.json"
    res = cli("run", "--json", out, *args, timeout=timeout)
    assert out.exists(), f"no JSON report\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    return res, json.loads(out.read_text())


def assert_link_clean(link):
    m = link["messages"]
    assert (m["corrupted"], m["duplicated"], m["reordered"], m["lost"]) == (0, 0, 0, 0)
    assert link["blocks_in_use_at_end"] == 0
    assert link["ok"] is True, link["reason"]


def test_nrf54h20_runs_every_link(cli, tmp_path):
    n = 200
    res, rep = run_json(cli, tmp_path, "--dts", NRF54H20, "--messages", n)
    assert res.returncode == 0, res.stdout + res.stderr
    assert rep["mode"] == "multicore" and rep["ok"] is True
    assert [c["name"] for c in rep["cores"]] == CORES
    assert [c["exit_status"] for c in rep["cores"]] == [0, 0, 0, 0]
    assert [lk["name"] for lk in rep["links"]] == LINKS
    assert [lk["backend"] for lk in rep["links"]] == BACKENDS
    assert [(lk["host"], lk["remote"]) for lk in rep["links"]] == [
        ("cpuapp", "cpurad"), ("cpuapp", "cpurad"), ("cpuapp", "cpuppr"), ("cpuapp", "cpuflpr")]
    total = 0
    for lk, k in zip(rep["links"], [ICBMSG_K, 1, 1, 1]):
        assert_link_clean(lk)
        assert lk["endpoints"] == k
        assert lk["messages_per_endpoint"] == n
        # per side: n/2 echo + n/2 stream + DONE on each endpoint
        assert lk["messages"]["sent"] == 2 * (n + 1) * k
        assert lk["messages"]["received"] == 2 * (n + 1) * k
        assert lk["unbounds"] == 0 and lk["rebonds"] == 0
        assert lk["resets"]["cycles"] == 0
        total += 2 * (n + 1) * k
    assert rep["reason"] == f"4 links, all {total} messages verified"
    lines = res.stdout.splitlines()
    assert lines[0] == ("ipc-emu run: 4 cores, 4 links, echo-stream, doorbell futex, "
                        "200 messages per endpoint")
    assert len(lines) == 1 + 4 + 4 + 1
    for line, name, k in zip(lines[1:5], LINKS, [ICBMSG_K, 1, 1, 1]):
        assert line.startswith(f"  link {name} ")
        assert f"sent {(n + 1) * k}/{(n + 1) * k}  unbounds 0/0  resets 0  rebonds 0  " in line
        assert line.endswith(f"PASS: all {2 * (n + 1) * k} messages verified")
    for line, name in zip(lines[5:9], CORES):
        assert re.fullmatch(rf"  core {name} +pid \d+  kills 0  crashes 0  restarts 0  exit 0",
                            line), line
    assert lines[9] == f"  result      PASS: 4 links, all {total} messages verified"


@pytest.mark.parametrize("seed", [1, 7])
def test_nrf54h20_kill_random_5_every_link_recovers(cli, tmp_path, seed):
    res, rep = run_json(cli, tmp_path, "--dts", NRF54H20, "--messages", 1000,
                        "--kill-random", 5, "--seed", seed)
    assert res.returncode == 0, res.stdout + res.stderr
    assert rep["ok"] is True
    assert rep["kills"] == {"planned": 5, "done": 5, "crash_points": 0}
    assert sum(c["kills"] for c in rep["cores"]) == 5
    assert [c["exit_status"] for c in rep["cores"]] == [0, 0, 0, 0]
    by = {c["name"]: c for c in rep["cores"]}
    # ICBMsg has no reset protocol: cpuapp and cpurad always restart together.
    assert by["cpuapp"]["restarts"] == by["cpurad"]["restarts"] == \
        by["cpuapp"]["kills"] + by["cpurad"]["kills"]
    assert by["cpuppr"]["restarts"] == by["cpuppr"]["kills"]
    assert by["cpuflpr"]["restarts"] == by["cpuflpr"]["kills"]
    resets_app = by["cpuapp"]["restarts"]
    want = [resets_app, resets_app, resets_app + by["cpuppr"]["kills"],
            resets_app + by["cpuflpr"]["kills"]]
    for lk, cycles in zip(rep["links"], want):
        assert_link_clean(lk)
        assert lk["resets"]["cycles"] == cycles
        assert lk["rebonds"] == lk["resets"]["rebonds"] == cycles
    # The cpuapp <-> cpurad links restart both sides at every reset.
    assert rep["links"][0]["resets"]["restarts_of_both"] == resets_app
    assert rep["links"][1]["resets"]["restarts_of_both"] == resets_app


def test_killing_a_leaf_leaves_other_links_undisturbed(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--dts", NRF54H20, "--messages", 1000,
                        "--kill-random", 3, "--kill-core", "cpuppr", "--seed", 3)
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(c["name"], c["kills"], c["restarts"]) for c in rep["cores"]] == [
        ("cpuapp", 0, 0), ("cpurad", 0, 0), ("cpuppr", 3, 3), ("cpuflpr", 0, 0)]
    for lk in rep["links"]:
        assert_link_clean(lk)
        if lk["remote"] == "cpuppr":
            assert lk["resets"]["cycles"] == 3 and lk["rebonds"] == 3
            assert lk["resets"]["restarts_of_both"] == 0
            assert lk["unbounds"] >= 3  # cpuapp saw each reset
        else:
            assert lk["resets"]["cycles"] == 0 and lk["rebonds"] == 0
            assert lk["unbounds"] == 0
            assert lk["resets"]["restarts_of_both"] == 0
            assert lk["restarts"] == 0


def test_core_names_and_crash_point(cli, tmp_path):
    f = gen_star(tmp_path, 3)
    res, rep = run_json(cli, tmp_path, "--core", f"hub={f[0]}", "--core", f"a={f[1]}",
                        "--core", f"b={f[2]}", "--messages", 400,
                        "--crash-point", "a:icmsg_send_before_signal@30")
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(c["name"], c["file"]) for c in rep["cores"]] == [
        ("hub", str(f[0])), ("a", str(f[1])), ("b", str(f[2]))]
    assert [lk["name"] for lk in rep["links"]] == ["hub-a.ipc_cpu1", "hub-b.ipc_cpu2"]
    assert rep["kills"] == {"planned": 0, "done": 0, "crash_points": 1}
    assert [(c["crashes"], c["restarts"]) for c in rep["cores"]] == [(0, 0), (1, 1), (0, 0)]
    a, b = rep["links"]
    assert (a["resets"]["cycles"], a["resets"]["crash_points"], a["rebonds"]) == (1, 1, 1)
    assert (b["resets"]["cycles"], b["unbounds"]) == (0, 0)
    for lk in rep["links"]:
        assert_link_clean(lk)


def test_json_shape(cli, tmp_path):
    f = gen_star(tmp_path, 3, "icbmsg")
    res, rep = run_json(cli, tmp_path, "--dts", ",".join(map(str, f)), "--messages", 100,
                        "--endpoints", 2, "--doorbell", "eventfd")
    assert res.returncode == 0, res.stdout + res.stderr
    assert list(rep) == ["mode", "ok", "reason", "messages_per_endpoint", "doorbell", "kills",
                         "hang", "duration_s", "cores", "links"]
    assert rep["doorbell"] == "eventfd" and rep["hang"] is False
    assert rep["reason"] == "2 links, all 808 messages verified"
    for c in rep["cores"]:
        assert list(c) == ["name", "file", "kills", "crashes", "restarts", "exit_status"]
    for lk in rep["links"]:
        assert list(lk)[:5] == ["name", "host", "remote", "rebonds", "ok"]
        assert lk["backend"] == "icbmsg" and lk["endpoints"] == 2
        assert lk["doorbell"] == "eventfd"
        assert lk["instance"] == lk["name"].split(".")[1]
        assert lk["messages"]["sent"] == 2 * 101 * 2
        assert len(lk["peers"]) == 2


def test_json_on_stdout(cli, tmp_path):
    f = gen_star(tmp_path, 3)
    res = cli("run", "--dts", ",".join(map(str, f)), "--messages", 50, "--json", "-")
    assert res.returncode == 0, res.stderr
    rep = json.loads(res.stdout)
    assert rep["ok"] is True and len(rep["links"]) == 2
    assert "ipc-emu run: 3 cores, 2 links" in res.stderr


def test_quiet_prints_nothing_when_it_passes(cli, tmp_path):
    f = gen_star(tmp_path, 3)
    res = cli("run", "--dts", ",".join(map(str, f)), "--messages", 50, "--quiet")
    assert (res.returncode, res.stdout, res.stderr) == (0, "", "")


def test_two_files_stay_a_two_core_run(cli):
    a, b = ROOT / "examples" / "nrf5340dk_cpuapp.dts", ROOT / "examples" / "nrf5340dk_cpunet.dts"
    res = cli("run", "--dts", f"{a},{b}", "--messages", 100)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == ("ipc-emu run: icmsg ipc0, echo-stream, 1 endpoint, "
                                          "unbound disable, doorbell futex, 100 messages")


@pytest.mark.parametrize("args,line", [
    (["--host", "/bin/true"], "--host is two-core only: not with more than two cores (--dts "
                              "A,B,C or --core NAME=FILE)"),
    (["--instance", "ipc0"], "--instance is two-core only: not with more than two cores (--dts "
                             "A,B,C or --core NAME=FILE)"),
    (["--junit", "j.xml"], "--junit is two-core only: not with more than two cores (--dts "
                           "A,B,C or --core NAME=FILE)"),
    (["--kill-core", "cpuppr"], "--kill-core picks the core that --kill-random K kills: it "
                                "needs --kill-random K (K >= 1)"),
    (["--core", "x=y.dts"], "--dts and --core exclude each other: name every core with "
                            "--core NAME=FILE, or none"),
    (["--endpoints", "0"], "--endpoints wants a count 1..254, not '0'"),
    (["--bogus"], "unknown option '--bogus'"),
    (["--", "x"], "-- ARGS are the user programs' arguments: they need --core-prog NAME=PROG "
                  "(or --host/--remote with two cores)"),
])
def test_usage_errors(cli, args, line):
    res = cli("run", "--dts", NRF54H20, *args)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == "ipc-emu: run: " + line + USAGE_TAIL


def test_usage_core_count_and_form(cli):
    res = cli("run", "--core", f"a={NRF54H20_DIR / 'cpuapp.dts'}")
    assert (res.returncode, res.stderr) == (
        2, "ipc-emu: run: --core: a run needs 2..8 cores, not 1" + USAGE_TAIL)
    res = cli("run", "--core", "nofile")
    assert (res.returncode, res.stderr) == (
        2, "ipc-emu: run: --core wants NAME=FILE, not 'nofile'" + USAGE_TAIL)
    res = cli("run", "--dts", ",".join(["x.dts"] * 9))
    assert (res.returncode, res.stderr) == (
        2, "ipc-emu: run: --dts: at most 8 devicetrees (one per core), not 9" + USAGE_TAIL)


def test_plan_errors_before_anything_runs(cli, tmp_path):
    res = cli("run", "--dts", NRF54H20, "--kill-random", 1, "--kill-core", "nope")
    assert (res.returncode, res.stdout, res.stderr) == (
        2, "", "ipc-emu: run: --kill-core nope: no such core\n")
    res = cli("run", "--dts", NRF54H20, "--crash-point", "cpu9:icmsg_send_before_signal@3")
    assert (res.returncode, res.stderr) == (
        2, "ipc-emu: run: --crash-point cpu9:icmsg_send_before_signal@3: no core named "
           "'cpu9'\n")
    f = gen_star(tmp_path, 3)
    for dts in f:
        dts.write_text(dts.read_text().replace('unbound = "enable"', 'unbound = "disable"'))
    res = cli("run", "--dts", ",".join(map(str, f)), "--kill-random", 1)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == (f"ipc-emu: run: link cpu0-cpu1.ipc_cpu1: --kill-random needs unbound "
                          f"= \"enable\" or \"detect\" on {f[0]} /ipc/ipc-cpu1: in legacy mode "
                          f"(\"disable\") ICMsg has no reset protocol\n")


def test_soc_range_above_mem_limit(cli, tmp_path):
    """One image spans the SoC's IPC memory, from the lowest region of all
    links to the highest: two links 16 MiB apart on four cores (no file
    spans both) make a SoC above --mem-limit 8: one line, before anything
    runs; --mem-limit 32 runs it."""
    out = tmp_path / "pf"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen-topology.py"), "--cores", "3",
                    "--out", str(out), "--pair-files"], check=True, stdout=subprocess.DEVNULL)
    for f in ("link2.dts", "cpu2.dts"):
        p = out / f
        p.write_text(p.read_text().replace("2f004000", "30004000").replace("2f006000",
                                                                            "30006000"))
    cores = ["--core", f"a={out / 'link1.dts'}", "--core", f"b={out / 'cpu1.dts'}",
             "--core", f"c={out / 'link2.dts'}", "--core", f"d={out / 'cpu2.dts'}"]
    res = cli("run", *cores, "--mem-limit", 8)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == ("ipc-emu: run: the SoC's IPC memory 0x2f000000+0x1008000 (17 MiB, from "
                          "the lowest to the highest region of all links) is above the memory "
                          "limit of 8 MiB (--mem-limit)\n")
    res = cli("run", *cores, "--mem-limit", 32, "--messages", 20, "--quiet")
    assert (res.returncode, res.stdout, res.stderr) == (0, "", "")


def test_sigterm_kills_every_core(cli):
    p = cli.start("run", "--dts", NRF54H20, "--messages", 1000000)
    # the supervisor and its four cores
    assert wait_for(lambda: len(tagged_pids(cli.tag)) == 5, 20)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 143
    assert out.splitlines()[-1] == "  result      FAIL: interrupted by signal 15"
    assert err.endswith("ipc-emu: interrupted by signal 15: cores killed\n")


def test_timeout_is_a_hang_of_every_link(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--dts", NRF54H20, "--messages", 1000000,
                        "--timeout", 1)
    assert res.returncode == 1
    assert rep["ok"] is False and rep["hang"] is True
    assert [c["exit_status"] for c in rep["cores"]] == [137, 137, 137, 137]
    for lk in rep["links"]:
        assert lk["ok"] is False and lk["hang"] is True
        assert lk["reason"].startswith("hang: no completion within 1 s (host in ")
    assert rep["reason"].startswith("link cpuapp-cpurad.cpuapp_cpurad_ipc: hang: ")


def test_icbmsg_resets_spread_through_icbmsg_links(cli, tmp_path):
    # cpu1's ICBMsg partner cpu0 restarts with it, and so cpu0's other ICBMsg
    # partner cpu2: every kill is a reset of all three.
    f = gen_star(tmp_path, 3, "icbmsg")
    res, rep = run_json(cli, tmp_path, "--dts", ",".join(map(str, f)), "--messages", 400,
                        "--kill-random", 2, "--kill-core", "cpu1", "--seed", 5)
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(c["kills"], c["restarts"], c["exit_status"]) for c in rep["cores"]] == [
        (0, 2, 0), (2, 2, 0), (0, 2, 0)]
    for lk in rep["links"]:
        assert_link_clean(lk)
        assert lk["resets"]["cycles"] == lk["resets"]["restarts_of_both"] == 2
        assert lk["rebonds"] == 2 and lk["unbounds"] == 0
        assert lk["restarts"] == 4
