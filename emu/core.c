/*
 * core.c - emulated cores: an interrupt thread per core, its MBOX
 * controllers (signalling and data mode) and the hooks of the other
 * interrupt sources (IPM devices, emu/ipm.c).
 *
 * Doorbell protocol (pending/sleeping words: ctl.h; ordering pairs:
 * docs/memory-ordering.md, docs/mbox.md):
 *
 *   sender (any thread, any process)        receiver (interrupt thread of the owner)
 *   (publish: ring index, registers)        sleeping = 1                      [R1]
 *   fence(seq_cst)                 [S0]     fence(seq_cst)                    [R2]
 *   if (pending & bit) done        [C]      seen = pending                    [R3]
 *   old = fetch_or(pending, bit)   [S1]     if (seen & (enabled|KICK)) run:
 *   if (old & bit) done (coalesced)            fetch_and(pending, ~taken)     [T1]
 *   fence(seq_cst)                 [S2]        fence(seq_cst)                 [T2]
 *   if (sleeping) wake             [S3]        (read ring index, registers)
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
 * Coalescing without a locked RMW [C]: while the core's last signal
 * coalesced (a hint; streaming), a sender that sees its bit set with a
 * plain load returns at once, so a streaming sender neither takes the
 * pending line exclusive on every message nor makes a system call.  Dekker
 * again, on (publish, bit): S0 orders the sender's publication before its
 * look at the bit, T2 orders the receiver's clear before its reads, so
 * either [C] sees the bit already cleared (and the sender raises it again
 * with S1..S3) or the receiver's reads after T1 see what was published.
 * So coalescing costs no syscall, and the sender never spins: it either
 * returns or wakes a sleeping receiver.
 *
 * The receiver takes only enabled bits (one atomic AND); bits of disabled
 * channels stay set and fire after mbox_set_enabled(), which sets the kick bit
 * of its own pending word so that the thread re-reads the enabled mask.  A
 * wait never lasts more than EMU_CTL_HEARTBEAT_MS, after which the thread
 * refreshes its heartbeat and re-checks; a lost wake (a failing futex or
 * eventfd call) thus costs latency, never an event.
 *
 * Two levels.  The primary controller's channels are the bits of the role's
 * pending word itself (the fast path ICMsg and ICBMsg use).  Everything else
 * - the pending words of secondary MBOX controllers, IPM registers - is
 * announced by the kick bit: the sender first publishes its own word (an
 * atomic OR, or a release store of a "full" flag), then raises KICK in the
 * peer's pending word with the protocol above.  The receiver, after taking
 * KICK with its seq_cst AND, looks at every secondary word: that AND reads
 * the sender's KICK OR (or a later RMW of the word), so it sees the
 * sender's earlier write.  A kick that arrives while the thread is busy
 * stays set and causes another pass.
 *
 * Data mode (MTU > 0): each channel has message registers per direction in
 * the control block (struct emu_ctl_mbox_slot).  The sender claims the
 * channel locally (an atomic bit per channel: one writer per core), checks
 * `full` == 0 (acquire: pairs with the receiver's release store of 0, so
 * the receiver has finished reading), writes size and data, publishes
 * full = 1 (release: pairs with the receiver's acquire load) and raises the
 * channel's pending bit.  The receiver's interrupt thread, for an enabled
 * channel it took, loads full (acquire), validates size, copies the data to
 * a private buffer, stores full = 0 (release) - the message is consumed - and
 * only then runs the callback with the copy.  A send while full == 1 is
 * -EBUSY.  A NULL message in data mode is a plain signal: the callback gets
 * NULL unless a message is waiting on that channel.
 *
 * Crash of a sender between the two steps: every EMU_CTL_HEARTBEAT_MS the
 * interrupt thread also services its sources without a kick (IPM `full`
 * flags, secondary channel bits), and a data-mode `full` flag found without
 * its channel bit on two scans in a row gets its bit raised by the receiver
 * (recover_stale()).  So a dead sender costs latency, never a stuck channel.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "emu_internal.h"
#include "zephyr_isr.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/mbox.h"
#include "port.h"
#include "sys.h"
#include "trace.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() atomic_signal_fence(memory_order_seq_cst)
#endif

#define ALL_CHANNELS EMU_CTL_CHANNEL_MASK

struct emu_channel {
	mbox_callback_t cb;
	void *user_data;
};

/* One MBOX controller of a core: the primary one (embedded in the core) or a
 * secondary one (allocated by emu_core_mbox_add()). */
struct mbox_ctrl {
	struct device dev; /* dev.data points back here */
	struct emu_core *core;
	bool primary;
	bool configured;          /* primary: emu_core_mbox_add() applied; guarded by core->cfg_lock */
	uint32_t index;           /* control-block slot */
	char name[32];
	/* Configuration: any thread reads it; it changes only while no channel
	 * is enabled (emu_core_mbox_add/remove), hence relaxed. */
	atomic_uint mtu;
	atomic_uint channels;
	atomic_uint tx_mask;
	atomic_uint rx_mask;
	uint32_t *rx_pending;     /* where the peer's signals land: ours */
	uint32_t *tx_pending;     /* where ours go: the peer's */
	struct emu_ctl_mbox *regs;
	atomic_uint enabled;      /* bit N: inbound channel N enabled */
	atomic_uint tx_claim;     /* data mode: bit N while a local sender fills channel N */
	bool bad_size_logged;     /* interrupt thread only */
	uint32_t stale;           /* interrupt thread only: full slots without a pending bit
				   * at the last heartbeat scan */

	pthread_mutex_t lock;     /* guards chan[] and running */
	pthread_cond_t idle;      /* a callback returned */
	int running;              /* channel whose callback runs now, or -1 */
	struct emu_channel chan[EMU_MBOX_CHANNELS];
	uint8_t rx_copy[EMU_MBOX_MTU_MAX]; /* interrupt thread only: the consumed message */
	struct emu_irq_source src; /* secondary controllers: serviced after a kick */
};

/*
 * The interrupt context of one emulated CPU in this process: its pending
 * word (in its doorbell record), its doorbell and the interrupt thread that
 * serves it.  A core on a two-core segment has its own.  Cores started on
 * the views of one SoC core's links (emu/soc.h) share that core's record,
 * hence one context: the first start creates it, the others join, the
 * last stop ends it.  The thread takes the union of its members' enabled
 * channels and runs each taken channel on the member whose controller has
 * it (the topology gives each inbound channel of a core to one link).
 */
#define CTX_MAX_MEMBERS 16u

struct irq_ctx {
	struct emu_ctl_role *self; /* the pending word, sleeping flag, heartbeat */
	int self_efd;
	enum emu_doorbell doorbell;
	pthread_t thread;
	atomic_bool stop;
	atomic_uint busy_poll_us;
	bool wait_error_logged;   /* interrupt thread only */
	bool in_scan;             /* interrupt thread only: a heartbeat scan runs */
	bool shared;              /* in the registry (a SoC core) */
	unsigned holds;           /* emu_core_hold()s: keep it without members */
	/* Guards members: the thread holds it for each pass's work (never while
	 * it sleeps), so a member that leaves is not in a callback. */
	pthread_mutex_t lock;
	struct emu_core *member[CTX_MAX_MEMBERS];
	unsigned n_member;
	struct irq_ctx *next;     /* registry */
};

struct emu_core {
	struct mbox_ctrl primary;
	struct emu_segment *seg;
	struct emu_ctl *ctl;
	enum emu_role role;
	enum emu_role peer_role;
	enum emu_doorbell doorbell;
	struct emu_ctl_role *self; /* our record: our pending word */
	struct emu_ctl_role *peer; /* the peer's record: where our sends go */
	int self_efd;
	int peer_efd;
	struct irq_ctx *ctx;
	uint32_t trace_ctx;       /* trace tag of the thread that started it (its link) */

	atomic_bool coalescing;   /* the last raise_bit() found its bit set: a hint */

	pthread_mutex_t cfg_lock; /* guards mbox_used and the primary's `configured` */
	uint32_t mbox_used;       /* bit k: controller index k exists on this core */

	pthread_mutex_t src_lock; /* guards sources; held while they are serviced */
	struct emu_irq_source *sources;

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

static uint32_t cfg_load(atomic_uint *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
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
	emu_trace(EMU_TRACE_DOORBELL, c->peer_role, 0, 0, 0);
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
	/* [C] only while signals coalesce (streaming): in a ping-pong the bit
	 * is never set, and a plain load before the RMW would only move the
	 * line twice. */
	if (atomic_load_explicit(&c->coalescing, memory_order_relaxed)) {
		/* S0: pairs with T2 in take_pending() (Dekker: publication vs bit). */
		ipc_fence();
		if ((ipc_load_relaxed(&rx->pending) & bit) != 0) {
			return; /* [C] coalesced: the receiver has not taken the bit yet */
		}
	}
	/* S1: seq_cst RMW.  Its release half pairs with the receiver's fetch_and
	 * in take_pending(): the callback sees what the sender wrote before. */
	old = ctl_fetch_or(&rx->pending, bit);
	atomic_store_explicit(&c->coalescing, (old & bit) != 0, memory_order_relaxed);
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

/* The channels the context's thread may take: its members' enabled ones. */
static uint32_t ctx_enabled(struct irq_ctx *x)
{
	uint32_t en = 0;

	for (unsigned i = 0; i < x->n_member; i++) {
		en |= atomic_load(&x->member[i]->primary.enabled);
	}
	return en;
}

/* The same from outside the thread's pass: a shared context's member list
 * changes under its lock (a private one's never does while it runs). */
static uint32_t ctx_enabled_unlocked(struct irq_ctx *x)
{
	uint32_t en;

	if (!x->shared) {
		return ctx_enabled(x);
	}
	pthread_mutex_lock(&x->lock);
	en = ctx_enabled(x);
	pthread_mutex_unlock(&x->lock);
	return en;
}

static void ctx_lock(struct irq_ctx *x)
{
	if (x->shared) {
		pthread_mutex_lock(&x->lock);
	}
}

static void ctx_unlock(struct irq_ctx *x)
{
	if (x->shared) {
		pthread_mutex_unlock(&x->lock);
	}
}

/* Atomically clear and return the pending bits this thread may take. */
static uint32_t take_pending(struct irq_ctx *x)
{
	uint32_t mask = ctx_enabled(x) | EMU_CTL_KICK;
	uint32_t taken;

	/* Plain load first: most passes find nothing and need no locked RMW. */
	if ((ipc_load_relaxed(&x->self->pending) & mask) == 0) {
		return 0;
	}
	/* Pairs with the senders' fetch_or (S1); seq_cst so that a kick taken
	 * here is ordered after the enabled-mask update that preceded it. */
	taken = ctl_fetch_and(&x->self->pending, ~mask) & mask; /* T1 */
	/* T2: pairs with S0 in raise_bit(): a sender that still saw a bit we
	 * just cleared published its data before that look. */
	ipc_fence();
	ANNOTATE_HAPPENS_AFTER(&x->self->pending);
	return taken;
}

enum { MSG_NONE, MSG_TAKEN, MSG_DROPPED };

/*
 * Data mode: consume the message waiting on inbound channel `ch` into
 * m->rx_copy.  MSG_TAKEN with *msg filled, MSG_NONE (a plain signal), or
 * MSG_DROPPED (the peer's size word is invalid).  Interrupt thread.
 */
static int take_message(struct mbox_ctrl *m, mbox_channel_id_t ch, uint32_t mtu,
			struct mbox_msg *msg)
{
	struct emu_ctl_mbox_slot *slot = &m->regs->slot[m->core->role][ch];
	uint32_t size;

	/* Pairs with the sender's ipc_store_release(&slot->full, 1) in
	 * send_data(): size and data are those of this message. */
	if (ipc_load_acquire(&slot->full) == 0) {
		return MSG_NONE;
	}
	ANNOTATE_HAPPENS_AFTER(&slot->full);
	size = ipc_load_relaxed(&slot->size); /* value from the peer: read once */
	if (size > mtu) {
		if (!m->bad_size_logged) {
			port_log(PORT_LOG_ERR, "%s core: %s channel %u: message size %u above the MTU "
				 "%u: dropped", role_str(m->core->role), m->name, ch, size, mtu);
			m->bad_size_logged = true;
		}
		ipc_store_release(&slot->full, 0);
		return MSG_DROPPED;
	}
	memcpy(m->rx_copy, slot->data, size);
	/* Consumed: pairs with the sender's ipc_load_acquire(&slot->full) in
	 * send_data(), so its next write cannot overtake our copy. */
	ANNOTATE_HAPPENS_BEFORE(&slot->full);
	ipc_store_release(&slot->full, 0);
	*msg = (struct mbox_msg){.data = m->rx_copy, .size = size};
	return MSG_TAKEN;
}

static void run_callbacks(struct mbox_ctrl *m, uint32_t bits)
{
	struct emu_core *c = m->core;

	while (bits != 0) {
		mbox_channel_id_t ch = (mbox_channel_id_t)__builtin_ctz(bits);
		uint32_t mtu = cfg_load(&m->mtu);
		struct mbox_msg msg, *pmsg = NULL;
		struct emu_channel chan;

		bits &= bits - 1u;
		if (mtu > 0) {
			int t = take_message(m, ch, mtu, &msg);

			if (t == MSG_DROPPED) {
				continue;
			}
			pmsg = t == MSG_TAKEN ? &msg : NULL;
		}
		pthread_mutex_lock(&m->lock);
		chan = m->chan[ch];
		m->running = chan.cb != NULL ? (int)ch : -1;
		pthread_mutex_unlock(&m->lock);
		if (chan.cb != NULL) {
			emu_trace(EMU_TRACE_IRQ_BEGIN, m->index, ch, 0, 0);
			chan.cb(&m->dev, ch, chan.user_data, pmsg);
			emu_trace(EMU_TRACE_IRQ_END, m->index, ch, 0, 0);
			stat_inc(&c->stats.callbacks);
			pthread_mutex_lock(&m->lock);
			m->running = -1;
			pthread_cond_broadcast(&m->idle);
			pthread_mutex_unlock(&m->lock);
		}
	}
}

/*
 * Heartbeat scan of a data-mode controller: a message whose `full` flag is
 * set while its channel bit is not pending, on two scans in a row, was
 * published by a sender that died before raising the bit (M2 done, S1 not).
 * Raise the bit ourselves so that the message is delivered and the channel
 * is not -EBUSY forever.  Two scans (>= EMU_CTL_HEARTBEAT_MS apart), so that
 * a live sender between the two steps is not overtaken.  Interrupt thread.
 */
static void recover_stale(struct mbox_ctrl *m)
{
	uint32_t en = atomic_load(&m->enabled), pend, stale = 0, rescue = 0;

	if (cfg_load(&m->mtu) == 0 || en == 0) {
		m->stale = 0;
		return;
	}
	pend = ipc_load_relaxed(m->rx_pending);
	for (uint32_t bits = en & ~pend; bits != 0; bits &= bits - 1u) {
		uint32_t ch = (uint32_t)__builtin_ctz(bits);

		if (ch < EMU_MBOX_CHANNELS &&
		    ipc_load_relaxed(&m->regs->slot[m->core->role][ch].full) != 0) {
			stale |= 1u << ch;
		}
	}
	rescue = stale & m->stale;
	m->stale = stale & ~rescue;
	if (rescue == 0) {
		return;
	}
	port_log(PORT_LOG_WRN, "%s core: %s: message(s) without a signal on channels 0x%x "
		 "(sender died?): delivering", role_str(m->core->role), m->name, rescue);
	ctl_fetch_or(m->rx_pending, rescue);
	if (!m->primary) {
		/* Our own kick: the next pass services the secondary word. */
		ctl_fetch_or(&m->core->self->pending, EMU_CTL_KICK);
	}
}

/* Secondary controller: take its enabled pending bits (after a kick). */
static bool mbox_service(struct emu_irq_source *src)
{
	struct mbox_ctrl *m = (struct mbox_ctrl *)((char *)src - offsetof(struct mbox_ctrl, src));
	uint32_t en = atomic_load(&m->enabled);
	uint32_t taken;

	if (m->core->ctx->in_scan) {
		recover_stale(m);
	}

	if ((ipc_load_relaxed(m->rx_pending) & en) == 0) {
		return false;
	}
	/* Pairs with the sender's fetch_or in signal_channel(). */
	taken = ctl_fetch_and(m->rx_pending, ~en) & en;
	if (taken == 0) {
		return false;
	}
	run_callbacks(m, taken);
	return true;
}

/* After a kick: every secondary source looks at its registers. */
static bool service_sources(struct emu_core *c)
{
	bool work = false;

	pthread_mutex_lock(&c->src_lock);
	for (struct emu_irq_source *s = c->sources; s != NULL; s = s->next) {
		if (s->service(s)) {
			work = true;
		}
	}
	pthread_mutex_unlock(&c->src_lock);
	return work;
}

/* True when something this thread must handle is pending.  Called without
 * the context's lock: the member list may change under it, which only
 * costs a pass. */
static bool work_pending(struct irq_ctx *x)
{
	uint32_t en = ctx_enabled_unlocked(x);

	return (ipc_load_relaxed(&x->self->pending) & (en | EMU_CTL_KICK)) != 0;
}

/*
 * --busy-poll: watch the pending word for up to busy_poll_us before
 * sleeping.  True if work arrived (the caller then skips the sleep protocol:
 * no `sleeping` store on the line the senders read).  A poller that has
 * found nothing for BUSY_POLL_YIELD_US yields now and then, so that on a
 * loaded machine it does not burn the CPU the sender needs.
 */
#define BUSY_POLL_YIELD_US 2u

static bool busy_poll(struct irq_ctx *x)
{
	uint32_t us = atomic_load_explicit(&x->busy_poll_us, memory_order_relaxed);
	uint64_t start, now;

	if (us == 0) {
		return false;
	}
	start = now_us();
	do {
		for (unsigned i = 0; i < 64; i++) {
			if (work_pending(x)) {
				return true;
			}
			cpu_relax();
		}
		now = now_us();
		if (now - start >= BUSY_POLL_YIELD_US) {
			sched_yield();
		}
	} while (now - start < us);
	return false;
}

/* Block until the doorbell rings, the word changes or the heartbeat is due. */
static void wait_doorbell(struct irq_ctx *x, uint32_t seen)
{
	int r;

	if (x->doorbell == EMU_DOORBELL_FUTEX) {
		r = emu_sys_futex_wait(&x->self->pending, seen, EMU_CTL_HEARTBEAT_MS);
		if (r == -EAGAIN || r == -ETIMEDOUT) {
			r = 0;
		}
	} else {
		r = emu_sys_poll_in(x->self_efd, EMU_CTL_HEARTBEAT_MS);
		if (r > 0) {
			/* Reset the counter; the pending word, not the count, is the state. */
			r = emu_sys_eventfd_read(x->self_efd);
			if (r == -EAGAIN) {
				r = 0;
			}
		}
	}
	if (r < 0 && r != -EINTR) {
		if (!x->wait_error_logged) {
			port_log(PORT_LOG_ERR, "core: doorbell wait failed (%d), polling", r);
			x->wait_error_logged = true;
		}
		port_sleep_ms(1); /* never spin on a broken doorbell */
	}
}

static void idle(struct irq_ctx *x)
{
	uint32_t seen, en;

	if (busy_poll(x)) {
		return; /* never announced sleep: nothing to undo */
	}
	ipc_store_relaxed(&x->self->sleeping, 1); /* R1 */
	ipc_fence();                              /* R2: pairs with S2 in raise_bit() */
	seen = ipc_load_relaxed(&x->self->pending); /* R3 */
	en = ctx_enabled_unlocked(x);
	if ((seen & (en | EMU_CTL_KICK)) == 0) {
		wait_doorbell(x, seen);
	}
	ipc_store_relaxed(&x->self->sleeping, 0);
}

/*
 * Every EMU_CTL_HEARTBEAT_MS: look at the two-step sources without a kick.
 * A sender that died between publishing its word (a secondary channel bit,
 * a data-mode or IPM `full` flag) and raising the bit or kick of the
 * pending word leaves nothing to announce it; this scan finds it.
 */
/* A shared context's thread runs member c's work in c's trace context (its
 * link, for --trace of a multi-core run). */
static void member_enter(struct irq_ctx *x, struct emu_core *c)
{
	if (x->shared) {
		emu_trace_ctx_set(c->trace_ctx);
	}
}

static bool heartbeat_scan(struct irq_ctx *x)
{
	bool work = false;

	x->in_scan = true;
	for (unsigned i = 0; i < x->n_member; i++) {
		member_enter(x, x->member[i]);
		recover_stale(&x->member[i]->primary);
		if (service_sources(x->member[i])) {
			work = true;
		}
	}
	x->in_scan = false;
	return work;
}

/* Run the taken channels: each on the member that has it enabled, else on
 * the first whose controller has it inbound (disabled since it was taken:
 * run_callbacks() finds no callback or the message, as for one core). */
static bool dispatch(struct irq_ctx *x, uint32_t bits)
{
	bool work = bits != 0;

	for (unsigned i = 0; i < x->n_member && bits != 0; i++) {
		struct emu_core *c = x->member[i];
		uint32_t mine = bits & atomic_load(&c->primary.enabled);

		if (mine != 0) {
			member_enter(x, c);
			run_callbacks(&c->primary, mine);
			bits &= ~mine;
		}
	}
	for (unsigned i = 0; i < x->n_member && bits != 0; i++) {
		struct emu_core *c = x->member[i];
		uint32_t mine = bits & cfg_load(&c->primary.rx_mask);

		if (mine != 0) {
			member_enter(x, c);
			run_callbacks(&c->primary, mine);
			bits &= ~mine;
		}
	}
	return work;
}

/* Set on the thread of a shared context: it runs callbacks holding that
 * context's lock, so it must not take the registry lock (ctx_join/leave
 * take the registry lock, then a context's). */
static _Thread_local bool tls_shared_irq_thread;

static void *irq_thread(void *arg)
{
	struct irq_ctx *x = arg;
	uint64_t last_scan = now_ms(), beat = 0;

	tls_shared_irq_thread = x->shared;
	if (x->shared) {
		/* One thread for all the links of a SoC core: it carries the link
		 * of each member's work (member_enter()), none of its own. */
		emu_trace_ctx_set(0);
	}
	emu_trace_thread_name("irq");
	while (!atomic_load(&x->stop)) {
		uint64_t now = now_ms();
		uint32_t taken;
		bool work = false;

		/* Every pass refreshes the heartbeat: at least every
		 * EMU_CTL_HEARTBEAT_MS (the longest wait), and also while a flood
		 * of signals keeps the thread from ever waiting.  Stored only when
		 * the millisecond changed: the word shares its line with the
		 * pending word every sender RMWs. */
		if (now != beat) {
			beat = now;
			ctl_store64_relaxed(&x->self->heartbeat, now);
		}
		/* Interrupt context (k_is_in_isr(), the CPU's interrupt lock:
		 * emu/zephyr_isr.h) for everything but the sleep; then the
		 * members (lock order: interrupt lock, then the context's). */
		zshim_isr_enter();
		ctx_lock(x);
		if (x->n_member == 0 && x->holds == 0) {
			/* The last member left: its stop follows. */
			ctx_unlock(x);
			zshim_isr_exit();
			break;
		}
		if (now - last_scan >= EMU_CTL_HEARTBEAT_MS) {
			last_scan = now;
			if (heartbeat_scan(x) && x->n_member > 0) {
				/* Counted on the first member: a scan is the context's. */
				stat_inc(&x->member[0]->stats.irqs_taken);
			}
		}
		taken = take_pending(x);

		if (taken == 0) {
			ctx_unlock(x);
			zshim_isr_exit();
			idle(x);
			continue;
		}
		work = dispatch(x, taken & EMU_CTL_CHANNEL_MASK);
		for (unsigned i = 0; (taken & EMU_CTL_KICK) != 0 && i < x->n_member; i++) {
			member_enter(x, x->member[i]);
			if (service_sources(x->member[i])) {
				work = true;
			}
		}
		if (work && x->n_member > 0) {
			stat_inc(&x->member[0]->stats.irqs_taken);
		}
		ctx_unlock(x);
		zshim_isr_exit();
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * The MBOX driver (include/ipc_emu/mbox.h), one instance per controller.
 */

static struct mbox_ctrl *dev_ctrl(const struct device *dev)
{
	return dev->data;
}

/* Announce `bit` of controller m to the peer. */
static void signal_channel(struct mbox_ctrl *m, uint32_t bit)
{
	struct emu_core *c = m->core;

	emu_trace(EMU_TRACE_MBOX_SEND, m->index, (uint32_t)__builtin_ctz(bit), 0, 0);
	if (m->primary) {
		raise_bit(c, c->peer, c->peer_efd, bit);
		return;
	}
	/* Secondary: the channel bit first (seq_cst RMW; pairs with the
	 * receiver's fetch_and in mbox_service()), then the kick.  A bit that
	 * was already set has its kick on the way, or the channel is disabled
	 * and its enable will kick. */
	if ((ctl_fetch_or(m->tx_pending, bit) & bit) == 0) {
		raise_bit(c, c->peer, c->peer_efd, EMU_CTL_KICK);
	}
}

static int send_data(struct mbox_ctrl *m, mbox_channel_id_t ch, const struct mbox_msg *msg)
{
	struct emu_ctl_mbox_slot *slot = &m->regs->slot[m->core->peer_role][ch];
	uint32_t bit = 1u << ch;
	int rc = 0;

	/* One writer per channel and core: a concurrent local sender is busy
	 * with the registers. */
	if ((atomic_fetch_or(&m->tx_claim, bit) & bit) != 0) {
		return -EBUSY;
	}
	/* Pairs with the receiver's ipc_store_release(&slot->full, 0) in
	 * take_message(): it has finished copying the previous message. */
	if (ipc_load_acquire(&slot->full) != 0) {
		rc = -EBUSY;
		goto unclaim;
	}
	ANNOTATE_HAPPENS_AFTER(&slot->full);
	port_check_defined(msg->data, msg->size);
	ipc_store_relaxed(&slot->size, (uint32_t)msg->size);
	if (msg->size > 0) {
		memcpy(slot->data, msg->data, msg->size);
	}
	/* Publish: pairs with ipc_load_acquire(&slot->full) in take_message(). */
	ANNOTATE_HAPPENS_BEFORE(&slot->full);
	ipc_store_release(&slot->full, 1);
	/* Unclaim before signalling: the reply to this message may come back
	 * and be answered (by a callback on another thread) before we return;
	 * the registers are guarded by `full` from now on. */
	atomic_fetch_and(&m->tx_claim, ~bit);
	signal_channel(m, bit);
	stat_inc(&m->core->stats.signals_sent);
	return 0;
unclaim:
	atomic_fetch_and(&m->tx_claim, ~bit);
	return rc;
}

static bool channel_ok(struct mbox_ctrl *m, mbox_channel_id_t ch, atomic_uint *dir_mask)
{
	return ch < cfg_load(&m->channels) && ch < EMU_MBOX_CHANNELS &&
	       (cfg_load(dir_mask) & (1u << ch)) != 0;
}

static int mbox_emu_send(const struct device *dev, mbox_channel_id_t channel_id,
			 const struct mbox_msg *msg)
{
	struct mbox_ctrl *m = dev_ctrl(dev);
	uint32_t mtu;

	if (!channel_ok(m, channel_id, &m->tx_mask)) {
		return -EINVAL; /* no such channel, or not outbound */
	}
	mtu = cfg_load(&m->mtu);
	if (msg == NULL) {
		/* A plain signal, in either mode. */
		signal_channel(m, 1u << channel_id);
		stat_inc(&m->core->stats.signals_sent);
		return 0;
	}
	if (mtu == 0 || msg->size > mtu) {
		return -EMSGSIZE; /* signalling mode carries no data */
	}
	if (msg->data == NULL && msg->size > 0) {
		return -EINVAL;
	}
	return send_data(m, channel_id, msg);
}

static int mbox_emu_register_callback(const struct device *dev, mbox_channel_id_t channel_id,
				      mbox_callback_t cb, void *user_data)
{
	struct mbox_ctrl *m = dev_ctrl(dev);

	if (!channel_ok(m, channel_id, &m->rx_mask)) {
		return -EINVAL; /* no such channel, or not inbound */
	}
	pthread_mutex_lock(&m->lock);
	/* A callback being replaced or removed may be running on the interrupt
	 * thread: wait for it, so the caller may free what it uses (as a
	 * single-core Zephyr, where the ISR cannot run during this call). */
	while (m->running == (int)channel_id && !emu_core_in_irq_thread(m->core)) {
		pthread_cond_wait(&m->idle, &m->lock);
	}
	m->chan[channel_id] = (struct emu_channel){.cb = cb, .user_data = user_data};
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static int mbox_emu_mtu_get(const struct device *dev)
{
	return (int)cfg_load(&dev_ctrl(dev)->mtu);
}

static uint32_t mbox_emu_max_channels_get(const struct device *dev)
{
	return cfg_load(&dev_ctrl(dev)->channels);
}

static int mbox_emu_set_enabled(const struct device *dev, mbox_channel_id_t channel_id,
				bool enabled)
{
	struct mbox_ctrl *m = dev_ctrl(dev);
	struct emu_core *c = m->core;
	uint32_t bit;

	if (!channel_ok(m, channel_id, &m->rx_mask)) {
		return -EINVAL; /* no such channel, or not inbound */
	}
	bit = 1u << channel_id;
	if (!enabled) {
		return (atomic_fetch_and(&m->enabled, ~bit) & bit) != 0 ? 0 : -EALREADY;
	}
	if ((atomic_fetch_or(&m->enabled, bit) & bit) != 0) {
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

/* Bind a controller to its core and control-block slot (once, before the
 * device is handed out). */
static void ctrl_init(struct mbox_ctrl *m, struct emu_core *c, uint32_t index)
{
	pthread_cond_init(&m->idle, NULL);
	m->running = -1;
	m->dev = (struct device){.name = m->name, .config = NULL, .api = &mbox_emu_api, .data = m};
	m->core = c;
	m->index = index;
	m->regs = &c->ctl->mbox[index];
	if (m->primary) {
		m->rx_pending = &c->self->pending;
		m->tx_pending = &c->peer->pending;
	} else {
		m->rx_pending = &m->regs->pending[c->role];
		m->tx_pending = &m->regs->pending[c->peer_role];
	}
	/* C11 atomics are invisible to Helgrind/DRD (platform notes 7). */
	VALGRIND_HG_DISABLE_CHECKING(&m->enabled, sizeof(m->enabled));
	VALGRIND_HG_DISABLE_CHECKING(&m->tx_claim, sizeof(m->tx_claim));
	VALGRIND_HG_DISABLE_CHECKING(&m->mtu, 4 * sizeof(m->mtu));
}

/* Apply a configuration (name, MTU, channels, directions). */
static void ctrl_config(struct mbox_ctrl *m, const struct emu_mbox_cfg *cfg)
{
	snprintf(m->name, sizeof(m->name), "%s", cfg->name);
	atomic_store(&m->mtu, cfg->mtu);
	atomic_store(&m->channels, cfg->channels);
	atomic_store(&m->tx_mask, cfg->tx_mask);
	atomic_store(&m->rx_mask, cfg->rx_mask);
}

static const struct emu_mbox_cfg bare_cfg = {
	.name = "mbox",
	.index = 0,
	.mtu = 0,
	.channels = EMU_MBOX_CHANNELS,
	.tx_mask = ALL_CHANNELS,
	.rx_mask = ALL_CHANNELS,
};

static bool cfg_valid(const struct emu_mbox_cfg *cfg)
{
	uint32_t chmask;

	if (cfg == NULL || cfg->name == NULL || cfg->index >= EMU_CTL_MBOX_MAX ||
	    cfg->mtu > EMU_MBOX_MTU_MAX || cfg->channels < 1 || cfg->channels > EMU_MBOX_CHANNELS) {
		return false;
	}
	chmask = cfg->channels == 32 ? UINT32_MAX : (1u << cfg->channels) - 1u;
	return ((cfg->tx_mask | cfg->rx_mask) & ~chmask) == 0;
}

static bool primary_idle(struct emu_core *c)
{
	bool idle = atomic_load(&c->primary.enabled) == 0;

	pthread_mutex_lock(&c->primary.lock);
	for (unsigned i = 0; i < EMU_MBOX_CHANNELS; i++) {
		if (c->primary.chan[i].cb != NULL) {
			idle = false;
		}
	}
	pthread_mutex_unlock(&c->primary.lock);
	return idle;
}

int emu_core_mbox_add(struct emu_core *c, const struct emu_mbox_cfg *cfg,
		      const struct device **out)
{
	struct mbox_ctrl *m;
	int rc = 0;

	if (c == NULL || out == NULL || !cfg_valid(cfg)) {
		return -EINVAL;
	}
	pthread_mutex_lock(&c->cfg_lock);
	if (cfg->index == 0) {
		if (c->primary.configured || !primary_idle(c)) {
			rc = -EBUSY;
		} else {
			ctrl_config(&c->primary, cfg);
			c->primary.configured = true;
			*out = &c->primary.dev;
		}
		goto unlock;
	}
	if ((c->mbox_used & (1u << cfg->index)) != 0) {
		rc = -EBUSY;
		goto unlock;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		rc = -ENOMEM;
		goto unlock;
	}
	rc = -pthread_mutex_init(&m->lock, NULL);
	if (rc < 0) {
		free(m);
		goto unlock;
	}
	m->primary = false;
	ctrl_init(m, c, cfg->index);
	ctrl_config(m, cfg);
	m->src.service = mbox_service;
	c->mbox_used |= 1u << cfg->index;
	emu_core_add_source(c, &m->src);
	*out = &m->dev;
unlock:
	pthread_mutex_unlock(&c->cfg_lock);
	return rc;
}

void emu_core_mbox_remove(struct emu_core *c, const struct device *dev)
{
	struct mbox_ctrl *m;

	if (c == NULL || dev == NULL) {
		return;
	}
	m = dev_ctrl(dev);
	if (m->core != c) {
		return;
	}
	pthread_mutex_lock(&c->cfg_lock);
	if (m->primary) {
		/* Back to the bare controller: nothing enabled, no callbacks (the
		 * interrupt thread copies a callback under the lock, so one that
		 * is already running may finish). */
		atomic_store(&m->enabled, 0);
		pthread_mutex_lock(&m->lock);
		memset(m->chan, 0, sizeof(m->chan));
		pthread_mutex_unlock(&m->lock);
		ctrl_config(m, &bare_cfg);
		m->configured = false;
		pthread_mutex_unlock(&c->cfg_lock);
		return;
	}
	c->mbox_used &= ~(1u << m->index);
	pthread_mutex_unlock(&c->cfg_lock);
	emu_core_remove_source(c, &m->src); /* waits for a running service */
	pthread_cond_destroy(&m->idle);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* ------------------------------------------------------------------------
 * Interrupt sources
 */

void emu_core_add_source(struct emu_core *c, struct emu_irq_source *src)
{
	pthread_mutex_lock(&c->src_lock);
	src->next = c->sources;
	c->sources = src;
	pthread_mutex_unlock(&c->src_lock);
	/* Registers may already hold something from before this source existed. */
	raise_bit(c, c->self, c->self_efd, EMU_CTL_KICK);
}

void emu_core_remove_source(struct emu_core *c, struct emu_irq_source *src)
{
	pthread_mutex_lock(&c->src_lock);
	for (struct emu_irq_source **p = &c->sources; *p != NULL; p = &(*p)->next) {
		if (*p == src) {
			*p = src->next;
			break;
		}
	}
	pthread_mutex_unlock(&c->src_lock);
}

void emu_core_kick_peer(struct emu_core *c)
{
	raise_bit(c, c->peer, c->peer_efd, EMU_CTL_KICK);
}

void emu_core_kick_self(struct emu_core *c)
{
	raise_bit(c, c->self, c->self_efd, EMU_CTL_KICK);
}

struct emu_ctl *emu_core_ctl(const struct emu_core *c)
{
	return c->ctl;
}

bool emu_core_in_irq_thread(const struct emu_core *c)
{
	return pthread_equal(pthread_self(), c->ctx->thread) != 0;
}

/* Start the interrupt thread with all signals blocked: signal handlers of
 * the application run on its own threads, as they would not run in an ISR. */
static int spawn_irq_thread(struct irq_ctx *x)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&x->thread, NULL, irq_thread, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

/* Shared contexts of this process, by doorbell record. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct irq_ctx *registry;

/*
 * Start a context for `c` (its first member), with the core's reset: a
 * core reset resets its mailbox - events latched for a previous
 * incarnation are dropped, as on silicon.  Otherwise a restarted
 * ICMsg/ICBMsg peer would read the stale ring of a dead partner on the
 * strength of that partner's last signal.  A first start keeps what the
 * peer raised before it (the peer may well boot first).
 */
static int ctx_start(struct emu_ctl_role *self, int self_efd, enum emu_doorbell doorbell,
		     bool shared, struct emu_core *c, struct irq_ctx **out)
{
	struct irq_ctx *x = calloc(1, sizeof(*x));
	int r;

	if (x == NULL) {
		return -ENOMEM;
	}
	r = -pthread_mutex_init(&x->lock, NULL);
	if (r < 0) {
		free(x);
		return r;
	}
	x->self = self;
	x->self_efd = self_efd;
	x->doorbell = doorbell;
	x->shared = shared;
	if (c != NULL) {
		x->member[0] = c;
		x->n_member = 1;
		c->ctx = x;
	} else {
		x->holds = 1;
	}
	/* C11 atomics are invisible to Helgrind/DRD (platform notes 7). */
	VALGRIND_HG_DISABLE_CHECKING(&x->stop, sizeof(x->stop));
	VALGRIND_HG_DISABLE_CHECKING(&x->busy_poll_us, sizeof(x->busy_poll_us));
	/* A previous incarnation may have died asleep: a stale 1 only costs
	 * senders a useless wake, but start clean. */
	ipc_store_relaxed(&x->self->sleeping, 0);
	if (ipc_load_relaxed(&x->self->boot_count) != 0) {
		(void)ctl_fetch_and(&x->self->pending, 0);
	}
	ctl_store64_relaxed(&x->self->heartbeat, now_ms());
	r = spawn_irq_thread(x);
	if (r < 0) {
		pthread_mutex_destroy(&x->lock);
		free(x);
		if (c != NULL) {
			c->ctx = NULL;
		}
		return r;
	}
	ipc_store_relaxed(&x->self->pid, (uint32_t)getpid());
	(void)ctl_fetch_add(&x->self->boot_count, 1);
	*out = x;
	return 0;
}

static void ctx_stop(struct irq_ctx *x)
{
	int r;

	atomic_store(&x->stop, true);
	/* The stop store (seq_cst) precedes the kick (S1..S3 of the doorbell
	 * protocol): the thread sees the flag at the top of its loop. */
	if ((ctl_fetch_or(&x->self->pending, EMU_CTL_KICK) & EMU_CTL_KICK) == 0) {
		ipc_fence();
		if (ipc_load_relaxed(&x->self->sleeping) != 0) {
			(void)(x->doorbell == EMU_DOORBELL_FUTEX ? emu_sys_futex_wake(&x->self->pending)
								 : emu_sys_eventfd_write(x->self_efd));
		}
	}
	r = pthread_join(x->thread, NULL);
	if (r != 0) {
		port_log(PORT_LOG_ERR, "core: pthread_join failed (%d)", r);
	}
	pthread_mutex_destroy(&x->lock);
	free(x);
}

/* Under registry_lock: take a shared context that has neither members nor
 * holds out of the registry; true if it was (the caller then stops it). */
static bool ctx_unregister_if_unused(struct irq_ctx *x)
{
	bool unused;

	pthread_mutex_lock(&x->lock);
	unused = x->n_member == 0 && x->holds == 0;
	pthread_mutex_unlock(&x->lock);
	for (struct irq_ctx **p = &registry; unused && *p != NULL; p = &(*p)->next) {
		if (*p == x) {
			*p = x->next;
			break;
		}
	}
	return unused;
}

/* Join the running context of a SoC core, or start it. */
static int ctx_join(struct emu_core *c)
{
	struct irq_ctx *x;
	int r = 0;

	if (tls_shared_irq_thread) {
		return -EDEADLK; /* from a callback of a SoC core's interrupt thread */
	}
	pthread_mutex_lock(&registry_lock);
	for (x = registry; x != NULL && x->self != c->self; x = x->next) {
	}
	if (x != NULL) {
		pthread_mutex_lock(&x->lock);
		if (x->n_member == CTX_MAX_MEMBERS) {
			r = -ENOMEM;
		} else {
			x->member[x->n_member++] = c;
			c->ctx = x;
		}
		pthread_mutex_unlock(&x->lock);
	} else {
		r = ctx_start(c->self, c->self_efd, c->doorbell, true, c, &x);
		if (r == 0) {
			x->next = registry;
			registry = x;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	return r;
}

/* Leave the context; the last member stops it. */
static void ctx_leave(struct emu_core *c)
{
	struct irq_ctx *x = c->ctx;
	bool last;

	if (!x->shared) {
		ctx_stop(x);
		return;
	}
	pthread_mutex_lock(&registry_lock);
	pthread_mutex_lock(&x->lock);
	for (unsigned i = 0; i < x->n_member; i++) {
		if (x->member[i] == c) {
			x->member[i] = x->member[--x->n_member];
			x->member[x->n_member] = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&x->lock);
	last = ctx_unregister_if_unused(x);
	pthread_mutex_unlock(&registry_lock);
	if (last) {
		ctx_stop(x);
	}
}

struct emu_core_hold {
	struct irq_ctx *ctx;
};

int emu_core_hold(struct emu_segment *view, enum emu_role role, struct emu_core_hold **out)
{
	struct emu_core_hold *h;
	struct emu_ctl_role *self;
	struct irq_ctx *x;
	int r = 0;

	if (view == NULL || out == NULL || !emu_segment_is_view(view) ||
	    (role != EMU_ROLE_HOST && role != EMU_ROLE_REMOTE)) {
		return -EINVAL;
	}
	if (emu_segment_doorbell(view) == EMU_DOORBELL_EVENTFD && emu_segment_efd(view, role) < 0) {
		return -EOPNOTSUPP;
	}
	if (tls_shared_irq_thread) {
		return -EDEADLK;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return -ENOMEM;
	}
	self = emu_segment_role_rec(view, role);
	pthread_mutex_lock(&registry_lock);
	for (x = registry; x != NULL && x->self != self; x = x->next) {
	}
	if (x != NULL) {
		pthread_mutex_lock(&x->lock);
		x->holds++;
		pthread_mutex_unlock(&x->lock);
	} else {
		r = ctx_start(self, emu_segment_efd(view, role), emu_segment_doorbell(view), true,
			      NULL, &x);
		if (r == 0) {
			x->next = registry;
			registry = x;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	if (r < 0) {
		free(h);
		return r;
	}
	h->ctx = x;
	*out = h;
	return 0;
}

void emu_core_release(struct emu_core_hold *h)
{
	struct irq_ctx *x;
	bool last;

	if (h == NULL) {
		return;
	}
	if (tls_shared_irq_thread) {
		port_log(PORT_LOG_ERR, "emu_core_release() called from an interrupt thread: ignored");
		return;
	}
	x = h->ctx;
	pthread_mutex_lock(&registry_lock);
	pthread_mutex_lock(&x->lock);
	x->holds--;
	pthread_mutex_unlock(&x->lock);
	last = ctx_unregister_if_unused(x);
	pthread_mutex_unlock(&registry_lock);
	if (last) {
		ctx_stop(x);
	}
	free(h);
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
	/* IPC_EMU_TRACE: before the threads that record start. */
	emu_trace_open_env((int)role);
	r = emu_segment_claim_role(s, role);
	if (r < 0) {
		return r;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		r = -ENOMEM;
		goto release_role;
	}
	r = -pthread_mutex_init(&c->primary.lock, NULL);
	if (r < 0) {
		goto free_core;
	}
	r = -pthread_mutex_init(&c->cfg_lock, NULL);
	if (r < 0) {
		goto destroy_primary_lock;
	}
	r = -pthread_mutex_init(&c->src_lock, NULL);
	if (r < 0) {
		goto destroy_cfg_lock;
	}
	ctl = emu_segment_ctl(s);
	c->seg = s;
	c->ctl = ctl;
	c->role = role;
	c->peer_role = peer;
	c->doorbell = emu_segment_doorbell(s);
	c->self = emu_segment_role_rec(s, role);
	c->peer = emu_segment_role_rec(s, peer);
	/* The ICBMsg v2 consumer wake of the primary MBOX device (emu/port.c).
	 * Its table holds 16 bindings per process (a multi-core hub runs one
	 * core per link, at most 8; a test rig 2 per segment); a failed bind
	 * (-ENOMEM: table full) is not an error: that core's v2 senders poll
	 * as without the wake. */
	(void)port_emu_wake_bind(&c->primary.dev, c->self, c->peer);
	c->self_efd = emu_segment_efd(s, role);
	c->peer_efd = emu_segment_efd(s, peer);
	c->primary.primary = true;
	ctrl_init(&c->primary, c, 0);
	ctrl_config(&c->primary, &bare_cfg);
	c->mbox_used = 1u; /* index 0 is the primary, always there */
	/* C11 atomics are invisible to Helgrind/DRD (platform notes 7). */
	VALGRIND_HG_DISABLE_CHECKING(&c->coalescing, sizeof(c->coalescing));
	VALGRIND_HG_DISABLE_CHECKING(&c->stats, sizeof(c->stats));

	if (emu_segment_is_view(s)) {
		c->trace_ctx = emu_trace_ctx_get();
		r = ctx_join(c);
	} else {
		struct irq_ctx *x;

		r = ctx_start(c->self, c->self_efd, c->doorbell, false, c, &x);
	}
	if (r < 0) {
		goto destroy_src_lock;
	}
	emu_trace(EMU_TRACE_CORE_START, role, ipc_load_relaxed(&c->self->boot_count), 0, 0);
	*out = c;
	return 0;

destroy_src_lock:
	port_emu_wake_unbind(&c->primary.dev);
	pthread_mutex_destroy(&c->src_lock);
destroy_cfg_lock:
	pthread_mutex_destroy(&c->cfg_lock);
destroy_primary_lock:
	pthread_cond_destroy(&c->primary.idle);
	pthread_mutex_destroy(&c->primary.lock);
free_core:
	free(c);
release_role:
	emu_segment_release_role(s, role);
	return r;
}

void emu_core_stop(struct emu_core *c)
{
	if (c == NULL) {
		return;
	}
	if (pthread_equal(pthread_self(), c->ctx->thread) || tls_shared_irq_thread) {
		/* Its own thread would join itself; a SoC core's would take the
		 * registry lock under its context's lock. */
		port_log(PORT_LOG_ERR, "emu_core_stop() called from an interrupt thread: ignored");
		return;
	}
	ctx_leave(c);
	if (c->sources != NULL || c->mbox_used != 1u) {
		/* Their memory belongs to a board that is still there. */
		port_log(PORT_LOG_ERR, "%s core stopped before its board was destroyed",
			 role_str(c->role));
	}
	port_emu_wake_unbind(&c->primary.dev);
	pthread_mutex_destroy(&c->src_lock);
	pthread_mutex_destroy(&c->cfg_lock);
	pthread_cond_destroy(&c->primary.idle);
	pthread_mutex_destroy(&c->primary.lock);
	emu_segment_release_role(c->seg, c->role);
	free(c);
}

enum emu_role emu_core_role(const struct emu_core *c)
{
	return c->role;
}

const struct device *emu_core_mbox(struct emu_core *c)
{
	return &c->primary.dev;
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
	/* The context's: on a SoC core, every link's core sets the same. */
	atomic_store_explicit(&c->ctx->busy_poll_us, us, memory_order_relaxed);
}
