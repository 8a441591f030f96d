/*
 * log_core.c - a Zephyr-style program (our own) for the shim's logging
 * under `ipc-emu run`: LOG_INF keeps Zephyr's format, LOG_WRN and LOG_ERR
 * start with the core's name ("host: ", "remote: "), and a work queue
 * started without a name (cfg NULL, as Zephyr's classic ICBMsg starts its
 * endpoint-bind queue) shows in the failure report under its variable's
 * name.  It uses no IPC and exits 1 on purpose, so that the runtime prints
 * its report (pytests/test_zephyr_faults.py runs it as both programs).
 */
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

LOG_MODULE_REGISTER(logcore, LOG_LEVEL_DBG);

static K_THREAD_STACK_DEFINE(log_wq_stack, 1024);
static struct k_work_q log_wq;
static struct k_work item;
static K_SEM_DEFINE(done, 0, 1);

static void on_queue(struct k_work *w)
{
	(void)w;
	LOG_ERR("from the queue %d", 7);
	k_sem_give(&done);
}

int main(void)
{
	LOG_INF("info line");
	LOG_WRN("warning %d", 1);
	k_work_queue_start(&log_wq, log_wq_stack, K_THREAD_STACK_SIZEOF(log_wq_stack),
			   K_PRIO_COOP(14), NULL);
	k_work_init(&item, on_queue);
	(void)k_work_submit_to_queue(&log_wq, &item);
	if (k_sem_take(&done, K_SECONDS(20)) != 0) {
		LOG_ERR("the queue did not run");
	}
	return 1;
}
