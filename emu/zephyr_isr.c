/*
 * zephyr_isr.c - the emulated CPU's interrupt lock (emu/zephyr_isr.h).
 *
 * One recursive mutex per process stands for "interrupts masked": an
 * interrupt handler holds it while it runs, irq_lock() holds it in thread
 * context.  Handlers therefore never overlap each other nor a thread's
 * irq_lock() section.  Unlike a real CPU, a thread that blocks while holding
 * irq_lock() keeps interrupts masked: do not sleep under irq_lock().
 */
#include <pthread.h>
#include <stdbool.h>

#include "emu_internal.h"
#include "port.h"
#include "zephyr_isr.h"

static pthread_mutex_t irq_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static _Thread_local unsigned int isr_depth;
/* Set once a Zephyr program attaches (one core per process).  Processes
 * that run both cores of a pair (the Criterion rigs, the harness) keep it
 * off: there the two cores' interrupt threads must not exclude each other. */
static bool exclusive;

void zshim_isr_set_exclusive(void)
{
	__atomic_store_n(&exclusive, true, __ATOMIC_RELEASE);
}

void zshim_isr_enter(void)
{
	if (__atomic_load_n(&exclusive, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&irq_mutex);
	}
	if (isr_depth++ == 0) {
		emu_port_set_in_isr(true);
	}
}

void zshim_isr_exit(void)
{
	if (--isr_depth == 0) {
		emu_port_set_in_isr(false);
	}
	if (__atomic_load_n(&exclusive, __ATOMIC_ACQUIRE)) {
		pthread_mutex_unlock(&irq_mutex);
	}
}

unsigned int emu_zephyr_irq_lock(void)
{
	pthread_mutex_lock(&irq_mutex);
	return 0;
}

void emu_zephyr_irq_unlock(unsigned int key)
{
	(void)key;
	pthread_mutex_unlock(&irq_mutex);
}
