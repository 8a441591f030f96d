/*
 * zephyr/include/ipc_service.h - the include line of the code examples in
 * Zephyr's IPC service documentation (`#include <zephyr/include/ipc_service.h>`),
 * so that they compile as printed.  Same as <zephyr/ipc/ipc_service.h>.
 */
#include <zephyr/ipc/ipc_service.h>
