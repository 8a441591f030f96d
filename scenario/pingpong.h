/*
 * pingpong.h - the raw scenarios (pingpong.c): ipm-echo and mbox-pingpong.
 */
#ifndef IPC_EMU_SCENARIO_PINGPONG_H
#define IPC_EMU_SCENARIO_PINGPONG_H

#include "common.h"

/* Raw scenarios (pingpong.c): ipm-echo and mbox-pingpong.  Same contract as
 * scn_run(), which dispatches to it. */
int scn_run_raw(struct emu_segment *seg, const struct scn_params *p);

#endif /* IPC_EMU_SCENARIO_PINGPONG_H */
