/*
 * zephyr_sched.h - how the threads of a Zephyr program share the emulated
 * CPU (`ipc-emu run --schedule coop|parallel|random`, IPC_EMU_SCHEDULE),
 * and the ring of recent shim events reported when a program fails.
 * Private to emu/ (emu/zephyr_sched.c has the design).
 *
 * The threads that run Zephyr code (k_threads, work-queue threads, main)
 * call zshim_sched_thread_start() once, then:
 *
 *   released = zshim_sched_release();     before blocking (a kernel wait)
 *   ... block ...
 *   zshim_sched_reacquire(released);      before running Zephyr code again
 *
 * zshim_sched_release() returns true only when the calling thread held the
 * CPU, so that nested or repeated calls (a wait loop) pair up; interrupt
 * threads and threads that are not Zephyr threads never hold it and both
 * calls are no-ops for them.  In the parallel and random modes nobody ever
 * holds it.  Never call zshim_sched_reacquire() with a mutex held that the
 * CPU's holder may take (it waits for the holder to block).
 */
#ifndef IPC_EMU_ZEPHYR_SCHED_H
#define IPC_EMU_ZEPHYR_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "zephyr_events.h" /* enum zshim_sched_ev */

enum zshim_sched_mode {
	ZSHIM_SCHED_PARALLEL = 0, /* no IPC_EMU_SCHEDULE: every thread runs freely */
	ZSHIM_SCHED_COOP,
	ZSHIM_SCHED_RANDOM,
};

/* The mode and seed, from IPC_EMU_SCHEDULE and IPC_EMU_SEED (read once, at
 * start-up); tests set them with zshim_sched_configure() before any thread
 * of theirs starts. */
enum zshim_sched_mode zshim_sched_mode(void);
void zshim_sched_configure(enum zshim_sched_mode mode, uint64_t seed);

/* The calling thread runs Zephyr code from now on, with priority `prio`
 * (used when its own k_thread has none: main 0, a work queue the priority
 * of its k_work_queue_start, k_sys_work_q -1); in coop mode it waits for
 * the CPU.  `name` may be NULL (the k_thread's name, or
 * "thread N", is used). */
void zshim_sched_thread_start(const char *name, int prio);
/* The calling thread ends: the CPU goes to the next ready thread. */
void zshim_sched_thread_exit(void);

bool zshim_sched_release(void);
void zshim_sched_reacquire(bool released);
/* k_yield(): in coop mode the CPU goes to a waiting thread of the same or
 * a higher priority, if any, and the caller waits for it again. */
void zshim_sched_yield(void);

/* Work queues (emu/zephyr_work.c), in coop mode.  A queue thread with
 * nothing to do calls zshim_sched_idle() (the queue's lock held) instead of
 * zshim_sched_release(): it gives the CPU up and returns the thread's
 * ready record (NULL when it did not hold the CPU), which the queue keeps.
 * A submission that gives the queue an item calls zshim_sched_ready() on
 * it (the queue's lock held): the queue's thread is ready at once, in the
 * CPU's queue by its priority, as Zephyr's k_work_submit makes it - not
 * only once its POSIX thread has woken.  The thread, woken, drops the
 * record from the queue (lock held) and calls zshim_sched_idle_end(rec)
 * without the lock: it runs when the CPU is granted to it. */
void *zshim_sched_idle(void);
void zshim_sched_ready(void *rec);
void zshim_sched_idle_end(void *rec);

/* Record an event of the calling thread (obj and val as above).  At a
 * boundary event in random mode, and in thread context, the thread may
 * then yield, sleep, or wait until the thread it woke has run.  In coop
 * mode a preemptible holder of the CPU (priority >= 0, interrupts not
 * locked, not in an ISR) then gives it to a waiting thread of a higher
 * priority, except at the give of its own k_thread's `done` (it ends). */
void zshim_sched_event(enum zshim_sched_ev ev, const void *obj, int val);
/* ZSHIM_EV_LOG_ERR with its text (the first bytes are kept). */
void zshim_sched_log_err(const char *text);

/* The thread layer (emu/zephyr_thread.c) sits above the scheduler and the
 * kernel objects, which ask it about the calling thread through these
 * functions; it installs them at start-up (a constructor).  Until then (or
 * without it) there is no k_thread: current NULL, priority 0, no abort nor
 * suspension pending. */
struct k_thread;
struct zshim_thread_ops {
	struct k_thread *(*current)(void);       /* k_current_get() */
	int (*priority)(struct k_thread *t);     /* k_thread_priority_get() */
	bool (*abort_pending)(void);             /* zshim_thread_abort_pending() */
	void (*suspended_wait)(void);            /* zshim_thread_suspended_wait() */
	void (*checkpoint)(void);                /* zshim_thread_checkpoint() */
};
void zshim_sched_set_thread_ops(const struct zshim_thread_ops *ops);

/* Print the recent events and the line that tells how to replay the run
 * (`why`: what failed) on stderr.  Called at a failing exit by the
 * runtime itself; a program may call it from its own failure path. */
void zshim_sched_report(const char *why);

/* The core's name for messages: "host" or "remote" (IPC_EMU_ROLE under
 * `ipc-emu run`), else "program". */
const char *zshim_role_name(void);

/* Tests: threads waiting for the CPU now; the stall limit (ms, native). */
unsigned zshim_sched_cpu_waiters(void);
void zshim_sched_set_stall_ms(unsigned ms);

#endif /* IPC_EMU_ZEPHYR_SCHED_H */
