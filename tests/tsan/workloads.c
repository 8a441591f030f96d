/*
 * tests/tsan/workloads.c - the in-process pair workloads that the
 * ThreadSanitizer step of scripts/test.sh runs (runner.c, CMake option
 * IPC_EMU_TSAN).
 *
 * It includes tests/test_race.c, whose tests (the pbuf writer/reader
 * threads, ICMsg with sessions, ICBMsg copy and no-copy, data-mode MBOX and
 * the canary) run as they are, and adds what TSan should also see: ICMsg in
 * its other two unbound modes, ICBMsg (classic and v2) with copy sends
 * only, ICMsg with its RX in the interrupt thread, and two application
 * threads sending on one endpoint (ICMsg, classic ICBMsg and ICBMsg v2 with
 * no-copy), both directions at once in every case.
 */
#include "../test_race.c"

/* Two streams per endpoint when two threads send: stream 1's sequence
 * numbers have bit 31 set; the receiver checks each stream in order. */
#define STREAM1 0x80000000u

struct tsan_side {
	struct svc_side svc; /* device, endpoint and its config (svc.rx unused) */
	struct tally rx[2];  /* per stream */
};

static void tsan_received(const void *data, size_t len, void *priv)
{
	struct tsan_side *s = priv;
	const uint8_t *p = data;

	/* A message shorter than its sequence number fails in stream 0. */
	tally_message(&s->rx[len >= 4 && (p[3] & 0x80u) ? 1 : 0], data, len);
}

struct tsan_run {
	const char *tag, *label;
	int unbound;
	bool rx_in_isr, nocopy;
	int senders; /* application threads per endpoint: 1 or 2 */
	uint32_t max;
	uint32_t icbmsg_version; /* ICBMsg instances: EMU_ICBMSG_CLASSIC or _V2 */
};

static void tsan_pair(const struct tsan_run *run)
{
	const uint32_t count = 1000, min = 4;
	struct pair p;
	struct tsan_side side[2];
	struct svc_sender snd[2][2];
	pthread_t thread[2][2];
	struct emu_board_opts o;

	memset(side, 0, sizeof(side));
	pair_setup(&p, run->tag);
	emu_board_opts_default(&o);
	o.unbound_override = run->unbound;
	o.icmsg_rx_in_isr = run->rx_in_isr;
	o.icbmsg_version = run->icbmsg_version;
	for (int r = 0; r < 2; r++) {
		struct tsan_side *s = &side[r];

		for (int k = 0; k < 2; k++) {
			tally_init(&s->rx[k], min, run->max);
		}
		s->rx[1].next = STREAM1;
		pair_start(&p, r, &o);
		s->svc.dev = emu_board_device(p.board[r], run->label);
		cr_assert_not_null(s->svc.dev);
		s->svc.cfg = (struct ipc_ept_cfg){
			.name = "tsan", .cb = {.received = tsan_received}, .priv = s};
	}
	for (int r = 0; r < 2; r++) {
		int rc = ipc_service_open_instance(side[r].svc.dev);

		cr_assert(rc == 0 || rc == -EALREADY, "open %d: %d", r, rc);
	}
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(ipc_service_register_endpoint(side[r].svc.dev, &side[r].svc.ept,
							   &side[r].svc.cfg),
			     0);
	}
	for (int r = 0; r < 2; r++) {
		for (int k = 0; k < 2; k++) {
			uint32_t base = k ? STREAM1 : 0;

			snd[r][k] = (struct svc_sender){.side = &side[r].svc, .first = base,
							.count = base + count, .min = min,
							.max = run->max, .nocopy = run->nocopy};
		}
	}
	/* Bound when a send no longer says -EBUSY (ICBMsg v2: -ENOENT): stream
	 * 0's message 0. */
	for (int r = 0; r < 2; r++) {
		time_t deadline = time(NULL) + 10;
		uint8_t msg[512];
		int rc;

		for (;;) {
			rc = send_one(&snd[r][0], 0, msg);
			if (rc != -EBUSY && rc != -ENOMEM && rc != -ENOENT) {
				break;
			}
			cr_assert(time(NULL) < deadline, "side %d never bound", r);
			usleep(1000);
		}
		cr_assert_eq(rc, 0, "side %d: first send %d", r, rc);
		snd[r][0].first = 1;
	}
	for (int r = 0; r < 2; r++) {
		for (int k = 0; k < run->senders; k++) {
			cr_assert_eq(pthread_create(&thread[r][k], NULL, svc_send_all, &snd[r][k]), 0);
		}
	}
	for (int r = 0; r < 2; r++) {
		for (int k = 0; k < run->senders; k++) {
			cr_assert_eq(pthread_join(thread[r][k], NULL), 0);
			cr_assert_eq(snd[r][k].rc, 0, "side %d sender %d: %d", r, k, snd[r][k].rc);
		}
	}
	for (int k = 0; k < run->senders; k++) {
		uint32_t base = k ? STREAM1 : 0;

		tally_assert(&side[REMOTE].rx[k], base + count, "host->remote");
		tally_assert(&side[HOST].rx[k], base + count, "remote->host");
	}
	pair_teardown(&p);
	for (int r = 0; r < 2; r++) {
		for (int k = 0; k < 2; k++) {
			tally_destroy(&side[r].rx[k]);
		}
	}
}

Test(tsan, icmsg_legacy_pair_exchange)
{
	tsan_pair(&(struct tsan_run){"tsan-legacy", "ipc0", EMU_UNBOUND_DISABLE, false, false, 1, 96, 0});
}

Test(tsan, icmsg_detect_pair_exchange)
{
	tsan_pair(&(struct tsan_run){"tsan-detect", "ipc0", EMU_UNBOUND_DETECT, false, false, 1, 96, 0});
}

Test(tsan, icmsg_rx_in_isr)
{
	tsan_pair(&(struct tsan_run){"tsan-isr", "ipc0", EMU_UNBOUND_ENABLE, true, false, 1, 96, 0});
}

Test(tsan, icmsg_two_senders_per_endpoint)
{
	tsan_pair(&(struct tsan_run){"tsan-2snd", "ipc0", EMU_UNBOUND_ENABLE, false, false, 2, 96, 0});
}

Test(tsan, icbmsg_copy_only)
{
	tsan_pair(&(struct tsan_run){"tsan-icbmsg", "ipc1", 0, false, false, 1, 300,
				     EMU_ICBMSG_CLASSIC});
}

Test(tsan, icbmsg_two_senders_per_endpoint_nocopy)
{
	tsan_pair(&(struct tsan_run){"tsan-icbmsg-2snd", "ipc1", 0, false, true, 2, 300,
				     EMU_ICBMSG_CLASSIC});
}

Test(tsan, icbmsg_v2_copy_only)
{
	tsan_pair(&(struct tsan_run){"tsan-icbmsg-v2", "ipc1", 0, false, false, 1, 300,
				     EMU_ICBMSG_V2});
}

Test(tsan, icbmsg_v2_two_senders_per_endpoint_nocopy)
{
	tsan_pair(&(struct tsan_run){"tsan-icbmsg-v2-2snd", "ipc1", 0, false, true, 2, 300,
				     EMU_ICBMSG_V2});
}

/*
 * A SoC core's interrupt context shared by the cores of its two links
 * (emu/soc.h, emu/core.c struct irq_ctx): SoC cores 0, 1, 2, links 0 (0-1)
 * and 1 (0-2); core 0 is held (as a core process holds it) and runs one
 * member per link.  Cores 1 and 2 each run 2000 signal round trips with
 * core 0 at once (core 0's members answer from their callbacks, on the one
 * shared thread), while a third member of core 0 joins and leaves the
 * context again and again.  TSan sees the registry, the context's member
 * list and the doorbell words under all of that.
 */
#include <semaphore.h>

#include "emu_internal.h"
#include "soc.h"

#define SOC_ROUNDS 2000u

struct soc_end {
	const struct device *dev;
	uint32_t tx;          /* the channel this end answers or sends on */
	bool answer;          /* core 0's members: reply from the callback */
	atomic_uint hits;
	sem_t got;            /* the peers: a reply came */
};

static void soc_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		   struct mbox_msg *msg)
{
	struct soc_end *e = user;

	(void)dev;
	(void)ch;
	(void)msg;
	atomic_fetch_add(&e->hits, 1);
	if (e->answer) {
		cr_expect_eq(mbox_send(e->dev, e->tx, NULL), 0);
	} else {
		sem_post(&e->got);
	}
}

static void soc_config(struct emu_core *c, uint32_t tx, uint32_t rx, struct soc_end *e,
		       bool answer)
{
	struct emu_mbox_cfg cfg = {.name = "ipc_mbox", .index = 0, .mtu = 0,
				   .channels = EMU_MBOX_CHANNELS, .tx_mask = 1u << tx,
				   .rx_mask = 1u << rx};

	cr_assert_eq(emu_core_mbox_add(c, &cfg, &e->dev), 0);
	e->tx = tx;
	e->answer = answer;
	cr_assert_eq(sem_init(&e->got, 0, 0), 0);
	cr_assert_eq(mbox_register_callback(e->dev, rx, soc_cb, e), 0);
	cr_assert_eq(mbox_set_enabled(e->dev, rx, true), 0);
}

static void soc_unconfig(struct emu_core *c, struct soc_end *e, uint32_t rx)
{
	cr_assert_eq(mbox_set_enabled(e->dev, rx, false), 0);
	cr_assert_eq(mbox_register_callback(e->dev, rx, NULL, NULL), 0);
	emu_core_mbox_remove(c, e->dev);
	sem_destroy(&e->got);
}

static void *soc_pinger(void *arg)
{
	struct soc_end *e = arg;

	for (unsigned i = 0; i < SOC_ROUNDS; i++) {
		cr_assert_eq(mbox_send(e->dev, e->tx, NULL), 0);
		while (sem_wait(&e->got) != 0) {
		}
	}
	return NULL;
}

struct soc_churn {
	struct emu_segment *view; /* a second view of link 0: its host role is free */
	atomic_bool stop;
	unsigned joins;
};

static void *soc_churner(void *arg)
{
	struct soc_churn *ch = arg;

	while (!atomic_load(&ch->stop)) {
		struct emu_core *c = NULL;

		cr_assert_eq(emu_core_start(ch->view, EMU_ROLE_HOST, &c), 0);
		emu_core_stop(c);
		ch->joins++;
	}
	return NULL;
}

Test(tsan, soc_shared_interrupt_context)
{
	static const uint32_t tx0[2] = {1, 3}, rx0[2] = {2, 4};
	struct emu_soc_cfg cfg = {
		.mem_base = 0x20000000u, .mem_size = 0x20000, .doorbell = EMU_DOORBELL_FUTEX,
		.n_core = 3, .n_link = 2,
	};
	struct emu_soc *soc = NULL;
	struct emu_segment *v[2] = {NULL, NULL};
	struct emu_core_hold *hold = NULL;
	struct emu_core *c0[2] = {NULL, NULL}, *peer[2] = {NULL, NULL};
	static struct soc_end e0[2], ep[2];
	struct soc_churn churn = {0};
	pthread_t ping[2], churner;
	struct emu_peer_status ps;

	cfg.link[0].base = 0x20000000u;
	cfg.link[0].size = 0x10000;
	cfg.link[0].core[1] = 1;
	cfg.link[1].base = 0x20010000u;
	cfg.link[1].size = 0x10000;
	cfg.link[1].core[1] = 2;
	cr_assert_eq(emu_soc_create(&cfg, &soc), 0);
	cr_assert_eq(emu_soc_unlink(soc), 0);
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(emu_soc_link(soc, l, &v[l]), 0);
	}
	cr_assert_eq(emu_soc_link(soc, 0, &churn.view), 0);
	cr_assert_eq(emu_core_hold(v[0], EMU_ROLE_HOST, &hold), 0);
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(emu_core_start(v[l], EMU_ROLE_HOST, &c0[l]), 0);
		cr_assert_eq(emu_core_start(v[l], EMU_ROLE_REMOTE, &peer[l]), 0);
		soc_config(c0[l], tx0[l], rx0[l], &e0[l], true);
		soc_config(peer[l], rx0[l], tx0[l], &ep[l], false);
	}
	cr_assert_eq(pthread_create(&churner, NULL, soc_churner, &churn), 0);
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(pthread_create(&ping[l], NULL, soc_pinger, &ep[l]), 0);
	}
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(pthread_join(ping[l], NULL), 0);
	}
	atomic_store(&churn.stop, true);
	cr_assert_eq(pthread_join(churner, NULL), 0);
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(atomic_load(&e0[l].hits), SOC_ROUNDS, "link %u: core 0's member", l);
		cr_assert_eq(atomic_load(&ep[l].hits), SOC_ROUNDS, "link %u: its peer", l);
	}
	cr_assert_gt(churn.joins, 0);
	emu_segment_peer_status(v[1], EMU_ROLE_HOST, &ps);
	cr_assert_eq(ps.boot_count, 1, "one boot of core 0 for every member start");
	for (unsigned l = 0; l < 2; l++) {
		soc_unconfig(c0[l], &e0[l], rx0[l]);
		soc_unconfig(peer[l], &ep[l], tx0[l]);
		emu_core_stop(c0[l]);
		emu_core_stop(peer[l]);
	}
	emu_core_release(hold);
	for (unsigned l = 0; l < 2; l++) {
		emu_segment_close(v[l]);
	}
	emu_segment_close(churn.view);
	emu_soc_close(soc);
}
