/* Remote core: keeps the running sum of what arrives on "counter" and
 * answers each value with it; value 0 ends the program. */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include "common.h"

LOG_MODULE_REGISTER(remote, LOG_LEVEL_INF);

static const struct device *ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
static struct ipc_ept ep;
static K_SEM_DEFINE(done_sem, 0, 1);
static uint32_t sum;

static void ep_recv(const void *data, size_t len, void *priv)
{
	struct counter_msg msg;

	if (len != sizeof(msg)) {
		LOG_WRN("dropped a %zu-byte message", len);
		return;
	}
	memcpy(&msg, data, sizeof(msg));
	sum += msg.value;
	msg.sum = sum;
	if (ipc_service_send(&ep, &msg, sizeof(msg)) < 0) {
		LOG_ERR("reply failed");
	}
	if (msg.value == 0) {
		k_sem_give(&done_sem);
	}
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "counter",
	.cb = {.received = ep_recv},
};

int main(void)
{
	if (ipc_service_open_instance(ipc0) < 0 ||
	    ipc_service_register_endpoint(ipc0, &ep, &ep_cfg) < 0) {
		LOG_ERR("cannot register the endpoint");
		return 1;
	}
	k_sem_take(&done_sem, K_FOREVER);
	LOG_INF("total %u", sum);
	return 0;
}
