/*
 * rundir.h - a run's private directory in /tmp (cli/rundir.c): the
 * --valgrind and --sanitize logs, the --trace event files, zephyr-build's
 * scratch.  `ipc-emu clean` removes the ones whose process is dead.
 *
 * A leaf: it uses no other part of cli/.
 */
#ifndef IPC_EMU_CLI_RUNDIR_H
#define IPC_EMU_CLI_RUNDIR_H

#include <stddef.h>

#define CLI_RUN_DIR "/tmp"
#define CLI_RUN_DIR_PREFIX "ipc-emu-"

/* Create CLI_RUN_DIR/ipc-emu-KIND-PID-START-XXXXXX (mkdtemp; PID and START
 * identify this process so that `ipc-emu clean` can remove it once the
 * process is dead).  0 or -errno; out holds the path. */
int cli_run_dir_create(const char *kind, char *out, size_t len);
/* Remove the files directly in dir, then dir itself. */
void cli_run_dir_remove(const char *dir);

#endif /* IPC_EMU_CLI_RUNDIR_H */
