/*
 * topology.c - more than two cores (include/ipc_emu/topology.h): load one
 * devicetree per core, pair every ICMsg/ICBMsg instance with the one
 * instance of another core whose tx-region is its rx-region and whose
 * rx-region is its tx-region, and cut each pair into the two one-instance
 * plans that a two-core link runs on.
 *
 * The order of the checks, so that the first problem reported is the most
 * specific one (every refusal is one line naming the files and nodes):
 *   1. core names (before any file is read), then each file as
 *      emu_dt_load_file_opts() reads it;
 *   2. a core without instance;
 *   3. per instance, in core order then file order: no partner (half match,
 *      a region shared the wrong way or overlapping, dangling) or two;
 *   4. regions of different links that overlap (only possible between links
 *      without a common core: a file refuses overlaps of its own regions);
 *   5. an MBOX channel of a core used by two of its links, counting the
 *      channels each peer believes it uses on that core's controller;
 *   6. emu_dt_check_pair() of each link's two views.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/topology.h"

#include "devicetree_internal.h"

enum { TOPO_MSG = 1024 };

/* Where an instance is: core index, instance index. */
struct at {
	unsigned c, i;
};

struct ctx {
	const struct emu_topo *t;
	char msg[TOPO_MSG];
};

static void fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
	dt_one_line(x->msg);
}

static const char *src(const struct emu_topo *t, unsigned c)
{
	return t->core[c].plan.source;
}

static const struct emu_dt_inst *inst_at(const struct emu_topo *t, struct at a)
{
	return &t->core[a.c].plan.inst[a.i];
}

static bool same(const struct emu_dt_region *a, const struct emu_dt_region *b)
{
	return a->addr == b->addr && a->size == b->size;
}

static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len >= EMU_TOPO_NAME_LEN)
		return false;
	for (size_t k = 0; k < len; k++) {
		char ch = n[k];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	return true;
}

/* "dir/cpuapp.dts" -> "cpuapp" (bounded; validated by the caller). */
static void base_name(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	const char *dot;
	size_t n;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	if (n >= len)
		n = len - 1;
	memcpy(out, b, n);
	out[n] = '\0';
}

static int names(const struct emu_topo_core_spec *cores, unsigned n, struct emu_topo *t,
		 struct ctx *x)
{
	for (unsigned c = 0; c < n; c++) {
		const char *path = cores[c].path;
		char shown[EMU_TOPO_NAME_LEN + 8];

		if (!path || path[0] == '\0') {
			fail(x, "core %u: no devicetree file", c + 1);
			return -EINVAL;
		}
		snprintf(t->core[c].path, sizeof t->core[c].path, "%s", path);
		if (cores[c].name) {
			if (!name_ok(cores[c].name)) {
				snprintf(shown, sizeof shown, "%.*s%s", EMU_TOPO_NAME_LEN,
					 cores[c].name,
					 strlen(cores[c].name) > EMU_TOPO_NAME_LEN ? "..." : "");
				fail(x, "%s: core name \"%s\" is not 1 to %d characters of "
				     "[A-Za-z0-9_]", path, shown, EMU_TOPO_NAME_LEN - 1);
				return -EINVAL;
			}
			snprintf(t->core[c].name, sizeof t->core[c].name, "%s", cores[c].name);
		} else {
			char full[256];

			base_name(path, full, sizeof full);
			if (!name_ok(full)) {
				snprintf(shown, sizeof shown, "%.*s%s", EMU_TOPO_NAME_LEN, full,
					 strlen(full) > EMU_TOPO_NAME_LEN ? "..." : "");
				fail(x, "%s: core name \"%s\" (the file name) is not 1 to %d "
				     "characters of [A-Za-z0-9_]: name the core with --core NAME=FILE",
				     path, shown, EMU_TOPO_NAME_LEN - 1);
				return -EINVAL;
			}
			memcpy(t->core[c].name, full, strlen(full) + 1); /* < 32: name_ok() */
		}
		for (unsigned d = 0; d < c; d++) {
			if (strcmp(t->core[d].name, t->core[c].name) == 0) {
				fail(x, "%s and %s: both cores are named \"%s\" (core names must "
				     "differ: --core NAME=FILE)", t->core[d].path, path,
				     t->core[c].name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Instances of other cores whose regions are ours swapped. */
static unsigned partners(const struct emu_topo *t, struct at me, struct at *found, unsigned max)
{
	const struct emu_dt_inst *a = inst_at(t, me);
	unsigned n = 0;

	for (unsigned c = 0; c < t->n_core; c++) {
		const struct emu_dt_plan *p = &t->core[c].plan;

		for (unsigned i = 0; c != me.c && i < p->n_inst; i++) {
			const struct emu_dt_inst *b = &p->inst[i];

			if (same(&b->tx, &a->rx) && same(&b->rx, &a->tx)) {
				if (n < max)
					found[n] = (struct at){ c, i };
				n++;
			}
		}
	}
	return n;
}

static const char *const rprop[2] = { "tx-region", "rx-region" };

static const struct emu_dt_region *reg(const struct emu_dt_inst *in, int d)
{
	return d ? &in->rx : &in->tx;
}

/* Why an instance has no partner: a half match, a region shared the wrong
 * way or overlapping one of another core, else nobody uses its regions. */
static void no_partner(struct ctx *x, struct at me)
{
	const struct emu_topo *t = x->t;
	const struct emu_dt_inst *a = inst_at(t, me);
	char others[512];
	size_t on = 0;

	/* Half match: one of our regions is the other's opposite one. */
	for (unsigned c = 0; c < t->n_core; c++) {
		const struct emu_dt_plan *p = &t->core[c].plan;

		for (unsigned i = 0; c != me.c && i < p->n_inst; i++) {
			const struct emu_dt_inst *b = &p->inst[i];

			for (int d = 0; d < 2; d++) {
				const struct emu_dt_region *mine = reg(a, d), *theirs = reg(b, !d);
				const struct emu_dt_region *m2 = reg(a, !d), *t2 = reg(b, d);

				if (!same(mine, theirs))
					continue;
				fail(x, "%s: %s: %s %s (0x%" PRIx64 "+0x%" PRIx64 ") is the %s of "
				     "%s %s, but its %s %s (0x%" PRIx64 "+0x%" PRIx64 ") is not that "
				     "instance's %s (0x%" PRIx64 "+0x%" PRIx64 ")", src(t, me.c),
				     a->node, rprop[d], mine->node, mine->addr, mine->size,
				     rprop[!d], src(t, c), b->node, rprop[!d], m2->node, m2->addr,
				     m2->size, rprop[d], t2->addr, t2->size);
				return;
			}
		}
	}
	/* Same direction, or overlapping without being the same region. */
	for (unsigned c = 0; c < t->n_core; c++) {
		const struct emu_dt_plan *p = &t->core[c].plan;

		for (unsigned i = 0; c != me.c && i < p->n_inst; i++) {
			const struct emu_dt_inst *b = &p->inst[i];

			for (int d = 0; d < 2; d++) {
				for (int e = 0; e < 2; e++) {
					const struct emu_dt_region *mine = reg(a, d);
					const struct emu_dt_region *theirs = reg(b, e);

					if (!dt_overlap(mine, theirs))
						continue;
					if (same(mine, theirs))
						fail(x, "%s: %s: %s %s (0x%" PRIx64 "+0x%" PRIx64
						     ") is also the %s of %s %s (one core's tx-region "
						     "is the other's rx-region)", src(t, me.c), a->node,
						     rprop[d], mine->node, mine->addr, mine->size,
						     rprop[e], src(t, c), b->node);
					else
						fail(x, "%s: %s: %s %s (0x%" PRIx64 "+0x%" PRIx64
						     ") overlaps the %s of %s %s (0x%" PRIx64 "+0x%"
						     PRIx64 "; both cores must name the same address "
						     "and size)", src(t, me.c), a->node, rprop[d],
						     mine->node, mine->addr, mine->size, rprop[e],
						     src(t, c), b->node, theirs->addr, theirs->size);
					return;
				}
			}
		}
	}
	others[0] = '\0';
	for (unsigned c = 0; c < t->n_core; c++) {
		if (c == me.c)
			continue;
		on += (size_t)snprintf(others + on, sizeof others - on, "%s%s", on ? ", " : "",
				       src(t, c));
		if (on >= sizeof others)
			break;
	}
	fail(x, "%s: %s: tx-region %s (0x%" PRIx64 "+0x%" PRIx64 ") is used by no instance of "
	     "another core (%s)", src(t, me.c), a->node, a->tx.node, a->tx.addr, a->tx.size,
	     others);
}

static int match(struct ctx *x, struct emu_topo *t)
{
	for (unsigned c = 0; c < t->n_core; c++) {
		for (unsigned i = 0; i < t->core[c].plan.n_inst; i++) {
			struct at me = { c, i }, f[2];
			const struct emu_dt_inst *a = inst_at(t, me);
			unsigned n = partners(t, me, f, 2);

			if (n == 0) {
				no_partner(x, me);
				return -EINVAL;
			}
			if (n > 1) {
				fail(x, "%s: %s: its regions (tx-region %s 0x%" PRIx64 "+0x%" PRIx64
				     ", rx-region %s 0x%" PRIx64 "+0x%" PRIx64 ") are claimed by %s %s "
				     "and %s %s (a region pair links two cores only)", src(t, c),
				     a->node, a->tx.node, a->tx.addr, a->tx.size, a->rx.node,
				     a->rx.addr, a->rx.size, src(t, f[0].c), inst_at(t, f[0])->node,
				     src(t, f[1].c), inst_at(t, f[1])->node);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Plan of one end of a link: the instance, its controller as #0 with the
 * instance's two channels only, base/size of its two regions. */
static void sub_plan(const struct emu_dt_plan *core, const struct emu_dt_inst *in,
		     struct emu_dt_plan *out)
{
	uint64_t lo, hi;

	memset(out, 0, sizeof *out);
	memcpy(out->source, core->source, sizeof out->source);
	out->n_inst = 1;
	out->inst[0] = *in;
	lo = in->tx.addr < in->rx.addr ? in->tx.addr : in->rx.addr;
	hi = in->tx.addr + in->tx.size > in->rx.addr + in->rx.size ? in->tx.addr + in->tx.size
								   : in->rx.addr + in->rx.size;
	out->base = lo;
	out->size = hi - lo;
	for (unsigned m = 0; m < core->n_mbox && m < EMU_DT_MAX_MBOX; m++) {
		if (strncmp(core->mbox[m].node, in->mbox_node, sizeof in->mbox_node) == 0) {
			out->mbox[0] = core->mbox[m];
			break;
		}
	}
	out->n_mbox = 1;
	out->mbox[0].index = 0;
	out->mbox[0].tx_mask = in->mbox_tx < 32 ? 1u << in->mbox_tx : 0;
	out->mbox[0].rx_mask = in->mbox_rx < 32 ? 1u << in->mbox_rx : 0;
}

static void make_links(struct emu_topo *t)
{
	for (unsigned c = 0; c < t->n_core; c++) {
		const struct emu_dt_plan *p = &t->core[c].plan;

		for (unsigned i = 0; i < p->n_inst; i++) {
			struct at me = { c, i }, f;
			struct emu_topo_link *l;

			partners(t, me, &f, 1);
			if (f.c < c)
				continue; /* made from the other side */
			l = &t->link[t->n_link++];
			l->core[0] = c;
			l->core[1] = f.c;
			{
				char nm[sizeof l->name];

				snprintf(nm, sizeof nm, "%.31s-%.31s.%.*s", t->core[c].name,
					 t->core[f.c].name, FIELD_LEN(p->inst[i].label),
					 p->inst[i].label);
				memcpy(l->name, nm, sizeof nm);
			}
			sub_plan(p, &p->inst[i], &l->plan[0]);
			sub_plan(&t->core[f.c].plan, inst_at(t, f), &l->plan[1]);
			t->core[c].n_link++;
			t->core[f.c].n_link++;
		}
	}
}

static int link_overlaps(struct ctx *x, const struct emu_topo *t)
{
	for (unsigned a = 0; a < t->n_link; a++) {
		const struct emu_dt_inst *ia = &t->link[a].plan[0].inst[0];

		for (unsigned b = 0; b < a; b++) {
			const struct emu_dt_inst *ib = &t->link[b].plan[0].inst[0];

			for (int d = 0; d < 2; d++) {
				for (int e = 0; e < 2; e++) {
					const struct emu_dt_region *ra = reg(ia, d), *rb = reg(ib, e);

					if (!dt_overlap(ra, rb))
						continue;
					fail(x, "%s: %s: %s %s (0x%" PRIx64 "+0x%" PRIx64 ") "
					     "overlaps the %s %s (0x%" PRIx64 "+0x%" PRIx64 ") of "
					     "%s %s (links %s and %s)", src(t, t->link[a].core[0]),
					     ia->node, rprop[d], ra->node, ra->addr, ra->size,
					     rprop[e], rb->node, rb->addr, rb->size,
					     src(t, t->link[b].core[0]), ib->node, t->link[a].name,
					     t->link[b].name);
					return -EINVAL;
				}
			}
		}
	}
	return 0;
}

/* Channels link l uses on core c's controller: c's own two, and the two
 * its peer believes it signals/listens on (swapped). */
static uint32_t link_channels(const struct emu_topo_link *l, unsigned side)
{
	const struct emu_dt_inst *me = &l->plan[side].inst[0];
	const struct emu_dt_inst *peer = &l->plan[!side].inst[0];
	uint32_t m = 0;
	uint32_t ch[4] = { me->mbox_tx, me->mbox_rx, peer->mbox_rx, peer->mbox_tx };

	for (int k = 0; k < 4; k++) {
		if (ch[k] < 32)
			m |= 1u << ch[k];
	}
	return m;
}

static int channel_clash(struct ctx *x, const struct emu_topo *t)
{
	for (unsigned c = 0; c < t->n_core; c++) {
		for (unsigned a = 0; a < t->n_link; a++) {
			const struct emu_topo_link *la = &t->link[a];
			unsigned sa = la->core[0] == c ? 0 : 1;
			uint32_t ma;

			if (la->core[sa] != c)
				continue;
			ma = link_channels(la, sa);
			for (unsigned b = 0; b < a; b++) {
				const struct emu_topo_link *lb = &t->link[b];
				unsigned sb = lb->core[0] == c ? 0 : 1;
				uint32_t both;
				unsigned ch = 0;

				if (lb->core[sb] != c)
					continue;
				both = ma & link_channels(lb, sb);
				if (both == 0)
					continue;
				while (!(both & (1u << ch)))
					ch++;
				fail(x, "%s: %s: channel %u is used by two links of this core: to "
				     "%s %s (%s) and to %s %s (%s)", src(t, c),
				     la->plan[sa].inst[0].mbox_node, ch,
				     src(t, lb->core[!sb]), lb->plan[!sb].inst[0].node, lb->name,
				     src(t, la->core[!sa]), la->plan[!sa].inst[0].node, la->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int pairs(struct ctx *x, const struct emu_topo *t)
{
	for (unsigned l = 0; l < t->n_link; l++) {
		char e[TOPO_MSG / 2];

		if (emu_dt_check_pair(&t->link[l].plan[0], &t->link[l].plan[1], e, sizeof e) < 0) {
			fail(x, "link %s: %s", t->link[l].name, e);
			return -EINVAL;
		}
	}
	return 0;
}

static void warn(struct emu_topo *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct emu_topo *t, const char *fmt, ...)
{
	va_list ap;

	if (t->n_warnings++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(t->warning, sizeof t->warning, fmt, ap);
	va_end(ap);
	dt_one_line(t->warning);
}

/* The files' own warnings, then what a topology does not run. */
static void warnings(struct emu_topo *t)
{
	for (unsigned c = 0; c < t->n_core; c++) {
		const struct emu_dt_plan *p = &t->core[c].plan;

		if (p->n_warnings > 0) {
			warn(t, "%s", p->warning);
			t->n_warnings += p->n_warnings - 1;
		}
	}
	for (unsigned c = 0; c < t->n_core; c++) {
		const struct emu_dt_plan *p = &t->core[c].plan;

		for (unsigned u = 0; u < p->n_mbox_user && u < EMU_DT_MAX_MBOX_USER; u++)
			warn(t, "%s: %s: MBOX consumer \"%.*s\" belongs to no link: a multi-core "
			     "topology does not run it", p->source, p->mbox_user[u].node,
			     FIELD_LEN(p->mbox_user[u].label), p->mbox_user[u].label);
		for (unsigned d = 0; d < p->n_ipm && d < EMU_DT_MAX_IPM; d++)
			warn(t, "%s: %s: IPM device \"%.*s\" belongs to no link: a multi-core "
			     "topology does not run it", p->source, p->ipm[d].node,
			     FIELD_LEN(p->ipm[d].label), p->ipm[d].label);
	}
}

static void soc_range(struct emu_topo *t)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned l = 0; l < t->n_link; l++) {
		const struct emu_dt_plan *p = &t->link[l].plan[0];

		if (p->base < lo)
			lo = p->base;
		if (p->base + p->size > hi)
			hi = p->base + p->size;
	}
	t->base = t->n_link ? lo : 0;
	t->size = t->n_link ? hi - lo : 0;
}

static int topo_load(const struct emu_topo_core_spec *cores, unsigned n,
		     const struct emu_dt_load_opts *opts, struct emu_topo *t, struct ctx *x)
{
	int rc;

	if (!cores || !t) {
		fail(x, "emu_topo_load: NULL argument");
		return -EINVAL;
	}
	if (n < 2 || n > EMU_TOPO_MAX_CORES) {
		fail(x, "%u devicetree%s: a multi-core topology takes 2 to %d cores, one "
		     "devicetree each", n, n == 1 ? "" : "s", EMU_TOPO_MAX_CORES);
		return -EINVAL;
	}
	t->n_core = n;
	rc = names(cores, n, t, x);
	for (unsigned c = 0; rc == 0 && c < n; c++) {
		rc = emu_dt_load_file_opts(cores[c].path, opts, &t->core[c].plan, x->msg,
					   sizeof x->msg);
	}
	if (rc < 0)
		return rc;
	for (unsigned c = 0; c < n; c++) {
		if (t->core[c].plan.n_inst == 0) {
			fail(x, "%s: has no ICMsg/ICBMsg instance, so no link to another core "
			     "(a core of a topology needs one)", src(t, c));
			return -EINVAL;
		}
	}
	rc = match(x, t);
	if (rc < 0)
		return rc;
	make_links(t);
	rc = link_overlaps(x, t);
	if (rc == 0)
		rc = channel_clash(x, t);
	if (rc == 0)
		rc = pairs(x, t);
	if (rc < 0)
		return rc;
	soc_range(t);
	warnings(t);
	return 0;
}

int emu_topo_load(const struct emu_topo_core_spec *cores, unsigned n,
		  const struct emu_dt_load_opts *opts, struct emu_topo *out, char *err,
		  size_t errlen)
{
	struct ctx *x = calloc(1, sizeof *x);
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!x) {
		dt_set_err(err, errlen, "emu_topo_load: out of memory");
		return -ENOMEM;
	}
	if (out)
		memset(out, 0, sizeof *out);
	x->t = out;
	rc = topo_load(cores, n, opts, out, x);
	if (rc < 0) {
		dt_set_err(err, errlen, "%s", x->msg);
		if (out)
			memset(out, 0, sizeof *out);
	}
	free(x);
	return rc;
}

int emu_topo_find_core(const struct emu_topo *t, const char *name)
{
	if (!t || !name)
		return -1;
	for (unsigned c = 0; c < t->n_core && c < EMU_TOPO_MAX_CORES; c++) {
		if (strncmp(t->core[c].name, name, sizeof t->core[c].name) == 0)
			return (int)c;
	}
	return -1;
}

void emu_topo_inst_plan(const struct emu_dt_plan *core, unsigned inst, struct emu_dt_plan *out)
{
	if (core == NULL || out == NULL || inst >= core->n_inst || inst >= EMU_DT_MAX_INST) {
		if (out != NULL) {
			memset(out, 0, sizeof *out);
		}
		return;
	}
	sub_plan(core, &core->inst[inst], out);
}
