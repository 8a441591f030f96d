/*
 * zephyr/kernel/emu_objects.h - part of zephyr/kernel.h (included from
 * there): message queues, FIFOs/LIFOs (and the k_queue under them), events,
 * k_poll, spinlocks and interrupt locking, thread abort/suspend/resume,
 * priorities, k_wakeup, k_uptime_delta.
 *
 * Semantics are Zephyr's, return codes included.  What differs (the whole
 * list is in the final paragraphs of this comment):
 *
 * Timeouts: relative or absolute (K_TIMEOUT_ABS_*), in milliseconds.  In
 * interrupt context (k_is_in_isr()) every timeout is taken as K_NO_WAIT.
 * Zephyr requires K_NO_WAIT there and only asserts it; with
 * -DCONFIG_ASSERT=1 the inline wrappers below assert it too, as Zephyr
 * does, and without asserts the call returns at once with its "would
 * block" code (-ENOMSG, NULL, 0, -EAGAIN) instead of Zephyr's undefined
 * behaviour.  The same holds for k_sem_take and k_mutex_lock (-EBUSY);
 * k_sleep() in an ISR returns 0 at once.
 *
 * Waiting: a blocked thread is woken whenever any kernel object of the
 * process changes (give, put, post, raise, purge, cancel) and re-checks its
 * condition; it takes what it waits for only once it runs again, so a
 * K_NO_WAIT call of another thread in between can take it first (Zephyr
 * hands an item directly to the thread it unpends).  k_event waits are
 * exact: a post that satisfies a waiter delivers to it, even if the events
 * are cleared before it runs.
 *
 * Threads: k_thread_abort() and k_thread_suspend() of *another* thread take
 * effect when that thread next enters a blocking or scheduling call
 * (k_sem_take, k_mutex_lock, k_msgq_put/get, k_queue/k_fifo/k_lifo_get,
 * k_event_wait*, k_poll, k_thread_join, k_sleep/k_msleep/k_usleep,
 * k_yield), at once if it is blocked in one; a thread that makes none of
 * these calls keeps running.  k_thread_abort(other) returns without waiting
 * for that (Zephyr's returns once the thread is gone); k_thread_join()
 * waits for it.  Neither takes effect while the target holds irq_lock() or
 * a spinlock.  main() has no k_tid_t (k_current_get() is NULL there):
 * k_thread_abort(NULL) ends the calling main thread as if main() had
 * returned 0.
 */
#ifndef ZEPHYR_INCLUDE_KERNEL_EMU_OBJECTS_H_
#define ZEPHYR_INCLUDE_KERNEL_EMU_OBJECTS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/kernel.h> /* when included on its own: kernel.h includes this at its end */
#include <zephyr/sys/slist.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CONFIG_POLL
#define CONFIG_POLL 1
#endif
#ifndef CONFIG_EVENTS
#define CONFIG_EVENTS 1
#endif

/* Zephyr asserts "K_NO_WAIT in an ISR"; so do these wrappers with CONFIG_ASSERT. */
#define EMU_K_ASSERT_ISR_NO_WAIT(timeout)                                                     \
	__ASSERT(!k_is_in_isr() || K_TIMEOUT_EQ((timeout), K_NO_WAIT),                       \
		 "blocking call in ISR context")

/* ==== interrupt lock and spinlocks ====================================== */

/*
 * irq_lock()/irq_unlock(): the emulated CPU's interrupt lock, one per
 * process and recursive.  While a thread holds it no interrupt handler runs
 * (once the program has attached to its peer) and no other thread gets past
 * irq_lock() or k_spin_lock(): mutual exclusion between threads holds in
 * every process.  Unlike a CPU, a thread that blocks under it keeps it: do
 * not sleep or wait while holding it.  Pair every irq_lock() with one
 * irq_unlock() of its key (nesting is supported, as on Zephyr).
 * Thread and ISR context.
 */
unsigned int emu_zephyr_irq_lock(void);
void emu_zephyr_irq_unlock(unsigned int key);

static inline unsigned int irq_lock(void)
{
	return emu_zephyr_irq_lock();
}
static inline void irq_unlock(unsigned int key)
{
	emu_zephyr_irq_unlock(key);
}

/*
 * k_spinlock: as on a single-core Zephyr, taking a spinlock masks
 * interrupts, so it is the interrupt lock above plus a "held" flag: every
 * spinlock excludes every other one and the interrupt handlers.  Taking a
 * spinlock the caller already holds is a deadlock on Zephyr; here it stops
 * the program with a message.  ISR-safe.
 */
struct k_spinlock {
	unsigned int locked; /* 1 while held (the holder has the interrupt lock) */
};
typedef struct {
	int key;
} k_spinlock_key_t;

k_spinlock_key_t emu_k_spin_lock(struct k_spinlock *l);
/* 0, or -EBUSY (held by another thread or context, or by the caller). */
int emu_k_spin_trylock(struct k_spinlock *l, k_spinlock_key_t *k);
void emu_k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key);

static inline k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	return emu_k_spin_lock(l);
}
static inline int k_spin_trylock(struct k_spinlock *l, k_spinlock_key_t *k)
{
	return emu_k_spin_trylock(l, k);
}
static inline void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	emu_k_spin_unlock(l, key);
}

/*
 * K_SPINLOCK(lck) { ... }: the block runs once with `lck` held.  Leave it
 * early with K_SPINLOCK_BREAK, never with break, return or goto (they would
 * skip the unlock, as on Zephyr).
 */
#define K_SPINLOCK_BREAK continue
#define K_SPINLOCK(lck) EMU_K_SPINLOCK_AT_(lck, __LINE__)
#define EMU_K_SPINLOCK_AT_(lck, n) EMU_K_SPINLOCK_AT__(lck, n)
#define EMU_K_SPINLOCK_AT__(lck, n)                                                           \
	for (k_spinlock_key_t emu_k_spin_done_##n = {0}, emu_k_spin_key_##n = k_spin_lock(lck); \
	     !emu_k_spin_done_##n.key;                                                        \
	     k_spin_unlock((lck), emu_k_spin_key_##n), emu_k_spin_done_##n.key = 1)

/* ==== threads ============================================================ */

/*
 * Abort: the calling thread ends at once, as if its entry function had
 * returned (joiners are released).  Another thread ends at its next kernel
 * call (see the head of this file); one created with K_FOREVER and never
 * started is marked ended at once.  NULL: the calling main() thread ends as
 * if main() had returned 0.  Thread context.
 */
void emu_k_thread_abort(k_tid_t thread);
/* Suspend: the caller blocks until k_thread_resume(); another thread stops
 * at its next kernel call.  Resume of a thread not suspended: no effect. */
void emu_k_thread_suspend(k_tid_t thread);
void emu_k_thread_resume(k_tid_t thread);
/* Priorities are stored and returned, never used for scheduling (POSIX
 * threads).  A thread starts with the priority k_thread_create() or
 * K_THREAD_DEFINE gave it. */
int emu_k_thread_priority_get(k_tid_t thread);
void emu_k_thread_priority_set(k_tid_t thread, int prio);
/* Wake a thread sleeping in k_sleep(), which then returns the milliseconds
 * it had left (k_sleep(K_FOREVER): -1).  A thread that is not sleeping is
 * not affected.  ISR-safe. */
void emu_k_wakeup(k_tid_t thread);

static inline void k_thread_abort(k_tid_t thread)
{
	emu_k_thread_abort(thread);
}
static inline void k_thread_suspend(k_tid_t thread)
{
	emu_k_thread_suspend(thread);
}
static inline void k_thread_resume(k_tid_t thread)
{
	emu_k_thread_resume(thread);
}
static inline int k_thread_priority_get(k_tid_t thread)
{
	return emu_k_thread_priority_get(thread);
}
static inline void k_thread_priority_set(k_tid_t thread, int prio)
{
	emu_k_thread_priority_set(thread, prio);
}
static inline void k_wakeup(k_tid_t thread)
{
	emu_k_wakeup(thread);
}

/* ==== time =============================================================== */

/* Milliseconds since *reftime, which is updated to now.  ISR-safe. */
static inline int64_t k_uptime_delta(int64_t *reftime)
{
	int64_t now = k_uptime_get();
	int64_t delta = now - *reftime;

	*reftime = now;
	return delta;
}

/* ==== message queues ===================================================== */

struct k_msgq {
	char *buffer_start;
	size_t msg_size;
	uint32_t max_msgs;
	uint32_t read_idx;  /* slot of the oldest message */
	uint32_t used_msgs;
	uint32_t purge_gen; /* bumped by k_msgq_purge (blocked writers: -ENOMSG) */
	uint32_t waiters;   /* threads blocked in put/get (k_msgq_cleanup: -EBUSY) */
	uint8_t flags;      /* EMU_K_MSGQ_ALLOCATED */
};

struct k_msgq_attrs {
	size_t msg_size;
	uint32_t max_msgs;
	uint32_t used_msgs;
};

#define EMU_K_MSGQ_INITIALIZER(buf, size, max)                                                \
	{                                                                                     \
		.buffer_start = (buf), .msg_size = (size), .max_msgs = (max), .read_idx = 0,  \
		.used_msgs = 0, .purge_gen = 0, .waiters = 0, .flags = 0                      \
	}

/* A file-scope definition (not usable with `static`, as on Zephyr: use
 * K_MSGQ_DEFINE_STATIC).  q_align: alignment of the buffer, a power of 2. */
#define K_MSGQ_DEFINE(q_name, q_msg_size, q_max_msgs, q_align)                                \
	static char emu_k_msgq_buf_##q_name[(q_max_msgs) * (q_msg_size)]                      \
		__attribute__((aligned(q_align)));                                            \
	struct k_msgq q_name =                                                                \
		EMU_K_MSGQ_INITIALIZER(emu_k_msgq_buf_##q_name, (q_msg_size), (q_max_msgs))
#define K_MSGQ_DEFINE_STATIC(q_name, q_msg_size, q_max_msgs, q_align)                         \
	static char emu_k_msgq_buf_##q_name[(q_max_msgs) * (q_msg_size)]                      \
		__attribute__((aligned(q_align)));                                            \
	static struct k_msgq q_name =                                                         \
		EMU_K_MSGQ_INITIALIZER(emu_k_msgq_buf_##q_name, (q_msg_size), (q_max_msgs))
#define K_MSGQ_DEFINE_TYPE(q_name, q_msg_type, q_max_msgs)                                    \
	K_MSGQ_DEFINE(q_name, sizeof(q_msg_type), q_max_msgs, _Alignof(q_msg_type))
#define K_MSGQ_DEFINE_STATIC_TYPE(q_name, q_msg_type, q_max_msgs)                             \
	K_MSGQ_DEFINE_STATIC(q_name, sizeof(q_msg_type), q_max_msgs, _Alignof(q_msg_type))

void emu_k_msgq_init(struct k_msgq *msgq, char *buffer, size_t msg_size, uint32_t max_msgs);
/* 0, -ENOMEM, -EINVAL (msg_size * max_msgs overflows). */
int emu_k_msgq_alloc_init(struct k_msgq *msgq, size_t msg_size, uint32_t max_msgs);
/* 0 (frees the buffer only if k_msgq_alloc_init allocated it), -EBUSY
 * (threads are waiting on the queue). */
int emu_k_msgq_cleanup(struct k_msgq *msgq);
/* 0, -ENOMSG (K_NO_WAIT and full, or purged while waiting), -EAGAIN
 * (timed out).  ISR-safe with K_NO_WAIT. */
int emu_k_msgq_put(struct k_msgq *msgq, const void *data, k_timeout_t timeout);
/* To the head; never blocks: 0, -ENOMSG (full).  ISR-safe. */
int emu_k_msgq_put_front(struct k_msgq *msgq, const void *data);
/* 0, -ENOMSG (K_NO_WAIT and empty), -EAGAIN (timed out).  ISR-safe with
 * K_NO_WAIT. */
int emu_k_msgq_get(struct k_msgq *msgq, void *data, k_timeout_t timeout);
/* 0, -ENOMSG (no message at idx).  ISR-safe. */
int emu_k_msgq_peek_at(struct k_msgq *msgq, void *data, uint32_t idx);
/* Discards every message; blocked writers return -ENOMSG. */
void emu_k_msgq_purge(struct k_msgq *msgq);
void emu_k_msgq_get_attrs(struct k_msgq *msgq, struct k_msgq_attrs *attrs);
uint32_t emu_k_msgq_num_free_get(struct k_msgq *msgq);
uint32_t emu_k_msgq_num_used_get(struct k_msgq *msgq);

static inline void k_msgq_init(struct k_msgq *msgq, char *buffer, size_t msg_size,
			       uint32_t max_msgs)
{
	emu_k_msgq_init(msgq, buffer, msg_size, max_msgs);
}
static inline int k_msgq_alloc_init(struct k_msgq *msgq, size_t msg_size, uint32_t max_msgs)
{
	return emu_k_msgq_alloc_init(msgq, msg_size, max_msgs);
}
static inline int k_msgq_cleanup(struct k_msgq *msgq)
{
	return emu_k_msgq_cleanup(msgq);
}
static inline int k_msgq_put(struct k_msgq *msgq, const void *data, k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_msgq_put(msgq, data, timeout);
}
static inline int k_msgq_put_front(struct k_msgq *msgq, const void *data)
{
	return emu_k_msgq_put_front(msgq, data);
}
static inline int k_msgq_get(struct k_msgq *msgq, void *data, k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_msgq_get(msgq, data, timeout);
}
static inline int k_msgq_peek(struct k_msgq *msgq, void *data)
{
	return emu_k_msgq_peek_at(msgq, data, 0);
}
static inline int k_msgq_peek_at(struct k_msgq *msgq, void *data, uint32_t idx)
{
	return emu_k_msgq_peek_at(msgq, data, idx);
}
static inline void k_msgq_purge(struct k_msgq *msgq)
{
	emu_k_msgq_purge(msgq);
}
static inline uint32_t k_msgq_num_free_get(struct k_msgq *msgq)
{
	return emu_k_msgq_num_free_get(msgq);
}
static inline uint32_t k_msgq_num_used_get(struct k_msgq *msgq)
{
	return emu_k_msgq_num_used_get(msgq);
}
static inline void k_msgq_get_attrs(struct k_msgq *msgq, struct k_msgq_attrs *attrs)
{
	emu_k_msgq_get_attrs(msgq, attrs);
}

/* ==== queues, FIFOs, LIFOs =============================================== */

/*
 * The first pointer-sized word of every item is the kernel's (the link), as
 * on Zephyr: items must be pointer-aligned and must stay alive while
 * queued.  The k_*_alloc_* forms link a small allocated node instead and
 * leave the item untouched.  All calls are ISR-safe (get only with
 * K_NO_WAIT).
 */
struct k_queue {
	void *head;          /* tagged link: bit 0 = an allocated node */
	void *tail;
	uint32_t waiting;    /* threads blocked in k_queue_get */
	uint32_t cancels;    /* k_queue_cancel_wait() not yet consumed by a getter */
	uint32_t cancel_gen; /* bumped by k_queue_cancel_wait (k_poll: -EINTR) */
};
#define EMU_K_QUEUE_INITIALIZER                                                               \
	{                                                                                     \
		.head = NULL, .tail = NULL, .waiting = 0, .cancels = 0, .cancel_gen = 0       \
	}
#define K_QUEUE_DEFINE(name) struct k_queue name = EMU_K_QUEUE_INITIALIZER

void emu_k_queue_init(struct k_queue *queue);
/* The first thread blocked in k_queue_get returns NULL; k_poll on the queue returns -EINTR. */
void emu_k_queue_cancel_wait(struct k_queue *queue);
void emu_k_queue_append(struct k_queue *queue, void *data);
void emu_k_queue_prepend(struct k_queue *queue, void *data);
/* 0, -ENOMEM. */
int32_t emu_k_queue_alloc_append(struct k_queue *queue, void *data);
int32_t emu_k_queue_alloc_prepend(struct k_queue *queue, void *data);
/* After `prev` (NULL: at the head). */
void emu_k_queue_insert(struct k_queue *queue, void *prev, void *data);
/* A NULL-terminated list linked through the items' first words: 0, -EINVAL (NULL head or tail). */
int emu_k_queue_append_list(struct k_queue *queue, void *head, void *tail);
/* The item, or NULL (K_NO_WAIT and empty, timed out, or k_queue_cancel_wait). */
void *emu_k_queue_get(struct k_queue *queue, k_timeout_t timeout);
bool emu_k_queue_remove(struct k_queue *queue, void *data);
bool emu_k_queue_unique_append(struct k_queue *queue, void *data);
/* Non-zero if empty. */
int emu_k_queue_is_empty(struct k_queue *queue);
void *emu_k_queue_peek_head(struct k_queue *queue);
void *emu_k_queue_peek_tail(struct k_queue *queue);

static inline void k_queue_init(struct k_queue *queue)
{
	emu_k_queue_init(queue);
}
static inline void k_queue_cancel_wait(struct k_queue *queue)
{
	emu_k_queue_cancel_wait(queue);
}
static inline void k_queue_append(struct k_queue *queue, void *data)
{
	emu_k_queue_append(queue, data);
}
static inline int32_t k_queue_alloc_append(struct k_queue *queue, void *data)
{
	return emu_k_queue_alloc_append(queue, data);
}
static inline void k_queue_prepend(struct k_queue *queue, void *data)
{
	emu_k_queue_prepend(queue, data);
}
static inline int32_t k_queue_alloc_prepend(struct k_queue *queue, void *data)
{
	return emu_k_queue_alloc_prepend(queue, data);
}
static inline void k_queue_insert(struct k_queue *queue, void *prev, void *data)
{
	emu_k_queue_insert(queue, prev, data);
}
static inline int k_queue_append_list(struct k_queue *queue, void *head, void *tail)
{
	return emu_k_queue_append_list(queue, head, tail);
}
/* The nodes of a sys_slist_t (its first words are the links): 0, -EINVAL
 * (empty list).  The list is left empty. */
static inline int k_queue_merge_slist(struct k_queue *queue, sys_slist_t *list)
{
	int rc;

	if (sys_slist_is_empty(list)) {
		return -EINVAL;
	}
	rc = emu_k_queue_append_list(queue, list->head, list->tail);
	if (rc == 0) {
		sys_slist_init(list);
	}
	return rc;
}
static inline void *k_queue_get(struct k_queue *queue, k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_queue_get(queue, timeout);
}
static inline bool k_queue_remove(struct k_queue *queue, void *data)
{
	return emu_k_queue_remove(queue, data);
}
static inline bool k_queue_unique_append(struct k_queue *queue, void *data)
{
	return emu_k_queue_unique_append(queue, data);
}
static inline int k_queue_is_empty(struct k_queue *queue)
{
	return emu_k_queue_is_empty(queue);
}
static inline void *k_queue_peek_head(struct k_queue *queue)
{
	return emu_k_queue_peek_head(queue);
}
static inline void *k_queue_peek_tail(struct k_queue *queue)
{
	return emu_k_queue_peek_tail(queue);
}

struct k_fifo {
	struct k_queue _queue;
};
#define K_FIFO_DEFINE(name) struct k_fifo name = {._queue = EMU_K_QUEUE_INITIALIZER}

static inline void k_fifo_init(struct k_fifo *fifo)
{
	emu_k_queue_init(&fifo->_queue);
}
static inline void k_fifo_cancel_wait(struct k_fifo *fifo)
{
	emu_k_queue_cancel_wait(&fifo->_queue);
}
static inline void k_fifo_put(struct k_fifo *fifo, void *data)
{
	emu_k_queue_append(&fifo->_queue, data);
}
static inline int k_fifo_alloc_put(struct k_fifo *fifo, void *data)
{
	return emu_k_queue_alloc_append(&fifo->_queue, data);
}
static inline int k_fifo_put_list(struct k_fifo *fifo, void *head, void *tail)
{
	return emu_k_queue_append_list(&fifo->_queue, head, tail);
}
static inline int k_fifo_put_slist(struct k_fifo *fifo, sys_slist_t *list)
{
	return k_queue_merge_slist(&fifo->_queue, list);
}
static inline void *k_fifo_get(struct k_fifo *fifo, k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_queue_get(&fifo->_queue, timeout);
}
static inline int k_fifo_is_empty(struct k_fifo *fifo)
{
	return emu_k_queue_is_empty(&fifo->_queue);
}
static inline void *k_fifo_peek_head(struct k_fifo *fifo)
{
	return emu_k_queue_peek_head(&fifo->_queue);
}
static inline void *k_fifo_peek_tail(struct k_fifo *fifo)
{
	return emu_k_queue_peek_tail(&fifo->_queue);
}

struct k_lifo {
	struct k_queue _queue;
};
#define K_LIFO_DEFINE(name) struct k_lifo name = {._queue = EMU_K_QUEUE_INITIALIZER}

static inline void k_lifo_init(struct k_lifo *lifo)
{
	emu_k_queue_init(&lifo->_queue);
}
static inline void k_lifo_put(struct k_lifo *lifo, void *data)
{
	emu_k_queue_prepend(&lifo->_queue, data);
}
static inline int k_lifo_alloc_put(struct k_lifo *lifo, void *data)
{
	return emu_k_queue_alloc_prepend(&lifo->_queue, data);
}
static inline void *k_lifo_get(struct k_lifo *lifo, k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_queue_get(&lifo->_queue, timeout);
}

/* ==== events ============================================================= */

struct k_event {
	uint32_t events;
	void *waiters; /* the runtime's: threads blocked in k_event_wait* */
};
#define K_EVENT_DEFINE(name) struct k_event name = {.events = 0, .waiters = NULL}

void emu_k_event_init(struct k_event *event);
/*
 * Change the events and release every waiter whose condition is now met
 * (it returns the matching events even if they are cleared before it runs).
 * ISR-safe.  Return values, as Zephyr's:
 *   post:       the bits of `events` that were already set
 *   set:        the previous events
 *   set_masked: the previous events within `events_mask`
 *   clear:      the previous events within `events`
 */
uint32_t emu_k_event_post(struct k_event *event, uint32_t events);
uint32_t emu_k_event_set(struct k_event *event, uint32_t events);
uint32_t emu_k_event_set_masked(struct k_event *event, uint32_t events, uint32_t events_mask);
uint32_t emu_k_event_clear(struct k_event *event, uint32_t events);
/*
 * Wait until any (all = false) or all (all = true) of `events` are set:
 * the matching events, or 0 (timed out, K_NO_WAIT and not met, or `events`
 * is 0).  reset: clear every event first.  safe: the matched events are
 * cleared as they are delivered (k_event_wait_safe).
 */
uint32_t emu_k_event_wait(struct k_event *event, uint32_t events, bool reset, bool all,
			  bool safe, k_timeout_t timeout);

static inline void k_event_init(struct k_event *event)
{
	emu_k_event_init(event);
}
static inline uint32_t k_event_post(struct k_event *event, uint32_t events)
{
	return emu_k_event_post(event, events);
}
static inline uint32_t k_event_set(struct k_event *event, uint32_t events)
{
	return emu_k_event_set(event, events);
}
static inline uint32_t k_event_set_masked(struct k_event *event, uint32_t events,
					  uint32_t events_mask)
{
	return emu_k_event_set_masked(event, events, events_mask);
}
static inline uint32_t k_event_clear(struct k_event *event, uint32_t events)
{
	return emu_k_event_clear(event, events);
}
static inline uint32_t k_event_wait(struct k_event *event, uint32_t events, bool reset,
				    k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_event_wait(event, events, reset, false, false, timeout);
}
static inline uint32_t k_event_wait_all(struct k_event *event, uint32_t events, bool reset,
					k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_event_wait(event, events, reset, true, false, timeout);
}
static inline uint32_t k_event_wait_safe(struct k_event *event, uint32_t events, bool reset,
					 k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_event_wait(event, events, reset, false, true, timeout);
}
static inline uint32_t k_event_wait_all_safe(struct k_event *event, uint32_t events,
					     bool reset, k_timeout_t timeout)
{
	EMU_K_ASSERT_ISR_NO_WAIT(timeout);
	return emu_k_event_wait(event, events, reset, true, true, timeout);
}
/* The current events within events_mask.  ISR-safe. */
static inline uint32_t k_event_test(struct k_event *event, uint32_t events_mask)
{
	return emu_k_event_wait(event, events_mask, false, false, false, K_NO_WAIT);
}

/* ==== polling ============================================================ */

/* Types (bits, as Zephyr's).  K_POLL_TYPE_PIPE_DATA_AVAILABLE: no pipes here. */
#define K_POLL_TYPE_IGNORE 0u
#define K_POLL_TYPE_SIGNAL 1u
#define K_POLL_TYPE_SEM_AVAILABLE 2u
#define K_POLL_TYPE_DATA_AVAILABLE 4u
#define K_POLL_TYPE_FIFO_DATA_AVAILABLE K_POLL_TYPE_DATA_AVAILABLE
#define K_POLL_TYPE_LIFO_DATA_AVAILABLE K_POLL_TYPE_DATA_AVAILABLE
#define K_POLL_TYPE_MSGQ_DATA_AVAILABLE 8u

/* States (bits, as Zephyr's).  k_poll ORs them in: reset `state` to
 * K_POLL_STATE_NOT_READY before polling again, as on Zephyr. */
#define K_POLL_STATE_NOT_READY 0u
#define K_POLL_STATE_SIGNALED 1u
#define K_POLL_STATE_SEM_AVAILABLE 2u
#define K_POLL_STATE_DATA_AVAILABLE 4u
#define K_POLL_STATE_FIFO_DATA_AVAILABLE K_POLL_STATE_DATA_AVAILABLE
#define K_POLL_STATE_LIFO_DATA_AVAILABLE K_POLL_STATE_DATA_AVAILABLE
#define K_POLL_STATE_CANCELLED 8u
#define K_POLL_STATE_MSGQ_DATA_AVAILABLE 16u

enum k_poll_modes {
	K_POLL_MODE_NOTIFY_ONLY = 0,
	K_POLL_NUM_MODES
};

struct k_poll_signal {
	unsigned int signaled; /* accessed atomically */
	int result;
};
#define K_POLL_SIGNAL_INITIALIZER(obj)                                                        \
	{                                                                                     \
		.signaled = 0, .result = 0                                                    \
	}

struct k_poll_event {
	void *poller; /* the kernel's, while k_poll runs */
	unsigned int tag : 8;
	unsigned int type : 6;
	unsigned int state : 7;
	unsigned int mode : 1;
	unsigned int unused : 10;
	/* The _typed_ aliases make the initialisers check the object's type. */
	union {
		void *obj, *_typed_K_POLL_TYPE_IGNORE;
		struct k_poll_signal *signal, *_typed_K_POLL_TYPE_SIGNAL;
		struct k_sem *sem, *_typed_K_POLL_TYPE_SEM_AVAILABLE;
		struct k_fifo *fifo, *_typed_K_POLL_TYPE_FIFO_DATA_AVAILABLE;
		struct k_lifo *lifo, *_typed_K_POLL_TYPE_LIFO_DATA_AVAILABLE;
		struct k_queue *queue, *_typed_K_POLL_TYPE_DATA_AVAILABLE;
		struct k_msgq *msgq, *_typed_K_POLL_TYPE_MSGQ_DATA_AVAILABLE;
	};
};

/* The object's type must match the event type (checked by the compiler). */
#define K_POLL_EVENT_INITIALIZER(_event_type, _event_mode, _event_obj)                        \
	{                                                                                     \
		.poller = NULL, .tag = 0, .type = (_event_type),                              \
		.state = K_POLL_STATE_NOT_READY, .mode = (_event_mode), .unused = 0,          \
		._typed_##_event_type = (_event_obj)                                           \
	}
#define K_POLL_EVENT_STATIC_INITIALIZER(_event_type, _event_mode, _event_obj, event_tag)      \
	{                                                                                     \
		.poller = NULL, .tag = (event_tag), .type = (_event_type),                    \
		.state = K_POLL_STATE_NOT_READY, .mode = (_event_mode), .unused = 0,          \
		._typed_##_event_type = (_event_obj)                                           \
	}

void emu_k_poll_event_init(struct k_poll_event *event, uint32_t type, int mode, void *obj);
/*
 * Wait until at least one event is ready; its `state` gets the matching
 * K_POLL_STATE_* bit (the object is not taken: K_POLL_MODE_NOTIFY_ONLY).
 * 0 (one or more ready), -EAGAIN (timed out, or K_NO_WAIT and none ready),
 * -EINTR (a polled queue/FIFO got k_*_cancel_wait(): its state is
 * K_POLL_STATE_CANCELLED; the other states are valid), -EINVAL (bad
 * arguments: negative count, unknown type or mode, NULL object).
 * Thread context (in an ISR: K_NO_WAIT only).
 */
int emu_k_poll(struct k_poll_event *events, int num_events, k_timeout_t timeout);
void emu_k_poll_signal_init(struct k_poll_signal *sig);
void emu_k_poll_signal_reset(struct k_poll_signal *sig);
void emu_k_poll_signal_check(struct k_poll_signal *sig, unsigned int *signaled, int *result);
/* Signal with `result` and wake its pollers: 0.  ISR-safe. */
int emu_k_poll_signal_raise(struct k_poll_signal *sig, int result);

static inline void k_poll_event_init(struct k_poll_event *event, uint32_t type, int mode,
				     void *obj)
{
	emu_k_poll_event_init(event, type, mode, obj);
}
static inline int k_poll(struct k_poll_event *events, int num_events, k_timeout_t timeout)
{
	__ASSERT(!k_is_in_isr() || K_TIMEOUT_EQ(timeout, K_NO_WAIT), "k_poll in ISR context");
	return emu_k_poll(events, num_events, timeout);
}
static inline void k_poll_signal_init(struct k_poll_signal *sig)
{
	emu_k_poll_signal_init(sig);
}
static inline void k_poll_signal_reset(struct k_poll_signal *sig)
{
	emu_k_poll_signal_reset(sig);
}
static inline void k_poll_signal_check(struct k_poll_signal *sig, unsigned int *signaled,
				       int *result)
{
	emu_k_poll_signal_check(sig, signaled, result);
}
static inline int k_poll_signal_raise(struct k_poll_signal *sig, int result)
{
	return emu_k_poll_signal_raise(sig, result);
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_KERNEL_EMU_OBJECTS_H_ */
