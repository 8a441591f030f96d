/*
 * peer.c - `ipc-emu peer`: one side of the scenario, either spawned by
 * `ipc-emu run` (hidden --fds form: the segment's descriptors are inherited)
 * or started by hand on a named segment.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};

	nanosleep(&ts, NULL);
}

#define SHM_DIR "/dev/shm/"
#define HOST_ATTACH_S 2.0 /* a segment that exists is published within this */

/* The host's segment names, removed by on_host_signal(). */
static char host_files[2][sizeof(SHM_DIR) + 256];

/* SIGINT/SIGTERM in a host peer: remove the segment's names (as `run`
 * leaves nothing behind), say so, exit 128 + N.  Async-signal-safe only. */
static void on_host_signal(int sig)
{
	char line[96] = "ipc-emu: peer host: interrupted by signal ";
	size_t n = strlen(line);

	(void)unlink(host_files[0]);
	(void)unlink(host_files[1]);
	if (sig >= 10) {
		line[n++] = (char)('0' + sig / 10 % 10);
	}
	line[n++] = (char)('0' + sig % 10);
	memcpy(line + n, ": segment removed\n", 18);
	(void)!write(STDERR_FILENO, line, n + 18);
	_exit(128 + sig);
}

static void host_signals(const char *segment)
{
	struct sigaction sa;

	snprintf(host_files[0], sizeof(host_files[0]), SHM_DIR "%s-ctl", segment);
	snprintf(host_files[1], sizeof(host_files[1]), SHM_DIR "%s-mem", segment);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_host_signal;
	sigfillset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* NAME-ctl/-mem exist but do not attach: say which files are in the way. */
static void name_collision(const char *name, int rc)
{
	char ctl[sizeof(SHM_DIR) + 256], mem[sizeof(SHM_DIR) + 256];
	struct stat st;
	bool has_ctl, has_mem;

	snprintf(ctl, sizeof(ctl), SHM_DIR "%s-ctl", name);
	snprintf(mem, sizeof(mem), SHM_DIR "%s-mem", name);
	has_ctl = stat(ctl, &st) == 0;
	has_mem = stat(mem, &st) == 0;
	if (has_ctl != has_mem) {
		cli_err("cannot use segment '%s': %s exists without %s (a leftover or another "
			"program's object: remove it or choose another --segment)", name,
			has_ctl ? ctl : mem, has_ctl ? mem : ctl);
	} else {
		cli_err("cannot use segment '%s': %s and %s are not an ipc-emu segment (%s): "
			"another program's objects or a leftover: remove them or choose another "
			"--segment", name, ctl, mem, strerror(-rc));
	}
}

/* Host: create the named segment, or attach if it exists.  Remote: attach,
 * retrying while it does not exist (or is still being initialised). */
static int open_named(const struct cli_opts *o, const struct cli_config *c,
		       struct emu_segment **seg, bool *creator)
{
	uint64_t deadline = o->timeout_s > 0 ? scn_now_ns() + (uint64_t)(o->timeout_s * 1e9) : 0;
	int rc;

	*creator = false;
	if (o->role == EMU_ROLE_HOST) {
		struct emu_segment_cfg cfg = {
			.name = o->segment,
			.mem_base = c->host.base,
			.mem_size = (uint32_t)c->host.size,
			.doorbell = o->doorbell,
		};

		rc = emu_segment_create(&cfg, seg);
		if (rc == 0) {
			*creator = true;
			return 0;
		}
		if (rc != -EEXIST) {
			cli_err("cannot create segment '%s': %s", o->segment, strerror(-rc));
			return rc;
		}
		/* It exists: a creator publishes it within moments. */
		deadline = scn_now_ns() + (uint64_t)(HOST_ATTACH_S * 1e9);
	}
	for (;;) {
		rc = emu_segment_attach(o->segment, seg);
		if (rc == 0) {
			break;
		}
		if ((rc != -ENOENT && rc != -EPROTO) ||
		    (deadline != 0 && scn_now_ns() > deadline)) {
			if (rc == -EPROTO || (rc == -ENOENT && o->role == EMU_ROLE_HOST)) {
				name_collision(o->segment, rc);
				return -EINVAL;
			}
			cli_err("cannot attach to segment '%s': %s", o->segment,
				rc == -ENOENT ? "it does not exist" : strerror(-rc));
			return rc;
		}
		sleep_ms(10);
	}
	{
		/* One process per role: a live owner keeps it (a dead one's
		 * restart takes over). */
		struct emu_segment_info info;
		const char *role = scn_role_name(o->role);

		if (emu_segment_inspect(o->segment, &info) == 0) {
			for (unsigned i = 0; i < info.n_owner; i++) {
				if (strcmp(info.owner[i].what, role) == 0 && info.owner[i].alive &&
				    info.owner[i].pid != (uint32_t)getpid()) {
					cli_err("segment '%s': role %s is taken by pid %u", o->segment,
						role, info.owner[i].pid);
					emu_segment_close(*seg);
					*seg = NULL;
					return -EINVAL;
				}
			}
		}
	}
	if (emu_segment_base(*seg) != c->host.base || emu_segment_size(*seg) < c->host.size) {
		cli_err("segment '%s' covers 0x%llx+0x%x, the devicetree needs 0x%llx+0x%llx",
			o->segment, (unsigned long long)emu_segment_base(*seg),
			emu_segment_size(*seg), (unsigned long long)c->host.base,
			(unsigned long long)c->host.size);
		emu_segment_close(*seg);
		*seg = NULL;
		return -EINVAL;
	}
	return 0;
}

static int run_scenario(struct emu_segment *seg, const struct scn_params *p)
{
	return p->scenario == SCN_ECHO_SERVER ? scn_echo_server(seg, p) : scn_run(seg, p);
}

int cli_peer(const struct cli_opts *o)
{
	static struct cli_config c;
	struct scn_params p;
	struct emu_segment *seg = NULL;
	char err[512];
	bool creator = false;
	sigset_t sigs, old_sigs;
	int rc, status;
	uint64_t t0 = scn_now_ns();

	rc = cli_load_config(o, &c, err, sizeof(err));
	if (rc < 0) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	cli_scn_params(o, &c, o->role, &p);
	if (o->crash_point != NULL) {
		struct cli_crash cp;

		(void)cli_parse_crash(o->crash_point, &cp); /* checked by cli_parse */
		if (cp.roles & (1u << o->role)) {
			emu_crash_arm(cp.name, cp.nth);
		}
	}
	if (o->have_fds) {
		struct emu_segment_fds fds = {
			.mem = o->fds[0], .ctl = o->fds[1], .efd = {o->fds[2], o->fds[3]}};

		p.timeout_s = 0; /* the supervisor watches */
		rc = emu_segment_attach_fds(&fds, &seg);
		for (int i = 0; i < 4; i++) {
			if (o->fds[i] >= 0) {
				close(o->fds[i]);
			}
		}
		if (rc < 0) {
			cli_err("peer %s: cannot attach inherited segment: %s",
				scn_role_name(o->role), strerror(-rc));
			return EXIT_INVARIANT;
		}
		status = run_scenario(seg, &p);
		emu_segment_close(seg);
		return status;
	}

	if (o->json != NULL && cli_out_check("peer", "--json", o->json) < 0) {
		return EXIT_USAGE;
	}
	if (o->json != NULL && strcmp(o->json, "-") == 0) {
		cli_json_stdout(); /* stdout: the JSON only; text goes to stderr */
	}
	if (c.host.size == 0) {
		/* MBOX/IPM devices only: `run` gives such a tree a minimal image of
		 * its own; a named segment has nothing to lay out. */
		cli_err("peer --segment %s: the devicetree has no shared-memory regions (no "
			"zephyr,ipc-icmsg or zephyr,ipc-icbmsg instance), so a named segment has "
			"nothing to hold: run its MBOX/IPM scenarios with `ipc-emu run`",
			o->segment);
		return EXIT_USAGE;
	}
	/* A host's SIGINT/SIGTERM waits (blocked) until the handler that removes
	 * the segment is in place: none can slip between creation and it. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	if (o->role == EMU_ROLE_HOST) {
		sigprocmask(SIG_BLOCK, &sigs, &old_sigs);
	}
	rc = open_named(o, &c, &seg, &creator);
	if (rc == 0 && o->role == EMU_ROLE_HOST) {
		host_signals(o->segment);
	}
	if (o->role == EMU_ROLE_HOST) {
		sigprocmask(SIG_SETMASK, &old_sigs, NULL);
	}
	if (rc < 0) {
		return rc == -EINVAL ? EXIT_USAGE : EXIT_INVARIANT;
	}
	status = run_scenario(seg, &p);
	if (status != SCN_EXIT_CONFIG && o->scenario != SCN_ECHO_SERVER) {
		struct scn_area snap[2];
		struct cli_report r;

		memset(&r, 0, sizeof(r));
		memcpy(&snap[0], scn_area(seg, EMU_ROLE_HOST), sizeof(snap[0]));
		memcpy(&snap[1], scn_area(seg, EMU_ROLE_REMOTE), sizeof(snap[1]));
		r.opts = o;
		r.cfg = &c;
		r.area[0] = &snap[0];
		r.area[1] = &snap[1];
		for (int i = 0; i < 2; i++) {
			r.peer[i].valgrind_errors = -1;
			if (i == (int)o->role) {
				r.peer[i].exit_status = status;
			} else {
				r.peer[i].exit_status = snap[i].exited ? 0 : -1;
			}
		}
		r.duration_s = (double)(scn_now_ns() - t0) / 1e9;
		r.doorbell = cli_doorbell_name(emu_segment_doorbell(seg));
		r.peer_mode = true;
		cli_report_eval(&r);
		if (!o->quiet) {
			cli_report_print(&r, stdout);
		} else if (!r.ok) {
			fprintf(stderr, "ipc-emu peer: FAIL: %s\n", r.reason); /* as run --quiet */
		}
		if (o->json != NULL && cli_report_json(&r, o->json) < 0 && status == SCN_EXIT_OK) {
			status = SCN_EXIT_FAIL;
		}
		if (status == SCN_EXIT_OK && !r.ok) {
			status = SCN_EXIT_FAIL;
		}
	}
	/* The creator unlinks when it closes; a host that attached after the
	 * creator died (a restarted host) removes the names once the run is
	 * over, so the recovered pair leaves nothing behind either. */
	if (!creator && o->role == EMU_ROLE_HOST &&
	    scn_get(&scn_area(seg, EMU_ROLE_HOST)->finished) &&
	    scn_get(&scn_area(seg, EMU_ROLE_REMOTE)->finished)) {
		(void)emu_segment_unlink(seg);
	}
	emu_segment_close(seg); /* the creator also unlinks */
	return status;
}
