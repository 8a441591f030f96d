/*
 * ipc_icbmsg_v2.h - ICBMsg v2, the reworked ICBMsg backend of Zephyr's main
 * branch after v4.4 (same compatible "zephyr,ipc-icbmsg", PR #111878),
 * byte-compatible with it.  Wire format, our hardening and the recovery
 * semantics: docs/icbmsg.md, "ICBMsg v2".
 *
 * Each direction's region holds two queues of control words, then N <= 32
 * equal blocks owned by the sender of that direction:
 *
 *   base = roundup(reg, A)                                   end = rounddown(reg + size, A)
 *   | producer queue (Q) | consumer queue (Q) | gap | block 0 | ... | block N-1 |
 *   queue: | u32 count | u32 hi_count | u8 slot[S] | pad to Q |
 *   block: | u16 size | u8 first block index | u8 endpoint (0xFF control) | payload |
 *
 * Operations: open/close instance, send (= send_critical), register and
 * deregister endpoint (deregister tells the peer: its unbound() runs), the
 * whole no-copy API.  Receive callbacks (received, bound, unbound, error) run
 * in the MBOX interrupt context; every send may be called from it.
 */
#ifndef IPC_EMU_IPC_ICBMSG_V2_H
#define IPC_EMU_IPC_ICBMSG_V2_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipc_emu/ipc_service.h"
#include "ipc_emu/mbox.h"

/* CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT: queue slots S (never
 * exchanged on the wire: both images must use the same value). */
#define ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT 16
#define ICBMSG_V2_MAX_ACTIVE_COUNT_MIN 16
#define ICBMSG_V2_MAX_ACTIVE_COUNT_MAX 128
#define ICBMSG_V2_MAX_BLOCKS 32              /* tx-blocks / rx-blocks */
#define ICBMSG_V2_NUM_EPT_DEFAULT 4          /* CONFIG_..._ICBMSG_NUM_EP */
#define ICBMSG_V2_NUM_EPT_MAX 254
#define ICBMSG_V2_DCACHE_ALIGNMENT_DEFAULT 4 /* no dcache-alignment property */
#define ICBMSG_V2_MAX_MSG_SIZE 65535u        /* the header's size field is 16 bits */

/* Queue structure (producer and consumer alike), offsets from its start. */
#define ICBMSG_V2_Q_COUNT_OFFSET 0u    /* u32: entries ever written (wraps at 2^32) */
#define ICBMSG_V2_Q_HI_COUNT_OFFSET 4u /* u32: high-priority entries ever written (producer) */
#define ICBMSG_V2_Q_SLOTS_OFFSET 8u    /* u8 slot[S]: entry n at slot[n % S] */
#define ICBMSG_V2_SLOT_HI_PRIO 0x80u   /* producer slot bit 7: high priority */
#define ICBMSG_V2_SLOT_INDEX_MASK 0x7Fu /* producer slot bits 0-6: first block index */

/* Block header, offsets from the first block of a message (little-endian). */
#define ICBMSG_V2_BLOCK_HEADER_SIZE 4u
#define ICBMSG_V2_HDR_SIZE_OFFSET 0u  /* u16 payload size */
#define ICBMSG_V2_HDR_INDEX_OFFSET 2u /* u8 index of this (first) block */
#define ICBMSG_V2_HDR_EPT_OFFSET 3u   /* u8 receiver's endpoint slot, or ICBMSG_V2_EPT_CONTROL */
#define ICBMSG_V2_EPT_CONTROL 0xFFu

/* Instance bound packet: the first message of each side after open (16
 * bytes, control, high priority): magic1, magic2, sender's tx-blocks,
 * sender's rx-blocks (u32 LE each). */
#define ICBMSG_V2_BOUND_MAGIC1 0x456789ABu
#define ICBMSG_V2_BOUND_MAGIC2 0xAB896745u
#define ICBMSG_V2_BOUND_PACKET_SIZE 16u

/* Endpoint control packet (6 bytes, control, high priority):
 * byte 0 type, byte 1 endpoint slot, bytes 2..5 u32 LE name hash (EP_BOUND;
 * 0 in EP_UNBOUND). */
#define ICBMSG_V2_CTRL_PACKET_SIZE 6u
enum icbmsg_v2_ctrl_type {
	ICBMSG_V2_EP_BOUND = 0,   /* byte 1: the sender's own slot for the endpoint */
	ICBMSG_V2_EP_UNBOUND = 1, /* byte 1: the receiver's slot (learned from its EP_BOUND) */
};

/* Name hash: 32-bit djb2, xor variant (h = h * 33 ^ byte from 5381) over
 * strlen(name) bytes; NULL hashes to 1 (as Zephyr after PR #116161). */
#define ICBMSG_V2_HASH_NULL_NAME 1u
uint32_t icbmsg_v2_name_hash(const char *name);

/*
 * Split of one region, offsets relative to the region's first byte (its
 * reg address), all sizes of the 32-bit target (nothing depends on pointer
 * size in v2).
 */
struct icbmsg_v2_layout {
	uint32_t align;         /* A: dcache-alignment, or 4 */
	uint32_t slots;         /* S: MAX_ACTIVE_COUNT */
	uint32_t queue_size;    /* Q: one queue, 8 + S rounded up to max(A, 4) */
	uint32_t base_offset;   /* roundup(reg, A) - reg: the producer queue */
	uint32_t area_size;     /* rounddown(reg + size, A) - roundup(reg, A) */
	uint32_t cons_offset;   /* base_offset + Q: the consumer queue */
	uint32_t blocks_offset; /* block 0 (the blocks are packed against the end) */
	uint32_t block_size;    /* rounddown((area_size - 2Q) / N, A) */
	uint32_t block_count;   /* N */
	uint32_t max_payload;   /* block_size * N - 4 (Zephyr's get_tx_buffer_size) */
};

/*
 * Layout of a region at target address `addr` of `size` bytes holding
 * `blocks` blocks.  dcache_alignment 0 means the default 4.  Returns 0, or
 * -EINVAL: blocks 0 or above 32, alignment not a power of two or below 4,
 * max_active_count outside 16..128, size above 4 GiB, or a region too small
 * (blocks of less than 4 bytes, or no room for the two queues).  Pure
 * arithmetic; any context.
 */
int icbmsg_v2_layout_compute(uint64_t addr, uint64_t size, uint32_t dcache_alignment,
			     uint32_t blocks, uint32_t max_active_count,
			     struct icbmsg_v2_layout *out);

/* One region as the devicetree gives it. */
struct icbmsg_v2_region {
	uint8_t *ptr;    /* local pointer to the region's first byte */
	uint64_t addr;   /* its target address (reg), which decides the rounding */
	uint64_t size;   /* reg size in bytes */
	uint32_t blocks; /* tx-blocks for the TX region, rx-blocks for the RX region */
};

struct icbmsg_v2_config {
	struct mbox_dt_spec mbox_tx;
	struct mbox_dt_spec mbox_rx;
	struct icbmsg_v2_region tx;
	struct icbmsg_v2_region rx;
	uint32_t dcache_alignment; /* 0: 4 */
	uint32_t max_active_count; /* S, 16..128; 0: 16 */
	uint32_t num_ept;          /* endpoint slots, 1..254; 0: 4 */
	/* CONFIG_IPC_SERVICE_BACKEND_ICBMSG_DEINIT: close_instance and
	 * deregister_endpoint work and a received EP_UNBOUND unbinds; without
	 * it deregister answers -EIO, close 0 doing nothing (the ops Zephyr
	 * leaves NULL) and EP_UNBOUND is an invalid control packet. */
	bool deinit;
};

/* Instance-level problems, reported once each through the error callback
 * of every registered endpoint and the data's error_hook. */
enum icbmsg_v2_error {
	ICBMSG_V2_ERR_NONE = 0,
	ICBMSG_V2_ERR_CLASSIC_PEER = 1,   /* the peer speaks classic ICBMsg (ICMsg magic in our RX region) */
	ICBMSG_V2_ERR_BOUND_MISMATCH = 2, /* the peer's bound packet names other block counts */
	ICBMSG_V2_ERR_SLOTS_MISMATCH = 3, /* the peer's layout needs another MAX_ACTIVE_COUNT */
	ICBMSG_V2_ERR_DESYNC = 4,         /* queue counters desynchronised (peer reset?): stopped */
};

/* The one-line message of a reason (never NULL). */
const char *icbmsg_v2_error_str(enum icbmsg_v2_error why);

/* Instance states (Zephyr's numbers, plus FAILED). */
enum icbmsg_v2_state {
	ICBMSG_V2_STATE_IDLE = 0,
	ICBMSG_V2_STATE_CONNECTING = 1,
	ICBMSG_V2_STATE_CONNECTED = 2,
	ICBMSG_V2_STATE_FAILED = 3, /* after ICBMSG_V2_ERR_DESYNC: sends answer -EIO */
};

/* One endpoint slot (an array of conf->num_ept is given by the creator). */
struct icbmsg_v2_ept {
	_Atomic int state;             /* 0 unbound, 1 ready, 2 bound before bound() ran */
	const struct ipc_ept_cfg *cfg; /* local endpoint; NULL: free or pending */
	uint32_t name_hash;
	uint8_t addr;                  /* the peer's slot for it (learned from EP_BOUND) */
	bool pending;                  /* a remote EP_BOUND waiting for a local registration */
	uint32_t told;                 /* error bits already given to cfg's error() (lock) */
};

/* Counters of what a hostile, confused or mismatched peer did (relaxed). */
struct icbmsg_v2_stats {
	uint32_t rx_packets;          /* messages taken from the peer's producer queue */
	uint32_t rx_invalid_index;    /* producer slots naming no block: not consumed */
	uint32_t rx_bad_header;       /* header index/size inconsistent: consumed, dropped */
	uint32_t rx_unknown_ept;      /* data for an endpoint not bound: consumed, dropped */
	uint32_t rx_invalid_control;  /* control packets rejected: consumed */
	uint32_t rx_duplicate;        /* entries naming a buffer we hold: dropped */
	uint32_t rx_bad_hi_count;     /* hi_count disagreeing with the slots' bit 7 */
	uint32_t tx_packets;          /* messages produced */
	uint32_t tx_invalid_release;  /* consumer entries naming no message in flight */
	uint32_t tx_queue_full;       /* sends refused: S messages in flight */
	uint32_t tx_doorbell_failed;  /* MBOX sends that failed twice (message stays queued) */
	uint32_t ept_table_full;      /* remote EP_BOUND dropped: all slots used */
	uint32_t desync;              /* counter desynchronisation detected */
	uint32_t classic_peer;        /* ICMsg magic seen in our RX region */
	uint32_t bound_mismatch;      /* bound packets with other block counts or layout */
	enum icbmsg_v2_error last_error;
};

struct port_sem;

struct icbmsg_v2_data {
	/* Private, first: the atomics and the hot counters sit at small offsets,
	 * which take the short instruction forms on a Cortex-M (state at 0). */
	_Atomic int state;         /* enum icbmsg_v2_state */
	atomic_flag rx_owner;      /* one RX drain at a time */
	_Atomic bool rx_request;   /* a drain was asked for */
	atomic_flag lock;          /* queues, in-flight tables, endpoint slots */
	_Atomic uint32_t tx_usage; /* allocated TX blocks */
	_Atomic uint32_t tx_app;   /* first blocks of buffers the application owns */
	_Atomic uint32_t rx_state[2]; /* HELD, DELIVERING bits per RX block */
	_Atomic uint32_t reported;    /* bit per enum icbmsg_v2_error already reported */
	uint32_t tx_inflight;      /* first blocks of produced messages (lock) */
	uint32_t tx_active;        /* produced, not yet consumed (lock) */
	uint32_t tx_count, tx_hi_count, tx_cons_local; /* our producer / their consumer */
	uint32_t rx_count_local, rx_hi_local, rx_cons_count;
	uint32_t slots, num_ept, tx_max_blocks;
	uint32_t ep_cnt;              /* local endpoints + pending announcements (lock) */
	uint8_t *tx_prod, *tx_cons, *tx_blocks; /* we write tx_prod, read tx_cons */
	uint8_t *rx_prod, *rx_cons, *rx_blocks; /* we read rx_prod, write rx_cons */
	const struct icbmsg_v2_config *conf;
	const struct device *instance;
	struct port_sem *block_wait_sem;

	/* Set by the creator before icbmsg_v2_init(): */
	struct icbmsg_v2_ept *ept; /* conf->num_ept (or 4) entries */
	/* Optional, instance-level: called (in the context that found the
	 * problem, interrupt included) once per reason. */
	void (*error_hook)(const struct device *instance, enum icbmsg_v2_error why,
			   const char *message, void *user);
	void *error_hook_user;

	/* Private: */
	struct icbmsg_v2_layout tx_lay, rx_lay;
	uint8_t tx_nblocks[ICBMSG_V2_MAX_BLOCKS];
	_Atomic uint32_t stats[15];
	_Atomic int last_error;
};

extern const struct ipc_service_backend ipc_icbmsg_v2_backend;

/*
 * Check the configuration, compute both layouts, zero the counters of the
 * two queues this side writes (TX producer, RX consumer; as Zephyr at boot)
 * and create the port objects.  `instance` is the device whose config and
 * data these are (the MBOX callback's argument).  Returns 0, -EINVAL (bad
 * config or layout, ept NULL) or -ENOMEM.  Thread context, before open.
 */
int icbmsg_v2_init(const struct device *instance);
/* Disable RX, free what icbmsg_v2_init created.  Thread context. */
void icbmsg_v2_deinit(const struct device *instance);

/* Number of TX blocks currently allocated (0 once quiet and collected:
 * collection runs at each send/allocation, see icbmsg_v2_collect()). */
unsigned icbmsg_v2_tx_blocks_in_use(const struct device *instance);
/* Free the TX blocks the peer consumed (what every send does first). Any context. */
void icbmsg_v2_collect(const struct device *instance);
void icbmsg_v2_get_stats(const struct device *instance, struct icbmsg_v2_stats *out);
/* Current enum icbmsg_v2_state. */
int icbmsg_v2_state(const struct device *instance);

#endif /* IPC_EMU_IPC_ICBMSG_V2_H */
