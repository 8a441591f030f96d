/*
 * zephyr_events.h - the events of the Zephyr shim that the scheduler's ring
 * records (emu/zephyr_sched.h) and the trace file carries (emu/trace.c):
 * their numbers and names.  A leaf, below both.  Private to emu/.
 */
#ifndef IPC_EMU_ZEPHYR_EVENTS_H
#define IPC_EMU_ZEPHYR_EVENTS_H

/* Events of the ring.  The "boundary" ones (give, unlock, submit, put,
 * post, raise) are where the random mode perturbs; the others are only
 * recorded. */
enum zshim_sched_ev {
	ZSHIM_EV_SEM_GIVE,
	ZSHIM_EV_SEM_TAKE,    /* obj: the semaphore; val: the return code */
	ZSHIM_EV_MUTEX_LOCK,  /* val: the return code */
	ZSHIM_EV_MUTEX_UNLOCK,
	ZSHIM_EV_WORK_SUBMIT, /* obj: the work item; val: the return code */
	ZSHIM_EV_WORK_RUN,    /* obj: the work item, before its handler */
	ZSHIM_EV_WORK_DONE,   /* obj: the work item, after its handler */
	ZSHIM_EV_MSGQ_PUT,
	ZSHIM_EV_QUEUE_PUT,   /* k_queue/k_fifo/k_lifo append, prepend, insert */
	ZSHIM_EV_EVENT_POST,  /* k_event post/set */
	ZSHIM_EV_SIGNAL_RAISE,
	ZSHIM_EV_ISR,         /* an interrupt handler starts */
	ZSHIM_EV_SLEEP,       /* val: milliseconds, -1 forever */
	ZSHIM_EV_YIELD,
	ZSHIM_EV_THREAD_START,
	ZSHIM_EV_THREAD_EXIT,
	ZSHIM_EV_LOG_ERR,     /* text: the message */
	ZSHIM_EV_COUNT
};

/* The name of event `ev` as the report and the merged --trace show it
 * ("k_sem_give", "work handler", "interrupt", ...); NULL if unknown. */
const char *zshim_sched_ev_name(unsigned ev);

#endif /* IPC_EMU_ZEPHYR_EVENTS_H */
