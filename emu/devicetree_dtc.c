/*
 * devicetree_dtc.c - running dtc: Zephyr devicetree source -> blob.
 *
 * The DTS is compiled by dtc running as a child process: no shell, no
 * temporary file.  Text given as a string goes to dtc's stdin; a file is
 * opened by dtc itself so that /include/ and relative paths resolve as they
 * do in a Zephyr build.  The blob comes back on dtc's stdout and the
 * diagnostics on its stderr; the three pipes are pumped with poll() so that
 * no side can block the other.
 *
 *     DTS ---stdin---> +---------------------------------+ --stdout--> DTB --libfdt--> plan
 *  (or a path in argv) | dtc -q -@ -I dts -O dtb -o - IN | --stderr--> first error line
 *                      +---------------------------------+
 *
 * The blob is read by devicetree.c (with libfdt).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devicetree_internal.h"

#ifndef IPC_EMU_DTC
#define IPC_EMU_DTC "dtc"
#endif

enum {
	DTB_MAX = 16 * 1024 * 1024,  /* refuse larger dtc output */
	DTC_TIMEOUT_MS = 60 * 1000,  /* dtc is killed after this long */
	IO_CHUNK = 64 * 1024,
	STDERR_KEEP = 512,           /* bytes of dtc's stderr we keep */
};

struct pump {
	int in_fd, out_fd, err_fd;
	const char *in;
	size_t in_len, in_off;
	char *out;
	size_t out_len, out_cap;
	char errtxt[STDERR_KEEP];
	size_t err_len;
	bool epipe;
};

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		/* On Linux the descriptor is released even when close() reports
		 * EINTR, so it is never retried. */
		close(*fd);
		*fd = -1;
	}
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Between fork() and exec only async-signal-safe calls: the caller may have
 * other threads holding locks. */
static _Noreturn void dtc_child(int in_fd, int out_fd, int err_fd, int exec_fd, char *argv[],
				pid_t parent)
{
	int fds[3] = { in_fd, out_fd, err_fd };
	struct sigaction dfl;
	sigset_t none;
	ssize_t w;
	int e;

	/* dtc gets a clean signal state, whatever the calling thread uses. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	/* dtc ends with its caller (a peer that `run` SIGKILLs must leave no
	 * process behind); a caller already gone: do not start. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0 && getppid() != parent)
		_exit(127);

	/* Lift the three ends above 2 first, so that no dup2() below can
	 * overwrite an end that is still to be moved (the caller may have
	 * closed its own stdin/stdout/stderr, so a pipe can sit on 0..2). */
	for (int i = 0; i < 3; i++) {
		fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (fds[i] < 0)
			goto fail;
	}
	for (int i = 0; i < 3; i++) {
		if (dup2(fds[i], i) < 0) /* dup2 clears FD_CLOEXEC on the copy */
			goto fail;
	}
	execv(IPC_EMU_DTC, argv);
	execvp("dtc", argv);
fail:
	e = errno;
	w = write(exec_fd, &e, sizeof e); /* the parent reads why exec failed */
	(void)w;
	_exit(127);
}

/* Feed dtc's stdin: returns 0 or -errno. */
static int pump_in(struct pump *p)
{
	size_t n = p->in_len - p->in_off;
	ssize_t w;

	if (n > IO_CHUNK)
		n = IO_CHUNK;
	w = write(p->in_fd, p->in + p->in_off, n);
	if (w < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == EPIPE) {
			/* dtc stopped reading (it failed early); its stderr
			 * says why. */
			p->epipe = true;
			close_fd(&p->in_fd);
			return 0;
		}
		return -errno;
	}
	p->in_off += (size_t)w;
	if (p->in_off == p->in_len)
		close_fd(&p->in_fd); /* EOF for dtc */
	return 0;
}

static int pump_out(struct pump *p)
{
	ssize_t r;

	if (p->out_len == p->out_cap) {
		size_t cap = p->out_cap ? p->out_cap * 2 : IO_CHUNK;
		char *nb;

		if (p->out_cap >= DTB_MAX)
			return -EFBIG;
		if (cap > DTB_MAX)
			cap = DTB_MAX;
		nb = realloc(p->out, cap);
		if (!nb)
			return -ENOMEM;
		p->out = nb;
		p->out_cap = cap;
	}
	r = read(p->out_fd, p->out + p->out_len, p->out_cap - p->out_len);
	if (r < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	if (r == 0)
		close_fd(&p->out_fd);
	p->out_len += (size_t)r;
	return 0;
}

static int pump_err(struct pump *p)
{
	char buf[4096];
	ssize_t r = read(p->err_fd, buf, sizeof buf);
	size_t keep;

	if (r < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	if (r == 0) {
		close_fd(&p->err_fd);
		return 0;
	}
	keep = sizeof p->errtxt - 1 - p->err_len; /* the rest is dropped */
	if (keep > (size_t)r)
		keep = (size_t)r;
	memcpy(p->errtxt + p->err_len, buf, keep);
	p->err_len += keep;
	p->errtxt[p->err_len] = '\0';
	return 0;
}

/* Move bytes until dtc has closed stdout and stderr.  0, -ETIMEDOUT, -EFBIG
 * or -errno. */
static int pump_run(struct pump *p)
{
	int64_t deadline = now_ms() + DTC_TIMEOUT_MS;
	int rc;

	while (p->out_fd >= 0 || p->err_fd >= 0) {
		struct pollfd pf[3];
		int iw = -1, io = -1, ie = -1;
		nfds_t n = 0;
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		if (p->in_fd >= 0) {
			pf[n] = (struct pollfd){ .fd = p->in_fd, .events = POLLOUT };
			iw = (int)n++;
		}
		if (p->out_fd >= 0) {
			pf[n] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
			io = (int)n++;
		}
		if (p->err_fd >= 0) {
			pf[n] = (struct pollfd){ .fd = p->err_fd, .events = POLLIN };
			ie = (int)n++;
		}
		r = poll(pf, n, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* POLLERR/POLLHUP also end up in write()/read(), which then
		 * report EPIPE or EOF. */
		if (iw >= 0 && pf[iw].revents) {
			rc = pump_in(p);
			if (rc < 0)
				return rc;
		}
		if (io >= 0 && pf[io].revents) {
			rc = pump_out(p);
			if (rc < 0)
				return rc;
		}
		if (ie >= 0 && pf[ie].revents) {
			rc = pump_err(p);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* First non-blank line of dtc's stderr, with "<stdin>" replaced by the
 * source name. */
static void dtc_first_line(const char *txt, const char *src, char *buf, size_t len)
{
	const char *end, *stdin_at;

	while (*txt == '\n' || *txt == '\r' || *txt == ' ')
		txt++;
	end = strchr(txt, '\n');
	if (!end)
		end = txt + strlen(txt);
	stdin_at = strstr(txt, "<stdin>");
	if (stdin_at && stdin_at < end) {
		snprintf(buf, len, "%.*s%s%.*s", (int)(stdin_at - txt), txt, src,
			 (int)(end - (stdin_at + 7)), stdin_at + 7);
	} else {
		snprintf(buf, len, "%.*s", (int)(end - txt), txt);
	}
}

/*
 * Run dtc on a file (`path`) or on text (`dts`).  On success *dtb is a
 * malloc'ed blob of *dtb_len bytes.  -ENOEXEC when dtc cannot be run or
 * fails (err has its first error line), other -errno for local failures.
 */
int dt_run_dtc(const char *path, const char *dts, size_t dts_len, const char *src,
		   char **dtb, size_t *dtb_len, char *err, size_t errlen)
{
	int in[2] = { -1, -1 }, op[2] = { -1, -1 }, ep[2] = { -1, -1 }, xp[2] = { -1, -1 };
	char *argv[] = { "dtc", "-q", "-@", "-I", "dts", "-O", "dtb", "-o", "-", NULL, NULL };
	struct pump p = { .in_fd = -1, .out_fd = -1, .err_fd = -1, .in = dts, .in_len = dts_len };
	sigset_t pipeset, oldmask, pending;
	bool pipe_was_pending;
	char *dashed = NULL;
	char line[STDERR_KEEP];
	int exec_errno = 0;
	int status = 0;
	bool reaped;
	pid_t pid, parent;
	int rc;

	*dtb = NULL;
	*dtb_len = 0;
	if (path && path[0] == '-') {
		/* keep dtc from reading a file name as an option */
		size_t n = strlen(path) + 3;

		dashed = malloc(n);
		if (!dashed) {
			dt_set_err(err, errlen, "%s: out of memory", src);
			return -ENOMEM;
		}
		snprintf(dashed, n, "./%s", path);
	}
	argv[9] = path ? (dashed ? dashed : (char *)path) : "-";

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(op, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0 ||
	    pipe2(xp, O_CLOEXEC) < 0) {
		rc = -errno;
		dt_set_err(err, errlen, "%s: cannot create pipes for dtc: %s", src, strerror(-rc));
		goto close_pipes;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		dt_set_err(err, errlen, "%s: cannot start dtc: %s", src, strerror(-rc));
		goto close_pipes;
	}
	if (pid == 0)
		dtc_child(in[0], op[1], ep[1], xp[1], argv, parent);

	close_fd(&in[0]);
	close_fd(&op[1]);
	close_fd(&ep[1]);
	close_fd(&xp[1]);
	if (!dts)
		close_fd(&in[1]); /* dtc reads the file itself: stdin is at EOF */

	/* A write to a dtc that has already exited must give EPIPE, not kill
	 * the caller: SIGPIPE is blocked in this thread while we write, and a
	 * SIGPIPE we cause is taken back before the mask is restored. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	pipe_was_pending = sigismember(&pending, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &pipeset, &oldmask);

	p.in_fd = in[1];
	p.out_fd = op[0];
	p.err_fd = ep[0];
	in[1] = op[0] = ep[0] = -1;
	rc = 0;
	if (p.in_fd >= 0)
		rc = set_nonblock(p.in_fd);
	if (rc == 0)
		rc = set_nonblock(p.out_fd);
	if (rc == 0)
		rc = set_nonblock(p.err_fd);
	if (rc == 0)
		rc = pump_run(&p);
	close_fd(&p.in_fd);
	close_fd(&p.out_fd);
	close_fd(&p.err_fd);
	if (rc < 0)
		kill(pid, SIGKILL);

	/* Always reap, whatever happened: no zombie is left behind. */
	reaped = true;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			reaped = false; /* ECHILD: SIGCHLD is ignored, status unknown */
			break;
		}
	}
	/* dtc's exec end is closed by now (exec or exit): this cannot block */
	if (read(xp[0], &exec_errno, sizeof exec_errno) != (ssize_t)sizeof exec_errno)
		exec_errno = 0;

	if (p.epipe && !pipe_was_pending) {
		const struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipeset, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);

	if (exec_errno) {
		dt_set_err(err, errlen, "%s: cannot run dtc (%s, or dtc on PATH): %s", src, IPC_EMU_DTC,
			strerror(exec_errno));
		rc = -ENOEXEC;
	} else if (rc == -ETIMEDOUT) {
		dt_set_err(err, errlen, "%s: dtc: no result after %d s (killed)", src,
			DTC_TIMEOUT_MS / 1000);
		rc = -ENOEXEC;
	} else if (rc == -EFBIG) {
		dt_set_err(err, errlen, "%s: dtc: output larger than %d bytes", src, DTB_MAX);
		rc = -ENOEXEC;
	} else if (rc < 0) {
		dt_set_err(err, errlen, "%s: talking to dtc: %s", src, strerror(-rc));
	} else if (reaped && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		dtc_first_line(p.errtxt, src, line, sizeof line);
		if (line[0])
			dt_set_err(err, errlen, "%s: dtc: %s", src, line);
		else if (WIFEXITED(status))
			dt_set_err(err, errlen, "%s: dtc exited with status %d", src,
				WEXITSTATUS(status));
		else
			dt_set_err(err, errlen, "%s: dtc killed by signal %d", src,
				WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		rc = -ENOEXEC;
	} else if (p.out_len == 0) {
		dt_set_err(err, errlen, "%s: dtc produced no output", src);
		rc = -ENOEXEC;
	}
	if (rc == 0) {
		*dtb = p.out;
		*dtb_len = p.out_len;
		p.out = NULL;
	}
	free(p.out);
close_pipes:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&op[0]);
	close_fd(&op[1]);
	close_fd(&ep[0]);
	close_fd(&ep[1]);
	close_fd(&xp[0]);
	close_fd(&xp[1]);
	free(dashed);
	return rc;
}
