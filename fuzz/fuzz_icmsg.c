/*
 * fuzz_icmsg.c - one ICMsg instance against a hostile peer.
 *
 * Our tx-region and rx-region are two separate allocations of exactly their
 * size.  The peer is played by the input: it may overwrite any byte or word
 * of either region (its own wr_idx and packets in our rx-region, its
 * handshake word and rd_idx in our tx-region, and our words too), act as a
 * well-behaved peer for a while (write well-formed packets or the magic with
 * the real pbuf code, acknowledge our session id, drain our TX ring), and
 * ring our RX doorbell.  Our side opens, sends, closes and reopens, and its
 * work items and timers run when the input says so.
 *
 * Checks beyond the sanitizers: callbacks get a message no larger than the
 * RX buffer and inside it; error strings are terminated; return codes are
 * the documented ones; every port object is released at the end.  In legacy
 * mode, while the peer has only used the well-behaved helpers (the "honest"
 * model below), bonding consumes exactly the packets up to the first magic
 * and then every packet that fits the RX buffer is delivered, intact and in
 * order.
 *
 *   input: | mode | dcache | tx size | rx size | rx buf | op ... |
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/icmsg.h"

#include "fuzz_input.h"
#include "fuzz_port.h"

#define CH_TX 0 /* we signal the peer */
#define CH_RX 1 /* the peer signals us */
#define WORK_ROUNDS 16

static const uint32_t dcaches[4] = {0, 8, 32, 64};

#define QMAX 256

/* Packets an honest legacy peer wrote and we have not consumed yet. */
struct honest {
	bool on;       /* legacy mode and the ring only touched by the helpers */
	unsigned head, count;
	uint16_t len[QMAX];
	uint32_t hash[QMAX];
	bool magic[QMAX];
};

struct inst {
	uint8_t *tx, *rx;
	uint32_t tx_size, rx_size;
	struct pbuf_cfg tx_cfg, rx_cfg;
	struct icmsg_config_t conf;
	struct icmsg_data_t data;
	uint8_t *rx_buf;
	unsigned bound, unbound, received, errors;
	struct honest h;
};

static _Noreturn void fail(const char *what, long v)
{
	fprintf(stderr, "fuzz_icmsg: %s (%ld)\n", what, v);
	abort();
}

static uint32_t hash(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h = (h ^ p[i]) * 16777619u;
	}
	return h;
}

static void honest_pop(struct honest *h)
{
	h->head = (h->head + 1) % QMAX;
	h->count--;
}

static void honest_push(struct inst *s, const uint8_t *p, uint16_t len)
{
	struct honest *h = &s->h;
	unsigned k = (h->head + h->count) % QMAX;

	if (!h->on) {
		return;
	}
	if (h->count == QMAX) {
		h->on = false; /* model full: stop checking */
		return;
	}
	h->len[k] = len;
	h->hash[k] = hash(p, len);
	/* What the legacy bonding step of process() in src/icmsg.c accepts (the
	 * magic at the start), and what fits to be read. */
	h->magic[k] = len >= ICMSG_MAGIC_LEN && len <= s->data.rx_buf_size &&
		      memcmp(p, icmsg_magic, ICMSG_MAGIC_LEN) == 0;
	h->count++;
}

static void on_bound(void *priv)
{
	struct inst *s = priv;

	s->bound++;
	if (s->h.on) {
		/* Legacy bonding read and dropped everything up to the magic. */
		while (s->h.count > 0 && !s->h.magic[s->h.head]) {
			honest_pop(&s->h);
		}
		if (s->h.count == 0) {
			fail("honest peer: bound without a magic packet", 0);
		}
		honest_pop(&s->h);
	}
}

static void on_unbound(void *priv)
{
	((struct inst *)priv)->unbound++;
}

static void on_received(const void *msg, size_t len, void *priv)
{
	struct inst *s = priv;
	const uint8_t *p = msg;
	unsigned sum = 0;

	if (len == 0 || len > s->data.rx_buf_size || p != s->rx_buf) {
		fail("received: message not inside the RX buffer", (long)len);
	}
	for (size_t i = 0; i < len; i++) {
		sum += p[i];
	}
	(void)sum;
	s->received++;
	if (s->h.on) {
		/* Packets too large for the RX buffer are dropped, not delivered. */
		while (s->h.count > 0 && s->h.len[s->h.head] > s->data.rx_buf_size) {
			honest_pop(&s->h);
		}
		if (s->h.count == 0 || s->h.len[s->h.head] != len ||
		    s->h.hash[s->h.head] != hash(p, len)) {
			fail("honest peer: delivered packet is not the next one written", (long)len);
		}
		honest_pop(&s->h);
	}
}

static void on_error(const char *message, void *priv)
{
	if (message == NULL || strlen(message) > 200) {
		fail("error: bad message", 0);
	}
	((struct inst *)priv)->errors++;
}

static const struct ipc_service_cb cbs = {
	.bound = on_bound, .unbound = on_unbound, .received = on_received, .error = on_error};

/* The peer empties the ring it writes (our RX ring): consistent with our
 * reader only if that had read everything, i.e. sits at 0 too. */
static void peer_reset(struct inst *s, struct pbuf *peer_tx)
{
	(void)pbuf_tx_init(peer_tx);
	if (s->data.rx_pb->data.rd_idx != 0) {
		s->h.on = false;
	}
	s->h.head = s->h.count = 0;
}

/* Our (re)open restarts reading at 0: consistent only with an empty ring
 * whose write index is 0; unread packets would then be none. */
static void our_reopen(struct inst *s)
{
	if (*s->rx_cfg.wr_idx_loc != 0 || s->data.rx_pb->data.rd_idx != 0 || s->h.count != 0) {
		s->h.on = false;
	}
}

static void signal_us(void)
{
	fuzz_port_deliver(CH_RX);
	fuzz_port_run_work(WORK_ROUNDS);
}

static void check_open_rc(int rc)
{
	/* -ENOMEM: legacy mode, a ring too small for the magic (the
	 * devicetree reader refuses such regions; icmsg.h does not list it). */
	if (rc != 0 && rc != -EINVAL && rc != -EALREADY && rc != -ENOMEM) {
		fail("open: unexpected code", rc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	static struct inst s;
	static uint8_t buf[1024];
	uint8_t mode = fuzz_u8(&in);
	uint8_t dc = fuzz_u8(&in);
	int rc;

	fuzz_port_reset();
	memset(&s, 0, sizeof s);
	s.tx_size = 16u + 4u * (fuzz_u8(&in) % 128u);
	s.rx_size = 16u + 4u * (fuzz_u8(&in) % 128u);
	s.data.rx_buf_size = 1u + fuzz_u8(&in);
	if (posix_memalign((void **)&s.tx, 64, s.tx_size) != 0 ||
	    posix_memalign((void **)&s.rx, 64, s.rx_size) != 0) {
		fail("out of memory", 0);
	}
	s.rx_buf = malloc((s.data.rx_buf_size + 3u) & ~3u);
	memset(s.tx, 0, s.tx_size);
	memset(s.rx, 0, s.rx_size);
	fuzz_port_region(s.tx, s.tx_size);
	fuzz_port_region(s.rx, s.rx_size);

	{
		uint32_t dcache = dcaches[dc & 3];
		/* Out-of-range modes are legal input: open must refuse them. */
		unsigned um = 1u + mode % 4u;
		bool handshake = um != ICMSG_UNBOUND_MODE_DISABLE;
		struct pbuf tx_pb_init = {.cfg = &s.tx_cfg}, rx_pb_init = {.cfg = &s.rx_cfg};
		/* The peer's view: it writes our rx-region, reads our tx-region. */
		struct pbuf peer_tx = {.cfg = &s.rx_cfg}, peer_rx = {.cfg = &s.tx_cfg};
		struct pbuf *tx_pb = &tx_pb_init, *rx_pb = &rx_pb_init;
		bool peer_ok;

		s.tx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(s.tx, s.tx_size, dcache, handshake);
		s.rx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(s.rx, s.rx_size, dcache, handshake);
		s.data.tx_pb = tx_pb;
		s.data.rx_pb = rx_pb;
		s.data.rx_buf = s.rx_buf;
		s.conf = (struct icmsg_config_t){
			.mbox_tx = {.dev = &fuzz_mbox_dev, .channel_id = CH_TX},
			.mbox_rx = {.dev = &fuzz_mbox_dev, .channel_id = CH_RX},
			.unbound_mode = (enum icmsg_unbound_mode)um,
			.rx_in_isr = (mode & 0x10) != 0,
			.bond_notify_repeat_ms = 1,
			.shmem_access_to_ms = 1,
		};
		rc = icmsg_init(&s.conf, &s.data);
		if (rc != 0) {
			fail("init", rc);
		}
		/* The peer's first image of its words, before we open. */
		fuzz_bytes(&in, s.tx, 8);
		fuzz_bytes(&in, s.rx, 8);
		rc = icmsg_open(&s.conf, &s.data, &cbs, &s);
		check_open_rc(rc);
		/* The peer's well-behaved helpers need valid cfgs (in enable mode
		 * our TX cfg is checked only when the peer's session is seen). */
		peer_ok = pbuf_rx_init(&peer_tx) == 0 && pbuf_rx_init(&peer_rx) == 0;
		if (peer_ok && (rc == 0 || (dc & 0x80))) {
			(void)pbuf_tx_init(&peer_tx);
		}
		/* Both ends of our RX ring now agree (indices 0, nothing read). */
		s.h.on = peer_ok && rc == 0 && um == ICMSG_UNBOUND_MODE_DISABLE;
		while (rc == 0 && !fuzz_in_done(&in)) {
			uint8_t op = fuzz_u8(&in);

			switch (op % 12) {
			case 0: { /* peer pokes bytes */
				uint8_t *r = (op & 0x10) ? s.tx : s.rx;
				uint32_t rs = (op & 0x10) ? s.tx_size : s.rx_size;
				uint16_t off = fuzz_u16(&in) % rs;
				uint8_t n = fuzz_u8(&in);

				if (n > rs - off) {
					n = (uint8_t)(rs - off);
				}
				fuzz_bytes(&in, r + off, n);
				s.h.on = false;
				break;
			}
			case 1: { /* peer pokes a word */
				uint8_t *r = (op & 0x10) ? s.tx : s.rx;
				uint32_t rs = (op & 0x10) ? s.tx_size : s.rx_size;
				uint32_t w = fuzz_u8(&in) % (rs / 4), v = fuzz_u32(&in);

				memcpy(r + 4 * w, &v, 4);
				s.h.on = false;
				break;
			}
			case 2: /* doorbell */
				signal_us();
				break;
			case 3: { /* peer sends a well-formed packet */
				uint16_t len = fuzz_u16(&in) % sizeof buf;

				fuzz_bytes(&in, buf, len);
				if (peer_ok && pbuf_write(&peer_tx, (const char *)buf, len) == len &&
				    len > 0) {
					honest_push(&s, buf, len);
				}
				if (op & 0x10) {
					signal_us();
				}
				break;
			}
			case 4: /* peer (re)starts legacy bonding: reset, magic, signal */
				if (peer_ok) {
					peer_reset(&s, &peer_tx);
					if (pbuf_write(&peer_tx, (const char *)icmsg_magic,
						       ICMSG_MAGIC_LEN) == ICMSG_MAGIC_LEN) {
						honest_push(&s, icmsg_magic, ICMSG_MAGIC_LEN);
					}
				}
				signal_us();
				break;
			case 5: { /* peer's session word in our tx-region */
				uint32_t v = fuzz_u32(&in);

				if (op & 0x10) {
					/* Acknowledge what we published (our rx-region word). */
					uint32_t ours;

					memcpy(&ours, s.rx + 4, 4);
					v = (v & 0xFFFFu) | (ours & 0xFFFFu) << 16;
				}
				if (s.tx_cfg.handshake_loc != NULL) {
					*s.tx_cfg.handshake_loc = v;
				}
				if (op & 0x20) {
					signal_us();
				}
				break;
			}
			case 6: /* peer reboots its rings */
				if (peer_ok) {
					peer_reset(&s, &peer_tx);
					(void)pbuf_rx_init(&peer_rx);
				}
				break;
			case 7: /* peer drains our TX ring */
				for (int i = 0; peer_ok && i < 64; i++) {
					if (pbuf_read(&peer_rx, (char *)buf, sizeof buf) <= 0) {
						break;
					}
				}
				break;
			case 8: { /* we send */
				uint16_t len = fuzz_u16(&in) % 600u;

				memset(buf, 0x5a, len);
				rc = icmsg_send(&s.conf, &s.data, buf, len);
				if (rc < 0 && rc != -EBUSY && rc != -ENODATA && rc != -EMSGSIZE &&
				    rc != -ENOMEM && rc != -EINVAL && rc != -EBADMSG) {
					fail("send: unexpected code", rc);
				}
				if (rc >= 0 && rc != len) {
					fail("send: wrong length", rc);
				}
				rc = 0;
				break;
			}
			case 9: /* timers */
				fuzz_port_fire_timers();
				fuzz_port_run_work(WORK_ROUNDS);
				break;
			case 10: /* we close, then maybe reopen */
				rc = icmsg_close(&s.conf, &s.data);
				if (rc != 0 && rc != -EALREADY) {
					fail("close: unexpected code", rc);
				}
				fuzz_port_run_work(WORK_ROUNDS);
				rc = 0;
				if (op & 0x10) {
					break;
				}
				/* fall through */
			default:
				our_reopen(&s);
				rc = icmsg_open(&s.conf, &s.data, &cbs, &s);
				check_open_rc(rc);
				fuzz_port_run_work(WORK_ROUNDS);
				rc = 0;
				break;
			}
		}
		if (icmsg_state(&s.data) != ICMSG_STATE_OFF) {
			(void)icmsg_close(&s.conf, &s.data);
		}
		fuzz_port_run_work(WORK_ROUNDS);
		icmsg_deinit(&s.data);
		fuzz_port_check_released();
	}
	free(s.rx_buf);
	free(s.tx);
	free(s.rx);
	return 0;
}
