/*
 * bench_svg.h - `ipc-emu bench --plot FILE` (cli/bench_svg.c).
 */
#ifndef IPC_EMU_CLI_BENCH_SVG_H
#define IPC_EMU_CLI_BENCH_SVG_H

#include <stdbool.h>

#include "../bench/measure.h"

/* 0 or -errno (message on stderr). */
int bench_svg(const char *path, const struct bench_result *res, unsigned n, bool quick);

#endif /* IPC_EMU_CLI_BENCH_SVG_H */
