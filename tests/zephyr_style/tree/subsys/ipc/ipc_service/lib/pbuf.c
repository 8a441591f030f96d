/* The test tree's packet ring (include/zephyr/ipc/pbuf.h). */
#include <string.h>
#include <errno.h>
#if defined(CONFIG_EMU_TEST_PLANTED_ASAN)
#include <stdlib.h>
#endif
#include <zephyr/kernel.h>
#include <zephyr/cache.h>
#include <zephyr/ipc/pbuf.h>
#include <zephyr/sys/byteorder.h>
#include <zephyr/sys/util.h>

#define WRAP 0xffffu

static uint32_t get(volatile uint32_t *w)
{
	sys_cache_data_invd_range((void *)w, sizeof(*w));
	return *w;
}

static void put(volatile uint32_t *w, uint32_t v)
{
	*w = v;
	sys_cache_data_flush_range((void *)w, sizeof(*w));
}

void pbuf_reset(const struct pbuf_cfg *cfg)
{
	put(&cfg->tx[3], 0); /* legacy: no session (what "detect" looks for) */
	put(&cfg->tx[1], 0);
	put(&cfg->tx[2], 0);
	__sync_synchronize();
	put(&cfg->tx[0], PBUF_MAGIC);
}

void pbuf_session_reset(const struct pbuf_cfg *cfg, uint32_t handshake)
{
	put(&cfg->tx[3], handshake);
	__sync_synchronize();
	put(&cfg->tx[1], 0);
	put(&cfg->tx[2], 0);
	__sync_synchronize();
	put(&cfg->tx[0], PBUF_MAGIC);
}

void pbuf_handshake_write(const struct pbuf_cfg *cfg, uint32_t handshake)
{
	__sync_synchronize();
	put(&cfg->tx[3], handshake);
}

uint32_t pbuf_handshake_own(const struct pbuf_cfg *cfg)
{
	return get(&cfg->tx[3]);
}

uint32_t pbuf_handshake_peer(const struct pbuf_cfg *cfg)
{
	uint32_t v = get(&cfg->rx[3]);

	__sync_synchronize();
	return v;
}

int pbuf_peer_opened(const struct pbuf_cfg *cfg)
{
	return get(&cfg->rx[0]) == PBUF_MAGIC;
}

int pbuf_write(const struct pbuf_cfg *cfg, const void *data, uint16_t len)
{
	uint8_t *ring = (uint8_t *)cfg->tx + PBUF_HDR_SIZE;
	uint32_t size = cfg->tx_size - PBUF_HDR_SIZE;
	uint32_t wr = get(&cfg->tx[1]);
	uint32_t rd = get(&cfg->rx[2]); /* how far the peer has read our ring */
	uint32_t need = ROUND_UP(len + 2u, 4u);
	uint32_t free_bytes = rd > wr ? rd - wr - 4u : size - wr + rd - 4u;

	__ASSERT_NO_MSG(wr < size && rd < size);
	if (len == WRAP || need + 4u > size) {
		return -EINVAL;
	}
	if (wr + need > size) {
		/* Not enough room before the end: a wrap marker, then from 0. */
		if (free_bytes < size - wr + need) {
			return -ENOMEM;
		}
		sys_put_le16(WRAP, ring + wr);
		sys_cache_data_flush_range(ring + wr, 2);
		free_bytes -= size - wr;
		wr = 0;
	}
	if (free_bytes < need) {
		return -ENOMEM;
	}
	sys_put_le16(len, ring + wr);
	memcpy(ring + wr + 2, data, len);
#if defined(CONFIG_EMU_TEST_PLANTED_NO_FLUSH)
	/* Planted bug (pytests/test_zephyr_shim_faults.py, --cache-model):
	 * the length is flushed, the payload is not. */
	sys_cache_data_flush_range(ring + wr, 2);
#else
	sys_cache_data_flush_range(ring + wr, need);
#endif
	__sync_synchronize();
	put(&cfg->tx[1], (wr + need) % size);
	return len;
}

int pbuf_read(const struct pbuf_cfg *cfg, void *buf, size_t len)
{
	const uint8_t *ring = (const uint8_t *)cfg->rx + PBUF_HDR_SIZE;
	uint32_t size = cfg->rx_size - PBUF_HDR_SIZE;
	uint32_t rd = get(&cfg->tx[2]);
	uint32_t wr = get(&cfg->rx[1]);
	uint16_t plen;

	if (rd == wr) {
		return 0;
	}
	__sync_synchronize();
	sys_cache_data_invd_range((void *)(ring + rd), 2);
	plen = sys_get_le16(ring + rd);
	if (plen == WRAP) {
		rd = 0;
		if (rd == wr) {
			put(&cfg->tx[2], rd);
			return 0;
		}
		sys_cache_data_invd_range((void *)ring, 2);
		plen = sys_get_le16(ring);
	}
	if (plen > len || rd + 2u + plen > size) {
		return -ENOMEM;
	}
	sys_cache_data_invd_range((void *)(ring + rd), plen + 2u);
	memcpy(buf, ring + rd + 2, plen);
#if defined(CONFIG_EMU_TEST_PLANTED_ASAN)
	{
		/* Planted bug (pytests/test_zephyr_shim_faults.py, --sanitize):
		 * a store to a freed heap block (ASan's to find, not UBSan's). */
		uint8_t *volatile block = malloc(4);

		free(block);
		block[plen & 3u] = 1;
	}
#endif
#if defined(CONFIG_EMU_TEST_PLANTED_UBSAN)
	{
		/* Planted bug: signed overflow. */
		volatile int32_t big = INT32_MAX;

		big = big + (int32_t)plen;
	}
#endif
	__sync_synchronize();
	put(&cfg->tx[2], (rd + ROUND_UP(plen + 2u, 4u)) % size);
	return plen;
}
