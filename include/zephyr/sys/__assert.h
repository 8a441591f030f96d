/*
 * zephyr/sys/__assert.h - __ASSERT(), active when CONFIG_ASSERT is defined
 * (before the include or on the compiler's command line), as on Zephyr.
 * A failed assertion prints the message and aborts the program.
 * __ASSERT_UNREACHABLE is an assertion with CONFIG_ASSERT and
 * CODE_UNREACHABLE without; __ASSERT_ON is 1 or 0 (Zephyr: the assert level).
 */
#ifndef ZEPHYR_INCLUDE_SYS___ASSERT_H_
#define ZEPHYR_INCLUDE_SYS___ASSERT_H_

#include <zephyr/sys/printk.h>

void emu_zephyr_assert_fail(const char *file, int line, const char *cond)
	__attribute__((noreturn));

#if defined(CONFIG_ASSERT) && CONFIG_ASSERT
#define __ASSERT(test, ...)                                                                   \
	do {                                                                                  \
		if (!(test)) {                                                                \
			printk(__VA_ARGS__);                                                  \
			printk("\n");                                                         \
			emu_zephyr_assert_fail(__FILE__, __LINE__, #test);                    \
		}                                                                             \
	} while (0)
#define __ASSERT_NO_MSG(test)                                                                 \
	do {                                                                                  \
		if (!(test)) {                                                                \
			emu_zephyr_assert_fail(__FILE__, __LINE__, #test);                    \
		}                                                                             \
	} while (0)
/* Runs expr2 (asserting test) with assertions on, expr1 without. */
#define __ASSERT_EVAL(expr1, expr2, test, ...)                                                \
	do {                                                                                  \
		expr2;                                                                        \
		__ASSERT(test, __VA_ARGS__);                                                  \
	} while (0)
#define __ASSERT_UNREACHABLE __ASSERT(0, "Unreachable code")
#define __ASSERT_ON 1
#else
#define __ASSERT(test, ...) ((void)0)
#define __ASSERT_NO_MSG(test) ((void)0)
#define __ASSERT_EVAL(expr1, expr2, test, ...) expr1
#define __ASSERT_UNREACHABLE __builtin_unreachable()
#define __ASSERT_ON 0
#endif

#endif /* ZEPHYR_INCLUDE_SYS___ASSERT_H_ */
