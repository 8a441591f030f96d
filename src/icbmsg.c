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
#define WAITING_BOUND_EMPTY 0xFFFFu
#define CONTROL_BOUND (1u << 31)
#define EPT_COUNT_MASK 0xFFFFu
#define MSG_LEN 3u

enum { STAT_RX_INVALID, STAT_RX_RELEASED_UNKNOWN, STAT_RX_BOUND_RELEASED };

enum ept_state { EPT_UNCONFIGURED = 0, EPT_CONFIGURED, EPT_BOUNDING, EPT_READY };
enum ept_rebound { EPT_NORMAL = 0, EPT_DEREGISTERED, EPT_REBOUNDING };

static void stat_inc(struct icbmsg_data *d, int which)
{
	atomic_fetch_add_explicit(&d->stats[which], 1, memory_order_relaxed);
}

/* ------------------------------------------------------------------ layout */

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t round_down(uint64_t v, uint64_t a)
{
	return v / a * a;
}

int icbmsg_layout_compute(uint64_t addr, uint64_t size, uint32_t dcache_alignment, uint32_t local,
			  uint32_t remote, struct icbmsg_layout *out)
{
	uint64_t a = dcache_alignment > ICBMSG_BLOCK_ALIGNMENT ? dcache_alignment
							       : ICBMSG_BLOCK_ALIGNMENT;
	uint64_t begin, end, usable, icmsg_min, block;

	if (out == NULL || local == 0 || remote == 0 || local > ICBMSG_MAX_BLOCKS ||
	    remote > ICBMSG_MAX_BLOCKS || (a & (a - 1)) != 0 || size > UINT32_MAX ||
	    addr > UINT64_MAX - size) {
		return -EINVAL;
	}
	begin = round_up(addr, a);
	end = round_down(addr + size, a);
	if (end <= begin) {
		return -EINVAL;
	}
	usable = end - begin;
	/* pbuf header overhead, 2 spare messages, one per local and remote block. */
	icmsg_min = round_up(a + 4u + 2u * ICBMSG_BYTES_PER_MSG +
				     ICBMSG_BYTES_PER_MSG * ((uint64_t)local + remote),
			     a);
	if (usable <= icmsg_min) {
		return -EINVAL;
	}
	block = round_down((usable - icmsg_min) / local, ICBMSG_BLOCK_ALIGNMENT);
	if (block < ICBMSG_BLOCK_ALIGNMENT || block >= usable) {
		return -EINVAL;
	}
	out->align = (uint32_t)a;
	out->icmsg_offset = (uint32_t)(begin - addr);
	out->blocks_offset = (uint32_t)(end - block * local - addr);
	out->icmsg_size = out->blocks_offset - out->icmsg_offset;
	out->block_size = (uint32_t)block;
	out->block_count = local;
	return 0;
}

/* ------------------------------------------------------------------ bitmaps */

static bool bit_get(const uint32_t *map, uint32_t i)
{
	return (map[i / 32] >> (i % 32)) & 1u;
}

static void bits_set(uint32_t *map, uint32_t from, uint32_t n, bool on)
{
	for (uint32_t i = from; i < from + n; i++) {
		if (on) {
			map[i / 32] |= 1u << (i % 32);
		} else {
			map[i / 32] &= ~(1u << (i % 32));
		}
	}
}

/* First fit of n free bits among count; -ENOSPC if none, -EINVAL if n > count. */
static int bits_alloc(uint32_t *map, uint32_t count, uint32_t n)
{
	uint32_t run = 0;

	if (n == 0 || n > count) {
		return -EINVAL;
	}
	for (uint32_t i = 0; i < count; i++) {
		run = bit_get(map, i) ? 0 : run + 1;
		if (run == n) {
			bits_set(map, i + 1 - n, n, true);
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

static uint32_t blocks_for(const struct icbmsg_channel *ch, uint32_t size)
{
	return (uint32_t)(((uint64_t)size + ICBMSG_BLOCK_HEADER_SIZE + ch->block_size - 1) /
			  ch->block_size);
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
	uint64_t area = (uint64_t)ch->block_count * ch->block_size;

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
		if ((uint64_t)sz > area - ICBMSG_BLOCK_HEADER_SIZE ||
		    (uint64_t)index * ch->block_size + ICBMSG_BLOCK_HEADER_SIZE + sz > area) {
			return NULL;
		}
		*size = sz;
		if (invalidate) {
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

	if (ptr == NULL || p < base + ICBMSG_BLOCK_HEADER_SIZE) {
		return -EINVAL;
	}
	index = (uint32_t)((p - base) / ch->block_size);
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
	uint32_t n, deadline = port_uptime_ms() + (uint32_t)(wait.ms > 0 ? wait.ms : 0);
	bool waited = false;
	int index;

	if (*size > max) {
		*size = max;
		return -ENOMEM;
	}
	n = *size == 0 ? 1 : blocks_for(tx, *size);
	for (;;) {
		port_mutex_lock(d->bitmap_lock, PORT_FOREVER);
		index = bits_alloc(d->tx_usage, tx->block_count, n);
		if (index >= 0 && *size == 0) {
			while (index + n < tx->block_count && !bit_get(d->tx_usage, index + n)) {
				bits_set(d->tx_usage, index + n, 1, true);
				n++;
			}
		}
		port_mutex_unlock(d->bitmap_lock);
		if (index != -ENOSPC || wait.ms == 0) {
			break;
		}
		int32_t left = wait.ms < 0 ? PORT_FOREVER : (int32_t)(deadline - port_uptime_ms());

		if (wait.ms > 0 && left <= 0) {
			index = -EAGAIN;
			break;
		}
		if (port_sem_take(d->block_wait_sem, left) < 0 || atomic_load(&d->closing)) {
			index = -EAGAIN;
			break;
		}
		waited = true;
	}
	/* Other waiters may fit in what is left: pass the wake-up on. */
	if (waited) {
		port_sem_give(d->block_wait_sem);
	}
	if (index < 0) {
		return index == -EAGAIN ? -EAGAIN : -ENOMEM;
	}
	port_crash_point("icbmsg_alloc_before_header");
	*size = n * tx->block_size - ICBMSG_BLOCK_HEADER_SIZE;
	ipc_store_relaxed((volatile uint32_t *)block_at(tx, (uint32_t)index), *size);
	*buffer = block_at(tx, (uint32_t)index) + ICBMSG_BLOCK_HEADER_SIZE;
	return index;
}

/* Free the buffer at `index` of `size` bytes, or shrink it to new_size (>= 0).
 * -EINVAL if new_size needs more blocks; -EALREADY if the buffer's blocks are
 * not all allocated (dropped or released already: nothing is changed). */
static int release_tx_blocks(struct icbmsg_data *d, uint32_t index, uint32_t size,
			     int64_t new_size)
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
	port_mutex_lock(d->bitmap_lock, PORT_FOREVER);
	for (uint32_t i = index; i < index + n; i++) {
		if (!bit_get(d->tx_usage, i)) {
			rc = -EALREADY;
		}
	}
	if (rc == 0) {
		if (new_size >= 0) {
			ipc_store_relaxed((volatile uint32_t *)block_at(tx, index),
					  (uint32_t)new_size);
		}
		bits_set(d->tx_usage, index + keep, n - keep, false);
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

static int release_tx_buffer(struct icbmsg_data *d, const void *buffer, int64_t new_size)
{
	uint32_t size;
	int index = buffer_index(&d->conf->tx, buffer, &size);

	if (index < 0) {
		return index;
	}
	return release_tx_blocks(d, (uint32_t)index, size, new_size);
}

unsigned icbmsg_tx_blocks_in_use(struct icbmsg_data *d)
{
	unsigned n = 0;

	port_mutex_lock(d->bitmap_lock, PORT_FOREVER);
	for (uint32_t i = 0; i < d->conf->tx.block_count; i++) {
		n += bit_get(d->tx_usage, i);
	}
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

	port_mutex_lock(d->mutex, PORT_FOREVER);
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
	port_cache_flush(block, (size_t)size + ICBMSG_BLOCK_HEADER_SIZE);
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

/* Follower: index of a CONFIGURED endpoint whose name is the NUL-terminated
 * string at `name` inside our RX blocks area; -ENOENT if none. */
static int find_ept_by_name(struct icbmsg_data *d, const uint8_t *name, uint32_t size)
{
	const struct icbmsg_channel *rx = &d->conf->rx;
	const uint8_t *end = rx->blocks_ptr + (size_t)rx->block_count * rx->block_size;
	size_t max = (size_t)(end - name), len;

	/* The name is peer data: bound the search by the buffer and the area. */
	if (size < max) {
		max = size;
	}
	len = 0;
	while (len < max && name[len] != '\0') {
		len++;
	}
	if (len == max) {
		return -ENOENT; /* not terminated inside the buffer */
	}
	for (uint32_t i = 0; i < d->conf->num_ept; i++) {
		struct icbmsg_ept *ept = &d->ept[i];

		if (atomic_load(&ept->state) == EPT_CONFIGURED && ept->cfg->name != NULL &&
		    strlen(ept->cfg->name) == len && memcmp(ept->cfg->name, name, len) == 0) {
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
	int i, expected = EPT_CONFIGURED;

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
	if (!atomic_compare_exchange_strong(&ept->state, &expected, EPT_READY)) {
		return -EINVAL;
	}
	call_bound(ept);
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
		for (uint32_t i = 0; i < n; i++) {
			int expected = EPT_CONFIGURED;

			if (atomic_compare_exchange_strong(&d->ept[i].state, &expected,
							   EPT_BOUNDING) &&
			    send_bound_message(d, &d->ept[i]) < 0) {
				atomic_store(&d->ept[i].state, EPT_UNCONFIGURED);
				port_log(PORT_LOG_ERR, "icbmsg: cannot send bound for '%s'",
					 d->ept[i].cfg->name);
			}
		}
	} else {
		port_mutex_lock(d->mutex, PORT_FOREVER);
		for (uint32_t a = 0; a < n; a++) {
			uint16_t block = d->waiting_bound[a];
			int rc;

			if (block == WAITING_BOUND_EMPTY) {
				continue;
			}
			port_mutex_unlock(d->mutex);
			rc = match_bound_msg(d, block, (uint8_t)a);
			port_mutex_lock(d->mutex, PORT_FOREVER);
			if (rc != 0) {
				d->waiting_bound[a] = WAITING_BOUND_EMPTY;
			}
			if (rc < 0) {
				stat_inc(d, STAT_RX_INVALID);
			}
		}
		port_mutex_unlock(d->mutex);
	}
	for (uint32_t i = 0; i < n; i++) {
		int expected = EPT_REBOUNDING;

		if (atomic_compare_exchange_strong(&d->ept[i].rebound, &expected, EPT_NORMAL)) {
			call_bound(&d->ept[i]);
		}
	}
}

/* The endpoint that receives at wire address `addr`, or NULL. */
static struct icbmsg_ept *rx_ept(struct icbmsg_data *d, uint8_t addr)
{
	struct icbmsg_ept *ept;
	int state;

	if (addr >= d->conf->num_ept || d->ept_map[addr] >= d->conf->num_ept) {
		return NULL;
	}
	ept = &d->ept[d->ept_map[addr]];
	state = atomic_load(&ept->state);
	if (state == EPT_READY) {
		return atomic_load(&ept->rebound) == EPT_NORMAL ? ept : NULL;
	}
	if (state == EPT_BOUNDING) {
		/* Initiator: the first data proves the peer bound it. */
		atomic_store(&ept->state, EPT_READY);
		call_bound(ept);
		return ept;
	}
	return NULL;
}

static void received_data(struct icbmsg_data *d, uint32_t index, uint8_t addr)
{
	const struct icbmsg_channel *rx = &d->conf->rx;
	uint32_t size;
	uint8_t *buffer = buffer_validate(rx, index, &size, true);
	struct icbmsg_ept *ept;

	if (buffer == NULL) {
		stat_inc(d, STAT_RX_INVALID);
		port_log(PORT_LOG_ERR, "icbmsg: invalid data block %u from the peer", (unsigned)index);
		return;
	}
	ept = rx_ept(d, addr);
	if (ept == NULL || ept->cfg->cb.received == NULL) {
		/* Upstream leaks the buffer here; give it back to the sender. */
		stat_inc(d, STAT_RX_RELEASED_UNKNOWN);
		(void)send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)index);
		return;
	}
	atomic_fetch_and(&d->rx_hold[index / 32], ~(1u << (index % 32)));
	atomic_store(&d->delivering, (int)index);
	ept->cfg->cb.received(buffer, size, ept->cfg->priv);
	atomic_store(&d->delivering, -1);
	if (!(atomic_load(&d->rx_hold[index / 32]) & (1u << (index % 32)))) {
		(void)send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)index);
	}
}

static void received_release(struct icbmsg_data *d, uint32_t index, uint8_t addr, bool bound)
{
	uint32_t size;

	if (buffer_validate(&d->conf->tx, index, &size, false) == NULL ||
	    release_tx_blocks(d, index, size, -1) < 0) {
		stat_inc(d, STAT_RX_INVALID);
		port_log(PORT_LOG_ERR, "icbmsg: invalid release of block %u from the peer", (unsigned)index);
		return;
	}
	port_crash_point("icbmsg_release_after_free");
	if (bound && rx_ept(d, addr) == NULL) {
		stat_inc(d, STAT_RX_INVALID);
	}
}

static void received_bound(struct icbmsg_data *d, uint32_t index, uint8_t addr)
{
	uint32_t size;
	uint16_t old;

	if (buffer_validate(&d->conf->rx, index, &size, true) == NULL) {
		stat_inc(d, STAT_RX_INVALID);
		return;
	}
	if (d->conf->is_initiator) {
		/* Only the follower accepts binding requests; free the buffer. */
		stat_inc(d, STAT_RX_BOUND_RELEASED);
		(void)send_control(d, ICBMSG_MSG_RELEASE_DATA, 0, (uint8_t)index);
		return;
	}
	port_mutex_lock(d->mutex, PORT_FOREVER);
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

static void control_received(const void *data, size_t len, void *priv)
{
	struct icbmsg_data *d = priv;
	const uint8_t *msg = data;

	/* Longer messages are accepted for future protocol versions. */
	if (len < MSG_LEN || msg[1] >= d->conf->num_ept) {
		stat_inc(d, STAT_RX_INVALID);
		return;
	}
	switch (msg[0]) {
	case ICBMSG_MSG_DATA:
		received_data(d, msg[2], msg[1]);
		break;
	case ICBMSG_MSG_RELEASE_DATA:
		received_release(d, msg[2], msg[1], false);
		break;
	case ICBMSG_MSG_BOUND:
		received_bound(d, msg[2], msg[1]);
		break;
	case ICBMSG_MSG_RELEASE_BOUND:
		received_release(d, msg[2], msg[1], true);
		break;
	default:
		break; /* unknown types are ignored (future versions) */
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
	for (uint32_t i = 0; i < n; i++) {
		ept = &d->ept[i];
		if (ept->cfg == cfg) {
			int expected = EPT_DEREGISTERED;

			if (!atomic_compare_exchange_strong(&ept->rebound, &expected,
							    EPT_REBOUNDING)) {
				return -EINVAL;
			}
			*token = ept;
			schedule_bound(d);
			return 0;
		}
	}
	index = atomic_fetch_add(&d->flags, 1) & EPT_COUNT_MASK;
	if (index >= n) {
		atomic_fetch_sub(&d->flags, 1);
		return -ENOMEM;
	}
	ept = &d->ept[index];
	ept->cfg = cfg;
	if (d->conf->is_initiator) {
		ept->addr = (uint8_t)index;
		d->ept_map[index] = (uint8_t)index;
	}
	atomic_store(&ept->state, EPT_CONFIGURED);
	*token = ept;
	schedule_bound(d);
	return 0;
}

static int deregister_ept(const struct device *instance, void *token)
{
	struct icbmsg_ept *ept = token;
	int expected = EPT_NORMAL;

	if (ept == NULL) {
		return -ENOENT;
	}
	return atomic_compare_exchange_strong(&ept->rebound, &expected, EPT_DEREGISTERED) ? 0
											 : -EINVAL;
}

/* Sending is possible once bound (upstream does not check and misdelivers). */
static bool ept_ready(const struct icbmsg_ept *ept)
{
	return atomic_load(&ept->state) == EPT_READY && atomic_load(&ept->rebound) == EPT_NORMAL;
}

static int send(const struct device *instance, void *token, const void *msg, size_t len)
{
	struct icbmsg_data *d = instance->data;
	struct icbmsg_ept *ept = token;
	uint32_t size = (uint32_t)len;
	uint8_t *buffer;
	int index, rc;

	if (ept == NULL) {
		return -ENOENT; /* the registration failed */
	}
	if (msg == NULL && len > 0) {
		return -EINVAL;
	}
	if (!ept_ready(ept)) {
		return -EBUSY;
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
	rc = send_block(d, ICBMSG_MSG_DATA, ept->addr, (uint32_t)index, (uint32_t)len);
	return rc < 0 ? rc : (int)len;
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
	int index, rc;

	if (ept == NULL) {
		return -ENOENT;
	}
	if (!ept_ready(ept)) {
		return -EBUSY;
	}
	/* Shrink to the real size; a size needing more blocks drops the buffer. */
	index = release_tx_buffer(d, data, len > INT32_MAX ? INT32_MAX : (int64_t)len);
	if (index < 0) {
		(void)release_tx_buffer(d, data, -1);
		return index;
	}
	rc = send_block(d, ICBMSG_MSG_DATA, ept->addr, (uint32_t)index, (uint32_t)len);
	return rc < 0 ? rc : (int)len;
}

static int hold_rx_buffer(const struct device *instance, void *token, void *data)
{
	struct icbmsg_data *d = instance->data;
	int index = buffer_index(&d->conf->rx, data, NULL);
	uint32_t bit;

	if (index < 0) {
		return index;
	}
	bit = 1u << (index % 32);
	return (atomic_fetch_or(&d->rx_hold[index / 32], bit) & bit) ? -EALREADY : 0;
}

static int release_rx_buffer(const struct device *instance, void *token, void *data)
{
	struct icbmsg_data *d = instance->data;
	int index = buffer_index(&d->conf->rx, data, NULL);
	uint32_t bit;
	int rc;

	if (index < 0) {
		return index;
	}
	/* Only a held buffer is ours to release; the rest went back already. */
	bit = 1u << (index % 32);
	if (!(atomic_fetch_and(&d->rx_hold[index / 32], ~bit) & bit)) {
		return -EALREADY;
	}
	if (atomic_load(&d->delivering) == index) {
		return 0; /* held and released inside received(): released on return */
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

int icbmsg_init(const struct icbmsg_config *conf, struct icbmsg_data *d)
{
	int rc;

	if (conf == NULL || d == NULL || d->ept == NULL || d->ept_map == NULL ||
	    d->waiting_bound == NULL || conf->num_ept == 0 || conf->num_ept > ICBMSG_NUM_EPT_MAX ||
	    conf->tx.block_count == 0 || conf->tx.block_count > ICBMSG_MAX_BLOCKS ||
	    conf->rx.block_count == 0 || conf->rx.block_count > ICBMSG_MAX_BLOCKS ||
	    conf->tx.block_size < ICBMSG_BLOCK_ALIGNMENT ||
	    conf->rx.block_size < ICBMSG_BLOCK_ALIGNMENT ||
	    conf->control_config.unbound_mode != ICMSG_UNBOUND_MODE_DISABLE) {
		return -EINVAL;
	}
	d->conf = conf;
	memset(d->tx_usage, 0, sizeof(d->tx_usage));
	for (unsigned i = 0; i < ICBMSG_MAX_BLOCKS / 32; i++) {
		atomic_store(&d->rx_hold[i], 0);
	}
	atomic_store(&d->flags, 0);
	atomic_store(&d->closing, false);
	atomic_store(&d->delivering, -1);
	memset(d->ept, 0, sizeof(*d->ept) * conf->num_ept);
	memset(d->ept_map, EPT_ADDR_INVALID, conf->num_ept);
	for (uint32_t i = 0; i < conf->num_ept; i++) {
		d->waiting_bound[i] = WAITING_BOUND_EMPTY;
	}
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
	if (icmsg_state(&d->control_data) != ICMSG_STATE_OFF) {
		(void)icmsg_close(&d->conf->control_config, &d->control_data);
	}
	/* Wake any sender blocked in alloc_tx so the work item can finish. */
	atomic_store(&d->closing, true);
	port_sem_give(d->block_wait_sem);
	port_work_destroy(d->ep_bound_work);
	icmsg_deinit(&d->control_data);
	port_sem_destroy(d->block_wait_sem);
	port_mutex_destroy(d->bitmap_lock);
	port_mutex_destroy(d->mutex);
}
