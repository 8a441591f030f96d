/*
 * zephyr/ipc/ipc_service.h - Zephyr's IPC service API (include/ipc_emu/ipc_service.h,
 * the same functions, structures, callbacks and return codes).
 *
 * The three functions that take an instance accept DEVICE_DT_GET()'s
 * reference (zephyr/device.h) and resolve it; ept->instance is then the
 * real device.  Callbacks: bound/unbound/received/error run on the
 * emulator's work-queue thread (ICMsg receive processing) or interrupt
 * thread, never on main().
 */
#ifndef ZEPHYR_INCLUDE_IPC_IPC_SERVICE_H_
#define ZEPHYR_INCLUDE_IPC_IPC_SERVICE_H_

#include <stdio.h>

#include "ipc_emu/ipc_service.h"
#include <zephyr/device.h>
#include <zephyr/kernel.h>

#define ipc_service_open_instance(instance) ipc_service_open_instance(emu_zephyr_dev(instance))
#define ipc_service_close_instance(instance) ipc_service_close_instance(emu_zephyr_dev(instance))
#define ipc_service_register_endpoint(instance, ept, cfg)                                     \
	ipc_service_register_endpoint(emu_zephyr_dev(instance), ept, cfg)

#endif /* ZEPHYR_INCLUDE_IPC_IPC_SERVICE_H_ */
