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
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>
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

/*
 * The same for a test whose body is a function of one case: the table arr
 * (file scope), its ParameterizedTestParameters and the ParameterizedTest
 * in one line, the body following as the function's:
 *
 *   static enum emu_doorbell kinds[] = {...};
 *   VgParameterizedTest(enum emu_doorbell, db, kinds, s, t, .timeout = 20)
 *   {
 *           ... *db ...
 *   }
 *
 * The body may `return` (that ends its case).  Under Valgrind the test's
 * .timeout covers every case of the table: choose it for all of them.
 */
#define VgParameterizedTest(type, p, arr, suite, name, ...)                                   \
	static void vg_case_##suite##_##name(type *p);                                         \
	ParameterizedTestParameters(suite, name)                                               \
	{                                                                                      \
		return VG_PARAM_ARRAY(type, arr);                                              \
	}                                                                                      \
	ParameterizedTest(type *p, suite, name, __VA_ARGS__)                                   \
	{                                                                                      \
		VG_EACH_CASE(p, arr) vg_case_##suite##_##name(p);                              \
	}                                                                                      \
	static void vg_case_##suite##_##name(type *p)

/*
 * Tests run one after the other in one process under Valgrind.
 *
 * A test declared with VgTest instead of Test runs natively as before, in a
 * process of its own.  Under Valgrind it is disabled (Criterion starts no
 * process for it) and the suite's batch test, VG_BATCH(suite) once at the
 * end of the file, runs every VgTest of the file in order, each between its
 * suite's and its own .init and .fini as Criterion would: the same tests and
 * assertions, one process.  Only for tests that leave the process as they
 * found it (threads joined, descriptors closed, objects unlinked, no
 * injected failure left armed, no signal handler, environment or limit
 * changed) and that expect no .signal or .exit_code.  A failure ends the
 * batch; its message names the file and line, and the batch's last
 * "[vg  ] suite::test" line on stderr the test.  Under Valgrind the batch's
 * .timeout covers all of its tests.
 *
 *   VgTest(s, t, .timeout = 10) { ... }               like Test
 *   VG_BATCH(s, 300)                                  after the last VgTest
 *
 * (Criterion 2.4: a test's and a suite's options are the globals
 * <suite>_<test>_extra and suite_<suite>_extra of its macros, and a
 * disabled test starts no process.)
 */
struct vg_batch_entry {
	const char *name;
	void (*body)(void);
	const struct criterion_test_extra_data *test;
	const struct criterion_test_extra_data *suite;
};

#define VG_BATCH_MAX 128
__attribute__((unused)) static struct vg_batch_entry vg_batch_entries[VG_BATCH_MAX];
__attribute__((unused)) static size_t vg_batch_count;

/* Registers a VgTest (constructor time); under Valgrind disables it. */
static inline void vg_batch_add(const char *name, void (*body)(void),
				struct criterion_test_extra_data *test,
				const struct criterion_test_extra_data *suite)
{
	if (vg_batch_count == VG_BATCH_MAX) {
		fprintf(stderr, "vg_cases.h: more than %d VgTests in one file\n", VG_BATCH_MAX);
		abort();
	}
	vg_batch_entries[vg_batch_count++] = (struct vg_batch_entry){name, body, test, suite};
	if (vg_all_cases()) {
		test->disabled = true;
	}
}

#define VgTest(...) CR_EXPAND(VG_TEST_(__VA_ARGS__, .sentinel_ = 0))
#define VG_TEST_(s_, n_, ...)                                                                   \
	CR_TEST_PROTOTYPE_(s_, n_);                                                            \
	extern struct criterion_test_extra_data CR_IDENTIFIER_(s_, n_, extra);                 \
	extern struct criterion_test_extra_data CR_SUITE_IDENTIFIER_(s_, extra)                 \
		__attribute__((weak));                                                         \
	__attribute__((constructor)) static void vg_add_##s_##_##n_(void)                      \
	{                                                                                      \
		vg_batch_add(#s_ "::" #n_, CR_IDENTIFIER_(s_, n_, impl),                        \
			     &CR_IDENTIFIER_(s_, n_, extra), &CR_SUITE_IDENTIFIER_(s_, extra));  \
	}                                                                                      \
	CR_TEST_BASE(s_, n_, __VA_ARGS__)

/* The batch test valgrind_batch::suite: natively disabled, under Valgrind
 * every VgTest of the file in order. */
#define VG_BATCH(s_, seconds)                                                                \
	Test(valgrind_batch, s_, .timeout = (seconds))                                       \
	{                                                                                      \
		cr_assert_gt(vg_batch_count, 0, "no VgTest in this file");                     \
		for (size_t vg_b_ = 0; vg_b_ < vg_batch_count; vg_b_++) {                      \
			const struct vg_batch_entry *e_ = &vg_batch_entries[vg_b_];            \
                                                                                               \
			fprintf(stderr, "[vg  ] %s\n", e_->name);                              \
			if (e_->suite != NULL && e_->suite->init != NULL) {                    \
				e_->suite->init();                                             \
			}                                                                      \
			if (e_->test->init != NULL) {                                          \
				e_->test->init();                                              \
			}                                                                      \
			e_->body();                                                            \
			if (e_->test->fini != NULL) {                                          \
				e_->test->fini();                                              \
			}                                                                      \
			if (e_->suite != NULL && e_->suite->fini != NULL) {                    \
				e_->suite->fini();                                             \
			}                                                                      \
		}                                                                              \
	}                                                                                      \
	__attribute__((constructor)) static void vg_batch_enable_##s_(void)                 \
	{                                                                                      \
		CR_IDENTIFIER_(valgrind_batch, s_, extra).disabled = !vg_all_cases();       \
	}

#endif
