/*
 * emu_internal.h - declarations shared between the files of emu/ only.
 */
#ifndef IPC_EMU_EMU_INTERNAL_H
#define IPC_EMU_EMU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* port.c: mark the calling thread as the emulated interrupt context. */
void emu_port_set_in_isr(bool in_isr);

/* port.c: log with the process's role prefix ("[host] ...") to stderr. */
void emu_port_set_log_prefix(const char *prefix);

#endif /* IPC_EMU_EMU_INTERNAL_H */
