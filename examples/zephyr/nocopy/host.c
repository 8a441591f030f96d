/*
 * Host core of the "no-copy" pair: the shape of the IPC service
 * documentation's no-copy example, on the ICBMsg instance ipc1.
 *
 * Each message is written straight into a TX buffer of the shared memory
 * (ipc_service_get_tx_buffer + memcpy + ipc_service_send_nocopy); each reply
 * is held in received() and released after use.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

LOG_MODULE_REGISTER(host, LOG_LEVEL_INF);

#define MESSAGE_COUNT 3

static struct ipc_ept ept0;
static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(reply_sem, 0, 1);

static void bound_cb(void *priv)
{
	LOG_INF("Ep bounded");
	k_sem_give(&bound_sem);
}

static void recv_cb_nocopy(const void *data, size_t len, void *priv)
{
	int ret;

	ret = ipc_service_hold_rx_buffer(&ept0, (void *)data);
	if (ret < 0) {
		LOG_ERR("hold failed: %d", ret);
		return;
	}
	printk("host: reply '%.*s' read in place\n", (int)len, (const char *)data);
	ret = ipc_service_release_rx_buffer(&ept0, (void *)data);
	if (ret < 0) {
		LOG_ERR("release failed: %d", ret);
	}
	k_sem_give(&reply_sem);
}

static struct ipc_ept_cfg ept0_cfg = {
	.name = "ept0",
	.cb = {
		.bound = bound_cb,
		.received = recv_cb_nocopy,
	},
};

static int send_nocopy(const char *text)
{
	void *data;
	uint32_t len = strlen(text) + 1;
	int ret;

	ret = ipc_service_get_tx_buffer(&ept0, &data, &len, K_FOREVER);
	if (ret < 0) {
		LOG_ERR("ipc_service_get_tx_buffer() failure: %d", ret);
		return ret;
	}
	memcpy(data, text, strlen(text) + 1);
	ret = ipc_service_send_nocopy(&ept0, data, strlen(text) + 1);
	if (ret < 0) {
		LOG_ERR("ipc_service_send_nocopy() failure: %d", ret);
		return ret;
	}
	return k_sem_take(&reply_sem, K_MSEC(5000));
}

int main(void)
{
	const struct device *inst0;
	char message[32];
	int ret;

	inst0 = DEVICE_DT_GET(DT_NODELABEL(ipc1));
	ret = ipc_service_open_instance(inst0);
	if ((ret < 0) && (ret != -EALREADY)) {
		LOG_ERR("ipc_service_open_instance() failure: %d", ret);
		return 1;
	}
	ret = ipc_service_register_endpoint(inst0, &ept0, &ept0_cfg);
	if (ret < 0) {
		LOG_ERR("ipc_service_register_endpoint() failure: %d", ret);
		return 1;
	}

	k_sem_take(&bound_sem, K_FOREVER);
	LOG_INF("TX buffers of up to %d bytes", ipc_service_get_tx_buffer_size(&ept0));

	for (int i = 1; i <= MESSAGE_COUNT; i++) {
		snprintf(message, sizeof(message), "hello world %d", i);
		if (send_nocopy(message) < 0) {
			return 1;
		}
	}
	if (send_nocopy("bye") < 0) {
		return 1;
	}
	LOG_INF("done");
	return 0;
}
