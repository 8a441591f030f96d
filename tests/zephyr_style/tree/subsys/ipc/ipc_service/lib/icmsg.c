/*
 * The test tree's message protocol (include/zephyr/ipc/icmsg.h): bonding by
 * the magic word of each side's region, messages through pbuf, a doorbell
 * per message.  Unbound modes as Zephyr's (the DTS `unbound` property):
 * "disable" bonds once by the magic words (legacy: a restarted peer is not
 * noticed); "enable" runs a session handshake in word 3 of each region (our
 * session id request, our ack of the peer's), so that a peer that restarts
 * or closes ends the session: unbound(), then close + open to bond again;
 * "detect" does the same, or legacy bonding with a session-unaware peer.  Receive work runs on the library's own work queue, started
 * by SYS_INIT; the MBOX callback (interrupt context) only submits it.
 */
#include <string.h>
#include <zephyr/drivers/mbox.h>
#include <zephyr/init.h>
#include <zephyr/ipc/icmsg.h>
#include <zephyr/ipc/pbuf.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/sys/check.h>

LOG_MODULE_REGISTER(icmsg, CONFIG_IPC_SERVICE_LOG_LEVEL);

#define SHMEM_ACCESS_TO K_MSEC(CONFIG_IPC_SERVICE_ICMSG_SHMEM_ACCESS_TO_MS + 99)

static K_THREAD_STACK_DEFINE(icmsg_stack, CONFIG_IPC_SERVICE_BACKEND_ICMSG_WQ_STACK_SIZE);
static struct k_work_q icmsg_workq;
static bool workq_started;

static void mbox_callback(const struct device *instance, uint32_t channel, void *user_data,
			  struct mbox_msg *msg_data)
{
	struct icmsg_data_t *dev_data = user_data;

	ARG_UNUSED(instance);
	ARG_UNUSED(channel);
	ARG_UNUSED(msg_data);
	__ASSERT_NO_MSG(k_is_in_isr());
	(void)k_work_submit_to_queue(&icmsg_workq, &dev_data->mbox_work);
}

/* Session modes: the peer's request changed since we acknowledged it (it
 * restarted, reopened or closed): the session is over. */
static bool session_ended(struct icmsg_data_t *dev_data)
{
	const struct icmsg_config_t *conf = dev_data->cfg;

	if (!dev_data->session ||
	    PBUF_HS_REQ(pbuf_handshake_peer(&conf->pb)) == dev_data->remote_sid) {
		return false;
	}
	k_mutex_lock(&dev_data->tx_lock, K_FOREVER); /* no send in progress after this */
	if (!atomic_cas(&dev_data->state, ICMSG_STATE_READY, ICMSG_STATE_DISCONNECTED)) {
		/* Closed (and maybe reopened) by the user meanwhile: not this
		 * work's session any more; drop what it read. */
		k_mutex_unlock(&dev_data->tx_lock);
		return true;
	}
	k_mutex_unlock(&dev_data->tx_lock);
	LOG_DBG("peer session %u ended", dev_data->remote_sid);
	if (dev_data->cb->unbound) {
		dev_data->cb->unbound(dev_data->ctx);
	}
	return true;
}

/* SID_INIT: acknowledge the peer's latest request; connected once it
 * acknowledged ours.  "detect" falls back to legacy bonding when the peer
 * opened without a session (magic word and no handshake). */
static bool session_handshake(struct icmsg_data_t *dev_data)
{
	const struct icmsg_config_t *conf = dev_data->cfg;
	uint32_t hs = pbuf_handshake_peer(&conf->pb);
	uint16_t req = (uint16_t)PBUF_HS_REQ(hs);

	if (conf->unbound_mode == ICMSG_UNBOUND_MODE_DETECT && hs == 0 &&
	    pbuf_peer_opened(&conf->pb)) {
		LOG_DBG("peer is session-unaware: legacy bonding");
		k_mutex_lock(&dev_data->tx_lock, K_FOREVER);
		dev_data->session = false;
		pbuf_reset(&conf->pb);
		atomic_set(&dev_data->state, ICMSG_STATE_BUSY);
		k_mutex_unlock(&dev_data->tx_lock);
		(void)mbox_send_dt(&conf->mbox_tx, NULL);
		return false;
	}
	if (req != 0 && req != dev_data->remote_sid) {
		dev_data->remote_sid = req;
		pbuf_handshake_write(&conf->pb, PBUF_HS_MAKE(dev_data->local_sid, req));
		(void)mbox_send_dt(&conf->mbox_tx, NULL);
	}
	if (dev_data->remote_sid == 0 || PBUF_HS_ACK(hs) != dev_data->local_sid) {
		return false;
	}
	/* Connected first, then the user: a send from bound() works. */
	atomic_set(&dev_data->state, ICMSG_STATE_READY);
	(void)mbox_send_dt(&conf->mbox_tx, NULL);
	if (dev_data->cb->bound) {
		dev_data->cb->bound(dev_data->ctx);
	}
	return true;
}

static void mbox_work_handler(struct k_work *item)
{
	struct icmsg_data_t *dev_data = CONTAINER_OF(item, struct icmsg_data_t, mbox_work);
	const struct icmsg_config_t *conf = dev_data->cfg;
	int len;

	if (atomic_get(&dev_data->state) == ICMSG_STATE_SID_INIT &&
	    !session_handshake(dev_data)) {
		return;
	}
	if (atomic_get(&dev_data->state) == ICMSG_STATE_READY && session_ended(dev_data)) {
		return;
	}
	if (atomic_get(&dev_data->state) == ICMSG_STATE_BUSY) {
		if (!pbuf_peer_opened(&conf->pb)) {
			return;
		}
		/* Tell the peer we are here too, then the user, and only then
		 * mark the instance connected: Zephyr's legacy-mode order.  A
		 * send in between (from bound() or from a thread it wakes) gets
		 * -EBUSY: the bound race `run --schedule random` finds. */
		(void)mbox_send_dt(&conf->mbox_tx, NULL);
		if (dev_data->cb->bound) {
			dev_data->cb->bound(dev_data->ctx);
		}
		(void)atomic_cas(&dev_data->state, ICMSG_STATE_BUSY, ICMSG_STATE_READY);
	}
	if (atomic_get(&dev_data->state) != ICMSG_STATE_READY) {
		return;
	}
	while ((len = pbuf_read(&conf->pb, dev_data->rx_buf, sizeof(dev_data->rx_buf))) > 0) {
		/* Read before the checks: a message of a ring the peer reset,
		 * or read after our own close, is dropped, not delivered. */
		if (atomic_get(&dev_data->state) != ICMSG_STATE_READY || session_ended(dev_data)) {
			return;
		}
		if (dev_data->cb->received) {
			dev_data->cb->received(dev_data->rx_buf, (size_t)len, dev_data->ctx);
		}
	}
	if (len < 0 && !session_ended(dev_data) && dev_data->cb->error) {
		dev_data->cb->error("Incorrect message length", dev_data->ctx);
	}
}

int icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const struct ipc_service_cb *cb, void *ctx)
{
	int ret;

	bool session;

	CHECKIF(conf == NULL || dev_data == NULL || cb == NULL) {
		return -EINVAL;
	}
	session = conf->unbound_mode != ICMSG_UNBOUND_MODE_DISABLE;
	/* OPENING until the new session is set up: a work item of the closed
	 * one that runs meanwhile must not bond with the old session id and
	 * read the ring from the old read index. */
	if (!atomic_cas(&dev_data->state, ICMSG_STATE_OFF, ICMSG_STATE_OPENING)) {
		return -EALREADY;
	}
	if (!workq_started) {
		LOG_ERR("work queue not started");
		atomic_set(&dev_data->state, ICMSG_STATE_OFF);
		return -EIO;
	}
	if (!dev_data->started) {
		k_mutex_init(&dev_data->tx_lock);
		k_work_init(&dev_data->mbox_work, mbox_work_handler);
	}
	k_mutex_lock(&dev_data->tx_lock, K_FOREVER);
	dev_data->cb = cb;
	dev_data->ctx = ctx;
	dev_data->cfg = conf;
	dev_data->session = session;
	if (session) {
		/* A new session id: after the one this core used last (kept in
		 * its region across a restart), never 0 or the peer's ack. */
		uint16_t sid = (uint16_t)PBUF_HS_REQ(pbuf_handshake_own(&conf->pb));

		if (dev_data->local_sid > sid) {
			sid = dev_data->local_sid;
		}
		do {
			sid++;
		} while (sid == 0 || sid == 0xffffu ||
			 sid == PBUF_HS_ACK(pbuf_handshake_peer(&conf->pb)));
		dev_data->local_sid = sid;
		dev_data->remote_sid = 0;
		pbuf_session_reset(&conf->pb, PBUF_HS_MAKE(sid, 0));
	} else {
		pbuf_reset(&conf->pb);
	}
	atomic_set(&dev_data->state, session ? ICMSG_STATE_SID_INIT : ICMSG_STATE_BUSY);
	k_mutex_unlock(&dev_data->tx_lock);
	if (!dev_data->started) {
		ret = mbox_register_callback_dt(&conf->mbox_rx, mbox_callback, dev_data);
		if (ret < 0) {
			return ret;
		}
		ret = mbox_set_enabled_dt(&conf->mbox_rx, 1);
		if (ret < 0) {
			return ret;
		}
		dev_data->started = true;
	}
	(void)mbox_send_dt(&conf->mbox_tx, NULL);
	/* The peer may have opened first: look now. */
	(void)k_work_submit_to_queue(&icmsg_workq, &dev_data->mbox_work);
	return 0;
}

int icmsg_send(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const void *msg, size_t len)
{
	int ret;
	atomic_val_t state = atomic_get(&dev_data->state);

	if (state != ICMSG_STATE_READY) {
		/* As Zephyr's: after unbound(), a send "succeeds" and is dropped. */
		return state == ICMSG_STATE_DISCONNECTED ? (int)len : -EBUSY;
	}
	if (len == 0 || len > UINT16_MAX - 1) {
		return -EBADMSG;
	}
	ret = k_mutex_lock(&dev_data->tx_lock, SHMEM_ACCESS_TO);
	if (ret < 0) {
		return -ENOBUFS;
	}
	if (atomic_get(&dev_data->state) != ICMSG_STATE_READY) {
		/* The session ended meanwhile: its rings may be reset. */
		k_mutex_unlock(&dev_data->tx_lock);
		return (int)len;
	}
	ret = pbuf_write(&conf->pb, msg, (uint16_t)len);
	k_mutex_unlock(&dev_data->tx_lock);
	if (ret < 0) {
		return ret;
	}
	(void)mbox_send_dt(&conf->mbox_tx, NULL);
	return ret;
}

int icmsg_close(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data)
{
	CHECKIF(conf == NULL || dev_data == NULL) {
		return -EINVAL;
	}
	k_mutex_lock(&dev_data->tx_lock, K_FOREVER);
	if (atomic_set(&dev_data->state, ICMSG_STATE_OFF) == ICMSG_STATE_OFF) {
		k_mutex_unlock(&dev_data->tx_lock);
		return -EALREADY;
	}
	if (dev_data->session) {
		/* Request 0: the peer sees its session end. */
		pbuf_handshake_write(&conf->pb, PBUF_HS_CLOSED);
	}
	k_mutex_unlock(&dev_data->tx_lock);
	(void)mbox_send_dt(&conf->mbox_tx, NULL);
	return 0;
}

bool icmsg_workq_started(void)
{
	return workq_started;
}

static int work_q_init(void)
{
	struct k_work_queue_config cfg = {
		.name = "icmsg_workq",
	};

	k_work_queue_start(&icmsg_workq, icmsg_stack, K_KERNEL_STACK_SIZEOF(icmsg_stack),
			   CONFIG_IPC_SERVICE_BACKEND_ICMSG_WQ_PRIORITY, &cfg);
	workq_started = true;
	return 0;
}

SYS_INIT(work_q_init, POST_KERNEL, CONFIG_KERNEL_INIT_PRIORITY_DEFAULT);
