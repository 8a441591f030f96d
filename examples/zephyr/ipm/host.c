/*
 * Host core of the IPM pair: the shape of Zephyr's IPM samples (one
 * mailbox, a counter bounced between the cores in the message registers).
 *
 * The host sends 1; each side prints what it receives and sends it back
 * incremented from its callback, until the counter reaches PING_LIMIT.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/drivers/ipm.h>
#include <zephyr/sys/printk.h>

#include <stdint.h>

#define PING_LIMIT 10

static const struct device *ipm;
static K_SEM_DEFINE(done_sem, 0, 1);

static void ping_ipm_callback(const struct device *dev, void *context, uint32_t id,
			      volatile void *data)
{
	uint32_t counter = *(volatile uint32_t *)data;

	printk("host: received %u (id %u)%s\n", counter, id, k_is_in_isr() ? " in ISR" : "");
	if (counter >= PING_LIMIT) {
		k_sem_give(&done_sem);
		return;
	}
	counter++;
	ipm_send(dev, 1, 0, &counter, sizeof(counter));
}

int main(void)
{
	uint32_t first_message = 1; /* zero cannot be told from an empty register */

	printk("Hello World from HOST!\n");

	ipm = DEVICE_DT_GET(DT_NODELABEL(ipm0));
	if (!device_is_ready(ipm)) {
		printk("IPM device not ready\n");
		return 1;
	}
	printk("host: %d data bytes, max id %u\n", ipm_max_data_size_get(ipm),
	       ipm_max_id_val_get(ipm));

	ipm_register_callback(ipm, ping_ipm_callback, NULL);
	ipm_set_enabled(ipm, 1);

	/* The remote enables its side when it starts: retry until it listens. */
	while (ipm_send(ipm, 0, 0, &first_message, sizeof(first_message)) == -EBUSY) {
		k_msleep(1);
	}
	if (k_sem_take(&done_sem, K_MSEC(5000)) != 0) {
		printk("host: no reply\n");
		return 1;
	}
	printk("host: done\n");
	return 0;
}
