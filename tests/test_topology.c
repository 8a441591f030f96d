/*
 * test_topology.c - emu_topo_load(): the nRF54H20-like example (four cores,
 * four links) read exactly, core names, warnings, and one test per refusal
 * with its exact one-line message and return code.
 *
 * Every test runs in the source tree (init chdir), so messages name files
 * as a user on the command line would: examples/nrf54h20/cpuapp.dts.
 * Fixtures: tests/dts/topo/, most of them one example file with one defect.
 * Under Valgrind the tests run as one batch (VgTest, support/vg_cases.h).
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_emu/topology.h"
#include "support/vg_cases.h"

#define EX "examples/nrf54h20/"
#define TD "tests/dts/topo/"
#define APP EX "cpuapp.dts"
#define RAD EX "cpurad.dts"
#define PPR EX "cpuppr.dts"
#define FLPR EX "cpuflpr.dts"

static char err[1024];
static struct emu_topo *topo;

static void setup(void)
{
	cr_assert_eq(chdir(IPC_EMU_SOURCE_DIR), 0);
	topo = malloc(sizeof *topo);
	cr_assert_not_null(topo);
	memset(err, 'x', sizeof err - 1);
	err[sizeof err - 1] = '\0';
}

static void teardown(void)
{
	free(topo);
}

TestSuite(topo, .init = setup, .fini = teardown);

static int load(const struct emu_topo_core_spec *c, unsigned n)
{
	return emu_topo_load(c, n, NULL, topo, err, sizeof err);
}

/* The four example files, names from the file names. */
static const struct emu_topo_core_spec example[] = {
	{ NULL, APP }, { NULL, RAD }, { NULL, PPR }, { NULL, FLPR },
};

static void assert_refused(const struct emu_topo_core_spec *c, unsigned n, int want,
			   const char *msg)
{
	int rc = load(c, n);

	cr_assert_eq(rc, want, "rc %d, want %d (%s)", rc, want, err);
	cr_assert_str_eq(err, msg);
	cr_assert_eq(topo->n_core, 0, "a refused topology is left zeroed");
	cr_assert_eq(topo->n_link, 0);
}

static void assert_region(const struct emu_dt_region *r, uint64_t addr, uint64_t size)
{
	cr_assert_eq(r->addr, addr, "addr 0x%" PRIx64, r->addr);
	cr_assert_eq(r->size, size, "size 0x%" PRIx64, r->size);
}

/* One end of a link: the instance, its channels, the controller as #0 with
 * those two channels only, base/size of the two regions. */
static void assert_view(const struct emu_dt_plan *p, const char *source, const char *node,
			enum emu_backend b, uint64_t tx, uint64_t rx, uint64_t size, uint32_t ch_tx,
			uint32_t ch_rx)
{
	cr_assert_str_eq(p->source, source);
	cr_assert_str_eq(p->warning, "");
	cr_assert_eq(p->n_warnings, 0);
	cr_assert_eq(p->n_inst, 1);
	cr_assert_str_eq(p->inst[0].node, node);
	cr_assert_eq(p->inst[0].backend, b);
	assert_region(&p->inst[0].tx, tx, size);
	assert_region(&p->inst[0].rx, rx, size);
	cr_assert_eq(p->inst[0].mbox_tx, ch_tx);
	cr_assert_eq(p->inst[0].mbox_rx, ch_rx);
	cr_assert_eq(p->inst[0].dcache_alignment, 32);
	cr_assert_eq(p->n_mbox, 1);
	cr_assert_str_eq(p->mbox[0].label, "ipc_mbox");
	cr_assert_eq(p->mbox[0].index, 0);
	cr_assert_eq(p->mbox[0].tx_mask, 1u << ch_tx);
	cr_assert_eq(p->mbox[0].rx_mask, 1u << ch_rx);
	cr_assert_eq(p->n_mbox_user, 0);
	cr_assert_eq(p->n_ipm, 0);
	cr_assert_eq(p->base, tx < rx ? tx : rx);
	cr_assert_eq(p->size, 2 * size);
}

VgTest(topo, example_cores, .timeout = 10)
{
	static const char *const name[] = { "cpuapp", "cpurad", "cpuppr", "cpuflpr" };
	static const unsigned n_link[] = { 4, 2, 1, 1 };

	cr_assert_eq(load(example, 4), 0, "%s", err);
	cr_assert_str_eq(err, "");
	cr_assert_eq(topo->n_core, 4);
	for (unsigned c = 0; c < 4; c++) {
		cr_assert_str_eq(topo->core[c].name, name[c]);
		cr_assert_str_eq(topo->core[c].path, example[c].path);
		cr_assert_str_eq(topo->core[c].plan.source, example[c].path);
		cr_assert_eq(topo->core[c].n_link, n_link[c], "%s", name[c]);
		cr_assert_eq(emu_topo_find_core(topo, name[c]), (int)c);
	}
	cr_assert_eq(topo->core[0].plan.n_inst, 4);
	cr_assert_eq(emu_topo_find_core(topo, "cpusec"), -1);
	cr_assert_eq(emu_topo_find_core(topo, "cpuap"), -1);
	cr_assert_eq(topo->base, 0x2f0bd000);
	cr_assert_eq(topo->size, 0x2fc10000 - 0x2f0bd000);
	cr_assert_str_eq(topo->warning, "");
	cr_assert_eq(topo->n_warnings, 0);
}

VgTest(topo, example_links, .timeout = 10)
{
	cr_assert_eq(load(example, 4), 0, "%s", err);
	cr_assert_eq(topo->n_link, 4);

	cr_assert_str_eq(topo->link[0].name, "cpuapp-cpurad.cpuapp_cpurad_ipc");
	cr_assert_eq(topo->link[0].core[0], 0);
	cr_assert_eq(topo->link[0].core[1], 1);
	assert_view(&topo->link[0].plan[0], APP, "/ipc/ipc-2-3", EMU_BACKEND_ICBMSG, 0x2f0bf000,
		    0x2f0bf800, 0x800, 12, 18);
	assert_view(&topo->link[0].plan[1], RAD, "/ipc/ipc-2-3", EMU_BACKEND_ICBMSG, 0x2f0bf800,
		    0x2f0bf000, 0x800, 18, 12);
	cr_assert_eq(topo->link[0].plan[0].inst[0].tx_blocks, 32);
	cr_assert_eq(topo->link[0].plan[0].inst[0].icbmsg_version, EMU_ICBMSG_CLASSIC);

	cr_assert_str_eq(topo->link[1].name, "cpuapp-cpurad.cpuapp_cpurad_icmsg");
	cr_assert_eq(topo->link[1].core[0], 0);
	cr_assert_eq(topo->link[1].core[1], 1);
	assert_view(&topo->link[1].plan[0], APP, "/ipc/ipc-2-3-icmsg", EMU_BACKEND_ICMSG,
		    0x2f0bd000, 0x2f0bd800, 0x800, 11, 17);
	assert_view(&topo->link[1].plan[1], RAD, "/ipc/ipc-2-3-icmsg", EMU_BACKEND_ICMSG,
		    0x2f0bd800, 0x2f0bd000, 0x800, 17, 11);
	cr_assert_eq(topo->link[1].plan[1].inst[0].unbound, EMU_UNBOUND_ENABLE);

	cr_assert_str_eq(topo->link[2].name, "cpuapp-cpuppr.cpuapp_cpuppr_ipc");
	cr_assert_eq(topo->link[2].core[1], 2);
	assert_view(&topo->link[2].plan[0], APP, "/ipc/ipc-2-13", EMU_BACKEND_ICMSG, 0x2fc0f800,
		    0x2fc0fc00, 0x400, 22, 13);
	assert_view(&topo->link[2].plan[1], PPR, "/ipc/ipc-2-13", EMU_BACKEND_ICMSG, 0x2fc0fc00,
		    0x2fc0f800, 0x400, 13, 22);

	cr_assert_str_eq(topo->link[3].name, "cpuapp-cpuflpr.cpuapp_cpuflpr_ipc");
	cr_assert_eq(topo->link[3].core[1], 3);
	assert_view(&topo->link[3].plan[0], APP, "/ipc/ipc-2-14", EMU_BACKEND_ICMSG, 0x2f89b800,
		    0x2f89bc00, 0x400, 16, 14);
	assert_view(&topo->link[3].plan[1], FLPR, "/ipc/ipc-2-14", EMU_BACKEND_ICMSG, 0x2f89bc00,
		    0x2f89b800, 0x400, 14, 16);
}

VgTest(topo, each_link_passes_the_pair_check, .timeout = 10)
{
	char e[512];

	cr_assert_eq(load(example, 4), 0, "%s", err);
	for (unsigned l = 0; l < topo->n_link; l++) {
		cr_assert_eq(emu_dt_check_pair(&topo->link[l].plan[0], &topo->link[l].plan[1], e,
					       sizeof e), 0, "%s: %s", topo->link[l].name, e);
		cr_assert_eq(emu_dt_check_pair(&topo->link[l].plan[1], &topo->link[l].plan[0], e,
					       sizeof e), 0, "%s reversed: %s", topo->link[l].name, e);
	}
}

/* The host of a link is the core listed first, whatever the file. */
VgTest(topo, host_is_the_core_listed_first, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, PPR }, { NULL, RAD }, { NULL, APP }, { NULL, FLPR },
	};

	cr_assert_eq(load(c, 4), 0, "%s", err);
	cr_assert_eq(topo->n_link, 4);
	cr_assert_str_eq(topo->link[0].name, "cpuppr-cpuapp.cpuapp_cpuppr_ipc");
	cr_assert_eq(topo->link[0].core[0], 0);
	cr_assert_eq(topo->link[0].core[1], 2);
	cr_assert_str_eq(topo->link[0].plan[0].source, PPR);
	cr_assert_str_eq(topo->link[1].name, "cpurad-cpuapp.cpuapp_cpurad_ipc");
	cr_assert_str_eq(topo->link[2].name, "cpurad-cpuapp.cpuapp_cpurad_icmsg");
	cr_assert_str_eq(topo->link[3].name, "cpuapp-cpuflpr.cpuapp_cpuflpr_ipc");
}

VgTest(topo, core_names_from_the_command_line, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ "app", APP }, { "rad", RAD }, { "PPR_1", PPR }, { NULL, FLPR },
	};

	cr_assert_eq(load(c, 4), 0, "%s", err);
	cr_assert_str_eq(topo->core[0].name, "app");
	cr_assert_str_eq(topo->core[2].name, "PPR_1");
	cr_assert_str_eq(topo->core[3].name, "cpuflpr");
	cr_assert_str_eq(topo->link[0].name, "app-rad.cpuapp_cpurad_ipc");
	cr_assert_str_eq(topo->link[2].name, "app-PPR_1.cpuapp_cpuppr_ipc");
	cr_assert_eq(emu_topo_find_core(topo, "PPR_1"), 2);
	cr_assert_eq(emu_topo_find_core(topo, "cpuppr"), -1);
	cr_assert_eq(emu_topo_find_core(NULL, "app"), -1);
	cr_assert_eq(emu_topo_find_core(topo, NULL), -1);
}

/* Two cores suffice; the 31-character name is the longest. */
VgTest(topo, two_cores_and_a_long_name, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ "abcdefghijklmnopqrstuvwxyz01234", TD "ovl_x.dts" }, { NULL, TD "ovl_y.dts" },
	};

	cr_assert_eq(load(c, 2), 0, "%s", err);
	cr_assert_eq(topo->n_link, 1);
	cr_assert_str_eq(topo->link[0].name, "abcdefghijklmnopqrstuvwxyz01234-ovl_y.xy");
	cr_assert_eq(topo->base, 0x2f89a000);
	cr_assert_eq(topo->size, 0x2000);
}

VgTest(topo, consumers_and_ipm_devices_warn, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, RAD }, { NULL, PPR }, { NULL, TD "consumer_flpr.dts" },
	};

	cr_assert_eq(load(c, 4), 0, "%s", err);
	cr_assert_eq(topo->n_link, 4);
	cr_assert_str_eq(topo->warning, TD "consumer_flpr.dts: /mbox-consumer: MBOX consumer "
			 "\"mbox_consumer\" belongs to no link: a multi-core topology does not "
			 "run it");
	cr_assert_eq(topo->n_warnings, 2);
	cr_assert_eq(topo->link[3].plan[1].n_mbox_user, 0);
	cr_assert_eq(topo->link[3].plan[1].n_ipm, 0);
	cr_assert_eq(topo->core[3].plan.n_ipm, 1);
}

/* ----------------------------------------------------------------- refusals */

VgTest(topo, dangling_instance, .timeout = 10)
{
	assert_refused(example, 3, -EINVAL,
		       APP ": /ipc/ipc-2-14: tx-region /reserved-memory/memory@2f89b800 "
		       "(0x2f89b800+0x400) is used by no instance of another core (" RAD ", "
		       PPR ")");
}

VgTest(topo, half_match, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, RAD }, { NULL, PPR }, { NULL, TD "half_flpr.dts" },
	};

	assert_refused(c, 4, -EINVAL,
		       APP ": /ipc/ipc-2-14: tx-region /reserved-memory/memory@2f89b800 "
		       "(0x2f89b800+0x400) is the rx-region of " TD "half_flpr.dts /ipc/ipc-2-14, "
		       "but its rx-region /reserved-memory/memory@2f89bc00 (0x2f89bc00+0x400) is "
		       "not that instance's tx-region (0x2f89b000+0x400)");
}

VgTest(topo, same_region_both_ways, .timeout = 10)
{
	/* x's regions are y's, not swapped: x writes where y writes */
	const struct emu_topo_core_spec c[] = {
		{ "x", TD "ovl_x.dts" }, { "x2", TD "ovl_x.dts" },
	};

	assert_refused(c, 2, -EINVAL,
		       TD "ovl_x.dts: /ipc/xy: tx-region /reserved-memory/memory@2f89a000 "
		       "(0x2f89a000+0x1000) is also the tx-region of " TD "ovl_x.dts /ipc/xy (one "
		       "core's tx-region is the other's rx-region)");
}

VgTest(topo, region_overlapping_another_cores, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, TD "ovl_x.dts" }, { NULL, FLPR },
	};

	assert_refused(c, 2, -EINVAL,
		       TD "ovl_x.dts: /ipc/xy: rx-region /reserved-memory/memory@2f89b000 "
		       "(0x2f89b000+0x1000) overlaps the tx-region of " FLPR " /ipc/ipc-2-14 "
		       "(0x2f89bc00+0x400; both cores must name the same address and size)");
}

VgTest(topo, claimed_by_two, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, RAD }, { NULL, PPR }, { NULL, FLPR }, { "flpr2", FLPR },
	};

	assert_refused(c, 5, -EINVAL,
		       APP ": /ipc/ipc-2-14: its regions (tx-region "
		       "/reserved-memory/memory@2f89b800 0x2f89b800+0x400, rx-region "
		       "/reserved-memory/memory@2f89bc00 0x2f89bc00+0x400) are claimed by " FLPR
		       " /ipc/ipc-2-14 and " FLPR " /ipc/ipc-2-14 (a region pair links two cores "
		       "only)");
}

VgTest(topo, channel_of_two_links, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, RAD }, { NULL, TD "chan_ppr.dts" }, { NULL, FLPR },
	};

	assert_refused(c, 4, -EINVAL,
		       APP ": /soc/mbox@0: channel 12 is used by two links of this core: to " RAD
		       " /ipc/ipc-2-3 (cpuapp-cpurad.cpuapp_cpurad_ipc) and to " TD "chan_ppr.dts "
		       "/ipc/ipc-2-13 (cpuapp-chan_ppr.cpuapp_cpuppr_ipc)");
}

VgTest(topo, regions_of_two_links_overlap, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, RAD }, { NULL, PPR }, { NULL, FLPR },
		{ NULL, TD "ovl_x.dts" }, { NULL, TD "ovl_y.dts" },
	};

	assert_refused(c, 6, -EINVAL,
		       TD "ovl_x.dts: /ipc/xy: rx-region /reserved-memory/memory@2f89b000 "
		       "(0x2f89b000+0x1000) overlaps the tx-region /reserved-memory/memory@2f89b800 "
		       "(0x2f89b800+0x400) of " APP " /ipc/ipc-2-14 (links ovl_x-ovl_y.xy and "
		       "cpuapp-cpuflpr.cpuapp_cpuflpr_ipc)");
}

VgTest(topo, core_without_instance, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, TD "noinst.dts" },
	};

	assert_refused(c, 2, -EINVAL,
		       TD "noinst.dts: has no ICMsg/ICBMsg instance, so no link to another core "
		       "(a core of a topology needs one)");
}

VgTest(topo, pair_check_of_a_link, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, RAD }, { NULL, PPR }, { NULL, TD "disable_flpr.dts" },
	};

	assert_refused(c, 4, -EINVAL,
		       "link cpuapp-disable_flpr.cpuapp_cpuflpr_ipc: " TD "disable_flpr.dts: "
		       "/ipc/ipc-2-14: unbound: \"disable\" cannot pair with \"enable\" of " APP
		       " /ipc/ipc-2-14 (disable and enable are incompatible; detect pairs with "
		       "both)");
}

VgTest(topo, duplicate_name, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { "cpuapp", RAD },
	};

	assert_refused(c, 2, -EINVAL,
		       APP " and " RAD ": both cores are named \"cpuapp\" (core names must differ: "
		       "--core NAME=FILE)");
}

VgTest(topo, bad_name_given, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { "cpu-rad", RAD },
	};

	assert_refused(c, 2, -EINVAL,
		       RAD ": core name \"cpu-rad\" is not 1 to 31 characters of [A-Za-z0-9_]");
}

VgTest(topo, bad_name_from_the_file, .timeout = 10)
{
	/* names are checked before any file is read */
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, TD "no-such.core.dts" },
	};

	assert_refused(c, 2, -EINVAL,
		       TD "no-such.core.dts: core name \"no-such.core\" (the file name) is not 1 to "
		       "31 characters of [A-Za-z0-9_]: name the core with --core NAME=FILE");
}

VgTest(topo, name_too_long_or_empty, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { "abcdefghijklmnopqrstuvwxyz012345", RAD },
	};
	const struct emu_topo_core_spec e[] = {
		{ "", APP }, { NULL, RAD },
	};

	assert_refused(c, 2, -EINVAL,
		       RAD ": core name \"abcdefghijklmnopqrstuvwxyz012345\" is not 1 to 31 "
		       "characters of [A-Za-z0-9_]");
	assert_refused(e, 2, -EINVAL,
		       APP ": core name \"\" is not 1 to 31 characters of [A-Za-z0-9_]");
}

VgTest(topo, one_core, .timeout = 10)
{
	assert_refused(example, 1, -EINVAL,
		       "1 devicetree: a multi-core topology takes 2 to 8 cores, one devicetree "
		       "each");
}

VgTest(topo, nine_cores, .timeout = 10)
{
	struct emu_topo_core_spec c[9];

	for (unsigned k = 0; k < 9; k++)
		c[k] = example[k % 4];
	assert_refused(c, 9, -EINVAL,
		       "9 devicetrees: a multi-core topology takes 2 to 8 cores, one devicetree "
		       "each");
}

VgTest(topo, missing_file, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, TD "nope.dts" },
	};

	assert_refused(c, 2, -ENOENT, TD "nope.dts: No such file or directory");
}

VgTest(topo, bad_file, .timeout = 10)
{
	const struct emu_topo_core_spec c[] = {
		{ NULL, APP }, { NULL, "tests/dts/bad_tx_blocks_zero.dts" },
	};
	int rc = load(c, 2);

	cr_assert_eq(rc, -EINVAL);
	cr_assert_eq(strncmp(err, "tests/dts/bad_tx_blocks_zero.dts: /ipc/", 39), 0, "%s", err);
	cr_assert_null(strchr(err, '\n'));
}

/* opts reach each file's load: the example's memory image is 0xb53000 bytes */
VgTest(topo, memory_limit_applies_to_each_file, .timeout = 10)
{
	struct emu_dt_load_opts small = { .mem_limit = 0xb52000 }, fits = { .mem_limit = 0xb53000 };

	cr_assert_eq(emu_topo_load(example, 4, &small, topo, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, APP ": /ipc/ipc-2-13: rx-region: /reserved-memory/memory@2fc0fc00 "
			 "ends at 0x2fc10000: the memory image from 0x2f0bd000 (lowest region) "
			 "would be 0xb53000 bytes, above the memory limit of 0xb52000 (11592 KiB)");
	cr_assert_eq(emu_topo_load(example, 4, &fits, topo, err, sizeof err), 0, "%s", err);
	cr_assert_eq(topo->n_link, 4);
}

VgTest(topo, null_arguments, .timeout = 10)
{
	cr_assert_eq(emu_topo_load(NULL, 2, NULL, topo, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "emu_topo_load: NULL argument");
	cr_assert_eq(emu_topo_load(example, 4, NULL, NULL, err, sizeof err), -EINVAL);
	cr_assert_str_eq(err, "emu_topo_load: NULL argument");
	cr_assert_eq(emu_topo_load(example, 4, NULL, topo, NULL, 0), 0);
}

VG_BATCH(topo, 300)
