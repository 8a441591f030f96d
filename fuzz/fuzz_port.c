/*
 * fuzz_port.c - deterministic single-threaded port.h and MBOX device for the
 * fuzz targets (see fuzz_port.h).  Objects come from small static pools that
 * fuzz_port_reset() empties, so nothing leaks from one input to the next.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/mbox.h"

#include "fuzz_port.h"
#include "port.h"

#define POOL 16
#define REGIONS 8

struct port_mutex {
	bool used;
	bool locked;
};

struct port_sem {
	bool used;
	unsigned count, limit;
};

struct port_work {
	bool used;
	bool pending;
	bool scheduled;
	bool running;
	unsigned seq; /* submission order */
	port_work_fn fn;
	void *arg;
};

static struct port_mutex mutexes[POOL];
static struct port_sem sems[POOL];
static struct port_work works[POOL];
static unsigned work_seq;
static bool in_workq, in_isr;
static uint32_t uptime;

static struct {
	const uint8_t *p;
	size_t len;
} regions[REGIONS];
static unsigned n_regions;

struct chan {
	mbox_callback_t cb;
	void *user;
	bool enabled;
	unsigned sent;
};
static struct chan chans[FUZZ_MBOX_CHANNELS];

static _Noreturn void die(const char *why)
{
	fprintf(stderr, "fuzz_port: %s\n", why);
	abort();
}

void fuzz_port_reset(void)
{
	memset(mutexes, 0, sizeof mutexes);
	memset(sems, 0, sizeof sems);
	memset(works, 0, sizeof works);
	memset(regions, 0, sizeof regions);
	memset(chans, 0, sizeof chans);
	n_regions = 0;
	work_seq = 0;
	in_workq = in_isr = false;
	uptime = 0;
}

void fuzz_port_region(const void *p, size_t len)
{
	if (n_regions == REGIONS) {
		die("too many regions");
	}
	regions[n_regions].p = p;
	regions[n_regions].len = len;
	n_regions++;
}

static void check_range(const void *addr, size_t len)
{
	const uint8_t *a = addr;

	for (unsigned i = 0; i < n_regions; i++) {
		if (a >= regions[i].p && len <= regions[i].len &&
		    (size_t)(a - regions[i].p) <= regions[i].len - len) {
			return;
		}
	}
	die("cache operation outside the shared regions");
}

void fuzz_port_check_released(void)
{
	for (unsigned i = 0; i < POOL; i++) {
		if (mutexes[i].used || sems[i].used || works[i].used) {
			die("port object not released");
		}
	}
}

/* ------------------------------------------------------------------ mutex */

int port_mutex_create(struct port_mutex **out)
{
	for (unsigned i = 0; i < POOL; i++) {
		if (!mutexes[i].used) {
			mutexes[i] = (struct port_mutex){.used = true};
			*out = &mutexes[i];
			return 0;
		}
	}
	return -ENOMEM;
}

void port_mutex_destroy(struct port_mutex *m)
{
	if (m != NULL) {
		if (m->locked) {
			die("mutex destroyed while locked");
		}
		m->used = false;
	}
}

int port_mutex_lock(struct port_mutex *m, int32_t timeout_ms)
{
	if (!m->locked) {
		m->locked = true;
		return 0;
	}
	/* One thread only: nobody else can ever unlock it. */
	if (timeout_ms == PORT_FOREVER) {
		die("PORT_FOREVER lock of a mutex this thread holds (deadlock)");
	}
	return timeout_ms == PORT_NO_WAIT ? -EBUSY : -EAGAIN;
}

void port_mutex_unlock(struct port_mutex *m)
{
	if (!m->locked) {
		die("unlock of a mutex that is not locked");
	}
	m->locked = false;
}

/* -------------------------------------------------------------- semaphore */

int port_sem_create(struct port_sem **out, unsigned initial, unsigned limit)
{
	for (unsigned i = 0; i < POOL; i++) {
		if (!sems[i].used) {
			sems[i] = (struct port_sem){
				.used = true, .count = initial < limit ? initial : limit, .limit = limit};
			*out = &sems[i];
			return 0;
		}
	}
	return -ENOMEM;
}

void port_sem_destroy(struct port_sem *s)
{
	if (s != NULL) {
		s->used = false;
	}
}

int port_sem_take(struct port_sem *s, int32_t timeout_ms)
{
	if (s->count > 0) {
		s->count--;
		return 0;
	}
	/* A real waiter would sleep until another thread gives; there is
	 * none, so the wait "times out" at once. */
	return timeout_ms == PORT_NO_WAIT ? -EBUSY : -EAGAIN;
}

void port_sem_give(struct port_sem *s)
{
	if (s->count < s->limit) {
		s->count++;
	}
}

/* ------------------------------------------------------------------- work */

int port_work_create_on(struct port_work **out, port_work_fn fn, void *arg, unsigned queue)
{
	if (queue >= PORT_WORKQ_COUNT) {
		return -EINVAL;
	}
	for (unsigned i = 0; i < POOL; i++) {
		if (!works[i].used) {
			works[i] = (struct port_work){.used = true, .fn = fn, .arg = arg};
			*out = &works[i];
			return 0;
		}
	}
	return -ENOMEM;
}

int port_work_create(struct port_work **out, port_work_fn fn, void *arg)
{
	return port_work_create_on(out, fn, arg, PORT_WORKQ_RX);
}

void port_work_destroy(struct port_work *w)
{
	if (w != NULL) {
		if (w->running) {
			die("work item destroyed while it runs");
		}
		w->used = false;
	}
}

void port_work_submit(struct port_work *w)
{
	if (!w->pending) {
		w->pending = true;
		w->seq = ++work_seq;
	}
}

void port_work_schedule(struct port_work *w, uint32_t delay_ms)
{
	(void)delay_ms;
	w->scheduled = true;
}

void port_work_cancel_sync(struct port_work *w)
{
	if (w->running) {
		die("work item cancelled from itself");
	}
	w->pending = false;
	w->scheduled = false;
}

bool port_in_workq(void)
{
	return in_workq;
}

bool port_in_isr(void)
{
	return in_isr;
}

void fuzz_port_run_work(unsigned rounds)
{
	while (rounds-- > 0) {
		struct port_work *next = NULL;

		for (unsigned i = 0; i < POOL; i++) {
			if (works[i].used && works[i].pending &&
			    (next == NULL || works[i].seq < next->seq)) {
				next = &works[i];
			}
		}
		if (next == NULL) {
			return;
		}
		next->pending = false;
		next->running = true;
		in_workq = true;
		next->fn(next->arg);
		in_workq = false;
		next->running = false;
	}
}

void fuzz_port_fire_timers(void)
{
	uptime += 100;
	for (unsigned i = 0; i < POOL; i++) {
		if (works[i].used && works[i].scheduled) {
			works[i].scheduled = false;
			port_work_submit(&works[i]);
		}
	}
}

/* ------------------------------------------------------------------- time */

uint32_t port_uptime_ms(void)
{
	return uptime;
}

void port_sleep_ms(uint32_t ms)
{
	uptime += ms;
}

/* No consumer wake: the core sleeps (advances time) by itself. */
bool port_wait_consumed(const void *ctx, const volatile void *word, uint32_t seen,
			uint32_t timeout_us)
{
	(void)ctx;
	(void)word;
	(void)seen;
	(void)timeout_us;
	return false;
}

void port_consumed(const void *ctx, const volatile void *word)
{
	(void)ctx;
	(void)word;
}

/* Time counts whole milliseconds: a short sleep rounds up. */
void port_sleep_us(uint32_t us)
{
	uptime += (us + 999u) / 1000u;
}

/* ------------------------------------------------ cache, checks, logging */

void port_cache_flush(void *addr, size_t len)
{
	check_range(addr, len);
}

void port_cache_invd(void *addr, size_t len)
{
	check_range(addr, len);
}

void port_crash_point(const char *name)
{
	(void)name;
}

void port_check_defined(const void *p, size_t len)
{
	(void)p;
	(void)len;
}

void port_log(enum port_log_level level, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	/* Format for real: a bad argument is then seen by the sanitizers. */
	(void)level;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------- MBOX */

static int mbox_send_op(const struct device *dev, mbox_channel_id_t ch, const struct mbox_msg *msg)
{
	if (ch >= FUZZ_MBOX_CHANNELS) {
		return -EINVAL;
	}
	if (msg != NULL) {
		return -EMSGSIZE; /* signalling mode */
	}
	chans[ch].sent++;
	return 0;
}

static int mbox_register_op(const struct device *dev, mbox_channel_id_t ch, mbox_callback_t cb,
			    void *user)
{
	if (ch >= FUZZ_MBOX_CHANNELS) {
		return -EINVAL;
	}
	chans[ch].cb = cb;
	chans[ch].user = user;
	return 0;
}

static int mbox_mtu_op(const struct device *dev)
{
	return 0;
}

static uint32_t mbox_max_op(const struct device *dev)
{
	return FUZZ_MBOX_CHANNELS;
}

static int mbox_enable_op(const struct device *dev, mbox_channel_id_t ch, bool enabled)
{
	if (ch >= FUZZ_MBOX_CHANNELS) {
		return -EINVAL;
	}
	if (chans[ch].enabled == enabled) {
		return -EALREADY;
	}
	chans[ch].enabled = enabled;
	return 0;
}

static const struct mbox_driver_api mbox_api = {
	.send = mbox_send_op,
	.register_callback = mbox_register_op,
	.mtu_get = mbox_mtu_op,
	.max_channels_get = mbox_max_op,
	.set_enabled = mbox_enable_op,
};

const struct device fuzz_mbox_dev = {.name = "fuzz_mbox", .api = &mbox_api};

unsigned fuzz_mbox_sent(uint32_t channel)
{
	return channel < FUZZ_MBOX_CHANNELS ? chans[channel].sent : 0;
}

void fuzz_port_deliver(uint32_t channel)
{
	struct chan *c;

	if (channel >= FUZZ_MBOX_CHANNELS) {
		return;
	}
	c = &chans[channel];
	if (!c->enabled || c->cb == NULL) {
		return;
	}
	in_isr = true;
	c->cb(&fuzz_mbox_dev, channel, c->user, NULL);
	in_isr = false;
}
