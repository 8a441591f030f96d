/*
 * test_faults.c - nothing leaks: every injectable system call of segment
 * create / attach / attach_fds, made to fail at each of its calls in turn,
 * gives exactly its -errno and leaves no descriptor, no /dev/shm object and
 * no thread; a core start/stop leaves nothing either; the control-block
 * owner records that `ipc-emu clean` reads (emu_segment_inspect(): creator,
 * role owners, start times against pid reuse, zombies, half-created
 * segments); the IPC_EMU_INJECT parser.
 * (EINTR and other failures of the doorbell waits: test_doorbell.c.)
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "ipc_emu/emu.h"
#include "support/vg_cases.h"
#include "sys.h"

static char name[96];

static void name_init(void)
{
	snprintf(name, sizeof(name), "ipc-emu-test-faults-%ld", (long)getpid());
}

static void name_fini(void)
{
	(void)emu_segment_unlink_name(name);
}

TestSuite(faults, .init = name_init, .fini = name_fini, .timeout = 30);

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d, "%s", path);
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

/* Descriptors (minus the one opendir uses) and threads of this process. */
static int count_fds(void)
{
	return count_dir("/proc/self/fd") - 1;
}

static int count_threads(void)
{
	return count_dir("/proc/self/task");
}

static bool shm_exists(const char *nm, const char *suffix)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/shm/%s%s", nm, suffix);
	return stat(path, &st) == 0;
}

static void assert_gone(const char *nm)
{
	cr_assert_not(shm_exists(nm, "-mem"), "%s-mem left in /dev/shm", nm);
	cr_assert_not(shm_exists(nm, "-ctl"), "%s-ctl left in /dev/shm", nm);
}

struct snapshot {
	int fds, threads;
};

static struct snapshot snap(void)
{
	return (struct snapshot){count_fds(), count_threads()};
}

static void assert_same(struct snapshot before, const char *what, unsigned nth)
{
	struct snapshot now = snap();

	/* pthread_join() returns when the kernel clears the thread's tid, a
	 * little before the thread leaves /proc/self/task: give a joined
	 * thread up to a second to disappear (a leaked one never does). */
	for (int i = 0; i < 1000 && now.threads > before.threads; i++) {
		usleep(1000);
		now = snap();
	}

	cr_assert_eq(now.fds, before.fds, "%s #%u: %d descriptors leaked", what, nth,
		     now.fds - before.fds);
	cr_assert_eq(now.threads, before.threads, "%s #%u: %d threads leaked", what, nth,
		     now.threads - before.threads);
}

/* ---------------------------------------------------------------- sweeps */

struct sweep {
	char call[16];
	int err;
	enum emu_doorbell doorbell;
	unsigned calls; /* how many times the operation makes this call */
};

/*
 * Fail call #1, #2, ... of `call` in turn until the operation no longer
 * reaches it (then it succeeds and the injection is disarmed); each failure
 * must be exactly -err and leave nothing.  op() returns 0 or -errno and
 * undoes a success itself.
 */
static void run_sweep(const struct sweep *c, int (*op)(const struct sweep *))
{
	unsigned failed = 0;

	for (unsigned nth = 1; nth <= 16; nth++) {
		struct snapshot before = snap();
		int r;

		cr_assert_eq(emu_sys_inject(c->call, c->err, nth), 0);
		r = op(c);
		if (r == 0) {
			cr_assert_eq(emu_sys_inject(c->call, c->err, 0), 0);
			break;
		}
		cr_assert_eq(r, -c->err, "%s #%u: %d", c->call, nth, r);
		assert_same(before, c->call, nth);
		failed++;
	}
	cr_assert_eq(failed, c->calls, "%s: %u of its calls failed the operation, expected %u",
		     c->call, failed, c->calls);
}

static int op_create(const struct sweep *c)
{
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 8192u, .doorbell = c->doorbell};
	struct emu_segment *s = NULL;
	int r = emu_segment_create(&cfg, &s);

	if (r == 0) {
		emu_segment_close(s);
	} else {
		cr_assert_null(s);
	}
	assert_gone(name);
	return r;
}

static struct sweep create_sweeps[] = {
	{"shm_open", EMFILE, EMU_DOORBELL_FUTEX, 2},
	{"shm_open", ENFILE, EMU_DOORBELL_EVENTFD, 2},
	{"ftruncate", ENOSPC, EMU_DOORBELL_FUTEX, 2},
	{"fallocate", ENOSPC, EMU_DOORBELL_FUTEX, 2},
	{"fallocate", EDQUOT, EMU_DOORBELL_EVENTFD, 2},
	{"mmap", ENOMEM, EMU_DOORBELL_FUTEX, 2},
	{"eventfd", EMFILE, EMU_DOORBELL_EVENTFD, 2},
	{"eventfd", ENFILE, EMU_DOORBELL_FUTEX, 0}, /* futex mode makes none */
};

ParameterizedTestParameters(faults, create_unwinds)
{
	return VG_PARAM_ARRAY(struct sweep, create_sweeps);
}

ParameterizedTest(struct sweep *c, faults, create_unwinds)
{
	VG_EACH_CASE(c, create_sweeps) {
		run_sweep(c, op_create);
	}
}

static struct emu_segment *live;

static int op_attach(const struct sweep *c)
{
	struct emu_segment *a = NULL;
	int r = emu_segment_attach(name, &a);

	(void)c;
	if (r == 0) {
		emu_segment_close(a);
	} else {
		cr_assert_null(a);
	}
	cr_assert(shm_exists(name, "-mem") && shm_exists(name, "-ctl"),
		  "a failed attach must not remove the segment");
	return r;
}

static int op_attach_fds(const struct sweep *c)
{
	struct emu_segment *a = NULL;
	struct emu_segment_fds fds;
	int r;

	(void)c;
	emu_segment_get_fds(live, &fds);
	r = emu_segment_attach_fds(&fds, &a);
	if (r == 0) {
		emu_segment_close(a);
	} else {
		cr_assert_null(a);
	}
	return r;
}

static void with_live_segment(const struct sweep *c, int (*op)(const struct sweep *))
{
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 8192u, .doorbell = c->doorbell};

	cr_assert_eq(emu_segment_create(&cfg, &live), 0);
	run_sweep(c, op);
	emu_segment_close(live);
	live = NULL;
	assert_gone(name);
}

static struct sweep attach_sweeps[] = {
	{"shm_open", EMFILE, EMU_DOORBELL_FUTEX, 2},
	{"fstat", EIO, EMU_DOORBELL_FUTEX, 2},
	{"mmap", ENOMEM, EMU_DOORBELL_FUTEX, 2},
	{"mmap", ENOMEM, EMU_DOORBELL_EVENTFD, 2},
};

ParameterizedTestParameters(faults, attach_unwinds)
{
	return VG_PARAM_ARRAY(struct sweep, attach_sweeps);
}

ParameterizedTest(struct sweep *c, faults, attach_unwinds)
{
	VG_EACH_CASE(c, attach_sweeps) {
		with_live_segment(c, op_attach);
	}
}

static struct sweep attach_fds_sweeps[] = {
	{"dup", EMFILE, EMU_DOORBELL_EVENTFD, 4},
	{"dup", EMFILE, EMU_DOORBELL_FUTEX, 2},
	{"fstat", EIO, EMU_DOORBELL_EVENTFD, 2},
	{"mmap", ENOMEM, EMU_DOORBELL_EVENTFD, 2},
};

ParameterizedTestParameters(faults, attach_fds_unwinds)
{
	return VG_PARAM_ARRAY(struct sweep, attach_fds_sweeps);
}

ParameterizedTest(struct sweep *c, faults, attach_fds_unwinds)
{
	VG_EACH_CASE(c, attach_fds_sweeps) {
		with_live_segment(c, op_attach_fds);
	}
}

/* A core adds exactly one thread and no descriptor, and takes them back. */
Test(faults, core_start_stop_leaves_nothing)
{
	for (int db = EMU_DOORBELL_FUTEX; db <= EMU_DOORBELL_EVENTFD; db++) {
		const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u,
						    .doorbell = (enum emu_doorbell)db};
		struct emu_segment *s;
		struct emu_core *h, *r, *again;
		struct snapshot before;

		cr_assert_eq(emu_segment_create(&cfg, &s), 0);
		before = snap();
		cr_assert_eq(emu_core_start(s, EMU_ROLE_HOST, &h), 0);
		cr_assert_eq(emu_core_start(s, EMU_ROLE_REMOTE, &r), 0);
		cr_assert_eq(count_threads(), before.threads + 2);
		cr_assert_eq(count_fds(), before.fds);
		/* A refused start (role taken) unwinds too. */
		cr_assert_eq(emu_core_start(s, EMU_ROLE_HOST, &again), -EBUSY);
		cr_assert_eq(count_threads(), before.threads + 2);
		emu_core_stop(r);
		emu_core_stop(h);
		assert_same(before, "core", 0);
		emu_segment_close(s);
		assert_gone(name);
	}
}

/* ---------------------------------------------------------------- owners (ipc-emu clean) */

static struct emu_segment *create_ok(void)
{
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};
	struct emu_segment *s = NULL;

	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	return s;
}

Test(faults, inspect_live_segment)
{
	struct emu_segment *s = create_ok();
	struct emu_segment_info in;
	struct emu_core *c;
	struct snapshot before = snap();

	cr_assert_eq(emu_segment_inspect(name, &in), 0);
	assert_same(before, "inspect", 0);
	cr_assert(in.complete);
	cr_assert(in.alive);
	cr_assert_eq(in.uid, (uint32_t)geteuid());
	cr_assert_eq(in.n_owner, 1);
	cr_assert_str_eq(in.owner[0].what, "creator");
	cr_assert_eq(in.owner[0].pid, (uint32_t)getpid());
	cr_assert(in.owner[0].alive);
	cr_assert_neq(EMU_CTL_OWNER_START(emu_segment_ctl(s)->hdr.creator_id), 0u,
		      "the creator's start time is recorded");

	cr_assert_eq(emu_core_start(s, EMU_ROLE_REMOTE, &c), 0);
	cr_assert_eq(emu_segment_ctl(s)->hdr.role_owner[EMU_ROLE_REMOTE],
		     emu_segment_ctl(s)->hdr.creator_id);
	cr_assert_eq(emu_segment_inspect(name, &in), 0);
	cr_assert_eq(in.n_owner, 2);
	cr_assert_str_eq(in.owner[1].what, "remote");
	cr_assert_eq(in.owner[1].pid, (uint32_t)getpid());
	cr_assert(in.owner[1].alive);
	emu_core_stop(c);
	emu_segment_close(s);
	assert_gone(name);
	cr_assert_eq(emu_segment_inspect(name, &in), -ENOENT);
}

/* A pid that now belongs to a process started at another time is dead. */
Test(faults, inspect_detects_pid_reuse)
{
	struct emu_segment *s = create_ok();
	struct emu_ctl *ctl = emu_segment_ctl(s);
	struct emu_segment_info in;
	uint64_t mine = ctl->hdr.creator_id;

	ctl->hdr.creator_id = EMU_CTL_OWNER_ID(getpid(), EMU_CTL_OWNER_START(mine) + 1u);
	cr_assert_eq(emu_segment_inspect(name, &in), 0);
	cr_assert_eq(in.owner[0].pid, (uint32_t)getpid());
	cr_assert_not(in.owner[0].alive);
	cr_assert_not(in.alive);
	/* Start unknown (an older writer): the pid alone decides. */
	ctl->hdr.creator_id = 0;
	cr_assert_eq(emu_segment_inspect(name, &in), 0);
	cr_assert_eq(in.owner[0].pid, (uint32_t)getpid());
	cr_assert(in.alive);
	ctl->hdr.creator_id = mine;
	emu_segment_close(s);
	assert_gone(name);
}

/*
 * fork() a child that runs `body`, then SIGKILL it as a crash would, closing
 * nothing.  (Killed from outside, so that valgrind cannot run its leak check
 * in the child: the open segment is what the test is about.)  The child is
 * left unreaped: a zombie.
 */
static pid_t child_killed(void (*body)(void))
{
	siginfo_t info;
	int p[2];
	char c = 0;
	pid_t pid;

	cr_assert_eq(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		body();
		if (write(p[1], "x", 1) != 1) {
			_exit(1);
		}
		for (;;) {
			pause();
		}
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &c, 1), 1, "the child failed before its crash point");
	close(p[0]);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	/* Wait until it is dead, without reaping it. */
	memset(&info, 0, sizeof(info));
	cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
	cr_assert_eq(info.si_code, CLD_KILLED);
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
}

/* Still referenced when the child dies: not a leak for memcheck. */
static struct emu_segment *dying;

static void create_and_die(void)
{
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};

	if (emu_segment_create(&cfg, &dying) != 0) {
		_exit(1);
	}
}

static void create_half_and_die(void)
{
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};

	if (emu_segment_create(&cfg, &dying) != 0) {
		_exit(1);
	}
	/* As if killed between stamping the control block and publishing it. */
	emu_segment_ctl(dying)->hdr.magic = EMU_CTL_MAGIC_INIT;
}

static void assert_dead_creator(pid_t pid, bool complete)
{
	struct emu_segment_info in;

	cr_assert_eq(emu_segment_inspect(name, &in), 0);
	cr_assert_eq(in.complete, complete);
	cr_assert_eq(in.n_owner, 1);
	cr_assert_eq(in.owner[0].pid, (uint32_t)pid);
	cr_assert_not(in.owner[0].alive);
	cr_assert_not(in.alive);
}

Test(faults, inspect_dead_creator_zombie_and_reaped)
{
	pid_t pid = child_killed(create_and_die);

	assert_dead_creator(pid, true); /* a zombie is dead */
	reap(pid);
	assert_dead_creator(pid, true);
	cr_assert_eq(emu_segment_unlink_name(name), 0);
	assert_gone(name);
}

Test(faults, inspect_half_created_segment)
{
	struct emu_segment *a = NULL;
	pid_t pid = child_killed(create_half_and_die);

	reap(pid);
	assert_dead_creator(pid, false);
	/* Attachers see "not ready". */
	cr_assert_eq(emu_segment_attach(name, &a), -EPROTO);
	cr_assert_null(a);
	cr_assert_eq(emu_segment_unlink_name(name), 0);
	assert_gone(name);
}

Test(faults, inspect_rejects_foreign_and_unwinds)
{
	struct emu_segment *s = create_ok();
	struct emu_segment_info in;
	struct snapshot before = snap();
	char other[128], path[160];
	int fd;

	cr_assert_eq(emu_sys_inject("pread", EIO, 1), 0);
	cr_assert_eq(emu_segment_inspect(name, &in), -EIO);
	assert_same(before, "pread", 1);
	cr_assert_eq(emu_sys_inject("fstat", EIO, 1), 0);
	cr_assert_eq(emu_segment_inspect(name, &in), -EIO);
	assert_same(before, "fstat", 1);
	cr_assert_eq(emu_sys_inject("shm_open", EMFILE, 1), 0);
	cr_assert_eq(emu_segment_inspect(name, &in), -EMFILE);
	assert_same(before, "shm_open", 1);
	cr_assert_eq(emu_segment_inspect("a/b", &in), -EINVAL);
	emu_segment_close(s);

	/* Same size, wrong contents; and a control block copied under another name. */
	snprintf(path, sizeof(path), "/%s-ctl", name);
	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, sizeof(struct emu_ctl)), 0);
	cr_assert_eq(emu_segment_inspect(name, &in), -EPROTO);
	close(fd);
	cr_assert_eq(emu_segment_unlink_name(name), 0);
	s = create_ok();
	snprintf(other, sizeof(other), "%s-x", name);
	snprintf(path, sizeof(path), "/%s-ctl", other);
	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, emu_segment_ctl(s), sizeof(struct emu_ctl)),
		     (ssize_t)sizeof(struct emu_ctl));
	close(fd);
	cr_assert_eq(emu_segment_inspect(other, &in), -EPROTO);
	cr_assert_eq(emu_segment_unlink_name(other), 0);
	emu_segment_close(s);
	assert_gone(name);
}

/* ---------------------------------------------------------------- IPC_EMU_INJECT */

Test(faults, inject_parse)
{
	char err[256];
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};
	struct emu_segment *s = NULL;

	cr_assert_eq(emu_sys_inject_parse("ftruncate:ENOSPC@2,shm_open:EMFILE", err, sizeof(err)), 0);
	cr_assert_str_eq(err, "");
	cr_assert_eq(emu_segment_create(&cfg, &s), -EMFILE); /* shm_open #1 */
	cr_assert_eq(emu_segment_create(&cfg, &s), -ENOSPC); /* ftruncate #2 */
	assert_gone(name);
	cr_assert_eq(emu_sys_inject_parse("mmap:12@1", err, sizeof(err)), 0);
	cr_assert_eq(emu_segment_create(&cfg, &s), -ENOMEM);
	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	emu_segment_close(s);
	assert_gone(name);
	cr_assert_eq(emu_sys_inject_parse("", err, sizeof(err)), 0);
	cr_assert_eq(emu_sys_inject_parse(NULL, err, sizeof(err)), 0);

	cr_assert_eq(emu_sys_inject_parse("mmap:ENOMEM,nosuch:EIO", err, sizeof(err)), -EINVAL);
	cr_assert_eq(strncmp(err, "unknown call 'nosuch' (known: shm_open, ", 40), 0, "%s", err);
	cr_assert_eq(emu_sys_inject_parse("mmap:EWHAT", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "unknown errno 'EWHAT' in 'mmap:EWHAT' (use a name such as ENOSPC, or a number)");
	cr_assert_eq(emu_sys_inject_parse("mmap:ENOMEM@x", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "bad count in 'mmap:ENOMEM@x' (N >= 1)");
	cr_assert_eq(emu_sys_inject_parse("mmap:ENOMEM@0", err, sizeof(err)), -EINVAL);
	cr_assert_eq(emu_sys_inject_parse("mmap@1:ENOMEM", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "'mmap@1:ENOMEM' is not call:ERRNO[@N]");
	cr_assert_eq(emu_sys_inject_parse("mmap:ENOMEM,", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "trailing ','");
	cr_assert_eq(emu_sys_inject_parse(",", err, sizeof(err)), -EINVAL);
	cr_assert_eq(emu_sys_inject_parse("mmap:0", err, sizeof(err)), -EINVAL);
	/* A failed parse arms nothing, not even its valid first entry. */
	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	emu_segment_close(s);
	assert_gone(name);
}
