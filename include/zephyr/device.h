/*
 * zephyr/device.h - Zephyr's device lookup over the emulator's devices.
 *
 * DEVICE_DT_GET(node_id) does not need the devicetree at compile time: it
 * yields the address of a small static "reference" device that names the
 * node.  Every compat API that takes a device (ipc_service_open_instance,
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

#define DEVICE_DT_GET(node_id) ((const struct device *)EMU_ZEPHYR_REF(node_id, NULL))
#define DEVICE_DT_GET_OR_NULL(node_id) DEVICE_DT_GET(node_id)

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

#endif /* ZEPHYR_INCLUDE_DEVICE_H_ */
