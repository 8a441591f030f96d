/*
 * zephyr_printk.c - printk() of the compat layer: each line formatted first
 * and written to stdout with one write() under a lock (emu/zephyr_printk.h).
 * A leaf: every file of the shim may print.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "zephyr_printk.h"
#include <zephyr/kernel.h>

/* ------------------------------------------------------------------ output */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Write [buf, buf+len) to stdout in one go, after what stdio holds. */
void zshim_out(const char *buf, size_t len)
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
	zshim_out(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void emu_zephyr_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emu_zephyr_vprintk(fmt, ap);
	va_end(ap);
}
