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
 *
 * Abort, suspend and k_wakeup (include/zephyr/kernel/emu_objects.h): a
 * POSIX thread cannot be stopped from outside safely, so each thread has a
 * control word (ABORT, SUSPEND, WAKEUP bits) that it reads at every kernel
 * call (zshim_thread_checkpoint) and while it blocks in one: the requester
 * sets a bit, then bumps the thread's own futex word `wake` (a sleeping or
 * suspended thread waits on that) and the objects' sequence word
 * (zshim_kick: a thread blocked on an object waits on that).  Each waiter
 * reads the bits after it has read the word it sleeps on, so the bump after
 * the bit cannot be missed.  An aborted thread ends as if its entry
 * function had returned.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "port.h"
#include "sys.h"
#include "zephyr_isr.h"
#include "zephyr_sched.h"
#include <zephyr/kernel.h>

#define CTL_ABORT 1u
#define CTL_SUSPEND 2u
#define CTL_WAKEUP 4u /* k_wakeup() while sleeping */

struct impl {
	pthread_t th;
	bool started;
	bool joined;
	bool sleeping; /* in k_sleep(), under lock */
	uint32_t ctl;  /* CTL_* (atomic, seq_cst) */
	uint32_t wake; /* futex word: bumped after every ctl change */
	int prio;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct k_thread *all;         /* every thread created, under lock */
static bool exit_hook;               /* on_exit registered, under lock */
static _Thread_local struct k_thread *current;

/* What the layers below (the scheduler, the kernel objects' waits) ask
 * about the calling thread: installed at start-up (thread_ops_install). */
static bool thread_abort_pending(void);
static void thread_suspended_wait(void);
static void thread_checkpoint(void);

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
	zshim_sched_thread_start(t->name, 0); /* coop: waits for the CPU */
	if (t->delay_ms > 0) {
		bool handled;

		/* k_wakeup() starts it early, k_thread_abort() ends it here. */
		(void)zshim_thread_sleep(t->delay_ms, &handled);
	}
	thread_checkpoint(); /* aborted or suspended during its delay */
	t->entry(t->p1, t->p2, t->p3);
	emu_k_sem_give(&t->done);
	zshim_sched_thread_exit();
	return NULL;
}

static void run(struct k_thread *t)
{
	struct impl *im = t->impl;

	pthread_mutex_lock(&lock);
	if (im->started || (__atomic_load_n(&im->ctl, __ATOMIC_SEQ_CST) & CTL_ABORT) != 0) {
		pthread_mutex_unlock(&lock);
		return;
	}
	im->started = true;
	pthread_mutex_unlock(&lock);
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
	struct impl *old = NULL;
	bool known = false;

	if (im == NULL) {
		printk("ipc-emu: out of memory creating a thread\n");
		abort();
	}
	pthread_mutex_lock(&lock);
	/* A struct k_thread used again (k_thread_create on it after its thread
	 * ended, as Zephyr allows): it stays once in the list; its old POSIX
	 * thread is joined and its old state freed.  Only a struct found in
	 * the list has an impl worth reading (a new one may hold garbage). */
	for (struct k_thread *u = all; u != NULL; u = u->next) {
		if (u == t) {
			known = true;
			old = t->impl;
			break;
		}
	}
	if (old != NULL && old->started && !old->joined) {
		old->joined = true;
	} else if (old != NULL) {
		old->started = false; /* nothing to join */
	}
	t->impl = im;
	(void)emu_k_sem_init(&t->done, 0, 1);
	if (!known) {
		t->next = all;
		all = t;
	}
	if (!exit_hook) {
		exit_hook = true;
		on_exit(wait_for_threads, NULL);
	}
	pthread_mutex_unlock(&lock);
	if (old != NULL) {
		if (old->started) {
			pthread_join(old->th, NULL);
		}
		free(old);
	}
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
	t->delay_ms = K_TIMEOUT_EQ(delay, K_FOREVER) ? -1 : zshim_timeout_ms(delay);
	t->name = NULL;
	enrol(t);
	if (t->delay_ms >= 0) {
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
	if (im == NULL) {
		return -EINVAL;
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

/* ------------------------------------------------- abort, suspend, wakeup */

static struct impl *impl_of(k_tid_t t)
{
	return t != NULL ? t->impl : NULL;
}

/* Tell `im` that its control word changed (see the head of this file). */
static void poke(struct impl *im)
{
	__atomic_add_fetch(&im->wake, 1, __ATOMIC_SEQ_CST);
	(void)emu_sys_futex_wake(&im->wake);
	zshim_kick();
}

/* May the calling thread act on its control word now? */
static struct impl *actionable(void)
{
	struct impl *im = impl_of(current);

	if (im == NULL || port_in_isr() || zshim_irq_held()) {
		return NULL;
	}
	return im;
}

static void exit_thread(struct k_thread *t) __attribute__((noreturn));

static void exit_thread(struct k_thread *t)
{
	emu_k_sem_give(&t->done); /* joiners are released */
	zshim_sched_thread_exit();
	pthread_exit(NULL);
}

static bool thread_abort_pending(void)
{
	struct impl *im = actionable();

	return im != NULL && (__atomic_load_n(&im->ctl, __ATOMIC_SEQ_CST) & CTL_ABORT) != 0;
}

static void thread_suspended_wait(void)
{
	struct impl *im = actionable();
	bool released = false;

	if (im == NULL) {
		return;
	}
	for (;;) {
		/* Read the word before the bits: a resume after this read
		 * changes the word and the wait returns at once. */
		uint32_t seen = __atomic_load_n(&im->wake, __ATOMIC_SEQ_CST);
		uint32_t ctl = __atomic_load_n(&im->ctl, __ATOMIC_SEQ_CST);

		if ((ctl & CTL_SUSPEND) == 0 || (ctl & CTL_ABORT) != 0) {
			break;
		}
		released |= zshim_sched_release(); /* suspended: the CPU is free */
		(void)emu_sys_futex_wait(&im->wake, seen, -1);
	}
	zshim_sched_reacquire(released);
}

static void thread_checkpoint(void)
{
	struct impl *im = actionable();

	if (im == NULL || __atomic_load_n(&im->ctl, __ATOMIC_SEQ_CST) == 0) {
		return;
	}
	thread_suspended_wait();
	if ((__atomic_load_n(&im->ctl, __ATOMIC_SEQ_CST) & CTL_ABORT) != 0) {
		exit_thread(current);
	}
}

int32_t zshim_thread_sleep(int32_t ms, bool *handled)
{
	struct impl *im = actionable();
	uint64_t deadline = zshim_now_ns() + (uint64_t)(ms > 0 ? ms : 0) * 1000000u;
	int32_t rc = 0;
	bool released;

	*handled = im != NULL;
	if (im == NULL) {
		return 0;
	}
	released = zshim_sched_release();
	pthread_mutex_lock(&lock);
	im->sleeping = true;
	if (ms < 0) {
		/* K_FOREVER: Zephyr suspends the thread; resume or k_wakeup ends
		 * it.  Set under the lock k_wakeup takes, so none is missed. */
		__atomic_or_fetch(&im->ctl, CTL_SUSPEND, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&lock);
	if (ms < 0) {
		thread_suspended_wait();
		rc = -1;
	} else {
		for (;;) {
			uint32_t seen = __atomic_load_n(&im->wake, __ATOMIC_SEQ_CST);
			uint32_t ctl = __atomic_load_n(&im->ctl, __ATOMIC_SEQ_CST);
			uint64_t now = zshim_now_ns();

			if ((ctl & (CTL_ABORT | CTL_WAKEUP)) != 0) {
				rc = now < deadline ? (int32_t)((deadline - now + 999999u) / 1000000u)
						    : 0;
				break;
			}
			if ((ctl & CTL_SUSPEND) != 0) {
				thread_suspended_wait();
				continue;
			}
			if (now >= deadline) {
				break;
			}
			(void)emu_sys_futex_wait(&im->wake, seen,
						 (int)((deadline - now + 999999u) / 1000000u));
		}
	}
	pthread_mutex_lock(&lock);
	im->sleeping = false;
	__atomic_and_fetch(&im->ctl, ~CTL_WAKEUP, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&lock);
	zshim_sched_reacquire(released);
	thread_checkpoint();
	return rc;
}

void emu_k_thread_abort(k_tid_t t)
{
	struct impl *im = impl_of(t);

	if (t == NULL) {
		if (current == NULL && !port_in_isr()) {
			zshim_sched_thread_exit();
			pthread_exit(NULL); /* main(): as if it had returned 0 */
		}
		printk("ipc-emu: k_thread_abort(NULL) outside main()\n");
		return;
	}
	if (im == NULL) {
		return; /* never created */
	}
	if (t == current && !port_in_isr()) {
		exit_thread(t);
	}
	__atomic_or_fetch(&im->ctl, CTL_ABORT, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&lock);
	if (!im->started) {
		/* Created with K_FOREVER and never started: it never will. */
		pthread_mutex_unlock(&lock);
		emu_k_sem_give(&t->done);
		return;
	}
	pthread_mutex_unlock(&lock);
	poke(im);
}

void emu_k_thread_suspend(k_tid_t t)
{
	struct impl *im = impl_of(t);

	if (im == NULL) {
		printk("ipc-emu: k_thread_suspend(%s): not a k_thread\n",
		       t == NULL ? "NULL" : "?");
		return;
	}
	__atomic_or_fetch(&im->ctl, CTL_SUSPEND, __ATOMIC_SEQ_CST);
	if (t == current) {
		thread_checkpoint(); /* blocks here until resumed */
		return;
	}
	poke(im);
}

void emu_k_thread_resume(k_tid_t t)
{
	struct impl *im = impl_of(t);

	if (im == NULL) {
		return;
	}
	if ((__atomic_fetch_and(&im->ctl, ~CTL_SUSPEND, __ATOMIC_SEQ_CST) & CTL_SUSPEND) != 0) {
		poke(im);
	}
}

void emu_k_wakeup(k_tid_t t)
{
	struct impl *im = impl_of(t);
	bool changed = false;

	if (im == NULL) {
		return;
	}
	pthread_mutex_lock(&lock);
	if (im->sleeping) {
		/* k_sleep(K_FOREVER) is a suspension (as on Zephyr): lift it too. */
		__atomic_or_fetch(&im->ctl, CTL_WAKEUP, __ATOMIC_SEQ_CST);
		__atomic_and_fetch(&im->ctl, ~CTL_SUSPEND, __ATOMIC_SEQ_CST);
		changed = true;
	}
	pthread_mutex_unlock(&lock);
	if (changed) {
		poke(im);
	}
}

int emu_k_thread_priority_get(k_tid_t t)
{
	struct impl *im = impl_of(t);

	return im != NULL ? __atomic_load_n(&im->prio, __ATOMIC_RELAXED) : 0;
}

void emu_k_thread_priority_set(k_tid_t t, int prio)
{
	struct impl *im = impl_of(t);

	if (im != NULL) {
		__atomic_store_n(&im->prio, prio, __ATOMIC_RELAXED);
	}
}

/* ------------------------------------------------------------ the layers below */

static const struct zshim_thread_ops ops = {
	.current = emu_k_current_get,
	.priority = emu_k_thread_priority_get,
	.abort_pending = thread_abort_pending,
	.suspended_wait = thread_suspended_wait,
	.checkpoint = thread_checkpoint,
};

/* Before main() and before any thread: the scheduler and the waits below
 * this file call up through these. */
__attribute__((constructor)) static void thread_ops_install(void)
{
	zshim_sched_set_thread_ops(&ops);
}
