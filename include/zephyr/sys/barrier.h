/*
 * zephyr/sys/barrier.h - Zephyr's memory barriers.  On this host they are
 * sequentially consistent fences (the strongest a C11 program has): data
 * memory (DMB), data synchronisation (DSB) and instruction synchronisation
 * (ISB; no instruction stream is modified here, so a full fence is enough),
 * and barrier_sync_synchronize().
 */
#ifndef ZEPHYR_INCLUDE_SYS_BARRIER_H_
#define ZEPHYR_INCLUDE_SYS_BARRIER_H_

#include <zephyr/toolchain.h>

static ALWAYS_INLINE void barrier_dmem_fence_full(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static ALWAYS_INLINE void barrier_dsync_fence_full(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static ALWAYS_INLINE void barrier_isync_fence_full(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* The full compiler and CPU barrier Zephyr's older pbuf/spsc_pbuf use. */
static ALWAYS_INLINE void barrier_sync_synchronize(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif /* ZEPHYR_INCLUDE_SYS_BARRIER_H_ */
