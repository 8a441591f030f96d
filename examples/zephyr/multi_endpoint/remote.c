/*
 * Remote core of the multi-endpoint pair: the shape of Zephyr's
 * ipc_service multi_endpoint sample.  There is no main(): three
 * K_THREAD_DEFINE threads each own one endpoint (two on the ICBMsg instance
 * ipc1, one on the ICMsg instance ipc0) and bounce a counter with the
 * other core up to COUNT.  The program ends when the three threads have.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>

#include <zephyr/ipc/ipc_service.h>

#define STACKSIZE (4096)
#define PRIORITY K_PRIO_PREEMPT(2)
#define COUNT 20

K_THREAD_STACK_DEFINE(ipcA_stack, STACKSIZE);
K_THREAD_STACK_DEFINE(ipcB_stack, STACKSIZE);
K_THREAD_STACK_DEFINE(ipcC_stack, STACKSIZE);

static volatile uint8_t ipcA_received_data;
static volatile uint8_t ipcB_received_data;
static volatile uint8_t ipcC_received_data;
static K_SEM_DEFINE(ipcA_bound_sem, 0, 1);
static K_SEM_DEFINE(ipcB_bound_sem, 0, 1);
static K_SEM_DEFINE(ipcC_bound_sem, 0, 1);
static K_SEM_DEFINE(ipcA_data_sem, 0, 1);
static K_SEM_DEFINE(ipcB_data_sem, 0, 1);
static K_SEM_DEFINE(ipcC_data_sem, 0, 1);

/* ==> THREAD A (ipc1, endpoint ep_a) <== */

static void ipcA_ept_bound(void *priv)
{
	k_sem_give(&ipcA_bound_sem);
}

static void ipcA_ept_recv(const void *data, size_t len, void *priv)
{
	ipcA_received_data = *((uint8_t *)data);

	k_sem_give(&ipcA_data_sem);
}

static struct ipc_ept_cfg ipcA_ept_cfg = {
	.name = "ep_a",
	.cb = {
		.bound = ipcA_ept_bound,
		.received = ipcA_ept_recv,
	},
};

static void ipcA_entry(void *dummy0, void *dummy1, void *dummy2)
{
	ARG_UNUSED(dummy0);
	ARG_UNUSED(dummy1);
	ARG_UNUSED(dummy2);

	const struct device *instance;
	unsigned char message = 0;
	struct ipc_ept ipcA_ept;
	int ret;

	printk("IPC-service REMOTE [A] demo started\n");

	instance = DEVICE_DT_GET(DT_NODELABEL(ipc1));

	ret = ipc_service_open_instance(instance);
	if (ret < 0 && ret != -EALREADY) {
		printk("ipc_service_open_instance() failure\n");
		return;
	}

	ret = ipc_service_register_endpoint(instance, &ipcA_ept, &ipcA_ept_cfg);
	if (ret < 0) {
		printk("ipc_service_register_endpoint() failure\n");
		return;
	}

	k_sem_take(&ipcA_bound_sem, K_FOREVER);

	while (message < COUNT - 1) {
		k_sem_take(&ipcA_data_sem, K_FOREVER);
		message = ipcA_received_data;

		printk("REMOTE [A]: %d\n", message);
		message++;

		ret = ipc_service_send(&ipcA_ept, &message, sizeof(message));
		if (ret < 0) {
			printk("send_message(%d) failed with ret %d\n", message, ret);
			break;
		}
	}

	printk("IPC-service REMOTE [A] demo ended.\n");
}
K_THREAD_DEFINE(ipcA_thread_id, STACKSIZE, ipcA_entry, NULL, NULL, NULL, PRIORITY, 0, 0);

/* ==> THREAD B (ipc1, endpoint ep_b) <== */

static void ipcB_ept_bound(void *priv)
{
	k_sem_give(&ipcB_bound_sem);
}

static void ipcB_ept_recv(const void *data, size_t len, void *priv)
{
	ipcB_received_data = *((uint8_t *)data);

	k_sem_give(&ipcB_data_sem);
}

static struct ipc_ept_cfg ipcB_ept_cfg = {
	.name = "ep_b",
	.cb = {
		.bound = ipcB_ept_bound,
		.received = ipcB_ept_recv,
	},
};

static void ipcB_entry(void *dummy0, void *dummy1, void *dummy2)
{
	ARG_UNUSED(dummy0);
	ARG_UNUSED(dummy1);
	ARG_UNUSED(dummy2);

	const struct device *instance;
	unsigned char message = 0;
	struct ipc_ept ipcB_ept;
	int ret;

	printk("IPC-service REMOTE [B] demo started\n");

	instance = DEVICE_DT_GET(DT_NODELABEL(ipc1));

	ret = ipc_service_open_instance(instance);
	if (ret < 0 && ret != -EALREADY) {
		printk("ipc_service_open_instance() failure\n");
		return;
	}

	ret = ipc_service_register_endpoint(instance, &ipcB_ept, &ipcB_ept_cfg);
	if (ret < 0) {
		printk("ipc_service_register_endpoint() failure\n");
		return;
	}

	k_sem_take(&ipcB_bound_sem, K_FOREVER);

	while (message < COUNT - 1) {
		k_sem_take(&ipcB_data_sem, K_FOREVER);
		message = ipcB_received_data;

		printk("REMOTE [B]: %d\n", message);
		message++;

		ret = ipc_service_send(&ipcB_ept, &message, sizeof(message));
		if (ret < 0) {
			printk("send_message(%d) failed with ret %d\n", message, ret);
			break;
		}
	}

	printk("IPC-service REMOTE [B] demo ended.\n");
}
K_THREAD_DEFINE(ipcB_thread_id, STACKSIZE, ipcB_entry, NULL, NULL, NULL, PRIORITY, 0, 0);

/* ==> THREAD C (ipc0, endpoint ep_c) <== */

static void ipcC_ept_bound(void *priv)
{
	k_sem_give(&ipcC_bound_sem);
}

static void ipcC_ept_recv(const void *data, size_t len, void *priv)
{
	ipcC_received_data = *((uint8_t *)data);

	k_sem_give(&ipcC_data_sem);
}

static struct ipc_ept_cfg ipcC_ept_cfg = {
	.name = "ep_c",
	.cb = {
		.bound = ipcC_ept_bound,
		.received = ipcC_ept_recv,
	},
};

static void ipcC_entry(void *dummy0, void *dummy1, void *dummy2)
{
	ARG_UNUSED(dummy0);
	ARG_UNUSED(dummy1);
	ARG_UNUSED(dummy2);

	const struct device *instance;
	unsigned char message = 0;
	struct ipc_ept ipcC_ept;
	int ret;

	printk("IPC-service REMOTE [C] demo started\n");

	instance = DEVICE_DT_GET(DT_NODELABEL(ipc0));

	ret = ipc_service_open_instance(instance);
	if (ret < 0 && ret != -EALREADY) {
		printk("ipc_service_open_instance() failure\n");
		return;
	}

	ret = ipc_service_register_endpoint(instance, &ipcC_ept, &ipcC_ept_cfg);
	if (ret < 0) {
		printk("ipc_service_register_endpoint() failure\n");
		return;
	}

	k_sem_take(&ipcC_bound_sem, K_FOREVER);

	while (message < COUNT - 1) {
		k_sem_take(&ipcC_data_sem, K_FOREVER);
		message = ipcC_received_data;

		printk("REMOTE [C]: %d\n", message);
		message++;

		ret = ipc_service_send(&ipcC_ept, &message, sizeof(message));
		if (ret < 0) {
			printk("send_message(%d) failed with ret %d\n", message, ret);
			break;
		}
	}

	printk("IPC-service REMOTE [C] demo ended.\n");
}
K_THREAD_DEFINE(ipcC_thread_id, STACKSIZE, ipcC_entry, NULL, NULL, NULL, PRIORITY, 0, 0);
