/*
 * Host core of the "app" pair: an application written the way firmware on
 * the application core of a two-core SoC is written, around the ICMsg
 * instance ipc0 of the devicetree.
 *
 *   - A periodic k_timer paces the requests: its expiry function runs in
 *     ISR context and gives tick_sem; main() sends one request per tick.
 *   - received() runs in the ICMsg receive context (its work queue, or an
 *     ISR with --rx-in-isr): it only copies the reply into reply_q and
 *     submits rx_work; rx_work (system work queue, thread context) checks
 *     the sequence number and wakes main().
 *   - watchdog, a k_work_delayable rescheduled by every reply, fires when
 *     the remote has been quiet for WATCHDOG_MS: it is how the host learns
 *     that the remote stopped answering (a reset, here).  It only reports:
 *     a peer that is merely slow (a loaded machine under the emulator, a
 *     debugger halt on hardware) also trips it, and the exchange goes on.
 *   - With ICMsg sessions (`ipc-emu run --unbound enable` or `detect`) the
 *     remote's reset shows up as unbound() once it opens its side again;
 *     main() then registers the endpoint again, waits for bound() and
 *     sends the unanswered request once more.
 *
 * Protocol: stop-and-wait.  Request n (1..MSG_COUNT), then BYE as request
 * MSG_COUNT + 1; each is answered by a reply carrying the same number, and
 * the next one is sent only after that reply.  ICMsg delivers in order and
 * without duplicates within a session but drops what is in flight when the
 * peer resets; with one request outstanding, resending it after the rebind
 * is enough for every number to be answered exactly once, in order, as seen
 * from here.  The remote may then handle a request twice (the one it had
 * received when it reset): requests must be idempotent.
 *
 * Exit status 0 when every request was answered once, in order, with no
 * unexpected message; 1 otherwise.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/sys/byteorder.h>
#include <zephyr/sys/util.h>

#include <string.h>

LOG_MODULE_REGISTER(host, LOG_LEVEL_INF);

#include "app_common.h" /* devicetree checks and the wire format */

/* ---- timing ------------------------------------------------------------- */

#define MSG_COUNT 10
#define TICK_MS 20
#define WATCHDOG_MS 400
/* Longest wait for a reply or a rebind before giving up (a hung peer). */
#define GIVE_UP_MS 20000

BUILD_ASSERT(WATCHDOG_MS > 5 * TICK_MS, "the watchdog must not fire while requests flow");
BUILD_ASSERT(CONFIG_SYS_CLOCK_TICKS_PER_SEC >= 1000 / TICK_MS, "the tick must be resolvable");

/* ---- state -------------------------------------------------------------- */

static const struct device *const ipc0 = DEVICE_DT_GET(IPC_NODE);
static struct ipc_ept ep;

K_MSGQ_DEFINE(reply_q, sizeof(struct app_msg), 16, 4);
static K_SEM_DEFINE(tick_sem, 0, 1);
static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(event_sem, 0, K_SEM_MAX_LIMIT);

enum link_flag {
	LINK_BOUND,
	LINK_UNBOUND, /* unbound() seen, main() has not re-registered yet */
};
static ATOMIC_DEFINE(link_flags, 2);

static atomic_t outstanding = ATOMIC_INIT(0); /* the request waiting for its reply */
static atomic_t answered = ATOMIC_INIT(0);    /* the last request answered */
static atomic_t last_rx_ms = ATOMIC_INIT(0);  /* uptime of the last message */
static atomic_t duplicates = ATOMIC_INIT(0);
static atomic_t unexpected = ATOMIC_INIT(0);
static atomic_t rx_overflows = ATOMIC_INIT(0);
static atomic_t ticks_in_isr = ATOMIC_INIT(0);
static atomic_t ticks_in_thread = ATOMIC_INIT(0);
static atomic_t work_in_thread = ATOMIC_INIT(0); /* messages rx_work handled */
static atomic_t work_in_isr = ATOMIC_INIT(0);
static atomic_t watchdog_fired = ATOMIC_INIT(0);

/* ---- timer (ISR context) ------------------------------------------------ */

static void tick_expiry(struct k_timer *timer)
{
	ARG_UNUSED(timer);
	if (k_is_in_isr()) {
		atomic_inc(&ticks_in_isr);
	} else {
		atomic_inc(&ticks_in_thread);
	}
	k_sem_give(&tick_sem); /* ISR-safe; ticks while main() waits coalesce */
}

static K_TIMER_DEFINE(tick_timer, tick_expiry, NULL);

/* ---- watchdog (system work queue) --------------------------------------- */

static void watchdog_handler(struct k_work *work)
{
	int64_t quiet = k_uptime_get() - (int64_t)atomic_get(&last_rx_ms);

	ARG_UNUSED(work);
	/* An expiry already queued when a message rescheduled the item still
	 * runs (rescheduling leaves a queued item queued): not a silence. */
	if (quiet < WATCHDOG_MS) {
		return;
	}
	atomic_inc(&watchdog_fired);
	printk("host: watchdog: no message from the remote for %lld ms (limit %d ms), "
	       "request %ld unanswered\n",
	       (long long)quiet, WATCHDOG_MS, (long)atomic_get(&outstanding));
}

static K_WORK_DELAYABLE_DEFINE(watchdog, watchdog_handler);

/* ---- receive path ------------------------------------------------------- */

static void rx_work_handler(struct k_work *work)
{
	struct app_msg msg;

	ARG_UNUSED(work);
	while (k_msgq_get(&reply_q, &msg, K_NO_WAIT) == 0) {
		uint32_t seq = sys_get_le32(msg.seq);
		uint32_t want = (uint32_t)atomic_get(&outstanding);
		uint8_t want_type = (want == MSG_COUNT + 1) ? APP_MSG_BYE_REPLY : APP_MSG_REPLY;

		if (k_is_in_isr()) {
			atomic_inc(&work_in_isr);
		} else {
			atomic_inc(&work_in_thread);
		}
		atomic_set(&last_rx_ms, (atomic_val_t)k_uptime_get());
		(void)k_work_reschedule(&watchdog, K_MSEC(WATCHDOG_MS));

		if (seq == want && msg.type == want_type &&
		    seq == (uint32_t)atomic_get(&answered) + 1U) {
			atomic_set(&answered, (atomic_val_t)seq);
			printk("host: reply %u\n", (unsigned int)seq);
			k_sem_give(&event_sem);
		} else if (seq <= (uint32_t)atomic_get(&answered)) {
			atomic_inc(&duplicates);
			LOG_ERR("duplicate reply %u", (unsigned int)seq);
		} else {
			atomic_inc(&unexpected);
			LOG_ERR("unexpected message: type %u, number %u (waiting for %u)",
				msg.type, (unsigned int)seq, (unsigned int)want);
		}
	}
}

static K_WORK_DEFINE(rx_work, rx_work_handler);

/* ---- endpoint callbacks (ICMsg receive context) ------------------------- */

static void ep_bound(void *priv)
{
	ARG_UNUSED(priv);
	LOG_INF("Ep bounded");
	atomic_set_bit(link_flags, LINK_BOUND);
	k_sem_give(&bound_sem);
}

static void ep_unbound(void *priv)
{
	ARG_UNUSED(priv);
	LOG_INF("Ep unbounded");
	atomic_clear_bit(link_flags, LINK_BOUND);
	atomic_set_bit(link_flags, LINK_UNBOUND);
	k_sem_give(&event_sem);
}

static void ep_received(const void *data, size_t len, void *priv)
{
	struct app_msg msg;

	ARG_UNUSED(priv);
	if (len != sizeof(msg)) {
		atomic_inc(&unexpected);
		return;
	}
	/* The buffer is only ours until we return: copy, process later. */
	memcpy(&msg, data, sizeof(msg));
	if (k_msgq_put(&reply_q, &msg, K_NO_WAIT) != 0) {
		atomic_inc(&rx_overflows);
		return;
	}
	(void)k_work_submit(&rx_work);
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

/* ---- main thread -------------------------------------------------------- */

static int send_msg(uint8_t type, uint32_t seq)
{
	struct app_msg msg = {.type = type};
	int ret;

	sys_put_le32(seq, msg.seq);
	do {
		ret = ipc_service_send(&ep, &msg, sizeof(msg));
		if (ret == -ENOMEM) {
			k_msleep(1); /* ring full: the remote frees it as it reads */
		}
	} while (ret == -ENOMEM);
	if (ret < 0) {
		LOG_ERR("ipc_service_send(%u) failure: %d", (unsigned int)seq, ret);
	}
	return ret;
}

static int wait_bound(void)
{
	if (k_sem_take(&bound_sem, K_MSEC(GIVE_UP_MS)) != 0) {
		LOG_ERR("not bound after %d ms", GIVE_UP_MS);
		return -ETIMEDOUT;
	}
	return 0;
}

/* After unbound(): the endpoint stays disconnected until it is registered
 * again (from this thread, the only one that sends). */
static int rebind(void)
{
	int ret = ipc_service_deregister_endpoint(&ep);

	if (ret == 0) {
		ret = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);
	}
	if (ret < 0) {
		LOG_ERR("re-registering the endpoint failed: %d", ret);
		return ret;
	}
	return wait_bound();
}

/* Send request `seq` and wait for its reply, sending it again after a
 * rebind (the remote reset: what was in flight is gone). */
static int exchange(uint8_t type, uint32_t seq)
{
	atomic_set(&outstanding, (atomic_val_t)seq);
	if (send_msg(type, seq) < 0) {
		return -EIO;
	}
	for (;;) {
		if ((uint32_t)atomic_get(&answered) == seq) {
			return 0;
		}
		if (atomic_test_and_clear_bit(link_flags, LINK_UNBOUND)) {
			if (rebind() < 0) {
				return -EIO;
			}
			printk("host: resending request %u\n", (unsigned int)seq);
			if (send_msg(type, seq) < 0) {
				return -EIO;
			}
			continue;
		}
		if (k_sem_take(&event_sem, K_MSEC(GIVE_UP_MS)) != 0) {
			LOG_ERR("no reply to request %u after %d ms", (unsigned int)seq, GIVE_UP_MS);
			return -ETIMEDOUT;
		}
	}
}

int main(void)
{
	struct k_work_sync sync;
	bool ok;
	int ret;

	LOG_INF("app started: ipc0 tx-region %d bytes, rx-region %d bytes, tick %d ms, "
		"watchdog %d ms",
		(int)IPC_TX_REGION_SIZE, (int)IPC_RX_REGION_SIZE, TICK_MS, WATCHDOG_MS);

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
	if (wait_bound() < 0) {
		return 1;
	}

	k_timer_start(&tick_timer, K_MSEC(TICK_MS), K_MSEC(TICK_MS));
	for (uint32_t seq = 1; seq <= MSG_COUNT + 1; seq++) {
		bool bye = seq == MSG_COUNT + 1;

		k_sem_take(&tick_sem, K_FOREVER);
		if (bye) {
			printk("host: bye\n");
		}
		if (exchange(bye ? APP_MSG_BYE : APP_MSG_REQUEST, seq) < 0) {
			return 1;
		}
	}
	k_timer_stop(&tick_timer);
	(void)k_work_cancel_delayable_sync(&watchdog, &sync);
	(void)k_work_flush(&rx_work, &sync);

	printk("host: %ld replies in order, %ld duplicates, %ld unexpected, %ld overflows\n",
	       (long)atomic_get(&answered), (long)atomic_get(&duplicates),
	       (long)atomic_get(&unexpected), (long)atomic_get(&rx_overflows));
	printk("host: timer: %ld expiries in ISR context, %ld in thread context\n",
	       (long)atomic_get(&ticks_in_isr), (long)atomic_get(&ticks_in_thread));
	printk("host: rx work: %ld messages handled in thread context, %ld in ISR context\n",
	       (long)atomic_get(&work_in_thread), (long)atomic_get(&work_in_isr));
	printk("host: watchdog: %ld expiries\n", (long)atomic_get(&watchdog_fired));

	ok = atomic_get(&answered) == MSG_COUNT + 1 && atomic_get(&duplicates) == 0 &&
	     atomic_get(&unexpected) == 0 && atomic_get(&rx_overflows) == 0 &&
	     atomic_get(&ticks_in_thread) == 0 && atomic_get(&work_in_isr) == 0;
	LOG_INF("app ended: %s", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
