/*
 * echo_server.h - `ipc-emu peer --scenario echo-server` (echo_server.c).
 */
#ifndef IPC_EMU_SCENARIO_ECHO_SERVER_H
#define IPC_EMU_SCENARIO_ECHO_SERVER_H

#include "common.h"

/* `ipc-emu peer --scenario echo-server` (echo_server.c): register ep0..epK-1
 * on the instance, send every message back unchanged, re-register after
 * unbound(); until SIGTERM/SIGINT, the parent process exits, or the timeout.
 * For test hosts of their own (the Python harness).  Same contract as
 * scn_run(). */
int scn_echo_server(struct emu_segment *seg, const struct scn_params *p);

#endif /* IPC_EMU_SCENARIO_ECHO_SERVER_H */
