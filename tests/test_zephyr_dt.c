/*
 * test_zephyr_dt.c - the compile-time devicetree and Kconfig of a Zephyr
 * build: compiled against the headers `ipc-emu zephyr-config` generates at
 * build time for the REMOTE core from tests/zephyr_dt/board.dts (one DTS:
 * the remote sees its mirror image) and tests/zephyr_dt/prj.conf plus
 * CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP=7 CONFIG_APP_NAME="dt test"
 * (CMakeLists.txt, examples section).  Nothing here runs the emulator: the
 * values are checked as the compiler sees them.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/mbox.h>

#include "support/vg_cases.h"
#include "zephyr_dt/second_tu.h"

#ifndef EMU_DT_GENERATED
#error "the generated devicetree is not on the include path"
#endif

/* --- usable in #if ---------------------------------------------------------- */
#if !DT_NODE_EXISTS(DT_NODELABEL(ipc0)) || DT_NODE_EXISTS(DT_NODELABEL(no_such_label))
#error "DT_NODE_EXISTS in #if"
#endif
#if DT_PROP(DT_NODELABEL(s0), gain) != 7 || DT_REG_ADDR(DT_NODELABEL(s0)) != 0x50001000
#error "DT_PROP / DT_REG_ADDR in #if"
#endif
#if !DT_HAS_COMPAT_STATUS_OKAY(zephyr_ipc_icbmsg) || DT_HAS_COMPAT_STATUS_OKAY(vnd_nothing)
#error "DT_HAS_COMPAT_STATUS_OKAY in #if"
#endif
#if !DT_NODE_HAS_STATUS(DT_NODELABEL(s0), okay) || DT_NODE_HAS_STATUS(DT_NODELABEL(s1), okay)
#error "DT_NODE_HAS_STATUS in #if"
#endif
#if !defined(CONFIG_LOG) || CONFIG_LOG_DEFAULT_LEVEL != 4 || defined(CONFIG_ZTEST)
#error "Kconfig in #if"
#endif

#define SENSOR DT_NODELABEL(s0)
#define IPC0 DT_NODELABEL(ipc0)
#define IPC1 DT_NODELABEL(ipc1)

VgTest(zephyr_dt, int_string_and_boolean_properties, .timeout = 10)
{
	cr_assert_eq(DT_PROP(SENSOR, gain), 7);
	cr_assert_str_eq(DT_PROP(SENSOR, label_text), "left eye");
	cr_assert_eq(DT_PROP(SENSOR, has_irq), 1);
	cr_assert_eq(DT_NODE_HAS_PROP(SENSOR, has_irq), 1);
	cr_assert_eq(DT_NODE_HAS_PROP(SENSOR, no_such_prop), 0);
	cr_assert_eq(DT_PROP_OR(SENSOR, gain, 99), 7);
	cr_assert_eq(DT_PROP_OR(DT_NODELABEL(s2), no_such_prop, 99), 99);
	cr_assert_eq(DT_PROP(IPC0, dcache_alignment), 8);
}

VgTest(zephyr_dt, arrays_string_arrays_and_bytes, .timeout = 10)
{
	static const uint32_t coeffs[] = DT_PROP(SENSOR, coeffs);
	static const char *const modes[] = DT_PROP(SENSOR, modes);
	static const uint8_t blob[] = DT_PROP(SENSOR, blob);

	cr_assert_eq(DT_PROP_LEN(SENSOR, coeffs), 3);
	cr_assert_eq(sizeof(coeffs) / sizeof(coeffs[0]), 3);
	cr_assert_eq(coeffs[2], 0xffffffffu);
	cr_assert_eq(DT_PROP_BY_IDX(SENSOR, coeffs, 1), 2);
	cr_assert_eq(DT_PROP_HAS_IDX(SENSOR, coeffs, 2), 1);
	cr_assert_eq(DT_PROP_HAS_IDX(SENSOR, coeffs, 3), 0);
	cr_assert_eq(DT_PROP_LEN(SENSOR, modes), 2);
	cr_assert_str_eq(modes[1], "slow-mode");
	cr_assert_str_eq(DT_PROP_BY_IDX(SENSOR, modes, 0), "fast");
	cr_assert_eq(DT_PROP_LEN(SENSOR, blob), 3);
	cr_assert_eq(blob[0], 0xde);
	cr_assert_eq(blob[2], 0x01);
	cr_assert_eq(DT_PROP_LEN(DT_NODELABEL(s2), compatible), 2);
}

#define ADD_ELEM(node, prop, idx) +DT_PROP_BY_IDX(node, prop, idx)

VgTest(zephyr_dt, foreach_prop_elem, .timeout = 10)
{
	cr_assert_eq(0 DT_FOREACH_PROP_ELEM(SENSOR, coeffs, ADD_ELEM), 3ull + 0xffffffffull);
}

VgTest(zephyr_dt, reg_through_ranges_and_by_name, .timeout = 10)
{
	cr_assert_eq(DT_NUM_REGS(SENSOR), 2);
	cr_assert_eq(DT_REG_ADDR(SENSOR), 0x50001000);
	cr_assert_eq(DT_REG_SIZE(SENSOR), 0x100);
	cr_assert_eq(DT_REG_ADDR_BY_IDX(SENSOR, 1), 0x50002000);
	cr_assert_eq(DT_REG_SIZE_BY_NAME(SENSOR, fifo), 0x20);
	cr_assert_eq(DT_REG_HAS_NAME(SENSOR, fifo), 1);
	cr_assert_eq(DT_REG_HAS_IDX(SENSOR, 2), 0);
}

VgTest(zephyr_dt, phandles_of_the_mirrored_remote_view, .timeout = 10)
{
	/* The host's tx-region is sram_a; the remote's is the host's rx-region. */
	cr_assert_eq(DT_REG_ADDR(DT_PHANDLE(IPC0, tx_region)), 0x20074000);
	cr_assert_eq(DT_REG_SIZE(DT_PHANDLE(IPC0, tx_region)), 0x2000);
	cr_assert_eq(DT_REG_ADDR(DT_PHANDLE(IPC0, rx_region)), 0x20070000);
	cr_assert_eq(DT_SAME_NODE(DT_PHANDLE(IPC0, rx_region), DT_NODELABEL(sram_a)), 1);
	cr_assert_eq(DT_PROP(IPC1, tx_blocks), 24);
	cr_assert_eq(DT_PROP(IPC1, rx_blocks), 16);
	cr_assert_str_eq(DT_PROP_BY_IDX(IPC0, mbox_names, 0), "rx");
}

VgTest(zephyr_dt, mboxes_by_name, .timeout = 10)
{
	cr_assert_eq(DT_MBOX_CHANNEL_BY_NAME(IPC0, tx), 5);
	cr_assert_eq(DT_MBOX_CHANNEL_BY_NAME(IPC0, rx), 2);
	cr_assert_eq(DT_PHA_BY_IDX(IPC1, mboxes, 1, channel), 7);
	cr_assert_eq(DT_PROP_LEN(IPC1, mboxes), 2);
	cr_assert_eq(DT_SAME_NODE(DT_MBOX_CTLR_BY_NAME(IPC0, tx), DT_NODELABEL(mbox)), 1);
	cr_assert_eq(DT_PROP_HAS_NAME(IPC0, mboxes, tx), 1);
	cr_assert_eq(DT_PROP_HAS_NAME(IPC0, mboxes, nope), 0);
}

VgTest(zephyr_dt, enum_and_string_tokens, .timeout = 10)
{
	enum { accel = 3, DETECT = 2 };

	cr_assert_eq(DT_ENUM_IDX(IPC0, unbound), 2);
	cr_assert_eq(DT_ENUM_HAS_VALUE(IPC0, unbound, detect), 1);
	cr_assert_eq(DT_ENUM_HAS_VALUE(IPC0, unbound, enable), 0);
	cr_assert_eq(DT_STRING_UPPER_TOKEN(IPC0, unbound), DETECT);
	cr_assert_eq(DT_STRING_TOKEN(SENSOR, kind), accel);
	/* ipc1 is ICBMsg: no unbound; the disabled ICMsg node has the default. */
	cr_assert_eq(DT_NODE_HAS_PROP(IPC1, unbound), 0);
	cr_assert_eq(DT_ENUM_IDX(DT_NODELABEL(ipc9), unbound), 0);
}

VgTest(zephyr_dt, paths_labels_aliases_chosen, .timeout = 10)
{
	cr_assert_str_eq(DT_NODE_PATH(DT_PATH(periph, sensor_1000)), "/periph/sensor@1000");
	cr_assert_str_eq(DT_NODE_FULL_NAME(SENSOR), "sensor@1000");
	cr_assert_eq(DT_SAME_NODE(DT_ALIAS(my_ipc), IPC0), 1);
	cr_assert_eq(DT_SAME_NODE(DT_CHOSEN(zephyr_ipc), IPC1), 1);
	cr_assert_eq(DT_HAS_CHOSEN(zephyr_console), 0);
	cr_assert_eq(DT_SAME_NODE(DT_PARENT(SENSOR), DT_PATH(periph)), 1);
	cr_assert_eq(DT_SAME_NODE(DT_CHILD(DT_PATH(ipc), ipc1), IPC1), 1);
	cr_assert_eq(DT_NODE_HAS_COMPAT(DT_NODELABEL(s2), vnd_generic), 1);
	cr_assert_eq(DT_NODE_HAS_COMPAT(SENSOR, vnd_generic), 0);
	cr_assert_eq(DT_DEP_ORD(DT_ROOT), 0);
}

#define COUNT_ONE(node_id) +1
#define NODE_GAIN(node_id) DT_PROP(node_id, gain),

VgTest(zephyr_dt, foreach_child, .timeout = 10)
{
	static const int gains[] = {DT_FOREACH_CHILD(DT_PATH(periph), NODE_GAIN)};
	static const int okay[] = {DT_FOREACH_CHILD_STATUS_OKAY(DT_PATH(periph), NODE_GAIN)};

	cr_assert_eq(0 DT_FOREACH_CHILD(DT_PATH(ipc), COUNT_ONE), 3);
	cr_assert_eq(sizeof(gains) / sizeof(gains[0]), 3);
	cr_assert_eq(gains[0], 7);
	cr_assert_eq(gains[1], 1);
	cr_assert_eq(sizeof(okay) / sizeof(okay[0]), 2);
	cr_assert_eq(okay[1], 9);
}

#undef DT_DRV_COMPAT
#define DT_DRV_COMPAT vnd_sensor
#define INST_GAIN(inst) DT_INST_PROP(inst, gain),
#define INST_ADDR(inst) DT_INST_REG_ADDR(inst),

VgTest(zephyr_dt, inst_foreach_status_okay_counts_and_order, .timeout = 10)
{
	static const int gains[] = {DT_INST_FOREACH_STATUS_OKAY(INST_GAIN)};
	static const unsigned long addrs[] = {DT_INST_FOREACH_STATUS_OKAY(INST_ADDR)};

	cr_assert_eq(DT_NUM_INST_STATUS_OKAY(vnd_sensor), 2);
	cr_assert_eq(sizeof(gains) / sizeof(gains[0]), 2);
	cr_assert_eq(gains[0], 7);
	cr_assert_eq(gains[1], 9);
	cr_assert_eq(addrs[1], 0x50004000ul);
	cr_assert_eq(DT_INST_PROP_OR(1, no_such_prop, 5), 5);
	cr_assert_eq(DT_INST_NODE_HAS_PROP(0, has_irq), 1);
	cr_assert_eq(DT_INST_NODE_HAS_PROP(1, has_irq), 0);
	cr_assert_eq(DT_NUM_INST_STATUS_OKAY(zephyr_ipc_icmsg), 1);
	cr_assert_eq(DT_NUM_INST_STATUS_OKAY(vnd_nothing), 0);
	cr_assert_eq(0 DT_FOREACH_STATUS_OKAY(vnd_nothing, COUNT_ONE), 0);
	cr_assert_eq(0 DT_FOREACH_STATUS_OKAY(vnd_mbox_consumer, COUNT_ONE), 1);
}

#undef DT_DRV_COMPAT
#define DT_DRV_COMPAT zephyr_ipc_icmsg

VgTest(zephyr_dt, inst_of_the_ipc_binding, .timeout = 10)
{
	enum { DISABLE = 0, ENABLE = 1, DETECT = 2 };

	cr_assert_eq(DT_INST_STRING_UPPER_TOKEN(0, unbound), DETECT);
	cr_assert_eq(DT_REG_ADDR(DT_INST_PHANDLE(0, rx_region)), 0x20070000);
	cr_assert_eq(DEVICE_DT_INST_GET(0), DEVICE_DT_GET(IPC0));
}

static const struct device *const here_ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
static const struct mbox_dt_spec here_tx = MBOX_DT_SPEC_GET(DT_NODELABEL(consumer), tx);

VgTest(zephyr_dt, device_dt_get_is_one_constant_across_units, .timeout = 10)
{
	cr_assert_eq(here_ipc0, second_tu_ipc0);
	cr_assert_eq(DEVICE_DT_GET(DT_NODELABEL(mbox)), second_tu_mbox);
	cr_assert_neq(here_ipc0, second_tu_mbox);
	cr_assert_str_eq(here_ipc0->name, "ipc0");
	cr_assert_eq(DEVICE_DT_GET_OR_NULL(DT_NODELABEL(ipc1)), DEVICE_DT_GET(IPC1));
	cr_assert_null(DEVICE_DT_GET_OR_NULL(DT_NODELABEL(no_such_label)));
	cr_assert_null(DEVICE_DT_GET_OR_NULL(DT_NODELABEL(s0))); /* no device */
}

VgTest(zephyr_dt, mbox_dt_spec_has_the_channel_of_the_dts, .timeout = 10)
{
	/* mirror: the host's "rx" <&mbox 11> is the remote's "tx" */
	cr_assert_eq(here_tx.channel_id, 11);
	cr_assert_eq(here_tx.dev, DEVICE_DT_GET(DT_NODELABEL(mbox)));
	cr_assert_eq(second_tu_consumer_tx.channel_id, 11);
	cr_assert_eq(second_tu_consumer_tx.dev, here_tx.dev);
}

VgTest(zephyr_dt, kconfig_defaults_and_overrides, .timeout = 10)
{
	cr_assert_eq(CONFIG_SYS_CLOCK_TICKS_PER_SEC, 1000);
	cr_assert_eq(CONFIG_MULTITHREADING, 1);
	cr_assert_eq(CONFIG_IPC_SERVICE_BACKEND_ICMSG_CB_BUF_SIZE, 255);
	cr_assert_eq(CONFIG_IPC_SERVICE_REG_BACKEND_PRIORITY, 46);
	cr_assert_eq(CONFIG_PBUF_RX_READ_BUF_SIZE, 512);
	cr_assert_eq(CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP, 7);
	cr_assert_eq(CONFIG_IPC_SERVICE_LOG_LEVEL, 4); /* follows LOG_DEFAULT_LEVEL */
	cr_assert_eq(CONFIG_ASSERT, 1);
	cr_assert_eq(CONFIG_APP_THING, 0x20);
	cr_assert_str_eq(CONFIG_APP_NAME, "dt test");
	cr_assert_eq(IS_ENABLED(CONFIG_IPC_SERVICE_ICMSG_SHMEM_ACCESS_SYNC), 0);
	cr_assert_eq(IS_ENABLED(CONFIG_DT_HAS_ZEPHYR_IPC_ICBMSG_ENABLED), 1);
	cr_assert_eq(IS_ENABLED(CONFIG_DT_HAS_VND_SENSOR_ENABLED), 1);
	cr_assert_eq(IS_ENABLED(CONFIG_IPM_IMX), 0);
	/* the runtime reads the program's value */
	cr_assert_eq(emu_zephyr_kconfig_pbuf_rx_read_buf_size, 512u);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(zephyr_dt, 600)
