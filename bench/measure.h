/*
 * measure.h - the measuring machinery of `ipc-emu bench` (bench/), shared
 * by the baselines (raw.h), our figures (ipc.h) and the command
 * (cli/bench.c).
 *
 * Every figure is measured by two forked processes (never exec'ed: the
 * bench process itself stays single-threaded, so fork is safe) that share
 * a struct bench_shm (an anonymous MAP_SHARED mapping made before the
 * fork).  The parent only forks, waits and reduces what the children wrote.
 *
 *   bench/measure.c  this header: fork, flags, supervision, reduction
 *   bench/raw.c      baselines: raw_spin, raw_futex, raw_eventfd, socketpair,
 *                    raw_ring (echo and streaming), memcpy
 *   bench/ipc.c      ICMsg / ICBMsg echo and streaming over emu boards, idle cost
 *   cli/bench.c      the command: options, the list of figures, table, JSON, goals
 *   cli/bench_svg.c  --plot
 */
#ifndef IPC_EMU_BENCH_MEASURE_H
#define IPC_EMU_BENCH_MEASURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ipc_emu/emu.h"

#define BENCH_MAX_SAMPLES (1u << 17) /* RTT samples kept per figure */
#define BENCH_QUANTILES 101          /* kept per echo figure for the plot */
#define BENCH_NAME_LEN 48
#define BENCH_MAX_MSG 8192           /* largest message of a figure (ICBMsg echo) */

enum bench_kind {
	BENCH_ECHO = 0,   /* round trips: rtt_us; messages_per_s = round trips/s */
	BENCH_STREAM = 1, /* one-way stream: messages_per_s, bytes_per_s */
	BENCH_COPY = 2,   /* memcpy in one process: bytes_per_s */
	BENCH_IDLE = 3,   /* bonded, then nothing (idle cost; not a result) */
};

/* What the two children of a figure share. */
struct bench_shm {
	_Alignas(64) uint32_t ready[2];   /* child r is set up (bound): futex word */
	_Alignas(64) uint32_t go;         /* parent: measure now */
	_Alignas(64) uint32_t stop;       /* host (or parent): finish and exit */
	_Alignas(64) uint32_t done;       /* the measuring side has finished */
	_Alignas(64) uint64_t sent;       /* messages sent (host) */
	uint64_t received;                /* messages received (remote, streaming) */
	uint64_t bytes;                   /* payload bytes received */
	uint64_t t0_ns, t1_ns;            /* first send, last receive (CLOCK_MONOTONIC) */
	uint64_t retries;                 /* sends retried on a full ring / no blocks */
	uint64_t signals[2], wakeups[2];  /* emu_core_get_stats() of each side at the end */
	uint32_t n_rtt;
	char err[256];                    /* first failure, one line */
	_Alignas(64) uint8_t line[2][64]; /* raw baselines: private lines */
	uint32_t rtt_ns[BENCH_MAX_SAMPLES];
};

/* One figure of the report. */
struct bench_result {
	char name[BENCH_NAME_LEN];
	char group[24];          /* "baseline", "icmsg_echo", "icbmsg_stream", ... */
	enum bench_kind kind;
	uint32_t size;           /* payload bytes per message */
	const char *doorbell;    /* NULL: not applicable */
	bool rx_in_isr, busy_poll, nocopy;
	unsigned endpoints, instances;
	bool ok;
	char err[256];
	/* measured */
	uint64_t count;          /* round trips or messages */
	double duration_s;
	double p50_us, p99_us, max_us; /* echo only */
	double messages_per_s, bytes_per_s;
	uint64_t retries;
	bool have_stats;         /* ours: doorbell counters of both cores */
	uint64_t signals[2], wakeups[2];
	float quantile_us[BENCH_QUANTILES]; /* echo only: RTT at 0, 1, ... 100 % */
	/* accumulated over the rounds of the run (figures are interleaved) */
	unsigned rounds;
	uint32_t *samples, n_samples; /* echo: RTT ns of every round */
	uint64_t acc_count, acc_bytes;
	double acc_s;
	/* comparison */
	char baseline[BENCH_NAME_LEN]; /* "" for baselines themselves */
	const char *ratio_of;    /* "rtt_p50", "messages_per_s", "bytes_per_s" */
	double ratio;            /* ours / baseline (NAN if unknown) */
};

struct bench_cfg {
	bool quick;
	double echo_s;      /* time budget of one echo figure */
	double stream_s;    /* of one streaming figure */
	double idle_s;      /* idle-cost measurement */
	uint32_t max_rtt;   /* round trips per echo figure (per round) at most */
	unsigned rounds;    /* the list of figures runs this many times, interleaved */
	bool verbose;
};

/* Fork two children running fn(role, arg, shm); 0 if both exited 0, else
 * -1 with shm->err (or a generic line) in err.  timeout_s: both are killed
 * after it.  The parent clears *shm first. */
typedef int (*bench_child_fn)(int role, void *arg, struct bench_shm *shm);
int bench_fork2(struct bench_shm *shm, bench_child_fn fn, void *arg, double timeout_s,
		char *err, size_t errlen);

/* The same, calling monitor(pids, shm, marg) in the parent once both
 * children are ready, then setting shm->stop (and waking it). */
typedef int (*bench_monitor_fn)(const pid_t pid[2], struct bench_shm *shm, void *marg);
int bench_fork2_ex(struct bench_shm *shm, bench_child_fn fn, void *arg, bench_monitor_fn monitor,
		   void *marg, double timeout_s, char *err, size_t errlen);

/* Sending side at the end of a stream: publish `sent`, wait (up to 5 s,
 * yielding) until the receiver has counted them all, stamp t1_ns, set stop. */
void bench_stream_finish(struct bench_shm *shm, uint64_t sent);
void bench_sleep_s(double s);
/* Sum of the first field of <dir>/<tid>/schedstat (ns on CPU), in seconds. */
double bench_task_cpu_s(const char *dir);

/* Wait until *word != 0 or timeout_ms (< 0: forever), sleeping on a futex.
 * Returns true if set. */
bool bench_wait_flag(uint32_t *word, int timeout_ms);
/* *word = 1 and wake its waiters. */
void bench_set_flag(uint32_t *word);
/* Record the first failure of a child (one line). */
void bench_fail(struct bench_shm *shm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

uint64_t bench_now_ns(void);
void bench_relax(void);
/* Add shm->rtt_ns[skip..n_rtt) to r's samples; p50/p99/max/quantiles of
 * all of them. */
void bench_reduce_rtt(struct bench_result *r, const struct bench_shm *shm, uint32_t skip);
/* Add this round's sent/received/bytes/t0/t1 to r; rates over all rounds. */
void bench_reduce_stream(struct bench_result *r, const struct bench_shm *shm);

#endif /* IPC_EMU_BENCH_MEASURE_H */
