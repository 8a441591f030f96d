/*
 * segment.c - shared-memory segments: the memory image (<name>-mem) and the
 * control block (<name>-ctl, layout in ctl.h), created, attached (by name or
 * by inherited descriptors), unlinked and closed.
 *
 * The creator makes both objects with O_EXCL and mode 0600, sizes them,
 * reserves their pages (so a full /dev/shm is an error now, not a SIGBUS
 * later), fills the control header and publishes its magic last.  An
 * attacher trusts nothing in the header: it reads it once after the magic,
 * validates every field against the objects' real sizes, and works from its
 * own copy.
 *
 * Not thread-safe, except the read-only getters, emu_segment_ptr() and the
 * role claims, which any thread may call while the segment is open.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctl.h"
#include "ipc_emu/emu.h"
#include "port.h"
#include "sys.h"
#include "zephyr_stack.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* "/" + name + "-mem" + NUL */
#define SHM_PATH_LEN (1 + EMU_CTL_NAME_LEN + 4)
/* Default names: attempts before giving up on stale objects of a dead pid. */
#define DEFAULT_NAME_TRIES 64

struct emu_segment {
	char name[EMU_CTL_NAME_LEN];
	/* Validated copies of the header: the shared header may change under us. */
	uint64_t base;
	uint32_t size;
	enum emu_doorbell doorbell;
	bool owner;    /* created here: close() unlinks */
	bool unlinked; /* both names removed by this object */
	int mem_fd;
	int ctl_fd;
	int efd[2];
	uint8_t *mem;
	struct emu_ctl *ctl;
	atomic_bool role_busy[2];
	/* The doorbell record of each role: &ctl->role[r], or in a view of a
	 * SoC segment the interrupt context of the role's core. */
	struct emu_ctl_role *rec[2];
	bool view;        /* a link of a SoC segment: close() frees this object only */
	int soc_core[2];  /* view: the core index of each role; else -1 */
};

struct emu_soc {
	char name[EMU_CTL_NAME_LEN];
	uint64_t base;
	uint32_t size;
	enum emu_doorbell doorbell;
	bool owner, unlinked;
	unsigned n_core, n_link;
	size_t ctl_len;
	int mem_fd, ctl_fd;
	int efd[EMU_SOC_MAX_CORES];
	uint8_t *mem;
	struct emu_soc_ctl *ctl;
	struct emu_soc_link_rec link[EMU_SOC_MAX_LINKS]; /* validated copies */
};

static atomic_uint default_name_counter;

static bool valid_role(enum emu_role role)
{
	return role == EMU_ROLE_HOST || role == EMU_ROLE_REMOTE;
}

static bool valid_name(const char *name)
{
	size_t len = strnlen(name, EMU_CTL_NAME_LEN);

	return len > 0 && len < EMU_CTL_NAME_LEN && strchr(name, '/') == NULL;
}

static void shm_path(char out[SHM_PATH_LEN], const char *name, const char *suffix)
{
	snprintf(out, SHM_PATH_LEN, "/%s%s", name, suffix);
}

static struct emu_segment *segment_alloc(void)
{
	struct emu_segment *s = calloc(1, sizeof(*s));

	if (s != NULL) {
		s->mem_fd = -1;
		s->ctl_fd = -1;
		s->efd[0] = -1;
		s->efd[1] = -1;
		s->soc_core[0] = -1;
		s->soc_core[1] = -1;
	}
	return s;
}

/* A plain segment's doorbell records are its own. */
static void own_records(struct emu_segment *s)
{
	s->rec[0] = &s->ctl->role[0];
	s->rec[1] = &s->ctl->role[1];
}

/* Create a new object of exactly `len` bytes with reserved pages; returns its fd. */
static int object_create(const char *name, const char *suffix, size_t len)
{
	char path[SHM_PATH_LEN];
	int fd, r;

	shm_path(path, name, suffix);
	fd = emu_sys_shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		return fd;
	}
	r = emu_sys_ftruncate(fd, (off_t)len);
	if (r < 0) {
		goto remove_object;
	}
	do {
		r = emu_sys_fallocate(fd, (off_t)len);
	} while (r == -EINTR);
	if (r == -EOPNOTSUPP) {
		r = 0; /* not tmpfs: pages come on demand, as with plain ftruncate */
	}
	if (r < 0) {
		goto remove_object;
	}
	return fd;

remove_object:
	(void)emu_sys_shm_unlink(path);
	(void)emu_sys_close(fd);
	return r;
}

static int object_open(const char *name, const char *suffix)
{
	char path[SHM_PATH_LEN];

	shm_path(path, name, suffix);
	return emu_sys_shm_open(path, O_RDWR | O_CLOEXEC, 0);
}

/* 0 when the object behind fd has exactly `len` bytes, else -EPROTO. */
static int object_check_size(int fd, uint64_t len)
{
	struct stat st;
	int r = emu_sys_fstat(fd, &st);

	if (r < 0) {
		return r;
	}
	return st.st_size >= 0 && (uint64_t)st.st_size == len ? 0 : -EPROTO;
}

static int cfg_validate(const struct emu_segment_cfg *cfg)
{
	if (cfg->name != NULL && !valid_name(cfg->name)) {
		return -EINVAL;
	}
	if (cfg->mem_size == 0 || cfg->mem_base > UINT64_MAX - (cfg->mem_size - 1u)) {
		return -EINVAL;
	}
	if (cfg->doorbell != EMU_DOORBELL_FUTEX && cfg->doorbell != EMU_DOORBELL_EVENTFD) {
		return -EINVAL;
	}
	return 0;
}

/* Helgrind/DRD do not understand C11 atomics: the role words are accessed only
 * through them (platform notes 7).  No-op outside Valgrind. */
static void annotate_ctl(struct emu_ctl *ctl)
{
	for (unsigned i = 0; i < 2; i++) {
		VALGRIND_HG_DISABLE_CHECKING(&ctl->role[i], sizeof(ctl->role[i]));
	}
}

/* Who we are, in a form that survives pid reuse (ctl.h, EMU_CTL_OWNER_ID). */
static uint64_t self_owner_id(void)
{
	pid_t pid = getpid();
	uint64_t start = 0;

	(void)emu_sys_proc_start((long)pid, &start);
	return EMU_CTL_OWNER_ID(pid, start);
}

/* First words of a new control block, right after it is mapped: enough for
 * `ipc-emu clean` to recognise it and find its creator even if the creator
 * dies before it is complete.  Attachers still see "not ready". */
static void header_init(struct emu_segment *s)
{
	struct emu_ctl_hdr *h = &s->ctl->hdr;

	h->version = EMU_CTL_VERSION;
	h->ctl_size = (uint32_t)sizeof(struct emu_ctl);
	h->creator_pid = (uint32_t)getpid();
	h->creator_id = self_owner_id();
	memcpy(h->name, s->name, sizeof(h->name));
	ipc_store_release(&h->magic, EMU_CTL_MAGIC_INIT);
}

static void header_publish(struct emu_segment *s)
{
	struct emu_ctl_hdr *h = &s->ctl->hdr;

	h->doorbell = (uint32_t)s->doorbell;
	h->mem_base = s->base;
	h->mem_size = s->size;
	/* Pairs with the ipc_load_acquire() of the magic in header_read(): an
	 * attacher that sees the magic sees every field above. */
	ipc_store_release(&h->magic, EMU_CTL_MAGIC);
}

static void remove_object(const char *name, const char *suffix, int fd)
{
	char path[SHM_PATH_LEN];

	shm_path(path, name, suffix);
	(void)emu_sys_shm_unlink(path);
	(void)emu_sys_close(fd);
}

/*
 * The control block comes first and is stamped at once (header_init), the
 * memory image second: whatever a creator killed half-way leaves behind is
 * a control block that names its dead creator (`ipc-emu clean` removes it),
 * except in the few system calls between creating <name>-ctl and stamping it.
 */
static int create_named(const struct emu_segment_cfg *cfg, const char *name,
			struct emu_segment **out)
{
	struct emu_segment *s = segment_alloc();
	void *map;
	int r;

	if (s == NULL) {
		return -ENOMEM;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->base = cfg->mem_base;
	s->size = cfg->mem_size;
	s->doorbell = cfg->doorbell;
	s->owner = true;

	r = object_create(s->name, "-ctl", sizeof(struct emu_ctl));
	if (r < 0) {
		goto free_segment;
	}
	s->ctl_fd = r;
	r = emu_sys_mmap(s->ctl_fd, sizeof(struct emu_ctl), &map);
	if (r < 0) {
		goto remove_ctl;
	}
	s->ctl = map;
	own_records(s);
	header_init(s);

	r = object_create(s->name, "-mem", s->size);
	if (r < 0) {
		goto unmap_ctl;
	}
	s->mem_fd = r;
	r = emu_sys_mmap(s->mem_fd, s->size, &map);
	if (r < 0) {
		goto remove_mem;
	}
	s->mem = map;

	if (s->doorbell == EMU_DOORBELL_EVENTFD) {
		r = emu_sys_eventfd();
		if (r < 0) {
			goto unmap_mem;
		}
		s->efd[EMU_ROLE_HOST] = r;
		r = emu_sys_eventfd();
		if (r < 0) {
			goto close_host_efd;
		}
		s->efd[EMU_ROLE_REMOTE] = r;
	}

	annotate_ctl(s->ctl);
	header_publish(s);
	*out = s;
	return 0;

close_host_efd:
	(void)emu_sys_close(s->efd[EMU_ROLE_HOST]);
unmap_mem:
	(void)emu_sys_munmap(s->mem, s->size);
remove_mem:
	remove_object(s->name, "-mem", s->mem_fd);
unmap_ctl:
	(void)emu_sys_munmap(s->ctl, sizeof(struct emu_ctl));
remove_ctl:
	remove_object(s->name, "-ctl", s->ctl_fd);
free_segment:
	free(s);
	return r;
}

int emu_segment_create(const struct emu_segment_cfg *cfg, struct emu_segment **out)
{
	char name[EMU_CTL_NAME_LEN];
	int r;

	if (cfg == NULL || out == NULL) {
		return -EINVAL;
	}
	r = cfg_validate(cfg);
	if (r < 0) {
		return r;
	}
	if (cfg->name != NULL) {
		return create_named(cfg, cfg->name, out);
	}
	/* A default name can collide with leftovers of a dead process that had
	 * our pid: skip those rather than fail. */
	for (unsigned i = 0; i < DEFAULT_NAME_TRIES; i++) {
		snprintf(name, sizeof(name), "ipc-emu-%ld-%u", (long)getpid(),
			 atomic_fetch_add_explicit(&default_name_counter, 1, memory_order_relaxed));
		r = create_named(cfg, name, out);
		if (r != -EEXIST) {
			break;
		}
	}
	return r;
}

/*
 * Read the shared header once and validate it; the segment keeps the copy.
 * expect_name: the name the control block was opened by, or NULL (fds).
 */
static int header_read(struct emu_segment *s, const char *expect_name)
{
	struct emu_ctl_hdr h;

	/* Pairs with the ipc_store_release() in header_publish(). */
	if (ipc_load_acquire(&s->ctl->hdr.magic) != EMU_CTL_MAGIC) {
		return -EPROTO;
	}
	memcpy(&h, &s->ctl->hdr, sizeof(h));
	if (h.version != EMU_CTL_VERSION || h.ctl_size != sizeof(struct emu_ctl)) {
		return -EPROTO;
	}
	if (h.doorbell != EMU_DOORBELL_FUTEX && h.doorbell != EMU_DOORBELL_EVENTFD) {
		return -EPROTO;
	}
	if (h.mem_size == 0 || h.mem_base > UINT64_MAX - (h.mem_size - 1u)) {
		return -EPROTO;
	}
	if (memchr(h.name, '\0', sizeof(h.name)) == NULL || !valid_name(h.name)) {
		return -EPROTO;
	}
	if (expect_name != NULL && strcmp(h.name, expect_name) != 0) {
		return -EPROTO;
	}
	memcpy(s->name, h.name, sizeof(s->name));
	s->base = h.mem_base;
	s->size = h.mem_size;
	s->doorbell = (enum emu_doorbell)h.doorbell;
	return 0;
}

/* Map and validate both objects behind s->ctl_fd and s->mem_fd. */
static int attach_map(struct emu_segment *s, const char *expect_name)
{
	void *map;
	int r;

	r = object_check_size(s->ctl_fd, sizeof(struct emu_ctl));
	if (r < 0) {
		return r;
	}
	r = emu_sys_mmap(s->ctl_fd, sizeof(struct emu_ctl), &map);
	if (r < 0) {
		return r;
	}
	s->ctl = map;
	own_records(s);
	r = header_read(s, expect_name);
	if (r < 0) {
		goto unmap_ctl;
	}
	r = object_check_size(s->mem_fd, s->size);
	if (r < 0) {
		goto unmap_ctl;
	}
	r = emu_sys_mmap(s->mem_fd, s->size, &map);
	if (r < 0) {
		goto unmap_ctl;
	}
	s->mem = map;
	annotate_ctl(s->ctl);
	return 0;

unmap_ctl:
	(void)emu_sys_munmap(s->ctl, sizeof(struct emu_ctl));
	s->ctl = NULL;
	return r;
}

int emu_segment_attach(const char *name, struct emu_segment **out)
{
	struct emu_segment *s;
	int r;

	if (name == NULL || out == NULL || !valid_name(name)) {
		return -EINVAL;
	}
	s = segment_alloc();
	if (s == NULL) {
		return -ENOMEM;
	}
	r = object_open(name, "-ctl");
	if (r < 0) {
		goto free_segment;
	}
	s->ctl_fd = r;
	r = object_open(name, "-mem");
	if (r < 0) {
		goto close_ctl;
	}
	s->mem_fd = r;
	r = attach_map(s, name);
	if (r < 0) {
		goto close_mem;
	}
	/* Eventfds cannot be found by name: such a segment can be inspected but
	 * cannot run a core (emu_core_start() answers -EOPNOTSUPP). */
	*out = s;
	return 0;

close_mem:
	(void)emu_sys_close(s->mem_fd);
close_ctl:
	(void)emu_sys_close(s->ctl_fd);
free_segment:
	free(s);
	return r;
}

int emu_segment_attach_fds(const struct emu_segment_fds *fds, struct emu_segment **out)
{
	struct emu_segment *s;
	int r;

	if (fds == NULL || out == NULL) {
		return -EINVAL;
	}
	s = segment_alloc();
	if (s == NULL) {
		return -ENOMEM;
	}
	r = emu_sys_dup(fds->ctl);
	if (r < 0) {
		goto free_segment;
	}
	s->ctl_fd = r;
	r = emu_sys_dup(fds->mem);
	if (r < 0) {
		goto close_ctl;
	}
	s->mem_fd = r;
	r = attach_map(s, NULL);
	if (r < 0) {
		goto close_mem;
	}
	if (s->doorbell == EMU_DOORBELL_EVENTFD) {
		/* A missing eventfd (-1) is allowed: the segment then behaves as one
		 * attached by name. */
		if (fds->efd[EMU_ROLE_HOST] >= 0) {
			r = emu_sys_dup(fds->efd[EMU_ROLE_HOST]);
			if (r < 0) {
				goto unmap;
			}
			s->efd[EMU_ROLE_HOST] = r;
		}
		if (fds->efd[EMU_ROLE_REMOTE] >= 0) {
			r = emu_sys_dup(fds->efd[EMU_ROLE_REMOTE]);
			if (r < 0) {
				goto close_host_efd;
			}
			s->efd[EMU_ROLE_REMOTE] = r;
		}
	}
	*out = s;
	return 0;

close_host_efd:
	if (s->efd[EMU_ROLE_HOST] >= 0) {
		(void)emu_sys_close(s->efd[EMU_ROLE_HOST]);
	}
unmap:
	(void)emu_sys_munmap(s->mem, s->size);
	(void)emu_sys_munmap(s->ctl, sizeof(struct emu_ctl));
close_mem:
	(void)emu_sys_close(s->mem_fd);
close_ctl:
	(void)emu_sys_close(s->ctl_fd);
free_segment:
	free(s);
	return r;
}

void emu_segment_get_fds(const struct emu_segment *s, struct emu_segment_fds *out)
{
	out->mem = s->mem_fd;
	out->ctl = s->ctl_fd;
	out->efd[0] = s->efd[0];
	out->efd[1] = s->efd[1];
}

/* Unlink both names: 0 if at least one existed, -ENOENT if none, else the
 * first other error (the other name is still attempted). */
static int unlink_both(const char *name)
{
	static const char *const suffixes[] = {"-mem", "-ctl"};
	char path[SHM_PATH_LEN];
	int result = -ENOENT;

	for (unsigned i = 0; i < 2; i++) {
		int r;

		shm_path(path, name, suffixes[i]);
		r = emu_sys_shm_unlink(path);
		if (r == 0 && result == -ENOENT) {
			result = 0;
		} else if (r < 0 && r != -ENOENT && (result == 0 || result == -ENOENT)) {
			result = r;
		}
	}
	return result;
}

int emu_segment_unlink(struct emu_segment *s)
{
	int r;

	if (s == NULL) {
		return -EINVAL;
	}
	if (s->unlinked || s->view) {
		return 0;
	}
	r = unlink_both(s->name);
	if (r == -ENOENT) {
		r = 0; /* someone else removed them already */
	}
	if (r == 0) {
		s->unlinked = true;
	}
	return r;
}

int emu_segment_unlink_name(const char *name)
{
	if (name == NULL || !valid_name(name)) {
		return -EINVAL;
	}
	return unlink_both(name);
}

void emu_segment_close(struct emu_segment *s)
{
	if (s == NULL) {
		return;
	}
	if (s->view) {
		for (unsigned i = 0; i < 2; i++) {
			if (atomic_load(&s->role_busy[i])) {
				port_log(PORT_LOG_ERR, "link view %s closed while its %s core still "
					 "runs", s->name, i == EMU_ROLE_HOST ? "host" : "remote");
			}
		}
		free(s);
		return;
	}
	for (unsigned i = 0; i < 2; i++) {
		if (atomic_load(&s->role_busy[i])) {
			port_log(PORT_LOG_ERR, "segment %s closed while the %s core still runs",
				 s->name, i == EMU_ROLE_HOST ? "host" : "remote");
		}
	}
	if (s->owner) {
		int r = emu_segment_unlink(s);

		if (r < 0) {
			port_log(PORT_LOG_WRN, "segment %s: unlink failed (%d)", s->name, r);
		}
	}
	for (unsigned i = 0; i < 2; i++) {
		if (s->efd[i] >= 0) {
			(void)emu_sys_close(s->efd[i]);
		}
	}
	(void)emu_sys_munmap(s->mem, s->size);
	(void)emu_sys_munmap(s->ctl, sizeof(struct emu_ctl));
	(void)emu_sys_close(s->mem_fd);
	(void)emu_sys_close(s->ctl_fd);
	free(s);
}

/* What holds [lo, hi) in this process, from /proc/self/maps ("" if unknown),
 * so that a taken devicetree address names its taker. */
static void taken_by(uint64_t lo, uint64_t hi, char *out, size_t outlen)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];

	out[0] = '\0';
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long long a, b;
		int at = 0;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &a, &b, &at) >= 2 && a < hi &&
		    b > lo) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, outlen, " (by 0x%llx-0x%llx %s)", a, b - 1,
				 at > 0 && line[at] != '\0' ? line + at : "[anonymous]");
			break;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
}

/* The Zephyr-stack mode (zephyr_stack.h): Zephyr's sources build their
 * shared-memory pointers from DT_REG_ADDR at compile time, so the image
 * must live at the devicetree's addresses in this process. */
/* Map the image behind `fd` ([base, base+size)) at its devicetree address in
 * this process, in place of the mapping at *mem. */
static int map_at_base(uint64_t base, uint32_t size, int fd, uint8_t **mem, char *err,
		       size_t errlen)
{
	uintptr_t want = (uintptr_t)base;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if ((uint64_t)want != base || base + size > (uint64_t)UINTPTR_MAX ||
	    (page > 0 && want % (uintptr_t)page != 0)) {
		snprintf(err, errlen, "the memory image at 0x%llx+0x%x cannot be mapped at its "
			 "devicetree address in this process (not page-aligned or out of range)",
			 (unsigned long long)base, size);
		return -EINVAL;
	}
	if ((uint8_t *)want == *mem) {
		return 0;
	}
	p = mmap((void *)want, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
		 0);
	if (p == MAP_FAILED || p != (void *)want) {
		int e = p == MAP_FAILED ? errno : EEXIST;
		char by[160];

		if (p != MAP_FAILED) {
			/* A kernel without MAP_FIXED_NOREPLACE took it as a hint. */
			(void)munmap(p, size);
		}
		taken_by(base, base + size, by, sizeof(by));
		snprintf(err, errlen, "cannot map the memory image at its devicetree address "
			 "0x%llx-0x%llx: %s%s", (unsigned long long)base,
			 (unsigned long long)(base + size - 1),
			 e == EEXIST ? "the address range is taken in this process" : strerror(e),
			 e == EEXIST ? by : "");
		return -e;
	}
	(void)emu_sys_munmap(*mem, size);
	*mem = p;
	return 0;
}

int zshim_segment_map_at_base(struct emu_segment *s, char *err, size_t errlen)
{
	if (s->view) {
		snprintf(err, errlen, "a link of a multi-core SoC segment cannot be mapped at its "
			 "devicetree address (map the SoC segment: emu_soc_map_at_base)");
		return -EOPNOTSUPP;
	}
	return map_at_base(s->base, s->size, s->mem_fd, &s->mem, err, errlen);
}

/* A region of the image for zshim_segment_map_cached(). */
struct zregion {
	uint64_t addr, size;
	uint32_t line;
};

static int zregion_cmp(const void *a, const void *b)
{
	const struct zregion *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int zshim_segment_map_cached(struct emu_segment *s, struct emu_cache *c,
			     const struct emu_dt_plan *plan, char *err, size_t errlen)
{
	struct zregion r[2 * EMU_DT_MAX_INST];
	uintptr_t want = (uintptr_t)s->base;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t at, end = s->base + s->size;
	uint32_t gap_line = 4;
	unsigned n = 0;
	void *p;

	if (s->view) {
		snprintf(err, errlen, "--cache-model: not supported on a link of a multi-core SoC "
			 "segment");
		return -EOPNOTSUPP;
	}
	if ((uint64_t)want != s->base || end > (uint64_t)UINTPTR_MAX ||
	    (page > 0 && want % (uintptr_t)page != 0) || (uint8_t *)want == s->mem) {
		snprintf(err, errlen, "--cache-model: the memory image at 0x%llx+0x%x cannot be "
			 "mapped at its devicetree address in this process (not page-aligned, out "
			 "of range, or already mapped there)",
			 (unsigned long long)s->base, s->size);
		return -EINVAL;
	}
	for (unsigned i = 0; i < plan->n_inst && n + 2 <= 2 * EMU_DT_MAX_INST; i++) {
		uint32_t line = plan->inst[i].dcache_alignment < 4 ? 4 : plan->inst[i].dcache_alignment;

		r[n++] = (struct zregion){plan->inst[i].tx.addr, plan->inst[i].tx.size, line};
		r[n++] = (struct zregion){plan->inst[i].rx.addr, plan->inst[i].rx.size, line};
		gap_line = line > gap_line ? line : gap_line;
	}
	qsort(r, n, sizeof(r[0]), zregion_cmp);
	for (unsigned i = 0; i < n; i++) {
		if (r[i].addr < s->base || r[i].size > end - r[i].addr ||
		    (i > 0 && r[i].addr < r[i - 1].addr + r[i - 1].size)) {
			snprintf(err, errlen, "--cache-model: the region at 0x%llx+0x%llx overlaps "
				 "another or leaves the memory image: not modelled in Zephyr-stack "
				 "mode", (unsigned long long)r[i].addr, (unsigned long long)r[i].size);
			return -EINVAL;
		}
	}
	p = mmap((void *)want, s->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != (void *)want) {
		int e = p == MAP_FAILED ? errno : EEXIST;
		char by[160];

		if (p != MAP_FAILED) {
			(void)munmap(p, s->size);
		}
		taken_by(s->base, end, by, sizeof(by));
		snprintf(err, errlen, "cannot map the cache model's view at the devicetree "
			 "address 0x%llx-0x%llx: %s%s", (unsigned long long)s->base,
			 (unsigned long long)(end - 1),
			 e == EEXIST ? "the address range is taken in this process" : strerror(e),
			 e == EEXIST ? by : "");
		return -e;
	}
	/* Regions (evicted at random) and the gaps around them (not). */
	at = s->base;
	for (unsigned i = 0; i <= n; i++) {
		uint64_t gap_end = i < n ? r[i].addr : end;
		bool ok = true;

		if (gap_end > at) {
			ok = zshim_cache_map_at(c, s->mem + (at - s->base), at, (size_t)(gap_end - at),
						gap_line, (void *)(uintptr_t)at, false) != NULL;
		}
		if (ok && i < n && r[i].size > 0) {
			ok = zshim_cache_map_at(c, s->mem + (r[i].addr - s->base), r[i].addr,
						(size_t)r[i].size, r[i].line,
						(void *)(uintptr_t)r[i].addr, true) != NULL;
		}
		if (!ok) {
			snprintf(err, errlen, "--cache-model: cannot build the view at 0x%llx "
				 "(dcache-alignment above 4096, or out of memory)",
				 (unsigned long long)(i < n ? r[i].addr : at));
			return -ENOMEM;
		}
		if (i < n) {
			at = r[i].addr + r[i].size;
		}
	}
	return 0;
}

const char *emu_segment_name(const struct emu_segment *s)
{
	return s->name;
}

enum emu_doorbell emu_segment_doorbell(const struct emu_segment *s)
{
	return s->doorbell;
}

uint64_t emu_segment_base(const struct emu_segment *s)
{
	return s->base;
}

uint32_t emu_segment_size(const struct emu_segment *s)
{
	return s->size;
}

void *emu_segment_ptr(const struct emu_segment *s, uint64_t addr, uint64_t len)
{
	uint64_t off;

	if (s == NULL || addr < s->base) {
		return NULL;
	}
	off = addr - s->base;
	/* No addr + len: that sum may wrap. */
	if (off >= s->size || len > (uint64_t)s->size - off) {
		return NULL;
	}
	return s->mem + off;
}

void *emu_segment_app_area(const struct emu_segment *s, enum emu_role role)
{
	if (s == NULL || !valid_role(role)) {
		return NULL;
	}
	return s->ctl->app[role];
}

void emu_segment_peer_status(const struct emu_segment *s, enum emu_role role,
			     struct emu_peer_status *out)
{
	const struct emu_ctl_role *r;

	if (s == NULL || !valid_role(role)) {
		*out = (struct emu_peer_status){0};
		return;
	}
	r = s->rec[role];
	/* Status words are independent; relaxed loads (written by the peer's
	 * emu_core_start() and interrupt thread). */
	out->pid = ipc_load_relaxed(&r->pid);
	out->boot_count = ipc_load_relaxed(&r->boot_count);
	out->heartbeat = ctl_load64_relaxed(&r->heartbeat);
}

struct emu_ctl *emu_segment_ctl(const struct emu_segment *s)
{
	return s->ctl;
}

int emu_segment_efd(const struct emu_segment *s, enum emu_role role)
{
	return valid_role(role) ? s->efd[role] : -1;
}

int emu_segment_claim_role(struct emu_segment *s, enum emu_role role)
{
	bool expected = false;

	if (!valid_role(role)) {
		return -EINVAL;
	}
	if (!atomic_compare_exchange_strong(&s->role_busy[role], &expected, true)) {
		return -EBUSY;
	}
	/* Before the core records its pid: from now on `ipc-emu clean` knows
	 * this process uses the segment. */
	ctl_store64_relaxed(&s->ctl->hdr.role_owner[role], self_owner_id());
	return 0;
}

void emu_segment_release_role(struct emu_segment *s, enum emu_role role)
{
	if (valid_role(role)) {
		atomic_store(&s->role_busy[role], false);
	}
}

/* ------------------------------------------------------------------ SoC segments */

static atomic_uint soc_name_counter;

/* The link records, read once and checked against the image. */
static int soc_links_valid(const struct emu_soc *soc, const struct emu_soc_link_rec *rec)
{
	for (unsigned i = 0; i < soc->n_link; i++) {
		const struct emu_soc_link_rec *l = &rec[i];

		if (l->size == 0 || l->base < soc->base || l->size > soc->size ||
		    l->base - soc->base > soc->size - l->size || l->core[0] >= soc->n_core ||
		    l->core[1] >= soc->n_core || l->core[0] == l->core[1]) {
			return -EPROTO;
		}
	}
	return 0;
}

static void soc_annotate(struct emu_soc *soc)
{
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		VALGRIND_HG_DISABLE_CHECKING(&soc->ctl->core[i], sizeof(soc->ctl->core[i]));
	}
	for (unsigned i = 0; i < soc->n_link; i++) {
		annotate_ctl(&soc->ctl->link[i]);
	}
}

static struct emu_soc *soc_alloc(void)
{
	struct emu_soc *soc = calloc(1, sizeof(*soc));

	if (soc != NULL) {
		soc->mem_fd = -1;
		soc->ctl_fd = -1;
		for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
			soc->efd[i] = -1;
		}
	}
	return soc;
}

static void soc_free(struct emu_soc *soc)
{
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		if (soc->efd[i] >= 0) {
			(void)emu_sys_close(soc->efd[i]);
		}
	}
	if (soc->mem != NULL) {
		(void)emu_sys_munmap(soc->mem, soc->size);
	}
	if (soc->ctl != NULL) {
		(void)emu_sys_munmap(soc->ctl, soc->ctl_len);
	}
	if (soc->mem_fd >= 0) {
		(void)emu_sys_close(soc->mem_fd);
	}
	if (soc->ctl_fd >= 0) {
		(void)emu_sys_close(soc->ctl_fd);
	}
	free(soc);
}

static int soc_cfg_validate(const struct emu_soc_cfg *cfg)
{
	struct emu_soc t = {.base = cfg->mem_base, .size = cfg->mem_size,
			    .n_core = cfg->n_core, .n_link = cfg->n_link};

	if (cfg->mem_size == 0 || cfg->mem_base > UINT64_MAX - (cfg->mem_size - 1u) ||
	    (cfg->doorbell != EMU_DOORBELL_FUTEX && cfg->doorbell != EMU_DOORBELL_EVENTFD) ||
	    cfg->n_core < 2 || cfg->n_core > EMU_SOC_MAX_CORES || cfg->n_link < 1 ||
	    cfg->n_link > EMU_SOC_MAX_LINKS) {
		return -EINVAL;
	}
	for (unsigned i = 0; i < cfg->n_link; i++) {
		if (cfg->link[i].core[0] >= cfg->n_core || cfg->link[i].core[1] >= cfg->n_core) {
			return -EINVAL;
		}
		t.link[i] = (struct emu_soc_link_rec){
			.base = cfg->link[i].base,
			.size = cfg->link[i].size,
			.core = {(uint8_t)cfg->link[i].core[0], (uint8_t)cfg->link[i].core[1]},
		};
	}
	return soc_links_valid(&t, t.link) == 0 ? 0 : -EINVAL;
}

int emu_soc_create(const struct emu_soc_cfg *cfg, struct emu_soc **out)
{
	struct emu_soc *soc;
	struct emu_ctl_hdr *h;
	void *map;
	int r;

	if (cfg == NULL || out == NULL) {
		return -EINVAL;
	}
	r = soc_cfg_validate(cfg);
	if (r < 0) {
		return r;
	}
	soc = soc_alloc();
	if (soc == NULL) {
		return -ENOMEM;
	}
	soc->base = cfg->mem_base;
	soc->size = cfg->mem_size;
	soc->doorbell = cfg->doorbell;
	soc->n_core = cfg->n_core;
	soc->n_link = cfg->n_link;
	soc->ctl_len = EMU_SOC_CTL_SIZE(cfg->n_link);
	soc->owner = true;
	/* As emu_segment_create(): skip leftovers of a dead process with our pid. */
	r = -EEXIST;
	for (unsigned i = 0; i < DEFAULT_NAME_TRIES && r == -EEXIST; i++) {
		snprintf(soc->name, sizeof(soc->name), "ipc-emu-%ld-soc%u", (long)getpid(),
			 atomic_fetch_add_explicit(&soc_name_counter, 1, memory_order_relaxed));
		r = object_create(soc->name, "-ctl", soc->ctl_len);
	}
	if (r < 0) {
		free(soc);
		return r;
	}
	soc->ctl_fd = r;
	r = emu_sys_mmap(soc->ctl_fd, soc->ctl_len, &map);
	if (r < 0) {
		goto fail;
	}
	soc->ctl = map;
	h = &soc->ctl->hdr;
	h->version = EMU_CTL_VERSION;
	h->ctl_size = (uint32_t)soc->ctl_len;
	h->creator_pid = (uint32_t)getpid();
	h->creator_id = self_owner_id();
	h->soc_cores = soc->n_core;
	h->soc_links = soc->n_link;
	memcpy(h->name, soc->name, sizeof(h->name));
	ipc_store_release(&h->magic, EMU_CTL_MAGIC_INIT);
	r = object_create(soc->name, "-mem", soc->size);
	if (r < 0) {
		goto fail;
	}
	soc->mem_fd = r;
	r = emu_sys_mmap(soc->mem_fd, soc->size, &map);
	if (r < 0) {
		goto fail;
	}
	soc->mem = map;
	for (unsigned i = 0; soc->doorbell == EMU_DOORBELL_EVENTFD && i < soc->n_core; i++) {
		r = emu_sys_eventfd();
		if (r < 0) {
			goto fail;
		}
		soc->efd[i] = r;
	}
	for (unsigned i = 0; i < soc->n_link; i++) {
		struct emu_ctl_hdr *lh = &soc->ctl->link[i].hdr;

		soc->link[i] = (struct emu_soc_link_rec){
			.base = cfg->link[i].base,
			.size = cfg->link[i].size,
			.core = {(uint8_t)cfg->link[i].core[0], (uint8_t)cfg->link[i].core[1]},
		};
		soc->ctl->link_rec[i] = soc->link[i];
		/* The link's own header, as a segment's (inspect reads it). */
		lh->version = EMU_CTL_VERSION;
		lh->ctl_size = (uint32_t)sizeof(struct emu_ctl);
		lh->doorbell = (uint32_t)soc->doorbell;
		lh->mem_base = soc->link[i].base;
		lh->mem_size = soc->link[i].size;
		lh->creator_pid = h->creator_pid;
		lh->creator_id = h->creator_id;
		snprintf(lh->name, sizeof(lh->name), "%s", soc->name);
		lh->magic = EMU_CTL_MAGIC;
	}
	soc_annotate(soc);
	h->doorbell = (uint32_t)soc->doorbell;
	h->mem_base = soc->base;
	h->mem_size = soc->size;
	ipc_store_release(&h->magic, EMU_CTL_MAGIC);
	*out = soc;
	return 0;

fail:
	(void)unlink_both(soc->name);
	soc_free(soc);
	return r;
}

int emu_soc_attach_fds(const struct emu_soc_fds *fds, struct emu_soc **out)
{
	struct emu_soc *soc;
	struct emu_ctl_hdr h;
	struct stat st;
	void *map;
	int r;

	if (fds == NULL || out == NULL) {
		return -EINVAL;
	}
	soc = soc_alloc();
	if (soc == NULL) {
		return -ENOMEM;
	}
	r = emu_sys_dup(fds->ctl);
	if (r < 0) {
		goto fail;
	}
	soc->ctl_fd = r;
	r = emu_sys_dup(fds->mem);
	if (r < 0) {
		goto fail;
	}
	soc->mem_fd = r;
	r = emu_sys_fstat(soc->ctl_fd, &st);
	if (r < 0) {
		goto fail;
	}
	r = -EPROTO;
	if (st.st_size < (off_t)EMU_SOC_CTL_SIZE(1) ||
	    st.st_size > (off_t)EMU_SOC_CTL_SIZE(EMU_SOC_MAX_LINKS)) {
		goto fail;
	}
	soc->ctl_len = (size_t)st.st_size;
	r = emu_sys_mmap(soc->ctl_fd, soc->ctl_len, &map);
	if (r < 0) {
		goto fail;
	}
	soc->ctl = map;
	r = -EPROTO;
	/* Pairs with the release store of the magic in emu_soc_create(). */
	if (ipc_load_acquire(&soc->ctl->hdr.magic) != EMU_CTL_MAGIC) {
		goto fail;
	}
	memcpy(&h, &soc->ctl->hdr, sizeof(h));
	if (h.version != EMU_CTL_VERSION || h.soc_cores < 2 || h.soc_cores > EMU_SOC_MAX_CORES ||
	    h.soc_links < 1 || h.soc_links > EMU_SOC_MAX_LINKS ||
	    h.ctl_size != EMU_SOC_CTL_SIZE(h.soc_links) || h.ctl_size != soc->ctl_len ||
	    (h.doorbell != EMU_DOORBELL_FUTEX && h.doorbell != EMU_DOORBELL_EVENTFD) ||
	    h.mem_size == 0 || h.mem_base > UINT64_MAX - (h.mem_size - 1u) ||
	    memchr(h.name, '\0', sizeof(h.name)) == NULL || !valid_name(h.name)) {
		goto fail;
	}
	memcpy(soc->name, h.name, sizeof(soc->name));
	soc->base = h.mem_base;
	soc->size = h.mem_size;
	soc->doorbell = (enum emu_doorbell)h.doorbell;
	soc->n_core = h.soc_cores;
	soc->n_link = h.soc_links;
	memcpy(soc->link, soc->ctl->link_rec, sizeof(soc->link));
	if (soc_links_valid(soc, soc->link) < 0) {
		goto fail;
	}
	r = object_check_size(soc->mem_fd, soc->size);
	if (r < 0) {
		goto fail;
	}
	r = emu_sys_mmap(soc->mem_fd, soc->size, &map);
	if (r < 0) {
		goto fail;
	}
	soc->mem = map;
	for (unsigned i = 0; soc->doorbell == EMU_DOORBELL_EVENTFD && i < soc->n_core; i++) {
		if (fds->efd[i] >= 0) {
			r = emu_sys_dup(fds->efd[i]);
			if (r < 0) {
				goto fail;
			}
			soc->efd[i] = r;
		}
	}
	soc_annotate(soc);
	*out = soc;
	return 0;

fail:
	soc_free(soc);
	return r;
}

void emu_soc_get_fds(const struct emu_soc *soc, struct emu_soc_fds *out)
{
	out->mem = soc->mem_fd;
	out->ctl = soc->ctl_fd;
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		out->efd[i] = soc->efd[i];
	}
}

void emu_soc_fds_format(const struct emu_soc_fds *fds, unsigned n_core, char *out, size_t len)
{
	int n = snprintf(out, len, "%d,%d", fds->mem, fds->ctl);

	for (unsigned c = 0; c < n_core && c < EMU_SOC_MAX_CORES && n > 0 && (size_t)n < len; c++) {
		if (fds->efd[c] < 0) {
			break;
		}
		n += snprintf(out + n, len - (size_t)n, ",%d", fds->efd[c]);
	}
}

int emu_soc_fds_parse(const char *spec, struct emu_soc_fds *out)
{
	int f[2 + EMU_SOC_MAX_CORES], n = 0;
	const char *p = spec;

	if (spec == NULL || out == NULL) {
		return -EINVAL;
	}
	while (*p != '\0') {
		char *end;
		long x;

		if (n == (int)(2 + EMU_SOC_MAX_CORES) || *p < '0' || *p > '9') {
			return -EINVAL;
		}
		errno = 0;
		x = strtol(p, &end, 10);
		if (errno != 0 || x > INT_MAX || (*end != ',' && *end != '\0') ||
		    (*end == ',' && end[1] == '\0')) {
			return -EINVAL;
		}
		f[n++] = (int)x;
		p = *end == ',' ? end + 1 : end;
	}
	if (n < 2) {
		return -EINVAL;
	}
	out->mem = f[0];
	out->ctl = f[1];
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		out->efd[i] = (int)i + 2 < n ? f[i + 2] : -1;
	}
	return 0;
}

void emu_soc_fds_close(const struct emu_soc_fds *fds)
{
	int f[2 + EMU_SOC_MAX_CORES] = {fds->mem, fds->ctl};

	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		f[2 + i] = fds->efd[i];
	}
	for (unsigned i = 0; i < 2 + EMU_SOC_MAX_CORES; i++) {
		if (f[i] > STDERR_FILENO) {
			(void)emu_sys_close(f[i]);
		}
	}
}

int emu_soc_unlink(struct emu_soc *soc)
{
	int r;

	if (soc == NULL) {
		return -EINVAL;
	}
	if (soc->unlinked) {
		return 0;
	}
	r = unlink_both(soc->name);
	if (r == -ENOENT) {
		r = 0;
	}
	if (r == 0) {
		soc->unlinked = true;
	}
	return r;
}

const char *emu_soc_name(const struct emu_soc *soc)
{
	return soc->name;
}

unsigned emu_soc_links(const struct emu_soc *soc)
{
	return soc->n_link;
}

unsigned emu_soc_cores(const struct emu_soc *soc)
{
	return soc->n_core;
}

int emu_soc_map_at_base(struct emu_soc *soc, char *err, size_t errlen)
{
	return map_at_base(soc->base, soc->size, soc->mem_fd, &soc->mem, err, errlen);
}

int emu_soc_link(struct emu_soc *soc, unsigned link, struct emu_segment **view)
{
	const struct emu_soc_link_rec *l;
	struct emu_segment *s;

	if (soc == NULL || view == NULL || link >= soc->n_link) {
		return -EINVAL;
	}
	s = segment_alloc();
	if (s == NULL) {
		return -ENOMEM;
	}
	l = &soc->link[link];
	memcpy(s->name, soc->name, sizeof(s->name));
	s->base = l->base;
	s->size = l->size;
	s->doorbell = soc->doorbell;
	s->view = true;
	s->mem = soc->mem + (l->base - soc->base);
	s->ctl = &soc->ctl->link[link];
	for (unsigned r = 0; r < 2; r++) {
		s->soc_core[r] = l->core[r];
		s->rec[r] = &soc->ctl->core[l->core[r]];
		s->efd[r] = soc->efd[l->core[r]];
	}
	*view = s;
	return 0;
}

void emu_soc_close(struct emu_soc *soc)
{
	if (soc == NULL) {
		return;
	}
	if (soc->owner) {
		int r = emu_soc_unlink(soc);

		if (r < 0) {
			port_log(PORT_LOG_WRN, "SoC segment %s: unlink failed (%d)", soc->name, r);
		}
	}
	soc_free(soc);
}

int emu_segment_soc_core(const struct emu_segment *s, enum emu_role role)
{
	return s != NULL && valid_role(role) ? s->soc_core[role] : -1;
}

struct emu_ctl_role *emu_segment_role_rec(const struct emu_segment *s, enum emu_role role)
{
	return s->rec[role];
}

bool emu_segment_is_view(const struct emu_segment *s)
{
	return s->view;
}

/* ------------------------------------------------------------------ inspection */

/* One owner record: skip pid 0; a start of 0 means "unknown: the pid alone". */
static void add_owner(struct emu_segment_info *out, const char *what, uint64_t id,
		      uint32_t fallback_pid)
{
	uint32_t pid = id != 0 ? EMU_CTL_OWNER_PID(id) : fallback_pid;
	uint32_t start = id != 0 ? EMU_CTL_OWNER_START(id) : 0;
	struct emu_segment_owner *o;
	uint64_t now_start = 0;
	int r;

	if (pid == 0 || out->n_owner >= EMU_SEGMENT_MAX_OWNERS) {
		return;
	}
	o = &out->owner[out->n_owner++];
	o->what = what;
	o->pid = pid;
	r = emu_sys_proc_start((long)pid, &now_start);
	/* Another start time: the pid now belongs to another process. */
	o->alive = r == 0 && (start == 0 || now_start == 0 || (uint32_t)now_start == start);
	if (o->alive) {
		out->alive = true;
	}
}

int emu_segment_inspect(const char *name, struct emu_segment_info *out)
{
	struct {
		struct emu_ctl_hdr hdr;
		struct emu_ctl_role role[2];
	} c;
	char path[SHM_PATH_LEN];
	struct stat st;
	uint32_t magic;
	long n;
	int fd, r;

	if (name == NULL || out == NULL || !valid_name(name)) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	shm_path(path, name, "-ctl");
	/* Read-only, and O_NONBLOCK so that a FIFO planted under the name
	 * cannot block us; shm_open adds O_NOFOLLOW. */
	fd = emu_sys_shm_open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0) {
		return fd;
	}
	r = emu_sys_fstat(fd, &st);
	if (r < 0) {
		goto out;
	}
	/* A link's control block, or a SoC's (emu/soc.h, one size per link count). */
	if (!S_ISREG(st.st_mode) || (st.st_size != (off_t)sizeof(struct emu_ctl) &&
				     (st.st_size < (off_t)EMU_SOC_CTL_SIZE(1) ||
				      st.st_size > (off_t)EMU_SOC_CTL_SIZE(EMU_SOC_MAX_LINKS)))) {
		r = -EPROTO;
		goto out;
	}
	n = emu_sys_pread(fd, &c, sizeof(c), 0);
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	if ((size_t)n != sizeof(c)) {
		r = -EPROTO;
		goto out;
	}
	magic = c.hdr.magic;
	if ((magic != EMU_CTL_MAGIC && magic != EMU_CTL_MAGIC_INIT) ||
	    c.hdr.version != EMU_CTL_VERSION || (off_t)c.hdr.ctl_size != st.st_size ||
	    (c.hdr.soc_cores == 0 ? c.hdr.ctl_size != sizeof(struct emu_ctl)
				  : c.hdr.soc_links < 1 || c.hdr.soc_links > EMU_SOC_MAX_LINKS ||
					    c.hdr.ctl_size != EMU_SOC_CTL_SIZE(c.hdr.soc_links)) ||
	    memchr(c.hdr.name, '\0', sizeof(c.hdr.name)) == NULL ||
	    strcmp(c.hdr.name, name) != 0) {
		r = -EPROTO;
		goto out;
	}
	out->complete = magic == EMU_CTL_MAGIC;
	out->uid = (uint32_t)st.st_uid;
	add_owner(out, "creator", c.hdr.creator_id, c.hdr.creator_pid);
	if (out->complete && c.hdr.soc_cores == 0) {
		add_owner(out, "host", c.hdr.role_owner[EMU_ROLE_HOST], c.role[EMU_ROLE_HOST].pid);
		add_owner(out, "remote", c.hdr.role_owner[EMU_ROLE_REMOTE],
			  c.role[EMU_ROLE_REMOTE].pid);
	}
	r = 0;
out:
	(void)emu_sys_close(fd);
	return r;
}
