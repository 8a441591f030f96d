/*
 * sys.c - the system calls of emu/ behind a table of function pointers, with
 * failure injection for tests (see sys.h).
 *
 * The table holds the real functions; each wrapper first asks the injection
 * slot of its call whether this is the call that must fail, then calls
 * through the table and turns errno into -errno (the only place for that
 * call).  The check costs one relaxed load when nothing is armed.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif
#endif
#ifndef VALGRIND_HG_DISABLE_CHECKING
#define VALGRIND_HG_DISABLE_CHECKING(addr, len) ((void)(addr), (void)(len))
#endif

static long raw_futex(uint32_t *word, int op, uint32_t val, const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

static int dup_cloexec(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

static int fallocate_all(int fd, off_t len)
{
	return fallocate(fd, 0, 0, len);
}

/* The real calls.  Tests never change these; they inject through the slots. */
static const struct {
	int (*shm_open)(const char *, int, mode_t);
	int (*shm_unlink)(const char *);
	int (*ftruncate)(int, off_t);
	int (*fallocate)(int, off_t);
	ssize_t (*pread)(int, void *, size_t, off_t);
	int (*fstat)(int, struct stat *);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
	int (*close)(int);
	int (*dup)(int);
	int (*eventfd)(unsigned int, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*poll)(struct pollfd *, nfds_t, int);
	long (*futex)(uint32_t *, int, uint32_t, const struct timespec *);
} sys = {
	.shm_open = shm_open,
	.shm_unlink = shm_unlink,
	.ftruncate = ftruncate,
	.fallocate = fallocate_all,
	.pread = pread,
	.fstat = fstat,
	.mmap = mmap,
	.munmap = munmap,
	.close = close,
	.dup = dup_cloexec,
	.eventfd = eventfd,
	.read = read,
	.write = write,
	.poll = poll,
	.futex = raw_futex,
};

enum sys_call {
	SYS_SHM_OPEN,
	SYS_SHM_UNLINK,
	SYS_FTRUNCATE,
	SYS_FALLOCATE,
	SYS_PREAD,
	SYS_FSTAT,
	SYS_MMAP,
	SYS_DUP,
	SYS_EVENTFD,
	SYS_EVENTFD_WRITE,
	SYS_EVENTFD_READ,
	SYS_POLL,
	SYS_FUTEX_WAIT,
	SYS_FUTEX_WAKE,
	SYS_N_CALLS
};

static const char *const call_names[SYS_N_CALLS] = {
	[SYS_SHM_OPEN] = "shm_open",
	[SYS_SHM_UNLINK] = "shm_unlink",
	[SYS_FTRUNCATE] = "ftruncate",
	[SYS_FALLOCATE] = "fallocate",
	[SYS_PREAD] = "pread",
	[SYS_FSTAT] = "fstat",
	[SYS_MMAP] = "mmap",
	[SYS_DUP] = "dup",
	[SYS_EVENTFD] = "eventfd",
	[SYS_EVENTFD_WRITE] = "eventfd_write",
	[SYS_EVENTFD_READ] = "eventfd_read",
	[SYS_POLL] = "poll",
	[SYS_FUTEX_WAIT] = "futex_wait",
	[SYS_FUTEX_WAKE] = "futex_wake",
};

/* Per call: calls left before the injected failure (0 = disarmed) and its errno. */
static struct {
	atomic_uint countdown;
	atomic_int err;
} slots[SYS_N_CALLS];
static atomic_uint n_armed;

/* The errno this call must fail with, or 0 to make the real call. */
static int injected(enum sys_call call)
{
	unsigned left;

	if (atomic_load_explicit(&n_armed, memory_order_relaxed) == 0) {
		return 0;
	}
	left = atomic_load_explicit(&slots[call].countdown, memory_order_acquire);
	while (left != 0) {
		/* CAS so that exactly one caller sees the 1 -> 0 step. */
		if (atomic_compare_exchange_weak_explicit(&slots[call].countdown, &left, left - 1,
							  memory_order_acq_rel,
							  memory_order_acquire)) {
			if (left != 1) {
				return 0;
			}
			atomic_fetch_sub_explicit(&n_armed, 1, memory_order_relaxed);
			return atomic_load_explicit(&slots[call].err, memory_order_relaxed);
		}
	}
	return 0;
}

int emu_sys_inject(const char *call, int err, unsigned nth)
{
	/* C11 atomics are invisible to Helgrind/DRD (platform notes 7). */
	VALGRIND_HG_DISABLE_CHECKING(slots, sizeof(slots));
	VALGRIND_HG_DISABLE_CHECKING(&n_armed, sizeof(n_armed));
	for (unsigned i = 0; i < SYS_N_CALLS; i++) {
		if (call == NULL || strcmp(call, call_names[i]) != 0) {
			continue;
		}
		if (nth != 0 && err <= 0) {
			return -EINVAL;
		}
		atomic_store_explicit(&slots[i].err, err, memory_order_relaxed);
		if (atomic_exchange_explicit(&slots[i].countdown, nth, memory_order_acq_rel) == 0) {
			if (nth != 0) {
				atomic_fetch_add_explicit(&n_armed, 1, memory_order_relaxed);
			}
		} else if (nth == 0) {
			atomic_fetch_sub_explicit(&n_armed, 1, memory_order_relaxed);
		}
		return 0;
	}
	return -ENOENT;
}

int emu_sys_shm_open(const char *name, int flags, mode_t mode)
{
	int e = injected(SYS_SHM_OPEN);
	int fd;

	if (e != 0) {
		return -e;
	}
	fd = sys.shm_open(name, flags, mode);
	return fd < 0 ? -errno : fd;
}

int emu_sys_shm_unlink(const char *name)
{
	int e = injected(SYS_SHM_UNLINK);

	if (e != 0) {
		return -e;
	}
	return sys.shm_unlink(name) < 0 ? -errno : 0;
}

int emu_sys_ftruncate(int fd, off_t len)
{
	int e = injected(SYS_FTRUNCATE);

	if (e != 0) {
		return -e;
	}
	return sys.ftruncate(fd, len) < 0 ? -errno : 0;
}

int emu_sys_fallocate(int fd, off_t len)
{
	int e = injected(SYS_FALLOCATE);

	if (e != 0) {
		return -e;
	}
	return sys.fallocate(fd, len) < 0 ? -errno : 0;
}

long emu_sys_pread(int fd, void *buf, size_t len, off_t off)
{
	int e = injected(SYS_PREAD);
	ssize_t n;

	if (e != 0) {
		return -e;
	}
	n = sys.pread(fd, buf, len, off);
	return n < 0 ? -errno : (long)n;
}

int emu_sys_fstat(int fd, struct stat *st)
{
	int e = injected(SYS_FSTAT);

	if (e != 0) {
		return -e;
	}
	return sys.fstat(fd, st) < 0 ? -errno : 0;
}

int emu_sys_mmap(int fd, size_t len, void **out)
{
	int e = injected(SYS_MMAP);
	void *p;

	if (e != 0) {
		return -e;
	}
	p = sys.mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		return -errno;
	}
	*out = p;
	return 0;
}

int emu_sys_munmap(void *p, size_t len)
{
	return sys.munmap(p, len) < 0 ? -errno : 0;
}

int emu_sys_close(int fd)
{
	return sys.close(fd) < 0 ? -errno : 0;
}

int emu_sys_dup(int fd)
{
	int e = injected(SYS_DUP);
	int r;

	if (e != 0) {
		return -e;
	}
	r = sys.dup(fd);
	return r < 0 ? -errno : r;
}

int emu_sys_eventfd(void)
{
	int e = injected(SYS_EVENTFD);
	int fd;

	if (e != 0) {
		return -e;
	}
	fd = sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int emu_sys_eventfd_write(int fd)
{
	const uint64_t one = 1;
	int e = injected(SYS_EVENTFD_WRITE);
	ssize_t n;

	if (e != 0) {
		return -e;
	}
	n = sys.write(fd, &one, sizeof(one));
	if (n < 0) {
		return -errno;
	}
	return n == (ssize_t)sizeof(one) ? 0 : -EIO;
}

int emu_sys_eventfd_read(int fd)
{
	uint64_t count;
	int e = injected(SYS_EVENTFD_READ);
	ssize_t n;

	if (e != 0) {
		return -e;
	}
	n = sys.read(fd, &count, sizeof(count));
	if (n < 0) {
		return -errno;
	}
	return n == (ssize_t)sizeof(count) ? 0 : -EIO;
}

int emu_sys_poll_in(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int e = injected(SYS_POLL);
	int n;

	if (e != 0) {
		return -e;
	}
	n = sys.poll(&p, 1, timeout_ms);
	if (n < 0) {
		return -errno;
	}
	/* POLLERR/POLLNVAL on an eventfd mean a broken descriptor, not a signal. */
	if (n > 0 && (p.revents & (POLLERR | POLLNVAL)) != 0) {
		return -EBADF;
	}
	return n > 0 ? 1 : 0;
}

int emu_sys_futex_wait(uint32_t *word, uint32_t seen, int timeout_ms)
{
	struct timespec ts;
	int e = injected(SYS_FUTEX_WAIT);

	if (e != 0) {
		return -e;
	}
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	}
	/* FUTEX_WAIT, not FUTEX_WAIT_PRIVATE: the word is in shm and the waker
	 * may be another process (platform notes 9). */
	return sys.futex(word, FUTEX_WAIT, seen, timeout_ms >= 0 ? &ts : NULL) < 0 ? -errno : 0;
}

int emu_sys_futex_wake(uint32_t *word)
{
	int e = injected(SYS_FUTEX_WAKE);
	long n;

	if (e != 0) {
		return -e;
	}
	n = sys.futex(word, FUTEX_WAKE, INT_MAX, NULL);
	return n < 0 ? -errno : (int)n;
}

/* ------------------------------------------------------------------ processes */

int emu_sys_proc_start(long pid, uint64_t *start)
{
	char path[64], buf[1024];
	const char *p;
	unsigned long long ticks = 0;
	char state = '?';
	ssize_t n;
	int fd, e;

	*start = 0;
	if (pid <= 0) {
		return -ESRCH;
	}
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT) {
			return -ESRCH;
		}
		/* No /proc (or hidden): the pid alone is all we can check. */
		if (kill((pid_t)pid, 0) == 0 || errno == EPERM) {
			return 0;
		}
		return -errno;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	e = errno;
	(void)sys.close(fd);
	if (n <= 0) {
		/* The process vanished between open and read (ESRCH) or /proc
		 * misbehaves: then it is alive as far as we can tell. */
		return n == 0 || e == ESRCH ? -ESRCH : 0;
	}
	buf[n] = '\0';
	/* "pid (comm) S ppid ... starttime(22) ...": comm may hold spaces and
	 * parentheses, the last ')' ends it. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %c", &state) != 1) {
		return 0;
	}
	if (state == 'Z' || state == 'X' || state == 'x') {
		return -ESRCH; /* dead, only not yet reaped */
	}
	/* Fields 3..21 (state .. itrealvalue), then starttime. */
	if (sscanf(p + 1,
		   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &ticks) == 1) {
		*start = (uint64_t)ticks;
	}
	return 0;
}

/* --------------------------------------------------------- IPC_EMU_INJECT */

static const struct {
	const char *name;
	int err;
} errno_names[] = {
	{"EPERM", EPERM},   {"ENOENT", ENOENT}, {"ESRCH", ESRCH},   {"EINTR", EINTR},
	{"EIO", EIO},       {"ENXIO", ENXIO},   {"E2BIG", E2BIG},   {"EBADF", EBADF},
	{"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM}, {"EACCES", EACCES}, {"EFAULT", EFAULT},
	{"EBUSY", EBUSY},   {"EEXIST", EEXIST}, {"ENODEV", ENODEV}, {"EINVAL", EINVAL},
	{"ENFILE", ENFILE}, {"EMFILE", EMFILE}, {"EFBIG", EFBIG},   {"ENOSPC", ENOSPC},
	{"EROFS", EROFS},   {"ENOSYS", ENOSYS}, {"EDQUOT", EDQUOT}, {"EOVERFLOW", EOVERFLOW},
	{"ETIMEDOUT", ETIMEDOUT}, {"EOPNOTSUPP", EOPNOTSUPP}, {"ENAMETOOLONG", ENAMETOOLONG},
};

static int parse_errno(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
		if (strlen(errno_names[i].name) == len && strncmp(errno_names[i].name, s, len) == 0) {
			return errno_names[i].err;
		}
	}
	if (len > 0 && len < 5 && strspn(s, "0123456789") >= len) {
		int v = atoi(s);

		return v > 0 && v < 4096 ? v : -1;
	}
	return -1;
}

static int call_index(const char *s, size_t len)
{
	for (int i = 0; i < SYS_N_CALLS; i++) {
		if (strlen(call_names[i]) == len && strncmp(call_names[i], s, len) == 0) {
			return i;
		}
	}
	return -1;
}

int emu_sys_inject_parse(const char *spec, char *err, size_t errlen)
{
	struct {
		int call, err;
		unsigned nth;
	} items[SYS_N_CALLS * 2];
	unsigned n = 0;
	const char *p = spec;
	char scratch[1];

	if (err == NULL || errlen == 0) {
		err = scratch;
		errlen = sizeof(scratch);
	}
	err[0] = '\0';
	if (spec == NULL) {
		return 0;
	}
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		const char *at = memchr(p, '@', len);
		size_t elen;
		int call, e;
		unsigned long nth = 1;

		if (len == 0 || colon == NULL || (at != NULL && at < colon)) {
			snprintf(err, errlen, "'%.*s' is not call:ERRNO[@N]", (int)len, p);
			return -EINVAL;
		}
		call = call_index(p, (size_t)(colon - p));
		if (call < 0) {
			char known[256];
			size_t k = 0;

			known[0] = '\0';
			for (int i = 0; i < SYS_N_CALLS && k < sizeof(known); i++) {
				k += (size_t)snprintf(known + k, sizeof(known) - k, "%s%s",
						      i ? ", " : "", call_names[i]);
			}
			snprintf(err, errlen, "unknown call '%.*s' (known: %s)", (int)(colon - p), p,
				 known);
			return -EINVAL;
		}
		elen = (size_t)((at != NULL ? at : p + len) - (colon + 1));
		e = parse_errno(colon + 1, elen);
		if (e < 0) {
			snprintf(err, errlen, "unknown errno '%.*s' in '%.*s' (use a name such as ENOSPC, or a number)",
				 (int)elen, colon + 1, (int)len, p);
			return -EINVAL;
		}
		if (at != NULL) {
			size_t nlen = (size_t)(p + len - (at + 1));
			char num[16];

			if (nlen == 0 || nlen >= sizeof(num) || strspn(at + 1, "0123456789") < nlen) {
				snprintf(err, errlen, "bad count in '%.*s' (N >= 1)", (int)len, p);
				return -EINVAL;
			}
			memcpy(num, at + 1, nlen);
			num[nlen] = '\0';
			nth = strtoul(num, NULL, 10);
			if (nth == 0 || nth > UINT_MAX) {
				snprintf(err, errlen, "bad count in '%.*s' (N >= 1)", (int)len, p);
				return -EINVAL;
			}
		}
		if (n == sizeof(items) / sizeof(items[0])) {
			snprintf(err, errlen, "too many entries");
			return -EINVAL;
		}
		items[n].call = call;
		items[n].err = e;
		items[n].nth = (unsigned)nth;
		n++;
		p += len;
		if (*p == ',') {
			p++;
			if (*p == '\0') {
				snprintf(err, errlen, "trailing ','");
				return -EINVAL;
			}
		}
	}
	for (unsigned i = 0; i < n; i++) {
		(void)emu_sys_inject(call_names[items[i].call], items[i].err, items[i].nth);
	}
	return 0;
}

/* Runs before main() in every program linked with emu/. */
__attribute__((constructor)) static void inject_from_environment(void)
{
	const char *spec = getenv("IPC_EMU_INJECT");
	char err[512];

	if (spec == NULL || spec[0] == '\0') {
		return;
	}
	if (emu_sys_inject_parse(spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "ipc-emu: IPC_EMU_INJECT: %s\n", err);
		fflush(stderr);
		_exit(2);
	}
}
