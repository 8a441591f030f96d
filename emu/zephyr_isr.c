/*
 * zephyr_isr.c - the emulated CPU's interrupt context (emu/zephyr_isr.h):
 * an interrupt handler (the mailbox interrupt thread of emu/core.c, the
 * k_timer expiry thread of emu/zephyr_work.c) runs between
 * zshim_isr_enter() and zshim_isr_exit(), with k_is_in_isr() true and the
 * interrupt lock held (emu/zephyr_irq.c) once the program is attached.
 * Above the scheduler: the start of a handler is one of its events.
 */
#include <stdbool.h>

#include "emu_internal.h"
#include "zephyr_irq.h"
#include "zephyr_isr.h"
#include "zephyr_sched.h"

static _Thread_local unsigned int isr_depth;

void zshim_isr_enter(void)
{
	zshim_irq_isr_lock();
	if (isr_depth++ == 0) {
		emu_port_set_in_isr(true);
		/* Never takes the CPU of the coop mode: interrupts preempt. */
		zshim_sched_event(ZSHIM_EV_ISR, NULL, 0);
	}
}

void zshim_isr_exit(void)
{
	if (--isr_depth == 0) {
		emu_port_set_in_isr(false);
	}
	zshim_irq_isr_unlock();
}
