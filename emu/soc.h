/*
 * soc.h - one shared-memory segment for a whole multi-core SoC (private to
 * ipc-emu: emu/ and cli/).
 *
 * A SoC segment is one memory image spanning the regions of all the links
 * of a topology, at their devicetree addresses, and one control block
 * (layout: struct emu_soc_ctl, emu/ctl.h) holding one interrupt context
 * per core - its pending word, doorbell, status - and each link's own
 * registers.  A link is used through a view: an ordinary struct
 * emu_segment whose memory is the link's span of the image, whose control
 * block is the link's, and whose two doorbell records are those of its two
 * cores.  Cores started on the views of one core's links in one process
 * share that core's interrupt thread (emu/core.c).
 */
#ifndef IPC_EMU_EMU_SOC_H
#define IPC_EMU_EMU_SOC_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/emu.h"

#define EMU_SOC_MAX_CORES 8u
#define EMU_SOC_MAX_LINKS 64u

struct emu_soc;

struct emu_soc_cfg {
	uint64_t mem_base; /* target address of the image's first byte */
	uint32_t mem_size;
	enum emu_doorbell doorbell;
	unsigned n_core;   /* 2..EMU_SOC_MAX_CORES */
	unsigned n_link;   /* 1..EMU_SOC_MAX_LINKS */
	struct {
		uint64_t base; /* the link's span: inside [mem_base, mem_base+mem_size) */
		uint32_t size;
		unsigned core[2]; /* its host's and its remote's core index, different */
	} link[EMU_SOC_MAX_LINKS];
};

/* Descriptors a core process inherits (-1 = none). */
struct emu_soc_fds {
	int mem;
	int ctl;
	int efd[EMU_SOC_MAX_CORES]; /* eventfd doorbell of each core (eventfd mode) */
};

/* Create, with a unique name "ipc-emu-<pid>-soc<n>".  All descriptors are
 * close-on-exec.  -EINVAL (bad cfg), -ENOSPC, other -errno. */
int emu_soc_create(const struct emu_soc_cfg *cfg, struct emu_soc **out);
/* Attach through inherited descriptors (dup'ed).  -EPROTO: not a valid SoC
 * control block (every field is checked against the objects' sizes). */
int emu_soc_attach_fds(const struct emu_soc_fds *fds, struct emu_soc **out);
void emu_soc_get_fds(const struct emu_soc *soc, struct emu_soc_fds *out);
/* The descriptors as one string "MEM,CTL[,EFD0,...]" (the eventfds of the
 * n_core cores, eventfd mode only) for a child's command line or
 * environment, and back.  parse: 0 or -EINVAL (not that shape). */
void emu_soc_fds_format(const struct emu_soc_fds *fds, unsigned n_core, char *out, size_t len);
int emu_soc_fds_parse(const char *spec, struct emu_soc_fds *out);
/* Close the descriptors of a parsed spec (those above stderr). */
void emu_soc_fds_close(const struct emu_soc_fds *fds);
/* Remove both names from /dev/shm now (mappings stay valid).  Idempotent. */
int emu_soc_unlink(struct emu_soc *soc);
const char *emu_soc_name(const struct emu_soc *soc);
unsigned emu_soc_links(const struct emu_soc *soc);
unsigned emu_soc_cores(const struct emu_soc *soc);
/* Map the image at its devicetree address in this process (a program on
 * Zephyr's own IPC sources, whose pointers come from DT_REG_ADDR), in place
 * of its first mapping: views made before keep the old address, so make
 * them after.  0, or -errno with one line in err. */
int emu_soc_map_at_base(struct emu_soc *soc, char *err, size_t errlen);
/* A view of link `link`, for emu_core_start(), boards and the supervisor.
 * Close it with emu_segment_close() before the SoC.  -EINVAL, -ENOMEM. */
int emu_soc_link(struct emu_soc *soc, unsigned link, struct emu_segment **view);
/* Unmap and close; the creator also unlinks.  NULL is a no-op. */
void emu_soc_close(struct emu_soc *soc);
/* Hold the interrupt context of the SoC core that is `role` of a view:
 * started now if no core of that SoC core runs in this process (the core's
 * boot: its latched signals dropped, its boot count + 1), kept while held
 * even when no core runs on it, so that cores of its links that start and
 * stop at different times are one boot of that core.  -EINVAL (not a
 * view), -EOPNOTSUPP (eventfd doorbell unknown), -EDEADLK (from a SoC
 * core's interrupt thread), -ENOMEM. */
struct emu_core_hold;
int emu_core_hold(struct emu_segment *view, enum emu_role role, struct emu_core_hold **out);
/* Release a hold; the last user stops the context.  NULL is a no-op. */
void emu_core_release(struct emu_core_hold *h);
/* The core index of `role` of a view, or -1 (not a view). */
int emu_segment_soc_core(const struct emu_segment *s, enum emu_role role);

#endif /* IPC_EMU_EMU_SOC_H */
