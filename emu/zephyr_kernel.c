/*
 * zephyr_kernel.c - the kernel subset of include/zephyr/kernel.h, printk
 * and logging, for user programs built against the compat headers.
 *
 * k_sem is a counter, so that K_SEM_DEFINE is a plain static initialiser
 * (no constructor, nothing to free): take decrements with a CAS or waits
 * while it is 0 on the objects' sequence word (emu/zephyr_isr.h), give
 * increments (saturating at the limit) and bumps that word, which is what
 * lets k_poll() wait for a semaphore among other objects.  k_mutex is a
 * binary k_sem plus an owner and a depth, recursive as Zephyr's.
 *
 * Time: k_uptime_get() is CLOCK_MONOTONIC in milliseconds, the time base of
 * port_uptime_ms() (emu/port.c), so that an absolute timeout
 * (K_TIMEOUT_ABS_MS) means the same to the compat layer and to the portable
 * core.  It is therefore not 0 at program start, as a core's uptime is
 * roughly the time since the SoC was powered: both programs of a pair read
 * the same clock.
 *
 * Output (printk, LOG_*) goes to stdout, formatted first and written with
 * one write() under a lock, so that the lines of the two peers (they share
 * the supervisor's stdout) and of the threads of one peer never mix, and a
 * crash point that kills the process loses nothing already printed.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "port.h"
#include "sys.h"
#include "zephyr_isr.h"
#include "zephyr_sched.h"
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

/* ------------------------------------------------------------------ time */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "Boot" = the first time anyone asks (in practice: program start-up). */
static uint64_t boot_ns(void)
{
	static uint64_t boot;
	uint64_t b = __atomic_load_n(&boot, __ATOMIC_ACQUIRE);

	if (b == 0) {
		uint64_t now = mono_ns();

		/* The first caller's value wins; others read it back. */
		if (!__atomic_compare_exchange_n(&boot, &b, now, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			return b;
		}
		return now;
	}
	return b;
}

__attribute__((constructor)) static void note_boot(void)
{
	(void)boot_ns();
}

uint64_t zshim_now_ns(void)
{
	return mono_ns();
}

int64_t emu_k_uptime_get(void)
{
	return (int64_t)(mono_ns() / 1000000u);
}

int64_t emu_k_uptime_ticks(void)
{
	return (int64_t)(mono_ns() / (1000000000u / CONFIG_SYS_CLOCK_TICKS_PER_SEC));
}

/* A timeout other than K_NO_WAIT in interrupt context: Zephyr asserts
 * (CONFIG_ASSERT) or misbehaves; here the call does not wait.  Said once
 * per process, so that a received() that blocks (fine where a backend
 * calls it from a work queue, wrong where it calls it from the mailbox
 * interrupt, as ICBMsg v2 does) is not a silent -EBUSY/-EAGAIN. */
static void isr_timeout_said(void)
{
	static atomic_flag said = ATOMIC_FLAG_INIT;
	char line[320];
	int n;

	if (atomic_flag_test_and_set(&said)) {
		return;
	}
	n = snprintf(line, sizeof(line),
		     "ipc-emu %s: warning: a kernel call with a timeout other than K_NO_WAIT in "
		     "interrupt context (e.g. a received() callback that waits, with a backend "
		     "that calls it from the interrupt, as ICBMsg v2 does): Zephyr asserts; here "
		     "it does not wait\n",
		     zshim_role_name());
	(void)!write(STDERR_FILENO, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1));
}

int32_t zshim_timeout_ms(k_timeout_t t)
{
	int32_t left;

	if (port_in_isr()) {
		if (t.abs || t.ms != 0) {
			isr_timeout_said();
		}
		return 0; /* Zephyr requires K_NO_WAIT in an ISR (asserts only) */
	}
	if (!t.abs) {
		return t.ms < 0 ? -1 : t.ms;
	}
	/* Modulo 2^32: K_TIMEOUT_ABS_MS keeps 32 bits of the uptime. */
	left = (int32_t)((uint32_t)t.ms - (uint32_t)(mono_ns() / 1000000u));
	return left <= 0 ? 0 : left;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

int32_t emu_k_sleep(k_timeout_t timeout)
{
	int32_t ms;
	int32_t rc;
	bool handled, released;

	zshim_thread_checkpoint();
	if (port_in_isr()) {
		isr_timeout_said();
		return 0; /* Zephyr asserts; sleeping would stall every interrupt */
	}
	ms = K_TIMEOUT_EQ(timeout, K_FOREVER) ? -1 : zshim_timeout_ms(timeout);
	zshim_sched_event(ZSHIM_EV_SLEEP, NULL, ms);
	rc = zshim_thread_sleep(ms, &handled);
	if (handled) {
		return rc;
	}
	/* Not a k_thread (main()): nothing can wake it early. */
	released = zshim_sched_release();
	if (ms < 0) {
		for (;;) {
			pause();
		}
	}
	sleep_ns((uint64_t)ms * 1000000u);
	zshim_sched_reacquire(released);
	return 0;
}

void emu_k_busy_wait(uint32_t usec_to_wait)
{
	uint64_t end = mono_ns() + (uint64_t)usec_to_wait * 1000u;

	while (mono_ns() < end) {
	}
}

void emu_k_yield(void)
{
	zshim_thread_checkpoint();
	zshim_sched_yield(); /* sched_yield() unless coop */
}

bool emu_k_is_in_isr(void)
{
	return port_in_isr();
}

/* ------------------------------------------------------------- semaphores */

int emu_k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit)
{
	if (sem == NULL || limit == 0 || initial_count > limit) {
		return -EINVAL;
	}
	sem->limit = limit;
	__atomic_store_n(&sem->count, initial_count, __ATOMIC_RELEASE);
	return 0;
}

static bool sem_try_take(struct k_sem *sem)
{
	unsigned int c = __atomic_load_n(&sem->count, __ATOMIC_ACQUIRE);

	/* Pairs with the release of give: what the giver wrote before is
	 * visible to the taker. */
	while (c > 0) {
		if (__atomic_compare_exchange_n(&sem->count, &c, c - 1, true, __ATOMIC_ACQUIRE,
						__ATOMIC_ACQUIRE)) {
			return true;
		}
	}
	return false;
}

static int sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	struct zshim_sem_waiter me = {.sem = sem};
	struct zshim_wait w;
	bool listed = false;
	int rc;

	zshim_thread_checkpoint();
	zshim_wait_begin(&w, timeout);
	for (;;) {
		zshim_wait_snapshot(&w);
		if (listed && zshim_sem_waiter_was_reset(&me)) {
			rc = -EAGAIN; /* k_sem_reset() while waiting, as on Zephyr */
			break;
		}
		if (sem_try_take(sem)) {
			rc = 0;
			break;
		}
		if (w.ms == 0) {
			rc = -EBUSY;
			break;
		}
		if (!listed) {
			/* Listed before blocking: a reset from now on reaches it. */
			zshim_sem_waiter_add(&me);
			listed = true;
			continue;
		}
		rc = zshim_wait_block(&w);
		if (rc < 0) {
			break;
		}
	}
	zshim_wait_end(&w);
	if (listed) {
		zshim_sem_waiter_remove(&me);
	}
	if (rc == -ECANCELED) {
		zshim_thread_checkpoint(); /* aborted: ends the thread */
	}
	return rc;
}

int emu_k_sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	int rc = sem_take(sem, timeout);

	zshim_sched_event(ZSHIM_EV_SEM_TAKE, sem, rc);
	return rc;
}

/* The events (and the random mode's perturbation) are the callers'. */
static void sem_give(struct k_sem *sem)
{
	unsigned int c = __atomic_load_n(&sem->count, __ATOMIC_RELAXED);

	do {
		if (c >= sem->limit) {
			return;
		}
	} while (!__atomic_compare_exchange_n(&sem->count, &c, c + 1, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	zshim_kick();
}

void emu_k_sem_give(struct k_sem *sem)
{
	sem_give(sem);
	zshim_sched_event(ZSHIM_EV_SEM_GIVE, sem, 0);
}

void emu_k_sem_reset(struct k_sem *sem)
{
	zshim_sem_reset(sem);
}

unsigned int emu_k_sem_count_get(struct k_sem *sem)
{
	return __atomic_load_n(&sem->count, __ATOMIC_ACQUIRE);
}

/* ----------------------------------------------------------------- mutexes */

/* The identity of the calling thread: the address of a thread-local. */
static const void *self(void)
{
	static _Thread_local char me;

	return &me;
}

int emu_k_mutex_init(struct k_mutex *mutex)
{
	mutex->depth = 0;
	__atomic_store_n(&mutex->owner, NULL, __ATOMIC_RELAXED);
	return emu_k_sem_init(&mutex->sem, 1, 1);
}

int emu_k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout)
{
	int rc;

	/* Only this thread can have stored itself as the owner. */
	if (__atomic_load_n(&mutex->owner, __ATOMIC_RELAXED) == self()) {
		mutex->depth++;
		return 0;
	}
	rc = sem_take(&mutex->sem, timeout);
	zshim_sched_event(ZSHIM_EV_MUTEX_LOCK, mutex, rc);
	if (rc < 0) {
		return rc;
	}
	__atomic_store_n(&mutex->owner, self(), __ATOMIC_RELAXED);
	mutex->depth = 1;
	return 0;
}

int emu_k_mutex_unlock(struct k_mutex *mutex)
{
	const void *owner = __atomic_load_n(&mutex->owner, __ATOMIC_RELAXED);

	if (owner == NULL) {
		return -EINVAL;
	}
	if (owner != self()) {
		return -EPERM;
	}
	if (--mutex->depth == 0) {
		__atomic_store_n(&mutex->owner, NULL, __ATOMIC_RELAXED);
		sem_give(&mutex->sem);
		zshim_sched_event(ZSHIM_EV_MUTEX_UNLOCK, mutex, 0);
	}
	return 0;
}

/* ------------------------------------------------------------------ output */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Write [buf, buf+len) to stdout in one go, after what stdio holds. */
static void out(const char *buf, size_t len)
{
	pthread_mutex_lock(&out_lock);
	fflush(stdout);
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		buf += n;
		len -= (size_t)n;
	}
	pthread_mutex_unlock(&out_lock);
}

void emu_zephyr_vprintk(const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0) {
		return;
	}
	out(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void emu_zephyr_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emu_zephyr_vprintk(fmt, ap);
	va_end(ap);
}

void emu_zephyr_assert_fail(const char *file, int line, const char *cond)
{
	printk("ASSERTION FAIL [%s] @ %s:%d\n", cond, file, line);
	zshim_sched_report("an assertion failed");
	abort();
}

static const char *const level_tag[] = {"", "err", "wrn", "inf", "dbg"};

/* The core's name ("host: ", "remote: ") that <err> and <wrn> lines start
 * with under `ipc-emu run` (IPC_EMU_ROLE), so that a user can tell which
 * core logged; "" outside a run.  The other levels keep Zephyr's format. */
static const char *log_role(int level)
{
	const char *r;

	if (level != 1 && level != 2) {
		return "";
	}
	r = getenv("IPC_EMU_ROLE");
	if (r != NULL && strcmp(r, "host") == 0) {
		return "host: ";
	}
	if (r != NULL && strcmp(r, "remote") == 0) {
		return "remote: ";
	}
	return "";
}

/* The line's prefix into buf; *role_len: the length of its core name part
 * (not in the text the shim's event ring keeps). */
static size_t log_prefix(char *buf, size_t size, const struct emu_log_source *src, int level,
			 size_t *role_len)
{
	static int stamps = -1;
	int n = snprintf(buf, size, "%s", log_role(level));

	*role_len = (size_t)n;

	if (__atomic_load_n(&stamps, __ATOMIC_RELAXED) < 0) {
		const char *e = getenv("IPC_EMU_LOG_TIMESTAMP");

		__atomic_store_n(&stamps, e != NULL && e[0] != '\0' && strcmp(e, "0") != 0,
				 __ATOMIC_RELAXED);
	}
	if (__atomic_load_n(&stamps, __ATOMIC_RELAXED) > 0) {
		uint64_t us = (mono_ns() - boot_ns()) / 1000u;
		uint64_t s = us / 1000000u;

		n += snprintf(buf + n, size - (size_t)n, "[%02u:%02u:%02u.%03u,%03u] ",
			      (unsigned)(s / 3600u),
			     (unsigned)(s / 60u % 60u), (unsigned)(s % 60u),
			     (unsigned)(us / 1000u % 1000u), (unsigned)(us % 1000u));
	}
	n += snprintf(buf + n, size - (size_t)n, "<%s> %s: ",
		      level_tag[level >= 1 && level <= 4 ? level : 0], src->name);
	return (size_t)n;
}

void emu_zephyr_log(const struct emu_log_source *src, int level, const char *fmt, ...)
{
	char line[1024];
	size_t role_len;
	size_t n = log_prefix(line, sizeof(line), src, level, &role_len);
	va_list ap;
	int m;

	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0) {
		m = 0;
	}
	n += (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
	line[n++] = '\n';
	out(line, n);
	if (level == 1) {
		line[n - 1] = '\0';
		zshim_sched_log_err(line + role_len);
	}
}

void emu_zephyr_log_hexdump(const struct emu_log_source *src, int level, const void *data,
			    size_t length, const char *str)
{
	const unsigned char *p = data;
	char line[1024];
	size_t role_len;
	size_t n = log_prefix(line, sizeof(line), src, level, &role_len);

	/* Zephyr's layout: the text, then 16 bytes a line in hex and ASCII. */
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s\n", str);
	for (size_t off = 0; off < length && n + 80 < sizeof(line); off += 16) {
		size_t k = length - off < 16 ? length - off : 16;

		n += (size_t)snprintf(line + n, sizeof(line) - n, "                 ");
		for (size_t i = 0; i < 16; i++) {
			n += (size_t)(i < k ? snprintf(line + n, sizeof(line) - n, "%02x ",
						       p[off + i])
					    : snprintf(line + n, sizeof(line) - n, "   "));
			if (i == 7) {
				line[n++] = ' ';
			}
		}
		line[n++] = '|';
		for (size_t i = 0; i < k; i++) {
			unsigned char c = p[off + i];

			line[n++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[n++] = '\n';
	}
	out(line, n);
}
