/*
 * tests/tsan/criterion/criterion.h - the part of Criterion's API that the
 * ThreadSanitizer workloads use, for our own runner (tests/tsan/runner.c).
 *
 * Criterion cannot start under TSan ("Could not initialize inheritable
 * arena"), so the TSan build (CMake option IPC_EMU_TSAN, scripts/test.sh)
 * puts this directory first on the include path: tests/test_race.c and
 * tests/support/pair.c compile unchanged against it.  Tests run one after
 * the other in one process, in the order they are defined; a failed
 * assertion ends the run (exit 1) after printing where and why.  Options of
 * Test()/TestSuite() (timeouts, init/fini) are ignored: the runner has one
 * alarm per test.
 */
#ifndef IPC_EMU_TSAN_CRITERION_H
#define IPC_EMU_TSAN_CRITERION_H

#include <stdbool.h>
#include <stddef.h>

struct tsan_test {
	const char *suite;
	const char *name;
	void (*fn)(void);
	struct tsan_test *next;
};

void tsan_register(struct tsan_test *t);
_Noreturn void tsan_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tsan_expect_failed(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tsan_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tsan_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TestSuite(suite, ...) extern int tsan_suite_##suite
#define Test(suite, name, ...)                                                                 \
	static void tsan_fn_##suite##_##name(void);                                            \
	static struct tsan_test tsan_desc_##suite##_##name = {#suite, #name,                   \
							     tsan_fn_##suite##_##name, NULL};  \
	__attribute__((constructor)) static void tsan_reg_##suite##_##name(void)               \
	{                                                                                      \
		tsan_register(&tsan_desc_##suite##_##name);                                    \
	}                                                                                      \
	static void tsan_fn_##suite##_##name(void)

/* " " __VA_ARGS__: an optional printf-style message, as Criterion's (never an
 * empty format string). */
#define cr_assert(cond, ...)                                                                   \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			tsan_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__);                 \
		}                                                                              \
	} while (0)
#define cr_expect(cond, ...)                                                                   \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			tsan_expect_failed(__FILE__, __LINE__, #cond, " " __VA_ARGS__);        \
		}                                                                              \
	} while (0)
#define cr_assert_not(cond, ...) cr_assert(!(cond), __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b), __VA_ARGS__)
#define cr_assert_neq(a, b, ...) cr_assert((a) != (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_geq(a, b, ...) cr_assert((a) >= (b), __VA_ARGS__)
#define cr_assert_null(p, ...) cr_assert((p) == NULL, __VA_ARGS__)
#define cr_assert_not_null(p, ...) cr_assert((p) != NULL, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) cr_expect((a) == (b), __VA_ARGS__)
#define cr_expect_neq(a, b, ...) cr_expect((a) != (b), __VA_ARGS__)
#define cr_skip_test(...)                                                                      \
	do {                                                                                   \
		tsan_skip(" " __VA_ARGS__);                                                    \
		return;                                                                        \
	} while (0)
#define cr_log_info(...) tsan_log(__VA_ARGS__)

#endif
