/*
 * zephyr_printk.h - the output of the compat layer (emu/zephyr_printk.c):
 * printk itself is declared by <zephyr/sys/printk.h>.  Private to emu/.
 */
#ifndef IPC_EMU_ZEPHYR_PRINTK_H
#define IPC_EMU_ZEPHYR_PRINTK_H

#include <stddef.h>

/* Write [buf, buf+len) to stdout in one go, after what stdio holds, so that
 * the lines of the two peers and of the threads of one peer never mix. */
void zshim_out(const char *buf, size_t len);

#endif /* IPC_EMU_ZEPHYR_PRINTK_H */
