/*
 * zephyr/sys/sys_io.h - Zephyr's port and memory-mapped I/O types.
 *
 * Only the address types: the emulated cores have no I/O registers, so the
 * accessors (sys_read32, sys_out8, sys_set_bit ...) are not provided and
 * code that uses them does not compile.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SYS_IO_H_
#define ZEPHYR_INCLUDE_SYS_SYS_IO_H_

#include <stdint.h>

typedef uint32_t io_port_t;
typedef uintptr_t mm_reg_t;
typedef uintptr_t mem_addr_t;

#endif /* ZEPHYR_INCLUDE_SYS_SYS_IO_H_ */
