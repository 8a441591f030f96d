#!/usr/bin/env python3
"""Write the seed corpus of the fuzz targets into fuzz/corpus/<target>/.

Each seed follows the input format documented at the top of the target's
.c file: a few configuration bytes, then operations.  They start the fuzzer
from well-formed peers (a ring holding the magic, a bonded ICMsg session, a
bound ICBMsg endpoint) so it spends its time on the interesting variations.
The devicetree seeds are the examples and tests/dts/*.dts compiled by dtc -@
(sources dtc itself refuses are skipped).

    python3 fuzz/make_seeds.py      # from the repository root
"""
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAGIC = bytes([0x45, 0x6D, 0x31, 0x6C, 0x31, 0x4B, 0x30, 0x72, 0x6E, 0x33, 0x6C, 0x69, 0x34])


def u8(v):
    return struct.pack("<B", v & 0xFF)


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pbuf_seeds():
    # dcache 0, no handshake, 64-byte region: rd 0 | wr 4 | data 8.. (56)
    img = bytearray(64)
    img[4:8] = u32(20)  # wr_idx after one 13-byte packet (4 + 13 -> 20)
    img[8:12] = bytes([0, 13, 0, 0])
    img[12:25] = MAGIC
    ops = b"\x03" + b"\x01" + b"\x00" + u16(128) + b"\x00" + u16(128)
    put("pbuf", "magic_ring", u8(0) + u16(56) + bytes(img) + ops)
    # dcache 8 + handshake, loopback writes and reads
    ops = (b"\x07" + b"\x06" + u16(20) + b"\x06" + u16(30) + b"\x00" + u16(100) + b"\x08" +
           u32(0x00020001) + b"\x02" + b"\x06" + u16(7) + b"\x01" + b"\x00" + u16(7))
    put("pbuf", "loopback_hs8", u8(1 | 4) + u16(56) + bytes(64) + ops)
    # dcache 32 + handshake, wrapping loopback
    ops = b"\x07" + (b"\x06" + u16(50) + b"\x00" + u16(200)) * 8
    put("pbuf", "wrap_hs32", u8(2 | 4) + u16(248) + bytes(256) + ops)
    # a hostile wr_idx and a lying header, then reads
    img = bytearray(64)
    img[4:8] = u32(12)
    img[8:12] = bytes([0xFF, 0xFF, 0, 0])
    ops = b"\x00" + u16(64) + b"\x05" + u16(1) + u32(0xFFFFFFFC) + b"\x00" + u16(64) + b"\x03"
    put("pbuf", "hostile", u8(0) + u16(56) + bytes(img) + ops)


def icmsg_seeds():
    hdr = lambda mode, dc: u8(mode) + u8(dc) + u8(32) + u8(32) + u8(127) + bytes(16)
    # legacy: peer magic, a packet, our send, drain, timers, close + reopen
    ops = (b"\x04" + b"\x13" + u16(10) + b"0123456789" + b"\x08" + u16(20) + b"\x07" +
           b"\x09" + b"\x0a" + b"\x04" + b"\x13" + u16(3) + b"abc")
    put("icmsg", "legacy_bond", hdr(0, 0) + ops)
    # enable: peer acknowledges our session and signals; data both ways;
    # then the peer reboots with a new session id
    ops = (b"\x35" + u32(7) + b"\x13" + u16(10) + b"0123456789" + b"\x08" + u16(20) +
           b"\x07" + b"\x25" + u32(9) + b"\x02" + b"\x0b" + b"\x35" + u32(9) + b"\x13" +
           u16(4) + b"wxyz")
    put("icmsg", "session_bond", hdr(1, 1) + ops)
    # detect: a legacy peer (magic first)
    ops = b"\x04" + b"\x13" + u16(5) + b"hello" + b"\x08" + u16(8) + b"\x07"
    put("icmsg", "detect_legacy", hdr(2, 1) + ops)
    # detect: a session peer
    ops = b"\x35" + u32(3) + b"\x13" + u16(5) + b"hello" + b"\x1a" + b"\x0b"
    put("icmsg", "detect_session", hdr(2, 2) + ops)
    # in-ISR receive, oversized packet for a 16-byte RX buffer
    ops = b"\x04" + b"\x13" + u16(40) + bytes(40) + b"\x13" + u16(4) + b"tiny"
    put("icmsg", "isr_oversized", u8(0x10) + u8(0) + u8(32) + u8(32) + u8(15) + bytes(16) + ops)


def icbmsg_seeds():
    def hdr(cfgb, tb=7, rb=7, ts=100, rs=100):
        return u8(cfgb) + u8(0) + u8(tb) + u8(rb) + u8(ts) + u8(rs)

    # follower with 4 endpoints: bond, register ep0, peer binds ep0 by name,
    # data both ways, no-copy, deregister, data to the gone endpoint, rebind
    ops = (b"\x03" + b"\x09" + b"\x06" + u8(0) + u8(0) + u8(0) +
           b"\x07" + u8(1) + u8(0) + u16(5) + b"hello" +
           b"\x18" + b"\x0a" + u16(30) + b"\x38" +
           b"\x0b" + u16(40) + u16(20) + b"\x38" +
           b"\x0c" + b"\x07" + u8(2) + u8(0) + u16(3) + b"abc" + b"\x09" + b"\x0d" + b"\x38")
    put("icbmsg", "follower_bind", hdr(0b110) + ops)
    # initiator: register ep0 and ep1, the peer answers the MSG_BOUNDs, data
    # to ep0 (held, then released), hostile control messages
    ops = (b"\x03" + b"\x09" + b"\x19" + b"\x0d" + b"\x38" +
           b"\x07" + u8(0) + u8(0) + u16(4) + b"data" + b"\x0e" +
           b"\x0a" + u16(12) + b"\x38" +
           b"\x04" + u8(1) + u8(0) + u8(5) +
           b"\x15" + u8(0) + u32(0xFFFFFFF0) + b"\x04" + u8(0) + u8(0) + u8(0) +
           b"\x16" + u8(3) + u8(1) + u8(8) + b"ep1\x00xxxx" + b"\x2e" + b"\x0e")
    put("icbmsg", "initiator_bind", hdr(0b1111) + ops)
    # 4-byte blocks: every buffer spans several blocks
    ops = (b"\x03" + b"\x09" + b"\x06" + u8(0) + u8(0) + u8(0) + b"\x07" + u8(2) + u8(0) +
           u16(1) + b"z" + b"\x0b" + u16(1) + u16(1) + b"\x2b" + u16(0) + b"\x0f" +
           b"\x07" + u8(1) + u8(0) + u16(2) + b"zz" + b"\x0e" + b"\x38")
    put("icbmsg", "tiny_blocks", hdr(0b110, tb=3, rb=3, ts=5, rs=5) + ops)
    # in-ISR receive, raw control messages of every type and odd lengths
    ops = (b"\x03" + b"\x09" + b"\x34" + u8(7) + u8(0) + u8(0) + u8(4) +
           b"\x24" + u8(2) + u8(0) + u8(200) + u8(0) + b"\x04" + u8(3) + u8(9) + u8(1))
    put("icbmsg", "isr_raw_control", hdr(0b10000110) + ops)


def devicetree_seeds():
    srcs = [os.path.join(ROOT, "examples", f) for f in sorted(os.listdir(os.path.join(ROOT, "examples")))
            if f.endswith(".dts")]
    dts_dir = os.path.join(ROOT, "tests", "dts")
    srcs += [os.path.join(dts_dir, f) for f in sorted(os.listdir(dts_dir)) if f.endswith(".dts")]
    n = 0
    for s in srcs:
        r = subprocess.run(["dtc", "-q", "-@", "-I", "dts", "-O", "dtb", "-o", "-", s],
                           capture_output=True)
        if r.returncode == 0 and r.stdout:
            put("devicetree", os.path.basename(s)[:-4] + ".dtb", r.stdout)
            n += 1
    return n


if __name__ == "__main__":
    pbuf_seeds()
    icmsg_seeds()
    icbmsg_seeds()
    n = devicetree_seeds()
    print("seeds written to %s (%d devicetree blobs)" % (CORPUS, n), file=sys.stderr)
