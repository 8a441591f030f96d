/*
 * zephyr/sys/ring_buffer.h - Zephyr's byte ring buffer (ring_buf_put/get,
 * the zero-copy claim/finish pair, peek) and its item mode (32-bit words
 * with a type/value header: ring_buf_item_put/get).
 *
 * Same names, return values and semantics as Zephyr's claim-based ring
 * buffer: any size up to RING_BUFFER_MAX_SIZE (not only powers of two);
 * a claim returns at most the contiguous part up to the end of the storage
 * (call again for the rest); finish commits `size` bytes of what was claimed
 * and releases the rest of the claim; finishing more than was claimed is
 * -EINVAL.
 *
 * Concurrency, as on Zephyr: no locking.  One producer (put side) and one
 * consumer (get side) may NOT run concurrently here without a lock either
 * (the indices are plain words): serialise every call on one ring_buf with a
 * k_mutex, a spinlock or irq_lock.  Everything is inline in this header.
 *
 * Indices run modulo 2*size, so a full ring and an empty ring differ and
 * nothing wraps at 2^32.
 */
#ifndef ZEPHYR_INCLUDE_SYS_RING_BUFFER_H_
#define ZEPHYR_INCLUDE_SYS_RING_BUFFER_H_

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RING_BUFFER_MAX_SIZE 0x80000000U
#define RING_BUFFER_SIZE_ASSERT_MSG "Size too big"

struct ring_buf_index {
	uint32_t head; /* end of the current claim */
	uint32_t tail; /* end of what was finished */
};

struct ring_buf {
	uint8_t *buffer;
	struct ring_buf_index put; /* producer */
	struct ring_buf_index get; /* consumer */
	uint32_t size;
};

#define RING_BUF_INIT(buf, size8)                                                             \
	{                                                                                     \
		.buffer = (buf), .put = {0, 0}, .get = {0, 0}, .size = (size8),               \
	}

/* A ring of size8 bytes with its storage: `RING_BUF_DECLARE(rb, 64);` at file scope. */
#define RING_BUF_DECLARE(name, size8)                                                         \
	BUILD_ASSERT((size8) < RING_BUFFER_MAX_SIZE, RING_BUFFER_SIZE_ASSERT_MSG);              \
	static uint8_t emu_ring_buffer_data_##name[size8];                                     \
	struct ring_buf name = RING_BUF_INIT(emu_ring_buffer_data_##name, size8)

/* A ring of size32 32-bit words, for the item API. */
#define RING_BUF_ITEM_DECLARE(name, size32)                                                   \
	BUILD_ASSERT((size32) < RING_BUFFER_MAX_SIZE / 4, RING_BUFFER_SIZE_ASSERT_MSG);         \
	static uint32_t emu_ring_buffer_data_##name[size32];                                   \
	struct ring_buf name = RING_BUF_INIT((uint8_t *)emu_ring_buffer_data_##name, 4 * (size32))
#define RING_BUF_ITEM_DECLARE_SIZE(name, size32) RING_BUF_ITEM_DECLARE(name, size32)
#define RING_BUF_ITEM_DECLARE_POW2(name, pow) RING_BUF_ITEM_DECLARE(name, BIT(pow))
/* Words needed for a value of the type of `expr`. */
#define RING_BUF_ITEM_SIZEOF(expr) ((sizeof(expr) + sizeof(uint32_t) - 1) / sizeof(uint32_t))

/* ---- index arithmetic modulo 2*size (internal) -------------------------------- */
static inline uint32_t emu_rb_add(const struct ring_buf *buf, uint32_t idx, uint32_t n)
{
	uint32_t r = idx + n; /* idx < 2*size <= 2^32 - 2, n <= size: no overflow */

	return r >= 2U * buf->size ? r - 2U * buf->size : r;
}

static inline uint32_t emu_rb_diff(const struct ring_buf *buf, uint32_t a, uint32_t b)
{
	return a >= b ? a - b : a + 2U * buf->size - b;
}

static inline uint32_t emu_rb_off(const struct ring_buf *buf, uint32_t idx)
{
	return idx >= buf->size ? idx - buf->size : idx;
}

/* ---- set-up and state ------------------------------------------------------------ */
/* Use `size` bytes at `data`; the ring starts empty. */
static inline void ring_buf_init(struct ring_buf *buf, uint32_t size, uint8_t *data)
{
	buf->buffer = data;
	buf->size = size;
	buf->put.head = buf->put.tail = 0;
	buf->get.head = buf->get.tail = 0;
}

/* Use `size` 32-bit words at `data` (item mode). */
static inline void ring_buf_item_init(struct ring_buf *buf, uint32_t size, uint32_t *data)
{
	ring_buf_init(buf, 4U * size, (uint8_t *)data);
}

/* Empty the ring (drops data and claims). */
static inline void ring_buf_reset(struct ring_buf *buf)
{
	buf->put.head = buf->put.tail = 0;
	buf->get.head = buf->get.tail = 0;
}

/* True if no finished data waits to be read. */
static inline bool ring_buf_is_empty(const struct ring_buf *buf)
{
	return buf->get.head == buf->put.tail;
}

/* Bytes that can be put now. */
static inline uint32_t ring_buf_space_get(const struct ring_buf *buf)
{
	return buf->size - emu_rb_diff(buf, buf->put.head, buf->get.tail);
}

/* Words that can be put now (item mode). */
static inline uint32_t ring_buf_item_space_get(const struct ring_buf *buf)
{
	return ring_buf_space_get(buf) / 4U;
}

static inline uint32_t ring_buf_capacity_get(const struct ring_buf *buf)
{
	return buf->size;
}

/* Bytes of finished data not yet claimed by the consumer. */
static inline uint32_t ring_buf_size_get(const struct ring_buf *buf)
{
	return emu_rb_diff(buf, buf->put.tail, buf->get.head);
}

/* ---- producer --------------------------------------------------------------------- */
/* Claim up to `size` contiguous free bytes: *data points at them; returns
 * how many (0 when full).  Claims add up until ring_buf_put_finish(). */
static inline uint32_t ring_buf_put_claim(struct ring_buf *buf, uint8_t **data, uint32_t size)
{
	uint32_t off = emu_rb_off(buf, buf->put.head);
	uint32_t n = MIN(size, ring_buf_space_get(buf));

	n = MIN(n, buf->size - off);
	*data = &buf->buffer[off];
	buf->put.head = emu_rb_add(buf, buf->put.head, n);
	return n;
}

/* Commit the first `size` claimed bytes, release the rest of the claim.
 * 0, or -EINVAL if size exceeds what was claimed (nothing changes). */
static inline int ring_buf_put_finish(struct ring_buf *buf, uint32_t size)
{
	if (size > emu_rb_diff(buf, buf->put.head, buf->put.tail)) {
		return -EINVAL;
	}
	buf->put.tail = emu_rb_add(buf, buf->put.tail, size);
	buf->put.head = buf->put.tail;
	return 0;
}

/* Copy in up to `size` bytes; returns how many fitted. */
static inline uint32_t ring_buf_put(struct ring_buf *buf, const uint8_t *data, uint32_t size)
{
	uint32_t total = 0;
	uint32_t n;

	do {
		uint8_t *dst;

		n = ring_buf_put_claim(buf, &dst, size - total);
		if (n > 0U) {
			memcpy(dst, data + total, n);
		}
		total += n;
	} while (n > 0U && total < size);
	(void)ring_buf_put_finish(buf, total);
	return total;
}

/* ---- consumer --------------------------------------------------------------------- */
/* Claim up to `size` contiguous bytes of data: *data points at them;
 * returns how many (0 when empty). */
static inline uint32_t ring_buf_get_claim(struct ring_buf *buf, uint8_t **data, uint32_t size)
{
	uint32_t off = emu_rb_off(buf, buf->get.head);
	uint32_t n = MIN(size, ring_buf_size_get(buf));

	n = MIN(n, buf->size - off);
	*data = &buf->buffer[off];
	buf->get.head = emu_rb_add(buf, buf->get.head, n);
	return n;
}

/* Free the first `size` claimed bytes; the rest of the claim stays data.
 * 0, or -EINVAL if size exceeds what was claimed (nothing changes). */
static inline int ring_buf_get_finish(struct ring_buf *buf, uint32_t size)
{
	if (size > emu_rb_diff(buf, buf->get.head, buf->get.tail)) {
		return -EINVAL;
	}
	buf->get.tail = emu_rb_add(buf, buf->get.tail, size);
	buf->get.head = buf->get.tail;
	return 0;
}

/* Take out up to `size` bytes into `data` (NULL: discard them); returns how many. */
static inline uint32_t ring_buf_get(struct ring_buf *buf, uint8_t *data, uint32_t size)
{
	uint32_t total = 0;
	uint32_t n;

	do {
		uint8_t *src;

		n = ring_buf_get_claim(buf, &src, size - total);
		if (n > 0U && data != NULL) {
			memcpy(data + total, src, n);
		}
		total += n;
	} while (n > 0U && total < size);
	(void)ring_buf_get_finish(buf, total);
	return total;
}

/* Copy up to `size` bytes into `data` without removing them; returns how many. */
static inline uint32_t ring_buf_peek(struct ring_buf *buf, uint8_t *data, uint32_t size)
{
	uint32_t total = 0;
	uint32_t n;

	do {
		uint8_t *src;

		n = ring_buf_get_claim(buf, &src, size - total);
		if (n > 0U) {
			memcpy(data + total, src, n);
		}
		total += n;
	} while (n > 0U && total < size);
	(void)ring_buf_get_finish(buf, 0);
	return total;
}

/* ---- items: a 32-bit header (type 16 bits, length in words 8, value 8), then data -- */
/*
 * Put one item of size32 words (0..255) from `data`.  0, or -EMSGSIZE if
 * header and data do not fit now (nothing is written).
 */
static inline int ring_buf_item_put(struct ring_buf *buf, uint16_t type, uint8_t value,
				    uint32_t *data, uint8_t size32)
{
	uint32_t hdr = (uint32_t)type | ((uint32_t)size32 << 16) | ((uint32_t)value << 24);

	if (ring_buf_item_space_get(buf) < (uint32_t)size32 + 1U) {
		return -EMSGSIZE;
	}
	(void)ring_buf_put(buf, (const uint8_t *)&hdr, sizeof(hdr));
	if (size32 > 0U) {
		(void)ring_buf_put(buf, (const uint8_t *)data, 4U * size32);
	}
	return 0;
}

/*
 * Take the next item: *type, *value and *size32 (in: capacity of `data` in
 * words; out: the item's length) are set, its words copied to `data` (NULL:
 * the item is dropped).  0; -EAGAIN if the ring is empty; -EMSGSIZE if the
 * item is longer than *size32 (then *size32 is its length and nothing is
 * removed).
 */
static inline int ring_buf_item_get(struct ring_buf *buf, uint16_t *type, uint8_t *value,
				    uint32_t *data, uint8_t *size32)
{
	uint32_t hdr;
	uint8_t len;

	if (ring_buf_size_get(buf) < sizeof(hdr)) {
		return -EAGAIN;
	}
	(void)ring_buf_peek(buf, (uint8_t *)&hdr, sizeof(hdr));
	len = (uint8_t)(hdr >> 16);
	if (data != NULL && len > *size32) {
		*size32 = len;
		return -EMSGSIZE;
	}
	(void)ring_buf_get(buf, NULL, sizeof(hdr));
	(void)ring_buf_get(buf, (uint8_t *)data, 4U * len);
	*type = (uint16_t)hdr;
	*value = (uint8_t)(hdr >> 24);
	*size32 = len;
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_RING_BUFFER_H_ */
