/*
 * zephyr/ipc/icmsg.h - Zephyr's ICMsg library (one endpoint over two pbuf
 * rings and two MBOX channels), for code that uses it directly rather than
 * through ipc_service (e.g. a custom backend).
 *
 * The types, states and unbound modes are those of the emulator's ICMsg
 * core (ipc_emu/icmsg.h), which has Zephyr's names and values; fill the
 * config and data as on Zephyr:
 *
 *   static const struct icmsg_config_t conf = {
 *           .mbox_tx = MBOX_DT_SPEC_GET(DT_NODELABEL(ipc0), tx),
 *           .mbox_rx = MBOX_DT_SPEC_GET(DT_NODELABEL(ipc0), rx),
 *           .unbound_mode = ICMSG_UNBOUND_MODE_ENABLE,
 *   };
 *   PBUF_DEFINE(tx_pb, ...);  PBUF_DEFINE(rx_pb, ...);
 *   static struct icmsg_data_t data = {.tx_pb = &tx_pb, .rx_pb = &rx_pb};
 *   icmsg_open(&conf, &data, &cb, NULL);
 *
 * Differences from Zephyr:
 *   - the first icmsg_open() of a data block sets it up (a private copy of
 *     the config with the MBOX specs resolved, the receive buffer of
 *     CONFIG_PBUF_RX_READ_BUF_SIZE = IPC_EMU_RX_BUF_SIZE or 128 bytes); later
 *     calls use that copy, so the config must not change afterwards;
 *   - the run's IPC_EMU_UNBOUND overrides conf->unbound_mode (as it overrides
 *     the devicetree's), IPC_EMU_RX_IN_ISR selects receive in the interrupt
 *     thread; an unbound_mode of 0 (Zephyr < 4.1 had none) is DISABLE;
 *   - the Kconfig options are the fields bond_notify_repeat_ms and
 *     shmem_access_to_ms (0: Zephyr's defaults);
 *   - icmsg_close() of a block never opened is -EALREADY, icmsg_send() on it
 *     -EBUSY; NULL conf or data is -EINVAL.
 * The no-copy calls of older releases (icmsg_get_tx_buffer,
 * icmsg_send_nocopy, icmsg_hold_rx_buffer, icmsg_release_rx_buffer) are
 * not provided (a compile error).  Return values: ipc_emu/icmsg.h.
 */
#ifndef ZEPHYR_INCLUDE_IPC_ICMSG_H_
#define ZEPHYR_INCLUDE_IPC_ICMSG_H_

#include <stddef.h>

#include "ipc_emu/icmsg.h"
#include <zephyr/drivers/mbox.h>
#include <zephyr/ipc/pbuf.h>
#include <zephyr/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

int emu_zephyr_icmsg_open(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
			  const struct ipc_service_cb *cb, void *ctx);
int emu_zephyr_icmsg_close(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data);
int emu_zephyr_icmsg_send(const struct icmsg_config_t *conf, struct icmsg_data_t *dev_data,
			  const void *msg, size_t len);

#define icmsg_open(conf, dev_data, cb, ctx) emu_zephyr_icmsg_open(conf, dev_data, cb, ctx)
#define icmsg_close(conf, dev_data) emu_zephyr_icmsg_close(conf, dev_data)
#define icmsg_send(conf, dev_data, msg, len) emu_zephyr_icmsg_send(conf, dev_data, msg, len)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_IPC_ICMSG_H_ */
