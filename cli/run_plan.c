/*
 * run_plan.c - `ipc-emu run`'s options, devicetree and environment resolved
 * into one plan before anything is created (run_plan.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_plan.h"

#define FAIL_GRACE_S 2.0          /* after one peer failed, time left to the other */
#define STALL_S 10.0              /* no progress at all for this long: a hang */
#define STALL_LEGACY_S 2.0        /* unbound=disable after a reset: not detected */
/* The memory image of a tree without regions (one page at address 0). */
#define RUN_MIN_IMAGE 4096u

uint64_t cli_run_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

double cli_run_rng_unit(uint64_t *state)
{
	return (double)(cli_run_rng_next(state) >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool find_in_path(const char *prog, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	char buf[4096];
	char *save = NULL;

	if (path == NULL || strlen(path) >= sizeof(buf)) {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (snprintf(out, outlen, "%s/%s", *dir ? dir : ".", prog) < (int)outlen &&
		    access(out, X_OK) == 0) {
			return true;
		}
	}
	return false;
}

/* valgrind, and this binary for the peers to exec. */
static int plan_tools(struct cli_run_plan *p, char *err, size_t errlen)
{
	ssize_t n;

	if (p->o->valgrind && !find_in_path("valgrind", p->valgrind, sizeof(p->valgrind))) {
		snprintf(err, errlen, "--valgrind: valgrind is not installed (skipped)");
		return EXIT_SKIP;
	}
	/* Exec a resolved path: exec'ing /proc/self/exe fails under valgrind. */
	n = readlink("/proc/self/exe", p->self, sizeof(p->self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(p->self) - 1) {
		snprintf(err, errlen, "cannot resolve /proc/self/exe: %s", strerror(errno));
		return EXIT_INVARIANT;
	}
	p->self[n] = '\0';
	return 0;
}

/* --trace: fail before the run, not after it, if it cannot be written. */
static int plan_outputs(struct cli_run_plan *p, char *err, size_t errlen)
{
	int rc;

	if (p->o->trace == NULL) {
		return 0;
	}
	rc = cli_out_writable(p->o->trace);
	if (rc < 0) {
		snprintf(err, errlen, "--trace: cannot write %s: %s", p->o->trace, strerror(-rc));
		return rc == -EACCES || rc == -ENOENT || rc == -EISDIR || rc == -ENOTDIR
			       ? EXIT_USAGE
			       : EXIT_INVARIANT;
	}
	return 0;
}

static void plan_segment(struct cli_run_plan *p)
{
	p->seg = (struct emu_segment_cfg){
		.name = NULL,
		.mem_base = p->cfg.host.base,
		.mem_size = (uint32_t)p->cfg.host.size,
		.doorbell = p->o->doorbell,
	};
	if (p->cfg.host.size == 0) {
		/* A tree without regions (MBOX/IPM devices only): a minimal image,
		 * as the segment cannot be empty. */
		p->seg.mem_base = 0;
		p->seg.mem_size = RUN_MIN_IMAGE;
	}
}

static void plan_peer_args(struct cli_run_plan *p)
{
	const struct cli_opts *o = p->o;

	snprintf(p->messages_arg, sizeof(p->messages_arg), "%" PRIu64, o->messages);
	snprintf(p->endpoints_arg, sizeof(p->endpoints_arg), "%u", p->cfg.endpoints);
	snprintf(p->rxbuf_arg, sizeof(p->rxbuf_arg), "%u", o->rx_buf_size);
	snprintf(p->seed_arg, sizeof(p->seed_arg), "%" PRIu64, o->seed);
	snprintf(p->busy_poll_arg, sizeof(p->busy_poll_arg), "--busy-poll=%u", o->busy_poll_us);
	snprintf(p->mem_limit_arg, sizeof(p->mem_limit_arg), "--mem-limit=%u", o->mem_limit_mib);
	snprintf(p->max_active_arg, sizeof(p->max_active_arg), "--max-active-count=%u",
		 o->max_active_count);
	if (o->n_dts == 1) {
		snprintf(p->dts_arg, sizeof(p->dts_arg), "%s", o->dts[0]);
	} else if (o->n_dts == 2) {
		snprintf(p->dts_arg, sizeof(p->dts_arg), "%s,%s", o->dts[0], o->dts[1]);
	}
	p->backend_name = cli_backend_name(o->backend);
	p->unbound_name = o->unbound != 0 ? cli_unbound_name(o->unbound) : NULL;
	p->icbmsg_version_name =
		o->icbmsg_version != 0 ? cli_icbmsg_version_name(o->icbmsg_version) : NULL;
	p->doorbell_name = cli_doorbell_name(o->doorbell);
}

static void plan_crash(struct cli_run_plan *p)
{
	struct cli_crash cp;

	if (p->o->crash_point == NULL) {
		return;
	}
	(void)cli_parse_crash(p->o->crash_point, &cp); /* checked by cli_parse */
	snprintf(p->crash_env, sizeof(p->crash_env), "IPC_EMU_CRASH=%s@%u", cp.name, cp.nth);
	p->crash_armed[EMU_ROLE_HOST] = cp.roles & 1u;
	p->crash_armed[EMU_ROLE_REMOTE] = (cp.roles & 2u) != 0;
}

/* Kill moments: progress fractions, spread over the run. */
void cli_run_plan_kills(const struct cli_opts *o, double *kill_at, uint64_t *rng)
{
	unsigned n = o->kill_random < CLI_RUN_MAX_KILLS ? o->kill_random : CLI_RUN_MAX_KILLS;

	*rng = o->seed ^ 0x6B696C6C72616E64ull;
	/* Progress counts messages: the echo phase (first half) is most of the
	 * run's time, the stream phase goes fast.  All kills but the last land in
	 * the echo phase, the last early in the stream phase, so that every kill
	 * can wait for the re-bond of the previous one; should the run still
	 * get there first, the peers hold their DONE until the last kill. */
	for (unsigned i = 0; i < n; i++) {
		/* ICBMsg restarts both peers: every epoch starts from scratch, so
		 * its last kill fits in the echo phase too. */
		bool last = i + 1 == n && o->backend != EMU_BACKEND_ICBMSG;

		/* A lone kill lands in the echo phase too: drawn late in the
		 * short stream phase it often came after a side began finishing
		 * and never happened (ipc-emu stress then saw empty sessions). */
		kill_at[i] = last && i > 0 ? 0.51 + 0.1 * cli_run_rng_unit(rng)
					   : 0.02 + 0.46 * cli_run_rng_unit(rng);
	}
	qsort(kill_at, n, sizeof(kill_at[0]), cmp_double);
}

static void plan_kills(struct cli_run_plan *p)
{
	cli_run_plan_kills(p->o, p->kill_at, &p->rng);
}

static void plan_liveness(struct cli_run_plan *p)
{
	const struct cli_opts *o = p->o;
	double scale = o->valgrind ? CLI_VALGRIND_SCALE : 1;

	p->watch_stall = !scn_is_raw(o->scenario) && !p->user;
	p->stall_s = STALL_S * scale;
	p->stall_legacy_s = STALL_LEGACY_S * scale;
	p->fail_grace_s = FAIL_GRACE_S * scale;
	p->timeout_ns = o->timeout_s > 0 ? (uint64_t)(o->timeout_s * 1e9) : 0;
	p->total = (2 * o->messages + 2) * p->cfg.endpoints;
}

int cli_run_plan_make(const struct cli_opts *o, struct cli_run_plan *p, char *err, size_t errlen)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->o = o;
	p->user = o->prog[0] != NULL;
	if (cli_load_config(o, &p->cfg, err, errlen) < 0) {
		memset(&p->cfg, 0, sizeof(p->cfg)); /* a refused tree warns of nothing */
		return EXIT_USAGE;
	}
	rc = plan_tools(p, err, errlen);
	if (rc == 0) {
		rc = plan_outputs(p, err, errlen);
	}
	if (rc != 0) {
		return rc;
	}
	plan_segment(p);
	plan_peer_args(p);
	plan_crash(p);
	plan_kills(p);
	plan_liveness(p);
	return 0;
}

/* Kills and crash points need a reset protocol: the DTS's unbound mode
 * decides. */
static int zephyr_resets(const struct cli_opts *o, struct cli_zephyr_plan *z, char *err,
			 size_t errlen)
{
	const char *what = o->kill_random > 0 ? "--kill-random" : "--crash-point";

	if (o->kill_random == 0 && o->crash_point == NULL) {
		return 0;
	}
	if (cli_load_config(o, &z->cfg, err, errlen) < 0) {
		return EXIT_USAGE;
	}
	if (z->cfg.inst_host->backend == EMU_BACKEND_ICBMSG) {
		snprintf(err, errlen,
			 "run: %s with --zephyr-base runs on ICMsg only: classic ICBMsg has no "
			 "reset protocol (ipc-emu's own peers recover by restarting both cores; "
			 "the echo apps do not)",
			 what);
		return EXIT_USAGE;
	}
	if (z->cfg.unbound == EMU_UNBOUND_DISABLE) {
		snprintf(err, errlen,
			 "run: %s with --zephyr-base needs unbound = \"enable\" or \"detect\" in "
			 "the DTS: in legacy mode (\"disable\") ICMsg has no reset protocol, so the "
			 "peer of a restarted core never notices",
			 what);
		return EXIT_USAGE;
	}
	return 0;
}

/* The cores on ipc-emu's core speak the ICBMsg of the tree(s) (for
 * --backend icbmsg, and for a DTS whose ipc0 is ICBMsg). */
static int zephyr_icbmsg_version(const struct cli_opts *o, struct cli_opts *copy, char *err,
				 size_t errlen)
{
	for (int role = 0; role < 2; role++) {
		uint32_t v = cli_tree_icbmsg_version(o->zephyr_base[role]);

		if (v == 0) {
			continue;
		}
		if (o->icbmsg_version == 0 && copy->icbmsg_version != 0 &&
		    copy->icbmsg_version != v) {
			/* two trees, no option: the first one set it */
			snprintf(err, errlen,
				 "run: %s speaks %s ICBMsg and %s %s ICBMsg (backends/"
				 "ipc_icbmsg.c); the two cores must speak the same",
				 o->zephyr_base[0], cli_icbmsg_version_name(copy->icbmsg_version),
				 o->zephyr_base[role], cli_icbmsg_version_name(v));
			return EXIT_USAGE;
		}
		if (copy->icbmsg_version != 0 && copy->icbmsg_version != v) {
			snprintf(err, errlen,
				 "run: --icbmsg-version %s: %s speaks %s ICBMsg (its backends/"
				 "ipc_icbmsg.c %s sys_bitarray); every core must speak the same",
				 cli_icbmsg_version_name(copy->icbmsg_version), o->zephyr_base[role],
				 v == EMU_ICBMSG_V2 ? "v2" : "classic", v == EMU_ICBMSG_V2 ? "has no" : "uses");
			return EXIT_USAGE;
		}
		copy->icbmsg_version = v;
	}
	if (copy->max_active_count != 0 && copy->icbmsg_version == EMU_ICBMSG_CLASSIC) {
		snprintf(err, errlen, "run: --max-active-count applies to ICBMsg v2; the Zephyr tree "
				      "speaks classic ICBMsg");
		return EXIT_USAGE;
	}
	return 0;
}

int cli_run_plan_zephyr(const struct cli_opts *o, struct cli_zephyr_plan *z, char *err,
			size_t errlen)
{
	int rc;

	memset(&z->run, 0, sizeof(z->run)); /* no warnings of an earlier run */
	z->opts = *o;
	z->dts[0] = '\0';
	z->progs[0][0] = z->progs[1][0] = '\0';
	rc = zephyr_resets(o, z, err, errlen);
	if (rc == 0) {
		rc = zephyr_icbmsg_version(o, &z->opts, err, errlen);
	}
	if (rc != 0) {
		return rc;
	}
	if (o->n_dts == 1) {
		snprintf(z->dts, sizeof(z->dts), "%s", o->dts[0]);
	} else if (o->n_dts == 2) {
		snprintf(z->dts, sizeof(z->dts), "%s,%s", o->dts[0], o->dts[1]);
	}
	/* --backend icbmsg / --instance: the apps open that instance (the first
	 * of the backend by default), not ipc0. */
	for (int role = 0; role < 2; role++) {
		z->instance[role] = NULL;
		z->instance_icbmsg[role] = 0;
	}
	if (z->opts.backend != EMU_BACKEND_ICMSG || z->opts.instance != NULL) {
		if (cli_load_config(&z->opts, &z->cfg, err, errlen) < 0) {
			return EXIT_USAGE;
		}
		for (int role = 0; role < 2; role++) {
			const struct emu_dt_inst *in =
				role == EMU_ROLE_HOST ? z->cfg.inst_host : z->cfg.inst_remote;

			z->instance[role] = in->label;
			z->instance_icbmsg[role] = in->backend == EMU_BACKEND_ICBMSG ? 1 : -1;
		}
	}
	/* The run itself: the apps, on the programs the build will leave. */
	z->opts.prog[EMU_ROLE_HOST] = z->progs[EMU_ROLE_HOST];
	z->opts.prog[EMU_ROLE_REMOTE] = z->progs[EMU_ROLE_REMOTE];
	z->opts.messages_set = false;
	z->opts.scenario = SCN_ECHO_STREAM; /* the apps' own (IPC_EMU_EXHAUSTION) */
	z->opts.zephyr_apps = true;
	return cli_run_plan_make(&z->opts, &z->run, err, errlen);
}
