/*
 * zephyr_isr.h - the emulated CPU's interrupt context, shared by every
 * source of "interrupts" in a process: the mailbox interrupt thread
 * (emu/core.c) and the k_timer expiry thread (emu/zephyr_work.c).
 *
 * zshim_isr_enter() marks the calling thread as in ISR context
 * (k_is_in_isr() true) and takes the process's interrupt lock, so that no
 * two interrupt handlers run at once and irq_lock() in thread context keeps
 * them out, as on a single-core MCU.  Calls nest.  Only emu/ uses this.
 *
 * Naming: symbols shared between files of the shim but not part of the
 * public API start with zshim_ (the version script cmake/ipc_emu.map keeps
 * them local); emu_* names are exported and must be declared in a public
 * header (pytests/test_install.py checks).
 */
#ifndef IPC_EMU_ZEPHYR_ISR_H
#define IPC_EMU_ZEPHYR_ISR_H

/* Called once by the Zephyr runtime (emu/zephyr_rt.c) before its core
 * starts: from then on interrupt handlers take the interrupt lock.  Until
 * then (and in processes that run two cores) enter/exit only mark the
 * context. */
void zshim_isr_set_exclusive(void);
void zshim_isr_enter(void);
void zshim_isr_exit(void);

/* irq_lock()/irq_unlock() of zephyr/kernel.h: the same lock, recursive. */
unsigned int emu_zephyr_irq_lock(void);
void emu_zephyr_irq_unlock(unsigned int key);

#endif /* IPC_EMU_ZEPHYR_ISR_H */
