/*
 * ipc.h - our figures of `ipc-emu bench` (bench/ipc.c): ICMsg and ICBMsg
 * echo and streaming over emulated boards, and the idle cost of bonded peers.
 */
#ifndef IPC_EMU_BENCH_IPC_H
#define IPC_EMU_BENCH_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_emu/emu.h"
#include "measure.h"

struct bench_ipc_case {
	enum emu_backend backend;
	enum bench_kind kind;      /* BENCH_ECHO or BENCH_STREAM */
	enum emu_doorbell doorbell;
	bool rx_in_isr;
	uint32_t busy_poll_us;
	bool nocopy;
	uint32_t size;
	unsigned endpoints;        /* ICBMsg: 1..64 */
	unsigned instances;        /* ICBMsg, scale BENCH_SCALE_INST: 1..8 */
	bool v2;                   /* ICBMsg v2 (else classic); BENCH_SCALE_BIG: 32 blocks */
	enum {
		BENCH_SCALE_NONE,
		BENCH_SCALE_EPT,  /* endpoints 1..64 */
		BENCH_SCALE_INST, /* instances 1..8 */
		BENCH_SCALE_BIG,  /* one instance with large regions and 64 blocks */
	} scale;
};
/* Name and group of the figure of k (r->name, r->group). */
void bench_ipc_name(const struct bench_ipc_case *k, struct bench_result *r);
void bench_ipc(const struct bench_cfg *c, struct bench_shm *shm, const struct bench_ipc_case *k,
	       struct bench_result *r);

/* Idle cost of bonded peers (ICMsg + ICBMsg open and bound) in percent of
 * one CPU, both processes together, over cfg->idle_s. */
struct bench_idle {
	bool ok;
	char err[256];
	double seconds;
	double cpu_percent[2];   /* host, remote */
	double total_percent;
	uint32_t busy_poll_us;
};
void bench_idle_cost(const struct bench_cfg *c, struct bench_shm *shm, uint32_t busy_poll_us,
		     struct bench_idle *out);

#endif /* IPC_EMU_BENCH_IPC_H */
