/*
 * trace.h - event trace of one process (`ipc-emu run --trace FILE`).
 *
 * Each process of a run (the two peers, every incarnation of them, and the
 * supervisor) appends fixed-size binary records to its own file
 * <dir>/<role>-<pid>.<k>.trace, mapped MAP_SHARED: recording is a fetch_add and
 * a few stores, no system call, and the records of a process that is
 * SIGKILLed are already in the page cache.  The supervisor merges the files
 * into one Chrome/Perfetto trace JSON at the end (emu_trace_merge()).
 *
 * The directory comes from the environment variable IPC_EMU_TRACE, read by
 * emu_core_start() (so user programs are traced too).  When it is not set,
 * every hook costs one predictable branch on a process-wide flag.
 *
 * File layout (native endianness, written and read on the same machine):
 *
 *   0   char  magic[8]   "IPCTRACE"
 *   8   u32   version    EMU_TRACE_VERSION
 *   12  u32   rec_size   sizeof(struct emu_trace_rec) = 32
 *   16  u32   role       EMU_TRACE_ROLE_*
 *   20  u32   pid
 *   24  u64   capacity   records the file has room for
 *   32  u64   next       records claimed (fetch_add; may exceed capacity)
 *   40  u64   t0_ns      CLOCK_MONOTONIC at open
 *   48  u32   core       EMU_TRACE_ROLE_CORE: the core's index in the topology
 *   52  ...   reserved up to 64
 *   64  struct emu_trace_rec rec[capacity]
 *
 * Version 2 (more than two cores, docs/multicore.md) added the role
 * EMU_TRACE_ROLE_CORE, the header's `core` and the record's `link`; the
 * merge reads version 1 files as before (their `link` is 0).
 *
 * A record is claimed by the fetch_add on `next`, filled, and committed by
 * the release store of its `type` (0 = not committed: its writer died while
 * filling it, or is still at it; the reader skips it).
 */
#ifndef IPC_EMU_EMU_TRACE_H
#define IPC_EMU_EMU_TRACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_TRACE_ENV "IPC_EMU_TRACE"
#define EMU_TRACE_VERSION 2u
#define EMU_TRACE_NAMES "names" /* the topology's names, beside the event files */
#define EMU_TRACE_HDR_SIZE 64u
#define EMU_TRACE_CAPACITY (1u << 21) /* records per process file (64 MiB, sparse) */

/* Who wrote a file: the roles of enum emu_role, the supervisor, then a core
 * process of a run with more than two cores (`ipc-emu core`). */
enum {
	EMU_TRACE_ROLE_HOST = 0,
	EMU_TRACE_ROLE_REMOTE = 1,
	EMU_TRACE_ROLE_SUPERVISOR = 2,
	EMU_TRACE_ROLE_CORE = 3,
};

enum emu_trace_type {
	EMU_TRACE_THREAD = 1,   /* first record of a thread: name in a..d (16 bytes) */
	EMU_TRACE_CORE_START,   /* a = role, b = boot count */
	EMU_TRACE_MBOX_SEND,    /* a = controller index, b = channel */
	EMU_TRACE_DOORBELL,     /* wake syscall towards the peer: a = peer role */
	EMU_TRACE_IRQ_BEGIN,    /* interrupt thread runs a callback: a = controller, b = channel */
	EMU_TRACE_IRQ_END,      /* same a, b */
	EMU_TRACE_SEND,         /* a = endpoint | kind << 16, b = length, c = seq, d = ns since
				 * the thread's emu_trace_mark() (a slice) */
	EMU_TRACE_RECV,         /* a = endpoint, b = length, c = seq, d = kind */
	EMU_TRACE_BOUND,        /* a = endpoint */
	EMU_TRACE_UNBOUND,      /* a = endpoint */
	EMU_TRACE_ERROR,        /* a = endpoint */
	/* The supervisor's events name a role (two cores) or a core index. */
	EMU_TRACE_KILL,         /* supervisor: a = role, b = pid (SIGKILL injected) */
	EMU_TRACE_CRASH,        /* supervisor: a = role, b = pid (died at its crash point) */
	EMU_TRACE_RESTART,      /* supervisor: a = role, b = new pid */
	EMU_TRACE_SPAWN,        /* supervisor: a = role, b = pid (first start) */
	EMU_TRACE_EXIT,         /* supervisor: a = role, b = pid, c = exit status */
	EMU_TRACE_SHIM,         /* a Zephyr shim event (--schedule's ring, emu/zephyr_sched.c):
				 * a = event (enum zshim_sched_ev) | EMU_TRACE_SHIM_ISR,
				 * b = value (return code, ms, priority), c/d = object
				 * address, low/high 32 bits */
	EMU_TRACE_SHIM_TEXT,    /* 16 bytes of text in a..d for the next EMU_TRACE_SHIM of the
				 * same thread (a LOG_ERR message; up to 4 in a row) */
	EMU_TRACE_TYPE_MAX
};

/* EMU_TRACE_SHIM: recorded by an interrupt (the ring's "(interrupt)"). */
#define EMU_TRACE_SHIM_ISR 0x100u

struct emu_trace_rec {
	uint64_t ts_ns; /* CLOCK_MONOTONIC */
	uint32_t tid;
	uint16_t type;  /* committed last (release); 0 = not committed */
	uint16_t link;  /* link index + 1 of the writing thread, 0 = none */
	uint32_t a, b, c, d;
};

_Static_assert(sizeof(struct emu_trace_rec) == 32, "trace records are 32 bytes");
/* One layout in both widths (a -m32 Zephyr-stack program writes these too). */
_Static_assert(offsetof(struct emu_trace_rec, tid) == 8, "rec.tid");
_Static_assert(offsetof(struct emu_trace_rec, type) == 12, "rec.type");
_Static_assert(offsetof(struct emu_trace_rec, a) == 16, "rec.a");
_Static_assert(offsetof(struct emu_trace_rec, d) == 28, "rec.d");

extern atomic_bool emu_trace_enabled;

/* Record one event (no-op if tracing is off or the file is full).  Any
 * thread, async-signal-unsafe only in that it may read the thread's name. */
void emu_trace_record(unsigned type, uint32_t a, uint32_t b, uint32_t c, uint32_t d);

static inline void emu_trace(unsigned type, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	if (__builtin_expect(atomic_load_explicit(&emu_trace_enabled, memory_order_relaxed), 0)) {
		emu_trace_record(type, a, b, c, d);
	}
}

/* Remember "now" for the calling thread: the start of the slice the next
 * emu_trace_span() of this thread records (e.g. before a send that may be
 * retried: mark before each attempt). */
void emu_trace_mark_now(void);
static inline void emu_trace_mark(void)
{
	if (__builtin_expect(atomic_load_explicit(&emu_trace_enabled, memory_order_relaxed), 0)) {
		emu_trace_mark_now();
	}
}

/* Record an event that started at the thread's last mark (now if none):
 * its timestamp is the mark, d = the time since, in ns (saturated). */
void emu_trace_span_record(unsigned type, uint32_t a, uint32_t b, uint32_t c);
static inline void emu_trace_span(unsigned type, uint32_t a, uint32_t b, uint32_t c)
{
	if (__builtin_expect(atomic_load_explicit(&emu_trace_enabled, memory_order_relaxed), 0)) {
		emu_trace_span_record(type, a, b, c);
	}
}

/* Name the calling thread in the trace ("irq", "workq", "lane 3"; at most
 * 16 characters kept).  Without it a thread is named after its first event:
 * "main" for the process's first thread, else its comm name. */
void emu_trace_thread_name(const char *name);

/*
 * Runs with more than two cores.  A core process runs one thread per link;
 * emu_trace_set_link(i) tags the calling thread's records with link i, and
 * names the thread (its comm) so that the threads it starts afterwards (the
 * link's interrupt thread, the scenario's lanes) inherit the tag at their
 * first record.  The port's work-queue threads, shared by all links of the
 * process, take the tag of the thread that submitted the work item they run
 * (port_set_context_hooks, installed by emu_trace_open()), and none between
 * items.
 */
void emu_trace_set_link(unsigned link);
/* The calling thread's link tag (0 = none), and setting it: the interrupt
 * thread of a SoC core, shared by its links' cores (emu/core.c), takes the
 * tag of the core whose channel it runs. */
uint32_t emu_trace_ctx_get(void);
void emu_trace_ctx_set(uint32_t ctx);
/* emu_trace_open_env() for core process number `core` of the topology. */
void emu_trace_open_env_core(unsigned core);
/* Write dir/EMU_TRACE_NAMES: the names of the cores and links (and the two
 * cores of each link) that the merge shows instead of host/remote.  0 or
 * -errno. */
int emu_trace_write_names(const char *dir, unsigned n_core, const char *const core_name[],
			  unsigned n_link, const char *const link_name[],
			  const unsigned link_core[][2]);

/* Start tracing this process into dir/<role>-<pid>.<k>.trace.  0 (also when
 * already tracing), or -errno.  Call before the threads that record start. */
int emu_trace_open(const char *dir, int role);
/* emu_trace_open($IPC_EMU_TRACE, role) if the variable is set and not empty;
 * a failure is logged once and tracing stays off. */
void emu_trace_open_env(int role);
/* Stop tracing and unmap the file (tests; the supervisor before merging). */
void emu_trace_close(void);

/*
 * Merge every *.trace file of `dir` into the Chrome trace JSON `out`:
 * {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}} with
 * pid 1 = host, 2 = remote, 3 = supervisor (process_name metadata), tid =
 * the writer's thread id (thread_name metadata), ts in microseconds of
 * CLOCK_MONOTONIC, events sorted by time.  With dir/EMU_TRACE_NAMES (more
 * than two cores): pid 1..N = the cores in topology order, N + 1 = the
 * supervisor, threads named after their link, events of a link carry
 * "link" in their args.  `out` is written under a
 * temporary name beside it and renamed when complete (a merge cut short
 * leaves no empty or partial file).  The files and `dir` are removed
 * afterwards when `remove` is set.  Returns the number of events written, or
 * -errno with one line in err.
 */
long emu_trace_merge(const char *dir, const char *out, bool remove, char *err, size_t errlen);

#endif /* IPC_EMU_EMU_TRACE_H */
