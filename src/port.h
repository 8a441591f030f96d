/*
 * port.h - the only seam between the portable core (src/) and a platform.
 *
 * The core is C11 and freestanding: it includes nothing beyond <stddef.h>,
 * <stdint.h>, <stdbool.h>, <string.h>, <errno.h>, <stdatomic.h> and the public
 * headers in include/ipc_emu/.  Everything that needs an operating system goes
 * through the functions below.  The Linux host platform implements them in
 * emu/port.c; port/baremetal/port_stub.c is the minimal implementation used by
 * the Cortex-M cross-build that proves the core is firmware code.
 *
 * Objects are opaque and created by the port, so the core never needs to know
 * their size.  Every function documents its context contract.
 */
#ifndef IPC_EMU_SRC_PORT_H
#define IPC_EMU_SRC_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Timeouts, in milliseconds, as Zephyr's K_FOREVER / K_NO_WAIT. */
#define PORT_FOREVER (-1)
#define PORT_NO_WAIT 0

struct port_mutex;
struct port_sem;
struct port_work;

/* Mutex (not recursive).  Thread context only. */
int port_mutex_create(struct port_mutex **out);          /* 0 / -ENOMEM */
void port_mutex_destroy(struct port_mutex *m);           /* NULL is a no-op */
/* 0, or -EBUSY (PORT_NO_WAIT and taken), -EAGAIN (timed out). */
int port_mutex_lock(struct port_mutex *m, int32_t timeout_ms);
void port_mutex_unlock(struct port_mutex *m);

/* Counting semaphore, as k_sem.  give is ISR-safe; take is thread-only. */
int port_sem_create(struct port_sem **out, unsigned initial, unsigned limit); /* 0 / -ENOMEM */
void port_sem_destroy(struct port_sem *s);
/* 0, or -EBUSY (PORT_NO_WAIT and count 0), -EAGAIN (timed out). */
int port_sem_take(struct port_sem *s, int32_t timeout_ms);
void port_sem_give(struct port_sem *s);                  /* saturates at limit */

/*
 * Work items run on the process's work-queue thread, one at a time, in
 * submission order, like a Zephyr k_work on a dedicated k_work_q.
 * submit/schedule are ISR-safe.  Submitting an item that is already queued is
 * a no-op; submitting an item while it runs queues it to run once more.
 */
typedef void (*port_work_fn)(void *arg);
enum port_workq {
	PORT_WORKQ_RX = 0,  /* receive processing (Zephyr's icmsg_workq) */
	PORT_WORKQ_AUX = 1, /* jobs that may wait for the RX path (ICBMsg ep-bound queue) */
	PORT_WORKQ_COUNT
};
/* Create a work item on PORT_WORKQ_RX.  0 / -ENOMEM. */
int port_work_create(struct port_work **out, port_work_fn fn, void *arg);
/* Create a work item on a given queue.  0 / -EINVAL (queue) / -ENOMEM. */
int port_work_create_on(struct port_work **out, port_work_fn fn, void *arg, unsigned queue);
void port_work_destroy(struct port_work *w);             /* cancels and waits; NULL no-op */
void port_work_submit(struct port_work *w);
/* Run once after delay_ms (re-scheduling a pending item moves its deadline). */
void port_work_schedule(struct port_work *w, uint32_t delay_ms);
/* Cancel a queued/scheduled run and wait for a running one to finish.  Must
 * not be called from the work item itself. */
void port_work_cancel_sync(struct port_work *w);
/* True when called on the work-queue thread. */
bool port_in_workq(void);

/* True in the emulated interrupt context (mailbox callbacks), as k_is_in_isr(). */
bool port_in_isr(void);

/* Milliseconds since an arbitrary start; monotonic. */
uint32_t port_uptime_ms(void);
/* Sleep (thread context) - used only by polling fallbacks. */
void port_sleep_ms(uint32_t ms);
/* Sleep at least `us` microseconds (thread context), as k_usleep(): the
 * short waits of polling loops before they fall back to millisecond polls.
 * 0 gives the CPU to another ready thread, as k_yield(), and may return at
 * once.  A port whose clock counts milliseconds may round up. */
void port_sleep_us(uint32_t us);

/*
 * Optional consumer wake (ICBMsg v2).  v2's receiver rings no doorbell when
 * it consumes a message (Zephyr's protocol), so a sender out of blocks
 * learns of freed blocks only by looking again.  A port that can do better,
 * without a byte more on the wire, pairs these two; ctx is the instance's
 * MBOX device (the same on both calls of one side):
 *
 *   port_wait_consumed(ctx, word, seen, timeout_us)  thread context: the
 *     sender found too few free blocks after collecting up to the peer's
 *     consumer count `seen` (the word at `word`, in shared memory).  Sleep
 *     until the word may hold another value (a port_consumed() of the peer,
 *     or the word already differs), or timeout_us passed, or spuriously.
 *     True if the port could wait so; false if it has no wake for ctx: the
 *     caller then sleeps by itself.  Never longer than timeout_us: a peer
 *     that never calls port_consumed() (Zephyr's own v2) leaves the sender
 *     polling on that timeout, so it cannot hang.
 *   port_consumed(ctx, word)  any context, after the consumer published a
 *     new count at `word`: wake the peer's senders waiting in
 *     port_wait_consumed(), only if one announced it waits (no system call
 *     otherwise).
 *
 * A port without it returns false and does nothing.
 */
bool port_wait_consumed(const void *ctx, const volatile void *word, uint32_t seen,
			uint32_t timeout_us);
void port_consumed(const void *ctx, const volatile void *word);

/* Data-cache maintenance over [addr, addr+len) of shared memory.  No-ops
 * without a data cache (or without the emulator's cache model). */
void port_cache_flush(void *addr, size_t len);
void port_cache_invd(void *addr, size_t len);
/* Optional (weak; NULL in ports without a cache model): a one-line account
 * of what the cache holds for the word at `addr`, for stall reports.
 * Returns the length written to `buf` (at most n - 1). */
extern size_t port_cache_describe(const void *addr, const char *what, char *buf, size_t n)
	__attribute__((weak));

/*
 * Test-only: PORT_CACHE_SITE(name) guards a cache operation that the cache
 * model's test removes in a deliberately broken build of the core
 * (CMake targets ipc_emu_core_broken_*, compiled with
 * -DIPC_EMU_CACHE_DROP=PORT_CSITE_<name>).  In every other build it is the
 * constant 1 and the guarded call is unconditional.
 */
#define PORT_CSITE_PBUF_WRITE_PAYLOAD 1   /* pbuf_write: flush of the payload */
#define PORT_CSITE_PBUF_READ_PAYLOAD 2    /* pbuf_read: invalidate of the payload */
#define PORT_CSITE_ICBMSG_BLOCK_FLUSH 3   /* ICBMsg send: flush of the buffer */
#define PORT_CSITE_ICBMSG_BLOCK_INVD 4    /* ICBMsg receive: invalidate of the data */
#define PORT_CSITE_PBUF_INITIAL_PAYLOAD 5 /* pbuf_get_initial_buf: invalidate of the payload */
#define PORT_CSITE_SESSION_RD 6           /* pbuf/icmsg: the re-registration guards */
#ifdef IPC_EMU_CACHE_DROP
#define PORT_CACHE_SITE(name) (IPC_EMU_CACHE_DROP != PORT_CSITE_##name)
#else
#define PORT_CACHE_SITE(name) 1
#endif

/*
 * Port configuration, fixed at compile time.  A port may name a header that
 * sets these (-DIPC_EMU_PORT_CONFIG='"port_config.h"' plus its include
 * directory; the bare-metal build of scripts/core-size.sh uses
 * port/baremetal/port_config.h; the host's is emu/port_config.h, named by
 * CMakeLists.txt); the defaults are the host's:
 *
 *   PORT_CONFIG_TEST_HOOKS  1: port_crash_point() and port_check_defined()
 *                           are real calls (the host's crash and memory-
 *                           checker tests); 0: they compile to nothing.
 *   PORT_CONFIG_LOG_LEVEL   port_log() calls above this level compile to
 *                           nothing, format strings included; 0 for a port
 *                           without a log sink.  Undefined: every call is
 *                           made and the port filters at run time.
 */
#ifdef IPC_EMU_PORT_CONFIG
#include IPC_EMU_PORT_CONFIG
#endif
#ifndef PORT_CONFIG_TEST_HOOKS
#define PORT_CONFIG_TEST_HOOKS 1
#endif

/*
 * Race-detector hooks, called by the core through src/ipc_atomic.h's
 * IPC_RACE_PUBLISH/OBSERVE/ATOMIC:
 *   PORT_RACE_PUBLISH(a)    before a release store/RMW that publishes data
 *   PORT_RACE_OBSERVE(a)    after the acquire load/RMW that pairs with it
 *   PORT_RACE_ATOMIC(a, n)  the word at a is accessed only atomically: do not
 *                           race-check the word itself (never payload)
 * A port whose race detector cannot see C11 atomics maps them in its config
 * header (the host's, emu/port_config.h: Helgrind/DRD client requests in a
 * build with IPC_EMU_ANNOTATE_RACES=1).  By default they expand to nothing
 * and the generated code is unchanged.
 */
#ifndef PORT_RACE_PUBLISH
#define PORT_RACE_PUBLISH(a) ((void)0)
#endif
#ifndef PORT_RACE_OBSERVE
#define PORT_RACE_OBSERVE(a) ((void)0)
#endif
#ifndef PORT_RACE_ATOMIC
#define PORT_RACE_ATOMIC(a, n) ((void)0)
#endif

#if PORT_CONFIG_TEST_HOOKS
/*
 * Crash point: a named place where a crash hurts most.  The host port can be
 * told to kill the process at the Nth hit of a given name; otherwise no-op.
 */
void port_crash_point(const char *name);

/* Tell a memory checker that [p, p+len) must be fully initialised before it
 * is handed to the peer (Valgrind cannot see uninitialised bytes in shm). */
void port_check_defined(const void *p, size_t len);
#else
#define port_crash_point(name) ((void)(name))
#define port_check_defined(p, len) ((void)(p), (void)(len))
#endif

enum port_log_level { PORT_LOG_ERR = 1, PORT_LOG_WRN = 2, PORT_LOG_INF = 3, PORT_LOG_DBG = 4 };
void port_log(enum port_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#ifdef PORT_CONFIG_LOG_LEVEL
/* A statement; a port defining the function spells its name (port_log). */
#define port_log(level, ...)                                                                      \
	do {                                                                                      \
		if ((level) <= PORT_CONFIG_LOG_LEVEL) {                                           \
			(port_log)(level, __VA_ARGS__);                                           \
		}                                                                                 \
	} while (0)
#endif

#endif /* IPC_EMU_SRC_PORT_H */
