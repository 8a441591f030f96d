/*
 * ipm.h - Zephyr's IPM driver API (drivers/ipm.h), over emulated mailboxes.
 *
 * Same names, arguments, callback signature and return codes as Zephyr.
 * Calls dispatch through the device's struct ipm_driver_api.  IPM is the
 * legacy single-channel mailbox: a message is an id plus at most
 * ipm_max_data_size_get() bytes placed in message registers; the receiver's
 * callback runs in the emulated interrupt context with a pointer to a copy
 * of those registers.
 *
 * Devices come from devicetree (emu_board_device(board, "ipm0")):
 *   "nxp,imx-mu"  i.MX Messaging Unit as Zephyr's ipm_imx.c drives it
 *                 (4, 8 or 16 bytes, max id 3, 1 or 0; id k owns
 *                 data-size/4 32-bit registers)
 *   "ipc-emu,ipm" a generic emulated mailbox (data-size, max-id, direction)
 * docs/ipm.md has the properties and the differences from Zephyr.
 */
#ifndef IPC_EMU_IPM_H
#define IPC_EMU_IPM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/device.h"

/*
 * Called in interrupt context for each received message.  `data` points to a
 * copy of the message registers (ipm_max_data_size_get() bytes, valid until
 * the callback returns); how much of it is meaningful is up to the protocol.
 */
typedef void (*ipm_callback_t)(const struct device *ipmdev, void *user_data, uint32_t id,
			       volatile void *data);

struct ipm_driver_api {
	int (*send)(const struct device *ipmdev, int wait, uint32_t id, const void *data,
		    int size);
	void (*register_callback)(const struct device *ipmdev, ipm_callback_t cb,
				  void *user_data);
	int (*max_data_size_get)(const struct device *ipmdev);
	uint32_t (*max_id_val_get)(const struct device *ipmdev);
	int (*set_enabled)(const struct device *ipmdev, int enable);
	/* CONFIG_IPM_CALLBACK_ASYNC (emu_board_opts.ipm_callback_async) */
	void (*complete)(const struct device *ipmdev);
};

/*
 * Send a message: `id` (<= ipm_max_id_val_get()) and `size` bytes of `data`
 * (NULL allowed when size is 0) placed in the message registers; the
 * registers beyond `size` are written with zeros.  With `wait` != 0 it
 * busy-waits, without a timeout, until the remote's interrupt handler has
 * read the registers (with asynchronous completion: until the remote called
 * ipm_complete()); the remote's callback may still be running.
 * Returns 0; -EBUSY (the remote has not consumed the previous message of
 * this id); -EMSGSIZE (size above ipm_max_data_size_get()); -EINVAL (id too
 * large, size < 0, data NULL with size > 0, or the device is not outbound);
 * -ENOSYS (driver lacks the op).
 * Any thread, also the interrupt thread (a callback may answer with wait = 1
 * as long as the peer is not doing the same towards it at the same time:
 * two interrupt handlers waiting on each other deadlock, as on hardware).
 */
static inline int ipm_send(const struct device *ipmdev, int wait, uint32_t id, const void *data,
			   int size)
{
	const struct ipm_driver_api *api = (const struct ipm_driver_api *)ipmdev->api;

	if (api->send == NULL) {
		return -ENOSYS;
	}
	return api->send(ipmdev, wait, id, data, size);
}

/* Register the receive callback (replaces the previous one; NULL removes it:
 * messages are then consumed and dropped).  Does not enable reception.
 * Any thread. */
static inline void ipm_register_callback(const struct device *ipmdev, ipm_callback_t cb,
					 void *user_data)
{
	const struct ipm_driver_api *api = (const struct ipm_driver_api *)ipmdev->api;

	if (api->register_callback != NULL) {
		api->register_callback(ipmdev, cb, user_data);
	}
}

/* Bytes of message registers: the largest `size` ipm_send() accepts. */
static inline int ipm_max_data_size_get(const struct device *ipmdev)
{
	const struct ipm_driver_api *api = (const struct ipm_driver_api *)ipmdev->api;

	if (api->max_data_size_get == NULL) {
		return -ENOSYS;
	}
	return api->max_data_size_get(ipmdev);
}

/* Largest id ipm_send() accepts (0 if the driver lacks the op). */
static inline uint32_t ipm_max_id_val_get(const struct device *ipmdev)
{
	const struct ipm_driver_api *api = (const struct ipm_driver_api *)ipmdev->api;

	if (api->max_id_val_get == NULL) {
		return 0;
	}
	return api->max_id_val_get(ipmdev);
}

/*
 * Enable (enable != 0) or disable receive interrupts.  Devices start
 * disabled.  A message that arrived while disabled stays in the registers
 * (the sender sees -EBUSY for that id meanwhile) and is delivered right after
 * enabling.  Idempotent.  Returns 0; -EINVAL (the device is not inbound:
 * ipc-emu,ipm with direction = "tx"; nxp,imx-mu is always both ways);
 * -ENOSYS.  Any thread.
 */
static inline int ipm_set_enabled(const struct device *ipmdev, int enable)
{
	const struct ipm_driver_api *api = (const struct ipm_driver_api *)ipmdev->api;

	if (api->set_enabled == NULL) {
		return -ENOSYS;
	}
	return api->set_enabled(ipmdev, enable);
}

/*
 * With asynchronous completion (CONFIG_IPM_CALLBACK_ASYNC, here
 * emu_board_opts.ipm_callback_async): acknowledge the messages delivered to
 * the callback so far; until then they stay unconsumed (the sender's
 * ipm_send() gets -EBUSY, or keeps waiting with wait = 1).  A no-op without
 * the option or with nothing to acknowledge.  Any thread.
 */
static inline void ipm_complete(const struct device *ipmdev)
{
	const struct ipm_driver_api *api = (const struct ipm_driver_api *)ipmdev->api;

	if (api->complete != NULL) {
		api->complete(ipmdev);
	}
}

#endif /* IPC_EMU_IPM_H */
