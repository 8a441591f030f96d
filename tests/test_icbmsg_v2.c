/*
 * ICBMsg v2 core on two emulated cores in one process (tests/support/
 * v2_pair.h: host TX 16 blocks, RX 24, 0x4000-byte regions, S = 16):
 * binding, copy and no-copy traffic, priorities, deregister/close,
 * exhaustion, two senders, and a scripted hostile peer.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/pbuf.h"
#include "support/pair.h"
#include "support/senders.h"
#include "support/v2_pair.h"
#include "support/vg_cases.h"
#include "ctl.h"
#include "emu_internal.h"

#define H V2_HOST
#define R V2_REMOTE

struct ep {
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	atomic_int bound, unbound, received, errors;
	atomic_size_t last_len;
	unsigned char last[512];
	char order[64]; /* first byte of each message, in delivery order */
	void *last_ptr;
	void *held[4]; /* with hold: the first four buffers, in delivery order */
	bool hold, echo;
	char error[128];
	struct senders *senders;
};

static struct v2_pair P;
static struct ep eps[2][4];
static char rx_order[2][64]; /* first byte of each message per receiving side */
static atomic_int rx_n[2];

static const struct device *dev(int role)
{
	return &P.side[role].dev;
}

static void on_bound(void *priv)
{
	atomic_fetch_add(&((struct ep *)priv)->bound, 1);
}

static void on_unbound(void *priv)
{
	atomic_fetch_add(&((struct ep *)priv)->unbound, 1);
}

static void on_error(const char *msg, void *priv)
{
	struct ep *e = priv;

	snprintf(e->error, sizeof(e->error), "%s", msg);
	atomic_fetch_add(&e->errors, 1);
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct ep *e = priv;
	int n = atomic_load(&e->received);

	if (e->senders != NULL) {
		senders_received(e->senders, data, len);
	}
	memcpy(e->last, data, len < sizeof(e->last) ? len : sizeof(e->last));
	if (n < (int)sizeof(e->order) && len > 0) {
		e->order[n] = ((const char *)data)[0];
	}
	for (int r = 0; r < 2; r++) {
		for (int i = 0; i < 4; i++) {
			int k;

			if (e == &eps[r][i] && len > 0 && (k = atomic_fetch_add(&rx_n[r], 1)) < 64) {
				rx_order[r][k] = ((const char *)data)[0];
			}
		}
	}
	e->last_ptr = (void *)data;
	atomic_store(&e->last_len, len);
	if (e->hold) {
		if (n < 4) {
			e->held[n] = (void *)data;
		}
		cr_assert_eq(ipc_service_hold_rx_buffer(&e->ept, (void *)data), 0);
		cr_assert_eq(ipc_service_hold_rx_buffer(&e->ept, (void *)data), -EALREADY);
	}
	if (e->echo) {
		/* From the interrupt context, as Zephyr's v2 allows. */
		cr_assert_eq(ipc_service_send(&e->ept, data, len), (int)len);
	}
	atomic_fetch_add(&e->received, 1);
}

static void init_ep(int role, int i, const char *name, int prio)
{
	struct ep *e = &eps[role][i];

	e->cfg = (struct ipc_ept_cfg){.name = name,
				      .prio = prio,
				      .cb = {.bound = on_bound,
					     .unbound = on_unbound,
					     .received = on_received,
					     .error = on_error},
				      .priv = e};
}

static bool wait_for(atomic_int *v, int want)
{
	int ms = getenv("VALGRIND") != NULL ? 60000 : 5000;

	for (int i = 0; i < ms && atomic_load(v) < want; i++) {
		usleep(1000);
	}
	return atomic_load(v) >= want;
}

static void setup_opts(const struct v2_opts *o)
{
	memset(eps, 0, sizeof(eps));
	memset(rx_order, 0, sizeof(rx_order));
	atomic_store(&rx_n[0], 0);
	atomic_store(&rx_n[1], 0);
	v2_pair_setup(&P, "pair", o);
}

static void setup(void)
{
	setup_opts(NULL);
}

static void teardown(void)
{
	v2_pair_teardown(&P);
}

/* Both sides up and open, endpoint i of each registered and bound. */
static void up(void)
{
	v2_side_init(&P, H);
	v2_side_init(&P, R);
	cr_assert_eq(ipc_service_open_instance(dev(H)), 0);
	cr_assert_eq(ipc_service_open_instance(dev(R)), 0);
}

static void bind(int i, const char *name, int prio_h, int prio_r)
{
	init_ep(H, i, name, prio_h);
	init_ep(R, i, name, prio_r);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][i].ept, &eps[H][i].cfg), 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(R), &eps[R][i].ept, &eps[R][i].cfg), 0);
	cr_assert(wait_for(&eps[H][i].bound, 1));
	cr_assert(wait_for(&eps[R][i].bound, 1));
}

static void settle_blocks(int role)
{
	for (int i = 0; i < 5000 && icbmsg_v2_tx_blocks_in_use(dev(role)) != 0; i++) {
		icbmsg_v2_collect(dev(role));
		usleep(1000);
	}
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(role)), 0u);
}

TestSuite(icbmsg_v2, .init = setup, .fini = teardown, .timeout = 30);
/* icbmsg_v2_cfg: tests with their own options (and so no suite .init, which
 * Criterion would run before theirs). */

/* ---------------------------------------------------------------- binding and data */

VgTest(icbmsg_v2, binds_and_exchanges_both_ways)
{
	up();
	bind(0, "alpha", 0, 0);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_CONNECTED);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "to remote", 10), 10);
	cr_assert(wait_for(&eps[R][0].received, 1));
	cr_assert_str_eq((char *)eps[R][0].last, "to remote");
	cr_assert_eq(ipc_service_send(&eps[R][0].ept, "to host!", 9), 9);
	cr_assert(wait_for(&eps[H][0].received, 1));
	cr_assert_str_eq((char *)eps[H][0].last, "to host!");
	cr_assert_eq(atomic_load(&eps[H][0].bound), 1);
	cr_assert_eq(atomic_load(&eps[R][0].bound), 1);
	settle_blocks(H);
	settle_blocks(R);
}

VgTest(icbmsg_v2, registration_order_does_not_matter)
{
	static const char *names[] = {"a", "bb", "ccc", "dddd"};

	up();
	for (int i = 0; i < 4; i++) {
		init_ep(H, i, names[i], 0);
		init_ep(R, i, names[i], 0);
	}
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][i].ept, &eps[H][i].cfg), 0);
		cr_assert_eq(ipc_service_register_endpoint(dev(R), &eps[R][3 - i].ept,
							   &eps[R][3 - i].cfg),
			     0);
	}
	for (int i = 0; i < 4; i++) {
		cr_assert(wait_for(&eps[H][i].bound, 1));
		cr_assert(wait_for(&eps[R][i].bound, 1));
		cr_assert_eq(ipc_service_send(&eps[H][i].ept, names[i], strlen(names[i]) + 1),
			     (int)strlen(names[i]) + 1);
		cr_assert(wait_for(&eps[R][i].received, 1));
		cr_assert_str_eq((char *)eps[R][i].last, names[i]);
	}
	/* A fifth registration finds no slot. */
	init_ep(H, 0, "e", 0);
	struct ipc_ept extra;
	struct ipc_ept_cfg cfg5 = eps[H][0].cfg;
	cfg5.name = "fifth";
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &extra, &cfg5), -ENOMEM);
}

VgTest(icbmsg_v2, send_before_bound_and_unknown_token)
{
	up();
	init_ep(H, 0, "lonely", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][1].ept, &eps[H][0].cfg),
		     -EALREADY);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "x", 1), -ENOENT);
	cr_assert_eq(ipc_service_send(&eps[H][1].ept, "x", 1), -ENOENT);
}

VgTest(icbmsg_v2, register_before_open_is_refused)
{
	v2_side_init(&P, H);
	init_ep(H, 0, "early", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), -EBUSY);
}

VgTest(icbmsg_v2, zero_length_and_largest_copy_send)
{
	static uint8_t big[16 * 1020];
	int max;

	up();
	bind(0, "alpha", 0, 0);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, NULL, 0), 0);
	cr_assert(wait_for(&eps[R][0].received, 1));
	cr_assert_eq(atomic_load(&eps[R][0].last_len), 0u);
	max = ipc_service_get_tx_buffer_size(&eps[H][0].ept);
	/* host TX: 0x4000 bytes, Q 24: (16384 - 48) / 16 = 1021 -> 1020 */
	cr_assert_eq(max, 16 * 1020 - 4);
	for (int i = 0; i < max; i++) {
		big[i] = (uint8_t)(i * 7);
	}
	settle_blocks(H);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, big, (size_t)max + 1), -ENOMEM);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, NULL, 3), -EINVAL);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, big, (size_t)max), max);
	cr_assert(wait_for(&eps[R][0].received, 2));
	cr_assert_eq(atomic_load(&eps[R][0].last_len), (size_t)max);
	cr_assert_eq(memcmp(eps[R][0].last, big, sizeof(eps[R][0].last)), 0);
	settle_blocks(H);
}

VgTest(icbmsg_v2, echo_from_the_interrupt_context)
{
	up();
	bind(0, "echo", 0, 0);
	eps[R][0].echo = true;
	for (int i = 1; i <= 20; i++) {
		char msg[16];

		snprintf(msg, sizeof(msg), "ping %d", i);
		cr_assert_eq(ipc_service_send(&eps[H][0].ept, msg, strlen(msg) + 1),
			     (int)strlen(msg) + 1);
		cr_assert(wait_for(&eps[H][0].received, i));
		cr_assert_str_eq((char *)eps[H][0].last, msg);
	}
	settle_blocks(H);
	settle_blocks(R);
}

/* ---------------------------------------------------------------- no-copy */

VgTest(icbmsg_v2, nocopy_send_shrinks_and_frees)
{
	void *buf;
	uint32_t size = 0;

	up();
	bind(0, "nc", 0, 0);
	settle_blocks(H);
	cr_assert_eq(ipc_service_get_tx_buffer(&eps[H][0].ept, &buf, &size, K_NO_WAIT), 0);
	cr_assert_eq(size, 16u * 1020u - 4u);
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 16u);
	memcpy(buf, "no copy", 8);
	cr_assert_eq(ipc_service_send_nocopy(&eps[H][0].ept, buf, 8), 8);
	cr_assert_eq(ipc_service_send_nocopy(&eps[H][0].ept, buf, 8), -EALREADY);
	cr_assert(wait_for(&eps[R][0].received, 1));
	cr_assert_str_eq((char *)eps[R][0].last, "no copy");
	settle_blocks(H);
}

VgTest(icbmsg_v2, nocopy_drop_and_bad_pointers)
{
	void *buf;
	uint32_t size = 100;

	up();
	bind(0, "nc", 0, 0);
	settle_blocks(H);
	cr_assert_eq(ipc_service_get_tx_buffer(&eps[H][0].ept, &buf, &size, K_NO_WAIT), 0);
	cr_assert_eq(size, 1016u);
	cr_assert_eq(ipc_service_send_nocopy(&eps[H][0].ept, buf, 1017), -EINVAL);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[H][0].ept, (char *)buf + 1), -EINVAL);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[H][0].ept, buf), 0);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[H][0].ept, buf), -EALREADY);
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 0u);
	size = 16u * 1020u - 3u;
	cr_assert_eq(ipc_service_get_tx_buffer(&eps[H][0].ept, &buf, &size, K_NO_WAIT), -ENOMEM);
	cr_assert_eq(size, 16u * 1020u - 3u); /* not updated, as Zephyr */
}

VgTest(icbmsg_v2, hold_and_release_rx_buffer)
{
	void *held;

	up();
	bind(0, "hold", 0, 0);
	eps[R][0].hold = true;
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "keep me", 8), 8);
	cr_assert(wait_for(&eps[R][0].received, 1));
	held = eps[R][0].last_ptr;
	usleep(20000);
	icbmsg_v2_collect(dev(H));
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 1u); /* still held by the remote */
	cr_assert_str_eq((char *)held, "keep me");
	cr_assert_eq(ipc_service_hold_rx_buffer(&eps[R][0].ept, held), -EINVAL); /* outside received() */
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, held), 0);
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, held), -EALREADY);
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, (char *)held + 4), -EINVAL);
	settle_blocks(H);
}

/* ---------------------------------------------------------------- priorities */

VgTest(icbmsg_v2, high_priority_first_within_a_batch)
{
	up();
	bind(0, "normal", 0, 0);
	bind(1, "urgent", 1, 1);
	/* Hold the remote's interrupt so that four messages form one batch. */
	cr_assert_eq(mbox_set_enabled_dt(&P.side[R].conf.mbox_rx, false), 0);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "a", 1), 1);
	cr_assert_eq(ipc_service_send(&eps[H][1].ept, "B", 1), 1);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "c", 1), 1);
	cr_assert_eq(ipc_service_send(&eps[H][1].ept, "D", 1), 1);
	cr_assert_eq(mbox_set_enabled_dt(&P.side[R].conf.mbox_rx, true), 0);
	cr_assert(wait_for(&eps[R][0].received, 2));
	cr_assert(wait_for(&eps[R][1].received, 2));
	/* Urgent first, each priority in send order. */
	cr_assert_eq(memcmp(rx_order[R], "BDac", 4), 0, "%.4s", rx_order[R]);
	/* bit 7 of the four producer slots marks the urgent two */
	const uint8_t *q = v2_region(&P, H, true);
	uint32_t count;
	memcpy(&count, q, 4);
	for (uint32_t k = 0; k < 4; k++) {
		cr_assert_eq(q[8 + (count - 4 + k) % 16] & 0x80, (k & 1) ? 0x80 : 0);
	}
}

VgTest(icbmsg_v2, send_critical_is_send)
{
	up();
	bind(0, "crit", 0, 0);
	cr_assert_eq(ipc_service_send_critical(&eps[H][0].ept, "!", 2), 2);
	cr_assert(wait_for(&eps[R][0].received, 1));
	cr_assert_str_eq((char *)eps[R][0].last, "!");
}

/* ---------------------------------------------------------------- deregister, close */

VgTest(icbmsg_v2, deregister_calls_the_remote_unbound_and_rebinds)
{
	up();
	bind(0, "alpha", 0, 0);
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[H][0].ept), 0);
	cr_assert(wait_for(&eps[R][0].unbound, 1));
	cr_assert_eq(atomic_load(&eps[H][0].unbound), 0);
	/* The remote's registration is gone with it (as Zephyr): */
	cr_assert_eq(ipc_service_send(&eps[R][0].ept, "x", 1), -ENOENT);
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[R][0].ept), -ENOENT);
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[H][0].ept), -ENOENT);
	/* Both register again: bound again, traffic again. */
	cr_assert_eq(ipc_service_register_endpoint(dev(R), &eps[R][0].ept, &eps[R][0].cfg), 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert(wait_for(&eps[H][0].bound, 2));
	cr_assert(wait_for(&eps[R][0].bound, 2));
	cr_assert_eq(ipc_service_send(&eps[R][0].ept, "again", 6), 6);
	cr_assert(wait_for(&eps[H][0].received, 1));
	cr_assert_str_eq((char *)eps[H][0].last, "again");
}

VgTest(icbmsg_v2, deregister_before_bound_is_enoent)
{
	up();
	init_ep(H, 0, "nobody", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[H][0].ept), -ENOENT);
	cr_assert_eq(ipc_service_close_instance(dev(H)), -EBUSY);
}

VgTest(icbmsg_v2, close_needs_no_endpoints_and_reopens)
{
	up();
	bind(0, "alpha", 0, 0);
	cr_assert_eq(ipc_service_close_instance(dev(H)), -EBUSY);
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[H][0].ept), 0);
	cr_assert(wait_for(&eps[R][0].unbound, 1));
	cr_assert_eq(ipc_service_close_instance(dev(H)), 0);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_IDLE);
	cr_assert_eq(ipc_service_close_instance(dev(H)), -EALREADY);
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 0u);
	/* Own queues zeroed (TX producer, RX consumer). */
	cr_assert_eq(memcmp(v2_region(&P, H, true), (const uint8_t[8]){0}, 8), 0);
}

static void setup_no_deinit(void)
{
	setup_opts(&(struct v2_opts){.no_deinit = true});
}

VgTest(icbmsg_v2_cfg, without_deinit_no_deregister_nor_close, .init = setup_no_deinit, .fini = teardown,
     .timeout = 30)
{
	up();
	bind(0, "alpha", 0, 0);
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[H][0].ept), -EIO);
	cr_assert_eq(ipc_service_close_instance(dev(H)), 0);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_CONNECTED);
}

/* ---------------------------------------------------------------- exhaustion */

VgTest(icbmsg_v2, exhaustion_then_recovery)
{
	void *buf[17];
	uint32_t size;
	int n = 0;

	up();
	bind(0, "full", 0, 0);
	settle_blocks(H);
	for (;;) {
		size = 1;
		int rc = ipc_service_get_tx_buffer(&eps[H][0].ept, &buf[n], &size, K_NO_WAIT);

		if (rc < 0) {
			cr_assert_eq(rc, -ENOMEM);
			break;
		}
		cr_assert_eq(size, 1016u);
		cr_assert_lt(++n, 17);
	}
	cr_assert_eq(n, 16);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "x", 1), -ENOMEM);
	size = 1;
	cr_assert_eq(ipc_service_get_tx_buffer(&eps[H][0].ept, &buf[16], &size, K_MSEC(20)),
		     -ENOMEM);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[H][0].ept, buf[3]), 0);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "x", 1), 1);
	for (int i = 0; i < 16; i++) {
		if (i != 3) {
			cr_assert_eq(ipc_service_drop_tx_buffer(&eps[H][0].ept, buf[i]), 0);
		}
	}
	cr_assert(wait_for(&eps[R][0].received, 1));
	settle_blocks(H);
}

static void setup_32_blocks(void)
{
	setup_opts(&(struct v2_opts){.host_tx_blocks = 32});
}

/* More blocks than slots: S messages in flight fill the queue; send then
 * answers -ENOMEM (Zephyr returns the length and drops the message). */
VgTest(icbmsg_v2_cfg, queue_full_is_an_error_not_a_silent_drop, .init = setup_32_blocks, .fini = teardown,
     .timeout = 30)
{
	struct icbmsg_v2_stats st;
	void *held[16];

	up();
	bind(0, "q", 0, 0);
	eps[R][0].hold = true;
	for (int i = 0; i < 16; i++) {
		cr_assert_eq(ipc_service_send(&eps[H][0].ept, "m", 2), 2, "message %d", i);
		cr_assert(wait_for(&eps[R][0].received, i + 1));
		held[i] = eps[R][0].last_ptr;
	}
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "m", 2), -ENOMEM);
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.tx_queue_full, 1u);
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 16u); /* the refused one was freed */
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, held[0]), 0);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "m", 2), 2);
	for (int i = 1; i < 16; i++) {
		cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, held[i]), 0);
	}
	cr_assert(wait_for(&eps[R][0].received, 17));
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, eps[R][0].last_ptr), 0);
	settle_blocks(H);
}

/* ---------------------------------------------------------------- two senders */

VgTest(icbmsg_v2, two_senders_on_one_endpoint)
{
	struct senders s = {.per_thread = senders_count(300), .max_len = 200,
			    .widen = "icbmsg_v2_before_produce"};

	up();
	bind(0, "two", 0, 0);
	s.ept = &eps[H][0].ept;
	eps[R][0].senders = &s;
	senders_run(&s);
	cr_assert_eq(s.send_rc[0], 0);
	cr_assert_eq(s.send_rc[1], 0);
	cr_assert(wait_for(&s.received, 2 * s.per_thread));
	cr_assert_eq(atomic_load(&s.bad), 0);
	cr_assert_eq(atomic_load(&s.received), 2 * s.per_thread);
	settle_blocks(H);
}

/* ---------------------------------------------------------------- cache model */

static void setup_cache(void)
{
	/* dcache-alignment 8: count+hi_count in one line, slots in the next
	 * two; an eviction at a quarter of the cache operations. */
	setup_opts(&(struct v2_opts){.dcache_alignment = 8, .cache_model = true, .evict_rate = 256});
}

static void stream_under_cache(int from)
{
	struct senders s = {.per_thread = senders_count(400), .max_len = 200};

	s.ept = &eps[from][0].ept;
	eps[!from][0].senders = &s;
	senders_run(&s);
	cr_assert_eq(s.send_rc[0], 0);
	cr_assert_eq(s.send_rc[1], 0);
	cr_assert(wait_for(&s.received, 2 * s.per_thread));
	cr_assert_eq(atomic_load(&s.bad), 0);
	cr_assert_eq(atomic_load(&s.received), 2 * s.per_thread);
	settle_blocks(from);
	eps[!from][0].senders = NULL;
}

/* Each side behind its own incoherent cache: every message arrives once,
 * in order and intact, and every block comes back (a queue's count must
 * not reach memory before the slot it covers). */
VgTest(icbmsg_v2_cfg, streams_both_ways_under_the_cache_model, .init = setup_cache, .fini = teardown,
     .timeout = 60)
{
	struct icbmsg_v2_stats st;

	up();
	bind(0, "cached", 0, 0);
	stream_under_cache(H);
	stream_under_cache(R);
	for (int r = 0; r < 2; r++) {
		icbmsg_v2_get_stats(dev(r), &st);
		cr_assert_eq(st.tx_invalid_release, 0u, "side %d", r);
		cr_assert_eq(st.rx_duplicate, 0u, "side %d", r);
		cr_assert_eq(st.rx_bad_header, 0u, "side %d", r);
	}
}

/* ---------------------------------------------------------------- a scripted peer */

/* The test plays the remote: it writes the host's RX region (its producer
 * queue and blocks) and the host's TX consumer queue directly. */
struct fake {
	uint8_t *rx, *tx;
	struct icbmsg_v2_layout l, lt;
	uint32_t count, hi, cons;
};

static struct fake F;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void fake_block(uint32_t idx, uint32_t size, uint32_t index_byte, uint32_t ept,
		       const void *payload, size_t len)
{
	uint8_t *b = F.rx + F.l.blocks_offset + idx * F.l.block_size;

	put32(b, size | index_byte << 16 | ept << 24);
	if (len > 0) {
		memcpy(b + 4, payload, len);
	}
}

static uint32_t host_rx_packets(void)
{
	struct icbmsg_v2_stats st;

	icbmsg_v2_get_stats(dev(H), &st);
	return st.rx_packets;
}

static uint32_t host_consumed(void);

/* Append an entry, ring, wait until the host consumed it (consume false:
 * an entry the host must not consume - wait until it took it, and a bit). */
static void fake_produce_c(uint8_t slot, bool consume)
{
	uint32_t before = host_rx_packets(), consumed = host_consumed();
	int ms = getenv("VALGRIND") != NULL ? 100000 : 5000;

	F.rx[8 + F.count % 16] = slot;
	if (slot & 0x80) {
		put32(F.rx + 4, ++F.hi);
	}
	put32(F.rx, ++F.count);
	v2_ring(&P, H);
	for (int i = 0; i < ms && icbmsg_v2_state(dev(H)) != ICBMSG_V2_STATE_FAILED &&
			(consume ? host_consumed() == consumed : host_rx_packets() == before);
	     i++) {
		usleep(1000);
	}
	if (!consume) {
		usleep(getenv("VALGRIND") != NULL ? 200000 : 10000);
	}
}

static void fake_produce(uint8_t slot)
{
	fake_produce_c(slot, true);
}

static void fake_up(void)
{
	uint8_t bound[16];

	v2_side_init(&P, H);
	memset(&F, 0, sizeof(F));
	F.rx = v2_region(&P, H, false);
	F.tx = v2_region(&P, H, true);
	v2_layout(&P, H, false, &F.l);
	v2_layout(&P, H, true, &F.lt);
	cr_assert_eq(ipc_service_open_instance(dev(H)), 0);
	put32(bound, ICBMSG_V2_BOUND_MAGIC1);
	put32(bound + 4, ICBMSG_V2_BOUND_MAGIC2);
	put32(bound + 8, 24); /* the peer's tx-blocks = our rx-blocks */
	put32(bound + 12, 16);
	fake_block(0, 16, 0, 0xFF, bound, 16);
	fake_produce(0x80);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_CONNECTED);
}

/* Consume every entry the host produced so far (as a peer would). */
static void fake_consume_all(void)
{
	uint32_t produced = get32(F.tx);

	for (; F.cons < produced; F.cons++) {
		F.tx[F.lt.cons_offset + 8 + F.cons % 16] = F.tx[8 + F.cons % 16] & 0x7F;
	}
	put32(F.tx + F.lt.cons_offset, F.cons);
}

static uint32_t host_consumed(void)
{
	return get32(F.rx + F.l.cons_offset);
}

static void fake_ep_bound(uint32_t blk, uint8_t slot, uint32_t hash)
{
	uint8_t pkt[6] = {ICBMSG_V2_EP_BOUND, slot};

	memcpy(pkt + 2, &hash, 4);
	fake_block(blk, 6, blk, 0xFF, pkt, 6);
	fake_produce((uint8_t)(0x80 | blk));
}

VgTest(icbmsg_v2_peer, scripted_peer_binds_and_exchanges, .init = setup, .fini = teardown,
     .timeout = 30)
{
	fake_up();
	cr_assert_eq(host_consumed(), 1u); /* the bound packet */
	fake_ep_bound(1, 5, icbmsg_v2_name_hash("alpha"));
	init_ep(H, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(atomic_load(&eps[H][0].bound), 1); /* announced first: bound at once */
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "hi", 3), 3);
	/* host TX: bound packet, EP_BOUND(slot 0), data for peer slot 5 */
	cr_assert_eq(get32(F.tx), 3u);
	uint8_t last = F.tx[8 + 2];
	const uint8_t *b = F.tx + F.lt.blocks_offset + last * F.lt.block_size;
	cr_assert_eq(last & 0x80, 0);
	cr_assert_eq(memcmp(b, (const uint8_t[]){3, 0, last, 5, 'h', 'i', 0}, 7), 0);
	/* data from the peer to our slot 0 */
	fake_block(2, 4, 2, 0, "abc", 4);
	fake_produce(2);
	cr_assert_eq(atomic_load(&eps[H][0].received), 1);
	cr_assert_str_eq((char *)eps[H][0].last, "abc");
	cr_assert_eq(host_consumed(), 3u);
	fake_consume_all();
	icbmsg_v2_collect(dev(H));
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 0u);
}

VgTest(icbmsg_v2_peer, hostile_entries_are_counted_and_never_delivered, .init = setup,
     .fini = teardown, .timeout = 30)
{
	struct icbmsg_v2_stats st;

	fake_up();
	fake_ep_bound(1, 0, icbmsg_v2_name_hash("alpha"));
	init_ep(H, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(host_consumed(), 2u);

	fake_produce_c(0x7F, false);               /* index 127 >= 24 blocks */
	fake_block(3, 4, 4, 0, "bad", 4);          /* header names block 4 */
	fake_produce(3);
	fake_block(3, 65535, 3, 0, NULL, 0);       /* runs past the area */
	fake_produce(3);
	fake_block(3, 4, 3, 9, "abc", 4);          /* endpoint 9 >= 4 slots */
	fake_produce(3);
	fake_block(3, 4, 3, 1, "abc", 4);          /* slot 1: no endpoint */
	fake_produce(3);
	fake_block(3, 2, 3, 0xFF, "\0\0", 2);      /* control packet too short */
	fake_produce(0x83);
	fake_block(3, 6, 3, 0xFF, "\7\0\0\0\0", 6); /* unknown control type */
	fake_produce(0x83);
	fake_block(3, 6, 3, 0xFF, "\1\3\0\0\0", 6); /* EP_UNBOUND of slot 3: nothing bound */
	fake_produce(0x83);
	fake_block(3, 6, 3, 0xFF, "\0\xFF\0\0\0", 6); /* EP_BOUND naming slot 0xFF */
	fake_produce(0x83);
	put32(F.rx + 4, 1000);                     /* hi_count garbage */
	F.hi = 999;
	fake_block(3, 4, 3, 0, "ok!", 4);
	fake_produce(3);

	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.rx_invalid_index, 1u);
	cr_assert_eq(st.rx_bad_header, 2u);
	cr_assert_eq(st.rx_unknown_ept, 2u);
	cr_assert_eq(st.rx_invalid_control, 4u);
	cr_assert_eq(st.rx_bad_hi_count, 1u);
	cr_assert_eq(st.desync, 0u);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_CONNECTED);
	/* only the last, valid one was delivered; all but the index-127 entry consumed */
	cr_assert_eq(atomic_load(&eps[H][0].received), 1);
	cr_assert_str_eq((char *)eps[H][0].last, "ok!");
	cr_assert_eq(host_consumed(), 2u + 9u);
}

VgTest(icbmsg_v2_peer, entry_naming_a_held_buffer_is_dropped, .init = setup, .fini = teardown,
     .timeout = 30)
{
	struct icbmsg_v2_stats st;

	fake_up();
	fake_ep_bound(1, 0, icbmsg_v2_name_hash("alpha"));
	init_ep(H, 0, "alpha", 0);
	eps[H][0].hold = true;
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	fake_block(4, 4, 4, 0, "one", 4);
	fake_produce_c(4, false); /* held: not consumed */
	fake_produce_c(4, false); /* again, while we hold it */
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.rx_duplicate, 1u);
	cr_assert_eq(atomic_load(&eps[H][0].received), 1);
	cr_assert_eq(host_consumed(), 2u);
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[H][0].ept, eps[H][0].last_ptr), 0);
	cr_assert_eq(host_consumed(), 3u);
}

VgTest(icbmsg_v2_peer, bad_consumer_entries_and_count_jump, .init = setup, .fini = teardown,
     .timeout = 30)
{
	struct icbmsg_v2_stats st;

	fake_up();
	fake_ep_bound(1, 0, icbmsg_v2_name_hash("alpha"));
	init_ep(H, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "x", 1), 1);
	/* in flight: bound packet, EP_BOUND, data = 3 */
	F.tx[F.lt.cons_offset + 8] = 31;  /* no such block */
	F.tx[F.lt.cons_offset + 9] = 7;   /* a block not in flight */
	put32(F.tx + F.lt.cons_offset, 2);
	icbmsg_v2_collect(dev(H));
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.tx_invalid_release, 2u);
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 3u);
	put32(F.tx + F.lt.cons_offset, 2 + 4); /* more than the 3 in flight */
	icbmsg_v2_collect(dev(H));
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.desync, 1u);
	cr_assert_eq(st.last_error, ICBMSG_V2_ERR_DESYNC);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_FAILED);
	cr_assert_eq(atomic_load(&eps[H][0].errors), 1);
	cr_assert_str_eq(eps[H][0].error,
			 "queue counters desynchronised (peer reset?): instance stopped");
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "x", 1), -EIO);
}

/* A peer that reboots zeroes its producer count and sends a new bound
 * packet: v2 has no recovery; ours reports it in one line and stops. */
VgTest(icbmsg_v2_peer, peer_reset_is_reported_not_a_hang, .init = setup, .fini = teardown,
     .timeout = 30)
{
	struct icbmsg_v2_stats st;
	uint8_t bound[16];

	fake_up();
	fake_ep_bound(1, 0, icbmsg_v2_name_hash("alpha"));
	init_ep(H, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	memcpy(bound, F.rx + F.l.blocks_offset + 4, 16);
	F.count = 0;
	F.hi = 0;
	fake_block(0, 16, 0, 0xFF, bound, 16);
	fake_produce(0x80);
	cr_assert(wait_for(&eps[H][0].errors, 1)); /* reported just after the state changed */
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.desync, 1u);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_FAILED);
	cr_assert_str_eq(eps[H][0].error,
			 "queue counters desynchronised (peer reset?): instance stopped");
	cr_assert_eq(ipc_service_send(&eps[H][0].ept, "x", 1), -EIO);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][1].ept, &eps[H][0].cfg), -EIO);
	/* Deregister (locally: nothing is sent), close and open start over. */
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[H][0].ept), 0);
	cr_assert_eq(ipc_service_close_instance(dev(H)), 0);
	cr_assert_eq(ipc_service_open_instance(dev(H)), 0);
	cr_assert_eq(get32(F.tx), 1u); /* a new bound packet, counted from 0 */
	/* and the peer's new bound packet, still queued, connects us */
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_CONNECTED);
}

VgTest(icbmsg_v2_peer, bound_packet_with_other_block_counts, .init = setup, .fini = teardown,
     .timeout = 30)
{
	struct icbmsg_v2_stats st;
	uint8_t bound[16];

	v2_side_init(&P, H);
	memset(&F, 0, sizeof(F));
	F.rx = v2_region(&P, H, false);
	v2_layout(&P, H, false, &F.l);
	cr_assert_eq(ipc_service_open_instance(dev(H)), 0);
	put32(bound, ICBMSG_V2_BOUND_MAGIC1);
	put32(bound + 4, ICBMSG_V2_BOUND_MAGIC2);
	put32(bound + 8, 24);
	put32(bound + 12, 17);
	fake_block(0, 16, 0, 0xFF, bound, 16);
	fake_produce(0x80);
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.bound_mismatch, 1u);
	cr_assert_eq(st.last_error, ICBMSG_V2_ERR_BOUND_MISMATCH);
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_CONNECTING);
	init_ep(H, 0, "late", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(atomic_load(&eps[H][0].errors), 1);
	cr_assert_str_eq(eps[H][0].error, "peer's bound packet names other tx-blocks/rx-blocks");
}

/* ---------------------------------------------------------------- classic peer, S mismatch */

/* What a classic ICBMsg peer writes when it opens: the ICMsg bonding
 * message in a pbuf at the start of its TX region (our RX region). */
static void classic_peer_opens(void)
{
	struct icbmsg_layout cl;
	static struct pbuf_cfg cfg;
	static struct pbuf pb = {.cfg = &cfg};

	cr_assert_eq(icbmsg_layout_compute(V2_BASE + 0x4000, 0x4000, 0, 24, 16, &cl), 0);
	cfg = (struct pbuf_cfg)PBUF_CFG_INIT(v2_region(&P, H, false) + cl.icmsg_offset,
					     cl.icmsg_size, cl.align, false);
	memset(&pb.data, 0, sizeof(pb.data));
	cr_assert_eq(pbuf_tx_init(&pb), 0);
	cr_assert_eq(pbuf_write(&pb, (const char *)icmsg_magic, ICMSG_MAGIC_LEN), ICMSG_MAGIC_LEN);
	v2_ring(&P, H);
}

VgTest(icbmsg_v2_peer, classic_peer_detected_at_open, .init = setup, .fini = teardown,
     .timeout = 30)
{
	struct icbmsg_v2_stats st;

	v2_side_init(&P, H);
	classic_peer_opens();
	cr_assert_eq(ipc_service_open_instance(dev(H)), 0);
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_geq(st.classic_peer, 1u);
	cr_assert_eq(st.last_error, ICBMSG_V2_ERR_CLASSIC_PEER);
	init_ep(H, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(atomic_load(&eps[H][0].errors), 1);
	cr_assert_str_eq(eps[H][0].error, "peer speaks classic ICBMsg");
	cr_assert_eq(icbmsg_v2_state(dev(H)), ICBMSG_V2_STATE_CONNECTING);
}

VgTest(icbmsg_v2_peer, classic_peer_detected_at_its_doorbell, .init = setup, .fini = teardown,
     .timeout = 30)
{
	v2_side_init(&P, H);
	cr_assert_eq(ipc_service_open_instance(dev(H)), 0);
	init_ep(H, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(atomic_load(&eps[H][0].errors), 0);
	classic_peer_opens();
	cr_assert(wait_for(&eps[H][0].errors, 1));
	cr_assert_str_eq(eps[H][0].error, "peer speaks classic ICBMsg");
}

static void setup_slots_mismatch(void)
{
	setup_opts(&(struct v2_opts){.slots = {16, 64}});
}

VgTest(icbmsg_v2_cfg, max_active_count_mismatch_detected_at_bind, .init = setup_slots_mismatch, .fini = teardown,
     .timeout = 30)
{
	struct icbmsg_v2_stats st;

	up();
	init_ep(H, 0, "alpha", 0);
	init_ep(R, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(R), &eps[R][0].ept, &eps[R][0].cfg), 0);
	cr_assert(wait_for(&eps[H][0].errors, 1));
	cr_assert(wait_for(&eps[R][0].errors, 1));
	cr_assert_str_eq(eps[H][0].error,
			 "peer uses another MAX_ACTIVE_COUNT (its queue layout differs)");
	icbmsg_v2_get_stats(dev(H), &st);
	cr_assert_eq(st.last_error, ICBMSG_V2_ERR_SLOTS_MISMATCH);
	cr_assert_eq(atomic_load(&eps[H][0].bound), 0);
}

/* ---------------------------------------------------------------- garbage */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static const uint8_t *rx_lo, *rx_hi;
static atomic_int out_of_area;

static void on_garbage(const void *data, size_t len, void *priv)
{
	const uint8_t *p = data;

	if (p < rx_lo || p + len > rx_hi) {
		atomic_fetch_add(&out_of_area, 1);
	}
	atomic_fetch_add(&((struct ep *)priv)->received, 1);
}

/* Every word the peer writes, rewritten with garbage (mostly plausible
 * values, to get past the first checks), with doorbells: the host never
 * delivers outside its RX blocks, never hangs, counts what it drops, and
 * ends connected or stopped with a report. */
VgTest(icbmsg_v2_peer, garbage_in_every_peer_word, .init = setup, .fini = teardown, .timeout = 60)
{
	int rounds = getenv("VALGRIND") != NULL ? 3 : 20;
	uint32_t drops = 0;

	for (int round = 0; round < rounds; round++) {
		struct icbmsg_v2_stats st;

		fake_up();
		rx_lo = F.rx + F.l.blocks_offset;
		rx_hi = rx_lo + F.l.block_count * F.l.block_size;
		fake_ep_bound(1, 0, icbmsg_v2_name_hash("alpha"));
		init_ep(H, 0, "alpha", 0);
		eps[H][0].cfg.cb.received = on_garbage;
		eps[H][0].cfg.cb.error = on_error;
		cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
		for (int i = 0; i < 300; i++) {
			uint32_t r = rnd(), blk = rnd() % 24;
			uint8_t *b = F.rx + F.l.blocks_offset + blk * F.l.block_size;

			switch (r % 6) {
			case 0: /* a header: small size, sometimes the right index */
				put32(b, (rnd() % 2048) | ((r & 64) ? blk : rnd() % 256) << 16 |
						 (rnd() % 6 == 0 ? 0xFFu : rnd() % 5) << 24);
				break;
			case 1: /* slots */
				F.rx[8 + rnd() % 16] = (uint8_t)rnd();
				break;
			case 2: /* producer count, near or far */
				put32(F.rx, get32(F.rx) + ((r & 128) ? rnd() : rnd() % 4));
				break;
			case 3:
				put32(F.rx + 4, rnd());
				break;
			case 4: /* our TX consumer queue */
				F.tx[F.lt.cons_offset + 8 + rnd() % 16] = (uint8_t)rnd();
				put32(F.tx + F.lt.cons_offset,
				      get32(F.tx + F.lt.cons_offset) + rnd() % 3);
				break;
			default: /* a control packet's bytes */
				put32(b + 4, rnd());
				b[8] = (uint8_t)rnd();
				break;
			}
			v2_ring(&P, H);
			if (i % 16 == 0) {
				(void)ipc_service_send(&eps[H][0].ept, "x", 1);
				icbmsg_v2_collect(dev(H));
			}
		}
		usleep(5000);
		if (icbmsg_v2_state(dev(H)) == ICBMSG_V2_STATE_FAILED) {
			cr_assert(wait_for(&eps[H][0].errors, 1));
		}
		icbmsg_v2_get_stats(dev(H), &st);
		drops += st.rx_invalid_index + st.rx_bad_header + st.rx_unknown_ept +
			 st.rx_invalid_control + st.rx_duplicate + st.tx_invalid_release + st.desync;
		cr_assert(icbmsg_v2_state(dev(H)) == ICBMSG_V2_STATE_CONNECTED ||
			  (icbmsg_v2_state(dev(H)) == ICBMSG_V2_STATE_FAILED && st.desync == 1 &&
			   atomic_load(&eps[H][0].errors) == 1));
		icbmsg_v2_deinit(dev(H));
		P.side[H].up = false;
		memset(v2_region(&P, H, true), 0, 0x4000);
		memset(v2_region(&P, H, false), 0, 0x4000);
		memset(eps, 0, sizeof(eps));
	}
	cr_assert_eq(atomic_load(&out_of_area), 0);
	cr_assert_gt(drops, 0u);
}

/* ---------------------------------------------------------------- a real classic peer */

/* The remote runs ipc-emu's classic ICBMsg on the default board's ipc1; the
 * host runs v2 over the same regions and channels.  classic_first: the
 * classic side opens before the v2 side's init (which zeroes the two count
 * words of its consumer queue inside the classic bonding message). */
static void classic_across(bool classic_first)
{
	struct pair cp;
	struct v2_side *v = &P.side[H];
	const struct emu_dt_inst *in = NULL;
	struct icbmsg_v2_stats st;
	struct emu_board_opts classic;

	emu_board_opts_default(&classic);
	classic.icbmsg_version = EMU_ICBMSG_CLASSIC; /* the default is v2 */
	memset(eps, 0, sizeof(eps));
	pair_setup(&cp, "v2classic");
	for (unsigned i = 0; i < cp.plans[H].n_inst; i++) {
		if (strcmp(cp.plans[H].inst[i].label, "ipc1") == 0) {
			in = &cp.plans[H].inst[i];
		}
	}
	cr_assert_not_null(in);
	pair_start(&cp, R, &classic);
	cr_assert_eq(emu_core_start(cp.seg, H, &cp.core[H]), 0);
	if (classic_first) {
		cr_assert_eq(ipc_service_open_instance(emu_board_device(cp.board[R], "ipc1")), 0);
	}
	memset(v, 0, sizeof(*v));
	v->conf = (struct icbmsg_v2_config){
		.mbox_tx = {.dev = emu_core_mbox(cp.core[H]), .channel_id = in->mbox_tx},
		.mbox_rx = {.dev = emu_core_mbox(cp.core[H]), .channel_id = in->mbox_rx},
		.tx = {.ptr = emu_segment_ptr(cp.seg, in->tx.addr, in->tx.size), .addr = in->tx.addr,
		       .size = in->tx.size, .blocks = in->tx_blocks},
		.rx = {.ptr = emu_segment_ptr(cp.seg, in->rx.addr, in->rx.size), .addr = in->rx.addr,
		       .size = in->rx.size, .blocks = in->rx_blocks},
		.dcache_alignment = in->dcache_alignment,
		.deinit = true,
	};
	v->data.ept = v->ept;
	v->dev = (struct device){.name = "host-v2", .config = &v->conf,
				 .api = &ipc_icbmsg_v2_backend, .data = &v->data};
	cr_assert_eq(icbmsg_v2_init(&v->dev), 0);
	cr_assert_eq(ipc_service_open_instance(&v->dev), 0);
	init_ep(H, 0, "alpha", 0);
	cr_assert_eq(ipc_service_register_endpoint(&v->dev, &eps[H][0].ept, &eps[H][0].cfg), 0);
	if (!classic_first) {
		cr_assert_eq(ipc_service_open_instance(emu_board_device(cp.board[R], "ipc1")), 0);
	}
	cr_assert(wait_for(&eps[H][0].errors, 1));
	cr_assert_str_eq(eps[H][0].error, "peer speaks classic ICBMsg");
	icbmsg_v2_get_stats(&v->dev, &st);
	cr_assert_eq(st.last_error, ICBMSG_V2_ERR_CLASSIC_PEER);
	cr_assert_geq(st.classic_peer, 1u);
	cr_assert_eq(icbmsg_v2_state(&v->dev), ICBMSG_V2_STATE_CONNECTING);
	cr_assert_eq(atomic_load(&eps[H][0].bound), 0);
	cr_assert_eq(atomic_load(&eps[H][0].errors), 1);
	icbmsg_v2_deinit(&v->dev);
	pair_teardown(&cp);
}

VgTest(icbmsg_v2_classic, classic_instance_across_is_reported, .timeout = 30)
{
	classic_across(false);
}

VgTest(icbmsg_v2_classic, classic_instance_opened_first_is_reported, .timeout = 30)
{
	classic_across(true);
}

/* ---------------------------------------------------------------- consumer wake */

/*
 * The port's consumer wake (src/port.h port_wait_consumed/port_consumed,
 * emu/port.c): a host sender out of blocks waits; the remote releases one
 * held message.  Which side is bound decides who can wake whom; the word
 * counts (tx_wait, tx_wake of the host's control-block record) tell how
 * the sender came back, without timing.
 */
enum { WAKE_NONE = 0, WAKE_HOST = 1, WAKE_BOTH = 3 };

/* Bind the cores in `which` (and no other: whether or not a core binds
 * itself when it starts). */
static void bind_wake(int which)
{
	for (int r = 0; r < 2; r++) {
		struct emu_ctl *ctl = emu_core_ctl(P.core[r]);

		port_emu_wake_unbind(emu_core_mbox(P.core[r]));
		if (which & (1 << r)) {
			cr_assert_eq(port_emu_wake_bind(emu_core_mbox(P.core[r]), &ctl->role[r],
							&ctl->role[!r]),
				     0);
		}
	}
}

static void teardown_wake(void)
{
	for (int r = 0; r < 2; r++) {
		port_emu_wake_unbind(emu_core_mbox(P.core[r]));
	}
	v2_pair_teardown(&P);
}

static uint32_t ctl_u32(uint32_t *p)
{
	return atomic_load((_Atomic uint32_t *)(void *)p);
}

struct waiter {
	pthread_t t;
	void *buf;
	uint32_t size;
	int rc;
};

static void *wait_for_blocks(void *arg)
{
	struct waiter *w = arg;

	w->size = 1;
	w->rc = ipc_service_get_tx_buffer(&eps[H][0].ept, &w->buf, &w->size, K_MSEC(60000));
	return NULL;
}

/* Fill the host's 16 blocks with two 8-block messages the remote holds,
 * start a sender waiting for one block, release the first message.  The
 * sender gets its block, the message arrives; returns the host record's
 * tx_wake advance.  Leaves every block free. */
static uint32_t blocked_sender_then_release(int bound, uint32_t *tx_wait_after)
{
	struct emu_ctl_role *rec = &emu_core_ctl(P.core[H])->role[H];
	static unsigned char big[8 * 1020 - 4];
	struct waiter w = {.rc = 1};
	void *held[2];
	uint32_t gen;
	int ms = getenv("VALGRIND") != NULL ? 60000 : 5000;

	bind_wake(bound);
	up();
	bind(0, "wake", 0, 0);
	settle_blocks(H); /* the control packets consumed */
	eps[R][0].hold = true;
	for (int i = 0; i < 2; i++) {
		memset(big, 'a' + i, sizeof(big));
		cr_assert_eq(ipc_service_send(&eps[H][0].ept, big, sizeof(big)), (int)sizeof(big));
		cr_assert(wait_for(&eps[R][0].received, i + 1));
		held[i] = eps[R][0].last_ptr;
	}
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 16u);
	gen = ctl_u32(&rec->tx_wake);
	cr_assert_eq(pthread_create(&w.t, NULL, wait_for_blocks, &w), 0);
	if (bound & (1 << H)) {
		/* It announces it waits (a sender without a binding never does). */
		for (int i = 0; i < ms && ctl_u32(&rec->tx_wait) == 0; i++) {
			usleep(1000);
		}
		cr_assert_eq(ctl_u32(&rec->tx_wait), 1u);
	} else {
		usleep(20000);
	}
	cr_assert_eq(ctl_u32(&rec->tx_wake), gen); /* nobody consumed yet */
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, held[0]), 0);
	cr_assert_eq(pthread_join(w.t, NULL), 0);
	cr_assert_eq(w.rc, 0);
	cr_assert_eq(w.size, 1016u);
	*tx_wait_after = ctl_u32(&rec->tx_wait);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[H][0].ept, w.buf), 0);
	cr_assert_eq(ipc_service_release_rx_buffer(&eps[R][0].ept, held[1]), 0);
	cr_assert_eq(atomic_load(&eps[R][0].received), 2);
	cr_assert_eq(eps[R][0].order[0], 'a');
	cr_assert_eq(eps[R][0].order[1], 'b');
	settle_blocks(H);
	return ctl_u32(&rec->tx_wake) - gen;
}

/* Both sides ours and bound: the remote's consume takes the flag and wakes
 * the sender, once. */
VgTest(icbmsg_v2_cfg, sender_out_of_blocks_is_woken_by_the_consumer, .init = setup,
     .fini = teardown_wake, .timeout = 60)
{
	uint32_t wait_after;

	cr_assert_eq(blocked_sender_then_release(WAKE_BOTH, &wait_after), 1u);
	cr_assert_eq(wait_after, 0u);
}

/* A consumer that never wakes (only the sender bound: as across from
 * Zephyr's v2): the sender still gets its block, on its own timeouts; its
 * announcement is never taken. */
VgTest(icbmsg_v2_cfg, sender_of_a_silent_consumer_polls, .init = setup, .fini = teardown_wake,
     .timeout = 60)
{
	uint32_t wait_after;

	cr_assert_eq(blocked_sender_then_release(WAKE_HOST, &wait_after), 0u);
	cr_assert_eq(wait_after, 1u);
}

/* No binding (a port without the wake): sleeps and polls as before; the
 * control-block words are never touched. */
VgTest(icbmsg_v2_cfg, sender_without_the_wake_polls, .init = setup, .fini = teardown_wake,
     .timeout = 60)
{
	uint32_t wait_after;

	cr_assert_eq(blocked_sender_then_release(WAKE_NONE, &wait_after), 0u);
	cr_assert_eq(wait_after, 0u);
}

/* The remote side of the two-process test, in the child: bind the wake,
 * hold both messages, release one per command byte from `cmd`.  Exit 0, or
 * the number of the step that failed. */
static int wake_child(int cmd)
{
	struct emu_ctl *ctl;
	void *held[2];
	char c;

	if (emu_core_start(P.seg, R, &P.core[R]) != 0) {
		return 1;
	}
	ctl = emu_core_ctl(P.core[R]);
	port_emu_wake_unbind(emu_core_mbox(P.core[R]));
	if (port_emu_wake_bind(emu_core_mbox(P.core[R]), &ctl->role[R], &ctl->role[H]) != 0) {
		return 2;
	}
	v2_side_init(&P, R);
	init_ep(R, 0, "wake", 0);
	eps[R][0].hold = true;
	if (ipc_service_open_instance(dev(R)) != 0 ||
	    ipc_service_register_endpoint(dev(R), &eps[R][0].ept, &eps[R][0].cfg) != 0) {
		return 3;
	}
	if (!wait_for(&eps[R][0].received, 2)) {
		return 4;
	}
	held[0] = eps[R][0].held[0];
	held[1] = eps[R][0].held[1];
	for (int i = 0; i < 2; i++) {
		if (read(cmd, &c, 1) != 1 ||
		    ipc_service_release_rx_buffer(&eps[R][0].ept, held[i]) != 0) {
			return 5 + i;
		}
	}
	if (read(cmd, &c, 1) != 1) { /* the parent has its blocks back */
		return 7;
	}
	port_emu_wake_unbind(emu_core_mbox(P.core[R]));
	icbmsg_v2_deinit(dev(R));
	emu_core_stop(P.core[R]);
	return 0;
}

/* The same across two processes (the futex word in the shared control
 * block): the remote in a child process releases a message; the host's
 * waiting sender is woken once. */
VgTest(icbmsg_v2_cfg, sender_woken_by_a_consumer_in_another_process, .init = setup,
     .fini = teardown_wake, .timeout = 90)
{
	struct emu_ctl_role *rec;
	static unsigned char big[8 * 1020 - 4];
	struct waiter w = {.rc = 1};
	struct emu_ctl *ctl;
	int fd[2], res[2], status, ms = getenv("VALGRIND") != NULL ? 60000 : 5000;
	unsigned char rc = 0xff;
	uint32_t gen;
	pid_t child;

	/* Both cores of the pair stopped: each process starts its own. */
	for (int r = 0; r < 2; r++) {
		emu_core_stop(P.core[r]);
		P.core[r] = NULL;
	}
	cr_assert_eq(pipe(fd), 0);
	cr_assert_eq(pipe(res), 0);
	fflush(NULL);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		close(fd[1]);
		close(res[0]);
		rc = (unsigned char)wake_child(fd[0]);
		/* Its result through the pipe, then the parent kills it, as a
		 * crash would go: no exit handlers, and no leak report of the
		 * test runner's memory it inherited (Valgrind). */
		(void)!write(res[1], &rc, 1);
		for (;;) {
			pause();
		}
	}
	close(fd[0]);
	close(res[1]);
	cr_assert_eq(emu_core_start(P.seg, H, &P.core[H]), 0);
	ctl = emu_core_ctl(P.core[H]);
	rec = &ctl->role[H];
	port_emu_wake_unbind(emu_core_mbox(P.core[H]));
	cr_assert_eq(port_emu_wake_bind(emu_core_mbox(P.core[H]), &ctl->role[H], &ctl->role[R]), 0);
	v2_side_init(&P, H);
	init_ep(H, 0, "wake", 0);
	cr_assert_eq(ipc_service_open_instance(dev(H)), 0);
	cr_assert_eq(ipc_service_register_endpoint(dev(H), &eps[H][0].ept, &eps[H][0].cfg), 0);
	cr_assert(wait_for(&eps[H][0].bound, 1));
	settle_blocks(H);
	for (int i = 0; i < 2; i++) {
		memset(big, 'a' + i, sizeof(big));
		cr_assert_eq(ipc_service_send(&eps[H][0].ept, big, sizeof(big)), (int)sizeof(big));
	}
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(dev(H)), 16u);
	gen = ctl_u32(&rec->tx_wake);
	cr_assert_eq(pthread_create(&w.t, NULL, wait_for_blocks, &w), 0);
	for (int i = 0; i < ms && ctl_u32(&rec->tx_wait) == 0; i++) {
		usleep(1000);
	}
	cr_assert_eq(ctl_u32(&rec->tx_wait), 1u);
	cr_assert_eq(write(fd[1], "1", 1), 1); /* release the first */
	cr_assert_eq(pthread_join(w.t, NULL), 0);
	cr_assert_eq(w.rc, 0);
	cr_assert_eq(w.size, 1016u);
	cr_assert_eq(ctl_u32(&rec->tx_wake) - gen, 1u);
	cr_assert_eq(ctl_u32(&rec->tx_wait), 0u);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[H][0].ept, w.buf), 0);
	cr_assert_eq(write(fd[1], "2", 1), 1); /* release the second */
	settle_blocks(H);
	cr_assert_eq(write(fd[1], "3", 1), 1); /* done */
	close(fd[1]);
	cr_assert_eq(read(res[0], &rc, 1), 1);
	close(res[0]);
	cr_assert_eq(kill(child, SIGKILL), 0);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert_eq(rc, 0, "the child failed at its step %u", rc);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %#x", status);
}

/* Binding errors: NULL arguments, a second binding of one device. */
VgTest(icbmsg_v2_cfg, wake_binding_errors, .init = setup, .fini = teardown_wake, .timeout = 30)
{
	struct emu_ctl *ctl = emu_core_ctl(P.core[H]);
	const struct device *m = emu_core_mbox(P.core[H]);

	port_emu_wake_unbind(m);
	cr_assert_eq(port_emu_wake_bind(NULL, &ctl->role[H], &ctl->role[R]), -EINVAL);
	cr_assert_eq(port_emu_wake_bind(m, NULL, &ctl->role[R]), -EINVAL);
	cr_assert_eq(port_emu_wake_bind(m, &ctl->role[H], &ctl->role[R]), 0);
	cr_assert_eq(port_emu_wake_bind(m, &ctl->role[H], &ctl->role[R]), -EALREADY);
	port_emu_wake_unbind(m);
	cr_assert_eq(port_emu_wake_bind(m, &ctl->role[H], &ctl->role[R]), 0);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(icbmsg_v2, 600)
