/*
 * Parameterized tests under Valgrind memcheck (scripts/test.sh).
 *
 * Criterion runs each parameter of a ParameterizedTest in a process of its
 * own.  Under memcheck, starting one costs about 1.2 s of CPU (Valgrind's
 * start and Criterion's twenty shared libraries; measured on the 2-core CI
 * machine), far more than a table case takes.  With these two macros a
 * table runs natively as before, one test per case, and under Valgrind
 * (VALGRIND set in the environment) as one test that walks every case of
 * the table in order: the same cases and assertions in one process.
 *
 *   static struct my_case my_cases[] = {...};          file scope
 *   ParameterizedTestParameters(s, t) { return VG_PARAM_ARRAY(struct my_case, my_cases); }
 *   ParameterizedTest(struct my_case *c, s, t) { VG_EACH_CASE(c, my_cases) { ... } }
 *
 * The body must not `return` (under Valgrind that would skip the remaining
 * cases), and must not depend on starting in a fresh process; a failure
 * message should name the case, as it would natively.
 */
#ifndef IPC_EMU_TESTS_VG_CASES_H
#define IPC_EMU_TESTS_VG_CASES_H

#include <stdbool.h>
#include <stdlib.h>

#include <criterion/parameterized.h>

static inline bool vg_all_cases(void)
{
	return getenv("VALGRIND") != NULL;
}

#define VG_CASES_LEN(arr) (sizeof(arr) / sizeof((arr)[0]))

/* The parameters: every case natively, the first only under Valgrind. */
#define VG_PARAM_ARRAY(type, arr) \
	cr_make_param_array(type, arr, vg_all_cases() ? 1u : VG_CASES_LEN(arr))

/* Run the statement after it for the parameter p natively, and for each
 * case of arr (p pointing at it) under Valgrind. */
#define VG_EACH_CASE(p, arr)                                                                   \
	for (size_t vg_i_ = 0;                                                                 \
	     vg_i_ < (vg_all_cases() ? VG_CASES_LEN(arr) : 1u) &&                               \
	     (vg_all_cases() ? (void)((p) = &(arr)[vg_i_]) : (void)0, true);                    \
	     vg_i_++)

#endif
