/*
 * zephyr/sys/atomic.h - Zephyr's atomic operations on atomic_t (a long, as
 * on Zephyr) and atomic_ptr_t, and atomic bit arrays.
 *
 * Every operation is sequentially consistent (GCC __atomic builtins with
 * __ATOMIC_SEQ_CST), as Zephyr's builtin implementation.  The read-modify-
 * write operations return the value the variable held BEFORE the operation
 * (atomic_inc returns the old value, not the new one), atomic_cas returns
 * whether it swapped; atomic_test_and_*_bit return the bit's old value.
 * Safe from any thread and from the emulator's interrupt thread.
 */
#ifndef ZEPHYR_INCLUDE_SYS_ATOMIC_H_
#define ZEPHYR_INCLUDE_SYS_ATOMIC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef long atomic_t;
typedef atomic_t atomic_val_t;
typedef void *atomic_ptr_t;
typedef atomic_ptr_t atomic_ptr_val_t;

#define ATOMIC_INIT(i) (i)
#define ATOMIC_PTR_INIT(p) (p)

/* Bits in one atomic_t, and the number of atomic_t holding num_bits bits. */
#define ATOMIC_BITS (sizeof(atomic_val_t) * BITS_PER_BYTE)
#define ATOMIC_MASK(bit) BIT((unsigned long)(bit) & (ATOMIC_BITS - 1U))
#define ATOMIC_ELEM(addr, bit) ((addr) + ((bit) / ATOMIC_BITS))
#define ATOMIC_BITMAP_SIZE(num_bits) (1 + ((num_bits)-1) / ATOMIC_BITS)
/* An array of atomic_t holding num_bits bits, all clear: `ATOMIC_DEFINE(flags, 70);` */
#define ATOMIC_DEFINE(name, num_bits) atomic_t name[ATOMIC_BITMAP_SIZE(num_bits)]

static inline bool atomic_cas(atomic_t *target, atomic_val_t old_value, atomic_val_t new_value)
{
	return __atomic_compare_exchange_n(target, &old_value, new_value, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline bool atomic_ptr_cas(atomic_ptr_t *target, atomic_ptr_val_t old_value,
				  atomic_ptr_val_t new_value)
{
	return __atomic_compare_exchange_n(target, &old_value, new_value, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_add(atomic_t *target, atomic_val_t value)
{
	return __atomic_fetch_add(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_sub(atomic_t *target, atomic_val_t value)
{
	return __atomic_fetch_sub(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_inc(atomic_t *target)
{
	return atomic_add(target, 1);
}

static inline atomic_val_t atomic_dec(atomic_t *target)
{
	return atomic_sub(target, 1);
}

static inline atomic_val_t atomic_get(const atomic_t *target)
{
	return __atomic_load_n(target, __ATOMIC_SEQ_CST);
}

static inline atomic_ptr_val_t atomic_ptr_get(const atomic_ptr_t *target)
{
	return __atomic_load_n(target, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_set(atomic_t *target, atomic_val_t value)
{
	return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_ptr_val_t atomic_ptr_set(atomic_ptr_t *target, atomic_ptr_val_t value)
{
	return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_clear(atomic_t *target)
{
	return atomic_set(target, 0);
}

static inline atomic_ptr_val_t atomic_ptr_clear(atomic_ptr_t *target)
{
	return atomic_ptr_set(target, NULL);
}

static inline atomic_val_t atomic_or(atomic_t *target, atomic_val_t value)
{
	return __atomic_fetch_or(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_xor(atomic_t *target, atomic_val_t value)
{
	return __atomic_fetch_xor(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_and(atomic_t *target, atomic_val_t value)
{
	return __atomic_fetch_and(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_nand(atomic_t *target, atomic_val_t value)
{
	return __atomic_fetch_nand(target, value, __ATOMIC_SEQ_CST);
}

/* ---- bit arrays (bit n of the array, any n below its size) ---------------- */
static inline bool atomic_test_bit(const atomic_t *target, int bit)
{
	atomic_val_t val = atomic_get(ATOMIC_ELEM(target, bit));

	return (1 & (val >> (bit & (ATOMIC_BITS - 1)))) != 0;
}

static inline bool atomic_test_and_clear_bit(atomic_t *target, int bit)
{
	atomic_val_t mask = (atomic_val_t)ATOMIC_MASK(bit);

	return (atomic_and(ATOMIC_ELEM(target, bit), ~mask) & mask) != 0;
}

static inline bool atomic_test_and_set_bit(atomic_t *target, int bit)
{
	atomic_val_t mask = (atomic_val_t)ATOMIC_MASK(bit);

	return (atomic_or(ATOMIC_ELEM(target, bit), mask) & mask) != 0;
}

static inline void atomic_clear_bit(atomic_t *target, int bit)
{
	(void)atomic_and(ATOMIC_ELEM(target, bit), ~(atomic_val_t)ATOMIC_MASK(bit));
}

static inline void atomic_set_bit(atomic_t *target, int bit)
{
	(void)atomic_or(ATOMIC_ELEM(target, bit), (atomic_val_t)ATOMIC_MASK(bit));
}

static inline void atomic_set_bit_to(atomic_t *target, int bit, bool val)
{
	if (val) {
		atomic_set_bit(target, bit);
	} else {
		atomic_clear_bit(target, bit);
	}
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_ATOMIC_H_ */
