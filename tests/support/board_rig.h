/*
 * Test support for the MBOX and IPM tests: two emulated cores (host and
 * remote) in one process on one uniquely named segment, each with a board
 * built from a devicetree (the built-in default board, or DTS text given by
 * the test), with either doorbell kind.
 */
#ifndef IPC_EMU_TESTS_BOARD_RIG_H
#define IPC_EMU_TESTS_BOARD_RIG_H

#include <stdatomic.h>
#include <stdbool.h>

#include "ipc_emu/emu.h"

struct rig {
	char name[96];
	struct emu_segment *seg;
	struct emu_dt_plan plan[2];
	struct emu_core *core[2];
	struct emu_board *board[2];
};

/* Load the plans (host_dts NULL: the default board; remote_dts NULL with a
 * host_dts: its mirror) and create the segment. */
void rig_init(struct rig *r, const char *tag, enum emu_doorbell db, const char *host_dts,
	      const char *remote_dts);
/* Start the core and board of `role` (opts NULL: defaults). */
void rig_start(struct rig *r, int role, const struct emu_board_opts *opts);
/* Both roles with default options. */
void rig_up(struct rig *r, const char *tag, enum emu_doorbell db, const char *host_dts,
	    const char *remote_dts);
void rig_stop(struct rig *r, int role);
/* Stop what runs, close the segment, check nothing is left in /dev/shm. */
void rig_fini(struct rig *r);
/* emu_board_device(), asserted non-NULL. */
const struct device *rig_dev(struct rig *r, int role, const char *label);

void rig_sleep_ms(unsigned ms);
/* n, or n / 100 under Valgrind. */
unsigned rig_scaled(unsigned n);
/* Poll until *v >= want, up to ms (x20 under Valgrind); the last value seen. */
unsigned rig_wait(atomic_uint *v, unsigned want, unsigned ms);
/* sem_timedwait for up to ms (x20 under Valgrind); true if taken. */
bool rig_sem_wait(void *sem, unsigned ms);

#endif
