/*
 * zephyr/sys/util.h - the few helpers of Zephyr's util.h that IPC code uses.
 */
#ifndef ZEPHYR_INCLUDE_SYS_UTIL_H_
#define ZEPHYR_INCLUDE_SYS_UTIL_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h> /* as Zephyr's util.h: code around IPC relies on it */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))
#endif
#ifndef MIN
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef BIT
#define BIT(n) (1UL << (n))
#endif
#ifndef CONTAINER_OF
#define CONTAINER_OF(ptr, type, field) ((type *)(((char *)(ptr)) - offsetof(type, field)))
#endif
#ifndef ARG_UNUSED
#define ARG_UNUSED(x) (void)(x)
#endif

/* IS_ENABLED(CONFIG_X): 1 when CONFIG_X is defined to 1, else 0 (usable in
 * #if and in C expressions). */
#define EMU_IS_ENABLED_PLACEHOLDER_1 0,
#define EMU_IS_ENABLED_TAKE_2(ignored, val, ...) val
#define EMU_IS_ENABLED_3(junk_or_comma) EMU_IS_ENABLED_TAKE_2(junk_or_comma 1, 0, ~)
#define EMU_IS_ENABLED_2(val) EMU_IS_ENABLED_3(EMU_IS_ENABLED_PLACEHOLDER_##val)
#define IS_ENABLED(config) EMU_IS_ENABLED_2(config)

#endif /* ZEPHYR_INCLUDE_SYS_UTIL_H_ */
