/*
 * echo_common.h - the message format shared by echo_client.c and
 * echo_server.c: the built-in scenario's wire format (cli/scenario.h), a
 * 16-byte little-endian header then a payload drawn from a seeded PRNG:
 *
 *   0 boot (u32)  4 seq (u32)  8 len (u16)  10 kind (u8)  11 lane (u8)
 *   12 crc32 of the payload (u32)  16 payload
 *
 * kind 1 = echo request, 4 = done (the server echoes it and stops).
 * Our own code, Zephyr-application-shaped: it uses only Zephyr's APIs, so it
 * builds against Zephyr's IPC stack (`ipc-emu zephyr-build --app`) and
 * against ipc-emu's core alike.
 */
#ifndef EMU_ZEPHYR_APPS_ECHO_COMMON_H
#define EMU_ZEPHYR_APPS_ECHO_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ECHO_HDR_LEN 16u
#define ECHO_KIND_REQ 1u
#define ECHO_KIND_DONE 4u
#define ECHO_MAX_LEN 128u /* CONFIG_PBUF_RX_READ_BUF_SIZE's default */

static inline uint32_t echo_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++) {
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
		}
	}
	return ~c;
}

static inline uint64_t echo_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void echo_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Message `seq` of a run seeded with `seed`: its length (16..ECHO_MAX_LEN). */
static inline size_t echo_build(uint8_t *m, uint64_t seed, uint32_t seq, uint8_t kind)
{
	uint64_t s = seed * 0x2545f4914f6cdd1dull + seq;
	size_t len = ECHO_HDR_LEN + (size_t)(echo_rng(&s) % (ECHO_MAX_LEN - ECHO_HDR_LEN + 1));

	for (size_t i = ECHO_HDR_LEN; i < len; i++) {
		m[i] = (uint8_t)echo_rng(&s);
	}
	echo_put32(m, 1);
	echo_put32(m + 4, seq);
	m[8] = (uint8_t)len;
	m[9] = (uint8_t)(len >> 8);
	m[10] = kind;
	m[11] = 0;
	echo_put32(m + 12, echo_crc32(m + ECHO_HDR_LEN, len - ECHO_HDR_LEN));
	return len;
}

static inline uint64_t echo_seed(void)
{
	const char *v = getenv("IPC_EMU_SEED");

	return v != NULL ? strtoull(v, NULL, 10) : 1;
}

#endif /* EMU_ZEPHYR_APPS_ECHO_COMMON_H */
