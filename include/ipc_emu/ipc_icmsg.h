/*
 * ipc_icmsg.h - the ICMsg ipc_service backend (Zephyr's backends/ipc_icmsg.c).
 *
 * One endpoint per instance: register_endpoint opens ICMsg, deregister closes
 * it, send sends.  No open/close instance, no no-copy operations (the
 * ipc_service front end answers -EIO for those, as Zephyr does).
 *
 * An instance device is { .api = &ipc_icmsg_backend, .config = struct
 * icmsg_config_t *, .data = struct icmsg_data_t * }; on the host
 * emu_board_create() builds them from devicetree.
 */
#ifndef IPC_EMU_IPC_ICMSG_H
#define IPC_EMU_IPC_ICMSG_H

#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_service.h"

extern const struct ipc_service_backend ipc_icmsg_backend;

#endif /* IPC_EMU_IPC_ICMSG_H */
