/*
 * bench.c - `ipc-emu bench`: raw baselines and our figures measured in one
 * run, each of ours as a ratio to its baseline (docs/benchmarks.md).  This
 * is the command: options, the list of figures, table, JSON, goals; the
 * figures themselves are measured by bench/ (measure.h, raw.h, ipc.h).
 *
 * The bench process stays single-threaded: every figure is two forked
 * children (bench/measure.h), so fork() is always safe here and nothing of
 * one figure (threads, work queues, segments) survives into the next.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../bench/ipc.h"
#include "../bench/measure.h"
#include "../bench/raw.h"
#include "bench_svg.h"
#include "cli.h"
/* ---------------------------------------------------------------- figures */

#define MAX_RESULTS 96

struct bench {
	struct bench_cfg cfg;
	struct bench_shm *shm;
	struct bench_result res[MAX_RESULTS];
	unsigned n;          /* figures so far */
	unsigned cursor;     /* the figure being run in this round */
	unsigned round;
	bool saved_ok;       /* its state before this round */
	char saved_err[256];
	const char *only;    /* comma-separated name substrings, NULL: all */
	struct bench_idle idle[2];
	bool idle_done;
	double wall_s;
	struct cli_progress lines; /* not a terminal: a progress line every few s */
};

static bool wanted(const struct bench *b, const char *name)
{
	char buf[256], *save = NULL;

	if (b->only == NULL) {
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", b->only);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strstr(name, t) != NULL) {
			return true;
		}
	}
	return false;
}

/* The slot of the next figure: new in the first round, the same one again
 * in the others (every round runs the same list in the same order). */
static struct bench_result *slot(struct bench *b)
{
	struct bench_result *r;

	if (b->cursor == MAX_RESULTS) {
		return NULL;
	}
	r = &b->res[b->cursor];
	if (b->cursor >= b->n) {
		memset(r, 0, sizeof(*r));
		r->ratio = NAN;
		r->ok = true;
	}
	b->saved_ok = r->ok;
	snprintf(b->saved_err, sizeof(b->saved_err), "%s", r->err);
	return r;
}

static void progress(const struct bench *b, const struct bench_result *r)
{
	if (!b->cfg.verbose) {
		return;
	}
	if (!r->ok) {
		fprintf(stderr, "  %-32s FAILED: %s\n", r->name, r->err);
	} else if (r->kind == BENCH_ECHO) {
		fprintf(stderr, "  %-32s p50 %8.2f us  p99 %8.2f us\n", r->name, r->p50_us, r->p99_us);
	} else {
		fprintf(stderr, "  %-32s %12.0f msg/s %10.1f MB/s\n", r->name, r->messages_per_s,
			r->bytes_per_s / 1e6);
	}
}

/* After a figure ran (in this round): a failure in any round sticks. */
static void keep(struct bench *b, struct bench_result *r)
{
	bool failed_now = !r->ok || r->err[0] != '\0';

	if (failed_now && b->saved_ok) {
		r->ok = false;
		cli_err("bench: %s: %s", r->name, r->err);
	} else if (!b->saved_ok) {
		r->ok = false;
		snprintf(r->err, sizeof(r->err), "%s", b->saved_err);
	}
	r->rounds++;
	progress(b, r);
	{
		double el;

		if (cli_progress_due(&b->lines, &el)) {
			char of[16] = ""; /* the figure count is known after round 1 */

			if (b->round > 0) {
				snprintf(of, sizeof(of), "/%u", b->n);
			}
			fprintf(stderr, "ipc-emu bench: %.0f s, round %u/%u, figure %u%s (%s)\n", el,
				b->round + 1, b->cfg.rounds, b->cursor + 1, of, r->name);
		}
	}
	b->cursor++;
	if (b->cursor > b->n) {
		b->n = b->cursor;
	}
}

typedef void (*echo_fn)(const struct bench_cfg *, struct bench_shm *, struct bench_result *);

static void run_raw_echo(struct bench *b, const char *name, echo_fn fn)
{
	struct bench_result *r;

	if (!wanted(b, name) || (r = slot(b)) == NULL) {
		return;
	}
	fn(&b->cfg, b->shm, r);
	keep(b, r);
}

static void run_ipc(struct bench *b, const struct bench_ipc_case *k)
{
	struct bench_result *r = slot(b);

	if (r == NULL) {
		return;
	}
	bench_ipc_name(k, r); /* known before the run: --only filters on it */
	if (!wanted(b, r->name)) {
		return;
	}
	bench_ipc(&b->cfg, b->shm, k, r);
	keep(b, r);
}

static const struct bench_result *find(const struct bench *b, const char *name)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (strcmp(b->res[i].name, name) == 0 && b->res[i].ok) {
			return &b->res[i];
		}
	}
	return NULL;
}

static void run_round(struct bench *b, bool last)
{
	static const uint32_t ring_sizes[] = {16, 64, 256, 1024};
	static const uint32_t icb_full[] = {64, 128, 256, 512, 1024, 2048, 4096};
	static const uint32_t icb_quick[] = {64, 1024, 4096};
	static const unsigned ept_full[] = {1, 2, 4, 8, 16, 32, 64};
	static const unsigned ept_quick[] = {1, 64};
	static const unsigned inst_full[] = {1, 2, 4, 8};
	static const unsigned inst_quick[] = {1, 8};
	const bool q = b->cfg.quick;
	const uint32_t *icb = q ? icb_quick : icb_full;
	unsigned n_icb = q ? 3 : 7;
	const unsigned *ept = q ? ept_quick : ept_full;
	unsigned n_ept = q ? 2 : 7;
	const unsigned *inst = q ? inst_quick : inst_full;
	unsigned n_inst = q ? 2 : 4;
	struct bench_ipc_case k;

	if (b->cfg.verbose) {
		fprintf(stderr, "round %u of %u; baselines:\n", b->round + 1, b->cfg.rounds);
	}
	run_raw_echo(b, "raw_spin", bench_raw_spin);
	run_raw_echo(b, "raw_futex", bench_raw_futex);
	run_raw_echo(b, "raw_futex_relay", bench_raw_futex_relay);
	run_raw_echo(b, "raw_eventfd", bench_raw_eventfd);
	run_raw_echo(b, "socketpair", bench_socketpair);
	run_raw_echo(b, "raw_ring_echo", bench_raw_ring_echo);
	for (unsigned i = 0; i < 4; i++) {
		char name[32];
		struct bench_result *r;

		snprintf(name, sizeof(name), ring_sizes[i] == 64 ? "raw_ring" : "raw_ring_%u",
			 ring_sizes[i]);
		if (wanted(b, name) && (r = slot(b)) != NULL) {
			bench_raw_ring_stream(&b->cfg, b->shm, ring_sizes[i], r);
			keep(b, r);
		}
	}
	for (unsigned i = 0; i < n_icb; i++) {
		char name[32];
		struct bench_result *r;

		snprintf(name, sizeof(name), icb[i] == 4096 ? "memcpy" : "memcpy_%u", icb[i]);
		if (wanted(b, name) && (r = slot(b)) != NULL) {
			bench_memcpy(&b->cfg, icb[i], r);
			keep(b, r);
		}
	}

	if (b->cfg.verbose) {
		fprintf(stderr, "ICMsg echo (64 B):\n");
	}
	{
		static const struct {
			enum emu_doorbell db;
			bool isr;
			uint32_t bp;
		} echo[] = {
			{EMU_DOORBELL_FUTEX, true, 0},
			{EMU_DOORBELL_FUTEX, false, 0},
			{EMU_DOORBELL_EVENTFD, true, 0},
			{EMU_DOORBELL_EVENTFD, false, 0},
			{EMU_DOORBELL_FUTEX, true, CLI_DEFAULT_BUSY_POLL_US},
			{EMU_DOORBELL_EVENTFD, true, CLI_DEFAULT_BUSY_POLL_US},
			{EMU_DOORBELL_FUTEX, false, CLI_DEFAULT_BUSY_POLL_US},
		};
		for (unsigned i = 0; i < sizeof(echo) / sizeof(echo[0]); i++) {
			k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICMSG, .kind = BENCH_ECHO,
						    .doorbell = echo[i].db, .rx_in_isr = echo[i].isr,
						    .busy_poll_us = echo[i].bp, .size = 64,
						    .endpoints = 1};
			run_ipc(b, &k);
		}
	}
	if (b->cfg.verbose) {
		fprintf(stderr, "ICBMsg echo (64 B):\n");
	}
	for (int nc = 0; nc < 2; nc++) {
		k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG, .kind = BENCH_ECHO,
					    .doorbell = EMU_DOORBELL_FUTEX, .nocopy = nc, .size = 64,
					    .endpoints = 1};
		run_ipc(b, &k);
	}
	/* 8 KiB: more than half of either direction's blocks on the default
	 * board (the reply cannot wait inside the receive callback). */
	k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG, .kind = BENCH_ECHO,
				    .doorbell = EMU_DOORBELL_FUTEX, .size = BENCH_MAX_MSG,
				    .endpoints = 1};
	run_ipc(b, &k);
	if (b->cfg.verbose) {
		fprintf(stderr, "ICMsg streaming:\n");
	}
	for (unsigned i = 0; i < 4; i++) {
		k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICMSG, .kind = BENCH_STREAM,
					    .doorbell = EMU_DOORBELL_FUTEX, .size = ring_sizes[i],
					    .endpoints = 1};
		run_ipc(b, &k);
	}
	k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICMSG, .kind = BENCH_STREAM,
				    .doorbell = EMU_DOORBELL_FUTEX, .rx_in_isr = true, .size = 64,
				    .endpoints = 1};
	run_ipc(b, &k);
	if (b->cfg.verbose) {
		fprintf(stderr, "ICBMsg streaming:\n");
	}
	for (int nc = 0; nc < 2; nc++) {
		for (unsigned i = 0; i < n_icb; i++) {
			k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG,
						    .kind = BENCH_STREAM,
						    .doorbell = EMU_DOORBELL_FUTEX, .nocopy = nc,
						    .size = icb[i], .endpoints = 1};
			run_ipc(b, &k);
		}
	}
	for (int nc = 1; nc >= 0; nc--) {
		k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG, .kind = BENCH_STREAM,
					    .doorbell = EMU_DOORBELL_FUTEX, .nocopy = nc, .size = 4096,
					    .endpoints = 1, .scale = BENCH_SCALE_BIG};
		run_ipc(b, &k);
	}
	if (b->cfg.verbose) {
		fprintf(stderr, "ICBMsg v2 echo (64 B) and streaming:\n");
	}
	for (int nc = 0; nc < 2; nc++) {
		k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG, .kind = BENCH_ECHO,
					    .doorbell = EMU_DOORBELL_FUTEX, .nocopy = nc, .size = 64,
					    .endpoints = 1, .v2 = true};
		run_ipc(b, &k);
	}
	for (int nc = 0; nc < 2; nc++) {
		for (unsigned i = 0; i < n_icb; i++) {
			k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG,
						    .kind = BENCH_STREAM,
						    .doorbell = EMU_DOORBELL_FUTEX, .nocopy = nc,
						    .size = icb[i], .endpoints = 1, .v2 = true};
			run_ipc(b, &k);
		}
	}
	for (int nc = 1; nc >= 0; nc--) {
		k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG, .kind = BENCH_STREAM,
					    .doorbell = EMU_DOORBELL_FUTEX, .nocopy = nc, .size = 4096,
					    .endpoints = 1, .scale = BENCH_SCALE_BIG, .v2 = true};
		run_ipc(b, &k);
	}
	if (b->cfg.verbose) {
		fprintf(stderr, "ICBMsg scale (64 B copy streaming):\n");
	}
	for (unsigned i = 0; i < n_ept; i++) {
		k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG, .kind = BENCH_STREAM,
					    .doorbell = EMU_DOORBELL_FUTEX, .size = 64,
					    .endpoints = ept[i], .scale = BENCH_SCALE_EPT};
		run_ipc(b, &k);
	}
	for (unsigned i = 0; i < n_inst; i++) {
		k = (struct bench_ipc_case){.backend = EMU_BACKEND_ICBMSG, .kind = BENCH_STREAM,
					    .doorbell = EMU_DOORBELL_FUTEX, .size = 64,
					    .endpoints = 1, .instances = inst[i],
					    .scale = BENCH_SCALE_INST};
		run_ipc(b, &k);
	}
	if (last && wanted(b, "idle")) {
		if (b->cfg.verbose) {
			fprintf(stderr, "idle cost (%.1f s):\n", b->cfg.idle_s);
		}
		bench_idle_cost(&b->cfg, b->shm, 0, &b->idle[0]);
		bench_idle_cost(&b->cfg, b->shm, CLI_DEFAULT_BUSY_POLL_US, &b->idle[1]);
		b->idle_done = true;
		for (int i = 0; i < 2; i++) {
			if (!b->idle[i].ok) {
				cli_err("bench: idle cost: %s", b->idle[i].err);
			} else if (b->cfg.verbose) {
				fprintf(stderr, "  busy-poll %-3u us: host %.2f %%, remote %.2f %% of a CPU\n",
					b->idle[i].busy_poll_us, b->idle[i].cpu_percent[0],
					b->idle[i].cpu_percent[1]);
			}
		}
	}
}

/* The whole list, cfg.rounds times: a figure and its baseline are then
 * measured at several moments, so that a burst of load on the shared
 * machine does not fall on one of them only. */
static void run_all(struct bench *b)
{
	for (b->round = 0; b->round < b->cfg.rounds; b->round++) {
		b->cursor = 0;
		run_round(b, b->round + 1 == b->cfg.rounds);
	}
}

/* ---------------------------------------------------------------- ratios, goals */

static void set_ratio(struct bench *b, struct bench_result *r, const char *base, const char *of)
{
	const struct bench_result *x = find(b, base);

	snprintf(r->baseline, sizeof(r->baseline), "%s", base);
	r->ratio_of = of;
	if (x == NULL || !r->ok) {
		return;
	}
	if (strcmp(of, "rtt_p50") == 0) {
		r->ratio = x->p50_us > 0 ? r->p50_us / x->p50_us : NAN;
	} else if (strcmp(of, "messages_per_s") == 0) {
		r->ratio = x->messages_per_s > 0 ? r->messages_per_s / x->messages_per_s : NAN;
	} else if (strcmp(of, "bytes_per_s") == 0) {
		r->ratio = x->bytes_per_s > 0 ? r->bytes_per_s / x->bytes_per_s : NAN;
	} else { /* per_message_cost: (1 / ours) / (1 / base) */
		r->ratio = r->messages_per_s > 0 ? x->messages_per_s / r->messages_per_s : NAN;
	}
}

static void ratios(struct bench *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct bench_result *r = &b->res[i];
		char base[BENCH_NAME_LEN];

		if (strcmp(r->group, "baseline") == 0) {
			continue;
		}
		if (r->kind == BENCH_ECHO) {
			set_ratio(b, r,
				  r->busy_poll ? "raw_spin"
				  : strcmp(r->doorbell, "eventfd") == 0 ? "raw_eventfd"
									: "raw_futex",
				  "rtt_p50");
		} else if (strcmp(r->group, "icmsg_stream") == 0 ||
			   strcmp(r->group, "icmsg_stream_isr") == 0) {
			snprintf(base, sizeof(base), r->size == 64 ? "raw_ring" : "raw_ring_%u", r->size);
			set_ratio(b, r, base, "messages_per_s");
		} else if (strncmp(r->group, "icbmsg_v2_stream", 16) == 0) {
			/* v2 beside classic: the same figure, same board, same run */
			snprintf(base, sizeof(base), "icbmsg%s", r->name + 9);
			set_ratio(b, r, base, "bytes_per_s");
		} else if (strncmp(r->group, "icbmsg_stream", 13) == 0 ||
			   strncmp(r->group, "icbmsg_big", 10) == 0 ||
			   strncmp(r->group, "icbmsg_v2_big", 13) == 0) {
			snprintf(base, sizeof(base), r->size == 4096 ? "memcpy" : "memcpy_%u", r->size);
			set_ratio(b, r, base, "bytes_per_s");
		} else if (strcmp(r->group, "icbmsg_endpoints") == 0) {
			set_ratio(b, r, "icbmsg_endpoints_1", "per_message_cost");
		} else if (strcmp(r->group, "icbmsg_instances") == 0) {
			set_ratio(b, r, "icbmsg_instances_1", "per_message_cost");
		}
	}
}

struct goal {
	const char *figure;   /* the wording */
	const char *result;   /* our figure */
	const char *baseline;
	const char *of;       /* what is compared */
	bool at_most;         /* ratio <= limit (else >=) */
	double limit;
	/* measured */
	double ratio;
	bool measured, met;
	/* context: the same figure against a baseline of the same shape */
	const char *floor_baseline;
	double floor_ratio;
};

static struct goal goals[] = {
	{.figure = "ICMsg 64 B echo RTT, interrupt-thread receive, futex",
	 .result = "icmsg_echo_isr_futex", .baseline = "raw_futex", .of = "rtt_p50", .at_most = true,
	 .limit = 1.25},
	{.figure = "ICMsg 64 B echo RTT, work-queue receive", .result = "icmsg_echo_workq_futex",
	 .baseline = "raw_futex", .of = "rtt_p50", .at_most = true, .limit = 2.2,
	 .floor_baseline = "raw_futex_relay"},
	{.figure = "ICMsg 64 B echo RTT, busy-poll", .result = "icmsg_echo_isr_futex_busy_poll",
	 .baseline = "raw_spin", .of = "rtt_p50", .at_most = true, .limit = 3.0},
	{.figure = "ICMsg 64 B streaming", .result = "icmsg_stream_64", .baseline = "raw_ring",
	 .of = "messages_per_s", .at_most = false, .limit = 0.5},
	{.figure = "ICBMsg 4 KiB no-copy streaming", .result = "icbmsg_stream_nocopy_4096",
	 .baseline = "memcpy", .of = "bytes_per_s", .at_most = false, .limit = 0.25},
	{.figure = "ICBMsg v2 64 B echo RTT (receive in the interrupt context)",
	 .result = "icbmsg_v2_echo_copy_futex", .baseline = "raw_futex", .of = "rtt_p50",
	 .at_most = true, .limit = 1.3},
	{.figure = "ICBMsg v2 4 KiB no-copy streaming, 32 blocks of >= 4 KiB",
	 .result = "icbmsg_v2_stream_nocopy_4096_big", .baseline = "memcpy", .of = "bytes_per_s",
	 .at_most = false, .limit = 0.1},
	{.figure = "ICBMsg v2 vs classic, 4 KiB no-copy streaming, default board",
	 .result = "icbmsg_v2_stream_nocopy_4096", .baseline = "icbmsg_stream_nocopy_4096",
	 .of = "bytes_per_s", .at_most = false, .limit = 3.0},
	{.figure = "per-message cost, 64 vs 1 ICBMsg endpoints", .result = "icbmsg_endpoints_64",
	 .baseline = "icbmsg_endpoints_1", .of = "per_message_cost", .at_most = true, .limit = 1.5},
};
#define N_GOALS (sizeof(goals) / sizeof(goals[0]))

static void eval_goals(struct bench *b)
{
	for (unsigned i = 0; i < N_GOALS; i++) {
		struct goal *g = &goals[i];
		const struct bench_result *r = find(b, g->result);

		g->measured = r != NULL && !isnan(r->ratio) && find(b, g->baseline) != NULL;
		g->ratio = g->measured ? r->ratio : NAN;
		g->met = g->measured && (g->at_most ? g->ratio <= g->limit : g->ratio >= g->limit);
		g->floor_ratio = NAN;
		if (g->floor_baseline != NULL && r != NULL) {
			const struct bench_result *x = find(b, g->floor_baseline);

			if (x != NULL && x->p50_us > 0) {
				g->floor_ratio = r->p50_us / x->p50_us;
			}
		}
	}
}

/* ---------------------------------------------------------------- output */

static void print_table(const struct bench *b, FILE *f)
{
	fprintf(f, "%-32s %9s %9s %12s %10s  %-20s %7s\n", "figure", "p50 us", "p99 us", "msg/s",
		"MB/s", "baseline", "ratio");
	for (unsigned i = 0; i < b->n; i++) {
		const struct bench_result *r = &b->res[i];
		char p50[16] = "-", p99[16] = "-", ratio[16] = "-";

		if (!r->ok) {
			fprintf(f, "%-32s FAILED: %s\n", r->name, r->err);
			continue;
		}
		if (r->kind == BENCH_ECHO) {
			snprintf(p50, sizeof(p50), "%.2f", r->p50_us);
			snprintf(p99, sizeof(p99), "%.2f", r->p99_us);
		}
		if (!isnan(r->ratio)) {
			snprintf(ratio, sizeof(ratio), r->ratio < 0.1 ? "%.4f" : "%.2f", r->ratio);
		}
		fprintf(f, "%-32s %9s %9s %12.0f %10.1f  %-20s %7s\n", r->name, p50, p99,
			r->messages_per_s, r->bytes_per_s / 1e6, r->baseline[0] ? r->baseline : "-",
			ratio);
	}
	fprintf(f, "\nratio: p50 RTT / baseline's (echo), msg/s or bytes/s / baseline's "
		   "(streaming), per-message cost / 1-endpoint or 1-instance cost (scale)\n");
	if (b->idle_done) {
		for (int i = 0; i < 2; i++) {
			const struct bench_idle *d = &b->idle[i];

			if (d->ok) {
				fprintf(f, "idle cost, bonded ICMsg + ICBMsg peers, busy-poll %s: host "
					   "%.2f %% + remote %.2f %% of one CPU over %.1f s\n",
					d->busy_poll_us ? "50 us" : "off", d->cpu_percent[0],
					d->cpu_percent[1], d->seconds);
			}
		}
	}
	fprintf(f, "\ngoals:\n");
	for (unsigned i = 0; i < N_GOALS; i++) {
		const struct goal *g = &goals[i];
		char got[32] = "not measured";

		if (g->measured) {
			snprintf(got, sizeof(got), g->ratio < 0.1 ? "%.4f" : "%.2f", g->ratio);
		}
		fprintf(f, "  %-54s %s %.2f x %-18s measured %-12s %s\n", g->figure,
			g->at_most ? "<=" : ">=", g->limit, g->baseline, got,
			!g->measured ? "-" : g->met ? "met" : "NOT MET");
		if (!isnan(g->floor_ratio)) {
			fprintf(f, "  %-54s (%.2f x %s, the same path with plain futexes)\n", "",
				g->floor_ratio, g->floor_baseline);
		}
	}
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v)) {
		fputs("null", f);
	} else {
		fprintf(f, "%.6g", v);
	}
}

static const char *kind_name(enum bench_kind k)
{
	return k == BENCH_ECHO ? "echo" : k == BENCH_STREAM ? "stream" : "copy";
}

static int write_json(const struct bench *b, const char *path)
{
	FILE *f = cli_json_open(path);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (f == NULL) {
		cli_err("bench: cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(f, "{\n  \"tool\": \"ipc-emu bench\",\n  \"version\": \"%s\",\n", IPC_EMU_VERSION);
	fprintf(f, "  \"quick\": %s,\n  \"cpus\": %ld,\n  \"wall_s\": ", b->cfg.quick ? "true" : "false",
		cpus);
	json_num(f, b->wall_s);
	fprintf(f, ",\n  \"note\": \"ratios are same-run comparisons; absolute times on a shared "
		   "machine swing 2-4x between runs\",\n  \"results\": [\n");
	for (unsigned i = 0; i < b->n; i++) {
		const struct bench_result *r = &b->res[i];
		bool echo = r->kind == BENCH_ECHO && r->ok;

		fprintf(f, "    {\"name\": ");
		cli_json_str(f, r->name);
		fprintf(f, ", \"group\": ");
		cli_json_str(f, r->group);
		fprintf(f, ", \"kind\": \"%s\", \"ok\": %s, \"error\": ", kind_name(r->kind),
			r->ok ? "true" : "false");
		cli_json_str(f, r->ok ? NULL : r->err);
		fprintf(f, ",\n     \"message_size\": %u, \"doorbell\": ", r->size);
		cli_json_str(f, r->doorbell);
		fprintf(f, ", \"rx_in_isr\": %s, \"busy_poll\": %s, \"nocopy\": %s, \"endpoints\": %u, "
			   "\"instances\": %u,\n",
			r->rx_in_isr ? "true" : "false", r->busy_poll ? "true" : "false",
			r->nocopy ? "true" : "false", r->endpoints ? r->endpoints : 1,
			r->instances ? r->instances : 1);
		fprintf(f, "     \"count\": %" PRIu64 ", \"duration_s\": ", r->count);
		json_num(f, r->duration_s);
		fprintf(f, ", \"rtt_us\": {\"p50\": ");
		json_num(f, echo ? r->p50_us : NAN);
		fprintf(f, ", \"p99\": ");
		json_num(f, echo ? r->p99_us : NAN);
		fprintf(f, ", \"max\": ");
		json_num(f, echo ? r->max_us : NAN);
		fprintf(f, "},\n     \"messages_per_s\": ");
		json_num(f, r->ok ? r->messages_per_s : NAN);
		fprintf(f, ", \"bytes_per_s\": ");
		json_num(f, r->ok ? r->bytes_per_s : NAN);
		fprintf(f, ", \"retries\": %" PRIu64 ",\n     \"baseline\": ", r->retries);
		cli_json_str(f, r->baseline[0] ? r->baseline : NULL);
		fprintf(f, ", \"ratio_of\": ");
		cli_json_str(f, r->ratio_of);
		fprintf(f, ", \"ratio\": ");
		json_num(f, r->ratio);
		fprintf(f, ", \"doorbell_stats\": ");
		if (r->have_stats) {
			fprintf(f, "{\"host\": {\"signals\": %" PRIu64 ", \"wakeups\": %" PRIu64
				   "}, \"remote\": {\"signals\": %" PRIu64 ", \"wakeups\": %" PRIu64 "}}",
				r->signals[0], r->wakeups[0], r->signals[1], r->wakeups[1]);
		} else {
			fputs("null", f);
		}
		fprintf(f, "}%s\n", i + 1 < b->n ? "," : "");
	}
	fprintf(f, "  ],\n  \"goals\": [\n");
	for (unsigned i = 0; i < N_GOALS; i++) {
		const struct goal *g = &goals[i];

		fprintf(f, "    {\"figure\": ");
		cli_json_str(f, g->figure);
		fprintf(f, ", \"result\": ");
		cli_json_str(f, g->result);
		fprintf(f, ", \"baseline\": ");
		cli_json_str(f, g->baseline);
		fprintf(f, ", \"compare\": ");
		cli_json_str(f, g->of);
		fprintf(f, ", \"goal\": \"%s %.2f\", \"limit\": ", g->at_most ? "<=" : ">=", g->limit);
		json_num(f, g->limit);
		fprintf(f, ", \"ratio\": ");
		json_num(f, g->ratio);
		fprintf(f, ", \"met\": %s, \"floor_baseline\": ",
			!g->measured ? "null" : g->met ? "true" : "false");
		cli_json_str(f, g->floor_baseline);
		fprintf(f, ", \"floor_ratio\": ");
		json_num(f, g->floor_ratio);
		fprintf(f, "}%s\n", i + 1 < N_GOALS ? "," : "");
	}
	fprintf(f, "  ],\n  \"idle\": [");
	for (int i = 0; b->idle_done && i < 2; i++) {
		const struct bench_idle *d = &b->idle[i];

		fprintf(f, "%s\n    {\"busy_poll_us\": %u, \"ok\": %s, \"seconds\": ", i ? "," : "",
			d->busy_poll_us, d->ok ? "true" : "false");
		json_num(f, d->ok ? d->seconds : NAN);
		fprintf(f, ", \"cpu_percent\": {\"host\": ");
		json_num(f, d->ok ? d->cpu_percent[0] : NAN);
		fprintf(f, ", \"remote\": ");
		json_num(f, d->ok ? d->cpu_percent[1] : NAN);
		fprintf(f, ", \"total\": ");
		json_num(f, d->ok ? d->total_percent : NAN);
		fprintf(f, "}, \"goal\": \"< 1 %% with busy-poll off\", \"met\": ");
		if (d->ok && d->busy_poll_us == 0) {
			fputs(d->total_percent < 1.0 ? "true" : "false", f);
		} else {
			fputs("null", f);
		}
		fputs("}", f);
	}
	fprintf(f, "%s]\n}\n", b->idle_done ? "\n  " : "");
	if (cli_json_close(f) != 0) {
		cli_err("bench: cannot write %s", path);
		return -EIO;
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

void cli_help_bench(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu bench [--quick] [--json FILE] [--plot FILE.svg] [--only NAMES]\n"
		"                     [--quiet] [-v]\n"
		"\n"
		"Measures, in one run, raw baselines (raw_spin, raw_futex, raw_eventfd, socketpair,\n"
		"raw_ring, memcpy) and ipc-emu's ICMsg/ICBMsg figures (echo round trips with\n"
		"work-queue / interrupt-thread receive, futex / eventfd doorbells and busy-poll;\n"
		"classic ICBMsg echo at 64 B and 8 KiB, each side replying from a thread of its\n"
		"own, ICBMsg v2 echo replying from the interrupt context;\n"
		"streaming at several sizes; ICBMsg endpoint and instance scaling; idle CPU), and\n"
		"prints each figure with its ratio to its baseline and the performance goals\n"
		"of docs/benchmarks.md.\n"
		"A full run takes about 35 s (docs/benchmarks.md); --quick a few seconds (figures\n"
		"are rougher).\n"
		"\n"
		"  --quick        short measurements, fewer sizes\n"
		"  --json FILE    machine-readable report ('-': stdout, the table then on stderr)\n"
		"  --plot FILE    SVG with RTT distributions and throughput curves\n"
		"  --only NAMES   only the figures whose name contains one of the comma-separated\n"
		"                 NAMES (ratios need their baselines too)\n"
		"  --quiet        print nothing but errors (failed figures, on stderr)\n"
		"  -v, --verbose  each figure on stderr as it is measured\n"
		"When neither stdout nor stderr is a terminal, a progress line goes to stderr\n"
		"every 5 s (IPC_EMU_PROGRESS_S=SEC sets the period, 0: off; not with --quiet).\n"
		"\n"
		"Exit status: 0 measured (whether goals are met or not), 1 a figure failed,\n"
		"2 usage error.  Timings are noisy on shared machines: compare ratios of one run.\n");
}

int cli_bench_main(int argc, char **argv, int first)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, 'q'},   {"json", required_argument, NULL, 'j'},
		{"plot", required_argument, NULL, 'p'}, {"only", required_argument, NULL, 'o'},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
		{"quiet", no_argument, NULL, 'Q'},
		{NULL, 0, NULL, 0},
	};
	struct bench *b = calloc(1, sizeof(*b));
	const char *json = NULL, *plot = NULL;
	int opt, status = EXIT_PASS;
	bool quiet = false;
	uint64_t t0;

	if (b == NULL) {
		cli_err("bench: out of memory");
		return EXIT_INVARIANT;
	}
	optind = first;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+qj:p:o:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			b->cfg.quick = true;
			break;
		case 'j':
			json = optarg;
			break;
		case 'p':
			plot = optarg;
			break;
		case 'o':
			b->only = optarg;
			break;
		case 'v':
			b->cfg.verbose = true;
			break;
		case 'Q':
			quiet = true;
			break;
		case 'h':
			cli_help_bench(stdout);
			free(b);
			return EXIT_PASS;
		default:
			cli_err("bench: unknown or incomplete option '%s' (see 'ipc-emu help bench')",
				argv[optind - 1]);
			free(b);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("bench: unexpected argument '%s'", argv[optind]);
		free(b);
		return EXIT_USAGE;
	}
	/* Unwritable outputs are usage errors, found before a minute of work. */
	if ((json != NULL && cli_out_check("bench", "--json", json) < 0) ||
	    (plot != NULL && cli_out_check("bench", "--plot", plot) < 0)) {
		free(b);
		return EXIT_USAGE;
	}
	if (json != NULL && strcmp(json, "-") == 0) {
		cli_json_stdout(); /* stdout: the JSON only; the table goes to stderr */
	}
	cli_progress_init(&b->lines, quiet);
	/* Per round. */
	if (b->cfg.quick) {
		b->cfg.rounds = 1;
		b->cfg.echo_s = 0.05;
		b->cfg.stream_s = 0.04;
		b->cfg.idle_s = 0.3;
		b->cfg.max_rtt = 5000;
	} else {
		b->cfg.rounds = 3;
		b->cfg.echo_s = 0.2;
		b->cfg.stream_s = 0.15;
		b->cfg.idle_s = 3.0;
		b->cfg.max_rtt = BENCH_MAX_SAMPLES / 3;
	}
	b->shm = mmap(NULL, sizeof(*b->shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (b->shm == MAP_FAILED) {
		cli_err("bench: mmap: %s", strerror(errno));
		free(b);
		return EXIT_INVARIANT;
	}
	t0 = bench_now_ns();
	run_all(b);
	b->wall_s = (double)(bench_now_ns() - t0) / 1e9;
	ratios(b);
	eval_goals(b);
	if (!quiet) {
		print_table(b, stdout);
		printf("\n%u figures in %.1f s%s; machine shared and noisy: compare ratios of one "
		       "run\n",
		       b->n, b->wall_s, b->cfg.quick ? " (--quick)" : "");
		fflush(stdout);
	}
	for (unsigned i = 0; i < b->n; i++) {
		if (!b->res[i].ok) {
			status = EXIT_INVARIANT;
		}
	}
	if (b->idle_done && (!b->idle[0].ok || !b->idle[1].ok)) {
		status = EXIT_INVARIANT;
	}
	if (json != NULL && write_json(b, json) < 0) {
		status = EXIT_INVARIANT;
	}
	if (plot != NULL && bench_svg(plot, b->res, b->n, b->cfg.quick) < 0) {
		status = EXIT_INVARIANT;
	}
	munmap(b->shm, sizeof(*b->shm));
	for (unsigned i = 0; i < b->n; i++) {
		free(b->res[i].samples);
	}
	free(b);
	return status;
}
