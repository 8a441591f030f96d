/*
 * test_zephyr_headers.c - the Zephyr utility headers of include/zephyr/:
 * exact values of the util/util_macro/toolchain macros (at run time, in
 * #if and in BUILD_ASSERT / static initialisers), atomics' return values,
 * byte order on known bytes, list operations and order, the ring buffer's
 * wrap-around with claim/finish and items, cache calls, the seeded random
 * generator (same seed, same numbers; other seed/role/boot, others),
 * PBUF_DEFINE's layout and the ICMsg glue's argument checks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <zephyr/cache.h>
#include <zephyr/ipc/icmsg.h>
#include <zephyr/ipc/pbuf.h>
#include <zephyr/kernel.h>
#include <zephyr/random/random.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/sys/barrier.h>
#include <zephyr/sys/byteorder.h>
#include <zephyr/sys/dlist.h>
#include <zephyr/sys/ring_buffer.h>
#include <zephyr/sys/sflist.h>
#include <zephyr/sys/slist.h>
#include <zephyr/sys/util.h>
#include <zephyr/toolchain.h>

#include "support/vg_cases.h"

#define TMO .timeout = 10

/* ---- preprocessor-time checks: a wrong value is a build failure ----------- */
#define CONFIG_H3_ON 1
#define CONFIG_H3_OFF 0
#if !IS_ENABLED(CONFIG_H3_ON) || IS_ENABLED(CONFIG_H3_OFF) || IS_ENABLED(CONFIG_H3_UNDEFINED)
#error "IS_ENABLED in #if"
#endif
#if UTIL_INC(0) != 1 || UTIL_INC(254) != 255 || UTIL_INC(255) != 256
#error "UTIL_INC in #if"
#endif
#if UTIL_DEC(0) != 0 || UTIL_DEC(1) != 0 || UTIL_DEC(255) != 254 || UTIL_DEC(256) != 255
#error "UTIL_DEC in #if"
#endif
#if UTIL_X2(0) != 0 || UTIL_X2(7) != 14 || UTIL_X2(255) != 510
#error "UTIL_X2 in #if"
#endif
#if !IS_EQ(0, 0) || !IS_EQ(255, 255) || IS_EQ(3, 4) || !IS_EQ(UTIL_INC(41), 42)
#error "IS_EQ in #if"
#endif
#if !IS_EMPTY() || IS_EMPTY(a) || IS_EMPTY(a, b) || !IS_EMPTY(EMPTY)
#error "IS_EMPTY in #if"
#endif
#if NUM_VA_ARGS() != 0 || NUM_VA_ARGS(a) != 1 || NUM_VA_ARGS(a, b, c) != 3
#error "NUM_VA_ARGS in #if"
#endif
#if NUM_VA_ARGS_LESS_1() != 0 || NUM_VA_ARGS_LESS_1(a) != 0 || NUM_VA_ARGS_LESS_1(a, b, c) != 2
#error "NUM_VA_ARGS_LESS_1 in #if"
#endif
#if UTIL_NOT(0) != 1 || UTIL_NOT(1) != 0 || UTIL_NOT(7) != 0 || UTIL_BOOL(0) != 0 || UTIL_BOOL(9) != 1
#error "UTIL_NOT/UTIL_BOOL in #if"
#endif
#if UTIL_AND(1, 5) != 5 || UTIL_AND(0, undefined_junk) != 0 || UTIL_OR(1, undefined_junk) != 1 || UTIL_OR(0, 3) != 3
#error "UTIL_AND/UTIL_OR in #if"
#endif
#if COND_CODE_1(CONFIG_H3_ON, (1), (0)) != 1 || COND_CODE_1(CONFIG_H3_OFF, (1), (0)) != 0
#error "COND_CODE_1 in #if"
#endif
#if COND_CODE_0(CONFIG_H3_OFF, (1), (0)) != 1 || COND_CODE_0(CONFIG_H3_ON, (1), (0)) != 0
#error "COND_CODE_0 in #if"
#endif
#if GET_ARG_N(3, 10, 20, 30, 40) != 30 || GET_ARG_N(1, 7) != 7
#error "GET_ARG_N in #if"
#endif

/* ---- BUILD_ASSERT at file scope, with and without a message ------------------ */
BUILD_ASSERT(ROUND_UP(13, 8) == 16, "ROUND_UP");
BUILD_ASSERT(ROUND_DOWN(13, 8) == 8);
BUILD_ASSERT(DIV_ROUND_UP(1, 2) == 1 && DIV_ROUND_UP(4, 2) == 2 && DIV_ROUND_UP(0, 3) == 0);
BUILD_ASSERT(DIV_ROUND_CLOSEST(5, 2) == 3 && DIV_ROUND_CLOSEST(5, -2) == -3);
BUILD_ASSERT(DIV_ROUND_CLOSEST(5, 3) == 2 && DIV_ROUND_CLOSEST(-7, 2) == -4);
BUILD_ASSERT(DIV_ROUND_CLOSEST(7U, 2U) == 4U);
BUILD_ASSERT(GENMASK(7, 4) == 0xF0UL && GENMASK(31, 0) == 0xFFFFFFFFUL);
BUILD_ASSERT(GENMASK64(63, 60) == 0xF000000000000000ULL);
BUILD_ASSERT(BIT_MASK(0) == 0 && BIT_MASK(5) == 0x1F && BIT64_MASK(40) == 0xFFFFFFFFFFULL);
BUILD_ASSERT(BIT64(40) == 0x10000000000ULL);
BUILD_ASSERT(FIELD_GET(0xF0, 0xA5) == 0xA && FIELD_PREP(0xF0, 0x3) == 0x30);
BUILD_ASSERT(IS_POWER_OF_TWO(64) && !IS_POWER_OF_TWO(0) && !IS_POWER_OF_TWO(12));
BUILD_ASSERT(KB(1) == 1024 && MB(2) == 2097152 && GB(1) == 1073741824);
BUILD_ASSERT(KHZ(32) == 32000 && MHZ(64) == 64000000);
BUILD_ASSERT(IN_RANGE(5, 1, 5) && !IN_RANGE(6, 1, 5) && CLAMP(9, 1, 5) == 5 && CLAMP(-1, 1, 5) == 1);
BUILD_ASSERT(LOG2(1) == 0 && LOG2(1024) == 10 && LOG2(0) == -1 && LOG2CEIL(5) == 3 && LOG2CEIL(1) == 0);
BUILD_ASSERT(NHPOT(5) == 8 && NHPOT(1) == 1 && NHPOT(64) == 64);
BUILD_ASSERT(IS_EQ(17, 17) && NUM_VA_ARGS(a, b) == 2);
BUILD_ASSERT(BSWAP_16(0x1234) == 0x3412 && BSWAP_32(0x12345678) == 0x78563412);
BUILD_ASSERT(BSWAP_24(0x123456) == 0x563412 && BSWAP_64(0x0102030405060708ULL) == 0x0807060504030201ULL);
BUILD_ASSERT(sys_cpu_to_be32(0x11223344) == 0x44332211 && sys_cpu_to_le16(0xABCD) == 0xABCD);
BUILD_ASSERT(ATOMIC_BITS == 64 && ATOMIC_BITMAP_SIZE(1) == 1 && ATOMIC_BITMAP_SIZE(64) == 1 &&
	     ATOMIC_BITMAP_SIZE(65) == 2);

struct h3_packed {
	uint8_t a;
	uint32_t b;
} __packed;
BUILD_ASSERT(sizeof(struct h3_packed) == 5, "__packed");
static uint8_t h3_aligned[3] __aligned(64);
BUILD_ASSERT(SIZEOF_FIELD(struct h3_packed, b) == 4);

/* static initialisers */
#define H3_SQ(x) ((x) * (x))
#define H3_IDX(i, x) ((i)*100 + (x))
#define H3_FIX(x, f) ((x) + (f))
#define H3_IDXFIX(i, x, f) ((i)*100 + (x) + (f))
#define H3_LIST(i, _) (i)
static const int h3_squares[] = {FOR_EACH(H3_SQ, (,), 1, 2, 3, 4)};
static const int h3_listify[] = {LISTIFY(5, H3_LIST, (,))};
static const int h3_listify_big[] = {LISTIFY(200, H3_LIST, (,))};
static const int h3_idx[] = {FOR_EACH_IDX(H3_IDX, (,), 7, 8, 9)};
static const int h3_fixed[] = {FOR_EACH_FIXED_ARG(H3_FIX, (,), 1000, 1, 2, 3)};
static const int h3_idx_fixed[] = {FOR_EACH_IDX_FIXED_ARG(H3_IDXFIX, (,), 1000, 5, 6)};
static const int h3_nonempty[] = {FOR_EACH_NONEMPTY_TERM(H3_SQ, (,), 2, , 3, EMPTY, 4) 99};
static const int h3_reversed[] = {REVERSE_ARGS(1, 2, 3, 4, 5)};
static const int h3_less[] = {GET_ARGS_LESS_N(2, 10, 20, 30, 40)};
static const int h3_dropped[] = {LIST_DROP_EMPTY(1, , 2, EMPTY, 3)};
static const unsigned long h3_rounded = ROUND_UP(100, 64);
static const size_t h3_count = ARRAY_SIZE(h3_squares);
static int CONCAT(h3_, var, _, 3) = 33;
#define H3_NAME(x) x##_
static int MACRO_MAP_CAT(H3_NAME, h3, cat) = 44;
IF_ENABLED(CONFIG_H3_ON, (static const int h3_if_enabled = 1;))
IF_DISABLED(CONFIG_H3_OFF, (static const int h3_if_disabled = 2;))
IF_ENABLED(CONFIG_H3_OFF, (static const int h3_must_not_exist = 3;))
IF_DISABLED(CONFIG_H3_ON, (static const int h3_must_not_exist = 3;))
static const int h3_must_not_exist = 4; /* a redefinition error if either expanded */
#define H3_ID(x) x
static const int h3_64[] = {FOR_EACH(H3_ID, (,), LISTIFY(64, H3_LIST, (,)))};
static const int h3_255[] = {LISTIFY(255, H3_LIST, (,))};
#define H3_LIST_COMMA(i, _) (i),
static const int h3_util_listify[] = {UTIL_LISTIFY(3, H3_LIST_COMMA)};
BUILD_ASSERT(NUM_VA_ARGS(LISTIFY(64, H3_LIST, (,))) == 64);
BUILD_ASSERT(GET_ARG_N(64, LISTIFY(64, H3_LIST, (,))) == 63);
BUILD_ASSERT(IS_EQ(255, UTIL_DEC(256)) && IS_EQ(UTIL_X2(100), 200) == 1 && IS_EQ(UTIL_X2(100), 201) == 0);
BUILD_ASSERT(IDENTITY(5) UTIL_EXPAND(+ 2) EMPTY == 7);
static atomic_t h3_atomic_init = ATOMIC_INIT(5);
static ATOMIC_DEFINE(h3_bits, 130);
static const uint32_t h3_be = sys_cpu_to_be32(0x01020304);

VgTest(util, static_initialisers_from_macro_families, TMO)
{
	static const int lis[] = {0, 1, 2, 3, 4};
	static const int idx[] = {7, 108, 209};
	static const int fix[] = {1001, 1002, 1003};
	static const int idxfix[] = {1005, 1106};
	static const int nonempty[] = {4, 9, 16, 99};
	static const int rev[] = {5, 4, 3, 2, 1};
	static const int less[] = {30, 40};
	static const int dropped[] = {1, 2, 3};

	cr_assert_eq(h3_count, 4);
	cr_assert_eq(h3_squares[0], 1);
	cr_assert_eq(h3_squares[3], 16);
	cr_assert_eq(ARRAY_SIZE(h3_listify), 5);
	cr_assert_arr_eq(h3_listify, lis, sizeof(lis));
	cr_assert_eq(ARRAY_SIZE(h3_listify_big), 200);
	cr_assert_eq(h3_listify_big[199], 199);
	cr_assert_arr_eq(h3_idx, idx, sizeof(idx));
	cr_assert_arr_eq(h3_fixed, fix, sizeof(fix));
	cr_assert_arr_eq(h3_idx_fixed, idxfix, sizeof(idxfix));
	cr_assert_eq(ARRAY_SIZE(h3_nonempty), 4);
	cr_assert_arr_eq(h3_nonempty, nonempty, sizeof(nonempty));
	cr_assert_arr_eq(h3_reversed, rev, sizeof(rev));
	cr_assert_eq(ARRAY_SIZE(h3_less), 2);
	cr_assert_arr_eq(h3_less, less, sizeof(less));
	cr_assert_eq(ARRAY_SIZE(h3_dropped), 3);
	cr_assert_arr_eq(h3_dropped, dropped, sizeof(dropped));
	cr_assert_eq(h3_rounded, 128);
	cr_assert_eq(h3_var_3, 33);
	cr_assert_eq(h3_cat_, 44);
	cr_assert_eq(h3_if_enabled + h3_if_disabled, 3);
	cr_assert_eq(atomic_get(&h3_atomic_init), 5);
	cr_assert_eq(ARRAY_SIZE(h3_bits), 3);
	atomic_set_bit(h3_bits, 129);
	cr_assert_eq(h3_bits[2], 2);
	cr_assert_eq(h3_be, 0x04030201u);
	cr_assert_eq((uintptr_t)h3_aligned % 64, 0);
	cr_assert_eq(h3_must_not_exist, 4);
	cr_assert_eq(ARRAY_SIZE(h3_64), 64);
	cr_assert_eq(h3_64[63], 63);
	cr_assert_eq(ARRAY_SIZE(h3_255), 255);
	cr_assert_eq(h3_255[254], 254);
	cr_assert_eq(ARRAY_SIZE(h3_util_listify), 3);
	cr_assert_eq(h3_util_listify[2], 2);
}

VgTest(util, run_time_values, TMO)
{
	int x = -7;
	unsigned int u = 0x80000001u;
	void *p = UINT_TO_POINTER(0x1234);
	uint8_t src[5] = {1, 2, 3, 4, 5}, dst[5] = {0};
	uint8_t a[3] = {1, 2, 3}, b[3] = {7, 8, 9};

	cr_assert_eq(ROUND_UP(x + 20, 4), 16);
	cr_assert_eq(LOG2(x + 7), -1); /* LOG2(0) */
	cr_assert_eq(DIV_ROUND_CLOSEST(x, 2), -4);
	cr_assert_eq(POINTER_TO_UINT(p), 0x1234u);
	cr_assert_eq(POINTER_TO_INT(INT_TO_POINTER(-3)), -3);
	cr_assert(IS_ALIGNED(0x1000, 64));
	cr_assert_not(IS_ALIGNED(0x1004, 8));
	cr_assert(IS_PTR_ALIGNED(&x, int));
	cr_assert_not(IS_PTR_ALIGNED_BYTES((uint8_t *)h3_aligned + 1, 2));
	cr_assert_eq(find_lsb_set(0), 0);
	cr_assert_eq(find_lsb_set(u), 1);
	cr_assert_eq(find_lsb_set(0x100), 9);
	cr_assert_eq(find_msb_set(0), 0);
	cr_assert_eq(find_msb_set(u), 32);
	cr_assert_eq(find_msb_set(0x100), 9);
	cr_assert_eq(POPCOUNT(0xF0F0u), 8);
	cr_assert_eq(sys_count_bits(src, sizeof(src)), 7);
	cr_assert_eq(arithmetic_shift_right(-16, 2), -4);
	cr_assert_eq(sign_extend(0x80, 7), -128);
	cr_assert_eq(sign_extend_64(0x1FF, 8), -1);
	cr_assert_eq(bcd2bin(0x42), 42);
	cr_assert_eq(bin2bcd(42), 0x42);
	bytecpy(dst, src, sizeof(src));
	cr_assert_arr_eq(dst, src, sizeof(src));
	byteswp(a, b, sizeof(a));
	cr_assert_eq(a[0], 7);
	cr_assert_eq(b[2], 3);
	cr_assert(is_power_of_two(4096));
	cr_assert_not(is_power_of_two(0));
	cr_assert(util_eq(src, 5, dst, 5));
	cr_assert_not(util_eq(src, 5, dst, 4));
	cr_assert_eq(WRITE_BIT(u, 1, 1), 0x80000003u);
	cr_assert_str_eq(STRINGIFY(UTIL_INC(9)), "10");
	cr_assert_eq(GET_ARG_N(2, 5, 6, 7), 6);
	BUILD_ASSERT(sizeof(int) == 4, "BUILD_ASSERT in a function");
	BUILD_ASSERT(1);
	cr_assert(likely(x < 0));
	cr_assert_not(unlikely(x > 0));
	compiler_barrier();
	barrier_dmem_fence_full();
	barrier_dsync_fence_full();
	barrier_isync_fence_full();
	barrier_sync_synchronize();
}

VgTest(util, container_of_and_array_index, TMO)
{
	struct outer {
		int a;
		long b;
	} o[3];
	long *pb = &o[2].b;

	cr_assert_eq(CONTAINER_OF(pb, struct outer, b), &o[2]);
	cr_assert_eq(ARRAY_INDEX(o, &o[1]), 1);
	cr_assert_eq(ARRAY_INDEX_FLOOR(o, (char *)&o[2] + 1), 2);
	cr_assert(IS_ARRAY_ELEMENT(o, &o[2]));
	cr_assert_not(IS_ARRAY_ELEMENT(o, (char *)&o[1] + 1));
	cr_assert(PART_OF_ARRAY(o, (char *)&o[1] + 1));
	cr_assert_not(PART_OF_ARRAY(o, &o[3]));
}

static int poll_count;

static bool ready_after_three(void)
{
	return ++poll_count >= 3;
}

VgTest(util, wait_for_true_and_timeout, TMO)
{
	uint64_t t0;
	bool ok;

	poll_count = 0;
	ok = WAIT_FOR(ready_after_three(), 1000000, k_busy_wait(1));
	cr_assert(ok);
	cr_assert_eq(poll_count, 4); /* true at the 3rd poll, evaluated once more for the result */
	t0 = emu_zephyr_uptime_us();
	ok = WAIT_FOR(poll_count < 0, 2000, k_yield());
	cr_assert_not(ok);
	cr_assert_geq(emu_zephyr_uptime_us() - t0, 2000);
}

/* ---- atomics --------------------------------------------------------------- */
VgTest(atomic, operations_return_the_previous_value, TMO)
{
	atomic_t v = ATOMIC_INIT(10);
	int obj;
	atomic_ptr_t ptr = ATOMIC_PTR_INIT(NULL);

	cr_assert_eq(atomic_inc(&v), 10);
	cr_assert_eq(atomic_dec(&v), 11);
	cr_assert_eq(atomic_add(&v, 5), 10);
	cr_assert_eq(atomic_sub(&v, 3), 15);
	cr_assert_eq(atomic_set(&v, 0xF0), 12);
	cr_assert_eq(atomic_or(&v, 0x0F), 0xF0);
	cr_assert_eq(atomic_and(&v, 0x3C), 0xFF);
	cr_assert_eq(atomic_xor(&v, 0xFF), 0x3C);
	cr_assert_eq(atomic_nand(&v, 0x0F), 0xC3);
	cr_assert_eq(atomic_get(&v), ~(0xC3L & 0x0F));
	cr_assert_eq(atomic_clear(&v), ~(0xC3L & 0x0F));
	cr_assert_eq(atomic_get(&v), 0);
	cr_assert(atomic_cas(&v, 0, 7));
	cr_assert_not(atomic_cas(&v, 0, 8));
	cr_assert_eq(atomic_get(&v), 7);
	cr_assert_null(atomic_ptr_set(&ptr, &obj));
	cr_assert_eq(atomic_ptr_get(&ptr), &obj);
	cr_assert_not(atomic_ptr_cas(&ptr, NULL, &v));
	cr_assert(atomic_ptr_cas(&ptr, &obj, NULL));
	cr_assert_null(atomic_ptr_clear(&ptr));
}

VgTest(atomic, bit_arrays, TMO)
{
	ATOMIC_DEFINE(bits, 130) = {0};

	cr_assert_not(atomic_test_and_set_bit(bits, 129));
	cr_assert(atomic_test_and_set_bit(bits, 129));
	cr_assert_eq(bits[2], 2);
	atomic_set_bit(bits, 0);
	atomic_set_bit(bits, 64);
	cr_assert_eq(bits[0], 1);
	cr_assert_eq(bits[1], 1);
	cr_assert(atomic_test_bit(bits, 64));
	cr_assert_not(atomic_test_bit(bits, 65));
	cr_assert(atomic_test_and_clear_bit(bits, 64));
	cr_assert_not(atomic_test_and_clear_bit(bits, 64));
	atomic_set_bit_to(bits, 63, true);
	cr_assert_eq((unsigned long)bits[0], 0x8000000000000001ul);
	atomic_set_bit_to(bits, 63, false);
	atomic_clear_bit(bits, 0);
	cr_assert_eq(bits[0], 0);
}

/* ---- byte order -------------------------------------------------------------- */
VgTest(byteorder, get_put_known_bytes, TMO)
{
	static const uint8_t bytes[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
	uint8_t out[8];

	cr_assert_eq(sys_get_be16(bytes), 0x0102);
	cr_assert_eq(sys_get_le16(bytes), 0x0201);
	cr_assert_eq(sys_get_be24(bytes), 0x010203);
	cr_assert_eq(sys_get_le24(bytes), 0x030201);
	cr_assert_eq(sys_get_be32(bytes), 0x01020304u);
	cr_assert_eq(sys_get_le32(bytes), 0x04030201u);
	cr_assert_eq(sys_get_be48(bytes), 0x010203040506ull);
	cr_assert_eq(sys_get_le48(bytes), 0x060504030201ull);
	cr_assert_eq(sys_get_be64(bytes), 0x0102030405060708ull);
	cr_assert_eq(sys_get_le64(bytes), 0x0807060504030201ull);
	memset(out, 0, sizeof(out));
	sys_put_be32(0x01020304u, out);
	cr_assert_arr_eq(out, bytes, 4);
	sys_put_le64(0x0807060504030201ull, out);
	cr_assert_arr_eq(out, bytes, 8);
	memset(out, 0xEE, sizeof(out));
	sys_put_be24(0x010203, out);
	cr_assert_arr_eq(out, bytes, 3);
	cr_assert_eq(out[3], 0xEE);
	sys_put_le16(0x0201, out);
	cr_assert_arr_eq(out, bytes, 2);
	sys_put_be64(sys_get_be64(bytes), out);
	cr_assert_arr_eq(out, bytes, 8);
}

VgTest(byteorder, conversions_and_swaps, TMO)
{
	uint8_t buf[5] = {1, 2, 3, 4, 5};
	uint8_t rev[5];
	static const uint8_t expect[5] = {5, 4, 3, 2, 1};
	uint32_t v = 0x11223344u;

	cr_assert_eq(sys_be32_to_cpu(sys_cpu_to_be32(v)), v);
	cr_assert_eq(sys_cpu_to_be16(0x1234), 0x3412);
	cr_assert_eq(sys_le64_to_cpu(0x0102030405060708ull), 0x0102030405060708ull);
	cr_assert_eq(sys_cpu_to_be48(0x010203040506ull), 0x060504030201ull);
	cr_assert_eq(BSWAP_40(0x0102030405ull), 0x0504030201ull);
	cr_assert_eq(BSWAP_48(0x010203040506ull), 0x060504030201ull);
	sys_memcpy_swap(rev, buf, sizeof(buf));
	cr_assert_arr_eq(rev, expect, sizeof(expect));
	sys_mem_swap(buf, sizeof(buf));
	cr_assert_arr_eq(buf, expect, sizeof(expect));
	sys_mem_swap(buf, 4);
	cr_assert_eq(buf[0], 2);
	cr_assert_eq(buf[3], 5);
}

/* ---- lists ---------------------------------------------------------------------- */
struct item {
	int id;
	sys_snode_t snode;
	sys_dnode_t dnode;
};

VgTest(slist, order_and_removal, TMO)
{
	sys_slist_t list = SYS_SLIST_STATIC_INIT(&list);
	sys_slist_t other;
	struct item it[6];
	struct item *c, *cs;
	sys_snode_t *n, *ns;
	int seen[8], k = 0;

	for (int i = 0; i < 6; i++) {
		it[i].id = i;
	}
	cr_assert(sys_slist_is_empty(&list));
	cr_assert_null(sys_slist_get(&list));
	sys_slist_append(&list, &it[1].snode);
	sys_slist_append(&list, &it[2].snode);
	sys_slist_prepend(&list, &it[0].snode);
	sys_slist_insert(&list, &it[2].snode, &it[3].snode); /* after the tail */
	cr_assert_eq(sys_slist_peek_head(&list), &it[0].snode);
	cr_assert_eq(sys_slist_peek_tail(&list), &it[3].snode);
	cr_assert_eq(sys_slist_len(&list), 4);
	SYS_SLIST_FOR_EACH_CONTAINER(&list, c, snode) {
		seen[k++] = c->id;
	}
	cr_assert_eq(k, 4);
	cr_assert(seen[0] == 0 && seen[1] == 1 && seen[2] == 2 && seen[3] == 3);
	cr_assert(sys_slist_find_and_remove(&list, &it[3].snode));
	cr_assert_not(sys_slist_find_and_remove(&list, &it[3].snode));
	cr_assert_eq(sys_slist_peek_tail(&list), &it[2].snode);
	cr_assert_eq(SYS_SLIST_PEEK_HEAD_CONTAINER(&list, c, snode), &it[0]);
	cr_assert_eq(SYS_SLIST_PEEK_TAIL_CONTAINER(&list, c, snode), &it[2]);
	cr_assert_null(SYS_SLIST_PEEK_NEXT_CONTAINER(&it[2], snode));

	sys_slist_init(&other);
	sys_slist_append(&other, &it[4].snode);
	sys_slist_append(&other, &it[5].snode);
	sys_slist_merge_slist(&list, &other);
	cr_assert(sys_slist_is_empty(&other));
	cr_assert_eq(sys_slist_peek_tail(&list), &it[5].snode);
	k = 0;
	SYS_SLIST_FOR_EACH_NODE_SAFE(&list, n, ns) {
		if (CONTAINER_OF(n, struct item, snode)->id % 2 == 1) {
			sys_slist_find_and_remove(&list, n);
		}
	}
	SYS_SLIST_FOR_EACH_NODE(&list, n) {
		seen[k++] = CONTAINER_OF(n, struct item, snode)->id;
	}
	cr_assert_eq(k, 3);
	cr_assert(seen[0] == 0 && seen[1] == 2 && seen[2] == 4);
	SYS_SLIST_FOR_EACH_CONTAINER_SAFE(&list, c, cs, snode) {
		sys_slist_find_and_remove(&list, &c->snode);
	}
	cr_assert(sys_slist_is_empty(&list));
	cr_assert_null(sys_slist_peek_tail(&list));
	sys_slist_append(&list, &it[0].snode);
	cr_assert_eq(sys_slist_get(&list), &it[0].snode);
	cr_assert_null(sys_slist_peek_tail(&list));
}

static int id_greater(sys_dnode_t *node, void *data)
{
	return CONTAINER_OF(node, struct item, dnode)->id > *(int *)data;
}

VgTest(dlist, order_insert_remove, TMO)
{
	sys_dlist_t list = SYS_DLIST_STATIC_INIT(&list);
	struct item it[6];
	struct item *c, *cs;
	sys_dnode_t *n;
	int seen[8], k = 0;

	for (int i = 0; i < 6; i++) {
		it[i].id = i * 10;
		sys_dnode_init(&it[i].dnode);
	}
	cr_assert(sys_dlist_is_empty(&list));
	cr_assert_null(sys_dlist_peek_head(&list));
	cr_assert_null(sys_dlist_get(&list));
	sys_dlist_append(&list, &it[1].dnode);
	sys_dlist_append(&list, &it[3].dnode);
	sys_dlist_prepend(&list, &it[0].dnode);
	sys_dlist_insert(&it[3].dnode, &it[2].dnode);
	cr_assert(sys_dnode_is_linked(&it[2].dnode));
	cr_assert_not(sys_dnode_is_linked(&it[4].dnode));
	it[4].id = 25;
	sys_dlist_insert_at(&list, &it[4].dnode, id_greater, &it[4].id); /* before 30 */
	it[5].id = 99;
	sys_dlist_insert_at(&list, &it[5].dnode, id_greater, &it[5].id); /* at the tail */
	cr_assert_eq(sys_dlist_len(&list), 6);
	cr_assert(sys_dlist_is_head(&list, &it[0].dnode));
	cr_assert(sys_dlist_is_tail(&list, &it[5].dnode));
	cr_assert(sys_dlist_has_multiple_nodes(&list));
	SYS_DLIST_FOR_EACH_CONTAINER(&list, c, dnode) {
		seen[k++] = c->id;
	}
	cr_assert_eq(k, 6);
	cr_assert(seen[0] == 0 && seen[1] == 10 && seen[2] == 20 && seen[3] == 25 &&
		  seen[4] == 30 && seen[5] == 99);
	cr_assert_eq(sys_dlist_peek_prev(&list, &it[1].dnode), &it[0].dnode);
	cr_assert_null(sys_dlist_peek_prev(&list, &it[0].dnode));
	cr_assert_null(sys_dlist_peek_next(&list, &it[5].dnode));
	cr_assert_eq(SYS_DLIST_PEEK_NEXT_CONTAINER(&list, &it[3], dnode), &it[5]);
	sys_dlist_remove(&it[4].dnode);
	cr_assert_not(sys_dnode_is_linked(&it[4].dnode));
	n = &it[1].dnode;
	k = 0;
	SYS_DLIST_ITERATE_FROM_NODE(&list, n) {
		seen[k++] = CONTAINER_OF(n, struct item, dnode)->id;
	}
	cr_assert_eq(k, 3);
	cr_assert(seen[0] == 20 && seen[1] == 30 && seen[2] == 99);
	cr_assert_eq(sys_dlist_get(&list), &it[0].dnode);
	SYS_DLIST_FOR_EACH_CONTAINER_SAFE(&list, c, cs, dnode) {
		sys_dlist_remove(&c->dnode);
	}
	cr_assert(sys_dlist_is_empty(&list));
	cr_assert_not(sys_dlist_has_multiple_nodes(&list));
	cr_assert_null(sys_dlist_peek_tail(&list));
}

struct fitem {
	int id;
	sys_sfnode_t node;
};

VgTest(sflist, flags_survive_linking, TMO)
{
	sys_sflist_t list = SYS_SFLIST_STATIC_INIT(&list);
	struct fitem it[4];
	struct fitem *c;
	sys_sfnode_t *n, *ns;
	int seen[4], k = 0;

	for (int i = 0; i < 4; i++) {
		it[i].id = i;
		sys_sfnode_init(&it[i].node, (uint8_t)i);
	}
	sys_sflist_append(&list, &it[1].node);
	sys_sflist_append(&list, &it[3].node);
	sys_sflist_prepend(&list, &it[0].node);
	sys_sflist_insert(&list, &it[1].node, &it[2].node);
	cr_assert_eq(sys_sflist_len(&list), 4);
	SYS_SFLIST_FOR_EACH_CONTAINER(&list, c, node) {
		seen[k++] = c->id;
		cr_assert_eq(sys_sfnode_flags_get(&c->node), c->id);
	}
	cr_assert(seen[0] == 0 && seen[1] == 1 && seen[2] == 2 && seen[3] == 3);
	sys_sfnode_flags_set(&it[1].node, 3);
	cr_assert_eq(sys_sflist_peek_next(&it[1].node), &it[2].node);
	cr_assert_eq(sys_sfnode_flags_get(&it[1].node), 3);
	cr_assert(sys_sflist_find_and_remove(&list, &it[2].node));
	cr_assert_not(sys_sflist_find_and_remove(&list, &it[2].node));
	cr_assert_eq(sys_sfnode_flags_get(&it[2].node), 2);
	cr_assert_eq(sys_sflist_get(&list), &it[0].node);
	SYS_SFLIST_FOR_EACH_NODE_SAFE(&list, n, ns) {
		sys_sflist_find_and_remove(&list, n);
	}
	cr_assert(sys_sflist_is_empty(&list));
	cr_assert_null(sys_sflist_peek_tail(&list));
	cr_assert_eq(sys_sfnode_flags_get(&it[3].node), 3);
}

/* ---- ring buffer ------------------------------------------------------------------ */
RING_BUF_DECLARE(h3_rb, 10);
RING_BUF_ITEM_DECLARE(h3_irb, 8);

VgTest(ring_buffer, put_get_wrap_around, TMO)
{
	uint8_t out[16];
	static const uint8_t in[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

	cr_assert_eq(ring_buf_capacity_get(&h3_rb), 10);
	cr_assert(ring_buf_is_empty(&h3_rb));
	cr_assert_eq(ring_buf_put(&h3_rb, in, 7), 7);
	cr_assert_eq(ring_buf_get(&h3_rb, out, 5), 5);
	cr_assert_arr_eq(out, in, 5);
	/* 2 bytes in, at offsets 5..6; 8 more wrap past the end */
	cr_assert_eq(ring_buf_space_get(&h3_rb), 8);
	cr_assert_eq(ring_buf_put(&h3_rb, in + 7, 9), 8);
	cr_assert_eq(ring_buf_space_get(&h3_rb), 0);
	cr_assert_eq(ring_buf_size_get(&h3_rb), 10);
	cr_assert_eq(ring_buf_put(&h3_rb, in, 1), 0);
	cr_assert_eq(ring_buf_peek(&h3_rb, out, 3), 3);
	cr_assert_arr_eq(out, in + 5, 3);
	cr_assert_eq(ring_buf_size_get(&h3_rb), 10);
	cr_assert_eq(ring_buf_get(&h3_rb, out, 16), 10);
	cr_assert_arr_eq(out, in + 5, 10);
	cr_assert(ring_buf_is_empty(&h3_rb));
	cr_assert_eq(ring_buf_get(&h3_rb, NULL, 4), 0);
	/* many laps: the indices never overflow */
	for (int lap = 0; lap < 1000; lap++) {
		cr_assert_eq(ring_buf_put(&h3_rb, in, 7), 7);
		cr_assert_eq(ring_buf_get(&h3_rb, out, 7), 7);
		cr_assert_arr_eq(out, in, 7);
	}
	ring_buf_put(&h3_rb, in, 3);
	ring_buf_reset(&h3_rb);
	cr_assert(ring_buf_is_empty(&h3_rb));
	cr_assert_eq(ring_buf_space_get(&h3_rb), 10);
}

VgTest(ring_buffer, claim_finish_contiguous_parts, TMO)
{
	uint8_t storage[8];
	struct ring_buf rb;
	uint8_t *p, *q;

	ring_buf_init(&rb, sizeof(storage), storage);
	cr_assert_eq(ring_buf_put_claim(&rb, &p, 6), 6);
	cr_assert_eq(p, storage);
	memset(p, 0xAB, 6);
	cr_assert_eq(ring_buf_put_finish(&rb, 7), -EINVAL);
	cr_assert_eq(ring_buf_put_finish(&rb, 6), 0);
	cr_assert_eq(ring_buf_get_claim(&rb, &q, 4), 4);
	cr_assert_eq(q, storage);
	cr_assert_eq(ring_buf_get_finish(&rb, 5), -EINVAL);
	cr_assert_eq(ring_buf_get_finish(&rb, 4), 0);
	/* free: 6 bytes, but only 2 contiguous before the end */
	cr_assert_eq(ring_buf_put_claim(&rb, &p, 6), 2);
	cr_assert_eq(p, storage + 6);
	cr_assert_eq(ring_buf_put_claim(&rb, &p, 6), 4);
	cr_assert_eq(p, storage);
	/* commit only 3 of the 6 claimed: the rest of the claim is released */
	cr_assert_eq(ring_buf_put_finish(&rb, 3), 0);
	cr_assert_eq(ring_buf_size_get(&rb), 5);
	cr_assert_eq(ring_buf_space_get(&rb), 3);
	cr_assert_eq(ring_buf_get_claim(&rb, &q, 8), 4); /* offsets 4..7 */
	cr_assert_eq(q, storage + 4);
	cr_assert_eq(ring_buf_get_finish(&rb, 1), 0); /* 3 claimed bytes stay */
	cr_assert_eq(ring_buf_size_get(&rb), 4);
	cr_assert_eq(ring_buf_get_claim(&rb, &q, 8), 3);
	cr_assert_eq(q, storage + 5);
	cr_assert_eq(ring_buf_get_claim(&rb, &q, 8), 1);
	cr_assert_eq(q, storage);
	cr_assert_eq(ring_buf_get_finish(&rb, 4), 0);
	cr_assert(ring_buf_is_empty(&rb));
}

VgTest(ring_buffer, items, TMO)
{
	uint32_t data[3] = {0x11111111u, 0x22222222u, 0x33333333u};
	uint32_t out[4] = {0};
	uint16_t type = 0;
	uint8_t value = 0, size32;

	cr_assert_eq(ring_buf_item_space_get(&h3_irb), 8);
	cr_assert_eq(ring_buf_item_put(&h3_irb, 0xBEEF, 0x7A, data, 3), 0);
	cr_assert_eq(ring_buf_item_put(&h3_irb, 2, 1, NULL, 0), 0);
	cr_assert_eq(ring_buf_item_space_get(&h3_irb), 3);
	cr_assert_eq(ring_buf_item_put(&h3_irb, 3, 3, data, 3), -EMSGSIZE);
	size32 = 2;
	cr_assert_eq(ring_buf_item_get(&h3_irb, &type, &value, out, &size32), -EMSGSIZE);
	cr_assert_eq(size32, 3);
	size32 = 4;
	cr_assert_eq(ring_buf_item_get(&h3_irb, &type, &value, out, &size32), 0);
	cr_assert_eq(type, 0xBEEF);
	cr_assert_eq(value, 0x7A);
	cr_assert_eq(size32, 3);
	cr_assert_arr_eq(out, data, sizeof(data));
	size32 = 0;
	cr_assert_eq(ring_buf_item_get(&h3_irb, &type, &value, NULL, &size32), 0);
	cr_assert_eq(type, 2);
	cr_assert_eq(value, 1);
	cr_assert_eq(size32, 0);
	cr_assert_eq(ring_buf_item_get(&h3_irb, &type, &value, out, &size32), -EAGAIN);
	/* wrap: 4 + 4 words around the end of 8 words */
	for (int i = 0; i < 5; i++) {
		size32 = 4;
		cr_assert_eq(ring_buf_item_put(&h3_irb, (uint16_t)i, 0, data, 3), 0);
		cr_assert_eq(ring_buf_item_get(&h3_irb, &type, &value, out, &size32), 0);
		cr_assert_eq(type, i);
		cr_assert_arr_eq(out, data, sizeof(data));
	}
}

/* ---- cache ------------------------------------------------------------------------ */
Test(cache, data_ops_succeed_instruction_ops_unsupported, TMO)
{
	uint8_t buf[64];

	unsetenv("IPC_EMU_CACHE_MODEL");
	cr_assert_eq(sys_cache_data_flush_range(buf, sizeof(buf)), 0);
	cr_assert_eq(sys_cache_data_invd_range(buf, sizeof(buf)), 0);
	cr_assert_eq(sys_cache_data_flush_and_invd_range(buf, sizeof(buf)), 0);
	cr_assert_eq(sys_cache_data_flush_all(), 0);
	cr_assert_eq(sys_cache_data_invd_all(), 0);
	cr_assert_eq(sys_cache_data_flush_and_invd_all(), 0);
	cr_assert_eq(sys_cache_instr_flush_all(), -ENOTSUP);
	cr_assert_eq(sys_cache_instr_invd_range(buf, sizeof(buf)), -ENOTSUP);
	cr_assert_eq(sys_cache_data_line_size_get(), 0);
	setenv("IPC_EMU_CACHE_MODEL", "1", 1);
	cr_assert_eq(sys_cache_data_flush_all(), -ENOTSUP);
	cr_assert_eq(sys_cache_data_flush_range(buf, sizeof(buf)), 0);
	unsetenv("IPC_EMU_CACHE_MODEL");
}

/* ---- random ------------------------------------------------------------------------ */
/* 40 bytes drawn right after reseeding from the given environment. */
static void draw(const char *seed, const char *role, const char *boot, uint8_t b[40])
{
	uint32_t r32;
	uint64_t r64;
	uint16_t r16;

	setenv("IPC_EMU_SEED", seed, 1);
	setenv("IPC_EMU_ROLE", role, 1);
	if (boot != NULL) {
		setenv("IPC_EMU_BOOT", boot, 1);
	} else {
		unsetenv("IPC_EMU_BOOT");
	}
	emu_zephyr_rand_reseed();
	r32 = sys_rand32_get();
	r64 = sys_rand64_get();
	r16 = sys_rand16_get();
	b[0] = sys_rand8_get();
	sys_rand_get(b + 1, 17);
	cr_assert_eq(sys_csrand_get(b + 18, 8), 0);
	memcpy(b + 26, &r32, 4);
	memcpy(b + 30, &r64, 8);
	memcpy(b + 38, &r16, 2);
}

VgTest(random, same_seed_same_numbers_other_seed_role_boot_others, TMO)
{
	uint8_t a[40], b[40], c[40], d[40], e[40];
	uint8_t buf[8];

	draw("42", "host", NULL, a);
	draw("42", "host", NULL, b);
	draw("43", "host", NULL, c);
	draw("42", "remote", NULL, d);
	draw("42", "host", "1", e);
	cr_assert_arr_eq(a, b, sizeof(a));
	cr_assert_arr_neq(a, c, sizeof(a));
	cr_assert_arr_neq(a, d, sizeof(a));
	cr_assert_arr_neq(a, e, sizeof(a));
	/* without a reseed the sequence goes on */
	sys_rand_get(buf, sizeof(buf));
	cr_assert_arr_neq(buf, e, sizeof(buf));
	cr_assert_arr_neq(buf, e + 8, sizeof(buf));
}

/* ---- PBUF_DEFINE ------------------------------------------------------------------- */
static uint8_t h3_pbuf_mem0[64] __aligned(4);
static uint8_t h3_pbuf_mem32[128] __aligned(32);
static uint8_t h3_pbuf_mem32h[128] __aligned(32);
PBUF_DEFINE(h3_pb0, h3_pbuf_mem0, sizeof(h3_pbuf_mem0), 0, 0, 0);
PBUF_DEFINE(h3_pb32, h3_pbuf_mem32, sizeof(h3_pbuf_mem32), 32, 0, 0);
PBUF_DEFINE(h3_pb32h, h3_pbuf_mem32h, sizeof(h3_pbuf_mem32h), 32, 1, 1);
PBUF_DEFINE(h3_pb_addr, 0x20000000, 0x1000, 32, 0, 1); /* an integer address, as on Zephyr */

VgTest(pbuf, define_gives_zephyr_layout, TMO)
{
	uint8_t *m0 = h3_pbuf_mem0, *m32 = h3_pbuf_mem32, *m32h = h3_pbuf_mem32h;
	char out[8];

	cr_assert_eq(h3_pb0.cfg, &cfg_h3_pb0);
	cr_assert_eq((uint8_t *)h3_pb0.cfg->rd_idx_loc, m0);
	cr_assert_null(h3_pb0.cfg->handshake_loc);
	cr_assert_eq((uint8_t *)h3_pb0.cfg->wr_idx_loc, m0 + 4);
	cr_assert_eq(h3_pb0.cfg->data_loc, m0 + 8);
	cr_assert_eq(h3_pb0.cfg->len, 56);
	cr_assert_eq(h3_pb0.cfg->dcache_alignment, 0);
	cr_assert_eq((uint8_t *)h3_pb32.cfg->wr_idx_loc, m32 + 32);
	cr_assert_eq(h3_pb32.cfg->data_loc, m32 + 36);
	cr_assert_eq(h3_pb32.cfg->len, 128 - 36);
	cr_assert_eq((uint8_t *)h3_pb32h.cfg->handshake_loc, m32h + 4);
	cr_assert_eq((uint8_t *)h3_pb32h.cfg->wr_idx_loc, m32h + 32);
	cr_assert_eq(h3_pb32h.cfg->data_loc, m32h + 36);
	cr_assert_eq((uintptr_t)h3_pb_addr.cfg->wr_idx_loc, 0x20000020u);
	cr_assert_eq((uintptr_t)h3_pb_addr.cfg->data_loc, 0x20000024u);
	cr_assert_eq(h3_pb_addr.cfg->len, 0x1000 - 36);
	cr_assert_eq(PBUF_HEADER_OVERHEAD(0), 8);
	cr_assert_eq(PBUF_HEADER_OVERHEAD(32), 36);
	/* the defined pbufs work */
	cr_assert_eq(pbuf_tx_init(&h3_pb32), 0);
	cr_assert_eq(pbuf_rx_init(&h3_pb32), 0);
	cr_assert_eq(pbuf_write(&h3_pb32, "hello", 5), 5);
	cr_assert_eq(pbuf_read(&h3_pb32, out, sizeof(out)), 5);
	cr_assert_eq(memcmp(out, "hello", 5), 0);
	cr_assert_eq(sys_get_le32(m32 + 32), 12); /* wr_idx: 4 + roundup4(5) */
}

/* ---- ICMsg glue --------------------------------------------------------------------- */
VgTest(icmsg, argument_checks_without_a_peer, TMO)
{
	static const struct icmsg_config_t conf = {.unbound_mode = ICMSG_UNBOUND_MODE_ENABLE};
	static struct icmsg_data_t data; /* never opened */

	cr_assert_eq(icmsg_open(NULL, &data, NULL, NULL), -EINVAL);
	cr_assert_eq(icmsg_open(&conf, NULL, NULL, NULL), -EINVAL);
	cr_assert_eq(icmsg_open(&conf, &data, NULL, NULL), -EINVAL); /* no tx_pb / rx_pb */
	cr_assert_eq(icmsg_close(&conf, &data), -EALREADY);
	cr_assert_eq(icmsg_send(&conf, &data, "x", 1), -EBUSY);
	cr_assert_eq(ICMSG_UNBOUND_MODE_DISABLE, 1);
	cr_assert_eq(ICMSG_UNBOUND_MODE_ENABLE, 2);
	cr_assert_eq(ICMSG_UNBOUND_MODE_DETECT, 3);
}

/* ---- absolute timeouts and byte order ------------------------------------------- */
/* A tick is a millisecond here: microseconds and nanoseconds round up to the
 * next tick, as Zephyr's K_TIMEOUT_ABS_US/_NS (the _ceil conversions). */
VgTest(kernel, abs_timeouts_round_up_to_the_millisecond_tick, TMO)
{
	k_timeout_t t;

	t = K_TIMEOUT_ABS_US(1000);
	cr_assert_eq(t.ms, 1);
	cr_assert_eq(t.abs, 1);
	cr_assert_eq(K_TIMEOUT_ABS_US(1001).ms, 2);
	cr_assert_eq(K_TIMEOUT_ABS_US(1).ms, 1);
	cr_assert_eq(K_TIMEOUT_ABS_US(0).ms, 0);
	t = K_TIMEOUT_ABS_NS(1);
	cr_assert_eq(t.ms, 1);
	cr_assert_eq(t.abs, 1);
	cr_assert_eq(K_TIMEOUT_ABS_NS(1000000).ms, 1);
	cr_assert_eq(K_TIMEOUT_ABS_NS(1000001).ms, 2);
	t = K_TIMEOUT_ABS_TICKS(7);
	cr_assert_eq(t.ms, 7);
	cr_assert_eq(t.abs, 1);
	cr_assert(!K_TIMEOUT_EQ(K_TIMEOUT_ABS_TICKS(7), K_MSEC(7)));
}

VgTest(byteorder, cpu_to_le_keeps_little_endian_bytes, TMO)
{
	uint16_t v16 = sys_cpu_to_le16(0x1234);
	uint32_t v32 = sys_cpu_to_le32(0x11223344);
	uint8_t b[4];

	memcpy(b, &v16, 2);
	cr_assert_eq(b[0], 0x34);
	cr_assert_eq(b[1], 0x12);
	memcpy(b, &v32, 4);
	cr_assert_eq(b[0], 0x44);
	cr_assert_eq(b[1], 0x33);
	cr_assert_eq(b[2], 0x22);
	cr_assert_eq(b[3], 0x11);
	cr_assert_eq(sys_le16_to_cpu(sys_cpu_to_le16(0xBEEF)), 0xBEEF);
	cr_assert_eq(sys_le32_to_cpu(sys_cpu_to_le32(0xDEADBEEFu)), 0xDEADBEEFu);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h).
 * Not batched: data_ops_succeed_instruction_ops_unsupported (sets the environment). */
VG_BATCH(zephyr_headers, 600)
