/*
 * pbuf.h - Zephyr's packet buffer (include/zephyr/ipc/pbuf.h): a one-way
 * ring of length-prefixed packets in memory shared by two cores, with the
 * same names, layout and return codes as Zephyr's, so either end can be a
 * real Zephyr image.  ICMsg builds its two directions on two pbufs.
 *
 * Context contract (every function below is non-blocking):
 *   - Exactly one writer and one reader per pbuf.  The writer side owns the
 *     region's wr_idx word, the reader side owns rd_idx and the handshake word.
 *   - Writer side calls: pbuf_tx_init(), then pbuf_write(); it may read the
 *     handshake word with pbuf_handshake_read().
 *   - Reader side calls: pbuf_rx_init(), then pbuf_read(), pbuf_skip() and
 *     pbuf_get_initial_buf(); it publishes its handshake word with
 *     pbuf_handshake_write().
 *   - The two sides may run at the same time (other core, other process,
 *     other thread), but calls on ONE side must not overlap: serialise
 *     several local writers (or readers) with a mutex.  Any context,
 *     including interrupts, may make a call if that rule is kept.
 *   - struct pbuf and its cfg live in each side's private memory; only the
 *     words and bytes the cfg points at are shared.
 *
 * Everything read from shared memory is peer data: it is validated before
 * use and a bad value is an error code, never a crash or an out-of-bounds
 * access (stricter than Zephyr; see src/pbuf.c).
 */
#ifndef IPC_EMU_PBUF_H
#define IPC_EMU_PBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes in front of each packet: BE16 payload length, then two zero bytes. */
#define PBUF_PACKET_LEN_SZ 4u

/* Size of one index word; also the gap always kept free so that a full ring
 * never looks empty. */
#define _PBUF_IDX_SIZE 4u

/* Smallest data[] that holds a 1-byte packet plus the free gap, rounded up
 * to a multiple of 4: roundup4(4 + 1 + 4). */
#define _PBUF_MIN_DATA_LEN 12u

#define PBUF_INTERNAL_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Offset of wr_idx from the region base (the "W" of the wire-format spec). */
#define PBUF_INTERNAL_WR_OFFSET(dcache_align, use_handshake)                                  \
	PBUF_INTERNAL_MAX((uint32_t)(dcache_align),                                           \
			  (use_handshake) ? 2u * _PBUF_IDX_SIZE : _PBUF_IDX_SIZE)

/* Shared-memory locations of one pbuf, fixed before init; never changed. */
struct pbuf_cfg {
	volatile uint32_t *rd_idx_loc;    /* reader-owned index word (region offset 0) */
	volatile uint32_t *handshake_loc; /* reader-owned handshake word (offset 4), or NULL */
	volatile uint32_t *wr_idx_loc;    /* writer-owned index word */
	uint32_t dcache_alignment;        /* data cache line size, 0 if none */
	uint32_t len;                     /* size of data[] in bytes */
	uint8_t *data_loc;                /* data[]: the ring of packets */
};

/* Each side's private copy of its own index (the shared copy is never
 * trusted back). */
struct pbuf_data {
	volatile uint32_t wr_idx; /* writer: next free byte of data[] */
	volatile uint32_t rd_idx; /* reader: first unread byte of data[] */
	/* writer: a packet was written since pbuf_tx_init() (until then the
	 * ring is empty whatever the reader's rd_idx word says; see
	 * docs/cache-model.md, "Re-registration") */
	bool written;
};

struct pbuf {
	const struct pbuf_cfg *const cfg;
	struct pbuf_data data;
};

/*
 * Initializer of a struct pbuf_cfg covering a whole region of `size` bytes
 * at `mem_addr` (a pointer or an integer address), aligned to
 * max(dcache_align, 4).  Layout, with H = use_handshake ? 8 : 4 and
 * W = max(dcache_align, H):
 *   rd_idx at 0, handshake at 4 (if used), wr_idx at W, data at W + 4,
 *   len = size - W - 4.
 * Use as `struct pbuf_cfg c = PBUF_CFG_INIT(...)` or as a compound literal
 * `(struct pbuf_cfg)PBUF_CFG_INIT(...)`.  Arguments are evaluated more
 * than once.  Note: as in Zephyr, pbuf_tx_init()/pbuf_rx_init() reject a
 * handshake layout with dcache_align < 8 (wr_idx must sit at
 * max(dcache_align, 4)).
 */
#define PBUF_CFG_INIT(mem_addr, size, dcache_align, use_handshake)                            \
	{                                                                                     \
		.rd_idx_loc = (volatile uint32_t *)(mem_addr),                                \
		.handshake_loc = (use_handshake) ? (volatile uint32_t *)((uint8_t *)(mem_addr) + \
									 _PBUF_IDX_SIZE)      \
						 : NULL,                                      \
		.wr_idx_loc = (volatile uint32_t *)((uint8_t *)(mem_addr) +                   \
						    PBUF_INTERNAL_WR_OFFSET(dcache_align,     \
									    use_handshake)), \
		.dcache_alignment = (uint32_t)(dcache_align),                                 \
		.len = (uint32_t)(size) - PBUF_INTERNAL_WR_OFFSET(dcache_align, use_handshake) - \
		       _PBUF_IDX_SIZE,                                                        \
		.data_loc = (uint8_t *)(mem_addr) +                                           \
			    PBUF_INTERNAL_WR_OFFSET(dcache_align, use_handshake) + _PBUF_IDX_SIZE, \
	}

/* Bytes of a region taken by rd_idx, padding and wr_idx (the handshake word
 * is not counted, as in Zephyr): max(dcache_align, 4) + 4. */
#define PBUF_HEADER_OVERHEAD(dcache_align)                                                    \
	(PBUF_INTERNAL_MAX((uint32_t)(dcache_align), _PBUF_IDX_SIZE) + _PBUF_IDX_SIZE)

/*
 * Writer side: check the cfg, zero the local indices and the shared wr_idx
 * and rd_idx words (the ring becomes empty).  Call while the reader is not
 * reading (after a reset or a session change).  Unlike Zephyr, an rd_idx
 * word that is already 0 is not stored again (the store would dirty the
 * reader's cache line), and until the first packet pbuf_write() takes the
 * ring as empty whatever rd_idx says (docs/cache-model.md).
 * Returns 0, or -EINVAL if pb is NULL or the cfg is invalid: a NULL
 * location; max(dcache_alignment, 4) not a power of two; rd_idx or wr_idx
 * not aligned to it; handshake or data not 4-aligned; len below
 * _PBUF_MIN_DATA_LEN, not a multiple of 4 or above 0x7FFFFFF8 (a region
 * smaller than its header wraps len); wr_idx not at rd_idx +
 * max(dcache_alignment, 4); handshake not between them; data not after
 * wr_idx.
 */
int pbuf_tx_init(struct pbuf *pb);

/*
 * Reader side: check the cfg and zero the local indices.  Touches no shared
 * memory.  Returns 0, or -EINVAL as pbuf_tx_init().
 */
int pbuf_rx_init(struct pbuf *pb);

/*
 * Writer side: append one packet of `len` bytes from `buf`, then publish it
 * by storing the new wr_idx (the payload is complete before the peer can see
 * the index).  Does not signal the peer.
 * Returns len on success;
 *   -EINVAL if pb or buf is NULL, len is 0, or the reader's rd_idx is not a
 *           multiple of 4 or not below cfg->len (corrupt peer word);
 *   -ENOMEM if the packet (len + 4 bytes) does not fit in the free space now
 *           (retry after the reader consumed; the largest packet an empty
 *           ring takes is cfg->len - 8 bytes).
 * Nothing is written on error.
 */
int pbuf_write(struct pbuf *pb, const char *buf, uint16_t len);

/*
 * Reader side: copy the next whole packet into `buf` (capacity `len`) and
 * release its space to the writer.  With buf == NULL, return the length of
 * the next packet without consuming it (peek).
 * Returns the packet length (copied, or peeked); 0 if the ring is empty;
 *   -EINVAL if pb is NULL or the writer's wr_idx is not a multiple of 4 or
 *           not below cfg->len (corrupt peer word);
 *   -EAGAIN if the packet header is corrupt: its length is 0 or it claims
 *           more bytes than wr_idx says are in the ring (for buf == NULL too);
 *   -ENOMEM if the packet is longer than `len` (nothing is consumed; peek
 *           and retry with a larger buffer).
 * On any error nothing is copied and nothing is consumed.
 */
int pbuf_read(struct pbuf *pb, char *buf, uint16_t len);

/*
 * Reader side, not in Zephyr: drop the next packet without copying it (for
 * a packet larger than any buffer the reader has, which Zephyr's ICMsg
 * would leave in the ring forever).
 * Returns the dropped packet's length; 0 if the ring is empty; -EINVAL and
 * -EAGAIN as pbuf_read() (then nothing is dropped).
 */
int pbuf_skip(struct pbuf *pb);

/*
 * Writer side: read the handshake word written by the reader of this ring.
 * Returns its value, or 0 if pb is NULL or the cfg has no handshake word.
 */
uint32_t pbuf_handshake_read(struct pbuf *pb);

/*
 * Reader side: publish `value` in this ring's handshake word.  A NULL pb or
 * a cfg without handshake word is ignored.
 */
void pbuf_handshake_write(struct pbuf *pb, uint32_t value);

/*
 * Reader side, before the first pbuf_read() after pbuf_rx_init(): look at
 * the first packet the writer put into a freshly initialised ring, without
 * consuming it.  On success *buf points at the payload inside shared memory
 * (valid until the reader consumes it or the writer re-initialises) and
 * *len is its length.
 * Returns 0, or -EINVAL if pb, buf or len is NULL, the reader has already
 * consumed data (local rd_idx != 0), the writer's wr_idx is 0 (nothing
 * written yet), >= cfg->len, above 0xFFFF or not a multiple of 4, or the
 * packet's length + 4 exceeds wr_idx.  *buf and *len are set only on success.
 */
int pbuf_get_initial_buf(struct pbuf *pb, volatile char **buf, uint16_t *len);

#endif /* IPC_EMU_PBUF_H */
