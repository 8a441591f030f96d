/*
 * zephyr/sys/printk.h - printk() to the program's standard output.
 *
 * Each call is written with one write() after formatting (stdout is flushed),
 * so lines of the two peers, which share the terminal of `ipc-emu run`, never
 * interleave, and nothing is lost when a crash point kills the program.
 */
#ifndef ZEPHYR_INCLUDE_SYS_PRINTK_H_
#define ZEPHYR_INCLUDE_SYS_PRINTK_H_

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

void emu_zephyr_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void emu_zephyr_vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#define printk(...) emu_zephyr_printk(__VA_ARGS__)
#define vprintk(fmt, ap) emu_zephyr_vprintk(fmt, ap)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_PRINTK_H_ */
