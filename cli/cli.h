/*
 * cli.h - declarations shared by the files of the ipc-emu command line tool.
 */
#ifndef IPC_EMU_CLI_CLI_H
#define IPC_EMU_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ipc_emu/emu.h"
#include "../scenario/echo_server.h"
#include "../scenario/scenario.h"
#include "user_results.h"
#include "output.h" /* cli_err */
#include "rundir.h" /* cli_run_dir_create, cli_run_dir_remove */

/* Exit statuses of the tool (architecture.md, Reports). */
#define EXIT_PASS 0
#define EXIT_INVARIANT 1
#define EXIT_USAGE 2
#define EXIT_SKIP 77

#define CLI_DEFAULT_MESSAGES 10000u
#define CLI_DEFAULT_RAW_MESSAGES 100000u /* ipm-echo, mbox-pingpong: round trips */
#define CLI_DEFAULT_RX_BUF 128u
#define CLI_DEFAULT_TIMEOUT_S 120.0
#define CLI_VALGRIND_SCALE 20.0
#define CLI_DEFAULT_BUSY_POLL_US 50u

enum cli_cmd { CLI_CMD_RUN, CLI_CMD_PEER };

/* options.c: the largest message (header included) an ICMsg ring of
 * `region_size` bytes can hold, for the given dcache-alignment and handshake
 * (unbound != disable). */
uint32_t scn_ring_capacity(uint64_t region_size, uint32_t dcache_alignment, bool handshake);

#define CLI_MAX_KCONFIG 8 /* per core, as zephyr-build's ZB_MAX_KCONFIG */

struct cli_opts {
	enum cli_cmd cmd;
	const char *dts[2];
	unsigned n_dts;
	enum emu_backend backend;
	const char *instance;      /* NULL: first instance of the backend */
	int unbound;               /* 0: from devicetree, else enum emu_unbound */
	uint64_t messages;
	unsigned endpoints;        /* 0: default (4 for icbmsg, 1 for icmsg) */
	bool nocopy;
	enum scn_scenario scenario;
	const char *json;
	enum emu_doorbell doorbell;
	bool doorbell_set;
	bool valgrind;
	bool rx_in_isr;
	uint32_t rx_buf_size;
	uint64_t seed;
	unsigned kill_random;
	double timeout_s;          /* 0: none */
	bool timeout_set;
	bool quiet;
	bool messages_set;
	int mbox_mode;             /* enum scn_mbox_mode */
	bool mbox_mode_set;
	bool ipm_console;
	bool cache_model;          /* private per-peer cache over the shared regions */
	const char *crash_point;   /* [host:|remote:]NAME[@N], NULL: none */
	uint32_t busy_poll_us;     /* 0: off */
	const char *prog[2];       /* run: user programs as host/remote peers */
	int prog_argc;             /* run: arguments after "--" for the programs */
	char **prog_argv;
	const char *trace;         /* run: Chrome/Perfetto trace JSON */
	const char *junit;         /* run: --junit FILE (ztest results of user programs) */
	int kill_role;             /* run: --kill-role: -1 any, else enum emu_role */
	bool kill_role_set;        /* run: --kill-role given (even "any") */
	const char *zephyr_base[2]; /* run: per role, a Zephyr tree; NULL: ipc-emu's core */
	const char *schedule;      /* run: --schedule coop|parallel|random; NULL: coop */
	const char *sanitize;      /* run: --sanitize SET (zb_sanitize_set()) for --zephyr-base */
	bool no_zephyr_base;       /* run: --no-zephyr-base ($ZEPHYR_BASE is not read) */
	bool zephyr_base_env;      /* run: zephyr_base[] came from $ZEPHYR_BASE */
	bool zephyr_apps;          /* run: the programs are emu/zephyr_apps' echo pair
				    * (set by the --zephyr-base path, not an option) */
	/* run: --kconfig (both cores), --host-kconfig, --remote-kconfig files for
	 * the cores' zephyr-build, in command-line order */
	const char *kconfig[2][CLI_MAX_KCONFIG];
	int n_kconfig[2];
	unsigned mem_limit_mib;    /* run, peer: --mem-limit; 0: EMU_DT_MEM_LIMIT_DEFAULT */
	uint32_t icbmsg_version;   /* run, peer: --icbmsg-version; 0: the devicetree's
				    * ipc-emu,icbmsg-version, else v2 (enum emu_icbmsg_version) */
	uint32_t max_active_count; /* run, peer: --max-active-count; 0: 16 */
	/* peer only */
	enum emu_role role;
	bool role_set;
	const char *segment;
	int fds[4];                /* mem, ctl, efd host, efd remote; -1 = none */
	bool have_fds;
};

/* Parse argv[first..argc) for cmd.  On a usage error prints one line on
 * stderr and returns -1; returns 1 when --help was printed; else 0. */
int cli_parse(enum cli_cmd cmd, int argc, char **argv, int first, struct cli_opts *o);

/* The devicetree plans of both roles and the chosen instance. */
struct cli_config {
	struct emu_dt_plan host, remote;
	const struct emu_dt_inst *inst_host, *inst_remote;
	int unbound;       /* effective mode (enum emu_unbound) */
	unsigned endpoints;/* effective K */
	uint32_t max_len;  /* largest scenario message, header included */
	/* Raw scenarios: inst_host/inst_remote point here (label = the device). */
	struct emu_dt_inst raw_inst;
	uint32_t raw_mtu;  /* mbox-pingpong data mode: message size */
	uint32_t icbmsg_version; /* ICBMsg instance: the version both peers run */
};

/* Load and check the configuration; on error, one line in err (no prefix)
 * and a negative errno. */
int cli_load_config(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen);

/* The rest of cli_load_config once c->host and c->remote hold the plans
 * (the instance, unbound mode, K, largest message); multicore.c gives it a
 * link's two plans.  0, or a negative errno with one line in err. */
int cli_config_finish(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen);

/* Scenario parameters of one role from options and configuration. */
void cli_scn_params(const struct cli_opts *o, const struct cli_config *c, enum emu_role role,
		    struct scn_params *p);

const char *cli_unbound_name(int mode);
const char *cli_doorbell_name(enum emu_doorbell d);
const char *cli_backend_name(enum emu_backend b);

/* Help texts. */
/* The part of a user program's environment that two-core and multi-core
 * runs share (docs/zephyr-compat.md): RX in ISR, busy poll, seed,
 * schedule, timeout, RX buffer size.  Single-threaded callers (setenv). */
void cli_program_env_common(const struct cli_opts *o);
void cli_help_main(FILE *f);
void cli_help_run(FILE *f);
void cli_help_peer(FILE *f);

/* Commands. */
int cli_run(const struct cli_opts *o);
int cli_peer(const struct cli_opts *o);

/* --crash-point [host:|remote:]NAME[@N] */
struct cli_crash {
	char name[48];
	unsigned nth;    /* >= 1 */
	unsigned roles;  /* bit 0 host, bit 1 remote */
};
/* 0, or -EINVAL with a one-line reason in err (may be NULL). */
int cli_parse_crash(const char *v, struct cli_crash *out);
/* NULL-terminated list of the crash points of the core. */
extern const char *const cli_crash_points[];
/* NULL-terminated list of the crash points at the Zephyr shim's boundaries
 * (emu/zephyr_*.c): they fire in --host/--remote programs and --zephyr-base
 * runs only. */
extern const char *const cli_shim_crash_points[];
/* True if `name` (a parsed cli_crash name) is one of the shim's. */
bool cli_crash_is_shim(const char *name);

/* Commands with their own option parsing: argv[first..argc). */
int cli_check_main(int argc, char **argv, int first);  /* check.c */
int cli_clean_main(int argc, char **argv, int first);  /* clean.c */
int cli_stress_main(int argc, char **argv, int first); /* stress.c */
int cli_bench_main(int argc, char **argv, int first);  /* bench.c */
int cli_inspect_main(int argc, char **argv, int first);/* inspect.c */
int cli_zephyr_config_main(int argc, char **argv, int first); /* zephyr_config.c */
void cli_help_zephyr_config(FILE *f);
void cli_help_bench(FILE *f);
void cli_help_inspect(FILE *f);
void cli_help_check(FILE *f);
void cli_help_clean(FILE *f);
void cli_help_stress(FILE *f);

/* Report built from both app areas plus what the supervisor saw. */
struct cli_peer_result {
	int exit_status;      /* 0.., 128+signal, -1 unknown */
	int valgrind_errors;  /* -1 when not run under valgrind */
	unsigned restarts;
};

struct cli_report {
	const struct cli_opts *opts;
	const struct cli_config *cfg;
	const struct scn_area *area[2]; /* snapshots */
	struct cli_peer_result peer[2];
	unsigned crashes_injected, restarts;
	unsigned crash_points;  /* of crashes_injected: --crash-point hits */
	unsigned cycles;        /* peer resets (kills + crash points) */
	unsigned rebonds;       /* resets followed by unbound() (if bound) and a re-bond */
	unsigned overlapped;    /* resets during the recovery of the previous one */
	unsigned epochs;        /* restarts of both peers (ICBMsg recovery) */
	bool hang;
	bool stalled;           /* the hang: no progress for stall_s */
	bool user_programs;     /* --host/--remote: no scenario counters to check */
	double stall_s;
	int interrupted;      /* signal number, 0 if none */
	bool peer_mode;       /* built by `ipc-emu peer` (one side's view) */
	unsigned kills_planned;
	double duration_s;
	unsigned leaked_shm, leaked_processes;
	const char *doorbell;
	/* computed by cli_report_eval */
	bool ok;
	char reason[640];
};

void cli_report_eval(struct cli_report *r);

/* What `ipc-emu stress` keeps of one run (totals of both roles). */
struct cli_run_summary {
	int status;             /* exit status of the run */
	bool ok, hang, blocks_measured;
	unsigned cycles, rebonds, overlapped, crashes_injected, restarts, epochs;
	uint64_t sent, received, corrupted, duplicated, reordered, lost, lost_across;
	uint64_t bonds, unbounds, blocks_in_use;
	int valgrind_errors;
	unsigned leaked_shm, leaked_processes;
	double duration_s;
	char reason[640];
};
void cli_report_summary(const struct cli_report *r, struct cli_run_summary *sum);
/* cli_run() that also fills *sum (if not NULL) and prints nothing with
 * o->quiet. */
int cli_run_ex(const struct cli_opts *o, struct cli_run_summary *sum);
/* The --zephyr-base path of cli_run(): build the echo apps, then
 * cli_run_ex(); stress.c runs its sessions through it. */
int cli_run_zephyr(const struct cli_opts *o, struct cli_run_summary *sum);

/* What run.c read from the echo apps' lines (--zephyr-base), per role:
 * echoed/streamed from the last "summary:" line, the rest counted over the
 * lines of every incarnation (a killed one prints no summary). */
struct cli_zapp_counts {
	bool summary[2];
	uint64_t echoed[2], streamed[2], sent[2];
	uint64_t corrupted[2], duplicated[2], lost[2];
	unsigned resumes[2];
};
/* report.c: the counts of the run being reported (NULL: none). */
void cli_report_set_zapps(const struct cli_zapp_counts *z);
void cli_report_print(const struct cli_report *r, FILE *f);
/* 0 or -errno (message on stderr). */
int cli_report_json(const struct cli_report *r, const char *path);
/* The JSON object of cli_report_json, written to f. */
void cli_report_json_write(const struct cli_report *r, FILE *f);

/* multicore.c: `ipc-emu run` with more than two cores (--dts A,B,C...,
 * --core NAME=FILE) and the hidden `ipc-emu core` process of one core. */
bool cli_mc_wanted(int argc, char **argv, int first);
int cli_mc_run_main(int argc, char **argv, int first);
int cli_mc_core_main(int argc, char **argv, int first);

/* Number of /dev/shm entries whose name starts with `prefix`. */
unsigned cli_count_shm(const char *prefix);

/* run.c, shared with multicore.c (one two-core unit per link):
 * cli_decode_status: a waitpid status as an exit status (128+N: signal N).
 * cli_area_acc_add: add the counters that add up across epochs.
 * cli_area_new_epoch: both peers are dead: keep their counters in acc[],
 *   give each a fresh scenario area on the same memory (boots go on).
 * cli_clear_regions: zero an instance's two regions (no peer runs).
 * cli_rebonded: a reset is recovered (both bonded again since bonds_at_kill,
 *   and the survivor, if it was bound, saw unbound()).
 * cli_prepare_areas / cli_set_finish_hold: --kill-random holds DONE back.
 * cli_area_activity: a sum of counters that any progress moves. */
int cli_decode_status(int st);
/* SIGKILL pid and reap it: 0 the kill took it, 1 it had exited on its own
 * just before (*status: its exit status; nothing was injected), -1 waitpid
 * failed. */
int cli_kill_reap(pid_t pid, int *status);
void cli_area_acc_add(struct scn_area *to, const struct scn_area *from);
void cli_area_new_epoch(struct emu_segment *seg, struct scn_area acc[2]);
void cli_clear_regions(struct emu_segment *seg, const struct emu_dt_inst *in);
bool cli_rebonded(const struct emu_segment *seg, const uint64_t bonds_at_kill[2], int survivor,
		  bool expect_unbound, uint64_t unbounds_at_kill);
void cli_prepare_areas(struct emu_segment *seg, uint64_t messages, uint64_t endpoints);
void cli_set_finish_hold(struct emu_segment *seg, bool hold);
uint64_t cli_area_activity(const struct emu_segment *seg);

/* icbmsg_version.c: the ICBMsg version of a Zephyr tree's
 * backends/ipc_icbmsg.c (enum emu_icbmsg_version), 0 when it has none. */
uint32_t cli_tree_icbmsg_version(const char *tree);
/* options.c: "classic" or "v2". */
const char *cli_icbmsg_version_name(uint32_t v);

/* options.c: a decimal, 0x hex or 0 octal number in [0, max], nothing else
 * (no sign, no trailing text).  false if s is not one. */
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* options.c: a `--core NAME=FILE` value (run, stress, inspect, check).
 * 0: v is NAME=FILE (a '=' after a non-empty NAME, a non-empty FILE) of
 * fewer than cap bytes (cap 0: any length); *name_len (if not NULL) is
 * NAME's length, FILE starts at v + *name_len + 1, and with a store (cap
 * bytes) v is copied there and spec's name and path point into the copy.
 * -1: not NAME=FILE; -2: v has cap bytes or more (nothing stored).
 * Without a store (NULL) only the shape and the length are checked. */
struct emu_topo_core_spec;
int cli_core_spec_split(const char *v, char *store, size_t cap, struct emu_topo_core_spec *spec,
			size_t *name_len);
/* report.c: s as a JSON string ("null" for NULL); quotes, backslashes,
 * control and non-ASCII bytes escaped, so any bytes give valid JSON. */
void cli_json_str(FILE *f, const char *s);

/* report.c: output files and progress shared by run, stress, bench, inspect.
 * cli_out_check: 0 if `path` ("-": stdout) can be written (checked before a
 * run, nothing created), else one line "ipc-emu: CMD: OPT: cannot write
 * PATH: REASON" and -errno.  cli_out_writable: the same check, silent. */
int cli_out_check(const char *cmd, const char *opt, const char *path);
int cli_out_writable(const char *path);
/* run.c: the errors one valgrind log reports (--valgrind). */
int cli_vg_log_errors(FILE *f);
/* --json -: keep the real stdout for the JSON and send every other output
 * (ours, the peers', user programs') to stderr.  Call before any output. */
void cli_json_stdout(void);
/* fopen(path) for writing, or the real stdout for "-" (a duplicate: always
 * close it with cli_json_close, which returns 0 or -EIO). */
FILE *cli_json_open(const char *path);
int cli_json_close(FILE *f);
/* Progress lines for logs: on when neither stdout nor stderr is a
 * terminal and not --quiet; every IPC_EMU_PROGRESS_S seconds (default 5,
 * 0: off).  cli_progress_due: true (and the elapsed seconds) when a line is
 * due. */
#define CLI_PROGRESS_DEFAULT_S 5.0
struct cli_progress {
	bool on;
	double t0_s, every_s, next_s;
};
void cli_progress_init(struct cli_progress *p, bool quiet);
bool cli_progress_due(struct cli_progress *p, double *elapsed_s);
/* JUnit XML with one <testsuite> of n cases (a failure's message is its
 * reason line); 0 or -errno (message on stderr). */
struct cli_junit_case {
	const char *classname, *name;
	double time_s;
	bool ok;
	const char *message;
};
int cli_junit_write(const char *path, const char *suite, const struct cli_junit_case *c,
		    unsigned n);
/* run --junit: the ztest results of user programs, else one case for the
 * scenario run. */
int cli_report_junit_run(const struct cli_report *r, const char *path);

#endif /* IPC_EMU_CLI_CLI_H */
