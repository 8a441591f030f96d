/*
 * fuzz_pbuf.c - pbuf reader (and writer) against a hostile peer.
 *
 * The input picks a layout (data-cache alignment, handshake word, region
 * size), the region's initial bytes, then a list of operations: the peer
 * overwrites any byte or word of the region (rd_idx, handshake, wr_idx,
 * headers, payload), and our side reads, peeks, skips, takes the initial
 * buffer, writes, resets.  The region is its own allocation of exactly its
 * size, so ASan sees any access outside it.
 *
 * Oracle beyond "no crash": while the peer has not touched the region since
 * the last pbuf_tx_init(), the ring is a loopback of our own writes and must
 * return exactly those packets, in order, with no error code.
 *
 *   input: | cfg | size lo | size hi | image (size bytes) | op ... |
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_emu/pbuf.h"

#include "fuzz_input.h"
#include "fuzz_port.h"

#define QMAX 512
#define BUF_MAX 2048

static const uint32_t dcaches[4] = {0, 8, 32, 64};

struct model {
	bool tainted; /* the peer wrote since the last reset */
	unsigned head, count;
	uint16_t len[QMAX];
	uint8_t seed[QMAX];
	uint8_t next_seed;
};

static _Noreturn void fail(const char *what, int rc)
{
	fprintf(stderr, "fuzz_pbuf: %s (rc %d)\n", what, rc);
	abort();
}

static uint8_t pattern(uint8_t seed, unsigned i)
{
	return (uint8_t)(seed * 31u + i * 7u + 1u);
}

static void check_packet(struct model *m, const char *buf, int rc)
{
	unsigned k = m->head;

	if (m->count == 0) {
		fail("loopback: packet read from an empty model", rc);
	}
	if (rc != m->len[k]) {
		fail("loopback: wrong packet length", rc);
	}
	if (buf != NULL) {
		for (int i = 0; i < rc; i++) {
			if ((uint8_t)buf[i] != pattern(m->seed[k], (unsigned)i)) {
				fail("loopback: wrong payload byte", i);
			}
		}
	}
	m->head = (m->head + 1) % QMAX;
	m->count--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	static char buf[BUF_MAX], wbuf[BUF_MAX];
	static struct model m;
	uint8_t cfgb = fuzz_u8(&in);
	uint32_t dcache = dcaches[cfgb & 3];
	bool hs = (cfgb & 4) != 0;
	uint32_t rsize = 8u + fuzz_u16(&in) % 1024u;
	uint8_t *region = NULL;
	struct pbuf_cfg cfg;
	int rc;

	fuzz_port_reset();
	if (posix_memalign((void **)&region, 64, rsize) != 0) {
		return 0;
	}
	memset(region, 0, rsize);
	fuzz_port_region(region, rsize);
	cfg = (struct pbuf_cfg)PBUF_CFG_INIT(region, rsize, dcache, hs);
	{
		struct pbuf rx = {.cfg = &cfg}, tx = {.cfg = &cfg};

		memset(&m, 0, sizeof m);
		m.tainted = true; /* the image came from the input */
		rc = pbuf_rx_init(&rx);
		if (rc != pbuf_tx_init(&tx) && rc == 0) {
			fail("rx_init and tx_init disagree on the cfg", rc);
		}
		if (rc != 0) {
			if (rc != -EINVAL) {
				fail("init: unexpected code", rc);
			}
			free(region);
			return 0;
		}
		if (cfg.data_loc + cfg.len > region + rsize) {
			fail("accepted cfg exceeds the region", 0);
		}
		/* After the inits: the image (indices included) is the peer's. */
		fuzz_bytes(&in, region, rsize);
		while (!fuzz_in_done(&in)) {
			uint8_t op = fuzz_u8(&in);

			switch (op % 10) {
			case 0: { /* read */
				uint16_t cap = fuzz_u16(&in) % BUF_MAX;

				rc = pbuf_read(&rx, buf, cap);
				if (rc > cap) {
					fail("read: more than the buffer", rc);
				}
				if (!m.tainted) {
					if (rc == -ENOMEM && m.count > 0 && m.len[m.head] > cap) {
						break;
					}
					if (rc < 0) {
						fail("read: error on an untouched ring", rc);
					}
					if (rc == 0 && m.count != 0) {
						fail("read: empty but packets written", rc);
					}
					if (rc > 0) {
						check_packet(&m, buf, rc);
					}
				} else if (rc < 0 && rc != -EINVAL && rc != -EAGAIN && rc != -ENOMEM) {
					fail("read: unexpected code", rc);
				}
				break;
			}
			case 1: /* peek */
				rc = pbuf_read(&rx, NULL, 0);
				if (!m.tainted && (rc < 0 || (rc == 0) != (m.count == 0) ||
						   (rc > 0 && rc != m.len[m.head]))) {
					fail("peek: wrong on an untouched ring", rc);
				}
				if (rc < 0 && rc != -EINVAL && rc != -EAGAIN) {
					fail("peek: unexpected code", rc);
				}
				break;
			case 2: /* skip */
				rc = pbuf_skip(&rx);
				if (!m.tainted) {
					if (rc < 0 || (rc == 0) != (m.count == 0)) {
						fail("skip: wrong on an untouched ring", rc);
					}
					if (rc > 0) {
						check_packet(&m, NULL, rc);
					}
				}
				if (rc < 0 && rc != -EINVAL && rc != -EAGAIN) {
					fail("skip: unexpected code", rc);
				}
				break;
			case 3: { /* initial buffer */
				volatile char *ib = NULL;
				uint16_t ilen = 0;
				unsigned sum = 0;

				rc = pbuf_get_initial_buf(&rx, &ib, &ilen);
				if (rc == 0) {
					if ((uint8_t *)ib < cfg.data_loc ||
					    (uint8_t *)ib + ilen > cfg.data_loc + cfg.len) {
						fail("initial buffer outside data[]", ilen);
					}
					for (unsigned i = 0; i < ilen; i++) {
						sum += (uint8_t)ib[i]; /* ASan checks each byte */
					}
					(void)sum;
				} else if (rc != -EINVAL) {
					fail("get_initial_buf: unexpected code", rc);
				}
				break;
			}
			case 4: { /* peer writes bytes */
				uint16_t off = fuzz_u16(&in) % rsize;
				uint8_t n = fuzz_u8(&in);

				if (n > rsize - off) {
					n = (uint8_t)(rsize - off);
				}
				fuzz_bytes(&in, region + off, n);
				m.tainted = true;
				break;
			}
			case 5: { /* peer writes a word */
				uint16_t w = fuzz_u16(&in) % (rsize / 4);
				uint32_t v = fuzz_u32(&in);

				memcpy(region + 4u * w, &v, 4);
				m.tainted = true;
				break;
			}
			case 6: { /* we write a packet */
				uint16_t len = fuzz_u16(&in) % BUF_MAX;
				uint8_t seed = m.next_seed++;

				for (unsigned i = 0; i < len; i++) {
					wbuf[i] = (char)pattern(seed, i);
				}
				rc = pbuf_write(&tx, wbuf, len);
				if (rc == len && len > 0) {
					if (m.count < QMAX) {
						unsigned k = (m.head + m.count) % QMAX;

						m.len[k] = len;
						m.seed[k] = seed;
						m.count++;
					} else {
						m.tainted = true; /* model full: stop checking */
					}
				} else if (rc >= 0) {
					fail("write: short write", rc);
				} else if (rc == -EINVAL && !m.tainted && len > 0) {
					fail("write: -EINVAL on an untouched ring", rc);
				} else if (rc != -EINVAL && rc != -ENOMEM) {
					fail("write: unexpected code", rc);
				} else if (rc == -ENOMEM && !m.tainted && m.count == 0 &&
					   len + 8u <= cfg.len) {
					fail("write: -ENOMEM on an empty ring", rc);
				}
				break;
			}
			case 7: /* both sides reset */
				if (pbuf_tx_init(&tx) != 0 || pbuf_rx_init(&rx) != 0) {
					fail("re-init of a valid cfg failed", 0);
				}
				memset(&m, 0, sizeof m);
				break;
			case 8: { /* handshake word */
				uint32_t v = fuzz_u32(&in);

				pbuf_handshake_write(&rx, v);
				if (pbuf_handshake_read(&tx) != (hs ? v : 0u)) {
					fail("handshake read-back", 0);
				}
				break;
			}
			default: /* reader restarts (e.g. after a reset of our core) */
				(void)pbuf_rx_init(&rx);
				m.tainted = true;
				break;
			}
		}
	}
	free(region);
	return 0;
}
