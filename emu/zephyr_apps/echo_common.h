/*
 * echo_common.h - what echo_client.c (host) and echo_server.c (remote)
 * share: the built-in scenario's wire format (scenario/common.h) and the
 * echo-stream exchange with its resume protocol.  Our own code,
 * Zephyr-application-shaped: it uses only Zephyr's APIs, so it builds
 * against Zephyr's IPC stack (`ipc-emu zephyr-build --app`) and against
 * ipc-emu's core alike.  Each app is one translation unit.
 *
 * Wire format: a 16-byte little-endian header, then the payload:
 *
 *   0 boot (u32)  4 seq (u32)  8 len (u16)  10 kind (u8)  11 lane (u8)
 *   12 crc32 of the payload (u32)  16 payload
 *
 * `boot` is the sender's incarnation (IPC_EMU_BOOT, 1 for the first);
 * `lane` the endpoint's index (epL).  REQ, DONE and STREAM payloads come
 * from a PRNG seeded by (seed, origin, lane, seq): the receiver regenerates
 * and compares every byte and the length, so a message delivered to the
 * wrong endpoint counts as corrupted.
 *
 * Endpoints (IPC_EMU_ENDPOINTS=K, default 1; K > 1 needs ICBMsg): each side
 * registers "ep0".."ep{K-1}" (the client in reverse order, the server in a
 * seeded shuffle, as ipc-emu's built-in scenario does) and runs the whole
 * exchange below on each endpoint independently, in one round-robin loop.
 * The summary line gives the totals over the endpoints.
 *
 * No-copy (IPC_EMU_NOCOPY=1, ICBMsg): STREAM messages are written into a
 * buffer of ipc_service_get_tx_buffer() and sent with
 * ipc_service_send_nocopy() (a buffer that cannot be sent is dropped with
 * ipc_service_drop_tx_buffer(); every 16th message first takes the largest
 * buffer there is, size 0, and drops it unsent).  The receiver holds every 4th STREAM buffer with
 * ipc_service_hold_rx_buffer() (at most ECHO_HOLD_MAX at once), keeps a
 * copy, and releases it from the main loop after ECHO_HOLD_AFTER more
 * messages on that endpoint or ECHO_HOLD_MS, checking that the held bytes
 * did not change (a change counts as corrupted).
 *
 * Exhaustion (IPC_EMU_EXHAUSTION=1, `run --scenario exhaustion`, ICBMsg):
 * the stream has no window, each sender takes its buffers with
 * ipc_service_get_tx_buffer(K_MSEC(ECHO_EXH_WAIT_MS)) and sends them with
 * send_nocopy, and each receiver holds every STREAM buffer (up to
 * ECHO_EXH_HOLD_MAX) until no stream message came for ECHO_EXH_QUIET_MS
 * (or its whole stream came), then releases them all, and holds again the
 * buffers that come after: a round ended early by a sender that was only
 * slow (a loaded machine) is followed by one that does run it out.  A
 * sender whose wait expires
 * (-EAGAIN) tries a copy send, which must fail with -ENOMEM; after that it
 * must send again (the release).  Each side must see all three, else the
 * run fails; the summary line ends with "exhaustion eagain E enomem M
 * resumed R held H" (H: the most buffers this side held at once, all the
 * peer's TX blocks when it ran out).
 *
 * Exchange: phase 1, the client sends REQ 0..N-1 then DONE N one at a time
 * and the server echoes each unchanged (N = IPC_EMU_MESSAGES); phase 2, once
 * a side is through phase 1, it streams STREAM 0..N-1 while the other does
 * the same (both ways at once), at most ECHO_WINDOW ahead of the receiver's
 * cumulative ACK (the receiver's next expected seq, every ECHO_ACK_EVERY
 * messages and at the end).
 *
 * Resume protocol (the runtime offers user programs no memory that
 * survives their restart, so the progress lives on both sides of the link).
 * After every bound() each side sends RESUME {fresh, echo progress, rx =
 * next STREAM seq it expects, acked = what the peer acknowledged of our
 * stream} and sends nothing else until the peer's RESUME of the same
 * session came:
 *   - a restarted program (boot > 1, not yet restored) is "fresh": it takes
 *     its progress from the peer's RESUME (echo progress; tx = acked = the
 *     peer's rx; rx = the peer's acked: what its dead incarnation received
 *     but never acknowledged is sent again and is new to the restored state);
 *   - a survivor facing a fresh peer rewinds its stream to what was acked;
 *   - two non-fresh sides continue from each other's rx.
 * An echo request the server had answered before the session changed is
 * answered again (the echo was lost with the session); any other repeat is
 * a duplicate, a gap in seq is a loss, a byte or length mismatch is a
 * corruption.  Each is printed at once (one line each, flushed, so that a
 * killed incarnation's findings are not lost) and counted; `ipc-emu run`
 * adds the lines up.
 *
 * Kills (`ipc-emu run --zephyr-base ... --kill-random K`): the supervisor
 * sets IPC_EMU_FINISH_HOLD=1 and sends SIGUSR1 after its last kill and the
 * victim's "resumed" line; until then a finished side waits, so the run
 * cannot end before its kills.  It also waits for a restarted program's
 * "resumed" line before the next kill: both sides restarted before one
 * restored its progress would have nothing to resume from.
 */
#ifndef EMU_ZEPHYR_APPS_ECHO_COMMON_H
#define EMU_ZEPHYR_APPS_ECHO_COMMON_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>

#define ECHO_HDR_LEN 16u
#define ECHO_KIND_REQ 1u
#define ECHO_KIND_STREAM 3u
#define ECHO_KIND_DONE 4u
#define ECHO_KIND_RESUME 5u
#define ECHO_KIND_ACK 6u
#define ECHO_MAX_LEN 128u /* CONFIG_PBUF_RX_READ_BUF_SIZE's default */
#define ECHO_CTL_LEN (ECHO_HDR_LEN + 16u)
#define ECHO_WINDOW 32u
#define ECHO_ACK_EVERY 8u
#define ECHO_ORIGIN_CLIENT 0u
#define ECHO_ORIGIN_SERVER 1u
#define ECHO_IDLE_MS 1
#define ECHO_STALL_MS 30000 /* at most; half of `run --timeout` (IPC_EMU_TIMEOUT_MS) when shorter */
#define ECHO_MAX_ENDPOINTS 4u /* CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP's default */
#define ECHO_HOLD_MAX 4u      /* buffers held at once (all endpoints) */
#define ECHO_HOLD_EVERY 4u
#define ECHO_HOLD_AFTER 3u
#define ECHO_HOLD_MS 2
#define ECHO_DROP_EVERY 16u
#define ECHO_EXH_HOLD_MAX 256u /* exhaustion: stream buffers held at once */
#define ECHO_EXH_WAIT_MS 50    /* exhaustion: get_tx_buffer(K_MSEC(50)) */
#define ECHO_EXH_QUIET_MS 300  /* exhaustion: no stream message this long: release */

static inline uint32_t echo_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++) {
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
		}
	}
	return ~c;
}

static inline uint64_t echo_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void echo_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t echo_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void echo_header(uint8_t *m, uint32_t boot, uint32_t seq, size_t len, uint8_t kind,
			       unsigned lane)
{
	echo_put32(m, boot);
	echo_put32(m + 4, seq);
	m[8] = (uint8_t)len;
	m[9] = (uint8_t)(len >> 8);
	m[10] = kind;
	m[11] = (uint8_t)lane;
	echo_put32(m + 12, echo_crc32(m + ECHO_HDR_LEN, len - ECHO_HDR_LEN));
}

/* Message `seq` of `origin` on endpoint `lane` in a run seeded with `seed`:
 * its length (16..ECHO_MAX_LEN).  Stream messages of the two origins differ,
 * and so do the messages of different endpoints (lane 0: as before lanes). */
static inline size_t echo_build(uint8_t *m, uint64_t seed, unsigned origin, unsigned lane,
				uint32_t seq, uint8_t kind, uint32_t boot)
{
	uint64_t s = seed * 0x2545f4914f6cdd1dull + seq +
		     (kind == ECHO_KIND_STREAM ? (origin + 1ull) << 40 : 0) + ((uint64_t)lane << 48);
	size_t len = ECHO_HDR_LEN + (size_t)(echo_rng(&s) % (ECHO_MAX_LEN - ECHO_HDR_LEN + 1));

	for (size_t i = ECHO_HDR_LEN; i < len; i++) {
		m[i] = (uint8_t)echo_rng(&s);
	}
	echo_header(m, boot, seq, len, kind, lane);
	return len;
}

/* Does m[0..len) hold exactly that message (any boot)? */
static inline bool echo_matches(const uint8_t *m, size_t len, uint64_t seed, unsigned origin,
				unsigned lane, uint32_t seq, uint8_t kind)
{
	uint8_t want[ECHO_MAX_LEN];
	size_t n = echo_build(want, seed, origin, lane, seq, kind, 0);

	return len == n && memcmp(m + 4, want + 4, n - 4) == 0;
}

static inline uint64_t echo_seed(void)
{
	const char *v = getenv("IPC_EMU_SEED");

	return v != NULL ? strtoull(v, NULL, 10) : 1;
}

/* ------------------------------------------------------ the exchange -- */

/* A received buffer held with ipc_service_hold_rx_buffer() (no-copy). */
struct echo_hold {
	struct echo_lane *lane;
	void *data;
	size_t len;
	uint32_t seq;
	uint32_t rx_at;            /* the lane's rx when it was held */
	int64_t since;
	uint8_t copy[ECHO_MAX_LEN];
};

/* One endpoint, "ep<idx>", and its exchange. */
struct echo_lane {
	unsigned idx;
	char name[8];
	struct ipc_ept ep;
	struct ipc_ept_cfg cfg;
	/* Session, from the callbacks. */
	bool bound, unbound_pending, ever_bound;
	uint32_t gen;              /* bound() calls */
	uint32_t resume_sent_gen, peer_resume_gen, resumed_printed_gen;
	uint32_t peer_boot;
	bool fresh;                /* restarted, progress not restored yet */
	int last_rc;               /* of the last send */
	/* Echo phase: the client's matched echoes / the server's sent echoes
	 * (requests 0..n-1, then DONE n: n + 1 in all). */
	uint32_t echo_next;
	bool req_out;              /* client: request echo_next sent ... */
	uint32_t req_gen;          /* ... in this session */
	bool echo_pending, echo_again;  /* server: an echo to send (again) */
	uint8_t echo_buf[ECHO_MAX_LEN];
	size_t echo_len;
	uint32_t last_echo_gen;    /* server: session of the last echo sent */
	/* Stream phase. */
	uint32_t tx, acked, rx, ack_sent;
	uint32_t drop_done;        /* no-copy: stream seq + 1 of the last drop */
	unsigned holding;          /* no-copy: buffers of this lane held now */
	/* Counters of this incarnation. */
	unsigned long corrupted, duplicated, lost;
};

struct echo_app {
	const char *name;          /* "echo-client[host]" */
	bool client;
	uint64_t seed;
	uint32_t boot;
	uint32_t n;                /* round trips; also STREAM messages each way */
	bool hold;                 /* IPC_EMU_FINISH_HOLD: wait for SIGUSR1 */
	bool nocopy;               /* IPC_EMU_NOCOPY=1 */
	unsigned k;                /* IPC_EMU_ENDPOINTS */
	unsigned stall_ms;         /* no progress this long: lost (echo_stalled) */
	const struct device *dev;
	struct k_mutex mu;
	struct k_sem wake;
	bool fatal;
	struct echo_lane lanes[ECHO_MAX_ENDPOINTS];
	struct echo_hold holds[ECHO_EXH_HOLD_MAX];
	unsigned n_holds, hold_max;
	bool exh;                  /* IPC_EMU_EXHAUSTION=1 */
	int64_t exh_last_rx;       /* uptime ms of the last stream message */
	unsigned exh_held_max;     /* most buffers held at once */
	unsigned long exh_eagain, exh_enomem, exh_resumed;
	unsigned long held, dropped; /* no-copy: buffers held / dropped unsent */
};

static struct echo_app app;

/* The instance the apps open: ipc0, or the label of -DECHO_IPC_INSTANCE=LABEL
 * (zephyr-build passes the choice of `run --backend icbmsg` / `--instance`). */
#ifndef ECHO_IPC_INSTANCE
#define ECHO_IPC_INSTANCE ipc0
#endif
#define ECHO_DEV_(label) DEVICE_DT_GET(DT_NODELABEL(label))
#define ECHO_DEV(label) ECHO_DEV_(label)
static volatile sig_atomic_t echo_released;

static void echo_on_release(int sig)
{
	(void)sig;
	echo_released = 1;
}

/* One line, flushed at once (stdout is a pipe; a kill loses the buffer). */
static void echo_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void echo_say(const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", app.name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static unsigned echo_peer_origin(void)
{
	return app.client ? ECHO_ORIGIN_SERVER : ECHO_ORIGIN_CLIENT;
}

static unsigned echo_my_origin(void)
{
	return app.client ? ECHO_ORIGIN_CLIENT : ECHO_ORIGIN_SERVER;
}

static uint8_t echo_req_kind(uint32_t seq)
{
	return seq == app.n ? ECHO_KIND_DONE : ECHO_KIND_REQ;
}

static void echo_bound(void *priv)
{
	struct echo_lane *l = priv;

	k_mutex_lock(&app.mu, K_FOREVER);
	l->bound = true;
	l->gen++;
	l->echo_pending = false; /* a new session: the client asks again */
	if (!l->ever_bound) {
		l->ever_bound = true;
		k_mutex_unlock(&app.mu);
		echo_say("%s bound", l->name);
	} else {
		k_mutex_unlock(&app.mu);
	}
	k_sem_give(&app.wake);
}

static void echo_unbound(void *priv)
{
	struct echo_lane *l = priv;

	k_mutex_lock(&app.mu, K_FOREVER);
	l->bound = false;
	l->unbound_pending = true;
	k_mutex_unlock(&app.mu);
	k_sem_give(&app.wake);
}

static void echo_error(const char *message, void *priv)
{
	struct echo_lane *l = priv;

	echo_say("%s: backend error: %s", l->name, message);
}

/* Control message: four u32 fields. */
static size_t echo_ctl(struct echo_lane *l, uint8_t *m, uint8_t kind, const uint32_t f[4])
{
	for (int i = 0; i < 4; i++) {
		echo_put32(m + ECHO_HDR_LEN + 4 * i, f[i]);
	}
	echo_header(m, app.boot, 0, ECHO_CTL_LEN, kind, l->idx);
	return ECHO_CTL_LEN;
}

/* The peer's RESUME of the current session (app.mu held). */
static void echo_take_resume(struct echo_lane *l, const uint32_t f[4], uint32_t peer_boot)
{
	bool peer_fresh = f[0] != 0;

	l->peer_boot = peer_boot;
	if (l->fresh && peer_fresh) {
		echo_say("FATAL: both sides restarted before either restored its progress");
		app.fatal = true;
	} else if (l->fresh) {
		l->echo_next = f[1];
		l->tx = l->acked = f[2];
		l->rx = l->ack_sent = f[3];
		l->req_out = false;
		l->fresh = false;
	} else if (peer_fresh) {
		l->tx = l->acked;
	} else {
		l->tx = l->acked = f[2] > l->acked ? f[2] : l->acked;
	}
	l->peer_resume_gen = l->gen;
}

/* No-copy: hold every ECHO_HOLD_EVERY-th stream buffer (app.mu held; in
 * the received() callback, as Zephyr requires). */
static void echo_maybe_hold(struct echo_lane *l, const void *data, size_t len, uint32_t seq)
{
	struct echo_hold *h;
	int rc;

	if (app.exh) {
		app.exh_last_rx = k_uptime_get();
		if (app.n_holds == app.hold_max) {
			return;
		}
	} else if (!app.nocopy || seq % ECHO_HOLD_EVERY != 1 || app.n_holds == app.hold_max) {
		return;
	}
	rc = ipc_service_hold_rx_buffer(&l->ep, (void *)(uintptr_t)data);
	if (rc < 0) {
		echo_say("%s: ipc_service_hold_rx_buffer: %d", l->name, rc);
		app.fatal = true;
		return;
	}
	h = &app.holds[app.n_holds++];
	if (app.n_holds > app.exh_held_max) {
		app.exh_held_max = app.n_holds;
	}
	h->lane = l;
	h->data = (void *)(uintptr_t)data;
	h->len = len;
	h->seq = seq;
	h->rx_at = l->rx;
	h->since = k_uptime_get();
	memcpy(h->copy, data, len);
	l->holding++;
	app.held++;
}

static void echo_received(const void *data, size_t len, void *priv)
{
	struct echo_lane *l = priv;
	const uint8_t *m = data;
	uint32_t seq, f[4];
	uint8_t kind;

	if (len < ECHO_HDR_LEN || len > ECHO_MAX_LEN ||
	    ((uint32_t)m[8] | (uint32_t)m[9] << 8) != len ||
	    echo_get32(m + 12) != echo_crc32(m + ECHO_HDR_LEN, len - ECHO_HDR_LEN)) {
		k_mutex_lock(&app.mu, K_FOREVER);
		l->corrupted++;
		k_mutex_unlock(&app.mu);
		echo_say("corrupted: a message of %zu bytes on %s (bad length or CRC)", len,
			 l->name);
		return;
	}
	seq = echo_get32(m + 4);
	kind = m[10];
	k_mutex_lock(&app.mu, K_FOREVER);
	if (m[11] != l->idx) {
		l->corrupted++;
		k_mutex_unlock(&app.mu);
		echo_say("corrupted: a message of endpoint %u arrived on %s", m[11], l->name);
		return;
	}
	if (kind == ECHO_KIND_RESUME || kind == ECHO_KIND_ACK) {
		for (int i = 0; i < 4; i++) {
			f[i] = echo_get32(m + ECHO_HDR_LEN + 4 * i);
		}
		if (len != ECHO_CTL_LEN) {
			l->corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: control message of %zu bytes", len);
			return;
		}
		if (kind == ECHO_KIND_RESUME) {
			echo_take_resume(l, f, echo_get32(m));
		} else if (f[0] > l->acked && f[0] <= l->tx) {
			l->acked = f[0];
		}
	} else if (l->peer_resume_gen != l->gen) {
		/* Before the peer's RESUME of this session: it sends that first. */
		l->corrupted++;
		k_mutex_unlock(&app.mu);
		echo_say("corrupted: kind %u seq %u before the peer's RESUME", kind, seq);
		return;
	} else if (kind == ECHO_KIND_STREAM) {
		if (!echo_matches(m, len, app.seed, echo_peer_origin(), l->idx, seq, kind) ||
		    seq >= app.n) {
			l->corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: stream message %u differs", seq);
			return;
		}
		if (seq < l->rx) {
			l->duplicated++;
			k_mutex_unlock(&app.mu);
			echo_say("duplicated: stream message %u (expected %u)", seq, l->rx);
			return;
		}
		if (seq > l->rx) {
			l->lost += seq - l->rx;
			k_mutex_unlock(&app.mu);
			echo_say("lost: stream messages %u..%u", l->rx, seq - 1);
			k_mutex_lock(&app.mu, K_FOREVER);
		}
		l->rx = seq + 1;
		echo_maybe_hold(l, data, len, seq);
	} else if (app.client && (kind == ECHO_KIND_REQ || kind == ECHO_KIND_DONE)) {
		/* An echo: of the request in flight, byte for byte. */
		uint8_t want[ECHO_MAX_LEN];
		size_t n = l->req_out && seq == l->echo_next
				   ? echo_build(want, app.seed, ECHO_ORIGIN_CLIENT, l->idx, seq,
						echo_req_kind(seq), app.boot)
				   : 0;

		if (n != 0 && n == len && memcmp(want, m, n) == 0) {
			l->echo_next++;
			l->req_out = false;
		} else if (seq < l->echo_next) {
			l->duplicated++;
			k_mutex_unlock(&app.mu);
			echo_say("duplicated: echo of message %u (expected %u)", seq, l->echo_next);
			return;
		} else {
			l->corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: echo of message %u differs (%zu bytes back)", seq, len);
			return;
		}
	} else if (!app.client && (kind == ECHO_KIND_REQ || kind == ECHO_KIND_DONE)) {
		bool again = seq + 1 == l->echo_next && l->last_echo_gen != l->gen;

		if (!echo_matches(m, len, app.seed, ECHO_ORIGIN_CLIENT, l->idx, seq,
				  echo_req_kind(seq)) ||
		    echo_get32(m) != l->peer_boot) {
			l->corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: request %u differs", seq);
			return;
		}
		if (seq < l->echo_next && !again) {
			l->duplicated++;
			k_mutex_unlock(&app.mu);
			echo_say("duplicated: request %u (expected %u)", seq, l->echo_next);
			return;
		}
		if (seq > l->echo_next) {
			l->lost += seq - l->echo_next;
			k_mutex_unlock(&app.mu);
			echo_say("lost: requests %u..%u", l->echo_next, seq - 1);
			k_mutex_lock(&app.mu, K_FOREVER);
			l->echo_next = seq;
		}
		memcpy(l->echo_buf, m, len);
		l->echo_len = len;
		l->echo_pending = true;
		l->echo_again = again;
	} else {
		l->corrupted++;
		k_mutex_unlock(&app.mu);
		echo_say("corrupted: unknown kind %u", kind);
		return;
	}
	k_mutex_unlock(&app.mu);
	k_sem_give(&app.wake);
}

/* How a failed send ends: 0 try later, -1 fatal (a line was printed). */
static int echo_send_failed(struct echo_lane *l, int rc, const char *what, uint32_t seq)
{
	if (rc == -ENOMEM || rc == -EBUSY || rc == -EAGAIN || rc == -ENOBUFS) {
		return 0;
	}
	echo_say("%s%ssend of %s %u: %d", app.k > 1 ? l->name : "", app.k > 1 ? ": " : "", what,
		 seq, rc);
	return -1;
}

/* No-copy send of a stream message: 1 sent, 0 try later, -1 fatal. */
static int echo_send_nocopy(struct echo_lane *l, const uint8_t *m, size_t len, uint32_t seq)
{
	void *buf;
	uint32_t size;
	int rc;

	if (seq % ECHO_DROP_EVERY == ECHO_DROP_EVERY - 1 && l->drop_done != seq + 1) {
		/* Take the largest buffer there is (size 0: the first free
		 * block and the free ones after it) and give it back unsent. */
		size = 0;
		rc = ipc_service_get_tx_buffer(&l->ep, &buf, &size, K_NO_WAIT);
		if (rc < 0) {
			return echo_send_failed(l, rc, "(get_tx_buffer) stream message", seq);
		}
		if (size == 0 || (int)size > ipc_service_get_tx_buffer_size(&l->ep)) {
			echo_say("%s: ipc_service_get_tx_buffer(size 0) gave %u bytes, of %d",
				 l->name, size, ipc_service_get_tx_buffer_size(&l->ep));
			(void)ipc_service_drop_tx_buffer(&l->ep, buf);
			return -1;
		}
		rc = ipc_service_drop_tx_buffer(&l->ep, buf);
		if (rc < 0) {
			echo_say("%s: ipc_service_drop_tx_buffer: %d", l->name, rc);
			return -1;
		}
		l->drop_done = seq + 1;
		k_mutex_lock(&app.mu, K_FOREVER);
		app.dropped++;
		k_mutex_unlock(&app.mu);
	}
	size = (uint32_t)len;
	rc = ipc_service_get_tx_buffer(&l->ep, &buf, &size, K_NO_WAIT);
	l->last_rc = rc;
	if (rc < 0) {
		return echo_send_failed(l, rc, "(get_tx_buffer) stream message", seq);
	}
	if (size < len) {
		(void)ipc_service_drop_tx_buffer(&l->ep, buf);
		echo_say("%s: ipc_service_get_tx_buffer gave %u bytes for %zu", l->name, size, len);
		return -1;
	}
	memcpy(buf, m, len);
	rc = ipc_service_send_nocopy(&l->ep, buf, len);
	l->last_rc = rc;
	if (rc < 0) {
		(void)ipc_service_drop_tx_buffer(&l->ep, buf); /* not sent: give it back */
		return echo_send_failed(l, rc, "(nocopy) stream message", seq);
	}
	return 1;
}

/* Exhaustion: a stream message into a buffer of get_tx_buffer with a
 * K_MSEC wait; when the wait expires, a copy send must find no room.
 * 1 sent, 0 try later, -1 fatal. */
static int echo_send_exh(struct echo_lane *l, const uint8_t *m, size_t len, uint32_t seq)
{
	uint32_t size = (uint32_t)len;
	void *buf;
	int rc = ipc_service_get_tx_buffer(&l->ep, &buf, &size, K_MSEC(ECHO_EXH_WAIT_MS));

	l->last_rc = rc;
	if (rc == -EAGAIN) {
		k_mutex_lock(&app.mu, K_FOREVER);
		app.exh_eagain++;
		k_mutex_unlock(&app.mu);
		rc = ipc_service_send(&l->ep, m, len);
		l->last_rc = rc;
		if (rc == -ENOMEM) {
			k_mutex_lock(&app.mu, K_FOREVER);
			app.exh_enomem++;
			k_mutex_unlock(&app.mu);
			return 0;
		}
		if (rc < 0) {
			return echo_send_failed(l, rc, "(copy, after -EAGAIN) stream message", seq);
		}
	} else if (rc < 0) {
		return echo_send_failed(l, rc, "(get_tx_buffer) stream message", seq);
	} else if (size < len) {
		(void)ipc_service_drop_tx_buffer(&l->ep, buf);
		echo_say("%s: ipc_service_get_tx_buffer gave %u bytes for %zu", l->name, size, len);
		return -1;
	} else {
		memcpy(buf, m, len);
		rc = ipc_service_send_nocopy(&l->ep, buf, len);
		l->last_rc = rc;
		if (rc < 0) {
			(void)ipc_service_drop_tx_buffer(&l->ep, buf);
			return echo_send_failed(l, rc, "(nocopy) stream message", seq);
		}
	}
	k_mutex_lock(&app.mu, K_FOREVER);
	app.exh_resumed += app.exh_enomem > 0;
	k_mutex_unlock(&app.mu);
	return 1;
}

/* A send: 1 sent (or dropped by a disconnected backend), 0 try later, -1
 * fatal (a line was printed). */
static int echo_send(struct echo_lane *l, const void *m, size_t len, const char *what,
		     uint32_t seq)
{
	int rc = ipc_service_send(&l->ep, m, len);

	l->last_rc = rc;
	if (rc >= 0) {
		return 1;
	}
	return echo_send_failed(l, rc, what, seq);
}

static bool echo_complete(const struct echo_lane *l)
{
	return l->echo_next == app.n + 1 && l->rx == app.n && l->acked == app.n &&
	       l->ack_sent == app.n && !l->echo_pending && l->holding == 0;
}

/* No-copy: release the held buffers that are old enough (all of a lane that
 * received its whole stream), checking that their bytes did not change.
 * 1 when one was released, 0 if none, -1 fatal. */
static int echo_release_holds(void)
{
	struct echo_hold h;
	int64_t now = k_uptime_get();
	int rc, done = 0;
	bool quiet;

	k_mutex_lock(&app.mu, K_FOREVER);
	quiet = now - app.exh_last_rx >= ECHO_EXH_QUIET_MS; /* exhaustion: the sender ran out */
	k_mutex_unlock(&app.mu);
	for (unsigned i = 0;;) {
		bool changed;

		k_mutex_lock(&app.mu, K_FOREVER);
		while (i < app.n_holds &&
		       (app.exh ? !quiet && app.holds[i].lane->rx != app.n
				: app.holds[i].lane->rx - app.holds[i].rx_at < ECHO_HOLD_AFTER &&
					  now - app.holds[i].since < ECHO_HOLD_MS &&
					  app.holds[i].lane->rx != app.n)) {
			i++;
		}
		if (i == app.n_holds) {
			k_mutex_unlock(&app.mu);
			return done;
		}
		h = app.holds[i];
		app.holds[i] = app.holds[--app.n_holds];
		h.lane->holding--;
		changed = memcmp(h.data, h.copy, h.len) != 0;
		if (changed) {
			h.lane->corrupted++;
		}
		k_mutex_unlock(&app.mu);
		if (changed) {
			echo_say("corrupted: %s: held buffer of stream message %u changed before its "
				 "release", h.lane->name, h.seq);
		}
		rc = ipc_service_release_rx_buffer(&h.lane->ep, h.data);
		if (rc < 0) {
			echo_say("%s: ipc_service_release_rx_buffer: %d", h.lane->name, rc);
			return -1;
		}
		done = 1;
	}
}

/* One step of a lane: 1 when something was sent, 0 if not, -1 fatal. */
static int echo_step(struct echo_lane *l, bool *done)
{
	uint8_t m[ECHO_MAX_LEN];
	uint32_t f[4], gen, seq;
	size_t len;
	int rc;

	*done = false;
	k_mutex_lock(&app.mu, K_FOREVER);
	if (app.fatal) {
		k_mutex_unlock(&app.mu);
		return -1;
	}
	if (l->unbound_pending) {
		/* Zephyr's ipc_sessions way: deregister, register, wait for bound(). */
		l->unbound_pending = false;
		k_mutex_unlock(&app.mu);
		rc = ipc_service_deregister_endpoint(&l->ep);
		if (rc < 0 && rc != -ENOENT && rc != -EALREADY) {
			echo_say("ipc_service_deregister_endpoint: %d", rc);
			return -1;
		}
		rc = ipc_service_register_endpoint(app.dev, &l->ep, &l->cfg);
		if (rc < 0) {
			echo_say("ipc_service_register_endpoint (again): %d", rc);
			return -1;
		}
		return 0;
	}
	gen = l->gen;
	if (!l->bound) {
		k_mutex_unlock(&app.mu);
		return 0;
	}
	if (l->resume_sent_gen != gen) {
		f[0] = l->fresh;
		f[1] = l->echo_next;
		f[2] = l->rx;
		f[3] = l->acked;
		k_mutex_unlock(&app.mu);
		len = echo_ctl(l, m, ECHO_KIND_RESUME, f);
		rc = echo_send(l, m, len, "message", 0);
		if (rc == 0 && gen == 1 && l->resume_sent_gen == 0 && l->last_rc == -EBUSY) {
			/* The first send right after bound(): a backend that calls
			 * bound() before it can send (Zephyr's legacy-mode ICMsg
			 * does) is caught here; docs/zephyr-sources.md has the
			 * details. */
			echo_say("send of message 0: %d", l->last_rc);
			echo_say("-EBUSY right after bound(): the backend called bound() before it "
				 "could send (legacy-mode bound race)");
			return -1;
		}
		if (rc > 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			l->resume_sent_gen = gen;
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	if (l->peer_resume_gen != gen) {
		k_mutex_unlock(&app.mu);
		return 0;
	}
	if (l->resumed_printed_gen != gen && (app.boot > 1 || gen > 1)) {
		/* `ipc-emu run` waits for this line before its next kill. */
		l->resumed_printed_gen = gen;
		k_mutex_unlock(&app.mu);
		echo_say("resumed (boot %u, session %u): echo %u/%u, stream sent %u acked %u "
			 "received %u", app.boot, gen, l->echo_next, app.n + 1, l->tx, l->acked,
			 l->rx);
		return 1;
	}
	if (l->ack_sent != l->rx && (l->rx - l->ack_sent >= ECHO_ACK_EVERY || l->rx == app.n)) {
		f[0] = l->rx;
		f[1] = f[2] = f[3] = 0;
		k_mutex_unlock(&app.mu);
		len = echo_ctl(l, m, ECHO_KIND_ACK, f);
		rc = echo_send(l, m, len, "ACK", f[0]);
		if (rc > 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (l->gen == gen && f[0] > l->ack_sent) {
				l->ack_sent = f[0];
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	/* Each send below takes its step first (the answer may come before
	 * ipc_service_send() returns) and gives it back if nothing was sent. */
	if (!app.client && l->echo_pending) {
		bool again = l->echo_again;

		len = l->echo_len;
		memcpy(m, l->echo_buf, len);
		seq = echo_get32(m + 4);
		l->echo_pending = false;
		l->echo_next += !again;
		l->last_echo_gen = gen;
		k_mutex_unlock(&app.mu);
		rc = echo_send(l, m, len, "echo", seq);
		if (rc <= 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (l->gen == gen && !l->echo_pending) {
				l->echo_pending = true;
				l->echo_next -= !again;
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	if (app.client && l->echo_next <= app.n && (!l->req_out || l->req_gen != gen)) {
		seq = l->echo_next;
		l->req_out = true;
		l->req_gen = gen;
		k_mutex_unlock(&app.mu);
		len = echo_build(m, app.seed, ECHO_ORIGIN_CLIENT, l->idx, seq, echo_req_kind(seq),
				 app.boot);
		rc = echo_send(l, m, len, "message", seq);
		if (rc <= 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (l->gen == gen && l->echo_next == seq) {
				l->req_out = false;
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	if (l->echo_next == app.n + 1 && l->tx < app.n &&
	    (app.exh || l->tx - l->acked < ECHO_WINDOW)) {
		seq = l->tx++;
		k_mutex_unlock(&app.mu);
		len = echo_build(m, app.seed, echo_my_origin(), l->idx, seq, ECHO_KIND_STREAM,
				 app.boot);
		rc = app.exh	  ? echo_send_exh(l, m, len, seq)
		     : app.nocopy ? echo_send_nocopy(l, m, len, seq)
				  : echo_send(l, m, len, "stream message", seq);
		if (rc <= 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (l->gen == gen && l->tx == seq + 1) {
				l->tx--;
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	*done = echo_complete(l) && (!app.hold || echo_released);
	k_mutex_unlock(&app.mu);
	return 0;
}

/* No progress at all for app.stall_ms, though not finished: something was
 * lost within a session (a hang otherwise).  One line, counted as lost; the
 * program then exits with status 1, so the runtime's report (its last shim
 * events and the seed line) comes before `run --timeout` would kill it. */
static bool echo_stalled(void)
{
	static uint64_t sig, since;
	uint64_t now = (uint64_t)k_uptime_get(), v = 0;
	struct echo_lane *l = NULL;
	bool stalled = false, complete = true;

	k_mutex_lock(&app.mu, K_FOREVER);
	for (unsigned i = 0; i < app.k; i++) {
		struct echo_lane *x = &app.lanes[i];

		v = v * 1000003u + x->echo_next + ((uint64_t)x->rx << 16) +
		    ((uint64_t)x->acked << 32) + ((uint64_t)x->gen << 48) + x->bound + x->tx;
		if (!echo_complete(x) && l == NULL) {
			l = x;
			complete = false;
		}
	}
	if (v != sig || since == 0 || complete) {
		sig = v;
		since = now;
	} else if (now - since > app.stall_ms) {
		l->lost++;
		stalled = true;
	}
	k_mutex_unlock(&app.mu);
	if (stalled) {
		echo_say("lost: no progress in %u ms (%s%secho %u/%u, stream sent %u acked %u "
			 "received %u, %s)", app.stall_ms, app.k > 1 ? l->name : "",
			 app.k > 1 ? ": " : "", l->echo_next, app.n + 1, l->tx, l->acked, l->rx,
			 l->bound ? "bound" : "not bound");
	}
	return stalled;
}

/* The order in which this side registers its endpoints: the client in
 * reverse, the server in a shuffle seeded by the run's seed. */
static void echo_order(unsigned order[ECHO_MAX_ENDPOINTS])
{
	uint64_t s = app.seed ^ 0x5eedull;

	for (unsigned i = 0; i < app.k; i++) {
		order[i] = app.client ? app.k - 1 - i : i;
	}
	for (unsigned i = app.k; !app.client && i > 1; i--) {
		unsigned j = (unsigned)(echo_rng(&s) % i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* The stall bound: ECHO_STALL_MS, or half of the run's liveness bound
 * (`run --timeout`, IPC_EMU_TIMEOUT_MS; 0 or unset: none) when that is
 * shorter, so that the apps report a stall before the supervisor kills
 * them. */
static unsigned echo_stall_ms(void)
{
	const char *t = getenv("IPC_EMU_TIMEOUT_MS");
	unsigned long long ms = t != NULL ? strtoull(t, NULL, 10) : 0;

	if (ms == 0 || ms / 2 >= ECHO_STALL_MS) {
		return ECHO_STALL_MS;
	}
	return ms / 2 > 0 ? (unsigned)(ms / 2) : 1u;
}

/* The whole exchange; the exit status of main(). */
static int echo_main(bool client)
{
	const char *v = getenv("IPC_EMU_MESSAGES");
	const char *b = getenv("IPC_EMU_BOOT");
	const char *h = getenv("IPC_EMU_FINISH_HOLD");
	const char *e = getenv("IPC_EMU_ENDPOINTS");
	const char *nc = getenv("IPC_EMU_NOCOPY");
	const char *ex = getenv("IPC_EMU_EXHAUSTION");
	unsigned long echoed = 0, rx = 0, tx = 0, corrupted = 0, duplicated = 0, lost = 0;
	unsigned order[ECHO_MAX_ENDPOINTS];
	char extra[128] = "";
	bool done = false;
	int rc;

	app.name = client ? "echo-client[host]" : "echo-server[remote]";
	app.client = client;
	app.seed = echo_seed();
	app.n = (uint32_t)(v != NULL ? strtoul(v, NULL, 10) : 200);
	app.boot = (uint32_t)(b != NULL ? strtoul(b, NULL, 10) : 1);
	app.boot = app.boot == 0 ? 1 : app.boot;
	app.hold = h != NULL && strcmp(h, "1") == 0;
	app.nocopy = nc != NULL && strcmp(nc, "1") == 0;
	app.stall_ms = echo_stall_ms();
	app.exh = ex != NULL && strcmp(ex, "1") == 0;
	app.hold_max = app.exh ? ECHO_EXH_HOLD_MAX : ECHO_HOLD_MAX;
	app.k = e != NULL ? (unsigned)strtoul(e, NULL, 10) : 1;
	if (app.k < 1 || app.k > ECHO_MAX_ENDPOINTS) {
		echo_say("IPC_EMU_ENDPOINTS=%s: 1..%u endpoints", e, ECHO_MAX_ENDPOINTS);
		return 1;
	}
	if (app.hold) {
		signal(SIGUSR1, echo_on_release);
	}
	k_mutex_init(&app.mu);
	k_sem_init(&app.wake, 0, 1);
	app.dev = ECHO_DEV(ECHO_IPC_INSTANCE);
	for (unsigned i = 0; i < app.k; i++) {
		struct echo_lane *l = &app.lanes[i];

		l->idx = i;
		snprintf(l->name, sizeof(l->name), "ep%u", i);
		l->fresh = app.boot > 1;
		l->cfg.name = l->name;
		l->cfg.cb.bound = echo_bound;
		l->cfg.cb.unbound = echo_unbound;
		l->cfg.cb.received = echo_received;
		l->cfg.cb.error = echo_error;
		l->cfg.priv = l;
	}

	rc = ipc_service_open_instance(app.dev);
	if (rc < 0 && rc != -EALREADY) {
		echo_say("ipc_service_open_instance: %d", rc);
		return 1;
	}
	echo_order(order);
	for (unsigned i = 0; i < app.k; i++) {
		struct echo_lane *l = &app.lanes[order[i]];

		rc = ipc_service_register_endpoint(app.dev, &l->ep, &l->cfg);
		if (rc < 0) {
			echo_say("ipc_service_register_endpoint(%s): %d", l->name, rc);
			return 1;
		}
	}
	while (!done) {
		bool progress = false;

		done = true;
		for (unsigned i = 0; i < app.k; i++) {
			bool lane_done;

			rc = echo_step(&app.lanes[i], &lane_done);
			if (rc < 0) {
				return 1;
			}
			progress |= rc > 0;
			done &= lane_done;
		}
		rc = app.nocopy || app.exh ? echo_release_holds() : 0;
		if (rc < 0) {
			return 1;
		}
		progress |= rc > 0;
		if (!progress && !done) {
			(void)k_sem_take(&app.wake, K_MSEC(ECHO_IDLE_MS));
		}
		if (echo_stalled()) {
			return 1;
		}
	}
	k_mutex_lock(&app.mu, K_FOREVER);
	for (unsigned i = 0; i < app.k; i++) {
		const struct echo_lane *l = &app.lanes[i];

		echoed += l->echo_next;
		rx += l->rx;
		tx += l->tx;
		corrupted += l->corrupted;
		duplicated += l->duplicated;
		lost += l->lost;
	}
	if (app.k > 1) {
		snprintf(extra, sizeof(extra), " endpoints %u", app.k);
	}
	if (app.nocopy) {
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " nocopy held %lu dropped %lu", app.held, app.dropped);
	}
	if (app.exh) {
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " exhaustion eagain %lu enomem %lu resumed %lu held %u", app.exh_eagain,
			 app.exh_enomem, app.exh_resumed, app.exh_held_max);
	}
	if (client) {
		echo_say("%lu echoes matched byte for byte", echoed);
	} else {
		echo_say("%lu messages echoed, 0 failed", echoed);
	}
	echo_say("summary: echoed %lu streamed %lu sent %lu corrupted %lu duplicated %lu lost %lu "
		 "boot %u%s", echoed, rx, tx, corrupted, duplicated, lost, app.boot, extra);
	rc = corrupted + duplicated + lost != 0;
	if (app.exh && (app.exh_eagain == 0 || app.exh_enomem == 0 || app.exh_resumed == 0)) {
		echo_say("exhaustion: the stream did not run out of TX buffers and resume (eagain "
			 "%lu enomem %lu resumed %lu; --messages %u may be fewer than the blocks)",
			 app.exh_eagain, app.exh_enomem, app.exh_resumed, app.n);
		rc = 1;
	}
	k_mutex_unlock(&app.mu);
	return rc;
}

#endif /* EMU_ZEPHYR_APPS_ECHO_COMMON_H */
