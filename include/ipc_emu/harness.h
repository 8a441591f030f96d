/*
 * harness.h - a small, stable, callback-free API over one emulated core, for
 * language bindings (the Python package in python/ipc_emu uses it through
 * ctypes) and for simple host programs.
 *
 * A harness is one core of a pair: its devicetree plans, a segment, the core
 * and its board.  Endpoints registered through it never call back into the
 * caller: their ipc_service callbacks (which run on the backend's work-queue
 * or interrupt thread) copy each received message into a per-endpoint queue
 * and count bound/unbound/error events, and the caller polls with a timeout.
 * Every argument is a pointer, an int, a size or a uint64_t, so a binding
 * needs no struct layouts.
 *
 * Lifetime: emu_harness_new -> (emu_harness_load | emu_harness_set_plan) ->
 * one of the emu_harness_segment_* calls -> emu_harness_start ->
 * emu_harness_open ... -> emu_harness_stop (optional; start may follow
 * again) -> emu_harness_free.  Endpoint handles stay valid (closed) until
 * emu_harness_free, so a stale handle in a binding is never a dangling
 * pointer.
 *
 * Every function returns 0 or a negative errno unless stated otherwise.
 * All functions may be called from any thread except the backend's
 * callback threads; a harness serialises its own operations.
 */
#ifndef IPC_EMU_HARNESS_H
#define IPC_EMU_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct emu_harness;
struct emu_harness_ept;

/* Options (emu_harness_set_opt), applied by the next emu_harness_start. */
enum emu_harness_opt {
	EMU_HARNESS_OPT_UNBOUND = 1,         /* 0: devicetree, else enum emu_unbound */
	EMU_HARNESS_OPT_RX_IN_ISR = 2,       /* 0/1: ICMsg RX in the interrupt thread */
	EMU_HARNESS_OPT_RX_BUF_SIZE = 3,     /* CONFIG_PBUF_RX_READ_BUF_SIZE (default 128) */
	EMU_HARNESS_OPT_ICBMSG_NUM_EPT = 4,  /* endpoints per ICBMsg instance (default 4) */
	EMU_HARNESS_OPT_BUSY_POLL_US = 5,    /* interrupt-thread busy poll (default 0) */
	EMU_HARNESS_OPT_QUEUE_LIMIT = 6,     /* messages queued per endpoint before new
					      * ones are dropped and counted (default 65536) */
	EMU_HARNESS_OPT_ICBMSG_VERSION = 7,  /* 0: each instance's ipc-emu,icbmsg-version,
					      * else v2 (EMU_ICBMSG_VERSION_DEFAULT); else an
					      * enum emu_icbmsg_version for every instance */
	EMU_HARNESS_OPT_MAX_ACTIVE_COUNT = 8, /* ICBMsg v2 queue slots, 16..128 (default 16;
					       * both cores must agree) */
};

/* Counters and states of an endpoint (emu_harness_count, emu_harness_wait). */
enum emu_harness_what {
	EMU_HARNESS_BOUND = 1,      /* 1 while bound, else 0 */
	EMU_HARNESS_BONDS = 2,      /* bound() callbacks */
	EMU_HARNESS_UNBOUNDS = 3,   /* unbound() callbacks */
	EMU_HARNESS_ERRORS = 4,     /* error() callbacks */
	EMU_HARNESS_RECEIVED = 5,   /* messages received (queued or dropped) */
	EMU_HARNESS_RX_BYTES = 6,
	EMU_HARNESS_SENT = 7,       /* successful emu_harness_send calls */
	EMU_HARNESS_TX_BYTES = 8,
	EMU_HARNESS_QUEUED = 9,     /* messages waiting for emu_harness_recv */
	EMU_HARNESS_DROPPED = 10,   /* messages dropped: queue full or out of memory */
	EMU_HARNESS_UNBOUND_PENDING = 11, /* 1 after unbound() until emu_harness_rebind */
};

/* A new, empty harness.  -EINVAL (out NULL), -ENOMEM. */
int emu_harness_new(struct emu_harness **out);

/* Load the plans of both roles: dts_host NULL = the built-in default board
 * (both roles); dts_remote NULL = the mirror image of dts_host; both given =
 * checked as a pair.  -ENOENT, -EINVAL, -ENOEXEC (see emu_dt_load_file) with
 * one line in err; -EBUSY once a segment is set. */
int emu_harness_load(struct emu_harness *h, const char *dts_host, const char *dts_remote,
		     char *err, size_t errlen);
/* Use a plan the caller loaded for `role` (copied).  The other role's plan
 * is set to its mirror image unless it was set already.  -EINVAL, -EBUSY. */
int emu_harness_set_plan(struct emu_harness *h, enum emu_role role,
			 const struct emu_dt_plan *plan);

/* The ICMsg/ICBMsg instances of `role`'s plan, in devicetree order: label
 * of instance `index` (NUL-terminated, truncated to len) and its backend
 * (enum emu_backend).  -ENOENT past the last one, -EINVAL (no plan). */
int emu_harness_instance(struct emu_harness *h, enum emu_role role, unsigned index, char *label,
			 size_t len, int *backend);

/* Create the segment (the harness is its creator: closing unlinks it).  name
 * NULL = unique "ipc-emu-<pid>-<n>"; doorbell an enum emu_doorbell.  Needs
 * a plan.  -EBUSY (a segment is set), -EINVAL (no plan, bad name), -EEXIST,
 * -ENOSPC, other -errno of emu_segment_create. */
int emu_harness_segment_create(struct emu_harness *h, const char *name, int doorbell);
/* Attach to an existing segment by name, retrying -ENOENT/-EPROTO (not
 * there yet) for up to timeout_ms (< 0: forever).  -EINVAL if the segment
 * does not cover the plan's memory range; other codes of emu_segment_attach. */
int emu_harness_segment_attach(struct emu_harness *h, const char *name, int timeout_ms);
/* Attach through inherited descriptors (dup'ed; the caller keeps its own);
 * efd_* -1 on a futex segment. */
int emu_harness_segment_attach_fds(struct emu_harness *h, int mem, int ctl, int efd_host,
				   int efd_remote);
/* Use a segment the caller owns and closes (after emu_harness_free). */
int emu_harness_segment_use(struct emu_harness *h, struct emu_segment *seg);
/* Remove the segment's names from /dev/shm now (mappings stay valid; a
 * child can still attach through inherited descriptors).  -ENODEV: none. */
int emu_harness_segment_unlink(struct emu_harness *h);
/* Descriptors for a child (mem, ctl, efd host, efd remote; -1 = none).  They
 * are close-on-exec: the child must be given them explicitly. */
int emu_harness_segment_fds(struct emu_harness *h, int fds[4]);
/* Segment name, or NULL without a segment.  Valid until emu_harness_free. */
const char *emu_harness_segment_name(const struct emu_harness *h);
/* Peer status words of `role` in the control block: pid and boot count (a
 * restarted core bumps it).  -ENODEV without a segment, -EINVAL. */
int emu_harness_peer_status(struct emu_harness *h, enum emu_role role, uint32_t *pid,
			    uint32_t *boot_count);

/* An option (enum emu_harness_opt) for the next start.  -EINVAL if unknown
 * or out of range. */
int emu_harness_set_opt(struct emu_harness *h, int opt, int64_t value);

/* Start the core of `role` and build its board.  -EALREADY (running),
 * -ENODEV (no segment), -EBUSY (a core of that role runs on this segment
 * object), -EINVAL with one line in err, -ENOMEM. */
int emu_harness_start(struct emu_harness *h, enum emu_role role, char *err, size_t errlen);
/* Deregister every endpoint, close the instances, destroy the board and stop
 * the core.  Queued messages stay readable.  No-op when not running. */
void emu_harness_stop(struct emu_harness *h);
/* Stop, free the endpoints and close the segment (the creator unlinks it).
 * NULL is a no-op. */
void emu_harness_free(struct emu_harness *h);

/* Open the instance labelled `instance` (once per start; -EALREADY from the
 * backend is fine) and register endpoint `name` on it.  -ENOTCONN (not
 * started), -ENODEV (no ICMsg/ICBMsg instance with that label), -EINVAL
 * (name NULL, empty or longer than 63 bytes), -ENOMEM, or the codes of
 * ipc_service_open_instance / ipc_service_register_endpoint (-EALREADY: an
 * ICMsg instance has one endpoint; -EBUSY, -ENOMEM...). */
int emu_harness_open(struct emu_harness *h, const char *instance, const char *name,
		     struct emu_harness_ept **out);
/* Deregister (the handle stays valid; queued messages stay readable).  0,
 * -EALREADY (not registered), codes of ipc_service_deregister_endpoint. */
int emu_harness_close(struct emu_harness_ept *e);
/* Re-register after unbound() (or at any time): deregister if registered,
 * register again, clear UNBOUND_PENDING.  -ENOTCONN (harness stopped), codes
 * of ipc_service_register_endpoint. */
int emu_harness_rebind(struct emu_harness_ept *e);

/* Send a copy of data.  Retries "no room now" (-ENOMEM) for up to
 * timeout_ms (0: one try, < 0: forever).  Returns the bytes sent, -ENOTCONN
 * (closed), or the codes of ipc_service_send (-EBUSY not bound, -ENOMEM
 * still no room at the deadline, -EMSGSIZE, -ENODATA for len 0 on ICMsg...). */
int emu_harness_send(struct emu_harness_ept *e, const void *data, size_t len, int timeout_ms);
/* Take the oldest received message: wait up to timeout_ms (0: no wait,
 * < 0: forever).  0 with *len set; -EAGAIN (nothing in time); -EMSGSIZE
 * (cap < its size: *len set, the message stays queued); -EINVAL. */
int emu_harness_recv(struct emu_harness_ept *e, void *buf, size_t cap, size_t *len,
		     int timeout_ms);
/* Current value of a counter or state (enum emu_harness_what); 0 if unknown. */
uint64_t emu_harness_count(struct emu_harness_ept *e, int what);
/* Wait until count(what) >= at_least (for EMU_HARNESS_BOUND with at_least 0:
 * until not bound).  0, -EAGAIN (timeout), -EINVAL. */
int emu_harness_wait(struct emu_harness_ept *e, int what, uint64_t at_least, int timeout_ms);
/* The first error() message (NUL-terminated, truncated to len), "" if none.
 * Returns the number of error() callbacks (capped at INT32_MAX). */
int emu_harness_last_error(struct emu_harness_ept *e, char *buf, size_t len);
/* Endpoint name (valid until emu_harness_free). */
const char *emu_harness_ept_name(const struct emu_harness_ept *e);

/* Event generation of the harness: bumped by every callback of any endpoint
 * (message, bound, unbound, error). */
uint64_t emu_harness_events(struct emu_harness *h);
/* Wait until the generation differs from `seen`, up to timeout_ms (< 0:
 * forever).  0, or -EAGAIN. */
int emu_harness_wait_events(struct emu_harness *h, uint64_t seen, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* IPC_EMU_HARNESS_H */
