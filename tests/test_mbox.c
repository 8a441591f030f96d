/*
 * MBOX controllers built from devicetree: return codes of every call in
 * signalling and data mode, channel directions from the devicetree,
 * -EBUSY until the remote consumed a message, coalescing, pending events
 * firing on enable, device and MBOX_DT_SPEC_GET-style lookups, the
 * devicetree properties and their errors, a hostile size word, ping-pongs in
 * one process and in two (the child exec'ed with inherited descriptors).
 *
 * Default board (emu/default_board.c), from the host's point of view:
 *   mbox       primary controller, signalling, 31 channels; tx 0 2 4, rx 1 3 5
 *   mbox_data  data mode, MTU 16, 4 channels; tx 0, rx 1
 *   consumers  mbox_consumer (mbox 4 / 5), mbox_data_consumer (mbox_data 0 / 1)
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/mbox.h"
#include "port.h"
#include "support/board_rig.h"
#include "support/vg_cases.h"

#define H EMU_ROLE_HOST
#define R EMU_ROLE_REMOTE

static char err[512];

TestSuite(mbox, .timeout = 30);
TestSuite(mbox_dt, .timeout = 30);

/* The tests of both_kinds run with each doorbell (under Valgrind both in one
 * process, as every table here: support/vg_cases.h). */
static enum emu_doorbell both_kinds[] = {EMU_DOORBELL_FUTEX, EMU_DOORBELL_EVENTFD};

static const char *kind_name(enum emu_doorbell db)
{
	return db == EMU_DOORBELL_FUTEX ? "futex" : "eventfd";
}

/* A callback that records what it got. */
struct rec {
	atomic_uint n;
	atomic_uint null_msgs;
	atomic_uint not_isr;
	atomic_uint wrong_dev;
	const struct device *dev;
	mbox_channel_id_t ch;
	size_t last_size;
	uint8_t last[EMU_MBOX_MTU_MAX];
	sem_t *block; /* if set: the callback waits on it (after recording) */
	sem_t entered;
};

static void rec_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		   struct mbox_msg *msg)
{
	struct rec *r = user;
	sem_t *block = r->block;

	if (dev != r->dev || ch != r->ch) {
		atomic_fetch_add(&r->wrong_dev, 1);
	}
	if (!port_in_isr()) {
		atomic_fetch_add(&r->not_isr, 1);
	}
	if (msg == NULL) {
		atomic_fetch_add(&r->null_msgs, 1);
	} else {
		r->last_size = msg->size;
		memcpy(r->last, msg->data, msg->size);
	}
	atomic_fetch_add(&r->n, 1);
	if (block != NULL) {
		sem_post(&r->entered);
		sem_wait(block);
	}
}

static void rec_attach(struct rec *r, const struct device *dev, mbox_channel_id_t ch, bool enable)
{
	memset(r, 0, sizeof(*r));
	cr_assert_eq(sem_init(&r->entered, 0, 0), 0);
	r->dev = dev;
	r->ch = ch;
	cr_assert_eq(mbox_register_callback(dev, ch, rec_cb, r), 0);
	if (enable) {
		cr_assert_eq(mbox_set_enabled(dev, ch, true), 0);
	}
}

static struct emu_ctl_mbox_slot *slot_of(struct rig *r, unsigned index, int to_role,
					 mbox_channel_id_t ch)
{
	return &emu_segment_ctl(r->seg)->mbox[index].slot[to_role][ch];
}

/* ------------------------------------------------------------ return codes */

VgTest(mbox, signalling_controller_return_codes)
{
	struct rig r;
	const struct device *h, *rm;
	const struct mbox_msg msg = {.data = "x", .size = 1};

	rig_up(&r, "mb-rc", EMU_DOORBELL_FUTEX, NULL, NULL);
	h = rig_dev(&r, H, "mbox");
	rm = rig_dev(&r, R, "mbox");
	cr_assert_eq(h, emu_core_mbox(r.core[H]), "the primary controller is the core's own");
	cr_assert_str_eq(h->name, "mbox");
	cr_assert(device_is_ready(h));
	cr_assert_eq(mbox_mtu_get(h), 0);
	cr_assert_eq(mbox_max_channels_get(h), EMU_MBOX_CHANNELS);
	/* send: tx channels 0 2 4 of the host; 1 3 5 are inbound; others unused */
	cr_assert_eq(mbox_send(h, 4, NULL), 0);
	cr_assert_eq(mbox_send(h, 5, NULL), -EINVAL, "inbound channel");
	cr_assert_eq(mbox_send(h, 6, NULL), -EINVAL, "unused channel");
	cr_assert_eq(mbox_send(h, EMU_MBOX_CHANNELS, NULL), -EINVAL);
	cr_assert_eq(mbox_send(h, UINT32_MAX, NULL), -EINVAL);
	cr_assert_eq(mbox_send(h, 4, &msg), -EMSGSIZE, "signalling mode carries no data");
	cr_assert_eq(mbox_send(h, 5, &msg), -EINVAL, "direction checked before size");
	/* register / enable: inbound only */
	cr_assert_eq(mbox_register_callback(h, 4, rec_cb, NULL), -EINVAL, "outbound channel");
	cr_assert_eq(mbox_register_callback(h, 6, rec_cb, NULL), -EINVAL, "unused channel");
	cr_assert_eq(mbox_register_callback(h, EMU_MBOX_CHANNELS, rec_cb, NULL), -EINVAL);
	cr_assert_eq(mbox_register_callback(h, 5, NULL, NULL), 0);
	cr_assert_eq(mbox_set_enabled(h, 4, true), -EINVAL, "outbound channel");
	cr_assert_eq(mbox_set_enabled(h, 4, false), -EINVAL);
	cr_assert_eq(mbox_set_enabled(h, 6, true), -EINVAL);
	cr_assert_eq(mbox_set_enabled(h, 5, false), -EALREADY, "channels start disabled");
	cr_assert_eq(mbox_set_enabled(h, 5, true), 0);
	cr_assert_eq(mbox_set_enabled(h, 5, true), -EALREADY);
	cr_assert_eq(mbox_set_enabled(h, 5, false), 0);
	cr_assert_eq(mbox_set_enabled(h, 5, false), -EALREADY);
	/* the remote: the same channels the other way round */
	cr_assert_eq(mbox_send(rm, 5, NULL), 0);
	cr_assert_eq(mbox_send(rm, 4, NULL), -EINVAL);
	cr_assert_eq(mbox_set_enabled(rm, 4, true), 0);
	cr_assert_eq(mbox_set_enabled(rm, 5, true), -EINVAL);
	rig_fini(&r);
}

VgTest(mbox, data_controller_return_codes)
{
	struct rig r;
	const struct device *h;
	uint8_t big[EMU_MBOX_MTU_MAX + 1];
	struct mbox_msg m16 = {.data = big, .size = 16}, m17 = {.data = big, .size = 17};
	struct mbox_msg m1 = {.data = big, .size = 1}, nodata = {.data = NULL, .size = 3};
	struct mbox_msg empty = {.data = NULL, .size = 0};
	struct emu_core_stats st;

	memset(big, 0x5a, sizeof(big));
	rig_up(&r, "mb-rcd", EMU_DOORBELL_FUTEX, NULL, NULL);
	h = rig_dev(&r, H, "mbox_data");
	cr_assert_str_eq(h->name, "mbox_data");
	cr_assert_eq(mbox_mtu_get(h), 16);
	cr_assert_eq(mbox_max_channels_get(h), 4);
	cr_assert_eq(mbox_send(h, 4, &m1), -EINVAL, "beyond ipc-emu,channels");
	cr_assert_eq(mbox_send(h, 1, &m1), -EINVAL, "inbound channel");
	cr_assert_eq(mbox_send(h, 2, &m1), -EINVAL, "unused channel");
	cr_assert_eq(mbox_send(h, 0, &m17), -EMSGSIZE);
	cr_assert_eq(mbox_send(h, 0, &nodata), -EINVAL);
	cr_assert_eq(mbox_register_callback(h, 0, rec_cb, NULL), -EINVAL);
	cr_assert_eq(mbox_register_callback(h, 4, rec_cb, NULL), -EINVAL);
	cr_assert_eq(mbox_set_enabled(h, 0, true), -EINVAL);
	cr_assert_eq(mbox_set_enabled(h, 1, false), -EALREADY);
	/* The remote's channel 0 is disabled: the first message waits in the
	 * registers, every further one is refused. */
	cr_assert_eq(mbox_send(h, 0, &m16), 0);
	cr_assert_eq(mbox_send(h, 0, &m1), -EBUSY);
	cr_assert_eq(mbox_send(h, 0, &empty), -EBUSY);
	cr_assert_eq(mbox_send(h, 0, &m17), -EMSGSIZE, "size checked before busy");
	cr_assert_eq(mbox_send(h, 0, NULL), 0, "a signal never waits for the registers");
	cr_assert_eq(slot_of(&r, 1, R, 0)->full, 1);
	cr_assert_eq(slot_of(&r, 1, R, 0)->size, 16);
	emu_core_get_stats(r.core[H], &st);
	cr_assert_eq(st.signals_sent, 2, "failed sends are not counted");
	rig_fini(&r);
}

/* ------------------------------------------------------------ data mode */

VgParameterizedTest(enum emu_doorbell, db, both_kinds, mbox, data_message_is_copied_to_the_callback,
		    .timeout = 30)
{
	struct rig r;
	struct rec rx;
	const struct device *h, *rm;
	uint8_t buf[16];

	rig_up(&r, "mb-copy", *db, NULL, NULL);
	h = rig_dev(&r, H, "mbox_data");
	rm = rig_dev(&r, R, "mbox_data");
	rec_attach(&rx, rm, 0, true);
	/* Every size 0..MTU, with distinct contents. */
	for (unsigned size = 0; size <= 16; size++) {
		struct mbox_msg m = {.data = buf, .size = size};

		for (unsigned i = 0; i < sizeof(buf); i++) {
			buf[i] = (uint8_t)(size * 16u + i);
		}
		cr_assert_eq(mbox_send(h, 0, &m), 0, "size %u", size);
		cr_assert_eq(rig_wait(&rx.n, size + 1, 5000), size + 1, "size %u", size);
		cr_assert_eq(rx.last_size, size);
		cr_assert_eq(memcmp(rx.last, buf, size), 0, "size %u", size);
	}
	cr_assert_eq(atomic_load(&rx.null_msgs), 0);
	cr_assert_eq(atomic_load(&rx.not_isr), 0, "callbacks run in the interrupt context");
	cr_assert_eq(atomic_load(&rx.wrong_dev), 0);
	cr_assert_eq(slot_of(&r, 1, R, 0)->full, 0, "consumed");
	rig_fini(&r);
}

/* -EBUSY until consumed, and consumed means "copied out before the
 * callback": a callback that has not returned does not hold the channel. */
VgParameterizedTest(enum emu_doorbell, db, both_kinds, mbox, ebusy_until_the_remote_consumed,
		    .timeout = 30)
{
	struct rig r;
	struct rec rx;
	sem_t release;
	const struct device *h, *rm;
	uint32_t a = 0xA1A1A1A1u, b = 0xB2B2B2B2u, c = 0xC3C3C3C3u;
	struct mbox_msg ma = {.data = &a, .size = 4}, mb = {.data = &b, .size = 4},
			mc = {.data = &c, .size = 4};

	rig_up(&r, "mb-busy", *db, NULL, NULL);
	h = rig_dev(&r, H, "mbox_data");
	rm = rig_dev(&r, R, "mbox_data");
	rec_attach(&rx, rm, 0, false);
	cr_assert_eq(sem_init(&release, 0, 0), 0);
	rx.block = &release;

	cr_assert_eq(mbox_send(h, 0, &ma), 0);
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(mbox_send(h, 0, &mb), -EBUSY);
	}
	rig_sleep_ms(30);
	cr_assert_eq(atomic_load(&rx.n), 0, "disabled: nothing delivered");
	cr_assert_eq(mbox_send(h, 0, &mb), -EBUSY, "still not consumed");

	cr_assert_eq(mbox_set_enabled(rm, 0, true), 0);
	cr_assert(rig_sem_wait(&rx.entered, 5000), "pending message fires on enable");
	cr_assert_eq(rx.last_size, 4);
	cr_assert_eq(memcmp(rx.last, &a, 4), 0);
	/* The callback is blocked, but the registers were read before it ran. */
	cr_assert_eq(mbox_send(h, 0, &mb), 0);
	cr_assert_eq(mbox_send(h, 0, &mc), -EBUSY, "b waits behind the running callback");
	sem_post(&release);
	cr_assert(rig_sem_wait(&rx.entered, 5000));
	cr_assert_eq(memcmp(rx.last, &b, 4), 0);
	sem_post(&release);
	cr_assert_eq(rig_wait(&rx.n, 2, 1000), 2);
	rig_sleep_ms(20);
	cr_assert_eq(mbox_send(h, 0, &mc), 0);
	cr_assert(rig_sem_wait(&rx.entered, 5000));
	cr_assert_eq(memcmp(rx.last, &c, 4), 0);
	sem_post(&release);
	cr_assert_eq(rig_wait(&rx.n, 3, 1000), 3);
	rx.block = NULL;
	rig_fini(&r);
	sem_destroy(&release);
}

VgTest(mbox, data_mode_null_is_a_signal)
{
	struct rig r;
	struct rec rx;
	uint32_t w = 7;
	struct mbox_msg m = {.data = &w, .size = 4};
	const struct device *h, *rm;

	rig_up(&r, "mb-null", EMU_DOORBELL_FUTEX, NULL, NULL);
	h = rig_dev(&r, H, "mbox_data");
	rm = rig_dev(&r, R, "mbox_data");
	rec_attach(&rx, rm, 0, true);
	cr_assert_eq(mbox_send(h, 0, NULL), 0);
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	cr_assert_eq(atomic_load(&rx.null_msgs), 1, "no message: the callback gets NULL");

	/* A signal coalesces with a message waiting on the channel. */
	cr_assert_eq(mbox_set_enabled(rm, 0, false), 0);
	cr_assert_eq(mbox_send(h, 0, &m), 0);
	cr_assert_eq(mbox_send(h, 0, NULL), 0);
	cr_assert_eq(mbox_send(h, 0, NULL), 0);
	cr_assert_eq(mbox_set_enabled(rm, 0, true), 0);
	cr_assert_eq(rig_wait(&rx.n, 2, 5000), 2);
	rig_sleep_ms(50);
	cr_assert_eq(atomic_load(&rx.n), 2, "one event");
	cr_assert_eq(atomic_load(&rx.null_msgs), 1);
	cr_assert_eq(rx.last_size, 4);
	cr_assert_eq(memcmp(rx.last, &w, 4), 0);
	rig_fini(&r);
}

VgTest(mbox, no_callback_still_consumes)
{
	struct rig r;
	uint32_t w = 1;
	struct mbox_msg m = {.data = &w, .size = 4};
	const struct device *h, *rm;

	rig_up(&r, "mb-nocb", EMU_DOORBELL_FUTEX, NULL, NULL);
	h = rig_dev(&r, H, "mbox_data");
	rm = rig_dev(&r, R, "mbox_data");
	cr_assert_eq(mbox_set_enabled(rm, 0, true), 0);
	cr_assert_eq(mbox_send(h, 0, &m), 0);
	for (int i = 0; i < 5000 && slot_of(&r, 1, R, 0)->full != 0; i++) {
		rig_sleep_ms(1);
	}
	cr_assert_eq(slot_of(&r, 1, R, 0)->full, 0);
	cr_assert_eq(mbox_send(h, 0, &m), 0);
	rig_fini(&r);
}

/* ------------------------------------------------------------ signals */

struct coalesce_case {
	enum emu_doorbell db;
	char label[16];
	char consumer[24];
};

static struct coalesce_case coalesce_cases[] = {
	{EMU_DOORBELL_FUTEX, "mbox", "mbox_consumer"},
	{EMU_DOORBELL_EVENTFD, "mbox", "mbox_consumer"},
	{EMU_DOORBELL_FUTEX, "mbox_data", "mbox_data_consumer"},
	{EMU_DOORBELL_EVENTFD, "mbox_data", "mbox_data_consumer"},
};

/* On the primary controller (bits of the pending word) and a secondary one
 * (its own pending word behind the kick). */
VgParameterizedTest(struct coalesce_case, c, coalesce_cases, mbox,
		    signals_coalesce_and_fire_on_enable, .timeout = 30)
{
	struct rig r;
	struct rec rx;
	struct mbox_dt_spec tx, rxs;

	rig_up(&r, "mb-coal", c->db, NULL, NULL);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], c->consumer, "tx", &tx), 0);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[R], c->consumer, "rx", &rxs), 0);
	cr_assert_eq(rxs.channel_id, tx.channel_id);
	rec_attach(&rx, rxs.dev, rxs.channel_id, false);
	for (int i = 0; i < 1000; i++) {
		cr_assert_eq(mbox_send_dt(&tx, NULL), 0);
	}
	rig_sleep_ms(50);
	cr_assert_eq(atomic_load(&rx.n), 0, "disabled: the event stays pending");
	cr_assert_eq(mbox_set_enabled_dt(&rxs, true), 0);
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	rig_sleep_ms(100);
	cr_assert_eq(atomic_load(&rx.n), 1, "1000 signals coalesced into one event");
	cr_assert_eq(atomic_load(&rx.null_msgs), 1);

	/* Disabled again: a new event waits for the next enable. */
	cr_assert_eq(mbox_set_enabled_dt(&rxs, false), 0);
	cr_assert_eq(mbox_send_dt(&tx, NULL), 0);
	rig_sleep_ms(50);
	cr_assert_eq(atomic_load(&rx.n), 1);
	cr_assert_eq(mbox_set_enabled_dt(&rxs, true), 0);
	cr_assert_eq(rig_wait(&rx.n, 2, 5000), 2);
	cr_assert_eq(atomic_load(&rx.wrong_dev), 0);
	cr_assert_eq(atomic_load(&rx.not_isr), 0);
	rig_fini(&r);
}

/* ------------------------------------------------------------ ping-pong */

/*
 * Host sends a counter on its "tx" channel; the remote answers counter + 1
 * on its own "tx" from the callback; the host sends the next from its
 * callback.  Data mode checks every value; signalling mode counts.
 */
struct pp {
	struct mbox_dt_spec tx;
	bool data;
	unsigned rounds;
	atomic_uint rx;
	atomic_uint errors;
	uint32_t expect;
	sem_t done;
	bool host;
};

static void pp_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		  struct mbox_msg *msg)
{
	struct pp *p = user;
	unsigned k = atomic_fetch_add(&p->rx, 1) + 1;
	uint32_t v = 0;
	struct mbox_msg out = {.data = &v, .size = sizeof(v)};

	if (p->data) {
		if (msg == NULL || msg->size != 4) {
			atomic_fetch_add(&p->errors, 1);
			return;
		}
		memcpy(&v, msg->data, 4);
		if (v != p->expect) {
			atomic_fetch_add(&p->errors, 1);
		}
		p->expect = v + 2;
		v++;
	} else if (msg != NULL) {
		atomic_fetch_add(&p->errors, 1);
	}
	if (p->host && k == p->rounds) {
		sem_post(&p->done);
		return;
	}
	if (mbox_send_dt(&p->tx, p->data ? &out : NULL) != 0) {
		atomic_fetch_add(&p->errors, 1);
	}
	if (!p->host && k == p->rounds) {
		sem_post(&p->done);
	}
}

static void pp_setup(struct pp *p, struct emu_board *b, const char *consumer, bool data,
		     unsigned rounds, bool host)
{
	struct mbox_dt_spec rx;

	memset(p, 0, sizeof(*p));
	cr_assert_eq(sem_init(&p->done, 0, 0), 0);
	p->data = data;
	p->rounds = rounds;
	p->host = host;
	p->expect = host ? 1 : 0;
	cr_assert_eq(emu_board_mbox_dt_spec(b, consumer, "tx", &p->tx), 0);
	cr_assert_eq(emu_board_mbox_dt_spec(b, consumer, "rx", &rx), 0);
	cr_assert_eq(mbox_register_callback_dt(&rx, pp_cb, p), 0);
	cr_assert_eq(mbox_set_enabled_dt(&rx, true), 0);
}

static void pp_kick(struct pp *host)
{
	uint32_t v = 0;
	struct mbox_msg m = {.data = &v, .size = 4};

	cr_assert_eq(mbox_send_dt(&host->tx, host->data ? &m : NULL), 0);
}

struct pp_case {
	enum emu_doorbell db;
	bool data;
};

static struct pp_case pp_cases[] = {
	{EMU_DOORBELL_FUTEX, false},
	{EMU_DOORBELL_EVENTFD, false},
	{EMU_DOORBELL_FUTEX, true},
	{EMU_DOORBELL_EVENTFD, true},
};

VgParameterizedTest(struct pp_case, c, pp_cases, mbox, pingpong_one_process, .timeout = 60)
{
	const unsigned rounds = rig_scaled(50000);
	const char *consumer = c->data ? "mbox_data_consumer" : "mbox_consumer";
	struct pp host, remote;
	struct rig r;
	bool ok;

	rig_up(&r, "mb-pp", c->db, NULL, NULL);
	pp_setup(&host, r.board[H], consumer, c->data, rounds, true);
	pp_setup(&remote, r.board[R], consumer, c->data, rounds, false);
	pp_kick(&host);
	ok = rig_sem_wait(&host.done, 50000);
	cr_assert(ok, "stalled at %u/%u (remote %u; errors %u/%u; pending %#x/%#x)",
		  atomic_load(&host.rx), rounds, atomic_load(&remote.rx),
		  atomic_load(&host.errors), atomic_load(&remote.errors),
		  emu_segment_ctl(r.seg)->role[H].pending, emu_segment_ctl(r.seg)->role[R].pending);
	cr_assert(rig_sem_wait(&remote.done, 1000));
	cr_assert_eq(atomic_load(&host.errors), 0);
	cr_assert_eq(atomic_load(&remote.errors), 0);
	cr_assert_eq(atomic_load(&host.rx), rounds);
	cr_assert_eq(atomic_load(&remote.rx), rounds);
	cr_log_info("%s, %s mode: %u round trips", kind_name(c->db),
		    c->data ? "data" : "signalling", rounds);
	rig_fini(&r);
	sem_destroy(&host.done);
	sem_destroy(&remote.done);
}

/* Two threads of one core on one data channel: every accepted message
 * arrives whole (the registers have one writer at a time). */
struct writer {
	const struct device *dev;
	uint8_t fill;
	unsigned sent, busy;
	unsigned target;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	uint8_t buf[16];
	struct mbox_msg m = {.data = buf, .size = sizeof(buf)};

	memset(buf, w->fill, sizeof(buf));
	while (w->sent < w->target) {
		int rc = mbox_send(w->dev, 0, &m);

		if (rc == 0) {
			w->sent++;
		} else if (rc == -EBUSY) {
			w->busy++;
			sched_yield();
		} else {
			break;
		}
	}
	return NULL;
}

struct checker {
	atomic_uint n;
	atomic_uint torn;
	atomic_uint count[2];
};

static void checker_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		       struct mbox_msg *msg)
{
	struct checker *c = user;
	const uint8_t *p;

	if (msg == NULL || msg->size != 16) {
		atomic_fetch_add(&c->torn, 1);
		return;
	}
	p = msg->data;
	for (unsigned i = 1; i < 16; i++) {
		if (p[i] != p[0]) {
			atomic_fetch_add(&c->torn, 1);
			return;
		}
	}
	if (p[0] == 0x11 || p[0] == 0x22) {
		atomic_fetch_add(&c->count[p[0] == 0x22], 1);
	} else {
		atomic_fetch_add(&c->torn, 1);
	}
	atomic_fetch_add(&c->n, 1);
}

Test(mbox, concurrent_senders_never_tear_a_message, .timeout = 60)
{
	struct rig r;
	struct checker chk;
	struct writer w[2];
	pthread_t t[2];
	const struct device *rm;
	unsigned target = rig_scaled(20000);

	rig_up(&r, "mb-conc", EMU_DOORBELL_FUTEX, NULL, NULL);
	rm = rig_dev(&r, R, "mbox_data");
	memset(&chk, 0, sizeof(chk));
	cr_assert_eq(mbox_register_callback(rm, 0, checker_cb, &chk), 0);
	cr_assert_eq(mbox_set_enabled(rm, 0, true), 0);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct writer){.dev = rig_dev(&r, H, "mbox_data"),
				       .fill = i ? 0x22 : 0x11, .target = target};
		cr_assert_eq(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
	}
	cr_assert_eq(rig_wait(&chk.n, 2 * target, 20000), 2 * target);
	cr_assert_eq(atomic_load(&chk.torn), 0);
	cr_assert_eq(atomic_load(&chk.count[0]), target);
	cr_assert_eq(atomic_load(&chk.count[1]), target);
	cr_log_info("-EBUSY answers: %u and %u", w[0].busy, w[1].busy);
	rig_fini(&r);
}

/* ------------------------------------------------------------ hostile peer */

VgTest(mbox, size_above_the_mtu_from_the_peer_is_dropped)
{
	struct rig r;
	struct rec rx;
	struct emu_ctl_mbox_slot *s;
	const struct device *rm;

	rig_up(&r, "mb-host", EMU_DOORBELL_FUTEX, NULL, NULL);
	rm = rig_dev(&r, R, "mbox_data");
	rec_attach(&rx, rm, 0, false);
	/* A peer writing the registers behind the driver's back. */
	s = slot_of(&r, 1, R, 0);
	s->size = 0xfffffff0u;
	ipc_store_release(&s->full, 1);
	ctl_fetch_or(&emu_segment_ctl(r.seg)->mbox[1].pending[R], 1u);
	cr_assert_eq(mbox_set_enabled(rm, 0, true), 0);
	for (int i = 0; i < 5000 && ipc_load_acquire(&s->full) != 0; i++) {
		rig_sleep_ms(1);
	}
	cr_assert_eq(s->full, 0, "dropped and freed");
	rig_sleep_ms(20);
	cr_assert_eq(atomic_load(&rx.n), 0, "never handed to the callback");
	/* The channel still works. */
	{
		uint32_t w = 42;
		struct mbox_msg m = {.data = &w, .size = 4};

		cr_assert_eq(mbox_send(rig_dev(&r, H, "mbox_data"), 0, &m), 0);
		cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
		cr_assert_eq(memcmp(rx.last, &w, 4), 0);
	}
	rig_fini(&r);
}

/* ------------------------------------------------------------ lookups, lifecycle */

VgTest(mbox, device_and_dt_spec_lookup)
{
	struct rig r;
	struct mbox_dt_spec s;

	rig_up(&r, "mb-look", EMU_DOORBELL_FUTEX, NULL, NULL);
	cr_assert_eq(emu_board_device(r.board[H], "mbox"), emu_core_mbox(r.core[H]));
	cr_assert_not_null(emu_board_device(r.board[H], "mbox_data"));
	cr_assert_neq(emu_board_device(r.board[H], "mbox_data"), emu_core_mbox(r.core[H]));
	cr_assert_not_null(emu_board_device(r.board[H], "ipm0"));
	cr_assert_not_null(emu_board_device(r.board[H], "ipc0"));
	cr_assert_null(emu_board_device(r.board[H], "mbox_consumer"), "a consumer is no device");
	cr_assert_null(emu_board_device(r.board[H], "nope"));
	cr_assert_null(emu_board_device(NULL, "mbox"));
	cr_assert_null(emu_board_device(r.board[H], NULL));

	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], "mbox_consumer", "tx", &s), 0);
	cr_assert_eq(s.dev, emu_core_mbox(r.core[H]));
	cr_assert_eq(s.channel_id, 4);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[R], "mbox_consumer", "tx", &s), 0);
	cr_assert_eq(s.dev, emu_core_mbox(r.core[R]));
	cr_assert_eq(s.channel_id, 5, "the remote's names are swapped");
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], "mbox_data_consumer", "rx", &s), 0);
	cr_assert_eq(s.dev, emu_board_device(r.board[H], "mbox_data"));
	cr_assert_eq(s.channel_id, 1);
	cr_assert(mbox_is_ready_dt(&s));
	cr_assert_eq(mbox_mtu_get_dt(&s), 16);
	cr_assert_eq(mbox_max_channels_get_dt(&s), 4);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], "mbox_consumer", "data", &s), -ENOENT);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], "ipc0", "tx", &s), -ENOENT);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], NULL, "tx", &s), -EINVAL);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], "mbox_consumer", NULL, &s), -EINVAL);
	cr_assert_eq(emu_board_mbox_dt_spec(r.board[H], "mbox_consumer", "tx", NULL), -EINVAL);
	cr_assert_eq(emu_board_mbox_dt_spec(NULL, "mbox_consumer", "tx", &s), -EINVAL);
	rig_fini(&r);
}

VgTest(mbox, board_destroy_returns_the_primary_to_bare)
{
	struct rig r;
	const struct device *m;
	struct emu_board *second = NULL;

	rig_up(&r, "mb-bare", EMU_DOORBELL_FUTEX, NULL, NULL);
	m = emu_core_mbox(r.core[H]);
	cr_assert_eq(emu_board_create(&r.plan[H], r.seg, r.core[H], NULL, &second, err,
				      sizeof(err)),
		     -EBUSY, "one board per core");
	cr_assert_null(second);
	cr_assert_neq(err[0], '\0');
	cr_assert_eq(mbox_send(m, 6, NULL), -EINVAL);
	emu_board_destroy(r.board[H]);
	r.board[H] = NULL;
	cr_assert_str_eq(m->name, "mbox");
	cr_assert_eq(mbox_mtu_get(m), 0);
	cr_assert_eq(mbox_max_channels_get(m), EMU_MBOX_CHANNELS);
	cr_assert_eq(mbox_send(m, 6, NULL), 0, "bare: every channel both ways");
	cr_assert_eq(mbox_set_enabled(m, 4, true), 0);
	cr_assert_eq(emu_board_create(&r.plan[H], r.seg, r.core[H], NULL, &second, err,
				      sizeof(err)),
		     -EBUSY, "the primary has an enabled channel");
	cr_assert_eq(mbox_set_enabled(m, 4, false), 0);
	cr_assert_eq(emu_board_create(&r.plan[H], r.seg, r.core[H], NULL, &r.board[H], err,
				      sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(mbox_send(m, 6, NULL), -EINVAL, "configured again");
	rig_fini(&r);
}

/* ------------------------------------------------------------ two processes */

enum {
	CHILD_OK = 0,
	CHILD_ATTACH = 10,
	CHILD_SETUP = 11,
	CHILD_STALL = 12,
	CHILD_ARGS = 13,
	CHILD_EXEC = 14,
	CHILD_ERRORS = 15,
};

#define CHILD_ENV "IPC_EMU_TEST_MBOX_CHILD"

/* The remote with the default board; results in its app area:
 * [0] messages received, [1] errors. */
static int child_main(const struct emu_segment_fds *fds, unsigned rounds, int data)
{
	struct emu_segment *seg;
	struct emu_core *core;
	struct emu_board *board;
	struct emu_dt_plan plan;
	struct pp remote;
	struct mbox_dt_spec rx;
	uint64_t *out;
	char e[256];
	bool finished;

	if (emu_dt_load_string(emu_dt_default_board(R), "remote", &plan, e, sizeof(e)) != 0 ||
	    emu_segment_attach_fds(fds, &seg) != 0) {
		return CHILD_ATTACH;
	}
	if (emu_core_start(seg, R, &core) != 0) {
		emu_segment_close(seg);
		return CHILD_SETUP;
	}
	if (emu_board_create(&plan, seg, core, NULL, &board, e, sizeof(e)) != 0) {
		emu_core_stop(core);
		emu_segment_close(seg);
		return CHILD_SETUP;
	}
	memset(&remote, 0, sizeof(remote));
	remote.data = data != 0;
	remote.rounds = rounds;
	const char *consumer = data ? "mbox_data_consumer" : "mbox_consumer";
	if (sem_init(&remote.done, 0, 0) != 0 ||
	    emu_board_mbox_dt_spec(board, consumer, "tx", &remote.tx) != 0 ||
	    emu_board_mbox_dt_spec(board, consumer, "rx", &rx) != 0 ||
	    mbox_register_callback_dt(&rx, pp_cb, &remote) != 0 ||
	    mbox_set_enabled_dt(&rx, true) != 0) {
		emu_board_destroy(board);
		emu_core_stop(core);
		emu_segment_close(seg);
		return CHILD_SETUP;
	}
	finished = rig_sem_wait(&remote.done, 55000);
	emu_board_destroy(board);
	emu_core_stop(core);
	out = emu_segment_app_area(seg, R);
	out[0] = atomic_load(&remote.rx);
	out[1] = atomic_load(&remote.errors);
	sem_destroy(&remote.done);
	emu_segment_close(seg);
	if (!finished) {
		return CHILD_STALL;
	}
	return atomic_load(&remote.errors) == 0 ? CHILD_OK : CHILD_ERRORS;
}

__attribute__((constructor)) static void child_entry(void)
{
	const char *spec = getenv(CHILD_ENV);
	struct emu_segment_fds fds;
	unsigned rounds;
	int data;

	if (spec == NULL) {
		return;
	}
	if (sscanf(spec, "%d %d %d %d %u %d", &fds.mem, &fds.ctl, &fds.efd[0], &fds.efd[1],
		   &rounds, &data) != 6) {
		_exit(CHILD_ARGS);
	}
	_exit(child_main(&fds, rounds, data));
}

static _Noreturn void spawn_child(const char *self, const struct emu_segment_fds *fds,
				  unsigned rounds, bool data)
{
	char spec[128];
	char *argv[] = {(char *)self, NULL};
	const int inherit[] = {fds->mem, fds->ctl, fds->efd[0], fds->efd[1]};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (unsigned i = 0; i < 4; i++) {
		if (inherit[i] >= 0 && fcntl(inherit[i], F_SETFD, 0) != 0) {
			_exit(CHILD_EXEC);
		}
	}
	snprintf(spec, sizeof(spec), "%d %d %d %d %u %d", fds->mem, fds->ctl, fds->efd[0],
		 fds->efd[1], rounds, data ? 1 : 0);
	if (setenv(CHILD_ENV, spec, 1) != 0) {
		_exit(CHILD_EXEC);
	}
	execv(self, argv);
	_exit(CHILD_EXEC);
}

VgParameterizedTest(struct pp_case, c, pp_cases, mbox, pingpong_two_processes, .timeout = 90)
{
	const unsigned rounds = rig_scaled(50000);
	const char *consumer = c->data ? "mbox_data_consumer" : "mbox_consumer";
	struct emu_segment_fds fds;
	struct pp host;
	struct rig r;
	const uint64_t *res;
	char self[4096];
	int status = -1;
	bool finished;
	pid_t child;
	ssize_t n;

	rig_init(&r, "mb-2p", c->db, NULL, NULL);
	emu_segment_get_fds(r.seg, &fds);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	cr_assert_gt(n, 0);
	self[n] = '\0';
	fflush(NULL);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		spawn_child(self, &fds, rounds, c->data);
	}
	rig_start(&r, H, NULL);
	pp_setup(&host, r.board[H], consumer, c->data, rounds, true);
	/* The child may not be listening yet: the first message (or signal)
	 * waits in the registers / pending word until it enables. */
	pp_kick(&host);
	finished = rig_sem_wait(&host.done, 60000);
	if (!finished) {
		kill(child, SIGKILL);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(finished, "stalled at %u/%u", atomic_load(&host.rx), rounds);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OK, "child status %#x",
		  status);
	res = emu_segment_app_area(r.seg, R);
	cr_assert_eq(res[0], rounds);
	cr_assert_eq(res[1], 0);
	cr_assert_eq(atomic_load(&host.errors), 0);
	cr_assert_eq(atomic_load(&host.rx), rounds);
	rig_fini(&r);
	sem_destroy(&host.done);
}

/* ------------------------------------------------------------ devicetree */

/* A minimal tree: optional extra controller properties and consumer text. */
static int load_mbox_dt(const char *ctrl_props, const char *body, struct emu_dt_plan *p)
{
	char dts[4096];

	snprintf(dts, sizeof(dts),
		 "/dts-v1/;\n/ {\n"
		 "\tmb: mailbox { compatible = \"vnd,mbox\"; #mbox-cells = <1>; %s };\n"
		 "\tmb2: mailbox2 { compatible = \"vnd,mbox\"; #mbox-cells = <2>; "
		 "ipc-emu,mtu = <4>; };\n"
		 "%s\n};\n",
		 ctrl_props, body);
	return emu_dt_load_string(dts, "t.dts", p, err, sizeof(err));
}

static void dt_fails(const char *ctrl_props, const char *body, const char *want)
{
	struct emu_dt_plan p;

	cr_assert_eq(load_mbox_dt(ctrl_props, body, &p), -EINVAL, "loaded: want %s", want);
	cr_assert_str_eq(err, want);
}

VgTest(mbox_dt, consumer_only_tree_and_defaults)
{
	struct emu_dt_plan p;
	const struct emu_dt_mbox *m, *m2;
	const struct emu_dt_mbox_user *u;

	cr_assert_eq(load_mbox_dt("", "\tc: consumer { mboxes = <&mb 3>, <&mb 7>, <&mb2 1 9>; "
				      "mbox-names = \"tx\", \"rx\", \"data-rx\"; };",
				  &p),
		     0, "%s", err);
	cr_assert_eq(p.n_inst, 0);
	cr_assert_eq(p.base, 0);
	cr_assert_eq(p.size, 0);
	cr_assert_eq(p.n_mbox, 2);
	m = emu_dt_find_mbox(&p, "mb");
	m2 = emu_dt_find_mbox(&p, "mb2");
	cr_assert_not_null(m);
	cr_assert_not_null(m2);
	cr_assert_eq(m->index, 0, "no instances: the first label is the primary");
	cr_assert_eq(m2->index, 1);
	cr_assert_eq(m, &p.mbox[0]);
	cr_assert_str_eq(m->node, "/mailbox");
	cr_assert_eq(m->mtu, 0, "signalling by default");
	cr_assert_eq(m->channels, EMU_MBOX_CHANNELS);
	cr_assert_eq(m->tx_mask, 1u << 3);
	cr_assert_eq(m->rx_mask, 1u << 7);
	cr_assert_eq(m2->mtu, 4);
	cr_assert_eq(m2->rx_mask, 1u << 1);
	cr_assert_eq(m2->tx_mask, 0);
	u = emu_dt_find_mbox_user(&p, "c");
	cr_assert_not_null(u);
	cr_assert_str_eq(u->node, "/consumer");
	cr_assert_eq(u->n_chan, 3);
	cr_assert_str_eq(u->chan[2].name, "data-rx");
	cr_assert_eq(u->chan[2].mbox, 1);
	cr_assert_eq(u->chan[2].channel, 1);
	cr_assert_not(u->chan[2].tx);
	cr_assert_null(emu_dt_find_mbox(&p, "c"));
	cr_assert_null(emu_dt_find_mbox_user(&p, "mb"));
	cr_assert_null(emu_dt_find_mbox(NULL, "mb"));
	cr_assert_null(emu_dt_find_mbox(&p, NULL));
}

VgTest(mbox_dt, disabled_consumer_is_ignored_and_same_channel_both_ways)
{
	struct emu_dt_plan p;

	cr_assert_eq(load_mbox_dt("", "\toff: off { mboxes = <&mb 3>; mbox-names = \"bogus\"; "
				      "status = \"disabled\"; };\n"
				      "\tc: c { mboxes = <&mb 0>, <&mb 0>; mbox-names = \"tx\", "
				      "\"rx\"; };",
				  &p),
		     0, "%s", err);
	cr_assert_eq(p.n_mbox_user, 1);
	cr_assert_eq(p.mbox[0].tx_mask, 1u);
	cr_assert_eq(p.mbox[0].rx_mask, 1u, "the same channel may serve tx and rx (spec 5.1)");
}

VgTest(mbox_dt, errors_name_node_and_property)
{
	dt_fails("ipc-emu,mtu = <65>;", "\tc: c { mboxes = <&mb 0>; mbox-names = \"tx\"; };",
		 "t.dts: /mailbox: ipc-emu,mtu: 65 is above 64");
	dt_fails("ipc-emu,channels = <0>;", "\tc: c { mboxes = <&mb 0>; mbox-names = \"tx\"; };",
		 "t.dts: /mailbox: ipc-emu,channels: 0 is out of range (1..31)");
	dt_fails("ipc-emu,channels = <32>;", "\tc: c { mboxes = <&mb 0>; mbox-names = \"tx\"; };",
		 "t.dts: /mailbox: ipc-emu,channels: 32 is out of range (1..31)");
	dt_fails("ipc-emu,channels = <4>;", "\tc: c { mboxes = <&mb 4>; mbox-names = \"rx\"; };",
		 "t.dts: /c: mboxes: rx channel 4 is out of range of /mailbox (ipc-emu,channels = 4)");
	dt_fails("", "\tc: c { mboxes = <&mb 40>; mbox-names = \"rx\"; };",
		 "t.dts: /c: mboxes: channel 40 is out of range (0..30)");
	dt_fails("", "\tc: c { mboxes = <&mb 1>; mbox-names = \"data\"; };",
		 "t.dts: /c: mbox-names: \"data\": cannot tell the direction (\"tx\", \"rx\", or a "
		 "name ending in -tx, _tx, -rx, _rx)");
	dt_fails("", "\tc: c { mboxes = <&mb 1>, <&mb 2>; mbox-names = \"tx\"; };",
		 "t.dts: /c: mbox-names: 1 name(s) for 2 mboxes specifiers");
	dt_fails("", "\tc: c { mboxes = <&mb 1>; mbox-names = \"tx\", \"rx\"; };",
		 "t.dts: /c: mbox-names: 2 name(s) for 1 mboxes specifiers");
	dt_fails("", "\tc: c { mboxes = <&mb 1>, <&mb 2>; mbox-names = \"tx\", \"tx\"; };",
		 "t.dts: /c: mbox-names: \"tx\" appears twice");
	dt_fails("", "\tc: c { mboxes = <&mb 1>; };",
		 "t.dts: /c: mbox-names: missing (one name per mboxes specifier, e.g. \"tx\", "
		 "\"rx\")");
	dt_fails("", "\tc: c { mboxes = <&mb 1>; mbox-names = \"a-tx\"; };\n"
		     "\td: d { mboxes = <&mb 1>; mbox-names = \"b_tx\"; };",
		 "t.dts: /d: mboxes: tx channel 1 of /mailbox is also the tx channel of /c");
	dt_fails("", "\tc: c { mboxes = <&mb2 1>; mbox-names = \"x\"; };",
		 "t.dts: /c: mboxes: specifier 1 is truncated (#mbox-cells is 2)");
}

VgTest(mbox_dt, too_many_controllers)
{
	struct emu_dt_plan p;
	const char *dts = "/dts-v1/;\n/ {\n"
			  "\ta: a { #mbox-cells = <1>; };\n\tb: b { #mbox-cells = <1>; };\n"
			  "\tc: c { #mbox-cells = <1>; };\n\td: d { #mbox-cells = <1>; };\n"
			  "\te: e { #mbox-cells = <1>; };\n"
			  "\tu: u { mboxes = <&a 0>, <&b 0>, <&c 0>, <&d 0>, <&e 0>; "
			  "mbox-names = \"1-tx\", \"2-tx\", \"3-tx\", \"4-tx\", \"5-tx\"; };\n};\n";

	cr_assert_eq(emu_dt_load_string(dts, "t.dts", &p, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "t.dts: /u: mboxes: more than 4 MBOX controllers");
}

/* The instances' controller is the primary (index 0) whatever its label;
 * instances on two controllers are refused. */
VgTest(mbox_dt, primary_is_the_instances_controller)
{
	struct emu_dt_plan p;
	char dts[4096];
	const char *fmt =
		"/dts-v1/;\n/ {\n"
		"\treserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;\n"
		"\t\tt0: memory@20070000 { reg = <0x20070000 0x1000>; };\n"
		"\t\tr0: memory@20071000 { reg = <0x20071000 0x1000>; };\n"
		"\t\tt1: memory@20072000 { reg = <0x20072000 0x1000>; };\n"
		"\t\tr1: memory@20073000 { reg = <0x20073000 0x1000>; };\n\t};\n"
		"\taaa: aaa { #mbox-cells = <1>; ipc-emu,mtu = <8>; };\n"
		"\tzzz: zzz { #mbox-cells = <1>; };\n"
		"\tipc0: ipc0 { compatible = \"zephyr,ipc-icmsg\"; tx-region = <&t0>; "
		"rx-region = <&r0>; mboxes = <&zzz 0>, <&zzz 1>; mbox-names = \"tx\", \"rx\"; };\n"
		"\tipc1: ipc1 { compatible = \"zephyr,ipc-icmsg\"; tx-region = <&t1>; "
		"rx-region = <&r1>; mboxes = <&%s 2>, <&%s 3>; mbox-names = \"tx\", \"rx\"; };\n"
		"\tc: c { mboxes = <&aaa 0>; mbox-names = \"tx\"; };\n};\n";

	snprintf(dts, sizeof(dts), fmt, "zzz", "zzz");
	cr_assert_eq(emu_dt_load_string(dts, "t.dts", &p, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(p.mbox[0].label, "zzz");
	cr_assert_str_eq(p.mbox[1].label, "aaa");
	cr_assert_eq(p.mbox[0].tx_mask, 0x5);
	cr_assert_eq(p.mbox[0].rx_mask, 0xa);
	cr_assert_eq(p.mbox_user[0].chan[0].mbox, 1);

	snprintf(dts, sizeof(dts), fmt, "aaa", "aaa");
	cr_assert_eq(emu_dt_load_string(dts, "t.dts", &p, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "t.dts: /ipc1: mboxes: controller /aaa is not /zzz, the controller "
			      "of /ipc0: all zephyr,ipc-icmsg/zephyr,ipc-icbmsg instances share "
			      "the core's primary MBOX controller in ipc-emu");
}

VgTest(mbox_dt, default_board_controllers_and_mirror)
{
	struct emu_dt_plan h, r, m;

	cr_assert_eq(emu_dt_load_string(emu_dt_default_board(H), "h", &h, err, sizeof(err)), 0);
	cr_assert_eq(emu_dt_load_string(emu_dt_default_board(R), "r", &r, err, sizeof(err)), 0);
	cr_assert_eq(h.n_mbox, 2);
	cr_assert_str_eq(h.mbox[0].label, "mbox");
	cr_assert_str_eq(h.mbox[0].node, "/soc/mbox@2a000");
	cr_assert_eq(h.mbox[0].tx_mask, 0x15);
	cr_assert_eq(h.mbox[0].rx_mask, 0x2a);
	cr_assert_str_eq(h.mbox[1].label, "mbox_data");
	cr_assert_eq(h.mbox[1].mtu, 16);
	cr_assert_eq(h.mbox[1].channels, 4);
	cr_assert_eq(h.mbox[1].tx_mask, 0x1);
	cr_assert_eq(h.mbox[1].rx_mask, 0x2);
	cr_assert_eq(r.mbox[0].tx_mask, 0x2a);
	cr_assert_eq(r.mbox[1].tx_mask, 0x2);
	cr_assert_eq(h.n_mbox_user, 2);
	emu_dt_mirror(&h, &m);
	cr_assert_eq(memcmp(&m.n_mbox, &r.n_mbox,
			    sizeof(m) - offsetof(struct emu_dt_plan, n_mbox)), 0,
		     "the mirror of the host is the remote (controllers, consumers, IPM)");
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof(err)), 0, "%s", err);
}

VgTest(mbox_dt, pair_mismatches)
{
	struct emu_dt_plan h, r;

	cr_assert_eq(emu_dt_load_string(emu_dt_default_board(H), "h", &h, err, sizeof(err)), 0);
	cr_assert_eq(emu_dt_load_string(emu_dt_default_board(R), "r", &r, err, sizeof(err)), 0);
	r.mbox[1].mtu = 8;
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /soc/mbox@2b000: ipc-emu,mtu: 8 differs from h /soc/mbox@2b000 "
			      "(16)");
	r.mbox[1].mtu = 16;
	r.mbox[1].channels = 5;
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /soc/mbox@2b000: ipc-emu,channels: 5 differs from h "
			      "/soc/mbox@2b000 (4)");
	r.mbox[1].channels = 4;
	r.mbox[1].tx_mask = 0x1;
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /soc/mbox@2b000: mboxes: outbound channels 0x1 are not the "
			      "inbound channels of h /soc/mbox@2b000 (0x2)");
	r.mbox[1].tx_mask = 0x2;
	r.mbox[1].rx_mask = 0x3;
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /soc/mbox@2b000: mboxes: inbound channels 0x3 are not the "
			      "outbound channels of h /soc/mbox@2b000 (0x1)");
	r.mbox[1].rx_mask = 0x1;
	r.mbox[1].index = 2;
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "MBOX controller #2 here but #1 in h /soc/mbox@2b000") != NULL,
		  "%s", err);
	r.mbox[1].index = 1;
	strcpy(r.mbox[1].label, "other");
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /: mboxes: no MBOX controller labelled \"mbox_data\" (h has "
			      "/soc/mbox@2b000)");
	cr_assert_eq(emu_dt_check_pair(&r, &h, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "h: /: mboxes: no MBOX controller labelled \"other\" (r has "
			      "/soc/mbox@2b000)");
	h.n_mbox = 1;
	strcpy(r.mbox[1].label, "mbox_data");
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /soc/mbox@2b000: label: \"mbox_data\" has no MBOX controller in "
			      "h");
}

/* ------------------------------------------------------------ dead sender */

/* A sender killed between publishing its word and raising the pending bit
 * (or the kick): the heartbeat scan delivers the message anyway. */
static unsigned dead_sender_index[] = {0, 1};

VgParameterizedTest(unsigned, index, dead_sender_index, mbox, message_of_a_dead_sender_is_delivered,
		    .timeout = 30)
{
	static const char data_primary[] =
		"/dts-v1/;\n/ {\n\tmb: mb { #mbox-cells = <1>; ipc-emu,mtu = <8>; };\n"
		"\tmb2: mb2 { #mbox-cells = <1>; ipc-emu,mtu = <8>; };\n"
		"\tc: c { mboxes = <&mb 3>, <&mb2 3>; mbox-names = \"a-tx\", \"b-tx\"; };\n};\n";
	struct rig r;
	struct rec rx;
	struct emu_ctl_mbox_slot *s;
	const struct device *rm;
	uint32_t w = 0xdeadbeefu;

	rig_up(&r, "mb-dead", EMU_DOORBELL_FUTEX, data_primary, NULL);
	rm = rig_dev(&r, R, *index == 0 ? "mb" : "mb2");
	rec_attach(&rx, rm, 3, true);
	s = slot_of(&r, *index, R, 3);
	ipc_store_relaxed(&s->size, 4);
	memcpy(s->data, &w, 4);
	ipc_store_release(&s->full, 1); /* ... and the sender dies here */
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1, "stuck: the message was never delivered");
	cr_assert_eq(rx.last_size, 4);
	cr_assert_eq(memcmp(rx.last, &w, 4), 0);
	cr_assert_eq(s->full, 0);
	cr_assert_eq(mbox_send(rig_dev(&r, H, *index == 0 ? "mb" : "mb2"), 3, NULL), 0);
	cr_assert_eq(rig_wait(&rx.n, 2, 5000), 2);
	rig_fini(&r);
}

VgTest(mbox, secondary_bit_of_a_dead_sender_is_delivered)
{
	struct rig r;
	struct rec rx;
	const struct device *rm;

	rig_up(&r, "mb-dead2", EMU_DOORBELL_FUTEX, NULL, NULL);
	rm = rig_dev(&r, R, "mbox_data");
	rec_attach(&rx, rm, 0, true);
	rig_sleep_ms(20);
	/* the channel bit, but no kick */
	ctl_fetch_or(&emu_segment_ctl(r.seg)->mbox[1].pending[R], 1u);
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	cr_assert_eq(atomic_load(&rx.null_msgs), 1);
	rig_fini(&r);
}

/* A driver without operations: every call answers -ENOSYS (0 channels). */
VgTest(mbox, missing_ops_are_enosys)
{
	static const struct mbox_driver_api none = {0};
	const struct device dev = {.name = "none", .api = &none};

	cr_assert_eq(mbox_send(&dev, 0, NULL), -ENOSYS);
	cr_assert_eq(mbox_register_callback(&dev, 0, rec_cb, NULL), -ENOSYS);
	cr_assert_eq(mbox_mtu_get(&dev), -ENOSYS);
	cr_assert_eq(mbox_max_channels_get(&dev), 0);
	cr_assert_eq(mbox_set_enabled(&dev, 0, true), -ENOSYS);
	cr_assert(device_is_ready(&dev));
	cr_assert_not(device_is_ready(NULL));
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h).
 * Not batched: concurrent_senders_never_tear_a_message (threads, long). */
VG_BATCH(mbox, 600)
