"""`ipc-emu zephyr-config`: the generated devicetree_generated.h / autoconf.h of
one core, the --cflags line, prj.conf overrides, errors (one line, exit 2)
and outputs left untouched when their content does not change."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent
EXAMPLES = SOURCE / "examples"
CC = shutil.which("cc") or shutil.which("gcc")

GOOD_DTS = (SOURCE / "tests" / "zephyr_dt" / "board.dts").read_text()


def zc(cli, out, *args):
    return cli("zephyr-config", "--out", str(out), *args)


def header(out, name="devicetree_generated.h"):
    return (Path(out) / "zephyr" / name).read_text()


def defines(text):
    """{NAME: value} of the #define lines."""
    d = {}
    for ln in text.splitlines():
        if ln.startswith("#define "):
            parts = ln[8:].split(None, 1)
            d[parts[0]] = parts[1].split(" /*")[0] if len(parts) > 1 else ""
    return d


def test_builtin_board_host(cli, tmp_path):
    r = zc(cli, tmp_path, "--core", "host")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    d = defines(header(tmp_path))
    assert d["DT_N_NODELABEL_ipc0"] == "DT_N_S_ipc_S_ipc0"
    assert d["DT_N_S_ipc_S_ipc0_P_mboxes_NAME_tx_VAL_channel"] == "0"
    assert d["DT_N_S_ipc_S_ipc0_P_unbound_ENUM_IDX"] == "0"
    assert d["DT_N_S_reserved_memory_S_memory_20070000_REG_IDX_0_VAL_ADDRESS"] == "537329664"
    assert d["DT_N_S_ipc_S_ipc1_P_tx_blocks"] == "16"
    assert d["DT_N_INST_zephyr_ipc_icbmsg_NUM_OKAY"] == "1"
    assert d["DT_N_S_soc_S_ipm_2c000_EMU_DEVICE_REF"] == '"ipm0"'
    k = defines(header(tmp_path, "autoconf.h"))
    assert k["CONFIG_SYS_CLOCK_TICKS_PER_SEC"] == "1000"
    assert k["CONFIG_PBUF_RX_READ_BUF_SIZE"] == "128"
    assert k["CONFIG_IPC_SERVICE_BACKEND_ICMSG"] == "1"
    assert k["CONFIG_DT_HAS_ZEPHYR_IPC_ICMSG_ENABLED"] == "1"
    assert "CONFIG_LOG" not in k and "CONFIG_ASSERT" not in k


def test_builtin_board_remote_is_its_own_text(cli, tmp_path):
    r = zc(cli, tmp_path, "--core", "remote")
    assert r.returncode == 0, r.stderr
    d = defines(header(tmp_path))
    assert d["DT_N_S_ipc_S_ipc0_P_mboxes_NAME_tx_VAL_channel"] == "1"
    assert d["DT_N_S_ipc_S_ipc1_P_tx_blocks"] == "24"
    assert d["EMU_DT_CORE_remote"] == "1"


def test_one_dts_remote_sees_the_mirror_image(cli, tmp_path):
    dts = EXAMPLES / "nrf5340dk_cpuapp.dts"
    r = zc(cli, tmp_path / "h", "--core", "host", "--dts", str(dts))
    assert r.returncode == 0, r.stderr
    r = zc(cli, tmp_path / "r", "--core", "remote", "--dts", str(dts))
    assert r.returncode == 0, r.stderr
    h, m = defines(header(tmp_path / "h")), defines(header(tmp_path / "r"))
    assert h["DT_N_S_ipc_S_ipc0_P_tx_region"] == m["DT_N_S_ipc_S_ipc0_P_rx_region"]
    assert h["DT_N_S_ipc_S_ipc0_P_mboxes_NAME_tx_VAL_channel"] == \
        m["DT_N_S_ipc_S_ipc0_P_mboxes_NAME_rx_VAL_channel"]
    assert h["DT_N_S_mbox_consumer_P_mbox_names_IDX_0"] == '"tx"'
    assert m["DT_N_S_mbox_consumer_P_mbox_names_IDX_0"] == '"rx"'


def test_cflags(cli, tmp_path):
    r = zc(cli, tmp_path, "--core", "host", "--cflags")
    assert r.returncode == 0, r.stderr
    flags = r.stdout.split()
    out = os.path.realpath(tmp_path)
    assert flags[:3] == [f"-I{out}", "-imacros", f"{out}/zephyr/autoconf.h"]
    assert len(flags) == 5 and flags[3].startswith("-I")
    assert (Path(flags[3][2:]) / "zephyr" / "devicetree.h").is_file()
    assert flags[4] == "-Werror=implicit-function-declaration"


@pytest.mark.skipif(CC is None, reason="no C compiler")
def test_api_the_shim_lacks_fails_to_compile_by_name(cli, tmp_path):
    """k_work_queue_stop is Zephyr 3.7+ API that the compat headers do not
    provide: the build stops at compile time and names it."""
    r = zc(cli, tmp_path / "g", "--core", "host", "--cflags")
    assert r.returncode == 0, r.stderr
    src = tmp_path / "a.c"
    src.write_text("#include <zephyr/kernel.h>\n"
                   "int f(struct k_work_q *q);\n"
                   "int f(struct k_work_q *q) { return k_work_queue_stop(q, K_FOREVER); }\n")
    c = subprocess.run([CC, "-std=c11", "-c", "-o", str(tmp_path / "a.o"), str(src),
                        *r.stdout.split()], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    assert c.returncode != 0
    assert "implicit declaration of function 'k_work_queue_stop'" in c.stderr


@pytest.mark.skipif(CC is None, reason="no C compiler")
def test_flags_compile_devicetree_macros_in_if(cli, tmp_path):
    r = zc(cli, tmp_path / "g", "--core", "host", "--cflags")
    assert r.returncode == 0, r.stderr
    src = tmp_path / "a.c"
    src.write_text("""
#include <zephyr/devicetree.h>
#include <zephyr/device.h>
#if !DT_NODE_EXISTS(DT_NODELABEL(ipc0)) || DT_NODE_EXISTS(DT_NODELABEL(nope))
#error exists
#endif
#if DT_REG_ADDR(DT_PHANDLE(DT_NODELABEL(ipc1), tx_region)) != 0x20078000
#error reg
#endif
#if CONFIG_SYS_CLOCK_TICKS_PER_SEC != 1000
#error kconfig
#endif
const struct device *const d = DEVICE_DT_GET(DT_NODELABEL(ipc0));
""")
    c = subprocess.run([CC, "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                        *r.stdout.split(), str(src)], capture_output=True, text=True)
    assert c.returncode == 0, c.stderr


def test_unchanged_outputs_are_not_rewritten(cli, tmp_path):
    assert zc(cli, tmp_path, "--core", "host").returncode == 0
    dt, ac = tmp_path / "zephyr" / "devicetree_generated.h", tmp_path / "zephyr" / "autoconf.h"
    os.utime(dt, (1000, 1000))
    os.utime(ac, (1000, 1000))
    assert zc(cli, tmp_path, "--core", "host").returncode == 0
    assert dt.stat().st_mtime == 1000 and ac.stat().st_mtime == 1000
    # a Kconfig change rewrites autoconf.h only
    assert zc(cli, tmp_path, "--core", "host", "CONFIG_LOG=y").returncode == 0
    assert dt.stat().st_mtime == 1000 and ac.stat().st_mtime != 1000
    assert defines(ac.read_text())["CONFIG_LOG"] == "1"


def test_prj_conf_overrides(cli, tmp_path):
    conf = tmp_path / "prj.conf"
    conf.write_text("# comment\nCONFIG_LOG=y\nCONFIG_LOG_DEFAULT_LEVEL=2\n"
                    "# CONFIG_PBUF_RX_READ_BUF_SIZE is set below\n"
                    "CONFIG_PBUF_RX_READ_BUF_SIZE=256\n"
                    "# CONFIG_IPC_SERVICE_BACKEND_ICMSG_WQ_ENABLE is not set\n"
                    "CONFIG_MY_APP_STR=\"hi there\"\n\n")
    r = zc(cli, tmp_path / "o", "--core", "host", "--kconfig", str(conf),
           "CONFIG_PBUF_RX_READ_BUF_SIZE=64")
    assert r.returncode == 0, r.stderr
    assert r.stderr == (f"ipc-emu: warning: {conf}:7: CONFIG_MY_APP_STR is not a symbol "
                        "ipc-emu knows; defined as given\n")
    k = defines(header(tmp_path / "o", "autoconf.h"))
    assert k["CONFIG_LOG"] == "1"
    assert k["CONFIG_LOG_DEFAULT_LEVEL"] == "2"
    assert k["CONFIG_IPC_SERVICE_LOG_LEVEL"] == "2"
    assert k["CONFIG_PBUF_RX_READ_BUF_SIZE"] == "64"  # the command line comes last
    assert k["CONFIG_MY_APP_STR"] == '"hi there"'
    # disabled: undefined, and so are the symbols that depend on it
    assert "CONFIG_IPC_SERVICE_BACKEND_ICMSG_WQ_ENABLE" not in k
    assert "CONFIG_IPC_SERVICE_BACKEND_ICMSG_WQ_STACK_SIZE" not in k


@pytest.mark.parametrize("args,message", [
    (["--core", "host", "CONFIG_LOG=3"],
     "ipc-emu: command line: CONFIG_LOG=3: CONFIG_LOG is a bool (y or n)\n"),
    (["--core", "host", "CONFIG_PBUF_RX_READ_BUF_SIZE=big"],
     "ipc-emu: command line: CONFIG_PBUF_RX_READ_BUF_SIZE=big: "
     "CONFIG_PBUF_RX_READ_BUF_SIZE is an int\n"),
    (["--core", "host", "CONFIG_X=two words"],
     "ipc-emu: command line: CONFIG_X=two words: expected y, n, a number or a \"string\"\n"),
    (["--core", "middle"], "ipc-emu: zephyr-config: --core middle: expected host or remote\n"),
    (["--dts", "x.dts"], "ipc-emu: zephyr-config: --core and --out are required\n"),
    (["--core", "host", "--frob"],
     "ipc-emu: zephyr-config: unknown argument '--frob' (see 'ipc-emu help zephyr-config')\n"),
])
def test_usage_errors(cli, tmp_path, args, message):
    r = cli("zephyr-config", *(["--out", str(tmp_path)] if "--dts" not in args else []), *args)
    assert r.returncode == 2
    assert r.stderr == message
    assert not (tmp_path / "zephyr").exists()


def test_property_the_macros_cannot_express(cli, tmp_path):
    dts = tmp_path / "mixed.dts"
    dts.write_text(GOOD_DTS.replace("gain = <7>;", "gain = <7>;\n\t\t\tmixed = \"x\", <1>;"))
    r = zc(cli, tmp_path / "o", "--core", "host", "--dts", str(dts))
    assert r.returncode == 2
    assert r.stderr == (f"ipc-emu: {dts}: /periph/sensor@1000: mixed: mixes strings and cells: "
                        "no devicetree macro type can express it\n")


def test_enum_value_outside_the_binding(cli, tmp_path):
    dts = tmp_path / "enum.dts"
    dts.write_text(GOOD_DTS.replace('unbound = "detect";', 'unbound = "detect";\n')
                   .replace('status = "disabled";\n\t\t};\n\t};', 'status = "disabled";\n'
                            '\t\t\tunbound = "sometimes";\n\t\t};\n\t};'))
    r = zc(cli, tmp_path / "o", "--core", "host", "--dts", str(dts))
    assert r.returncode == 2
    assert r.stderr == (f"ipc-emu: {dts}: /ipc/ipc9: unbound: \"sometimes\" is not one of the "
                        "binding's values (disable, enable, detect)\n")


def test_devicetree_the_run_refuses(cli, tmp_path):
    r = zc(cli, tmp_path / "o", "--core", "host", "--dts", str(tmp_path / "missing.dts"))
    assert r.returncode == 2
    assert r.stderr.startswith(f"ipc-emu: {tmp_path / 'missing.dts'}")
    assert r.stderr.count("\n") == 1


def test_help(cli):
    r = cli("help", "zephyr-config")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: ipc-emu zephyr-config --core host|remote --out DIR")
