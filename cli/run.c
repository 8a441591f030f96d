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
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define POLL_NS 1000000L          /* supervision period */
#define FAIL_GRACE_S 2.0          /* after one peer failed, time left to the other */
#define MAX_ARGS 64

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
	char *argv[MAX_ARGS];
	int argc;
};

struct sup {
	const struct cli_opts *o;
	const struct cli_config *c;
	char self[PATH_MAX];
	char valgrind[PATH_MAX];
	char vgdir[64];
	struct emu_segment *seg;
	struct emu_segment_fds fds;
	char fds_arg[64];
	char messages_arg[32], rxbuf_arg[32], seed_arg[32], endpoints_arg[16], dts_arg[8200];
	char vglog_arg[2][128];
	struct child ch[2];
	uint64_t rng;
	unsigned kills_done, restarts;
	double kill_at[1000];
	uint64_t bonds_at_kill[2];
};

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool find_in_path(const char *prog, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	char buf[4096];
	char *save = NULL;

	if (path == NULL || strlen(path) >= sizeof(buf)) {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (snprintf(out, outlen, "%s/%s", *dir ? dir : ".", prog) < (int)outlen &&
		    access(out, X_OK) == 0) {
			return true;
		}
	}
	return false;
}

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
		a[n++] = s->valgrind;
		a[n++] = "-q";
		a[n++] = "--error-exitcode=99";
		a[n++] = "--leak-check=full";
		a[n++] = "--errors-for-leak-kinds=definite,indirect";
		a[n++] = "--track-origins=yes";
		a[n++] = "--fair-sched=yes";
		a[n++] = s->vglog_arg[c->role];
	}
	a[n++] = s->self;
	a[n++] = "peer";
	a[n++] = "--role";
	a[n++] = (char *)scn_role_name(c->role);
	a[n++] = "--fds";
	a[n++] = s->fds_arg;
	if (o->n_dts > 0) {
		a[n++] = "--dts";
		a[n++] = s->dts_arg;
	}
	a[n++] = "--backend";
	a[n++] = (char *)cli_backend_name(o->backend);
	if (o->instance != NULL) {
		a[n++] = "--instance";
		a[n++] = (char *)o->instance;
	}
	if (o->unbound != 0) {
		a[n++] = "--unbound";
		a[n++] = (char *)cli_unbound_name(o->unbound);
	}
	a[n++] = "--messages";
	a[n++] = s->messages_arg;
	a[n++] = "--endpoints";
	a[n++] = s->endpoints_arg;
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
	a[n++] = "--rx-buf-size";
	a[n++] = s->rxbuf_arg;
	a[n++] = "--seed";
	a[n++] = s->seed_arg;
	if (o->rx_in_isr) {
		a[n++] = "--rx-in-isr";
	}
	a[n++] = "--timeout";
	a[n++] = "0";
	a[n++] = "--quiet";
	a[n] = NULL;
	c->argc = n;
}

static int spawn(struct sup *s, struct child *c)
{
	pid_t sup_pid = getpid();
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		return -errno;
	}
	if (pid == 0) {
		/* Die with the supervisor; if it is already gone, do not start. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != sup_pid) {
			_exit(127);
		}
		execv(c->argv[0], c->argv);
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
	return 0;
}

static int decode_status(int st)
{
	if (WIFEXITED(st)) {
		return WEXITSTATUS(st);
	}
	if (WIFSIGNALED(st)) {
		return 128 + WTERMSIG(st);
	}
	return 255;
}

/* Reap whatever exited.  Returns the number of children still running. */
static int reap(struct sup *s)
{
	int running = 0;

	for (int i = 0; i < 2; i++) {
		struct child *c = &s->ch[i];
		int st;

		if (c->pid > 0) {
			pid_t r = waitpid(c->pid, &st, WNOHANG);

			if (r == c->pid) {
				c->status = decode_status(st);
				c->exited = true;
				c->pid = 0;
			}
		}
		running += c->pid > 0;
	}
	return running;
}

static void kill_all(struct sup *s)
{
	for (int i = 0; i < 2; i++) {
		struct child *c = &s->ch[i];
		int st;

		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			if (waitpid(c->pid, &st, 0) == c->pid) {
				c->status = decode_status(st);
				c->exited = true;
				c->pid = 0;
			}
		}
	}
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
	int st;

	if (s->kills_done >= s->o->kill_random || s->ch[0].pid <= 0 || s->ch[1].pid <= 0) {
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (scn_get(&a[i]->bonds) <= s->bonds_at_kill[i] || scn_get(&a[i]->done_sent) ||
		    scn_get(&a[i]->finished)) {
			return;
		}
	}
	progress = (double)(scn_get(&a[0]->sent) + scn_get(&a[1]->sent)) / (double)total;
	if (progress < s->kill_at[s->kills_done]) {
		return;
	}
	if (getenv("IPC_EMU_DEBUG_KILLS") != NULL) {
		fprintf(stderr, "ipc-emu: kill %u: progress %.3f (planned %.3f)\n", s->kills_done,
			progress, s->kill_at[s->kills_done]);
	}
	victim = (int)(rng_next(&s->rng) & 1u);
	c = &s->ch[victim];
	kill(c->pid, SIGKILL);
	if (waitpid(c->pid, &st, 0) != c->pid) {
		return;
	}
	c->pid = 0;
	if (WIFEXITED(st)) {
		/* It finished on its own just before: nothing was injected. */
		c->status = WEXITSTATUS(st);
		c->exited = true;
		return;
	}
	s->kills_done++;
	for (int i = 0; i < 2; i++) {
		s->bonds_at_kill[i] = scn_get(&a[i]->bonds);
	}
	if (spawn(s, c) == 0) {
		s->restarts++;
	} else {
		c->status = 128 + SIGKILL;
		c->exited = true;
	}
}

/* Errors in one valgrind log: "ERROR SUMMARY: N errors" when present; with
 * -q valgrind prints no summary, so otherwise count the error records (a
 * record starts with an unindented line after a blank "==pid== " line). */
static int log_errors(FILE *f)
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
			total += log_errors(f);
			fclose(f);
		}
	}
	closedir(d);
	return total;
}

static void remove_vgdir(const struct sup *s)
{
	DIR *d = opendir(s->vgdir);
	struct dirent *e;
	char path[PATH_MAX];

	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", s->vgdir, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
	rmdir(s->vgdir);
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

int cli_run(const struct cli_opts *o)
{
	static struct cli_config c;
	static struct sup s;
	struct emu_segment_cfg segcfg;
	struct sigaction sa;
	char err[512];
	char seg_name[128];
	int rc, status;
	uint64_t total, t0, deadline, fail_deadline = 0;
	double last_progress = 0;
	bool hang = false, show_progress;
	struct cli_report rep;
	struct scn_area snap[2];
	ssize_t n;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.c = &c;
	rc = cli_load_config(o, &c, err, sizeof(err));
	if (rc < 0) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	if (o->valgrind && !find_in_path("valgrind", s.valgrind, sizeof(s.valgrind))) {
		cli_err("--valgrind: valgrind is not installed (skipped)");
		return EXIT_SKIP;
	}
	/* Exec a resolved path: exec'ing /proc/self/exe fails under valgrind. */
	n = readlink("/proc/self/exe", s.self, sizeof(s.self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(s.self) - 1) {
		cli_err("cannot resolve /proc/self/exe: %s", strerror(errno));
		return EXIT_INVARIANT;
	}
	s.self[n] = '\0';
	if (o->valgrind) {
		snprintf(s.vgdir, sizeof(s.vgdir), "/tmp/ipc-emu-vg-XXXXXX");
		if (mkdtemp(s.vgdir) == NULL) {
			cli_err("cannot create a directory for valgrind logs: %s", strerror(errno));
			return EXIT_INVARIANT;
		}
		snprintf(s.vglog_arg[0], sizeof(s.vglog_arg[0]), "--log-file=%s/vg-host-%%p.log",
			 s.vgdir);
		snprintf(s.vglog_arg[1], sizeof(s.vglog_arg[1]), "--log-file=%s/vg-remote-%%p.log",
			 s.vgdir);
	}

	segcfg = (struct emu_segment_cfg){
		.name = NULL,
		.mem_base = c.host.base,
		.mem_size = (uint32_t)c.host.size,
		.doorbell = o->doorbell,
	};
	rc = emu_segment_create(&segcfg, &s.seg);
	if (rc < 0) {
		cli_err("cannot create the shared-memory segment: %s", strerror(-rc));
		status = rc == -EINVAL ? EXIT_USAGE : EXIT_INVARIANT;
		goto out_vg;
	}
	snprintf(seg_name, sizeof(seg_name), "%s", emu_segment_name(s.seg));
	/* From here on nothing in /dev/shm can outlive us. */
	rc = emu_segment_unlink(s.seg);
	if (rc < 0) {
		cli_err("cannot unlink segment %s: %s", seg_name, strerror(-rc));
	}
	emu_segment_get_fds(s.seg, &s.fds);
	{
		int fdv[4] = {s.fds.mem, s.fds.ctl, s.fds.efd[0], s.fds.efd[1]};

		for (int i = 0; i < 4; i++) {
			if (fdv[i] >= 0) {
				int fl = fcntl(fdv[i], F_GETFD);

				if (fl >= 0) {
					(void)fcntl(fdv[i], F_SETFD, fl & ~FD_CLOEXEC);
				}
			}
		}
		snprintf(s.fds_arg, sizeof(s.fds_arg), "%d,%d,%d,%d", fdv[0], fdv[1], fdv[2],
			 fdv[3]);
	}
	snprintf(s.messages_arg, sizeof(s.messages_arg), "%" PRIu64, o->messages);
	snprintf(s.endpoints_arg, sizeof(s.endpoints_arg), "%u", c.endpoints);
	snprintf(s.rxbuf_arg, sizeof(s.rxbuf_arg), "%u", o->rx_buf_size);
	snprintf(s.seed_arg, sizeof(s.seed_arg), "%" PRIu64, o->seed);
	if (o->n_dts == 1) {
		snprintf(s.dts_arg, sizeof(s.dts_arg), "%s", o->dts[0]);
	} else if (o->n_dts == 2) {
		snprintf(s.dts_arg, sizeof(s.dts_arg), "%s,%s", o->dts[0], o->dts[1]);
	}

	/* Kill moments: progress fractions, spread over the run. */
	s.rng = o->seed ^ 0x6B696C6C72616E64ull;
	/* Progress counts messages: the echo phase (first half) is most of the
	 * run's time, the stream phase goes fast.  All kills but the last land in
	 * the echo phase, the last early in the stream phase, so that every kill
	 * can wait for the re-bond of the previous one before the run ends. */
	for (unsigned i = 0; i < o->kill_random; i++) {
		bool last = i + 1 == o->kill_random;

		s.kill_at[i] = last && i > 0 ? 0.51 + 0.1 * rng_unit(&s.rng)
			     : last	     ? 0.02 + 0.7 * rng_unit(&s.rng)
					     : 0.02 + 0.46 * rng_unit(&s.rng);
	}
	qsort(s.kill_at, o->kill_random, sizeof(s.kill_at[0]), cmp_double);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	t0 = scn_now_ns();
	deadline = o->timeout_s > 0 ? t0 + (uint64_t)(o->timeout_s * 1e9) : 0;
	total = (2 * o->messages + 2) * c.endpoints;
	show_progress = !o->quiet && isatty(STDERR_FILENO);
	for (int i = 0; i < 2; i++) {
		s.ch[i].role = (enum emu_role)i;
		s.ch[i].status = -1;
		build_argv(&s, &s.ch[i]);
	}
	for (int i = 0; i < 2; i++) {
		if (spawn(&s, &s.ch[i]) < 0) {
			cli_err("cannot start the %s peer: %s", scn_role_name((enum emu_role)i),
				strerror(errno));
			kill_all(&s);
			status = EXIT_INVARIANT;
			goto out_seg;
		}
	}

	for (;;) {
		/* Poll faster while kills are due: the stream phase is short. */
		struct timespec ts = {0, s.kills_done < o->kill_random ? POLL_NS / 4 : POLL_NS};
		int running = reap(&s);
		uint64_t now;

		if (running == 0) {
			break;
		}
		if (got_signal) {
			kill_all(&s);
			break;
		}
		now = scn_now_ns();
		if (deadline != 0 && now > deadline) {
			hang = true;
			kill_all(&s);
			break;
		}
		/* A failed peer leaves its partner waiting forever: cut it short. */
		for (int i = 0; i < 2; i++) {
			if (s.ch[i].exited && s.ch[i].status != 0 && fail_deadline == 0) {
				fail_deadline = now + (uint64_t)(FAIL_GRACE_S * 1e9 *
								 (o->valgrind ? CLI_VALGRIND_SCALE : 1));
			}
		}
		if (fail_deadline != 0 && now > fail_deadline) {
			kill_all(&s);
			break;
		}
		maybe_kill(&s, total);
		if (show_progress) {
			double el = (double)(now - t0) / 1e9;

			if (el > 2.0 && el - last_progress >= 0.5) {
				progress_line(&s, total, el);
				last_progress = el;
			}
		}
		nanosleep(&ts, NULL);
	}
	if (last_progress > 0) {
		fputs("\r\033[K", stderr);
	}

	/* Peer-side configuration errors are configuration errors of the run. */
	for (int i = 0; i < 2; i++) {
		if (s.ch[i].exited && s.ch[i].status == EXIT_USAGE && !got_signal && !hang) {
			status = EXIT_USAGE;
			goto out_seg;
		}
	}

	memset(&rep, 0, sizeof(rep));
	memcpy(&snap[0], scn_area(s.seg, EMU_ROLE_HOST), sizeof(snap[0]));
	memcpy(&snap[1], scn_area(s.seg, EMU_ROLE_REMOTE), sizeof(snap[1]));
	rep.opts = o;
	rep.cfg = &c;
	rep.area[0] = &snap[0];
	rep.area[1] = &snap[1];
	for (int i = 0; i < 2; i++) {
		rep.peer[i].exit_status = s.ch[i].exited ? s.ch[i].status : -1;
		rep.peer[i].valgrind_errors =
			o->valgrind ? valgrind_errors(&s, (enum emu_role)i) : -1;
		if (o->valgrind && rep.peer[i].valgrind_errors == 0 && s.ch[i].status == 99) {
			rep.peer[i].valgrind_errors = 1; /* exit code says so, log says less */
		}
	}
	rep.crashes_injected = s.kills_done;
	rep.restarts = s.restarts;
	rep.kills_planned = o->kill_random;
	rep.hang = hang;
	rep.interrupted = got_signal;
	rep.duration_s = (double)(scn_now_ns() - t0) / 1e9;
	rep.doorbell = cli_doorbell_name(o->doorbell);
	rep.leaked_shm = cli_count_shm(seg_name);
	rep.leaked_processes = (unsigned)((s.ch[0].pid > 0) + (s.ch[1].pid > 0));
	cli_report_eval(&rep);
	if (!o->quiet) {
		cli_report_print(&rep, stdout);
	}
	if (o->valgrind) {
		if (rep.peer[0].valgrind_errors > 0 || rep.peer[1].valgrind_errors > 0) {
			fprintf(stderr, "ipc-emu: valgrind logs kept in %s\n", s.vgdir);
			s.vgdir[0] = '\0';
		}
	}
	status = rep.ok ? EXIT_PASS : EXIT_INVARIANT;
	if (o->json != NULL && cli_report_json(&rep, o->json) < 0) {
		status = EXIT_INVARIANT;
	}
	if (got_signal) {
		cli_err("interrupted by signal %d: peers killed", (int)got_signal);
		status = 128 + got_signal;
	}
out_seg:
	emu_segment_close(s.seg);
out_vg:
	if (o->valgrind && s.vgdir[0] != '\0') {
		remove_vgdir(&s);
	}
	return status;
}
