/*
 * Small multi-thread workloads for the race detectors (scripts/threadcheck.sh
 * runs them under DRD/Helgrind in a build with -DIPC_EMU_ANNOTATE_RACES=1;
 * the normal build runs them as ordinary tests).
 *
 * Every wait between the test thread and a callback uses a pthread mutex and
 * condition variable, which the tools understand, so that whatever they
 * report is about the code under test: the payload accesses must be ordered
 * by the annotated publish/observe pairs of the shared-memory protocol
 * (ipc_atomic.h).  Two cores run in one process on one segment (pair.c):
 * race tools only see threads of one process.
 *
 * race/canary_* is a deliberate payload race (data written after the
 * release store that should cover it).  It runs only with
 * IPC_EMU_RACE_CANARY=1, and threadcheck.sh requires the tool to report it:
 * proof that the annotations do not hide payload races.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc_atomic.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/ipc_service.h"
#include "ipc_emu/mbox.h"
#include "ipc_emu/pbuf.h"
#include "support/pair.h"

#define HOST 0
#define REMOTE 1

TestSuite(race, .timeout = 240);

/* ------------------------------------------------------------ helpers */

static bool under_valgrind(void)
{
	return getenv("VALGRIND") != NULL;
}

/* Message `seq` of a stream: seq (LE32), then bytes derived from seq. */
static uint32_t msg_len(uint32_t seq, uint32_t min, uint32_t max)
{
	return min + (seq * 2654435761u >> 9) % (max - min + 1);
}

static void msg_fill(uint8_t *buf, uint32_t seq, uint32_t len)
{
	buf[0] = (uint8_t)seq;
	buf[1] = (uint8_t)(seq >> 8);
	buf[2] = (uint8_t)(seq >> 16);
	buf[3] = (uint8_t)(seq >> 24);
	for (uint32_t i = 4; i < len; i++) {
		buf[i] = (uint8_t)(seq * 31u + i * 7u);
	}
}

/* 0 if buf is message seq of length len, else a nonzero reason code. */
static int msg_check(const uint8_t *buf, size_t len, uint32_t seq, uint32_t min, uint32_t max)
{
	uint32_t got = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
		       (uint32_t)buf[3] << 24;

	if (len < 4 || got != seq) {
		return 1; /* lost, duplicated or reordered */
	}
	if (len != msg_len(seq, min, max)) {
		return 2;
	}
	for (uint32_t i = 4; i < len; i++) {
		if (buf[i] != (uint8_t)(seq * 31u + i * 7u)) {
			return 3; /* corrupt */
		}
	}
	return 0;
}

/* What a receiving callback saw, under a mutex the tools understand. */
struct tally {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t next;   /* sequence number expected next */
	int error;       /* first msg_check() failure */
	uint32_t error_seq;
	uint32_t min, max;
};

static void tally_init(struct tally *t, uint32_t min, uint32_t max)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	t->min = min;
	t->max = max;
}

static void tally_destroy(struct tally *t)
{
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
}

static void tally_message(struct tally *t, const void *data, size_t len)
{
	pthread_mutex_lock(&t->lock);
	if (t->error == 0) {
		int e = msg_check(data, len, t->next, t->min, t->max);

		if (e != 0) {
			t->error = e;
			t->error_seq = t->next;
		}
	}
	t->next++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

/* Wait until *field >= want (field inside t, read under t->lock). */
static bool tally_wait(struct tally *t, const uint32_t *field, uint32_t want, unsigned s)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += under_valgrind() ? s * 20 : s;
	pthread_mutex_lock(&t->lock);
	while (*field < want && t->error == 0) {
		if (pthread_cond_timedwait(&t->cond, &t->lock, &until) == ETIMEDOUT) {
			break;
		}
	}
	ok = *field >= want;
	pthread_mutex_unlock(&t->lock);
	return ok;
}

static void tally_assert(struct tally *t, uint32_t n, const char *what)
{
	bool all = tally_wait(t, &t->next, n, 30);

	pthread_mutex_lock(&t->lock);
	cr_assert_eq(t->error, 0, "%s: message %u failed check %d (1: lost/duplicated/reordered, "
		     "2: length, 3: content)", what, t->error_seq, t->error);
	cr_assert(all, "%s: only %u of %u messages arrived", what, t->next, n);
	pthread_mutex_unlock(&t->lock);
}

/* ------------------------------------------------------------ pbuf */

#define PB_SIZE (512u + 36u)
#define PB_MIN 4u
#define PB_MAX 120u

struct pb_producer {
	struct pbuf *tx;
	uint32_t count;
	int rc;
};

static void *pb_produce(void *arg)
{
	struct pb_producer *p = arg;
	uint8_t msg[PB_MAX];

	for (uint32_t seq = 0; seq < p->count; seq++) {
		uint32_t n = msg_len(seq, PB_MIN, PB_MAX);
		int rc;

		msg_fill(msg, seq, n);
		while ((rc = pbuf_write(p->tx, (const char *)msg, (uint16_t)n)) == -ENOMEM) {
			sched_yield();
		}
		if (rc != (int)n) {
			p->rc = rc < 0 ? rc : -1;
			break;
		}
	}
	return NULL;
}

/* The ring alone: a writer thread and a reader thread, with handshake word
 * and a 32-byte cache line layout; wraps many times. */
Test(race, pbuf_two_threads)
{
	static uint8_t region[PB_SIZE] __attribute__((aligned(64)));
	struct pbuf_cfg cfg = PBUF_CFG_INIT(region, PB_SIZE, 32, true);
	struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};
	struct pb_producer prod = {.tx = &tx, .count = under_valgrind() ? 3000 : 50000};
	uint8_t out[PB_MAX];
	pthread_t thread;
	uint32_t seq = 0;
	time_t deadline = time(NULL) + 120;

	cr_assert_eq(pbuf_tx_init(&tx), 0);
	cr_assert_eq(pbuf_rx_init(&rx), 0);
	pbuf_handshake_write(&rx, 0x1234);
	cr_assert_eq(pthread_create(&thread, NULL, pb_produce, &prod), 0);
	while (seq < prod.count && time(NULL) < deadline) {
		int rc = pbuf_read(&rx, (char *)out, sizeof(out));

		if (rc == 0) {
			sched_yield();
			continue;
		}
		cr_assert_eq(msg_check(out, (size_t)rc, seq, PB_MIN, PB_MAX), 0, "message %u", seq);
		seq++;
	}
	cr_assert_eq(pthread_join(thread, NULL), 0);
	cr_assert_eq(prod.rc, 0, "producer failed: %d", prod.rc);
	cr_assert_eq(seq, prod.count, "only %u messages arrived", seq);
	cr_assert_eq(pbuf_read(&rx, (char *)out, sizeof(out)), 0);
	cr_assert_eq(pbuf_handshake_read(&tx), 0x1234u);
}

/* ------------------------------------------------------------ ipc_service pair */

struct svc_side {
	const struct device *dev;
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	struct tally rx;
};

struct svc_sender {
	struct svc_side *side;
	uint32_t first, count, min, max;
	bool nocopy; /* every other message through the no-copy API */
	int rc;
};

static void svc_received(const void *data, size_t len, void *priv)
{
	struct svc_side *s = priv;

	tally_message(&s->rx, data, len);
}

static int send_one(struct svc_sender *snd, uint32_t seq, uint8_t *msg)
{
	uint32_t n = msg_len(seq, snd->min, snd->max);

	if (snd->nocopy && (seq & 1u)) {
		void *buf;
		uint32_t size = n;
		int rc = ipc_service_get_tx_buffer(&snd->side->ept, &buf, &size, K_NO_WAIT);

		if (rc < 0) {
			return rc;
		}
		msg_fill(buf, seq, n);
		rc = ipc_service_send_nocopy(&snd->side->ept, buf, n);
		return rc == (int)n ? 0 : (rc < 0 ? rc : -EIO);
	}
	msg_fill(msg, seq, n);
	int rc = ipc_service_send(&snd->side->ept, msg, n);

	return rc == (int)n ? 0 : (rc < 0 ? rc : -EIO);
}

static void *svc_send_all(void *arg)
{
	struct svc_sender *snd = arg;
	uint8_t msg[512];

	for (uint32_t seq = snd->first; seq < snd->count; seq++) {
		int rc;
		time_t deadline = time(NULL) + 60;

		while ((rc = send_one(snd, seq, msg)) == -ENOMEM || rc == -ENOBUFS ||
		       rc == -EAGAIN) {
			if (time(NULL) > deadline) {
				break;
			}
			usleep(200);
		}
		if (rc != 0) {
			snd->rc = rc;
			break;
		}
	}
	return NULL;
}

static void svc_pair(const char *tag, const char *label, int unbound, uint32_t count,
		     uint32_t min, uint32_t max, bool nocopy)
{
	struct pair p;
	struct svc_side side[2];
	struct svc_sender snd[2];
	pthread_t thread[2];
	struct emu_board_opts o;

	memset(side, 0, sizeof(side));
	pair_setup(&p, tag);
	emu_board_opts_default(&o);
	o.unbound_override = unbound;
	o.icbmsg_version = EMU_ICBMSG_CLASSIC; /* ipc1: classic ICBMsg (the default is v2) */
	for (int r = 0; r < 2; r++) {
		struct svc_side *s = &side[r];

		tally_init(&s->rx, min, max);
		pair_start(&p, r, &o);
		s->dev = emu_board_device(p.board[r], label);
		cr_assert_not_null(s->dev);
		s->cfg = (struct ipc_ept_cfg){
			.name = "race",
			.cb = {.received = svc_received},
			.priv = s};
	}
	for (int r = 0; r < 2; r++) {
		int rc = ipc_service_open_instance(side[r].dev);

		cr_assert(rc == 0 || rc == -EALREADY, "open %d: %d", r, rc);
	}
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(ipc_service_register_endpoint(side[r].dev, &side[r].ept, &side[r].cfg), 0);
	}
	/* Bound when a send no longer says -EBUSY. */
	for (int r = 0; r < 2; r++) {
		snd[r] = (struct svc_sender){
			.side = &side[r], .count = count, .min = min, .max = max, .nocopy = nocopy};
	}
	for (int r = 0; r < 2; r++) {
		time_t deadline = time(NULL) + (under_valgrind() ? 120 : 10);
		uint8_t msg[512];
		int rc;

		/* Message 0 goes out as soon as the endpoint is bound. */
		while ((rc = send_one(&snd[r], 0, msg)) == -EBUSY || rc == -ENOMEM) {
			cr_assert(time(NULL) < deadline, "side %d never bound", r);
			usleep(1000);
		}
		cr_assert_eq(rc, 0, "side %d: first send %d", r, rc);
	}
	/* Then both directions at once, from two application threads. */
	for (int r = 0; r < 2; r++) {
		snd[r].first = 1; /* message 0 is out */
		cr_assert_eq(pthread_create(&thread[r], NULL, svc_send_all, &snd[r]), 0);
	}
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(pthread_join(thread[r], NULL), 0);
		cr_assert_eq(snd[r].rc, 0, "sender %d: %d", r, snd[r].rc);
	}
	tally_assert(&side[REMOTE].rx, count, "host->remote");
	tally_assert(&side[HOST].rx, count, "remote->host");
	pair_teardown(&p);
	for (int r = 0; r < 2; r++) {
		tally_destroy(&side[r].rx);
	}
}

#define SVC_COUNT (under_valgrind() ? 150u : 2000u)

/* ICMsg with sessions (handshake words), RX on the work queues. */
Test(race, icmsg_pair_exchange)
{
	svc_pair("race-icmsg", "ipc0", EMU_UNBOUND_ENABLE, SVC_COUNT, 4, 96, false);
}

/* ICBMsg: data in shared blocks, control messages over its ICMsg ring,
 * copy and no-copy sends. */
Test(race, icbmsg_pair_exchange)
{
	svc_pair("race-icbmsg", "ipc1", 0, SVC_COUNT, 4, 300, true);
}

/* ------------------------------------------------------------ MBOX data mode */

struct mb_side {
	const struct device *dev;
	struct tally rx;
};

static void mb_cb(const struct device *dev, mbox_channel_id_t ch, void *user, struct mbox_msg *msg)
{
	struct mb_side *s = user;

	if (msg != NULL) {
		tally_message(&s->rx, msg->data, msg->size);
	}
}

struct mb_sender {
	const struct device *dev;
	mbox_channel_id_t ch;
	uint32_t count;
	int rc;
};

static void *mb_send_all(void *arg)
{
	struct mb_sender *snd = arg;
	uint8_t buf[16];

	for (uint32_t seq = 0; seq < snd->count; seq++) {
		uint32_t n = msg_len(seq, 4, 16);
		struct mbox_msg m = {.data = buf, .size = n};
		time_t deadline = time(NULL) + 60;
		int rc;

		msg_fill(buf, seq, n);
		while ((rc = mbox_send(snd->dev, snd->ch, &m)) == -EBUSY) {
			if (time(NULL) > deadline) {
				break;
			}
			sched_yield();
		}
		if (rc != 0) {
			snd->rc = rc;
			break;
		}
	}
	return NULL;
}

/* Data-mode MBOX (message registers, `full` flag, doorbell on the pending
 * word): channel 0 host->remote and channel 1 remote->host at once. */
Test(race, mbox_data_both_ways)
{
	struct pair p;
	struct mb_side side[2];
	struct mb_sender snd[2];
	pthread_t thread[2];
	uint32_t count = under_valgrind() ? 300 : 5000;

	pair_setup(&p, "race-mbox");
	for (int r = 0; r < 2; r++) {
		tally_init(&side[r].rx, 4, 16);
		pair_start(&p, r, NULL);
		side[r].dev = emu_board_device(p.board[r], "mbox_data");
		cr_assert_not_null(side[r].dev);
	}
	/* Remote receives on channel 0, host on channel 1. */
	cr_assert_eq(mbox_register_callback(side[REMOTE].dev, 0, mb_cb, &side[REMOTE]), 0);
	cr_assert_eq(mbox_set_enabled(side[REMOTE].dev, 0, true), 0);
	cr_assert_eq(mbox_register_callback(side[HOST].dev, 1, mb_cb, &side[HOST]), 0);
	cr_assert_eq(mbox_set_enabled(side[HOST].dev, 1, true), 0);
	snd[HOST] = (struct mb_sender){.dev = side[HOST].dev, .ch = 0, .count = count};
	snd[REMOTE] = (struct mb_sender){.dev = side[REMOTE].dev, .ch = 1, .count = count};
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(pthread_create(&thread[r], NULL, mb_send_all, &snd[r]), 0);
	}
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(pthread_join(thread[r], NULL), 0);
		cr_assert_eq(snd[r].rc, 0, "sender %d: %d", r, snd[r].rc);
	}
	tally_assert(&side[REMOTE].rx, count, "host->remote");
	tally_assert(&side[HOST].rx, count, "remote->host");
	pair_teardown(&p);
	for (int r = 0; r < 2; r++) {
		tally_destroy(&side[r].rx);
	}
}

/* ------------------------------------------------------------ canary */

struct canary {
	uint32_t flag;        /* published with ipc_store_release() */
	uint8_t payload[64];  /* BUG on purpose: written after the publish */
};

static void *canary_writer(void *arg)
{
	struct canary *c = arg;

	ipc_store_release(&c->flag, 1);
	memset(c->payload, 0x5a, sizeof(c->payload)); /* the deliberate race */
	return NULL;
}

/* volatile: a real call to the library's memcpy, not an inlined copy. */
static volatile size_t canary_len = sizeof(((struct canary *)0)->payload);

/* A payload written after the release store that should cover it: the
 * annotated build must still report this race. */
Test(race, canary_payload_after_publish)
{
	static struct canary c;
	pthread_t thread;
	uint8_t copy[sizeof(c.payload)];
	unsigned sum = 0;

	if (getenv("IPC_EMU_RACE_CANARY") == NULL) {
		cr_skip_test("deliberate race: only with IPC_EMU_RACE_CANARY=1 (threadcheck.sh)");
	}
	cr_assert_eq(pthread_create(&thread, NULL, canary_writer, &c), 0);
	while (ipc_load_acquire(&c.flag) == 0) {
		sched_yield();
	}
	/* Copied out with memcpy, as pbuf_read() does: the race must be found
	 * inside the copy routines too. */
	memcpy(copy, c.payload, canary_len);
	for (size_t i = 0; i < sizeof(copy); i++) {
		sum += copy[i];
	}
	cr_assert_eq(pthread_join(thread, NULL), 0);
	cr_log_info("canary sum %u", sum);
}
