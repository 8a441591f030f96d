/*
 * zephyr_clock.c - the time base of the compat layer (emu/zephyr_clock.h):
 * k_uptime_get() and the relative/absolute timeouts of the kernel calls.
 * Below every file of the shim but the scheduler (for the role name).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "port.h"
#include "zephyr_clock.h"
#include "zephyr_sched.h"
#include <zephyr/kernel.h>

/* ------------------------------------------------------------------ time */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "Boot" = the first time anyone asks (in practice: program start-up). */
uint64_t zshim_boot_ns(void)
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
	(void)zshim_boot_ns();
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
void zshim_isr_timeout_said(void)
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
			zshim_isr_timeout_said();
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
