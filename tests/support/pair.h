/*
 * Test support: two emulated cores (host and remote) in one process on one
 * segment, each with the built-in default board.
 */
#ifndef IPC_EMU_TESTS_PAIR_H
#define IPC_EMU_TESTS_PAIR_H

#include <stdatomic.h>
#include <stdbool.h>

#include "ipc_emu/emu.h"

struct pair {
	struct emu_segment *seg;
	struct emu_dt_plan plans[2];
	struct emu_core *core[2];
	struct emu_board *board[2];
};

/* Load the default board for both roles and create a uniquely named segment. */
void pair_setup(struct pair *p, const char *tag);
/* Start the core and board of `role` (opts NULL: defaults). */
void pair_start(struct pair *p, int role, const struct emu_board_opts *opts);
/* Tear a role down without closing anything (like a reset). */
void pair_stop(struct pair *p, int role);
/* Stop both roles and close the segment (checks no /dev/shm object remains). */
void pair_teardown(struct pair *p);
/* Wait until *v >= want, up to ms milliseconds (scaled under Valgrind). */
bool wait_until(atomic_int *v, int want, int ms);

#endif
