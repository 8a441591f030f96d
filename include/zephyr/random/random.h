/*
 * zephyr/random/random.h - Zephyr's random number API.
 *
 * The numbers are pseudo-random and reproducible: the generator of each
 * program is seeded from the run's --seed (IPC_EMU_SEED, 1 if unset), its
 * role (IPC_EMU_ROLE) and, when the supervisor sets it, its boot count
 * (IPC_EMU_BOOT), so a run replays with the same seed while host and remote
 * (and each restart) get different sequences.  Thread-safe: concurrent
 * callers each get distinct values (which thread gets which depends on the
 * scheduling).  Not cryptographically secure: sys_csrand_get() returns the
 * same generator's bytes (and 0), which is what tests want, not what a
 * product should ship.
 */
#ifndef ZEPHYR_INCLUDE_RANDOM_RANDOM_H_
#define ZEPHYR_INCLUDE_RANDOM_RANDOM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fill `len` bytes at `dst` from the program's generator (any thread). */
void emu_zephyr_rand_fill(void *dst, size_t len);

/* Not in Zephyr: re-read IPC_EMU_SEED/ROLE/BOOT and restart the sequence
 * (for tests of code that draws numbers).  Not concurrently with draws. */
void emu_zephyr_rand_reseed(void);

static inline void sys_rand_get(void *dst, size_t len)
{
	emu_zephyr_rand_fill(dst, len);
}

/* 0 (always succeeds here). */
static inline int sys_csrand_get(void *dst, size_t len)
{
	emu_zephyr_rand_fill(dst, len);
	return 0;
}

static inline uint8_t sys_rand8_get(void)
{
	uint8_t v;

	emu_zephyr_rand_fill(&v, sizeof(v));
	return v;
}

static inline uint16_t sys_rand16_get(void)
{
	uint16_t v;

	emu_zephyr_rand_fill(&v, sizeof(v));
	return v;
}

static inline uint32_t sys_rand32_get(void)
{
	uint32_t v;

	emu_zephyr_rand_fill(&v, sizeof(v));
	return v;
}

static inline uint64_t sys_rand64_get(void)
{
	uint64_t v;

	emu_zephyr_rand_fill(&v, sizeof(v));
	return v;
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_RANDOM_RANDOM_H_ */
