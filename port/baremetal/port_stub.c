/*
 * port_stub.c - the smallest port.h for a bare-metal Cortex-M: no operating
 * system, one thread of execution plus interrupts.
 *
 * It exists so that the core in src/ can be cross-built and measured as
 * firmware (scripts/core-size.sh); it is not a scheduler:
 *   - mutexes, semaphores and work items come from small static pools;
 *   - a work item runs to completion inside port_work_submit() (a submit
 *     from the item itself makes it run once more afterwards), and
 *     port_work_schedule() ignores the delay;
 *   - waiting is polling: an interrupt may give a semaphore meanwhile;
 *   - time is a counter advanced by port_sleep_ms() and by each polling
 *     step (a SysTick handler could call port_sleep_ms(1) instead);
 *   - cache maintenance, crash points, memory checks and logs do nothing;
 *     port_config.h compiles the last three out of the core altogether.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define POOL_MUTEX 4
#define POOL_SEM 4
#define POOL_WORK 4

struct port_mutex {
	bool used;
	atomic_flag locked;
};

struct port_sem {
	bool used;
	unsigned limit;
	atomic_uint count;
};

struct port_work {
	bool used;
	bool running;
	bool again;
	port_work_fn fn;
	void *arg;
};

static struct port_mutex mutexes[POOL_MUTEX];
static struct port_sem sems[POOL_SEM];
static struct port_work works[POOL_WORK];
static atomic_uint uptime_ms;
static bool in_workq;

/* ---------------------------------------------------------------- waiting */

/* Poll `try_once` until it succeeds or timeout_ms of counter time pass.
 * Returns 0, -EBUSY (PORT_NO_WAIT) or -EAGAIN (timed out). */
static int poll_until(bool (*try_once)(void *obj), void *obj, int32_t timeout_ms)
{
	uint32_t start = port_uptime_ms();

	while (!try_once(obj)) {
		if (timeout_ms == PORT_NO_WAIT) {
			return -EBUSY;
		}
		if (timeout_ms != PORT_FOREVER && port_uptime_ms() - start >= (uint32_t)timeout_ms) {
			return -EAGAIN;
		}
		port_sleep_ms(1);
	}
	return 0;
}

/* ------------------------------------------------------------------ mutex */

int port_mutex_create(struct port_mutex **out)
{
	for (size_t i = 0; i < POOL_MUTEX; i++) {
		if (!mutexes[i].used) {
			mutexes[i].used = true;
			atomic_flag_clear(&mutexes[i].locked);
			*out = &mutexes[i];
			return 0;
		}
	}
	return -ENOMEM;
}

void port_mutex_destroy(struct port_mutex *m)
{
	if (m != NULL) {
		m->used = false;
	}
}

static bool mutex_try(void *obj)
{
	struct port_mutex *m = obj;

	return !atomic_flag_test_and_set_explicit(&m->locked, memory_order_acquire);
}

int port_mutex_lock(struct port_mutex *m, int32_t timeout_ms)
{
	return poll_until(mutex_try, m, timeout_ms);
}

void port_mutex_unlock(struct port_mutex *m)
{
	atomic_flag_clear_explicit(&m->locked, memory_order_release);
}

/* -------------------------------------------------------------- semaphore */

int port_sem_create(struct port_sem **out, unsigned initial, unsigned limit)
{
	for (size_t i = 0; i < POOL_SEM; i++) {
		if (!sems[i].used) {
			sems[i].used = true;
			sems[i].limit = limit;
			atomic_init(&sems[i].count, initial < limit ? initial : limit);
			*out = &sems[i];
			return 0;
		}
	}
	return -ENOMEM;
}

void port_sem_destroy(struct port_sem *s)
{
	if (s != NULL) {
		s->used = false;
	}
}

static bool sem_try(void *obj)
{
	struct port_sem *s = obj;
	unsigned c = atomic_load(&s->count);

	while (c != 0) {
		if (atomic_compare_exchange_weak(&s->count, &c, c - 1)) {
			return true;
		}
	}
	return false;
}

int port_sem_take(struct port_sem *s, int32_t timeout_ms)
{
	return poll_until(sem_try, s, timeout_ms);
}

void port_sem_give(struct port_sem *s)
{
	unsigned c = atomic_load(&s->count);

	while (c < s->limit && !atomic_compare_exchange_weak(&s->count, &c, c + 1)) {
	}
}

/* ------------------------------------------------------------------- work */

int port_work_create(struct port_work **out, port_work_fn fn, void *arg)
{
	for (size_t i = 0; i < POOL_WORK; i++) {
		if (!works[i].used) {
			works[i] = (struct port_work){.used = true, .fn = fn, .arg = arg};
			*out = &works[i];
			return 0;
		}
	}
	return -ENOMEM;
}

/* One execution context here: every queue runs items the same way. */
int port_work_create_on(struct port_work **out, port_work_fn fn, void *arg, unsigned queue)
{
	if (queue >= PORT_WORKQ_COUNT) {
		return -EINVAL;
	}
	return port_work_create(out, fn, arg);
}

void port_work_destroy(struct port_work *w)
{
	if (w != NULL) {
		w->used = false;
	}
}

void port_work_submit(struct port_work *w)
{
	bool outer = in_workq;

	if (w->running) {
		w->again = true;
		return;
	}
	w->running = true;
	in_workq = true;
	do {
		w->again = false;
		w->fn(w->arg);
	} while (w->again);
	in_workq = outer;
	w->running = false;
}

void port_work_schedule(struct port_work *w, uint32_t delay_ms)
{
	(void)delay_ms;
	port_work_submit(w);
}

void port_work_cancel_sync(struct port_work *w)
{
	/* Nothing is ever queued: a run has finished by the time submit returns. */
	(void)w;
}

bool port_in_workq(void)
{
	return in_workq;
}

bool port_in_isr(void)
{
	uint32_t ipsr;

	/* IPSR holds the active exception number; 0 in thread mode. */
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	return ipsr != 0;
}

/* ------------------------------------------------------------------- time */

uint32_t port_uptime_ms(void)
{
	return atomic_load_explicit(&uptime_ms, memory_order_relaxed);
}

void port_sleep_ms(uint32_t ms)
{
	atomic_fetch_add_explicit(&uptime_ms, ms, memory_order_relaxed);
}

/* No consumer wake: the alloc loop sleeps by itself (one thread here, and a
 * Zephyr peer rings nothing when it consumes). */
bool port_wait_consumed(const void *ctx, const volatile void *word, uint32_t seen,
			uint32_t timeout_us)
{
	return false;
}

void port_consumed(const void *ctx, const volatile void *word)
{
}

/* One thread here: nothing to yield to; the clock counts milliseconds, so a
 * short sleep takes one. */
void port_sleep_us(uint32_t us)
{
	if (us != 0) {
		port_sleep_ms(1);
	}
}

/* ------------------------------------------------ cache, checks, logging */

void port_cache_flush(void *addr, size_t len)
{
	(void)addr;
	(void)len;
}

void port_cache_invd(void *addr, size_t len)
{
	(void)addr;
	(void)len;
}

#if PORT_CONFIG_TEST_HOOKS /* else port.h makes them nothing (port_config.h) */
void port_crash_point(const char *name)
{
	(void)name;
}

void port_check_defined(const void *p, size_t len)
{
	(void)p;
	(void)len;
}
#endif

/* Parenthesised: port.h may define port_log() as a level-filtering macro. */
void(port_log)(enum port_log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}
