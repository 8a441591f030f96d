/* zephyr/toolchain/gcc.h - Zephyr's GCC toolchain header: all of it is in
 * zephyr/toolchain.h here. */
#include <zephyr/toolchain.h>
