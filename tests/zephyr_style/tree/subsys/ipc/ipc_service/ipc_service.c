/* The test tree's IPC service: argument checks and dispatch to a backend. */
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/ipc/ipc_service_backend.h>
#include <zephyr/logging/log.h>
#include <zephyr/device.h>
#include <zephyr/sys/check.h>

LOG_MODULE_REGISTER(ipc_service, CONFIG_IPC_SERVICE_LOG_LEVEL);

int ipc_service_open_instance(const struct device *instance)
{
	const struct ipc_service_backend *backend;

	CHECKIF(instance == NULL) {
		return -EINVAL;
	}
	backend = (const struct ipc_service_backend *)instance->api;
	if (!backend) {
		LOG_ERR("Invalid backend configuration");
		return -EIO;
	}
	return backend->open_instance != NULL ? backend->open_instance(instance) : 0;
}

int ipc_service_register_endpoint(const struct device *instance, struct ipc_ept *ept,
				  const struct ipc_ept_cfg *cfg)
{
	const struct ipc_service_backend *backend;

	CHECKIF(!instance || !ept || !cfg) {
		return -EINVAL;
	}
	backend = (const struct ipc_service_backend *)instance->api;
	if (!backend || !backend->register_endpoint) {
		return -EIO;
	}
	ept->instance = instance;
	LOG_DBG("Register endpoint %s", cfg->name ? cfg->name : "");
	return backend->register_endpoint(instance, &ept->token, cfg);
}

int ipc_service_deregister_endpoint(struct ipc_ept *ept)
{
	const struct ipc_service_backend *backend;
	int ret;

	CHECKIF(!ept) {
		return -EINVAL;
	}
	if (!ept->instance) {
		return -ENOENT;
	}
	backend = ept->instance->api;
	if (!backend || !backend->deregister_endpoint) {
		return -EIO;
	}
	ret = backend->deregister_endpoint(ept->instance, ept->token);
	if (ret < 0) {
		return ret;
	}
	ept->instance = NULL;
	return 0;
}

int ipc_service_send(struct ipc_ept *ept, const void *data, size_t len)
{
	const struct ipc_service_backend *backend;

	CHECKIF(!ept || !ept->instance) {
		return -EINVAL;
	}
	backend = ept->instance->api;
	if (!backend || !backend->send) {
		return -EIO;
	}
	return backend->send(ept->instance, ept->token, data, len);
}
