"""`ipc-emu inspect` of a multi-core SoC (issue 16): every core and link.

The images are real: the project's own boards write them.  The
nRF54H20-like example (examples/nrf54h20/) is a star around cpuapp, so one
segment laid out by cpuapp's devicetree (its plan covers every region of
every link) holds the SoC's whole IPC memory: a host core with cpuapp's
devicetree and a remote core with its mirror image run in this process
through the Python harness (python/ipc_emu), and /dev/shm/NAME-mem is the
RAM dump.  Each link is then decoded from it with the link's own plans.

Two images:
  * bonded: every instance bonded, then the remote cores stopped and one
    message sent per link by cpuapp (ICMsg forced to unbound "disable", so
    that the stop writes nothing; the example's ICBMsg link is classic,
    whose deregistration writes nothing either), so each link's tx ring
    holds exactly that message;
  * host alone: cpuapp opened every instance and no other core exists
    (session words of ICMsg "enable", the control channel's bonding magic
    of ICBMsg).
"""
import json
import re
import os
import shutil
import struct
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import ipc_emu  # noqa: E402

EX = ROOT / "examples" / "nrf54h20"
CORES = ("cpuapp", "cpurad", "cpuppr", "cpuflpr")
FILES = [str(EX / f"{c}.dts") for c in CORES]
DTS = ",".join(FILES)
BASE = 0x2F0BD000  # lowest region of the example (cpuapp <-> cpurad ICMsg)
# Links in the topology's order: cpuapp's instances in file order.
LINKS = [
    ("cpuapp-cpurad.cpuapp_cpurad_ipc", "cpuapp_cpurad_ipc", "cpurad", "ICBMsg",
     0x2F0BF000, 0x1000),
    ("cpuapp-cpurad.cpuapp_cpurad_icmsg", "cpuapp_cpurad_icmsg", "cpurad", "ICMsg",
     0x2F0BD000, 0x1000),
    ("cpuapp-cpuppr.cpuapp_cpuppr_ipc", "cpuapp_cpuppr_ipc", "cpuppr", "ICMsg",
     0x2FC0F800, 0x800),
    ("cpuapp-cpuflpr.cpuapp_cpuflpr_ipc", "cpuapp_cpuflpr_ipc", "cpuflpr", "ICMsg",
     0x2F89B800, 0x800),
]
END = 0x2FC10000


def lib_of(ipc_emu_bin):
    so = Path(ipc_emu_bin).parent / "libipc_emu.so"
    return str(so) if so.is_file() else None


def message(i):
    return b"link%d" % i + b"x" * i


@pytest.fixture(scope="module")
def bonded_dump(ipc_emu_bin, tmp_path_factory):
    lib = lib_of(ipc_emu_bin)
    host = ipc_emu.Harness(dts=FILES[0], lib=lib)
    remote = ipc_emu.Harness(dts=FILES[0], lib=lib)
    try:
        name = host.create_segment()
        remote.attach_segment(name)
        host.start("host", unbound="disable")
        remote.start("remote", unbound="disable")
        labels = [label for label, _ in host.instances("host")]
        assert labels == [link[1] for link in LINKS]
        eh = {label: host.open(label, "ep") for label in labels}
        er = {label: remote.open(label, "ep") for label in labels}
        for label in labels:
            eh[label].wait_bound(timeout=20)
            er[label].wait_bound(timeout=20)
        remote.stop()
        for i, label in enumerate(labels):
            assert eh[label].send(message(i)) == len(message(i))
        out = tmp_path_factory.mktemp("soc") / "soc.bin"
        shutil.copyfile(f"/dev/shm/{name}-mem", out)
    finally:
        remote.close()
        host.close()
    return out


def host_alone_ready(data):
    """cpuapp published session id 1 on its three ICMsg instances (its rx
    ring's handshake word) and its ICBMsg control magic (wr_idx 0x14)."""
    def word(addr):
        return struct.unpack_from("<I", data, addr - BASE)[0]
    return (all(word(rx + 4) == 1 for rx in (0x2F0BD800, 0x2FC0FC00, 0x2F89BC00))
            and word(0x2F0BF000 + 0x20) == 0x14)


@pytest.fixture(scope="module")
def host_alone_dump(ipc_emu_bin, tmp_path_factory):
    host = ipc_emu.Harness(dts=FILES[0], lib=lib_of(ipc_emu_bin))
    try:
        name = host.create_segment()
        host.start("host")
        for label, _ in host.instances("host"):
            host.open(label, "ep")
        deadline = time.monotonic() + 20
        while True:
            data = Path(f"/dev/shm/{name}-mem").read_bytes()
            if host_alone_ready(data) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        out = tmp_path_factory.mktemp("soc") / "alone.bin"
        out.write_bytes(data)
    finally:
        host.close()
    return out


def link_blocks(text):
    """{link name: its lines after the heading} and the part before them."""
    parts = text.split("\nlink ")
    blocks = {}
    for p in parts[1:]:
        head, _, body = p.partition("\n")
        blocks[head.split(":")[0]] = (head, body.rstrip("\n"))
    return parts[0], blocks


SUMMARY = [
    "topology: 4 cores, 4 links, IPC memory 0x2f0bd000+0xb53000",
    f"  core cpuapp  {FILES[0]}  links " + ", ".join(link[0] for link in LINKS),
    f"  core cpurad  {FILES[1]}  links {LINKS[0][0]}, {LINKS[1][0]}",
    f"  core cpuppr  {FILES[2]}  links {LINKS[2][0]}",
    f"  core cpuflpr  {FILES[3]}  links {LINKS[3][0]}",
]


def heading(link):
    name, _, remote, backend, base, size = link
    return f"{name}: cpuapp (host) <-> {remote} (remote), {backend}, 0x{base:x}+0x{size:x}"


def icmsg_bonded(label, node, base, size, i):
    half = size // 2
    data = half - 0x24
    n = len(message(i))
    wr = 0x14 + 4 + (n + 3) // 4 * 4
    payload = " ".join(f"{b:02x}" for b in message(i))
    return "\n".join([
        f"{label} ({node})  ICMsg  dcache-alignment 32  unbound disable",
        f"  tx-region 0x{base:x}+0x{half:x}  host -> remote",
        f"    ring      at 0x{base:x}: rd_idx 0x14  wr_idx 0x{wr:x} (at +0x20)  "
        f"data {data} bytes at +0x24",
        f"              {wr - 0x14} bytes pending in 1 packet",
        f"    packet    data+0x14    {n:5d} bytes  {payload}",
        "    magic     bonding magic at data[0]: already read (or stale)",
        f"  rx-region 0x{base + half:x}+0x{half:x}  remote -> host",
        f"    ring      at 0x{base + half:x}: rd_idx 0x14  wr_idx 0x14 (at +0x20)  "
        f"data {data} bytes at +0x24",
        "              0 bytes pending in 0 packets",
        "    magic     bonding magic at data[0]: already read (or stale)",
        "  bonding   legacy (magic): host wrote its magic, remote wrote its magic",
    ])


ICBMSG_BONDED = "\n".join([
    "cpuapp_cpurad_ipc (/ipc/ipc-2-3)  ICBMsg  dcache-alignment 32  tx-blocks 32  rx-blocks 32",
    "  roles     remote initiates endpoint binding (its rx blocks lie lower)",
    "  tx-region 0x2f0bf000+0x800  host -> remote",
    "    layout    control ring 640 bytes at +0x0; 32 blocks of 44 bytes at 0x2f0bf280",
    "    ring      at 0x2f0bf000: rd_idx 0x1c  wr_idx 0x24 (at +0x20)  data 604 bytes at +0x24",
    "              8 bytes pending in 1 packet",
    "    packet    data+0x1c        3 bytes  DATA          ept 0  block 0",
    "    blocks    D" + "." * 31 +
    "   (D data, B bound, R releasing, c continuation, . free or held)",
    "    block 0   in flight (MSG_DATA pending), ept 0, size 5 (1 block): 6c 69 6e 6b 30",
    "  rx-region 0x2f0bf800+0x800  remote -> host",
    "    layout    control ring 640 bytes at +0x0; 32 blocks of 44 bytes at 0x2f0bfa80",
    "    ring      at 0x2f0bf800: rd_idx 0x1c  wr_idx 0x1c (at +0x20)  data 604 bytes at +0x24",
    "              0 bytes pending in 0 packets",
    "    blocks    " + "." * 32 +
    "   (D data, B bound, R releasing, c continuation, . free or held)",
    "  endpoint  addr 0  (its name is not in memory), 1 MSG_DATA pending",
    "  endpoint  \"ep\"  name left in rx-region block 0 (a past MSG_BOUND)",
])

NODES = {"cpuapp_cpurad_icmsg": "/ipc/ipc-2-3-icmsg", "cpuapp_cpuppr_ipc": "/ipc/ipc-2-13",
         "cpuapp_cpuflpr_ipc": "/ipc/ipc-2-14"}


@pytest.mark.timeout(120)
def test_dump_every_link_exact(cli, bonded_dump):
    """Summary per core, then per link its heading and the two-core decoding:
    rd/wr indices and the one pending message of each link."""
    r = cli("inspect", "--dts", DTS, "--dump", bonded_dump, "--unbound", "disable", timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    top, blocks = link_blocks(r.stdout)
    assert top.split("\n") == SUMMARY + [
        f"dump {bonded_dump}: {END - BASE} bytes from 0x{BASE:x}", ""]
    assert list(blocks) == [link[0] for link in LINKS]
    for i, link in enumerate(LINKS):
        head, body = blocks[link[0]]
        assert head == heading(link)
        if link[3] == "ICBMsg":
            assert body == ICBMSG_BONDED
        else:
            assert body == icmsg_bonded(link[1], NODES[link[1]], link[4], link[5], i)


@pytest.mark.timeout(120)
def test_dump_link_equals_two_core_decoding(cli, bonded_dump):
    """Each link's block is, line for line, what the two-core inspect prints
    for that instance with cpuapp's devicetree (the same per-instance code)."""
    r = cli("inspect", "--dts", DTS, "--dump", bonded_dump, "--unbound", "disable", timeout=60)
    assert r.returncode == 0, r.stderr
    _, blocks = link_blocks(r.stdout)
    for link in LINKS:
        two = cli("inspect", "--dts", FILES[0], "--dump", bonded_dump, "--unbound", "disable",
                  "--instance", link[1], timeout=60)
        assert two.returncode == 0, two.stderr
        assert two.stdout.split("\n", 2)[2].rstrip("\n") == blocks[link[0]][1]


@pytest.mark.timeout(120)
def test_dump_json_cores_and_links(cli, bonded_dump):
    r = cli("inspect", "--json", "--dts", DTS, "--dump", bonded_dump, "--unbound", "disable",
            timeout=60)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["source"] == {"kind": "dump", "file": str(bonded_dump), "base": BASE,
                             "size": END - BASE}
    assert (doc["base"], doc["size"]) == (BASE, END - BASE)
    assert doc["ok"] is True and doc["problems"] == []
    assert doc["unmatched_segments"] == []
    assert [(c["name"], c["file"], len(c["links"])) for c in doc["cores"]] == [
        (c, f, n) for c, f, n in zip(CORES, FILES, (4, 2, 1, 1))]
    assert [(k["name"], k["host"], k["remote"], k["backend"], k["base"], k["size"])
            for k in doc["links"]] == [
        (n, "cpuapp", rem, b.lower(), base, size) for n, _, rem, b, base, size in LINKS]
    for i, (k, link) in enumerate(zip(doc["links"], LINKS)):
        assert k["segment"] is None and k["mailbox"] is None
        inst = k["instance"]
        assert inst["label"] == link[1]
        tx = inst["regions"][0]["ring"]
        if link[3] == "ICBMsg":
            assert (tx["rd_idx"], tx["wr_idx"]) == (0x1C, 0x24)
            assert tx["pending"] == [{"offset": 0x1C, "len": 3, "hex": "000000",
                                      "control": {"type": "DATA", "ept": 0, "block": 0}}]
        else:
            n = len(message(i))
            assert (tx["rd_idx"], tx["wr_idx"]) == (0x14, 0x14 + 4 + (n + 3) // 4 * 4)
            assert tx["pending"] == [{"offset": 0x14, "len": n, "hex": message(i).hex()}]
        rx = inst["regions"][1]["ring"]
        assert rx["rd_idx"] == rx["wr_idx"] and rx["pending"] == []


@pytest.mark.timeout(120)
def test_dump_host_alone_session_words(cli, host_alone_dump):
    """cpuapp up, no other core: each ICMsg link shows cpuapp's session id 1
    in its word and none from the peer; the ICBMsg link its control magic."""
    data = host_alone_dump.read_bytes()
    assert host_alone_ready(data), "cpuapp did not open every instance in 20 s"
    r = cli("inspect", "--dts", DTS, "--dump", host_alone_dump, timeout=60)
    assert r.returncode == 0, r.stderr
    _, blocks = link_blocks(r.stdout)
    for link in LINKS[1:]:
        lines = blocks[link[0]][1].split("\n")
        assert lines[0].endswith("ICMsg  dcache-alignment 32  unbound enable")
        assert lines[4] == "    handshake 0x00000000  written by the remote: sid 0x0000, acks 0x0000"
        assert lines[8] == "    handshake 0x00000001  written by the host: sid 0x0001, acks 0x0000"
        assert lines[9] == "  session   remote closed or not open; host waits"
        assert lines[2].startswith(f"    ring      at 0x{link[4]:x}: rd_idx 0x0  wr_idx 0x0 ")
    lines = blocks[LINKS[0][0]][1].split("\n")
    assert lines[4] == ("    ring      at 0x2f0bf000: rd_idx 0x0  wr_idx 0x14 (at +0x20)  "
                        "data 604 bytes at +0x24")
    assert lines[6] == "    packet    data+0x0        13 bytes  bonding magic \"Em1l1K0rn3li4\""


@pytest.mark.timeout(60)
def test_short_dump_names_the_link(cli, bonded_dump, tmp_path):
    """A dump that ends after the radio links: one line naming the first
    link it does not cover, exit 2, nothing decoded."""
    short = tmp_path / "short.bin"
    short.write_bytes(bonded_dump.read_bytes()[:0x3000])
    r = cli("inspect", "--dts", DTS, "--dump", short, timeout=60)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == (f"ipc-emu: inspect: {short}: corrupt or wrong dump: 12288 bytes from "
                        "0x2f0bd000 do not cover link cpuapp-cpuppr.cpuapp_cpuppr_ipc "
                        "(0x2fc0f800..0x2fc10000) (and 1 more link)\n")
    # A link it does cover is decoded (--instance: link name or label).
    for sel in (LINKS[1][0], LINKS[1][1]):
        r = cli("inspect", "--dts", DTS, "--dump", short, "--instance", sel,
                "--unbound", "disable", timeout=60)
        assert r.returncode == 0, r.stderr
        _, blocks = link_blocks(r.stdout)
        assert list(blocks) == [LINKS[1][0]]
    # A base past the first link's regions.
    r = cli("inspect", "--dts", DTS, "--dump", bonded_dump, "--base", "0x2f0be000", timeout=60)
    assert r.returncode == 2
    assert r.stderr == (f"ipc-emu: inspect: {bonded_dump}: corrupt or wrong dump: "
                        f"{END - BASE} bytes from 0x2f0be000 do not cover link "
                        "cpuapp-cpurad.cpuapp_cpurad_icmsg (0x2f0bd000..0x2f0be000)\n")


@pytest.mark.timeout(60)
def test_corrupt_link_is_named(cli, bonded_dump, tmp_path):
    """A bad wr_idx in the PPR link's tx ring: that link shows CORRUPT, the
    others decode as before, one stderr line names link and region, exit 2."""
    data = bytearray(bonded_dump.read_bytes())
    struct.pack_into("<I", data, 0x2FC0F800 + 0x20 - BASE, 0x1003)
    bad = tmp_path / "bad.bin"
    bad.write_bytes(data)
    r = cli("inspect", "--dts", DTS, "--dump", bad, "--unbound", "disable", timeout=60)
    assert r.returncode == 2
    assert r.stderr == (f"ipc-emu: inspect: {bad}: cpuapp-cpuppr.cpuapp_cpuppr_ipc: "
                        "cpuapp_cpuppr_ipc: tx-region 0x2fc0f800: wr_idx 0x1003 is not a "
                        "multiple of 4 (data length 0x3dc)\n")
    _, blocks = link_blocks(r.stdout)
    lines = blocks[LINKS[2][0]][1].split("\n")
    assert lines[2] == ("    ring      at 0x2fc0f800: rd_idx 0x14  wr_idx 0x1003 (at +0x20)  "
                        "data 988 bytes at +0x24")
    assert lines[3] == "    CORRUPT   wr_idx 0x1003 is not a multiple of 4 (data length 0x3dc)"
    assert blocks[LINKS[3][0]][1] == icmsg_bonded(LINKS[3][1], NODES[LINKS[3][1]], LINKS[3][4],
                                                  LINKS[3][5], 3)


@pytest.mark.timeout(60)
def test_core_names_from_option(cli, bonded_dump):
    """--core NAME=FILE names the cores (and so the links)."""
    args = []
    for c, f in zip(("app", "rad", "ppr", "flpr"), FILES):
        args += ["--core", f"{c}={f}"]
    r = cli("inspect", *args, "--dump", bonded_dump, "--unbound", "disable", timeout=60)
    assert r.returncode == 0, r.stderr
    top, blocks = link_blocks(r.stdout)
    assert top.split("\n")[1] == (f"  core app  {FILES[0]}  links app-rad.cpuapp_cpurad_ipc, "
                                  "app-rad.cpuapp_cpurad_icmsg, app-ppr.cpuapp_cpuppr_ipc, "
                                  "app-flpr.cpuapp_cpuflpr_ipc")
    assert blocks["app-ppr.cpuapp_cpuppr_ipc"][0] == (
        "app-ppr.cpuapp_cpuppr_ipc: app (host) <-> ppr (remote), ICMsg, 0x2fc0f800+0x800")


USAGE = " (see 'ipc-emu inspect --help')\n"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("args, err", [
    (["--core", "app", "--dump", "x"], "--core wants NAME=FILE, not 'app'" + USAGE),
    (["--core", "=a.dts", "--dump", "x"], "--core wants NAME=FILE, not '=a.dts'" + USAGE),
    (["--core", "app=", "--dump", "x"], "--core wants NAME=FILE, not 'app='" + USAGE),
    (["--dts", "a.dts,,b.dts", "--dump", "x"],
     "--dts wants FILE, HOSTFILE,REMOTEFILE or one FILE per core, not 'a.dts,,b.dts'" + USAGE),
    (["--dts", "a,b,c,", "--dump", "x"],
     "--dts wants FILE, HOSTFILE,REMOTEFILE or one FILE per core, not 'a,b,c,'" + USAGE),
    (["--dts", "a,b,c,d,e,f,g,h,i", "--dump", "x"], "more than 8 cores" + USAGE),
    (["--core", f"app={FILES[0]}", "--dump", "x"],
     "a topology needs 2 to 8 cores (--dts A,B,C or --core NAME=FILE per core), not 1\n"),
    (["--dts", DTS, "--dump", "x", "--instance", "nope"],
     "no link named or labelled 'nope' in the topology\n"),
    (["--dts", DTS, "--pid", "1", "--base", "0"],
     "--base applies to --dump only (a segment knows its base)" + USAGE),
])
def test_usage_errors(cli, args, err):
    r = cli("inspect", *args, timeout=60)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == "ipc-emu: inspect: " + err


@pytest.mark.timeout(60)
def test_two_files_stay_a_pair(cli, bonded_dump):
    """Two files without --core are the two-core host,remote pair as before:
    cpuapp and cpurad are checked as a pair (and are not one)."""
    r = cli("inspect", "--dts", f"{FILES[0]},{FILES[1]}", "--dump", bonded_dump, timeout=60)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith(f"ipc-emu: inspect: {FILES[1]}: ")
    assert "topology" not in r.stdout + r.stderr


# ------------------------------------------------------------------ live --

VALGRIND = os.environ.get("VALGRIND") is not None


def core_pids(supervisor):
    """{core name: pid} of the `ipc-emu core --name NAME` children."""
    out = {}
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for c in children:
            try:
                argv = Path(f"/proc/{c}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"core" in argv and b"--name" in argv:
                out[argv[argv.index(b"--name") + 1].decode()] = int(c)
    return out


def live_doc(cli, pid, want_links):
    """inspect --json --pid until `want_links` links have their segment and
    both cores of each have booted."""
    last = {}
    deadline = time.monotonic() + (30 if not VALGRIND else 300)
    while time.monotonic() < deadline:
        r = cli("inspect", "--json", "--dts", DTS, "--pid", pid, timeout=60)
        if r.stdout:
            doc = json.loads(r.stdout)
            last = doc
            live = [k for k in doc["links"] if k["segment"] is not None]
            if len(live) == want_links and all(
                    k["mailbox"][role]["boot_count"] >= 1 for k in live
                    for role in ("host", "remote")):
                return doc
        time.sleep(0.1)
    pytest.fail(f"inspect never saw {want_links} live links: {last}")


@pytest.fixture
def soc_run(cli):
    p = cli.start("run", "--dts", DTS, "--messages", "100000000", "--quiet")
    try:
        yield p
    finally:
        if p.poll() is None:
            p.send_signal(2)
            try:
                p.communicate(timeout=60)
            except Exception:
                p.kill()
                p.communicate()


@pytest.mark.timeout(180)
def test_live_supervisor_and_core_process(cli, soc_run):
    """--pid of a running multi-core `run`: it holds one SoC segment (one
    image for every link, one interrupt context per core); each link is
    found in it by memory range and decoded, and the mailbox section of each
    link names its two cores with their pids.  --pid of a core process: the
    same, as every core maps the whole SoC segment."""
    doc = live_doc(cli, soc_run.pid, 4)
    pids = core_pids(soc_run.pid)
    assert sorted(pids) == sorted(CORES)
    assert doc["source"] == {"kind": "process", "pid": soc_run.pid}
    assert doc["unmatched_segments"] == []
    names = set()
    for k, link in zip(doc["links"], LINKS):
        assert k["name"] == link[0]
        names.add(k["segment"]["name"])
        assert k["instance"]["label"] == link[1]
        mb = k["mailbox"]
        assert (mb["host"]["core"], mb["remote"]["core"]) == ("cpuapp", link[2])
        assert mb["host"]["pid"] == pids["cpuapp"]
        assert mb["remote"]["pid"] == pids[link[2]]
    assert len(names) == 1
    soc_name = names.pop()
    assert re.fullmatch(rf"ipc-emu-{soc_run.pid}-soc[0-9]+", soc_name), soc_name
    r = cli("inspect", "--dts", DTS, "--pid", soc_run.pid, timeout=60)
    # (a torn snapshot of busy rings may be reported: exit 0 or 2, decoded either way)
    assert r.returncode in (0, 2), r.stderr
    _, blocks = link_blocks(r.stdout)
    assert list(blocks) == [link[0] for link in LINKS]
    assert f"process {soc_run.pid}: 1 segment open\n" in r.stdout
    for link in LINKS:
        head, body = blocks[link[0]]
        assert head.startswith(heading(link) + f", segment {soc_name}")
        lines = body.split("\n")
        mb = lines.index("mailbox (control block)")
        assert lines[mb + 1].startswith(f"  cpuapp (host)  pid {pids['cpuapp']}, boot 1, ")
        rem = [x for x in lines[mb + 2:] if x.startswith(f"  {link[2]} (remote)  ")]
        assert len(rem) == 1 and rem[0].startswith(
            f"  {link[2]} (remote)  pid {pids[link[2]]}, boot 1, ")
    # --pid of one core's process: it maps the same SoC segment.
    ppr = pids["cpuppr"]
    doc = live_doc(cli, ppr, 4)
    assert [k["name"] for k in doc["links"]] == [link[0] for link in LINKS]
    assert {k["segment"]["name"] for k in doc["links"]} == {soc_name}
    assert doc["links"][2]["mailbox"]["remote"]["pid"] == ppr


@pytest.mark.timeout(120)
def test_live_segment_of_no_link(cli):
    """A segment whose memory range is no link of the topology: one line."""
    name = cli.segment_name()
    p = cli.start("peer", "--role", "host", "--segment", name, "--timeout", "60", "--quiet")
    try:
        deadline = time.monotonic() + (20 if not VALGRIND else 200)
        while not (Path("/dev/shm") / (name + "-ctl")).exists():
            assert time.monotonic() < deadline, "the peer never made its segment"
            time.sleep(0.05)
        while True:  # (-EPROTO while the peer still creates it)
            r = cli("inspect", "--dts", DTS, name, timeout=60)
            if "still being created" not in r.stderr or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert r.returncode == 2
        assert r.stdout == ""
        assert r.stderr == (f"ipc-emu: inspect: segment '{name}' (0x20070000+0x10000) is no "
                            "link of this topology\n")
    finally:
        p.kill()
        p.communicate()
        for suffix in ("-mem", "-ctl"):
            try:
                os.unlink(Path("/dev/shm") / (name + suffix))
            except FileNotFoundError:
                pass
