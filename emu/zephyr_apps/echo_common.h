/*
 * echo_common.h - what echo_client.c (host) and echo_server.c (remote)
 * share: the built-in scenario's wire format (cli/scenario.h) and the
 * echo-stream exchange with its resume protocol.  Our own code,
 * Zephyr-application-shaped: it uses only Zephyr's APIs, so it builds
 * against Zephyr's IPC stack (`ipc-emu zephyr-build --app`) and against
 * ipc-emu's core alike.  Each app is one translation unit.
 *
 * Wire format: a 16-byte little-endian header, then the payload:
 *
 *   0 boot (u32)  4 seq (u32)  8 len (u16)  10 kind (u8)  11 lane (u8, 0)
 *   12 crc32 of the payload (u32)  16 payload
 *
 * `boot` is the sender's incarnation (IPC_EMU_BOOT, 1 for the first).
 * REQ, DONE and STREAM payloads come from a PRNG seeded by (seed, origin,
 * seq): the receiver regenerates and compares every byte and the length.
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
#define ECHO_STALL_MS 30000

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

static inline void echo_header(uint8_t *m, uint32_t boot, uint32_t seq, size_t len, uint8_t kind)
{
	echo_put32(m, boot);
	echo_put32(m + 4, seq);
	m[8] = (uint8_t)len;
	m[9] = (uint8_t)(len >> 8);
	m[10] = kind;
	m[11] = 0;
	echo_put32(m + 12, echo_crc32(m + ECHO_HDR_LEN, len - ECHO_HDR_LEN));
}

/* Message `seq` of `origin` in a run seeded with `seed`: its length
 * (16..ECHO_MAX_LEN).  Stream messages of the two origins differ. */
static inline size_t echo_build(uint8_t *m, uint64_t seed, unsigned origin, uint32_t seq,
				uint8_t kind, uint32_t boot)
{
	uint64_t s = seed * 0x2545f4914f6cdd1dull + seq +
		     (kind == ECHO_KIND_STREAM ? (origin + 1ull) << 40 : 0);
	size_t len = ECHO_HDR_LEN + (size_t)(echo_rng(&s) % (ECHO_MAX_LEN - ECHO_HDR_LEN + 1));

	for (size_t i = ECHO_HDR_LEN; i < len; i++) {
		m[i] = (uint8_t)echo_rng(&s);
	}
	echo_header(m, boot, seq, len, kind);
	return len;
}

/* Does m[0..len) hold exactly that message (any boot)? */
static inline bool echo_matches(const uint8_t *m, size_t len, uint64_t seed, unsigned origin,
				uint32_t seq, uint8_t kind)
{
	uint8_t want[ECHO_MAX_LEN];
	size_t n = echo_build(want, seed, origin, seq, kind, 0);

	return len == n && memcmp(m + 4, want + 4, n - 4) == 0;
}

static inline uint64_t echo_seed(void)
{
	const char *v = getenv("IPC_EMU_SEED");

	return v != NULL ? strtoull(v, NULL, 10) : 1;
}

/* ------------------------------------------------------ the exchange -- */

struct echo_app {
	const char *name;          /* "echo-client[host]" */
	bool client;
	uint64_t seed;
	uint32_t boot;
	uint32_t n;                /* round trips; also STREAM messages each way */
	bool hold;                 /* IPC_EMU_FINISH_HOLD: wait for SIGUSR1 */
	const struct device *dev;
	struct ipc_ept ep;
	struct ipc_ept_cfg cfg;
	struct k_mutex mu;
	struct k_sem wake;
	/* Session, from the callbacks. */
	bool bound, unbound_pending, ever_bound;
	uint32_t gen;              /* bound() calls */
	uint32_t resume_sent_gen, peer_resume_gen, resumed_printed_gen;
	uint32_t peer_boot;
	bool fresh;                /* restarted, progress not restored yet */
	bool fatal;
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
	/* Counters of this incarnation. */
	unsigned long corrupted, duplicated, lost;
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
	(void)priv;
	k_mutex_lock(&app.mu, K_FOREVER);
	app.bound = true;
	app.gen++;
	app.echo_pending = false; /* a new session: the client asks again */
	if (!app.ever_bound) {
		app.ever_bound = true;
		k_mutex_unlock(&app.mu);
		echo_say("ep0 bound");
	} else {
		k_mutex_unlock(&app.mu);
	}
	k_sem_give(&app.wake);
}

static void echo_unbound(void *priv)
{
	(void)priv;
	k_mutex_lock(&app.mu, K_FOREVER);
	app.bound = false;
	app.unbound_pending = true;
	k_mutex_unlock(&app.mu);
	k_sem_give(&app.wake);
}

static void echo_error(const char *message, void *priv)
{
	(void)priv;
	echo_say("backend error: %s", message);
}

/* Control message: four u32 fields. */
static size_t echo_ctl(uint8_t *m, uint8_t kind, const uint32_t f[4])
{
	for (int i = 0; i < 4; i++) {
		echo_put32(m + ECHO_HDR_LEN + 4 * i, f[i]);
	}
	echo_header(m, app.boot, 0, ECHO_CTL_LEN, kind);
	return ECHO_CTL_LEN;
}

/* The peer's RESUME of the current session (app.mu held). */
static void echo_take_resume(const uint32_t f[4], uint32_t peer_boot)
{
	bool peer_fresh = f[0] != 0;

	app.peer_boot = peer_boot;
	if (app.fresh && peer_fresh) {
		echo_say("FATAL: both sides restarted before either restored its progress");
		app.fatal = true;
	} else if (app.fresh) {
		app.echo_next = f[1];
		app.tx = app.acked = f[2];
		app.rx = app.ack_sent = f[3];
		app.req_out = false;
		app.fresh = false;
	} else if (peer_fresh) {
		app.tx = app.acked;
	} else {
		app.tx = app.acked = f[2] > app.acked ? f[2] : app.acked;
	}
	app.peer_resume_gen = app.gen;
}

static void echo_received(const void *data, size_t len, void *priv)
{
	const uint8_t *m = data;
	uint32_t seq, f[4];
	uint8_t kind;

	(void)priv;
	if (len < ECHO_HDR_LEN || len > ECHO_MAX_LEN ||
	    ((uint32_t)m[8] | (uint32_t)m[9] << 8) != len ||
	    echo_get32(m + 12) != echo_crc32(m + ECHO_HDR_LEN, len - ECHO_HDR_LEN)) {
		k_mutex_lock(&app.mu, K_FOREVER);
		app.corrupted++;
		k_mutex_unlock(&app.mu);
		echo_say("corrupted: a message of %zu bytes (bad length or CRC)", len);
		return;
	}
	seq = echo_get32(m + 4);
	kind = m[10];
	k_mutex_lock(&app.mu, K_FOREVER);
	if (kind == ECHO_KIND_RESUME || kind == ECHO_KIND_ACK) {
		for (int i = 0; i < 4; i++) {
			f[i] = echo_get32(m + ECHO_HDR_LEN + 4 * i);
		}
		if (len != ECHO_CTL_LEN) {
			app.corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: control message of %zu bytes", len);
			return;
		}
		if (kind == ECHO_KIND_RESUME) {
			echo_take_resume(f, echo_get32(m));
		} else if (f[0] > app.acked && f[0] <= app.tx) {
			app.acked = f[0];
		}
	} else if (app.peer_resume_gen != app.gen) {
		/* Before the peer's RESUME of this session: it sends that first. */
		app.corrupted++;
		k_mutex_unlock(&app.mu);
		echo_say("corrupted: kind %u seq %u before the peer's RESUME", kind, seq);
		return;
	} else if (kind == ECHO_KIND_STREAM) {
		if (!echo_matches(m, len, app.seed, echo_peer_origin(), seq, kind) || seq >= app.n) {
			app.corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: stream message %u differs", seq);
			return;
		}
		if (seq < app.rx) {
			app.duplicated++;
			k_mutex_unlock(&app.mu);
			echo_say("duplicated: stream message %u (expected %u)", seq, app.rx);
			return;
		}
		if (seq > app.rx) {
			app.lost += seq - app.rx;
			k_mutex_unlock(&app.mu);
			echo_say("lost: stream messages %u..%u", app.rx, seq - 1);
			k_mutex_lock(&app.mu, K_FOREVER);
		}
		app.rx = seq + 1;
	} else if (app.client && (kind == ECHO_KIND_REQ || kind == ECHO_KIND_DONE)) {
		/* An echo: of the request in flight, byte for byte. */
		uint8_t want[ECHO_MAX_LEN];
		size_t n = app.req_out && seq == app.echo_next
				   ? echo_build(want, app.seed, ECHO_ORIGIN_CLIENT, seq,
						echo_req_kind(seq), app.boot)
				   : 0;

		if (n != 0 && n == len && memcmp(want, m, n) == 0) {
			app.echo_next++;
			app.req_out = false;
		} else if (seq < app.echo_next) {
			app.duplicated++;
			k_mutex_unlock(&app.mu);
			echo_say("duplicated: echo of message %u (expected %u)", seq, app.echo_next);
			return;
		} else {
			app.corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: echo of message %u differs (%zu bytes back)", seq, len);
			return;
		}
	} else if (!app.client && (kind == ECHO_KIND_REQ || kind == ECHO_KIND_DONE)) {
		bool again = seq + 1 == app.echo_next && app.last_echo_gen != app.gen;

		if (!echo_matches(m, len, app.seed, ECHO_ORIGIN_CLIENT, seq, echo_req_kind(seq)) ||
		    echo_get32(m) != app.peer_boot) {
			app.corrupted++;
			k_mutex_unlock(&app.mu);
			echo_say("corrupted: request %u differs", seq);
			return;
		}
		if (seq < app.echo_next && !again) {
			app.duplicated++;
			k_mutex_unlock(&app.mu);
			echo_say("duplicated: request %u (expected %u)", seq, app.echo_next);
			return;
		}
		if (seq > app.echo_next) {
			app.lost += seq - app.echo_next;
			k_mutex_unlock(&app.mu);
			echo_say("lost: requests %u..%u", app.echo_next, seq - 1);
			k_mutex_lock(&app.mu, K_FOREVER);
			app.echo_next = seq;
		}
		memcpy(app.echo_buf, m, len);
		app.echo_len = len;
		app.echo_pending = true;
		app.echo_again = again;
	} else {
		app.corrupted++;
		k_mutex_unlock(&app.mu);
		echo_say("corrupted: unknown kind %u", kind);
		return;
	}
	k_mutex_unlock(&app.mu);
	k_sem_give(&app.wake);
}

/* A send: 1 sent (or dropped by a disconnected backend), 0 try later, -1
 * fatal (a line was printed). */
static int echo_send(const void *m, size_t len, const char *what, uint32_t seq)
{
	int rc = ipc_service_send(&app.ep, m, len);

	app.last_rc = rc;
	if (rc >= 0) {
		return 1;
	}
	if (rc == -ENOMEM || rc == -EBUSY || rc == -EAGAIN || rc == -ENOBUFS) {
		return 0;
	}
	echo_say("send of %s %u: %d", what, seq, rc);
	return -1;
}

static bool echo_complete(void)
{
	return app.echo_next == app.n + 1 && app.rx == app.n && app.acked == app.n &&
	       app.ack_sent == app.n && !app.echo_pending;
}

/* One step of the main loop: true when something was sent. */
static int echo_step(bool *done)
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
	if (app.unbound_pending) {
		/* Zephyr's ipc_sessions way: deregister, register, wait for bound(). */
		app.unbound_pending = false;
		k_mutex_unlock(&app.mu);
		rc = ipc_service_deregister_endpoint(&app.ep);
		if (rc < 0 && rc != -ENOENT && rc != -EALREADY) {
			echo_say("ipc_service_deregister_endpoint: %d", rc);
			return -1;
		}
		rc = ipc_service_register_endpoint(app.dev, &app.ep, &app.cfg);
		if (rc < 0) {
			echo_say("ipc_service_register_endpoint (again): %d", rc);
			return -1;
		}
		return 0;
	}
	gen = app.gen;
	if (!app.bound) {
		k_mutex_unlock(&app.mu);
		return 0;
	}
	if (app.resume_sent_gen != gen) {
		f[0] = app.fresh;
		f[1] = app.echo_next;
		f[2] = app.rx;
		f[3] = app.acked;
		k_mutex_unlock(&app.mu);
		len = echo_ctl(m, ECHO_KIND_RESUME, f);
		rc = echo_send(m, len, "message", 0);
		if (rc == 0 && gen == 1 && app.resume_sent_gen == 0 && app.last_rc == -EBUSY) {
			/* The first send right after bound(): a backend that calls
			 * bound() before it can send (Zephyr's legacy-mode ICMsg
			 * does) is caught here; docs/zephyr-sources.md has the
			 * details. */
			echo_say("send of message 0: %d", app.last_rc);
			echo_say("-EBUSY right after bound(): the backend called bound() before it "
				 "could send (legacy-mode bound race)");
			return -1;
		}
		if (rc > 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			app.resume_sent_gen = gen;
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	if (app.peer_resume_gen != gen) {
		k_mutex_unlock(&app.mu);
		return 0;
	}
	if (app.resumed_printed_gen != gen && (app.boot > 1 || gen > 1)) {
		/* `ipc-emu run` waits for this line before its next kill. */
		app.resumed_printed_gen = gen;
		k_mutex_unlock(&app.mu);
		echo_say("resumed (boot %u, session %u): echo %u/%u, stream sent %u acked %u "
			 "received %u", app.boot, gen, app.echo_next, app.n + 1, app.tx, app.acked,
			 app.rx);
		return 1;
	}
	if (app.ack_sent != app.rx &&
	    (app.rx - app.ack_sent >= ECHO_ACK_EVERY || app.rx == app.n)) {
		f[0] = app.rx;
		f[1] = f[2] = f[3] = 0;
		k_mutex_unlock(&app.mu);
		len = echo_ctl(m, ECHO_KIND_ACK, f);
		rc = echo_send(m, len, "ACK", f[0]);
		if (rc > 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (app.gen == gen && f[0] > app.ack_sent) {
				app.ack_sent = f[0];
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	/* Each send below takes its step first (the answer may come before
	 * ipc_service_send() returns) and gives it back if nothing was sent. */
	if (!app.client && app.echo_pending) {
		bool again = app.echo_again;

		len = app.echo_len;
		memcpy(m, app.echo_buf, len);
		seq = echo_get32(m + 4);
		app.echo_pending = false;
		app.echo_next += !again;
		app.last_echo_gen = gen;
		k_mutex_unlock(&app.mu);
		rc = echo_send(m, len, "echo", seq);
		if (rc <= 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (app.gen == gen && !app.echo_pending) {
				app.echo_pending = true;
				app.echo_next -= !again;
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	if (app.client && app.echo_next <= app.n && (!app.req_out || app.req_gen != gen)) {
		seq = app.echo_next;
		app.req_out = true;
		app.req_gen = gen;
		k_mutex_unlock(&app.mu);
		len = echo_build(m, app.seed, ECHO_ORIGIN_CLIENT, seq, echo_req_kind(seq), app.boot);
		rc = echo_send(m, len, "message", seq);
		if (rc <= 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (app.gen == gen && app.echo_next == seq) {
				app.req_out = false;
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	if (app.echo_next == app.n + 1 && app.tx < app.n && app.tx - app.acked < ECHO_WINDOW) {
		seq = app.tx++;
		k_mutex_unlock(&app.mu);
		len = echo_build(m, app.seed, echo_my_origin(), seq, ECHO_KIND_STREAM, app.boot);
		rc = echo_send(m, len, "stream message", seq);
		if (rc <= 0) {
			k_mutex_lock(&app.mu, K_FOREVER);
			if (app.gen == gen && app.tx == seq + 1) {
				app.tx--;
			}
			k_mutex_unlock(&app.mu);
		}
		return rc;
	}
	*done = echo_complete() && (!app.hold || echo_released);
	k_mutex_unlock(&app.mu);
	return 0;
}

/* No progress at all for ECHO_STALL_MS, though not finished: something was
 * lost within a session (a hang otherwise).  One line, counted as lost. */
static bool echo_stalled(void)
{
	static uint64_t sig, since;
	uint64_t now = (uint64_t)k_uptime_get(), v;
	bool stalled = false;

	k_mutex_lock(&app.mu, K_FOREVER);
	v = app.echo_next + ((uint64_t)app.rx << 16) + ((uint64_t)app.acked << 32) +
	    ((uint64_t)app.gen << 48) + app.bound + app.tx;
	if (v != sig || since == 0 || echo_complete()) {
		sig = v;
		since = now;
	} else if (now - since > ECHO_STALL_MS) {
		app.lost++;
		stalled = true;
	}
	k_mutex_unlock(&app.mu);
	if (stalled) {
		echo_say("lost: no progress in %d ms (echo %u/%u, stream sent %u acked %u received "
			 "%u, %s)", ECHO_STALL_MS, app.echo_next, app.n + 1, app.tx, app.acked,
			 app.rx, app.bound ? "bound" : "not bound");
	}
	return stalled;
}

/* The whole exchange; the exit status of main(). */
static int echo_main(bool client)
{
	const char *v = getenv("IPC_EMU_MESSAGES");
	const char *b = getenv("IPC_EMU_BOOT");
	const char *h = getenv("IPC_EMU_FINISH_HOLD");
	bool done = false;
	int rc;

	app.name = client ? "echo-client[host]" : "echo-server[remote]";
	app.client = client;
	app.seed = echo_seed();
	app.n = (uint32_t)(v != NULL ? strtoul(v, NULL, 10) : 200);
	app.boot = (uint32_t)(b != NULL ? strtoul(b, NULL, 10) : 1);
	app.boot = app.boot == 0 ? 1 : app.boot;
	app.fresh = app.boot > 1;
	app.hold = h != NULL && strcmp(h, "1") == 0;
	if (app.hold) {
		signal(SIGUSR1, echo_on_release);
	}
	k_mutex_init(&app.mu);
	k_sem_init(&app.wake, 0, 1);
	app.dev = ECHO_DEV(ECHO_IPC_INSTANCE);
	app.cfg.name = "ep0";
	app.cfg.cb.bound = echo_bound;
	app.cfg.cb.unbound = echo_unbound;
	app.cfg.cb.received = echo_received;
	app.cfg.cb.error = echo_error;

	rc = ipc_service_open_instance(app.dev);
	if (rc < 0 && rc != -EALREADY) {
		echo_say("ipc_service_open_instance: %d", rc);
		return 1;
	}
	rc = ipc_service_register_endpoint(app.dev, &app.ep, &app.cfg);
	if (rc < 0) {
		echo_say("ipc_service_register_endpoint: %d", rc);
		return 1;
	}
	while (!done) {
		rc = echo_step(&done);
		if (rc < 0) {
			return 1;
		}
		if (rc == 0 && !done) {
			(void)k_sem_take(&app.wake, K_MSEC(ECHO_IDLE_MS));
		}
		if (echo_stalled()) {
			return 1;
		}
	}
	k_mutex_lock(&app.mu, K_FOREVER);
	if (client) {
		echo_say("%u echoes matched byte for byte", app.echo_next);
	} else {
		echo_say("%u messages echoed, 0 failed", app.echo_next);
	}
	echo_say("summary: echoed %u streamed %u sent %u corrupted %lu duplicated %lu lost %lu "
		 "boot %u", app.echo_next, app.rx, app.tx, app.corrupted,
		 app.duplicated, app.lost, app.boot);
	rc = app.corrupted + app.duplicated + app.lost != 0;
	k_mutex_unlock(&app.mu);
	return rc;
}

#endif /* EMU_ZEPHYR_APPS_ECHO_COMMON_H */
