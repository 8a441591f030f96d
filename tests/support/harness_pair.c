#include "harness_pair.h"

#include <criterion/criterion.h>

void harness_pair_start(struct emu_harness *h[2])
{
	char err[512];
	int fds[4];

	cr_assert_eq(emu_harness_segment_create(h[0], NULL, EMU_DOORBELL_FUTEX), 0);
	cr_assert_eq(emu_harness_segment_fds(h[0], fds), 0);
	cr_assert_eq(emu_harness_segment_attach_fds(h[1], fds[0], fds[1], fds[2], fds[3]), 0);
	cr_assert_eq(emu_harness_segment_unlink(h[0]), 0);
	cr_assert_eq(emu_harness_start(h[0], EMU_ROLE_HOST, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_harness_start(h[1], EMU_ROLE_REMOTE, err, sizeof(err)), 0, "%s", err);
}
