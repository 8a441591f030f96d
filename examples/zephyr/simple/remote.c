/*
 * Remote core of the "simple data exchange" pair: echoes every message on
 * "ept0" of ipc0 and ends after echoing "bye".
 *
 * If the host reboots (ICMsg with unbound = "enable"/"detect"), unbound()
 * arrives: the endpoint is deregistered and registered again, and the
 * exchange starts over once it is bound, as an application on a real
 * remote core would do.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <string.h>

LOG_MODULE_REGISTER(remote, LOG_LEVEL_INF);

static const struct device *ipc0_instance = DEVICE_DT_GET(DT_NODELABEL(ipc0));
static struct ipc_ept ep;

static K_SEM_DEFINE(event_sem, 0, 1);
static volatile bool bye_seen;
static volatile bool rebond_needed;

static void ep_bound(void *priv)
{
	LOG_INF("Ep bounded");
}

static void ep_unbound(void *priv)
{
	LOG_INF("Ep unbounded");
	rebond_needed = true;
	k_sem_give(&event_sem);
}

static void ep_recv(const void *data, size_t len, void *priv)
{
	int ret;

	printk("remote: echoing '%.*s'\n", (int)len, (const char *)data);
	ret = ipc_service_send(&ep, data, len);
	if (ret < 0) {
		LOG_ERR("echo failed: %d", ret);
	}
	if (len == 3 && memcmp(data, "bye", 3) == 0) {
		bye_seen = true;
		k_sem_give(&event_sem);
	}
}

static void ep_error(const char *message, void *priv)
{
	LOG_ERR("ICMsg error: %s", message);
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ept0",
	.cb = {
		.bound = ep_bound,
		.unbound = ep_unbound,
		.received = ep_recv,
		.error = ep_error,
	},
};

int main(void)
{
	int ret;

	LOG_INF("IPC-service REMOTE demo started");

	ret = ipc_service_open_instance(ipc0_instance);
	if ((ret < 0) && (ret != -EALREADY)) {
		LOG_ERR("ipc_service_open_instance() failure: %d", ret);
		return 1;
	}
	ret = ipc_service_register_endpoint(ipc0_instance, &ep, &ep_cfg);
	if (ret < 0) {
		LOG_ERR("ipc_service_register_endpoint() failure: %d", ret);
		return 1;
	}

	while (!bye_seen) {
		k_sem_take(&event_sem, K_FOREVER);
		if (rebond_needed && !bye_seen) {
			rebond_needed = false;
			ret = ipc_service_deregister_endpoint(&ep);
			if (ret == 0) {
				ret = ipc_service_register_endpoint(ipc0_instance, &ep, &ep_cfg);
			}
			if (ret < 0) {
				LOG_ERR("re-registering the endpoint failed: %d", ret);
				return 1;
			}
		}
	}

	LOG_INF("IPC-service REMOTE demo ended");
	return 0;
}
