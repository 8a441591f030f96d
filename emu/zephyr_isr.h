/*
 * zephyr_isr.h - the emulated CPU's interrupt context, shared by every
 * source of "interrupts" in a process: the mailbox interrupt thread
 * (emu/core.c) and the k_timer expiry thread (emu/zephyr_work.c); and the
 * waiting machinery shared by the kernel objects of the compat layer
 * (emu/zephyr_kernel.c, emu/zephyr_objects.c, emu/zephyr_thread.c).
 *
 * zshim_isr_enter() marks the calling thread as in ISR context
 * (k_is_in_isr() true) and takes the process's interrupt lock, so that no
 * two interrupt handlers run at once and irq_lock() in thread context keeps
 * them out, as on a single-core MCU.  Calls nest.  Only emu/ uses this.
 *
 * Naming: symbols shared between files of the shim but not part of the
 * public API start with zshim_ (the version script cmake/ipc_emu.map keeps
 * them local); emu_* names are exported and must be declared in a public
 * header (pytests/test_install.py checks): emu_zephyr_irq_lock/unlock are
 * declared in zephyr/kernel/emu_objects.h.
 */
#ifndef IPC_EMU_ZEPHYR_ISR_H
#define IPC_EMU_ZEPHYR_ISR_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_emu/timeout.h"
#include "zephyr_clock.h" /* zshim_timeout_ms, zshim_now_ns */
#include "zephyr_irq.h"

struct k_sem;

/* emu/zephyr_isr.c, above the scheduler (it records the interrupt). */
void zshim_isr_enter(void);
void zshim_isr_exit(void);

/*
 * Waiting on kernel objects.  One process-wide sequence word is bumped by
 * every change a waiter may be waiting for (zshim_kick(): give, put, post,
 * raise, purge, cancel, abort, suspend); a waiter snapshots it before
 * checking its condition and sleeps only while it is unchanged, so no
 * wake-up is lost:
 *
 *   zshim_wait_begin(&w, timeout);
 *   for (;;) {
 *       zshim_wait_snapshot(&w);
 *       if (condition met) { rc = 0; break; }
 *       if (w.ms == 0) { rc = would-block code; break; }
 *       if ((rc = zshim_wait_block(&w)) < 0) break;   -EAGAIN or -ECANCELED
 *   }
 *   zshim_wait_end(&w);
 *   ... undo what the object recorded about this waiter ...
 *   if (rc == -ECANCELED) zshim_thread_checkpoint();  (the thread was aborted)
 */
struct zshim_wait {
	int32_t ms;           /* relative timeout: -1 forever, 0 no wait */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC, when ms > 0 */
	uint32_t seen;        /* the sequence word at the last snapshot */
	bool released;        /* gave up the CPU (emu/zephyr_sched.h) in a block */
};

void zshim_kick(void);
void zshim_wait_begin(struct zshim_wait *w, k_timeout_t timeout);
void zshim_wait_snapshot(struct zshim_wait *w);
int zshim_wait_block(struct zshim_wait *w);
void zshim_wait_end(struct zshim_wait *w);

/* Threads blocked in k_sem_take (emu/zephyr_objects.c keeps the list, so
 * that k_sem_reset() can release them with -EAGAIN: struct k_sem has no
 * room for a waiter list). */
struct zshim_sem_waiter {
	struct zshim_sem_waiter *next;
	struct k_sem *sem;
	bool reset;
};
void zshim_sem_waiter_add(struct zshim_sem_waiter *w);
void zshim_sem_waiter_remove(struct zshim_sem_waiter *w);
bool zshim_sem_waiter_was_reset(struct zshim_sem_waiter *w);
/* Count to 0 and release the listed waiters of `sem`. */
void zshim_sem_reset(struct k_sem *sem);

/* emu/zephyr_thread.c, called through the scheduler (emu/zephyr_sched.c
 * defines these three and forwards them to the thread layer's
 * zshim_thread_ops).  At every kernel call: an aborted calling thread
 * ends here, a suspended one blocks until resumed (neither in ISR context
 * nor under irq_lock). */
void zshim_thread_checkpoint(void);
/* An abort is pending for the calling thread (and may be acted upon now). */
bool zshim_thread_abort_pending(void);
/* A suspension is pending: block until resumed (no-op otherwise). */
void zshim_thread_suspended_wait(void);
/* k_sleep() of a k_thread: 0 slept fully, > 0 ms left when woken by
 * k_wakeup(); -1 after K_FOREVER (ms < 0) when resumed/woken.  Returns
 * 1 in *handled, or 0 when the caller is not a k_thread (plain sleep). */
int32_t zshim_thread_sleep(int32_t ms, bool *handled);

#endif /* IPC_EMU_ZEPHYR_ISR_H */
