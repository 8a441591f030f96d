/*
 * zephyr_irq.c - the emulated CPU's interrupt lock (emu/zephyr_irq.h).
 *
 * One recursive mutex per process stands for "interrupts masked": an
 * interrupt handler holds it while it runs (once the program is attached:
 * zshim_isr_set_exclusive), irq_lock() and k_spin_lock() hold it in every
 * case.  Handlers therefore never overlap each other nor a thread's
 * irq_lock() section, and two threads never are inside irq_lock() at once.
 * Unlike a real CPU, a thread that blocks while holding irq_lock() keeps
 * interrupts masked: do not sleep under irq_lock().
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "zephyr_irq.h"
#include <zephyr/kernel.h> /* printk, the public irq_lock declarations */

static pthread_mutex_t irq_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static _Thread_local unsigned int lock_depth; /* irq_lock() nesting of this thread */
/* Set once a Zephyr program attaches (one core per process).  Processes
 * that run both cores of a pair (the Criterion rigs, the harness) keep it
 * off: there the two cores' interrupt threads must not exclude each other. */
static bool exclusive;

void zshim_isr_set_exclusive(void)
{
	__atomic_store_n(&exclusive, true, __ATOMIC_RELEASE);
}

void zshim_irq_isr_lock(void)
{
	if (__atomic_load_n(&exclusive, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&irq_mutex);
	}
}

void zshim_irq_isr_unlock(void)
{
	if (__atomic_load_n(&exclusive, __ATOMIC_ACQUIRE)) {
		pthread_mutex_unlock(&irq_mutex);
	}
}

bool zshim_irq_held(void)
{
	return lock_depth > 0;
}

/* The key is the nesting depth before this lock (0: interrupts were on),
 * as Zephyr's key tells whether they were already masked. */
unsigned int emu_zephyr_irq_lock(void)
{
	pthread_mutex_lock(&irq_mutex);
	return lock_depth++;
}

int zshim_irq_trylock(unsigned int *key)
{
	if (pthread_mutex_trylock(&irq_mutex) != 0) {
		return -EBUSY;
	}
	*key = lock_depth++;
	return 0;
}

void emu_zephyr_irq_unlock(unsigned int key)
{
	(void)key;
	if (lock_depth == 0) {
		printk("ipc-emu: irq_unlock() without irq_lock() in this thread\n");
		abort();
	}
	lock_depth--;
	pthread_mutex_unlock(&irq_mutex);
}
