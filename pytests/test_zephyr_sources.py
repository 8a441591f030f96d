"""`ipc-emu zephyr-build` and `ipc-emu run --zephyr-base`, without a Zephyr
tree: tests/zephyr_style/tree is our own small tree laid out like Zephyr's,
in Zephyr's style (DT_INST_FOREACH_STATUS_OKAY + DEVICE_DT_INST_DEFINE,
MBOX_DT_SPEC_INST_GET, SYS_INIT work queue, k_work from the MBOX callback,
k_mutex with K_MSEC, atomics, CHECKIF, LOG_MODULE_REGISTER), built exactly
as a Zephyr tree is."""
import re
import shutil
from pathlib import Path

import pytest

from conftest import NRF5340_PAIR, ZEPHYR_TREE as TREE, refused

BOARD = NRF5340_PAIR[0]


def build(cli, cache, *extra, tree=TREE, core="remote", app="echo_server"):
    return cli("zephyr-build", "--zephyr-base", tree, "--core", core, "--app", app,
               "--out", cache, *extra)


def test_build_products(cli, tmp_path):
    r = build(cli, tmp_path)
    assert r.returncode == 0, r.stderr
    compiled = re.findall(r"^zephyr-build: CC (\S+)$", r.stdout, re.M)
    assert compiled == [
        "subsys/ipc/ipc_service/ipc_service.c",
        "subsys/ipc/ipc_service/lib/pbuf.c",
        "subsys/ipc/ipc_service/lib/icmsg.c",
        "subsys/ipc/ipc_service/backends/ipc_icmsg.c",
    ]
    (key,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert re.fullmatch(r"[0-9a-f]{16}", key.name)
    for name in ["libzephyr_ipc.a", "flags.txt", "stamp", "echo_server", "build.log",
                 "cfg/zephyr/devicetree_generated.h", "cfg/zephyr/autoconf.h"]:
        assert (key / name).exists(), name
    # The overlay holds links to the tree's IPC headers, nothing else of it.
    links = sorted(p.name for p in (key / "overlay/zephyr/ipc").iterdir())
    assert links == ["icmsg.h", "ipc_service.h", "ipc_service_backend.h", "pbuf.h"]
    assert (key / "overlay/zephyr/ipc/pbuf.h").resolve() == TREE / "include/zephyr/ipc/pbuf.h"
    assert not (key / "overlay/zephyr/kernel.h").exists()


def test_second_build_is_cached(cli, tmp_path):
    r1 = build(cli, tmp_path)
    assert r1.returncode == 0, r1.stderr
    (key,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    lib = key / "libzephyr_ipc.a"
    before = lib.stat().st_mtime_ns
    r2 = build(cli, tmp_path)
    assert r2.returncode == 0, r2.stderr
    assert "CC " not in r2.stdout
    assert f"zephyr-build: remote core: cached {key}" in r2.stdout
    assert lib.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [key.name]


def test_changed_source_rebuilds(cli, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    cache = tmp_path / "cache"
    assert build(cli, cache, tree=tree).returncode == 0
    src = tree / "subsys/ipc/ipc_service/lib/pbuf.c"
    src.write_text(src.read_text() + "\n/* changed */\n")
    r = build(cli, cache, tree=tree)
    assert r.returncode == 0, r.stderr
    assert "zephyr-build: CC subsys/ipc/ipc_service/lib/pbuf.c" in r.stdout
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 2


def icmsg_using(tmp_path, expr):
    """A copy of the CI tree whose lib/icmsg.c gains a function returning
    `expr`; returns the tree."""
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    src = tree / "subsys/ipc/ipc_service/lib/icmsg.c"
    src.write_text(src.read_text() + "\nint icmsg_extra(void);\nint icmsg_extra(void)\n"
                   f"{{\n\treturn {expr};\n}}\n")
    return tree


def one_error_line(r):
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_missing_symbol_named(cli, tmp_path):
    r = build(cli, tmp_path / "cache", tree=icmsg_using(tmp_path, "k_no_such_kernel_call(3)"))
    assert one_error_line(r).startswith(
        "ipc-emu: zephyr-build: subsys/ipc/ipc_service/lib/icmsg.c: the compatibility headers "
        "lack 'k_no_such_kernel_call'")
    assert not list((tmp_path / "cache").glob("*/stamp"))


def test_missing_kconfig_symbol_named(cli, tmp_path):
    """A CONFIG_ symbol the defaults lack is named as Kconfig, and a fragment
    given with --kconfig supplies it."""
    tree = icmsg_using(tmp_path, "CONFIG_IPC_EMU_TEST_ONLY_SYMBOL")
    line = one_error_line(build(cli, tmp_path / "cache", tree=tree))
    assert line.startswith("ipc-emu: zephyr-build: subsys/ipc/ipc_service/lib/icmsg.c: the "
                           "Kconfig symbol CONFIG_IPC_EMU_TEST_ONLY_SYMBOL is not set (ipc-emu's "
                           "defaults lack it: set it in a fragment given with --kconfig) ("), line
    conf = tmp_path / "extra.conf"
    conf.write_text("CONFIG_IPC_EMU_TEST_ONLY_SYMBOL=3\n")
    r = build(cli, tmp_path / "cache", "--kconfig", conf, tree=tree)
    assert r.returncode == 0, r.stderr


def test_missing_header_named(cli, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    src = tree / "subsys/ipc/ipc_service/lib/pbuf.c"
    src.write_text("#include <zephyr/no_such_header.h>\n" + src.read_text())
    r = build(cli, tmp_path / "cache", tree=tree)
    assert r.returncode == 2
    assert ("subsys/ipc/ipc_service/lib/pbuf.c: the compatibility headers lack "
            "<zephyr/no_such_header.h>") in r.stderr


def test_not_a_tree(cli, tmp_path):
    r = build(cli, tmp_path / "cache", tree=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"ipc-emu: zephyr-build: --zephyr-base {tmp_path}: not a "
                                "Zephyr tree (no include/zephyr/ipc/ipc_service.h)")


def test_run_passes(cli, zephyr_cache):
    r = cli("run", "--zephyr-base", TREE, "--messages", "300", timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "echo-client[host]: 301 echoes matched byte for byte" in r.stdout
    assert "echo-server[remote]: 301 messages echoed, 0 failed" in r.stdout
    assert "PASS: both programs exited with status 0" in r.stdout


def test_run_with_dts_pair(cli, zephyr_cache):
    r = cli("run", "--zephyr-base", TREE, "--dts", ",".join(map(str, NRF5340_PAIR)),
            "--messages", "50", timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "echo-client[host]: 51 echoes matched byte for byte" in r.stdout


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
def test_run_under_valgrind(cli, zephyr_cache):
    r = cli("run", "--zephyr-base", TREE, "--messages", "40", "--valgrind", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "echo-client[host]: 41 echoes matched byte for byte" in r.stdout
    assert "valgrind errors 0/0" in r.stdout


def test_run_refuses_unsupported(cli, empty_zephyr_cache):
    assert refused(cli, "run", "--zephyr-base", TREE, "--scenario", "ipm-echo") == (
        "ipc-emu: run: --scenario is not supported yet with --zephyr-base (Zephyr's IPC "
        "sources run the echo exchange of emu/zephyr_apps only) (see 'ipc-emu run --help')\n")
    assert refused(cli, "run", "--zephyr-base", TREE, "--unbound", "enable") == (
        "ipc-emu: run: --unbound is not supported with --zephyr-base: a Zephyr core compiles "
        "the mode in; set the DTS's unbound property (see 'ipc-emu run --help')\n")
    assert not list(empty_zephyr_cache.iterdir())


def test_taken_address_range(cli, zephyr_cache, tmp_path):
    """Shared memory at 0x400000, where the non-PIE program itself is loaded:
    the Zephyr side cannot map the image at the devicetree's address."""
    text = BOARD.read_text()
    for old, new in [("20070000", "400000"), ("20074000", "404000"),
                     ("20078000", "408000"), ("2007c000", "40c000")]:
        text = text.replace(old, new)
    dts = tmp_path / "low.dts"
    dts.write_text(text)
    r = cli("run", "--remote-zephyr-base", TREE, "--dts", dts, "--messages", "5",
            timeout=180)
    assert r.returncode != 0
    assert ("cannot map the memory image at its devicetree address 0x400000-0x40ffff: "
            "the address range is taken in this process") in r.stderr
