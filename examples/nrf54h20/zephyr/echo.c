/*
 * Radio, PPR and FLPR cores of the nRF54H20-like example (docs/multicore.md):
 * the same application on each, built against each core's devicetree.
 *
 * Every ICMsg and ICBMsg instance of the core is opened with one endpoint
 * "ep0", and whatever arrives is sent back unchanged.  The core ends after
 * it has echoed "bye" on each of its links.
 *
 * If the application core resets (ICMsg with unbound = "enable"), unbound()
 * arrives on that link: the endpoint is deregistered and registered again,
 * and the exchange on that link starts over (its "bye" is awaited anew), as
 * firmware on a real core would do.  Over ICBMsg, which has no reset
 * protocol, a reset of the application core resets this core too.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <stdbool.h>
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
static volatile bool bye_seen[N_LINKS];
static volatile bool reset_seen[N_LINKS];
static K_SEM_DEFINE(events, 0, K_SEM_MAX_LIMIT); /* a "bye" or a reset */

static size_t link_of(void *priv)
{
	return (size_t)((struct ipc_ept *)priv - epts);
}

static void ep_unbound(void *priv)
{
	size_t k = link_of(priv);

	LOG_INF("%s: peer reset", instances[k]->name);
	bye_seen[k] = false;
	reset_seen[k] = true;
	k_sem_give(&events);
}

static void ep_recv(const void *data, size_t len, void *priv)
{
	size_t k = link_of(priv);
	int ret = ipc_service_send(&epts[k], data, len);

	if (ret < 0) {
		LOG_ERR("%s: echo failed: %d", instances[k]->name, ret);
	}
	if (len == 3 && memcmp(data, "bye", 3) == 0) {
		bye_seen[k] = true;
		k_sem_give(&events);
	}
}

static void ep_error(const char *message, void *priv)
{
	LOG_ERR("%s: %s", instances[link_of(priv)]->name, message);
}

static bool all_byes(void)
{
	for (size_t k = 0; k < N_LINKS; k++) {
		if (!bye_seen[k]) {
			return false;
		}
	}
	return true;
}

int main(void)
{
	for (size_t k = 0; k < N_LINKS; k++) {
		int ret = ipc_service_open_instance(instances[k]);

		cfgs[k] = (struct ipc_ept_cfg){
			.name = "ep0",
			.cb = {.unbound = ep_unbound, .received = ep_recv, .error = ep_error},
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
	while (!all_byes()) {
		k_sem_take(&events, K_FOREVER);
		for (size_t k = 0; k < N_LINKS; k++) {
			int ret;

			if (!reset_seen[k]) {
				continue;
			}
			reset_seen[k] = false;
			ret = ipc_service_deregister_endpoint(&epts[k]);
			if (ret == 0) {
				ret = ipc_service_register_endpoint(instances[k], &epts[k], &cfgs[k]);
			}
			if (ret < 0) {
				LOG_ERR("%s: registering the endpoint again failed: %d",
					instances[k]->name, ret);
				return 1;
			}
		}
	}
	LOG_INF("echoed on %u links", (unsigned)N_LINKS);
	return 0;
}
