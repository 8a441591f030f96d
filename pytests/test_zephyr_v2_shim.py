"""zephyr-build with a tree whose backends/ipc_icbmsg.c is ICBMsg v2 (Zephyr
main's queue-based rework: no sys_bitarray), without a Zephyr tree.

The tree is written here, in tmp_path: its ipc_icbmsg.c is our own small
v2-shaped source that uses what Zephyr's v2 needs from the shim beyond
classic ICBMsg (zephyr/stats/stats.h with CONFIG_STATS off,
zephyr/sys/hash_function.h, bitmask_find_gap, k_is_pre_kernel, atomic_t
from kernel.h, CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT).  Its
lib/utils/bitarray.c is an #error: a v2 tree must never compile it.
"""
import shutil

from conftest import NRF5340_PAIR, ZEPHYR_TREE

V2_SOURCE = r"""
#include <string.h>
#include <zephyr/kernel.h>
#include <zephyr/stats/stats.h>
#include <zephyr/sys/hash_function.h>
#include <zephyr/sys/util.h>

STATS_SECT_START(v2_shape)
STATS_SECT_ENTRY32(tx_count)
STATS_SECT_END;

struct v2_shape_data {
	atomic_t tx_usage_mask;
	STATS_SECT_DECL(v2_shape) stats;
	uint8_t slots[CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT];
};

BUILD_ASSERT(CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT == 16);

int v2_shape_alloc(struct v2_shape_data *d, size_t blocks);
int v2_shape_alloc(struct v2_shape_data *d, size_t blocks)
{
	int off = bitmask_find_gap((uint32_t)atomic_get(&d->tx_usage_mask), blocks, 16, false);

	STATS_INC(d->stats, tx_count);
	if (off < 0 || k_is_pre_kernel()) {
		return -ENOMEM;
	}
	(void)atomic_or(&d->tx_usage_mask, (atomic_val_t)(BIT_MASK(blocks) << off));
	return off + (int)(sys_hash32_djb2("ep0", strlen("ep0")) == 0x0b872380u ? 0 : 1000);
}
"""


def v2_tree(tmp_path):
    tree = tmp_path / "v2tree"
    ipc = tree / "include" / "zephyr" / "ipc"
    ipc.mkdir(parents=True)
    for h in ("ipc_service.h", "ipc_service_backend.h"):
        shutil.copy(ZEPHYR_TREE / "include" / "zephyr" / "ipc" / h, ipc)
    backends = tree / "subsys" / "ipc" / "ipc_service" / "backends"
    backends.mkdir(parents=True)
    shutil.copy(ZEPHYR_TREE / "subsys" / "ipc" / "ipc_service" / "ipc_service.c",
                backends.parent)
    (backends / "ipc_icbmsg.c").write_text(V2_SOURCE)
    utils = tree / "lib" / "utils"
    utils.mkdir(parents=True)
    (utils / "bitarray.c").write_text('#error "a v2 tree must not compile bitarray.c"\n')
    return tree


def build(cli, tree, out):
    return cli("zephyr-build", "--zephyr-base", tree, "--core", "host", "--out", out,
               "--dts", f"{NRF5340_PAIR[0]},{NRF5340_PAIR[1]}", timeout=180)


def test_v2_built_for_the_host_without_bitarray(cli, tmp_path, monkeypatch):
    # IPC_EMU_M32=on: the ICBMsg source is built even though ipc0 is ICMsg.
    monkeypatch.setenv("IPC_EMU_M32", "on")
    tree = v2_tree(tmp_path)
    r = build(cli, tree, tmp_path / "cache")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert ("zephyr-build: host core: ICBMsg v2 (Zephyr main's rework), built for the host: "
            "its layout has no pointer-sized fields") in lines
    assert [x for x in lines if x.startswith("zephyr-build: CC")] == [
        "zephyr-build: CC subsys/ipc/ipc_service/ipc_service.c",
        "zephyr-build: CC subsys/ipc/ipc_service/backends/ipc_icbmsg.c"]
    assert not [x for x in lines if "bitarray" in x]
    assert not [x for x in lines if "-m32" in x]
    libs = list((tmp_path / "cache").glob("*/libzephyr_ipc.a"))
    assert len(libs) == 1
    conf = (libs[0].parent / "defaults.conf").read_text().splitlines()
    assert "CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT=16" in conf


def test_v2_left_out_without_an_icbmsg_instance(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("IPC_EMU_M32", raising=False)
    tree = v2_tree(tmp_path)
    r = build(cli, tree, tmp_path / "cache")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert ("zephyr-build: note: backends/ipc_icbmsg.c is not built: ICBMsg v2 (the "
            "queue-based rework of Zephyr main) is built only when the app opens a "
            "zephyr,ipc-icbmsg instance (ipc0, or run --backend icbmsg); its instances get "
            "no device") in lines
    assert [x for x in lines if x.startswith("zephyr-build: CC")] == [
        "zephyr-build: CC subsys/ipc/ipc_service/ipc_service.c"]


def test_v2_shim_gap_names_the_missing_symbol(cli, tmp_path, monkeypatch):
    # A v2-shaped source that calls a hash the shim does not provide stops
    # the build with the symbol named (exit status 2).
    monkeypatch.setenv("IPC_EMU_M32", "on")
    tree = v2_tree(tmp_path)
    src = tree / "subsys" / "ipc" / "ipc_service" / "backends" / "ipc_icbmsg.c"
    src.write_text(V2_SOURCE + "\nuint32_t v2_m3(void);\nuint32_t v2_m3(void)\n"
                   "{\n\treturn sys_hash32_murmur3(\"x\", 1);\n}\n")
    r = build(cli, tree, tmp_path / "cache")
    assert r.returncode == 2
    assert "the compatibility headers lack 'sys_hash32_murmur3'" in r.stderr
