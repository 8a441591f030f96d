/*
 * echo_server.c - the remote of `ipc-emu run --zephyr-base`: a Zephyr
 * application that echoes every message of endpoint "ep0" on instance
 * ipc0 back unchanged (what `ipc-emu peer --scenario echo-server` does on
 * ipc-emu's core) and ends after echoing a "done" message (echo_common.h).
 * Built by `ipc-emu zephyr-build --app echo_server`, against Zephyr's IPC
 * stack from a tree or against ipc-emu's core.
 */
#include <stdio.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>

#include "echo_common.h"

static K_SEM_DEFINE(done_sem, 0, 1);
static struct ipc_ept ep;
static unsigned long echoed, failed;

static void ep_bound(void *priv)
{
	(void)priv;
	printf("echo-server[remote]: ep0 bound\n");
	fflush(stdout);
}

static void ep_received(const void *data, size_t len, void *priv)
{
	const uint8_t *m = data;
	int rc;

	(void)priv;
	rc = ipc_service_send(&ep, data, len);
	if (rc < 0) {
		failed++;
		printf("echo-server[remote]: echo of %zu bytes failed: %d\n", len, rc);
	} else {
		echoed++;
	}
	if (len >= ECHO_HDR_LEN && m[10] == ECHO_KIND_DONE) {
		k_sem_give(&done_sem);
	}
}

static void ep_error(const char *message, void *priv)
{
	(void)priv;
	printf("echo-server[remote]: backend error: %s\n", message);
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ep0",
	.cb =
		{
			.bound = ep_bound,
			.received = ep_received,
			.error = ep_error,
		},
};

int main(void)
{
	const struct device *ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	int rc;

	rc = ipc_service_open_instance(ipc0);
	if (rc < 0 && rc != -EALREADY) {
		printf("echo-server[remote]: ipc_service_open_instance: %d\n", rc);
		return 1;
	}
	rc = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);
	if (rc < 0) {
		printf("echo-server[remote]: ipc_service_register_endpoint: %d\n", rc);
		return 1;
	}
	k_sem_take(&done_sem, K_FOREVER);
	printf("echo-server[remote]: %lu messages echoed, %lu failed\n", echoed, failed);
	return failed == 0 ? 0 : 1;
}
