/*
 * zephyr/ztest.h - Zephyr's test framework (the ZTEST_SUITE/ZTEST API of
 * Zephyr 3.x and 4.x) for one core's program under `ipc-emu run`.
 *
 * A test program has no main(): as with Zephyr's ztest library, the main()
 * below runs test_main() if the program defines one, otherwise every suite
 * (ztest_run_all(NULL, false, 1, 1), then ztest_verify_all_test_suites_ran()),
 * prints the summary and "PROJECT EXECUTION SUCCESSFUL" or "... FAILED", and
 * returns 0 or 1: the program's exit status is the project result.  Define
 * IPC_EMU_ZTEST_NO_MAIN before including this header to write your own
 * main() instead.
 *
 * Output: the lines Zephyr's ztest prints with CONFIG_ZTEST_VERBOSE_OUTPUT,
 * CONFIG_ZTEST_SUMMARY and CONFIG_ZTEST_VERBOSE_SUMMARY (their defaults), one
 * printk() per line: "Running TESTSUITE s", "START - t",
 * " PASS - t in 0.001 seconds", "TESTSUITE s succeeded", the
 * "------ TESTSUITE SUMMARY START ------" block, "PROJECT EXECUTION ...".
 * `ipc-emu run` reads them from each program's standard output into its
 * report (--json, --junit).
 *
 * Order: suites run in the order of their names, and the tests of a suite in
 * the order of theirs, as Zephyr's sorted iterable sections give them.
 *
 * Context: tests run one at a time on the thread that called ztest_run_all()
 * (Zephyr runs each on a fresh ztest thread).  A failed zassert, zassume,
 * ztest_test_fail(), ztest_test_skip() or ztest_test_pass() on that thread
 * ends the test at once (longjmp back to the runner: held locks stay held,
 * as with Zephyr's thread abort).  On any other thread (an IPC callback in
 * the interrupt or work-queue thread, a k_thread) the result is recorded
 * and the caller continues, as a Zephyr ztest call from an ISR does; the
 * test itself runs on until it returns.
 */
#ifndef ZEPHYR_INCLUDE_ZTEST_H_
#define ZEPHYR_INCLUDE_ZTEST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <zephyr/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CONFIG_ZTEST
#define CONFIG_ZTEST 1
#endif

/* Results, as Zephyr's tc_util.h numbers them. */
#define TC_PASS 0
#define TC_FAIL 1
#define TC_SKIP 2

struct ztest_unit_test_stats {
	uint32_t run_count;
	uint32_t skip_count;
	uint32_t fail_count;
	uint32_t pass_count;
	uint32_t duration_worst_ms;
};

struct ztest_unit_test {
	const char *test_suite_name;
	const char *name;
	void (*test)(void *data);
	uint32_t thread_options;
	struct ztest_unit_test_stats *stats;
	struct ztest_unit_test *emu_next; /* registration list (ipc-emu) */
};

struct ztest_suite_stats {
	uint32_t run_count;
	uint32_t skip_count;
	uint32_t fail_count;
};

typedef void *(*ztest_suite_setup_t)(void);
typedef void (*ztest_suite_before_t)(void *fixture);
typedef void (*ztest_suite_after_t)(void *fixture);
typedef void (*ztest_suite_teardown_t)(void *fixture);
typedef bool (*ztest_suite_predicate_t)(const void *global_state);

struct ztest_suite_node {
	const char *name;
	ztest_suite_setup_t setup;
	ztest_suite_before_t before;
	ztest_suite_after_t after;
	ztest_suite_teardown_t teardown;
	ztest_suite_predicate_t predicate;
	struct ztest_suite_stats *stats;
	struct ztest_suite_node *emu_next; /* registration list (ipc-emu) */
};

/* Registration, from the constructors ZTEST_SUITE and ZTEST* generate
 * (before main(), single-threaded). */
void emu_zephyr_ztest_register_suite(struct ztest_suite_node *suite);
void emu_zephyr_ztest_register_test(struct ztest_unit_test *test);

/* ztest_run_test_suites(): runs every suite whose predicate (if any)
 * accepts state, each suite_iter times, each test case_iter times;
 * returns the number of suite runs.  shuffle is accepted and ignored. */
int emu_zephyr_ztest_run_test_suites(const void *state, bool shuffle, int suite_iter,
				     int case_iter);
/* One suite by name; returns its number of failed tests, -1 if there is no
 * such suite (a critical error). */
int emu_zephyr_ztest_run_test_suite(const char *name, bool shuffle, int suite_iter,
				    int case_iter, void *param);
void emu_zephyr_ztest_verify_all_test_suites_ran(void);
/* The end of main(): summary, "PROJECT EXECUTION ...", and 0 or 1. */
int emu_zephyr_ztest_end_report(void);
/* main() of a test program: test_main (NULL: the default one), then the
 * end report.  Returns the exit status. */
int emu_zephyr_ztest_main(void (*test_main_fn)(void));

/* Results of the running test (see the head comment for the context). */
void emu_zephyr_ztest_fail(void);
void emu_zephyr_ztest_pass(void);
void emu_zephyr_ztest_skip(void);
void emu_zephyr_ztest_expect_fail(void);

static inline void ztest_test_fail(void)
{
	emu_zephyr_ztest_fail();
}
static inline void ztest_test_pass(void)
{
	emu_zephyr_ztest_pass();
}
static inline void ztest_test_skip(void)
{
	emu_zephyr_ztest_skip();
}
static inline void ztest_test_expect_fail(void)
{
	emu_zephyr_ztest_expect_fail();
}
static inline int ztest_run_test_suites(const void *state, bool shuffle, int suite_iter,
					int case_iter)
{
	return emu_zephyr_ztest_run_test_suites(state, shuffle, suite_iter, case_iter);
}
static inline void ztest_run_all(const void *state, bool shuffle, int suite_iter, int case_iter)
{
	(void)emu_zephyr_ztest_run_test_suites(state, shuffle, suite_iter, case_iter);
}
static inline void ztest_verify_all_test_suites_ran(void)
{
	emu_zephyr_ztest_verify_all_test_suites_ran();
}
#define ztest_run_test_suite(suite, shuffle, suite_iter, case_iter, param)                       \
	emu_zephyr_ztest_run_test_suite(#suite, shuffle, suite_iter, case_iter, param)

/*
 * ZTEST_SUITE(name, predicate, setup, before, after, teardown): setup()
 * returns the fixture handed to before/after/teardown and to ZTEST_F tests;
 * a NULL function is skipped; predicate(state) false skips the suite.
 */
#define ZTEST_SUITE(SUITE_NAME, PREDICATE, setup_fn, before_fn, after_fn, teardown_fn)          \
	static struct ztest_suite_stats z_ztest_suite_node_stats_##SUITE_NAME;                  \
	static struct ztest_suite_node z_ztest_test_node_##SUITE_NAME = {                       \
		.name = #SUITE_NAME,                                                              \
		.setup = (setup_fn),                                                              \
		.before = (before_fn),                                                            \
		.after = (after_fn),                                                              \
		.teardown = (teardown_fn),                                                        \
		.predicate = (PREDICATE),                                                         \
		.stats = &z_ztest_suite_node_stats_##SUITE_NAME,                                  \
	};                                                                                        \
	__attribute__((constructor)) static void z_ztest_register_suite_##SUITE_NAME(void)     \
	{                                                                                         \
		emu_zephyr_ztest_register_suite(&z_ztest_test_node_##SUITE_NAME);                 \
	}                                                                                         \
	struct ztest_suite_node /* takes the caller's ';' */

#define Z_EMU_ZTEST(suite, fn, options, param, call)                                             \
	static void suite##_##fn(param);                                                          \
	static void z_ztest_wrapper_##suite##_##fn(void *data)                                    \
	{                                                                                         \
		(void)data;                                                                       \
		call;                                                                             \
	}                                                                                         \
	static struct ztest_unit_test_stats z_ztest_unit_test_stats_##suite##_##fn;             \
	static struct ztest_unit_test z_ztest_unit_test__##suite##__##fn = {                    \
		.test_suite_name = #suite,                                                        \
		.name = #fn,                                                                      \
		.test = z_ztest_wrapper_##suite##_##fn,                                           \
		.thread_options = (options),                                                      \
		.stats = &z_ztest_unit_test_stats_##suite##_##fn,                                 \
	};                                                                                        \
	__attribute__((constructor)) static void z_ztest_register_##suite##_##fn(void)         \
	{                                                                                         \
		emu_zephyr_ztest_register_test(&z_ztest_unit_test__##suite##__##fn);              \
	}                                                                                         \
	static void suite##_##fn(param)

/* A test of `suite`; the body follows: ZTEST(s, test_x) { ... }.  The _F
 * forms get the suite's fixture as `struct <suite>_fixture *fixture`.
 * ZTEST_USER*: there is no user mode here, they are the same tests. */
#define ZTEST(suite, fn) Z_EMU_ZTEST(suite, fn, 0, void, suite##_##fn())
#define ZTEST_USER(suite, fn) Z_EMU_ZTEST(suite, fn, K_USER, void, suite##_##fn())
#define ZTEST_F(suite, fn)                                                                        \
	Z_EMU_ZTEST(suite, fn, 0, struct suite##_fixture *fixture,                                \
		    suite##_##fn((struct suite##_fixture *)data))
#define ZTEST_USER_F(suite, fn)                                                                   \
	Z_EMU_ZTEST(suite, fn, K_USER, struct suite##_fixture *fixture,                           \
		    suite##_##fn((struct suite##_fixture *)data))

#ifdef __cplusplus
}
#endif

#include <zephyr/ztest_assert.h>

#ifndef IPC_EMU_ZTEST_NO_MAIN
/* Zephyr's ztest provides main() and calls the application's test_main()
 * when there is one.  Weak, so that including this header in several files
 * of a program is fine. */
void test_main(void) __attribute__((weak));
int main(void);
__attribute__((weak)) int main(void)
{
	return emu_zephyr_ztest_main(test_main);
}
#endif

#endif /* ZEPHYR_INCLUDE_ZTEST_H_ */
