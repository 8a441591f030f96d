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

/* Load a peer-published word; later reads of the data it guards see at least
 * what the peer wrote before its matching ipc_store_release(). */
static inline uint32_t ipc_load_acquire(const volatile uint32_t *p)
{
	return atomic_load_explicit((const volatile _Atomic uint32_t *)p, memory_order_acquire);
}

/* Publish a word after the data it guards. */
static inline void ipc_store_release(volatile uint32_t *p, uint32_t v)
{
	atomic_store_explicit((volatile _Atomic uint32_t *)p, v, memory_order_release);
}

/* Relaxed access to a shared word (ordering provided by a fence). */
static inline uint32_t ipc_load_relaxed(const volatile uint32_t *p)
{
	return atomic_load_explicit((const volatile _Atomic uint32_t *)p, memory_order_relaxed);
}

static inline void ipc_store_relaxed(volatile uint32_t *p, uint32_t v)
{
	atomic_store_explicit((volatile _Atomic uint32_t *)p, v, memory_order_relaxed);
}

/* Full two-way barrier (Zephyr's barrier_dmem_fence_full()). */
static inline void ipc_fence(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

#endif /* IPC_EMU_SRC_IPC_ATOMIC_H */
