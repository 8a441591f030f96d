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

/* The endpoint's backend for a call: 0, or -EINVAL / -ENOENT / -EIO. */
static int ept_backend(struct ipc_ept *ept, const struct ipc_service_backend **backend)
{
	CHECKIF(!ept) {
		return -EINVAL;
	}
	if (!ept->instance) {
		LOG_ERR("Endpoint not registered");
		return -ENOENT;
	}
	*backend = ept->instance->api;
	if (!*backend) {
		LOG_ERR("Invalid backend configuration");
		return -EIO;
	}
	return 0;
}

/* What a backend must provide for a group of calls: the no-copy TX calls
 * come as a pair (a buffer taken must be sendable), and so do hold and
 * release (holding needs a way back).
 */
static bool has_tx_buffer_size(const struct ipc_service_backend *backend)
{
	return backend->get_tx_buffer_size != NULL;
}

static bool has_nocopy_tx(const struct ipc_service_backend *backend)
{
	return backend->get_tx_buffer != NULL && backend->send_nocopy != NULL;
}

static bool has_drop_tx(const struct ipc_service_backend *backend)
{
	return backend->drop_tx_buffer != NULL;
}

static bool has_rx_hold(const struct ipc_service_backend *backend)
{
	return backend->hold_rx_buffer != NULL && backend->release_rx_buffer != NULL;
}

/* ept_backend(), then -EIO unless the backend has what `has` asks for. */
static int ept_backend_with(struct ipc_ept *ept, const struct ipc_service_backend **backend,
			    bool (*has)(const struct ipc_service_backend *backend))
{
	int ret = ept_backend(ept, backend);

	if (ret < 0) {
		return ret;
	}
	return has(*backend) ? 0 : -EIO;
}

int ipc_service_get_tx_buffer_size(struct ipc_ept *ept)
{
	const struct ipc_service_backend *backend;
	int ret = ept_backend_with(ept, &backend, has_tx_buffer_size);

	return ret < 0 ? ret : backend->get_tx_buffer_size(ept->instance, ept->token);
}

int ipc_service_get_tx_buffer(struct ipc_ept *ept, void **data, uint32_t *size, k_timeout_t wait)
{
	const struct ipc_service_backend *backend;
	int ret;

	CHECKIF(!data || !size) {
		return -EINVAL;
	}
	ret = ept_backend_with(ept, &backend, has_nocopy_tx);
	return ret < 0 ? ret : backend->get_tx_buffer(ept->instance, ept->token, data, size, wait);
}

int ipc_service_drop_tx_buffer(struct ipc_ept *ept, const void *data)
{
	const struct ipc_service_backend *backend;
	int ret;

	CHECKIF(!data) {
		return -EINVAL;
	}
	ret = ept_backend_with(ept, &backend, has_drop_tx);
	return ret < 0 ? ret : backend->drop_tx_buffer(ept->instance, ept->token, data);
}

int ipc_service_send_nocopy(struct ipc_ept *ept, const void *data, size_t len)
{
	const struct ipc_service_backend *backend;
	int ret = ept_backend_with(ept, &backend, has_nocopy_tx);

	return ret < 0 ? ret : backend->send_nocopy(ept->instance, ept->token, data, len);
}

int ipc_service_hold_rx_buffer(struct ipc_ept *ept, void *data)
{
	const struct ipc_service_backend *backend;
	int ret = ept_backend_with(ept, &backend, has_rx_hold);

	return ret < 0 ? ret : backend->hold_rx_buffer(ept->instance, ept->token, data);
}

int ipc_service_release_rx_buffer(struct ipc_ept *ept, void *data)
{
	const struct ipc_service_backend *backend;
	int ret = ept_backend_with(ept, &backend, has_rx_hold);

	return ret < 0 ? ret : backend->release_rx_buffer(ept->instance, ept->token, data);
}
