/*
 * fuzz_devicetree.c - the devicetree reader (emu/devicetree*.c) on arbitrary
 * flattened blobs, through emu_dt_load_blob() so that no dtc runs per input.
 *
 * A blob that loads is also mirrored, checked against its mirror and looked
 * up by each of its labels, as `ipc-emu run` and `ipc-emu check` do.
 * Checks beyond the sanitizers: the return code is 0 or -EINVAL; a failure
 * leaves one non-empty line in err and an empty plan; counts stay within
 * the plan's arrays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/emu.h"

static _Noreturn void fail(const char *what, long v, const char *err)
{
	fprintf(stderr, "fuzz_devicetree: %s (%ld): %s\n", what, v, err);
	abort();
}

static void check_line(const char *err, size_t size)
{
	size_t n = strnlen(err, size);

	if (n == size) {
		fail("err not terminated", 0, "");
	}
	if (n == 0) {
		fail("failure without a message", 0, "");
	}
	for (size_t i = 0; i < n; i++) {
		if (err[i] == '\n' || err[i] == '\r') {
			fail("err is not one line", (long)i, err);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct emu_dt_plan plan, mirror;
	char err[256], err2[256];
	int rc;

	static int verbose = -1;

	if (verbose < 0) {
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	}
	memset(err, 'x', sizeof err);
	rc = emu_dt_load_blob(data, size, "fuzz.dtb", &plan, err, sizeof err);
	if (verbose) {
		fprintf(stderr, "load: %d %s (%u instances)\n", rc, rc ? err : "", plan.n_inst);
	}
	if (rc != 0) {
		if (rc != -EINVAL) {
			fail("load: unexpected code", rc, err);
		}
		check_line(err, sizeof err);
		if (plan.n_inst || plan.n_mbox || plan.n_mbox_user || plan.n_ipm) {
			fail("failed load left a plan", rc, err);
		}
		return 0;
	}
	if (err[0] != '\0') {
		fail("success with a message", 0, err);
	}
	if (plan.n_inst > EMU_DT_MAX_INST || plan.n_mbox > EMU_DT_MAX_MBOX ||
	    plan.n_mbox_user > EMU_DT_MAX_MBOX_USER || plan.n_ipm > EMU_DT_MAX_IPM) {
		fail("counts beyond the arrays", 0, "");
	}
	emu_dt_mirror(&plan, &mirror);
	rc = emu_dt_check_pair(&plan, &mirror, err2, sizeof err2);
	if (rc != 0) {
		if (rc != -EINVAL) {
			fail("check_pair: unexpected code", rc, err2);
		}
		check_line(err2, sizeof err2);
	}
	for (unsigned i = 0; i < plan.n_inst; i++) {
		if (emu_dt_find(&plan, plan.inst[i].label) == NULL) {
			fail("instance not found by its label", i, plan.inst[i].label);
		}
	}
	for (unsigned i = 0; i < plan.n_mbox; i++) {
		(void)emu_dt_find_mbox(&plan, plan.mbox[i].label);
	}
	for (unsigned i = 0; i < plan.n_ipm; i++) {
		(void)emu_dt_find_ipm(&plan, plan.ipm[i].label);
	}
	return 0;
}
