/*
 * zephyr_thread.c - k_thread_create / K_THREAD_DEFINE of include/zephyr/kernel.h
 * on POSIX threads.
 *
 * Every thread is detached from the caller's lifetime as on Zephyr: the
 * program ends when main() has returned 0 *and* every thread has returned
 * (an on_exit() handler, registered with the first thread, waits for them),
 * because a Zephyr system keeps running after main() returns.  An exit
 * status other than 0, or exit() from one of the threads, ends the program
 * at once.  A thread's "done" semaphore is given after its entry function
 * returns; k_thread_join() takes it and then joins the POSIX thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zephyr/kernel.h>

struct impl {
	pthread_t th;
	bool started;
	bool joined;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct k_thread *all;         /* every thread created, under lock */
static bool exit_hook;               /* on_exit registered, under lock */
static _Thread_local struct k_thread *current;

static void wait_for_threads(int status, void *arg)
{
	struct k_thread *t;

	if (status != 0) {
		return;
	}
	pthread_mutex_lock(&lock);
	t = all;
	pthread_mutex_unlock(&lock);
	/* Threads only ever get prepended: this walk sees every thread that
	 * existed when it started, and the new ones are ahead of `t`. */
	for (; t != NULL; t = t->next) {
		struct impl *im = t->impl;

		if (t == current || im == NULL || !im->started) {
			continue;
		}
		(void)emu_k_sem_take(&t->done, K_FOREVER);
		emu_k_sem_give(&t->done); /* k_thread_join may still come */
	}
}

static void *trampoline(void *arg)
{
	struct k_thread *t = arg;

	current = t;
	if (t->delay_ms > 0) {
		struct timespec ts = {.tv_sec = t->delay_ms / 1000,
				      .tv_nsec = (long)(t->delay_ms % 1000) * 1000000L};

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
		}
	}
	t->entry(t->p1, t->p2, t->p3);
	emu_k_sem_give(&t->done);
	return NULL;
}

static void run(struct k_thread *t)
{
	struct impl *im = t->impl;

	if (im->started) {
		return;
	}
	im->started = true;
	if (pthread_create(&im->th, NULL, trampoline, t) != 0) {
		im->started = false;
		printk("ipc-emu: cannot start thread %s\n", t->name != NULL ? t->name : "?");
		abort();
	}
	if (t->name != NULL) {
		char n[16];

		strncpy(n, t->name, sizeof(n) - 1);
		n[sizeof(n) - 1] = '\0';
		(void)pthread_setname_np(im->th, n);
	}
}

static void enrol(struct k_thread *t)
{
	struct impl *im = calloc(1, sizeof(*im));

	if (im == NULL) {
		printk("ipc-emu: out of memory creating a thread\n");
		abort();
	}
	t->impl = im;
	(void)emu_k_sem_init(&t->done, 0, 1);
	pthread_mutex_lock(&lock);
	t->next = all;
	all = t;
	if (!exit_hook) {
		exit_hook = true;
		on_exit(wait_for_threads, NULL);
	}
	pthread_mutex_unlock(&lock);
}

void emu_k_thread_start_defined(struct k_thread *t)
{
	enrol(t);
	if (t->delay_ms >= 0) {
		run(t);
	}
}

k_tid_t emu_k_thread_create(struct k_thread *t, k_thread_entry_t entry, void *p1, void *p2,
			    void *p3, k_timeout_t delay)
{
	t->entry = entry;
	t->p1 = p1;
	t->p2 = p2;
	t->p3 = p3;
	t->delay_ms = delay.ms;
	t->name = NULL;
	enrol(t);
	if (delay.ms >= 0) {
		run(t);
	}
	return t;
}

void emu_k_thread_start(k_tid_t t)
{
	if (t != NULL && t->impl != NULL) {
		t->delay_ms = 0;
		run(t);
	}
}

int emu_k_thread_join(struct k_thread *t, k_timeout_t timeout)
{
	struct impl *im = t->impl;
	int rc;

	if (t == current) {
		return -EDEADLK;
	}
	rc = emu_k_sem_take(&t->done, timeout);
	if (rc < 0) {
		return rc;
	}
	emu_k_sem_give(&t->done); /* joined again: returns at once */
	pthread_mutex_lock(&lock);
	if (im->started && !im->joined) {
		im->joined = true;
		pthread_mutex_unlock(&lock);
		pthread_join(im->th, NULL);
		return 0;
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

int emu_k_thread_name_set(k_tid_t t, const char *name)
{
	if (t == NULL) {
		return -EINVAL;
	}
	t->name = name;
	return 0;
}

k_tid_t emu_k_current_get(void)
{
	return current;
}
