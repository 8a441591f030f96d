/*
 * host.c - a user's own Zephyr application for the host core (not one of
 * ipc-emu's echo apps), for pytests/test_zephyr_userprog.py: it opens ipc0,
 * registers "ept0", waits for bound(), sends USERPROG_COUNT messages one at
 * a time (userprog_fill(), common.c), checks each echo byte for byte, then
 * sends "bye".  Exit status 0 when every echo matched.
 *
 * Built with `ipc-emu zephyr-build --app-src host.c common.c` or with
 * ipc_emu_zephyr_program(... ZEPHYR_BASE dir), against the IPC stack of a
 * tree (tests/zephyr_style/tree in CI) or against ipc-emu's core.
 */
#include <stdio.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>

#include "userprog.h"

#define USERPROG_COUNT 50

static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(echo_sem, 0, 1);
static struct ipc_ept ep;
static uint8_t rx[USERPROG_MSG_MAX];
static size_t rx_len;

static void ep_bound(void *priv)
{
	(void)priv;
	k_sem_give(&bound_sem);
}

static void ep_received(const void *data, size_t len, void *priv)
{
	(void)priv;
	rx_len = len < sizeof(rx) ? len : sizeof(rx);
	memcpy(rx, data, rx_len);
	k_sem_give(&echo_sem);
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ept0",
	.cb = {
		.bound = ep_bound,
		.received = ep_received,
	},
};

/* ipc_service_send(), retried briefly while the backend is not ready. */
static int send(const void *data, size_t len)
{
	int rc;

	for (int tries = 0; tries < 100; tries++) {
		rc = ipc_service_send(&ep, data, len);
		if (rc != -EBUSY && rc != -ENOMEM) {
			break;
		}
		k_msleep(1);
	}
	return rc;
}

int main(void)
{
	const struct device *ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	uint8_t m[USERPROG_MSG_MAX];
	int rc;

	rc = ipc_service_open_instance(ipc0);
	if (rc < 0 && rc != -EALREADY) {
		printf("userprog[host]: open: %d\n", rc);
		return 1;
	}
	rc = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);
	if (rc < 0) {
		printf("userprog[host]: register: %d\n", rc);
		return 1;
	}
	if (k_sem_take(&bound_sem, K_MSEC(20000)) != 0) {
		printf("userprog[host]: not bound in 20 s\n");
		return 1;
	}
	for (uint32_t seq = 0; seq < USERPROG_COUNT; seq++) {
		size_t len = userprog_fill(m, seq);

		rc = send(m, len);
		if (rc < 0) {
			printf("userprog[host]: send %u: %d\n", (unsigned int)seq, rc);
			return 1;
		}
		if (k_sem_take(&echo_sem, K_MSEC(10000)) != 0) {
			printf("userprog[host]: no echo of %u\n", (unsigned int)seq);
			return 1;
		}
		if (rx_len != len || memcmp(rx, m, len) != 0) {
			printf("userprog[host]: echo of %u differs\n", (unsigned int)seq);
			return 1;
		}
	}
	rc = send(USERPROG_BYE, strlen(USERPROG_BYE));
	if (rc < 0) {
		printf("userprog[host]: send bye: %d\n", rc);
		return 1;
	}
	printf("userprog[host]: %d echoes matched\n", USERPROG_COUNT);
	return 0;
}
