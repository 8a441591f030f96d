/*
 * scenario.h - the scenario engine of the built-in peers (`ipc-emu run` without
 * --host/--remote, `ipc-emu peer`): see common.h for the wire format and the
 * protocol.
 */
#ifndef IPC_EMU_SCENARIO_SCENARIO_H
#define IPC_EMU_SCENARIO_SCENARIO_H

#include "common.h"

/* Run the scenario (scenario.c; the raw ones: pingpong.c) on an attached
 * segment; returns an SCN_EXIT_* status.
 * Prints one line on stderr for every failure. */
int scn_run(struct emu_segment *seg, const struct scn_params *p);

#endif /* IPC_EMU_SCENARIO_SCENARIO_H */
