/*
 * ipm.c - emulated IPM devices (include/ipc_emu/ipm.h, docs/ipm.md).
 *
 * The message registers live in the control block (struct emu_ctl_ipm in
 * ctl.h), one box per receiving role:
 *
 *   ctl->ipm[index].box[r]      read by role r, written by the other role
 *     full   register-full flags           sender: fetch_or (release)
 *                                          receiver: fetch_and (release)
 *     id     generic device: message id    sender, before full
 *     size   generic device: send's size   sender, before full
 *     data   registers / message bytes     sender, before full
 *
 * nxp,imx-mu (Zephyr's drivers/ipm/ipm_imx.c over the MU's four transmit /
 * receive registers): with data size S (4, 8, 16) id k owns R = S/4
 * consecutive registers k*R .. k*R+R-1; full bit i is the MU's RF flag of
 * register i.  ipc-emu,ipm: one message slot, full bit 0.
 *
 *   sender (ipm_send)                        receiver (interrupt thread, after a kick)
 *   claim the id locally (one writer)        lock
 *   f = load_acquire(full)   [P1]            f = load_acquire(full)             [C1]
 *   f & regs ? -EBUSY                        f & last(id) and not delivered ?
 *   write data (and id, size)                  copy the registers out
 *   fetch_or(full, regs)     [P2]              fetch_and(full, ~regs)   [C2]  (consumed;
 *   kick the peer (core.c protocol)              async: only at ipm_complete())
 *   wait: spin until !(full & last) [P3]     unlock; callback(copy)
 *
 * P2 pairs with C1 (the receiver sees the data written before P2); C2 pairs
 * with P1/P3 (the sender rewrites the registers, or returns from its wait,
 * only after the receiver finished copying them).  A receiver that finds a
 * full register while disabled leaves it: the sender gets -EBUSY until the
 * receiver is enabled and consumes it.  Ids are walked from max down to 0, as
 * the i.MX driver's interrupt handler does.
 *
 * Everything in a box may have been written by a hostile peer: the generic
 * device's id is validated against max-id, registers are copied into a
 * private buffer before the callback sees them.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "emu_internal.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/ipm.h"
#include "port.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() atomic_signal_fence(memory_order_seq_cst)
#endif

#define IPM_WORDS (EMU_IPM_DATA_MAX / 4u)

struct ipm_dev {
	struct device dev; /* dev.data points back here */
	struct emu_core *core;
	char name[32];
	enum emu_ipm_kind kind;
	uint32_t data_size;
	uint32_t max_id;
	uint32_t regs_per_id; /* imx-mu: R = data_size / 4 */
	bool tx, rx;
	bool async;           /* CONFIG_IPM_CALLBACK_ASYNC */
	struct emu_ctl_ipm_box *tx_box; /* the peer reads it */
	struct emu_ctl_ipm_box *rx_box; /* we read it */

	atomic_bool enabled;
	atomic_uint tx_claim; /* bit per id (imx-mu) / bit 0: a local sender writes */

	pthread_mutex_t lock; /* guards cb, user_data, delivered, and orders C1..C2 */
	ipm_callback_t cb;
	void *user_data;
	uint32_t delivered;   /* async: full bits handed to the callback, not completed */

	uint32_t rx_copy[IPM_WORDS]; /* interrupt thread only: what the callback sees */
	bool bad_id_logged;          /* interrupt thread only */
	struct emu_irq_source src;
};

static struct ipm_dev *dev_ipm(const struct device *dev)
{
	return dev->data;
}

static uint32_t words_of(uint32_t bytes)
{
	return (bytes + 3u) / 4u;
}

/* Registers (full bits) of `id` and the last of them. */
static uint32_t regs_of(const struct ipm_dev *d, uint32_t id, uint32_t *last)
{
	if (d->kind == EMU_IPM_IMX_MU) {
		uint32_t r = d->regs_per_id;

		*last = 1u << (id * r + r - 1u);
		return ((1u << r) - 1u) << (id * r);
	}
	*last = 1u;
	return 1u;
}

/* Busy-wait until the peer has consumed `bit` (P3).  No timeout, as on
 * hardware; the back-off keeps a waiting thread from starving the peer's
 * interrupt thread on a small machine. */
static void wait_consumed(struct ipm_dev *d, uint32_t bit)
{
	unsigned spins = 0;

	/* Pairs with the receiver's fetch_and (C2). */
	while ((ipc_load_acquire(&d->tx_box->full) & bit) != 0) {
		if (spins < 1000u) {
			cpu_relax();
			spins++;
		} else if (spins < 2000u) {
			sched_yield();
			spins++;
		} else {
			struct timespec ts = {.tv_sec = 0, .tv_nsec = 20000};

			nanosleep(&ts, NULL);
		}
	}
	ANNOTATE_HAPPENS_AFTER(&d->tx_box->full);
}

static int ipm_emu_send(const struct device *dev, int wait, uint32_t id, const void *data, int size)
{
	struct ipm_dev *d = dev_ipm(dev);
	uint32_t words[IPM_WORDS] = {0};
	uint32_t regs, last, claim, n;
	int rc = 0;

	if (!d->tx || id > d->max_id || size < 0 || (size > 0 && data == NULL)) {
		return -EINVAL;
	}
	if ((uint32_t)size > d->data_size) {
		return -EMSGSIZE;
	}
	regs = regs_of(d, id, &last);
	claim = d->kind == EMU_IPM_IMX_MU ? 1u << id : 1u;
	/* One writer per id and core: a concurrent local sender owns the registers. */
	if ((atomic_fetch_or(&d->tx_claim, claim) & claim) != 0) {
		return -EBUSY;
	}
	/* P1: pairs with the receiver's C2: it has finished reading them. */
	if ((ipc_load_acquire(&d->tx_box->full) & regs) != 0) {
		rc = -EBUSY;
		goto unclaim;
	}
	ANNOTATE_HAPPENS_AFTER(&d->tx_box->full);
	if (size > 0) {
		port_check_defined(data, (size_t)size);
		memcpy(words, data, (size_t)size);
	}
	/* All registers of the id are written, zero-padded (ipm_imx.c does too). */
	n = words_of(d->data_size);
	if (d->kind == EMU_IPM_IMX_MU) {
		for (uint32_t i = 0; i < d->regs_per_id; i++) {
			ipc_store_relaxed(&d->tx_box->data[id * d->regs_per_id + i], words[i]);
		}
	} else {
		ipc_store_relaxed(&d->tx_box->id, id);
		ipc_store_relaxed(&d->tx_box->size, (uint32_t)size);
		for (uint32_t i = 0; i < n; i++) {
			ipc_store_relaxed(&d->tx_box->data[i], words[i]);
		}
	}
	/* P2: publish; pairs with the receiver's C1. */
	ANNOTATE_HAPPENS_BEFORE(&d->tx_box->full);
	ctl_fetch_or(&d->tx_box->full, regs);
	/* Unclaim before the kick: the answer may be sent (by a callback on
	 * another thread) before we return; `full` guards the registers now. */
	atomic_fetch_and(&d->tx_claim, ~claim);
	emu_core_kick_peer(d->core);
	if (wait != 0) {
		wait_consumed(d, last);
	}
	return 0;
unclaim:
	atomic_fetch_and(&d->tx_claim, ~claim);
	return rc;
}

static void ipm_emu_register_callback(const struct device *dev, ipm_callback_t cb,
				      void *user_data)
{
	struct ipm_dev *d = dev_ipm(dev);

	pthread_mutex_lock(&d->lock);
	d->cb = cb;
	d->user_data = user_data;
	pthread_mutex_unlock(&d->lock);
}

static int ipm_emu_max_data_size_get(const struct device *dev)
{
	return (int)dev_ipm(dev)->data_size;
}

static uint32_t ipm_emu_max_id_val_get(const struct device *dev)
{
	return dev_ipm(dev)->max_id;
}

static int ipm_emu_set_enabled(const struct device *dev, int enable)
{
	struct ipm_dev *d = dev_ipm(dev);

	if (!d->rx) {
		return -EINVAL; /* not inbound */
	}
	/* seq_cst store before the kick: the interrupt thread sees the flag
	 * after it takes the kick, and delivers what waited meanwhile. */
	if (!atomic_exchange(&d->enabled, enable != 0) && enable != 0) {
		emu_core_kick_self(d->core);
	}
	return 0;
}

static void ipm_emu_complete(const struct device *dev)
{
	struct ipm_dev *d = dev_ipm(dev);

	if (!d->async) {
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (d->delivered != 0) {
		/* C2 of the delivered messages: pairs with the sender's P1/P3. */
		ANNOTATE_HAPPENS_BEFORE(&d->rx_box->full);
		ctl_fetch_and(&d->rx_box->full, ~d->delivered);
		d->delivered = 0;
	}
	pthread_mutex_unlock(&d->lock);
}

static const struct ipm_driver_api ipm_emu_api = {
	.send = ipm_emu_send,
	.register_callback = ipm_emu_register_callback,
	.max_data_size_get = ipm_emu_max_data_size_get,
	.max_id_val_get = ipm_emu_max_id_val_get,
	.set_enabled = ipm_emu_set_enabled,
	.complete = ipm_emu_complete,
};

/*
 * Take the message of `id` if one waits: copy its registers to rx_copy and
 * consume them (or, async, mark them delivered).  True with the callback to
 * run.  Interrupt thread.
 */
static bool take(struct ipm_dev *d, uint32_t id, uint32_t *msg_id, ipm_callback_t *cb,
		 void **user)
{
	uint32_t regs, last, f;
	bool drop = false;

	regs = regs_of(d, id, &last);
	pthread_mutex_lock(&d->lock);
	/* C1: pairs with the sender's P2. */
	f = ipc_load_acquire(&d->rx_box->full);
	if ((f & last) == 0 || (d->delivered & last) != 0) {
		pthread_mutex_unlock(&d->lock);
		return false;
	}
	ANNOTATE_HAPPENS_AFTER(&d->rx_box->full);
	if (d->kind == EMU_IPM_IMX_MU) {
		for (uint32_t i = 0; i < d->regs_per_id; i++) {
			d->rx_copy[i] = ipc_load_relaxed(&d->rx_box->data[id * d->regs_per_id + i]);
		}
		*msg_id = id;
	} else {
		*msg_id = ipc_load_relaxed(&d->rx_box->id); /* peer value: read once */
		for (uint32_t i = 0; i < words_of(d->data_size); i++) {
			d->rx_copy[i] = ipc_load_relaxed(&d->rx_box->data[i]);
		}
		drop = *msg_id > d->max_id;
	}
	if (d->async && !drop) {
		d->delivered |= regs; /* consumed at ipm_complete() */
	} else {
		/* C2: consumed before the callback runs. */
		ANNOTATE_HAPPENS_BEFORE(&d->rx_box->full);
		ctl_fetch_and(&d->rx_box->full, ~regs);
	}
	*cb = d->cb;
	*user = d->user_data;
	pthread_mutex_unlock(&d->lock);
	if (drop) {
		if (!d->bad_id_logged) {
			port_log(PORT_LOG_ERR, "%s: message id %u from the peer is above max-id %u: "
				 "dropped", d->name, *msg_id, d->max_id);
			d->bad_id_logged = true;
		}
		return false;
	}
	return true;
}

static bool ipm_service(struct emu_irq_source *src)
{
	struct ipm_dev *d = (struct ipm_dev *)((char *)src - offsetof(struct ipm_dev, src));
	uint32_t top = d->kind == EMU_IPM_IMX_MU ? d->max_id : 0;
	bool work = false;

	if (!d->rx || !atomic_load(&d->enabled)) {
		return false;
	}
	if (ipc_load_relaxed(&d->rx_box->full) == 0) {
		return false; /* the common case: nothing for this device */
	}
	/* From the highest id down, as ipm_imx.c's interrupt handler. */
	for (uint32_t k = 0; k <= top; k++) {
		uint32_t id = top - k, msg_id = 0;
		ipm_callback_t cb = NULL;
		void *user = NULL;

		if (!take(d, id, &msg_id, &cb, &user)) {
			continue;
		}
		work = true;
		if (cb != NULL) {
			cb(&d->dev, user, msg_id, d->rx_copy);
		}
	}
	return work;
}

int emu_ipm_create(struct emu_core *core, const struct emu_dt_ipm *ipm, bool callback_async,
		   const struct device **out)
{
	struct emu_ctl *ctl;
	struct ipm_dev *d;
	enum emu_role role, peer;
	int rc;

	if (core == NULL || ipm == NULL || out == NULL || ipm->index >= EMU_CTL_IPM_MAX) {
		return -EINVAL;
	}
	if (ipm->kind == EMU_IPM_IMX_MU) {
		if ((ipm->data_size != 4 && ipm->data_size != 8 && ipm->data_size != 16) ||
		    ipm->max_id != 16u / ipm->data_size - 1u) {
			return -EINVAL;
		}
	} else if (ipm->kind != EMU_IPM_GENERIC || ipm->data_size > EMU_IPM_DATA_MAX) {
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		return -ENOMEM;
	}
	rc = -pthread_mutex_init(&d->lock, NULL);
	if (rc < 0) {
		free(d);
		return rc;
	}
	role = emu_core_role(core);
	peer = role == EMU_ROLE_HOST ? EMU_ROLE_REMOTE : EMU_ROLE_HOST;
	ctl = emu_core_ctl(core);
	snprintf(d->name, sizeof(d->name), "%.*s", (int)strnlen(ipm->label, sizeof(ipm->label)),
		 ipm->label);
	d->dev = (struct device){.name = d->name, .config = NULL, .api = &ipm_emu_api, .data = d};
	d->core = core;
	d->kind = ipm->kind;
	d->data_size = ipm->data_size;
	d->max_id = ipm->max_id;
	d->regs_per_id = ipm->kind == EMU_IPM_IMX_MU ? ipm->data_size / 4u : 0;
	d->tx = ipm->tx;
	d->rx = ipm->rx;
	d->async = callback_async;
	d->tx_box = &ctl->ipm[ipm->index].box[peer];
	d->rx_box = &ctl->ipm[ipm->index].box[role];
	d->src.service = ipm_service;
	/* C11 atomics are invisible to Helgrind/DRD (platform notes 7). */
	VALGRIND_HG_DISABLE_CHECKING(&d->enabled, sizeof(d->enabled));
	VALGRIND_HG_DISABLE_CHECKING(&d->tx_claim, sizeof(d->tx_claim));
	emu_core_add_source(core, &d->src);
	*out = &d->dev;
	return 0;
}

void emu_ipm_destroy(const struct device *dev)
{
	struct ipm_dev *d;

	if (dev == NULL) {
		return;
	}
	d = dev_ipm(dev);
	emu_core_remove_source(d->core, &d->src); /* waits for a running service */
	pthread_mutex_destroy(&d->lock);
	free(d);
}
