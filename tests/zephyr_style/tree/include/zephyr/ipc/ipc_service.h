/*
 * A Zephyr-style IPC service API for ipc-emu's tests (our own code, laid
 * out like a Zephyr tree so that `ipc-emu zephyr-build` builds it exactly as
 * it builds Zephyr's; see tests/zephyr_style/README).  A subset of Zephyr's
 * API: open an instance, register endpoints, send, and the no-copy calls
 * (get/drop a TX buffer, send it, hold/release an RX buffer).
 */
#ifndef ZEPHYR_INCLUDE_IPC_IPC_SERVICE_H_
#define ZEPHYR_INCLUDE_IPC_IPC_SERVICE_H_

#include <stddef.h>
#include <stdint.h>
#include <zephyr/device.h>
#include <zephyr/kernel.h>

struct ipc_service_cb {
	void (*bound)(void *priv);
	void (*unbound)(void *priv);
	void (*received)(const void *data, size_t len, void *priv);
	void (*error)(const char *message, void *priv);
};

struct ipc_ept_cfg {
	const char *name;
	int prio;
	struct ipc_service_cb cb;
	void *priv;
};

struct ipc_ept {
	const struct device *instance;
	void *token;
};

int ipc_service_open_instance(const struct device *instance);
int ipc_service_register_endpoint(const struct device *instance, struct ipc_ept *ept,
				  const struct ipc_ept_cfg *cfg);
int ipc_service_deregister_endpoint(struct ipc_ept *ept);
int ipc_service_send(struct ipc_ept *ept, const void *data, size_t len);
int ipc_service_get_tx_buffer_size(struct ipc_ept *ept);
int ipc_service_get_tx_buffer(struct ipc_ept *ept, void **data, uint32_t *size, k_timeout_t wait);
int ipc_service_drop_tx_buffer(struct ipc_ept *ept, const void *data);
int ipc_service_send_nocopy(struct ipc_ept *ept, const void *data, size_t len);
int ipc_service_hold_rx_buffer(struct ipc_ept *ept, void *data);
int ipc_service_release_rx_buffer(struct ipc_ept *ept, void *data);

#endif
