/*
 * zephyr_ztest.c - the runner behind include/zephyr/ztest.h.
 *
 * Our own code printing Zephyr's ztest lines (subsys/testsuite: tc_util.h
 * and ztest.c define the formats, which twister and `ipc-emu run` parse):
 *
 *   Running TESTSUITE <suite>
 *   ===================================================================
 *   START - <test>
 *    PASS - <test> in 0.001 seconds          (or FAIL, SKIP)
 *   ===================================================================
 *   TESTSUITE <suite> succeeded               (or "... failed.")
 *
 *   ------ TESTSUITE SUMMARY START ------
 *
 *   SUITE PASS - 100.00% [<suite>]: pass = 3, fail = 0, skip = 0, total = 3 duration = 0.004 seconds
 *    - PASS - [<suite>.<test>] duration = 0.001 seconds
 *   ...
 *   ------ TESTSUITE SUMMARY END ------
 *
 *   ===================================================================
 *   PROJECT EXECUTION SUCCESSFUL              (or FAILED)
 *
 * Durations are whole milliseconds, rounded up, from before before() to
 * after after(), as Zephyr's k_cyc_to_ms_ceil32 gives them.
 *
 * A test runs on the runner's thread under setjmp(): a failure, skip or
 * pass decided on that thread longjmps back; decided on another thread it
 * is only recorded (the atomics below are written by any thread).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The library must not carry ztest's main(): it would replace the main() of
 * every program linked with it (Criterion's included). */
#define IPC_EMU_ZTEST_NO_MAIN
#include <zephyr/ztest.h>

#define LINE "==================================================================="
#define MAX_SUITES 4096

enum phase { PH_SETUP, PH_BEFORE, PH_TEST, PH_AFTER, PH_TEARDOWN, PH_FRAMEWORK };
enum result { R_PENDING, R_PASS, R_FAIL, R_SKIP, R_SUITE_SKIP, R_SUITE_FAIL };
enum status { ST_OK, ST_HAS_FAILURE, ST_CRITICAL };

static struct ztest_suite_node *suites;  /* registered, sorted by name */
static struct ztest_unit_test *tests;    /* registered, sorted by suite, name */
static _Atomic int phase = PH_FRAMEWORK;
static _Atomic int result = R_PENDING;
static _Atomic bool failed_expectation;
static _Atomic int status = ST_OK;
static pthread_t runner;
static _Atomic bool armed;               /* jb holds the running test's exit */
static jmp_buf jb;

static const char *phase_name(int ph)
{
	static const char *const names[] = {"setup", "before", "test", "after", "teardown",
					    "framework"};

	return ph >= 0 && ph <= PH_FRAMEWORK ? names[ph] : "(unknown)";
}

static const char *result_str(int tc)
{
	return tc == TC_PASS ? "PASS" : tc == TC_FAIL ? "FAIL" : tc == TC_SKIP ? "SKIP" : "?";
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Constructors run before main() on one thread: plain sorted insertion. */
void emu_zephyr_ztest_register_suite(struct ztest_suite_node *suite)
{
	struct ztest_suite_node **p = &suites;

	while (*p != NULL && strcmp((*p)->name, suite->name) <= 0) {
		p = &(*p)->emu_next;
	}
	suite->emu_next = *p;
	*p = suite;
}

static int test_cmp(const struct ztest_unit_test *a, const struct ztest_unit_test *b)
{
	int c = strcmp(a->test_suite_name, b->test_suite_name);

	return c != 0 ? c : strcmp(a->name, b->name);
}

void emu_zephyr_ztest_register_test(struct ztest_unit_test *test)
{
	struct ztest_unit_test **p = &tests;

	while (*p != NULL && test_cmp(*p, test) <= 0) {
		p = &(*p)->emu_next;
	}
	test->emu_next = *p;
	*p = test;
}

static bool on_runner(void)
{
	return atomic_load(&armed) && pthread_equal(pthread_self(), runner);
}

/* The test is over (its result is set): leave it if this is its thread. */
static void finalize(void)
{
	if (on_runner()) {
		atomic_store(&armed, false);
		longjmp(jb, 1);
	}
}

static void bail(const char *what)
{
	printk(" ERROR: cannot %s in test phase '%s()', bailing\n", what,
	       phase_name(atomic_load(&phase)));
	atomic_store(&status, ST_CRITICAL);
}

void emu_zephyr_ztest_fail(void)
{
	switch (atomic_load(&phase)) {
	case PH_SETUP:
		atomic_store(&result, R_SUITE_FAIL);
		break;
	case PH_BEFORE:
	case PH_TEST:
		atomic_store(&result, R_FAIL);
		finalize();
		break;
	default:
		bail("fail");
		break;
	}
}

void emu_zephyr_ztest_pass(void)
{
	if (atomic_load(&phase) == PH_TEST) {
		atomic_store(&result, R_PASS);
		finalize();
		return;
	}
	bail("pass");
}

void emu_zephyr_ztest_skip(void)
{
	switch (atomic_load(&phase)) {
	case PH_SETUP:
		atomic_store(&result, R_SUITE_SKIP);
		break;
	case PH_BEFORE:
	case PH_TEST:
		atomic_store(&result, R_SKIP);
		finalize();
		break;
	default:
		bail("skip");
		break;
	}
}

void emu_zephyr_ztest_expect_fail(void)
{
	atomic_store(&failed_expectation, true);
}

void emu_zephyr_ztest_check_failed(int kind, int has_msg, const char *default_msg,
				   const char *file, int line, const char *func, ...)
{
	static const char *const what[] = {"Assertion", "Assumption", "Expectation"};
	char text[1536];
	int n;

	n = snprintf(text, sizeof(text), "\n    %s failed at %s:%d: %s: %s%s%s\n",
		     what[kind >= 0 && kind <= 2 ? kind : 0], file, line, func,
		     has_msg ? "(" : "", default_msg, has_msg ? ")" : "");
	if (n > 0 && (size_t)n < sizeof(text) - 2) {
		if (has_msg) {
			va_list ap;
			const char *fmt;

			va_start(ap, func);
			fmt = va_arg(ap, const char *);
			if (fmt != NULL) {
				int m = vsnprintf(text + n, sizeof(text) - (size_t)n - 1, fmt, ap);

				if (m > 0) {
					n += m < (int)(sizeof(text) - (size_t)n - 2)
						     ? m
						     : (int)(sizeof(text) - (size_t)n - 2);
				}
			}
			va_end(ap);
		}
		text[n++] = '\n';
		text[n] = '\0';
	}
	printk("%s", text);
	switch (kind) {
	case EMU_ZTEST_ASSUME:
		emu_zephyr_ztest_skip();
		break;
	case EMU_ZTEST_EXPECT:
		emu_zephyr_ztest_expect_fail();
		break;
	default:
		emu_zephyr_ztest_fail();
		break;
	}
}

/* A test that returns passed, unless something decided otherwise. */
static void mark_passed(void)
{
	int r = R_PENDING;

	(void)atomic_compare_exchange_strong(&result, &r, R_PASS);
}

/* before() and the test, left early by finalize()'s longjmp.  Nothing of
 * this frame is used after the jump. */
static void run_guarded(struct ztest_suite_node *suite, struct ztest_unit_test *test, void *data)
{
	runner = pthread_self();
	if (setjmp(jb) != 0) {
		return;
	}
	atomic_store(&armed, true);
	if (suite->before != NULL) {
		suite->before(data);
	}
	atomic_store(&phase, PH_TEST);
	test->test(data);
	atomic_store(&armed, false);
	mark_passed();
}

static int run_test(struct ztest_suite_node *suite, struct ztest_unit_test *test, void *data)
{
	int suite_result = atomic_load(&result);
	uint64_t t0;
	uint32_t ms;
	int ret = TC_PASS;
	int r;

	printk("START - %s\n", test->name);
	atomic_store(&phase, PH_BEFORE);
	t0 = now_ns();
	if (suite_result != R_SUITE_SKIP && suite_result != R_SUITE_FAIL) {
		atomic_store(&result, R_PENDING);
		run_guarded(suite, test, data);
	}
	atomic_store(&phase, PH_AFTER);
	if (suite->after != NULL) {
		suite->after(data);
	}
	ms = (uint32_t)((now_ns() - t0 + 999999u) / 1000000u);
	if (ms > test->stats->duration_worst_ms) {
		test->stats->duration_worst_ms = ms;
	}
	atomic_store(&phase, PH_FRAMEWORK);
	r = atomic_load(&result);
	if (r == R_FAIL || r == R_SUITE_FAIL || atomic_exchange(&failed_expectation, false)) {
		ret = TC_FAIL;
	} else if (r == R_SKIP || r == R_SUITE_SKIP) {
		ret = TC_SKIP;
	}
	printk(" %s - %s in %u.%03u seconds\n", result_str(ret), test->name, ms / 1000,
	       ms % 1000);
	printk(LINE "\n");
	/* The next test of the suite starts from the suite's own result. */
	if (r != R_SUITE_SKIP && r != R_SUITE_FAIL) {
		atomic_store(&result, suite_result == R_SUITE_SKIP || suite_result == R_SUITE_FAIL
					      ? suite_result
					      : R_PENDING);
	}
	return ret;
}

static int run_suite(struct ztest_suite_node *suite, int case_iter)
{
	void *data = NULL;
	int fail = 0;

	if (suite == NULL) {
		atomic_store(&status, ST_CRITICAL);
		return -1;
	}
	printk("Running TESTSUITE %s\n", suite->name);
	printk(LINE "\n");
	atomic_store(&result, R_PENDING);
	atomic_store(&phase, PH_SETUP);
	if (suite->setup != NULL) {
		data = suite->setup();
	}
	for (int i = 0; i < case_iter; i++) {
		for (struct ztest_unit_test *t = tests; t != NULL; t = t->emu_next) {
			int tc;

			if (strcmp(t->test_suite_name, suite->name) != 0) {
				continue;
			}
			t->stats->run_count++;
			tc = run_test(suite, t, data);
			if (tc == TC_PASS) {
				t->stats->pass_count++;
			} else if (tc == TC_SKIP) {
				t->stats->skip_count++;
			} else {
				t->stats->fail_count++;
				fail++;
			}
			if (atomic_load(&status) == ST_CRITICAL) {
				break;
			}
		}
		if (atomic_load(&status) == ST_OK && fail != 0) {
			atomic_store(&status, ST_HAS_FAILURE);
		}
	}
	if (fail > 0) {
		printk("TESTSUITE %s failed.\n", suite->name);
	} else {
		printk("TESTSUITE %s succeeded\n", suite->name);
	}
	atomic_store(&phase, PH_TEARDOWN);
	if (suite->teardown != NULL) {
		suite->teardown(data);
	}
	atomic_store(&phase, PH_FRAMEWORK);
	return fail;
}

static int run_suite_iters(struct ztest_suite_node *s, const void *state, int suite_iter,
			   int case_iter)
{
	int count = 0;

	for (int i = 0; i < suite_iter; i++) {
		if (s->predicate == NULL || s->predicate(state)) {
			int fail = run_suite(s, case_iter);

			count++;
			s->stats->run_count++;
			s->stats->fail_count += fail != 0 ? 1 : 0;
		} else {
			s->stats->skip_count++;
		}
	}
	return count;
}

int emu_zephyr_ztest_run_test_suites(const void *state, bool shuffle, int suite_iter,
				     int case_iter)
{
	int count = 0;

	(void)shuffle;
	if (atomic_load(&status) == ST_CRITICAL) {
		return 0;
	}
	for (struct ztest_suite_node *s = suites; s != NULL; s = s->emu_next) {
		count += run_suite_iters(s, state, suite_iter, case_iter);
		if (atomic_load(&status) == ST_CRITICAL) {
			break;
		}
	}
	return count;
}

int emu_zephyr_ztest_run_test_suite(const char *name, bool shuffle, int suite_iter,
				    int case_iter, void *param)
{
	struct ztest_suite_node *s = suites;

	(void)shuffle;
	(void)suite_iter;
	(void)param;
	while (s != NULL && strcmp(s->name, name) != 0) {
		s = s->emu_next;
	}
	return run_suite(s, case_iter);
}

static struct ztest_suite_node *find_suite(const char *name)
{
	for (struct ztest_suite_node *s = suites; s != NULL; s = s->emu_next) {
		if (strcmp(s->name, name) == 0) {
			return s;
		}
	}
	return NULL;
}

void emu_zephyr_ztest_verify_all_test_suites_ran(void)
{
	bool all = true;

	for (struct ztest_suite_node *s = suites; s != NULL; s = s->emu_next) {
		if (s->stats->run_count < 1) {
			printk("ERROR: Test suite '%s' did not run.\n", s->name);
			all = false;
		}
	}
	for (struct ztest_unit_test *t = tests; t != NULL; t = t->emu_next) {
		if (find_suite(t->test_suite_name) == NULL) {
			printk("ERROR: Test '%s' assigned to test suite '%s' which doesn't exist\n",
			       t->name, t->test_suite_name);
			all = false;
		}
	}
	if (!all) {
		atomic_store(&status, ST_HAS_FAILURE);
	}
	for (struct ztest_unit_test *t = tests; t != NULL; t = t->emu_next) {
		const struct ztest_unit_test_stats *st = t->stats;

		if (st->fail_count + st->pass_count + st->skip_count != st->run_count) {
			printk("Bad stats for %s.%s\n", t->test_suite_name, t->name);
			atomic_store(&status, ST_HAS_FAILURE);
		}
	}
}

static int test_tc(const struct ztest_unit_test_stats *st)
{
	if (st->skip_count == st->run_count) {
		return TC_SKIP;
	}
	if (st->pass_count + st->skip_count == st->run_count) {
		return TC_PASS;
	}
	return st->pass_count == 0 ? TC_FAIL : -1; /* -1: flaky */
}

static void suite_summary(const struct ztest_suite_node *s)
{
	int pass = 0, fail = 0, skip = 0, total = 0, major = 0, minor = 0;
	unsigned worst = 0;
	const char *res;

	for (const struct ztest_unit_test *t = tests; t != NULL; t = t->emu_next) {
		int tc;

		if (strcmp(t->test_suite_name, s->name) != 0) {
			continue;
		}
		total++;
		worst += t->stats->duration_worst_ms;
		tc = test_tc(t->stats);
		pass += tc == TC_PASS;
		skip += tc == TC_SKIP;
		fail += tc != TC_PASS && tc != TC_SKIP;
	}
	if (skip == total) {
		res = "SKIP";
	} else {
		/* Percent with two decimals, rounded half up at the third. */
		int rate = pass * 100000 / (total - skip), tail;

		major = rate / 1000;
		minor = (rate - major * 1000) / 10;
		tail = rate - major * 1000 - minor * 10;
		minor += tail >= 5;
		res = fail > 0 ? "FAIL" : "PASS";
	}
	printk("SUITE %s - %3d.%02d%% [%s]: pass = %d, fail = %d, skip = %d, total = %d "
	       "duration = %u.%03u seconds\n",
	       res, major, minor, s->name, pass, fail, skip, total, worst / 1000, worst % 1000);
	for (const struct ztest_unit_test *t = tests; t != NULL; t = t->emu_next) {
		const struct ztest_unit_test_stats *st = t->stats;
		int tc;

		if (strcmp(t->test_suite_name, s->name) != 0) {
			continue;
		}
		tc = test_tc(st);
		if (tc < 0) {
			printk(" - FLAKY - [%s.%s] - (Failed %u of %u attempts) - duration = "
			       "%u.%03u seconds\n",
			       t->test_suite_name, t->name, st->run_count - st->pass_count,
			       st->run_count, st->duration_worst_ms / 1000,
			       st->duration_worst_ms % 1000);
		} else {
			printk(" - %s - [%s.%s] duration = %u.%03u seconds\n", result_str(tc),
			       t->test_suite_name, t->name, st->duration_worst_ms / 1000,
			       st->duration_worst_ms % 1000);
		}
	}
	printk("\n");
}

int emu_zephyr_ztest_end_report(void)
{
	int st = atomic_load(&status);

	printk("\n------ TESTSUITE SUMMARY START ------\n\n");
	for (const struct ztest_suite_node *s = suites; s != NULL; s = s->emu_next) {
		suite_summary(s);
	}
	printk("------ TESTSUITE SUMMARY END ------\n\n");
	printk(LINE "\n");
	printk("PROJECT EXECUTION %s\n", st != ST_OK ? "FAILED" : "SUCCESSFUL");
	return st != ST_OK ? 1 : 0;
}

int emu_zephyr_ztest_main(void (*test_main_fn)(void))
{
	if (test_main_fn != NULL) {
		test_main_fn();
	} else {
		ztest_run_all(NULL, false, 1, 1);
		ztest_verify_all_test_suites_ran();
	}
	return emu_zephyr_ztest_end_report();
}
