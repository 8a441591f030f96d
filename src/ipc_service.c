/*
 * ipc_service.c - the ipc_service front end: argument checks and dispatch to
 * the instance's backend, with Zephyr's return codes (spec §4).
 */
#include <errno.h>
#include <stddef.h>

#include "ipc_emu/ipc_service.h"
#include "port.h"

/*
 * The backends take relative timeouts only.  An absolute one (Zephyr's
 * K_TIMEOUT_ABS_MS, `ms` an uptime) is converted here against
 * port_uptime_ms(), which the compat layer's k_uptime_get() shares (both
 * are the monotonic clock in ms); modulo 2^32, as the port's clock wraps.
 */
static k_timeout_t relative(k_timeout_t t)
{
	int32_t left;

	if (!t.abs) {
		return t;
	}
	left = (int32_t)((uint32_t)t.ms - port_uptime_ms());
	return left > 0 ? K_MSEC(left) : K_NO_WAIT;
}

static const struct ipc_service_backend *backend_of(const struct device *instance)
{
	return (const struct ipc_service_backend *)instance->api;
}

int ipc_service_open_instance(const struct device *instance)
{
	const struct ipc_service_backend *be;

	if (instance == NULL) {
		return -EINVAL;
	}
	be = backend_of(instance);
	if (be == NULL) {
		return -EIO;
	}
	if (be->open_instance == NULL) {
		return 0; /* nothing to open */
	}
	return be->open_instance(instance);
}

int ipc_service_close_instance(const struct device *instance)
{
	const struct ipc_service_backend *be;

	if (instance == NULL) {
		return -EINVAL;
	}
	be = backend_of(instance);
	if (be == NULL) {
		return -EIO;
	}
	if (be->close_instance == NULL) {
		return 0;
	}
	return be->close_instance(instance);
}

int ipc_service_register_endpoint(const struct device *instance, struct ipc_ept *ept,
				  const struct ipc_ept_cfg *cfg)
{
	const struct ipc_service_backend *be;

	if (instance == NULL || ept == NULL || cfg == NULL) {
		return -EINVAL;
	}
	be = backend_of(instance);
	if (be == NULL || be->register_endpoint == NULL) {
		return -EIO;
	}
	/* Zephyr sets the instance first and keeps it if the backend fails; the
	 * token is cleared so a backend can tell a failed registration. */
	ept->instance = instance;
	ept->token = NULL;
	return be->register_endpoint(instance, &ept->token, cfg);
}

/* Common checks of every endpoint call: the endpoint and its backend. */
static int ept_backend(const struct ipc_ept *ept, const struct ipc_service_backend **be)
{
	if (ept == NULL) {
		return -EINVAL;
	}
	if (ept->instance == NULL) {
		return -ENOENT;
	}
	*be = backend_of(ept->instance);
	return *be == NULL ? -EIO : 0;
}

int ipc_service_deregister_endpoint(struct ipc_ept *ept)
{
	const struct ipc_service_backend *be;
	int rc = ept_backend(ept, &be);

	if (rc < 0) {
		return rc;
	}
	if (be->deregister_endpoint == NULL) {
		return -EIO;
	}
	rc = be->deregister_endpoint(ept->instance, ept->token);
	if (rc < 0) {
		return rc;
	}
	ept->instance = NULL;
	return 0;
}

int ipc_service_send(struct ipc_ept *ept, const void *data, size_t len)
{
	const struct ipc_service_backend *be;
	int rc = ept_backend(ept, &be);

	if (rc < 0) {
		return rc;
	}
	if (be->send == NULL) {
		return -EIO;
	}
	return be->send(ept->instance, ept->token, data, len);
}

int ipc_service_send_critical(struct ipc_ept *ept, const void *data, size_t len)
{
	const struct ipc_service_backend *be;
	int rc = ept_backend(ept, &be);

	if (rc < 0) {
		return rc;
	}
	if (be->send_critical == NULL) {
		return -ENOTSUP;
	}
	return be->send_critical(ept->instance, ept->token, data, len);
}

int ipc_service_get_tx_buffer_size(struct ipc_ept *ept)
{
	const struct ipc_service_backend *be;
	int rc = ept_backend(ept, &be);

	if (rc < 0) {
		return rc;
	}
	if (be->get_tx_buffer_size == NULL) {
		return -EIO;
	}
	return be->get_tx_buffer_size(ept->instance, ept->token);
}

int ipc_service_get_tx_buffer(struct ipc_ept *ept, void **data, uint32_t *size, k_timeout_t wait)
{
	const struct ipc_service_backend *be;
	int rc;

	if (data == NULL || size == NULL) {
		return -EINVAL;
	}
	rc = ept_backend(ept, &be);
	if (rc < 0) {
		return rc;
	}
	/* A buffer that could never be sent is not handed out. */
	if (be->get_tx_buffer == NULL || be->send_nocopy == NULL) {
		return -EIO;
	}
	return be->get_tx_buffer(ept->instance, ept->token, data, size, relative(wait));
}

int ipc_service_drop_tx_buffer(struct ipc_ept *ept, const void *data)
{
	const struct ipc_service_backend *be;
	int rc;

	if (data == NULL) {
		return -EINVAL;
	}
	rc = ept_backend(ept, &be);
	if (rc < 0) {
		return rc;
	}
	if (be->drop_tx_buffer == NULL) {
		return -EIO;
	}
	return be->drop_tx_buffer(ept->instance, ept->token, data);
}

int ipc_service_send_nocopy(struct ipc_ept *ept, const void *data, size_t len)
{
	const struct ipc_service_backend *be;
	int rc = ept_backend(ept, &be);

	if (rc < 0) {
		return rc;
	}
	if (be->get_tx_buffer == NULL || be->send_nocopy == NULL) {
		return -EIO;
	}
	return be->send_nocopy(ept->instance, ept->token, data, len);
}

int ipc_service_hold_rx_buffer(struct ipc_ept *ept, void *data)
{
	const struct ipc_service_backend *be;
	int rc = ept_backend(ept, &be);

	if (rc < 0) {
		return rc;
	}
	/* Holding is useless without a way to release. */
	if (be->hold_rx_buffer == NULL || be->release_rx_buffer == NULL) {
		return -EIO;
	}
	return be->hold_rx_buffer(ept->instance, ept->token, data);
}

int ipc_service_release_rx_buffer(struct ipc_ept *ept, void *data)
{
	const struct ipc_service_backend *be;
	int rc = ept_backend(ept, &be);

	if (rc < 0) {
		return rc;
	}
	if (be->hold_rx_buffer == NULL || be->release_rx_buffer == NULL) {
		return -EIO;
	}
	return be->release_rx_buffer(ept->instance, ept->token, data);
}
