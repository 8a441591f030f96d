/*
 * The callback-free harness API (include/ipc_emu/harness.h) that the Python
 * package drives through ctypes: two harnesses in one process, the host
 * creating the segment, the remote attaching through its descriptors.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_emu/harness.h"
#include "support/harness_pair.h"
#include "support/vg_cases.h"

static int T(int ms)
{
	return getenv("VALGRIND") != NULL ? ms * 20 : ms;
}

static struct emu_harness *H[2];

/* Host creates the segment, remote attaches through the host's fds, both
 * started with `unbound`. */
static void up(int unbound)
{
	char err[512];

	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_harness_new(&H[r]), 0);
		cr_assert_eq(emu_harness_load(H[r], NULL, NULL, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(emu_harness_set_opt(H[r], EMU_HARNESS_OPT_UNBOUND, unbound), 0);
	}
	harness_pair_start(H);
}

static void down(void)
{
	emu_harness_free(H[1]); /* the attachment first, then the creator */
	emu_harness_free(H[0]);
	H[0] = H[1] = NULL;
}

static void open_pair(const char *inst, const char *name, struct emu_harness_ept *e[2])
{
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_harness_open(H[r], inst, name, &e[r]), 0);
	}
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_harness_wait(e[r], EMU_HARNESS_BOUND, 1, T(5000)), 0, "%s %s",
			     inst, name);
	}
}

VgTest(harness, bond_echo_exact_and_emsgsize, .timeout = 60)
{
	struct emu_harness_ept *e[2];
	unsigned char msg[100], buf[128];
	size_t len = 0;

	up(EMU_UNBOUND_ENABLE);
	open_pair("ipc0", "ep0", e);
	cr_assert_str_eq(emu_harness_ept_name(e[0]), "ep0");
	for (size_t i = 0; i < sizeof(msg); i++) {
		msg[i] = (unsigned char)(i * 7 + 1);
	}
	cr_assert_eq(emu_harness_send(e[0], msg, sizeof(msg), T(1000)), (int)sizeof(msg));
	cr_assert_eq(emu_harness_wait(e[1], EMU_HARNESS_QUEUED, 1, T(5000)), 0);
	/* Too small a buffer: the size, and the message stays queued. */
	cr_assert_eq(emu_harness_recv(e[1], buf, 10, &len, 0), -EMSGSIZE);
	cr_assert_eq(len, sizeof(msg));
	cr_assert_eq(emu_harness_count(e[1], EMU_HARNESS_QUEUED), 1);
	cr_assert_eq(emu_harness_recv(e[1], buf, sizeof(buf), &len, 0), 0);
	cr_assert_eq(len, sizeof(msg));
	cr_assert_arr_eq(buf, msg, sizeof(msg));
	cr_assert_eq(emu_harness_recv(e[1], buf, sizeof(buf), &len, 0), -EAGAIN);
	cr_assert_eq(emu_harness_count(e[1], EMU_HARNESS_RECEIVED), 1);
	cr_assert_eq(emu_harness_count(e[1], EMU_HARNESS_RX_BYTES), sizeof(msg));
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_SENT), 1);
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_TX_BYTES), sizeof(msg));
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_BONDS), 1);
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_ERRORS), 0);
	cr_assert_eq(emu_harness_count(e[0], 999), 0);
	/* Left queued at free: freed with the harness (memcheck checks it). */
	cr_assert_eq(emu_harness_send(e[1], "bye", 3, T(1000)), 3);
	cr_assert_eq(emu_harness_wait(e[0], EMU_HARNESS_QUEUED, 1, T(5000)), 0);
	down();
}

VgTest(harness, unbound_then_rebind, .timeout = 60)
{
	struct emu_harness_ept *e[2], *e2;
	char err[256];
	unsigned char buf[16];
	size_t len;
	uint32_t pid, boots;

	up(EMU_UNBOUND_ENABLE);
	open_pair("ipc0", "ep0", e);
	cr_assert_eq(emu_harness_peer_status(H[0], EMU_ROLE_REMOTE, &pid, &boots), 0);
	cr_assert_eq(pid, (uint32_t)getpid());
	cr_assert_eq(boots, 1);
	/* The remote closes and comes back: the host sees unbound(). */
	emu_harness_stop(H[1]);
	cr_assert_eq(emu_harness_count(e[1], EMU_HARNESS_BOUND), 0);
	cr_assert_eq(emu_harness_send(e[1], "x", 1, 0), -ENOTCONN);
	cr_assert_eq(emu_harness_rebind(e[1]), -ENOTCONN);
	cr_assert_eq(emu_harness_wait(e[0], EMU_HARNESS_UNBOUND_PENDING, 1, T(5000)), 0);
	cr_assert_eq(emu_harness_wait(e[0], EMU_HARNESS_BOUND, 0, 0), 0); /* not bound */
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_UNBOUNDS), 1);
	cr_assert_eq(emu_harness_start(H[1], EMU_ROLE_REMOTE, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_harness_open(H[1], "ipc0", "ep0", &e2), 0);
	cr_assert_eq(emu_harness_peer_status(H[1], EMU_ROLE_REMOTE, NULL, &boots), 0);
	cr_assert_eq(boots, 2);
	cr_assert_eq(emu_harness_rebind(e[0]), 0);
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_UNBOUND_PENDING), 0);
	cr_assert_eq(emu_harness_wait(e[0], EMU_HARNESS_BOUND, 1, T(5000)), 0);
	cr_assert_eq(emu_harness_wait(e2, EMU_HARNESS_BOUND, 1, T(5000)), 0);
	cr_assert_eq(emu_harness_count(e[0], EMU_HARNESS_BONDS), 2);
	cr_assert_eq(emu_harness_send(e2, "again", 5, T(1000)), 5);
	cr_assert_eq(emu_harness_recv(e[0], buf, sizeof(buf), &len, T(5000)), 0);
	cr_assert_eq(len, 5);
	cr_assert_arr_eq(buf, "again", 5);
	down();
}

VgTest(harness, icbmsg_endpoints_by_name_and_events, .timeout = 60)
{
	struct emu_harness_ept *a[2], *b[2];
	unsigned char buf[64];
	size_t len;
	uint64_t gen;

	up(0);
	open_pair("ipc1", "alpha", a);
	open_pair("ipc1", "beta", b);
	gen = emu_harness_events(H[1]);
	cr_assert_eq(emu_harness_wait_events(H[1], gen, 0), -EAGAIN);
	cr_assert_eq(emu_harness_send(b[0], "to beta", 7, T(1000)), 7);
	cr_assert_eq(emu_harness_wait_events(H[1], gen, T(5000)), 0);
	cr_assert_eq(emu_harness_recv(b[1], buf, sizeof(buf), &len, T(5000)), 0);
	cr_assert_eq(len, 7);
	cr_assert_arr_eq(buf, "to beta", 7);
	cr_assert_eq(emu_harness_count(a[1], EMU_HARNESS_QUEUED), 0);
	cr_assert_eq(emu_harness_close(a[0]), 0);
	cr_assert_eq(emu_harness_close(a[0]), -EALREADY);
	cr_assert_eq(emu_harness_send(a[0], "x", 1, 0), -ENOTCONN);
	/* The remote releases the block of "to beta" from its work queue after
	 * the callback returned: let that happen before it closes the instance
	 * (else the release meets a closed channel and is logged). */
	usleep((useconds_t)T(50) * 1000u);
	down();
}

VgTest(harness, queue_limit_drops_and_counts, .timeout = 60)
{
	struct emu_harness_ept *e[2];

	up(EMU_UNBOUND_ENABLE);
	cr_assert_eq(emu_harness_set_opt(H[1], EMU_HARNESS_OPT_QUEUE_LIMIT, 2), 0);
	open_pair("ipc0", "ep0", e);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(emu_harness_send(e[0], "m", 1, T(1000)), 1);
	}
	cr_assert_eq(emu_harness_wait(e[1], EMU_HARNESS_RECEIVED, 5, T(5000)), 0);
	cr_assert_eq(emu_harness_count(e[1], EMU_HARNESS_QUEUED), 2);
	cr_assert_eq(emu_harness_count(e[1], EMU_HARNESS_DROPPED), 3);
	down();
}

VgTest(harness, usage_errors, .timeout = 60)
{
	struct emu_harness *h;
	struct emu_harness_ept *e;
	char err[512], label[32];
	int backend = 0, fds[4];
	unsigned char buf[4];
	size_t len;

	cr_assert_eq(emu_harness_new(NULL), -EINVAL);
	cr_assert_eq(emu_harness_new(&h), 0);
	cr_assert_eq(emu_harness_load(h, "/nonexistent/board.dts", NULL, err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "/nonexistent/board.dts") != NULL, "%s", err);
	cr_assert_eq(emu_harness_instance(h, EMU_ROLE_HOST, 0, label, sizeof(label), NULL),
		     -EINVAL);
	cr_assert_eq(emu_harness_segment_create(h, NULL, EMU_DOORBELL_FUTEX), -EINVAL); /* no plan */
	cr_assert_eq(emu_harness_load(h, NULL, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_harness_instance(h, EMU_ROLE_HOST, 0, label, sizeof(label), &backend), 0);
	cr_assert_str_eq(label, "ipc0");
	cr_assert_eq(backend, EMU_BACKEND_ICMSG);
	cr_assert_eq(emu_harness_instance(h, EMU_ROLE_REMOTE, 1, label, sizeof(label), &backend),
		     0);
	cr_assert_str_eq(label, "ipc1");
	cr_assert_eq(backend, EMU_BACKEND_ICBMSG);
	cr_assert_eq(emu_harness_instance(h, EMU_ROLE_HOST, 2, label, sizeof(label), NULL),
		     -ENOENT);
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_UNBOUND, 7), -EINVAL);
	cr_assert_eq(emu_harness_set_opt(h, EMU_HARNESS_OPT_QUEUE_LIMIT, 0), -EINVAL);
	cr_assert_eq(emu_harness_set_opt(h, 12345, 1), -EINVAL);
	cr_assert_eq(emu_harness_start(h, EMU_ROLE_HOST, err, sizeof(err)), -ENODEV);
	cr_assert_eq(emu_harness_segment_fds(h, fds), -ENODEV);
	cr_assert_null(emu_harness_segment_name(h));
	cr_assert_eq(emu_harness_segment_create(h, NULL, 5), -EINVAL);
	cr_assert_eq(emu_harness_segment_create(h, NULL, EMU_DOORBELL_FUTEX), 0);
	cr_assert_not_null(emu_harness_segment_name(h));
	cr_assert_eq(emu_harness_segment_create(h, NULL, EMU_DOORBELL_FUTEX), -EBUSY);
	cr_assert_eq(emu_harness_load(h, NULL, NULL, err, sizeof(err)), -EBUSY);
	cr_assert_eq(emu_harness_open(h, "ipc0", "ep0", &e), -ENOTCONN);
	cr_assert_eq(emu_harness_start(h, EMU_ROLE_HOST, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_harness_start(h, EMU_ROLE_HOST, err, sizeof(err)), -EALREADY);
	cr_assert_eq(emu_harness_open(h, "mbox", "ep0", &e), -ENODEV); /* not an ipc instance */
	cr_assert_eq(emu_harness_open(h, "nope", "ep0", &e), -ENODEV);
	cr_assert_eq(emu_harness_open(h, "ipc0", "", &e), -EINVAL);
	cr_assert_eq(emu_harness_open(h, "ipc0", "ep0", &e), 0);
	cr_assert_eq(emu_harness_recv(e, buf, sizeof(buf), &len, T(50)), -EAGAIN);
	cr_assert_eq(emu_harness_recv(e, NULL, 4, &len, 0), -EINVAL);
	cr_assert_eq(emu_harness_wait(e, EMU_HARNESS_BOUND, 1, T(50)), -EAGAIN);
	cr_assert_eq(emu_harness_wait(e, 999, 1, 0), -EINVAL);
	cr_assert_eq(emu_harness_send(e, "x", 1, 0), -EBUSY); /* not bound */
	cr_assert_eq(emu_harness_last_error(e, err, sizeof(err)), 0);
	cr_assert_str_eq(err, "");
	emu_harness_stop(h);
	emu_harness_stop(h); /* no-op */
	emu_harness_free(h);
	emu_harness_free(NULL);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h). */
VG_BATCH(harness, 600)
