/*
 * port_config.h - compile-time configuration of the bare-metal port (see
 * "Port configuration" in src/port.h).  A firmware image has no use for the
 * host's test instrumentation, and this port has no log sink: crash points,
 * memory-checker hints and log calls compile to nothing, as they would in a
 * Zephyr build without CONFIG_LOG.
 */
#ifndef IPC_EMU_PORT_BAREMETAL_PORT_CONFIG_H
#define IPC_EMU_PORT_BAREMETAL_PORT_CONFIG_H

#define PORT_CONFIG_TEST_HOOKS 0
#define PORT_CONFIG_LOG_LEVEL 0

#endif /* IPC_EMU_PORT_BAREMETAL_PORT_CONFIG_H */
