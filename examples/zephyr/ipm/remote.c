/*
 * Remote core of the IPM pair: answers each counter value with the next
 * one, from the IPM callback, and ends once it has sent PING_LIMIT.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/drivers/ipm.h>
#include <zephyr/sys/printk.h>

#include <stdint.h>

#define PING_LIMIT 10

static const struct device *ipm;
static K_SEM_DEFINE(done_sem, 0, 1);

static void pong_ipm_callback(const struct device *dev, void *context, uint32_t id,
			      volatile void *data)
{
	uint32_t counter = *(volatile uint32_t *)data;

	printk("remote: received %u (id %u)%s\n", counter, id, k_is_in_isr() ? " in ISR" : "");
	counter++;
	ipm_send(dev, 1, 0, &counter, sizeof(counter));
	if (counter >= PING_LIMIT) {
		k_sem_give(&done_sem);
	}
}

int main(void)
{
	printk("Hello World from REMOTE!\n");

	ipm = DEVICE_DT_GET(DT_NODELABEL(ipm0));
	if (!device_is_ready(ipm)) {
		printk("IPM device not ready\n");
		return 1;
	}
	ipm_register_callback(ipm, pong_ipm_callback, NULL);
	ipm_set_enabled(ipm, 1);

	k_sem_take(&done_sem, K_FOREVER);
	printk("remote: done\n");
	return 0;
}
