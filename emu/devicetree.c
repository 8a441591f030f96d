/*
 * devicetree.c - Zephyr devicetree source -> link plan: loading a source
 * (emu_dt_load_*), reading its nodes with libfdt, and the cross-checks of
 * one plan (regions, labels, channels).  The other jobs of the devicetree
 * reader have files of their own:
 *
 *   devicetree_dtc.c   running dtc (source -> blob)
 *   devicetree_plan.c  using a plan: mirror, lookups by label
 *   devicetree_pair.c  the pair check of a host and a remote plan
 *   devicetree_internal.h  what they share
 *
 * -@ makes dtc emit /__symbols__ (label -> path), the only place where a blob
 * keeps node labels; instances are named by their first label, which is what
 * DT_NODELABEL() refers to on the target.
 *
 * The blob is read as untrusted bytes: every libfdt result is checked, every
 * property length is checked before a cell or a string is touched, and every
 * string that ends up in the plan or in a message is bounded.  A failure
 * leaves one line in `err`:  "<source>: <node path>: <property>: <problem>".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/ipc_icbmsg_v2.h"

#include "devicetree_internal.h"

enum {
	MBOX_CELLS_MAX = 8,
	BLOCKS_MAX = 256,            /* classic ICBMsg build assert (spec 3.1) */
	ICBMSG_MSG_SLOT = 8,         /* control message slot on a 32-bit target (spec 3.1) */
	PBUF_MIN_DATA = 12,          /* _PBUF_MIN_DATA_LEN (spec 1.3) */
};

/* ------------------------------------------------------------------------
 * Messages
 */

/* One line into err: dt_set_err() (devicetree_internal.h). */

struct ctx {
	const void *fdt;
	const char *src;
	char *err;
	size_t errlen;
	uint64_t mem_limit;      /* largest region and memory image */
	struct emu_dt_plan *plan; /* for warnings */
};

/* The devicetree's spelling of an unbound mode (include/ipc_emu/emu.h). */
const char *emu_unbound_name(enum emu_unbound u)
{
	switch (u) {
	case EMU_UNBOUND_DISABLE:
		return "disable";
	case EMU_UNBOUND_ENABLE:
		return "enable";
	case EMU_UNBOUND_DETECT:
		return "detect";
	}
	return "?";
}

static int vfail(const struct ctx *c, const char *node, const char *prop, const char *fmt,
		 va_list ap)
{
	char msg[MSG_MAX];

	vsnprintf(msg, sizeof msg, fmt, ap);
	dt_set_err(c->err, c->errlen, "%s: %s: %s: %s", c->src, node, prop, msg);
	return -EINVAL;
}

/* Report a problem of property `prop` of the node at `node` (a path). */
static int fail(const struct ctx *c, const char *node, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(const struct ctx *c, const char *node, const char *prop, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, node, prop, fmt, ap);
	va_end(ap);
	return rc;
}

/* Path of a node for a message; never fails. */
static void path_for_msg(const struct ctx *c, int off, char *buf, size_t len)
{
	if (fdt_get_path(c->fdt, off, buf, (int)len) < 0)
		snprintf(buf, len, "<node at offset %d>", off);
}

/* Same as fail() for a node known by its offset. */
static int fail_at(const struct ctx *c, int off, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_at(const struct ctx *c, int off, const char *prop, const char *fmt, ...)
{
	char path[2 * EMU_DT_NAME_LEN];
	va_list ap;
	int rc;

	path_for_msg(c, off, path, sizeof path);
	va_start(ap, fmt);
	rc = vfail(c, path, prop, fmt, ap);
	va_end(ap);
	return rc;
}

/* Record a warning (the first one is kept) for the node at `off`. */
static void warn_at(const struct ctx *c, int off, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn_at(const struct ctx *c, int off, const char *prop, const char *fmt, ...)
{
	char path[2 * EMU_DT_NAME_LEN], msg[MSG_MAX];
	struct emu_dt_plan *pl = c->plan;
	va_list ap;

	if (pl->n_warnings++ > 0)
		return;
	path_for_msg(c, off, path, sizeof path);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dt_set_err(pl->warning, sizeof pl->warning, "%s: %s: %s: %s", c->src, path, prop, msg);
}

/* 1 MiB and above in MiB, else in KiB or bytes, for messages. */
static void size_words(uint64_t v, char *buf, size_t len)
{
	if (v >= (1u << 20) && v % (1u << 20) == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", v >> 20);
	else if (v >= 1024 && v % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 " KiB", v >> 10);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", v);
}

/* ------------------------------------------------------------------------
 * Property readers.  Each returns 1 (present, value stored), 0 (absent) or
 * -EINVAL with the message set.
 */

static uint64_t cells_val(const fdt32_t *p, uint32_t n)
{
	return n == 2 ? ((uint64_t)fdt32_ld(p) << 32) | fdt32_ld(p + 1) : fdt32_ld(p);
}

static int get_u32(const struct ctx *c, int off, const char *prop, uint32_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, off, prop, &len);

	if (!p) {
		if (len == -FDT_ERR_NOTFOUND)
			return 0;
		return fail_at(c, off, prop, "%s", fdt_strerror(len));
	}
	if (len != 4)
		return fail_at(c, off, prop, "must be one 32-bit cell (is %d bytes)", len);
	*v = fdt32_ld(p);
	return 1;
}

/* A property holding exactly one NUL-terminated string. */
static int get_string(const struct ctx *c, int off, const char *prop, const char **s)
{
	int len;
	const char *p = fdt_getprop(c->fdt, off, prop, &len);

	if (!p) {
		if (len == -FDT_ERR_NOTFOUND)
			return 0;
		return fail_at(c, off, prop, "%s", fdt_strerror(len));
	}
	if (len < 1 || memchr(p, '\0', (size_t)len) != p + len - 1)
		return fail_at(c, off, prop, "must be a single string");
	*s = p;
	return 1;
}

/* #address-cells / #size-cells of bus node `bus`: 1 or 2. */
static int bus_cells(const struct ctx *c, int bus, const char *prop, uint32_t dflt, uint32_t *v)
{
	int rc = get_u32(c, bus, prop, v);

	if (rc < 0)
		return rc;
	if (rc == 0)
		*v = dflt;
	if (*v != 1 && *v != 2)
		return fail_at(c, bus, prop, "%" PRIu32 " is not supported (1 or 2)", *v);
	return 0;
}

static int resolve(const struct ctx *c, const char *node, const char *prop, uint32_t ph, int *off)
{
	if (ph == 0 || ph == UINT32_MAX)
		return fail(c, node, prop, "phandle 0x%" PRIx32 " is not valid", ph);
	*off = fdt_node_offset_by_phandle(c->fdt, ph);
	if (*off < 0)
		return fail(c, node, prop, "phandle 0x%" PRIx32 " does not resolve", ph);
	return 0;
}

/*
 * Translate a `reg` address of node `node` to the root's address space
 * through the `ranges` of its ancestors, as Zephyr's DT_REG_ADDR does: an
 * ancestor without `ranges` stops translation, an empty `ranges` is the
 * identity, an address no range covers is left as it is.
 */
static int translate(const struct ctx *c, int node, uint64_t *addr)
{
	int bus = fdt_parent_offset(c->fdt, node);

	while (bus > 0) { /* offset 0 is the root: nothing above it */
		uint32_t cac, csc, pac, entry;
		const fdt32_t *rg;
		int len, up, rc;
		bool hit = false;

		rg = fdt_getprop(c->fdt, bus, "ranges", &len);
		if (!rg)
			return len == -FDT_ERR_NOTFOUND ? 0 : fail_at(c, bus, "ranges", "%s",
								     fdt_strerror(len));
		up = fdt_parent_offset(c->fdt, bus);
		if (up < 0)
			return fail_at(c, bus, "ranges", "%s", fdt_strerror(up));
		if (len == 0) {
			bus = up;
			continue;
		}
		rc = bus_cells(c, bus, "#address-cells", 2, &cac);
		if (rc == 0)
			rc = bus_cells(c, bus, "#size-cells", 1, &csc);
		if (rc == 0)
			rc = bus_cells(c, up, "#address-cells", 2, &pac);
		if (rc < 0)
			return rc;
		entry = cac + pac + csc;
		if ((unsigned)len % (entry * 4) != 0)
			return fail_at(c, bus, "ranges", "%d bytes is not a whole number of %" PRIu32
				       "-cell entries", len, entry);
		for (uint32_t i = 0; i < (unsigned)len / (entry * 4); i++) {
			const fdt32_t *e = rg + i * entry;
			uint64_t ca = cells_val(e, cac);
			uint64_t pa = cells_val(e + cac, pac);
			uint64_t sz = cells_val(e + cac + pac, csc);

			if (*addr >= ca && *addr - ca < sz) {
				if (*addr - ca > UINT64_MAX - pa)
					return fail_at(c, bus, "ranges", "translating 0x%" PRIx64
						       " overflows", *addr);
				*addr = pa + (*addr - ca);
				hit = true;
				break;
			}
		}
		if (!hit)
			return 0;
		bus = up;
	}
	return 0;
}

static int read_region(const struct ctx *c, int inst, const char *inst_path, const char *prop,
		       struct emu_dt_region *r)
{
	uint32_t ph, ac, sc;
	const fdt32_t *reg;
	int len, mem, bus, rc;

	rc = get_u32(c, inst, prop, &ph);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(c, inst_path, prop, "missing (phandle of a reserved-memory node)");
	rc = resolve(c, inst_path, prop, ph, &mem);
	if (rc < 0)
		return rc;
	rc = fdt_get_path(c->fdt, mem, r->node, sizeof r->node);
	if (rc < 0)
		return fail(c, inst_path, prop, "path of the region node: %s",
			    rc == -FDT_ERR_NOSPACE ? "too long" : fdt_strerror(rc));
	bus = fdt_parent_offset(c->fdt, mem);
	if (bus < 0)
		return fail(c, inst_path, prop, "%s is not a memory region", r->node);
	rc = bus_cells(c, bus, "#address-cells", 2, &ac);
	if (rc == 0)
		rc = bus_cells(c, bus, "#size-cells", 1, &sc);
	if (rc < 0)
		return rc;
	reg = fdt_getprop(c->fdt, mem, "reg", &len);
	if (!reg) {
		if (len == -FDT_ERR_NOTFOUND)
			return fail(c, r->node, "reg", "missing (%s of %s)", prop, inst_path);
		return fail(c, r->node, "reg", "%s", fdt_strerror(len));
	}
	if (len < (int)(ac + sc) * 4 || (unsigned)len % ((ac + sc) * 4) != 0)
		return fail(c, r->node, "reg", "%d bytes is not a whole number of (%" PRIu32
			    " address + %" PRIu32 " size) cells", len, ac, sc);
	r->addr = cells_val(reg, ac);
	r->size = cells_val(reg + ac, sc);
	/* With one address cell the bus is 32-bit: the region must end at or
	 * below 4 GiB there, whatever ranges make of it above. */
	if (ac == 1 && r->size > ((uint64_t)1 << 32) - r->addr)
		return fail(c, r->node, "reg", "0x%" PRIx64 "+0x%" PRIx64 " runs past the 32-bit"
			    " address space of #address-cells = <1> (ends at 0x%" PRIx64 ")",
			    r->addr, r->size, r->addr + r->size);
	rc = translate(c, mem, &r->addr);
	if (rc < 0)
		return rc;
	if (r->size == 0)
		return fail(c, inst_path, prop, "%s: size is 0", r->node);
	if (r->size > UINT64_MAX - r->addr)
		return fail(c, r->node, "reg", "0x%" PRIx64 "+0x%" PRIx64
			    " overflows the address space", r->addr, r->size);
	if (r->size > c->mem_limit) {
		char lim[32];

		size_words(c->mem_limit, lim, sizeof lim);
		return fail(c, r->node, "reg", "size 0x%" PRIx64 " is above the memory limit of"
			    " 0x%" PRIx64 " (%s) of a region and of the memory image",
			    r->size, c->mem_limit, lim);
	}
	return 0;
}

static int read_mboxes(const struct ctx *c, int inst, struct emu_dt_inst *in)
{
	const fdt32_t *p;
	const char *names, *n0, *n1;
	int ctrl[2];
	uint32_t chan[2];
	int len, nlen, ncells, pos = 0, nspec = 0, tx, rx, rc;

	p = fdt_getprop(c->fdt, inst, "mboxes", &len);
	if (!p) {
		if (len == -FDT_ERR_NOTFOUND)
			return fail(c, in->node, "mboxes", "missing (two specifiers, tx and rx)");
		return fail(c, in->node, "mboxes", "%s", fdt_strerror(len));
	}
	if (len % 4 != 0)
		return fail(c, in->node, "mboxes", "%d bytes is not a whole number of cells", len);
	ncells = len / 4;
	while (pos < ncells) {
		uint32_t mc = 1;

		if (nspec == 2)
			return fail(c, in->node, "mboxes",
				    "more than two specifiers (tx and rx expected)");
		rc = resolve(c, in->node, "mboxes", fdt32_ld(p + pos), &ctrl[nspec]);
		if (rc < 0)
			return rc;
		rc = get_u32(c, ctrl[nspec], "#mbox-cells", &mc);
		if (rc < 0)
			return rc;
		if (mc < 1 || mc > MBOX_CELLS_MAX)
			return fail_at(c, ctrl[nspec], "#mbox-cells",
				       "%" PRIu32 " is not supported (1..%d; the first cell is the channel)",
				       mc, MBOX_CELLS_MAX);
		if ((uint32_t)(ncells - pos - 1) < mc)
			return fail(c, in->node, "mboxes",
				    "specifier %d is truncated (#mbox-cells is %" PRIu32 ")",
				    nspec + 1, mc);
		chan[nspec] = fdt32_ld(p + pos + 1);
		pos += 1 + (int)mc;
		nspec++;
	}
	if (nspec != 2)
		return fail(c, in->node, "mboxes", "%d specifier(s), expected two (tx and rx)",
			    nspec);

	names = fdt_getprop(c->fdt, inst, "mbox-names", &nlen);
	if (!names) {
		if (nlen == -FDT_ERR_NOTFOUND)
			return fail(c, in->node, "mbox-names", "missing (\"tx\", \"rx\")");
		return fail(c, in->node, "mbox-names", "%s", fdt_strerror(nlen));
	}
	/* Exactly two strings; the last byte is a NUL, so strlen() stays inside. */
	if (nlen < 1 || names[nlen - 1] != '\0')
		goto bad_names;
	n0 = names;
	n1 = n0 + strlen(n0) + 1;
	if (n1 >= names + nlen || n1 + strlen(n1) + 1 != names + nlen)
		goto bad_names;
	if (strcmp(n0, "tx") == 0 && strcmp(n1, "rx") == 0) {
		tx = 0;
		rx = 1;
	} else if (strcmp(n0, "rx") == 0 && strcmp(n1, "tx") == 0) {
		tx = 1;
		rx = 0;
	} else {
		goto bad_names;
	}

	if (ctrl[0] != ctrl[1]) {
		char a[2 * EMU_DT_NAME_LEN], b[2 * EMU_DT_NAME_LEN];

		path_for_msg(c, ctrl[tx], a, sizeof a);
		path_for_msg(c, ctrl[rx], b, sizeof b);
		return fail(c, in->node, "mboxes",
			    "tx and rx channels are on two controllers (%s, %s)", a, b);
	}
	rc = fdt_get_path(c->fdt, ctrl[0], in->mbox_node, sizeof in->mbox_node);
	if (rc < 0)
		return fail(c, in->node, "mboxes", "path of the controller: %s",
			    rc == -FDT_ERR_NOSPACE ? "too long" : fdt_strerror(rc));
	in->mbox_tx = chan[tx];
	in->mbox_rx = chan[rx];
	if (in->mbox_tx >= EMU_MBOX_CHANNELS || in->mbox_rx >= EMU_MBOX_CHANNELS)
		return fail(c, in->node, "mboxes",
			    "%s channel %" PRIu32 " is out of range (0..%u)",
			    in->mbox_tx >= EMU_MBOX_CHANNELS ? "tx" : "rx",
			    in->mbox_tx >= EMU_MBOX_CHANNELS ? in->mbox_tx : in->mbox_rx,
			    EMU_MBOX_CHANNELS - 1);
	if (in->mbox_tx == in->mbox_rx)
		return fail(c, in->node, "mboxes", "tx and rx are both channel %" PRIu32 " of %s"
			    " (an instance needs one channel each way)", in->mbox_tx,
			    in->mbox_node);
	return 0;

bad_names:
	return fail(c, in->node, "mbox-names", "must be \"tx\", \"rx\" (in either order)");
}

/* First label of the node at `off` (path `node`) from /__symbols__, else its
 * name, into label[size]. */
static int read_label_of(const struct ctx *c, int off, const char *node, char *label, size_t size)
{
	int sym = fdt_path_offset(c->fdt, "/__symbols__");
	const char *name;
	int len, poff;

	if (sym >= 0) {
		/* dtc writes /__symbols__ in source order, so the first
		 * property naming this path is the first label. */
		fdt_for_each_property_offset(poff, c->fdt, sym) {
			const char *v = fdt_getprop_by_offset(c->fdt, poff, &name, &len);

			if (!v || !name || len < 1 || memchr(v, '\0', (size_t)len) != v + len - 1)
				continue;
			if (strcmp(v, node) != 0)
				continue;
			if (strlen(name) >= size)
				return fail(c, node, "label", "\"%.40s\" is longer than %zu characters",
					    name, size - 1);
			memcpy(label, name, strlen(name) + 1);
			return 0;
		}
		if (poff != -FDT_ERR_NOTFOUND)
			return fail(c, "/__symbols__", "label", "%s", fdt_strerror(poff));
	} else if (sym != -FDT_ERR_NOTFOUND) {
		return fail(c, "/__symbols__", "label", "%s", fdt_strerror(sym));
	}
	name = fdt_get_name(c->fdt, off, &len);
	if (!name)
		return fail(c, node, "label", "%s", fdt_strerror(len));
	if (len < 0 || (size_t)len >= size)
		return fail(c, node, "label",
			    "no label, and the node name is longer than %zu characters", size - 1);
	memcpy(label, name, (size_t)len);
	label[len] = '\0';
	return 0;
}

/* First label of the node from /__symbols__, else its name. */
static int read_label(const struct ctx *c, int off, struct emu_dt_inst *in)
{
	return read_label_of(c, off, in->node, in->label, sizeof in->label);
}

static uint64_t round_up(uint64_t v, uint64_t pow2)
{
	return (v + pow2 - 1) & ~(pow2 - 1);
}

/* Layout rules of pbuf (spec 1.1, 1.3) and classic ICBMsg (spec 3.1). */
static int check_region(const struct ctx *c, const struct emu_dt_inst *in, const char *prop,
			const struct emu_dt_region *r, uint32_t local, uint32_t remote)
{
	uint64_t a = in->dcache_alignment > 4 ? in->dcache_alignment : 4;

	if (r->addr % a != 0)
		return fail(c, in->node, prop, "%s: address 0x%" PRIx64 " is not aligned to %" PRIu64
			    " (max(dcache-alignment, 4))", r->node, r->addr, a);
	if (r->size % 4 != 0)
		return fail(c, in->node, prop, "%s: size 0x%" PRIx64 " is not a multiple of 4",
			    r->node, r->size);
	if (in->backend == EMU_BACKEND_ICMSG) {
		uint64_t min = a + 4 + PBUF_MIN_DATA;

		if (r->size < min)
			return fail(c, in->node, prop, "%s: size 0x%" PRIx64
				    " is below the minimum pbuf of 0x%" PRIx64
				    " bytes (max(dcache-alignment, 4) + 4 + 12)",
				    r->node, r->size, min);
	} else {
		/* control ring for one message per block + 2, then >= 4 bytes per block */
		uint64_t ctl = round_up(a + 4 + ICBMSG_MSG_SLOT * (2 + (uint64_t)local + remote), a);
		uint64_t need = round_up(ctl + 4 * (uint64_t)local, a);

		if (r->size - r->size % a < need)
			return fail(c, in->node, prop, "%s: size 0x%" PRIx64
				    " is too small for %" PRIu32 " blocks (needs 0x%" PRIx64
				    ": control ring 0x%" PRIx64 " + 4 bytes per block)",
				    r->node, r->size, local, need, ctl);
	}
	return 0;
}

static int read_blocks(const struct ctx *c, int off, const char *node, const char *prop,
		       uint32_t *v)
{
	int rc = get_u32(c, off, prop, v);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(c, node, prop, "missing (required by zephyr,ipc-icbmsg)");
	if (*v < 1 || *v > BLOCKS_MAX)
		return fail(c, node, prop, "%" PRIu32 " is out of range (1..%d)", *v, BLOCKS_MAX);
	return 0;
}

/*
 * `ipc-emu,icbmsg-version = "classic" | "v2"` (ipc-emu's own property; Zephyr
 * has no selector: the same compatible is classic up to v4.4 and v2 after).
 * With "v2" the region must also hold v2's layout (at most 32 blocks, two
 * queues of MAX_ACTIVE_COUNT 16, the smallest allowed, before the blocks).
 */
const char *dt_icbmsg_version_name(uint32_t v)
{
	return v == EMU_ICBMSG_CLASSIC ? "\"classic\"" : v == EMU_ICBMSG_V2 ? "\"v2\"" : "absent (v2)";
}

/* The version an instance runs without an option (absent: the default,
 * v2; the same rule as emu_board_icbmsg_version()). */
uint32_t dt_icbmsg_version_of(const struct emu_dt_inst *in)
{
	return in->icbmsg_version != 0 ? in->icbmsg_version : EMU_ICBMSG_VERSION_DEFAULT;
}

static int read_icbmsg_version(const struct ctx *c, int off, struct emu_dt_inst *in)
{
	const char *s;
	int rc = get_string(c, off, ICBMSG_VERSION_PROP, &s);

	if (rc <= 0)
		return rc;
	if (strcmp(s, "classic") == 0) {
		in->icbmsg_version = EMU_ICBMSG_CLASSIC;
		return 0;
	}
	if (strcmp(s, "v2") != 0)
		return fail(c, in->node, ICBMSG_VERSION_PROP,
			    "\"%.32s\" is not one of \"classic\", \"v2\"", s);
	in->icbmsg_version = EMU_ICBMSG_V2;
	for (int d = 0; d < 2; d++) {
		const struct emu_dt_region *r = d == 0 ? &in->tx : &in->rx;
		uint32_t n = d == 0 ? in->tx_blocks : in->rx_blocks;
		struct icbmsg_v2_layout l;

		if (n > ICBMSG_V2_MAX_BLOCKS)
			return fail(c, in->node, d == 0 ? "tx-blocks" : "rx-blocks",
				    "%" PRIu32 " is above %d, the most ICBMsg v2 (ipc-emu,icbmsg-version"
				    " = \"v2\") allows", n, ICBMSG_V2_MAX_BLOCKS);
		if (icbmsg_v2_layout_compute(r->addr, r->size, in->dcache_alignment, n,
					     ICBMSG_V2_MAX_ACTIVE_COUNT_MIN, &l) < 0)
			return fail(c, in->node, d == 0 ? "tx-region" : "rx-region",
				    "%s: size 0x%" PRIx64 " cannot hold the two ICBMsg v2 queues and %"
				    PRIu32 " blocks of at least 4 bytes", r->node, r->size, n);
	}
	return 0;
}

static int read_inst(const struct ctx *c, int off, enum emu_backend backend,
		     struct emu_dt_inst *in)
{
	const char *s;
	int rc;

	memset(in, 0, sizeof *in);
	in->backend = backend;
	rc = fdt_get_path(c->fdt, off, in->node, sizeof in->node);
	if (rc < 0) {
		char name[EMU_DT_NAME_LEN];

		path_for_msg(c, off, name, sizeof name);
		return fail(c, name, "compatible", "node path longer than %d characters",
			    EMU_DT_NAME_LEN - 1);
	}
	rc = read_region(c, off, in->node, "tx-region", &in->tx);
	if (rc == 0)
		rc = read_region(c, off, in->node, "rx-region", &in->rx);
	if (rc == 0)
		rc = read_mboxes(c, off, in);
	if (rc < 0)
		return rc;

	rc = get_u32(c, off, "dcache-alignment", &in->dcache_alignment);
	if (rc < 0)
		return rc;
	if (in->dcache_alignment & (in->dcache_alignment - 1))
		return fail(c, in->node, "dcache-alignment", "%" PRIu32
			    " is not a power of two (or 0)", in->dcache_alignment);

	in->unbound = EMU_UNBOUND_DISABLE;
	rc = get_string(c, off, "unbound", &s);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (strcmp(s, "disable") == 0)
			in->unbound = EMU_UNBOUND_DISABLE;
		else if (strcmp(s, "enable") == 0)
			in->unbound = EMU_UNBOUND_ENABLE;
		else if (strcmp(s, "detect") == 0)
			in->unbound = EMU_UNBOUND_DETECT;
		else
			return fail(c, in->node, "unbound",
				    "\"%.32s\" is not one of \"disable\", \"enable\", \"detect\"", s);
	}
	/* Classic ICBMsg ignores `unbound`; ICMsg's handshake word needs room. */
	if (backend == EMU_BACKEND_ICMSG && in->unbound != EMU_UNBOUND_DISABLE &&
	    in->dcache_alignment < 8)
		return fail(c, in->node, "unbound", "\"%s\" needs dcache-alignment >= 8 (is %" PRIu32
			    "): our pbuf, like Zephyr's, keeps the write index at offset"
			    " max(dcache-alignment, 4), leaving no room for the handshake word below 8",
			    emu_unbound_name(in->unbound),
			    in->dcache_alignment);

	if (backend == EMU_BACKEND_ICBMSG) {
		rc = read_blocks(c, off, in->node, "tx-blocks", &in->tx_blocks);
		if (rc == 0)
			rc = read_blocks(c, off, in->node, "rx-blocks", &in->rx_blocks);
		if (rc == 0)
			rc = read_icbmsg_version(c, off, in);
		if (rc < 0)
			return rc;
	} else {
		rc = get_string(c, off, ICBMSG_VERSION_PROP, &s);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return fail(c, in->node, ICBMSG_VERSION_PROP,
				    "applies to zephyr,ipc-icbmsg instances only");
	}
	rc = check_region(c, in, "tx-region", &in->tx, in->tx_blocks, in->rx_blocks);
	if (rc == 0)
		rc = check_region(c, in, "rx-region", &in->rx, in->rx_blocks, in->tx_blocks);
	if (rc == 0)
		rc = read_label(c, off, in);
	return rc;
}

static int node_enabled(const struct ctx *c, int off);

/* A node that is no instance but carries tx-region/rx-region is most likely
 * an instance with a misspelt compatible: say so (the load goes on). */
static int warn_lookalike(const struct ctx *c, int off, const char *compat, int len)
{
	int dummy, en;

	if (!fdt_getprop(c->fdt, off, "tx-region", &dummy) &&
	    !fdt_getprop(c->fdt, off, "rx-region", &dummy))
		return 0;
	en = node_enabled(c, off);
	if (en <= 0)
		return 0; /* disabled, or a bad status: no instance either way */
	if (!compat)
		warn_at(c, off, "compatible", "missing, but the node has tx-region/rx-region: not"
			" read as a " COMPAT_ICMSG "/" COMPAT_ICBMSG " instance%s",
			fdt_getprop(c->fdt, off, "mboxes", &dummy) ? " (read as an MBOX consumer)"
								    : "");
	else
		warn_at(c, off, "compatible", "\"%.*s\" is not " COMPAT_ICMSG " or " COMPAT_ICBMSG
			", but the node has tx-region/rx-region: not read as an instance%s",
			(int)strnlen(compat, (size_t)len < 64 ? (size_t)len : 64), compat,
			fdt_getprop(c->fdt, off, "mboxes", &dummy) ? " (read as an MBOX consumer)"
								    : "");
	return 0;
}

/* 1 and the backend when the node is an enabled IPC instance, 0 when not,
 * -EINVAL on a malformed compatible/status. */
static int classify(const struct ctx *c, int off, enum emu_backend *backend)
{
	const char *compat, *status;
	int len, rc;
	bool icm, icb;

	compat = fdt_getprop(c->fdt, off, "compatible", &len);
	if (!compat) {
		if (len == -FDT_ERR_NOTFOUND)
			return warn_lookalike(c, off, NULL, 0);
		return fail_at(c, off, "compatible", "%s", fdt_strerror(len));
	}
	/* fdt_stringlist_contains() stays within len, terminated or not */
	icm = fdt_stringlist_contains(compat, len, COMPAT_ICMSG);
	icb = fdt_stringlist_contains(compat, len, COMPAT_ICBMSG);
	if (!icm && !icb)
		return warn_lookalike(c, off, compat, len);
	if (icm && icb)
		return fail_at(c, off, "compatible", "both " COMPAT_ICMSG " and " COMPAT_ICBMSG);
	rc = get_string(c, off, "status", &status);
	if (rc < 0)
		return rc;
	if (rc == 1 && strcmp(status, "okay") != 0 && strcmp(status, "ok") != 0)
		return 0;
	*backend = icm ? EMU_BACKEND_ICMSG : EMU_BACKEND_ICBMSG;
	return 1;
}

bool dt_overlap(const struct emu_dt_region *a, const struct emu_dt_region *b)
{
	return a->addr < b->addr + b->size && b->addr < a->addr + a->size;
}

/* Rules between instances: regions, labels, channels. */
static int cross_check(const struct ctx *c, const struct emu_dt_plan *plan)
{
	static const char *const rname[2] = { "tx-region", "rx-region" };

	for (unsigned i = 0; i < plan->n_inst; i++) {
		const struct emu_dt_inst *a = &plan->inst[i];
		const struct emu_dt_region *ra[2] = { &a->tx, &a->rx };

		if (dt_overlap(&a->tx, &a->rx))
			return fail(c, a->node, "rx-region", "%s overlaps tx-region %s (0x%" PRIx64
				    "+0x%" PRIx64 ")", a->rx.node, a->tx.node, a->tx.addr,
				    a->tx.size);
		for (unsigned j = 0; j < i; j++) {
			const struct emu_dt_inst *b = &plan->inst[j];
			const struct emu_dt_region *rb[2] = { &b->tx, &b->rx };

			if (strcmp(a->label, b->label) == 0)
				return fail(c, a->node, "label", "\"%s\" is also the label of %s",
					    a->label, b->node);
			for (int x = 0; x < 2; x++) {
				for (int y = 0; y < 2; y++) {
					if (dt_overlap(ra[x], rb[y]))
						return fail(c, a->node, rname[x],
							    "%s overlaps %s of %s (0x%" PRIx64
							    "+0x%" PRIx64 ")", ra[x]->node,
							    rname[y], b->node, rb[y]->addr,
							    rb[y]->size);
				}
			}
			if (strcmp(a->mbox_node, b->mbox_node) != 0)
				continue;
			if (a->mbox_tx == b->mbox_tx)
				return fail(c, a->node, "mboxes", "tx channel %" PRIu32
					    " is also the tx channel of %s", a->mbox_tx, b->node);
			if (a->mbox_rx == b->mbox_rx)
				return fail(c, a->node, "mboxes", "rx channel %" PRIu32
					    " is also the rx channel of %s", a->mbox_rx, b->node);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * MBOX controllers and consumers, IPM devices (docs/mbox.md, docs/ipm.md)
 */

enum {
	IMX_MU_BYTES = 16,           /* four 32-bit data registers per direction */
	IMX_MU_DEFAULT_SIZE = 16,    /* CONFIG_IPM_IMX_MAX_DATA_SIZE default */
	IPM_EMU_DEFAULT_SIZE = 4,
};

/* Scratch state of read_plan(): controllers in the order found. */
struct scan {
	int ctrl_off[EMU_DT_MAX_MBOX];
	unsigned n_ctrl;
	/* position in ctrl_off[] of each consumer channel / instance */
	unsigned user_ctrl[EMU_DT_MAX_MBOX_USER][EMU_DT_MAX_USER_CHANNELS];
	unsigned inst_ctrl[EMU_DT_MAX_INST];
};

/* 1 when status is absent, "okay" or "ok"; 0 otherwise; -EINVAL. */
static int node_enabled(const struct ctx *c, int off)
{
	const char *status;
	int rc = get_string(c, off, "status", &status);

	if (rc < 0)
		return rc;
	return rc == 0 || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

/* 1 if `compatible` lists `compat`, 0 if not (or absent), -EINVAL. */
static int has_compat(const struct ctx *c, int off, const char *compat)
{
	int len;
	const char *p = fdt_getprop(c->fdt, off, "compatible", &len);

	if (!p) {
		if (len == -FDT_ERR_NOTFOUND)
			return 0;
		return fail_at(c, off, "compatible", "%s", fdt_strerror(len));
	}
	return fdt_stringlist_contains(p, len, compat) ? 1 : 0;
}

static int node_path(const struct ctx *c, int off, char *buf, size_t len)
{
	int rc = fdt_get_path(c->fdt, off, buf, (int)len);

	if (rc < 0) {
		char name[EMU_DT_NAME_LEN];

		path_for_msg(c, off, name, sizeof name);
		return fail(c, name, "compatible", "node path longer than %zu characters", len - 1);
	}
	return 0;
}

/* Position of controller node `off` in sc->ctrl_off[], added if new. */
static int ctrl_slot(const struct ctx *c, struct scan *sc, int off, const char *user,
		     unsigned *slot)
{
	for (unsigned i = 0; i < sc->n_ctrl; i++) {
		if (sc->ctrl_off[i] == off) {
			*slot = i;
			return 0;
		}
	}
	if (sc->n_ctrl == EMU_DT_MAX_MBOX)
		return fail(c, user, "mboxes", "more than %d MBOX controllers", EMU_DT_MAX_MBOX);
	sc->ctrl_off[sc->n_ctrl] = off;
	*slot = sc->n_ctrl++;
	return 0;
}

/* 1 outbound, 0 inbound, -1 unknown. */
static int name_dir(const char *n)
{
	size_t l = strlen(n);

	if (strcmp(n, "tx") == 0)
		return 1;
	if (strcmp(n, "rx") == 0)
		return 0;
	if (l > 3 && (n[l - 3] == '-' || n[l - 3] == '_')) {
		if (strcmp(n + l - 2, "tx") == 0)
			return 1;
		if (strcmp(n + l - 2, "rx") == 0)
			return 0;
	}
	return -1;
}

/* "tx" <-> "rx" in a direction name (the peer's view). */
void dt_name_flip(char *n)
{
	size_t l = strnlen(n, EMU_DT_CHAN_NAME_LEN);

	if (l >= 2 && l < EMU_DT_CHAN_NAME_LEN && (l == 2 || n[l - 3] == '-' || n[l - 3] == '_')) {
		if (n[l - 2] == 't' && n[l - 1] == 'x')
			n[l - 2] = 'r';
		else if (n[l - 2] == 'r' && n[l - 1] == 'x')
			n[l - 2] = 't';
	}
}

/* A node with `mboxes` that is not an ICMsg/ICBMsg instance. */
static int read_mbox_user(const struct ctx *c, int off, struct scan *sc, unsigned ui,
			  struct emu_dt_mbox_user *u)
{
	const fdt32_t *p;
	const char *names, *n;
	int len, nlen, ncells, pos = 0, rc;
	unsigned nspec = 0;

	memset(u, 0, sizeof *u);
	rc = node_path(c, off, u->node, sizeof u->node);
	if (rc == 0)
		rc = read_label_of(c, off, u->node, u->label, sizeof u->label);
	if (rc < 0)
		return rc;
	p = fdt_getprop(c->fdt, off, "mboxes", &len);
	if (!p)
		return fail(c, u->node, "mboxes", "%s", fdt_strerror(len));
	if (len % 4 != 0 || len == 0)
		return fail(c, u->node, "mboxes", "%d bytes is not a whole number of cells", len);
	ncells = len / 4;
	while (pos < ncells) {
		uint32_t mc = 1;
		int ctrl;

		if (nspec == EMU_DT_MAX_USER_CHANNELS)
			return fail(c, u->node, "mboxes", "more than %d specifiers",
				    EMU_DT_MAX_USER_CHANNELS);
		rc = resolve(c, u->node, "mboxes", fdt32_ld(p + pos), &ctrl);
		if (rc < 0)
			return rc;
		rc = get_u32(c, ctrl, "#mbox-cells", &mc);
		if (rc < 0)
			return rc;
		if (mc < 1 || mc > MBOX_CELLS_MAX)
			return fail_at(c, ctrl, "#mbox-cells",
				       "%" PRIu32 " is not supported (1..%d; the first cell is the channel)",
				       mc, MBOX_CELLS_MAX);
		if ((uint32_t)(ncells - pos - 1) < mc)
			return fail(c, u->node, "mboxes",
				    "specifier %u is truncated (#mbox-cells is %" PRIu32 ")",
				    nspec + 1, mc);
		u->chan[nspec].channel = fdt32_ld(p + pos + 1);
		if (u->chan[nspec].channel >= EMU_MBOX_CHANNELS)
			return fail(c, u->node, "mboxes",
				    "channel %" PRIu32 " is out of range (0..%u)",
				    u->chan[nspec].channel, EMU_MBOX_CHANNELS - 1);
		rc = ctrl_slot(c, sc, ctrl, u->node, &sc->user_ctrl[ui][nspec]);
		if (rc < 0)
			return rc;
		pos += 1 + (int)mc;
		nspec++;
	}
	u->n_chan = nspec;

	names = fdt_getprop(c->fdt, off, "mbox-names", &nlen);
	if (!names) {
		if (nlen == -FDT_ERR_NOTFOUND)
			return fail(c, u->node, "mbox-names",
				    "missing (one name per mboxes specifier, e.g. \"tx\", \"rx\")");
		return fail(c, u->node, "mbox-names", "%s", fdt_strerror(nlen));
	}
	if (nlen < 1 || names[nlen - 1] != '\0')
		return fail(c, u->node, "mbox-names", "must be a list of strings");
	n = names;
	for (unsigned i = 0; i < nspec; i++) {
		size_t l;
		int d;

		if (n >= names + nlen)
			return fail(c, u->node, "mbox-names", "%u name(s) for %u mboxes specifiers",
				    i, nspec);
		l = strlen(n); /* the last byte is a NUL: stays inside */
		if (l == 0 || l >= EMU_DT_CHAN_NAME_LEN)
			return fail(c, u->node, "mbox-names", "name %u must have 1..%d characters",
				    i + 1, EMU_DT_CHAN_NAME_LEN - 1);
		d = name_dir(n);
		if (d < 0)
			return fail(c, u->node, "mbox-names",
				    "\"%s\": cannot tell the direction (\"tx\", \"rx\", or a name "
				    "ending in -tx, _tx, -rx, _rx)", n);
		memcpy(u->chan[i].name, n, l + 1);
		u->chan[i].tx = d == 1;
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(u->chan[j].name, n) == 0)
				return fail(c, u->node, "mbox-names", "\"%s\" appears twice", n);
		}
		n += l + 1;
	}
	if (n != names + nlen) {
		unsigned extra = 0;

		for (; n < names + nlen; n += strlen(n) + 1)
			extra++;
		return fail(c, u->node, "mbox-names", "%u name(s) for %u mboxes specifiers",
			    nspec + extra, nspec);
	}
	return 0;
}

static int read_ipm(const struct ctx *c, int off, enum emu_ipm_kind kind, struct emu_dt_ipm *d)
{
	const char *s;
	int rc;

	memset(d, 0, sizeof *d);
	d->kind = kind;
	rc = node_path(c, off, d->node, sizeof d->node);
	if (rc == 0)
		rc = read_label_of(c, off, d->node, d->label, sizeof d->label);
	if (rc < 0)
		return rc;
	if (kind == EMU_IPM_IMX_MU) {
		d->data_size = IMX_MU_DEFAULT_SIZE;
		rc = get_u32(c, off, "ipc-emu,data-size", &d->data_size);
		if (rc < 0)
			return rc;
		if (d->data_size != 4 && d->data_size != 8 && d->data_size != 16)
			return fail(c, d->node, "ipc-emu,data-size", "%" PRIu32
				    " is not 4, 8 or 16 (CONFIG_IPM_IMX_MAX_DATA_SIZE_4/8/16)",
				    d->data_size);
		d->max_id = IMX_MU_BYTES / d->data_size - 1;
		d->tx = d->rx = true;
		return 0;
	}
	d->data_size = IPM_EMU_DEFAULT_SIZE;
	rc = get_u32(c, off, "data-size", &d->data_size);
	if (rc < 0)
		return rc;
	if (d->data_size > EMU_IPM_DATA_MAX)
		return fail(c, d->node, "data-size", "%" PRIu32 " is above %u", d->data_size,
			    EMU_IPM_DATA_MAX);
	d->max_id = UINT32_MAX;
	rc = get_u32(c, off, "max-id", &d->max_id);
	if (rc < 0)
		return rc;
	d->tx = d->rx = true;
	rc = get_string(c, off, "direction", &s);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (strcmp(s, "tx") == 0)
			d->rx = false;
		else if (strcmp(s, "rx") == 0)
			d->tx = false;
		else if (strcmp(s, "both") != 0)
			return fail(c, d->node, "direction",
				    "\"%.32s\" is not one of \"tx\", \"rx\", \"both\"", s);
	}
	return 0;
}

/* 1 and the kind for an enabled IPM node, 0 otherwise, -EINVAL. */
static int classify_ipm(const struct ctx *c, int off, enum emu_ipm_kind *kind)
{
	int imx = has_compat(c, off, COMPAT_IPM_IMX), emu, en;

	if (imx < 0)
		return imx;
	emu = has_compat(c, off, COMPAT_IPM_EMU);
	if (emu < 0)
		return emu;
	if (!imx && !emu)
		return 0;
	if (imx && emu)
		return fail_at(c, off, "compatible", "both " COMPAT_IPM_IMX " and " COMPAT_IPM_EMU);
	en = node_enabled(c, off);
	if (en <= 0)
		return en;
	*kind = imx ? EMU_IPM_IMX_MU : EMU_IPM_GENERIC;
	return 1;
}

/* 1 for an enabled node with `mboxes` that is no ICMsg/ICBMsg instance. */
static int classify_user(const struct ctx *c, int off)
{
	int len, rc;

	if (!fdt_getprop(c->fdt, off, "mboxes", &len))
		return len == -FDT_ERR_NOTFOUND ? 0 : fail_at(c, off, "mboxes", "%s",
							      fdt_strerror(len));
	rc = has_compat(c, off, COMPAT_ICMSG);
	if (rc == 0)
		rc = has_compat(c, off, COMPAT_ICBMSG);
	if (rc != 0)
		return rc < 0 ? rc : 0; /* an instance (maybe disabled): not a consumer */
	return node_enabled(c, off);
}

/* One controller of the plan from its node. */
static int read_ctrl(const struct ctx *c, int off, struct emu_dt_mbox *m)
{
	int rc;

	memset(m, 0, sizeof *m);
	rc = node_path(c, off, m->node, sizeof m->node);
	if (rc == 0)
		rc = read_label_of(c, off, m->node, m->label, sizeof m->label);
	if (rc < 0)
		return rc;
	rc = get_u32(c, off, "ipc-emu,mtu", &m->mtu);
	if (rc < 0)
		return rc;
	if (m->mtu > EMU_MBOX_MTU_MAX)
		return fail(c, m->node, "ipc-emu,mtu", "%" PRIu32 " is above %u", m->mtu,
			    EMU_MBOX_MTU_MAX);
	m->channels = EMU_MBOX_CHANNELS;
	rc = get_u32(c, off, "ipc-emu,channels", &m->channels);
	if (rc < 0)
		return rc;
	if (m->channels < 1 || m->channels > EMU_MBOX_CHANNELS)
		return fail(c, m->node, "ipc-emu,channels", "%" PRIu32 " is out of range (1..%u)",
			    m->channels, EMU_MBOX_CHANNELS);
	return 0;
}

/* Record one use of channel `ch` of controller `k` by node `user`. */
static int use_channel(const struct ctx *c, struct emu_dt_mbox *m,
		       const char *owner[][2][EMU_MBOX_CHANNELS], unsigned k, uint32_t ch, bool tx,
		       const char *user)
{
	const char *dir = tx ? "tx" : "rx";

	if (ch >= m->channels)
		return fail(c, user, "mboxes", "%s channel %" PRIu32 " is out of range of %s "
			    "(ipc-emu,channels = %" PRIu32 ")", dir, ch, m->node, m->channels);
	if (owner[k][tx][ch] != NULL && strcmp(owner[k][tx][ch], user) != 0)
		return fail(c, user, "mboxes", "%s channel %" PRIu32 " of %s is also the %s channel of %s",
			    dir, ch, m->node, dir, owner[k][tx][ch]);
	owner[k][tx][ch] = user;
	if (tx)
		m->tx_mask |= 1u << ch;
	else
		m->rx_mask |= 1u << ch;
	return 0;
}

/* Controllers: read, order (primary first, then by label), channel masks. */
static int build_mbox(const struct ctx *c, struct emu_dt_plan *plan, struct scan *sc)
{
	const char *owner[EMU_DT_MAX_MBOX][2][EMU_MBOX_CHANNELS];
	struct emu_dt_mbox tmp[EMU_DT_MAX_MBOX];
	unsigned order[EMU_DT_MAX_MBOX], pos_of[EMU_DT_MAX_MBOX], primary = 0, n = 0;
	int rc;

	for (unsigned i = 0; i < sc->n_ctrl; i++) {
		rc = read_ctrl(c, sc->ctrl_off[i], &tmp[i]);
		if (rc < 0)
			return rc;
	}
	if (plan->n_inst > 0) {
		primary = sc->inst_ctrl[0];
		for (unsigned i = 1; i < plan->n_inst; i++) {
			if (sc->inst_ctrl[i] != primary)
				return fail(c, plan->inst[i].node, "mboxes",
					    "controller %s is not %s, the controller of %s: all "
					    COMPAT_ICMSG "/" COMPAT_ICBMSG " instances share the "
					    "core's primary MBOX controller in ipc-emu",
					    plan->inst[i].mbox_node, plan->inst[0].mbox_node,
					    plan->inst[0].node);
		}
	} else {
		for (unsigned i = 1; i < sc->n_ctrl; i++) {
			if (strcmp(tmp[i].label, tmp[primary].label) < 0)
				primary = i;
		}
	}
	if (sc->n_ctrl > 0)
		order[n++] = primary;
	/* the others by label: insertion sort of at most 3 */
	for (unsigned i = 0; i < sc->n_ctrl; i++) {
		unsigned j;

		if (i == primary)
			continue;
		for (j = n; j > 1 && strcmp(tmp[order[j - 1]].label, tmp[i].label) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	for (unsigned k = 0; k < n; k++) {
		plan->mbox[k] = tmp[order[k]];
		plan->mbox[k].index = k;
		pos_of[order[k]] = k;
		for (unsigned j = 0; j < k; j++) {
			if (strcmp(plan->mbox[j].label, plan->mbox[k].label) == 0)
				return fail(c, plan->mbox[k].node, "label",
					    "\"%s\" is also the label of %s", plan->mbox[k].label,
					    plan->mbox[j].node);
		}
	}
	plan->n_mbox = n;

	memset(owner, 0, sizeof owner);
	for (unsigned i = 0; i < plan->n_inst; i++) {
		const struct emu_dt_inst *in = &plan->inst[i];

		rc = use_channel(c, &plan->mbox[0], owner, 0, in->mbox_tx, true, in->node);
		if (rc == 0)
			rc = use_channel(c, &plan->mbox[0], owner, 0, in->mbox_rx, false, in->node);
		if (rc < 0)
			return rc;
	}
	for (unsigned u = 0; u < plan->n_mbox_user; u++) {
		struct emu_dt_mbox_user *us = &plan->mbox_user[u];

		for (unsigned i = 0; i < us->n_chan; i++) {
			unsigned k = pos_of[sc->user_ctrl[u][i]];

			us->chan[i].mbox = k;
			rc = use_channel(c, &plan->mbox[k], owner, k, us->chan[i].channel,
					 us->chan[i].tx, us->node);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* IPM devices in label order; their index is their position. */
static int order_ipm(const struct ctx *c, struct emu_dt_plan *plan)
{
	for (unsigned i = 1; i < plan->n_ipm; i++) {
		struct emu_dt_ipm x = plan->ipm[i];
		unsigned j;

		for (j = i; j > 0 && strcmp(plan->ipm[j - 1].label, x.label) > 0; j--)
			plan->ipm[j] = plan->ipm[j - 1];
		plan->ipm[j] = x;
	}
	for (unsigned i = 0; i < plan->n_ipm; i++) {
		plan->ipm[i].index = i;
		if (i > 0 && strcmp(plan->ipm[i - 1].label, plan->ipm[i].label) == 0)
			return fail(c, plan->ipm[i].node, "label", "\"%s\" is also the label of %s",
				    plan->ipm[i].label, plan->ipm[i - 1].node);
	}
	return 0;
}

/* Labels are how devices are found (emu_board_device): unique across kinds. */
static int unique_labels(const struct ctx *c, const struct emu_dt_plan *plan)
{
	const char *label[EMU_DT_MAX_INST + EMU_DT_MAX_MBOX + EMU_DT_MAX_MBOX_USER + EMU_DT_MAX_IPM];
	const char *node[sizeof label / sizeof label[0]];
	unsigned n = 0;

	for (unsigned i = 0; i < plan->n_inst; i++, n++) {
		label[n] = plan->inst[i].label;
		node[n] = plan->inst[i].node;
	}
	for (unsigned i = 0; i < plan->n_mbox; i++, n++) {
		label[n] = plan->mbox[i].label;
		node[n] = plan->mbox[i].node;
	}
	for (unsigned i = 0; i < plan->n_mbox_user; i++, n++) {
		label[n] = plan->mbox_user[i].label;
		node[n] = plan->mbox_user[i].node;
	}
	for (unsigned i = 0; i < plan->n_ipm; i++, n++) {
		label[n] = plan->ipm[i].label;
		node[n] = plan->ipm[i].node;
	}
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(label[i], label[j]) == 0)
				return fail(c, node[i], "label", "\"%s\" is also the label of %s",
					    label[i], node[j]);
		}
	}
	return 0;
}

static int read_plan(const struct ctx *c, struct emu_dt_plan *plan)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	int depth = 0, off, rc;
	struct scan sc;

	memset(&sc, 0, sizeof sc);
	for (off = fdt_next_node(c->fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(c->fdt, off, &depth)) {
		enum emu_backend backend = EMU_BACKEND_ICMSG;
		enum emu_ipm_kind kind = EMU_IPM_GENERIC;

		rc = classify(c, off, &backend);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			struct emu_dt_inst *in = &plan->inst[plan->n_inst];

			if (plan->n_inst == EMU_DT_MAX_INST)
				return fail_at(c, off, "compatible", "more than %d IPC instances",
					       EMU_DT_MAX_INST);
			rc = read_inst(c, off, backend, in);
			if (rc == 0)
				rc = ctrl_slot(c, &sc, fdt_path_offset(c->fdt, in->mbox_node),
					       in->node, &sc.inst_ctrl[plan->n_inst]);
			if (rc < 0)
				return rc;
			plan->n_inst++;
			continue;
		}
		rc = classify_ipm(c, off, &kind);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (plan->n_ipm == EMU_DT_MAX_IPM)
				return fail_at(c, off, "compatible", "more than %d IPM devices",
					       EMU_DT_MAX_IPM);
			rc = read_ipm(c, off, kind, &plan->ipm[plan->n_ipm]);
			if (rc < 0)
				return rc;
			plan->n_ipm++;
			continue;
		}
		rc = classify_user(c, off);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (plan->n_mbox_user == EMU_DT_MAX_MBOX_USER)
				return fail_at(c, off, "mboxes", "more than %d MBOX consumers",
					       EMU_DT_MAX_MBOX_USER);
			rc = read_mbox_user(c, off, &sc, plan->n_mbox_user,
					    &plan->mbox_user[plan->n_mbox_user]);
			if (rc < 0)
				return rc;
			plan->n_mbox_user++;
		}
	}
	if (off != -FDT_ERR_NOTFOUND)
		return fail(c, "/", "structure", "%s", fdt_strerror(off));
	if (plan->n_inst == 0 && plan->n_ipm == 0 && plan->n_mbox_user == 0)
		return fail(c, "/", "compatible", "no " COMPAT_ICMSG " or " COMPAT_ICBMSG
			    " node with status \"okay\" (nor an IPM device or MBOX consumer)");
	rc = cross_check(c, plan);
	if (rc == 0)
		rc = build_mbox(c, plan, &sc);
	if (rc == 0)
		rc = order_ipm(c, plan);
	if (rc == 0)
		rc = unique_labels(c, plan);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < plan->n_inst; i++) {
		const struct emu_dt_region *r[2] = { &plan->inst[i].tx, &plan->inst[i].rx };

		for (int k = 0; k < 2; k++) {
			if (r[k]->addr < lo)
				lo = r[k]->addr;
			if (r[k]->addr + r[k]->size > hi)
				hi = r[k]->addr + r[k]->size;
		}
	}
	plan->base = plan->n_inst ? lo : 0;
	plan->size = plan->n_inst ? hi - lo : 0;
	if (plan->size > c->mem_limit) {
		char lim[32];

		/* name the region that ends highest (lo comes from another one) */
		for (unsigned i = 0; i < plan->n_inst; i++) {
			const struct emu_dt_inst *in = &plan->inst[i];
			const struct emu_dt_region *r = &in->tx;
			const char *prop = "tx-region";

			if (in->rx.addr + in->rx.size == hi) {
				r = &in->rx;
				prop = "rx-region";
			} else if (in->tx.addr + in->tx.size != hi) {
				continue;
			}
			size_words(c->mem_limit, lim, sizeof lim);
			return fail(c, in->node, prop, "%s ends at 0x%" PRIx64 ": the memory image from"
				    " 0x%" PRIx64 " (lowest region) would be 0x%" PRIx64 " bytes, above"
				    " the memory limit of 0x%" PRIx64 " (%s)", r->node, hi, lo,
				    plan->size, c->mem_limit, lim);
		}
	}
	return 0;
}

/* Compile (file or text) and read; or, when `given`, read a copy of the
 * blob (dts, dts_len).  `src` is already bounded and one line. */
static int load(const char *path, const char *dts, size_t dts_len, bool given,
		uint64_t mem_limit, struct emu_dt_plan *out, char *err, size_t errlen)
{
	struct ctx c = { .src = out->source, .err = err, .errlen = errlen,
			 .mem_limit = mem_limit, .plan = out };
	char *dtb = NULL;
	size_t dtb_len = 0;
	int rc;

	if (given) {
		/* libfdt wants an 8-aligned blob: malloc'ed memory is */
		rc = -ENOMEM;
		dtb = malloc(dts_len ? dts_len : 1);
		if (!dtb) {
			dt_set_err(err, errlen, "%s: out of memory", out->source);
			goto fail;
		}
		memcpy(dtb, dts, dts_len);
		dtb_len = dts_len;
	} else {
		rc = dt_run_dtc(path, dts, dts_len, out->source, &dtb, &dtb_len, err, errlen);
		if (rc < 0)
			goto fail;
	}
	/* libfdt 1.6's fdt_check_full() dereferences NULL on some blobs of a
	 * version below 16 (found by fuzz/fuzz_devicetree.c): accept only what
	 * dtc writes, version 17 and later, before libfdt looks further. */
	if (dtb_len < sizeof(struct fdt_header))
		rc = -FDT_ERR_TRUNCATED;
	else if (fdt_magic(dtb) != FDT_MAGIC)
		rc = -FDT_ERR_BADMAGIC;
	else if (fdt_version(dtb) < 17)
		rc = -FDT_ERR_BADVERSION;
	else
		rc = fdt_check_full(dtb, dtb_len);
	if (rc != 0) {
		dt_set_err(err, errlen, "%s: %s is not a valid blob: %s", out->source,
			given ? "input" : "dtc output", fdt_strerror(rc));
		rc = given ? -EINVAL : -ENOEXEC;
		goto fail;
	}
	c.fdt = dtb;
	rc = read_plan(&c, out);
	if (rc < 0)
		goto fail;
	free(dtb);
	if (err && errlen)
		err[0] = '\0';
	return 0;
fail:
	free(dtb);
	{
		char keep[sizeof out->source];

		memcpy(keep, out->source, sizeof keep);
		memset(out, 0, sizeof *out); /* warnings too: err says what failed */
		memcpy(out->source, keep, sizeof keep);
	}
	return rc;
}

static void set_source(struct emu_dt_plan *out, const char *source)
{
	memset(out, 0, sizeof *out);
	snprintf(out->source, sizeof out->source, "%s", source);
	dt_one_line(out->source);
}

/* 1 when the file starts with the FDT magic (a compiled devicetree), 0 when
 * not or unreadable (dtc then says why). */
static int is_blob_file(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return 0;
	do {
		n = read(fd, m, sizeof m);
	} while (n < 0 && errno == EINTR);
	close(fd);
	return n == (ssize_t)sizeof m && m[0] == 0xd0 && m[1] == 0x0d && m[2] == 0xfe &&
	       m[3] == 0xed;
}

int emu_dt_load_file_opts(const char *path, const struct emu_dt_load_opts *opts,
			  struct emu_dt_plan *out, char *err, size_t errlen)
{
	uint64_t limit = opts && opts->mem_limit ? opts->mem_limit : EMU_DT_MEM_LIMIT_DEFAULT;
	struct stat st;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !out) {
		dt_set_err(err, errlen, "emu_dt_load_file: NULL argument");
		return -EINVAL;
	}
	set_source(out, path);
	if (limit > UINT32_MAX) {
		dt_set_err(err, errlen, "%s: memory limit 0x%" PRIx64 " is above 0x%" PRIx32
			" (the segment's size is 32-bit)", out->source, limit, UINT32_MAX);
		return -EINVAL;
	}
	if (stat(path, &st) != 0) {
		rc = -errno;
		dt_set_err(err, errlen, "%s: %s", out->source, strerror(-rc));
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		dt_set_err(err, errlen, "%s: is a directory, not a devicetree source", out->source);
		return -EISDIR;
	}
	/* Only a regular file has a size to check: a pipe (--dts <(cpp ...))
	 * is bounded by dtc's time limit and the blob's size limit. */
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > EMU_DT_SOURCE_MAX) {
		dt_set_err(err, errlen, "%s: %jd bytes is above the %u MiB limit of a devicetree"
			" source", out->source, (intmax_t)st.st_size, EMU_DT_SOURCE_MAX >> 20);
		return -EFBIG;
	}
	if (S_ISREG(st.st_mode) && is_blob_file(path)) {
		dt_set_err(err, errlen, "%s: this is a compiled devicetree; pass the .dts, e.g."
			" build/zephyr/zephyr.dts", out->source);
		return -EINVAL;
	}
	return load(path, NULL, 0, false, limit, out, err, errlen);
}

int emu_dt_load_file(const char *path, struct emu_dt_plan *out, char *err, size_t errlen)
{
	return emu_dt_load_file_opts(path, NULL, out, err, errlen);
}

int emu_dt_load_string(const char *dts, const char *source, struct emu_dt_plan *out, char *err,
		       size_t errlen)
{
	size_t len;

	if (err && errlen)
		err[0] = '\0';
	if (!dts || !out) {
		dt_set_err(err, errlen, "emu_dt_load_string: NULL argument");
		return -EINVAL;
	}
	set_source(out, source ? source : "<string>");
	len = strlen(dts);
	if (len > EMU_DT_SOURCE_MAX) {
		dt_set_err(err, errlen, "%s: %zu bytes is above the %u MiB limit of a devicetree"
			" source", out->source, len, EMU_DT_SOURCE_MAX >> 20);
		return -EFBIG;
	}
	return load(NULL, dts, len, false, EMU_DT_MEM_LIMIT_DEFAULT, out, err, errlen);
}

int emu_dt_load_blob(const void *dtb, size_t len, const char *source, struct emu_dt_plan *out,
		     char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!dtb || !out) {
		dt_set_err(err, errlen, "emu_dt_load_blob: NULL argument");
		return -EINVAL;
	}
	set_source(out, source ? source : "<blob>");
	return load(NULL, dtb, len, true, EMU_DT_MEM_LIMIT_DEFAULT, out, err, errlen);
}
