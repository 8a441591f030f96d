/*
 * raw.h - the baselines of `ipc-emu bench` (bench/raw.c): each measures one
 * figure into r, with the children of measure.h.
 */
#ifndef IPC_EMU_BENCH_RAW_H
#define IPC_EMU_BENCH_RAW_H

#include <stdint.h>

#include "measure.h"

void bench_raw_spin(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r);
void bench_raw_futex(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r);
void bench_raw_futex_relay(const struct bench_cfg *c, struct bench_shm *shm,
			   struct bench_result *r);
void bench_raw_eventfd(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r);
void bench_socketpair(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r);
void bench_raw_ring_echo(const struct bench_cfg *c, struct bench_shm *shm, struct bench_result *r);
void bench_raw_ring_stream(const struct bench_cfg *c, struct bench_shm *shm, uint32_t size,
			   struct bench_result *r);
void bench_memcpy(const struct bench_cfg *c, uint32_t size, struct bench_result *r);
/* Payload bytes of the ring the raw_ring baseline uses (= ICMsg's data area
 * for the default board's 16 KiB region). */
uint32_t bench_raw_ring_bytes(void);

#endif /* IPC_EMU_BENCH_RAW_H */
