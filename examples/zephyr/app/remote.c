/*
 * Remote core of the "app" pair: a service on the second core that answers
 * the host's numbered requests over "ept0" of the ICMsg instance ipc0.
 *
 *   - received() (ICMsg receive context: its work queue, or an ISR with
 *     --rx-in-isr) only copies the message into event_q; the consumer
 *     thread (K_THREAD_DEFINE) takes it from there, answers it, and is the
 *     only thread that sends.
 *   - unbound() (the host restarted; ICMsg sessions) is queued the same
 *     way: the consumer registers the endpoint again, so that no send is in
 *     progress while it does.
 *   - In its first boot, after answering REBOOT_AFTER requests of one host
 *     session, the core resets itself with sys_reboot() on the next request,
 *     before answering it.  Nothing in RAM survives the reset; the host sees
 *     the remote quiet, then unbound(), and sends that request again.
 *   - A restart takes RESTART_DELAY_MS before ipc0 is opened (standing in
 *     for a bootloader's image check): long enough for the host's watchdog
 *     to notice the silence.
 *
 * main() opens ipc0, registers the endpoint and joins the consumer: exit
 * status 0 once the consumer has answered BYE, 1 on a setup failure or if a
 * request came out of order, a message was malformed or event_q overflowed.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/sys/byteorder.h>
#include <zephyr/sys/reboot.h>
#include <zephyr/sys/util.h>

#include <stdlib.h>
#include <string.h>

LOG_MODULE_REGISTER(remote, LOG_LEVEL_INF);

#include "app_common.h" /* devicetree checks and the wire format */

/* ---- behaviour ---------------------------------------------------------- */

#define REBOOT_AFTER 5
#define RESTART_DELAY_MS 1200

/* What the receive path hands to the consumer thread. */
enum event_kind {
	EV_MESSAGE = 1,
	EV_UNBOUND = 2,
};

struct event {
	uint8_t kind; /* enum event_kind */
	uint8_t reserved[3];
	struct app_msg msg; /* EV_MESSAGE */
};

BUILD_ASSERT(sizeof(struct event) == 12, "event_q holds 12-byte events");

K_MSGQ_DEFINE(event_q, sizeof(struct event), 16, 4);

static const struct device *const ipc0 = DEVICE_DT_GET(IPC_NODE);
static struct ipc_ept ep;

static atomic_t rx_overflows = ATOMIC_INIT(0);
static atomic_t bad_messages = ATOMIC_INIT(0);
static atomic_t failed = ATOMIC_INIT(0); /* set by the consumer: exit status 1 */

/*
 * The boot count of this core: 1 at power-on, 2 after its first reset, ...
 *
 * Firmware learns this from state that survives a reset (a counter in
 * retained RAM, or hwinfo_get_reset_cause() reporting RESET_SOFTWARE).
 * Under ipc-emu no RAM survives a reset and the hwinfo API is not
 * provided; the supervisor that restarts the program passes the count in
 * the environment instead (IPC_EMU_BOOT, zephyr/sys/reboot.h).  This is
 * the only place that reads it.
 */
static unsigned int boot_count(void)
{
	const char *s = getenv(EMU_ZEPHYR_BOOT_ENV);
	unsigned long n = (s != NULL) ? strtoul(s, NULL, 10) : 0;

	return (n >= 1 && n <= 1000000) ? (unsigned int)n : 1U;
}

/* ---- endpoint callbacks (ICMsg receive context) ------------------------- */

static void queue_event(const struct event *ev)
{
	if (k_msgq_put(&event_q, ev, K_NO_WAIT) != 0) {
		atomic_inc(&rx_overflows);
	}
}

static void ep_bound(void *priv)
{
	ARG_UNUSED(priv);
	LOG_INF("Ep bounded");
}

static void ep_unbound(void *priv)
{
	struct event ev = {.kind = EV_UNBOUND};

	ARG_UNUSED(priv);
	LOG_INF("Ep unbounded");
	queue_event(&ev);
}

static void ep_received(const void *data, size_t len, void *priv)
{
	struct event ev = {.kind = EV_MESSAGE};

	ARG_UNUSED(priv);
	if (len != sizeof(ev.msg)) {
		atomic_inc(&bad_messages);
		return;
	}
	memcpy(&ev.msg, data, sizeof(ev.msg)); /* the buffer is ours until we return */
	queue_event(&ev);
}

static void ep_error(const char *message, void *priv)
{
	ARG_UNUSED(priv);
	LOG_ERR("ICMsg error: %s", message);
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ept0",
	.cb = {
		.bound = ep_bound,
		.unbound = ep_unbound,
		.received = ep_received,
		.error = ep_error,
	},
};

/* ---- consumer thread ---------------------------------------------------- */

static int reply(uint8_t type, uint32_t seq)
{
	struct app_msg msg = {.type = type};
	int ret;

	sys_put_le32(seq, msg.seq);
	do {
		ret = ipc_service_send(&ep, &msg, sizeof(msg));
		if (ret == -ENOMEM) {
			k_msleep(1); /* ring full: the host frees it as it reads */
		}
	} while (ret == -ENOMEM);
	if (ret < 0) {
		LOG_ERR("reply %u failed: %d", (unsigned int)seq, ret);
	}
	return ret;
}

static void consumer(void *p1, void *p2, void *p3)
{
	const unsigned int boot = boot_count();
	uint32_t last = 0;    /* the last request answered in this host session */
	uint32_t handled = 0; /* requests answered in this host session */
	uint32_t total = 0;   /* requests answered in this boot */
	long out_of_order = 0;
	struct event ev;

	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);

	for (;;) {
		(void)k_msgq_get(&event_q, &ev, K_FOREVER);

		if (ev.kind == EV_UNBOUND) {
			/* The host restarted: a new session, numbered from 1. */
			int ret = ipc_service_deregister_endpoint(&ep);

			if (ret == 0) {
				ret = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);
			}
			if (ret < 0) {
				LOG_ERR("re-registering the endpoint failed: %d", ret);
				atomic_set(&failed, 1);
				return;
			}
			last = 0;
			handled = 0;
			continue;
		}

		uint32_t seq = sys_get_le32(ev.msg.seq);

		if (ev.msg.type == APP_MSG_BYE) {
			(void)reply(APP_MSG_BYE_REPLY, seq);
			printk("remote: bye (request %u)\n", (unsigned int)seq);
			break;
		}
		if (ev.msg.type != APP_MSG_REQUEST) {
			atomic_inc(&bad_messages);
			continue;
		}
		/* Within a boot and a host session, numbers follow each other; the
		 * first one after a reset may be any (the host resends the one it
		 * had outstanding). */
		if (last != 0 && seq != last + 1) {
			out_of_order++;
			LOG_ERR("request %u after %u", (unsigned int)seq, (unsigned int)last);
		}
		if (boot == 1 && handled == REBOOT_AFTER) {
			printk("remote: request %u: rebooting after %u requests\n", (unsigned int)seq,
			       (unsigned int)handled);
			sys_reboot(SYS_REBOOT_COLD);
		}
		printk("remote: request %u\n", (unsigned int)seq);
		(void)reply(APP_MSG_REPLY, seq);
		last = seq;
		handled++;
		total++;
	}

	printk("remote: boot %u answered %u requests, %ld out of order, %ld bad, "
	       "%ld overflows\n",
	       boot, (unsigned int)total, out_of_order, (long)atomic_get(&bad_messages),
	       (long)atomic_get(&rx_overflows));
	if (out_of_order != 0 || atomic_get(&bad_messages) != 0 || atomic_get(&rx_overflows) != 0) {
		atomic_set(&failed, 1);
	}
}

K_THREAD_DEFINE(consumer_tid, 1024, consumer, NULL, NULL, NULL, K_PRIO_PREEMPT(7), 0, 0);

/* ---- main --------------------------------------------------------------- */

int main(void)
{
	const unsigned int boot = boot_count();
	int ret;

	LOG_INF("app started: boot %u", boot);
	if (boot > 1) {
		k_msleep(RESTART_DELAY_MS);
	}
	if (!device_is_ready(ipc0)) {
		LOG_ERR("ipc0 not ready");
		return 1;
	}
	ret = ipc_service_open_instance(ipc0);
	if (ret < 0 && ret != -EALREADY) {
		LOG_ERR("ipc_service_open_instance() failure: %d", ret);
		return 1;
	}
	ret = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);
	if (ret < 0) {
		LOG_ERR("ipc_service_register_endpoint() failure: %d", ret);
		return 1;
	}
	/* The consumer thread runs the service; the core is done when it is. */
	(void)k_thread_join(consumer_tid, K_FOREVER);
	LOG_INF("app ended: %s", atomic_get(&failed) ? "FAILED" : "ok");
	return atomic_get(&failed) ? 1 : 0;
}
