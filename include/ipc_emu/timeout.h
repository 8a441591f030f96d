/*
 * timeout.h - Zephyr's k_timeout_t subset used by the IPC APIs.
 *
 * K_NO_WAIT, K_FOREVER and K_MSEC() have Zephyr's meaning; the value is kept
 * in milliseconds (ms < 0 means forever).  An absolute timeout
 * (K_TIMEOUT_ABS_MS and friends in zephyr/kernel.h) sets `abs`: `ms` is then
 * the uptime, in milliseconds, at which it expires.  The portable core only
 * ever receives relative timeouts (the compat layer converts).
 */
#ifndef IPC_EMU_TIMEOUT_H
#define IPC_EMU_TIMEOUT_H

#include <stdint.h>

typedef struct {
	int32_t ms;  /* < 0: forever, 0: no wait; with abs: the uptime of expiry */
	uint8_t abs; /* 1: absolute (ms is an uptime), 0: relative */
} k_timeout_t;

#ifndef K_NO_WAIT
#define K_NO_WAIT ((k_timeout_t){.ms = 0})
#endif
#ifndef K_FOREVER
#define K_FOREVER ((k_timeout_t){.ms = -1})
#endif
#ifndef K_MSEC
#define K_MSEC(x) ((k_timeout_t){.ms = (int32_t)(x)})
#endif

#endif /* IPC_EMU_TIMEOUT_H */
