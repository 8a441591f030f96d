/*
 * emu_internal.h - declarations shared between the files of emu/ only.
 */
#ifndef IPC_EMU_EMU_INTERNAL_H
#define IPC_EMU_EMU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* port.c: mark the calling thread as the emulated interrupt context. */
void emu_port_set_in_isr(bool in_isr);

/* port.c: log with the process's role prefix ("[host] ...") to stderr. */
void emu_port_set_log_prefix(const char *prefix);

/* ------------------------------------------------------------------------
 * core.c: MBOX controllers and interrupt sources of a core (used by board.c
 * and ipm.c).
 */
struct device;
struct emu_core;
struct emu_ctl;
struct emu_dt_ipm;

/* Configuration of an MBOX controller, from devicetree (struct emu_dt_mbox). */
struct emu_mbox_cfg {
	const char *name;  /* device name (copied, at most 31 characters kept) */
	uint32_t index;    /* control-block slot: 0 = the core's primary controller */
	uint32_t mtu;      /* 0 signalling, 1..EMU_MBOX_MTU_MAX data mode */
	uint32_t channels; /* 1..EMU_MBOX_CHANNELS */
	uint32_t tx_mask;  /* outbound channels of this core */
	uint32_t rx_mask;  /* inbound channels of this core */
};

/*
 * Index 0: configure the core's primary controller (emu_core_mbox()) in
 * place; other indexes: create a secondary controller of the core.  *out is
 * the device.  -EINVAL (bad cfg), -EBUSY (index already in use on this core,
 * or the primary has an enabled channel or a registered callback), -ENOMEM.
 * Not from the interrupt thread.
 */
int emu_core_mbox_add(struct emu_core *c, const struct emu_mbox_cfg *cfg,
		      const struct device **out);
/* Undo emu_core_mbox_add(): the primary goes back to its bare state (all
 * channels both ways, signalling, disabled, no callbacks); a secondary is
 * removed once no callback of it runs.  Not from the interrupt thread. */
void emu_core_mbox_remove(struct emu_core *c, const struct device *dev);

/*
 * An interrupt source besides the MBOX controllers (the IPM devices): after
 * a kick of its core (bit EMU_CTL_KICK of the pending word, set by the peer
 * after it wrote the source's registers, or locally after an enable) the
 * interrupt thread calls service(), which looks at its registers itself and
 * returns true if it found work.  service() runs with the core's source lock
 * held, so emu_core_remove_source() returns only once it has finished.
 */
struct emu_irq_source {
	bool (*service)(struct emu_irq_source *src);
	struct emu_irq_source *next; /* the core's list (owned by core.c) */
};

void emu_core_add_source(struct emu_core *c, struct emu_irq_source *src);
/* Not from the interrupt thread. */
void emu_core_remove_source(struct emu_core *c, struct emu_irq_source *src);
/* Make the peer core's interrupt thread service its sources (any thread). */
void emu_core_kick_peer(struct emu_core *c);
/* Make this core's interrupt thread service its sources (after an enable). */
void emu_core_kick_self(struct emu_core *c);
/* The control block of the core's segment. */
struct emu_ctl *emu_core_ctl(const struct emu_core *c);
/* True on the core's own interrupt thread. */
bool emu_core_in_irq_thread(const struct emu_core *c);

/* ------------------------------------------------------------------------
 * ipm.c: IPM devices (docs/ipm.md).
 */

/* Create the IPM device of `ipm` on `core` (the caller keeps indexes unique
 * per core): -EINVAL (bad plan entry), -ENOMEM. */
int emu_ipm_create(struct emu_core *core, const struct emu_dt_ipm *ipm, bool callback_async,
		   const struct device **out);
/* Remove it once no callback of it runs.  NULL is a no-op.  Not from the
 * interrupt thread. */
void emu_ipm_destroy(const struct device *dev);

#endif /* IPC_EMU_EMU_INTERNAL_H */
