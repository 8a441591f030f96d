/*
 * Host core of the ztest pair: a Zephyr test suite (no main(): ztest's own
 * runs it) that talks to the remote's echo program over the ICMsg instance
 * ipc0 and checks exact payloads and return codes.
 *
 *   ipc-emu run --host build/examples/zephyr/ztest/host \
 *               --remote build/examples/zephyr/ztest/remote --junit ztest.xml
 *
 * The suite's setup opens ipc0, registers "ept0" and waits for bound(); its
 * teardown sends "bye", which ends the remote.
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/ztest.h>

#include <stdint.h>
#include <string.h>

#define REPLY_TIMEOUT K_SECONDS(5)

struct ipc_echo_fixture {
	const struct device *inst;
	struct ipc_ept ept;
};

/* At file scope, as Zephyr samples keep it (docs/zephyr-compat.md: a
 * DEVICE_DT_GET inside a function lives as long as its block). */
static const struct device *ipc0_instance = DEVICE_DT_GET(DT_NODELABEL(ipc0));

static K_SEM_DEFINE(bound_sem, 0, 1);
static K_SEM_DEFINE(reply_sem, 0, 1);
static uint8_t reply[128];
static size_t reply_len;

static void ep_bound(void *priv)
{
	k_sem_give(&bound_sem);
}

static void ep_recv(const void *data, size_t len, void *priv)
{
	reply_len = len < sizeof(reply) ? len : sizeof(reply);
	memcpy(reply, data, reply_len);
	k_sem_give(&reply_sem);
}

static struct ipc_ept_cfg ep_cfg = {
	.name = "ept0",
	.cb = {
		.bound = ep_bound,
		.received = ep_recv,
	},
};

/* Send and wait for the echo; the number of bytes echoed, or < 0. */
static int echo(struct ipc_echo_fixture *fx, const void *msg, size_t len)
{
	int ret;

	k_sem_reset(&reply_sem);
	do {
		ret = ipc_service_send(&fx->ept, msg, len);
		if (ret == -ENOMEM) {
			k_msleep(1);
		}
	} while (ret == -ENOMEM);
	zassert_equal(ret, (int)len, "ipc_service_send() returned %d", ret);
	ret = k_sem_take(&reply_sem, REPLY_TIMEOUT);
	zassert_ok(ret, "no echo within 5 s");
	return (int)reply_len;
}

static void *ipc_echo_setup(void)
{
	static struct ipc_echo_fixture fx;
	int ret;

	fx.inst = ipc0_instance;
	zassert_true(device_is_ready(fx.inst));
	ret = ipc_service_open_instance(fx.inst);
	zassert_ok(ret, "ipc_service_open_instance() failed: %d", ret);
	ret = ipc_service_register_endpoint(fx.inst, &fx.ept, &ep_cfg);
	zassert_ok(ret, "ipc_service_register_endpoint() failed: %d", ret);
	zassert_ok(k_sem_take(&bound_sem, K_SECONDS(10)), "ept0 was never bound");
	return &fx;
}

static void ipc_echo_teardown(void *f)
{
	struct ipc_echo_fixture *fx = f;

	/* The remote ends after echoing "bye". */
	(void)ipc_service_send(&fx->ept, "bye", 3);
	(void)k_sem_take(&reply_sem, REPLY_TIMEOUT);
}

ZTEST_SUITE(ipc_echo, NULL, ipc_echo_setup, NULL, NULL, ipc_echo_teardown);

ZTEST_F(ipc_echo, test_echo_exact_payload)
{
	static const char msg[] = "hello remote";

	zassert_equal(echo(fixture, msg, strlen(msg)), (int)strlen(msg));
	zassert_mem_equal(reply, msg, strlen(msg), "echo differs");
}

ZTEST_F(ipc_echo, test_echo_binary_sizes)
{
	static const size_t sizes[] = {1, 2, 15, 16, 17, 63, 64, 100};
	uint8_t msg[100];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (size_t k = 0; k < sizes[i]; k++) {
			msg[k] = (uint8_t)(i * 31u + k * 7u);
		}
		zassert_equal(echo(fixture, msg, sizes[i]), (int)sizes[i], "size %zu",
			      sizes[i]);
		zassert_mem_equal(reply, msg, sizes[i], "echo of %zu bytes differs", sizes[i]);
	}
}

/* The ICMsg backend has no open_instance operation (registration opens
 * the channel): every ipc_service_open_instance() of ipc0 returns 0. */
ZTEST_F(ipc_echo, test_open_again_is_ok)
{
	int ret = ipc_service_open_instance(fixture->inst);

	zassert_equal(ret, 0, "got %d", ret);
}

ZTEST_F(ipc_echo, test_send_empty_is_enodata)
{
	zassert_equal(ipc_service_send(&fixture->ept, "", 0), -ENODATA);
}

ZTEST(ipc_echo, test_unknown_label_has_no_binding)
{
	zassert_is_null(device_get_binding("no_such_ipc"));
}
