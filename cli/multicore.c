/*
 * multicore.c - `ipc-emu run` with more than two cores (docs/multicore.md):
 * `--dts A,B,C[,...]` (3..8 files) or `--core NAME=FILE` (2..8).
 *
 * The topology (include/ipc_emu/topology.h) pairs instances into links.
 * The SoC is one segment (emu/soc.h): one memory image spanning the
 * regions of every link at their devicetree addresses, one control block
 * with one interrupt context (pending word, doorbell, status) per core.
 * Each link is a two-core unit on its view of that segment: the same
 * scenario engine and app areas as a two-core run, its first core as the
 * host role.  Each core is one process (the hidden `ipc-emu core`), which
 * runs one thread per link it takes part in, each as `ipc-emu peer --fds`
 * runs its side, and one interrupt thread for all of them (the cores of
 * its links share their core's context, emu/core.c); its exit status is
 * the worst of its links'.  Killing that process resets the core: all its
 * links at once.
 *
 * The supervisor is run.c's, one level up: single-threaded, it plans
 * everything first (usage errors before anything is created), creates the
 * segments, removes their names at once, spawns the cores (each dies with
 * it: PR_SET_PDEATHSIG) and polls: waitpid(WNOHANG), progress, stall and
 * --timeout, SIGINT/SIGTERM.  A killed core restarts; a link touching it
 * recovers by its backend's rule (run.c's): ICMsg, the other core survives
 * and must see unbound() and re-bond; ICBMsg (no reset protocol), the
 * other core is restarted too, and its other links recover by their own
 * rule.  A link touching no restarted core must see no unbound(), no new
 * epoch and no lost, duplicated or corrupted message.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../emu/soc.h"
#include "../emu/trace.h"
#include "run_plan.h"
#include "ipc_emu/topology.h"

#define MC_POLL_NS 1000000L
#define MC_STALL_S 10.0      /* no progress on any link for this long: a hang */
#define MC_FAIL_GRACE_S 2.0  /* after a core failed, time left to the others */
#define MC_MAX_ARGS 48       /* of the user's, besides the core's own */
#define MC_KILL_PROG_MIN_MS 1.0  /* --core-prog: kill delays, as run.c's user programs */
#define MC_KILL_PROG_MAX_MS 20.0

/* Options of run that a multi-core run takes as they are (cli_parse reads
 * them); `true`: takes a value. */
static const struct {
	const char *name;
	bool arg;
} mc_common[] = {
	{"messages", true},    {"seed", true},	      {"rx-buf-size", true},
	{"doorbell", true},    {"timeout", true},     {"quiet", false},
	{"json", true},	       {"kill-random", true}, {"busy-poll", false},
	{"mem-limit", true},   {"rx-in-isr", false},  {"help", false},
	{"trace", true},       {"valgrind", false},
};

/* Options of run that apply to two cores only. */
static const char *const mc_two_core[] = {
	"host",		   "remote",	       "backend",	     "instance",
	"unbound",	   "scenario",	       "mbox-mode",
	"ipm-console",	   "cache-model",      "junit",
	"kill-role",	   "zephyr-base",      "host-zephyr-base",   "remote-zephyr-base",
	"no-zephyr-base",  "kconfig",	       "host-kconfig",	     "remote-kconfig",
	"schedule",	   "sanitize",	       "icbmsg-version",     "max-active-count",
	NULL,
};

/* What the command line says. */
struct mc_args {
	struct cli_opts o; /* the common options, as cli_parse read them */
	struct emu_topo_core_spec spec[EMU_TOPO_MAX_CORES];
	unsigned n_spec;
	bool dts_list;       /* --dts A,B,C (else --core) */
	const char *kill_core;
	const char *crash;   /* --crash-point CORE:NAME[@N] */
	unsigned endpoints;  /* --endpoints (ICBMsg links), 0: default */
	bool nocopy;
	/* --core-prog NAME=PROG: a user program per core (all or none) */
	struct emu_topo_core_spec prog[EMU_TOPO_MAX_CORES];
	unsigned n_prog;
	char **prog_args;    /* after `--`: every program's arguments */
	int n_prog_args;
	/* `ipc-emu core` only */
	const char *name;
	const char *link_arg[EMU_TOPO_MAX_LINKS];
	unsigned n_link_arg;
	const char *soc_arg; /* --soc MEM,CTL[,EFD...] */
	bool armed;
};

/* One link: a two-core unit. */
struct mc_link {
	struct cli_opts o;      /* the run's options for this link's instance */
	struct cli_config cfg;  /* its two plans (topology), instance, K */
	struct emu_segment *seg; /* its view of the SoC segment */
	char seg_name[128];      /* the SoC segment's */
	struct scn_area acc[2]; /* counters of the epochs before a restart of both */
	unsigned cycles, crash_cycles, rebonds, overlapped, epochs, restarts;
	bool rebond_pending, expect_unbound;
	int survivor;
	uint64_t unbounds_at_kill, bonds_at_kill[2];
	struct scn_area snap[2];
	struct cli_report rep;
};

struct mc_core {
	const char *prog;    /* --core-prog: the user program, else NULL */
	char links_env[EMU_DT_MAX_INST * 16]; /* its IPC_EMU_SOC_LINKS */
	pid_t pid, last_pid;
	int status; /* of the last incarnation, -1 while running */
	bool exited, armed;
	unsigned kills, crashes, restarts;
	unsigned boots; /* --core-prog: starts of its program (IPC_EMU_BOOT) */
	int vg_errors; /* --valgrind: of all incarnations, -1 when not under it */
	char vglog_arg[PATH_MAX + 40];
};

struct mc {
	struct mc_args a;
	struct emu_topo *topo;
	struct mc_link *link;  /* topo->n_link */
	struct emu_soc *soc;
	struct emu_soc_fds soc_fds;
	char soc_arg[16 * (2 + EMU_SOC_MAX_CORES)];
	struct mc_core core[EMU_TOPO_MAX_CORES];
	char self[PATH_MAX];
	int argc, first;
	char **argv;
	int kill_core;         /* -1: any */
	int crash_core;        /* -1: none */
	char crash_name[48];
	unsigned crash_nth;
	double kill_at[CLI_RUN_MAX_KILLS];
	uint64_t rng;
	unsigned kills_done, crashes;
	uint64_t next_kill_ns; /* --core-prog --kill-random: when the next kill is due */
	unsigned next_victim;
	uint64_t total;        /* messages of all links */
	uint64_t t0;
	bool hang, stalled;
	uint64_t activity, activity_ns;
	char trace_dir[96]; /* --trace: the event files, "" when not tracing */
	char valgrind[PATH_MAX]; /* --valgrind: the tool */
	char vgdir[96];     /* --valgrind: the logs, "" when none */
	double scale;       /* of the liveness bounds: x CLI_VALGRIND_SCALE under valgrind */
};

static volatile sig_atomic_t mc_signal;

static void mc_on_signal(int sig)
{
	mc_signal = sig;
}

static int mc_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int mc_usage(const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_err("run: %s (see 'ipc-emu run --help')", msg);
	return -1;
}

/* "--name=value" or "--name value": the option's name into buf. */
static const char *opt_name(const char *a, char *buf, size_t len)
{
	const char *eq = strchr(a, '=');
	size_t n = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);

	if (n >= len) {
		n = len - 1;
	}
	memcpy(buf, a + 2, n);
	buf[n] = '\0';
	return eq != NULL ? eq + 1 : NULL;
}

bool cli_mc_wanted(int argc, char **argv, int first)
{
	for (int i = first; i < argc; i++) {
		char name[32];
		const char *v;

		if (strcmp(argv[i], "--") == 0) {
			break;
		}
		if (strncmp(argv[i], "--", 2) != 0) {
			continue;
		}
		v = opt_name(argv[i], name, sizeof(name));
		if (strcmp(name, "core") == 0) {
			return true;
		}
		if (strcmp(name, "dts") == 0) {
			if (v == NULL && i + 1 < argc) {
				v = argv[i + 1];
			}
			if (v != NULL && strchr(v, ',') != NULL &&
			    strchr(strchr(v, ',') + 1, ',') != NULL) {
				return true;
			}
		}
	}
	return false;
}

/* --dts A,B,C: the files, in a static copy. */
static int split_dts(const char *v, struct mc_args *a)
{
	static char buf[8192];
	char *save = NULL;
	unsigned n = 0;

	if (strlen(v) >= sizeof(buf)) {
		return mc_usage("--dts: the list is too long");
	}
	snprintf(buf, sizeof(buf), "%s", v);
	for (const char *p = v; *p; p++) {
		n += *p == ',';
	}
	if (n + 1 > EMU_TOPO_MAX_CORES) {
		return mc_usage("--dts: at most %u devicetrees (one per core), not %u",
				EMU_TOPO_MAX_CORES, n + 1);
	}
	n = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		a->spec[n].name = NULL;
		a->spec[n].path = t;
		n++;
	}
	if (n < 3 || strstr(v, ",,") != NULL || v[0] == ',' || v[strlen(v) - 1] == ',') {
		return mc_usage("--dts wants FILE,FILE,FILE[,...] (3..%u files), not '%s'",
				EMU_TOPO_MAX_CORES, v);
	}
	a->n_spec = n;
	a->dts_list = true;
	return 0;
}

/* --core NAME=FILE (the name is checked by the topology). */
static int add_core(const char *v, struct mc_args *a)
{
	static char buf[EMU_TOPO_MAX_CORES][4200];
	bool full = a->n_spec == EMU_TOPO_MAX_CORES;

	if (cli_core_spec_split(v, full ? NULL : buf[a->n_spec], sizeof(buf[0]),
				full ? NULL : &a->spec[a->n_spec], NULL) != 0) {
		return mc_usage("--core wants NAME=FILE, not '%s'", v);
	}
	if (full) {
		return mc_usage("--core: at most %u cores", EMU_TOPO_MAX_CORES);
	}
	a->n_spec++;
	return 0;
}

static bool is_two_core(const char *name)
{
	for (int i = 0; mc_two_core[i] != NULL; i++) {
		if (strcmp(mc_two_core[i], name) == 0) {
			return true;
		}
	}
	return false;
}

/* Options of the multi-core run itself (`core`: also those of `ipc-emu core`). */
static bool is_own(const char *name, bool core)
{
	static const char *const own[] = {"dts", "core", "kill-core", "crash-point",
					   "endpoints", "nocopy", "core-prog", NULL};
	static const char *const core_own[] = {"name", "link", "soc", "armed", NULL};

	for (int i = 0; own[i] != NULL; i++) {
		if (strcmp(own[i], name) == 0) {
			return true;
		}
	}
	for (int i = 0; core && core_own[i] != NULL; i++) {
		if (strcmp(core_own[i], name) == 0) {
			return true;
		}
	}
	return false;
}

/* The options of a multi-core run (and of `ipc-emu core`): ours here, the
 * common ones through cli_parse.  -1 usage error (printed), 1 --help, 0. */
static int mc_parse(int argc, char **argv, int first, bool core, struct mc_args *a)
{
	char **pass = calloc((size_t)argc + 1, sizeof(*pass));
	int n = 0, rc = 0;
	bool have_dts = false, have_core = false;

	memset(a, 0, sizeof(*a));
	if (pass == NULL) {
		return mc_usage("out of memory");
	}
	for (int i = 0; i < first; i++) {
		pass[n++] = argv[i];
	}
	for (int i = first; i < argc && rc == 0; i++) {
		const char *arg = argv[i], *v;
		char name[64];
		bool known = false, takes = true;
		size_t k;

		if (strcmp(arg, "--") == 0 && !core) {
			a->prog_args = argv + i + 1; /* checked below: --core-prog only */
			a->n_prog_args = argc - i - 1;
			break;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			pass[n++] = (char *)arg; /* cli_parse: -h, or an unexpected argument */
			continue;
		}
		v = opt_name(arg, name, sizeof(name));
		for (k = 0; k < sizeof(mc_common) / sizeof(mc_common[0]); k++) {
			if (strcmp(mc_common[k].name, name) == 0) {
				known = true;
				takes = mc_common[k].arg;
				break;
			}
		}
		if (known) {
			pass[n++] = (char *)arg;
			if (takes && v == NULL && i + 1 < argc) {
				pass[n++] = argv[++i];
			}
			continue;
		}
		if (is_two_core(name)) {
			rc = mc_usage("--%s is two-core only: not with more than two cores (--dts "
				      "A,B,C or --core NAME=FILE)", name);
			break;
		}
		if (!is_own(name, core)) {
			rc = mc_usage("unknown option '--%s'", name);
			break;
		}
		takes = strcmp(name, "nocopy") != 0 && strcmp(name, "armed") != 0;
		if (takes && v == NULL) {
			if (i + 1 >= argc) {
				rc = mc_usage("option '--%s' needs a value", name);
				break;
			}
			v = argv[++i];
		} else if (!takes && v != NULL) {
			rc = mc_usage("option '--%s' takes no value", name);
			break;
		}
		if ((strcmp(name, "dts") == 0 && have_core) ||
		    (strcmp(name, "core") == 0 && have_dts)) {
			rc = mc_usage("--dts and --core exclude each other: name every core with "
				      "--core NAME=FILE, or none");
		} else if (strcmp(name, "dts") == 0) {
			rc = have_dts ? mc_usage("--dts given twice") : split_dts(v, a);
			have_dts = true;
		} else if (strcmp(name, "core") == 0) {
			rc = add_core(v, a);
			have_core = true;
		} else if (strcmp(name, "kill-core") == 0) {
			a->kill_core = v;
		} else if (strcmp(name, "crash-point") == 0) {
			a->crash = v;
		} else if (strcmp(name, "endpoints") == 0) {
			uint64_t u;

			if (!cli_parse_u64(v, SCN_MAX_ENDPOINTS, &u) || u == 0) {
				rc = mc_usage("--endpoints wants a count 1..%u, not '%s'",
					      SCN_MAX_ENDPOINTS, v);
			}
			a->endpoints = (unsigned)u;
		} else if (strcmp(name, "nocopy") == 0) {
			a->nocopy = true;
		} else if (strcmp(name, "core-prog") == 0) {
			static char store[EMU_TOPO_MAX_CORES][4200];

			if (a->n_prog == EMU_TOPO_MAX_CORES ||
			    cli_core_spec_split(v, store[a->n_prog], sizeof(store[0]),
						&a->prog[a->n_prog], NULL) < 0) {
				rc = mc_usage("--core-prog wants NAME=PROG (a core of the topology and "
					      "its program), at most once per core, not '%s'", v);
			} else {
				a->n_prog++;
			}
		} else if (strcmp(name, "name") == 0) {
			a->name = v;
		} else if (strcmp(name, "soc") == 0) {
			a->soc_arg = v;
		} else if (strcmp(name, "link") == 0) {
			if (a->n_link_arg < EMU_TOPO_MAX_LINKS) {
				a->link_arg[a->n_link_arg++] = v;
			}
		} else {
			a->armed = true;
		}
	}
	if (rc == 0) {
		rc = cli_parse(CLI_CMD_RUN, n, pass, first, &a->o);
	}
	free(pass);
	if (rc != 0) {
		return rc;
	}
	if (a->n_spec < 2) {
		return mc_usage("--core: a run needs 2..%u cores, not %u", EMU_TOPO_MAX_CORES,
				a->n_spec);
	}
	if (a->kill_core != NULL && a->o.kill_random == 0) {
		return mc_usage("--kill-core picks the core that --kill-random K kills: it needs "
				"--kill-random K (K >= 1)");
	}
	if (a->prog_args != NULL && a->n_prog == 0) {
		return mc_usage("-- ARGS are the user programs' arguments: they need --core-prog "
				"NAME=PROG (or --host/--remote with two cores)");
	}
	if (a->n_prog > 0) {
		/* User programs: their exit statuses are the verdict; the built-in
		 * scenario's tools are not theirs (its faults are: timed kills,
		 * crash points). */
		const char *no = a->endpoints != 0 ? "--endpoints" : a->nocopy ? "--nocopy" : NULL;

		if (no != NULL) {
			return mc_usage("%s is not available with --core-prog (user programs on a "
					"multi-core SoC): the programs' exit statuses are the verdict",
					no);
		}
	}
	return 0;
}

/* --core-prog: each core's program, and the links it is told about
 * (IPC_EMU_SOC_LINKS: link, role, instance of the core's file).  0, or an
 * exit status with the message printed. */
static int mc_plan_programs(struct mc *m)
{
	for (unsigned i = 0; i < m->a.n_prog; i++) {
		int k = emu_topo_find_core(m->topo, m->a.prog[i].name);

		if (k < 0) {
			cli_err("run: --core-prog %s=%s: no core named '%s'", m->a.prog[i].name,
				m->a.prog[i].path, m->a.prog[i].name);
			return EXIT_USAGE;
		}
		if (m->core[k].prog != NULL) {
			cli_err("run: --core-prog: core %s is given two programs", m->a.prog[i].name);
			return EXIT_USAGE;
		}
		if (access(m->a.prog[i].path, X_OK) != 0) {
			cli_err("run: --core-prog %s=%s: %s", m->a.prog[i].name, m->a.prog[i].path,
				errno == ENOENT ? "no such program" : strerror(errno));
			return EXIT_USAGE;
		}
		m->core[k].prog = m->a.prog[i].path;
	}
	for (unsigned k = 0; m->a.n_prog > 0 && k < m->topo->n_core; k++) {
		const struct emu_dt_plan *cp = &m->topo->core[k].plan;
		size_t n = 0;

		if (m->core[k].prog == NULL) {
			cli_err("run: --core-prog: core %s has no program (give every core of the "
				"topology a program, or none)", m->topo->core[k].name);
			return EXIT_USAGE;
		}
		for (unsigned l = 0; l < m->topo->n_link; l++) {
			const struct emu_topo_link *t = &m->topo->link[l];
			unsigned side = t->core[0] == k ? 0 : 1, inst = 0;

			if (t->core[side] != k) {
				continue;
			}
			while (inst < cp->n_inst &&
			       strcmp(cp->inst[inst].node, t->plan[side].inst[0].node) != 0) {
				inst++;
			}
			n += (size_t)snprintf(m->core[k].links_env + n, sizeof(m->core[k].links_env) - n,
					      "%s%u:%s:%u", n > 0 ? "," : "", l,
					      side == 0 ? "host" : "remote", inst);
		}
	}
	return 0;
}

/* The topology, each link's configuration, --kill-core and --crash-point.
 * 0, or an exit status with the message printed. */
static int mc_plan(struct mc *m, bool warn)
{
	struct emu_dt_load_opts lo = {.mem_limit = (uint64_t)m->a.o.mem_limit_mib << 20};
	char err[640], why[512];
	int rc;

	m->topo = calloc(1, sizeof(*m->topo));
	if (m->topo == NULL) {
		cli_err("out of memory");
		return EXIT_INVARIANT;
	}
	rc = emu_topo_load(m->a.spec, m->a.n_spec, &lo, m->topo, err, sizeof(err));
	if (rc < 0) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	if (m->topo->size > (lo.mem_limit != 0 ? lo.mem_limit : EMU_DT_MEM_LIMIT_DEFAULT)) {
		/* One image for the SoC: its whole range is reserved in /dev/shm
		 * (each file's own range was checked by its load). */
		cli_err("run: the SoC's IPC memory 0x%" PRIx64 "+0x%" PRIx64 " (%" PRIu64 " MiB, "
			"from the lowest to the highest region of all links) is above the memory "
			"limit of %" PRIu64 " MiB (--mem-limit)", m->topo->base, m->topo->size,
			(m->topo->size + (1u << 20) - 1) >> 20,
			(lo.mem_limit != 0 ? lo.mem_limit : EMU_DT_MEM_LIMIT_DEFAULT) >> 20);
		return EXIT_USAGE;
	}
	m->link = calloc(m->topo->n_link, sizeof(*m->link));
	if (m->link == NULL) {
		cli_err("out of memory");
		return EXIT_INVARIANT;
	}
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		const struct emu_topo_link *t = &m->topo->link[i];
		const struct emu_dt_inst *in = &t->plan[0].inst[0];
		struct mc_link *l = &m->link[i];
		bool icb = in->backend == EMU_BACKEND_ICBMSG;

		l->o = m->a.o;
		l->o.backend = in->backend;
		l->o.instance = in->label;
		l->o.endpoints = icb ? m->a.endpoints : 0;
		l->o.nocopy = icb && m->a.nocopy;
		l->o.n_dts = 2;
		l->o.dts[0] = m->topo->core[t->core[0]].path;
		l->o.dts[1] = m->topo->core[t->core[1]].path;
		l->cfg.host = t->plan[0];
		l->cfg.remote = t->plan[1];
		l->survivor = -1;
		if (cli_config_finish(&l->o, &l->cfg, why, sizeof(why)) < 0) {
			cli_err("run: link %s: %s", t->name, why);
			return EXIT_USAGE;
		}
		if ((m->a.o.kill_random > 0 || m->a.crash != NULL) && !icb &&
		    l->cfg.unbound == EMU_UNBOUND_DISABLE) {
			cli_err("run: link %s: %s needs unbound = \"enable\" or \"detect\" on %s %s: "
				"in legacy mode (\"disable\") ICMsg has no reset protocol",
				t->name, m->a.o.kill_random > 0 ? "--kill-random" : "--crash-point",
				l->cfg.host.source, in->node);
			return EXIT_USAGE;
		}
		m->total += (2 * m->a.o.messages + 2) * l->cfg.endpoints;
	}
	m->kill_core = -1;
	if (m->a.kill_core != NULL) {
		m->kill_core = emu_topo_find_core(m->topo, m->a.kill_core);
		if (m->kill_core < 0) {
			cli_err("run: --kill-core %s: no such core", m->a.kill_core);
			return EXIT_USAGE;
		}
	}
	m->crash_core = -1;
	if (m->a.crash != NULL) {
		const char *colon = strchr(m->a.crash, ':');
		char core[EMU_TOPO_NAME_LEN];
		struct cli_crash cp;

		if (colon == NULL || (size_t)(colon - m->a.crash) >= sizeof(core) ||
		    cli_parse_crash(colon + 1, &cp) < 0 || strchr(colon + 1, ':') != NULL) {
			cli_err("run: --crash-point wants CORE:NAME[@N] (a core of the topology, a "
				"crash point of 'ipc-emu run --help'), not '%s'", m->a.crash);
			return EXIT_USAGE;
		}
		memcpy(core, m->a.crash, (size_t)(colon - m->a.crash));
		core[colon - m->a.crash] = '\0';
		m->crash_core = emu_topo_find_core(m->topo, core);
		if (m->crash_core < 0) {
			cli_err("run: --crash-point %s: no core named '%s'", m->a.crash, core);
			return EXIT_USAGE;
		}
		if (cli_crash_is_shim(cp.name) && m->a.n_prog == 0) {
			cli_err("run: --crash-point %s: a point of the Zephyr shim, hit only by user "
				"programs", m->a.crash);
			return EXIT_USAGE;
		}
		snprintf(m->crash_name, sizeof(m->crash_name), "%s", cp.name);
		m->crash_nth = cp.nth;
	}
	rc = mc_plan_programs(m);
	if (rc != 0) {
		return rc;
	}
	if (warn && m->topo->n_warnings > 0) {
		cli_err("warning: %s", m->topo->warning);
	}
	return 0;
}

static void mc_free(struct mc *m)
{
	free(m->link);
	free(m->topo);
	m->link = NULL;
	m->topo = NULL;
}

/* ------------------------------------------------------ the core process -- */

struct mc_thread {
	struct emu_segment *view; /* the link's view of the SoC segment */
	struct scn_params p;
	pthread_t thread;
	int status;
	unsigned index; /* the link's, in the topology */
	char link[EMU_TOPO_NAME_LEN * 2 + 34];
};

static void *mc_link_main(void *arg)
{
	struct mc_thread *t = arg;

	/* --trace: this thread's records, and those of the threads it starts,
	 * are the link's. */
	emu_trace_set_link(t->index);
	t->status = scn_run(t->view, &t->p);
	return NULL;
}

/* "I:ROLE" */
static bool parse_link_arg(const char *v, unsigned n_link, unsigned *idx, enum emu_role *role)
{
	char r[16];
	unsigned i;
	int used = 0;

	if (sscanf(v, "%u:%15[a-z]%n", &i, r, &used) != 2 || v[used] != '\0' || i >= n_link) {
		return false;
	}
	if (strcmp(r, "host") == 0) {
		*role = EMU_ROLE_HOST;
	} else if (strcmp(r, "remote") == 0) {
		*role = EMU_ROLE_REMOTE;
	} else {
		return false;
	}
	*idx = i;
	return true;
}

/* "MEM,CTL[,EFD...]": the SoC segment's inherited descriptors (closed here
 * once attached: the SoC keeps its own duplicates). */
static int attach_soc(const char *v, struct emu_soc **out)
{
	struct emu_soc_fds fds;
	int rc = emu_soc_fds_parse(v, &fds);

	if (rc < 0) {
		return rc;
	}
	rc = emu_soc_attach_fds(&fds, out);
	emu_soc_fds_close(&fds);
	return rc;
}

int cli_mc_core_main(int argc, char **argv, int first)
{
	static struct mc m;
	struct mc_thread *t;
	struct emu_soc *soc = NULL;
	struct emu_core_hold *hold = NULL;
	int rc, status = EXIT_PASS, me;

	rc = mc_parse(argc, argv, first, true, &m.a);
	if (rc != 0) {
		return rc < 0 ? EXIT_USAGE : EXIT_PASS;
	}
	rc = mc_plan(&m, false);
	if (rc != 0) {
		mc_free(&m);
		return rc;
	}
	me = m.a.name != NULL ? emu_topo_find_core(m.topo, m.a.name) : -1;
	t = calloc(m.a.n_link_arg + 1, sizeof(*t));
	if (me < 0 || t == NULL || m.a.n_link_arg == 0 || m.a.soc_arg == NULL) {
		cli_err("core: --name CORE, --soc FDS and --link I:ROLE are required (spawned by "
			"'ipc-emu run' with more than two cores)");
		free(t);
		mc_free(&m);
		return EXIT_USAGE;
	}
	rc = attach_soc(m.a.soc_arg, &soc);
	if (rc < 0 || emu_soc_links(soc) != m.topo->n_link ||
	    emu_soc_cores(soc) != m.topo->n_core) {
		cli_err("core %s: cannot attach the inherited SoC segment (--soc %s): %s", m.a.name,
			m.a.soc_arg, rc < 0 ? strerror(-rc) : "not this topology's");
		emu_soc_close(soc);
		free(t);
		mc_free(&m);
		return EXIT_INVARIANT;
	}
	for (unsigned k = 0; k < m.a.n_link_arg; k++) {
		unsigned i;
		enum emu_role role;

		if (!parse_link_arg(m.a.link_arg[k], m.topo->n_link, &i, &role) ||
		    m.topo->link[i].core[role] != (unsigned)me ||
		    emu_soc_link(soc, i, &t[k].view) < 0) {
			cli_err("core %s: --link %s: not a link of this core", m.a.name,
				m.a.link_arg[k]);
			for (unsigned j = 0; j < k; j++) {
				emu_segment_close(t[j].view);
			}
			emu_soc_close(soc);
			free(t);
			mc_free(&m);
			return EXIT_USAGE;
		}
		cli_scn_params(&m.link[i].o, &m.link[i].cfg, role, &t[k].p);
		t[k].p.timeout_s = 0; /* the supervisor watches */
		t[k].p.quiet = true;
		snprintf(t[k].link, sizeof(t[k].link), "%s", m.topo->link[i].name);
		t[k].index = i;
	}
	if (m.a.armed && m.crash_core == me) {
		emu_crash_arm(m.crash_name, m.crash_nth);
	}
	/* --trace (IPC_EMU_TRACE): one file per core process, before the link
	 * threads start. */
	emu_trace_open_env_core((unsigned)me);
	/* This process is one boot of the core: its interrupt context lives
	 * from before the first link's core starts to after the last one's
	 * stops (a link that ends early must not end it, and the next start
	 * must not take it for a reset). */
	rc = emu_core_hold(t[0].view, (enum emu_role)t[0].p.role, &hold);
	if (rc < 0) {
		cli_err("core %s: cannot start its interrupt context: %s", m.a.name, strerror(-rc));
		_exit(EXIT_INVARIANT);
	}
	for (unsigned k = 0; k < m.a.n_link_arg; k++) {
		if (pthread_create(&t[k].thread, NULL, mc_link_main, &t[k]) != 0) {
			cli_err("core %s: cannot start the thread of link %s", m.a.name, t[k].link);
			_exit(EXIT_INVARIANT); /* the others run: the supervisor sees a failed core */
		}
	}
	for (unsigned k = 0; k < m.a.n_link_arg; k++) {
		pthread_join(t[k].thread, NULL);
		if (t[k].status > status) {
			status = t[k].status;
		}
	}
	emu_core_release(hold);
	for (unsigned k = 0; k < m.a.n_link_arg; k++) {
		emu_segment_close(t[k].view);
	}
	emu_soc_close(soc);
	free(t);
	mc_free(&m);
	return status;
}

/* ----------------------------------------------------------- supervisor -- */

static bool link_has(const struct mc *m, unsigned l, unsigned core)
{
	return m->topo->link[l].core[0] == core || m->topo->link[l].core[1] == core;
}

/* The SoC segment (one image at the devicetree addresses of every link,
 * one interrupt context per core), its names removed at once, its
 * descriptors open across exec; a view per link for the supervisor.  0 or
 * an exit status. */
static int mc_segments(struct mc *m)
{
	static struct emu_soc_cfg cfg;
	int rc;

	if (m->topo->size == 0 || m->topo->size > UINT32_MAX) {
		cli_err("run: the SoC's IPC memory 0x%" PRIx64 "+0x%" PRIx64 " does not fit one "
			"segment (4 GiB at most)", m->topo->base, m->topo->size);
		return EXIT_USAGE;
	}
	cfg = (struct emu_soc_cfg){
		.mem_base = m->topo->base,
		.mem_size = (uint32_t)m->topo->size,
		.doorbell = m->a.o.doorbell,
		.n_core = m->topo->n_core,
		.n_link = m->topo->n_link,
	};
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		cfg.link[i].base = m->link[i].cfg.host.base;
		cfg.link[i].size = (uint32_t)m->link[i].cfg.host.size;
		cfg.link[i].core[0] = m->topo->link[i].core[0];
		cfg.link[i].core[1] = m->topo->link[i].core[1];
	}
	rc = emu_soc_create(&cfg, &m->soc);
	if (rc < 0) {
		m->soc = NULL;
		cli_err("cannot create the SoC's shared-memory segment (0x%" PRIx64 "+0x%" PRIx64
			"): %s", m->topo->base, m->topo->size, strerror(-rc));
		return rc == -EINVAL ? EXIT_USAGE : EXIT_INVARIANT;
	}
	rc = emu_soc_unlink(m->soc);
	if (rc < 0) {
		cli_err("cannot unlink segment %s: %s", emu_soc_name(m->soc), strerror(-rc));
	}
	emu_soc_get_fds(m->soc, &m->soc_fds);
	emu_soc_fds_format(&m->soc_fds, m->topo->n_core, m->soc_arg, sizeof(m->soc_arg));
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		struct mc_link *l = &m->link[i];

		rc = emu_soc_link(m->soc, i, &l->seg);
		if (rc < 0) {
			l->seg = NULL;
			cli_err("link %s: %s", m->topo->link[i].name, strerror(-rc));
			return EXIT_INVARIANT;
		}
		snprintf(l->seg_name, sizeof(l->seg_name), "%s", emu_soc_name(m->soc));
		if (m->a.o.kill_random > 0 && m->a.n_prog == 0) {
			cli_prepare_areas(l->seg, m->a.o.messages, l->cfg.endpoints);
		}
	}
	return 0;
}

static void mc_segments_close(struct mc *m)
{
	for (unsigned i = 0; m->link != NULL && i < m->topo->n_link; i++) {
		if (m->link[i].seg != NULL) {
			emu_segment_close(m->link[i].seg);
			m->link[i].seg = NULL;
		}
	}
	emu_soc_close(m->soc);
	m->soc = NULL;
}

/* In the child: the SoC segment's descriptors stay open across exec (every
 * core maps the image and rings the others' doorbells). */
static void child_fds(const struct mc *m)
{
	int fdv[2 + EMU_SOC_MAX_CORES] = {m->soc_fds.mem, m->soc_fds.ctl};

	for (unsigned c = 0; c < EMU_SOC_MAX_CORES; c++) {
		fdv[2 + c] = m->soc_fds.efd[c];
	}
	for (unsigned k = 0; k < 2 + EMU_SOC_MAX_CORES; k++) {
		int fl;

		if (fdv[k] >= 0 && (fl = fcntl(fdv[k], F_GETFD)) >= 0) {
			(void)fcntl(fdv[k], F_SETFD, fl & ~FD_CLOEXEC);
		}
	}
}

/* In the child: the environment contract of a user program on a core of a
 * multi-core run (emu/zephyr_rt.c, docs/multicore.md): the SoC segment,
 * its links, its devicetree, and the run's options as for two cores. */
static void program_env(const struct mc *m, unsigned ci)
{
	const struct cli_opts *o = &m->a.o;
	char buf[32];

	unsetenv("IPC_EMU_ROLE");
	unsetenv("IPC_EMU_FDS");
	unsetenv("IPC_EMU_SEGMENT");
	unsetenv("IPC_EMU_STACK");
	setenv("IPC_EMU_CORE", m->topo->core[ci].name, 1);
	snprintf(buf, sizeof(buf), "%u", ci);
	setenv("IPC_EMU_SOC_CORE", buf, 1); /* --trace: the core's event file */
	setenv("IPC_EMU_SOC_FDS", m->soc_arg, 1);
	setenv("IPC_EMU_SOC_LINKS", m->core[ci].links_env, 1);
	setenv("IPC_EMU_DTS", m->topo->core[ci].path, 1);
	cli_program_env_common(o); /* --schedule is two-core only: coop */
	snprintf(buf, sizeof(buf), "%u", m->core[ci].boots);
	setenv("IPC_EMU_BOOT", buf, 1);
	if (m->core[ci].armed) {
		/* --crash-point: its first start only (the port reads it). */
		char crash[sizeof(m->crash_name) + 16];

		snprintf(crash, sizeof(crash), "%s@%u", m->crash_name, m->crash_nth);
		setenv("IPC_EMU_CRASH", crash, 1);
	}
}

static int mc_spawn(struct mc *m, unsigned ci)
{
	struct mc_core *c = &m->core[ci];
	pid_t sup_pid = getpid();
	char link_args[EMU_TOPO_MAX_LINKS][96];
	char **av = calloc((size_t)m->argc + 2 * EMU_TOPO_MAX_LINKS + 18, sizeof(*av));
	int n = 0;
	pid_t pid;

	if (av == NULL) {
		return -ENOMEM;
	}
	if (m->vgdir[0] != '\0') {
		/* As a two-core run's peers (run.c). */
		av[n++] = m->valgrind;
		av[n++] = "-q";
		av[n++] = "--error-exitcode=99";
		av[n++] = "--leak-check=full";
		av[n++] = "--errors-for-leak-kinds=definite,indirect";
		av[n++] = "--show-leak-kinds=definite,indirect";
		av[n++] = "--track-origins=yes";
		av[n++] = "--fair-sched=yes";
		av[n++] = c->vglog_arg;
	}
	if (c->prog != NULL) {
		av[n++] = (char *)c->prog;
		for (int i = 0; i < m->a.n_prog_args; i++) {
			av[n++] = m->a.prog_args[i];
		}
		goto spawn;
	}
	av[n++] = m->self;
	av[n++] = "core";
	av[n++] = "--name";
	av[n++] = m->topo->core[ci].name;
	av[n++] = "--soc";
	av[n++] = m->soc_arg;
	if (c->armed) {
		av[n++] = "--armed";
	}
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		const struct emu_topo_link *t = &m->topo->link[i];

		if (!link_has(m, i, ci)) {
			continue;
		}
		snprintf(link_args[i], sizeof(link_args[i]), "%u:%s", i,
			 t->core[0] == ci ? "host" : "remote");
		av[n++] = "--link";
		av[n++] = link_args[i];
	}
	for (int i = m->first; i < m->argc; i++) {
		av[n++] = m->argv[i];
	}
spawn:
	av[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	c->boots += c->prog != NULL; /* this start's IPC_EMU_BOOT: 1, 2, ... */
	pid = fork();
	if (pid < 0) {
		int e = errno;

		c->boots -= c->prog != NULL;
		free(av);
		return -e;
	}
	if (pid == 0) {
		/* Die with the supervisor; if it is already gone, do not start. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != sup_pid) {
			_exit(127);
		}
		child_fds(m);
		unsetenv("IPC_EMU_CRASH");
		if (c->prog != NULL) {
			program_env(m, ci);
		}
		execv(av[0], av);
		{
			static const char msg[] = "ipc-emu: cannot exec a core\n";

			(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		}
		_exit(127);
	}
	free(av);
	c->pid = c->last_pid = pid;
	c->status = -1;
	c->exited = false;
	return 0;
}

/* Kill core k (a reset spread through ICBMsg, or the end of the run): its
 * end is an exit on the trace, with the status it had. */
static void mc_kill_one(struct mc *m, unsigned k)
{
	struct mc_core *c = &m->core[k];
	int st;

	if (c->pid > 0 && cli_kill_reap(c->pid, &st) >= 0) {
		emu_trace(EMU_TRACE_EXIT, k, (uint32_t)c->pid, (uint32_t)st, 0);
		c->status = st;
		c->exited = true;
	}
	c->pid = 0;
}

static void mc_kill_all(struct mc *m)
{
	for (unsigned i = 0; i < m->topo->n_core; i++) {
		mc_kill_one(m, i);
	}
}

/* Core `victim` died (killed by us or at its crash point): restart it and,
 * through every ICBMsg link of a restarted core, that link's other core;
 * each link touching a restarted core then waits for its re-bond. */
static void mc_recover(struct mc *m, unsigned victim, bool crash)
{
	bool rs[EMU_TOPO_MAX_CORES] = {false};
	bool changed = true;

	rs[victim] = true;
	while (changed) {
		changed = false;
		for (unsigned i = 0; i < m->topo->n_link; i++) {
			const unsigned *c = m->topo->link[i].core;

			if (m->link[i].cfg.inst_host->backend == EMU_BACKEND_ICBMSG &&
			    rs[c[0]] != rs[c[1]]) {
				rs[c[0]] = rs[c[1]] = true;
				changed = true;
			}
		}
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		if (rs[k] && k != victim) {
			mc_kill_one(m, k);
		}
	}
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		struct mc_link *l = &m->link[i];
		const unsigned *c = m->topo->link[i].core;
		const struct scn_area *a[2];

		if (!rs[c[0]] && !rs[c[1]]) {
			continue;
		}
		if (m->a.n_prog > 0) {
			/* User programs: no scenario areas to account, their
			 * firmware re-bonds.  A link whose both cores restart
			 * starts from zeroed memory, classic ICBMsg included:
			 * a program of it that opens before its peer would
			 * read the dead incarnation's control messages (the
			 * built-in scenario's epochs tell them apart). */
			if (rs[c[0]] && rs[c[1]]) {
				cli_clear_regions(l->seg, l->cfg.inst_host);
			}
			continue;
		}
		l->cycles++;
		l->crash_cycles += crash;
		l->overlapped += l->rebond_pending;
		l->restarts += (unsigned)rs[c[0]] + (unsigned)rs[c[1]];
		if (rs[c[0]] && rs[c[1]]) {
			/* Both sides restart: a reset of the whole link, its
			 * memory included where the backend needs it (ICMsg
			 * rings and ICBMsg v2 queues start zeroed, as run.c's
			 * v2). */
			if (l->cfg.inst_host->backend == EMU_BACKEND_ICMSG ||
			    l->cfg.icbmsg_version == EMU_ICBMSG_V2) {
				cli_clear_regions(l->seg, l->cfg.inst_host);
			}
			cli_area_new_epoch(l->seg, l->acc);
			l->epochs++;
			l->survivor = -1;
			l->expect_unbound = false;
		} else {
			l->survivor = rs[c[0]] ? EMU_ROLE_REMOTE : EMU_ROLE_HOST;
			a[0] = scn_area(l->seg, (enum emu_role)l->survivor);
			/* Bound at the moment of the reset: it must see unbound(). */
			l->expect_unbound = scn_get(&a[0]->bound_now) != 0;
			l->unbounds_at_kill = scn_get(&a[0]->unbounds);
		}
		for (int r = 0; r < 2; r++) {
			l->bonds_at_kill[r] = scn_get(&scn_area(l->seg, (enum emu_role)r)->bonds);
		}
		l->rebond_pending = true;
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		struct mc_core *c = &m->core[k];

		if (!rs[k] || c->pid > 0) {
			continue;
		}
		c->armed = false;
		if (mc_spawn(m, k) == 0) {
			emu_trace(EMU_TRACE_RESTART, k, (uint32_t)c->pid, 0, 0);
			c->restarts++;
		} else {
			c->status = 128 + SIGKILL;
			c->exited = true;
		}
	}
}

static void mc_watch_rebonds(struct mc *m)
{
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		struct mc_link *l = &m->link[i];

		if (l->rebond_pending && cli_rebonded(l->seg, l->bonds_at_kill, l->survivor,
						      l->expect_unbound, l->unbounds_at_kill)) {
			l->rebonds++;
			l->rebond_pending = false;
		}
	}
}

/* Reap whatever exited; a core killed at its armed crash point is a crash
 * to recover from.  Returns the number of cores still running. */
static int mc_reap(struct mc *m)
{
	int running = 0;

	for (unsigned k = 0; k < m->topo->n_core; k++) {
		struct mc_core *c = &m->core[k];
		int st;

		if (c->pid > 0 && waitpid(c->pid, &st, WNOHANG) == c->pid) {
			int status = cli_decode_status(st);

			emu_trace(c->armed && status == 128 + SIGKILL && !mc_signal ? EMU_TRACE_CRASH
										    : EMU_TRACE_EXIT,
				  k, (uint32_t)c->pid, (uint32_t)status, 0);
			c->pid = 0;
			if (c->armed && status == 128 + SIGKILL && !mc_signal) {
				c->crashes++;
				m->crashes++;
				mc_recover(m, k, true);
			} else {
				c->status = status;
				c->exited = true;
			}
		}
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		running += m->core[k].pid > 0;
	}
	return running;
}

/* SIGKILL core `victim` and recover (restart it, and the cores its ICBMsg
 * links spread to).  False when nothing was injected: it could not be
 * killed, or it had just ended on its own (then it is reaped as such). */
static bool mc_kill_victim(struct mc *m, unsigned victim)
{
	struct mc_core *c = &m->core[victim];
	int st, rc;

	emu_trace(EMU_TRACE_KILL, victim, (uint32_t)c->pid, 0, 0);
	rc = cli_kill_reap(c->pid, &st);
	if (rc < 0) {
		return false;
	}
	if (rc > 0) {
		emu_trace(EMU_TRACE_EXIT, victim, (uint32_t)c->pid, (uint32_t)st, 0);
	}
	c->pid = 0;
	if (rc > 0) {
		c->status = st; /* it finished on its own just before: nothing was injected */
		c->exited = true;
		return false;
	}
	m->kills_done++;
	c->kills++;
	mc_recover(m, victim, false);
	return true;
}

/* --kill-random: kill a core when the progress of all links crosses the
 * next moment, every link is bound since the last reset, and none has
 * started finishing (they hold their DONE back until the last kill). */
static void mc_maybe_kill(struct mc *m)
{
	uint64_t sent = 0;
	unsigned victim;

	if (m->kills_done >= m->a.o.kill_random) {
		return;
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		if (m->core[k].pid <= 0) {
			return;
		}
	}
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		const struct mc_link *l = &m->link[i];

		if (l->rebond_pending) {
			return;
		}
		for (int r = 0; r < 2; r++) {
			const struct scn_area *a = scn_area(l->seg, (enum emu_role)r);

			if (scn_get(&a->bonds) <= l->bonds_at_kill[r] || scn_get(&a->done_sent) ||
			    scn_get(&a->finished)) {
				return;
			}
			sent += scn_get(&a->sent);
		}
	}
	if ((double)sent / (double)m->total < m->kill_at[m->kills_done]) {
		return;
	}
	victim = m->kill_core >= 0 ? (unsigned)m->kill_core
				   : (unsigned)(cli_run_rng_next(&m->rng) % m->topo->n_core);
	if (getenv("IPC_EMU_DEBUG_KILLS") != NULL) {
		fprintf(stderr, "ipc-emu: kill %u: core %s at progress %.3f\n", m->kills_done,
			m->topo->core[victim].name, (double)sent / (double)m->total);
	}
	if (!mc_kill_victim(m, victim)) {
		return;
	}
	if (m->kills_done == m->a.o.kill_random) {
		for (unsigned i = 0; i < m->topo->n_link; i++) {
			cli_set_finish_hold(m->link[i].seg, false);
		}
	}
}

/* --core-prog --kill-random: the next kill, a seeded random
 * MC_KILL_PROG_MIN_MS..MC_KILL_PROG_MAX_MS (x CLI_VALGRIND_SCALE under
 * --valgrind) from `now`, and its victim (--kill-core, else seeded). */
static void mc_schedule_kill_program(struct mc *m, uint64_t now)
{
	double ms = MC_KILL_PROG_MIN_MS +
		    (MC_KILL_PROG_MAX_MS - MC_KILL_PROG_MIN_MS) * cli_run_rng_unit(&m->rng);

	m->next_kill_ns = now + (uint64_t)(ms * m->scale * 1e6);
	m->next_victim = m->kill_core >= 0 ? (unsigned)m->kill_core
					   : (unsigned)(cli_run_rng_next(&m->rng) % m->topo->n_core);
}

/* --kill-random with user programs: they have no progress counters, so the
 * kills are timed (as a two-core run's), and land only while every program
 * runs.  The victim restarts, and the cores its ICBMsg links spread to. */
static void mc_maybe_kill_program(struct mc *m, uint64_t now)
{
	unsigned victim = m->next_victim;

	if (m->kills_done >= m->a.o.kill_random || now < m->next_kill_ns) {
		return;
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		if (m->core[k].pid <= 0) {
			return;
		}
	}
	if (getenv("IPC_EMU_DEBUG_KILLS") != NULL) {
		fprintf(stderr, "ipc-emu: %.3f s: kill %u: core %s program\n",
			(double)(now - m->t0) / 1e9, m->kills_done, m->topo->core[victim].name);
	}
	if (mc_kill_victim(m, victim)) {
		mc_schedule_kill_program(m, scn_now_ns());
	}
}

/* No counter of any link moved for MC_STALL_S: a hang. */
static bool mc_stalled(struct mc *m, uint64_t now)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < m->topo->n_core; k++) {
		v += m->core[k].restarts;
	}
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		v += cli_area_activity(m->link[i].seg);
	}
	if (v != m->activity || m->activity_ns == 0) {
		m->activity = v;
		m->activity_ns = now;
		return false;
	}
	return (double)(now - m->activity_ns) / 1e9 >= MC_STALL_S * m->scale;
}

static void mc_supervise(struct mc *m)
{
	uint64_t deadline = m->a.o.timeout_s > 0 ? m->t0 + (uint64_t)(m->a.o.timeout_s * 1e9) : 0;
	uint64_t fail_deadline = 0;
	struct cli_progress pr;

	cli_progress_init(&pr, m->a.o.quiet);
	if (m->a.n_prog > 0) {
		mc_schedule_kill_program(m, m->t0);
	}
	for (;;) {
		struct timespec ts = {0, m->kills_done < m->a.o.kill_random ? MC_POLL_NS / 4
									     : MC_POLL_NS};
		int running = mc_reap(m);
		uint64_t now;
		double el;

		mc_watch_rebonds(m);
		if (running == 0) {
			break;
		}
		now = scn_now_ns();
		if (mc_signal) {
			break;
		}
		/* User programs have no counters to watch: --timeout only. */
		if ((deadline != 0 && now > deadline) || (m->a.n_prog == 0 && mc_stalled(m, now))) {
			m->hang = true;
			m->stalled = deadline == 0 || now <= deadline;
			break;
		}
		/* A failed core leaves its links' other cores waiting: cut it short. */
		for (unsigned k = 0; k < m->topo->n_core && fail_deadline == 0; k++) {
			if (m->core[k].exited && m->core[k].status != 0) {
				fail_deadline = now + (uint64_t)(MC_FAIL_GRACE_S * m->scale * 1e9);
			}
		}
		if (fail_deadline != 0 && now > fail_deadline) {
			break;
		}
		if (m->a.n_prog > 0) {
			mc_maybe_kill_program(m, now);
		} else {
			mc_maybe_kill(m);
		}
		if (m->a.n_prog == 0 && cli_progress_due(&pr, &el)) {
			uint64_t sent = 0;

			for (unsigned i = 0; i < m->topo->n_link; i++) {
				sent += scn_get(&scn_area(m->link[i].seg, EMU_ROLE_HOST)->sent) +
					scn_get(&scn_area(m->link[i].seg, EMU_ROLE_REMOTE)->sent);
			}
			fprintf(stderr, "ipc-emu run: %.0f s, %" PRIu64 "/%" PRIu64 " messages, %u kills\n",
				el, sent, m->total, m->kills_done);
		}
		nanosleep(&ts, NULL);
	}
	mc_kill_all(m);
}

/* A link side's exit status: the core's, unless that side of the link tore
 * down cleanly (another link of the core failed). */
static int side_status(const struct mc_core *c, const struct scn_area *a)
{
	if (!c->exited) {
		return -1;
	}
	return c->status != 0 && scn_get(&a->exited) ? 0 : c->status;
}

static void mc_link_report(struct mc *m, unsigned i, double duration)
{
	struct mc_link *l = &m->link[i];
	struct cli_report *r = &l->rep;
	const unsigned *c = m->topo->link[i].core;

	for (int k = 0; k < 2; k++) {
		memcpy(&l->snap[k], scn_area(l->seg, (enum emu_role)k), sizeof(l->snap[k]));
		cli_area_acc_add(&l->snap[k], &l->acc[k]);
	}
	memset(r, 0, sizeof(*r));
	r->opts = &l->o;
	r->cfg = &l->cfg;
	for (int k = 0; k < 2; k++) {
		r->area[k] = &l->snap[k];
		r->peer[k].exit_status = side_status(&m->core[c[k]], &l->snap[k]);
		r->peer[k].valgrind_errors = m->core[c[k]].vg_errors;
		r->peer[k].restarts = m->core[c[k]].restarts;
	}
	r->crashes_injected = l->cycles;
	r->crash_points = l->crash_cycles;
	r->restarts = l->restarts;
	r->cycles = l->cycles;
	r->rebonds = l->rebonds;
	r->overlapped = l->overlapped;
	r->epochs = l->epochs;
	r->hang = m->hang;
	r->stalled = m->stalled;
	r->stall_s = MC_STALL_S * m->scale;
	r->interrupted = mc_signal;
	r->kills_planned = m->a.o.kill_random;
	r->duration_s = duration;
	r->doorbell = cli_doorbell_name(m->a.o.doorbell);
	r->leaked_shm = cli_count_shm(l->seg_name);
	r->leaked_processes = (unsigned)(m->core[c[0]].pid > 0) + (unsigned)(m->core[c[1]].pid > 0);
	cli_report_eval(r);
	/* One core's reset must not disturb the links that do not touch it. */
	if (l->cycles == 0 && (m->kills_done + m->crashes) > 0 && !m->hang && !mc_signal) {
		uint64_t unb = l->snap[0].unbounds + l->snap[1].unbounds;

		if (unb != 0 || l->epochs != 0) {
			size_t len = r->ok ? 0 : strlen(r->reason);

			snprintf(r->reason + len, sizeof(r->reason) - len,
				 "%stouches no restarted core but saw %" PRIu64 " unbound()",
				 len > 0 ? "; " : "", unb);
			r->ok = false;
		}
	}
}

static void mc_print(const struct mc *m, FILE *f, bool ok, const char *reason)
{
	int wl = 0, wc = 0;

	for (unsigned i = 0; i < m->topo->n_link; i++) {
		int n = (int)strlen(m->topo->link[i].name);

		wl = n > wl ? n : wl;
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		int n = (int)strlen(m->topo->core[k].name);

		wc = n > wc ? n : wc;
	}
	fprintf(f, "ipc-emu run: %u cores, %u links, echo-stream, doorbell %s, %" PRIu64
		   " messages per endpoint\n",
		m->topo->n_core, m->topo->n_link, cli_doorbell_name(m->a.o.doorbell),
		m->a.o.messages);
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		const struct mc_link *l = &m->link[i];
		const struct emu_topo_link *t = &m->topo->link[i];

		fprintf(f,
			"  link %-*s  %-6s %s -> %s  sent %" PRIu64 "/%" PRIu64 "  unbounds %" PRIu64
			"/%" PRIu64 "  resets %u  rebonds %u  %s: %s\n",
			wl, t->name, cli_backend_name(l->cfg.inst_host->backend),
			m->topo->core[t->core[0]].name, m->topo->core[t->core[1]].name,
			l->snap[0].sent, l->snap[1].sent, l->snap[0].unbounds, l->snap[1].unbounds,
			l->cycles, l->rebonds, l->rep.ok ? "PASS" : "FAIL", l->rep.reason);
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		const struct mc_core *c = &m->core[k];

		fprintf(f, "  core %-*s  pid %d  kills %u  crashes %u  restarts %u  exit %d",
			wc, m->topo->core[k].name, (int)c->last_pid, c->kills, c->crashes, c->restarts,
			c->status);
		if (c->vg_errors >= 0) {
			fprintf(f, "  valgrind errors %d", c->vg_errors);
		}
		fputc('\n', f);
	}
	fprintf(f, "  result      %s: %s\n", ok ? "PASS" : "FAIL", reason);
}

static int mc_json(const struct mc *m, const char *path, bool ok, const char *reason,
		   double duration)
{
	FILE *f = cli_json_open(path);

	if (f == NULL) {
		int rc = -errno;

		cli_err("cannot write %s: %s", path, strerror(errno));
		return rc;
	}
	fprintf(f, "{\n  \"mode\": \"multicore\",\n  \"ok\": %s,\n  \"reason\": ",
		ok ? "true" : "false");
	cli_json_str(f, reason);
	fprintf(f,
		",\n  \"messages_per_endpoint\": %" PRIu64 ",\n  \"doorbell\": \"%s\",\n"
		"  \"kills\": { \"planned\": %u, \"done\": %u, \"crash_points\": %u },\n"
		"  \"hang\": %s,\n  \"duration_s\": %.3f,\n  \"cores\": [\n",
		m->a.o.messages, cli_doorbell_name(m->a.o.doorbell), m->a.o.kill_random,
		m->kills_done, m->crashes, m->hang ? "true" : "false", duration);
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		const struct mc_core *c = &m->core[k];

		fprintf(f, "    { \"name\": ");
		cli_json_str(f, m->topo->core[k].name);
		fprintf(f, ", \"file\": ");
		cli_json_str(f, m->topo->core[k].path);
		fprintf(f, ", \"kills\": %u, \"crashes\": %u, \"restarts\": %u, \"exit_status\": %d",
			c->kills, c->crashes, c->restarts, c->status);
		if (c->vg_errors >= 0) {
			fprintf(f, ", \"valgrind_errors\": %d", c->vg_errors);
		}
		fprintf(f, " }%s\n", k + 1 < m->topo->n_core ? "," : "");
	}
	fprintf(f, "  ],\n  \"links\": [\n");
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		const struct emu_topo_link *t = &m->topo->link[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *ms = open_memstream(&buf, &len);

		fprintf(f, "    { \"name\": ");
		cli_json_str(f, t->name);
		fprintf(f, ", \"host\": ");
		cli_json_str(f, m->topo->core[t->core[0]].name);
		fprintf(f, ", \"remote\": ");
		cli_json_str(f, m->topo->core[t->core[1]].name);
		fprintf(f, ", \"rebonds\": %u,\n", m->link[i].rebonds);
		if (ms != NULL) {
			cli_report_json_write(&m->link[i].rep, ms);
			fclose(ms);
		}
		/* The two-core report's object, without its opening brace and
		 * final newline. */
		if (buf != NULL && len > 2 && buf[0] == '{') {
			buf[len - 1] = '\0';
			fputs(buf + 2, f);
		} else {
			fprintf(f, "  \"ok\": false }");
		}
		free(buf);
		fprintf(f, "%s\n", i + 1 < m->topo->n_link ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (cli_json_close(f) < 0) {
		cli_err("cannot write %s", path);
		return -EIO;
	}
	return 0;
}

/* --valgrind: the tool from PATH, a fresh directory for the logs, one log
 * per core incarnation (vg-CORE-PID.log).  0, or an exit status with the
 * message printed. */
static int mc_valgrind_start(struct mc *m)
{
	const char *path = getenv("PATH");
	char buf[4096];
	char *save = NULL;
	bool found = false;
	int rc;

	if (path == NULL || strlen(path) >= sizeof(buf)) {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *dir = strtok_r(buf, ":", &save); dir != NULL && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		found = snprintf(m->valgrind, sizeof(m->valgrind), "%s/valgrind", *dir ? dir : ".") <
				(int)sizeof(m->valgrind) &&
			access(m->valgrind, X_OK) == 0;
	}
	if (!found) {
		cli_err("--valgrind: valgrind is not installed (skipped)");
		return EXIT_SKIP;
	}
	rc = cli_run_dir_create("vg", m->vgdir, sizeof(m->vgdir));
	if (rc < 0) {
		cli_err("cannot create a directory for valgrind logs: %s", strerror(-rc));
		m->vgdir[0] = '\0';
		return EXIT_INVARIANT;
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		snprintf(m->core[k].vglog_arg, sizeof(m->core[k].vglog_arg),
			 "--log-file=%s/vg-%s-%%p.log", m->vgdir, m->topo->core[k].name);
	}
	return 0;
}

/* The errors of every log of each core (all its incarnations). */
static void mc_valgrind_count(struct mc *m)
{
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		char prefix[EMU_TOPO_NAME_LEN + 8];
		DIR *d = opendir(m->vgdir);
		struct dirent *e;

		m->core[k].vg_errors = 0;
		snprintf(prefix, sizeof(prefix), "vg-%s-", m->topo->core[k].name);
		while (d != NULL && (e = readdir(d)) != NULL) {
			char file[PATH_MAX];
			FILE *f;

			const char *tail = e->d_name + strlen(prefix);

			/* vg-NAME-PID.log exactly (another core may be "NAME-x"). */
			if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
			    strspn(tail, "0123456789") == 0 ||
			    strcmp(tail + strspn(tail, "0123456789"), ".log") != 0) {
				continue;
			}
			snprintf(file, sizeof(file), "%s/%s", m->vgdir, e->d_name);
			f = fopen(file, "re");
			if (f != NULL) {
				m->core[k].vg_errors += cli_vg_log_errors(f);
				fclose(f);
			}
		}
		if (d != NULL) {
			closedir(d);
		}
		if (m->core[k].vg_errors == 0 && m->core[k].status == 99) {
			m->core[k].vg_errors = 1; /* the exit code says so, the log says less */
		}
	}
}

/* Logs with errors are kept for the user (out of the pattern `ipc-emu
 * clean` removes), the others removed. */
static void mc_valgrind_finish(struct mc *m)
{
	bool errors = false;
	char kept[128];

	if (m->vgdir[0] == '\0') {
		return;
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		errors |= m->core[k].vg_errors > 0;
	}
	if (errors) {
		snprintf(kept, sizeof(kept), "/tmp/ipc-emu-vglogs-%.80s",
			 m->vgdir + strlen("/tmp/ipc-emu-vg-"));
		fprintf(stderr, "ipc-emu: valgrind logs kept in %s\n",
			rename(m->vgdir, kept) == 0 ? kept : m->vgdir);
	} else {
		cli_run_dir_remove(m->vgdir);
	}
	m->vgdir[0] = '\0';
}

/* --trace: every core process (each incarnation) and the supervisor record
 * into their own files in a fresh directory, beside the topology's names.
 * 0, or an exit status with the message printed. */
static int mc_trace_start(struct mc *m)
{
	const char *core[EMU_TOPO_MAX_CORES], *link[EMU_TOPO_MAX_LINKS];
	unsigned lc[EMU_TOPO_MAX_LINKS][2];
	int rc;

	rc = cli_run_dir_create("trace", m->trace_dir, sizeof(m->trace_dir));
	if (rc < 0) {
		cli_err("--trace: cannot create a directory for the event files: %s",
			strerror(-rc));
		m->trace_dir[0] = '\0';
		return EXIT_INVARIANT;
	}
	for (unsigned k = 0; k < m->topo->n_core; k++) {
		core[k] = m->topo->core[k].name;
	}
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		link[i] = m->topo->link[i].name;
		lc[i][0] = m->topo->link[i].core[0];
		lc[i][1] = m->topo->link[i].core[1];
	}
	rc = emu_trace_write_names(m->trace_dir, m->topo->n_core, core, m->topo->n_link, link,
				   (const unsigned(*)[2])lc);
	if (rc == 0) {
		rc = emu_trace_open(m->trace_dir, EMU_TRACE_ROLE_SUPERVISOR);
	}
	if (rc < 0) {
		cli_err("--trace: cannot write the supervisor's event file in %s: %s", m->trace_dir,
			strerror(-rc));
		cli_run_dir_remove(m->trace_dir);
		m->trace_dir[0] = '\0';
		return EXIT_INVARIANT;
	}
	/* Single-threaded: setenv is safe; the cores inherit it. */
	setenv(EMU_TRACE_ENV, m->trace_dir, 1);
	return 0;
}

/* Merge the files into --trace FILE (the cores are gone) and remove them. */
static int mc_trace_finish(struct mc *m)
{
	char err[512];
	long n;

	if (m->trace_dir[0] == '\0') {
		return 0;
	}
	emu_trace_close();
	unsetenv(EMU_TRACE_ENV);
	n = emu_trace_merge(m->trace_dir, m->a.o.trace, true, err, sizeof(err));
	m->trace_dir[0] = '\0';
	if (n < 0) {
		cli_err("%s", err);
		return -1;
	}
	return 0;
}

/* The report of the finished run, its files and its exit status. */
static int mc_verdict(struct mc *m)
{
	double duration = (double)(scn_now_ns() - m->t0) / 1e9;
	char reason[2048] = "";
	size_t used = 0;
	uint64_t verified = 0;
	bool ok = true;
	int status;

	for (unsigned k = 0; k < m->topo->n_core; k++) {
		if (m->core[k].exited && m->core[k].status == EXIT_USAGE && !mc_signal && !m->hang) {
			return EXIT_USAGE; /* a core refused its configuration: said so */
		}
	}
	for (unsigned i = 0; i < m->topo->n_link; i++) {
		struct mc_link *l = &m->link[i];

		mc_link_report(m, i, duration);
		verified += l->snap[0].received + l->snap[1].received;
		if (!l->rep.ok && used + 4 < sizeof(reason)) {
			int n = snprintf(reason + used, sizeof(reason) - used, "%slink %s: %s",
					 ok ? "" : "; ", m->topo->link[i].name, l->rep.reason);

			used += n > 0 ? (size_t)n : 0;
			if (used >= sizeof(reason)) {
				used = sizeof(reason) - 1;
			}
			ok = false;
		}
	}
	if (m->kills_done < m->a.o.kill_random && !m->hang && !mc_signal) {
		/* A core ended before the kills were all done (it failed). */
		snprintf(reason + used, sizeof(reason) - used, "%sonly %u of %u kills happened",
			 ok ? "" : "; ", m->kills_done, m->a.o.kill_random);
		ok = false;
	}
	if (ok) {
		snprintf(reason, sizeof(reason), "%u links, all %" PRIu64 " messages verified",
			 m->topo->n_link, verified);
	} else if (mc_signal) {
		snprintf(reason, sizeof(reason), "interrupted by signal %d", (int)mc_signal);
	}
	if (!m->a.o.quiet) {
		mc_print(m, stdout, ok, reason);
	} else if (!ok) {
		fprintf(stderr, "ipc-emu run: FAIL: %s\n", reason);
	}
	status = ok ? EXIT_PASS : EXIT_INVARIANT;
	if (m->a.o.json != NULL && mc_json(m, m->a.o.json, ok, reason, duration) < 0) {
		status = EXIT_INVARIANT;
	}
	if (mc_signal) {
		cli_err("interrupted by signal %d: cores killed", (int)mc_signal);
		status = 128 + mc_signal;
	}
	return status;
}

/* --core-prog: every program's exit status is the verdict (as a two-core
 * run of user programs). */
static int mc_verdict_programs(struct mc *m, double duration)
{
	char reason[512] = "";
	size_t used = 0;
	bool ok = !m->hang && !mc_signal;
	int status, wc = 0, wl = 0;
	FILE *f = stdout;

	for (unsigned i = 0; i < m->topo->n_link; i++) {
		int n = (int)strlen(m->topo->link[i].name);

		wl = n > wl ? n : wl;
	}

	for (unsigned k = 0; k < m->topo->n_core; k++) {
		const struct mc_core *c = &m->core[k];
		int n = (int)strlen(m->topo->core[k].name);

		wc = n > wc ? n : wc;
		if (c->status != 0 && used + 4 < sizeof(reason)) {
			int w = snprintf(reason + used, sizeof(reason) - used, "%score %s %s %d",
					 used > 0 ? "; " : "", m->topo->core[k].name,
					 c->status < 0 ? "still running, status" : "exited with status",
					 c->status);

			used += w > 0 ? (size_t)w : 0;
			used = used < sizeof(reason) ? used : sizeof(reason) - 1;
			ok = false;
		}
		if (c->vg_errors > 0 && used + 4 < sizeof(reason)) {
			int w = snprintf(reason + used, sizeof(reason) - used,
					 "%score %s: %d valgrind error%s", used > 0 ? "; " : "",
					 m->topo->core[k].name, c->vg_errors,
					 c->vg_errors == 1 ? "" : "s");

			used += w > 0 ? (size_t)w : 0;
			used = used < sizeof(reason) ? used : sizeof(reason) - 1;
			ok = false;
		}
	}
	if (mc_signal) {
		snprintf(reason, sizeof(reason), "interrupted by signal %d", (int)mc_signal);
	} else if (m->hang) {
		snprintf(reason, sizeof(reason), "hang: the programs were still running after "
			 "--timeout %.0f s%s%s", m->a.o.timeout_s, used > 0 ? "; " : "",
			 used > 0 ? "some had failed before" : "");
	} else if (ok) {
		snprintf(reason, sizeof(reason), "all %u programs exited with status 0",
			 m->topo->n_core);
	}
	if (!m->a.o.quiet) {
		fflush(stdout);
		fprintf(f, "ipc-emu run: %u cores, %u links, user programs, doorbell %s\n",
			m->topo->n_core, m->topo->n_link, cli_doorbell_name(m->a.o.doorbell));
		for (unsigned i = 0; i < m->topo->n_link; i++) {
			const struct emu_topo_link *t = &m->topo->link[i];

			fprintf(f, "  link %-*s  %-6s %s -> %s\n", wl, t->name,
				cli_backend_name(m->link[i].cfg.inst_host->backend),
				m->topo->core[t->core[0]].name, m->topo->core[t->core[1]].name);
		}
		for (unsigned k = 0; k < m->topo->n_core; k++) {
			const struct mc_core *c = &m->core[k];

			fprintf(f, "  core %-*s  pid %d  program %s  kills %u  crashes %u  restarts %u  "
				   "exit %d", wc, m->topo->core[k].name, (int)c->last_pid, c->prog,
				c->kills, c->crashes, c->restarts, c->status);
			if (c->vg_errors >= 0) {
				fprintf(f, "  valgrind errors %d", c->vg_errors);
			}
			fputc('\n', f);
		}
		if (m->kills_done < m->a.o.kill_random && !m->hang && !mc_signal) {
			/* A note, not a failure (as two-core): the timed kills
			 * land only while every program runs. */
			fprintf(f, "  note        only %u of %u kills happened (the run ended first)\n",
				m->kills_done, m->a.o.kill_random);
		}
		fprintf(f, "  result      %s: %s (%.2f s)\n", ok ? "PASS" : "FAIL", reason, duration);
	} else if (!ok) {
		fprintf(stderr, "ipc-emu run: FAIL: %s\n", reason);
	}
	status = ok ? EXIT_PASS : EXIT_INVARIANT;
	if (m->a.o.json != NULL) {
		f = cli_json_open(m->a.o.json);
		if (f == NULL) {
			cli_err("cannot write %s: %s", m->a.o.json, strerror(errno));
			return EXIT_INVARIANT;
		}
		fprintf(f, "{\n  \"mode\": \"multicore\",\n  \"scenario\": \"user-programs\",\n"
			   "  \"ok\": %s,\n  \"reason\": ", ok ? "true" : "false");
		cli_json_str(f, reason);
		fprintf(f, ",\n  \"doorbell\": \"%s\",\n"
			   "  \"kills\": { \"planned\": %u, \"done\": %u, \"crash_points\": %u },\n"
			   "  \"hang\": %s,\n  \"duration_s\": %.3f,\n  \"cores\": [\n",
			cli_doorbell_name(m->a.o.doorbell), m->a.o.kill_random, m->kills_done,
			m->crashes, m->hang ? "true" : "false", duration);
		for (unsigned k = 0; k < m->topo->n_core; k++) {
			fprintf(f, "    { \"name\": ");
			cli_json_str(f, m->topo->core[k].name);
			fprintf(f, ", \"file\": ");
			cli_json_str(f, m->topo->core[k].path);
			fprintf(f, ", \"program\": ");
			cli_json_str(f, m->core[k].prog);
			fprintf(f, ", \"pid\": %d, \"kills\": %u, \"crashes\": %u, \"restarts\": %u, "
				   "\"exit_status\": %d", (int)m->core[k].last_pid, m->core[k].kills,
				m->core[k].crashes, m->core[k].restarts, m->core[k].status);
			if (m->core[k].vg_errors >= 0) {
				fprintf(f, ", \"valgrind_errors\": %d", m->core[k].vg_errors);
			}
			fprintf(f, " }%s\n", k + 1 < m->topo->n_core ? "," : "");
		}
		fprintf(f, "  ],\n  \"links\": [\n");
		for (unsigned i = 0; i < m->topo->n_link; i++) {
			const struct emu_topo_link *t = &m->topo->link[i];

			fprintf(f, "    { \"name\": ");
			cli_json_str(f, t->name);
			fprintf(f, ", \"backend\": \"%s\", \"host\": ",
				cli_backend_name(m->link[i].cfg.inst_host->backend));
			cli_json_str(f, m->topo->core[t->core[0]].name);
			fprintf(f, ", \"remote\": ");
			cli_json_str(f, m->topo->core[t->core[1]].name);
			fprintf(f, " }%s\n", i + 1 < m->topo->n_link ? "," : "");
		}
		fprintf(f, "  ]\n}\n");
		if (cli_json_close(f) < 0) {
			cli_err("cannot write %s", m->a.o.json);
			status = EXIT_INVARIANT;
		}
	}
	if (mc_signal) {
		cli_err("interrupted by signal %d: cores killed", (int)mc_signal);
		status = 128 + mc_signal;
	}
	return status;
}

int cli_mc_run_main(int argc, char **argv, int first)
{
	static struct mc m;
	struct sigaction sa, old_int, old_term;
	ssize_t n;
	int status;

	memset(&m, 0, sizeof(m));
	status = mc_parse(argc, argv, first, false, &m.a);
	if (status != 0) {
		return status < 0 ? EXIT_USAGE : EXIT_PASS;
	}
	if (m.a.o.json != NULL && cli_out_check("run", "--json", m.a.o.json) < 0) {
		return EXIT_USAGE;
	}
	if (m.a.o.trace != NULL && (status = cli_out_writable(m.a.o.trace)) < 0) {
		cli_err("--trace: cannot write %s: %s", m.a.o.trace, strerror(-status));
		return status == -EACCES || status == -ENOENT || status == -EISDIR ||
				       status == -ENOTDIR
			       ? EXIT_USAGE
			       : EXIT_INVARIANT;
	}
	if (m.a.o.json != NULL && strcmp(m.a.o.json, "-") == 0) {
		cli_json_stdout(); /* stdout: the JSON only; text goes to stderr */
	}
	/* From here on SIGINT/SIGTERM end the run (cores killed, nothing left). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mc_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	status = mc_plan(&m, true);
	if (status != 0) {
		mc_free(&m);
		return status;
	}
	/* Exec a resolved path: exec'ing /proc/self/exe fails under valgrind. */
	n = readlink("/proc/self/exe", m.self, sizeof(m.self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(m.self) - 1) {
		cli_err("cannot resolve /proc/self/exe: %s", strerror(errno));
		mc_free(&m);
		return EXIT_INVARIANT;
	}
	m.self[n] = '\0';
	m.argc = argc;
	m.argv = argv;
	m.first = first;
	{
		/* The kill moments of a two-core ICMsg run (the last in the
		 * stream phase): every link holds its DONE until the last. */
		struct cli_opts ko = m.a.o;

		ko.backend = EMU_BACKEND_ICMSG;
		cli_run_plan_kills(&ko, m.kill_at, &m.rng);
	}
	if (m.crash_core >= 0) {
		m.core[m.crash_core].armed = true;
	}
	m.scale = m.a.o.valgrind ? CLI_VALGRIND_SCALE : 1.0;
	for (unsigned k = 0; k < m.topo->n_core; k++) {
		m.core[k].vg_errors = -1;
	}
	status = m.a.o.valgrind ? mc_valgrind_start(&m) : 0;
	if (status != 0) {
		mc_free(&m);
		return status;
	}

	status = mc_segments(&m);
	if (status == 0 && m.a.o.trace != NULL) {
		status = mc_trace_start(&m);
	}
	if (status == 0) {
		m.t0 = scn_now_ns();
		for (unsigned k = 0; k < m.topo->n_core && status == 0; k++) {
			if (mc_spawn(&m, k) < 0) {
				cli_err("cannot start core %s: %s", m.topo->core[k].name,
					strerror(errno));
				status = EXIT_INVARIANT;
			} else {
				emu_trace(EMU_TRACE_SPAWN, k, (uint32_t)m.core[k].pid, 0, 0);
			}
		}
		if (status == 0) {
			int traced;

			mc_supervise(&m);
			traced = mc_trace_finish(&m);
			if (m.vgdir[0] != '\0') {
				mc_valgrind_count(&m);
			}
			status = m.a.n_prog > 0
					 ? mc_verdict_programs(&m, (double)(scn_now_ns() - m.t0) / 1e9)
					 : mc_verdict(&m);
			if (traced < 0 && status == EXIT_PASS) {
				status = EXIT_INVARIANT; /* said why */
			}
		} else {
			mc_kill_all(&m);
		}
	}
	(void)mc_trace_finish(&m); /* a run cut short: remove the files */
	mc_valgrind_finish(&m);
	mc_segments_close(&m);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	mc_free(&m);
	return status;
}
