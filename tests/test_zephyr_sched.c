/*
 * test_zephyr_sched.c - the coop schedule of emu/zephyr_sched.c (`ipc-emu
 * run --schedule coop`): one thread of a process runs Zephyr code at a
 * time, it gives the CPU up only in kernel waits and k_yield(), the
 * waiting thread of the highest priority gets it next, interrupts do not
 * wait for it, and a holder blocked outside the kernel API ends coop
 * instead of hanging the program.  Plus the random mode's hand-off with a
 * seed known to draw it, and the failure report's last line.
 *
 * Each test runs in its own process (Criterion), which it puts in coop
 * mode and whose main thread it registers as Zephyr's main (what the
 * runtime's constructor does when IPC_EMU_SCHEDULE is set).  Orders are
 * exact; nothing asserts speed.  Waits that must be long enough for a
 * thread to be somewhere are replaced by asking the scheduler how many
 * threads wait for the CPU.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zephyr/kernel.h>

#include "zephyr_sched.h"

#define TMO 60

static void coop(void)
{
	zshim_sched_configure(ZSHIM_SCHED_COOP, 1);
	zshim_sched_thread_start("main", 0);
}

/* Keep the CPU (k_busy_wait does not give it up) until `n` threads wait
 * for it, at most 20 s. */
static bool wait_waiters(unsigned n)
{
	for (int i = 0; i < 20000; i++) {
		if (zshim_sched_cpu_waiters() >= n) {
			return true;
		}
		k_busy_wait(1000);
	}
	return false;
}

/* The order in which things happened: one letter each. */
static char log_buf[64];
static atomic_int log_len;

static void log_add(char c)
{
	int i = atomic_fetch_add(&log_len, 1);

	if (i < (int)sizeof(log_buf) - 1) {
		log_buf[i] = c;
	}
}

/* ---------------------------------------------- a woken thread waits */

static K_SEM_DEFINE(handler_sem, 0, 1);

static void giving_handler(struct k_work *w)
{
	(void)w;
	k_sem_give(&handler_sem);
	/* A parallel thread would log first during this (it keeps the CPU). */
	k_busy_wait(20000);
	log_add('H');
}

static void taker(void *p1, void *p2, void *p3)
{
	(void)p1, (void)p2, (void)p3;
	if (k_sem_take(&handler_sem, K_SECONDS(20)) == 0) {
		log_add('T');
	}
}

Test(coop, woken_thread_runs_after_the_giving_handler_returns, .timeout = TMO)
{
	static struct k_work work;
	static struct k_thread th;
	static K_THREAD_STACK_DEFINE(stack, 1024);

	coop();
	k_work_init(&work, giving_handler);
	k_thread_create(&th, stack, K_THREAD_STACK_SIZEOF(stack), taker, NULL, NULL, NULL, 0, 0,
			K_NO_WAIT);
	cr_assert(wait_waiters(1)); /* the thread waits for the CPU main holds */
	cr_assert_eq(k_work_submit(&work), 1);
	cr_assert_eq(k_thread_join(&th, K_SECONDS(30)), 0);
	cr_assert_eq(atomic_load(&log_len), 2);
	cr_assert_eq(memcmp(log_buf, "HT", 2), 0, "order %.2s", log_buf);
}

/* --------------------------------------------- one thread at a time */

static atomic_int running, most_running;

static void worker(void *p1, void *p2, void *p3)
{
	(void)p1, (void)p2, (void)p3;
	for (int i = 0; i < 20; i++) {
		int now = atomic_fetch_add(&running, 1) + 1;
		int m = atomic_load(&most_running);

		while (now > m && !atomic_compare_exchange_weak(&most_running, &m, now)) {
		}
		k_busy_wait(200);
		atomic_fetch_sub(&running, 1);
		if (i % 2 == 0) {
			k_yield();
		} else {
			k_usleep(100);
		}
	}
}

Test(coop, threads_never_run_at_the_same_time, .timeout = TMO)
{
	static struct k_thread th[3];
	static K_THREAD_STACK_DEFINE(stacks, 4 * 1024); /* one 1024-byte slice each */

	coop();
	for (int i = 0; i < 3; i++) {
		k_thread_create(&th[i], stacks + i * 1024, 1024, worker, NULL, NULL, NULL, 1, 0, K_NO_WAIT);
	}
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(k_thread_join(&th[i], K_SECONDS(30)), 0);
	}
	cr_assert_eq(atomic_load(&most_running), 1);
}

/* ------------------------------------------------ highest priority first */

static void log_arg(void *p1, void *p2, void *p3)
{
	(void)p2, (void)p3;
	log_add((char)(intptr_t)p1);
}

Test(coop, the_cpu_goes_to_the_highest_priority_then_fifo, .timeout = TMO)
{
	static struct k_thread th[4];
	static K_THREAD_STACK_DEFINE(stacks, 4 * 1024); /* one 1024-byte slice each */
	static const struct {
		char tag;
		int prio;
	} t[4] = {{'a', 5}, {'b', 2}, {'c', K_PRIO_COOP(3)}, {'d', 2}};

	coop();
	/* One at a time, so that their order of arrival is a, b, c, d. */
	for (unsigned i = 0; i < 4; i++) {
		k_thread_create(&th[i], stacks + i * 1024, 1024, log_arg, (void *)(intptr_t)t[i].tag, NULL,
				NULL, t[i].prio, 0, K_NO_WAIT);
		cr_assert(wait_waiters(i + 1));
	}
	for (unsigned i = 0; i < 4; i++) {
		cr_assert_eq(k_thread_join(&th[i], K_SECONDS(30)), 0);
	}
	cr_assert_eq(atomic_load(&log_len), 4);
	cr_assert_eq(memcmp(log_buf, "cbda", 4), 0, "order %.4s", log_buf);
}

/* ------------------------------------------------------------- k_yield */

static void yielder(void *p1, void *p2, void *p3)
{
	(void)p2, (void)p3;
	for (int i = 0; i < 3; i++) {
		log_add((char)(intptr_t)p1);
		k_yield();
	}
}

Test(coop, k_yield_alternates_threads_of_equal_priority, .timeout = TMO)
{
	static struct k_thread th[2];
	static K_THREAD_STACK_DEFINE(stacks, 4 * 1024); /* one 1024-byte slice each */

	coop();
	k_thread_create(&th[0], stacks + 0 * 1024, 1024, yielder, (void *)'x', NULL, NULL, 3, 0, K_NO_WAIT);
	cr_assert(wait_waiters(1));
	k_thread_create(&th[1], stacks + 1 * 1024, 1024, yielder, (void *)'y', NULL, NULL, 3, 0, K_NO_WAIT);
	cr_assert(wait_waiters(2));
	cr_assert_eq(k_thread_join(&th[0], K_SECONDS(30)), 0);
	cr_assert_eq(k_thread_join(&th[1], K_SECONDS(30)), 0);
	cr_assert_eq(atomic_load(&log_len), 6);
	cr_assert_eq(memcmp(log_buf, "xyxyxy", 6), 0, "order %.6s", log_buf);
}

Test(coop, k_yield_keeps_the_cpu_before_lower_priorities, .timeout = TMO)
{
	static struct k_thread th;
	static K_THREAD_STACK_DEFINE(stack, 1024);

	coop();
	k_thread_create(&th, stack, 1024, log_arg, (void *)'L', NULL, NULL, 7, 0, K_NO_WAIT);
	cr_assert(wait_waiters(1));
	k_yield(); /* main is priority 0: the priority-7 thread does not run */
	log_add('M');
	cr_assert_eq(k_thread_join(&th, K_SECONDS(30)), 0);
	cr_assert_eq(memcmp(log_buf, "ML", 2), 0, "order %.2s", log_buf);
}

/* ------------------------------------------------ interrupts preempt */

static atomic_int expiries;

static void expiry(struct k_timer *t)
{
	(void)t;
	atomic_fetch_add(&expiries, 1);
}

Test(coop, timer_expiry_runs_while_a_thread_holds_the_cpu, .timeout = TMO)
{
	static struct k_timer timer;
	int i;

	coop();
	k_timer_init(&timer, expiry, NULL);
	k_timer_start(&timer, K_MSEC(5), K_NO_WAIT);
	/* Busy: main never gives the CPU up here. */
	for (i = 0; i < 20000 && atomic_load(&expiries) == 0; i++) {
		k_busy_wait(1000);
	}
	cr_assert_eq(atomic_load(&expiries), 1);
}

/* ---------------------------------------- blocked outside the kernel */

static atomic_int ran;

static void set_ran(void *p1, void *p2, void *p3)
{
	(void)p1, (void)p2, (void)p3;
	atomic_store(&ran, 1);
}

Test(coop, a_holder_blocked_outside_the_kernel_ends_coop, .timeout = TMO, .init = cr_redirect_stderr)
{
	static struct k_thread th;
	static K_THREAD_STACK_DEFINE(stack, 1024);
	char buf[512] = "";
	FILE *f;
	size_t n;

	coop();
	zshim_sched_set_stall_ms(100);
	k_thread_create(&th, stack, 1024, set_ran, NULL, NULL, NULL, 0, 0, K_NO_WAIT);
	cr_assert(wait_waiters(1));
	/* A libc sleep: the thread still runs, once the stall is noticed. */
	for (int i = 0; i < 200 && atomic_load(&ran) == 0; i++) {
		usleep(100000);
	}
	cr_assert_eq(atomic_load(&ran), 1);
	cr_assert_eq(k_thread_join(&th, K_SECONDS(30)), 0);
	fflush(stderr);
	f = cr_get_redirected_stderr();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	/* Outside `ipc-emu run` (no IPC_EMU_ROLE) the core is "program". */
	cr_assert(strstr(buf, "ipc-emu program: schedule coop: thread 'main' kept the CPU ") != NULL,
		  "%s", buf);
	cr_assert(strstr(buf, "this program's threads run in parallel from now on\n") != NULL,
		  "%s", buf);
}

/* What the program wrote on stderr (redirected) so far. */
static void read_stderr(char *buf, size_t size)
{
	size_t n;

	fflush(stderr);
	n = fread(buf, 1, size - 1, cr_get_redirected_stderr());
	buf[n] = '\0';
}

/* ---------------------------------------- joining a thread that ends */

static void busy_then_end(void *p1, void *p2, void *p3)
{
	(void)p1, (void)p2, (void)p3;
	k_busy_wait(20000); /* keeps the CPU: main queues for it meanwhile */
	log_add('T');
}

/* The thread ends (gives its `done`) while main, which joins it, waits for
 * the CPU with a higher priority.  The give is not a preemption point:
 * before, main got the CPU there and waited in pthread_join for a thread
 * that waited for the CPU, until the stall limit ended coop. */
Test(coop, joining_a_lower_priority_thread_as_it_ends, .timeout = TMO,
     .init = cr_redirect_stderr)
{
	static struct k_thread th;
	static K_THREAD_STACK_DEFINE(stack, 1024);
	char buf[512] = "";
	int rc;

	coop();
	zshim_sched_set_stall_ms(300);
	k_thread_create(&th, stack, 1024, busy_then_end, NULL, NULL, NULL, 7, 0, K_NO_WAIT);
	while ((rc = k_thread_join(&th, K_MSEC(1))) == -EAGAIN) {
	}
	cr_assert_eq(rc, 0);
	log_add('M');
	cr_assert_eq(atomic_load(&log_len), 2);
	cr_assert_eq(memcmp(log_buf, "TM", 2), 0, "order %.2s", log_buf);
	read_stderr(buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
}

/* Main keeps the CPU longer than the stall limit while nobody waits for it
 * (busy), then half the limit while a thread waits: no stall.  What counts
 * is how long the CPU is kept from a waiting thread. */
Test(coop, holding_the_cpu_while_nobody_waits_is_no_stall, .timeout = TMO,
     .init = cr_redirect_stderr)
{
	static struct k_thread th;
	static K_THREAD_STACK_DEFINE(stack, 1024);
	char buf[512] = "";

	coop();
	zshim_sched_set_stall_ms(300);
	k_busy_wait(600000); /* twice the limit (natively; x20 under Valgrind) */
	k_thread_create(&th, stack, 1024, log_arg, (void *)'T', NULL, NULL, 1, 0, K_NO_WAIT);
	cr_assert(wait_waiters(1));
	k_busy_wait(150000); /* the waiting thread checks for a stall meanwhile */
	log_add('M');
	cr_assert_eq(k_thread_join(&th, K_SECONDS(30)), 0);
	cr_assert_eq(memcmp(log_buf, "MT", 2), 0, "order %.2s", log_buf);
	read_stderr(buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
}

/* ------------------------------------------------ random: hand-off */

static K_SEM_DEFINE(handoff_sem, 0, 1);

static void take_and_log(void *p1, void *p2, void *p3)
{
	(void)p1, (void)p2, (void)p3;
	if (k_sem_take(&handoff_sem, K_SECONDS(20)) == 0) {
		log_add('T');
	}
}

/* Seed 6: the first draw of the thread "main" is a hand-off (14 of 16), and
 * main's k_sem_give below is its first boundary.  So the give waits until
 * the thread that takes the semaphore has run to its end, as if it had
 * preempted main: 'T' before 'M', every time. */
Test(random, a_hand_off_lets_the_woken_thread_run_first, .timeout = TMO)
{
	static struct k_thread th;
	static K_THREAD_STACK_DEFINE(stack, 1024);

	zshim_sched_configure(ZSHIM_SCHED_RANDOM, 6);
	zshim_sched_thread_start("main", 0);
	k_thread_create(&th, stack, 1024, take_and_log, NULL, NULL, NULL, 0, 0, K_NO_WAIT);
	k_sem_give(&handoff_sem);
	log_add('M');
	cr_assert_eq(k_thread_join(&th, K_SECONDS(30)), 0);
	cr_assert_eq(atomic_load(&log_len), 2);
	cr_assert_eq(memcmp(log_buf, "TM", 2), 0, "order %.2s", log_buf);
}

/* ------------------------------------------------------------ report */

Test(report, ends_with_the_mode_and_seed, .timeout = TMO, .init = cr_redirect_stderr)
{
	static K_SEM_DEFINE(s, 0, 1);
	char buf[4096] = "";
	const char *last;
	FILE *f;
	size_t n;

	zshim_sched_configure(ZSHIM_SCHED_RANDOM, 42);
	zshim_sched_thread_start("main", 0);
	k_sem_give(&s);
	cr_assert_eq(k_sem_take(&s, K_NO_WAIT), 0);
	zshim_sched_report("a test failed");
	fflush(stderr);
	f = cr_get_redirected_stderr();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	cr_assert(strstr(buf, "shim events (oldest first):\n") != NULL, "%s", buf);
	cr_assert(strstr(buf, "main            k_sem_give") != NULL, "%s", buf);
	cr_assert(strstr(buf, "main            k_sem_take") != NULL, "%s", buf);
	cr_assert(n > 0 && buf[n - 1] == '\n');
	buf[n - 1] = '\0';
	last = strrchr(buf, '\n');
	cr_assert_not_null(last);
	cr_assert_str_eq(last + 1, "ipc-emu program: schedule random seed 42: a test failed "
				   "(replay: ipc-emu run ... --schedule random --seed 42)");
}
