/*
 * race_annotate.h - Helgrind/DRD client requests behind the race hooks of
 * src/ipc_atomic.h.  Included from there ONLY when the build defines
 * IPC_EMU_ANNOTATE_RACES=1 (scripts/threadcheck.sh does, in its own build
 * directory); the normal build and the Cortex-M33 core build never see this
 * file nor any Valgrind header through src/.
 *
 * Helgrind and DRD do not understand C11 atomics (platform notes, item 7):
 * an atomic store/load is a plain access to them, and an acquire/release
 * pair creates no happens-before edge.  The three hooks tell them:
 *
 *   IPC_RACE_PUBLISH(a)      just before a release store (or a seq_cst RMW
 *                            used as one) to the word at a: everything this
 *                            thread did so far happens before any later
 *                            IPC_RACE_OBSERVE(a).
 *                            -> ANNOTATE_HAPPENS_BEFORE(a)
 *   IPC_RACE_OBSERVE(a)      just after the matching acquire load.
 *                            -> ANNOTATE_HAPPENS_AFTER(a)
 *   IPC_RACE_ATOMIC(a, n)    the n bytes at a are a synchronisation word
 *                            that is only ever accessed through atomics: do
 *                            not race-check the word itself.  Only ever
 *                            passed the word (4 bytes, or the size of one
 *                            _Atomic object); never payload memory, whose
 *                            accesses the tools must still find ordered by
 *                            PUBLISH/OBSERVE pairs.
 *                            -> VALGRIND_HG_DISABLE_CHECKING(a, n)
 *
 * DRD honours the same Helgrind client requests (ANNOTATE_HAPPENS_* and
 * HG_ARANGE_MAKE_UNTRACKED), so one set of hooks serves both tools.
 * Outside Valgrind each client request is a handful of no-op instructions.
 */
#ifndef IPC_EMU_EMU_RACE_ANNOTATE_H
#define IPC_EMU_EMU_RACE_ANNOTATE_H

#include <stdint.h>
#include <valgrind/helgrind.h>

#define IPC_RACE_PUBLISH(a) ANNOTATE_HAPPENS_BEFORE((void *)(uintptr_t)(a))
#define IPC_RACE_OBSERVE(a) ANNOTATE_HAPPENS_AFTER((void *)(uintptr_t)(a))
#define IPC_RACE_ATOMIC(a, n) VALGRIND_HG_DISABLE_CHECKING((void *)(uintptr_t)(a), (n))

#endif /* IPC_EMU_EMU_RACE_ANNOTATE_H */
