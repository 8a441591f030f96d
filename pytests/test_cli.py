"""Scenarios driving the ipc-emu CLI end to end (run, peer, errors, leaks)."""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import peer_pids, shm_entries, tagged_pids, wait_for

# The JSON report's fields, as architecture.md fixes them (more may be added).
SCHEMA = {
    "ok": bool,
    "scenario": str,
    "backend": str,
    "unbound": str,
    "messages": {"sent": int, "received": int, "corrupted": int, "duplicated": int,
                 "reordered": int, "lost": int},
    "bytes": {"sent": int, "received": int},
    "bonds": int,
    "unbounds": int,
    "crashes_injected": int,
    "restarts": int,
    "latency_us": {"p50": float, "p99": float, "max": float},
    "throughput": {"messages_per_s": float, "bytes_per_s": float},
    "blocks_in_use_at_end": int,
    "peers": list,
    "leaks": {"shm_objects": int, "processes": int},
}
PEER_SCHEMA = {"role": str, "exit_status": int, "valgrind_errors": int}


def check_schema(obj, schema, where="report"):
    for key, typ in schema.items():
        assert key in obj, f"{where}: missing field {key!r}"
        if isinstance(typ, dict):
            assert isinstance(obj[key], dict), f"{where}.{key} is not an object"
            check_schema(obj[key], typ, f"{where}.{key}")
        elif typ is float:
            assert isinstance(obj[key], (int, float)) and not isinstance(obj[key], bool), \
                f"{where}.{key} is not a number"
        elif typ is int:
            assert isinstance(obj[key], int) and not isinstance(obj[key], bool), \
                f"{where}.{key} is not an integer"
        else:
            assert isinstance(obj[key], typ), f"{where}.{key} is not {typ.__name__}"


def run_json(cli, tmp_path, *args, timeout=120):
    out = tmp_path / "report.json"
    res = cli("run", "--json", out, *args, timeout=timeout)
    assert out.exists(), f"no JSON report\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    return res, json.loads(out.read_text())


def assert_clean_pass(res, rep, messages):
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["ok"] is True
    m = rep["messages"]
    # N/2 requests + N/2 replies + N/2 stream each way + one DONE each way.
    assert m["sent"] == 2 * messages + 2
    assert m["received"] == m["sent"]
    assert m["corrupted"] == 0
    assert m["duplicated"] == 0
    assert m["reordered"] == 0
    assert m["lost"] == 0
    assert rep["bytes"]["received"] == rep["bytes"]["sent"] > 0
    assert rep["crashes_injected"] == 0 and rep["restarts"] == 0
    assert rep["bonds"] == 1 and rep["unbounds"] == 0
    assert rep["leaks"] == {"shm_objects": 0, "processes": 0}
    assert [p["role"] for p in rep["peers"]] == ["host", "remote"]
    for p in rep["peers"]:
        assert p["exit_status"] == 0
        assert p["valgrind_errors"] == 0
    lat = rep["latency_us"]
    assert 0 < lat["p50"] <= lat["p99"] <= lat["max"]
    assert rep["throughput"]["messages_per_s"] > 0


@pytest.mark.timeout(120)
def test_default_run_passes(cli, tmp_path):
    # No --messages: the default exchanges >= 10,000 checked messages.
    res, rep = run_json(cli, tmp_path)
    assert_clean_pass(res, rep, 10000)
    assert rep["messages"]["received"] >= 10000
    assert rep["backend"] == "icmsg"
    assert rep["unbound"] == "disable"  # the default board's ipc0
    assert "PASS" in res.stdout
    for word in ("sent", "received", "corrupted", "duplicated", "reordered", "lost", "p50",
                 "p99", "msg/s"):
        assert word in res.stdout


@pytest.mark.timeout(120)
def test_eventfd_doorbell(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--doorbell", "eventfd", "--messages", 2000)
    assert_clean_pass(res, rep, 2000)
    assert rep["doorbell"] == "eventfd"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["enable", "detect", "disable"])
def test_unbound_modes(cli, tmp_path, mode):
    res, rep = run_json(cli, tmp_path, "--unbound", mode, "--messages", 2000)
    assert_clean_pass(res, rep, 2000)
    assert rep["unbound"] == mode


@pytest.mark.timeout(120)
def test_rx_in_isr(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--rx-in-isr", "--messages", 2000)
    assert_clean_pass(res, rep, 2000)
    assert rep["rx_in_isr"] is True


@pytest.mark.timeout(120)
def test_small_rx_buffer_and_odd_count(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--rx-buf-size", 16, "--messages", 301, "--seed", 9)
    # 301 messages: 150 round trips, 150 stream messages each way.
    assert res.returncode == 0, res.stderr
    assert rep["messages"]["sent"] == 4 * 150 + 2
    assert rep["bytes"]["sent"] == 16 * rep["messages"]["sent"]


@pytest.mark.timeout(120)
def test_icbmsg_backend(cli, tmp_path):
    # One endpoint: the counts of an ICMsg run.  (Several endpoints, the
    # default for icbmsg, are covered by test_icbmsg_cli.py.)
    res, rep = run_json(cli, tmp_path, "--backend", "icbmsg", "--endpoints", 1,
                        "--messages", 2000)
    assert_clean_pass(res, rep, 2000)
    assert rep["backend"] == "icbmsg" and rep["instance"] == "ipc1"
    assert rep["endpoints"] == 1 and rep["blocks_in_use_at_end"] == 0


@pytest.mark.timeout(60)
def test_icbmsg_has_no_unbound_modes(cli):
    res = cli("run", "--backend", "icbmsg", "--unbound", "enable")
    assert res.returncode == 2
    assert "/ipc/ipc1" in res.stderr


EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


@pytest.mark.timeout(120)
def test_dts_pair_and_mirror(cli, tmp_path):
    app = os.path.join(EXAMPLES, "nrf5340dk_cpuapp.dts")
    net = os.path.join(EXAMPLES, "nrf5340dk_cpunet.dts")
    if not (os.path.exists(app) and os.path.exists(net)):
        pytest.skip("examples/nrf5340dk_cpu{app,net}.dts not present")
    res, rep = run_json(cli, tmp_path, "--dts", f"{app},{net}", "--messages", 1000)
    assert_clean_pass(res, rep, 1000)
    res, rep = run_json(cli, tmp_path, "--dts", app, "--instance", "ipc0", "--messages", 1000)
    assert_clean_pass(res, rep, 1000)
    # The same file on both sides is not a pair: regions are not swapped.
    res = cli("run", "--dts", f"{net},{net}")
    assert res.returncode == 2
    assert "/ipc/ipc0" in res.stderr


@pytest.mark.timeout(120)
def test_json_schema(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--messages", 200)
    assert res.returncode == 0, res.stderr
    check_schema(rep, SCHEMA)
    assert len(rep["peers"]) == 2
    for p in rep["peers"]:
        check_schema(p, PEER_SCHEMA, "peers[]")
    assert rep["scenario"] and rep["blocks_in_use_at_end"] == 0


@pytest.mark.timeout(180)
@pytest.mark.parametrize("mode", ["enable", "detect"])
def test_kill_random_with_sessions_passes(cli, tmp_path, mode):
    # 20000 messages: the stream phase must last long enough for the last kill.
    res, rep = run_json(cli, tmp_path, "--unbound", mode, "--kill-random", 3, "--seed", 5,
                        "--messages", 20000)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["ok"] is True
    assert rep["crashes_injected"] == 3
    assert rep["restarts"] == 3
    m = rep["messages"]
    assert m["corrupted"] == m["duplicated"] == m["reordered"] == m["lost"] == 0
    # Every kill makes both sides re-bond: each saw the first bond plus 3.
    assert rep["bonds"] >= 4
    for p in rep["peers"]:
        assert p["bonds"] >= 4, p
        assert p["exit_status"] == 0
    assert sum(p["boots"] for p in rep["peers"]) == 2 + 3
    assert rep["leaks"] == {"shm_objects": 0, "processes": 0}


@pytest.mark.timeout(60)
def test_kill_without_sessions_is_reported(cli, tmp_path):
    # unbound=disable cannot detect a peer reset: the run must fail (hang or
    # lost messages), report it, and still clean up.
    res, rep = run_json(cli, tmp_path, "--unbound", "disable", "--kill-random", 1, "--seed", 1,
                        "--messages", 20000, "--timeout", 5, timeout=50)
    assert res.returncode == 1, res.stderr
    assert rep["ok"] is False
    assert rep["crashes_injected"] == 1 and rep["restarts"] == 1
    assert rep["reason"]
    assert "FAIL" in res.stdout
    assert rep["leaks"] == {"shm_objects": 0, "processes": 0}


@pytest.mark.timeout(60)
def test_hang_is_reported(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--messages", 100000000, "--timeout", 0.5, timeout=50)
    assert res.returncode == 1
    assert rep["ok"] is False and rep["hang"] is True
    assert "hang" in rep["reason"]


DANGLING_DTS = """/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	reserved-memory {
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;
		sram_rx: memory@20074000 { reg = <0x20074000 0x4000>; };
	};
	mbox: mbox { #mbox-cells = <1>; };
	ipc {
		ipc0: ipc0 {
			compatible = "zephyr,ipc-icmsg";
			tx-region = <TX>;
			rx-region = <&sram_rx>;
			mboxes = <&mbox 0>, <&mbox 1>;
			mbox-names = "tx", "rx";
		};
	};
};
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("tx", ["&sram_tx", "0x77"], ids=["label", "phandle"])
def test_bad_dts_names_the_node(cli, tmp_path, tx):
    dts = tmp_path / "bad.dts"
    dts.write_text(DANGLING_DTS.replace("TX", tx))
    res = cli("run", "--dts", dts)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("ipc-emu: ")
    assert "/ipc/ipc0" in lines[0]
    assert res.stdout == ""


@pytest.mark.timeout(60)
def test_missing_dts_file(cli, tmp_path):
    res = cli("run", "--dts", tmp_path / "nope.dts")
    assert res.returncode == 2
    assert "nope.dts" in res.stderr


@pytest.mark.timeout(60)
def test_unknown_instance(cli):
    res = cli("run", "--instance", "ipc9")
    assert res.returncode == 2
    assert "ipc9" in res.stderr


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args", [
    ["run", "--no-such-flag"],
    ["run", "--messages", "lots"],
    ["run", "--unbound", "sometimes"],
    ["run", "--doorbell"],
    ["run", "stray"],
    ["peer", "--segment", "x"],
    ["frobnicate"],
])
def test_usage_errors(cli, args):
    res = cli(*args)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ipc-emu: "), res.stderr
    assert "--help" in lines[0]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("role", ["host", "remote", "any"])
@pytest.mark.parametrize("extra", [[], ["--kill-random", "0"]], ids=["none", "zero"])
def test_kill_role_needs_kill_random(cli, role, extra):
    res = cli("run", "--kill-role", role, *extra)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == ("ipc-emu: run: --kill-role picks the peer that --kill-random K "
                          "kills: it needs --kill-random K (K >= 1) (see 'ipc-emu run --help')\n")


@pytest.mark.timeout(30)
def test_help_and_version(cli):
    res = cli("--version")
    assert res.returncode == 0 and res.stdout.startswith("ipc-emu ")
    for args in (["--help"], ["help", "run"], ["run", "--help"], ["peer", "--help"],
                 ["help", "peer"]):
        res = cli(*args)
        assert res.returncode == 0, args
        assert "usage: ipc-emu" in res.stdout
    res = cli("run", "--help")
    for opt in ("--dts", "--backend", "--instance", "--unbound", "--messages", "--json",
                "--doorbell", "--valgrind", "--rx-in-isr", "--rx-buf-size", "--seed",
                "--kill-random", "--timeout", "--quiet", "--endpoints", "--nocopy",
                "--scenario", "--mem-limit", "--kill-role"):
        assert opt in res.stdout, opt
    assert "default" in res.stdout and "examples:" in res.stdout


def _help_commands():
    """The commands `ipc-emu help X` accepts, read from cli/main.c's dispatch."""
    import re
    src = (Path(__file__).resolve().parent.parent / "cli" / "main.c").read_text()
    return re.findall(r'strcmp\(what, "([a-z-]+)"\) == 0', src)


@pytest.mark.timeout(60)
def test_help_lists_every_command(cli):
    cmds = _help_commands()
    assert "zephyr-config" in cmds and "zephyr-build" in cmds and len(cmds) >= 9, cmds
    main = cli("--help")
    assert main.returncode == 0
    listed = [line.split()[0] for line in
              main.stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
              if not line.startswith("   ")]  # a deeper indent continues the line above
    for cmd in cmds:
        assert cmd in listed, f"'{cmd}' is missing from ipc-emu --help"
        res = cli("help", cmd)
        assert res.returncode == 0, cmd
        assert res.stdout.startswith(f"usage: ipc-emu {cmd}"), cmd
    assert sorted(set(listed) - {"help"}) == sorted(cmds)
    res = cli("help", "frobnicate")
    assert res.returncode == 2
    assert res.stderr == "ipc-emu: help: unknown command 'frobnicate' (see 'ipc-emu --help')\n"


DTS_DIR = Path(__file__).resolve().parent.parent / "tests" / "dts"


@pytest.mark.timeout(90)
def test_run_mem_limit(cli):
    # two small regions 512 MiB apart: a 0x1ff91000-byte memory image
    f = DTS_DIR / "bad_image_too_big.dts"
    head = (f"ipc-emu: {f}: /ipc/ipc0: rx-region: /reserved-memory/memory@40000000 ends at "
            "0x40001000: the memory image from 0x20070000 (lowest region) would be 0x1ff91000 "
            "bytes, above the memory limit of ")
    res = cli("run", "--dts", f, "--messages", 100, "--quiet")
    assert res.returncode == 2
    assert res.stderr == head + "0x10000000 (256 MiB)\n"
    res = cli("run", "--dts", f, "--messages", 100, "--quiet", "--mem-limit", 511)
    assert res.returncode == 2
    assert res.stderr == head + "0x1ff00000 (511 MiB)\n"
    # the peers read the tree with the same limit (else they would refuse it)
    res = cli("run", "--dts", f, "--messages", 100, "--quiet", "--mem-limit=512")
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""


@pytest.mark.timeout(30)
@pytest.mark.parametrize("value", ["0", "4096", "x", "-1"])
def test_run_mem_limit_range(cli, value):
    res = cli("run", "--mem-limit", value)
    assert res.returncode == 2
    assert res.stderr == (f"ipc-emu: run: --mem-limit: '{value}' is not a number of MiB in "
                          "1..4095 (see 'ipc-emu run --help')\n")


@pytest.mark.timeout(30)
def test_run_mem_limit_above_default_refused_for_user_programs(cli):
    res = cli("run", "--host", "/bin/true", "--remote", "/bin/true", "--mem-limit", 257)
    assert res.returncode == 2
    assert res.stderr == ("ipc-emu: run: --mem-limit 257: user programs (--host/--remote, "
                          "--zephyr-base) read the devicetree with the default limit, 256 MiB "
                          "(see 'ipc-emu run --help')\n")


@pytest.mark.timeout(60)
def test_run_prints_reader_warnings(cli):
    f = DTS_DIR / "warn_compat_typo.dts"
    res = cli("run", "--dts", f, "--messages", 100, "--quiet")
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert res.stderr == (
        f"ipc-emu: warning: {f}: /ipc/ipc1: compatible: \"zephyr,ipc-icmsgX\" is not "
        "zephyr,ipc-icmsg or zephyr,ipc-icbmsg, but the node has tx-region/rx-region: not read "
        "as an instance (read as an MBOX consumer)\n")


@pytest.mark.timeout(60)
def test_sigkill_of_supervisor_leaves_nothing(cli):
    p = cli.start("run", "--messages", 100000000, "--quiet")
    assert wait_for(lambda: len(peer_pids(cli.tag)) == 2, 10), "peers did not start"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert wait_for(lambda: not tagged_pids(cli.tag), 5), "peers outlived the supervisor"
    assert not shm_entries([f"ipc-emu-{p.pid}-"])


@pytest.mark.timeout(60)
def test_sigterm_kills_peers(cli, tmp_path):
    out = tmp_path / "r.json"
    p = cli.start("run", "--messages", 100000000, "--json", out)
    assert wait_for(lambda: len(peer_pids(cli.tag)) == 2, 10), "peers did not start"
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=20)
    assert p.returncode == 128 + signal.SIGTERM
    assert not peer_pids(cli.tag)
    rep = json.loads(out.read_text())
    assert rep["ok"] is False and "interrupted" in rep["reason"]


def test_user_programs_run_without_address_randomization(cli, tmp_path):
    """A program's heap would otherwise start anywhere in the 1 GiB above a
    non-PIE binary, now and then on the memory image's devicetree address
    (0x20070000 on the default board), where a Zephyr-stack program must
    map it: programs run with ADDR_NO_RANDOMIZE (0x0040000), as on a
    target."""
    prog = tmp_path / "persona.sh"
    prog.write_text("#!/bin/sh\ncat /proc/self/personality\n")
    prog.chmod(0o755)
    r = cli("run", "--host", prog, "--remote", prog, "--timeout", "20")
    assert r.returncode == 0, r.stderr
    assert [ln for ln in r.stdout.splitlines() if not ln.startswith(("ipc-emu", " "))] == [
        "00040000", "00040000"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["disable", "enable"])
def test_peer_pair_by_hand(cli, tmp_path, mode):
    seg = cli.segment_name()
    common = ["--segment", seg, "--messages", 2000, "--unbound", mode, "--timeout", 60]
    # The remote first: it must wait for the host to create the segment.
    remote = cli.start("peer", "--role", "remote", *common)
    time.sleep(0.2)
    host = cli.start("peer", "--role", "host", "--json", tmp_path / "host.json", *common)
    h_out, h_err = host.communicate(timeout=90)
    r_out, r_err = remote.communicate(timeout=90)
    assert host.returncode == 0, h_err
    assert remote.returncode == 0, r_err
    rep = json.loads((tmp_path / "host.json").read_text())
    assert rep["ok"] is True
    assert rep["messages"]["received"] == rep["messages"]["sent"] == 2 * 2000 + 2
    assert rep["messages"]["lost"] == 0
    assert "PASS" in h_out and "PASS" in r_out
    assert not shm_entries([seg])


@pytest.mark.timeout(120)
def test_peer_host_restart_by_hand(cli, tmp_path):
    """SIGKILL the host of a hand-started pair and start it again: it attaches
    to the segment left behind, resumes, and removes it at the end."""
    seg = cli.segment_name()
    common = ["--segment", seg, "--messages", 100000, "--unbound", "enable", "--timeout", 90]
    host = cli.start("peer", "--role", "host", "--quiet", *common)
    remote = cli.start("peer", "--role", "remote", *common)
    time.sleep(0.5)
    assert host.poll() is None, "the run ended before the kill"
    host.kill()
    host.wait()
    host2 = cli.start("peer", "--role", "host", "--json", tmp_path / "h.json", *common)
    h_out, h_err = host2.communicate(timeout=100)
    r_out, r_err = remote.communicate(timeout=100)
    assert host2.returncode == 0, h_err
    assert remote.returncode == 0, r_err
    rep = json.loads((tmp_path / "h.json").read_text())
    assert rep["ok"] is True
    assert rep["messages"]["lost"] == rep["messages"]["duplicated"] == 0
    assert rep["peers"][0]["boots"] == 2 and rep["peers"][1]["boots"] == 1
    assert rep["peers"][1]["bonds"] >= 2
    assert not shm_entries([seg])


@pytest.mark.timeout(60)
def test_peer_remote_gives_up_without_host(cli):
    seg = cli.segment_name()
    res = cli("peer", "--role", "remote", "--segment", seg, "--timeout", 0.5)
    assert res.returncode == 1
    assert seg in res.stderr


@pytest.mark.timeout(60)
def test_peer_eventfd_by_name_is_refused(cli):
    res = cli("peer", "--role", "host", "--segment", cli.segment_name(), "--doorbell",
              "eventfd")
    assert res.returncode == 2


@pytest.mark.timeout(600)
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
def test_valgrind_run_is_clean(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--valgrind", "--messages", 200, timeout=580)
    assert_clean_pass(res, rep, 200)
    assert rep["valgrind"] is True
