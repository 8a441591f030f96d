/*
 * zephyr/sys/hash_function.h - Zephyr's 32-bit hash functions: the
 * sys_hash_func32_t type, sys_hash32_identity() and sys_hash32_djb2()
 * (Bernstein's hash over n bytes with XOR instead of addition: start at
 * 5381, then for each byte h = h * 33 ^ byte; ICBMsg v2 hashes endpoint
 * names with it).
 *
 * Differences from Zephyr: both are static inline (Zephyr compiles djb2 in
 * lib/hash/ under CONFIG_SYS_HASH_FUNC32_DJB2; here no Kconfig symbol is
 * needed).  Not provided (a compile error): sys_hash32_murmur3() and
 * sys_hash32(), the CONFIG_SYS_HASH_FUNC32_CHOICE_* selector.
 */
#ifndef ZEPHYR_INCLUDE_SYS_HASH_FUNCTION_H_
#define ZEPHYR_INCLUDE_SYS_HASH_FUNCTION_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/__assert.h>
#include <zephyr/sys/util_macro.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t (*sys_hash_func32_t)(const void *str, size_t n);

/* The value of a 1, 2, 4 or 8-byte object itself (8 bytes: the low 32
 * bits); other sizes assert and give 0.  str must be aligned for its type. */
static inline uint32_t sys_hash32_identity(const void *str, size_t n)
{
	if (n == sizeof(uint8_t)) {
		return *(const uint8_t *)str;
	}
	if (n == sizeof(uint16_t)) {
		return *(const uint16_t *)str;
	}
	if (n == sizeof(uint32_t)) {
		return *(const uint32_t *)str;
	}
	if (n == sizeof(uint64_t)) {
		return (uint32_t)*(const uint64_t *)str;
	}
	__ASSERT(false, "sys_hash32_identity: no primitive type of %zu bytes", n);
	return 0;
}

static inline uint32_t sys_hash32_djb2(const void *str, size_t n)
{
	const uint8_t *p = (const uint8_t *)str;
	uint32_t h = 5381u;

	for (size_t i = 0; i < n; i++) {
		h = (h * 33u) ^ p[i];
	}
	return h;
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_HASH_FUNCTION_H_ */
