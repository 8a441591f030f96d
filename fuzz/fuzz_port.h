/*
 * fuzz_port.h - a deterministic, single-threaded implementation of
 * src/port.h and of one MBOX device, for the libFuzzer targets.
 *
 * Nothing here blocks or sleeps for real:
 *   - a mutex that is already held fails at once (-EBUSY / -EAGAIN); locking
 *     a held mutex with PORT_FOREVER would deadlock on a real port, so it
 *     aborts (the fuzzer reports it as a crash);
 *   - a semaphore at 0 fails at once (-EBUSY / -EAGAIN);
 *   - work items are only marked pending: fuzz_port_run_work() runs them, in
 *     submission order, a bounded number of rounds; scheduled (delayed) items
 *     become pending only when fuzz_port_fire_timers() is called;
 *   - time is a counter advanced by port_sleep_ms() and fuzz_port_fire_timers().
 *
 * Shared-memory regions are registered with fuzz_port_region(); every cache
 * operation the core performs must lie inside one of them, else abort: the
 * core may only touch the regions' bytes (ASan checks the accesses, each
 * region being a separate allocation of exactly its size).
 *
 * The MBOX device records the channels signalled; fuzz_port_deliver() calls
 * the callback registered on a channel, "in ISR", if it is enabled.
 */
#ifndef IPC_EMU_FUZZ_PORT_H
#define IPC_EMU_FUZZ_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/device.h"

#define FUZZ_MBOX_CHANNELS 4

/* Forget every object, region, timer and signal (start of each input). */
void fuzz_port_reset(void);
/* Declare [p, p+len) as shared memory the core may maintain in cache. */
void fuzz_port_region(const void *p, size_t len);
/* Run pending work items; at most `rounds` passes over the items. */
void fuzz_port_run_work(unsigned rounds);
/* Make every scheduled item pending and advance time by 100 ms. */
void fuzz_port_fire_timers(void);
/* Abort if any port object (mutex, semaphore, work item) is still allocated. */
void fuzz_port_check_released(void);

/* The MBOX device for mbox_dt_spec.dev. */
extern const struct device fuzz_mbox_dev;
/* How many times the core signalled `channel` since the last reset. */
unsigned fuzz_mbox_sent(uint32_t channel);
/* Deliver an interrupt on `channel` (no-op when disabled or no callback). */
void fuzz_port_deliver(uint32_t channel);

#endif /* IPC_EMU_FUZZ_PORT_H */
