/*
 * Host core of the MBOX pair: the shape of Zephyr's MBOX sample (channels
 * from the `mboxes`/`mbox-names` of a consumer node, signalling mode).
 * It pings PING_COUNT times and waits for each pong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zephyr/kernel.h>
#include <zephyr/drivers/mbox.h>

#define PING_COUNT 3

static const struct mbox_dt_spec tx_channel = MBOX_DT_SPEC_GET(DT_PATH(mbox_consumer), tx);
static const struct mbox_dt_spec rx_channel = MBOX_DT_SPEC_GET(DT_PATH(mbox_consumer), rx);
static K_SEM_DEFINE(pong_sem, 0, 1);

static void callback(const struct device *dev, mbox_channel_id_t channel_id, void *user_data,
		     struct mbox_msg *data)
{
	printk("Pong (on channel %u)\n", channel_id);
	k_sem_give(&pong_sem);
}

int main(void)
{
	printk("Hello from HOST\n");

	if (!mbox_is_ready_dt(&rx_channel)) {
		printk("mbox not ready\n");
		return 1;
	}
	if (mbox_register_callback_dt(&rx_channel, callback, NULL)) {
		printk("mbox_register_callback() error\n");
		return 1;
	}
	if (mbox_set_enabled_dt(&rx_channel, 1)) {
		printk("mbox_set_enable() error\n");
		return 1;
	}
	for (int i = 0; i < PING_COUNT; i++) {
		k_sleep(K_MSEC(10));
		printk("Ping %d\n", i + 1);
		if (mbox_send_dt(&tx_channel, NULL) < 0) {
			printk("mbox_send() error\n");
			return 1;
		}
		if (k_sem_take(&pong_sem, K_MSEC(5000)) != 0) {
			printk("no pong\n");
			return 1;
		}
	}
	return 0;
}
