/*
 * run.c - `ipc-emu run`: the supervisor.
 *
 * It creates the segment, removes its names from /dev/shm at once (the
 * mappings and descriptors keep it alive), and fork+execs two peers of its
 * own binary that inherit the descriptors.  Each child asks for SIGKILL when
 * the supervisor dies (PR_SET_PDEATHSIG), so neither a /dev/shm object nor a
 * peer can outlive the run, even if the supervisor is SIGKILLed.
 *
 * It is single-threaded (PR_SET_PDEATHSIG fires when the forking *thread*
 * exits) and polls: waitpid(WNOHANG), the two app areas for progress, the
 * timeout, and the SIGINT/SIGTERM flag.
 *
 * User programs (--host/--remote): each role's standard output is a pipe
 * the supervisor drains at every poll (ppoll wakes it as soon as a program
 * writes) and forwards line by line, reading Zephyr ztest lines on the way
 * (zt_line()).  A second pipe per role carries sys_reboot() records
 * (include/zephyr/sys/reboot.h): a program that wrote one and exited with
 * EMU_ZEPHYR_REBOOT_EXIT_STATUS is started again, as a reboot.  Both pipes
 * live for the whole run, so every incarnation of a role writes into the
 * same one.
 */
#include <dirent.h>
#include <poll.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "run_plan.h"
#include "zephyr_build.h"
#include "../emu/trace.h"
#include "../emu/inspect.h"
#include <zephyr/sys/reboot.h>

#define POLL_NS 1000000L          /* supervision period */
#define MAX_ARGS 64

/* --mem-limit MIB (options.c; 0: the default). */
#define KILL_USER_MIN_MS 1.0      /* user programs: kill delays, see cli_help_run */
#define KILL_USER_MAX_MS 20.0
#define PARTIAL_LINE_NS 20000000u /* forward an unfinished output line after 20 ms */
#define MAX_ZTEST_CASES 100000u

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

struct child {
	enum emu_role role;
	pid_t pid;           /* 0 when not running */
	int status;          /* exit status of the last incarnation, -1 while running */
	bool exited;
	bool armed;          /* this incarnation runs with the --crash-point armed */
	char *argv[MAX_ARGS];
	int argc;
};

/* A role's output stream: the unfinished line, and what its ztest lines
 * said so far. */
struct zt_role {
	char buf[4096];
	size_t len;
	uint64_t since_ns;        /* when the unfinished line began */
	bool mid_line;            /* buf continues a line already forwarded */
	char suite[128];          /* last "Running TESTSUITE" */
	bool in_test;             /* "START - test" without a result yet */
	char test[128];
	char message[256];
	char detail[1024];
	size_t detail_len;
};

struct sup {
	const struct cli_run_plan *p;
	const struct cli_opts *o; /* p->o */
	const struct cli_config *c; /* &p->cfg */
	char vgdir[96];
	char sandir[160];         /* --sanitize: the programs' sanitizer logs */
	struct emu_segment *seg;
	struct emu_segment_fds fds;
	char seg_name[128];
	char fds_arg[64];
	char vglog_arg[2][128];
	struct child ch[2];
	uint64_t rng;             /* from p->rng: the kills after the planned moments */
	unsigned kills_done, restarts;
	uint64_t t0;              /* the peers' start */
	bool hang, trace_failed;
	uint64_t bonds_at_kill[2];
	/* --crash-point */
	bool crash_armed[2];      /* the next incarnation of the role is armed */
	unsigned crashes;         /* crash points that fired */
	/* Peer resets (kills and crashes) and their recovery. */
	unsigned cycles, rebonds, epochs;
	unsigned overlapped;      /* resets during the recovery of the previous one */
	bool rebond_pending, expect_unbound;
	int survivor;             /* -1: both were restarted */
	uint64_t unbounds_at_kill;
	struct scn_area acc[2];   /* counters of the epochs before a restart of both */
	/* Hang watch: any counter moving counts as progress. */
	uint64_t activity, activity_ns;
	bool stalled;
	double stall_s;
	/* --trace: the directory of the per-process event files. */
	char trace_dir[96];
	/* User programs: output and reboot pipes ([read, write] per role),
	 * incarnations, reboots, ztest results. */
	bool user;
	int out_pipe[2][2];
	int reboot_pipe[2][2];
	struct zt_role zt[2];
	struct scn_user_results res;
	struct scn_ztest_case *cases;
	size_t n_cases, cap_cases;
	bool cases_dropped;
	uint64_t next_kill_ns;    /* user programs: when the next kill is due */
	int next_victim;
	/* --zephyr-base echo apps (emu/zephyr_apps/echo_common.h): their
	 * counters, the restarted role whose "resumed" line the next kill
	 * waits for (-1: none), and whether SIGUSR1 released their finish. */
	struct cli_zapp_counts zc;
	int zapp_wait_role;
	bool zapp_released;
};

unsigned cli_count_shm(const char *prefix)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	unsigned n = 0;
	size_t len = strlen(prefix);

	if (d == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, len) == 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

static void build_argv(struct sup *s, struct child *c)
{
	const struct cli_opts *o = s->o;
	char **a = c->argv;
	int n = 0;

	if (o->valgrind) {
		a[n++] = (char *)s->p->valgrind;
		a[n++] = "-q";
		a[n++] = "--error-exitcode=99";
		a[n++] = "--leak-check=full";
		a[n++] = "--errors-for-leak-kinds=definite,indirect";
		/* "possibly lost" is not an error: threads of a crashed peer. */
		a[n++] = "--show-leak-kinds=definite,indirect";
		a[n++] = "--track-origins=yes";
		a[n++] = "--fair-sched=yes";
		a[n++] = s->vglog_arg[c->role];
	}
	if (o->prog[c->role] != NULL) {
		/* A user program: its arguments, the rest comes in the environment. */
		a[n++] = (char *)o->prog[c->role];
		for (int i = 0; i < o->prog_argc && n < MAX_ARGS - 1; i++) {
			a[n++] = o->prog_argv[i];
		}
		a[n] = NULL;
		c->argc = n;
		return;
	}
	a[n++] = (char *)s->p->self;
	a[n++] = "peer";
	a[n++] = "--role";
	a[n++] = (char *)scn_role_name(c->role);
	a[n++] = "--fds";
	a[n++] = s->fds_arg;
	if (o->n_dts > 0) {
		a[n++] = "--dts";
		a[n++] = (char *)s->p->dts_arg;
	}
	if (o->mem_limit_mib != 0) {
		a[n++] = (char *)s->p->mem_limit_arg; /* the peer reads the tree with the same limit */
	}
	a[n++] = "--backend";
	a[n++] = (char *)s->p->backend_name;
	if (o->instance != NULL) {
		a[n++] = "--instance";
		a[n++] = (char *)o->instance;
	}
	if (s->p->unbound_name != NULL) {
		a[n++] = "--unbound";
		a[n++] = (char *)s->p->unbound_name;
	}
	a[n++] = "--messages";
	a[n++] = (char *)s->p->messages_arg;
	a[n++] = "--endpoints";
	a[n++] = (char *)s->p->endpoints_arg;
	if (o->nocopy) {
		a[n++] = "--nocopy";
	}
	a[n++] = "--scenario";
	a[n++] = (char *)scn_scenario_name(o->scenario);
	if (o->scenario == SCN_MBOX_PINGPONG) {
		a[n++] = "--mbox-mode";
		a[n++] = o->mbox_mode == SCN_MBOX_DATA ? "data" : "signal";
	}
	if (o->ipm_console) {
		a[n++] = "--ipm-console";
	}
	if (s->p->icbmsg_version_name != NULL) {
		a[n++] = "--icbmsg-version";
		a[n++] = (char *)s->p->icbmsg_version_name;
	}
	if (o->max_active_count != 0) {
		a[n++] = (char *)s->p->max_active_arg;
	}
	a[n++] = "--rx-buf-size";
	a[n++] = (char *)s->p->rxbuf_arg;
	a[n++] = "--seed";
	a[n++] = (char *)s->p->seed_arg;
	if (o->rx_in_isr) {
		a[n++] = "--rx-in-isr";
	}
	if (o->cache_model) {
		a[n++] = "--cache-model";
	}
	if (o->busy_poll_us != 0) {
		a[n++] = (char *)s->p->busy_poll_arg;
	}
	a[n++] = "--timeout";
	a[n++] = "0";
	a[n++] = "--quiet";
	a[n] = NULL;
	c->argc = n;
}

/* --sanitize: each report goes to SANDIR/ROLE.PID and ends the program
 * with status 86 (UBSan does not recover: zephyr-build compiles with
 * -fno-sanitize-recover=all).  UBSan linked with ASan ignores log_path and
 * writes to stderr, so the program's stderr goes to SANDIR/ROLE.stderr
 * (replayed after the run, reports left out).  Leak checking is off: a
 * program's runtime keeps its devices, threads and memory at exit
 * (docs/zephyr-compat.md), and a killed incarnation never exits. */
static void sanitizer_env(const struct sup *s, enum emu_role role)
{
	char v[256];
	int fd;

	snprintf(v, sizeof(v), "%s/%s.stderr", s->sandir, scn_role_name(role));
	fd = open(v, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)dup2(fd, STDERR_FILENO);
		close(fd);
	}

	snprintf(v, sizeof(v), "log_path=%s/%s:exitcode=86:detect_leaks=0", s->sandir,
		 scn_role_name(role));
	setenv("ASAN_OPTIONS", v, 1);
	snprintf(v, sizeof(v), "log_path=%s/%s:exitcode=86:halt_on_error=1:print_stacktrace=1",
		 s->sandir, scn_role_name(role));
	setenv("UBSAN_OPTIONS", v, 1);
}

/* --sanitize: the programs' stderr, replayed after the run without the
 * sanitizer reports (from a "runtime error:" line to the next blank line). */
static void sanitizer_replay(const struct sup *s)
{
	for (int i = 0; i < 2; i++) {
		char path[PATH_MAX], buf[1024];
		bool in_report = false;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s.stderr", s->sandir,
			 scn_role_name((enum emu_role)i));
		f = fopen(path, "r");
		while (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
			in_report = in_report ? buf[0] != '\n' : strstr(buf, "runtime error:") != NULL;
			if (!in_report && !(buf[0] == '\n' && buf[1] == '\0')) {
				fputs(buf, stderr);
			}
		}
		if (f != NULL) {
			fclose(f);
		}
	}
}

/* --sanitize: the first report in a role's logs (one per incarnation that
 * had one, and its stderr) as one line in `line`, and its file in `file`;
 * false if none.  UBSan's "runtime error:" line, else the "SUMMARY:" line. */
static bool sanitizer_report(const struct sup *s, enum emu_role role, char *line, size_t len,
			     char *file, size_t flen)
{
	const char *name = scn_role_name(role);
	DIR *d = opendir(s->sandir);
	struct dirent *e;
	bool found = false;

	while (d != NULL && !found && (e = readdir(d)) != NULL) {
		char path[PATH_MAX], buf[1024], summary[1024] = "";
		FILE *f;

		if (strncmp(e->d_name, name, strlen(name)) != 0 || e->d_name[strlen(name)] != '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", s->sandir, e->d_name);
		f = fopen(path, "r");
		while (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			if (strstr(buf, "runtime error:") != NULL) {
				snprintf(summary, sizeof(summary), "%s", buf);
				break;
			}
			if (summary[0] == '\0' && strncmp(buf, "SUMMARY:", 8) == 0) {
				snprintf(summary, sizeof(summary), "%s", buf);
			}
		}
		if (f != NULL) {
			fclose(f);
		}
		if (summary[0] != '\0') {
			snprintf(line, len, "%s", summary);
			snprintf(file, flen, "%s", e->d_name);
			found = true;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	return found;
}

/* --sanitize: a program that exited with a status other than 0 without a
 * report (a sanitizer runtime that stopped it at start-up, say): the first
 * error line of its stderr (a "==PID==" line of the runtime, or one with
 * "error"), in `line`; false if none. */
static bool sanitizer_first_error(const struct sup *s, enum emu_role role, char *line,
				  size_t len)
{
	char path[PATH_MAX], buf[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.stderr", s->sandir, scn_role_name(role));
	f = fopen(path, "r");
	while (f != NULL && !found && fgets(buf, sizeof(buf), f) != NULL) {
		unsigned pid;
		int n = 0;

		buf[strcspn(buf, "\n")] = '\0';
		if ((sscanf(buf, "==%u==%n", &pid, &n) == 1 && n > 0) ||
		    strstr(buf, "error") != NULL || strstr(buf, "ERROR") != NULL) {
			snprintf(line, len, "%s", buf);
			found = true;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return found;
}

/* The environment contract of user programs (docs/zephyr-compat.md): the
 * runtime linked into them attaches from these before main(). */
static void user_env(const struct sup *s, const struct child *c)
{
	const struct cli_opts *o = s->o;
	char buf[32];

	setenv("IPC_EMU_ROLE", scn_role_name(c->role), 1);
	setenv("IPC_EMU_FDS", s->fds_arg, 1);
	setenv("IPC_EMU_DTS", o->n_dts > 0 ? s->p->dts_arg : "", 1);
	unsetenv("IPC_EMU_SEGMENT");
	if (s->p->unbound_name != NULL) {
		setenv("IPC_EMU_UNBOUND", s->p->unbound_name, 1);
	}
	if (o->cache_model) {
		setenv("IPC_EMU_CACHE_MODEL", "1", 1);
	}
	/* --icbmsg-version / --max-active-count for the programs' ICBMsg
	 * instances (without: the devicetree's ipc-emu,icbmsg-version). */
	if (s->p->icbmsg_version_name != NULL) {
		setenv("IPC_EMU_ICBMSG_VERSION", s->p->icbmsg_version_name, 1);
	} else {
		unsetenv("IPC_EMU_ICBMSG_VERSION");
	}
	if (o->max_active_count != 0) {
		snprintf(buf, sizeof(buf), "%u", o->max_active_count);
		setenv("IPC_EMU_MAX_ACTIVE_COUNT", buf, 1);
	} else {
		unsetenv("IPC_EMU_MAX_ACTIVE_COUNT");
	}
	if (s->sandir[0] != '\0') {
		sanitizer_env(s, c->role);
	}
	cli_program_env_common(o);
}

void cli_program_env_common(const struct cli_opts *o)
{
	char buf[32];

	if (o->rx_in_isr) {
		setenv("IPC_EMU_RX_IN_ISR", "1", 1);
	}
	if (o->busy_poll_us != 0) {
		snprintf(buf, sizeof(buf), "%u", o->busy_poll_us);
		setenv("IPC_EMU_BUSY_POLL", buf, 1);
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, o->seed);
	setenv("IPC_EMU_SEED", buf, 1);
	setenv("IPC_EMU_SCHEDULE", o->schedule != NULL ? o->schedule : "coop", 1);
	/* The run's liveness bound (--timeout, scaled under --valgrind; 0:
	 * none): the echo apps stall-check within half of it. */
	snprintf(buf, sizeof(buf), "%.0f", o->timeout_s > 0 ? o->timeout_s * 1000.0 : 0.0);
	setenv("IPC_EMU_TIMEOUT_MS", buf, 1);
	snprintf(buf, sizeof(buf), "%u", o->rx_buf_size);
	setenv("IPC_EMU_RX_BUF_SIZE", buf, 1);
}

/* ---------------------------------------------- user programs' output -- */

/* strlcpy; the line being parsed lives in the same struct as some targets. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
	}
	memmove(dst, src, n);
	dst[n] = '\0';
}

static void add_case(struct sup *s, int role, const char *test, int result, double dur,
		     const char *message, const char *detail)
{
	struct scn_ztest_case *c;

	if (s->n_cases == s->cap_cases) {
		size_t cap = s->cap_cases ? 2 * s->cap_cases : 64;
		struct scn_ztest_case *n;

		if (cap > MAX_ZTEST_CASES || (n = realloc(s->cases, cap * sizeof(*n))) == NULL) {
			s->cases_dropped = true;
			return;
		}
		s->cases = n;
		s->cap_cases = cap;
	}
	c = &s->cases[s->n_cases++];
	memset(c, 0, sizeof(*c));
	c->role = role;
	c->boot = s->res.boots[role];
	copy_str(c->suite, sizeof(c->suite), s->zt[role].suite);
	copy_str(c->test, sizeof(c->test), test);
	c->result = result;
	c->duration_s = dur;
	copy_str(c->message, sizeof(c->message), message);
	copy_str(c->detail, sizeof(c->detail), detail);
}

static bool starts(const char *line, const char *prefix)
{
	return strncmp(line, prefix, strlen(prefix)) == 0;
}

/* " PASS - name in 1.234 seconds": result and duration; false otherwise. */
static bool result_line(const char *line, int *result, char *name, size_t namelen, double *dur)
{
	static const char *const tags[] = {" PASS - ", " FAIL - ", " SKIP - "};
	const char *in, *p;
	unsigned long sec, ms;
	char *end;

	for (int i = 0; i < 3; i++) {
		if (!starts(line, tags[i])) {
			continue;
		}
		line += strlen(tags[i]);
		in = strstr(line, " in ");
		/* The last " in " (a test name could contain one). */
		for (p = in; p != NULL; p = strstr(p + 1, " in ")) {
			in = p;
		}
		if (in == NULL || (size_t)(in - line) >= namelen || in == line) {
			return false;
		}
		sec = strtoul(in + 4, &end, 10);
		if (end == in + 4 || *end != '.') {
			return false;
		}
		p = end + 1;
		ms = strtoul(p, &end, 10);
		if (end != p + 3 || strcmp(end, " seconds") != 0) {
			return false;
		}
		memcpy(name, line, (size_t)(in - line));
		name[in - line] = '\0';
		*result = i;
		*dur = (double)sec + (double)ms / 1000.0;
		return true;
	}
	return false;
}

/* One complete output line of a role (no newline): Zephyr's ztest formats
 * (emu/zephyr_ztest.c lists them). */
static void schedule_kill(struct sup *s, uint64_t now);

/* A line of the --zephyr-base echo apps ("echo-client[host]: ..."). */
static void zapp_line(struct sup *s, int role, const char *line)
{
	struct cli_zapp_counts *z = &s->zc;
	const char *p = strstr(line, "]: ");
	unsigned long long e, st, se;

	if (!starts(line, "echo-") || p == NULL) {
		return;
	}
	p += 3;
	if (starts(p, "corrupted:")) {
		z->corrupted[role]++;
	} else if (starts(p, "duplicated:")) {
		z->duplicated[role]++;
	} else if (starts(p, "lost:")) {
		z->lost[role]++;
	} else if (starts(p, "resumed (")) {
		z->resumes[role]++;
		if (s->zapp_wait_role == role) {
			s->zapp_wait_role = -1; /* the restarted side restored its progress */
			s->rebonds++;
			schedule_kill(s, scn_now_ns()); /* the next kill counts from here */
		}
	} else if (sscanf(p, "summary: echoed %llu streamed %llu sent %llu", &e, &st, &se) == 3) {
		z->summary[role] = true;
		z->echoed[role] = e;
		z->streamed[role] = st;
		z->sent[role] = se;
	}
}

static void zt_line(struct sup *s, int role, const char *line)
{
	struct zt_role *z = &s->zt[role];
	char name[128];
	int result;
	double dur;

	if (s->o->zephyr_apps) {
		zapp_line(s, role, line);
	}

	if (starts(line, "Running TESTSUITE ")) {
		copy_str(z->suite, sizeof(z->suite), line + strlen("Running TESTSUITE "));
		s->res.ztest_seen[role] = true;
		return;
	}
	if (starts(line, "START - ")) {
		z->in_test = true;
		copy_str(z->test, sizeof(z->test), line + strlen("START - "));
		z->message[0] = '\0';
		z->detail[0] = '\0';
		z->detail_len = 0;
		s->res.ztest_seen[role] = true;
		return;
	}
	if (result_line(line, &result, name, sizeof(name), &dur)) {
		add_case(s, role, name, result, dur, z->message, z->detail);
		z->in_test = false;
		return;
	}
	if (starts(line, "PROJECT EXECUTION ")) {
		s->res.ztest_seen[role] = true;
		s->res.ztest_finished[role] = true;
		s->res.project_failed[role] = strcmp(line, "PROJECT EXECUTION SUCCESSFUL") != 0;
		return;
	}
	if (!z->in_test) {
		return;
	}
	if (z->message[0] == '\0' &&
	    (starts(line, "    Assertion failed at ") || starts(line, "    Assumption failed at ") ||
	     starts(line, "    Expectation failed at "))) {
		copy_str(z->message, sizeof(z->message), line + 4);
	}
	if (z->detail_len + 2 < sizeof(z->detail) && line[0] != '\0') {
		if (z->detail_len > 0) {
			z->detail[z->detail_len++] = '\n';
		}
		copy_str(z->detail + z->detail_len, sizeof(z->detail) - z->detail_len, line);
		z->detail_len += strlen(z->detail + z->detail_len);
	}
}

/* An incarnation of the role ended: a test it left unfinished failed,
 * unless the supervisor itself cut it short (kill, crash point, reboot:
 * the next incarnation runs its tests again). */
static void zt_incarnation_end(struct sup *s, int role, bool injected, int status)
{
	struct zt_role *z = &s->zt[role];

	if (z->in_test && !injected) {
		char why[96];

		snprintf(why, sizeof(why), "the program ended during the test (exit status %d)",
			 status);
		add_case(s, role, z->test, SCN_ZTEST_FAIL, 0.0, why, z->detail);
	}
	z->in_test = false;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Forward buf[0..n) (a line with its newline, or a piece of one). */
static void forward(const struct sup *s, const char *p, size_t n)
{
	if (s->o->quiet && s->o->zephyr_apps) {
		return; /* --zephyr-base --quiet (stress): the report says it all */
	}
	fflush(stdout);
	write_all(STDOUT_FILENO, p, n);
}

/* Read what the role wrote; forward and parse each complete line.  final:
 * the run is over, forward an unfinished line too. */
static void pump(struct sup *s, int role, bool final)
{
	struct zt_role *z = &s->zt[role];
	int fd = s->out_pipe[role][0];

	if (fd < 0) {
		return;
	}
	for (;;) {
		ssize_t n = read(fd, z->buf + z->len, sizeof(z->buf) - z->len);
		char *nl;

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n > 0) {
			if (z->len == 0) {
				z->since_ns = scn_now_ns();
			}
			z->len += (size_t)n;
		}
		while ((nl = memchr(z->buf, '\n', z->len)) != NULL) {
			size_t k = (size_t)(nl - z->buf) + 1;

			forward(s, z->buf, k);
			if (!z->mid_line) {
				*nl = '\0';
				zt_line(s, role, z->buf);
			}
			z->mid_line = false;
			memmove(z->buf, z->buf + k, z->len - k);
			z->len -= k;
			z->since_ns = scn_now_ns();
		}
		if (z->len == sizeof(z->buf)) {
			/* A line longer than the buffer: forwarded, not parsed. */
			forward(s, z->buf, z->len);
			z->len = 0;
			z->mid_line = true;
		}
		if (n <= 0) {
			break;
		}
	}
	if (z->len > 0 && (final || scn_now_ns() - z->since_ns > PARTIAL_LINE_NS)) {
		forward(s, z->buf, z->len);
		z->len = 0;
		z->mid_line = !final;
	}
}

/* Sleep for the poll period, waking when a program writes. */
static void wait_poll(struct sup *s, long ns)
{
	struct timespec ts = {0, ns};
	struct pollfd p[2];
	nfds_t n = 0;

	for (int i = 0; i < 2 && s->user; i++) {
		if (s->out_pipe[i][0] >= 0) {
			p[n].fd = s->out_pipe[i][0];
			p[n].events = POLLIN;
			p[n].revents = 0;
			n++;
		}
	}
	if (n == 0) {
		nanosleep(&ts, NULL);
		return;
	}
	(void)ppoll(p, n, &ts, NULL);
	for (int i = 0; i < 2; i++) {
		pump(s, i, false);
	}
}

/* A reboot record of the role is waiting in its pipe (drained). */
static bool took_reboot_record(struct sup *s, int role)
{
	char buf[256];
	bool seen = false;
	ssize_t n;

	if (s->reboot_pipe[role][0] < 0) {
		return false;
	}
	while ((n = read(s->reboot_pipe[role][0], buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n > 0 && memmem(buf, (size_t)n, "reboot ", 7) != NULL) {
			seen = true;
		}
	}
	return seen;
}

static int make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0) {
		p[0] = p[1] = -1;
		return -errno;
	}
	(void)fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	return 0;
}

static void close_pipes(struct sup *s)
{
	for (int i = 0; i < 2; i++) {
		for (int k = 0; k < 2; k++) {
			if (s->out_pipe[i][k] >= 0) {
				close(s->out_pipe[i][k]);
			}
			if (s->reboot_pipe[i][k] >= 0) {
				close(s->reboot_pipe[i][k]);
			}
			s->out_pipe[i][k] = s->reboot_pipe[i][k] = -1;
		}
	}
}

/* In the child, before exec: stdout into the role's pipe, the reboot pipe
 * kept open across exec, the boot count.  Single-threaded parent: setenv
 * is safe between fork and exec. */
static void child_user_io(struct sup *s, const struct child *c)
{
	char buf[32];
	int role = (int)c->role;

	if (s->out_pipe[role][1] >= 0) {
		(void)dup2(s->out_pipe[role][1], STDOUT_FILENO);
	}
	if (s->reboot_pipe[role][1] >= 0) {
		(void)fcntl(s->reboot_pipe[role][1], F_SETFD, 0);
		snprintf(buf, sizeof(buf), "%d", s->reboot_pipe[role][1]);
		setenv(EMU_ZEPHYR_REBOOT_FD_ENV, buf, 1);
	}
	snprintf(buf, sizeof(buf), "%u", s->res.boots[role]);
	setenv(EMU_ZEPHYR_BOOT_ENV, buf, 1);
	signal(SIGPIPE, SIG_DFL);
}

static int spawn(struct sup *s, struct child *c)
{
	pid_t sup_pid = getpid();
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (s->user) {
		s->res.boots[c->role]++;
		s->zt[c->role].in_test = false;
		s->res.ztest_finished[c->role] = false;
	}
	pid = fork();
	if (pid < 0) {
		return -errno;
	}
	if (pid == 0) {
		/* Die with the supervisor; if it is already gone, do not start. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != sup_pid) {
			_exit(127);
		}
		/* Single-threaded parent: setenv is safe between fork and exec. */
		if (s->o->prog[c->role] != NULL) {
			user_env(s, c);
			child_user_io(s, c);
			/* A program maps the memory image at its devicetree
			 * addresses (the Zephyr-stack mode) in a non-PIE
			 * binary, whose heap the kernel starts anywhere in
			 * the 1 GiB above it: without randomization it starts
			 * right after the program, as on the target, and
			 * cannot sit on those addresses (a kernel that
			 * refuses keeps randomization). */
			(void)personality((unsigned long)personality(0xffffffffUL) | ADDR_NO_RANDOMIZE);
		}
		if (s->crash_armed[c->role]) {
			putenv((char *)s->p->crash_env); /* the child's copy */
		} else {
			unsetenv("IPC_EMU_CRASH");
		}
		execv(c->argv[0], c->argv);
		if (errno == ENOEXEC) {
			/* A 32-bit (-m32) Zephyr-stack program on a kernel without
			 * IA-32 emulation: run it under qemu-i386 (user mode). */
			char *q[MAX_ARGS + 2] = {"qemu-i386"};

			for (int i = 0; i < c->argc && i < MAX_ARGS; i++) {
				q[i + 1] = c->argv[i];
			}
			execvp(q[0], q);
			errno = ENOEXEC;
		}
		{
			static const char msg[] = "ipc-emu: cannot exec the peer\n";
			ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);

			(void)w;
		}
		_exit(127);
	}
	c->pid = pid;
	c->status = -1;
	c->exited = false;
	c->armed = s->crash_armed[c->role];
	s->crash_armed[c->role] = false;
	return 0;
}

int cli_kill_reap(pid_t pid, int *status)
{
	int st;

	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid) {
		return -1;
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : cli_decode_status(st);
	return WIFEXITED(st) ? 1 : 0;
}

int cli_decode_status(int st)
{
	if (WIFEXITED(st)) {
		return WEXITSTATUS(st);
	}
	if (WIFSIGNALED(st)) {
		return 128 + WTERMSIG(st);
	}
	return 255;
}

static void kill_one(struct child *c)
{
	int st;

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		if (waitpid(c->pid, &st, 0) == c->pid) {
			c->status = cli_decode_status(st);
			emu_trace(EMU_TRACE_EXIT, c->role, (uint32_t)c->pid, (uint32_t)c->status, 0);
			c->exited = true;
			c->pid = 0;
		}
	}
}

/* The end of the run (done, hang, signal): a test still running failed. */
static void kill_all(struct sup *s)
{
	for (int i = 0; i < 2; i++) {
		bool was_running = s->ch[i].pid > 0;

		kill_one(&s->ch[i]);
		if (s->user && was_running) {
			pump(s, i, true);
			zt_incarnation_end(s, i, false, s->ch[i].status);
		}
	}
}

/* Counters that add up across epochs (restarts of both peers). */
#define ACC_FIELDS(X)                                                                         \
	X(sent) X(received) X(corrupted) X(duplicated) X(reordered) X(lost)                   \
	X(lost_across_session) X(bytes_sent) X(bytes_received) X(bonds) X(unbounds)           \
	X(echo_retries) X(late_replies) X(errors) X(icb_rx_invalid) X(icb_rx_released_unknown)

void cli_area_acc_add(struct scn_area *to, const struct scn_area *from)
{
#define X(f) to->f += scn_get(&from->f);
	ACC_FIELDS(X)
#undef X
}

/* Both peers are dead: keep their counters, then give each a fresh scenario
 * on the same (stale) shared memory.  Boot counts go on, and a message from a
 * dead incarnation is counted as duplicated (scn_area.min_peer_boot). */
void cli_area_new_epoch(struct emu_segment *seg, struct scn_area acc[2])
{
	struct scn_area *a[2] = {scn_area(seg, EMU_ROLE_HOST), scn_area(seg, EMU_ROLE_REMOTE)};
	uint64_t boots[2] = {scn_get(&a[0]->boots), scn_get(&a[1]->boots)};

	for (int i = 0; i < 2; i++) {
		uint64_t magic = scn_get(&a[i]->magic), n = scn_get(&a[i]->messages),
			 k = scn_get(&a[i]->endpoints), hold = scn_get(&a[i]->finish_hold);

		cli_area_acc_add(&acc[i], a[i]);
		memset(a[i], 0, sizeof(*a[i]));
		a[i]->messages = n;
		a[i]->endpoints = k;
		a[i]->boots = boots[i];
		a[i]->min_peer_boot = boots[1 - i] + 1;
		a[i]->finish_hold = hold;
		__atomic_store_n(&a[i]->magic, magic, __ATOMIC_RELEASE);
	}
}

static void new_epoch(struct sup *s)
{
	cli_area_new_epoch(s->seg, s->acc);
	s->epochs++;
}

/* ICBMsg v2 has no reset handling: a core that boots zeroes only the two
 * queue counters it writes, and one that opens before its peer has booted
 * reads the old incarnation's counters.  Restarting both is a reset of the
 * whole system, shared RAM included: both regions start zeroed. */
void cli_clear_regions(struct emu_segment *seg, const struct emu_dt_inst *in)
{
	const struct emu_dt_region *r[2] = {&in->tx, &in->rx};

	for (int i = 0; i < 2; i++) {
		void *p = emu_segment_ptr(seg, r[i]->addr, r[i]->size);

		if (p != NULL) {
			memset(p, 0, (size_t)r[i]->size);
		}
	}
}

/* A hang: the index words of the run's ICMsg rings in shared memory, one
 * line each, so a send that could not progress is reported with its cause
 * (the peer itself logs what its cache holds: src/icmsg.c). */
static void hang_rings(const struct sup *s)
{
	const struct emu_dt_inst *in = s->c->inst_host;

	if (in == NULL || in->backend != EMU_BACKEND_ICMSG) {
		return;
	}
	for (int r = 0; r < 2; r++) {
		const struct emu_dt_region *g = r == 0 ? &in->tx : &in->rx;
		const void *p = emu_segment_ptr(s->seg, g->addr, g->size);
		uint8_t *copy = p != NULL ? malloc((size_t)g->size) : NULL;
		struct emu_insp_ring *ring = malloc(sizeof(*ring));

		if (copy != NULL && ring != NULL) {
			struct emu_insp_image im = {.img = copy, .base = g->addr, .len = g->size};

			memcpy(copy, p, (size_t)g->size);
			if (emu_insp_ring(&im, g->addr, g->size, in->dcache_alignment,
					  s->c->unbound != EMU_UNBOUND_DISABLE, ring) == 0) {
				uint32_t occ = ring->rd > ring->wr
						       ? ring->data_len - (ring->rd - ring->wr)
						       : ring->wr - ring->rd;

				fprintf(stderr,
					"ipc-emu run: hang: %s %s 0x%" PRIx64 " (%s writes): wr_idx %" PRIu32
					", rd_idx %" PRIu32 ", %" PRIu32 " of %" PRIu32 " bytes free%s\n",
					in->label, r == 0 ? "tx-region" : "rx-region", g->addr,
					r == 0 ? "host" : "remote", ring->wr, ring->rd,
					ring->ok && occ + 4u <= ring->data_len ? ring->data_len - occ - 4u
									       : 0u,
					ring->data_len, ring->ok ? "" : " (indices invalid)");
			}
		}
		free(copy);
		free(ring);
	}
}

/* One peer died (killed by us or by its crash point): restart it, or, with
 * classic ICBMsg, which has no reset protocol, both (the documented
 * recovery).  Then wait for the re-bond (checked by watch_rebond()). */
static void recover(struct sup *s, int victim)
{
	const struct scn_area *a[2] = {scn_area(s->seg, EMU_ROLE_HOST),
				       scn_area(s->seg, EMU_ROLE_REMOTE)};
	int survivor = 1 - victim;

	s->cycles++;
	/* A reset during the recovery of the previous one: the later recovery
	 * covers both. */
	s->overlapped += s->rebond_pending;
	if (s->o->backend == EMU_BACKEND_ICBMSG) {
		kill_one(&s->ch[survivor]);
		if (s->user) {
			pump(s, survivor, true);
			zt_incarnation_end(s, survivor, true, s->ch[survivor].status);
		}
		if (s->c->icbmsg_version == EMU_ICBMSG_V2) {
			cli_clear_regions(s->seg, s->c->inst_host);
		}
		new_epoch(s);
		s->survivor = -1;
		s->expect_unbound = false;
	} else {
		s->survivor = survivor;
		/* Bound at the moment of the reset: it must see unbound(). */
		s->expect_unbound = scn_get(&a[survivor]->bound_now) != 0;
		s->unbounds_at_kill = scn_get(&a[survivor]->unbounds);
	}
	for (int i = 0; i < 2; i++) {
		s->bonds_at_kill[i] = scn_get(&a[i]->bonds);
	}
	/* User programs keep no counters to watch a re-bond with. */
	s->rebond_pending = !s->user;
	for (int i = 0; i < 2; i++) {
		struct child *c = &s->ch[i];

		if (c->pid > 0) {
			continue;
		}
		if (spawn(s, c) == 0) {
			emu_trace(EMU_TRACE_RESTART, c->role, (uint32_t)c->pid, 0, 0);
			s->restarts++;
			if (s->o->zephyr_apps) {
				s->zapp_wait_role = i;
			}
		} else {
			c->status = 128 + SIGKILL;
			c->exited = true;
		}
	}
}

/* A reset is recovered when both sides bonded again and the survivor, if it
 * was bound, saw unbound() first. */
bool cli_rebonded(const struct emu_segment *seg, const uint64_t bonds_at_kill[2], int survivor,
		  bool expect_unbound, uint64_t unbounds_at_kill)
{
	const struct scn_area *a[2] = {scn_area(seg, EMU_ROLE_HOST), scn_area(seg, EMU_ROLE_REMOTE)};

	for (int i = 0; i < 2; i++) {
		if (scn_get(&a[i]->bonds) <= bonds_at_kill[i]) {
			return false;
		}
	}
	return survivor < 0 || !expect_unbound ||
	       scn_get(&a[survivor]->unbounds) > unbounds_at_kill;
}

static void watch_rebond(struct sup *s)
{
	if (!s->rebond_pending || !cli_rebonded(s->seg, s->bonds_at_kill, s->survivor,
						 s->expect_unbound, s->unbounds_at_kill)) {
		return;
	}
	s->rebonds++;
	s->rebond_pending = false;
}

/* sys_reboot() in a user program: start it again (only this core, whatever
 * the backend: a reset of one core is what the program asked for). */
static void reboot(struct sup *s, int role, uint32_t old_pid)
{
	struct child *c = &s->ch[role];

	s->res.reboots[role]++;
	zt_incarnation_end(s, role, true, EMU_ZEPHYR_REBOOT_EXIT_STATUS);
	emu_trace(EMU_TRACE_EXIT, c->role, old_pid, EMU_ZEPHYR_REBOOT_EXIT_STATUS, 0);
	if (spawn(s, c) == 0) {
		emu_trace(EMU_TRACE_RESTART, c->role, (uint32_t)c->pid, 0, 0);
	} else {
		c->status = EMU_ZEPHYR_REBOOT_EXIT_STATUS;
		c->exited = true;
	}
}

/* Reap whatever exited; a peer killed by its armed crash point is a crash
 * to recover from.  Returns the number of children still running. */
static int reap(struct sup *s)
{
	for (int i = 0; i < 2; i++) {
		struct child *c = &s->ch[i];
		int st;

		if (c->pid > 0 && waitpid(c->pid, &st, WNOHANG) == c->pid) {
			int status = cli_decode_status(st);
			uint32_t pid = (uint32_t)c->pid;

			c->pid = 0;
			if (s->user) {
				pump(s, i, true);
			}
			if (s->user && status == EMU_ZEPHYR_REBOOT_EXIT_STATUS &&
			    took_reboot_record(s, i) && !got_signal) {
				reboot(s, i, pid);
				continue;
			}
			if (s->user) {
				bool crash = c->armed && status == 128 + SIGKILL && !got_signal;

				zt_incarnation_end(s, i, crash, status);
			}
			if (c->armed && status == 128 + SIGKILL && !got_signal) {
				emu_trace(EMU_TRACE_CRASH, c->role, pid, 0, 0);
				s->crashes++;
				if (getenv("IPC_EMU_DEBUG_KILLS") != NULL) {
					fprintf(stderr, "ipc-emu: %s crashed at its crash point\n",
						scn_role_name(c->role));
				}
				recover(s, i);
				continue;
			}
			emu_trace(EMU_TRACE_EXIT, c->role, pid, (uint32_t)status, 0);
			c->status = status;
			c->exited = true;
		}
	}
	return (s->ch[0].pid > 0) + (s->ch[1].pid > 0);
}

/* --kill-random: while kills are due, the peers hold back their DONE
 * (scn_area.finish_hold), so a fast run cannot end before the last kill.
 * The supervisor initialises both areas itself, before the peers start, so
 * that the word it sets survives their area_init(). */
void cli_set_finish_hold(struct emu_segment *seg, bool hold)
{
	for (int i = 0; i < 2; i++) {
		scn_set(&scn_area(seg, (enum emu_role)i)->finish_hold, hold);
	}
}

void cli_prepare_areas(struct emu_segment *seg, uint64_t messages, uint64_t endpoints)
{
	for (int i = 0; i < 2; i++) {
		struct scn_area *a = scn_area(seg, (enum emu_role)i);

		memset(a, 0, sizeof(*a));
		a->messages = messages;
		a->endpoints = endpoints;
		__atomic_store_n(&a->magic, SCN_MAGIC, __ATOMIC_RELEASE);
	}
	cli_set_finish_hold(seg, true);
}

/* --kill-random: kill when the progress crosses the next threshold, both
 * peers are bound since the last kill, and neither has started finishing. */
static void maybe_kill(struct sup *s, uint64_t total)
{
	const struct scn_area *a[2] = {scn_area(s->seg, EMU_ROLE_HOST),
				       scn_area(s->seg, EMU_ROLE_REMOTE)};
	double progress;
	int victim;
	struct child *c;
	int st, rc;

	if (s->kills_done >= s->o->kill_random || s->ch[0].pid <= 0 || s->ch[1].pid <= 0 ||
	    s->rebond_pending) {
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (scn_get(&a[i]->bonds) <= s->bonds_at_kill[i] || scn_get(&a[i]->done_sent) ||
		    scn_get(&a[i]->finished)) {
			return;
		}
	}
	progress = (double)(scn_get(&a[0]->sent) + scn_get(&a[1]->sent)) / (double)total;
	if (progress < s->p->kill_at[s->kills_done]) {
		return;
	}
	if (getenv("IPC_EMU_DEBUG_KILLS") != NULL) {
		fprintf(stderr, "ipc-emu: %.3f s: kill %u: progress %.3f (planned %.3f)\n",
			(double)scn_now_ns() / 1e9, s->kills_done, progress,
			s->p->kill_at[s->kills_done]);
	}
	victim = s->o->kill_role >= 0 ? s->o->kill_role : (int)(cli_run_rng_next(&s->rng) & 1u);
	c = &s->ch[victim];
	emu_trace(EMU_TRACE_KILL, c->role, (uint32_t)c->pid, 0, 0);
	rc = cli_kill_reap(c->pid, &st);
	if (rc < 0) {
		return;
	}
	c->pid = 0;
	if (rc > 0) {
		c->status = st; /* it finished on its own just before: nothing was injected */
		c->exited = true;
		return;
	}
	s->kills_done++;
	recover(s, victim);
	if (s->kills_done == s->o->kill_random) {
		cli_set_finish_hold(s->seg, false);
	}
}

/* --kill-random with user programs: the next kill, a seeded random
 * KILL_USER_MIN_MS..KILL_USER_MAX_MS (x20 under valgrind) from now. */
static void schedule_kill(struct sup *s, uint64_t now)
{
	double max_ms = KILL_USER_MAX_MS;
	double ms;

	if (s->o->zephyr_apps && s->o->kill_random > 0) {
		/* The echo apps exchange 3 x --messages, about 40 a ms: spread
		 * the K kills over the echo and the stream phases. */
		max_ms += (double)s->o->messages * 3.0 / 40.0 * 2.0 / s->o->kill_random;
	}
	ms = KILL_USER_MIN_MS + (max_ms - KILL_USER_MIN_MS) * cli_run_rng_unit(&s->rng);

	if (s->o->valgrind) {
		ms *= CLI_VALGRIND_SCALE;
	}
	s->next_kill_ns = now + (uint64_t)(ms * 1e6);
	s->next_victim = s->o->kill_role >= 0 ? s->o->kill_role : (int)(cli_run_rng_next(&s->rng) & 1u);
}

/* User programs have no progress counters: kills are timed, and land only
 * while both programs run. */
static void maybe_kill_user(struct sup *s, uint64_t now)
{
	struct child *c = &s->ch[s->next_victim];
	int st, status;
	uint32_t pid;

	if (s->kills_done >= s->o->kill_random || now < s->next_kill_ns || s->ch[0].pid <= 0 ||
	    s->ch[1].pid <= 0 || s->zapp_wait_role >= 0) {
		return;
	}
	if (getenv("IPC_EMU_DEBUG_KILLS") != NULL) {
		fprintf(stderr, "ipc-emu: %.3f s: kill %u: %s program\n",
			(double)scn_now_ns() / 1e9, s->kills_done, scn_role_name(c->role));
	}
	pid = (uint32_t)c->pid;
	emu_trace(EMU_TRACE_KILL, c->role, pid, 0, 0);
	kill(c->pid, SIGKILL);
	if (waitpid(c->pid, &st, 0) != c->pid) {
		return;
	}
	c->pid = 0;
	status = cli_decode_status(st);
	pump(s, s->next_victim, true);
	if (WIFEXITED(st)) {
		/* It ended on its own just before: nothing was injected. */
		if (status == EMU_ZEPHYR_REBOOT_EXIT_STATUS && took_reboot_record(s, s->next_victim)) {
			reboot(s, s->next_victim, pid);
			return;
		}
		zt_incarnation_end(s, s->next_victim, false, status);
		emu_trace(EMU_TRACE_EXIT, c->role, pid, (uint32_t)status, 0);
		c->status = status;
		c->exited = true;
		return;
	}
	s->kills_done++;
	zt_incarnation_end(s, s->next_victim, true, status);
	recover(s, s->next_victim);
	schedule_kill(s, scn_now_ns());
}

/* --zephyr-base with --kill-random: after the last kill, once the victim
 * restored its progress, let the echo apps finish (IPC_EMU_FINISH_HOLD). */
static void zapp_release(struct sup *s)
{
	if (!s->o->zephyr_apps || s->o->kill_random == 0 || s->zapp_released ||
	    s->kills_done < s->o->kill_random || s->zapp_wait_role >= 0) {
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (s->ch[i].pid > 0) {
			kill(s->ch[i].pid, SIGUSR1);
		}
	}
	s->zapp_released = true;
}

uint64_t cli_area_activity(const struct emu_segment *seg)
{
	const struct scn_area *a[2] = {scn_area(seg, EMU_ROLE_HOST), scn_area(seg, EMU_ROLE_REMOTE)};
	uint64_t v = 0;

	for (int i = 0; i < 2; i++) {
		v += scn_get(&a[i]->sent) + scn_get(&a[i]->received) + scn_get(&a[i]->bonds) +
		     scn_get(&a[i]->unbounds) + scn_get(&a[i]->finished) + scn_get(&a[i]->quiesced);
	}
	return v;
}

/* No counter of either side moved for stall_s: a hang. */
static bool stalled(struct sup *s, uint64_t now)
{
	uint64_t v = s->restarts + cli_area_activity(s->seg);
	double limit = s->stall_s;

	if (v != s->activity || s->activity_ns == 0) {
		s->activity = v;
		s->activity_ns = now;
		return false;
	}
	/* Legacy bonding after a reset: nothing will ever tell the survivor. */
	if (s->rebond_pending && s->c->unbound == EMU_UNBOUND_DISABLE &&
	    s->o->backend == EMU_BACKEND_ICMSG) {
		limit = s->p->stall_legacy_s;
	}
	if ((double)(now - s->activity_ns) / 1e9 < limit) {
		return false;
	}
	s->stall_s = limit;
	return true;
}

/* Errors in one valgrind log: "ERROR SUMMARY: N errors" when present; with
 * -q valgrind prints no summary, so otherwise count the error records (a
 * record starts with an unindented line after a blank "==pid== " line).
 * Shared with the multi-core run (cli/multicore.c). */
int cli_vg_log_errors(FILE *f)
{
	char line[1024];
	int summary = -1, records = 0;
	bool at_start = true;

	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "ERROR SUMMARY: ");
		const char *body;
		int n;

		if (p != NULL && sscanf(p, "ERROR SUMMARY: %d errors", &n) == 1) {
			summary = (summary < 0 ? 0 : summary) + n;
			continue;
		}
		if (strncmp(line, "==", 2) != 0 || (body = strstr(line + 2, "== ")) == NULL) {
			continue;
		}
		body += 3;
		if (*body == '\n' || *body == '\0') {
			at_start = true;
			continue;
		}
		if (at_start && *body != ' ' && strncmp(body, "Warning:", 8) != 0) {
			records++;
		}
		at_start = false;
	}
	return summary >= 0 ? summary : records;
}

/* Sum the errors of every valgrind log of a role (one per incarnation). */
static int valgrind_errors(const struct sup *s, enum emu_role role)
{
	DIR *d = opendir(s->vgdir);
	struct dirent *e;
	char prefix[32], path[PATH_MAX];
	int total = 0;

	if (d == NULL) {
		return 0;
	}
	snprintf(prefix, sizeof(prefix), "vg-%s-", scn_role_name(role));
	while ((e = readdir(d)) != NULL) {
		FILE *f;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", s->vgdir, e->d_name);
		f = fopen(path, "re");
		if (f != NULL) {
			total += cli_vg_log_errors(f);
			fclose(f);
		}
	}
	closedir(d);
	return total;
}

static void progress_line(const struct sup *s, uint64_t total, double elapsed)
{
	const struct scn_area *h = scn_area(s->seg, EMU_ROLE_HOST);
	const struct scn_area *r = scn_area(s->seg, EMU_ROLE_REMOTE);
	uint64_t sent = scn_get(&h->sent) + scn_get(&r->sent);

	fprintf(stderr, "\r  %5.1f s  %3.0f%%  sent %" PRIu64 "  received %" PRIu64
		"  restarts %u   ",
		elapsed, 100.0 * (double)sent / (double)total, sent,
		scn_get(&h->received) + scn_get(&r->received), s->restarts);
}

/* --trace: every process of the run (the supervisor, each incarnation of
 * both peers, user programs too: emu_core_start() reads IPC_EMU_TRACE)
 * records into its own file in a fresh directory. */
static int trace_start(struct sup *s)
{
	int rc;

	/* The plan checked that the trace can be written; nothing is created
	 * there until the merge renames the complete trace in. */
	rc = cli_run_dir_create("trace", s->trace_dir, sizeof(s->trace_dir));
	if (rc < 0) {
		cli_err("--trace: cannot create a directory for the event files: %s",
			strerror(-rc));
		s->trace_dir[0] = '\0';
		return rc;
	}
	/* Single-threaded: setenv is safe; the children inherit it. */
	setenv(EMU_TRACE_ENV, s->trace_dir, 1);
	rc = emu_trace_open(s->trace_dir, EMU_TRACE_ROLE_SUPERVISOR);
	if (rc < 0) {
		cli_err("--trace: cannot open the supervisor's event file in %s: %s", s->trace_dir,
			strerror(-rc));
		rmdir(s->trace_dir);
		s->trace_dir[0] = '\0';
		return rc;
	}
	return 0;
}

/* Merge the files into o->trace (the peers are gone) and remove them. */
static int trace_finish(struct sup *s)
{
	char err[512];
	long n;

	emu_trace_close();
	unsetenv(EMU_TRACE_ENV);
	n = emu_trace_merge(s->trace_dir, s->o->trace, true, err, sizeof(err));
	s->trace_dir[0] = '\0';
	if (n < 0) {
		cli_err("%s", err);
		return (int)n;
	}
	return 0;
}

int cli_run(const struct cli_opts *o)
{
	/* Unwritable report files are usage errors, found before the run. */
	if ((o->json != NULL && cli_out_check("run", "--json", o->json) < 0) ||
	    (o->junit != NULL && cli_out_check("run", "--junit", o->junit) < 0)) {
		return EXIT_USAGE;
	}
	if (o->json != NULL && strcmp(o->json, "-") == 0) {
		cli_json_stdout(); /* stdout: the JSON only; text goes to stderr */
	}
	if (o->zephyr_base[0] != NULL || o->zephyr_base[1] != NULL) {
		return cli_run_zephyr(o, NULL);
	}
	return cli_run_ex(o, NULL);
}

static void print_warnings(const struct emu_dt_plan *p)
{
	if (p->n_warnings == 0) {
		return;
	}
	cli_err("warning: %s", p->warning);
	if (p->n_warnings > 1) {
		cli_err("warning: %s: %u more warning%s like it", p->source, p->n_warnings - 1,
			p->n_warnings == 2 ? "" : "s");
	}
}

/* ------------------------------------------------------ running a plan -- */

static void sup_init(struct sup *s, const struct cli_run_plan *p)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->o = p->o;
	s->c = &p->cfg;
	s->user = p->user;
	for (int i = 0; i < 2; i++) {
		s->out_pipe[i][0] = s->out_pipe[i][1] = -1;
		s->reboot_pipe[i][0] = s->reboot_pipe[i][1] = -1;
		s->crash_armed[i] = p->crash_armed[i];
	}
	s->rng = p->rng;
	s->survivor = -1;
	s->zapp_wait_role = -1;
	s->stall_s = p->stall_s;
}

/* The --valgrind and --sanitize log directories.  0 or an exit status. */
static int run_dirs_create(struct sup *s)
{
	int rc;

	if (s->o->valgrind) {
		rc = cli_run_dir_create("vg", s->vgdir, sizeof(s->vgdir));
		if (rc < 0) {
			cli_err("cannot create a directory for valgrind logs: %s", strerror(-rc));
			return EXIT_INVARIANT;
		}
		snprintf(s->vglog_arg[0], sizeof(s->vglog_arg[0]), "--log-file=%s/vg-host-%%p.log",
			 s->vgdir);
		snprintf(s->vglog_arg[1], sizeof(s->vglog_arg[1]),
			 "--log-file=%s/vg-remote-%%p.log", s->vgdir);
	}
	if (s->o->sanitize != NULL && s->user) {
		rc = cli_run_dir_create("san", s->sandir, sizeof(s->sandir));
		if (rc < 0) {
			cli_err("cannot create a directory for sanitizer logs: %s", strerror(-rc));
			return EXIT_INVARIANT;
		}
	}
	return 0;
}

static void run_dirs_remove(struct sup *s)
{
	if (s->vgdir[0] != '\0') {
		cli_run_dir_remove(s->vgdir);
	}
	if (s->sandir[0] != '\0') {
		cli_run_dir_remove(s->sandir);
	}
}

/* The segment, its names removed from /dev/shm at once, its descriptors
 * left open across exec for the peers.  0 or an exit status. */
static int segment_open(struct sup *s)
{
	int rc = emu_segment_create(&s->p->seg, &s->seg);

	if (rc < 0) {
		cli_err("cannot create the shared-memory segment: %s", strerror(-rc));
		return rc == -EINVAL ? EXIT_USAGE : EXIT_INVARIANT;
	}
	snprintf(s->seg_name, sizeof(s->seg_name), "%s", emu_segment_name(s->seg));
	/* From here on nothing in /dev/shm can outlive us. */
	rc = emu_segment_unlink(s->seg);
	if (rc < 0) {
		cli_err("cannot unlink segment %s: %s", s->seg_name, strerror(-rc));
	}
	emu_segment_get_fds(s->seg, &s->fds);
	{
		int fdv[4] = {s->fds.mem, s->fds.ctl, s->fds.efd[0], s->fds.efd[1]};

		for (int i = 0; i < 4; i++) {
			if (fdv[i] >= 0) {
				int fl = fcntl(fdv[i], F_GETFD);

				if (fl >= 0) {
					(void)fcntl(fdv[i], F_SETFD, fl & ~FD_CLOEXEC);
				}
			}
		}
		snprintf(s->fds_arg, sizeof(s->fds_arg), "%d,%d,%d,%d", fdv[0], fdv[1], fdv[2],
			 fdv[3]);
	}
	return 0;
}

/* User programs: their output and reboot pipes.  0 or an exit status. */
static int user_pipes_open(struct sup *s)
{
	int rc = 0;

	for (int i = 0; i < 2 && rc == 0; i++) {
		rc = make_pipe(s->out_pipe[i]);
		if (rc == 0) {
			rc = make_pipe(s->reboot_pipe[i]);
		}
	}
	if (rc < 0) {
		cli_err("cannot create the programs' pipes: %s", strerror(-rc));
		return EXIT_INVARIANT;
	}
	/* A closed stdout must not kill the supervisor (children get SIGPIPE
	 * back in child_user_io()). */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* What the segment, the pipes and a trace cut short leave behind. */
static void run_close(struct sup *s)
{
	if (s->trace_dir[0] != '\0') {
		(void)trace_finish(s); /* a run cut short: remove the files */
	}
	cli_report_set_user(NULL);
	cli_report_set_zapps(NULL);
	close_pipes(s);
	free(s->cases);
	s->cases = NULL;
	if (s->user) {
		signal(SIGPIPE, SIG_DFL);
	}
	emu_segment_close(s->seg);
}

/* Signals, the trace, both peers.  0 or an exit status. */
static int start(struct sup *s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	s->t0 = scn_now_ns();
	if (s->user) {
		schedule_kill(s, s->t0);
	}
	for (int i = 0; i < 2; i++) {
		s->ch[i].role = (enum emu_role)i;
		s->ch[i].status = -1;
		build_argv(s, &s->ch[i]);
	}
	if (s->o->trace != NULL) {
		int rc = trace_start(s);

		if (rc < 0) {
			return rc == -EACCES || rc == -ENOENT || rc == -EISDIR || rc == -ENOTDIR
				       ? EXIT_USAGE
				       : EXIT_INVARIANT;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (spawn(s, &s->ch[i]) < 0) {
			cli_err("cannot start the %s peer: %s", scn_role_name((enum emu_role)i),
				strerror(errno));
			kill_all(s);
			return EXIT_INVARIANT;
		}
		emu_trace(EMU_TRACE_SPAWN, (uint32_t)i, (uint32_t)s->ch[i].pid, 0, 0);
	}
	return 0;
}

/* One poll's verdict: true when the run is over (peers killed; s->hang for
 * a timeout or a stall). */
static bool poll_over(struct sup *s, uint64_t now, uint64_t deadline, uint64_t *fail_deadline)
{
	if (got_signal) {
		kill_all(s);
		return true;
	}
	if (deadline != 0 && now > deadline) {
		s->hang = true;
		kill_all(s);
		return true;
	}
	if (s->p->watch_stall && stalled(s, now)) {
		s->hang = true;
		s->stalled = true;
		kill_all(s);
		return true;
	}
	/* A failed peer leaves its partner waiting forever: cut it short. */
	for (int i = 0; i < 2; i++) {
		if (s->ch[i].exited && s->ch[i].status != 0 && *fail_deadline == 0) {
			*fail_deadline = now + (uint64_t)(s->p->fail_grace_s * 1e9);
		}
	}
	if (*fail_deadline != 0 && now > *fail_deadline) {
		kill_all(s);
		return true;
	}
	return false;
}

/* Progress for people (a terminal: one line redrawn) and for logs (not a
 * terminal: a line every few seconds). */
struct run_progress {
	struct cli_progress lines;
	bool tty;
	double last_s;
};

static void progress_show(const struct sup *s, struct run_progress *pr, uint64_t now)
{
	double el;

	if (cli_progress_due(&pr->lines, &el)) {
		const struct scn_area *ha = scn_area(s->seg, EMU_ROLE_HOST);
		const struct scn_area *ra = scn_area(s->seg, EMU_ROLE_REMOTE);

		if (s->user) {
			fprintf(stderr, "ipc-emu run: %.0f s, programs running, %u restarts\n", el,
				s->restarts);
		} else {
			fprintf(stderr, "ipc-emu run: %.0f s, %" PRIu64 "/%" PRIu64 " messages\n",
				el, scn_get(&ha->sent) + scn_get(&ra->sent), s->p->total);
		}
	}
	if (pr->tty && !s->user) {
		el = (double)(now - s->t0) / 1e9;
		if (el > 2.0 && el - pr->last_s >= 0.5) {
			progress_line(s, s->p->total, el);
			pr->last_s = el;
		}
	}
}

/* Poll until both peers are gone, a signal, a hang or the timeout. */
static void supervise(struct sup *s, bool in_stress)
{
	const struct cli_opts *o = s->o;
	uint64_t deadline = s->p->timeout_ns != 0 ? s->t0 + s->p->timeout_ns : 0;
	uint64_t fail_deadline = 0;
	struct run_progress pr = {.tty = !o->quiet && isatty(STDERR_FILENO)};

	cli_progress_init(&pr.lines, o->quiet || in_stress);
	for (;;) {
		/* Poll faster while kills are due: the stream phase is short. */
		long ns = s->kills_done < o->kill_random ? POLL_NS / 4 : POLL_NS;
		int running = reap(s);
		uint64_t now;

		/* Before the exit check: a re-bond and the rest of a short scenario
		 * can both complete within one poll, and the counters it reads
		 * outlive the peers. */
		watch_rebond(s);
		if (running == 0) {
			break;
		}
		now = scn_now_ns();
		if (poll_over(s, now, deadline, &fail_deadline)) {
			break;
		}
		if (s->user) {
			maybe_kill_user(s, now);
			zapp_release(s);
		} else {
			maybe_kill(s, s->p->total);
		}
		progress_show(s, &pr, now);
		wait_poll(s, ns);
	}
	for (int i = 0; i < 2 && s->user; i++) {
		pump(s, i, true);
	}
	if (pr.last_s > 0) {
		fputs("\r\033[K", stderr);
	}
}

/* The app areas as the report reads them: with the counters of the epochs
 * before a restart of both, and the echo apps' lines as the scenario's. */
static void snapshot(const struct sup *s, struct scn_area snap[2])
{
	memcpy(&snap[0], scn_area(s->seg, EMU_ROLE_HOST), sizeof(snap[0]));
	memcpy(&snap[1], scn_area(s->seg, EMU_ROLE_REMOTE), sizeof(snap[1]));
	cli_area_acc_add(&snap[0], &s->acc[0]);
	cli_area_acc_add(&snap[1], &s->acc[1]);
	for (int i = 0; i < 2 && s->o->zephyr_apps; i++) {
		snap[i].received = s->zc.echoed[i] + s->zc.streamed[i];
		snap[i].sent = s->zc.echoed[i] + s->zc.sent[i];
		snap[i].stream_received = s->zc.streamed[i];
		snap[i].corrupted = s->zc.corrupted[i];
		snap[i].duplicated = s->zc.duplicated[i];
		snap[i].lost = s->zc.lost[i];
	}
}

static void report_fill(struct sup *s, struct cli_report *rep, const struct scn_area snap[2])
{
	const struct cli_opts *o = s->o;

	memset(rep, 0, sizeof(*rep));
	rep->opts = o;
	rep->cfg = s->c;
	rep->area[0] = &snap[0];
	rep->area[1] = &snap[1];
	for (int i = 0; i < 2; i++) {
		rep->peer[i].exit_status = s->ch[i].exited ? s->ch[i].status : -1;
		rep->peer[i].valgrind_errors =
			o->valgrind ? valgrind_errors(s, (enum emu_role)i) : -1;
		if (o->valgrind && rep->peer[i].valgrind_errors == 0 && s->ch[i].status == 99) {
			rep->peer[i].valgrind_errors = 1; /* exit code says so, log says less */
		}
	}
	rep->crashes_injected = s->kills_done + s->crashes;
	rep->crash_points = s->crashes;
	rep->restarts = s->restarts;
	rep->cycles = s->cycles;
	rep->rebonds = s->rebonds;
	rep->overlapped = s->overlapped;
	rep->epochs = s->epochs;
	rep->stalled = s->stalled;
	rep->stall_s = s->stall_s;
	rep->user_programs = s->user;
	rep->kills_planned = o->kill_random;
	rep->hang = s->hang;
	rep->interrupted = got_signal;
	rep->duration_s = (double)(scn_now_ns() - s->t0) / 1e9;
	rep->doorbell = s->p->doorbell_name;
	rep->leaked_shm = cli_count_shm(s->seg_name);
	rep->leaked_processes = (unsigned)((s->ch[0].pid > 0) + (s->ch[1].pid > 0));
	s->res.cases = s->cases;
	s->res.n_cases = s->n_cases;
	cli_report_set_user(s->user ? &s->res : NULL);
	cli_report_set_zapps(o->zephyr_apps ? &s->zc : NULL);
}

/* Valgrind logs with errors are kept for the user: renamed out of the
 * pattern that `ipc-emu clean` removes once this process is gone. */
static void keep_valgrind_logs(struct sup *s, const struct cli_report *rep)
{
	char kept[128];
	const char *tail;

	if (!s->o->valgrind ||
	    (rep->peer[0].valgrind_errors <= 0 && rep->peer[1].valgrind_errors <= 0)) {
		return;
	}
	tail = s->vgdir + strlen("/tmp/ipc-emu-vg-");
	snprintf(kept, sizeof(kept), "/tmp/ipc-emu-vglogs-%.80s", tail);
	fprintf(stderr, "ipc-emu: valgrind logs kept in %s\n",
		rename(s->vgdir, kept) == 0 ? kept : s->vgdir);
	s->vgdir[0] = '\0';
}

/* --sanitize: one line per program with a report; the logs are kept, out
 * of the pattern `ipc-emu clean` removes.  True if any program had one. */
static bool sanitizer_verdict(struct sup *s)
{
	static char what[2][1024], file[2][256];
	bool found[2], early[2] = {false, false}, any = false;
	char kept[128];

	for (int i = 0; i < 2; i++) {
		found[i] = sanitizer_report(s, (enum emu_role)i, what[i], sizeof(what[i]), file[i],
					    sizeof(file[i]));
		if (!found[i] && s->ch[i].exited && s->ch[i].status != 0 &&
		    sanitizer_first_error(s, (enum emu_role)i, what[i], sizeof(what[i]))) {
			/* No report, but the program failed: its first error
			 * line (a runtime that did not start, ...). */
			snprintf(file[i], sizeof(file[i]), "%s.stderr",
				 scn_role_name((enum emu_role)i));
			found[i] = early[i] = true;
		}
		any |= found[i];
	}
	if (!any) {
		return false;
	}
	snprintf(kept, sizeof(kept), "/tmp/ipc-emu-sanlogs-%.80s",
		 s->sandir + strlen("/tmp/ipc-emu-san-"));
	if (rename(s->sandir, kept) == 0) {
		snprintf(s->sandir, sizeof(s->sandir), "%s", kept);
	}
	for (int i = 0; i < 2; i++) {
		if (found[i] && early[i]) {
			fprintf(stderr, "ipc-emu: %s program: exited with status %d: %s (%s/%s)\n",
				scn_role_name((enum emu_role)i), s->ch[i].status, what[i], s->sandir,
				file[i]);
		} else if (found[i]) {
			fprintf(stderr, "ipc-emu: %s program: sanitizer report: %s (%s/%s)\n",
				scn_role_name((enum emu_role)i), what[i], s->sandir, file[i]);
		}
	}
	s->sandir[0] = '\0'; /* kept: not removed by run_dirs_remove */
	return true;
}

/* The report of a finished run, its files and its exit status. */
static int verdict(struct sup *s, struct cli_run_summary *sum)
{
	const struct cli_opts *o = s->o;
	struct cli_report rep;
	struct scn_area snap[2];
	int status;

	/* Peer-side configuration errors are configuration errors of the run. */
	for (int i = 0; i < 2; i++) {
		if (s->ch[i].exited && s->ch[i].status == EXIT_USAGE && !got_signal && !s->hang) {
			return EXIT_USAGE;
		}
	}
	if (s->hang && !got_signal && !o->quiet) {
		hang_rings(s); /* --quiet: the failure line alone */
	}
	if (s->trace_dir[0] != '\0' && trace_finish(s) < 0) {
		s->trace_failed = true;
	}
	snapshot(s, snap);
	report_fill(s, &rep, snap);
	cli_report_eval(&rep);
	if (!o->quiet) {
		cli_report_print(&rep, stdout);
	} else if (!rep.ok && sum == NULL) {
		/* --quiet: silent when it passes, never when it fails (stress
		 * sessions, sum != NULL, report through stress). */
		fprintf(stderr, "ipc-emu run: FAIL: %s\n", rep.reason);
	}
	keep_valgrind_logs(s, &rep);
	status = rep.ok ? EXIT_PASS : EXIT_INVARIANT;
	if (s->sandir[0] != '\0') {
		sanitizer_replay(s);
		if (sanitizer_verdict(s)) {
			status = EXIT_INVARIANT;
		}
	}
	if (o->json != NULL && cli_report_json(&rep, o->json) < 0) {
		status = EXIT_INVARIANT;
	}
	if (o->junit != NULL && cli_report_junit_run(&rep, o->junit) < 0) {
		status = EXIT_INVARIANT;
	}
	if (s->cases_dropped) {
		cli_err("more than %u ztest results: the rest are not in the report",
			MAX_ZTEST_CASES);
	}
	if (s->trace_failed) {
		status = EXIT_INVARIANT;
	}
	if (sum != NULL) {
		cli_report_summary(&rep, sum);
	}
	if (got_signal) {
		cli_err("interrupted by signal %d: peers killed", (int)got_signal);
		status = 128 + got_signal;
	}
	return status;
}

/* The segment exists: start, supervise, judge. */
static int run_segment(struct sup *s, struct cli_run_summary *sum)
{
	int status;

	if (s->o->kill_random > 0 && !s->user) {
		cli_prepare_areas(s->seg, s->o->messages, s->c->endpoints);
	}
	if (s->user && (status = user_pipes_open(s)) != 0) {
		return status;
	}
	status = start(s);
	if (status != 0) {
		return status;
	}
	supervise(s, sum != NULL);
	return verdict(s, sum);
}

/* As check: the reader's warnings (a mirrored remote repeats the host's). */
static void plan_warnings(const struct cli_config *cfg, int n_dts)
{
	print_warnings(&cfg->host);
	if (n_dts == 2) {
		print_warnings(&cfg->remote);
	}
}

static int run_plan(const struct cli_run_plan *p, struct cli_run_summary *sum)
{
	static struct sup s;
	int status;

	sup_init(&s, p);
	status = run_dirs_create(&s);
	if (status == 0) {
		status = segment_open(&s);
		if (status == 0) {
			status = run_segment(&s, sum);
			run_close(&s);
		}
	}
	run_dirs_remove(&s);
	return status;
}

int cli_run_ex(const struct cli_opts *o, struct cli_run_summary *sum)
{
	static struct cli_run_plan plan; /* large (paths); the run points into it */
	char err[512];
	int status = cli_run_plan_make(o, &plan, err, sizeof(err));

	plan_warnings(&plan.cfg, o->n_dts);
	if (status != 0) {
		cli_err("%s", err);
		return status;
	}
	return run_plan(&plan, sum);
}

/* --zephyr-base and friends: build (or find in the cache) the echo client
 * (host) and echo server (remote) of emu/zephyr_apps, each against its
 * role's tree or ipc-emu's core, and run them as user programs.  The plan
 * (run_plan.c) is made first: only the build and the run are left. */
int cli_run_zephyr(const struct cli_opts *o, struct cli_run_summary *sum)
{
	static const char *const apps[2] = {"echo_client", "echo_server"};
	static struct cli_zephyr_plan z; /* large (paths); the run points into it */
	char msgs[32], err[512];
	int status = cli_run_plan_zephyr(o, &z, err, sizeof(err));

	if (status != 0) {
		plan_warnings(&z.run.cfg, o->n_dts);
		cli_err("%s", err);
		return status;
	}
	if (o->zephyr_base_env && !o->quiet) {
		printf("ipc-emu run: ZEPHYR_BASE=%s (environment): Zephyr's IPC sources on both "
		       "cores; --no-zephyr-base runs ipc-emu's core\n", o->zephyr_base[EMU_ROLE_HOST]);
	}
	for (int role = 0; role < 2; role++) {
		struct zb_req r = {
			.zephyr_base = o->zephyr_base[role],
			.core = role == EMU_ROLE_HOST ? "host" : "remote",
			.dts = o->n_dts > 0 ? z.dts : NULL,
			.app = apps[role],
			.quiet = o->quiet,
			.sanitize = o->sanitize,
			.instance = z.instance[role],
			.instance_icbmsg = z.instance_icbmsg[role],
		};
		int rc;

		/* --kconfig, --host-kconfig, --remote-kconfig (cli_parse keeps
		 * at most CLI_MAX_KCONFIG == ZB_MAX_KCONFIG per core). */
		for (int i = 0; i < o->n_kconfig[role] && i < ZB_MAX_KCONFIG; i++) {
			r.kconfig[r.n_kconfig++] = o->kconfig[role][i];
		}
		rc = cli_zephyr_build(&r, z.progs[role], sizeof(z.progs[role]));
		if (rc != 0) {
			return rc;
		}
		if (o->valgrind && cli_zephyr_needs_qemu(z.progs[role])) {
			cli_err("run: --valgrind cannot run the %s core's 32-bit (-m32) program here: "
				"this kernel runs no 32-bit programs, so it runs under qemu-i386, "
				"which valgrind cannot run", r.core);
			return EXIT_USAGE;
		}
	}
	snprintf(msgs, sizeof(msgs), "%" PRIu64, o->messages);
	setenv("IPC_EMU_MESSAGES", msgs, 1);
	/* --endpoints K and --nocopy (ICBMsg): the apps read them here. */
	snprintf(msgs, sizeof(msgs), "%u", o->endpoints > 1 ? o->endpoints : 1u);
	setenv("IPC_EMU_ENDPOINTS", msgs, 1);
	setenv("IPC_EMU_NOCOPY", o->nocopy ? "1" : "0", 1);
	/* --scenario exhaustion (ICBMsg): the apps hold every stream buffer
	 * until the sender has run out (echo_common.h). */
	setenv("IPC_EMU_EXHAUSTION", o->scenario == SCN_EXHAUSTION ? "1" : "0", 1);
	/* The apps hold their finish until the last kill (the run sends
	 * SIGUSR1 then: zapp_release()). */
	if (o->kill_random > 0) {
		setenv("IPC_EMU_FINISH_HOLD", "1", 1);
	} else {
		unsetenv("IPC_EMU_FINISH_HOLD");
	}
	plan_warnings(&z.run.cfg, o->n_dts);
	return run_plan(&z.run, sum);
}
