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

/*
 * The re-registration guards (docs/cache-model.md, "Re-registration"):
 * pbuf_tx_init() leaves a reader's rd_idx of 0 alone, and a writer that has
 * written nothing since pbuf_tx_init() takes the reader's index as 0.  With
 * icmsg_open() publishing the reader's rd_idx = 0 with its session id, no
 * stale rd_idx of a previous session survives a re-registration on a core
 * with a data cache.  The test build ipc_emu_core_broken_session_rd
 * (-DIPC_EMU_CACHE_DROP=6) compiles them out: Zephyr's behaviour.
 */
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

/*
 * The shared words, each read or written through one of these two: a word
 * the peer wrote is invalidated, then loaded with an acquire that pairs with
 * the peer's word_publish(); ours is stored with a release (what we wrote or
 * copied out before it is complete), then flushed.  Pairs: wr_idx - the
 * writer's header and payload; rd_idx - the reader's copies out of the space
 * it frees; handshake - pbuf_handshake_write() / pbuf_handshake_read().
 */
static uint32_t word_load(const volatile uint32_t *loc)
{
	port_cache_invd((void *)loc, sizeof(uint32_t));
	return ipc_load_acquire(loc);
}

static void word_publish(volatile uint32_t *loc, uint32_t v)
{
	ipc_store_release(loc, v);
	port_cache_flush((void *)loc, sizeof(uint32_t));
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

/*
 * Copy a payload of len (>= 1) bytes between buf and data[at..], continuing
 * at data[0] past the end: into the ring then flush (write), or invalidate
 * then out of the ring (read), one part at a time.  A write only reads buf.
 */
static void payload_copy(uint8_t *data, uint32_t blen, uint32_t at, char *buf, uint32_t len,
			 bool write)
{
	for (;;) {
		uint32_t part = blen - at < len ? blen - at : len;
		void *dst = &data[at], *src = buf;

		if (!write) {
			if (PORT_CACHE_SITE(PBUF_READ_PAYLOAD)) {
				port_cache_invd(dst, part);
			}
			src = dst;
			dst = buf;
		}
		memcpy(dst, src, part);
		if (write && PORT_CACHE_SITE(PBUF_WRITE_PAYLOAD)) {
			port_cache_flush(dst, part);
		}
		len -= part;
		if (len == 0) {
			return;
		}
		buf += part;
		at = 0;
	}
}

static int validate_cfg(const struct pbuf_cfg *cfg)
{
	uint32_t align;
	uintptr_t rd, hs, wr, data;

	/* A NULL data_loc fails data <= wr below. */
	if (cfg == NULL || cfg->rd_idx_loc == NULL || cfg->wr_idx_loc == NULL) {
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
	/* Zephyr's rule: wr_idx sits exactly one reader line after rd_idx,
	 * whether or not a handshake word is used (so handshake layouts need
	 * dcache_alignment >= 8); wr_idx is then aligned with rd_idx. */
	if ((rd & (align - 1u)) != 0 || ((hs | data) & 3u) != 0 || wr != rd + align ||
	    data <= wr || (hs != 0 && (hs <= rd || hs >= wr))) {
		return -EINVAL;
	}
	if (cfg->len < _PBUF_MIN_DATA_LEN || (cfg->len & 3u) != 0 || cfg->len > LEN_MAX ||
	    cfg->len > UINTPTR_MAX - data) {
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
	/* The same checks and local reset as the reader (0 or -EINVAL), then
	 * the shared words. */
	int rc = pbuf_rx_init(pb);

	if (rc == 0) {
		pb->data.written = false; /* see transfer() */
		/* Pairs with the acquire of wr_idx in pbuf_read()/
		 * pbuf_get_initial_buf(): a reader sees an empty ring. */
		word_publish(pb->cfg->wr_idx_loc, 0);
		/* Pairs with the acquire of rd_idx in pbuf_write(); the reader's
		 * word is reset by the writer, as Zephyr does - but only if it is
		 * not 0 already: the store dirties the READER's cache line, and
		 * its write-back carries our cached copy of the reader's
		 * handshake word over any newer one (docs/cache-model.md).  An
		 * ipc-emu reader has published 0 with its session id. */
		if (!PORT_CACHE_SITE(SESSION_RD) || word_load(pb->cfg->rd_idx_loc) != 0) {
			word_publish(pb->cfg->rd_idx_loc, 0);
		}
	}
	return rc;
}

/* A packet header as the CPU's 32-bit word: in memory the bytes
 * len >> 8, len & 0xFF, 0, 0. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PBUF_HEADER_WORD(len) ((uint32_t)(len) << 16)
#else
#define PBUF_HEADER_WORD(len) ((uint32_t)__builtin_bswap16(len))
#endif

/* What transfer() does: the writer's half, or the reader's (copy or drop,
 * or look at the first packet in place for pbuf_get_initial_buf()). */
enum op { OP_WRITE, OP_READ, OP_SKIP, OP_INITIAL };

/*
 * One packet in or out.  The writer (OP_WRITE) appends len bytes from buf;
 * the reader validates the next packet, then peeks at it (OP_READ, buf
 * NULL), copies it out (OP_READ) or drops it (OP_SKIP).  Then our own index
 * moves past the packet and is published.  The two halves mirror each other:
 * our index is private, the peer's is loaded once and checked before use.
 */
static int transfer(struct pbuf *pb, char *buf, uint16_t len, enum op op)
{
	const struct pbuf_cfg *cfg;
	uint8_t *data;
	volatile uint32_t *own_idx, *own_loc;
	uint32_t blen, own, peer, occ, plen, hdr;
	bool write = op == OP_WRITE;

	if (pb == NULL) {
		return -EINVAL;
	}
	cfg = pb->cfg;
	data = cfg->data_loc;
	blen = cfg->len;
	/* Our index: its private copy (the one we trust) and the shared word. */
	own_idx = write ? &pb->data.wr_idx : &pb->data.rd_idx;
	own_loc = write ? cfg->wr_idx_loc : cfg->rd_idx_loc;
	own = *own_idx;

	/* Value comes from the peer.  Writer: pairs with the release of rd_idx
	 * by the reader (its copies out of the space it freed are done before
	 * we overwrite it).  Reader: pairs with the release of wr_idx by the
	 * writer (the packets it covers are complete). */
	peer = word_load(write ? cfg->rd_idx_loc : cfg->wr_idx_loc);
	if (!index_ok(peer, blen)) {
		return -EINVAL;
	}
	/* At most blen - 4 for valid indices. */
	occ = write ? occupied(blen, own, peer) : occupied(blen, peer, own);
	if (write) {
		/* Nothing written since pbuf_tx_init(): the reader cannot have consumed anything, the ring is
		 * empty whatever its word says.  A nonzero word is a stale
		 * write-back of the reader's cache line (a reader that does not
		 * re-publish rd_idx with its session id, as Zephyr's): trusting it
		 * would leave peer - 4 bytes free for good. */
		if (own == 0 && !pb->data.written && PORT_CACHE_SITE(SESSION_RD)) {
			occ = 0;
		}
		/* occ <= blen - 4, so this cannot wrap. */
		if ((uint32_t)len + PBUF_PACKET_LEN_SZ > blen - occ - _PBUF_IDX_SIZE) {
			return -ENOMEM;
		}
		port_check_defined(buf, len);
		pb->data.written = true;
		/* The header: BE16 length and two zero bytes (reserved by Zephyr),
		 * as one word (the builtin copy becomes a single store). */
		hdr = PBUF_HEADER_WORD(len);
		__builtin_memcpy(&data[own], &hdr, sizeof(hdr));
		port_cache_flush(&data[own], PBUF_PACKET_LEN_SZ);
		plen = len;
	} else {
		/* The first packet (own is 0 here): Zephyr's extra bounds. */
		if (op == OP_INITIAL && (peer == 0 || peer > 0xFFFFu)) {
			return -EINVAL;
		}
		if (own == peer) {
			return 0;
		}
		port_cache_invd(&data[own], PBUF_PACKET_LEN_SZ);
		plen = get_len(&data[own]);
		/* A writer never publishes an empty packet or one that wr_idx does
		 * not cover; either means corrupt memory.  Refuse it even for a
		 * peek (Zephyr's pbuf_get_initial_buf() takes an empty one). */
		if ((plen == 0 && op != OP_INITIAL) || plen + PBUF_PACKET_LEN_SZ > occ) {
			return -EAGAIN;
		}
		if (op == OP_INITIAL) {
			/* In place: the payload never wraps (4 + plen <= wr_idx < len). */
			if (PORT_CACHE_SITE(PBUF_INITIAL_PAYLOAD)) {
				port_cache_invd(&data[PBUF_PACKET_LEN_SZ], plen);
			}
			return (int)plen;
		}
		if (op == OP_READ) {
			if (buf == NULL) {
				return (int)plen;
			}
			if (plen > len) {
				return -ENOMEM;
			}
		}
	}
	own = wrap(blen, own + PBUF_PACKET_LEN_SZ);
	if (op != OP_SKIP) {
		payload_copy(data, blen, own, buf, plen, write);
	}
	own = wrap(blen, round_up4(own + plen));

	port_crash_point(write ? "pbuf_write_before_publish" : "pbuf_read_before_release");
	*own_idx = own;
	/* Writer: pairs with the acquire of wr_idx in the reader's pbuf_read()
	 * and pbuf_get_initial_buf() (header and payload are visible first).
	 * Reader: pairs with the acquire of rd_idx in pbuf_write() (our copies
	 * above complete before the writer may reuse the space). */
	word_publish(own_loc, own);
	return (int)plen;
}

int pbuf_write(struct pbuf *pb, const char *buf, uint16_t len)
{
	if (buf == NULL || len == 0) {
		return -EINVAL;
	}
	return transfer(pb, (char *)buf, len, OP_WRITE); /* only reads buf */
}

int pbuf_read(struct pbuf *pb, char *buf, uint16_t len)
{
	return transfer(pb, buf, len, OP_READ);
}

int pbuf_skip(struct pbuf *pb)
{
	return transfer(pb, NULL, 0, OP_SKIP);
}

uint32_t pbuf_handshake_read(struct pbuf *pb)
{
	volatile uint32_t *hs;

	if (pb == NULL || pb->cfg->handshake_loc == NULL) {
		return 0;
	}
	hs = pb->cfg->handshake_loc;
	/* Pairs with the release in the peer's pbuf_handshake_write(). */
	return word_load(hs);
}

void pbuf_handshake_write(struct pbuf *pb, uint32_t value)
{
	volatile uint32_t *hs;

	if (pb == NULL || pb->cfg->handshake_loc == NULL) {
		return;
	}
	hs = pb->cfg->handshake_loc;
	/* Pairs with the acquire in the peer's pbuf_handshake_read(). */
	word_publish(hs, value);
}

int pbuf_get_initial_buf(struct pbuf *pb, volatile char **buf, uint16_t *len)
{
	int rc;

	if (pb == NULL || buf == NULL || len == NULL || pb->data.rd_idx != 0) {
		return -EINVAL;
	}
	/* Value comes from the peer: transfer() loads wr_idx with the acquire
	 * that pairs with the release of wr_idx in pbuf_write() (the first
	 * packet is complete), checks it and the length, consumes nothing. */
	rc = transfer(pb, NULL, 0, OP_INITIAL);
	if (rc < 0) {
		return -EINVAL;
	}
	*buf = (volatile char *)pb->cfg->data_loc + PBUF_PACKET_LEN_SZ;
	*len = (uint16_t)rc;
	return 0;
}
