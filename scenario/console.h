/*
 * console.h - the IPM console of the built-in peers (console.c).
 */
#ifndef IPC_EMU_SCENARIO_CONSOLE_H
#define IPC_EMU_SCENARIO_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_emu/emu.h"

/*
 * IPM console (console.c), the classic CONFIG_IPM_CONSOLE_SENDER/RECEIVER
 * wire use on ipm0: one message per character, the character is the id,
 * data NULL, size 0, wait = 1, '\r' never sent.  The remote sends; the host
 * prints each completed line as "remote: <line>" on stdout.
 */
struct scn_console;
/* Open on `board` for `role`.  With own_callback the console registers its
 * callback on ipm0 (host) and enables it; without it, the scenario's callback
 * forwards ids <= 0xff to scn_console_rx().  NULL on error (line on stderr). */
struct scn_console *scn_console_open(struct emu_board *board, struct emu_segment *seg,
				     enum emu_role role, bool own_callback);
/* Host, interrupt context: one received character. */
void scn_console_rx(struct scn_console *c, uint32_t id);
/* Remote: printk-style output (waits for the host's receiver first). */
void scn_console_printf(struct scn_console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Remote: mark the console closed.  Host: wait (up to timeout_ns) until every
 * line the remote sent was printed.  NULL is a no-op. */
void scn_console_close(struct scn_console *c, uint64_t timeout_ns);
/* Free, after emu_board_destroy() (no callback may run any more). */
void scn_console_free(struct scn_console *c);

#endif /* IPC_EMU_SCENARIO_CONSOLE_H */
