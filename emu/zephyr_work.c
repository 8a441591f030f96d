/*
 * zephyr_work.c - k_timer and the work queues of zephyr/kernel.h
 * (include/zephyr/kernel/emu_timer_work.h), with Zephyr's state machine.
 *
 * One mutex (`lock`) guards every timer, work item and queue, as Zephyr's
 * work and timeout spinlocks do; no user function is ever called with it
 * held.  Waiting calls (flush, cancel_sync, drain, status_sync) sleep on one
 * condition variable, `changed`, broadcast whenever a handler returns, an
 * item leaves a queue by cancellation, a drain completes, a timer expires or
 * stops; each waits for its own predicate, so a spurious wake-up costs a
 * re-check and nothing else.
 *
 * Timer service: a sorted singly-linked list of struct emu_k_timeout (the
 * node inside k_timer and k_work_delayable) and one thread per process,
 * started with the first timeout.  Deadlines are uptime ticks
 * (milliseconds): the thread reads the uptime, then CLOCK_MONOTONIC, and
 * sleeps until that monotonic time plus the ticks left, so that the uptime
 * has reached the deadline when it wakes (the uptime counts whole ms of the
 * same monotonic clock).  Due timeouts are handled inside
 * zshim_isr_enter()/zshim_isr_exit(): k_is_in_isr() is true in expiry
 * functions and the interrupt lock excludes the other interrupt handlers
 * and irq_lock() sections.  The ISR is entered before `lock` is taken,
 * never while holding it (lock order: interrupt lock, then `lock`).
 *
 * Work queues: one detached POSIX thread per queue, which pops items FIFO
 * and runs them one at a time.  Idle queue threads sleep on `work_cond`
 * (with `lock`, so no submission is missed), which every submission and
 * drain request broadcasts: each thread then looks at its own list.
 * k_work_flush() waits on counters kept in the item (runs begun, runs
 * completed, removals by cancel) instead of Zephyr's flusher item; the
 * observable result is the same: it returns when the instance that was
 * queued (or, if none, running) at the call has completed or was cancelled.
 *
 * Nothing is ever joined or freed: a program may end while timers and
 * queues exist (the threads are detached; Valgrind calls their stacks
 * "still reachable").
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "port.h"
#include "zephyr_isr.h"
#include "zephyr_sched.h"
#include <zephyr/kernel.h>

enum { KIND_TIMER = 1, KIND_DWORK = 2 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static pthread_cond_t work_cond = PTHREAD_COND_INITIALIZER; /* wakes queue threads */

static pthread_once_t tick_once = PTHREAD_ONCE_INIT;
static pthread_cond_t tick_cond;        /* CLOCK_MONOTONIC; wakes the timer thread */
static struct emu_k_timeout *timeouts;  /* sorted by deadline, FIFO among equals */
static bool timer_thread_started;
static _Thread_local bool on_timer_thread;
static int64_t pass_now; /* the tick of the timer thread's current pass */

static struct k_work_q *queues;         /* every started queue */
static _Thread_local struct k_work_q *my_queue; /* set on a queue's thread */

struct k_work_q emu_k_sys_work_q;

/* ------------------------------------------------------------ hook point */

/*
 * The scheduling hook of the work queues.  Every queue thread passes here
 * just before and just after each handler, without any lock held: it
 * records the item (emu/zephyr_sched.h) and does what Zephyr's queue thread
 * does, yield after an item when more are pending, unless the queue was
 * started with no_yield (in coop mode: to a waiting thread of the same or a
 * higher priority).  The queue thread holds the CPU of the coop mode while
 * it runs items and gives it up when it has none (queue_main), and every
 * wait of this file gives it up too (cpu_back_locked).
 */
enum zshim_work_point { ZSHIM_WORK_BEFORE_HANDLER, ZSHIM_WORK_AFTER_HANDLER };

void zshim_work_sched_point(struct k_work_q *q, struct k_work *w, enum zshim_work_point where,
			    bool yield);

void zshim_work_sched_point(struct k_work_q *q, struct k_work *w, enum zshim_work_point where,
			    bool yield)
{
	(void)q;
	zshim_sched_event(where == ZSHIM_WORK_BEFORE_HANDLER ? ZSHIM_EV_WORK_RUN
							     : ZSHIM_EV_WORK_DONE,
			  w, 0);
	if (where == ZSHIM_WORK_AFTER_HANDLER && yield) {
		zshim_sched_yield();
	}
}

/* After a wait on a condition variable with `lock` held: take the CPU back
 * if the wait gave it up, without `lock` (its holder may need `lock`). */
static void cpu_back_locked(bool released)
{
	if (released) {
		pthread_mutex_unlock(&lock);
		zshim_sched_reacquire(true);
		pthread_mutex_lock(&lock);
	}
}

/* ----------------------------------------------------------------- common */

static void diag(const char *fmt, const char *what)
{
	fprintf(stderr, "ipc-emu: ");
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
}

static int64_t now_ticks(void)
{
	return emu_k_uptime_ticks();
}

static bool is_forever(k_timeout_t t)
{
	return !t.abs && t.ms < 0;
}

static bool is_no_wait(k_timeout_t t)
{
	return !t.abs && t.ms == 0;
}

/* The uptime tick at which a (not K_FOREVER) timeout expires.  An absolute
 * time is a 32-bit uptime in ms: it is read modulo 2^32 around now, so that
 * it stays right past 24.8 days of uptime. */
static int64_t deadline_of(k_timeout_t t)
{
	int64_t now = now_ticks();

	if (t.abs) {
		return now + (int32_t)((uint32_t)t.ms - (uint32_t)now);
	}
	return now + t.ms;
}

static void start_thread(void *(*fn)(void *), void *arg, const char *name)
{
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	rc = pthread_attr_init(&attr);
	if (rc == 0) {
		rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (rc == 0) {
			rc = pthread_create(&th, &attr, fn, arg);
		}
		pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		diag("cannot start the %s thread", name);
		abort();
	}
	if (name[0] != '\0') {
		char n[16];

		snprintf(n, sizeof(n), "%s", name);
		(void)pthread_setname_np(th, n);
	}
}

/* ---------------------------------------------------------- timer service */

static void *timer_main(void *arg);
static void timer_expired_locked(struct k_timer *timer);
static void delay_expired_locked(struct k_work_delayable *dwork);

static void init_tick_cond(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&tick_cond, &attr);
	pthread_condattr_destroy(&attr);
}

/* Remove `node` if it is on the list, found by address (so that a node in
 * memory the runtime never initialised is never dereferenced).  true if it
 * was there. */
static bool unlink_locked(struct emu_k_timeout *node)
{
	for (struct emu_k_timeout **pp = &timeouts; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			node->linked = 0;
			return true;
		}
	}
	return false;
}

static void add_locked(struct emu_k_timeout *node, int64_t deadline, uint8_t kind)
{
	struct emu_k_timeout **pp = &timeouts;

	(void)unlink_locked(node);
	/* Added from an expiry (a periodic re-arm that fell behind, a restart
	 * with K_NO_WAIT): due at the next tick, not in this same pass, as
	 * Zephyr's timeouts never expire in the announcement that adds them.
	 * So a timer re-armed from its own expiry cannot hold the CPU. */
	if (on_timer_thread && deadline <= pass_now) {
		deadline = pass_now + 1;
	}
	node->deadline = deadline;
	node->kind = kind;
	while (*pp != NULL && (*pp)->deadline <= deadline) {
		pp = &(*pp)->next;
	}
	node->next = *pp;
	*pp = node;
	node->linked = 1;
	(void)pthread_once(&tick_once, init_tick_cond);
	if (!timer_thread_started) {
		timer_thread_started = true;
		start_thread(timer_main, NULL, "k_timer");
	}
	if (timeouts == node) {
		pthread_cond_signal(&tick_cond);
	}
}

static int64_t remaining_locked(const struct emu_k_timeout *node)
{
	int64_t left;

	if (!node->linked) {
		return 0;
	}
	left = node->deadline - now_ticks();
	return left > 0 ? left : 0;
}

/* Everything due at `now`, in deadline order (what an expiry re-adds is due
 * at a later tick: see add_locked). */
static void expire_due_locked(int64_t now)
{
	struct emu_k_timeout *t;

	pass_now = now;
	while ((t = timeouts) != NULL && t->deadline <= now) {
		timeouts = t->next;
		t->next = NULL;
		t->linked = 0;
		if (t->kind == KIND_DWORK) {
			delay_expired_locked(CONTAINER_OF(t, struct k_work_delayable, timeout));
		} else {
			timer_expired_locked(CONTAINER_OF(t, struct k_timer, timeout));
		}
	}
}

static void *timer_main(void *arg)
{
	(void)arg;
	on_timer_thread = true;
	pthread_mutex_lock(&lock);
	for (;;) {
		int64_t now;

		if (timeouts == NULL) {
			pthread_cond_wait(&tick_cond, &lock);
			continue;
		}
		now = now_ticks();
		if (timeouts->deadline > now) {
			int64_t ms = timeouts->deadline - now;
			struct timespec ts;

			/* The uptime was read first: at ts it is >= deadline. */
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)(ms / 1000);
			ts.tv_nsec += (long)(ms % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			(void)pthread_cond_timedwait(&tick_cond, &lock, &ts);
			continue;
		}
		/* Interrupt lock before `lock`, never the other way round. */
		pthread_mutex_unlock(&lock);
		zshim_isr_enter();
		pthread_mutex_lock(&lock);
		expire_due_locked(now_ticks());
		pthread_mutex_unlock(&lock);
		zshim_isr_exit();
		pthread_mutex_lock(&lock);
	}
	return NULL;
}

/* ------------------------------------------------------------------ k_timer */

static bool is_periodic(k_timeout_t period)
{
	return !period.abs && period.ms > 0;
}

/* In ISR context, `lock` held; drops it around the expiry function. */
static void timer_expired_locked(struct k_timer *timer)
{
	k_timer_expiry_t fn = timer->expiry_fn;

	/* Re-armed before the expiry function runs, as on Zephyr, so that
	 * k_timer_stop() there stops a periodic timer (and calls stop_fn). */
	if (is_periodic(timer->period)) {
		add_locked(&timer->timeout, timer->timeout.deadline + timer->period.ms,
			   KIND_TIMER);
	}
	timer->status++;
	if (fn != NULL) {
		pthread_mutex_unlock(&lock);
		fn(timer);
		pthread_mutex_lock(&lock);
	}
	timer->emu_wake++;
	pthread_cond_broadcast(&changed);
}

void emu_k_timer_init(struct k_timer *timer, k_timer_expiry_t expiry_fn, k_timer_stop_t stop_fn)
{
	pthread_mutex_lock(&lock);
	if (unlink_locked(&timer->timeout)) {
		diag("%s on a running timer: stopped first", "k_timer_init()");
	}
	timer->timeout = (struct emu_k_timeout){.linked = 0};
	timer->expiry_fn = expiry_fn;
	timer->stop_fn = stop_fn;
	timer->period = K_NO_WAIT;
	timer->status = 0;
	timer->emu_wake = 0;
	timer->user_data = NULL;
	pthread_mutex_unlock(&lock);
}

void emu_k_timer_start(struct k_timer *timer, k_timeout_t duration, k_timeout_t period)
{
	if (is_forever(duration)) {
		return;
	}
	pthread_mutex_lock(&lock);
	timer->period = period;
	timer->status = 0;
	add_locked(&timer->timeout, deadline_of(duration), KIND_TIMER);
	pthread_mutex_unlock(&lock);
}

void emu_k_timer_stop(struct k_timer *timer)
{
	k_timer_stop_t fn;
	bool was_running;

	pthread_mutex_lock(&lock);
	was_running = timer->timeout.linked && unlink_locked(&timer->timeout);
	fn = timer->stop_fn;
	pthread_mutex_unlock(&lock);
	if (!was_running) {
		return;
	}
	if (fn != NULL) {
		fn(timer); /* the caller's context, as on Zephyr */
	}
	pthread_mutex_lock(&lock);
	timer->emu_wake++;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

uint32_t emu_k_timer_status_get(struct k_timer *timer)
{
	uint32_t status;

	pthread_mutex_lock(&lock);
	status = timer->status;
	timer->status = 0;
	pthread_mutex_unlock(&lock);
	return status;
}

uint32_t emu_k_timer_status_sync(struct k_timer *timer)
{
	uint32_t status;

	if (emu_k_is_in_isr()) {
		return emu_k_timer_status_get(timer);
	}
	pthread_mutex_lock(&lock);
	status = timer->status;
	if (status == 0 && timer->timeout.linked) {
		uint32_t wake = timer->emu_wake;
		bool released = zshim_sched_release();

		while (timer->emu_wake == wake) {
			pthread_cond_wait(&changed, &lock);
		}
		cpu_back_locked(released);
		status = timer->status;
	}
	timer->status = 0;
	pthread_mutex_unlock(&lock);
	return status;
}

k_ticks_t emu_k_timer_remaining_ticks(const struct k_timer *timer)
{
	k_ticks_t left;

	pthread_mutex_lock(&lock);
	left = remaining_locked(&timer->timeout);
	pthread_mutex_unlock(&lock);
	return left;
}

k_ticks_t emu_k_timer_expires_ticks(const struct k_timer *timer)
{
	k_ticks_t at;

	pthread_mutex_lock(&lock);
	at = timer->timeout.linked ? timer->timeout.deadline : now_ticks();
	pthread_mutex_unlock(&lock);
	return at;
}

/* -------------------------------------------------------------- work queues */

static void *queue_main(void *arg);
static void start_queue_locked(struct k_work_q *q, const char *name, bool no_yield, int prio,
			       const char *expr);

static void queue_append_locked(struct k_work_q *q, struct k_work *w)
{
	w->emu_next = NULL;
	if (q->emu_tail != NULL) {
		q->emu_tail->emu_next = w;
	} else {
		q->emu_head = w;
	}
	q->emu_tail = w;
}

static bool queue_remove_locked(struct k_work_q *q, struct k_work *w)
{
	struct k_work *prev = NULL;

	if (q == NULL) {
		return false;
	}
	for (struct k_work *it = q->emu_head; it != NULL; prev = it, it = it->emu_next) {
		if (it != w) {
			continue;
		}
		if (prev != NULL) {
			prev->emu_next = w->emu_next;
		} else {
			q->emu_head = w->emu_next;
		}
		if (q->emu_tail == w) {
			q->emu_tail = prev;
		}
		w->emu_next = NULL;
		return true;
	}
	return false;
}

/* (Re)initialising an item that sits on a queue would cut that queue's
 * list: take it off first, by address. */
static void unqueue_anywhere_locked(struct k_work *w, const char *what)
{
	for (struct k_work_q *q = queues; q != NULL; q = q->emu_next_q) {
		if (queue_remove_locked(q, w)) {
			diag("%s on a queued work item: removed from its queue", what);
		}
	}
}

static void sys_start_locked(struct k_work_q *q)
{
	if (q == &emu_k_sys_work_q && !(q->flags & K_WORK_QUEUE_STARTED)) {
		start_queue_locked(q, "sysworkq", false, -1, NULL);
	}
}

/* Zephyr's acceptance test of a queue, in its priority order. */
static int queue_submit_locked(struct k_work_q *q, struct k_work *w)
{
	bool chained, draining, plugged;

	if (q == NULL) {
		return -EINVAL;
	}
	sys_start_locked(q);
	chained = my_queue == q && !emu_k_is_in_isr();
	draining = (q->flags & K_WORK_QUEUE_DRAIN) != 0;
	plugged = (q->flags & K_WORK_QUEUE_PLUGGED) != 0;
	if (!(q->flags & K_WORK_QUEUE_STARTED)) {
		return -ENODEV;
	}
	if ((draining && !chained) || (plugged && !draining)) {
		return -EBUSY;
	}
	queue_append_locked(q, w);
	if (q->emu_ready != NULL) {
		/* Coop: the idle queue thread is ready now, as on Zephyr. */
		zshim_sched_ready(q->emu_ready);
		q->emu_ready = NULL;
	}
	pthread_cond_broadcast(&work_cond);
	return 1;
}

/* Zephyr's submission: *qp is the proposed queue (NULL: the last one). */
static int submit_locked(struct k_work *w, struct k_work_q **qp)
{
	int ret;

	if (w->flags & K_WORK_CANCELING) {
		return -EBUSY;
	}
	if (w->flags & K_WORK_QUEUED) {
		return 0;
	}
	ret = 1;
	if (*qp == NULL) {
		*qp = w->queue;
	}
	if (w->flags & K_WORK_RUNNING) {
		/* Never concurrently with itself: back to the queue running it. */
		*qp = w->queue;
		ret = 2;
	}
	{
		int rc = queue_submit_locked(*qp, w);

		if (rc < 0) {
			return rc;
		}
	}
	w->flags |= K_WORK_QUEUED;
	w->queue = *qp;
	return ret;
}

/* Take the item off its queue (unless a cancel is already under way) and
 * mark it cancelling if its handler still runs.  Returns the busy mask. */
static int cancel_async_locked(struct k_work *w)
{
	int busy;

	if (!(w->flags & K_WORK_CANCELING) && (w->flags & K_WORK_QUEUED)) {
		w->flags &= ~(uint32_t)K_WORK_QUEUED;
		(void)queue_remove_locked(w->queue, w);
		w->emu_dropped++;
		pthread_cond_broadcast(&changed); /* a flush may be waiting for it */
	}
	busy = (int)(w->flags & K_WORK_MASK);
	if (busy != 0) {
		w->flags |= K_WORK_CANCELING;
		busy = (int)(w->flags & K_WORK_MASK);
	}
	return busy;
}

/* Whether the caller may block until queue `q` makes progress. */
static bool may_wait(const struct k_work_q *q, const char *what)
{
	if (emu_k_is_in_isr()) {
		diag("%s called from an ISR: returns without waiting", what);
		return false;
	}
	if (my_queue != NULL && my_queue == q) {
		diag("%s from a handler of the queue that must run the item: returns without "
		     "waiting (it would deadlock)",
		     what);
		return false;
	}
	return true;
}

static bool flush_locked(struct k_work *w, const char *what)
{
	uint32_t target, dropped;
	bool released;

	if (!(w->flags & (K_WORK_QUEUED | K_WORK_RUNNING))) {
		return false;
	}
	if (!may_wait(w->queue, what)) {
		return false;
	}
	/* Queued: the queued instance (the next run); else the current run. */
	target = w->emu_started + ((w->flags & K_WORK_QUEUED) ? 1u : 0u);
	dropped = w->emu_dropped;
	released = zshim_sched_release();
	while ((int32_t)(w->emu_done - target) < 0) {
		/* Cancelled off the queue, and no run left in progress. */
		if (w->emu_dropped != dropped && w->emu_done == w->emu_started) {
			break;
		}
		pthread_cond_wait(&changed, &lock);
	}
	cpu_back_locked(released);
	return true;
}

static void wait_cancel_locked(struct k_work *w, const char *what)
{
	bool released;

	if (!(w->flags & K_WORK_CANCELING) || !may_wait(w->queue, what)) {
		return;
	}
	released = zshim_sched_release();
	while (w->flags & K_WORK_CANCELING) {
		pthread_cond_wait(&changed, &lock);
	}
	cpu_back_locked(released);
}

static void *queue_main(void *arg)
{
	struct k_work_q *q = arg;

	my_queue = q;
	/* k_work_queue_start's priority (k_sys_work_q: -1,
	 * CONFIG_SYSTEM_WORKQUEUE_PRIORITY's default). */
	zshim_sched_thread_start(q->emu_name, q->emu_prio);
	pthread_mutex_lock(&lock);
	for (;;) {
		struct k_work *w = q->emu_head;
		k_work_handler_t handler;
		bool yield;

		if (w == NULL) {
			if (q->flags & K_WORK_QUEUE_DRAIN) {
				/* Empty and draining: the drain is complete (PLUGGED
				 * stays until k_work_queue_unplug). */
				q->flags &= ~(uint32_t)K_WORK_QUEUE_DRAIN;
				q->emu_drains++;
				pthread_cond_broadcast(&changed);
			}
			/* Nothing to do: the CPU goes to another thread until
			 * this queue has an item (or a drain to complete); a
			 * submission makes this thread ready (emu_ready). */
			void *rdy = zshim_sched_idle();

			if (rdy != NULL) {
				q->emu_ready = rdy;
				/* Until a submission made it ready (emu_ready
				 * cleared) - even if the item was cancelled since:
				 * the record is granted or queued, so the thread
				 * must take the CPU, then go idle again. */
				do {
					pthread_cond_wait(&work_cond, &lock);
				} while (q->emu_ready != NULL && q->emu_head == NULL &&
					 !(q->flags & K_WORK_QUEUE_DRAIN));
				q->emu_ready = NULL;
				pthread_mutex_unlock(&lock);
				zshim_sched_idle_end(rdy);
				pthread_mutex_lock(&lock);
			} else {
				pthread_cond_wait(&work_cond, &lock);
			}
			continue;
		}
		q->emu_head = w->emu_next;
		if (q->emu_head == NULL) {
			q->emu_tail = NULL;
		}
		w->emu_next = NULL;
		w->flags = (w->flags & ~(uint32_t)K_WORK_QUEUED) | K_WORK_RUNNING;
		w->emu_started++;
		q->flags |= K_WORK_QUEUE_BUSY;
		handler = w->handler;
		pthread_mutex_unlock(&lock);

		zshim_work_sched_point(q, w, ZSHIM_WORK_BEFORE_HANDLER, false);
		if (handler != NULL) {
			handler(w);
		} else {
			diag("%s: a work item without a handler ran: skipped", "work queue");
		}

		pthread_mutex_lock(&lock);
		/* A cancel issued while it ran completes now. */
		w->flags &= ~(uint32_t)(K_WORK_RUNNING | K_WORK_CANCELING);
		w->emu_done++;
		q->flags &= ~(uint32_t)K_WORK_QUEUE_BUSY;
		yield = !(q->flags & K_WORK_QUEUE_NO_YIELD) && q->emu_head != NULL;
		pthread_cond_broadcast(&changed);
		pthread_mutex_unlock(&lock);
		zshim_work_sched_point(q, w, ZSHIM_WORK_AFTER_HANDLER, yield);
		pthread_mutex_lock(&lock);
	}
	return NULL;
}

/* The name of an unnamed queue in the shim's reports: the identifier at
 * the end of its k_work_queue_start argument ("&ep_bound_work_q",
 * "&data->wq"), "" if there is none. */
static void name_from_expr(char *out, size_t size, const char *expr)
{
	size_t end, start;

	out[0] = '\0';
	if (expr == NULL) {
		return;
	}
	end = strlen(expr);
	while (end > 0 && (expr[end - 1] == ' ' || expr[end - 1] == ')')) {
		end--;
	}
	start = end;
	while (start > 0 && (isalnum((unsigned char)expr[start - 1]) || expr[start - 1] == '_')) {
		start--;
	}
	if (start < end && !isdigit((unsigned char)expr[start])) {
		snprintf(out, size, "%.*s", (int)(end - start), expr + start);
	}
}

static void start_queue_locked(struct k_work_q *q, const char *name, bool no_yield, int prio,
			       const char *expr)
{
	q->emu_head = NULL;
	q->emu_tail = NULL;
	q->emu_prio = prio;
	q->emu_ready = NULL;
	memset(&q->thread, 0, sizeof(q->thread));
	if (name != NULL) {
		snprintf(q->emu_name, sizeof(q->emu_name), "%s", name);
	} else {
		name_from_expr(q->emu_name, sizeof(q->emu_name), expr);
	}
	q->thread.name = name != NULL ? q->emu_name : NULL;
	q->thread_id = &q->thread;
	q->flags = K_WORK_QUEUE_STARTED | (no_yield ? (uint32_t)K_WORK_QUEUE_NO_YIELD : 0u);
	q->emu_next_q = queues;
	queues = q;
	start_thread(queue_main, q, q->emu_name);
}

static bool is_started_queue_locked(const struct k_work_q *q)
{
	for (const struct k_work_q *it = queues; it != NULL; it = it->emu_next_q) {
		if (it == q) {
			return true;
		}
	}
	return false;
}

void emu_k_work_queue_init(struct k_work_q *queue)
{
	pthread_mutex_lock(&lock);
	if (is_started_queue_locked(queue)) {
		diag("%s on a started queue: ignored", "k_work_queue_init()");
	} else {
		memset(queue, 0, sizeof(*queue));
	}
	pthread_mutex_unlock(&lock);
}

void emu_k_work_queue_start(struct k_work_q *queue, int prio,
			    const struct k_work_queue_config *cfg, const char *expr)
{
	pthread_mutex_lock(&lock);
	if (is_started_queue_locked(queue)) {
		diag("%s on a started queue: ignored", "k_work_queue_start()");
	} else {
		start_queue_locked(queue, cfg != NULL ? cfg->name : NULL,
				   cfg != NULL && cfg->no_yield, prio, expr);
	}
	pthread_mutex_unlock(&lock);
}

k_tid_t emu_k_work_queue_thread_get(struct k_work_q *queue)
{
	k_tid_t tid;

	pthread_mutex_lock(&lock);
	sys_start_locked(queue);
	tid = (queue->flags & K_WORK_QUEUE_STARTED) ? queue->thread_id : NULL;
	pthread_mutex_unlock(&lock);
	return tid;
}

int emu_k_work_queue_drain(struct k_work_q *queue, bool plug)
{
	int ret = 0;

	if (emu_k_is_in_isr() || my_queue == queue) {
		diag("%s from an ISR or from the queue's own thread: refused (-EDEADLK)",
		     "k_work_queue_drain()");
		return -EDEADLK;
	}
	pthread_mutex_lock(&lock);
	sys_start_locked(queue);
	if (!(queue->flags & K_WORK_QUEUE_STARTED)) {
		ret = -ENODEV;
	} else if ((queue->flags & (K_WORK_QUEUE_BUSY | K_WORK_QUEUE_DRAIN)) || plug ||
		   queue->emu_head != NULL) {
		uint32_t drains = queue->emu_drains;
		bool released;

		queue->flags |= K_WORK_QUEUE_DRAIN;
		if (plug) {
			queue->flags |= K_WORK_QUEUE_PLUGGED;
		}
		pthread_cond_broadcast(&work_cond);
		released = zshim_sched_release();
		while (queue->emu_drains == drains) {
			pthread_cond_wait(&changed, &lock);
		}
		cpu_back_locked(released);
		ret = 1;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int emu_k_work_queue_unplug(struct k_work_q *queue)
{
	int ret = -EALREADY;

	pthread_mutex_lock(&lock);
	if (queue->flags & K_WORK_QUEUE_PLUGGED) {
		queue->flags &= ~(uint32_t)K_WORK_QUEUE_PLUGGED;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

/* ------------------------------------------------------------- work items */

void emu_k_work_init(struct k_work *work, k_work_handler_t handler)
{
	pthread_mutex_lock(&lock);
	unqueue_anywhere_locked(work, "k_work_init()");
	*work = (struct k_work){.handler = handler};
	pthread_mutex_unlock(&lock);
}

int emu_k_work_busy_get(const struct k_work *work)
{
	int busy;

	pthread_mutex_lock(&lock);
	busy = (int)(work->flags & K_WORK_MASK);
	pthread_mutex_unlock(&lock);
	return busy;
}

int emu_k_work_submit_to_queue(struct k_work_q *queue, struct k_work *work)
{
	int ret;

	port_crash_point("zephyr_work_submit_before");
	if (work->handler == NULL) {
		diag("%s: the work item has no handler (not initialised?): -EINVAL",
		     "k_work_submit");
		return -EINVAL;
	}
	pthread_mutex_lock(&lock);
	ret = submit_locked(work, &queue);
	pthread_mutex_unlock(&lock);
	port_crash_point("zephyr_work_submit_after");
	zshim_sched_event(ZSHIM_EV_WORK_SUBMIT, work, ret);
	return ret;
}

bool emu_k_work_flush(struct k_work *work, struct k_work_sync *sync)
{
	bool waited;

	(void)sync;
	pthread_mutex_lock(&lock);
	waited = flush_locked(work, "k_work_flush()");
	pthread_mutex_unlock(&lock);
	return waited;
}

int emu_k_work_cancel(struct k_work *work)
{
	int busy;

	pthread_mutex_lock(&lock);
	busy = cancel_async_locked(work);
	pthread_mutex_unlock(&lock);
	return busy;
}

bool emu_k_work_cancel_sync(struct k_work *work, struct k_work_sync *sync)
{
	bool pending;

	(void)sync;
	pthread_mutex_lock(&lock);
	pending = (work->flags & K_WORK_MASK) != 0;
	if (pending) {
		(void)cancel_async_locked(work);
		wait_cancel_locked(work, "k_work_cancel_sync()");
	}
	pthread_mutex_unlock(&lock);
	return pending;
}

/* ---------------------------------------------------------- delayable work */

/* The delay expired (timer thread, ISR context): submit, unless a cancel or
 * reschedule took the K_WORK_DELAYED flag first. */
static void delay_expired_locked(struct k_work_delayable *dwork)
{
	struct k_work_q *q = dwork->queue;

	if (dwork->work.flags & K_WORK_DELAYED) {
		dwork->work.flags &= ~(uint32_t)K_WORK_DELAYED;
		(void)submit_locked(&dwork->work, &q);
	}
}

static bool unschedule_locked(struct k_work_delayable *dwork)
{
	if (!(dwork->work.flags & K_WORK_DELAYED)) {
		return false;
	}
	dwork->work.flags &= ~(uint32_t)K_WORK_DELAYED;
	(void)unlink_locked(&dwork->timeout);
	return true;
}

static int schedule_locked(struct k_work_q **qp, struct k_work_delayable *dwork,
			   k_timeout_t delay)
{
	if (is_no_wait(delay)) {
		return submit_locked(&dwork->work, qp);
	}
	dwork->work.flags |= K_WORK_DELAYED;
	dwork->queue = *qp;
	if (!is_forever(delay)) {
		add_locked(&dwork->timeout, deadline_of(delay), KIND_DWORK);
	}
	return 1;
}

void emu_k_work_init_delayable(struct k_work_delayable *dwork, k_work_handler_t handler)
{
	pthread_mutex_lock(&lock);
	if (unlink_locked(&dwork->timeout)) {
		diag("%s on a scheduled item: its delay is cancelled", "k_work_init_delayable()");
	}
	unqueue_anywhere_locked(&dwork->work, "k_work_init_delayable()");
	*dwork = (struct k_work_delayable){
		.work = {.handler = handler, .flags = K_WORK_DELAYABLE},
	};
	pthread_mutex_unlock(&lock);
}

int emu_k_work_delayable_busy_get(const struct k_work_delayable *dwork)
{
	return emu_k_work_busy_get(&dwork->work);
}

int emu_k_work_schedule_for_queue(struct k_work_q *queue, struct k_work_delayable *dwork,
				  k_timeout_t delay)
{
	int ret = 0;

	port_crash_point("zephyr_work_schedule_before");
	if (dwork->work.handler == NULL) {
		diag("%s: the work item has no handler (not initialised?): -EINVAL",
		     "k_work_schedule");
		return -EINVAL;
	}
	pthread_mutex_lock(&lock);
	/* Only an idle or merely running item is scheduled. */
	if ((dwork->work.flags & K_WORK_MASK & ~(uint32_t)K_WORK_RUNNING) == 0) {
		ret = schedule_locked(&queue, dwork, delay);
	}
	pthread_mutex_unlock(&lock);
	port_crash_point("zephyr_work_schedule_after");
	return ret;
}

int emu_k_work_reschedule_for_queue(struct k_work_q *queue, struct k_work_delayable *dwork,
				    k_timeout_t delay)
{
	int ret;

	port_crash_point("zephyr_work_schedule_before");
	if (dwork->work.handler == NULL) {
		diag("%s: the work item has no handler (not initialised?): -EINVAL",
		     "k_work_reschedule");
		return -EINVAL;
	}
	pthread_mutex_lock(&lock);
	(void)unschedule_locked(dwork);
	ret = schedule_locked(&queue, dwork, delay);
	pthread_mutex_unlock(&lock);
	port_crash_point("zephyr_work_schedule_after");
	return ret;
}

bool emu_k_work_flush_delayable(struct k_work_delayable *dwork, struct k_work_sync *sync)
{
	bool waited = false;

	(void)sync;
	pthread_mutex_lock(&lock);
	if ((dwork->work.flags & K_WORK_MASK) != 0) {
		if (unschedule_locked(dwork)) {
			struct k_work_q *q = dwork->queue;

			(void)submit_locked(&dwork->work, &q); /* a refusal is ignored */
		}
		waited = flush_locked(&dwork->work, "k_work_flush_delayable()");
	}
	pthread_mutex_unlock(&lock);
	return waited;
}

int emu_k_work_cancel_delayable(struct k_work_delayable *dwork)
{
	int busy;

	pthread_mutex_lock(&lock);
	(void)unschedule_locked(dwork);
	busy = cancel_async_locked(&dwork->work);
	pthread_mutex_unlock(&lock);
	return busy;
}

bool emu_k_work_cancel_delayable_sync(struct k_work_delayable *dwork, struct k_work_sync *sync)
{
	bool pending;

	(void)sync;
	pthread_mutex_lock(&lock);
	pending = (dwork->work.flags & K_WORK_MASK) != 0;
	if (pending) {
		(void)unschedule_locked(dwork);
		(void)cancel_async_locked(&dwork->work);
		wait_cancel_locked(&dwork->work, "k_work_cancel_delayable_sync()");
	}
	pthread_mutex_unlock(&lock);
	return pending;
}

k_ticks_t emu_k_work_delayable_remaining_get(const struct k_work_delayable *dwork)
{
	k_ticks_t left;

	pthread_mutex_lock(&lock);
	left = remaining_locked(&dwork->timeout);
	pthread_mutex_unlock(&lock);
	return left;
}

k_ticks_t emu_k_work_delayable_expires_get(const struct k_work_delayable *dwork)
{
	k_ticks_t at;

	pthread_mutex_lock(&lock);
	at = dwork->timeout.linked ? dwork->timeout.deadline : now_ticks();
	pthread_mutex_unlock(&lock);
	return at;
}
