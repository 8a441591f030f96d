/*
 * core.c - emulated cores: an interrupt thread per core and its MBOX
 * controller (signalling mode).
 *
 * Doorbell protocol (pending/sleeping words: ctl.h; ordering pairs:
 * docs/memory-ordering.md):
 *
 *   sender (any thread, any process)        receiver (interrupt thread of the owner)
 *   old = fetch_or(pending, bit)   [S1]     sleeping = 1                      [R1]
 *   if (old & bit) done (coalesced)         fence(seq_cst)                    [R2]
 *   fence(seq_cst)                 [S2]     seen = pending                    [R3]
 *   if (sleeping) wake             [S3]     if (seen & (enabled|KICK)) run
 *                                           else FUTEX_WAIT(pending, seen) / poll(eventfd)
 *                                           sleeping = 0
 *
 * No lost wake-up: S1 < S2 < S3 and R1 < R2 < R3 with both fences seq_cst,
 * so either R3 sees the bit, or S3 sees sleeping == 1 and wakes; the wake
 * cannot fall between R3 and the wait because FUTEX_WAIT re-checks
 * pending == seen in the kernel, and an eventfd write stays readable until
 * read.  A sender that finds its bit already set skips S2/S3: whoever set it
 * made that same argument, and the receiver has not taken the bit yet.
 *
 * The receiver takes only enabled bits (one atomic AND); bits of disabled
 * channels stay set and fire after mbox_set_enabled(), which sets the kick bit
 * of its own pending word so that the thread re-reads the enabled mask.  A
 * wait never lasts more than EMU_CTL_HEARTBEAT_MS, after which the thread
 * refreshes its heartbeat and re-checks; a lost wake (a failing futex or
 * eventfd call) thus costs latency, never an event.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "emu_internal.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/mbox.h"
#include "port.h"
#include "sys.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() atomic_signal_fence(memory_order_seq_cst)
#endif

struct emu_channel {
	mbox_callback_t cb;
	void *user_data;
};

struct emu_core {
	struct device dev; /* the MBOX controller; dev.data points back here */
	struct emu_segment *seg;
	enum emu_role role;
	enum emu_doorbell doorbell;
	struct emu_ctl_role *self; /* our record: our pending word */
	struct emu_ctl_role *peer; /* the peer's record: where our sends go */
	int self_efd;
	int peer_efd;
	pthread_t thread;

	atomic_uint enabled;      /* bit N: inbound channel N enabled */
	atomic_bool stop;
	atomic_uint busy_poll_us;
	bool wait_error_logged;   /* interrupt thread only */

	pthread_mutex_t cb_lock;  /* guards chan[] */
	struct emu_channel chan[EMU_MBOX_CHANNELS];

	struct {
		atomic_uint_least64_t signals_sent;
		atomic_uint_least64_t wakeups_sent;
		atomic_uint_least64_t irqs_taken;
		atomic_uint_least64_t callbacks;
	} stats;
};

/* Local, so that the core does not depend on who implements emu_role_name(). */
static const char *role_str(enum emu_role role)
{
	return role == EMU_ROLE_HOST ? "host" : "remote";
}

static void stat_inc(atomic_uint_least64_t *counter)
{
	atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Ring the doorbell of the thread that owns `rx` (the sender's S3). */
static void wake(struct emu_core *c, struct emu_ctl_role *rx, int rx_efd)
{
	int r;

	if (c->doorbell == EMU_DOORBELL_FUTEX) {
		r = emu_sys_futex_wake(&rx->pending);
	} else {
		r = emu_sys_eventfd_write(rx_efd);
	}
	stat_inc(&c->stats.wakeups_sent);
	if (r < 0 && r != -EAGAIN) {
		/* The receiver's timed wait still picks the bit up. */
		port_log(PORT_LOG_ERR, "%s core: doorbell wake failed (%d)", role_str(c->role), r);
	}
}

/* Set `bit` in the pending word of `rx`; wake its thread if it sleeps. */
static void raise_bit(struct emu_core *c, struct emu_ctl_role *rx, int rx_efd, uint32_t bit)
{
	uint32_t old;

	ANNOTATE_HAPPENS_BEFORE(&rx->pending);
	/* S1: seq_cst RMW.  Its release half pairs with the receiver's fetch_and
	 * in take_pending(): the callback sees what the sender wrote before. */
	old = ctl_fetch_or(&rx->pending, bit);
	if ((old & bit) != 0) {
		return; /* coalesced with a signal the receiver has not taken yet */
	}
	/* S2: pairs with R2 in idle() (Dekker: bit vs sleeping). */
	ipc_fence();
	/* S3 */
	if (ipc_load_relaxed(&rx->sleeping) != 0) {
		wake(c, rx, rx_efd);
	}
}

/* Atomically clear and return the pending bits this thread may take. */
static uint32_t take_pending(struct emu_core *c)
{
	uint32_t mask = atomic_load(&c->enabled) | EMU_CTL_KICK;
	uint32_t taken;

	/* Plain load first: most passes find nothing and need no locked RMW. */
	if ((ipc_load_relaxed(&c->self->pending) & mask) == 0) {
		return 0;
	}
	/* Pairs with the senders' fetch_or (S1); seq_cst so that a kick taken
	 * here is ordered after the enabled-mask update that preceded it. */
	taken = ctl_fetch_and(&c->self->pending, ~mask) & mask;
	ANNOTATE_HAPPENS_AFTER(&c->self->pending);
	return taken;
}

static void run_callbacks(struct emu_core *c, uint32_t bits)
{
	while (bits != 0) {
		mbox_channel_id_t ch = (mbox_channel_id_t)__builtin_ctz(bits);
		struct emu_channel chan;

		bits &= bits - 1u;
		pthread_mutex_lock(&c->cb_lock);
		chan = c->chan[ch];
		pthread_mutex_unlock(&c->cb_lock);
		if (chan.cb != NULL) {
			chan.cb(&c->dev, ch, chan.user_data, NULL);
			stat_inc(&c->stats.callbacks);
		}
	}
}

/* True when something this thread must handle is pending. */
static bool work_pending(struct emu_core *c)
{
	return (ipc_load_relaxed(&c->self->pending) & (atomic_load(&c->enabled) | EMU_CTL_KICK)) !=
	       0;
}

static void busy_poll(struct emu_core *c)
{
	uint32_t us = atomic_load_explicit(&c->busy_poll_us, memory_order_relaxed);
	uint64_t deadline;

	if (us == 0) {
		return;
	}
	deadline = now_us() + us;
	do {
		for (unsigned i = 0; i < 64; i++) {
			if (work_pending(c)) {
				return;
			}
			cpu_relax();
		}
	} while (now_us() < deadline);
}

/* Block until the doorbell rings, the word changes or the heartbeat is due. */
static void wait_doorbell(struct emu_core *c, uint32_t seen)
{
	int r;

	if (c->doorbell == EMU_DOORBELL_FUTEX) {
		r = emu_sys_futex_wait(&c->self->pending, seen, EMU_CTL_HEARTBEAT_MS);
		if (r == -EAGAIN || r == -ETIMEDOUT) {
			r = 0;
		}
	} else {
		r = emu_sys_poll_in(c->self_efd, EMU_CTL_HEARTBEAT_MS);
		if (r > 0) {
			/* Reset the counter; the pending word, not the count, is the state. */
			r = emu_sys_eventfd_read(c->self_efd);
			if (r == -EAGAIN) {
				r = 0;
			}
		}
	}
	if (r < 0 && r != -EINTR) {
		if (!c->wait_error_logged) {
			port_log(PORT_LOG_ERR, "%s core: doorbell wait failed (%d), polling",
				 role_str(c->role), r);
			c->wait_error_logged = true;
		}
		port_sleep_ms(1); /* never spin on a broken doorbell */
	}
}

static void idle(struct emu_core *c)
{
	uint32_t seen;

	busy_poll(c);
	ipc_store_relaxed(&c->self->sleeping, 1); /* R1 */
	ipc_fence();                              /* R2: pairs with S2 in raise_bit() */
	seen = ipc_load_relaxed(&c->self->pending); /* R3 */
	if ((seen & (atomic_load(&c->enabled) | EMU_CTL_KICK)) == 0) {
		wait_doorbell(c, seen);
	}
	ipc_store_relaxed(&c->self->sleeping, 0);
}

static void *irq_thread(void *arg)
{
	struct emu_core *c = arg;

	emu_port_set_in_isr(true);
	while (!atomic_load(&c->stop)) {
		uint32_t taken;

		/* Every pass refreshes the heartbeat: at least every
		 * EMU_CTL_HEARTBEAT_MS (the longest wait), and also while a flood
		 * of signals keeps the thread from ever waiting. */
		ctl_store64_relaxed(&c->self->heartbeat, now_ms());
		taken = take_pending(c);

		if (taken == 0) {
			idle(c);
			continue;
		}
		if ((taken & EMU_CTL_CHANNEL_MASK) != 0) {
			stat_inc(&c->stats.irqs_taken);
			run_callbacks(c, taken & EMU_CTL_CHANNEL_MASK);
		}
	}
	return NULL;
}

static struct emu_core *dev_core(const struct device *dev)
{
	return dev->data;
}

static int mbox_emu_send(const struct device *dev, mbox_channel_id_t channel_id,
			 const struct mbox_msg *msg)
{
	struct emu_core *c = dev_core(dev);

	if (channel_id >= EMU_MBOX_CHANNELS) {
		return -EINVAL;
	}
	if (msg != NULL) {
		return -EMSGSIZE; /* signalling mode: no payload */
	}
	raise_bit(c, c->peer, c->peer_efd, 1u << channel_id);
	stat_inc(&c->stats.signals_sent);
	return 0;
}

static int mbox_emu_register_callback(const struct device *dev, mbox_channel_id_t channel_id,
				      mbox_callback_t cb, void *user_data)
{
	struct emu_core *c = dev_core(dev);

	if (channel_id >= EMU_MBOX_CHANNELS) {
		return -EINVAL;
	}
	pthread_mutex_lock(&c->cb_lock);
	c->chan[channel_id] = (struct emu_channel){.cb = cb, .user_data = user_data};
	pthread_mutex_unlock(&c->cb_lock);
	return 0;
}

static int mbox_emu_mtu_get(const struct device *dev)
{
	return 0;
}

static uint32_t mbox_emu_max_channels_get(const struct device *dev)
{
	return EMU_MBOX_CHANNELS;
}

static int mbox_emu_set_enabled(const struct device *dev, mbox_channel_id_t channel_id,
				bool enabled)
{
	struct emu_core *c = dev_core(dev);
	uint32_t bit;

	if (channel_id >= EMU_MBOX_CHANNELS) {
		return -EINVAL;
	}
	bit = 1u << channel_id;
	if (!enabled) {
		return (atomic_fetch_and(&c->enabled, ~bit) & bit) != 0 ? 0 : -EALREADY;
	}
	if ((atomic_fetch_or(&c->enabled, bit) & bit) != 0) {
		return -EALREADY;
	}
	/* The mask update (seq_cst) precedes the kick; the thread re-reads the
	 * mask after taking the kick, so an event pending on this channel fires. */
	raise_bit(c, c->self, c->self_efd, EMU_CTL_KICK);
	return 0;
}

static const struct mbox_driver_api mbox_emu_api = {
	.send = mbox_emu_send,
	.register_callback = mbox_emu_register_callback,
	.mtu_get = mbox_emu_mtu_get,
	.max_channels_get = mbox_emu_max_channels_get,
	.set_enabled = mbox_emu_set_enabled,
};

/* Start the interrupt thread with all signals blocked: signal handlers of
 * the application run on its own threads, as they would not run in an ISR. */
static int spawn_irq_thread(struct emu_core *c)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&c->thread, NULL, irq_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

int emu_core_start(struct emu_segment *s, enum emu_role role, struct emu_core **out)
{
	struct emu_ctl *ctl;
	struct emu_core *c;
	enum emu_role peer;
	int r;

	if (s == NULL || out == NULL || (role != EMU_ROLE_HOST && role != EMU_ROLE_REMOTE)) {
		return -EINVAL;
	}
	peer = role == EMU_ROLE_HOST ? EMU_ROLE_REMOTE : EMU_ROLE_HOST;
	if (emu_segment_doorbell(s) == EMU_DOORBELL_EVENTFD &&
	    (emu_segment_efd(s, role) < 0 || emu_segment_efd(s, peer) < 0)) {
		return -EOPNOTSUPP; /* attached by name: the eventfds are unknown */
	}
	r = emu_segment_claim_role(s, role);
	if (r < 0) {
		return r;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		r = -ENOMEM;
		goto release_role;
	}
	r = -pthread_mutex_init(&c->cb_lock, NULL);
	if (r < 0) {
		goto free_core;
	}
	ctl = emu_segment_ctl(s);
	c->dev = (struct device){.name = "mbox", .config = NULL, .api = &mbox_emu_api, .data = c};
	c->seg = s;
	c->role = role;
	c->doorbell = emu_segment_doorbell(s);
	c->self = &ctl->role[role];
	c->peer = &ctl->role[peer];
	c->self_efd = emu_segment_efd(s, role);
	c->peer_efd = emu_segment_efd(s, peer);
	/* C11 atomics are invisible to Helgrind/DRD (platform notes 7). */
	VALGRIND_HG_DISABLE_CHECKING(&c->enabled, sizeof(c->enabled));
	VALGRIND_HG_DISABLE_CHECKING(&c->stop, sizeof(c->stop));
	VALGRIND_HG_DISABLE_CHECKING(&c->busy_poll_us, sizeof(c->busy_poll_us));
	VALGRIND_HG_DISABLE_CHECKING(&c->stats, sizeof(c->stats));

	/* A previous incarnation may have died asleep: a stale 1 only costs
	 * senders a useless wake, but start clean. */
	ipc_store_relaxed(&c->self->sleeping, 0);
	ctl_store64_relaxed(&c->self->heartbeat, now_ms());
	r = spawn_irq_thread(c);
	if (r < 0) {
		goto destroy_lock;
	}
	ipc_store_relaxed(&c->self->pid, (uint32_t)getpid());
	ctl_fetch_add(&c->self->boot_count, 1);
	*out = c;
	return 0;

destroy_lock:
	pthread_mutex_destroy(&c->cb_lock);
free_core:
	free(c);
release_role:
	emu_segment_release_role(s, role);
	return r;
}

void emu_core_stop(struct emu_core *c)
{
	int r;

	if (c == NULL) {
		return;
	}
	if (pthread_equal(pthread_self(), c->thread)) {
		port_log(PORT_LOG_ERR, "emu_core_stop() called from the interrupt thread: ignored");
		return;
	}
	atomic_store(&c->stop, true);
	/* The stop store (seq_cst) precedes the kick: the thread sees the flag
	 * at the top of its loop after taking the kick. */
	raise_bit(c, c->self, c->self_efd, EMU_CTL_KICK);
	r = pthread_join(c->thread, NULL);
	if (r != 0) {
		port_log(PORT_LOG_ERR, "%s core: pthread_join failed (%d)", role_str(c->role), r);
	}
	pthread_mutex_destroy(&c->cb_lock);
	emu_segment_release_role(c->seg, c->role);
	free(c);
}

enum emu_role emu_core_role(const struct emu_core *c)
{
	return c->role;
}

const struct device *emu_core_mbox(struct emu_core *c)
{
	return &c->dev;
}

void emu_core_get_stats(const struct emu_core *c, struct emu_core_stats *out)
{
	out->signals_sent = atomic_load_explicit(&c->stats.signals_sent, memory_order_relaxed);
	out->wakeups_sent = atomic_load_explicit(&c->stats.wakeups_sent, memory_order_relaxed);
	out->irqs_taken = atomic_load_explicit(&c->stats.irqs_taken, memory_order_relaxed);
	out->callbacks = atomic_load_explicit(&c->stats.callbacks, memory_order_relaxed);
}

void emu_core_set_busy_poll(struct emu_core *c, uint32_t us)
{
	atomic_store_explicit(&c->busy_poll_us, us, memory_order_relaxed);
}
