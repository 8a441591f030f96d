/*
 * IPM devices built from devicetree: every function and return code of the
 * Zephyr IPM API on the generic emulated device (ipc-emu,ipm) and on the
 * i.MX MU model (nxp,imx-mu: register layout, ids walked from max down),
 * wait = 1 returning only once the remote consumed, asynchronous
 * completion, direction, a hostile id, the devicetree properties and pair
 * checks, and the IPM echo in one process and in two.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/ipm.h"
#include "port.h"
#include "support/board_rig.h"
#include "support/vg_cases.h"

#define H EMU_ROLE_HOST
#define R EMU_ROLE_REMOTE

static char err[512];

TestSuite(ipm, .timeout = 30);
TestSuite(ipm_dt, .timeout = 30);

/* The tests of both_kinds run with each doorbell (under Valgrind both in one
 * process: support/vg_cases.h). */
static enum emu_doorbell both_kinds[] = {EMU_DOORBELL_FUTEX, EMU_DOORBELL_EVENTFD};

/* A generic device sending from host to remote only, ids up to 15, 8 bytes. */
static const char directed_host[] =
	"/dts-v1/;\n/ {\n\tipm_a: ipm-a { compatible = \"ipc-emu,ipm\"; data-size = <8>; "
	"max-id = <15>; direction = \"tx\"; };\n};\n";
static const char directed_remote[] =
	"/dts-v1/;\n/ {\n\tipm_a: ipm-a { compatible = \"ipc-emu,ipm\"; data-size = <8>; "
	"max-id = <15>; direction = \"rx\"; };\n};\n";

static void imx_dts(char *buf, size_t len, unsigned data_size)
{
	snprintf(buf, len,
		 "/dts-v1/;\n/ {\n\tmu: mailbox@30aa0000 { compatible = \"nxp,imx-mu\"; "
		 "reg = <0x30aa0000 0x10000>; ipc-emu,data-size = <%u>; status = \"okay\"; };\n"
		 "};\n",
		 data_size);
}

/* A callback that records every message. */
#define LOG_MAX 64
struct rec {
	atomic_uint n;
	atomic_uint not_isr;
	atomic_uint wrong_dev;
	const struct device *dev;
	uint32_t ids[LOG_MAX];
	uint32_t words[LOG_MAX][4];
	sem_t *block; /* if set: the callback waits on it after recording */
	sem_t entered;
};

static void rec_cb(const struct device *dev, void *user, uint32_t id, volatile void *data)
{
	struct rec *r = user;
	sem_t *block = r->block;
	unsigned k = atomic_load(&r->n);
	const volatile uint32_t *w = data;

	if (dev != r->dev) {
		atomic_fetch_add(&r->wrong_dev, 1);
	}
	if (!port_in_isr()) {
		atomic_fetch_add(&r->not_isr, 1);
	}
	if (k < LOG_MAX) {
		int words = ipm_max_data_size_get(dev) / 4;

		r->ids[k] = id;
		for (int i = 0; i < words && i < 4; i++) {
			r->words[k][i] = w[i];
		}
	}
	atomic_fetch_add(&r->n, 1);
	if (block != NULL) {
		sem_post(&r->entered);
		sem_wait(block);
	}
}

static void rec_attach(struct rec *r, const struct device *dev, bool enable)
{
	memset(r, 0, sizeof(*r));
	cr_assert_eq(sem_init(&r->entered, 0, 0), 0);
	r->dev = dev;
	ipm_register_callback(dev, rec_cb, r);
	if (enable) {
		cr_assert_eq(ipm_set_enabled(dev, 1), 0);
	}
}

static struct emu_ctl_ipm_box *box_of(struct rig *r, unsigned index, int to_role)
{
	return &emu_segment_ctl(r->seg)->ipm[index].box[to_role];
}

/* ------------------------------------------------------------ generic device */

VgTest(ipm, generic_return_codes)
{
	struct rig r;
	const struct device *h, *rm;
	uint32_t w = 0x11223344u;
	uint8_t five[5] = {0};

	rig_up(&r, "ipm-rc", EMU_DOORBELL_FUTEX, NULL, NULL);
	h = rig_dev(&r, H, "ipm0");
	rm = rig_dev(&r, R, "ipm0");
	cr_assert_str_eq(h->name, "ipm0");
	cr_assert(device_is_ready(h));
	cr_assert_eq(ipm_max_data_size_get(h), 4);
	cr_assert_eq(ipm_max_id_val_get(h), UINT32_MAX);
	cr_assert_eq(ipm_send(h, 0, 1, five, 5), -EMSGSIZE);
	cr_assert_eq(ipm_send(h, 0, 1, &w, -1), -EINVAL);
	cr_assert_eq(ipm_send(h, 0, 1, NULL, 4), -EINVAL);
	/* The remote is disabled: the first message waits, the next is refused. */
	cr_assert_eq(ipm_send(h, 0, UINT32_MAX, NULL, 0), 0, "max id, no data");
	cr_assert_eq(ipm_send(h, 0, 1, &w, 4), -EBUSY);
	cr_assert_eq(ipm_send(h, 0, 1, five, 5), -EMSGSIZE, "size checked before busy");
	cr_assert_eq(box_of(&r, 0, R)->full, 1);
	cr_assert_eq(box_of(&r, 0, R)->id, UINT32_MAX);
	/* set_enabled is idempotent; complete is a no-op without async */
	cr_assert_eq(ipm_set_enabled(h, 0), 0);
	cr_assert_eq(ipm_set_enabled(h, 1), 0);
	cr_assert_eq(ipm_set_enabled(h, 1), 0);
	cr_assert_eq(ipm_set_enabled(h, 0), 0);
	ipm_complete(rm);
	cr_assert_eq(box_of(&r, 0, R)->full, 1, "complete does not consume without async");
	rig_fini(&r);
}

VgTest(ipm, generic_direction_and_id_limit)
{
	struct rig r;
	struct rec rx;
	const struct device *h, *rm;
	uint64_t v = 0x0102030405060708ull;

	rig_up(&r, "ipm-dir", EMU_DOORBELL_FUTEX, directed_host, directed_remote);
	h = rig_dev(&r, H, "ipm_a");
	rm = rig_dev(&r, R, "ipm_a");
	cr_assert_eq(ipm_max_data_size_get(h), 8);
	cr_assert_eq(ipm_max_id_val_get(h), 15);
	cr_assert_eq(ipm_max_id_val_get(rm), 15);
	cr_assert_eq(ipm_set_enabled(h, 1), -EINVAL, "the host's side only sends");
	cr_assert_eq(ipm_set_enabled(h, 0), -EINVAL);
	cr_assert_eq(ipm_send(rm, 0, 1, &v, 8), -EINVAL, "the remote's side only receives");
	cr_assert_eq(ipm_send(h, 0, 16, &v, 8), -EINVAL, "id above max-id");
	cr_assert_eq(ipm_send(h, 0, 16, &v, 9), -EINVAL, "id checked before size");
	rec_attach(&rx, rm, true);
	cr_assert_eq(ipm_send(h, 1, 15, &v, 8), 0);
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	cr_assert_eq(rx.ids[0], 15);
	cr_assert_eq(rx.words[0][0], 0x05060708u);
	cr_assert_eq(rx.words[0][1], 0x01020304u);
	/* fewer bytes than the registers: the rest reads as zero */
	cr_assert_eq(ipm_send(h, 1, 3, &v, 1), 0);
	cr_assert_eq(rig_wait(&rx.n, 2, 5000), 2);
	cr_assert_eq(rx.words[1][0], 0x08u);
	cr_assert_eq(rx.words[1][1], 0);
	rig_fini(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, ipm, delivery_in_interrupt_context,
		    .timeout = 30)
{
	struct rig r;
	struct rec rx, hx;
	const struct device *h, *rm;

	rig_up(&r, "ipm-isr", *db, NULL, NULL);
	h = rig_dev(&r, H, "ipm0");
	rm = rig_dev(&r, R, "ipm0");
	rec_attach(&rx, rm, true);
	rec_attach(&hx, h, true);
	for (uint32_t i = 0; i < 20; i++) {
		uint32_t w = 0xabc00000u + i;

		cr_assert_eq(ipm_send(h, 1, 1000 + i, &w, 4), 0);
		cr_assert_eq(rig_wait(&rx.n, i + 1, 5000), i + 1);
		cr_assert_eq(rx.ids[i], 1000 + i);
		cr_assert_eq(rx.words[i][0], w);
	}
	/* and the other way */
	cr_assert_eq(ipm_send(rm, 1, 7, NULL, 0), 0);
	cr_assert_eq(rig_wait(&hx.n, 1, 5000), 1);
	cr_assert_eq(hx.ids[0], 7);
	cr_assert_eq(hx.words[0][0], 0, "no data: zero registers");
	cr_assert_eq(atomic_load(&rx.not_isr), 0);
	cr_assert_eq(atomic_load(&hx.not_isr), 0);
	cr_assert_eq(atomic_load(&rx.wrong_dev), 0);
	rig_fini(&r);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, ipm, ebusy_while_disabled_then_delivered_on_enable,
		    .timeout = 30)
{
	struct rig r;
	struct rec rx;
	const struct device *h, *rm;
	uint32_t a = 1, b = 2;

	rig_up(&r, "ipm-busy", *db, NULL, NULL);
	h = rig_dev(&r, H, "ipm0");
	rm = rig_dev(&r, R, "ipm0");
	rec_attach(&rx, rm, false);
	cr_assert_eq(ipm_send(h, 0, 10, &a, 4), 0);
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(ipm_send(h, 0, 11, &b, 4), -EBUSY);
	}
	rig_sleep_ms(30);
	cr_assert_eq(atomic_load(&rx.n), 0);
	cr_assert_eq(ipm_set_enabled(rm, 1), 0);
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	cr_assert_eq(rx.ids[0], 10);
	cr_assert_eq(rx.words[0][0], a);
	cr_assert_eq(ipm_send(h, 1, 11, &b, 4), 0);
	cr_assert_eq(rig_wait(&rx.n, 2, 5000), 2);
	cr_assert_eq(rx.ids[1], 11);
	rig_sleep_ms(20);
	cr_assert_eq(atomic_load(&rx.n), 2, "each message once");
	rig_fini(&r);
}

VgTest(ipm, null_callback_consumes_and_drops)
{
	struct rig r;
	const struct device *h, *rm;
	uint32_t w = 5;

	rig_up(&r, "ipm-nocb", EMU_DOORBELL_FUTEX, NULL, NULL);
	h = rig_dev(&r, H, "ipm0");
	rm = rig_dev(&r, R, "ipm0");
	ipm_register_callback(rm, NULL, NULL);
	cr_assert_eq(ipm_set_enabled(rm, 1), 0);
	cr_assert_eq(ipm_send(h, 1, 1, &w, 4), 0, "wait = 1 returns: consumed without callback");
	cr_assert_eq(ipm_send(h, 1, 2, &w, 4), 0);
	rig_fini(&r);
}

/* ------------------------------------------------------------ wait = 1 */

struct sender {
	const struct device *dev;
	int wait;
	uint32_t id;
	uint32_t word;
	int rc;
	atomic_bool returned;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;

	s->rc = ipm_send(s->dev, s->wait, s->id, &s->word, 4);
	atomic_store(&s->returned, true);
	return NULL;
}

/* wait = 1 returns once the remote's handler read the registers: not before
 * (the remote is disabled), and without waiting for its callback. */
VgParameterizedTest(enum emu_doorbell, db, both_kinds, ipm, wait_returns_once_the_remote_consumed,
		    .timeout = 30)
{
	struct rig r;
	struct rec rx;
	struct sender s;
	sem_t release;
	pthread_t t;
	const struct device *rm;

	rig_up(&r, "ipm-wait", *db, NULL, NULL);
	rm = rig_dev(&r, R, "ipm0");
	rec_attach(&rx, rm, false);
	cr_assert_eq(sem_init(&release, 0, 0), 0);
	rx.block = &release;
	s = (struct sender){.dev = rig_dev(&r, H, "ipm0"), .wait = 1, .id = 77, .word = 0xfeed};
	cr_assert_eq(pthread_create(&t, NULL, sender_main, &s), 0);
	rig_sleep_ms(100);
	cr_assert_not(atomic_load(&s.returned), "returned before the remote consumed");
	cr_assert_eq(box_of(&r, 0, R)->full, 1);
	cr_assert_eq(ipm_set_enabled(rm, 1), 0);
	cr_assert(rig_sem_wait(&rx.entered, 5000));
	/* The callback is still blocked: the send has returned all the same. */
	for (int i = 0; i < 5000 && !atomic_load(&s.returned); i++) {
		rig_sleep_ms(1);
	}
	cr_assert(atomic_load(&s.returned), "still waiting although the registers were read");
	cr_assert_eq(s.rc, 0);
	cr_assert_eq(atomic_load(&rx.n), 1);
	sem_post(&release);
	pthread_join(t, NULL);
	rx.block = NULL;
	cr_assert_eq(rx.ids[0], 77);
	cr_assert_eq(rx.words[0][0], 0xfeed);
	rig_fini(&r);
	sem_destroy(&release);
}

/* ------------------------------------------------------------ async completion */

Test(ipm, async_completion_holds_the_message_until_complete)
{
	struct rig r;
	struct rec rx;
	struct sender s;
	struct emu_board_opts o;
	pthread_t t;
	const struct device *h, *rm;
	uint32_t w = 9;

	rig_init(&r, "ipm-async", EMU_DOORBELL_FUTEX, NULL, NULL);
	rig_start(&r, H, NULL);
	emu_board_opts_default(&o);
	cr_assert_not(o.ipm_callback_async, "off by default, as CONFIG_IPM_CALLBACK_ASYNC");
	o.ipm_callback_async = true;
	rig_start(&r, R, &o);
	h = rig_dev(&r, H, "ipm0");
	rm = rig_dev(&r, R, "ipm0");
	rec_attach(&rx, rm, true);
	ipm_complete(rm); /* nothing delivered: no-op */

	cr_assert_eq(ipm_send(h, 0, 1, &w, 4), 0);
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	rig_sleep_ms(20);
	cr_assert_eq(ipm_send(h, 0, 2, &w, 4), -EBUSY, "delivered but not completed");
	cr_assert_eq(box_of(&r, 0, R)->full, 1);
	/* re-enabling (a kick) must not deliver it again */
	cr_assert_eq(ipm_set_enabled(rm, 0), 0);
	cr_assert_eq(ipm_set_enabled(rm, 1), 0);
	rig_sleep_ms(30);
	cr_assert_eq(atomic_load(&rx.n), 1);

	/* wait = 1 waits for ipm_complete() */
	ipm_complete(rm);
	cr_assert_eq(box_of(&r, 0, R)->full, 0);
	s = (struct sender){.dev = h, .wait = 1, .id = 3, .word = 33};
	cr_assert_eq(pthread_create(&t, NULL, sender_main, &s), 0);
	cr_assert_eq(rig_wait(&rx.n, 2, 5000), 2);
	rig_sleep_ms(100);
	cr_assert_not(atomic_load(&s.returned), "returned before ipm_complete()");
	ipm_complete(rm);
	pthread_join(t, NULL);
	cr_assert_eq(s.rc, 0);
	cr_assert_eq(rx.ids[1], 3);
	cr_assert_eq(rx.words[1][0], 33);
	cr_assert_eq(ipm_send(h, 0, 4, &w, 4), 0);
	rig_fini(&r);
}

/* ------------------------------------------------------------ nxp,imx-mu */

struct imx_case {
	unsigned size;
	uint32_t max_id;
};

static struct imx_case imx_cases[] = {{4, 3}, {8, 1}, {16, 0}};

VgParameterizedTest(struct imx_case, c, imx_cases, ipm, imx_mu_registers, .timeout = 30)
{
	char dts[512];
	struct rig r;
	struct rec rx;
	const struct device *h, *rm;
	struct emu_ctl_ipm_box *box;
	const unsigned regs = c->size / 4;
	uint8_t data[17];

	imx_dts(dts, sizeof(dts), c->size);
	rig_up(&r, "ipm-imx", EMU_DOORBELL_FUTEX, dts, NULL);
	h = rig_dev(&r, H, "mu");
	rm = rig_dev(&r, R, "mu");
	box = box_of(&r, 0, R);
	cr_assert_eq(ipm_max_data_size_get(h), (int)c->size);
	cr_assert_eq(ipm_max_id_val_get(h), c->max_id);
	for (unsigned i = 0; i < sizeof(data); i++) {
		data[i] = (uint8_t)(0x10 + i);
	}
	cr_assert_eq(ipm_send(h, 0, c->max_id + 1, data, 1), -EINVAL);
	cr_assert_eq(ipm_send(h, 0, 0, data, (int)c->size + 1), -EMSGSIZE);
	/* set_enabled toggles the receive interrupts, always 0 (both ways) */
	cr_assert_eq(ipm_set_enabled(h, 0), 0);
	cr_assert_eq(ipm_set_enabled(h, 1), 0);
	cr_assert_eq(ipm_set_enabled(h, 0), 0);
	rec_attach(&rx, rm, false);

	/* Every id, receiver disabled: id k's registers are k*R .. k*R+R-1,
	 * all written (zero beyond the size), full flags set. */
	for (uint32_t id = 0; id <= c->max_id; id++) {
		uint8_t msg[16];
		int size = (int)c->size - 1 + (id == 0); /* id 0 full size, others one short */

		memset(msg, 0, sizeof(msg));
		memcpy(msg, data + id, (size_t)size);
		cr_assert_eq(ipm_send(h, 0, id, data + id, size), 0, "id %u", id);
		cr_assert_eq(ipm_send(h, 0, id, data, 1), -EBUSY, "id %u busy", id);
		for (unsigned i = 0; i < regs; i++) {
			uint32_t want;

			memcpy(&want, msg + 4 * i, 4);
			cr_assert_eq(box->data[id * regs + i], want, "id %u register %u", id,
				     id * regs + i);
		}
	}
	cr_assert_eq(box->full, 0xfu, "all four registers full, whatever the split");
	cr_assert_eq(ipm_set_enabled(rm, 1), 0);
	cr_assert_eq(rig_wait(&rx.n, c->max_id + 1, 5000), c->max_id + 1);
	/* The handler walks ids from max down to 0. */
	for (uint32_t k = 0; k <= c->max_id; k++) {
		uint32_t id = c->max_id - k;

		cr_assert_eq(rx.ids[k], id, "callback %u got id %u", k, rx.ids[k]);
		cr_assert_eq(memcmp(rx.words[k], data + id, c->size - 1 + (id == 0)), 0);
	}
	cr_assert_eq(box->full, 0, "all read");
	cr_assert_eq(ipm_send(h, 1, c->max_id, data, 1), 0);
	cr_assert_eq(rig_wait(&rx.n, c->max_id + 2, 5000), c->max_id + 2);
	rig_fini(&r);
}

VgTest(ipm, imx_mu_ids_are_independent)
{
	char dts[512];
	struct rig r;
	const struct device *h;
	uint32_t w = 1;

	imx_dts(dts, sizeof(dts), 4);
	rig_up(&r, "ipm-imx2", EMU_DOORBELL_FUTEX, dts, NULL);
	h = rig_dev(&r, H, "mu");
	cr_assert_eq(ipm_send(h, 0, 1, &w, 4), 0);
	cr_assert_eq(ipm_send(h, 0, 1, &w, 4), -EBUSY);
	cr_assert_eq(ipm_send(h, 0, 2, &w, 4), 0, "another id has its own register");
	cr_assert_eq(box_of(&r, 0, R)->full, 0x6u);
	/* and the remote can send to the host at the same time */
	cr_assert_eq(ipm_send(rig_dev(&r, R, "mu"), 0, 1, &w, 4), 0);
	cr_assert_eq(box_of(&r, 0, H)->full, 0x2u);
	rig_fini(&r);
}

/* ------------------------------------------------------------ echo */

/* ipm-echo: the host sends a word with wait = 1; the remote's callback sends
 * it back + 1 with wait = 1 from the interrupt context. */
struct echo {
	const struct device *dev;
	atomic_uint n;
	atomic_uint errors;
	uint32_t last;
	sem_t got;
};

static void echo_remote_cb(const struct device *dev, void *user, uint32_t id,
			   volatile void *data)
{
	struct echo *e = user;
	uint32_t w = *(volatile uint32_t *)data + 1u;

	atomic_fetch_add(&e->n, 1);
	if (ipm_send(e->dev, 1, id, &w, 4) != 0) {
		atomic_fetch_add(&e->errors, 1);
	}
}

static void echo_host_cb(const struct device *dev, void *user, uint32_t id, volatile void *data)
{
	struct echo *e = user;

	e->last = *(volatile uint32_t *)data;
	atomic_fetch_add(&e->n, 1);
	sem_post(&e->got);
}

static void echo_init(struct echo *e, const struct device *dev, ipm_callback_t cb)
{
	memset(e, 0, sizeof(*e));
	cr_assert_eq(sem_init(&e->got, 0, 0), 0);
	e->dev = dev;
	ipm_register_callback(dev, cb, e);
	cr_assert_eq(ipm_set_enabled(dev, 1), 0);
}

/* Host side of the echo: `rounds` words, each answered. */
static void echo_run(struct echo *host, unsigned rounds)
{
	for (uint32_t i = 0; i < rounds; i++) {
		uint32_t w = i * 2654435761u;

		cr_assert_eq(ipm_send(host->dev, 1, i, &w, 4), 0, "round %u", i);
		cr_assert(rig_sem_wait(&host->got, 10000), "no echo in round %u", i);
		cr_assert_eq(host->last, w + 1u, "round %u", i);
	}
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, ipm, echo_one_process,
		    .timeout = 60)
{
	const unsigned rounds = rig_scaled(20000);
	struct rig r;
	struct echo host, remote;

	rig_up(&r, "ipm-echo", *db, NULL, NULL);
	echo_init(&host, rig_dev(&r, H, "ipm0"), echo_host_cb);
	echo_init(&remote, rig_dev(&r, R, "ipm0"), echo_remote_cb);
	echo_run(&host, rounds);
	cr_assert_eq(atomic_load(&remote.n), rounds);
	cr_assert_eq(atomic_load(&remote.errors), 0);
	rig_fini(&r);
	sem_destroy(&host.got);
	sem_destroy(&remote.got);
}

/* The classic IPM console's wire use: one message per character, the
 * character as the id, no data, wait = 1. */
struct console {
	char line[64];
	atomic_uint len;
};

static void console_cb(const struct device *dev, void *user, uint32_t id, volatile void *data)
{
	struct console *c = user;
	unsigned n = atomic_load(&c->len);

	if (n < sizeof(c->line) - 1) {
		c->line[n] = (char)id;
		atomic_store(&c->len, n + 1);
	}
}

VgTest(ipm, console_characters_as_ids)
{
	static const char text[] = "hello, ipm console\n";
	struct rig r;
	struct console con;
	const struct device *h, *rm;

	rig_up(&r, "ipm-con", EMU_DOORBELL_FUTEX, NULL, NULL);
	h = rig_dev(&r, H, "ipm0");
	rm = rig_dev(&r, R, "ipm0");
	cr_assert_geq(ipm_max_id_val_get(rm), 0xff, "the console receiver needs ids up to 0xff");
	memset(&con, 0, sizeof(con));
	ipm_register_callback(rm, console_cb, &con);
	cr_assert_eq(ipm_set_enabled(rm, 1), 0);
	for (const char *p = text; *p; p++) {
		cr_assert_eq(ipm_send(h, 1, (uint8_t)*p, NULL, 0), 0);
	}
	cr_assert_eq(rig_wait(&con.len, sizeof(text) - 1, 5000), sizeof(text) - 1);
	cr_assert_str_eq(con.line, text);
	rig_fini(&r);
}

/* ------------------------------------------------------------ hostile peer */

VgTest(ipm, id_above_max_from_the_peer_is_dropped)
{
	struct rig r;
	struct rec rx;
	struct emu_ctl_ipm_box *box;
	const struct device *h, *rm;
	uint64_t v = 1;

	rig_up(&r, "ipm-host", EMU_DOORBELL_FUTEX, directed_host, directed_remote);
	h = rig_dev(&r, H, "ipm_a");
	rm = rig_dev(&r, R, "ipm_a");
	rec_attach(&rx, rm, false);
	box = box_of(&r, 0, R);
	box->id = 99; /* max-id is 15 */
	ctl_fetch_or(&box->full, 1u);
	cr_assert_eq(ipm_set_enabled(rm, 1), 0);
	for (int i = 0; i < 5000 && ipc_load_acquire(&box->full) != 0; i++) {
		rig_sleep_ms(1);
	}
	cr_assert_eq(box->full, 0, "consumed");
	rig_sleep_ms(20);
	cr_assert_eq(atomic_load(&rx.n), 0, "never handed to the callback");
	cr_assert_eq(ipm_send(h, 1, 15, &v, 8), 0);
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	cr_assert_eq(rx.ids[0], 15);
	rig_fini(&r);
}

/* ------------------------------------------------------------ two processes */

enum {
	CHILD_OK = 0,
	CHILD_ATTACH = 10,
	CHILD_SETUP = 11,
	CHILD_STALL = 12,
	CHILD_ARGS = 13,
	CHILD_EXEC = 14,
	CHILD_ERRORS = 15,
};

#define CHILD_ENV "IPC_EMU_TEST_IPM_CHILD"

/* The remote: default board, echo from the callback until `rounds` words. */
static int child_main(const struct emu_segment_fds *fds, unsigned rounds)
{
	struct emu_segment *seg;
	struct emu_core *core;
	struct emu_board *board;
	struct emu_dt_plan plan;
	struct echo remote;
	const struct device *dev;
	uint64_t *out;
	unsigned errors;
	char e[256];
	bool done = false;

	if (emu_dt_load_string(emu_dt_default_board(R), "remote", &plan, e, sizeof(e)) != 0 ||
	    emu_segment_attach_fds(fds, &seg) != 0) {
		return CHILD_ATTACH;
	}
	if (emu_core_start(seg, R, &core) != 0) {
		emu_segment_close(seg);
		return CHILD_SETUP;
	}
	if (emu_board_create(&plan, seg, core, NULL, &board, e, sizeof(e)) != 0 ||
	    (dev = emu_board_device(board, "ipm0")) == NULL) {
		emu_core_stop(core);
		emu_segment_close(seg);
		return CHILD_SETUP;
	}
	memset(&remote, 0, sizeof(remote));
	remote.dev = dev;
	ipm_register_callback(dev, echo_remote_cb, &remote);
	(void)ipm_set_enabled(dev, 1);
	for (int i = 0; i < 60000; i++) {
		if (atomic_load(&remote.n) >= rounds) {
			done = true;
			break;
		}
		rig_sleep_ms(1);
	}
	emu_board_destroy(board);
	emu_core_stop(core);
	errors = atomic_load(&remote.errors);
	out = emu_segment_app_area(seg, R);
	out[0] = atomic_load(&remote.n);
	out[1] = errors;
	emu_segment_close(seg);
	if (!done) {
		return CHILD_STALL;
	}
	return errors == 0 ? CHILD_OK : CHILD_ERRORS;
}

__attribute__((constructor)) static void child_entry(void)
{
	const char *spec = getenv(CHILD_ENV);
	struct emu_segment_fds fds;
	unsigned rounds;

	if (spec == NULL) {
		return;
	}
	if (sscanf(spec, "%d %d %d %d %u", &fds.mem, &fds.ctl, &fds.efd[0], &fds.efd[1],
		   &rounds) != 5) {
		_exit(CHILD_ARGS);
	}
	_exit(child_main(&fds, rounds));
}

static _Noreturn void spawn_child(const char *self, const struct emu_segment_fds *fds,
				  unsigned rounds)
{
	char spec[128];
	char *argv[] = {(char *)self, NULL};
	const int inherit[] = {fds->mem, fds->ctl, fds->efd[0], fds->efd[1]};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (unsigned i = 0; i < 4; i++) {
		if (inherit[i] >= 0 && fcntl(inherit[i], F_SETFD, 0) != 0) {
			_exit(CHILD_EXEC);
		}
	}
	snprintf(spec, sizeof(spec), "%d %d %d %d %u", fds->mem, fds->ctl, fds->efd[0],
		 fds->efd[1], rounds);
	if (setenv(CHILD_ENV, spec, 1) != 0) {
		_exit(CHILD_EXEC);
	}
	execv(self, argv);
	_exit(CHILD_EXEC);
}

VgParameterizedTest(enum emu_doorbell, db, both_kinds, ipm, echo_two_processes,
		    .timeout = 90)
{
	const unsigned rounds = rig_scaled(20000);
	struct emu_segment_fds fds;
	struct echo host;
	struct rig r;
	const uint64_t *res;
	char self[4096];
	int status = -1;
	pid_t child;
	ssize_t n;

	rig_init(&r, "ipm-2p", *db, NULL, NULL);
	emu_segment_get_fds(r.seg, &fds);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	cr_assert_gt(n, 0);
	self[n] = '\0';
	fflush(NULL);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		spawn_child(self, &fds, rounds);
	}
	rig_start(&r, H, NULL);
	echo_init(&host, rig_dev(&r, H, "ipm0"), echo_host_cb);
	/* The first send waits (wait = 1) until the child is up and enabled. */
	echo_run(&host, rounds);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OK, "child status %#x",
		  status);
	res = emu_segment_app_area(r.seg, R);
	cr_assert_eq(res[0], rounds);
	cr_assert_eq(res[1], 0);
	rig_fini(&r);
	sem_destroy(&host.got);
}

/* ------------------------------------------------------------ devicetree */

static int load(const char *body, struct emu_dt_plan *p)
{
	char dts[2048];

	snprintf(dts, sizeof(dts), "/dts-v1/;\n/ {\n%s\n};\n", body);
	return emu_dt_load_string(dts, "t.dts", p, err, sizeof(err));
}

static void dt_fails(const char *body, const char *want)
{
	struct emu_dt_plan p;

	cr_assert_eq(load(body, &p), -EINVAL, "loaded: want %s", want);
	cr_assert_str_eq(err, want);
}

VgTest(ipm_dt, defaults_kinds_and_label_order)
{
	struct emu_dt_plan p;
	const struct emu_dt_ipm *g, *m;

	cr_assert_eq(load("\tzz: ipm-g { compatible = \"ipc-emu,ipm\"; };\n"
			  "\taa: mu { compatible = \"nxp,imx-mu\"; };\n"
			  "\toff: off { compatible = \"ipc-emu,ipm\"; status = \"disabled\"; };",
			  &p),
		     0, "%s", err);
	cr_assert_eq(p.n_ipm, 2);
	cr_assert_eq(p.n_inst, 0);
	cr_assert_eq(p.size, 0);
	g = emu_dt_find_ipm(&p, "zz");
	m = emu_dt_find_ipm(&p, "aa");
	cr_assert_not_null(g);
	cr_assert_not_null(m);
	cr_assert_null(emu_dt_find_ipm(&p, "off"));
	cr_assert_null(emu_dt_find_ipm(NULL, "aa"));
	cr_assert_eq(m, &p.ipm[0], "label order");
	cr_assert_eq(m->index, 0);
	cr_assert_eq(g->index, 1);
	cr_assert_str_eq(g->node, "/ipm-g");
	cr_assert_eq(g->kind, EMU_IPM_GENERIC);
	cr_assert_eq(g->data_size, 4);
	cr_assert_eq(g->max_id, UINT32_MAX);
	cr_assert(g->tx && g->rx);
	cr_assert_eq(m->kind, EMU_IPM_IMX_MU);
	cr_assert_eq(m->data_size, 16, "CONFIG_IPM_IMX_MAX_DATA_SIZE default");
	cr_assert_eq(m->max_id, 0);
	cr_assert(m->tx && m->rx);
}

VgTest(ipm_dt, errors_name_node_and_property)
{
	dt_fails("\tmu: mu { compatible = \"nxp,imx-mu\"; ipc-emu,data-size = <12>; };",
		 "t.dts: /mu: ipc-emu,data-size: 12 is not 4, 8 or 16 "
		 "(CONFIG_IPM_IMX_MAX_DATA_SIZE_4/8/16)");
	dt_fails("\ti: i { compatible = \"ipc-emu,ipm\"; data-size = <65>; };",
		 "t.dts: /i: data-size: 65 is above 64");
	dt_fails("\ti: i { compatible = \"ipc-emu,ipm\"; direction = \"up\"; };",
		 "t.dts: /i: direction: \"up\" is not one of \"tx\", \"rx\", \"both\"");
	dt_fails("\ti: i { compatible = \"ipc-emu,ipm\"; max-id = /bits/ 8 <1>; };",
		 "t.dts: /i: max-id: must be one 32-bit cell (is 1 bytes)");
	dt_fails("\ti: i { compatible = \"ipc-emu,ipm\", \"nxp,imx-mu\"; };",
		 "t.dts: /i: compatible: both nxp,imx-mu and ipc-emu,ipm");
	dt_fails("\ta: a { compatible = \"ipc-emu,ipm\"; };\n\tb: b { compatible = \"ipc-emu,ipm\"; };\n"
		 "\tc: c { compatible = \"ipc-emu,ipm\"; };\n\td: d { compatible = \"ipc-emu,ipm\"; };\n"
		 "\te: e { compatible = \"ipc-emu,ipm\"; };",
		 "t.dts: /e: compatible: more than 4 IPM devices");
	dt_fails("\tstatus-only { };",
		 "t.dts: /: compatible: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg node with status "
		 "\"okay\" (nor an IPM device or MBOX consumer)");
}

VgTest(ipm_dt, pair_and_mirror)
{
	struct emu_dt_plan h, r, m;

	cr_assert_eq(emu_dt_load_string(directed_host, "h", &h, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_dt_load_string(directed_remote, "r", &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_dt_check_pair(&h, &r, err, sizeof(err)), 0, "%s", err);
	emu_dt_mirror(&h, &m);
	cr_assert(m.ipm[0].rx && !m.ipm[0].tx, "mirror swaps the direction");
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof(err)), 0, "%s", err);

	cr_assert_eq(emu_dt_check_pair(&h, &h, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "h: /ipm-a: direction: \"tx\" does not mirror \"tx\" of h /ipm-a (tx "
			      "pairs with rx, both with both)");
	m = r;
	m.ipm[0].data_size = 4;
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /ipm-a: data-size: 4 differs from h /ipm-a (8)");
	m = r;
	m.ipm[0].max_id = 16;
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /ipm-a: max-id: 16 differs from h /ipm-a (15)");
	m = r;
	m.ipm[0].kind = EMU_IPM_IMX_MU;
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /ipm-a: compatible: nxp,imx-mu, but h /ipm-a is ipc-emu,ipm");
	m = r;
	m.ipm[0].index = 1;
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "IPM device #1 here but #0 in h /ipm-a") != NULL, "%s", err);
	m = r;
	strcpy(m.ipm[0].label, "ipm_b");
	cr_assert_eq(emu_dt_check_pair(&h, &m, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /: compatible: no IPM device labelled \"ipm_a\" (h has /ipm-a)");
	m = r;
	m.n_ipm = 0;
	cr_assert_eq(emu_dt_check_pair(&m, &r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "r: /ipm-a: label: \"ipm_a\" has no IPM device in r");
}

VgTest(ipm_dt, default_board_and_examples_have_ipm0)
{
	struct emu_dt_plan h, r, eh, er;

	cr_assert_eq(emu_dt_load_string(emu_dt_default_board(H), "h", &h, err, sizeof(err)), 0);
	cr_assert_eq(emu_dt_load_string(emu_dt_default_board(R), "r", &r, err, sizeof(err)), 0);
	cr_assert_eq(h.n_ipm, 1);
	cr_assert_str_eq(h.ipm[0].label, "ipm0");
	cr_assert_eq(h.ipm[0].kind, EMU_IPM_GENERIC);
	cr_assert_eq(h.ipm[0].data_size, 4);
	cr_assert_eq(h.ipm[0].max_id, UINT32_MAX);
	cr_assert(h.ipm[0].tx && h.ipm[0].rx);
	cr_assert_eq(emu_dt_load_file(IPC_EMU_SOURCE_DIR "/examples/nrf5340dk_cpuapp.dts", &eh, err,
				      sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(emu_dt_load_file(IPC_EMU_SOURCE_DIR "/examples/nrf5340dk_cpunet.dts", &er, err,
				      sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(memcmp(&eh.n_mbox, &h.n_mbox, sizeof(h) - offsetof(struct emu_dt_plan, n_mbox)),
		     0, "examples/ = the default board (controllers, consumers, IPM)");
	cr_assert_eq(memcmp(&er.n_mbox, &r.n_mbox, sizeof(r) - offsetof(struct emu_dt_plan, n_mbox)),
		     0);
}

/* A sender killed between writing the registers and kicking: the heartbeat
 * scan delivers the message. */
VgTest(ipm, message_of_a_dead_sender_is_delivered)
{
	struct rig r;
	struct rec rx;
	struct emu_ctl_ipm_box *box;

	rig_up(&r, "ipm-dead", EMU_DOORBELL_FUTEX, NULL, NULL);
	rec_attach(&rx, rig_dev(&r, R, "ipm0"), true);
	rig_sleep_ms(20);
	box = box_of(&r, 0, R);
	box->id = 42;
	box->data[0] = 0x1234;
	ctl_fetch_or(&box->full, 1u); /* no kick */
	cr_assert_eq(rig_wait(&rx.n, 1, 5000), 1);
	cr_assert_eq(rx.ids[0], 42);
	cr_assert_eq(rx.words[0][0], 0x1234);
	cr_assert_eq(box->full, 0);
	rig_fini(&r);
}

/* A driver without operations: -ENOSYS, 0, or nothing. */
VgTest(ipm, missing_ops_are_enosys)
{
	static const struct ipm_driver_api none = {0};
	const struct device dev = {.name = "none", .api = &none};
	uint32_t w = 0;

	cr_assert_eq(ipm_send(&dev, 1, 0, &w, 4), -ENOSYS);
	cr_assert_eq(ipm_max_data_size_get(&dev), -ENOSYS);
	cr_assert_eq(ipm_max_id_val_get(&dev), 0);
	cr_assert_eq(ipm_set_enabled(&dev, 1), -ENOSYS);
	ipm_register_callback(&dev, rec_cb, NULL);
	ipm_complete(&dev);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h).
 * Not batched: async_completion_holds_the_message_until_complete (a thread of its own). */
VG_BATCH(ipm, 600)
