/*
 * cli.h - declarations shared by the files of the ipc-emu command line tool.
 */
#ifndef IPC_EMU_CLI_CLI_H
#define IPC_EMU_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ipc_emu/emu.h"
#include "scenario.h"

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

enum cli_cmd { CLI_CMD_RUN, CLI_CMD_PEER };

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
};

/* Load and check the configuration; on error, one line in err (no prefix)
 * and a negative errno. */
int cli_load_config(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen);

/* Scenario parameters of one role from options and configuration. */
void cli_scn_params(const struct cli_opts *o, const struct cli_config *c, enum emu_role role,
		    struct scn_params *p);

const char *cli_unbound_name(int mode);
const char *cli_doorbell_name(enum emu_doorbell d);
const char *cli_backend_name(enum emu_backend b);

/* Help texts. */
void cli_help_main(FILE *f);
void cli_help_run(FILE *f);
void cli_help_peer(FILE *f);

/* Commands. */
int cli_run(const struct cli_opts *o);
int cli_peer(const struct cli_opts *o);

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
	bool hang;
	int interrupted;      /* signal number, 0 if none */
	bool peer_mode;       /* built by `ipc-emu peer` (one side's view) */
	unsigned kills_planned;
	double duration_s;
	unsigned leaked_shm, leaked_processes;
	const char *doorbell;
	/* computed by cli_report_eval */
	bool ok;
	char reason[256];
};

void cli_report_eval(struct cli_report *r);
void cli_report_print(const struct cli_report *r, FILE *f);
/* 0 or -errno (message on stderr). */
int cli_report_json(const struct cli_report *r, const char *path);

/* Number of /dev/shm entries whose name starts with `prefix`. */
unsigned cli_count_shm(const char *prefix);

/* "ipc-emu: <msg>" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* IPC_EMU_CLI_CLI_H */
