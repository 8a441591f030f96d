/*
 * ICBMsg v2: the layout arithmetic against every worked example of the
 * fact sheet (../shared/spec/icbmsg-v2.md §1.7), the name hash, and the
 * bytes an instance writes (the #117403 log facts), exact.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ipc_emu/ipc_icbmsg_v2.h"
#include "support/v2_pair.h"
#include "support/vg_cases.h"

struct row {
	uint32_t a, n;
	uint64_t size;
	uint32_t q, cons, block, blocks_at, max;
};

static void check_row(const struct row *r)
{
	struct icbmsg_v2_layout l;

	cr_assert_eq(icbmsg_v2_layout_compute(0x38000000, r->size, r->a, r->n, 16, &l), 0);
	cr_assert_eq(l.queue_size, r->q);
	cr_assert_eq(l.base_offset, 0u);
	cr_assert_eq(l.cons_offset, r->cons);
	cr_assert_eq(l.block_size, r->block);
	cr_assert_eq(l.blocks_offset, r->blocks_at);
	cr_assert_eq(l.max_payload, r->max);
	cr_assert_eq(l.block_count, r->n);
	cr_assert_eq(l.slots, 16u);
	cr_assert_eq(l.area_size, (uint32_t)r->size);
}

/* Row 1: the #117403 log (STM32H747, no dcache-alignment). */
VgTest(icbmsg_v2_layout, row1_issue_117403_log, .timeout = 10)
{
	check_row(&(struct row){.a = 0, .n = 16, .size = 32768, .q = 24, .cons = 0x18,
				.block = 2044, .blocks_at = 0x40, .max = 32700});
}

/* Row 2: the nrf5340 test overlay (dcache-alignment 8, 20 blocks). */
VgTest(icbmsg_v2_layout, row2_nrf5340_overlay, .timeout = 10)
{
	check_row(&(struct row){.a = 8, .n = 20, .size = 32768, .q = 24, .cons = 24,
				.block = 1632, .blocks_at = 128, .max = 32636});
}

/* Rows 3 and 4: the documentation's 1024-byte examples with A = 32. */
VgTest(icbmsg_v2_layout, row3_docs_16_blocks, .timeout = 10)
{
	check_row(&(struct row){.a = 32, .n = 16, .size = 1024, .q = 32, .cons = 32,
				.block = 32, .blocks_at = 512, .max = 508});
}

VgTest(icbmsg_v2_layout, row4_docs_15_blocks, .timeout = 10)
{
	check_row(&(struct row){.a = 32, .n = 15, .size = 1024, .q = 32, .cons = 32,
				.block = 64, .blocks_at = 64, .max = 956});
}

/* Row 5: row 1 with A = 8 (what PR #119566's default would give). */
VgTest(icbmsg_v2_layout, row5_row1_with_alignment_8, .timeout = 10)
{
	check_row(&(struct row){.a = 8, .n = 16, .size = 32768, .q = 24, .cons = 24,
				.block = 2040, .blocks_at = 128, .max = 32636});
}

VgTest(icbmsg_v2_layout, queue_size_follows_slots_and_alignment, .timeout = 10)
{
	struct icbmsg_v2_layout l;

	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 0, 4, 17, &l), 0);
	cr_assert_eq(l.queue_size, 28u); /* 8 + 17 -> multiple of 4 */
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 64, 4, 128, &l), 0);
	cr_assert_eq(l.queue_size, 192u); /* 136 -> multiple of 64 */
	cr_assert_eq(l.cons_offset, 192u);
	cr_assert_eq(l.block_size, 896u); /* (4096 - 384) / 4 = 928 -> 896 */
	cr_assert_eq(l.blocks_offset, 4096u - 4u * 896u);
}

VgTest(icbmsg_v2_layout, unaligned_region_is_rounded_inwards, .timeout = 10)
{
	struct icbmsg_v2_layout l;

	/* 0x1004..0x1404 with A = 32: base 0x1020, end 0x1400. */
	cr_assert_eq(icbmsg_v2_layout_compute(0x1004, 1024, 32, 15, 16, &l), 0);
	cr_assert_eq(l.base_offset, 28u);
	cr_assert_eq(l.area_size, 992u);
	cr_assert_eq(l.cons_offset, 60u);
	cr_assert_eq(l.block_size, 32u); /* (992 - 64) / 15 = 61 -> 32 */
	cr_assert_eq(l.blocks_offset, 28u + 992u - 15u * 32u);
}

VgTest(icbmsg_v2_layout, rejects_impossible_configurations, .timeout = 10)
{
	struct icbmsg_v2_layout l;

	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 0, 0, 16, &l), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 0, 33, 16, &l), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 12, 4, 16, &l), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 2, 4, 16, &l), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 0, 4, 15, &l), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 0, 4, 129, &l), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 4096, 0, 4, 16, NULL), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 0x100000000ull, 0, 4, 16, &l), -EINVAL);
	/* Smallest region for one block, S = 16, A = 4: 2 * 24 + 4. */
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 52, 0, 1, 16, &l), 0);
	cr_assert_eq(l.block_size, 4u);
	cr_assert_eq(l.max_payload, 0u);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 51, 0, 1, 16, &l), -EINVAL);
	cr_assert_eq(icbmsg_v2_layout_compute(0x1000, 40, 0, 1, 16, &l), -EINVAL);
}

VgTest(icbmsg_v2_layout, name_hash_is_djb2_xor, .timeout = 10)
{
	cr_assert_eq(icbmsg_v2_name_hash(NULL), 1u);
	cr_assert_eq(icbmsg_v2_name_hash(""), 5381u);
	cr_assert_eq(icbmsg_v2_name_hash("alpha"), 0x0a216451u);
	cr_assert_eq(icbmsg_v2_name_hash("ep0"), 0x0b872380u);
}

VgTest(icbmsg_v2_layout, error_strings, .timeout = 10)
{
	cr_assert_str_eq(icbmsg_v2_error_str(ICBMSG_V2_ERR_CLASSIC_PEER),
			 "peer speaks classic ICBMsg");
	cr_assert_str_eq(icbmsg_v2_error_str(ICBMSG_V2_ERR_NONE), "no error");
}

/* ---------------------------------------------------------------- bytes on the wire */

static struct v2_pair P;

static void wire_setup(void)
{
	v2_pair_setup(&P, "wire", NULL);
}

static void wire_teardown(void)
{
	v2_pair_teardown(&P);
}

/* The host opens and registers with no peer: nothing is consumed, so its
 * TX region shows the first two entries as Zephyr's would (#117403 log:
 * first producer slot at +8, entries 0x80 and 0x81, packets at block
 * starts). */
VgTest(icbmsg_v2_wire, bound_packet_and_ep_bound_bytes, .init = wire_setup,
     .fini = wire_teardown, .timeout = 20)
{
	static const struct ipc_ept_cfg cfg = {.name = "alpha"};
	struct ipc_ept ept;
	struct icbmsg_v2_layout l;
	const uint8_t *tx;
	static const uint8_t bound[20] = {16, 0, 0, 0xFF, 0xAB, 0x89, 0x67, 0x45, 0x45, 0x67,
					  0x89, 0xAB, 16, 0, 0, 0, 24, 0, 0, 0};
	static const uint8_t ep_bound[10] = {6, 0, 1, 0xFF, 0, 0, 0x51, 0x64, 0x21, 0x0a};

	v2_side_init(&P, V2_HOST);
	v2_layout(&P, V2_HOST, true, &l);
	tx = v2_region(&P, V2_HOST, true);
	cr_assert_eq(ipc_service_open_instance(&P.side[V2_HOST].dev), 0);
	cr_assert_eq(ipc_service_open_instance(&P.side[V2_HOST].dev), -EALREADY);
	cr_assert_eq(ipc_service_register_endpoint(&P.side[V2_HOST].dev, &ept, &cfg), 0);

	/* producer queue at +0: count 2, hi_count 2, slots 0x80 0x81 */
	cr_assert_eq(memcmp(tx, (const uint8_t[]){2, 0, 0, 0, 2, 0, 0, 0, 0x80, 0x81}, 10), 0);
	/* consumer queue (written by the peer) untouched */
	cr_assert_eq(l.cons_offset, 24u);
	cr_assert_eq(memcmp(tx + 24, (const uint8_t[8]){0}, 8), 0);
	/* block 0: the bound packet; block 1: EP_BOUND(slot 0, hash) */
	cr_assert_eq(memcmp(tx + l.blocks_offset, bound, sizeof(bound)), 0);
	cr_assert_eq(memcmp(tx + l.blocks_offset + l.block_size, ep_bound, sizeof(ep_bound)), 0);
	cr_assert_eq(icbmsg_v2_tx_blocks_in_use(&P.side[V2_HOST].dev), 2u);
	cr_assert_eq(icbmsg_v2_state(&P.side[V2_HOST].dev), ICBMSG_V2_STATE_CONNECTING);
}

/* Boot zeroes the counters of the two queues a side writes, nothing else. */
VgTest(icbmsg_v2_wire, init_zeroes_only_own_queue_counters, .init = wire_setup,
     .fini = wire_teardown, .timeout = 20)
{
	uint8_t *tx = v2_region(&P, V2_HOST, true), *rx = v2_region(&P, V2_HOST, false);
	struct icbmsg_v2_layout lt, lr;

	v2_layout(&P, V2_HOST, true, &lt);
	v2_layout(&P, V2_HOST, false, &lr);
	memset(tx, 0x5A, 0x4000);
	memset(rx, 0x5A, 0x4000);
	v2_side_init(&P, V2_HOST);
	/* TX producer count/hi zeroed, its slots kept; TX consumer untouched. */
	cr_assert_eq(memcmp(tx, (const uint8_t[8]){0}, 8), 0);
	cr_assert_eq(tx[8], 0x5A);
	cr_assert_eq(tx[lt.cons_offset], 0x5A);
	/* RX consumer count/hi zeroed; RX producer untouched. */
	cr_assert_eq(memcmp(rx + lr.cons_offset, (const uint8_t[8]){0}, 8), 0);
	cr_assert_eq(rx[lr.cons_offset + 8], 0x5A);
	cr_assert_eq(rx[0], 0x5A);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(icbmsg_v2_layout, 600)
