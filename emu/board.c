/*
 * board.c - the devices of one core, built at run time from its devicetree
 * plan: one ipc_service instance per zephyr,ipc-icmsg or zephyr,ipc-icbmsg
 * node, each over the core's emulated MBOX controller, with its regions
 * mapped from the segment's memory image; the MBOX controllers of the plan
 * (the core's primary one configured, the others created) and its IPM
 * devices (emu/ipm.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "emu_internal.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/ipc_icmsg.h"
#include "ipc_emu/mbox.h"
#include "port.h"

struct board_icmsg {
	struct device dev;
	struct icmsg_config_t conf;
	struct icmsg_data_t data;
	struct pbuf_cfg tx_cfg, rx_cfg;
	struct pbuf *tx_pb, *rx_pb;
	bool initialised;
};

struct board_icbmsg {
	struct device dev;
	struct icbmsg_config conf;
	struct icbmsg_data data;
	struct pbuf_cfg tx_cfg, rx_cfg;
	struct pbuf *tx_pb, *rx_pb;
	bool initialised;
};

struct board_icbmsg_v2 {
	struct device dev;
	struct icbmsg_v2_config conf;
	struct icbmsg_v2_data data;
	bool initialised;
	char node[EMU_DT_NAME_LEN]; /* devicetree path, for the hint below */
};

struct emu_board {
	unsigned n;
	char labels[EMU_DT_MAX_INST][32];
	struct board_icmsg *icmsg[EMU_DT_MAX_INST];
	struct board_icbmsg *icbmsg[EMU_DT_MAX_INST];
	struct board_icbmsg_v2 *icbmsg_v2[EMU_DT_MAX_INST];

	struct emu_core *core;
	struct emu_cache *cache;                         /* opts->cache_model, else NULL */
	unsigned n_mbox;                                 /* controllers added to the core */
	char mbox_labels[EMU_DT_MAX_MBOX][32];
	const struct device *mbox[EMU_DT_MAX_MBOX];      /* [i]: plan->mbox[i] */
	unsigned n_user;
	struct emu_dt_mbox_user users[EMU_DT_MAX_MBOX_USER];
	unsigned n_ipm;
	char ipm_labels[EMU_DT_MAX_IPM][32];
	const struct device *ipm[EMU_DT_MAX_IPM];
};

const char *emu_role_name(enum emu_role role)
{
	return role == EMU_ROLE_HOST ? "host" : "remote";
}

void emu_board_opts_default(struct emu_board_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->icmsg_rx_buf_size = ICMSG_RX_BUF_SIZE_DEFAULT;
	o->icmsg_bond_notify_ms = ICMSG_BOND_NOTIFY_REPEAT_MS_DEFAULT;
	o->icmsg_mutex_timeout_ms = ICMSG_SHMEM_ACCESS_TO_MS_DEFAULT;
	o->icbmsg_num_ept = ICBMSG_NUM_EPT_DEFAULT;
	o->icbmsg_max_active = ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT;
}

uint32_t emu_board_icbmsg_version(const struct emu_dt_inst *in, const struct emu_board_opts *o)
{
	if (o != NULL && o->icbmsg_version != 0) {
		return o->icbmsg_version;
	}
	return in->icbmsg_version != 0 ? in->icbmsg_version : EMU_ICBMSG_VERSION_DEFAULT;
}

/* struct pbuf has a const cfg pointer: build it in place. */
static struct pbuf *pbuf_new(const struct pbuf_cfg *cfg)
{
	struct pbuf init = {.cfg = cfg};
	struct pbuf *pb = malloc(sizeof(*pb));

	if (pb != NULL) {
		memcpy(pb, &init, sizeof(init));
	}
	return pb;
}

static void icmsg_free(struct board_icmsg *b)
{
	if (b == NULL) {
		return;
	}
	if (b->initialised) {
		if (icmsg_state(&b->data) != ICMSG_STATE_OFF) {
			(void)icmsg_close(&b->conf, &b->data);
		}
		icmsg_deinit(&b->data);
	}
	free(b->data.rx_buf);
	free(b->tx_pb);
	free(b->rx_pb);
	free(b);
}

/* The region's address for the core: the shared mapping, or with the cache
 * model a private view of it (lines of max(dcache-alignment, 4) bytes). */
static int map_region(struct emu_segment *seg, struct emu_cache *cache,
		      const struct emu_dt_inst *in, const struct emu_dt_region *r,
		      const char *prop, void **out, char *err, size_t errlen)
{
	*out = emu_segment_ptr(seg, r->addr, r->size);
	if (*out == NULL) {
		snprintf(err, errlen, "%s: %s: 0x%llx+0x%llx is outside the shared memory image",
			 in->node, prop, (unsigned long long)r->addr, (unsigned long long)r->size);
		return -EINVAL;
	}
	if (cache != NULL) {
		*out = emu_cache_map(cache, *out, r->addr, (size_t)r->size, in->dcache_alignment);
		if (*out == NULL) {
			snprintf(err, errlen, "%s: %s: cannot build the cache model's view "
				 "(dcache-alignment %u above 4096, or out of memory)",
				 in->node, prop, in->dcache_alignment);
			return -EINVAL;
		}
	}
	return 0;
}

static int icmsg_create(const struct emu_dt_inst *in, struct emu_segment *seg,
			struct emu_cache *cache, struct emu_core *core, const struct emu_board_opts *opts,
			struct board_icmsg **out, char *err, size_t errlen)
{
	struct board_icmsg *b = calloc(1, sizeof(*b));
	void *tx, *rx;
	int rc, mode = opts->unbound_override ? opts->unbound_override : (int)in->unbound;
	bool handshake = mode != EMU_UNBOUND_DISABLE;

	if (b == NULL) {
		return -ENOMEM;
	}
	rc = map_region(seg, cache, in, &in->tx, "tx-region", &tx, err, errlen);
	if (rc == 0) {
		rc = map_region(seg, cache, in, &in->rx, "rx-region", &rx, err, errlen);
	}
	if (rc < 0) {
		goto fail;
	}
	if (handshake && in->dcache_alignment < 8) {
		snprintf(err, errlen,
			 "%s: dcache-alignment: unbound \"%s\" needs dcache-alignment >= 8 (is %u)",
			 in->node, emu_unbound_name((enum emu_unbound)mode),
			 in->dcache_alignment);
		rc = -EINVAL;
		goto fail;
	}
	b->tx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(tx, in->tx.size, in->dcache_alignment, handshake);
	b->rx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(rx, in->rx.size, in->dcache_alignment, handshake);
	b->tx_pb = pbuf_new(&b->tx_cfg);
	b->rx_pb = pbuf_new(&b->rx_cfg);
	b->data.rx_buf_size = opts->icmsg_rx_buf_size;
	b->data.rx_buf = calloc(1, (opts->icmsg_rx_buf_size + 3u) & ~3u);
	if (b->tx_pb == NULL || b->rx_pb == NULL || b->data.rx_buf == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* rx_init only checks the layout and touches no shared memory. */
	if (pbuf_rx_init(b->tx_pb) < 0 || pbuf_rx_init(b->rx_pb) < 0) {
		snprintf(err, errlen, "%s: tx-region/rx-region: not a valid pbuf layout "
			 "(size, alignment or dcache-alignment)", in->node);
		rc = -EINVAL;
		goto fail;
	}
	b->conf.mbox_tx = (struct mbox_dt_spec){.dev = emu_core_mbox(core), .channel_id = in->mbox_tx};
	b->conf.mbox_rx = (struct mbox_dt_spec){.dev = emu_core_mbox(core), .channel_id = in->mbox_rx};
	b->conf.unbound_mode = (enum icmsg_unbound_mode)mode;
	b->conf.rx_in_isr = opts->icmsg_rx_in_isr;
	b->conf.bond_notify_repeat_ms = opts->icmsg_bond_notify_ms;
	b->conf.shmem_access_to_ms = opts->icmsg_mutex_timeout_ms;
	b->data.tx_pb = b->tx_pb;
	b->data.rx_pb = b->rx_pb;
	rc = icmsg_init(&b->conf, &b->data);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot initialise ICMsg (%s)", in->node,
			 rc == -EINVAL ? "invalid option" : "out of memory");
		goto fail;
	}
	b->initialised = true;
	b->dev = (struct device){
		.name = in->label, .config = &b->conf, .api = &ipc_icmsg_backend, .data = &b->data};
	*out = b;
	return 0;

fail:
	icmsg_free(b);
	return rc;
}

static void icbmsg_free(struct board_icbmsg *b)
{
	if (b == NULL) {
		return;
	}
	if (b->initialised) {
		icbmsg_deinit(&b->data);
	}
	free(b->data.control_data.rx_buf);
	free(b->data.ept);
	free(b->data.ept_map);
	free(b->data.waiting_bound);
	free(b->tx_pb);
	free(b->rx_pb);
	free(b);
}

/* Layout of one direction; a failure names the node and property. */
static int icbmsg_region(const struct emu_dt_inst *in, const struct emu_dt_region *r,
			 const char *prop, uint32_t local, uint32_t remote,
			 struct icbmsg_layout *lay, char *err, size_t errlen)
{
	if (icbmsg_layout_compute(r->addr, r->size, in->dcache_alignment, local, remote, lay) < 0) {
		snprintf(err, errlen,
			 "%s: %s: 0x%llx bytes cannot hold the ICMsg area and %u blocks of at "
			 "least 4 bytes",
			 in->node, prop, (unsigned long long)r->size, local);
		return -EINVAL;
	}
	return 0;
}

static int icbmsg_create(const struct emu_dt_inst *in, struct emu_segment *seg,
			 struct emu_cache *cache, struct emu_core *core, const struct emu_board_opts *opts,
			 struct board_icbmsg **out, char *err, size_t errlen)
{
	struct board_icbmsg *b = calloc(1, sizeof(*b));
	struct icbmsg_layout tl, rl;
	uint8_t *tx, *rx;
	uint32_t n = opts->icbmsg_num_ept;
	int rc;

	if (b == NULL) {
		return -ENOMEM;
	}
	rc = map_region(seg, cache, in, &in->tx, "tx-region", (void **)&tx, err, errlen);
	if (rc == 0) {
		rc = map_region(seg, cache, in, &in->rx, "rx-region", (void **)&rx, err, errlen);
	}
	if (rc == 0) {
		rc = icbmsg_region(in, &in->tx, "tx-region", in->tx_blocks, in->rx_blocks, &tl, err,
				   errlen);
	}
	if (rc == 0) {
		rc = icbmsg_region(in, &in->rx, "rx-region", in->rx_blocks, in->tx_blocks, &rl, err,
				   errlen);
	}
	if (rc < 0) {
		goto fail;
	}
	b->tx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(tx + tl.icmsg_offset, tl.icmsg_size, tl.align, false);
	b->rx_cfg = (struct pbuf_cfg)PBUF_CFG_INIT(rx + rl.icmsg_offset, rl.icmsg_size, rl.align, false);
	b->tx_pb = pbuf_new(&b->tx_cfg);
	b->rx_pb = pbuf_new(&b->rx_cfg);
	b->data.control_data.rx_buf_size = opts->icmsg_rx_buf_size;
	b->data.control_data.rx_buf = calloc(1, (opts->icmsg_rx_buf_size + 3u) & ~3u);
	b->data.ept = calloc(n, sizeof(*b->data.ept));
	b->data.ept_map = calloc(n, 1);
	b->data.waiting_bound = calloc(n, sizeof(*b->data.waiting_bound));
	if (b->tx_pb == NULL || b->rx_pb == NULL || b->data.control_data.rx_buf == NULL ||
	    b->data.ept == NULL || b->data.ept_map == NULL || b->data.waiting_bound == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (pbuf_rx_init(b->tx_pb) < 0 || pbuf_rx_init(b->rx_pb) < 0) {
		snprintf(err, errlen, "%s: tx-region/rx-region: ICMsg area is not a valid pbuf", in->node);
		rc = -EINVAL;
		goto fail;
	}
	b->data.control_data.tx_pb = b->tx_pb;
	b->data.control_data.rx_pb = b->rx_pb;
	b->conf.control_config = (struct icmsg_config_t){
		.mbox_tx = {.dev = emu_core_mbox(core), .channel_id = in->mbox_tx},
		.mbox_rx = {.dev = emu_core_mbox(core), .channel_id = in->mbox_rx},
		.unbound_mode = ICMSG_UNBOUND_MODE_DISABLE, /* classic ICBMsg: always legacy */
		.rx_in_isr = opts->icmsg_rx_in_isr,
		.bond_notify_repeat_ms = opts->icmsg_bond_notify_ms,
		.shmem_access_to_ms = opts->icmsg_mutex_timeout_ms,
	};
	b->conf.tx = (struct icbmsg_channel){
		.blocks_ptr = tx + tl.blocks_offset, .block_size = tl.block_size, .block_count = tl.block_count};
	b->conf.rx = (struct icbmsg_channel){
		.blocks_ptr = rx + rl.blocks_offset, .block_size = rl.block_size, .block_count = rl.block_count};
	b->conf.num_ept = n;
	/* Target addresses decide, as the MCU's pointers do. */
	b->conf.is_initiator = in->rx.addr + rl.blocks_offset < in->tx.addr + tl.blocks_offset;
	rc = icbmsg_init(&b->conf, &b->data);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot initialise ICBMsg (%s)", in->node,
			 rc == -EINVAL ? "invalid option" : "out of memory");
		goto fail;
	}
	b->initialised = true;
	b->dev = (struct device){
		.name = in->label, .config = &b->conf, .api = &ipc_icbmsg_backend, .data = &b->data};
	*out = b;
	return 0;

fail:
	icbmsg_free(b);
	return rc;
}

static void icbmsg_v2_free(struct board_icbmsg_v2 *b)
{
	if (b == NULL) {
		return;
	}
	if (b->initialised) {
		icbmsg_v2_deinit(&b->dev);
	}
	free(b->data.ept);
	free(b);
}

/* A v2 instance that is v2 by default only (no option, no property) finds a
 * classic peer: say how to choose classic (once: the core reports each
 * reason once). */
static void icbmsg_v2_default_hint(const struct device *instance, enum icbmsg_v2_error why,
				   const char *message, void *user)
{
	const struct board_icbmsg_v2 *b = user;

	(void)message;
	if (why == ICBMSG_V2_ERR_CLASSIC_PEER) {
		port_log(PORT_LOG_ERR, "%s (%s) runs ICBMsg v2, the default, and its peer classic "
			 "ICBMsg (Zephyr v4.4 and earlier): choose classic with --icbmsg-version "
			 "classic or ipc-emu,icbmsg-version = \"classic\"", b->node,
			 instance->name);
	}
}

static int icbmsg_v2_create(const struct emu_dt_inst *in, struct emu_segment *seg,
			    struct emu_cache *cache, struct emu_core *core,
			    const struct emu_board_opts *opts, struct board_icbmsg_v2 **out, char *err,
			    size_t errlen)
{
	struct board_icbmsg_v2 *b = calloc(1, sizeof(*b));
	struct icbmsg_v2_layout l;
	uint8_t *tx, *rx;
	uint32_t n = opts->icbmsg_num_ept;
	uint32_t s = opts->icbmsg_max_active ? opts->icbmsg_max_active
					      : ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT;
	int rc;

	if (b == NULL) {
		return -ENOMEM;
	}
	rc = map_region(seg, cache, in, &in->tx, "tx-region", (void **)&tx, err, errlen);
	if (rc == 0) {
		rc = map_region(seg, cache, in, &in->rx, "rx-region", (void **)&rx, err, errlen);
	}
	for (int d = 0; d < 2 && rc == 0; d++) {
		const struct emu_dt_region *r = d == 0 ? &in->tx : &in->rx;
		uint32_t blocks = d == 0 ? in->tx_blocks : in->rx_blocks;

		if (icbmsg_v2_layout_compute(r->addr, r->size, in->dcache_alignment, blocks, s, &l) <
		    0) {
			/* v2 by default only (no property, no option): say how
			 * to run the classic version instead. */
			bool dflt = opts->icbmsg_version == 0 && in->icbmsg_version == 0;

			snprintf(err, errlen,
				 "%s: %s: 0x%llx bytes cannot hold the two ICBMsg v2 queues "
				 "(MAX_ACTIVE_COUNT %u) and %u blocks of at least 4 bytes%s%s",
				 in->node, d == 0 ? "tx-region" : "rx-region",
				 (unsigned long long)r->size, s, blocks,
				 blocks > ICBMSG_V2_MAX_BLOCKS ? " (v2 allows at most 32)" : "",
				 dflt ? "; v2 is the default: for classic ICBMsg give "
					"--icbmsg-version classic or ipc-emu,icbmsg-version = "
					"\"classic\"" : "");
			rc = -EINVAL;
		}
	}
	if (rc < 0) {
		goto fail;
	}
	b->data.ept = calloc(n, sizeof(*b->data.ept));
	if (b->data.ept == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	b->conf = (struct icbmsg_v2_config){
		.mbox_tx = {.dev = emu_core_mbox(core), .channel_id = in->mbox_tx},
		.mbox_rx = {.dev = emu_core_mbox(core), .channel_id = in->mbox_rx},
		.tx = {.ptr = tx, .addr = in->tx.addr, .size = in->tx.size, .blocks = in->tx_blocks},
		.rx = {.ptr = rx, .addr = in->rx.addr, .size = in->rx.size, .blocks = in->rx_blocks},
		.dcache_alignment = in->dcache_alignment,
		.max_active_count = s,
		.num_ept = n,
		.deinit = true,
	};
	b->dev = (struct device){
		.name = in->label, .config = &b->conf, .api = &ipc_icbmsg_v2_backend, .data = &b->data};
	snprintf(b->node, sizeof(b->node), "%.*s", (int)strnlen(in->node, sizeof(in->node)),
		 in->node);
	if (opts->icbmsg_version == 0 && in->icbmsg_version == 0) {
		b->data.error_hook = icbmsg_v2_default_hint;
		b->data.error_hook_user = b;
	}
	rc = icbmsg_v2_init(&b->dev);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot initialise ICBMsg v2 (%s)", in->node,
			 rc == -EINVAL ? "invalid option" : "out of memory");
		goto fail;
	}
	b->initialised = true;
	*out = b;
	return 0;

fail:
	icbmsg_v2_free(b);
	return rc;
}

/* A copy of a label field that may lack its NUL. */
static void copy_label(char dst[32], const char src[32])
{
	snprintf(dst, 32, "%.*s", (int)strnlen(src, 32), src);
}

/* The core's MBOX controllers from plan->mbox[] (index == position). */
static int mbox_create(struct emu_board *b, const struct emu_dt_plan *plan, char *err,
		       size_t errlen)
{
	unsigned n = plan->n_mbox;

	if (n > EMU_DT_MAX_MBOX) {
		snprintf(err, errlen, "%s: %u MBOX controllers (at most %d)", plan->source, n,
			 EMU_DT_MAX_MBOX);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct emu_dt_mbox *m = &plan->mbox[i];
		struct emu_mbox_cfg cfg;
		int rc;

		copy_label(b->mbox_labels[i], m->label);
		cfg = (struct emu_mbox_cfg){.name = b->mbox_labels[i], .index = m->index,
					    .mtu = m->mtu, .channels = m->channels,
					    .tx_mask = m->tx_mask, .rx_mask = m->rx_mask};
		if (m->index != i) {
			snprintf(err, errlen, "%s: %s: MBOX controller #%u has index %u", plan->source,
				 m->node, i, m->index);
			return -EINVAL;
		}
		rc = emu_core_mbox_add(b->core, &cfg, &b->mbox[i]);
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s: %s", plan->source, m->node,
				 rc == -EBUSY ? (i == 0 ? "the core's primary MBOX controller is in use "
						"(a board already exists on this core?)"
						: "MBOX controller index already in use")
					     : rc == -EINVAL ? "invalid MBOX controller (ipc-emu,mtu, "
							       "ipc-emu,channels or channel masks)"
							     : "out of memory");
			return rc;
		}
		b->n_mbox++;
	}
	/* Instances use emu_core_mbox(): their controller must be the primary. */
	for (unsigned i = 0; i < plan->n_inst && i < EMU_DT_MAX_INST; i++) {
		if (n == 0 || strncmp(plan->inst[i].mbox_node, plan->mbox[0].node,
				      sizeof(plan->mbox[0].node)) != 0) {
			snprintf(err, errlen, "%s: %s: mboxes: not on the core's primary MBOX "
				 "controller (plan->mbox[0])", plan->source, plan->inst[i].node);
			return -EINVAL;
		}
	}
	b->n_user = plan->n_mbox_user < EMU_DT_MAX_MBOX_USER ? plan->n_mbox_user
							      : EMU_DT_MAX_MBOX_USER;
	memcpy(b->users, plan->mbox_user, b->n_user * sizeof(b->users[0]));
	return 0;
}

static int ipm_create(struct emu_board *b, const struct emu_dt_plan *plan,
		      const struct emu_board_opts *opts, char *err, size_t errlen)
{
	uint32_t used = 0;

	if (plan->n_ipm > EMU_DT_MAX_IPM) {
		snprintf(err, errlen, "%s: %u IPM devices (at most %d)", plan->source, plan->n_ipm,
			 EMU_DT_MAX_IPM);
		return -EINVAL;
	}
	for (unsigned i = 0; i < plan->n_ipm; i++) {
		const struct emu_dt_ipm *d = &plan->ipm[i];
		int rc = -EINVAL;

		if (d->index < EMU_DT_MAX_IPM && (used & (1u << d->index)) == 0) {
			used |= 1u << d->index;
			rc = emu_ipm_create(b->core, d, opts->ipm_callback_async, &b->ipm[i]);
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s: %s", plan->source, d->node,
				 rc == -EINVAL ? "invalid IPM device (index, data size or max id)"
					       : "out of memory");
			return rc;
		}
		copy_label(b->ipm_labels[i], d->label);
		b->n_ipm++;
	}
	return 0;
}

/* Tell `ipc-emu inspect` which ICBMsg each instance of this role's board
 * speaks: its role record in the control block (relaxed: read as a hint). */
static void publish_icbmsg_versions(const struct emu_dt_plan *plan, struct emu_segment *seg,
				    struct emu_core *core, const struct emu_board_opts *opts)
{
	struct emu_ctl_role *r = &emu_segment_ctl(seg)->role[emu_core_role(core)];
	uint32_t v2 = 0, classic = 0;

	for (unsigned i = 0; i < plan->n_inst && i < EMU_DT_MAX_INST && i < 32; i++) {
		if (plan->inst[i].backend != EMU_BACKEND_ICBMSG) {
			continue;
		}
		if (emu_board_icbmsg_version(&plan->inst[i], opts) == EMU_ICBMSG_V2) {
			v2 |= 1u << i;
		} else {
			classic |= 1u << i;
		}
	}
	ipc_store_relaxed(&r->icbmsg_v2_mask, v2);
	ipc_store_relaxed(&r->icbmsg_classic_mask, classic);
	ipc_store_relaxed(&r->max_active, opts->icbmsg_max_active ? opts->icbmsg_max_active
								  : ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT);
}

int emu_board_create(const struct emu_dt_plan *plan, struct emu_segment *seg,
		     struct emu_core *core, const struct emu_board_opts *opts,
		     struct emu_board **out, char *err, size_t errlen)
{
	struct emu_board_opts defaults;
	struct emu_board *b;
	char scratch[8];
	int rc = 0;

	if (err == NULL || errlen == 0) {
		err = scratch;
		errlen = sizeof(scratch);
	}
	err[0] = '\0';
	if (plan == NULL || seg == NULL || core == NULL || out == NULL) {
		snprintf(err, errlen, "emu_board_create: missing argument");
		return -EINVAL;
	}
	if (opts == NULL) {
		emu_board_opts_default(&defaults);
		opts = &defaults;
	}
	if (opts->icmsg_rx_buf_size == 0 || opts->icmsg_rx_buf_size > UINT16_MAX) {
		snprintf(err, errlen, "ICMsg RX buffer size must be 1..65535 (is %u)",
			 opts->icmsg_rx_buf_size);
		return -EINVAL;
	}
	if (opts->icbmsg_version > EMU_ICBMSG_V2) {
		snprintf(err, errlen, "ICBMsg version must be 0 (devicetree), %d (classic) or %d "
			 "(v2) (is %u)", EMU_ICBMSG_CLASSIC, EMU_ICBMSG_V2, opts->icbmsg_version);
		return -EINVAL;
	}
	if (opts->icbmsg_max_active != 0 &&
	    (opts->icbmsg_max_active < ICBMSG_V2_MAX_ACTIVE_COUNT_MIN ||
	     opts->icbmsg_max_active > ICBMSG_V2_MAX_ACTIVE_COUNT_MAX)) {
		snprintf(err, errlen, "ICBMsg v2 MAX_ACTIVE_COUNT must be %d..%d (is %u)",
			 ICBMSG_V2_MAX_ACTIVE_COUNT_MIN, ICBMSG_V2_MAX_ACTIVE_COUNT_MAX,
			 opts->icbmsg_max_active);
		return -EINVAL;
	}
	if (opts->icbmsg_num_ept < 1 || opts->icbmsg_num_ept > ICBMSG_NUM_EPT_MAX) {
		snprintf(err, errlen, "ICBMsg endpoints per instance must be 1..%u (is %u)",
			 ICBMSG_NUM_EPT_MAX, opts->icbmsg_num_ept);
		return -EINVAL;
	}
	if (opts->icmsg_bond_notify_ms < 1 || opts->icmsg_bond_notify_ms > 100) {
		snprintf(err, errlen, "ICMsg bond notify repeat must be 1..100 ms (is %u)",
			 opts->icmsg_bond_notify_ms);
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		return -ENOMEM;
	}
	b->core = core;
	if (opts->cache_model) {
		rc = emu_cache_create(opts->cache_seed, &b->cache);
		if (rc < 0) {
			free(b);
			return rc;
		}
	}
	rc = mbox_create(b, plan, err, errlen);
	if (rc == 0) {
		rc = ipm_create(b, plan, opts, err, errlen);
	}
	if (rc < 0) {
		goto fail;
	}
	for (unsigned i = 0; i < plan->n_inst && i < EMU_DT_MAX_INST; i++) {
		const struct emu_dt_inst *in = &plan->inst[i];

		snprintf(b->labels[b->n], sizeof(b->labels[0]), "%s", in->label);
		if (in->backend == EMU_BACKEND_ICMSG) {
			rc = icmsg_create(in, seg, b->cache, core, opts, &b->icmsg[b->n], err, errlen);
		} else if (emu_board_icbmsg_version(in, opts) == EMU_ICBMSG_V2) {
			rc = icbmsg_v2_create(in, seg, b->cache, core, opts, &b->icbmsg_v2[b->n], err,
					      errlen);
		} else {
			rc = icbmsg_create(in, seg, b->cache, core, opts, &b->icbmsg[b->n], err, errlen);
		}
		if (rc < 0) {
			goto fail;
		}
		b->n++;
	}
	publish_icbmsg_versions(plan, seg, core, opts);
	*out = b;
	return 0;

fail:
	emu_board_destroy(b);
	return rc;
}

void emu_board_destroy(struct emu_board *b)
{
	if (b == NULL) {
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		icmsg_free(b->icmsg[i]);
		icbmsg_free(b->icbmsg[i]);
		icbmsg_v2_free(b->icbmsg_v2[i]);
	}
	for (unsigned i = 0; i < b->n_ipm; i++) {
		emu_ipm_destroy(b->ipm[i]);
	}
	/* The primary last: the instances above used it until they closed. */
	for (unsigned i = b->n_mbox; i-- > 0;) {
		emu_core_mbox_remove(b->core, b->mbox[i]);
	}
	/* After the instances: nothing uses the views any more. */
	emu_board_log_cache_stats(b);
	emu_cache_destroy(b->cache);
	free(b);
}

void emu_board_log_cache_stats(struct emu_board *b)
{
	struct emu_cache_stats st;

	if (b == NULL || b->cache == NULL) {
		return;
	}
	emu_cache_get_stats(b->cache, &st);
	port_log(PORT_LOG_INF,
		 "cache model: %llu flushes (%llu lines written back), %llu invalidates "
		 "(%llu lines refetched), %llu evictions (%llu dirty)",
		 (unsigned long long)st.flushes, (unsigned long long)st.lines_written_back,
		 (unsigned long long)st.invalidates, (unsigned long long)st.lines_refetched,
		 (unsigned long long)st.evictions, (unsigned long long)st.evicted_dirty);
}

struct emu_cache *emu_board_cache(struct emu_board *b)
{
	return b != NULL ? b->cache : NULL;
}

const struct device *emu_board_device(struct emu_board *b, const char *label)
{
	if (b == NULL || label == NULL) {
		return NULL;
	}
	for (unsigned i = 0; i < b->n; i++) {
		if (strcmp(b->labels[i], label) != 0) {
			continue;
		}
		if (b->icmsg[i] != NULL) {
			return &b->icmsg[i]->dev;
		}
		if (b->icbmsg[i] != NULL) {
			return &b->icbmsg[i]->dev;
		}
		if (b->icbmsg_v2[i] != NULL) {
			return &b->icbmsg_v2[i]->dev;
		}
	}
	for (unsigned i = 0; i < b->n_mbox; i++) {
		if (strcmp(b->mbox_labels[i], label) == 0) {
			return b->mbox[i];
		}
	}
	for (unsigned i = 0; i < b->n_ipm; i++) {
		if (strcmp(b->ipm_labels[i], label) == 0) {
			return b->ipm[i];
		}
	}
	return NULL;
}

int emu_board_mbox_dt_spec(struct emu_board *b, const char *node, const char *name,
			   struct mbox_dt_spec *out)
{
	if (b == NULL || node == NULL || name == NULL || out == NULL) {
		return -EINVAL;
	}
	for (unsigned u = 0; u < b->n_user; u++) {
		const struct emu_dt_mbox_user *us = &b->users[u];

		if (strncmp(us->label, node, sizeof(us->label)) != 0) {
			continue;
		}
		for (unsigned i = 0; i < us->n_chan && i < EMU_DT_MAX_USER_CHANNELS; i++) {
			if (strncmp(us->chan[i].name, name, sizeof(us->chan[i].name)) != 0 ||
			    us->chan[i].mbox >= b->n_mbox) {
				continue;
			}
			*out = (struct mbox_dt_spec){.dev = b->mbox[us->chan[i].mbox],
						     .channel_id = us->chan[i].channel};
			return 0;
		}
		return -ENOENT;
	}
	return -ENOENT;
}
