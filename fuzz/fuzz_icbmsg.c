/*
 * fuzz_icbmsg.c - one classic ICBMsg instance against a hostile peer.
 *
 * Our tx-region and rx-region (control ring + blocks each) are separate
 * allocations of exactly their size.  The peer, played by the input, writes
 * control messages into our RX control ring with the real pbuf code
 * (MSG_DATA / RELEASE_DATA / BOUND / RELEASE_BOUND with any endpoint address
 * and block index, or any other type and length), block headers with any
 * size, endpoint names with or without their NUL, raw bytes and words
 * anywhere in both regions, bonds the control channel with the magic, drains
 * our TX control ring (optionally answering each message as a correct peer
 * would), and rings our doorbell.  Our side registers, deregisters and
 * re-registers endpoints, sends by copy and without copy, holds and releases
 * received buffers.
 *
 * Checks beyond the sanitizers: a received buffer lies inside our RX blocks
 * area, return codes are the documented ones, and every port object is
 * released at the end.
 *
 *   input: | cfg | dcache | tx blocks | rx blocks | tx size | rx size | op ... |
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_service.h"

#include "fuzz_input.h"
#include "fuzz_port.h"

#define CH_TX 2
#define CH_RX 3
#define WORK_ROUNDS 32
#define NUM_EPT_MAX 4
#define HELD_MAX 16
#define RX_BUF 128

static const uint32_t dcaches[4] = {0, 8, 32, 64};

struct ep {
	char name[8];
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	bool hold;
};

struct inst {
	uint8_t *tx, *rx;
	uint32_t tx_size, rx_size;
	struct icbmsg_layout tl, rl;
	struct pbuf_cfg tx_cfg, rx_cfg;
	struct pbuf *tx_pb, *rx_pb;
	struct icbmsg_config conf;
	struct icbmsg_data data;
	struct icbmsg_ept ept[NUM_EPT_MAX];
	uint8_t ept_map[NUM_EPT_MAX];
	uint16_t waiting_bound[NUM_EPT_MAX];
	uint8_t rx_buf[RX_BUF];
	struct device dev;
	struct ep eps[NUM_EPT_MAX + 1];
	struct {
		struct ipc_ept *ept;
		void *data;
	} held[HELD_MAX];
	unsigned n_held;
};

static struct inst s;

static _Noreturn void fail(const char *what, long v)
{
	fprintf(stderr, "fuzz_icbmsg: %s (%ld)\n", what, v);
	abort();
}

/* Values of src/icbmsg.c's private enums that the bound() check needs. */
#define EPT_READY 3
#define EPT_NORMAL 0

/* bound() promises a usable endpoint: bound (READY) and registered now. */
static void on_bound(void *priv)
{
	struct ep *e = priv;

	for (unsigned i = 0; i < s.conf.num_ept; i++) {
		if (s.ept[i].cfg == &e->cfg) {
			if (atomic_load(&s.ept[i].state) != EPT_READY ||
			    atomic_load(&s.ept[i].rebound) != EPT_NORMAL) {
				fail("bound() for an endpoint that is not bound and registered",
				     (long)atomic_load(&s.ept[i].state) * 10 +
					     atomic_load(&s.ept[i].rebound));
			}
			return;
		}
	}
	fail("bound() for an unknown endpoint", 0);
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct ep *e = priv;
	const uint8_t *p = data;
	const uint8_t *lo = s.conf.rx.blocks_ptr + ICBMSG_BLOCK_HEADER_SIZE;
	const uint8_t *hi = s.conf.rx.blocks_ptr + (size_t)s.conf.rx.block_count * s.conf.rx.block_size;
	unsigned sum = 0;

	if (p < lo || p > hi || len > (size_t)(hi - p)) {
		fail("received: buffer outside the RX blocks", (long)len);
	}
	for (size_t i = 0; i < len; i++) {
		sum += p[i];
	}
	(void)sum;
	if (e->hold && s.n_held < HELD_MAX) {
		int rc = ipc_service_hold_rx_buffer(&e->ept, (void *)data);

		if (rc == 0) {
			s.held[s.n_held].ept = &e->ept;
			s.held[s.n_held].data = (void *)data;
			s.n_held++;
		} else if (rc != -EALREADY) {
			fail("hold: unexpected code", rc);
		}
	}
}

static void signal_us(void)
{
	fuzz_port_deliver(CH_RX);
	fuzz_port_run_work(WORK_ROUNDS);
}

/* Codes our side may return for a hostile peer or a full ring. */
static void check_rc(const char *what, int rc)
{
	if (rc >= 0 || rc == -EBUSY || rc == -ENOMEM || rc == -EINVAL || rc == -ENOENT ||
	    rc == -EAGAIN || rc == -EALREADY || rc == -EBADMSG || rc == -EMSGSIZE ||
	    rc == -ENODATA || rc == -ENOBUFS) {
		return;
	}
	fail(what, rc);
}

static int setup(struct fuzz_in *in)
{
	uint8_t cfgb = fuzz_u8(in);
	uint32_t dcache = dcaches[fuzz_u8(in) & 3];
	uint32_t tb = 1u + fuzz_u8(in) % 32u, rb = 1u + fuzz_u8(in) % 32u;
	bool initiator = (cfgb & 1) != 0;
	/* The initiator's RX blocks lie below its TX blocks. */
	uint64_t tx_addr = initiator ? 0x20010000u : 0x20000000u;
	uint64_t rx_addr = initiator ? 0x20000000u : 0x20010000u;
	uint32_t n = 1u + (cfgb >> 1) % NUM_EPT_MAX;

	s.tx_size = 64u + 8u * (fuzz_u8(in) % 256u);
	s.rx_size = 64u + 8u * (fuzz_u8(in) % 256u);
	if (icbmsg_layout_compute(tx_addr, s.tx_size, dcache, tb, rb, &s.tl) != 0 ||
	    icbmsg_layout_compute(rx_addr, s.rx_size, dcache, rb, tb, &s.rl) != 0) {
		return -1;
	}
	if (posix_memalign((void **)&s.tx, 64, s.tx_size) != 0 ||
	    posix_memalign((void **)&s.rx, 64, s.rx_size) != 0) {
		fail("out of memory", 0);
	}
	memset(s.tx, 0, s.tx_size);
	memset(s.rx, 0, s.rx_size);
	fuzz_port_region(s.tx, s.tx_size);
	fuzz_port_region(s.rx, s.rx_size);
	s.tx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(s.tx + s.tl.icmsg_offset, s.tl.icmsg_size,
						  s.tl.align, false);
	s.rx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(s.rx + s.rl.icmsg_offset, s.rl.icmsg_size,
						  s.rl.align, false);
	s.conf.control_config = (struct icmsg_config_t){
		.mbox_tx = {.dev = &fuzz_mbox_dev, .channel_id = CH_TX},
		.mbox_rx = {.dev = &fuzz_mbox_dev, .channel_id = CH_RX},
		.unbound_mode = ICMSG_UNBOUND_MODE_DISABLE,
		.rx_in_isr = (cfgb & 0x80) != 0,
		.bond_notify_repeat_ms = 1,
		.shmem_access_to_ms = 1,
	};
	s.conf.tx = (struct icbmsg_channel){.blocks_ptr = s.tx + s.tl.blocks_offset,
					    .block_size = s.tl.block_size,
					    .block_count = s.tl.block_count};
	s.conf.rx = (struct icbmsg_channel){.blocks_ptr = s.rx + s.rl.blocks_offset,
					    .block_size = s.rl.block_size,
					    .block_count = s.rl.block_count};
	s.conf.num_ept = n;
	s.conf.is_initiator = initiator;
	s.data.ept = s.ept;
	s.data.ept_map = s.ept_map;
	s.data.waiting_bound = s.waiting_bound;
	s.tx_pb = malloc(sizeof *s.tx_pb);
	s.rx_pb = malloc(sizeof *s.rx_pb);
	memcpy(s.tx_pb, &(struct pbuf){.cfg = &s.tx_cfg}, sizeof *s.tx_pb);
	memcpy(s.rx_pb, &(struct pbuf){.cfg = &s.rx_cfg}, sizeof *s.rx_pb);
	s.data.control_data.tx_pb = s.tx_pb;
	s.data.control_data.rx_pb = s.rx_pb;
	s.data.control_data.rx_buf = s.rx_buf;
	s.data.control_data.rx_buf_size = RX_BUF;
	for (unsigned i = 0; i <= NUM_EPT_MAX; i++) {
		struct ep *e = &s.eps[i];

		snprintf(e->name, sizeof e->name, "ep%u", i);
		e->cfg = (struct ipc_ept_cfg){
			.name = e->name, .cb = {.bound = on_bound, .received = on_received}, .priv = e};
		e->hold = (cfgb >> (3 + i % 4)) & 1;
	}
	s.dev = (struct device){.name = "ipc1", .config = &s.conf, .api = &ipc_icbmsg_backend,
				.data = &s.data};
	return 0;
}

/* Bytes of the RX blocks area from block `index` on (0 if none). */
static uint32_t rx_room(uint32_t index)
{
	if (index >= s.conf.rx.block_count) {
		return 0;
	}
	return (s.conf.rx.block_count - index) * s.conf.rx.block_size;
}

static void peer_control(struct pbuf *peer_tx, uint8_t type, uint8_t addr, uint8_t index,
			 uint8_t extra)
{
	uint8_t msg[8] = {type, addr, index, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE};

	(void)pbuf_write(peer_tx, (const char *)msg, (uint16_t)(3u + extra % 6u));
}

/* The peer reads our control messages; with `answer` it frees what we sent
 * as a correct peer does. */
static void peer_drain(struct pbuf *peer_tx, struct pbuf *peer_rx, bool answer)
{
	uint8_t msg[64];

	for (int i = 0; i < 64; i++) {
		int len = pbuf_read(peer_rx, (char *)msg, sizeof msg);

		if (len <= 0) {
			break;
		}
		if (!answer || len < 3) {
			continue;
		}
		if (msg[0] == ICBMSG_MSG_DATA) {
			peer_control(peer_tx, ICBMSG_MSG_RELEASE_DATA, 0, msg[2], 0);
		} else if (msg[0] == ICBMSG_MSG_BOUND) {
			peer_control(peer_tx, ICBMSG_MSG_RELEASE_BOUND, msg[1], msg[2], 0);
		}
	}
}

static void run_ops(struct fuzz_in *in)
{
	struct pbuf peer_tx = {.cfg = &s.rx_cfg}, peer_rx = {.cfg = &s.tx_cfg};
	static uint8_t buf[2048];
	int rc;

	(void)pbuf_tx_init(&peer_tx);
	(void)pbuf_rx_init(&peer_rx);
	while (!fuzz_in_done(in)) {
		uint8_t op = fuzz_u8(in);
		struct ep *e = &s.eps[(op >> 4) % (s.conf.num_ept + 1)];

		switch (op % 16) {
		case 0: { /* peer pokes bytes */
			uint8_t *r = (op & 0x10) ? s.tx : s.rx;
			uint32_t rs = (op & 0x10) ? s.tx_size : s.rx_size;
			uint16_t off = fuzz_u16(in) % rs;
			uint8_t n = fuzz_u8(in);

			if (n > rs - off) {
				n = (uint8_t)(rs - off);
			}
			fuzz_bytes(in, r + off, n);
			break;
		}
		case 1: { /* peer pokes a word */
			uint8_t *r = (op & 0x10) ? s.tx : s.rx;
			uint32_t rs = (op & 0x10) ? s.tx_size : s.rx_size;
			uint32_t w = fuzz_u16(in) % (rs / 4), v = fuzz_u32(in);

			memcpy(r + 4 * w, &v, 4);
			break;
		}
		case 2:
			signal_us();
			break;
		case 3: /* peer bonds the control channel */
			(void)pbuf_tx_init(&peer_tx);
			(void)pbuf_rx_init(&peer_rx);
			(void)pbuf_write(&peer_tx, (const char *)icmsg_magic, ICMSG_MAGIC_LEN);
			signal_us();
			break;
		case 4: { /* peer control message, any content */
			uint8_t type = fuzz_u8(in), addr = fuzz_u8(in), index = fuzz_u8(in);

			peer_control(&peer_tx, (op & 0x10) ? type : type % 4u, addr, index,
				     (op & 0x20) ? fuzz_u8(in) : 0);
			signal_us();
			break;
		}
		case 5: { /* peer block header */
			uint8_t index = fuzz_u8(in);
			uint32_t v = (op & 0x10) ? fuzz_u32(in) : fuzz_u16(in);

			if (index < s.conf.rx.block_count) {
				memcpy(s.conf.rx.blocks_ptr + (size_t)index * s.conf.rx.block_size, &v, 4);
			}
			break;
		}
		case 6: { /* peer binding request: a name in a block, then MSG_BOUND */
			uint8_t index = fuzz_u8(in) % s.conf.rx.block_count, addr = fuzz_u8(in);
			uint8_t k = fuzz_u8(in);
			uint32_t room = rx_room(index) - ICBMSG_BLOCK_HEADER_SIZE;
			uint8_t *b = s.conf.rx.blocks_ptr + (size_t)index * s.conf.rx.block_size;
			char name[64];
			uint32_t len, hdr;

			if (op & 0x10) { /* raw bytes, no NUL guaranteed */
				len = k % sizeof name;
				fuzz_bytes(in, name, len);
			} else {
				len = (uint32_t)snprintf(name, sizeof name, "ep%u", k % 5u) + 1;
			}
			if (len > room) {
				len = room;
			}
			memcpy(b + ICBMSG_BLOCK_HEADER_SIZE, name, len);
			hdr = (op & 0x20) ? fuzz_u32(in) : len;
			memcpy(b, &hdr, 4);
			peer_control(&peer_tx, ICBMSG_MSG_BOUND, addr, index, 0);
			signal_us();
			break;
		}
		case 7: { /* peer data */
			uint8_t index = fuzz_u8(in) % s.conf.rx.block_count, addr = fuzz_u8(in);
			uint32_t len = fuzz_u16(in);
			uint32_t room = rx_room(index) - ICBMSG_BLOCK_HEADER_SIZE;
			uint8_t *b = s.conf.rx.blocks_ptr + (size_t)index * s.conf.rx.block_size;

			memcpy(b, &len, 4); /* the header may lie */
			fuzz_bytes(in, b + ICBMSG_BLOCK_HEADER_SIZE, len < room ? len % 64u : room % 64u);
			peer_control(&peer_tx, ICBMSG_MSG_DATA, addr, index, 0);
			signal_us();
			break;
		}
		case 8:
			peer_drain(&peer_tx, &peer_rx, (op & 0x10) != 0);
			if (op & 0x20) {
				signal_us();
			}
			break;
		case 9:
			rc = ipc_service_register_endpoint(&s.dev, &e->ept, &e->cfg);
			check_rc("register: unexpected code", rc);
			fuzz_port_run_work(WORK_ROUNDS);
			break;
		case 10: {
			uint16_t len = fuzz_u16(in) % sizeof buf;

			memset(buf, 0x33, len);
			rc = ipc_service_send(&e->ept, buf, len);
			check_rc("send: unexpected code", rc);
			if (rc >= 0 && rc != len) {
				fail("send: wrong length", rc);
			}
			break;
		}
		case 11: { /* no-copy send or drop */
			void *p = NULL;
			uint32_t sz = fuzz_u16(in);
			uint32_t want = sz;

			rc = ipc_service_get_tx_buffer(&e->ept, &p, &sz,
						       (op & 0x10) ? K_FOREVER : K_NO_WAIT);
			check_rc("get_tx_buffer: unexpected code", rc);
			if (rc != 0) {
				break;
			}
			if (sz < want || (uint8_t *)p < s.conf.tx.blocks_ptr ||
			    (uint8_t *)p + sz > s.conf.tx.blocks_ptr +
						    (size_t)s.conf.tx.block_count * s.conf.tx.block_size) {
				fail("get_tx_buffer: buffer outside the TX blocks", (long)sz);
			}
			memset(p, 0x44, sz);
			if (op & 0x20) {
				rc = ipc_service_drop_tx_buffer(&e->ept, p);
			} else {
				uint32_t len = fuzz_u16(in);

				rc = ipc_service_send_nocopy(&e->ept, p, len > sz ? len : len % (sz + 1));
			}
			check_rc("nocopy: unexpected code", rc);
			break;
		}
		case 12:
			rc = ipc_service_deregister_endpoint(&e->ept);
			check_rc("deregister: unexpected code", rc);
			break;
		case 13:
			fuzz_port_fire_timers();
			fuzz_port_run_work(WORK_ROUNDS);
			break;
		case 14: /* release what the callbacks held */
			for (unsigned i = 0; i < s.n_held; i++) {
				rc = ipc_service_release_rx_buffer(s.held[i].ept, s.held[i].data);
				check_rc("release_rx_buffer: unexpected code", rc);
			}
			s.n_held = 0;
			break;
		default:
			e->hold = !e->hold;
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
	rc = icbmsg_init(&s.conf, &s.data);
	if (rc != 0) {
		fail("init", rc);
	}
	rc = ipc_service_open_instance(&s.dev);
	if (rc == 0) {
		fuzz_port_run_work(WORK_ROUNDS);
		run_ops(&in);
	} else if (rc != -EINVAL && rc != -ENOMEM) {
		fail("open: unexpected code", rc);
	}
	icbmsg_deinit(&s.data);
	fuzz_port_check_released();
	free(s.tx_pb);
	free(s.rx_pb);
	free(s.tx);
	free(s.rx);
	return 0;
}
