/*
 * test_zephyr_work.c - k_timer and the work queues of zephyr/kernel.h
 * (include/zephyr/kernel/emu_timer_work.h, emu/zephyr_work.c): Zephyr's
 * semantics and exact return codes.
 *
 * Timing: assertions are about counts, order and uptime bounds that follow
 * from the tick rules (an expiry never comes before its deadline tick),
 * never about how fast something happens; waits for "it did not happen"
 * are scaled by 10 under Valgrind (VALGRIND set in the environment).
 * Gates are k_sems that a handler takes, so a test decides exactly when a
 * handler may return.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>

#define TMO 60 /* Criterion timeout, s: generous for Valgrind */
#define FOREVER_MS 20000

static int scale(void)
{
	return getenv("VALGRIND") != NULL ? 10 : 1;
}

/* Sleep long enough that something that should not happen would have. */
static void settle(int ms)
{
	k_msleep(ms * scale());
}

/* Poll `*v >= want` for up to 20 s. */
static bool wait_atleast(atomic_int *v, int want)
{
	for (int i = 0; i < FOREVER_MS; i++) {
		if (atomic_load(v) >= want) {
			return true;
		}
		k_msleep(1);
	}
	return false;
}

/* ------------------------------------------------------------ k_timer */

static atomic_int expiries, stops, expiry_in_isr, stop_in_isr;
static atomic_llong expiry_uptime;

static void count_expiry(struct k_timer *t)
{
	(void)t;
	atomic_store(&expiry_in_isr, k_is_in_isr() ? 1 : 0);
	atomic_store(&expiry_uptime, k_uptime_get());
	atomic_fetch_add(&expiries, 1);
}

static void count_stop(struct k_timer *t)
{
	(void)t;
	atomic_store(&stop_in_isr, k_is_in_isr() ? 1 : 0);
	atomic_fetch_add(&stops, 1);
}

Test(timer, oneshot_expires_once, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, count_expiry, count_stop);
	k_timer_start(&t, K_MSEC(10), K_NO_WAIT);
	cr_assert(wait_atleast(&expiries, 1));
	settle(60);
	cr_assert_eq(atomic_load(&expiries), 1);
	cr_assert_eq(k_timer_status_get(&t), 1);
	cr_assert_eq(k_timer_remaining_get(&t), 0);
	k_timer_stop(&t); /* not running any more: no stop function */
	cr_assert_eq(atomic_load(&stops), 0);
}

Test(timer, period_forever_is_oneshot, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, count_expiry, NULL);
	k_timer_start(&t, K_NO_WAIT, K_FOREVER);
	cr_assert(wait_atleast(&expiries, 1));
	settle(50);
	cr_assert_eq(atomic_load(&expiries), 1);
	cr_assert_eq(k_timer_remaining_ticks(&t), 0);
}

Test(timer, periodic_counts_and_status, .timeout = TMO)
{
	static struct k_timer t;
	uint32_t status;

	k_timer_init(&t, count_expiry, count_stop);
	k_timer_start(&t, K_MSEC(5), K_MSEC(5));
	cr_assert(wait_atleast(&expiries, 5));
	k_timer_stop(&t);
	settle(30);
	status = k_timer_status_get(&t);
	/* Every expiry counted once in the status, and none after the stop. */
	cr_assert_eq(status, (uint32_t)atomic_load(&expiries));
	cr_assert_geq(status, 5);
	settle(30);
	cr_assert_eq((uint32_t)atomic_load(&expiries), status);
	cr_assert_eq(atomic_load(&stops), 1);
}

Test(timer, expiry_runs_in_isr_context, .timeout = TMO)
{
	static struct k_timer t;

	cr_assert_not(k_is_in_isr());
	k_timer_init(&t, count_expiry, NULL);
	atomic_store(&expiry_in_isr, -1);
	k_timer_start(&t, K_NO_WAIT, K_NO_WAIT);
	cr_assert(wait_atleast(&expiries, 1));
	cr_assert_eq(atomic_load(&expiry_in_isr), 1);
	cr_assert_not(k_is_in_isr());
}

Test(timer, stop_fn_only_when_running, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, count_expiry, count_stop);
	k_timer_stop(&t); /* never started */
	cr_assert_eq(atomic_load(&stops), 0);
	k_timer_start(&t, K_SECONDS(100), K_NO_WAIT);
	k_timer_stop(&t);
	cr_assert_eq(atomic_load(&stops), 1);
	cr_assert_eq(atomic_load(&stop_in_isr), 0); /* the caller's context */
	k_timer_stop(&t); /* already stopped */
	cr_assert_eq(atomic_load(&stops), 1);
	k_timer_start(&t, K_NO_WAIT, K_NO_WAIT);
	cr_assert(wait_atleast(&expiries, 1));
	settle(10);
	k_timer_stop(&t); /* one-shot already expired */
	cr_assert_eq(atomic_load(&stops), 1);
	cr_assert_eq(atomic_load(&expiries), 1);
}

static void stop_self_at_3(struct k_timer *t)
{
	if (atomic_fetch_add(&expiries, 1) + 1 == 3) {
		k_timer_stop(t);
	}
}

Test(timer, stop_from_expiry_of_periodic, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, stop_self_at_3, count_stop);
	k_timer_start(&t, K_MSEC(2), K_MSEC(2));
	cr_assert(wait_atleast(&stops, 1));
	settle(40);
	cr_assert_eq(atomic_load(&expiries), 3);
	cr_assert_eq(atomic_load(&stops), 1);
	cr_assert_eq(atomic_load(&stop_in_isr), 1); /* called from the ISR */
	cr_assert_eq(k_timer_remaining_ticks(&t), 0);
}

static void restart_in_expiry(struct k_timer *t)
{
	if (atomic_fetch_add(&expiries, 1) + 1 < 3) {
		k_timer_start(t, K_NO_WAIT, K_NO_WAIT); /* due at the next tick */
	}
}

Test(timer, restart_from_own_expiry, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, restart_in_expiry, count_stop);
	k_timer_start(&t, K_NO_WAIT, K_NO_WAIT);
	cr_assert(wait_atleast(&expiries, 3));
	settle(30);
	cr_assert_eq(atomic_load(&expiries), 3);
	cr_assert_eq(atomic_load(&stops), 0);
}

Test(timer, status_get_resets, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, count_expiry, NULL);
	k_timer_start(&t, K_NO_WAIT, K_NO_WAIT);
	cr_assert(wait_atleast(&expiries, 1));
	cr_assert_eq(k_timer_status_get(&t), 1);
	cr_assert_eq(k_timer_status_get(&t), 0);
}

Test(timer, restart_resets_status, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, count_expiry, count_stop);
	k_timer_start(&t, K_NO_WAIT, K_NO_WAIT);
	cr_assert(wait_atleast(&expiries, 1));
	k_timer_start(&t, K_SECONDS(100), K_NO_WAIT);
	cr_assert_eq(k_timer_status_get(&t), 0);
	k_timer_start(&t, K_SECONDS(100), K_NO_WAIT); /* restart while running */
	cr_assert_eq(atomic_load(&stops), 0);         /* is not a stop */
	k_timer_stop(&t);
	cr_assert_eq(atomic_load(&stops), 1);
}

Test(timer, status_sync_blocks_until_expiry, .timeout = TMO)
{
	static struct k_timer t;
	int64_t before;

	k_timer_init(&t, NULL, NULL);
	before = k_uptime_get();
	k_timer_start(&t, K_MSEC(40), K_NO_WAIT);
	cr_assert_eq(k_timer_status_sync(&t), 1);
	cr_assert_geq(k_uptime_get(), before + 40);
	cr_assert_eq(k_timer_status_get(&t), 0); /* sync reset it */
}

Test(timer, status_sync_returns_pending_status_at_once, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, count_expiry, NULL);
	k_timer_start(&t, K_NO_WAIT, K_MSEC(5));
	cr_assert(wait_atleast(&expiries, 2));
	cr_assert_geq(k_timer_status_sync(&t), 2);
	k_timer_stop(&t);
}

Test(timer, status_sync_not_running_returns_0, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, NULL, NULL);
	cr_assert_eq(k_timer_status_sync(&t), 0);
	k_timer_start(&t, K_FOREVER, K_NO_WAIT); /* no effect */
	cr_assert_eq(k_timer_status_sync(&t), 0);
	cr_assert_eq(k_timer_remaining_ticks(&t), 0);
}

static void *stop_later(void *arg)
{
	k_msleep(30);
	k_timer_stop(arg);
	return NULL;
}

Test(timer, status_sync_released_by_stop, .timeout = TMO)
{
	static struct k_timer t;
	pthread_t th;

	k_timer_init(&t, NULL, count_stop);
	k_timer_start(&t, K_SECONDS(100), K_NO_WAIT);
	cr_assert_eq(pthread_create(&th, NULL, stop_later, &t), 0);
	cr_assert_eq(k_timer_status_sync(&t), 0);
	cr_assert_eq(atomic_load(&stops), 1);
	pthread_join(th, NULL);
}

static struct k_timer long_timer;
static atomic_int sync_in_isr_result = -1;

static void sync_other_in_isr(struct k_timer *t)
{
	(void)t;
	atomic_store(&sync_in_isr_result, (int)k_timer_status_sync(&long_timer));
}

Test(timer, status_sync_in_isr_does_not_block, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&long_timer, NULL, NULL);
	k_timer_start(&long_timer, K_SECONDS(100), K_NO_WAIT);
	k_timer_init(&t, sync_other_in_isr, NULL);
	k_timer_start(&t, K_NO_WAIT, K_NO_WAIT);
	for (int i = 0; i < FOREVER_MS && atomic_load(&sync_in_isr_result) < 0; i++) {
		k_msleep(1);
	}
	cr_assert_eq(atomic_load(&sync_in_isr_result), 0);
	cr_assert_gt(k_timer_remaining_ticks(&long_timer), 0); /* still running */
}

Test(timer, remaining_and_expires_bounds, .timeout = TMO)
{
	static struct k_timer t;
	int64_t before, after;
	uint32_t left;

	k_timer_init(&t, NULL, NULL);
	before = k_uptime_ticks();
	k_timer_start(&t, K_SECONDS(100), K_NO_WAIT);
	after = k_uptime_ticks();
	left = k_timer_remaining_get(&t);
	cr_assert_leq(left, 100000);
	cr_assert_geq(left, 90000);
	cr_assert_leq(k_timer_remaining_ticks(&t), 100000);
	cr_assert_geq(k_timer_expires_ticks(&t), before + 100000);
	cr_assert_leq(k_timer_expires_ticks(&t), after + 100000);
	k_timer_stop(&t);
	cr_assert_eq(k_timer_remaining_get(&t), 0);
	before = k_uptime_ticks();
	cr_assert_geq(k_timer_expires_ticks(&t), before); /* not running: now */
	cr_assert_leq(k_timer_expires_ticks(&t), k_uptime_ticks());
}

Test(timer, absolute_start, .timeout = TMO)
{
	static struct k_timer t;
	int64_t far = k_uptime_get() + 100000, at;

	k_timer_init(&t, count_expiry, NULL);
	k_timer_start(&t, K_TIMEOUT_ABS_MS(far), K_NO_WAIT);
	cr_assert_eq(k_timer_expires_ticks(&t), far);
	at = k_uptime_get() + 30;
	k_timer_start(&t, K_TIMEOUT_ABS_MS(at), K_NO_WAIT);
	cr_assert_eq(k_timer_status_sync(&t), 1);
	cr_assert_geq(atomic_load(&expiry_uptime), at);
}

Test(timer, absolute_start_in_the_past_fires_at_once, .timeout = TMO)
{
	static struct k_timer t;

	k_timer_init(&t, NULL, NULL);
	k_timer_start(&t, K_TIMEOUT_ABS_MS(0), K_NO_WAIT);
	cr_assert_eq(k_timer_status_sync(&t), 1);
}

static atomic_int order[2], order_n;

static void note_order(struct k_timer *t)
{
	atomic_store(&order[atomic_fetch_add(&order_n, 1)], (int)(intptr_t)k_timer_user_data_get(t));
}

Test(timer, earlier_deadline_first_and_user_data, .timeout = TMO)
{
	static struct k_timer a, b;

	k_timer_init(&a, note_order, NULL);
	k_timer_init(&b, note_order, NULL);
	cr_assert_null(k_timer_user_data_get(&a));
	k_timer_user_data_set(&a, (void *)(intptr_t)1);
	k_timer_user_data_set(&b, (void *)(intptr_t)2);
	k_timer_start(&a, K_MSEC(60 * scale()), K_NO_WAIT);
	k_timer_start(&b, K_MSEC(10), K_NO_WAIT);
	cr_assert(wait_atleast(&order_n, 2));
	cr_assert_eq(atomic_load(&order[0]), 2);
	cr_assert_eq(atomic_load(&order[1]), 1);
}

static K_TIMER_DEFINE(defined_timer, count_expiry, count_stop);

Test(timer, k_timer_define, .timeout = TMO)
{
	k_timer_start(&defined_timer, K_MSEC(1), K_NO_WAIT);
	cr_assert_eq(k_timer_status_sync(&defined_timer), 1);
	cr_assert_eq(atomic_load(&expiries), 1);
}

/* --------------------------------------------------------------- work */

static struct k_work_q q1, q2;
static K_SEM_DEFINE(gate, 0, 100);    /* a gated handler waits here */
static K_SEM_DEFINE(started, 0, 100); /* given when a gated handler starts */
static K_SEM_DEFINE(finished, 0, 100);
static atomic_int runs, runs_in_isr;
static pthread_t run_thread[8];

/* Wait until the item is idle (its handler has returned), up to 20 s. */
static bool wait_idle(const struct k_work *w)
{
	for (int i = 0; i < FOREVER_MS; i++) {
		if (k_work_busy_get(w) == 0) {
			return true;
		}
		k_msleep(1);
	}
	return false;
}

/*
 * Timers and work items of a test are static, not on its stack: a queue or
 * timer thread may still touch one (flags, list links) just after the
 * test's last wait, when the test function has returned and its frame is
 * reused (each test runs in its own process, so statics start fresh).
 */
static void start_q(struct k_work_q *q, const char *name)
{
	struct k_work_queue_config cfg = {.name = name};

	k_work_queue_init(q);
	k_work_queue_start(q, NULL, 0, K_PRIO_PREEMPT(1), &cfg);
}

static void counted(struct k_work *w)
{
	int n = atomic_fetch_add(&runs, 1);

	(void)w;
	if (n < 8) {
		run_thread[n] = pthread_self();
	}
	if (k_is_in_isr()) {
		atomic_fetch_add(&runs_in_isr, 1);
	}
	k_sem_give(&finished);
}

static void gated(struct k_work *w)
{
	k_sem_give(&started);
	cr_assert_eq(k_sem_take(&gate, K_SECONDS(20)), 0);
	counted(w);
}

static void *open_gate_later(void *arg)
{
	(void)arg;
	k_msleep(40);
	k_sem_give(&gate);
	return NULL;
}

/* Drain `q` while its gated handler still blocks: the drain must wait. */
static int drain_while_gate_opens(struct k_work_q *q, bool plug)
{
	pthread_t th;
	int rc;

	cr_assert_eq(pthread_create(&th, NULL, open_gate_later, NULL), 0);
	rc = k_work_queue_drain(q, plug);
	pthread_join(th, NULL);
	return rc;
}

Test(work, submit_return_codes, .timeout = TMO)
{
	static struct k_work blocker, w;

	start_q(&q1, "q1");
	k_work_init(&blocker, gated);
	k_work_init(&w, counted);
	cr_assert_eq(k_work_submit_to_queue(&q1, &blocker), 1);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	cr_assert_eq(k_work_submit_to_queue(&q1, &w), 1);
	cr_assert_eq(k_work_submit_to_queue(&q1, &w), 0); /* already queued */
	cr_assert_eq(k_work_submit_to_queue(NULL, &w), 0);
	k_sem_give(&gate);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(atomic_load(&runs), 2);
	cr_assert(wait_idle(&w));
	/* NULL: the queue of the last submission. */
	cr_assert_eq(k_work_submit_to_queue(NULL, &w), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
}

Test(work, submit_while_running_returns_2_same_thread, .timeout = TMO)
{
	static struct k_work w;

	start_q(&q1, "q1");
	start_q(&q2, "q2");
	k_work_init(&w, gated);
	cr_assert_eq(k_work_submit_to_queue(&q1, &w), 1);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	cr_assert_eq(k_work_busy_get(&w), K_WORK_RUNNING);
	/* Asked for q2, but it runs on q1: queued back there. */
	cr_assert_eq(k_work_submit_to_queue(&q2, &w), 2);
	cr_assert_eq(k_work_busy_get(&w), K_WORK_RUNNING | K_WORK_QUEUED);
	k_sem_give(&gate);
	k_sem_give(&gate);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(atomic_load(&runs), 2);
	cr_assert(pthread_equal(run_thread[0], run_thread[1]));
}

Test(work, submit_errors, .timeout = TMO)
{
	static struct k_work_q never_started;
	K_WORK_DEFINE(w, counted);

	cr_assert_eq(k_work_submit_to_queue(NULL, &w), -EINVAL); /* never submitted */
	cr_assert_eq(k_work_submit_to_queue(&never_started, &w), -ENODEV);
	cr_assert_eq(k_work_busy_get(&w), 0);
	cr_assert_null(k_work_queue_thread_get(&never_started));
	cr_assert_eq(k_work_queue_drain(&never_started, false), -ENODEV);
}

Test(work, busy_flags_and_pending, .timeout = TMO)
{
	static struct k_work blocker, w;

	start_q(&q1, "q1");
	k_work_init(&blocker, gated);
	k_work_init(&w, counted);
	cr_assert_eq(k_work_busy_get(&w), 0);
	cr_assert_not(k_work_is_pending(&w));
	k_work_submit_to_queue(&q1, &blocker);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	k_work_submit_to_queue(&q1, &w);
	cr_assert_eq(k_work_busy_get(&w), K_WORK_QUEUED);
	cr_assert(k_work_is_pending(&w));
	k_sem_give(&gate);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert(wait_idle(&w));
}

Test(work, handlers_run_in_thread_context, .timeout = TMO)
{
	static struct k_work w;

	start_q(&q1, "q1");
	k_work_init(&w, counted);
	cr_assert_eq(k_work_submit_to_queue(&q1, &w), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(atomic_load(&runs_in_isr), 0);
}

Test(work, cancel_queued_item_never_runs, .timeout = TMO)
{
	static struct k_work blocker, w;

	start_q(&q1, "q1");
	k_work_init(&blocker, gated);
	k_work_init(&w, counted);
	k_work_submit_to_queue(&q1, &blocker);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	k_work_submit_to_queue(&q1, &w);
	cr_assert_eq(k_work_cancel(&w), 0);
	cr_assert_eq(k_work_busy_get(&w), 0);
	cr_assert_eq(drain_while_gate_opens(&q1, false), 1);
	cr_assert_eq(atomic_load(&runs), 1); /* the blocker only */
}

Test(work, cancel_running_is_canceling_until_done, .timeout = TMO)
{
	static struct k_work w;

	start_q(&q1, "q1");
	k_work_init(&w, gated);
	k_work_submit_to_queue(&q1, &w);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	cr_assert_eq(k_work_cancel(&w), K_WORK_RUNNING | K_WORK_CANCELING);
	cr_assert_eq(k_work_submit_to_queue(&q1, &w), -EBUSY);
	k_sem_give(&gate);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert(wait_idle(&w));
	k_work_init(&w, counted);
	cr_assert_eq(k_work_submit_to_queue(&q1, &w), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
}

Test(work, cancel_sync_waits_for_running_handler, .timeout = TMO)
{
	static struct k_work w;
	struct k_work_sync sync;
	pthread_t th;

	start_q(&q1, "q1");
	k_work_init(&w, gated);
	cr_assert_not(k_work_cancel_sync(&w, &sync)); /* idle */
	k_work_submit_to_queue(&q1, &w);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	cr_assert_eq(pthread_create(&th, NULL, open_gate_later, NULL), 0);
	cr_assert(k_work_cancel_sync(&w, &sync));
	cr_assert_eq(atomic_load(&runs), 1); /* the handler had returned */
	cr_assert_eq(k_work_busy_get(&w), 0);
	pthread_join(th, NULL);
}

Test(work, cancel_sync_of_queued_item, .timeout = TMO)
{
	static struct k_work blocker, w;
	struct k_work_sync sync;

	start_q(&q1, "q1");
	k_work_init(&blocker, gated);
	k_work_init(&w, counted);
	k_work_submit_to_queue(&q1, &blocker);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	k_work_submit_to_queue(&q1, &w);
	cr_assert(k_work_cancel_sync(&w, &sync));
	cr_assert_eq(k_work_busy_get(&w), 0);
	cr_assert_eq(drain_while_gate_opens(&q1, false), 1);
	cr_assert_eq(atomic_load(&runs), 1);
}

Test(work, flush_waits_for_queued_instance, .timeout = TMO)
{
	static struct k_work blocker, w;
	struct k_work_sync sync;
	pthread_t th;

	start_q(&q1, "q1");
	k_work_init(&blocker, gated);
	k_work_init(&w, counted);
	cr_assert_not(k_work_flush(&w, &sync)); /* idle */
	k_work_submit_to_queue(&q1, &blocker);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	k_work_submit_to_queue(&q1, &w);
	cr_assert_eq(pthread_create(&th, NULL, open_gate_later, NULL), 0);
	cr_assert(k_work_flush(&w, &sync));
	cr_assert_eq(atomic_load(&runs), 2);
	pthread_join(th, NULL);
}

Test(work, flush_waits_for_running_instance, .timeout = TMO)
{
	static struct k_work w;
	struct k_work_sync sync;
	pthread_t th;

	start_q(&q1, "q1");
	k_work_init(&w, gated);
	k_work_submit_to_queue(&q1, &w);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	cr_assert_eq(pthread_create(&th, NULL, open_gate_later, NULL), 0);
	cr_assert(k_work_flush(&w, &sync));
	cr_assert_eq(atomic_load(&runs), 1);
	pthread_join(th, NULL);
}

static struct k_work self_flusher;
static atomic_int self_flush_result = -1;

static void flush_myself(struct k_work *w)
{
	struct k_work_sync sync;

	atomic_store(&self_flush_result, k_work_flush(w, &sync) ? 1 : 0);
}

Test(work, flush_from_own_handler_refused_not_hung, .timeout = TMO)
{
	start_q(&q1, "q1");
	k_work_init(&self_flusher, flush_myself);
	k_work_submit_to_queue(&q1, &self_flusher);
	/* Plugged, the drain always waits (returns 1), even if the item has
	 * already run by the time it starts. */
	cr_assert_eq(k_work_queue_drain(&q1, true), 1);
	cr_assert_eq(k_work_queue_unplug(&q1), 0);
	cr_assert_eq(atomic_load(&self_flush_result), 0);
}

static struct k_work drainer;
static atomic_int drain_rc = -100;

static void drain_own_queue(struct k_work *w)
{
	(void)w;
	atomic_store(&drain_rc, k_work_queue_drain(&q1, false));
}

Test(work, drain_from_own_queue_is_edeadlk, .timeout = TMO)
{
	start_q(&q1, "q1");
	k_work_init(&drainer, drain_own_queue);
	cr_assert_eq(k_work_submit_to_queue(&q1, &drainer), 1);
	cr_assert_eq(k_work_queue_drain(&q1, true), 1); /* plugged: always waits */
	cr_assert_eq(k_work_queue_unplug(&q1), 0);
	cr_assert_eq(atomic_load(&drain_rc), -EDEADLK);
}

static struct k_timer flush_timer;
static struct k_work flushed_in_isr;
static atomic_int isr_flush_rc = -1;

static void flush_from_isr(struct k_timer *t)
{
	struct k_work_sync sync;

	(void)t;
	atomic_store(&isr_flush_rc, k_work_flush(&flushed_in_isr, &sync) ? 1 : 0);
	k_sem_give(&gate);
}

Test(work, flush_from_isr_refused_not_blocked, .timeout = TMO)
{
	start_q(&q1, "q1");
	k_work_init(&flushed_in_isr, gated);
	cr_assert_eq(k_work_submit_to_queue(&q1, &flushed_in_isr), 1);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	k_timer_init(&flush_timer, flush_from_isr, NULL);
	k_timer_start(&flush_timer, K_NO_WAIT, K_NO_WAIT); /* it opens the gate */
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(atomic_load(&isr_flush_rc), 0);
}

static struct k_timer isr_timer;
static struct k_work isr_work;
static atomic_int isr_submit_rc = -100;

static void submit_from_isr(struct k_timer *t)
{
	(void)t;
	atomic_store(&isr_submit_rc, k_work_submit_to_queue(&q1, &isr_work));
}

Test(work, submit_from_timer_expiry, .timeout = TMO)
{
	start_q(&q1, "q1");
	k_work_init(&isr_work, counted);
	k_timer_init(&isr_timer, submit_from_isr, NULL);
	k_timer_start(&isr_timer, K_MSEC(5), K_NO_WAIT);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	for (int i = 0; i < FOREVER_MS && atomic_load(&isr_submit_rc) == -100; i++) {
		k_msleep(1);
	}
	cr_assert_eq(atomic_load(&isr_submit_rc), 1);
	cr_assert_eq(atomic_load(&runs_in_isr), 0);
}

static K_SEM_DEFINE(a_in, 0, 1);
static K_SEM_DEFINE(b_in, 0, 1);
static atomic_int rendezvous_ok;

static void meet_a(struct k_work *w)
{
	(void)w;
	k_sem_give(&a_in);
	if (k_sem_take(&b_in, K_SECONDS(20)) == 0) {
		atomic_fetch_add(&rendezvous_ok, 1);
	}
	k_sem_give(&finished);
}

static void meet_b(struct k_work *w)
{
	(void)w;
	k_sem_give(&b_in);
	if (k_sem_take(&a_in, K_SECONDS(20)) == 0) {
		atomic_fetch_add(&rendezvous_ok, 1);
	}
	k_sem_give(&finished);
}

Test(work, two_queues_run_in_parallel, .timeout = TMO)
{
	static struct k_work a, b;

	start_q(&q1, "q1");
	start_q(&q2, "q2");
	k_work_init(&a, meet_a);
	k_work_init(&b, meet_b);
	cr_assert_eq(k_work_submit_to_queue(&q1, &a), 1);
	cr_assert_eq(k_work_submit_to_queue(&q2, &b), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(30)), 0);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(30)), 0);
	cr_assert_eq(atomic_load(&rendezvous_ok), 2);
}

static atomic_int inflight, max_inflight, order_seen[16], order_count;
static struct k_work items[16];

static void serial_index(struct k_work *w)
{
	int now = atomic_fetch_add(&inflight, 1) + 1;
	int m = atomic_load(&max_inflight);

	while (now > m && !atomic_compare_exchange_weak(&max_inflight, &m, now)) {
	}
	atomic_store(&order_seen[atomic_fetch_add(&order_count, 1)], (int)(w - items));
	k_busy_wait(500);
	atomic_fetch_sub(&inflight, 1);
}

Test(work, one_queue_runs_items_one_at_a_time_in_order, .timeout = TMO)
{
	start_q(&q1, "q1");
	for (int i = 0; i < 16; i++) {
		k_work_init(&items[i], serial_index);
	}
	for (int i = 0; i < 16; i++) {
		cr_assert_eq(k_work_submit_to_queue(&q1, &items[i]), 1);
	}
	cr_assert_eq(k_work_queue_drain(&q1, true), 1); /* plugged: always waits */
	cr_assert_eq(k_work_queue_unplug(&q1), 0);
	cr_assert_eq(atomic_load(&max_inflight), 1);
	cr_assert_eq(atomic_load(&order_count), 16);
	for (int i = 0; i < 16; i++) {
		cr_assert_eq(atomic_load(&order_seen[i]), i);
	}
}

Test(work, drain_with_plug_then_ebusy, .timeout = TMO)
{
	static struct k_work blocker, w[3];

	start_q(&q1, "q1");
	k_work_init(&blocker, gated);
	k_work_submit_to_queue(&q1, &blocker);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	for (int i = 0; i < 3; i++) {
		k_work_init(&w[i], counted);
		cr_assert_eq(k_work_submit_to_queue(&q1, &w[i]), 1);
	}
	cr_assert_eq(drain_while_gate_opens(&q1, true), 1);
	cr_assert_eq(atomic_load(&runs), 4); /* everything queued ran */
	cr_assert_eq(k_work_submit_to_queue(&q1, &w[0]), -EBUSY);
	cr_assert_eq(k_work_queue_unplug(&q1), 0);
	cr_assert_eq(k_work_queue_unplug(&q1), -EALREADY);
	cr_assert_eq(k_work_submit_to_queue(&q1, &w[0]), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert(wait_idle(&w[0]));
	cr_assert_eq(atomic_load(&runs), 5);
	cr_assert_eq(k_work_queue_drain(&q1, false), 0); /* idle */
}

static struct k_work chained;
static atomic_int chained_rc = -100, chained_runs;

static void resubmit_once(struct k_work *w)
{
	if (atomic_fetch_add(&chained_runs, 1) == 0) {
		k_msleep(20); /* the drain is under way by now */
		atomic_store(&chained_rc, k_work_submit_to_queue(&q1, w));
	}
}

Test(work, drain_accepts_chained_submission, .timeout = TMO)
{
	start_q(&q1, "q1");
	k_work_init(&chained, resubmit_once);
	k_work_submit_to_queue(&q1, &chained);
	cr_assert_eq(k_work_queue_drain(&q1, true), 1);
	cr_assert_eq(atomic_load(&chained_rc), 2);
	cr_assert_eq(atomic_load(&chained_runs), 2); /* before the drain returned */
	cr_assert_eq(k_work_queue_unplug(&q1), 0);
}

Test(work, system_queue, .timeout = TMO)
{
	static struct k_work w;
	k_tid_t tid;

	k_work_init(&w, counted);
	cr_assert_eq(k_work_submit(&w), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	tid = k_work_queue_thread_get(&k_sys_work_q);
	cr_assert_not_null(tid);
	cr_assert_str_eq(tid->name, "sysworkq");
	cr_assert(wait_idle(&w));
	cr_assert_eq(k_work_submit_to_queue(&k_sys_work_q, &w), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
}

Test(work, queue_thread_and_name, .timeout = TMO)
{
	k_tid_t tid;

	start_q(&q1, "my_queue");
	tid = k_work_queue_thread_get(&q1);
	cr_assert_not_null(tid);
	cr_assert_str_eq(tid->name, "my_queue");
}

/* -------------------------------------------------------- delayable work */

static atomic_llong ran_at;
static struct k_work_delayable *from_work;

static void delayed(struct k_work *w)
{
	from_work = k_work_delayable_from_work(w);
	atomic_store(&ran_at, k_uptime_get());
	counted(w);
}

Test(delayable, schedule_runs_after_delay, .timeout = TMO)
{
	static struct k_work_delayable dw;
	int64_t before, after;
	int d = 50 * scale();
	k_ticks_t left;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	before = k_uptime_ticks();
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_MSEC(d)), 1);
	after = k_uptime_ticks();
	cr_assert_eq(k_work_delayable_busy_get(&dw), K_WORK_DELAYED);
	cr_assert(k_work_delayable_is_pending(&dw));
	left = k_work_delayable_remaining_get(&dw);
	cr_assert_leq(left, d);
	cr_assert_geq(k_work_delayable_expires_get(&dw), before + d);
	cr_assert_leq(k_work_delayable_expires_get(&dw), after + d);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_geq(atomic_load(&ran_at), before + d);
	cr_assert_eq(from_work, &dw);
	cr_assert_eq(k_work_delayable_remaining_get(&dw), 0);
}

Test(delayable, schedule_no_effect_when_scheduled, .timeout = TMO)
{
	static struct k_work_delayable dw;
	k_ticks_t at;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_MSEC(80 * scale())), 1);
	at = k_work_delayable_expires_get(&dw);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_MSEC(1)), 0);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_NO_WAIT), 0);
	cr_assert_eq(k_work_delayable_expires_get(&dw), at);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_geq(atomic_load(&ran_at), at);
	settle(20);
	cr_assert_eq(atomic_load(&runs), 1);
}

Test(delayable, reschedule_replaces_deadline, .timeout = TMO)
{
	static struct k_work_delayable dw;
	k_ticks_t first;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_SECONDS(100)), 1);
	first = k_work_delayable_expires_get(&dw);
	cr_assert_eq(k_work_reschedule_for_queue(&q1, &dw, K_MSEC(10)), 1);
	cr_assert_lt(k_work_delayable_expires_get(&dw), first);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	settle(20);
	cr_assert_eq(atomic_load(&runs), 1);
}

Test(delayable, reschedule_no_wait_of_queued_returns_0, .timeout = TMO)
{
	static struct k_work blocker;
	static struct k_work_delayable dw;

	start_q(&q1, "q1");
	k_work_init(&blocker, gated);
	k_work_init_delayable(&dw, delayed);
	k_work_submit_to_queue(&q1, &blocker);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_NO_WAIT), 1);
	cr_assert_eq(k_work_delayable_busy_get(&dw), K_WORK_QUEUED);
	cr_assert_eq(k_work_reschedule_for_queue(&q1, &dw, K_NO_WAIT), 0);
	/* With a delay, reschedule also arms the timer of a queued item. */
	cr_assert_eq(k_work_reschedule_for_queue(&q1, &dw, K_SECONDS(100)), 1);
	cr_assert_eq(k_work_delayable_busy_get(&dw), K_WORK_QUEUED | K_WORK_DELAYED);
	cr_assert_eq(k_work_cancel_delayable(&dw), 0);
	cr_assert_eq(drain_while_gate_opens(&q1, false), 1);
	cr_assert_eq(atomic_load(&runs), 1); /* the blocker only */
}

Test(delayable, schedule_no_wait_submits, .timeout = TMO)
{
	static struct k_work_delayable dw;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_NO_WAIT), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(from_work, &dw);
}

Test(delayable, cancel_scheduled, .timeout = TMO)
{
	static struct k_work_delayable dw;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_MSEC(30 * scale())), 1);
	cr_assert_eq(k_work_cancel_delayable(&dw), 0);
	cr_assert_not(k_work_delayable_is_pending(&dw));
	cr_assert_eq(k_work_delayable_remaining_get(&dw), 0);
	settle(80);
	cr_assert_eq(atomic_load(&runs), 0);
}

Test(delayable, cancel_sync_waits_for_running_handler, .timeout = TMO)
{
	static struct k_work_delayable dw;
	struct k_work_sync sync;
	pthread_t th;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, gated);
	cr_assert_not(k_work_cancel_delayable_sync(&dw, &sync));
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_MSEC(1)), 1);
	cr_assert_eq(k_sem_take(&started, K_SECONDS(20)), 0);
	cr_assert_eq(k_work_reschedule_for_queue(&q1, &dw, K_SECONDS(100)), 1);
	cr_assert_eq(pthread_create(&th, NULL, open_gate_later, NULL), 0);
	cr_assert(k_work_cancel_delayable_sync(&dw, &sync));
	cr_assert_eq(atomic_load(&runs), 1);
	cr_assert_eq(k_work_delayable_busy_get(&dw), 0);
	pthread_join(th, NULL);
}

Test(delayable, flush_submits_at_once, .timeout = TMO)
{
	static struct k_work_delayable dw;
	struct k_work_sync sync;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_not(k_work_flush_delayable(&dw, &sync));
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_SECONDS(100)), 1);
	cr_assert(k_work_flush_delayable(&dw, &sync));
	cr_assert_eq(atomic_load(&runs), 1);
	cr_assert_eq(k_work_delayable_busy_get(&dw), 0);
}

Test(delayable, forever_stays_delayed, .timeout = TMO)
{
	static struct k_work_delayable dw;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_FOREVER), 1);
	cr_assert_eq(k_work_delayable_busy_get(&dw), K_WORK_DELAYED);
	cr_assert_eq(k_work_delayable_remaining_get(&dw), 0);
	settle(30);
	cr_assert_eq(atomic_load(&runs), 0);
	cr_assert_eq(k_work_cancel_delayable(&dw), 0);
}

Test(delayable, absolute_delay, .timeout = TMO)
{
	static struct k_work_delayable dw;
	int64_t far = k_uptime_get() + 100000, at;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_TIMEOUT_ABS_MS(far)), 1);
	cr_assert_eq(k_work_delayable_expires_get(&dw), far);
	at = k_uptime_get() + 30;
	cr_assert_eq(k_work_reschedule_for_queue(&q1, &dw, K_TIMEOUT_ABS_MS(at)), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_geq(atomic_load(&ran_at), at);
}

Test(delayable, plugged_queue_refuses_expired_delay, .timeout = TMO)
{
	static struct k_work_delayable dw;

	start_q(&q1, "q1");
	k_work_init_delayable(&dw, delayed);
	cr_assert_eq(k_work_queue_drain(&q1, true), 1);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_MSEC(5)), 1);
	settle(50);
	cr_assert_eq(atomic_load(&runs), 0);
	cr_assert_eq(k_work_delayable_busy_get(&dw), 0);
	cr_assert_eq(k_work_schedule_for_queue(&q1, &dw, K_NO_WAIT), -EBUSY);
}

static K_WORK_DELAYABLE_DEFINE(defined_dwork, delayed);

Test(delayable, define_and_system_queue, .timeout = TMO)
{
	cr_assert_eq(k_work_schedule(&defined_dwork, K_MSEC(20 * scale())), 1);
	cr_assert_eq(k_work_schedule(&defined_dwork, K_MSEC(1)), 0);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
	cr_assert_eq(from_work, &defined_dwork);
	cr_assert(wait_idle(&defined_dwork.work));
	cr_assert_eq(k_work_reschedule(&defined_dwork, K_NO_WAIT), 1);
	cr_assert_eq(k_sem_take(&finished, K_SECONDS(20)), 0);
}
