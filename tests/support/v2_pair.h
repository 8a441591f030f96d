/*
 * Test support for ICBMsg v2: two emulated cores on one uniquely named
 * segment, each with a v2 instance built directly (no board): host TX region
 * at V2_BASE, host RX region right after it, channels 2 (host -> remote) and
 * 3 (remote -> host).  A side may also be left without an instance, so that
 * the test plays that peer by writing the shared memory itself.
 */
#ifndef IPC_EMU_TESTS_V2_PAIR_H
#define IPC_EMU_TESTS_V2_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_emu/emu.h"
#include "emu_internal.h"
#include "ipc_emu/ipc_icbmsg_v2.h"

#define V2_BASE 0x20070000u
#define V2_HOST 0
#define V2_REMOTE 1

struct v2_opts {
	uint32_t region_size;  /* each direction; 0: 0x4000 */
	uint32_t host_tx_blocks, host_rx_blocks; /* 0: 16, 24 */
	uint32_t dcache_alignment;               /* 0: absent (4) */
	uint32_t slots[2];                       /* MAX_ACTIVE_COUNT per side; 0: 16 */
	uint32_t num_ept;                        /* 0: 4 */
	bool no_deinit;                          /* CONFIG_..._DEINIT=n */
	/* Each side sees both regions through its own incoherent cache
	 * (emu/cache.c, lines of max(dcache_alignment, 4) bytes), evicting a
	 * random line at evict_rate/1024 of its cache operations. */
	bool cache_model;
	uint32_t evict_rate;
};

struct v2_side {
	struct icbmsg_v2_config conf;
	struct icbmsg_v2_data data;
	struct icbmsg_v2_ept ept[16];
	struct device dev;
	bool up;
};

struct v2_pair {
	struct emu_segment *seg;
	struct emu_core *core[2];
	struct v2_side side[2];
	struct v2_opts o;
	struct emu_cache *cache[2]; /* o.cache_model */
};

/* Segment and both cores; no instance yet. */
void v2_pair_setup(struct v2_pair *p, const char *tag, const struct v2_opts *o);
/* Build and init the instance of `role` (asserts 0). */
void v2_side_init(struct v2_pair *p, int role);
/* Deinit what runs, stop the cores, close the segment. */
void v2_pair_teardown(struct v2_pair *p);
/* Local pointer to a region (shared memory, never a cache view): role's TX
 * (tx true) or RX region. */
uint8_t *v2_region(struct v2_pair *p, int role, bool tx);
/* The layout of that region as `role` computes it. */
void v2_layout(struct v2_pair *p, int role, bool tx, struct icbmsg_v2_layout *out);
/* Ring the doorbell `role` receives on (as its peer would). */
void v2_ring(struct v2_pair *p, int role);

#endif
