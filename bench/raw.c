/*
 * raw.c - the baselines of `ipc-emu bench`, written for the benchmark
 * and measured in the same run as ours (docs/benchmarks.md):
 *
 *   raw_spin     two processes ping-pong one word of one cache line, both
 *                spinning (no sleeping syscall; after SPIN_YIELD pauses a
 *                spinner calls sched_yield(), so that two spinners that
 *                share one CPU still alternate instead of burning whole
 *                time slices): the floor of a round trip
 *   raw_futex    the same word, but each side sleeps in FUTEX_WAIT and is
 *                woken by FUTEX_WAKE (always issued): one wake-up per hop
 *   raw_futex_relay  raw_futex plus a receiver thread per process that hands
 *                each message to a worker thread (four wake-ups per round
 *                trip: what a work-queue receive path cannot go below)
 *   raw_eventfd  two eventfds, blocking read() / write() per hop
 *   socketpair   AF_UNIX SOCK_STREAM pair, 64-byte write() / read() per hop
 *   raw_ring     a minimal SPSC ring of length-prefixed packets in shared
 *                memory with ICMsg's ring size and the doorbell of the
 *                platform notes (a waiting consumer spins ~2 us, then
 *                announces that it sleeps, re-checks and FUTEX_WAITs on the
 *                index word; the producer publishes its index, fences, and
 *                wakes with FUTEX_WAKE only if the consumer sleeps; a
 *                producer that finds the ring full waits the same way and
 *                is woken once it is half empty; both cache the peer's
 *                index)
 *   memcpy       one process copying buffers (bytes/s)
 *
 * Every child records a CLOCK_MONOTONIC timestamp per round trip, as ours do.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "raw.h"

#define RAW_STOP UINT32_MAX
#define SPIN_YIELD 256   /* raw_spin: pauses between two sched_yield() */
#define RING_SPIN_NS 2000 /* raw_ring: a waiting side spins this long before sleeping */
/* ICMsg's data area for a 16 KiB region, dcache-alignment 8, no handshake
 * (the default board's ipc0): len = S - W - 4 with W = 8 (src/pbuf.c). */
#define RAW_RING_BYTES (16384u - 8u - 4u)

uint32_t bench_raw_ring_bytes(void)
{
	return RAW_RING_BYTES;
}

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	/* Shared futexes (never _PRIVATE: the words are in a MAP_SHARED mapping). */
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Both children set up: the usual start of every child. */
static void meet(int role, struct bench_shm *shm)
{
	bench_set_flag(&shm->ready[role]);
	(void)bench_wait_flag(&shm->ready[!role], 5000);
}

static uint64_t deadline_of(const struct bench_cfg *c)
{
	return bench_now_ns() + (uint64_t)(c->echo_s * 1e9);
}

static bool more(const struct bench_cfg *c, struct bench_shm *shm, uint64_t deadline, uint64_t now)
{
	return shm->n_rtt < c->max_rtt && now < deadline;
}

static void record(struct bench_shm *shm, uint64_t t0, uint64_t t1)
{
	uint64_t d = t1 - t0;

	shm->rtt_ns[shm->n_rtt++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void fill_echo(struct bench_result *r, const char *name, struct bench_shm *shm, int rc,
		      const char *err)
{
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->group, sizeof(r->group), "baseline");
	r->kind = BENCH_ECHO;
	r->size = 64;
	r->ok = rc == 0;
	if (!r->ok) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		return;
	}
	bench_reduce_rtt(r, shm, shm->n_rtt / 20);
}

/* ---------------------------------------------------------------- raw_spin */

static void spin_once(unsigned n)
{
	if (n % SPIN_YIELD == 0) {
		sched_yield();
	} else {
		bench_relax();
	}
}

static int spin_child(int role, void *arg, struct bench_shm *shm)
{
	const struct bench_cfg *c = arg;
	uint32_t *w = (uint32_t *)shm->line[0];

	meet(role, shm);
	if (role == EMU_ROLE_HOST) {
		uint64_t deadline = deadline_of(c), t0 = bench_now_ns(), t1;
		uint32_t i = 0;

		do {
			t0 = bench_now_ns();
			st(w, 2 * i + 1);
			for (unsigned n = 1; ld(w) != 2 * i + 2; n++) {
				spin_once(n);
			}
			t1 = bench_now_ns();
			record(shm, t0, t1);
			i++;
		} while (more(c, shm, deadline, t1));
		st(w, RAW_STOP);
		return 0;
	}
	for (uint32_t expect = 1, n = 1;; n++) {
		uint32_t v = ld(w);

		if (v == RAW_STOP) {
			return 0;
		}
		if (v == expect) {
			st(w, expect + 1);
			expect += 2;
			n = 0;
		} else {
			spin_once(n);
		}
	}
}

void bench_raw_spin(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r)
{
	char err[256] = "";
	int rc = bench_fork2(shm, spin_child, (void *)c, 30, err, sizeof(err));

	fill_echo(r, "raw_spin", shm, rc, err);
}

/* ---------------------------------------------------------------- raw_futex */

static void futex_wait_change(uint32_t *w, uint32_t want)
{
	uint32_t v;

	while ((v = ld(w)) != want && v != RAW_STOP) {
		(void)futex(w, FUTEX_WAIT, v, NULL);
	}
}

static int futex_child(int role, void *arg, struct bench_shm *shm)
{
	const struct bench_cfg *c = arg;
	uint32_t *w = (uint32_t *)shm->line[0];

	meet(role, shm);
	if (role == EMU_ROLE_HOST) {
		uint64_t deadline = deadline_of(c), t0, t1;
		uint32_t i = 0;

		do {
			t0 = bench_now_ns();
			st(w, 2 * i + 1);
			(void)futex(w, FUTEX_WAKE, 1, NULL);
			futex_wait_change(w, 2 * i + 2);
			t1 = bench_now_ns();
			record(shm, t0, t1);
			i++;
		} while (more(c, shm, deadline, t1));
		st(w, RAW_STOP);
		(void)futex(w, FUTEX_WAKE, 1, NULL);
		return 0;
	}
	for (uint32_t expect = 1;; expect += 2) {
		futex_wait_change(w, expect);
		if (ld(w) == RAW_STOP) {
			return 0;
		}
		st(w, expect + 1);
		(void)futex(w, FUTEX_WAKE, 1, NULL);
	}
}

void bench_raw_futex(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r)
{
	char err[256] = "";
	int rc = bench_fork2(shm, futex_child, (void *)c, 30, err, sizeof(err));

	fill_echo(r, "raw_futex", shm, rc, err);
}

/* ---------------------------------------------------------------- raw_futex_relay */

/* raw_futex with one more thread per process: a "receiver" thread sleeps on
 * the cross-process word and hands each message to a "worker" thread
 * through a process-local futex word; the worker answers.  Four wake-ups
 * per round trip instead of two: the floor of a work-queue receive path
 * (interrupt thread -> work-queue thread on each side). */
struct relay {
	uint32_t *in, *out;   /* cross-process words: ours to wait on, the peer's */
	uint32_t local;       /* receiver -> worker */
	struct bench_shm *shm;
};

static void *relay_rx(void *arg)
{
	struct relay *r = arg;

	for (uint32_t seen = 0;;) {
		uint32_t v = ld(r->in);

		if (v == seen) {
			(void)futex(r->in, FUTEX_WAIT, v, NULL);
			continue;
		}
		seen = v;
		st(&r->local, v);
		(void)futex(&r->local, FUTEX_WAKE, 1, NULL);
		if (v == RAW_STOP) {
			return NULL;
		}
	}
}

static uint32_t relay_take(struct relay *r, uint32_t seen)
{
	uint32_t v;

	while ((v = ld(&r->local)) == seen) {
		(void)futex(&r->local, FUTEX_WAIT, v, NULL);
	}
	return v;
}

static void relay_put(uint32_t *w, uint32_t v)
{
	st(w, v);
	(void)futex(w, FUTEX_WAKE, 1, NULL);
}

static int relay_child(int role, void *arg, struct bench_shm *shm)
{
	const struct bench_cfg *c = arg;
	uint32_t *req = (uint32_t *)shm->line[0], *rep = (uint32_t *)&shm->line[0][32];
	struct relay r = {.in = role == EMU_ROLE_HOST ? rep : req,
			  .out = role == EMU_ROLE_HOST ? req : rep, .shm = shm};
	pthread_t t;

	if (pthread_create(&t, NULL, relay_rx, &r) != 0) {
		bench_fail(shm, "raw_futex_relay: pthread_create failed");
		return -1;
	}
	meet(role, shm);
	if (role == EMU_ROLE_HOST) {
		uint64_t deadline = deadline_of(c), t0, t1;
		uint32_t i = 1;

		do {
			t0 = bench_now_ns();
			relay_put(r.out, i);
			(void)relay_take(&r, i - 1);
			t1 = bench_now_ns();
			record(shm, t0, t1);
			i++;
		} while (more(c, shm, deadline, t1));
		relay_put(r.out, RAW_STOP);
		relay_put(r.in, RAW_STOP); /* our own receiver */
	} else {
		for (uint32_t seen = 0;;) {
			seen = relay_take(&r, seen);
			if (seen == RAW_STOP) {
				break;
			}
			relay_put(r.out, seen);
		}
	}
	pthread_join(t, NULL);
	return 0;
}

void bench_raw_futex_relay(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r)
{
	char err[256] = "";
	int rc = bench_fork2(shm, relay_child, (void *)c, 30, err, sizeof(err));

	fill_echo(r, "raw_futex_relay", shm, rc, err);
}

/* ---------------------------------------------------------------- raw_eventfd */

struct fd_pair_arg {
	const struct bench_cfg *c;
	int fd[2];
};

static int efd_signal(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == (ssize_t)sizeof(one) ? 0 : -1;
}

static int efd_wait(int fd)
{
	uint64_t v;
	ssize_t n;

	while ((n = read(fd, &v, sizeof(v))) < 0 && errno == EINTR) {
	}
	return n == (ssize_t)sizeof(v) ? 0 : -1;
}

/* fd[0]: to the remote, fd[1]: to the host. */
static int eventfd_child(int role, void *arg, struct bench_shm *shm)
{
	struct fd_pair_arg *a = arg;

	meet(role, shm);
	if (role == EMU_ROLE_HOST) {
		uint64_t deadline = deadline_of(a->c), t0, t1;

		do {
			t0 = bench_now_ns();
			if (efd_signal(a->fd[0]) < 0 || efd_wait(a->fd[1]) < 0) {
				bench_fail(shm, "raw_eventfd: %s", strerror(errno));
				return -1;
			}
			t1 = bench_now_ns();
			record(shm, t0, t1);
		} while (more(a->c, shm, deadline, t1));
		st(&shm->stop, 1);
		return efd_signal(a->fd[0]);
	}
	for (;;) {
		if (efd_wait(a->fd[0]) < 0) {
			return -1;
		}
		if (ld(&shm->stop)) {
			return 0;
		}
		if (efd_signal(a->fd[1]) < 0) {
			return -1;
		}
	}
}

void bench_raw_eventfd(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r)
{
	struct fd_pair_arg a = {.c = c, .fd = {eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC)}};
	char err[256] = "eventfd failed";
	int rc = -1;

	if (a.fd[0] >= 0 && a.fd[1] >= 0) {
		rc = bench_fork2(shm, eventfd_child, &a, 30, err, sizeof(err));
	}
	for (int i = 0; i < 2; i++) {
		if (a.fd[i] >= 0) {
			close(a.fd[i]);
		}
	}
	fill_echo(r, "raw_eventfd", shm, rc, err);
}

/* ---------------------------------------------------------------- socketpair */

static int xfer(int fd, uint8_t *buf, size_t len, bool out)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = out ? write(fd, buf + done, len - done) : read(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* fd[0]: the host's end, fd[1]: the remote's.  buf[0] = 1 stops. */
static int sock_child(int role, void *arg, struct bench_shm *shm)
{
	struct fd_pair_arg *a = arg;
	int fd = a->fd[role];
	uint8_t buf[64] = {0};

	close(a->fd[!role]);
	meet(role, shm);
	if (role == EMU_ROLE_HOST) {
		uint64_t deadline = deadline_of(a->c), t0, t1;

		do {
			t0 = bench_now_ns();
			if (xfer(fd, buf, sizeof(buf), true) < 0 || xfer(fd, buf, sizeof(buf), false) < 0) {
				bench_fail(shm, "socketpair: %s", strerror(errno));
				return -1;
			}
			t1 = bench_now_ns();
			record(shm, t0, t1);
		} while (more(a->c, shm, deadline, t1));
		buf[0] = 1;
		return xfer(fd, buf, sizeof(buf), true);
	}
	for (;;) {
		if (xfer(fd, buf, sizeof(buf), false) < 0) {
			return -1;
		}
		if (buf[0] == 1) {
			return 0;
		}
		if (xfer(fd, buf, sizeof(buf), true) < 0) {
			return -1;
		}
	}
}

void bench_socketpair(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r)
{
	struct fd_pair_arg a = {.c = c, .fd = {-1, -1}};
	char err[256] = "socketpair failed";
	int rc = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a.fd) == 0) {
		rc = bench_fork2(shm, sock_child, &a, 30, err, sizeof(err));
		close(a.fd[0]);
		close(a.fd[1]);
	}
	fill_echo(r, "socketpair", shm, rc, err);
}

/* ---------------------------------------------------------------- raw_ring */

/* The ring: producer-owned and consumer-owned words on separate lines;
 * packets as pbuf's: a 4-byte length, the payload, padding to 4. */
struct ring {
	_Alignas(64) uint32_t wr;    /* producer: publish (release) */
	uint32_t prod_sleeping;      /* producer: it waits for room */
	_Alignas(64) uint32_t rd;    /* consumer: publish (release) */
	uint32_t cons_sleeping;      /* consumer: it waits for data */
	_Alignas(64) uint8_t data[RAW_RING_BYTES];
};

struct ring_end {
	struct ring *r;
	uint32_t mine;   /* our index (never read back from shared memory) */
	uint32_t peer;   /* cached peer index, re-read only when needed */
};

static uint32_t ring_used(uint32_t wr, uint32_t rd)
{
	return wr >= rd ? wr - rd : RAW_RING_BYTES - (rd - wr);
}

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

static void copy_in(struct ring *r, uint32_t at, const uint8_t *src, uint32_t len)
{
	uint32_t tail = RAW_RING_BYTES - at;

	if (len <= tail) {
		memcpy(&r->data[at], src, len);
	} else {
		memcpy(&r->data[at], src, tail);
		memcpy(r->data, src + tail, len - tail);
	}
}

static void copy_out(const struct ring *r, uint32_t at, uint8_t *dst, uint32_t len)
{
	uint32_t tail = RAW_RING_BYTES - at;

	if (len <= tail) {
		memcpy(dst, &r->data[at], len);
	} else {
		memcpy(dst, &r->data[at], tail);
		memcpy(dst + tail, r->data, len - tail);
	}
}

/* Spin up to RING_SPIN_NS for *w to differ from `seen`; true (and *now
 * updated) if it did. */
static bool spin_for(uint32_t *w, uint32_t seen, uint32_t *now)
{
	uint64_t end = bench_now_ns() + RING_SPIN_NS;

	do {
		for (unsigned i = 0; i < 32; i++) {
			uint32_t v = ld(w);

			if (v != seen) {
				*now = v;
				return true;
			}
			bench_relax();
		}
	} while (bench_now_ns() < end);
	return false;
}

/* Producer: write one packet, sleeping while the ring is full. */
static void ring_put(struct ring_end *e, const uint8_t *msg, uint32_t len)
{
	struct ring *r = e->r;
	uint32_t need = 4u + pad4(len);

	/* Keep 4 bytes free: a full ring never looks empty. */
	while (RAW_RING_BYTES - ring_used(e->mine, e->peer) <= need) {
		e->peer = ld(&r->rd); /* pairs with the consumer's st(&r->rd) */
		if (RAW_RING_BYTES - ring_used(e->mine, e->peer) > need ||
		    (spin_for(&r->rd, e->peer, &e->peer) &&
		     RAW_RING_BYTES - ring_used(e->mine, e->peer) > need)) {
			break;
		}
		st(&r->prod_sleeping, 1);
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the consumer's fence */
		e->peer = ld(&r->rd);
		if (RAW_RING_BYTES - ring_used(e->mine, e->peer) <= need) {
			(void)futex(&r->rd, FUTEX_WAIT, e->peer, NULL);
		}
		st(&r->prod_sleeping, 0);
	}
	memcpy(&r->data[e->mine], &len, 4); /* the header never wraps (4-aligned) */
	copy_in(r, (e->mine + 4u) % RAW_RING_BYTES, msg, len);
	e->mine = (e->mine + need) % RAW_RING_BYTES;
	st(&r->wr, e->mine);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* Dekker with cons_sleeping */
	if (__atomic_load_n(&r->cons_sleeping, __ATOMIC_RELAXED)) {
		(void)futex(&r->wr, FUTEX_WAKE, 1, NULL);
	}
}

/* Consumer: read one packet into buf (len <= cap), sleeping while empty.
 * Returns its length, 0 when *stop became set while waiting. */
static uint32_t ring_get(struct ring_end *e, uint8_t *buf, uint32_t cap, uint32_t *stop)
{
	struct ring *r = e->r;
	uint32_t len, used;

	while (e->peer == e->mine) {
		e->peer = ld(&r->wr); /* pairs with the producer's st(&r->wr) */
		if (e->peer != e->mine || spin_for(&r->wr, e->mine, &e->peer)) {
			break;
		}
		if (ld(stop)) {
			return 0;
		}
		st(&r->cons_sleeping, 1);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		e->peer = ld(&r->wr);
		if (e->peer == e->mine) {
			struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};

			(void)futex(&r->wr, FUTEX_WAIT, e->peer, &ts);
		}
		st(&r->cons_sleeping, 0);
	}
	memcpy(&len, &r->data[e->mine], 4);
	if (len > cap) {
		len = cap;
	}
	copy_out(r, (e->mine + 4u) % RAW_RING_BYTES, buf, len);
	e->mine = (e->mine + 4u + pad4(len)) % RAW_RING_BYTES;
	st(&r->rd, e->mine);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* Dekker with prod_sleeping */
	used = ring_used(e->peer, e->mine);
	if (__atomic_load_n(&r->prod_sleeping, __ATOMIC_RELAXED) && used <= RAW_RING_BYTES / 2) {
		(void)futex(&r->rd, FUTEX_WAKE, 1, NULL);
	}
	return len;
}

struct ring_arg {
	const struct bench_cfg *c;
	struct ring *ring;  /* [0]: host -> remote, [1]: remote -> host */
	uint32_t size;
};

static int ring_echo_child(int role, void *arg, struct bench_shm *shm)
{
	struct ring_arg *a = arg;
	struct ring_end tx = {.r = &a->ring[role]}, rx = {.r = &a->ring[!role]};
	uint8_t msg[64] = {0};

	meet(role, shm);
	if (role == EMU_ROLE_HOST) {
		uint64_t deadline = deadline_of(a->c), t0, t1;
		uint32_t never = 0;

		do {
			t0 = bench_now_ns();
			ring_put(&tx, msg, sizeof(msg));
			(void)ring_get(&rx, msg, sizeof(msg), &never);
			t1 = bench_now_ns();
			record(shm, t0, t1);
		} while (more(a->c, shm, deadline, t1));
		bench_set_flag(&shm->stop);
		(void)futex(&a->ring[0].wr, FUTEX_WAKE, 1, NULL);
		return 0;
	}
	for (;;) {
		uint32_t n = ring_get(&rx, msg, sizeof(msg), &shm->stop);

		if (n == 0) {
			return 0;
		}
		ring_put(&tx, msg, n);
	}
}

static int ring_stream_child(int role, void *arg, struct bench_shm *shm)
{
	struct ring_arg *a = arg;
	struct ring_end e = {.r = &a->ring[0]};
	uint8_t msg[4096];

	memset(msg, 0x5a, sizeof(msg));
	meet(role, shm);
	if (role == EMU_ROLE_HOST) {
		uint64_t t0 = bench_now_ns(), deadline = t0 + (uint64_t)(a->c->stream_s * 1e9);
		uint64_t n = 0;

		shm->t0_ns = t0;
		do {
			for (unsigned i = 0; i < 64; i++) {
				ring_put(&e, msg, a->size);
			}
			n += 64;
		} while (bench_now_ns() < deadline);
		bench_stream_finish(shm, n);
		(void)futex(&a->ring[0].wr, FUTEX_WAKE, 1, NULL); /* a consumer asleep on empty */
		return 0;
	}
	for (uint64_t got_n = 0, bytes = 0;;) {
		uint32_t got = ring_get(&e, msg, sizeof(msg), &shm->stop);

		if (got == 0) {
			return 0;
		}
		bytes += got;
		__atomic_store_n(&shm->bytes, bytes, __ATOMIC_RELAXED);
		__atomic_store_n(&shm->received, ++got_n, __ATOMIC_RELEASE);
	}
}

static struct ring *rings_map(void)
{
	void *p = mmap(NULL, 2 * sizeof(struct ring), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void bench_raw_ring_echo(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r)
{
	struct ring_arg a = {.c = c, .ring = rings_map(), .size = 64};
	char err[256] = "mmap failed";
	int rc = -1;

	if (a.ring != NULL) {
		rc = bench_fork2(shm, ring_echo_child, &a, 30, err, sizeof(err));
		munmap(a.ring, 2 * sizeof(struct ring));
	}
	fill_echo(r, "raw_ring_echo", shm, rc, err);
}

void bench_raw_ring_stream(const struct bench_cfg *c, struct bench_shm *shm, uint32_t size,
			   struct bench_result *r)
{
	struct ring_arg a = {.c = c, .ring = rings_map(), .size = size};
	char err[256] = "mmap failed";
	int rc = -1;

	if (size == 64) {
		snprintf(r->name, sizeof(r->name), "raw_ring");
	} else {
		snprintf(r->name, sizeof(r->name), "raw_ring_%u", size);
	}
	snprintf(r->group, sizeof(r->group), "baseline");
	r->kind = BENCH_STREAM;
	r->size = size;
	if (a.ring != NULL) {
		rc = bench_fork2(shm, ring_stream_child, &a, 30, err, sizeof(err));
		munmap(a.ring, 2 * sizeof(struct ring));
	}
	r->ok = rc == 0;
	if (!r->ok) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		return;
	}
	bench_reduce_stream(r, shm);
}

/* ---------------------------------------------------------------- memcpy */

/* Copy `size`-byte chunks through a working set as large as an ICBMsg TX
 * data area of the default board (16 KiB), in this process: the bandwidth
 * of moving the payload once with the data hot in this core's caches. */
void bench_memcpy(const struct bench_cfg *c, uint32_t size, struct bench_result *r)
{
	enum { SET = 16384 };
	uint8_t *src = aligned_alloc(64, SET), *dst = aligned_alloc(64, SET);
	uint64_t t0, t1, bytes = 0, deadline;
	volatile uint8_t sink;

	if (size == 4096) {
		snprintf(r->name, sizeof(r->name), "memcpy");
	} else {
		snprintf(r->name, sizeof(r->name), "memcpy_%u", size);
	}
	snprintf(r->group, sizeof(r->group), "baseline");
	r->kind = BENCH_COPY;
	r->size = size;
	if (src == NULL || dst == NULL || size == 0 || size > SET) {
		free(src);
		free(dst);
		snprintf(r->err, sizeof(r->err), "out of memory");
		return;
	}
	memset(src, 0xa5, SET);
	memset(dst, 0, SET);
	t0 = bench_now_ns();
	deadline = t0 + (uint64_t)(c->stream_s * 0.25e9);
	do {
		for (unsigned rep = 0; rep < 64; rep++) {
			for (uint32_t off = 0; off + size <= SET; off += size) {
				memcpy(dst + off, src + off, size);
				bytes += size;
			}
			/* Keep the copies from being optimised away. */
			__asm__ __volatile__("" : : "r"(dst) : "memory");
		}
		t1 = bench_now_ns();
	} while (t1 < deadline);
	sink = dst[size - 1];
	(void)sink;
	free(src);
	free(dst);
	r->acc_s += (double)(t1 - t0) / 1e9;
	r->acc_bytes += bytes;
	r->acc_count += bytes / size;
	r->duration_s = r->acc_s;
	r->count = r->acc_count;
	r->bytes_per_s = (double)r->acc_bytes / r->acc_s;
	r->messages_per_s = (double)r->acc_count / r->acc_s;
}
