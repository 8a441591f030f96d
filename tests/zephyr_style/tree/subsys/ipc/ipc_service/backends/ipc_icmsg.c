/*
 * The test tree's ICMsg-like backend: one endpoint per instance, one device
 * per zephyr,ipc-icmsg node of the devicetree.
 */
#define DT_DRV_COMPAT zephyr_ipc_icmsg

#include <zephyr/device.h>
#include <zephyr/ipc/icmsg.h>
#include <zephyr/ipc/ipc_service_backend.h>
#include <zephyr/logging/log.h>

LOG_MODULE_REGISTER(ipc_icmsg, CONFIG_IPC_SERVICE_LOG_LEVEL);

static int register_ept(const struct device *instance, void **token,
			const struct ipc_ept_cfg *cfg)
{
	const struct icmsg_config_t *conf = instance->config;
	struct icmsg_data_t *dev_data = instance->data;

	*token = dev_data;
	return icmsg_open(conf, dev_data, &cfg->cb, cfg->priv);
}

static int deregister_ept(const struct device *instance, void *token)
{
	ARG_UNUSED(token);
	return icmsg_close(instance->config, instance->data);
}

static int send(const struct device *instance, void *token, const void *msg, size_t len)
{
	const struct icmsg_config_t *conf = instance->config;
	struct icmsg_data_t *dev_data = instance->data;

	ARG_UNUSED(token);
	return icmsg_send(conf, dev_data, msg, len);
}

const static struct ipc_service_backend backend_ops = {
	.register_endpoint = register_ept,
	.deregister_endpoint = deregister_ept,
	.send = send,
};

static int backend_init(const struct device *instance)
{
	struct icmsg_data_t *dev_data = instance->data;

	/* POST_KERNEL 46 runs after the work queue's SYS_INIT (POST_KERNEL 40). */
	if (!icmsg_workq_started()) {
		LOG_ERR("%s: initialised before the work queue", instance->name);
		atomic_set(&dev_data->state, ICMSG_STATE_BUSY); /* opens fail: -EALREADY */
		return -EIO;
	}
	atomic_set(&dev_data->state, ICMSG_STATE_OFF);
	LOG_DBG("%s ready", instance->name);
	return 0;
}

#define REGION_ADDR(i, r) DT_REG_ADDR(DT_INST_PHANDLE(i, r))
#define REGION_SIZE(i, r) DT_REG_SIZE(DT_INST_PHANDLE(i, r))

#define DEFINE_BACKEND_DEVICE(i)                                                               \
	BUILD_ASSERT(REGION_SIZE(i, tx_region) >= 64 && REGION_SIZE(i, rx_region) >= 64,      \
		     "regions too small");                                                    \
	BUILD_ASSERT(IS_ALIGNED(REGION_ADDR(i, tx_region), 4), "tx region misaligned");       \
	static const struct icmsg_config_t backend_config_##i = {                             \
		.pb = PBUF_CFG_INIT(REGION_ADDR(i, tx_region), REGION_SIZE(i, tx_region),     \
				    REGION_ADDR(i, rx_region), REGION_SIZE(i, rx_region)),    \
		.mbox_tx = MBOX_DT_SPEC_INST_GET(i, tx),                                      \
		.mbox_rx = MBOX_DT_SPEC_INST_GET(i, rx),                                      \
		.unbound_mode = CONCAT(ICMSG_UNBOUND_MODE_,                                   \
				       DT_INST_STRING_UPPER_TOKEN_OR(i, unbound, DISABLE)),   \
	};                                                                                    \
	static struct icmsg_data_t backend_data_##i;                                          \
	DEVICE_DT_INST_DEFINE(i, &backend_init, NULL, &backend_data_##i, &backend_config_##i, \
			      POST_KERNEL, CONFIG_IPC_SERVICE_REG_BACKEND_PRIORITY, &backend_ops);

DT_INST_FOREACH_STATUS_OKAY(DEFINE_BACKEND_DEVICE)
