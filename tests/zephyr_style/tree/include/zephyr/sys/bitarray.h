/*
 * The test tree's bit array (our own code, see tests/zephyr_style/README):
 * the part of Zephyr's sys_bitarray API that classic ICBMsg uses, for the
 * test tree's ICBMsg backend.  Bits are kept in 32-bit bundles; every call
 * takes the array's spinlock.
 */
#ifndef ZEPHYR_INCLUDE_SYS_BITARRAY_H_
#define ZEPHYR_INCLUDE_SYS_BITARRAY_H_

#include <stddef.h>
#include <stdint.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/util.h>

struct sys_bitarray {
	uint32_t num_bits;
	uint32_t num_bundles;
	uint32_t *bundles;
	struct k_spinlock lock;
};

typedef struct sys_bitarray sys_bitarray_t;

/* A static array of `total_bits` bits, all clear. */
#define SYS_BITARRAY_DEFINE_STATIC(name, total_bits)                                           \
	static uint32_t name##_bundles[DIV_ROUND_UP(total_bits, 32)];                         \
	static sys_bitarray_t name = {                                                        \
		.num_bits = (total_bits),                                                     \
		.num_bundles = DIV_ROUND_UP(total_bits, 32),                                  \
		.bundles = name##_bundles,                                                    \
	}

/* 0, or -EINVAL (bit out of range, NULL output). */
int sys_bitarray_set_bit(sys_bitarray_t *bitarray, size_t bit);
int sys_bitarray_clear_bit(sys_bitarray_t *bitarray, size_t bit);
int sys_bitarray_test_bit(sys_bitarray_t *bitarray, size_t bit, int *val);
int sys_bitarray_test_and_set_bit(sys_bitarray_t *bitarray, size_t bit, int *prev_val);

/* The first run of `num_bits` clear bits, set: 0 and its first bit in
 * *offset; -EINVAL (0 bits, more than the array has), -ENOSPC (no run). */
int sys_bitarray_alloc(sys_bitarray_t *bitarray, size_t num_bits, size_t *offset);

/* Clear `num_bits` bits from `offset`: 0; -EINVAL (out of range); -EFAULT
 * (not all of them set: nothing cleared). */
int sys_bitarray_free(sys_bitarray_t *bitarray, size_t num_bits, size_t offset);

#endif /* ZEPHYR_INCLUDE_SYS_BITARRAY_H_ */
