/*
 * icbmsg.c - classic ICBMsg (Zephyr v4.0 - v4.4), wire-compatible.
 *
 * Each direction's region is split in two: an ICMsg ring carrying 3-byte
 * control messages, then equal blocks holding the data.  The sender owns the
 * allocation of its TX blocks (a bitmap in private memory); the receiver
 * only says which buffer it no longer needs.
 *
 *   region: | ICMsg pbuf (control)  | block 0 | block 1 | ... | block N-1 |
 *           ^ roundup(begin, A)     ^ blocks_offset = end_al - N * block
 *
 *   a buffer: | u32 size | data[size] ...... may span following blocks | pad |
 *
 *   control message = | type | endpoint address | first block index |
 *     MSG_DATA          (0): data for the peer's endpoint `address`
 *     MSG_RELEASE_DATA  (1): the buffer at `index` may be reused (address 0)
 *     MSG_BOUND         (2): binding request; the buffer holds the name
 *     MSG_RELEASE_BOUND (3): binding accepted; also frees the name buffer
 *
 * Endpoint binding: the side whose RX blocks lie at the lower address is the
 * initiator.  It numbers its endpoints in registration order and sends
 * MSG_BOUND(address, name) once the control channel is bound; the follower
 * matches names with its own endpoints (keeping requests that arrive before
 * the matching endpoint is registered), calls bound() and answers
 * MSG_RELEASE_BOUND.  The initiator's bound() fires on that answer or on the
 * first data for the endpoint.
 *
 * All arithmetic uses the 32-bit target's sizes (header 4 bytes, control
 * slot 8 bytes) so the image matches the MCU's on a 64-bit host.  Every
 * index, size, address and name coming from the peer is validated before a
 * pointer is formed; buffers sent to unknown endpoints are released.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "ipc_atomic.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "port.h"

#define EPT_ADDR_INVALID 0xFFu
#define WAITING_BOUND_EMPTY 0xFFFFu /* all bytes 0xFF: icbmsg_init() memsets */
#define CONTROL_BOUND (1u << 31)
#define EPT_COUNT_MASK 0xFFFFu
#define MSG_LEN 3u

/* control_received() tells the releases by their odd type. */
_Static_assert((ICBMSG_MSG_DATA & 1) == 0 && (ICBMSG_MSG_BOUND & 1) == 0 &&
		       (ICBMSG_MSG_RELEASE_DATA & 1) == 1 && (ICBMSG_MSG_RELEASE_BOUND & 1) == 1,
	       "release messages have odd types");

enum { STAT_RX_INVALID, STAT_RX_RELEASED_UNKNOWN, STAT_RX_BOUND_RELEASED };

enum ept_state { EPT_UNCONFIGURED = 0, EPT_CONFIGURED, EPT_BOUNDING, EPT_READY };
/*
 * Registration of an endpoint (ept->rebound): REBOUNDING means registered
 * but bound() not reported yet (a first registration too); NORMAL, registered
 * and reported.  bound() is reported exactly once per registration, by
 * whoever wins the REBOUNDING -> NORMAL exchange once the endpoint is READY
 * (report_bound(): the RX path or ept_bound_work), so never for an endpoint
 * that is not bound or not registered (found by fuzz/fuzz_icbmsg.c).
 */
enum ept_rebound { EPT_NORMAL = 0, EPT_DEREGISTERED, EPT_REBOUNDING };

/* Out of line: an atomic add is an exclusive-access loop on a Cortex-M. */
__attribute__((noinline)) static void stat_inc(struct icbmsg_data *d, int which)
{
	atomic_fetch_add_explicit(&d->stats[which], 1, memory_order_relaxed);
}

/*
 * An endpoint's state words (seq_cst) publish what was set before them
 * (cfg, addr, ept_map) to the other threads: every store and RMW publishes,
 * every load and RMW observes, for the race detectors too (ipc_atomic.h
 * hooks).  A normal build uses the plain seq_cst atomics (macros, so that
 * the code is exactly what it was without the hooks); the hooks in
 * ept_move() expand to nothing there.
 */
#if defined(IPC_EMU_ANNOTATE_RACES) && IPC_EMU_ANNOTATE_RACES
static int ept_get(const _Atomic int *p)
{
	int v;

	IPC_RACE_ATOMIC(p, sizeof(*p));
	v = atomic_load((_Atomic int *)p);
	IPC_RACE_OBSERVE(p);
	return v;
}

static void ept_set(_Atomic int *p, int v)
{
	IPC_RACE_ATOMIC(p, sizeof(*p));
	IPC_RACE_PUBLISH(p);
	atomic_store(p, v);
}

#else
#define ept_get(p) atomic_load(p)
#define ept_set(p, v) atomic_store(p, v)
#endif

/* Move a state word from `from` to `to` if it holds `from`; returns the
 * value it held (`from` when moved).  One function for every transition: a
 * compare-and-swap loop is large on a Cortex-M. */
__attribute__((noinline)) static int ept_move(_Atomic int *p, int from, int to)
{
	IPC_RACE_ATOMIC(p, sizeof(*p));
	IPC_RACE_PUBLISH(p);
	(void)atomic_compare_exchange_strong(p, &from, to);
	IPC_RACE_OBSERVE(p);
	return from;
}

/* Both locks are taken without a timeout (a PORT_FOREVER lock cannot fail). */
static void lock(struct port_mutex *m)
{
	(void)port_mutex_lock(m, PORT_FOREVER);
}

/* ------------------------------------------------------------------ layout */

/*
 * The alignment is a power of two and the region below 4 GiB, so rounding is
 * masking and everything is computed as 32-bit offsets from addr: the low
 * bits of addr decide the rounding, and only the overflow check needs 64 bits.
 */
int icbmsg_layout_compute(uint64_t addr, uint64_t size, uint32_t dcache_alignment, uint32_t local,
			  uint32_t remote, struct icbmsg_layout *out)
{
	uint32_t a = dcache_alignment > ICBMSG_BLOCK_ALIGNMENT ? dcache_alignment
							       : ICBMSG_BLOCK_ALIGNMENT;
	uint32_t mask = a - 1u, begin, end, usable, icmsg_min, block;

	if (out == NULL || local == 0 || remote == 0 || local > ICBMSG_MAX_BLOCKS ||
	    remote > ICBMSG_MAX_BLOCKS || (a & mask) != 0 || size > UINT32_MAX ||
	    addr > UINT64_MAX - size) {
		return -EINVAL;
	}
	/* round_up(addr) - addr and round_down(addr + size) - addr: */
	begin = (uint32_t)-addr & mask;
	end = (uint32_t)size - (((uint32_t)addr + (uint32_t)size) & mask);
	/* A region shorter than a (or than its own rounding) holds no aligned
	 * span; this also keeps the sums below from wrapping. */
	if ((uint32_t)size < a || end <= begin) {
		return -EINVAL;
	}
	usable = end - begin;
	/* pbuf header overhead, 2 spare messages, one per local and remote block.
	 * a <= usable < 4 GiB; only a = 2^31 can wrap the rounding, to 0, and then
	 * the true minimum (4 GiB) exceeds any region. */
	icmsg_min = (a + 4u + 2u * ICBMSG_BYTES_PER_MSG + ICBMSG_BYTES_PER_MSG * (local + remote) +
		     mask) & ~mask;
	if (icmsg_min == 0 || usable <= icmsg_min) {
		return -EINVAL;
	}
	block = ((usable - icmsg_min) / local) & ~(ICBMSG_BLOCK_ALIGNMENT - 1u);
	if (block < ICBMSG_BLOCK_ALIGNMENT) {
		return -EINVAL;
	}
	out->align = a;
	out->icmsg_offset = begin;
	out->blocks_offset = end - block * local;
	out->icmsg_size = out->blocks_offset - begin;
	out->block_size = block;
	out->block_count = local;
	return 0;
}

/* ------------------------------------------------------------------ bitmaps */

static bool bit_get(const uint32_t *map, uint32_t i)
{
	return (map[i / 32] >> (i % 32)) & 1u;
}

/* Flip n bits: callers flip only runs known to be all clear (allocate) or
 * all set (free), so one helper serves both. */
static void bits_flip(uint32_t *map, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < from + n; i++) {
		map[i / 32] ^= 1u << (i % 32);
	}
}

/* Number of set bits in [from, from + n). */
__attribute__((noinline)) static uint32_t bits_count(const uint32_t *map, uint32_t from, uint32_t n)
{
	uint32_t set = 0;

	for (uint32_t i = from; i < from + n; i++) {
		set += bit_get(map, i);
	}
	return set;
}

/* First fit of n (>= 1) free bits among count, not yet taken; -ENOSPC if none. */
static int bits_find(const uint32_t *map, uint32_t count, uint32_t n)
{
	uint32_t run = 0;

	for (uint32_t i = 0; i < count; i++) {
		run = bit_get(map, i) ? 0 : run + 1;
		if (run == n) {
			return (int)(i + 1 - n);
		}
	}
	return -ENOSPC;
}

/* ------------------------------------------------------------------ blocks */

static uint8_t *block_at(const struct icbmsg_channel *ch, uint32_t index)
{
	return ch->blocks_ptr + (size_t)index * ch->block_size;
}

/* Blocks of a buffer of `size` data bytes: ceil((size + 4) / block_size),
 * in 32 bits for every size up to UINT32_MAX - 3 (callers pass at most
 * INT32_MAX or a validated header size). */
static uint32_t blocks_for(const struct icbmsg_channel *ch, uint32_t size)
{
	return (size + ICBMSG_BLOCK_HEADER_SIZE - 1u) / ch->block_size + 1u;
}

/*
 * Data pointer of the buffer starting at block `index`, after validating the
 * index and (when size != NULL) the size stored in its header, which is read
 * exactly once.  NULL when invalid.
 */
static uint8_t *buffer_validate(const struct icbmsg_channel *ch, uint32_t index, uint32_t *size,
				bool invalidate)
{
	uint8_t *block;

	if (index >= ch->block_count) {
		return NULL;
	}
	block = block_at(ch, index);
	if (size != NULL) {
		uint32_t sz;

		if (invalidate) {
			port_cache_invd(block, ICBMSG_BLOCK_HEADER_SIZE);
		}
		/* Value comes from the peer (or our own TX header): read once. */
		sz = ipc_load_acquire((volatile uint32_t *)block);
		/* Header and data end inside the area: they fit in the blocks from
		 * index on (a 32x32->64 multiply, no 64-bit division). */
		if ((uint64_t)sz + ICBMSG_BLOCK_HEADER_SIZE >
		    (uint64_t)(ch->block_count - index) * ch->block_size) {
			return NULL;
		}
		*size = sz;
		if (invalidate && PORT_CACHE_SITE(ICBMSG_BLOCK_INVD)) {
			port_cache_invd(block + ICBMSG_BLOCK_HEADER_SIZE, sz);
		}
	}
	return block + ICBMSG_BLOCK_HEADER_SIZE;
}

/* Index of the buffer whose data starts at ptr; -EINVAL if ptr is not one. */
static int buffer_index(const struct icbmsg_channel *ch, const void *ptr, uint32_t *size)
{
	uintptr_t p = (uintptr_t)ptr, base = (uintptr_t)ch->blocks_ptr;
	uint32_t index;

	/* NULL too: it lies below any block's data. */
	if (p < base + ICBMSG_BLOCK_HEADER_SIZE) {
		return -EINVAL;
	}
	/* Data starts 4 bytes into its first block: divide the block offset,
	 * not the data offset, or 4-byte blocks (the smallest the layout
	 * allows) map to the next index (found by fuzz/fuzz_icbmsg.c). */
	index = (uint32_t)((p - base - ICBMSG_BLOCK_HEADER_SIZE) / ch->block_size);
	if (buffer_validate(ch, index, size, false) != (const uint8_t *)ptr) {
		return -EINVAL;
	}
	return (int)index;
}

/*
 * Allocate a TX buffer of *size bytes (0: the first free block and every free
 * block after it).  Returns the first block index and sets *size to the
 * usable size; -ENOMEM (larger than the whole area - *size then holds the
 * maximum - or no space with K_NO_WAIT); -EAGAIN (timed out).
 */
static int alloc_tx(struct icbmsg_data *d, uint32_t *size, uint8_t **buffer, k_timeout_t wait)
{
	const struct icbmsg_channel *tx = &d->conf->tx;
	uint32_t max = tx->block_size * tx->block_count - ICBMSG_BLOCK_HEADER_SIZE;
	uint32_t n, deadline = port_uptime_ms() + (uint32_t)wait.ms; /* used if wait.ms > 0 */
	bool waited = false;
	uint8_t *block;
	int index;

	if (*size > max) {
		*size = max;
		return -ENOMEM;
	}
	n = blocks_for(tx, *size); /* 1 for size 0: blocks hold >= 4 bytes */
	for (;;) {
		lock(d->bitmap_lock);
		/* n <= block_count: *size <= max. */
		index = bits_find(d->tx_usage, tx->block_count, n);
		if (index >= 0) {
			/* Size 0: the first free block and every free one after it. */
			while (*size == 0 && index + n < tx->block_count &&
			       !bit_get(d->tx_usage, index + n)) {
				n++;
			}
			bits_flip(d->tx_usage, (uint32_t)index, n);
		}
		port_mutex_unlock(d->bitmap_lock);
		if (index >= 0) {
			break;
		}
		index = -ENOMEM; /* no space and K_NO_WAIT */
		if (wait.ms == 0) {
			break;
		}
		int32_t left = wait.ms < 0 ? PORT_FOREVER : (int32_t)(deadline - port_uptime_ms());

		index = -EAGAIN;
		if ((wait.ms > 0 && left <= 0) || port_sem_take(d->block_wait_sem, left) < 0 ||
		    atomic_load(&d->closing)) {
			break;
		}
		waited = true;
	}
	/* Other waiters may fit in what is left: pass the wake-up on. */
	if (waited) {
		port_sem_give(d->block_wait_sem);
	}
	if (index < 0) {
		return index;
	}
	port_crash_point("icbmsg_alloc_before_header");
	block = block_at(tx, (uint32_t)index);
	*size = n * tx->block_size - ICBMSG_BLOCK_HEADER_SIZE;
	ipc_store_relaxed((volatile uint32_t *)block, *size);
	*buffer = block + ICBMSG_BLOCK_HEADER_SIZE;
	return index;
}

/* Free the buffer at `index` of `size` bytes, or shrink it to new_size (>= 0).
 * -EINVAL if new_size needs more blocks; -EALREADY if the buffer's blocks are
 * not all allocated (dropped or released already: nothing is changed). */
static int release_tx_blocks(struct icbmsg_data *d, uint32_t index, uint32_t size,
			     int32_t new_size)
{
	const struct icbmsg_channel *tx = &d->conf->tx;
	uint32_t n = blocks_for(tx, size), keep = 0;
	int rc = 0;

	if (new_size >= 0) {
		keep = blocks_for(tx, (uint32_t)new_size);
		if (keep > n) {
			return -EINVAL;
		}
	}
	lock(d->bitmap_lock);
	if (bits_count(d->tx_usage, index, n) != n) {
		rc = -EALREADY;
	} else {
		if (new_size >= 0) {
			ipc_store_relaxed((volatile uint32_t *)block_at(tx, index),
					  (uint32_t)new_size);
		}
		bits_flip(d->tx_usage, index + keep, n - keep);
	}
	port_mutex_unlock(d->bitmap_lock);
	if (rc < 0) {
		return rc;
	}
	if (n > keep) {
		port_sem_give(d->block_wait_sem);
	}
	return (int)index;
}

static int release_tx_buffer(struct icbmsg_data *d, const void *buffer, int32_t new_size)
{
	uint32_t size = 0; /* set when index >= 0 (GCC -O2 cannot always tell) */
	int index = buffer_index(&d->conf->tx, buffer, &size);

	if (index < 0) {
		return index;
	}
	return release_tx_blocks(d, (uint32_t)index, size, new_size);
}

unsigned icbmsg_tx_blocks_in_use(struct icbmsg_data *d)
{
	unsigned n;

	lock(d->bitmap_lock);
	n = bits_count(d->tx_usage, 0, d->conf->tx.block_count);
	port_mutex_unlock(d->bitmap_lock);
	return n;
}

void icbmsg_get_stats(const struct icbmsg_data *d, struct icbmsg_stats *out)
{
	out->rx_invalid = atomic_load_explicit(&d->stats[STAT_RX_INVALID], memory_order_relaxed);
	out->rx_released_unknown =
		atomic_load_explicit(&d->stats[STAT_RX_RELEASED_UNKNOWN], memory_order_relaxed);
	out->rx_bound_released =
		atomic_load_explicit(&d->stats[STAT_RX_BOUND_RELEASED], memory_order_relaxed);
}

/* ------------------------------------------------------------------ control messages */

static int send_control(struct icbmsg_data *d, enum icbmsg_msg_type type, uint8_t addr,
			uint8_t index)
{
	const uint8_t msg[MSG_LEN] = {(uint8_t)type, addr, index};
	int rc;

	lock(d->mutex);
	rc = icmsg_send(&d->conf->control_config, &d->control_data, msg, MSG_LEN);
	port_mutex_unlock(d->mutex);
	if (rc < 0) {
		port_log(PORT_LOG_ERR, "icbmsg: cannot send control message %u (%d)", (unsigned)type, rc);
	}
	return rc;
}

/* Publish size, flush, send the control message; free the blocks on failure. */
static int send_block(struct icbmsg_data *d, enum icbmsg_msg_type type, uint8_t addr,
		      uint32_t index, uint32_t size)
{
	uint8_t *block = block_at(&d->conf->tx, index);
	int rc;

	port_check_defined(block + ICBMSG_BLOCK_HEADER_SIZE, size);
	/* Pairs with the peer's ipc_load_acquire in buffer_validate(); the
	 * doorbell that follows also orders it. */
	ipc_store_release((volatile uint32_t *)block, size);
	ipc_fence();
	if (PORT_CACHE_SITE(ICBMSG_BLOCK_FLUSH)) {
		port_cache_flush(block, (size_t)size + ICBMSG_BLOCK_HEADER_SIZE);
	}
	port_crash_point("icbmsg_block_before_control");
	rc = send_control(d, type, addr, (uint8_t)index);
	if (rc < 0) {
		(void)release_tx_blocks(d, index, size, -1);
	}
	return rc;
}

/* ------------------------------------------------------------------ endpoints */

static void schedule_bound(struct icbmsg_data *d)
{
	port_work_submit(d->ep_bound_work);
}

static void call_bound(struct icbmsg_ept *ept)
{
	if (ept->cfg->cb.bound != NULL) {
		ept->cfg->cb.bound(ept->cfg->priv);
	}
}

/* After the endpoint became READY (or when it may have): report bound() if
 * it is registered and not reported yet.  True when it is usable now. */
static bool report_bound(struct icbmsg_ept *ept)
{
	int was;

	if (ept_get(&ept->state) != EPT_READY) {
		return false;
	}
	was = ept_move(&ept->rebound, EPT_REBOUNDING, EPT_NORMAL);
	if (was == EPT_REBOUNDING) {
		call_bound(ept);
		return true;
	}
	return was == EPT_NORMAL;
}

/* Follower: index of a CONFIGURED endpoint whose name is the NUL-terminated
 * string at `name`, a buffer of `size` bytes that buffer_validate() found
 * inside our RX blocks area; -ENOENT if none. */
static int find_ept_by_name(struct icbmsg_data *d, const uint8_t *name, uint32_t size)
{
	/* The name is peer data: it must end inside its buffer, and no compare
	 * reads past the buffer even if the peer rewrites it meanwhile. */
	if (memchr(name, '\0', size) == NULL) {
		return -ENOENT;
	}
	for (uint32_t i = 0; i < d->conf->num_ept; i++) {
		struct icbmsg_ept *ept = &d->ept[i];

		if (ept_get(&ept->state) == EPT_CONFIGURED && ept->cfg->name != NULL &&
		    strncmp(ept->cfg->name, (const char *)name, size) == 0) {
			return (int)i;
		}
	}
	return -ENOENT;
}

/* Follower: bind a stored MSG_BOUND if a local endpoint has its name.
 * Returns 1 matched, 0 no match yet, < 0 error (message to be dropped). */
static int match_bound_msg(struct icbmsg_data *d, uint32_t rx_index, uint8_t addr)
{
	uint32_t size;
	uint8_t *buffer = buffer_validate(&d->conf->rx, rx_index, &size, true);
	struct icbmsg_ept *ept;
	int i;

	if (buffer == NULL) {
		return -EINVAL;
	}
	i = find_ept_by_name(d, buffer, size);
	if (i < 0) {
		return 0;
	}
	ept = &d->ept[i];
	ept->addr = addr;
	d->ept_map[addr] = (uint8_t)i;
	if (ept_move(&ept->state, EPT_CONFIGURED, EPT_READY) != EPT_CONFIGURED) {
		return -EINVAL;
	}
	(void)report_bound(ept);
	return send_control(d, ICBMSG_MSG_RELEASE_BOUND, addr, (uint8_t)rx_index) < 0 ? -EIO : 1;
}

static int send_bound_message(struct icbmsg_data *d, struct icbmsg_ept *ept)
{
	uint32_t len = (uint32_t)strlen(ept->cfg->name) + 1, size = len;
	uint8_t *buffer;
	int index = alloc_tx(d, &size, &buffer, K_FOREVER);

	if (index < 0) {
		return index;
	}
	memcpy(buffer, ept->cfg->name, len);
	return send_block(d, ICBMSG_MSG_BOUND, ept->addr, (uint32_t)index, len);
}

/* Runs on the AUX work queue: it may wait for blocks that the RX path frees. */
static void ept_bound_work(void *arg)
{
	struct icbmsg_data *d = arg;
	uint32_t n = d->conf->num_ept;

	if (!(atomic_load(&d->flags) & CONTROL_BOUND)) {
		return;
	}
	if (d->conf->is_initiator) {
		for (struct icbmsg_ept *ept = d->ept; ept < d->ept + n; ept++) {
			if (ept_move(&ept->state, EPT_CONFIGURED, EPT_BOUNDING) == EPT_CONFIGURED &&
			    send_bound_message(d, ept) < 0) {
				ept_set(&ept->state, EPT_UNCONFIGURED);
				port_log(PORT_LOG_ERR, "icbmsg: cannot send bound for '%s'",
					 ept->cfg->name);
			}
		}
	} else {
		for (uint32_t a = 0; a < n; a++) {
			uint16_t block;
			int rc;

			lock(d->mutex);
			block = d->waiting_bound[a];
			port_mutex_unlock(d->mutex);
			if (block == WAITING_BOUND_EMPTY) {
				continue;
			}
			/* Unlocked: a match sends, under the same lock. */
			rc = match_bound_msg(d, block, (uint8_t)a);
			if (rc != 0) {
				lock(d->mutex);
				d->waiting_bound[a] = WAITING_BOUND_EMPTY;
				port_mutex_unlock(d->mutex);
			}
			if (rc < 0) {
				stat_inc(d, STAT_RX_INVALID);
			}
		}
	}
	/* Registrations that became READY before they were (re)made. */
	for (struct icbmsg_ept *ept = d->ept; ept < d->ept + n; ept++) {
		(void)report_bound(ept);
	}
}

/* The endpoint that receives at wire address `addr` (below num_ept:
 * control_received() checked it), or NULL. */
static struct icbmsg_ept *rx_ept(struct icbmsg_data *d, uint8_t addr)
{
	uint8_t i = d->ept_map[addr];
	struct icbmsg_ept *ept;
	int state;

	if (i >= d->conf->num_ept) {
		return NULL;
	}
	ept = &d->ept[i];
	state = ept_get(&ept->state);
	if (state == EPT_BOUNDING) {
		/* Initiator: the first data proves the peer bound it. */
		ept_set(&ept->state, EPT_READY);
		state = EPT_READY;
	}
	/* Deregistered (also while bounding, found by fuzz/fuzz_icbmsg.c): no
	 * callback may run for it and its data is released; a registration
	 * not reported yet is reported first, before its data. */
	return state == EPT_READY && report_bound(ept) ? ept : NULL;
}

/* Two bits per RX block in rx_state: HELD (hold_rx_buffer() kept it) and
 * DELIVERING (inside received()).  Each change is one atomic operation on
 * their word, so of received_data() and release_rx_buffer() exactly one
 * sends the release, whichever thread runs when. */
#define RX_HELD(i) (1u << (2u * ((uint32_t)(i) % 16u)))
#define RX_DELIVERING(i) (RX_HELD(i) << 1)

static _Atomic uint32_t *rx_state(struct icbmsg_data *d, uint32_t index)
{
	return &d->rx_state[index / 16u];
}

/* MSG_DATA: deliver the validated buffer, then release it unless held. */
static void received_data(struct icbmsg_data *d, uint32_t index, uint8_t addr, uint8_t *buffer,
			  uint32_t size)
{
	struct icbmsg_ept *ept = rx_ept(d, addr);
	_Atomic uint32_t *w;

	if (ept == NULL || ept->cfg->cb.received == NULL) {
		/* Upstream leaks the buffer here; give it back to the sender. */
		stat_inc(d, STAT_RX_RELEASED_UNKNOWN);
		(void)send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)index);
		return;
	}
	w = rx_state(d, index);
	atomic_fetch_or(w, RX_DELIVERING(index));
	atomic_fetch_and(w, ~RX_HELD(index));
	ept->cfg->cb.received(buffer, size, ept->cfg->priv);
	port_crash_point("icbmsg_rx_before_release");
	/* One operation ends the delivery and tells whether the buffer is
	 * still held: a release_rx_buffer() from another thread, before or
	 * after this, leaves exactly one release to send. */
	if (!(atomic_fetch_and(w, ~RX_DELIVERING(index)) & RX_HELD(index))) {
		(void)send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)index);
	}
}

/* MSG_RELEASE_DATA / MSG_RELEASE_BOUND: free our validated TX buffer.
 * False if its blocks were not all allocated. */
static bool received_release(struct icbmsg_data *d, uint32_t index, uint8_t addr, uint32_t size,
			     bool bound)
{
	port_crash_point("icbmsg_release_before_free");
	if (release_tx_blocks(d, index, size, -1) < 0) {
		return false;
	}
	port_crash_point("icbmsg_release_after_free");
	if (bound && rx_ept(d, addr) == NULL) {
		stat_inc(d, STAT_RX_INVALID);
	}
	return true;
}

/* MSG_BOUND (validated buffer): the follower keeps it for ept_bound_work. */
static void received_bound(struct icbmsg_data *d, uint32_t index, uint8_t addr)
{
	uint16_t old;

	if (d->conf->is_initiator) {
		/* Only the follower accepts binding requests; free the buffer. */
		stat_inc(d, STAT_RX_BOUND_RELEASED);
		(void)send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)index);
		return;
	}
	lock(d->mutex);
	old = d->waiting_bound[addr];
	d->waiting_bound[addr] = (uint16_t)index;
	port_mutex_unlock(d->mutex);
	if (old != WAITING_BOUND_EMPTY && old != index) {
		/* A repeated request replaces the stored one: release the old buffer. */
		stat_inc(d, STAT_RX_BOUND_RELEASED);
		(void)send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)old);
	}
	schedule_bound(d);
}

/*
 * Every message names a buffer, validated here once: MSG_DATA and MSG_BOUND
 * one of the peer's in our RX area (invalidated before reading), the two
 * releases one of ours in the TX area (the odd types).
 */
static void control_received(const void *data, size_t len, void *priv)
{
	struct icbmsg_data *d = priv;
	const uint8_t *msg = data;
	uint8_t type, addr, index;
	uint32_t size;
	uint8_t *buffer;
	bool release;

	/* Longer messages are accepted for future protocol versions. */
	if (len < MSG_LEN || msg[1] >= d->conf->num_ept) {
		stat_inc(d, STAT_RX_INVALID);
		return;
	}
	type = msg[0];
	addr = msg[1];
	index = msg[2];
	if (type > ICBMSG_MSG_RELEASE_BOUND) {
		return; /* unknown types are ignored (future versions) */
	}
	release = (type & 1u) != 0;
	buffer = buffer_validate(release ? &d->conf->tx : &d->conf->rx, index, &size, !release);
	if (buffer != NULL) {
		switch (type) {
		case ICBMSG_MSG_DATA:
			received_data(d, index, addr, buffer, size);
			return;
		case ICBMSG_MSG_BOUND:
			received_bound(d, index, addr);
			return;
		default:
			if (received_release(d, index, addr, size,
					     type == ICBMSG_MSG_RELEASE_BOUND)) {
				return;
			}
		}
	}
	stat_inc(d, STAT_RX_INVALID);
	if (type == ICBMSG_MSG_DATA) {
		port_log(PORT_LOG_ERR, "icbmsg: invalid data block %u from the peer",
			 (unsigned)index);
	} else if (release) {
		port_log(PORT_LOG_ERR, "icbmsg: invalid release of block %u from the peer",
			 (unsigned)index);
	}
}

static void control_bound(void *priv)
{
	struct icbmsg_data *d = priv;

	atomic_fetch_or(&d->flags, CONTROL_BOUND);
	schedule_bound(d);
}

/* ------------------------------------------------------------------ backend ops */

static const struct ipc_service_cb control_cb = {
	.bound = control_bound,
	.received = control_received,
};

static int open_instance(const struct device *instance)
{
	const struct icbmsg_config *conf = instance->config;
	struct icbmsg_data *d = instance->data;

	return icmsg_open(&conf->control_config, &d->control_data, &control_cb, d);
}

static int register_ept(const struct device *instance, void **token, const struct ipc_ept_cfg *cfg)
{
	struct icbmsg_data *d = instance->data;
	uint32_t n = d->conf->num_ept, index;
	struct icbmsg_ept *ept;

	if (cfg->name == NULL || cfg->name[0] == '\0') {
		return -EINVAL;
	}
	for (ept = d->ept; ept < d->ept + n; ept++) {
		if (ept->cfg == cfg) {
			/* Registered before: only a deregistered one comes back. */
			if (ept_move(&ept->rebound, EPT_DEREGISTERED, EPT_REBOUNDING) !=
			    EPT_DEREGISTERED) {
				return -EINVAL;
			}
			goto bind;
		}
	}
	index = atomic_fetch_add(&d->flags, 1) & EPT_COUNT_MASK;
	if (index >= n) {
		atomic_fetch_sub(&d->flags, 1);
		return -ENOMEM;
	}
	ept = &d->ept[index];
	ept->cfg = cfg;
	ept_set(&ept->rebound, EPT_REBOUNDING); /* bound() not reported yet */
	if (d->conf->is_initiator) {
		ept->addr = (uint8_t)index;
		d->ept_map[index] = (uint8_t)index;
	}
	ept_set(&ept->state, EPT_CONFIGURED);
bind:
	*token = ept;
	schedule_bound(d);
	return 0;
}

static int deregister_ept(const struct device *instance, void *token)
{
	struct icbmsg_ept *ept = token;

	if (ept == NULL) {
		return -ENOENT;
	}
	if (ept_move(&ept->rebound, EPT_NORMAL, EPT_DEREGISTERED) == EPT_NORMAL) {
		return 0;
	}
	/* Registered but not bound yet. */
	return ept_move(&ept->rebound, EPT_REBOUNDING, EPT_DEREGISTERED) == EPT_REBOUNDING
		       ? 0
		       : -EINVAL;
}

/* Sending is possible once bound (upstream does not check and misdelivers).
 * -ENOENT (the registration failed), else `bad` (the caller's argument check,
 * 0 if fine), else -EBUSY (not bound), else 0. */
static int ept_sendable(const struct icbmsg_ept *ept, int bad)
{
	if (ept == NULL) {
		return -ENOENT;
	}
	if (bad != 0) {
		return bad;
	}
	return ept_get(&ept->state) == EPT_READY && ept_get(&ept->rebound) == EPT_NORMAL ? 0
											   : -EBUSY;
}

/* The tail of both sends: len on success. */
static int send_data(struct icbmsg_data *d, const struct icbmsg_ept *ept, int index, size_t len)
{
	int rc = send_block(d, ICBMSG_MSG_DATA, ept->addr, (uint32_t)index, (uint32_t)len);

	return rc < 0 ? rc : (int)len;
}

static int send(const struct device *instance, void *token, const void *msg, size_t len)
{
	struct icbmsg_data *d = instance->data;
	struct icbmsg_ept *ept = token;
	uint32_t size;
	uint8_t *buffer;
	int index = ept_sendable(ept, msg == NULL && len > 0 ? -EINVAL : 0);

	if (index < 0) {
		return index;
	}
	if (len > UINT32_MAX) {
		return -ENOMEM;
	}
	/* Upstream allocates the largest run for len 0 but its header then says
	 * 0 and the release frees one block: ask for exactly one. */
	size = len == 0 ? 1 : (uint32_t)len;
	index = alloc_tx(d, &size, &buffer, K_NO_WAIT);
	if (index < 0) {
		return index;
	}
	if (len > 0) {
		memcpy(buffer, msg, len);
	}
	return send_data(d, ept, index, len);
}

static int get_tx_buffer_size(const struct device *instance, void *token)
{
	const struct icbmsg_config *conf = instance->config;

	return (int)(conf->tx.block_size * conf->tx.block_count - ICBMSG_BLOCK_HEADER_SIZE);
}

static int get_tx_buffer(const struct device *instance, void *token, void **data, uint32_t *len,
			 k_timeout_t wait)
{
	int rc = alloc_tx(instance->data, len, (uint8_t **)data, wait);

	return rc < 0 ? rc : 0;
}

static int drop_tx_buffer(const struct device *instance, void *token, const void *data)
{
	int rc = release_tx_buffer(instance->data, data, -1);

	return rc < 0 ? rc : 0;
}

static int send_nocopy(const struct device *instance, void *token, const void *data, size_t len)
{
	struct icbmsg_data *d = instance->data;
	struct icbmsg_ept *ept = token;
	int index = ept_sendable(ept, 0);

	if (index < 0) {
		return index;
	}
	/* Shrink to the real size; a size needing more blocks drops the buffer. */
	index = release_tx_buffer(d, data, len > INT32_MAX ? INT32_MAX : (int32_t)len);
	if (index < 0) {
		(void)release_tx_buffer(d, data, -1);
		return index;
	}
	return send_data(d, ept, index, len);
}

static int hold_rx_buffer(const struct device *instance, void *token, void *data)
{
	struct icbmsg_data *d = instance->data;
	int index = buffer_index(&d->conf->rx, data, NULL);

	if (index < 0) {
		return index;
	}
	return (atomic_fetch_or(rx_state(d, (uint32_t)index), RX_HELD(index)) & RX_HELD(index))
		       ? -EALREADY
		       : 0;
}

static int release_rx_buffer(const struct device *instance, void *token, void *data)
{
	struct icbmsg_data *d = instance->data;
	int index = buffer_index(&d->conf->rx, data, NULL);
	uint32_t old;
	int rc;

	if (index < 0) {
		return index;
	}
	/* Only a held buffer is ours to release; the rest went back already. */
	old = atomic_fetch_and(rx_state(d, (uint32_t)index), ~RX_HELD(index));
	if (!(old & RX_HELD(index))) {
		return -EALREADY;
	}
	if (old & RX_DELIVERING(index)) {
		return 0; /* received() has not returned: released when it does */
	}
	rc = send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)index);
	return rc < 0 ? rc : 0;
}

const struct ipc_service_backend ipc_icbmsg_backend = {
	.open_instance = open_instance,
	.send = send,
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

static bool channel_ok(const struct icbmsg_channel *ch)
{
	return ch->block_count != 0 && ch->block_count <= ICBMSG_MAX_BLOCKS &&
	       ch->block_size >= ICBMSG_BLOCK_ALIGNMENT;
}

int icbmsg_init(const struct icbmsg_config *conf, struct icbmsg_data *d)
{
	int rc;

	if (conf == NULL || d == NULL || d->ept == NULL || d->ept_map == NULL ||
	    d->waiting_bound == NULL || conf->num_ept == 0 || conf->num_ept > ICBMSG_NUM_EPT_MAX ||
	    !channel_ok(&conf->tx) || !channel_ok(&conf->rx) ||
	    conf->control_config.unbound_mode != ICMSG_UNBOUND_MODE_DISABLE) {
		return -EINVAL;
	}
	d->conf = conf;
	memset(d->tx_usage, 0, sizeof(d->tx_usage));
	/* Not yet shared with any thread (the port's work items and locks
	 * created below publish it): plain initialisation. */
	for (unsigned i = 0; i < ICBMSG_MAX_BLOCKS / 16; i++) {
		atomic_init(&d->rx_state[i], 0);
	}
	/* Flags, hold bits and counters: accessed only atomically, and no
	 * data is published through them (the work queue and the control ring
	 * order what follows), so the race detectors skip the words. */
	IPC_RACE_ATOMIC(d->rx_state, sizeof(d->rx_state));
	IPC_RACE_ATOMIC(&d->flags, sizeof(d->flags));
	IPC_RACE_ATOMIC(&d->closing, sizeof(d->closing));
	IPC_RACE_ATOMIC(d->stats, sizeof(d->stats));
	atomic_init(&d->flags, 0);
	atomic_init(&d->closing, false);
	memset(d->ept, 0, sizeof(*d->ept) * conf->num_ept);
	memset(d->ept_map, EPT_ADDR_INVALID, conf->num_ept);
	memset(d->waiting_bound, 0xFF, sizeof(*d->waiting_bound) * conf->num_ept);
	rc = icmsg_init(&conf->control_config, &d->control_data);
	if (rc < 0) {
		return rc;
	}
	rc = port_mutex_create(&d->mutex);
	if (rc < 0) {
		goto free_icmsg;
	}
	rc = port_mutex_create(&d->bitmap_lock);
	if (rc < 0) {
		goto free_mutex;
	}
	rc = port_sem_create(&d->block_wait_sem, 0, 1);
	if (rc < 0) {
		goto free_bitmap_lock;
	}
	rc = port_work_create_on(&d->ep_bound_work, ept_bound_work, d, PORT_WORKQ_AUX);
	if (rc < 0) {
		goto free_sem;
	}
	return 0;

free_sem:
	port_sem_destroy(d->block_wait_sem);
free_bitmap_lock:
	port_mutex_destroy(d->bitmap_lock);
free_mutex:
	port_mutex_destroy(d->mutex);
free_icmsg:
	icmsg_deinit(&d->control_data);
	return rc;
}

void icbmsg_deinit(struct icbmsg_data *d)
{
	/* -EALREADY (and nothing done) if it is closed already. */
	(void)icmsg_close(&d->conf->control_config, &d->control_data);
	/* Wake any sender blocked in alloc_tx so the work item can finish. */
	atomic_store(&d->closing, true);
	port_sem_give(d->block_wait_sem);
	port_work_destroy(d->ep_bound_work);
	icmsg_deinit(&d->control_data);
	port_sem_destroy(d->block_wait_sem);
	port_mutex_destroy(d->bitmap_lock);
	port_mutex_destroy(d->mutex);
}
