/*
 * echo_server.c - `ipc-emu peer --scenario echo-server`: the other side for
 * a test host of the user's own (the Python harness, python/ipc_emu).
 *
 * Registers ep0..epK-1 on the instance through the harness API
 * (include/ipc_emu/harness.h), sends every received message back unchanged
 * on the endpoint it came from, and re-registers an endpoint after its
 * unbound() so that a restarted host bonds again.  One thread: it wakes on
 * every harness event (message, bound, unbound, error) and at least every
 * POLL_MS to check for the end: SIGTERM or SIGINT (exit 0), its parent
 * process gone (exit 0: nobody is left to talk to), or the timeout.  A
 * killed echo server is restarted by its host on the same segment.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_emu/harness.h"
#include "common.h"
#include "echo_server.h"

#define POLL_MS 100
#define SEND_TIMEOUT_MS 1000 /* an echo waits this long for room in the ring */
#define BUF_INITIAL 4096u

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

struct echo_ept {
	struct emu_harness_ept *e;
	uint64_t bonds, unbounds; /* as last printed */
};

static void report_changes(const struct scn_params *p, struct echo_ept *x)
{
	uint64_t b = emu_harness_count(x->e, EMU_HARNESS_BONDS);
	uint64_t u = emu_harness_count(x->e, EMU_HARNESS_UNBOUNDS);

	if (!p->quiet && (b != x->bonds || u != x->unbounds)) {
		printf("echo-server[%s]: %s %s (bonds %" PRIu64 ", unbounds %" PRIu64 ")\n",
		       scn_role_name(p->role), emu_harness_ept_name(x->e),
		       emu_harness_count(x->e, EMU_HARNESS_BOUND) ? "bound" : "unbound", b, u);
		fflush(stdout);
	}
	x->bonds = b;
	x->unbounds = u;
}

/* Echo what is queued on one endpoint.  Returns -ENOMEM if out of memory. */
static int serve(struct echo_ept *x, unsigned char **buf, size_t *cap, uint64_t *echoed,
		 uint64_t *failed)
{
	for (;;) {
		size_t len = 0;
		int rc = emu_harness_recv(x->e, *buf, *cap, &len, 0);

		if (rc == -EMSGSIZE) {
			unsigned char *bigger = realloc(*buf, len);

			if (bigger == NULL) {
				return -ENOMEM;
			}
			*buf = bigger;
			*cap = len;
			continue;
		}
		if (rc < 0) {
			return 0; /* queue empty */
		}
		rc = emu_harness_send(x->e, *buf, len, SEND_TIMEOUT_MS);
		if (rc < 0) {
			(*failed)++; /* not bound any more, or no room in time */
		} else {
			(*echoed)++;
		}
	}
}

int scn_echo_server(struct emu_segment *seg, const struct scn_params *p)
{
	const char *who = scn_role_name(p->role);
	struct emu_harness *h = NULL;
	struct echo_ept *epts = NULL;
	struct sigaction sa, old_term, old_int;
	unsigned char *buf = NULL;
	size_t cap = BUF_INITIAL;
	uint64_t echoed = 0, failed = 0, deadline = 0, errors = 0;
	unsigned k = p->endpoints ? p->endpoints : 1;
	pid_t parent = getppid();
	char err[512] = "";
	int rc, status = SCN_EXIT_OK;

	if (p->timeout_s > 0) {
		deadline = scn_now_ns() + (uint64_t)(p->timeout_s * 1e9);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);

	epts = calloc(k, sizeof(*epts));
	buf = malloc(cap);
	rc = epts == NULL || buf == NULL ? -ENOMEM : emu_harness_new(&h);
	if (rc == 0) {
		rc = emu_harness_set_plan(h, p->role, p->plan);
	}
	if (rc == 0) {
		rc = emu_harness_segment_use(h, seg);
	}
	if (rc == 0) {
		(void)emu_harness_set_opt(h, EMU_HARNESS_OPT_UNBOUND, p->board.unbound_override);
		(void)emu_harness_set_opt(h, EMU_HARNESS_OPT_RX_IN_ISR, p->board.icmsg_rx_in_isr);
		(void)emu_harness_set_opt(h, EMU_HARNESS_OPT_RX_BUF_SIZE, p->board.icmsg_rx_buf_size);
		(void)emu_harness_set_opt(h, EMU_HARNESS_OPT_ICBMSG_NUM_EPT, p->board.icbmsg_num_ept);
		(void)emu_harness_set_opt(h, EMU_HARNESS_OPT_BUSY_POLL_US, p->busy_poll_us);
		/* --icbmsg-version (0: the property, else v2) and --max-active-count */
		(void)emu_harness_set_opt(h, EMU_HARNESS_OPT_ICBMSG_VERSION, p->board.icbmsg_version);
		(void)emu_harness_set_opt(h, EMU_HARNESS_OPT_MAX_ACTIVE_COUNT,
					  p->board.icbmsg_max_active);
		rc = emu_harness_start(h, p->role, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "ipc-emu: echo-server[%s]: %s\n", who,
				err[0] ? err : strerror(-rc));
			status = rc == -ENOMEM ? SCN_EXIT_FAIL : SCN_EXIT_CONFIG;
			goto out;
		}
	}
	if (rc < 0) {
		fprintf(stderr, "ipc-emu: echo-server[%s]: %s\n", who, strerror(-rc));
		status = SCN_EXIT_FAIL;
		goto out;
	}
	for (unsigned i = 0; i < k; i++) {
		char name[16];

		snprintf(name, sizeof(name), "ep%u", i);
		rc = emu_harness_open(h, p->instance, name, &epts[i].e);
		if (rc < 0) {
			fprintf(stderr, "ipc-emu: echo-server[%s]: register %s on %s: %s\n", who, name,
				p->instance, strerror(-rc));
			status = rc == -ENODEV ? SCN_EXIT_CONFIG : SCN_EXIT_FAIL;
			goto out;
		}
	}
	if (!p->quiet) {
		printf("echo-server[%s]: %u endpoint%s on %s, pid %d\n", who, k, k == 1 ? "" : "s",
		       p->instance, (int)getpid());
		fflush(stdout);
	}
	while (stop_signal == 0 && getppid() == parent &&
	       (deadline == 0 || scn_now_ns() < deadline)) {
		uint64_t gen = emu_harness_events(h);

		for (unsigned i = 0; i < k; i++) {
			struct echo_ept *x = &epts[i];

			if (emu_harness_count(x->e, EMU_HARNESS_UNBOUND_PENDING)) {
				rc = emu_harness_rebind(x->e);
				if (rc < 0) {
					fprintf(stderr, "ipc-emu: echo-server[%s]: re-register %s: %s\n",
						who, emu_harness_ept_name(x->e), strerror(-rc));
				}
			}
			report_changes(p, x);
			if (serve(x, &buf, &cap, &echoed, &failed) < 0) {
				fprintf(stderr, "ipc-emu: echo-server[%s]: out of memory\n", who);
				status = SCN_EXIT_FAIL;
				goto out;
			}
		}
		(void)emu_harness_wait_events(h, gen, POLL_MS);
	}
	for (unsigned i = 0; i < k; i++) {
		char msg[256];
		int n = emu_harness_last_error(epts[i].e, msg, sizeof(msg));

		if (n > 0) {
			fprintf(stderr, "ipc-emu: echo-server[%s]: %s: %d backend error%s, first: %s\n",
				who, emu_harness_ept_name(epts[i].e), n, n == 1 ? "" : "s", msg);
			errors += (uint64_t)n;
		}
	}
	if (errors > 0) {
		status = SCN_EXIT_FAIL;
	}
	if (!p->quiet) {
		printf("echo-server[%s]: %" PRIu64 " messages echoed, %" PRIu64 " not (peer gone), "
		       "%" PRIu64 " backend errors\n",
		       who, echoed, failed, errors);
		fflush(stdout);
	}
out:
	emu_harness_free(h);
	free(buf);
	free(epts);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	return status;
}
