/*
 * echo_client.c - the host of `ipc-emu run --zephyr-base`: a Zephyr
 * application that sends IPC_EMU_MESSAGES (default 200) echo requests of
 * the built-in scenario's format (echo_common.h) one at a time on endpoint
 * "ep0" of instance ipc0, checks that each comes back byte for byte, then
 * sends "done".  Exit status 0 when every echo matched, 1 otherwise.
 * Built by `ipc-emu zephyr-build --app echo_client`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>

#include "echo_common.h"

#define BOND_TIMEOUT_MS 20000
#define ECHO_TIMEOUT_MS 10000

static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(echo_sem, 0, 1);
static struct ipc_ept ep;
static uint8_t rx[ECHO_MAX_LEN];
static size_t rx_len;
static unsigned long unexpected;

static void ep_bound(void *priv)
{
	(void)priv;
	k_sem_give(&bound_sem);
}

static void ep_received(const void *data, size_t len, void *priv)
{
	(void)priv;
	if (len > sizeof(rx) || k_sem_count_get(&echo_sem) != 0) {
		unexpected++;
		return;
	}
	memcpy(rx, data, len);
	rx_len = len;
	k_sem_give(&echo_sem);
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ep0",
	.cb =
		{
			.bound = ep_bound,
			.received = ep_received,
		},
};

/* Send message `seq` and check its echo: 0, or 1 with a line. */
static int exchange(uint64_t seed, uint32_t seq, uint8_t kind)
{
	uint8_t m[ECHO_MAX_LEN];
	size_t len = echo_build(m, seed, seq, kind);
	int rc;

	rc = ipc_service_send(&ep, m, len);
	if (rc < 0) {
		printf("echo-client[host]: send of message %u: %d\n", (unsigned)seq, rc);
		if (rc == -EBUSY && seq == 0) {
			/* Sent right after bound(): a backend that calls bound()
			 * before it can send (Zephyr's legacy-mode ICMsg does) is
			 * caught here; docs/zephyr-sources.md has the details. */
			printf("echo-client[host]: -EBUSY right after bound(): the backend called "
			       "bound() before it could send (legacy-mode bound race)\n");
		}
		return 1;
	}
	if (k_sem_take(&echo_sem, K_MSEC(ECHO_TIMEOUT_MS)) != 0) {
		printf("echo-client[host]: no echo of message %u in %d ms\n", (unsigned)seq,
		       ECHO_TIMEOUT_MS);
		return 1;
	}
	if (rx_len != len || memcmp(rx, m, len) != 0) {
		printf("echo-client[host]: echo of message %u differs (%zu bytes sent, %zu back)\n",
		       (unsigned)seq, len, rx_len);
		return 1;
	}
	return 0;
}

int main(void)
{
	const struct device *ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	const char *v = getenv("IPC_EMU_MESSAGES");
	unsigned long n = v != NULL ? strtoul(v, NULL, 10) : 200;
	uint64_t seed = echo_seed();
	int rc;

	rc = ipc_service_open_instance(ipc0);
	if (rc < 0 && rc != -EALREADY) {
		printf("echo-client[host]: ipc_service_open_instance: %d\n", rc);
		return 1;
	}
	rc = ipc_service_register_endpoint(ipc0, &ep, &ep_cfg);
	if (rc < 0) {
		printf("echo-client[host]: ipc_service_register_endpoint: %d\n", rc);
		return 1;
	}
	if (k_sem_take(&bound_sem, K_MSEC(BOND_TIMEOUT_MS)) != 0) {
		printf("echo-client[host]: ep0 not bound in %d ms\n", BOND_TIMEOUT_MS);
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (exchange(seed, (uint32_t)i, ECHO_KIND_REQ) != 0) {
			return 1;
		}
	}
	if (exchange(seed, (uint32_t)n, ECHO_KIND_DONE) != 0) {
		return 1;
	}
	printf("echo-client[host]: %lu echoes matched byte for byte%s\n", n + 1,
	       unexpected != 0 ? ", but unexpected messages came" : "");
	return unexpected == 0 ? 0 : 1;
}
