/*
 * zephyr/sys/reboot.h - sys_reboot(): reset this core.
 *
 * Under `ipc-emu run` a reset is what it is on silicon: the process ends at
 * once (no atexit handlers, no device closed: the peer finds the core gone,
 * as after a real reset), the supervisor starts the same program again with
 * the same arguments, and the shared memory keeps its contents.  The new
 * incarnation finds its boot count in the environment: IPC_EMU_BOOT=1 for
 * the first start of a role, 2 after its first reset (sys_reboot, a
 * --kill-random kill or a --crash-point), and so on.  Output already
 * printed (printk, LOG_*, printf) is flushed first and never lost.  The
 * report counts these resets as "reboots", apart from crashes and restarts.
 *
 * How the supervisor tells a reboot from a crash: the program writes a
 * record into a pipe only the supervisor gave it (IPC_EMU_REBOOT_FD), then
 * exits with EMU_ZEPHYR_REBOOT_EXIT_STATUS; both are needed.
 *
 * Context: any thread (ISR context included).  Never returns.  A program
 * started without the supervisor (no IPC_EMU_REBOOT_FD) cannot be restarted:
 * sys_reboot() then prints why on stderr and exits with status 2.
 */
#ifndef ZEPHYR_INCLUDE_SYS_REBOOT_H_
#define ZEPHYR_INCLUDE_SYS_REBOOT_H_

#ifdef __cplusplus
extern "C" {
#endif

#define SYS_REBOOT_WARM 0
#define SYS_REBOOT_COLD 1

/* The exit status of a rebooting program, and the variable naming the
 * descriptor of its reboot record (both read by `ipc-emu run`). */
#define EMU_ZEPHYR_REBOOT_EXIT_STATUS 235
#define EMU_ZEPHYR_REBOOT_FD_ENV "IPC_EMU_REBOOT_FD"
#define EMU_ZEPHYR_BOOT_ENV "IPC_EMU_BOOT"

/* Flush, tell the supervisor, end the process (never returns). */
void emu_zephyr_sys_reboot(int type) __attribute__((noreturn));

/* Warm and cold resets are the same here: the process starts from scratch
 * and only the shared memory survives (type is SYS_REBOOT_WARM or
 * SYS_REBOOT_COLD; another value is treated as cold). */
static inline __attribute__((noreturn)) void sys_reboot(int type)
{
	emu_zephyr_sys_reboot(type);
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_REBOOT_H_ */
