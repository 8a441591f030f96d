/*
 * port.c - the Linux implementation of src/port.h.
 *
 * Mutexes and semaphores are pthread objects on CLOCK_MONOTONIC.  Work items
 * run on one work-queue thread per process, started when the first item is
 * created and joined when the last one is destroyed (so a clean shutdown
 * leaves no thread behind for Valgrind to report).  Crash points are armed
 * from emu_crash_arm() or the IPC_EMU_CRASH environment variable.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <valgrind/helgrind.h>
#include <valgrind/memcheck.h>

#include "ctl.h"
#include "emu_internal.h"
#include "ipc_emu/emu.h"
#include "port.h"
#include "port_thread_name.h"

/* ------------------------------------------------------------------------ time */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Absolute CLOCK_MONOTONIC deadline timeout_ms from now. */
static struct timespec deadline_in(uint64_t timeout_ns)
{
	uint64_t t = now_ns() + timeout_ns;
	struct timespec ts = {.tv_sec = (time_t)(t / 1000000000u), .tv_nsec = (long)(t % 1000000000u)};

	return ts;
}

uint32_t port_uptime_ms(void)
{
	return (uint32_t)(now_ns() / 1000000u);
}

void port_sleep_us(uint32_t us)
{
	struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000L};

	if (us == 0) {
		(void)sched_yield();
		return;
	}
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

void port_sleep_ms(uint32_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* ------------------------------------------------------------------------ consumer wake */

/*
 * port_wait_consumed() / port_consumed() (src/port.h) for the ICBMsg v2
 * instances of a core: a binding names the core's MBOX device (the ctx the
 * core passes) and the two control-block role records, ours and the
 * peer's.  A waiting sender announces itself in its own record (tx_wait)
 * and sleeps on its futex word (tx_wake); the peer's consumer, after
 * publishing a new count, looks at that flag and, only if it is set, takes
 * it, bumps the word and wakes every waiter of the role (any instance: each
 * one collects and looks again).  Dekker pair: the waiter stores the flag,
 * fences, then re-reads the consumer count; the consumer stores the count,
 * fences, then reads the flag - one of them sees the other.  The waiter
 * read tx_wake before its flag, so a wake that took its flag has changed
 * the word its futex wait compares: no lost wake-up.  The control block is
 * shared memory, also when the core sees the v2 regions through the cache
 * model (then the waiter's re-read of the count can be stale: it sleeps
 * until the peer's wake or the timeout).
 *
 * Bindings are made by whoever starts a core (port_emu_wake_bind(), with
 * emu_core_mbox() and the role records of emu_core_ctl()), and removed
 * before the control block is unmapped and once no instance runs on the
 * device.  Without one every call returns at once (false / nothing).
 */
#define WAKE_BINDINGS 16

struct wake_binding {
	_Atomic(const void *) ctx; /* published last (release) */
	struct emu_ctl_role *self, *peer;
};

static struct wake_binding wake_tab[WAKE_BINDINGS];
static atomic_uint wake_used; /* bindings made so far (a high-water mark) */
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;

/* 0, -EINVAL (NULL argument), -EALREADY (ctx bound), -ENOMEM (table full). */
int port_emu_wake_bind(const void *ctx, struct emu_ctl_role *self, struct emu_ctl_role *peer)
{
	struct wake_binding *free_b = NULL;
	int rc = 0;

	if (ctx == NULL || self == NULL || peer == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&wake_lock);
	for (unsigned i = 0; i < WAKE_BINDINGS; i++) {
		const void *c = atomic_load_explicit(&wake_tab[i].ctx, memory_order_relaxed);

		if (c == ctx) {
			rc = -EALREADY;
		} else if (c == NULL && free_b == NULL) {
			free_b = &wake_tab[i];
		}
	}
	if (rc == 0 && free_b == NULL) {
		rc = -ENOMEM;
	}
	if (rc == 0) {
		free_b->self = self;
		free_b->peer = peer;
		atomic_store_explicit(&free_b->ctx, ctx, memory_order_release);
		if ((unsigned)(free_b - wake_tab) + 1u > atomic_load(&wake_used)) {
			atomic_store(&wake_used, (unsigned)(free_b - wake_tab) + 1u);
		}
	}
	pthread_mutex_unlock(&wake_lock);
	return rc;
}

void port_emu_wake_unbind(const void *ctx)
{
	pthread_mutex_lock(&wake_lock);
	for (unsigned i = 0; ctx != NULL && i < WAKE_BINDINGS; i++) {
		if (atomic_load_explicit(&wake_tab[i].ctx, memory_order_relaxed) == ctx) {
			atomic_store_explicit(&wake_tab[i].ctx, NULL, memory_order_relaxed);
		}
	}
	pthread_mutex_unlock(&wake_lock);
}

static const struct wake_binding *wake_find(const void *ctx)
{
	unsigned n = atomic_load_explicit(&wake_used, memory_order_acquire);

	for (unsigned i = 0; ctx != NULL && i < n; i++) {
		if (atomic_load_explicit(&wake_tab[i].ctx, memory_order_acquire) == ctx) {
			return &wake_tab[i];
		}
	}
	return NULL;
}

static _Atomic uint32_t *ctl_word(uint32_t *p)
{
	return (_Atomic uint32_t *)(void *)p;
}

bool port_wait_consumed(const void *ctx, const volatile void *word, uint32_t seen,
			uint32_t timeout_us)
{
	const struct wake_binding *b = wake_find(ctx);
	struct timespec ts = {.tv_sec = timeout_us / 1000000u,
			      .tv_nsec = (long)(timeout_us % 1000000u) * 1000L};
	uint32_t gen;

	if (b == NULL) {
		return false;
	}
	if (timeout_us == 0) {
		(void)sched_yield(); /* as port_sleep_us(0) */
		return true;
	}
	gen = atomic_load_explicit(ctl_word(&b->self->tx_wake), memory_order_acquire);
	(void)atomic_exchange(ctl_word(&b->self->tx_wait), 1u);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit((const volatile _Atomic uint32_t *)word, memory_order_relaxed) ==
	    seen) {
		/* Woken, timed out, the word moved on (EAGAIN) or a signal: the
		 * caller collects and looks again in every case. */
		(void)syscall(SYS_futex, &b->self->tx_wake, FUTEX_WAIT, gen, &ts, NULL, 0);
	}
	return true;
}

void port_consumed(const void *ctx, const volatile void *word)
{
	const struct wake_binding *b = wake_find(ctx);

	(void)word;
	if (b == NULL) {
		return;
	}
	atomic_thread_fence(memory_order_seq_cst); /* the count before the flag */
	if (atomic_load_explicit(ctl_word(&b->peer->tx_wait), memory_order_relaxed) == 0 ||
	    atomic_exchange(ctl_word(&b->peer->tx_wait), 0u) == 0) {
		return;
	}
	atomic_fetch_add(ctl_word(&b->peer->tx_wake), 1u);
	(void)syscall(SYS_futex, &b->peer->tx_wake, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* ------------------------------------------------------------------------ mutex */

struct port_mutex {
	pthread_mutex_t m;
};

int port_mutex_create(struct port_mutex **out)
{
	struct port_mutex *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		return -ENOMEM;
	}
	pthread_mutex_init(&m->m, NULL);
	*out = m;
	return 0;
}

void port_mutex_destroy(struct port_mutex *m)
{
	if (m == NULL) {
		return;
	}
	pthread_mutex_destroy(&m->m);
	free(m);
}

int port_mutex_lock(struct port_mutex *m, int32_t timeout_ms)
{
	int rc;

	if (timeout_ms < 0) {
		rc = pthread_mutex_lock(&m->m);
	} else if (timeout_ms > 0 && pthread_mutex_trylock(&m->m) == 0) {
		return 0; /* uncontended: no deadline (no clock read) needed */
	} else if (timeout_ms == 0) {
		rc = pthread_mutex_trylock(&m->m);
		return rc == 0 ? 0 : -EBUSY;
	} else {
#if (defined(IPC_EMU_ANNOTATE_RACES) && IPC_EMU_ANNOTATE_RACES) || defined(IPC_EMU_TSAN)
		/* Race-detection builds (scripts/threadcheck.sh; the TSan build of
		 * scripts/test.sh): neither Valgrind 3.19 nor clang 14's TSan
		 * intercepts pthread_mutex_clocklock(), so the tools would not see
		 * this lock taken.  timedlock (CLOCK_REALTIME) is intercepted. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		rc = pthread_mutex_timedlock(&m->m, &ts);
#else
		struct timespec ts = deadline_in((uint64_t)timeout_ms * 1000000u);

		rc = pthread_mutex_clocklock(&m->m, CLOCK_MONOTONIC, &ts);
#endif
	}
	return rc == 0 ? 0 : -EAGAIN;
}

void port_mutex_unlock(struct port_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

/* ------------------------------------------------------------------------ semaphore */

struct port_sem {
	pthread_mutex_t m;
	pthread_cond_t c;
	unsigned count;
	unsigned limit;
};

static void cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

int port_sem_create(struct port_sem **out, unsigned initial, unsigned limit)
{
	struct port_sem *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return -ENOMEM;
	}
	pthread_mutex_init(&s->m, NULL);
	cond_init_monotonic(&s->c);
	s->limit = limit == 0 ? 1 : limit;
	s->count = initial > s->limit ? s->limit : initial;
	*out = s;
	return 0;
}

void port_sem_destroy(struct port_sem *s)
{
	if (s == NULL) {
		return;
	}
	pthread_cond_destroy(&s->c);
	pthread_mutex_destroy(&s->m);
	free(s);
}

int port_sem_take(struct port_sem *s, int32_t timeout_ms)
{
	int rc = 0;
	struct timespec ts;

	if (timeout_ms > 0) {
		ts = deadline_in((uint64_t)timeout_ms * 1000000u);
	}
	pthread_mutex_lock(&s->m);
	while (s->count == 0) {
		if (timeout_ms == 0) {
			rc = -EBUSY;
			break;
		}
		if (timeout_ms < 0) {
			pthread_cond_wait(&s->c, &s->m);
		} else if (pthread_cond_timedwait(&s->c, &s->m, &ts) == ETIMEDOUT && s->count == 0) {
			rc = -EAGAIN;
			break;
		}
	}
	if (rc == 0) {
		s->count--;
	}
	pthread_mutex_unlock(&s->m);
	return rc;
}

void port_sem_give(struct port_sem *s)
{
	pthread_mutex_lock(&s->m);
	if (s->count < s->limit) {
		s->count++;
	}
	pthread_cond_signal(&s->c);
	pthread_mutex_unlock(&s->m);
}

/* ------------------------------------------------------------------------ work queue */

struct port_work {
	port_work_fn fn;
	void *arg;
	struct port_work *next; /* in the ready list */
	bool queued;            /* in the ready list */
	bool scheduled;         /* has a pending deadline */
	bool running;
	uint64_t due_ns;
	uint32_t ctx;           /* the submitter's context (port_set_context_hooks) */
	struct port_work *next_all; /* all live items (for deadlines) */
	struct workq *q;
};

struct workq {
	pthread_mutex_t m;
	pthread_cond_t c;    /* work arrived / deadline changed / stop */
	pthread_cond_t idle; /* an item finished running */
	pthread_t thread;
	bool started;
	bool stop;
	unsigned items;
	struct port_work *head, *tail;
	struct port_work *all;
};

/* One thread per queue: PORT_WORKQ_RX (ICMsg receive, like Zephyr's
 * icmsg_workq) and PORT_WORKQ_AUX (slow jobs that may block on the RX path,
 * like ICBMsg's endpoint-bound queue). */
static struct workq wqs[PORT_WORKQ_COUNT] = {
	{.m = PTHREAD_MUTEX_INITIALIZER},
	{.m = PTHREAD_MUTEX_INITIALIZER},
};

static pthread_once_t wq_once = PTHREAD_ONCE_INIT;
/* Serialises starting and joining the thread, so a create racing with the
 * last destroy never sees a thread that is about to exit. */
static pthread_mutex_t wq_life = PTHREAD_MUTEX_INITIALIZER;
/* The queue whose thread is the caller, if any. */
static _Thread_local struct workq *tls_queue;
static _Thread_local bool tls_in_isr;

static void wq_init_conds(void)
{
	for (unsigned i = 0; i < PORT_WORKQ_COUNT; i++) {
		cond_init_monotonic(&wqs[i].c);
		cond_init_monotonic(&wqs[i].idle);
	}
}

/* Caller holds q->m.  Queuing an item that is already queued is a no-op. */
static void wq_enqueue(struct port_work *w)
{
	struct workq *q = w->q;

	if (w->queued) {
		return;
	}
	w->queued = true;
	w->next = NULL;
	if (q->tail) {
		q->tail->next = w;
	} else {
		q->head = w;
	}
	q->tail = w;
	pthread_cond_signal(&q->c);
}

/* Caller holds q->m. */
static void wq_unlink(struct port_work *w)
{
	struct workq *q = w->q;
	struct port_work **pp = &q->head;

	if (!w->queued) {
		return;
	}
	while (*pp && *pp != w) {
		pp = &(*pp)->next;
	}
	if (*pp) {
		*pp = w->next;
	}
	q->tail = NULL;
	for (struct port_work *it = q->head; it; it = it->next) {
		q->tail = it;
	}
	w->queued = false;
}

static void (*thread_name_hook)(const char *name); /* port_set_thread_name_hook */

void port_set_thread_name_hook(void (*hook)(const char *name))
{
	__atomic_store_n(&thread_name_hook, hook, __ATOMIC_RELEASE);
}

static void name_thread(const char *name)
{
	void (*hook)(const char *) = __atomic_load_n(&thread_name_hook, __ATOMIC_ACQUIRE);

	if (hook != NULL) {
		hook(name);
	}
}

/* port_set_context_hooks: both NULL, or both set. */
static uint32_t (*ctx_get_hook)(void);
static void (*ctx_set_hook)(uint32_t ctx);

void port_set_context_hooks(uint32_t (*get)(void), void (*set)(uint32_t ctx))
{
	if (get == NULL || set == NULL) {
		get = NULL;
		set = NULL;
	}
	__atomic_store_n(&ctx_set_hook, set, __ATOMIC_RELEASE);
	__atomic_store_n(&ctx_get_hook, get, __ATOMIC_RELEASE);
}

/* The caller's context, for the item it submits (0 without hooks). */
static uint32_t submitter_ctx(void)
{
	uint32_t (*get)(void) = __atomic_load_n(&ctx_get_hook, __ATOMIC_ACQUIRE);

	return get != NULL ? get() : 0;
}

/* Run one item (no lock held) in its submitter's context. */
static void wq_run(struct port_work *w, uint32_t ctx)
{
	void (*set)(uint32_t) = __atomic_load_n(&ctx_set_hook, __ATOMIC_ACQUIRE);

	if (set == NULL) {
		w->fn(w->arg);
		return;
	}
	set(ctx);
	w->fn(w->arg);
	set(0);
}

static void *wq_thread(void *arg)
{
	struct workq *q = arg;

	name_thread("workq");
	tls_queue = q;
	pthread_mutex_lock(&q->m);
	while (!q->stop) {
		uint64_t now = now_ns();
		uint64_t next_due = UINT64_MAX;

		for (struct port_work *it = q->all; it; it = it->next_all) {
			if (it->scheduled && it->due_ns <= now) {
				it->scheduled = false;
				wq_enqueue(it);
			} else if (it->scheduled && it->due_ns < next_due) {
				next_due = it->due_ns;
			}
		}
		struct port_work *w = q->head;

		if (w == NULL) {
			if (next_due == UINT64_MAX) {
				pthread_cond_wait(&q->c, &q->m);
			} else {
				struct timespec ts = {.tv_sec = (time_t)(next_due / 1000000000u),
						      .tv_nsec = (long)(next_due % 1000000000u)};

				pthread_cond_timedwait(&q->c, &q->m, &ts);
			}
			continue;
		}
		uint32_t ctx = w->ctx;

		wq_unlink(w);
		w->running = true;
		pthread_mutex_unlock(&q->m);
		wq_run(w, ctx);
		pthread_mutex_lock(&q->m);
		w->running = false;
		pthread_cond_broadcast(&q->idle);
	}
	pthread_mutex_unlock(&q->m);
	return NULL;
}

int port_work_create_on(struct port_work **out, port_work_fn fn, void *arg, unsigned queue)
{
	struct port_work *w;
	struct workq *q;
	int rc = 0;

	if (queue >= PORT_WORKQ_COUNT) {
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		return -ENOMEM;
	}
	q = &wqs[queue];
	w->fn = fn;
	w->arg = arg;
	w->q = q;
	pthread_once(&wq_once, wq_init_conds);
	pthread_mutex_lock(&wq_life);
	pthread_mutex_lock(&q->m);
	if (!q->started) {
		q->stop = false;
		rc = pthread_create(&q->thread, NULL, wq_thread, q);
		if (rc != 0) {
			pthread_mutex_unlock(&q->m);
			pthread_mutex_unlock(&wq_life);
			free(w);
			return -rc;
		}
		q->started = true;
	}
	q->items++;
	w->next_all = q->all;
	q->all = w;
	pthread_mutex_unlock(&q->m);
	pthread_mutex_unlock(&wq_life);
	*out = w;
	return 0;
}

/* Caller holds q->m. */
static void wq_cancel_locked(struct port_work *w)
{
	struct workq *q = w->q;

	wq_unlink(w);
	w->scheduled = false;
	if (tls_queue != q) {
		while (w->running) {
			pthread_cond_wait(&q->idle, &q->m);
		}
	}
}

void port_work_destroy(struct port_work *w)
{
	bool join = false;
	struct workq *q;

	if (w == NULL) {
		return;
	}
	q = w->q;
	pthread_mutex_lock(&wq_life);
	pthread_mutex_lock(&q->m);
	wq_cancel_locked(w);
	for (struct port_work **pp = &q->all; *pp; pp = &(*pp)->next_all) {
		if (*pp == w) {
			*pp = w->next_all;
			break;
		}
	}
	if (--q->items == 0 && q->started && tls_queue != q) {
		q->stop = true;
		pthread_cond_signal(&q->c);
		join = true;
		q->started = false;
	}
	pthread_mutex_unlock(&q->m);
	if (join) {
		pthread_join(q->thread, NULL);
	}
	pthread_mutex_unlock(&wq_life);
	free(w);
}

void port_work_submit(struct port_work *w)
{
	struct workq *q = w->q;
	uint32_t ctx = submitter_ctx();

	pthread_mutex_lock(&q->m);
	w->ctx = ctx;
	/* Signalled under q->m: signalling after the unlock is allowed, and saves
	 * the woken thread a brief wait on the mutex, but DRD and Helgrind then
	 * report every submit as a dubious signal, which would hide real races
	 * in scripts/threadcheck.sh. */
	wq_enqueue(w);
	pthread_mutex_unlock(&q->m);
}

void port_work_schedule(struct port_work *w, uint32_t delay_ms)
{
	if (delay_ms == 0) {
		port_work_submit(w);
		return;
	}
	struct workq *q = w->q;
	uint32_t ctx = submitter_ctx();

	pthread_mutex_lock(&q->m);
	w->ctx = ctx;
	w->scheduled = true;
	w->due_ns = now_ns() + (uint64_t)delay_ms * 1000000u;
	pthread_cond_signal(&q->c);
	pthread_mutex_unlock(&q->m);
}

void port_work_cancel_sync(struct port_work *w)
{
	struct workq *q = w->q;

	pthread_mutex_lock(&q->m);
	wq_cancel_locked(w);
	pthread_mutex_unlock(&q->m);
}

int port_work_create(struct port_work **out, port_work_fn fn, void *arg)
{
	return port_work_create_on(out, fn, arg, PORT_WORKQ_RX);
}

bool port_in_workq(void)
{
	return tls_queue != NULL;
}

/* ------------------------------------------------------------------------ contexts */

bool port_in_isr(void)
{
	return tls_in_isr;
}

void emu_port_set_in_isr(bool in_isr)
{
	tls_in_isr = in_isr;
}

/* ------------------------------------------------------------------------ cache */

/* port_cache_flush() and port_cache_invd() are in cache.c (the cache model;
 * no-ops for memory outside its private views). */

void port_check_defined(const void *p, size_t len)
{
	(void)VALGRIND_CHECK_MEM_IS_DEFINED(p, len);
}

/* ------------------------------------------------------------------------ crash points */

#define CRASH_MAX 32 /* the core's points and the Zephyr shim's */
#define CRASH_NAME 48

static struct {
	pthread_mutex_t m;
	bool env_read;
	unsigned n;
	struct {
		char name[CRASH_NAME];
		unsigned nth;  /* 0: counting only */
		atomic_uint hits;
		_Atomic(const char *) seen; /* the caller's pointer for this name */
		void (*hook)(void *arg);    /* emu_crash_hook(): run at every hit */
		void *hook_arg;
	} p[CRASH_MAX];
	/* Lock-free fast path of port_crash_point() (the core calls it on every
	 * send): while nothing is armed and the environment has been read, a
	 * name seen before is found by its pointer and only its counter moves. */
	atomic_uint n_pub;   /* slots whose `seen` may be compared (release) */
	atomic_bool slow;    /* a point is armed, or IPC_EMU_CRASH not read yet */
} crash = {.m = PTHREAD_MUTEX_INITIALIZER, .slow = true};

/* Caller holds crash.m.  Returns the slot of `name`, creating it; NULL if full. */
static unsigned crash_slot(const char *name, bool *found)
{
	for (unsigned i = 0; i < crash.n; i++) {
		if (strncmp(crash.p[i].name, name, CRASH_NAME) == 0) {
			*found = true;
			return i;
		}
	}
	*found = false;
	if (crash.n == CRASH_MAX) {
		return CRASH_MAX;
	}
	snprintf(crash.p[crash.n].name, CRASH_NAME, "%s", name);
	crash.p[crash.n].nth = 0;
	crash.p[crash.n].hook = NULL;
	atomic_store_explicit(&crash.p[crash.n].hits, 0, memory_order_relaxed);
	atomic_store_explicit(&crash.p[crash.n].seen, NULL, memory_order_relaxed);
	return crash.n++;
}

static int crash_arm_locked(const char *name, unsigned nth)
{
	bool found;
	unsigned i;

	if (name == NULL || name[0] == '\0' || strlen(name) >= CRASH_NAME || nth == 0) {
		return -EINVAL;
	}
	i = crash_slot(name, &found);
	if (i == CRASH_MAX) {
		return -ENOMEM;
	}
	crash.p[i].nth = nth;
	atomic_store(&crash.slow, true); /* from now on every hit takes the lock */
	return 0;
}

/* Caller holds crash.m.  IPC_EMU_CRASH="name@n" (n defaults to 1). */
static void crash_read_env(void)
{
	const char *env = getenv("IPC_EMU_CRASH");
	char name[CRASH_NAME];
	unsigned nth = 1;

	crash.env_read = true;
	/* C11 atomics are invisible to Helgrind/DRD (platform notes 7): the
	 * fast path's words (and the slot records around them) are ours. */
	VALGRIND_HG_DISABLE_CHECKING(&crash.p, sizeof(crash.p));
	VALGRIND_HG_DISABLE_CHECKING(&crash.n_pub, sizeof(crash.n_pub));
	VALGRIND_HG_DISABLE_CHECKING(&crash.slow, sizeof(crash.slow));
	if (env == NULL || env[0] == '\0') {
		return;
	}
	snprintf(name, sizeof(name), "%s", env);
	char *at = strchr(name, '@');

	if (at != NULL) {
		*at = '\0';
		nth = (unsigned)strtoul(at + 1, NULL, 10);
	}
	if (crash_arm_locked(name, nth) != 0) {
		port_log(PORT_LOG_ERR, "IPC_EMU_CRASH=%s ignored: expected NAME[@N] with N >= 1", env);
	}
}

int emu_crash_arm(const char *name, unsigned nth)
{
	int rc;

	pthread_mutex_lock(&crash.m);
	if (!crash.env_read) {
		crash_read_env();
	}
	rc = crash_arm_locked(name, nth);
	pthread_mutex_unlock(&crash.m);
	return rc;
}

int emu_crash_hook(const char *name, void (*fn)(void *arg), void *arg)
{
	bool found;
	unsigned i;

	if (name == NULL || name[0] == '\0' || strlen(name) >= CRASH_NAME) {
		return -EINVAL;
	}
	pthread_mutex_lock(&crash.m);
	if (!crash.env_read) {
		crash_read_env();
	}
	i = crash_slot(name, &found);
	if (i != CRASH_MAX) {
		crash.p[i].hook = fn;
		crash.p[i].hook_arg = arg;
		atomic_store(&crash.slow, true); /* every hit takes the lock */
	}
	pthread_mutex_unlock(&crash.m);
	return i == CRASH_MAX ? -ENOMEM : 0;
}

unsigned emu_crash_hits(const char *name)
{
	unsigned hits = 0;

	pthread_mutex_lock(&crash.m);
	for (unsigned i = 0; i < crash.n; i++) {
		if (strncmp(crash.p[i].name, name, CRASH_NAME) == 0) {
			hits = atomic_load_explicit(&crash.p[i].hits, memory_order_relaxed);
		}
	}
	pthread_mutex_unlock(&crash.m);
	return hits;
}

void port_crash_point(const char *name)
{
	bool found, die = false;
	void (*hook)(void *) = NULL;
	void *hook_arg = NULL;
	unsigned i;

	if (!atomic_load_explicit(&crash.slow, memory_order_relaxed)) {
		unsigned n = atomic_load_explicit(&crash.n_pub, memory_order_acquire);

		for (i = 0; i < n; i++) {
			if (atomic_load_explicit(&crash.p[i].seen, memory_order_relaxed) == name) {
				atomic_fetch_add_explicit(&crash.p[i].hits, 1, memory_order_relaxed);
				return;
			}
		}
	}
	pthread_mutex_lock(&crash.m);
	if (!crash.env_read) {
		crash_read_env();
	}
	i = crash_slot(name, &found);
	if (i != CRASH_MAX) {
		unsigned hits = atomic_fetch_add_explicit(&crash.p[i].hits, 1,
							  memory_order_relaxed) + 1;

		die = crash.p[i].nth != 0 && hits == crash.p[i].nth;
		hook = crash.p[i].hook;
		hook_arg = crash.p[i].hook_arg;
		if (crash.p[i].nth == 0 && hook == NULL) {
			atomic_store_explicit(&crash.p[i].seen, name, memory_order_relaxed);
		}
		/* Pairs with the acquire above: `seen` is set before the slot
		 * counts as published. */
		atomic_store_explicit(&crash.n_pub, crash.n, memory_order_release);
	}
	if (crash.env_read) {
		bool armed = false;

		for (unsigned k = 0; k < crash.n; k++) {
			armed |= crash.p[k].nth != 0 || crash.p[k].hook != NULL;
		}
		atomic_store(&crash.slow, armed);
	}
	pthread_mutex_unlock(&crash.m);
	if (hook != NULL) {
		hook(hook_arg);
	}
	if (die) {
		static const char msg[] = "ipc-emu: crash point hit, killing this process\n";

		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		raise(SIGKILL);
	}
}

/* ------------------------------------------------------------------------ log */

static char log_prefix[32];
static atomic_int log_level = -1; /* read lazily from IPC_EMU_LOG */

void emu_port_set_log_prefix(const char *prefix)
{
	snprintf(log_prefix, sizeof(log_prefix), "%s", prefix ? prefix : "");
}

void port_log(enum port_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"", "error", "warning", "info", "debug"};
	char line[512];
	int n;
	va_list ap;

	int max = atomic_load_explicit(&log_level, memory_order_relaxed);

	if (max < 0) {
		const char *env = getenv("IPC_EMU_LOG");

		max = env ? atoi(env) : PORT_LOG_WRN;
		atomic_store_explicit(&log_level, max, memory_order_relaxed);
	}
	if ((int)level > max) {
		return;
	}
	n = snprintf(line, sizeof(line), "ipc-emu%s%s: %s: ", log_prefix[0] ? " " : "", log_prefix,
		     names[level <= PORT_LOG_DBG ? level : 0]);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line)) {
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	}
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
