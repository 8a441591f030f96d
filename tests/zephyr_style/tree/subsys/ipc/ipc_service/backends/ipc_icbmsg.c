/*
 * The test tree's ICBMsg backend (our own code in Zephyr's style, see
 * tests/zephyr_style/README): classic ICBMsg's wire format, so that it talks
 * to ipc-emu's core (src/icbmsg.c).  One device per zephyr,ipc-icbmsg node.
 *
 * Each region: a control ring, then `tx-blocks` (or `rx-blocks`) equal
 * blocks.  The layout is computed at build time from the devicetree, and,
 * as in Zephyr's classic ICBMsg, it depends on the word size: a buffer
 * starts with a size_t, and the ring is sized with sizeof(void *).  Built
 * for 32 bits it is the target's layout; `ipc-emu zephyr-build` builds it
 * with -m32.
 *
 * The control ring is Zephyr's pbuf format (read index, write index at
 * max(alignment, 4), 2-byte big-endian packet lengths) with ICMsg's legacy
 * bonding (a 13-byte magic packet first).  It lives here, not in lib/icmsg.c:
 * the test tree's ICMsg speaks a protocol of its own.  Control messages are
 * 3 bytes: type, endpoint address, first block.
 *
 * Endpoints: the side whose RX blocks lie lower is the initiator; it numbers
 * its endpoints in registration order and sends MSG_BOUND with the name in
 * a buffer; the follower matches the name, calls bound() and answers
 * MSG_RELEASE_BOUND.  Receive processing and binding run on the backend's
 * work queue; the MBOX callback only submits work.  Several endpoints share
 * the blocks; a MSG_BOUND that comes before its endpoint is registered
 * waits for it.
 *
 * No-copy, as in Zephyr's classic ICBMsg: get_tx_buffer() allocates blocks
 * (size 0: the first free block and every free block after it) and
 * send_nocopy() shrinks the buffer to the sent length before MSG_DATA.  A
 * received buffer is released (MSG_RELEASE_DATA) after the received()
 * callback unless the callback held it (hold_rx_buffer(), a bit per RX
 * block, cleared when the next MSG_DATA uses the block); release_rx_buffer()
 * sends the release later.
 */
#define DT_DRV_COMPAT zephyr_ipc_icbmsg

#include <string.h>
#include <zephyr/cache.h>
#include <zephyr/device.h>
#include <zephyr/drivers/mbox.h>
#include <zephyr/ipc/ipc_service_backend.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/sys/bitarray.h>
#include <zephyr/sys/util.h>

LOG_MODULE_REGISTER(ipc_icbmsg, CONFIG_IPC_SERVICE_BACKEND_ICBMSG_LOG_LEVEL);

#define NUM_EPT CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP
#define NO_BLOCK 0xFFFFu

enum msg_type {
	MSG_DATA = 0,
	MSG_RELEASE_DATA,
	MSG_BOUND,
	MSG_RELEASE_BOUND,
};

enum ept_state {
	EPT_FREE = 0,
	EPT_CONFIGURED, /* registered, not bound yet */
	EPT_BOUNDING,   /* initiator: MSG_BOUND sent */
	EPT_READY,
	EPT_DEREGISTERED,
};

/* First bytes of a buffer.  A size_t, as in Zephyr: 4 bytes on the target. */
struct block_header {
	volatile size_t size;
};

static const uint8_t magic[] = {0x45, 0x6d, 0x31, 0x6c, 0x31, 0x4b, 0x30,
				0x72, 0x6e, 0x33, 0x6c, 0x69, 0x34};

/* Ring space one control message takes, with the word size in it. */
#define CTL_MSG_SPACE (ROUND_UP(3, sizeof(void *)) + 4)

#define ALIGNMENT(i) MAX(4, DT_INST_PROP_OR(i, dcache_alignment, 0))
#define REG_BEGIN(i, r) ROUND_UP(DT_REG_ADDR(DT_INST_PHANDLE(i, r)), ALIGNMENT(i))
#define REG_END(i, r)                                                                          \
	ROUND_DOWN(DT_REG_ADDR(DT_INST_PHANDLE(i, r)) + DT_REG_SIZE(DT_INST_PHANDLE(i, r)),    \
		   ALIGNMENT(i))
/* The ring: room for one message per block of both directions, plus 2. */
#define RING_MIN(i, local, remote)                                                             \
	ROUND_UP(ALIGNMENT(i) + 4 + CTL_MSG_SPACE * (2 + (local) + (remote)), ALIGNMENT(i))
#define BLOCK_SIZE(i, r, local, remote)                                                        \
	ROUND_DOWN((REG_END(i, r) - REG_BEGIN(i, r) - RING_MIN(i, local, remote)) / (local), 4)
#define BLOCKS_AT(i, r, local, remote)                                                         \
	(REG_END(i, r) - BLOCK_SIZE(i, r, local, remote) * (local))

struct region {
	uint8_t *ring;      /* read index at +0, write index at +wr_at, data after it */
	uint32_t ring_size; /* bytes up to the blocks */
	uint8_t *blocks;
	uint32_t block_size;
	uint32_t count;
};

struct icbmsg_config {
	struct region tx, rx;
	uint32_t wr_at; /* offset of a ring's write index: max(alignment, 4) */
	struct mbox_dt_spec mbox_tx, mbox_rx;
	sys_bitarray_t *tx_usage;
	sys_bitarray_t *rx_hold; /* received buffers held by their endpoint */
};

struct ept {
	const struct ipc_ept_cfg *cfg;
	atomic_t state;
	uint8_t addr;
	bool rebound; /* registered again: bound() from the work queue */
};

struct icbmsg_data {
	const struct device *dev;
	bool opened, bonded, initiator, bind_retry;
	uint32_t tx_wr, rx_rd; /* this side's ring indices */
	struct k_mutex tx_lock;
	struct k_sem block_wait; /* given when TX blocks come back */
	struct k_work rx_work, bind_work;
	struct ept epts[NUM_EPT];
	uint8_t local_of[NUM_EPT];       /* follower: peer address -> epts[] index */
	uint16_t waiting_bound[NUM_EPT]; /* follower: MSG_BOUND block per address */
};

static K_THREAD_STACK_DEFINE(work_stack, CONFIG_IPC_SERVICE_BACKEND_ICBMSG_EP_BOUND_WORK_Q_STACK_SIZE);
static struct k_work_q work_q;
static bool work_q_started;

/* ------------------------------------------------------------ the ring -- */

static uint32_t idx_load(uint8_t *at)
{
	sys_cache_data_invd_range(at, sizeof(uint32_t));
	__sync_synchronize();
	return *(volatile uint32_t *)at;
}

static void idx_store(uint8_t *at, uint32_t v)
{
	__sync_synchronize();
	*(volatile uint32_t *)at = v;
	sys_cache_data_flush_range(at, sizeof(uint32_t));
}

static uint32_t ring_len(const struct icbmsg_config *conf, const struct region *r)
{
	return r->ring_size - conf->wr_at - 4;
}

static void ring_copy(uint8_t *ring, uint32_t len, uint32_t at, uint8_t *buf, uint32_t n,
		      bool to_ring)
{
	uint32_t first = MIN(n, len - at);

	if (to_ring) {
		memcpy(ring + at, buf, first);
		memcpy(ring, buf + first, n - first);
		sys_cache_data_flush_range(ring + at, first);
		sys_cache_data_flush_range(ring, n - first);
	} else {
		sys_cache_data_invd_range(ring + at, first);
		sys_cache_data_invd_range(ring, n - first);
		memcpy(buf, ring + at, first);
		memcpy(buf + first, ring, n - first);
	}
}

/* One packet into the TX ring: 0, or -ENOMEM (no room) / -EINVAL. */
static int ring_write(const struct icbmsg_config *conf, struct icbmsg_data *dev_data,
		      const void *msg, uint16_t n)
{
	const struct region *r = &conf->tx;
	uint8_t *data = r->ring + conf->wr_at + 4;
	uint32_t len = ring_len(conf, r);
	uint32_t rd = idx_load(r->ring);
	uint32_t wr = dev_data->tx_wr;
	uint32_t used, at;
	uint8_t hdr[4] = {(uint8_t)(n >> 8), (uint8_t)n, 0, 0};

	if (rd >= len || (rd & 3) != 0) {
		return -EINVAL;
	}
	used = wr >= rd ? wr - rd : len - (rd - wr);
	if ((uint32_t)n + 4 > len - used - 4) {
		return -ENOMEM;
	}
	memcpy(data + wr, hdr, sizeof(hdr));
	sys_cache_data_flush_range(data + wr, sizeof(hdr));
	at = (wr + 4) % len;
	ring_copy(data, len, at, (uint8_t *)msg, n, true);
	wr = ROUND_UP(at + n, 4) % len;
	dev_data->tx_wr = wr;
	idx_store(r->ring + conf->wr_at, wr);
	return 0;
}

/* One packet out of the RX ring: its length, 0 (empty) or -EINVAL. */
static int ring_read(const struct icbmsg_config *conf, struct icbmsg_data *dev_data,
		     uint8_t *buf, uint32_t size)
{
	const struct region *r = &conf->rx;
	uint8_t *data = r->ring + conf->wr_at + 4;
	uint32_t len = ring_len(conf, r);
	uint32_t wr = idx_load(r->ring + conf->wr_at);
	uint32_t rd = dev_data->rx_rd;
	uint32_t used, n, at;

	if (wr >= len || (wr & 3) != 0) {
		return -EINVAL;
	}
	if (rd == wr) {
		return 0;
	}
	used = wr > rd ? wr - rd : len - (rd - wr);
	sys_cache_data_invd_range(data + rd, 4);
	n = ((uint32_t)data[rd] << 8) | data[rd + 1];
	if (n + 4 > used) {
		return -EINVAL;
	}
	at = (rd + 4) % len;
	ring_copy(data, len, at, buf, MIN(n, size), false);
	dev_data->rx_rd = ROUND_UP(at + n, 4) % len;
	idx_store(r->ring, dev_data->rx_rd);
	return (int)MIN(n, size);
}

static int send_control(const struct device *instance, uint8_t type, uint8_t addr, size_t block)
{
	const struct icbmsg_config *conf = instance->config;
	struct icbmsg_data *dev_data = instance->data;
	uint8_t msg[3] = {type, addr, (uint8_t)block};
	int ret;

	k_mutex_lock(&dev_data->tx_lock, K_FOREVER);
	ret = ring_write(conf, dev_data, msg, sizeof(msg));
	k_mutex_unlock(&dev_data->tx_lock);
	if (ret == 0) {
		(void)mbox_send_dt(&conf->mbox_tx, NULL);
	}
	return ret;
}

/* ---------------------------------------------------------- the blocks -- */

static struct block_header *block_at(const struct region *r, size_t block)
{
	return (struct block_header *)(r->blocks + block * r->block_size);
}

static size_t blocks_for(const struct region *r, size_t size)
{
	return DIV_ROUND_UP(size + sizeof(struct block_header), r->block_size);
}

/* Blocks for `size` bytes in the TX area: 0 and the first block, or -ENOMEM. */
static int alloc_tx(const struct icbmsg_config *conf, size_t size, size_t *block)
{
	const struct region *r = &conf->tx;
	struct block_header *hdr;

	if (blocks_for(r, size) > r->count ||
	    sys_bitarray_alloc(conf->tx_usage, blocks_for(r, size), block) != 0) {
		return -ENOMEM;
	}
	hdr = block_at(r, *block);
	hdr->size = size;
	return 0;
}

/* A no-copy buffer of at least *size bytes (0: the first free block and the
 * free ones after it), waiting up to `wait` for blocks; *size becomes the
 * buffer's capacity, which its header records until it is sent. */
static int alloc_tx_wait(const struct device *instance, uint32_t *size, size_t *block,
			 k_timeout_t wait)
{
	const struct icbmsg_config *conf = instance->config;
	struct icbmsg_data *dev_data = instance->data;
	const struct region *r = &conf->tx;
	bool waited = false;
	size_t n;
	int ret;

	while ((ret = alloc_tx(conf, *size, block)) == -ENOMEM &&
	       blocks_for(r, *size) <= r->count && !K_TIMEOUT_EQ(wait, K_NO_WAIT)) {
		if (k_sem_take(&dev_data->block_wait, wait) != 0) {
			ret = -EAGAIN; /* timed out */
			break;
		}
		waited = true;
	}
	if (waited) {
		k_sem_give(&dev_data->block_wait); /* other waiters check again */
	}
	if (ret != 0) {
		return ret;
	}
	n = blocks_for(r, *size);
	while (*size == 0 && *block + n < r->count) {
		int was_set;

		if (sys_bitarray_test_and_set_bit(conf->tx_usage, *block + n, &was_set) != 0 ||
		    was_set) {
			break;
		}
		n++;
	}
	*size = n * r->block_size - sizeof(struct block_header);
	block_at(r, *block)->size = *size;
	return 0;
}

/* Free the buffer at `block`, or (keep >= 0) the blocks it no longer needs
 * once shrunk to `keep` bytes.  0, or -EINVAL. */
static int free_tx_part(const struct icbmsg_config *conf, size_t block, int keep)
{
	const struct region *r = &conf->tx;
	size_t size, kept;

	if (block >= r->count) {
		LOG_ERR("release of block %zu: out of range", block);
		return -EINVAL;
	}
	sys_cache_data_invd_range(block_at(r, block), sizeof(struct block_header));
	size = block_at(r, block)->size;
	if (size > (r->count - block) * r->block_size - sizeof(struct block_header)) {
		LOG_ERR("release of block %zu: not a buffer of ours", block);
		return -EINVAL;
	}
	kept = keep < 0 ? 0 : blocks_for(r, (size_t)keep);
	if (kept > blocks_for(r, size)) {
		return -EINVAL;
	}
	if (kept < blocks_for(r, size) &&
	    sys_bitarray_free(conf->tx_usage, blocks_for(r, size) - kept, block + kept) != 0) {
		LOG_ERR("release of block %zu: not a buffer of ours", block);
		return -EINVAL;
	}
	if (keep >= 0) {
		block_at(r, block)->size = (size_t)keep;
	}
	return 0;
}

static void free_tx(const struct device *instance, size_t block)
{
	struct icbmsg_data *dev_data = instance->data;

	if (free_tx_part(instance->config, block, -1) == 0) {
		k_sem_give(&dev_data->block_wait);
	}
}

/* The block of region `r` (our TX or the peer's RX) where the buffer
 * `data` starts, or -EINVAL.
 */
static int block_of(const struct region *r, const void *data)
{
	const uint8_t *p = data;
	size_t off;

	if (p < r->blocks + sizeof(struct block_header) ||
	    p >= r->blocks + (size_t)r->count * r->block_size) {
		return -EINVAL;
	}
	off = (size_t)(p - r->blocks) - sizeof(struct block_header);
	return off % r->block_size == 0 ? (int)(off / r->block_size) : -EINVAL;
}

/* The peer's buffer at `block`: its data and size, or NULL. */
static uint8_t *rx_buffer(const struct icbmsg_config *conf, size_t block, size_t *size)
{
	const struct region *r = &conf->rx;
	size_t n;

	if (block >= r->count) {
		return NULL;
	}
	sys_cache_data_invd_range(block_at(r, block), sizeof(struct block_header));
	n = block_at(r, block)->size;
	if (n > (r->count - block) * r->block_size - sizeof(struct block_header)) {
		return NULL;
	}
	sys_cache_data_invd_range(block_at(r, block) + 1, n);
	*size = n;
	return (uint8_t *)(block_at(r, block) + 1);
}

/* ------------------------------------------------------------ binding -- */

static void report_bound(struct ept *ept)
{
	if (ept->cfg->cb.bound != NULL) {
		ept->cfg->cb.bound(ept->cfg->priv);
	}
}

static void bind_work_handler(struct k_work *item)
{
	struct icbmsg_data *dev_data = CONTAINER_OF(item, struct icbmsg_data, bind_work);
	const struct device *instance = dev_data->dev;
	const struct icbmsg_config *conf = instance->config;

	if (!dev_data->bonded) {
		return;
	}
	for (int i = 0; i < NUM_EPT; i++) {
		struct ept *ept = &dev_data->epts[i];
		size_t block, len;

		if (ept->rebound && atomic_get(&ept->state) == EPT_READY) {
			ept->rebound = false;
			report_bound(ept);
		}
		if (!dev_data->initiator || atomic_get(&ept->state) != EPT_CONFIGURED) {
			continue;
		}
		len = strlen(ept->cfg->name) + 1;
		if (alloc_tx(conf, len, &block) != 0) {
			dev_data->bind_retry = true; /* when blocks come back */
			continue;
		}
		memcpy(block_at(&conf->tx, block) + 1, ept->cfg->name, len);
		sys_cache_data_flush_range(block_at(&conf->tx, block), len + sizeof(struct block_header));
		atomic_set(&ept->state, EPT_BOUNDING);
		if (send_control(instance, MSG_BOUND, ept->addr, block) != 0) {
			free_tx(instance, block);
			atomic_set(&ept->state, EPT_CONFIGURED);
		}
	}
	for (int a = 0; !dev_data->initiator && a < NUM_EPT; a++) {
		size_t size;
		uint8_t *name = dev_data->waiting_bound[a] == NO_BLOCK
					? NULL
					: rx_buffer(conf, dev_data->waiting_bound[a], &size);

		for (int i = 0; name != NULL && i < NUM_EPT; i++) {
			struct ept *ept = &dev_data->epts[i];

			if (atomic_get(&ept->state) != EPT_CONFIGURED ||
			    strnlen((const char *)name, size) == size ||
			    strcmp((const char *)name, ept->cfg->name) != 0) {
				continue;
			}
			ept->addr = (uint8_t)a;
			dev_data->local_of[a] = (uint8_t)i;
			atomic_set(&ept->state, EPT_READY);
			report_bound(ept);
			(void)send_control(instance, MSG_RELEASE_BOUND, (uint8_t)a,
					   dev_data->waiting_bound[a]);
			dev_data->waiting_bound[a] = NO_BLOCK;
			break;
		}
	}
}

/* ------------------------------------------------------------ receive -- */

static struct ept *ept_of(struct icbmsg_data *dev_data, uint8_t addr)
{
	if (addr >= NUM_EPT) {
		return NULL;
	}
	if (dev_data->initiator) {
		return &dev_data->epts[addr]; /* our addresses are our slots */
	}
	return dev_data->local_of[addr] < NUM_EPT ? &dev_data->epts[dev_data->local_of[addr]]
						  : NULL;
}

static void control_received(const struct device *instance, const uint8_t *msg)
{
	const struct icbmsg_config *conf = instance->config;
	struct icbmsg_data *dev_data = instance->data;
	struct ept *ept = ept_of(dev_data, msg[1]);
	size_t size;
	uint8_t *data;
	int held = 0;

	switch (msg[0]) {
	case MSG_DATA:
		data = rx_buffer(conf, msg[2], &size);
		if (data == NULL) {
			LOG_ERR("data in block %u: invalid", msg[2]);
			return;
		}
		if (ept != NULL && atomic_cas(&ept->state, EPT_BOUNDING, EPT_READY)) {
			report_bound(ept);
		}
		/* The callback may hold the buffer (hold_rx_buffer sets the bit). */
		(void)sys_bitarray_clear_bit(conf->rx_hold, msg[2]);
		if (ept != NULL && atomic_get(&ept->state) == EPT_READY &&
		    ept->cfg->cb.received != NULL) {
			ept->cfg->cb.received(data, size, ept->cfg->priv);
		} else {
			LOG_ERR("data for endpoint %u: not bound", msg[1]);
		}
		if (sys_bitarray_test_bit(conf->rx_hold, msg[2], &held) != 0 || !held) {
			(void)send_control(instance, MSG_RELEASE_DATA, 0, msg[2]);
		}
		break;
	case MSG_RELEASE_BOUND:
		if (ept != NULL && atomic_cas(&ept->state, EPT_BOUNDING, EPT_READY)) {
			report_bound(ept);
		}
		__fallthrough;
	case MSG_RELEASE_DATA:
		free_tx(instance, msg[2]);
		if (dev_data->bind_retry) {
			dev_data->bind_retry = false;
			(void)k_work_submit_to_queue(&work_q, &dev_data->bind_work);
		}
		break;
	case MSG_BOUND:
		if (dev_data->initiator || msg[1] >= NUM_EPT || msg[2] >= conf->rx.count) {
			LOG_ERR("unexpected bound message for endpoint %u", msg[1]);
			return;
		}
		dev_data->waiting_bound[msg[1]] = msg[2];
		(void)k_work_submit_to_queue(&work_q, &dev_data->bind_work);
		break;
	default:
		break; /* unknown types are ignored */
	}
}

static void rx_work_handler(struct k_work *item)
{
	struct icbmsg_data *dev_data = CONTAINER_OF(item, struct icbmsg_data, rx_work);
	const struct device *instance = dev_data->dev;
	const struct icbmsg_config *conf = instance->config;
	uint8_t msg[sizeof(magic)];
	int len;

	while ((len = ring_read(conf, dev_data, msg, sizeof(msg))) > 0) {
		if (!dev_data->bonded) {
			if (len == (int)sizeof(magic) && memcmp(msg, magic, sizeof(magic)) == 0) {
				dev_data->bonded = true;
				(void)mbox_send_dt(&conf->mbox_tx, NULL);
				(void)k_work_submit_to_queue(&work_q, &dev_data->bind_work);
			}
			continue;
		}
		if (len >= 3) {
			control_received(instance, msg);
		}
	}
	if (len < 0) {
		LOG_ERR("%s: control ring corrupted", instance->name);
	}
}

static void mbox_callback(const struct device *mbox, uint32_t channel, void *user_data,
			  struct mbox_msg *msg_data)
{
	struct icbmsg_data *dev_data = user_data;

	ARG_UNUSED(mbox);
	ARG_UNUSED(channel);
	ARG_UNUSED(msg_data);
	(void)k_work_submit_to_queue(&work_q, &dev_data->rx_work);
}

/* ------------------------------------------------------------ backend -- */

static int open_instance(const struct device *instance)
{
	const struct icbmsg_config *conf = instance->config;
	struct icbmsg_data *dev_data = instance->data;
	int ret;

	if (dev_data->opened) {
		return -EALREADY;
	}
	dev_data->opened = true;
	dev_data->tx_wr = 0;
	dev_data->rx_rd = 0;
	idx_store(conf->tx.ring + conf->wr_at, 0);
	idx_store(conf->tx.ring, 0);
	ret = ring_write(conf, dev_data, magic, sizeof(magic));
	if (ret == 0) {
		ret = mbox_register_callback_dt(&conf->mbox_rx, mbox_callback, dev_data);
	}
	if (ret == 0) {
		ret = mbox_set_enabled_dt(&conf->mbox_rx, true);
	}
	if (ret != 0) {
		dev_data->opened = false;
		return ret;
	}
	(void)mbox_send_dt(&conf->mbox_tx, NULL);
	/* The peer's magic may be in the ring already. */
	(void)k_work_submit_to_queue(&work_q, &dev_data->rx_work);
	return 0;
}

static int register_ept(const struct device *instance, void **token, const struct ipc_ept_cfg *cfg)
{
	struct icbmsg_data *dev_data = instance->data;
	struct ept *slot = NULL;

	if (cfg == NULL || cfg->name == NULL) {
		return -EINVAL;
	}
	for (int i = 0; i < NUM_EPT; i++) {
		struct ept *ept = &dev_data->epts[i];

		if (ept->cfg == cfg && atomic_cas(&ept->state, EPT_DEREGISTERED, EPT_READY)) {
			ept->rebound = true;
			*token = ept;
			(void)k_work_submit_to_queue(&work_q, &dev_data->bind_work);
			return 0;
		}
		if (slot == NULL && atomic_get(&ept->state) == EPT_FREE) {
			slot = ept;
		}
	}
	if (slot == NULL) {
		return -ENOMEM;
	}
	slot->cfg = cfg;
	slot->addr = (uint8_t)(slot - dev_data->epts);
	atomic_set(&slot->state, EPT_CONFIGURED);
	*token = slot;
	(void)k_work_submit_to_queue(&work_q, &dev_data->bind_work);
	return 0;
}

static int deregister_ept(const struct device *instance, void *token)
{
	struct ept *ept = token;

	ARG_UNUSED(instance);
	return atomic_cas(&ept->state, EPT_READY, EPT_DEREGISTERED) ? 0 : -EINVAL;
}

/* Hands TX block `block`, holding `len` bytes of `ept`'s message, to the
 * peer (MSG_DATA); the block is freed if that fails.
 */
static int send_block(const struct device *instance, struct ept *ept, size_t block, size_t len)
{
	const struct icbmsg_config *conf = instance->config;
	int ret;

	__sync_synchronize();
	sys_cache_data_flush_range(block_at(&conf->tx, block), len + sizeof(struct block_header));
	ret = send_control(instance, MSG_DATA, ept->addr, block);
	if (ret != 0) {
		free_tx(instance, block);
		return ret;
	}
	return (int)len;
}

static int send_data(const struct device *instance, void *token, const void *msg, size_t len)
{
	const struct icbmsg_config *conf = instance->config;
	struct ept *ept = token;
	size_t block;
	int ret;

	if (atomic_get(&ept->state) != EPT_READY) {
		return -EBUSY;
	}
	ret = alloc_tx(conf, len, &block);
	if (ret != 0) {
		return ret;
	}
	memcpy(block_at(&conf->tx, block) + 1, msg, len);
	return send_block(instance, ept, block, len);
}

static int get_tx_buffer_size(const struct device *instance, void *token)
{
	const struct icbmsg_config *conf = instance->config;

	ARG_UNUSED(token);
	return (int)(conf->tx.count * conf->tx.block_size - sizeof(struct block_header));
}

static int get_tx_buffer(const struct device *instance, void *token, void **data, uint32_t *len,
			 k_timeout_t wait)
{
	const struct icbmsg_config *conf = instance->config;
	size_t block;
	int ret;

	ARG_UNUSED(token);
	ret = alloc_tx_wait(instance, len, &block, wait);
	if (ret != 0) {
		return ret;
	}
	*data = block_at(&conf->tx, block) + 1;
	return 0;
}

static int drop_tx_buffer(const struct device *instance, void *token, const void *data)
{
	const struct icbmsg_config *conf = instance->config;
	int block = block_of(&conf->tx, data);

	ARG_UNUSED(token);
	if (block < 0) {
		return block;
	}
	if (free_tx_part(conf, block, -1) != 0) {
		return -EINVAL;
	}
	k_sem_give(&((struct icbmsg_data *)instance->data)->block_wait);
	return 0;
}

static int send_nocopy(const struct device *instance, void *token, const void *data, size_t len)
{
	const struct icbmsg_config *conf = instance->config;
	struct ept *ept = token;
	int block = block_of(&conf->tx, data);

	if (block < 0) {
		return block;
	}
	if (atomic_get(&ept->state) != EPT_READY) {
		return -EBUSY; /* the buffer stays the caller's: drop it */
	}
	/* Shrink to what is sent; more than the buffer holds drops it. */
	if (len > INT32_MAX || free_tx_part(conf, block, (int)len) != 0) {
		free_tx(instance, block);
		return -EINVAL;
	}
	return send_block(instance, ept, block, len);
}

static int hold_rx_buffer(const struct device *instance, void *token, void *data)
{
	const struct icbmsg_config *conf = instance->config;
	int block = block_of(&conf->rx, data);

	ARG_UNUSED(token);
	if (block < 0) {
		return block;
	}
	return sys_bitarray_set_bit(conf->rx_hold, block);
}

static int release_rx_buffer(const struct device *instance, void *token, void *data)
{
	const struct icbmsg_config *conf = instance->config;
	int block = block_of(&conf->rx, data);
	int held = 0;

	ARG_UNUSED(token);
	if (block < 0) {
		return block;
	}
	if (sys_bitarray_test_bit(conf->rx_hold, block, &held) != 0 || !held) {
		return -EINVAL; /* not held: it went back after received() */
	}
	/* The bit stays set until the next MSG_DATA in this block: the
	 * received() that held it may not have looked at it yet (a release
	 * from another thread), and must not release the buffer again. */
	return send_control(instance, MSG_RELEASE_DATA, 0, (size_t)block);
}

const static struct ipc_service_backend backend_ops = {
	.open_instance = open_instance,
	.register_endpoint = register_ept,
	.deregister_endpoint = deregister_ept,
	.send = send_data,
	.get_tx_buffer_size = get_tx_buffer_size,
	.get_tx_buffer = get_tx_buffer,
	.drop_tx_buffer = drop_tx_buffer,
	.send_nocopy = send_nocopy,
	.hold_rx_buffer = hold_rx_buffer,
	.release_rx_buffer = release_rx_buffer,
};

static int backend_init(const struct device *instance)
{
	const struct icbmsg_config *conf = instance->config;
	struct icbmsg_data *dev_data = instance->data;

	if (!work_q_started) {
		k_work_queue_init(&work_q);
		k_work_queue_start(&work_q, work_stack, K_THREAD_STACK_SIZEOF(work_stack),
				   CONFIG_SYSTEM_WORKQUEUE_PRIORITY, NULL);
		work_q_started = true;
	}
	dev_data->dev = instance;
	dev_data->initiator = conf->rx.blocks < conf->tx.blocks;
	k_mutex_init(&dev_data->tx_lock);
	k_sem_init(&dev_data->block_wait, 0, 1);
	k_work_init(&dev_data->rx_work, rx_work_handler);
	k_work_init(&dev_data->bind_work, bind_work_handler);
	memset(dev_data->local_of, 0xff, sizeof(dev_data->local_of));
	memset(dev_data->waiting_bound, 0xff, sizeof(dev_data->waiting_bound));
	LOG_DBG("%s: %u + %u blocks of %u / %u bytes, %s", instance->name, conf->tx.count,
		conf->rx.count, conf->tx.block_size, conf->rx.block_size,
		dev_data->initiator ? "initiator" : "follower");
	return 0;
}

#define TX_BLOCKS(i) DT_INST_PROP(i, tx_blocks)
#define RX_BLOCKS(i) DT_INST_PROP(i, rx_blocks)

#define REGION_INIT(i, r, local, remote)                                                       \
	{                                                                                      \
		.ring = (uint8_t *)REG_BEGIN(i, r),                                            \
		.ring_size = BLOCKS_AT(i, r, local, remote) - REG_BEGIN(i, r),                 \
		.blocks = (uint8_t *)BLOCKS_AT(i, r, local, remote),                           \
		.block_size = BLOCK_SIZE(i, r, local, remote),                                 \
		.count = (local),                                                              \
	}

#define DEFINE_BACKEND_DEVICE(i)                                                               \
	BUILD_ASSERT(TX_BLOCKS(i) >= 1 && TX_BLOCKS(i) <= 256 && RX_BLOCKS(i) >= 1 &&          \
		     RX_BLOCKS(i) <= 256, "1..256 blocks per direction");                     \
	BUILD_ASSERT(BLOCK_SIZE(i, tx_region, TX_BLOCKS(i), RX_BLOCKS(i)) >= 4 &&              \
		     BLOCK_SIZE(i, rx_region, RX_BLOCKS(i), TX_BLOCKS(i)) >= 4,               \
		     "regions too small for their blocks");                                   \
	SYS_BITARRAY_DEFINE_STATIC(tx_usage_##i, TX_BLOCKS(i));                               \
	SYS_BITARRAY_DEFINE_STATIC(rx_hold_##i, RX_BLOCKS(i));                                \
	static const struct icbmsg_config backend_config_##i = {                              \
		.tx = REGION_INIT(i, tx_region, TX_BLOCKS(i), RX_BLOCKS(i)),                   \
		.rx = REGION_INIT(i, rx_region, RX_BLOCKS(i), TX_BLOCKS(i)),                   \
		.wr_at = ALIGNMENT(i),                                                        \
		.mbox_tx = MBOX_DT_SPEC_INST_GET(i, tx),                                      \
		.mbox_rx = MBOX_DT_SPEC_INST_GET(i, rx),                                      \
		.tx_usage = &tx_usage_##i,                                                    \
		.rx_hold = &rx_hold_##i,                                                      \
	};                                                                                    \
	static struct icbmsg_data backend_data_##i;                                           \
	DEVICE_DT_INST_DEFINE(i, &backend_init, NULL, &backend_data_##i, &backend_config_##i, \
			      POST_KERNEL, CONFIG_IPC_SERVICE_REG_BACKEND_PRIORITY, &backend_ops);

DT_INST_FOREACH_STATUS_OKAY(DEFINE_BACKEND_DEVICE)
