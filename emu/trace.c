/*
 * trace.c - per-process binary event trace and the merge into one
 * Chrome/Perfetto trace JSON (layout and contract: trace.h).
 */
#include "trace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "port.h"
#include "port_thread_name.h"
#include "zephyr_events.h"

static const char trace_magic[8] = {'I', 'P', 'C', 'T', 'R', 'A', 'C', 'E'};

struct trace_hdr {
	char magic[8];
	uint32_t version;
	uint32_t rec_size;
	uint32_t role;
	uint32_t pid;
	uint64_t capacity;
	uint64_t next;
	uint64_t t0_ns;
	uint32_t core;
	uint8_t reserved[EMU_TRACE_HDR_SIZE - 52];
};

_Static_assert(sizeof(struct trace_hdr) == EMU_TRACE_HDR_SIZE, "trace header is 64 bytes");

atomic_bool emu_trace_enabled;

static struct trace_hdr *map;   /* the process's file, or NULL */
static size_t map_len;
static struct emu_trace_rec *recs;

static _Thread_local uint32_t my_tid;
static _Thread_local bool my_named;
static _Thread_local uint64_t my_mark; /* emu_trace_mark(), 0 = none */
static _Thread_local uint16_t my_link; /* link index + 1, 0 = none */
static _Thread_local bool my_link_known;
static unsigned my_core;               /* EMU_TRACE_ROLE_CORE: the core's index */

/* The comm a link thread takes (emu_trace_set_link), inherited by the
 * threads it starts. */
#define LINK_COMM "ipc-emu link "

/* At a thread's first record: the link it inherited from the thread that
 * started it, if any. */
static void link_of_caller(void)
{
	char comm[17] = "";
	unsigned link;
	int used = 0;

	if (my_link_known) {
		return;
	}
	my_link_known = true;
	if (prctl(PR_GET_NAME, comm, 0, 0, 0) == 0 && strncmp(comm, LINK_COMM, 13) == 0 &&
	    sscanf(comm + 13, "%u%n", &link, &used) == 1 && comm[13 + used] == '\0' &&
	    link < 0xffffu) {
		my_link = (uint16_t)(link + 1);
	}
}

void emu_trace_set_link(unsigned link)
{
	char comm[17];

	my_link_known = true;
	my_link = link < 0xffffu ? (uint16_t)(link + 1) : 0;
	snprintf(comm, sizeof(comm), LINK_COMM "%u", link);
	(void)prctl(PR_SET_NAME, comm, 0, 0, 0);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t tid_of_caller(void)
{
	if (my_tid == 0) {
		my_tid = (uint32_t)syscall(SYS_gettid);
	}
	return my_tid;
}

/* Claim, fill and commit one record (ts 0: now). */
static void put_at(uint64_t ts, unsigned type, uint32_t tid, uint32_t a, uint32_t b, uint32_t c,
		   uint32_t d)
{
	struct trace_hdr *h = map;
	uint64_t i;
	struct emu_trace_rec *r;

	if (h == NULL) {
		return;
	}
	i = atomic_fetch_add_explicit((_Atomic uint64_t *)&h->next, 1, memory_order_relaxed);
	if (i >= h->capacity) {
		return; /* full: the reader reports next - capacity dropped events */
	}
	r = &recs[i];
	r->ts_ns = ts ? ts : mono_ns();
	r->tid = tid;
	r->link = my_link;
	r->a = a;
	r->b = b;
	r->c = c;
	r->d = d;
	/* Commit: the merge (after this process is gone) skips type 0. */
	atomic_store_explicit((_Atomic uint16_t *)&r->type, (uint16_t)type, memory_order_release);
}

static void put(unsigned type, uint32_t tid, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	put_at(0, type, tid, a, b, c, d);
}

static void put_name(uint32_t tid, const char *name)
{
	uint32_t w[4] = {0, 0, 0, 0};

	memcpy(w, name, strnlen(name, sizeof(w) - 1));
	put(EMU_TRACE_THREAD, tid, w[0], w[1], w[2], w[3]);
}

void emu_trace_thread_name(const char *name)
{
	if (!atomic_load_explicit(&emu_trace_enabled, memory_order_relaxed)) {
		return;
	}
	link_of_caller();
	my_named = true;
	put_name(tid_of_caller(), name);
}

/* The port's threads (its work queues) serve every link of the process:
 * they carry no link, whoever started them. */
static void port_thread_name(const char *name)
{
	my_link_known = true;
	my_link = 0;
	emu_trace_thread_name(name);
}

/* The port (below the trace) names its threads through this. */
__attribute__((constructor)) static void trace_hook_install(void)
{
	port_set_thread_name_hook(port_thread_name);
}

/* The port's work items run in their submitter's context
 * (port_set_context_hooks): the link of the thread that submitted an item
 * (a link's interrupt thread or lane, or a work item of the link) tags the
 * records its work-queue thread writes while running it. */
static uint32_t trace_ctx_get(void)
{
	link_of_caller();
	return my_link;
}

static void trace_ctx_set(uint32_t ctx)
{
	my_link_known = true;
	my_link = (uint16_t)ctx;
}

uint32_t emu_trace_ctx_get(void)
{
	return trace_ctx_get();
}

void emu_trace_ctx_set(uint32_t ctx)
{
	trace_ctx_set(ctx);
}

static void name_if_new(uint32_t tid);

void emu_trace_record(unsigned type, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	uint32_t tid = tid_of_caller();

	name_if_new(tid);
	put(type, tid, a, b, c, d);
}

void emu_trace_mark_now(void)
{
	my_mark = mono_ns();
}

void emu_trace_span_record(unsigned type, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t tid = tid_of_caller();
	uint64_t now = mono_ns(), start = my_mark && my_mark <= now ? my_mark : now;
	uint64_t dur = now - start;

	my_mark = 0;
	name_if_new(tid);
	put_at(start, type, tid, a, b, c, dur > UINT32_MAX ? UINT32_MAX : (uint32_t)dur);
}

/* The first record of a thread names it. */
static void name_if_new(uint32_t tid)
{
	if (!my_named) {
		char name[17] = "";

		link_of_caller();
		my_named = true;
		if (tid == (uint32_t)getpid()) {
			snprintf(name, sizeof(name), "main");
		} else if (my_link != 0) {
			snprintf(name, sizeof(name), "link");
		} else if (prctl(PR_GET_NAME, name, 0, 0, 0) < 0 || name[0] == '\0') {
			snprintf(name, sizeof(name), "thread");
		}
		put_name(tid, name);
	}
}

int emu_trace_open(const char *dir, int role)
{
	char path[4096];
	size_t len = EMU_TRACE_HDR_SIZE + (size_t)EMU_TRACE_CAPACITY * sizeof(struct emu_trace_rec);
	struct trace_hdr *h;
	int fd, rc;

	if (map != NULL) {
		return 0;
	}
	if (dir == NULL || role < 0 || role > EMU_TRACE_ROLE_CORE) {
		return -EINVAL;
	}
	/* A pid may come back within one run (a dead incarnation's): number on. */
	for (unsigned k = 0;; k++) {
		if (snprintf(path, sizeof(path), "%s/%s-%ld.%u.trace", dir,
			     role == EMU_TRACE_ROLE_HOST ? "host"
			     : role == EMU_TRACE_ROLE_REMOTE ? "remote"
			     : role == EMU_TRACE_ROLE_CORE ? "core" : "supervisor",
			     (long)getpid(), k) >= (int)sizeof(path)) {
			return -ENAMETOOLONG;
		}
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			break;
		}
		if (errno != EEXIST || k == 99) {
			return -errno;
		}
	}
	/* Sparse: only the pages records land on take memory or disk. */
	if (ftruncate(fd, (off_t)len) < 0) {
		rc = -errno;
		goto fail;
	}
	h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	close(fd);
	h->version = EMU_TRACE_VERSION;
	h->rec_size = sizeof(struct emu_trace_rec);
	h->role = (uint32_t)role;
	h->pid = (uint32_t)getpid();
	h->capacity = EMU_TRACE_CAPACITY;
	h->next = 0;
	h->t0_ns = mono_ns();
	h->core = role == EMU_TRACE_ROLE_CORE ? my_core : 0;
	memcpy(h->magic, trace_magic, sizeof(trace_magic));
	map = h;
	map_len = len;
	recs = (struct emu_trace_rec *)((uint8_t *)h + EMU_TRACE_HDR_SIZE);
	/* Installed for good: after emu_trace_close() they only keep a tag
	 * that nothing records. */
	port_set_context_hooks(trace_ctx_get, trace_ctx_set);
	atomic_store(&emu_trace_enabled, true);
	return 0;

fail:
	close(fd);
	unlink(path);
	return rc;
}

void emu_trace_open_env(int role)
{
	const char *dir = getenv(EMU_TRACE_ENV);
	static bool reported;
	int rc;

	if (dir == NULL || dir[0] == '\0' || map != NULL) {
		return;
	}
	rc = emu_trace_open(dir, role);
	if (rc < 0 && !reported) {
		reported = true;
		port_log(PORT_LOG_ERR, "trace: cannot open a trace file in %s: %s", dir,
			 strerror(-rc));
	}
}

void emu_trace_open_env_core(unsigned core)
{
	my_core = core;
	emu_trace_open_env(EMU_TRACE_ROLE_CORE);
}

int emu_trace_write_names(const char *dir, unsigned n_core, const char *const core_name[],
			  unsigned n_link, const char *const link_name[],
			  const unsigned link_core[][2])
{
	char path[4096];
	FILE *f;
	int rc = 0;

	if (snprintf(path, sizeof(path), "%s/" EMU_TRACE_NAMES, dir) >= (int)sizeof(path)) {
		return -ENAMETOOLONG;
	}
	f = fopen(path, "we");
	if (f == NULL) {
		return -errno;
	}
	for (unsigned k = 0; k < n_core; k++) {
		fprintf(f, "core %u %s\n", k, core_name[k]);
	}
	for (unsigned i = 0; i < n_link; i++) {
		fprintf(f, "link %u %u %u %s\n", i, link_core[i][0], link_core[i][1], link_name[i]);
	}
	if (ferror(f) != 0) {
		rc = -EIO;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
	}
	return rc;
}

void emu_trace_close(void)
{
	if (map == NULL) {
		return;
	}
	atomic_store(&emu_trace_enabled, false);
	munmap(map, map_len);
	map = NULL;
	recs = NULL;
}

/* ------------------------------------------------------------- merge -- */

struct ev {
	struct emu_trace_rec r;
	uint32_t role;
	uint32_t pid;
	uint32_t core; /* EMU_TRACE_ROLE_CORE */
	uint64_t order; /* file, then record index: keeps sorting stable */
};

struct evs {
	struct ev *v;
	size_t n, cap;
	uint64_t dropped, uncommitted;
	unsigned files;
};

static int push(struct evs *e, const struct ev *x)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4096;
		struct ev *v = realloc(e->v, cap * sizeof(*v));

		if (v == NULL) {
			return -ENOMEM;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = *x;
	return 0;
}

/* One process file; the file was written by one of our processes, but it
 * may be cut short or damaged: every count is checked against its size. */
static int read_file(const char *path, unsigned fileno, struct evs *e, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct trace_hdr h;
	uint64_t n, room;
	void *m;
	int rc = 0;

	if (fd < 0) {
		snprintf(err, errlen, "trace: %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, trace_magic, sizeof(trace_magic)) != 0 ||
	    (h.version != 1 && h.version != EMU_TRACE_VERSION) ||
	    h.rec_size != sizeof(struct emu_trace_rec) || h.role > EMU_TRACE_ROLE_CORE ||
	    (h.version == 1 && h.role == EMU_TRACE_ROLE_CORE)) {
		/* A process killed before it finished its header: nothing in it. */
		close(fd);
		return 0;
	}
	room = ((uint64_t)st.st_size - sizeof(h)) / sizeof(struct emu_trace_rec);
	n = h.next < h.capacity ? h.next : h.capacity;
	if (n > room) {
		n = room;
	}
	if (h.next > n) {
		e->dropped += h.next - n;
	}
	e->files++;
	if (n == 0) {
		close(fd);
		return 0;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "trace: %s: %s", path, strerror(errno));
		return -errno;
	}
	for (uint64_t i = 0; i < n && rc == 0; i++) {
		const struct emu_trace_rec *r =
			(const struct emu_trace_rec *)((const uint8_t *)m + sizeof(h)) + i;
		struct ev x = {.r = *r, .role = h.role, .pid = h.pid,
			       .core = h.version == 1 ? 0 : h.core,
			       .order = ((uint64_t)fileno << 40) | i};

		if (h.version == 1) {
			x.r.link = 0; /* reserved */
		}
		if (x.r.type == 0 || x.r.type >= EMU_TRACE_TYPE_MAX) {
			e->uncommitted++;
			continue;
		}
		rc = push(e, &x);
	}
	munmap(m, (size_t)st.st_size);
	if (rc < 0) {
		snprintf(err, errlen, "trace: out of memory");
	}
	return rc;
}

static int cmp_ev(const void *pa, const void *pb)
{
	const struct ev *a = pa, *b = pb;

	if (a->r.ts_ns != b->r.ts_ns) {
		return a->r.ts_ns < b->r.ts_ns ? -1 : 1;
	}
	return a->order < b->order ? -1 : a->order > b->order;
}

static const char *role_label(uint32_t role)
{
	return role == EMU_TRACE_ROLE_HOST ? "host" : role == EMU_TRACE_ROLE_REMOTE ? "remote"
										: "supervisor";
}

static const char *peer_label(uint32_t role)
{
	return role == 0 ? "host" : role == 1 ? "remote" : "?";
}

/* dir/EMU_TRACE_NAMES of a run with more than two cores. */
#define NAMES_MAX 64
struct names {
	unsigned n_core, n_link;
	char core[NAMES_MAX][64];
	char link[NAMES_MAX][96];
	unsigned link_core[NAMES_MAX][2];
	unsigned core_links[NAMES_MAX]; /* links of each core */
	unsigned only_link[NAMES_MAX];  /* the link of a core that has one */
};

static const struct names *cur_names; /* NULL: two cores */

/* Read dir/EMU_TRACE_NAMES if there is one: 1, 0 (none) or -errno. */
static int read_names(const char *dir, struct names *nm, char *err, size_t errlen)
{
	char path[4096], line[256];
	FILE *f;
	int rc = 1;

	memset(nm, 0, sizeof(*nm));
	snprintf(path, sizeof(path), "%s/" EMU_TRACE_NAMES, dir);
	f = fopen(path, "re");
	if (f == NULL) {
		return errno == ENOENT ? 0 : -errno;
	}
	while (rc == 1 && fgets(line, sizeof(line), f) != NULL) {
		unsigned k, h, r;
		char name[128] = "";

		if (sscanf(line, "core %u %63s", &k, name) == 2 && k == nm->n_core &&
		    k < NAMES_MAX) {
			memcpy(nm->core[k], name, sizeof(nm->core[k]));
			nm->n_core++;
		} else if (sscanf(line, "link %u %u %u %95s", &k, &h, &r, name) == 4 &&
			   k == nm->n_link && k < NAMES_MAX && h < nm->n_core && r < nm->n_core) {
			memcpy(nm->link[k], name, sizeof(nm->link[k]));
			nm->link_core[k][0] = h;
			nm->link_core[k][1] = r;
			nm->core_links[h]++;
			nm->core_links[r]++;
			nm->only_link[h] = nm->only_link[r] = k;
			nm->n_link++;
		} else {
			snprintf(err, errlen, "trace: %s: not a list of cores and links", path);
			rc = -EINVAL;
		}
	}
	fclose(f);
	return rc;
}

/* Trace pid of a writer role: 1 host, 2 remote, 3 supervisor; with more
 * than two cores, 1..N the cores, N + 1 the supervisor. */
static unsigned tpid_of(const struct ev *x)
{
	if (cur_names != NULL) {
		return x->role == EMU_TRACE_ROLE_CORE ? x->core + 1 : cur_names->n_core + 1;
	}
	return x->role + 1;
}

/* The link an event belongs to, or -1: its thread's, or the only link of
 * its core. */
static int link_of(const struct ev *x)
{
	const struct names *nm = cur_names;

	if (nm == NULL || x->role != EMU_TRACE_ROLE_CORE || x->core >= nm->n_core) {
		return -1;
	}
	if (x->r.link != 0 && x->r.link <= nm->n_link) {
		return x->r.link - 1;
	}
	return nm->core_links[x->core] == 1 ? (int)nm->only_link[x->core] : -1;
}

static void ts_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03u", ns / 1000u, (unsigned)(ns % 1000u));
}

static void json_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	for (size_t i = 0; i < max && s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			fprintf(f, "\\%c", ch);
		} else if (ch < 0x20 || ch >= 0x7f) {
			fprintf(f, "\\u%04x", ch);
		} else {
			fputc(ch, f);
		}
	}
	fputc('"', f);
}

static const char *kind_name(uint32_t k)
{
	switch (k) {
	case 1:
		return "echo_req";
	case 2:
		return "echo_rep";
	case 3:
		return "stream";
	case 4:
		return "done";
	default:
		return "?";
	}
}

/* What the merge remembers per writing thread: its name (the last
 * EMU_TRACE_THREAD record) and the text of its next EMU_TRACE_SHIM. */
struct thr {
	uint32_t role, pid, tid;
	char name[17];
	char text[65];
};

struct thrs {
	struct thr *v;
	size_t n, cap;
};

/* The entry of x's thread, created if new; NULL when out of memory. */
static struct thr *thr_of(struct thrs *t, const struct ev *x)
{
	for (size_t i = t->n; i-- > 0;) {
		struct thr *h = &t->v[i];

		if (h->tid == x->r.tid && h->pid == x->pid && h->role == x->role) {
			return h;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct thr *v = realloc(t->v, cap * sizeof(*v));

		if (v == NULL) {
			return NULL;
		}
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n] = (struct thr){.role = x->role, .pid = x->pid, .tid = x->r.tid};
	return &t->v[t->n++];
}

/* The common head of an event: name, phase, pid, tid, ts. */
static void head(FILE *f, const char *name, char ph, const struct ev *x)
{
	fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"%c\",\"pid\":%u,\"tid\":%u,\"ts\":", name, ph,
		tpid_of(x), x->r.tid);
	ts_us(f, x->r.ts_ns);
}

/* A shim event of emu/zephyr_sched.c: named as in its report, with the
 * thread as the report names it. */
static void write_shim(FILE *f, const struct ev *x, struct thr *t)
{
	const struct emu_trace_rec *r = &x->r;
	unsigned ev = r->a & 0xffu;
	const char *name = zshim_sched_ev_name(ev);
	uint64_t obj = (uint64_t)r->d << 32 | r->c;

	fprintf(f, ",\n{\"name\":");
	if (name != NULL) {
		json_str(f, name, 64);
	} else {
		fprintf(f, "\"shim event %u\"", ev);
	}
	fprintf(f, ",\"cat\":\"zephyr\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%u,\"tid\":%u,\"ts\":",
		tpid_of(x), r->tid);
	ts_us(f, r->ts_ns);
	fputs(",\"args\":{\"thread\":", f);
	json_str(f, (r->a & EMU_TRACE_SHIM_ISR) != 0 ? "(interrupt)"
		    : t != NULL && t->name[0] != '\0' ? t->name : "?", 17);
	if (obj != 0) {
		fprintf(f, ",\"obj\":\"0x%" PRIx64 "\"", obj);
	}
	switch (ev) {
	case ZSHIM_EV_SEM_TAKE:
	case ZSHIM_EV_MUTEX_LOCK:
	case ZSHIM_EV_WORK_SUBMIT:
		fprintf(f, ",\"ret\":%d", (int)r->b);
		break;
	case ZSHIM_EV_SLEEP:
		fprintf(f, ",\"ms\":%d", (int)r->b);
		break;
	case ZSHIM_EV_THREAD_START:
		fprintf(f, ",\"prio\":%d", (int)r->b);
		break;
	default:
		break;
	}
	if (t != NULL && t->text[0] != '\0') {
		fputs(",\"text\":", f);
		json_str(f, t->text, sizeof(t->text));
		t->text[0] = '\0';
	}
	fputs("}}", f);
}

/* Write one event (nothing for a text record); false if nothing was
 * written. */
static bool write_event(FILE *f, const struct ev *x, struct thrs *threads)
{
	const struct emu_trace_rec *r = &x->r;
	const struct names *nm = cur_names;

	/* More than two cores: the supervisor names cores, a doorbell the core
	 * it rings. */
	if (nm != NULL && x->role == EMU_TRACE_ROLE_SUPERVISOR && r->type >= EMU_TRACE_KILL &&
	    r->type <= EMU_TRACE_EXIT) {
		const char *core = r->a < nm->n_core ? nm->core[r->a] : "?";

		head(f, r->type == EMU_TRACE_KILL || r->type == EMU_TRACE_CRASH ? "crash"
			: r->type == EMU_TRACE_RESTART ? "restart"
			: r->type == EMU_TRACE_SPAWN ? "spawn" : "exit", 'i', x);
		fputs(",\"s\":\"g\",\"args\":{\"core\":", f);
		json_str(f, core, 64);
		fprintf(f, ",\"pid\":%u", r->b);
		if (r->type == EMU_TRACE_KILL || r->type == EMU_TRACE_CRASH) {
			fprintf(f, ",\"cause\":\"%s\"",
				r->type == EMU_TRACE_KILL ? "kill-random" : "crash-point");
		} else if (r->type == EMU_TRACE_EXIT) {
			fprintf(f, ",\"status\":%d", (int)r->c);
		}
		fputs("}}", f);
		return true;
	}
	if (nm != NULL && r->type == EMU_TRACE_DOORBELL && link_of(x) >= 0 && r->a < 2) {
		head(f, "doorbell", 'i', x);
		fputs(",\"s\":\"t\",\"args\":{\"to\":", f);
		json_str(f, nm->core[nm->link_core[link_of(x)][r->a]], 64);
		fputs("}}", f);
		return true;
	}
	switch (r->type) {
	case EMU_TRACE_SHIM:
		write_shim(f, x, thr_of(threads, x));
		return true;
	case EMU_TRACE_SHIM_TEXT: {
		struct thr *t = thr_of(threads, x);
		uint32_t w[4] = {r->a, r->b, r->c, r->d};
		size_t len;

		if (t != NULL) {
			len = strlen(t->text);
			if (len + 16 < sizeof(t->text)) {
				memcpy(t->text + len, w, 16);
				t->text[len + 16] = '\0';
			}
		}
		return false;
	}
	case EMU_TRACE_THREAD: {
		uint32_t w[4] = {r->a, r->b, r->c, r->d};
		struct thr *t = thr_of(threads, x);
		char name[17];

		memcpy(name, w, 16);
		name[16] = '\0';
		if (t != NULL) {
			memcpy(t->name, name, sizeof(name));
		}
		fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
			   "\"args\":{\"name\":",
			tpid_of(x), r->tid);
		{
			char full[192];
			int l = link_of(x);

			if (l >= 0 && x->r.link != 0) {
				snprintf(full, sizeof(full), "%s %s (pid %u)", cur_names->link[l], name,
					 x->pid);
			} else {
				snprintf(full, sizeof(full), "%s (pid %u)", name, x->pid);
			}
			json_str(f, full, sizeof(full));
		}
		fputs("}}", f);
		return true;
	}
	case EMU_TRACE_CORE_START:
		head(f, "core_start", 'i', x);
		fprintf(f, ",\"s\":\"p\",\"args\":{\"pid\":%u,\"boot\":%u}}", x->pid, r->b);
		return true;
	case EMU_TRACE_MBOX_SEND:
		head(f, "mbox_send", 'i', x);
		fprintf(f, ",\"s\":\"t\",\"args\":{\"mbox\":%u,\"channel\":%u}}", r->a, r->b);
		return true;
	case EMU_TRACE_DOORBELL:
		head(f, "doorbell", 'i', x);
		fprintf(f, ",\"s\":\"t\",\"args\":{\"to\":\"%s\"}}", peer_label(r->a));
		return true;
	case EMU_TRACE_IRQ_BEGIN:
		head(f, "irq", 'B', x);
		fprintf(f, ",\"args\":{\"mbox\":%u,\"channel\":%u}}", r->a, r->b);
		return true;
	case EMU_TRACE_IRQ_END:
		head(f, "irq", 'E', x);
		fputs("}", f);
		return true;
	case EMU_TRACE_SEND:
		/* A slice from the start of the (last) attempt to its return. */
		head(f, "send", 'X', x);
		fputs(",\"dur\":", f);
		ts_us(f, r->d);
		fprintf(f, ",\"args\":{\"endpoint\":%u,\"len\":%u,\"seq\":%u,\"kind\":\"%s\"}}",
			r->a & 0xffffu, r->b, r->c, kind_name(r->a >> 16));
		return true;
	case EMU_TRACE_RECV:
		head(f, "receive", 'i', x);
		fprintf(f, ",\"s\":\"t\",\"args\":{\"endpoint\":%u,\"len\":%u,\"seq\":%u,"
			   "\"kind\":\"%s\"}}",
			r->a, r->b, r->c, kind_name(r->d));
		return true;
	case EMU_TRACE_BOUND:
	case EMU_TRACE_UNBOUND:
	case EMU_TRACE_ERROR:
		head(f, r->type == EMU_TRACE_BOUND ? "bound"
			: r->type == EMU_TRACE_UNBOUND ? "unbound" : "error", 'i', x);
		fprintf(f, ",\"s\":\"p\",\"args\":{\"endpoint\":%u}}", r->a);
		return true;
	case EMU_TRACE_KILL:
	case EMU_TRACE_CRASH:
		head(f, "crash", 'i', x);
		fprintf(f, ",\"s\":\"g\",\"args\":{\"role\":\"%s\",\"pid\":%u,\"cause\":\"%s\"}}",
			peer_label(r->a), r->b,
			r->type == EMU_TRACE_KILL ? "kill-random" : "crash-point");
		return true;
	case EMU_TRACE_RESTART:
	case EMU_TRACE_SPAWN:
		head(f, r->type == EMU_TRACE_RESTART ? "restart" : "spawn", 'i', x);
		fprintf(f, ",\"s\":\"g\",\"args\":{\"role\":\"%s\",\"pid\":%u}}", peer_label(r->a),
			r->b);
		return true;
	case EMU_TRACE_EXIT:
		head(f, "exit", 'i', x);
		fprintf(f, ",\"s\":\"g\",\"args\":{\"role\":\"%s\",\"pid\":%u,\"status\":%d}}",
			peer_label(r->a), r->b, (int)r->c);
		return true;
	default:
		return false;
	}
}

/* The buffer write_linked() writes an event into first. */
static char *buf;
static size_t size;
static FILE *ms;

/* write_event(), with the event's link first in its args (more than two
 * cores). */
static bool write_linked(FILE *f, const struct ev *x, struct thrs *threads)
{
	static const char key[] = "\"args\":{";
	int l = link_of(x);
	bool w;
	long len;
	const char *at;

	if (l < 0 || x->r.type == EMU_TRACE_THREAD) {
		return write_event(f, x, threads);
	}
	if (ms == NULL && (ms = open_memstream(&buf, &size)) == NULL) {
		return write_event(f, x, threads);
	}
	rewind(ms);
	w = write_event(ms, x, threads);
	fflush(ms);
	len = ftell(ms);
	if (!w || len <= 0) {
		return w;
	}
	at = memmem(buf, (size_t)len, key, sizeof(key) - 1);
	if (at == NULL) {
		/* No args (the end of an interrupt): give it the link's. */
		fwrite(buf, 1, (size_t)len - 1, f);
		fputs(",\"args\":{\"link\":", f);
		json_str(f, cur_names->link[l], 96);
		fputs("}}", f);
		return true;
	}
	at += sizeof(key) - 1;
	fwrite(buf, 1, (size_t)(at - buf), f);
	fputs("\"link\":", f);
	json_str(f, cur_names->link[l], 96);
	if (*at != '}') {
		fputc(',', f);
	}
	fwrite(at, 1, (size_t)(buf + len - at), f);
	return true;
}

static bool is_trace_file(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && strcmp(name + n - 6, ".trace") == 0;
}

long emu_trace_merge(const char *dir, const char *out, bool remove, char *err, size_t errlen)
{
	struct evs e = {0};
	struct thrs threads = {0};
	static struct names names;
	const struct names *nm = NULL;
	size_t written = 0;
	DIR *d;
	struct dirent *de;
	char path[4096], tmp[4200];
	FILE *f;
	unsigned fileno = 0;
	int rc = 0;

	err[0] = '\0';
	cur_names = NULL;
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "trace: %s: %s", dir, strerror(errno));
		return -errno;
	}
	rc = read_names(dir, &names, err, errlen);
	if (rc < 0 && err[0] == '\0') {
		snprintf(err, errlen, "trace: %s/" EMU_TRACE_NAMES ": %s", dir, strerror(-rc));
	}
	if (rc > 0) {
		nm = cur_names = &names;
	}
	rc = rc > 0 ? 0 : rc;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!is_trace_file(de->d_name)) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rc = read_file(path, fileno++, &e, err, errlen);
	}
	closedir(d);
	if (rc < 0) {
		goto out;
	}
	if (e.n > 1) {
		qsort(e.v, e.n, sizeof(e.v[0]), cmp_ev);
	}
	/* Written under a temporary name beside `out`, renamed when complete:
	 * a merge cut short (SIGKILL) never leaves an empty or partial trace,
	 * nor destroys an older one of that name. */
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", out, (long)getpid());
	f = fopen(tmp, "we");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "--trace: cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
	/* Metadata first: one process per role (per core), in a fixed order. */
	for (unsigned p = 0; nm == NULL && p <= EMU_TRACE_ROLE_SUPERVISOR; p++) {
		fprintf(f, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":0,"
			   "\"args\":{\"name\":\"%s\"}},\n"
			   "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%u,\"tid\":0,"
			   "\"args\":{\"sort_index\":%u}}",
			p ? ",\n" : "", p + 1, role_label(p), p + 1, p);
	}
	for (unsigned p = 0; nm != NULL && p <= nm->n_core; p++) {
		fprintf(f, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":0,"
			   "\"args\":{\"name\":",
			p ? ",\n" : "", p + 1);
		json_str(f, p < nm->n_core ? nm->core[p] : "supervisor", 64);
		fprintf(f, "}},\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%u,"
			   "\"tid\":0,\"args\":{\"sort_index\":%u}}",
			p + 1, p);
	}
	for (size_t i = 0; i < e.n; i++) {
		written += write_linked(f, &e.v[i], &threads) ? 1u : 0u;
	}
	fprintf(f, "\n],\n\"otherData\":{\"clock\":\"CLOCK_MONOTONIC\",\"files\":%u,"
		   "\"events\":%zu,\"dropped\":%" PRIu64 ",\"uncommitted\":%" PRIu64 "}}\n",
		e.files, written, e.dropped, e.uncommitted);
	if (ferror(f) != 0) {
		rc = -EIO;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
	}
	if (rc == 0 && rename(tmp, out) != 0) {
		rc = -errno;
	}
	if (rc < 0) {
		(void)unlink(tmp);
		snprintf(err, errlen, "--trace: cannot write %s: %s", out, strerror(-rc));
	}
out:
	if (remove) {
		d = opendir(dir);
		if (d != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (is_trace_file(de->d_name) ||
				    strcmp(de->d_name, EMU_TRACE_NAMES) == 0) {
					snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
					unlink(path);
				}
			}
			closedir(d);
		}
		rmdir(dir);
	}
	free(e.v);
	free(threads.v);
	cur_names = NULL;
	if (ms != NULL) {
		fclose(ms);
		ms = NULL;
		free(buf);
		buf = NULL;
	}
	return rc < 0 ? rc : (long)written;
}
