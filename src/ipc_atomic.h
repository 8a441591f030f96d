/*
 * ipc_atomic.h - the one vocabulary for memory ordering in the core.
 *
 * Shared-memory words keep Zephyr's plain uint32_t layout, so they are accessed
 * through these helpers, which view them as C11 atomics.  Every call site says
 * in a comment which access on the other side it pairs with;
 * docs/memory-ordering.md lists all pairs.
 */
#ifndef IPC_EMU_SRC_IPC_ATOMIC_H
#define IPC_EMU_SRC_IPC_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Race-detector hooks (Helgrind/DRD; docs/memory-ordering.md, "Race
 * detection").  Off unless the build defines IPC_EMU_ANNOTATE_RACES=1, and
 * then mapped to Valgrind client requests by emu/race_annotate.h (a hosted
 * header: the portable core itself includes nothing of the host).  Off, they
 * expand to nothing and the generated code is unchanged.
 *   IPC_RACE_PUBLISH(a)    before a release store/RMW that publishes data
 *   IPC_RACE_OBSERVE(a)    after the acquire load/RMW that pairs with it
 *   IPC_RACE_ATOMIC(a, n)  the word at a is accessed only atomically: do not
 *                          race-check the word itself (never payload)
 */
#if defined(IPC_EMU_ANNOTATE_RACES) && IPC_EMU_ANNOTATE_RACES
#include "../emu/race_annotate.h"
#else
#define IPC_RACE_PUBLISH(a) ((void)0)
#define IPC_RACE_OBSERVE(a) ((void)0)
#define IPC_RACE_ATOMIC(a, n) ((void)0)
#endif

/* Load a peer-published word; later reads of the data it guards see at least
 * what the peer wrote before its matching ipc_store_release(). */
static inline uint32_t ipc_load_acquire(const volatile uint32_t *p)
{
	uint32_t v;

	IPC_RACE_ATOMIC(p, sizeof(*p));
	v = atomic_load_explicit((const volatile _Atomic uint32_t *)p, memory_order_acquire);
	IPC_RACE_OBSERVE(p);
	return v;
}

/* Publish a word after the data it guards. */
static inline void ipc_store_release(volatile uint32_t *p, uint32_t v)
{
	IPC_RACE_ATOMIC(p, sizeof(*p));
	IPC_RACE_PUBLISH(p);
	atomic_store_explicit((volatile _Atomic uint32_t *)p, v, memory_order_release);
}

/* Relaxed access to a shared word (ordering provided by a fence). */
static inline uint32_t ipc_load_relaxed(const volatile uint32_t *p)
{
	IPC_RACE_ATOMIC(p, sizeof(*p));
	return atomic_load_explicit((const volatile _Atomic uint32_t *)p, memory_order_relaxed);
}

static inline void ipc_store_relaxed(volatile uint32_t *p, uint32_t v)
{
	IPC_RACE_ATOMIC(p, sizeof(*p));
	atomic_store_explicit((volatile _Atomic uint32_t *)p, v, memory_order_relaxed);
}

/* Full two-way barrier (Zephyr's barrier_dmem_fence_full()). */
static inline void ipc_fence(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

#endif /* IPC_EMU_SRC_IPC_ATOMIC_H */
