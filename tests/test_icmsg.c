/*
 * ICMsg and the ipc_service front end: two emulated cores in one process on
 * one segment, each with the built-in default board, bond and exchange data.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_service.h"
#include "port.h"
#include "support/pair.h"
#include "support/senders.h"
#include "support/vg_cases.h"

struct side {
	struct emu_core *core;
	struct emu_board *board;
	const struct device *dev;
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	atomic_int bound, unbound, received, errors, in_isr;
	atomic_size_t last_len;
	unsigned char last[256];
	char last_error[128];
};

static struct pair P;
static struct side sides[2];
#define seg (P.seg)
#define plans (P.plans)

static void on_bound(void *priv)
{
	atomic_fetch_add(&((struct side *)priv)->bound, 1);
}

static void on_unbound(void *priv)
{
	atomic_fetch_add(&((struct side *)priv)->unbound, 1);
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct side *s = priv;

	memcpy(s->last, data, len < sizeof(s->last) ? len : sizeof(s->last));
	atomic_store(&s->last_len, len);
	if (port_in_isr()) {
		atomic_fetch_add(&s->in_isr, 1);
	}
	atomic_fetch_add(&s->received, 1);
}

static void on_error(const char *msg, void *priv)
{
	struct side *s = priv;

	snprintf(s->last_error, sizeof(s->last_error), "%s", msg);
	atomic_fetch_add(&s->errors, 1);
}

static bool wait_for(atomic_int *v, int want)
{
	return wait_until(v, want, 3000);
}

static void give_sem(void *arg)
{
	port_sem_give(arg);
}

/* Wait until every receive job queued so far has run: items run one at a
 * time in submission order, so a marker item finishing means they are done.
 * A callback still in flight on an interrupt thread may queue one more job:
 * the short sleep first lets it land ahead of the marker. */
static void drain_rx_queue(void)
{
	struct port_sem *done;
	struct port_work *marker;

	usleep(20000);
	cr_assert_eq(port_sem_create(&done, 0, 1), 0);
	cr_assert_eq(port_work_create(&marker, give_sem, done), 0);
	port_work_submit(marker);
	cr_assert_eq(port_sem_take(done, 10000), 0);
	port_work_destroy(marker);
	port_sem_destroy(done);
}

static void start_side(int role, int unbound, bool rx_in_isr)
{
	struct side *s = &sides[role];
	struct emu_board_opts o;

	emu_board_opts_default(&o);
	o.unbound_override = unbound;
	o.icmsg_rx_in_isr = rx_in_isr;
	pair_start(&P, role, &o);
	s->core = P.core[role];
	s->board = P.board[role];
	s->dev = emu_board_device(s->board, "ipc0");
	cr_assert_not_null(s->dev);
	s->cfg = (struct ipc_ept_cfg){
		.name = "ep0",
		.cb = {.bound = on_bound, .unbound = on_unbound, .received = on_received,
		       .error = on_error},
		.priv = s};
}

static void stop_side(int role)
{
	pair_stop(&P, role);
	sides[role].board = NULL;
	sides[role].core = NULL;
}

static void setup(void)
{
	memset(sides, 0, sizeof(sides));
	pair_setup(&P, "icmsg");
}

static void teardown(void)
{
	pair_teardown(&P);
}

TestSuite(icmsg, .init = setup, .fini = teardown, .timeout = 20);

/* Bond both sides; the remote's messages go to `remote_rx`. */
static void bond_pair_rx(int mode_host, int mode_remote, bool isr,
			 void (*remote_rx)(const void *, size_t, void *))
{
	start_side(0, mode_host, isr);
	start_side(1, mode_remote, isr);
	sides[1].cfg.cb.received = remote_rx;
	cr_assert_eq(ipc_service_open_instance(sides[0].dev), 0);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	usleep(5000); /* the host starts first: the remote finds it waiting */
	cr_assert_eq(ipc_service_register_endpoint(sides[1].dev, &sides[1].ept, &sides[1].cfg), 0);
	cr_assert(wait_for(&sides[0].bound, 1), "host not bound");
	cr_assert(wait_for(&sides[1].bound, 1), "remote not bound");
}

static void bond_pair(int mode_host, int mode_remote, bool isr)
{
	bond_pair_rx(mode_host, mode_remote, isr, on_received);
}

static void exchange(void)
{
	const char msg[] = "hello from host";
	const char rep[] = "and back from the remote core";

	cr_assert_eq(ipc_service_send(&sides[0].ept, msg, sizeof(msg)), (int)sizeof(msg));
	cr_assert(wait_for(&sides[1].received, 1));
	cr_assert_eq(atomic_load(&sides[1].last_len), sizeof(msg));
	cr_assert_eq(memcmp(sides[1].last, msg, sizeof(msg)), 0);
	cr_assert_eq(ipc_service_send(&sides[1].ept, rep, sizeof(rep)), (int)sizeof(rep));
	cr_assert(wait_for(&sides[0].received, 1));
	cr_assert_eq(memcmp(sides[0].last, rep, sizeof(rep)), 0);
}

VgTest(icmsg, legacy_bonds_and_exchanges)
{
	bond_pair(EMU_UNBOUND_DISABLE, EMU_UNBOUND_DISABLE, false);
	exchange();
	cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_CONNECTED_SID_DISABLED);
}

VgTest(icmsg, legacy_magic_image_in_tx_region)
{
	const struct emu_dt_inst *in = emu_dt_find(&plans[0], "ipc0");
	const uint8_t *tx;
	uint32_t w = in->dcache_alignment > 4 ? in->dcache_alignment : 4;
	static const uint8_t expect[] = {0x00, 0x0d, 0x00, 0x00, 0x45, 0x6d, 0x31, 0x6c, 0x31,
					 0x4b, 0x30, 0x72, 0x6e, 0x33, 0x6c, 0x69, 0x34};

	start_side(0, EMU_UNBOUND_DISABLE, false);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	tx = emu_segment_ptr(seg, in->tx.addr, in->tx.size);
	cr_assert_eq(*(const uint32_t *)(tx + 0), 0u, "rd_idx");
	cr_assert_eq(*(const uint32_t *)(tx + w), 20u, "wr_idx after the magic");
	cr_assert_eq(memcmp(tx + w + 4, expect, sizeof(expect)), 0);
	cr_assert_eq(atomic_load(&sides[0].bound), 0);
}

VgTest(icmsg, send_before_bound_is_ebusy)
{
	start_side(0, EMU_UNBOUND_DISABLE, false);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	cr_assert_eq(ipc_service_send(&sides[0].ept, "x", 1), -EBUSY);
}

VgTest(icmsg, double_open_legacy_is_ealready)
{
	start_side(0, EMU_UNBOUND_DISABLE, false);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg),
		     -EALREADY);
}

/* Two threads open one legacy instance at the same moment, many times. */
struct racer {
	pthread_barrier_t *go;
	const struct device *dev;
	int rc;
};

static void *open_racer(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->rc = icmsg_open(r->dev->config, r->dev->data, &sides[0].cfg.cb, &sides[0]);
	return NULL;
}

Test(icmsg, concurrent_legacy_opens_one_wins)
{
	pthread_barrier_t go;
	struct racer r[2];
	pthread_t t[2];

	start_side(0, EMU_UNBOUND_DISABLE, false);
	cr_assert_eq(pthread_barrier_init(&go, NULL, 2), 0);
	for (int i = 0; i < 300; i++) {
		for (int k = 0; k < 2; k++) {
			r[k] = (struct racer){.go = &go, .dev = sides[0].dev, .rc = 1};
			cr_assert_eq(pthread_create(&t[k], NULL, open_racer, &r[k]), 0);
		}
		for (int k = 0; k < 2; k++) {
			cr_assert_eq(pthread_join(t[k], NULL), 0);
		}
		cr_assert((r[0].rc == 0 && r[1].rc == -EALREADY) ||
			  (r[0].rc == -EALREADY && r[1].rc == 0),
			  "round %d: opens returned %d and %d", i, r[0].rc, r[1].rc);
		cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_INITIALIZING_SID_DISABLED);
		cr_assert_eq(icmsg_close(sides[0].dev->config, sides[0].dev->data), 0);
	}
	pthread_barrier_destroy(&go);
}

VgTest(icmsg, send_return_codes)
{
	static char big[70000];
	const struct emu_dt_inst *in;
	uint32_t blen;
	int n = 0, rc;

	bond_pair(EMU_UNBOUND_DISABLE, EMU_UNBOUND_DISABLE, false);
	in = emu_dt_find(&plans[0], "ipc0");
	blen = (uint32_t)in->tx.size - 8u - 4u; /* dcache 8: wr at 8, data at 12 */
	cr_assert_eq(ipc_service_send(&sides[0].ept, big, 0), -ENODATA);
	cr_assert_eq(ipc_service_send(&sides[0].ept, big, 65536), -EMSGSIZE);
	cr_assert_eq(ipc_service_send(&sides[0].ept, big, blen - 7), -EMSGSIZE);
	/* Stop the remote from draining, then fill the ring. */
	cr_assert_eq(mbox_set_enabled(emu_core_mbox(sides[1].core), in->mbox_tx, false), 0);
	usleep(2000);
	while ((rc = ipc_service_send(&sides[0].ept, big, 100)) == 100) {
		n++;
	}
	cr_assert_eq(rc, -ENOMEM);
	cr_assert_eq(n, (int)((blen - 4) / 104), "packets of 100 B that fit in %u B", blen);
}

VgTest(icmsg, front_end_argument_checks)
{
	struct ipc_ept none = {0};
	void *buf;
	uint32_t size = 0;

	start_side(0, EMU_UNBOUND_DISABLE, false);
	cr_assert_eq(ipc_service_open_instance(NULL), -EINVAL);
	cr_assert_eq(ipc_service_register_endpoint(NULL, &sides[0].ept, &sides[0].cfg), -EINVAL);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, NULL, &sides[0].cfg), -EINVAL);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, NULL), -EINVAL);
	cr_assert_eq(ipc_service_send(NULL, "x", 1), -EINVAL);
	cr_assert_eq(ipc_service_send(&none, "x", 1), -ENOENT);
	cr_assert_eq(ipc_service_deregister_endpoint(NULL), -EINVAL);
	cr_assert_eq(ipc_service_deregister_endpoint(&none), -ENOENT);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	/* ICMsg has no no-copy operations: the front end answers -EIO. */
	cr_assert_eq(ipc_service_get_tx_buffer_size(&sides[0].ept), -EIO);
	cr_assert_eq(ipc_service_get_tx_buffer(&sides[0].ept, &buf, &size, K_NO_WAIT), -EIO);
	cr_assert_eq(ipc_service_get_tx_buffer(&sides[0].ept, NULL, &size, K_NO_WAIT), -EINVAL);
	cr_assert_eq(ipc_service_drop_tx_buffer(&sides[0].ept, "x"), -EIO);
	cr_assert_eq(ipc_service_drop_tx_buffer(&sides[0].ept, NULL), -EINVAL);
	cr_assert_eq(ipc_service_send_nocopy(&sides[0].ept, "x", 1), -EIO);
	cr_assert_eq(ipc_service_hold_rx_buffer(&sides[0].ept, buf), -EIO);
	cr_assert_eq(ipc_service_release_rx_buffer(&sides[0].ept, buf), -EIO);
	cr_assert_eq(ipc_service_send_critical(&sides[0].ept, "x", 1), -ENOTSUP);
	cr_assert_eq(ipc_service_open_instance(sides[0].dev), 0);
	cr_assert_eq(ipc_service_close_instance(sides[0].dev), 0);
	/* Deregister clears the instance: later sends answer -ENOENT. */
	cr_assert_eq(ipc_service_deregister_endpoint(&sides[0].ept), 0);
	cr_assert_null(sides[0].ept.instance);
	cr_assert_eq(ipc_service_send(&sides[0].ept, "x", 1), -ENOENT);
	cr_assert_eq(ipc_service_deregister_endpoint(&sides[0].ept), -ENOENT);
}

VgTest(icmsg, session_enable_bonds_and_exchanges)
{
	bond_pair(EMU_UNBOUND_ENABLE, EMU_UNBOUND_ENABLE, false);
	exchange();
	cr_assert_eq(icmsg_state(sides[1].dev->data), ICMSG_STATE_CONNECTED_SID_ENABLED);
}

VgTest(icmsg, detect_with_detect)
{
	bond_pair(EMU_UNBOUND_DETECT, EMU_UNBOUND_DETECT, false);
	exchange();
	cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_CONNECTED_SID_ENABLED);
}

VgTest(icmsg, detect_with_enable)
{
	bond_pair(EMU_UNBOUND_DETECT, EMU_UNBOUND_ENABLE, false);
	exchange();
	cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_CONNECTED_SID_ENABLED);
}

VgTest(icmsg, detect_falls_back_to_legacy_peer)
{
	bond_pair(EMU_UNBOUND_DETECT, EMU_UNBOUND_DISABLE, false);
	exchange();
	cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_CONNECTED_SID_DISABLED);
	cr_assert_eq(icmsg_state(sides[1].dev->data), ICMSG_STATE_CONNECTED_SID_DISABLED);
}

VgTest(icmsg, legacy_peer_first_then_detect)
{
	start_side(0, EMU_UNBOUND_DISABLE, false);
	start_side(1, EMU_UNBOUND_DETECT, false);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	usleep(5000);
	cr_assert_eq(ipc_service_register_endpoint(sides[1].dev, &sides[1].ept, &sides[1].cfg), 0);
	cr_assert(wait_for(&sides[0].bound, 1));
	cr_assert(wait_for(&sides[1].bound, 1));
	exchange();
}

VgTest(icmsg, peer_close_gives_unbound_and_reopen_rebonds)
{
	bond_pair(EMU_UNBOUND_ENABLE, EMU_UNBOUND_ENABLE, false);
	cr_assert_eq(ipc_service_deregister_endpoint(&sides[1].ept), 0);
	cr_assert(wait_for(&sides[0].unbound, 1), "host did not see unbound");
	cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_DISCONNECTED);
	/* Zephyr: a DISCONNECTED sender's data is silently discarded. */
	cr_assert_eq(ipc_service_send(&sides[0].ept, "lost", 4), 4);
	/* Both re-register, as Zephyr's ipc_sessions sample does. */
	cr_assert_eq(ipc_service_deregister_endpoint(&sides[0].ept), 0);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	cr_assert_eq(ipc_service_register_endpoint(sides[1].dev, &sides[1].ept, &sides[1].cfg), 0);
	cr_assert(wait_for(&sides[0].bound, 2));
	cr_assert(wait_for(&sides[1].bound, 2));
	atomic_store(&sides[0].received, 0);
	atomic_store(&sides[1].received, 0);
	exchange();
	/* The message sent while disconnected never arrives. */
	cr_assert_eq(atomic_load(&sides[1].received), 1);
}

Test(icmsg, remote_reboot_is_detected_with_sessions)
{
	bond_pair(EMU_UNBOUND_ENABLE, EMU_UNBOUND_ENABLE, false);
	/* The remote "reboots": it vanishes without closing.  Tearing the board
	 * down closes it (session word 0), so put the word back as a reset
	 * would have left it, before the host's interrupt thread can look. */
	const struct emu_dt_inst *in = emu_dt_find(&plans[0], "ipc0");
	volatile uint32_t *word = emu_segment_ptr(seg, in->tx.addr + 4, 4);
	uint32_t before = *word;

	cr_assert_eq(mbox_set_enabled(emu_core_mbox(sides[0].core), in->mbox_rx, false), 0);
	/* The host may still be handling the remote's last signal (its
	 * "connected" notification); under Valgrind that job can run late and
	 * would read the session word while it is 0 below. */
	drain_rx_queue();
	stop_side(1);
	cr_assert_eq(*word, 0u, "close clears the session word");
	*word = before;
	cr_assert_eq(mbox_set_enabled(emu_core_mbox(sides[0].core), in->mbox_rx, true), 0);
	cr_assert_eq(atomic_load(&sides[0].unbound), 0);
	atomic_store(&sides[1].bound, 0);
	start_side(1, EMU_UNBOUND_ENABLE, false);
	cr_assert_eq(ipc_service_register_endpoint(sides[1].dev, &sides[1].ept, &sides[1].cfg), 0);
	cr_assert(wait_for(&sides[0].unbound, 1), "survivor did not see unbound");
	cr_assert_eq(ipc_service_deregister_endpoint(&sides[0].ept), 0);
	cr_assert_eq(ipc_service_register_endpoint(sides[0].dev, &sides[0].ept, &sides[0].cfg), 0);
	cr_assert(wait_for(&sides[0].bound, 2));
	cr_assert(wait_for(&sides[1].bound, 1));
	atomic_store(&sides[1].received, 0);
	atomic_store(&sides[0].received, 0);
	exchange();
}

VgTest(icmsg, rx_in_isr_runs_callbacks_in_interrupt_context)
{
	bond_pair(EMU_UNBOUND_DISABLE, EMU_UNBOUND_DISABLE, true);
	exchange();
	cr_assert_eq(atomic_load(&sides[1].in_isr), 1);
	cr_assert_eq(atomic_load(&sides[0].in_isr), 1);
}

VgTest(icmsg, work_queue_callbacks_are_not_in_isr)
{
	bond_pair(EMU_UNBOUND_DISABLE, EMU_UNBOUND_DISABLE, false);
	exchange();
	cr_assert_eq(atomic_load(&sides[1].in_isr), 0);
}

VgTest(icmsg, oversized_message_is_reported_and_skipped)
{
	char big[200];

	memset(big, 0xA5, sizeof(big));
	bond_pair(EMU_UNBOUND_DISABLE, EMU_UNBOUND_DISABLE, false);
	/* 200 B fit the ring but not the peer's 128-byte RX buffer. */
	cr_assert_eq(ipc_service_send(&sides[0].ept, big, sizeof(big)), (int)sizeof(big));
	cr_assert_eq(ipc_service_send(&sides[0].ept, "next", 4), 4);
	cr_assert(wait_for(&sides[1].received, 1));
	cr_assert(wait_for(&sides[1].errors, 1));
	cr_assert_eq(atomic_load(&sides[1].last_len), 4u);
	cr_assert_eq(memcmp(sides[1].last, "next", 4), 0);
	cr_assert_str_eq(sides[1].last_error, "RX message too large: dropped");
}

VgTest(icmsg, corrupt_peer_index_is_reported_not_trusted)
{
	const struct emu_dt_inst *in;
	uint8_t *rx;

	bond_pair(EMU_UNBOUND_DISABLE, EMU_UNBOUND_DISABLE, false);
	in = emu_dt_find(&plans[1], "ipc0");
	/* Hostile host: its wr_idx (in the remote's rx-region) beyond the ring. */
	rx = emu_segment_ptr(seg, in->rx.addr, in->rx.size);
	*(volatile uint32_t *)(rx + 8) = 0x7ffffff0u;
	cr_assert_eq(mbox_send(emu_core_mbox(sides[0].core), in->mbox_rx, NULL), 0);
	cr_assert(wait_for(&sides[1].errors, 1));
	cr_assert_str_eq(sides[1].last_error, "corrupt RX ring");
	cr_assert_eq(atomic_load(&sides[1].received), 0);
}

/* ------------------------------------------------------------ found by removing checks */

static struct senders two;

static void two_received(const void *data, size_t len, void *priv)
{
	(void)priv;
	senders_received(&two, data, len);
}

/* Two threads send on one endpoint at once: the TX lock keeps the ring
 * whole (without it both write at the same write index). */
static void two_senders(int mode)
{
	int n = senders_count(2000);

	memset(&two, 0, sizeof(two));
	bond_pair_rx(mode, mode, false, two_received);
	two.ept = &sides[0].ept;
	two.per_thread = n;
	two.max_len = 120;
	two.widen = "pbuf_write_before_publish"; /* under the TX lock */
	senders_run(&two);
	cr_assert_eq(two.send_rc[0], 0, "sender 0: %d", two.send_rc[0]);
	cr_assert_eq(two.send_rc[1], 0, "sender 1: %d", two.send_rc[1]);
	cr_assert(wait_until(&two.received, 2 * n, 10000), "received %d of %d",
		  atomic_load(&two.received), 2 * n);
	drain_rx_queue();
	cr_assert_eq(atomic_load(&two.bad), 0, "%d bad messages", atomic_load(&two.bad));
	cr_assert_eq(atomic_load(&two.received), 2 * n);
	cr_assert_eq(two.next[0], (uint32_t)n);
	cr_assert_eq(two.next[1], (uint32_t)n);
	cr_assert_eq(atomic_load(&sides[1].errors), 0, "%s", sides[1].last_error);
}

VgTest(icmsg, two_senders_on_one_endpoint_legacy)
{
	two_senders(EMU_UNBOUND_DISABLE);
}

VgTest(icmsg, two_senders_on_one_endpoint_session)
{
	two_senders(EMU_UNBOUND_ENABLE);
}

/* An unbound mode that is none of the three: -EINVAL, the instance stays off
 * and opens with a valid mode afterwards. */
VgTest(icmsg, open_with_invalid_unbound_mode_is_einval)
{
	struct icmsg_config_t conf;
	static const int bad[] = {0, 4, 0x7fffffff};

	start_side(0, EMU_UNBOUND_DISABLE, false);
	conf = *(const struct icmsg_config_t *)sides[0].dev->config;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		conf.unbound_mode = (enum icmsg_unbound_mode)bad[i];
		cr_assert_eq(icmsg_open(&conf, sides[0].dev->data, &sides[0].cfg.cb, &sides[0]),
			     -EINVAL, "mode %d", bad[i]);
		cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_OFF, "mode %d", bad[i]);
	}
	cr_assert_eq(icmsg_open(sides[0].dev->config, sides[0].dev->data, &sides[0].cfg.cb,
				&sides[0]), 0);
	cr_assert_eq(icmsg_state(sides[0].dev->data), ICMSG_STATE_INITIALIZING_SID_DISABLED);
}

VgTest(icmsg, close_instance_null_is_einval)
{
	cr_assert_eq(ipc_service_close_instance(NULL), -EINVAL);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h).
 * Not batched: concurrent_legacy_opens_one_wins (threads of its own),
 * remote_reboot_is_detected_with_sessions (a signal). */
VG_BATCH(icmsg, 600)
