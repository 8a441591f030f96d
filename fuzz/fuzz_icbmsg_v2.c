/*
 * fuzz_icbmsg_v2.c - one ICBMsg v2 instance against a hostile peer, with a
 * delivery oracle.
 *
 * Our tx-region and rx-region are separate allocations of exactly their
 * size.  The peer, played by the input, owns the producer queue and the
 * blocks of our RX region and the consumer queue of our TX region.  It sends
 * the bound packet (right or wrong block counts), EP_BOUND / EP_UNBOUND
 * packets (any slot, our names' hashes or any hash), well-formed data
 * messages (any endpoint byte, priority, size that fits) into blocks it
 * allocates like a sender, malformed ones (header index or size wrong),
 * writes any word or slot byte of the three queues it may write and of the
 * queues it may not, consumes our messages honestly or not at all, and rings
 * our doorbell.  Our side registers and deregisters endpoints, sends by copy
 * and without copy, holds and releases received buffers.
 *
 * Oracle: every delivery lies inside our RX blocks right after a block
 * header, and its bytes and length are exactly those of a well-formed
 * message the peer sent whose blocks it has not rewritten since: nothing is
 * delivered that was not sent.  Payload bytes all have bit 7 set, so no
 * payload can pass for a block header (whose index byte is < 32).  Return
 * codes are the documented ones; every port object is released at the end.
 *
 *   input: | dcache | tx blocks | rx blocks | S | tx size | rx size | op ... |
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/ipc_service.h"

#include "fuzz_input.h"
#include "fuzz_port.h"

#define CH_TX 2
#define CH_RX 3
#define N_EPT 3
#define HELD_MAX 16
#define SENT_MAX 256
#define MAX_OPS 400

static const uint32_t dcaches[4] = {0, 8, 32, 64};

struct ep {
	char name[4];
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	bool registered;
};

/* A well-formed message the peer wrote (its payload is regenerated from seq). */
struct sent {
	uint32_t first, n, len, seq;
	bool intact;
};

static struct {
	uint8_t *tx, *rx;
	struct icbmsg_v2_config conf;
	struct icbmsg_v2_data data;
	struct icbmsg_v2_ept ept[N_EPT];
	struct icbmsg_v2_layout tl, rl; /* as the peer computes them */
	struct device dev;
	struct ep eps[N_EPT];
	void *held[HELD_MAX];
	struct ipc_ept *held_ept[HELD_MAX];
	unsigned n_held;
	bool hold_next;
	/* Peer side. */
	uint32_t p_count, p_hi;       /* its producer queue (in our RX region) */
	uint32_t p_used;              /* our RX blocks it has in flight */
	uint32_t p_first_n[32];       /* blocks of the message starting at a block */
	uint32_t p_seen_cons;         /* our RX consumer entries it has collected */
	uint32_t p_cons;              /* entries of our TX producer queue it consumed */
	struct sent sent[SENT_MAX];
	unsigned n_sent;
	uint32_t seq;
	/* The input rewrote the peer's producer queue: its entries may name
	 * blocks the peer has since rewritten (stale, but written by the peer). */
	bool raw_prod;
} s;

static _Noreturn void fail(const char *what, long v)
{
	fprintf(stderr, "fuzz_icbmsg_v2: %s (%ld)\n", what, v);
	abort();
}

static uint8_t pay(uint32_t seq, uint32_t i)
{
	uint32_t h = (seq + 1u) * 2654435761u ^ (i * 40503u);

	return (uint8_t)(0x80u | ((h ^ h >> 13) & 0x7Fu));
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct ep *e = priv;
	const uint8_t *p = data;
	const uint8_t *lo = s.rx + s.rl.blocks_offset + ICBMSG_V2_BLOCK_HEADER_SIZE;
	size_t off;
	bool found = false;

	if (p < lo || (size_t)(p - lo) % s.rl.block_size != 0 ||
	    (size_t)(p - lo) / s.rl.block_size >= s.rl.block_count) {
		fail("received: not right after a header of our RX blocks", (long)(p - s.rx));
	}
	off = (size_t)(p - s.rx);
	if (len > s.conf.rx.size - off) {
		fail("received: buffer runs past the RX region", (long)len);
	}
	for (unsigned k = 0; k < s.n_sent && !found; k++) {
		const struct sent *m = &s.sent[k];
		uint32_t i;

		if (!m->intact || m->len != len ||
		    p != lo + (size_t)m->first * s.rl.block_size) {
			continue;
		}
		for (i = 0; i < len && p[i] == pay(m->seq, i); i++) {
		}
		found = i == len;
	}
	if (!found && s.raw_prod) {
		/* A stale entry: the header in memory must still say what was
		 * delivered (the core reads it once, then delivers that). */
		const uint8_t *h = p - ICBMSG_V2_BLOCK_HEADER_SIZE;
		uint32_t index = (uint32_t)((size_t)(p - lo) / s.rl.block_size);

		found = h[2] == index && ((uint32_t)h[0] | (uint32_t)h[1] << 8) == len;
	}
	if (!found) {
		fail("delivered data the peer did not send", (long)len);
	}
	if (s.hold_next && s.n_held < HELD_MAX) {
		int rc = ipc_service_hold_rx_buffer(&e->ept, (void *)data);

		if (rc == 0) {
			s.held_ept[s.n_held] = &e->ept;
			s.held[s.n_held++] = (void *)data;
		} else if (rc != -EALREADY) {
			fail("hold: unexpected code", rc);
		}
	}
}

static void on_error(const char *message, void *priv)
{
	(void)message;
	(void)priv;
}

static void check_rc(const char *what, int rc)
{
	if (rc >= 0 || rc == -EBUSY || rc == -ENOMEM || rc == -EINVAL || rc == -ENOENT ||
	    rc == -EALREADY || rc == -EIO) {
		return;
	}
	fail(what, rc);
}

/* ------------------------------------------------------------- the peer */

static uint8_t *p_prod(void)
{
	return s.rx + s.rl.base_offset;
}

static uint8_t *p_block(uint32_t i)
{
	return s.rx + s.rl.blocks_offset + (size_t)i * s.rl.block_size;
}

/* Free what our side consumed (as a sender's collection). */
static void peer_collect(void)
{
	const uint8_t *q = s.rx + s.rl.cons_offset;
	uint32_t count = get32(q);

	while (s.p_seen_cons != count && count - s.p_seen_cons <= s.rl.slots) {
		uint32_t i = q[ICBMSG_V2_Q_SLOTS_OFFSET + s.p_seen_cons % s.rl.slots];

		s.p_seen_cons++;
		if (i < 32 && (s.p_used & (1u << i)) && s.p_first_n[i] != 0) {
			uint32_t n = s.p_first_n[i];

			s.p_used &= ~(((n == 32 ? 0u : 1u << n) - 1u) << i);
			s.p_first_n[i] = 0;
		}
	}
	if (count - s.p_seen_cons > s.rl.slots) {
		s.p_seen_cons = count; /* our side reset or lies: start over */
	}
}

/* Write a message of `len` payload bytes into free blocks and publish it. */
static void peer_send(uint8_t ept, uint32_t len, bool hi, const uint8_t *ctl, int malform)
{
	uint32_t bs = s.rl.block_size, n = (len + ICBMSG_V2_BLOCK_HEADER_SIZE + bs - 1) / bs;
	uint32_t i, mask;
	uint8_t *b;

	peer_collect();
	if (n == 0 || n > s.rl.block_count || len > 65535) {
		return;
	}
	mask = (n == 32 ? 0u : 1u << n) - 1u;
	for (i = 0; i + n <= s.rl.block_count && (s.p_used & (mask << i)) != 0; i++) {
	}
	if (i + n > s.rl.block_count || s.p_count - get32(s.rx + s.rl.cons_offset) >= s.rl.slots) {
		return;
	}
	/* Records whose blocks this rewrites are no longer what was sent. */
	for (unsigned k = 0; k < s.n_sent; k++) {
		struct sent *m = &s.sent[k];

		if (m->first < i + n && i < m->first + m->n) {
			m->intact = false;
		}
	}
	b = p_block(i);
	b[0] = (uint8_t)len;
	b[1] = (uint8_t)(len >> 8);
	b[2] = (uint8_t)(malform == 1 ? i + 1 : i);
	b[3] = ept;
	if (malform == 2) {
		b[0] = b[1] = 0xFF; /* size past the area */
	}
	if (ctl != NULL) {
		memcpy(b + ICBMSG_V2_BLOCK_HEADER_SIZE, ctl, len);
	} else {
		for (uint32_t k = 0; k < len; k++) {
			b[ICBMSG_V2_BLOCK_HEADER_SIZE + k] = pay(s.seq, k);
		}
		if (malform == 0 && s.n_sent < SENT_MAX) {
			s.sent[s.n_sent++] = (struct sent){i, n, len, s.seq, true};
		}
		s.seq++;
	}
	s.p_used |= mask << i;
	s.p_first_n[i] = n;
	p_prod()[ICBMSG_V2_Q_SLOTS_OFFSET + s.p_count % s.rl.slots] =
		(uint8_t)(i | (hi ? ICBMSG_V2_SLOT_HI_PRIO : 0u));
	if (hi) {
		put32(p_prod() + ICBMSG_V2_Q_HI_COUNT_OFFSET, ++s.p_hi);
	}
	put32(p_prod(), ++s.p_count);
}

/* Consume every message of our TX producer queue (an honest receiver). */
static void peer_consume(void)
{
	const uint8_t *pq = s.tx + s.tl.base_offset;
	uint8_t *cq = s.tx + s.tl.cons_offset;
	uint32_t count = get32(pq);

	if (count - s.p_cons > s.tl.slots) {
		return;
	}
	while (s.p_cons != count) {
		cq[ICBMSG_V2_Q_SLOTS_OFFSET + s.p_cons % s.tl.slots] =
			pq[ICBMSG_V2_Q_SLOTS_OFFSET + s.p_cons % s.tl.slots] & 0x7Fu;
		put32(cq, ++s.p_cons);
	}
}

static void ring(void)
{
	fuzz_port_deliver(CH_RX);
}

/* ------------------------------------------------------------- our side */

static int setup(struct fuzz_in *in)
{
	uint32_t a = dcaches[fuzz_u8(in) & 3u];
	uint32_t ntx = 1u + fuzz_u8(in) % 32u, nrx = 1u + fuzz_u8(in) % 32u;
	uint32_t slots = (fuzz_u8(in) & 1u) ? 32u : 16u;
	uint32_t tsz = 64u + (fuzz_u16(in) % 4096u) * 4u, rsz = 64u + (fuzz_u16(in) % 4096u) * 4u;

	if (icbmsg_v2_layout_compute(0x20000000u, tsz, a, ntx, slots, &s.tl) < 0 ||
	    icbmsg_v2_layout_compute(0x20010000u, rsz, a, nrx, slots, &s.rl) < 0) {
		return -1;
	}
	s.tx = calloc(1, tsz);
	s.rx = calloc(1, rsz);
	if (s.tx == NULL || s.rx == NULL) {
		free(s.tx);
		free(s.rx);
		return -1;
	}
	fuzz_port_region(s.tx, tsz);
	fuzz_port_region(s.rx, rsz);
	s.conf = (struct icbmsg_v2_config){
		.mbox_tx = {.dev = &fuzz_mbox_dev, .channel_id = CH_TX},
		.mbox_rx = {.dev = &fuzz_mbox_dev, .channel_id = CH_RX},
		.tx = {.ptr = s.tx, .addr = 0x20000000u, .size = tsz, .blocks = ntx},
		.rx = {.ptr = s.rx, .addr = 0x20010000u, .size = rsz, .blocks = nrx},
		.dcache_alignment = a,
		.max_active_count = slots,
		.num_ept = N_EPT,
		.deinit = true,
	};
	s.data.ept = s.ept;
	s.dev = (struct device){.name = "ipc1", .config = &s.conf, .api = &ipc_icbmsg_v2_backend,
				.data = &s.data};
	for (unsigned i = 0; i < N_EPT; i++) {
		struct ep *e = &s.eps[i];

		snprintf(e->name, sizeof(e->name), "e%u", i);
		e->cfg = (struct ipc_ept_cfg){
			.name = e->name,
			.prio = (int)(i & 1u),
			.cb = {.received = on_received, .error = on_error},
			.priv = e,
		};
	}
	return 0;
}

static void run_ops(struct fuzz_in *in)
{
	for (unsigned op = 0; op < MAX_OPS && !fuzz_in_done(in); op++) {
		uint8_t c = fuzz_u8(in), x = fuzz_u8(in);
		struct ep *e = &s.eps[x % N_EPT];
		uint8_t pkt[16];
		int rc;

		switch (c % 16u) {
		case 0: /* bound packet, right or wrong counts */
			put32(pkt, ICBMSG_V2_BOUND_MAGIC1);
			put32(pkt + 4, ICBMSG_V2_BOUND_MAGIC2);
			put32(pkt + 8, (x & 1u) ? fuzz_u8(in) : s.rl.block_count);
			put32(pkt + 12, (x & 2u) ? fuzz_u8(in) : s.tl.block_count);
			peer_send(ICBMSG_V2_EPT_CONTROL, 16, true, pkt, 0);
			break;
		case 1: /* EP_BOUND for one of our names, or any hash */
			pkt[0] = ICBMSG_V2_EP_BOUND;
			pkt[1] = fuzz_u8(in);
			put32(pkt + 2, (x & 0x80u) ? fuzz_u32(in) : icbmsg_v2_name_hash(e->name));
			peer_send(ICBMSG_V2_EPT_CONTROL, 6, true, pkt, 0);
			break;
		case 2: /* EP_UNBOUND, or a short / unknown control packet */
			pkt[0] = (x & 0x40u) ? fuzz_u8(in) : ICBMSG_V2_EP_UNBOUND;
			pkt[1] = fuzz_u8(in);
			put32(pkt + 2, 0);
			peer_send(ICBMSG_V2_EPT_CONTROL, (x & 0x20u) ? x % 6u : 6u, true, pkt, 0);
			break;
		case 3:
		case 4: /* data: any endpoint byte, priority, size */
			peer_send((x & 0x10u) ? fuzz_u8(in) : x % N_EPT, fuzz_u16(in) % 2048u,
				  (x & 0x08u) != 0, NULL, 0);
			break;
		case 5: /* malformed data: header index or size wrong */
			peer_send(x % N_EPT, fuzz_u8(in), false, NULL, 1 + (x & 1u));
			break;
		case 6: { /* a word of any queue: counts, hi_count */
			uint8_t *q[4] = {p_prod(), s.tx + s.tl.cons_offset, s.rx + s.rl.cons_offset,
					 s.tx + s.tl.base_offset};
			uint32_t v = fuzz_u32(in);

			put32(q[x & 3u] + ((x & 4u) ? ICBMSG_V2_Q_HI_COUNT_OFFSET : 0u), v);
			if ((x & 3u) == 0) {
				s.raw_prod = true;
				s.p_count = (x & 4u) ? s.p_count : v;
				s.p_hi = (x & 4u) ? v : s.p_hi;
			}
			break;
		}
		case 7: { /* a slot byte of a queue the peer writes */
			uint8_t *q = (x & 1u) ? p_prod() : s.tx + s.tl.cons_offset;

			s.raw_prod = s.raw_prod || (x & 1u) != 0;
			q[ICBMSG_V2_Q_SLOTS_OFFSET + fuzz_u8(in) % s.rl.slots] = fuzz_u8(in);
			break;
		}
		case 8:
			ring();
			break;
		case 9:
			peer_consume();
			break;
		case 10:
			rc = ipc_service_register_endpoint(&s.dev, &e->ept, &e->cfg);
			check_rc("register", rc);
			e->registered = e->registered || rc == 0;
			break;
		case 11:
			if (e->registered) {
				check_rc("deregister", ipc_service_deregister_endpoint(&e->ept));
			}
			break;
		case 12: {
			uint8_t buf[256];

			memset(buf, x, sizeof(buf));
			if (e->registered) {
				check_rc("send", ipc_service_send(&e->ept, buf, fuzz_u8(in)));
			}
			break;
		}
		case 13:
			if (e->registered) {
				void *p = NULL;
				uint32_t len = (x & 1u) ? 0u : fuzz_u8(in);

				rc = ipc_service_get_tx_buffer(&e->ept, &p, &len, K_NO_WAIT);
				check_rc("get_tx_buffer", rc);
				if (rc == 0) {
					memset(p, 0x5A, len < 16 ? len : 16);
					rc = (x & 2u) ? ipc_service_drop_tx_buffer(&e->ept, p)
						      : ipc_service_send_nocopy(&e->ept, p, len < 16 ? len : 16);
					check_rc("send_nocopy/drop", rc);
					if (rc < 0 && (x & 2u) == 0) {
						check_rc("drop", ipc_service_drop_tx_buffer(&e->ept, p));
					}
				}
			}
			break;
		case 14:
			s.hold_next = (x & 1u) != 0;
			break;
		case 15:
			if (s.n_held > 0) {
				unsigned k = x % s.n_held;

				check_rc("release", ipc_service_release_rx_buffer(s.held_ept[k], s.held[k]));
				s.held[k] = s.held[--s.n_held];
				s.held_ept[k] = s.held_ept[s.n_held];
			}
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	int rc;

	fuzz_port_reset();
	memset(&s, 0, sizeof s);
	if (setup(&in) != 0) {
		return 0;
	}
	rc = icbmsg_v2_init(&s.dev);
	if (rc != 0) {
		fail("init", rc);
	}
	rc = ipc_service_open_instance(&s.dev);
	if (rc == 0) {
		run_ops(&in);
	} else if (rc != -ENOMEM && rc != -EINVAL) {
		fail("open: unexpected code", rc);
	}
	icbmsg_v2_deinit(&s.dev);
	fuzz_port_check_released();
	free(s.tx);
	free(s.rx);
	return 0;
}
