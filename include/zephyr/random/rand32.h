/* zephyr/random/rand32.h - the old name of zephyr/random/random.h. */
#include <zephyr/random/random.h>
