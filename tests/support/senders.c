#include "support/senders.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/ipc_service.h"

enum { HDR = 8 };

struct sender {
	struct senders *s;
	pthread_barrier_t *go;
	int id;
};

static size_t msg_len(const struct senders *s, int id, uint32_t seq)
{
	return HDR + (seq * 7u + (unsigned)id * 3u) % (unsigned)(s->max_len - HDR + 1);
}

static uint8_t body_byte(int id, uint32_t seq, size_t i)
{
	return (uint8_t)(id * 101 + seq * 13u + i);
}

static void make(const struct senders *s, int id, uint32_t seq, uint8_t *m, size_t *len)
{
	*len = msg_len(s, id, seq);
	m[0] = (uint8_t)id;
	m[1] = (uint8_t)seq;
	m[2] = (uint8_t)(seq >> 8);
	m[3] = (uint8_t)(seq >> 16);
	m[4] = (uint8_t)(seq >> 24);
	m[5] = (uint8_t)*len;
	m[6] = (uint8_t)(*len >> 8);
	m[7] = 0;
	for (size_t i = HDR; i < *len; i++) {
		m[i] = body_byte(id, seq, i);
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *send_thread(void *arg)
{
	struct sender *t = arg;
	struct senders *s = t->s;
	int64_t retry_ms = getenv("VALGRIND") != NULL ? 40000 : 2000;
	uint8_t m[256];
	size_t len;

	pthread_barrier_wait(t->go);
	for (uint32_t seq = 0; seq < (uint32_t)s->per_thread; seq++) {
		int64_t give_up = now_ms() + retry_ms;
		int rc;

		make(s, t->id, seq, m, &len);
		/* A ring the receiver no longer drains (it found it corrupt)
		 * stays full: give up rather than spin until the test times out. */
		while ((rc = ipc_service_send(s->ept, m, len)) == -ENOMEM ||
		       (rc == -ENOBUFS && !s->enobufs_fails)) {
			atomic_fetch_add(&s->retries, 1);
			if (now_ms() > give_up) {
				rc = -ETIMEDOUT;
				break;
			}
			sched_yield();
		}
		if (rc != (int)len) {
			s->send_rc[t->id] = rc == 0 ? -EPROTO : rc;
			break;
		}
	}
	return NULL;
}

static void pause_here(void *arg)
{
	(void)arg;
	usleep(20);
}

void senders_run(struct senders *s)
{
	pthread_barrier_t go;
	struct sender t[2];
	pthread_t th[2];

	cr_assert(s->max_len >= HDR && s->max_len <= 255);
	if (s->widen != NULL) {
		cr_assert_eq(emu_crash_hook(s->widen, pause_here, NULL), 0);
	}
	cr_assert_eq(pthread_barrier_init(&go, NULL, 2), 0);
	for (int i = 0; i < 2; i++) {
		t[i] = (struct sender){.s = s, .go = &go, .id = i};
		cr_assert_eq(pthread_create(&th[i], NULL, send_thread, &t[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pthread_join(th[i], NULL), 0);
	}
	pthread_barrier_destroy(&go);
	if (s->widen != NULL) {
		cr_assert_eq(emu_crash_hook(s->widen, NULL, NULL), 0);
	}
}

void senders_received(struct senders *s, const void *data, size_t len)
{
	const uint8_t *m = data;
	uint32_t seq;
	int id;

	atomic_fetch_add(&s->received, 1);
	if (len < HDR || m[0] > 1) {
		atomic_fetch_add(&s->bad, 1);
		return;
	}
	id = m[0];
	seq = (uint32_t)m[1] | (uint32_t)m[2] << 8 | (uint32_t)m[3] << 16 | (uint32_t)m[4] << 24;
	if (seq != s->next[id] || len != msg_len(s, id, seq) ||
	    (size_t)(m[5] | m[6] << 8) != len || m[7] != 0) {
		atomic_fetch_add(&s->bad, 1);
		return;
	}
	for (size_t i = HDR; i < len; i++) {
		if (m[i] != body_byte(id, seq, i)) {
			atomic_fetch_add(&s->bad, 1);
			return;
		}
	}
	s->next[id] = seq + 1;
}

int senders_count(int native)
{
	return getenv("VALGRIND") != NULL ? native / 10 : native;
}
