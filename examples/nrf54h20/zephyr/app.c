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
 * Resets (ipc-emu run --kill-random, --crash-point): when a core at the
 * other end of an ICMsg link resets, unbound() arrives; the endpoint is
 * registered again, and once bound the message in flight is sent again.
 * Its first echo may then come twice: an echo of the message before the
 * one in flight is ignored.  When this core resets, it starts over from
 * message 1 (the ICMsg peers see unbound(); the ICBMsg peer, which has no
 * reset protocol, is reset with it).
 *
 *   ipc-emu run --dts cpuapp.dts,cpurad.dts,cpuppr.dts,cpuflpr.dts \
 *     --core-prog cpuapp=APP --core-prog cpurad=ECHO ...
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LOG_MODULE_REGISTER(app, LOG_LEVEL_INF);

#define PING_COUNT 50
#define BYE (PING_COUNT + 1) /* the number of the last message, "bye" */
#define ROUND_PERIOD K_MSEC(2)
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
	struct k_sem event;	/* bound, unbound, an echo */
	volatile bool bound, reset, wrong;
	volatile unsigned in_flight; /* the number of the message sent */
	volatile unsigned echoed;    /* the number of the last right echo */
};

static struct link links[N_LINKS];

/* Message n of link k: "ping n to NAME", or "bye". */
static size_t message(size_t k, unsigned n, char *buf, size_t size)
{
	if (n == BYE) {
		return (size_t)snprintf(buf, size, "bye");
	}
	return (size_t)snprintf(buf, size, "ping %u to %s", n, instances[k]->name);
}

static void ep_bound(void *priv)
{
	struct link *l = priv;

	l->bound = true;
	k_sem_give(&l->event);
}

static void ep_unbound(void *priv)
{
	struct link *l = priv;

	l->bound = false;
	l->reset = true;
	k_sem_give(&l->event);
}

static void ep_recv(const void *data, size_t len, void *priv)
{
	struct link *l = priv;
	size_t k = (size_t)(l - links);
	unsigned n = l->in_flight;
	char expect[48];

	if (len == message(k, n, expect, sizeof(expect)) && memcmp(data, expect, len) == 0) {
		l->echoed = n;
	} else if (n > 1 && len == message(k, n - 1, expect, sizeof(expect)) &&
		   memcmp(data, expect, len) == 0) {
		return; /* a second echo of the message before, sent again after a reset */
	} else {
		l->wrong = true;
	}
	k_sem_give(&l->event);
}

static void ep_error(const char *message_text, void *priv)
{
	LOG_ERR("%s: %s", instances[(struct link *)priv - links]->name, message_text);
}

/* Send the message in flight on link k.  A failure is not final: a link
 * whose peer is resetting refuses it, and it is sent again once bound. */
static void send_in_flight(size_t k)
{
	char buf[48];
	size_t len = message(k, links[k].in_flight, buf, sizeof(buf));
	int ret = ipc_service_send(&links[k].ept, buf, len);

	if (ret < 0) {
		LOG_WRN("%s: send failed: %d", instances[k]->name, ret);
	}
}

/* Until link k is bound; after a reset of its peer the endpoint is
 * registered again first. */
static int wait_bound(size_t k)
{
	struct link *l = &links[k];

	while (!l->bound || l->reset) {
		if (l->reset) {
			int ret;

			l->reset = false;
			ret = ipc_service_deregister_endpoint(&l->ept);
			if (ret == 0) {
				ret = ipc_service_register_endpoint(instances[k], &l->ept, &l->cfg);
			}
			if (ret < 0) {
				LOG_ERR("%s: registering the endpoint again failed: %d",
					instances[k]->name, ret);
				return -1;
			}
			continue;
		}
		if (k_sem_take(&l->event, WAIT_ECHO) != 0) {
			LOG_ERR("%s: never bound", instances[k]->name);
			return -1;
		}
	}
	return 0;
}

/* Until the echo of the message in flight on link k is back; after a reset
 * of the peer, once bound again, the message is sent again. */
static int wait_echo(size_t k)
{
	struct link *l = &links[k];

	while (l->echoed != l->in_flight) {
		if (l->wrong) {
			LOG_ERR("%s: wrong echo", instances[k]->name);
			return -1;
		}
		if (l->reset) {
			LOG_INF("%s: peer reset, sending message %u again", instances[k]->name,
				l->in_flight);
			if (wait_bound(k) < 0) {
				return -1;
			}
			send_in_flight(k);
			continue;
		}
		if (k_sem_take(&l->event, WAIT_ECHO) != 0) {
			LOG_ERR("%s: no echo of message %u", instances[k]->name, l->in_flight);
			return -1;
		}
	}
	return 0;
}

/* Message n on every link, then every echo. */
static int round_trip(unsigned n)
{
	for (size_t k = 0; k < N_LINKS; k++) {
		links[k].in_flight = n;
		send_in_flight(k);
	}
	for (size_t k = 0; k < N_LINKS; k++) {
		if (wait_echo(k) < 0) {
			return -1;
		}
	}
	return 0;
}

int main(void)
{
	const char *boot = getenv("IPC_EMU_BOOT");

	LOG_INF("application core: %u links, boot %s", (unsigned)N_LINKS, boot ? boot : "1");
	for (size_t k = 0; k < N_LINKS; k++) {
		struct link *l = &links[k];
		int ret;

		l->cfg = (struct ipc_ept_cfg){
			.name = "ep0",
			.cb = {.bound = ep_bound,
			       .unbound = ep_unbound,
			       .received = ep_recv,
			       .error = ep_error},
			.priv = l,
		};
		k_sem_init(&l->event, 0, K_SEM_MAX_LIMIT);
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
		if (wait_bound(k) < 0) {
			return 1;
		}
	}
	/* One round every ROUND_PERIOD, as a periodic task would. */
	for (unsigned n = 1; n <= BYE; n++) {
		if (round_trip(n) < 0) {
			return 1;
		}
		if (n < BYE) {
			k_sleep(ROUND_PERIOD);
		}
	}
	printk("app: %u messages echoed on each of %u links\n", PING_COUNT, (unsigned)N_LINKS);
	return 0;
}
