/*
 * topology.h - more than two cores: one devicetree per core, links found by
 * matching shared-memory regions across the files (docs/multicore.md).
 *
 * A link is one ICMsg/ICBMsg instance pair: an instance of core X whose
 * tx-region is the rx-region of an instance of core Y and whose rx-region is
 * that instance's tx-region.  Each link runs as its own two-core unit (its
 * own segment, its own scenario), the core listed first as its host; a core
 * process runs all the links it takes part in.  So an nRF54H20-like SoC
 * (app <-> rad ICMsg + ICBMsg, app <-> ppr ICMsg, app <-> flpr ICMsg) is four
 * cores and four links.
 *
 * The topology is refused, with one line naming the files and nodes, when:
 *   - a region of an instance is used by no instance of another core
 *     ("dangling"), or only half-matched (tx matches, rx does not);
 *   - a region pair is matched by instances of two other cores;
 *   - two links of one core use the same MBOX channel of the same controller;
 *   - regions of different links overlap;
 *   - a core has no link;
 *   - a link's two views fail emu_dt_check_pair() (labels, channels swapped,
 *     block counts, alignment ...), the message prefixed with both files;
 *   - two cores have the same name, or a name is not [A-Za-z0-9_]{1,31}.
 */
#ifndef IPC_EMU_TOPOLOGY_H
#define IPC_EMU_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EMU_TOPO_MAX_CORES 8
/* One link per ICMsg/ICBMsg instance pair: at most EMU_DT_MAX_INST per core. */
#define EMU_TOPO_MAX_LINKS (EMU_TOPO_MAX_CORES * EMU_DT_MAX_INST / 2)
#define EMU_TOPO_NAME_LEN 32 /* core name incl. NUL */

struct emu_topo_core {
	char name[EMU_TOPO_NAME_LEN]; /* --core NAME=FILE, else the file's base name
				       * without its extension ("cpuapp.dts" -> "cpuapp") */
	char path[256];               /* the devicetree file */
	struct emu_dt_plan plan;      /* the whole file, as emu_dt_load_file() read it */
	unsigned n_link;              /* links this core takes part in */
};

struct emu_topo_link {
	unsigned core[2];  /* indices into emu_topo.core: [0] is the link's host (the
			    * core listed first), [1] its remote */
	char name[2 * EMU_TOPO_NAME_LEN + 34]; /* "HOSTCORE-REMOTECORE.LABEL", e.g.
						* "cpuapp-cpurad.ipc0" */
	/* The link as each core sees it: a plan with that one instance, its MBOX
	 * controller (index 0) with tx/rx masks of the instance's two channels
	 * only, no MBOX consumer, no IPM device; base/size cover the instance's
	 * two regions.  emu_dt_check_pair(&plan[0], &plan[1]) holds. */
	struct emu_dt_plan plan[2];
};

struct emu_topo {
	unsigned n_core;
	struct emu_topo_core core[EMU_TOPO_MAX_CORES];
	unsigned n_link;   /* in order of core[0], then instance order in its file */
	struct emu_topo_link link[EMU_TOPO_MAX_LINKS];
	uint64_t base;     /* the SoC's IPC memory: lowest region address of all links */
	uint64_t size;     /* bytes from base to the end of the highest region */
	/* First warning ("" if none), one line naming the file, e.g. an MBOX
	 * consumer or IPM device, which belong to no link and are not run. */
	char warning[256];
	unsigned n_warnings;
};

/* One core on the command line: `--core NAME=FILE`, or a file of
 * `--dts A,B,C` (name NULL: from the file name). */
struct emu_topo_core_spec {
	const char *name;
	const char *path;
};

/* Load 2..EMU_TOPO_MAX_CORES devicetrees and match their links.  `out` is
 * large (several hundred KiB): allocate it.  opts as emu_dt_load_file_opts()
 * (NULL: defaults).  0, or -EINVAL / -ENOENT / -ENOEXEC ... (as
 * emu_dt_load_file) with one line in err naming the files and nodes. */
int emu_topo_load(const struct emu_topo_core_spec *cores, unsigned n,
		  const struct emu_dt_load_opts *opts, struct emu_topo *out, char *err,
		  size_t errlen);

/* Index of the core named `name`, or -1. */
int emu_topo_find_core(const struct emu_topo *t, const char *name);
/* The plan of one end of a link, as emu_topo_load() makes it: instance
 * `inst` of a core's plan alone, its MBOX controller as #0 with the
 * instance's two channels only, base/size covering its two regions (what a
 * user program on a core of a multi-core run boards per link).  An index
 * out of range gives an empty plan (n_inst 0). */
void emu_topo_inst_plan(const struct emu_dt_plan *core, unsigned inst, struct emu_dt_plan *out);

#ifdef __cplusplus
}
#endif

#endif /* IPC_EMU_TOPOLOGY_H */
