/*
 * mbox.h - Zephyr's MBOX driver API (drivers/mbox.h), over emulated mailboxes.
 *
 * Same names, arguments and return codes as Zephyr.  Calls dispatch through
 * the device's struct mbox_driver_api; a missing operation answers -ENOSYS.
 *
 * Two modes: signalling (mtu 0: msg must be NULL, the callback gets NULL) and
 * data (mtu > 0: per-channel message registers; the callback gets a
 * struct mbox_msg pointing at a private copy, valid until it returns).
 * Callbacks run in the emulated interrupt context.  A channel is outbound
 * and/or inbound for a core, as its devicetree uses it (docs/mbox.md).
 */
#ifndef IPC_EMU_MBOX_H
#define IPC_EMU_MBOX_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/device.h"

typedef uint32_t mbox_channel_id_t;

struct mbox_msg {
	const void *data; /* message payload (data mode) */
	size_t size;      /* payload size in bytes */
};

/* A channel from devicetree: `mboxes = <&mbox N>` with `mbox-names`. */
struct mbox_dt_spec {
	const struct device *dev;
	mbox_channel_id_t channel_id;
};

/* Called in interrupt context; data is NULL in signalling mode. */
typedef void (*mbox_callback_t)(const struct device *dev, mbox_channel_id_t channel_id,
				void *user_data, struct mbox_msg *data);

struct mbox_driver_api {
	int (*send)(const struct device *dev, mbox_channel_id_t channel_id,
		    const struct mbox_msg *msg);
	int (*register_callback)(const struct device *dev, mbox_channel_id_t channel_id,
				 mbox_callback_t cb, void *user_data);
	int (*mtu_get)(const struct device *dev);
	uint32_t (*max_channels_get)(const struct device *dev);
	int (*set_enabled)(const struct device *dev, mbox_channel_id_t channel_id, bool enabled);
};

/*
 * Send on an outbound channel.  Any thread, ISR-safe, never blocks.
 * msg == NULL signals the channel (both modes; back-to-back signals
 * coalesce into one callback, which gets NULL).  In data mode msg->size
 * (0..MTU) bytes are copied into the channel's message registers; the
 * message is consumed when the remote's interrupt thread has copied them
 * out, right before its callback runs.
 * Returns 0; -EBUSY (data mode: the remote has not consumed the previous
 * message on this channel, e.g. while the channel is disabled there);
 * -EMSGSIZE (message above the MTU, or any message in signalling mode);
 * -EINVAL (bad channel, not outbound, or msg->data NULL with a size);
 * -ENOSYS (driver lacks the op).
 */
static inline int mbox_send(const struct device *dev, mbox_channel_id_t channel_id,
			    const struct mbox_msg *msg)
{
	const struct mbox_driver_api *api = (const struct mbox_driver_api *)dev->api;

	if (api->send == NULL) {
		return -ENOSYS;
	}
	return api->send(dev, channel_id, msg);
}

/*
 * Register the callback of an inbound channel (replaces a previous one; NULL
 * removes it: events are then taken, and data-mode messages consumed, with
 * nobody told).  Does not enable the channel.  Returns 0, -EINVAL (bad
 * channel or not inbound), -ENOSYS.  Any thread.
 */
static inline int mbox_register_callback(const struct device *dev, mbox_channel_id_t channel_id,
					 mbox_callback_t cb, void *user_data)
{
	const struct mbox_driver_api *api = (const struct mbox_driver_api *)dev->api;

	if (api->register_callback == NULL) {
		return -ENOSYS;
	}
	return api->register_callback(dev, channel_id, cb, user_data);
}

/* Maximum payload in bytes: > 0 data mode, 0 signalling only, < 0 error. */
static inline int mbox_mtu_get(const struct device *dev)
{
	const struct mbox_driver_api *api = (const struct mbox_driver_api *)dev->api;

	if (api->mtu_get == NULL) {
		return -ENOSYS;
	}
	return api->mtu_get(dev);
}

/* Number of channels of the controller. */
static inline uint32_t mbox_max_channels_get(const struct device *dev)
{
	const struct mbox_driver_api *api = (const struct mbox_driver_api *)dev->api;

	if (api->max_channels_get == NULL) {
		return 0;
	}
	return api->max_channels_get(dev);
}

/*
 * Enable or disable interrupts of an inbound channel.  An event raised while
 * the channel was disabled stays pending and fires right after enabling.
 * Returns 0, -EINVAL (bad channel / not inbound), -EALREADY (already in that
 * state), -ENOSYS.
 */
static inline int mbox_set_enabled(const struct device *dev, mbox_channel_id_t channel_id,
				   bool enabled)
{
	const struct mbox_driver_api *api = (const struct mbox_driver_api *)dev->api;

	if (api->set_enabled == NULL) {
		return -ENOSYS;
	}
	return api->set_enabled(dev, channel_id, enabled);
}

static inline int mbox_send_dt(const struct mbox_dt_spec *spec, const struct mbox_msg *msg)
{
	return mbox_send(spec->dev, spec->channel_id, msg);
}

static inline int mbox_register_callback_dt(const struct mbox_dt_spec *spec, mbox_callback_t cb,
					    void *user_data)
{
	return mbox_register_callback(spec->dev, spec->channel_id, cb, user_data);
}

static inline int mbox_mtu_get_dt(const struct mbox_dt_spec *spec)
{
	return mbox_mtu_get(spec->dev);
}

static inline uint32_t mbox_max_channels_get_dt(const struct mbox_dt_spec *spec)
{
	return mbox_max_channels_get(spec->dev);
}

static inline int mbox_set_enabled_dt(const struct mbox_dt_spec *spec, bool enabled)
{
	return mbox_set_enabled(spec->dev, spec->channel_id, enabled);
}

static inline bool mbox_is_ready_dt(const struct mbox_dt_spec *spec)
{
	return device_is_ready(spec->dev);
}

#endif /* IPC_EMU_MBOX_H */
