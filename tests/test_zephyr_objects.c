/*
 * Kernel objects of the Zephyr compat layer (zephyr/kernel/emu_objects.h):
 * exact return codes and values of k_msgq, k_fifo/k_lifo/k_queue, k_event,
 * k_poll and signals, spinlocks and irq_lock, thread abort/suspend/resume,
 * k_wakeup, k_uptime_delta and absolute timeouts; blocking then timing out,
 * a producer thread waking a consumer, and calls from (simulated) ISR
 * context, where every timeout counts as K_NO_WAIT.
 *
 * Timing: assertions are on order and counts; the only time checks are
 * lower bounds ("did not return before its timeout").  Waits for another
 * thread use generous upper limits, scaled under Valgrind.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/ipc_service.h"
#include "port.h"
#include "zephyr_isr.h"
#include <zephyr/kernel.h>

TestSuite(zobj, .timeout = 30);

static int scale(void)
{
	return getenv("VALGRIND") != NULL ? 20 : 1;
}

/* Wait (sleeping) until *flag becomes non-zero; false after `ms` (scaled). */
static bool wait_flag(int *flag, int ms)
{
	int64_t end = k_uptime_get() + (int64_t)ms * scale();

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) {
		if (k_uptime_get() > end) {
			return false;
		}
		k_msleep(1);
	}
	return true;
}

static struct k_thread th;
static struct k_thread th2;
static K_THREAD_STACK_DEFINE(stack, 1024);
static K_THREAD_STACK_DEFINE(stack2, 1024);

static k_tid_t spawn(struct k_thread *t, k_thread_entry_t fn, void *arg)
{
	return k_thread_create(t, t == &th ? stack : stack2, 1024, fn, arg, NULL, NULL,
			       K_PRIO_PREEMPT(1), 0, K_NO_WAIT);
}

/* ================================================================= msgq */

K_MSGQ_DEFINE(defq, sizeof(uint32_t), 3, 4);

Test(zobj, msgq_fifo_order_and_counts)
{
	uint32_t v;
	struct k_msgq_attrs a;

	cr_assert_eq(k_msgq_num_free_get(&defq), 3);
	cr_assert_eq(k_msgq_num_used_get(&defq), 0);
	for (uint32_t i = 1; i <= 3; i++) {
		cr_assert_eq(k_msgq_put(&defq, &i, K_NO_WAIT), 0);
	}
	v = 99;
	cr_assert_eq(k_msgq_put(&defq, &v, K_NO_WAIT), -ENOMSG);
	k_msgq_get_attrs(&defq, &a);
	cr_assert_eq(a.msg_size, sizeof(uint32_t));
	cr_assert_eq(a.max_msgs, 3);
	cr_assert_eq(a.used_msgs, 3);
	cr_assert_eq(k_msgq_num_free_get(&defq), 0);
	cr_assert_eq(k_msgq_peek(&defq, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(k_msgq_peek_at(&defq, &v, 2), 0);
	cr_assert_eq(v, 3);
	cr_assert_eq(k_msgq_peek_at(&defq, &v, 3), -ENOMSG);
	for (uint32_t i = 1; i <= 3; i++) {
		cr_assert_eq(k_msgq_get(&defq, &v, K_NO_WAIT), 0);
		cr_assert_eq(v, i);
	}
	cr_assert_eq(k_msgq_get(&defq, &v, K_NO_WAIT), -ENOMSG);
	cr_assert_eq(k_msgq_peek(&defq, &v), -ENOMSG);
}

Test(zobj, msgq_wraps_and_put_front)
{
	char buf[3 * sizeof(uint16_t)];
	struct k_msgq q;
	uint16_t v;

	k_msgq_init(&q, buf, sizeof(uint16_t), 3);
	/* Go round the ring several times. */
	for (uint16_t i = 0; i < 10; i++) {
		cr_assert_eq(k_msgq_put(&q, &i, K_NO_WAIT), 0);
		cr_assert_eq(k_msgq_get(&q, &v, K_NO_WAIT), 0);
		cr_assert_eq(v, i);
	}
	v = 1;
	cr_assert_eq(k_msgq_put(&q, &v, K_NO_WAIT), 0);
	v = 2;
	cr_assert_eq(k_msgq_put_front(&q, &v), 0);
	v = 3;
	cr_assert_eq(k_msgq_put_front(&q, &v), 0);
	cr_assert_eq(k_msgq_put_front(&q, &v), -ENOMSG);
	for (uint16_t want = 3; want >= 1; want--) {
		cr_assert_eq(k_msgq_get(&q, &v, K_NO_WAIT), 0);
		cr_assert_eq(v, want);
	}
}

Test(zobj, msgq_get_times_out_with_eagain)
{
	uint32_t v;
	int64_t t0 = k_uptime_get();

	cr_assert_eq(k_msgq_get(&defq, &v, K_MSEC(30)), -EAGAIN);
	cr_assert_geq(k_uptime_get() - t0, 30);
	v = 7;
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(k_msgq_put(&defq, &v, K_NO_WAIT), 0);
	}
	t0 = k_uptime_get();
	cr_assert_eq(k_msgq_put(&defq, &v, K_MSEC(30)), -EAGAIN);
	cr_assert_geq(k_uptime_get() - t0, 30);
}

static int producer_started;

static void producer(void *p1, void *p2, void *p3)
{
	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	k_msleep(20);
	for (uint32_t i = 100; i < 110; i++) {
		cr_assert_eq(k_msgq_put(p1, &i, K_FOREVER), 0);
	}
}

Test(zobj, msgq_producer_wakes_blocked_consumer)
{
	uint32_t v;

	spawn(&th, producer, &defq);
	/* The queue holds 3: the producer blocks in put, the consumer in get. */
	for (uint32_t i = 100; i < 110; i++) {
		cr_assert_eq(k_msgq_get(&defq, &v, K_FOREVER), 0);
		cr_assert_eq(v, i);
	}
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
}

static int purge_rc = 1;

static void blocked_writer(void *p1, void *p2, void *p3)
{
	uint32_t v = 5;

	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&purge_rc, k_msgq_put(p1, &v, K_FOREVER), __ATOMIC_RELEASE);
}

Test(zobj, msgq_purge_releases_writer_with_enomsg)
{
	uint32_t v = 1;

	for (int i = 0; i < 3; i++) {
		cr_assert_eq(k_msgq_put(&defq, &v, K_NO_WAIT), 0);
	}
	spawn(&th, blocked_writer, &defq);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20); /* let it block */
	cr_assert_eq(k_msgq_cleanup(&defq), -EBUSY);
	k_msgq_purge(&defq);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(purge_rc, -ENOMSG);
	cr_assert_eq(k_msgq_num_used_get(&defq), 0);
	cr_assert_eq(k_msgq_cleanup(&defq), 0); /* static buffer: nothing freed */
}

Test(zobj, msgq_alloc_init_and_cleanup)
{
	struct k_msgq q;
	uint64_t v = 0x1122334455667788u;

	cr_assert_eq(k_msgq_alloc_init(&q, SIZE_MAX / 2, 4), -EINVAL);
	cr_assert_eq(k_msgq_alloc_init(&q, sizeof(v), 2), 0);
	cr_assert_eq(k_msgq_put(&q, &v, K_NO_WAIT), 0);
	v = 0;
	cr_assert_eq(k_msgq_get(&q, &v, K_NO_WAIT), 0);
	cr_assert_eq(v, 0x1122334455667788u);
	cr_assert_eq(k_msgq_cleanup(&q), 0); /* valgrind: the buffer is freed */
	cr_assert_eq(k_msgq_put(&q, &v, K_NO_WAIT), -ENOMSG);
	cr_assert_eq(k_msgq_get(&q, &v, K_NO_WAIT), -ENOMSG);
}

/* ================================================================ fifo */

struct item {
	void *reserved; /* the kernel's word */
	int v;
};

K_FIFO_DEFINE(fifo);
K_LIFO_DEFINE(lifo);

Test(zobj, fifo_order_peek_and_empty)
{
	struct item a = {.v = 1}, b = {.v = 2}, c = {.v = 3};
	struct item *p;

	cr_assert_neq(k_fifo_is_empty(&fifo), 0);
	cr_assert_null(k_fifo_peek_head(&fifo));
	cr_assert_null(k_fifo_get(&fifo, K_NO_WAIT));
	k_fifo_put(&fifo, &a);
	k_fifo_put(&fifo, &b);
	cr_assert_eq(k_fifo_alloc_put(&fifo, &c), 0);
	cr_assert_eq(k_fifo_is_empty(&fifo), 0);
	cr_assert_eq(k_fifo_peek_head(&fifo), &a);
	cr_assert_eq(k_fifo_peek_tail(&fifo), &c);
	p = k_fifo_get(&fifo, K_NO_WAIT);
	cr_assert_eq(p, &a);
	p = k_fifo_get(&fifo, K_NO_WAIT);
	cr_assert_eq(p, &b);
	p = k_fifo_get(&fifo, K_NO_WAIT); /* the allocated node is freed */
	cr_assert_eq(p, &c);
	cr_assert_eq(c.reserved, NULL);   /* alloc_put leaves the item alone */
	cr_assert_null(k_fifo_get(&fifo, K_NO_WAIT));
	cr_assert_neq(k_fifo_is_empty(&fifo), 0);
}

Test(zobj, fifo_put_list_and_lifo_order)
{
	struct item a = {.v = 1}, b = {.v = 2}, c = {.v = 3};

	a.reserved = &b;
	b.reserved = &c;
	c.reserved = NULL;
	cr_assert_eq(k_fifo_put_list(&fifo, NULL, &c), -EINVAL);
	cr_assert_eq(k_fifo_put_list(&fifo, &a, &c), 0);
	cr_assert_eq(k_fifo_get(&fifo, K_NO_WAIT), &a);
	cr_assert_eq(k_fifo_get(&fifo, K_NO_WAIT), &b);
	cr_assert_eq(k_fifo_get(&fifo, K_NO_WAIT), &c);
	cr_assert_null(k_fifo_get(&fifo, K_NO_WAIT));

	k_lifo_put(&lifo, &a);
	k_lifo_put(&lifo, &b);
	cr_assert_eq(k_lifo_alloc_put(&lifo, &c), 0);
	cr_assert_eq(k_lifo_get(&lifo, K_NO_WAIT), &c);
	cr_assert_eq(k_lifo_get(&lifo, K_NO_WAIT), &b);
	cr_assert_eq(k_lifo_get(&lifo, K_NO_WAIT), &a);
	cr_assert_null(k_lifo_get(&lifo, K_NO_WAIT));
}

Test(zobj, fifo_put_slist_empties_the_list)
{
	struct item a = {.v = 1}, b = {.v = 2};
	sys_slist_t list;

	sys_slist_init(&list);
	cr_assert_eq(k_fifo_put_slist(&fifo, &list), -EINVAL);
	sys_slist_append(&list, (sys_snode_t *)&a);
	sys_slist_append(&list, (sys_snode_t *)&b);
	cr_assert_eq(k_fifo_put_slist(&fifo, &list), 0);
	cr_assert(sys_slist_is_empty(&list));
	cr_assert_eq(k_fifo_get(&fifo, K_NO_WAIT), &a);
	cr_assert_eq(k_fifo_get(&fifo, K_NO_WAIT), &b);
	cr_assert_null(k_fifo_get(&fifo, K_NO_WAIT));
}

Test(zobj, queue_remove_insert_unique)
{
	struct k_queue q;
	struct item a = {.v = 1}, b = {.v = 2}, c = {.v = 3};

	k_queue_init(&q);
	k_queue_append(&q, &a);
	k_queue_append(&q, &c);
	k_queue_insert(&q, &a, &b);
	cr_assert_eq(k_queue_unique_append(&q, &b), false);
	cr_assert_eq(k_queue_remove(&q, &c), true);
	cr_assert_eq(k_queue_remove(&q, &c), false);
	cr_assert_eq(k_queue_peek_tail(&q), &b);
	cr_assert_eq(k_queue_unique_append(&q, &c), true);
	cr_assert_eq(k_queue_get(&q, K_NO_WAIT), &a);
	cr_assert_eq(k_queue_get(&q, K_NO_WAIT), &b);
	cr_assert_eq(k_queue_get(&q, K_NO_WAIT), &c);
	cr_assert_eq(k_queue_is_empty(&q), 1);
}

Test(zobj, fifo_get_times_out_with_null)
{
	int64_t t0 = k_uptime_get();

	cr_assert_null(k_fifo_get(&fifo, K_MSEC(30)));
	cr_assert_geq(k_uptime_get() - t0, 30);
}

static void *fifo_got = (void *)1;

static void fifo_getter(void *p1, void *p2, void *p3)
{
	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&fifo_got, k_fifo_get(p1, K_FOREVER), __ATOMIC_RELEASE);
}

Test(zobj, fifo_put_wakes_blocked_getter)
{
	struct item a = {.v = 1};

	spawn(&th, fifo_getter, &fifo);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_fifo_put(&fifo, &a);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(fifo_got, &a);
}

Test(zobj, fifo_cancel_wait_returns_null)
{
	spawn(&th, fifo_getter, &fifo);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_fifo_cancel_wait(&fifo);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_null(fifo_got);
}

/* =============================================================== events */

K_QUEUE_DEFINE(defined_queue);

/* Objects initialised at run time (k_fifo_init, k_lifo_init, k_queue_init)
 * behave as the defined ones; k_queue_alloc_append returns 0 and its node
 * is freed by the get. */
Test(zobj, runtime_init_fifo_lifo_and_defined_queue)
{
	struct k_fifo f;
	struct k_lifo l;
	struct item a = {.v = 1}, b = {.v = 2}, c = {.v = 3};

	memset(&f, 0xa5, sizeof(f));
	memset(&l, 0xa5, sizeof(l));
	k_fifo_init(&f);
	k_lifo_init(&l);
	cr_assert_neq(k_fifo_is_empty(&f), 0);
	cr_assert_null(k_lifo_get(&l, K_NO_WAIT));
	k_fifo_put(&f, &a);
	k_fifo_put(&f, &b);
	cr_assert_eq(k_fifo_get(&f, K_NO_WAIT), &a);
	cr_assert_eq(k_fifo_get(&f, K_NO_WAIT), &b);
	cr_assert_null(k_fifo_get(&f, K_NO_WAIT));
	k_lifo_put(&l, &a);
	k_lifo_put(&l, &b);
	cr_assert_eq(k_lifo_get(&l, K_NO_WAIT), &b);
	cr_assert_eq(k_lifo_get(&l, K_NO_WAIT), &a);

	cr_assert_neq(k_queue_is_empty(&defined_queue), 0);
	k_queue_append(&defined_queue, &a);
	cr_assert_eq(k_queue_alloc_append(&defined_queue, &c), 0);
	cr_assert_eq(k_queue_peek_tail(&defined_queue), &c);
	cr_assert_eq(k_queue_get(&defined_queue, K_NO_WAIT), &a);
	cr_assert_eq(k_queue_get(&defined_queue, K_NO_WAIT), &c);
	cr_assert_null(k_queue_get(&defined_queue, K_NO_WAIT));
	cr_assert_eq(c.reserved, NULL); /* the allocated node held it, not c */
}

/* K_POLL_TYPE_DATA_AVAILABLE on a k_queue: not ready while empty (-EAGAIN
 * after the timeout), K_POLL_STATE_DATA_AVAILABLE once an item is there,
 * the item left in the queue. */
Test(zobj, poll_data_available_on_a_queue)
{
	struct k_queue q;
	struct item a = {.v = 1};
	struct k_poll_event e[1] = {
		K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_DATA_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, &q),
	};

	k_queue_init(&q);
	cr_assert_eq(k_poll(e, 1, K_NO_WAIT), -EAGAIN);
	cr_assert_eq(e[0].state, K_POLL_STATE_NOT_READY);
	k_queue_append(&q, &a);
	cr_assert_eq(k_poll(e, 1, K_MSEC(1000)), 0);
	cr_assert_eq(e[0].state, K_POLL_STATE_DATA_AVAILABLE);
	cr_assert_eq(k_queue_get(&q, K_NO_WAIT), &a);
}

/* k_event_init: no events set, then the same return values as a defined one. */
Test(zobj, event_init_starts_empty)
{
	struct k_event e;

	memset(&e, 0xff, sizeof(e));
	k_event_init(&e);
	cr_assert_eq(k_event_test(&e, 0xffffffffu), 0);
	cr_assert_eq(k_event_post(&e, 0x5), 0);
	cr_assert_eq(k_event_wait(&e, 0x4, false, K_NO_WAIT), 0x4);
	cr_assert_eq(k_event_test(&e, 0xffffffffu), 0x5);
}

K_EVENT_DEFINE(ev);

Test(zobj, event_return_values)
{
	cr_assert_eq(k_event_post(&ev, 0x3), 0);
	cr_assert_eq(k_event_post(&ev, 0x6), 0x2); /* the posted bits already set */
	cr_assert_eq(k_event_test(&ev, 0xff), 0x7);
	cr_assert_eq(k_event_set(&ev, 0x10), 0x7); /* all previous events */
	cr_assert_eq(k_event_test(&ev, 0xff), 0x10);
	cr_assert_eq(k_event_set_masked(&ev, 0x0f, 0x03), 0x0); /* previous within mask */
	cr_assert_eq(k_event_test(&ev, 0xff), 0x13);
	cr_assert_eq(k_event_set_masked(&ev, 0x00, 0x11), 0x11);
	cr_assert_eq(k_event_test(&ev, 0xff), 0x02);
	cr_assert_eq(k_event_clear(&ev, 0x06), 0x02); /* previous within events */
	cr_assert_eq(k_event_test(&ev, 0xff), 0x0);
	cr_assert_eq(k_event_test(&ev, 0x0), 0x0);
}

Test(zobj, event_wait_any_all_reset)
{
	k_event_post(&ev, 0x5);
	cr_assert_eq(k_event_wait(&ev, 0x6, false, K_NO_WAIT), 0x4);
	cr_assert_eq(k_event_wait_all(&ev, 0x6, false, K_NO_WAIT), 0);
	cr_assert_eq(k_event_wait_all(&ev, 0x5, false, K_NO_WAIT), 0x5);
	cr_assert_eq(k_event_wait(&ev, 0x0, false, K_NO_WAIT), 0);
	/* reset clears before waiting: nothing left to match */
	cr_assert_eq(k_event_wait(&ev, 0x5, true, K_NO_WAIT), 0);
	cr_assert_eq(k_event_test(&ev, 0xff), 0);
	k_event_post(&ev, 0x3);
	cr_assert_eq(k_event_wait_safe(&ev, 0x1, false, K_NO_WAIT), 0x1);
	cr_assert_eq(k_event_test(&ev, 0xff), 0x2); /* _safe consumed bit 0 */
}

Test(zobj, event_wait_times_out_with_zero)
{
	int64_t t0 = k_uptime_get();

	cr_assert_eq(k_event_wait_all(&ev, 0x3, false, K_MSEC(30)), 0);
	cr_assert_geq(k_uptime_get() - t0, 30);
}

static uint32_t ev_got = 0xdead;

static void ev_waiter_all(void *p1, void *p2, void *p3)
{
	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&ev_got, k_event_wait_all(p1, 0x3, false, K_FOREVER), __ATOMIC_RELEASE);
}

Test(zobj, event_post_releases_waiter_even_if_cleared)
{
	spawn(&th, ev_waiter_all, &ev);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_event_post(&ev, 0x1);
	k_msleep(10);
	cr_assert_eq(__atomic_load_n(&ev_got, __ATOMIC_ACQUIRE), 0xdead); /* not all yet */
	/* Posting then clearing at once: the waiter still gets what matched. */
	k_event_post(&ev, 0x2);
	k_event_clear(&ev, 0x3);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(ev_got, 0x3);
}

/* ================================================================= poll */

K_SEM_DEFINE(psem, 0, 1);
static struct k_poll_signal psig = K_POLL_SIGNAL_INITIALIZER(psig);

Test(zobj, poll_nothing_ready_eagain_then_each_type)
{
	uint32_t v = 3;
	struct item it = {.v = 1};
	struct k_poll_event evs[4] = {
		K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, &psem),
		K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_FIFO_DATA_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY,
					 &fifo),
		K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_MSGQ_DATA_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY,
					 &defq),
		K_POLL_EVENT_STATIC_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, &psig,
						42),
	};
	int64_t t0 = k_uptime_get();

	cr_assert_eq(evs[3].tag, 42);
	cr_assert_eq(k_poll(evs, 4, K_NO_WAIT), -EAGAIN);
	cr_assert_eq(k_poll(evs, 4, K_MSEC(30)), -EAGAIN);
	cr_assert_geq(k_uptime_get() - t0, 30);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(evs[i].state, K_POLL_STATE_NOT_READY);
	}

	k_sem_give(&psem);
	cr_assert_eq(k_poll(evs, 4, K_NO_WAIT), 0);
	cr_assert_eq(evs[0].state, K_POLL_STATE_SEM_AVAILABLE);
	cr_assert_eq(k_sem_take(&psem, K_NO_WAIT), 0); /* notify only: still there */
	evs[0].state = K_POLL_STATE_NOT_READY;

	k_fifo_put(&fifo, &it);
	cr_assert_eq(k_poll(evs, 4, K_NO_WAIT), 0);
	cr_assert_eq(evs[1].state, K_POLL_STATE_FIFO_DATA_AVAILABLE);
	cr_assert_eq(k_fifo_get(&fifo, K_NO_WAIT), &it);
	evs[1].state = K_POLL_STATE_NOT_READY;

	cr_assert_eq(k_msgq_put(&defq, &v, K_NO_WAIT), 0);
	cr_assert_eq(k_poll(evs, 4, K_NO_WAIT), 0);
	cr_assert_eq(evs[2].state, K_POLL_STATE_MSGQ_DATA_AVAILABLE);
	cr_assert_eq(evs[0].state | evs[1].state | evs[3].state, 0);
}

static void raiser(void *p1, void *p2, void *p3)
{
	(void)p2;
	(void)p3;
	k_msleep(20);
	cr_assert_eq(k_poll_signal_raise(p1, -77), 0);
}

Test(zobj, poll_signal_raised_from_another_thread)
{
	struct k_poll_event e;
	unsigned int signaled = 9;
	int result = 9;

	k_poll_signal_init(&psig);
	k_poll_signal_check(&psig, &signaled, &result);
	cr_assert_eq(signaled, 0);
	k_poll_event_init(&e, K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, &psig);
	spawn(&th, raiser, &psig);
	cr_assert_eq(k_poll(&e, 1, K_FOREVER), 0);
	cr_assert_eq(e.state, K_POLL_STATE_SIGNALED);
	k_poll_signal_check(&psig, &signaled, &result);
	cr_assert_eq(signaled, 1);
	cr_assert_eq(result, -77);
	k_poll_signal_reset(&psig);
	k_poll_signal_check(&psig, &signaled, &result);
	cr_assert_eq(signaled, 0);
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
}

static void canceller(void *p1, void *p2, void *p3)
{
	(void)p2;
	(void)p3;
	k_msleep(20);
	k_fifo_cancel_wait(p1);
}

Test(zobj, poll_fifo_cancel_wait_eintr)
{
	struct k_poll_event e[2] = {
		K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_FIFO_DATA_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY,
					 &fifo),
		K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, &psem),
	};

	spawn(&th, canceller, &fifo);
	cr_assert_eq(k_poll(e, 2, K_FOREVER), -EINTR);
	cr_assert_eq(e[0].state, K_POLL_STATE_CANCELLED);
	cr_assert_eq(e[1].state, K_POLL_STATE_NOT_READY);
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
}

Test(zobj, poll_bad_arguments_einval)
{
	struct k_poll_event e;

	k_poll_event_init(&e, 0x20, K_POLL_MODE_NOTIFY_ONLY, &psem);
	cr_assert_eq(k_poll(&e, 1, K_NO_WAIT), -EINVAL);
	k_poll_event_init(&e, K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, NULL);
	cr_assert_eq(k_poll(&e, 1, K_NO_WAIT), -EINVAL);
	cr_assert_eq(k_poll(&e, -1, K_NO_WAIT), -EINVAL);
	k_poll_event_init(&e, K_POLL_TYPE_IGNORE, K_POLL_MODE_NOTIFY_ONLY, NULL);
	cr_assert_eq(k_poll(&e, 1, K_NO_WAIT), -EAGAIN);
}

/* ============================================================ spinlocks */

#define SPIN_ROUNDS_NATIVE 20000
static int spin_rounds(void)
{
	return SPIN_ROUNDS_NATIVE / scale(); /* 1000 under Valgrind */
}
static struct k_spinlock slock;
static unsigned long counter; /* plain: only the lock protects it */

static void spin_worker(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	for (int i = 0; i < spin_rounds(); i++) {
		if (i % 2 == 0) {
			k_spinlock_key_t key = k_spin_lock(&slock);
			unsigned long c = counter;

			if (i % 64 == 0) {
				k_yield(); /* invite the other thread in */
			}
			counter = c + 1;
			k_spin_unlock(&slock, key);
		} else {
			K_SPINLOCK(&slock) {
				counter++;
			}
		}
	}
}

Test(zobj, spinlock_excludes_two_threads)
{
	spawn(&th, spin_worker, NULL);
	spawn(&th2, spin_worker, NULL);
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
	cr_assert_eq(k_thread_join(&th2, K_FOREVER), 0);
	cr_assert_eq(counter, 2ul * (unsigned long)spin_rounds());
}

static int trylock_rc = 1;

static void trylocker(void *p1, void *p2, void *p3)
{
	k_spinlock_key_t k;

	(void)p1;
	(void)p2;
	(void)p3;
	__atomic_store_n(&trylock_rc, k_spin_trylock(&slock, &k), __ATOMIC_RELEASE);
}

Test(zobj, spinlock_trylock_and_break)
{
	k_spinlock_key_t k;
	int passes = 0;

	cr_assert_eq(k_spin_trylock(&slock, &k), 0);
	spawn(&th, trylocker, NULL);
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
	cr_assert_eq(trylock_rc, -EBUSY);
	k_spinlock_key_t k2;

	cr_assert_eq(k_spin_trylock(&slock, &k2), -EBUSY); /* already ours */
	k_spin_unlock(&slock, k);
	K_SPINLOCK(&slock) {
		passes++;
		K_SPINLOCK_BREAK;
		passes += 100;
	}
	cr_assert_eq(passes, 1);
	cr_assert_eq(k_spin_trylock(&slock, &k), 0); /* the break unlocked it */
	k_spin_unlock(&slock, k);
}

static void irq_worker(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	for (int i = 0; i < spin_rounds(); i++) {
		unsigned int key = irq_lock();
		unsigned int inner = irq_lock(); /* nests */

		counter++;
		irq_unlock(inner);
		irq_unlock(key);
	}
}

Test(zobj, irq_lock_excludes_two_threads)
{
	spawn(&th, irq_worker, NULL);
	spawn(&th2, irq_worker, NULL);
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
	cr_assert_eq(k_thread_join(&th2, K_FOREVER), 0);
	cr_assert_eq(counter, 2ul * (unsigned long)spin_rounds());
}

/* ============================================================== threads */

static int after_abort;

static void self_aborter(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	k_thread_abort(k_current_get());
	after_abort = 1; /* never runs */
}

Test(zobj, thread_abort_self_releases_joiner)
{
	spawn(&th, self_aborter, NULL);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(after_abort, 0);
}

static int blocked_rc = 1;

static void sem_blocker(void *p1, void *p2, void *p3)
{
	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&blocked_rc, k_sem_take(p1, K_FOREVER), __ATOMIC_RELEASE);
}

Test(zobj, thread_abort_other_blocked_in_sem_take)
{
	spawn(&th, sem_blocker, &psem);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_thread_abort(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(blocked_rc, 1); /* k_sem_take never returned */
	cr_assert_eq(k_sem_count_get(&psem), 0);
}

Test(zobj, sem_reset_releases_taker_with_eagain)
{
	spawn(&th, sem_blocker, &psem);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_sem_reset(&psem);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(blocked_rc, -EAGAIN);
}

Test(zobj, sem_give_wakes_taker)
{
	spawn(&th, sem_blocker, &psem);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_sem_give(&psem);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(blocked_rc, 0);
	cr_assert_eq(k_sem_count_get(&psem), 0);
}

static void msgq_blocker(void *p1, void *p2, void *p3)
{
	uint32_t v;

	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&blocked_rc, k_msgq_get(p1, &v, K_FOREVER), __ATOMIC_RELEASE);
}

Test(zobj, thread_abort_in_msgq_get_unregisters_the_waiter)
{
	struct k_msgq q;

	cr_assert_eq(k_msgq_alloc_init(&q, 4, 2), 0);
	spawn(&th, msgq_blocker, &q);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	cr_assert_eq(k_msgq_cleanup(&q), -EBUSY);
	k_thread_abort(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(blocked_rc, 1);
	cr_assert_eq(k_msgq_cleanup(&q), 0);
}

static void poll_blocker(void *p1, void *p2, void *p3)
{
	struct k_poll_event e;

	(void)p2;
	(void)p3;
	k_poll_event_init(&e, K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, p1);
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&blocked_rc, k_poll(&e, 1, K_FOREVER), __ATOMIC_RELEASE);
}

Test(zobj, thread_abort_in_poll)
{
	spawn(&th, poll_blocker, &psig);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_thread_abort(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(blocked_rc, 1);
}

Test(zobj, thread_abort_unstarted)
{
	k_thread_create(&th, stack, 1024, self_aborter, NULL, NULL, NULL, 1, 0, K_FOREVER);
	k_thread_abort(&th);
	k_thread_start(&th); /* too late: it never runs */
	cr_assert_eq(k_thread_join(&th, K_NO_WAIT), 0);
	cr_assert_eq(after_abort, 0);
}

static int ticks;

static void ticker(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	while (__atomic_load_n(&ticks, __ATOMIC_ACQUIRE) >= 0) {
		__atomic_add_fetch(&ticks, 1, __ATOMIC_ACQ_REL);
		k_msleep(1);
	}
}

Test(zobj, thread_suspend_resume_other)
{
	int a, b;

	spawn(&th, ticker, NULL);
	cr_assert(wait_flag(&ticks, 2000));
	k_thread_suspend(&th);
	k_msleep(100 * scale()); /* it stops at its next kernel call */
	a = __atomic_load_n(&ticks, __ATOMIC_ACQUIRE);
	k_msleep(50 * scale());
	b = __atomic_load_n(&ticks, __ATOMIC_ACQUIRE);
	cr_assert_eq(a, b, "a suspended thread ran: %d -> %d", a, b);
	k_thread_resume(&th);
	for (int i = 0; i < 2000 && __atomic_load_n(&ticks, __ATOMIC_ACQUIRE) == b; i++) {
		k_msleep(1);
	}
	cr_assert_gt(__atomic_load_n(&ticks, __ATOMIC_ACQUIRE), b);
	__atomic_store_n(&ticks, -1000000, __ATOMIC_RELEASE);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
}

static int resumed;

static void self_suspender(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	k_thread_suspend(k_current_get());
	__atomic_store_n(&resumed, 1, __ATOMIC_RELEASE);
}

Test(zobj, thread_suspend_self_until_resumed)
{
	spawn(&th, self_suspender, NULL);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(30);
	cr_assert_eq(__atomic_load_n(&resumed, __ATOMIC_ACQUIRE), 0);
	k_thread_resume(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(resumed, 1);
}

Test(zobj, wakeup_does_not_resume_a_suspended_thread)
{
	spawn(&th, self_suspender, NULL);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(10);
	k_wakeup(&th); /* not sleeping: no effect */
	k_msleep(30);
	cr_assert_eq(__atomic_load_n(&resumed, __ATOMIC_ACQUIRE), 0);
	k_thread_resume(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
	cr_assert_eq(resumed, 1);
}

static int runs;

static void count_run(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	__atomic_add_fetch(&runs, 1, __ATOMIC_ACQ_REL);
}

Test(zobj, thread_struct_reused_after_it_ended)
{
	for (int i = 0; i < 3; i++) {
		spawn(&th, count_run, NULL);
		if (i < 2) {
			cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
		} else {
			k_msleep(20); /* the last one is not joined: the exit waits */
		}
	}
	spawn(&th, count_run, NULL);
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
	cr_assert_eq(runs, 4);
}

Test(zobj, thread_priority_stored)
{
	spawn(&th, self_suspender, NULL); /* created with K_PRIO_PREEMPT(1) */
	cr_assert_eq(k_thread_priority_get(&th), 1);
	k_thread_priority_set(&th, K_PRIO_COOP(2));
	cr_assert_eq(k_thread_priority_get(&th), K_PRIO_COOP(2));
	cr_assert(wait_flag(&producer_started, 2000));
	k_thread_resume(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(2000 * scale())), 0);
}

static int32_t sleep_rc = -99;

static void sleeper(void *p1, void *p2, void *p3)
{
	(void)p2;
	(void)p3;
	__atomic_store_n(&producer_started, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&sleep_rc, k_sleep(*(k_timeout_t *)p1), __ATOMIC_RELEASE);
}

Test(zobj, wakeup_ends_sleep_early_with_ms_left)
{
	static k_timeout_t t;

	t = K_SECONDS(10);
	spawn(&th, sleeper, &t);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_wakeup(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(5000)), 0);
	cr_assert_gt(sleep_rc, 0);
	cr_assert_leq(sleep_rc, 10000);
}

Test(zobj, wakeup_ends_forever_sleep_with_minus_one)
{
	static k_timeout_t t;

	t = K_FOREVER;
	spawn(&th, sleeper, &t);
	cr_assert(wait_flag(&producer_started, 2000));
	k_msleep(20);
	k_wakeup(&th);
	cr_assert_eq(k_thread_join(&th, K_MSEC(5000)), 0);
	cr_assert_eq(sleep_rc, -1);
}

/* ================================================================= time */

Test(zobj, uptime_delta)
{
	int64_t ref = k_uptime_get();
	int64_t d;

	k_msleep(20);
	d = k_uptime_delta(&ref);
	cr_assert_geq(d, 20);
	cr_assert_geq(ref, 20);
	cr_assert_leq(k_uptime_delta(&ref), 1000 * scale());
}

Test(zobj, uptime_shares_the_port_time_base)
{
	uint32_t port = port_uptime_ms();
	uint32_t k = k_uptime_get_32();

	cr_assert_leq(k - port, 10u * (uint32_t)scale());
}

Test(zobj, absolute_sleep_returns_zero_after_target)
{
	int64_t target = k_uptime_get() + 40;

	cr_assert_eq(k_sleep(K_TIMEOUT_ABS_MS(target)), 0);
	cr_assert_geq(k_uptime_get(), target);
	/* In the past: returns at once. */
	cr_assert_eq(k_sleep(K_TIMEOUT_ABS_MS(target - 1000)), 0);
}

Test(zobj, absolute_sem_take_and_mutex_lock)
{
	K_MUTEX_DEFINE(mx);
	int64_t target = k_uptime_get() + 40;

	cr_assert_eq(k_sem_take(&psem, K_TIMEOUT_ABS_MS(target)), -EAGAIN);
	cr_assert_geq(k_uptime_get(), target);
	cr_assert_eq(k_sem_take(&psem, K_TIMEOUT_ABS_MS(target - 1000)), -EBUSY);
	k_sem_give(&psem);
	cr_assert_eq(k_sem_take(&psem, K_TIMEOUT_ABS_MS(k_uptime_get() + 1000)), 0);
	cr_assert_eq(k_mutex_lock(&mx, K_TIMEOUT_ABS_MS(k_uptime_get() + 1000)), 0);
	cr_assert_eq(k_mutex_unlock(&mx), 0);
}

Test(zobj, absolute_msgq_get_times_out)
{
	uint32_t v;
	int64_t target = k_uptime_get() + 30;

	cr_assert_eq(k_msgq_get(&defq, &v, K_TIMEOUT_ABS_MS(target)), -EAGAIN);
	cr_assert_geq(k_uptime_get(), target);
}

/* The portable core gets relative timeouts: a stub backend records them. */
static k_timeout_t seen_wait;

static int stub_get_tx_buffer(const struct device *instance, void *token, void **data,
			      uint32_t *len, k_timeout_t wait)
{
	(void)instance;
	(void)token;
	seen_wait = wait;
	*data = NULL;
	*len = 0;
	return -ENOMEM;
}

static int stub_send_nocopy(const struct device *instance, void *token, const void *data,
			    size_t len)
{
	(void)instance;
	(void)token;
	(void)data;
	(void)len;
	return 0;
}

Test(zobj, ipc_service_get_tx_buffer_converts_absolute_timeouts)
{
	static const struct ipc_service_backend be = {.get_tx_buffer = stub_get_tx_buffer,
						      .send_nocopy = stub_send_nocopy};
	static const struct device dev = {.name = "stub", .api = &be};
	struct ipc_ept ept = {.instance = &dev, .token = NULL};
	void *buf;
	uint32_t size;
	int64_t now = k_uptime_get();

	cr_assert_eq(ipc_service_get_tx_buffer(&ept, &buf, &size, K_TIMEOUT_ABS_MS(now + 5000)),
		     -ENOMEM);
	cr_assert_eq(seen_wait.abs, 0);
	cr_assert_gt(seen_wait.ms, 5000 - 1000 * scale());
	cr_assert_leq(seen_wait.ms, 5000);
	/* Already past: K_NO_WAIT. */
	(void)ipc_service_get_tx_buffer(&ept, &buf, &size, K_TIMEOUT_ABS_MS(now - 10));
	cr_assert_eq(seen_wait.abs, 0);
	cr_assert_eq(seen_wait.ms, 0);
	/* Relative ones pass unchanged. */
	(void)ipc_service_get_tx_buffer(&ept, &buf, &size, K_MSEC(123));
	cr_assert_eq(seen_wait.ms, 123);
	(void)ipc_service_get_tx_buffer(&ept, &buf, &size, K_FOREVER);
	cr_assert_eq(seen_wait.ms, -1);
}

/* ========================================================== ISR context */

struct isr_results {
	int in_isr;
	int sem, msgq_get, msgq_put, mutex;
	void *fifo;
	uint32_t event;
	int poll;
	int32_t sleep;
	int64_t elapsed;
};

static void isr_body(void *p1, void *p2, void *p3)
{
	struct isr_results *r = p1;
	struct k_poll_event e =
		K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SEM_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, &psem);
	uint32_t v = 1;
	int64_t t0;

	(void)p2;
	(void)p3;
	zshim_isr_enter();
	t0 = k_uptime_get();
	r->in_isr = k_is_in_isr();
	/* Every timeout counts as K_NO_WAIT: each returns at once. */
	r->sem = k_sem_take(&psem, K_FOREVER);
	r->msgq_get = k_msgq_get(&defq, &v, K_SECONDS(5));
	r->fifo = k_fifo_get(&fifo, K_FOREVER);
	r->event = k_event_wait(&ev, 0x1, false, K_FOREVER);
	r->poll = k_poll(&e, 1, K_SECONDS(5));
	r->sleep = k_msleep(5000);
	/* The ISR-safe ones work. */
	k_sem_give(&psem);
	for (int i = 0; i < 3; i++) {
		(void)k_msgq_put(&defq, &v, K_NO_WAIT);
	}
	r->msgq_put = k_msgq_put(&defq, &v, K_FOREVER);
	k_event_post(&ev, 0x8);
	r->elapsed = k_uptime_get() - t0;
	zshim_isr_exit();
}

Test(zobj, isr_context_timeouts_are_no_wait, .init = cr_redirect_stderr)
{
	static struct isr_results r;

	spawn(&th, isr_body, &r);
	cr_assert_eq(k_thread_join(&th, K_FOREVER), 0);
	cr_assert_eq(r.in_isr, 1);
	cr_assert_eq(r.sem, -EBUSY);
	cr_assert_eq(r.msgq_get, -ENOMSG);
	cr_assert_null(r.fifo);
	cr_assert_eq(r.event, 0);
	cr_assert_eq(r.poll, -EAGAIN);
	cr_assert_eq(r.sleep, 0);
	cr_assert_eq(r.msgq_put, -ENOMSG);
	cr_assert_lt(r.elapsed, 4000); /* nothing waited its 5 s */
	cr_assert_eq(k_sem_count_get(&psem), 1);
	cr_assert_eq(k_msgq_num_used_get(&defq), 3);
	cr_assert_eq(k_event_test(&ev, 0xff), 0x8);
	cr_assert_eq(k_is_in_isr(), 0);
	/* Said once, not once per call (six waits above). */
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"ipc-emu program: warning: a kernel call with a timeout other than K_NO_WAIT in "
		"interrupt context (e.g. a received() callback that waits, with a backend that "
		"calls it from the interrupt, as ICBMsg v2 does): Zephyr asserts; here it does not "
		"wait\n");
}
