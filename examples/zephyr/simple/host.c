/*
 * Host core of the "simple data exchange" pair: the shape of the IPC service
 * documentation's first example and of Zephyr's ipc_service samples (one
 * main() per core), on the ICMsg instance ipc0.
 *
 * It opens the instance, registers "ept0", waits for bound(), then sends
 * HELLO_COUNT greetings and waits for each echo, and finally "bye".
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <stdio.h>
#include <string.h>

LOG_MODULE_REGISTER(host, LOG_LEVEL_INF);

#define HELLO_COUNT 5
#define REPLY_TIMEOUT_MS 5000

static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(reply_sem, 0, 1);

static void bound_cb(void *priv)
{
	LOG_INF("Ep bounded");
	k_sem_give(&bound_sem);
}

static void unbound_cb(void *priv)
{
	LOG_INF("Ep unbounded");
}

static void recv_cb(const void *data, size_t len, void *priv)
{
	printk("host: received '%.*s'\n", (int)len, (const char *)data);
	k_sem_give(&reply_sem);
}

static struct ipc_ept_cfg ept0_cfg = {
	.name = "ept0",
	.cb = {
		.bound = bound_cb,
		.unbound = unbound_cb,
		.received = recv_cb,
	},
};

static int send_and_wait(struct ipc_ept *ept, const char *text)
{
	int ret;

	do {
		ret = ipc_service_send(ept, text, strlen(text));
		if (ret == -ENOMEM) {
			k_msleep(1);
		}
	} while (ret == -ENOMEM);
	if (ret < 0) {
		LOG_ERR("ipc_service_send() failure: %d", ret);
		return ret;
	}
	ret = k_sem_take(&reply_sem, K_MSEC(REPLY_TIMEOUT_MS));
	if (ret < 0) {
		LOG_ERR("no reply to '%s'", text);
	}
	return ret;
}

int main(void)
{
	const struct device *inst0;
	struct ipc_ept ept0;
	char message[32];
	int ret;

	LOG_INF("IPC-service HOST demo started");

	inst0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	if (!device_is_ready(inst0)) {
		LOG_ERR("instance not ready");
		return 1;
	}
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

	for (int i = 1; i <= HELLO_COUNT; i++) {
		snprintf(message, sizeof(message), "hello world %d", i);
		if (send_and_wait(&ept0, message) < 0) {
			return 1;
		}
	}
	if (send_and_wait(&ept0, "bye") < 0) {
		return 1;
	}

	LOG_INF("IPC-service HOST demo ended");
	return 0;
}
