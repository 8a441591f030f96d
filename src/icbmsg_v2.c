/*
 * icbmsg_v2.c - ICBMsg v2 (Zephyr main after v4.4), wire-compatible.
 *
 * Each direction's region starts with two queues of control words, then N
 * (<= 32) equal blocks that the sender of the direction allocates:
 *
 *   base = roundup(reg, A)                              end = rounddown(reg + size, A)
 *   +----------------+----------------+-----+---------+-----+-----------+
 *   | producer queue | consumer queue | gap | block 0 | ... | block N-1 |
 *   +----------------+----------------+-----+---------+-----+-----------+
 *   |<----- Q ------>|<----- Q ------>|     ^ end - N * block
 *
 *   queue:  | u32 count | u32 hi_count | u8 slot[S] | pad |   entry n in slot[n % S]
 *   block:  | u16 size | u8 index | u8 ept | payload[size] ... following blocks |
 *
 * The sender writes the producer queue (first block index, bit 7 = high
 * priority) and rings the doorbell; the receiver writes the consumer queue
 * (the index of a message it is done with) and rings nothing: the sender
 * collects consumed blocks whenever it sends or allocates.  (Off the wire,
 * port_consumed() may wake a sender of ours that waits for blocks.)  ept 0xFF marks
 * control packets: the 16-byte instance bound packet (two magics and the
 * block counts), then EP_BOUND (slot, name hash) and EP_UNBOUND (slot).
 *
 * Every word written by the peer is read once into a local and validated
 * before use: queue counts against S and against what we have in flight,
 * slot indices against N, block headers (index, size, endpoint) against the
 * area.  What the sender needs to free a message (its first block and block
 * count) is kept in private memory, never read back from shared memory.
 * Bad entries are counted (icbmsg_v2_get_stats()); instance-level problems
 * go to the error callbacks once (enum icbmsg_v2_error).
 *
 * Receive runs in the MBOX callback (the interrupt context); one drain at a
 * time (rx_owner), and a drain re-reads the producer count until it stops
 * moving, so a doorbell rung while draining is never lost (zephyr#117403).
 * Sends run in any context; the shared tables are guarded by a short spin
 * lock (the core has no interrupt lock: on the host the interrupt context
 * is a thread, so spinning makes progress).  No callback runs under it.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "ipc_atomic.h"
#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "port.h"

enum stat {
	ST_RX_PACKETS,
	ST_RX_INVALID_INDEX,
	ST_RX_BAD_HEADER,
	ST_RX_UNKNOWN_EPT,
	ST_RX_INVALID_CONTROL,
	ST_RX_DUPLICATE,
	ST_RX_BAD_HI,
	ST_TX_PACKETS,
	ST_TX_INVALID_RELEASE,
	ST_TX_QUEUE_FULL,
	ST_TX_DOORBELL,
	ST_EPT_FULL,
	ST_DESYNC,
	ST_CLASSIC,
	ST_BOUND_MISMATCH,
	ST_COUNT
};
_Static_assert(ST_COUNT == sizeof(((struct icbmsg_v2_data *)0)->stats) / sizeof(uint32_t),
	       "one counter per stat");
_Static_assert(offsetof(struct icbmsg_v2_stats, rx_invalid_index) == 4u * ST_RX_INVALID_INDEX &&
		       offsetof(struct icbmsg_v2_stats, tx_packets) == 4u * ST_TX_PACKETS &&
		       offsetof(struct icbmsg_v2_stats, bound_mismatch) == 4u * ST_BOUND_MISMATCH &&
		       offsetof(struct icbmsg_v2_stats, last_error) == 4u * ST_COUNT,
	       "struct icbmsg_v2_stats follows enum stat");

/* icbmsg_v2_init() zeroes all but the creator's three fields, which sit
 * together between the private parts. */
_Static_assert(offsetof(struct icbmsg_v2_data, error_hook) ==
			       offsetof(struct icbmsg_v2_data, ept) + sizeof(void *) &&
		       offsetof(struct icbmsg_v2_data, error_hook_user) ==
			       offsetof(struct icbmsg_v2_data, error_hook) + sizeof(void *) &&
		       offsetof(struct icbmsg_v2_data, tx_lay) ==
			       offsetof(struct icbmsg_v2_data, error_hook_user) + sizeof(void *),
	       "the creator's fields of struct icbmsg_v2_data are contiguous");

/* Endpoint slot states: BINDING is bound on the wire with bound() not yet
 * called; whoever moves it to READY calls bound() (exactly once). */
enum { EPT_UNBOUND = 0, EPT_READY = 1, EPT_BINDING = 2 };

#define HDR_SIZE ICBMSG_V2_BLOCK_HEADER_SIZE

/* ------------------------------------------------------------------ small helpers */

__attribute__((noinline)) static void stat_inc(struct icbmsg_v2_data *d, int which)
{
	atomic_fetch_add_explicit(&d->stats[which], 1, memory_order_relaxed);
}

/* Out of line (here and below): an atomic is an exclusive-access loop on a
 * Cortex-M, large when inlined at every call. */
__attribute__((noinline)) static void lock(struct icbmsg_v2_data *d)
{
	unsigned spins = 0;

	while (atomic_flag_test_and_set_explicit(&d->lock, memory_order_acquire)) {
		/* Held for a few stores by another thread (or the emulated
		 * interrupt thread): let it run. */
		if (++spins % 64u == 0) {
			port_sleep_ms(0);
		}
	}
}

__attribute__((noinline)) static void unlock(struct icbmsg_v2_data *d)
{
	atomic_flag_clear_explicit(&d->lock, memory_order_release);
}

/* Read-modify-write of a word of bits, out of line; the old value. */
__attribute__((noinline)) static uint32_t fetch_or(_Atomic uint32_t *p, uint32_t bits)
{
	return atomic_fetch_or(p, bits);
}

__attribute__((noinline)) static uint32_t fetch_and(_Atomic uint32_t *p, uint32_t bits)
{
	return atomic_fetch_and(p, bits);
}

static volatile uint32_t *word(uint8_t *p)
{
	return (volatile uint32_t *)(void *)p;
}

/* Slot bytes: single-byte atomics (the peer reads them concurrently; the
 * count's release store orders them). */
static uint8_t ld8(const uint8_t *p)
{
	return atomic_load_explicit((const volatile _Atomic uint8_t *)p, memory_order_relaxed);
}

static void st8(uint8_t *p, uint8_t v)
{
	atomic_store_explicit((volatile _Atomic uint8_t *)p, v, memory_order_relaxed);
}

/* Wire words are little-endian, as every target of ours; a big-endian CPU
 * swaps.  Through the builtin copy: any alignment, one load or store where
 * the CPU allows it (also in a freestanding build). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE32(v) __builtin_bswap32(v)
#else
#define LE32(v) (v)
#endif

static uint32_t le32(const uint8_t *b)
{
	uint32_t v;

	__builtin_memcpy(&v, b, sizeof(v));
	return LE32(v);
}

static void put_le32(uint8_t *b, uint32_t v)
{
	v = LE32(v);
	__builtin_memcpy(b, &v, sizeof(v));
}

/* n blocks from `first` (1 <= n <= 32: every caller has at least one). */
static uint32_t mask_of(uint32_t first, uint32_t n)
{
	return ~0u >> (32u - n) << first;
}

uint32_t icbmsg_v2_name_hash(const char *name)
{
	uint32_t h = 5381;

	if (name == NULL) {
		return ICBMSG_V2_HASH_NULL_NAME;
	}
	while (*name != '\0') {
		h = (h * 33u) ^ (uint8_t)*name++;
	}
	return h;
}

const char *icbmsg_v2_error_str(enum icbmsg_v2_error why)
{
	static const char *const str[] = {
		[ICBMSG_V2_ERR_NONE] = "no error",
		[ICBMSG_V2_ERR_CLASSIC_PEER] = "peer speaks classic ICBMsg",
		[ICBMSG_V2_ERR_BOUND_MISMATCH] = "peer's bound packet names other tx-blocks/rx-blocks",
		[ICBMSG_V2_ERR_SLOTS_MISMATCH] =
			"peer uses another MAX_ACTIVE_COUNT (its queue layout differs)",
		[ICBMSG_V2_ERR_DESYNC] = "queue counters desynchronised (peer reset?): instance stopped",
	};

	return str[(unsigned)why < sizeof(str) / sizeof(str[0]) ? why : ICBMSG_V2_ERR_NONE];
}

/* ------------------------------------------------------------------ layout */

/*
 * The alignment is a power of two and the region below 4 GiB, so rounding is
 * masking, and everything is a 32-bit offset from addr (its low bits decide
 * the rounding); only the overflow check needs 64 bits.
 */
int icbmsg_v2_layout_compute(uint64_t addr, uint64_t size, uint32_t dcache_alignment,
			     uint32_t blocks, uint32_t max_active_count,
			     struct icbmsg_v2_layout *out)
{
	uint32_t a = dcache_alignment != 0 ? dcache_alignment : ICBMSG_V2_DCACHE_ALIGNMENT_DEFAULT;
	uint32_t mask = a - 1u, begin, end, area, q, block;

	if (out == NULL || blocks == 0 || blocks > ICBMSG_V2_MAX_BLOCKS || a < 4 ||
	    (a & mask) != 0 || max_active_count < ICBMSG_V2_MAX_ACTIVE_COUNT_MIN ||
	    max_active_count > ICBMSG_V2_MAX_ACTIVE_COUNT_MAX || size > UINT32_MAX ||
	    addr > UINT64_MAX - size) {
		return -EINVAL;
	}
	/* roundup(addr) - addr and rounddown(addr + size) - addr: */
	begin = (uint32_t)-addr & mask;
	end = (uint32_t)size - (((uint32_t)addr + (uint32_t)size) & mask);
	/* One queue: 8-byte header and S slots, padded to the alignment (the
	 * C struct pads to 4 when A is 4).  a <= 2^31 and S <= 128: no wrap
	 * unless a = 2^31, and then q = 0 fails the check below (end - begin
	 * < 2^32 cannot hold two 2^31-byte queues and a block anyway). */
	q = (8u + max_active_count + mask) & ~mask;
	if ((uint32_t)size < a || end <= begin || q == 0) {
		return -EINVAL;
	}
	area = end - begin;
	if (area / 2u < q) {
		return -EINVAL;
	}
	block = ((area - 2u * q) / blocks) & ~mask;
	if (block < 4) {
		return -EINVAL;
	}
	out->align = a;
	out->slots = max_active_count;
	out->queue_size = q;
	out->base_offset = begin;
	out->area_size = area;
	out->cons_offset = begin + q;
	out->blocks_offset = end - block * blocks;
	out->block_size = block;
	out->block_count = blocks;
	out->max_payload = block * blocks - HDR_SIZE;
	return 0;
}

/* ------------------------------------------------------------------ errors */

/* Give the error() of endpoint slot e the errors in `bits` it has not heard
 * of: each endpoint hears of each error once, also while it registers and
 * replays what was reported before (the lock orders the two). */
static void tell(struct icbmsg_v2_data *d, struct icbmsg_v2_ept *e, uint32_t bits)
{
	const struct ipc_ept_cfg *cfg;

	lock(d);
	cfg = e->cfg;
	bits &= ~e->told;
	e->told |= bits;
	unlock(d);
	for (uint32_t why = 1; cfg != NULL && cfg->cb.error != NULL && (bits >> why) != 0; why++) {
		if (bits & (1u << why)) {
			cfg->cb.error(icbmsg_v2_error_str((enum icbmsg_v2_error)why), cfg->priv);
		}
	}
}

/* Count `stat`, then report `why` once: log, error_hook, every endpoint. */
static void report(struct icbmsg_v2_data *d, enum icbmsg_v2_error why, int stat)
{
	uint32_t bit = 1u << why;

	stat_inc(d, stat);
	atomic_store(&d->last_error, (int)why);
	if (fetch_or(&d->reported, bit) & bit) {
		return;
	}
	port_log(PORT_LOG_ERR, "icbmsg_v2: %s: %s", d->instance->name, icbmsg_v2_error_str(why));
	if (d->error_hook != NULL) {
		d->error_hook(d->instance, why, icbmsg_v2_error_str(why), d->error_hook_user);
	}
	for (struct icbmsg_v2_ept *e = d->ept; e < d->ept + d->num_ept; e++) {
		tell(d, e, bit);
	}
}

static void fail_desync(struct icbmsg_v2_data *d)
{
	if (atomic_exchange(&d->state, ICBMSG_V2_STATE_FAILED) == ICBMSG_V2_STATE_FAILED) {
		return; /* found by another context first */
	}
	report(d, ICBMSG_V2_ERR_DESYNC, ST_DESYNC);
}

/* ------------------------------------------------------------------ TX blocks */

static uint8_t *tx_block(struct icbmsg_v2_data *d, uint32_t index)
{
	return d->tx_blocks + (size_t)index * d->tx_lay.block_size;
}

static uint32_t blocks_for(uint32_t block_size, uint32_t size)
{
	return (size + HDR_SIZE + block_size - 1u) / block_size;
}

/* Largest payload of one message: the blocks allowed by the 16-bit size. */
static uint32_t tx_max_size(const struct icbmsg_v2_data *d)
{
	uint32_t max = d->tx_max_blocks * d->tx_lay.block_size - HDR_SIZE;

	return max > ICBMSG_V2_MAX_MSG_SIZE ? ICBMSG_V2_MAX_MSG_SIZE : max;
}

/* Claim n contiguous free blocks; the first index, or -1. */
/*
 * Queue words and the cache.  A queue has one writer, but its count and its
 * slots can lie in different cache lines (A = 4 or 8: the count's line is
 * 0..A-1, the slots start at offset 8), and a flush of the whole queue writes
 * its lines back one after the other, count line first; a line can also be
 * evicted on its own at any time.  So a single store-all-then-flush can show
 * the peer a new count beside a stale slot (it then frees or reads the wrong
 * block).  The writer makes the slot reach memory before the count that
 * covers it; the reader fetches the count before the slots, so every slot
 * below the count it saw is at least as new.  Same bytes on the wire.
 */
static void queue_publish(uint8_t *q, uint32_t slots, uint32_t n, uint8_t slot,
			  const uint32_t *hi_count)
{
	uint8_t *at = q + ICBMSG_V2_Q_SLOTS_OFFSET + n % slots;

	st8(at, slot);
	port_cache_flush(at, 1);
	if (hi_count != NULL) {
		ipc_store_relaxed(word(q + ICBMSG_V2_Q_HI_COUNT_OFFSET), *hi_count);
		port_cache_flush(q + ICBMSG_V2_Q_HI_COUNT_OFFSET, 4);
	}
	/* Publishes the slot (and, in the producer queue, the header and
	 * payload flushed before); pairs with the peer's acquire load. */
	ipc_store_release(word(q), n + 1u);
	port_cache_flush(q, 4);
}

/* The peer's count of queue `q`, then its slots fetched anew. */
static uint32_t queue_read_count(uint8_t *q, uint32_t slots)
{
	uint32_t count;

	port_cache_invd(q, ICBMSG_V2_Q_SLOTS_OFFSET);
	count = ipc_load_acquire(word(q));
	port_cache_invd(q + ICBMSG_V2_Q_SLOTS_OFFSET, slots);
	return count;
}

/* alloc_tx(): collects after short sleeps (a yield, then 8 us doubling)
 * until they reach this, then it polls each millisecond.  A port with a
 * consumer wake (port_wait_consumed()) sleeps as long, but is woken early
 * when a peer of ours consumes. */
#define ALLOC_PAUSE_MAX_US 1000u

static int claim(struct icbmsg_v2_data *d, uint32_t n)
{
	uint32_t used = atomic_load(&d->tx_usage);

	for (;;) {
		uint32_t i = 0;

		while (i + n <= d->tx_lay.block_count && (used & mask_of(i, n)) != 0) {
			i++;
		}
		if (i + n > d->tx_lay.block_count) {
			return -1;
		}
		if (atomic_compare_exchange_weak(&d->tx_usage, &used, used | mask_of(i, n))) {
			return (int)i;
		}
	}
}

static void free_blocks(struct icbmsg_v2_data *d, uint32_t first, uint32_t n)
{
	fetch_and(&d->tx_usage, ~mask_of(first, n));
	port_sem_give(d->block_wait_sem);
}

/* Free what the peer consumed.  Caller holds the lock; false when the
 * consumer count cannot be right (the caller then fails the instance). */
static bool collect_locked(struct icbmsg_v2_data *d)
{
	uint32_t count, n;

	/* Count first, then the slots (see queue_read_count()). */
	count = queue_read_count(d->tx_cons, d->slots);
	n = count - d->tx_cons_local;
	if (n > d->tx_active) {
		port_log(PORT_LOG_ERR, "icbmsg_v2: %s: consumer count %u, expected %u..%u",
			 d->instance->name, (unsigned)count, (unsigned)d->tx_cons_local,
			 (unsigned)(d->tx_cons_local + d->tx_active));
		return false;
	}
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = ld8(d->tx_cons + ICBMSG_V2_Q_SLOTS_OFFSET + d->tx_cons_local % d->slots);

		d->tx_cons_local++;
		if (i >= d->tx_lay.block_count || !(d->tx_inflight & (1u << i))) {
			stat_inc(d, ST_TX_INVALID_RELEASE);
			continue;
		}
		d->tx_inflight &= ~(1u << i);
		d->tx_active--;
		free_blocks(d, i, d->tx_nblocks[i]);
	}
	return true;
}

/* Collect; the consumer count collected up to (what a wait compares). */
static uint32_t collect(struct icbmsg_v2_data *d)
{
	uint32_t seen;
	bool ok;

	if (atomic_load(&d->state) == ICBMSG_V2_STATE_FAILED) {
		return 0; /* (alloc_tx() then stops) */
	}
	lock(d);
	ok = collect_locked(d);
	seen = d->tx_cons_local;
	unlock(d);
	if (!ok) {
		fail_desync(d);
	}
	return seen;
}

void icbmsg_v2_collect(const struct device *instance)
{
	(void)collect(instance->data);
}

/*
 * Allocate a message of `size` payload bytes (0: the largest free run) for
 * endpoint byte `ept`, waiting as `wait` says (never in interrupt context).
 * Returns the first block and sets *got to the usable size; -ENOMEM (no
 * room, or timed out); -EIO (the instance failed meanwhile).
 */
static int alloc_tx(struct icbmsg_v2_data *d, uint32_t size, k_timeout_t wait, uint8_t ept,
		    uint32_t *got)
{
	uint32_t bs = d->tx_lay.block_size, n = 0, start = port_uptime_ms();
	bool collected = false, can_wait = wait.ms != 0 && !port_in_isr();
	uint32_t pause_us = 0, seen = 0;
	int i;

	if (size > tx_max_size(d)) {
		return -ENOMEM;
	}
	for (;;) {
		if (size == 0) {
			for (n = d->tx_max_blocks, i = -1; n > 0 && (i = claim(d, n)) < 0; n--) {
			}
		} else {
			n = blocks_for(bs, size);
			i = claim(d, n);
		}
		if (i >= 0) {
			break;
		}
		if (!collected) {
			collected = true;
		} else if (!can_wait ||
			   (wait.ms > 0 && (int32_t)(port_uptime_ms() - start) >= wait.ms)) {
			return -ENOMEM;
		} else {
			/* Consumption rings no doorbell.  A streaming peer frees
			 * blocks within microseconds: look again after giving the
			 * CPU away, then after sleeps of 8, 16 ... 512 us, then
			 * each millisecond - woken early by the port when a peer
			 * of ours consumes, or (no such port) by a local free. */
			if (!port_wait_consumed(d->conf->mbox_tx.dev, d->tx_cons, seen, pause_us)) {
				if (pause_us < ALLOC_PAUSE_MAX_US) {
					port_sleep_us(pause_us);
				} else {
					(void)port_sem_take(d->block_wait_sem, 1);
				}
			}
			pause_us = pause_us == 0 ? 8u : pause_us < ALLOC_PAUSE_MAX_US ? 2u * pause_us : pause_us;
		}
		seen = collect(d);
		if (atomic_load(&d->state) == ICBMSG_V2_STATE_FAILED) {
			return -EIO;
		}
	}
	d->tx_nblocks[i] = (uint8_t)n;
	*got = n * bs - HDR_SIZE;
	if (*got > ICBMSG_V2_MAX_MSG_SIZE) {
		*got = ICBMSG_V2_MAX_MSG_SIZE;
	}
	ipc_store_relaxed(word(tx_block(d, (uint32_t)i)), *got | (uint32_t)i << 16 | (uint32_t)ept << 24);
	return i;
}

/* Append first block `index` to our producer queue.  -ENOMEM when S
 * messages are in flight even after collecting; -EIO on desync. */
static int produce(struct icbmsg_v2_data *d, uint32_t index, bool hi)
{
	uint8_t *q = d->tx_prod;
	int rc = 0;

	lock(d);
	if (d->tx_active >= d->slots) {
		rc = !collect_locked(d) ? -EIO : d->tx_active >= d->slots ? -ENOMEM : 0;
	}
	if (rc == 0) {
		if (hi) {
			++d->tx_hi_count;
		}
		queue_publish(q, d->slots, d->tx_count,
			      (uint8_t)(index | (hi ? ICBMSG_V2_SLOT_HI_PRIO : 0u)),
			      hi ? &d->tx_hi_count : NULL);
		d->tx_count++;
		d->tx_inflight |= 1u << index;
		d->tx_active++;
	}
	unlock(d);
	if (rc == -EIO) {
		fail_desync(d);
	} else if (rc == -ENOMEM) {
		stat_inc(d, ST_TX_QUEUE_FULL);
	}
	return rc;
}

/* Whom a message goes to: the receiver's endpoint byte, and bit 8 for high
 * priority (what sendable() returns; control packets are WHO_CONTROL). */
#define WHO_HI 0x100u
#define WHO_CONTROL (ICBMSG_V2_EPT_CONTROL | WHO_HI)

/*
 * Send the message at `index` with `size` payload bytes to `who`: shrink
 * its allocation, write the header, flush, produce, ring.  0, or the error
 * of produce() with the (shrunk) blocks still allocated.
 */
static int send_packet(struct icbmsg_v2_data *d, uint32_t index, uint32_t size, uint32_t who)
{
	uint8_t *block = tx_block(d, index);
	uint32_t n = blocks_for(d->tx_lay.block_size, size), ept = who & 0xFFu;
	bool hi = (who & WHO_HI) != 0;
	int rc;

	if (n < d->tx_nblocks[index]) {
		free_blocks(d, index + n, d->tx_nblocks[index] - n);
		d->tx_nblocks[index] = (uint8_t)n;
	}
	ipc_store_relaxed(word(block), size | index << 16 | ept << 24);
	port_check_defined(block, size + HDR_SIZE);
	port_cache_flush(block, size + HDR_SIZE);
	port_crash_point("icbmsg_v2_before_produce");
	rc = produce(d, index, hi);
	if (rc < 0) {
		return rc;
	}
	stat_inc(d, ST_TX_PACKETS);
	port_crash_point("icbmsg_v2_before_doorbell");
	/* A failed doorbell leaves the message queued: the peer finds it at
	 * its next doorbell (every drain reads the whole queue). */
	for (rc = 0; rc < 2 && mbox_send_dt(&d->conf->mbox_tx, NULL) < 0; rc++) {
	}
	if (rc == 2) {
		stat_inc(d, ST_TX_DOORBELL);
		port_log(PORT_LOG_WRN, "icbmsg_v2: %s: doorbell failed (message queued)",
			 d->instance->name);
	}
	return 0;
}

/* Copy `len` bytes into a new message to `who` and send it (K_NO_WAIT);
 * 0, or an error with nothing left allocated.  The one copy path of data
 * and control packets. */
static int send_copy(struct icbmsg_v2_data *d, uint32_t who, const void *msg, uint32_t len)
{
	uint32_t got;
	/* Zephyr takes the largest free run for len 0, then shrinks to one block. */
	int i = alloc_tx(d, len == 0 ? 1u : len, K_NO_WAIT, (uint8_t)who, &got), rc;

	if (i < 0) {
		return i;
	}
	if (len > 0) {
		memcpy(tx_block(d, (uint32_t)i) + HDR_SIZE, msg, len);
	}
	rc = send_packet(d, (uint32_t)i, len, who);
	if (rc < 0) {
		free_blocks(d, (uint32_t)i, d->tx_nblocks[i]);
	}
	return rc;
}

/* ------------------------------------------------------------------ endpoints */

/* The slot registered with cfg (the token), or NULL.  Caller holds the lock. */
static struct icbmsg_v2_ept *find_cfg(struct icbmsg_v2_data *d, const void *cfg)
{
	for (uint32_t i = 0; cfg != NULL && i < d->num_ept; i++) {
		if (d->ept[i].cfg == cfg) {
			return &d->ept[i];
		}
	}
	return NULL;
}

/* The slot of name hash `hash` that the peer announced (pending) or, with
 * `local`, that a local endpoint holds; else NULL, and *free_slot is the
 * first free slot (or NULL).  Caller holds the lock. */
static struct icbmsg_v2_ept *slot_of(struct icbmsg_v2_data *d, uint32_t hash, bool local,
				     struct icbmsg_v2_ept **free_slot)
{
	struct icbmsg_v2_ept *e;

	*free_slot = NULL;
	for (e = d->ept; e < d->ept + d->num_ept; e++) {
		if ((e->pending || (local && e->cfg != NULL)) && e->name_hash == hash) {
			return e;
		}
		if (e->cfg == NULL && !e->pending && *free_slot == NULL) {
			*free_slot = e;
		}
	}
	return NULL;
}

/* Free slot e (a local endpoint).  Caller holds the lock. */
static void slot_free(struct icbmsg_v2_data *d, struct icbmsg_v2_ept *e)
{
	e->cfg = NULL;
	e->pending = false;
	e->name_hash = 0;
	atomic_store(&e->state, EPT_UNBOUND);
	d->ep_cnt--;
}

/* Call bound() if the endpoint is bound and not reported yet. */
static void report_bound(struct icbmsg_v2_ept *e, const struct ipc_ept_cfg *cfg)
{
	int from = EPT_BINDING;

	if (atomic_compare_exchange_strong(&e->state, &from, EPT_READY) && cfg->cb.bound != NULL) {
		cfg->cb.bound(cfg->priv);
	}
}

/* An endpoint that can send: its `who` (peer slot, WHO_HI for priority 1);
 * -EIO (instance failed), -ENOENT (unknown token or not bound). */
static int sendable(struct icbmsg_v2_data *d, const void *token)
{
	struct icbmsg_v2_ept *e;
	int rc = -ENOENT;

	if (atomic_load(&d->state) == ICBMSG_V2_STATE_FAILED) {
		return -EIO;
	}
	lock(d);
	e = find_cfg(d, token);
	if (e != NULL && atomic_load(&e->state) != EPT_UNBOUND) {
		rc = (int)(e->addr | (e->cfg->prio != 0 ? WHO_HI : 0u));
	}
	unlock(d);
	return rc;
}

static void ep_bound(struct icbmsg_v2_data *d, uint8_t id, uint32_t hash)
{
	struct icbmsg_v2_ept *e, *free_slot;
	const struct ipc_ept_cfg *cfg = NULL;

	lock(d);
	e = slot_of(d, hash, true, &free_slot);
	if (e != NULL) {
		/* A local endpoint of that name (or a repeated announcement). */
		e->addr = id;
		cfg = e->cfg;
		if (cfg != NULL && atomic_load(&e->state) == EPT_UNBOUND) {
			atomic_store(&e->state, EPT_BINDING);
		}
	} else if (free_slot != NULL) { /* (then ep_cnt < num_ept) */
		free_slot->pending = true;
		free_slot->name_hash = hash;
		free_slot->addr = id;
		d->ep_cnt++;
	} else {
		stat_inc(d, ST_EPT_FULL);
	}
	unlock(d);
	if (cfg != NULL) {
		report_bound(e, cfg);
	}
}

/* false: no bound local endpoint in slot id (an invalid packet). */
static bool ep_unbound(struct icbmsg_v2_data *d, uint8_t id)
{
	const struct ipc_ept_cfg *cfg = NULL;

	lock(d);
	if (id < d->num_ept && d->ept[id].cfg != NULL &&
	    atomic_load(&d->ept[id].state) != EPT_UNBOUND) {
		cfg = d->ept[id].cfg;
		slot_free(d, &d->ept[id]);
	}
	unlock(d);
	if (cfg != NULL && cfg->cb.unbound != NULL) {
		cfg->cb.unbound(cfg->priv);
	}
	return cfg != NULL;
}

/* ------------------------------------------------------------------ receive */

#define RX_HELD(i) (1u << (2u * ((uint32_t)(i) % 16u)))
#define RX_DELIVERING(i) (RX_HELD(i) << 1)

static _Atomic uint32_t *rx_state(struct icbmsg_v2_data *d, uint32_t index)
{
	return &d->rx_state[index / 16u];
}

/* Tell the peer we are done with its message at `index`. */
static void consume(struct icbmsg_v2_data *d, uint32_t index)
{
	uint8_t *q = d->rx_cons;

	lock(d);
	queue_publish(q, d->slots, d->rx_cons_count, (uint8_t)index, NULL);
	d->rx_cons_count++;
	unlock(d);
	port_consumed(d->conf->mbox_tx.dev, q);
}

/* The ICMsg bonding message of a classic peer sits where v2 keeps its
 * queues: pbuf data at base + max(A, 4) + 4, packet = BE16 length 13, two
 * zero bytes, the 13-byte magic.  A peer that wrote it before our init had
 * part of it zeroed there by reset_queues() (our consumer queue's two
 * counts): those 8 bytes are not compared (at least 8 magic bytes are).
 * The 17 bytes end at base + A + 21, inside the two queues (each queue is
 * at least max(A, 24) bytes): no bounds check needed. */
static void check_classic(struct icbmsg_v2_data *d)
{
	uint8_t *p = d->rx_prod + d->rx_lay.align + 4u;

	_Static_assert(4 + 4 + ICMSG_MAGIC_LEN <= 8 + ICBMSG_V2_MAX_ACTIVE_COUNT_MIN,
		       "A + 21 <= 2Q: the classic packet lies inside our two queues");
	port_cache_invd(p, 4 + ICMSG_MAGIC_LEN);
	for (uint32_t i = 0; i < 4 + ICMSG_MAGIC_LEN; i++) {
		/* header bytes 0, 13, 0, 0, then the magic; each byte is read
		 * once (no copy needed), those of our consumer counts not at all */
		if ((uint32_t)(p + i - d->rx_cons) >= 8u &&
		    ld8(p + i) != (i >= 4 ? icmsg_magic[i - 4] : (uint8_t)(ICMSG_MAGIC_LEN << 8 >> 8 * i))) {
			return;
		}
	}
	report(d, ICBMSG_V2_ERR_CLASSIC_PEER, ST_CLASSIC);
}

/* A bound packet at first block `index` of the region laid out as `l`
 * (bytes the peer wrote: copied once, then checked).  0 valid, -EINVAL
 * not a bound packet, -ERANGE one with other block counts. */
static int read_bound(struct icbmsg_v2_data *d, const struct icbmsg_v2_layout *l, uint32_t index)
{
	uint8_t *p = d->conf->rx.ptr + l->blocks_offset + (size_t)index * l->block_size;
	uint8_t b[HDR_SIZE + ICBMSG_V2_BOUND_PACKET_SIZE];

	/* index < N (the caller checked): (N - index) * block <= area < 2^32. */
	if ((l->block_count - index) * l->block_size < sizeof(b)) {
		return -EINVAL;
	}
	port_cache_invd(p, sizeof(b));
	memcpy(b, p, sizeof(b));
	if (le32(b) != (ICBMSG_V2_BOUND_PACKET_SIZE | index << 16 | 0xFFu << 24) ||
	    le32(b + 4) != ICBMSG_V2_BOUND_MAGIC1 || le32(b + 8) != ICBMSG_V2_BOUND_MAGIC2) {
		return -EINVAL;
	}
	/* The sender's (tx-blocks, rx-blocks) are our (rx-blocks, tx-blocks). */
	if (le32(b + 12) != d->rx_lay.block_count || le32(b + 16) != d->tx_lay.block_count) {
		port_log(PORT_LOG_ERR,
			 "icbmsg_v2: %s: peer has tx-blocks %u rx-blocks %u, we rx-blocks %u "
			 "tx-blocks %u",
			 d->instance->name, (unsigned)le32(b + 12), (unsigned)le32(b + 16),
			 (unsigned)d->rx_lay.block_count, (unsigned)d->tx_lay.block_count);
		return -ERANGE;
	}
	return 0;
}

/* Connecting, and the first message is no bound packet where our layout
 * puts it: is it where another MAX_ACTIVE_COUNT would put it? */
static void probe_slots(struct icbmsg_v2_data *d, uint32_t index)
{
	const struct icbmsg_v2_config *c = d->conf;

	for (uint32_t s = ICBMSG_V2_MAX_ACTIVE_COUNT_MIN; s <= ICBMSG_V2_MAX_ACTIVE_COUNT_MAX; s++) {
		struct icbmsg_v2_layout l;

		if (icbmsg_v2_layout_compute(c->rx.addr, c->rx.size, d->rx_lay.align,
					     d->rx_lay.block_count, s, &l) == 0 &&
		    (l.blocks_offset != d->rx_lay.blocks_offset ||
		     l.block_size != d->rx_lay.block_size) &&
		    read_bound(d, &l, index) == 0) {
			/* Every S up to Q - 8 gives the same layout. */
			port_log(PORT_LOG_ERR,
				 "icbmsg_v2: %s: the peer's bound packet fits MAX_ACTIVE_COUNT "
				 "%u..%u (queues of %u bytes), ours is %u (%u bytes)",
				 d->instance->name, (unsigned)s,
				 (unsigned)(l.queue_size - 8u < ICBMSG_V2_MAX_ACTIVE_COUNT_MAX
						    ? l.queue_size - 8u
						    : ICBMSG_V2_MAX_ACTIVE_COUNT_MAX),
				 (unsigned)l.queue_size, (unsigned)d->slots,
				 (unsigned)d->rx_lay.queue_size);
			report(d, ICBMSG_V2_ERR_SLOTS_MISMATCH, ST_BOUND_MISMATCH);
			return;
		}
	}
}

/* A control packet other than the bound packet (size bytes at payload). */
static void received_control(struct icbmsg_v2_data *d, bool connecting, const uint8_t *payload,
			     uint32_t size)
{
	uint8_t b[ICBMSG_V2_CTRL_PACKET_SIZE];

	if (!connecting && size >= sizeof(b)) {
		__builtin_memcpy(b, payload, sizeof(b)); /* peer data: read once */
		if (b[0] == ICBMSG_V2_EP_BOUND && b[1] != ICBMSG_V2_EPT_CONTROL) {
			ep_bound(d, b[1], le32(b + 2));
			return;
		}
		if (b[0] == ICBMSG_V2_EP_UNBOUND && d->conf->deinit && ep_unbound(d, b[1])) {
			return;
		}
	}
	/* Until connected only the bound packet is valid. */
	stat_inc(d, ST_RX_INVALID_CONTROL);
}

/* Data for our slot `ept`: deliver it, then consume unless held; false
 * (counted) when no endpoint takes it: the caller consumes. */
static bool received_data(struct icbmsg_v2_data *d, uint32_t index, uint8_t ept,
			  uint8_t *payload, uint32_t size)
{
	const struct ipc_ept_cfg *cfg = NULL;
	struct icbmsg_v2_ept *e = NULL;
	_Atomic uint32_t *w = rx_state(d, index);

	if (atomic_load(&d->state) == ICBMSG_V2_STATE_CONNECTED && ept < d->num_ept) {
		lock(d);
		e = &d->ept[ept];
		if (atomic_load(&e->state) != EPT_UNBOUND) {
			cfg = e->cfg;
		}
		unlock(d);
	}
	if (cfg == NULL || cfg->cb.received == NULL) {
		/* Zephyr leaves it unconsumed (the sender leaks the blocks). */
		stat_inc(d, ST_RX_UNKNOWN_EPT);
		return false;
	}
	report_bound(e, cfg); /* bound() always comes before the first data */
	fetch_or(w, RX_DELIVERING(index));
	cfg->cb.received(payload, size, cfg->priv);
	port_crash_point("icbmsg_v2_rx_before_consume");
	/* One operation ends the delivery and tells whether it was held: of
	 * this and release_rx_buffer() exactly one consumes. */
	if (!(fetch_and(w, ~RX_DELIVERING(index)) & RX_HELD(index))) {
		consume(d, index);
	}
	return true;
}

/* One producer entry naming first block `index` (bit 7 already removed). */
static void handle(struct icbmsg_v2_data *d, uint32_t index)
{
	const struct icbmsg_v2_layout *l = &d->rx_lay;
	uint8_t *p = d->rx_blocks + (size_t)index * l->block_size;
	bool connecting = atomic_load(&d->state) == ICBMSG_V2_STATE_CONNECTING;
	uint32_t w, size;
	int rc;

	if (index >= l->block_count) {
		stat_inc(d, ST_RX_INVALID_INDEX); /* names no block: nothing to consume */
		return;
	}
	if (atomic_load(rx_state(d, index)) & RX_HELD(index)) {
		stat_inc(d, ST_RX_DUPLICATE); /* we still hold that buffer */
		return;
	}
	/* Until connected every control packet is read as a bound packet. */
	if (connecting && (rc = read_bound(d, l, index)) != -EINVAL) {
		if (rc == 0) {
			atomic_store(&d->state, ICBMSG_V2_STATE_CONNECTED);
		} else {
			report(d, ICBMSG_V2_ERR_BOUND_MISMATCH, ST_BOUND_MISMATCH);
		}
	} else {
		/* No bound packet where our layout puts it: is it where another
		 * MAX_ACTIVE_COUNT would?  (Before consuming: with another S the
		 * peer's queues overlap ours.) */
		if (connecting) {
			probe_slots(d, index);
		}
		port_cache_invd(p, HDR_SIZE);
		w = ipc_load_relaxed(word(p)); /* value comes from the peer: read once */
		size = w & 0xFFFFu;
		if ((w >> 16 & 0xFFu) != index ||
		    size + HDR_SIZE > (l->block_count - index) * l->block_size) { /* <= area < 2^32 */
			stat_inc(d, ST_RX_BAD_HEADER);
		} else {
			port_cache_invd(p + HDR_SIZE, size);
			if (w >> 24 == ICBMSG_V2_EPT_CONTROL) {
				received_control(d, connecting, p + HDR_SIZE, size);
			} else if (received_data(d, index, (uint8_t)(w >> 24), p + HDR_SIZE, size)) {
				return; /* consumed unless held */
			}
		}
	}
	consume(d, index);
}

/* Handle every entry produced since the last batch, high priority first.
 * Returns the number of entries taken (0: queue empty or stopped). */
static uint32_t rx_batch(struct icbmsg_v2_data *d)
{
	const uint8_t *q = d->rx_prod;
	uint8_t batch[ICBMSG_V2_MAX_ACTIVE_COUNT_MAX];
	uint32_t count, n, hi, seen_hi = 0;
	int st = atomic_load(&d->state);

	if (st != ICBMSG_V2_STATE_CONNECTING && st != ICBMSG_V2_STATE_CONNECTED) {
		return 0;
	}
	if (st == ICBMSG_V2_STATE_CONNECTING) {
		check_classic(d);
	}
	/* Count first, then the slots (see queue_read_count()): the headers
	 * and payloads were flushed before the count too. */
	count = queue_read_count(d->rx_prod, d->slots);
	n = count - d->rx_count_local;
	if (n == 0) {
		return 0;
	}
	if (n > d->slots) {
		port_log(PORT_LOG_ERR, "icbmsg_v2: %s: producer count %u, ours %u (at most %u apart)",
			 d->instance->name, (unsigned)count, (unsigned)d->rx_count_local,
			 (unsigned)d->slots);
		fail_desync(d);
		return 0;
	}
	hi = ipc_load_relaxed(word(d->rx_prod + ICBMSG_V2_Q_HI_COUNT_OFFSET));
	/* Copy the batch once: the peer may rewrite slots while we handle it. */
	for (uint32_t k = 0; k < n; k++) {
		batch[k] = ld8(q + ICBMSG_V2_Q_SLOTS_OFFSET + (d->rx_count_local + k) % d->slots);
		seen_hi += batch[k] >> 7;
	}
	if (hi - d->rx_hi_local != seen_hi) {
		stat_inc(d, ST_RX_BAD_HI); /* informative only: bit 7 decides */
	}
	d->rx_hi_local = hi;
	d->rx_count_local = count;
	atomic_fetch_add_explicit(&d->stats[ST_RX_PACKETS], n, memory_order_relaxed);
	for (uint32_t pass = 0; pass < 2; pass++) {
		for (uint32_t k = 0; k < n; k++) {
			if ((batch[k] >> 7) != 1u - pass) {
				continue;
			}
			handle(d, batch[k] & ICBMSG_V2_SLOT_INDEX_MASK);
		}
	}
	return n;
}

/* Drain the RX queue; from the MBOX callback and after open.  A call while
 * another drain runs makes that drain look once more. */
static void rx_drain(struct icbmsg_v2_data *d)
{
	atomic_store(&d->rx_request, true);
	while (!atomic_flag_test_and_set(&d->rx_owner)) {
		while (atomic_exchange(&d->rx_request, false)) {
			while (rx_batch(d) != 0) {
			}
		}
		atomic_flag_clear(&d->rx_owner);
		if (!atomic_load(&d->rx_request)) {
			break;
		}
	}
}

static void mbox_callback(const struct device *dev, mbox_channel_id_t channel, void *user,
			  struct mbox_msg *msg)
{
	const struct device *instance = user;

	rx_drain(instance->data);
}

/* ------------------------------------------------------------------ backend ops */

/* Zero the counters of the two queues this side writes and every local
 * counter (boot and close). */
static void zero_queue(uint8_t *q, uint32_t size)
{
	ipc_store_relaxed(word(q + ICBMSG_V2_Q_COUNT_OFFSET), 0);
	ipc_store_relaxed(word(q + ICBMSG_V2_Q_HI_COUNT_OFFSET), 0);
	port_cache_flush(q, size);
}

static void reset_queues(struct icbmsg_v2_data *d)
{
	zero_queue(d->tx_prod, d->tx_lay.queue_size);
	zero_queue(d->rx_cons, d->rx_lay.queue_size);
	d->tx_count = d->tx_hi_count = d->tx_cons_local = 0;
	d->rx_count_local = d->rx_hi_local = d->rx_cons_count = 0;
	d->tx_inflight = d->tx_active = 0;
	/* Nothing else runs on the instance here (boot; close: no endpoint,
	 * RX stopped, under the lock): plain stores. */
	atomic_store_explicit(&d->tx_usage, 0, memory_order_relaxed);
	atomic_store_explicit(&d->tx_app, 0, memory_order_relaxed);
	atomic_store_explicit(&d->rx_state[0], 0, memory_order_relaxed);
	atomic_store_explicit(&d->rx_state[1], 0, memory_order_relaxed);
}

/* Stop receiving: the channel disabled, no callback, and a drain still
 * running in the interrupt context waited out (rx_owner is then ours).
 * The result of disabling. */
static int rx_stop(const struct icbmsg_v2_config *c, struct icbmsg_v2_data *d)
{
	int rc = mbox_set_enabled_dt(&c->mbox_rx, false);

	(void)mbox_register_callback_dt(&c->mbox_rx, NULL, NULL);
	while (atomic_flag_test_and_set(&d->rx_owner)) {
		port_sleep_ms(1);
	}
	return rc;
}

static int open_instance(const struct device *instance)
{
	const struct icbmsg_v2_config *c = instance->config;
	struct icbmsg_v2_data *d = instance->data;
	int expected = ICBMSG_V2_STATE_IDLE, rc;
	uint8_t pkt[ICBMSG_V2_BOUND_PACKET_SIZE];

	if (!mbox_is_ready_dt(&c->mbox_rx) || !mbox_is_ready_dt(&c->mbox_tx)) {
		return -EAGAIN;
	}
	if (!atomic_compare_exchange_strong(&d->state, &expected, ICBMSG_V2_STATE_CONNECTING)) {
		return -EALREADY;
	}
	/* Unlike Zephyr, receive is enabled before the bound packet goes out,
	 * and the queue is drained once after (zephyr#117403). */
	rc = mbox_register_callback_dt(&c->mbox_rx, mbox_callback, (void *)instance);
	if (rc == 0) {
		rc = mbox_set_enabled_dt(&c->mbox_rx, true);
		rc = rc == -EALREADY ? 0 : rc;
	}
	if (rc == 0) {
		put_le32(pkt, ICBMSG_V2_BOUND_MAGIC1);
		put_le32(pkt + 4, ICBMSG_V2_BOUND_MAGIC2);
		put_le32(pkt + 8, d->tx_lay.block_count);
		put_le32(pkt + 12, d->rx_lay.block_count);
		rc = send_copy(d, WHO_CONTROL, pkt, sizeof(pkt));
	}
	if (rc < 0) {
		(void)rx_stop(c, d);
		atomic_flag_clear(&d->rx_owner);
		atomic_store(&d->state, ICBMSG_V2_STATE_IDLE);
		return rc;
	}
	rx_drain(d);
	return 0;
}

static int close_instance(const struct device *instance)
{
	const struct icbmsg_v2_config *c = instance->config;
	struct icbmsg_v2_data *d = instance->data;
	uint32_t used;
	int rc;

	if (!c->deinit) {
		return 0; /* Zephyr without DEINIT has no close op */
	}
	if (atomic_load(&d->state) == ICBMSG_V2_STATE_IDLE) {
		return -EALREADY;
	}
	lock(d);
	used = d->ep_cnt;
	unlock(d);
	if (used != 0) {
		return -EBUSY;
	}
	rc = rx_stop(c, d);
	lock(d);
	reset_queues(d);
	unlock(d);
	atomic_store(&d->reported, 0);
	atomic_store(&d->state, ICBMSG_V2_STATE_IDLE);
	atomic_flag_clear(&d->rx_owner);
	return rc == -EALREADY ? 0 : rc;
}

static int register_ept(const struct device *instance, void **token, const struct ipc_ept_cfg *cfg)
{
	struct icbmsg_v2_data *d = instance->data;
	uint32_t hash = icbmsg_v2_name_hash(cfg->name);
	struct icbmsg_v2_ept *e, *free_slot;
	uint8_t pkt[ICBMSG_V2_CTRL_PACKET_SIZE];
	bool bound;
	int st = atomic_load(&d->state), rc;

	if (st == ICBMSG_V2_STATE_FAILED) {
		return -EIO;
	}
	if (st == ICBMSG_V2_STATE_IDLE) {
		return -EBUSY; /* Zephyr would send EP_BOUND before the bound packet */
	}
	lock(d);
	if (find_cfg(d, cfg) != NULL) {
		unlock(d);
		return -EALREADY;
	}
	e = slot_of(d, hash, false, &free_slot);
	bound = e != NULL; /* the peer announced it first */
	if (!bound) {
		if (free_slot == NULL) { /* (then ep_cnt == num_ept) */
			unlock(d);
			return -ENOMEM;
		}
		e = free_slot;
		e->name_hash = hash;
		d->ep_cnt++;
	}
	e->pending = false;
	e->cfg = cfg;
	e->told = 0;
	/* Bound before the EP_BOUND leaves, so that data answering it finds
	 * the endpoint (Zephyr marks it after, and drops such data). */
	atomic_store(&e->state, bound ? EPT_BINDING : EPT_UNBOUND);
	unlock(d);
	*token = (void *)cfg;
	pkt[0] = ICBMSG_V2_EP_BOUND;
	pkt[1] = (uint8_t)(e - d->ept);
	put_le32(pkt + 2, hash);
	rc = send_copy(d, WHO_CONTROL, pkt, sizeof(pkt));
	if (rc < 0) {
		lock(d);
		if (bound) {
			e->cfg = NULL;
			atomic_store(&e->state, EPT_UNBOUND);
			e->pending = true; /* keep the peer's announcement */
		} else {
			slot_free(d, e);
		}
		unlock(d);
		return rc;
	}
	report_bound(e, cfg); /* if bound (also by an EP_BOUND meanwhile) */
	/* Problems found before this endpoint existed (report() tells the
	 * ones it finds from now on). */
	tell(d, e, atomic_load(&d->reported));
	return 0;
}

static int deregister_ept(const struct device *instance, void *token)
{
	const struct icbmsg_v2_config *c = instance->config;
	struct icbmsg_v2_data *d = instance->data;
	struct icbmsg_v2_ept *e;
	uint8_t pkt[ICBMSG_V2_CTRL_PACKET_SIZE] = {ICBMSG_V2_EP_UNBOUND};
	int rc = 0;

	if (!c->deinit) {
		return -EIO; /* Zephyr without DEINIT has no deregister op */
	}
	lock(d);
	e = find_cfg(d, token);
	if (e != NULL && atomic_load(&d->state) == ICBMSG_V2_STATE_FAILED) {
		/* Stopped: free the slot locally, so that close and open can
		 * start over; nothing can be sent. */
		slot_free(d, e);
		unlock(d);
		return 0;
	}
	if (e == NULL || atomic_load(&e->state) == EPT_UNBOUND) {
		rc = -ENOENT; /* not registered, unbound by the peer, or not bound yet */
	} else {
		pkt[1] = e->addr;
		slot_free(d, e);
	}
	unlock(d);
	if (rc == 0) {
		rc = send_copy(d, WHO_CONTROL, pkt, sizeof(pkt));
	}
	return rc < 0 ? rc : 0;
}

static int send(const struct device *instance, void *token, const void *msg, size_t len)
{
	struct icbmsg_v2_data *d = instance->data;
	int rc = sendable(d, token);

	if (rc >= 0 && msg == NULL && len > 0) {
		rc = -EINVAL;
	} else if (rc >= 0 && len > ICBMSG_V2_MAX_MSG_SIZE) {
		rc = -ENOMEM; /* (alloc_tx() checks the exact limit) */
	} else if (rc >= 0) {
		rc = send_copy(d, (uint32_t)rc, msg, (uint32_t)len);
	}
	if (rc < 0) {
		return rc;
	}
	icbmsg_v2_collect(instance); /* after the doorbell, as Zephyr */
	return (int)len;
}

static int get_tx_buffer_size(const struct device *instance, void *token)
{
	return (int)tx_max_size(instance->data);
}

static int get_tx_buffer(const struct device *instance, void *token, void **data, uint32_t *len,
			 k_timeout_t wait)
{
	struct icbmsg_v2_data *d = instance->data;
	int i = sendable(d, token);

	if (i < 0) {
		return i;
	}
	i = alloc_tx(d, *len, wait, (uint8_t)i, len);
	if (i < 0) {
		return i;
	}
	fetch_or(&d->tx_app, 1u << i);
	*data = tx_block(d, (uint32_t)i) + HDR_SIZE;
	return 0;
}

/* Index of the block whose payload starts at p; -EINVAL if p is none. */
static int buffer_index(const uint8_t *blocks, const struct icbmsg_v2_layout *l, const void *p)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)blocks + HDR_SIZE;

	if (a < b || (a - b) % l->block_size != 0 || (a - b) / l->block_size >= l->block_count) {
		return -EINVAL;
	}
	return (int)((a - b) / l->block_size);
}

/* Take back the TX buffer at `data` from the application: its first block,
 * -EINVAL (no buffer there) or -EALREADY (not the application's).  Taking
 * the ownership bit makes a second send/drop of it -EALREADY. */
static int take_app_buffer(struct icbmsg_v2_data *d, const void *data)
{
	int i = buffer_index(d->tx_blocks, &d->tx_lay, data);

	if (i >= 0 && !(fetch_and(&d->tx_app, ~(1u << i)) & (1u << i))) {
		i = -EALREADY;
	}
	return i;
}

static int drop_tx_buffer(const struct device *instance, void *token, const void *data)
{
	struct icbmsg_v2_data *d = instance->data;
	int i = take_app_buffer(d, data);

	if (i < 0) {
		return i;
	}
	free_blocks(d, (uint32_t)i, d->tx_nblocks[i]);
	return 0;
}

static int send_nocopy(const struct device *instance, void *token, const void *data, size_t len)
{
	struct icbmsg_v2_data *d = instance->data;
	int who = sendable(d, token), i, rc;

	if (who < 0) {
		return who;
	}
	i = take_app_buffer(d, data);
	if (i < 0) {
		return i;
	}
	if (len > d->tx_nblocks[i] * d->tx_lay.block_size - HDR_SIZE || len > ICBMSG_V2_MAX_MSG_SIZE) {
		rc = -EINVAL;
	} else {
		rc = send_packet(d, (uint32_t)i, (uint32_t)len, (uint32_t)who);
	}
	if (rc < 0) {
		fetch_or(&d->tx_app, 1u << i); /* still the caller's */
		return rc;
	}
	icbmsg_v2_collect(instance);
	return (int)len;
}

static int hold_rx_buffer(const struct device *instance, void *token, void *data)
{
	struct icbmsg_v2_data *d = instance->data;
	int i = buffer_index(d->rx_blocks, &d->rx_lay, data);

	if (i < 0 || !(atomic_load(rx_state(d, (uint32_t)i)) & RX_DELIVERING(i))) {
		return -EINVAL; /* only inside received() for that buffer */
	}
	return (fetch_or(rx_state(d, (uint32_t)i), RX_HELD(i)) & RX_HELD(i)) ? -EALREADY : 0;
}

static int release_rx_buffer(const struct device *instance, void *token, void *data)
{
	struct icbmsg_v2_data *d = instance->data;
	int i = buffer_index(d->rx_blocks, &d->rx_lay, data);
	uint32_t old;

	if (i < 0) {
		return i;
	}
	old = fetch_and(rx_state(d, (uint32_t)i), ~RX_HELD(i));
	if (!(old & RX_HELD(i))) {
		return -EALREADY;
	}
	if (!(old & RX_DELIVERING(i))) {
		consume(d, (uint32_t)i); /* else received() consumes when it returns */
	}
	return 0;
}

const struct ipc_service_backend ipc_icbmsg_v2_backend = {
	.open_instance = open_instance,
	.close_instance = close_instance,
	.send = send,
	.send_critical = send,
	.register_endpoint = register_ept,
	.deregister_endpoint = deregister_ept,
	.get_tx_buffer_size = get_tx_buffer_size,
	.get_tx_buffer = get_tx_buffer,
	.drop_tx_buffer = drop_tx_buffer,
	.send_nocopy = send_nocopy,
	.hold_rx_buffer = hold_rx_buffer,
	.release_rx_buffer = release_rx_buffer,
};

/* ------------------------------------------------------------------ life cycle */

static int region_layout(const struct icbmsg_v2_config *c, const struct icbmsg_v2_region *r,
			 uint32_t s, struct icbmsg_v2_layout *l)
{
	/* Offsets keep their alignment only if the local pointer has the
	 * target address's low bits (the 4-byte header words need that). */
	if (r->ptr == NULL || (((uintptr_t)r->ptr ^ (uintptr_t)r->addr) & 3u) != 0) {
		return -EINVAL;
	}
	return icbmsg_v2_layout_compute(r->addr, r->size, c->dcache_alignment, r->blocks, s, l);
}

int icbmsg_v2_init(const struct device *instance)
{
	const struct icbmsg_v2_config *c;
	struct icbmsg_v2_data *d;
	uint32_t s, n;

	if (instance == NULL || (c = instance->config) == NULL || (d = instance->data) == NULL ||
	    d->ept == NULL) {
		return -EINVAL;
	}
	s = c->max_active_count != 0 ? c->max_active_count : ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT;
	n = c->num_ept != 0 ? c->num_ept : ICBMSG_V2_NUM_EPT_DEFAULT;
	if (n > ICBMSG_V2_NUM_EPT_MAX) {
		return -EINVAL;
	}
	/* Everything but what the creator set (ept, error_hook, error_hook_user). */
	memset(d, 0, offsetof(struct icbmsg_v2_data, ept));
	memset(&d->tx_lay, 0, sizeof(*d) - offsetof(struct icbmsg_v2_data, tx_lay));
	if (region_layout(c, &c->tx, s, &d->tx_lay) < 0 ||
	    region_layout(c, &c->rx, s, &d->rx_lay) < 0) {
		return -EINVAL;
	}
	d->conf = c;
	d->instance = instance;
	d->slots = s;
	d->num_ept = n;
	/* At least one block, at most what a 16-bit size can describe. */
	d->tx_max_blocks = (ICBMSG_V2_MAX_MSG_SIZE + HDR_SIZE) / d->tx_lay.block_size;
	if (d->tx_max_blocks == 0 || d->tx_max_blocks > d->tx_lay.block_count) {
		d->tx_max_blocks = d->tx_max_blocks == 0 ? 1 : d->tx_lay.block_count;
	}
	d->tx_prod = c->tx.ptr + d->tx_lay.base_offset;
	d->tx_cons = c->tx.ptr + d->tx_lay.cons_offset;
	d->tx_blocks = c->tx.ptr + d->tx_lay.blocks_offset;
	d->rx_prod = c->rx.ptr + d->rx_lay.base_offset;
	d->rx_cons = c->rx.ptr + d->rx_lay.cons_offset;
	d->rx_blocks = c->rx.ptr + d->rx_lay.blocks_offset;
	/* Before open nothing else runs on the instance: plain stores. */
	atomic_flag_clear_explicit(&d->lock, memory_order_relaxed);
	atomic_flag_clear_explicit(&d->rx_owner, memory_order_relaxed);
	atomic_init(&d->state, ICBMSG_V2_STATE_IDLE);
	memset(d->ept, 0, sizeof(*d->ept) * n);
	IPC_RACE_ATOMIC(d->stats, sizeof(d->stats));
	reset_queues(d); /* as Zephyr at boot: only the two queues we write */
	return port_sem_create(&d->block_wait_sem, 0, 1);
}

void icbmsg_v2_deinit(const struct device *instance)
{
	const struct icbmsg_v2_config *c = instance->config;
	struct icbmsg_v2_data *d = instance->data;

	if (atomic_load(&d->state) != ICBMSG_V2_STATE_IDLE) {
		(void)rx_stop(c, d);
		atomic_store(&d->state, ICBMSG_V2_STATE_IDLE);
	}
	port_sem_destroy(d->block_wait_sem);
	d->block_wait_sem = NULL;
}

unsigned icbmsg_v2_tx_blocks_in_use(const struct device *instance)
{
	struct icbmsg_v2_data *d = instance->data;
	uint32_t used = atomic_load(&d->tx_usage);
	unsigned n = 0;

	for (; used != 0; used &= used - 1u) {
		n++;
	}
	return n;
}

void icbmsg_v2_get_stats(const struct device *instance, struct icbmsg_v2_stats *out)
{
	struct icbmsg_v2_data *d = instance->data;
	uint32_t v[ST_COUNT];

	for (int i = 0; i < ST_COUNT; i++) {
		v[i] = atomic_load_explicit(&d->stats[i], memory_order_relaxed);
	}
	/* The counters of struct icbmsg_v2_stats are in enum stat order. */
	memcpy(out, v, sizeof(v));
	out->last_error = (enum icbmsg_v2_error)atomic_load(&d->last_error);
}

int icbmsg_v2_state(const struct device *instance)
{
	return atomic_load(&((struct icbmsg_v2_data *)instance->data)->state);
}
