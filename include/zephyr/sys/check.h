/*
 * zephyr/sys/check.h - CHECKIF(expr): Zephyr's argument checks.
 *
 *   CHECKIF(cond) { return -EINVAL; }
 *
 * runs the block when `cond` is true (the default, CONFIG_RUNTIME_ERROR_CHECKS
 * behaviour); with CONFIG_ASSERT_ON_ERRORS `cond` is __ASSERT'ed false
 * instead, with CONFIG_NO_RUNTIME_CHECKS it is compiled but never evaluated;
 * in both the block never runs.
 */
#ifndef ZEPHYR_INCLUDE_SYS_CHECK_H_
#define ZEPHYR_INCLUDE_SYS_CHECK_H_

#include <zephyr/sys/__assert.h>

#if defined(CONFIG_ASSERT_ON_ERRORS)
#define CHECKIF(expr) __ASSERT_NO_MSG(!(expr)); if (0)
#elif defined(CONFIG_NO_RUNTIME_CHECKS)
#define CHECKIF(expr) if (0 && (expr))
#else
#define CHECKIF(expr) if (expr)
#endif

#endif /* ZEPHYR_INCLUDE_SYS_CHECK_H_ */
