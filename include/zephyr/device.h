/*
 * zephyr/device.h - Zephyr's device lookup over the emulator's devices.
 *
 * DEVICE_DT_GET(node_id) yields the address of a small "reference" device
 * that names the node (a static object per use without the generated
 * devicetree, one weak object per node with it, see below).  Every compat API that takes a device (ipc_service_open_instance,
 * mbox_send, ipm_send, device_is_ready ...) passes it through
 * emu_zephyr_dev(), which on first use attaches the program to its peer
 * (from the IPC_EMU_* environment that `ipc-emu run --host/--remote` sets;
 * see docs/zephyr-compat.md) and returns the real device of that label.
 * A label the devicetree does not have stops the program with status 2 and
 * a message naming it: Zephyr would have refused to build.
 *
 * Differences from Zephyr: the pointer DEVICE_DT_GET gives is not the one
 * callbacks receive (they get the real device), so compare devices by
 * name, not by address; inside a function DEVICE_DT_GET's reference lives
 * as long as the enclosing block (keep it in a file-scope variable, as
 * Zephyr samples do, or call the APIs while the block runs).
 */
#ifndef ZEPHYR_INCLUDE_DEVICE_H_
#define ZEPHYR_INCLUDE_DEVICE_H_

#include <stdbool.h>
#include <stddef.h>

#include "ipc_emu/device.h"
#include <zephyr/devicetree.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The `config` of every reference device points here. */
extern const char emu_zephyr_ref_tag;

/* A reference to node `node_id` (a string, see zephyr/devicetree.h);
 * `chan` is NULL or the mbox-names entry of an MBOX_DT_SPEC_GET. */
#define EMU_ZEPHYR_REF(node_id, chan)                                                         \
	(&(struct device){                                                                    \
		.name = (node_id), .config = &emu_zephyr_ref_tag, .api = NULL, .data = (chan)})

#ifdef EMU_DT_GENERATED
/*
 * With the generated devicetree (zephyr/devicetree.h): one reference object
 * per device node, defined weak in every file that includes this header so
 * that the linker keeps one, and DEVICE_DT_GET is an address constant, equal
 * across translation units.  A node that is no device of the runtime (no
 * ICMsg/ICBMsg instance, MBOX controller or IPM device) has no object: its
 * DEVICE_DT_GET does not compile (`emu_zephyr_dt_dev_<ordinal>` undeclared),
 * where Zephyr fails to link on `__device_dts_ord_<ordinal>`.  The reference
 * names the node as the runtime finds it (its label, else its path) and is
 * still resolved at run time through emu_zephyr_dev().
 */
#define EMU_ZEPHYR_DT_DEV(node_id) EMU_DT_CAT(emu_zephyr_dt_dev_, DT_DEP_ORD(node_id))
#ifdef EMU_ZEPHYR_DT_DEV_EXTERN
/* A translation unit that defines devices (zephyr/emu_device_define.h):
 * declared only, the weak objects come from the program's other units. */
#define EMU_ZEPHYR_DT_DEV_DEFINE(node_id) extern const struct device EMU_ZEPHYR_DT_DEV(node_id);
#else
#define EMU_ZEPHYR_DT_DEV_DEFINE(node_id)                                                     \
	extern const struct device EMU_ZEPHYR_DT_DEV(node_id);                                \
	__attribute__((weak)) const struct device EMU_ZEPHYR_DT_DEV(node_id) = {              \
		.name = EMU_DT_CAT(node_id, _EMU_DEVICE_REF),                                 \
		.config = &emu_zephyr_ref_tag,                                                \
	};
#endif
EMU_DT_FOREACH_DEVICE(EMU_ZEPHYR_DT_DEV_DEFINE)

#define DEVICE_DT_GET(node_id) (&EMU_ZEPHYR_DT_DEV(node_id))
/* NULL when the node does not exist, is not okay or is no device. */
#define DEVICE_DT_GET_OR_NULL(node_id)                                                        \
	EMU_DT_COND_1(EMU_DT_IS_1(EMU_DT_CAT(node_id, _EMU_DEVICE)), (DEVICE_DT_GET(node_id)), \
		      (NULL))
#define DEVICE_DT_INST_GET(inst) DEVICE_DT_GET(DT_DRV_INST(inst))
#define DEVICE_DT_GET_ANY(compat)                                                             \
	EMU_DT_COND_1(DT_HAS_COMPAT_STATUS_OKAY(compat),                                       \
		      (DEVICE_DT_GET(DT_COMPAT_GET_ANY_STATUS_OKAY(compat))), (NULL))
#define DEVICE_DT_GET_ONE(compat) DEVICE_DT_GET(DT_COMPAT_GET_ANY_STATUS_OKAY(compat))
#define DEVICE_DT_NAME(node_id) DT_PROP_OR(node_id, label, DT_NODE_FULL_NAME(node_id))

/*
 * Kconfig values the runtime uses (emu/zephyr_rt.c reads them through weak
 * references): the program's compiled CONFIG_PBUF_RX_READ_BUF_SIZE is its
 * ICMsg receive buffer, as on Zephyr.
 */
#ifdef CONFIG_PBUF_RX_READ_BUF_SIZE
extern const unsigned int emu_zephyr_kconfig_pbuf_rx_read_buf_size;
__attribute__((weak)) const unsigned int emu_zephyr_kconfig_pbuf_rx_read_buf_size =
	CONFIG_PBUF_RX_READ_BUF_SIZE;
#endif

#else /* !EMU_DT_GENERATED */

#define DEVICE_DT_GET(node_id) ((const struct device *)EMU_ZEPHYR_REF(node_id, NULL))
#define DEVICE_DT_GET_OR_NULL(node_id) DEVICE_DT_GET(node_id)

#endif /* EMU_DT_GENERATED */

/*
 * The real device behind `dev`: a reference is resolved by label or path
 * (attaching the program on first use), a real device is returned as is,
 * NULL stays NULL.  Exits with status 2 (and a message on stderr) if the
 * program cannot attach or the devicetree has no such node.  Any thread.
 */
const struct device *emu_zephyr_dev(const struct device *dev);

/* Zephyr's device_get_binding(): the device whose name (label) is `name`,
 * or NULL.  Attaches on first use like emu_zephyr_dev(). */
const struct device *emu_zephyr_device_get_binding(const char *name);

/* device_is_ready(): true for a device of the devicetree (after resolving a
 * reference); false for NULL. */
static inline bool emu_zephyr_device_is_ready(const struct device *dev)
{
	dev = emu_zephyr_dev(dev);
	return dev != NULL && dev->api != NULL;
}

#define device_is_ready(dev) emu_zephyr_device_is_ready(dev)
#define device_get_binding(name) emu_zephyr_device_get_binding(name)

#ifdef __cplusplus
}
#endif

#include <zephyr/emu_device_define.h>

#endif /* ZEPHYR_INCLUDE_DEVICE_H_ */
