/*
 * Doorbells and emulated cores: the MBOX controller of a core (signalling
 * mode) over futex and eventfd doorbells.  No lost wake-up in a ping-pong
 * where every signal must be answered (two cores in one process, and two
 * processes with the child attached by inherited descriptors), coalescing,
 * pending-while-disabled, return codes, interrupt context, idle cost,
 * heartbeat, and injected syscall failures on the wait/wake paths.
 *
 * The two-process test forks and execs the test binary itself; the child
 * inherits the segment's descriptors and attaches with
 * emu_segment_attach_fds(), as a peer spawned by the supervisor does.
 *
 * Every test creates its own segment (name with the test's pid) and checks
 * that nothing of it is left in /dev/shm.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdlib.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "ctl.h"
#include "emu_internal.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/mbox.h"
#include "port.h"
#include "support/vg_cases.h"
#include "sys.h"

#define PING 3u  /* host -> remote */
#define PONG 30u /* remote -> host (highest channel) */

/* Round trips of 2 signals each: 10^6 signals per ping-pong.  A native run
 * takes 5-10 s on a 2-vCPU VM (cr_log_info prints the figures); Valgrind is
 * 20-100x slower, so it gets 1/100 of them. */
#define ROUND_TRIPS_1PROC 500000u
#define ROUND_TRIPS_2PROC 500000u

static unsigned scaled(unsigned n)
{
	return RUNNING_ON_VALGRIND ? n / 100u : n;
}

static char name[96];

static void name_init(void)
{
	snprintf(name, sizeof(name), "ipc-emu-test-db-%ld", (long)getpid());
}

static void name_fini(void)
{
	(void)emu_segment_unlink_name(name);
}

TestSuite(doorbell, .init = name_init, .fini = name_fini, .timeout = 20);

static bool shm_exists(const char *suffix)
{
	char path[256];

	snprintf(path, sizeof(path), "/dev/shm/%s%s", name, suffix);
	return access(path, F_OK) == 0;
}

static void assert_gone(void)
{
	cr_assert_not(shm_exists("-mem"), "%s-mem left in /dev/shm", name);
	cr_assert_not(shm_exists("-ctl"), "%s-ctl left in /dev/shm", name);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* Poll until *v >= target or timeout; returns the last value seen. */
static unsigned wait_for(atomic_uint *v, unsigned target, unsigned timeout_ms)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000u;
	unsigned seen;

	while ((seen = atomic_load(v)) < target && mono_ns() < end) {
		sleep_ms(1);
	}
	return seen;
}

static bool sem_wait_ms(sem_t *sem, unsigned timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000u;
	ts.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	for (;;) {
		if (sem_timedwait(sem, &ts) == 0) {
			return true;
		}
		if (errno != EINTR) {
			return false;
		}
	}
}

/* Two cores of one process on one segment. */
struct rig {
	struct emu_segment *seg;
	struct emu_core *core[2];
	const struct device *mbox[2];
};

static void rig_segment(struct rig *r, enum emu_doorbell db)
{
	const struct emu_segment_cfg cfg = {
		.name = name, .mem_base = 0x20070000u, .mem_size = 0x1000u, .doorbell = db};

	memset(r, 0, sizeof(*r));
	cr_assert_eq(emu_segment_create(&cfg, &r->seg), 0);
}

static void rig_core(struct rig *r, enum emu_role role)
{
	cr_assert_eq(emu_core_start(r->seg, role, &r->core[role]), 0);
	r->mbox[role] = emu_core_mbox(r->core[role]);
	cr_assert(device_is_ready(r->mbox[role]));
}

static void rig_up(struct rig *r, enum emu_doorbell db)
{
	rig_segment(r, db);
	rig_core(r, EMU_ROLE_HOST);
	rig_core(r, EMU_ROLE_REMOTE);
}

static void rig_down(struct rig *r)
{
	emu_core_stop(r->core[EMU_ROLE_HOST]);
	emu_core_stop(r->core[EMU_ROLE_REMOTE]);
	emu_segment_close(r->seg);
	assert_gone();
}

static struct emu_core_stats stats_of(const struct rig *r, enum emu_role role)
{
	struct emu_core_stats st;

	emu_core_get_stats(r->core[role], &st);
	return st;
}

/* Stats once the callback count reached `callbacks`: a callback may signal
 * the test before the interrupt thread has counted it. */
static struct emu_core_stats settled_stats(struct emu_core *core, uint64_t callbacks)
{
	uint64_t end = mono_ns() + 2000000000u;
	struct emu_core_stats st;

	for (;;) {
		emu_core_get_stats(core, &st);
		if (st.callbacks >= callbacks || mono_ns() >= end) {
			return st;
		}
		sleep_ms(1);
	}
}

/* A callback that counts, and records the context it ran in. */
struct counter {
	atomic_uint n;
	atomic_uint in_isr;
	atomic_uint wrong_args;
	const struct device *dev;
	mbox_channel_id_t ch;
};

static void count_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		     struct mbox_msg *msg)
{
	struct counter *c = user;

	if (dev != c->dev || ch != c->ch || msg != NULL) {
		atomic_fetch_add(&c->wrong_args, 1);
	}
	if (port_in_isr()) {
		atomic_fetch_add(&c->in_isr, 1);
	}
	atomic_fetch_add(&c->n, 1);
}

static void counter_attach(struct counter *c, const struct device *dev, mbox_channel_id_t ch,
			   bool enable)
{
	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->ch = ch;
	cr_assert_eq(mbox_register_callback(dev, ch, count_cb, c), 0);
	if (enable) {
		cr_assert_eq(mbox_set_enabled(dev, ch, true), 0);
	}
}

static uint32_t pending_word(const struct rig *r, enum emu_role role)
{
	return ipc_load_relaxed(&emu_segment_ctl(r->seg)->role[role].pending);
}

/* The tests of both_kinds run once with the futex and once with the eventfd
 * doorbell (under Valgrind both in one process: support/vg_cases.h). */
static enum emu_doorbell both_kinds[] = {EMU_DOORBELL_FUTEX, EMU_DOORBELL_EVENTFD};

/* ------------------------------------------------------------------ ping-pong */

/*
 * The host sends PING; the remote answers each with PONG; the host sends the
 * next PING only after the PONG.  A single lost wake-up stalls the chain; a
 * duplicated or spurious callback breaks the strict alternation.
 */
struct pingpong {
	const struct device *mbox; /* the sending side's own controller */
	unsigned rounds;
	atomic_uint rx;      /* callbacks on this side */
	atomic_uint *peer_rx; /* the other side's count (same process), or NULL */
	atomic_uint errors;
	sem_t done;
};

static void host_pong_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
			 struct mbox_msg *msg)
{
	struct pingpong *p = user;
	unsigned k = atomic_fetch_add(&p->rx, 1) + 1;

	if (p->peer_rx != NULL && atomic_load(p->peer_rx) != k) {
		atomic_fetch_add(&p->errors, 1); /* a PONG without its PING */
	}
	if (k < p->rounds) {
		if (mbox_send(p->mbox, PING, NULL) != 0) {
			atomic_fetch_add(&p->errors, 1);
		}
	} else {
		sem_post(&p->done);
	}
}

static void remote_ping_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
			   struct mbox_msg *msg)
{
	struct pingpong *p = user;
	unsigned k = atomic_fetch_add(&p->rx, 1) + 1;

	if (p->peer_rx != NULL && atomic_load(p->peer_rx) != k - 1) {
		atomic_fetch_add(&p->errors, 1); /* a PING before the previous PONG */
	}
	if (mbox_send(p->mbox, PONG, NULL) != 0) {
		atomic_fetch_add(&p->errors, 1);
	}
	if (k == p->rounds) {
		sem_post(&p->done);
	}
}

static void pingpong_init(struct pingpong *p, const struct device *mbox, unsigned rounds)
{
	memset(p, 0, sizeof(*p));
	p->mbox = mbox;
	p->rounds = rounds;
	cr_assert_eq(sem_init(&p->done, 0, 0), 0);
}

static void pingpong_one_process(enum emu_doorbell db, uint32_t busy_poll_us, unsigned rounds)
{
	struct pingpong host, remote;
	struct emu_core_stats hs, rs;
	struct rig r;
	uint64_t t0, t1;
	bool finished;

	rig_up(&r, db);
	emu_core_set_busy_poll(r.core[EMU_ROLE_HOST], busy_poll_us);
	emu_core_set_busy_poll(r.core[EMU_ROLE_REMOTE], busy_poll_us);
	pingpong_init(&host, r.mbox[EMU_ROLE_HOST], rounds);
	pingpong_init(&remote, r.mbox[EMU_ROLE_REMOTE], rounds);
	host.peer_rx = &remote.rx;
	remote.peer_rx = &host.rx;
	cr_assert_eq(mbox_register_callback(r.mbox[EMU_ROLE_HOST], PONG, host_pong_cb, &host), 0);
	cr_assert_eq(mbox_register_callback(r.mbox[EMU_ROLE_REMOTE], PING, remote_ping_cb, &remote),
		     0);
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_HOST], PONG, true), 0);
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_REMOTE], PING, true), 0);

	t0 = mono_ns();
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], PING, NULL), 0);
	finished = sem_wait_ms(&host.done, 55000);
	t1 = mono_ns();
	cr_assert(finished, "stalled (lost wake-up?) at %u/%u round trips", atomic_load(&host.rx),
		  rounds);
	cr_assert(sem_wait_ms(&remote.done, 1000));

	hs = settled_stats(r.core[EMU_ROLE_HOST], rounds);
	rs = settled_stats(r.core[EMU_ROLE_REMOTE], rounds);
	rig_down(&r);

	cr_assert_eq(atomic_load(&host.errors), 0);
	cr_assert_eq(atomic_load(&remote.errors), 0);
	cr_assert_eq(atomic_load(&host.rx), rounds);
	cr_assert_eq(atomic_load(&remote.rx), rounds);
	cr_assert_eq(hs.signals_sent, rounds);
	cr_assert_eq(rs.signals_sent, rounds);
	cr_assert_eq(hs.callbacks, rounds);
	cr_assert_eq(rs.callbacks, rounds);
	cr_assert_eq(hs.irqs_taken, rounds);
	cr_assert_eq(rs.irqs_taken, rounds);
	cr_log_info("1 process, %s, busy-poll %u us: %u round trips in %.2f s, %.2f us each, "
		    "wake syscalls host %ju remote %ju",
		    db == EMU_DOORBELL_FUTEX ? "futex" : "eventfd", busy_poll_us, rounds,
		    (double)(t1 - t0) / 1e9, (double)(t1 - t0) / 1e3 / rounds,
		    (uintmax_t)hs.wakeups_sent, (uintmax_t)rs.wakeups_sent);
	sem_destroy(&host.done);
	sem_destroy(&remote.done);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, pingpong_one_process_no_lost_wakeup,
		    .timeout = 60)
{
	pingpong_one_process(*db, 0, scaled(ROUND_TRIPS_1PROC));
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, pingpong_one_process_busy_poll,
		    .timeout = 60)
{
	/* Fewer rounds: spinning threads collapse when other tests share the
	 * two CPUs (platform notes 9), and the no-poll test above is the one
	 * that exercises the sleep/wake path. */
	pingpong_one_process(*db, 20, scaled(ROUND_TRIPS_1PROC / 5u));
}

/* Child of the two-process ping-pong: the remote core, attached by fds.
 * Results go to the remote's app area: [0] pings received, [1] errors,
 * [2] callbacks, [3] signals sent, [4] boot count seen. */
enum {
	CHILD_OK = 0,
	CHILD_ATTACH = 10,
	CHILD_START = 11,
	CHILD_SETUP = 12,
	CHILD_STALL = 13,
	CHILD_ARGS = 14,
	CHILD_EXEC = 15,
};

static int child_main(const struct emu_segment_fds *fds, unsigned rounds)
{
	struct emu_segment *seg;
	struct emu_core *core;
	struct emu_core_stats st;
	struct emu_peer_status ps;
	struct pingpong remote;
	uint64_t *out;
	bool finished;

	if (emu_segment_attach_fds(fds, &seg) != 0) {
		return CHILD_ATTACH;
	}
	if (emu_core_start(seg, EMU_ROLE_REMOTE, &core) != 0) {
		emu_segment_close(seg);
		return CHILD_START;
	}
	memset(&remote, 0, sizeof(remote));
	remote.mbox = emu_core_mbox(core);
	remote.rounds = rounds;
	if (sem_init(&remote.done, 0, 0) != 0 ||
	    mbox_register_callback(remote.mbox, PING, remote_ping_cb, &remote) != 0 ||
	    mbox_set_enabled(remote.mbox, PING, true) != 0) {
		emu_core_stop(core);
		emu_segment_close(seg);
		return CHILD_SETUP;
	}
	finished = sem_wait_ms(&remote.done, 55000);
	st = settled_stats(core, rounds);
	emu_core_stop(core);
	emu_segment_peer_status(seg, EMU_ROLE_REMOTE, &ps);
	out = emu_segment_app_area(seg, EMU_ROLE_REMOTE);
	out[0] = atomic_load(&remote.rx);
	out[1] = atomic_load(&remote.errors);
	out[2] = st.callbacks;
	out[3] = st.signals_sent;
	out[4] = ps.boot_count;
	sem_destroy(&remote.done);
	emu_segment_close(seg);
	return finished ? CHILD_OK : CHILD_STALL;
}

#define CHILD_ENV "IPC_EMU_TEST_DOORBELL_CHILD"

/*
 * In the forked child: hand the segment's descriptors down through exec, as
 * the supervisor does with its peers, and run child_main() in a fresh image
 * (no Criterion state inherited, so memcheck sees only our own heap).
 */
static _Noreturn void spawn_child(const char *self, const struct emu_segment_fds *fds,
				  unsigned rounds)
{
	char spec[128];
	char *argv[] = {(char *)self, NULL};
	const int inherit[] = {fds->mem, fds->ctl, fds->efd[0], fds->efd[1]};

	/* Never outlive the test (e.g. when Criterion kills it on timeout). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (unsigned i = 0; i < 4; i++) {
		if (inherit[i] >= 0 && fcntl(inherit[i], F_SETFD, 0) != 0) {
			_exit(CHILD_EXEC);
		}
	}
	snprintf(spec, sizeof(spec), "%d %d %d %d %u", fds->mem, fds->ctl, fds->efd[0],
		 fds->efd[1], rounds);
	if (setenv(CHILD_ENV, spec, 1) != 0) {
		_exit(CHILD_EXEC);
	}
	execv(self, argv);
	_exit(CHILD_EXEC);
}

/* Runs before Criterion's main() in the exec'ed child only. */
__attribute__((constructor)) static void child_entry(void)
{
	const char *spec = getenv(CHILD_ENV);
	struct emu_segment_fds fds;
	unsigned rounds;

	if (spec == NULL) {
		return;
	}
	if (sscanf(spec, "%d %d %d %d %u", &fds.mem, &fds.ctl, &fds.efd[0], &fds.efd[1],
		   &rounds) != 5) {
		_exit(CHILD_ARGS);
	}
	_exit(child_main(&fds, rounds));
}

static void pingpong_two_processes(enum emu_doorbell db)
{
	const unsigned rounds = scaled(ROUND_TRIPS_2PROC);
	struct emu_segment_fds fds;
	struct emu_core_stats hs;
	struct emu_peer_status ps;
	struct pingpong host;
	const uint64_t *res;
	struct rig r;
	uint64_t t0, t1;
	bool finished;
	pid_t child;
	int status = -1;
	char self[4096];
	ssize_t n;

	rig_segment(&r, db);
	emu_segment_get_fds(r.seg, &fds);
	/* Resolve the path first: exec of "/proc/self/exe" fails under
	 * Valgrind (platform notes 5). */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	cr_assert_gt(n, 0);
	self[n] = '\0';
	fflush(NULL); /* platform notes 5: no doubled stdio output */
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		spawn_child(self, &fds, rounds);
	}
	rig_core(&r, EMU_ROLE_HOST);
	pingpong_init(&host, r.mbox[EMU_ROLE_HOST], rounds);
	cr_assert_eq(mbox_register_callback(r.mbox[EMU_ROLE_HOST], PONG, host_pong_cb, &host), 0);
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_HOST], PONG, true), 0);

	/* The child may not have enabled PING yet: the signal stays pending. */
	t0 = mono_ns();
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], PING, NULL), 0);
	finished = sem_wait_ms(&host.done, 55000);
	t1 = mono_ns();
	if (!finished) {
		kill(child, SIGKILL);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(finished, "stalled (lost wake-up?) at %u/%u round trips", atomic_load(&host.rx),
		  rounds);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OK, "child status %#x", status);

	hs = settled_stats(r.core[EMU_ROLE_HOST], rounds);
	emu_segment_peer_status(r.seg, EMU_ROLE_REMOTE, &ps);
	res = emu_segment_app_area(r.seg, EMU_ROLE_REMOTE);
	cr_assert_eq(ps.pid, (uint32_t)child);
	cr_assert_eq(ps.boot_count, 1);
	cr_assert_eq(res[0], rounds);
	cr_assert_eq(res[1], 0);
	cr_assert_eq(res[2], rounds);
	cr_assert_eq(res[3], rounds);
	cr_assert_eq(res[4], 1);
	cr_assert_eq(atomic_load(&host.errors), 0);
	cr_assert_eq(atomic_load(&host.rx), rounds);
	cr_assert_eq(hs.signals_sent, rounds);
	cr_assert_eq(hs.callbacks, rounds);
	rig_down(&r);
	cr_log_info("2 processes, %s: %u round trips in %.2f s, %.2f us each",
		    db == EMU_DOORBELL_FUTEX ? "futex" : "eventfd", rounds,
		    (double)(t1 - t0) / 1e9, (double)(t1 - t0) / 1e3 / rounds);
	sem_destroy(&host.done);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, pingpong_two_processes_no_lost_wakeup,
		    .timeout = 60)
{
	pingpong_two_processes(*db);
}

/* ------------------------------------------------------------------ semantics */

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, sends_coalesce_while_disabled,
		    .timeout = 20)
{
	struct rig r;
	struct counter c;
	struct emu_core_stats hs, rs;

	rig_up(&r, *db);
	counter_attach(&c, r.mbox[EMU_ROLE_REMOTE], 5, false);
	for (int i = 0; i < 1000; i++) {
		cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 5, NULL), 0);
	}
	sleep_ms(50);
	cr_assert_eq(atomic_load(&c.n), 0);
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_REMOTE], 5, true), 0);
	cr_assert_eq(wait_for(&c.n, 1, 5000), 1);
	sleep_ms(100); /* nothing more may come */
	cr_assert_eq(atomic_load(&c.n), 1);
	hs = stats_of(&r, EMU_ROLE_HOST);
	rs = stats_of(&r, EMU_ROLE_REMOTE);
	cr_assert_eq(hs.signals_sent, 1000);
	cr_assert_leq(hs.wakeups_sent, 1, "coalesced sends must not ring again");
	cr_assert_eq(rs.callbacks, 1);
	cr_assert_eq(rs.irqs_taken, 1);
	cr_assert_eq(atomic_load(&c.wrong_args), 0);
	rig_down(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, pending_while_disabled_fires_on_enable,
		    .timeout = 20)
{
	struct rig r;
	struct counter c;

	rig_up(&r, *db);
	counter_attach(&c, r.mbox[EMU_ROLE_REMOTE], 7, false);
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 7, NULL), 0);
	sleep_ms(50);
	cr_assert_eq(atomic_load(&c.n), 0);
	cr_assert_eq(pending_word(&r, EMU_ROLE_REMOTE), 1u << 7, "the event stays latched");
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_REMOTE], 7, true), 0);
	cr_assert_eq(wait_for(&c.n, 1, 5000), 1);
	cr_assert_eq(pending_word(&r, EMU_ROLE_REMOTE) & (1u << 7), 0, "taken");

	/* Disable again: a new event waits for the next enable. */
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_REMOTE], 7, false), 0);
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 7, NULL), 0);
	sleep_ms(50);
	cr_assert_eq(atomic_load(&c.n), 1);
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_REMOTE], 7, true), 0);
	cr_assert_eq(wait_for(&c.n, 2, 5000), 2);
	sleep_ms(50);
	cr_assert_eq(atomic_load(&c.n), 2);
	rig_down(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, enabled_channel_does_not_take_disabled_one,
		    .timeout = 20)
{
	struct rig r;
	struct counter off, on;

	rig_up(&r, *db);
	counter_attach(&off, r.mbox[EMU_ROLE_REMOTE], 1, false);
	counter_attach(&on, r.mbox[EMU_ROLE_REMOTE], 2, true);
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 1, NULL), 0);
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 2, NULL), 0);
	cr_assert_eq(wait_for(&on.n, 1, 5000), 1);
	sleep_ms(50);
	cr_assert_eq(atomic_load(&off.n), 0);
	cr_assert_eq(pending_word(&r, EMU_ROLE_REMOTE), 1u << 1);
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_REMOTE], 1, true), 0);
	cr_assert_eq(wait_for(&off.n, 1, 5000), 1);
	cr_assert_eq(atomic_load(&on.n), 1);
	rig_down(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, channels_are_independent_and_directed,
		    .timeout = 20)
{
	struct rig r;
	struct counter rx[EMU_MBOX_CHANNELS], host0;

	rig_up(&r, *db);
	for (unsigned ch = 0; ch < EMU_MBOX_CHANNELS; ch++) {
		counter_attach(&rx[ch], r.mbox[EMU_ROLE_REMOTE], ch, true);
	}
	counter_attach(&host0, r.mbox[EMU_ROLE_HOST], 0, true);
	for (unsigned ch = 0; ch < EMU_MBOX_CHANNELS; ch++) {
		cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], ch, NULL), 0);
		cr_assert_eq(wait_for(&rx[ch].n, 1, 5000), 1, "channel %u", ch);
	}
	sleep_ms(20);
	for (unsigned ch = 0; ch < EMU_MBOX_CHANNELS; ch++) {
		cr_assert_eq(atomic_load(&rx[ch].n), 1, "channel %u", ch);
		cr_assert_eq(atomic_load(&rx[ch].wrong_args), 0, "channel %u", ch);
	}
	cr_assert_eq(atomic_load(&host0.n), 0, "a send never signals the sender itself");
	rig_down(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, callbacks_run_in_isr_context,
		    .timeout = 20)
{
	struct rig r;
	struct counter c;

	rig_up(&r, *db);
	counter_attach(&c, r.mbox[EMU_ROLE_HOST], 4, true);
	cr_assert_not(port_in_isr(), "the test thread is not an ISR");
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_REMOTE], 4, NULL), 0);
		cr_assert_eq(wait_for(&c.n, (unsigned)i + 1, 5000), (unsigned)i + 1);
	}
	cr_assert_eq(atomic_load(&c.in_isr), 3);
	cr_assert_eq(atomic_load(&c.wrong_args), 0);
	cr_assert_not(port_in_isr());
	rig_down(&r);
}

Test(doorbell, mbox_return_codes)
{
	struct rig r;
	const struct device *m;
	const struct mbox_msg msg = {.data = "x", .size = 1};

	rig_up(&r, EMU_DOORBELL_FUTEX);
	m = r.mbox[EMU_ROLE_HOST];
	cr_assert_str_eq(m->name, "mbox");
	cr_assert_eq(mbox_mtu_get(m), 0);
	cr_assert_eq(mbox_max_channels_get(m), EMU_MBOX_CHANNELS);
	cr_assert_eq(mbox_send(m, EMU_MBOX_CHANNELS, NULL), -EINVAL);
	cr_assert_eq(mbox_send(m, UINT32_MAX, NULL), -EINVAL);
	cr_assert_eq(mbox_send(m, EMU_MBOX_CHANNELS, &msg), -EINVAL, "channel checked first");
	cr_assert_eq(mbox_send(m, 0, &msg), -EMSGSIZE);
	cr_assert_eq(mbox_register_callback(m, EMU_MBOX_CHANNELS, count_cb, NULL), -EINVAL);
	cr_assert_eq(mbox_register_callback(m, 0, NULL, NULL), 0);
	cr_assert_eq(mbox_set_enabled(m, EMU_MBOX_CHANNELS, true), -EINVAL);
	cr_assert_eq(mbox_set_enabled(m, 31, false), -EINVAL, "bit 31 is no channel");
	cr_assert_eq(mbox_set_enabled(m, 0, false), -EALREADY, "channels start disabled");
	cr_assert_eq(mbox_set_enabled(m, 0, true), 0);
	cr_assert_eq(mbox_set_enabled(m, 0, true), -EALREADY);
	cr_assert_eq(mbox_set_enabled(m, 0, false), 0);
	cr_assert_eq(mbox_set_enabled(m, 0, false), -EALREADY);
	cr_assert_eq(mbox_set_enabled(m, EMU_MBOX_CHANNELS - 1, true), 0);
	cr_assert_eq(stats_of(&r, EMU_ROLE_HOST).signals_sent, 0, "failed sends are not counted");
	cr_assert_eq(emu_core_role(r.core[EMU_ROLE_HOST]), EMU_ROLE_HOST);
	cr_assert_eq(emu_core_role(r.core[EMU_ROLE_REMOTE]), EMU_ROLE_REMOTE);
	rig_down(&r);
}

Test(doorbell, unregistered_callback_drops_event)
{
	struct rig r;
	struct counter c;

	rig_up(&r, EMU_DOORBELL_FUTEX);
	cr_assert_eq(mbox_set_enabled(r.mbox[EMU_ROLE_REMOTE], 9, true), 0);
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 9, NULL), 0);
	sleep_ms(50);
	cr_assert_eq(pending_word(&r, EMU_ROLE_REMOTE), 0, "taken even without a callback");
	cr_assert_eq(stats_of(&r, EMU_ROLE_REMOTE).callbacks, 0);
	counter_attach(&c, r.mbox[EMU_ROLE_REMOTE], 9, false);
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 9, NULL), 0);
	cr_assert_eq(wait_for(&c.n, 1, 5000), 1);
	/* NULL removes it again. */
	cr_assert_eq(mbox_register_callback(r.mbox[EMU_ROLE_REMOTE], 9, NULL, NULL), 0);
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 9, NULL), 0);
	sleep_ms(50);
	cr_assert_eq(atomic_load(&c.n), 1);
	rig_down(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, idle_core_does_not_spin,
		    .timeout = 20)
{
	struct rig r;
	struct counter c[2];
	struct emu_core_stats h0, r0, h1, r1;
	uint64_t cpu0, cpu1;

	rig_up(&r, *db);
	counter_attach(&c[0], r.mbox[EMU_ROLE_HOST], 0, true);
	counter_attach(&c[1], r.mbox[EMU_ROLE_REMOTE], 0, true);
	sleep_ms(20); /* let the enable kicks settle */
	h0 = stats_of(&r, EMU_ROLE_HOST);
	r0 = stats_of(&r, EMU_ROLE_REMOTE);
	cpu0 = cpu_ns();
	sleep_ms(200);
	cpu1 = cpu_ns();
	h1 = stats_of(&r, EMU_ROLE_HOST);
	r1 = stats_of(&r, EMU_ROLE_REMOTE);
	cr_assert_eq(h1.irqs_taken - h0.irqs_taken, 0);
	cr_assert_eq(r1.irqs_taken - r0.irqs_taken, 0);
	cr_assert_eq(h1.wakeups_sent - h0.wakeups_sent, 0);
	cr_assert_eq(r1.wakeups_sent - r0.wakeups_sent, 0);
	cr_assert_eq(h1.irqs_taken, 0);
	cr_assert_eq(r1.irqs_taken, 0);
	/* Two threads waking every 100 ms for a heartbeat: microseconds of CPU. */
	cr_assert_lt(cpu1 - cpu0, RUNNING_ON_VALGRIND ? 100000000u : 20000000u,
		     "idle cores used %ju us of CPU in 200 ms", (uintmax_t)((cpu1 - cpu0) / 1000));
	cr_log_info("%s: idle CPU over 200 ms: %ju us",
		    *db == EMU_DOORBELL_FUTEX ? "futex" : "eventfd",
		    (uintmax_t)((cpu1 - cpu0) / 1000));
	rig_down(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, doorbell, busy_poll_idle_core_sleeps_after_poll,
		    .timeout = 20)
{
	struct rig r;
	uint64_t cpu0, cpu1;

	rig_up(&r, *db);
	emu_core_set_busy_poll(r.core[EMU_ROLE_HOST], 50);
	emu_core_set_busy_poll(r.core[EMU_ROLE_REMOTE], 50);
	sleep_ms(20);
	cpu0 = cpu_ns();
	sleep_ms(200);
	cpu1 = cpu_ns();
	/* At most one 50 us poll per 100 ms heartbeat per core. */
	cr_assert_lt(cpu1 - cpu0, RUNNING_ON_VALGRIND ? 100000000u : 20000000u,
		     "%ju us of CPU", (uintmax_t)((cpu1 - cpu0) / 1000));
	rig_down(&r);
}

Test(doorbell, status_heartbeat_and_boot_count)
{
	struct rig r;
	struct emu_peer_status a, b;

	rig_segment(&r, EMU_DOORBELL_FUTEX);
	emu_segment_peer_status(r.seg, EMU_ROLE_HOST, &a);
	cr_assert_eq(a.boot_count, 0);
	cr_assert_eq(a.pid, 0);
	rig_core(&r, EMU_ROLE_HOST);
	emu_segment_peer_status(r.seg, EMU_ROLE_HOST, &a);
	cr_assert_eq(a.pid, (uint32_t)getpid());
	cr_assert_eq(a.boot_count, 1);
	cr_assert_neq(a.heartbeat, 0);
	sleep_ms(350);
	emu_segment_peer_status(r.seg, EMU_ROLE_HOST, &b);
	/* The idle thread wakes every EMU_CTL_HEARTBEAT_MS to refresh it. */
	cr_assert_geq(b.heartbeat, a.heartbeat + 150, "heartbeat %ju -> %ju",
		      (uintmax_t)a.heartbeat, (uintmax_t)b.heartbeat);
	emu_segment_peer_status(r.seg, EMU_ROLE_REMOTE, &b);
	cr_assert_eq(b.boot_count, 0, "the remote never started");
	emu_core_stop(r.core[EMU_ROLE_HOST]);
	rig_core(&r, EMU_ROLE_HOST);
	emu_segment_peer_status(r.seg, EMU_ROLE_HOST, &a);
	cr_assert_eq(a.boot_count, 2);
	rig_down(&r);
}

Test(doorbell, start_rejects_bad_arguments_and_second_core_of_a_role)
{
	struct rig r;
	struct emu_core *c = NULL;

	rig_up(&r, EMU_DOORBELL_FUTEX);
	cr_assert_eq(emu_core_start(r.seg, EMU_ROLE_HOST, &c), -EBUSY);
	cr_assert_eq(emu_core_start(r.seg, EMU_ROLE_REMOTE, &c), -EBUSY);
	cr_assert_eq(emu_core_start(NULL, EMU_ROLE_HOST, &c), -EINVAL);
	cr_assert_eq(emu_core_start(r.seg, (enum emu_role)2, &c), -EINVAL);
	cr_assert_eq(emu_core_start(r.seg, EMU_ROLE_HOST, NULL), -EINVAL);
	cr_assert_null(c);
	emu_core_stop(r.core[EMU_ROLE_HOST]);
	cr_assert_eq(emu_core_start(r.seg, EMU_ROLE_HOST, &r.core[EMU_ROLE_HOST]), 0,
		     "the role is free again after stop");
	emu_core_stop(NULL);
	rig_down(&r);
}

Test(doorbell, eventfd_segment_attached_by_name_cannot_run_a_core)
{
	struct rig r;
	struct emu_segment *a = NULL;
	struct emu_core *c = NULL;

	rig_segment(&r, EMU_DOORBELL_EVENTFD);
	cr_assert_eq(emu_segment_attach(name, &a), 0);
	cr_assert_eq(emu_segment_efd(a, EMU_ROLE_HOST), -1);
	cr_assert_eq(emu_core_start(a, EMU_ROLE_REMOTE, &c), -EOPNOTSUPP);
	cr_assert_null(c);
	emu_segment_close(a);
	rig_down(&r);
}

/* ------------------------------------------------------------------ injected failures */

struct wait_fault {
	enum emu_doorbell db;
	char call[16];
	int err;
};

static struct wait_fault wait_faults[] = {
	{EMU_DOORBELL_FUTEX, "futex_wait", EINTR},
	{EMU_DOORBELL_FUTEX, "futex_wait", EFAULT},
	{EMU_DOORBELL_EVENTFD, "poll", EINTR},
	{EMU_DOORBELL_EVENTFD, "poll", ENOMEM},
	{EMU_DOORBELL_EVENTFD, "eventfd_read", EIO},
};

/* A wait of one of the threads fails, re-armed every 20 signals; the cores
 * must go on working (an error is logged once per core, EINTR retried). */
VgParameterizedTest(struct wait_fault, f, wait_faults, doorbell, injected_wait_failure_is_survived,
		    .timeout = 20)
{
	struct rig r;
	struct counter c;

	cr_assert_eq(emu_sys_inject(f->call, f->err, 1), 0);
	rig_up(&r, f->db);
	counter_attach(&c, r.mbox[EMU_ROLE_REMOTE], 0, true);
	for (unsigned i = 1; i <= 100; i++) {
		if (i % 20 == 0) {
			cr_assert_eq(emu_sys_inject(f->call, f->err, 1), 0);
		}
		cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 0, NULL), 0);
		cr_assert_eq(wait_for(&c.n, i, 5000), i, "%s/%d", f->call, f->err);
	}
	rig_down(&r);
}

static struct wait_fault wake_faults[] = {
	{EMU_DOORBELL_FUTEX, "futex_wake", EFAULT},
	{EMU_DOORBELL_EVENTFD, "eventfd_write", EBADF},
};

/* A wake syscall fails: the signal is still delivered, by the receiver's
 * 100 ms timed wait, with no lost event. */
VgParameterizedTest(struct wait_fault, f, wake_faults, doorbell,
		    failed_wake_is_recovered_by_heartbeat, .timeout = 20)
{
	struct rig r;
	struct counter c;
	uint64_t t0, dt;

	rig_up(&r, f->db);
	counter_attach(&c, r.mbox[EMU_ROLE_REMOTE], 2, true);
	sleep_ms(20); /* the remote thread is asleep now */
	cr_assert_eq(emu_sys_inject(f->call, f->err, 1), 0);
	t0 = mono_ns();
	cr_assert_eq(mbox_send(r.mbox[EMU_ROLE_HOST], 2, NULL), 0);
	cr_assert_eq(wait_for(&c.n, 1, 5000), 1);
	dt = mono_ns() - t0;
	cr_assert_leq(dt, 1000000000u, "recovered after %ju ms", (uintmax_t)(dt / 1000000u));
	cr_assert_eq(stats_of(&r, EMU_ROLE_HOST).wakeups_sent, 1);
	rig_down(&r);
}
