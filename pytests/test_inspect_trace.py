"""`ipc-emu inspect` (live segments, RAM dumps) and `ipc-emu run --trace`.

The dump tests build their image byte by byte from the wire format
(spec §1-§3, independently of the C layout code) and check the exact
decoded values.  The trace tests load the Chrome trace with json.load and
check both peers' events, their order and the supervisor's crash/restart
events.
"""
import json
import os
import random
import re
import signal
import struct
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import SHM, wait_for

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
VALGRIND = os.environ.get("VALGRIND") is not None

# The built-in board (emu/default_board.c), host's view.
BASE = 0x20070000
IMAGE = 0x10000
IPC0_TX, IPC0_RX = 0x20070000, 0x20074000
IPC1_TX, IPC1_RX = 0x20078000, 0x2007C000
REGION = 0x4000
MAGIC = b"Em1l1K0rn3li4"


def unlink_segment(name):
    for suffix in ("-mem", "-ctl"):
        try:
            os.unlink(SHM / (name + suffix))
        except FileNotFoundError:
            pass


def stop_peer(p, name):
    """Kill a peer started by hand and remove its segment (SIGKILL skips the
    creator's unlink)."""
    if p.poll() is None:
        p.kill()
    p.communicate()
    unlink_segment(name)


def inspect_json(cli, *args):
    r = cli("inspect", "--json", *args, timeout=30)
    return r, json.loads(r.stdout)


def inst(doc, label):
    return next(i for i in doc["instances"] if i["label"] == label)


def region(i, name):
    return next(r for r in i["regions"] if r["name"] == name)


# ------------------------------------------------------------ live segment --


def start_host(cli, name, *extra):
    return cli.start("peer", "--role", "host", "--segment", name, "--timeout", "60", "--quiet",
                     *extra)


def wait_inspect(cli, name, pred, *args):
    """Inspect until pred(doc) holds (the host is still starting)."""
    last = {}

    def once():
        r = cli("inspect", "--json", name, *args, timeout=30)
        if r.returncode != 0 or not r.stdout:
            return None
        last["doc"] = json.loads(r.stdout)
        last["r"] = r
        return last if pred(last["doc"]) else None

    got = wait_for(once, 20 if not VALGRIND else 200, step=0.1)
    assert got, f"inspect never showed the expected state: {last.get('doc')}"
    return got["r"], got["doc"]


@pytest.mark.timeout(60)
def test_live_host_alone_legacy_magic(cli):
    """A host waiting for its peer (unbound disable): its magic is the only
    packet of ipc0's tx ring, the remote's rx channel is signalled."""
    name = cli.segment_name()
    p = start_host(cli, name)
    try:
        r, doc = wait_inspect(
            cli, name,
            lambda d: region(inst(d, "ipc0"), "tx-region")["ring"]["wr_idx"] == 20
            and d["mailbox"]["host"]["boot_count"] == 1)
        assert r.returncode == 0, r.stderr
        assert doc["ok"] is True and doc["problems"] == []
        assert doc["source"] == {"kind": "segment", "name": name, "base": BASE, "size": IMAGE}
        ipc0 = inst(doc, "ipc0")
        assert ipc0["backend"] == "icmsg" and ipc0["unbound"] == {"host": "disable",
                                                                  "remote": "disable"}
        assert ipc0["session"] is None
        tx = region(ipc0, "tx-region")
        assert tx["addr"] == IPC0_TX and tx["direction"] == "host->remote"
        ring = tx["ring"]
        # dcache-alignment 8, no handshake: rd@0, wr@8, data@12.
        assert (ring["rd_idx"], ring["wr_idx"], ring["wr_offset"], ring["data_offset"],
                ring["data_len"]) == (0, 20, 8, 12, REGION - 12)
        assert ring["handshake"] is None and ring["magic_at_0"] is True
        assert ring["occupied"] == 20 and ring["pending_total"] == 1
        assert ring["pending"] == [{"offset": 0, "len": 13, "hex": MAGIC.hex(), "magic": True}]
        rx = region(ipc0, "rx-region")["ring"]
        assert (rx["rd_idx"], rx["wr_idx"], rx["pending"]) == (0, 0, [])
        host = doc["mailbox"]["host"]
        assert host["pid"] == p.pid and host["boot_count"] == 1
        remote = doc["mailbox"]["remote"]
        assert remote["boot_count"] == 0 and remote["heartbeat_age_ms"] is None
        # The host signalled on its tx channel 0: pending towards the remote.
        assert {"mbox": "mbox", "channel": 0, "user": "ipc0", "signal_pending": True,
                "message_unread": False} in remote["channels"]
        text = cli("inspect", name, timeout=30)
        assert text.returncode == 0, text.stderr
        assert "bonding magic \"Em1l1K0rn3li4\"" in text.stdout
        assert "pending (not read by the peer yet)" in text.stdout
        assert "mbox channel 0 (ipc0): signal pending" in text.stdout
    finally:
        stop_peer(p, name)


@pytest.mark.timeout(60)
def test_live_host_alone_session_words(cli):
    """unbound enable: the host publishes session id 1 (fresh memory: seed
    0 + 1) with no ack in its rx-region handshake word."""
    name = cli.segment_name()
    p = start_host(cli, name, "--unbound", "enable")
    try:
        r, doc = wait_inspect(
            cli, name,
            lambda d: (inst(d, "ipc0")["session"] or {}).get("host_sid", 0) != 0,
            "--unbound", "enable")
        ipc0 = inst(doc, "ipc0")
        assert ipc0["session"] == {"host_sid": 1, "host_ack": 0, "remote_sid": 0, "remote_ack": 0,
                                   "bonded": False,
                                   "state": "remote closed or not open; host waits"}
        rx = region(ipc0, "rx-region")["ring"]
        assert rx["handshake"] == {"word": 1, "sid": 1, "ack": 0}
        # With a handshake word: rd@0, hs@4, wr@8 (dcache 8), data@12.
        assert (rx["wr_offset"], rx["data_offset"]) == (8, 12)
        tx = region(ipc0, "tx-region")["ring"]
        assert tx["handshake"] == {"word": 0, "sid": 0, "ack": 0}
        # The TX ring is not reset before a peer session id is seen.
        assert (tx["rd_idx"], tx["wr_idx"], tx["pending"]) == (0, 0, [])
    finally:
        stop_peer(p, name)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("version, extra, slots", [
    ("classic", ("--icbmsg-version", "classic"), None),
    ("v2", ("--max-active-count", "32"), 32)])
def test_live_icbmsg_version_told_by_the_boards(cli, version, extra, slots):
    """Without --icbmsg-version or --max-active-count, inspect reads ipc1 as
    the live peers' boards run it (their control-block records): v2 with 32
    queue slots did not decode before (read with 16, then as classic)."""
    name = cli.segment_name()
    args = ("--segment", name, "--backend", "icbmsg", *extra, "--messages", "1000000",
            "--timeout", "100", "--quiet")
    h = cli.start("peer", "--role", "host", *args)
    rm = cli.start("peer", "--role", "remote", *args)
    try:
        def decoded(doc):
            # (until the peers' boards exist, no record says 32 slots)
            i = inst(doc, "ipc1")
            if slots is None:
                return doc["ok"] and "icbmsg_version" not in i
            return doc["ok"] and i.get("icbmsg_version") == "v2" and \
                [g.get("slots") for g in i["regions"]] == [slots, slots]

        r, doc = wait_inspect(cli, name, decoded, "--instance", "ipc1")
        assert r.returncode == 0 and doc["problems"] == [], r.stderr
        ipc1 = inst(doc, "ipc1")
        if slots is None:
            assert "icbmsg_version" not in ipc1
            assert region(ipc1, "tx-region")["layout"]["block_count"] == 16
        else:
            assert ipc1["icbmsg_version"] == "v2"
            assert [g["slots"] for g in ipc1["regions"]] == [slots, slots]
    finally:
        stop_peer(h, name)
        stop_peer(rm, name)


@pytest.mark.timeout(120)
def test_live_mid_traffic_icbmsg(cli):
    """A pair frozen (SIGSTOP) in the middle of an ICBMsg stream: the image
    decodes consistently, every pending control message names a block that
    the block map shows, and both cores are seen in the control block."""
    name = cli.segment_name()
    args = ("--segment", name, "--backend", "icbmsg", "--icbmsg-version", "classic",
            "--messages", "1000000", "--timeout", "100", "--quiet")
    h = cli.start("peer", "--role", "host", *args)
    rm = cli.start("peer", "--role", "remote", *args)
    try:
        def traffic():
            r = cli("inspect", "--json", name, "--instance", "ipc1", "--icbmsg-version",
                    "classic", timeout=30)
            if r.returncode != 0:
                return None
            d = json.loads(r.stdout)
            rings = [region(inst(d, "ipc1"), n)["ring"] for n in ("tx-region", "rx-region")]
            return d if all(g["wr_idx"] > 64 for g in rings) else None

        assert wait_for(traffic, 30, step=0.1), "no ICBMsg traffic seen"
        os.kill(h.pid, signal.SIGSTOP)
        os.kill(rm.pid, signal.SIGSTOP)
        time.sleep(0.05)
        r, doc = inspect_json(cli, name, "--instance", "ipc1", "--icbmsg-version", "classic")
        assert r.returncode == 0, r.stderr
        assert doc["ok"] is True and doc["problems"] == [], doc["problems"]
        assert [i["label"] for i in doc["instances"]] == ["ipc1"]
        ipc1 = inst(doc, "ipc1")
        assert ipc1["initiator"] == "remote"  # its rx blocks (our tx region) lie lower
        tx, rx = region(ipc1, "tx-region"), region(ipc1, "rx-region")
        assert tx["layout"] == {"align": 8, "icmsg_offset": 0, "icmsg_size": 384,
                                "blocks_offset": 384, "blocks_addr": IPC1_TX + 384,
                                "block_size": 1000, "block_count": 16}
        assert rx["layout"]["block_size"] == 668 and rx["layout"]["block_count"] == 24
        regions = {"tx-region": tx, "rx-region": rx}
        other = {"tx-region": rx, "rx-region": tx}
        for nm, g in regions.items():
            ring = g["ring"]
            assert ring["ok"] and len(ring["pending"]) == ring["pending_total"]
            assert len(g["blocks"]) == g["layout"]["block_count"]
            for pkt in ring["pending"]:
                c = pkt["control"]
                if c["type"] in ("DATA", "BOUND"):
                    assert g["blocks"][c["block"]] == c["type"].lower()
                else:
                    assert other[nm]["blocks"][c["block"]] == "releasing"
            for b in g["buffers"]:
                assert b["size_ok"] and 16 <= b["size"] <= 128  # scenario messages
                # The scenario header: len (LE16 at +8) is the whole message.
                assert int(b["hex"][18:20] + b["hex"][16:18], 16) == b["size"]
        for role, p in (("host", h), ("remote", rm)):
            mb = doc["mailbox"][role]
            assert mb["pid"] == p.pid and mb["boot_count"] == 1
    finally:
        for p in (h, rm):
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
            p.communicate()
        unlink_segment(name)


@pytest.mark.timeout(120)
def test_live_run_by_pid_and_name(cli):
    """`ipc-emu run` unlinks its segment at once: inspect finds it through
    the processes that hold it open, by the supervisor's pid or by name."""
    p = cli.start("run", "--messages", "2000000", "--timeout", "100", "--quiet")
    try:
        def bound():
            r = cli("inspect", "--json", "--pid", p.pid, "--instance", "ipc0", timeout=30)
            if r.returncode != 0:
                return None
            d = json.loads(r.stdout)
            ok = all(d["mailbox"][role]["boot_count"] == 1 for role in ("host", "remote"))
            ring = region(inst(d, "ipc0"), "tx-region")["ring"]
            return d if ok and ring["wr_idx"] != 20 and ring["wr_idx"] != 0 else None

        doc = wait_for(bound, 30 if not VALGRIND else 300, step=0.1)
        assert doc, "the run's segment was never seen with traffic"
        name = doc["source"]["name"]
        assert doc["source"]["kind"] == "segment" and name.startswith(f"ipc-emu-{p.pid}-")
        assert not (SHM / (name + "-mem")).exists()  # unlinked, still decodable
        peers = {doc["mailbox"][r]["pid"] for r in ("host", "remote")}
        assert p.pid not in peers and len(peers) == 2
        r = cli("inspect", name, "--instance", "ipc0", timeout=30)
        assert r.returncode == 0, r.stderr
        assert f"segment {name} (live)" in r.stdout
        r = cli("inspect", "--pid", "1", timeout=30)
        assert r.returncode == 2 and "holds no ipc-emu segment" in r.stderr
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=30)


@pytest.mark.timeout(60)
def test_live_segment_errors(cli):
    r = cli("inspect", "ipc-emu-pyt-does-not-exist", timeout=30)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "does not exist" in r.stderr


# --------------------------------------------------------------- dumps ----


def pbuf_packet(payload):
    return struct.pack(">HH", len(payload), 0) + payload


class Ring:
    """A pbuf ring in a bytearray, laid out by the spec (§1.1)."""

    def __init__(self, img, off, size, dcache, handshake):
        self.img, self.off = img, off
        w = max(dcache, 8 if handshake else 4)
        self.wr_at, self.data_at = off + w, off + w + 4
        self.blen = size - w - 4

    def put(self, idx, payload):
        """Write a packet at data[idx] (wrapping); return the next index."""
        raw = pbuf_packet(payload)
        for k, byte in enumerate(raw):
            self.img[self.data_at + (idx + k) % self.blen] = byte
        nxt = (idx + 4 + len(payload) + 3) & ~3
        return nxt % self.blen

    def indices(self, rd, wr, handshake=None):
        struct.pack_into("<I", self.img, self.off, rd)
        struct.pack_into("<I", self.img, self.wr_at, wr)
        if handshake is not None:
            struct.pack_into("<I", self.img, self.off + 4, handshake)


def icbmsg_layout(size, dcache, local, remote):
    """Classic ICBMsg region split (spec §3.1), 32-bit target values."""
    a = max(4, dcache)
    icmsg_min = -(-((max(a, 4) + 4) + 2 * 8 + 8 * (local + remote)) // a) * a
    block = ((size - icmsg_min) // local) & ~3
    return size - block * local, block  # blocks offset, block size


def known_dump():
    """The default board's image with known content (unbound enable on ipc0)."""
    img = bytearray(IMAGE)
    # ipc0 tx (host -> remote): "hello" and 300 bytes; the remote's word says
    # sid 2, acking the host's 1.
    tx = Ring(img, IPC0_TX - BASE, REGION, 8, True)
    n = tx.put(0, b"hello")
    assert n == 12
    big = bytes(range(256)) + bytes(44)
    n = tx.put(n, big)
    tx.indices(0, n, handshake=0x00010002)
    # ipc0 rx (remote -> host): one 10-byte packet wrapping the end of data[].
    rx = Ring(img, IPC0_RX - BASE, REGION, 8, True)
    start = rx.blen - 8
    n = rx.put(start, b"0123456789")
    rx.indices(start, n, handshake=0x00020001)
    # ipc1: host tx holds 16 blocks, rx 24 (dcache 8).
    tx_boff, tx_bsize = icbmsg_layout(REGION, 8, 16, 24)
    rx_boff, rx_bsize = icbmsg_layout(REGION, 8, 24, 16)
    ctx = Ring(img, IPC1_TX - BASE, tx_boff, 8, False)
    n = ctx.put(0, MAGIC)                      # consumed: rd past it
    n2 = ctx.put(n, bytes([0, 1, 3]))          # MSG_DATA ept 1, block 3
    n3 = ctx.put(n2, bytes([1, 0, 5]))         # MSG_RELEASE_DATA block 5 (of rx region)
    ctx.indices(n, n3)
    b3 = IPC1_TX - BASE + tx_boff + 3 * tx_bsize
    struct.pack_into("<I", img, b3, 1500)      # spans 2 blocks of 1000
    img[b3 + 4:b3 + 4 + 1500] = bytes((i * 7) & 0xFF for i in range(1500))
    crx = Ring(img, IPC1_RX - BASE, rx_boff, 8, False)
    n = crx.put(0, MAGIC)
    n2 = crx.put(n, bytes([2, 0, 0]))          # MSG_BOUND ept 0, block 0
    crx.indices(n, n2)
    b0 = IPC1_RX - BASE + rx_boff
    struct.pack_into("<I", img, b0, 4)
    img[b0 + 4:b0 + 8] = b"ep0\0"
    b7 = b0 + 7 * rx_bsize                     # a name left by an old MSG_BOUND
    struct.pack_into("<I", img, b7, 6)
    img[b7 + 4:b7 + 10] = b"lane9\0"
    return img


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / "ram.bin"
    path.write_bytes(known_dump())
    return path


@pytest.mark.timeout(60)
def test_dump_exact_values(cli, dump):
    r, doc = inspect_json(cli, "--dump", dump, "--unbound", "enable")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert doc["ok"] is True and doc["mailbox"] is None
    assert doc["source"] == {"kind": "dump", "file": str(dump), "base": BASE, "size": IMAGE}
    ipc0 = inst(doc, "ipc0")
    assert ipc0["session"] == {
        "host_sid": 1, "host_ack": 2, "remote_sid": 2, "remote_ack": 1, "bonded": True,
        "state": "bonded: each side acknowledges the other's session id"}
    tx = region(ipc0, "tx-region")["ring"]
    assert (tx["rd_idx"], tx["wr_idx"], tx["occupied"], tx["pending_total"]) == (0, 316, 316, 2)
    assert tx["handshake"] == {"word": 0x00010002, "sid": 2, "ack": 1}
    assert tx["pending"][0] == {"offset": 0, "len": 5, "hex": b"hello".hex()}
    assert tx["pending"][1]["offset"] == 12 and tx["pending"][1]["len"] == 300
    assert tx["pending"][1]["hex"] == bytes(range(64)).hex()  # first 64 bytes kept
    rx = region(ipc0, "rx-region")["ring"]
    blen = REGION - 12
    assert (rx["rd_idx"], rx["wr_idx"], rx["occupied"]) == (blen - 8, 8, 16)
    assert rx["pending"] == [{"offset": blen - 8, "len": 10, "hex": b"0123456789".hex()}]

    ipc1 = inst(doc, "ipc1")
    assert ipc1["initiator"] == "remote" and ipc1["problems"] == []
    ctx = region(ipc1, "tx-region")
    assert (ctx["ring"]["rd_idx"], ctx["ring"]["wr_idx"]) == (20, 36)
    assert ctx["ring"]["magic_at_0"] is True
    assert [p["control"] for p in ctx["ring"]["pending"]] == [
        {"type": "DATA", "ept": 1, "block": 3}, {"type": "RELEASE_DATA", "ept": 0, "block": 5}]
    assert ctx["blocks"][3] == "data" and ctx["blocks"][4] == "continuation"
    assert ctx["blocks"].count("free_or_held") == 14
    assert ctx["buffers"] == [{"block": 3, "state": "data", "ept": 1, "size": 1500,
                               "size_ok": True, "span": 2,
                               "hex": bytes((i * 7) & 0xFF for i in range(64)).hex()}]
    crx = region(ipc1, "rx-region")
    assert [p["control"] for p in crx["ring"]["pending"]] == [{"type": "BOUND", "ept": 0,
                                                               "block": 0}]
    assert crx["blocks"][0] == "bound" and crx["blocks"][5] == "releasing"
    assert ipc1["endpoints"] == [
        {"addr": 0, "name": "ep0", "source": "pending MSG_BOUND", "region": "rx-region",
         "block": 0, "data_pending": 0},
        {"addr": 1, "name": None, "source": "pending MSG_DATA", "region": "tx-region",
         "block": 3, "data_pending": 1},
        {"addr": None, "name": "lane9", "source": "stale block", "region": "rx-region",
         "block": 7, "data_pending": 0}]

    text = cli("inspect", "--dump", dump, "--unbound", "enable", timeout=30)
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "session   bonded: each side acknowledges the other's session id" in out
    assert "handshake 0x00010002  written by the remote: sid 0x0002, acks 0x0001" in out
    assert "68 65 6c 6c 6f" in out  # "hello"
    assert "DATA          ept 1  block 3" in out
    assert "blocks    ...Dc..........." in out
    assert "blocks    B....R.................." in out
    assert 'endpoint  addr 0 "ep0"  MSG_BOUND pending in rx-region block 0' in out
    assert "endpoint  addr 1  (its name is not in memory), 1 MSG_DATA pending" in out


@pytest.mark.timeout(60)
def test_dump_with_dts_pair_and_base(cli, dump, tmp_path):
    """The example pair describes the same board; a dump with 4 KiB in front
    of the regions needs --base."""
    app, net = EXAMPLES / "nrf5340dk_cpuapp.dts", EXAMPLES / "nrf5340dk_cpunet.dts"
    r, doc = inspect_json(cli, "--dump", dump, "--dts", f"{app},{net}", "--instance", "ipc0",
                          "--unbound", "enable")
    assert r.returncode == 0, r.stderr
    assert [i["label"] for i in doc["instances"]] == ["ipc0"]
    assert region(inst(doc, "ipc0"), "tx-region")["ring"]["wr_idx"] == 316
    padded = tmp_path / "padded.bin"
    padded.write_bytes(bytes(0x1000) + dump.read_bytes())
    r, doc = inspect_json(cli, "--dump", padded, "--base", hex(BASE - 0x1000), "--unbound",
                          "enable")
    assert r.returncode == 0, r.stderr
    assert doc["source"]["base"] == BASE - 0x1000
    assert inst(doc, "ipc0")["session"]["bonded"] is True
    # Without --base the file is taken to start at the regions: shifted.
    r, doc = inspect_json(cli, "--dump", padded, "--unbound", "enable")
    assert inst(doc, "ipc0")["session"]["bonded"] is False
    assert region(inst(doc, "ipc0"), "tx-region")["ring"]["wr_idx"] == 0


def corrupt(img, off, value):
    struct.pack_into("<I", img, off, value)
    return img


@pytest.mark.timeout(60)
@pytest.mark.parametrize("what, edit, needle", [
    ("wr not aligned", lambda im: corrupt(im, IPC0_TX - BASE + 8, 0x1003),
     "ipc0: tx-region 0x20070000: wr_idx 0x1003 is not a multiple of 4"),
    ("rd past the end", lambda im: corrupt(im, IPC0_RX - BASE, 0x10000),
     "ipc0: rx-region 0x20074000: rd_idx 0x10000 is not below the data length"),
    ("packet too long", lambda im: im.__setitem__(slice(IPC0_TX - BASE + 12,
                                                        IPC0_TX - BASE + 14), b"\x7f\xff") or im,
     "ipc0: tx-region 0x20070000: packet at data+0x0 claims 32767 bytes, 312 are left"),
    ("block past the end", lambda im: im.__setitem__(IPC1_TX - BASE + 12 + 24 + 2, 200) or im,
     "ipc1: tx-region: control message names block 200 of 16"),
    ("block size too big", lambda im: corrupt(im, IPC1_TX - BASE + 384 + 3 * 1000, 0xFFFFFFF0),
     "ipc1: tx-region: block 3: buffer size 4294967280 runs past the blocks area"),
])
def test_dump_corrupt_words(cli, tmp_path, what, edit, needle):
    """Corrupt peer words: the state is still printed (JSON stays valid),
    one line on stderr names instance, region and problem, exit 2."""
    path = tmp_path / "bad.bin"
    path.write_bytes(edit(known_dump()))
    r = cli("inspect", "--json", "--dump", path, "--unbound", "enable", timeout=30)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("ipc-emu: inspect: ")
    assert needle in r.stderr, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and any(needle in p for p in doc["problems"])
    t = cli("inspect", "--dump", path, "--unbound", "enable", timeout=30)
    assert t.returncode == 2 and "CORRUPT" in t.stdout


@pytest.mark.timeout(60)
def test_dump_truncated_or_empty(cli, tmp_path):
    for size in (0, 100, IMAGE - 4):
        path = tmp_path / f"short{size}.bin"
        path.write_bytes(known_dump()[:size])
        r = cli("inspect", "--dump", path, timeout=30)
        assert r.returncode == 2
        assert r.stderr.count("\n") == 1
        assert "corrupt or wrong dump" in r.stderr and "do not cover the IPC regions" in r.stderr
        assert r.stdout == ""
    r = cli("inspect", "--dump", tmp_path / "missing.bin", timeout=30)
    assert r.returncode == 2 and "No such file" in r.stderr


@pytest.mark.timeout(120)
def test_dump_random_garbage_never_crashes(cli, tmp_path):
    """Random images (and random words in a valid one): exit 0 or 2, a valid
    JSON document, at most one line on stderr, never a signal."""
    rng = random.Random(7)
    base = known_dump()
    for k in range(24):
        if k % 3 == 0:
            img = bytearray(rng.getrandbits(8) for _ in range(IMAGE))
        else:
            img = bytearray(base)
            for _ in range(20):
                off = rng.randrange(0, IMAGE - 4) & ~3
                struct.pack_into("<I", img, off, rng.getrandbits(32))
            for reg in (IPC0_TX, IPC0_RX, IPC1_TX, IPC1_RX):  # hit the index words
                if rng.random() < 0.5:
                    struct.pack_into("<I", img, reg - BASE + rng.choice((0, 8)),
                                     rng.getrandbits(rng.choice((4, 12, 32))) & ~3)
        path = tmp_path / f"g{k}.bin"
        path.write_bytes(img)
        for mode in ("disable", "enable"):
            r = cli("inspect", "--json", "--dump", path, "--unbound", mode, timeout=30)
            assert r.returncode in (0, 2), (k, r.returncode, r.stderr)
            assert r.stderr.count("\n") <= 1
            doc = json.loads(r.stdout)
            assert doc["ok"] == (r.returncode == 0)


@pytest.mark.timeout(60)
def test_inspect_usage_and_help(cli, dump):
    for args in (("help", "inspect"), ("inspect", "--help")):
        r = cli(*args, timeout=30)
        assert r.returncode == 0
        assert "--dump FILE" in r.stdout and "--json" in r.stdout and "session" in r.stdout
    for args in ((), ("--dump", dump, "somename"), ("--base", "0x0", "seg"), ("--bogus",),
                 ("--pid", "0"), ("--pid", "1", "seg"),
                 ("--dump", dump, "--instance", "nope"), ("--packets", "99", "x")):
        r = cli("inspect", *args, timeout=30)
        assert r.returncode == 2, args
        assert r.stderr.count("\n") == 1, (args, r.stderr)


# --------------------------------------------------------------- trace ----


def load_trace(path):
    with open(path) as f:
        doc = json.load(f)
    assert isinstance(doc["traceEvents"], list)
    return doc, doc["traceEvents"]


def check_common(events):
    """Metadata, pids, timestamps, balanced irq slices."""
    names = {e["pid"]: e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "process_name"}
    assert names == {1: "host", 2: "remote", 3: "supervisor"}
    timed = [e for e in events if e["ph"] != "M"]
    ts = [e["ts"] for e in timed]
    assert ts == sorted(ts), "events are not in time order"
    assert all(isinstance(t, (int, float)) and t > 0 for t in ts)
    thread_names = {(e["pid"], e["tid"]) for e in events
                    if e["ph"] == "M" and e["name"] == "thread_name"}
    for e in timed:
        assert (e["pid"], e["tid"]) in thread_names, e
        assert e["pid"] in (1, 2, 3)
    depth = Counter()
    for e in timed:
        if e["ph"] == "B":
            depth[(e["pid"], e["tid"])] += 1
        elif e["ph"] == "E":
            depth[(e["pid"], e["tid"])] -= 1
            assert depth[(e["pid"], e["tid"])] >= 0
    return timed


@pytest.mark.timeout(120)
def test_trace_icmsg_both_peers(cli, tmp_path):
    trace, report = tmp_path / "trace.json", tmp_path / "report.json"
    r = cli("run", "--messages", "200", "--quiet", "--trace", trace, "--json", report)
    assert r.returncode == 0, r.stderr
    doc, events = load_trace(trace)
    timed = check_common(events)
    rep = json.loads(report.read_text())
    by = Counter((e["pid"], e["name"]) for e in timed)
    for pid in (1, 2):
        for name in ("core_start", "bound", "send", "receive", "mbox_send", "irq"):
            assert by[(pid, name)] > 0, (pid, name, by)
    assert by[(1, "doorbell")] + by[(2, "doorbell")] > 0
    # Every message the report counts is in the trace, once.
    assert by[(1, "send")] + by[(2, "send")] == rep["messages"]["sent"]
    assert by[(1, "receive")] + by[(2, "receive")] == rep["messages"]["received"]
    assert by[(3, "spawn")] == 2 and by[(3, "exit")] == 2
    sends = [e for e in timed if e["name"] == "send"]
    assert {e["args"]["kind"] for e in sends} == {"echo_req", "echo_rep", "stream", "done"}
    first_bound = min(e["ts"] for e in timed if e["name"] == "bound")
    assert all(e["ts"] >= first_bound for e in sends)
    # A message is received after it was sent (host's seq 1 echo request).
    s1 = next(e for e in sends if e["pid"] == 1 and e["args"]["kind"] == "echo_req")
    r1 = next(e for e in timed if e["pid"] == 2 and e["name"] == "receive"
              and e["args"]["seq"] == s1["args"]["seq"] and e["args"]["kind"] == "echo_req")
    assert r1["ts"] > s1["ts"]
    tnames = {e["args"]["name"].split(" (")[0] for e in events if e["name"] == "thread_name"}
    assert {"main", "irq", "workq", "lane 0"} <= tnames
    assert doc["otherData"]["dropped"] == 0 and doc["otherData"]["clock"] == "CLOCK_MONOTONIC"
    # This run's event-file directory (named by the supervisor's pid) is
    # gone; other runs (pytest -n) may have theirs meanwhile.
    sup = {int(re.search(r"\(pid (\d+)\)", e["args"]["name"])[1]) for e in events
           if e["ph"] == "M" and e["name"] == "thread_name" and e["pid"] == 3}
    assert len(sup) == 1, sup
    prefix = f"ipc-emu-trace-{sup.pop()}-"
    assert not [d for d in os.listdir("/tmp") if d.startswith(prefix)]


@pytest.mark.timeout(240)
def test_trace_kill_random_crash_restart(cli, tmp_path):
    trace, report = tmp_path / "trace.json", tmp_path / "report.json"
    r = cli("run", "--messages", "2000", "--unbound", "enable", "--kill-random", "2", "--seed",
            "3", "--quiet", "--trace", trace, "--json", report, timeout=200)
    assert r.returncode == 0, r.stderr
    rep = json.loads(report.read_text())
    _, events = load_trace(trace)
    timed = check_common(events)
    sup = [e for e in timed if e["pid"] == 3]
    crashes = [e for e in sup if e["name"] == "crash"]
    restarts = [e for e in sup if e["name"] == "restart"]
    assert len(crashes) == rep["crashes_injected"] == 2
    assert len(restarts) == rep["restarts"] == 2
    assert all(e["args"]["cause"] == "kill-random" and e["s"] == "g" for e in crashes)
    for c, rs in zip(crashes, restarts):
        assert rs["ts"] >= c["ts"] and rs["args"]["role"] == c["args"]["role"]
        assert rs["args"]["pid"] != c["args"]["pid"]
        # The new incarnation starts its core after the restart.
        pid = 1 if c["args"]["role"] == "host" else 2
        assert any(e["pid"] == pid and e["name"] == "core_start" and e["ts"] > rs["ts"]
                   and e["args"]["pid"] == rs["args"]["pid"] for e in timed)
    assert sum(1 for e in timed if e["name"] == "unbound") >= 1
    boots = Counter(e["pid"] for e in timed if e["name"] == "core_start")
    assert boots[1] + boots[2] == 4


@pytest.mark.timeout(240)
def test_trace_crash_point_and_icbmsg(cli, tmp_path):
    trace = tmp_path / "trace.json"
    r = cli("run", "--backend", "icbmsg", "--endpoints", "2", "--messages", "400",
            "--crash-point", "remote:icbmsg_block_before_control@20", "--quiet",
            "--trace", trace, timeout=200)
    assert r.returncode == 0, r.stderr
    _, events = load_trace(trace)
    timed = check_common(events)
    crashes = [e for e in timed if e["name"] == "crash"]
    assert [(e["args"]["role"], e["args"]["cause"]) for e in crashes] == [("remote",
                                                                          "crash-point")]
    # ICBMsg recovery restarts both peers.
    assert sorted(e["args"]["role"] for e in timed if e["name"] == "restart") == ["host",
                                                                                  "remote"]
    lanes = {e["args"]["endpoint"] for e in timed if e["name"] == "send"}
    assert lanes == {0, 1}


@pytest.mark.valgrind
@pytest.mark.timeout(600)
def test_trace_under_valgrind(cli, tmp_path):
    trace = tmp_path / "trace.json"
    r = cli("run", "--valgrind", "--messages", "20", "--quiet", "--trace", trace, timeout=580)
    if r.returncode == 77:
        pytest.skip("valgrind not installed")
    assert r.returncode == 0, r.stderr
    _, events = load_trace(trace)
    timed = check_common(events)
    for pid in (1, 2):
        assert any(e["pid"] == pid and e["name"] == "receive" for e in timed)


@pytest.mark.timeout(60)
def test_trace_unwritable(cli, tmp_path):
    r = cli("run", "--messages", "10", "--trace", tmp_path / "no" / "such" / "dir.json")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--trace: cannot write" in r.stderr


@pytest.mark.timeout(120)
def test_trace_user_programs(cli, ipc_emu_bin, tmp_path):
    """--host/--remote programs record the platform's events (core start,
    mailbox sends, doorbells, interrupts) through emu_core_start()."""
    root = Path(ipc_emu_bin).parent / "examples" / "zephyr" / "simple"
    if not (root / "host").is_file():
        pytest.skip(f"example pair not built in {root}")
    trace = tmp_path / "trace.json"
    r = cli("run", "--host", root / "host", "--remote", root / "remote", "--quiet", "--trace",
            trace)
    assert r.returncode == 0, r.stderr
    _, events = load_trace(trace)
    timed = check_common(events)
    by = Counter((e["pid"], e["name"]) for e in timed)
    for pid in (1, 2):
        for name in ("core_start", "mbox_send", "irq"):
            assert by[(pid, name)] > 0, (pid, name, by)
    assert by[(3, "spawn")] == 2 and by[(3, "exit")] == 2
