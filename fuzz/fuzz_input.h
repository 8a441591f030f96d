/*
 * fuzz_input.h - reading a fuzz input as a stream of small integers.  Past
 * the end every read yields 0 and fuzz_in_done() turns true, so a target
 * never has to check lengths itself.
 */
#ifndef IPC_EMU_FUZZ_INPUT_H
#define IPC_EMU_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_in_done(const struct fuzz_in *in)
{
	return in->left == 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (in->left == 0) {
		return 0;
	}
	in->left--;
	return *in->p++;
}

/* Little-endian, as the words in shared memory. */
static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* Copy up to n bytes (zero-fill what the input lacks); returns n. */
static inline size_t fuzz_bytes(struct fuzz_in *in, void *dst, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	in->p += k;
	in->left -= k;
	return n;
}

#endif /* IPC_EMU_FUZZ_INPUT_H */
