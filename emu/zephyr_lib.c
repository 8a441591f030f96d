/*
 * zephyr_lib.c - the run-time half of the Zephyr utility headers:
 * the clock of WAIT_FOR (zephyr/sys/util.h), the cache API's link to the
 * cache model (zephyr/cache.h), the seeded generator of zephyr/random/random.h
 * and the ICMsg library glue of zephyr/ipc/icmsg.h.
 *
 * Every function here is exported (emu_zephyr_*) because the headers'
 * inline functions and macros call it from the user's program.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "port.h"
#include <zephyr/cache.h>
#include <zephyr/drivers/mbox.h>
#include <zephyr/ipc/icmsg.h>
#include <zephyr/random/random.h>
#include <zephyr/sys/util.h>

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* ---- WAIT_FOR's clock ----------------------------------------------------- */
uint64_t emu_zephyr_uptime_us(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- cache ------------------------------------------------------------------ */
int emu_zephyr_cache_flush(void *addr, size_t size)
{
	port_crash_point("zephyr_cache_flush_before");
	port_cache_flush(addr, size); /* a no-op outside the model's views */
	port_crash_point("zephyr_cache_flush_after");
	return 0;
}

int emu_zephyr_cache_invd(void *addr, size_t size)
{
	port_crash_point("zephyr_cache_invd_before");
	port_cache_invd(addr, size);
	port_crash_point("zephyr_cache_invd_after");
	return 0;
}

static atomic_bool cache_all_warned;

int emu_zephyr_cache_all(void)
{
	const char *model = env("IPC_EMU_CACHE_MODEL");

	if (model == NULL || strcmp(model, "0") == 0) {
		return 0; /* coherent shared memory: nothing to write back */
	}
	if (!atomic_exchange(&cache_all_warned, true)) {
		static const char msg[] = "ipc-emu: sys_cache_data_*_all() is not modelled "
					  "under --cache-model (returns -ENOTSUP): use the "
					  "_range forms\n";
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	}
	return -ENOTSUP;
}

/* ---- random ------------------------------------------------------------------
 * A counter-based generator: output i is splitmix64(key + i * golden), so
 * one atomic fetch-add hands each caller its own block of outputs and the
 * sequence depends only on the key and the order of the calls. */
#define GOLDEN 0x9E3779B97F4A7C15ull

static pthread_once_t rand_once = PTHREAD_ONCE_INIT;
static uint64_t rand_key; /* written before any draw (once, or by a reseed) */
static atomic_uint_fast64_t rand_ctr;

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = env(name);
	char *end;
	unsigned long long x;

	if (v == NULL) {
		return dflt;
	}
	errno = 0;
	x = strtoull(v, &end, 0);
	return (errno != 0 || *end != '\0') ? dflt : (uint64_t)x;
}

static void rand_init(void)
{
	const char *role = env("IPC_EMU_ROLE");
	uint64_t role_hash = 0xcbf29ce484222325ull; /* FNV-1a of the role name */

	for (const char *p = role != NULL ? role : ""; *p != '\0'; p++) {
		role_hash = (role_hash ^ (uint8_t)*p) * 0x100000001b3ull;
	}
	rand_key = mix64(env_u64("IPC_EMU_SEED", 1) + GOLDEN);
	rand_key = mix64(rand_key ^ role_hash);
	rand_key = mix64(rand_key + env_u64("IPC_EMU_BOOT", 0) * GOLDEN);
}

void emu_zephyr_rand_reseed(void)
{
	(void)pthread_once(&rand_once, rand_init);
	rand_init();
	atomic_store(&rand_ctr, 0);
}

void emu_zephyr_rand_fill(void *dst, size_t len)
{
	uint8_t *p = dst;
	uint64_t i;

	if (len == 0) {
		return;
	}
	(void)pthread_once(&rand_once, rand_init);
	i = atomic_fetch_add(&rand_ctr, (len + 7) / 8);
	while (len > 0) {
		uint64_t v = mix64(rand_key + (i++) * GOLDEN);
		size_t n = len < 8 ? len : 8;

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

/* ---- ICMsg library (zephyr/ipc/icmsg.h) --------------------------------------
 * Zephyr code hands icmsg_open() a config whose MBOX specs come from
 * MBOX_DT_SPEC_GET and data with only tx_pb/rx_pb set.  The first open of a
 * data block makes a resolved copy of the config (real MBOX channels, the
 * run's unbound override and RX options) and the receive buffer, and
 * initialises the instance; later calls use that copy (dev_data->cfg).
 * The copy and buffer live as long as the program, as Zephyr's statics. */
static pthread_mutex_t icmsg_setup_lock = PTHREAD_MUTEX_INITIALIZER;

/* Defined (weak) by zephyr/device.h in programs built with the generated
 * headers; absent otherwise. */
extern const unsigned int emu_zephyr_kconfig_pbuf_rx_read_buf_size __attribute__((weak));

static int icmsg_setup(const struct icmsg_config_t *conf, struct icmsg_data_t *d)
{
	struct icmsg_config_t *c;
	const char *unbound = env("IPC_EMU_UNBOUND");
	const char *isr = env("IPC_EMU_RX_IN_ISR");
	uint64_t rx_size = env_u64("IPC_EMU_RX_BUF_SIZE", ICMSG_RX_BUF_SIZE_DEFAULT);
	int rc;

	if (&emu_zephyr_kconfig_pbuf_rx_read_buf_size != NULL) {
		/* Built with the generated autoconf.h: the program's compiled
		 * CONFIG_PBUF_RX_READ_BUF_SIZE, as for devicetree instances
		 * (emu/zephyr_rt.c). */
		rx_size = emu_zephyr_kconfig_pbuf_rx_read_buf_size;
	}

	if (d->tx_pb == NULL || d->rx_pb == NULL) {
		return -EINVAL;
	}
	if (rx_size == 0 || rx_size > (1u << 20)) {
		rx_size = ICMSG_RX_BUF_SIZE_DEFAULT;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return -ENOMEM;
	}
	*c = *conf;
	c->mbox_tx = emu_zephyr_mbox_resolve(conf->mbox_tx.dev, conf->mbox_tx.channel_id);
	c->mbox_rx = emu_zephyr_mbox_resolve(conf->mbox_rx.dev, conf->mbox_rx.channel_id);
	if (unbound != NULL && strcmp(unbound, "disable") == 0) {
		c->unbound_mode = ICMSG_UNBOUND_MODE_DISABLE;
	} else if (unbound != NULL && strcmp(unbound, "enable") == 0) {
		c->unbound_mode = ICMSG_UNBOUND_MODE_ENABLE;
	} else if (unbound != NULL && strcmp(unbound, "detect") == 0) {
		c->unbound_mode = ICMSG_UNBOUND_MODE_DETECT;
	}
	if ((int)c->unbound_mode == 0) {
		/* Zephyr before 4.1 had no unbound_mode: the legacy handshake. */
		c->unbound_mode = ICMSG_UNBOUND_MODE_DISABLE;
	}
	c->rx_in_isr = isr != NULL && strcmp(isr, "0") != 0;
	if (c->bond_notify_repeat_ms == 0) {
		c->bond_notify_repeat_ms = ICMSG_BOND_NOTIFY_REPEAT_MS_DEFAULT;
	}
	if (c->shmem_access_to_ms == 0) {
		c->shmem_access_to_ms = ICMSG_SHMEM_ACCESS_TO_MS_DEFAULT;
	}
	if (d->rx_buf == NULL) {
		d->rx_buf = calloc(1, (size_t)rx_size);
		if (d->rx_buf == NULL) {
			free(c);
			return -ENOMEM;
		}
		d->rx_buf_size = (uint32_t)rx_size;
	}
	rc = icmsg_init(c, d);
	if (rc < 0) {
		free(c);
	}
	return rc;
}

int emu_zephyr_icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
			  const struct ipc_service_cb *cb, void *ctx)
{
	int rc = 0;

	if (conf == NULL || dev_data == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&icmsg_setup_lock);
	if (dev_data->tx_lock == NULL) { /* never set up: icmsg_init allocates it */
		rc = icmsg_setup(conf, dev_data);
	}
	pthread_mutex_unlock(&icmsg_setup_lock);
	if (rc < 0) {
		return rc;
	}
	return (icmsg_open)(dev_data->cfg, dev_data, cb, ctx);
}

int emu_zephyr_icmsg_close(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data)
{
	if (conf == NULL || dev_data == NULL) {
		return -EINVAL;
	}
	if (dev_data->tx_lock == NULL) {
		return -EALREADY; /* never opened: OFF */
	}
	return (icmsg_close)(dev_data->cfg, dev_data);
}

int emu_zephyr_icmsg_send(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
			  const void *msg, size_t len)
{
	if (conf == NULL || dev_data == NULL) {
		return -EINVAL;
	}
	if (dev_data->tx_lock == NULL) {
		return -EBUSY; /* never opened: not bound */
	}
	return (icmsg_send)(dev_data->cfg, dev_data, msg, len);
}
