/* The counter pair's protocol: the host sends COUNT values, the remote
 * answers each with the running sum; value 0 asks for the final total. */
#ifndef COUNTER_COMMON_H
#define COUNTER_COMMON_H

#include <stdint.h>

#define COUNT 10

struct counter_msg {
	uint32_t value;
	uint32_t sum;
};

#endif
