"""Reliability campaign: crash points, kill/restart recovery, `ipc-emu stress`.

Every crash point of the core is hit here and recovered from: ICMsg points
with sessions (unbound enable/detect: the survivor sees unbound() and
re-bonds), ICBMsg points with the documented recovery (restart both peers;
no block may stay in use).
"""
import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ICMSG_POINTS = ["pbuf_write_before_publish", "pbuf_read_before_release",
                "icmsg_send_before_signal", "icmsg_sid_ack_before_tx_reset"]
ICBMSG_POINTS = ["icbmsg_alloc_before_header", "icbmsg_block_before_control",
                 "icbmsg_rx_before_release", "icbmsg_release_before_free",
                 "icbmsg_release_after_free", "icbmsg_v2_before_produce",
                 "icbmsg_v2_before_doorbell", "icbmsg_v2_rx_before_consume"]


def run_json(cli, tmp_path, *args, timeout=120):
    out = tmp_path / "report.json"
    res = cli("run", "--json", out, *args, timeout=timeout)
    assert out.exists(), f"no JSON report\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    return res, json.loads(out.read_text())


def assert_recovered(res, rep, crashes):
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["ok"] is True
    m = rep["messages"]
    assert m["corrupted"] == m["duplicated"] == m["reordered"] == m["lost"] == 0
    r = rep["resets"]
    assert r["crash_points"] == crashes
    assert rep["crashes_injected"] == crashes
    assert r["cycles"] == crashes
    assert r["rebonds"] + r["overlapped"] == r["cycles"]
    assert rep["blocks_in_use_at_end"] == 0
    assert rep["leaks"] == {"shm_objects": 0, "processes": 0}
    for p in rep["peers"]:
        assert p["exit_status"] == 0


def test_crash_point_list_matches_the_core(cli):
    in_src = set()
    for f in (ROOT / "src").glob("*.c"):
        # A call may name its point through a conditional ("a" : "b").
        for args in re.findall(r'port_crash_point\(([^;]*?)\);', f.read_text(), re.S):
            in_src |= set(re.findall(r'"([a-z0-9_]+)"', args))
    res = cli("help", "run")
    assert res.returncode == 0
    listed = set(re.findall(r"^ {25}([a-z0-9_]+)$", res.stdout, re.M))
    assert listed == in_src
    assert in_src == set(ICMSG_POINTS) | set(ICBMSG_POINTS)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["enable", "detect"])
@pytest.mark.parametrize("point", ICMSG_POINTS)
def test_icmsg_crash_point_recovers(cli, tmp_path, point, mode):
    # Only the host is armed: exactly one crash, the remote survives it.
    nth = 1 if point == "icmsg_sid_ack_before_tx_reset" else 60
    res, rep = run_json(cli, tmp_path, "--unbound", mode, "--crash-point",
                        f"host:{point}@{nth}", "--messages", 400)
    assert_recovered(res, rep, 1)
    assert rep["restarts"] == 1
    assert rep["resets"]["restarts_of_both"] == 0
    assert rep["peers"][0]["boots"] == 2 and rep["peers"][1]["boots"] == 1


@pytest.mark.timeout(120)
def test_crash_point_in_both_peers(cli, tmp_path):
    # Both armed at the same hit: the second crash lands during the recovery
    # of the first, and one recovery covers both.
    res, rep = run_json(cli, tmp_path, "--unbound", "enable", "--crash-point",
                        "pbuf_write_before_publish@50", "--messages", 400)
    assert_recovered(res, rep, 2)
    assert rep["restarts"] == 2


@pytest.mark.timeout(120)
@pytest.mark.parametrize("point", ICBMSG_POINTS + ["pbuf_write_before_publish"])
def test_icbmsg_crash_point_restarts_both(cli, tmp_path, point):
    res, rep = run_json(cli, tmp_path, "--backend", "icbmsg", "--crash-point",
                        f"remote:{point}@20", "--messages", 400)
    assert_recovered(res, rep, 1)
    # The documented recovery: the survivor is restarted too.
    assert rep["resets"]["restarts_of_both"] == 1
    assert rep["restarts"] == 2
    assert rep["blocks_in_use_at_end"] == 0


@pytest.mark.timeout(120)
def test_icbmsg_kills_restart_both_and_leave_no_block(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--backend", "icbmsg", "--kill-random", 4,
                        "--messages", 400, "--seed", 3)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    r = rep["resets"]
    assert r == {"cycles": 4, "crash_points": 0, "rebonds": 4, "overlapped": 0,
                 "restarts_of_both": 4}
    assert rep["restarts"] == 8
    assert rep["blocks_in_use_at_end"] == 0
    m = rep["messages"]
    assert m["corrupted"] == m["duplicated"] == m["reordered"] == m["lost"] == 0


@pytest.mark.parametrize("mode", ["enable", "detect"])
def test_every_kill_happens_even_in_a_short_run(cli, tmp_path, mode):
    # 20 messages end in a few milliseconds: the peers hold back their DONE
    # until the supervisor has made its last kill, so all 5 happen.
    res, rep = run_json(cli, tmp_path, "--unbound", mode, "--kill-random", 5,
                        "--messages", 20, "--seed", 11)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["crashes_injected"] == 5
    assert rep["restarts"] == 5
    r = rep["resets"]
    assert r["cycles"] == 5 and r["crash_points"] == 0
    assert r["rebonds"] + r["overlapped"] == 5
    m = rep["messages"]
    assert m["corrupted"] == m["duplicated"] == m["reordered"] == m["lost"] == 0
    assert "kills happened" not in res.stdout


@pytest.mark.timeout(60)
def test_legacy_bonding_cannot_detect_a_reset(cli, tmp_path):
    # unbound=disable: the survivor never hears of the reset.  The run says
    # so within seconds (no progress for 2 s after the reset), not after the
    # 120 s timeout.
    res, rep = run_json(cli, tmp_path, "--unbound", "disable", "--kill-random", 1,
                        "--messages", 4000, timeout=50)
    assert res.returncode == 1
    assert rep["ok"] is False
    assert rep["resets"]["cycles"] == 1 and rep["resets"]["rebonds"] == 0
    assert 'unbound "disable": 1 of 1 peer resets undetected' in rep["reason"]
    assert rep["duration_s"] < 30
    assert rep["leaks"] == {"shm_objects": 0, "processes": 0}


@pytest.mark.parametrize("value, msg", [
    ("no_such_point", "unknown crash point in 'no_such_point'"),
    ("pbuf_write_before_publish@0", "expected [host:|remote:]NAME[@N] with N >= 1"),
    ("guest:pbuf_write_before_publish", "unknown crash point"),
    ("pbuf_write_before_publish@x", "expected [host:|remote:]NAME[@N]"),
])
def test_crash_point_usage_errors(cli, value, msg):
    res = cli("run", "--crash-point", value)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and msg in lines[0], res.stderr


def test_crash_point_not_for_raw_scenarios(cli):
    res = cli("run", "--scenario", "ipm-echo", "--crash-point", "pbuf_write_before_publish")
    assert res.returncode == 2
    assert "--crash-point does not apply to --scenario ipm-echo" in res.stderr


@pytest.mark.timeout(300)
def test_stress_campaign(cli, tmp_path):
    out = tmp_path / "stress.json"
    res = cli("stress", "--cycles", 30, "--seed", 2, "--json", out, timeout=280)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    rep = json.loads(out.read_text())
    assert rep["ok"] is True and rep["cycles_per_mode"] == 30
    assert [m["mode"] for m in rep["modes"]] == ["icmsg-enable", "icmsg-detect", "icbmsg"]
    for m in rep["modes"]:
        assert m["ok"] is True, m
        assert m["cycles"] == 30 and m["rebonds"] == 30
        msg = m["messages"]
        assert msg["received"] > 0
        assert msg["corrupted"] == msg["duplicated"] == msg["reordered"] == msg["lost"] == 0
        assert m["hangs"] == 0 and m["blocks_in_use_at_end"] == 0
        assert m["failed_sessions"] == 0
        assert m["leaks"] == {"shm_objects": 0, "processes": 0}
        assert m["crashes_injected"] == 30
    assert rep["modes"][2]["restarts_of_both"] == 30
    assert rep["modes"][2]["restarts"] == 60
    # The table: a header and one PASS row per mode.
    rows = [ln for ln in res.stdout.splitlines() if ln.strip().startswith("icmsg-")
            or ln.strip().startswith("icbmsg")]
    assert len(rows) == 3 and all(r.endswith("PASS") for r in rows)
    assert "30 (100%)" in rows[0]


@pytest.mark.timeout(120)
def test_stress_legacy_mode_fails(cli, tmp_path):
    out = tmp_path / "stress.json"
    res = cli("stress", "--cycles", 1, "--modes", "icmsg-disable", "--json", out, timeout=100)
    assert res.returncode == 1
    rep = json.loads(out.read_text())
    assert rep["ok"] is False
    (m,) = rep["modes"]
    assert m["mode"] == "icmsg-disable" and m["ok"] is False
    assert m["rebonds"] == 0
    assert "peer resets undetected" in res.stdout


@pytest.mark.parametrize("args, msg", [
    (["--cycles", "0"], "--cycles wants a count 1..1000000, not '0'"),
    (["--cycles"], "--cycles needs a value"),
    (["--modes", "icmsg-enable,bogus"], "--modes wants a list of"),
    (["--frobnicate"], "unknown option '--frobnicate'"),
])
def test_stress_usage_errors(cli, args, msg):
    res = cli("stress", *args)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and msg in lines[0], res.stderr


def test_stress_help(cli):
    res = cli("help", "stress")
    assert res.returncode == 0
    for opt in ("--cycles", "--modes", "--seed", "--json", "--valgrind", "--quiet"):
        assert opt in res.stdout


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
@pytest.mark.timeout(600)
@pytest.mark.parametrize("args", [
    ["--backend", "icbmsg", "--messages", 60],
    ["--unbound", "enable", "--crash-point", "host:pbuf_write_before_publish@20",
     "--messages", 60],
    ["--backend", "icbmsg", "--crash-point", "remote:icbmsg_block_before_control@10",
     "--messages", 60],
], ids=["icbmsg", "icmsg-crash", "icbmsg-crash"])
def test_valgrind_scenarios_are_clean(cli, tmp_path, args):
    res, rep = run_json(cli, tmp_path, "--valgrind", *args, timeout=580)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["ok"] is True
    for p in rep["peers"]:
        assert p["valgrind_errors"] == 0
    if "--crash-point" in args:
        assert rep["resets"]["crash_points"] == 1
        assert rep["resets"]["rebonds"] == 1
