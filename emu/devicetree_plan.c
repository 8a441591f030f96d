/*
 * devicetree_plan.c - using a link plan read by devicetree.c: the remote's
 * mirror of a host plan, and the lookups by label (emu_dt_find*).
 */
#include <stdio.h>
#include <string.h>

#include "devicetree_internal.h"

void emu_dt_mirror(const struct emu_dt_plan *in, struct emu_dt_plan *out)
{
	struct emu_dt_plan m;
	const char pre[] = "<mirror of ";
	size_t n;

	if (!in || !out)
		return;
	m = *in; /* `in` and `out` may be the same plan */
	n = strnlen(in->source, sizeof in->source);
	if (n > sizeof m.source - sizeof pre - 1)
		n = sizeof m.source - sizeof pre - 1;
	memcpy(m.source, pre, sizeof pre - 1);
	memcpy(m.source + sizeof pre - 1, in->source, n);
	m.source[sizeof pre - 1 + n] = '>';
	m.source[sizeof pre + n] = '\0';
	if (m.n_inst > EMU_DT_MAX_INST)
		m.n_inst = EMU_DT_MAX_INST;
	for (unsigned i = 0; i < m.n_inst; i++) {
		struct emu_dt_inst *x = &m.inst[i];
		struct emu_dt_region r = x->tx;
		uint32_t t = x->mbox_tx;

		x->tx = x->rx;
		x->rx = r;
		x->mbox_tx = x->mbox_rx;
		x->mbox_rx = t;
		t = x->tx_blocks;
		x->tx_blocks = x->rx_blocks;
		x->rx_blocks = t;
	}
	if (m.n_mbox > EMU_DT_MAX_MBOX)
		m.n_mbox = EMU_DT_MAX_MBOX;
	for (unsigned i = 0; i < m.n_mbox; i++) {
		uint32_t t = m.mbox[i].tx_mask;

		m.mbox[i].tx_mask = m.mbox[i].rx_mask;
		m.mbox[i].rx_mask = t;
	}
	if (m.n_mbox_user > EMU_DT_MAX_MBOX_USER)
		m.n_mbox_user = EMU_DT_MAX_MBOX_USER;
	for (unsigned i = 0; i < m.n_mbox_user; i++) {
		struct emu_dt_mbox_user *u = &m.mbox_user[i];

		if (u->n_chan > EMU_DT_MAX_USER_CHANNELS)
			u->n_chan = EMU_DT_MAX_USER_CHANNELS;
		for (unsigned k = 0; k < u->n_chan; k++) {
			u->chan[k].tx = !u->chan[k].tx;
			dt_name_flip(u->chan[k].name);
		}
	}
	if (m.n_ipm > EMU_DT_MAX_IPM)
		m.n_ipm = EMU_DT_MAX_IPM;
	for (unsigned i = 0; i < m.n_ipm; i++) {
		bool t = m.ipm[i].tx;

		m.ipm[i].tx = m.ipm[i].rx;
		m.ipm[i].rx = t;
	}
	*out = m;
}

const struct emu_dt_inst *emu_dt_find(const struct emu_dt_plan *plan, const char *label)
{
	size_t n;

	if (!plan || !label)
		return NULL;
	n = strlen(label);
	if (n >= sizeof plan->inst[0].label)
		return NULL;
	for (unsigned i = 0; i < plan->n_inst && i < EMU_DT_MAX_INST; i++) {
		if (memcmp(plan->inst[i].label, label, n + 1) == 0)
			return &plan->inst[i];
	}
	return NULL;
}

/* Labels in plans from callers are not trusted to be terminated. */
static bool label_is(const char *field, size_t size, const char *label, size_t n)
{
	return n < size && memcmp(field, label, n) == 0 && field[n] == '\0';
}

const struct emu_dt_mbox *emu_dt_find_mbox(const struct emu_dt_plan *plan, const char *label)
{
	if (!plan || !label)
		return NULL;
	for (unsigned i = 0; i < plan->n_mbox && i < EMU_DT_MAX_MBOX; i++) {
		if (label_is(plan->mbox[i].label, sizeof plan->mbox[i].label, label, strlen(label)))
			return &plan->mbox[i];
	}
	return NULL;
}

const struct emu_dt_mbox_user *emu_dt_find_mbox_user(const struct emu_dt_plan *plan,
						     const char *label)
{
	if (!plan || !label)
		return NULL;
	for (unsigned i = 0; i < plan->n_mbox_user && i < EMU_DT_MAX_MBOX_USER; i++) {
		const struct emu_dt_mbox_user *u = &plan->mbox_user[i];

		if (label_is(u->label, sizeof u->label, label, strlen(label)))
			return u;
	}
	return NULL;
}

const struct emu_dt_ipm *emu_dt_find_ipm(const struct emu_dt_plan *plan, const char *label)
{
	if (!plan || !label)
		return NULL;
	for (unsigned i = 0; i < plan->n_ipm && i < EMU_DT_MAX_IPM; i++) {
		if (label_is(plan->ipm[i].label, sizeof plan->ipm[i].label, label, strlen(label)))
			return &plan->ipm[i];
	}
	return NULL;
}

/* check_pair messages: "<remote source>: <remote node>: <property>: <problem>" */
