/*
 * cache_reregister.c - a Zephyr-style program pair for
 * pytests/test_cache_reregister.py (issue 15 section 1): endpoint
 * re-registration under `ipc-emu run --cache-model`.
 *
 * Built twice: with -DCACHE_RR_HOST for the host, without for the remote.
 * CACHE_RR_SIDE=host|remote (environment) names the side that deregisters
 * its endpoint, waits 10 ms and registers it again, CACHE_RR_ROUNDS
 * (default 3) how often.  Each side re-registers as well when unbound()
 * arrives (ICMsg unbound "enable"/"detect"), as firmware does.
 * CACHE_RR_ICBMSG=1 runs the same rounds on ipc1 (the default board's
 * ICBMsg instance: v2 by default, classic with --icbmsg-version classic)
 * instead of ipc0; see icbmsg_round() for what differs between the two.
 *
 *   round 0:       host PING 0, remote PONG 0
 *   round r >= 1:  the side named re-registers; once it is bound again
 *                  the host sends PING r (remote side: after the remote's
 *                  READY r), the remote answers PONG r
 *                  (remote side: the host then sends NEXT r, after which
 *                  the remote may re-register)
 *   end:           BYE each way, both print their -ENOMEM count, exit 0
 *
 * A send that gets -ENOMEM is retried every millisecond, at most
 * CACHE_RR_MAX_TRIES times; every -ENOMEM is counted and printed, so the
 * test asserts counts, not times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>

#ifdef CACHE_RR_HOST
#define ROLE "host"
#else
#define ROLE "remote"
#endif

#define CACHE_RR_MAX_TRIES 2000
#define HOLD_MAX_TRIES 2000000000
#define WAIT_MS 5000

static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(unbound_sem, 0, 1);
static K_SEM_DEFINE(msg_sem, 0, 16);
static K_SEM_DEFINE(never_sem, 0, 1);
static struct ipc_ept ep;
static const struct device *ipc0;
/* Received texts, oldest first: the RX thread adds, main takes (msg_sem). */
static char msgs[16][32];
static unsigned int msg_wr, msg_rd;
static unsigned int enomem;
static bool failed;
static int hold;       /* CACHE_RR_HOLD=1: see hold_run() */
static int max_tries = CACHE_RR_MAX_TRIES;

static void ep_bound(void *priv)
{
	(void)priv;
	k_sem_give(&bound_sem);
}

static void ep_unbound(void *priv)
{
	(void)priv;
	printf("cache_rr[%s]: unbound\n", ROLE);
	k_sem_give(&unbound_sem);
}

/* Send a text, retrying -ENOMEM; false if it could not be sent. */
static bool send_text(const char *text)
{
	int rc = -ENOMEM;

	for (int tries = 0; tries < max_tries; tries++) {
		rc = ipc_service_send(&ep, text, strlen(text));
		if (rc != -ENOMEM) {
			break;
		}
		enomem++;
		k_msleep(1);
	}
	if (rc != (int)strlen(text)) {
		printf("cache_rr[%s]: send '%s': %d (after %u x -ENOMEM)\n", ROLE, text, rc, enomem);
		failed = true;
		return false;
	}
	return true;
}

static void ep_received(const void *data, size_t len, void *priv)
{
	char *last = msgs[msg_wr % 16];

	(void)priv;
	if (len >= 5 && memcmp(data, "FILL ", 5) == 0) {
		static bool held;

		if (!held) {
			held = true;
			/* Our RX path stops for good: the host's ring fills. */
			(void)k_sem_take(&never_sem, K_FOREVER);
		}
		return;
	}
	if (len >= 5 && memcmp(data, "POKE ", 5) == 0) {
		return; /* ICBMsg: only there to get us bound */
	}
	if (len >= sizeof(msgs[0])) {
		len = sizeof(msgs[0]) - 1;
	}
	memcpy(last, data, len);
	last[len] = '\0';
#ifndef CACHE_RR_HOST
	if (strncmp(last, "PING ", 5) == 0) {
		char pong[32];

		snprintf(pong, sizeof(pong), "PONG %s", last + 5);
		(void)send_text(pong);
	}
#endif
	msg_wr++;
	k_sem_give(&msg_sem);
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ep0",
	.cb = {
		.bound = ep_bound,
		.unbound = ep_unbound,
		.received = ep_received,
	},
};

static bool icbmsg; /* CACHE_RR_ICBMSG=1: ICBMsg (ipc1) */

static bool reg(void)
{
	int rc = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);

	if (rc < 0) {
		printf("cache_rr[%s]: register: %d\n", ROLE, rc);
		return false;
	}
	if (k_sem_take(&bound_sem, K_MSEC(WAIT_MS)) != 0) {
		printf("cache_rr[%s]: not bound in %d ms\n", ROLE, WAIT_MS);
		return false;
	}
	return true;
}

static bool rereg(bool pause)
{
	int rc = ipc_service_deregister_endpoint(&ep);

	if (rc < 0) {
		printf("cache_rr[%s]: deregister: %d\n", ROLE, rc);
		return false;
	}
	if (pause) {
		k_msleep(10);
	}
	return reg();
}

/* The next message, which must be `want`; an unbound() meanwhile is
 * answered with a re-registration (the peer re-registered; ICBMsg v2 has
 * freed our endpoint already: register only). */
static bool expect(const char *want)
{
	const char *last;

	for (int waited = 0; waited < WAIT_MS; waited += 2) {
		if (k_sem_take(&unbound_sem, K_NO_WAIT) == 0 && !(icbmsg ? reg() : rereg(false))) {
			return false;
		}
		if (k_sem_take(&msg_sem, K_MSEC(2)) != 0) {
			continue;
		}
		last = msgs[msg_rd++ % 16];
		if (strcmp(last, want) != 0) {
			printf("cache_rr[%s]: got '%s', want '%s'\n", ROLE, last, want);
			return false;
		}
		printf("cache_rr[%s]: %s\n", ROLE, want);
		return true;
	}
	printf("cache_rr[%s]: no '%s' in %d ms\n", ROLE, want, WAIT_MS);
	return false;
}

/*
 * ICBMsg, either version.  The side that re-registers says DEREG r and
 * waits for ACK r (so that nothing it has not read yet is dropped), then
 * deregisters, registers again and says READY r once bound.
 * Classic: the peer sees no deregistration, and the re-registered endpoint
 * reports bound() (and may send) only when the peer's next message for it
 * arrives, so the other side pokes it every 2 ms until READY r comes.
 * v2 (Zephyr main): the deregistration unbinds the other side's endpoint
 * (unbound(); its slot is gone, a deregister would be -ENOENT), which
 * registers again instead of poking; both sides then bind by the
 * endpoints' announcements.  A poke racing with that unbound() gets
 * -ENOENT.
 */
static bool icbmsg_round(bool me, int r)
{
	char text[32];
	bool unbound = false;
	int pokes = 0;

	if (me) {
		snprintf(text, sizeof(text), "DEREG %d", r);
		if (!send_text(text)) {
			return false;
		}
		snprintf(text, sizeof(text), "ACK %d", r);
		if (!expect(text) || !rereg(true)) {
			return false;
		}
		snprintf(text, sizeof(text), "READY %d", r);
		return send_text(text);
	}
	snprintf(text, sizeof(text), "DEREG %d", r);
	if (!expect(text)) {
		return false;
	}
	snprintf(text, sizeof(text), "ACK %d", r);
	if (!send_text(text)) {
		return false;
	}
	snprintf(text, sizeof(text), "READY %d", r);
	while (k_sem_take(&msg_sem, K_MSEC(2)) != 0 && pokes < WAIT_MS / 2) {
		char poke[32];
		int rc;

		pokes++;
		if (k_sem_take(&unbound_sem, K_NO_WAIT) == 0) {
			unbound = true;
			if (!reg()) {
				return false;
			}
			continue;
		}
		if (unbound) {
			continue;
		}
		snprintf(poke, sizeof(poke), "POKE %d", r);
		rc = ipc_service_send(&ep, poke, strlen(poke));
		if (rc == -ENOMEM) {
			enomem++; /* counted and printed: the test expects none */
		} else if (rc != (int)strlen(poke) && rc != -ENOENT) {
			printf("cache_rr[%s]: send '%s': %d\n", ROLE, poke, rc);
			return false;
		}
	}
	k_sem_give(&msg_sem); /* taken above: expect() reads it */
	return expect(text);
}

/*
 * CACHE_RR_HOLD=1: no re-registration; the remote's RX path blocks for good
 * in the first FILL message and the host sends FILL messages, retrying
 * -ENOMEM until the run's --timeout ends it: the ICMsg send-stall report
 * (src/icmsg.c) and the run's hang report (cli/run.c) must name the cause.
 */
static int hold_run(void)
{
#ifdef CACHE_RR_HOST
	char text[32];

	max_tries = HOLD_MAX_TRIES;
	for (int i = 0; enomem == 0; i++) {
		snprintf(text, sizeof(text), "FILL %d", i);
		if (!send_text(text)) {
			return 1;
		}
	}
	if (!send_text("BYE") || !expect("BYE")) {
		return 1;
	}
#else
	if (!expect("BYE") || !send_text("BYE")) {
		return 1;
	}
#endif
	printf("cache_rr[%s]: hold done, %s-ENOMEM\n", ROLE, enomem > 0 ? "some " : "no ");
	return 0;
}

int main(void)
{
	const char *side = getenv("CACHE_RR_SIDE");
	const char *n = getenv("CACHE_RR_ROUNDS");
	bool me = side != NULL && strcmp(side, ROLE) == 0;
	int rounds = n != NULL ? atoi(n) : 3;
	const char *ib = getenv("CACHE_RR_ICBMSG");
	char text[32];
	int rc;

	icbmsg = ib != NULL && strcmp(ib, "1") == 0;
	/* ICBMsg mode needs an ICBMsg instance: ipc1 on the default board.
	 * On ipc0 (ICMsg, unbound "disable") a re-registration is a legacy
	 * re-open, which the peer cannot see: the re-opened side reads its RX
	 * ring from the start again (the peer's first message a second time). */
	ipc0 = icbmsg ? DEVICE_DT_GET(DT_NODELABEL(ipc1)) : DEVICE_DT_GET(DT_NODELABEL(ipc0));
	rc = ipc_service_open_instance(ipc0);
	if (rc < 0 && rc != -EALREADY) {
		printf("cache_rr[%s]: open: %d\n", ROLE, rc);
		return 1;
	}
	if (!reg()) {
		return 1;
	}
	hold = getenv("CACHE_RR_HOLD") != NULL && strcmp(getenv("CACHE_RR_HOLD"), "1") == 0;
	if (hold) {
		return hold_run();
	}
	for (int r = 0; r <= rounds; r++) {
		if (r > 0 && icbmsg && !icbmsg_round(me, r)) {
			return 1;
		}
		if (r > 0 && !icbmsg && me && !rereg(true)) {
			return 1;
		}
#ifdef CACHE_RR_HOST
		if (r > 0 && !me && !icbmsg) {
			snprintf(text, sizeof(text), "READY %d", r);
			if (!expect(text)) {
				return 1;
			}
		}
		snprintf(text, sizeof(text), "PING %d", r);
		if (!send_text(text)) {
			return 1;
		}
		snprintf(text, sizeof(text), "PONG %d", r);
#else
		if (r > 0 && me && !icbmsg) {
			snprintf(text, sizeof(text), "READY %d", r);
			if (!send_text(text)) {
				return 1;
			}
		}
		snprintf(text, sizeof(text), "PING %d", r);
#endif
		if (!expect(text)) {
			return 1;
		}
		/* Remote side: the remote re-registers only after the host got
		 * PONG r (a close drops what its peer has not read yet). */
		snprintf(text, sizeof(text), "NEXT %d", r);
#ifdef CACHE_RR_HOST
		if (r < rounds && side != NULL && strcmp(side, "remote") == 0 && !send_text(text)) {
			return 1;
		}
#else
		if (r < rounds && me && !expect(text)) {
			return 1;
		}
#endif
	}
	/* BYE both ways: each side has everything before either closes. */
#ifdef CACHE_RR_HOST
	if (!send_text("BYE") || !expect("BYE")) {
		return 1;
	}
#else
	if (!expect("BYE") || !send_text("BYE")) {
		return 1;
	}
#endif
	printf("cache_rr[%s]: %d rounds, %u x -ENOMEM\n", ROLE, rounds, enomem);
	return failed ? 1 : 0;
}
