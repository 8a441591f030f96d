/*
 * ipc.c - our figures: ICMsg and ICBMsg over emulated boards, each
 * side in its own forked process, as `ipc-emu run` arranges them (one
 * segment, its names unlinked at once, the children attaching through the
 * inherited descriptors), but with a loop written for measuring: fixed
 * message sizes, no payload generation or checking.
 *
 * Echo: the host's received() callback takes the round-trip time and sends
 * the next request from that same callback; the remote's received()
 * answers with the same bytes.  So a round trip is two doorbells, as in the
 * raw ping-pongs, and runs in the receive context under test (the ICMsg
 * work-queue thread, or the interrupt thread with --rx-in-isr).
 * Classic ICBMsg replies from a thread of each side instead (the callback
 * copies the message and wakes it): a send inside the receive callback may
 * need blocks that only a RELEASE frees, and that RELEASE is processed by
 * the very context the callback blocks (an 8 KiB echo on the default board
 * stalled so).  ICBMsg v2 replies from the callback, like ICMsg.
 *
 * Streaming: the host's main thread sends as fast as the ring (ICMsg) or
 * the blocks (ICBMsg) let it, round-robin over the endpoints and instances,
 * and retries a full ring after sched_yield(); the remote counts what its
 * callbacks receive and touches one byte of every 64 (ICBMsg hands the
 * receiver a pointer into shared memory: the lines do travel).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "ipc_emu/ipc_service.h"

#define MAX_INST EMU_DT_MAX_INST
#define MAX_EPT 64u
#define BIND_TIMEOUT_MS 10000

struct ipc_arg {
	const struct bench_cfg *c;
	const struct bench_ipc_case *k;
	struct emu_segment_fds fds;
	const struct emu_dt_plan *plan[2];
	unsigned n_inst;
	char label[MAX_INST][32];
};

struct peer;

struct ept {
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	struct peer *p;
	char name[16];
};

struct peer {
	int role;
	const struct ipc_arg *a;
	const struct bench_ipc_case *k;
	struct bench_shm *shm;
	struct emu_segment *seg;
	struct emu_core *core;
	struct emu_board *board;
	unsigned n_ept;           /* instances x endpoints */
	struct ept *ept;
	uint32_t bound_n;         /* atomic */
	uint32_t all_bound;       /* futex flag */
	/* echo, host */
	uint64_t t_sent, deadline;
	uint32_t max_rtt;
	/* streaming, remote */
	uint64_t rx_n, rx_bytes;
	uint8_t sink;
	/* ICBMsg echo: the reply thread, woken when req moves */
	bool threaded;
	uint32_t req;             /* futex word: replies asked for */
	struct ept *reply_ept;
	size_t reply_len;
	uint8_t reply[BENCH_MAX_MSG];
	uint8_t msg[BENCH_MAX_MSG];
};

static void on_bound(void *priv)
{
	struct ept *e = priv;
	struct peer *p = e->p;

	if (__atomic_add_fetch(&p->bound_n, 1, __ATOMIC_ACQ_REL) == p->n_ept) {
		bench_set_flag(&p->all_bound);
	}
}

static void on_error(const char *message, void *priv)
{
	struct ept *e = priv;

	bench_fail(e->p->shm, "%s: %s: %s", emu_role_name(e->p->role), e->name, message);
}

/* A full ring / no blocks / a full queue: the receiver is awake (it has
 * our signal) and drains.  Spin a little, then yield, then sleep: a sender
 * that keeps the CPU would starve the thread that frees the room (on
 * classic ICBMsg the release messages come through the work queue).
 * (Yielding longer was measured slower on the loaded 2-CPU machine: a
 * yield there often gives the CPU away for a whole time slice.) */
static void send_backoff(struct peer *p, unsigned *spins, bool from_callback)
{
	p->shm->retries++;
	if (++*spins < 16) {
		bench_relax();
	} else if (*spins < 64 || from_callback) {
		sched_yield();
	} else {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 20000};

		nanosleep(&ts, NULL);
	}
}

static bool retryable(const struct peer *p, int rc)
{
	return (rc == -ENOMEM || rc == -EAGAIN || rc == -ENOBUFS) &&
	       !__atomic_load_n(&p->shm->stop, __ATOMIC_RELAXED);
}

/* Send len bytes of data on e, copying or through a TX buffer; retries a
 * full ring / exhausted blocks.  Returns 0 or the error. */
static int send_msg(struct ept *e, const void *data, size_t len, bool from_callback)
{
	struct peer *p = e->p;
	unsigned spins = 0;
	void *buf = NULL;
	uint32_t sz = (uint32_t)len;
	int rc;

	if (!p->k->nocopy) {
		while ((rc = ipc_service_send(&e->ept, data, len)) < 0 && retryable(p, rc)) {
			send_backoff(p, &spins, from_callback);
		}
		return rc < 0 ? rc : 0;
	}
	for (;;) {
		/* In a callback we must not block: the release that would
		 * free a block comes through this very context (classic). */
		rc = ipc_service_get_tx_buffer(&e->ept, &buf, &sz,
					       from_callback ? K_NO_WAIT : K_MSEC(100));
		if (rc == 0) {
			memcpy(buf, data, len);
			/* v2 leaves the buffer ours when its queue is full:
			 * send it again, filled once. */
			while ((rc = ipc_service_send_nocopy(&e->ept, buf, len)) < 0 && p->k->v2 &&
			       retryable(p, rc)) {
				send_backoff(p, &spins, from_callback);
			}
			if (rc >= 0) {
				return 0;
			}
			(void)ipc_service_drop_tx_buffer(&e->ept, buf);
		}
		if (!retryable(p, rc)) {
			return rc;
		}
		send_backoff(p, &spins, from_callback);
		sz = (uint32_t)len;
	}
}

static int send_msg(struct ept *e, const void *data, size_t len, bool from_callback);

/* Ask the reply thread for one reply. */
static void reply_post(struct peer *p, struct ept *e)
{
	p->reply_ept = e;
	__atomic_add_fetch(&p->req, 1, __ATOMIC_RELEASE);
	(void)syscall(SYS_futex, &p->req, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* ICBMsg echo: send outside the receive context (the host the next
 * request, the remote the copied echo), so that the releases keep flowing. */
static void *reply_thread(void *arg)
{
	struct peer *p = arg;
	struct bench_shm *shm = p->shm;
	uint32_t seen = 0;

	while (!__atomic_load_n(&shm->stop, __ATOMIC_ACQUIRE)) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000L};
		uint32_t now = __atomic_load_n(&p->req, __ATOMIC_ACQUIRE);
		int rc;

		if (now == seen) {
			(void)syscall(SYS_futex, &p->req, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0);
			continue;
		}
		seen = now;
		if (p->role == EMU_ROLE_HOST) {
			p->t_sent = bench_now_ns();
			rc = send_msg(p->reply_ept, p->msg, p->k->size, false);
		} else {
			rc = send_msg(p->reply_ept, p->reply, p->reply_len, false);
		}
		if (rc < 0 && !__atomic_load_n(&shm->stop, __ATOMIC_RELAXED)) {
			bench_fail(shm, "%s: echo send: %s", emu_role_name(p->role), strerror(-rc));
			bench_set_flag(&shm->done);
		}
	}
	return NULL;
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct ept *e = priv;
	struct peer *p = e->p;
	struct bench_shm *shm = p->shm;
	int rc;

	if (p->k->kind == BENCH_STREAM) {
		const uint8_t *b = data;
		uint8_t x = 0;

		for (size_t i = 0; i < len; i += 64) {
			x ^= b[i];
		}
		p->sink ^= x;
		p->rx_bytes += len;
		__atomic_store_n(&shm->bytes, p->rx_bytes, __ATOMIC_RELAXED);
		__atomic_store_n(&shm->received, ++p->rx_n, __ATOMIC_RELEASE);
		return;
	}
	if (p->role == EMU_ROLE_REMOTE && p->threaded) {
		if (len > sizeof(p->reply)) {
			bench_fail(shm, "remote: %zu-byte echo request", len);
			return;
		}
		memcpy(p->reply, data, len);
		p->reply_len = len;
		reply_post(p, e);
		return;
	}
	if (p->role == EMU_ROLE_REMOTE) {
		rc = send_msg(e, data, len, true);
		if (rc < 0 && !__atomic_load_n(&shm->stop, __ATOMIC_RELAXED)) {
			bench_fail(shm, "remote: echo send: %s", strerror(-rc));
		}
		return;
	}
	{
		uint64_t now = bench_now_ns(), d = now - p->t_sent;

		shm->rtt_ns[shm->n_rtt++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		if (shm->n_rtt >= p->max_rtt || now >= p->deadline) {
			bench_set_flag(&shm->done);
			return;
		}
		if (p->threaded) {
			reply_post(p, e);
			return;
		}
		p->t_sent = bench_now_ns();
		rc = send_msg(e, p->msg, p->k->size, true);
		if (rc < 0) {
			bench_fail(shm, "host: echo send: %s", strerror(-rc));
			bench_set_flag(&shm->done);
		}
	}
}

static int setup(struct peer *p)
{
	const struct ipc_arg *a = p->a;
	const struct bench_ipc_case *k = p->k;
	struct emu_board_opts o;
	char err[256] = "";
	unsigned per = k->backend == EMU_BACKEND_ICBMSG ? k->endpoints : 1;
	int rc;

	rc = emu_segment_attach_fds(&a->fds, &p->seg);
	if (rc < 0) {
		bench_fail(p->shm, "attach: %s", strerror(-rc));
		return rc;
	}
	rc = emu_core_start(p->seg, (enum emu_role)p->role, &p->core);
	if (rc < 0) {
		bench_fail(p->shm, "core start: %s", strerror(-rc));
		return rc;
	}
	emu_core_set_busy_poll(p->core, k->busy_poll_us);
	emu_board_opts_default(&o);
	o.icmsg_rx_in_isr = k->rx_in_isr;
	/* CONFIG_PBUF_RX_READ_BUF_SIZE must hold the largest message. */
	if (k->size > o.icmsg_rx_buf_size) {
		o.icmsg_rx_buf_size = k->size;
	}
	if (per > o.icbmsg_num_ept) {
		o.icbmsg_num_ept = per;
	}
	o.icbmsg_version = k->v2 ? EMU_ICBMSG_V2 : EMU_ICBMSG_CLASSIC;
	rc = emu_board_create(a->plan[p->role], p->seg, p->core, &o, &p->board, err, sizeof(err));
	if (rc < 0) {
		bench_fail(p->shm, "board: %s", err[0] ? err : strerror(-rc));
		return rc;
	}
	p->n_ept = a->n_inst * per;
	p->ept = calloc(p->n_ept, sizeof(*p->ept));
	if (p->ept == NULL) {
		bench_fail(p->shm, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < a->n_inst; i++) {
		const struct device *dev = emu_board_device(p->board, a->label[i]);

		if (dev == NULL) {
			bench_fail(p->shm, "no instance %s", a->label[i]);
			return -ENOENT;
		}
		rc = ipc_service_open_instance(dev);
		if (rc < 0 && rc != -EALREADY) {
			bench_fail(p->shm, "open %s: %s", a->label[i], strerror(-rc));
			return rc;
		}
		for (unsigned j = 0; j < per; j++) {
			struct ept *e = &p->ept[i * per + j];

			e->p = p;
			snprintf(e->name, sizeof(e->name), "ep%u", j);
			e->cfg = (struct ipc_ept_cfg){
				.name = e->name,
				.cb = {.bound = on_bound, .received = on_received, .error = on_error},
				.priv = e,
			};
			rc = ipc_service_register_endpoint(dev, &e->ept, &e->cfg);
			if (rc < 0) {
				bench_fail(p->shm, "register %s/%s: %s", a->label[i], e->name,
					   strerror(-rc));
				return rc;
			}
		}
	}
	if (!bench_wait_flag(&p->all_bound, BIND_TIMEOUT_MS)) {
		bench_fail(p->shm, "%s: %u of %u endpoints bound after %d ms",
			   emu_role_name(p->role), __atomic_load_n(&p->bound_n, __ATOMIC_RELAXED),
			   p->n_ept, BIND_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	return 0;
}

static int host_echo(struct peer *p)
{
	struct bench_shm *shm = p->shm;
	int rc;

	p->max_rtt = p->a->c->max_rtt;
	p->deadline = bench_now_ns() + (uint64_t)(p->a->c->echo_s * 1e9);
	p->t_sent = bench_now_ns();
	rc = send_msg(&p->ept[0], p->msg, p->k->size, false);
	if (rc < 0) {
		bench_fail(shm, "host: first echo send: %s", strerror(-rc));
		return rc;
	}
	if (!bench_wait_flag(&shm->done, (int)(p->a->c->echo_s * 1000) + 10000)) {
		bench_fail(shm, "host: echo stalled after %u round trips", shm->n_rtt);
		return -ETIMEDOUT;
	}
	return shm->err[0] != '\0' ? -EIO : 0;
}

static int host_stream(struct peer *p)
{
	struct bench_shm *shm = p->shm;
	uint64_t t0 = bench_now_ns(), deadline = t0 + (uint64_t)(p->a->c->stream_s * 1e9);
	uint64_t n = 0;
	unsigned next = 0;

	shm->t0_ns = t0;
	do {
		for (unsigned i = 0; i < 16; i++) {
			int rc = send_msg(&p->ept[next], p->msg, p->k->size, false);

			if (rc < 0) {
				bench_fail(shm, "host: stream send: %s", strerror(-rc));
				return rc;
			}
			n++;
			if (++next == p->n_ept) {
				next = 0;
			}
		}
	} while (bench_now_ns() < deadline);
	bench_stream_finish(shm, n);
	return 0;
}

static void record_stats(struct peer *p)
{
	struct emu_core_stats st;

	emu_core_get_stats(p->core, &st);
	p->shm->signals[p->role] = st.signals_sent;
	p->shm->wakeups[p->role] = st.wakeups_sent;
}

static int ipc_child(int role, void *arg, struct bench_shm *shm)
{
	struct peer *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL) {
		return -1;
	}
	p->role = role;
	p->a = arg;
	p->k = p->a->k;
	p->shm = shm;
	memset(p->msg, 0x3c, sizeof(p->msg));
	/* Classic ICBMsg replies from a thread (its blocks come back through
	 * RELEASE messages that the receive context itself processes); v2
	 * sends from the interrupt context, as Zephyr's v2 lets it: nothing
	 * it waits for comes through the receive context (a sender collects
	 * consumed blocks from the consumer queue). */
	p->threaded = p->k->kind == BENCH_ECHO && p->k->backend == EMU_BACKEND_ICBMSG && !p->k->v2;
	if (p->threaded) {
		pthread_t th;

		/* Before setup: a request may arrive as soon as we are bound. */
		if (pthread_create(&th, NULL, reply_thread, p) != 0) {
			bench_fail(shm, "%s: cannot start the reply thread", emu_role_name(role));
			return -EAGAIN;
		}
		(void)pthread_detach(th); /* ends with the process (_exit) */
	}
	rc = setup(p);
	if (rc < 0) {
		return rc;
	}
	bench_set_flag(&shm->ready[role]);
	if (!bench_wait_flag(&shm->ready[!role], BIND_TIMEOUT_MS)) {
		bench_fail(shm, "%s: the peer did not get ready", emu_role_name(role));
		return -ETIMEDOUT;
	}
	if (role == EMU_ROLE_HOST && p->k->kind != BENCH_IDLE) {
		rc = p->k->kind == BENCH_ECHO ? host_echo(p) : host_stream(p);
		bench_set_flag(&shm->stop);
		record_stats(p);
		return rc;
	}
	(void)bench_wait_flag(&shm->stop, -1);
	record_stats(p);
	/* No teardown: the process exits, the parent owns the segment.  A
	 * close here would only race the peer's last sends. */
	return shm->err[0] != '\0' ? -EIO : 0;
}

/* ------------------------------------------------------------ devicetrees */

static struct emu_dt_plan default_plan[2];
static bool default_loaded;
/* [0]: the large-region board (one instance); [n]: n instances. */
static struct emu_dt_plan multi_plan[MAX_INST + 1][2];
static bool multi_loaded[MAX_INST + 1];

/* BENCH_SCALE_BIG: one ICBMsg instance with 288 KiB per direction and 64
 * blocks each (about 4.5 KiB per block), so that 64 buffers of 4 KiB can be
 * in flight instead of the default board's 3. */
#define BIG_REGION 0x48000u
#define BIG_BLOCKS 64u

/* BENCH_SCALE_BIG with v2: v2's maximum, 32 blocks of >= 4 KiB per
 * direction (examples/icbmsg_v2_max.dts). */
static struct emu_dt_plan v2big_plan[2];
static bool v2big_loaded;

static int load_v2big(char *err, size_t errlen)
{
	static const char dts[] =
		"/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
		"\treserved-memory {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n"
		"\t\tranges;\n"
		"\t\tsram_tx: memory@20000000 {\n\t\t\treg = <0x20000000 0x21000>;\n\t\t};\n"
		"\t\tsram_rx: memory@20021000 {\n\t\t\treg = <0x20021000 0x21000>;\n\t\t};\n"
		"\t};\n\tmbox: mbox@2a000 {\n\t\tcompatible = \"nordic,mbox-nrf-ipc\";\n"
		"\t\treg = <0x2a000 0x1000>;\n\t\t#mbox-cells = <1>;\n\t\tstatus = \"okay\";\n\t};\n"
		"\tipc {\n\t\ticb0: icb0 {\n\t\t\tcompatible = \"zephyr,ipc-icbmsg\";\n"
		"\t\t\ttx-region = <&sram_tx>;\n\t\t\trx-region = <&sram_rx>;\n"
		"\t\t\ttx-blocks = <32>;\n\t\t\trx-blocks = <32>;\n"
		"\t\t\tmboxes = <&mbox 2>, <&mbox 3>;\n\t\t\tmbox-names = \"tx\", \"rx\";\n"
		"\t\t\tdcache-alignment = <8>;\n\t\t\tipc-emu,icbmsg-version = \"v2\";\n"
		"\t\t\tstatus = \"okay\";\n\t\t};\n\t};\n};\n";
	int rc;

	if (v2big_loaded) {
		return 0;
	}
	rc = emu_dt_load_string(dts, "<bench: icbmsg v2 maximum>", &v2big_plan[0], err, errlen);
	if (rc < 0) {
		return rc;
	}
	emu_dt_mirror(&v2big_plan[0], &v2big_plan[1]);
	v2big_loaded = true;
	return 0;
}

static int load_default(char *err, size_t errlen)
{
	if (default_loaded) {
		return 0;
	}
	for (int r = 0; r < 2; r++) {
		int rc = emu_dt_load_string(emu_dt_default_board((enum emu_role)r), "default",
					    &default_plan[r], err, errlen);

		if (rc < 0) {
			return rc;
		}
	}
	default_loaded = true;
	return 0;
}

/* n ICBMsg instances "icb0".."icb<n-1>", each with 16 KiB per direction and
 * the default board's block counts, on one signalling MBOX controller. */
static int load_multi(unsigned n, char *err, size_t errlen)
{
	char dts[8192];
	size_t at = 0;
	int rc;
	bool big = n == 0;
	uint32_t region = big ? BIG_REGION : 0x4000u;
	unsigned tx_blocks = big ? BIG_BLOCKS : 16, rx_blocks = big ? BIG_BLOCKS : 24, count = big ? 1 : n;

#define PUT(...) (at += (size_t)snprintf(dts + at, sizeof(dts) - at, __VA_ARGS__))
	if (multi_loaded[n]) {
		return 0;
	}
	PUT("/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
	    "\treserved-memory {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n"
	    "\t\tranges;\n");
	for (unsigned i = 0; i < count; i++) {
		uint32_t base = 0x20000000u + i * 2 * region;

		PUT("\t\tsram_icb%u_tx: memory@%x {\n\t\t\treg = <0x%x 0x%x>;\n\t\t};\n", i, base,
		    base, region);
		PUT("\t\tsram_icb%u_rx: memory@%x {\n\t\t\treg = <0x%x 0x%x>;\n\t\t};\n", i,
		    base + region, base + region, region);
	}
	PUT("\t};\n\tsoc {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n"
	    "\t\tcompatible = \"simple-bus\";\n\t\tranges;\n"
	    "\t\tmbox: mbox@2a000 {\n\t\t\tcompatible = \"nordic,mbox-nrf-ipc\";\n"
	    "\t\t\treg = <0x2a000 0x1000>;\n\t\t\t#mbox-cells = <1>;\n"
	    "\t\t\tstatus = \"okay\";\n\t\t};\n\t};\n\tipc {\n");
	for (unsigned i = 0; i < count; i++) {
		PUT("\t\ticb%u: icb%u {\n\t\t\tcompatible = \"zephyr,ipc-icbmsg\";\n"
		    "\t\t\ttx-region = <&sram_icb%u_tx>;\n\t\t\trx-region = <&sram_icb%u_rx>;\n"
		    "\t\t\ttx-blocks = <%u>;\n\t\t\trx-blocks = <%u>;\n"
		    "\t\t\tmboxes = <&mbox %u>, <&mbox %u>;\n\t\t\tmbox-names = \"tx\", \"rx\";\n"
		    "\t\t\tdcache-alignment = <8>;\n\t\t\tstatus = \"okay\";\n\t\t};\n",
		    i, i, i, i, tx_blocks, rx_blocks, 2 * i, 2 * i + 1);
	}
	PUT("\t};\n};\n");
#undef PUT
	if (at >= sizeof(dts)) {
		snprintf(err, errlen, "generated devicetree too long");
		return -E2BIG;
	}
	rc = emu_dt_load_string(dts, "<bench: icbmsg instances>", &multi_plan[n][0], err, errlen);
	if (rc < 0) {
		return rc;
	}
	emu_dt_mirror(&multi_plan[n][0], &multi_plan[n][1]);
	multi_loaded[n] = true;
	return 0;
}

/* ------------------------------------------------------------ figures */

void bench_ipc_name(const struct bench_ipc_case *k, struct bench_result *r)
{
	const char *be = k->backend != EMU_BACKEND_ICBMSG ? "icmsg" : k->v2 ? "icbmsg_v2" : "icbmsg";
	const char *db = k->doorbell == EMU_DOORBELL_EVENTFD ? "eventfd" : "futex";

	if (k->kind == BENCH_ECHO) {
		if (k->backend == EMU_BACKEND_ICBMSG && k->size != 64) {
			snprintf(r->name, sizeof(r->name), "%s_echo_%s_%s_%u", be,
				 k->nocopy ? "nocopy" : "copy", db, k->size);
		} else if (k->backend == EMU_BACKEND_ICBMSG) {
			snprintf(r->name, sizeof(r->name), "%s_echo_%s_%s", be,
				 k->nocopy ? "nocopy" : "copy", db);
		} else {
			snprintf(r->name, sizeof(r->name), "%s_echo_%s_%s%s", be,
				 k->rx_in_isr ? "isr" : "workq", db,
				 k->busy_poll_us ? "_busy_poll" : "");
		}
		snprintf(r->group, sizeof(r->group), "%s_echo", be);
	} else if (k->scale == BENCH_SCALE_INST) {
		snprintf(r->name, sizeof(r->name), "%s_instances_%u", be, k->instances);
		snprintf(r->group, sizeof(r->group), "%s_instances", be);
	} else if (k->scale == BENCH_SCALE_EPT) {
		snprintf(r->name, sizeof(r->name), "%s_endpoints_%u", be, k->endpoints);
		snprintf(r->group, sizeof(r->group), "%s_endpoints", be);
	} else if (k->scale == BENCH_SCALE_BIG) {
		snprintf(r->name, sizeof(r->name), "%s_stream_%s_%u_big", be,
			 k->nocopy ? "nocopy" : "copy", k->size);
		snprintf(r->group, sizeof(r->group), "%s_big_%s", be, k->nocopy ? "nocopy" : "copy");
	} else if (k->backend == EMU_BACKEND_ICBMSG) {
		snprintf(r->name, sizeof(r->name), "%s_stream_%s_%u", be,
			 k->nocopy ? "nocopy" : "copy", k->size);
		snprintf(r->group, sizeof(r->group), "%s_stream_%s", be,
			 k->nocopy ? "nocopy" : "copy");
	} else {
		snprintf(r->name, sizeof(r->name), "%s_stream_%s%u", be,
			 k->rx_in_isr ? "isr_" : "", k->size);
		snprintf(r->group, sizeof(r->group), "%s_stream%s", be, k->rx_in_isr ? "_isr" : "");
	}
}

void bench_ipc(const struct bench_cfg *c, struct bench_shm *shm, const struct bench_ipc_case *k,
	       struct bench_result *r)
{
	struct ipc_arg a = {.c = c, .k = k};
	struct emu_segment_cfg sc = {.name = NULL, .doorbell = k->doorbell};
	struct emu_segment *seg = NULL;
	char err[256] = "";
	int rc;

	bench_ipc_name(k, r);
	r->kind = k->kind;
	r->size = k->size;
	r->doorbell = k->doorbell == EMU_DOORBELL_EVENTFD ? "eventfd" : "futex";
	r->rx_in_isr = k->rx_in_isr;
	r->busy_poll = k->busy_poll_us != 0;
	r->nocopy = k->nocopy;
	r->endpoints = k->backend == EMU_BACKEND_ICBMSG ? k->endpoints : 1;
	r->instances = k->scale == BENCH_SCALE_INST ? k->instances : 1;

	if (k->scale == BENCH_SCALE_BIG && k->v2) {
		rc = load_v2big(err, sizeof(err));
		a.plan[0] = &v2big_plan[0];
		a.plan[1] = &v2big_plan[1];
		a.n_inst = 1;
		snprintf(a.label[0], sizeof(a.label[0]), "icb0");
	} else if (k->scale == BENCH_SCALE_BIG) {
		rc = load_multi(0, err, sizeof(err));
		a.plan[0] = &multi_plan[0][0];
		a.plan[1] = &multi_plan[0][1];
		a.n_inst = 1;
		snprintf(a.label[0], sizeof(a.label[0]), "icb0");
	} else if (k->scale == BENCH_SCALE_INST) {
		rc = load_multi(k->instances, err, sizeof(err));
		a.plan[0] = &multi_plan[k->instances][0];
		a.plan[1] = &multi_plan[k->instances][1];
		a.n_inst = k->instances;
		for (unsigned i = 0; i < k->instances; i++) {
			snprintf(a.label[i], sizeof(a.label[i]), "icb%u", i);
		}
	} else {
		rc = load_default(err, sizeof(err));
		a.plan[0] = &default_plan[0];
		a.plan[1] = &default_plan[1];
		a.n_inst = 1;
		snprintf(a.label[0], sizeof(a.label[0]), "%s",
			 k->backend == EMU_BACKEND_ICBMSG ? "ipc1" : "ipc0");
	}
	if (rc < 0) {
		snprintf(r->err, sizeof(r->err), "devicetree: %s", err);
		return;
	}
	sc.mem_base = a.plan[0]->base;
	sc.mem_size = (uint32_t)a.plan[0]->size;
	rc = emu_segment_create(&sc, &seg);
	if (rc < 0) {
		snprintf(r->err, sizeof(r->err), "segment: %s", strerror(-rc));
		return;
	}
	/* The children hold the descriptors: nothing can be left in /dev/shm. */
	(void)emu_segment_unlink(seg);
	emu_segment_get_fds(seg, &a.fds);
	rc = bench_fork2(shm, ipc_child, &a, c->echo_s + c->stream_s + 30, err, sizeof(err));
	emu_segment_close(seg);
	r->retries += shm->retries;
	r->have_stats = true;
	for (int i = 0; i < 2; i++) {
		r->signals[i] += shm->signals[i]; /* all rounds */
		r->wakeups[i] += shm->wakeups[i];
	}
	if (rc < 0) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		return;
	}
	r->ok = true;
	if (k->kind == BENCH_ECHO) {
		bench_reduce_rtt(r, shm, shm->n_rtt / 20);
	} else {
		bench_reduce_stream(r, shm);
	}
}

/* ------------------------------------------------------------ idle cost */

struct idle_arg {
	struct ipc_arg ipc;
	double seconds;
	double cpu_s[2];
};

/* Both instances of the default board bound, then nothing but waiting. */
static int idle_child(int role, void *arg, struct bench_shm *shm)
{
	struct idle_arg *ia = arg;

	return ipc_child(role, &ia->ipc, shm);
}

/* CPU time of every thread of pid, in seconds. */
static double proc_cpu_s(pid_t pid)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	return bench_task_cpu_s(dir);
}

static int idle_monitor(const pid_t pid[2], struct bench_shm *shm, void *arg)
{
	struct idle_arg *ia = arg;
	double before[2], after[2];
	uint64_t t0, t1;

	(void)shm;
	bench_sleep_s(0.2); /* let bonding traffic and the first heartbeats pass */
	t0 = bench_now_ns();
	for (int r = 0; r < 2; r++) {
		before[r] = proc_cpu_s(pid[r]);
	}
	bench_sleep_s(ia->seconds);
	for (int r = 0; r < 2; r++) {
		after[r] = proc_cpu_s(pid[r]);
	}
	t1 = bench_now_ns();
	ia->seconds = (double)(t1 - t0) / 1e9;
	for (int r = 0; r < 2; r++) {
		ia->cpu_s[r] = after[r] - before[r];
	}
	return 0;
}

void bench_idle_cost(const struct bench_cfg *c, struct bench_shm *shm, uint32_t busy_poll_us,
		     struct bench_idle *out)
{
	/* ICMsg as the case's backend: one endpoint per instance (ICBMsg too). */
	const struct bench_ipc_case kk = {
		.backend = EMU_BACKEND_ICMSG, .kind = BENCH_IDLE, .doorbell = EMU_DOORBELL_FUTEX,
		.busy_poll_us = busy_poll_us, .size = 64, .endpoints = 1,
	};
	struct idle_arg ia = {.ipc = {.c = c, .k = &kk}, .seconds = c->idle_s};
	struct emu_segment_cfg sc = {.name = NULL, .doorbell = EMU_DOORBELL_FUTEX};
	struct emu_segment *seg = NULL;
	char err[256] = "";
	int rc;

	memset(out, 0, sizeof(*out));
	out->busy_poll_us = busy_poll_us;
	rc = load_default(err, sizeof(err));
	if (rc < 0) {
		snprintf(out->err, sizeof(out->err), "devicetree: %s", err);
		return;
	}
	ia.ipc.plan[0] = &default_plan[0];
	ia.ipc.plan[1] = &default_plan[1];
	ia.ipc.n_inst = 2; /* ipc0 (ICMsg) and ipc1 (ICBMsg), one endpoint each */
	snprintf(ia.ipc.label[0], sizeof(ia.ipc.label[0]), "ipc0");
	snprintf(ia.ipc.label[1], sizeof(ia.ipc.label[1]), "ipc1");
	sc.mem_base = default_plan[0].base;
	sc.mem_size = (uint32_t)default_plan[0].size;
	rc = emu_segment_create(&sc, &seg);
	if (rc < 0) {
		snprintf(out->err, sizeof(out->err), "segment: %s", strerror(-rc));
		return;
	}
	(void)emu_segment_unlink(seg);
	emu_segment_get_fds(seg, &ia.ipc.fds);
	rc = bench_fork2_ex(shm, idle_child, &ia, idle_monitor, &ia, c->idle_s + 30, err,
			    sizeof(err));
	emu_segment_close(seg);
	if (rc < 0) {
		snprintf(out->err, sizeof(out->err), "%s", err);
		return;
	}
	out->ok = true;
	out->seconds = ia.seconds;
	for (int r = 0; r < 2; r++) {
		out->cpu_percent[r] = 100.0 * ia.cpu_s[r] / ia.seconds;
	}
	out->total_percent = out->cpu_percent[0] + out->cpu_percent[1];
}
