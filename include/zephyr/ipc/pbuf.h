/*
 * zephyr/ipc/pbuf.h - Zephyr's packet buffer (include/ipc_emu/pbuf.h: the
 * same structures, PBUF_CFG_INIT and functions, and the same memory layout).
 */
#ifndef ZEPHYR_INCLUDE_IPC_PBUF_H_
#define ZEPHYR_INCLUDE_IPC_PBUF_H_

#include "ipc_emu/pbuf.h"
#include <zephyr/kernel.h>

#endif /* ZEPHYR_INCLUDE_IPC_PBUF_H_ */
