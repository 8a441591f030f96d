/*
 * check.c - `ipc-emu check`: validate devicetrees without running anything.
 *
 * The same loading and pair check as `ipc-emu run --dts` (emu_dt_load_file,
 * emu_dt_mirror, emu_dt_check_pair), which already cover every ICMsg/ICBMsg
 * instance, MBOX controller, MBOX consumer and IPM device of both trees, not
 * only the one a run would pick.  On top, two rules that only show when a
 * link starts (Zephyr checks neither at build time):
 *   - an ICMsg link where either side uses unbound "disable" (legacy bonding)
 *     needs both rings to hold the 13-byte bonding magic;
 *   - every ICBMsg region has a valid block layout (icbmsg_layout_compute).
 * Success: a summary on stdout (the host's view), exit 0.  Failure: one line
 * "ipc-emu: check: SOURCE: NODE: PROPERTY: PROBLEM" on stderr, exit 2.
 *
 * Three files or more, or any --core NAME=FILE: a multi-core topology
 * (emu_topo_load, docs/multicore.md "check"), each link also held to the two
 * rules above; the summary lists cores, links and the SoC's IPC memory.
 * Warnings of the reader (a node that looks like a misspelt instance) go to
 * stderr as "ipc-emu: check: warning: ..." and do not change the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ipc_emu/topology.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"

enum {
	CHECK_ERR_LEN = 1024,
	MAX_FILES = 16, /* more than EMU_TOPO_MAX_CORES: emu_topo_load says how many */
	MEM_LIMIT_MAX_MIB = 4095, /* the segment's size is 32-bit */
	ICMSG_MAGIC_BYTES = 13, /* the legacy bonding magic (spec 2.2) */
	ICMSG_MAGIC_RING = 24,  /* ring data that takes it: 4 + roundup4(13) + 4 kept free */
};

void cli_help_check(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu check [--quiet] [--mem-limit MIB] HOST.dts [REMOTE.dts]\n"
		"       ipc-emu check [--quiet] [--mem-limit MIB] --dts HOST.dts[,REMOTE.dts]\n"
		"       ipc-emu check [--quiet] [--mem-limit MIB] A.dts B.dts C.dts ...\n"
		"       ipc-emu check [--quiet] [--mem-limit MIB] --core NAME=FILE --core ...\n"
		"\n"
		"Validate devicetrees the way 'ipc-emu run --dts' does, without creating a\n"
		"segment or starting a peer.  With one file the remote's view is that file\n"
		"mirrored (what 'run --dts FILE' uses); with two, the second is the remote's\n"
		"own devicetree and the two are checked as the ends of one link.  Every\n"
		"instance, MBOX controller, MBOX consumer and IPM device is checked, not only\n"
		"the one a run would pick.\n"
		"\n"
		"checked in each file:\n"
		"  the file: a devicetree source (not a directory, not a compiled .dtb), at\n"
		"    most 4 MiB\n"
		"  zephyr,ipc-icmsg / zephyr,ipc-icbmsg nodes with status \"okay\" (at most 8):\n"
		"    tx-region, rx-region   phandles of reserved-memory nodes with a reg; address\n"
		"                           aligned to max(dcache-alignment, 4), size a multiple\n"
		"                           of 4 and not 0; ICMsg: at least max(dcache-alignment,\n"
		"                           4) + 4 + 12 bytes (the smallest pbuf); ICBMsg: room\n"
		"                           for the control ring and 4 bytes per block; no region\n"
		"                           overlaps another one; with #address-cells = <1> it\n"
		"                           ends at or below 4 GiB; no region, and not the\n"
		"                           memory image from the lowest region to the end of\n"
		"                           the highest, is above the memory limit (256 MiB,\n"
		"                           see --mem-limit)\n"
		"    mboxes, mbox-names     two specifiers on one controller, named \"tx\", \"rx\"\n"
		"                           (either order); channels 0..30, tx and rx on two\n"
		"                           channels, none used twice\n"
		"    dcache-alignment       a power of two (or absent)\n"
		"    unbound                \"disable\" (default), \"enable\" or \"detect\"; the\n"
		"                           last two need dcache-alignment >= 8\n"
		"    tx-blocks, rx-blocks   ICBMsg: required, 1..256\n"
		"    label                  unique across instances, controllers, consumers, IPM\n"
		"  MBOX consumers (other nodes with mboxes): one direction name per specifier\n"
		"  a node with tx-region/rx-region whose compatible is neither of the two\n"
		"    (a typo such as \"zephyr,ipc-icmsgX\") is no instance: a warning names it\n"
		"  IPM devices (ipc-emu,ipm, nxp,imx-mu): data-size, max-id, direction\n"
		"checked between the two files (the remote's node is named):\n"
		"  same instances by label, same compatible; the remote's tx-region is the\n"
		"  host's rx-region and the other way round (same address and size); same\n"
		"  dcache-alignment; channels swapped; ICBMsg tx-blocks/rx-blocks swapped; ICMsg\n"
		"  unbound modes that pair (\"detect\" pairs with anything, \"disable\" and\n"
		"  \"enable\" only with themselves); same MBOX controllers (ipc-emu,mtu,\n"
		"  ipc-emu,channels) with directions swapped; same MBOX consumers using the same\n"
		"  channels the other way round; same IPM devices with swapped directions\n"
		"checked when a link would start:\n"
		"  ICMsg, \"disable\" on either side: each ring takes the 13-byte bonding magic\n"
		"  (region >= max(dcache-alignment, 4) + 4 + 24 bytes); ICBMsg: a valid block\n"
		"  layout in both regions\n"
		"\n"
		"options:\n"
		"  --dts FILE[,FILE...]  the files, as 'run' takes them (instead of positional\n"
		"                     ones)\n"
		"  --core NAME=FILE   a core of a multi-core topology, named NAME (repeatable;\n"
		"                     mixes with files, which are named by their base name)\n"
		"  --mem-limit MIB    largest region and memory image, in MiB (1..4095, default\n"
		"                     256)\n"
		"  --quiet            print nothing on success (warnings still go to stderr)\n"
		"  --help             this text\n"
		"\n"
		"On success a summary of the host's view is printed: one line per instance,\n"
		"MBOX controller, MBOX consumer and IPM device, then 'ok: ...'.  A tree\n"
		"without ICMsg/ICBMsg instances is valid: a 'note:' line says what 'run' can\n"
		"do with it (user programs, ipm-echo, mbox-pingpong).  On failure\n"
		"one line on stderr names the file, the node and the property:\n"
		"  ipc-emu: check: net.dts: /ipc/ipc1: tx-blocks: 16 is not the rx-blocks of ...\n"
		"\n"
		"examples:\n"
		"  ipc-emu check examples/nrf5340dk_cpuapp.dts examples/nrf5340dk_cpunet.dts\n"
		"  ipc-emu check --quiet board.dts && ipc-emu run --dts board.dts\n"
		"  ipc-emu check --dts app.dts,net.dts\n"
		"\n"
		"more than two cores (three files or more, or any --core; docs/multicore.md):\n"
		"  one devicetree per core, 2 to 8 cores, each named by --core NAME or its file\n"
		"  name without extension ([A-Za-z0-9_], 1 to 31 characters, all different).\n"
		"  Every ICMsg/ICBMsg instance must pair with exactly one instance of another\n"
		"  core: its tx-region is that instance's rx-region and the other way round\n"
		"  (address and size).  Each pair is a link, hosted by the core listed first;\n"
		"  both views of a link get the two-file checks above.  Refused, with one line\n"
		"  naming the files and nodes: a region no other core uses (dangling) or only\n"
		"  half matched, a region pair claimed by two cores, regions of two links that\n"
		"  overlap, an MBOX channel of a core used by two of its links (as either side\n"
		"  believes), a core without instance.  MBOX consumers and IPM devices belong to\n"
		"  no link: a warning.  The summary lists the cores, the links (backend, host ->\n"
		"  remote, regions, channels, blocks or unbound) and the SoC's IPC memory.\n"
		"  ipc-emu check examples/nrf54h20/cpuapp.dts examples/nrf54h20/cpurad.dts \\\n"
		"                examples/nrf54h20/cpuppr.dts examples/nrf54h20/cpuflpr.dts\n"
		"  ipc-emu check --core app=a.dts --core rad=r.dts --core ppr=p.dts\n"
		"\n"
		"exit status: 0 valid, 2 invalid devicetree or usage error.\n");
}

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ipc-emu: check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'ipc-emu check --help')\n", stderr);
	return EXIT_USAGE;
}

/* A file name for a one-line message: control characters become '?'. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	buf[i] = '\0';
	return buf;
}

struct check {
	const char *file[MAX_FILES];
	char *name[MAX_FILES]; /* --core NAME, else NULL (malloc'ed) */
	unsigned n_file;
	bool any_core;         /* a --core: a topology whatever the count */
	bool quiet;
	struct emu_dt_load_opts opts;
	struct emu_dt_plan host, remote;
	struct emu_topo *topo; /* more than two cores */
	char err[CHECK_ERR_LEN];
};

static int add_file(struct check *k, const char *f, const char *name, size_t name_len)
{
	if (k->n_file == MAX_FILES) {
		return usage("more than %d devicetree files", MAX_FILES);
	}
	if (f[0] == '\0') {
		return usage("empty file name");
	}
	if (name != NULL) {
		k->name[k->n_file] = strndup(name, name_len);
		if (k->name[k->n_file] == NULL) {
			return usage("out of memory");
		}
	}
	k->file[k->n_file++] = f;
	return 0;
}

/* --dts A or A,B or A,B,C,... */
static int add_dts_list(struct check *k, char *list)
{
	int rc = 0;

	while (rc == 0) {
		char *comma = strchr(list, ',');

		if (comma != NULL) {
			*comma = '\0';
		}
		rc = add_file(k, list, NULL, 0);
		if (comma == NULL) {
			break;
		}
		list = comma + 1;
	}
	return rc;
}

/* --core NAME=FILE (the name is checked by emu_topo_load) */
static int add_core(struct check *k, const char *spec)
{
	size_t name_len;
	char buf[64];

	if (cli_core_spec_split(spec, NULL, 0, NULL, &name_len) != 0) {
		return usage("--core takes NAME=FILE, not '%s'", printable(spec, buf, sizeof(buf)));
	}
	k->any_core = true;
	return add_file(k, spec + name_len + 1, spec, name_len);
}

static void check_free(struct check *k)
{
	for (unsigned i = 0; i < MAX_FILES; i++) {
		free(k->name[i]);
	}
	free(k->topo);
	free(k);
}

/* 1: --help printed; 0: parsed; EXIT_USAGE: message printed. */
static int parse(struct check *k, int argc, char **argv, int first)
{
	bool opts = true;
	int rc;

	for (int i = first; i < argc; i++) {
		const char *a = argv[i];

		if (opts && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			cli_help_check(stdout);
			return 1;
		}
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
			k->quiet = true;
		} else if (opts && strncmp(a, "--dts", 5) == 0 && (a[5] == '\0' || a[5] == '=')) {
			if (a[5] == '\0' && i + 1 >= argc) {
				return usage("--dts needs FILE[,FILE]");
			}
			rc = add_dts_list(k, a[5] == '=' ? argv[i] + 6 : argv[++i]);
			if (rc != 0) {
				return rc;
			}
		} else if (opts && strncmp(a, "--core", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
			if (a[6] == '\0' && i + 1 >= argc) {
				return usage("--core needs NAME=FILE");
			}
			rc = add_core(k, a[6] == '=' ? a + 7 : argv[++i]);
			if (rc != 0) {
				return rc;
			}
		} else if (opts && strncmp(a, "--mem-limit", 11) == 0 &&
			   (a[11] == '\0' || a[11] == '=')) {
			const char *v = a[11] == '=' ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
			uint64_t mib;
			char buf[64];

			if (v == NULL) {
				return usage("--mem-limit needs MIB");
			}
			if (!cli_parse_u64(v, MEM_LIMIT_MAX_MIB, &mib) || mib == 0) {
				return usage("--mem-limit: '%s' is not a number of MiB in 1..%d",
					     printable(v, buf, sizeof(buf)), MEM_LIMIT_MAX_MIB);
			}
			k->opts.mem_limit = mib << 20;
		} else if (opts && a[0] == '-' && a[1] != '\0') {
			char buf[64];

			return usage("unknown option '%s'", printable(a, buf, sizeof(buf)));
		} else {
			rc = add_file(k, a, NULL, 0);
			if (rc != 0) {
				return rc;
			}
		}
	}
	if (k->n_file == 0) {
		return usage("expected HOST.dts [REMOTE.dts]");
	}
	return 0;
}

/* Before dtc sees it: a clear one-line reason for a file it cannot read. */
static int readable(const char *path, char *err, size_t errlen)
{
	char name[256];
	struct stat st;
	int fd;

	printable(path, name, sizeof(name));
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a devicetree source", name);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int load(const struct check *k, const char *path, struct emu_dt_plan *p, char *err,
		size_t errlen)
{
	int rc;

	if (readable(path, err, errlen) != 0) {
		return -1;
	}
	rc = emu_dt_load_file_opts(path, &k->opts, p, err, errlen);
	if (rc == 0 && p->n_warnings > 0) {
		cli_err("check: warning: %s", p->warning);
		if (p->n_warnings > 1) {
			cli_err("check: warning: %s: %u more warning%s like it", p->source,
				p->n_warnings - 1, p->n_warnings == 2 ? "" : "s");
		}
	}
	if (rc < 0 && err[0] == '\0') {
		char name[256];

		snprintf(err, errlen, "%s: cannot load devicetree (%s)",
			 printable(path, name, sizeof(name)), strerror(-rc));
	}
	return rc < 0 ? -1 : 0;
}

static uint32_t align_of(const struct emu_dt_inst *in)
{
	return in->dcache_alignment > 4 ? in->dcache_alignment : 4;
}

/* ICMsg ring data of a region without the handshake word (pbuf, spec 1.1). */
static uint64_t ring_len(const struct emu_dt_region *r, uint32_t align)
{
	return r->size > (uint64_t)align + 4 ? r->size - align - 4 : 0;
}

static int link_rules(const struct emu_dt_plan *h, const struct emu_dt_plan *r, char *err,
		      size_t errlen)
{
	static const char *const prop[2] = { "tx-region", "rx-region" };

	for (unsigned i = 0; i < h->n_inst; i++) {
		const struct emu_dt_inst *in = &h->inst[i];
		const struct emu_dt_inst *rin = emu_dt_find(r, in->label);
		const struct emu_dt_region *reg[2] = { &in->tx, &in->rx };
		uint32_t a = align_of(in);

		if (in->backend == EMU_BACKEND_ICMSG) {
			bool legacy = in->unbound == EMU_UNBOUND_DISABLE ||
				      (rin != NULL && rin->unbound == EMU_UNBOUND_DISABLE);

			for (int d = 0; d < 2 && legacy; d++) {
				if (ring_len(reg[d], a) >= ICMSG_MAGIC_RING) {
					continue;
				}
				snprintf(err, errlen,
					 "%s: %s: %s: %s: size 0x%" PRIx64 " leaves a %" PRIu64
					 "-byte ring, too small for the %d-byte bonding magic of "
					 "unbound \"disable\" (needs 0x%" PRIx64
					 ": max(dcache-alignment, 4) + 4 + %d)",
					 h->source, in->node, prop[d], reg[d]->node, reg[d]->size,
					 ring_len(reg[d], a), ICMSG_MAGIC_BYTES,
					 (uint64_t)a + 4 + ICMSG_MAGIC_RING, ICMSG_MAGIC_RING);
				return -1;
			}
		} else {
			uint32_t local[2] = { in->tx_blocks, in->rx_blocks };
			struct icbmsg_layout l;

			for (int d = 0; d < 2; d++) {
				if (icbmsg_layout_compute(reg[d]->addr, reg[d]->size,
							  in->dcache_alignment, local[d],
							  local[1 - d], &l) == 0) {
					continue;
				}
				snprintf(err, errlen, "%s: %s: %s: %s: no valid ICBMsg block layout for "
					 "%" PRIu32 " blocks in 0x%" PRIx64 "+0x%" PRIx64,
					 h->source, in->node, prop[d], reg[d]->node, local[d],
					 reg[d]->addr, reg[d]->size);
				return -1;
			}
		}
	}
	return 0;
}

/* Channels of a mask: "0,2,4" or "-". */
static const char *chan_list(uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned ch = 0; ch < 32 && n + 4 < len; ch++) {
		if (mask & (1u << ch)) {
			n += (size_t)snprintf(buf + n, len - n, "%s%u", n ? "," : "", ch);
		}
	}
	if (n == 0) {
		snprintf(buf, len, "-");
	}
	return buf;
}

static const char *ipm_compat(enum emu_ipm_kind kind)
{
	return kind == EMU_IPM_IMX_MU ? "nxp,imx-mu" : "ipc-emu,ipm";
}

static const char *ipm_direction(const struct emu_dt_ipm *d)
{
	return d->tx && d->rx ? "both" : d->tx ? "tx" : "rx";
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

/* From the backend on: backend, regions, channels, alignment, then unbound
 * or the blocks (ICMsg: `peer_unbound` added when the peer's differs). */
static void print_inst_tail(const struct emu_dt_inst *in, const struct emu_dt_plan *p,
			    const struct emu_dt_inst *peer)
{
	printf("%s, tx 0x%" PRIx64 "+0x%" PRIx64 ", rx 0x%" PRIx64
	       "+0x%" PRIx64 ", mboxes tx %" PRIu32 " rx %" PRIu32 " on %s, dcache-alignment %" PRIu32,
	       cli_backend_name(in->backend), in->tx.addr, in->tx.size,
	       in->rx.addr, in->rx.size, in->mbox_tx, in->mbox_rx,
	       p->n_mbox > 0 ? p->mbox[0].label : "?", in->dcache_alignment);
	if (in->backend == EMU_BACKEND_ICMSG && peer != NULL && peer->unbound != in->unbound) {
		printf(", unbound %s (remote %s)\n", cli_unbound_name(in->unbound),
		       cli_unbound_name(peer->unbound));
	} else if (in->backend == EMU_BACKEND_ICMSG) {
		printf(", unbound %s\n", cli_unbound_name(in->unbound));
	} else if (emu_board_icbmsg_version(in, NULL) == EMU_ICBMSG_V2) {
		struct icbmsg_v2_layout tx, rx;
		const char *how = in->icbmsg_version == EMU_ICBMSG_V2 ? "ipc-emu,icbmsg-version"
								       : "default";

		/* MAX_ACTIVE_COUNT 16 (the default; run --max-active-count S) */
		if (icbmsg_v2_layout_compute(in->tx.addr, in->tx.size, in->dcache_alignment,
					     in->tx_blocks, ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT, &tx) < 0 ||
		    icbmsg_v2_layout_compute(in->rx.addr, in->rx.size, in->dcache_alignment,
					     in->rx_blocks, ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT, &rx) < 0) {
			printf(", icbmsg-version v2 (%s): no v2 layout (at most 32 blocks of >= 4 "
			       "bytes after two queues); run needs --icbmsg-version classic\n", how);
			return;
		}
		printf(", icbmsg-version v2 (%s), tx-blocks %" PRIu32 " x %" PRIu32
		       " bytes, rx-blocks %" PRIu32 " x %" PRIu32 " bytes, queues 2 x %" PRIu32
		       " bytes (MAX_ACTIVE_COUNT 16)\n", how, in->tx_blocks, tx.block_size,
		       in->rx_blocks, rx.block_size, tx.queue_size);
	} else {
		struct icbmsg_layout tx, rx;

		/* link_rules() made sure both layouts exist */
		icbmsg_layout_compute(in->tx.addr, in->tx.size, in->dcache_alignment, in->tx_blocks,
				      in->rx_blocks, &tx);
		icbmsg_layout_compute(in->rx.addr, in->rx.size, in->dcache_alignment, in->rx_blocks,
				      in->tx_blocks, &rx);
		printf(", icbmsg-version classic, tx-blocks %" PRIu32 " x %" PRIu32
		       " bytes, rx-blocks %" PRIu32 " x %" PRIu32 " bytes\n", in->tx_blocks,
		       tx.block_size, in->rx_blocks, rx.block_size);
	}
}

/* What `run` does with a tree without instances (the same rules as
 * cli_load_config): user programs run; of the built-in scenarios only the
 * two that use no instance, each when its device is there. */
static void print_inst(const struct emu_dt_inst *in, const struct emu_dt_plan *p)
{
	printf("instance %s (%s): ", in->label, in->node);
	print_inst_tail(in, p, NULL);
}

static void print_no_instance_note(const struct emu_dt_plan *h)
{
	bool ipm = emu_dt_find_ipm(h, SCN_IPM_LABEL) != NULL;
	bool mbox = emu_dt_find_mbox_user(h, SCN_MBOX_SIGNAL_CONSUMER) != NULL ||
		    emu_dt_find_mbox_user(h, SCN_MBOX_DATA_CONSUMER) != NULL;

	printf("note: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg instance: 'run' takes user "
	       "programs (--host/--remote)");
	if (ipm || mbox) {
		printf(" and --scenario %s%s%s", ipm ? "ipm-echo" : "", ipm && mbox ? ", " : "",
		       mbox ? "mbox-pingpong" : "");
	}
	printf("; the other built-in scenarios need an instance\n");
}

static void print_summary(const struct check *k)
{
	const struct emu_dt_plan *h = &k->host;
	char a[128], b[128];

	printf("host: %s\n", h->source);
	printf("remote: %s\n", k->remote.source);
	for (unsigned i = 0; i < h->n_inst; i++) {
		print_inst(&h->inst[i], h);
	}
	for (unsigned i = 0; i < h->n_mbox; i++) {
		const struct emu_dt_mbox *m = &h->mbox[i];

		printf("mbox %s (%s): #%" PRIu32 ", ", m->label, m->node, m->index);
		if (m->mtu == 0) {
			printf("signalling");
		} else {
			printf("data, mtu %" PRIu32, m->mtu);
		}
		printf(", %" PRIu32 " channels, tx %s rx %s\n", m->channels,
		       chan_list(m->tx_mask, a, sizeof(a)), chan_list(m->rx_mask, b, sizeof(b)));
	}
	for (unsigned i = 0; i < h->n_mbox_user; i++) {
		const struct emu_dt_mbox_user *u = &h->mbox_user[i];

		printf("consumer %s (%s):", u->label, u->node);
		for (unsigned c = 0; c < u->n_chan; c++) {
			const struct emu_dt_mbox_chan *ch = &u->chan[c];

			printf("%s \"%s\" = <&%s %" PRIu32 "> %s", c ? "," : "", ch->name,
			       ch->mbox < h->n_mbox ? h->mbox[ch->mbox].label : "?", ch->channel,
			       ch->tx ? "outbound" : "inbound");
		}
		printf("\n");
	}
	for (unsigned i = 0; i < h->n_ipm; i++) {
		const struct emu_dt_ipm *d = &h->ipm[i];

		printf("ipm %s (%s): %s, #%" PRIu32 ", data-size %" PRIu32 ", max-id 0x%" PRIx32
		       ", direction %s\n", d->label, d->node, ipm_compat(d->kind), d->index,
		       d->data_size, d->max_id, ipm_direction(d));
	}
	if (h->n_inst == 0) {
		print_no_instance_note(h);
	}
	printf("ok: %u instance%s, %u MBOX controller%s, %u MBOX consumer%s, %u IPM device%s\n",
	       h->n_inst, plural(h->n_inst), h->n_mbox, plural(h->n_mbox), h->n_mbox_user,
	       plural(h->n_mbox_user), h->n_ipm, plural(h->n_ipm));
}

/* More than two cores: load, the per-link rules, the summary. */
static int check_topology(struct check *k)
{
	struct emu_topo_core_spec spec[MAX_FILES];
	const struct emu_topo *t;
	int rc;

	for (unsigned i = 0; i < k->n_file; i++) {
		if (readable(k->file[i], k->err, sizeof(k->err)) != 0) {
			return -1;
		}
		spec[i].name = k->name[i];
		spec[i].path = k->file[i];
	}
	k->topo = calloc(1, sizeof(*k->topo));
	if (k->topo == NULL) {
		snprintf(k->err, sizeof(k->err), "out of memory");
		return -1;
	}
	t = k->topo;
	rc = emu_topo_load(spec, k->n_file, &k->opts, k->topo, k->err, sizeof(k->err));
	for (unsigned l = 0; rc == 0 && l < t->n_link; l++) {
		char e[CHECK_ERR_LEN - 128];

		if (link_rules(&t->link[l].plan[0], &t->link[l].plan[1], e, sizeof(e)) != 0) {
			snprintf(k->err, sizeof(k->err), "link %s: %s", t->link[l].name, e);
			rc = -1;
		}
	}
	if (rc != 0) {
		return -1;
	}
	if (t->n_warnings > 0) {
		cli_err("check: warning: %s", t->warning);
		if (t->n_warnings > 1) {
			cli_err("check: warning: %u more warning%s", t->n_warnings - 1,
				t->n_warnings == 2 ? "" : "s");
		}
	}
	return 0;
}

static void print_topology(const struct emu_topo *t)
{
	for (unsigned c = 0; c < t->n_core; c++) {
		const struct emu_topo_core *co = &t->core[c];
		unsigned n = 0;

		printf("core %s: %s, %u link%s", co->name, co->path, co->n_link, plural(co->n_link));
		for (unsigned l = 0; l < t->n_link; l++) {
			if (t->link[l].core[0] == c || t->link[l].core[1] == c) {
				printf("%s%s", n++ ? ", " : " (", t->link[l].name);
			}
		}
		printf("%s\n", n ? ")" : "");
	}
	for (unsigned l = 0; l < t->n_link; l++) {
		const struct emu_topo_link *li = &t->link[l];
		const struct emu_dt_inst *in = &li->plan[0].inst[0];

		printf("link %s: %s -> %s, %s (%s): ", li->name, t->core[li->core[0]].name,
		       t->core[li->core[1]].name, in->label, in->node);
		print_inst_tail(in, &li->plan[0], &li->plan[1].inst[0]);
	}
	printf("soc: IPC memory 0x%" PRIx64 "+0x%" PRIx64 " (the regions of all links)\n",
	       t->base, t->size);
	printf("ok: %u cores, %u link%s\n", t->n_core, t->n_link, plural(t->n_link));
}

static void print_topology_of(const struct check *k)
{
	print_topology(k->topo);
}

/* A check that passed: the summary (unless --quiet), then exit 0, or 2 when
 * stdout cannot take it (a closed pipe, a full disk). */
static int finish(struct check *k, void (*print)(const struct check *k))
{
	int rc = EXIT_PASS;

	if (!k->quiet) {
		print(k);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			cli_err("check: cannot write the summary: %s", strerror(errno));
			rc = EXIT_USAGE;
		}
	}
	check_free(k);
	return rc;
}

int cli_check_main(int argc, char **argv, int first)
{
	struct check *k = calloc(1, sizeof(*k));
	int rc;

	if (k == NULL) {
		cli_err("check: out of memory");
		return EXIT_USAGE;
	}
	rc = parse(k, argc, argv, first);
	if (rc != 0) {
		check_free(k);
		return rc == 1 ? EXIT_PASS : EXIT_USAGE;
	}
	if (k->n_file > 2 || k->any_core) {
		rc = check_topology(k);
		if (rc != 0) {
			cli_err("check: %s", k->err[0] ? k->err : "invalid topology");
			check_free(k);
			return EXIT_USAGE;
		}
		return finish(k, print_topology_of);
	}
	rc = load(k, k->file[0], &k->host, k->err, sizeof(k->err));
	if (rc == 0 && k->n_file == 2) {
		rc = load(k, k->file[1], &k->remote, k->err, sizeof(k->err));
	} else if (rc == 0) {
		emu_dt_mirror(&k->host, &k->remote);
	}
	if (rc == 0 && emu_dt_check_pair(&k->host, &k->remote, k->err, sizeof(k->err)) < 0) {
		rc = -1;
	}
	if (rc == 0) {
		rc = link_rules(&k->host, &k->remote, k->err, sizeof(k->err));
	}
	if (rc != 0) {
		if (k->err[0] == '\0') {
			snprintf(k->err, sizeof(k->err), "invalid devicetree");
		}
		cli_err("check: %s", k->err);
		check_free(k);
		return EXIT_USAGE;
	}
	return finish(k, print_summary);
}
