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
