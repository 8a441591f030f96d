/*
 * stress.c - `ipc-emu stress`: the kill/restart campaign.
 *
 * For each mode (ICMsg with unbound enable, ICMsg with detect, classic
 * ICBMsg; ICMsg disable on request) it runs supervised `ipc-emu run`
 * sessions with --kill-random until the mode has seen the asked number of
 * peer resets ("cycles"), and adds up what every session checked.  A cycle is
 * recovered ("rebond") when the survivor saw unbound() (if it was bound) and
 * both sides bonded again; with ICBMsg, which has no reset protocol, the
 * recovery is the documented one: both peers are restarted on the stale
 * shared memory, and every session ends with a quiescence check of the
 * blocks still in use.
 *
 * With --zephyr-base DIR (or --host-/--remote-zephyr-base) the sessions run
 * the echo apps of emu/zephyr_apps on that tree's IPC stack (`ipc-emu run
 * --zephyr-base`): the modes are the ICMsg session modes, written into DTS
 * variants of the board (a Zephyr core compiles its unbound mode in), and a
 * cycle is recovered when the restarted app printed its "resumed" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipc_emu/topology.h"

#define STRESS_DEFAULT_CYCLES 100u
#define STRESS_MAX_CYCLES 1000000u
#define KILLS_PER_SESSION 25u      /* ICMsg: resets in one session */
#define KILLS_PER_SESSION_ICB 10u  /* ICBMsg: each one restarts both peers */
#define MESSAGES_PER_KILL 40u      /* session length: enough echo room for every kill */
#define KILLS_PER_SESSION_ZEPHYR 5u   /* --zephyr-base: kills land in time, not progress */
#define MESSAGES_PER_KILL_ZEPHYR 300u /* ... so that they fall in both phases */
#define BARREN_SESSIONS 3u         /* sessions in a row without a reset: give up */

struct mode {
	const char *name;
	enum emu_backend backend;
	int unbound;  /* enum emu_unbound */
	uint32_t icbmsg_version; /* enum emu_icbmsg_version; 0: run's default (v2) */
};

static const struct mode all_modes[] = {
	{"icmsg-enable", EMU_BACKEND_ICMSG, EMU_UNBOUND_ENABLE, 0},
	{"icmsg-detect", EMU_BACKEND_ICMSG, EMU_UNBOUND_DETECT, 0},
	{"icbmsg", EMU_BACKEND_ICBMSG, EMU_UNBOUND_DISABLE, 0},
	{"icbmsg-classic", EMU_BACKEND_ICBMSG, EMU_UNBOUND_DISABLE, EMU_ICBMSG_CLASSIC},
	{"icmsg-disable", EMU_BACKEND_ICMSG, EMU_UNBOUND_DISABLE, 0},
};
#define N_MODES (sizeof(all_modes) / sizeof(all_modes[0]))
#define DEFAULT_MODES 3u /* all but icmsg-disable, which cannot pass */

struct stress_opts {
	uint64_t cycles;
	uint64_t seed;
	bool modes[N_MODES];
	const char *json;
	const char *junit;
	const char *dts;
	enum emu_doorbell doorbell;
	bool valgrind;
	bool quiet;
	const char *zbase[2];    /* --zephyr-base & co: per role, NULL: ipc-emu's core */
	char dts_dir[96];        /* --zephyr-base: the DTS variants of each mode */
	struct cli_progress lines; /* not a terminal: a progress line every few s */
	unsigned mode_no, n_modes; /* the mode being run (1..), of */
	/* A topology (--dts A,B,C[,...] or --core NAME=FILE): mode multicore. */
	bool multicore;
	struct emu_topo_core_spec spec[EMU_TOPO_MAX_CORES];
	unsigned n_spec;
	char mc_dir[96];           /* the sessions' JSON and stderr files */
};

/* What one mode saw over all its sessions. */
struct tally {
	const struct mode *m;
	unsigned sessions, failed_sessions;
	uint64_t cycles, rebonds, crashes, restarts, epochs;
	uint64_t sent, received, corrupted, duplicated, reordered, lost, lost_across;
	uint64_t bonds, unbounds;
	uint64_t hangs, blocks_in_use, blocks_unmeasured;
	uint64_t valgrind_errors, leaked_shm, leaked_processes;
	double duration_s;
	char first_failure[700];
	bool ok;
};

void cli_help_stress(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu stress [options]\n"
		"\n"
		"Kill/restart campaign: for each mode, run supervised sessions that SIGKILL a\n"
		"random peer at random moments and restart it, until the mode has seen N peer\n"
		"resets (cycles).  Every message is checked (CRC, length, order) as in\n"
		"'ipc-emu run'.  A cycle counts as recovered when the survivor saw unbound()\n"
		"(if it was bound) and both sides bonded again.  Classic ICBMsg has no reset\n"
		"protocol: its recovery restarts both peers on the stale shared memory, and\n"
		"each session ends by checking that no block stays allocated.\n"
		"\n"
		"options:\n"
		"  --cycles N        peer resets per mode (default: %u)\n"
		"  --modes LIST      comma-separated: icmsg-enable, icmsg-detect, icbmsg (v2),\n"
		"                    icbmsg-classic, icmsg-disable (default: icmsg-enable,\n"
		"                    icmsg-detect,icbmsg;\n"
		"                    icmsg-disable shows that legacy bonding cannot detect a\n"
		"                    reset: it always fails)\n"
		"  --seed S          seed of sessions, kill moments and victims (default: 1)\n"
		"  --dts FILE[,FILE] devicetree(s) as for 'ipc-emu run' (default: built-in board)\n"
		"  --dts A,B,C[,...], --core NAME=FILE (repeatable)   a topology of more than\n"
		"                    two cores (docs/multicore.md): mode multicore, the only\n"
		"                    one; each session is a multi-core 'ipc-emu run\n"
		"                    --kill-random', N counts core resets (a core restarted\n"
		"                    with a killed one through an ICBMsg link is a cascade\n"
		"                    restart, counted apart); a row per link (resets,\n"
		"                    recovered, checked, failures) and per core (kills,\n"
		"                    restarts); a failure names its session's seed and the\n"
		"                    'ipc-emu run ...' command that replays it; --junit: one\n"
		"                    testcase per link ('multicore LINK'); not with --valgrind\n"
		"                    or --zephyr-base\n"
		"  --doorbell KIND   futex|eventfd (default: futex)\n"
		"  --valgrind        run every peer under valgrind memcheck (slow: use small N)\n"
		"  --json FILE       write the campaign report to FILE ('-': stdout, the table\n"
		"                    then on stderr)\n"
		"  --junit FILE      JUnit XML for CI: one testcase per mode, a failed mode\n"
		"                    with its first failure as the message\n"
		"  --zephyr-base DIR run the echo apps on the Zephyr tree DIR's IPC stack on\n"
		"                    both cores ('ipc-emu run --zephyr-base'); modes\n"
		"                    icmsg-enable and icmsg-detect only, written into the\n"
		"                    board's DTS (default: both)\n"
		"  --host-zephyr-base DIR, --remote-zephyr-base DIR   the same on one core\n"
		"  --quiet           print nothing but errors and the failure line of each\n"
		"                    failed mode (on stderr).  Without it, when neither stdout\n"
		"                    nor stderr is a terminal, a progress line goes to stderr\n"
		"                    every 5 s (IPC_EMU_PROGRESS_S=SEC, 0: off)\n"
		"  --help            this text\n"
		"\n"
		"The table: cycles, recovered (rebonds), messages checked (received and\n"
		"verified), corrupted, duplicated, hangs (sessions stuck for 10 s), blocks\n"
		"left in use after quiescence (ICBMsg), valgrind errors, seconds.\n"
		"\n"
		"examples:\n"
		"  ipc-emu stress --cycles 1000\n"
		"  ipc-emu stress --cycles 200 --modes icbmsg --json icb.json\n"
		"  ipc-emu stress --cycles 20 --valgrind\n"
		"  ipc-emu stress --cycles 10 --modes icmsg-disable   # fails: resets undetected\n"
		"  ipc-emu stress --cycles 100 --dts app.dts,rad.dts,ppr.dts\n"
		"\n"
		"exit status: 0 every mode passed (0 corrupted, 0 duplicated, 0 hangs, 0 blocks\n"
		"left, every reset recovered, no valgrind error, nothing leaked), 1 otherwise,\n"
		"2 usage error, 77 valgrind missing.\n",
		STRESS_DEFAULT_CYCLES);
}

static int susage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ipc-emu: stress: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'ipc-emu help stress')\n");
	return -1;
}

static bool parse_count(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9') {
		return false;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static bool parse_modes(const char *s, bool modes[N_MODES])
{
	char buf[256];
	char *save = NULL;
	bool any = false;

	if (strlen(s) >= sizeof(buf)) {
		return false;
	}
	memset(modes, 0, N_MODES * sizeof(bool));
	strcpy(buf, s);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < N_MODES && strcmp(all_modes[i].name, t) != 0; i++) {
		}
		if (i == N_MODES) {
			return false;
		}
		modes[i] = true;
		any = true;
	}
	return any;
}

/* 0, 1 (--help printed), -1 usage error (printed). */
/* "--dts A,B,C[,...]" (three files or more) or any --core: a topology. */
static bool dts_is_topology(const char *v)
{
	const char *c = v != NULL ? strchr(v, ',') : NULL;

	return c != NULL && strchr(c + 1, ',') != NULL;
}

/* A topology's options: only mode multicore, no two-core-only option. */
static int parse_multicore(struct stress_opts *so, const char *modes, bool valgrind)
{
	if (modes != NULL && strcmp(modes, "multicore") != 0) {
		return susage("--modes %s: a topology (--dts A,B,C[,...] or --core NAME=FILE) "
			      "has one mode: multicore", modes);
	}
	if (valgrind) {
		return susage("%s is two-core only: not with a topology (--dts A,B,C[,...] or "
			      "--core NAME=FILE)", "--valgrind");
	}
	if (so->zbase[0] != NULL || so->zbase[1] != NULL) {
		return susage("%s is two-core only: not with a topology (--dts A,B,C[,...] or "
			      "--core NAME=FILE)", "--zephyr-base");
	}
	if (so->dts != NULL) {
		static char buf[8192];
		char *save = NULL;

		if (strlen(so->dts) >= sizeof(buf) || strstr(so->dts, ",,") != NULL ||
		    so->dts[strlen(so->dts) - 1] == ',') {
			return susage("--dts wants FILE,FILE,FILE[,...] for a topology, not '%s'",
				      so->dts);
		}
		strcpy(buf, so->dts);
		for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
			if (so->n_spec == EMU_TOPO_MAX_CORES) {
				return susage("--dts: at most 8 devicetrees (one per core), not '%s'",
					      so->dts);
			}
			so->spec[so->n_spec].name = NULL;
			so->spec[so->n_spec++].path = t;
		}
	}
	so->multicore = true;
	return 0;
}

/* --core NAME=FILE (the name is checked by the topology). */
static int add_core(struct stress_opts *so, const char *v)
{
	static char buf[EMU_TOPO_MAX_CORES][4200];
	bool full = so->n_spec == EMU_TOPO_MAX_CORES;

	if (cli_core_spec_split(v, full ? NULL : buf[so->n_spec], sizeof(buf[0]),
				full ? NULL : &so->spec[so->n_spec], NULL) != 0) {
		return susage("--core wants NAME=FILE, not '%s'", v);
	}
	if (full) {
		return susage("--core %s: at most 8 cores", v);
	}
	so->n_spec++;
	return 0;
}

static int parse(int argc, char **argv, int first, struct stress_opts *so)
{
	bool modes_set = false, valgrind_set = false;
	const char *modes_arg = NULL;

	memset(so, 0, sizeof(*so));
	so->cycles = STRESS_DEFAULT_CYCLES;
	so->seed = 1;
	so->doorbell = EMU_DOORBELL_FUTEX;
	for (size_t i = 0; i < DEFAULT_MODES; i++) {
		so->modes[i] = true;
	}
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = strcmp(a, "--cycles") == 0 || strcmp(a, "--modes") == 0 ||
			     strcmp(a, "--seed") == 0 || strcmp(a, "--json") == 0 ||
			     strcmp(a, "--junit") == 0 ||
			     strcmp(a, "--dts") == 0 || strcmp(a, "--doorbell") == 0 ||
			     strcmp(a, "--zephyr-base") == 0 || strcmp(a, "--host-zephyr-base") == 0 ||
			     strcmp(a, "--remote-zephyr-base") == 0 || strcmp(a, "--core") == 0;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_help_stress(stdout);
			return 1;
		}
		if (takes && v == NULL) {
			return susage("%s needs a value", a);
		}
		if (strcmp(a, "--cycles") == 0) {
			if (!parse_count(v, STRESS_MAX_CYCLES, &so->cycles) || so->cycles == 0) {
				return susage("--cycles wants a count 1..1000000, not '%s'", v);
			}
		} else if (strcmp(a, "--modes") == 0) {
			modes_set = true;
			modes_arg = v; /* read once the topology or pair is known */
		} else if (strcmp(a, "--core") == 0) {
			if (so->dts != NULL) {
				return susage("%s", "--dts and --core exclude each other: name every "
					      "core with --core NAME=FILE, or none");
			}
			if (add_core(so, v) != 0) {
				return -1;
			}
		} else if (strcmp(a, "--seed") == 0) {
			if (!parse_count(v, UINT64_MAX, &so->seed)) {
				return susage("--seed wants an unsigned integer, not '%s'", v);
			}
		} else if (strcmp(a, "--json") == 0) {
			so->json = v;
		} else if (strcmp(a, "--junit") == 0) {
			so->junit = v;
		} else if (strcmp(a, "--dts") == 0) {
			if (so->n_spec > 0) {
				return susage("%s", "--dts and --core exclude each other: name every "
					      "core with --core NAME=FILE, or none");
			}
			so->dts = v;
		} else if (strcmp(a, "--doorbell") == 0) {
			if (strcmp(v, "futex") == 0) {
				so->doorbell = EMU_DOORBELL_FUTEX;
			} else if (strcmp(v, "eventfd") == 0) {
				so->doorbell = EMU_DOORBELL_EVENTFD;
			} else {
				return susage("--doorbell wants futex or eventfd, not '%s'", v);
			}
		} else if (strcmp(a, "--zephyr-base") == 0) {
			so->zbase[0] = so->zbase[1] = v;
		} else if (strcmp(a, "--host-zephyr-base") == 0) {
			so->zbase[0] = v;
		} else if (strcmp(a, "--remote-zephyr-base") == 0) {
			so->zbase[1] = v;
		} else if (strcmp(a, "--valgrind") == 0) {
			so->valgrind = valgrind_set = true;
			takes = false;
		} else if (strcmp(a, "--quiet") == 0) {
			so->quiet = true;
			takes = false;
		} else {
			return susage("unknown option '%s'", a);
		}
		i += takes;
	}
	if (so->n_spec > 0 || dts_is_topology(so->dts)) {
		return parse_multicore(so, modes_arg, valgrind_set);
	}
	if (modes_arg != NULL) {
		char buf[256];
		char *save = NULL;

		snprintf(buf, sizeof(buf), "%s", modes_arg);
		for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
			if (strcmp(t, "multicore") == 0) {
				return susage("--modes %s: mode multicore needs a topology: --dts "
					      "A,B,C[,...] (three files or more) or --core NAME=FILE",
					      modes_arg);
			}
		}
		if (!parse_modes(modes_arg, so->modes)) {
			return susage("--modes wants a list of icmsg-enable, icmsg-detect, "
				      "icbmsg, icbmsg-classic, icmsg-disable, not '%s'", modes_arg);
		}
	}
	if (so->zbase[0] != NULL || so->zbase[1] != NULL) {
		if (so->modes[4]) {
			return susage("--modes %s: not with --zephyr-base: legacy ICMsg has no reset "
				      "protocol, so kills cannot be recovered", "icmsg-disable");
		}
		/* The default list's icbmsg: the Zephyr-stack apps run on ICMsg. */
		if ((!so->modes[0] && !so->modes[1]) ||
		    (modes_set && (so->modes[2] || so->modes[3]))) {
			return susage("--modes %s: not with --zephyr-base: the echo apps run on ICMsg "
				      "(modes icmsg-enable, icmsg-detect)",
				      so->modes[3] && !so->modes[2] ? "icbmsg-classic" : "icbmsg");
		}
		so->modes[2] = so->modes[3] = false;
	}
	return 0;
}

/* --zephyr-base: the board's DTS (--dts, else the built-in one) with every
 * `unbound = "..."` set to the mode, for `role`; the file's path in out. */
static int write_variant(const struct stress_opts *so, const struct mode *m, int role,
			 char *out, size_t len)
{
	char src[4096];
	const char *text = NULL, *p;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	bool found = false;

	if (so->dts != NULL) {
		const char *comma = strchr(so->dts, ',');

		if (role == 1 && comma != NULL) {
			snprintf(src, sizeof(src), "%s", comma + 1);
		} else {
			snprintf(src, sizeof(src), "%.*s",
				 (int)(comma != NULL ? (size_t)(comma - so->dts) : strlen(so->dts)),
				 so->dts);
		}
		f = fopen(src, "re");
		if (f == NULL) {
			cli_err("stress: --dts %s: %s", src, strerror(errno));
			return -1;
		}
		buf = malloc(1u << 20);
		n = buf != NULL ? fread(buf, 1, (1u << 20) - 1, f) : 0;
		fclose(f);
		if (buf == NULL) {
			return -1;
		}
		buf[n] = '\0';
		text = buf;
	} else {
		text = emu_dt_default_board(role == 0 ? EMU_ROLE_HOST : EMU_ROLE_REMOTE);
	}
	snprintf(out, len, "%s/%s-%s.dts", so->dts_dir, m->name, role == 0 ? "host" : "remote");
	f = fopen(out, "we");
	if (f == NULL) {
		cli_err("stress: cannot write %s: %s", out, strerror(errno));
		free(buf);
		return -1;
	}
	for (p = text; *p != '\0';) {
		const char *u = strstr(p, "unbound = \"");
		const char *q = u != NULL ? strchr(u + 11, '"') : NULL;

		if (u == NULL || q == NULL) {
			fputs(p, f);
			break;
		}
		fprintf(f, "%.*sunbound = \"%s\"", (int)(u - p), p, cli_unbound_name(m->unbound));
		p = q + 1;
		found = true;
	}
	free(buf);
	if (fclose(f) != 0 || !found) {
		cli_err("stress: %s: no `unbound` property to set the mode in", so->dts != NULL
			? so->dts : "the built-in board");
		return -1;
	}
	return 0;
}

/* The `ipc-emu run` options of one session, checked by the run parser. */
static int session_opts(const struct stress_opts *so, const struct mode *m, unsigned kills,
			uint64_t seed, struct cli_opts *o)
{
	char *argv[32];
	char kills_s[16], msgs_s[24], seed_s[24];
	static char dts_s[2][200], pair[420];
	bool zephyr = so->zbase[0] != NULL || so->zbase[1] != NULL;
	int n = 0;
	uint64_t msgs = (uint64_t)kills * (zephyr ? MESSAGES_PER_KILL_ZEPHYR : MESSAGES_PER_KILL) +
			40u;

	snprintf(kills_s, sizeof(kills_s), "%u", kills);
	snprintf(msgs_s, sizeof(msgs_s), "%" PRIu64, msgs);
	snprintf(seed_s, sizeof(seed_s), "%" PRIu64, seed);
	argv[n++] = "ipc-emu";
	argv[n++] = "run";
	if (zephyr) {
		for (int role = 0; role < 2; role++) {
			if (write_variant(so, m, role, dts_s[role], sizeof(dts_s[role])) < 0) {
				return -1;
			}
		}
		snprintf(pair, sizeof(pair), "%s,%s", dts_s[0], dts_s[1]);
		if (so->zbase[0] != NULL) {
			argv[n++] = "--host-zephyr-base";
			argv[n++] = (char *)so->zbase[0];
		}
		if (so->zbase[1] != NULL) {
			argv[n++] = "--remote-zephyr-base";
			argv[n++] = (char *)so->zbase[1];
		}
		argv[n++] = "--dts";
		argv[n++] = pair;
	} else {
		argv[n++] = "--backend";
		argv[n++] = (char *)cli_backend_name(m->backend);
		if (m->icbmsg_version != 0) {
			argv[n++] = "--icbmsg-version";
			argv[n++] = (char *)cli_icbmsg_version_name(m->icbmsg_version);
		}
	}
	if (m->backend == EMU_BACKEND_ICMSG && !zephyr) {
		argv[n++] = "--unbound";
		argv[n++] = (char *)cli_unbound_name(m->unbound);
	}
	argv[n++] = "--kill-random";
	argv[n++] = kills_s;
	argv[n++] = "--messages";
	argv[n++] = msgs_s;
	argv[n++] = "--seed";
	argv[n++] = seed_s;
	argv[n++] = "--doorbell";
	argv[n++] = (char *)cli_doorbell_name(so->doorbell);
	argv[n++] = "--quiet";
	if (so->valgrind) {
		argv[n++] = "--valgrind";
	}
	if (so->dts != NULL && !zephyr) {
		argv[n++] = "--dts";
		argv[n++] = (char *)so->dts;
	}
	argv[n] = NULL;
	return cli_parse(CLI_CMD_RUN, n, argv, 2, o);
}

static void add(struct tally *t, const struct cli_run_summary *r)
{
	t->sessions++;
	t->cycles += r->cycles;
	t->rebonds += r->rebonds + r->overlapped; /* kills never overlap: 0 */
	t->crashes += r->crashes_injected;
	t->restarts += r->restarts;
	t->epochs += r->epochs;
	t->sent += r->sent;
	t->received += r->received;
	t->corrupted += r->corrupted;
	t->duplicated += r->duplicated;
	t->reordered += r->reordered;
	t->lost += r->lost;
	t->lost_across += r->lost_across;
	t->bonds += r->bonds;
	t->unbounds += r->unbounds;
	t->hangs += r->hang;
	t->blocks_in_use += r->blocks_in_use;
	t->blocks_unmeasured += t->m->backend == EMU_BACKEND_ICBMSG && !r->blocks_measured;
	t->valgrind_errors += (uint64_t)r->valgrind_errors;
	t->leaked_shm += r->leaked_shm;
	t->leaked_processes += r->leaked_processes;
	t->duration_s += r->duration_s;
	if (!r->ok) {
		t->failed_sessions++;
		if (t->first_failure[0] == '\0') {
			snprintf(t->first_failure, sizeof(t->first_failure), "session %u: %s",
				 t->sessions, r->reason);
		}
	}
}

static void progress(const struct stress_opts *so, const struct tally *t)
{
	fprintf(stderr, "\r  %-13s  cycles %" PRIu64 "/%" PRIu64 "  recovered %" PRIu64
		"  checked %" PRIu64 "  sessions %u  %.1f s   ",
		t->m->name, t->cycles < so->cycles ? t->cycles : so->cycles, so->cycles,
		t->rebonds, t->received, t->sessions, t->duration_s);
}

/* Run one mode; returns 0, or the exit status that stops the campaign
 * (usage error, valgrind missing, interrupted). */
static int run_mode(struct stress_opts *so, const struct mode *m, struct tally *t)
{
	bool tty = !so->quiet && isatty(STDERR_FILENO);
	unsigned barren = 0;
	double el;
	bool zephyr = so->zbase[0] != NULL || so->zbase[1] != NULL;
	unsigned per = zephyr				 ? KILLS_PER_SESSION_ZEPHYR
		       : m->backend == EMU_BACKEND_ICBMSG ? KILLS_PER_SESSION_ICB
							  : KILLS_PER_SESSION;

	memset(t, 0, sizeof(*t));
	t->m = m;
	while (t->cycles < so->cycles) {
		struct cli_opts o;
		struct cli_run_summary r;
		uint64_t left = so->cycles - t->cycles;
		unsigned kills = left < per ? (unsigned)left : per;
		uint64_t seed = so->seed * 1000003u + t->sessions * 7919u + (uint64_t)(m - all_modes);
		int rc;

		if (session_opts(so, m, kills, seed, &o) != 0) {
			return EXIT_USAGE;
		}
		memset(&r, 0, sizeof(r));
		rc = zephyr ? cli_run_zephyr(&o, &r) : cli_run_ex(&o, &r);
		if (rc == EXIT_USAGE || rc == EXIT_SKIP || rc >= 128) {
			return rc;
		}
		add(t, &r);
		if (tty) {
			progress(so, t);
		}
		if (cli_progress_due(&so->lines, &el)) {
			fprintf(stderr, "ipc-emu stress: %.0f s, mode %u/%u %s, cycles %" PRIu64
				"/%" PRIu64 ", sessions %u\n",
				el, so->mode_no, so->n_modes, m->name,
				t->cycles < so->cycles ? t->cycles : so->cycles, so->cycles,
				t->sessions);
		}
		/* The last session of a mode may not have room for all its kills;
		 * without any reset three times in a row, something is wrong. */
		barren = r.cycles == 0 ? barren + 1 : 0;
		if (barren == BARREN_SESSIONS) {
			snprintf(t->first_failure, sizeof(t->first_failure),
				 "%u sessions in a row ended before any kill", BARREN_SESSIONS);
			break;
		}
	}
	if (tty) {
		fputs("\r\033[K", stderr);
	}
	t->ok = t->failed_sessions == 0 && t->cycles >= so->cycles && t->rebonds == t->cycles &&
		t->corrupted == 0 && t->duplicated == 0 && t->reordered == 0 && t->lost == 0 &&
		t->hangs == 0 && t->blocks_in_use == 0 && t->blocks_unmeasured == 0 &&
		t->valgrind_errors == 0 && t->leaked_shm == 0 && t->leaked_processes == 0 &&
		barren < BARREN_SESSIONS;
	return 0;
}

static const char *failure_line(const struct tally *t)
{
	return t->ok ? "" : t->first_failure[0] ? t->first_failure : "not every reset was recovered";
}

static void print_table(const struct stress_opts *so, const struct tally *t, size_t n,
			FILE *f)
{
	fprintf(f, "ipc-emu stress: %" PRIu64 " cycles per mode, seed %" PRIu64 "%s\n", so->cycles,
		so->seed, so->valgrind ? ", under valgrind" : "");
	fprintf(f, "  %-13s %7s %13s %10s %9s %10s %5s %13s %8s %7s\n", "mode", "cycles",
		"recovered", "checked", "corrupted", "duplicated", "hangs", "leaked blocks",
		"valgrind", "seconds");
	for (size_t i = 0; i < n; i++) {
		char rec[32];

		snprintf(rec, sizeof(rec), "%" PRIu64 " (%.0f%%)", t[i].rebonds,
			 t[i].cycles ? 100.0 * (double)t[i].rebonds / (double)t[i].cycles : 0.0);
		fprintf(f,
			"  %-13s %7" PRIu64 " %13s %10" PRIu64 " %9" PRIu64 " %10" PRIu64
			" %5" PRIu64 " %13" PRIu64 " %8" PRIu64 " %7.1f  %s\n",
			t[i].m->name, t[i].cycles, rec, t[i].received, t[i].corrupted,
			t[i].duplicated, t[i].hangs, t[i].blocks_in_use, t[i].valgrind_errors,
			t[i].duration_s, t[i].ok ? "PASS" : "FAIL");
	}
	for (size_t i = 0; i < n; i++) {
		if (!t[i].ok) {
			fprintf(f, "  %s: %s\n", t[i].m->name, failure_line(&t[i]));
		}
	}
}

/* --junit: one testcase per mode. */
static int write_junit(const struct stress_opts *so, const struct tally *t, size_t n)
{
	struct cli_junit_case c[N_MODES];

	for (size_t i = 0; i < n; i++) {
		c[i] = (struct cli_junit_case){.classname = "ipc-emu.stress", .name = t[i].m->name,
					       .time_s = t[i].duration_s, .ok = t[i].ok,
					       .message = failure_line(&t[i])};
	}
	return cli_junit_write(so->junit, "ipc-emu stress", c, (unsigned)n);
}

static int write_json(const struct stress_opts *so, const struct tally *t, size_t n, bool ok)
{
	FILE *f = cli_json_open(so->json);

	if (f == NULL) {
		cli_err("stress: cannot write %s: %s", so->json, strerror(errno));
		return -errno;
	}
	fprintf(f, "{ \"ok\": %s, \"command\": \"stress\", \"cycles_per_mode\": %" PRIu64
		", \"seed\": %" PRIu64 ", \"valgrind\": %s,\n  \"modes\": [\n",
		ok ? "true" : "false", so->cycles, so->seed, so->valgrind ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		const struct tally *x = &t[i];

		fprintf(f,
			"    { \"mode\": \"%s\", \"ok\": %s, \"backend\": \"%s\", \"unbound\": \"%s\",\n"
			"      \"cycles\": %" PRIu64 ", \"rebonds\": %" PRIu64 ", \"sessions\": %u, "
			"\"failed_sessions\": %u,\n"
			"      \"messages\": { \"sent\": %" PRIu64 ", \"received\": %" PRIu64
			", \"corrupted\": %" PRIu64 ", \"duplicated\": %" PRIu64
			", \"reordered\": %" PRIu64 ", \"lost\": %" PRIu64
			", \"lost_across_session\": %" PRIu64 " },\n"
			"      \"bonds\": %" PRIu64 ", \"unbounds\": %" PRIu64
			", \"crashes_injected\": %" PRIu64 ", \"restarts\": %" PRIu64
			", \"restarts_of_both\": %" PRIu64 ",\n"
			"      \"hangs\": %" PRIu64 ", \"blocks_in_use_at_end\": %" PRIu64
			", \"valgrind_errors\": %" PRIu64 ",\n"
			"      \"leaks\": { \"shm_objects\": %" PRIu64 ", \"processes\": %" PRIu64
			" }, \"duration_s\": %.3f }%s\n",
			x->m->name, x->ok ? "true" : "false", cli_backend_name(x->m->backend),
			cli_unbound_name(x->m->unbound), x->cycles, x->rebonds, x->sessions,
			x->failed_sessions, x->sent, x->received, x->corrupted, x->duplicated,
			x->reordered, x->lost, x->lost_across, x->bonds, x->unbounds, x->crashes,
			x->restarts, x->epochs, x->hangs, x->blocks_in_use, x->valgrind_errors,
			x->leaked_shm, x->leaked_processes, x->duration_s, i + 1 < n ? "," : "");
	}
	fprintf(f, "  ] }\n");
	if (cli_json_close(f) != 0) {
		cli_err("stress: cannot write %s: %s", so->json, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* Run every chosen mode; 0, or the exit status that stops the campaign. */
static int stress_modes(struct stress_opts *so, struct tally *t, size_t *n, bool *ok)
{
	for (size_t i = 0; i < N_MODES; i++) {
		so->n_modes += so->modes[i];
	}
	for (size_t i = 0; i < N_MODES; i++) {
		int rc;

		if (!so->modes[i]) {
			continue;
		}
		so->mode_no++;
		rc = run_mode(so, &all_modes[i], &t[*n]);
		if (rc != 0) {
			return rc;
		}
		*ok = *ok && t[*n].ok;
		(*n)++;
	}
	return 0;
}

/* ---- Mode multicore: a topology (docs/multicore.md, "stress") ----------
 *
 * Each session is a multi-core `ipc-emu run --kill-random K` in a child
 * process (exactly the command line a failure prints for its replay), its
 * report read back from its --json file.  A cycle is one core reset by a
 * kill; the cores restarted with it through an ICBMsg link (which has no
 * reset protocol) are counted apart, as cascade restarts. */

#define MC_KILLS_PER_SESSION 5u
#define MC_MESSAGES_PER_KILL 40u
#define MC_SEED_MODE 5u /* the seed of session s: seed * 1000003 + s * 7919 + 5 */

struct mc_link_tally {
	char name[2 * EMU_TOPO_NAME_LEN + 34];
	enum emu_backend backend;
	uint64_t resets, recovered, verified, failures;
	char first_failure[1400];
};

struct mc_core_tally {
	char name[EMU_TOPO_NAME_LEN];
	uint64_t kills, crashes, restarts;
};

struct mc_tally {
	unsigned n_link, n_core;
	struct mc_link_tally link[EMU_TOPO_MAX_LINKS];
	struct mc_core_tally core[EMU_TOPO_MAX_CORES];
	unsigned sessions, failed_sessions, barren;
	uint64_t cycles, restarts, verified, hangs;
	double duration_s;
	char first_failure[1400];
	bool ok;
};

/* -- a small JSON reader for the run's own report ------------------------ */

struct jnode {
	char type; /* 'o' 'a' 's' 'n' 't' 'f' 'z' */
	const char *key, *s; /* key and string: raw, in the text, unescaped later */
	size_t klen, slen;
	double num;
	int child, next; /* first child, next sibling: -1 none */
};

struct jdoc {
	const char *p, *end;
	struct jnode *n;
	int used, cap, depth;
};

static void jws(struct jdoc *d)
{
	while (d->p < d->end && (*d->p == ' ' || *d->p == '\n' || *d->p == '\t' || *d->p == '\r')) {
		d->p++;
	}
}

static int jstring(struct jdoc *d, const char **s, size_t *len)
{
	const char *q;

	if (d->p >= d->end || *d->p != '"') {
		return -1;
	}
	q = ++d->p;
	while (d->p < d->end && *d->p != '"') {
		d->p += *d->p == '\\' ? 2 : 1;
	}
	if (d->p >= d->end) {
		return -1;
	}
	*s = q;
	*len = (size_t)(d->p - q);
	d->p++;
	return 0;
}

static int jvalue(struct jdoc *d)
{
	int me, last = -1;
	char close;

	if (d->used == d->cap || ++d->depth > 32) {
		return -1;
	}
	me = d->used++;
	memset(&d->n[me], 0, sizeof(d->n[me]));
	d->n[me].child = d->n[me].next = -1;
	jws(d);
	if (d->p >= d->end) {
		return -1;
	}
	if (*d->p == '{' || *d->p == '[') {
		d->n[me].type = *d->p == '{' ? 'o' : 'a';
		close = *d->p == '{' ? '}' : ']';
		d->p++;
		jws(d);
		while (d->p < d->end && *d->p != close) {
			const char *k = NULL;
			size_t kl = 0;
			int c;

			if (close == '}') {
				if (jstring(d, &k, &kl) < 0) {
					return -1;
				}
				jws(d);
				if (d->p >= d->end || *d->p++ != ':') {
					return -1;
				}
			}
			c = jvalue(d);
			if (c < 0) {
				return -1;
			}
			d->n[c].key = k;
			d->n[c].klen = kl;
			if (last < 0) {
				d->n[me].child = c;
			} else {
				d->n[last].next = c;
			}
			last = c;
			jws(d);
			if (d->p < d->end && *d->p == ',') {
				d->p++;
				jws(d);
			}
		}
		if (d->p >= d->end) {
			return -1;
		}
		d->p++;
	} else if (*d->p == '"') {
		d->n[me].type = 's';
		if (jstring(d, &d->n[me].s, &d->n[me].slen) < 0) {
			return -1;
		}
	} else if (d->end - d->p >= 4 && strncmp(d->p, "true", 4) == 0) {
		d->n[me].type = 't';
		d->p += 4;
	} else if (d->end - d->p >= 5 && strncmp(d->p, "false", 5) == 0) {
		d->n[me].type = 'f';
		d->p += 5;
	} else if (d->end - d->p >= 4 && strncmp(d->p, "null", 4) == 0) {
		d->n[me].type = 'z';
		d->p += 4;
	} else {
		char *e;

		d->n[me].type = 'n';
		d->n[me].num = strtod(d->p, &e);
		if (e == d->p) {
			return -1;
		}
		d->p = e;
	}
	d->depth--;
	return me;
}

/* The member `key` of object node o, or -1. */
static int jget(const struct jdoc *d, int o, const char *key)
{
	if (o < 0 || d->n[o].type != 'o') {
		return -1;
	}
	for (int c = d->n[o].child; c >= 0; c = d->n[c].next) {
		if (d->n[c].klen == strlen(key) && strncmp(d->n[c].key, key, d->n[c].klen) == 0) {
			return c;
		}
	}
	return -1;
}

static uint64_t jnum(const struct jdoc *d, int o, const char *key)
{
	int c = jget(d, o, key);

	return c >= 0 && d->n[c].type == 'n' && d->n[c].num > 0 ? (uint64_t)d->n[c].num : 0;
}

static bool jtrue(const struct jdoc *d, int o, const char *key)
{
	int c = jget(d, o, key);

	return c >= 0 && d->n[c].type == 't';
}

/* A string member, unescaped (\uXXXX as '?') into out. */
static void jstr(const struct jdoc *d, int o, const char *key, char *out, size_t len)
{
	int c = jget(d, o, key);
	size_t w = 0;

	out[0] = '\0';
	if (c < 0 || d->n[c].type != 's' || len == 0) {
		return;
	}
	for (size_t i = 0; i < d->n[c].slen && w + 1 < len; i++) {
		char ch = d->n[c].s[i];

		if (ch == '\\' && i + 1 < d->n[c].slen) {
			ch = d->n[c].s[++i];
			if (ch == 'n' || ch == 't' || ch == 'r') {
				ch = ' ';
			} else if (ch == 'u') {
				ch = '?';
				i += 4;
			}
		}
		out[w++] = ch;
	}
	out[w] = '\0';
}

/* -- sessions -------------------------------------------------------------- */

static volatile sig_atomic_t mc_stress_signal;

static void mc_stress_on_signal(int sig)
{
	mc_stress_signal = sig;
}

/* A word for the replay line, quoted for a shell when it needs it. */
static void shell_word(char *out, size_t len, const char *w)
{
	bool plain = w[0] != '\0';
	size_t n = 0;

	for (const char *p = w; *p != '\0'; p++) {
		plain = plain && (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789_-+=,./:@%", *p) != NULL);
	}
	if (plain) {
		snprintf(out, len, "%s", w);
		return;
	}
	if (len < 3) {
		out[0] = '\0';
		return;
	}
	out[n++] = '\'';
	for (const char *p = w; *p != '\0' && n + 5 < len; p++) {
		if (*p == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
}

/* The argv of session `seed` with `kills`; argv[0..n_replay) is the replay
 * command, the rest (--quiet --json FILE) only the campaign's. */
static int mc_session_argv(const struct stress_opts *so, unsigned kills, uint64_t seed,
			   const char *json, char *argv[], char store[][4200], int *n_replay)
{
	int n = 0, k = 0;

	argv[n++] = "ipc-emu";
	argv[n++] = "run";
	if (so->dts != NULL) {
		argv[n++] = "--dts";
		argv[n++] = (char *)so->dts;
	} else {
		for (unsigned i = 0; i < so->n_spec; i++) {
			argv[n++] = "--core";
			snprintf(store[k], sizeof(store[k]), "%s=%s", so->spec[i].name,
				 so->spec[i].path);
			argv[n++] = store[k++];
		}
	}
	argv[n++] = "--kill-random";
	snprintf(store[k], sizeof(store[k]), "%u", kills);
	argv[n++] = store[k++];
	argv[n++] = "--messages";
	snprintf(store[k], sizeof(store[k]), "%u", kills * MC_MESSAGES_PER_KILL + 40u);
	argv[n++] = store[k++];
	argv[n++] = "--seed";
	snprintf(store[k], sizeof(store[k]), "%" PRIu64, seed);
	argv[n++] = store[k++];
	argv[n++] = "--doorbell";
	argv[n++] = (char *)cli_doorbell_name(so->doorbell);
	*n_replay = n;
	argv[n++] = "--quiet";
	argv[n++] = "--json";
	argv[n++] = (char *)json;
	argv[n] = NULL;
	return n;
}

static void mc_replay(char *out, size_t len, char *argv[], int n)
{
	size_t w = 0;

	out[0] = '\0';
	for (int i = 0; i < n && w < len; i++) {
		char word[4300];

		shell_word(word, sizeof(word), argv[i]);
		w += (size_t)snprintf(out + w, len - w, "%s%s", i > 0 ? " " : "", word);
	}
}

/* Run argv (argv[0] replaced by this program) with stdout to /dev/null and
 * stderr to errf; its exit status (128+N: signal N), or -errno.  A SIGINT
 * or SIGTERM of the campaign (mc_stress_signal) is passed on to it: the
 * run then kills its cores and ends. */
static int mc_exec(char *argv[], const char *errf)
{
	static char self[4096];
	pid_t pid, parent = getpid();
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	bool passed = false;
	int st;

	if (n <= 0 || (size_t)n >= sizeof(self) - 1) {
		return -ENOENT;
	}
	self[n] = '\0';
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		return -errno;
	}
	if (pid == 0) {
		int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int err = open(errf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		/* The session ends (its cores with it) if the campaign dies. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() != parent ||
		    out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 ||
		    dup2(err, STDERR_FILENO) < 0) {
			_exit(127);
		}
		argv[0] = self; /* exec resets the campaign's handlers */
		execv(self, argv);
		_exit(127);
	}
	for (;;) {
		struct timespec ts = {0, 10000000L};
		pid_t w;

		if (mc_stress_signal != 0 && !passed) {
			kill(pid, mc_stress_signal);
			passed = true;
		}
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			return cli_decode_status(st);
		}
		if (w < 0 && errno != EINTR) {
			return -errno;
		}
		nanosleep(&ts, NULL);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t cap = 1u << 20;

	*len = 0;
	if (f == NULL) {
		return NULL;
	}
	buf = malloc(cap + 1);
	if (buf != NULL) {
		*len = fread(buf, 1, cap, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static void add_failure(char *to, size_t len, unsigned session, uint64_t seed,
			const char *reason, const char *replay)
{
	if (to[0] == '\0') {
		snprintf(to, len, "session %u (seed %" PRIu64 "): %s; replay: %s", session, seed,
			 reason, replay);
	}
}

/* Add one session's report (or its absence) to the tally. */
static void mc_add(struct mc_tally *t, uint64_t seed, int rc, const char *json,
		   const char *errf, const char *replay)
{
	size_t len = 0, elen = 0;
	char *text = slurp(json, &len);
	struct jdoc d = {0};
	int root = -1, links, cores;
	bool ok = false, any_link_failed = false;
	char reason[1024] = "";

	t->sessions++;
	if (text != NULL) {
		d.p = text;
		d.end = text + len;
		d.cap = 4096;
		d.n = malloc((size_t)d.cap * sizeof(*d.n));
		root = d.n != NULL ? jvalue(&d) : -1;
	}
	if (root >= 0) {
		int k = jget(&d, root, "kills");
		uint64_t done = jnum(&d, k, "done");

		ok = jtrue(&d, root, "ok") && rc == 0;
		jstr(&d, root, "reason", reason, sizeof(reason));
		t->cycles += done;
		t->barren = done == 0 ? t->barren + 1 : 0;
		t->hangs += jtrue(&d, root, "hang");
		k = jget(&d, root, "duration_s");
		t->duration_s += k >= 0 && d.n[k].type == 'n' ? d.n[k].num : 0.0;
		cores = jget(&d, root, "cores");
		links = jget(&d, root, "links");
		for (int c = cores >= 0 ? d.n[cores].child : -1; c >= 0; c = d.n[c].next) {
			char name[EMU_TOPO_NAME_LEN];

			jstr(&d, c, "name", name, sizeof(name));
			for (unsigned i = 0; i < t->n_core; i++) {
				if (strcmp(t->core[i].name, name) == 0) {
					t->core[i].kills += jnum(&d, c, "kills");
					t->core[i].crashes += jnum(&d, c, "crashes");
					t->core[i].restarts += jnum(&d, c, "restarts");
					t->restarts += jnum(&d, c, "restarts");
				}
			}
		}
		for (int c = links >= 0 ? d.n[links].child : -1; c >= 0; c = d.n[c].next) {
			char name[sizeof(t->link[0].name)], why[1024];
			int res = jget(&d, c, "resets"), msg = jget(&d, c, "messages");

			jstr(&d, c, "name", name, sizeof(name));
			for (unsigned i = 0; i < t->n_link; i++) {
				struct mc_link_tally *l = &t->link[i];

				if (strcmp(l->name, name) != 0) {
					continue;
				}
				l->resets += jnum(&d, res, "cycles");
				l->recovered += jnum(&d, c, "rebonds");
				l->verified += jnum(&d, msg, "received");
				t->verified += jnum(&d, msg, "received");
				if (!jtrue(&d, c, "ok")) {
					jstr(&d, c, "reason", why, sizeof(why));
					l->failures++;
					any_link_failed = true;
					add_failure(l->first_failure, sizeof(l->first_failure),
						    t->sessions, seed, why[0] ? why : "failed", replay);
				}
			}
		}
	} else {
		char *err = slurp(errf, &elen);
		char *nl = err != NULL ? strchr(err, '\n') : NULL;

		if (nl != NULL) {
			*nl = '\0';
		}
		snprintf(reason, sizeof(reason), "exit status %d, no report%s%s", rc,
			 err != NULL && err[0] ? ": " : "", err != NULL ? err : "");
		free(err);
		t->barren++;
	}
	if (!ok) {
		t->failed_sessions++;
		add_failure(t->first_failure, sizeof(t->first_failure), t->sessions, seed,
			    reason[0] ? reason : "failed", replay);
		/* A failure no link owns (a hang, missing kills): every link's. */
		for (unsigned i = 0; i < t->n_link && !any_link_failed; i++) {
			t->link[i].failures++;
			add_failure(t->link[i].first_failure, sizeof(t->link[i].first_failure),
				    t->sessions, seed, reason[0] ? reason : "failed", replay);
		}
	}
	free(d.n);
	free(text);
}

static void mc_progress(const struct stress_opts *so, const struct mc_tally *t)
{
	fprintf(stderr, "\r  multicore  cycles %" PRIu64 "/%" PRIu64 "  checked %" PRIu64
		"  sessions %u  %.1f s   ",
		t->cycles < so->cycles ? t->cycles : so->cycles, so->cycles, t->verified,
		t->sessions, t->duration_s);
}

/* The sessions until N core resets; 0, or the status that stops it. */
static int mc_campaign(struct stress_opts *so, struct mc_tally *t)
{
	bool tty = !so->quiet && isatty(STDERR_FILENO);
	char json[160], errf[160];
	double el;

	snprintf(json, sizeof(json), "%s/session.json", so->mc_dir);
	snprintf(errf, sizeof(errf), "%s/session.err", so->mc_dir);
	while (t->cycles < so->cycles && mc_stress_signal == 0) {
		char *argv[2 * EMU_TOPO_MAX_CORES + 24];
		char store[EMU_TOPO_MAX_CORES + 4][4200];
		char replay[2048];
		uint64_t left = so->cycles - t->cycles;
		unsigned kills = left < MC_KILLS_PER_SESSION ? (unsigned)left : MC_KILLS_PER_SESSION;
		uint64_t seed = so->seed * 1000003u + t->sessions * 7919u + MC_SEED_MODE;
		int n_replay, rc;

		mc_session_argv(so, kills, seed, json, argv, store, &n_replay);
		mc_replay(replay, sizeof(replay), argv, n_replay);
		unlink(json);
		rc = mc_exec(argv, errf);
		if (rc < 0) {
			cli_err("stress: cannot run a session: %s", strerror(-rc));
			return EXIT_INVARIANT;
		}
		if (rc >= 128 || mc_stress_signal != 0) {
			/* Interrupted: the run killed its cores. */
			cli_err("stress: interrupted by signal %d: the session's cores killed",
				mc_stress_signal != 0 ? (int)mc_stress_signal : rc - 128);
			return mc_stress_signal != 0 ? 128 + mc_stress_signal : rc;
		}
		if (rc == EXIT_USAGE) {
			/* Refused (said on its stderr): stop here. */
			size_t len;
			char *err = slurp(errf, &len);

			/* The run's refusal, said as the campaign's. */
			for (char *l = err, *nl; l != NULL && *l != '\0'; l = nl) {
				nl = strchr(l, '\n');
				if (nl != NULL) {
					*nl++ = '\0';
				}
				if (strncmp(l, "ipc-emu: run: ", 14) == 0) {
					fprintf(stderr, "ipc-emu: stress: %s\n", l + 14);
				} else {
					fprintf(stderr, "%s\n", l);
				}
			}
			free(err);
			return EXIT_USAGE;
		}
		mc_add(t, seed, rc, json, errf, replay);
		if (tty) {
			mc_progress(so, t);
		}
		if (cli_progress_due(&so->lines, &el)) {
			fprintf(stderr, "ipc-emu stress: %.0f s, mode 1/1 multicore, cycles %" PRIu64
				"/%" PRIu64 ", sessions %u\n",
				el, t->cycles < so->cycles ? t->cycles : so->cycles, so->cycles,
				t->sessions);
		}
		if (t->barren >= BARREN_SESSIONS) {
			snprintf(t->first_failure, sizeof(t->first_failure),
				 "%u sessions in a row ended before any kill (last: %s)",
				 BARREN_SESSIONS, replay);
			break;
		}
	}
	if (tty) {
		fputs("\r\033[K", stderr);
	}
	if (mc_stress_signal != 0) {
		cli_err("stress: interrupted by signal %d: the session's cores killed",
			(int)mc_stress_signal);
		return 128 + mc_stress_signal;
	}
	t->ok = t->failed_sessions == 0 && t->cycles >= so->cycles && t->hangs == 0 &&
		t->barren < BARREN_SESSIONS;
	for (unsigned i = 0; i < t->n_link; i++) {
		struct mc_link_tally *l = &t->link[i];

		if (l->failures == 0 && l->recovered != l->resets) {
			l->failures++;
			snprintf(l->first_failure, sizeof(l->first_failure),
				 "%" PRIu64 " of %" PRIu64 " resets recovered", l->recovered,
				 l->resets);
		}
		t->ok = t->ok && l->failures == 0;
	}
	return 0;
}

static uint64_t mc_kills(const struct mc_tally *t)
{
	uint64_t k = 0;

	for (unsigned i = 0; i < t->n_core; i++) {
		k += t->core[i].kills + t->core[i].crashes;
	}
	return k;
}

static const char *mc_failure(const struct mc_tally *t)
{
	return t->first_failure[0] ? t->first_failure : "not every reset was recovered";
}

static void mc_print(const struct stress_opts *so, const struct mc_tally *t, FILE *f)
{
	int wl = 4, wc = 4;
	uint64_t resets = mc_kills(t);
	bool shown = false;

	for (unsigned i = 0; i < t->n_link; i++) {
		wl = (int)strlen(t->link[i].name) > wl ? (int)strlen(t->link[i].name) : wl;
	}
	for (unsigned i = 0; i < t->n_core; i++) {
		wc = (int)strlen(t->core[i].name) > wc ? (int)strlen(t->core[i].name) : wc;
	}
	fprintf(f, "ipc-emu stress: multicore, %u cores, %u links, %" PRIu64
		" core resets, seed %" PRIu64 "\n", t->n_core, t->n_link, so->cycles, so->seed);
	fprintf(f, "  %-*s  %-7s %7s %10s %10s %9s\n", wl, "link", "backend", "resets",
		"recovered", "checked", "failures");
	for (unsigned i = 0; i < t->n_link; i++) {
		const struct mc_link_tally *l = &t->link[i];

		fprintf(f, "  %-*s  %-7s %7" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9" PRIu64
			"  %s\n", wl, l->name, cli_backend_name(l->backend), l->resets,
			l->recovered, l->verified, l->failures, l->failures ? "FAIL" : "PASS");
	}
	fprintf(f, "  %-*s  %7s %8s\n", wc, "core", "kills", "restarts");
	for (unsigned i = 0; i < t->n_core; i++) {
		fprintf(f, "  %-*s  %7" PRIu64 " %8" PRIu64 "\n", wc, t->core[i].name,
			t->core[i].kills + t->core[i].crashes, t->core[i].restarts);
	}
	fprintf(f, "  result: %s: %" PRIu64 " core resets (+%" PRIu64 " ICBMsg cascade restarts)"
		" in %u sessions, %" PRIu64 " messages checked, %.1f s\n",
		t->ok ? "PASS" : "FAIL", resets, t->restarts - resets, t->sessions, t->verified,
		t->duration_s);
	for (unsigned i = 0; i < t->n_link; i++) {
		if (t->link[i].failures != 0) {
			fprintf(f, "  %s: %s\n", t->link[i].name, t->link[i].first_failure);
			shown = true;
		}
	}
	if (!t->ok && !shown) {
		fprintf(f, "  %s\n", mc_failure(t));
	}
}

static int mc_write_junit(const struct stress_opts *so, const struct mc_tally *t)
{
	struct cli_junit_case c[EMU_TOPO_MAX_LINKS];
	static char names[EMU_TOPO_MAX_LINKS][2 * EMU_TOPO_NAME_LEN + 48];

	for (unsigned i = 0; i < t->n_link; i++) {
		const struct mc_link_tally *l = &t->link[i];

		snprintf(names[i], sizeof(names[i]), "multicore %s", l->name);
		c[i] = (struct cli_junit_case){
			.classname = "ipc-emu.stress", .name = names[i], .time_s = t->duration_s,
			.ok = l->failures == 0,
			.message = l->failures == 0 ? "" : l->first_failure};
	}
	return cli_junit_write(so->junit, "ipc-emu stress", c, t->n_link);
}

static int mc_write_json(const struct stress_opts *so, const struct mc_tally *t)
{
	FILE *f = cli_json_open(so->json);
	uint64_t resets = mc_kills(t);

	if (f == NULL) {
		cli_err("stress: cannot write %s: %s", so->json, strerror(errno));
		return -errno;
	}
	fprintf(f, "{ \"ok\": %s, \"command\": \"stress\", \"mode\": \"multicore\", "
		"\"cycles\": %" PRIu64 ", \"seed\": %" PRIu64 ",\n  \"core_resets\": %" PRIu64
		", \"cascade_restarts\": %" PRIu64 ", \"sessions\": %u, \"failed_sessions\": %u, "
		"\"hangs\": %" PRIu64 ", \"messages_checked\": %" PRIu64
		", \"duration_s\": %.3f,\n  \"first_failure\": ",
		t->ok ? "true" : "false", so->cycles, so->seed, resets, t->restarts - resets,
		t->sessions, t->failed_sessions, t->hangs, t->verified, t->duration_s);
	cli_json_str(f, t->ok ? NULL : mc_failure(t));
	fprintf(f, ",\n  \"links\": [\n");
	for (unsigned i = 0; i < t->n_link; i++) {
		const struct mc_link_tally *l = &t->link[i];

		fprintf(f, "    { \"name\": ");
		cli_json_str(f, l->name);
		fprintf(f, ", \"ok\": %s, \"backend\": \"%s\", \"resets\": %" PRIu64
			", \"recovered\": %" PRIu64 ", \"messages_checked\": %" PRIu64
			", \"failures\": %" PRIu64 ", \"first_failure\": ",
			l->failures == 0 ? "true" : "false", cli_backend_name(l->backend), l->resets,
			l->recovered, l->verified, l->failures);
		cli_json_str(f, l->failures == 0 ? NULL : l->first_failure);
		fprintf(f, " }%s\n", i + 1 < t->n_link ? "," : "");
	}
	fprintf(f, "  ],\n  \"cores\": [\n");
	for (unsigned i = 0; i < t->n_core; i++) {
		const struct mc_core_tally *c = &t->core[i];

		fprintf(f, "    { \"name\": ");
		cli_json_str(f, c->name);
		fprintf(f, ", \"kills\": %" PRIu64 ", \"crashes\": %" PRIu64 ", \"restarts\": %" PRIu64
			" }%s\n", c->kills, c->crashes, c->restarts, i + 1 < t->n_core ? "," : "");
	}
	fprintf(f, "  ] }\n");
	if (cli_json_close(f) != 0) {
		cli_err("stress: cannot write %s: %s", so->json, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* The whole multicore campaign: topology, sessions, reports. */
static int stress_multicore(struct stress_opts *so)
{
	struct emu_topo *topo = calloc(1, sizeof(*topo));
	struct mc_tally *t = calloc(1, sizeof(*t));
	char err[1024];
	int rc;

	if (topo == NULL || t == NULL) {
		free(topo);
		free(t);
		cli_err("stress: out of memory");
		return EXIT_INVARIANT;
	}
	rc = emu_topo_load(so->spec, so->n_spec, NULL, topo, err, sizeof(err));
	if (rc < 0) {
		cli_err("stress: %s", err);
		free(topo);
		free(t);
		return EXIT_USAGE;
	}
	t->n_core = topo->n_core;
	t->n_link = topo->n_link;
	for (unsigned i = 0; i < topo->n_core; i++) {
		snprintf(t->core[i].name, sizeof(t->core[i].name), "%s", topo->core[i].name);
	}
	for (unsigned i = 0; i < topo->n_link; i++) {
		snprintf(t->link[i].name, sizeof(t->link[i].name), "%s", topo->link[i].name);
		t->link[i].backend = topo->link[i].plan[0].inst[0].backend;
	}
	free(topo);
	rc = cli_run_dir_create("stress", so->mc_dir, sizeof(so->mc_dir));
	if (rc < 0) {
		cli_err("stress: cannot create a directory for the sessions: %s", strerror(-rc));
		free(t);
		return EXIT_INVARIANT;
	}
	{
		struct sigaction sa, old_int, old_term;

		/* From here on SIGINT/SIGTERM end the campaign after its session. */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = mc_stress_on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		rc = mc_campaign(so, t);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	cli_run_dir_remove(so->mc_dir);
	if (rc == 0) {
		if (!so->quiet) {
			mc_print(so, t, stdout);
		} else if (!t->ok) {
			bool shown = false;

			for (unsigned i = 0; i < t->n_link; i++) {
				if (t->link[i].failures != 0) {
					fprintf(stderr, "ipc-emu stress: FAIL: multicore %s: %s\n",
						t->link[i].name, t->link[i].first_failure);
					shown = true;
				}
			}
			if (!shown) {
				fprintf(stderr, "ipc-emu stress: FAIL: multicore: %s\n",
					mc_failure(t));
			}
		}
		rc = t->ok ? EXIT_PASS : EXIT_INVARIANT;
		if ((so->json != NULL && mc_write_json(so, t) < 0) ||
		    (so->junit != NULL && mc_write_junit(so, t) < 0)) {
			rc = EXIT_INVARIANT;
		}
	}
	free(t);
	return rc;
}

int cli_stress_main(int argc, char **argv, int first)
{
	struct stress_opts so;
	struct tally t[N_MODES];
	size_t n = 0;
	bool ok = true;
	int rc = parse(argc, argv, first, &so);

	if (rc != 0) {
		return rc > 0 ? EXIT_PASS : EXIT_USAGE;
	}
	/* Unwritable report files are usage errors, found before the campaign. */
	if ((so.json != NULL && cli_out_check("stress", "--json", so.json) < 0) ||
	    (so.junit != NULL && cli_out_check("stress", "--junit", so.junit) < 0)) {
		return EXIT_USAGE;
	}
	if (so.json != NULL && strcmp(so.json, "-") == 0) {
		cli_json_stdout(); /* stdout: the JSON only; the table goes to stderr */
	}
	cli_progress_init(&so.lines, so.quiet);
	if (so.multicore) {
		return stress_multicore(&so);
	}
	if (so.zbase[0] != NULL || so.zbase[1] != NULL) {
		/* The DTS variants of the modes live here for the campaign. */
		rc = cli_run_dir_create("stress", so.dts_dir, sizeof(so.dts_dir));
		if (rc < 0) {
			cli_err("stress: cannot create a directory for the DTS variants: %s",
				strerror(-rc));
			return EXIT_INVARIANT;
		}
	}
	rc = stress_modes(&so, t, &n, &ok);
	if (so.dts_dir[0] != '\0') {
		cli_run_dir_remove(so.dts_dir);
	}
	if (rc != 0) {
		return rc;
	}
	if (!so.quiet) {
		print_table(&so, t, n, stdout);
	} else {
		/* --quiet: the failure line of each failed mode, nothing else. */
		for (size_t i = 0; i < n; i++) {
			if (!t[i].ok) {
				fprintf(stderr, "ipc-emu stress: FAIL: %s: %s\n", t[i].m->name,
					failure_line(&t[i]));
			}
		}
	}
	if (so.json != NULL && write_json(&so, t, n, ok) < 0) {
		return EXIT_INVARIANT;
	}
	if (so.junit != NULL && write_junit(&so, t, n) < 0) {
		return EXIT_INVARIANT;
	}
	return ok ? EXIT_PASS : EXIT_INVARIANT;
}
