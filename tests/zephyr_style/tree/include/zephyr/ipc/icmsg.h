/* The test tree's message protocol over pbuf and an MBOX pair (icmsg.c). */
#ifndef ZEPHYR_INCLUDE_IPC_ICMSG_H_
#define ZEPHYR_INCLUDE_IPC_ICMSG_H_

#include <stdbool.h>
#include <zephyr/drivers/mbox.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/ipc/pbuf.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/atomic.h>

/* BUSY: legacy bonding in progress; SID_INIT: session handshake in
 * progress; DISCONNECTED: the peer's session ended (unbound() was called):
 * sends are dropped until the user closes and opens again. */
enum icmsg_state {
	ICMSG_STATE_OFF,
	ICMSG_STATE_BUSY,
	ICMSG_STATE_READY,
	ICMSG_STATE_SID_INIT,
	ICMSG_STATE_DISCONNECTED,
	ICMSG_STATE_OPENING, /* icmsg_open() sets the session up: the work waits */
};

/* The devicetree's `unbound` property (Zephyr's three modes). */
enum icmsg_unbound_mode {
	ICMSG_UNBOUND_MODE_DISABLE,
	ICMSG_UNBOUND_MODE_ENABLE,
	ICMSG_UNBOUND_MODE_DETECT,
};

struct icmsg_config_t {
	struct pbuf_cfg pb;
	struct mbox_dt_spec mbox_tx;
	struct mbox_dt_spec mbox_rx;
	enum icmsg_unbound_mode unbound_mode;
};

struct icmsg_data_t {
	const struct ipc_service_cb *cb;
	void *ctx;
	const struct icmsg_config_t *cfg;
	struct k_mutex tx_lock;
	struct k_work mbox_work;
	atomic_t state;
	bool session;         /* this open runs the session handshake */
	bool started;         /* work item and MBOX set up (first open) */
	uint16_t local_sid;
	uint16_t remote_sid;  /* 0: none acknowledged */
	uint8_t rx_buf[256];
};

/* True once the library's work queue runs (its SYS_INIT, POST_KERNEL 40). */
bool icmsg_workq_started(void);

int icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const struct ipc_service_cb *cb, void *ctx);
/* Session modes: tell the peer (its unbound()), stop; open again to rebond. */
int icmsg_close(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data);
int icmsg_send(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const void *msg, size_t len);

#endif
