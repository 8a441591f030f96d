/*
 * zephyr/kernel.h - the part of Zephyr's kernel API that code around IPC
 * uses, on POSIX threads: semaphores, mutexes, sleeping, uptime,
 * k_is_in_isr(), printk().
 *
 * Context: callbacks of the IPC backends run on the emulator's interrupt
 * thread (mailbox callbacks; k_is_in_isr() is true there) or its work-queue
 * thread (ICMsg receive), as on Zephyr; main() runs on the program's main
 * thread.  k_sem_give() is ISR-safe; k_sem_take() may block only in thread
 * context (from an ISR only K_NO_WAIT makes sense, as on Zephyr).
 *
 * Timeouts are kept in milliseconds (ipc_emu/timeout.h): K_USEC rounds up.
 * Threads (k_thread_create, K_THREAD_DEFINE) are POSIX threads: priorities,
 * options and stacks are accepted and ignored.
 */
#ifndef ZEPHYR_INCLUDE_KERNEL_H_
#define ZEPHYR_INCLUDE_KERNEL_H_

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/timeout.h"
#include <zephyr/device.h>
#include <zephyr/sys/__assert.h>
#include <zephyr/sys/atomic.h> /* as Zephyr's kernel.h (kernel_includes.h) */
#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zephyr applications test these; this runtime has threads. */
#ifndef CONFIG_MULTITHREADING
#define CONFIG_MULTITHREADING 1
#endif
#ifndef CONFIG_SYS_CLOCK_TICKS_PER_SEC
#define CONFIG_SYS_CLOCK_TICKS_PER_SEC 1000
#endif

#ifndef K_SECONDS
#define K_SECONDS(s) K_MSEC((s) * 1000)
#endif
#ifndef K_USEC
#define K_USEC(us) K_MSEC(((us) + 999) / 1000)
#endif
#define K_TIMEOUT_EQ(a, b) ((a).ms == (b).ms && (a).abs == (b).abs)
#define K_TIMEOUT_ABS_MS(t) ((k_timeout_t){.ms = (int32_t)(t), .abs = 1})
#define K_TIMEOUT_ABS_SEC(t) K_TIMEOUT_ABS_MS((t) * 1000)
#define K_TIMEOUT_ABS_US(t) K_TIMEOUT_ABS_MS(((t) + 999) / 1000)
#define K_TIMEOUT_ABS_NS(t) K_TIMEOUT_ABS_MS(((t) + 999999) / 1000000)
#define K_TIMEOUT_ABS_TICKS(t) K_TIMEOUT_ABS_MS(t) /* a tick is a millisecond */
#define K_TIMEOUT_ABS_CYC(t) K_TIMEOUT_ABS_MS(t)   /* so is a cycle (k_cycle_get_32) */

/* ---- semaphores ------------------------------------------------------ */
struct k_sem {
	unsigned int count; /* accessed atomically; the futex word */
	unsigned int limit;
};

/* File-scope or static definition, as Zephyr's (`static K_SEM_DEFINE(...)`). */
#define K_SEM_DEFINE(name, initial_count, count_limit)                                        \
	struct k_sem name = {.count = (initial_count), .limit = (count_limit)}
#define K_SEM_MAX_LIMIT UINT32_MAX

/* 0, or -EINVAL (limit 0 or initial > limit). */
int emu_k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit);
/* 0, -EBUSY (K_NO_WAIT and count 0), -EAGAIN (timed out). */
int emu_k_sem_take(struct k_sem *sem, k_timeout_t timeout);
/* ISR-safe; saturates at the limit. */
void emu_k_sem_give(struct k_sem *sem);
void emu_k_sem_reset(struct k_sem *sem);
unsigned int emu_k_sem_count_get(struct k_sem *sem);

static inline int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit)
{
	return emu_k_sem_init(sem, initial_count, limit);
}
static inline int k_sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	return emu_k_sem_take(sem, timeout);
}
static inline void k_sem_give(struct k_sem *sem)
{
	emu_k_sem_give(sem);
}
static inline void k_sem_reset(struct k_sem *sem)
{
	emu_k_sem_reset(sem);
}
static inline unsigned int k_sem_count_get(struct k_sem *sem)
{
	return emu_k_sem_count_get(sem);
}

/* ---- mutexes (recursive, as Zephyr's) --------------------------------- */
struct k_mutex {
	struct k_sem sem;   /* 1 = free */
	const void *owner;  /* owning thread (accessed atomically), NULL if free */
	unsigned int depth; /* lock count of the owner */
};

#define K_MUTEX_DEFINE(name)                                                                  \
	struct k_mutex name = {.sem = {.count = 1, .limit = 1}, .owner = NULL, .depth = 0}

int emu_k_mutex_init(struct k_mutex *mutex);                      /* 0 */
/* 0, -EBUSY (K_NO_WAIT and held by another thread), -EAGAIN (timed out). */
int emu_k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout);
/* 0, -EINVAL (not locked), -EPERM (held by another thread). */
int emu_k_mutex_unlock(struct k_mutex *mutex);

static inline int k_mutex_init(struct k_mutex *mutex)
{
	return emu_k_mutex_init(mutex);
}
static inline int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout)
{
	return emu_k_mutex_lock(mutex, timeout);
}
static inline int k_mutex_unlock(struct k_mutex *mutex)
{
	return emu_k_mutex_unlock(mutex);
}

/* ---- time -------------------------------------------------------------- */
/* Sleep; K_FOREVER sleeps until the process ends.  0 (always slept fully). */
int32_t emu_k_sleep(k_timeout_t timeout);
void emu_k_busy_wait(uint32_t usec_to_wait);
/* Milliseconds of the machine's monotonic clock (the clock port_uptime_ms()
 * reads, shared by both programs of a pair), not since the program started. */
int64_t emu_k_uptime_get(void);
int64_t emu_k_uptime_ticks(void);
void emu_k_yield(void);
/* True on the emulator's interrupt thread (MBOX/IPM callbacks). */
bool emu_k_is_in_isr(void);

static inline int32_t k_sleep(k_timeout_t timeout)
{
	return emu_k_sleep(timeout);
}
static inline int32_t k_msleep(int32_t ms)
{
	return emu_k_sleep(K_MSEC(ms));
}
static inline int32_t k_usleep(int32_t us)
{
	return emu_k_sleep(K_USEC(us));
}
static inline void k_busy_wait(uint32_t usec_to_wait)
{
	emu_k_busy_wait(usec_to_wait);
}
static inline int64_t k_uptime_get(void)
{
	return emu_k_uptime_get();
}
static inline uint32_t k_uptime_get_32(void)
{
	return (uint32_t)emu_k_uptime_get();
}
static inline int64_t k_uptime_seconds(void)
{
	return emu_k_uptime_get() / 1000;
}
static inline int64_t k_uptime_ticks(void)
{
	return emu_k_uptime_ticks();
}
static inline uint32_t k_cycle_get_32(void)
{
	return (uint32_t)emu_k_uptime_ticks();
}
static inline void k_yield(void)
{
	emu_k_yield();
}
static inline bool k_is_in_isr(void)
{
	return emu_k_is_in_isr();
}
/* The shim's kernel is up at every init level (zephyr/init.h), so never
 * "pre-kernel": Zephyr returns true during PRE_KERNEL_1/2. */
static inline bool k_is_pre_kernel(void)
{
	return false;
}

/* ---- threads (POSIX threads; priorities and stacks are not emulated) --- */
typedef void (*k_thread_entry_t)(void *p1, void *p2, void *p3);

struct k_thread {
	k_thread_entry_t entry;
	void *p1, *p2, *p3;
	int32_t delay_ms;      /* < 0: created but not started (K_FOREVER) */
	const char *name;
	struct k_sem done;     /* given when the entry function has returned */
	void *impl;            /* the runtime's */
	struct k_thread *next; /* all threads, for the end of the program */
};
typedef struct k_thread *k_tid_t;

/* A stack is only its size here: the thread runs on a POSIX thread's stack. */
typedef struct {
	char unused;
} k_thread_stack_t;
#define K_THREAD_STACK_DEFINE(sym, size) k_thread_stack_t sym[(size)]
#define K_KERNEL_STACK_DEFINE(sym, size) K_THREAD_STACK_DEFINE(sym, size)
#define K_THREAD_STACK_SIZEOF(sym) sizeof(sym)
#define K_KERNEL_STACK_SIZEOF(sym) sizeof(sym)
#define K_PRIO_COOP(x) (-16 + (x))
#define K_PRIO_PREEMPT(x) (x)
#define K_ESSENTIAL 0
#define K_FP_REGS 0
#define K_USER 0
#define K_INHERIT_PERMS 0

/* Start `t` now, after its delay, or (delay < 0) at k_thread_start(). */
void emu_k_thread_start_defined(struct k_thread *t);
k_tid_t emu_k_thread_create(struct k_thread *t, k_thread_entry_t entry, void *p1, void *p2,
			    void *p3, k_timeout_t delay);
/* 0, -EBUSY (K_NO_WAIT and still running), -EAGAIN (timed out), -EDEADLK (itself). */
int emu_k_thread_join(struct k_thread *t, k_timeout_t timeout);
void emu_k_thread_start(k_tid_t t);
int emu_k_thread_name_set(k_tid_t t, const char *name);
k_tid_t emu_k_current_get(void); /* NULL on the main thread */
void emu_k_thread_priority_set(k_tid_t thread, int prio); /* zephyr/kernel/emu_objects.h */

/*
 * K_THREAD_DEFINE: a thread started before main(), as Zephyr starts them at
 * boot.  The program ends when main() has returned 0 and every thread has
 * returned (a Zephyr system keeps running after main()); an exit status
 * other than 0 ends it at once.  Programs without main() link
 * ipc_emu::zephyr_main (libipc_emu_zephyr_main.a), whose main() returns 0.
 */
#define K_THREAD_DEFINE(tid, stack_size, entry_fn, p1_, p2_, p3_, prio, options, delay)        \
	static struct k_thread emu_k_thread_##tid = {                                          \
		.entry = (entry_fn),                                                           \
		.p1 = (void *)(p1_),                                                           \
		.p2 = (void *)(p2_),                                                           \
		.p3 = (void *)(p3_),                                                           \
		.delay_ms = (delay),                                                           \
		.name = #tid,                                                                  \
		.done = {.count = 0, .limit = 1},                                              \
		.impl = NULL,                                                                  \
		.next = NULL,                                                                  \
	};                                                                                     \
	__attribute__((constructor)) static void emu_k_thread_boot_##tid(void)                 \
	{                                                                                      \
		emu_k_thread_start_defined(&emu_k_thread_##tid);                               \
		emu_k_thread_priority_set(&emu_k_thread_##tid, (prio));                        \
	}                                                                                      \
	const k_tid_t tid = &emu_k_thread_##tid

static inline k_tid_t k_thread_create(struct k_thread *new_thread, k_thread_stack_t *stack,
				      size_t stack_size, k_thread_entry_t entry, void *p1,
				      void *p2, void *p3, int prio, uint32_t options,
				      k_timeout_t delay)
{
	/* Stacks and options are not emulated; the priority is only stored. */
	k_tid_t tid;

	(void)stack;
	(void)stack_size;
	(void)options;
	tid = emu_k_thread_create(new_thread, entry, p1, p2, p3, delay);
	emu_k_thread_priority_set(tid, prio);
	return tid;
}
static inline int k_thread_join(struct k_thread *thread, k_timeout_t timeout)
{
	return emu_k_thread_join(thread, timeout);
}
static inline void k_thread_start(k_tid_t thread)
{
	emu_k_thread_start(thread);
}
static inline int k_thread_name_set(k_tid_t thread, const char *str)
{
	return emu_k_thread_name_set(thread, str);
}
static inline k_tid_t k_current_get(void)
{
	return emu_k_current_get();
}

/*
 * The relative milliseconds left of `t` from now: -1 for K_FOREVER, 0 for
 * K_NO_WAIT or an absolute timeout already past.  Every blocking call of the
 * compat layer takes its timeout through this.
 */
static inline int32_t emu_k_timeout_rel_ms(k_timeout_t t)
{
	int32_t left;

	if (!t.abs) {
		return t.ms < 0 ? -1 : t.ms;
	}
	/* Modulo 2^32, as the expiry was truncated to 32 bits (the uptime is
	 * the machine's, which can exceed 24.8 days). */
	left = (int32_t)((uint32_t)t.ms - (uint32_t)emu_k_uptime_get());
	return left <= 0 ? 0 : left;
}

#ifdef __cplusplus
}
#endif

/* The rest of the kernel API: timers and work queues; message queues, FIFOs,
 * events, polling, spinlocks, interrupt locking. */
#include <zephyr/kernel/emu_timer_work.h>
#include <zephyr/kernel/emu_objects.h>

#endif /* ZEPHYR_INCLUDE_KERNEL_H_ */
