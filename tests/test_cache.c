/*
 * The cache model (docs/cache-model.md).
 *
 * Built twice over: test_cache links the regular core and checks the model
 * itself (exact bytes and counters) and that ICMsg and ICBMsg pairs work
 * through it; test_cache_broken_<site> links a core built with one cache
 * operation removed (TEST_CACHE_BROKEN = its PORT_CSITE_* number) and checks
 * that the model catches it, and that without the model nothing shows.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_internal.h"
#include "ipc_emu/ipc_service.h"
#include "port.h"
#include "support/pair.h"
#include "support/vg_cases.h"

#define HOST 0
#define REMOTE 1

/* ================================================================ pair exchange */

struct side {
	const struct device *dev;
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	atomic_int bound, received, good, bad, errors;
};

static struct pair P;
static struct side sides[2];
/* The remote's ICMsg unbound override when it differs from the host's
 * (0: the run_cfg's for both); reset by setup(). */
static int remote_unbound;

static void on_bound(void *priv)
{
	atomic_fetch_add(&((struct side *)priv)->bound, 1);
}

/* Message i of a side: length 16 + (i * 13) % 112 (the ICMsg RX buffer
 * holds 128), bytes never 0. */
static size_t msg_len(int i)
{
	return 16u + (size_t)(i * 13) % 112u;
}

static unsigned char msg_byte(int role, int i, size_t k)
{
	return (unsigned char)(((size_t)i * 7u + k + (size_t)role * 101u) % 255u + 1u);
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct side *s = priv;
	int role = s == &sides[HOST] ? HOST : REMOTE;
	int i = atomic_load(&s->received);
	const unsigned char *p = data;
	bool ok = len == msg_len(i);

	/* The peer's message i, in order. */
	for (size_t k = 0; ok && k < len; k++) {
		ok = p[k] == msg_byte(1 - role, i, k);
	}
	atomic_fetch_add(ok ? &s->good : &s->bad, 1);
	atomic_fetch_add(&s->received, 1);
}

static void on_error(const char *msg, void *priv)
{
	atomic_fetch_add(&((struct side *)priv)->errors, 1);
}

static void setup(void)
{
	memset(sides, 0, sizeof(sides));
	remote_unbound = 0;
	pair_setup(&P, "cache");
}

static void teardown(void)
{
	pair_teardown(&P);
}

struct run_cfg {
	const char *label;  /* "ipc0" (ICMsg) or "ipc1" (ICBMsg) */
	int unbound;        /* ICMsg unbound override (0: devicetree) */
	bool cache_model;
	int evict_rate;     /* -1: default */
	uint64_t seed;
	bool rx_in_isr;
	const char *name;   /* endpoint name (NULL: "ep0") */
};


/* Build both boards and open the instance; true if both sides bound within
 * bound_ms. */
static bool bring_up(const struct run_cfg *rc, int bound_ms)
{
	for (int r = 0; r < 2; r++) {
		struct emu_board_opts o;
		struct side *s = &sides[r];

		emu_board_opts_default(&o);
		/* classic ICBMsg on ipc1 (the default is v2; test_icbmsg_v2 has
		 * v2 behind the cache model) */
		o.icbmsg_version = EMU_ICBMSG_CLASSIC;
		o.unbound_override = r == REMOTE && remote_unbound != 0 ? remote_unbound : rc->unbound;
		o.cache_model = rc->cache_model;
		o.cache_seed = rc->seed + (uint64_t)r;
		o.icmsg_rx_in_isr = rc->rx_in_isr;
		pair_start(&P, r, &o);
		if (rc->cache_model) {
			cr_assert_not_null(emu_board_cache(P.board[r]));
			if (rc->evict_rate >= 0) {
				emu_cache_set_evict_rate(emu_board_cache(P.board[r]),
							 (uint32_t)rc->evict_rate);
			}
		} else {
			cr_assert_null(emu_board_cache(P.board[r]));
		}
		s->dev = emu_board_device(P.board[r], rc->label);
		cr_assert_not_null(s->dev);
		s->cfg = (struct ipc_ept_cfg){
			.name = rc->name != NULL ? rc->name : "ep0",
			.cb = {.bound = on_bound, .received = on_received, .error = on_error},
			.priv = s};
	}
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(ipc_service_open_instance(sides[r].dev), 0);
		cr_assert_eq(ipc_service_register_endpoint(sides[r].dev, &sides[r].ept,
							   &sides[r].cfg),
			     0);
	}
	return wait_until(&sides[HOST].bound, 1, bound_ms) &&
	       wait_until(&sides[REMOTE].bound, 1, bound_ms);
}

/* Send message i of `role`, retrying while the ring or the blocks are full. */
static void send_msg(int role, int i)
{
	unsigned char buf[256];
	size_t len = msg_len(i);
	int rc;

	for (size_t k = 0; k < len; k++) {
		buf[k] = msg_byte(role, i, k);
	}
	for (int tries = 0;; tries++) {
		rc = ipc_service_send(&sides[role].ept, buf, len);
		if (rc != -ENOMEM && rc != -ENOBUFS && rc != -EAGAIN && rc != -EBUSY) {
			break;
		}
		cr_assert_lt(tries, 5000, "send %d of role %d stuck (%d)", i, role, rc);
		usleep(200);
	}
	cr_assert_eq(rc, (int)len, "send %d of role %d: %d", i, role, rc);
}

/* n messages each way; lockstep: wait for each before the next. */
static void exchange(int n, bool lockstep)
{
	for (int i = 0; i < n; i++) {
		send_msg(HOST, i);
		send_msg(REMOTE, i);
		if (lockstep) {
			cr_assert(wait_until(&sides[REMOTE].received, i + 1, 2000), "message %d lost", i);
			cr_assert(wait_until(&sides[HOST].received, i + 1, 2000), "message %d lost", i);
		}
	}
	cr_assert(wait_until(&sides[REMOTE].received, n, 3000), "remote got %d of %d",
		  atomic_load(&sides[REMOTE].received), n);
	cr_assert(wait_until(&sides[HOST].received, n, 3000), "host got %d of %d",
		  atomic_load(&sides[HOST].received), n);
}

/* n messages each way, and each side counted exactly n good, 0 bad. */
static void exchange_all_good(int n)
{
	exchange(n, false);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(atomic_load(&sides[r].good), n, "role %d: %d good", r,
			     atomic_load(&sides[r].good));
		cr_assert_eq(atomic_load(&sides[r].bad), 0);
	}
}

static void close_both(void)
{
	for (int r = 0; r < 2; r++) {
		(void)ipc_service_close_instance(sides[r].dev);
	}
}

#ifndef TEST_CACHE_BROKEN

/* ================================================================ the model itself */

static uint8_t shared_mem[1024] __attribute__((aligned(64)));

/* A cache with one view of shared_mem[0..len) at target address `target`. */
static uint8_t *view(struct emu_cache **c, uint64_t seed, uint64_t target, size_t len,
		     uint32_t line, uint32_t rate)
{
	uint8_t *p;

	cr_assert_eq(emu_cache_create(seed, c), 0);
	emu_cache_set_evict_rate(*c, rate);
	p = emu_cache_map(*c, shared_mem, target, len, line);
	cr_assert_not_null(p);
	cr_assert_neq(p, shared_mem);
	cr_assert_eq(((uintptr_t)p ^ (uintptr_t)target) & (line - 1u), 0,
		     "private copy keeps the target's alignment");
	return p;
}

static void stats(struct emu_cache *c, struct emu_cache_stats *s)
{
	emu_cache_get_stats(c, s);
}

VgTest(cache_model, starts_clean_with_the_shared_contents)
{
	struct emu_cache *c;
	uint8_t *p;

	for (size_t i = 0; i < sizeof(shared_mem); i++) {
		shared_mem[i] = (uint8_t)i;
	}
	p = view(&c, 1, 0x20000000, 256, 8, 0);
	cr_assert_eq(memcmp(p, shared_mem, 256), 0);
	cr_assert_eq(emu_cache_dirty_lines(c), 0);
	/* A store is not seen by shared memory until flushed. */
	p[10] = 0xAA;
	cr_assert_eq(shared_mem[10], 10);
	cr_assert_eq(emu_cache_dirty_lines(c), 1);
	emu_cache_destroy(c);
	cr_assert_eq(shared_mem[10], 10, "dirty data of a destroyed cache is lost");
}

VgTest(cache_model, flush_writes_back_whole_dirty_lines_only)
{
	struct emu_cache *c;
	struct emu_cache_stats s;
	uint8_t *p;

	memset(shared_mem, 0x11, sizeof(shared_mem));
	p = view(&c, 1, 0x20000000, 64, 8, 0);
	p[3] = 0xAA;          /* line 0 */
	p[20] = 0xBB;         /* line 2 */
	shared_mem[5] = 0x55; /* the peer writes into our line 0: the hazard */
	shared_mem[40] = 0x66; /* and into line 5, clean here */
	port_cache_flush(p, 64);
	cr_assert_eq(shared_mem[3], 0xAA);
	cr_assert_eq(shared_mem[5], 0x11, "a dirty line is written back whole");
	cr_assert_eq(shared_mem[20], 0xBB);
	cr_assert_eq(shared_mem[40], 0x66, "clean lines are not written");
	cr_assert_eq(p[40], 0x11, "nor refetched");
	stats(c, &s);
	cr_assert_eq(s.flushes, 1);
	cr_assert_eq(s.lines_written_back, 2);
	cr_assert_eq(s.invalidates, 0);
	cr_assert_eq(s.evictions, 0);
	/* Written back: clean again, a second flush writes nothing. */
	cr_assert_eq(emu_cache_dirty_lines(c), 0);
	port_cache_flush(p, 64);
	stats(c, &s);
	cr_assert_eq(s.flushes, 2);
	cr_assert_eq(s.lines_written_back, 2);
	emu_cache_destroy(c);
}

VgTest(cache_model, flush_covers_only_the_lines_of_the_range)
{
	struct emu_cache *c;
	struct emu_cache_stats s;
	uint8_t *p;

	memset(shared_mem, 0, sizeof(shared_mem));
	p = view(&c, 1, 0x20000000, 64, 8, 0);
	memset(p, 0x77, 64);
	port_cache_flush(p + 15, 2); /* bytes 15 and 16: lines 1 and 2 */
	for (size_t i = 0; i < 64; i++) {
		cr_assert_eq(shared_mem[i], i >= 8 && i < 24 ? 0x77 : 0, "byte %zu", i);
	}
	stats(c, &s);
	cr_assert_eq(s.lines_written_back, 2);
	cr_assert_eq(emu_cache_dirty_lines(c), 6);
	emu_cache_destroy(c);
}

VgTest(cache_model, invalidate_refetches_and_discards_dirty_data)
{
	struct emu_cache *c;
	struct emu_cache_stats s;
	uint8_t *p;

	memset(shared_mem, 0x11, sizeof(shared_mem));
	p = view(&c, 1, 0x20000000, 64, 8, 0);
	p[3] = 0xAA;          /* dirty, line 0 */
	p[9] = 0xCC;          /* dirty, line 1 (not invalidated) */
	shared_mem[4] = 0x77; /* the peer's new data in line 0 */
	shared_mem[12] = 0x99; /* and in line 1 */
	port_cache_invd(p + 2, 1);
	cr_assert_eq(p[3], 0x11, "dirty byte discarded");
	cr_assert_eq(p[4], 0x77, "line refetched");
	cr_assert_eq(p[9], 0xCC, "other lines untouched");
	cr_assert_eq(p[12], 0x11, "other lines not refetched");
	stats(c, &s);
	cr_assert_eq(s.invalidates, 1);
	cr_assert_eq(s.lines_refetched, 1);
	cr_assert_eq(emu_cache_dirty_lines(c), 1);
	port_cache_flush(p, 64);
	cr_assert_eq(shared_mem[3], 0x11, "the discarded store never reaches memory");
	cr_assert_eq(shared_mem[9], 0xCC);
	cr_assert_eq(shared_mem[12], 0x11, "line 1 written back whole, over the peer's byte");
	emu_cache_destroy(c);
}

static uint32_t line_sizes[] = {8, 32, 64};

VgParameterizedTest(uint32_t, line, line_sizes, cache_model, line_granularity, .timeout = 60)
{
	const uint32_t L = *line;
	struct emu_cache *c;
	struct emu_cache_stats s;
	uint8_t *p;

	memset(shared_mem, 0, sizeof(shared_mem));
	p = view(&c, 1, 0x20000000, 512, L, 0);
	/* One byte stored, one byte flushed: exactly its line goes out. */
	memset(p, 0x5A, 512);
	port_cache_flush(p + L + 1, 1);
	for (size_t i = 0; i < 512; i++) {
		cr_assert_eq(shared_mem[i], i >= L && i < 2 * L ? 0x5A : 0, "L=%u byte %zu", L, i);
	}
	/* A flush straddling a line boundary takes both lines. */
	port_cache_flush(p + 3 * L - 1, 2);
	for (size_t i = 0; i < 512; i++) {
		bool out = (i >= L && i < 2 * L) || (i >= 2 * L && i < 4 * L);

		cr_assert_eq(shared_mem[i], out ? 0x5A : 0, "L=%u byte %zu", L, i);
	}
	/* Invalidating one byte refetches exactly its line. */
	memset(shared_mem, 0xE1, 512);
	port_cache_invd(p + 5 * L + L / 2, 1);
	for (size_t i = 0; i < 512; i++) {
		cr_assert_eq(p[i], i >= 5 * L && i < 6 * L ? 0xE1 : 0x5A, "L=%u byte %zu", L, i);
	}
	stats(c, &s);
	cr_assert_eq(s.flushes, 2);
	cr_assert_eq(s.lines_written_back, 3);
	cr_assert_eq(s.invalidates, 1);
	cr_assert_eq(s.lines_refetched, 1);
	cr_assert_eq(emu_cache_dirty_lines(c), 512 / L - 4);
	emu_cache_destroy(c);
}

VgTest(cache_model, lines_follow_target_alignment_and_clip_at_region_ends)
{
	struct emu_cache *c;
	struct emu_cache_stats s;
	uint8_t *p;

	memset(shared_mem, 0, sizeof(shared_mem));
	/* Target 0x...04 with 8-byte lines: line 0 is the region's bytes 0-3. */
	p = view(&c, 1, 0x20000004, 20, 8, 0);
	memset(p, 0x33, 20);
	port_cache_flush(p + 1, 1);
	for (size_t i = 0; i < 32; i++) {
		cr_assert_eq(shared_mem[i], i < 4 ? 0x33 : 0, "byte %zu", i);
	}
	/* Last line: region bytes 12-19, clipped; nothing beyond is touched. */
	port_cache_flush(p + 19, 1);
	for (size_t i = 0; i < 32; i++) {
		cr_assert_eq(shared_mem[i], i < 4 || (i >= 12 && i < 20) ? 0x33 : 0, "byte %zu", i);
	}
	stats(c, &s);
	cr_assert_eq(s.lines_written_back, 2);
	/* A range leaving the view is not ours: no-op. */
	port_cache_flush(p + 16, 8);
	stats(c, &s);
	cr_assert_eq(s.flushes, 2);
	emu_cache_destroy(c);
}

VgTest(cache_model, memory_outside_views_is_untouched)
{
	struct emu_cache *c;
	struct emu_cache_stats s;
	uint8_t other[64];

	memset(shared_mem, 0, sizeof(shared_mem));
	(void)view(&c, 1, 0x20000000, 64, 8, 1024);
	memset(other, 0x42, sizeof(other));
	port_cache_flush(other, sizeof(other));
	port_cache_invd(other, sizeof(other));
	port_cache_flush(shared_mem, 64); /* the shared mapping itself is no view */
	stats(c, &s);
	cr_assert_eq(s.flushes + s.invalidates + s.evictions, 0);
	cr_assert_eq(other[0], 0x42);
	emu_cache_destroy(c);
	/* No view left at all: the fast path. */
	port_cache_flush(other, sizeof(other));
}

/* 100 invalidates of line 0 with an eviction at every call, all lines dirty:
 * returns the bitmap of lines that reached shared memory. */
static uint64_t evict_run(uint64_t seed, struct emu_cache_stats *s)
{
	struct emu_cache *c;
	uint8_t *p;
	uint64_t map = 0;

	memset(shared_mem, 0, 512);
	p = view(&c, seed, 0x20000000, 512, 8, 1024); /* 64 lines */
	memset(p, 0xEE, 512);
	for (int i = 0; i < 100; i++) {
		port_cache_invd(p, 1);
	}
	for (unsigned k = 0; k < 64; k++) {
		if (shared_mem[k * 8] == 0xEE) {
			map |= 1ull << k;
		}
		/* Whole lines: an evicted line is entirely in shared memory. */
		for (unsigned j = 1; j < 8; j++) {
			cr_assert_eq(shared_mem[k * 8 + j], shared_mem[k * 8], "line %u", k);
		}
	}
	stats(c, s);
	emu_cache_destroy(c);
	return map;
}

VgTest(cache_model, eviction_is_deterministic_for_a_seed)
{
	struct emu_cache_stats a, b, d;
	uint64_t m1 = evict_run(42, &a);
	uint64_t m2 = evict_run(42, &b);
	uint64_t m3 = evict_run(43, &d);

	cr_assert_eq(m1, m2, "same seed, same evictions");
	cr_assert_neq(m1, m3, "another seed, other evictions");
	cr_assert_eq(a.evictions, 100);
	cr_assert_eq(a.invalidates, 100);
	cr_assert_eq(a.lines_refetched, 100);
	/* Line 0 is invalidated before each eviction: it never goes out dirty. */
	cr_assert_eq(m1 & 1u, 0);
	/* Each dirty eviction wrote one distinct line; the rest hit clean ones. */
	cr_assert_eq(a.evicted_dirty, (uint64_t)__builtin_popcountll(m1));
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	cr_assert_gt(a.evicted_dirty, 10);
	cr_assert_lt(a.evicted_dirty, 64);
}

VgTest(cache_model, eviction_of_a_clean_line_refetches_it)
{
	struct emu_cache *c;
	struct emu_cache_stats s;
	uint8_t *p;
	size_t fresh = 0;

	memset(shared_mem, 0, 512);
	p = view(&c, 7, 0x20000000, 512, 8, 1024);
	memset(shared_mem, 0x21, 512); /* the peer rewrote everything */
	for (int i = 0; i < 50; i++) {
		port_cache_flush(p, 1); /* line 0 clean: nothing written */
	}
	for (unsigned k = 0; k < 64; k++) {
		bool seen = p[k * 8] == 0x21;

		for (unsigned j = 1; j < 8; j++) {
			cr_assert_eq(p[k * 8 + j] == 0x21, seen, "line %u refetched whole", k);
		}
		fresh += seen;
	}
	stats(c, &s);
	cr_assert_eq(s.evictions, 50);
	cr_assert_eq(s.evicted_dirty, 0);
	cr_assert_eq(s.lines_written_back, 0);
	cr_assert_gt(fresh, 10);
	cr_assert_eq(emu_cache_dirty_lines(c), 0, "refetched lines are clean");
	emu_cache_destroy(c);
}

VgTest(cache_model, rejects_bad_lines)
{
	struct emu_cache *c;

	cr_assert_eq(emu_cache_create(0, &c), 0);
	cr_assert_null(emu_cache_map(c, shared_mem, 0x1000, 64, 12));
	cr_assert_null(emu_cache_map(c, shared_mem, 0x1000, 64, 8192));
	cr_assert_null(emu_cache_map(c, shared_mem, 0x1000, 0, 8));
	/* 0 (no dcache-alignment) and 2 mean 4-byte lines. */
	cr_assert_not_null(emu_cache_map(c, shared_mem, 0x1000, 64, 0));
	cr_assert_not_null(emu_cache_map(c, shared_mem + 64, 0x1040, 64, 2));
	emu_cache_destroy(c);
}

/* ================================================================ regular core, pairs */

TestSuite(cache_pair, .init = setup, .fini = teardown, .timeout = 60);

static void good_exchange(const struct run_cfg *rc, int n)
{
	struct emu_cache_stats s[2];

	cr_assert(bring_up(rc, 3000), "not bound through the cache model");
	exchange(n, false);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(atomic_load(&sides[r].good), n, "role %d: %d good of %d", r,
			     atomic_load(&sides[r].good), n);
		cr_assert_eq(atomic_load(&sides[r].bad), 0);
		cr_assert_eq(atomic_load(&sides[r].errors), 0);
		emu_cache_get_stats(emu_board_cache(P.board[r]), &s[r]);
		cr_assert_gt(s[r].flushes, (uint64_t)n);
		cr_assert_gt(s[r].invalidates, (uint64_t)n);
		cr_assert_gt(s[r].lines_written_back, (uint64_t)n);
	}
	close_both();
}

VgTest(cache_pair, icmsg_legacy)
{
	good_exchange(&(struct run_cfg){"ipc0", EMU_UNBOUND_DISABLE, true, -1, 1, false, NULL}, 300);
}

VgTest(cache_pair, icmsg_enable)
{
	good_exchange(&(struct run_cfg){"ipc0", EMU_UNBOUND_ENABLE, true, -1, 2, false, NULL}, 300);
}

VgTest(cache_pair, icmsg_detect)
{
	good_exchange(&(struct run_cfg){"ipc0", EMU_UNBOUND_DETECT, true, -1, 3, false, NULL}, 300);
}

VgTest(cache_pair, icmsg_enable_rx_in_isr_evicting_at_every_op)
{
	good_exchange(&(struct run_cfg){"ipc0", EMU_UNBOUND_ENABLE, true, 1024, 4, true, NULL}, 300);
}

/*
 * A second session on the same rings (the remote deregisters and both
 * re-register, as Zephyr's ipc_sessions sample does): the ring indices are
 * no longer 0, so each writer's pbuf_tx_init() really changes the rd_idx
 * word that sits in the READER's cache line (docs/cache-model.md).
 */
VgTest(cache_pair, icmsg_enable_second_session)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_ENABLE, true, -1, 7, false, NULL},
			   3000));
	exchange(50, false);
	cr_assert_eq(ipc_service_deregister_endpoint(&sides[REMOTE].ept), 0);
	usleep(20000);
	cr_assert_eq(ipc_service_deregister_endpoint(&sides[HOST].ept), 0);
	for (int r = 0; r < 2; r++) {
		atomic_store(&sides[r].received, 0);
		atomic_store(&sides[r].good, 0);
		atomic_store(&sides[r].bad, 0);
		cr_assert_eq(ipc_service_register_endpoint(sides[r].dev, &sides[r].ept,
							   &sides[r].cfg),
			     0);
	}
	cr_assert(wait_until(&sides[HOST].bound, 2, 3000), "host not re-bound");
	cr_assert(wait_until(&sides[REMOTE].bound, 2, 3000), "remote not re-bound");
	exchange_all_good(300);
	close_both();
}

/*
 * Re-registration (issue 15 section 1, docs/cache-model.md
 * "Re-registration"): side `first` deregisters, 10 ms later the other does
 * (its application reacting to unbound()), both register again.  One
 * message each way in lockstep per session keeps the rd_idx of each ring
 * small, so a stale rd_idx written back over the writer's reset would leave
 * too little room for the next message: every send after re-binding must
 * succeed at its first try, and arrive intact.
 */
static void reregister_rounds(int unbound, int first, uint64_t seed)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc0", unbound, true, -1, seed, false, NULL}, 3000));
	for (int round = 0; round < 4; round++) {
		for (int r = 0; r < 2; r++) {
			unsigned char buf[16];

			memset(buf, round + 1, sizeof(buf));
			atomic_store(&sides[1 - r].received, 0);
			atomic_store(&sides[1 - r].good, 0);
			atomic_store(&sides[1 - r].bad, 0);
			cr_assert_eq(ipc_service_send(&sides[r].ept, buf, sizeof(buf)),
				     (int)sizeof(buf), "round %d: role %d's first try", round, r);
			cr_assert(wait_until(&sides[1 - r].received, 1, 3000),
				  "round %d: role %d's message lost", round, r);
		}
		cr_assert_eq(ipc_service_deregister_endpoint(&sides[first].ept), 0);
		usleep(10000);
		cr_assert_eq(ipc_service_deregister_endpoint(&sides[1 - first].ept), 0);
		for (int r = 0; r < 2; r++) {
			cr_assert_eq(ipc_service_register_endpoint(sides[r].dev, &sides[r].ept,
								   &sides[r].cfg),
				     0);
		}
		for (int r = 0; r < 2; r++) {
			cr_assert(wait_until(&sides[r].bound, round + 2, 3000),
				  "round %d: role %d not re-bound", round, r);
		}
	}
	close_both();
}

VgTest(cache_pair, icmsg_enable_remote_reregisters)
{
	reregister_rounds(EMU_UNBOUND_ENABLE, REMOTE, 11);
}

VgTest(cache_pair, icmsg_enable_host_reregisters)
{
	reregister_rounds(EMU_UNBOUND_ENABLE, HOST, 12);
}

VgTest(cache_pair, icmsg_detect_remote_reregisters)
{
	reregister_rounds(EMU_UNBOUND_DETECT, REMOTE, 13);
}

VgTest(cache_pair, icmsg_detect_host_reregisters)
{
	reregister_rounds(EMU_UNBOUND_DETECT, HOST, 14);
}

/* A detect-mode host finds a legacy remote by the magic at the start of
 * its RX ring, read in place (pbuf_get_initial_buf()), then bonds. */
VgTest(cache_pair, icmsg_detect_with_legacy_peer)
{
	remote_unbound = EMU_UNBOUND_DISABLE;
	good_exchange(&(struct run_cfg){"ipc0", EMU_UNBOUND_DETECT, true, -1, 8, false, NULL}, 300);
}

VgTest(cache_pair, icbmsg)
{
	good_exchange(&(struct run_cfg){"ipc1", 0, true, -1, 5, false, NULL}, 300);
}

VgTest(cache_pair, icbmsg_evicting_at_every_op)
{
	good_exchange(&(struct run_cfg){"ipc1", 0, true, 1024, 6, false, NULL}, 300);
}

#else /* TEST_CACHE_BROKEN */

/* ================================================================ broken core */

TestSuite(broken, .init = setup, .fini = teardown, .timeout = 60);

#define N_BROKEN 40 /* no wrap of the ICMsg ring: every payload line is fresh */

#if TEST_CACHE_BROKEN == PORT_CSITE_PBUF_WRITE_PAYLOAD || \
	TEST_CACHE_BROKEN == PORT_CSITE_PBUF_READ_PAYLOAD
#define PBUF_SITE 1
#else
#define PBUF_SITE 0
#endif

#if TEST_CACHE_BROKEN == PORT_CSITE_PBUF_INITIAL_PAYLOAD
/*
 * A detect-mode host reads a legacy remote's magic (13 bytes after the
 * 4-byte header) in place with pbuf_get_initial_buf(), which invalidates the
 * header and then the payload.  Without the payload invalidate only the
 * header's 8-byte line is fresh: magic bytes 4-12 are the stale zeros of
 * the new region, the host never sees a legacy peer and waits for a session
 * handshake that a legacy remote never sends; the remote waits for the
 * host's magic.  Neither side binds (no evictions: no line is refetched by
 * chance).
 */
VgTest(broken, icmsg_detect_never_sees_legacy_peer)
{
	remote_unbound = EMU_UNBOUND_DISABLE;
	cr_assert_not(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_DETECT, true, 0, 1, false, NULL},
			       1000));
	cr_assert_eq(atomic_load(&sides[HOST].bound), 0);
	cr_assert_eq(atomic_load(&sides[REMOTE].bound), 0);
	close_both();
}

/* The same pair binds and exchanges without the model: only the model
 * shows the missing invalidate. */
VgTest(broken, without_the_model_icmsg_detect_with_legacy_peer_passes)
{
	remote_unbound = EMU_UNBOUND_DISABLE;
	cr_assert(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_DETECT, false, 0, 1, false, NULL},
			   3000));
	exchange_all_good(300);
	close_both();
}

#elif PBUF_SITE
/*
 * ICMsg with sessions binds without any payload (session words only); then
 * every message of 16 bytes or more has payload lines that never reach the
 * reader (flush removed) or that the reader never refetches (invalidate
 * removed): with no eviction, all N arrive with their lengths (the header
 * lines are maintained) and all N have wrong bytes.
 */
VgTest(broken, icmsg_enable_every_message_corrupted)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_ENABLE, true, 0, 1, false, NULL}, 3000));
	exchange(N_BROKEN, true);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(atomic_load(&sides[r].received), N_BROKEN);
		cr_assert_eq(atomic_load(&sides[r].bad), N_BROKEN, "role %d: %d corrupted", r,
			     atomic_load(&sides[r].bad));
		cr_assert_eq(atomic_load(&sides[r].good), 0);
	}
	close_both();
}

/* With the default random evictions some payload lines may get out (or in)
 * by chance, never all of them. */
VgTest(broken, icmsg_enable_corrupted_with_evictions)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_ENABLE, true, -1, 1, false, NULL}, 3000));
	exchange(N_BROKEN, true);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(atomic_load(&sides[r].received), N_BROKEN);
		cr_assert_gt(atomic_load(&sides[r].bad), N_BROKEN / 2, "role %d: %d corrupted", r,
			     atomic_load(&sides[r].bad));
	}
	close_both();
}

/* Legacy bonding needs the 13-byte magic's payload: it never arrives
 * intact, so neither side ever binds. */
VgTest(broken, icmsg_legacy_never_binds)
{
	cr_assert_not(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_DISABLE, true, 0, 1, false, NULL},
			       1000));
	cr_assert_eq(atomic_load(&sides[HOST].bound), 0);
	cr_assert_eq(atomic_load(&sides[REMOTE].bound), 0);
	close_both();
}

VgTest(broken, without_the_model_icmsg_enable_passes)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_ENABLE, false, 0, 1, false, NULL}, 3000));
	exchange_all_good(300);
	close_both();
}

VgTest(broken, without_the_model_icmsg_legacy_passes)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc0", EMU_UNBOUND_DISABLE, false, 0, 1, false, NULL}, 3000));
	exchange_all_good(300);
	close_both();
}

#elif TEST_CACHE_BROKEN == PORT_CSITE_ICBMSG_BLOCK_FLUSH || \
	TEST_CACHE_BROKEN == PORT_CSITE_ICBMSG_BLOCK_INVD /* ICBMsg block sites */

#if TEST_CACHE_BROKEN == PORT_CSITE_ICBMSG_BLOCK_FLUSH
/*
 * The endpoint binding request carries the endpoint's name in a block whose
 * header (its size) and name never reach the follower: the control channel
 * binds, no endpoint ever does.
 */
VgTest(broken, icbmsg_endpoint_never_binds)
{
	cr_assert_not(bring_up(&(struct run_cfg){"ipc1", 0, true, 0, 1, false, NULL}, 1000));
	cr_assert_eq(atomic_load(&sides[HOST].bound), 0);
	cr_assert_eq(atomic_load(&sides[REMOTE].bound), 0);
	close_both();
}

VgTest(broken, icbmsg_endpoint_never_binds_with_evictions)
{
	cr_assert_not(bring_up(&(struct run_cfg){"ipc1", 0, true, -1, 1, false, NULL}, 1000));
	cr_assert_eq(atomic_load(&sides[HOST].bound), 0);
	cr_assert_eq(atomic_load(&sides[REMOTE].bound), 0);
	close_both();
}
#else /* PORT_CSITE_ICBMSG_BLOCK_INVD */
/*
 * The block header (size) is still invalidated, and with it the rest of its
 * 8-byte line: a 3-character name ("ep0" and its NUL) fits there, so the
 * endpoint binds; every data message of 16 bytes or more is then read from
 * stale lines.  A longer name is read stale already: no binding.
 */
VgTest(broken, icbmsg_every_message_corrupted)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc1", 0, true, 0, 1, false, NULL}, 3000));
	exchange(N_BROKEN, true);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(atomic_load(&sides[r].received), N_BROKEN);
		cr_assert_eq(atomic_load(&sides[r].bad), N_BROKEN, "role %d: %d corrupted", r,
			     atomic_load(&sides[r].bad));
		cr_assert_eq(atomic_load(&sides[r].good), 0);
	}
	close_both();
}

VgTest(broken, icbmsg_corrupted_with_evictions)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc1", 0, true, -1, 1, false, NULL}, 3000));
	exchange(N_BROKEN, true);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(atomic_load(&sides[r].received), N_BROKEN);
		cr_assert_gt(atomic_load(&sides[r].bad), N_BROKEN / 2, "role %d: %d corrupted", r,
			     atomic_load(&sides[r].bad));
	}
	close_both();
}

VgTest(broken, icbmsg_long_name_never_binds)
{
	cr_assert_not(bring_up(&(struct run_cfg){"ipc1", 0, true, 0, 1, false, "endpoint-zero"},
			       1000));
	cr_assert_eq(atomic_load(&sides[HOST].bound), 0);
	cr_assert_eq(atomic_load(&sides[REMOTE].bound), 0);
	close_both();
}
#endif

#endif

VgTest(broken, without_the_model_icbmsg_passes)
{
	cr_assert(bring_up(&(struct run_cfg){"ipc1", 0, false, 0, 1, false, NULL}, 3000));
	exchange_all_good(300);
	close_both();
}

#if TEST_CACHE_BROKEN == PORT_CSITE_SESSION_RD
/*
 * Without the re-registration guards the core behaves as Zephyr's pbuf.c
 * and icmsg.c do: a reader's cache line keeps the previous session's
 * rd_idx and writes it back over the writer's reset with the session
 * handshake.  Whether the reset or the stale write-back lands last is a
 * race between the two sides' RX paths, so rounds are repeated until a
 * send gets -ENOMEM on 300 consecutive tries (1 ms apart) on an empty ring.
 */
static bool stalled_send(int role)
{
	unsigned char buf[16];

	memset(buf, 0x5A, sizeof(buf));
	for (int tries = 0; tries < 300; tries++) {
		int rc = ipc_service_send(&sides[role].ept, buf, sizeof(buf));

		if (rc != -ENOMEM) {
			cr_assert_eq(rc, (int)sizeof(buf));
			return false;
		}
		usleep(1000);
	}
	return true;
}

static void broken_reregister(int unbound, int first)
{
	bool stall = false;

	cr_assert(bring_up(&(struct run_cfg){"ipc0", unbound, true, 0, 21, false, NULL}, 3000));
	for (int round = 0; round < 12 && !stall; round++) {
		for (int r = 0; r < 2 && !stall; r++) {
			atomic_store(&sides[1 - r].received, 0);
			stall = stalled_send(r);
			if (!stall) {
				cr_assert(wait_until(&sides[1 - r].received, 1, 3000));
			}
		}
		if (stall) {
			break;
		}
		cr_assert_eq(ipc_service_deregister_endpoint(&sides[first].ept), 0);
		usleep(10000);
		cr_assert_eq(ipc_service_deregister_endpoint(&sides[1 - first].ept), 0);
		for (int r = 0; r < 2; r++) {
			cr_assert_eq(ipc_service_register_endpoint(sides[r].dev, &sides[r].ept,
								   &sides[r].cfg),
				     0);
		}
		for (int r = 0; r < 2; r++) {
			cr_assert(wait_until(&sides[r].bound, round + 2, 3000));
		}
	}
	cr_assert(stall, "no send stalled in 12 re-registrations");
	close_both();
}

VgTest(broken, icmsg_enable_reregistration_stalls)
{
	broken_reregister(EMU_UNBOUND_ENABLE, REMOTE);
}

VgTest(broken, icmsg_detect_reregistration_stalls)
{
	broken_reregister(EMU_UNBOUND_DETECT, HOST);
}
#endif

#endif /* TEST_CACHE_BROKEN */

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(cache, 600)
