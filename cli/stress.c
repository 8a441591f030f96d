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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
static int parse(int argc, char **argv, int first, struct stress_opts *so)
{
	bool modes_set = false;

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
			     strcmp(a, "--remote-zephyr-base") == 0;

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
			if (!parse_modes(v, so->modes)) {
				return susage("--modes wants a list of icmsg-enable, icmsg-detect, "
					      "icbmsg, icbmsg-classic, icmsg-disable, not '%s'", v);
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
			so->valgrind = true;
			takes = false;
		} else if (strcmp(a, "--quiet") == 0) {
			so->quiet = true;
			takes = false;
		} else {
			return susage("unknown option '%s'", a);
		}
		i += takes;
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
