/* zephyr/kernel/emu_objects.h - part of zephyr/kernel.h (included from there). */
#ifndef ZEPHYR_INCLUDE_KERNEL_EMU_OBJECTS_H_
#define ZEPHYR_INCLUDE_KERNEL_EMU_OBJECTS_H_

#endif
