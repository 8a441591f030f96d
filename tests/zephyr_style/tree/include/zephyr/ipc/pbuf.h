/*
 * The test tree's packet ring over a pair of shared regions (pbuf.c).
 * Each side writes only its own tx region:
 *   +0 magic (set when the side opened)  +4 write index of its ring
 *   +8 read index of the *peer's* ring    +12 reserved   +16 ring data
 * Packets: a 2-byte length then the bytes, padded to 4; 0xffff wraps.
 */
#ifndef ZEPHYR_INCLUDE_IPC_PBUF_H_
#define ZEPHYR_INCLUDE_IPC_PBUF_H_

#include <stddef.h>
#include <stdint.h>
#include <zephyr/cache.h>
#include <zephyr/devicetree.h>

#define PBUF_HDR_SIZE 16u
#define PBUF_MAGIC 0x5a525450u /* "PTRZ" */

struct pbuf_cfg {
	volatile uint32_t *tx;   /* our region */
	uint32_t tx_size;
	volatile uint32_t *rx;   /* the peer's region */
	uint32_t rx_size;
};

/* A config from two reserved-memory nodes (compile-time addresses). */
#define PBUF_CFG_INIT(tx_addr, tx_len, rx_addr, rx_len)                                       \
	{                                                                                     \
		.tx = (volatile uint32_t *)(uintptr_t)(tx_addr), .tx_size = (tx_len),         \
		.rx = (volatile uint32_t *)(uintptr_t)(rx_addr), .rx_size = (rx_len),         \
	}

/* Word 3 of each region is its owner's session handshake (unbound modes
 * "enable"/"detect"): bits 0-15 the owner's session id request, bits 16-31
 * its acknowledge of the peer's session id.  0 in legacy mode. */
#define PBUF_HS_MAKE(sid_req, sid_ack) ((uint32_t)(sid_req) | ((uint32_t)(sid_ack) << 16))
#define PBUF_HS_REQ(hs) ((hs) & 0xffffu)
#define PBUF_HS_ACK(hs) ((hs) >> 16)
/* Written by a close: request 0 (no session) with an ack no session id
 * takes, so that "detect" does not mistake a closed peer for a legacy one
 * (whose word stays 0). */
#define PBUF_HS_CLOSED PBUF_HS_MAKE(0, 0xffffu)

void pbuf_reset(const struct pbuf_cfg *cfg);
/* Session modes: our handshake word first, then empty rings and the magic. */
void pbuf_session_reset(const struct pbuf_cfg *cfg, uint32_t handshake);
void pbuf_handshake_write(const struct pbuf_cfg *cfg, uint32_t handshake);
uint32_t pbuf_handshake_own(const struct pbuf_cfg *cfg);
uint32_t pbuf_handshake_peer(const struct pbuf_cfg *cfg);
int pbuf_peer_opened(const struct pbuf_cfg *cfg);
int pbuf_write(const struct pbuf_cfg *cfg, const void *data, uint16_t len);
int pbuf_read(const struct pbuf_cfg *cfg, void *buf, size_t len);

#endif
