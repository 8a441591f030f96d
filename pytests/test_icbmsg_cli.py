"""ICBMsg through the CLI: several endpoints (each driven by its own thread on
both sides, registered in different orders), the no-copy API, the exhaustion
scenario, and the usual hygiene (valgrind, no leftovers after SIGKILL)."""
import json
import os
import shutil
import signal

import pytest

from conftest import peer_pids, shm_entries, tagged_pids, wait_for

# The default board's ICBMsg instance: tx-blocks / rx-blocks of the host.
HOST_TX_BLOCKS = 16
REMOTE_TX_BLOCKS = 24


def run_json(cli, tmp_path, *args, timeout=120):
    out = tmp_path / "report.json"
    res = cli("run", "--backend", "icbmsg", "--json", out, *args, timeout=timeout)
    assert out.exists(), f"no JSON report\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    return res, json.loads(out.read_text())


def assert_icbmsg_pass(res, rep, endpoints, messages):
    """A clean run: exact counts per endpoint, every endpoint bound on both
    sides, nothing lost, no block left allocated, nothing leaked."""
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["ok"] is True, rep["reason"]
    assert rep["backend"] == "icbmsg" and rep["instance"] == "ipc1"
    assert rep["endpoints"] == endpoints
    assert rep["messages_per_endpoint"] == messages
    m = rep["messages"]
    # Per endpoint: N/2 requests + N/2 replies + N/2 stream each way + one DONE each way.
    per_endpoint = 2 * (messages // 2) * 2 + 2
    assert m["sent"] == endpoints * per_endpoint
    assert m["received"] == m["sent"]
    for key in ("corrupted", "duplicated", "reordered", "lost", "lost_across_session"):
        assert m[key] == 0, key
    assert rep["bytes"]["received"] == rep["bytes"]["sent"] > 0
    assert rep["blocks_in_use_at_end"] == 0
    assert rep["endpoints_incomplete"] == 0
    # Each endpoint bound exactly once on each side.
    assert rep["bonds"] == endpoints and rep["unbounds"] == 0
    assert rep["leaks"] == {"shm_objects": 0, "processes": 0}
    assert [p["role"] for p in rep["peers"]] == ["host", "remote"]
    for p in rep["peers"]:
        assert p["exit_status"] == 0 and p["valgrind_errors"] == 0
        assert p["endpoints_bound"] == endpoints and p["endpoints_finished"] == endpoints
        assert p["bonds"] == endpoints
        assert p["finished"] is True
        assert p["blocks_measured"] is True and p["blocks_in_use_at_end"] == 0
        assert p["stream_received"] == endpoints * (messages // 2)
        assert p["icbmsg"]["rx_invalid"] == 0
        assert p["icbmsg"]["rx_released_unknown"] == 0
    lat = rep["latency_us"]
    assert lat["count"] == endpoints * (messages // 2)
    assert 0 < lat["p50"] <= lat["p99"] <= lat["max"]
    assert rep["throughput"]["messages_per_s"] > 0


@pytest.mark.timeout(120)
def test_four_endpoints_default_messages(cli, tmp_path):
    # The done-when: >= 10,000 checked messages per endpoint.
    res, rep = run_json(cli, tmp_path, "--endpoints", 4)
    assert_icbmsg_pass(res, rep, 4, 10000)
    assert rep["messages"]["sent"] // 4 >= 10000
    assert rep["scenario"] == "echo-stream" and rep["nocopy"] is False
    for word in ("4 endpoints", "bound 4/4", "in use at end 0", "PASS"):
        assert word in res.stdout, word


@pytest.mark.timeout(60)
def test_icbmsg_defaults_to_four_endpoints(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--messages", 200)
    assert_icbmsg_pass(res, rep, 4, 200)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("endpoints,seed", [(1, 1), (8, 1), (8, 2), (8, 3), (64, 4)])
def test_endpoint_counts(cli, tmp_path, endpoints, seed):
    # Seeds vary the remote's registration order and delays.  More than 4
    # endpoints needs a larger per-instance limit, which the CLI sets.
    messages = 2000 if endpoints <= 8 else 200
    res, rep = run_json(cli, tmp_path, "--endpoints", endpoints, "--messages", messages,
                        "--seed", seed)
    assert_icbmsg_pass(res, rep, endpoints, messages)


@pytest.mark.timeout(120)
def test_endpoint_limit(cli, tmp_path):
    # 254 = CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP's maximum, 254 threads a side.
    res, rep = run_json(cli, tmp_path, "--endpoints", 254, "--messages", 20)
    assert_icbmsg_pass(res, rep, 254, 20)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("extra", [[], ["--rx-buf-size", 3000]], ids=["small", "multiblock"])
def test_nocopy(cli, tmp_path, extra):
    endpoints, messages = 4, 4000
    res, rep = run_json(cli, tmp_path, "--nocopy", "--endpoints", endpoints, "--messages",
                        messages, *extra)
    assert_icbmsg_pass(res, rep, endpoints, messages)
    assert rep["nocopy"] is True
    stream = endpoints * (messages // 2)
    for p in rep["peers"]:
        nc = p["nocopy"]
        assert nc["sent"] == stream  # every STREAM went through send_nocopy
        assert nc["size0_requests"] > 0  # get_tx_buffer(size 0) ...
        assert nc["size0_requests"] < stream  # ... and exact sizes
        assert nc["rx_held"] > 0
        assert nc["rx_released"] == nc["rx_held"]
    if extra:
        # Messages larger than a block: a size-0 request can get a run too
        # short for the message, which is dropped and asked for exactly.
        assert sum(p["nocopy"]["dropped"] for p in rep["peers"]) > 0
    assert "nocopy" in res.stdout


@pytest.mark.timeout(120)
@pytest.mark.parametrize("endpoints", [1, 4])
def test_exhaustion(cli, tmp_path, endpoints):
    messages = 400
    # Classic: the receiver holds every block (v2 stops at MAX_ACTIVE_COUNT
    # messages in flight: pytests/test_icbmsg_v2_cli.py).
    res, rep = run_json(cli, tmp_path, "--icbmsg-version", "classic", "--scenario",
                        "exhaustion", "--endpoints", endpoints, "--messages", messages)
    assert_icbmsg_pass(res, rep, endpoints, messages)
    assert rep["scenario"] == "exhaustion"
    ex = rep["exhaustion"]
    assert ex["resumed"] is True
    assert ex["eagain"] >= 2 and ex["enomem"] >= 2
    blocks = {"host": HOST_TX_BLOCKS, "remote": REMOTE_TX_BLOCKS}
    assert [d["sender"] for d in ex["directions"]] == ["host", "remote"]
    for d in ex["directions"]:
        # The sender saw get_tx_buffer(K_MSEC(50)) -> -EAGAIN and a K_NO_WAIT
        # send -> -ENOMEM while the receiver held every one of its blocks.
        assert d["eagain"] >= 1 and d["enomem"] >= 1, d
        assert d["blocks"] == blocks[d["sender"]]
        assert d["held_blocks_max"] == d["blocks"], d
        assert d["released"] is True
        assert d["sent_after_release"] > 0
    assert "exhaustion" in res.stdout and "resumed yes" in res.stdout


@pytest.mark.timeout(60)
def test_exhaustion_needs_enough_messages(cli):
    res = cli("run", "--backend", "icbmsg", "--scenario", "exhaustion", "--messages", 40)
    assert res.returncode == 2
    assert "--messages" in res.stderr and "/ipc/ipc1" in res.stderr


@pytest.mark.timeout(120)
def test_eventfd_doorbell(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--doorbell", "eventfd", "--endpoints", 4, "--nocopy",
                        "--messages", 2000)
    assert_icbmsg_pass(res, rep, 4, 2000)
    assert rep["doorbell"] == "eventfd"


@pytest.mark.timeout(120)
def test_rx_in_isr(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--rx-in-isr", "--endpoints", 4, "--messages", 2000)
    assert_icbmsg_pass(res, rep, 4, 2000)
    assert rep["rx_in_isr"] is True
    res, rep = run_json(cli, tmp_path, "--rx-in-isr", "--scenario", "exhaustion",
                        "--messages", 200)
    assert_icbmsg_pass(res, rep, 4, 200)
    assert rep["exhaustion"]["resumed"] is True


@pytest.mark.timeout(30)
@pytest.mark.parametrize("cmd", ["run", "peer"])
@pytest.mark.parametrize("args,words", [
    (["--endpoints", "2"], ["--endpoints", "icbmsg", "one endpoint"]),
    (["--nocopy"], ["--nocopy", "icbmsg", "no-copy"]),
    (["--scenario", "exhaustion"], ["exhaustion", "icbmsg"]),
    (["--backend", "icbmsg", "--endpoints", "255"], ["--endpoints", "254"]),
    (["--backend", "icbmsg", "--endpoints", "0"], ["--endpoints"]),
    (["--backend", "icbmsg", "--scenario", "flood"], ["--scenario", "flood"]),
], ids=["icmsg-endpoints", "icmsg-nocopy", "icmsg-exhaustion", "too-many", "zero",
        "bad-scenario"])
def test_usage_errors(cli, cmd, args, words):
    extra = ["--role", "host", "--segment", cli.segment_name()] if cmd == "peer" else []
    res = cli(cmd, *extra, *args)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ipc-emu: "), res.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert res.stdout == ""


@pytest.mark.timeout(30)
def test_help_mentions_icbmsg(cli):
    res = cli("run", "--help")
    assert res.returncode == 0
    for word in ("--endpoints", "--nocopy", "--scenario", "echo-stream", "exhaustion",
                 "ipc-emu run --backend icbmsg"):
        assert word in res.stdout, word
    res = cli("--help")
    assert "--backend icbmsg" in res.stdout


@pytest.mark.timeout(120)
def test_peer_pair_by_hand(cli, tmp_path):
    seg = cli.segment_name()
    common = ["--segment", seg, "--backend", "icbmsg", "--endpoints", 6, "--nocopy",
              "--messages", 1000, "--timeout", 60]
    remote = cli.start("peer", "--role", "remote", *common)
    host = cli.start("peer", "--role", "host", "--json", tmp_path / "h.json", *common)
    h_out, h_err = host.communicate(timeout=90)
    r_out, r_err = remote.communicate(timeout=90)
    assert host.returncode == 0, h_err
    assert remote.returncode == 0, r_err
    rep = json.loads((tmp_path / "h.json").read_text())
    assert rep["ok"] is True and rep["endpoints"] == 6
    assert rep["messages"]["received"] == rep["messages"]["sent"] == 6 * (2 * 1000 + 2)
    assert rep["blocks_in_use_at_end"] == 0
    assert not shm_entries([seg])


@pytest.mark.valgrind
@pytest.mark.timeout(300)
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
def test_valgrind_run_is_clean(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--valgrind", "--endpoints", 4, "--nocopy",
                        "--messages", 200, timeout=280)
    assert_icbmsg_pass(res, rep, 4, 200)
    assert rep["valgrind"] is True


@pytest.mark.timeout(60)
def test_sigkill_of_supervisor_leaves_nothing(cli):
    p = cli.start("run", "--backend", "icbmsg", "--endpoints", 8, "--nocopy", "--messages",
                  100000000, "--quiet")
    assert wait_for(lambda: len(peer_pids(cli.tag)) == 2, 10), "peers did not start"
    # Let the lanes get going (bound, blocks in flight, buffers held).
    wait_for(lambda: False, 0.3)
    assert p.poll() is None
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert wait_for(lambda: not tagged_pids(cli.tag), 5), "peers outlived the supervisor"
    assert not shm_entries([f"ipc-emu-{p.pid}-"])
