/*
 * harness.c - the callback-free API of include/ipc_emu/harness.h.
 *
 * Two locks:
 *   op_mu  serialises the caller's operations (start/stop, open/close,
 *          rebind, send) so that a binding may call from several threads.
 *          Never taken by a backend callback, so it may be held across
 *          ipc_service calls that run callbacks synchronously.
 *   mu     protects what the callbacks write (queues, counters, the event
 *          generation) and goes with `cv`, which every callback broadcasts.
 *          Never held across an ipc_service call.
 *
 * Endpoints are freed only by emu_harness_free, after the board is gone:
 * a callback that is still running when a caller deregisters can never
 * touch freed memory, and a stale handle in a binding stays harmless.
 */
#include "ipc_emu/harness.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/ipc_icmsg.h"
#include "ipc_emu/ipc_service.h"

#define EPT_NAME_MAX 64u
#define ERR_MSG_MAX 256u
#define QUEUE_LIMIT_DEFAULT 65536u
#define SEND_RETRY_NS 100000L /* between tries while the ring has no room */
#define ATTACH_RETRY_NS 10000000L

struct msg {
	struct msg *next;
	size_t len;
	unsigned char data[];
};

struct emu_harness_ept {
	struct emu_harness *h;
	struct emu_harness_ept *next; /* all endpoints of the harness, newest first */
	const struct device *dev;
	struct ipc_ept ept;
	struct ipc_ept_cfg cfg;
	bool registered;              /* op_mu */
	char name[EPT_NAME_MAX];

	/* mu */
	struct msg *head, *tail;
	uint64_t queued;
	bool bound;
	bool unbound_pending;
	uint64_t bonds, unbounds, errors, received, rx_bytes, dropped;
	uint64_t sent, tx_bytes;
	char error_msg[ERR_MSG_MAX];
};

struct emu_harness {
	pthread_mutex_t op_mu;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */

	struct emu_dt_plan plan[2];
	bool have_plan[2];

	struct emu_segment *seg;
	bool own_seg; /* close it in emu_harness_free */

	enum emu_role role;
	struct emu_core *core;
	struct emu_board *board;
	struct emu_board_opts opts;
	uint32_t busy_poll_us;
	uint64_t queue_limit; /* mu */
	const struct device *opened[EMU_DT_MAX_INST];
	unsigned n_opened;

	struct emu_harness_ept *epts; /* op_mu */
	uint64_t gen;                 /* mu */
};

/* ---------------------------------------------------------------- time -- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
	struct timespec ts = {ns / 1000000000L, ns % 1000000000L};

	nanosleep(&ts, NULL);
}

/* Absolute CLOCK_MONOTONIC deadline of a timeout in ms; 0 = forever. */
static uint64_t deadline_of(int timeout_ms)
{
	if (timeout_ms < 0) {
		return 0;
	}
	return now_ns() + (uint64_t)timeout_ms * 1000000ull;
}

/* Wait on h->cv (mu held) until the deadline.  false once it has passed. */
static bool cv_wait_until(struct emu_harness *h, uint64_t deadline)
{
	struct timespec ts;

	if (deadline == 0) {
		pthread_cond_wait(&h->cv, &h->mu);
		return true;
	}
	if (now_ns() >= deadline) {
		return false;
	}
	ts.tv_sec = (time_t)(deadline / 1000000000ull);
	ts.tv_nsec = (long)(deadline % 1000000000ull);
	(void)pthread_cond_timedwait(&h->cv, &h->mu, &ts);
	return true;
}

/* ----------------------------------------------------------- callbacks -- */

/* Backend context (work queue or interrupt thread): mu only. */
static void event_locked(struct emu_harness *h)
{
	h->gen++;
	pthread_cond_broadcast(&h->cv);
}

static void on_bound(void *priv)
{
	struct emu_harness_ept *e = priv;

	pthread_mutex_lock(&e->h->mu);
	e->bound = true;
	e->bonds++;
	event_locked(e->h);
	pthread_mutex_unlock(&e->h->mu);
}

static void on_unbound(void *priv)
{
	struct emu_harness_ept *e = priv;

	pthread_mutex_lock(&e->h->mu);
	e->bound = false;
	e->unbound_pending = true;
	e->unbounds++;
	event_locked(e->h);
	pthread_mutex_unlock(&e->h->mu);
}

static void on_received(const void *data, size_t len, void *priv)
{
	struct emu_harness_ept *e = priv;
	struct msg *m = malloc(sizeof(*m) + len);

	if (m != NULL) {
		m->next = NULL;
		m->len = len;
		if (len > 0) {
			memcpy(m->data, data, len);
		}
	}
	pthread_mutex_lock(&e->h->mu);
	e->received++;
	e->rx_bytes += len;
	if (m != NULL && e->queued < e->h->queue_limit) {
		if (e->tail != NULL) {
			e->tail->next = m;
		} else {
			e->head = m;
		}
		e->tail = m;
		e->queued++;
		m = NULL;
	} else {
		e->dropped++;
	}
	event_locked(e->h);
	pthread_mutex_unlock(&e->h->mu);
	free(m);
}

static void on_error(const char *message, void *priv)
{
	struct emu_harness_ept *e = priv;

	pthread_mutex_lock(&e->h->mu);
	if (e->errors++ == 0) {
		snprintf(e->error_msg, sizeof(e->error_msg), "%s", message ? message : "?");
	}
	event_locked(e->h);
	pthread_mutex_unlock(&e->h->mu);
}

/* ------------------------------------------------------------ harness -- */

int emu_harness_new(struct emu_harness **out)
{
	struct emu_harness *h;
	pthread_condattr_t ca;
	int rc;

	if (out == NULL) {
		return -EINVAL;
	}
	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return -ENOMEM;
	}
	rc = pthread_condattr_init(&ca);
	if (rc != 0) {
		goto fail_free;
	}
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc == 0) {
		rc = pthread_cond_init(&h->cv, &ca);
	}
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		goto fail_free;
	}
	rc = pthread_mutex_init(&h->mu, NULL);
	if (rc != 0) {
		goto fail_cv;
	}
	rc = pthread_mutex_init(&h->op_mu, NULL);
	if (rc != 0) {
		goto fail_mu;
	}
	emu_board_opts_default(&h->opts);
	h->queue_limit = QUEUE_LIMIT_DEFAULT;
	*out = h;
	return 0;

fail_mu:
	pthread_mutex_destroy(&h->mu);
fail_cv:
	pthread_cond_destroy(&h->cv);
fail_free:
	free(h);
	return -rc;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, "%s", msg);
	}
}

int emu_harness_load(struct emu_harness *h, const char *dts_host, const char *dts_remote,
		     char *err, size_t errlen)
{
	char buf[512] = "";
	struct emu_dt_plan *p;
	int rc;

	set_err(err, errlen, "");
	if (h == NULL) {
		return -EINVAL;
	}
	p = calloc(2, sizeof(*p)); /* plans are large: not on a binding's thread stack */
	if (p == NULL) {
		return -ENOMEM;
	}
	pthread_mutex_lock(&h->op_mu);
	if (h->seg != NULL) {
		rc = -EBUSY;
		snprintf(buf, sizeof(buf), "the plans cannot change once a segment is set");
		goto out;
	}
	if (dts_host == NULL) {
		rc = emu_dt_load_string(emu_dt_default_board(EMU_ROLE_HOST), "<default board: host>",
					&p[0], buf, sizeof(buf));
		if (rc == 0) {
			rc = emu_dt_load_string(emu_dt_default_board(EMU_ROLE_REMOTE),
						"<default board: remote>", &p[1], buf, sizeof(buf));
		}
	} else {
		rc = emu_dt_load_file(dts_host, &p[0], buf, sizeof(buf));
		if (rc == 0 && dts_remote != NULL) {
			rc = emu_dt_load_file(dts_remote, &p[1], buf, sizeof(buf));
		} else if (rc == 0) {
			emu_dt_mirror(&p[0], &p[1]);
		}
		if (rc == -ENOENT && buf[0] == '\0') {
			snprintf(buf, sizeof(buf), "%s: no such file",
				 dts_remote != NULL && p[0].source[0] ? dts_remote : dts_host);
		}
	}
	if (rc == 0 && (dts_host == NULL || dts_remote != NULL)) {
		rc = emu_dt_check_pair(&p[0], &p[1], buf, sizeof(buf));
	}
	if (rc == 0) {
		h->plan[0] = p[0];
		h->plan[1] = p[1];
		h->have_plan[0] = h->have_plan[1] = true;
	} else if (buf[0] == '\0') {
		snprintf(buf, sizeof(buf), "cannot load the devicetree: %s", strerror(-rc));
	}
out:
	pthread_mutex_unlock(&h->op_mu);
	free(p);
	set_err(err, errlen, buf);
	return rc;
}

int emu_harness_set_plan(struct emu_harness *h, enum emu_role role,
			 const struct emu_dt_plan *plan)
{
	int other = role == EMU_ROLE_HOST ? EMU_ROLE_REMOTE : EMU_ROLE_HOST;
	int rc = 0;

	if (h == NULL || plan == NULL || (role != EMU_ROLE_HOST && role != EMU_ROLE_REMOTE)) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	if (h->seg != NULL) {
		rc = -EBUSY;
	} else {
		h->plan[role] = *plan;
		h->have_plan[role] = true;
		if (!h->have_plan[other]) {
			emu_dt_mirror(plan, &h->plan[other]);
			h->have_plan[other] = true;
		}
	}
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_instance(struct emu_harness *h, enum emu_role role, unsigned index, char *label,
			 size_t len, int *backend)
{
	int rc = 0;

	if (h == NULL || (role != EMU_ROLE_HOST && role != EMU_ROLE_REMOTE)) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	if (!h->have_plan[role]) {
		rc = -EINVAL;
	} else if (index >= h->plan[role].n_inst) {
		rc = -ENOENT;
	} else {
		if (label != NULL && len > 0) {
			snprintf(label, len, "%s", h->plan[role].inst[index].label);
		}
		if (backend != NULL) {
			*backend = (int)h->plan[role].inst[index].backend;
		}
	}
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

/* op_mu held. */
static int check_covers(struct emu_harness *h, struct emu_segment *s)
{
	const struct emu_dt_plan *p = &h->plan[EMU_ROLE_HOST];

	if (!h->have_plan[EMU_ROLE_HOST]) {
		return 0; /* nothing to check against yet */
	}
	if (emu_segment_base(s) != p->base || emu_segment_size(s) < p->size) {
		return -EINVAL;
	}
	return 0;
}

int emu_harness_segment_create(struct emu_harness *h, const char *name, int doorbell)
{
	struct emu_segment_cfg cfg = {.name = name};
	int rc;

	if (h == NULL || (doorbell != EMU_DOORBELL_FUTEX && doorbell != EMU_DOORBELL_EVENTFD)) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	if (h->seg != NULL) {
		rc = -EBUSY;
	} else if (!h->have_plan[EMU_ROLE_HOST] || h->plan[EMU_ROLE_HOST].size == 0 ||
		   h->plan[EMU_ROLE_HOST].size > UINT32_MAX) {
		rc = -EINVAL;
	} else {
		cfg.mem_base = h->plan[EMU_ROLE_HOST].base;
		cfg.mem_size = (uint32_t)h->plan[EMU_ROLE_HOST].size;
		cfg.doorbell = (enum emu_doorbell)doorbell;
		rc = emu_segment_create(&cfg, &h->seg);
		h->own_seg = rc == 0;
	}
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

static int adopt(struct emu_harness *h, struct emu_segment *s, bool own)
{
	int rc = check_covers(h, s);

	if (rc < 0) {
		if (own) {
			emu_segment_close(s);
		}
		return rc;
	}
	h->seg = s;
	h->own_seg = own;
	return 0;
}

int emu_harness_segment_attach(struct emu_harness *h, const char *name, int timeout_ms)
{
	uint64_t deadline = deadline_of(timeout_ms);
	struct emu_segment *s = NULL;
	int rc;

	if (h == NULL || name == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	if (h->seg != NULL) {
		rc = -EBUSY;
		goto out;
	}
	for (;;) {
		rc = emu_segment_attach(name, &s);
		if (rc == 0 || (rc != -ENOENT && rc != -EPROTO) ||
		    (deadline != 0 && now_ns() >= deadline)) {
			break;
		}
		sleep_ns(ATTACH_RETRY_NS);
	}
	if (rc == 0) {
		rc = adopt(h, s, true);
	}
out:
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_segment_attach_fds(struct emu_harness *h, int mem, int ctl, int efd_host,
				   int efd_remote)
{
	struct emu_segment_fds fds = {.mem = mem, .ctl = ctl, .efd = {efd_host, efd_remote}};
	struct emu_segment *s = NULL;
	int rc;

	if (h == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	if (h->seg != NULL) {
		rc = -EBUSY;
	} else {
		rc = emu_segment_attach_fds(&fds, &s);
		if (rc == 0) {
			rc = adopt(h, s, true);
		}
	}
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_segment_use(struct emu_harness *h, struct emu_segment *seg)
{
	int rc;

	if (h == NULL || seg == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	rc = h->seg != NULL ? -EBUSY : adopt(h, seg, false);
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_segment_unlink(struct emu_harness *h)
{
	int rc;

	if (h == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	rc = h->seg == NULL ? -ENODEV : emu_segment_unlink(h->seg);
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_segment_fds(struct emu_harness *h, int fds[4])
{
	struct emu_segment_fds f;

	if (h == NULL || fds == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	if (h->seg == NULL) {
		pthread_mutex_unlock(&h->op_mu);
		return -ENODEV;
	}
	emu_segment_get_fds(h->seg, &f);
	pthread_mutex_unlock(&h->op_mu);
	fds[0] = f.mem;
	fds[1] = f.ctl;
	fds[2] = f.efd[0];
	fds[3] = f.efd[1];
	return 0;
}

const char *emu_harness_segment_name(const struct emu_harness *h)
{
	/* h->seg is set once and kept until free: no lock needed to read it. */
	return h != NULL && h->seg != NULL ? emu_segment_name(h->seg) : NULL;
}

int emu_harness_peer_status(struct emu_harness *h, enum emu_role role, uint32_t *pid,
			    uint32_t *boot_count)
{
	struct emu_peer_status st;

	if (h == NULL || (role != EMU_ROLE_HOST && role != EMU_ROLE_REMOTE)) {
		return -EINVAL;
	}
	if (h->seg == NULL) {
		return -ENODEV;
	}
	emu_segment_peer_status(h->seg, role, &st);
	if (pid != NULL) {
		*pid = st.pid;
	}
	if (boot_count != NULL) {
		*boot_count = st.boot_count;
	}
	return 0;
}

int emu_harness_set_opt(struct emu_harness *h, int opt, int64_t v)
{
	int rc = 0;

	if (h == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	switch (opt) {
	case EMU_HARNESS_OPT_UNBOUND:
		if (v < 0 || v > EMU_UNBOUND_DETECT) {
			rc = -EINVAL;
		} else {
			h->opts.unbound_override = (int)v;
		}
		break;
	case EMU_HARNESS_OPT_RX_IN_ISR:
		h->opts.icmsg_rx_in_isr = v != 0;
		break;
	case EMU_HARNESS_OPT_RX_BUF_SIZE:
		if (v < 1 || v > UINT16_MAX) {
			rc = -EINVAL;
		} else {
			h->opts.icmsg_rx_buf_size = (uint32_t)v;
		}
		break;
	case EMU_HARNESS_OPT_ICBMSG_NUM_EPT:
		if (v < 1 || v > 254) {
			rc = -EINVAL;
		} else {
			h->opts.icbmsg_num_ept = (uint32_t)v;
		}
		break;
	case EMU_HARNESS_OPT_BUSY_POLL_US:
		if (v < 0 || v > 1000000) {
			rc = -EINVAL;
		} else {
			h->busy_poll_us = (uint32_t)v;
		}
		break;
	case EMU_HARNESS_OPT_ICBMSG_VERSION:
		if (v < 0 || v > EMU_ICBMSG_V2) {
			rc = -EINVAL;
		} else {
			h->opts.icbmsg_version = (uint32_t)v;
		}
		break;
	case EMU_HARNESS_OPT_MAX_ACTIVE_COUNT:
		if (v < ICBMSG_V2_MAX_ACTIVE_COUNT_MIN || v > ICBMSG_V2_MAX_ACTIVE_COUNT_MAX) {
			rc = -EINVAL;
		} else {
			h->opts.icbmsg_max_active = (uint32_t)v;
		}
		break;
	case EMU_HARNESS_OPT_QUEUE_LIMIT:
		if (v < 1) {
			rc = -EINVAL;
		} else {
			pthread_mutex_lock(&h->mu);
			h->queue_limit = (uint64_t)v;
			pthread_mutex_unlock(&h->mu);
		}
		break;
	default:
		rc = -EINVAL;
	}
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

/* --------------------------------------------------------- start/stop -- */

int emu_harness_start(struct emu_harness *h, enum emu_role role, char *err, size_t errlen)
{
	int rc;

	set_err(err, errlen, "");
	if (h == NULL || (role != EMU_ROLE_HOST && role != EMU_ROLE_REMOTE)) {
		return -EINVAL;
	}
	pthread_mutex_lock(&h->op_mu);
	if (h->core != NULL) {
		rc = -EALREADY;
		goto out;
	}
	if (h->seg == NULL) {
		rc = -ENODEV;
		set_err(err, errlen, "no segment: create or attach one first");
		goto out;
	}
	if (!h->have_plan[role]) {
		rc = -EINVAL;
		set_err(err, errlen, "no devicetree plan: load one first");
		goto out;
	}
	rc = emu_core_start(h->seg, role, &h->core);
	if (rc < 0) {
		if (err != NULL && errlen > 0) {
			snprintf(err, errlen, "cannot start the %s core: %s", emu_role_name(role),
				 strerror(-rc));
		}
		goto out;
	}
	emu_core_set_busy_poll(h->core, h->busy_poll_us);
	rc = emu_board_create(&h->plan[role], h->seg, h->core, &h->opts, &h->board, err, errlen);
	if (rc < 0) {
		emu_core_stop(h->core);
		h->core = NULL;
		goto out;
	}
	h->role = role;
	h->n_opened = 0;
out:
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

/* op_mu held. */
static void stop_locked(struct emu_harness *h)
{
	if (h->core == NULL) {
		return;
	}
	for (struct emu_harness_ept *e = h->epts; e != NULL; e = e->next) {
		if (e->registered) {
			(void)ipc_service_deregister_endpoint(&e->ept);
			e->registered = false;
		}
	}
	for (unsigned i = 0; i < h->n_opened; i++) {
		(void)ipc_service_close_instance(h->opened[i]);
	}
	h->n_opened = 0;
	/* Waits for running callbacks of the board's devices: after this no
	 * callback can touch an endpoint any more. */
	emu_board_destroy(h->board);
	h->board = NULL;
	emu_core_stop(h->core);
	h->core = NULL;
	pthread_mutex_lock(&h->mu);
	for (struct emu_harness_ept *e = h->epts; e != NULL; e = e->next) {
		e->bound = false;
	}
	event_locked(h);
	pthread_mutex_unlock(&h->mu);
}

void emu_harness_stop(struct emu_harness *h)
{
	if (h == NULL) {
		return;
	}
	pthread_mutex_lock(&h->op_mu);
	stop_locked(h);
	pthread_mutex_unlock(&h->op_mu);
}

static void free_queue(struct emu_harness_ept *e)
{
	struct msg *m = e->head;

	while (m != NULL) {
		struct msg *next = m->next;

		free(m);
		m = next;
	}
	e->head = e->tail = NULL;
	e->queued = 0;
}

void emu_harness_free(struct emu_harness *h)
{
	struct emu_harness_ept *e;

	if (h == NULL) {
		return;
	}
	pthread_mutex_lock(&h->op_mu);
	stop_locked(h);
	e = h->epts;
	h->epts = NULL;
	while (e != NULL) {
		struct emu_harness_ept *next = e->next;

		free_queue(e);
		free(e);
		e = next;
	}
	if (h->own_seg) {
		emu_segment_close(h->seg);
	}
	h->seg = NULL;
	pthread_mutex_unlock(&h->op_mu);
	pthread_mutex_destroy(&h->op_mu);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}

/* ---------------------------------------------------------- endpoints -- */

static bool is_ipc_instance(const struct device *dev)
{
	return dev->api == &ipc_icmsg_backend || dev->api == &ipc_icbmsg_backend ||
	       dev->api == &ipc_icbmsg_v2_backend;
}

/* op_mu held: open the instance once per start. */
static int open_once(struct emu_harness *h, const struct device *dev)
{
	int rc;

	for (unsigned i = 0; i < h->n_opened; i++) {
		if (h->opened[i] == dev) {
			return 0;
		}
	}
	if (h->n_opened == EMU_DT_MAX_INST) {
		return -ENOMEM;
	}
	rc = ipc_service_open_instance(dev);
	if (rc < 0 && rc != -EALREADY) {
		return rc;
	}
	h->opened[h->n_opened++] = dev;
	return 0;
}

int emu_harness_open(struct emu_harness *h, const char *instance, const char *name,
		     struct emu_harness_ept **out)
{
	const struct device *dev;
	struct emu_harness_ept *e;
	int rc;

	if (h == NULL || instance == NULL || name == NULL || out == NULL || name[0] == '\0' ||
	    strlen(name) >= EPT_NAME_MAX) {
		return -EINVAL;
	}
	*out = NULL;
	pthread_mutex_lock(&h->op_mu);
	if (h->board == NULL) {
		rc = -ENOTCONN;
		goto out;
	}
	dev = emu_board_device(h->board, instance);
	if (dev == NULL || !is_ipc_instance(dev)) {
		rc = -ENODEV;
		goto out;
	}
	rc = open_once(h, dev);
	if (rc < 0) {
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	e->h = h;
	e->dev = dev;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->cfg.name = e->name;
	e->cfg.cb.bound = on_bound;
	e->cfg.cb.unbound = on_unbound;
	e->cfg.cb.received = on_received;
	e->cfg.cb.error = on_error;
	e->cfg.priv = e;
	/* Listed before registering: from now on only emu_harness_free frees
	 * it, whatever the backend did with it on a failed registration. */
	e->next = h->epts;
	h->epts = e;
	rc = ipc_service_register_endpoint(dev, &e->ept, &e->cfg);
	if (rc < 0) {
		goto out;
	}
	e->registered = true;
	*out = e;
out:
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_close(struct emu_harness_ept *e)
{
	struct emu_harness *h;
	int rc;

	if (e == NULL) {
		return -EINVAL;
	}
	h = e->h;
	pthread_mutex_lock(&h->op_mu);
	if (!e->registered) {
		rc = -EALREADY;
	} else {
		rc = ipc_service_deregister_endpoint(&e->ept);
		if (rc == 0 || rc == -ENOENT) {
			e->registered = false;
			rc = 0;
			pthread_mutex_lock(&h->mu);
			e->bound = false;
			event_locked(h);
			pthread_mutex_unlock(&h->mu);
		}
	}
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_rebind(struct emu_harness_ept *e)
{
	struct emu_harness *h;
	int rc;

	if (e == NULL) {
		return -EINVAL;
	}
	h = e->h;
	pthread_mutex_lock(&h->op_mu);
	if (h->board == NULL) {
		rc = -ENOTCONN;
		goto out;
	}
	/* Cleared first: an unbound() that comes after this point is a new one. */
	pthread_mutex_lock(&h->mu);
	e->unbound_pending = false;
	e->bound = false;
	pthread_mutex_unlock(&h->mu);
	if (e->registered) {
		rc = ipc_service_deregister_endpoint(&e->ept);
		if (rc < 0 && rc != -ENOENT) {
			goto out;
		}
		e->registered = false;
	}
	rc = ipc_service_register_endpoint(e->dev, &e->ept, &e->cfg);
	if (rc == 0) {
		e->registered = true;
	}
out:
	pthread_mutex_unlock(&h->op_mu);
	return rc;
}

int emu_harness_send(struct emu_harness_ept *e, const void *data, size_t len, int timeout_ms)
{
	struct emu_harness *h;
	uint64_t deadline;
	int rc;

	if (e == NULL || (data == NULL && len > 0)) {
		return -EINVAL;
	}
	h = e->h;
	deadline = deadline_of(timeout_ms);
	for (;;) {
		pthread_mutex_lock(&h->op_mu);
		rc = e->registered ? ipc_service_send(&e->ept, data, len) : -ENOTCONN;
		pthread_mutex_unlock(&h->op_mu);
		if (rc != -ENOMEM || timeout_ms == 0 || (deadline != 0 && now_ns() >= deadline)) {
			break;
		}
		sleep_ns(SEND_RETRY_NS);
	}
	if (rc >= 0) {
		pthread_mutex_lock(&h->mu);
		e->sent++;
		e->tx_bytes += len;
		pthread_mutex_unlock(&h->mu);
	}
	return rc;
}

int emu_harness_recv(struct emu_harness_ept *e, void *buf, size_t cap, size_t *len,
		     int timeout_ms)
{
	struct emu_harness *h;
	uint64_t deadline;
	struct msg *m;
	int rc;

	if (e == NULL || len == NULL || (buf == NULL && cap > 0)) {
		return -EINVAL;
	}
	h = e->h;
	deadline = deadline_of(timeout_ms);
	pthread_mutex_lock(&h->mu);
	while (e->head == NULL) {
		if (timeout_ms == 0 || !cv_wait_until(h, deadline)) {
			break;
		}
	}
	m = e->head;
	if (m == NULL) {
		rc = -EAGAIN;
	} else if (m->len > cap) {
		*len = m->len;
		rc = -EMSGSIZE;
		m = NULL;
	} else {
		e->head = m->next;
		if (e->head == NULL) {
			e->tail = NULL;
		}
		e->queued--;
		*len = m->len;
		rc = 0;
	}
	pthread_mutex_unlock(&h->mu);
	if (m != NULL) {
		if (m->len > 0) {
			memcpy(buf, m->data, m->len);
		}
		free(m);
	}
	return rc;
}

/* mu held. */
static bool count_locked(const struct emu_harness_ept *e, int what, uint64_t *v)
{
	switch (what) {
	case EMU_HARNESS_BOUND:
		*v = e->bound;
		return true;
	case EMU_HARNESS_BONDS:
		*v = e->bonds;
		return true;
	case EMU_HARNESS_UNBOUNDS:
		*v = e->unbounds;
		return true;
	case EMU_HARNESS_ERRORS:
		*v = e->errors;
		return true;
	case EMU_HARNESS_RECEIVED:
		*v = e->received;
		return true;
	case EMU_HARNESS_RX_BYTES:
		*v = e->rx_bytes;
		return true;
	case EMU_HARNESS_SENT:
		*v = e->sent;
		return true;
	case EMU_HARNESS_TX_BYTES:
		*v = e->tx_bytes;
		return true;
	case EMU_HARNESS_QUEUED:
		*v = e->queued;
		return true;
	case EMU_HARNESS_DROPPED:
		*v = e->dropped;
		return true;
	case EMU_HARNESS_UNBOUND_PENDING:
		*v = e->unbound_pending;
		return true;
	default:
		*v = 0;
		return false;
	}
}

uint64_t emu_harness_count(struct emu_harness_ept *e, int what)
{
	uint64_t v;

	if (e == NULL) {
		return 0;
	}
	pthread_mutex_lock(&e->h->mu);
	(void)count_locked(e, what, &v);
	pthread_mutex_unlock(&e->h->mu);
	return v;
}

int emu_harness_wait(struct emu_harness_ept *e, int what, uint64_t at_least, int timeout_ms)
{
	struct emu_harness *h;
	uint64_t deadline, v;
	int rc;

	if (e == NULL) {
		return -EINVAL;
	}
	h = e->h;
	deadline = deadline_of(timeout_ms);
	pthread_mutex_lock(&h->mu);
	for (;;) {
		bool done;

		if (!count_locked(e, what, &v)) {
			rc = -EINVAL;
			break;
		}
		done = what == EMU_HARNESS_BOUND && at_least == 0 ? v == 0 : v >= at_least;
		if (done) {
			rc = 0;
			break;
		}
		if (timeout_ms == 0 || !cv_wait_until(h, deadline)) {
			rc = -EAGAIN;
			break;
		}
	}
	pthread_mutex_unlock(&h->mu);
	return rc;
}

int emu_harness_last_error(struct emu_harness_ept *e, char *buf, size_t len)
{
	uint64_t n;

	if (e == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&e->h->mu);
	n = e->errors;
	if (buf != NULL && len > 0) {
		snprintf(buf, len, "%s", e->error_msg);
	}
	pthread_mutex_unlock(&e->h->mu);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

const char *emu_harness_ept_name(const struct emu_harness_ept *e)
{
	return e != NULL ? e->name : NULL;
}

uint64_t emu_harness_events(struct emu_harness *h)
{
	uint64_t g;

	if (h == NULL) {
		return 0;
	}
	pthread_mutex_lock(&h->mu);
	g = h->gen;
	pthread_mutex_unlock(&h->mu);
	return g;
}

int emu_harness_wait_events(struct emu_harness *h, uint64_t seen, int timeout_ms)
{
	uint64_t deadline;
	int rc = 0;

	if (h == NULL) {
		return -EINVAL;
	}
	deadline = deadline_of(timeout_ms);
	pthread_mutex_lock(&h->mu);
	while (h->gen == seen) {
		if (timeout_ms == 0 || !cv_wait_until(h, deadline)) {
			rc = -EAGAIN;
			break;
		}
	}
	pthread_mutex_unlock(&h->mu);
	return rc;
}
