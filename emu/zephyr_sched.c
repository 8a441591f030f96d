/*
 * zephyr_sched.c - schedule perturbation of a Zephyr program's threads
 * (`ipc-emu run --schedule coop|parallel|random [--seed S]`, which passes
 * IPC_EMU_SCHEDULE and IPC_EMU_SEED), and the ring of recent shim events
 * that a failing program prints.
 *
 * coop (the default of `run`): one CPU per process, as on a single-core
 * MCU.  The threads that run Zephyr code - k_threads, work-queue threads,
 * and the main thread (registered by a constructor, so it holds the CPU
 * through the init levels and main()) - hold the CPU while they run and
 * give it up only where a Zephyr thread gives up its CPU: in every kernel
 * wait (zshim_wait_block, k_sleep, a work queue with nothing to do,
 * k_work_flush/cancel_sync/queue_drain, k_timer_status_sync), at k_yield(),
 * after a work item (unless the queue is no_yield), and when the thread
 * ends.  k_busy_wait() keeps it.  Interrupts (the MBOX interrupt thread of
 * emu/core.c, k_timer expiry) never take it: they preempt threads as on
 * hardware.  The threads of ipc-emu's own core (its port work queues)
 * do not take it either: for a user program built against that core they
 * are a second, independent CPU.
 *
 * A thread woken by a kernel object takes what it waited for at once (a
 * Zephyr give hands the count to the waiter), then waits for the CPU in
 * zshim_wait_end.  When the holder gives the CPU up, the waiting thread of
 * the highest Zephyr priority (lowest number) gets it, the longest-waiting
 * among equals: a k_thread's own priority, main 0, a work queue the
 * priority given to k_work_queue_start (k_sys_work_q -1, the default of
 * CONFIG_SYSTEM_WORKQUEUE_PRIORITY).  A work submission makes an idle
 * queue's thread ready at once (zshim_sched_ready), so queue threads made
 * ready together run in priority order.  Preemption: a cooperative thread
 * (priority < 0) keeps the CPU until it waits or yields; a preemptible one
 * (>= 0) gives it to a waiting thread of a higher priority at its next
 * kernel call (zshim_sched_event: a give, submit, unlock, take, ...), as
 * Zephyr reschedules there - not in an ISR, and not at the give of a
 * thread's own `done` as it ends (ending_give).  A thread that an interrupt made ready preempts
 * at that next call too, not in the middle of the holder's own code, and a
 * thread woken by a semaphore, mutex or other object competes only once
 * its POSIX thread has woken (the wake-up is not synchronous here).
 *
 * A thread that blocks outside the kernel API (a libc sleep, pthread_join,
 * a spin on a flag another thread sets, a wait under irq_lock) would hold
 * the CPU for ever.  So a thread that has waited for the CPU while the same
 * holder kept it for STALL_MS (x20 under Valgrind) ends coop for the
 * process: one line on stderr names the holder, and from then on the
 * threads run in parallel.  Only time the holder could have run counts
 * (stall_check_locked): a process or a thread that Linux does not run, on
 * a loaded machine, keeps nothing.
 *
 * parallel: nobody holds the CPU (the behaviour before this mode existed).
 *
 * random: parallel, plus a seeded decision at every boundary event in
 * thread context (k_sem_give, k_mutex_unlock, k_work_submit*, k_msgq_put,
 * k_queue/k_fifo puts, k_event_post/set, k_poll_signal_raise): continue
 * (8 in 16), sched_yield() (4 in 16), sleep 100-800 us (2 in 16), or
 * (2 in 16) let the woken thread run first, as if it preempted the caller:
 * after a k_sem_give or k_mutex_unlock, wait until a thread has taken that
 * semaphore (or mutex) and then blocked in a kernel wait or ended, at most
 * HANDOFF_MS (x20 under Valgrind); after the other boundaries, sleep
 * 1-2 ms.
 * Each thread draws from its own generator, seeded from the seed and the
 * thread's name (or its creation index when it has none), so the same seed
 * gives every thread the same sequence of decisions.  The operating system
 * still schedules the threads: the interleavings are likely, not certain,
 * to repeat.
 *
 * The ring keeps the last RING_LEN events (thread, event, object) of the
 * process.  Under `run --trace` (IPC_EMU_TRACE) every event also goes to
 * the process's trace file as an EMU_TRACE_SHIM record (emu/trace.h), the
 * thread named as in the ring; without it that costs one branch.  A
 * program that exits with a status other than 0 (or fails an assertion)
 * prints them on stderr, oldest first, and ends with the line
 * `schedule MODE seed S: ...` that tells how to replay the run.  The ring,
 * like everything here, is off in processes without IPC_EMU_SCHEDULE (the
 * unit tests, the Python harness), which behave as before.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

#include "port.h"
#include "trace.h"
#include "zephyr_irq.h"
#include "zephyr_isr.h"
#include "zephyr_sched.h"
#include <zephyr/kernel.h>

/* ---------------------------------------------- the thread layer, above */

static const struct zshim_thread_ops *thread_ops; /* zshim_sched_set_thread_ops */

void zshim_sched_set_thread_ops(const struct zshim_thread_ops *ops)
{
	__atomic_store_n(&thread_ops, ops, __ATOMIC_RELEASE);
}

static const struct zshim_thread_ops *ops_of_threads(void)
{
	return __atomic_load_n(&thread_ops, __ATOMIC_ACQUIRE);
}

static struct k_thread *thread_current(void)
{
	const struct zshim_thread_ops *o = ops_of_threads();

	return o != NULL ? o->current() : NULL;
}

static int thread_priority(struct k_thread *t)
{
	const struct zshim_thread_ops *o = ops_of_threads();

	return o != NULL ? o->priority(t) : 0;
}

bool zshim_thread_abort_pending(void)
{
	const struct zshim_thread_ops *o = ops_of_threads();

	return o != NULL && o->abort_pending();
}

void zshim_thread_suspended_wait(void)
{
	const struct zshim_thread_ops *o = ops_of_threads();

	if (o != NULL) {
		o->suspended_wait();
	}
}

void zshim_thread_checkpoint(void)
{
	const struct zshim_thread_ops *o = ops_of_threads();

	if (o != NULL) {
		o->checkpoint();
	}
}

#define STALL_MS 2000
#define STALL_STEP_MS 250 /* most one stall check counts (see stall_check_locked) */
#define HANDOFF_MS 100
#define RING_LEN 48
#define MAIN_PRIO 0 /* CONFIG_MAIN_THREAD_PRIORITY */

struct zs_thread {
	bool zephyr; /* zshim_sched_thread_start() was called */
	bool holds;  /* holds the CPU (coop) */
	int prio;    /* when not a k_thread */
	uint32_t index;
	uint64_t rng; /* random mode; 0: not seeded yet */
	bool traced;  /* its name is in the trace file (--trace) */
	int tid;      /* Linux thread id (the stall check reads its schedstat) */
	char name[16];
};

static _Thread_local struct zs_thread self;

static struct {
	int mode;      /* enum zshim_sched_mode */
	bool active;   /* configured: events are recorded */
	uint64_t seed;
	uint32_t threads; /* creation index of the next thread */
	uint64_t stall_ns, handoff_ns;
} cfg = {.seed = 1};

/* ------------------------------------------------------------------- CPU */

struct zs_waiter {
	struct zs_waiter *next;
	struct zs_thread *t;
	k_tid_t k;  /* its k_thread (for the priority), or NULL */
	int prio;   /* when k is NULL */
	bool granted;
	bool queued; /* on cpu.head (a ready record of zshim_sched_idle) */
	uint64_t since_ns; /* queued since */
};

static struct {
	pthread_mutex_t m;
	pthread_cond_t cv; /* CLOCK_MONOTONIC; broadcast on every grant */
	pthread_once_t once;
	struct zs_waiter *head; /* in arrival order */
	struct zs_thread *owner;
	const char *owner_name;
	uint64_t since_ns; /* when the owner got the CPU */
	uint64_t gen;      /* grants so far: identifies the owner's tenure */
	/* The stall check of the current tenure (see stall_check_locked). */
	struct {
		uint64_t gen;    /* the tenure these figures are for */
		uint64_t at_ns;  /* the last check */
		uint64_t run_ns, delay_ns; /* the owner's schedstat then */
		bool stat;       /* run_ns/delay_ns were read */
		uint64_t kept_ns; /* the owner kept the CPU while somebody waited */
	} chk;
	bool degraded;     /* coop ended by a stall: everybody runs */
} cpu = {.m = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&cpu.cv, &a);
	pthread_condattr_destroy(&a);
}

static const char *self_name(void)
{
	k_tid_t k;

	if (self.name[0] != '\0') {
		return self.name;
	}
	k = thread_current();
	if (k != NULL && k->name != NULL) {
		snprintf(self.name, sizeof(self.name), "%s", k->name);
	} else if (self.zephyr) {
		snprintf(self.name, sizeof(self.name), "thread %u", (unsigned)self.index);
	} else {
		char n[16] = "";

		(void)pthread_getname_np(pthread_self(), n, sizeof(n));
		/* Named by its creator maybe only after it started: not kept
		 * until it has a name. */
		return n[0] != '\0' ? strcpy(self.name, n) : "?";
	}
	return self.name;
}

static int prio_of(const struct zs_waiter *w)
{
	return w->k != NULL ? thread_priority(w->k) : w->prio;
}

/* The waiter that gets the CPU next: highest priority, then FIFO. */
static struct zs_waiter **best_locked(void)
{
	struct zs_waiter **best = NULL;

	for (struct zs_waiter **pp = &cpu.head; *pp != NULL; pp = &(*pp)->next) {
		if (best == NULL || prio_of(*pp) < prio_of(*best)) {
			best = pp;
		}
	}
	return best;
}

/* `t` holds the CPU from now on (a new tenure). */
static void own_locked(struct zs_thread *t)
{
	cpu.owner = t;
	cpu.owner_name = t->name;
	cpu.since_ns = now_ns();
	cpu.gen++;
}

static void grant_locked(struct zs_waiter **pp)
{
	struct zs_waiter *w = *pp;

	*pp = w->next;
	w->queued = false;
	w->granted = true;
	own_locked(w->t);
	pthread_cond_broadcast(&cpu.cv);
}

static void hand_on_locked(void)
{
	struct zs_waiter **best = best_locked();

	if (best != NULL) {
		grant_locked(best);
	} else {
		cpu.owner = NULL;
	}
}

const char *zshim_role_name(void)
{
	const char *role = getenv("IPC_EMU_ROLE");

	if ((role == NULL || role[0] == '\0') && getenv("IPC_EMU_CORE") != NULL) {
		role = getenv("IPC_EMU_CORE"); /* a core of a multi-core run */
	}
	return role != NULL && role[0] != '\0' ? role : "program";
}

static void degrade_locked(void)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line),
		     "ipc-emu %s: schedule coop: thread '%s' kept the CPU %u ms without a kernel "
		     "wait (blocked outside the Zephyr API?): this program's threads run in "
		     "parallel from now on\n",
		     zshim_role_name(),
		     cpu.owner_name != NULL && cpu.owner_name[0] != '\0' ? cpu.owner_name : "?",
		     (unsigned)(cpu.chk.kept_ns / 1000000u));
	(void)!write(STDERR_FILENO, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1));
	cpu.degraded = true;
	cpu.owner = NULL;
	/* Everybody runs: the ready records are done with (a waiter finds
	 * itself no longer queued). */
	for (struct zs_waiter *w = cpu.head; w != NULL; w = w->next) {
		w->queued = false;
	}
	cpu.head = NULL;
	pthread_cond_broadcast(&cpu.cv);
}

static void enqueue_locked(struct zs_waiter *w)
{
	struct zs_waiter **pp = &cpu.head;

	while (*pp != NULL) {
		pp = &(*pp)->next;
	}
	*pp = w;
	w->next = NULL;
	w->queued = true;
	w->since_ns = now_ns();
}

/* Linux's account of thread `tid` of this process
 * (/proc/self/task/TID/schedstat): ns on a CPU, ns runnable but waiting for
 * one; and its state ('R' running or runnable, 'S' sleeping, ...) when
 * `state` is not NULL.  False if they cannot be read. */
static bool thread_stat(int tid, uint64_t *run_ns, uint64_t *delay_ns, char *state)
{
	char path[64], buf[512];
	unsigned long long run, delay;
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "re");
	if (f == NULL) {
		return false;
	}
	ok = fscanf(f, "%llu %llu", &run, &delay) == 2;
	fclose(f);
	if (!ok) {
		return false;
	}
	*run_ns = run;
	*delay_ns = delay;
	if (state != NULL) {
		const char *p;
		size_t n;

		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
		f = fopen(path, "re");
		if (f == NULL) {
			return false;
		}
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')'); /* after the name, which may hold anything */
		if (p == NULL || p[1] != ' ' || p[2] == '\0') {
			return false;
		}
		*state = p[2];
	}
	return true;
}

/*
 * The stall check, by a thread `w` waiting for the CPU (every 100 ms or
 * sooner).  The owner's tenure counts as kept only while somebody waits
 * for the CPU, and only the time the owner could have run: each check
 * counts the wall time since the previous one, at most STALL_STEP_MS (a
 * longer gap means this waiting thread was not run either: the process or
 * the machine stalled), less the time Linux kept the owner's POSIX thread
 * runnable without running it (its schedstat run delay).  That delay is
 * booked only when the thread runs again, so a limit reached while the
 * owner is runnable and has had no CPU since the previous check does not
 * end coop yet.  A thread blocked outside the kernel API (sleeping) or
 * spinning (on a CPU) keeps counting.
 */
static void stall_check_locked(const struct zs_waiter *w)
{
	struct zs_thread *o = cpu.owner;
	uint64_t now = now_ns(), run = 0, delay = 0, d;
	bool first, stat;
	char state = '?';

	if (o == NULL || cpu.degraded || o == w->t) {
		return;
	}
	first = cpu.chk.gen != cpu.gen;
	stat = o->tid > 0 && thread_stat(o->tid, &run, &delay, NULL);
	if (first) {
		/* From when the owner got the CPU or this thread began to wait,
		 * whichever is later. */
		d = now - (cpu.since_ns > w->since_ns ? cpu.since_ns : w->since_ns);
		cpu.chk.gen = cpu.gen;
		cpu.chk.kept_ns = 0;
	} else {
		d = now - cpu.chk.at_ns;
	}
	if (d > (uint64_t)STALL_STEP_MS * 1000000u) {
		d = (uint64_t)STALL_STEP_MS * 1000000u;
	}
	if (!first && stat && cpu.chk.stat && delay >= cpu.chk.delay_ns) {
		uint64_t starved = delay - cpu.chk.delay_ns;

		d = d > starved ? d - starved : 0;
	}
	if (cpu.chk.kept_ns + d > cfg.stall_ns && !first && stat && cpu.chk.stat &&
	    run == cpu.chk.run_ns && thread_stat(o->tid, &run, &delay, &state) && state == 'R') {
		d = 0; /* runnable, and Linux has not run it since the last check */
	}
	cpu.chk.kept_ns += d;
	cpu.chk.at_ns = now;
	cpu.chk.stat = stat;
	cpu.chk.run_ns = run;
	cpu.chk.delay_ns = delay;
	if (cpu.chk.kept_ns > cfg.stall_ns) {
		degrade_locked();
	}
}

/* Wait until `w` (queued) is granted (or coop has ended). */
static void wait_queued_locked(struct zs_waiter *w)
{
	struct zs_waiter **pp;

	while (!w->granted && !cpu.degraded) {
		uint64_t at = now_ns() + 100000000u;
		struct timespec ts = {.tv_sec = (time_t)(at / 1000000000u),
				      .tv_nsec = (long)(at % 1000000000u)};

		(void)pthread_cond_timedwait(&cpu.cv, &cpu.m, &ts);
		if (!w->granted && !cpu.degraded) {
			stall_check_locked(w);
		}
	}
	if (!w->granted && w->queued) {
		for (pp = &cpu.head; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == w) {
				*pp = w->next;
				break;
			}
		}
		w->queued = false;
	}
}

/* Queue `w` and wait until it is granted (or coop has ended). */
static void wait_granted_locked(struct zs_waiter *w)
{
	enqueue_locked(w);
	wait_queued_locked(w);
}

static void cpu_acquire(void)
{
	struct zs_waiter w = {.t = &self, .k = thread_current(), .prio = self.prio};

	(void)self_name(); /* the stall message may print it */
	pthread_once(&cpu.once, cpu_init);
	pthread_mutex_lock(&cpu.m);
	if (!cpu.degraded) {
		if (cpu.owner == NULL && cpu.head == NULL) {
			own_locked(&self);
			w.granted = true;
		} else {
			wait_granted_locked(&w);
		}
	}
	self.holds = w.granted;
	pthread_mutex_unlock(&cpu.m);
}

static void handoff_blocked(void);

bool zshim_sched_release(void)
{
	if (cfg.mode == ZSHIM_SCHED_RANDOM) {
		handoff_blocked();
	}
	if (!self.holds) {
		return false;
	}
	pthread_mutex_lock(&cpu.m);
	self.holds = false;
	if (!cpu.degraded && cpu.owner == &self) {
		hand_on_locked();
	}
	pthread_mutex_unlock(&cpu.m);
	return true;
}

void zshim_sched_reacquire(bool released)
{
	if (released && self.zephyr && cfg.mode == ZSHIM_SCHED_COOP) {
		cpu_acquire();
	}
}

void zshim_sched_yield(void)
{
	struct zs_waiter w = {.t = &self, .k = thread_current(), .prio = self.prio};
	struct zs_waiter **best;

	zshim_sched_event(ZSHIM_EV_YIELD, NULL, 0);
	if (!self.holds) {
		sched_yield();
		return;
	}
	pthread_mutex_lock(&cpu.m);
	best = best_locked();
	/* Zephyr's k_yield: only to a thread of the same or a higher priority. */
	if (!cpu.degraded && best != NULL && prio_of(*best) <= prio_of(&w)) {
		grant_locked(best);
		wait_granted_locked(&w);
		self.holds = w.granted;
	}
	pthread_mutex_unlock(&cpu.m);
}

/* Preemption (coop): a preemptible holder (priority >= 0) gives the CPU
 * to a ready thread of a higher priority (lower number) at once, and waits
 * for it again; a cooperative one (< 0) is never preempted.  Called at the
 * holder's kernel calls (zshim_sched_event), so a thread made ready by an
 * interrupt preempts at the holder's next kernel call. */
static void maybe_preempt(void)
{
	struct zs_waiter w = {.t = &self, .k = thread_current(), .prio = self.prio};
	struct zs_waiter **best;

	if (prio_of(&w) < 0 || zshim_irq_held() || port_in_isr()) {
		return;
	}
	pthread_mutex_lock(&cpu.m);
	best = best_locked();
	if (!cpu.degraded && cpu.owner == &self && best != NULL && prio_of(*best) < prio_of(&w)) {
		grant_locked(best);
		wait_granted_locked(&w);
		self.holds = w.granted;
	}
	pthread_mutex_unlock(&cpu.m);
}

/* The ready record of a queue thread going idle (one per thread: a thread
 * is idle in one place at a time). */
static _Thread_local struct zs_waiter idle_rec;

void *zshim_sched_idle(void)
{
	if (!zshim_sched_release() || !self.zephyr || cfg.mode != ZSHIM_SCHED_COOP) {
		return NULL;
	}
	idle_rec = (struct zs_waiter){.t = &self, .k = thread_current(), .prio = self.prio};
	return &idle_rec;
}

void zshim_sched_ready(void *rec)
{
	struct zs_waiter *w = rec;

	if (w == NULL) {
		return;
	}
	pthread_mutex_lock(&cpu.m);
	if (!cpu.degraded && !w->queued && !w->granted) {
		if (cpu.owner == NULL && cpu.head == NULL) {
			w->granted = true;
			own_locked(w->t);
			pthread_cond_broadcast(&cpu.cv);
		} else {
			enqueue_locked(w);
		}
	}
	pthread_mutex_unlock(&cpu.m);
}

void zshim_sched_idle_end(void *rec)
{
	struct zs_waiter *w = rec;

	if (w == NULL) {
		return;
	}
	(void)self_name();
	pthread_mutex_lock(&cpu.m);
	if (!cpu.degraded && !w->granted) {
		if (w->queued) {
			wait_queued_locked(w);
		} else if (cpu.owner == NULL && cpu.head == NULL) {
			w->granted = true;
			own_locked(&self);
		} else {
			wait_granted_locked(w);
		}
	}
	self.holds = w->granted;
	w->granted = false;
	pthread_mutex_unlock(&cpu.m);
}

/* ---------------------------------------------------------------- threads */

void zshim_sched_thread_start(const char *name, int prio)
{
	self.zephyr = true;
	self.prio = prio;
	self.tid = (int)syscall(SYS_gettid);
	self.index = __atomic_fetch_add(&cfg.threads, 1, __ATOMIC_RELAXED);
	if (name != NULL && name[0] != '\0') {
		snprintf(self.name, sizeof(self.name), "%s", name);
	}
	zshim_sched_event(ZSHIM_EV_THREAD_START, NULL, prio);
	if (cfg.mode == ZSHIM_SCHED_COOP) {
		cpu_acquire();
	}
}

void zshim_sched_thread_exit(void)
{
	zshim_sched_event(ZSHIM_EV_THREAD_EXIT, NULL, 0);
	(void)zshim_sched_release();
	self.zephyr = false;
}

/* ------------------------------------------------------------------- ring */

struct zs_ev {
	uint64_t ns;
	const void *obj;
	int32_t val;
	uint8_t ev;
	char thread[16];
	char text[64];
};

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static struct zs_ev ring[RING_LEN];
static uint64_t ring_n; /* events recorded, under ring_lock */

/* The event into the trace file: the thread's ring name first (once), the
 * text in 16-byte pieces, then the event. */
static void trace_event(enum zshim_sched_ev ev, const void *obj, int val, const char *text,
			bool isr)
{
	uint64_t o = (uint64_t)(uintptr_t)obj;

	if (!isr && self.zephyr && !self.traced) {
		self.traced = true;
		emu_trace_thread_name(self_name());
	}
	if (text != NULL) {
		size_t n = strnlen(text, 64);

		for (size_t at = 0; at < n; at += 16) {
			uint32_t w[4] = {0, 0, 0, 0};

			memcpy(w, text + at, n - at < 16 ? n - at : 16);
			emu_trace_record(EMU_TRACE_SHIM_TEXT, w[0], w[1], w[2], w[3]);
		}
	}
	emu_trace_record(EMU_TRACE_SHIM, (uint32_t)ev | (isr ? EMU_TRACE_SHIM_ISR : 0u),
			 (uint32_t)val, (uint32_t)o, (uint32_t)(o >> 32));
}

static void record(enum zshim_sched_ev ev, const void *obj, int val, const char *text)
{
	bool isr = port_in_isr() && !self.zephyr;
	struct zs_ev *e;

	if (__builtin_expect(atomic_load_explicit(&emu_trace_enabled, memory_order_relaxed), 0)) {
		trace_event(ev, obj, val, text, isr);
	}
	pthread_mutex_lock(&ring_lock);
	e = &ring[ring_n++ % RING_LEN];
	e->ns = now_ns();
	e->obj = obj;
	e->val = val;
	e->ev = (uint8_t)ev;
	/* An interrupt thread (MBOX, k_timer) shows as what it runs. */
	snprintf(e->thread, sizeof(e->thread), "%s", isr ? "(interrupt)" : self_name());
	snprintf(e->text, sizeof(e->text), "%s", text != NULL ? text : "");
	pthread_mutex_unlock(&ring_lock);
}

/* ------------------------------------------------------- random decisions */

/* The k_sem_give/k_mutex_unlock calls waiting for the thread they woke
 * (random mode), one slot each, under `m`. */
#define HANDOFF_SLOTS 8
static struct {
	pthread_mutex_t m;
	unsigned busy; /* slots in use (atomic: read without `m`) */
	struct {
		const void *sem;              /* NULL: the slot is free */
		const struct zs_thread *giver; /* compared, never read */
		const struct zs_thread *taker; /* took `sem` since (NULL: nobody yet) */
		bool done;                    /* the taker blocked or ended */
	} slot[HANDOFF_SLOTS];
} handoff = {.m = PTHREAD_MUTEX_INITIALIZER};

static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t next_rand(void)
{
	if (self.rng == 0) {
		const char *n = self_name();
		uint64_t key = 1469598103934665603ull; /* FNV-1a of the name */

		if (n[0] != '?') {
			for (; *n != '\0'; n++) {
				key = (key ^ (unsigned char)*n) * 1099511628211ull;
			}
		} else {
			key = self.index;
		}
		self.rng = mix64(cfg.seed ^ mix64(key)) | 1u;
	}
	/* xorshift64* */
	self.rng ^= self.rng >> 12;
	self.rng ^= self.rng << 25;
	self.rng ^= self.rng >> 27;
	return self.rng * 2685821657736338717ull;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = {.tv_sec = (time_t)(us / 1000000u), .tv_nsec = (long)(us % 1000000u) * 1000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* After a k_sem_give or k_mutex_unlock: until a thread took `sem` (or
 * locked the mutex) and then blocked or ended. */
static void hand_off(const void *sem)
{
	uint64_t end = now_ns() + cfg.handoff_ns;
	int mine = -1;

	pthread_mutex_lock(&handoff.m);
	for (int i = 0; i < HANDOFF_SLOTS && mine < 0; i++) {
		if (handoff.slot[i].sem == NULL) {
			handoff.slot[i].sem = sem;
			handoff.slot[i].giver = &self;
			handoff.slot[i].taker = NULL;
			/* Atomic: the report at exit sets every slot's flag. */
			__atomic_store_n(&handoff.slot[i].done, false, __ATOMIC_RELAXED);
			__atomic_add_fetch(&handoff.busy, 1, __ATOMIC_RELAXED);
			mine = i;
		}
	}
	pthread_mutex_unlock(&handoff.m);
	if (mine < 0) {
		sleep_us(1000); /* every slot is in use */
		return;
	}
	while (!__atomic_load_n(&handoff.slot[mine].done, __ATOMIC_ACQUIRE) && now_ns() < end) {
		sleep_us(50);
	}
	pthread_mutex_lock(&handoff.m);
	handoff.slot[mine].sem = NULL;
	__atomic_sub_fetch(&handoff.busy, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&handoff.m);
}

/* The calling thread took `obj`: it is the taker the hand-offs of `obj`
 * wait for. */
static void handoff_taken(enum zshim_sched_ev ev, const void *obj, int val)
{
	if (__atomic_load_n(&handoff.busy, __ATOMIC_RELAXED) == 0 ||
	    (ev != ZSHIM_EV_SEM_TAKE && ev != ZSHIM_EV_MUTEX_LOCK) || val != 0) {
		return;
	}
	pthread_mutex_lock(&handoff.m);
	for (int i = 0; i < HANDOFF_SLOTS; i++) {
		if (handoff.slot[i].sem == obj && handoff.slot[i].taker == NULL &&
		    handoff.slot[i].giver != &self) {
			handoff.slot[i].taker = &self;
		}
	}
	pthread_mutex_unlock(&handoff.m);
}

/* The calling thread blocks or ends: the hand-offs waiting for it are over
 * (as the preempting thread of a single core would give the CPU back
 * here). */
static void handoff_blocked(void)
{
	if (__atomic_load_n(&handoff.busy, __ATOMIC_RELAXED) == 0) {
		return;
	}
	pthread_mutex_lock(&handoff.m);
	for (int i = 0; i < HANDOFF_SLOTS; i++) {
		if (handoff.slot[i].sem != NULL && handoff.slot[i].taker == &self) {
			__atomic_store_n(&handoff.slot[i].done, true, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&handoff.m);
}

static bool is_boundary(enum zshim_sched_ev ev)
{
	switch (ev) {
	case ZSHIM_EV_SEM_GIVE:
	case ZSHIM_EV_MUTEX_UNLOCK:
	case ZSHIM_EV_WORK_SUBMIT:
	case ZSHIM_EV_MSGQ_PUT:
	case ZSHIM_EV_QUEUE_PUT:
	case ZSHIM_EV_EVENT_POST:
	case ZSHIM_EV_SIGNAL_RAISE:
		return true;
	default:
		return false;
	}
}

static void perturb(enum zshim_sched_ev ev, const void *obj)
{
	uint64_t r = next_rand();

	switch (r >> 60) {
	case 8: case 9: case 10: case 11:
		sched_yield();
		break;
	case 12: case 13:
		sleep_us(100 + (r >> 8) % 700);
		break;
	case 14: case 15:
		if (ev == ZSHIM_EV_SEM_GIVE || ev == ZSHIM_EV_MUTEX_UNLOCK) {
			hand_off(obj); /* a mutex's address is its semaphore's */
		} else {
			sleep_us(1000 + (r >> 8) % 1000);
		}
		break;
	default:
		break;
	}
}

/* The give of the calling k_thread's own `done` semaphore: the thread has
 * returned from its entry and ends (emu/zephyr_thread.c gives it, then
 * calls zshim_sched_thread_exit).  Not a preemption point: on Zephyr a
 * joiner runs once the thread is gone, and here the joiner's pthread_join
 * would wait, holding the CPU, for a thread that waits for the CPU. */
static bool ending_give(enum zshim_sched_ev ev, const void *obj)
{
	k_tid_t k;

	if (ev != ZSHIM_EV_SEM_GIVE) {
		return false;
	}
	k = thread_current();
	return k != NULL && obj == (const void *)&k->done;
}

void zshim_sched_event(enum zshim_sched_ev ev, const void *obj, int val)
{
	if (!cfg.active) {
		return;
	}
	record(ev, obj, val, NULL);
	handoff_taken(ev, obj, val);
	if (cfg.mode == ZSHIM_SCHED_RANDOM && is_boundary(ev) && !port_in_isr() &&
	    !zshim_irq_held()) {
		perturb(ev, obj);
	}
	if (self.holds && ev != ZSHIM_EV_THREAD_EXIT && ev != ZSHIM_EV_THREAD_START &&
	    !ending_give(ev, obj)) {
		maybe_preempt();
	}
}

void zshim_sched_log_err(const char *text)
{
	if (cfg.active) {
		record(ZSHIM_EV_LOG_ERR, NULL, 0, text);
	}
}

/* ----------------------------------------------------------------- report */

static const char *mode_name(int mode)
{
	return mode == ZSHIM_SCHED_COOP ? "coop" : mode == ZSHIM_SCHED_RANDOM ? "random" : "parallel";
}

void zshim_sched_report(const char *why)
{
	static int reported;
	const char *role = zshim_role_name();
	uint64_t now = now_ns();
	uint64_t first, n;
	char line[256];
	int len;

	if (!cfg.active || __atomic_exchange_n(&reported, 1, __ATOMIC_ACQ_REL) != 0) {
		return;
	}
	/* The run's stdout (the program's own lines) comes first. */
	fflush(stdout);
	for (int i = 0; i < HANDOFF_SLOTS; i++) {
		__atomic_store_n(&handoff.slot[i].done, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&ring_lock);
	n = ring_n < RING_LEN ? ring_n : RING_LEN;
	first = ring_n - n;
	len = snprintf(line, sizeof(line), "ipc-emu %s: the last %u shim events (oldest first):\n",
		       role, (unsigned)n);
	(void)!write(STDERR_FILENO, line, (size_t)len);
	for (uint64_t i = first; i < ring_n; i++) {
		const struct zs_ev *e = &ring[i % RING_LEN];
		uint64_t ago = now > e->ns ? (now - e->ns) / 1000u : 0;

		len = snprintf(line, sizeof(line), "ipc-emu %s:   -%llu.%03llu ms  %-15s %-15s %s",
			       role, (unsigned long long)(ago / 1000u),
			       (unsigned long long)(ago % 1000u), e->thread, zshim_sched_ev_name(e->ev),
			       e->text);
		if (e->obj != NULL && len < (int)sizeof(line)) {
			len += snprintf(line + len, sizeof(line) - (size_t)len, "%p", e->obj);
		}
		if ((e->ev == ZSHIM_EV_SEM_TAKE || e->ev == ZSHIM_EV_MUTEX_LOCK ||
		     e->ev == ZSHIM_EV_WORK_SUBMIT || e->ev == ZSHIM_EV_SLEEP) &&
		    len < (int)sizeof(line)) {
			len += snprintf(line + len, sizeof(line) - (size_t)len, " -> %d", (int)e->val);
		}
		if (len >= (int)sizeof(line)) {
			len = (int)sizeof(line) - 1;
		}
		line[len++] = '\n';
		(void)!write(STDERR_FILENO, line, (size_t)len);
	}
	pthread_mutex_unlock(&ring_lock);
	len = snprintf(line, sizeof(line),
		       "ipc-emu %s: schedule %s seed %llu: %s (replay: ipc-emu run ... --schedule %s "
		       "--seed %llu)\n",
		       role, mode_name(cfg.mode), (unsigned long long)cfg.seed, why,
		       mode_name(cfg.mode), (unsigned long long)cfg.seed);
	(void)!write(STDERR_FILENO, line, (size_t)(len < (int)sizeof(line) ? len : (int)sizeof(line) - 1));
}

static void report_at_exit(int status, void *arg)
{
	char why[64];

	(void)arg;
	if (status != 0) {
		snprintf(why, sizeof(why), "the program exited with status %d", status);
		zshim_sched_report(why);
	}
}

/* ------------------------------------------------------------ set-up */

enum zshim_sched_mode zshim_sched_mode(void)
{
	return (enum zshim_sched_mode)cfg.mode;
}

void zshim_sched_configure(enum zshim_sched_mode mode, uint64_t seed)
{
	unsigned scale = RUNNING_ON_VALGRIND ? 20u : 1u;

	cfg.mode = (int)mode;
	cfg.seed = seed;
	cfg.stall_ns = (uint64_t)STALL_MS * 1000000u * scale;
	cfg.handoff_ns = (uint64_t)HANDOFF_MS * 1000000u * scale;
	cfg.active = true;
}

unsigned zshim_sched_cpu_waiters(void)
{
	unsigned n = 0;

	pthread_mutex_lock(&cpu.m);
	for (const struct zs_waiter *w = cpu.head; w != NULL; w = w->next) {
		n++;
	}
	pthread_mutex_unlock(&cpu.m);
	return n;
}

void zshim_sched_set_stall_ms(unsigned ms)
{
	cfg.stall_ns = (uint64_t)ms * 1000000u * (RUNNING_ON_VALGRIND ? 20u : 1u);
}

/* Before the init levels (zephyr/init.h boots at priority 65535) and the
 * program's K_THREAD_DEFINE threads: the main thread holds the CPU from
 * the start in coop mode. */
__attribute__((constructor(110))) static void sched_boot(void)
{
	const char *v = getenv("IPC_EMU_SCHEDULE");
	const char *s = getenv("IPC_EMU_SEED");
	enum zshim_sched_mode mode;
	uint64_t seed = 1;

	if (v == NULL || v[0] == '\0') {
		return;
	}
	if (strcmp(v, "coop") == 0) {
		mode = ZSHIM_SCHED_COOP;
	} else if (strcmp(v, "parallel") == 0) {
		mode = ZSHIM_SCHED_PARALLEL;
	} else if (strcmp(v, "random") == 0) {
		mode = ZSHIM_SCHED_RANDOM;
	} else {
		fprintf(stderr, "ipc-emu: IPC_EMU_SCHEDULE=%s: expected coop, parallel or random\n",
			v);
		_exit(2);
	}
	if (s != NULL && s[0] != '\0') {
		seed = strtoull(s, NULL, 10); /* checked by the runtime (zephyr_rt.c) */
	}
	/* --trace: open the file now (emu_core_start() would, later), so that
	 * the events of start-up (main's start, the init levels) are in it. */
	v = getenv("IPC_EMU_ROLE");
	if (v != NULL && (strcmp(v, "host") == 0 || strcmp(v, "remote") == 0)) {
		emu_trace_open_env(strcmp(v, "host") == 0 ? EMU_TRACE_ROLE_HOST
							  : EMU_TRACE_ROLE_REMOTE);
	} else if (getenv("IPC_EMU_CORE") != NULL && (v = getenv("IPC_EMU_SOC_CORE")) != NULL) {
		/* A core of a multi-core run: its core's event file. */
		char *end;
		unsigned long core = strtoul(v, &end, 10);

		if (end != v && *end == '\0' && core < 8) {
			emu_trace_open_env_core((unsigned)core);
		}
	}
	zshim_sched_configure(mode, seed);
	on_exit(report_at_exit, NULL);
	zshim_sched_thread_start("main", MAIN_PRIO);
}
