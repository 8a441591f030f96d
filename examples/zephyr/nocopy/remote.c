/*
 * Remote core of the "no-copy" pair (ICBMsg ipc1): received() holds each
 * buffer and hands it to main(), which prints it, builds the reply directly
 * in a TX buffer and only then releases the RX buffer.  Ends after "bye".
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

LOG_MODULE_REGISTER(remote, LOG_LEVEL_INF);

static const struct device *ipc1_instance = DEVICE_DT_GET(DT_NODELABEL(ipc1));
static struct ipc_ept ept0;

static K_SEM_DEFINE(rx_sem, 0, 1);
static K_SEM_DEFINE(rx_done_sem, 0, 1);
static const char *rx_data;
static size_t rx_len;

static void bound_cb(void *priv)
{
	LOG_INF("Ep bounded");
}

static void recv_cb(const void *data, size_t len, void *priv)
{
	int ret = ipc_service_hold_rx_buffer(&ept0, (void *)data);

	if (ret < 0) {
		LOG_ERR("hold failed: %d", ret);
		return;
	}
	rx_data = data;
	rx_len = len;
	k_sem_give(&rx_sem);
	/* One buffer at a time: the next received() waits for main(). */
	k_sem_take(&rx_done_sem, K_FOREVER);
}

static struct ipc_ept_cfg ept0_cfg = {
	.name = "ept0",
	.cb = {
		.bound = bound_cb,
		.received = recv_cb,
	},
};

int main(void)
{
	bool bye = false;
	int ret;

	ret = ipc_service_open_instance(ipc1_instance);
	if ((ret < 0) && (ret != -EALREADY)) {
		LOG_ERR("ipc_service_open_instance() failure: %d", ret);
		return 1;
	}
	ret = ipc_service_register_endpoint(ipc1_instance, &ept0, &ept0_cfg);
	if (ret < 0) {
		LOG_ERR("ipc_service_register_endpoint() failure: %d", ret);
		return 1;
	}

	while (!bye) {
		void *data;
		uint32_t len = 0; /* 0: the largest buffer */

		k_sem_take(&rx_sem, K_FOREVER);
		printk("remote: held '%s' (%u bytes)\n", rx_data, (unsigned)rx_len);
		bye = strcmp(rx_data, "bye") == 0;

		ret = ipc_service_get_tx_buffer(&ept0, &data, &len, K_FOREVER);
		if (ret < 0) {
			LOG_ERR("ipc_service_get_tx_buffer() failure: %d", ret);
			return 1;
		}
		ret = snprintf(data, len, "re: %s", rx_data);
		ret = ipc_service_send_nocopy(&ept0, data, (size_t)ret);
		if (ret < 0) {
			LOG_ERR("ipc_service_send_nocopy() failure: %d", ret);
			return 1;
		}
		ret = ipc_service_release_rx_buffer(&ept0, (void *)rx_data);
		if (ret < 0) {
			LOG_ERR("ipc_service_release_rx_buffer() failure: %d", ret);
			return 1;
		}
		k_sem_give(&rx_done_sem);
	}
	LOG_INF("done");
	return 0;
}
