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

#include "ipc_atomic.h"
#include "ipc_emu/icmsg.h"
#include "port.h"

const uint8_t icmsg_magic[ICMSG_MAGIC_LEN] = {0x45, 0x6d, 0x31, 0x6c, 0x31, 0x4b, 0x30,
					      0x72, 0x6e, 0x33, 0x6c, 0x69, 0x34};

/* The send-stall report (see stall_note()) exists only where warnings are
 * logged (a port may compile port_log() out). */
#if !defined(PORT_CONFIG_LOG_LEVEL) || PORT_CONFIG_LOG_LEVEL >= 2 /* PORT_LOG_WRN */
#define ICMSG_STALL_REPORT 1
#else
#define ICMSG_STALL_REPORT 0
#endif

#define SID_MASK 0xFFFFu
#define SID_ACK_SHIFT 16

/* The state publishes what the RX path set up before it (the TX ring reset,
 * the session ids) to the senders: release/acquire, and a publish/observe
 * pair for the race detectors (ipc_atomic.h hooks; nothing in a normal build). */
static inline __attribute__((always_inline)) int state_get(const struct icmsg_data_t *d)
{
	int s;

	IPC_RACE_ATOMIC(&d->state, sizeof(d->state));
	s = atomic_load_explicit(&d->state, memory_order_acquire);
	IPC_RACE_OBSERVE(&d->state);
	return s;
}

static inline __attribute__((always_inline)) void state_set(struct icmsg_data_t *d, int s)
{
	IPC_RACE_ATOMIC(&d->state, sizeof(d->state));
	IPC_RACE_PUBLISH(&d->state);
	atomic_store_explicit(&d->state, s, memory_order_release);
}

/* The RX path moves the state on only from the state it started from: an
 * icmsg_close() meanwhile (OFF) is never overwritten, and no bound() or
 * unbound() follows it (the app may be re-registering already). */
static bool state_move(struct icmsg_data_t *d, int from, int to)
{
	IPC_RACE_ATOMIC(&d->state, sizeof(d->state));
	IPC_RACE_PUBLISH(&d->state);
	return atomic_compare_exchange_strong_explicit(&d->state, &from, to, memory_order_acq_rel,
						       memory_order_acquire);
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

/* Statistics: relaxed, no data behind them, and written by the RX path
 * only, which runs in one context at a time: a load and a store, no
 * read-modify-write (an exclusive-access loop on a Cortex-M). */
static void count(_Atomic uint32_t *counter)
{
	atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + 1u,
			      memory_order_relaxed);
}

static void report_error(struct icmsg_data_t *d, const char *msg)
{
	port_log(PORT_LOG_ERR, "icmsg: %s", msg);
	if (d->cb->error) {
		d->cb->error(msg, d->ctx);
	}
}

/* Legacy TX start: reset our ring, then the magic as its first packet. */
static inline __attribute__((always_inline)) int legacy_tx_start(struct icmsg_data_t *d)
{
	int rc = pbuf_tx_init(d->tx_pb);

	if (rc < 0) {
		return rc;
	}
	rc = pbuf_write(d->tx_pb, (const char *)icmsg_magic, ICMSG_MAGIC_LEN);
	return rc < 0 ? rc : 0; /* pbuf_write() writes all or nothing */
}

/*
 * Read the next packet into rx_buf.  Returns its length, 0 when the ring is
 * empty, -EMSGSIZE when a packet too large for rx_buf was skipped, or another
 * negative code when the peer's index or length is invalid (nothing can be
 * consumed).  Reporting is left to the caller: with sessions, a changed
 * peer session explains a garbled ring and is not an error.
 */
__attribute__((noinline)) static int read_packet(struct icmsg_data_t *d)
{
	/* No packet is longer than 16 bits, so a larger buffer takes them all;
	 * pbuf_read() gives -ENOMEM only for a valid packet that does not fit. */
	uint16_t size = d->rx_buf_size > UINT16_MAX ? UINT16_MAX : (uint16_t)d->rx_buf_size;
	int len = pbuf_read(d->rx_pb, (char *)d->rx_buf, size);

	if (len == -ENOMEM) {
		/* Upstream asserts and never consumes it: the ring would stall. */
		(void)pbuf_skip(d->rx_pb);
		return -EMSGSIZE;
	}
	return len;
}

static void report_read_error(struct icmsg_data_t *d, int rc)
{
	if (rc != -EMSGSIZE) {
		count(&d->rx_errors);
		if (!d->rx_error_reported) {
			d->rx_error_reported = true;
			report_error(d, "corrupt RX ring");
		}
		return;
	}
	count(&d->rx_dropped);
	report_error(d, "RX message too large: dropped");
}

/* Our TX ring could not be reset: stop in `state` and say so (as upstream). */
static void tx_config_error(struct icmsg_data_t *d, int state)
{
	state_set(d, state);
	report_error(d, "Incorrect Tx configuration");
}

/* Detect mode: a legacy peer's ring starts with exactly the magic. */
static bool peer_is_legacy(struct icmsg_data_t *d)
{
	struct {
		volatile char *buf;
		uint16_t len; /* word-aligned: a shorter address computation */
	} first;

	/* Peer bytes in place: one memcmp() reads each at most once, and only
	 * its verdict is used (the bonding step reads the packet again). */
	return pbuf_get_initial_buf(d->rx_pb, &first.buf, &first.len) == 0 &&
	       first.len == ICMSG_MAGIC_LEN &&
	       memcmp((const void *)first.buf, icmsg_magic, ICMSG_MAGIC_LEN) == 0;
}

/*
 * A step of the RX path that binds (or, in detect mode, switches to legacy):
 * the new state, bound() if now bound, a signal to the peer (v4.1+ signals
 * when it binds).  Returns the state then (a callback may have changed it).
 */
__attribute__((noinline)) static int transition(struct icmsg_data_t *d, int from, int next)
{
	if (!state_move(d, from, next)) {
		return state_get(d); /* closed meanwhile */
	}
	if (next != ICMSG_STATE_INITIALIZING_SID_DISABLED && d->cb->bound) {
		d->cb->bound(d->ctx);
	}
	(void)signal_peer(d->cfg);
	return state_get(d);
}

/*
 * The RX path, one step at a time: in detect mode the check for a legacy
 * peer; the session handshake (enable, and detect after no magic was seen);
 * legacy bonding (the first packet must be the magic); connected, every
 * pending packet delivered.  Each step that binds (or switches detect to
 * legacy) ends in transition(), and the next step follows the state read
 * after it (OFF after a close meanwhile: the loop ends).
 */
static void process(void *arg) /* also the RX work item's function */
{
	struct icmsg_data_t *d = arg;
	int s = state_get(d);

	for (;;) {
		int next, len;

		if (s == ICMSG_STATE_INITIALIZING_SID_DETECT && peer_is_legacy(d)) {
			if (legacy_tx_start(d) < 0) {
				tx_config_error(d, ICMSG_STATE_OFF);
				return;
			}
			next = ICMSG_STATE_INITIALIZING_SID_DISABLED;
		} else if (s == ICMSG_STATE_INITIALIZING_SID_DETECT ||
			   s == ICMSG_STATE_INITIALIZING_SID_ENABLED) {
			/* A session peer.  Its word: read once, then only the local copy. */
			uint32_t word = pbuf_handshake_read(d->tx_pb);
			uint16_t peer_req = (uint16_t)(word & SID_MASK);
			uint16_t peer_ack = (uint16_t)(word >> SID_ACK_SHIFT);
			bool acked = false;

			if (peer_req != 0 && peer_req != d->remote_sid) {
				port_crash_point("icmsg_sid_ack_before_tx_reset");
				if (pbuf_tx_init(d->tx_pb) < 0) {
					tx_config_error(d, ICMSG_STATE_DISCONNECTED);
					return;
				}
				d->remote_sid = peer_req;
				pbuf_handshake_write(d->rx_pb,
						     d->local_sid | ((uint32_t)peer_req << SID_ACK_SHIFT));
				acked = true;
			}
			if (peer_ack != d->local_sid || d->remote_sid == 0) {
				if (acked) {
					(void)signal_peer(d->cfg);
				}
				return;
			}
			next = ICMSG_STATE_CONNECTED_SID_ENABLED; /* data may be waiting */
		} else {
			if (s != ICMSG_STATE_INITIALIZING_SID_DISABLED && !is_connected(s)) {
				return; /* OFF, DISCONNECTED: signals are ignored until reopened */
			}
			len = read_packet(d);
			if (s == ICMSG_STATE_CONNECTED_SID_ENABLED) {
				/* Peer's word: a changed request means it closed or rebooted. */
				uint32_t word = pbuf_handshake_read(d->tx_pb);

				if ((uint16_t)(word & SID_MASK) != d->remote_sid) {
					if (len > 0) {
						count(&d->rx_dropped);
					}
					/* Not if the app closed meanwhile: the change
					 * may be the peer's answer to that close. */
					if (state_move(d, s, ICMSG_STATE_DISCONNECTED) &&
					    d->cb->unbound) {
						d->cb->unbound(d->ctx);
					}
					return;
				}
			}
			if (len < 0) {
				report_read_error(d, len);
				if (len == -EMSGSIZE && s != ICMSG_STATE_INITIALIZING_SID_DISABLED) {
					continue; /* skipped; look at the next one */
				}
				return;
			}
			if (len == 0) {
				return;
			}
			if (s != ICMSG_STATE_INITIALIZING_SID_DISABLED) {
				if (d->cb->received) {
					d->cb->received(d->rx_buf, (size_t)len, d->ctx);
				}
				continue;
			}
			/* Legacy, not yet bound: the first packet must be the magic. */
			if (len < ICMSG_MAGIC_LEN || memcmp(d->rx_buf, icmsg_magic, ICMSG_MAGIC_LEN) != 0) {
				count(&d->rx_dropped);
				port_log(PORT_LOG_WRN,
					 "icmsg: first packet is not the bonding magic: dropped");
				return;
			}
			next = ICMSG_STATE_CONNECTED_SID_DISABLED; /* data may follow the magic */
		}
		s = transition(d, s, next);
	}
}

static void mbox_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		    struct mbox_msg *msg)
{
	struct icmsg_data_t *d = user;

	if (d->cfg->rx_in_isr) {
		process(d);
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
	/* Statistics: relaxed atomics only, no data behind them. */
	IPC_RACE_ATOMIC(&dev_data->rx_dropped, sizeof(dev_data->rx_dropped));
	IPC_RACE_ATOMIC(&dev_data->rx_errors, sizeof(dev_data->rx_errors));
	state_set(dev_data, ICMSG_STATE_OFF);
	/* NULL until created, so that the unwind (icmsg_deinit) frees what
	 * exists and leaves every pointer NULL. */
	dev_data->tx_lock = NULL;
	dev_data->rx_work = NULL;
	dev_data->notify_work = NULL;
	if (ICMSG_STALL_REPORT) {
		dev_data->stall_tries = 0;
	}
	rc = port_mutex_create(&dev_data->tx_lock);
	if (rc == 0) {
		rc = port_work_create(&dev_data->rx_work, process, dev_data);
	}
	if (rc == 0) {
		rc = port_work_create(&dev_data->notify_work, notify_work_fn, dev_data);
	}
	if (rc < 0) {
		icmsg_deinit(dev_data);
	}
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

/*
 * Session modes, at open: our rd_idx word of the RX ring is set to 0 (the
 * index pbuf_rx_init() just gave us) before the session id goes out in the
 * same cache line.  Zephyr leaves the word alone: on a core with a data
 * cache its line still holds the previous session's rd_idx, and the next
 * write-back of that line (the session id now, or the acknowledgement just
 * after the writer reset the word) puts the stale index back over the
 * writer's reset - the writer then sees the ring nearly full for good
 * (docs/cache-model.md, "Re-registration").  The RX path is stopped here.
 */
static void reader_line_reset(struct icmsg_data_t *d)
{
	volatile uint32_t *rd = d->rx_pb->cfg->rd_idx_loc;

	if (!PORT_CACHE_SITE(SESSION_RD)) {
		return;
	}
	/* Pairs with the writer's acquire of rd_idx (pbuf_write()). */
	ipc_store_release(rd, 0);
	port_cache_flush((void *)rd, sizeof(*rd));
}

/* A new session id: not 0, not what the peer currently acknowledges. */
static uint16_t new_sid(struct icmsg_data_t *d)
{
	uint32_t word = pbuf_handshake_read(d->tx_pb);
	uint16_t ack = (uint16_t)(word >> SID_ACK_SHIFT);
	uint16_t sid = (uint16_t)(word & SID_MASK);

	/* Nor our own previous id: a peer that has not yet seen our close
	 * would take a session that reused it for the old one. */
	do {
		sid++;
	} while (sid == 0 || sid == ack || sid == d->local_sid);
	return sid;
}

int icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const struct ipc_service_cb *cb, void *ctx)
{
	struct icmsg_data_t *d = dev_data;
	int prev = ICMSG_STATE_OFF;
	bool legacy = conf->unbound_mode == ICMSG_UNBOUND_MODE_DISABLE;
	int rc;

	/* (Zephyr calls through cb without a check.) */
	if (cb == NULL || conf->unbound_mode < ICMSG_UNBOUND_MODE_DISABLE ||
	    conf->unbound_mode > ICMSG_UNBOUND_MODE_DETECT) {
		return -EINVAL;
	}
	if (legacy) {
		/* Claimed atomically, as upstream: threads that open the same
		 * instance at once (each endpoint thread of a multi-endpoint
		 * program) get one 0 and -EALREADY for the rest. */
		IPC_RACE_ATOMIC(&d->state, sizeof(d->state));
		if (!atomic_compare_exchange_strong(&d->state, &prev,
						    ICMSG_STATE_INITIALIZING_SID_DISABLED)) {
			return -EALREADY;
		}
	} else {
		prev = state_get(d); /* a session may be reopened */
	}
	/* Stop the receive path of a previous session before changing it. */
	port_work_cancel_sync(d->notify_work);
	port_work_cancel_sync(d->rx_work);
	d->cb = cb;
	d->ctx = ctx;
	d->rx_error_reported = false;
	rc = pbuf_rx_init(d->rx_pb);
	if (rc == 0 && legacy) {
		rc = legacy_tx_start(d);
	}
	if (rc != 0) { /* both give 0 or a negative code */
		/* A bad ring configuration: no open can have succeeded before. */
		goto off;
	}
	if (!legacy) {
		/* The TX ring is reset only when the peer's session id is seen:
		 * until then the peer may still be reading it. */
		d->local_sid = new_sid(d);
		d->remote_sid = 0;
		reader_line_reset(d);
		pbuf_handshake_write(d->rx_pb, d->local_sid);
	}
	/* Each mode's number is its initializing state's. */
	state_set(d, (int)conf->unbound_mode);
	if (prev == ICMSG_STATE_OFF) {
		rc = mbox_start(conf, d);
		if (rc < 0) {
			goto off;
		}
	}
	rc = signal_peer(conf);
	if (rc < 0) {
		return rc;
	}
	port_work_schedule(d->notify_work, conf->bond_notify_repeat_ms);
	/* A session word may already be waiting.  In interrupt mode the RX path
	 * runs only on the interrupt thread; a pending signal fires there.
	 * Legacy bonding reads only when signalled, as Zephyr does: before the
	 * peer's signal its ring may be a dead incarnation's stale one. */
	if (!conf->rx_in_isr && !legacy) {
		port_work_submit(d->rx_work);
	}
	return 0;
off:
	state_set(d, ICMSG_STATE_OFF);
	return rc;
}

int icmsg_close(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data)
{
	struct icmsg_data_t *d = dev_data;
	int prev;

	/* OFF before the peer can see the close: an RX step still running
	 * must not take the peer's answer to it (a new session id) for an
	 * unbound(), nor put DISCONNECTED over OFF (icmsg_open() would then
	 * not start the mailbox again). */
	IPC_RACE_ATOMIC(&d->state, sizeof(d->state));
	IPC_RACE_PUBLISH(&d->state);
	prev = atomic_exchange_explicit(&d->state, ICMSG_STATE_OFF, memory_order_acq_rel);
	if (prev == ICMSG_STATE_OFF) {
		return -EALREADY;
	}
	if (conf->unbound_mode != ICMSG_UNBOUND_MODE_DISABLE) {
		pbuf_handshake_write(d->rx_pb, 0);
	}
	mbox_stop(conf);
	port_work_cancel_sync(d->notify_work);
	port_work_cancel_sync(d->rx_work);
	(void)signal_peer(conf);
	return 0;
}

/*
 * A send that cannot make progress is never silent: an instance whose sends
 * get -ENOMEM without a success for ICMSG_STALL_REPORT_MS (the CLI run's
 * stall bound is 10 s) logs one warning with the cause - the ring's index
 * words as our cache holds them, the free space they leave and, with the
 * emulator's cache model, what the model holds for the reader's word.
 * Then nothing more until a send succeeds.  The state is the instance's
 * stall_* fields, used under its TX lock only.
 */
#if ICMSG_STALL_REPORT
#define ICMSG_STALL_REPORT_MS 2000u

static void stall_report(struct icmsg_data_t *d, size_t len)
{
	const struct pbuf_cfg *cfg = d->tx_pb->cfg;
	uint32_t wr = d->tx_pb->data.wr_idx;
	uint32_t rd = ipc_load_acquire(cfg->rd_idx_loc); /* as our cache holds it */
	uint32_t blen = cfg->len;
	uint32_t occ = rd > wr ? blen - (rd - wr) : wr - rd;
	uint32_t free_b = occ + 4u <= blen ? blen - occ - 4u : 0u;
	uint32_t ms = port_uptime_ms() - d->stall_since_ms;
	char cache[160] = "";

	if (port_cache_describe != NULL) {
		(void)port_cache_describe((const void *)cfg->rd_idx_loc, "cache model: rd_idx",
					  cache, sizeof(cache));
	}
#define STALL_FMT                                                                             \
	"icmsg: send stalled: %u x -ENOMEM in %u ms: TX ring wr_idx %u (ours), rd_idx %u "    \
	"(the reader's): %u of %u bytes free, %u needed; "
	if (cache[0] != '\0') {
		port_log(PORT_LOG_WRN, STALL_FMT "%s", (unsigned)d->stall_tries, (unsigned)ms,
			 (unsigned)wr, (unsigned)rd, (unsigned)free_b, (unsigned)blen,
			 (unsigned)len + 4u, cache);
	} else {
		port_log(PORT_LOG_WRN, STALL_FMT "ring at %p", (unsigned)d->stall_tries,
			 (unsigned)ms, (unsigned)wr, (unsigned)rd, (unsigned)free_b,
			 (unsigned)blen, (unsigned)len + 4u, (void *)cfg->rd_idx_loc);
	}
#undef STALL_FMT
}

/* Caller holds the TX lock. */
static void stall_note(struct icmsg_data_t *d, int rc, size_t len)
{
	if (rc != -ENOMEM) {
		d->stall_tries = 0;
		return;
	}
	if (d->stall_tries++ == 0) {
		d->stall_since_ms = port_uptime_ms();
		d->stall_said = false;
	}
	if (!d->stall_said && port_uptime_ms() - d->stall_since_ms >= ICMSG_STALL_REPORT_MS) {
		d->stall_said = true;
		stall_report(d, len);
	}
}
#else
#define stall_note(d, rc, len) ((void)0)
#endif

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
	stall_note(d, rc, len);
	port_mutex_unlock(d->tx_lock);
	if (rc < 0) {
		return rc; /* else it wrote all len bytes */
	}
	port_crash_point("icmsg_send_before_signal");
	rc = signal_peer(conf);
	return rc < 0 ? rc : (int)len;
}
