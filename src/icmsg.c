/*
 * icmsg.c - ICMsg: one endpoint over a pair of pbuf rings and two mailbox
 * channels, wire-compatible with Zephyr's lib/icmsg.c (v4.1+ semantics, with
 * the v4.0 bonding re-signal timer kept).
 *
 *   our tx-region                          our rx-region
 *   +----------+-----------+---------+     +----------+-----------+---------+
 *   | rd_idx   | handshake | wr_idx  |     | rd_idx   | handshake | wr_idx  |
 *   | (peer)   | (peer)    | (us)    |...  | (us)     | (us)      | (peer)  |...
 *   +----------+-----------+---------+     +----------+-----------+---------+
 *
 * Bonding, chosen by devicetree `unbound`:
 *
 *  disable (legacy): open resets our TX ring and writes the 13-byte magic as
 *    its first packet, then signals.  The first packet we read from the RX
 *    ring must be the magic: then we are bound.  We re-signal every
 *    bond_notify_repeat_ms until bound (Zephyr <= v4.0) and also once when we
 *    become bound (v4.1+), so either side may start first.  A reset of the
 *    peer cannot be detected in this mode.
 *
 *  enable: each side owns the handshake word of the ring it READS and puts
 *    there its session id (low half) and the peer's id it acknowledges (high
 *    half).  Seeing a new peer id we reset our TX ring and acknowledge it;
 *    seeing our own id acknowledged we are bound.  When the peer's id changes
 *    (it closed: 0, or rebooted: new id) we report unbound() and go
 *    DISCONNECTED until the application opens again.
 *
 *  detect: like enable, but if the peer's first packet is exactly the magic,
 *    the peer is legacy and we fall back to the legacy protocol.
 *
 * Every value read from the peer (ring indices, packet lengths, session
 * words) is validated before use; a corrupt ring is reported through the
 * error() callback, never trusted.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "ipc_emu/icmsg.h"
#include "port.h"

const uint8_t icmsg_magic[ICMSG_MAGIC_LEN] = {0x45, 0x6d, 0x31, 0x6c, 0x31, 0x4b, 0x30,
					      0x72, 0x6e, 0x33, 0x6c, 0x69, 0x34};

#define SID_MASK 0xFFFFu
#define SID_ACK_SHIFT 16

static int state_get(const struct icmsg_data_t *d)
{
	return atomic_load_explicit(&d->state, memory_order_acquire);
}

static void state_set(struct icmsg_data_t *d, int s)
{
	atomic_store_explicit(&d->state, s, memory_order_release);
}

int icmsg_state(const struct icmsg_data_t *dev_data)
{
	return state_get(dev_data);
}

static bool is_connected(int s)
{
	return s == ICMSG_STATE_CONNECTED_SID_DISABLED || s == ICMSG_STATE_CONNECTED_SID_ENABLED;
}

static bool is_initializing(int s)
{
	return s == ICMSG_STATE_INITIALIZING_SID_DISABLED ||
	       s == ICMSG_STATE_INITIALIZING_SID_ENABLED ||
	       s == ICMSG_STATE_INITIALIZING_SID_DETECT;
}

static int signal_peer(const struct icmsg_config_t *conf)
{
	return mbox_send_dt(&conf->mbox_tx, NULL);
}

static void report_error(struct icmsg_data_t *d, const char *msg)
{
	port_log(PORT_LOG_ERR, "icmsg: %s", msg);
	if (d->cb && d->cb->error) {
		d->cb->error(msg, d->ctx);
	}
}

/* Legacy TX start: reset our ring, then the magic as its first packet. */
static int legacy_tx_start(struct icmsg_data_t *d)
{
	int rc = pbuf_tx_init(d->tx_pb);

	if (rc < 0) {
		return rc;
	}
	rc = pbuf_write(d->tx_pb, (const char *)icmsg_magic, ICMSG_MAGIC_LEN);
	if (rc < 0) {
		return rc;
	}
	return rc == ICMSG_MAGIC_LEN ? 0 : -EBADMSG;
}

/*
 * Read the next packet into rx_buf.  Returns its length, 0 when the ring is
 * empty, -EMSGSIZE when a packet too large for rx_buf was skipped, or another
 * negative code when the peer's index or length is invalid (nothing can be
 * consumed).  Reporting is left to the caller: with sessions, a changed
 * peer session explains a garbled ring and is not an error.
 */
static int read_packet(struct icmsg_data_t *d)
{
	int len = pbuf_read(d->rx_pb, NULL, 0);

	if (len > 0 && (uint32_t)len > d->rx_buf_size) {
		/* Upstream asserts and never consumes it: the ring would stall. */
		(void)pbuf_skip(d->rx_pb);
		return -EMSGSIZE;
	}
	if (len > 0) {
		len = pbuf_read(d->rx_pb, (char *)d->rx_buf, (uint16_t)d->rx_buf_size);
	}
	return len;
}

static void report_read_error(struct icmsg_data_t *d, int rc)
{
	if (rc == -EMSGSIZE) {
		atomic_fetch_add_explicit(&d->rx_dropped, 1, memory_order_relaxed);
		report_error(d, "received message larger than the RX buffer: dropped");
		return;
	}
	atomic_fetch_add_explicit(&d->rx_errors, 1, memory_order_relaxed);
	if (!d->rx_error_reported) {
		d->rx_error_reported = true;
		report_error(d, "corrupt RX ring (peer index or packet length invalid)");
	}
}

static bool is_magic(const uint8_t *buf, int len)
{
	return len >= ICMSG_MAGIC_LEN && memcmp(buf, icmsg_magic, ICMSG_MAGIC_LEN) == 0;
}

static void bound_now(struct icmsg_data_t *d, int new_state)
{
	state_set(d, new_state);
	if (d->cb && d->cb->bound) {
		d->cb->bound(d->ctx);
	}
}

/* Legacy, not yet bound: the first packet must be the magic. */
static void process_legacy_bonding(const struct icmsg_config_t *conf, struct icmsg_data_t *d)
{
	int len = read_packet(d);

	if (len < 0) {
		report_read_error(d, len);
	}
	if (len <= 0) {
		return;
	}
	if (!is_magic(d->rx_buf, len)) {
		atomic_fetch_add_explicit(&d->rx_dropped, 1, memory_order_relaxed);
		port_log(PORT_LOG_WRN, "icmsg: first packet is not the bonding magic: dropped");
		return;
	}
	bound_now(d, ICMSG_STATE_CONNECTED_SID_DISABLED);
	(void)signal_peer(conf);
}

/*
 * Session handshake step (enable, and detect after no magic was seen).
 * Returns true when we just became bound.
 */
static bool process_session(const struct icmsg_config_t *conf, struct icmsg_data_t *d)
{
	/* Value comes from the peer: read once, then only the local copy. */
	uint32_t word = pbuf_handshake_read(d->tx_pb);
	uint16_t peer_req = (uint16_t)(word & SID_MASK);
	uint16_t peer_ack = (uint16_t)(word >> SID_ACK_SHIFT);
	bool notify = false, bound = false;

	if (peer_req != 0 && peer_req != d->remote_sid) {
		port_crash_point("icmsg_sid_ack_before_tx_reset");
		if (pbuf_tx_init(d->tx_pb) < 0) {
			state_set(d, ICMSG_STATE_DISCONNECTED);
			report_error(d, "Incorrect Tx configuration");
			return false;
		}
		d->remote_sid = peer_req;
		pbuf_handshake_write(d->rx_pb, d->local_sid | ((uint32_t)d->remote_sid << SID_ACK_SHIFT));
		notify = true;
	}
	if (peer_ack == d->local_sid && d->remote_sid != 0) {
		bound_now(d, ICMSG_STATE_CONNECTED_SID_ENABLED);
		notify = true;
		bound = true;
	}
	if (notify) {
		(void)signal_peer(conf);
	}
	return bound;
}

/* Detect mode: a legacy peer's ring starts with exactly the magic. */
static bool peer_is_legacy(struct icmsg_data_t *d)
{
	volatile char *buf;
	uint16_t len;
	uint8_t copy[ICMSG_MAGIC_LEN];

	if (pbuf_get_initial_buf(d->rx_pb, &buf, &len) != 0 || len != ICMSG_MAGIC_LEN) {
		return false;
	}
	for (size_t i = 0; i < ICMSG_MAGIC_LEN; i++) {
		copy[i] = (uint8_t)buf[i];
	}
	return memcmp(copy, icmsg_magic, ICMSG_MAGIC_LEN) == 0;
}

/* Connected: deliver every pending packet. */
static void process_connected(struct icmsg_data_t *d, bool sessions)
{
	for (;;) {
		int len = read_packet(d);

		if (sessions) {
			/* Peer's word: a changed request means it closed or rebooted. */
			uint32_t word = pbuf_handshake_read(d->tx_pb);

			if ((uint16_t)(word & SID_MASK) != d->remote_sid) {
				if (len > 0) {
					atomic_fetch_add_explicit(&d->rx_dropped, 1,
								  memory_order_relaxed);
				}
				state_set(d, ICMSG_STATE_DISCONNECTED);
				if (d->cb && d->cb->unbound) {
					d->cb->unbound(d->ctx);
				}
				return;
			}
		}
		if (len < 0) {
			report_read_error(d, len);
			if (len == -EMSGSIZE) {
				continue; /* skipped; look at the next one */
			}
			return;
		}
		if (len == 0) {
			return;
		}
		if (d->cb && d->cb->received) {
			d->cb->received(d->rx_buf, (size_t)len, d->ctx);
		}
	}
}

static void process(const struct icmsg_config_t *conf, struct icmsg_data_t *d)
{
	for (;;) {
		switch (state_get(d)) {
		case ICMSG_STATE_INITIALIZING_SID_DISABLED:
			process_legacy_bonding(conf, d);
			if (!is_connected(state_get(d))) {
				return;
			}
			continue; /* data may follow the magic */
		case ICMSG_STATE_INITIALIZING_SID_DETECT:
			if (peer_is_legacy(d)) {
				if (legacy_tx_start(d) < 0) {
					state_set(d, ICMSG_STATE_OFF);
					report_error(d, "Incorrect Tx configuration");
					return;
				}
				state_set(d, ICMSG_STATE_INITIALIZING_SID_DISABLED);
				(void)signal_peer(conf);
				continue;
			}
			if (!process_session(conf, d)) {
				return;
			}
			continue;
		case ICMSG_STATE_INITIALIZING_SID_ENABLED:
			if (!process_session(conf, d)) {
				return;
			}
			continue;
		case ICMSG_STATE_CONNECTED_SID_DISABLED:
			process_connected(d, false);
			return;
		case ICMSG_STATE_CONNECTED_SID_ENABLED:
			process_connected(d, true);
			return;
		default: /* OFF, DISCONNECTED: signals are ignored until reopened */
			return;
		}
	}
}

static void rx_work_fn(void *arg)
{
	struct icmsg_data_t *d = arg;

	process(d->cfg, d);
}

static void mbox_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		    struct mbox_msg *msg)
{
	struct icmsg_data_t *d = user;

	if (d->cfg->rx_in_isr) {
		process(d->cfg, d);
	} else {
		port_work_submit(d->rx_work);
	}
}

/* Re-signal the peer while bonding (CONFIG_..._BOND_NOTIFY_REPEAT_TO_MS). */
static void notify_work_fn(void *arg)
{
	struct icmsg_data_t *d = arg;

	if (!is_initializing(state_get(d))) {
		return;
	}
	(void)signal_peer(d->cfg);
	port_work_schedule(d->notify_work, d->cfg->bond_notify_repeat_ms);
}

int icmsg_init(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data)
{
	int rc;

	if (conf == NULL || dev_data == NULL || dev_data->tx_pb == NULL ||
	    dev_data->rx_pb == NULL || dev_data->rx_buf == NULL || dev_data->rx_buf_size == 0 ||
	    conf->bond_notify_repeat_ms < 1 || conf->bond_notify_repeat_ms > 100) {
		return -EINVAL;
	}
	dev_data->cfg = conf;
	state_set(dev_data, ICMSG_STATE_OFF);
	rc = port_mutex_create(&dev_data->tx_lock);
	if (rc < 0) {
		goto fail;
	}
	rc = port_work_create(&dev_data->rx_work, rx_work_fn, dev_data);
	if (rc < 0) {
		goto free_lock;
	}
	rc = port_work_create(&dev_data->notify_work, notify_work_fn, dev_data);
	if (rc < 0) {
		goto free_rx_work;
	}
	return 0;

free_rx_work:
	port_work_destroy(dev_data->rx_work);
	dev_data->rx_work = NULL;
free_lock:
	port_mutex_destroy(dev_data->tx_lock);
	dev_data->tx_lock = NULL;
fail:
	return rc;
}

void icmsg_deinit(struct icmsg_data_t *dev_data)
{
	port_work_destroy(dev_data->notify_work);
	port_work_destroy(dev_data->rx_work);
	port_mutex_destroy(dev_data->tx_lock);
	dev_data->notify_work = NULL;
	dev_data->rx_work = NULL;
	dev_data->tx_lock = NULL;
}

static int mbox_start(const struct icmsg_config_t *conf, struct icmsg_data_t *d)
{
	int rc = mbox_register_callback_dt(&conf->mbox_rx, mbox_cb, d);

	if (rc < 0) {
		return rc;
	}
	rc = mbox_set_enabled_dt(&conf->mbox_rx, true);
	return rc == -EALREADY ? 0 : rc;
}

static void mbox_stop(const struct icmsg_config_t *conf)
{
	(void)mbox_set_enabled_dt(&conf->mbox_rx, false);
	(void)mbox_register_callback_dt(&conf->mbox_rx, NULL, NULL);
}

/* A new session id: not 0 and not what the peer currently acknowledges. */
static uint16_t new_sid(struct icmsg_data_t *d)
{
	uint32_t word = pbuf_handshake_read(d->tx_pb);
	uint16_t ack = (uint16_t)(word >> SID_ACK_SHIFT);
	uint16_t sid = (uint16_t)(word & SID_MASK);

	do {
		sid++;
	} while (sid == 0 || sid == ack);
	return sid;
}

int icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const struct ipc_service_cb *cb, void *ctx)
{
	struct icmsg_data_t *d = dev_data;
	int prev = state_get(d);
	int rc;

	if (conf->unbound_mode == ICMSG_UNBOUND_MODE_DISABLE) {
		if (prev != ICMSG_STATE_OFF) {
			return -EALREADY;
		}
	} else if (conf->unbound_mode != ICMSG_UNBOUND_MODE_ENABLE &&
		   conf->unbound_mode != ICMSG_UNBOUND_MODE_DETECT) {
		return -EINVAL;
	}
	/* Stop the receive path of a previous session before changing it. */
	port_work_cancel_sync(d->notify_work);
	port_work_cancel_sync(d->rx_work);
	d->cb = cb;
	d->ctx = ctx;
	d->rx_error_reported = false;
	rc = pbuf_rx_init(d->rx_pb);
	if (rc < 0) {
		return rc;
	}
	if (conf->unbound_mode == ICMSG_UNBOUND_MODE_DISABLE) {
		rc = legacy_tx_start(d);
		if (rc < 0) {
			return rc;
		}
		state_set(d, ICMSG_STATE_INITIALIZING_SID_DISABLED);
	} else {
		/* The TX ring is reset only when the peer's session id is seen:
		 * until then the peer may still be reading it. */
		d->local_sid = new_sid(d);
		d->remote_sid = 0;
		pbuf_handshake_write(d->rx_pb, d->local_sid);
		state_set(d, conf->unbound_mode);
	}
	if (prev == ICMSG_STATE_OFF) {
		rc = mbox_start(conf, d);
		if (rc < 0) {
			state_set(d, ICMSG_STATE_OFF);
			return rc;
		}
	}
	rc = signal_peer(conf);
	if (rc < 0) {
		return rc;
	}
	port_work_schedule(d->notify_work, conf->bond_notify_repeat_ms);
	/* A session word may already be waiting.  In interrupt mode the RX path
	 * runs only on the interrupt thread; a pending signal fires there. */
	if (!conf->rx_in_isr) {
		port_work_submit(d->rx_work);
	}
	return 0;
}

int icmsg_close(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data)
{
	struct icmsg_data_t *d = dev_data;
	int prev = state_get(d);

	if (prev == ICMSG_STATE_OFF) {
		return -EALREADY;
	}
	if (conf->unbound_mode != ICMSG_UNBOUND_MODE_DISABLE) {
		pbuf_handshake_write(d->rx_pb, 0);
	}
	state_set(d, ICMSG_STATE_OFF);
	mbox_stop(conf);
	port_work_cancel_sync(d->notify_work);
	port_work_cancel_sync(d->rx_work);
	(void)signal_peer(conf);
	return 0;
}

int icmsg_send(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data, const void *msg,
	       size_t len)
{
	struct icmsg_data_t *d = dev_data;
	int s = state_get(d);
	int rc;

	if (s == ICMSG_STATE_DISCONNECTED) {
		return (int)len; /* the peer is gone; threads may not know yet */
	}
	if (!is_connected(s)) {
		return -EBUSY;
	}
	if (len == 0) {
		return -ENODATA;
	}
	/* Upstream truncates to 16 bits; we refuse what can never be sent. */
	if (len > UINT16_MAX || len + 8u > d->tx_pb->cfg->len) {
		return -EMSGSIZE;
	}
	port_check_defined(msg, len);
	if (port_mutex_lock(d->tx_lock, (int32_t)conf->shmem_access_to_ms) != 0) {
		return -ENOBUFS;
	}
	rc = pbuf_write(d->tx_pb, msg, (uint16_t)len);
	port_mutex_unlock(d->tx_lock);
	if (rc < 0) {
		return rc;
	}
	if ((size_t)rc < len) {
		return -EBADMSG;
	}
	port_crash_point("icmsg_send_before_signal");
	rc = signal_peer(conf);
	return rc < 0 ? rc : (int)len;
}
