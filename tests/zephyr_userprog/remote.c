/*
 * remote.c - the remote core of the user-program pair (host.c): echoes
 * every message on "ept0" of ipc0 and ends after echoing "bye".
 */
#include <stdio.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>

#include "userprog.h"

static K_SEM_DEFINE(bye_sem, 0, 1);
static struct ipc_ept ep;
static unsigned int echoed;

static void ep_received(const void *data, size_t len, void *priv)
{
	int rc;

	(void)priv;
	rc = ipc_service_send(&ep, data, len);
	if (rc < 0) {
		printf("userprog[remote]: echo failed: %d\n", rc);
		return;
	}
	echoed++;
	if (len == strlen(USERPROG_BYE) && memcmp(data, USERPROG_BYE, len) == 0) {
		k_sem_give(&bye_sem);
	}
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ept0",
	.cb = {
		.received = ep_received,
	},
};

int main(void)
{
	const struct device *ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	int rc;

	rc = ipc_service_open_instance(ipc0);
	if (rc < 0 && rc != -EALREADY) {
		printf("userprog[remote]: open: %d\n", rc);
		return 1;
	}
	rc = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);
	if (rc < 0) {
		printf("userprog[remote]: register: %d\n", rc);
		return 1;
	}
	if (k_sem_take(&bye_sem, K_MSEC(60000)) != 0) {
		printf("userprog[remote]: no bye in 60 s\n");
		return 1;
	}
	printf("userprog[remote]: %u messages echoed\n", echoed);
	return 0;
}
