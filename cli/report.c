/*
 * report.c - the run report: verdict, human summary and the JSON whose field
 * names architecture.md fixes (fields may be added, none renamed).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ------------------------------------------------ output files, progress -- */

int cli_out_writable(const char *path)
{
	char dir[4096];
	const char *slash;
	struct stat st;
	int e = 0;

	if (stat(path, &st) == 0) {
		e = S_ISDIR(st.st_mode) ? EISDIR : access(path, W_OK) != 0 ? errno : 0;
	} else if (errno != ENOENT) {
		e = errno;
	} else {
		/* The file would be created: its directory must be one we can write. */
		slash = strrchr(path, '/');
		if (slash == NULL) {
			snprintf(dir, sizeof(dir), ".");
		} else if (slash == path) {
			snprintf(dir, sizeof(dir), "/");
		} else {
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		}
		if (stat(dir, &st) != 0) {
			e = errno;
		} else if (!S_ISDIR(st.st_mode)) {
			e = ENOTDIR;
		} else if (access(dir, W_OK | X_OK) != 0) {
			e = errno;
		}
	}
	return -e;
}

int cli_out_check(const char *cmd, const char *opt, const char *path)
{
	int rc = strcmp(path, "-") == 0 ? 0 : cli_out_writable(path);

	if (rc < 0) {
		cli_err("%s: %s: cannot write %s: %s", cmd, opt, path, strerror(-rc));
	}
	return rc;
}

/* --json -: the real stdout, kept for the JSON (-1: not redirected). */
static int json_fd = -1;

void cli_json_stdout(void)
{
	int fd;

	if (json_fd >= 0) {
		return;
	}
	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	json_fd = fd;
	/* Text now shares stderr: keep its lines whole and in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

FILE *cli_json_open(const char *path)
{
	int fd;
	FILE *f;

	if (strcmp(path, "-") != 0) {
		return fopen(path, "we");
	}
	fflush(stdout);
	fd = fcntl(json_fd >= 0 ? json_fd : STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		return NULL;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
	}
	return f;
}

int cli_json_close(FILE *f)
{
	return (ferror(f) | (fclose(f) != 0)) ? -EIO : 0;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p, bool quiet)
{
	const char *env = getenv("IPC_EMU_PROGRESS_S");
	int out = json_fd >= 0 ? json_fd : STDOUT_FILENO;
	char *end = NULL;
	double every = CLI_PROGRESS_DEFAULT_S;

	memset(p, 0, sizeof(*p));
	if (env != NULL && *env != '\0') {
		double v = strtod(env, &end);

		if (end != env && *end == '\0' && v >= 0 && v <= 1e6) {
			every = v;
		}
	}
	p->t0_s = mono_s();
	p->every_s = every;
	p->next_s = every;
	/* A terminal shows its own progress (or none); a pipe or file gets lines. */
	p->on = !quiet && every > 0 && !isatty(out) && !isatty(STDERR_FILENO);
}

bool cli_progress_due(struct cli_progress *p, double *elapsed_s)
{
	double el;

	if (!p->on) {
		return false;
	}
	el = mono_s() - p->t0_s;
	if (el < p->next_s) {
		return false;
	}
	while (p->next_s <= el) {
		p->next_s += p->every_s;
	}
	*elapsed_s = el;
	return true;
}

struct totals {
	uint64_t sent, received, corrupted, duplicated, reordered, lost, lost_across;
	uint64_t bytes_sent, bytes_received, bonds, unbounds, errors;
	uint64_t blocks_in_use, incomplete, rx_invalid;
	double p50_us, p99_us, max_us;
	double msg_per_s, bytes_per_s;
};

/* User programs' results of the run being reported (cli_report_set_user). */
static const struct scn_user_results *user_res;

static const struct cli_zapp_counts *zapps;

void cli_report_set_zapps(const struct cli_zapp_counts *z)
{
	zapps = z;
}

void cli_report_set_user(const struct scn_user_results *u)
{
	user_res = u;
}

static const char *const zt_result_names[] = {"pass", "fail", "skip"};

static void zt_counts(unsigned *pass, unsigned *fail, unsigned *skip)
{
	*pass = *fail = *skip = 0;
	for (size_t i = 0; user_res != NULL && i < user_res->n_cases; i++) {
		int res = user_res->cases[i].result;

		*pass += res == SCN_ZTEST_PASS;
		*fail += res == SCN_ZTEST_FAIL;
		*skip += res == SCN_ZTEST_SKIP;
	}
}

static unsigned total_reboots(void)
{
	return user_res != NULL ? user_res->reboots[0] + user_res->reboots[1] : 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void totals(const struct cli_report *r, struct totals *t)
{
	const struct scn_area *h = r->area[0], *m = r->area[1];
	uint64_t t0 = 0, t1 = 0;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < 2; i++) {
		const struct scn_area *a = r->area[i];

		t->sent += a->sent;
		t->received += a->received;
		t->corrupted += a->corrupted;
		t->duplicated += a->duplicated;
		t->reordered += a->reordered;
		t->lost += a->lost;
		t->lost_across += a->lost_across_session;
		t->bytes_sent += a->bytes_sent;
		t->bytes_received += a->bytes_received;
		t->errors += a->errors;
		t->blocks_in_use += a->blocks_in_use_end;
		t->incomplete += a->endpoints_incomplete;
		t->rx_invalid += a->icb_rx_invalid;
		if (a->stream_t0_ns != 0 && (t0 == 0 || a->stream_t0_ns < t0)) {
			t0 = a->stream_t0_ns;
		}
		t1 = max_u64(t1, a->stream_t1_ns);
	}
	t->bonds = max_u64(h->bonds, m->bonds);
	t->unbounds = max_u64(h->unbounds, m->unbounds);
	t->p50_us = (double)h->rtt_p50_ns / 1e3;
	t->p99_us = (double)h->rtt_p99_ns / 1e3;
	t->max_us = (double)h->rtt_max_ns / 1e3;
	if (t0 != 0 && t1 > t0) {
		double secs = (double)(t1 - t0) / 1e9;

		t->msg_per_s = (double)(h->stream_received + m->stream_received) / secs;
		t->bytes_per_s = (double)(h->stream_bytes_received + m->stream_bytes_received) / secs;
	}
}

void cli_report_summary(const struct cli_report *r, struct cli_run_summary *sum)
{
	struct totals t;

	totals(r, &t);
	memset(sum, 0, sizeof(*sum));
	sum->ok = r->ok;
	sum->hang = r->hang;
	sum->cycles = r->cycles;
	sum->rebonds = r->rebonds;
	sum->overlapped = r->overlapped;
	sum->crashes_injected = r->crashes_injected;
	sum->restarts = r->restarts;
	sum->epochs = r->epochs;
	sum->sent = t.sent;
	sum->received = t.received;
	sum->corrupted = t.corrupted;
	sum->duplicated = t.duplicated;
	sum->reordered = t.reordered;
	sum->lost = t.lost;
	sum->lost_across = t.lost_across;
	sum->bonds = r->area[0]->bonds + r->area[1]->bonds;
	sum->unbounds = r->area[0]->unbounds + r->area[1]->unbounds;
	sum->blocks_in_use = t.blocks_in_use;
	sum->blocks_measured = r->area[0]->blocks_measured && r->area[1]->blocks_measured;
	for (int i = 0; i < 2; i++) {
		if (r->peer[i].valgrind_errors > 0) {
			sum->valgrind_errors += r->peer[i].valgrind_errors;
		}
	}
	sum->leaked_shm = r->leaked_shm;
	sum->leaked_processes = r->leaked_processes;
	sum->duration_s = r->duration_s;
	snprintf(sum->reason, sizeof(sum->reason), "%s", r->reason);
}

static const char *phase_name(uint64_t ph)
{
	static const char *const names[] = {"init", "echo", "stream", "finished"};

	return ph < 4 ? names[ph] : "?";
}

void cli_report_eval(struct cli_report *r)
{
	struct totals t;
	char *w = r->reason;
	size_t left = sizeof(r->reason);

#define REASON(...)                                                                           \
	do {                                                                                  \
		int k_ = snprintf(w, left, "%s", w == r->reason ? "" : "; ");                 \
		w += k_, left -= (size_t)k_;                                                  \
		k_ = snprintf(w, left, __VA_ARGS__);                                          \
		if (k_ > 0 && (size_t)k_ < left) {                                            \
			w += k_, left -= (size_t)k_;                                          \
		}                                                                             \
	} while (0)

	totals(r, &t);
	r->reason[0] = '\0';
	if (r->interrupted) {
		REASON("interrupted by signal %d", r->interrupted);
	}
	if (r->user_programs) {
		/* Their own code: exit statuses, valgrind, leaks and time decide. */
		if (r->hang) {
			REASON("hang: no completion within %.0f s", r->opts->timeout_s);
		}
		for (int i = 0; i < 2; i++) {
			const char *role = scn_role_name((enum emu_role)i);
			int st = r->peer[i].exit_status;

			if (st > 128 && !r->hang && !r->interrupted) {
				REASON("%s program killed by signal %d", role, st - 128);
			} else if (st != 0 && !r->hang && !r->interrupted) {
				REASON("%s program exited with status %d", role, st);
			}
			if (r->peer[i].valgrind_errors > 0) {
				REASON("%s program: %d valgrind errors", role,
				       r->peer[i].valgrind_errors);
			}
		}
		if (user_res != NULL) {
			unsigned failed = 0;

			/* Each failed test by name (the first few), then the
			 * project verdicts the tests do not explain. */
			for (size_t i = 0; i < user_res->n_cases; i++) {
				const struct scn_ztest_case *k = &user_res->cases[i];

				if (k->result != SCN_ZTEST_FAIL) {
					continue;
				}
				if (++failed <= 3) {
					REASON("ztest: %s test %s.%s failed%s%s",
					       scn_role_name((enum emu_role)k->role), k->suite,
					       k->test, k->message[0] ? ": " : "", k->message);
				}
			}
			if (failed > 3) {
				REASON("ztest: %u more failed tests", failed - 3);
			}
			for (int i = 0; i < 2; i++) {
				const char *role = scn_role_name((enum emu_role)i);

				if (!user_res->ztest_seen[i] || r->hang || r->interrupted) {
					continue;
				}
				if (!user_res->ztest_finished[i]) {
					REASON("ztest: %s program ended without \"PROJECT EXECUTION\"",
					       role);
				} else if (user_res->project_failed[i] && failed == 0) {
					REASON("ztest: %s program: PROJECT EXECUTION FAILED", role);
				}
			}
		}
		if (zapps != NULL) {
			uint64_t c = zapps->corrupted[0] + zapps->corrupted[1];
			uint64_t d = zapps->duplicated[0] + zapps->duplicated[1];
			uint64_t l = zapps->lost[0] + zapps->lost[1];

			if (c + d + l != 0) {
				REASON("echo apps: %" PRIu64 " corrupted, %" PRIu64 " duplicated, "
				       "%" PRIu64 " lost", c, d, l);
			}
			if (r->crashes_injected < r->kills_planned && !r->hang && !r->interrupted) {
				REASON("only %u of %u kills happened", r->crashes_injected,
				       r->kills_planned);
			}
		}
		goto leaks;
	}
	if (r->hang && r->stalled) {
		REASON("hang: no progress for %.0f s (host in %s, remote in %s; endpoints "
		       "bound %" PRIu64 "/%u and %" PRIu64 "/%u)",
		       r->stall_s, phase_name(r->area[0]->phase), phase_name(r->area[1]->phase),
		       r->area[0]->endpoints_bound, r->cfg->endpoints, r->area[1]->endpoints_bound,
		       r->cfg->endpoints);
	} else if (r->hang) {
		REASON("hang: no completion within %.0f s (host in %s, remote in %s; endpoints "
		       "bound %" PRIu64 "/%u and %" PRIu64 "/%u)",
		       r->opts->timeout_s, phase_name(r->area[0]->phase),
		       phase_name(r->area[1]->phase), r->area[0]->endpoints_bound,
		       r->cfg->endpoints, r->area[1]->endpoints_bound, r->cfg->endpoints);
	}
	if (r->cycles > r->rebonds + r->overlapped && r->cfg->unbound == EMU_UNBOUND_DISABLE &&
	    r->cfg->inst_host->backend == EMU_BACKEND_ICMSG) {
		REASON("unbound \"disable\": %u of %u peer resets undetected (legacy bonding "
		       "has no reset protocol; see docs/reliability.md)",
		       r->cycles - r->rebonds - r->overlapped, r->cycles);
	} else if (r->cycles > r->rebonds + r->overlapped && !r->hang && !r->interrupted) {
		REASON("%u of %u peer resets not recovered (want unbound() on the survivor and a "
		       "re-bond on both sides)",
		       r->cycles - r->rebonds - r->overlapped, r->cycles);
	}
	if (t.corrupted) {
		REASON("%" PRIu64 " corrupted", t.corrupted);
	}
	if (t.duplicated) {
		REASON("%" PRIu64 " duplicated", t.duplicated);
	}
	if (t.reordered) {
		REASON("%" PRIu64 " reordered", t.reordered);
	}
	if (t.lost) {
		REASON("%" PRIu64 " lost", t.lost);
	}
	if (t.errors) {
		REASON("%" PRIu64 " backend/send errors", t.errors);
	}
	if (t.incomplete) {
		REASON("%" PRIu64 " endpoints finished with missing messages", t.incomplete);
	}
	if (t.blocks_in_use) {
		REASON("%" PRIu64 " ICBMsg blocks still in use after quiescence (host %" PRIu64
		       ", remote %" PRIu64 ")",
		       t.blocks_in_use, r->area[0]->blocks_in_use_end, r->area[1]->blocks_in_use_end);
	}
	if (t.rx_invalid) {
		REASON("%" PRIu64 " invalid ICBMsg control messages", t.rx_invalid);
	}
	if (r->opts->scenario == SCN_PRIORITIES && !r->hang && !r->interrupted &&
	    (r->area[0]->prio_received[0] + r->area[1]->prio_received[0] == 0 ||
	     r->area[0]->prio_received[1] + r->area[1]->prio_received[1] == 0)) {
		REASON("priorities: a priority received nothing");
	}
	if (r->opts->scenario == SCN_EXHAUSTION && !r->hang && !r->interrupted) {
		for (int i = 0; i < 2; i++) {
			const struct scn_area *snd = r->area[i], *rcv = r->area[1 - i];
			const char *dir = i == 0 ? "host->remote" : "remote->host";

			if (snd->exh_eagain == 0 || snd->exh_enomem == 0) {
				REASON("exhaustion %s: sender saw %" PRIu64 " -EAGAIN and %" PRIu64
				       " -ENOMEM (want both)",
				       dir, snd->exh_eagain, snd->exh_enomem);
			} else if (!rcv->exh_released) {
				REASON("exhaustion %s: receiver never released its buffers", dir);
			} else if (snd->exh_resumed == 0) {
				REASON("exhaustion %s: traffic did not resume", dir);
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		const char *role = scn_role_name((enum emu_role)i);
		int st = r->peer[i].exit_status;

		if (r->peer_mode && i != (int)r->opts->role) {
			if (!r->area[i]->finished) {
				REASON("%s peer did not finish", role);
			}
			continue;
		}
		if (st != 0 && !r->hang && !r->interrupted) {
			if (st > 128) {
				REASON("%s peer killed by signal %d", role, st - 128);
			} else if (st < 0) {
				REASON("%s peer did not exit", role);
			} else {
				REASON("%s peer exited with status %d", role, st);
			}
		}
		if (r->peer[i].valgrind_errors > 0) {
			REASON("%s peer: %d valgrind errors", role, r->peer[i].valgrind_errors);
		}
		if (!r->area[i]->finished && st == 0) {
			REASON("%s peer did not finish", role);
		}
		if (r->area[i]->finished && r->area[i]->endpoints_bound < r->cfg->endpoints) {
			REASON("%s peer: only %" PRIu64 " of %u endpoints bound", role,
			       r->area[i]->endpoints_bound, r->cfg->endpoints);
		}
	}
	if (r->opts->ipm_console && !r->hang && !r->interrupted &&
	    (r->area[1]->con_dropped != 0 || r->area[0]->con_lines != r->area[1]->con_lines_sent ||
	     (r->area[1]->finished && r->area[1]->con_lines_sent < 2))) {
		REASON("ipm console: %" PRIu64 " of %" PRIu64 " lines printed, %" PRIu64
		       " characters dropped",
		       r->area[0]->con_lines, r->area[1]->con_lines_sent, r->area[1]->con_dropped);
	}
leaks:
	if (r->leaked_shm) {
		REASON("%u /dev/shm objects left", r->leaked_shm);
	}
	if (r->leaked_processes) {
		REASON("%u peer processes left", r->leaked_processes);
	}
	r->ok = r->reason[0] == '\0';
	if (r->ok && r->user_programs) {
		snprintf(r->reason, sizeof(r->reason), "both programs exited with status 0");
	} else if (r->ok) {
		snprintf(r->reason, sizeof(r->reason), "all %" PRIu64 " messages verified",
			 t.received);
	}
#undef REASON
}

static const char *raw_transport(const struct cli_opts *o)
{
	return o->scenario == SCN_IPM_ECHO ? "ipm" : "mbox";
}

static const char *mbox_mode_name(const struct cli_opts *o)
{
	return o->mbox_mode == SCN_MBOX_DATA ? "data" : "signal";
}

/* Round trips per second of the host's timed phase (raw scenarios). */
static double round_trips_per_s(const struct cli_report *r)
{
	const struct scn_area *h = r->area[0];

	if (h->stream_t0_ns == 0 || h->stream_t1_ns <= h->stream_t0_ns) {
		return 0.0;
	}
	return (double)h->rtt_count / ((double)(h->stream_t1_ns - h->stream_t0_ns) / 1e9);
}

/* The raw scenarios' summary (ipm-echo, mbox-pingpong). */
static void print_raw(const struct cli_report *r, const struct totals *t, FILE *f)
{
	const struct scn_area *h = r->area[0], *m = r->area[1];
	const struct cli_opts *o = r->opts;

	fprintf(f, "ipc-emu %s: %s %s, %s%s%s, doorbell %s, %" PRIu64 " round trips%s\n",
		r->peer_mode ? "peer" : "run", raw_transport(o), r->cfg->inst_host->label,
		scn_scenario_name(o->scenario),
		o->scenario == SCN_MBOX_PINGPONG ? ", mode " : "",
		o->scenario == SCN_MBOX_PINGPONG ? mbox_mode_name(o) : "",
		r->doorbell ? r->doorbell : "?", o->messages, o->ipm_console ? ", ipm console" : "");
	fprintf(f, "  messages    sent %" PRIu64 "  received %" PRIu64 "  corrupted %" PRIu64
		"  duplicated %" PRIu64 "  lost %" PRIu64 "  (host->remote %" PRIu64 "/%" PRIu64
		", remote->host %" PRIu64 "/%" PRIu64 ")\n",
		t->sent, t->received, t->corrupted, t->duplicated, t->lost, h->sent, m->received,
		m->sent, h->received);
	fprintf(f, "  bytes       sent %" PRIu64 "  received %" PRIu64 "  -EBUSY retries %" PRIu64
		"\n",
		t->bytes_sent, t->bytes_received, h->pp_busy_retries + m->pp_busy_retries);
	fprintf(f, "  rtt         p50 %.1f us  p99 %.1f us  max %.1f us  (%" PRIu64
		" round trips)\n",
		t->p50_us, t->p99_us, t->max_us, h->rtt_count);
	fprintf(f, "  throughput  %.0f round trips/s  %.0f msg/s (both directions)\n",
		round_trips_per_s(r), t->msg_per_s);
	if (o->ipm_console) {
		fprintf(f, "  console     lines %" PRIu64 "/%" PRIu64 " (printed/sent)  chars %" PRIu64
			"  dropped %" PRIu64 "\n",
			h->con_lines, m->con_lines_sent, m->con_chars_sent, m->con_dropped);
	}
}

void cli_report_print(const struct cli_report *r, FILE *f)
{
	struct totals t;
	const struct scn_area *h = r->area[0], *m = r->area[1];

	totals(r, &t);
	if (r->user_programs) {
		fprintf(f, "ipc-emu run: user programs, host %s, remote %s, doorbell %s\n",
			r->opts->prog[0], r->opts->prog[1], r->doorbell ? r->doorbell : "?");
		fprintf(f, "  resets      crashes injected %u  restarts %u  reboots %u\n",
			r->crashes_injected, r->restarts, total_reboots());
		for (int i = 0; zapps != NULL && i < 2; i++) {
			fprintf(f, "  %-11s echoed %" PRIu64 "  streamed %" PRIu64 "  corrupted %" PRIu64
				"  duplicated %" PRIu64 "  lost %" PRIu64 "  resumed %u%s\n",
				i == 0 ? "echo-client" : "echo-server", zapps->echoed[i],
				zapps->streamed[i], zapps->corrupted[i], zapps->duplicated[i],
				zapps->lost[i], zapps->resumes[i],
				zapps->summary[i] ? "" : "  (no summary line)");
		}
		if (user_res != NULL && (user_res->ztest_seen[0] || user_res->ztest_seen[1])) {
			unsigned pass, fail, skip;

			zt_counts(&pass, &fail, &skip);
			fprintf(f, "  ztest       %u tests: %u passed, %u failed, %u skipped\n",
				pass + fail + skip, pass, fail, skip);
		}
		goto tail;
	}
	if (scn_is_raw(r->opts->scenario)) {
		print_raw(r, &t, f);
		goto tail;
	}
	fprintf(f,
		"ipc-emu %s: %s %s, %s, %u endpoint%s, unbound %s, doorbell %s, %" PRIu64
		" messages%s%s%s\n",
		r->peer_mode ? "peer" : "run", cli_backend_name(r->opts->backend),
		r->cfg->inst_host->label, scn_scenario_name(r->opts->scenario), r->cfg->endpoints,
		r->cfg->endpoints == 1 ? "" : "s", cli_unbound_name(r->cfg->unbound),
		r->doorbell ? r->doorbell : "?", r->opts->messages,
		r->cfg->endpoints > 1 ? " per endpoint" : "", r->opts->nocopy ? ", nocopy" : "",
		r->opts->rx_in_isr ? ", rx in isr" : "");
	fprintf(f, "  messages    sent %" PRIu64 "  received %" PRIu64 "  corrupted %" PRIu64
		"  duplicated %" PRIu64 "  reordered %" PRIu64 "  lost %" PRIu64
		" (+%" PRIu64 " across sessions)\n",
		t.sent, t.received, t.corrupted, t.duplicated, t.reordered, t.lost, t.lost_across);
	fprintf(f, "  bytes       sent %" PRIu64 "  received %" PRIu64 "\n", t.bytes_sent,
		t.bytes_received);
	fprintf(f, "  endpoints   %u, bound %" PRIu64 "/%" PRIu64 " (host/remote)\n",
		r->cfg->endpoints, h->endpoints_bound, m->endpoints_bound);
	fprintf(f, "  sessions    bonds %" PRIu64 "/%" PRIu64 "  unbounds %" PRIu64 "/%" PRIu64
		" (host/remote)  crashes injected %u  restarts %u\n",
		h->bonds, m->bonds, h->unbounds, m->unbounds, r->crashes_injected, r->restarts);
	if (r->cycles > 0) {
		fprintf(f, "  resets      %u (%u kills, %u crash points)  recovered %u (+%u during "
			"a recovery)  restarts of both %u\n",
			r->cycles, r->crashes_injected - r->crash_points, r->crash_points, r->rebonds,
			r->overlapped, r->epochs);
	}
	fprintf(f, "  rtt         p50 %.1f us  p99 %.1f us  max %.1f us  (%" PRIu64
		" round trips)\n",
		t.p50_us, t.p99_us, t.max_us, h->rtt_count);
	fprintf(f, "  throughput  %.0f msg/s  %.2f MB/s  (stream phase, both directions)\n",
		t.msg_per_s, t.bytes_per_s / 1e6);
	if (r->cfg->inst_host->backend == EMU_BACKEND_ICBMSG) {
		fprintf(f, "  blocks      in use at end %" PRIu64 " (host %" PRIu64 ", remote %" PRIu64
			")%s\n",
			t.blocks_in_use, h->blocks_in_use_end, m->blocks_in_use_end,
			h->blocks_measured && m->blocks_measured ? "" : "  (not measured: no quiescence)");
	}
	if (r->opts->nocopy || r->opts->scenario == SCN_EXHAUSTION) {
		fprintf(f, "  nocopy      sent %" PRIu64 "  size-0 requests %" PRIu64 "  dropped %" PRIu64
			"  timeouts %" PRIu64 "  held %" PRIu64 "  released %" PRIu64 "\n",
			h->nocopy_sent + m->nocopy_sent, h->tx_max_requests + m->tx_max_requests,
			h->tx_dropped + m->tx_dropped, h->tx_waits + m->tx_waits,
			h->rx_held + m->rx_held, h->rx_released + m->rx_released);
	}
	if (r->opts->scenario == SCN_PRIORITIES) {
		fprintf(f, "  priorities  received on prio 0 endpoints %" PRIu64 ", on prio 1 %" PRIu64
			"\n", h->prio_received[0] + m->prio_received[0],
			h->prio_received[1] + m->prio_received[1]);
	}
	if (r->opts->scenario == SCN_EXHAUSTION) {
		fprintf(f, "  exhaustion  -EAGAIN %" PRIu64 "/%" PRIu64 "  -ENOMEM %" PRIu64 "/%" PRIu64
			"  blocks held %" PRIu64 "/%u by remote, %" PRIu64 "/%u by host  resumed %s\n",
			h->exh_eagain, m->exh_eagain, h->exh_enomem, m->exh_enomem,
			m->held_blocks_max, r->cfg->inst_host->tx_blocks, h->held_blocks_max,
			r->cfg->inst_host->rx_blocks,
			h->exh_resumed && m->exh_resumed && h->exh_released && m->exh_released ? "yes"
												: "no");
	}
	if (r->opts->ipm_console) {
		fprintf(f, "  console     lines %" PRIu64 "/%" PRIu64 " (printed/sent)  chars %" PRIu64
			"  dropped %" PRIu64 "\n",
			h->con_lines, m->con_lines_sent, m->con_chars_sent, m->con_dropped);
	}
tail:
	if (!r->peer_mode) {
		fprintf(f, "  peers       host exit %d, remote exit %d", r->peer[0].exit_status,
			r->peer[1].exit_status);
		if (r->peer[0].valgrind_errors >= 0) {
			fprintf(f, "  valgrind errors %d/%d", r->peer[0].valgrind_errors,
				r->peer[1].valgrind_errors);
		}
		fprintf(f, "  (%.2f s)\n", r->duration_s);
	}
	if (r->crashes_injected < r->kills_planned && !r->hang) {
		fprintf(f, "  note        only %u of %u kills happened (the run ended first)\n",
			r->crashes_injected, r->kills_planned);
	}
	fprintf(f, "  result      %s: %s\n", r->ok ? "PASS" : "FAIL", r->reason);
}

void cli_json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			fprintf(f, "\\%c", ch);
		} else if (ch < 0x20 || ch >= 0x7f) {
			fprintf(f, "\\u%04x", ch);
		} else {
			fputc(ch, f);
		}
	}
	fputc('"', f);
}

/* "ztest": one object per test result line of the programs, in the order
 * they were printed; "ztest_summary": their counts. */
static void json_ztest(FILE *f)
{
	unsigned pass, fail, skip;

	zt_counts(&pass, &fail, &skip);
	fprintf(f, "  \"ztest_summary\": { \"tests\": %u, \"passed\": %u, \"failed\": %u, "
		   "\"skipped\": %u },\n",
		pass + fail + skip, pass, fail, skip);
	fprintf(f, "  \"ztest\": [");
	for (size_t i = 0; user_res != NULL && i < user_res->n_cases; i++) {
		const struct scn_ztest_case *k = &user_res->cases[i];

		fprintf(f, "%s\n    { \"core\": \"%s\", \"boot\": %u, \"suite\": ", i ? "," : "",
			scn_role_name((enum emu_role)k->role), k->boot);
		cli_json_str(f, k->suite);
		fprintf(f, ", \"test\": ");
		cli_json_str(f, k->test);
		fprintf(f, ", \"result\": \"%s\", \"duration_s\": %.3f, \"message\": ",
			zt_result_names[k->result], k->duration_s);
		cli_json_str(f, k->message);
		fprintf(f, " }");
	}
	fprintf(f, "%s],\n", user_res != NULL && user_res->n_cases ? "\n  " : "");
}

/* Text for XML: the five special characters as entities; control and
 * non-ASCII bytes (not necessarily UTF-8) as '?'. */
static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '\n':
			fputs("&#10;", f);
			break;
		default:
			fputc(ch < 0x20 || ch >= 0x7f ? '?' : ch, f);
			break;
		}
	}
}

static bool same_group(const struct scn_ztest_case *a, const struct scn_ztest_case *b)
{
	return a->role == b->role && strcmp(a->suite, b->suite) == 0;
}

/* JUnit XML pieces shared by the ztest report and the run/stress verdicts. */
static FILE *junit_open(const char *path, unsigned tests, unsigned failures, unsigned skipped,
			double time_s)
{
	FILE *f = fopen(path, "we");

	if (f == NULL) {
		cli_err("--junit: cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"ipc-emu\" tests=\"%u\" failures=\"%u\" errors=\"0\" "
		   "skipped=\"%u\" time=\"%.3f\">\n",
		tests, failures, skipped, time_s);
	return f;
}

static int junit_close(FILE *f, const char *path)
{
	fprintf(f, "</testsuites>\n");
	if (ferror(f) | (fclose(f) != 0)) {
		cli_err("--junit: cannot write %s", path);
		return -EIO;
	}
	return 0;
}

/* <testsuite name="<prefix><name>" ...> */
static void junit_suite(FILE *f, const char *prefix, const char *name, unsigned tests,
			unsigned failures, unsigned skipped, double time_s)
{
	fprintf(f, "  <testsuite name=\"%s", prefix);
	xml_str(f, name);
	fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" "
		   "time=\"%.3f\">\n",
		tests, failures, skipped, time_s);
}

/* One <testcase>; what: NULL (passed), "failure" (with detail as its text)
 * or "skipped". */
static void junit_case(FILE *f, const char *classname, const char *name, double time_s,
		       const char *what, const char *message, const char *detail)
{
	fprintf(f, "    <testcase classname=\"");
	xml_str(f, classname);
	fprintf(f, "\" name=\"");
	xml_str(f, name);
	fprintf(f, "\" time=\"%.3f\"", time_s);
	if (what == NULL) {
		fprintf(f, "/>\n");
		return;
	}
	fprintf(f, ">\n      <%s message=\"", what);
	xml_str(f, message);
	if (strcmp(what, "failure") != 0) {
		fprintf(f, "\"/>\n    </testcase>\n");
		return;
	}
	fprintf(f, "\">");
	xml_str(f, detail);
	fprintf(f, "</failure>\n    </testcase>\n");
}

/*
 * JUnit XML: one <testsuite> per core and suite, named "<core>.<suite>", in
 * the order each first printed a result; its <testcase>s in print order
 * (classname the suite's name; "<test> (boot N)" when an earlier boot ran a
 * test of that name), with <failure message=...> holding the program's
 * lines of the test, or <skipped message=.../>.
 */
int cli_report_junit(const char *path)
{
	unsigned pass, fail, skip;
	double total = 0;
	size_t n = user_res != NULL ? user_res->n_cases : 0;
	const struct scn_ztest_case *cs = user_res != NULL ? user_res->cases : NULL;
	FILE *f;

	zt_counts(&pass, &fail, &skip);
	for (size_t i = 0; i < n; i++) {
		total += cs[i].duration_s;
	}
	f = junit_open(path, pass + fail + skip, fail, skip, total);
	if (f == NULL) {
		return -EIO;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned g_tests = 0, g_fail = 0, g_skip = 0;
		double g_time = 0;
		bool first = true;
		char prefix[16];

		for (size_t k = 0; k < i && first; k++) {
			first = !same_group(&cs[k], &cs[i]);
		}
		if (!first) {
			continue;
		}
		for (size_t k = i; k < n; k++) {
			if (same_group(&cs[k], &cs[i])) {
				g_tests++;
				g_fail += cs[k].result == SCN_ZTEST_FAIL;
				g_skip += cs[k].result == SCN_ZTEST_SKIP;
				g_time += cs[k].duration_s;
			}
		}
		snprintf(prefix, sizeof(prefix), "%s.", scn_role_name((enum emu_role)cs[i].role));
		junit_suite(f, prefix, cs[i].suite, g_tests, g_fail, g_skip, g_time);
		for (size_t k = i; k < n; k++) {
			const struct scn_ztest_case *c = &cs[k];

			if (same_group(c, &cs[i])) {
				/* A test run again by a later incarnation (a reboot,
				 * a restart) is named with its boot: CI tools merge
				 * test cases of one name. */
				char name[sizeof(c->test) + 24];
				bool again = false;

				for (size_t e = i; e < k && !again; e++) {
					again = same_group(&cs[e], c) && strcmp(cs[e].test, c->test) == 0;
				}
				snprintf(name, sizeof(name), again ? "%s (boot %u)" : "%s", c->test,
					 c->boot);
				junit_case(f, c->suite, name, c->duration_s,
					   c->result == SCN_ZTEST_PASS	 ? NULL
					   : c->result == SCN_ZTEST_FAIL ? "failure"
									 : "skipped",
					   c->message, c->detail);
			}
		}
		fprintf(f, "  </testsuite>\n");
	}
	return junit_close(f, path);
}

int cli_junit_write(const char *path, const char *suite, const struct cli_junit_case *c,
		    unsigned n)
{
	unsigned failures = 0;
	double total = 0;
	FILE *f;

	for (unsigned i = 0; i < n; i++) {
		failures += !c[i].ok;
		total += c[i].time_s;
	}
	f = junit_open(path, n, failures, 0, total);
	if (f == NULL) {
		return -EIO;
	}
	junit_suite(f, "", suite, n, failures, 0, total);
	for (unsigned i = 0; i < n; i++) {
		junit_case(f, c[i].classname, c[i].name, c[i].time_s, c[i].ok ? NULL : "failure",
			   c[i].message, c[i].message);
	}
	fprintf(f, "  </testsuite>\n");
	return junit_close(f, path);
}

int cli_report_junit_run(const struct cli_report *r, const char *path)
{
	const struct cli_opts *o = r->opts;
	char name[160];
	struct cli_junit_case c;

	if (r->user_programs) {
		return cli_report_junit(path); /* the programs' ztest results */
	}
	if (scn_is_raw(o->scenario)) {
		snprintf(name, sizeof(name), "%s %s%s%s", scn_scenario_name(o->scenario),
			 r->cfg->inst_host->label, o->scenario == SCN_MBOX_PINGPONG ? " " : "",
			 o->scenario == SCN_MBOX_PINGPONG ? mbox_mode_name(o) : "");
	} else {
		snprintf(name, sizeof(name), "%s %s %s unbound=%s", scn_scenario_name(o->scenario),
			 cli_backend_name(r->cfg->inst_host->backend), r->cfg->inst_host->label,
			 cli_unbound_name(r->cfg->unbound));
	}
	c = (struct cli_junit_case){.classname = "ipc-emu.run", .name = name,
				    .time_s = r->duration_s, .ok = r->ok, .message = r->reason};
	return cli_junit_write(path, "ipc-emu run", &c, 1);
}

static void json_peer(FILE *f, const struct cli_report *r, int i, const char *sep)
{
	const struct scn_area *a = r->area[i];

	fprintf(f,
		"    { \"role\": \"%s\", \"exit_status\": %d, \"valgrind_errors\": %d,\n"
		"      \"boots\": %" PRIu64 ", \"bonds\": %" PRIu64 ", \"unbounds\": %" PRIu64
		", \"sent\": %" PRIu64 ", \"received\": %" PRIu64 ",\n"
		"      \"corrupted\": %" PRIu64 ", \"duplicated\": %" PRIu64
		", \"reordered\": %" PRIu64 ", \"lost\": %" PRIu64
		", \"lost_across_session\": %" PRIu64 ",\n"
		"      \"errors\": %" PRIu64 ", \"finished\": %s, \"phase\": \"%s\",\n"
		"      \"endpoints_bound\": %" PRIu64 ", \"endpoints_finished\": %" PRIu64
		", \"endpoints_incomplete\": %" PRIu64 ", \"bind_ms\": %.3f,\n"
		"      \"stream_received\": %" PRIu64 ", \"blocks_in_use_at_end\": %" PRIu64
		", \"blocks_measured\": %s,\n"
		"      \"icbmsg\": { \"rx_invalid\": %" PRIu64 ", \"rx_released_unknown\": %" PRIu64
		", \"rx_bound_released\": %" PRIu64 " },\n"
		"      \"nocopy\": { \"sent\": %" PRIu64 ", \"size0_requests\": %" PRIu64
		", \"dropped\": %" PRIu64 ", \"timeouts\": %" PRIu64 ", \"rx_held\": %" PRIu64
		", \"rx_released\": %" PRIu64 ", \"held_blocks_max\": %" PRIu64 " } }%s\n",
		scn_role_name((enum emu_role)i), r->peer[i].exit_status,
		r->peer[i].valgrind_errors < 0 ? 0 : r->peer[i].valgrind_errors, a->boots, a->bonds,
		a->unbounds, a->sent, a->received, a->corrupted, a->duplicated, a->reordered,
		a->lost, a->lost_across_session, a->errors, a->finished ? "true" : "false",
		phase_name(a->phase), a->endpoints_bound, a->endpoints_finished,
		a->endpoints_incomplete,
		a->t_all_bound_ns > a->t_bound_ns ? (double)(a->t_all_bound_ns - a->t_bound_ns) / 1e6
						  : 0.0,
		a->stream_received, a->blocks_in_use_end, a->blocks_measured ? "true" : "false",
		a->icb_rx_invalid, a->icb_rx_released_unknown, a->icb_rx_bound_released,
		a->nocopy_sent, a->tx_max_requests, a->tx_dropped, a->tx_waits, a->rx_held,
		a->rx_released, a->held_blocks_max, sep);
}

int cli_report_json(const struct cli_report *r, const char *path)
{
	FILE *f;
	int rc = 0;

	f = cli_json_open(path);
	if (f == NULL) {
		rc = -errno;
		cli_err("cannot write %s: %s", path, strerror(errno));
		return rc;
	}
	cli_report_json_write(r, f);
	if (cli_json_close(f) < 0) {
		cli_err("cannot write %s", path);
		return -EIO;
	}
	return rc;
}

void cli_report_json_write(const struct cli_report *r, FILE *f)
{
	struct totals t;

	totals(r, &t);
	fprintf(f, "{\n  \"ok\": %s,\n  \"scenario\": \"%s\",\n  \"backend\": \"%s\",\n",
		r->ok ? "true" : "false",
		r->user_programs ? "user-programs" : scn_scenario_name(r->opts->scenario),
		scn_is_raw(r->opts->scenario) ? raw_transport(r->opts)
					      : cli_backend_name(r->opts->backend));
	fprintf(f, "  \"unbound\": \"%s\",\n  \"instance\": ", cli_unbound_name(r->cfg->unbound));
	if (r->cfg->inst_host->label[0] == '\0') {
		fprintf(f, "null"); /* user programs on a tree without instances */
	} else {
		cli_json_str(f, r->cfg->inst_host->label);
	}
	fprintf(f, ",\n  \"doorbell\": \"%s\",\n  \"rx_in_isr\": %s,\n  \"valgrind\": %s,\n",
		r->doorbell ? r->doorbell : "futex", r->opts->rx_in_isr ? "true" : "false",
		r->opts->valgrind ? "true" : "false");
	if (r->user_programs) {
		/* --host/--remote: what ran (the scenario fields below do not apply). */
		fprintf(f, "  \"programs\": { \"host\": ");
		cli_json_str(f, r->opts->prog[0]);
		fprintf(f, ", \"remote\": ");
		cli_json_str(f, r->opts->prog[1]);
		fprintf(f, ", \"args\": [");
		for (int i = 0; i < r->opts->prog_argc; i++) {
			fprintf(f, "%s", i > 0 ? ", " : "");
			cli_json_str(f, r->opts->prog_argv[i]);
		}
		fprintf(f, "] },\n");
	}
	fprintf(f, "  \"endpoints\": %u,\n  \"messages_per_endpoint\": %" PRIu64
		  ",\n  \"nocopy\": %s,\n",
		r->cfg->endpoints, r->opts->messages,
		r->opts->nocopy || r->opts->scenario == SCN_EXHAUSTION ? "true" : "false");
	fprintf(f,
		"  \"messages\": { \"sent\": %" PRIu64 ", \"received\": %" PRIu64
		", \"corrupted\": %" PRIu64 ", \"duplicated\": %" PRIu64 ",\n"
		"                \"reordered\": %" PRIu64 ", \"lost\": %" PRIu64
		", \"lost_across_session\": %" PRIu64 " },\n",
		t.sent, t.received, t.corrupted, t.duplicated, t.reordered, t.lost, t.lost_across);
	fprintf(f, "  \"bytes\": { \"sent\": %" PRIu64 ", \"received\": %" PRIu64 " },\n",
		t.bytes_sent, t.bytes_received);
	fprintf(f,
		"  \"bonds\": %" PRIu64 ", \"unbounds\": %" PRIu64
		", \"crashes_injected\": %u, \"restarts\": %u,\n",
		t.bonds, t.unbounds, r->crashes_injected, r->restarts);
	/* Resets a program asked for (sys_reboot), apart from crashes. */
	fprintf(f, "  \"reboots\": %u,\n", total_reboots());
	if (user_res != NULL) {
		fprintf(f, "  \"program_boots\": { \"host\": %u, \"remote\": %u },\n",
			user_res->boots[0], user_res->boots[1]);
		fprintf(f, "  \"program_reboots\": { \"host\": %u, \"remote\": %u },\n",
			user_res->reboots[0], user_res->reboots[1]);
	}
	if (zapps != NULL) {
		fprintf(f, "  \"zephyr_apps\": {");
		for (int i = 0; i < 2; i++) {
			fprintf(f,
				"%s \"%s\": { \"echoed\": %" PRIu64 ", \"streamed\": %" PRIu64
				", \"corrupted\": %" PRIu64 ", \"duplicated\": %" PRIu64
				", \"lost\": %" PRIu64 ", \"resumed\": %u, \"summary\": %s }",
				i ? "," : "", i == 0 ? "host" : "remote", zapps->echoed[i],
				zapps->streamed[i], zapps->corrupted[i], zapps->duplicated[i],
				zapps->lost[i], zapps->resumes[i], zapps->summary[i] ? "true" : "false");
		}
		fprintf(f, " },\n");
	}
	json_ztest(f);
	fprintf(f,
		"  \"resets\": { \"cycles\": %u, \"crash_points\": %u, \"rebonds\": %u, "
		"\"overlapped\": %u, \"restarts_of_both\": %u },\n",
		r->cycles, r->crash_points, r->rebonds, r->overlapped, r->epochs);
	fprintf(f,
		"  \"latency_us\": { \"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f, \"count\": %" PRIu64
		" },\n",
		t.p50_us, t.p99_us, t.max_us, r->area[0]->rtt_count);
	fprintf(f, "  \"throughput\": { \"messages_per_s\": %.1f, \"bytes_per_s\": %.1f },\n",
		t.msg_per_s, t.bytes_per_s);
	fprintf(f, "  \"blocks_in_use_at_end\": %" PRIu64 ",\n", t.blocks_in_use);
	if (scn_is_raw(r->opts->scenario)) {
		const struct scn_area *h = r->area[0], *m = r->area[1];

		fprintf(f, "  \"device\": ");
		cli_json_str(f, r->cfg->inst_host->label);
		fprintf(f,
			",\n  \"round_trips\": %" PRIu64 ",\n  \"round_trips_per_s\": %.1f,\n"
			"  \"busy_retries\": %" PRIu64 ",\n  \"timeouts\": %" PRIu64 ",\n",
			h->rtt_count, round_trips_per_s(r), h->pp_busy_retries + m->pp_busy_retries,
			h->pp_timeouts);
		if (r->opts->scenario == SCN_MBOX_PINGPONG) {
			fprintf(f, "  \"mbox_mode\": \"%s\",\n  \"message_size\": %u,\n",
				mbox_mode_name(r->opts), r->cfg->raw_mtu);
		}
	}
	fprintf(f, "  \"ipm_console\": %s,\n", r->opts->ipm_console ? "true" : "false");
	if (r->opts->ipm_console) {
		const struct scn_area *h = r->area[0], *m = r->area[1];

		fprintf(f,
			"  \"console\": { \"lines_printed\": %" PRIu64 ", \"lines_sent\": %" PRIu64
			", \"chars_sent\": %" PRIu64 ", \"dropped\": %" PRIu64 " },\n",
			h->con_lines, m->con_lines_sent, m->con_chars_sent, m->con_dropped);
	}
	fprintf(f, "  \"endpoints_incomplete\": %" PRIu64 ",\n", t.incomplete);
	if (r->cfg->inst_host->backend == EMU_BACKEND_ICBMSG && r->cfg->icbmsg_version != 0) {
		fprintf(f, "  \"icbmsg_version\": \"%s\",\n",
			cli_icbmsg_version_name(r->cfg->icbmsg_version));
	}
	if (r->opts->scenario == SCN_PRIORITIES) {
		const struct scn_area *h = r->area[0], *m = r->area[1];

		fprintf(f, "  \"priorities\": { \"prio0_received\": %" PRIu64
			", \"prio1_received\": %" PRIu64 " },\n",
			h->prio_received[0] + m->prio_received[0],
			h->prio_received[1] + m->prio_received[1]);
	}
	if (r->opts->scenario == SCN_EXHAUSTION) {
		const struct scn_area *h = r->area[0], *m = r->area[1];
		bool resumed = h->exh_released && m->exh_released && h->exh_resumed && m->exh_resumed;

		fprintf(f,
			"  \"exhaustion\": { \"eagain\": %" PRIu64 ", \"enomem\": %" PRIu64
			", \"resumed\": %s,\n"
			"    \"directions\": [\n",
			h->exh_eagain + m->exh_eagain, h->exh_enomem + m->exh_enomem,
			resumed ? "true" : "false");
		for (int i = 0; i < 2; i++) {
			const struct scn_area *snd = r->area[i], *rcv = r->area[1 - i];

			fprintf(f,
				"      { \"sender\": \"%s\", \"blocks\": %u, \"eagain\": %" PRIu64
				", \"enomem\": %" PRIu64 ", \"held_blocks_max\": %" PRIu64
				", \"released\": %s, \"sent_after_release\": %" PRIu64 " }%s\n",
				scn_role_name((enum emu_role)i),
				i == 0 ? r->cfg->inst_host->tx_blocks : r->cfg->inst_host->rx_blocks,
				snd->exh_eagain, snd->exh_enomem, rcv->held_blocks_max,
				rcv->exh_released ? "true" : "false", snd->exh_resumed,
				i == 0 ? "," : "");
		}
		fprintf(f, "    ] },\n");
	}
	fprintf(f, "  \"peers\": [\n");
	json_peer(f, r, 0, ",");
	json_peer(f, r, 1, "");
	fprintf(f, "  ],\n");
	fprintf(f, "  \"leaks\": { \"shm_objects\": %u, \"processes\": %u },\n", r->leaked_shm,
		r->leaked_processes);
	fprintf(f, "  \"hang\": %s,\n  \"duration_s\": %.3f,\n  \"reason\": ",
		r->hang ? "true" : "false", r->duration_s);
	cli_json_str(f, r->reason);
	fprintf(f, "\n}\n");
}
