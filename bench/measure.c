/*
 * measure.c - how every figure of `ipc-emu bench` is measured (measure.h):
 * two forked children sharing a struct bench_shm, the futex flags they
 * meet on, the parent's supervision of them, and the reduction of what
 * they wrote into a struct bench_result.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define CHILD_FAIL_GRACE_S 2.0
#define SUPERVISE_POLL_NS 10000000L /* 10 ms: rare enough not to disturb the figures */


uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

void bench_sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

bool bench_wait_flag(uint32_t *word, int timeout_ms)
{
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : bench_now_ns() + (uint64_t)timeout_ms * 1000000u;

	for (;;) {
		struct timespec ts, *tsp = NULL;
		uint64_t now;

		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 0) {
			return true;
		}
		now = bench_now_ns();
		if (now >= end) {
			return false;
		}
		if (end != UINT64_MAX) {
			uint64_t left = end - now;

			ts.tv_sec = (time_t)(left / 1000000000u);
			ts.tv_nsec = (long)(left % 1000000000u);
			tsp = &ts;
		}
		/* Shared futex: the word may be in a MAP_SHARED mapping. */
		(void)syscall(SYS_futex, word, FUTEX_WAIT, 0, tsp, NULL, 0);
	}
}

void bench_set_flag(uint32_t *word)
{
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	(void)syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void bench_fail(struct bench_shm *shm, const char *fmt, ...)
{
	char line[sizeof(shm->err)];
	va_list ap;
	uint32_t *claim = (uint32_t *)&shm->line[1][0];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* First failure wins; line[1] word 0 is the claim (raw baselines use line[0]). */
	if (__atomic_exchange_n(claim, 1, __ATOMIC_ACQ_REL) == 0) {
		memcpy(shm->err, line, sizeof(line));
	}
}

void bench_stream_finish(struct bench_shm *shm, uint64_t sent)
{
	uint64_t limit = bench_now_ns() + 5000000000ull;

	__atomic_store_n(&shm->sent, sent, __ATOMIC_RELEASE);
	while (__atomic_load_n(&shm->received, __ATOMIC_ACQUIRE) < sent && bench_now_ns() < limit) {
		sched_yield();
	}
	shm->t1_ns = bench_now_ns();
	bench_set_flag(&shm->stop);
}

double bench_task_cpu_s(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	double total = 0;

	if (d == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX];
		unsigned long long ns;
		FILE *f;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/schedstat", dir, e->d_name);
		f = fopen(path, "r");
		if (f == NULL) {
			continue;
		}
		if (fscanf(f, "%llu", &ns) == 1) {
			total += (double)ns / 1e9;
		}
		fclose(f);
	}
	closedir(d);
	return total;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void bench_reduce_rtt(struct bench_result *r, const struct bench_shm *shm, uint32_t skip)
{
	uint32_t n = shm->n_rtt > BENCH_MAX_SAMPLES ? BENCH_MAX_SAMPLES : shm->n_rtt;
	uint32_t add = n > skip ? n - skip : 0, m;
	uint32_t *all, *v;
	double sum = 0;

	all = realloc(r->samples, ((size_t)r->n_samples + add + 1) * sizeof(*all));
	if (all == NULL) {
		r->ok = false;
		snprintf(r->err, sizeof(r->err), "out of memory");
		return;
	}
	memcpy(all + r->n_samples, &shm->rtt_ns[skip], (size_t)add * sizeof(*all));
	r->samples = all;
	r->n_samples += add;
	m = r->n_samples;
	if (m == 0 || (v = malloc((size_t)m * sizeof(*v))) == NULL) {
		r->ok = false;
		snprintf(r->err, sizeof(r->err), "no round trips measured");
		return;
	}
	memcpy(v, all, (size_t)m * sizeof(*v));
	qsort(v, m, sizeof(*v), cmp_u32);
	for (uint32_t i = 0; i < m; i++) {
		sum += v[i];
	}
	r->count = m;
	r->duration_s = sum / 1e9;
	r->p50_us = v[(m - 1) / 2] / 1e3;
	r->p99_us = v[(uint32_t)((m - 1) * 0.99)] / 1e3;
	r->max_us = v[m - 1] / 1e3;
	for (unsigned q = 0; q < BENCH_QUANTILES; q++) {
		r->quantile_us[q] = (float)(v[(uint32_t)((double)(m - 1) * q / (BENCH_QUANTILES - 1))] / 1e3);
	}
	r->messages_per_s = r->duration_s > 0 ? m / r->duration_s : 0;
	r->bytes_per_s = r->messages_per_s * r->size;
	free(v);
}

void bench_reduce_stream(struct bench_result *r, const struct bench_shm *shm)
{
	double d = shm->t1_ns > shm->t0_ns ? (double)(shm->t1_ns - shm->t0_ns) / 1e9 : 0;

	if (d <= 0 || shm->received == 0) {
		r->ok = false;
		snprintf(r->err, sizeof(r->err), "nothing received");
		return;
	}
	if (shm->received != shm->sent) {
		r->ok = false;
		snprintf(r->err, sizeof(r->err), "%" PRIu64 " of %" PRIu64 " messages received",
			 shm->received, shm->sent);
		return;
	}
	r->acc_count += shm->received;
	r->acc_bytes += shm->bytes;
	r->acc_s += d;
	r->count = r->acc_count;
	r->duration_s = r->acc_s;
	r->messages_per_s = (double)r->acc_count / r->acc_s;
	r->bytes_per_s = (double)r->acc_bytes / r->acc_s;
}

int bench_fork2_ex(struct bench_shm *shm, bench_child_fn fn, void *arg, bench_monitor_fn monitor,
		   void *marg, double timeout_s, char *err, size_t errlen)
{
	pid_t pid[2] = {0, 0}, parent = getpid();
	int status[2] = {0, 0};
	bool done[2] = {false, false}, monitored = monitor == NULL, timed_out = false;
	uint64_t deadline = bench_now_ns() + (uint64_t)(timeout_s * 1e9), fail_at = 0;

	memset(shm, 0, offsetof(struct bench_shm, rtt_ns));
	fflush(stdout);
	fflush(stderr);
	for (int r = 0; r < 2; r++) {
		pid[r] = fork();
		if (pid[r] < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			if (r == 1) {
				kill(pid[0], SIGKILL);
				waitpid(pid[0], NULL, 0);
			}
			return -1;
		}
		if (pid[r] == 0) {
			int rc;

			/* Never outlive the bench (it polls, single-threaded). */
			(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
			/* Short sleeps (a sender waiting for room) stay short. */
			(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
			if (getppid() != parent) {
				_exit(3);
			}
			rc = fn(r, arg, shm);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	while (!done[0] || !done[1]) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = SUPERVISE_POLL_NS};
		uint64_t now;

		for (int r = 0; r < 2; r++) {
			if (!done[r] && waitpid(pid[r], &status[r], WNOHANG) == pid[r]) {
				done[r] = true;
				if (!WIFEXITED(status[r]) || WEXITSTATUS(status[r]) != 0) {
					/* Give the other one a moment to notice, then stop it. */
					bench_set_flag(&shm->stop);
					if (fail_at == 0) {
						fail_at = bench_now_ns();
					}
				}
			}
		}
		if (done[0] && done[1]) {
			break;
		}
		if (!monitored && __atomic_load_n(&shm->ready[0], __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&shm->ready[1], __ATOMIC_ACQUIRE)) {
			(void)monitor(pid, shm, marg);
			monitored = true;
			bench_set_flag(&shm->stop);
			continue;
		}
		now = bench_now_ns();
		if (now > deadline ||
		    (fail_at != 0 && now - fail_at > (uint64_t)(CHILD_FAIL_GRACE_S * 1e9))) {
			timed_out = fail_at == 0;
			for (int r = 0; r < 2; r++) {
				if (!done[r]) {
					kill(pid[r], SIGKILL);
					waitpid(pid[r], &status[r], 0);
					done[r] = true;
				}
			}
			break;
		}
		nanosleep(&ts, NULL);
	}
	for (int r = 0; r < 2; r++) {
		if (timed_out || !WIFEXITED(status[r]) || WEXITSTATUS(status[r]) != 0) {
			if (shm->err[0] != '\0') {
				snprintf(err, errlen, "%s", shm->err);
			} else if (timed_out) {
				snprintf(err, errlen, "timed out after %.0f s", timeout_s);
			} else if (WIFSIGNALED(status[r])) {
				snprintf(err, errlen, "%s child killed by signal %d",
					 emu_role_name((enum emu_role)r), WTERMSIG(status[r]));
			} else {
				snprintf(err, errlen, "%s child exited with status %d",
					 emu_role_name((enum emu_role)r), WEXITSTATUS(status[r]));
			}
			return -1;
		}
	}
	return 0;
}

int bench_fork2(struct bench_shm *shm, bench_child_fn fn, void *arg, double timeout_s, char *err,
		size_t errlen)
{
	return bench_fork2_ex(shm, fn, arg, NULL, NULL, timeout_s, err, errlen);
}
