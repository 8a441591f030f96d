/*
 * zephyr_irq.h - the emulated CPU's interrupt lock (emu/zephyr_irq.c): one
 * recursive mutex per process stands for "interrupts masked".  Below the
 * scheduler, which asks whether the calling thread holds it; the interrupt
 * context itself (zshim_isr_enter/exit) is emu/zephyr_isr.c, above the
 * scheduler.  Private to emu/; irq_lock/unlock are declared in
 * zephyr/kernel/emu_objects.h.
 */
#ifndef IPC_EMU_ZEPHYR_IRQ_H
#define IPC_EMU_ZEPHYR_IRQ_H

#include <stdbool.h>

/* Called once by the Zephyr runtime (emu/zephyr_rt.c) before its core
 * starts: from then on interrupt handlers take the interrupt lock.  Until
 * then (and in processes that run two cores) enter/exit only mark the
 * context. */
void zshim_isr_set_exclusive(void);
/* An interrupt handler starts/ends: the lock, once exclusive (nests). */
void zshim_irq_isr_lock(void);
void zshim_irq_isr_unlock(void);

/* True while the calling thread holds irq_lock()/k_spin_lock() (thread
 * context): a pending abort or suspension waits until it is released. */
bool zshim_irq_held(void);
/* irq_lock() unless another thread holds it: 0 (*key set), -EBUSY. */
int zshim_irq_trylock(unsigned int *key);

#endif /* IPC_EMU_ZEPHYR_IRQ_H */
