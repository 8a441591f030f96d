/* The backend table of the test tree's IPC service (see ipc_service.h). */
#ifndef ZEPHYR_INCLUDE_IPC_SERVICE_IPC_SERVICE_BACKEND_H_
#define ZEPHYR_INCLUDE_IPC_SERVICE_IPC_SERVICE_BACKEND_H_

#include <zephyr/ipc/ipc_service.h>

struct ipc_service_backend {
	int (*open_instance)(const struct device *instance);
	int (*send)(const struct device *instance, void *token, const void *data, size_t len);
	int (*register_endpoint)(const struct device *instance, void **token,
				 const struct ipc_ept_cfg *cfg);
	int (*deregister_endpoint)(const struct device *instance, void *token);
	/* No-copy (NULL in a backend without it). */
	int (*get_tx_buffer_size)(const struct device *instance, void *token);
	int (*get_tx_buffer)(const struct device *instance, void *token, void **data,
			     uint32_t *len, k_timeout_t wait);
	int (*drop_tx_buffer)(const struct device *instance, void *token, const void *data);
	int (*send_nocopy)(const struct device *instance, void *token, const void *data,
			   size_t len);
	int (*hold_rx_buffer)(const struct device *instance, void *token, void *data);
	int (*release_rx_buffer)(const struct device *instance, void *token, void *data);
};

#endif
