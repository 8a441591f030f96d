/*
 * scenario.c - the echo + stream scenario run by both peers (see scenario.h
 * for the wire format and the protocol).
 *
 * Threads: the main thread sends everything and handles session changes;
 * the ipc_service callbacks (work-queue or interrupt thread) verify each
 * message, update the app-area counters and hand the few events the main
 * thread needs (echo requests/replies, bound/unbound, the peer's DONE) over
 * under `mu` + `cv`.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/ipc_service.h"
#include "scenario.h"

#define ECHO_QUEUE_LEN 64u
#define ECHO_RETRY_NS 1000000000ull  /* give up an echo 1 s after a session change */
#define RTT_SAMPLES_MAX (1u << 22)
#define FULL_RING_SLEEP_NS 20000L

struct scn {
	const struct scn_params *p;
	struct emu_segment *seg;
	enum emu_role role, peer_role;
	struct scn_area *me, *peer;
	uint32_t boot;
	uint64_t n_echo, n_stream;

	struct emu_core *core;
	struct emu_board *board;
	const struct device *dev;
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	bool registered;

	uint8_t *txbuf;
	uint64_t deadline_ns; /* 0: none */

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
	char error_msg[160];

	/* Main thread only: */
	uint64_t echo_t_send_ns;
	uint64_t echo_send_session;
	uint64_t done_session;   /* session in which DONE was last sent */
	uint32_t *rtt;
	size_t rtt_n;
};

/* -------------------------------------------------------------- helpers -- */

uint64_t scn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++) {
			c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		}
		crc_table[i] = c;
	}
}

uint32_t scn_crc32(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t c = 0xFFFFFFFFu;

	pthread_once(&crc_once, crc_init);
	for (size_t i = 0; i < len; i++) {
		c = crc_table[(c ^ b[i]) & 0xFFu] ^ (c >> 8);
	}
	return c ^ 0xFFFFFFFFu;
}

static uint64_t mix64(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* PRNG key of a message: lengths and payloads follow from it. */
static uint64_t msg_key(const struct scn *s, enum emu_role origin, uint32_t seq)
{
	return mix64(s->p->seed ^ mix64(((uint64_t)origin << 32) | seq));
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

/* Build message (kind, seq) in txbuf; returns its length. */
static uint32_t build(struct scn *s, enum scn_kind kind, uint32_t seq)
{
	enum emu_role origin = (kind == SCN_ECHO_REQ || kind == SCN_ECHO_REP) ? EMU_ROLE_HOST
									       : s->role;
	uint64_t key = msg_key(s, origin, seq), word = 0;
	uint32_t len = msg_len(s, key);
	uint8_t *m = s->txbuf;

	put_le32(m, s->boot);
	put_le32(m + 4, seq);
	m[8] = (uint8_t)len;
	m[9] = (uint8_t)(len >> 8);
	m[10] = (uint8_t)kind;
	m[11] = 0;
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

static void cv_wait_ns(struct scn *s, uint64_t ns)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_nsec + ns;
	ts.tv_sec += (time_t)(t / 1000000000ull);
	ts.tv_nsec = (long)(t % 1000000000ull);
	(void)pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

static bool both_finished(const struct scn *s)
{
	return scn_get(&s->me->finished) && scn_get(&s->peer->finished);
}

/* ------------------------------------------------------------ callbacks -- */

static void on_bound(void *priv)
{
	struct scn *s = priv;
	uint64_t now = scn_now_ns();

	pthread_mutex_lock(&s->mu);
	s->bound = true;
	s->session++;
	s->t_session_ns = now;
	scn_add(&s->me->bonds, 1);
	if (scn_get(&s->me->t_bound_ns) == 0) {
		scn_set(&s->me->t_bound_ns, now);
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void on_unbound(void *priv)
{
	struct scn *s = priv;

	pthread_mutex_lock(&s->mu);
	s->bound = false;
	s->unbound_pending = true;
	if (!scn_get(&s->me->finished)) {
		/* Once finished, the peer's teardown (close) is expected. */
		scn_add(&s->me->unbounds, 1);
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void on_error(const char *message, void *priv)
{
	struct scn *s = priv;

	scn_add(&s->me->errors, 1);
	pthread_mutex_lock(&s->mu);
	if (s->error_msg[0] == '\0') {
		snprintf(s->error_msg, sizeof(s->error_msg), "%s", message ? message : "?");
		fprintf(stderr, "ipc-emu peer[%s]: backend error: %s\n", scn_role_name(s->role),
			s->error_msg);
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Check a received message against what its seq says it must be. */
static bool verify(const struct scn *s, const uint8_t *m, size_t len, enum scn_kind kind,
		   uint32_t seq)
{
	enum emu_role origin = (kind == SCN_ECHO_REQ || kind == SCN_ECHO_REP) ? EMU_ROLE_HOST
									       : s->peer_role;
	uint64_t key = msg_key(s, origin, seq), word = 0;
	uint32_t hdr_len = (uint32_t)m[8] | (uint32_t)m[9] << 8;

	if (hdr_len != len || len != msg_len(s, key) || m[11] != 0) {
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

/* Sequence check of the peer's ordered messages.  Returns false for a
 * duplicate or a reordered message (not to be acted on). */
static bool track(struct scn *s, uint32_t boot, uint32_t seq)
{
	struct scn_area *a = s->me;
	uint64_t epoch = scn_get(&a->bonds) + scn_get(&a->unbounds);
	bool valid = scn_get(&a->rx_valid) != 0;
	uint64_t expected = valid ? scn_get(&a->rx_last_seq) + 1 : 0;
	bool across;

	if (seq < expected) {
		scn_add(seq + 1 == expected ? &a->duplicated : &a->reordered, 1);
		return false;
	}
	if (seq > expected) {
		/* A gap is allowed only if a session changed in between: the sender
		 * rebooted, or we (re)bonded since its previous message. */
		if (valid) {
			across = boot != scn_get(&a->rx_sender_boot) || epoch != scn_get(&a->rx_epoch);
		} else {
			across = boot > 1 || epoch > 1 || scn_get(&a->boots) > 1;
		}
		scn_add(across ? &a->lost_across_session : &a->lost, seq - expected);
	}
	scn_set(&a->rx_last_seq, seq);
	scn_set(&a->rx_sender_boot, boot);
	scn_set(&a->rx_epoch, epoch);
	scn_set(&a->rx_valid, 1);
	return true;
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct scn *s = priv;
	const uint8_t *m = data;
	uint32_t boot, seq;
	enum scn_kind kind;

	scn_add(&s->me->received, 1);
	scn_add(&s->me->bytes_received, len);
	if (len < SCN_HDR_LEN || len > s->p->max_len) {
		scn_add(&s->me->corrupted, 1);
		return;
	}
	boot = get_le32(m);
	seq = get_le32(m + 4);
	kind = (enum scn_kind)m[10];
	if (kind < SCN_ECHO_REQ || kind > SCN_DONE || !verify(s, m, len, kind, seq) ||
	    (kind == SCN_ECHO_REQ && s->role != EMU_ROLE_REMOTE) ||
	    (kind == SCN_ECHO_REP && s->role != EMU_ROLE_HOST)) {
		scn_add(&s->me->corrupted, 1);
		return;
	}
	if (kind == SCN_ECHO_REP) {
		uint64_t now = scn_now_ns();

		pthread_mutex_lock(&s->mu);
		if (s->echo_waiting && !s->echo_matched && seq == s->echo_seq) {
			s->echo_matched = true;
			s->echo_rx_ns = now;
			pthread_cond_broadcast(&s->cv);
		} else {
			scn_add(&s->me->late_replies, 1);
		}
		pthread_mutex_unlock(&s->mu);
		return;
	}
	if (!track(s, boot, seq)) {
		return;
	}
	switch (kind) {
	case SCN_ECHO_REQ:
		pthread_mutex_lock(&s->mu);
		if (s->q_tail - s->q_head < ECHO_QUEUE_LEN) {
			s->echo_q[s->q_tail++ % ECHO_QUEUE_LEN] = seq;
		}
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		break;
	case SCN_STREAM:
		scn_add(&s->me->stream_received, 1);
		scn_add(&s->me->stream_bytes_received, len);
		if (s->role == EMU_ROLE_REMOTE && scn_get(&s->me->phase) < SCN_PHASE_STREAM) {
			scn_max(&s->me->phase, SCN_PHASE_STREAM);
			pthread_mutex_lock(&s->mu);
			pthread_cond_broadcast(&s->cv);
			pthread_mutex_unlock(&s->mu);
		}
		break;
	case SCN_DONE:
		scn_set(&s->me->peer_done, 1);
		if (s->role == EMU_ROLE_REMOTE) {
			scn_max(&s->me->phase, SCN_PHASE_STREAM);
		}
		pthread_mutex_lock(&s->mu);
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		break;
	default:
		break;
	}
}

/* ----------------------------------------------------------- main side -- */

/* Re-register after unbound() (as Zephyr's ipc_sessions sample) and wait for
 * bound().  Returns 0 when bound, 1 when both peers are finished, <0 fatal. */
static int ensure_bound(struct scn *s)
{
	int rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (both_finished(s)) {
			pthread_mutex_unlock(&s->mu);
			return 1;
		}
		if (timed_out(s)) {
			pthread_mutex_unlock(&s->mu);
			return -ETIMEDOUT;
		}
		if (s->unbound_pending) {
			s->unbound_pending = false;
			s->bound = false;
			pthread_mutex_unlock(&s->mu);
			if (s->registered) {
				rc = ipc_service_deregister_endpoint(&s->ept);
				if (rc < 0 && rc != -ENOENT && rc != -EALREADY) {
					fprintf(stderr, "ipc-emu peer[%s]: deregister: %s\n",
						scn_role_name(s->role), strerror(-rc));
				}
				s->registered = false;
			}
			rc = ipc_service_register_endpoint(s->dev, &s->ept, &s->cfg);
			if (rc < 0) {
				fprintf(stderr, "ipc-emu peer[%s]: re-register: %s\n",
					scn_role_name(s->role), strerror(-rc));
				return rc;
			}
			s->registered = true;
			pthread_mutex_lock(&s->mu);
			continue;
		}
		if (s->bound) {
			pthread_mutex_unlock(&s->mu);
			return 0;
		}
		cv_wait_ns(s, 5000000);
	}
}

/* Send txbuf[0..len).  0 when sent; -EAGAIN when the session went away (the
 * caller re-bonds and sends again); other negative codes are fatal. */
static int send_buf(struct scn *s, uint32_t len)
{
	for (unsigned tries = 0;; tries++) {
		int rc = ipc_service_send(&s->ept, s->txbuf, len);
		bool pending;

		if (rc >= 0) {
			scn_add(&s->me->sent, 1);
			scn_add(&s->me->bytes_sent, len);
			return 0;
		}
		if (rc == -EBUSY) {
			return -EAGAIN;
		}
		if (rc != -ENOMEM && rc != -ENOBUFS) {
			return rc;
		}
		/* Ring full: ICMsg signals nothing when room frees, so poll. */
		pthread_mutex_lock(&s->mu);
		pending = s->unbound_pending || !s->bound;
		pthread_mutex_unlock(&s->mu);
		if (pending) {
			return -EAGAIN;
		}
		if ((tries & 63u) == 63u && (timed_out(s) || both_finished(s))) {
			return -ETIMEDOUT;
		}
		if (tries < 4) {
			sched_yield();
		} else {
			struct timespec ts = {0, FULL_RING_SLEEP_NS};

			nanosleep(&ts, NULL);
		}
	}
}

/* The one message the main thread is trying to send (kept across re-bonds). */
struct pending {
	bool valid;
	enum scn_kind kind;
	uint32_t seq;
};

static uint32_t reserve_seq(struct scn *s)
{
	/* Reserved before sending: a restarted sender never reuses a seq. */
	return (uint32_t)scn_add(&s->me->tx_seq, 1);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void store_percentiles(struct scn *s)
{
	size_t n = s->rtt_n;

	if (n == 0) {
		return;
	}
	qsort(s->rtt, n, sizeof(s->rtt[0]), cmp_u32);
	/* Nearest rank. */
	scn_set(&s->me->rtt_p50_ns, s->rtt[(n * 50 + 99) / 100 - 1]);
	scn_set(&s->me->rtt_p99_ns, s->rtt[(n * 99 + 99) / 100 - 1]);
}

/* Work after a successful send of the pending message. */
static void sent_ok(struct scn *s, const struct pending *pm)
{
	switch (pm->kind) {
	case SCN_ECHO_REQ:
		break; /* armed before the send: the reply may beat us here */
	case SCN_ECHO_REP:
		scn_add(&s->me->echo_replied, 1);
		break;
	case SCN_STREAM:
		scn_add(&s->me->stream_sent, 1);
		break;
	case SCN_DONE:
		scn_set(&s->me->done_sent, 1);
		pthread_mutex_lock(&s->mu);
		s->done_session = s->session;
		pthread_mutex_unlock(&s->mu);
		break;
	}
}

/* Host: check the outstanding echo.  Returns true if something happened. */
static bool echo_poll(struct scn *s)
{
	uint64_t now = scn_now_ns(), rtt;
	bool matched, retry;

	pthread_mutex_lock(&s->mu);
	if (!s->echo_waiting) {
		pthread_mutex_unlock(&s->mu);
		return false;
	}
	matched = s->echo_matched;
	rtt = s->echo_rx_ns - s->echo_t_send_ns;
	retry = !matched && s->session != s->echo_send_session &&
		now - s->t_session_ns > ECHO_RETRY_NS;
	if (matched || retry) {
		s->echo_waiting = false;
		s->echo_matched = false;
	}
	pthread_mutex_unlock(&s->mu);
	if (matched) {
		if (s->rtt_n < RTT_SAMPLES_MAX) {
			s->rtt[s->rtt_n++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
		}
		scn_add(&s->me->rtt_count, 1);
		scn_add(&s->me->rtt_sum_ns, rtt);
		scn_max(&s->me->rtt_max_ns, rtt);
		scn_add(&s->me->echo_next, 1);
		return true;
	}
	if (retry) {
		/* The request or its reply died with the old session. */
		scn_add(&s->me->echo_retries, 1);
		scn_add(&s->me->lost_across_session, 1);
		return true;
	}
	return false;
}

/* Choose the next message to send, or nothing (returns false). */
static bool next_message(struct scn *s, struct pending *pm)
{
	struct scn_area *a = s->me;
	uint64_t phase = scn_get(&a->phase);

	if (s->role == EMU_ROLE_REMOTE) {
		bool have = false;

		pthread_mutex_lock(&s->mu);
		if (s->q_head != s->q_tail) {
			pm->seq = s->echo_q[s->q_head++ % ECHO_QUEUE_LEN];
			have = true;
		}
		pthread_mutex_unlock(&s->mu);
		if (have) {
			pm->kind = SCN_ECHO_REP;
			pm->valid = true;
			return true;
		}
	} else if (phase == SCN_PHASE_ECHO) {
		bool waiting;

		(void)echo_poll(s);
		pthread_mutex_lock(&s->mu);
		waiting = s->echo_waiting;
		pthread_mutex_unlock(&s->mu);
		if (waiting) {
			return false;
		}
		if (scn_get(&a->echo_next) < s->n_echo) {
			pm->kind = SCN_ECHO_REQ;
			pm->seq = reserve_seq(s);
			pm->valid = true;
			return true;
		}
		store_percentiles(s);
		scn_max(&a->phase, SCN_PHASE_STREAM);
		phase = SCN_PHASE_STREAM;
	}
	if (phase < SCN_PHASE_STREAM) {
		return false;
	}
	if (scn_get(&a->stream_sent) < s->n_stream) {
		if (scn_get(&a->stream_t0_ns) == 0) {
			scn_set(&a->stream_t0_ns, scn_now_ns());
		}
		pm->kind = SCN_STREAM;
		pm->seq = reserve_seq(s);
		pm->valid = true;
		return true;
	}
	{
		bool resend;

		pthread_mutex_lock(&s->mu);
		/* DONE again after every new session: the last one may have died
		 * with the old session. */
		resend = s->done_session != s->session && !scn_get(&s->peer->finished);
		pthread_mutex_unlock(&s->mu);
		if (resend) {
			pm->kind = SCN_DONE;
			pm->seq = reserve_seq(s);
			pm->valid = true;
			return true;
		}
	}
	if (scn_get(&a->done_sent) && scn_get(&a->peer_done) && !scn_get(&a->finished)) {
		uint64_t now = scn_now_ns();

		if (scn_get(&a->stream_t1_ns) == 0) {
			scn_set(&a->stream_t1_ns, now);
		}
		scn_set(&a->t_finished_ns, now);
		scn_max(&a->phase, SCN_PHASE_FINISHED);
		scn_set(&a->finished, 1);
	}
	return false;
}

static const char *phase_name(uint64_t ph)
{
	static const char *const names[] = {"init", "echo", "stream", "finished"};

	return ph < 4 ? names[ph] : "?";
}

static int main_loop(struct scn *s)
{
	struct pending pm = {0};
	int rc;

	for (;;) {
		if (both_finished(s)) {
			return 0;
		}
		if (timed_out(s)) {
			return -ETIMEDOUT;
		}
		rc = ensure_bound(s);
		if (rc == 1) {
			return 0;
		}
		if (rc < 0) {
			return rc;
		}
		if (!pm.valid && !next_message(s, &pm)) {
			/* Nothing to send: wait for an event (or poll the peer's flags). */
			pthread_mutex_lock(&s->mu);
			if (s->q_head == s->q_tail && !s->echo_matched && !s->unbound_pending) {
				cv_wait_ns(s, scn_get(&s->me->finished) ? 1000000 : 2000000);
			}
			pthread_mutex_unlock(&s->mu);
			continue;
		}
		if (pm.kind == SCN_ECHO_REQ) {
			pthread_mutex_lock(&s->mu);
			s->echo_waiting = true;
			s->echo_matched = false;
			s->echo_seq = pm.seq;
			s->echo_send_session = s->session;
			pthread_mutex_unlock(&s->mu);
			s->echo_t_send_ns = scn_now_ns();
		}
		rc = send_buf(s, build(s, pm.kind, pm.seq));
		if (rc == -EAGAIN) {
			/* Re-bond, then send the same message again.  The backend may
			 * answer -EBUSY a moment before bound()/unbound() reach us:
			 * do not spin on it. */
			struct timespec ts = {0, 50000L};

			nanosleep(&ts, NULL);
			continue;
		}
		if (rc == -ETIMEDOUT && both_finished(s)) {
			return 0;
		}
		if (rc < 0) {
			return rc;
		}
		sent_ok(s, &pm);
		pm.valid = false;
	}
}

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
		scn_set(&a->magic, SCN_MAGIC);
	} else if (scn_get(&a->messages) != s->p->messages) {
		fprintf(stderr,
			"ipc-emu peer[%s]: the segment holds a run of %" PRIu64 " messages, not %" PRIu64
			"\n",
			scn_role_name(s->role), scn_get(&a->messages), s->p->messages);
		return -EINVAL;
	}
	s->boot = (uint32_t)(scn_add(&a->boots, 1) + 1);
	scn_set(&a->pid, (uint64_t)getpid());
	scn_max(&a->phase, SCN_PHASE_ECHO);
	return 0;
}

int scn_run(struct emu_segment *seg, const struct scn_params *p)
{
	struct scn *s;
	pthread_condattr_t ca;
	char err[256] = "";
	int rc, status = SCN_EXIT_OK;
	const char *who = scn_role_name(p->role);

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
	s->txbuf = calloc(1, p->max_len);
	s->rtt = s->role == EMU_ROLE_HOST
			 ? calloc(s->n_echo < RTT_SAMPLES_MAX ? s->n_echo + 1 : RTT_SAMPLES_MAX,
				  sizeof(uint32_t))
			 : NULL;
	if (p->timeout_s > 0) {
		s->deadline_ns = scn_now_ns() + (uint64_t)(p->timeout_s * 1e9);
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (s->txbuf == NULL || (s->role == EMU_ROLE_HOST && s->rtt == NULL)) {
		status = SCN_EXIT_FAIL;
		goto out_free;
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
	rc = ipc_service_open_instance(s->dev);
	if (rc < 0 && rc != -EALREADY) {
		fprintf(stderr, "ipc-emu peer[%s]: open %s: %s\n", who, p->instance, strerror(-rc));
		status = SCN_EXIT_FAIL;
		goto out_board;
	}
	s->cfg = (struct ipc_ept_cfg){
		.name = "ep0",
		.cb = {.bound = on_bound, .unbound = on_unbound, .received = on_received,
		       .error = on_error},
		.priv = s,
	};
	rc = ipc_service_register_endpoint(s->dev, &s->ept, &s->cfg);
	if (rc < 0) {
		fprintf(stderr, "ipc-emu peer[%s]: register endpoint: %s\n", who, strerror(-rc));
		status = SCN_EXIT_FAIL;
		goto out_board;
	}
	s->registered = true;

	rc = main_loop(s);
	if (rc == -ETIMEDOUT) {
		fprintf(stderr,
			"ipc-emu peer[%s]: timed out after %.0f s in phase %s (bound %s, peer "
			"finished %s)\n",
			who, p->timeout_s, phase_name(scn_get(&s->me->phase)), s->bound ? "yes" : "no",
			scn_get(&s->peer->finished) ? "yes" : "no");
		status = SCN_EXIT_FAIL;
	} else if (rc < 0) {
		fprintf(stderr, "ipc-emu peer[%s]: send failed: %s\n", who, strerror(-rc));
		scn_add(&s->me->errors, 1);
		status = SCN_EXIT_FAIL;
	}
	if (status == SCN_EXIT_OK && scn_get(&s->me->errors) != 0) {
		status = SCN_EXIT_FAIL;
	}

	if (s->registered) {
		(void)ipc_service_deregister_endpoint(&s->ept);
		s->registered = false;
	}
	(void)ipc_service_close_instance(s->dev);
	if (status == SCN_EXIT_OK) {
		scn_set(&s->me->exited, 1);
	}
out_board:
	emu_board_destroy(s->board);
out_core:
	emu_core_stop(s->core);
out_free:
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->rtt);
	free(s->txbuf);
	free(s);
	return status;
}
