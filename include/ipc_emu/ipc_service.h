/*
 * ipc_service.h - Zephyr's IPC service API (include/zephyr/ipc/ipc_service.h):
 * same names, arguments, callbacks and return codes.
 *
 * An instance is a struct device whose api is a struct ipc_service_backend
 * (ICMsg, ICBMsg).  On the host, look instances up with emu_board_device().
 *
 * Typical use: ipc_service_open_instance() (0 or -EALREADY are both fine),
 * ipc_service_register_endpoint(), wait for the bound() callback, then
 * ipc_service_send().  Callbacks run on the backend's receive context (the
 * ICMsg work-queue thread by default, or the interrupt thread).
 */
#ifndef IPC_EMU_IPC_SERVICE_H
#define IPC_EMU_IPC_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/device.h"
#include "ipc_emu/timeout.h"

struct ipc_service_cb {
	/* The endpoint is bound to the peer's: sending is possible. */
	void (*bound)(void *priv);
	/* The binding was lost (peer closed or rebooted); re-register to rebond. */
	void (*unbound)(void *priv);
	/* A message arrived; data is valid only until return (unless held). */
	void (*received)(const void *data, size_t len, void *priv);
	/* The backend hit an unrecoverable condition; message says which. */
	void (*error)(const char *message, void *priv);
};

struct ipc_ept_cfg {
	const char *name;         /* endpoint name, used for binding */
	int prio;                 /* backend specific (unused by ICMsg/classic ICBMsg) */
	struct ipc_service_cb cb;
	void *priv;               /* passed to every callback */
};

struct ipc_ept {
	const struct device *instance; /* set while registered */
	void *token;                   /* backend private */
};

/* Backend operations; a NULL op means "not supported" (see each function). */
struct ipc_service_backend {
	int (*open_instance)(const struct device *instance);
	int (*close_instance)(const struct device *instance);
	int (*send)(const struct device *instance, void *token, const void *data, size_t len);
	int (*send_critical)(const struct device *instance, void *token, const void *data,
			     size_t len);
	int (*register_endpoint)(const struct device *instance, void **token,
				 const struct ipc_ept_cfg *cfg);
	int (*deregister_endpoint)(const struct device *instance, void *token);
	int (*get_tx_buffer_size)(const struct device *instance, void *token);
	int (*get_tx_buffer)(const struct device *instance, void *token, void **data,
			     uint32_t *len, k_timeout_t wait);
	int (*drop_tx_buffer)(const struct device *instance, void *token, const void *data);
	int (*send_nocopy)(const struct device *instance, void *token, const void *data,
			   size_t len);
	int (*hold_rx_buffer)(const struct device *instance, void *token, void *data);
	int (*release_rx_buffer)(const struct device *instance, void *token, void *data);
};

/*
 * Open an instance.  Returns 0 (also when the backend has no open op),
 * -EINVAL (instance NULL), -EIO (no backend ops), -EALREADY (already open),
 * or a backend error.  Thread context.
 */
int ipc_service_open_instance(const struct device *instance);

/*
 * Close an instance.  Returns 0 (also without close op), -EINVAL, -EIO,
 * -EALREADY (not open), -EBUSY (endpoints still registered), backend errors.
 */
int ipc_service_close_instance(const struct device *instance);

/*
 * Register an endpoint.  ept->instance is set before the backend is called
 * (and kept if it fails, as Zephyr does).  Returns 0, -EINVAL (a NULL
 * argument), -EIO (backend lacks the op), -EBUSY, -EALREADY, -ENOMEM (no free
 * endpoint slot), or a backend error.
 */
int ipc_service_register_endpoint(const struct device *instance, struct ipc_ept *ept,
				  const struct ipc_ept_cfg *cfg);

/*
 * Deregister.  Returns 0 and clears ept->instance (a later send answers
 * -ENOENT); -EINVAL (ept NULL); -ENOENT (not registered); -EIO (backend lacks
 * the op); a backend error leaves ept->instance as it was.
 */
int ipc_service_deregister_endpoint(struct ipc_ept *ept);

/*
 * Send a copy of data.  Returns the number of bytes sent, -EINVAL (ept NULL),
 * -ENOENT (not registered), -EIO (backend lacks the op), and backend codes:
 * ICMsg -EBUSY (not bound), -ENODATA (len 0), -ENOBUFS (TX lock timeout),
 * -ENOMEM (no room now: retry), -EMSGSIZE (can never fit), -EBADMSG.
 */
int ipc_service_send(struct ipc_ept *ept, const void *data, size_t len);

/* High-priority send; -ENOTSUP when the backend has no such path. */
int ipc_service_send_critical(struct ipc_ept *ept, const void *data, size_t len);

/* Largest buffer get_tx_buffer can return, or -EINVAL/-ENOENT/-EIO. */
int ipc_service_get_tx_buffer_size(struct ipc_ept *ept);

/*
 * Allocate a TX buffer in shared memory.  *size == 0 asks for the largest
 * available; on return *size is the size obtained.  Returns 0, -EINVAL,
 * -ENOENT, -EIO (backend lacks get_tx_buffer or send_nocopy), -ENOBUFS,
 * -EALREADY, -ENOMEM (too big; *size set to the maximum), -EAGAIN (timeout).
 */
int ipc_service_get_tx_buffer(struct ipc_ept *ept, void **data, uint32_t *size,
			      k_timeout_t wait);

/* Give back an unsent TX buffer: 0, -EINVAL, -ENOENT, -EIO, -EALREADY, -ENXIO. */
int ipc_service_drop_tx_buffer(struct ipc_ept *ept, const void *data);

/* Send a buffer from get_tx_buffer: bytes sent, -EINVAL, -ENOENT, -EIO, -EBADMSG, -EBUSY. */
int ipc_service_send_nocopy(struct ipc_ept *ept, const void *data, size_t len);

/* Keep an RX buffer after received() returns: 0, -EINVAL, -ENOENT, -EIO, -EALREADY, -ENOTSUP. */
int ipc_service_hold_rx_buffer(struct ipc_ept *ept, void *data);

/* Release a held RX buffer: 0, -EINVAL, -ENOENT, -EIO, -EALREADY, -ENXIO. */
int ipc_service_release_rx_buffer(struct ipc_ept *ept, void *data);

#endif /* IPC_EMU_IPC_SERVICE_H */
