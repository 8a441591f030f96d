/*
 * timeout.h - Zephyr's k_timeout_t subset used by the IPC APIs.
 *
 * K_NO_WAIT, K_FOREVER and K_MSEC() have Zephyr's meaning; the value is kept
 * in milliseconds (ms < 0 means forever).
 */
#ifndef IPC_EMU_TIMEOUT_H
#define IPC_EMU_TIMEOUT_H

#include <stdint.h>

typedef struct {
	int32_t ms; /* < 0: forever, 0: no wait */
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
