/*
 * pbuf.c - the packet buffer: one-way, single-producer/single-consumer ring
 * of length-prefixed packets in a region of shared memory, laid out byte
 * for byte as Zephyr's pbuf so that a Zephyr core can sit at the other end.
 *
 * A region of S bytes holds the reader's words, the writer's word and the
 * ring.  With dcache_alignment set to the data-cache line size, rd_idx (and
 * the handshake word) fill the reader's line and wr_idx opens the writer's,
 * so each side cleans and invalidates only lines it owns.  With H = 8 when
 * the handshake word is used, else 4, and W = max(dcache_alignment, H):
 *
 *   0        4           8 .. W-1   W        W+4                          S
 *   +--------+-----------+----------+--------+----------------------------+
 *   | rd_idx | handshake | padding  | wr_idx | data[0 .. len-1]           |
 *   +--------+-----------+----------+--------+----------------------------+
 *   '---- written by the reader ----'-------- written by the writer -------'
 *
 *   Without handshake, padding starts at 4.  len = S - W - 4.  All words
 *   are 32-bit in the CPU's byte order (little-endian on every target).
 *   pbuf_tx_init() is the one writer-side store to rd_idx: it empties the
 *   ring before any reader starts.
 *
 * Packets in data[] start at multiples of 4:
 *
 *   +-------+-------+---+---+------------------------+-----------+
 *   | len>>8| len&ff| 0 | 0 | payload (len bytes)    | pad 0..3  |
 *   +-------+-------+---+---+------------------------+-----------+
 *
 * The 4-byte header never crosses the end of data[] (len is a multiple of
 * 4); the payload may, continuing at data[0].  Pad bytes are never written.
 * rd_idx == wr_idx means empty; the writer always leaves 4 bytes free so a
 * full ring cannot look empty, so an empty ring takes a payload of at most
 * len - 8 bytes.
 *
 * Ownership and ordering: the writer fills header and payload, then
 * publishes wr_idx with a release store; the reader loads wr_idx with an
 * acquire, copies the packet out, then publishes rd_idx with a release
 * store that the writer's acquire load pairs with before it reuses the
 * space.  Each side keeps its own index privately and never reads it back
 * from shared memory.  Every word taken from the peer is loaded once into
 * a local and checked (4-aligned and below len; a length must fit in what
 * the indices say is there) before any pointer is formed from it - Zephyr
 * checks alignment only.
 *
 * Cache maintenance follows Zephyr's points exactly (invalidate before
 * reading peer data, flush after writing our own); the port makes the
 * operations no-ops where there is no cache (or no cache model).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipc_emu/pbuf.h"

#include "ipc_atomic.h"
#include "port.h"

_Static_assert(_PBUF_MIN_DATA_LEN == ((PBUF_PACKET_LEN_SZ + 1 + _PBUF_IDX_SIZE + 3) & ~3u),
	       "minimum data length is roundup4(header + 1 byte + free gap)");
_Static_assert(PBUF_HEADER_OVERHEAD(0) == 8 && PBUF_HEADER_OVERHEAD(32) == 36,
	       "header overhead is max(dcache, 4) + 4");
_Static_assert(PBUF_INTERNAL_WR_OFFSET(0, 1) == 8 && PBUF_INTERNAL_WR_OFFSET(32, 1) == 32,
	       "wr_idx follows the handshake word or the reader's cache line");

/*
 * Largest accepted data length.  Index arithmetic reaches just below
 * 2 * len, which must stay inside 32 bits; a cfg built from a region
 * smaller than its header also wraps to a huge len and is caught here.
 */
#define LEN_MAX 0x7FFFFFF8u

static uint32_t round_up4(uint32_t v)
{
	return (v + 3u) & ~3u;
}

/* Both arguments are below 2 * blen here, so one subtraction wraps. */
static uint32_t wrap(uint32_t blen, uint32_t idx)
{
	return idx >= blen ? idx - blen : idx;
}

/* Bytes between the two indices; at most blen - 4 for valid indices. */
static uint32_t occupied(uint32_t blen, uint32_t wr, uint32_t rd)
{
	return rd > wr ? blen - (rd - wr) : wr - rd;
}

/* A peer index is usable only if it is 4-aligned and inside data[]. */
static bool index_ok(uint32_t idx, uint32_t blen)
{
	return (idx & 3u) == 0 && idx < blen;
}

/* Read the big-endian length of a packet header, each byte exactly once
 * (the bytes come from the peer and may change under us). */
static uint16_t get_len(const uint8_t *hdr)
{
	const volatile uint8_t *p = hdr;
	uint32_t hi = p[0];
	uint32_t lo = p[1];

	return (uint16_t)((hi << 8) | lo);
}

static int validate_cfg(const struct pbuf_cfg *cfg)
{
	uint32_t align;
	uintptr_t rd, hs, wr, data;

	if (cfg == NULL || cfg->rd_idx_loc == NULL || cfg->wr_idx_loc == NULL ||
	    cfg->data_loc == NULL) {
		return -EINVAL;
	}
	align = PBUF_INTERNAL_MAX(cfg->dcache_alignment, _PBUF_IDX_SIZE);
	if ((align & (align - 1u)) != 0) {
		return -EINVAL;
	}
	rd = (uintptr_t)cfg->rd_idx_loc;
	hs = (uintptr_t)cfg->handshake_loc;
	wr = (uintptr_t)cfg->wr_idx_loc;
	data = (uintptr_t)cfg->data_loc;
	if ((rd & (align - 1u)) != 0 || (wr & (align - 1u)) != 0 || (hs & 3u) != 0 ||
	    (data & 3u) != 0) {
		return -EINVAL;
	}
	if (cfg->len < _PBUF_MIN_DATA_LEN || (cfg->len & 3u) != 0 || cfg->len > LEN_MAX ||
	    cfg->len > UINTPTR_MAX - data) {
		return -EINVAL;
	}
	/* Zephyr's rule: wr_idx sits exactly one reader line after rd_idx,
	 * whether or not a handshake word is used (so handshake layouts need
	 * dcache_alignment >= 8). */
	if (wr != rd + align || data <= wr || (hs != 0 && (hs <= rd || hs >= wr))) {
		return -EINVAL;
	}
	return 0;
}

int pbuf_rx_init(struct pbuf *pb)
{
	if (pb == NULL || validate_cfg(pb->cfg) != 0) {
		return -EINVAL;
	}
	pb->data.wr_idx = 0;
	pb->data.rd_idx = 0;
	return 0;
}

int pbuf_tx_init(struct pbuf *pb)
{
	const struct pbuf_cfg *cfg;

	/* The same checks and local reset as the reader, then the shared words. */
	if (pbuf_rx_init(pb) != 0) {
		return -EINVAL;
	}
	cfg = pb->cfg;
	/* Pairs with the acquire of wr_idx in pbuf_read()/pbuf_get_initial_buf():
	 * a reader sees an empty ring. */
	ipc_store_release(cfg->wr_idx_loc, 0);
	/* Pairs with the acquire of rd_idx in pbuf_write(); the reader's word is
	 * reset by the writer, as Zephyr does. */
	ipc_store_release(cfg->rd_idx_loc, 0);
	port_cache_flush((void *)cfg->wr_idx_loc, sizeof(uint32_t));
	port_cache_flush((void *)cfg->rd_idx_loc, sizeof(uint32_t));
	return 0;
}

int pbuf_write(struct pbuf *pb, const char *buf, uint16_t len)
{
	const struct pbuf_cfg *cfg;
	uint8_t *data;
	uint32_t blen, rd, wr, tail;

	if (pb == NULL || buf == NULL || len == 0) {
		return -EINVAL;
	}
	cfg = pb->cfg;
	data = cfg->data_loc;
	blen = cfg->len;
	wr = pb->data.wr_idx;

	port_cache_invd((void *)cfg->rd_idx_loc, sizeof(uint32_t));
	/* Value comes from the peer.  Pairs with the release of rd_idx in
	 * pbuf_read(): the reader's copies out of the space it freed are done
	 * before we overwrite it. */
	rd = ipc_load_acquire(cfg->rd_idx_loc);
	if (!index_ok(rd, blen)) {
		return -EINVAL;
	}
	/* occupied() <= blen - 4 for valid indices, so this cannot wrap. */
	if ((uint32_t)len + PBUF_PACKET_LEN_SZ > blen - occupied(blen, wr, rd) - _PBUF_IDX_SIZE) {
		return -ENOMEM;
	}
	port_check_defined(buf, len);

	/* The header: BE16 length and two zero bytes (reserved by Zephyr). */
	data[wr] = (uint8_t)(len >> 8);
	data[wr + 1] = (uint8_t)len;
	data[wr + 2] = 0;
	data[wr + 3] = 0;
	port_cache_flush(&data[wr], PBUF_PACKET_LEN_SZ);

	wr = wrap(blen, wr + PBUF_PACKET_LEN_SZ);
	tail = blen - wr < len ? blen - wr : len;
	memcpy(&data[wr], buf, tail);
	port_cache_flush(&data[wr], tail);
	if (len > tail) {
		memcpy(data, buf + tail, len - tail);
		port_cache_flush(data, len - tail);
	}
	wr = wrap(blen, round_up4(wr + len));

	port_crash_point("pbuf_write_before_publish");
	pb->data.wr_idx = wr;
	/* Pairs with the acquire of wr_idx in pbuf_read() and
	 * pbuf_get_initial_buf(): header and payload are visible first. */
	ipc_store_release(cfg->wr_idx_loc, wr);
	port_cache_flush((void *)cfg->wr_idx_loc, sizeof(uint32_t));
	return len;
}

/*
 * The reader's half: validate the next packet, then peek at it (buf NULL,
 * !skip), copy it out, or drop it (skip), and release its space.
 */
static int consume(struct pbuf *pb, char *buf, uint16_t len, bool skip)
{
	const struct pbuf_cfg *cfg;
	uint8_t *data;
	uint32_t blen, rd, wr, tail;
	uint16_t plen;

	if (pb == NULL) {
		return -EINVAL;
	}
	cfg = pb->cfg;
	data = cfg->data_loc;
	blen = cfg->len;
	rd = pb->data.rd_idx;

	port_cache_invd((void *)cfg->wr_idx_loc, sizeof(uint32_t));
	/* Value comes from the peer.  Pairs with the release of wr_idx in
	 * pbuf_write(): the packets it covers are complete. */
	wr = ipc_load_acquire(cfg->wr_idx_loc);
	if (!index_ok(wr, blen)) {
		return -EINVAL;
	}
	if (rd == wr) {
		return 0;
	}

	port_cache_invd(&data[rd], PBUF_PACKET_LEN_SZ);
	plen = get_len(&data[rd]);
	/* A writer never publishes an empty packet or one that wr_idx does not
	 * cover; either means corrupt memory.  Refuse it even for a peek.
	 * (occupied() <= blen - 4 holds already for valid indices.) */
	if (plen == 0 || (uint32_t)plen + PBUF_PACKET_LEN_SZ > occupied(blen, wr, rd)) {
		return -EAGAIN;
	}
	rd = wrap(blen, rd + PBUF_PACKET_LEN_SZ);
	if (!skip) {
		if (buf == NULL) {
			return plen;
		}
		if (plen > len) {
			return -ENOMEM;
		}
		tail = blen - rd < plen ? blen - rd : plen;
		port_cache_invd(&data[rd], tail);
		memcpy(buf, &data[rd], tail);
		if (plen > tail) {
			port_cache_invd(data, plen - tail);
			memcpy(buf + tail, data, plen - tail);
		}
	}
	rd = wrap(blen, round_up4(rd + plen));

	port_crash_point("pbuf_read_before_release");
	pb->data.rd_idx = rd;
	/* Pairs with the acquire of rd_idx in pbuf_write(): our copies above
	 * complete before the writer may reuse the space. */
	ipc_store_release(cfg->rd_idx_loc, rd);
	port_cache_flush((void *)cfg->rd_idx_loc, sizeof(uint32_t));
	return plen;
}

int pbuf_read(struct pbuf *pb, char *buf, uint16_t len)
{
	return consume(pb, buf, len, false);
}

int pbuf_skip(struct pbuf *pb)
{
	return consume(pb, NULL, 0, true);
}

uint32_t pbuf_handshake_read(struct pbuf *pb)
{
	volatile uint32_t *hs;

	if (pb == NULL || pb->cfg->handshake_loc == NULL) {
		return 0;
	}
	hs = pb->cfg->handshake_loc;
	port_cache_invd((void *)hs, sizeof(uint32_t));
	/* Pairs with the release in the peer's pbuf_handshake_write(). */
	return ipc_load_acquire(hs);
}

void pbuf_handshake_write(struct pbuf *pb, uint32_t value)
{
	volatile uint32_t *hs;

	if (pb == NULL || pb->cfg->handshake_loc == NULL) {
		return;
	}
	hs = pb->cfg->handshake_loc;
	/* Pairs with the acquire in the peer's pbuf_handshake_read(). */
	ipc_store_release(hs, value);
	port_cache_flush((void *)hs, sizeof(uint32_t));
}

int pbuf_get_initial_buf(struct pbuf *pb, volatile char **buf, uint16_t *len)
{
	const struct pbuf_cfg *cfg;
	uint32_t wr;
	uint16_t plen;

	if (pb == NULL || buf == NULL || len == NULL || pb->data.rd_idx != 0) {
		return -EINVAL;
	}
	cfg = pb->cfg;

	port_cache_invd((void *)cfg->wr_idx_loc, sizeof(uint32_t));
	/* Value comes from the peer.  Pairs with the release of wr_idx in
	 * pbuf_write(): the first packet is complete. */
	wr = ipc_load_acquire(cfg->wr_idx_loc);
	if (wr == 0 || wr > 0xFFFFu || !index_ok(wr, cfg->len)) {
		return -EINVAL;
	}
	port_cache_invd(cfg->data_loc, PBUF_PACKET_LEN_SZ);
	plen = get_len(cfg->data_loc);
	if ((uint32_t)plen + PBUF_PACKET_LEN_SZ > wr) {
		return -EINVAL;
	}
	port_cache_invd(&cfg->data_loc[PBUF_PACKET_LEN_SZ], plen);
	*buf = (volatile char *)&cfg->data_loc[PBUF_PACKET_LEN_SZ];
	*len = plen;
	return 0;
}
