/*
 * port_thread_name.h - the Linux port (emu/port.c) names its own threads
 * (the port work queue's "workq") through a hook, so that it needs nothing
 * above it: the trace (emu/trace.c) installs emu_trace_thread_name at
 * start-up.  Without a hook the name is dropped.  Private to emu/ (a
 * port_* name: local to the library).
 */
#ifndef IPC_EMU_PORT_THREAD_NAME_H
#define IPC_EMU_PORT_THREAD_NAME_H

void port_set_thread_name_hook(void (*hook)(const char *name));

#endif /* IPC_EMU_PORT_THREAD_NAME_H */
