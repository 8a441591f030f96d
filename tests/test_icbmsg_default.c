/*
 * test_icbmsg_default.c - ICBMsg v2 is the default of ipc-emu's core on every
 * path (issue 14 section 2): the rule (emu_board_icbmsg_version), boards,
 * the harness (and so Python and `peer --scenario echo-server`), the
 * devicetree pair check; classic stays selectable by the property and by
 * the options.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/harness.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "support/pair.h"
#include "support/harness_pair.h"
#include "support/vg_cases.h"

static int T(int ms)
{
	return getenv("VALGRIND") != NULL ? ms * 20 : ms;
}

/* ------------------------------------------------------------------ rule */

VgTest(icbmsg_default, the_constant_is_v2, .timeout = 10)
{
	cr_assert_eq(EMU_ICBMSG_VERSION_DEFAULT, EMU_ICBMSG_V2);
	cr_assert_eq(EMU_ICBMSG_CLASSIC, 1);
	cr_assert_eq(EMU_ICBMSG_V2, 2);
}

VgTest(icbmsg_default, rule_option_then_property_then_v2, .timeout = 10)
{
	struct emu_dt_inst in;
	struct emu_board_opts o;

	memset(&in, 0, sizeof(in));
	in.backend = EMU_BACKEND_ICBMSG;
	emu_board_opts_default(&o);
	cr_assert_eq(o.icbmsg_version, 0u); /* the defaults leave it to the rule */
	cr_assert_eq(emu_board_icbmsg_version(&in, NULL), EMU_ICBMSG_V2);
	cr_assert_eq(emu_board_icbmsg_version(&in, &o), EMU_ICBMSG_V2);
	in.icbmsg_version = EMU_ICBMSG_CLASSIC;
	cr_assert_eq(emu_board_icbmsg_version(&in, NULL), EMU_ICBMSG_CLASSIC);
	cr_assert_eq(emu_board_icbmsg_version(&in, &o), EMU_ICBMSG_CLASSIC);
	o.icbmsg_version = EMU_ICBMSG_V2;
	cr_assert_eq(emu_board_icbmsg_version(&in, &o), EMU_ICBMSG_V2);
	in.icbmsg_version = 0;
	o.icbmsg_version = EMU_ICBMSG_CLASSIC;
	cr_assert_eq(emu_board_icbmsg_version(&in, &o), EMU_ICBMSG_CLASSIC);
}

/* ----------------------------------------------------------------- board */

static const void *ipc1_api(const struct emu_board_opts *o)
{
	struct pair p;
	const struct device *dev;
	const void *api;

	pair_setup(&p, "icbdef");
	pair_start(&p, EMU_ROLE_HOST, o);
	dev = emu_board_device(p.board[EMU_ROLE_HOST], "ipc1");
	cr_assert_not_null(dev);
	api = dev->api;
	pair_teardown(&p);
	return api;
}

VgTest(icbmsg_default, board_default_builds_v2, .timeout = 30)
{
	struct emu_board_opts o;

	emu_board_opts_default(&o);
	cr_assert_eq(ipc1_api(NULL), (const void *)&ipc_icbmsg_v2_backend);
	cr_assert_eq(ipc1_api(&o), (const void *)&ipc_icbmsg_v2_backend);
}

VgTest(icbmsg_default, board_option_selects_classic, .timeout = 30)
{
	struct emu_board_opts o;

	emu_board_opts_default(&o);
	o.icbmsg_version = EMU_ICBMSG_CLASSIC;
	cr_assert_eq(ipc1_api(&o), (const void *)&ipc_icbmsg_backend);
	o.icbmsg_version = EMU_ICBMSG_V2;
	cr_assert_eq(ipc1_api(&o), (const void *)&ipc_icbmsg_v2_backend);
}

/* --------------------------------------------------------------- harness */

static struct emu_harness *H[2];

/* Both cores through harnesses; version[r] (0: the default) per role. */
static void up(const int version[2])
{
	char err[512];

	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_harness_new(&H[r]), 0);
		cr_assert_eq(emu_harness_load(H[r], NULL, NULL, err, sizeof(err)), 0, "%s", err);
		if (version[r] != 0) {
			cr_assert_eq(emu_harness_set_opt(H[r], EMU_HARNESS_OPT_ICBMSG_VERSION,
							 version[r]),
				     0);
		}
	}
	harness_pair_start(H);
}

static void down(void)
{
	emu_harness_free(H[1]);
	emu_harness_free(H[0]);
	H[0] = H[1] = NULL;
}

/* Open ep0 on ipc1 both sides; an echo one way when they bond. */
static void bond_and_send(const int version[2])
{
	struct emu_harness_ept *e[2];
	unsigned char buf[16];
	size_t len = 0;

	up(version);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_harness_open(H[r], "ipc1", "ep0", &e[r]), 0);
	}
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_harness_wait(e[r], EMU_HARNESS_BOUND, 1, T(5000)), 0, "role %d", r);
	}
	cr_assert_eq(emu_harness_send(e[0], "v?", 2, T(1000)), 2);
	cr_assert_eq(emu_harness_recv(e[1], buf, sizeof(buf), &len, T(5000)), 0);
	cr_assert_eq(len, 2u);
	cr_assert_arr_eq(buf, "v?", 2);
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_ERRORS), 0);
	cr_assert_eq(emu_harness_count(e[1], EMU_HARNESS_ERRORS), 0);
	/* let the receiver's release reach the sender before the close */
	usleep((useconds_t)T(50) * 1000u);
	down();
}

/* Classic and v2 never bond: a default side bonding with an explicit v2
 * side is v2. */
VgTest(icbmsg_default, harness_default_bonds_with_explicit_v2, .timeout = 60)
{
	bond_and_send((const int[2]){0, EMU_ICBMSG_V2});
	bond_and_send((const int[2]){EMU_ICBMSG_V2, 0});
	bond_and_send((const int[2]){0, 0});
}

VgTest(icbmsg_default, harness_classic_selectable, .timeout = 60)
{
	bond_and_send((const int[2]){EMU_ICBMSG_CLASSIC, EMU_ICBMSG_CLASSIC});
}

/* The default side (v2) finds the classic one: the endpoint's error()
 * names it, and it never bonds. */
VgTest(icbmsg_default, harness_default_reports_a_classic_peer, .timeout = 60)
{
	struct emu_harness_ept *e[2];
	char why[128];

	up((const int[2]){0, EMU_ICBMSG_CLASSIC});
	cr_assert_eq(emu_harness_open(H[0], "ipc1", "ep0", &e[0]), 0);
	cr_assert_eq(emu_harness_open(H[1], "ipc1", "ep0", &e[1]), 0);
	cr_assert_eq(emu_harness_wait(e[0], EMU_HARNESS_ERRORS, 1, T(5000)), 0);
	cr_assert_eq(emu_harness_last_error(e[0], why, sizeof(why)), 1); /* once */
	cr_assert_str_eq(why, "peer speaks classic ICBMsg");
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_BOUND), 0);
	down();
}

VgTest(icbmsg_default, harness_option_ranges, .timeout = 10)
{
	struct emu_harness *h;

	cr_assert_eq(emu_harness_new(&h), 0);
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_ICBMSG_VERSION, -1), -EINVAL);
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_ICBMSG_VERSION, 3), -EINVAL);
	for (int v = 0; v <= EMU_ICBMSG_V2; v++) {
		cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_ICBMSG_VERSION, v), 0);
	}
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_MAX_ACTIVE_COUNT, 15), -EINVAL);
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_MAX_ACTIVE_COUNT, 129), -EINVAL);
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_MAX_ACTIVE_COUNT, 16), 0);
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_MAX_ACTIVE_COUNT, 128), 0);
	emu_harness_free(h);
}

/* ------------------------------------------------------------ devicetree */

/* The default boards with ipc-emu,icbmsg-version on each side's ipc1
 * (NULL: none), checked as a pair. */
static int load_pair(const char *host_prop, const char *remote_prop, char *err, size_t len)
{
	static struct emu_dt_plan plans[2];
	const char *props[2] = {host_prop, remote_prop};
	char *dts[2];
	int rc;

	for (int r = 0; r < 2; r++) {
		const char *src = emu_dt_default_board(r);
		const char *at = strstr(src, "\"zephyr,ipc-icbmsg\";");
		size_t n;

		cr_assert_not_null(at);
		at += strlen("\"zephyr,ipc-icbmsg\";");
		n = (size_t)(at - src);
		dts[r] = malloc(strlen(src) + 128);
		cr_assert_not_null(dts[r]);
		memcpy(dts[r], src, n);
		snprintf(dts[r] + n, strlen(src) + 128 - n, "%s%s%s%s",
			 props[r] ? " ipc-emu,icbmsg-version = \"" : "", props[r] ? props[r] : "",
			 props[r] ? "\";" : "", at);
	}
	rc = emu_dt_load_string(dts[0], "host.dts", &plans[0], err, len);
	cr_assert_eq(rc, 0, "%s", err);
	rc = emu_dt_load_string(dts[1], "remote.dts", &plans[1], err, len);
	cr_assert_eq(rc, 0, "%s", err);
	free(dts[0]);
	free(dts[1]);
	err[0] = '\0';
	return emu_dt_check_pair(&plans[0], &plans[1], err, len);
}

VgTest(icbmsg_default, pair_absent_matches_v2_not_classic, .timeout = 30)
{
	char err[512] = "";

	cr_assert_eq(load_pair(NULL, "v2", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(load_pair("v2", NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(load_pair("classic", "classic", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(load_pair(NULL, "classic", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "remote.dts: /ipc/ipc1: ipc-emu,icbmsg-version: \"classic\" differs "
			      "from host.dts /ipc/ipc1 (absent (v2)): a classic ICBMsg instance "
			      "cannot talk to a v2 one");
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(icbmsg_default, 600)
