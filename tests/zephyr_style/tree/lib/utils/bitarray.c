/* The test tree's bit array (include/zephyr/sys/bitarray.h). */
#include <errno.h>
#include <stdbool.h>
#include <zephyr/sys/bitarray.h>
#include <zephyr/sys/check.h>

static bool bit_get(const sys_bitarray_t *ba, size_t bit)
{
	return (ba->bundles[bit / 32] & BIT(bit % 32)) != 0;
}

static void bit_put(sys_bitarray_t *ba, size_t bit, bool on)
{
	if (on) {
		ba->bundles[bit / 32] |= BIT(bit % 32);
	} else {
		ba->bundles[bit / 32] &= ~BIT(bit % 32);
	}
}

/* The one-bit operations: op 0 clear, 1 set, 2 test, 3 test and set. */
static int one_bit(sys_bitarray_t *ba, size_t bit, int op, int *val)
{
	k_spinlock_key_t key;
	int ret = 0;

	CHECKIF(ba == NULL || (op >= 2 && val == NULL)) {
		return -EINVAL;
	}
	key = k_spin_lock(&ba->lock);
	if (bit >= ba->num_bits) {
		ret = -EINVAL;
	} else {
		if (val != NULL) {
			*val = bit_get(ba, bit) ? 1 : 0;
		}
		if (op != 2) {
			bit_put(ba, bit, op != 0);
		}
	}
	k_spin_unlock(&ba->lock, key);
	return ret;
}

int sys_bitarray_set_bit(sys_bitarray_t *bitarray, size_t bit)
{
	return one_bit(bitarray, bit, 1, NULL);
}

int sys_bitarray_clear_bit(sys_bitarray_t *bitarray, size_t bit)
{
	return one_bit(bitarray, bit, 0, NULL);
}

int sys_bitarray_test_bit(sys_bitarray_t *bitarray, size_t bit, int *val)
{
	return one_bit(bitarray, bit, 2, val);
}

int sys_bitarray_test_and_set_bit(sys_bitarray_t *bitarray, size_t bit, int *prev_val)
{
	return one_bit(bitarray, bit, 3, prev_val);
}

int sys_bitarray_alloc(sys_bitarray_t *bitarray, size_t num_bits, size_t *offset)
{
	k_spinlock_key_t key;
	size_t start = 0, run = 0;
	int ret = -ENOSPC;

	CHECKIF(bitarray == NULL || offset == NULL) {
		return -EINVAL;
	}
	if (num_bits == 0 || num_bits > bitarray->num_bits) {
		return -EINVAL;
	}
	key = k_spin_lock(&bitarray->lock);
	for (size_t bit = 0; bit < bitarray->num_bits; bit++) {
		if (bit_get(bitarray, bit)) {
			run = 0;
			continue;
		}
		if (run++ == 0) {
			start = bit;
		}
		if (run == num_bits) {
			for (size_t k = start; k <= bit; k++) {
				bit_put(bitarray, k, true);
			}
			*offset = start;
			ret = 0;
			break;
		}
	}
	k_spin_unlock(&bitarray->lock, key);
	return ret;
}

int sys_bitarray_free(sys_bitarray_t *bitarray, size_t num_bits, size_t offset)
{
	k_spinlock_key_t key;
	int ret = 0;

	CHECKIF(bitarray == NULL) {
		return -EINVAL;
	}
	if (num_bits == 0 || offset >= bitarray->num_bits ||
	    num_bits > bitarray->num_bits - offset) {
		return -EINVAL;
	}
	key = k_spin_lock(&bitarray->lock);
	for (size_t k = offset; k < offset + num_bits; k++) {
		if (!bit_get(bitarray, k)) {
			ret = -EFAULT;
		}
	}
	for (size_t k = offset; ret == 0 && k < offset + num_bits; k++) {
		bit_put(bitarray, k, false);
	}
	k_spin_unlock(&bitarray->lock, key);
	return ret;
}
