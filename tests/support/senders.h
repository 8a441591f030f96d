/*
 * Test support: two threads send tagged messages on one endpoint at once
 * (the send locks of ICMsg and ICBMsg), and a receive check that finds any
 * message lost, duplicated, reordered within its sender, or corrupted.
 *
 * A message: | sender (1) | sequence (u32 LE) | length (u16 LE) | pad (1) | body |
 * 8..max_len bytes, length and body derived from sender and sequence.
 */
#ifndef IPC_EMU_TESTS_SENDERS_H
#define IPC_EMU_TESTS_SENDERS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipc_ept;

struct senders {
	struct ipc_ept *ept; /* both threads send on it */
	int per_thread;      /* messages per thread */
	int max_len;         /* longest message, 8..255 */
	/* A crash point inside the section the lock under test guards (NULL:
	 * none): the thread that reaches it sleeps a little there, so that the
	 * other sender runs into the section even on one free CPU. */
	const char *widen;
	/* -ENOBUFS (ICMsg's TX lock timed out) is a failure, not a retry: for
	 * ICBMsg, whose own lock serialises its control sends. */
	bool enobufs_fails;
	/* receiver side, filled by senders_received() */
	atomic_int received;
	atomic_int bad;      /* messages that were not the next intact one of their sender */
	uint32_t next[2];    /* next sequence number expected from each sender */
	/* sender side */
	int send_rc[2];      /* first send result that was neither the length nor a retry code */
	atomic_int retries;  /* sends retried */
};

/* Run both senders to completion (each retries -ENOMEM, and -ENOBUFS
 * unless enobufs_fails);
 * the hook on s->widen is removed afterwards. */
void senders_run(struct senders *s);
/* Check one received message; call from the receiving endpoint's callback
 * (one callback at a time, as ICMsg and ICBMsg deliver them). */
void senders_received(struct senders *s, const void *data, size_t len);
/* Messages per thread: `native`, or a tenth of it under Valgrind. */
int senders_count(int native);

#endif
