/*
 * scenario.c - the echo + stream and exhaustion scenarios run by both peers
 * (see common.h for the wire format and the protocol).
 *
 * Threads: the main thread opens the instance, registers the K endpoints in
 * this role's order, starts one lane thread per endpoint and joins them.  A
 * lane thread sends everything of its endpoint and handles its session
 * changes; the ipc_service callbacks (work-queue or interrupt thread) verify
 * each message, update the app-area counters and hand the few events a lane
 * needs (echo requests/replies, bound/unbound, the peer's DONE, held RX
 * buffers) over under the lane's `mu` + `cv`.
 *
 * No-copy and holding (ICBMsg, --nocopy): a callback holds some STREAM
 * buffers, at most HOLD_MAX per lane and never more than half of the peer's
 * blocks in all, and not while its lane waits forever for a TX buffer; a lane
 * releases what it held for HOLD_TICKS iterations, and everything before it
 * waits forever for a TX buffer, while a copy send finds no room, and
 * whenever it is idle.  So the two sides never wait for each other's blocks
 * for longer than a K_MSEC wait.  Scenario exhaustion instead holds every
 * STREAM buffer until the peer reports -EAGAIN and -ENOMEM (exh_poll), and
 * all its waits are K_MSEC(50).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/ipc_service.h"
#include "../emu/trace.h"
#include "common.h"
#include "console.h"
#include "pingpong.h"
#include "scenario.h"

#define ECHO_QUEUE_LEN 64u
#define ECHO_RETRY_NS 100000000ull   /* give up an echo 100 ms after a session change */
#define RTT_SAMPLES_MAX (1u << 22)   /* all lanes together */
#define FULL_RING_SLEEP_NS 20000L
#define HOLD_MAX 3u                  /* --nocopy: RX buffers a lane holds at once */
#define HOLD_TICKS 2u                /* ... for at least this many lane iterations */
#define EXH_WAIT_MS 50               /* exhaustion: get_tx_buffer(K_MSEC(50)) */
#define EXH_GRACE_NS 2000000000ull   /* receiver: wait for the last buffers in flight */
#define QUIESCE_NS 5000000000ull     /* ICBMsg: wait for our TX blocks to come back */
#define PEER_QUIESCE_NS 10000000000ull
#define LANE_STACK_SIZE (256u * 1024u)
#define IDLE_WAIT_NS 20000000ull     /* a lane with nothing to do (events wake it) */
#define MAIN_POLL_NS 500000L         /* main thread: both finished? */
#define FULL_BACKOFF_MAX 50u         /* full ring / no block: sleep up to 50 x 20 us */
#define FULL_POLLERS 2u              /* lanes polling for room at once */
#define FULL_GATE_WAIT_NS 2000000ull
#define HOLD_SALT 0x686f6c6421ull
#define NOCOPY_SALT 0x6e6f636f7079ull

struct hold_ent {
	uint8_t *ptr;
	uint32_t len;
	uint32_t seq;
	uint32_t blocks;
	uint64_t tick;
};

struct scn;

/* One endpoint and the thread that drives it. */
struct lane {
	struct scn *s;
	unsigned idx;
	char name[16];
	struct scn_lane_words *w; /* lane 0: in the app area */
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	bool registered;
	pthread_t thread;
	bool started;
	int rc;                   /* the lane thread's result */
	uint8_t *txbuf;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu: */
	bool bound;
	bool unbound_pending;
	uint64_t session;        /* bound() calls seen by this incarnation */
	uint64_t t_session_ns;   /* time of the last bound() */
	bool echo_waiting;       /* host: a request is outstanding */
	bool echo_matched;
	uint32_t echo_seq;
	uint64_t echo_rx_ns;
	uint32_t echo_q[ECHO_QUEUE_LEN]; /* remote: request seqs to answer */
	unsigned q_head, q_tail;
	bool blocking;           /* in get_tx_buffer: callbacks must not hold */
	bool wake;               /* an event the idle wait must not miss */
	struct hold_ent *held;
	unsigned n_held;         /* also read without mu (hint) */
	unsigned held_cap;

	uint64_t tick;           /* lane iterations (read by callbacks) */

	/* Lane thread only: */
	uint64_t echo_t_send_ns;
	uint64_t echo_send_session;
	uint64_t done_session;   /* session in which DONE was last sent */
	uint32_t *rtt;
	size_t rtt_n, rtt_cap;
	bool exh_released;
};

struct scn {
	const struct scn_params *p;
	struct emu_segment *seg;
	enum emu_role role, peer_role;
	struct scn_area *me, *peer;
	uint32_t boot;
	uint64_t n_echo, n_stream;
	unsigned k;
	bool icbmsg, nocopy, exhaustion;
	bool v2;                 /* the instance runs ICBMsg v2 */
	bool v2_failed;          /* v2 reported an instance-level error (classic peer,
				  * mismatched bound packet, desync): nothing binds */
	bool priorities;         /* --scenario priorities: odd endpoints send with prio 1 */
	uint32_t rx_block_size, rx_block_count, tx_block_count;

	struct emu_core *core;
	struct emu_board *board;
	const struct device *dev;
	struct scn_console *con; /* --ipm-console */
	struct lane *lanes;
	struct scn_lane_words *words; /* lanes 1..K-1 */
	uint64_t deadline_ns; /* 0: none */

	pthread_mutex_t mu;   /* error_msg, percentiles */
	char error_msg[160];

	/* No room to send: at most FULL_POLLERS lanes poll, the others wait here. */
	pthread_mutex_t full_mu;
	pthread_cond_t full_cv;
	unsigned full_pollers;

	/* __atomic: */
	unsigned lanes_echo_done;
	unsigned lanes_finished;
	unsigned lanes_exited;
	bool stop;            /* a lane failed: the others give up */
	uint64_t held_blocks; /* RX blocks held by all lanes */
	bool exh_go;          /* exhaustion: release everything, hold no more */
	uint64_t exh_t_seen;  /* when the peer said it saw both codes */
};

/* -------------------------------------------------------------- helpers -- */

static uint64_t mix64(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* PRNG key of a message: lengths and payloads follow from it. */
static uint64_t msg_key(const struct scn *s, enum emu_role origin, unsigned lane, uint32_t seq)
{
	return mix64(s->p->seed ^ mix64(((uint64_t)lane << 40) | ((uint64_t)origin << 32) | seq));
}

static uint32_t msg_len(const struct scn *s, uint64_t key)
{
	uint32_t span = s->p->max_len - SCN_HDR_LEN + 1u;

	return SCN_HDR_LEN + (uint32_t)(mix64(key ^ 0x6C656E67746873ull) % span);
}

static uint8_t payload_byte(uint64_t key, size_t i, uint64_t *word)
{
	if (i % 8 == 0) {
		*word = mix64(key + (uint64_t)(i / 8) * 0xD1B54A32D192ED03ull);
	}
	return (uint8_t)(*word >> (8 * (i % 8)));
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static enum emu_role origin_of(const struct scn *s, enum scn_kind kind, bool sending)
{
	if (kind == SCN_ECHO_REQ || kind == SCN_ECHO_REP) {
		return EMU_ROLE_HOST;
	}
	return sending ? s->role : s->peer_role;
}

/* Build message (kind, seq) of lane l at m (txbuf or a shared-memory TX
 * buffer of at least that size); returns its length. */
static uint32_t build(const struct lane *l, uint8_t *m, enum scn_kind kind, uint32_t seq)
{
	const struct scn *s = l->s;
	uint64_t key = msg_key(s, origin_of(s, kind, true), l->idx, seq), word = 0;
	uint32_t len = msg_len(s, key);

	put_le32(m, s->boot);
	put_le32(m + 4, seq);
	m[8] = (uint8_t)len;
	m[9] = (uint8_t)(len >> 8);
	m[10] = (uint8_t)kind;
	m[11] = (uint8_t)l->idx;
	for (size_t i = 0; i < len - SCN_HDR_LEN; i++) {
		m[SCN_HDR_LEN + i] = payload_byte(key, i, &word);
	}
	put_le32(m + 12, scn_crc32(m + SCN_HDR_LEN, len - SCN_HDR_LEN));
	return len;
}

static bool timed_out(const struct scn *s)
{
	return s->deadline_ns != 0 && scn_now_ns() > s->deadline_ns;
}

static bool stopped(const struct scn *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_RELAXED);
}

static void cv_wait_ns(struct lane *l, uint64_t ns)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_nsec + ns;
	ts.tv_sec += (time_t)(t / 1000000000ull);
	ts.tv_nsec = (long)(t % 1000000000ull);
	(void)pthread_cond_timedwait(&l->cv, &l->mu, &ts);
}

static void sleep_ns(long ns)
{
	struct timespec ts = {ns / 1000000000L, ns % 1000000000L};

	nanosleep(&ts, NULL);
}

static bool both_finished(const struct scn *s)
{
	return scn_get(&s->me->finished) && scn_get(&s->peer->finished);
}

static void lane_signal(struct lane *l)
{
	pthread_mutex_lock(&l->mu);
	l->wake = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* The role's phase is the lowest of its lanes' (only ever grows). */
static void update_role_phase(struct scn *s)
{
	uint64_t lo = SCN_PHASE_FINISHED;

	for (unsigned i = 0; i < s->k; i++) {
		uint64_t ph = scn_get(&s->lanes[i].w->phase);

		if (ph < lo) {
			lo = ph;
		}
	}
	scn_max(&s->me->phase, lo);
}

static void lane_err(const struct lane *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void lane_err(const struct lane *l, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ipc-emu peer[%s]: %s: ", scn_role_name(l->s->role), l->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool exh_debug; /* set before the lanes start */

/* IPC_EMU_DEBUG_EXH=1: trace the exhaustion hand-over on stderr. */
static void exh_trace(const struct lane *l, const char *what, uint64_t a, uint64_t b)
{
	if (exh_debug) {
		fprintf(stderr, "exh %.6f %s %s: %s %" PRIu64 " %" PRIu64 "\n",
			(double)scn_now_ns() / 1e9, scn_role_name(l->s->role), l->name, what, a, b);
	}
}

/* ------------------------------------------------------------ callbacks -- */

static void on_bound(void *priv)
{
	struct lane *l = priv;
	struct scn *s = l->s;
	uint64_t now = scn_now_ns();

	emu_trace(EMU_TRACE_BOUND, l->idx, 0, 0, 0);
	pthread_mutex_lock(&l->mu);
	if (!l->bound) {
		scn_add(&s->me->bound_now, 1);
	}
	l->bound = true;
	l->session++;
	l->t_session_ns = now;
	scn_add(&s->me->bonds, 1);
	if (scn_add(&l->w->bonds, 1) == 0 &&
	    scn_add(&s->me->endpoints_bound, 1) + 1 == s->k) {
		scn_set(&s->me->t_all_bound_ns, now);
	}
	if (scn_get(&s->me->t_bound_ns) == 0) {
		scn_set(&s->me->t_bound_ns, now);
	}
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static void on_unbound(void *priv)
{
	struct lane *l = priv;
	struct scn *s = l->s;

	emu_trace(EMU_TRACE_UNBOUND, l->idx, 0, 0, 0);
	pthread_mutex_lock(&l->mu);
	if (l->bound) {
		scn_add(&s->me->bound_now, (uint64_t)-1);
	}
	l->bound = false;
	l->unbound_pending = true;
	if (!scn_get(&s->me->finished)) {
		/* Once finished, the peer's teardown (close) is expected. */
		scn_add(&s->me->unbounds, 1);
		scn_add(&l->w->unbounds, 1);
	}
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static void on_error(const char *message, void *priv)
{
	struct lane *l = priv;
	struct scn *s = l->s;

	emu_trace(EMU_TRACE_ERROR, l->idx, 0, 0, 0);
	scn_add(&s->me->errors, 1);
	if (s->v2) {
		/* Every v2 error callback is instance-level (enum icbmsg_v2_error). */
		__atomic_store_n(&s->v2_failed, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&s->mu);
	if (s->error_msg[0] == '\0') {
		snprintf(s->error_msg, sizeof(s->error_msg), "%s", message ? message : "?");
		fprintf(stderr, "ipc-emu peer[%s]: %s: backend error: %s\n", scn_role_name(s->role),
			l->name, s->error_msg);
	}
	pthread_mutex_unlock(&s->mu);
	lane_signal(l);
}

/* Check a received message of lane `lane` against what its seq says it must
 * be. */
static bool verify(const struct scn *s, const uint8_t *m, size_t len, enum scn_kind kind,
		   unsigned lane, uint32_t seq)
{
	uint64_t key = msg_key(s, origin_of(s, kind, false), lane, seq), word = 0;
	uint32_t hdr_len = (uint32_t)m[8] | (uint32_t)m[9] << 8;

	if (hdr_len != len || len != msg_len(s, key) || m[11] != (uint8_t)lane ||
	    m[10] != (uint8_t)kind || get_le32(m + 4) != seq) {
		return false;
	}
	if (get_le32(m + 12) != scn_crc32(m + SCN_HDR_LEN, len - SCN_HDR_LEN)) {
		return false;
	}
	for (size_t i = 0; i < len - SCN_HDR_LEN; i++) {
		if (m[SCN_HDR_LEN + i] != payload_byte(key, i, &word)) {
			return false;
		}
	}
	return true;
}

/* Sequence check of the peer's ordered messages on one lane.  Returns false
 * for a duplicate or a reordered message (not to be acted on). */
static bool track(struct lane *l, uint32_t boot, uint32_t seq)
{
	struct scn_area *a = l->s->me;
	struct scn_lane_words *w = l->w;
	uint64_t epoch = scn_get(&w->bonds) + scn_get(&w->unbounds);
	bool valid = scn_get(&w->rx_valid) != 0;
	uint64_t expected = valid ? scn_get(&w->rx_last_seq) + 1 : 0;
	bool across;

	if (seq < expected) {
		scn_add(seq + 1 == expected ? &a->duplicated : &a->reordered, 1);
		return false;
	}
	if (seq > expected) {
		/* A gap is allowed only if a session changed in between: the sender
		 * rebooted, or we (re)bonded since its previous message. */
		if (valid) {
			across = boot != scn_get(&w->rx_sender_boot) || epoch != scn_get(&w->rx_epoch);
		} else {
			across = boot > 1 || epoch > 1 || scn_get(&a->boots) > 1;
		}
		scn_add(across ? &a->lost_across_session : &a->lost, seq - expected);
	}
	scn_set(&w->rx_last_seq, seq);
	scn_set(&w->rx_sender_boot, boot);
	scn_set(&w->rx_epoch, epoch);
	scn_set(&w->rx_valid, 1);
	return true;
}

/* RX blocks a buffer of len bytes occupies (ICBMsg). */
static uint32_t rx_blocks_of(const struct scn *s, size_t len)
{
	return (uint32_t)((len + ICBMSG_BLOCK_HEADER_SIZE + s->rx_block_size - 1) /
			  s->rx_block_size);
}

/* In received(): keep some STREAM buffers (--nocopy), or all of them until
 * the peer is exhausted (scenario exhaustion). */
static void maybe_hold(struct lane *l, const uint8_t *m, size_t len, uint32_t seq)
{
	struct scn *s = l->s;
	unsigned cap;
	int rc;

	if (!s->icbmsg) {
		return;
	}
	if (s->exhaustion) {
		if (__atomic_load_n(&s->exh_go, __ATOMIC_ACQUIRE)) {
			return;
		}
		cap = l->held_cap;
	} else if (s->nocopy) {
		/* Some buffers, and never so many that the sender runs dry. */
		if ((mix64(msg_key(s, s->peer_role, l->idx, seq) ^ HOLD_SALT) & 3u) != 0 ||
		    __atomic_load_n(&s->held_blocks, __ATOMIC_RELAXED) + rx_blocks_of(s, len) >
			    s->rx_block_count / 2) {
			return;
		}
		cap = HOLD_MAX;
	} else {
		return;
	}
	pthread_mutex_lock(&l->mu);
	if (!l->blocking && l->n_held < cap &&
	    !(s->exhaustion && __atomic_load_n(&s->exh_go, __ATOMIC_ACQUIRE))) {
		rc = ipc_service_hold_rx_buffer(&l->ept, (void *)m);
		if (rc == 0) {
			struct hold_ent *e = &l->held[l->n_held];
			uint64_t held;

			e->ptr = (uint8_t *)m;
			e->len = (uint32_t)len;
			e->seq = seq;
			e->blocks = rx_blocks_of(s, len);
			e->tick = __atomic_load_n(&l->tick, __ATOMIC_RELAXED);
			__atomic_store_n(&l->n_held, l->n_held + 1, __ATOMIC_RELAXED);
			held = __atomic_add_fetch(&s->held_blocks, e->blocks, __ATOMIC_RELAXED);
			scn_max(&s->me->held_blocks_max, held);
			scn_add(&s->me->rx_held, 1);
		} else {
			scn_add(&s->me->errors, 1);
			lane_err(l, "hold_rx_buffer: %s", strerror(-rc));
		}
	}
	pthread_mutex_unlock(&l->mu);
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct lane *l = priv;
	struct scn *s = l->s;
	struct scn_lane_words *w = l->w;
	const uint8_t *m = data;
	uint32_t boot, seq;
	enum scn_kind kind;

	emu_trace(EMU_TRACE_RECV, l->idx, (uint32_t)len, len >= SCN_HDR_LEN ? get_le32(m + 4) : 0,
		  len >= SCN_HDR_LEN ? m[10] : 0);
	scn_add(&s->me->received, 1);
	scn_add(&s->me->bytes_received, len);
	if (s->priorities) {
		scn_add(&s->me->prio_received[l->cfg.prio != 0], 1);
	}
	if (len < SCN_HDR_LEN || len > s->p->max_len) {
		scn_add(&s->me->corrupted, 1);
		return;
	}
	boot = get_le32(m);
	seq = get_le32(m + 4);
	kind = (enum scn_kind)m[10];
	if (kind < SCN_ECHO_REQ || kind > SCN_DONE || !verify(s, m, len, kind, l->idx, seq) ||
	    (kind == SCN_ECHO_REQ && s->role != EMU_ROLE_REMOTE) ||
	    (kind == SCN_ECHO_REP && s->role != EMU_ROLE_HOST)) {
		scn_add(&s->me->corrupted, 1);
		return;
	}
	if (boot < scn_get(&s->me->min_peer_boot)) {
		scn_add(&s->me->duplicated, 1);
		return;
	}
	if (kind == SCN_ECHO_REP) {
		uint64_t now = scn_now_ns();

		pthread_mutex_lock(&l->mu);
		if (l->echo_waiting && !l->echo_matched && seq == l->echo_seq) {
			l->echo_matched = true;
			l->echo_rx_ns = now;
			pthread_cond_broadcast(&l->cv);
		} else {
			scn_add(&s->me->late_replies, 1);
		}
		pthread_mutex_unlock(&l->mu);
		return;
	}
	if (!track(l, boot, seq)) {
		return;
	}
	switch (kind) {
	case SCN_ECHO_REQ:
		scn_add(&w->echo_received, 1);
		pthread_mutex_lock(&l->mu);
		if (l->q_tail - l->q_head < ECHO_QUEUE_LEN) {
			l->echo_q[l->q_tail++ % ECHO_QUEUE_LEN] = seq;
		}
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		break;
	case SCN_STREAM:
		scn_add(&w->stream_received, 1);
		scn_add(&s->me->stream_received, 1);
		scn_add(&s->me->stream_bytes_received, len);
		if (s->role == EMU_ROLE_REMOTE && scn_get(&w->phase) < SCN_PHASE_STREAM) {
			scn_max(&w->phase, SCN_PHASE_STREAM);
			update_role_phase(s);
			lane_signal(l);
		}
		maybe_hold(l, m, len, seq);
		break;
	case SCN_DONE:
		scn_set(&w->peer_done, 1);
		if (s->role == EMU_ROLE_REMOTE) {
			scn_max(&w->phase, SCN_PHASE_STREAM);
			update_role_phase(s);
		}
		lane_signal(l);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------- held buffers -- */

/* Release what lane l holds: everything, or what it has held for at least
 * HOLD_TICKS iterations.  The data of a held buffer must not have changed. */
static void release_held(struct lane *l, bool all)
{
	struct scn *s = l->s;
	struct hold_ent *out;
	unsigned n = 0, keep = 0;
	uint64_t now_tick = __atomic_load_n(&l->tick, __ATOMIC_RELAXED);

	if (__atomic_load_n(&l->n_held, __ATOMIC_RELAXED) == 0) {
		return;
	}
	out = l->held + l->held_cap; /* second half of the array: scratch */
	pthread_mutex_lock(&l->mu);
	for (unsigned i = 0; i < l->n_held; i++) {
		struct hold_ent *e = &l->held[i];

		if (all || now_tick - e->tick >= HOLD_TICKS) {
			out[n++] = *e;
		} else {
			l->held[keep++] = *e;
		}
	}
	__atomic_store_n(&l->n_held, keep, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->mu);

	for (unsigned i = 0; i < n; i++) {
		struct hold_ent *e = &out[i];
		int rc;

		if (!verify(s, e->ptr, e->len, SCN_STREAM, l->idx, e->seq)) {
			scn_add(&s->me->corrupted, 1);
			lane_err(l, "held RX buffer of seq %u changed before it was released",
				 e->seq);
		}
		rc = ipc_service_release_rx_buffer(&l->ept, e->ptr);
		if (rc < 0) {
			scn_add(&s->me->errors, 1);
			lane_err(l, "release_rx_buffer: %s", strerror(-rc));
		}
		__atomic_sub_fetch(&s->held_blocks, e->blocks, __ATOMIC_RELAXED);
		scn_add(&s->me->rx_released, 1);
	}
}

/* Exhaustion, receiver side: once the peer has seen -EAGAIN and -ENOMEM and
 * every one of its blocks is held here (or a grace time passed: the last
 * ones may have been echo traffic), release everything and hold no more. */
static void exh_poll(struct lane *l)
{
	struct scn *s = l->s;

	if (!__atomic_load_n(&s->exh_go, __ATOMIC_ACQUIRE)) {
		uint64_t now, t0 = 0;

		if (!scn_get(&s->peer->exh_codes_seen)) {
			return;
		}
		now = scn_now_ns();
		if (!__atomic_compare_exchange_n(&s->exh_t_seen, &t0, now, false, __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED)) {
			now = now > t0 ? now : t0;
		} else {
			t0 = now;
		}
		if (__atomic_load_n(&s->held_blocks, __ATOMIC_RELAXED) < s->rx_block_count &&
		    now - t0 < EXH_GRACE_NS) {
			return;
		}
		/* Say so before the first release goes out: every send the
		 * releases make possible then sees the flag (a lane may be
		 * preempted between its releases and anything after them). */
		scn_set(&s->me->exh_released, 1);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&s->exh_go, true, __ATOMIC_RELEASE);
		exh_trace(l, "go: held blocks / since codes ns",
			  __atomic_load_n(&s->held_blocks, __ATOMIC_RELAXED), now - t0);
	}
	if (!l->exh_released) {
		exh_trace(l, "releasing: held entries", l->n_held, 0);
		release_held(l, true);
		l->exh_released = true;
	}
}

/* Housekeeping of a lane between sends: age and release held buffers (all
 * of them with `force`), drive the exhaustion hand-over. */
static void lane_service(struct lane *l, bool force)
{
	struct scn *s = l->s;

	__atomic_add_fetch(&l->tick, 1, __ATOMIC_RELAXED);
	if (s->exhaustion) {
		exh_poll(l);
		if (!__atomic_load_n(&s->exh_go, __ATOMIC_ACQUIRE)) {
			return; /* hold everything until the peer is exhausted */
		}
		force = true;
	}
	release_held(l, force);
}

/* ----------------------------------------------------------- lane side -- */

static int register_one(struct scn *s, struct lane *l);

/* Re-register after unbound() (as Zephyr's ipc_sessions sample) and wait for
 * bound().  Returns 0 when bound, 1 when both peers are finished, <0 fatal. */
static int ensure_bound(struct lane *l)
{
	struct scn *s = l->s;
	int rc;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		if (both_finished(s)) {
			pthread_mutex_unlock(&l->mu);
			return 1;
		}
		if (stopped(s)) {
			pthread_mutex_unlock(&l->mu);
			return -ECANCELED;
		}
		if (timed_out(s)) {
			pthread_mutex_unlock(&l->mu);
			return -ETIMEDOUT;
		}
		if (__atomic_load_n(&s->v2_failed, __ATOMIC_ACQUIRE) && !l->bound) {
			pthread_mutex_unlock(&l->mu);
			lane_err(l, "ICBMsg v2 instance failed (%s)", s->error_msg);
			return -EPROTO;
		}
		if (l->unbound_pending) {
			l->unbound_pending = false;
			l->bound = false;
			pthread_mutex_unlock(&l->mu);
			if (l->registered) {
				rc = ipc_service_deregister_endpoint(&l->ept);
				if (rc < 0 && rc != -ENOENT && rc != -EALREADY) {
					lane_err(l, "deregister: %s", strerror(-rc));
				}
				l->registered = false;
			}
			rc = register_one(s, l);
			if (rc < 0) {
				lane_err(l, "re-register: %s", strerror(-rc));
				return rc;
			}
			l->registered = true;
			pthread_mutex_lock(&l->mu);
			continue;
		}
		if (l->bound) {
			pthread_mutex_unlock(&l->mu);
			return 0;
		}
		cv_wait_ns(l, IDLE_WAIT_NS);
	}
}

/* A send refused because the endpoint is not bound (now): classic answers
 * -EBUSY, v2 -ENOENT (as Zephyr's v2). */
static bool not_bound(const struct scn *s, int rc)
{
	return rc == -EBUSY || (s->v2 && rc == -ENOENT);
}

static bool session_lost(struct lane *l)
{
	bool pending;

	pthread_mutex_lock(&l->mu);
	pending = l->unbound_pending || !l->bound;
	pthread_mutex_unlock(&l->mu);
	return pending;
}

static void count_sent_seq(struct lane *l, uint32_t len, uint32_t seq, unsigned kind)
{
	emu_trace_span(EMU_TRACE_SEND, l->idx | (uint32_t)kind << 16, len, seq);
	scn_add(&l->s->me->sent, 1);
	scn_add(&l->s->me->bytes_sent, len);
}

/* A copy send: the message is still in txbuf. */
static void count_sent(struct lane *l, uint32_t len)
{
	count_sent_seq(l, len, get_le32(l->txbuf + 4), l->txbuf[10]);
}

/* Copy send retried until there is room (see send_buf). */
static int send_buf_poll(struct lane *l, uint32_t len)
{
	struct scn *s = l->s;

	for (unsigned tries = 0;; tries++) {
		int rc;

		emu_trace_mark();
		rc = ipc_service_send(&l->ept, l->txbuf, len);
		if (rc >= 0) {
			count_sent(l, len);
			return 0;
		}
		if (not_bound(l->s, rc)) {
			return -EAGAIN;
		}
		if (rc != -ENOMEM && rc != -ENOBUFS) {
			return rc;
		}
		/* No room now (ICMsg ring full, or every ICBMsg block in flight):
		 * nothing signals when room frees, so poll.  Give back what we
		 * hold meanwhile: the peer may be waiting for exactly that. */
		if (session_lost(l)) {
			return -EAGAIN;
		}
		if ((tries & 63u) == 63u && (timed_out(s) || both_finished(s) || stopped(s))) {
			return -ETIMEDOUT;
		}
		lane_service(l, true);
		if (tries < 4) {
			sched_yield();
		} else {
			/* Back off the longer the wait lasts. */
			unsigned f = tries / 16u + 1u;

			sleep_ns(FULL_RING_SLEEP_NS * (long)(f < FULL_BACKOFF_MAX ? f : FULL_BACKOFF_MAX));
		}
	}
}

/* Become one of the FULL_POLLERS lanes allowed to poll for room.  Returns
 * false when the lane must give up waiting (session lost, stop, timeout). */
static bool full_gate_enter(struct lane *l)
{
	struct scn *s = l->s;
	struct timespec ts;

	pthread_mutex_lock(&s->full_mu);
	while (s->full_pollers >= FULL_POLLERS) {
		uint64_t t;

		pthread_mutex_unlock(&s->full_mu);
		/* Waiting may take a while: give back what we hold first. */
		lane_service(l, true);
		if (session_lost(l) || stopped(s) || timed_out(s) || both_finished(s)) {
			return false;
		}
		pthread_mutex_lock(&s->full_mu);
		if (s->full_pollers < FULL_POLLERS) {
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t = (uint64_t)ts.tv_nsec + FULL_GATE_WAIT_NS;
		ts.tv_sec += (time_t)(t / 1000000000ull);
		ts.tv_nsec = (long)(t % 1000000000ull);
		(void)pthread_cond_timedwait(&s->full_cv, &s->full_mu, &ts);
	}
	s->full_pollers++;
	pthread_mutex_unlock(&s->full_mu);
	return true;
}

static void full_gate_leave(struct scn *s)
{
	pthread_mutex_lock(&s->full_mu);
	s->full_pollers--;
	pthread_cond_signal(&s->full_cv);
	pthread_mutex_unlock(&s->full_mu);
}

/* Send txbuf[0..len) with a copy send.  0 when sent; -EAGAIN when the session
 * went away (the caller re-bonds and sends again); other negative codes are
 * fatal.  With no room, at most FULL_POLLERS lanes poll at a time. */
static int send_buf(struct lane *l, uint32_t len)
{
	int rc;

	emu_trace_mark();
	rc = ipc_service_send(&l->ept, l->txbuf, len);
	if (rc >= 0) {
		count_sent(l, len);
		return 0;
	}
	if (not_bound(l->s, rc)) {
		return -EAGAIN;
	}
	if (rc != -ENOMEM && rc != -ENOBUFS) {
		return rc;
	}
	if (!full_gate_enter(l)) {
		return session_lost(l) ? -EAGAIN : -ETIMEDOUT;
	}
	rc = send_buf_poll(l, len);
	full_gate_leave(l->s);
	return rc;
}


/* Exhaustion: a STREAM message went out after the receiver announced that
 * it releases everything (the flag is set before the first release). */
static void exh_count_resumed(struct lane *l)
{
	struct scn *s = l->s;

	if (s->exhaustion && scn_get(&s->peer->exh_released)) {
		scn_add(&s->me->exh_resumed, 1);
	}
}

/* get_tx_buffer's wait expired (no room): count it; in the exhaustion
 * scenario a K_NO_WAIT copy send must then fail with -ENOMEM.  1: try again,
 * 0: the copy send went out, < 0 as send_buf. */
static int after_timeout(struct lane *l, uint32_t seq, uint32_t len)
{
	struct scn *s = l->s;
	struct scn_area *me = s->me;
	int rc;

	if (!s->exhaustion) {
		scn_add(&me->tx_waits, 1);
		return 1;
	}
	scn_add(&me->exh_eagain, 1);
	exh_trace(l, "EAGAIN at stream_sent / peer_released", scn_get(&l->w->stream_sent),
		  scn_get(&s->peer->exh_released));
	emu_trace_mark();
	rc = ipc_service_send(&l->ept, l->txbuf, build(l, l->txbuf, SCN_STREAM, seq));
	if (rc == -ENOMEM) {
		scn_add(&me->exh_enomem, 1);
		scn_set(&me->exh_codes_seen, 1);
		return 1;
	}
	if (not_bound(s, rc)) {
		return -EAGAIN;
	}
	if (rc < 0) {
		lane_err(l, "copy send after -EAGAIN: %s", strerror(-rc));
		return rc;
	}
	count_sent(l, len);
	exh_count_resumed(l);
	return 0;
}

/* Send STREAM `seq` through the no-copy API: get_tx_buffer (size 0 = the
 * largest free run, or the exact size; waiting forever or a few ms), write
 * the message straight into shared memory, send_nocopy.  In the exhaustion
 * scenario every wait is K_MSEC(50); a timeout is followed by a K_NO_WAIT
 * copy send, which must fail with -ENOMEM while the peer holds every block.
 * Returns like send_buf. */
static int send_nocopy_msg(struct lane *l, uint32_t seq)
{
	struct scn *s = l->s;
	struct scn_area *me = s->me;
	uint64_t key = msg_key(s, s->role, l->idx, seq);
	uint64_t r = mix64(key ^ NOCOPY_SALT);
	uint32_t len = msg_len(s, key);
	uint32_t want = s->exhaustion ? len : ((r & 1u) ? 0u : len);
	k_timeout_t wait = s->exhaustion		 ? K_MSEC(EXH_WAIT_MS)
			   : ((r >> 1) % 3u == 0) ? K_FOREVER
						   : K_MSEC(1 + (int32_t)((r >> 8) % 20u));

	for (;;) {
		bool forever = wait.ms < 0;
		uint32_t size = want;
		void *buf = NULL;
		int rc;

		if (session_lost(l)) {
			return -EAGAIN;
		}
		if (timed_out(s) || stopped(s)) {
			return -ETIMEDOUT;
		}
		lane_service(l, false);
		if (forever) {
			/* Never wait forever while holding the peer's blocks: it may
			 * be waiting for them (and hold ours). */
			pthread_mutex_lock(&l->mu);
			l->blocking = true;
			pthread_mutex_unlock(&l->mu);
			release_held(l, true);
		}
		if (want == 0) {
			scn_add(&me->tx_max_requests, 1);
		}
		rc = ipc_service_get_tx_buffer(&l->ept, &buf, &size, wait);
		if (forever) {
			pthread_mutex_lock(&l->mu);
			l->blocking = false;
			pthread_mutex_unlock(&l->mu);
		}
		if (not_bound(s, rc)) {
			return -EAGAIN;
		}
		if (s->v2 && rc == -ENOMEM && wait.ms != 0) {
			rc = -EAGAIN; /* v2 (as Zephyr's) answers a wait that expired -ENOMEM */
		}
		if (rc == -EAGAIN) {
			rc = after_timeout(l, seq, len);
			if (rc > 0) {
				continue;
			}
			return rc;
		}
		if (rc < 0) {
			lane_err(l, "get_tx_buffer(%u bytes, wait %d ms): %s", want, (int)wait.ms,
				 strerror(-rc));
			return rc;
		}
		if (size < len) {
			/* The largest free run is too short: give it back, ask exactly. */
			if (want != 0) {
				lane_err(l, "get_tx_buffer gave %u bytes for %u", size, want);
				(void)ipc_service_drop_tx_buffer(&l->ept, buf);
				return -EMSGSIZE;
			}
			rc = ipc_service_drop_tx_buffer(&l->ept, buf);
			if (rc < 0) {
				lane_err(l, "drop_tx_buffer: %s", strerror(-rc));
				return rc;
			}
			scn_add(&me->tx_dropped, 1);
			want = len;
			continue;
		}
		(void)build(l, buf, SCN_STREAM, seq);
		emu_trace_mark();
		rc = ipc_service_send_nocopy(&l->ept, buf, len);
		if (not_bound(l->s, rc)) {
			(void)ipc_service_drop_tx_buffer(&l->ept, buf);
			return -EAGAIN;
		}
		if (s->v2 && rc == -ENOMEM) {
			/* v2: MAX_ACTIVE_COUNT messages in flight (the queue is full);
			 * the buffer is still ours.  As a wait that expired. */
			(void)ipc_service_drop_tx_buffer(&l->ept, buf);
			lane_service(l, !s->exhaustion);
			sleep_ns(s->exhaustion ? 5000000L : FULL_RING_SLEEP_NS);
			rc = after_timeout(l, seq, len);
			if (rc > 0) {
				continue;
			}
			return rc;
		}
		if (rc < 0) {
			lane_err(l, "send_nocopy: %s", strerror(-rc));
			return rc;
		}
		count_sent_seq(l, len, seq, SCN_STREAM);
		scn_add(&me->nocopy_sent, 1);
		exh_count_resumed(l);
		if (s->exhaustion && scn_get(&l->w->stream_sent) + 1 >= s->n_stream) {
			exh_trace(l, "last stream sent / resumed", seq, scn_get(&me->exh_resumed));
		}
		return 0;
	}
}

/* The one message the lane is trying to send (kept across re-bonds). */
struct pending {
	bool valid;
	enum scn_kind kind;
	uint32_t seq;
};

static uint32_t reserve_seq(struct lane *l)
{
	/* Reserved before sending: a restarted sender never reuses a seq. */
	return (uint32_t)scn_add(&l->w->tx_seq, 1);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The last lane to finish its echo phase stores the percentiles of all. */
static void store_percentiles(struct scn *s)
{
	size_t n = 0, k = 0;
	uint32_t *all;

	for (unsigned i = 0; i < s->k; i++) {
		n += s->lanes[i].rtt_n;
	}
	if (n == 0) {
		return;
	}
	all = malloc(n * sizeof(*all));
	if (all == NULL) {
		return;
	}
	for (unsigned i = 0; i < s->k; i++) {
		memcpy(all + k, s->lanes[i].rtt, s->lanes[i].rtt_n * sizeof(*all));
		k += s->lanes[i].rtt_n;
	}
	qsort(all, n, sizeof(all[0]), cmp_u32);
	/* Nearest rank. */
	scn_set(&s->me->rtt_p50_ns, all[(n * 50 + 99) / 100 - 1]);
	scn_set(&s->me->rtt_p99_ns, all[(n * 99 + 99) / 100 - 1]);
	free(all);
}

/* Work after a successful send of the pending message. */
static void sent_ok(struct lane *l, const struct pending *pm)
{
	struct scn *s = l->s;

	switch (pm->kind) {
	case SCN_ECHO_REQ:
		break; /* armed before the send: the reply may beat us here */
	case SCN_ECHO_REP:
		scn_add(&l->w->echo_replied, 1);
		break;
	case SCN_STREAM:
		scn_add(&l->w->stream_sent, 1);
		break;
	case SCN_DONE:
		scn_set(&l->w->done_sent, 1);
		scn_set(&s->me->done_sent, 1);
		pthread_mutex_lock(&l->mu);
		l->done_session = l->session;
		pthread_mutex_unlock(&l->mu);
		break;
	}
}

/* Host: check the outstanding echo.  Returns true if something happened. */
static bool echo_poll(struct lane *l)
{
	struct scn_area *me = l->s->me;
	uint64_t now = scn_now_ns(), rtt;
	bool matched, retry;

	pthread_mutex_lock(&l->mu);
	if (!l->echo_waiting) {
		pthread_mutex_unlock(&l->mu);
		return false;
	}
	matched = l->echo_matched;
	rtt = l->echo_rx_ns - l->echo_t_send_ns;
	retry = !matched && l->session != l->echo_send_session &&
		now - l->t_session_ns > ECHO_RETRY_NS;
	if (matched || retry) {
		l->echo_waiting = false;
		l->echo_matched = false;
	}
	pthread_mutex_unlock(&l->mu);
	if (matched) {
		if (l->rtt_n < l->rtt_cap) {
			l->rtt[l->rtt_n++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
		}
		scn_add(&me->rtt_count, 1);
		scn_add(&me->rtt_sum_ns, rtt);
		scn_max(&me->rtt_max_ns, rtt);
		scn_add(&l->w->echo_next, 1);
		return true;
	}
	if (retry) {
		/* The request or its reply died with the old session. */
		scn_add(&me->echo_retries, 1);
		scn_add(&me->lost_across_session, 1);
		return true;
	}
	return false;
}

/* A lane has sent its DONE and received the peer's: check its counts (when
 * no session changed), give back what it holds, and finish the role with
 * its last lane. */
static void lane_finish(struct lane *l)
{
	struct scn *s = l->s;
	struct scn_lane_words *w = l->w;
	uint64_t now = scn_now_ns();

	release_held(l, true);
	if (scn_get(&s->me->boots) == 1 && scn_get(&s->peer->boots) == 1 &&
	    scn_get(&w->unbounds) == 0 && scn_get(&w->bonds) == 1) {
		uint64_t echoes = s->role == EMU_ROLE_HOST ? scn_get(&w->echo_next)
							   : scn_get(&w->echo_received);
		uint64_t streams = scn_get(&w->stream_received);

		if (echoes != s->n_echo || streams != s->n_stream) {
			scn_add(&s->me->endpoints_incomplete, 1);
			lane_err(l, "finished with %" PRIu64 " of %" PRIu64 " echoes and %" PRIu64
				    " of %" PRIu64 " stream messages",
				 echoes, s->n_echo, streams, s->n_stream);
		}
	}
	scn_set(&w->finished, 1);
	scn_max(&w->phase, SCN_PHASE_FINISHED);
	scn_add(&s->me->endpoints_finished, 1);
	update_role_phase(s);
	if (__atomic_add_fetch(&s->lanes_finished, 1, __ATOMIC_ACQ_REL) == s->k) {
		if (scn_get(&s->me->stream_t1_ns) == 0) {
			scn_set(&s->me->stream_t1_ns, now);
		}
		scn_set(&s->me->t_finished_ns, now);
		scn_max(&s->me->phase, SCN_PHASE_FINISHED);
		scn_set(&s->me->finished, 1);
	}
}

/* Choose the next message to send, or nothing (returns false). */
static bool next_message(struct lane *l, struct pending *pm)
{
	struct scn *s = l->s;
	struct scn_lane_words *w = l->w;
	uint64_t phase = scn_get(&w->phase);

	if (s->role == EMU_ROLE_REMOTE) {
		bool have = false;

		pthread_mutex_lock(&l->mu);
		if (l->q_head != l->q_tail) {
			pm->seq = l->echo_q[l->q_head++ % ECHO_QUEUE_LEN];
			have = true;
		}
		pthread_mutex_unlock(&l->mu);
		if (have) {
			pm->kind = SCN_ECHO_REP;
			pm->valid = true;
			return true;
		}
	} else if (phase == SCN_PHASE_ECHO) {
		bool waiting;

		(void)echo_poll(l);
		pthread_mutex_lock(&l->mu);
		waiting = l->echo_waiting;
		pthread_mutex_unlock(&l->mu);
		if (waiting) {
			return false;
		}
		if (scn_get(&w->echo_next) < s->n_echo) {
			pm->kind = SCN_ECHO_REQ;
			pm->seq = reserve_seq(l);
			pm->valid = true;
			return true;
		}
		scn_max(&w->phase, SCN_PHASE_STREAM);
		update_role_phase(s);
		phase = SCN_PHASE_STREAM;
		if (__atomic_add_fetch(&s->lanes_echo_done, 1, __ATOMIC_ACQ_REL) == s->k) {
			store_percentiles(s);
		}
	}
	if (phase < SCN_PHASE_STREAM) {
		return false;
	}
	if (scn_get(&w->stream_sent) < s->n_stream) {
		if (scn_get(&s->me->stream_t0_ns) == 0) {
			scn_set(&s->me->stream_t0_ns, scn_now_ns());
		}
		pm->kind = SCN_STREAM;
		pm->seq = reserve_seq(l);
		pm->valid = true;
		return true;
	}
	{
		bool resend;

		pthread_mutex_lock(&l->mu);
		/* DONE again after every new session: the last one may have died
		 * with the old session. */
		resend = l->done_session != l->session && !scn_get(&s->peer->finished) &&
			 !scn_get(&s->me->finish_hold);
		pthread_mutex_unlock(&l->mu);
		if (resend) {
			pm->kind = SCN_DONE;
			pm->seq = reserve_seq(l);
			pm->valid = true;
			return true;
		}
	}
	if (scn_get(&w->done_sent) && scn_get(&w->peer_done) && !scn_get(&w->finished)) {
		lane_finish(l);
	}
	return false;
}

static const char *phase_name(uint64_t ph)
{
	static const char *const names[] = {"init", "echo", "stream", "finished"};

	return ph < 4 ? names[ph] : "?";
}

static int lane_loop(struct lane *l)
{
	struct scn *s = l->s;
	struct pending pm = {0};
	int rc;

	for (;;) {
		if (both_finished(s)) {
			return 0;
		}
		if (stopped(s)) {
			return -ECANCELED;
		}
		if (timed_out(s)) {
			return -ETIMEDOUT;
		}
		rc = ensure_bound(l);
		if (rc == 1) {
			return 0;
		}
		if (rc < 0) {
			return rc;
		}
		lane_service(l, false);
		if (!pm.valid && !next_message(l, &pm)) {
			/* Nothing to send: give back what we hold (the peer may need
			 * the blocks to finish), wait for an event or poll the flags. */
			lane_service(l, true);
			pthread_mutex_lock(&l->mu);
			if (l->q_head == l->q_tail && !l->echo_matched && !l->unbound_pending &&
			    !l->wake) {
				/* Callbacks signal every event of this lane; the main
				 * thread signals when both roles are finished. */
				cv_wait_ns(l, IDLE_WAIT_NS);
			}
			l->wake = false;
			pthread_mutex_unlock(&l->mu);
			continue;
		}
		if (pm.kind == SCN_ECHO_REQ) {
			pthread_mutex_lock(&l->mu);
			l->echo_waiting = true;
			l->echo_matched = false;
			l->echo_seq = pm.seq;
			l->echo_send_session = l->session;
			pthread_mutex_unlock(&l->mu);
			l->echo_t_send_ns = scn_now_ns();
		}
		if (pm.kind == SCN_STREAM && s->icbmsg && (s->nocopy || s->exhaustion)) {
			rc = send_nocopy_msg(l, pm.seq);
		} else {
			rc = send_buf(l, build(l, l->txbuf, pm.kind, pm.seq));
		}
		if (rc == -EAGAIN) {
			/* Re-bond, then send the same message again.  The backend may
			 * answer -EBUSY a moment before bound()/unbound() reach us:
			 * do not spin on it. */
			sleep_ns(50000L);
			continue;
		}
		if (rc == -ETIMEDOUT && both_finished(s)) {
			return 0;
		}
		if (rc == -ETIMEDOUT && stopped(s)) {
			return -ECANCELED;
		}
		if (rc < 0) {
			return rc;
		}
		sent_ok(l, &pm);
		pm.valid = false;
	}
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	struct scn *s = l->s;
	int rc;

	if (atomic_load_explicit(&emu_trace_enabled, memory_order_relaxed)) {
		char name[16];

		snprintf(name, sizeof(name), "lane %u", l->idx);
		emu_trace_thread_name(name);
	}
	if (scn_get(&l->w->finished)) {
		/* Resumed after a restart: this lane had finished already. */
		if (__atomic_add_fetch(&s->lanes_finished, 1, __ATOMIC_ACQ_REL) == s->k) {
			scn_set(&s->me->finished, 1);
		}
	}
	rc = lane_loop(l);
	release_held(l, true);
	if (rc == -ETIMEDOUT) {
		uint64_t bonds = scn_get(&l->w->bonds);

		lane_err(l, "timed out after %.0f s in phase %s (%s, peer finished %s)",
			 s->p->timeout_s, phase_name(scn_get(&l->w->phase)),
			 bonds ? "bound" : "never bound", scn_get(&s->peer->finished) ? "yes" : "no");
	} else if (rc < 0 && rc != -ECANCELED) {
		lane_err(l, "send failed: %s", strerror(-rc));
		scn_add(&s->me->errors, 1);
	}
	if (rc < 0) {
		__atomic_store_n(&s->stop, true, __ATOMIC_RELAXED);
	}
	l->rc = rc;
	__atomic_add_fetch(&s->lanes_exited, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* --------------------------------------------------------------- set-up -- */

static int area_init(struct scn *s)
{
	struct scn_area *a = s->me;

	if (scn_get(&a->magic) == SCN_MAGIC && scn_get(&a->exited)) {
		/* Left by a completed run on a reused segment: start afresh. */
		memset(a, 0, sizeof(*a));
	}
	if (scn_get(&a->magic) != SCN_MAGIC) {
		memset(a, 0, sizeof(*a));
		scn_set(&a->messages, s->p->messages);
		scn_set(&a->endpoints, s->k);
		scn_set(&a->magic, SCN_MAGIC);
	} else if (scn_get(&a->messages) != s->p->messages || scn_get(&a->endpoints) != s->k) {
		fprintf(stderr,
			"ipc-emu peer[%s]: the segment holds a run of %" PRIu64
			" messages on %" PRIu64 " endpoints, not %" PRIu64 " on %u\n",
			scn_role_name(s->role), scn_get(&a->messages), scn_get(&a->endpoints),
			s->p->messages, s->k);
		return -EINVAL;
	}
	s->boot = (uint32_t)(scn_add(&a->boots, 1) + 1);
	scn_set(&a->pid, (uint64_t)getpid());
	scn_set(&a->bound_now, 0); /* a new incarnation starts unbound */
	scn_max(&a->phase, SCN_PHASE_ECHO);
	return 0;
}

static int lanes_init(struct scn *s)
{
	const struct scn_params *p = s->p;
	pthread_condattr_t ca;

	s->lanes = calloc(s->k, sizeof(*s->lanes));
	s->words = s->k > 1 ? calloc(s->k - 1, sizeof(*s->words)) : NULL;
	if (s->lanes == NULL || (s->k > 1 && s->words == NULL)) {
		return -ENOMEM;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (unsigned i = 0; i < s->k; i++) {
		struct lane *l = &s->lanes[i];

		l->s = s;
		l->idx = i;
		snprintf(l->name, sizeof(l->name), "ep%u", i);
		l->w = i == 0 ? &s->me->lane0 : &s->words[i - 1];
		scn_max(&l->w->phase, SCN_PHASE_ECHO);
		l->cfg = (struct ipc_ept_cfg){
			.name = l->name,
			.cb = {.bound = on_bound, .unbound = on_unbound, .received = on_received,
			       .error = on_error},
			/* v2: prio 1 entries go first within a receive batch. */
			.prio = s->priorities ? (int)(i & 1u) : 0,
			.priv = l,
		};
		pthread_mutex_init(&l->mu, NULL);
		pthread_cond_init(&l->cv, &ca);
		l->txbuf = calloc(1, p->max_len);
		/* Exhaustion: one lane may end up holding every block. */
		l->held_cap = s->exhaustion ? s->rx_block_count : HOLD_MAX;
		if (l->held_cap == 0) {
			l->held_cap = 1;
		}
		l->held = calloc(2u * l->held_cap, sizeof(*l->held)); /* + release scratch */
		if (s->role == EMU_ROLE_HOST) {
			uint64_t cap = RTT_SAMPLES_MAX / s->k;

			l->rtt_cap = s->n_echo < cap ? s->n_echo + 1 : cap;
			l->rtt = calloc(l->rtt_cap, sizeof(uint32_t));
		}
		if (l->txbuf == NULL || l->held == NULL || (s->role == EMU_ROLE_HOST && !l->rtt)) {
			pthread_condattr_destroy(&ca);
			return -ENOMEM;
		}
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

static void lanes_free(struct scn *s)
{
	if (s->lanes == NULL) {
		return;
	}
	for (unsigned i = 0; i < s->k; i++) {
		struct lane *l = &s->lanes[i];

		if (l->s == NULL) {
			continue;
		}
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
		free(l->txbuf);
		free(l->held);
		free(l->rtt);
	}
	free(s->lanes);
	free(s->words);
}


/* Register one endpoint.  v2 sends its EP_BOUND without waiting: with
 * MAX_ACTIVE_COUNT messages (or every TX block) in flight it answers
 * -ENOMEM until the peer consumes some, so retry for a while. */
static int register_one(struct scn *s, struct lane *l)
{
	uint64_t t_end = scn_now_ns() + 2000000000ull;
	int rc;

	for (;;) {
		rc = ipc_service_register_endpoint(s->dev, &l->ept, &l->cfg);
		if (rc != -ENOMEM || !s->v2 || scn_now_ns() > t_end || stopped(s)) {
			return rc;
		}
		icbmsg_v2_collect(s->dev);
		sleep_ns(200000L);
	}
}

/* Register the endpoints in this role's order: the host in reverse, the
 * remote in a seeded shuffle, with ICBMsg sometimes after a short random
 * delay, so binding is shown not to depend on the order on either side. */
static int register_all(struct scn *s)
{
	unsigned *order = calloc(s->k, sizeof(*order));
	uint64_t rng = mix64(s->p->seed ^ 0x72656769737472ull);
	int rc = 0;

	if (order == NULL) {
		return -ENOMEM;
	}
	for (unsigned i = 0; i < s->k; i++) {
		order[i] = s->role == EMU_ROLE_HOST ? s->k - 1 - i : i;
	}
	if (s->role == EMU_ROLE_REMOTE) {
		for (unsigned i = s->k; i > 1; i--) {
			unsigned j;

			rng = mix64(rng);
			j = (unsigned)(rng % i);
			unsigned t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		rng = mix64(rng);
		if (s->icbmsg && (rng & 1u)) {
			sleep_ns((long)(1 + (rng >> 8) % 30u) * 1000000L);
		}
	}
	for (unsigned i = 0; i < s->k && rc == 0; i++) {
		struct lane *l = &s->lanes[order[i]];

		if (s->role == EMU_ROLE_REMOTE && s->icbmsg) {
			rng = mix64(rng);
			if (rng % 8u == 0) {
				sleep_ns((long)((rng >> 8) % 5000u) * 1000L);
			}
		}
		rc = register_one(s, l);
		if (rc < 0) {
			fprintf(stderr, "ipc-emu peer[%s]: register endpoint %s (%u of %u): %s\n",
				scn_role_name(s->role), l->name, i + 1, s->k, strerror(-rc));
		} else {
			l->registered = true;
		}
	}
	free(order);
	return rc;
}

/* ICBMsg teardown: wait until the peer has given every TX block back, record
 * how many stayed in use, and wait for the peer to have done the same (our
 * receive context must stay alive to take its releases). */
static unsigned tx_blocks_in_use(struct scn *s)
{
	if (s->v2) {
		/* v2 consumption rings no doorbell: collect, then count. */
		icbmsg_v2_collect(s->dev);
		return icbmsg_v2_tx_blocks_in_use(s->dev);
	}
	return icbmsg_tx_blocks_in_use(s->dev->data);
}

static void icbmsg_quiesce(struct scn *s)
{
	struct icbmsg_stats st;
	uint64_t t_end = scn_now_ns() + QUIESCE_NS;
	unsigned in_use;

	while ((in_use = tx_blocks_in_use(s)) != 0 && scn_now_ns() < t_end) {
		sleep_ns(1000000L);
	}
	if (s->v2) {
		struct icbmsg_v2_stats v;

		icbmsg_v2_get_stats(s->dev, &v);
		st = (struct icbmsg_stats){
			.rx_invalid = v.rx_invalid_index + v.rx_bad_header + v.rx_invalid_control +
				      v.rx_duplicate + v.tx_invalid_release,
			.rx_released_unknown = v.rx_unknown_ept,
		};
	} else {
		icbmsg_get_stats(s->dev->data, &st);
	}
	scn_set(&s->me->blocks_in_use_end, in_use);
	scn_set(&s->me->icb_rx_invalid, st.rx_invalid);
	scn_set(&s->me->icb_rx_released_unknown, st.rx_released_unknown);
	scn_set(&s->me->icb_rx_bound_released, st.rx_bound_released);
	scn_set(&s->me->blocks_measured, 1);
	if (in_use != 0) {
		fprintf(stderr, "ipc-emu peer[%s]: %u TX blocks still in use after quiescence\n",
			scn_role_name(s->role), in_use);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	scn_set(&s->me->quiesced, 1);
	t_end = scn_now_ns() + PEER_QUIESCE_NS;
	while (!scn_get(&s->peer->quiesced) && scn_now_ns() < t_end) {
		sleep_ns(1000000L);
	}
}

int scn_run(struct emu_segment *seg, const struct scn_params *p)
{
	struct scn *s;
	char err[256] = "";
	int rc, status = SCN_EXIT_OK;
	const char *who = scn_role_name(p->role);
	pthread_attr_t attr;
	bool attr_ok = false;

	if (scn_is_raw(p->scenario)) {
		return scn_run_raw(seg, p);
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return SCN_EXIT_FAIL;
	}
	s->p = p;
	s->seg = seg;
	s->role = p->role;
	s->peer_role = p->role == EMU_ROLE_HOST ? EMU_ROLE_REMOTE : EMU_ROLE_HOST;
	s->me = scn_area(seg, s->role);
	s->peer = scn_area(seg, s->peer_role);
	s->n_echo = p->messages / 2;
	s->n_stream = p->messages / 2;
	s->k = p->endpoints ? p->endpoints : 1;
	s->nocopy = p->nocopy;
	s->exhaustion = p->scenario == SCN_EXHAUSTION;
	s->priorities = p->scenario == SCN_PRIORITIES;
	exh_debug = s->exhaustion && getenv("IPC_EMU_DEBUG_EXH") != NULL;
	if (p->timeout_s > 0) {
		s->deadline_ns = scn_now_ns() + (uint64_t)(p->timeout_s * 1e9);
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->full_mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->full_cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	/* Sleeps of a few tens of microseconds while a ring is full. */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

	if (area_init(s) < 0) {
		status = SCN_EXIT_CONFIG;
		goto out_free;
	}
	rc = emu_core_start(seg, s->role, &s->core);
	if (rc < 0) {
		fprintf(stderr, "ipc-emu peer[%s]: cannot start the core: %s\n", who, strerror(-rc));
		status = SCN_EXIT_FAIL;
		goto out_free;
	}
	emu_core_set_busy_poll(s->core, p->busy_poll_us);
	rc = emu_board_create(p->plan, seg, s->core, &p->board, &s->board, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ipc-emu: %s\n", err[0] ? err : strerror(-rc));
		status = rc == -ENOMEM ? SCN_EXIT_FAIL : SCN_EXIT_CONFIG;
		goto out_core;
	}
	s->dev = emu_board_device(s->board, p->instance);
	if (s->dev == NULL) {
		fprintf(stderr, "ipc-emu: %s: no device for instance '%s'\n", p->plan->source,
			p->instance);
		status = SCN_EXIT_CONFIG;
		goto out_board;
	}
	s->v2 = s->dev->api == &ipc_icbmsg_v2_backend;
	s->icbmsg = s->dev->api == &ipc_icbmsg_backend || s->v2;
	if (s->v2) {
		const struct icbmsg_v2_data *d = s->dev->data;

		s->rx_block_size = d->rx_lay.block_size;
		s->rx_block_count = d->rx_lay.block_count;
		s->tx_block_count = d->tx_lay.block_count;
	} else if (s->icbmsg) {
		const struct icbmsg_config *conf = s->dev->config;

		s->rx_block_size = conf->rx.block_size;
		s->rx_block_count = conf->rx.block_count;
		s->tx_block_count = conf->tx.block_count;
	} else if (s->k > 1 || s->nocopy || s->exhaustion) {
		fprintf(stderr, "ipc-emu: %s: instance '%s' is not ICBMsg: one endpoint, copy sends "
				"only\n",
			p->plan->source, p->instance);
		status = SCN_EXIT_CONFIG;
		goto out_board;
	}
	if (p->ipm_console) {
		s->con = scn_console_open(s->board, seg, s->role, true);
		if (s->con == NULL) {
			status = SCN_EXIT_CONFIG;
			goto out_board;
		}
		scn_console_printf(s->con, "up: %s on %s, %u endpoint%s, %" PRIu64 " messages\r\n",
				   scn_scenario_name(p->scenario), p->instance, s->k,
				   s->k == 1 ? "" : "s", p->messages);
	}
	if (lanes_init(s) < 0) {
		fprintf(stderr, "ipc-emu peer[%s]: out of memory for %u endpoints\n", who, s->k);
		status = SCN_EXIT_FAIL;
		goto out_lanes;
	}
	rc = ipc_service_open_instance(s->dev);
	if (rc < 0 && rc != -EALREADY) {
		fprintf(stderr, "ipc-emu peer[%s]: open %s: %s\n", who, p->instance, strerror(-rc));
		status = SCN_EXIT_FAIL;
		goto out_lanes;
	}
	if (register_all(s) < 0) {
		status = SCN_EXIT_FAIL;
		goto out_dereg;
	}

	attr_ok = pthread_attr_init(&attr) == 0 &&
		  pthread_attr_setstacksize(&attr, LANE_STACK_SIZE) == 0;
	for (unsigned i = 0; i < s->k; i++) {
		struct lane *l = &s->lanes[i];

		rc = pthread_create(&l->thread, attr_ok ? &attr : NULL, lane_main, l);
		if (rc != 0) {
			fprintf(stderr, "ipc-emu peer[%s]: cannot start the thread of %s: %s\n", who,
				l->name, strerror(rc));
			__atomic_store_n(&s->stop, true, __ATOMIC_RELAXED);
			status = SCN_EXIT_FAIL;
			break;
		}
		l->started = true;
	}
	if (attr_ok) {
		pthread_attr_destroy(&attr);
	}
	/* Nothing signals the peer's progress flags: poll them here and wake
	 * the lanes (they sleep until an event) when it is time to stop. */
	{
		unsigned started = 0;

		for (unsigned i = 0; i < s->k; i++) {
			started += s->lanes[i].started;
		}
		while (__atomic_load_n(&s->lanes_exited, __ATOMIC_ACQUIRE) < started) {
			if (both_finished(s) || stopped(s) || timed_out(s)) {
				for (unsigned i = 0; i < s->k; i++) {
					lane_signal(&s->lanes[i]);
				}
			}
			sleep_ns(MAIN_POLL_NS);
		}
	}
	for (unsigned i = 0; i < s->k; i++) {
		struct lane *l = &s->lanes[i];

		if (l->started) {
			pthread_join(l->thread, NULL);
			if (l->rc < 0) {
				status = SCN_EXIT_FAIL;
			}
		}
	}
	if (status == SCN_EXIT_OK && scn_get(&s->me->errors) != 0) {
		status = SCN_EXIT_FAIL;
	}
	if (s->icbmsg && both_finished(s)) {
		icbmsg_quiesce(s);
	}
	if (s->con != NULL) {
		/* A gone host would leave wait = 1 spinning: only after a clean end. */
		if (s->role == EMU_ROLE_REMOTE && both_finished(s)) {
			scn_console_printf(s->con,
					   "%" PRIu64 " messages checked: %" PRIu64 " corrupted, %" PRIu64
					   " lost, %" PRIu64 " duplicated\n",
					   scn_get(&s->me->received), scn_get(&s->me->corrupted),
					   scn_get(&s->me->lost), scn_get(&s->me->duplicated));
		}
		scn_console_close(s->con, 5000000000ull);
	}

out_dereg:
	for (unsigned i = 0; i < s->k; i++) {
		if (s->lanes[i].registered) {
			(void)ipc_service_deregister_endpoint(&s->lanes[i].ept);
			s->lanes[i].registered = false;
		}
	}
	/* v2's close is local: it zeroes the queue counters the peer reads,
	 * which a peer still draining takes for a reset (desynchronised
	 * counters).  The board's teardown only stops receiving. */
	if (!s->v2) {
		(void)ipc_service_close_instance(s->dev);
	}
	if (status == SCN_EXIT_OK) {
		scn_set(&s->me->exited, 1);
	}
out_lanes:
	/* The board first: its threads run our callbacks on the lanes. */
	emu_board_destroy(s->board);
	s->board = NULL;
out_board:
	emu_board_destroy(s->board);
out_core:
	emu_core_stop(s->core);
out_free:
	scn_console_free(s->con);
	lanes_free(s);
	pthread_cond_destroy(&s->full_cv);
	pthread_mutex_destroy(&s->full_mu);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return status;
}
