/*
 * Remote core of the ztest pair: echoes every message on "ept0" of ipc0
 * and ends after echoing "bye" (the host suite's teardown sends it).
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <string.h>

LOG_MODULE_REGISTER(remote, LOG_LEVEL_INF);

static struct ipc_ept ep;
static K_SEM_DEFINE(bye_sem, 0, 1);

static void ep_recv(const void *data, size_t len, void *priv)
{
	int ret = ipc_service_send(&ep, data, len);

	if (ret < 0) {
		LOG_ERR("echo failed: %d", ret);
	}
	if (len == 3 && memcmp(data, "bye", 3) == 0) {
		k_sem_give(&bye_sem);
	}
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ept0",
	.cb = {
		.received = ep_recv,
	},
};

int main(void)
{
	const struct device *inst = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	int ret;

	ret = ipc_service_open_instance(inst);
	if (ret < 0 && ret != -EALREADY) {
		LOG_ERR("ipc_service_open_instance() failure: %d", ret);
		return 1;
	}
	ret = ipc_service_register_endpoint(inst, &ep, &ep_cfg);
	if (ret < 0) {
		LOG_ERR("ipc_service_register_endpoint() failure: %d", ret);
		return 1;
	}
	k_sem_take(&bye_sem, K_FOREVER);
	LOG_INF("echo done");
	return 0;
}
