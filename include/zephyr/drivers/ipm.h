/*
 * zephyr/drivers/ipm.h - Zephyr's IPM API (include/ipc_emu/ipm.h) on devices
 * from DEVICE_DT_GET() or device_get_binding().  The callback runs on the
 * emulator's interrupt thread and receives the real device.
 */
#ifndef ZEPHYR_INCLUDE_DRIVERS_IPM_H_
#define ZEPHYR_INCLUDE_DRIVERS_IPM_H_

#include "ipc_emu/ipm.h"
#include <zephyr/device.h>
#include <zephyr/kernel.h>

#define ipm_send(ipmdev, wait, id, data, size)                                                \
	ipm_send(emu_zephyr_dev(ipmdev), wait, id, data, size)
#define ipm_register_callback(ipmdev, cb, user_data)                                          \
	ipm_register_callback(emu_zephyr_dev(ipmdev), cb, user_data)
#define ipm_max_data_size_get(ipmdev) ipm_max_data_size_get(emu_zephyr_dev(ipmdev))
#define ipm_max_id_val_get(ipmdev) ipm_max_id_val_get(emu_zephyr_dev(ipmdev))
#define ipm_set_enabled(ipmdev, enable) ipm_set_enabled(emu_zephyr_dev(ipmdev), enable)
#define ipm_complete(ipmdev) ipm_complete(emu_zephyr_dev(ipmdev))

#endif /* ZEPHYR_INCLUDE_DRIVERS_IPM_H_ */
