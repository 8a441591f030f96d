/*
 * device.h - the minimal Zephyr device model the core needs.
 *
 * A device is a name, an API table, a const configuration and mutable data,
 * as Zephyr's struct device.  On the host, devices are created at run time
 * from devicetree (see emu.h: emu_board_device()).
 */
#ifndef IPC_EMU_DEVICE_H
#define IPC_EMU_DEVICE_H

#include <stdbool.h>

struct device {
	const char *name;   /* devicetree node label, e.g. "ipc0" */
	const void *config; /* backend/driver specific, read-only */
	const void *api;    /* driver API table */
	void *data;         /* backend/driver specific, mutable */
};

/* True when dev is non-NULL and has an API table. Any context. */
static inline bool device_is_ready(const struct device *dev)
{
	return dev != 0 && dev->api != 0;
}

#endif /* IPC_EMU_DEVICE_H */
