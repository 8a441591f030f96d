/*
 * zephyr/ztest_assert.h - zassert_*, zassume_* and zexpect_* of Zephyr's
 * ztest (included by <zephyr/ztest.h>).
 *
 * Each takes Zephyr's arguments and an optional message with printf
 * arguments: zassert_equal(rc, 0) or zassert_equal(rc, 0, "send: %d", rc).
 * On failure it prints, as Zephyr's CONFIG_ZTEST_ASSERT_VERBOSE=1 does,
 *
 *       (blank line)
 *           Assertion failed at FILE:LINE: FUNC: DEFAULT_MSG
 *       MESSAGE
 *
 * where DEFAULT_MSG is in parentheses when a message is given
 * ("Assumption failed" for zassume_*, "Expectation failed" for zexpect_*),
 * then zassert_* fails the test (ztest_test_fail()), zassume_* skips it
 * (ztest_test_skip()) and zexpect_* records a failure and lets the test go
 * on.  FILE is __FILE__ as the compiler spelt it.
 */
#ifndef ZEPHYR_INCLUDE_ZTEST_ASSERT_H_
#define ZEPHYR_INCLUDE_ZTEST_ASSERT_H_

#include <stdbool.h>
#include <string.h>

#include <zephyr/ztest.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMU_ZTEST_ASSERT 0
#define EMU_ZTEST_ASSUME 1
#define EMU_ZTEST_EXPECT 2

/* A check of kind EMU_ZTEST_* failed: print, then fail, skip or record.
 * has_msg: a printf format and its arguments follow func. */
void emu_zephyr_ztest_check_failed(int kind, int has_msg, const char *default_msg,
				   const char *file, int line, const char *func, ...);

/* Never called: lets the compiler check the message against its arguments. */
static inline __attribute__((format(printf, 1, 2))) void z_emu_ztest_msg_format(const char *fmt,
										 ...)
{
	(void)fmt;
}

#define Z_EMU_ZTEST_CHECK(kind, cond, default_msg, ...)                                          \
	do {                                                                                      \
		__VA_OPT__(if (0) { z_emu_ztest_msg_format(__VA_ARGS__); })                       \
		if (!(cond)) {                                                                    \
			emu_zephyr_ztest_check_failed(kind, 0 __VA_OPT__(+1), default_msg,        \
						      __FILE__, __LINE__, __func__ __VA_OPT__(, ) \
							      __VA_ARGS__);                       \
		}                                                                                 \
	} while (0)

#define zassert(cond, default_msg, ...) Z_EMU_ZTEST_CHECK(EMU_ZTEST_ASSERT, cond, default_msg, __VA_ARGS__)
#define zassume(cond, default_msg, ...) Z_EMU_ZTEST_CHECK(EMU_ZTEST_ASSUME, cond, default_msg, __VA_ARGS__)
#define zexpect(cond, default_msg, ...) Z_EMU_ZTEST_CHECK(EMU_ZTEST_EXPECT, cond, default_msg, __VA_ARGS__)

/* ---- zassert_*: fail the test ---------------------------------------- */
#define zassert_unreachable(...) zassert(0, "Reached unreachable code", __VA_ARGS__)
#define zassert_true(cond, ...) zassert(cond, #cond " is false", __VA_ARGS__)
#define zassert_false(cond, ...) zassert(!(cond), #cond " is true", __VA_ARGS__)
#define zassert_ok(cond, ...) zassert(!(cond), #cond " is non-zero", __VA_ARGS__)
#define zassert_not_ok(cond, ...) zassert(!!(cond), #cond " is zero", __VA_ARGS__)
#define zassert_is_null(ptr, ...) zassert((ptr) == NULL, #ptr " is not NULL", __VA_ARGS__)
#define zassert_not_null(ptr, ...) zassert((ptr) != NULL, #ptr " is NULL", __VA_ARGS__)
#define zassert_equal(a, b, ...) zassert((a) == (b), #a " not equal to " #b, __VA_ARGS__)
#define zassert_not_equal(a, b, ...) zassert((a) != (b), #a " equal to " #b, __VA_ARGS__)
#define zassert_equal_ptr(a, b, ...)                                                              \
	zassert((void *)(a) == (void *)(b), #a " not equal to " #b, __VA_ARGS__)
#define zassert_within(a, b, d, ...)                                                              \
	zassert(((a) >= ((b) - (d))) && ((a) <= ((b) + (d))), #a " not within " #b " +/- " #d,   \
		__VA_ARGS__)
#define zassert_between_inclusive(a, l, u, ...)                                                   \
	zassert(((a) >= (l)) && ((a) <= (u)), #a " not between " #l " and " #u " inclusive",     \
		__VA_ARGS__)
#define zassert_mem_equal(...) zassert_mem_equal__(__VA_ARGS__)
#define zassert_mem_equal__(buf, exp, size, ...)                                                  \
	zassert(memcmp(buf, exp, size) == 0, #buf " not equal to " #exp, __VA_ARGS__)
#define zassert_str_equal(s1, s2, ...)                                                            \
	zassert(strcmp(s1, s2) == 0, #s1 " not equal to " #s2, __VA_ARGS__)

/* ---- zassume_*: skip the test ----------------------------------------- */
#define zassume_true(cond, ...) zassume(cond, #cond " is false", __VA_ARGS__)
#define zassume_false(cond, ...) zassume(!(cond), #cond " is true", __VA_ARGS__)
#define zassume_ok(cond, ...) zassume(!(cond), #cond " is non-zero", __VA_ARGS__)
#define zassume_not_ok(cond, ...) zassume(!!(cond), #cond " is zero", __VA_ARGS__)
#define zassume_is_null(ptr, ...) zassume((ptr) == NULL, #ptr " is not NULL", __VA_ARGS__)
#define zassume_not_null(ptr, ...) zassume((ptr) != NULL, #ptr " is NULL", __VA_ARGS__)
#define zassume_equal(a, b, ...) zassume((a) == (b), #a " not equal to " #b, __VA_ARGS__)
#define zassume_not_equal(a, b, ...) zassume((a) != (b), #a " equal to " #b, __VA_ARGS__)
#define zassume_equal_ptr(a, b, ...)                                                              \
	zassume((void *)(a) == (void *)(b), #a " not equal to " #b, __VA_ARGS__)
#define zassume_within(a, b, d, ...)                                                              \
	zassume(((a) >= ((b) - (d))) && ((a) <= ((b) + (d))), #a " not within " #b " +/- " #d,   \
		__VA_ARGS__)
#define zassume_between_inclusive(a, l, u, ...)                                                   \
	zassume(((a) >= (l)) && ((a) <= (u)), #a " not between " #l " and " #u " inclusive",     \
		__VA_ARGS__)
#define zassume_mem_equal(...) zassume_mem_equal__(__VA_ARGS__)
#define zassume_mem_equal__(buf, exp, size, ...)                                                  \
	zassume(memcmp(buf, exp, size) == 0, #buf " not equal to " #exp, __VA_ARGS__)
#define zassume_str_equal(s1, s2, ...)                                                            \
	zassume(strcmp(s1, s2) == 0, #s1 " not equal to " #s2, __VA_ARGS__)

/* ---- zexpect_*: record a failure, go on --------------------------------- */
#define zexpect_true(cond, ...) zexpect(cond, #cond " is false", __VA_ARGS__)
#define zexpect_false(cond, ...) zexpect(!(cond), #cond " is true", __VA_ARGS__)
#define zexpect_ok(cond, ...) zexpect(!(cond), #cond " is non-zero", __VA_ARGS__)
#define zexpect_not_ok(cond, ...) zexpect(!!(cond), #cond " is zero", __VA_ARGS__)
#define zexpect_is_null(ptr, ...) zexpect((ptr) == NULL, #ptr " is not NULL", __VA_ARGS__)
#define zexpect_not_null(ptr, ...) zexpect((ptr) != NULL, #ptr " is NULL", __VA_ARGS__)
#define zexpect_equal(a, b, ...) zexpect((a) == (b), #a " not equal to " #b, __VA_ARGS__)
#define zexpect_not_equal(a, b, ...) zexpect((a) != (b), #a " equal to " #b, __VA_ARGS__)
#define zexpect_equal_ptr(a, b, ...)                                                              \
	zexpect((void *)(a) == (void *)(b), #a " not equal to " #b, __VA_ARGS__)
#define zexpect_within(a, b, d, ...)                                                              \
	zexpect(((a) >= ((b) - (d))) && ((a) <= ((b) + (d))), #a " not within " #b " +/- " #d,   \
		__VA_ARGS__)
#define zexpect_between_inclusive(a, l, u, ...)                                                   \
	zexpect(((a) >= (l)) && ((a) <= (u)), #a " not between " #l " and " #u " inclusive",     \
		__VA_ARGS__)
#define zexpect_mem_equal(...) zexpect_mem_equal__(__VA_ARGS__)
#define zexpect_mem_equal__(buf, exp, size, ...)                                                  \
	zexpect(memcmp(buf, exp, size) == 0, #buf " not equal to " #exp, __VA_ARGS__)
#define zexpect_str_equal(s1, s2, ...)                                                            \
	zexpect(strcmp(s1, s2) == 0, #s1 " not equal to " #s2, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_ZTEST_ASSERT_H_ */
