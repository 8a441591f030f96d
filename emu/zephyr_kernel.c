/*
 * zephyr_kernel.c - the kernel calls of include/zephyr/kernel.h that are
 * not objects (k_sleep, k_busy_wait, k_yield, k_is_in_isr), assertions and
 * logging, for user programs built against the compat headers: the top of
 * the shim's stack.  k_sem and k_mutex are in emu/zephyr_objects.c (the
 * threads below this file join with a k_sem), the time base in
 * emu/zephyr_clock.c, printk in emu/zephyr_printk.c.
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
#include "zephyr_clock.h"
#include "zephyr_isr.h"
#include "zephyr_printk.h"
#include "zephyr_sched.h"
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

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
		zshim_isr_timeout_said();
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
	uint64_t end = zshim_now_ns() + (uint64_t)usec_to_wait * 1000u;

	while (zshim_now_ns() < end) {
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
	if (r == NULL && getenv("IPC_EMU_CORE") != NULL) {
		/* A core of a multi-core run: its name. */
		static char name[40];

		snprintf(name, sizeof(name), "%.31s: ", getenv("IPC_EMU_CORE"));
		return name;
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
		uint64_t us = (zshim_now_ns() - zshim_boot_ns()) / 1000u;
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
	zshim_out(line, n);
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
	zshim_out(line, n);
}
