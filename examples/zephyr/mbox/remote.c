/*
 * Remote core of the MBOX pair: answers each ping with a pong from the
 * MBOX callback (interrupt context) and ends after PING_COUNT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zephyr/kernel.h>
#include <zephyr/drivers/mbox.h>

#define PING_COUNT 3

static const struct mbox_dt_spec tx_channel = MBOX_DT_SPEC_GET(DT_PATH(mbox_consumer), tx);
static const struct mbox_dt_spec rx_channel = MBOX_DT_SPEC_GET(DT_PATH(mbox_consumer), rx);
static K_SEM_DEFINE(done_sem, 0, 1);
static int pings;

static void callback(const struct device *dev, mbox_channel_id_t channel_id, void *user_data,
		     struct mbox_msg *data)
{
	printk("Ping received (on channel %u)%s\n", channel_id, k_is_in_isr() ? " in ISR" : "");
	if (mbox_send_dt(&tx_channel, NULL) < 0) {
		printk("mbox_send() error\n");
	}
	if (++pings == PING_COUNT) {
		k_sem_give(&done_sem);
	}
}

int main(void)
{
	printk("Hello from REMOTE\n");

	if (mbox_register_callback_dt(&rx_channel, callback, NULL)) {
		printk("mbox_register_callback() error\n");
		return 1;
	}
	if (mbox_set_enabled_dt(&rx_channel, 1)) {
		printk("mbox_set_enable() error\n");
		return 1;
	}
	k_sem_take(&done_sem, K_FOREVER);
	printk("REMOTE done\n");
	return 0;
}
