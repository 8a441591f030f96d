/*
 * ipc_icbmsg.h - the classic ICBMsg ipc_service backend (Zephyr v4.0 - v4.4,
 * backends/ipc_icbmsg.c): several endpoints per instance, data in
 * shared-memory blocks, 3-byte control messages over an ICMsg channel in
 * legacy ("disable") mode.  Layout and protocol: docs/icbmsg.md.
 *
 * Operations: open_instance, send (copy, K_NO_WAIT), register/deregister
 * endpoint and the whole no-copy API.  No close_instance (as upstream).
 */
#ifndef IPC_EMU_IPC_ICBMSG_H
#define IPC_EMU_IPC_ICBMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_service.h"

#define ICBMSG_NUM_EPT_DEFAULT 4  /* CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP */
#define ICBMSG_NUM_EPT_MAX 254
#define ICBMSG_MAX_BLOCKS 256
/* Sizes on the 32-bit target, whatever the host's pointer size. */
#define ICBMSG_BLOCK_HEADER_SIZE 4u  /* u32 size in front of a buffer */
#define ICBMSG_BYTES_PER_MSG 8u      /* one control message in the ICMsg ring */
#define ICBMSG_BLOCK_ALIGNMENT 4u

/* Control message types (byte 0). */
enum icbmsg_msg_type {
	ICBMSG_MSG_DATA = 0,
	ICBMSG_MSG_RELEASE_DATA = 1,
	ICBMSG_MSG_BOUND = 2,
	ICBMSG_MSG_RELEASE_BOUND = 3,
};

/* Split of one region (offsets relative to the region's first byte). */
struct icbmsg_layout {
	uint32_t align;        /* max(4, dcache-alignment) */
	uint32_t icmsg_offset; /* aligned region start */
	uint32_t icmsg_size;   /* ICMsg pbuf size */
	uint32_t blocks_offset;
	uint32_t block_size;
	uint32_t block_count;
};

/*
 * Compute the layout of a region at target address `addr` of `size` bytes
 * holding `local` blocks, the peer's region holding `remote` blocks.
 * Returns 0, or -EINVAL (counts 0 or > 256, alignment not a power of two,
 * region too small: block < 4 bytes).  Pure arithmetic; any context.
 */
int icbmsg_layout_compute(uint64_t addr, uint64_t size, uint32_t dcache_alignment, uint32_t local,
			  uint32_t remote, struct icbmsg_layout *out);

struct icbmsg_channel {
	uint8_t *blocks_ptr;  /* local pointer to block 0 */
	uint32_t block_size;
	uint32_t block_count;
};

struct icbmsg_config {
	struct icmsg_config_t control_config; /* unbound_mode must be DISABLE */
	struct icbmsg_channel rx;
	struct icbmsg_channel tx;
	uint32_t num_ept;      /* endpoints per instance, 1..254 */
	bool is_initiator;     /* our RX blocks lie below our TX blocks */
};

struct icbmsg_ept {
	const struct ipc_ept_cfg *cfg;
	_Atomic int state;   /* bounding state */
	_Atomic int rebound; /* deregistration state */
	uint8_t addr;        /* endpoint address on the wire */
};

struct port_mutex;
struct port_sem;
struct port_work;

/* Counters of what a hostile or confused peer did (relaxed reads). */
struct icbmsg_stats {
	uint32_t rx_invalid;          /* control messages rejected (bad index/size/addr) */
	uint32_t rx_released_unknown; /* data for unknown/deregistered endpoints, released */
	uint32_t rx_bound_released;   /* stray/duplicate MSG_BOUND buffers released */
};

struct icbmsg_data {
	/* Set by the creator (arrays of conf->num_ept entries, and the ICMsg
	 * control channel's rings and RX buffer in control_data): */
	struct icmsg_data_t control_data;
	struct icbmsg_ept *ept;
	uint8_t *ept_map;        /* remote address -> local endpoint index */
	uint16_t *waiting_bound; /* follower: address -> RX block of a MSG_BOUND */

	/* Private: */
	const struct icbmsg_config *conf;
	struct port_mutex *mutex;       /* ICMsg send and waiting_bound */
	struct port_mutex *bitmap_lock; /* tx_usage */
	struct port_sem *block_wait_sem;
	struct port_work *ep_bound_work;
	uint32_t tx_usage[ICBMSG_MAX_BLOCKS / 32];
	_Atomic uint32_t rx_state[ICBMSG_MAX_BLOCKS / 16]; /* HELD, DELIVERING per block */
	_Atomic uint32_t flags; /* CONTROL_BOUND bit, endpoint count */
	_Atomic bool closing;   /* deinit: blocked allocations give up */
	_Atomic uint32_t stats[3];
};

extern const struct ipc_service_backend ipc_icbmsg_backend;

/* Allocate port objects and reset tables.  0 / -EINVAL / -ENOMEM. */
int icbmsg_init(const struct icbmsg_config *conf, struct icbmsg_data *data);
/* Close the control channel and free what icbmsg_init allocated. */
void icbmsg_deinit(struct icbmsg_data *data);

/* Number of TX blocks currently allocated (0 after quiescence). */
unsigned icbmsg_tx_blocks_in_use(struct icbmsg_data *data);
void icbmsg_get_stats(const struct icbmsg_data *data, struct icbmsg_stats *out);

#endif /* IPC_EMU_IPC_ICBMSG_H */
