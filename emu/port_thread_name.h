/*
 * port_thread_name.h - the Linux port (emu/port.c) names its own threads
 * (the port work queue's "workq") through a hook, so that it needs nothing
 * above it: the trace (emu/trace.c) installs emu_trace_thread_name at
 * start-up.  Without a hook the name is dropped.  Private to emu/ (a
 * port_* name: local to the library).
 */
#ifndef IPC_EMU_PORT_THREAD_NAME_H
#define IPC_EMU_PORT_THREAD_NAME_H

#include <stdint.h>

void port_set_thread_name_hook(void (*hook)(const char *name));

/*
 * A work item runs in the context of the thread that submitted it: with
 * hooks installed, port_work_submit() and port_work_schedule() remember
 * get() of the caller in the item (the latest submit wins), and the
 * work-queue thread calls set(that value) before the item's function and
 * set(0) after it.  The trace installs them when it starts (the value is
 * its per-thread link tag), so that the events of a work queue shared by
 * several links name their link.  Both run with no lock of the port held;
 * they only read or write the calling thread's own state.
 * Without hooks (the default; both NULL) an item carries 0 and nothing is
 * called.  Install before the first submit; installing again replaces both.
 */
void port_set_context_hooks(uint32_t (*get)(void), void (*set)(uint32_t ctx));

#endif /* IPC_EMU_PORT_THREAD_NAME_H */
