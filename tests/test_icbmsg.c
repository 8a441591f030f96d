/*
 * Classic ICBMsg: layout arithmetic, binding, data, the no-copy API and a
 * hostile peer, on two emulated cores in one process (default board, ipc1:
 * host tx 16 blocks / rx 24 blocks; the remote is the initiator).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc_emu/ipc_icbmsg.h"
#include "support/pair.h"
#include "support/senders.h"
#include "support/vg_cases.h"

#define HOST 0
#define REMOTE 1

struct ep {
	char name[16];
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	atomic_int bound, received;
	atomic_size_t last_len;
	unsigned char last[512];
	void *last_ptr;
	bool hold; /* hold every received buffer */
};

static struct pair P;
static struct ep eps[2][8];
static const struct device *dev[2];

static void on_bound(void *priv)
{
	atomic_fetch_add(&((struct ep *)priv)->bound, 1);
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct ep *e = priv;

	memcpy(e->last, data, len < sizeof(e->last) ? len : sizeof(e->last));
	e->last_ptr = (void *)data;
	atomic_store(&e->last_len, len);
	if (e->hold) {
		cr_assert_eq(ipc_service_hold_rx_buffer(&e->ept, (void *)data), 0);
	}
	atomic_fetch_add(&e->received, 1);
}

static void init_ep(int role, int i, const char *name)
{
	struct ep *e = &eps[role][i];

	snprintf(e->name, sizeof(e->name), "%s", name);
	e->cfg = (struct ipc_ept_cfg){
		.name = e->name, .cb = {.bound = on_bound, .received = on_received}, .priv = e};
}

static struct icbmsg_data *data_of(int role)
{
	return (struct icbmsg_data *)dev[role]->data;
}

static void start(int role, uint32_t num_ept)
{
	struct emu_board_opts o;

	emu_board_opts_default(&o);
	o.icbmsg_version = EMU_ICBMSG_CLASSIC; /* this suite is classic ICBMsg; v2 is the default */
	if (num_ept) {
		o.icbmsg_num_ept = num_ept;
	}
	pair_start(&P, role, &o);
	dev[role] = emu_board_device(P.board[role], "ipc1");
	cr_assert_not_null(dev[role]);
	cr_assert_eq(ipc_service_open_instance(dev[role]), 0);
}

static void setup(void)
{
	memset(eps, 0, sizeof(eps));
	pair_setup(&P, "icbmsg");
}

static void teardown(void)
{
	pair_teardown(&P);
}

TestSuite(icbmsg, .init = setup, .fini = teardown, .timeout = 30);

/* ---------------------------------------------------------------- layout */

VgTest(icbmsg_layout, worked_example_of_the_documentation)
{
	struct icbmsg_layout tx, rx;

	cr_assert_eq(icbmsg_layout_compute(0x20000000, 2048, 0, 16, 32, &tx), 0);
	cr_assert_eq(tx.align, 4u);
	cr_assert_eq(tx.icmsg_offset, 0u);
	cr_assert_eq(tx.icmsg_size, 448u);
	cr_assert_eq(tx.blocks_offset, 448u);
	cr_assert_eq(tx.block_size, 100u);
	cr_assert_eq(tx.block_count, 16u);
	cr_assert_eq(icbmsg_layout_compute(0x20000800, 2048, 0, 32, 16, &rx), 0);
	cr_assert_eq(rx.block_size, 48u);
	cr_assert_eq(rx.blocks_offset, 512u);
	/* max allocable = block * count - 4 */
	cr_assert_eq(tx.block_size * tx.block_count - 4, 1596u);
}

VgTest(icbmsg_layout, cache_alignment_32_and_unaligned_region)
{
	struct icbmsg_layout l;

	/* A = 32: begin rounded up to 0x...20, end down; icmsg_min =
	 * roundup(36 + 16 + 8*48, 32) = 448; usable 2048-32 = 2016 (begin +16
	 * rounds to +32, end +2064 rounds to +2048) ... */
	cr_assert_eq(icbmsg_layout_compute(0x20000010, 2048, 32, 16, 32, &l), 0);
	cr_assert_eq(l.align, 32u);
	cr_assert_eq(l.icmsg_offset, 16u);
	cr_assert_eq(l.block_size, 96u);  /* (2016 - 448) / 16 = 98 -> 96 */
	cr_assert_eq(l.blocks_offset, 16u + 2016u - 96u * 16u);
	cr_assert_eq(l.icmsg_size, l.blocks_offset - l.icmsg_offset);
}

VgTest(icbmsg_layout, rejects_impossible_configurations)
{
	struct icbmsg_layout l;

	cr_assert_eq(icbmsg_layout_compute(0x1000, 2048, 0, 0, 4, &l), -EINVAL);
	cr_assert_eq(icbmsg_layout_compute(0x1000, 2048, 0, 257, 4, &l), -EINVAL);
	cr_assert_eq(icbmsg_layout_compute(0x1000, 2048, 0, 4, 300, &l), -EINVAL);
	cr_assert_eq(icbmsg_layout_compute(0x1000, 2048, 12, 4, 4, &l), -EINVAL);
	/* 256 + 256 blocks need 4112 bytes of ICMsg area alone. */
	cr_assert_eq(icbmsg_layout_compute(0x1000, 4096, 0, 256, 256, &l), -EINVAL);
	/* Smallest region that still gives 4-byte blocks for 1 + 1 blocks:
	 * icmsg_min = 8 + 16 + 16 = 40, plus one 4-byte block. */
	cr_assert_eq(icbmsg_layout_compute(0x1000, 44, 0, 1, 1, &l), 0);
	cr_assert_eq(l.block_size, 4u);
	cr_assert_eq(icbmsg_layout_compute(0x1000, 43, 0, 1, 1, &l), -EINVAL);
}

/* ---------------------------------------------------------------- binding */

static void register_all(int role, const int *order, int n)
{
	for (int k = 0; k < n; k++) {
		struct ep *e = &eps[role][order[k]];

		cr_assert_eq(ipc_service_register_endpoint(dev[role], &e->ept, &e->cfg), 0);
	}
}

static void bind_four(const int *host_order, const int *remote_order)
{
	static const char *names[] = {"alpha", "beta", "gamma", "delta"};

	for (int i = 0; i < 4; i++) {
		init_ep(HOST, i, names[i]);
		init_ep(REMOTE, i, names[i]);
	}
	start(HOST, 0);
	start(REMOTE, 0);
	register_all(HOST, host_order, 4);
	usleep(2000);
	register_all(REMOTE, remote_order, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert(wait_until(&eps[HOST][i].bound, 1, 3000), "host %s", names[i]);
		cr_assert(wait_until(&eps[REMOTE][i].bound, 1, 3000), "remote %s", names[i]);
	}
}

static void echo_check(int from, int i, const char *text)
{
	struct ep *dst = &eps[!from][i];
	int before = atomic_load(&dst->received);
	size_t len = strlen(text) + 1;

	cr_assert_eq(ipc_service_send(&eps[from][i].ept, text, len), (int)len);
	cr_assert(wait_until(&dst->received, before + 1, 3000));
	cr_assert_eq(atomic_load(&dst->last_len), len);
	cr_assert_str_eq((char *)dst->last, text);
}

VgTest(icbmsg, four_endpoints_bind_in_any_order_and_exchange)
{
	static const int host_order[] = {3, 1, 0, 2}, remote_order[] = {0, 2, 3, 1};

	bind_four(host_order, remote_order);
	for (int i = 0; i < 4; i++) {
		char text[32];

		snprintf(text, sizeof(text), "to remote %d", i);
		echo_check(HOST, i, text);
		snprintf(text, sizeof(text), "to host %d", i);
		echo_check(REMOTE, i, text);
	}
	usleep(20000);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(REMOTE)), 0u);
}

VgTest(icbmsg, follower_registers_long_after_the_initiator)
{
	init_ep(HOST, 0, "late");
	init_ep(REMOTE, 0, "late");
	start(HOST, 0);
	start(REMOTE, 0);
	register_all(REMOTE, (int[]){0}, 1); /* initiator first: MSG_BOUND waits */
	usleep(50000);
	cr_assert_eq(atomic_load(&eps[REMOTE][0].bound), 0);
	register_all(HOST, (int[]){0}, 1);
	cr_assert(wait_until(&eps[HOST][0].bound, 1, 3000));
	cr_assert(wait_until(&eps[REMOTE][0].bound, 1, 3000));
	echo_check(HOST, 0, "late but bound");
}

VgTest(icbmsg, send_before_bound_is_ebusy)
{
	init_ep(HOST, 0, "lonely");
	start(HOST, 0);
	register_all(HOST, (int[]){0}, 1);
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "x", 1), -EBUSY);
}

VgTest(icbmsg, too_many_endpoints_is_enomem)
{
	start(HOST, 2);
	for (int i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "e%d", i);
		init_ep(HOST, i, name);
	}
	register_all(HOST, (int[]){0, 1}, 2);
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][2].ept, &eps[HOST][2].cfg),
		     -ENOMEM);
}

VgTest(icbmsg, deregistered_endpoint_data_is_released_and_counted)
{
	struct icbmsg_stats st;

	init_ep(HOST, 0, "gone");
	init_ep(REMOTE, 0, "gone");
	start(HOST, 0);
	start(REMOTE, 0);
	register_all(HOST, (int[]){0}, 1);
	register_all(REMOTE, (int[]){0}, 1);
	cr_assert(wait_until(&eps[REMOTE][0].bound, 1, 3000));
	cr_assert(wait_until(&eps[HOST][0].bound, 1, 3000));
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[HOST][0].ept), 0);
	/* The remote does not know: its data must not leak its blocks. */
	cr_assert_eq(ipc_service_send(&eps[REMOTE][0].ept, "into the void", 14), 14);
	for (int i = 0; i < 3000 && icbmsg_tx_blocks_in_use(data_of(REMOTE)) != 0; i++) {
		usleep(1000);
	}
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(REMOTE)), 0u);
	icbmsg_get_stats(data_of(HOST), &st);
	cr_assert_eq(st.rx_released_unknown, 1u);
	cr_assert_eq(atomic_load(&eps[HOST][0].received), 0);
	/* Re-registering with the same cfg binds again locally. */
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][0].ept, &eps[HOST][0].cfg), 0);
	cr_assert(wait_until(&eps[HOST][0].bound, 2, 3000));
	echo_check(REMOTE, 0, "welcome back");
	/* Registering the same cfg while it is registered is refused. */
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[HOST][0].ept), 0);
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][0].ept, &eps[HOST][0].cfg), 0);
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][0].ept, &eps[HOST][0].cfg),
		     -EINVAL);
}

/* ---------------------------------------------------------------- no-copy */

/* Endpoint `name` bound on both sides; the remote's messages go to
 * `remote_rx` (NULL: on_received). */
static void bind_one_with(const char *name, void (*remote_rx)(const void *, size_t, void *))
{
	init_ep(HOST, 0, name);
	init_ep(REMOTE, 0, name);
	if (remote_rx != NULL) {
		eps[REMOTE][0].cfg.cb.received = remote_rx;
	}
	start(HOST, 0);
	start(REMOTE, 0);
	register_all(HOST, (int[]){0}, 1);
	register_all(REMOTE, (int[]){0}, 1);
	cr_assert(wait_until(&eps[HOST][0].bound, 1, 3000));
	cr_assert(wait_until(&eps[REMOTE][0].bound, 1, 3000));
}

static void bind_one(void)
{
	bind_one_with("nocopy", NULL);
}

VgTest(icbmsg, nocopy_return_codes)
{
	const struct icbmsg_config *c;
	struct ipc_ept *ept;
	void *buf, *buf2;
	uint32_t size, max;

	bind_one();
	ept = &eps[HOST][0].ept;
	c = dev[HOST]->config;
	max = c->tx.block_size * c->tx.block_count - 4;
	cr_assert_eq(ipc_service_get_tx_buffer_size(ept), (int)max);
	/* Too big: -ENOMEM and the maximum in size. */
	size = max + 1;
	cr_assert_eq(ipc_service_get_tx_buffer(ept, &buf, &size, K_NO_WAIT), -ENOMEM);
	cr_assert_eq(size, max);
	/* size 0: everything that is free. */
	size = 0;
	cr_assert_eq(ipc_service_get_tx_buffer(ept, &buf, &size, K_NO_WAIT), 0);
	cr_assert_eq(size, max);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), c->tx.block_count);
	size = 1;
	cr_assert_eq(ipc_service_get_tx_buffer(ept, &buf2, &size, K_NO_WAIT), -ENOMEM);
	cr_assert_eq(ipc_service_get_tx_buffer(ept, &buf2, &size, K_MSEC(20)), -EAGAIN);
	/* Shrink on send: only the blocks needed stay allocated until released. */
	memcpy(buf, "shrunk", 7);
	cr_assert_eq(ipc_service_send_nocopy(ept, buf, 7), 7);
	cr_assert(wait_until(&eps[REMOTE][0].received, 1, 3000));
	cr_assert_str_eq((char *)eps[REMOTE][0].last, "shrunk");
	for (int i = 0; i < 3000 && icbmsg_tx_blocks_in_use(data_of(HOST)) != 0; i++) {
		usleep(1000);
	}
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
	/* Drop: once is fine, twice is -EALREADY; a foreign pointer -EINVAL. */
	size = 10;
	cr_assert_eq(ipc_service_get_tx_buffer(ept, &buf, &size, K_NO_WAIT), 0);
	cr_assert_eq(size, c->tx.block_size - 4);
	cr_assert_eq(ipc_service_drop_tx_buffer(ept, buf), 0);
	cr_assert_eq(ipc_service_drop_tx_buffer(ept, buf), -EALREADY);
	cr_assert_eq(ipc_service_drop_tx_buffer(ept, (char *)buf + 1), -EINVAL);
	cr_assert_eq(ipc_service_drop_tx_buffer(ept, &size), -EINVAL);
	/* send_nocopy with more than was allocated: dropped and -EINVAL. */
	size = 10;
	cr_assert_eq(ipc_service_get_tx_buffer(ept, &buf, &size, K_NO_WAIT), 0);
	cr_assert_eq(ipc_service_send_nocopy(ept, buf, c->tx.block_size * 2), -EINVAL);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
	cr_assert_eq(ipc_service_send_critical(ept, "x", 1), -ENOTSUP);
}

VgTest(icbmsg, hold_and_release_rx_buffers)
{
	struct ep *r;

	bind_one();
	r = &eps[REMOTE][0];
	r->hold = true;
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "held", 5), 5);
	cr_assert(wait_until(&r->received, 1, 3000));
	usleep(20000);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 1u, "held buffer stays allocated");
	cr_assert_eq(ipc_service_hold_rx_buffer(&r->ept, r->last_ptr), -EALREADY);
	cr_assert_eq(ipc_service_hold_rx_buffer(&r->ept, (char *)r->last_ptr + 4), -EINVAL);
	cr_assert_eq(ipc_service_release_rx_buffer(&r->ept, (char *)r->last_ptr + 4), -EINVAL);
	cr_assert_eq(ipc_service_release_rx_buffer(&r->ept, r->last_ptr), 0);
	for (int i = 0; i < 3000 && icbmsg_tx_blocks_in_use(data_of(HOST)) != 0; i++) {
		usleep(1000);
	}
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
	/* Released already: a second release is refused, not sent. */
	cr_assert_eq(ipc_service_release_rx_buffer(&r->ept, r->last_ptr), -EALREADY);
}

/* Another thread releases a held buffer just after received() returned and
 * before the delivery ended: exactly one MSG_RELEASE_DATA may reach the
 * sender (a second one would free blocks it may have reallocated). */
struct late_release {
	struct ep *e;
	atomic_int calls;
	int rc;
};

static void release_at_delivery_end(void *arg)
{
	struct late_release *l = arg;

	if (atomic_fetch_add(&l->calls, 1) == 0) {
		l->rc = ipc_service_release_rx_buffer(&l->e->ept, l->e->last_ptr);
	}
}

VgTest(icbmsg, release_racing_the_end_of_delivery_is_sent_once)
{
	struct late_release l = {.rc = 1};
	struct icbmsg_stats st;

	bind_one();
	l.e = &eps[REMOTE][0];
	l.e->hold = true;
	cr_assert_eq(emu_crash_hook("icbmsg_rx_before_release", release_at_delivery_end, &l), 0);
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "late", 5), 5);
	cr_assert(wait_until(&l.e->received, 1, 3000));
	for (int i = 0; i < 3000 && icbmsg_tx_blocks_in_use(data_of(HOST)) != 0; i++) {
		usleep(1000);
	}
	cr_assert_eq(emu_crash_hook("icbmsg_rx_before_release", NULL, NULL), 0);
	cr_assert_eq(atomic_load(&l.calls), 1);
	cr_assert_eq(l.rc, 0);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
	/* A duplicate release would arrive right behind the first: give it time. */
	usleep(50000);
	icbmsg_get_stats(data_of(HOST), &st);
	cr_assert_eq(st.rx_invalid, 0u, "the host got a second release");
	cr_assert_eq(ipc_service_release_rx_buffer(&l.e->ept, l.e->last_ptr), -EALREADY);
	/* The link still works both ways. */
	l.e->hold = false;
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "next", 5), 5);
	cr_assert(wait_until(&l.e->received, 2, 3000));
	cr_assert_eq(memcmp(l.e->last, "next", 5), 0);
}

struct waiter {
	struct ipc_ept *ept;
	int rc;
	uint32_t size;
	void *buf;
};

static void *wait_forever(void *arg)
{
	struct waiter *w = arg;

	w->rc = ipc_service_get_tx_buffer(w->ept, &w->buf, &w->size, K_FOREVER);
	return NULL;
}

Test(icbmsg, exhaustion_then_release_wakes_a_waiter)
{
	const struct icbmsg_config *c;
	struct ep *r;
	struct waiter w;
	pthread_t t;
	int sent = 0, rc;

	bind_one();
	c = dev[HOST]->config;
	r = &eps[REMOTE][0];
	r->hold = true;
	/* One-block messages until the host's blocks are all held remotely. */
	while ((rc = ipc_service_send(&eps[HOST][0].ept, "hold me", 8)) == 8) {
		sent++;
	}
	cr_assert_eq(rc, -ENOMEM);
	cr_assert_eq(sent, (int)c->tx.block_count);
	cr_assert(wait_until(&r->received, sent, 3000));
	w = (struct waiter){.ept = &eps[HOST][0].ept, .size = 8};
	cr_assert_eq(pthread_create(&t, NULL, wait_forever, &w), 0);
	usleep(30000);
	/* Releasing the last one received wakes the waiter. */
	cr_assert_eq(ipc_service_release_rx_buffer(&r->ept, r->last_ptr), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(w.rc, 0);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[HOST][0].ept, w.buf), 0);
}

/* ---------------------------------------------------------------- hostile peer */

static int raw_control(int from, uint8_t type, uint8_t addr, uint8_t index, size_t len)
{
	struct icbmsg_data *d = data_of(from);
	const struct icbmsg_config *c = dev[from]->config;
	uint8_t msg[4] = {type, addr, index, 0};

	return icmsg_send(&c->control_config, &d->control_data, msg, len);
}

VgTest(icbmsg, hostile_control_messages_are_rejected_and_counted)
{
	const struct icbmsg_config *rc;
	struct icbmsg_stats st;
	uint8_t *block;

	bind_one();
	rc = dev[REMOTE]->config;
	/* index beyond the remote's RX blocks (host tx: 16 blocks) */
	cr_assert_eq(raw_control(HOST, ICBMSG_MSG_DATA, 0, 200, 3), 3);
	/* endpoint address beyond NUM_EPT */
	cr_assert_eq(raw_control(HOST, ICBMSG_MSG_DATA, 250, 0, 3), 3);
	/* short message */
	cr_assert_eq(raw_control(HOST, ICBMSG_MSG_DATA, 0, 0, 2), 2);
	/* release of a block the remote never allocated */
	cr_assert_eq(raw_control(HOST, ICBMSG_MSG_RELEASE_DATA, 0, 3, 3), 3);
	/* a block header claiming more than the whole area */
	block = rc->rx.blocks_ptr + 2 * rc->rx.block_size;
	*(volatile uint32_t *)block = 0xFFFFFFF0u;
	cr_assert_eq(raw_control(HOST, ICBMSG_MSG_DATA, 0, 2, 3), 3);
	/* unknown type: ignored, not an error */
	cr_assert_eq(raw_control(HOST, 9, 0, 0, 3), 3);
	/* a valid message afterwards is still delivered */
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "still alive", 12), 12);
	cr_assert(wait_until(&eps[REMOTE][0].received, 1, 3000));
	cr_assert_str_eq((char *)eps[REMOTE][0].last, "still alive");
	icbmsg_get_stats(data_of(REMOTE), &st);
	cr_assert_eq(st.rx_invalid, 5u);
	cr_assert_eq(atomic_load(&eps[REMOTE][0].received), 1);
}

VgTest(icbmsg, wire_image_of_a_data_message)
{
	const struct icbmsg_config *c;
	const struct emu_dt_inst *in;
	struct icbmsg_layout lay;
	const uint8_t *region, *block;
	uint32_t wr;

	bind_one();
	c = dev[HOST]->config;
	in = emu_dt_find(&P.plans[HOST], "ipc1");
	cr_assert_eq(icbmsg_layout_compute(in->tx.addr, in->tx.size, 8, 16, 24, &lay), 0);
	region = emu_segment_ptr(P.seg, in->tx.addr, in->tx.size);
	cr_assert_eq(c->tx.blocks_ptr, region + lay.blocks_offset);
	/* Stop the remote from releasing so the image stays put. */
	cr_assert_eq(mbox_set_enabled(emu_core_mbox(P.core[REMOTE]), in->mbox_tx, false), 0);
	wr = *(const volatile uint32_t *)(region + 8);
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "ABC", 3), 3);
	block = c->tx.blocks_ptr;
	cr_assert_eq(block[0], 3);
	cr_assert_eq(block[1] | block[2] | block[3], 0);
	cr_assert_eq(memcmp(block + 4, "ABC", 3), 0);
	/* The control message: BE16 length 3, two zero bytes, then type,
	 * endpoint address (0: the initiator's first endpoint), block index 0. */
	cr_assert_eq(memcmp(region + 12 + wr, (const uint8_t[]){0, 3, 0, 0, ICBMSG_MSG_DATA, 0, 0},
			    7),
		     0);
	cr_assert_eq(*(const volatile uint32_t *)(region + 8), wr + 8);
}

/* ---------------------------------------------------------------- hardening */

static void wait_blocks_free(int role)
{
	for (int i = 0; i < 3000 && icbmsg_tx_blocks_in_use(data_of(role)) != 0; i++) {
		usleep(1000);
	}
}

VgTest(icbmsg, zero_length_send_takes_one_block_and_returns_it)
{
	bind_one();
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "", 0), 0);
	cr_assert(wait_until(&eps[REMOTE][0].received, 1, 3000));
	cr_assert_eq(atomic_load(&eps[REMOTE][0].last_len), 0u);
	wait_blocks_free(HOST);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, NULL, 4), -EINVAL);
}

VgTest(icbmsg, send_nocopy_of_a_dropped_buffer_is_ealready)
{
	void *buf;
	uint32_t size = 8;

	bind_one();
	cr_assert_eq(ipc_service_get_tx_buffer(&eps[HOST][0].ept, &buf, &size, K_NO_WAIT), 0);
	cr_assert_eq(ipc_service_drop_tx_buffer(&eps[HOST][0].ept, buf), 0);
	cr_assert_eq(ipc_service_send_nocopy(&eps[HOST][0].ept, buf, 8), -EALREADY);
	usleep(20000);
	cr_assert_eq(atomic_load(&eps[REMOTE][0].received), 0);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
}

VgTest(icbmsg, failed_registration_leaves_a_safe_endpoint)
{
	start(HOST, 1);
	init_ep(HOST, 0, "one");
	init_ep(HOST, 1, "two");
	register_all(HOST, (int[]){0}, 1);
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][1].ept, &eps[HOST][1].cfg),
		     -ENOMEM);
	/* Zephyr keeps ept->instance after a failure; nothing may crash. */
	cr_assert_eq(eps[HOST][1].ept.instance, dev[HOST]);
	cr_assert_eq(ipc_service_send(&eps[HOST][1].ept, "x", 1), -ENOENT);
	cr_assert_eq(ipc_service_send_nocopy(&eps[HOST][1].ept, "x", 1), -ENOENT);
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[HOST][1].ept), -ENOENT);
}

static void hold_and_release_inside(const void *data, size_t len, void *priv)
{
	struct ep *e = priv;

	cr_assert_eq(ipc_service_hold_rx_buffer(&e->ept, (void *)data), 0);
	cr_assert_eq(ipc_service_release_rx_buffer(&e->ept, (void *)data), 0);
	cr_assert_eq(ipc_service_release_rx_buffer(&e->ept, (void *)data), -EALREADY);
	atomic_fetch_add(&e->received, 1);
}

VgTest(icbmsg, release_inside_the_callback_releases_once)
{
	struct icbmsg_stats st;

	bind_one();
	eps[REMOTE][0].cfg.cb.received = hold_and_release_inside;
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "once", 5), 5);
	cr_assert(wait_until(&eps[REMOTE][0].received, 1, 3000));
	wait_blocks_free(HOST);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
	usleep(20000);
	icbmsg_get_stats(data_of(HOST), &st);
	cr_assert_eq(st.rx_invalid, 0u, "a second release would be counted as invalid");
}

/* ---------------------------------------------------------------- found by fuzz/ */

/*
 * fuzz/fuzz_icbmsg.c: the initiator delivered data (and called bound()) to
 * an endpoint deregistered while it was still waiting for the follower's
 * answer.  It must be released and counted as for any deregistered endpoint.
 */
/* The remote (the initiator) registers "early", the host has no such
 * endpoint yet: it keeps the MSG_BOUND, whose RX block is returned, and the
 * remote's endpoint stays bounding. */
static uint16_t stored_bind_request(void)
{
	init_ep(REMOTE, 0, "early");
	start(HOST, 0);
	start(REMOTE, 0);
	register_all(REMOTE, (int[]){0}, 1);
	for (int i = 0; i < 3000 && data_of(HOST)->waiting_bound[0] == 0xFFFFu; i++) {
		usleep(1000);
	}
	cr_assert_neq(data_of(HOST)->waiting_bound[0], 0xFFFFu);
	return data_of(HOST)->waiting_bound[0];
}

/* Statistics of `role` once the counter at `field` (inside *st) is not 0,
 * or after 3 s. */
static void wait_stat(int role, struct icbmsg_stats *st, const uint32_t *field)
{
	icbmsg_get_stats(data_of(role), st);
	for (int i = 0; i < 3000 && *field == 0; i++) {
		usleep(1000);
		icbmsg_get_stats(data_of(role), st);
	}
}

VgTest(icbmsg, data_for_an_endpoint_deregistered_while_bounding_is_released)
{
	const struct icbmsg_config *hc;
	struct icbmsg_stats st = {0};

	(void)stored_bind_request();
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[REMOTE][0].ept), 0);
	/* A confused peer sends data to it anyway: host TX block 0, 4 bytes. */
	hc = dev[HOST]->config;
	memcpy(hc->tx.blocks_ptr + 4, "boo", 4);
	*(volatile uint32_t *)hc->tx.blocks_ptr = 4;
	cr_assert_eq(raw_control(HOST, ICBMSG_MSG_DATA, 0, 0, 3), 3);
	wait_stat(REMOTE, &st, &st.rx_released_unknown);
	cr_assert_eq(st.rx_released_unknown, 1u);
	cr_assert_eq(atomic_load(&eps[REMOTE][0].received), 0);
	cr_assert_eq(atomic_load(&eps[REMOTE][0].bound), 0);
}

/*
 * fuzz/fuzz_icbmsg.c: with 4-byte blocks (the smallest the layout allows) a
 * buffer pointer mapped to the next block index, so drop/send_nocopy and
 * hold/release answered -EINVAL for every buffer.  One instance, no peer.
 */
/* One instance without a peer on private memory: 4 TX and 4 RX blocks of
 * 4 bytes (the smallest the layout allows), one endpoint. */
static void tiny_instance(struct icbmsg_config *conf, struct icbmsg_data *data)
{
	static uint8_t tx_mem[128] __attribute__((aligned(8)));
	static uint8_t rx_mem[128] __attribute__((aligned(8)));
	static struct pbuf_cfg tx_cfg = PBUF_CFG_INIT(tx_mem, 64, 0, false);
	static struct pbuf_cfg rx_cfg = PBUF_CFG_INIT(rx_mem, 64, 0, false);
	static struct pbuf tx_pb = {.cfg = &tx_cfg}, rx_pb = {.cfg = &rx_cfg};
	static struct icbmsg_ept ept[1];
	static uint8_t ept_map[1];
	static uint16_t waiting_bound[1];
	static uint8_t rx_buf[128];

	*conf = (struct icbmsg_config){
		.control_config = {.unbound_mode = ICMSG_UNBOUND_MODE_DISABLE,
				   .bond_notify_repeat_ms = 1,
				   .shmem_access_to_ms = 1},
		.tx = {.blocks_ptr = tx_mem + 64, .block_size = 4, .block_count = 4},
		.rx = {.blocks_ptr = rx_mem + 64, .block_size = 4, .block_count = 4},
		.num_ept = 1,
	};
	*data = (struct icbmsg_data){
		.control_data = {.tx_pb = &tx_pb, .rx_pb = &rx_pb, .rx_buf = rx_buf,
				 .rx_buf_size = sizeof(rx_buf)},
		.ept = ept, .ept_map = ept_map, .waiting_bound = waiting_bound};
}

VgTest(icbmsg_blocks, four_byte_blocks_map_back_to_their_index, .timeout = 10)
{
	static struct icbmsg_config conf;
	static struct icbmsg_data data;
	const struct device d = {.name = "tiny", .config = &conf, .api = &ipc_icbmsg_backend,
				 .data = &data};
	void *buf[2];
	uint32_t len;

	tiny_instance(&conf, &data);
	cr_assert_eq(icbmsg_init(&conf, &data), 0);
	for (int i = 0; i < 2; i++) {
		len = 1; /* 1 byte + the header: two 4-byte blocks */
		cr_assert_eq(ipc_icbmsg_backend.get_tx_buffer(&d, NULL, &buf[i], &len, K_NO_WAIT), 0);
		cr_assert_eq((uint8_t *)buf[i], conf.tx.blocks_ptr + 8 * i + 4);
		cr_assert_eq(len, 4u);
	}
	cr_assert_eq(icbmsg_tx_blocks_in_use(&data), 4u);
	cr_assert_eq(ipc_icbmsg_backend.drop_tx_buffer(&d, NULL, buf[1]), 0);
	cr_assert_eq(ipc_icbmsg_backend.drop_tx_buffer(&d, NULL, buf[0]), 0);
	cr_assert_eq(icbmsg_tx_blocks_in_use(&data), 0u);
	/* RX: the buffer of block 2 is held as block 2, once. */
	*(uint32_t *)(conf.rx.blocks_ptr + 8) = 0;
	cr_assert_eq(ipc_icbmsg_backend.hold_rx_buffer(&d, NULL, conf.rx.blocks_ptr + 12), 0);
	cr_assert_eq(ipc_icbmsg_backend.hold_rx_buffer(&d, NULL, conf.rx.blocks_ptr + 12), -EALREADY);
	cr_assert_eq(atomic_load(&data.rx_state[0]), 1u << 4); /* HELD of block 2 */
	icbmsg_deinit(&data);
}

/*
 * fuzz/fuzz_icbmsg.c: an endpoint deregistered and registered again before
 * it was ever bound got bound() at once from the re-registration, though
 * the peer had not bound it (sending then answered -EBUSY).  bound() must
 * come once, when the peer binds it.
 */
VgTest(icbmsg, reregistered_endpoint_is_bound_once_when_the_peer_binds_it)
{
	init_ep(HOST, 0, "later");
	init_ep(REMOTE, 0, "later");
	start(HOST, 0);
	start(REMOTE, 0);
	register_all(HOST, (int[]){0}, 1); /* the host is the follower */
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[HOST][0].ept), 0);
	register_all(HOST, (int[]){0}, 1);
	usleep(50000);
	cr_assert_eq(atomic_load(&eps[HOST][0].bound), 0, "bound() before the peer bound it");
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "x", 1), -EBUSY);
	register_all(REMOTE, (int[]){0}, 1);
	cr_assert(wait_until(&eps[HOST][0].bound, 1, 3000));
	cr_assert(wait_until(&eps[REMOTE][0].bound, 1, 3000));
	echo_check(HOST, 0, "bound for real");
	usleep(20000);
	cr_assert_eq(atomic_load(&eps[HOST][0].bound), 1);
	cr_assert_eq(atomic_load(&eps[REMOTE][0].bound), 1);
}

/* ---------------------------------------------------------------- found by removing checks */

VgTest(icbmsg_layout, region_shorter_than_the_alignment)
{
	struct icbmsg_layout l;

	/* 0x1001+2: its end rounds down below its size; without the size check
	 * the end wraps to 0xffffffff and a huge layout comes out. */
	cr_assert_eq(icbmsg_layout_compute(0x1001, 2, 0, 1, 1, &l), -EINVAL);
	cr_assert_eq(icbmsg_layout_compute(0x1001, 8, 32, 1, 1, &l), -EINVAL);
	cr_assert_eq(icbmsg_layout_compute(0x1003, 3, 0, 1, 1, &l), -EINVAL);
}

VgTest(icbmsg_layout, blocks_below_the_minimum_size)
{
	struct icbmsg_layout l;

	/* 2 local + 1 remote block: icmsg_min = roundup(4 + 4 + 16 + 24, 4) = 48;
	 * 56 bytes leave 4 per block, 52 bytes 2 (rounded down to 0). */
	cr_assert_eq(icbmsg_layout_compute(0x1000, 56, 0, 2, 1, &l), 0);
	cr_assert_eq(l.block_size, 4u);
	cr_assert_eq(l.blocks_offset, 48u);
	cr_assert_eq(icbmsg_layout_compute(0x1000, 52, 0, 2, 1, &l), -EINVAL);
	cr_assert_eq(icbmsg_layout_compute(0x1000, 55, 0, 2, 1, &l), -EINVAL);
}

/* A configuration icbmsg_init() refuses, one defect each (from a valid one). */
enum init_defect {
	DEF_NONE, DEF_NULL_CONF, DEF_NULL_DATA, DEF_NULL_EPT, DEF_NULL_EPT_MAP, DEF_NULL_WAITING,
	DEF_NUM_EPT_0, DEF_NUM_EPT_BIG, DEF_TX_COUNT_0, DEF_RX_COUNT_BIG, DEF_TX_BLOCK_3,
	DEF_RX_BLOCK_0, DEF_UNBOUND_ENABLE, DEF_COUNT
};

static int init_with(enum init_defect defect)
{
	static struct icbmsg_config conf;
	static struct icbmsg_data data;
	int rc;

	tiny_instance(&conf, &data);
	switch (defect) {
	case DEF_NULL_EPT: data.ept = NULL; break;
	case DEF_NULL_EPT_MAP: data.ept_map = NULL; break;
	case DEF_NULL_WAITING: data.waiting_bound = NULL; break;
	case DEF_NUM_EPT_0: conf.num_ept = 0; break;
	case DEF_NUM_EPT_BIG: conf.num_ept = ICBMSG_NUM_EPT_MAX + 1; break;
	case DEF_TX_COUNT_0: conf.tx.block_count = 0; break;
	case DEF_RX_COUNT_BIG: conf.rx.block_count = ICBMSG_MAX_BLOCKS + 1; break;
	case DEF_TX_BLOCK_3: conf.tx.block_size = ICBMSG_BLOCK_ALIGNMENT - 1; break;
	case DEF_RX_BLOCK_0: conf.rx.block_size = 0; break;
	case DEF_UNBOUND_ENABLE: conf.control_config.unbound_mode = ICMSG_UNBOUND_MODE_ENABLE; break;
	default: break;
	}
	rc = icbmsg_init(defect == DEF_NULL_CONF ? NULL : &conf,
			 defect == DEF_NULL_DATA ? NULL : &data);
	if (rc == 0) {
		icbmsg_deinit(&data);
	}
	return rc;
}

VgTest(icbmsg_init, bad_configurations_are_einval, .timeout = 10)
{
	cr_assert_eq(init_with(DEF_NONE), 0, "the base configuration is valid");
	for (int d = DEF_NONE + 1; d < DEF_COUNT; d++) {
		cr_assert_eq(init_with((enum init_defect)d), -EINVAL, "defect %d", d);
	}
}

VgTest(icbmsg, endpoint_name_null_or_empty_is_einval)
{
	start(HOST, 1);
	init_ep(HOST, 0, "");
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][0].ept, &eps[HOST][0].cfg),
		     -EINVAL);
	eps[HOST][0].cfg.name = NULL;
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][0].ept, &eps[HOST][0].cfg),
		     -EINVAL);
	/* Neither took the only endpoint slot. */
	init_ep(HOST, 1, "real");
	cr_assert_eq(ipc_service_register_endpoint(dev[HOST], &eps[HOST][1].ept, &eps[HOST][1].cfg),
		     0);
}

/*
 * The follower keeps a MSG_BOUND until a local endpoint has its name; the
 * peer may rewrite the block meanwhile, so the stored request is validated
 * again when it is matched.  A size that no longer fits is counted and the
 * request dropped, the endpoint stays unbound.
 */
VgTest(icbmsg, stored_bind_request_is_validated_again)
{
	const struct icbmsg_config *hc;
	struct icbmsg_stats st = {0};
	uint16_t block = stored_bind_request();

	init_ep(HOST, 0, "early");
	hc = dev[HOST]->config;
	/* The remote rewrites the size of the stored request: past its blocks. */
	*(volatile uint32_t *)(hc->rx.blocks_ptr + (size_t)block * hc->rx.block_size) =
		hc->rx.block_size * hc->rx.block_count;
	register_all(HOST, (int[]){0}, 1);
	wait_stat(HOST, &st, &st.rx_invalid);
	cr_assert_eq(st.rx_invalid, 1u);
	usleep(20000);
	cr_assert_eq(data_of(HOST)->waiting_bound[0], 0xFFFFu, "the request is dropped");
	cr_assert_eq(atomic_load(&eps[HOST][0].bound), 0);
	cr_assert_eq(ipc_service_send(&eps[HOST][0].ept, "x", 1), -EBUSY);
}

static struct senders two;

static void two_received(const void *data, size_t len, void *priv)
{
	(void)priv;
	senders_received(&two, data, len);
}

/* Two threads send on one endpoint at once: block allocation and the
 * control channel stay consistent (each message arrives once, intact, in
 * its sender's order) and every block comes back. */
VgTest(icbmsg, two_senders_on_one_endpoint)
{
	int n = senders_count(2000);

	memset(&two, 0, sizeof(two));
	bind_one_with("two", two_received);
	two.ept = &eps[HOST][0].ept;
	two.per_thread = n;
	two.max_len = 120;
	two.widen = "pbuf_write_before_publish"; /* a control message being written */
	two.enobufs_fails = true; /* control sends wait for each other, never time out */
	senders_run(&two);
	cr_assert_eq(two.send_rc[0], 0, "sender 0: %d", two.send_rc[0]);
	cr_assert_eq(two.send_rc[1], 0, "sender 1: %d", two.send_rc[1]);
	cr_assert(wait_until(&two.received, 2 * n, 10000), "received %d of %d",
		  atomic_load(&two.received), 2 * n);
	wait_blocks_free(HOST);
	cr_assert_eq(atomic_load(&two.bad), 0, "%d bad messages", atomic_load(&two.bad));
	cr_assert_eq(atomic_load(&two.received), 2 * n);
	cr_assert_eq(two.next[0], (uint32_t)n);
	cr_assert_eq(two.next[1], (uint32_t)n);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(HOST)), 0u);
}

/* ---------------------------------------------------------------- re-registration */

/*
 * One side deregisters its endpoint and registers it again while the peer
 * keeps sending: each side receives every message exactly once, in order;
 * nothing received before the deregistration comes a second time (reported
 * from `ipc-emu run` on ipc0, which is ICMsg in legacy mode: see
 * tests/zephyr_userprog/cache_reregister.c), and every TX block comes back.
 */
static char rr_log[2][8][8];
static atomic_int rr_count[2];

static void rr_received(const void *data, size_t len, void *priv)
{
	int role = (struct ep *)priv == &eps[REMOTE][0] ? REMOTE : HOST;
	int n = atomic_load(&rr_count[role]);

	if (n < 8 && len < sizeof(rr_log[0][0])) {
		memcpy(rr_log[role][n], data, len);
		rr_log[role][n][len] = '\0';
	}
	atomic_store(&rr_count[role], n + 1); /* one RX thread per side */
}

static void rr_send(int from, const char *text)
{
	cr_assert_eq(ipc_service_send(&eps[from][0].ept, text, strlen(text)), (int)strlen(text),
		     "%s", text);
}

static void reregister_one_side(int side)
{
	struct icbmsg_stats st;
	static const char *const want[2][3] = {{"r0", "r1", "r2"}, {"h0", "h1", "h2"}};

	atomic_store(&rr_count[HOST], 0);
	atomic_store(&rr_count[REMOTE], 0);
	init_ep(HOST, 0, "rereg");
	init_ep(REMOTE, 0, "rereg");
	eps[HOST][0].cfg.cb.received = rr_received;
	eps[REMOTE][0].cfg.cb.received = rr_received;
	start(HOST, 0);
	start(REMOTE, 0);
	register_all(HOST, (int[]){0}, 1);
	register_all(REMOTE, (int[]){0}, 1);
	cr_assert(wait_until(&eps[HOST][0].bound, 1, 3000));
	cr_assert(wait_until(&eps[REMOTE][0].bound, 1, 3000));
	rr_send(HOST, "h0");
	rr_send(REMOTE, "r0");
	cr_assert(wait_until(&rr_count[HOST], 1, 3000));
	cr_assert(wait_until(&rr_count[REMOTE], 1, 3000));
	cr_assert_eq(ipc_service_deregister_endpoint(&eps[side][0].ept), 0);
	/* The peer does not know: its message is released unseen. */
	rr_send(!side, "lost");
	wait_blocks_free(!side);
	cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(!side)), 0u);
	icbmsg_get_stats(data_of(side), &st);
	cr_assert_eq(st.rx_released_unknown, 1u);
	cr_assert_eq(ipc_service_register_endpoint(dev[side], &eps[side][0].ept,
						   &eps[side][0].cfg), 0);
	cr_assert(wait_until(&eps[side][0].bound, 2, 3000));
	rr_send(HOST, "h1");
	rr_send(REMOTE, "r1");
	rr_send(HOST, "h2");
	rr_send(REMOTE, "r2");
	cr_assert(wait_until(&rr_count[HOST], 3, 3000));
	cr_assert(wait_until(&rr_count[REMOTE], 3, 3000));
	wait_blocks_free(HOST);
	wait_blocks_free(REMOTE);
	usleep(20000); /* a late duplicate would show here */
	for (int role = 0; role < 2; role++) {
		cr_assert_eq(atomic_load(&rr_count[role]), 3, "role %d", role);
		for (int i = 0; i < 3; i++) {
			cr_assert_str_eq(rr_log[role][i], want[role][i], "role %d msg %d", role, i);
		}
		cr_assert_eq(icbmsg_tx_blocks_in_use(data_of(role)), 0u, "role %d", role);
	}
	cr_assert_eq(atomic_load(&eps[side][0].bound), 2);
	cr_assert_eq(atomic_load(&eps[!side][0].bound), 1);
}

VgTest(icbmsg, follower_reregisters_and_receives_each_message_once)
{
	reregister_one_side(HOST);
}

VgTest(icbmsg, initiator_reregisters_and_receives_each_message_once)
{
	reregister_one_side(REMOTE);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h).
 * Not batched: exhaustion_then_release_wakes_a_waiter (a thread of its own). */
VG_BATCH(icbmsg, 600)
