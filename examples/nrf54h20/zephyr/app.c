/*
 * Application core of the nRF54H20-like example (docs/multicore.md, "your
 * own programs"): one Zephyr application talking to three cores at once.
 *
 * Every ICMsg and ICBMsg instance of this core's devicetree is opened, with
 * one endpoint "ep0" on each.  The application then sends PING_COUNT
 * numbered messages on every link, each to be echoed back unchanged by the
 * core at the other end (echo.c), and ends with "bye" on each link.  It
 * returns 0 when every echo came back right, 1 otherwise.
 *
 *   ipc-emu run --dts cpuapp.dts,cpurad.dts,cpuppr.dts,cpuflpr.dts \
 *     --core-prog cpuapp=APP --core-prog cpurad=ECHO ...
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <stdio.h>
#include <string.h>

LOG_MODULE_REGISTER(app, LOG_LEVEL_INF);

#define PING_COUNT 50
#define WAIT_ECHO K_SECONDS(10)

#define INSTANCE(node) DEVICE_DT_GET(node),
static const struct device *const instances[] = {
	DT_FOREACH_STATUS_OKAY(zephyr_ipc_icbmsg, INSTANCE)
	DT_FOREACH_STATUS_OKAY(zephyr_ipc_icmsg, INSTANCE)
};
#define N_LINKS ARRAY_SIZE(instances)

struct link {
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg; /* the backends keep a pointer to it */
	struct k_sem bound;
	struct k_sem echoed;
	char expect[48];
	size_t expect_len;
	volatile bool wrong;
};

static struct link links[N_LINKS];

static void ep_bound(void *priv)
{
	struct link *l = priv;

	k_sem_give(&l->bound);
}

static void ep_recv(const void *data, size_t len, void *priv)
{
	struct link *l = priv;

	if (len != l->expect_len || memcmp(data, l->expect, len) != 0) {
		l->wrong = true;
	}
	k_sem_give(&l->echoed);
}

static void ep_error(const char *message, void *priv)
{
	LOG_ERR("link %u: %s", (unsigned)((struct link *)priv - links), message);
}

/* Send one message on every link, then wait for every echo. */
static int round_trip(unsigned i)
{
	for (size_t k = 0; k < N_LINKS; k++) {
		struct link *l = &links[k];
		int ret;

		if (i == 0) {
			snprintf(l->expect, sizeof(l->expect), "bye");
		} else {
			snprintf(l->expect, sizeof(l->expect), "ping %u to %s", i,
				 instances[k]->name);
		}
		l->expect_len = strlen(l->expect);
		ret = ipc_service_send(&l->ept, l->expect, l->expect_len);
		if (ret < 0) {
			LOG_ERR("%s: send failed: %d", instances[k]->name, ret);
			return -1;
		}
	}
	for (size_t k = 0; k < N_LINKS; k++) {
		if (k_sem_take(&links[k].echoed, WAIT_ECHO) != 0 || links[k].wrong) {
			LOG_ERR("%s: %s", instances[k]->name,
				links[k].wrong ? "wrong echo" : "no echo");
			return -1;
		}
	}
	return 0;
}

int main(void)
{
	LOG_INF("application core: %u links", (unsigned)N_LINKS);
	for (size_t k = 0; k < N_LINKS; k++) {
		struct link *l = &links[k];
		int ret;

		l->cfg = (struct ipc_ept_cfg){
			.name = "ep0",
			.cb = {.bound = ep_bound, .received = ep_recv, .error = ep_error},
			.priv = l,
		};
		k_sem_init(&l->bound, 0, 1);
		k_sem_init(&l->echoed, 0, 1);
		ret = ipc_service_open_instance(instances[k]);
		if (ret < 0 && ret != -EALREADY) {
			LOG_ERR("%s: open failed: %d", instances[k]->name, ret);
			return 1;
		}
		ret = ipc_service_register_endpoint(instances[k], &l->ept, &l->cfg);
		if (ret < 0) {
			LOG_ERR("%s: register failed: %d", instances[k]->name, ret);
			return 1;
		}
	}
	for (size_t k = 0; k < N_LINKS; k++) {
		if (k_sem_take(&links[k].bound, WAIT_ECHO) != 0) {
			LOG_ERR("%s: never bound", instances[k]->name);
			return 1;
		}
	}
	for (unsigned i = 1; i <= PING_COUNT; i++) {
		if (round_trip(i) < 0) {
			return 1;
		}
	}
	if (round_trip(0) < 0) {
		return 1;
	}
	printk("app: %u messages echoed on each of %u links\n", PING_COUNT, (unsigned)N_LINKS);
	return 0;
}
