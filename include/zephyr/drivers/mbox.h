/*
 * zephyr/drivers/mbox.h - Zephyr's MBOX API (include/ipc_emu/mbox.h) with
 * MBOX_DT_SPEC_GET() resolved at run time.
 *
 * MBOX_DT_SPEC_GET(node_id, name) makes a spec whose device is a reference
 * to entry `name` of the `mbox-names` of the consumer node `node_id`, and
 * whose channel_id is EMU_ZEPHYR_CHANNEL_UNRESOLVED; every mbox_* call
 * (plain or _dt) replaces both by the controller and channel of the
 * devicetree, so `mbox_send(spec.dev, spec.channel_id, msg)` works too.
 * Callbacks receive the real controller and channel number.
 */
#ifndef ZEPHYR_INCLUDE_DRIVERS_MBOX_H_
#define ZEPHYR_INCLUDE_DRIVERS_MBOX_H_

#include "ipc_emu/mbox.h"
#include <zephyr/device.h>
#include <zephyr/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMU_ZEPHYR_CHANNEL_UNRESOLVED UINT32_MAX

#ifdef EMU_DT_GENERATED
/* With the generated devicetree: the controller of entry `name` of the
 * node's mbox-names and its channel cell, both compile-time constants. */
#define MBOX_DT_SPEC_GET(node_id, name)                                                       \
	{                                                                                     \
		.dev = DEVICE_DT_GET(DT_MBOX_CTLR_BY_NAME(node_id, name)),                    \
		.channel_id = DT_MBOX_CHANNEL_BY_NAME(node_id, name),                         \
	}
#define MBOX_DT_SPEC_INST_GET(inst, name) MBOX_DT_SPEC_GET(DT_DRV_INST(inst), name)
#else
#define MBOX_DT_SPEC_GET(node_id, name)                                                       \
	{                                                                                     \
		.dev = EMU_ZEPHYR_REF(node_id, #name),                                        \
		.channel_id = EMU_ZEPHYR_CHANNEL_UNRESOLVED,                                  \
	}
#endif

/* The controller and channel behind (dev, channel_id): a reference made by
 * MBOX_DT_SPEC_GET gives its entry's, DEVICE_DT_GET's the controller with
 * channel_id unchanged, a real device is returned as is.  Exits with status 2
 * if the devicetree has no such node or entry.  Any thread. */
struct mbox_dt_spec emu_zephyr_mbox_resolve(const struct device *dev,
					    mbox_channel_id_t channel_id);

/* mbox_send() on the resolved controller and channel, between the crash
 * points zephyr_mbox_send_before and zephyr_mbox_send_after (docs/
 * reliability.md).  Any thread, including MBOX callbacks. */
int emu_zephyr_mbox_send(const struct device *dev, mbox_channel_id_t channel_id,
			 const struct mbox_msg *msg);

static inline int emu_zephyr_mbox_register_callback(const struct device *dev,
						    mbox_channel_id_t channel_id,
						    mbox_callback_t cb, void *user_data)
{
	struct mbox_dt_spec s = emu_zephyr_mbox_resolve(dev, channel_id);

	return mbox_register_callback(s.dev, s.channel_id, cb, user_data);
}

static inline int emu_zephyr_mbox_set_enabled(const struct device *dev,
					      mbox_channel_id_t channel_id, bool enabled)
{
	struct mbox_dt_spec s = emu_zephyr_mbox_resolve(dev, channel_id);

	return mbox_set_enabled(s.dev, s.channel_id, enabled);
}

#define mbox_send(dev, channel_id, msg) emu_zephyr_mbox_send(dev, channel_id, msg)
#define mbox_register_callback(dev, channel_id, cb, user_data)                                \
	emu_zephyr_mbox_register_callback(dev, channel_id, cb, user_data)
#define mbox_set_enabled(dev, channel_id, enabled)                                            \
	emu_zephyr_mbox_set_enabled(dev, channel_id, enabled)
#define mbox_mtu_get(dev) mbox_mtu_get(emu_zephyr_dev(dev))
#define mbox_max_channels_get(dev) mbox_max_channels_get(emu_zephyr_dev(dev))

#define mbox_send_dt(spec, msg) emu_zephyr_mbox_send((spec)->dev, (spec)->channel_id, msg)
#define mbox_register_callback_dt(spec, cb, user_data)                                        \
	emu_zephyr_mbox_register_callback((spec)->dev, (spec)->channel_id, cb, user_data)
#define mbox_set_enabled_dt(spec, enabled)                                                    \
	emu_zephyr_mbox_set_enabled((spec)->dev, (spec)->channel_id, enabled)
#define mbox_mtu_get_dt(spec) mbox_mtu_get((spec)->dev)
#define mbox_max_channels_get_dt(spec) mbox_max_channels_get((spec)->dev)
#define mbox_is_ready_dt(spec) device_is_ready((spec)->dev)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_DRIVERS_MBOX_H_ */
