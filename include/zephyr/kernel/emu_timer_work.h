/* zephyr/kernel/emu_timer_work.h - part of zephyr/kernel.h (included from there). */
#ifndef ZEPHYR_INCLUDE_KERNEL_EMU_TIMER_WORK_H_
#define ZEPHYR_INCLUDE_KERNEL_EMU_TIMER_WORK_H_

#endif
