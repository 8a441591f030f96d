/*
 * test_inspect.c - the decoders of `ipc-emu inspect` (emu/inspect.c):
 * rings written by the real pbuf code decode to exactly what was written
 * (wrap-around included), every corrupt index or header is a described
 * problem and never an access outside the image, ICBMsg control messages
 * map to the right blocks, and random images never crash the decoders.
 *
 * Images are malloc'ed to their exact size, so ASan/valgrind catch any read
 * past the end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "inspect.h"
#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/pbuf.h"
#include "support/vg_cases.h"

#define BASE 0x20000000u

/* Exactly len bytes (64-aligned when len is a multiple of 64, so that any
 * dcache-alignment layout is valid), zeroed. */
static uint8_t *image(size_t len)
{
	uint8_t *p = len % 64 == 0 ? aligned_alloc(64, len) : malloc(len);

	cr_assert_not_null(p);
	memset(p, 0, len);
	return p;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A writer on the ring at img[0..size) built with the project's own code. */
struct writer {
	struct pbuf_cfg cfg;
	struct pbuf pb;
};

static void writer_init(struct writer *w, uint8_t *mem, uint32_t size, uint32_t align, bool hs)
{
	struct pbuf init = {.cfg = &w->cfg};

	w->cfg = (struct pbuf_cfg)PBUF_CFG_INIT(mem, size, align, hs);
	memcpy(&w->pb, &init, sizeof(init));
	cr_assert_eq(pbuf_tx_init(&w->pb), 0);
}

VgTest(inspect_ring, decodes_what_pbuf_wrote)
{
	uint8_t *img = image(256);
	struct emu_insp_image im = {.img = img, .base = BASE, .len = 256};
	struct emu_insp_ring r;
	struct writer w;
	char msg[100];

	for (unsigned i = 0; i < sizeof(msg); i++) {
		msg[i] = (char)i;
	}
	writer_init(&w, img, 256, 0, false);
	cr_assert_eq(pbuf_write(&w.pb, msg, 5), 5);
	cr_assert_eq(pbuf_write(&w.pb, msg, 100), 100);
	cr_assert_eq(emu_insp_ring(&im, BASE, 256, 0, false, &r), 0);
	cr_assert(r.ok, "%s", r.problem);
	cr_assert_eq(r.wr_off, 4);
	cr_assert_eq(r.data_off, 8);
	cr_assert_eq(r.data_len, 248);
	cr_assert_eq(r.rd, 0);
	cr_assert_eq(r.wr, 12 + 104);
	cr_assert_eq(r.occupied, 116);
	cr_assert_eq(r.total, 2);
	cr_assert_eq(r.n_packets, 2);
	cr_assert_eq(r.pkt[0].offset, 0);
	cr_assert_eq(r.pkt[0].len, 5);
	cr_assert_eq(r.pkt[1].offset, 12);
	cr_assert_eq(r.pkt[1].len, 100);
	cr_assert_eq(r.pkt[1].head_len, EMU_INSP_HEAD_MAX);
	cr_assert_arr_eq(r.pkt[1].head, msg, EMU_INSP_HEAD_MAX);
	cr_assert_not(r.magic_at_0);
	free(img);
}

VgTest(inspect_ring, wrap_around_payload)
{
	uint8_t *img = image(64);
	struct emu_insp_image im = {.img = img, .base = BASE, .len = 64};
	struct emu_insp_ring r;
	struct writer w;
	const char a[20] = "abcdefghijklmnopqrs", b[20] = "ABCDEFGHIJKLMNOPQRS";
	struct pbuf rx;

	/* blen 56: two 20-byte packets (24 bytes each), consume one, the third
	 * wraps (header at 48, payload 52..55 + 0..15). */
	writer_init(&w, img, 64, 0, false);
	cr_assert_eq(pbuf_write(&w.pb, a, 20), 20);
	cr_assert_eq(pbuf_write(&w.pb, a, 20), 20);
	{
		struct pbuf init = {.cfg = &w.cfg};
		char buf[20];

		memcpy(&rx, &init, sizeof(init));
		cr_assert_eq(pbuf_rx_init(&rx), 0);
		cr_assert_eq(pbuf_read(&rx, buf, sizeof(buf)), 20);
		cr_assert_eq(pbuf_read(&rx, buf, sizeof(buf)), 20);
	}
	cr_assert_eq(pbuf_write(&w.pb, b, 20), 20);
	cr_assert_eq(emu_insp_ring(&im, BASE, 64, 0, false, &r), 0);
	cr_assert(r.ok, "%s", r.problem);
	cr_assert_eq(r.rd, 48);
	cr_assert_eq(r.wr, 16);
	cr_assert_eq(r.occupied, 24);
	cr_assert_eq(r.total, 1);
	cr_assert_eq(r.pkt[0].offset, 48);
	cr_assert_eq(r.pkt[0].len, 20);
	cr_assert_arr_eq(r.pkt[0].head, b, 20);
	free(img);
}

VgTest(inspect_ring, handshake_layout_and_magic)
{
	uint8_t *img = image(0x100);
	struct emu_insp_image im = {.img = img, .base = BASE, .len = 0x100};
	struct emu_insp_ring r;
	struct writer w;

	writer_init(&w, img, 0x100, 32, true);
	cr_assert_eq(pbuf_write(&w.pb, (const char *)icmsg_magic, ICMSG_MAGIC_LEN), ICMSG_MAGIC_LEN);
	put_le32(img + 4, 0x00070009);
	cr_assert_eq(emu_insp_ring(&im, BASE, 0x100, 32, true, &r), 0);
	cr_assert(r.ok);
	cr_assert(r.has_handshake);
	cr_assert_eq(r.handshake, 0x00070009);
	cr_assert_eq(r.wr_off, 32);
	cr_assert_eq(r.data_off, 36);
	cr_assert_eq(r.wr, 20);
	cr_assert(r.magic_at_0);
	/* dcache 4 with a handshake is not a valid pbuf (wr must be at 4). */
	cr_assert_eq(emu_insp_ring(&im, BASE, 0x100, 4, true, &r), -EINVAL);
	/* Too small, unaligned size, outside the image. */
	cr_assert_eq(emu_insp_ring(&im, BASE, 16, 0, false, &r), -EINVAL);
	cr_assert_eq(emu_insp_ring(&im, BASE, 0x42, 0, false, &r), -EINVAL);
	cr_assert_eq(emu_insp_ring(&im, BASE + 0x80, 0x100, 0, false, &r), -ERANGE);
	cr_assert_eq(emu_insp_ring(&im, BASE - 4, 0x40, 0, false, &r), -ERANGE);
	cr_assert_eq(emu_insp_ring(&im, UINT64_MAX - 8, 0x40, 0, false, &r), -ERANGE);
	free(img);
}

struct bad_case {
	uint32_t rd, wr, hdr; /* hdr: big-endian length word at data[rd], or ~0 to keep */
	const char *needle;
};

VgTest(inspect_ring, corrupt_words_are_problems)
{
	static const struct bad_case cases[] = {
		{0x3, 0x10, ~0u, "rd_idx 0x3 is not a multiple of 4"},
		{0xf8, 0x10, ~0u, "rd_idx 0xf8 is not below"},
		{0x0, 0x11, ~0u, "wr_idx 0x11 is not a multiple of 4"},
		{0x0, 0x1000, ~0u, "wr_idx 0x1000 is not below"},
		{0x0, 0x10, 0x0000, "claims 0 bytes"},
		{0x0, 0x10, 0x000d, "claims 13 bytes, 12 are left"},
		{0x0, 0x10, 0xffff, "claims 65535 bytes"},
		{0xf0, 0x10, 0x0005, "claims 5 bytes"}, /* header fine: next at 0xf0+12 wraps to 4 */
	};

	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint8_t *img = image(256);
		struct emu_insp_image im = {.img = img, .base = BASE, .len = 256};
		struct emu_insp_ring r;
		const struct bad_case *c = &cases[k];

		put_le32(img, c->rd);
		put_le32(img + 4, c->wr);
		if (c->hdr != ~0u && c->rd < 248) {
			img[8 + c->rd] = (uint8_t)(c->hdr >> 8);
			img[8 + c->rd + 1] = (uint8_t)c->hdr;
		}
		cr_assert_eq(emu_insp_ring(&im, BASE, 256, 0, false, &r), 0, "case %u", k);
		cr_assert_not(r.ok, "case %u", k);
		if (k == 7) {
			/* The first packet is fine; the next header at 4 is zero. */
			cr_assert_eq(r.total, 1);
			cr_assert_str_eq(r.problem, "packet at data+0x4 claims 0 bytes, 8 are left "
						    "before wr_idx");
		} else {
			cr_assert(strstr(r.problem, c->needle) != NULL, "case %u: %s", k, r.problem);
		}
		free(img);
	}
}

VgTest(inspect_ring, random_images_stay_inside)
{
	uint64_t s = 0x12345678;

	for (unsigned k = 0; k < 20000; k++) {
		uint32_t size = 20 + 4 * (uint32_t)(k % 40);
		uint8_t *img = image(size);
		struct emu_insp_image im = {.img = img, .base = BASE, .len = size};
		struct emu_insp_ring r;

		for (uint32_t i = 0; i < size; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			img[i] = (uint8_t)(s >> 56);
		}
		/* Plausible indices half the time, so that packet walks happen. */
		if (k & 1) {
			put_le32(img, (uint32_t)(s >> 8) % (size - 8) & ~3u);
			put_le32(img + 4, (uint32_t)(s >> 24) % (size - 8) & ~3u);
		}
		cr_assert_eq(emu_insp_ring(&im, BASE, size, 0, false, &r), 0);
		cr_assert_leq(r.n_packets, EMU_INSP_MAX_PACKETS);
		if (r.ok) {
			cr_assert_leq(r.occupied, r.data_len);
		}
		free(img);
	}
}

/* ------------------------------------------------------------ ICBMsg -- */

/* An instance of two 0x800-byte regions, 4 and 6 blocks, no cache. */
static struct emu_dt_inst icb_inst(void)
{
	struct emu_dt_inst in;

	memset(&in, 0, sizeof(in));
	strcpy(in.node, "/ipc/icb");
	strcpy(in.label, "icb");
	in.backend = EMU_BACKEND_ICBMSG;
	in.tx = (struct emu_dt_region){.node = "tx", .addr = BASE, .size = 0x800};
	in.rx = (struct emu_dt_region){.node = "rx", .addr = BASE + 0x800, .size = 0x800};
	in.tx_blocks = 4;
	in.rx_blocks = 6;
	return in;
}

static void control(struct writer *w, uint8_t type, uint8_t ept, uint8_t block)
{
	const char m[3] = {(char)type, (char)ept, (char)block};

	cr_assert_eq(pbuf_write(&w->pb, m, 3), 3);
}

VgTest(inspect_icbmsg, blocks_and_endpoints)
{
	uint8_t *img = image(0x1000);
	struct emu_insp_image im = {.img = img, .base = BASE, .len = 0x1000};
	struct emu_dt_inst in = icb_inst();
	struct icbmsg_layout tl, rl;
	struct writer tw, rw;
	struct emu_insp_icbmsg *o = malloc(sizeof(*o));
	char err[200] = "";
	uint8_t *tb, *rb;

	cr_assert_not_null(o);
	cr_assert_eq(icbmsg_layout_compute(in.tx.addr, in.tx.size, 0, 4, 6, &tl), 0);
	cr_assert_eq(icbmsg_layout_compute(in.rx.addr, in.rx.size, 0, 6, 4, &rl), 0);
	writer_init(&tw, img + tl.icmsg_offset, tl.icmsg_size, tl.align, false);
	writer_init(&rw, img + 0x800 + rl.icmsg_offset, rl.icmsg_size, rl.align, false);
	tb = img + tl.blocks_offset;
	rb = img + 0x800 + rl.blocks_offset;
	/* Our TX: magic, DATA to ept 2 in blocks 1-2, RELEASE_DATA of rx block 4. */
	cr_assert_eq(pbuf_write(&tw.pb, (const char *)icmsg_magic, ICMSG_MAGIC_LEN), 13);
	control(&tw, ICBMSG_MSG_DATA, 2, 1);
	control(&tw, ICBMSG_MSG_RELEASE_DATA, 0, 4);
	put_le32(tb + 1 * tl.block_size, tl.block_size + 10); /* spans 2 blocks */
	/* Peer's TX: MSG_BOUND "alpha" in its block 0, DATA to ept 2 in block 3. */
	control(&rw, ICBMSG_MSG_BOUND, 2, 0);
	control(&rw, ICBMSG_MSG_DATA, 2, 3);
	put_le32(rb, 6);
	memcpy(rb + 4, "alpha", 6);
	put_le32(rb + 3 * rl.block_size, 16);
	/* A stale name in our block 3. */
	put_le32(tb + 3 * tl.block_size, 5);
	memcpy(tb + 3 * tl.block_size + 4, "beta", 5);

	cr_assert_eq(emu_insp_icbmsg(&im, &in, o, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(o->n_problems, 0, "%s", o->problem[0]);
	cr_assert(o->initiator == (rl.blocks_offset + 0x800 < tl.blocks_offset));
	cr_assert_eq(o->r[0].block_count, 4);
	cr_assert_eq(o->r[0].block_size, tl.block_size);
	cr_assert_eq(o->r[0].ring.total, 3);
	cr_assert_eq(o->r[0].block[1].state, EMU_INSP_BLOCK_DATA);
	cr_assert_eq(o->r[0].block[1].span, 2);
	cr_assert_eq(o->r[0].block[2].state, EMU_INSP_BLOCK_CONT);
	cr_assert_eq(o->r[0].block[2].first, 1);
	cr_assert_eq(o->r[0].block[0].state, EMU_INSP_BLOCK_UNREFERENCED);
	cr_assert_eq(o->r[1].block[4].state, EMU_INSP_BLOCK_RELEASING);
	cr_assert_eq(o->r[1].block[0].state, EMU_INSP_BLOCK_BOUND);
	cr_assert_eq(o->r[1].block[3].state, EMU_INSP_BLOCK_DATA);
	cr_assert_eq(o->n_ept, 2);
	cr_assert_eq(o->ept[0].addr, 2);
	cr_assert_str_eq(o->ept[0].name, "alpha");
	cr_assert(o->ept[0].pending_bound);
	cr_assert_eq(o->ept[0].data_pending, 2); /* one in each direction */
	cr_assert_eq(o->ept[1].addr, -1);
	cr_assert_str_eq(o->ept[1].name, "beta");
	cr_assert_eq(o->ept[1].region, 0);
	cr_assert_eq(o->ept[1].block, 3);
	free(o);
	free(img);
}

VgTest(inspect_icbmsg, hostile_control_messages)
{
	uint8_t *img = image(0x1000);
	struct emu_insp_image im = {.img = img, .base = BASE, .len = 0x1000};
	struct emu_dt_inst in = icb_inst();
	struct icbmsg_layout tl;
	struct writer tw;
	struct emu_insp_icbmsg *o = malloc(sizeof(*o));
	char err[200] = "";
	const char two[2] = {0, 0};

	cr_assert_not_null(o);
	cr_assert_eq(icbmsg_layout_compute(in.tx.addr, in.tx.size, 0, 4, 6, &tl), 0);
	writer_init(&tw, img + tl.icmsg_offset, tl.icmsg_size, tl.align, false);
	control(&tw, ICBMSG_MSG_DATA, 0, 200);         /* block out of range */
	control(&tw, ICBMSG_MSG_DATA, 0, 0);           /* size runs past the area */
	put_le32(img + tl.blocks_offset, 0xfffffff0u);
	control(&tw, 9, 0, 0);                         /* unknown type */
	cr_assert_eq(pbuf_write(&tw.pb, two, 2), 2);   /* too short */
	cr_assert_eq(emu_insp_icbmsg(&im, &in, o, err, sizeof(err)), 0);
	cr_assert_eq(o->n_problems, 4);
	cr_assert_str_eq(o->problem[0], "tx-region: control message names block 200 of 4");
	cr_assert_str_eq(o->problem[1],
			 "tx-region: block 0: buffer size 4294967280 runs past the blocks area");
	cr_assert(strstr(o->problem[2], "unknown type 9") != NULL, "%s", o->problem[2]);
	cr_assert(strstr(o->problem[3], "has 2 bytes (3 needed)") != NULL, "%s", o->problem[3]);
	/* A region outside the image, and one too small for its blocks. */
	in.rx.addr = BASE + 0x1000;
	cr_assert_eq(emu_insp_icbmsg(&im, &in, o, err, sizeof(err)), -ERANGE);
	cr_assert(strstr(err, "/ipc/icb: rx-region") != NULL, "%s", err);
	in = icb_inst();
	in.tx_blocks = 256;
	in.tx.size = 0x100;
	cr_assert_eq(emu_insp_icbmsg(&im, &in, o, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "no valid ICBMsg block layout") != NULL, "%s", err);
	free(o);
	free(img);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(inspect, 600)
