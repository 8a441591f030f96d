/*
 * test_zephyr_v2_shim.c - the compatibility pieces Zephyr main's ICBMsg v2
 * (backends/ipc_icbmsg.c) needs beyond classic ICBMsg: sys_hash32_djb2 and
 * sys_hash32_identity (zephyr/sys/hash_function.h), bitmask_find_gap
 * (zephyr/sys/util.h), the CONFIG_STATS=n statistics macros
 * (zephyr/stats/stats.h) and k_is_pre_kernel() (zephyr/kernel.h).
 * Exact values; the djb2 values were computed independently (h = h*33 ^ b
 * from 5381, modulo 2^32).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <zephyr/kernel.h>
#include <zephyr/stats/stats.h>
#include <zephyr/sys/hash_function.h>
#include <zephyr/sys/util.h>

#include "support/vg_cases.h"

#define TMO .timeout = 10

VgTest(hash, djb2_exact_values, TMO)
{
	static const uint8_t raw[] = {0x00, 0xff, 0x80};

	cr_assert_eq(sys_hash32_djb2("", 0), 5381u);
	cr_assert_eq(sys_hash32_djb2("a", 1), 177604u);
	cr_assert_eq(sys_hash32_djb2("ep0", 3), 0x0b872380u);
	cr_assert_eq(sys_hash32_djb2("ep1", 3), 0x0b872381u);
	cr_assert_eq(sys_hash32_djb2("remote_ep_name_long_enough_to_wrap",
				     strlen("remote_ep_name_long_enough_to_wrap")),
		     0x41385928u);
	cr_assert_eq(sys_hash32_djb2(raw, sizeof(raw)), 0x0b86c17au);
}

VgTest(hash, djb2_hashes_n_bytes_not_the_string, TMO)
{
	/* n counts bytes: a NUL inside is hashed, bytes after n are not. */
	cr_assert_eq(sys_hash32_djb2("ab", 1), 177604u);
	cr_assert_eq(sys_hash32_djb2("a\0", 2), 177604u * 33u);
	const sys_hash_func32_t f = sys_hash32_djb2;

	cr_assert_eq(f("ep0", 3), 0x0b872380u);
}

VgTest(hash, identity_of_primitive_sizes, TMO)
{
	uint8_t u8 = 0xab;
	uint16_t u16 = 0xbeef;
	uint32_t u32 = 0xdeadbeefu;
	uint64_t u64 = 0x1122334455667788ull;

	cr_assert_eq(sys_hash32_identity(&u8, sizeof(u8)), 0xabu);
	cr_assert_eq(sys_hash32_identity(&u16, sizeof(u16)), 0xbeefu);
	cr_assert_eq(sys_hash32_identity(&u32, sizeof(u32)), 0xdeadbeefu);
	cr_assert_eq(sys_hash32_identity(&u64, sizeof(u64)), 0x55667788u);
}

VgTest(bitmask, empty_mask_gives_the_lowest_bit, TMO)
{
	cr_assert_eq(bitmask_find_gap(0, 1, 16, false), 0);
	cr_assert_eq(bitmask_find_gap(0, 1, 16, true), 0);
	cr_assert_eq(bitmask_find_gap(0, 16, 16, false), 0);
	cr_assert_eq(bitmask_find_gap(0, 32, 32, false), 0);
	cr_assert_eq(bitmask_find_gap(0, 32, 40, false), 0); /* at most 32 bits */
}

VgTest(bitmask, no_gap_is_minus_one, TMO)
{
	cr_assert_eq(bitmask_find_gap(0, 17, 16, false), -1);
	cr_assert_eq(bitmask_find_gap(0xffff, 1, 16, false), -1);
	cr_assert_eq(bitmask_find_gap(0xffffffffu, 1, 32, true), -1);
	cr_assert_eq(bitmask_find_gap(0, 1, 0, false), -1);
	/* bits above total_bits do not count as free */
	cr_assert_eq(bitmask_find_gap(0x0000fffeu, 2, 16, false), -1);
}

VgTest(bitmask, exact_fit_wins_best_fit_otherwise, TMO)
{
	/* free: bits 15..13 (3) and 3..2 (2) */
	cr_assert_eq(bitmask_find_gap(0x1ff3, 2, 16, false), 2);  /* exact, lower run */
	cr_assert_eq(bitmask_find_gap(0x1ff3, 2, 16, true), 13);  /* first from the top */
	cr_assert_eq(bitmask_find_gap(0x1ff3, 3, 16, false), 13);
	cr_assert_eq(bitmask_find_gap(0x1ff3, 1, 16, false), 2);  /* shortest run */
	cr_assert_eq(bitmask_find_gap(0x1ff3, 4, 16, false), -1);
	/* free: 11..8 (4) and 5..2 (4): equals keep the first visited (top) */
	cr_assert_eq(bitmask_find_gap(0xf0c3, 2, 16, false), 8);
	cr_assert_eq(bitmask_find_gap(0xf0c3, 4, 16, false), 8);
	/* free above a used low half: 19..16 */
	cr_assert_eq(bitmask_find_gap(0xffff, 4, 20, false), 16);
	cr_assert_eq(bitmask_find_gap(0xffff, 3, 20, false), 16);
}

STATS_SECT_START(shim_grp)
int extra; /* only to give the group a member in ISO C */
STATS_SECT_ENTRY32(never_declared)
STATS_SECT_END;

static int init_parms(const void *map, int cnt)
{
	return map == NULL ? cnt : -1;
}

VgTest(stats, disabled_macros_declare_and_evaluate_nothing, TMO)
{
	STATS_SECT_DECL(shim_grp) g = {.extra = 7};
	int evaluated = 0;

	cr_assert_eq(sizeof(g), sizeof(int));
	STATS_INC(g, never_declared);
	STATS_INCN(g, never_declared, evaluated++);
	STATS_SET(g, never_declared, evaluated++);
	STATS_CLEAR(g, never_declared);
	cr_assert_eq(evaluated, 0);
	cr_assert_eq(g.extra, 7);
	cr_assert_eq(STATS_INIT_AND_REG(shim_grp, 4, "name"), 0);
	cr_assert_eq(init_parms(STATS_NAME_INIT_PARMS(shim_grp)), 0);
}

VgTest(kernel, never_pre_kernel, TMO)
{
	cr_assert_eq(k_is_pre_kernel(), false);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(zephyr_v2_shim, 600)
