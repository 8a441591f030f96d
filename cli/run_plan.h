/*
 * run_plan.h - what `ipc-emu run` resolves before it creates anything
 * (cli/run_plan.c).
 *
 * cli_run_ex() is two steps: cli_run_plan_make() reads the options, the
 * devicetree and the environment into one plan, where every usage error is
 * found; then the supervisor (run.c) runs the plan and goes back to neither
 * the options nor the devicetree.
 */
#ifndef IPC_EMU_CLI_RUN_PLAN_H
#define IPC_EMU_CLI_RUN_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define CLI_RUN_MAX_KILLS 1000u /* --kill-random's bound (cli_parse) */

struct cli_run_plan {
	const struct cli_opts *o;    /* the options, as parsed */
	struct cli_config cfg;       /* devicetree plans, the instance, effective K */
	bool user;                   /* --host/--remote: user programs, not our peers */
	bool watch_stall;            /* our peers, a message scenario: hang watch on */
	char self[PATH_MAX];         /* this binary, resolved: the peers exec it */
	char valgrind[PATH_MAX];     /* --valgrind: the tool */
	struct emu_segment_cfg seg;  /* the shared-memory image to create */
	/* The peers' command lines (run.c build_argv) and the programs'
	 * environment (user_env): the options as text. */
	char messages_arg[32], endpoints_arg[16], rxbuf_arg[32], seed_arg[32];
	char busy_poll_arg[32], mem_limit_arg[32], max_active_arg[40];
	char dts_arg[8200];          /* --dts A or A,B ("" without) */
	const char *backend_name;
	const char *unbound_name;    /* NULL: the devicetree's mode */
	const char *icbmsg_version_name; /* NULL: the devicetree's version */
	const char *doorbell_name;   /* for the report */
	/* --crash-point: the environment of an armed incarnation, and which
	 * roles start armed. */
	char crash_env[96];
	bool crash_armed[2];
	/* --kill-random: the moments (fractions of the run's messages, or for
	 * user programs unused), ascending; the generator's state after them. */
	double kill_at[CLI_RUN_MAX_KILLS];
	uint64_t rng;
	/* Liveness: no progress for stall_s is a hang (stall_legacy_s after a
	 * reset in ICMsg legacy mode), a failed peer leaves its partner
	 * fail_grace_s; timeout_ns 0: none. */
	double stall_s, stall_legacy_s, fail_grace_s;
	uint64_t timeout_ns;
	uint64_t total;              /* messages of the whole run (progress) */
};

/* Resolve `o` into *p.  0, or the exit status (EXIT_USAGE, EXIT_SKIP,
 * EXIT_INVARIANT) with one line in err (no "ipc-emu: " prefix).  Creates
 * nothing.  The devicetree's warnings stay in p->cfg (none when it was
 * refused).  p must stay in place while the run uses it. */
int cli_run_plan_make(const struct cli_opts *o, struct cli_run_plan *p, char *err,
		      size_t errlen);

/* --zephyr-base (cli_run_zephyr): the echo apps of emu/zephyr_apps built
 * against the trees, run as user programs.  Everything but the build is
 * resolved first, the run's own plan included, so that a usage error is
 * found before anything is built or created; the build then fills progs[]
 * (opts.prog[] point there) and the run runs `run`. */
struct cli_zephyr_plan {
	struct cli_opts opts;        /* the run's: the trees' ICBMsg version, the apps' scenario */
	struct cli_config cfg;       /* --backend/--instance: the instance the apps open */
	char dts[8200];              /* --dts A or A,B for the build ("" without) */
	const char *instance[2];     /* per role: that instance's label, NULL: ipc0 */
	int instance_icbmsg[2];      /* 1 ICBMsg, -1 another backend, 0 ipc0 */
	char progs[2][4200];         /* the built programs */
	struct cli_run_plan run;     /* the run of opts */
};

/* Resolve `o` (zephyr_base set) into *z: 0, or the exit status with one line
 * in err, as cli_run_plan_make (whose devicetree warnings stay in z->run.cfg).
 * Creates and builds nothing.  z must stay in place while the run uses it. */
int cli_run_plan_zephyr(const struct cli_opts *o, struct cli_zephyr_plan *z, char *err,
			size_t errlen);

/* --kill-random's moments (o->kill_random of them, at most
 * CLI_RUN_MAX_KILLS): progress fractions, ascending, into kill_at; *rng is
 * the generator's state after them (from o->seed). */
void cli_run_plan_kills(const struct cli_opts *o, double *kill_at, uint64_t *rng);

/* The run's random generator (splitmix64): --seed decides every kill. */
uint64_t cli_run_rng_next(uint64_t *state);
double cli_run_rng_unit(uint64_t *state); /* [0, 1) */

#endif /* IPC_EMU_CLI_RUN_PLAN_H */
