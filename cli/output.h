/*
 * output.h - the one-line diagnostics of the command line tool (cli/output.c).
 *
 * A leaf: every command prints through it, and it uses no other part of cli/.
 */
#ifndef IPC_EMU_CLI_OUTPUT_H
#define IPC_EMU_CLI_OUTPUT_H

/* "ipc-emu: <msg>\n" on stderr, in one write() (peers share the stream). */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* IPC_EMU_CLI_OUTPUT_H */
