/*
 * ipc_icmsg.c - ipc_service backend over one ICMsg instance (one endpoint).
 */
#include <errno.h>

#include "ipc_emu/ipc_icmsg.h"

static int register_ept(const struct device *instance, void **token, const struct ipc_ept_cfg *cfg)
{
	const struct icmsg_config_t *conf = instance->config;
	struct icmsg_data_t *data = instance->data;
	int rc;

	rc = icmsg_open(conf, data, &cfg->cb, cfg->priv);
	if (rc < 0) {
		return rc;
	}
	*token = data;
	return 0;
}

static int deregister_ept(const struct device *instance, void *token)
{
	return icmsg_close(instance->config, instance->data);
}

static int send(const struct device *instance, void *token, const void *msg, size_t len)
{
	return icmsg_send(instance->config, instance->data, msg, len);
}

const struct ipc_service_backend ipc_icmsg_backend = {
	.register_endpoint = register_ept,
	.deregister_endpoint = deregister_ept,
	.send = send,
};
