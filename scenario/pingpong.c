/*
 * pingpong.c - the raw mailbox scenarios: ipm-echo and mbox-pingpong.
 *
 * Both are strict round trips driven by the host's main thread: it sends
 * request `seq` (0..N-1), waits for the answer that the remote's callback
 * sends from the interrupt context, checks it, records the round-trip time
 * and only then sends the next one.  So nothing can coalesce and every
 * loss, duplicate or corruption shows.
 *
 * ipm-echo (ipm0, Zephyr's documented IPM use): the request is a 32-bit word
 * derived from (seed, seq), sent with ipm_send(dev, 1, id, &word, 4); the
 * remote's callback checks it and sends the same id and word back with
 * wait = 1.  Ids: ECHO_ID_BASE + (seq & 0xffff) when the device's id range
 * allows (it leaves ids 0..0xff to the IPM console), else seq modulo the
 * range.  Both sides rebuild the sequence number from the id and check the
 * word.
 *
 * mbox-pingpong: the consumer's "tx"/"rx" channels.  Signalling mode
 * (mbox_consumer, mbox_send(..., NULL)): each callback is one ping or pong,
 * counted.  Data mode (mbox_data_consumer): a message of the controller's
 * MTU (at most 64 bytes) = 32-bit seq + PRNG bytes of (seed, origin role,
 * seq), rebuilt and compared by the receiver; the pong carries the ping's
 * seq with the remote's bytes.  -EBUSY (the peer has not consumed the
 * previous message yet) is retried.
 *
 * Counters land in the app areas like the ipc_service scenarios' (sent,
 * received, corrupted, duplicated, lost, RTT percentiles; stream_t0/t1 and
 * stream_received time the round-trip phase for the throughput figures).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/ipm.h"
#include "ipc_emu/mbox.h"
#include "common.h"
#include "console.h"
#include "pingpong.h"

#define ECHO_ID_BASE 0x10000u
#define ECHO_ID_SPAN 0x10000u
#define PP_REPLY_TIMEOUT_NS 10000000000ull /* host: an answer later than this is lost */
#define PP_BUSY_WAIT_NS 5000000000ull      /* give up a send after 5 s of -EBUSY */
#define PP_READY_POLL_NS 200000L
#define PP_MAIN_POLL_NS 500000L
#define PP_RTT_SAMPLES_MAX (1u << 22)
#define PP_CONSOLE_CLOSE_NS 5000000000ull
#define PP_SALT 0x70696e67706f6e67ull

struct pp {
	const struct scn_params *p;
	enum emu_role role;
	struct scn_area *me, *peer;
	struct emu_core *core;
	struct emu_board *board;
	struct scn_console *con;
	bool ipm;              /* ipm-echo, else mbox-pingpong */
	bool data;             /* mbox data mode */
	const struct device *ipm_dev;
	uint64_t id_range;     /* ipm: max id + 1 */
	bool wide_ids;         /* ipm: ECHO_ID_BASE + (seq & 0xffff) */
	struct mbox_dt_spec tx, rx;
	uint32_t msg_size;     /* bytes per message */
	uint64_t n;
	uint64_t deadline_ns;  /* 0: none */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* host, under mu */
	bool waiting;
	bool answered;
	uint64_t exp_seq;
	uint64_t t_rx_ns;
	/* remote, interrupt context only */
	uint64_t rx_next;
	uint8_t buf[EMU_MBOX_MTU_MAX];
};

static uint64_t mix(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t key_of(const struct pp *s, enum emu_role origin, uint64_t seq)
{
	return mix(s->p->seed ^ mix(PP_SALT ^ ((uint64_t)origin << 56) ^ seq));
}

static uint32_t echo_word(const struct pp *s, uint64_t seq)
{
	return (uint32_t)key_of(s, EMU_ROLE_HOST, seq);
}

static uint32_t echo_id(const struct pp *s, uint64_t seq)
{
	return s->wide_ids ? ECHO_ID_BASE + (uint32_t)(seq & (ECHO_ID_SPAN - 1u))
			   : (uint32_t)(seq % s->id_range);
}

/* Data-mode message: seq (LE32) then PRNG bytes of (origin, seq). */
static void build_msg(const struct pp *s, enum emu_role origin, uint64_t seq, uint8_t *m)
{
	uint64_t key = key_of(s, origin, seq), w = 0;

	for (uint32_t i = 0; i < s->msg_size; i++) {
		if (i < 4) {
			m[i] = (uint8_t)(seq >> (8 * i));
			continue;
		}
		if ((i & 7u) == 0 || i == 4) {
			w = mix(key + i);
		}
		m[i] = (uint8_t)(w >> (8 * (i & 7u)));
	}
}

/* The full sequence number nearest `ref` whose low `bits` bits are `low`. */
static uint64_t near_seq(uint64_t ref, uint64_t low, unsigned bits)
{
	uint64_t mask = (bits >= 64 ? ~0ull : (1ull << bits) - 1u);
	uint64_t d = (low - ref) & mask;
	int64_t delta = d >= (mask >> 1) + 1 ? (int64_t)d - (int64_t)mask - 1 : (int64_t)d;

	if (delta < 0 && (uint64_t)-delta > ref) {
		return ref + d; /* would go below 0 */
	}
	return ref + (uint64_t)delta;
}

/* Decode a data-mode message: its seq (near ref) and whether it is intact. */
static bool check_msg(const struct pp *s, enum emu_role origin, const struct mbox_msg *msg,
		      uint64_t ref, uint64_t *seq)
{
	uint8_t want[EMU_MBOX_MTU_MAX];
	const uint8_t *m = msg->data;
	uint32_t low;

	if (m == NULL || msg->size != s->msg_size) {
		return false;
	}
	low = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
	*seq = near_seq(ref, low, 32);
	build_msg(s, origin, *seq, want);
	return memcmp(want, m, s->msg_size) == 0;
}

static void sleep_ns(long ns)
{
	struct timespec ts = {ns / 1000000000L, ns % 1000000000L};

	nanosleep(&ts, NULL);
}

static bool timed_out(const struct pp *s)
{
	return s->deadline_ns != 0 && scn_now_ns() > s->deadline_ns;
}

/* ------------------------------------------------------------ the host -- */

/* An answer arrived (interrupt context, under mu). */
static void host_answer(struct pp *s, bool valid, bool have_seq, uint64_t seq, size_t bytes)
{
	scn_add(&s->me->bytes_received, bytes);
	if (s->waiting && valid && (!have_seq || seq == s->exp_seq)) {
		scn_add(&s->me->received, 1);
		scn_add(&s->me->stream_received, 1);
		scn_add(&s->me->stream_bytes_received, bytes);
	} else if (valid) {
		/* Intact, but not the answer outstanding: a second copy of one. */
		scn_add(&s->me->duplicated, 1);
		return;
	} else {
		scn_add(&s->me->corrupted, 1);
		if (!s->waiting) {
			return;
		}
	}
	s->waiting = false;
	s->answered = true;
	s->t_rx_ns = scn_now_ns();
	pthread_cond_signal(&s->cv);
}

static void host_ipm_cb(const struct device *dev, void *user, uint32_t id, volatile void *data)
{
	struct pp *s = user;
	uint32_t word;
	uint64_t seq = 0;
	bool valid;

	(void)dev;
	if (s->wide_ids && id <= 0xFFu) {
		scn_console_rx(s->con, id); /* NULL-safe */
		return;
	}
	memcpy(&word, (const void *)data, sizeof(word));
	pthread_mutex_lock(&s->mu);
	if (s->wide_ids) {
		valid = id >= ECHO_ID_BASE && id < ECHO_ID_BASE + ECHO_ID_SPAN;
		if (valid) {
			seq = near_seq(s->exp_seq, id - ECHO_ID_BASE, 16);
			valid = word == echo_word(s, seq);
		}
		host_answer(s, valid, true, seq, sizeof(word));
	} else {
		valid = id == echo_id(s, s->exp_seq) && word == echo_word(s, s->exp_seq);
		host_answer(s, valid, false, 0, sizeof(word));
	}
	pthread_mutex_unlock(&s->mu);
}

static void host_mbox_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
			 struct mbox_msg *msg)
{
	struct pp *s = user;

	(void)dev;
	(void)ch;
	pthread_mutex_lock(&s->mu);
	if (!s->data) {
		host_answer(s, msg == NULL, false, 0, 0);
	} else {
		uint64_t seq = 0;
		bool valid = msg != NULL && check_msg(s, EMU_ROLE_REMOTE, msg, s->exp_seq, &seq);

		host_answer(s, valid, true, seq, msg ? msg->size : 0);
	}
	pthread_mutex_unlock(&s->mu);
}

/* Send request seq (host thread) or answer (remote, interrupt context),
 * retrying -EBUSY. */
static int send_retry(struct pp *s, uint32_t id, const void *data, size_t size)
{
	uint64_t t_end = 0;
	int rc;

	for (;;) {
		if (s->ipm) {
			rc = ipm_send(s->ipm_dev, 1, id, data, (int)size);
		} else {
			struct mbox_msg m = {.data = data, .size = size};

			rc = mbox_send(s->tx.dev, s->tx.channel_id, s->data ? &m : NULL);
		}
		if (rc != -EBUSY) {
			return rc;
		}
		scn_add(&s->me->pp_busy_retries, 1);
		if (t_end == 0) {
			t_end = scn_now_ns() + PP_BUSY_WAIT_NS;
		} else if (scn_now_ns() > t_end) {
			return rc;
		}
		sched_yield();
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int host_loop(struct pp *s)
{
	const char *what = s->ipm ? "echo" : "pong";
	size_t cap = s->n < PP_RTT_SAMPLES_MAX ? (size_t)s->n : PP_RTT_SAMPLES_MAX;
	uint32_t *rtt = calloc(cap ? cap : 1, sizeof(*rtt));
	size_t n_rtt = 0;
	uint64_t sum = 0, max = 0;
	int rc = 0;

	if (rtt == NULL) {
		return -ENOMEM;
	}
	/* Send only once the remote's callback is in place and enabled. */
	while (!scn_get(&s->peer->ready)) {
		if (timed_out(s) || scn_get(&s->peer->finished)) {
			fprintf(stderr, "ipc-emu peer[host]: the remote never became ready\n");
			free(rtt);
			return -ETIMEDOUT;
		}
		sleep_ns(PP_READY_POLL_NS);
	}
	scn_set(&s->me->stream_t0_ns, scn_now_ns());
	for (uint64_t seq = 0; seq < s->n; seq++) {
		uint32_t word = echo_word(s, seq);
		uint64_t t_send, el;
		struct timespec ts;
		const void *data;
		size_t size;

		if (timed_out(s)) {
			fprintf(stderr, "ipc-emu peer[host]: timeout after %" PRIu64 " round trips\n",
				seq);
			rc = -ETIMEDOUT;
			break;
		}
		if (s->ipm) {
			data = &word;
			size = sizeof(word);
		} else {
			build_msg(s, EMU_ROLE_HOST, seq, s->buf);
			data = s->buf;
			size = s->data ? s->msg_size : 0;
		}
		pthread_mutex_lock(&s->mu);
		s->exp_seq = seq;
		s->waiting = true;
		s->answered = false;
		pthread_mutex_unlock(&s->mu);
		t_send = scn_now_ns();
		rc = send_retry(s, s->ipm ? echo_id(s, seq) : 0, data, size);
		if (rc < 0) {
			fprintf(stderr, "ipc-emu peer[host]: send %" PRIu64 ": %s\n", seq,
				strerror(-rc));
			scn_add(&s->me->errors, 1);
			break;
		}
		scn_add(&s->me->sent, 1);
		scn_add(&s->me->bytes_sent, size);
		{
			uint64_t t_end = t_send + PP_REPLY_TIMEOUT_NS;

			ts.tv_sec = (time_t)(t_end / 1000000000ull);
			ts.tv_nsec = (long)(t_end % 1000000000ull);
		}
		pthread_mutex_lock(&s->mu);
		while (!s->answered) {
			if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT) {
				break;
			}
		}
		if (!s->answered) {
			s->waiting = false;
			pthread_mutex_unlock(&s->mu);
			scn_add(&s->me->lost, 1);
			scn_add(&s->me->pp_timeouts, 1);
			fprintf(stderr, "ipc-emu peer[host]: no %s for request %" PRIu64 " in %.0f s\n",
				what, seq, PP_REPLY_TIMEOUT_NS / 1e9);
			rc = -ETIMEDOUT;
			break;
		}
		el = s->t_rx_ns - t_send;
		pthread_mutex_unlock(&s->mu);
		if (n_rtt < cap) {
			rtt[n_rtt++] = el > UINT32_MAX ? UINT32_MAX : (uint32_t)el;
		}
		sum += el;
		max = el > max ? el : max;
	}
	scn_set(&s->me->stream_t1_ns, scn_now_ns());
	if (n_rtt > 0) {
		qsort(rtt, n_rtt, sizeof(*rtt), cmp_u32);
		scn_set(&s->me->rtt_p50_ns, rtt[n_rtt / 2]);
		scn_set(&s->me->rtt_p99_ns, rtt[(n_rtt * 99) / 100 < n_rtt ? (n_rtt * 99) / 100
									     : n_rtt - 1]);
		scn_set(&s->me->rtt_max_ns, max);
		scn_set(&s->me->rtt_sum_ns, sum);
		scn_set(&s->me->rtt_count, scn_get(&s->me->received));
	}
	free(rtt);
	return rc;
}

/* ---------------------------------------------------------- the remote -- */

/* A request arrived (interrupt context): count it by sequence number. */
static void remote_count(struct pp *s, bool valid, bool have_seq, uint64_t seq, size_t bytes)
{
	scn_add(&s->me->bytes_received, bytes);
	if (!valid) {
		scn_add(&s->me->corrupted, 1);
		return;
	}
	if (have_seq && seq < s->rx_next) {
		scn_add(&s->me->duplicated, 1);
		return;
	}
	if (have_seq && seq > s->rx_next) {
		scn_add(&s->me->lost, seq - s->rx_next);
		s->rx_next = seq;
	}
	s->rx_next++;
	scn_add(&s->me->received, 1);
	scn_add(&s->me->stream_received, 1);
	scn_add(&s->me->stream_bytes_received, bytes);
}

static void remote_sent(struct pp *s, int rc, size_t size)
{
	if (rc == 0) {
		scn_add(&s->me->sent, 1);
		scn_add(&s->me->bytes_sent, size);
	} else {
		scn_add(&s->me->errors, 1);
		fprintf(stderr, "ipc-emu peer[remote]: answer: %s\n", strerror(-rc));
	}
}

static void remote_ipm_cb(const struct device *dev, void *user, uint32_t id, volatile void *data)
{
	struct pp *s = user;
	uint32_t word;

	(void)dev;
	memcpy(&word, (const void *)data, sizeof(word));
	if (s->wide_ids) {
		bool valid = id >= ECHO_ID_BASE && id < ECHO_ID_BASE + ECHO_ID_SPAN;
		uint64_t seq = 0;

		if (valid) {
			seq = near_seq(s->rx_next, id - ECHO_ID_BASE, 16);
			valid = word == echo_word(s, seq);
		}
		remote_count(s, valid, true, seq, sizeof(word));
	} else {
		remote_count(s, id == echo_id(s, s->rx_next) && word == echo_word(s, s->rx_next),
			     false, 0, sizeof(word));
	}
	/* Echo it back from the interrupt context, wait = 1 (Zephyr's IPM docs). */
	remote_sent(s, send_retry(s, id, &word, sizeof(word)), sizeof(word));
}

static void remote_mbox_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
			   struct mbox_msg *msg)
{
	struct pp *s = user;
	uint64_t seq = s->rx_next;

	(void)dev;
	(void)ch;
	if (!s->data) {
		remote_count(s, msg == NULL, false, 0, 0);
		remote_sent(s, send_retry(s, 0, NULL, 0), 0);
		return;
	}
	remote_count(s, msg != NULL && check_msg(s, EMU_ROLE_HOST, msg, s->rx_next, &seq), true,
		     seq, msg ? msg->size : 0);
	build_msg(s, EMU_ROLE_REMOTE, seq, s->buf);
	remote_sent(s, send_retry(s, 0, s->buf, s->msg_size), s->msg_size);
}

/* --------------------------------------------------------------- set-up -- */

static int area_init(struct pp *s)
{
	struct scn_area *a = s->me;

	if (scn_get(&a->magic) == SCN_MAGIC && scn_get(&a->exited)) {
		memset(a, 0, sizeof(*a));
	}
	if (scn_get(&a->magic) != SCN_MAGIC) {
		memset(a, 0, sizeof(*a));
		scn_set(&a->messages, s->p->messages);
		scn_set(&a->endpoints, 1);
		scn_set(&a->magic, SCN_MAGIC);
	} else if (scn_get(&a->messages) != s->p->messages || scn_get(&a->endpoints) != 1 ||
		   scn_get(&a->boots) != 0) {
		fprintf(stderr,
			"ipc-emu peer[%s]: the segment holds another run (%" PRIu64
			" messages, %" PRIu64 " boots): a raw scenario cannot resume\n",
			scn_role_name(s->role), scn_get(&a->messages), scn_get(&a->boots));
		return -EINVAL;
	}
	scn_add(&a->boots, 1);
	scn_set(&a->pid, (uint64_t)getpid());
	scn_set(&a->phase, SCN_PHASE_ECHO);
	return 0;
}

/* Find the devices; 0, or an SCN_EXIT_* status. */
static int devices(struct pp *s)
{
	const struct scn_params *p = s->p;
	const char *who = scn_role_name(s->role);

	if (s->ipm) {
		int size;

		s->ipm_dev = emu_board_device(s->board, SCN_IPM_LABEL);
		if (s->ipm_dev == NULL) {
			fprintf(stderr, "ipc-emu: %s: no IPM device '%s'\n", p->plan->source,
				SCN_IPM_LABEL);
			return SCN_EXIT_CONFIG;
		}
		size = ipm_max_data_size_get(s->ipm_dev);
		if (size < 4) {
			fprintf(stderr, "ipc-emu: %s: %s: data size %d, ipm-echo needs 4 bytes\n",
				p->plan->source, SCN_IPM_LABEL, size);
			return SCN_EXIT_CONFIG;
		}
		s->id_range = (uint64_t)ipm_max_id_val_get(s->ipm_dev) + 1u;
		s->wide_ids = s->id_range >= (uint64_t)ECHO_ID_BASE + ECHO_ID_SPAN;
		s->msg_size = 4;
		ipm_register_callback(s->ipm_dev,
				      s->role == EMU_ROLE_HOST ? host_ipm_cb : remote_ipm_cb, s);
		if (ipm_set_enabled(s->ipm_dev, 1) < 0) {
			fprintf(stderr, "ipc-emu: %s: %s is not inbound for the %s\n",
				p->plan->source, SCN_IPM_LABEL, who);
			return SCN_EXIT_CONFIG;
		}
	} else {
		const char *node = s->data ? SCN_MBOX_DATA_CONSUMER : SCN_MBOX_SIGNAL_CONSUMER;
		int rc, mtu;

		if (emu_board_mbox_dt_spec(s->board, node, "tx", &s->tx) < 0 ||
		    emu_board_mbox_dt_spec(s->board, node, "rx", &s->rx) < 0) {
			fprintf(stderr, "ipc-emu: %s: no MBOX consumer '%s' with \"tx\" and \"rx\"\n",
				p->plan->source, node);
			return SCN_EXIT_CONFIG;
		}
		mtu = mbox_mtu_get_dt(&s->tx);
		if (s->data && (mtu < 4 || mtu > (int)EMU_MBOX_MTU_MAX)) {
			fprintf(stderr, "ipc-emu: %s: %s: MTU %d, data mode needs 4..%u\n",
				p->plan->source, node, mtu, EMU_MBOX_MTU_MAX);
			return SCN_EXIT_CONFIG;
		}
		s->msg_size = s->data ? (uint32_t)mtu : 0;
		rc = mbox_register_callback_dt(&s->rx,
					       s->role == EMU_ROLE_HOST ? host_mbox_cb
									: remote_mbox_cb,
					       s);
		if (rc == 0) {
			rc = mbox_set_enabled_dt(&s->rx, true);
		}
		if (rc < 0) {
			fprintf(stderr, "ipc-emu: %s: %s: cannot enable the \"rx\" channel: %s\n",
				p->plan->source, node, strerror(-rc));
			return SCN_EXIT_CONFIG;
		}
	}
	return 0;
}

int scn_run_raw(struct emu_segment *seg, const struct scn_params *p)
{
	struct pp *s = calloc(1, sizeof(*s));
	char err[256] = "";
	int rc, status = SCN_EXIT_OK;
	const char *who = scn_role_name(p->role);
	pthread_condattr_t ca;

	if (s == NULL) {
		return SCN_EXIT_FAIL;
	}
	s->p = p;
	s->role = p->role;
	s->me = scn_area(seg, p->role);
	s->peer = scn_area(seg, p->role == EMU_ROLE_HOST ? EMU_ROLE_REMOTE : EMU_ROLE_HOST);
	s->ipm = p->scenario == SCN_IPM_ECHO;
	s->data = !s->ipm && p->mbox_mode == SCN_MBOX_DATA;
	s->n = p->messages;
	if (p->timeout_s > 0) {
		s->deadline_ns = scn_now_ns() + (uint64_t)(p->timeout_s * 1e9);
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);

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
	if (p->ipm_console) {
		/* ipm-echo's host callback forwards the console's ids (<= 0xff). */
		s->con = scn_console_open(s->board, seg, s->role, !s->ipm);
		if (s->con == NULL) {
			status = SCN_EXIT_CONFIG;
			goto out_board;
		}
	}
	rc = devices(s);
	if (rc != 0) {
		status = rc;
		goto out_board;
	}
	if (s->ipm && s->con != NULL && !s->wide_ids) {
		fprintf(stderr, "ipc-emu: %s: %s: ipm-echo with --ipm-console needs ids up to "
				"0x%x (echo ids above the console's 0..0xff)\n",
			p->plan->source, SCN_IPM_LABEL, ECHO_ID_BASE + ECHO_ID_SPAN - 1u);
		status = SCN_EXIT_CONFIG;
		goto out_board;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	scn_set(&s->me->endpoints_bound, 1);
	scn_set(&s->me->bonds, 1);
	scn_set(&s->me->t_bound_ns, scn_now_ns());
	scn_set(&s->me->ready, 1);

	if (s->role == EMU_ROLE_HOST) {
		if (host_loop(s) < 0) {
			status = SCN_EXIT_FAIL;
		}
	} else {
		scn_console_printf(s->con, "bound: %s on %s%s, %" PRIu64 " round trips expected\r\n",
				   scn_scenario_name(p->scenario),
				   s->ipm ? SCN_IPM_LABEL
					  : s->data ? SCN_MBOX_DATA_CONSUMER : SCN_MBOX_SIGNAL_CONSUMER,
				   s->ipm ? "" : s->data ? " (data mode)" : " (signalling mode)", s->n);
		while (scn_get(&s->me->received) < s->n && !scn_get(&s->peer->finished) &&
		       !timed_out(s)) {
			sleep_ns(PP_MAIN_POLL_NS);
		}
	}
	if (scn_get(&s->me->received) != s->n) {
		scn_set(&s->me->endpoints_incomplete, 1);
		status = SCN_EXIT_FAIL;
	}
	if (scn_get(&s->me->errors) != 0 || scn_get(&s->me->corrupted) != 0) {
		status = SCN_EXIT_FAIL;
	}
	scn_set(&s->me->endpoints_finished, 1);
	scn_set(&s->me->phase, SCN_PHASE_FINISHED);
	scn_set(&s->me->t_finished_ns, scn_now_ns());
	if (s->role == EMU_ROLE_REMOTE) {
		scn_set(&s->me->stream_t1_ns, scn_now_ns());
	}
	scn_set(&s->me->done_sent, 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	scn_set(&s->me->finished, 1);
	if (s->role == EMU_ROLE_REMOTE) {
		scn_console_printf(s->con,
				   "%" PRIu64 " messages checked: %" PRIu64 " corrupted, %" PRIu64
				   " lost, %" PRIu64 " duplicated\n",
				   scn_get(&s->me->received), scn_get(&s->me->corrupted),
				   scn_get(&s->me->lost), scn_get(&s->me->duplicated));
		scn_console_close(s->con, 0);
	}
	/* Wait for the peer: our callbacks may still have to answer. */
	while (!scn_get(&s->peer->finished) && !timed_out(s)) {
		sleep_ns(PP_MAIN_POLL_NS);
	}
	if (s->role == EMU_ROLE_HOST) {
		scn_console_close(s->con, PP_CONSOLE_CLOSE_NS);
	}
	if (status == SCN_EXIT_OK) {
		scn_set(&s->me->exited, 1);
	}
out_board:
	emu_board_destroy(s->board);
out_core:
	emu_core_stop(s->core);
out_free:
	scn_console_free(s->con);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return status;
}
