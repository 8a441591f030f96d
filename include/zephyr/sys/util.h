/*
 * zephyr/sys/util.h - Zephyr's utility macros and inline helpers: array and
 * container helpers, rounding and division, bit masks and fields, sizes,
 * bit scans, byte copies, WAIT_FOR; the preprocessor machinery
 * (IS_ENABLED, COND_CODE_1, LISTIFY, FOR_EACH ...) is in util_macro.h,
 * included here as on Zephyr, and the toolchain shorthands (BUILD_ASSERT,
 * __aligned ...) come with zephyr/toolchain.h.
 *
 * As on Zephyr, macros evaluate their arguments more than once and the
 * integer ones are constant expressions (usable in BUILD_ASSERT and static
 * initialisers); ARRAY_INDEX, ARRAY_INDEX_FLOOR and WAIT_FOR are statement
 * expressions (GNU C, accepted by GCC and Clang in -std=c11).
 *
 * Differences from Zephyr: CONTAINER_OF does not check the pointer's type
 * (it is a plain expression, usable in static initialisers);
 * find_lsb_set()/find_msb_set() (arch/common/ffs.h on Zephyr) are here;
 * WAIT_FOR measures time with the monotonic clock in microseconds.  Not
 * provided (a compile error): char2hex, hex2char, bin2hex, hex2bin,
 * u8_to_dec, utf8_trunc, utf8_lcpy (library functions on Zephyr), ABS (not
 * in Zephyr's util.h).  bitmask_find_gap (a library function on Zephyr) is
 * a static inline here.
 */
#ifndef ZEPHYR_INCLUDE_SYS_UTIL_H_
#define ZEPHYR_INCLUDE_SYS_UTIL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h> /* as Zephyr's util.h: code around IPC relies on it */

#include <zephyr/sys/util_macro.h>
#include <zephyr/toolchain.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- pointers and integers ------------------------------------------------ */
#define POINTER_TO_UINT(x) ((uintptr_t)(x))
#define UINT_TO_POINTER(x) ((void *)(uintptr_t)(x))
#define POINTER_TO_INT(x) ((intptr_t)(x))
#define INT_TO_POINTER(x) ((void *)(intptr_t)(x))

#define BITS_PER_BYTE (__CHAR_BIT__)
#define BITS_PER_NIBBLE (__CHAR_BIT__ / 2)
#define NIBBLES_PER_BYTE (BITS_PER_BYTE / BITS_PER_NIBBLE)
#define BITS_PER_LONG (__CHAR_BIT__ * __SIZEOF_LONG__)
#define BITS_PER_LONG_LONG (__CHAR_BIT__ * __SIZEOF_LONG_LONG__)
#define NUM_BITS(t) (sizeof(t) * BITS_PER_BYTE)

/* ---- bit masks and fields --------------------------------------------------- */
/* Bits l..h set (unsigned long / unsigned long long). */
#define GENMASK(h, l) (((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK64(h, l)                                                                       \
	(((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (BITS_PER_LONG_LONG - 1 - (h))))
#define LSB_GET(value) ((value) & -(value))
/* The field `mask` of `value`, shifted down / `value` shifted into `mask`. */
#define FIELD_GET(mask, value) (((value) & (mask)) / LSB_GET(mask))
#define FIELD_PREP(mask, value) (((value)*LSB_GET(mask)) & (mask))

/* ---- arrays and structures ------------------------------------------------------ */
/* 0 if cond is true, a compile error otherwise. */
#define ZERO_OR_COMPILE_ERROR(cond) ((int)sizeof(char[1 - (2 * !(cond))]) - 1)
#define SAME_TYPE(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
/* 0 if `array` is an array, a compile error for a pointer. */
#define IS_ARRAY(array) ZERO_OR_COMPILE_ERROR(!SAME_TYPE(array, &(array)[0]))
#undef ARRAY_SIZE
#define ARRAY_SIZE(array) ((size_t)(IS_ARRAY(array) + (sizeof(array) / sizeof((array)[0]))))
#define IS_ARRAY_ELEMENT(array, ptr)                                                          \
	((ptr) && POINTER_TO_UINT(array) <= POINTER_TO_UINT(ptr) &&                           \
	 POINTER_TO_UINT(ptr) < POINTER_TO_UINT(&(array)[ARRAY_SIZE(array)]) &&               \
	 (POINTER_TO_UINT(ptr) - POINTER_TO_UINT(array)) % sizeof((array)[0]) == 0)
#define PART_OF_ARRAY(array, ptr)                                                             \
	((ptr) && POINTER_TO_UINT(array) <= POINTER_TO_UINT(ptr) &&                           \
	 POINTER_TO_UINT(ptr) < POINTER_TO_UINT(&(array)[ARRAY_SIZE(array)]))
/* Index of element `ptr` of `array` (__ASSERT-checked with CONFIG_ASSERT). */
#define ARRAY_INDEX(array, ptr)                                                               \
	__extension__({                                                                       \
		__ASSERT_NO_MSG(IS_ARRAY_ELEMENT(array, ptr));                                \
		(__typeof__((array)[0]) *)(ptr) - (array);                                    \
	})
#define ARRAY_INDEX_FLOOR(array, ptr)                                                         \
	__extension__({                                                                       \
		__ASSERT_NO_MSG(PART_OF_ARRAY(array, ptr));                                   \
		(POINTER_TO_UINT(ptr) - POINTER_TO_UINT(array)) / sizeof((array)[0]);         \
	})
#define ARRAY_FOR_EACH(array, idx) for (size_t idx = 0; (idx) < ARRAY_SIZE(array); ++(idx))
#define ARRAY_FOR_EACH_PTR(array, ptr)                                                        \
	for (__typeof__(*(array)) *ptr = (array); (size_t)((ptr) - (array)) < ARRAY_SIZE(array); \
	     ++(ptr))
#ifndef CONTAINER_OF
#define CONTAINER_OF(ptr, type, field) ((type *)(((char *)(ptr)) - offsetof(type, field)))
#endif
#define SIZEOF_FIELD(type, member) sizeof((((type *)0)->member))
#ifndef ARG_UNUSED
#define ARG_UNUSED(x) (void)(x)
#endif

/* CONCAT(a, b, ...): the arguments (1 to 8, macros expanded) pasted into one token. */
#define EMU_CONCAT_0(arg, ...) arg
#define EMU_CONCAT_1(arg, ...) UTIL_CAT(arg, EMU_CONCAT_0(__VA_ARGS__))
#define EMU_CONCAT_2(arg, ...) UTIL_CAT(arg, EMU_CONCAT_1(__VA_ARGS__))
#define EMU_CONCAT_3(arg, ...) UTIL_CAT(arg, EMU_CONCAT_2(__VA_ARGS__))
#define EMU_CONCAT_4(arg, ...) UTIL_CAT(arg, EMU_CONCAT_3(__VA_ARGS__))
#define EMU_CONCAT_5(arg, ...) UTIL_CAT(arg, EMU_CONCAT_4(__VA_ARGS__))
#define EMU_CONCAT_6(arg, ...) UTIL_CAT(arg, EMU_CONCAT_5(__VA_ARGS__))
#define EMU_CONCAT_7(arg, ...) UTIL_CAT(arg, EMU_CONCAT_6(__VA_ARGS__))
#define CONCAT(...) UTIL_CAT(EMU_CONCAT_, NUM_VA_ARGS_LESS_1(__VA_ARGS__))(__VA_ARGS__, ~)

/* ---- alignment, rounding, division ----------------------------------------------- */
#define IS_ALIGNED(ptr, align) (((uintptr_t)(ptr)) % (align) == 0)
/* As Zephyr: computed in unsigned long. */
#define ROUND_UP(x, align)                                                                    \
	((((unsigned long)(x) + ((unsigned long)(align)-1)) / (unsigned long)(align)) *        \
	 (unsigned long)(align))
#define ROUND_DOWN(x, align) (((unsigned long)(x) / (unsigned long)(align)) * (unsigned long)(align))
#define WB_UP(x) ROUND_UP(x, sizeof(void *))
#define WB_DN(x) ROUND_DOWN(x, sizeof(void *))
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
/* Rounds half away from zero, for signed operands of either sign (written so
 * that unsigned operands draw no -Wtype-limits warning). */
#define EMU_IS_SIGNED_TYPE(x) ((__typeof__(x))-1 < (__typeof__(x))1)
#define EMU_IS_NEGATIVE(x) ((x) < 1 && (x) != 0)
#define DIV_ROUND_CLOSEST(n, d)                                                               \
	((EMU_IS_SIGNED_TYPE(n) && EMU_IS_SIGNED_TYPE(d) &&                                   \
	  (EMU_IS_NEGATIVE(n) ^ EMU_IS_NEGATIVE(d)))                                          \
		 ? ((n) - ((d) / 2)) / (d)                                                    \
		 : ((n) + ((d) / 2)) / (d))
#define ceiling_fraction(numerator, divider) DIV_ROUND_UP(numerator, divider)

#ifndef MAX
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef MIN
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef CLAMP
#define CLAMP(val, low, high) (((val) <= (low)) ? (low) : MIN(val, high))
#endif
#define IN_RANGE(val, min, max) ((val) >= (min) && (val) <= (max))

/* log2 of a positive integer (-1 for x < 1), ceil(log2(x)), next power of two. */
/* (x) | 1: the same top bit for x >= 1, and no __builtin_clz(0) in the arm
 * not taken (which Clang refuses in a constant expression). */
#define EMU_LOG2_32(x) (32 - __builtin_clz((unsigned int)(x) | 1U) - 1)
#define EMU_LOG2_64(x) (64 - __builtin_clzll((unsigned long long)(x) | 1ULL) - 1)
#define EMU_LOG2(x) (sizeof(__typeof__(x)) > 4 ? EMU_LOG2_64(x) : EMU_LOG2_32(x))
#define LOG2(x) ((x) < 1 ? -1 : EMU_LOG2(x))
#define LOG2CEIL(x) ((x) <= 1 ? 0 : EMU_LOG2((x)-1) + 1)
#define NHPOT(x) ((x) < 1 ? 1 : ((x) > (1ULL << 63) ? 0 : 1ULL << LOG2CEIL(x)))

#define Z_DETECT_POINTER_OVERFLOW(addr, buflen)                                               \
	(((buflen) != 0) && ((UINTPTR_MAX - (uintptr_t)(addr)) <= ((uintptr_t)((buflen)-1))))

/* ---- sizes and frequencies ---------------------------------------------------------- */
#define KB(x) (((size_t)(x)) << 10)
#define MB(x) (KB(x) << 10)
#define GB(x) (MB(x) << 10)
#define KHZ(x) ((x)*1000)
#define MHZ(x) (KHZ(x) * 1000)

/* ---- inline helpers ----------------------------------------------------------------- */
static inline bool is_power_of_two(unsigned int x)
{
	return IS_POWER_OF_TWO(x);
}

static ALWAYS_INLINE bool is_null_no_warn(void *p)
{
	return p == NULL;
}

/* value >> shift, filling with the sign bit. */
static inline int64_t arithmetic_shift_right(int64_t value, uint8_t shift)
{
	uint64_t u = (uint64_t)value;

	if (shift == 0U) {
		return value;
	}
	if (shift >= 64U) {
		return value < 0 ? -1 : 0;
	}
	u >>= shift;
	if (value < 0) {
		u |= ~(UINT64_MAX >> shift);
	}
	return (int64_t)u;
}

/* memcpy done one byte at a time (for device memory). */
static inline void bytecpy(void *dst, const void *src, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		((volatile uint8_t *)dst)[i] = ((const volatile uint8_t *)src)[i];
	}
}

/* Swap `size` bytes of a and b, one byte at a time. */
static inline void byteswp(void *a, void *b, size_t size)
{
	uint8_t *pa = (uint8_t *)a;
	uint8_t *pb = (uint8_t *)b;

	for (size_t i = 0; i < size; i++) {
		uint8_t t = pa[i];

		pa[i] = pb[i];
		pb[i] = t;
	}
}

static inline uint8_t bcd2bin(uint8_t bcd)
{
	return (uint8_t)((10 * (bcd >> 4)) + (bcd & 0x0F));
}

static inline uint8_t bin2bcd(uint8_t bin)
{
	return (uint8_t)(((bin / 10) << 4) | (bin % 10));
}

/* Sign-extend `value` whose sign bit is bit `index` (0..31 / 0..63). */
static inline int32_t sign_extend(uint32_t value, uint8_t index)
{
	uint8_t shift = (uint8_t)(31 - index);

	return (int32_t)(value << shift) >> shift;
}

static inline int64_t sign_extend_64(uint64_t value, uint8_t index)
{
	uint8_t shift = (uint8_t)(63 - index);

	return (int64_t)(value << shift) >> shift;
}

static inline void mem_xor_n(uint8_t *dst, const uint8_t *src1, const uint8_t *src2, size_t len)
{
	while (len--) {
		*dst++ = *src1++ ^ *src2++;
	}
}

static inline void mem_xor_32(uint8_t dst[4], const uint8_t src1[4], const uint8_t src2[4])
{
	mem_xor_n(dst, src1, src2, 4U);
}

static inline void mem_xor_128(uint8_t dst[16], const uint8_t src1[16], const uint8_t src2[16])
{
	mem_xor_n(dst, src1, src2, 16U);
}

static inline bool util_memeq(const void *m1, const void *m2, size_t n)
{
	return memcmp(m1, m2, n) == 0;
}

static inline bool util_eq(const void *m1, size_t len1, const void *m2, size_t len2)
{
	return len1 == len2 && (m1 == m2 || util_memeq(m1, m2, len1));
}

/* Number of bits set in the `len` bytes at `value`. */
static inline size_t sys_count_bits(const void *value, size_t len)
{
	size_t cnt = 0U;

	for (size_t i = 0; i < len; i++) {
		cnt += (size_t)__builtin_popcount(((const uint8_t *)value)[i]);
	}
	return cnt;
}

/* 1-based index of the most (least) significant bit set; 0 if op is 0. */
static ALWAYS_INLINE unsigned int find_msb_set(uint32_t op)
{
	return op == 0U ? 0U : 32U - (unsigned int)__builtin_clz(op);
}

static ALWAYS_INLINE unsigned int find_lsb_set(uint32_t op)
{
	return (unsigned int)__builtin_ffs((int)op);
}

/*
 * bitmask_find_gap (lib/utils on Zephyr): a run of num_bits clear bits among
 * the low total_bits (at most 32) of mask, set bits being in use.  Returns
 * the lowest bit index of the run, or -1 if there is none.  The runs of
 * clear bits are visited from the most significant down; one of exactly
 * num_bits is taken at once, and with first_match so is the first longer
 * one; otherwise the shortest run longer than num_bits (the first visited
 * among equals).
 */
static inline int bitmask_find_gap(uint32_t mask, size_t num_bits, size_t total_bits,
				   bool first_match)
{
	int bit = (int)(total_bits < 32U ? total_bits : 32U) - 1;
	int best = -1;
	size_t best_len = SIZE_MAX;

	while (bit >= 0) {
		int top = bit;
		size_t len;

		if ((mask & (1U << bit)) != 0U) {
			bit--;
			continue;
		}
		while (bit >= 0 && (mask & (1U << bit)) == 0U) {
			bit--;
		}
		len = (size_t)(top - bit);
		if (len == num_bits || (first_match && len > num_bits)) {
			return bit + 1;
		}
		if (len >= num_bits && len < best_len) {
			best = bit + 1;
			best_len = len;
		}
	}
	return best;
}

/* ---- WAIT_FOR ------------------------------------------------------------------------ */
/* Microseconds of the monotonic clock (the runtime's; any thread). */
uint64_t emu_zephyr_uptime_us(void);

/*
 * Poll `expr` until it is true or `timeout` microseconds have passed,
 * running `delay_stmt` between polls (e.g. k_busy_wait(1), k_yield(), or
 * nothing).  Evaluates to `expr` evaluated once more after the loop, as
 * a bool (as Zephyr's): false means timed out.
 */
#define WAIT_FOR(expr, timeout, delay_stmt)                                                   \
	__extension__({                                                                       \
		uint64_t emu_wf_start_ = emu_zephyr_uptime_us();                              \
		uint64_t emu_wf_us_ = (uint64_t)(timeout);                                    \
		while (!(expr) && (emu_zephyr_uptime_us() - emu_wf_start_) < emu_wf_us_) {    \
			delay_stmt;                                                           \
		}                                                                             \
		(bool)(expr);                                                                 \
	})

#ifdef __cplusplus
}
#endif

/* ARRAY_INDEX uses __ASSERT_NO_MSG. */
#include <zephyr/sys/__assert.h>

#endif /* ZEPHYR_INCLUDE_SYS_UTIL_H_ */
