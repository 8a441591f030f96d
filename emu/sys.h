/*
 * sys.h - the system calls of emu/ behind one table, private to emu/ (and tests).
 *
 * Every wrapper returns >= 0 on success or a negative errno; each one is the
 * only place where errno of its call is read (SQLite's aSyscall[] idea: the
 * calls go through a table of function pointers, so that tests can make the
 * Nth call of a given kind fail with ENOSPC, EMFILE, EINTR ... and check that
 * every error path unwinds cleanly).  No wrapper retries EINTR: the caller
 * decides, because only the caller knows whether a retry is safe.
 *
 * All wrappers are thread-safe.
 */
#ifndef IPC_EMU_EMU_SYS_H
#define IPC_EMU_EMU_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* shm_open(name, flags, mode): a file descriptor (close-on-exec). */
int emu_sys_shm_open(const char *name, int flags, mode_t mode);
/* shm_unlink(name): 0. */
int emu_sys_shm_unlink(const char *name);
/* ftruncate(fd, len): 0. */
int emu_sys_ftruncate(int fd, off_t len);
/* fallocate(fd, 0, 0, len): 0; reserves tmpfs pages so that a full /dev/shm
 * fails here with -ENOSPC instead of SIGBUS on first touch.  -EOPNOTSUPP on a
 * file system without fallocate. */
int emu_sys_fallocate(int fd, off_t len);
/* pread(fd, buf, len, off): the number of bytes read. */
long emu_sys_pread(int fd, void *buf, size_t len, off_t off);
/* fstat(fd, st): 0. */
int emu_sys_fstat(int fd, struct stat *st);
/* mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0) into *out: 0. */
int emu_sys_mmap(int fd, size_t len, void **out);
/* munmap(p, len): 0.  Not injectable (nothing can be unwound after it). */
int emu_sys_munmap(void *p, size_t len);
/* close(fd): 0.  Not injectable; the descriptor is released even on error. */
int emu_sys_close(int fd);
/* fcntl(fd, F_DUPFD_CLOEXEC, 0): the new descriptor. */
int emu_sys_dup(int fd);
/* eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK): a file descriptor. */
int emu_sys_eventfd(void);
/* write(fd, 1 as uint64_t): 0 (eventfd signal). */
int emu_sys_eventfd_write(int fd);
/* read(fd, 8 bytes): 0, the counter is reset (-EAGAIN if it was 0). */
int emu_sys_eventfd_read(int fd);
/* poll() one descriptor for POLLIN: 1 readable, 0 timed out. timeout_ms < 0 waits forever. */
int emu_sys_poll_in(int fd, int timeout_ms);
/* FUTEX_WAIT (shared, never _PRIVATE: the word lives in shm) on *word while
 * it holds `seen`: 0 woken (maybe spuriously), -EAGAIN (value differed),
 * -ETIMEDOUT, -EINTR.  timeout_ms < 0 waits forever. */
int emu_sys_futex_wait(uint32_t *word, uint32_t seen, int timeout_ms);
/* FUTEX_WAKE (shared) all waiters on *word: the number woken. */
int emu_sys_futex_wake(uint32_t *word);

/* Is process `pid` running?  0: yes, *start = its start time (clock ticks
 * since boot, field 22 of /proc/<pid>/stat; 0 when /proc cannot tell and
 * kill(pid, 0) answered instead).  -ESRCH: no such process, or a zombie
 * (dead, not yet reaped).  Not injectable. */
int emu_sys_proc_start(long pid, uint64_t *start);

/*
 * Test hook: make the nth next call (nth >= 1, counted from now, per call
 * name) of `call` fail with -err, once.  nth == 0 disarms it.  Names:
 * "shm_open", "shm_unlink", "ftruncate", "fallocate", "pread", "fstat", "mmap",
 * "dup", "eventfd", "eventfd_write", "eventfd_read", "poll", "futex_wait",
 * "futex_wake".  An injected failure has no side effect (the real call is not
 * made).  Returns 0, -ENOENT (unknown name), -EINVAL (err <= 0).
 * Process-wide; any thread.
 */
int emu_sys_inject(const char *call, int err, unsigned nth);

/*
 * Arm injections from a specification "call:ERRNO[@N][,call:ERRNO[@N]...]":
 * ERRNO is a name (ENOSPC, EMFILE, EINTR, ...) or a positive number, N
 * (default 1) the call that fails, counted from now.  A later entry for the
 * same call replaces an earlier one.  On error nothing is armed, err gets one
 * line (no trailing newline) and the result is -EINVAL.
 *
 * At start-up every program linked with emu/ arms what the environment
 * variable IPC_EMU_INJECT says; if it cannot be parsed the program prints
 * "ipc-emu: IPC_EMU_INJECT: <why>" and exits with status 2 before main().
 */
int emu_sys_inject_parse(const char *spec, char *err, size_t errlen);

#endif /* IPC_EMU_EMU_SYS_H */
