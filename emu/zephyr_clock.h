/*
 * zephyr_clock.h - time of the compat layer (emu/zephyr_clock.c).  Private
 * to emu/.
 */
#ifndef IPC_EMU_ZEPHYR_CLOCK_H
#define IPC_EMU_ZEPHYR_CLOCK_H

#include <stdint.h>

#include "ipc_emu/timeout.h"

/* CLOCK_MONOTONIC in ns (k_uptime_get()'s base). */
uint64_t zshim_now_ns(void);
/* zshim_now_ns() at "boot": the first call (in practice: program start). */
uint64_t zshim_boot_ns(void);
/* Milliseconds left of `t` from now: -1 (K_FOREVER), 0 (K_NO_WAIT, an
 * absolute time already past, or any timeout in ISR context), else > 0.
 * Absolute times compare modulo 2^32 ms, so they work whatever the uptime. */
int32_t zshim_timeout_ms(k_timeout_t t);
/* The once-per-process warning about a timeout in interrupt context. */
void zshim_isr_timeout_said(void);

#endif /* IPC_EMU_ZEPHYR_CLOCK_H */
