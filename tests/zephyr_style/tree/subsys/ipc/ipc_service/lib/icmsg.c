/*
 * The test tree's message protocol (include/zephyr/ipc/icmsg.h): bonding by
 * the magic word of each side's region, messages through pbuf, a doorbell
 * per message.  Receive work runs on the library's own work queue, started
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

static void mbox_work_handler(struct k_work *item)
{
	struct icmsg_data_t *dev_data = CONTAINER_OF(item, struct icmsg_data_t, mbox_work);
	const struct icmsg_config_t *conf = dev_data->cfg;
	int len;

	if (atomic_get(&dev_data->state) == ICMSG_STATE_BUSY) {
		if (!pbuf_peer_opened(&conf->pb)) {
			return;
		}
		if (atomic_cas(&dev_data->state, ICMSG_STATE_BUSY, ICMSG_STATE_READY)) {
			/* Tell the peer we are here too, then the user. */
			(void)mbox_send_dt(&conf->mbox_tx, NULL);
			if (dev_data->cb->bound) {
				dev_data->cb->bound(dev_data->ctx);
			}
		}
	}
	while ((len = pbuf_read(&conf->pb, dev_data->rx_buf, sizeof(dev_data->rx_buf))) > 0) {
		if (dev_data->cb->received) {
			dev_data->cb->received(dev_data->rx_buf, (size_t)len, dev_data->ctx);
		}
	}
	if (len < 0 && dev_data->cb->error) {
		dev_data->cb->error("Incorrect message length", dev_data->ctx);
	}
}

int icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
	       const struct ipc_service_cb *cb, void *ctx)
{
	int ret;

	CHECKIF(conf == NULL || dev_data == NULL || cb == NULL) {
		return -EINVAL;
	}
	if (!atomic_cas(&dev_data->state, ICMSG_STATE_OFF, ICMSG_STATE_BUSY)) {
		return -EALREADY;
	}
	if (!workq_started) {
		LOG_ERR("work queue not started");
		return -EIO;
	}
	dev_data->cb = cb;
	dev_data->ctx = ctx;
	dev_data->cfg = conf;
	k_mutex_init(&dev_data->tx_lock);
	k_work_init(&dev_data->mbox_work, mbox_work_handler);
	pbuf_reset(&conf->pb);
	ret = mbox_register_callback_dt(&conf->mbox_rx, mbox_callback, dev_data);
	if (ret < 0) {
		return ret;
	}
	ret = mbox_set_enabled_dt(&conf->mbox_rx, 1);
	if (ret < 0) {
		return ret;
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

	if (atomic_get(&dev_data->state) != ICMSG_STATE_READY) {
		return -EBUSY;
	}
	if (len == 0 || len > UINT16_MAX - 1) {
		return -EBADMSG;
	}
	ret = k_mutex_lock(&dev_data->tx_lock, SHMEM_ACCESS_TO);
	if (ret < 0) {
		return -ENOBUFS;
	}
	ret = pbuf_write(&conf->pb, msg, (uint16_t)len);
	k_mutex_unlock(&dev_data->tx_lock);
	if (ret < 0) {
		return ret;
	}
	(void)mbox_send_dt(&conf->mbox_tx, NULL);
	return ret;
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
