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
 * port.c: the ICBMsg v2 consumer wake (port_wait_consumed()/port_consumed()
 * of src/port.h) of the instances on an MBOX device `ctx`, with the core's
 * own and its peer's control-block role records.  emu_core_start() binds its
 * primary device, emu_core_stop() unbinds it.  At most 16 bindings per
 * process.  Bind: 0, -EINVAL (NULL argument), -EALREADY (ctx bound),
 * -ENOMEM (table full: those instances poll as without the wake).  Unbind:
 * a no-op for an unbound or NULL ctx.
 */
struct emu_ctl_role;

int port_emu_wake_bind(const void *ctx, struct emu_ctl_role *self, struct emu_ctl_role *peer);
void port_emu_wake_unbind(const void *ctx);

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

/* ------------------------------------------------------------------------
 * cache.c: the cache model (docs/cache-model.md).  A cache is one core's
 * private, incoherent view of some regions of shared memory; port_cache_flush
 * and port_cache_invd act on it line by line.
 */
struct emu_cache;

struct emu_cache_stats {
	uint64_t flushes;            /* port_cache_flush calls on a view */
	uint64_t invalidates;        /* port_cache_invd calls on a view */
	uint64_t lines_written_back; /* dirty lines written back by flushes */
	uint64_t lines_refetched;    /* lines refetched by invalidates */
	uint64_t evictions;          /* random evictions (dirty or clean) */
	uint64_t evicted_dirty;      /* ... of which wrote a dirty line back */
};

/* Default eviction probability per cache-op call, in 1/1024. */
#define EMU_CACHE_EVICT_RATE_DEFAULT 64u

/* A cache with its random evictions seeded by `seed`.  0 / -ENOMEM. */
int emu_cache_create(uint64_t seed, struct emu_cache **out);
/* Free the cache and its views (dirty lines are lost).  NULL is a no-op.
 * No thread may use its views any more. */
void emu_cache_destroy(struct emu_cache *c);
/* A private view of the `len` bytes at `shared` (target address `target`),
 * with lines of max(line, 4) bytes aligned on target addresses (line: a power
 * of two up to 4096), starting clean with the current shared contents.
 * Returns the private address of `shared`'s first byte; NULL on bad
 * arguments or no memory. */
void *emu_cache_map(struct emu_cache *c, void *shared, uint64_t target, size_t len, uint32_t line);
/* Evictions per 1024 cache-op calls (0: none; at most 1024). */
void emu_cache_set_evict_rate(struct emu_cache *c, uint32_t per_1024);
/* Counters (all zero for NULL). */
void emu_cache_get_stats(const struct emu_cache *c, struct emu_cache_stats *out);
/* Lines whose private bytes differ from what the cache last exchanged. */
size_t emu_cache_dirty_lines(const struct emu_cache *c);

/* board.c: the cache of a board built with opts->cache_model, else NULL. */
struct emu_board;
struct emu_cache *emu_board_cache(struct emu_board *b);
/* Log the cache model's figures (a no-op without the model). */
void emu_board_log_cache_stats(struct emu_board *b);

#endif /* IPC_EMU_EMU_INTERNAL_H */
