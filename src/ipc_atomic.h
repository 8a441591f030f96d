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

#include "port.h"

/*
 * Race-detector hooks (docs/memory-ordering.md, "Race detection"): the
 * port's PORT_RACE_* of port.h, which expand to nothing unless the port maps
 * them (the host: Helgrind/DRD client requests in a build with
 * IPC_EMU_ANNOTATE_RACES=1, emu/port_config.h).
 *   IPC_RACE_PUBLISH(a)    before a release store/RMW that publishes data
 *   IPC_RACE_OBSERVE(a)    after the acquire load/RMW that pairs with it
 *   IPC_RACE_ATOMIC(a, n)  the word at a is accessed only atomically: do not
 *                          race-check the word itself (never payload)
 */
#define IPC_RACE_PUBLISH(a) PORT_RACE_PUBLISH(a)
#define IPC_RACE_OBSERVE(a) PORT_RACE_OBSERVE(a)
#define IPC_RACE_ATOMIC(a, n) PORT_RACE_ATOMIC(a, n)

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
