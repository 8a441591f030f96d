/*
 * zephyr_init.c - the init list of zephyr/init.h: SYS_INIT functions and
 * the devices a program defines itself (zephyr/emu_device_define.h), run
 * once at boot in (level, priority, registration) order.
 *
 * Registration happens in constructors of priority 101 (one per entry, in
 * the program's own translation units), the boot in constructors of
 * priority 65535 (every defining unit has one; the first runs it, the
 * others return), so that all entries are known when the list runs and the
 * list has run before main() and before the K_THREAD_DEFINE threads start
 * (their constructors have no priority).  The boot attaches the program
 * first (emu/zephyr_rt.c), in Zephyr-stack mode when a device is defined.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "port.h"
#include "zephyr_stack.h"
#include <zephyr/device.h>
#include <zephyr/init.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu_zephyr_init_entry *list; /* sorted, under lock */
static unsigned next_seq;
static pthread_once_t boot_once = PTHREAD_ONCE_INIT;

static bool before(const struct emu_zephyr_init_entry *a, const struct emu_zephyr_init_entry *b)
{
	if (a->level != b->level) {
		return a->level < b->level;
	}
	if (a->prio != b->prio) {
		return a->prio < b->prio;
	}
	return a->seq < b->seq;
}

void emu_zephyr_init_register(struct emu_zephyr_init_entry *e)
{
	struct emu_zephyr_init_entry **p;

	if (e == NULL) {
		return;
	}
	pthread_mutex_lock(&lock);
	e->seq = next_seq++;
	e->done = false;
	e->result = -ENODEV;
	for (p = &list; *p != NULL && before(*p, e); p = &(*p)->next) {
	}
	e->next = *p;
	*p = e;
	pthread_mutex_unlock(&lock);
}

bool zshim_init_has_devices(void)
{
	bool any = false;

	pthread_mutex_lock(&lock);
	for (const struct emu_zephyr_init_entry *e = list; e != NULL; e = e->next) {
		any = any || e->dev != NULL;
	}
	pthread_mutex_unlock(&lock);
	return any;
}

static const char *level_name(int level)
{
	static const char *const names[] = {"EARLY",       "PRE_KERNEL_1", "PRE_KERNEL_2",
					    "POST_KERNEL", "APPLICATION",  "SMP"};

	return level >= 0 && level < (int)(sizeof(names) / sizeof(names[0])) ? names[level] : "?";
}

static void run_list(void)
{
	/* Entries are registered before main() only: the list is final. */
	for (struct emu_zephyr_init_entry *e = list; e != NULL; e = e->next) {
		int rc = 0;

		if (e->init != NULL) {
			rc = e->init();
		} else if (e->dev_init != NULL) {
			rc = e->dev_init(e->dev);
		}
		e->result = rc < 0 ? rc : 0;
		e->done = true;
		if (rc < 0) {
			port_log(PORT_LOG_ERR, "init %s (%s, priority %d) failed: %d", e->name,
				 level_name(e->level), e->prio, rc);
		}
	}
}

static void boot(void)
{
	zshim_rt_attach(zshim_init_has_devices());
	run_list();
}

void emu_zephyr_boot(void)
{
	pthread_once(&boot_once, boot);
}

int emu_zephyr_device_init_result(const struct device *dev)
{
	int rc = -ENODEV;

	pthread_mutex_lock(&lock);
	for (const struct emu_zephyr_init_entry *e = list; e != NULL; e = e->next) {
		if (e->dev == dev && dev != NULL && e->done) {
			rc = e->result;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}
