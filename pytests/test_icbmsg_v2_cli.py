"""ICBMsg v2 through the CLI: --icbmsg-version / --max-active-count and the
ipc-emu,icbmsg-version devicetree property (exact exit codes and lines), the
scenarios on v2 (multi-endpoint no-copy, exhaustion, priorities, kills, crash
points, cache model) with nothing corrupted, duplicated or left allocated, a
v2 peer across a classic one or one with another MAX_ACTIVE_COUNT (one line),
and check's output."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_DTS = ROOT / "examples" / "icbmsg_v2_max.dts"
CI_TREE = ROOT / "tests" / "zephyr_style" / "tree"
HELP = " (see 'ipc-emu run --help')\n"


def run_json(cli, tmp_path, *args, timeout=60):
    out = tmp_path / "report.json"
    res = cli("run", "--backend", "icbmsg", "--json", out, *args, timeout=timeout)
    assert out.exists(), f"no JSON report\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    return res, json.loads(out.read_text())


def assert_clean(res, rep, version="v2"):
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["ok"] is True, rep["reason"]
    assert rep["icbmsg_version"] == version
    m = rep["messages"]
    assert m["sent"] == m["received"] > 0
    for key in ("corrupted", "duplicated", "reordered", "lost"):
        assert m[key] == 0, key
    assert rep["blocks_in_use_at_end"] == 0


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args,line", [
    (["--backend", "icbmsg", "--icbmsg-version", "v3"],
     "--icbmsg-version wants classic or v2, not 'v3'"),
    (["--backend", "icbmsg", "--max-active-count", "15"],
     "--max-active-count wants 16..128 (CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT), "
     "not '15'"),
    (["--backend", "icbmsg", "--max-active-count", "129"],
     "--max-active-count wants 16..128 (CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT), "
     "not '129'"),
    (["--backend", "icbmsg", "--icbmsg-version", "classic", "--max-active-count", "32"],
     "--max-active-count applies to ICBMsg v2 (classic ICBMsg has no queues)"),
    (["--icbmsg-version", "v2"],
     "--icbmsg-version needs --backend icbmsg (the scenario runs on an ICMsg instance)"),
    (["--scenario", "ipm-echo", "--icbmsg-version", "v2"],
     "--icbmsg-version does not apply to --scenario ipm-echo (it runs on a raw mailbox "
     "device, no ipc_service instance)"),
    (["--scenario", "priorities"],
     "--scenario priorities needs --backend icbmsg (ICBMsg v2): ICMsg has no endpoint "
     "priorities"),
    (["--backend", "icbmsg", "--icbmsg-version", "v2", "--crash-point",
      "icbmsg_block_before_control"],
     "--crash-point icbmsg_block_before_control: a point of classic ICBMsg's stack (ICMsg "
     "control channel, blocks), which --icbmsg-version v2 never reaches"),
    (["--backend", "icbmsg", "--icbmsg-version", "classic", "--crash-point",
      "icbmsg_v2_before_produce"],
     "--crash-point icbmsg_v2_before_produce: a point of ICBMsg v2, which --icbmsg-version "
     "classic never reaches"),
])
def test_usage_errors(cli, args, line):
    res = cli("run", *args)
    assert res.returncode == 2
    assert res.stderr == "ipc-emu: run: " + line + HELP
    assert res.stdout == ""


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args,line", [
    (["--icbmsg-version", "classic"],
     "<default board: host>: /ipc/ipc1: --scenario priorities needs ICBMsg v2; classic "
     "ICBMsg has no endpoint priorities"),
    (["--endpoints", "1"],
     "--scenario priorities needs --endpoints >= 2 (even endpoints send with prio 0, odd "
     "ones with prio 1), not 1"),
])
def test_priorities_config_errors(cli, args, line):
    res = cli("run", "--backend", "icbmsg", "--scenario", "priorities", *args)
    assert res.returncode == 2
    assert res.stderr == "ipc-emu: " + line + "\n"


def variant(tmp_path, old, new, name="v.dts"):
    text = MAX_DTS.read_text()
    assert old in text
    p = tmp_path / name
    p.write_text(text.replace(old, new))
    return p


@pytest.mark.timeout(30)
def test_devicetree_property_errors(cli, tmp_path):
    bad = variant(tmp_path, 'ipc-emu,icbmsg-version = "v2";', 'ipc-emu,icbmsg-version = "v9";')
    res = cli("check", bad)
    assert res.returncode == 2
    assert f'/ipc/ipc1: ipc-emu,icbmsg-version: "v9" is not one of "classic", "v2"' \
        in res.stderr
    many = variant(tmp_path, "tx-blocks = <32>;", "tx-blocks = <33>;", "m.dts")
    res = cli("check", many)
    assert res.returncode == 2
    assert ('/ipc/ipc1: tx-blocks: 33 is above 32, the most ICBMsg v2 '
            '(ipc-emu,icbmsg-version = "v2") allows') in res.stderr
    # Without the property, 33 blocks are classic-valid: run (default v2) refuses.
    noprop = variant(tmp_path, 'ipc-emu,icbmsg-version = "v2";\n', "", "n.dts")
    noprop.write_text(noprop.read_text().replace("tx-blocks = <32>;", "tx-blocks = <33>;"))
    res = cli("run", "--dts", noprop, "--backend", "icbmsg", "--messages", "10")
    assert res.returncode == 2
    assert res.stderr == (f"ipc-emu: {noprop}: /ipc/ipc1: tx-blocks: 33 blocks, ICBMsg v2 "
                          "allows at most 32 (--icbmsg-version classic allows 256)\n")


@pytest.mark.timeout(30)
def test_check_prints_the_version(cli, tmp_path):
    res = cli("check", MAX_DTS)
    assert res.returncode == 0, res.stderr
    assert ("dcache-alignment 8, icbmsg-version v2 (ipc-emu,icbmsg-version), tx-blocks 32 x "
            "4216 bytes, rx-blocks 32 x 4216 bytes, queues 2 x 24 bytes (MAX_ACTIVE_COUNT 16)"
            ) in res.stdout
    classic = variant(tmp_path, '"v2";', '"classic";')
    res = cli("check", classic)
    assert res.returncode == 0, res.stderr
    assert "icbmsg-version classic, tx-blocks 32 x" in res.stdout
    # A pair whose versions differ (the remote's regions and counts swapped).
    text = classic.read_text().replace("memory@20000000", "memory@X").replace(
        "memory@20021000", "memory@20000000").replace("memory@X", "memory@20021000")
    text = text.replace("reg = <0x20000000 0x21000>", "reg = <0xY 0x21000>").replace(
        "reg = <0x20021000 0x21000>", "reg = <0x20000000 0x21000>").replace(
        "0xY", "0x20021000").replace("<&mbox 2>, <&mbox 3>", "<&mbox 3>, <&mbox 2>")
    remote = tmp_path / "remote.dts"
    remote.write_text(text)
    res = cli("check", MAX_DTS, remote)
    assert res.returncode == 2
    assert res.stderr == (f"ipc-emu: check: {remote}: /ipc/ipc1: ipc-emu,icbmsg-version: "
                          f"\"classic\" differs from {MAX_DTS} /ipc/ipc1 (\"v2\"): a classic "
                          "ICBMsg instance cannot talk to a v2 one\n")


@pytest.mark.timeout(60)
def test_default_is_v2_multi_endpoint_nocopy(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--endpoints", "8", "--nocopy", "--messages", "400")
    assert_clean(res, rep)
    assert rep["endpoints"] == 8


@pytest.mark.timeout(60)
def test_classic_still_selectable(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--icbmsg-version", "classic", "--messages", "200")
    assert_clean(res, rep, "classic")


@pytest.mark.timeout(60)
def test_exhaustion_on_v2(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--scenario", "exhaustion", "--messages", "200")
    assert_clean(res, rep)
    ex = rep["exhaustion"]
    assert ex["resumed"] is True
    for d in ex["directions"]:
        assert d["eagain"] >= 1 and d["enomem"] >= 1, d
        # v2 stops at MAX_ACTIVE_COUNT (16) messages in flight.
        assert 1 <= d["held_blocks_max"] <= d["blocks"], d


@pytest.mark.timeout(60)
def test_priorities(cli, tmp_path):
    res, rep = run_json(cli, tmp_path, "--scenario", "priorities", "--messages", "400")
    assert_clean(res, rep)
    p = rep["priorities"]
    # 4 endpoints, 2 per priority; each receives 400 + 1 (DONE) per endpoint and side.
    assert p == {"prio0_received": 2 * 2 * 401, "prio1_received": 2 * 2 * 401}
    assert "priorities  received on prio 0 endpoints 1604, on prio 1 1604" in res.stdout


@pytest.mark.timeout(60)
@pytest.mark.parametrize("args", [
    ["--max-active-count", "32", "--nocopy"],
    ["--cache-model"],
    ["--dts", str(MAX_DTS), "--nocopy", "--rx-buf-size", "8192"],
])
def test_v2_runs(cli, tmp_path, args):
    res, rep = run_json(cli, tmp_path, "--messages", "300", *args)
    assert_clean(res, rep)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("nocopy", [["--nocopy"], []], ids=["nocopy", "copy"])
def test_v2_cache_model_seeds(cli, tmp_path, nocopy):
    # Queue count and slots lie in different cache lines: each side must
    # publish a slot before the count that covers it (src/icbmsg_v2.c
    # queue_publish()); a whole-queue flush let the peer see a new count
    # beside a stale slot (lost, duplicated, reordered messages, blocks left
    # in use).  Random evictions differ per seed.
    for seed in range(1, 31):
        res, rep = run_json(cli, tmp_path, "--icbmsg-version", "v2", "--messages", "300",
                            "--cache-model", "--seed", str(seed), *nocopy)
        assert_clean(res, rep)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("args,cycles", [
    (["--kill-random", "2", "--seed", "3"], 2),
    (["--crash-point", "remote:icbmsg_v2_before_doorbell@30"], 1),
    (["--crash-point", "host:icbmsg_v2_rx_before_consume@30"], 1),
])
def test_v2_resets_restart_both(cli, tmp_path, args, cycles):
    # v2 has no reset protocol: the supervisor restarts both cores with the
    # regions cleared (a system reset); messages of a killed epoch may be lost.
    res, rep = run_json(cli, tmp_path, "--messages", "300", *args)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert rep["icbmsg_version"] == "v2"
    assert rep["resets"]["cycles"] == cycles
    assert rep["resets"]["restarts_of_both"] == cycles
    m = rep["messages"]
    assert m["corrupted"] == m["duplicated"] == m["reordered"] == 0
    assert rep["blocks_in_use_at_end"] == 0


def pair_peers(cli, host_args, remote_args):
    seg = cli.segment_name()
    common = ["--segment", seg, "--backend", "icbmsg", "--messages", "50", "--timeout", "5"]
    h = cli.start("peer", "--role", "host", *common, *host_args)
    r = cli.start("peer", "--role", "remote", *common, *remote_args)
    out = [p.communicate(timeout=30) for p in (h, r)]
    return (h.returncode, out[0][1]), (r.returncode, out[1][1])


@pytest.mark.timeout(30)
def test_v2_peer_across_a_classic_one(cli):
    (hrc, herr), (rrc, _) = pair_peers(cli, [], ["--icbmsg-version", "classic"])
    assert hrc == 1 and rrc == 1
    lines = [ln for ln in herr.splitlines() if "peer speaks classic ICBMsg" in ln]
    assert "ipc-emu: error: icbmsg_v2: ipc1: peer speaks classic ICBMsg" in lines


@pytest.mark.timeout(30)
def test_v2_peers_with_other_max_active_count(cli):
    (hrc, herr), (rrc, rerr) = pair_peers(cli, [], ["--max-active-count", "32"])
    assert hrc == 1
    assert "peer uses another MAX_ACTIVE_COUNT (its queue layout differs)" in herr + rerr


@pytest.mark.timeout(30)
def test_zephyr_tree_version_mismatch_is_refused(cli):
    res = cli("run", "--host-zephyr-base", CI_TREE, "--backend", "icbmsg",
              "--icbmsg-version", "v2", "--messages", "10")
    assert res.returncode == 2
    assert res.stderr == (f"ipc-emu: run: --icbmsg-version v2: {CI_TREE} speaks classic ICBMsg "
                          "(its backends/ipc_icbmsg.c uses sys_bitarray); every core must "
                          "speak the same\n")


@pytest.mark.timeout(30)
def test_help_lists_the_v2_crash_points(cli):
    res = cli("help", "run")
    listed = set(re.findall(r"^ {25}(icbmsg_v2_[a-z_]+)$", res.stdout, re.M))
    assert listed == {"icbmsg_v2_before_produce", "icbmsg_v2_before_doorbell",
                      "icbmsg_v2_rx_before_consume"}
    assert "--icbmsg-version V" in res.stdout and "--max-active-count S" in res.stdout


def v2_image(prod_count, hi_count, cons_count, slots, blocks):
    """A RAM image of the built-in board (0x20070000, 64 KiB) whose ipc1
    tx-region (0x20078000, v2: queues of 24 bytes, 16 blocks of 1016 bytes
    from +0x80) holds the given producer queue and block contents."""
    img = bytearray(0x10000)
    tx = 0x8000
    img[tx:tx + 8] = prod_count.to_bytes(4, "little") + hi_count.to_bytes(4, "little")
    for i, b in enumerate(slots):
        img[tx + 8 + i] = b
    img[tx + 24:tx + 32] = cons_count.to_bytes(4, "little") + bytes(4)
    for index, data in blocks.items():
        at = tx + 0x80 + index * 1016
        img[at:at + len(data)] = data
    return img


def block(size, index, ept, payload):
    return size.to_bytes(2, "little") + bytes([index, ept]) + payload


@pytest.mark.timeout(30)
def test_inspect_hand_built_v2_image(cli, tmp_path):
    bound = (0x456789AB).to_bytes(4, "little") + (0xAB896745).to_bytes(4, "little") + \
        (16).to_bytes(4, "little") + (24).to_bytes(4, "little")
    img = v2_image(3, 2, 0, [0x80, 0x81, 0x03], {
        0: block(16, 0, 0xFF, bound),
        1: block(6, 1, 0xFF, bytes([0, 2]) + (0x0B872383).to_bytes(4, "little")),
        3: block(5, 3, 1, b"hello"),
    })
    dump = tmp_path / "ram.bin"
    dump.write_bytes(img)
    res = cli("inspect", "--dump", dump, "--instance", "ipc1")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[3:9] == [
        "  tx-region (host->remote)  v2: queues at 0x20078000 (2 x 24 bytes, 16 slots), "
        "16 blocks of 1016 bytes from +0x80",
        "    producer count 3 (high priority 2)  consumer count 0  in flight 3",
        "    entry 0: slot 0x80 (block 0, prio 1) size 16 ept 0xff: bound packet: sender's "
        "tx-blocks 16 rx-blocks 24  ab 89 67 45 45 67 89 ab 10 00 00 00 18 00 00 00",
        "    entry 1: slot 0x81 (block 1, prio 1) size 6 ept 0xff: EP_BOUND: sender's slot 2, "
        "name hash 0x0b872383  00 02 83 23 87 0b",
        "    entry 2: slot 0x03 (block 3) size 5 ept 0x01: data to endpoint slot 1  "
        "68 65 6c 6c 6f",
        "  rx-region (remote->host)  v2: queues at 0x2007c000 (2 x 24 bytes, 16 slots), "
        "24 blocks of 680 bytes from +0x40",
    ]
    js = cli("inspect", "--dump", dump, "--instance", "ipc1", "--json")
    r = json.loads(js.stdout)["instances"][0]["regions"][0]
    assert [(e["slot"], e["prio"], e["ept"], e["ok"]) for e in r["entries"]] == \
        [(0x80, 1, 0xFF, True), (0x81, 1, 0xFF, True), (3, 0, 1, True)]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("prod,cons,slots,blocks,why", [
    (20, 0, [], {}, "CORRUPT: producer count 20, consumer count 0: 20 in flight, more than "
                    "the 16 slots"),
    (1, 0, [0x45], {}, "entry 0: CORRUPT: slot 0x45 names block 69 of 16"),
    (1, 0, [0x02], {2: block(5, 7, 0, b"x")}, "entry 0: CORRUPT: header index 7, the slot "
                                               "names 2"),
    (1, 0, [0x0F], {15: block(2000, 15, 0, b"")}, "entry 0: CORRUPT: size 2000 runs past "
                                                   "the last block (room 1012)"),
    (1, 0, [0x00], {0: block(3, 0, 0xFF, b"\x07\x00\x00")},
     "entry 0: CORRUPT: control packet of 3 bytes, type 7, is no bound, EP_BOUND or "
     "EP_UNBOUND packet"),
])
def test_inspect_corrupt_v2_image(cli, tmp_path, prod, cons, slots, blocks, why):
    dump = tmp_path / "ram.bin"
    dump.write_bytes(v2_image(prod, 0, cons, slots, blocks))
    res = cli("inspect", "--dump", dump, "--instance", "ipc1", "--icbmsg-version", "v2")
    assert res.returncode == 2
    assert f"    CORRUPT   {why}" in res.stdout
    assert res.stderr == f"ipc-emu: inspect: {dump}: ipc1: tx-region: {why}\n"


@pytest.mark.timeout(30)
def test_inspect_dump_of_a_waiting_v2_host(cli, tmp_path):
    # A host alone: it opened ipc1 (bound packet) and registered ep0..ep3
    # (one EP_BOUND each), all waiting in its producer queue.
    from conftest import wait_for
    seg = cli.segment_name()
    host = cli.start("peer", "--role", "host", "--segment", seg, "--backend", "icbmsg",
                     "--timeout", "20")
    mem = Path("/dev/shm") / f"{seg}-mem"
    dump = tmp_path / "ram.bin"

    def five_entries():
        if not mem.exists():
            return None
        dump.write_bytes(mem.read_bytes())
        res = cli("inspect", "--dump", dump, "--instance", "ipc1")
        return res if "producer count 5 (high priority 5)" in res.stdout else None

    res = wait_for(five_entries, 15, step=0.1)
    host.terminate()
    host.communicate()
    for suffix in ("mem", "ctl"):  # a peer that did not finish may leave them
        (Path("/dev/shm") / f"{seg}-{suffix}").unlink(missing_ok=True)
    assert res is not None
    assert res.returncode == 0, res.stderr
    assert "entry 0: slot 0x80 (block 0, prio 1) size 16 ept 0xff: bound packet: sender's " \
        "tx-blocks 16 rx-blocks 24" in res.stdout
    assert len(re.findall(r"ept 0xff: EP_BOUND: sender's slot [0-3], name hash 0x0b8723",
                          res.stdout)) == 4


@pytest.mark.timeout(30)
def test_inspect_reads_nonsense_v2_counts_as_classic(cli, tmp_path):
    # No --icbmsg-version, no property: queue counts that cannot be v2 (20
    # in flight with 16 slots) while the classic reading is consistent.
    dump = tmp_path / "ram.bin"
    dump.write_bytes(v2_image(20, 0, 0, [], {}))
    res = cli("inspect", "--dump", dump, "--instance", "ipc1")
    assert "v2: queues" not in res.stdout
    assert "producer count" not in res.stdout
