/*
 * Segments: create, attach (by name and by inherited descriptors), unlink,
 * close, bounds of emu_segment_ptr(), and clean unwinding of every injected
 * syscall failure.  Every test uses its own shm name and checks that nothing
 * of its segment is left in /dev/shm.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "ipc_emu/emu.h"
#include "support/vg_cases.h"
#include "sys.h"

#define NAME_LEN 96

static char name[NAME_LEN];

static void name_init(void)
{
	snprintf(name, sizeof(name), "ipc-emu-test-seg-%ld", (long)getpid());
}

/* Remove leftovers of a failed test; the tests check for them before. */
static void name_fini(void)
{
	(void)emu_segment_unlink_name(name);
}

TestSuite(segment, .init = name_init, .fini = name_fini, .timeout = 10);

static bool shm_exists(const char *nm, const char *suffix)
{
	char path[256];

	snprintf(path, sizeof(path), "/dev/shm/%s%s", nm, suffix);
	return access(path, F_OK) == 0;
}

static void assert_gone(const char *nm)
{
	cr_assert_not(shm_exists(nm, "-mem"), "%s-mem left in /dev/shm", nm);
	cr_assert_not(shm_exists(nm, "-ctl"), "%s-ctl left in /dev/shm", nm);
}

static void assert_present(const char *nm)
{
	cr_assert(shm_exists(nm, "-mem"), "%s-mem missing", nm);
	cr_assert(shm_exists(nm, "-ctl"), "%s-ctl missing", nm);
}

static struct emu_segment *create_ok(enum emu_doorbell db, uint64_t base, uint32_t size)
{
	struct emu_segment_cfg cfg = {.name = name, .mem_base = base, .mem_size = size, .doorbell = db};
	struct emu_segment *s = NULL;

	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	cr_assert_not_null(s);
	return s;
}

/* A foreign object of `size` bytes filled with `fill`. */
static void make_foreign(const char *suffix, size_t size, int fill)
{
	char path[256];
	int fd;
	void *p;

	snprintf(path, sizeof(path), "/%s%s", name, suffix);
	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0, "shm_open(%s): %s", path, strerror(errno));
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	if (size > 0) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		cr_assert_neq(p, MAP_FAILED);
		memset(p, fill, size);
		munmap(p, size);
	}
	close(fd);
}

VgTest(segment, create_getters_and_zeroed_image)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0x20070000u, 0x10000u);
	const uint8_t *mem;

	cr_assert_str_eq(emu_segment_name(s), name);
	cr_assert_eq(emu_segment_base(s), 0x20070000u);
	cr_assert_eq(emu_segment_size(s), 0x10000u);
	cr_assert_eq(emu_segment_doorbell(s), EMU_DOORBELL_FUTEX);
	assert_present(name);
	mem = emu_segment_ptr(s, 0x20070000u, 0x10000u);
	cr_assert_not_null(mem);
	for (uint32_t i = 0; i < 0x10000u; i++) {
		cr_assert_eq(mem[i], 0, "byte %u", i);
	}
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, control_header_is_published)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_EVENTFD, 0x1000u, 4096u);
	const struct emu_ctl *ctl = emu_segment_ctl(s);

	cr_assert_eq(ctl->hdr.magic, EMU_CTL_MAGIC);
	cr_assert_eq(ctl->hdr.version, EMU_CTL_VERSION);
	cr_assert_eq(ctl->hdr.ctl_size, sizeof(struct emu_ctl));
	cr_assert_eq(ctl->hdr.doorbell, (uint32_t)EMU_DOORBELL_EVENTFD);
	cr_assert_eq(ctl->hdr.mem_base, 0x1000u);
	cr_assert_eq(ctl->hdr.mem_size, 4096u);
	cr_assert_eq(ctl->hdr.creator_pid, (uint32_t)getpid());
	cr_assert_str_eq(ctl->hdr.name, name);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(ctl->role[r].pending, 0);
		cr_assert_eq(ctl->role[r].sleeping, 0);
		cr_assert_eq(ctl->role[r].boot_count, 0);
		cr_assert_eq((uintptr_t)&ctl->role[r] % 64, 0);
	}
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, default_names_are_unique)
{
	struct emu_segment_cfg cfg = {.mem_size = 4096u};
	struct emu_segment *a, *b;
	char prefix[64], na[NAME_LEN], nb[NAME_LEN];

	cr_assert_eq(emu_segment_create(&cfg, &a), 0);
	cr_assert_eq(emu_segment_create(&cfg, &b), 0);
	snprintf(prefix, sizeof(prefix), "ipc-emu-%ld-", (long)getpid());
	snprintf(na, sizeof(na), "%s", emu_segment_name(a));
	snprintf(nb, sizeof(nb), "%s", emu_segment_name(b));
	cr_assert_eq(strncmp(na, prefix, strlen(prefix)), 0, "name %s", na);
	cr_assert_eq(strncmp(nb, prefix, strlen(prefix)), 0, "name %s", nb);
	cr_assert_str_neq(na, nb);
	assert_present(na);
	assert_present(nb);
	emu_segment_close(a);
	emu_segment_close(b);
	assert_gone(na);
	assert_gone(nb);
}

Test(segment, default_name_skips_stale_objects)
{
	/* The counter is per process and starts at 0: plant a stale "-ctl" of
	 * that first name, as a crashed process with our pid would leave. */
	struct emu_segment_cfg cfg = {.mem_size = 4096u};
	struct emu_segment *s;
	char stale[NAME_LEN];

	snprintf(stale, sizeof(stale), "ipc-emu-%ld-0", (long)getpid());
	snprintf(name, sizeof(name), "%s", stale);
	make_foreign("-ctl", 16, 0);
	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	cr_assert_str_neq(emu_segment_name(s), stale);
	cr_assert_not(shm_exists(stale, "-mem"), "our -mem of the stale name must be removed");
	cr_assert(shm_exists(stale, "-ctl"), "a foreign object must not be removed");
	snprintf(name, sizeof(name), "%s", emu_segment_name(s));
	emu_segment_close(s);
	assert_gone(name);
	cr_assert_eq(emu_segment_unlink_name(stale), 0);
	assert_gone(stale);
}

VgTest(segment, create_rejects_bad_config)
{
	char long_name[EMU_CTL_NAME_LEN + 1];
	struct emu_segment *s = NULL;
	const struct emu_segment_cfg ok = {.name = name, .mem_size = 4096u};
	struct emu_segment_cfg cfg;

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';

	cr_assert_eq(emu_segment_create(NULL, &s), -EINVAL);
	cr_assert_eq(emu_segment_create(&ok, NULL), -EINVAL);
	cfg = ok;
	cfg.mem_size = 0;
	cr_assert_eq(emu_segment_create(&cfg, &s), -EINVAL);
	cfg = ok;
	cfg.doorbell = (enum emu_doorbell)7;
	cr_assert_eq(emu_segment_create(&cfg, &s), -EINVAL);
	cfg = ok;
	cfg.mem_base = UINT64_MAX - 4094u; /* last byte would be at 2^64 */
	cr_assert_eq(emu_segment_create(&cfg, &s), -EINVAL);
	cfg = ok;
	cfg.name = "a/b";
	cr_assert_eq(emu_segment_create(&cfg, &s), -EINVAL);
	cfg.name = "";
	cr_assert_eq(emu_segment_create(&cfg, &s), -EINVAL);
	cfg.name = long_name;
	cr_assert_eq(emu_segment_create(&cfg, &s), -EINVAL);
	long_name[EMU_CTL_NAME_LEN - 1] = '\0'; /* 127 characters: the longest */
	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	emu_segment_close(s);
	assert_gone(long_name);
	assert_gone(name);
}

VgTest(segment, image_may_end_at_top_of_address_space)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, UINT64_MAX - 4095u, 4096u);

	cr_assert_eq(emu_segment_base(s), UINT64_MAX - 4095u);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, create_existing_name_is_eexist)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);
	struct emu_segment *t = NULL;
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};

	cr_assert_eq(emu_segment_create(&cfg, &t), -EEXIST);
	cr_assert_null(t);
	/* The first segment is untouched: still attachable. */
	cr_assert_eq(emu_segment_attach(name, &t), 0);
	emu_segment_close(t);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, create_over_foreign_ctl_is_eexist_and_keeps_it)
{
	struct emu_segment *s = NULL;
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};

	make_foreign("-ctl", 64, 0x5a);
	cr_assert_eq(emu_segment_create(&cfg, &s), -EEXIST);
	cr_assert_not(shm_exists(name, "-mem"), "the -mem we made must be removed again");
	cr_assert(shm_exists(name, "-ctl"), "the foreign -ctl must stay");
	cr_assert_eq(emu_segment_unlink_name(name), 0);
	assert_gone(name);
}

static void check_mode(const char *suffix)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/shm/%s%s", name, suffix);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "%s mode %o", suffix, st.st_mode & 07777);
	cr_assert_eq(st.st_uid, getuid());
}

Test(segment, objects_are_mode_0600)
{
	struct emu_segment *s;

	umask(0); /* nothing masked: the library itself must ask for 0600 */
	s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);
	check_mode("-mem");
	check_mode("-ctl");
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, attach_by_name_shares_memory)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0x20000000u, 8192u);
	struct emu_segment *a = NULL;
	uint8_t *w, *r;

	cr_assert_eq(emu_segment_attach(name, &a), 0);
	cr_assert_str_eq(emu_segment_name(a), name);
	cr_assert_eq(emu_segment_base(a), 0x20000000u);
	cr_assert_eq(emu_segment_size(a), 8192u);
	cr_assert_eq(emu_segment_doorbell(a), EMU_DOORBELL_FUTEX);
	w = emu_segment_ptr(s, 0x20001000u, 16);
	r = emu_segment_ptr(a, 0x20001000u, 16);
	cr_assert_neq(w, r, "a second, independent mapping");
	memcpy(w, "hello, remote!!", 16);
	cr_assert_str_eq((char *)r, "hello, remote!!");
	/* App areas are shared too. */
	((uint64_t *)emu_segment_app_area(a, EMU_ROLE_REMOTE))[3] = 0x1122334455667788u;
	cr_assert_eq(((uint64_t *)emu_segment_app_area(s, EMU_ROLE_REMOTE))[3],
		     0x1122334455667788u);
	/* An attacher does not unlink at close; the creator does. */
	emu_segment_close(a);
	assert_present(name);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, attach_missing_is_enoent)
{
	struct emu_segment *a = NULL;

	cr_assert_eq(emu_segment_attach(name, &a), -ENOENT);
	cr_assert_null(a);
	cr_assert_eq(emu_segment_attach(NULL, &a), -EINVAL);
	cr_assert_eq(emu_segment_attach("x/y", &a), -EINVAL);
	assert_gone(name);
}

VgTest(segment, attach_ctl_without_mem_is_enoent)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);
	struct emu_segment *a = NULL;
	char path[256];

	snprintf(path, sizeof(path), "/%s-mem", name);
	cr_assert_eq(shm_unlink(path), 0);
	cr_assert_eq(emu_segment_attach(name, &a), -ENOENT);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, attach_foreign_objects_is_eproto)
{
	struct emu_segment *a = NULL;

	/* Right size, wrong contents. */
	make_foreign("-ctl", sizeof(struct emu_ctl), 0xa5);
	make_foreign("-mem", 4096, 0);
	cr_assert_eq(emu_segment_attach(name, &a), -EPROTO);
	cr_assert_eq(emu_segment_unlink_name(name), 0);
	/* Wrong size (e.g. caught between a creator's shm_open and ftruncate). */
	make_foreign("-ctl", 0, 0);
	make_foreign("-mem", 4096, 0);
	cr_assert_eq(emu_segment_attach(name, &a), -EPROTO);
	cr_assert_null(a);
	cr_assert_eq(emu_segment_unlink_name(name), 0);
	assert_gone(name);
}

/* Corrupt one header field of a live segment; attach must answer -EPROTO. */
static void attach_with_corrupt_header(void (*corrupt)(struct emu_ctl_hdr *))
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0x1000u, 4096u);
	struct emu_segment *a = NULL;
	struct emu_ctl_hdr *h = &emu_segment_ctl(s)->hdr;
	struct emu_ctl_hdr saved = *h;

	corrupt(h);
	cr_assert_eq(emu_segment_attach(name, &a), -EPROTO);
	cr_assert_null(a);
	*h = saved;
	cr_assert_eq(emu_segment_attach(name, &a), 0);
	emu_segment_close(a);
	emu_segment_close(s);
	assert_gone(name);
}

static void bad_version(struct emu_ctl_hdr *h)
{
	h->version = EMU_CTL_VERSION + 1;
}

static void bad_mem_size(struct emu_ctl_hdr *h)
{
	h->mem_size = 8192u; /* the -mem object has 4096 */
}

static void bad_doorbell(struct emu_ctl_hdr *h)
{
	h->doorbell = 2;
}

static void bad_base(struct emu_ctl_hdr *h)
{
	h->mem_base = UINT64_MAX; /* image would wrap */
}

static void bad_name(struct emu_ctl_hdr *h)
{
	memset(h->name, 'n', sizeof(h->name)); /* not terminated */
}

static void other_name(struct emu_ctl_hdr *h)
{
	h->name[0] ^= 1;
}

static void bad_ctl_size(struct emu_ctl_hdr *h)
{
	h->ctl_size = 64;
}

VgTest(segment, attach_wrong_version_is_eproto)
{
	attach_with_corrupt_header(bad_version);
}

VgTest(segment, attach_mem_size_mismatch_is_eproto)
{
	attach_with_corrupt_header(bad_mem_size);
}

VgTest(segment, attach_bad_doorbell_is_eproto)
{
	attach_with_corrupt_header(bad_doorbell);
}

VgTest(segment, attach_wrapping_image_is_eproto)
{
	attach_with_corrupt_header(bad_base);
}

VgTest(segment, attach_unterminated_name_is_eproto)
{
	attach_with_corrupt_header(bad_name);
}

VgTest(segment, attach_name_mismatch_is_eproto)
{
	attach_with_corrupt_header(other_name);
}

VgTest(segment, attach_bad_ctl_size_is_eproto)
{
	attach_with_corrupt_header(bad_ctl_size);
}

VgTest(segment, attach_fds_dups_descriptors)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_EVENTFD, 0x3000u, 4096u);
	struct emu_segment *a = NULL;
	struct emu_segment_fds fds, afds;
	uint64_t v = 0;

	emu_segment_get_fds(s, &fds);
	cr_assert_geq(fds.mem, 0);
	cr_assert_geq(fds.ctl, 0);
	cr_assert_geq(fds.efd[0], 0);
	cr_assert_geq(fds.efd[1], 0);
	cr_assert_eq(emu_segment_attach_fds(&fds, &a), 0);
	cr_assert_str_eq(emu_segment_name(a), name);
	cr_assert_eq(emu_segment_base(a), 0x3000u);
	cr_assert_eq(emu_segment_size(a), 4096u);
	cr_assert_eq(emu_segment_doorbell(a), EMU_DOORBELL_EVENTFD);
	emu_segment_get_fds(a, &afds);
	cr_assert_neq(afds.mem, fds.mem);
	cr_assert_neq(afds.ctl, fds.ctl);
	cr_assert_neq(afds.efd[1], fds.efd[1]);
	/* Same eventfd behind both descriptors. */
	v = 5;
	cr_assert_eq(write(fds.efd[1], &v, sizeof(v)), (ssize_t)sizeof(v));
	v = 0;
	cr_assert_eq(read(afds.efd[1], &v, sizeof(v)), (ssize_t)sizeof(v));
	cr_assert_eq(v, 5);
	*(uint32_t *)emu_segment_ptr(s, 0x3ffcu, 4) = 0xfeedu;
	cr_assert_eq(*(uint32_t *)emu_segment_ptr(a, 0x3ffcu, 4), 0xfeedu);
	emu_segment_close(a);
	/* The caller's descriptors are still open. */
	cr_assert_neq(fcntl(fds.mem, F_GETFD), -1);
	cr_assert_neq(fcntl(fds.efd[0], F_GETFD), -1);
	assert_present(name);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, attach_fds_futex_mode_has_no_eventfds)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);
	struct emu_segment *a = NULL;
	struct emu_segment_fds fds, afds;

	emu_segment_get_fds(s, &fds);
	cr_assert_eq(fds.efd[0], -1);
	cr_assert_eq(fds.efd[1], -1);
	fds.efd[0] = 0; /* ignored in futex mode */
	cr_assert_eq(emu_segment_attach_fds(&fds, &a), 0);
	emu_segment_get_fds(a, &afds);
	cr_assert_eq(afds.efd[0], -1);
	cr_assert_eq(afds.efd[1], -1);
	emu_segment_close(a);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, attach_fds_bad_descriptors)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);
	struct emu_segment *a = NULL;
	struct emu_segment_fds fds, bad;
	int devnull = open("/dev/null", O_RDWR);

	emu_segment_get_fds(s, &fds);
	cr_assert_eq(emu_segment_attach_fds(NULL, &a), -EINVAL);
	bad = fds;
	bad.ctl = -1;
	cr_assert_eq(emu_segment_attach_fds(&bad, &a), -EBADF);
	bad = fds;
	bad.mem = -1;
	cr_assert_eq(emu_segment_attach_fds(&bad, &a), -EBADF);
	/* Swapped descriptors: the "ctl" has the wrong size. */
	bad = fds;
	bad.ctl = fds.mem;
	bad.mem = fds.ctl;
	cr_assert_eq(emu_segment_attach_fds(&bad, &a), -EPROTO);
	/* Not shm at all. */
	bad = fds;
	bad.ctl = devnull;
	cr_assert_eq(emu_segment_attach_fds(&bad, &a), -EPROTO);
	cr_assert_null(a);
	close(devnull);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, unlink_is_idempotent_and_mapping_survives)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0x100u, 4096u);
	struct emu_segment *a = NULL;
	uint32_t *p = emu_segment_ptr(s, 0x100u, 4);

	cr_assert_eq(emu_segment_unlink(s), 0);
	assert_gone(name);
	cr_assert_eq(emu_segment_unlink(s), 0);
	*p = 42;
	cr_assert_eq(*(uint32_t *)emu_segment_ptr(s, 0x100u, 4), 42);
	cr_assert_eq(emu_segment_attach(name, &a), -ENOENT);
	cr_assert_eq(emu_segment_unlink(NULL), -EINVAL);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, unlink_by_attacher_then_creator_close)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);
	struct emu_segment *a = NULL;

	cr_assert_eq(emu_segment_attach(name, &a), 0);
	cr_assert_eq(emu_segment_unlink(a), 0);
	assert_gone(name);
	emu_segment_close(a);
	emu_segment_close(s); /* finds the names gone: no error */
	assert_gone(name);
}

VgTest(segment, unlink_name)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);

	cr_assert_eq(emu_segment_unlink_name(name), 0);
	assert_gone(name);
	cr_assert_eq(emu_segment_unlink_name(name), -ENOENT);
	cr_assert_eq(emu_segment_unlink_name(NULL), -EINVAL);
	cr_assert_eq(emu_segment_unlink_name("a/b"), -EINVAL);
	emu_segment_close(s);
	/* Half a segment (one object) still counts as existing. */
	make_foreign("-mem", 16, 0);
	cr_assert_eq(emu_segment_unlink_name(name), 0);
	assert_gone(name);
}

VgTest(segment, close_null_is_noop)
{
	emu_segment_close(NULL);
	assert_gone(name);
}

struct ptr_case {
	uint64_t addr, len;
	int64_t off; /* expected offset, -1: NULL */
};

VgTest(segment, ptr_bounds)
{
	const uint64_t base = 0x20000000u;
	const uint32_t size = 0x8000u;
	static const struct ptr_case cases[] = {
		{0x20000000u, 0x8000u, 0},         /* the whole image */
		{0x20000000u, 0x8001u, -1},        /* one byte too long */
		{0x20000000u, 0, 0},               /* empty range inside */
		{0x1fffffffu, 1, -1},              /* below base */
		{0x1fffffffu, 2, -1},              /* straddles base */
		{0x20007fffu, 1, 0x7fff},          /* last byte */
		{0x20007fffu, 2, -1},              /* straddles the end */
		{0x20008000u, 0, -1},              /* one past the end */
		{0x20008000u, 1, -1},
		{0x20004000u, 0x4000u, 0x4000},    /* second half exactly */
		{0x20004000u, UINT64_MAX, -1},     /* addr + len wraps */
		{UINT64_MAX, 2, -1},               /* addr + len wraps */
		{UINT64_MAX, UINT64_MAX, -1},
		{0, UINT64_MAX, -1},
		{0x20000001u, UINT64_MAX - 0x20000000u, -1}, /* end wraps exactly to 0 */
	};
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, base, size);
	uint8_t *mem = emu_segment_ptr(s, base, 1);

	cr_assert_not_null(mem);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *p = emu_segment_ptr(s, cases[i].addr, cases[i].len);

		if (cases[i].off < 0) {
			cr_assert_null(p, "case %zu: addr %#jx len %#jx", i, (uintmax_t)cases[i].addr,
				       (uintmax_t)cases[i].len);
		} else {
			cr_assert_eq(p, mem + cases[i].off, "case %zu", i);
		}
	}
	cr_assert_null(emu_segment_ptr(NULL, base, 1));
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, ptr_bounds_at_top_of_address_space)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, UINT64_MAX - 0xfffu, 0x1000u);
	uint8_t *mem = emu_segment_ptr(s, UINT64_MAX - 0xfffu, 0x1000u);

	cr_assert_not_null(mem);
	cr_assert_eq(emu_segment_ptr(s, UINT64_MAX, 1), mem + 0xfff);
	cr_assert_null(emu_segment_ptr(s, UINT64_MAX, 2));
	cr_assert_null(emu_segment_ptr(s, UINT64_MAX - 0xfffu, 0x1001u));
	cr_assert_null(emu_segment_ptr(s, 0, 1));
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, app_areas_and_peer_status)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);
	uint8_t *host = emu_segment_app_area(s, EMU_ROLE_HOST);
	uint8_t *remote = emu_segment_app_area(s, EMU_ROLE_REMOTE);
	struct emu_peer_status st = {.pid = 1, .boot_count = 1, .heartbeat = 1};

	cr_assert_not_null(host);
	cr_assert_not_null(remote);
	cr_assert_eq((uintptr_t)host % 8, 0);
	cr_assert_eq((uintptr_t)remote % 8, 0);
	cr_assert_geq((size_t)(remote - host), EMU_APP_AREA_SIZE, "areas must not overlap");
	for (unsigned i = 0; i < EMU_APP_AREA_SIZE; i++) {
		cr_assert_eq(host[i], 0);
		cr_assert_eq(remote[i], 0);
	}
	cr_assert_null(emu_segment_app_area(s, (enum emu_role)2));
	emu_segment_peer_status(s, EMU_ROLE_REMOTE, &st);
	cr_assert_eq(st.pid, 0);
	cr_assert_eq(st.boot_count, 0);
	cr_assert_eq(st.heartbeat, 0);
	emu_segment_close(s);
	assert_gone(name);
}

/* ---------------------------------------------------------------- injected failures */

struct inject_case {
	char call[16];
	int err;
	unsigned nth;
	enum emu_doorbell doorbell;
};

static struct inject_case create_inject_cases[] = {
	{"shm_open", EMFILE, 1, EMU_DOORBELL_FUTEX},  /* -mem */
	{"shm_open", EMFILE, 2, EMU_DOORBELL_FUTEX},  /* -ctl */
	{"ftruncate", ENOSPC, 1, EMU_DOORBELL_FUTEX}, /* -mem */
	{"ftruncate", ENOSPC, 2, EMU_DOORBELL_FUTEX}, /* -ctl */
	{"fallocate", ENOSPC, 1, EMU_DOORBELL_FUTEX},
	{"fallocate", ENOSPC, 2, EMU_DOORBELL_FUTEX},
	{"mmap", ENOMEM, 1, EMU_DOORBELL_FUTEX},
	{"mmap", ENOMEM, 2, EMU_DOORBELL_FUTEX},
	{"eventfd", EMFILE, 1, EMU_DOORBELL_EVENTFD},
	{"eventfd", EMFILE, 2, EMU_DOORBELL_EVENTFD},
};

ParameterizedTestParameters(segment, injected_failure_unwinds)
{
	return VG_PARAM_ARRAY(struct inject_case, create_inject_cases);
}

static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) != -1) {
			n++;
		}
	}
	return n;
}

ParameterizedTest(struct inject_case *c, segment, injected_failure_unwinds)
{
	VG_EACH_CASE(c, create_inject_cases) {
		const struct emu_segment_cfg cfg = {.name = name, .mem_size = 8192u, .doorbell = c->doorbell};
		struct emu_segment *s = NULL;
		int fds_before = count_fds();

		cr_assert_eq(emu_sys_inject(c->call, c->err, c->nth), 0);
		cr_assert_eq(emu_segment_create(&cfg, &s), -c->err, "%s #%u", c->call, c->nth);
		cr_assert_null(s);
		assert_gone(name);
		cr_assert_eq(count_fds(), fds_before, "descriptors leaked");
		/* The injection fired once; the next create works. */
		cr_assert_eq(emu_segment_create(&cfg, &s), 0);
		emu_segment_close(s);
		assert_gone(name);
	}
}

static struct inject_case attach_inject_cases[] = {
	{"shm_open", EMFILE, 1, EMU_DOORBELL_FUTEX}, /* -ctl */
	{"shm_open", EMFILE, 2, EMU_DOORBELL_FUTEX}, /* -mem */
	{"fstat", EIO, 1, EMU_DOORBELL_FUTEX},
	{"fstat", EIO, 2, EMU_DOORBELL_FUTEX},
	{"mmap", ENOMEM, 1, EMU_DOORBELL_FUTEX},
	{"mmap", ENOMEM, 2, EMU_DOORBELL_FUTEX},
};

ParameterizedTestParameters(segment, injected_attach_failure_unwinds)
{
	return VG_PARAM_ARRAY(struct inject_case, attach_inject_cases);
}

ParameterizedTest(struct inject_case *c, segment, injected_attach_failure_unwinds)
{
	VG_EACH_CASE(c, attach_inject_cases) {
		struct emu_segment *s = create_ok(c->doorbell, 0, 4096u);
		struct emu_segment *a = NULL;
		int fds_before = count_fds();

		cr_assert_eq(emu_sys_inject(c->call, c->err, c->nth), 0);
		cr_assert_eq(emu_segment_attach(name, &a), -c->err, "%s #%u", c->call, c->nth);
		cr_assert_null(a);
		cr_assert_eq(count_fds(), fds_before, "descriptors leaked");
		emu_segment_close(s);
		assert_gone(name);
	}
}

static struct inject_case attach_fds_inject_cases[] = {
	{"dup", EMFILE, 1, EMU_DOORBELL_EVENTFD}, /* ctl */
	{"dup", EMFILE, 2, EMU_DOORBELL_EVENTFD}, /* mem */
	{"dup", EMFILE, 3, EMU_DOORBELL_EVENTFD}, /* host eventfd */
	{"dup", EMFILE, 4, EMU_DOORBELL_EVENTFD}, /* remote eventfd */
	{"mmap", ENOMEM, 2, EMU_DOORBELL_EVENTFD},
};

ParameterizedTestParameters(segment, injected_attach_fds_failure_unwinds)
{
	return VG_PARAM_ARRAY(struct inject_case, attach_fds_inject_cases);
}

ParameterizedTest(struct inject_case *c, segment, injected_attach_fds_failure_unwinds)
{
	VG_EACH_CASE(c, attach_fds_inject_cases) {
		struct emu_segment *s = create_ok(c->doorbell, 0, 4096u);
		struct emu_segment *a = NULL;
		struct emu_segment_fds fds;
		int fds_before = count_fds();

		emu_segment_get_fds(s, &fds);
		cr_assert_eq(emu_sys_inject(c->call, c->err, c->nth), 0);
		cr_assert_eq(emu_segment_attach_fds(&fds, &a), -c->err, "%s #%u", c->call, c->nth);
		cr_assert_null(a);
		cr_assert_eq(count_fds(), fds_before, "descriptors leaked");
		emu_segment_close(s);
		assert_gone(name);
	}
}

VgTest(segment, injected_eintr_in_fallocate_is_retried)
{
	const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};
	struct emu_segment *s = NULL;

	cr_assert_eq(emu_sys_inject("fallocate", EINTR, 1), 0);
	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	cr_assert_not_null(emu_segment_ptr(s, 0, 4096u));
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, unlink_failure_is_reported_and_retried)
{
	struct emu_segment *s = create_ok(EMU_DOORBELL_FUTEX, 0, 4096u);

	cr_assert_eq(emu_sys_inject("shm_unlink", EACCES, 1), 0);
	cr_assert_eq(emu_segment_unlink(s), -EACCES);
	cr_assert(shm_exists(name, "-mem"), "the failed name is still there");
	cr_assert_eq(emu_segment_unlink(s), 0); /* not yet marked unlinked: retried */
	assert_gone(name);
	emu_segment_close(s);
	assert_gone(name);
}

VgTest(segment, inject_rejects_bad_arguments)
{
	cr_assert_eq(emu_sys_inject("no_such_call", EIO, 1), -ENOENT);
	cr_assert_eq(emu_sys_inject(NULL, EIO, 1), -ENOENT);
	cr_assert_eq(emu_sys_inject("mmap", 0, 1), -EINVAL);
	cr_assert_eq(emu_sys_inject("mmap", -5, 1), -EINVAL);
	cr_assert_eq(emu_sys_inject("mmap", ENOMEM, 0), 0); /* disarm: no-op */
	cr_assert_eq(emu_sys_inject("mmap", ENOMEM, 3), 0);
	cr_assert_eq(emu_sys_inject("mmap", ENOMEM, 0), 0); /* disarmed again */
	{
		const struct emu_segment_cfg cfg = {.name = name, .mem_size = 4096u};
		struct emu_segment *s = NULL;

		cr_assert_eq(emu_segment_create(&cfg, &s), 0);
		emu_segment_close(s);
	}
	assert_gone(name);
}

/* Under Valgrind the VgTests above run in this one process (support/vg_cases.h);
 * default_name_skips_stale_objects needs a fresh process, objects_are_mode_0600
 * changes the umask. */
VG_BATCH(segment, 300)
