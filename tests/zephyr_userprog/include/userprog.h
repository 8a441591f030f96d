/*
 * userprog.h - the message format of the user-program pair of
 * pytests/test_zephyr_userprog.py (a program of several files with its own
 * include directory, as a user's application has).
 */
#ifndef USERPROG_H
#define USERPROG_H

#include <stddef.h>
#include <stdint.h>

#define USERPROG_MSG_MAX 64
#define USERPROG_BYE "bye"

/* Message `seq`: "ping <seq> " followed by a seeded tail; its length. */
size_t userprog_fill(uint8_t *buf, uint32_t seq);

#endif
