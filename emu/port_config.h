/*
 * port_config.h - compile-time configuration of the Linux host port (see
 * "Port configuration" in src/port.h).  Every target of CMakeLists.txt names
 * it (-DIPC_EMU_PORT_CONFIG=".../emu/port_config.h"); the host keeps the
 * defaults of src/port.h (test hooks on, every log call made) and provides
 * one thing of its own: the race-detector hooks.
 *
 * Race-detector hooks.  Off unless the build defines IPC_EMU_ANNOTATE_RACES=1
 * (scripts/threadcheck.sh does, in its own build directory); then they are
 * Helgrind/DRD client requests.  The normal build, and the Cortex-M33 core
 * build, never see a Valgrind header through src/.
 *
 * Helgrind and DRD do not understand C11 atomics (platform notes, item 7):
 * an atomic store/load is a plain access to them, and an acquire/release
 * pair creates no happens-before edge.  The three hooks tell them:
 *
 *   PORT_RACE_PUBLISH(a)     just before a release store (or a seq_cst RMW
 *                            used as one) to the word at a: everything this
 *                            thread did so far happens before any later
 *                            PORT_RACE_OBSERVE(a).
 *                            -> ANNOTATE_HAPPENS_BEFORE(a)
 *   PORT_RACE_OBSERVE(a)     just after the matching acquire load.
 *                            -> ANNOTATE_HAPPENS_AFTER(a)
 *   PORT_RACE_ATOMIC(a, n)   the n bytes at a are a synchronisation word
 *                            that is only ever accessed through atomics: do
 *                            not race-check the word itself.  Only ever
 *                            passed the word (4 bytes, or the size of one
 *                            _Atomic object); never payload memory, whose
 *                            accesses the tools must still find ordered by
 *                            PUBLISH/OBSERVE pairs.
 *                            -> VALGRIND_HG_DISABLE_CHECKING(a, n)
 *
 * The core calls them as IPC_RACE_PUBLISH/OBSERVE/ATOMIC (src/ipc_atomic.h).
 * DRD honours the same Helgrind client requests (ANNOTATE_HAPPENS_* and
 * HG_ARANGE_MAKE_UNTRACKED), so one set of hooks serves both tools.
 * Outside Valgrind each client request is a handful of no-op instructions.
 */
#ifndef IPC_EMU_EMU_PORT_CONFIG_H
#define IPC_EMU_EMU_PORT_CONFIG_H

#if defined(IPC_EMU_ANNOTATE_RACES) && IPC_EMU_ANNOTATE_RACES
#include <stdint.h>
#include <valgrind/helgrind.h>

#define PORT_RACE_PUBLISH(a) ANNOTATE_HAPPENS_BEFORE((void *)(uintptr_t)(a))
#define PORT_RACE_OBSERVE(a) ANNOTATE_HAPPENS_AFTER((void *)(uintptr_t)(a))
#define PORT_RACE_ATOMIC(a, n) VALGRIND_HG_DISABLE_CHECKING((void *)(uintptr_t)(a), (n))
#endif

#endif /* IPC_EMU_EMU_PORT_CONFIG_H */
