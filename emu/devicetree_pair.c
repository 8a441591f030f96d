/*
 * devicetree_pair.c - emu_dt_check_pair(): do a host plan and a remote plan
 * describe the same link, each from its own side (instances, regions,
 * mailboxes, MBOX users, IPM devices)?  One line in err names the first
 * difference.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "devicetree_internal.h"

struct pair {
	const struct emu_dt_plan *h, *r;
	char *err;
	size_t errlen;
};

static int pfail(const struct pair *p, const char *rnode, size_t rnode_size, const char *prop,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int pfail(const struct pair *p, const char *rnode, size_t rnode_size, const char *prop,
		 const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dt_set_err(p->err, p->errlen, "%.*s: %.*s: %s: %s", FIELD_LEN(p->r->source), p->r->source,
		(int)strnlen(rnode, rnode_size), rnode, prop, msg);
	return -EINVAL;
}

static const char *backend_name(enum emu_backend b)
{
	return b == EMU_BACKEND_ICMSG ? COMPAT_ICMSG : b == EMU_BACKEND_ICBMSG ? COMPAT_ICBMSG : "?";
}

static bool unbound_valid(enum emu_unbound u)
{
	return u == EMU_UNBOUND_DISABLE || u == EMU_UNBOUND_ENABLE || u == EMU_UNBOUND_DETECT;
}

static bool same_region(const struct emu_dt_region *a, const struct emu_dt_region *b)
{
	return a->addr == b->addr && a->size == b->size;
}

/* The remote's `rprop` region `rr` must be the host's `want` region. */
static int pair_region(const struct pair *p, const struct emu_dt_inst *ri,
		       const struct emu_dt_inst *hi, const char *rprop,
		       const struct emu_dt_region *rr, const char *wprop,
		       const struct emu_dt_region *want, const struct emu_dt_region *other)
{
	const char *H = p->h->source;
	int hl = FIELD_LEN(p->h->source), nl = FIELD_LEN(hi->node);

	if (same_region(rr, want))
		return 0;
	if (rr->addr == want->addr)
		return pfail(p, ri->node, sizeof ri->node, rprop, "size 0x%" PRIx64
			     " differs from %.*s %.*s %s size 0x%" PRIx64, rr->size, hl, H, nl,
			     hi->node, wprop, want->size);
	if (same_region(rr, other))
		return pfail(p, ri->node, sizeof ri->node, rprop, "0x%" PRIx64 "+0x%" PRIx64
			     " is also the %s of %.*s %.*s (regions not swapped)", rr->addr,
			     rr->size, rprop, hl, H, nl, hi->node);
	return pfail(p, ri->node, sizeof ri->node, rprop, "0x%" PRIx64 "+0x%" PRIx64
		     " is not the %s of %.*s %.*s (0x%" PRIx64 "+0x%" PRIx64 ")", rr->addr,
		     rr->size, wprop, hl, H, nl, hi->node, want->addr, want->size);
}

static int pair_inst(const struct pair *p, const struct emu_dt_inst *hi,
		     const struct emu_dt_inst *ri)
{
	const char *H = p->h->source;
	int hl = FIELD_LEN(p->h->source), nl = FIELD_LEN(hi->node);
	int rc;

	if (ri->backend != hi->backend)
		return pfail(p, ri->node, sizeof ri->node, "compatible", "%s, but %.*s %.*s is %s",
			     backend_name(ri->backend), hl, H, nl, hi->node,
			     backend_name(hi->backend));
	rc = pair_region(p, ri, hi, "tx-region", &ri->tx, "rx-region", &hi->rx, &hi->tx);
	if (rc == 0)
		rc = pair_region(p, ri, hi, "rx-region", &ri->rx, "tx-region", &hi->tx, &hi->rx);
	if (rc < 0)
		return rc;
	if (ri->dcache_alignment != hi->dcache_alignment)
		return pfail(p, ri->node, sizeof ri->node, "dcache-alignment", "%" PRIu32
			     " differs from %.*s %.*s (%" PRIu32 ")", ri->dcache_alignment, hl, H,
			     nl, hi->node, hi->dcache_alignment);
	if (ri->mbox_tx != hi->mbox_rx)
		return pfail(p, ri->node, sizeof ri->node, "mboxes", "tx channel %" PRIu32
			     " is not the rx channel of %.*s %.*s (%" PRIu32 ")", ri->mbox_tx, hl,
			     H, nl, hi->node, hi->mbox_rx);
	if (ri->mbox_rx != hi->mbox_tx)
		return pfail(p, ri->node, sizeof ri->node, "mboxes", "rx channel %" PRIu32
			     " is not the tx channel of %.*s %.*s (%" PRIu32 ")", ri->mbox_rx, hl,
			     H, nl, hi->node, hi->mbox_tx);
	if (hi->backend == EMU_BACKEND_ICBMSG) {
		if (ri->tx_blocks != hi->rx_blocks)
			return pfail(p, ri->node, sizeof ri->node, "tx-blocks", "%" PRIu32
				     " is not the rx-blocks of %.*s %.*s (%" PRIu32
				     "; block counts must be swapped)", ri->tx_blocks, hl, H, nl,
				     hi->node, hi->rx_blocks);
		if (ri->rx_blocks != hi->tx_blocks)
			return pfail(p, ri->node, sizeof ri->node, "rx-blocks", "%" PRIu32
				     " is not the tx-blocks of %.*s %.*s (%" PRIu32
				     "; block counts must be swapped)", ri->rx_blocks, hl, H, nl,
				     hi->node, hi->tx_blocks);
		if (dt_icbmsg_version_of(ri) != dt_icbmsg_version_of(hi))
			return pfail(p, ri->node, sizeof ri->node, ICBMSG_VERSION_PROP, "%s differs "
				     "from %.*s %.*s (%s): a classic ICBMsg instance cannot talk to "
				     "a v2 one", dt_icbmsg_version_name(ri->icbmsg_version), hl, H, nl,
				     hi->node, dt_icbmsg_version_name(hi->icbmsg_version));
	} else {
		/* spec 2.4: detect pairs with anything, disable and enable only
		 * with themselves */
		bool ok = ri->unbound == hi->unbound || ri->unbound == EMU_UNBOUND_DETECT ||
			  hi->unbound == EMU_UNBOUND_DETECT;

		if (!ok || !unbound_valid(ri->unbound) || !unbound_valid(hi->unbound))
			return pfail(p, ri->node, sizeof ri->node, "unbound",
				     "\"%s\" cannot pair with \"%s\" of %.*s %.*s"
				     " (disable and enable are incompatible; detect pairs with both)",
				     emu_unbound_name(ri->unbound), emu_unbound_name(hi->unbound), hl, H, nl,
				     hi->node);
	}
	return 0;
}

static int pair_mbox(const struct pair *p, const struct emu_dt_mbox *hm,
		     const struct emu_dt_mbox *rm)
{
	const char *H = p->h->source;
	int hl = FIELD_LEN(p->h->source), nl = FIELD_LEN(hm->node);

	if (rm->index != hm->index)
		return pfail(p, rm->node, sizeof rm->node, "label",
			     "MBOX controller #%" PRIu32 " here but #%" PRIu32 " in %.*s %.*s (#0 is"
			     " the controller of the ICMsg/ICBMsg instances, the others follow in "
			     "label order)", rm->index, hm->index, hl, H, nl, hm->node);
	if (rm->mtu != hm->mtu)
		return pfail(p, rm->node, sizeof rm->node, "ipc-emu,mtu", "%" PRIu32
			     " differs from %.*s %.*s (%" PRIu32 ")", rm->mtu, hl, H, nl, hm->node,
			     hm->mtu);
	if (rm->channels != hm->channels)
		return pfail(p, rm->node, sizeof rm->node, "ipc-emu,channels", "%" PRIu32
			     " differs from %.*s %.*s (%" PRIu32 ")", rm->channels, hl, H, nl,
			     hm->node, hm->channels);
	return 0;
}

/* Channel directions of a controller: checked after the users of the channels
 * (instances, consumers), whose messages name the node that is wrong. */
static int pair_mbox_masks(const struct pair *p, const struct emu_dt_mbox *hm,
			   const struct emu_dt_mbox *rm)
{
	const char *H = p->h->source;
	int hl = FIELD_LEN(p->h->source), nl = FIELD_LEN(hm->node);

	if (rm->tx_mask != hm->rx_mask)
		return pfail(p, rm->node, sizeof rm->node, "mboxes", "outbound channels 0x%" PRIx32
			     " are not the inbound channels of %.*s %.*s (0x%" PRIx32 ")",
			     rm->tx_mask, hl, H, nl, hm->node, hm->rx_mask);
	if (rm->rx_mask != hm->tx_mask)
		return pfail(p, rm->node, sizeof rm->node, "mboxes", "inbound channels 0x%" PRIx32
			     " are not the outbound channels of %.*s %.*s (0x%" PRIx32 ")",
			     rm->rx_mask, hl, H, nl, hm->node, hm->tx_mask);
	return 0;
}

/* Same controllers (by label); with `masks`, swapped directions. */
static int pair_mboxes(const struct pair *p, bool masks)
{
	const struct emu_dt_plan *h = p->h, *r = p->r;
	unsigned hn = h->n_mbox < EMU_DT_MAX_MBOX ? h->n_mbox : EMU_DT_MAX_MBOX;
	unsigned rn = r->n_mbox < EMU_DT_MAX_MBOX ? r->n_mbox : EMU_DT_MAX_MBOX;
	int rc;

	for (unsigned i = 0; i < hn; i++) {
		const struct emu_dt_mbox *hm = &h->mbox[i];
		char label[sizeof hm->label];
		const struct emu_dt_mbox *rm;

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(hm->label), hm->label);
		rm = emu_dt_find_mbox(r, label);
		if (!rm)
			return pfail(p, "/", 2, "mboxes",
				     "no MBOX controller labelled \"%s\" (%.*s has %.*s)", label,
				     FIELD_LEN(h->source), h->source, FIELD_LEN(hm->node), hm->node);
		rc = masks ? pair_mbox_masks(p, hm, rm) : pair_mbox(p, hm, rm);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < rn && !masks; i++) {
		const struct emu_dt_mbox *rm = &r->mbox[i];
		char label[sizeof rm->label];

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(rm->label), rm->label);
		if (!emu_dt_find_mbox(h, label))
			return pfail(p, rm->node, sizeof rm->node, "label",
				     "\"%s\" has no MBOX controller in %.*s", label,
				     FIELD_LEN(h->source), h->source);
	}
	return 0;
}

/* Label of the controller of consumer channel `ch`, "" if out of range. */
static const char *chan_ctrl(const struct emu_dt_plan *pl, const struct emu_dt_mbox_chan *ch)
{
	if (ch->mbox >= pl->n_mbox || ch->mbox >= EMU_DT_MAX_MBOX)
		return "";
	return pl->mbox[ch->mbox].label;
}

static bool same_ctrl(const struct emu_dt_plan *a, const struct emu_dt_mbox_chan *ca,
		      const struct emu_dt_plan *b, const struct emu_dt_mbox_chan *cb)
{
	const char *x = chan_ctrl(a, ca), *y = chan_ctrl(b, cb);
	size_t n = strnlen(x, sizeof a->mbox[0].label);

	return ca->channel == cb->channel && n == strnlen(y, sizeof b->mbox[0].label) &&
	       memcmp(x, y, n) == 0;
}

/* One consumer: the remote's specifiers are the host's (same controller by
 * label, same channel) with the direction swapped; names may differ. */
static int pair_mbox_user(const struct pair *p, const struct emu_dt_mbox_user *hu,
			  const struct emu_dt_mbox_user *ru)
{
	const char *H = p->h->source;
	int hl = FIELD_LEN(p->h->source), nl = FIELD_LEN(hu->node);
	unsigned hn = hu->n_chan < EMU_DT_MAX_USER_CHANNELS ? hu->n_chan : EMU_DT_MAX_USER_CHANNELS;
	unsigned rn = ru->n_chan < EMU_DT_MAX_USER_CHANNELS ? ru->n_chan : EMU_DT_MAX_USER_CHANNELS;

	if (rn != hn)
		return pfail(p, ru->node, sizeof ru->node, "mboxes",
			     "%u specifier(s), but %.*s %.*s has %u", rn, hl, H, nl, hu->node, hn);
	for (unsigned i = 0; i < hn; i++) {
		const struct emu_dt_mbox_chan *hc = &hu->chan[i];
		const struct emu_dt_mbox_chan *rch = NULL;
		const char *ctrl = chan_ctrl(p->h, hc);
		int cl = (int)strnlen(ctrl, sizeof p->h->mbox[0].label);

		for (unsigned k = 0; k < rn && !rch; k++) {
			if (same_ctrl(p->h, hc, p->r, &ru->chan[k]))
				rch = &ru->chan[k];
		}
		if (!rch)
			return pfail(p, ru->node, sizeof ru->node, "mboxes",
				     "no specifier <&%.*s %" PRIu32 "> (\"%.*s\" of %.*s %.*s)", cl,
				     ctrl, hc->channel, FIELD_LEN(hc->name), hc->name, hl, H, nl,
				     hu->node);
		if (rch->tx == hc->tx)
			return pfail(p, ru->node, sizeof ru->node, "mbox-names",
				     "\"%.*s\" makes <&%.*s %" PRIu32 "> %s, as \"%.*s\" does in "
				     "%.*s %.*s (directions must be swapped)", FIELD_LEN(rch->name),
				     rch->name, cl, ctrl, rch->channel, rch->tx ? "outbound" : "inbound",
				     FIELD_LEN(hc->name), hc->name, hl, H, nl, hu->node);
	}
	return 0;
}

/* Same MBOX consumers (by label), each channel used the other way round. */
static int pair_mbox_users(const struct pair *p)
{
	const struct emu_dt_plan *h = p->h, *r = p->r;
	unsigned hn = h->n_mbox_user < EMU_DT_MAX_MBOX_USER ? h->n_mbox_user : EMU_DT_MAX_MBOX_USER;
	unsigned rn = r->n_mbox_user < EMU_DT_MAX_MBOX_USER ? r->n_mbox_user : EMU_DT_MAX_MBOX_USER;
	int rc;

	for (unsigned i = 0; i < hn; i++) {
		const struct emu_dt_mbox_user *hu = &h->mbox_user[i];
		char label[sizeof hu->label];
		const struct emu_dt_mbox_user *ru;

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(hu->label), hu->label);
		ru = emu_dt_find_mbox_user(r, label);
		if (!ru)
			return pfail(p, "/", 2, "label",
				     "no MBOX consumer labelled \"%s\" (%.*s has %.*s)", label,
				     FIELD_LEN(h->source), h->source, FIELD_LEN(hu->node), hu->node);
		rc = pair_mbox_user(p, hu, ru);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < rn; i++) {
		const struct emu_dt_mbox_user *ru = &r->mbox_user[i];
		char label[sizeof ru->label];

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(ru->label), ru->label);
		if (!emu_dt_find_mbox_user(h, label))
			return pfail(p, ru->node, sizeof ru->node, "label",
				     "\"%s\" has no MBOX consumer in %.*s", label,
				     FIELD_LEN(h->source), h->source);
	}
	return 0;
}

static const char *ipm_compat(enum emu_ipm_kind k)
{
	return k == EMU_IPM_IMX_MU ? COMPAT_IPM_IMX : k == EMU_IPM_GENERIC ? COMPAT_IPM_EMU : "?";
}

static const char *ipm_dir(const struct emu_dt_ipm *d)
{
	return d->tx && d->rx ? "both" : d->tx ? "tx" : d->rx ? "rx" : "none";
}

static int pair_ipm(const struct pair *p, const struct emu_dt_ipm *hd, const struct emu_dt_ipm *rd)
{
	const char *H = p->h->source;
	int hl = FIELD_LEN(p->h->source), nl = FIELD_LEN(hd->node);

	if (rd->kind != hd->kind)
		return pfail(p, rd->node, sizeof rd->node, "compatible", "%s, but %.*s %.*s is %s",
			     ipm_compat(rd->kind), hl, H, nl, hd->node, ipm_compat(hd->kind));
	if (rd->index != hd->index)
		return pfail(p, rd->node, sizeof rd->node, "label",
			     "IPM device #%" PRIu32 " here but #%" PRIu32 " in %.*s %.*s (IPM devices"
			     " are numbered in label order)", rd->index, hd->index, hl, H, nl,
			     hd->node);
	if (rd->data_size != hd->data_size)
		return pfail(p, rd->node, sizeof rd->node,
			     rd->kind == EMU_IPM_IMX_MU ? "ipc-emu,data-size" : "data-size",
			     "%" PRIu32 " differs from %.*s %.*s (%" PRIu32 ")", rd->data_size, hl, H,
			     nl, hd->node, hd->data_size);
	if (rd->max_id != hd->max_id)
		return pfail(p, rd->node, sizeof rd->node, "max-id", "%" PRIu32
			     " differs from %.*s %.*s (%" PRIu32 ")", rd->max_id, hl, H, nl,
			     hd->node, hd->max_id);
	if (rd->tx != hd->rx || rd->rx != hd->tx)
		return pfail(p, rd->node, sizeof rd->node, "direction",
			     "\"%s\" does not mirror \"%s\" of %.*s %.*s (tx pairs with rx, both "
			     "with both)", ipm_dir(rd), ipm_dir(hd), hl, H, nl, hd->node);
	return 0;
}

/* Same IPM devices (by label), same geometry, swapped directions. */
static int pair_ipms(const struct pair *p)
{
	const struct emu_dt_plan *h = p->h, *r = p->r;
	unsigned hn = h->n_ipm < EMU_DT_MAX_IPM ? h->n_ipm : EMU_DT_MAX_IPM;
	unsigned rn = r->n_ipm < EMU_DT_MAX_IPM ? r->n_ipm : EMU_DT_MAX_IPM;
	int rc;

	for (unsigned i = 0; i < hn; i++) {
		const struct emu_dt_ipm *hd = &h->ipm[i];
		char label[sizeof hd->label];
		const struct emu_dt_ipm *rd;

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(hd->label), hd->label);
		rd = emu_dt_find_ipm(r, label);
		if (!rd)
			return pfail(p, "/", 2, "compatible",
				     "no IPM device labelled \"%s\" (%.*s has %.*s)", label,
				     FIELD_LEN(h->source), h->source, FIELD_LEN(hd->node), hd->node);
		rc = pair_ipm(p, hd, rd);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < rn; i++) {
		const struct emu_dt_ipm *rd = &r->ipm[i];
		char label[sizeof rd->label];

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(rd->label), rd->label);
		if (!emu_dt_find_ipm(h, label))
			return pfail(p, rd->node, sizeof rd->node, "label",
				     "\"%s\" has no IPM device in %.*s", label,
				     FIELD_LEN(h->source), h->source);
	}
	return 0;
}

/* Overlaps inside one plan (plans may come from elsewhere than our loader). */
static int pair_overlaps(const struct pair *p, const struct emu_dt_plan *pl)
{
	for (unsigned i = 0; i < pl->n_inst; i++) {
		const struct emu_dt_inst *a = &pl->inst[i];
		const struct emu_dt_region *ra[2] = { &a->tx, &a->rx };

		for (unsigned j = 0; j <= i; j++) {
			const struct emu_dt_inst *b = &pl->inst[j];
			const struct emu_dt_region *rb[2] = { &b->tx, &b->rx };

			for (int x = 0; x < 2; x++) {
				for (int y = 0; y < 2; y++) {
					if ((i == j && x <= y) || !dt_overlap(ra[x], rb[y]))
						continue;
					dt_set_err(p->err, p->errlen, "%.*s: %.*s: %s: overlaps %s of %.*s",
						FIELD_LEN(pl->source), pl->source,
						FIELD_LEN(a->node), a->node,
						x ? "rx-region" : "tx-region",
						y ? "rx-region" : "tx-region",
						FIELD_LEN(b->node), b->node);
					return -EINVAL;
				}
			}
		}
	}
	return 0;
}

int emu_dt_check_pair(const struct emu_dt_plan *host, const struct emu_dt_plan *remote, char *err,
		      size_t errlen)
{
	struct pair p = { .h = host, .r = remote, .err = err, .errlen = errlen };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!host || !remote) {
		dt_set_err(err, errlen, "emu_dt_check_pair: NULL plan");
		return -EINVAL;
	}
	if (host->n_inst > EMU_DT_MAX_INST || remote->n_inst > EMU_DT_MAX_INST) {
		const struct emu_dt_plan *bad = host->n_inst > EMU_DT_MAX_INST ? host : remote;

		dt_set_err(err, errlen, "%.*s: /: compatible: %u instances (at most %d)",
			FIELD_LEN(bad->source), bad->source, bad->n_inst, EMU_DT_MAX_INST);
		return -EINVAL;
	}
	rc = pair_overlaps(&p, host);
	if (rc == 0)
		rc = pair_overlaps(&p, remote);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < host->n_inst; i++) {
		const struct emu_dt_inst *hi = &host->inst[i];
		char label[sizeof hi->label];
		const struct emu_dt_inst *ri;

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(hi->label), hi->label);
		ri = emu_dt_find(remote, label);
		if (!ri)
			return pfail(&p, "/", 2, "label", "no instance labelled \"%s\" (%.*s has %.*s)",
				     label, FIELD_LEN(host->source), host->source,
				     FIELD_LEN(hi->node), hi->node);
		rc = pair_inst(&p, hi, ri);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < remote->n_inst; i++) {
		const struct emu_dt_inst *ri = &remote->inst[i];
		char label[sizeof ri->label];

		snprintf(label, sizeof label, "%.*s", FIELD_LEN(ri->label), ri->label);
		if (!emu_dt_find(host, label))
			return pfail(&p, ri->node, sizeof ri->node, "label",
				     "\"%s\" has no instance in %.*s", label,
				     FIELD_LEN(host->source), host->source);
	}
	rc = pair_mboxes(&p, false);
	if (rc == 0)
		rc = pair_mbox_users(&p);
	if (rc == 0)
		rc = pair_mboxes(&p, true);
	if (rc == 0)
		rc = pair_ipms(&p);
	return rc;
}
