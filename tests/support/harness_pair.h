/*
 * Test support: two harnesses (include/ipc_emu/harness.h) in one process,
 * the host creating the segment and the remote attaching through the
 * host's descriptors.
 */
#ifndef IPC_EMU_TESTS_HARNESS_PAIR_H
#define IPC_EMU_TESTS_HARNESS_PAIR_H

#include "ipc_emu/harness.h"

/* Connect two loaded and configured harnesses (h[0] host, h[1] remote) on
 * a new unlinked segment and start both; asserts each step. */
void harness_pair_start(struct emu_harness *h[2]);

#endif
