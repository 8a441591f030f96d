/*
 * inspect.h - decode a memory image (a copy of a live segment's -mem
 * object, or a RAM dump of the same address range) and a control block
 * (`ipc-emu inspect`).
 *
 * Every byte of the image is untrusted: the decoders read each word once,
 * check it against the layout before using it as an index, and describe
 * what is wrong in `problem` instead of failing.  Layouts come from the
 * project's own code: PBUF_CFG_INIT (include/ipc_emu/pbuf.h) for rings,
 * icbmsg_layout_compute() for ICBMsg regions.
 */
#ifndef IPC_EMU_EMU_INSPECT_H
#define IPC_EMU_EMU_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/emu.h"

#define EMU_INSP_MAX_PACKETS 64 /* pending packets decoded per ring */
#define EMU_INSP_HEAD_MAX 64    /* bytes kept of each packet / block */
#define EMU_INSP_PROBLEM_LEN 200

/* A memory image: img[0] is target address base. */
struct emu_insp_image {
	const uint8_t *img;
	uint64_t base;
	uint64_t len;
};

struct emu_insp_packet {
	uint32_t offset;  /* of its 4-byte header in data[] */
	uint32_t len;     /* payload bytes */
	uint32_t head_len;/* bytes in head (min(len, EMU_INSP_HEAD_MAX)) */
	uint8_t head[EMU_INSP_HEAD_MAX];
};

/* One pbuf ring. */
struct emu_insp_ring {
	uint64_t addr;      /* target address of the ring (rd_idx) */
	uint32_t size;      /* bytes of the ring, header included */
	uint32_t wr_off;    /* offsets from addr (PBUF_CFG_INIT) */
	uint32_t data_off;
	uint32_t data_len;
	bool has_handshake;
	uint32_t rd, wr, handshake; /* the words as found */
	bool ok;            /* indices valid and every pending packet parsed */
	char problem[EMU_INSP_PROBLEM_LEN];
	uint32_t occupied;  /* bytes between rd and wr (valid indices only) */
	unsigned n_packets; /* decoded in pkt[] */
	unsigned total;     /* pending packets found (may exceed n_packets) */
	bool magic_at_0;    /* data[0] holds the 13-byte ICMsg bonding magic packet */
	struct emu_insp_packet pkt[EMU_INSP_MAX_PACKETS];
};

/*
 * Decode the ring at target address [addr, addr+size) of the image with
 * dcache alignment `align` and, if `handshake`, the handshake word.
 * Returns 0 (then *out describes the ring; out->ok says whether it is
 * consistent), -ERANGE (the ring is not inside the image), -EINVAL (not a
 * valid pbuf layout: size/alignment).
 */
int emu_insp_ring(const struct emu_insp_image *im, uint64_t addr, uint64_t size, uint32_t align,
		  bool handshake, struct emu_insp_ring *out);

/* ICBMsg block states, as far as the memory shows them. */
enum emu_insp_block_state {
	EMU_INSP_BLOCK_UNREFERENCED = 0, /* free, or held/delivered: not visible */
	EMU_INSP_BLOCK_DATA,             /* first block of a buffer of a pending MSG_DATA */
	EMU_INSP_BLOCK_BOUND,            /* first block of a pending MSG_BOUND (endpoint name) */
	EMU_INSP_BLOCK_RELEASING,        /* named by a pending MSG_RELEASE_* of the peer */
	EMU_INSP_BLOCK_CONT,             /* a following block of one of those buffers */
};

struct emu_insp_block {
	uint8_t state;     /* enum emu_insp_block_state */
	uint8_t msg_ept;   /* endpoint address of the referencing message */
	uint16_t first;    /* CONT: index of the buffer's first block */
	uint32_t size;     /* header word (first blocks) */
	uint32_t span;     /* blocks of the buffer (first blocks, valid size) */
	bool size_ok;
};

/* One ICBMsg region: layout, control ring, blocks. */
struct emu_insp_icb_region {
	uint32_t local_blocks, remote_blocks;
	uint32_t align, icmsg_offset, icmsg_size, blocks_offset, block_size, block_count;
	uint64_t blocks_addr;
	struct emu_insp_ring ring;
	struct emu_insp_block block[256];
};

/* An endpoint seen in memory. */
struct emu_insp_ept {
	int addr;          /* -1: unknown (a name found in a block without a message) */
	char name[EMU_INSP_HEAD_MAX + 1];
	bool pending_bound;/* from a pending MSG_BOUND */
	bool data_only;    /* only seen as the address of pending MSG_DATA (no name);
			    * neither: a stale name left in a block */
	int region;        /* 0 = tx, 1 = rx (of the plan's view) */
	unsigned block;
	unsigned data_pending; /* pending MSG_DATA messages to this address */
};

#define EMU_INSP_MAX_EPT 64

struct emu_insp_icbmsg {
	struct emu_insp_icb_region r[2]; /* [0] tx-region, [1] rx-region */
	bool initiator;                  /* this view's side initiates endpoint binding */
	unsigned n_ept;
	struct emu_insp_ept ept[EMU_INSP_MAX_EPT];
	unsigned n_problems;
	char problem[4][EMU_INSP_PROBLEM_LEN];
};

/*
 * Decode an ICBMsg instance (the view of the plan it comes from: tx is the
 * region this side writes).  Returns 0, -ERANGE (a region is outside the
 * image) or -EINVAL (no valid block layout; err names the region).
 */
int emu_insp_icbmsg(const struct emu_insp_image *im, const struct emu_dt_inst *in,
		    struct emu_insp_icbmsg *out, char *err, size_t errlen);

/* ICBMsg v2 (docs/icbmsg.md): one direction's region, as its memory shows it. */
#define EMU_INSP_V2_MAX_MSGS 128 /* MAX_ACTIVE_COUNT at most */
struct emu_insp_v2_msg {
	uint32_t entry;      /* producer entry number (count - in flight + k) */
	uint8_t slot;        /* the producer slot byte: bits 0-6 first block, bit 7 prio */
	uint32_t size;       /* block header: u16 payload size */
	uint8_t hdr_index;   /* block header: index byte */
	uint8_t ept;         /* block header: endpoint byte (0xFF: control) */
	bool ok;             /* slot and header consistent */
	char what[EMU_INSP_PROBLEM_LEN]; /* decoded control packet, or CORRUPT's reason */
	uint32_t head_len;
	uint8_t head[EMU_INSP_HEAD_MAX];
};
struct emu_insp_v2_region {
	uint64_t addr;                 /* target address of the producer queue */
	uint32_t align, slots, queue_size, block_size, block_count, blocks_offset;
	uint32_t prod_count, prod_hi, cons_count, cons_hi;
	uint32_t in_flight;            /* prod_count - cons_count */
	bool ok;
	char problem[EMU_INSP_PROBLEM_LEN];
	unsigned n_msgs;               /* the last in_flight producer entries (<= slots) */
	struct emu_insp_v2_msg msg[EMU_INSP_V2_MAX_MSGS];
};
struct emu_insp_icbmsg_v2 {
	struct emu_insp_v2_region r[2]; /* [0] tx-region, [1] rx-region */
};
/*
 * Decode an ICBMsg v2 instance with MAX_ACTIVE_COUNT `slots` (16..128).
 * Garbage is reported in ok/problem/what ("CORRUPT" reasons), never
 * trusted.  0, -ERANGE (a region outside the image), -EINVAL (no v2
 * layout; err names the region).
 */
int emu_insp_icbmsg_v2(const struct emu_insp_image *im, const struct emu_dt_inst *in,
		       uint32_t slots, struct emu_insp_icbmsg_v2 *out, char *err, size_t errlen);

/* Control block of a live segment: mailbox pending bits and peer status. */
struct emu_insp_ctl_role {
	uint32_t pending;   /* primary controller: bit N = channel N towards this role */
	uint32_t sleeping;
	uint32_t pid, boot_count;
	uint64_t heartbeat_ms;
	uint32_t icbmsg_v2_mask, icbmsg_classic_mask, max_active; /* as the board said; 0: not */
	uint32_t mbox_pending[EMU_DT_MAX_MBOX]; /* [0] = pending above; [k]: controller k */
	uint32_t slot_full[EMU_DT_MAX_MBOX];    /* bit N: data-mode message waits on channel N */
	uint32_t ipm_full[EMU_DT_MAX_IPM], ipm_id[EMU_DT_MAX_IPM], ipm_size[EMU_DT_MAX_IPM];
};

struct emu_insp_ctl {
	struct emu_insp_ctl_role role[2];
	uint64_t now_ms; /* CLOCK_MONOTONIC when read, for heartbeat ages */
};

/* Read the control block of an attached segment (one relaxed load per word). */
void emu_insp_ctl_read(const struct emu_segment *s, struct emu_insp_ctl *out);

/* Little-endian words of the image (targets are little-endian). */
static inline uint32_t emu_insp_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif /* IPC_EMU_EMU_INSPECT_H */
