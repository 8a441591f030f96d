/*
 * zephyr_events.c - the names of the shim's events (emu/zephyr_events.h).
 */
#include <stddef.h>

#include "zephyr_events.h"

static const char *const ev_name[ZSHIM_EV_COUNT] = {
	[ZSHIM_EV_SEM_GIVE] = "k_sem_give",
	[ZSHIM_EV_SEM_TAKE] = "k_sem_take",
	[ZSHIM_EV_MUTEX_LOCK] = "k_mutex_lock",
	[ZSHIM_EV_MUTEX_UNLOCK] = "k_mutex_unlock",
	[ZSHIM_EV_WORK_SUBMIT] = "k_work_submit",
	[ZSHIM_EV_WORK_RUN] = "work handler",
	[ZSHIM_EV_WORK_DONE] = "work done",
	[ZSHIM_EV_MSGQ_PUT] = "k_msgq_put",
	[ZSHIM_EV_QUEUE_PUT] = "k_queue put",
	[ZSHIM_EV_EVENT_POST] = "k_event post",
	[ZSHIM_EV_SIGNAL_RAISE] = "k_poll_signal_raise",
	[ZSHIM_EV_ISR] = "interrupt",
	[ZSHIM_EV_SLEEP] = "k_sleep",
	[ZSHIM_EV_YIELD] = "k_yield",
	[ZSHIM_EV_THREAD_START] = "thread start",
	[ZSHIM_EV_THREAD_EXIT] = "thread end",
	[ZSHIM_EV_LOG_ERR] = "LOG_ERR",
};

const char *zshim_sched_ev_name(unsigned ev)
{
	return ev < ZSHIM_EV_COUNT ? ev_name[ev] : NULL;
}
