"""Classic ICBMsg from a tree, built for 32 bits (docs/zephyr-sources.md,
"Classic ICBMsg, built for 32 bits"), without a Zephyr tree:
tests/zephyr_style/tree has our own Zephyr-style classic ICBMsg backend and
bit array.  Like Zephyr's, its layout depends on the word size, so
`ipc-emu zephyr-build` builds the core's stack with -m32 against the 32-bit
runtime (libipc_emu -m32, cmake/IpcEmuM32.cmake) when ipc0 is a
zephyr,ipc-icbmsg instance.  The nRF5340 pair is used with its two
instances' labels swapped, so that the echo apps' ipc0 is the ICBMsg one."""
import os
import re
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

from conftest import wait_for

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "tests" / "zephyr_style" / "tree"
BOARDS = [ROOT / "examples" / "nrf5340dk_cpuapp.dts", ROOT / "examples" / "nrf5340dk_cpunet.dts"]
IMAGE_BASE = 0x20070000
NET_TX = 0x2007C000  # the network core's ICBMsg tx-region (its 24 blocks, 0x4000 bytes)


def _m32_lib(ipc_emu_bin):
    return Path(ipc_emu_bin).parent / "m32" / "libipc_emu.so"


@pytest.fixture(scope="module")
def m32(ipc_emu_bin):
    if not _m32_lib(ipc_emu_bin).exists():
        pytest.skip("no 32-bit runtime built (scripts/install-deps.sh, then rebuild)")
    return True


@pytest.fixture(scope="module")
def dts(tmp_path_factory):
    """The nRF5340 pair with ipc0 the ICBMsg instance (labels swapped)."""
    d = tmp_path_factory.mktemp("icbmsg-dts")
    out = []
    for src in BOARDS:
        text = src.read_text()
        text = (text.replace("ipc0: ipc0 {", "IPCX: IPCX {")
                .replace("ipc1: ipc1 {", "ipc0: ipc0 {")
                .replace("IPCX: IPCX {", "ipc1: ipc1 {"))
        assert re.search(r'ipc0: ipc0 \{\s*compatible = "zephyr,ipc-icbmsg"', text)
        p = d / src.name
        p.write_text(text)
        out.append(str(p))
    return ",".join(out)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("zephyr-cache-icbmsg")


def zbuild(cli, cache, dts, *, tree=TREE, core="remote", app="echo_server"):
    return cli("zephyr-build", "--zephyr-base", tree, "--core", core, "--app", app,
               "--dts", dts, "--out", cache)


def product_dir(stdout):
    m = re.search(r"^zephyr-build: \w+ core: (?:built|cached) (\S+)$", stdout, re.M)
    assert m, stdout
    return Path(m.group(1))


def elf_class_machine(path):
    head = Path(path).read_bytes()[:20]
    assert head[:4] == b"\x7fELF", path
    return head[4], struct.unpack_from("<H", head, 18)[0]


def run_exe(path):
    """argv that runs a 32-bit program here: itself, or under qemu-i386 when
    the kernel has no IA-32 emulation (as `ipc-emu run` does)."""
    try:
        if subprocess.run(["/lib/ld-linux.so.2", "--version"],
                          capture_output=True).returncode == 0:
            return [str(path)]
    except OSError:  # ENOEXEC: no IA-32 emulation in this kernel
        pass
    qemu = shutil.which("qemu-i386")
    if qemu is None:
        pytest.skip("this kernel runs no 32-bit programs and qemu-i386 is missing")
    return [qemu, str(path)]


def test_products_are_elf32(cli, m32, cache, dts):
    r = zbuild(cli, cache, dts)
    assert r.returncode == 0, r.stderr
    assert re.findall(r"^zephyr-build: CC (\S+)$", r.stdout, re.M) == [
        "subsys/ipc/ipc_service/ipc_service.c",
        "subsys/ipc/ipc_service/lib/pbuf.c",
        "subsys/ipc/ipc_service/lib/icmsg.c",
        "subsys/ipc/ipc_service/backends/ipc_icmsg.c",
        "subsys/ipc/ipc_service/backends/ipc_icbmsg.c",
        "lib/utils/bitarray.c",
    ]
    key = product_dir(r.stdout)
    assert "zephyr-build: remote core: built for 32 bits (-m32, " in r.stdout
    # ELFCLASS32 (1), EM_386 (3): the program, its objects and the runtime it links.
    for p in [key / "echo_server", key / "obj/ipc_icbmsg.o", key / "obj/bitarray.o",
              key / "obj/icmsg.o", key / "libzephyr_ipc.a"]:
        if p.suffix == ".a":
            data = p.read_bytes()
            i = data.index(b"\x7fELF")
            assert (data[i + 4], struct.unpack_from("<H", data, i + 18)[0]) == (1, 3), p
        else:
            assert elf_class_machine(p) == (1, 3), p
    lib = os.path.realpath(_m32_lib(cli.binary))
    assert elf_class_machine(lib) == (1, 3)
    assert "-m32" in (key / "flags.txt").read_text()
    assert (key / "overlay/zephyr/sys/bitarray.h").resolve() == \
        TREE / "include/zephyr/sys/bitarray.h"


def test_width_is_in_the_cache_key(cli, m32, cache, dts, tmp_path):
    """The same tree and core: the 32-bit product and the 64-bit one (ipc0 an
    ICMsg instance) are two cache entries."""
    r32 = zbuild(cli, cache, dts)
    r64 = cli("zephyr-build", "--zephyr-base", TREE, "--core", "remote", "--app",
              "echo_server", "--dts", ",".join(map(str, BOARDS)), "--out", cache)
    assert r32.returncode == 0 and r64.returncode == 0, r64.stderr
    k64 = product_dir(r64.stdout)
    assert product_dir(r32.stdout) != k64
    assert elf_class_machine(k64 / "echo_server") == (2, 62)  # ELFCLASS64, x86-64
    assert ("zephyr-build: note: backends/ipc_icbmsg.c is not built: classic ICBMsg is built "
            "(for 32 bits) only when the app opens a zephyr,ipc-icbmsg instance (ipc0, or run "
            "--backend icbmsg; or IPC_EMU_M32=on); its instances get no device") in r64.stdout


@pytest.mark.parametrize("side", ["--remote-zephyr-base", "--host-zephyr-base"])
def test_echo_ours_with_tree(cli, m32, cache, dts, side, monkeypatch):
    """ipc-emu's core (64-bit) on one core, the tree's ICBMsg (32-bit) on the other."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    r = cli("run", side, TREE, "--dts", dts, "--messages", "100", timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "built for 32 bits (-m32, " in r.stdout
    assert "echo-client[host]: 101 echoes matched byte for byte" in r.stdout
    assert "result      PASS: both programs exited with status 0" in r.stdout


def test_layout_bytes_are_the_targets(cli, m32, cache, dts):
    """The 32-bit tree ICBMsg (remote, the initiator) against ipc-emu's
    echo-server on a named segment: its MSG_BOUND buffer sits where the
    32-bit target has its first block, with a 4-byte size header."""
    r = zbuild(cli, cache, dts)
    assert r.returncode == 0, r.stderr
    prog = product_dir(r.stdout) / "echo_server"
    seg = cli.segment_name()
    peer = cli.start("peer", "--role", "host", "--segment", seg, "--dts", dts, "--backend",
                     "icbmsg", "--instance", "ipc0", "--endpoints", "1", "--scenario",
                     "echo-server", "--icbmsg-version", "classic")  # the tree's; v2 is the default
    mem = Path("/dev/shm") / f"{seg}-mem"
    assert wait_for(mem.exists, 10), peer.stderr
    env = dict(cli.env(), IPC_EMU_SEGMENT=seg, IPC_EMU_ROLE="remote", IPC_EMU_DTS=dts,
               IPC_EMU_MESSAGES="3")
    prog_p = subprocess.Popen(run_exe(prog), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        # 32-bit classic layout of the network core's tx-region (0x4000
        # bytes, alignment 8, 24 local + 16 remote blocks): control ring
        # roundup(8 + 4 + 8 * (2 + 24 + 16), 8) = 352 bytes, blocks of
        # rounddown((16384 - 352) / 24, 4) = 668 from +352.  (64-bit: 12-byte
        # control slots, ring 520, blocks of 660 from +544, 8-byte header.)
        base = NET_TX - IMAGE_BASE

        def bound_buffer():
            data = mem.read_bytes()
            return data if data[base + 352:base + 356] != b"\0\0\0\0" else None
        data = wait_for(bound_buffer, 20, step=0.05)
        assert data, "no buffer in the remote's first block"
        ring = data[base:base + 12 + 20]
        assert ring[12:16] == b"\x00\x0d\x00\x00" and ring[16:29] == b"Em1l1K0rn3li4"
        (size,) = struct.unpack_from("<I", data, base + 352)
        body = data[base + 356:base + 356 + size]
        if size == 4:
            assert body == b"ep0\0"  # the MSG_BOUND name buffer
        else:  # a data message overwrote it: the echo format's own length field
            assert 16 <= size <= 128 and body[8] | body[9] << 8 == size, (size, body.hex())
        assert data[base + 544:base + 552] == bytes(8)  # nothing at the 64-bit spot
        out = cli("inspect", "--segment", seg, "--dts", dts, "--instance", "ipc0")
        assert out.returncode == 0, out.stderr
        assert ("layout    control ring 352 bytes at +0x0; 24 blocks of 668 bytes at "
                "0x2007c160") in out.stdout
    finally:
        prog_p.kill()
        prog_p.wait()
        peer.terminate()
        peer.communicate(timeout=10)


def test_run_backend_icbmsg(cli, m32, cache, monkeypatch):
    """The built-in board with --backend icbmsg: the apps open its ICBMsg
    instance ipc1 (-DECHO_IPC_INSTANCE=ipc1), the tree on both cores."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    r = cli("run", "--zephyr-base", TREE, "--backend", "icbmsg", "--messages", "100",
            timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("built for 32 bits (-m32, ") == 2
    assert "echo-client[host]: 101 echoes matched byte for byte" in r.stdout


def test_refused_without_a_32bit_runtime(cli, cache, dts, monkeypatch):
    monkeypatch.setenv("IPC_EMU_M32", "off")
    r = zbuild(cli, cache, dts)
    assert r.returncode == 2
    assert r.stderr == (
        "ipc-emu: zephyr-build: ipc0 is a zephyr,ipc-icbmsg instance, and classic ICBMsg "
        "must be built for 32 bits to have the target's layout, but there is no 32-bit "
        "runtime (IPC_EMU_M32=off; see scripts/install-deps.sh)\n")
    r = cli("run", "--zephyr-base", TREE, "--backend", "icbmsg")
    assert r.returncode == 2
    assert r.stderr.startswith("ipc-emu: zephyr-build: ipc1 is a zephyr,ipc-icbmsg instance, ")
    assert r.stderr.count("\n") == 1


def test_queue_based_icbmsg_built_for_the_host(cli, dts, tmp_path):
    """An ICBMsg without sys_bitarray (ICBMsg v2, the queue-based rework of
    Zephyr main) is built for 64 bits (no pointer-sized fields), without the
    bit array."""
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    (tree / "subsys/ipc/ipc_service/backends/ipc_icbmsg.c").write_text(
        "/* a queue-based ICBMsg stand-in */\n#include <zephyr/drivers/mbox.h>\n")
    r = zbuild(cli, tmp_path / "cache", dts, tree=tree)
    assert r.returncode == 0, r.stderr
    assert ("zephyr-build: remote core: ICBMsg v2 (Zephyr main's rework), built for the "
            "host: its layout has no pointer-sized fields") in r.stdout
    assert "CC subsys/ipc/ipc_service/backends/ipc_icbmsg.c" in r.stdout
    assert "CC lib/utils/bitarray.c" not in r.stdout
    assert elf_class_machine(product_dir(r.stdout) / "echo_server") == (2, 62)


SIDES = ["--remote-zephyr-base", "--host-zephyr-base"]


def summaries(stdout):
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^(echo-client\[host\]|echo-server\[remote\]): summary: (.*)$",
                        stdout, re.M)}


@pytest.mark.parametrize("side", SIDES)
def test_endpoints_ours_with_tree(cli, m32, cache, dts, side, monkeypatch):
    """--endpoints 3: the apps register ep0..ep2 (client in reverse, server
    shuffled) on the tree's ICBMsg (32-bit) and on ipc-emu's core, and run
    the echo-stream exchange on each; the summary gives the totals."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    r = cli("run", side, TREE, "--dts", dts, "--backend", "icbmsg", "--messages", "100",
            "--endpoints", "3", timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    for app in ["echo-client[host]", "echo-server[remote]"]:
        for ep in range(3):
            assert r.stdout.count(f"{app}: ep{ep} bound\n") == 1, r.stdout
    assert summaries(r.stdout) == dict.fromkeys(
        ["echo-client[host]", "echo-server[remote]"],
        "echoed 303 streamed 300 sent 300 corrupted 0 duplicated 0 lost 0 boot 1 endpoints 3")
    assert "echo-client[host]: 303 echoes matched byte for byte" in r.stdout
    assert "result      PASS: both programs exited with status 0" in r.stdout


@pytest.mark.parametrize("side", SIDES)
def test_nocopy_ours_with_tree(cli, m32, cache, dts, side, monkeypatch):
    """--nocopy: the stream goes through get_tx_buffer + send_nocopy (every
    16th message first takes a size-0 buffer and drops it: 6 of 100), and the
    receiver holds some buffers and releases them later, unchanged."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    r = cli("run", side, TREE, "--dts", dts, "--backend", "icbmsg", "--messages", "100",
            "--nocopy", timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    s = summaries(r.stdout)
    assert sorted(s) == ["echo-client[host]", "echo-server[remote]"], r.stdout
    for app, line in s.items():
        m = re.fullmatch(r"echoed 101 streamed 100 sent 100 corrupted 0 duplicated 0 lost 0 "
                         r"boot 1 nocopy held (\d+) dropped 6", line)
        assert m, (app, line)
        assert 1 <= int(m.group(1)) <= 25, (app, line)  # every 4th of 100 at most
    assert "result      PASS: both programs exited with status 0" in r.stdout


def test_endpoints_nocopy_refused_on_icmsg(cli):
    """On ICMsg (ipc0 of the built-in board) both stay refused, and more
    endpoints than CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP's default too."""
    r = cli("run", "--zephyr-base", TREE, "--endpoints", "3")
    assert (r.returncode, r.stderr) == (2, (
        "ipc-emu: run: --endpoints is not supported with --zephyr-base: the echo apps run on "
        "ICMsg instance ipc0, and ICMsg has one endpoint per instance (see 'ipc-emu run "
        "--help')\n"))
    r = cli("run", "--zephyr-base", TREE, "--nocopy")
    assert (r.returncode, r.stderr) == (2, (
        "ipc-emu: run: --nocopy is not supported with --zephyr-base: the echo apps run on "
        "ICMsg instance ipc0, and ICMsg has no no-copy API (get_tx_buffer/send_nocopy) (see "
        "'ipc-emu run --help')\n"))
    r = cli("run", "--zephyr-base", TREE, "--backend", "icbmsg", "--endpoints", "5")
    assert (r.returncode, r.stderr) == (2, (
        "ipc-emu: run: --endpoints 5 with --zephyr-base: the echo apps run at most 4 "
        "endpoints (CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP's default) (see 'ipc-emu run "
        "--help')\n"))


@pytest.mark.parametrize("side", ["--host-zephyr-base", "--remote-zephyr-base"])
def test_exhaustion_ours_with_tree(cli, m32, cache, dts, side, monkeypatch):
    """--scenario exhaustion against ipc-emu's core, both ways: each
    receiver holds every stream buffer until the sender's get_tx_buffer
    (K_MSEC(50)) expired with -EAGAIN and a copy send failed with -ENOMEM,
    then releases them all, and the sender resumes.  A receiver holds in
    rounds (a round ends after 300 ms without a stream message), so a sender
    that was only slow on a loaded machine runs out in a later round: the
    most buffers held at once is exactly the sender's blocks (the host
    sends from 16, the remote from 24), and at most that many fewer went
    out before the first run-out."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    r = cli("run", side, TREE, "--dts", dts, "--backend", "icbmsg", "--messages", "100",
            "--scenario", "exhaustion", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    s = summaries(r.stdout)
    assert sorted(s) == ["echo-client[host]", "echo-server[remote]"], r.stdout
    for app, line in s.items():
        m = re.fullmatch(r"echoed 101 streamed 100 sent 100 corrupted 0 duplicated 0 lost 0 "
                         r"boot 1 exhaustion eagain (\d+) enomem (\d+) resumed (\d+) "
                         r"held (\d+)", line)
        assert m, (app, line)
        eagain, enomem, resumed, held = map(int, m.groups())
        peer_blocks = 24 if app == "echo-client[host]" else 16
        assert eagain >= 1 and 1 <= enomem <= eagain, (app, line)
        assert held == peer_blocks, (app, line)
        assert 1 <= resumed <= 100 - (40 - peer_blocks), (app, line)
    assert "result      PASS: both programs exited with status 0" in r.stdout


def test_exhaustion_refusals(cli):
    """On ICMsg the scenario is refused (nothing to hold); with kills it is
    refused as every ICBMsg run of the echo apps is (no reset protocol)."""
    r = cli("run", "--zephyr-base", TREE, "--scenario", "exhaustion")
    assert (r.returncode, r.stderr) == (2, (
        "ipc-emu: run: --scenario exhaustion needs --backend icbmsg: ICMsg has no buffers to "
        "hold (see 'ipc-emu run --help')\n"))
    r = cli("run", "--zephyr-base", TREE, "--scenario", "ipm-echo")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--scenario is not supported yet with --zephyr-base" \
        in r.stderr, r.stderr
