/* Host core: sends 1..COUNT on endpoint "counter" of ipc0, checks every
 * running sum, then asks for the total. */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include "common.h"

LOG_MODULE_REGISTER(host, LOG_LEVEL_INF);

static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(reply_sem, 0, 1);
static struct counter_msg reply;

static void ep_bound(void *priv)
{
	k_sem_give(&bound_sem);
}

static void ep_recv(const void *data, size_t len, void *priv)
{
	if (len == sizeof(reply)) {
		memcpy(&reply, data, sizeof(reply));
		k_sem_give(&reply_sem);
	}
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "counter",
	.cb = {.bound = ep_bound, .received = ep_recv},
};

static int exchange(struct ipc_ept *ep, uint32_t value)
{
	struct counter_msg msg = {.value = value, .sum = 0};
	int ret = ipc_service_send(ep, &msg, sizeof(msg));

	if (ret < 0) {
		LOG_ERR("send failed: %d", ret);
		return ret;
	}
	return k_sem_take(&reply_sem, K_SECONDS(5));
}

int main(void)
{
	const struct device *ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	struct ipc_ept ep;
	uint32_t expect = 0;

	if (ipc_service_open_instance(ipc0) < 0 ||
	    ipc_service_register_endpoint(ipc0, &ep, &ep_cfg) < 0) {
		LOG_ERR("cannot register the endpoint");
		return 1;
	}
	k_sem_take(&bound_sem, K_FOREVER);
	for (uint32_t v = 1; v <= COUNT; v++) {
		expect += v;
		if (exchange(&ep, v) < 0 || reply.sum != expect) {
			LOG_ERR("value %u: sum %u, expected %u", v, reply.sum, expect);
			return 1;
		}
	}
	if (exchange(&ep, 0) < 0) {
		return 1;
	}
	LOG_INF("total %u after %d values", reply.sum, COUNT);
	return 0;
}
