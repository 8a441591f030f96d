/*
 * Radio, PPR and FLPR cores of the nRF54H20-like example (docs/multicore.md):
 * the same application on each, built against each core's devicetree.
 *
 * Every ICMsg and ICBMsg instance of the core is opened with one endpoint
 * "ep0", and whatever arrives is sent back unchanged.  The core ends after
 * it has echoed "bye" on each of its links.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <string.h>

LOG_MODULE_REGISTER(echo, LOG_LEVEL_INF);

#define INSTANCE(node) DEVICE_DT_GET(node),
static const struct device *const instances[] = {
	DT_FOREACH_STATUS_OKAY(zephyr_ipc_icbmsg, INSTANCE)
	DT_FOREACH_STATUS_OKAY(zephyr_ipc_icmsg, INSTANCE)
};
#define N_LINKS ARRAY_SIZE(instances)

static struct ipc_ept epts[N_LINKS];
static struct ipc_ept_cfg cfgs[N_LINKS]; /* the backends keep a pointer to each */
static K_SEM_DEFINE(byes, 0, N_LINKS);

static void ep_recv(const void *data, size_t len, void *priv)
{
	struct ipc_ept *ept = priv;
	int ret = ipc_service_send(ept, data, len);

	if (ret < 0) {
		LOG_ERR("echo failed: %d", ret);
	}
	if (len == 3 && memcmp(data, "bye", 3) == 0) {
		k_sem_give(&byes);
	}
}

static void ep_error(const char *message, void *priv)
{
	LOG_ERR("%s", message);
}

int main(void)
{
	for (size_t k = 0; k < N_LINKS; k++) {
		int ret = ipc_service_open_instance(instances[k]);

		cfgs[k] = (struct ipc_ept_cfg){
			.name = "ep0",
			.cb = {.received = ep_recv, .error = ep_error},
			.priv = &epts[k],
		};
		if (ret < 0 && ret != -EALREADY) {
			LOG_ERR("%s: open failed: %d", instances[k]->name, ret);
			return 1;
		}
		ret = ipc_service_register_endpoint(instances[k], &epts[k], &cfgs[k]);
		if (ret < 0) {
			LOG_ERR("%s: register failed: %d", instances[k]->name, ret);
			return 1;
		}
	}
	for (size_t k = 0; k < N_LINKS; k++) {
		k_sem_take(&byes, K_FOREVER);
	}
	LOG_INF("echoed on %u links", (unsigned)N_LINKS);
	return 0;
}
