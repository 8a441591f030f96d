/*
 * icmsg.h - the ICMsg library (Zephyr's include/zephyr/ipc/icmsg.h): one
 * endpoint over two pbuf rings (one per direction) and two MBOX channels.
 *
 * The ipc_service ICMsg backend (and ICBMsg's control channel) use it.  Wire
 * format and bonding protocols: docs/icmsg.md.
 *
 * Threads: icmsg_open/close/send are called from threads; callbacks run on
 * the work-queue thread, or on the interrupt thread when cfg->rx_in_isr.
 */
#ifndef IPC_EMU_ICMSG_H
#define IPC_EMU_ICMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/ipc_service.h"
#include "ipc_emu/mbox.h"
#include "ipc_emu/pbuf.h"

/* Local states; numeric values are Zephyr's (v4.1+). */
enum icmsg_state {
	ICMSG_STATE_OFF = 0,
	ICMSG_STATE_INITIALIZING_SID_DISABLED = 1,
	ICMSG_STATE_INITIALIZING_SID_ENABLED = 2,
	ICMSG_STATE_INITIALIZING_SID_DETECT = 3,
	ICMSG_STATE_DISCONNECTED = 4,
	ICMSG_STATE_CONNECTED_SID_DISABLED = 5,
	ICMSG_STATE_CONNECTED_SID_ENABLED = 6,
};

/* Devicetree `unbound`; same numbers as the matching initializing states. */
enum icmsg_unbound_mode {
	ICMSG_UNBOUND_MODE_DISABLE = ICMSG_STATE_INITIALIZING_SID_DISABLED,
	ICMSG_UNBOUND_MODE_ENABLE = ICMSG_STATE_INITIALIZING_SID_ENABLED,
	ICMSG_UNBOUND_MODE_DETECT = ICMSG_STATE_INITIALIZING_SID_DETECT,
};

/* The 13-byte bonding magic of the legacy protocol ("disable" mode). */
#define ICMSG_MAGIC_LEN 13
extern const uint8_t icmsg_magic[ICMSG_MAGIC_LEN];

/* Zephyr Kconfig defaults. */
#define ICMSG_RX_BUF_SIZE_DEFAULT 128        /* CONFIG_PBUF_RX_READ_BUF_SIZE */
#define ICMSG_BOND_NOTIFY_REPEAT_MS_DEFAULT 1 /* ..._ICMSG_BOND_NOTIFY_REPEAT_TO_MS, 1..100 */
#define ICMSG_SHMEM_ACCESS_TO_MS_DEFAULT 1   /* ..._ICMSG_SHMEM_ACCESS_TO_MS, 1..5 */

struct icmsg_config_t {
	struct mbox_dt_spec mbox_tx;
	struct mbox_dt_spec mbox_rx;
	enum icmsg_unbound_mode unbound_mode;
	/* Run-time equivalents of Zephyr's Kconfig options: */
	bool rx_in_isr;                 /* process RX in the interrupt thread (no work queue) */
	uint32_t bond_notify_repeat_ms; /* re-signal period while bonding, 1..100 */
	uint32_t shmem_access_to_ms;    /* TX lock timeout before -ENOBUFS */
};

struct port_mutex;
struct port_work;

struct icmsg_data_t {
	/* Private, first: the state at offset 0 and the small fields below
	 * offset 32 take the short instruction forms on a Cortex-M. */
	_Atomic int state;          /* enum icmsg_state */
	/* Counters (read with relaxed loads; for reports and tests). */
	_Atomic uint32_t rx_dropped;   /* packets dropped: too large, or read after unbound */
	_Atomic uint32_t rx_errors;    /* corrupt ring reads reported */
	uint16_t local_sid;
	uint16_t remote_sid;
	bool rx_error_reported;

	/* Set by the creator before icmsg_init() (designated initializers): */
	struct pbuf *tx_pb;   /* our tx-region (we write; the peer writes its handshake word) */
	struct pbuf *rx_pb;   /* our rx-region (the peer writes; we write the handshake word) */
	uint8_t *rx_buf;      /* receive copy buffer, 4-aligned */
	uint32_t rx_buf_size; /* largest receivable message */

	/* Private: */
	const struct icmsg_config_t *cfg;
	const struct ipc_service_cb *cb;
	void *ctx;
	struct port_mutex *tx_lock;
	struct port_work *rx_work;
	struct port_work *notify_work;
	/* Send-stall report (ports that log warnings; under the TX lock): */
	uint32_t stall_since_ms; /* first -ENOMEM of the current run */
	uint32_t stall_tries;    /* -ENOMEM in a row; 0: sends are going through */
	bool stall_said;         /* the warning for this run was logged */
};

/*
 * Allocate the port objects of an instance (mutex, work items).  Returns 0,
 * -EINVAL (missing buffers/rings) or -ENOMEM.  Call once before icmsg_open.
 */
int icmsg_init(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data);
/* Free what icmsg_init allocated; the instance must be closed. */
void icmsg_deinit(struct icmsg_data_t *dev_data);

/*
 * Open: start bonding and report bound() through cb when the peer answers.
 * Returns 0; -EALREADY (legacy mode, not OFF); -EINVAL (cb NULL, an invalid
 * unbound mode, or the ring configuration, including a handshake mode with
 * dcache-alignment < 8); -ENOMEM (legacy mode:
 * the TX ring cannot hold the 13-byte bonding magic; the devicetree reader
 * refuses such regions); mailbox errors.
 * enable/detect may be reopened from any state (a new session id).
 */
int icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const struct ipc_service_cb *cb, void *ctx);

/*
 * Close: stop receiving; with enable/detect also tell the peer (session word
 * cleared + signal), which then sees unbound().  Returns 0, or -EALREADY if
 * already OFF.  Not from a callback of another instance.
 */
int icmsg_close(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data);

/*
 * Send one message.  Returns len; -EBUSY (not bound yet); len silently when
 * DISCONNECTED (the peer is gone, as Zephyr); -ENODATA (len 0); -EMSGSIZE
 * (len > 65535 or larger than the ring can ever hold); -ENOBUFS (TX lock not
 * obtained in shmem_access_to_ms); -ENOMEM (no room now: retry - no signal
 * tells when room frees); -EINVAL (corrupt ring); -EBADMSG; mailbox errors.
 * Thread context (any thread; sends are serialised).
 */
int icmsg_send(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data, const void *msg,
	       size_t len);

/* Current state (enum icmsg_state). */
int icmsg_state(const struct icmsg_data_t *dev_data);

#endif /* IPC_EMU_ICMSG_H */
