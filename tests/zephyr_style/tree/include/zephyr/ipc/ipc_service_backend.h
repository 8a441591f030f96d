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
};

#endif
