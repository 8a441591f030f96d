/*
 * Remote core of the "no-copy" pair (ICBMsg ipc1): received() holds each
 * buffer and queues it for main(), which prints it, builds the reply directly
 * in a TX buffer and only then releases the RX buffer.  Ends after "bye".
 *
 * received() must not block: with ICBMsg v2 (Zephyr main) it runs in the
 * MBOX interrupt handler, where Zephyr allows no waiting (K_NO_WAIT only).
 * So it only holds the buffer and puts it in a message queue; the waiting
 * happens in main().  This is correct with classic ICBMsg too.
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

struct rx_item {
	const char *data;
	size_t len;
};

/* Held buffers waiting for main(), oldest first. */
K_MSGQ_DEFINE(rx_queue, sizeof(struct rx_item), 4, 4);

static void bound_cb(void *priv)
{
	LOG_INF("Ep bounded");
}

static void recv_cb(const void *data, size_t len, void *priv)
{
	struct rx_item item = {.data = data, .len = len};
	int ret = ipc_service_hold_rx_buffer(&ept0, (void *)data);

	if (ret < 0) {
		LOG_ERR("hold failed: %d", ret);
		return;
	}
	/* K_NO_WAIT: received() may run in interrupt context. */
	ret = k_msgq_put(&rx_queue, &item, K_NO_WAIT);
	if (ret < 0) {
		LOG_ERR("RX queue full: %d", ret);
		ipc_service_release_rx_buffer(&ept0, (void *)data);
	}
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
		struct rx_item rx;
		void *data;
		uint32_t len = 0; /* 0: the largest buffer */

		k_msgq_get(&rx_queue, &rx, K_FOREVER);
		printk("remote: held '%s' (%u bytes)\n", rx.data, (unsigned)rx.len);
		bye = strcmp(rx.data, "bye") == 0;

		ret = ipc_service_get_tx_buffer(&ept0, &data, &len, K_FOREVER);
		if (ret < 0) {
			LOG_ERR("ipc_service_get_tx_buffer() failure: %d", ret);
			return 1;
		}
		ret = snprintf(data, len, "re: %s", rx.data);
		ret = ipc_service_send_nocopy(&ept0, data, (size_t)ret);
		if (ret < 0) {
			LOG_ERR("ipc_service_send_nocopy() failure: %d", ret);
			return 1;
		}
		ret = ipc_service_release_rx_buffer(&ept0, (void *)rx.data);
		if (ret < 0) {
			LOG_ERR("ipc_service_release_rx_buffer() failure: %d", ret);
			return 1;
		}
	}
	LOG_INF("done");
	return 0;
}
