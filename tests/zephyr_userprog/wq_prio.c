/*
 * wq_prio.c - a Zephyr-style program (our own) that checks the order in
 * which `ipc-emu run --schedule coop` runs work queues of different
 * priorities, as Zephyr's scheduler does on one core:
 *
 *   - a preemptible thread (main, priority 0) that submits to a queue of a
 *     higher priority (cooperative -1) is preempted at once: the item runs
 *     before k_work_submit_to_queue() returns; a submission to a queue of a
 *     lower priority (5) runs only when main blocks;
 *   - a cooperative queue thread (-5) that submits to two queues (-1, -3)
 *     is not preempted: both items run after its handler returns, the
 *     higher priority (-3) first, and main (0) after both.
 *
 * It uses no IPC: `pytests/test_zephyr_schedule.py` builds it with
 * `zephyr-build --app-src` and runs it as both programs of a run.  Prints
 * "wq-prio[ROLE]: order AMP CBAM" and exits 0 when the orders are those,
 * 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>

#define STACK 1024

static K_THREAD_STACK_DEFINE(stack_a, STACK);
static K_THREAD_STACK_DEFINE(stack_b, STACK);
static K_THREAD_STACK_DEFINE(stack_c, STACK);
static K_THREAD_STACK_DEFINE(stack_p, STACK);
static struct k_work_q q_a, q_b, q_c, q_p;
static K_SEM_DEFINE(done, 0, 8);

static char order[16];
static unsigned n_order;

/* Only the thread that holds the (one) CPU writes: no lock. */
static void log_char(char c)
{
	if (n_order < sizeof(order) - 1) {
		order[n_order++] = c;
	}
}

static void hello(struct k_work *w)
{
	(void)w;
	k_sem_give(&done);
}

static void log_a(struct k_work *w)
{
	(void)w;
	log_char('A');
	k_sem_give(&done);
}

static void log_b(struct k_work *w)
{
	(void)w;
	log_char('B');
	k_sem_give(&done);
}

static void log_p(struct k_work *w)
{
	(void)w;
	log_char('P');
	k_sem_give(&done);
}

static struct k_work w_hello[4], w_a, w_b, w_c, w_p;

/* On the cooperative queue c: two submissions, then 'C'. */
static void submit_two(struct k_work *w)
{
	(void)w;
	(void)k_work_submit_to_queue(&q_a, &w_a);
	(void)k_work_submit_to_queue(&q_b, &w_b);
	log_char('C');
}

static int take(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (k_sem_take(&done, K_SECONDS(20)) != 0) {
			return -1;
		}
	}
	return 0;
}

int main(void)
{
	const char *role = getenv("IPC_EMU_ROLE");
	struct k_work_q *qs[4] = {&q_a, &q_b, &q_c, &q_p};
	char first[16];
	int rc = 0;

	role = role != NULL ? role : "?";
	k_work_queue_start(&q_a, stack_a, K_THREAD_STACK_SIZEOF(stack_a), K_PRIO_COOP(15), NULL);
	k_work_queue_start(&q_b, stack_b, K_THREAD_STACK_SIZEOF(stack_b), K_PRIO_COOP(13), NULL);
	k_work_queue_start(&q_c, stack_c, K_THREAD_STACK_SIZEOF(stack_c), K_PRIO_COOP(11), NULL);
	k_work_queue_start(&q_p, stack_p, K_THREAD_STACK_SIZEOF(stack_p), K_PRIO_PREEMPT(5), NULL);
	k_work_init(&w_a, log_a);
	k_work_init(&w_b, log_b);
	k_work_init(&w_c, submit_two);
	k_work_init(&w_p, log_p);
	/* Every queue runs once and goes idle. */
	for (unsigned i = 0; i < 4; i++) {
		k_work_init(&w_hello[i], hello);
		(void)k_work_submit_to_queue(qs[i], &w_hello[i]);
	}
	rc |= take(4);

	/* 1: main (0) submits to a (-1), then to p (5). */
	(void)k_work_submit_to_queue(&q_a, &w_a);
	(void)k_work_submit_to_queue(&q_p, &w_p);
	log_char('M');
	rc |= take(2);
	memcpy(first, order, n_order + 1);
	n_order = 0;
	memset(order, 0, sizeof(order));

	/* 2: main submits to c (-5), which submits to a (-1) and b (-3). */
	(void)k_work_submit_to_queue(&q_c, &w_c);
	log_char('M');
	rc |= take(2);

	if (rc != 0 || strcmp(first, "AMP") != 0 || strcmp(order, "CBAM") != 0) {
		printf("wq-prio[%s]: order %s %s, expected AMP CBAM%s\n", role, first, order,
		       rc != 0 ? " (an item did not run within 20 s)" : "");
		return 1;
	}
	printf("wq-prio[%s]: order %s %s\n", role, first, order);
	return 0;
}
