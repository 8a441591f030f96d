/*
 * tests/tsan/weak_release.h - force-included into the core (the files of src/) of the
 * TSan step's deliberately broken build, test_tsan_weak_release (CMake
 * option IPC_EMU_TSAN): every memory_order_release of the core - that is,
 * ipc_store_release() of src/ipc_atomic.h, its only user - becomes relaxed.
 * scripts/test.sh requires TSan to report races in that build: proof that
 * the step sees a weakened publish of wr_idx/rd_idx/handshake.
 */
#ifndef IPC_EMU_TSAN_WEAK_RELEASE_H
#define IPC_EMU_TSAN_WEAK_RELEASE_H
#include <stdatomic.h>
#define memory_order_release memory_order_relaxed
#endif
