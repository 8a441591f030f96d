/*
 * zephyr_objects.c - the kernel objects of include/zephyr/kernel/emu_objects.h:
 * semaphores and mutexes (emu/zephyr_kernel.c has their design), message
 * queues, queues (FIFO/LIFO), events, k_poll and signals, spinlocks; and the waiting machinery every blocking call of the compat
 * layer shares (emu/zephyr_isr.h).
 *
 * Waiting.  One process-wide sequence word `seq` stands for "some kernel
 * object changed".  Every change a thread may be waiting for bumps it
 * (zshim_kick); a waiter reads it, checks its condition, and sleeps on the
 * word (futex) only while it still holds what it read:
 *
 *     waiter                              changer
 *     waiters++            (seq_cst)      change the object (under obj_lock)
 *     seen = seq           (seq_cst)      seq++            (seq_cst)
 *     check the condition                 if (waiters) FUTEX_WAKE(seq)
 *     FUTEX_WAIT(seq, seen)
 *
 * If the changer reads waiters == 0, its seq++ comes before the waiter's
 * read of seq in the single total order, so the waiter sees the change; if
 * it reads waiters > 0 it wakes, and the wait returns at once when seq is
 * no longer `seen`.  No wake-up is lost, and a process without waiters
 * pays one atomic add per give/put.  Every waiter wakes at every change
 * and re-checks: fine for the few threads of a firmware program.
 *
 * Objects.  The state of msgq, queue and event objects is guarded by one
 * process mutex (`obj_lock`, always the innermost lock, never held while
 * blocking), as a single-core Zephyr guards them by masking interrupts.
 * Static initialisers (K_MSGQ_DEFINE ...) therefore need no constructor.
 * A k_event waiter is a record on the event's list: post/set deliver the
 * matching events into it (Zephyr's semantics: a waiter released by a post
 * returns those events even if they are cleared before it runs).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "sys.h"
#include "zephyr_clock.h"
#include "zephyr_isr.h"
#include "zephyr_printk.h"
#include "zephyr_sched.h"
#include <zephyr/kernel.h>

/* ---------------------------------------------------------------- waiting */

static uint32_t seq;     /* futex word: bumped by every change */
static uint32_t waiters; /* threads between wait_begin and wait_end */
static pthread_mutex_t obj_lock = PTHREAD_MUTEX_INITIALIZER;

void zshim_kick(void)
{
	__atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&waiters, __ATOMIC_SEQ_CST) > 0) {
		(void)emu_sys_futex_wake(&seq);
	}
}

void zshim_wait_begin(struct zshim_wait *w, k_timeout_t timeout)
{
	w->ms = zshim_timeout_ms(timeout);
	w->deadline_ns = w->ms > 0 ? zshim_now_ns() + (uint64_t)w->ms * 1000000u : 0;
	w->seen = 0;
	w->released = false;
	__atomic_add_fetch(&waiters, 1, __ATOMIC_SEQ_CST);
}

void zshim_wait_snapshot(struct zshim_wait *w)
{
	w->seen = __atomic_load_n(&seq, __ATOMIC_SEQ_CST);
}

int zshim_wait_block(struct zshim_wait *w)
{
	int wait_ms = -1;

	if (w->ms == 0) {
		return -EAGAIN;
	}
	if (w->ms > 0) {
		uint64_t now = zshim_now_ns();

		if (now >= w->deadline_ns) {
			return -EAGAIN;
		}
		wait_ms = (int)((w->deadline_ns - now + 999999u) / 1000000u);
	}
	/* Read after the snapshot: an abort or suspension requested after this
	 * read bumps seq, and the futex wait below returns at once. */
	if (zshim_thread_abort_pending()) {
		return -ECANCELED;
	}
	/* The CPU is taken back once, in zshim_wait_end: a woken thread
	 * re-checks its condition (and takes what it waited for) first. */
	w->released |= zshim_sched_release();
	zshim_thread_suspended_wait();
	(void)emu_sys_futex_wait(&seq, w->seen, wait_ms);
	return 0;
}

void zshim_wait_end(struct zshim_wait *w)
{
	__atomic_sub_fetch(&waiters, 1, __ATOMIC_SEQ_CST);
	zshim_sched_reacquire(w->released);
}

/* ------------------------------------------------- semaphore resets */

static struct zshim_sem_waiter *sem_waiters; /* under obj_lock */

void zshim_sem_waiter_add(struct zshim_sem_waiter *w)
{
	pthread_mutex_lock(&obj_lock);
	w->reset = false;
	w->next = sem_waiters;
	sem_waiters = w;
	pthread_mutex_unlock(&obj_lock);
}

void zshim_sem_waiter_remove(struct zshim_sem_waiter *w)
{
	pthread_mutex_lock(&obj_lock);
	for (struct zshim_sem_waiter **pp = &sem_waiters; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&obj_lock);
}

bool zshim_sem_waiter_was_reset(struct zshim_sem_waiter *w)
{
	bool r;

	pthread_mutex_lock(&obj_lock);
	r = w->reset;
	pthread_mutex_unlock(&obj_lock);
	return r;
}

void zshim_sem_reset(struct k_sem *sem)
{
	pthread_mutex_lock(&obj_lock);
	__atomic_store_n(&sem->count, 0, __ATOMIC_RELEASE);
	for (struct zshim_sem_waiter *w = sem_waiters; w != NULL; w = w->next) {
		if (w->sem == sem) {
			w->reset = true;
		}
	}
	pthread_mutex_unlock(&obj_lock);
	zshim_kick();
}

static void fatal(const char *what, const void *obj) __attribute__((noreturn));

static void fatal(const char *what, const void *obj)
{
	printk("ipc-emu: %s (%p)\n", what, obj);
	abort();
}

/* ------------------------------------------------------------- semaphores */

int emu_k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit)
{
	if (sem == NULL || limit == 0 || initial_count > limit) {
		return -EINVAL;
	}
	sem->limit = limit;
	__atomic_store_n(&sem->count, initial_count, __ATOMIC_RELEASE);
	return 0;
}

static bool sem_try_take(struct k_sem *sem)
{
	unsigned int c = __atomic_load_n(&sem->count, __ATOMIC_ACQUIRE);

	/* Pairs with the release of give: what the giver wrote before is
	 * visible to the taker. */
	while (c > 0) {
		if (__atomic_compare_exchange_n(&sem->count, &c, c - 1, true, __ATOMIC_ACQUIRE,
						__ATOMIC_ACQUIRE)) {
			return true;
		}
	}
	return false;
}

static int sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	struct zshim_sem_waiter me = {.sem = sem};
	struct zshim_wait w;
	bool listed = false;
	int rc;

	zshim_thread_checkpoint();
	zshim_wait_begin(&w, timeout);
	for (;;) {
		zshim_wait_snapshot(&w);
		if (listed && zshim_sem_waiter_was_reset(&me)) {
			rc = -EAGAIN; /* k_sem_reset() while waiting, as on Zephyr */
			break;
		}
		if (sem_try_take(sem)) {
			rc = 0;
			break;
		}
		if (w.ms == 0) {
			rc = -EBUSY;
			break;
		}
		if (!listed) {
			/* Listed before blocking: a reset from now on reaches it. */
			zshim_sem_waiter_add(&me);
			listed = true;
			continue;
		}
		rc = zshim_wait_block(&w);
		if (rc < 0) {
			break;
		}
	}
	zshim_wait_end(&w);
	if (listed) {
		zshim_sem_waiter_remove(&me);
	}
	if (rc == -ECANCELED) {
		zshim_thread_checkpoint(); /* aborted: ends the thread */
	}
	return rc;
}

int emu_k_sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	int rc = sem_take(sem, timeout);

	zshim_sched_event(ZSHIM_EV_SEM_TAKE, sem, rc);
	return rc;
}

/* The events (and the random mode's perturbation) are the callers'. */
static void sem_give(struct k_sem *sem)
{
	unsigned int c = __atomic_load_n(&sem->count, __ATOMIC_RELAXED);

	do {
		if (c >= sem->limit) {
			return;
		}
	} while (!__atomic_compare_exchange_n(&sem->count, &c, c + 1, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	zshim_kick();
}

void emu_k_sem_give(struct k_sem *sem)
{
	sem_give(sem);
	zshim_sched_event(ZSHIM_EV_SEM_GIVE, sem, 0);
}

void emu_k_sem_reset(struct k_sem *sem)
{
	zshim_sem_reset(sem);
}

unsigned int emu_k_sem_count_get(struct k_sem *sem)
{
	return __atomic_load_n(&sem->count, __ATOMIC_ACQUIRE);
}

/* ----------------------------------------------------------------- mutexes */

/* The identity of the calling thread: the address of a thread-local. */
static const void *self(void)
{
	static _Thread_local char me;

	return &me;
}

int emu_k_mutex_init(struct k_mutex *mutex)
{
	mutex->depth = 0;
	__atomic_store_n(&mutex->owner, NULL, __ATOMIC_RELAXED);
	return emu_k_sem_init(&mutex->sem, 1, 1);
}

int emu_k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout)
{
	int rc;

	/* Only this thread can have stored itself as the owner. */
	if (__atomic_load_n(&mutex->owner, __ATOMIC_RELAXED) == self()) {
		mutex->depth++;
		return 0;
	}
	rc = sem_take(&mutex->sem, timeout);
	zshim_sched_event(ZSHIM_EV_MUTEX_LOCK, mutex, rc);
	if (rc < 0) {
		return rc;
	}
	__atomic_store_n(&mutex->owner, self(), __ATOMIC_RELAXED);
	mutex->depth = 1;
	return 0;
}

int emu_k_mutex_unlock(struct k_mutex *mutex)
{
	const void *owner = __atomic_load_n(&mutex->owner, __ATOMIC_RELAXED);

	if (owner == NULL) {
		return -EINVAL;
	}
	if (owner != self()) {
		return -EPERM;
	}
	if (--mutex->depth == 0) {
		__atomic_store_n(&mutex->owner, NULL, __ATOMIC_RELAXED);
		sem_give(&mutex->sem);
		zshim_sched_event(ZSHIM_EV_MUTEX_UNLOCK, mutex, 0);
	}
	return 0;
}

/* -------------------------------------------------------------- spinlocks */

k_spinlock_key_t emu_k_spin_lock(struct k_spinlock *l)
{
	k_spinlock_key_t k = {.key = (int)emu_zephyr_irq_lock()};

	/* Every holder of a spinlock holds the interrupt lock, which this
	 * thread now has: a set flag can only be this thread's own. */
	if (l->locked) {
		fatal("k_spin_lock: spinlock already held by this thread (deadlock on Zephyr)", l);
	}
	l->locked = 1;
	return k;
}

int emu_k_spin_trylock(struct k_spinlock *l, k_spinlock_key_t *k)
{
	unsigned int key;

	if (zshim_irq_trylock(&key) < 0) {
		return -EBUSY; /* another thread or interrupt holds a spinlock or irq_lock */
	}
	if (l->locked) {
		emu_zephyr_irq_unlock(key);
		return -EBUSY;
	}
	l->locked = 1;
	k->key = (int)key;
	return 0;
}

void emu_k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	if (!l->locked || !zshim_irq_held()) {
		fatal("k_spin_unlock: spinlock not held by this thread", l);
	}
	l->locked = 0;
	emu_zephyr_irq_unlock((unsigned int)key.key);
}

/* ---------------------------------------------------------- message queues */

#define EMU_K_MSGQ_ALLOCATED 1u

void emu_k_msgq_init(struct k_msgq *msgq, char *buffer, size_t msg_size, uint32_t max_msgs)
{
	pthread_mutex_lock(&obj_lock);
	msgq->buffer_start = buffer;
	msgq->msg_size = msg_size;
	msgq->max_msgs = max_msgs;
	msgq->read_idx = 0;
	msgq->used_msgs = 0;
	msgq->purge_gen = 0;
	msgq->waiters = 0;
	msgq->flags = 0;
	pthread_mutex_unlock(&obj_lock);
}

int emu_k_msgq_alloc_init(struct k_msgq *msgq, size_t msg_size, uint32_t max_msgs)
{
	char *buf;

	if (msg_size != 0 && max_msgs > SIZE_MAX / msg_size) {
		return -EINVAL;
	}
	buf = malloc(msg_size * max_msgs > 0 ? msg_size * max_msgs : 1);
	if (buf == NULL) {
		return -ENOMEM;
	}
	emu_k_msgq_init(msgq, buf, msg_size, max_msgs);
	msgq->flags = EMU_K_MSGQ_ALLOCATED;
	return 0;
}

int emu_k_msgq_cleanup(struct k_msgq *msgq)
{
	char *buf = NULL;

	pthread_mutex_lock(&obj_lock);
	if (msgq->waiters > 0) {
		pthread_mutex_unlock(&obj_lock);
		return -EBUSY;
	}
	if ((msgq->flags & EMU_K_MSGQ_ALLOCATED) != 0) {
		buf = msgq->buffer_start;
		msgq->buffer_start = NULL;
		msgq->flags &= (uint8_t)~EMU_K_MSGQ_ALLOCATED;
		msgq->used_msgs = 0;
		msgq->max_msgs = 0; /* a later put/get finds it full/empty, not freed memory */
	}
	pthread_mutex_unlock(&obj_lock);
	free(buf);
	return 0;
}

static char *slot(struct k_msgq *msgq, uint32_t idx)
{
	return msgq->buffer_start + (size_t)((msgq->read_idx + idx) % msgq->max_msgs) * msgq->msg_size;
}

/* Blocks while full (put) or empty (get). */
static int msgq_xfer(struct k_msgq *msgq, void *data, k_timeout_t timeout, bool put)
{
	struct zshim_wait w;
	uint32_t gen;
	int rc;

	zshim_thread_checkpoint();
	zshim_wait_begin(&w, timeout);
	pthread_mutex_lock(&obj_lock);
	gen = msgq->purge_gen;
	msgq->waiters++;
	pthread_mutex_unlock(&obj_lock);
	for (;;) {
		zshim_wait_snapshot(&w);
		pthread_mutex_lock(&obj_lock);
		if (put && msgq->purge_gen != gen) {
			rc = -ENOMSG; /* purged while this writer waited */
		} else if (put && msgq->used_msgs < msgq->max_msgs) {
			memcpy(slot(msgq, msgq->used_msgs), data, msgq->msg_size);
			msgq->used_msgs++;
			rc = 0;
		} else if (!put && msgq->used_msgs > 0) {
			memcpy(data, slot(msgq, 0), msgq->msg_size);
			msgq->read_idx = (msgq->read_idx + 1) % msgq->max_msgs;
			msgq->used_msgs--;
			rc = 0;
		} else {
			rc = 1;
		}
		pthread_mutex_unlock(&obj_lock);
		if (rc <= 0) {
			break;
		}
		if (w.ms == 0) {
			rc = -ENOMSG;
			break;
		}
		rc = zshim_wait_block(&w);
		if (rc < 0) {
			break;
		}
	}
	zshim_wait_end(&w);
	pthread_mutex_lock(&obj_lock);
	msgq->waiters--;
	pthread_mutex_unlock(&obj_lock);
	if (rc == 0) {
		zshim_kick(); /* space (get) or a message (put) for the other side */
		if (put) {
			zshim_sched_event(ZSHIM_EV_MSGQ_PUT, msgq, 0);
		}
	} else if (rc == -ECANCELED) {
		zshim_thread_checkpoint(); /* aborted: ends the thread */
	}
	return rc;
}

int emu_k_msgq_put(struct k_msgq *msgq, const void *data, k_timeout_t timeout)
{
	return msgq_xfer(msgq, (void *)data, timeout, true);
}

int emu_k_msgq_get(struct k_msgq *msgq, void *data, k_timeout_t timeout)
{
	return msgq_xfer(msgq, data, timeout, false);
}

int emu_k_msgq_put_front(struct k_msgq *msgq, const void *data)
{
	int rc = -ENOMSG;

	pthread_mutex_lock(&obj_lock);
	if (msgq->used_msgs < msgq->max_msgs) {
		msgq->read_idx = (msgq->read_idx + msgq->max_msgs - 1) % msgq->max_msgs;
		memcpy(slot(msgq, 0), data, msgq->msg_size);
		msgq->used_msgs++;
		rc = 0;
	}
	pthread_mutex_unlock(&obj_lock);
	if (rc == 0) {
		zshim_kick();
	}
	return rc;
}

int emu_k_msgq_peek_at(struct k_msgq *msgq, void *data, uint32_t idx)
{
	int rc = -ENOMSG;

	pthread_mutex_lock(&obj_lock);
	if (idx < msgq->used_msgs) {
		memcpy(data, slot(msgq, idx), msgq->msg_size);
		rc = 0;
	}
	pthread_mutex_unlock(&obj_lock);
	return rc;
}

void emu_k_msgq_purge(struct k_msgq *msgq)
{
	pthread_mutex_lock(&obj_lock);
	msgq->used_msgs = 0;
	msgq->read_idx = 0;
	msgq->purge_gen++;
	pthread_mutex_unlock(&obj_lock);
	zshim_kick();
}

void emu_k_msgq_get_attrs(struct k_msgq *msgq, struct k_msgq_attrs *attrs)
{
	pthread_mutex_lock(&obj_lock);
	attrs->msg_size = msgq->msg_size;
	attrs->max_msgs = msgq->max_msgs;
	attrs->used_msgs = msgq->used_msgs;
	pthread_mutex_unlock(&obj_lock);
}

uint32_t emu_k_msgq_num_free_get(struct k_msgq *msgq)
{
	uint32_t n;

	pthread_mutex_lock(&obj_lock);
	n = msgq->max_msgs - msgq->used_msgs;
	pthread_mutex_unlock(&obj_lock);
	return n;
}

uint32_t emu_k_msgq_num_used_get(struct k_msgq *msgq)
{
	uint32_t n;

	pthread_mutex_lock(&obj_lock);
	n = msgq->used_msgs;
	pthread_mutex_unlock(&obj_lock);
	return n;
}

/* ------------------------------------------------------------------ queues */

/*
 * A queue is a singly-linked list through the first word of each node.  A
 * node is the item itself, or (k_*_alloc_*) an allocated `struct anode`
 * pointing to the item.  Links are tagged: bit 0 set = the node it points to
 * is an anode (items are pointer-aligned, so bit 0 of their address is 0).
 */
struct anode {
	void *next; /* tagged link, as in items */
	void *data;
};

#define TAG_ALLOC ((uintptr_t)1)

static void *untag(void *link)
{
	return (void *)((uintptr_t)link & ~TAG_ALLOC);
}

static bool is_anode(void *link)
{
	return ((uintptr_t)link & TAG_ALLOC) != 0;
}

static void **next_of(void *link)
{
	return (void **)untag(link);
}

static void *data_of(void *link)
{
	return is_anode(link) ? ((struct anode *)untag(link))->data : untag(link);
}

static void check_item(const char *fn, void *data)
{
	if (data == NULL || ((uintptr_t)data & (sizeof(void *) - 1)) != 0) {
		printk("ipc-emu: %s: item %p is not a pointer-aligned address "
		       "(its first word is the kernel's)\n",
		       fn, data);
		abort();
	}
}

/* Under obj_lock: link `node` (a tagged link) after `prev` (NULL = head). */
static void link_after(struct k_queue *q, void *prev, void *node)
{
	if (prev == NULL) {
		*next_of(node) = q->head;
		q->head = node;
	} else {
		*next_of(node) = *next_of(prev);
		*next_of(prev) = node;
	}
	if (*next_of(node) == NULL) {
		q->tail = node;
	}
}

/* Under obj_lock: the link of the node holding `data`, and its predecessor. */
static void *find(struct k_queue *q, void *data, void **prev_out)
{
	void *prev = NULL;

	for (void *n = q->head; n != NULL; prev = n, n = *next_of(n)) {
		if (data_of(n) == data) {
			*prev_out = prev;
			return n;
		}
	}
	return NULL;
}

/* Under obj_lock: unlink `node`, the successor of `prev`. */
static void unlink_node(struct k_queue *q, void *prev, void *node)
{
	void *next = *next_of(node);

	if (prev == NULL) {
		q->head = next;
	} else {
		*next_of(prev) = next;
	}
	if (q->tail == node) {
		q->tail = prev;
	}
}

void emu_k_queue_init(struct k_queue *queue)
{
	pthread_mutex_lock(&obj_lock);
	queue->head = NULL;
	queue->tail = NULL;
	queue->waiting = 0;
	queue->cancels = 0;
	queue->cancel_gen = 0;
	pthread_mutex_unlock(&obj_lock);
}

void emu_k_queue_cancel_wait(struct k_queue *queue)
{
	pthread_mutex_lock(&obj_lock);
	if (queue->cancels < queue->waiting) {
		queue->cancels++;
	}
	queue->cancel_gen++;
	pthread_mutex_unlock(&obj_lock);
	zshim_kick();
}

static void insert_node(struct k_queue *q, bool at_tail, void *prev_data, bool by_prev,
			void *node)
{
	pthread_mutex_lock(&obj_lock);
	if (by_prev) {
		void *pp;
		void *prev = prev_data != NULL ? find(q, prev_data, &pp) : NULL;

		link_after(q, prev, node);
	} else {
		link_after(q, at_tail ? q->tail : NULL, node);
	}
	pthread_mutex_unlock(&obj_lock);
	zshim_kick();
	zshim_sched_event(ZSHIM_EV_QUEUE_PUT, q, 0);
}

void emu_k_queue_append(struct k_queue *queue, void *data)
{
	check_item("k_queue_append/k_fifo_put", data);
	insert_node(queue, true, NULL, false, data);
}

void emu_k_queue_prepend(struct k_queue *queue, void *data)
{
	check_item("k_queue_prepend/k_lifo_put", data);
	insert_node(queue, false, NULL, false, data);
}

void emu_k_queue_insert(struct k_queue *queue, void *prev, void *data)
{
	check_item("k_queue_insert", data);
	insert_node(queue, false, prev, true, data);
}

static int32_t alloc_insert(struct k_queue *queue, void *data, bool at_tail)
{
	struct anode *a = malloc(sizeof(*a));

	if (a == NULL) {
		return -ENOMEM;
	}
	a->next = NULL;
	a->data = data;
	insert_node(queue, at_tail, NULL, false, (void *)((uintptr_t)a | TAG_ALLOC));
	return 0;
}

int32_t emu_k_queue_alloc_append(struct k_queue *queue, void *data)
{
	return alloc_insert(queue, data, true);
}

int32_t emu_k_queue_alloc_prepend(struct k_queue *queue, void *data)
{
	return alloc_insert(queue, data, false);
}

int emu_k_queue_append_list(struct k_queue *queue, void *head, void *tail)
{
	if (head == NULL || tail == NULL) {
		return -EINVAL;
	}
	check_item("k_queue_append_list/k_fifo_put_list", head);
	check_item("k_queue_append_list/k_fifo_put_list", tail);
	*(void **)tail = NULL;
	pthread_mutex_lock(&obj_lock);
	if (queue->tail == NULL) {
		queue->head = head;
	} else {
		*next_of(queue->tail) = head;
	}
	queue->tail = tail;
	pthread_mutex_unlock(&obj_lock);
	zshim_kick();
	return 0;
}

/* Under obj_lock: the head item, removed (its anode freed by the caller). */
static void *pop_head(struct k_queue *q, struct anode **to_free)
{
	void *n = q->head;

	if (n == NULL) {
		return NULL;
	}
	unlink_node(q, NULL, n);
	if (is_anode(n)) {
		*to_free = untag(n);
	}
	return data_of(n);
}

void *emu_k_queue_get(struct k_queue *queue, k_timeout_t timeout)
{
	struct zshim_wait w;
	struct anode *to_free = NULL;
	void *item = NULL;
	int rc = 0;

	zshim_thread_checkpoint();
	zshim_wait_begin(&w, timeout);
	pthread_mutex_lock(&obj_lock);
	if (w.ms != 0) {
		queue->waiting++;
	}
	pthread_mutex_unlock(&obj_lock);
	for (;;) {
		bool cancelled = false;

		zshim_wait_snapshot(&w);
		pthread_mutex_lock(&obj_lock);
		item = pop_head(queue, &to_free);
		if (item == NULL && w.ms != 0 && queue->cancels > 0) {
			queue->cancels--;
			cancelled = true;
		}
		pthread_mutex_unlock(&obj_lock);
		if (item != NULL || cancelled || w.ms == 0) {
			break;
		}
		rc = zshim_wait_block(&w);
		if (rc < 0) {
			break;
		}
	}
	zshim_wait_end(&w);
	pthread_mutex_lock(&obj_lock);
	if (w.ms != 0 && --queue->waiting == 0) {
		queue->cancels = 0; /* a cancel meant for waiters that have gone */
	}
	pthread_mutex_unlock(&obj_lock);
	free(to_free);
	if (rc == -ECANCELED) {
		zshim_thread_checkpoint(); /* aborted: ends the thread */
	}
	return item;
}

bool emu_k_queue_remove(struct k_queue *queue, void *data)
{
	void *prev;
	void *n;

	pthread_mutex_lock(&obj_lock);
	n = find(queue, data, &prev);
	if (n != NULL) {
		unlink_node(queue, prev, n);
	}
	pthread_mutex_unlock(&obj_lock);
	if (n != NULL && is_anode(n)) {
		free(untag(n));
	}
	return n != NULL;
}

bool emu_k_queue_unique_append(struct k_queue *queue, void *data)
{
	void *prev;
	bool present;

	check_item("k_queue_unique_append", data);
	pthread_mutex_lock(&obj_lock);
	present = find(queue, data, &prev) != NULL;
	if (!present) {
		link_after(queue, queue->tail, data);
	}
	pthread_mutex_unlock(&obj_lock);
	if (!present) {
		zshim_kick();
	}
	return !present;
}

int emu_k_queue_is_empty(struct k_queue *queue)
{
	int empty;

	pthread_mutex_lock(&obj_lock);
	empty = queue->head == NULL;
	pthread_mutex_unlock(&obj_lock);
	return empty;
}

void *emu_k_queue_peek_head(struct k_queue *queue)
{
	void *d;

	pthread_mutex_lock(&obj_lock);
	d = queue->head != NULL ? data_of(queue->head) : NULL;
	pthread_mutex_unlock(&obj_lock);
	return d;
}

void *emu_k_queue_peek_tail(struct k_queue *queue)
{
	void *d;

	pthread_mutex_lock(&obj_lock);
	d = queue->tail != NULL ? data_of(queue->tail) : NULL;
	pthread_mutex_unlock(&obj_lock);
	return d;
}

/* ------------------------------------------------------------------ events */

struct ev_waiter {
	struct ev_waiter *next;
	uint32_t want;
	bool all;
	bool safe;
	bool done;
	uint32_t got;
};

static uint32_t ev_match(uint32_t have, uint32_t want, bool all)
{
	uint32_t m = have & want;

	return all ? (m == want ? m : 0) : m;
}

/* Under obj_lock: deliver to every waiter whose condition is now met. */
static void ev_deliver(struct k_event *ev)
{
	struct ev_waiter **pp = (struct ev_waiter **)&ev->waiters;
	bool any = false;

	while (*pp != NULL) {
		struct ev_waiter *w = *pp;
		uint32_t m = ev_match(ev->events, w->want, w->all);

		if (m != 0) {
			w->got = m;
			w->done = true;
			if (w->safe) {
				ev->events &= ~m;
			}
			*pp = w->next;
			any = true;
		} else {
			pp = &w->next;
		}
	}
	if (any) {
		zshim_kick();
	}
}

void emu_k_event_init(struct k_event *event)
{
	pthread_mutex_lock(&obj_lock);
	event->events = 0;
	event->waiters = NULL;
	pthread_mutex_unlock(&obj_lock);
}

static uint32_t ev_change(struct k_event *ev, uint32_t events, uint32_t mask)
{
	uint32_t prev;

	pthread_mutex_lock(&obj_lock);
	prev = ev->events;
	ev->events = (prev & ~mask) | (events & mask);
	ev_deliver(ev);
	pthread_mutex_unlock(&obj_lock);
	return prev;
}

uint32_t emu_k_event_post(struct k_event *event, uint32_t events)
{
	uint32_t prev = ev_change(event, events, events) & events;

	zshim_sched_event(ZSHIM_EV_EVENT_POST, event, 0);
	return prev;
}

uint32_t emu_k_event_set(struct k_event *event, uint32_t events)
{
	uint32_t prev = ev_change(event, events, UINT32_MAX);

	zshim_sched_event(ZSHIM_EV_EVENT_POST, event, 0);
	return prev;
}

uint32_t emu_k_event_set_masked(struct k_event *event, uint32_t events, uint32_t events_mask)
{
	return ev_change(event, events, events_mask) & events_mask;
}

uint32_t emu_k_event_clear(struct k_event *event, uint32_t events)
{
	return ev_change(event, 0, events) & events;
}

uint32_t emu_k_event_wait(struct k_event *event, uint32_t events, bool reset, bool all,
			  bool safe, k_timeout_t timeout)
{
	struct ev_waiter me = {.want = events, .all = all, .safe = safe};
	struct zshim_wait w;
	uint32_t m;
	int rc = 0;

	zshim_thread_checkpoint();
	pthread_mutex_lock(&obj_lock);
	if (reset) {
		event->events = 0;
	}
	m = ev_match(event->events, events, all);
	if (safe) {
		event->events &= ~m;
	}
	if (m != 0 || events == 0 || zshim_timeout_ms(timeout) == 0) {
		pthread_mutex_unlock(&obj_lock);
		return m;
	}
	me.next = event->waiters;
	event->waiters = &me;
	pthread_mutex_unlock(&obj_lock);

	zshim_wait_begin(&w, timeout);
	for (;;) {
		bool done;

		zshim_wait_snapshot(&w);
		pthread_mutex_lock(&obj_lock);
		done = me.done;
		pthread_mutex_unlock(&obj_lock);
		if (done) {
			break;
		}
		rc = zshim_wait_block(&w);
		if (rc < 0) {
			break;
		}
	}
	zshim_wait_end(&w);
	pthread_mutex_lock(&obj_lock);
	if (!me.done) {
		for (struct ev_waiter **pp = (struct ev_waiter **)&event->waiters; *pp != NULL;
		     pp = &(*pp)->next) {
			if (*pp == &me) {
				*pp = me.next;
				break;
			}
		}
	}
	m = me.done ? me.got : 0;
	pthread_mutex_unlock(&obj_lock);
	if (rc == -ECANCELED) {
		zshim_thread_checkpoint(); /* aborted: ends the thread */
	}
	return m;
}

/* ----------------------------------------------------------------- polling */

void emu_k_poll_event_init(struct k_poll_event *event, uint32_t type, int mode, void *obj)
{
	event->poller = NULL;
	event->tag = 0;
	event->type = type & 0x3fu;
	event->state = K_POLL_STATE_NOT_READY;
	event->mode = (unsigned int)mode & 1u;
	event->unused = 0;
	event->obj = obj;
}

static bool poll_valid(const struct k_poll_event *e)
{
	switch (e->type) {
	case K_POLL_TYPE_IGNORE:
		return true;
	case K_POLL_TYPE_SIGNAL:
	case K_POLL_TYPE_SEM_AVAILABLE:
	case K_POLL_TYPE_DATA_AVAILABLE:
	case K_POLL_TYPE_MSGQ_DATA_AVAILABLE:
		return e->obj != NULL && e->mode == K_POLL_MODE_NOTIFY_ONLY;
	default:
		return false;
	}
}

/* Under obj_lock: the state bit the event's object is in (0: not ready). */
static unsigned int poll_state(struct k_poll_event *e, uint32_t gen)
{
	switch (e->type) {
	case K_POLL_TYPE_SIGNAL:
		return __atomic_load_n(&e->signal->signaled, __ATOMIC_ACQUIRE) != 0
			       ? K_POLL_STATE_SIGNALED
			       : 0;
	case K_POLL_TYPE_SEM_AVAILABLE:
		return emu_k_sem_count_get(e->sem) > 0 ? K_POLL_STATE_SEM_AVAILABLE : 0;
	case K_POLL_TYPE_DATA_AVAILABLE:
		if (e->queue->cancel_gen != gen) {
			return K_POLL_STATE_CANCELLED;
		}
		return e->queue->head != NULL ? K_POLL_STATE_DATA_AVAILABLE : 0;
	case K_POLL_TYPE_MSGQ_DATA_AVAILABLE:
		return e->msgq->used_msgs > 0 ? K_POLL_STATE_MSGQ_DATA_AVAILABLE : 0;
	default:
		return 0;
	}
}

int emu_k_poll(struct k_poll_event *events, int num_events, k_timeout_t timeout)
{
	struct zshim_wait w;
	int rc = -EAGAIN;

	if (num_events < 0 || (num_events > 0 && events == NULL)) {
		return -EINVAL;
	}
	for (int i = 0; i < num_events; i++) {
		if (!poll_valid(&events[i])) {
			return -EINVAL;
		}
	}
	zshim_thread_checkpoint();
	/* A queue's cancel generation at the start: a k_queue_cancel_wait()
	 * from now on cancels this poll.  Kept in the kernel's `poller`. */
	pthread_mutex_lock(&obj_lock);
	for (int i = 0; i < num_events; i++) {
		events[i].poller = events[i].type == K_POLL_TYPE_DATA_AVAILABLE
					   ? (void *)(uintptr_t)events[i].queue->cancel_gen
					   : NULL;
	}
	pthread_mutex_unlock(&obj_lock);
	zshim_wait_begin(&w, timeout);
	for (;;) {
		int ready = 0;
		int cancelled = 0;

		zshim_wait_snapshot(&w);
		pthread_mutex_lock(&obj_lock);
		for (int i = 0; i < num_events; i++) {
			unsigned int st = poll_state(&events[i],
						     (uint32_t)(uintptr_t)events[i].poller);

			if (st != 0) {
				events[i].state |= st;
				ready++;
				cancelled += st == K_POLL_STATE_CANCELLED;
			}
		}
		pthread_mutex_unlock(&obj_lock);
		if (cancelled > 0) {
			rc = -EINTR;
			break;
		}
		if (ready > 0) {
			rc = 0;
			break;
		}
		if (w.ms == 0) {
			rc = -EAGAIN;
			break;
		}
		rc = zshim_wait_block(&w);
		if (rc < 0) {
			break;
		}
	}
	zshim_wait_end(&w);
	for (int i = 0; i < num_events; i++) {
		events[i].poller = NULL;
	}
	if (rc == -ECANCELED) {
		zshim_thread_checkpoint(); /* aborted: ends the thread */
	}
	return rc;
}

void emu_k_poll_signal_init(struct k_poll_signal *sig)
{
	sig->result = 0;
	__atomic_store_n(&sig->signaled, 0, __ATOMIC_RELEASE);
}

void emu_k_poll_signal_reset(struct k_poll_signal *sig)
{
	__atomic_store_n(&sig->signaled, 0, __ATOMIC_RELEASE);
}

void emu_k_poll_signal_check(struct k_poll_signal *sig, unsigned int *signaled, int *result)
{
	/* Pairs with the release in raise: result is the raised one. */
	*signaled = __atomic_load_n(&sig->signaled, __ATOMIC_ACQUIRE);
	*result = __atomic_load_n(&sig->result, __ATOMIC_RELAXED);
}

int emu_k_poll_signal_raise(struct k_poll_signal *sig, int result)
{
	__atomic_store_n(&sig->result, result, __ATOMIC_RELAXED);
	__atomic_store_n(&sig->signaled, 1, __ATOMIC_RELEASE);
	zshim_kick();
	zshim_sched_event(ZSHIM_EV_SIGNAL_RAISE, sig, 0);
	return 0;
}
