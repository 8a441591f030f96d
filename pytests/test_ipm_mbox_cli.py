"""Raw mailbox scenarios through the CLI: ipm-echo (Zephyr's documented IPM
use, echoed from the remote's callback with wait = 1), mbox-pingpong in
signalling and data mode, the classic IPM console (--ipm-console), and the
option combinations they refuse."""
import json
import shutil
from pathlib import Path

import pytest


def run_json(cli, tmp_path, *args, timeout=60):
    out = tmp_path / "report.json"
    res = cli("run", "--json", out, *args, timeout=timeout)
    assert out.exists(), f"no JSON report\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    return res, json.loads(out.read_text())


def assert_raw_pass(res, rep, scenario, device, n):
    """Exact counts: N requests and N answers, nothing wrong, nothing leaked."""
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["ok"] is True, rep["reason"]
    assert rep["scenario"] == scenario
    assert rep["device"] == device and rep["instance"] == device
    assert rep["messages_per_endpoint"] == n
    m = rep["messages"]
    assert m["sent"] == m["received"] == 2 * n
    for key in ("corrupted", "duplicated", "reordered", "lost", "lost_across_session"):
        assert m[key] == 0, key
    host, remote = rep["peers"]
    assert host["role"] == "host" and remote["role"] == "remote"
    for p in (host, remote):
        assert p["sent"] == p["received"] == n
        assert p["exit_status"] == 0 and p["valgrind_errors"] == 0
        assert p["finished"] is True
    assert rep["round_trips"] == n and rep["timeouts"] == 0
    lat = rep["latency_us"]
    assert lat["count"] == n
    assert 0 < lat["p50"] <= lat["p99"] <= lat["max"]
    assert rep["round_trips_per_s"] > 0 and rep["throughput"]["messages_per_s"] > 0
    assert rep["leaks"] == {"shm_objects": 0, "processes": 0}
    assert rep["hang"] is False


@pytest.mark.timeout(60)
def test_ipm_echo_exact_counts(cli, tmp_path):
    n = 20000
    res, rep = run_json(cli, tmp_path, "--scenario", "ipm-echo", "--messages", n)
    assert_raw_pass(res, rep, "ipm-echo", "ipm0", n)
    assert rep["backend"] == "ipm"
    assert rep["bytes"]["sent"] == rep["bytes"]["received"] == 2 * 4 * n
    assert rep["ipm_console"] is False
    assert "PASS" in res.stdout and "round trips/s" in res.stdout


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode,device,size", [("signal", "mbox_consumer", 0),
                                              ("data", "mbox_data_consumer", 16)])
def test_mbox_pingpong(cli, tmp_path, mode, device, size):
    n = 10000
    res, rep = run_json(cli, tmp_path, "--scenario", "mbox-pingpong", "--mbox-mode", mode,
                        "--messages", n)
    assert_raw_pass(res, rep, "mbox-pingpong", device, n)
    assert rep["backend"] == "mbox"
    assert rep["mbox_mode"] == mode and rep["message_size"] == size
    assert rep["bytes"]["sent"] == rep["bytes"]["received"] == 2 * size * n


@pytest.mark.timeout(60)
@pytest.mark.parametrize("scenario", ["ipm-echo", "mbox-pingpong"])
def test_eventfd_doorbell(cli, tmp_path, scenario):
    n = 5000
    res, rep = run_json(cli, tmp_path, "--scenario", scenario, "--doorbell", "eventfd",
                        "--messages", n)
    assert_raw_pass(res, rep, scenario, "ipm0" if scenario == "ipm-echo" else "mbox_consumer", n)
    assert rep["doorbell"] == "eventfd"


def console_lines(stdout):
    return [line for line in stdout.splitlines() if line.startswith("remote: ")]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("args", [
    ("--scenario", "ipm-echo", "--messages", 3000),            # shares ipm0 with the echo
    ("--scenario", "mbox-pingpong", "--mbox-mode", "data", "--messages", 3000),
    ("--messages", 1000),                                      # echo-stream, icmsg
    ("--backend", "icbmsg", "--endpoints", 2, "--messages", 1000),
])
def test_ipm_console_lines(cli, tmp_path, args):
    res, rep = run_json(cli, tmp_path, "--ipm-console", *args)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    lines = console_lines(res.stdout)
    assert len(lines) == 2, res.stdout
    assert lines[0].startswith("remote: ") and (" on " in lines[0])
    assert lines[1].endswith("messages checked: 0 corrupted, 0 lost, 0 duplicated")
    assert "\r" not in res.stdout  # '\r' is never sent
    # The lines come before the supervisor's summary.
    assert res.stdout.index(lines[1]) < res.stdout.index("result")
    con = rep["console"]
    assert rep["ipm_console"] is True
    assert con["lines_printed"] == con["lines_sent"] == 2 and con["dropped"] == 0
    # One IPM message per character, newline included, '\r' excluded.
    assert con["chars_sent"] == sum(len(l) - len("remote: ") + 1 for l in lines)


@pytest.mark.timeout(30)
def test_ipm_console_quiet_still_prints(cli):
    res = cli("run", "--scenario", "ipm-echo", "--messages", 500, "--ipm-console", "--quiet",
              timeout=30)
    assert res.returncode == 0, res.stderr
    assert len(console_lines(res.stdout)) == 2
    assert "result" not in res.stdout


@pytest.mark.timeout(30)
def test_ipm_console_refuses_small_id_range(cli, tmp_path):
    src = Path(__file__).resolve().parent.parent / "examples" / "nrf5340dk_cpuapp.dts"
    dts = tmp_path / "lowid.dts"
    text = src.read_text()
    assert "max-id = <0xffffffff>;" in text
    dts.write_text(text.replace("max-id = <0xffffffff>;", "max-id = <0x7f>;"))
    res = cli("run", "--dts", dts, "--ipm-console", "--messages", 100, timeout=30)
    assert res.returncode == 2
    assert "--ipm-console" in res.stderr and "below 0xff" in res.stderr
    assert not console_lines(res.stdout)
    # Without the console the same board runs ipm-echo (ids modulo the range).
    res = cli("run", "--dts", dts, "--scenario", "ipm-echo", "--messages", 500, timeout=30)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args,needle", [
    (("--scenario", "ipm-echo", "--mbox-mode", "data"), "--mbox-mode"),
    (("--mbox-mode", "signal"), "--mbox-mode"),
    (("--scenario", "ipm-echo", "--nocopy"), "--nocopy"),
    (("--scenario", "mbox-pingpong", "--backend", "icbmsg"), "--backend"),
    (("--scenario", "ipm-echo", "--endpoints", 2), "--endpoints"),
    (("--scenario", "ipm-echo", "--unbound", "enable"), "--unbound"),
    (("--scenario", "mbox-pingpong", "--kill-random", 1), "--kill-random"),
    (("--scenario", "mbox-pingpong", "--mbox-mode", "both"), "--mbox-mode"),
    (("--scenario", "ipm-pingpong"), "--scenario"),
    (("--ipm-console", "--unbound", "enable", "--kill-random", 1), "--ipm-console"),
])
def test_invalid_combinations_exit_2(cli, args, needle):
    res = cli("run", *args, timeout=30)
    assert res.returncode == 2, res.stdout + res.stderr
    assert needle in res.stderr
    assert res.stdout == ""


@pytest.mark.timeout(30)
def test_help_lists_scenarios(cli):
    res = cli("run", "--help", timeout=30)
    assert res.returncode == 0
    for word in ("echo-stream", "exhaustion", "ipm-echo", "mbox-pingpong", "--mbox-mode",
                 "--ipm-console", "100000"):
        assert word in res.stdout, word
    res = cli("--help", timeout=30)
    assert "--scenario ipm-echo" in res.stdout


@pytest.mark.timeout(120)
@pytest.mark.valgrind
def test_ipm_echo_valgrind(cli, tmp_path):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    n = 300
    res, rep = run_json(cli, tmp_path, "--scenario", "ipm-echo", "--messages", n, "--valgrind",
                        "--ipm-console", timeout=110)
    assert_raw_pass(res, rep, "ipm-echo", "ipm0", n)
    assert rep["valgrind"] is True
    assert [p["valgrind_errors"] for p in rep["peers"]] == [0, 0]
    assert len(console_lines(res.stdout)) == 2
