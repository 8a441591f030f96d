/*
 * irq_mask.c - irq_lock() and k_spin_lock() mask interrupt handlers from the
 * program's start, before it touches any device (pytests/
 * test_zephyr_userprog.py).  A 1 ms periodic k_timer runs while main() holds
 * each lock through a 50 ms k_busy_wait(): no expiry function may run inside
 * the lock, and the pending expiry runs once the lock is released, as on one
 * Zephyr core.  Prints "irq-mask[ROLE]: irq_lock IN AFTER, spin_lock IN
 * AFTER" (expiries inside the lock, expiries in the 200 ms after it) and
 * exits 1 when an expiry ran inside a lock.
 */
#include <stdlib.h>
#include <zephyr/kernel.h>

static unsigned int expiries; /* written by the expiry function only */
static struct k_spinlock spin;

static void on_expiry(struct k_timer *t)
{
	(void)t;
	__atomic_add_fetch(&expiries, 1, __ATOMIC_SEQ_CST);
}

K_TIMER_DEFINE(tick, on_expiry, NULL);

static unsigned int count(void)
{
	return __atomic_load_n(&expiries, __ATOMIC_SEQ_CST);
}

/* Expiries inside a lock held 50 ms; *after: in the 200 ms after it. */
static unsigned int inside_irq_lock(unsigned int *after)
{
	unsigned int key, in, end;

	key = irq_lock();
	in = count();
	k_busy_wait(50000);
	end = count();
	irq_unlock(key);
	k_msleep(200);
	*after = count() - end;
	return end - in;
}

static unsigned int inside_spin_lock(unsigned int *after)
{
	k_spinlock_key_t key;
	unsigned int in, end;

	key = k_spin_lock(&spin);
	in = count();
	k_busy_wait(50000);
	end = count();
	k_spin_unlock(&spin, key);
	k_msleep(200);
	*after = count() - end;
	return end - in;
}

int main(void)
{
	const char *role = getenv("IPC_EMU_ROLE");
	unsigned int irq_in, irq_after, spin_in, spin_after;

	k_timer_start(&tick, K_MSEC(1), K_MSEC(1));
	k_msleep(20);
	irq_in = inside_irq_lock(&irq_after);
	spin_in = inside_spin_lock(&spin_after);
	k_timer_stop(&tick);
	printk("irq-mask[%s]: irq_lock %u %u, spin_lock %u %u\n", role != NULL ? role : "program",
	       irq_in, irq_after, spin_in, spin_after);
	return irq_in == 0 && spin_in == 0 ? 0 : 1;
}
