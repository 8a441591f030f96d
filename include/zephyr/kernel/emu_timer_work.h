/*
 * zephyr/kernel/emu_timer_work.h - part of zephyr/kernel.h (included from
 * there): k_timer and the work queues (k_work, k_work_delayable, k_work_q,
 * k_sys_work_q) with Zephyr's semantics and return codes.
 *
 * Contexts, as on Zephyr:
 *   - Timer expiry functions run in ISR context (k_is_in_isr() is true), on
 *     the process's timer thread, one at a time and excluded from the other
 *     interrupt handlers and from irq_lock() sections.  So does the expiry
 *     of a delayable work item's delay, which submits it to its queue.
 *   - A timer's stop function runs in the context of the k_timer_stop()
 *     caller (thread or ISR).
 *   - Work handlers run in thread context on their queue's thread (one POSIX
 *     thread per queue); the items of one queue run one at a time, and an
 *     item never runs concurrently with itself.
 *   - Submitting, scheduling, cancelling (non-_sync), busy/pending queries,
 *     k_timer_start/stop/status_get are ISR-safe.  k_work_flush*(),
 *     k_work_cancel*_sync(), k_work_queue_drain() and k_timer_status_sync()
 *     block and are for threads (see each).
 *
 * Time: a tick is a millisecond (CONFIG_SYS_CLOCK_TICKS_PER_SEC = 1000) and
 * deadlines are uptime ticks (k_uptime_ticks()).  A relative timeout of d
 * expires at the first tick >= now + d; an absolute one (K_TIMEOUT_ABS_MS)
 * at its tick, at once if that is past.  A periodic timer's next deadline
 * is its previous deadline plus the period (no drift).
 *
 * The system work queue k_sys_work_q starts on first use.  Queue and timer
 * threads are never joined: a program may end while timers run and queues
 * exist (the core powering off).
 */
#ifndef ZEPHYR_INCLUDE_KERNEL_EMU_TIMER_WORK_H_
#define ZEPHYR_INCLUDE_KERNEL_EMU_TIMER_WORK_H_

/* Included at the end of zephyr/kernel.h; including this header alone pulls
 * kernel.h in first (its include of this file is then a no-op). */
#include <zephyr/kernel.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ticks are milliseconds.  (A repeated identical typedef is valid C11.) */
typedef int64_t k_ticks_t;

/* A node of the timer service: what k_timer and k_work_delayable contain.
 * All fields belong to the runtime. */
struct emu_k_timeout {
	struct emu_k_timeout *next; /* sorted by deadline */
	int64_t deadline;           /* uptime tick of expiry, while linked */
	uint8_t linked;             /* on the timer thread's list */
	uint8_t kind;               /* timer or delayable work */
};

/* =========================================================== k_timer === */

struct k_timer;
typedef void (*k_timer_expiry_t)(struct k_timer *timer);
typedef void (*k_timer_stop_t)(struct k_timer *timer);

struct k_timer {
	struct emu_k_timeout timeout;
	k_timer_expiry_t expiry_fn; /* ISR context */
	k_timer_stop_t stop_fn;     /* the k_timer_stop() caller's context */
	k_timeout_t period;
	uint32_t status;   /* expiries since last read */
	uint32_t emu_wake; /* counts expiries and stops, for k_timer_status_sync */
	void *user_data;
};

/* File-scope or static definition: `static K_TIMER_DEFINE(t, fn, NULL);`. */
#define K_TIMER_DEFINE(name, expiry, stop)                                                    \
	struct k_timer name = {.expiry_fn = (expiry), .stop_fn = (stop)}

void emu_k_timer_init(struct k_timer *timer, k_timer_expiry_t expiry_fn, k_timer_stop_t stop_fn);
void emu_k_timer_start(struct k_timer *timer, k_timeout_t duration, k_timeout_t period);
void emu_k_timer_stop(struct k_timer *timer);
uint32_t emu_k_timer_status_get(struct k_timer *timer);
uint32_t emu_k_timer_status_sync(struct k_timer *timer);
k_ticks_t emu_k_timer_remaining_ticks(const struct k_timer *timer);
k_ticks_t emu_k_timer_expires_ticks(const struct k_timer *timer);

/* Set the expiry and stop functions (either may be NULL), status 0, user
 * data NULL.  Not for a running timer. */
static inline void k_timer_init(struct k_timer *timer, k_timer_expiry_t expiry_fn,
				k_timer_stop_t stop_fn)
{
	emu_k_timer_init(timer, expiry_fn, stop_fn);
}

/*
 * Start (or restart) the timer: first expiry after `duration` (K_NO_WAIT:
 * as soon as possible; an absolute timeout: at that uptime), then every
 * `period` (K_NO_WAIT or K_FOREVER: one-shot).  Resets the status to 0.
 * Restarting a running timer does not call its stop function.  duration
 * K_FOREVER: no effect at all.  ISR-safe.
 */
static inline void k_timer_start(struct k_timer *timer, k_timeout_t duration, k_timeout_t period)
{
	emu_k_timer_start(timer, duration, period);
}

/* Stop the timer.  If it was running, its stop function is called (in the
 * caller's context) and a k_timer_status_sync() waiter is released; a timer
 * that is not running (a one-shot inside its own expiry function, too) is
 * left alone.  ISR-safe; callable from the expiry function. */
static inline void k_timer_stop(struct k_timer *timer)
{
	emu_k_timer_stop(timer);
}

/* The number of expiries since the status was last read; resets it to 0.
 * ISR-safe. */
static inline uint32_t k_timer_status_get(struct k_timer *timer)
{
	return emu_k_timer_status_get(timer);
}

/*
 * If the status is 0 and the timer runs, block until it expires or is
 * stopped.  Returns the status (0 if it was stopped or not running) and
 * resets it.  In ISR context it does not block: it is k_timer_status_get().
 * Thread context; not under irq_lock() (the expiry needs the interrupt lock).
 */
static inline uint32_t k_timer_status_sync(struct k_timer *timer)
{
	return emu_k_timer_status_sync(timer);
}

/* Ticks (ms) until the next expiry; 0 if the timer is not running. */
static inline k_ticks_t k_timer_remaining_ticks(const struct k_timer *timer)
{
	return emu_k_timer_remaining_ticks(timer);
}

/* Milliseconds until the next expiry; 0 if the timer is not running. */
static inline uint32_t k_timer_remaining_get(struct k_timer *timer)
{
	return (uint32_t)emu_k_timer_remaining_ticks(timer);
}

/* The uptime tick of the next expiry; the current tick if not running. */
static inline k_ticks_t k_timer_expires_ticks(const struct k_timer *timer)
{
	return emu_k_timer_expires_ticks(timer);
}

static inline void k_timer_user_data_set(struct k_timer *timer, void *user_data)
{
	timer->user_data = user_data;
}

static inline void *k_timer_user_data_get(const struct k_timer *timer)
{
	return timer->user_data;
}

/* ======================================================== work items === */

struct k_work;
struct k_work_q;
typedef void (*k_work_handler_t)(struct k_work *work);

/* Zephyr's flag values: k_work_busy_get() returns a mask of the K_WORK_*
 * state flags. */
enum {
	K_WORK_RUNNING_BIT = 0,
	K_WORK_CANCELING_BIT = 1,
	K_WORK_QUEUED_BIT = 2,
	K_WORK_DELAYED_BIT = 3,
	K_WORK_FLUSHING_BIT = 4,
	K_WORK_MASK = (1 << K_WORK_DELAYED_BIT) | (1 << K_WORK_QUEUED_BIT) |
		      (1 << K_WORK_RUNNING_BIT) | (1 << K_WORK_CANCELING_BIT) |
		      (1 << K_WORK_FLUSHING_BIT),
	K_WORK_DELAYABLE_BIT = 8,
	K_WORK_DELAYABLE = 1 << K_WORK_DELAYABLE_BIT,

	K_WORK_QUEUE_STARTED_BIT = 0,
	K_WORK_QUEUE_STARTED = 1 << K_WORK_QUEUE_STARTED_BIT,
	K_WORK_QUEUE_BUSY_BIT = 1,
	K_WORK_QUEUE_BUSY = 1 << K_WORK_QUEUE_BUSY_BIT,
	K_WORK_QUEUE_DRAIN_BIT = 2,
	K_WORK_QUEUE_DRAIN = 1 << K_WORK_QUEUE_DRAIN_BIT,
	K_WORK_QUEUE_PLUGGED_BIT = 3,
	K_WORK_QUEUE_PLUGGED = 1 << K_WORK_QUEUE_PLUGGED_BIT,
	K_WORK_QUEUE_NO_YIELD_BIT = 8,
	K_WORK_QUEUE_NO_YIELD = 1 << K_WORK_QUEUE_NO_YIELD_BIT,

	/* running on its queue's thread */
	K_WORK_RUNNING = 1 << K_WORK_RUNNING_BIT,
	/* being cancelled: submissions are refused until the handler returns */
	K_WORK_CANCELING = 1 << K_WORK_CANCELING_BIT,
	/* submitted, not started yet */
	K_WORK_QUEUED = 1 << K_WORK_QUEUED_BIT,
	/* delayable work waiting for its delay */
	K_WORK_DELAYED = 1 << K_WORK_DELAYED_BIT,
	/* defined for Zephyr's mask; this runtime never sets it on an item */
	K_WORK_FLUSHING = 1 << K_WORK_FLUSHING_BIT,
};

/* All fields belong to the runtime. */
struct k_work {
	struct k_work *emu_next; /* the queue's pending list */
	k_work_handler_t handler;
	struct k_work_q *queue;  /* the queue of the last submission */
	uint32_t flags;
	uint32_t emu_started;    /* handler runs begun, completed, and */
	uint32_t emu_done;       /* removals from a queue by a cancel: */
	uint32_t emu_dropped;    /* what k_work_flush() waits on */
};

struct k_work_delayable {
	struct k_work work;
	struct emu_k_timeout timeout;
	struct k_work_q *queue; /* where the delay's expiry submits */
};

/* State of a k_work_flush()/k_work_cancel_sync() call; its content is not
 * used by this runtime (the caller's object may live on its stack). */
struct k_work_sync {
	uint32_t emu_unused;
};

struct k_work_queue_config {
	const char *name;         /* the queue thread's name (copied), or NULL */
	bool no_yield;            /* do not yield between items */
	bool essential;           /* accepted, no effect */
	uint32_t work_timeout_ms; /* accepted, no effect (no watchdog) */
};

/* All fields belong to the runtime. */
struct k_work_q {
	struct k_thread thread;  /* describes the queue's thread (name) */
	k_tid_t thread_id;       /* &thread once started */
	struct k_work *emu_head; /* pending items, FIFO */
	struct k_work *emu_tail;
	uint32_t flags;          /* K_WORK_QUEUE_* */
	uint32_t emu_drains;     /* completed drains, for k_work_queue_drain */
	struct k_work_q *emu_next_q; /* all started queues */
	int emu_prio;            /* k_work_queue_start's priority */
	void *emu_ready;         /* idle thread's ready record (coop schedule) */
	char emu_name[32];
};

/* File-scope or static definitions, as Zephyr's. */
#define K_WORK_DEFINE(name, work_handler) struct k_work name = {.handler = (work_handler)}
#define K_WORK_DELAYABLE_DEFINE(name, work_handler)                                           \
	struct k_work_delayable name = {                                                      \
		.work = {.handler = (work_handler), .flags = K_WORK_DELAYABLE}}

/* The system work queue; it starts on first use (its thread is "sysworkq"). */
extern struct k_work_q emu_k_sys_work_q;
#define k_sys_work_q emu_k_sys_work_q

void emu_k_work_init(struct k_work *work, k_work_handler_t handler);
int emu_k_work_busy_get(const struct k_work *work);
int emu_k_work_submit_to_queue(struct k_work_q *queue, struct k_work *work);
bool emu_k_work_flush(struct k_work *work, struct k_work_sync *sync);
int emu_k_work_cancel(struct k_work *work);
bool emu_k_work_cancel_sync(struct k_work *work, struct k_work_sync *sync);

void emu_k_work_queue_init(struct k_work_q *queue);
void emu_k_work_queue_start(struct k_work_q *queue, int prio,
			    const struct k_work_queue_config *cfg, const char *expr);
k_tid_t emu_k_work_queue_thread_get(struct k_work_q *queue);
int emu_k_work_queue_drain(struct k_work_q *queue, bool plug);
int emu_k_work_queue_unplug(struct k_work_q *queue);

void emu_k_work_init_delayable(struct k_work_delayable *dwork, k_work_handler_t handler);
int emu_k_work_delayable_busy_get(const struct k_work_delayable *dwork);
int emu_k_work_schedule_for_queue(struct k_work_q *queue, struct k_work_delayable *dwork,
				  k_timeout_t delay);
int emu_k_work_reschedule_for_queue(struct k_work_q *queue, struct k_work_delayable *dwork,
				    k_timeout_t delay);
bool emu_k_work_flush_delayable(struct k_work_delayable *dwork, struct k_work_sync *sync);
int emu_k_work_cancel_delayable(struct k_work_delayable *dwork);
bool emu_k_work_cancel_delayable_sync(struct k_work_delayable *dwork, struct k_work_sync *sync);
k_ticks_t emu_k_work_delayable_remaining_get(const struct k_work_delayable *dwork);
k_ticks_t emu_k_work_delayable_expires_get(const struct k_work_delayable *dwork);

/* Set the handler; the item becomes idle.  Not for a busy item. */
static inline void k_work_init(struct k_work *work, k_work_handler_t handler)
{
	emu_k_work_init(work, handler);
}

/* A mask of K_WORK_RUNNING, K_WORK_CANCELING, K_WORK_QUEUED, K_WORK_DELAYED;
 * 0 = idle.  A snapshot.  ISR-safe. */
static inline int k_work_busy_get(const struct k_work *work)
{
	return emu_k_work_busy_get(work);
}

static inline bool k_work_is_pending(const struct k_work *work)
{
	return emu_k_work_busy_get(work) != 0;
}

/*
 * Submit to `queue` (NULL: the queue of the previous submission).  ISR-safe.
 *   0        already queued (nothing done)
 *   1        queued to `queue`
 *   2        it was running: queued to the queue running it (which may not
 *            be `queue`), so that it never runs concurrently with itself
 *   -EBUSY   it is being cancelled, or the queue is draining (except a
 *            submission from the queue's own thread) or plugged
 *   -EINVAL  `queue` is NULL and the item was never submitted
 *   -ENODEV  the queue was never started
 */
static inline int k_work_submit_to_queue(struct k_work_q *queue, struct k_work *work)
{
	return emu_k_work_submit_to_queue(queue, work);
}

/* k_work_submit_to_queue(&k_sys_work_q, work). */
static inline int k_work_submit(struct k_work *work)
{
	return emu_k_work_submit_to_queue(&emu_k_sys_work_q, work);
}

/*
 * Wait until the last submitted instance has completed (if queued: that
 * run; if only running: the current run).  true if it had to wait, false
 * if the item was idle.  Thread context.  From an ISR, or from a handler on
 * the queue that would have to run the item, it cannot wait: it prints one
 * line on stderr and returns false (Zephyr: an assertion, then undefined).
 */
static inline bool k_work_flush(struct k_work *work, struct k_work_sync *sync)
{
	__ASSERT_NO_MSG(!k_is_in_isr());
	return emu_k_work_flush(work, sync);
}

/* Remove the item from its queue; if its handler is running, mark it
 * K_WORK_CANCELING until the handler returns (submissions get -EBUSY
 * meanwhile).  Returns k_work_busy_get() after that: 0 = cancelled and
 * idle.  ISR-safe. */
static inline int k_work_cancel(struct k_work *work)
{
	return emu_k_work_cancel(work);
}

/* k_work_cancel(), then wait for a running handler to return.  true if the
 * item was busy.  Thread context; from an ISR or the item's own queue it
 * does not wait (one line on stderr). */
static inline bool k_work_cancel_sync(struct k_work *work, struct k_work_sync *sync)
{
	__ASSERT_NO_MSG(!k_is_in_isr());
	return emu_k_work_cancel_sync(work, sync);
}

/* ======================================================== work queues === */

/* Zero the queue structure (before its first start). */
static inline void k_work_queue_init(struct k_work_q *queue)
{
	emu_k_work_queue_init(queue);
}

/* Start the queue's thread.  The stack and its size are ignored (a POSIX
 * thread with the default stack); the priority is the thread's, as on
 * Zephyr (`run --schedule coop` orders the CPU by it).  Starting a started
 * queue prints one line on stderr and does nothing.  The macro passes the
 * queue argument's text too: a queue started without a name (cfg or its
 * name NULL) shows in the shim's reports and --trace under that text
 * (`&ep_bound_work_q` -> "ep_bound_work_q"), its k_thread name staying
 * empty as on Zephyr. */
static inline void k_work_queue_start(struct k_work_q *queue, k_thread_stack_t *stack,
				      size_t stack_size, int prio,
				      const struct k_work_queue_config *cfg)
{
	(void)stack;
	(void)stack_size;
	emu_k_work_queue_start(queue, prio, cfg, NULL);
}
/* Variadic: a compound-literal cfg may hold commas. */
#define k_work_queue_start(queue, stack, stack_size, prio, ...)                               \
	((void)(stack), (void)(stack_size),                                                   \
	 emu_k_work_queue_start((queue), (prio), (__VA_ARGS__), #queue))

/* The queue's thread (NULL before the start; k_sys_work_q starts here). */
static inline k_tid_t k_work_queue_thread_get(struct k_work_q *queue)
{
	return emu_k_work_queue_thread_get(queue);
}

/*
 * Refuse submissions except from the queue's own thread, and wait until the
 * queue is empty; `plug`: keep refusing them afterwards, until
 * k_work_queue_unplug().  Delayed items are not on the queue yet (a plugged
 * queue refuses them when their delay expires).
 *   1  had to wait          0  the queue was idle (and not plugged now)
 *   -ENODEV  never started  -EDEADLK  from an ISR or from the queue's own
 *   thread (it would never return; Zephyr: assertion/hang)
 */
static inline int k_work_queue_drain(struct k_work_q *queue, bool plug)
{
	return emu_k_work_queue_drain(queue, plug);
}

/* 0, or -EALREADY if the queue was not plugged.  ISR-safe. */
static inline int k_work_queue_unplug(struct k_work_q *queue)
{
	return emu_k_work_queue_unplug(queue);
}

/* =================================================== delayable work === */

static inline void k_work_init_delayable(struct k_work_delayable *dwork, k_work_handler_t handler)
{
	emu_k_work_init_delayable(dwork, handler);
}

/* The delayable item whose `work` member a handler received. */
static inline struct k_work_delayable *k_work_delayable_from_work(struct k_work *work)
{
	return (struct k_work_delayable *)(void *)((char *)work -
						   offsetof(struct k_work_delayable, work));
}

static inline int k_work_delayable_busy_get(const struct k_work_delayable *dwork)
{
	return emu_k_work_delayable_busy_get(dwork);
}

static inline bool k_work_delayable_is_pending(const struct k_work_delayable *dwork)
{
	return emu_k_work_delayable_busy_get(dwork) != 0;
}

/* Ticks until the delay expires; 0 if not scheduled. */
static inline k_ticks_t k_work_delayable_remaining_get(const struct k_work_delayable *dwork)
{
	return emu_k_work_delayable_remaining_get(dwork);
}

/* The uptime tick at which the delay expires; the current tick if not
 * scheduled. */
static inline k_ticks_t k_work_delayable_expires_get(const struct k_work_delayable *dwork)
{
	return emu_k_work_delayable_expires_get(dwork);
}

/*
 * Submit to `queue` after `delay`, if the item is idle or only running;
 * otherwise (already scheduled, queued or cancelling) nothing changes.
 * ISR-safe.
 *   0  already scheduled or submitted (even with K_NO_WAIT)
 *   1  scheduled (or, K_NO_WAIT, queued)
 *   K_NO_WAIT only: 2, -EBUSY, -EINVAL, -ENODEV as k_work_submit_to_queue()
 * K_FOREVER keeps it K_WORK_DELAYED until cancelled or rescheduled.  The
 * queue is checked when the delay expires; a refusal then is silent.
 */
static inline int k_work_schedule_for_queue(struct k_work_q *queue,
					    struct k_work_delayable *dwork, k_timeout_t delay)
{
	return emu_k_work_schedule_for_queue(queue, dwork, delay);
}

static inline int k_work_schedule(struct k_work_delayable *dwork, k_timeout_t delay)
{
	return emu_k_work_schedule_for_queue(&emu_k_sys_work_q, dwork, delay);
}

/*
 * Cancel any pending delay and schedule again with `delay` (a new
 * deadline), whatever the item's state; an item already queued stays
 * queued.  ISR-safe.
 *   1  scheduled (or, K_NO_WAIT, queued)
 *   K_NO_WAIT only: 0 (already queued), 2, -EBUSY, -EINVAL, -ENODEV as
 *   k_work_submit_to_queue()
 */
static inline int k_work_reschedule_for_queue(struct k_work_q *queue,
					      struct k_work_delayable *dwork, k_timeout_t delay)
{
	return emu_k_work_reschedule_for_queue(queue, dwork, delay);
}

static inline int k_work_reschedule(struct k_work_delayable *dwork, k_timeout_t delay)
{
	return emu_k_work_reschedule_for_queue(&emu_k_sys_work_q, dwork, delay);
}

/* If scheduled, submit it now; then as k_work_flush().  false if the item
 * was idle.  Thread context (same refusals as k_work_flush()). */
static inline bool k_work_flush_delayable(struct k_work_delayable *dwork,
					  struct k_work_sync *sync)
{
	__ASSERT_NO_MSG(!k_is_in_isr());
	return emu_k_work_flush_delayable(dwork, sync);
}

/* Cancel the delay, then as k_work_cancel().  Returns the busy mask after
 * that.  A cancelled item can be scheduled again at once (submitted only
 * once a running handler has returned).  ISR-safe. */
static inline int k_work_cancel_delayable(struct k_work_delayable *dwork)
{
	return emu_k_work_cancel_delayable(dwork);
}

/* k_work_cancel_delayable(), then wait for a running handler.  true if the
 * item was busy.  Thread context (same refusals as k_work_cancel_sync()). */
static inline bool k_work_cancel_delayable_sync(struct k_work_delayable *dwork,
						struct k_work_sync *sync)
{
	__ASSERT_NO_MSG(!k_is_in_isr());
	return emu_k_work_cancel_delayable_sync(dwork, sync);
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_KERNEL_EMU_TIMER_WORK_H_ */
