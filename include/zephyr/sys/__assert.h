/*
 * zephyr/sys/__assert.h - __ASSERT(), active when CONFIG_ASSERT is defined
 * (before the include or on the compiler's command line), as on Zephyr.
 * A failed assertion prints the message and aborts the program.
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
#else
#define __ASSERT(test, ...) ((void)0)
#define __ASSERT_NO_MSG(test) ((void)0)
#endif

#endif /* ZEPHYR_INCLUDE_SYS___ASSERT_H_ */
