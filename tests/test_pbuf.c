/*
 * test_pbuf.c - the packet buffer: exact shared-memory images against the
 * Zephyr layout, every return code, wrap-around, hostile peer words, crash
 * points, and a two-thread producer/consumer run.
 *
 * Regions live in one static arena surrounded by guard bytes; every test
 * that could write out of bounds checks the guards; region() refills the
 * arena, so the cases of a table may share a process (under Valgrind the
 * tables run as one test each: support/vg_cases.h).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/pbuf.h"
#include "support/vg_cases.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "expected images assume a little-endian host, like the targets");

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define GUARD 64u         /* guard bytes on each side of a region */
#define PAT 0xA5u         /* fill of guards and untouched region bytes */
#define ARENA_MAX 0x12000u /* largest region a test uses */

static _Alignas(64) uint8_t arena[GUARD + ARENA_MAX + GUARD];
static uint32_t arena_size;

/* A region of `size` bytes, 64-aligned, filled with PAT, guards around it. */
static uint8_t *region(uint32_t size)
{
	cr_assert_leq(size, ARENA_MAX);
	arena_size = size;
	memset(arena, PAT, GUARD + size + GUARD);
	return arena + GUARD;
}

static void assert_guards(void)
{
	for (uint32_t i = 0; i < GUARD; i++) {
		cr_assert_eq(arena[i], PAT, "guard byte %u before the region changed", i);
		cr_assert_eq(arena[GUARD + arena_size + i], PAT,
			     "guard byte %u after the region changed", i);
	}
}

static uint32_t le32(const volatile void *p)
{
	const volatile uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A peer (or a corruption) storing a word the code under test must not trust. */
static void poke(volatile uint32_t *loc, uint32_t v)
{
	*loc = v;
}

/* Message `seq` of `n` bytes: deterministic content so a reader can check it. */
static void fill_msg(char *buf, uint32_t seq, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		buf[i] = (char)(seq * 131u + i * 7u + 1u);
	}
}

static void assert_region_equals(const uint8_t *base, const uint8_t *expect, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++) {
		cr_assert_eq(base[i], expect[i], "byte at region offset %u: got %02x, expected %02x",
			     i, base[i], expect[i]);
	}
}

static const char magic[13] = {0x45, 0x6d, 0x31, 0x6c, 0x31, 0x4b, 0x30,
			       0x72, 0x6e, 0x33, 0x6c, 0x69, 0x34};

/* ------------------------------------------------------------------ layout */

struct layout_case {
	uint32_t dcache;
	bool hs;
	uint32_t w; /* expected wr_idx offset */
};

/* Layouts Zephyr accepts (handshake needs dcache >= 8, see below). */
static struct layout_case valid_layouts[] = {
	{0, false, 4}, {4, false, 4}, {8, false, 8}, {32, false, 32}, {8, true, 8}, {32, true, 32},
};

/* The handshake word pushes wr_idx to 8, but validation wants it at
 * max(dcache, 4): Zephyr's init rejects these, so ours does too. */
static struct layout_case small_dcache_hs_layouts[] = {
	{0, true, 8},
	{4, true, 8},
};

#define IMG_SIZE 128u

static void assert_cfg_offsets(const struct pbuf_cfg *cfg, const uint8_t *base,
			       const struct layout_case *lc)
{
	cr_assert_eq((const uint8_t *)cfg->rd_idx_loc, base);
	if (lc->hs) {
		cr_assert_eq((const uint8_t *)cfg->handshake_loc, base + 4);
	} else {
		cr_assert_null((const void *)cfg->handshake_loc);
	}
	cr_assert_eq((const uint8_t *)cfg->wr_idx_loc - base, (ptrdiff_t)lc->w);
	cr_assert_eq(cfg->data_loc - base, (ptrdiff_t)(lc->w + 4));
	cr_assert_eq(cfg->len, IMG_SIZE - lc->w - 4);
	cr_assert_eq(cfg->dcache_alignment, lc->dcache);
}

ParameterizedTestParameters(layout, cfg_init_offsets)
{
	return VG_PARAM_ARRAY(struct layout_case, valid_layouts);
}

ParameterizedTest(struct layout_case *lc, layout, cfg_init_offsets, .timeout = 10)
{
	VG_EACH_CASE(lc, valid_layouts) {
		uint8_t *base = region(IMG_SIZE);
		struct pbuf_cfg cfg = PBUF_CFG_INIT(base, IMG_SIZE, lc->dcache, lc->hs);

		assert_cfg_offsets(&cfg, base, lc);
	}
}

ParameterizedTestParameters(layout, handshake_below_dcache_8_rejected)
{
	return VG_PARAM_ARRAY(struct layout_case, small_dcache_hs_layouts);
}

ParameterizedTest(struct layout_case *lc, layout, handshake_below_dcache_8_rejected,
		  .timeout = 10)
{
	VG_EACH_CASE(lc, small_dcache_hs_layouts) {
		uint8_t *base = region(IMG_SIZE);
		struct pbuf_cfg cfg = PBUF_CFG_INIT(base, IMG_SIZE, lc->dcache, lc->hs);
		struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};
		uint8_t expect[IMG_SIZE];

		assert_cfg_offsets(&cfg, base, lc);
		memset(expect, PAT, sizeof(expect));
		cr_assert_eq(pbuf_tx_init(&tx), -EINVAL);
		cr_assert_eq(pbuf_rx_init(&rx), -EINVAL);
		assert_region_equals(base, expect, IMG_SIZE);
	}
}

VgTest(layout, header_overhead_and_min_len, .timeout = 10)
{
	cr_assert_eq(PBUF_HEADER_OVERHEAD(0), 8);
	cr_assert_eq(PBUF_HEADER_OVERHEAD(4), 8);
	cr_assert_eq(PBUF_HEADER_OVERHEAD(8), 12);
	cr_assert_eq(PBUF_HEADER_OVERHEAD(32), 36);
	cr_assert_eq(_PBUF_MIN_DATA_LEN, 12);
}

VgTest(layout, cfg_init_usable_as_static_initializer, .timeout = 10)
{
	static _Alignas(32) uint8_t mem[64];
	static const struct pbuf_cfg cfg = PBUF_CFG_INIT(mem, sizeof(mem), 32, true);
	struct pbuf tx = {.cfg = &cfg};

	cr_assert_eq(cfg.len, 64 - 36);
	cr_assert_eq(pbuf_tx_init(&tx), 0);
}

ParameterizedTestParameters(layout, tx_init_image)
{
	return VG_PARAM_ARRAY(struct layout_case, valid_layouts);
}

/* tx_init writes exactly the two index words (zero); handshake word and
 * padding keep whatever was there. */
ParameterizedTest(struct layout_case *lc, layout, tx_init_image, .timeout = 10)
{
	VG_EACH_CASE(lc, valid_layouts) {
		uint8_t *base = region(IMG_SIZE);
		struct pbuf_cfg cfg = PBUF_CFG_INIT(base, IMG_SIZE, lc->dcache, lc->hs);
		struct pbuf tx = {.cfg = &cfg};
		uint8_t expect[IMG_SIZE];

		memset(expect, PAT, sizeof(expect));
		put_le32(&expect[0], 0);
		put_le32(&expect[lc->w], 0);
		cr_assert_eq(pbuf_tx_init(&tx), 0);
		assert_region_equals(base, expect, IMG_SIZE);
		assert_guards();
	}
}

ParameterizedTestParameters(layout, rx_init_touches_nothing)
{
	return VG_PARAM_ARRAY(struct layout_case, valid_layouts);
}

ParameterizedTest(struct layout_case *lc, layout, rx_init_touches_nothing, .timeout = 10)
{
	VG_EACH_CASE(lc, valid_layouts) {
		uint8_t *base = region(IMG_SIZE);
		struct pbuf_cfg cfg = PBUF_CFG_INIT(base, IMG_SIZE, lc->dcache, lc->hs);
		struct pbuf rx = {.cfg = &cfg};
		uint8_t expect[IMG_SIZE];

		memset(expect, PAT, sizeof(expect));
		cr_assert_eq(pbuf_rx_init(&rx), 0);
		assert_region_equals(base, expect, IMG_SIZE);
	}
}

ParameterizedTestParameters(layout, write_image)
{
	return VG_PARAM_ARRAY(struct layout_case, valid_layouts);
}

/* The magic and a 1-byte packet: header 00 0D 00 00, payload, pad bytes
 * never written, wr_idx 20 then 28, nothing else touched. */
ParameterizedTest(struct layout_case *lc, layout, write_image, .timeout = 10)
{
	VG_EACH_CASE(lc, valid_layouts) {
		uint8_t *base = region(IMG_SIZE);
		struct pbuf_cfg cfg = PBUF_CFG_INIT(base, IMG_SIZE, lc->dcache, lc->hs);
		struct pbuf tx = {.cfg = &cfg};
		uint8_t expect[IMG_SIZE];
		uint8_t *d = &expect[lc->w + 4];
		const uint8_t hdr13[4] = {0x00, 0x0D, 0x00, 0x00};
		const uint8_t hdr1[4] = {0x00, 0x01, 0x00, 0x00};

		memset(expect, PAT, sizeof(expect));
		put_le32(&expect[0], 0);
		cr_assert_eq(pbuf_tx_init(&tx), 0);

		cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
		memcpy(&d[0], hdr13, 4);
		memcpy(&d[4], magic, 13);
		put_le32(&expect[lc->w], 20);
		assert_region_equals(base, expect, IMG_SIZE);

		cr_assert_eq(pbuf_write(&tx, "Z", 1), 1);
		memcpy(&d[20], hdr1, 4);
		d[24] = 'Z';
		put_le32(&expect[lc->w], 28);
		assert_region_equals(base, expect, IMG_SIZE);
		assert_guards();
	}
}

ParameterizedTestParameters(layout, read_image)
{
	return VG_PARAM_ARRAY(struct layout_case, valid_layouts);
}

/* Reading changes only rd_idx (20, then 28) and returns the payloads. */
ParameterizedTest(struct layout_case *lc, layout, read_image, .timeout = 10)
{
	VG_EACH_CASE(lc, valid_layouts) {
		uint8_t *base = region(IMG_SIZE);
		struct pbuf_cfg cfg = PBUF_CFG_INIT(base, IMG_SIZE, lc->dcache, lc->hs);
		struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};
		uint8_t expect[IMG_SIZE];
		char out[32];

		cr_assert_eq(pbuf_tx_init(&tx), 0);
		cr_assert_eq(pbuf_rx_init(&rx), 0);
		cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
		cr_assert_eq(pbuf_write(&tx, "Z", 1), 1);
		memcpy(expect, base, IMG_SIZE);

		cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 13);
		cr_assert_arr_eq(out, magic, 13);
		put_le32(&expect[0], 20);
		assert_region_equals(base, expect, IMG_SIZE);

		cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 1);
		cr_assert_eq(out[0], 'Z');
		put_le32(&expect[0], 28);
		assert_region_equals(base, expect, IMG_SIZE);
		assert_guards();
	}
}

/* ---------------------------------------------------------- invalid configs */

enum bad_cfg {
	BAD_LEN_BELOW_MIN,
	BAD_LEN_NOT_MULTIPLE_OF_4,
	BAD_RD_MISALIGNED,
	BAD_BASE_NOT_LINE_ALIGNED,
	BAD_NULL_RD,
	BAD_NULL_WR,
	BAD_NULL_DATA,
	BAD_WR_NOT_ONE_LINE_AFTER_RD,
	BAD_DATA_NOT_AFTER_WR,
	BAD_DATA_MISALIGNED,
	BAD_HS_BEFORE_RD,
	BAD_HS_MISALIGNED,
	BAD_DCACHE_NOT_POWER_OF_2,
	BAD_REGION_SMALLER_THAN_HEADER,
};

static enum bad_cfg bad_cfgs[] = {
	BAD_LEN_BELOW_MIN,	      BAD_LEN_NOT_MULTIPLE_OF_4,    BAD_RD_MISALIGNED,
	BAD_BASE_NOT_LINE_ALIGNED,    BAD_NULL_RD,		    BAD_NULL_WR,
	BAD_NULL_DATA,		      BAD_WR_NOT_ONE_LINE_AFTER_RD, BAD_DATA_NOT_AFTER_WR,
	BAD_DATA_MISALIGNED,	      BAD_HS_BEFORE_RD,		    BAD_HS_MISALIGNED,
	BAD_DCACHE_NOT_POWER_OF_2,    BAD_REGION_SMALLER_THAN_HEADER,
};

static struct pbuf_cfg make_bad_cfg(uint8_t *base, enum bad_cfg which)
{
	struct pbuf_cfg cfg = PBUF_CFG_INIT(base, 64, 8, true);

	switch (which) {
	case BAD_LEN_BELOW_MIN:
		cfg = (struct pbuf_cfg)PBUF_CFG_INIT(base, 16, 0, false); /* len 8 */
		break;
	case BAD_LEN_NOT_MULTIPLE_OF_4:
		cfg.len = 14;
		break;
	case BAD_RD_MISALIGNED:
		cfg = (struct pbuf_cfg)PBUF_CFG_INIT(base + 2, 64, 0, false);
		break;
	case BAD_BASE_NOT_LINE_ALIGNED:
		cfg = (struct pbuf_cfg)PBUF_CFG_INIT(base + 4, 128, 32, false);
		break;
	case BAD_NULL_RD:
		cfg.rd_idx_loc = NULL;
		break;
	case BAD_NULL_WR:
		cfg.wr_idx_loc = NULL;
		break;
	case BAD_NULL_DATA:
		cfg.data_loc = NULL;
		break;
	case BAD_WR_NOT_ONE_LINE_AFTER_RD:
		cfg.wr_idx_loc = (volatile uint32_t *)(base + 16);
		cfg.data_loc = base + 20;
		break;
	case BAD_DATA_NOT_AFTER_WR:
		cfg.data_loc = base + 8;
		break;
	case BAD_DATA_MISALIGNED:
		cfg.data_loc = base + 14;
		break;
	case BAD_HS_BEFORE_RD:
		cfg.handshake_loc = (volatile uint32_t *)(base - 4);
		break;
	case BAD_HS_MISALIGNED:
		cfg.handshake_loc = (volatile uint32_t *)(base + 6);
		break;
	case BAD_DCACHE_NOT_POWER_OF_2:
		/* base + 4 passes a mask check with 11; only the power-of-2 rule stops it */
		cfg = (struct pbuf_cfg)PBUF_CFG_INIT(base + 4, 96, 12, false);
		break;
	case BAD_REGION_SMALLER_THAN_HEADER:
		cfg = (struct pbuf_cfg)PBUF_CFG_INIT(base, 4, 0, false); /* len wraps */
		break;
	}
	return cfg;
}

ParameterizedTestParameters(config, invalid_rejected_by_tx_init)
{
	return VG_PARAM_ARRAY(enum bad_cfg, bad_cfgs);
}

ParameterizedTest(enum bad_cfg *which, config, invalid_rejected_by_tx_init, .timeout = 10)
{
	VG_EACH_CASE(which, bad_cfgs) {
		uint8_t *base = region(256);
		const struct pbuf_cfg cfg = make_bad_cfg(base, *which);
		struct pbuf tx = {.cfg = &cfg};
		uint8_t expect[256];

		memset(expect, PAT, sizeof(expect));
		cr_assert_eq(pbuf_tx_init(&tx), -EINVAL, "case %d", (int)*which);
		assert_region_equals(base, expect, sizeof(expect));
		assert_guards();
	}
}

ParameterizedTestParameters(config, invalid_rejected_by_rx_init)
{
	return VG_PARAM_ARRAY(enum bad_cfg, bad_cfgs);
}

ParameterizedTest(enum bad_cfg *which, config, invalid_rejected_by_rx_init, .timeout = 10)
{
	VG_EACH_CASE(which, bad_cfgs) {
		uint8_t *base = region(256);
		const struct pbuf_cfg cfg = make_bad_cfg(base, *which);
		struct pbuf rx = {.cfg = &cfg};

		cr_assert_eq(pbuf_rx_init(&rx), -EINVAL, "case %d", (int)*which);
	}
}

VgTest(config, null_pbuf_rejected, .timeout = 10)
{
	cr_assert_eq(pbuf_tx_init(NULL), -EINVAL);
	cr_assert_eq(pbuf_rx_init(NULL), -EINVAL);
}

VgTest(config, null_cfg_rejected, .timeout = 10)
{
	struct pbuf pb = {.cfg = NULL};

	cr_assert_eq(pbuf_tx_init(&pb), -EINVAL);
	cr_assert_eq(pbuf_rx_init(&pb), -EINVAL);
}

VgTest(config, smallest_region_accepted, .timeout = 10)
{
	uint8_t *base = region(20);
	struct pbuf_cfg cfg = PBUF_CFG_INIT(base, 20, 0, false);
	struct pbuf tx = {.cfg = &cfg};

	cr_assert_eq(cfg.len, 12);
	cr_assert_eq(pbuf_tx_init(&tx), 0);
}

/* ----------------------------------------------------------- write / read */

/* A tx/rx pair on one region; both initialised. */
struct ring {
	struct pbuf_cfg cfg;
	uint8_t *base;
};

static void ring_init(struct ring *r, uint32_t size, uint32_t dcache)
{
	r->base = region(size);
	r->cfg = (struct pbuf_cfg)PBUF_CFG_INIT(r->base, size, dcache, false);
}

#define RING_PAIR(r, size, dcache)                                                            \
	struct ring r;                                                                        \
	ring_init(&r, size, dcache);                                                          \
	struct pbuf tx = {.cfg = &r.cfg}, rx = {.cfg = &r.cfg};                               \
	cr_assert_eq(pbuf_tx_init(&tx), 0);                                                   \
	cr_assert_eq(pbuf_rx_init(&rx), 0)

VgTest(write, null_pbuf_einval, .timeout = 10)
{
	cr_assert_eq(pbuf_write(NULL, "x", 1), -EINVAL);
}

VgTest(write, null_buf_einval, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, NULL, 1), -EINVAL);
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 0);
}

VgTest(write, zero_len_einval, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "x", 0), -EINVAL);
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 0);
}

VgTest(write, largest_message_fits, .timeout = 10)
{
	char msg[240];

	RING_PAIR(r, 256, 0);
	cr_assert_eq(r.cfg.len, 248);
	fill_msg(msg, 1, sizeof(msg));
	cr_assert_eq(pbuf_write(&tx, msg, 240), 240);
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 244);
}

VgTest(write, one_byte_over_largest_enomem, .timeout = 10)
{
	char msg[241];
	uint8_t before[256];

	RING_PAIR(r, 256, 0);
	fill_msg(msg, 1, sizeof(msg));
	memcpy(before, r.base, sizeof(before));
	cr_assert_eq(pbuf_write(&tx, msg, 241), -ENOMEM);
	assert_region_equals(r.base, before, sizeof(before));
}

VgTest(write, full_ring_enomem_until_read, .timeout = 10)
{
	char msg[240], out[240];
	uint8_t before[256];

	RING_PAIR(r, 256, 0);
	fill_msg(msg, 2, sizeof(msg));
	cr_assert_eq(pbuf_write(&tx, msg, 240), 240);
	memcpy(before, r.base, sizeof(before));
	cr_assert_eq(pbuf_write(&tx, "x", 1), -ENOMEM);
	assert_region_equals(r.base, before, sizeof(before));
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 240);
	cr_assert_eq(pbuf_write(&tx, "x", 1), 1);
}

VgTest(write, smallest_region_max_message_4, .timeout = 10)
{
	char out[8];

	RING_PAIR(r, 20, 0);
	cr_assert_eq(pbuf_write(&tx, "abcde", 5), -ENOMEM);
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(pbuf_write(&tx, "abcd", 4), 4);
		cr_assert_eq(pbuf_write(&tx, "e", 1), -ENOMEM);
		cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 4);
		cr_assert_arr_eq(out, "abcd", 4);
	}
	assert_guards();
}

VgTest(write, misaligned_peer_rd_idx_einval, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	poke(r.cfg.rd_idx_loc, 6);
	cr_assert_eq(pbuf_write(&tx, "x", 1), -EINVAL);
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 0);
}

VgTest(write, peer_rd_idx_at_len_einval, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	poke(r.cfg.rd_idx_loc, r.cfg.len);
	cr_assert_eq(pbuf_write(&tx, "x", 1), -EINVAL);
	poke(r.cfg.rd_idx_loc, 0xFFFFFFFCu);
	cr_assert_eq(pbuf_write(&tx, "x", 1), -EINVAL);
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 0);
}

VgTest(write, never_writes_rd_idx_or_handshake, .timeout = 10)
{
	uint8_t *base = region(128);
	struct pbuf_cfg cfg = PBUF_CFG_INIT(base, 128, 8, true);
	struct pbuf tx = {.cfg = &cfg};

	cr_assert_eq(pbuf_tx_init(&tx), 0);
	poke(cfg.handshake_loc, 0x12345678u);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	cr_assert_eq(le32(cfg.rd_idx_loc), 0);
	cr_assert_eq(le32(cfg.handshake_loc), 0x12345678u);
}

VgTest(read, null_pbuf_einval, .timeout = 10)
{
	char out[4];

	cr_assert_eq(pbuf_read(NULL, out, sizeof(out)), -EINVAL);
	cr_assert_eq(pbuf_read(NULL, NULL, 0), -EINVAL);
}

VgTest(read, empty_returns_0, .timeout = 10)
{
	char out[4];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 0);
}

VgTest(read, peek_empty_returns_0, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_read(&rx, NULL, 0), 0);
}

VgTest(read, peek_returns_length_without_consuming, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	cr_assert_eq(pbuf_read(&rx, NULL, 0), 5);
	cr_assert_eq(pbuf_read(&rx, NULL, 0), 5);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 5);
	cr_assert_arr_eq(out, "hello", 5);
	cr_assert_eq(pbuf_read(&rx, NULL, 0), 0);
}

VgTest(read, buffer_too_small_enomem_nothing_consumed, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	memset(out, 0x5A, sizeof(out));
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	cr_assert_eq(pbuf_read(&rx, out, 4), -ENOMEM);
	for (size_t i = 0; i < sizeof(out); i++) {
		cr_assert_eq((uint8_t)out[i], 0x5A);
	}
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
	cr_assert_eq(pbuf_read(&rx, out, 5), 5);
	cr_assert_arr_eq(out, "hello", 5);
}

VgTest(read, exact_size_buffer_ok, .timeout = 10)
{
	char out[5];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	cr_assert_eq(pbuf_read(&rx, out, 5), 5);
	cr_assert_arr_eq(out, "hello", 5);
}

VgTest(read, misaligned_peer_wr_idx_einval, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	poke(r.cfg.wr_idx_loc, 10);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), -EINVAL);
	cr_assert_eq(pbuf_read(&rx, NULL, 0), -EINVAL);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
}

VgTest(read, peer_wr_idx_at_or_beyond_len_einval, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	poke(r.cfg.wr_idx_loc, r.cfg.len);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), -EINVAL);
	poke(r.cfg.wr_idx_loc, 0x80000000u);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), -EINVAL);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
}

VgTest(read, length_beyond_wr_idx_eagain, .timeout = 10)
{
	char out[64];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	r.cfg.data_loc[1] = 9; /* 9 + 4 > wr_idx 12 */
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), -EAGAIN);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
}

VgTest(read, peek_of_corrupt_length_eagain, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	r.cfg.data_loc[0] = 0xFF;
	cr_assert_eq(pbuf_read(&rx, NULL, 0), -EAGAIN);
}

VgTest(read, zero_length_packet_eagain, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	r.cfg.data_loc[1] = 0;
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), -EAGAIN);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
}

VgTest(read, reserved_header_bytes_ignored, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	r.cfg.data_loc[2] = 0x7E;
	r.cfg.data_loc[3] = 0x7F;
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 5);
	cr_assert_arr_eq(out, "hello", 5);
}

VgTest(skip, drops_one_packet, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	cr_assert_eq(pbuf_write(&tx, "xy", 2), 2);
	cr_assert_eq(pbuf_skip(&rx), 5);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 12);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 2);
	cr_assert_arr_eq(out, "xy", 2);
}

VgTest(skip, empty_returns_0, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_skip(&rx), 0);
	cr_assert_eq(pbuf_skip(NULL), -EINVAL);
}

VgTest(skip, corrupt_length_eagain, .timeout = 10)
{
	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "hello", 5), 5);
	r.cfg.data_loc[0] = 0x01;
	cr_assert_eq(pbuf_skip(&rx), -EAGAIN);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
}

/* -------------------------------------------------------------- wrap-around */

/* blen 48: a 20-byte packet moves both indices to 24; a 30-byte packet then
 * has its header at 24, 20 payload bytes at 28..47 and 10 at 0..9. */
VgTest(wrap, payload_split_across_end, .timeout = 10)
{
	char a[20], b[30], out[64];
	uint8_t *d;

	RING_PAIR(r, 56, 0);
	d = r.cfg.data_loc;
	cr_assert_eq(r.cfg.len, 48);
	fill_msg(a, 1, sizeof(a));
	fill_msg(b, 2, sizeof(b));
	cr_assert_eq(pbuf_write(&tx, a, sizeof(a)), 20);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 20);

	cr_assert_eq(pbuf_write(&tx, b, sizeof(b)), 30);
	cr_assert_eq(d[24], 0);
	cr_assert_eq(d[25], 30);
	cr_assert_arr_eq(&d[28], b, 20);
	cr_assert_arr_eq(&d[0], b + 20, 10);
	cr_assert_eq(d[10], (uint8_t)a[6], "pad after the wrapped part is not written");
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 12);

	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 30);
	cr_assert_arr_eq(out, b, 30);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 12);
	assert_guards();
}

/* Header in the last 4 bytes of data[], payload entirely at data[0]. */
VgTest(wrap, header_at_end_payload_at_start, .timeout = 10)
{
	char a[40], b[8], out[64];

	RING_PAIR(r, 56, 0);
	fill_msg(a, 3, sizeof(a));
	fill_msg(b, 4, sizeof(b));
	cr_assert_eq(pbuf_write(&tx, a, 40), 40); /* wr = 44 = len - 4 */
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 40);
	cr_assert_eq(pbuf_write(&tx, b, 8), 8);
	cr_assert_eq(r.cfg.data_loc[44], 0);
	cr_assert_eq(r.cfg.data_loc[45], 8);
	cr_assert_arr_eq(r.cfg.data_loc, b, 8);
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 8);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 8);
	cr_assert_arr_eq(out, b, 8);
}

/* Packet ending exactly at the end of data[]: wr_idx wraps to 0. */
VgTest(wrap, packet_ending_at_end_wraps_index_to_0, .timeout = 10)
{
	char a[20], b[20], out[64];

	RING_PAIR(r, 56, 0);
	fill_msg(a, 5, sizeof(a));
	fill_msg(b, 6, sizeof(b));
	cr_assert_eq(pbuf_write(&tx, a, 20), 20);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 20);
	cr_assert_eq(pbuf_write(&tx, b, 20), 20); /* 24 + 4 + 20 = 48 */
	cr_assert_eq(le32(r.cfg.wr_idx_loc), 0);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 20);
	cr_assert_arr_eq(out, b, 20);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
}

/* Sizes 1..max in turn, the writer keeping the ring as full as it can, so
 * both indices wrap hundreds of times at every alignment. */
VgTest(wrap, many_cycles_all_sizes, .timeout = 30)
{
	enum { MSGS = 20000 };
	char msg[64], out[64];
	uint32_t w_seq = 0, r_seq = 0, wraps = 0, last_rd = 0;

	RING_PAIR(r, 64, 0);
	const uint32_t maxmsg = r.cfg.len - 8; /* 48 */

	while (r_seq < MSGS) {
		uint32_t n = 1 + w_seq % maxmsg;
		int rc;

		fill_msg(msg, w_seq, n);
		rc = w_seq < MSGS ? pbuf_write(&tx, msg, (uint16_t)n) : -ENOMEM;
		if (rc == (int)n) {
			w_seq++;
			continue;
		}
		cr_assert_eq(rc, -ENOMEM);
		n = 1 + r_seq % maxmsg;
		fill_msg(msg, r_seq, n);
		cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), (int)n, "message %u", r_seq);
		cr_assert_arr_eq(out, msg, n, "message %u", r_seq);
		r_seq++;
		if (le32(r.cfg.rd_idx_loc) < last_rd) {
			wraps++;
		}
		last_rd = le32(r.cfg.rd_idx_loc);
	}
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 0);
	cr_assert_geq(wraps, 300u, "only %u wraps", wraps);
	assert_guards();
}

/* ---------------------------------------------------------------- handshake */

VgTest(handshake, round_trip_at_offset_4, .timeout = 10)
{
	uint8_t *base = region(128);
	struct pbuf_cfg cfg = PBUF_CFG_INIT(base, 128, 8, true);
	struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};
	uint8_t expect[128];

	cr_assert_eq(pbuf_tx_init(&tx), 0);
	cr_assert_eq(pbuf_rx_init(&rx), 0);
	memcpy(expect, base, sizeof(expect));
	pbuf_handshake_write(&rx, 0xAABBCCDDu);
	put_le32(&expect[4], 0xAABBCCDDu);
	assert_region_equals(base, expect, sizeof(expect));
	cr_assert_eq(pbuf_handshake_read(&tx), 0xAABBCCDDu);
	pbuf_handshake_write(&rx, 0);
	cr_assert_eq(pbuf_handshake_read(&tx), 0);
}

VgTest(handshake, dcache_32_word_at_offset_4, .timeout = 10)
{
	uint8_t *base = region(128);
	struct pbuf_cfg cfg = PBUF_CFG_INIT(base, 128, 32, true);
	struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};

	cr_assert_eq(pbuf_tx_init(&tx), 0);
	pbuf_handshake_write(&rx, 0x00020001u);
	cr_assert_eq(le32(base + 4), 0x00020001u);
	cr_assert_eq(pbuf_handshake_read(&tx), 0x00020001u);
	for (int i = 8; i < 32; i++) {
		cr_assert_eq(base[i], PAT, "padding byte %d written", i);
	}
}

VgTest(handshake, absent_word_reads_0_and_ignores_write, .timeout = 10)
{
	uint8_t *base = region(64);
	struct pbuf_cfg cfg = PBUF_CFG_INIT(base, 64, 8, false);
	struct pbuf pb = {.cfg = &cfg};
	uint8_t expect[64];

	memset(expect, PAT, sizeof(expect));
	pbuf_handshake_write(&pb, 0x11223344u);
	assert_region_equals(base, expect, sizeof(expect));
	cr_assert_eq(pbuf_handshake_read(&pb), 0);
	cr_assert_eq(pbuf_handshake_read(NULL), 0);
	pbuf_handshake_write(NULL, 1);
}

/* ---------------------------------------------------------- get_initial_buf */

VgTest(initial_buf, first_packet_without_consuming, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;
	char out[32];

	RING_PAIR(r, 128, 0);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), 0);
	cr_assert_eq(len, 13);
	cr_assert_eq((const uint8_t *)p, r.cfg.data_loc + 4);
	cr_assert_arr_eq((const char *)p, magic, 13);
	cr_assert_eq(le32(r.cfg.rd_idx_loc), 0);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 13);
}

VgTest(initial_buf, after_a_read_einval, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;
	char out[32];

	RING_PAIR(r, 128, 0);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 13);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), -EINVAL);
	cr_assert_null((void *)p);
	cr_assert_eq(len, 0);
}

VgTest(initial_buf, nothing_written_einval, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;

	RING_PAIR(r, 128, 0);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), -EINVAL);
}

VgTest(initial_buf, wr_idx_at_or_beyond_len_einval, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;

	RING_PAIR(r, 128, 0);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
	poke(r.cfg.wr_idx_loc, r.cfg.len);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), -EINVAL);
	poke(r.cfg.wr_idx_loc, 0xFFFFFFFCu);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), -EINVAL);
}

VgTest(initial_buf, misaligned_wr_idx_einval, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;

	RING_PAIR(r, 128, 0);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
	poke(r.cfg.wr_idx_loc, 18);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), -EINVAL);
}

VgTest(initial_buf, wr_idx_above_0xffff_einval, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;

	RING_PAIR(r, 0x11000, 0);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
	poke(r.cfg.wr_idx_loc, 0x10004u);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), -EINVAL);
	poke(r.cfg.wr_idx_loc, 0xFFFCu);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), 0);
}

VgTest(initial_buf, length_beyond_wr_idx_einval, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;

	RING_PAIR(r, 128, 0);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13); /* wr_idx 20 */
	r.cfg.data_loc[1] = 17;					   /* 17 + 4 > 20 */
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), -EINVAL);
	r.cfg.data_loc[1] = 16; /* 16 + 4 == 20: accepted, as upstream */
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, &len), 0);
	cr_assert_eq(len, 16);
}

VgTest(initial_buf, null_arguments_einval, .timeout = 10)
{
	volatile char *p = NULL;
	uint16_t len = 0;

	RING_PAIR(r, 128, 0);
	cr_assert_eq(pbuf_write(&tx, magic, sizeof(magic)), 13);
	cr_assert_eq(pbuf_get_initial_buf(NULL, &p, &len), -EINVAL);
	cr_assert_eq(pbuf_get_initial_buf(&rx, NULL, &len), -EINVAL);
	cr_assert_eq(pbuf_get_initial_buf(&rx, &p, NULL), -EINVAL);
}

/* ------------------------------------------------------------- hostile peer */

static uint32_t rng_state = 0x9E3779B9u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Values a broken or hostile peer might leave in an index word. */
static uint32_t bad_index(uint32_t blen)
{
	static const uint32_t fixed[] = {1, 2, 3, 0x80000000u, 0xFFFFFFFFu, 0xFFFFFFFCu};
	uint32_t k = rng() % 4;

	if (k == 0) {
		return fixed[rng() % ARRAY_SIZE(fixed)];
	}
	if (k == 1) {
		return blen + 4 * (rng() % 64); /* aligned, at or past the end */
	}
	return rng() % (blen + 64);
}

#define OUT_CAP 0xFFFFu
#define OUT_GUARD 64u

/* The reader facing arbitrary wr_idx and header bytes: it either refuses or
 * copies a packet that lies inside data[] into the caller's buffer; it
 * never touches bytes outside the region or past what it returns. */
Test(hostile, reader_never_copies_out_of_bounds, .timeout = 60)
{
	static char out[OUT_CAP + OUT_GUARD];
	const uint32_t size = 264;

	RING_PAIR(r, size, 0);
	const uint32_t blen = r.cfg.len;
	uint8_t *d = r.cfg.data_loc;

	for (int iter = 0; iter < 20000; iter++) {
		uint32_t rd = 4 * (rng() % (blen / 4));
		uint32_t wr = (rng() & 1) ? 4 * (rng() % (blen / 4)) : bad_index(blen);
		uint16_t hlen = (rng() & 1) ? (uint16_t)(rng() % (blen + 8)) : (uint16_t)rng();
		uint32_t copied;
		int rc;

		/* Data bytes below 0x80: a copied PAT (0xA5) byte would be a guard. */
		for (uint32_t i = 0; i < blen; i++) {
			d[i] = (uint8_t)(rng() & 0x7F);
		}
		d[rd] = (uint8_t)(hlen >> 8);
		d[rd + 1] = (uint8_t)hlen;
		rx.data.rd_idx = rd;
		poke(r.cfg.rd_idx_loc, rd);
		poke(r.cfg.wr_idx_loc, wr);
		memset(out, 0x5A, sizeof(out));

		rc = pbuf_read(&rx, out, OUT_CAP);
		cr_assert(rc == 0 || rc == -EINVAL || rc == -EAGAIN || (rc > 0 && rc <= (int)blen - 8),
			  "iteration %d: rc %d", iter, rc);
		if (rc > 0) {
			uint32_t occ = rd > wr ? blen - (rd - wr) : wr - rd;

			cr_assert(wr < blen && (wr & 3) == 0);
			cr_assert_leq((uint32_t)rc + 4, occ);
			for (int i = 0; i < rc; i++) {
				cr_assert_lt((uint8_t)out[i], 0x80, "copied a byte from outside data[]");
			}
		} else {
			cr_assert_eq(le32(r.cfg.rd_idx_loc), rd, "consumed on error");
		}
		copied = rc > 0 ? (uint32_t)rc : 0;
		for (uint32_t i = copied; i < copied + OUT_GUARD; i++) {
			cr_assert_eq((uint8_t)out[i], 0x5A, "wrote past the packet into the caller's buffer");
		}
		cr_assert_eq((uint8_t)out[OUT_CAP], 0x5A);
		assert_guards();
	}
}

Test(hostile, writer_never_writes_out_of_bounds, .timeout = 60)
{
	static char msg[0xFFFF];
	const uint32_t size = 264;

	RING_PAIR(r, size, 0);
	const uint32_t blen = r.cfg.len;

	memset(msg, 0x11, sizeof(msg));
	for (int iter = 0; iter < 20000; iter++) {
		uint32_t wr = 4 * (rng() % (blen / 4));
		uint32_t rd = (rng() & 1) ? 4 * (rng() % (blen / 4)) : bad_index(blen);
		uint16_t len = (rng() & 1) ? (uint16_t)(1 + rng() % blen) : (uint16_t)rng();
		int rc;

		tx.data.wr_idx = wr;
		poke(r.cfg.rd_idx_loc, rd);
		poke(r.cfg.wr_idx_loc, wr);
		rc = pbuf_write(&tx, msg, len);
		if (len == 0) {
			cr_assert_eq(rc, -EINVAL);
		} else if (rd >= blen || (rd & 3) != 0) {
			cr_assert_eq(rc, -EINVAL, "iteration %d: bad rd %u accepted", iter, rd);
		} else {
			uint32_t occ = rd > wr ? blen - (rd - wr) : wr - rd;
			int expect = (uint32_t)len + 4 <= blen - occ - 4 ? len : -ENOMEM;

			cr_assert_eq(rc, expect, "iteration %d: rc %d", iter, rc);
		}
		cr_assert_eq(le32(r.cfg.rd_idx_loc), rd, "writer wrote rd_idx");
		if (rc < 0) {
			cr_assert_eq(le32(r.cfg.wr_idx_loc), wr, "published on error");
		}
		assert_guards();
	}
}

/* ------------------------------------------------------------- crash points */

Test(crash_point, hit_once_per_write_and_read_not_on_error, .timeout = 10)
{
	char out[16];

	RING_PAIR(r, 64, 0);
	cr_assert_eq(pbuf_write(&tx, "abc", 3), 3);
	cr_assert_eq(pbuf_write(&tx, "x", 0), -EINVAL);
	cr_assert_eq(emu_crash_hits("pbuf_write_before_publish"), 1);
	cr_assert_eq(pbuf_read(&rx, out, 1), -ENOMEM);
	cr_assert_eq(pbuf_read(&rx, NULL, 0), 3);
	cr_assert_eq(emu_crash_hits("pbuf_read_before_release"), 0);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 3);
	cr_assert_eq(emu_crash_hits("pbuf_read_before_release"), 1);
}

static uint8_t *shared_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	memset(p, PAT, 4096);
	return p;
}

static void assert_killed(pid_t pid)
{
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %#x", status);
}

/* Killed between payload copy and publication: the bytes are in the ring,
 * but the reader still sees it empty. */
Test(crash_point, write_killed_before_publish_stays_unpublished, .timeout = 30)
{
	uint8_t *shm = shared_page();
	struct pbuf_cfg cfg = PBUF_CFG_INIT(shm, 256, 0, false);
	struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};
	pid_t pid;

	cr_assert_eq(pbuf_tx_init(&tx), 0);
	cr_assert_eq(pbuf_rx_init(&rx), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		emu_crash_arm("pbuf_write_before_publish", 1);
		(void)pbuf_write(&tx, "payload", 7);
		_exit(0);
	}
	assert_killed(pid);
	cr_assert_arr_eq(&cfg.data_loc[4], "payload", 7);
	cr_assert_eq(le32(cfg.wr_idx_loc), 0);
	cr_assert_eq(pbuf_read(&rx, NULL, 0), 0);
	munmap(shm, 4096);
}

/* Killed between copy-out and release: the packet is still in the ring for
 * the next reader. */
Test(crash_point, read_killed_before_release_keeps_packet, .timeout = 30)
{
	uint8_t *shm = shared_page();
	struct pbuf_cfg cfg = PBUF_CFG_INIT(shm, 256, 0, false);
	struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};
	char out[16];
	pid_t pid;

	cr_assert_eq(pbuf_tx_init(&tx), 0);
	cr_assert_eq(pbuf_rx_init(&rx), 0);
	cr_assert_eq(pbuf_write(&tx, "payload", 7), 7);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		emu_crash_arm("pbuf_read_before_release", 1);
		(void)pbuf_read(&rx, out, sizeof(out));
		_exit(0);
	}
	assert_killed(pid);
	cr_assert_eq(le32(cfg.rd_idx_loc), 0);
	cr_assert_eq(pbuf_read(&rx, out, sizeof(out)), 7);
	cr_assert_arr_eq(out, "payload", 7);
	munmap(shm, 4096);
}

/* --------------------------------------------------- two threads, SPSC ring */

/* 20 000 under Valgrind (about 3000 turns of the ring): memcheck serialises
 * the two threads, so more messages add time, not interleavings. */
#define SPSC_MSGS (vg_all_cases() ? 20000u : 200000u)
#define SPSC_MAX 300u
#define SPSC_SIZE (1024u + 36u)

static uint32_t spsc_len(uint32_t seq)
{
	return 8 + (seq * 2654435761u >> 7) % (SPSC_MAX - 8 + 1);
}

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++) {
		h = (h ^ p[i]) * 16777619u;
	}
	return h;
}

/* seq (LE32) | checksum of the rest (LE32) | content derived from seq */
static uint32_t spsc_msg(uint8_t *buf, uint32_t seq)
{
	uint32_t n = spsc_len(seq);

	put_le32(buf, seq);
	fill_msg((char *)buf + 8, seq, n - 8);
	put_le32(buf + 4, fnv1a(buf + 8, n - 8));
	return n;
}

struct spsc_producer {
	struct pbuf *tx;
	atomic_int rc;    /* 0, or the failing pbuf_write() result */
	atomic_bool done; /* set when the producer stops, for any reason */
};

static void *spsc_producer(void *arg)
{
	struct spsc_producer *p = arg;
	uint8_t msg[SPSC_MAX];

	for (uint32_t seq = 0; seq < SPSC_MSGS; seq++) {
		uint32_t n = spsc_msg(msg, seq);
		int rc;

		while ((rc = pbuf_write(p->tx, (const char *)msg, (uint16_t)n)) == -ENOMEM) {
			sched_yield();
		}
		if (rc != (int)n) {
			atomic_store(&p->rc, rc < 0 ? rc : -1);
			break;
		}
	}
	atomic_store(&p->done, true);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

Test(spsc, two_threads_no_loss_corruption_or_reorder, .timeout = 240)
{
	uint8_t *base = region(SPSC_SIZE);
	struct pbuf_cfg cfg = PBUF_CFG_INIT(base, SPSC_SIZE, 32, true);
	struct pbuf tx = {.cfg = &cfg}, rx = {.cfg = &cfg};
	struct spsc_producer prod = {.tx = &tx};
	uint8_t out[SPSC_MAX], expect[SPSC_MAX];
	pthread_t thread;
	uint32_t seq = 0;
	double last_progress = now_s();

	cr_assert_eq(pbuf_tx_init(&tx), 0);
	cr_assert_eq(pbuf_rx_init(&rx), 0);
	cr_assert_eq(pthread_create(&thread, NULL, spsc_producer, &prod), 0);
	while (seq < SPSC_MSGS) {
		bool producer_done = atomic_load(&prod.done);
		int rc = pbuf_read(&rx, (char *)out, sizeof(out));

		if (rc == 0) {
			/* done was read before the ring was seen empty: nothing more comes. */
			if (producer_done) {
				break;
			}
			cr_assert_lt(now_s() - last_progress, 60.0, "no message for 60 s at %u", seq);
			sched_yield();
			continue;
		}
		cr_assert_geq(rc, 8, "message %u: rc %d", seq, rc);
		cr_assert_eq(le32(out), seq, "lost, duplicated or reordered: got %u, expected %u",
			     le32(out), seq);
		cr_assert_eq(le32(out + 4), fnv1a(out + 8, (uint32_t)rc - 8), "message %u corrupt",
			     seq);
		cr_assert_eq((uint32_t)rc, spsc_msg(expect, seq));
		cr_assert_arr_eq(out, expect, (size_t)rc);
		seq++;
		last_progress = now_s();
	}
	cr_assert_eq(pthread_join(thread, NULL), 0);
	cr_assert_eq(atomic_load(&prod.rc), 0, "producer failed: %d", atomic_load(&prod.rc));
	cr_assert_eq(seq, SPSC_MSGS, "only %u messages arrived", seq);
	cr_assert_eq(pbuf_read(&rx, (char *)out, sizeof(out)), 0);
	assert_guards();
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h).
 * Not batched: hostile (a shared random sequence), crash_point (forks, the
 * crash-point hook) and spsc (threads, long). */
VG_BATCH(pbuf, 600)
