/*
 * test_devicetree.c - devicetree loading (dtc + libfdt), validation, mirror
 * and pair checks, and the hygiene of the dtc child (fds, zombies, SIGPIPE).
 *
 * Malformed inputs live in tests/dts/bad_*.dts, one defect each; every one
 * must fail with the exact return code and a one-line message naming the
 * node and property.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc_emu/emu.h"
#include "support/vg_cases.h"

#define DTS_DIR IPC_EMU_SOURCE_DIR "/tests/dts/"
#define EX_DIR IPC_EMU_SOURCE_DIR "/examples/"
#define HOST_SRC "cpuapp.dts"
#define REMOTE_SRC "cpunet.dts"

static char err[512];

/* ------------------------------------------------------------------ helpers */

static void load_ok(const char *dts, const char *source, struct emu_dt_plan *p)
{
	int rc = emu_dt_load_string(dts, source, p, err, sizeof err);

	cr_assert_eq(rc, 0, "load of %s: %d (%s)", source, rc, err);
	cr_assert_str_empty(err);
}

static void load_file_ok(const char *path, struct emu_dt_plan *p)
{
	int rc = emu_dt_load_file(path, p, err, sizeof err);

	cr_assert_eq(rc, 0, "load of %s: %d (%s)", path, rc, err);
}

static void load_pair(struct emu_dt_plan *host, struct emu_dt_plan *remote)
{
	load_ok(emu_dt_default_board(EMU_ROLE_HOST), HOST_SRC, host);
	load_ok(emu_dt_default_board(EMU_ROLE_REMOTE), REMOTE_SRC, remote);
}

static void assert_one_line(const char *e)
{
	cr_assert_gt(strlen(e), 0);
	cr_assert_null(strchr(e, '\n'), "message has a newline: %s", e);
	cr_assert_null(strchr(e, '\r'), "message has a CR: %s", e);
}

static void assert_region(const struct emu_dt_region *r, const char *node, uint64_t addr,
			  uint64_t size)
{
	cr_assert_str_eq(r->node, node);
	cr_assert_eq(r->addr, addr, "%s: addr 0x%" PRIx64, node, r->addr);
	cr_assert_eq(r->size, size, "%s: size 0x%" PRIx64, node, r->size);
}

static void assert_inst_eq(const struct emu_dt_inst *a, const struct emu_dt_inst *b)
{
	cr_assert_str_eq(a->node, b->node);
	cr_assert_str_eq(a->label, b->label);
	cr_assert_eq(a->backend, b->backend);
	assert_region(&a->tx, b->tx.node, b->tx.addr, b->tx.size);
	assert_region(&a->rx, b->rx.node, b->rx.addr, b->rx.size);
	cr_assert_str_eq(a->mbox_node, b->mbox_node);
	cr_assert_eq(a->mbox_tx, b->mbox_tx);
	cr_assert_eq(a->mbox_rx, b->mbox_rx);
	cr_assert_eq(a->dcache_alignment, b->dcache_alignment);
	cr_assert_eq(a->unbound, b->unbound);
	cr_assert_eq(a->tx_blocks, b->tx_blocks);
	cr_assert_eq(a->rx_blocks, b->rx_blocks);
}

/* Every field but `source`. */
static void assert_plan_eq(const struct emu_dt_plan *a, const struct emu_dt_plan *b)
{
	cr_assert_eq(a->n_inst, b->n_inst);
	for (unsigned i = 0; i < a->n_inst; i++)
		assert_inst_eq(&a->inst[i], &b->inst[i]);
	cr_assert_eq(a->base, b->base);
	cr_assert_eq(a->size, b->size);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

/* True if an exited child is waiting to be reaped. */
static bool have_zombie(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		cr_assert_eq(errno, ECHILD);
		return false;
	}
	return si.si_pid != 0;
}

/* A DTS with one instance whose tx-region has the given size and whose
 * rx-region is 4 KiB; ICBMsg with 2 blocks each way when `icbmsg`. */
static int load_sized(bool icbmsg, uint32_t dcache, uint32_t tx_size)
{
	char dts[2048];
	struct emu_dt_plan p;

	snprintf(dts, sizeof dts,
		 "/dts-v1/;\n"
		 "/ {\n"
		 "\treserved-memory {\n"
		 "\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n\t\tranges;\n"
		 "\t\ttx: memory@20070000 { reg = <0x20070000 0x%" PRIx32 ">; };\n"
		 "\t\trx: memory@20080000 { reg = <0x20080000 0x1000>; };\n"
		 "\t};\n"
		 "\tmbox: mbox { #mbox-cells = <1>; };\n"
		 "\tipc0: ipc0 {\n"
		 "\t\tcompatible = \"%s\";\n"
		 "\t\ttx-region = <&tx>;\n\t\trx-region = <&rx>;\n"
		 "\t\tmboxes = <&mbox 0>, <&mbox 1>;\n\t\tmbox-names = \"tx\", \"rx\";\n"
		 "\t\tdcache-alignment = <%" PRIu32 ">;\n"
		 "\t\ttx-blocks = <2>;\n\t\trx-blocks = <2>;\n"
		 "\t};\n"
		 "};\n",
		 tx_size, icbmsg ? "zephyr,ipc-icbmsg" : "zephyr,ipc-icmsg", dcache);
	return emu_dt_load_string(dts, "sized.dts", &p, err, sizeof err);
}

/* ------------------------------------------------------- the default board */

VgTest(dt_default, host_plan_exact, .timeout = 30)
{
	struct emu_dt_plan p;
	const struct emu_dt_inst *i0 = &p.inst[0], *i1 = &p.inst[1];

	load_ok(emu_dt_default_board(EMU_ROLE_HOST), "<default board: host>", &p);
	cr_assert_str_eq(p.source, "<default board: host>");
	cr_assert_eq(p.n_inst, 2);
	cr_assert_eq(p.base, 0x20070000);
	cr_assert_eq(p.size, 0x10000);

	cr_assert_str_eq(i0->node, "/ipc/ipc0");
	cr_assert_str_eq(i0->label, "ipc0");
	cr_assert_eq(i0->backend, EMU_BACKEND_ICMSG);
	assert_region(&i0->tx, "/reserved-memory/memory@20070000", 0x20070000, 0x4000);
	assert_region(&i0->rx, "/reserved-memory/memory@20074000", 0x20074000, 0x4000);
	cr_assert_str_eq(i0->mbox_node, "/soc/mbox@2a000");
	cr_assert_eq(i0->mbox_tx, 0);
	cr_assert_eq(i0->mbox_rx, 1);
	cr_assert_eq(i0->dcache_alignment, 8);
	cr_assert_eq(i0->unbound, EMU_UNBOUND_DISABLE);
	cr_assert_eq(i0->tx_blocks, 0);
	cr_assert_eq(i0->rx_blocks, 0);

	cr_assert_str_eq(i1->node, "/ipc/ipc1");
	cr_assert_str_eq(i1->label, "ipc1");
	cr_assert_eq(i1->backend, EMU_BACKEND_ICBMSG);
	assert_region(&i1->tx, "/reserved-memory/memory@20078000", 0x20078000, 0x4000);
	assert_region(&i1->rx, "/reserved-memory/memory@2007c000", 0x2007c000, 0x4000);
	cr_assert_str_eq(i1->mbox_node, "/soc/mbox@2a000");
	cr_assert_eq(i1->mbox_tx, 2);
	cr_assert_eq(i1->mbox_rx, 3);
	cr_assert_eq(i1->dcache_alignment, 8);
	cr_assert_eq(i1->unbound, EMU_UNBOUND_DISABLE);
	cr_assert_eq(i1->tx_blocks, 16);
	cr_assert_eq(i1->rx_blocks, 24);
}

VgTest(dt_default, remote_plan_exact, .timeout = 30)
{
	struct emu_dt_plan p;
	const struct emu_dt_inst *i0 = &p.inst[0], *i1 = &p.inst[1];

	load_ok(emu_dt_default_board(EMU_ROLE_REMOTE), "<default board: remote>", &p);
	cr_assert_eq(p.n_inst, 2);
	cr_assert_eq(p.base, 0x20070000);
	cr_assert_eq(p.size, 0x10000);

	cr_assert_str_eq(i0->node, "/ipc/ipc0");
	cr_assert_str_eq(i0->label, "ipc0");
	cr_assert_eq(i0->backend, EMU_BACKEND_ICMSG);
	assert_region(&i0->tx, "/reserved-memory/memory@20074000", 0x20074000, 0x4000);
	assert_region(&i0->rx, "/reserved-memory/memory@20070000", 0x20070000, 0x4000);
	cr_assert_str_eq(i0->mbox_node, "/soc/mbox@2a000");
	cr_assert_eq(i0->mbox_tx, 1); /* mbox-names = "rx", "tx" */
	cr_assert_eq(i0->mbox_rx, 0);
	cr_assert_eq(i0->dcache_alignment, 8);
	cr_assert_eq(i0->unbound, EMU_UNBOUND_DISABLE);

	cr_assert_str_eq(i1->label, "ipc1");
	cr_assert_eq(i1->backend, EMU_BACKEND_ICBMSG);
	assert_region(&i1->tx, "/reserved-memory/memory@2007c000", 0x2007c000, 0x4000);
	assert_region(&i1->rx, "/reserved-memory/memory@20078000", 0x20078000, 0x4000);
	cr_assert_eq(i1->mbox_tx, 3);
	cr_assert_eq(i1->mbox_rx, 2);
	cr_assert_eq(i1->tx_blocks, 24);
	cr_assert_eq(i1->rx_blocks, 16);
}

VgTest(dt_default, pair_passes_both_ways, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	strcpy(err, "stale");
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof err), 0, "%s", err);
	cr_assert_str_empty(err);
	cr_assert_eq(emu_dt_check_pair(&r, &h, err, sizeof err), 0, "%s", err);
}

VgTest(dt_default, mirror_of_host_is_remote, .timeout = 30)
{
	struct emu_dt_plan h, r, m;

	load_pair(&h, &r);
	emu_dt_mirror(&h, &m);
	assert_plan_eq(&m, &r);
	cr_assert_str_eq(m.source, "<mirror of " HOST_SRC ">");
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof err), 0, "%s", err);
}

VgTest(dt_default, mirror_twice_and_in_place, .timeout = 30)
{
	struct emu_dt_plan h, m;

	load_ok(emu_dt_default_board(EMU_ROLE_HOST), HOST_SRC, &h);
	m = h;
	emu_dt_mirror(&m, &m);
	emu_dt_mirror(&m, &m);
	assert_plan_eq(&m, &h);
	cr_assert_str_eq(m.source, "<mirror of <mirror of " HOST_SRC ">>");
}

VgTest(dt_default, mirror_bounds_a_long_source, .timeout = 10)
{
	struct emu_dt_plan p;

	memset(&p, 0, sizeof p);
	memset(p.source, 'x', sizeof p.source); /* no NUL at all */
	emu_dt_mirror(&p, &p);
	cr_assert_eq(strlen(p.source), sizeof p.source - 1);
	cr_assert_eq(strncmp(p.source, "<mirror of xxx", 14), 0);
	cr_assert_eq(p.source[sizeof p.source - 2], '>');
}

VgTest(dt_default, examples_are_the_default_board, .timeout = 30)
{
	struct emu_dt_plan h, r, eh, er;

	load_pair(&h, &r);
	load_file_ok(EX_DIR "nrf5340dk_cpuapp.dts", &eh);
	load_file_ok(EX_DIR "nrf5340dk_cpunet.dts", &er);
	cr_assert_str_eq(eh.source, EX_DIR "nrf5340dk_cpuapp.dts");
	assert_plan_eq(&eh, &h);
	assert_plan_eq(&er, &r);
	cr_assert_eq(emu_dt_check_pair(&eh, &er, err, sizeof err), 0, "%s", err);
}

VgTest(dt_default, unknown_role_is_null, .timeout = 10)
{
	cr_assert_not_null(emu_dt_default_board(EMU_ROLE_HOST));
	cr_assert_not_null(emu_dt_default_board(EMU_ROLE_REMOTE));
	cr_assert_null(emu_dt_default_board((enum emu_role)2));
}

VgTest(dt_default, find_by_label, .timeout = 30)
{
	struct emu_dt_plan p;
	char longlabel[64];

	load_ok(emu_dt_default_board(EMU_ROLE_HOST), HOST_SRC, &p);
	cr_assert_eq(emu_dt_find(&p, "ipc0"), &p.inst[0]);
	cr_assert_eq(emu_dt_find(&p, "ipc1"), &p.inst[1]);
	cr_assert_null(emu_dt_find(&p, "ipc2"));
	cr_assert_null(emu_dt_find(&p, "ipc"));
	cr_assert_null(emu_dt_find(&p, ""));
	cr_assert_null(emu_dt_find(NULL, "ipc0"));
	cr_assert_null(emu_dt_find(&p, NULL));
	memset(longlabel, 'a', sizeof longlabel - 1);
	longlabel[sizeof longlabel - 1] = '\0';
	cr_assert_null(emu_dt_find(&p, longlabel));
}

/* ------------------------------------------------------------ good inputs */

VgTest(dt_load, address_and_size_cells_2, .timeout = 30)
{
	struct emu_dt_plan p;

	load_file_ok(DTS_DIR "good_cells2.dts", &p);
	cr_assert_eq(p.n_inst, 1);
	assert_region(&p.inst[0].tx, "/reserved-memory/memory@100000000", 0x100000000ull, 0x1000);
	assert_region(&p.inst[0].rx, "/reserved-memory/memory@100001000", 0x100001000ull, 0x2000);
	cr_assert_eq(p.base, 0x100000000ull);
	cr_assert_eq(p.size, 0x3000);
}

VgTest(dt_load, mbox_names_reversed, .timeout = 30)
{
	struct emu_dt_plan p;

	load_file_ok(DTS_DIR "good_names_reversed.dts", &p);
	cr_assert_eq(p.inst[0].mbox_tx, 7);
	cr_assert_eq(p.inst[0].mbox_rx, 5);
	cr_assert_str_eq(p.inst[0].mbox_node, "/mbox");
}

VgTest(dt_load, ranges_translate_addresses, .timeout = 30)
{
	struct emu_dt_plan p;

	load_file_ok(DTS_DIR "good_ranges.dts", &p);
	assert_region(&p.inst[0].tx, "/reserved-memory/memory@0", 0x20070000, 0x1000);
	assert_region(&p.inst[0].rx, "/reserved-memory/memory@1000", 0x20071000, 0x1000);
	cr_assert_eq(p.base, 0x20070000);
	cr_assert_eq(p.size, 0x2000);
}

VgTest(dt_load, include_relative_to_the_file, .timeout = 30)
{
	struct emu_dt_plan p;

	load_file_ok(DTS_DIR "good_include.dts", &p);
	cr_assert_eq(p.n_inst, 1);
	cr_assert_str_eq(p.inst[0].label, "ipc0");
	assert_region(&p.inst[0].tx, "/reserved-memory/memory@20070000", 0x20070000, 0x1000);
}

VgTest(dt_load, labels_status_and_mbox_cells, .timeout = 30)
{
	struct emu_dt_plan p;
	const struct emu_dt_inst *a = &p.inst[0], *b = &p.inst[1];

	load_file_ok(DTS_DIR "good_labels.dts", &p);
	cr_assert_eq(p.n_inst, 2); /* ipc-off is disabled */
	cr_assert_str_eq(a->node, "/ipc/ipc0");
	cr_assert_str_eq(a->label, "first");
	cr_assert_eq(a->backend, EMU_BACKEND_ICMSG);
	cr_assert_str_eq(a->mbox_node, "/mailbox");
	cr_assert_eq(a->mbox_tx, 4);
	cr_assert_eq(a->mbox_rx, 6);
	cr_assert_eq(a->dcache_alignment, 64);
	cr_assert_eq(a->unbound, EMU_UNBOUND_DETECT);

	cr_assert_str_eq(b->node, "/ipc/plain@1");
	cr_assert_str_eq(b->label, "plain@1");
	cr_assert_eq(b->backend, EMU_BACKEND_ICBMSG);
	cr_assert_eq(b->tx_blocks, 1);
	cr_assert_eq(b->rx_blocks, 256);
	cr_assert_eq(b->mbox_tx, 8);
	cr_assert_eq(b->mbox_rx, 9);
	cr_assert_eq(b->dcache_alignment, 0);
	cr_assert_eq(b->unbound, EMU_UNBOUND_DISABLE);
	cr_assert_eq(p.base, 0x20070000);
	cr_assert_eq(p.size, 0x4000);
	cr_assert_eq(emu_dt_find(&p, "second"), NULL);
}

VgTest(dt_load, status_ok_counts, .timeout = 30)
{
	struct emu_dt_plan p;
	const char *dts = "/dts-v1/;\n/ { reserved-memory { #address-cells = <1>; #size-cells = <1>; "
			  "ranges; t: m@0 { reg = <0x0 0x100>; }; r: m@100 { reg = <0x100 0x100>; }; };"
			  " mb: mb { }; x { compatible = \"zephyr,ipc-icmsg\"; status = \"ok\"; "
			  "tx-region = <&t>; rx-region = <&r>; mboxes = <&mb 3>, <&mb 4>; "
			  "mbox-names = \"tx\", \"rx\"; }; };\n";

	load_ok(dts, "ok.dts", &p);
	cr_assert_eq(p.n_inst, 1);
	cr_assert_str_eq(p.inst[0].label, "x");
	cr_assert_eq(p.inst[0].mbox_tx, 3); /* #mbox-cells absent: 1 */
	cr_assert_eq(p.base, 0);
	cr_assert_eq(p.size, 0x200);
}

struct size_case {
	bool icbmsg;
	uint32_t dcache;
	uint32_t size;
	int rc;
};

/* Edges of the minimum sizes: ICMsg max(dcache,4)+4+12; ICBMsg with 2+2
 * blocks: roundup(max(dcache,4)+4+8*6, A) + 4*2, rounded up to A. */
static struct size_case min_size_cases[] = {
	{ false, 0, 20, 0 },       { false, 0, 16, -EINVAL },
	{ false, 4, 20, 0 },       { false, 8, 24, 0 },
	{ false, 8, 20, -EINVAL }, { false, 64, 80, 0 },
	{ false, 64, 76, -EINVAL }, { true, 0, 64, 0 },
	{ true, 0, 60, -EINVAL },  { true, 32, 128, 0 },
	{ true, 32, 124, -EINVAL },
};

ParameterizedTestParameters(dt_load, minimum_sizes)
{
	return VG_PARAM_ARRAY(struct size_case, min_size_cases);
}

ParameterizedTest(struct size_case *c, dt_load, minimum_sizes, .timeout = 30)
{
	VG_EACH_CASE(c, min_size_cases) {
		int rc = load_sized(c->icbmsg, c->dcache, c->size);

		cr_assert_eq(rc, c->rc, "%s dcache %u size %u: %d (%s)", c->icbmsg ? "icbmsg" : "icmsg",
			     c->dcache, c->size, rc, err);
		if (rc != 0) {
			cr_assert(strstr(err, "sized.dts: /ipc0: tx-region: /reserved-memory/memory@20070000: size"),
				  "%s", err);
			assert_one_line(err);
		}
	}
}

VgTest(dt_load, message_names_source_node_and_property, .timeout = 30)
{
	struct emu_dt_plan p;
	const char *dts = "/dts-v1/;\n/ { ipc { ipc0 { compatible = \"zephyr,ipc-icmsg\"; "
			  "tx-region = <7>; }; }; };\n";

	cr_assert_eq(emu_dt_load_string(dts, "board.dts", &p, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "board.dts: /ipc/ipc0: tx-region: phandle 0x7 does not resolve");
	cr_assert_eq(p.n_inst, 0);
	cr_assert_str_eq(p.source, "board.dts");
}

VgTest(dt_load, syntax_error_from_a_string, .timeout = 30)
{
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_string("/dts-v1/;\n/ { a = <1> };\n", "mine.dts", &p, err,
					sizeof err), -ENOEXEC);
	cr_assert_str_eq(err, "mine.dts: dtc: Error: mine.dts:2.13-14 syntax error");
}

VgTest(dt_load, missing_file_is_enoent, .timeout = 10)
{
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_file(DTS_DIR "does-not-exist.dts", &p, err, sizeof err), -ENOENT);
	cr_assert_str_eq(err, DTS_DIR "does-not-exist.dts: No such file or directory");
}

VgTest(dt_load, directory_is_eisdir, .timeout = 30)
{
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_file(DTS_DIR, &p, err, sizeof err), -EISDIR);
	cr_assert_str_eq(err, DTS_DIR ": is a directory, not a devicetree source");
}

/* A private directory for files made by a test; removed by rm_tmp(). */
static char tmpdir[64];

static const char *tmp_file(const char *name, const void *bytes, size_t len, off_t size)
{
	static char path[128];
	FILE *f;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/ipc-emu-dt-XXXXXX");
		cr_assert_not_null(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(bytes, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	if (size > (off_t)len)
		cr_assert_eq(truncate(path, size), 0);
	return path;
}

static void rm_tmp(const char *name)
{
	char path[128];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	unlink(path);
	rmdir(tmpdir);
	tmpdir[0] = '\0'; /* the next test (of a Valgrind batch) makes its own */
}

/* A source above EMU_DT_SOURCE_MAX is refused before dtc runs (a 8 MiB
 * string literal keeps dtc busy for half a minute). */
VgTest(dt_load, huge_file_is_efbig, .timeout = 10)
{
	const char *head = "/dts-v1/;\n";
	const char *path = tmp_file("huge.dts", head, strlen(head), EMU_DT_SOURCE_MAX + 1);
	char want[256];
	struct emu_dt_plan p;

	snprintf(want, sizeof want, "%s: %u bytes is above the 4 MiB limit of a devicetree source",
		 path, EMU_DT_SOURCE_MAX + 1);
	cr_assert_eq(emu_dt_load_file(path, &p, err, sizeof err), -EFBIG);
	cr_assert_str_eq(err, want);
	rm_tmp("huge.dts");
}

VgTest(dt_load, huge_string_is_efbig, .timeout = 10)
{
	char *dts = malloc(EMU_DT_SOURCE_MAX + 2);
	struct emu_dt_plan p;

	cr_assert_not_null(dts);
	memset(dts, ' ', EMU_DT_SOURCE_MAX + 1);
	dts[EMU_DT_SOURCE_MAX + 1] = '\0';
	cr_assert_eq(emu_dt_load_string(dts, "s.dts", &p, err, sizeof err), -EFBIG);
	cr_assert_str_eq(err, "s.dts: 4194305 bytes is above the 4 MiB limit of a devicetree source");
	free(dts);
}

/* A compiled devicetree (FDT magic) gets a hint instead of dtc's syntax error. */
VgTest(dt_load, compiled_dtb_gets_a_hint, .timeout = 10)
{
	static const unsigned char magic[] = { 0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0x10, 0 };
	const char *path = tmp_file("zephyr.dtb", magic, sizeof magic, 0);
	char want[256];
	struct emu_dt_plan p;

	snprintf(want, sizeof want, "%s: this is a compiled devicetree; pass the .dts, e.g. "
		 "build/zephyr/zephyr.dts", path);
	cr_assert_eq(emu_dt_load_file(path, &p, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, want);
	rm_tmp("zephyr.dtb");
}

/* The memory limit covers each region and the image from the lowest region
 * to the end of the highest; good_minimal's image is 0x2000 bytes. */
VgTest(dt_load, mem_limit_is_exact_and_settable, .timeout = 30)
{
	struct emu_dt_load_opts o = { .mem_limit = 0x2000 };
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_file_opts(DTS_DIR "good_minimal.dts", &o, &p, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(p.size, 0x2000);
	o.mem_limit = 0x1ffc;
	cr_assert_eq(emu_dt_load_file_opts(DTS_DIR "good_minimal.dts", &o, &p, err, sizeof err),
		     -EINVAL);
	cr_assert_str_eq(err, DTS_DIR "good_minimal.dts: /ipc/ipc0: rx-region: "
		     "/reserved-memory/memory@20071000 ends at 0x20072000: the memory image from "
		     "0x20070000 (lowest region) would be 0x2000 bytes, above the memory limit of "
		     "0x1ffc (8188 bytes)");
	o.mem_limit = 0xffc;
	cr_assert_eq(emu_dt_load_file_opts(DTS_DIR "good_minimal.dts", &o, &p, err, sizeof err),
		     -EINVAL);
	cr_assert_str_eq(err, DTS_DIR "good_minimal.dts: /reserved-memory/memory@20070000: reg: "
		     "size 0x1000 is above the memory limit of 0xffc (4092 bytes) of a region and "
		     "of the memory image");
	/* raised: the 2 GiB region of bad_region_too_big.dts loads */
	o.mem_limit = 0xffffffffu;
	cr_assert_eq(emu_dt_load_file_opts(DTS_DIR "bad_region_too_big.dts", &o, &p, err,
					   sizeof err), 0, "%s", err);
	cr_assert_eq(p.inst[0].rx.size, 0x80000000u);
	/* the segment's size is 32-bit */
	o.mem_limit = 0x100000000u;
	cr_assert_eq(emu_dt_load_file_opts(DTS_DIR "good_minimal.dts", &o, &p, err, sizeof err),
		     -EINVAL);
	cr_assert_str_eq(err, DTS_DIR "good_minimal.dts: memory limit 0x100000000 is above "
		     "0xffffffff (the segment's size is 32-bit)");
	/* NULL and 0 are the default */
	cr_assert_eq(emu_dt_load_file_opts(DTS_DIR "bad_region_too_big.dts", NULL, &p, err,
					   sizeof err), -EINVAL);
	o.mem_limit = 0;
	cr_assert_eq(emu_dt_load_file_opts(DTS_DIR "bad_region_too_big.dts", &o, &p, err,
					   sizeof err), -EINVAL);
	cr_assert(strstr(err, "above the memory limit of 0x10000000 (256 MiB)"), "%s", err);
}

/* good_minimal with tx0 at `reg` (text of the cells). */
static char *minimal_with_tx(const char *reg)
{
	static char dts[4096];
	FILE *f = fopen(DTS_DIR "good_minimal.dts", "r");
	size_t n;
	char *at;

	cr_assert_not_null(f);
	n = fread(dts, 1, sizeof dts - 1, f);
	fclose(f);
	dts[n] = '\0';
	at = strstr(dts, "0x20070000 0x1000");
	cr_assert_not_null(at);
	cr_assert_eq(strlen(reg), strlen("0x20070000 0x1000"));
	memcpy(at, reg, strlen(reg));
	return dts;
}

/* #address-cells = <1>: a region may end at 4 GiB exactly, not a byte after. */
VgTest(dt_load, region_ends_at_4gib_exactly, .timeout = 30)
{
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_string(minimal_with_tx("0xfffff000 0x1000"), "a.dts", &p, err,
					sizeof err), -EINVAL);
	/* tx at the top, rx at 0x20071000: within 4 GiB, but the image is too big */
	cr_assert(strstr(err, "a.dts: /ipc/ipc0: tx-region: /reserved-memory/memory@20070000 ends "
			      "at 0x100000000: the memory image"), "%s", err);
	cr_assert_eq(emu_dt_load_string(minimal_with_tx("0xfffff000 0x1004"), "b.dts", &p, err,
					sizeof err), -EINVAL);
	cr_assert_str_eq(err, "b.dts: /reserved-memory/memory@20070000: reg: 0xfffff000+0x1004 runs "
			 "past the 32-bit address space of #address-cells = <1> (ends at 0x100000004)");
}

/* A node with tx-region/rx-region whose compatible is a typo: a warning
 * naming it, the load goes on (it is read as an MBOX consumer). */
VgTest(dt_load, lookalike_instance_warns, .timeout = 30)
{
	struct emu_dt_plan p;

	load_file_ok(DTS_DIR "warn_compat_typo.dts", &p);
	cr_assert_eq(p.n_warnings, 1);
	cr_assert_str_eq(p.warning, DTS_DIR "warn_compat_typo.dts: /ipc/ipc1: compatible: "
			 "\"zephyr,ipc-icmsgX\" is not zephyr,ipc-icmsg or zephyr,ipc-icbmsg, but the "
			 "node has tx-region/rx-region: not read as an instance (read as an MBOX "
			 "consumer)");
	cr_assert_eq(p.n_inst, 1);
	cr_assert_eq(p.n_mbox_user, 1);
	cr_assert_str_eq(p.mbox_user[0].node, "/ipc/ipc1");
	load_file_ok(DTS_DIR "good_minimal.dts", &p);
	cr_assert_eq(p.n_warnings, 0);
	cr_assert_str_empty(p.warning);
}

VgTest(dt_load, lookalike_without_compatible_or_disabled, .timeout = 30)
{
	static const char *dts =
		"/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
		"r { #address-cells = <1>; #size-cells = <1>; ranges;\n"
		"  t: m@1000 { reg = <0x1000 0x100>; }; };\n"
		"mbox: mbox { #mbox-cells = <1>; };\n"
		"c: c { mboxes = <&mbox 0>; mbox-names = \"tx\"; };\n"
		"a { tx-region = <&t>; };\n"
		"b { compatible = \"zephyr,ipc-icmsg-typo\"; rx-region = <&t>; status = \"disabled\"; };\n"
		"};\n";
	struct emu_dt_plan p;

	load_ok(dts, "l.dts", &p);
	cr_assert_eq(p.n_warnings, 1); /* b is disabled: no warning */
	cr_assert_str_eq(p.warning, "l.dts: /a: compatible: missing, but the node has "
			 "tx-region/rx-region: not read as a zephyr,ipc-icmsg/zephyr,ipc-icbmsg "
			 "instance");
}

VgTest(dt_load, null_arguments, .timeout = 10)
{
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_string(NULL, "x", &p, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "emu_dt_load_string: NULL argument");
	cr_assert_eq(emu_dt_load_string("/dts-v1/; / { };", "x", NULL, err, sizeof err), -EINVAL);
	cr_assert_eq(emu_dt_load_file(NULL, &p, err, sizeof err), -EINVAL);
	cr_assert_eq(emu_dt_load_file(DTS_DIR "good_minimal.dts", NULL, NULL, 0), -EINVAL);
}

VgTest(dt_load, err_buffer_optional_and_bounded, .timeout = 30)
{
	struct emu_dt_plan p;
	char small[8];

	cr_assert_eq(emu_dt_load_file(DTS_DIR "bad_missing_mboxes.dts", &p, NULL, 0), -EINVAL);
	cr_assert_eq(emu_dt_load_file(DTS_DIR "bad_missing_mboxes.dts", &p, small, sizeof small),
		     -EINVAL);
	cr_assert_eq(strlen(small), sizeof small - 1);
	cr_assert_eq(strncmp(small, DTS_DIR, sizeof small - 1), 0);
	cr_assert_eq(emu_dt_load_file(DTS_DIR "good_minimal.dts", &p, NULL, 0), 0);
	cr_assert_eq(p.n_inst, 1);
}

VgTest(dt_load, newline_in_source_name_stays_one_line, .timeout = 30)
{
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_string("/dts-v1/; / { };", "two\nlines", &p, err, sizeof err),
		     -EINVAL);
	assert_one_line(err);
	cr_assert(strncmp(err, "two lines: /: compatible: no zephyr,ipc-icmsg", 44) == 0, "%s", err);
}

/* stdin larger than a pipe buffer: the DTS text after 2 MiB of comment. */
Test(dt_load, large_input, .timeout = 60)
{
	const char *board = emu_dt_default_board(EMU_ROLE_HOST);
	size_t pad = 2u << 20, n = strlen(board);
	char *dts = malloc(pad + n + 1);
	struct emu_dt_plan p, ref;

	cr_assert_not_null(dts);
	memset(dts, '\n', pad); /* a C-style comment of blank lines, then the board */
	memcpy(dts, "/*", 2);
	memcpy(dts + pad - 2, "*/", 2);
	memcpy(dts + pad, board, n + 1);
	load_ok(dts, "big.dts", &p);
	load_ok(board, "ref.dts", &ref);
	assert_plan_eq(&p, &ref);
	free(dts);
}

/* dtc output larger than a pipe buffer: a 256 KiB string property (a byte
 * array would do too, but dtc parses those in quadratic time). */
Test(dt_load, large_output, .timeout = 60)
{
	const char *board = emu_dt_default_board(EMU_ROLE_HOST);
	const char *tail = strstr(board, "\treserved-memory {");
	size_t blob = 256u << 10;
	char *dts = malloc(strlen(board) + blob + 64);
	struct emu_dt_plan p, ref;
	size_t pos;

	cr_assert_not_null(dts);
	cr_assert_not_null(tail);
	pos = (size_t)(tail - board);
	memcpy(dts, board, pos);
	pos += (size_t)sprintf(dts + pos, "\tblob = \"");
	memset(dts + pos, 'b', blob);
	pos += blob;
	pos += (size_t)sprintf(dts + pos, "\";\n");
	strcpy(dts + pos, tail);
	load_ok(dts, "bigout.dts", &p);
	load_ok(board, "ref.dts", &ref);
	assert_plan_eq(&p, &ref);
	free(dts);
}

/* dtc fails at line 2 while 3 MiB are still to be written: the caller must
 * get -ENOEXEC, not die of SIGPIPE, and find no SIGPIPE pending. */
Test(dt_load, early_dtc_failure_with_large_input, .timeout = 60)
{
	size_t n = 3u << 20; /* far above a pipe buffer, below EMU_DT_SOURCE_MAX */
	char *dts = malloc(n + 1);
	struct emu_dt_plan p;
	sigset_t pending, mask;

	cr_assert_not_null(dts);
	memset(dts, 'x', n);
	memcpy(dts, "/dts-v1/;\n/ { ;;; }\n", 20);
	dts[n] = '\0';
	cr_assert_eq(emu_dt_load_string(dts, "junk.dts", &p, err, sizeof err), -ENOEXEC);
	cr_assert(strstr(err, "junk.dts: dtc: Error: junk.dts:2.") == err, "%s", err);
	cr_assert(strstr(err, "syntax error"), "%s", err);
	sigemptyset(&pending);
	sigpending(&pending);
	cr_assert_eq(sigismember(&pending, SIGPIPE), 0);
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	cr_assert_eq(sigismember(&mask, SIGPIPE), 0, "SIGPIPE left blocked");
	free(dts);
}

Test(dt_load, caller_signal_mask_is_kept, .timeout = 30)
{
	struct emu_dt_plan p;
	sigset_t set, mask;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	load_ok(emu_dt_default_board(EMU_ROLE_HOST), HOST_SRC, &p);
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	cr_assert_eq(sigismember(&mask, SIGPIPE), 1);
	cr_assert_eq(sigismember(&mask, SIGUSR1), 1);
}

Test(dt_load, works_with_stdin_closed, .timeout = 30)
{
	struct emu_dt_plan p;

	close(0); /* the next pipe lands on fd 0 */
	load_ok(emu_dt_default_board(EMU_ROLE_REMOTE), REMOTE_SRC, &p);
	cr_assert_eq(p.n_inst, 2);
	cr_assert_eq(emu_dt_load_string("/dts-v1/; / { a = <1> };", "s.dts", &p, err, sizeof err),
		     -ENOEXEC);
}

/* With SIGCHLD ignored the kernel reaps dtc itself; results still hold. */
Test(dt_load, works_with_sigchld_ignored, .timeout = 30)
{
	struct emu_dt_plan p;

	signal(SIGCHLD, SIG_IGN);
	load_ok(emu_dt_default_board(EMU_ROLE_HOST), HOST_SRC, &p);
	cr_assert_eq(p.n_inst, 2);
	cr_assert_eq(emu_dt_load_string("/dts-v1/; / { a = <1> };", "s.dts", &p, err, sizeof err),
		     -ENOEXEC);
	assert_one_line(err);
}

/* ------------------------------------------------------------- bad inputs */

struct bad_case {
	char file[40];
	int rc;
	char expect[256]; /* after "<path>: " */
};

static struct bad_case bad_cases[] = {
	{ "bad_syntax.dts", -ENOEXEC, "dtc: Error: " },
	{ "bad_dangling_label.dts", -ENOEXEC,
	  "dtc: " },
	{ "bad_missing_tx_region.dts", -EINVAL,
	  "/ipc/ipc0: tx-region: missing (phandle of a reserved-memory node)" },
	{ "bad_dangling_phandle.dts", -EINVAL,
	  "/ipc/ipc0: tx-region: phandle 0x77 does not resolve" },
	{ "bad_unbound_value.dts", -EINVAL,
	  "/ipc/ipc0: unbound: \"sometimes\" is not one of \"disable\", \"enable\", \"detect\"" },
	{ "bad_unbound_enable_dcache4.dts", -EINVAL,
	  "/ipc/ipc0: unbound: \"enable\" needs dcache-alignment >= 8 (is 4): our pbuf" },
	{ "bad_unbound_detect_no_dcache.dts", -EINVAL,
	  "/ipc/ipc0: unbound: \"detect\" needs dcache-alignment >= 8 (is 0): our pbuf" },
	{ "bad_misaligned_region.dts", -EINVAL,
	  "/ipc/ipc0: tx-region: /reserved-memory/memory@20070002: address 0x20070002 is not aligned to 4" },
	{ "bad_misaligned_dcache.dts", -EINVAL,
	  "/ipc/ipc0: tx-region: /reserved-memory/memory@20070010: address 0x20070010 is not aligned to 32" },
	{ "bad_region_too_small.dts", -EINVAL,
	  "/ipc/ipc0: rx-region: /reserved-memory/memory@20071000: size 0x10 is below the minimum pbuf of 0x14 bytes" },
	{ "bad_region_size_zero.dts", -EINVAL,
	  "/ipc/ipc0: tx-region: /reserved-memory/memory@20070000: size is 0" },
	{ "bad_size_not_mult4.dts", -EINVAL,
	  "/ipc/ipc0: tx-region: /reserved-memory/memory@20070000: size 0x1002 is not a multiple of 4" },
	{ "bad_overlap_self.dts", -EINVAL,
	  "/ipc/ipc0: rx-region: /reserved-memory/memory@20070800 overlaps tx-region /reserved-memory/memory@20070000" },
	{ "bad_overlap_other.dts", -EINVAL,
	  "/ipc/ipc1: tx-region: /reserved-memory/memory@20071f00 overlaps rx-region of /ipc/ipc0 (0x20071000+0x1000)" },
	{ "bad_rx_channel_reused.dts", -EINVAL,
	  "/ipc/ipc1: mboxes: rx channel 1 is also the rx channel of /ipc/ipc0" },
	{ "bad_missing_mboxes.dts", -EINVAL, "/ipc/ipc0: mboxes: missing" },
	{ "bad_missing_mbox_names.dts", -EINVAL, "/ipc/ipc0: mbox-names: missing" },
	{ "bad_mbox_names_wrong.dts", -EINVAL,
	  "/ipc/ipc0: mbox-names: must be \"tx\", \"rx\" (in either order)" },
	{ "bad_mbox_names_three.dts", -EINVAL,
	  "/ipc/ipc0: mbox-names: must be \"tx\", \"rx\" (in either order)" },
	{ "bad_mboxes_one.dts", -EINVAL,
	  "/ipc/ipc0: mboxes: 1 specifier(s), expected two (tx and rx)" },
	{ "bad_mboxes_dangling.dts", -EINVAL,
	  "/ipc/ipc0: mboxes: phandle 0x99 does not resolve" },
	{ "bad_two_controllers.dts", -EINVAL,
	  "/ipc/ipc0: mboxes: tx and rx channels are on two controllers (/mbox, /mbox2)" },
	{ "bad_mbox_cells_zero.dts", -EINVAL, "/mbox: #mbox-cells: 0 is not supported" },
	{ "bad_channel_range.dts", -EINVAL,
	  "/ipc/ipc0: mboxes: tx channel 40 is out of range (0..30)" },
	{ "bad_dcache_not_pow2.dts", -EINVAL,
	  "/ipc/ipc0: dcache-alignment: 12 is not a power of two" },
	{ "bad_dcache_byte.dts", -EINVAL,
	  "/ipc/ipc0: dcache-alignment: must be one 32-bit cell (is 1 bytes)" },
	{ "bad_tx_blocks_missing.dts", -EINVAL,
	  "/ipc/ipc1: tx-blocks: missing (required by zephyr,ipc-icbmsg)" },
	{ "bad_rx_blocks_missing.dts", -EINVAL,
	  "/ipc/ipc1: rx-blocks: missing (required by zephyr,ipc-icbmsg)" },
	{ "bad_tx_blocks_zero.dts", -EINVAL, "/ipc/ipc1: tx-blocks: 0 is out of range (1..256)" },
	{ "bad_tx_blocks_300.dts", -EINVAL,
	  "/ipc/ipc1: tx-blocks: 300 is out of range (1..256)" },
	{ "bad_icbmsg_too_small.dts", -EINVAL,
	  "/ipc/ipc1: tx-region: /reserved-memory/memory@20070000: size 0x100 is too small for 16 blocks (needs 0x158" },
	{ "bad_no_instance.dts", -EINVAL,
	  "/: compatible: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg node" },
	{ "bad_only_disabled.dts", -EINVAL,
	  "/: compatible: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg node" },
	{ "bad_too_many.dts", -EINVAL, "/ipc/ipc8: compatible: more than 8 IPC instances" },
	{ "bad_address_cells_3.dts", -EINVAL,
	  "/reserved-memory: #address-cells: 3 is not supported (1 or 2)" },
	{ "bad_reg_missing.dts", -EINVAL,
	  "/reserved-memory/memory@20070000: reg: missing (tx-region of /ipc/ipc0)" },
	{ "bad_address_overflow.dts", -EINVAL,
	  "/reserved-memory/memory@fffffffffffff000: reg: 0xfffffffffffff000+0x2000 overflows" },
	{ "bad_region_past_4g.dts", -EINVAL,
	  "/reserved-memory/memory@fffff000: reg: 0xfffff000+0x4000 runs past the 32-bit address space of #address-cells = <1> (ends at 0x100003000)" },
	{ "bad_region_too_big.dts", -EINVAL,
	  "/reserved-memory/memory@30000000: reg: size 0x80000000 is above the memory limit of 0x10000000 (256 MiB) of a region and of the memory image" },
	{ "bad_image_too_big.dts", -EINVAL,
	  "/ipc/ipc0: rx-region: /reserved-memory/memory@40000000 ends at 0x40001000: the memory image from 0x20070000 (lowest region) would be 0x1ff91000 bytes, above the memory limit of 0x10000000 (256 MiB)" },
	{ "bad_mbox_same_channel.dts", -EINVAL,
	  "/ipc/ipc0: mboxes: tx and rx are both channel 1 of /mbox (an instance needs one channel each way)" },
	{ "bad_label_clash.dts", -EINVAL,
	  "/ipc/b/ipc: label: \"ipc\" is also the label of /ipc/a/ipc" },
};

ParameterizedTestParameters(dt_bad, rejected)
{
	return VG_PARAM_ARRAY(struct bad_case, bad_cases);
}

ParameterizedTest(struct bad_case *c, dt_bad, rejected, .timeout = 120) /* all cases under Valgrind */
{
	VG_EACH_CASE(c, bad_cases) {
		char path[256], want[600];
		struct emu_dt_plan p;
		int rc;

		snprintf(path, sizeof path, DTS_DIR "%s", c->file);
		snprintf(want, sizeof want, "%s: %s", path, c->expect);
		memset(&p, 0xa5, sizeof p);
		rc = emu_dt_load_file(path, &p, err, sizeof err);
		cr_assert_eq(rc, c->rc, "%s: rc %d, want %d (%s)", c->file, rc, c->rc, err);
		cr_assert(strncmp(err, want, strlen(want)) == 0, "%s:\n got  %s\n want %s...", c->file, err,
			  want);
		assert_one_line(err);
		cr_assert_eq(p.n_inst, 0, "a failed load leaves an empty plan");
		cr_assert_str_eq(p.source, path);
	}
}

/* The dtc messages themselves: file, line and dtc's own words. */
VgTest(dt_bad, dtc_messages, .timeout = 30)
{
	struct emu_dt_plan p;

	cr_assert_eq(emu_dt_load_file(DTS_DIR "bad_syntax.dts", &p, err, sizeof err), -ENOEXEC);
	cr_assert_str_eq(err, DTS_DIR "bad_syntax.dts: dtc: Error: " DTS_DIR
				      "bad_syntax.dts:33.3-4 syntax error");
	cr_assert_eq(emu_dt_load_file(DTS_DIR "bad_dangling_label.dts", &p, err, sizeof err),
		     -ENOEXEC);
	cr_assert(strstr(err, "ERROR (phandle_references): /ipc/ipc0: Reference to non-existent "
			      "node or label \"nowhere\""), "%s", err);
}

/* ------------------------------------------------------------- pair check */

static void pair_fails(const struct emu_dt_plan *h, const struct emu_dt_plan *r, const char *want)
{
	cr_assert_eq(emu_dt_check_pair(h, r, err, sizeof err), -EINVAL, "passed: %s", want);
	cr_assert_str_eq(err, want);
	assert_one_line(err);
}

VgTest(dt_pair, regions_not_swapped, .timeout = 30)
{
	struct emu_dt_plan h, r;

	/* the application core's text used for both cores */
	load_ok(emu_dt_default_board(EMU_ROLE_HOST), HOST_SRC, &h);
	load_ok(emu_dt_default_board(EMU_ROLE_HOST), REMOTE_SRC, &r);
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc0: tx-region: 0x20070000+0x4000 is also the tx-region of "
		   "cpuapp.dts /ipc/ipc0 (regions not swapped)");
}

VgTest(dt_pair, block_counts_not_swapped, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[1].tx_blocks = 16;
	r.inst[1].rx_blocks = 24;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc1: tx-blocks: 16 is not the rx-blocks of cpuapp.dts "
		   "/ipc/ipc1 (24; block counts must be swapped)");
}

VgTest(dt_pair, rx_blocks_differ, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[1].rx_blocks = 15;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc1: rx-blocks: 15 is not the tx-blocks of cpuapp.dts "
		   "/ipc/ipc1 (16; block counts must be swapped)");
}

VgTest(dt_pair, unequal_sizes, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[0].rx.size = 0x2000;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc0: rx-region: size 0x2000 differs from cpuapp.dts "
		   "/ipc/ipc0 tx-region size 0x4000");
}

VgTest(dt_pair, region_elsewhere, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[0].tx.addr = 0x20060000;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc0: tx-region: 0x20060000+0x4000 is not the rx-region of "
		   "cpuapp.dts /ipc/ipc0 (0x20074000+0x4000)");
}

VgTest(dt_pair, disable_vs_enable, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[0].unbound = EMU_UNBOUND_ENABLE;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc0: unbound: \"enable\" cannot pair with \"disable\" of "
		   "cpuapp.dts /ipc/ipc0 (disable and enable are incompatible; detect pairs with "
		   "both)");
}

struct unbound_case {
	enum emu_unbound host, remote;
	int rc;
};

static struct unbound_case unbound_cases[] = {
	{ EMU_UNBOUND_DISABLE, EMU_UNBOUND_DISABLE, 0 },
	{ EMU_UNBOUND_ENABLE, EMU_UNBOUND_ENABLE, 0 },
	{ EMU_UNBOUND_DETECT, EMU_UNBOUND_DETECT, 0 },
	{ EMU_UNBOUND_DETECT, EMU_UNBOUND_DISABLE, 0 },
	{ EMU_UNBOUND_DISABLE, EMU_UNBOUND_DETECT, 0 },
	{ EMU_UNBOUND_DETECT, EMU_UNBOUND_ENABLE, 0 },
	{ EMU_UNBOUND_ENABLE, EMU_UNBOUND_DETECT, 0 },
	{ EMU_UNBOUND_DISABLE, EMU_UNBOUND_ENABLE, -EINVAL },
	{ EMU_UNBOUND_ENABLE, EMU_UNBOUND_DISABLE, -EINVAL },
	{ EMU_UNBOUND_ENABLE, (enum emu_unbound)0, -EINVAL },
};

ParameterizedTestParameters(dt_pair, unbound_matrix)
{
	return VG_PARAM_ARRAY(struct unbound_case, unbound_cases);
}

ParameterizedTest(struct unbound_case *c, dt_pair, unbound_matrix, .timeout = 30)
{
	VG_EACH_CASE(c, unbound_cases) {
		struct emu_dt_plan h, r;

		load_pair(&h, &r);
		h.inst[0].unbound = c->host;
		r.inst[0].unbound = c->remote;
		cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof err), c->rc, "%d/%d: %s", c->host,
			     c->remote, err);
		if (c->rc)
			cr_assert(strncmp(err, "cpunet.dts: /ipc/ipc0: unbound: ", 32) == 0, "%s", err);
	}
}

VgTest(dt_pair, unbound_ignored_for_icbmsg, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	h.inst[1].unbound = EMU_UNBOUND_DISABLE;
	r.inst[1].unbound = EMU_UNBOUND_ENABLE;
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof err), 0, "%s", err);
}

VgTest(dt_pair, channels_not_swapped, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[0].mbox_tx = 0;
	r.inst[0].mbox_rx = 1;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc0: mboxes: tx channel 0 is not the rx channel of "
		   "cpuapp.dts /ipc/ipc0 (1)");
}

VgTest(dt_pair, dcache_differs, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[1].dcache_alignment = 32;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc1: dcache-alignment: 32 differs from cpuapp.dts "
		   "/ipc/ipc1 (8)");
}

VgTest(dt_pair, backend_differs, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.inst[0].backend = EMU_BACKEND_ICBMSG;
	pair_fails(&h, &r,
		   "cpunet.dts: /ipc/ipc0: compatible: zephyr,ipc-icbmsg, but cpuapp.dts "
		   "/ipc/ipc0 is zephyr,ipc-icmsg");
}

VgTest(dt_pair, instance_missing_on_remote, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.n_inst = 1;
	pair_fails(&h, &r,
		   "cpunet.dts: /: label: no instance labelled \"ipc1\" (cpuapp.dts has /ipc/ipc1)");
}

VgTest(dt_pair, instance_extra_on_remote, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	h.n_inst = 1;
	pair_fails(&h, &r, "cpunet.dts: /ipc/ipc1: label: \"ipc1\" has no instance in cpuapp.dts");
}

VgTest(dt_pair, matched_by_label_not_order, .timeout = 30)
{
	struct emu_dt_plan h, r;
	struct emu_dt_inst t;

	load_pair(&h, &r);
	t = r.inst[0];
	r.inst[0] = r.inst[1];
	r.inst[1] = t;
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof err), 0, "%s", err);
}

VgTest(dt_pair, overlap_inside_a_plan, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	h.inst[1].tx.addr = 0x20074000; /* onto ipc0's rx-region */
	pair_fails(&h, &r, "cpuapp.dts: /ipc/ipc1: tx-region: overlaps rx-region of /ipc/ipc0");
}

VgTest(dt_pair, bad_arguments, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	cr_assert_eq(emu_dt_check_pair(NULL, &r, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "emu_dt_check_pair: NULL plan");
	cr_assert_eq(emu_dt_check_pair(&h, NULL, NULL, 0), -EINVAL);
	r.n_inst = EMU_DT_MAX_INST + 1;
	pair_fails(&h, &r, "cpunet.dts: /: compatible: 9 instances (at most 8)");
}

/* MBOX consumers: matched by label, same channels with the directions swapped
 * (names may differ); checked before the controllers' direction masks so that
 * the message names the consumer. */
VgTest(dt_pair, consumer_not_swapped, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.mbox_user[0].chan[0].tx = true; /* <&mbox 4>, "rx" on the remote */
	strcpy(r.mbox_user[0].chan[0].name, "again-tx");
	pair_fails(&h, &r,
		   "cpunet.dts: /mbox-consumer: mbox-names: \"again-tx\" makes <&mbox 4> outbound, as "
		   "\"tx\" does in cpuapp.dts /mbox-consumer (directions must be swapped)");
}

VgTest(dt_pair, consumer_channel_differs, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.mbox_user[0].chan[1].channel = 6; /* host's "rx" is 5 */
	pair_fails(&h, &r,
		   "cpunet.dts: /mbox-consumer: mboxes: no specifier <&mbox 5> (\"rx\" of cpuapp.dts "
		   "/mbox-consumer)");
}

VgTest(dt_pair, consumer_count_differs, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	r.mbox_user[0].n_chan = 1;
	pair_fails(&h, &r,
		   "cpunet.dts: /mbox-consumer: mboxes: 1 specifier(s), but cpuapp.dts "
		   "/mbox-consumer has 2");
}

VgTest(dt_pair, consumer_missing_or_extra, .timeout = 30)
{
	struct emu_dt_plan h, r;

	load_pair(&h, &r);
	strcpy(r.mbox_user[0].label, "other");
	pair_fails(&h, &r,
		   "cpunet.dts: /: label: no MBOX consumer labelled \"mbox_consumer\" (cpuapp.dts "
		   "has /mbox-consumer)");
	load_pair(&h, &r);
	h.n_mbox_user = 1; /* the host keeps mbox_consumer only */
	pair_fails(&h, &r,
		   "cpunet.dts: /mbox-data-consumer: label: \"mbox_data_consumer\" has no MBOX "
		   "consumer in cpuapp.dts");
}

/* ---------------------------------------------------------- process hygiene */

Test(dt_proc, no_fd_leak_no_zombie, .timeout = 300)
{
	const char *host = emu_dt_default_board(EMU_ROLE_HOST);
	struct emu_dt_plan p;
	int before = count_fds();

	cr_assert_eq(have_zombie(), false);
	for (int i = 0; i < 25; i++) {
		cr_assert_eq(emu_dt_load_string(host, "h.dts", &p, err, sizeof err), 0, "%s", err);
		cr_assert_eq(emu_dt_load_file(DTS_DIR "good_include.dts", &p, err, sizeof err), 0);
		cr_assert_eq(emu_dt_load_file(DTS_DIR "bad_syntax.dts", &p, err, sizeof err),
			     -ENOEXEC);
		cr_assert_eq(emu_dt_load_file(DTS_DIR "bad_overlap_other.dts", &p, err, sizeof err),
			     -EINVAL);
		cr_assert_eq(emu_dt_load_file(DTS_DIR "nope.dts", &p, err, sizeof err), -ENOENT);
	}
	cr_assert_eq(count_fds(), before, "descriptors leaked: %d -> %d", before, count_fds());
	cr_assert_eq(have_zombie(), false, "a dtc child was not reaped");
}

Test(dt_proc, no_leak_on_early_dtc_exit, .timeout = 120)
{
	size_t n = 1u << 20;
	char *dts = malloc(n + 1);
	struct emu_dt_plan p;
	int before = count_fds();

	cr_assert_not_null(dts);
	memset(dts, ' ', n);
	memcpy(dts, "/dts-v1/; } } }", 15);
	dts[n] = '\0';
	for (int i = 0; i < 10; i++)
		cr_assert_eq(emu_dt_load_string(dts, "j.dts", &p, err, sizeof err), -ENOEXEC);
	cr_assert_eq(count_fds(), before);
	cr_assert_eq(have_zombie(), false);
	free(dts);
}

/* ------------------------------------------------------------------ blobs (fuzz entry point) */

/* emu_dt_load_blob() reads what dtc -@ writes, without running dtc: the same
 * plan as the DTS; garbage or a truncated blob is -EINVAL with one line. */
VgTest(dt_blob, same_plan_as_the_dts_and_garbage_is_einval, .timeout = 30)
{
	static struct emu_dt_plan from_dts, from_blob;
	char *argv[] = {"dtc", "-q", "-@", "-I", "dts", "-O", "dtb", "-o", "-",
			EX_DIR "nrf5340dk_cpuapp.dts", NULL};
	static char blob[65536];
	size_t len = 0;
	ssize_t n;
	int fds[2], status;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execvp("dtc", argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], blob + len, sizeof blob - len)) > 0) {
		len += (size_t)n;
	}
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0 && len > 0);

	cr_assert_eq(emu_dt_load_file(EX_DIR "nrf5340dk_cpuapp.dts", &from_dts, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(emu_dt_load_blob(blob, len, EX_DIR "nrf5340dk_cpuapp.dts", &from_blob, err,
				      sizeof err), 0, "%s", err);
	cr_assert_str_empty(err);
	cr_assert_eq(memcmp(&from_dts, &from_blob, sizeof from_dts), 0);

	cr_assert_eq(emu_dt_load_blob(blob, len / 2, "half.dtb", &from_blob, err, sizeof err),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "half.dtb: input is not a valid blob: "), "%s", err);
	cr_assert_null(strchr(err, '\n'));
	cr_assert_eq(from_blob.n_inst, 0u);
	cr_assert_eq(emu_dt_load_blob("not a blob", 10, NULL, &from_blob, err, sizeof err), -EINVAL);
	cr_assert_not_null(strstr(err, "<blob>: "), "%s", err);
	cr_assert_eq(emu_dt_load_blob(NULL, 0, NULL, &from_blob, err, sizeof err), -EINVAL);
}

/* fuzz/fuzz_devicetree.c: a blob of version 2 made libfdt's fdt_check_full()
 * dereference NULL (libfdt 1.6.1).  Versions below 17 are refused first. */
VgTest(dt_blob, old_version_blob_is_einval_not_a_crash, .timeout = 30)
{
	static struct emu_dt_plan plan;
	static char blob[4096];
	FILE *f = fopen(IPC_EMU_SOURCE_DIR "/fuzz/corpus/devicetree/regress_libfdt_old_version_null.dtb",
			"rb");
	size_t len;

	cr_assert_not_null(f);
	len = fread(blob, 1, sizeof blob, f);
	fclose(f);
	cr_assert_gt(len, 40u);
	cr_assert_eq(emu_dt_load_blob(blob, len, "v2.dtb", &plan, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "v2.dtb: input is not a valid blob: FDT_ERR_BADVERSION");
	cr_assert_eq(emu_dt_load_blob(blob, 39, "short.dtb", &plan, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "short.dtb: input is not a valid blob: FDT_ERR_TRUNCATED");
	blob[0] = 0;
	cr_assert_eq(emu_dt_load_blob(blob, len, "magic.dtb", &plan, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "magic.dtb: input is not a valid blob: FDT_ERR_BADMAGIC");
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h).
 * Not batched: the tests that close stdin, ignore SIGCHLD or block signals,
 * and the long dtc runs (large_*, dt_proc), which keep their own timeouts. */
VG_BATCH(devicetree, 600)
