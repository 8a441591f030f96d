/*
 * app_common.h - what both cores of the app pair share: the devicetree and
 * Kconfig checks made at compile time, and the 8-byte wire format.
 */
#ifndef APP_COMMON_H
#define APP_COMMON_H

#include <stdint.h>
#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>
#include <zephyr/toolchain.h>

/* ---- devicetree and Kconfig (compile time) ---------------------------- */

#define IPC_NODE DT_NODELABEL(ipc0)

#if !DT_NODE_EXISTS(IPC_NODE)
#error "this application needs the ICMsg instance ipc0 in the devicetree"
#endif
#if !DT_NODE_HAS_COMPAT(IPC_NODE, zephyr_ipc_icmsg)
#error "ipc0 must be an ICMsg instance (compatible zephyr,ipc-icmsg)"
#endif

/* The ring this core writes, and the one it reads (each core's own view:
 * one core's tx-region is the other's rx-region). */
#define IPC_TX_REGION_SIZE DT_REG_SIZE(DT_PHANDLE(IPC_NODE, tx_region))
#define IPC_RX_REGION_SIZE DT_REG_SIZE(DT_PHANDLE(IPC_NODE, rx_region))

BUILD_ASSERT(IS_ENABLED(CONFIG_IPC_SERVICE_BACKEND_ICMSG), "ipc0 needs the ICMsg backend");
/* Session handling (unbound "enable"/"detect") keeps its handshake word
 * below the ring indices: ICMsg refuses it with a smaller alignment. */
BUILD_ASSERT(DT_PROP(IPC_NODE, dcache_alignment) >= 8,
	     "ICMsg sessions need dcache-alignment >= 8 on ipc0");

/* ---- wire format ---------------------------------------------------------- */

enum app_msg_type {
	APP_MSG_REQUEST = 1,
	APP_MSG_REPLY = 2,
	APP_MSG_BYE = 3,
	APP_MSG_BYE_REPLY = 4,
};

struct app_msg {
	uint8_t type;        /* enum app_msg_type */
	uint8_t reserved[3]; /* 0 */
	uint8_t seq[4];      /* little endian */
};

BUILD_ASSERT(sizeof(struct app_msg) == 8, "the wire format is 8 bytes");
BUILD_ASSERT(sizeof(struct app_msg) <= CONFIG_PBUF_RX_READ_BUF_SIZE,
	     "a message must fit the ICMsg receive buffer");
/* A packet takes its length plus a 4-byte header, rounded up to 4. */
BUILD_ASSERT(IPC_TX_REGION_SIZE >= 64 + sizeof(struct app_msg) + 4, "tx-region too small");
BUILD_ASSERT(IPC_RX_REGION_SIZE >= 64 + sizeof(struct app_msg) + 4, "rx-region too small");

#endif /* APP_COMMON_H */
