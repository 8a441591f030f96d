/*
 * common.c - the second source file of the user-program pair (host and
 * remote both link it): builds the host's messages.
 */
#include <stdio.h>

#include "userprog.h"

size_t userprog_fill(uint8_t *buf, uint32_t seq)
{
	int n = snprintf((char *)buf, USERPROG_MSG_MAX, "ping %u ", (unsigned int)seq);
	size_t len = (size_t)n + seq % 23u;

	for (size_t i = (size_t)n; i < len; i++) {
		buf[i] = (uint8_t)('a' + (seq + i) % 26u);
	}
	return len;
}
