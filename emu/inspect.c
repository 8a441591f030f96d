/*
 * inspect.c - decoders of `ipc-emu inspect` (contract: inspect.h).
 *
 * Nothing here trusts the image: a word is read once into a local, checked
 * against the layout, and only then used as an offset.  A ring that does not
 * add up is described (problem) and decoding stops at the first bad packet.
 */
#include "inspect.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/pbuf.h"

/* The part [addr, addr+len) of the image, or NULL. */
static const uint8_t *at(const struct emu_insp_image *im, uint64_t addr, uint64_t len)
{
	if (addr < im->base || len > im->len || addr - im->base > im->len - len) {
		return NULL;
	}
	return im->img + (addr - im->base);
}

static void problem(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(char *dst, const char *fmt, ...)
{
	va_list ap;

	if (dst[0] != '\0') {
		return; /* the first problem is the one worth reading */
	}
	va_start(ap, fmt);
	vsnprintf(dst, EMU_INSP_PROBLEM_LEN, fmt, ap);
	va_end(ap);
}

/* Copy `n` bytes of data[] from `off`, wrapping at `blen` (off < blen). */
static void copy_wrapped(const uint8_t *data, uint32_t blen, uint32_t off, uint8_t *dst,
			 uint32_t n)
{
	uint32_t first = blen - off < n ? blen - off : n;

	memcpy(dst, data + off, first);
	memcpy(dst + first, data, n - first);
}

int emu_insp_ring(const struct emu_insp_image *im, uint64_t addr, uint64_t size, uint32_t align,
		  bool handshake, struct emu_insp_ring *out)
{
	const uint8_t *p;
	uint32_t blen, rd, wr, i;
	const uint8_t *data;

	memset(out, 0, sizeof(*out));
	out->addr = addr;
	if (size > UINT32_MAX || (p = at(im, addr, size)) == NULL) {
		return -ERANGE;
	}
	out->size = (uint32_t)size;
	{
		/* The layout both cores use (include/ipc_emu/pbuf.h), checked by
		 * pbuf_rx_init(), which touches no shared memory. */
		const struct pbuf_cfg cfg = PBUF_CFG_INIT(p, size, align, handshake);
		struct pbuf pb = {.cfg = &cfg};

		if (size < PBUF_HEADER_OVERHEAD(align) + _PBUF_MIN_DATA_LEN ||
		    pbuf_rx_init(&pb) < 0) {
			return -EINVAL;
		}
		out->wr_off = (uint32_t)((const uint8_t *)cfg.wr_idx_loc - p);
		out->data_off = (uint32_t)(cfg.data_loc - p);
		out->data_len = cfg.len;
		out->has_handshake = cfg.handshake_loc != NULL;
	}
	blen = out->data_len;
	data = p + out->data_off;
	rd = out->rd = emu_insp_le32(p);
	wr = out->wr = emu_insp_le32(p + out->wr_off);
	if (out->has_handshake) {
		out->handshake = emu_insp_le32(p + 4);
	}
	/* The bonding magic as the first packet after a TX reset. */
	out->magic_at_0 = data[0] == 0 && data[1] == ICMSG_MAGIC_LEN && data[2] == 0 &&
			  data[3] == 0 && blen >= 4 + ICMSG_MAGIC_LEN &&
			  memcmp(data + 4, icmsg_magic, ICMSG_MAGIC_LEN) == 0;
	if (rd % 4 != 0 || rd >= blen) {
		problem(out->problem, "rd_idx 0x%x is %s", rd,
			rd % 4 ? "not a multiple of 4" : "not below the data length");
		return 0;
	}
	if (wr % 4 != 0 || wr >= blen) {
		problem(out->problem, "wr_idx 0x%x is %s (data length 0x%x)", wr,
			wr % 4 ? "not a multiple of 4" : "not below the data length", blen);
		return 0;
	}
	out->occupied = rd > wr ? blen - (rd - wr) : wr - rd;
	/* At most blen/8 packets fit: a bound on the walk whatever the bytes say. */
	for (i = rd; i != wr && out->total <= blen / 8;) {
		uint32_t left = i > wr ? blen - (i - wr) : wr - i;
		uint32_t len, ps, next;

		if (left < PBUF_PACKET_LEN_SZ) {
			problem(out->problem, "%u bytes before wr_idx at data+0x%x: no packet header",
				left, i);
			return 0;
		}
		len = (uint32_t)data[i] << 8 | data[i + 1]; /* big-endian, 4-aligned: no wrap */
		if (len == 0 || len + PBUF_PACKET_LEN_SZ > left) {
			problem(out->problem,
				"packet at data+0x%x claims %u bytes, %u are left before wr_idx", i, len,
				left - PBUF_PACKET_LEN_SZ);
			return 0;
		}
		ps = i + PBUF_PACKET_LEN_SZ;
		if (ps >= blen) {
			ps -= blen;
		}
		if (out->n_packets < EMU_INSP_MAX_PACKETS) {
			struct emu_insp_packet *k = &out->pkt[out->n_packets++];

			k->offset = i;
			k->len = len;
			k->head_len = len < EMU_INSP_HEAD_MAX ? len : EMU_INSP_HEAD_MAX;
			copy_wrapped(data, blen, ps, k->head, k->head_len);
		}
		out->total++;
		next = (ps + len + 3u) & ~3u;
		i = next >= blen ? next - blen : next;
	}
	if (i != wr) {
		problem(out->problem, "more packets than the ring can hold");
		return 0;
	}
	out->ok = true;
	return 0;
}

/* ----------------------------------------------------------- ICBMsg -- */

static void icb_problem(struct emu_insp_icbmsg *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void icb_problem(struct emu_insp_icbmsg *o, const char *fmt, ...)
{
	va_list ap;

	if (o->n_problems >= 4) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(o->problem[o->n_problems++], EMU_INSP_PROBLEM_LEN, fmt, ap);
	va_end(ap);
}

static const char *region_name(int r)
{
	return r == 0 ? "tx-region" : "rx-region";
}

/* A NUL-terminated printable name of `size` bytes (NUL included) at p. */
static bool is_name(const uint8_t *p, uint32_t size)
{
	if (size < 2 || size > EMU_INSP_HEAD_MAX || p[size - 1] != '\0') {
		return false;
	}
	for (uint32_t i = 0; i + 1 < size; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f) {
			return false;
		}
	}
	return true;
}

static struct emu_insp_ept *add_ept(struct emu_insp_icbmsg *o, int addr, const uint8_t *name,
				    uint32_t size, bool pending, int region, unsigned block)
{
	struct emu_insp_ept *e;

	if (o->n_ept >= EMU_INSP_MAX_EPT) {
		return NULL;
	}
	e = &o->ept[o->n_ept++];
	memset(e, 0, sizeof(*e));
	e->addr = addr;
	if (name != NULL) {
		memcpy(e->name, name, size);
	}
	e->pending_bound = pending;
	e->region = region;
	e->block = block;
	return e;
}

/* Mark the buffer starting at block `b` of region r as `state`. */
static void mark(struct emu_insp_icbmsg *o, const struct emu_insp_image *im, int r, uint32_t b,
		 uint8_t state, uint8_t ept)
{
	struct emu_insp_icb_region *g = &o->r[r];
	struct emu_insp_block *k;
	const uint8_t *p;
	uint32_t size, span, total;

	if (b >= g->block_count) {
		icb_problem(o, "%s: control message names block %u of %u", region_name(r), b,
			    g->block_count);
		return;
	}
	k = &g->block[b];
	if (k->state != EMU_INSP_BLOCK_UNREFERENCED && k->state != EMU_INSP_BLOCK_CONT) {
		icb_problem(o, "%s: block %u is named by two pending control messages",
			    region_name(r), b);
	}
	k->state = state;
	k->msg_ept = ept;
	p = at(im, g->blocks_addr + (uint64_t)b * g->block_size, ICBMSG_BLOCK_HEADER_SIZE);
	size = p != NULL ? emu_insp_le32(p) : 0; /* value from the image: checked below */
	k->size = size;
	total = g->block_size * g->block_count;
	if (size > total - ICBMSG_BLOCK_HEADER_SIZE ||
	    (uint64_t)b * g->block_size + size + ICBMSG_BLOCK_HEADER_SIZE > total) {
		icb_problem(o, "%s: block %u: buffer size %u runs past the blocks area",
			    region_name(r), b, size);
		return;
	}
	k->size_ok = true;
	span = (size + ICBMSG_BLOCK_HEADER_SIZE + g->block_size - 1) / g->block_size;
	k->span = span;
	for (uint32_t j = 1; j < span && b + j < g->block_count; j++) {
		if (g->block[b + j].state == EMU_INSP_BLOCK_UNREFERENCED) {
			g->block[b + j].state = EMU_INSP_BLOCK_CONT;
			g->block[b + j].first = (uint16_t)b;
		}
	}
	if (state == EMU_INSP_BLOCK_BOUND) {
		const uint8_t *name = at(im, g->blocks_addr + (uint64_t)b * g->block_size + 4, size);
		uint8_t buf[EMU_INSP_HEAD_MAX + 1] = {0};
		uint32_t n = size < EMU_INSP_HEAD_MAX ? size : EMU_INSP_HEAD_MAX;

		if (name != NULL) {
			memcpy(buf, name, n);
			/* The name up to its NUL, bounded (a bad one is shown cut). */
			n = (uint32_t)strnlen((const char *)buf, n);
			for (uint32_t i = 0; i < n; i++) {
				if (buf[i] < 0x20 || buf[i] >= 0x7f) {
					buf[i] = '?';
				}
			}
			buf[n] = '\0';
		}
		add_ept(o, ept, buf, n + 1, true, r, b);
	}
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One producer entry of a v2 region: slot byte, block header, control packet. */
static void v2_msg(const uint8_t *base, const struct emu_insp_v2_region *g,
		   struct emu_insp_v2_msg *m)
{
	uint32_t index = m->slot & ICBMSG_V2_SLOT_INDEX_MASK;
	const uint8_t *b;
	uint32_t room;

	if (index >= g->block_count) {
		snprintf(m->what, sizeof(m->what), "CORRUPT: slot 0x%02x names block %u of %u",
			 m->slot, index, g->block_count);
		return;
	}
	b = base + g->blocks_offset + (size_t)index * g->block_size;
	m->size = (uint32_t)b[0] | (uint32_t)b[1] << 8;
	m->hdr_index = b[2];
	m->ept = b[3];
	room = (g->block_count - index) * g->block_size - ICBMSG_V2_BLOCK_HEADER_SIZE;
	if (m->hdr_index != index) {
		snprintf(m->what, sizeof(m->what), "CORRUPT: header index %u, the slot names %u",
			 m->hdr_index, index);
		return;
	}
	if (m->size > room) {
		snprintf(m->what, sizeof(m->what), "CORRUPT: size %u runs past the last block "
			 "(room %u)", m->size, room);
		return;
	}
	m->ok = true;
	m->head_len = m->size < EMU_INSP_HEAD_MAX ? m->size : EMU_INSP_HEAD_MAX;
	memcpy(m->head, b + ICBMSG_V2_BLOCK_HEADER_SIZE, m->head_len);
	if (m->ept != ICBMSG_V2_EPT_CONTROL) {
		snprintf(m->what, sizeof(m->what), "data to endpoint slot %u%s", m->ept,
			 (m->slot & ICBMSG_V2_SLOT_HI_PRIO) ? ", high priority" : "");
		return;
	}
	b += ICBMSG_V2_BLOCK_HEADER_SIZE;
	if (m->size == ICBMSG_V2_BOUND_PACKET_SIZE && rd32(b) == ICBMSG_V2_BOUND_MAGIC1 &&
	    rd32(b + 4) == ICBMSG_V2_BOUND_MAGIC2) {
		snprintf(m->what, sizeof(m->what), "bound packet: sender's tx-blocks %u rx-blocks %u",
			 rd32(b + 8), rd32(b + 12));
	} else if (m->size >= ICBMSG_V2_CTRL_PACKET_SIZE && b[0] == ICBMSG_V2_EP_BOUND) {
		snprintf(m->what, sizeof(m->what), "EP_BOUND: sender's slot %u, name hash 0x%08x",
			 b[1], (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 |
				       (uint32_t)b[5] << 24);
	} else if (m->size >= ICBMSG_V2_CTRL_PACKET_SIZE && b[0] == ICBMSG_V2_EP_UNBOUND) {
		snprintf(m->what, sizeof(m->what), "EP_UNBOUND: receiver's slot %u", b[1]);
	} else {
		m->ok = false;
		snprintf(m->what, sizeof(m->what), "CORRUPT: control packet of %u bytes, type %u, "
			 "is no bound, EP_BOUND or EP_UNBOUND packet", m->size,
			 m->size > 0 ? b[0] : 0u);
	}
}

int emu_insp_icbmsg_v2(const struct emu_insp_image *im, const struct emu_dt_inst *in,
		       uint32_t slots, struct emu_insp_icbmsg_v2 *o, char *err, size_t errlen)
{
	const struct emu_dt_region *reg[2] = {&in->tx, &in->rx};
	uint32_t n[2] = {in->tx_blocks, in->rx_blocks};

	memset(o, 0, sizeof(*o));
	for (int r = 0; r < 2; r++) {
		struct emu_insp_v2_region *g = &o->r[r];
		const uint8_t *base = at(im, reg[r]->addr, reg[r]->size);
		const uint8_t *pq, *cq;
		struct icbmsg_v2_layout l;

		if (base == NULL) {
			snprintf(err, errlen, "%s: %s: 0x%llx+0x%llx is outside the image", in->node,
				 region_name(r), (unsigned long long)reg[r]->addr,
				 (unsigned long long)reg[r]->size);
			return -ERANGE;
		}
		if (icbmsg_v2_layout_compute(reg[r]->addr, reg[r]->size, in->dcache_alignment, n[r],
					     slots, &l) < 0) {
			snprintf(err, errlen, "%s: %s: no valid ICBMsg v2 layout (%u blocks, "
				 "MAX_ACTIVE_COUNT %u)", in->node, region_name(r), n[r], slots);
			return -EINVAL;
		}
		g->addr = reg[r]->addr + l.base_offset;
		g->align = l.align;
		g->slots = l.slots;
		g->queue_size = l.queue_size;
		g->block_size = l.block_size;
		g->block_count = l.block_count;
		g->blocks_offset = l.blocks_offset;
		pq = base + l.base_offset;
		cq = base + l.cons_offset;
		g->prod_count = rd32(pq + ICBMSG_V2_Q_COUNT_OFFSET);
		g->prod_hi = rd32(pq + ICBMSG_V2_Q_HI_COUNT_OFFSET);
		g->cons_count = rd32(cq + ICBMSG_V2_Q_COUNT_OFFSET);
		g->cons_hi = rd32(cq + ICBMSG_V2_Q_HI_COUNT_OFFSET);
		g->in_flight = g->prod_count - g->cons_count;
		g->ok = true;
		if (g->in_flight > l.slots) {
			g->ok = false;
			snprintf(g->problem, sizeof(g->problem),
				 "CORRUPT: producer count %u, consumer count %u: %u in flight, more "
				 "than the %u slots", g->prod_count, g->cons_count, g->in_flight,
				 l.slots);
			continue;
		}
		if (g->prod_hi > g->prod_count) {
			g->ok = false;
			snprintf(g->problem, sizeof(g->problem),
				 "CORRUPT: high-priority count %u above the producer count %u",
				 g->prod_hi, g->prod_count);
		}
		for (uint32_t k = 0; k < g->in_flight; k++) {
			struct emu_insp_v2_msg *m = &g->msg[g->n_msgs++];

			m->entry = g->prod_count - g->in_flight + k;
			m->slot = pq[ICBMSG_V2_Q_SLOTS_OFFSET + m->entry % l.slots];
			v2_msg(base, g, m);
			if (!m->ok && g->ok) {
				g->ok = false;
				snprintf(g->problem, sizeof(g->problem), "entry %u: %s", m->entry, m->what);
			}
		}
	}
	return 0;
}

int emu_insp_icbmsg(const struct emu_insp_image *im, const struct emu_dt_inst *in,
		    struct emu_insp_icbmsg *o, char *err, size_t errlen)
{
	const struct emu_dt_region *reg[2] = {&in->tx, &in->rx};
	uint32_t local[2] = {in->tx_blocks, in->rx_blocks};
	int rc;

	memset(o, 0, sizeof(*o));
	for (int r = 0; r < 2; r++) {
		struct emu_insp_icb_region *g = &o->r[r];
		struct icbmsg_layout lay;

		if (at(im, reg[r]->addr, reg[r]->size) == NULL) {
			snprintf(err, errlen, "%s: %s: 0x%llx+0x%llx is outside the image", in->node,
				 region_name(r), (unsigned long long)reg[r]->addr,
				 (unsigned long long)reg[r]->size);
			return -ERANGE;
		}
		/* The layout both cores compute (src/icbmsg.c). */
		if (icbmsg_layout_compute(reg[r]->addr, reg[r]->size, in->dcache_alignment, local[r],
					  local[1 - r], &lay) < 0) {
			snprintf(err, errlen, "%s: %s: no valid ICBMsg block layout", in->node,
				 region_name(r));
			return -EINVAL;
		}
		g->local_blocks = local[r];
		g->remote_blocks = local[1 - r];
		g->align = lay.align;
		g->icmsg_offset = lay.icmsg_offset;
		g->icmsg_size = lay.icmsg_size;
		g->blocks_offset = lay.blocks_offset;
		g->block_size = lay.block_size;
		g->block_count = lay.block_count;
		g->blocks_addr = reg[r]->addr + lay.blocks_offset;
		rc = emu_insp_ring(im, reg[r]->addr + lay.icmsg_offset, lay.icmsg_size, lay.align,
				   false, &g->ring);
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s: the control ring is not a valid pbuf", in->node,
				 region_name(r));
			return -EINVAL;
		}
	}
	o->initiator = o->r[1].blocks_addr < o->r[0].blocks_addr;
	/* Control messages: DATA/BOUND name blocks of the writer's own region,
	 * RELEASE_* blocks of the other region (the ones it received). */
	for (int r = 0; r < 2; r++) {
		const struct emu_insp_ring *ring = &o->r[r].ring;

		for (unsigned i = 0; i < ring->n_packets; i++) {
			const struct emu_insp_packet *k = &ring->pkt[i];
			uint8_t type, ept, blk;

			if (i == 0 && k->offset == 0 && k->len == ICMSG_MAGIC_LEN &&
			    memcmp(k->head, icmsg_magic, ICMSG_MAGIC_LEN) == 0) {
				continue; /* the control channel's bonding magic */
			}
			if (k->len < 3) {
				icb_problem(o, "%s: control message at data+0x%x has %u bytes (3 needed)",
					    region_name(r), k->offset, k->len);
				continue;
			}
			type = k->head[0];
			ept = k->head[1];
			blk = k->head[2];
			switch (type) {
			case ICBMSG_MSG_DATA:
				mark(o, im, r, blk, EMU_INSP_BLOCK_DATA, ept);
				break;
			case ICBMSG_MSG_BOUND:
				mark(o, im, r, blk, EMU_INSP_BLOCK_BOUND, ept);
				break;
			case ICBMSG_MSG_RELEASE_DATA:
			case ICBMSG_MSG_RELEASE_BOUND:
				mark(o, im, 1 - r, blk, EMU_INSP_BLOCK_RELEASING, ept);
				break;
			default:
				icb_problem(o, "%s: control message at data+0x%x has unknown type %u",
					    region_name(r), k->offset, type);
				break;
			}
		}
	}
	/* Data addressed to each endpoint, and stale names (a MSG_BOUND buffer
	 * stays readable until its blocks are reused). */
	for (int r = 0; r < 2; r++) {
		struct emu_insp_icb_region *g = &o->r[r];

		for (uint32_t b = 0; b < g->block_count; b++) {
			const struct emu_insp_block *k = &g->block[b];
			const uint8_t *p;
			uint32_t size;

			if (k->state == EMU_INSP_BLOCK_DATA) {
				bool known = false;

				for (unsigned e = 0; e < o->n_ept; e++) {
					if (o->ept[e].addr == k->msg_ept) {
						o->ept[e].data_pending++;
						known = true;
					}
				}
				if (!known) {
					struct emu_insp_ept *e =
						add_ept(o, k->msg_ept, NULL, 0, false, r, b);

					if (e != NULL) {
						e->data_only = true;
						e->data_pending = 1;
					}
				}
			}
			if (k->state != EMU_INSP_BLOCK_UNREFERENCED) {
				continue;
			}
			p = at(im, g->blocks_addr + (uint64_t)b * g->block_size, g->block_size);
			if (p == NULL || g->block_size < ICBMSG_BLOCK_HEADER_SIZE + 2) {
				continue;
			}
			size = emu_insp_le32(p);
			if (size <= g->block_size - ICBMSG_BLOCK_HEADER_SIZE &&
			    is_name(p + ICBMSG_BLOCK_HEADER_SIZE, size)) {
				add_ept(o, -1, p + ICBMSG_BLOCK_HEADER_SIZE, size, false, r, b);
			}
		}
	}
	for (int r = 0; r < 2; r++) {
		if (!o->r[r].ring.ok) {
			icb_problem(o, "%s: control ring: %s", region_name(r), o->r[r].ring.problem);
		}
	}
	return 0;
}

/* ---------------------------------------------------- control block -- */

void emu_insp_ctl_read(const struct emu_segment *s, struct emu_insp_ctl *out)
{
	struct emu_ctl *ctl = emu_segment_ctl(s);
	struct timespec ts;

	memset(out, 0, sizeof(*out));
	for (int r = 0; r < 2; r++) {
		struct emu_insp_ctl_role *o = &out->role[r];
		/* The doorbell words: the link's own, or on a SoC segment those of
		 * the role's core (shared by its links: its pending word holds
		 * their channels too). */
		const struct emu_ctl_role *rec = emu_segment_role_rec(s, (enum emu_role)r);

		o->pending = ipc_load_relaxed(&rec->pending);
		o->sleeping = ipc_load_relaxed(&rec->sleeping);
		o->pid = ipc_load_relaxed(&rec->pid);
		o->boot_count = ipc_load_relaxed(&rec->boot_count);
		o->heartbeat_ms = ctl_load64_relaxed(&rec->heartbeat);
		o->icbmsg_v2_mask = ipc_load_relaxed(&ctl->role[r].icbmsg_v2_mask);
		o->icbmsg_classic_mask = ipc_load_relaxed(&ctl->role[r].icbmsg_classic_mask);
		o->max_active = ipc_load_relaxed(&ctl->role[r].max_active);
		o->mbox_pending[0] = o->pending & EMU_CTL_CHANNEL_MASK;
		for (unsigned k = 0; k < EMU_CTL_MBOX_MAX; k++) {
			if (k > 0) {
				o->mbox_pending[k] = ipc_load_relaxed(&ctl->mbox[k].pending[r]);
			}
			for (unsigned ch = 0; ch < EMU_MBOX_CHANNELS; ch++) {
				if (ipc_load_relaxed(&ctl->mbox[k].slot[r][ch].full) != 0) {
					o->slot_full[k] |= 1u << ch;
				}
			}
		}
		for (unsigned k = 0; k < EMU_CTL_IPM_MAX; k++) {
			o->ipm_full[k] = ipc_load_relaxed(&ctl->ipm[k].box[r].full);
			o->ipm_id[k] = ipc_load_relaxed(&ctl->ipm[k].box[r].id);
			o->ipm_size[k] = ipc_load_relaxed(&ctl->ipm[k].box[r].size);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	out->now_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
