/*
 * zephyr/sys/byteorder.h - Zephyr's byte order helpers: byte swaps,
 * CPU <-> big/little endian conversions of 16..64-bit values, and reading
 * and writing 16/24/32/40/48/64-bit values at unaligned byte addresses.
 *
 * The BSWAP_* and sys_*_to_* macros are constant expressions for constant
 * arguments (usable in static initialisers).  The host byte order comes
 * from the compiler (__BYTE_ORDER__), as Zephyr's CONFIG_LITTLE_ENDIAN /
 * CONFIG_BIG_ENDIAN.
 */
#ifndef ZEPHYR_INCLUDE_SYS_BYTEORDER_H_
#define ZEPHYR_INCLUDE_SYS_BYTEORDER_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/__assert.h>
#include <zephyr/sys/util.h>

#define BSWAP_16(x) EMU_BSWAP_16_((uint16_t)(x))
#define EMU_BSWAP_16_(x) ((uint16_t)((((x) >> 8) & 0xff) | (((x)&0xff) << 8)))
#define BSWAP_24(x) EMU_BSWAP_24_((uint32_t)(x))
#define EMU_BSWAP_24_(x)                                                                           \
	((uint32_t)((((x) >> 16) & 0xff) | (((x)) & 0xff00) | (((x)&0xff) << 16)))
#define BSWAP_32(x) EMU_BSWAP_32_((uint32_t)(x))
#define EMU_BSWAP_32_(x)                                                                           \
	((uint32_t)((((x) >> 24) & 0xff) | (((x) >> 8) & 0xff00) | (((x)&0xff00) << 8) |      \
		    (((x)&0xff) << 24)))
#define BSWAP_40(x) EMU_BSWAP_40_((uint64_t)(x))
#define EMU_BSWAP_40_(x)                                                                           \
	((uint64_t)((((x) >> 32) & 0xff) | (((x) >> 16) & 0xff00) | (((x)) & 0xff0000) |      \
		    (((x)&0xff00) << 16) | (((x)&0xff) << 32)))
#define BSWAP_48(x) EMU_BSWAP_48_((uint64_t)(x))
#define EMU_BSWAP_48_(x)                                                                           \
	((uint64_t)((((x) >> 40) & 0xff) | (((x) >> 24) & 0xff00) | (((x) >> 8) & 0xff0000) |  \
		    (((x)&0xff0000) << 8) | (((x)&0xff00) << 24) | (((x)&0xff) << 40)))
#define BSWAP_64(x) EMU_BSWAP_64_((uint64_t)(x))
#define EMU_BSWAP_64_(x)                                                                           \
	((uint64_t)((((x) >> 56) & 0xff) | (((x) >> 40) & 0xff00) | (((x) >> 24) & 0xff0000) | \
		    (((x) >> 8) & 0xff000000) | (((x)&0xff000000) << 8) |                      \
		    (((x)&0xff0000) << 24) | (((x)&0xff00) << 40) | (((x)&0xff) << 56)))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define sys_le16_to_cpu(val) (val)
#define sys_cpu_to_le16(val) (val)
#define sys_be16_to_cpu(val) BSWAP_16(val)
#define sys_cpu_to_be16(val) BSWAP_16(val)
#define sys_le24_to_cpu(val) (val)
#define sys_cpu_to_le24(val) (val)
#define sys_be24_to_cpu(val) BSWAP_24(val)
#define sys_cpu_to_be24(val) BSWAP_24(val)
#define sys_le32_to_cpu(val) (val)
#define sys_cpu_to_le32(val) (val)
#define sys_be32_to_cpu(val) BSWAP_32(val)
#define sys_cpu_to_be32(val) BSWAP_32(val)
#define sys_le40_to_cpu(val) (val)
#define sys_cpu_to_le40(val) (val)
#define sys_be40_to_cpu(val) BSWAP_40(val)
#define sys_cpu_to_be40(val) BSWAP_40(val)
#define sys_le48_to_cpu(val) (val)
#define sys_cpu_to_le48(val) (val)
#define sys_be48_to_cpu(val) BSWAP_48(val)
#define sys_cpu_to_be48(val) BSWAP_48(val)
#define sys_le64_to_cpu(val) (val)
#define sys_cpu_to_le64(val) (val)
#define sys_be64_to_cpu(val) BSWAP_64(val)
#define sys_cpu_to_be64(val) BSWAP_64(val)
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define sys_le16_to_cpu(val) BSWAP_16(val)
#define sys_cpu_to_le16(val) BSWAP_16(val)
#define sys_be16_to_cpu(val) (val)
#define sys_cpu_to_be16(val) (val)
#define sys_le24_to_cpu(val) BSWAP_24(val)
#define sys_cpu_to_le24(val) BSWAP_24(val)
#define sys_be24_to_cpu(val) (val)
#define sys_cpu_to_be24(val) (val)
#define sys_le32_to_cpu(val) BSWAP_32(val)
#define sys_cpu_to_le32(val) BSWAP_32(val)
#define sys_be32_to_cpu(val) (val)
#define sys_cpu_to_be32(val) (val)
#define sys_le40_to_cpu(val) BSWAP_40(val)
#define sys_cpu_to_le40(val) BSWAP_40(val)
#define sys_be40_to_cpu(val) (val)
#define sys_cpu_to_be40(val) (val)
#define sys_le48_to_cpu(val) BSWAP_48(val)
#define sys_cpu_to_le48(val) BSWAP_48(val)
#define sys_be48_to_cpu(val) (val)
#define sys_cpu_to_be48(val) (val)
#define sys_le64_to_cpu(val) BSWAP_64(val)
#define sys_cpu_to_le64(val) BSWAP_64(val)
#define sys_be64_to_cpu(val) (val)
#define sys_cpu_to_be64(val) (val)
#else
#error "unknown byte order"
#endif

/* Read/write an n-bit value at any byte address, most significant byte first. */
static inline void sys_put_be16(uint16_t val, uint8_t dst[2])
{
	for (int i = 1; i >= 0; i--) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint16_t sys_get_be16(const uint8_t src[2])
{
	uint16_t val = 0;

	for (int i = 0; i < 2; i++) {
		val = (uint16_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_be24(uint32_t val, uint8_t dst[3])
{
	for (int i = 2; i >= 0; i--) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint32_t sys_get_be24(const uint8_t src[3])
{
	uint32_t val = 0;

	for (int i = 0; i < 3; i++) {
		val = (uint32_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_be32(uint32_t val, uint8_t dst[4])
{
	for (int i = 3; i >= 0; i--) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint32_t sys_get_be32(const uint8_t src[4])
{
	uint32_t val = 0;

	for (int i = 0; i < 4; i++) {
		val = (uint32_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_be40(uint64_t val, uint8_t dst[5])
{
	for (int i = 4; i >= 0; i--) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint64_t sys_get_be40(const uint8_t src[5])
{
	uint64_t val = 0;

	for (int i = 0; i < 5; i++) {
		val = (uint64_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_be48(uint64_t val, uint8_t dst[6])
{
	for (int i = 5; i >= 0; i--) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint64_t sys_get_be48(const uint8_t src[6])
{
	uint64_t val = 0;

	for (int i = 0; i < 6; i++) {
		val = (uint64_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_be64(uint64_t val, uint8_t dst[8])
{
	for (int i = 7; i >= 0; i--) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint64_t sys_get_be64(const uint8_t src[8])
{
	uint64_t val = 0;

	for (int i = 0; i < 8; i++) {
		val = (uint64_t)((val << 8) | src[i]);
	}
	return val;
}

/* The same, least significant byte first. */
static inline void sys_put_le16(uint16_t val, uint8_t dst[2])
{
	for (int i = 0; i < 2; i++) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint16_t sys_get_le16(const uint8_t src[2])
{
	uint16_t val = 0;

	for (int i = 1; i >= 0; i--) {
		val = (uint16_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_le24(uint32_t val, uint8_t dst[3])
{
	for (int i = 0; i < 3; i++) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint32_t sys_get_le24(const uint8_t src[3])
{
	uint32_t val = 0;

	for (int i = 2; i >= 0; i--) {
		val = (uint32_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_le32(uint32_t val, uint8_t dst[4])
{
	for (int i = 0; i < 4; i++) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint32_t sys_get_le32(const uint8_t src[4])
{
	uint32_t val = 0;

	for (int i = 3; i >= 0; i--) {
		val = (uint32_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_le40(uint64_t val, uint8_t dst[5])
{
	for (int i = 0; i < 5; i++) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint64_t sys_get_le40(const uint8_t src[5])
{
	uint64_t val = 0;

	for (int i = 4; i >= 0; i--) {
		val = (uint64_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_le48(uint64_t val, uint8_t dst[6])
{
	for (int i = 0; i < 6; i++) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint64_t sys_get_le48(const uint8_t src[6])
{
	uint64_t val = 0;

	for (int i = 5; i >= 0; i--) {
		val = (uint64_t)((val << 8) | src[i]);
	}
	return val;
}

static inline void sys_put_le64(uint64_t val, uint8_t dst[8])
{
	for (int i = 0; i < 8; i++) {
		dst[i] = (uint8_t)val;
		val >>= 8;
	}
}

static inline uint64_t sys_get_le64(const uint8_t src[8])
{
	uint64_t val = 0;

	for (int i = 7; i >= 0; i--) {
		val = (uint64_t)((val << 8) | src[i]);
	}
	return val;
}

/*
 * Copy `length` bytes from src to dst in reverse order (dst[0] = src[length-1]).
 * The two buffers must not overlap (__ASSERT-checked with CONFIG_ASSERT).
 */
static inline void sys_memcpy_swap(void *dst, const void *src, size_t length)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src + length;

	__ASSERT(((const uint8_t *)src < d && ((const uint8_t *)src + length) <= d) ||
			 ((const uint8_t *)src > d && (d + length) <= (const uint8_t *)src),
		 "Source and destination buffers must not overlap");
	for (; length > 0; length--) {
		*d++ = *--s;
	}
}

/* Reverse the order of the `length` bytes at buf, in place. */
static inline void sys_mem_swap(void *buf, size_t length)
{
	uint8_t *p = (uint8_t *)buf;

	for (size_t i = 0; i < length / 2; i++) {
		uint8_t tmp = p[i];

		p[i] = p[length - 1 - i];
		p[length - 1 - i] = tmp;
	}
}

#endif /* ZEPHYR_INCLUDE_SYS_BYTEORDER_H_ */
