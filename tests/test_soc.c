/*
 * SoC segments (emu/soc.h) and the interrupt context shared by the cores of
 * one SoC core (emu/core.c).
 *
 * suite soc:     create and attach by descriptors, the name, the views
 *                (spans, bytes shared with the image and with a second
 *                attachment, control blocks per link, SoC core per role),
 *                every -EINVAL of the configuration, every -EPROTO of a
 *                hostile control block, emu_segment_inspect() of a SoC.
 * suite soc_irq: in one process, SoC cores 0, 1, 2 and links 0 (0-1) and
 *                1 (0-2); core 0 runs as two members (the hosts of both
 *                views) of one interrupt context.  Each inbound channel
 *                runs on its link's member only, both members' callbacks
 *                run on one thread, a member stops while the other link
 *                keeps working, boot counts, -EDEADLK from a callback.
 *
 * Every test checks that nothing of its SoC is left in /dev/shm.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "emu_internal.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/mbox.h"
#include "port.h"
#include "soc.h"
#include "support/vg_cases.h"

#define H EMU_ROLE_HOST
#define R EMU_ROLE_REMOTE

#define MEM_BASE 0x20000000ull
#define MEM_SIZE 0x30000u

/* ------------------------------------------------------------------ helpers */

/* Seconds to wait for something that takes microseconds natively. */
static double wait_scale(void)
{
	return getenv("VALGRIND") != NULL ? 20.0 : 1.0;
}

static bool wait_sem(sem_t *s, double seconds)
{
	struct timespec ts;
	double t = seconds * wait_scale();
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)t;
	ts.tv_nsec += (long)((t - (double)(time_t)t) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while ((r = sem_timedwait(s, &ts)) == -1 && errno == EINTR) {
	}
	/* Helgrind does not see sem_timedwait() pair with sem_post(). */
	ANNOTATE_HAPPENS_AFTER(s);
	return r == 0;
}

static bool shm_exists(const char *nm, const char *suffix)
{
	char path[256];

	snprintf(path, sizeof(path), "/dev/shm/%s%s", nm, suffix);
	return access(path, F_OK) == 0;
}

static void assert_gone(const char *nm)
{
	char path[256];

	snprintf(path, sizeof(path), "/dev/shm/%s-ctl", nm);
	cr_assert_eq(access(path, F_OK), -1, "%s left in /dev/shm", path);
	snprintf(path, sizeof(path), "/dev/shm/%s-mem", nm);
	cr_assert_eq(access(path, F_OK), -1, "%s left in /dev/shm", path);
}

/* Objects of SoCs of this process in /dev/shm. */
static unsigned own_soc_objects(void)
{
	char prefix[64];
	unsigned n = 0;
	struct dirent *e;
	DIR *d = opendir("/dev/shm");

	cr_assert_not_null(d);
	snprintf(prefix, sizeof(prefix), "ipc-emu-%ld-soc", (long)getpid());
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

/* Leftovers of a failed test (natively a test is a process of its own). */
static void soc_fini(void)
{
	char prefix[64];
	struct dirent *e;
	DIR *d = opendir("/dev/shm");

	if (d == NULL) {
		return;
	}
	snprintf(prefix, sizeof(prefix), "ipc-emu-%ld-soc", (long)getpid());
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			char path[300];

			snprintf(path, sizeof(path), "/%s", e->d_name);
			(void)shm_unlink(path);
		}
	}
	closedir(d);
}

TestSuite(soc, .fini = soc_fini, .timeout = 10);
TestSuite(soc_irq, .fini = soc_fini, .timeout = 20);

/* Cores A, B, C = 0, 1, 2; links A-B, A-C, B-C, each a span of the image. */
static const struct {
	uint64_t off;
	uint32_t size;
	unsigned core[2];
} three_links[3] = {
	{0x00000, 0x10000, {0, 1}},
	{0x10000, 0x08000, {0, 2}},
	{0x20000, 0x10000, {1, 2}},
};

static void cfg_three(struct emu_soc_cfg *cfg, enum emu_doorbell db)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_base = MEM_BASE;
	cfg->mem_size = MEM_SIZE;
	cfg->doorbell = db;
	cfg->n_core = 3;
	cfg->n_link = 3;
	for (unsigned i = 0; i < 3; i++) {
		cfg->link[i].base = MEM_BASE + three_links[i].off;
		cfg->link[i].size = three_links[i].size;
		cfg->link[i].core[0] = three_links[i].core[0];
		cfg->link[i].core[1] = three_links[i].core[1];
	}
}

static struct emu_soc *create_three(enum emu_doorbell db)
{
	struct emu_soc_cfg cfg;
	struct emu_soc *soc = NULL;

	cfg_three(&cfg, db);
	cr_assert_eq(emu_soc_create(&cfg, &soc), 0);
	cr_assert_not_null(soc);
	return soc;
}

static void close_soc(struct emu_soc *soc)
{
	char nm[EMU_CTL_NAME_LEN];

	snprintf(nm, sizeof(nm), "%s", emu_soc_name(soc));
	emu_soc_close(soc);
	assert_gone(nm);
	cr_assert_eq(own_soc_objects(), 0);
}

/* ------------------------------------------------------------------ create */

VgTest(soc, create_reports_cores_links_and_name, .timeout = 10)
{
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX);
	struct emu_soc *soc2 = create_three(EMU_DOORBELL_FUTEX);
	const char *nm = emu_soc_name(soc);
	long pid = -1;
	unsigned n = 0;
	int end = 0;

	cr_assert_eq(emu_soc_cores(soc), 3);
	cr_assert_eq(emu_soc_links(soc), 3);
	cr_assert_eq(sscanf(nm, "ipc-emu-%ld-soc%u%n", &pid, &n, &end), 2, "name %s", nm);
	cr_assert_eq(pid, (long)getpid());
	cr_assert_eq(nm[end], '\0', "name %s", nm);
	cr_assert(shm_exists(nm, "-mem"));
	cr_assert(shm_exists(nm, "-ctl"));
	cr_assert_str_neq(emu_soc_name(soc2), nm);
	emu_soc_close(soc2);
	close_soc(soc);
}

VgTest(soc, largest_soc_is_accepted, .timeout = 10)
{
	struct emu_soc_cfg cfg;
	struct emu_soc *soc = NULL;
	struct emu_segment *v = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mem_base = MEM_BASE;
	cfg.mem_size = EMU_SOC_MAX_LINKS * 0x1000u;
	cfg.doorbell = EMU_DOORBELL_EVENTFD;
	cfg.n_core = EMU_SOC_MAX_CORES;
	cfg.n_link = EMU_SOC_MAX_LINKS;
	for (unsigned i = 0; i < EMU_SOC_MAX_LINKS; i++) {
		cfg.link[i].base = MEM_BASE + i * 0x1000u;
		cfg.link[i].size = 0x1000u;
		cfg.link[i].core[0] = i % EMU_SOC_MAX_CORES;
		cfg.link[i].core[1] = (i + 1) % EMU_SOC_MAX_CORES;
	}
	cr_assert_eq(emu_soc_create(&cfg, &soc), 0);
	cr_assert_eq(emu_soc_cores(soc), 8);
	cr_assert_eq(emu_soc_links(soc), 64);
	cr_assert_eq(emu_soc_link(soc, 63, &v), 0);
	cr_assert_eq(emu_segment_base(v), MEM_BASE + 63u * 0x1000u);
	cr_assert_eq(emu_segment_size(v), 0x1000u);
	cr_assert_eq(emu_segment_soc_core(v, H), 7);
	cr_assert_eq(emu_segment_soc_core(v, R), 0);
	emu_segment_close(v);
	close_soc(soc);
}

VgTest(soc, views_are_the_link_spans, .timeout = 10)
{
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX);
	struct emu_segment *v[3] = {NULL, NULL, NULL}, *bad = NULL;

	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(emu_soc_link(soc, i, &v[i]), 0);
		cr_assert_eq(emu_segment_base(v[i]), MEM_BASE + three_links[i].off, "link %u", i);
		cr_assert_eq(emu_segment_size(v[i]), three_links[i].size, "link %u", i);
		cr_assert_str_eq(emu_segment_name(v[i]), emu_soc_name(soc));
		cr_assert_eq(emu_segment_doorbell(v[i]), EMU_DOORBELL_FUTEX);
		cr_assert_eq(emu_segment_soc_core(v[i], H), (int)three_links[i].core[0], "link %u", i);
		cr_assert_eq(emu_segment_soc_core(v[i], R), (int)three_links[i].core[1], "link %u", i);
		cr_assert_eq(emu_segment_soc_core(v[i], (enum emu_role)2), -1);
	}
	cr_assert_eq(emu_soc_link(soc, 3, &bad), -EINVAL);
	cr_assert_null(bad);
	cr_assert_eq(emu_soc_link(NULL, 0, &bad), -EINVAL);
	cr_assert_eq(emu_soc_link(soc, 0, NULL), -EINVAL);
	/* Each link has its own control block: app areas differ per link and role. */
	cr_assert_not_null(emu_segment_app_area(v[0], H));
	cr_assert_neq(emu_segment_app_area(v[0], H), emu_segment_app_area(v[1], H));
	cr_assert_neq(emu_segment_app_area(v[0], R), emu_segment_app_area(v[1], R));
	cr_assert_neq(emu_segment_app_area(v[0], H), emu_segment_app_area(v[0], R));
	/* Doorbell records are the cores': link 0's host and link 1's host are core 0. */
	cr_assert_eq(emu_segment_role_rec(v[0], H), emu_segment_role_rec(v[1], H));
	cr_assert_eq(emu_segment_role_rec(v[0], R), emu_segment_role_rec(v[2], H));
	cr_assert_eq(emu_segment_role_rec(v[1], R), emu_segment_role_rec(v[2], R));
	cr_assert_neq(emu_segment_role_rec(v[0], H), emu_segment_role_rec(v[0], R));
	cr_assert(emu_segment_is_view(v[0]));
	for (unsigned i = 0; i < 3; i++) {
		emu_segment_close(v[i]);
	}
	close_soc(soc);
}

VgTest(soc, plain_segment_is_not_a_view, .timeout = 10)
{
	struct emu_segment_cfg cfg = {.mem_base = MEM_BASE, .mem_size = 0x1000,
				      .doorbell = EMU_DOORBELL_FUTEX};
	struct emu_segment *s = NULL;
	char nm[EMU_CTL_NAME_LEN];

	cr_assert_eq(emu_segment_create(&cfg, &s), 0);
	snprintf(nm, sizeof(nm), "%s", emu_segment_name(s));
	cr_assert_eq(emu_segment_soc_core(s, H), -1);
	cr_assert_eq(emu_segment_soc_core(s, R), -1);
	cr_assert_eq(emu_segment_soc_core(NULL, H), -1);
	cr_assert_not(emu_segment_is_view(s));
	emu_segment_close(s);
	assert_gone(nm);
}

VgTest(soc, views_share_the_image_with_a_second_attachment, .timeout = 10)
{
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX), *att = NULL;
	struct emu_segment *v[3] = {NULL, NULL, NULL}, *w[3] = {NULL, NULL, NULL};
	struct emu_soc_fds fds;
	uint8_t *p0, *p1, *p2;

	emu_soc_get_fds(soc, &fds);
	cr_assert_geq(fds.mem, 0);
	cr_assert_geq(fds.ctl, 0);
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		cr_assert_eq(fds.efd[i], -1, "futex SoC: no eventfd %u", i);
	}
	cr_assert_eq(emu_soc_attach_fds(&fds, &att), 0);
	cr_assert_str_eq(emu_soc_name(att), emu_soc_name(soc));
	cr_assert_eq(emu_soc_cores(att), 3);
	cr_assert_eq(emu_soc_links(att), 3);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(emu_soc_link(soc, i, &v[i]), 0);
		cr_assert_eq(emu_soc_link(att, i, &w[i]), 0);
		cr_assert_eq(emu_segment_base(w[i]), MEM_BASE + three_links[i].off);
		cr_assert_eq(emu_segment_size(w[i]), three_links[i].size);
		cr_assert_eq(emu_segment_soc_core(w[i], H), (int)three_links[i].core[0]);
		cr_assert_eq(emu_segment_soc_core(w[i], R), (int)three_links[i].core[1]);
	}
	/* One image: the views' pointers are the image at the address. */
	p0 = emu_segment_ptr(v[0], MEM_BASE, 1);
	p1 = emu_segment_ptr(v[1], MEM_BASE + 0x10000, 1);
	p2 = emu_segment_ptr(v[2], MEM_BASE + 0x20000, 1);
	cr_assert_not_null(p0);
	cr_assert_eq(p1 - p0, 0x10000);
	cr_assert_eq(p2 - p0, 0x20000);
	/* A view ends at its span, though the image goes on. */
	cr_assert_null(emu_segment_ptr(v[0], MEM_BASE + 0x10000, 1));
	cr_assert_null(emu_segment_ptr(v[1], MEM_BASE + 0x0ffff, 1));
	cr_assert_null(emu_segment_ptr(v[1], MEM_BASE + 0x10000, 0x8001));
	cr_assert_not_null(emu_segment_ptr(v[1], MEM_BASE + 0x10000, 0x8000));
	cr_assert_null(emu_segment_ptr(v[2], MEM_BASE + 0x30000, 1));
	/* Writes through the creator's views, reads through the attachment's. */
	for (unsigned i = 0; i < 3; i++) {
		uint64_t last = MEM_BASE + three_links[i].off + three_links[i].size - 4;
		uint32_t *a = emu_segment_ptr(v[i], last, 4);
		uint32_t *b = emu_segment_ptr(w[i], last, 4);
		uint64_t *app_a = emu_segment_app_area(v[i], R);
		uint64_t *app_b = emu_segment_app_area(w[i], R);

		cr_assert_not_null(a);
		cr_assert_not_null(b);
		cr_assert_neq((void *)a, (void *)b, "two mappings");
		cr_assert_eq(*b, 0);
		*a = 0xa5a50000u + i;
		cr_assert_eq(*b, 0xa5a50000u + i, "link %u", i);
		cr_assert_eq(app_b[3], 0);
		app_a[3] = 0x1234u + i;
		cr_assert_eq(app_b[3], 0x1234u + i, "link %u app area", i);
	}
	/* And the other way round, on link 1's first byte. */
	*(uint8_t *)emu_segment_ptr(w[1], MEM_BASE + 0x10000, 1) = 0x5a;
	cr_assert_eq(p1[0], 0x5a);
	cr_assert_eq(*(uint32_t *)(p1 - 4), 0xa5a50000u, "link 0's last word unchanged");
	for (unsigned i = 0; i < 3; i++) {
		emu_segment_close(w[i]);
		emu_segment_close(v[i]);
	}
	emu_soc_close(att);
	cr_assert(shm_exists(emu_soc_name(soc), "-ctl"), "an attachment does not unlink");
	close_soc(soc);
}

VgTest(soc, eventfd_soc_hands_out_one_eventfd_per_core, .timeout = 10)
{
	struct emu_soc *soc = create_three(EMU_DOORBELL_EVENTFD), *att = NULL;
	struct emu_soc_fds fds;
	struct emu_segment *v = NULL;
	struct emu_core *c = NULL;

	emu_soc_get_fds(soc, &fds);
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		if (i < 3) {
			cr_assert_geq(fds.efd[i], 0, "core %u", i);
		} else {
			cr_assert_eq(fds.efd[i], -1, "core %u", i);
		}
	}
	cr_assert_neq(fds.efd[0], fds.efd[1]);
	/* Without the eventfds an attachment cannot run a core. */
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		fds.efd[i] = -1;
	}
	cr_assert_eq(emu_soc_attach_fds(&fds, &att), 0);
	cr_assert_eq(emu_soc_link(att, 0, &v), 0);
	cr_assert_eq(emu_segment_doorbell(v), EMU_DOORBELL_EVENTFD);
	cr_assert_eq(emu_core_start(v, H, &c), -EOPNOTSUPP);
	cr_assert_null(c);
	emu_segment_close(v);
	emu_soc_close(att);
	close_soc(soc);
}

/* ------------------------------------------------------------------ cfg validation */

/* Criterion re-executes the test binary for each parameter and copies the
 * table's bytes: no pointers in a case (another load address), a number
 * into the table of mutations instead. */
struct cfg_case {
	char what[64];
	unsigned op;
};

static void m_core1(struct emu_soc_cfg *c) { c->n_core = 1; }
static void m_core9(struct emu_soc_cfg *c) { c->n_core = 9; }
static void m_link0(struct emu_soc_cfg *c) { c->n_link = 0; }
static void m_link65(struct emu_soc_cfg *c) { c->n_link = 65; }
static void m_span_past_end(struct emu_soc_cfg *c)
{
	c->link[2].base = MEM_BASE + MEM_SIZE - 0x1000;
	c->link[2].size = 0x1001;
}
static void m_span_after_end(struct emu_soc_cfg *c) { c->link[1].base = MEM_BASE + MEM_SIZE; }
static void m_span_before(struct emu_soc_cfg *c) { c->link[0].base = MEM_BASE - 0x1000; }
static void m_span_too_big(struct emu_soc_cfg *c) { c->link[0].size = MEM_SIZE + 1; }
static void m_span_size0(struct emu_soc_cfg *c) { c->link[1].size = 0; }
static void m_core_index(struct emu_soc_cfg *c) { c->link[2].core[1] = 3; }
static void m_core_index_host(struct emu_soc_cfg *c) { c->link[0].core[0] = 3; }
static void m_core_huge(struct emu_soc_cfg *c) { c->link[1].core[1] = 256 + 1; }
static void m_same_core(struct emu_soc_cfg *c) { c->link[1].core[1] = 0; }
static void m_doorbell(struct emu_soc_cfg *c) { c->doorbell = (enum emu_doorbell)2; }
static void m_mem0(struct emu_soc_cfg *c) { c->mem_size = 0; }
static void m_wrap(struct emu_soc_cfg *c)
{
	c->mem_base = UINT64_MAX - 0xfff;
	for (unsigned i = 0; i < 3; i++) {
		c->link[i].base = c->mem_base;
		c->link[i].size = 0x100;
	}
}

static void (*const cfg_mutations[])(struct emu_soc_cfg *cfg) = {
	m_core1,
	m_core9,
	m_link0,
	m_link65,
	m_span_past_end,
	m_span_after_end,
	m_span_before,
	m_span_too_big,
	m_span_size0,
	m_core_index,
	m_core_index_host,
	m_core_huge,
	m_same_core,
	m_doorbell,
	m_mem0,
	m_wrap,
};

static struct cfg_case cfg_cases[] = {
	{"n_core 1", 0},
	{"n_core 9", 1},
	{"n_link 0", 2},
	{"n_link 65", 3},
	{"span past the image's end", 4},
	{"span after the image", 5},
	{"span before the image", 6},
	{"span larger than the image", 7},
	{"span of 0 bytes", 8},
	{"remote core index == n_core", 9},
	{"host core index == n_core", 10},
	{"core index 257 (wraps to 1 in a byte)", 11},
	{"same core on both ends", 12},
	{"doorbell 2", 13},
	{"mem_size 0", 14},
	{"image wraps past 2^64", 15},
};

VgParameterizedTest(struct cfg_case, c, cfg_cases, soc, bad_cfg_is_einval, .timeout = 10)
{
	struct emu_soc_cfg cfg;
	struct emu_soc *soc = NULL;

	cfg_three(&cfg, EMU_DOORBELL_FUTEX);
	cfg_mutations[c->op](&cfg);
	cr_assert_eq(emu_soc_create(&cfg, &soc), -EINVAL, "%s", c->what);
	cr_assert_null(soc, "%s", c->what);
	cr_assert_eq(own_soc_objects(), 0, "%s: objects left", c->what);
}

VgTest(soc, null_arguments_are_einval, .timeout = 10)
{
	struct emu_soc_cfg cfg;
	struct emu_soc *soc = NULL;
	struct emu_soc_fds fds = {.mem = -1, .ctl = -1};

	cfg_three(&cfg, EMU_DOORBELL_FUTEX);
	cr_assert_eq(emu_soc_create(NULL, &soc), -EINVAL);
	cr_assert_eq(emu_soc_create(&cfg, NULL), -EINVAL);
	cr_assert_eq(emu_soc_attach_fds(NULL, &soc), -EINVAL);
	cr_assert_eq(emu_soc_attach_fds(&fds, NULL), -EINVAL);
	cr_assert_eq(emu_soc_attach_fds(&fds, &soc), -EBADF);
	cr_assert_null(soc);
	cr_assert_eq(emu_soc_unlink(NULL), -EINVAL);
	emu_soc_close(NULL);
	cr_assert_eq(own_soc_objects(), 0);
}

/* ------------------------------------------------------------------ hostile control blocks */

struct hostile_case {
	char what[64];
	unsigned op; /* into hostile_mutations[] */
};

static void h_magic(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.magic = 0x12345678u;
}
static void h_magic_init(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.magic = EMU_CTL_MAGIC_INIT;
}
static void h_version(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.version = EMU_CTL_VERSION + 1;
}
static void h_links_fewer(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.soc_links = 2;
}
static void h_links_more(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.soc_links = 4;
}
static void h_links0(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.soc_links = 0;
}
static void h_ctl_size(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.ctl_size = (uint32_t)EMU_SOC_CTL_SIZE(2);
}
static void h_cores9(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.soc_cores = 9;
}
static void h_cores0(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.soc_cores = 0;
}
static void h_cores2(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.soc_cores = 2; /* links 1 and 2 name core 2 */
}
static void h_doorbell(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.doorbell = 7;
}
static void h_mem_size0(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.mem_size = 0;
}
static void h_mem_size_big(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.mem_size = MEM_SIZE * 2; /* the object has MEM_SIZE bytes */
}
static void h_rec_core(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->link_rec[2].core[1] = 3;
}
static void h_rec_same_core(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->link_rec[0].core[1] = c->link_rec[0].core[0];
}
static void h_rec_outside(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->link_rec[1].base = MEM_BASE + MEM_SIZE - 0x100;
}
static void h_rec_before(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->link_rec[0].base = MEM_BASE - 1;
}
static void h_rec_huge(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->link_rec[2].base = UINT64_MAX - 0x10;
	c->link_rec[2].size = 0x100;
}
static void h_rec_size0(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->link_rec[1].size = 0;
}
static void h_name_no_nul(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	memset(c->hdr.name, 'a', sizeof(c->hdr.name));
}
static void h_name_empty(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.name[0] = '\0';
}
static void h_name_slash(struct emu_soc_ctl *c, int m, int f)
{
	(void)m, (void)f;
	c->hdr.name[3] = '/';
}
static void h_ctl_grown(struct emu_soc_ctl *c, int m, int f)
{
	(void)c, (void)m;
	cr_assert_eq(ftruncate(f, (off_t)EMU_SOC_CTL_SIZE(4)), 0);
}
static void h_ctl_shrunk(struct emu_soc_ctl *c, int m, int f)
{
	(void)c, (void)m;
	cr_assert_eq(ftruncate(f, (off_t)EMU_SOC_CTL_SIZE(1) - 64), 0);
}
static void h_mem_shrunk(struct emu_soc_ctl *c, int m, int f)
{
	(void)c, (void)f;
	cr_assert_eq(ftruncate(m, MEM_SIZE - 0x1000), 0);
}

static void (*const hostile_mutations[])(struct emu_soc_ctl *c, int mem_fd, int ctl_fd) = {
	h_magic,
	h_magic_init,
	h_version,
	h_links_fewer,
	h_links_more,
	h_links0,
	h_ctl_size,
	h_cores9,
	h_cores0,
	h_cores2,
	h_doorbell,
	h_mem_size0,
	h_mem_size_big,
	h_rec_core,
	h_rec_same_core,
	h_rec_outside,
	h_rec_before,
	h_rec_huge,
	h_rec_size0,
	h_name_no_nul,
	h_name_empty,
	h_name_slash,
	h_ctl_grown,
	h_ctl_shrunk,
	h_mem_shrunk,
};

static struct hostile_case hostile_cases[] = {
	{"wrong magic", 0},
	{"creation not finished (init magic)", 1},
	{"other version", 2},
	{"soc_links 2 (ctl_size no longer matches)", 3},
	{"soc_links 4", 4},
	{"soc_links 0", 5},
	{"ctl_size of 2 links", 6},
	{"soc_cores 9", 7},
	{"soc_cores 0", 8},
	{"soc_cores 2 (a link names core 2)", 9},
	{"doorbell 7", 10},
	{"mem_size 0", 11},
	{"mem_size larger than the object", 12},
	{"link_rec core >= soc_cores", 13},
	{"link_rec same core on both ends", 14},
	{"link_rec span past the image", 15},
	{"link_rec span before the image", 16},
	{"link_rec base near 2^64", 17},
	{"link_rec size 0", 18},
	{"name without NUL", 19},
	{"empty name", 20},
	{"name with a slash", 21},
	{"ctl object larger than ctl_size", 22},
	{"ctl object smaller than one link's block", 23},
	{"mem object smaller than mem_size", 24},
};

VgParameterizedTest(struct hostile_case, c, hostile_cases, soc, hostile_ctl_is_eproto,
		    .timeout = 10)
{
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX), *att = NULL;
	struct emu_soc_fds fds;
	size_t len = EMU_SOC_CTL_SIZE(3);
	void *map;

	emu_soc_get_fds(soc, &fds);
	/* A second mapping of the control block, as a peer process has. */
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fds.ctl, 0);
	cr_assert_neq(map, MAP_FAILED);
	hostile_mutations[c->op](map, fds.mem, fds.ctl);
	cr_assert_eq(munmap(map, len), 0);
	cr_assert_eq(emu_soc_attach_fds(&fds, &att), -EPROTO, "%s", c->what);
	cr_assert_null(att, "%s", c->what);
	close_soc(soc);
}

VgTest(soc, unchanged_ctl_attaches, .timeout = 10)
{
	/* The control for the table above: the same steps without a change. */
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX), *att = NULL;
	struct emu_soc_fds fds;
	size_t len = EMU_SOC_CTL_SIZE(3);
	struct emu_soc_ctl *map;

	emu_soc_get_fds(soc, &fds);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fds.ctl, 0);
	cr_assert_neq((void *)map, MAP_FAILED);
	cr_assert_eq(map->hdr.magic, EMU_CTL_MAGIC);
	cr_assert_eq(map->hdr.soc_cores, 3);
	cr_assert_eq(map->hdr.soc_links, 3);
	cr_assert_eq(map->hdr.ctl_size, (uint32_t)len);
	cr_assert_eq(map->link_rec[1].base, MEM_BASE + 0x10000);
	cr_assert_eq(map->link_rec[1].size, 0x8000);
	cr_assert_eq(map->link_rec[1].core[0], 0);
	cr_assert_eq(map->link_rec[1].core[1], 2);
	/* Records past soc_links are not looked at. */
	map->link_rec[5].size = 0;
	map->link_rec[5].core[0] = 200;
	cr_assert_eq(munmap(map, len), 0);
	cr_assert_eq(emu_soc_attach_fds(&fds, &att), 0);
	emu_soc_close(att);
	close_soc(soc);
}

VgTest(soc, plain_segment_and_soc_fds_do_not_mix, .timeout = 10)
{
	struct emu_segment_cfg scfg = {.mem_base = MEM_BASE, .mem_size = MEM_SIZE,
				       .doorbell = EMU_DOORBELL_FUTEX};
	struct emu_segment *s = NULL, *s2 = NULL;
	struct emu_segment_fds sfds;
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX), *att = NULL;
	struct emu_soc_fds fds;
	char nm[EMU_CTL_NAME_LEN];

	cr_assert_eq(emu_segment_create(&scfg, &s), 0);
	snprintf(nm, sizeof(nm), "%s", emu_segment_name(s));
	emu_segment_get_fds(s, &sfds);
	fds = (struct emu_soc_fds){.mem = sfds.mem, .ctl = sfds.ctl};
	for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
		fds.efd[i] = -1;
	}
	cr_assert_eq(emu_soc_attach_fds(&fds, &att), -EPROTO);
	cr_assert_null(att);
	emu_soc_get_fds(soc, &fds);
	sfds = (struct emu_segment_fds){.mem = fds.mem, .ctl = fds.ctl, .efd = {-1, -1}};
	cr_assert_eq(emu_segment_attach_fds(&sfds, &s2), -EPROTO);
	cr_assert_null(s2);
	/* Nor by name. */
	cr_assert_eq(emu_segment_attach(emu_soc_name(soc), &s2), -EPROTO);
	cr_assert_null(s2);
	emu_segment_close(s);
	assert_gone(nm);
	close_soc(soc);
}

/* ------------------------------------------------------------------ inspect */

VgTest(soc, inspect_names_the_creator, .timeout = 10)
{
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX);
	struct emu_segment_info info;
	char nm[EMU_CTL_NAME_LEN];

	snprintf(nm, sizeof(nm), "%s", emu_soc_name(soc));
	cr_assert_eq(emu_segment_inspect(nm, &info), 0);
	cr_assert(info.complete);
	cr_assert(info.alive);
	cr_assert_eq(info.uid, (uint32_t)getuid());
	cr_assert_eq(info.n_owner, 1);
	cr_assert_str_eq(info.owner[0].what, "creator");
	cr_assert_eq(info.owner[0].pid, (uint32_t)getpid());
	cr_assert(info.owner[0].alive);
	cr_assert_eq(emu_soc_unlink(soc), 0);
	cr_assert_eq(emu_soc_unlink(soc), 0, "idempotent");
	assert_gone(nm);
	cr_assert_eq(emu_segment_inspect(nm, &info), -ENOENT);
	close_soc(soc);
}

/* ------------------------------------------------------------------ shared interrupt context */

/* What one callback saw. */
struct hit {
	sem_t sem;
	atomic_uint n;
	atomic_uint wrong;     /* another device or channel */
	atomic_uint not_isr;   /* port_in_isr() false */
	atomic_uint not_irq;   /* emu_core_in_irq_thread() false for `self` or `other` */
	atomic_uint msg;       /* a non-NULL message in signalling mode */
	const struct device *dev;
	mbox_channel_id_t ch;
	struct emu_core *self;
	struct emu_core *other; /* the other member of the context, or NULL */
	pthread_t thread;       /* of the last call (read after sem_wait) */
	/* -EDEADLK test: start a core here (once), after waiting for `gate`
	 * if set (having posted `entered`). */
	sem_t *gate;
	sem_t entered;
	struct emu_segment *start_on;
	int start_rc;
	struct emu_core *started;
};

static void hit_cb(const struct device *dev, mbox_channel_id_t ch, void *user,
		   struct mbox_msg *msg)
{
	struct hit *h = user;

	if (dev != h->dev || ch != h->ch) {
		atomic_fetch_add(&h->wrong, 1);
	}
	if (!port_in_isr()) {
		atomic_fetch_add(&h->not_isr, 1);
	}
	if (!emu_core_in_irq_thread(h->self) ||
	    (h->other != NULL && !emu_core_in_irq_thread(h->other))) {
		atomic_fetch_add(&h->not_irq, 1);
	}
	if (msg != NULL) {
		atomic_fetch_add(&h->msg, 1);
	}
	if (h->start_on != NULL) {
		if (h->gate != NULL) {
			ANNOTATE_HAPPENS_BEFORE(&h->entered);
			sem_post(&h->entered);
			sem_wait(h->gate);
		}
		h->start_rc = emu_core_start(h->start_on, H, &h->started);
		h->start_on = NULL;
	}
	h->thread = pthread_self();
	atomic_fetch_add(&h->n, 1);
	ANNOTATE_HAPPENS_BEFORE(&h->sem);
	sem_post(&h->sem);
}

/* SoC cores 0, 1, 2; link 0 = 0-1, link 1 = 0-2.  Core 0 of link 0 sends on
 * 1 and receives on 2, of link 1 sends on 3 and receives on 4; the peers
 * the other way round. */
struct rig {
	struct emu_soc *soc;
	struct emu_segment *v[2];
	struct emu_core *host[2];   /* core 0's members */
	struct emu_core *remote[2]; /* cores 1 and 2 */
	const struct device *hdev[2];
	const struct device *rdev[2];
	struct hit hh[2];           /* core 0's callback of each link */
	struct hit rh[2];           /* the remotes' callbacks */
};

static const uint32_t host_tx[2] = {1, 3}, host_rx[2] = {2, 4};

static void config(struct emu_core *c, uint32_t tx, uint32_t rx, const struct device **dev)
{
	const struct emu_mbox_cfg cfg = {.name = "mbox", .index = 0, .mtu = 0, .channels = 8,
					 .tx_mask = 1u << tx, .rx_mask = 1u << rx};

	cr_assert_eq(emu_core_mbox_add(c, &cfg, dev), 0);
	cr_assert_eq(*dev, emu_core_mbox(c));
}

static void hit_init(struct hit *h, const struct device *dev, mbox_channel_id_t ch,
		     struct emu_core *self, struct emu_core *other)
{
	memset(h, 0, sizeof(*h));
	cr_assert_eq(sem_init(&h->sem, 0, 0), 0);
	cr_assert_eq(sem_init(&h->entered, 0, 0), 0);
	h->dev = dev;
	h->ch = ch;
	h->self = self;
	h->other = other;
	h->start_rc = 1;
	cr_assert_eq(mbox_register_callback(dev, ch, hit_cb, h), 0);
	cr_assert_eq(mbox_set_enabled(dev, ch, true), 0);
}

/* Start core 0's member of link l and give it its channels and callback. */
static void host_up(struct rig *r, unsigned l)
{
	cr_assert_eq(emu_core_start(r->v[l], H, &r->host[l]), 0);
	config(r->host[l], host_tx[l], host_rx[l], &r->hdev[l]);
	hit_init(&r->hh[l], r->hdev[l], host_rx[l], r->host[l], r->host[1 - l]);
}

static void rig_up(struct rig *r, enum emu_doorbell db)
{
	struct emu_soc_cfg cfg;

	memset(r, 0, sizeof(*r));
	memset(&cfg, 0, sizeof(cfg));
	cfg.mem_base = MEM_BASE;
	cfg.mem_size = 0x20000;
	cfg.doorbell = db;
	cfg.n_core = 3;
	cfg.n_link = 2;
	cfg.link[0] = (__typeof__(cfg.link[0])){.base = MEM_BASE, .size = 0x10000, .core = {0, 1}};
	cfg.link[1] = (__typeof__(cfg.link[1])){.base = MEM_BASE + 0x10000, .size = 0x10000,
						 .core = {0, 2}};
	cr_assert_eq(emu_soc_create(&cfg, &r->soc), 0);
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(emu_soc_link(r->soc, l, &r->v[l]), 0);
	}
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(emu_core_start(r->v[l], H, &r->host[l]), 0);
		cr_assert_eq(emu_core_start(r->v[l], R, &r->remote[l]), 0);
	}
	for (unsigned l = 0; l < 2; l++) {
		config(r->host[l], host_tx[l], host_rx[l], &r->hdev[l]);
		config(r->remote[l], host_rx[l], host_tx[l], &r->rdev[l]);
	}
	for (unsigned l = 0; l < 2; l++) {
		hit_init(&r->hh[l], r->hdev[l], host_rx[l], r->host[l], r->host[1 - l]);
		hit_init(&r->rh[l], r->rdev[l], host_tx[l], r->remote[l], NULL);
	}
}

static void rig_down(struct rig *r)
{
	char nm[EMU_CTL_NAME_LEN];

	for (unsigned l = 0; l < 2; l++) {
		emu_core_stop(r->remote[l]);
		emu_core_stop(r->host[l]);
	}
	for (unsigned l = 0; l < 2; l++) {
		emu_segment_close(r->v[l]);
		sem_destroy(&r->hh[l].sem);
		sem_destroy(&r->rh[l].sem);
	}
	snprintf(nm, sizeof(nm), "%s", emu_soc_name(r->soc));
	emu_soc_close(r->soc);
	assert_gone(nm);
	cr_assert_eq(own_soc_objects(), 0);
}

static void assert_clean_hit(const struct hit *h, const char *what)
{
	cr_assert_eq(atomic_load(&h->wrong), 0, "%s: wrong device or channel", what);
	cr_assert_eq(atomic_load(&h->not_isr), 0, "%s: not in ISR context", what);
	cr_assert_eq(atomic_load(&h->not_irq), 0, "%s: not on the interrupt thread", what);
	cr_assert_eq(atomic_load(&h->msg), 0, "%s: a message in signalling mode", what);
}

static enum emu_doorbell both_kinds[] = {EMU_DOORBELL_FUTEX, EMU_DOORBELL_EVENTFD};

VgParameterizedTest(enum emu_doorbell, db, both_kinds, soc_irq, each_channel_runs_on_its_link_member,
		    .timeout = 20)
{
	struct rig r;
	struct emu_core_stats st;
	const char *kind = *db == EMU_DOORBELL_FUTEX ? "futex" : "eventfd";

	rig_up(&r, *db);
	/* Core 1 on link 0's channel 2: core 0's link-0 member only. */
	cr_assert_eq(mbox_send(r.rdev[0], host_rx[0], NULL), 0);
	cr_assert(wait_sem(&r.hh[0].sem, 5), "%s: link 0 callback", kind);
	cr_assert_eq(atomic_load(&r.hh[0].n), 1);
	cr_assert_eq(atomic_load(&r.hh[1].n), 0);
	/* Core 2 on link 1's channel 4: core 0's link-1 member only. */
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert(wait_sem(&r.hh[1].sem, 5), "%s: link 1 callback", kind);
	cr_assert_eq(atomic_load(&r.hh[1].n), 1);
	/* Core 0 answers on both links: each remote core gets its own. */
	cr_assert_eq(mbox_send(r.hdev[0], host_tx[0], NULL), 0);
	cr_assert_eq(mbox_send(r.hdev[1], host_tx[1], NULL), 0);
	cr_assert(wait_sem(&r.rh[0].sem, 5), "%s: core 1 callback", kind);
	cr_assert(wait_sem(&r.rh[1].sem, 5), "%s: core 2 callback", kind);
	/* A host cannot send on its inbound channel, nor on the other link's. */
	cr_assert_eq(mbox_send(r.hdev[0], host_rx[0], NULL), -EINVAL);
	cr_assert_eq(mbox_send(r.hdev[0], host_tx[1], NULL), -EINVAL);
	/* Exact counts once everything has run. */
	cr_assert_eq(atomic_load(&r.hh[0].n), 1, "%s", kind);
	cr_assert_eq(atomic_load(&r.hh[1].n), 1, "%s", kind);
	cr_assert_eq(atomic_load(&r.rh[0].n), 1, "%s", kind);
	cr_assert_eq(atomic_load(&r.rh[1].n), 1, "%s", kind);
	for (unsigned l = 0; l < 2; l++) {
		assert_clean_hit(&r.hh[l], kind);
		assert_clean_hit(&r.rh[l], kind);
		/* The core counts a callback after it returned: registering it
		 * again waits for that. */
		cr_assert_eq(mbox_register_callback(r.hdev[l], host_rx[l], hit_cb, &r.hh[l]), 0);
		emu_core_get_stats(r.host[l], &st);
		cr_assert_eq(st.callbacks, 1, "%s: member %u's callbacks", kind, l);
		cr_assert_eq(st.signals_sent, 1, "%s: member %u's signals", kind, l);
	}
	rig_down(&r);
}

VgTest(soc_irq, members_of_a_core_share_one_thread, .timeout = 20)
{
	struct rig r;

	rig_up(&r, EMU_DOORBELL_FUTEX);
	cr_assert_not(emu_core_in_irq_thread(r.host[0]));
	cr_assert_not(emu_core_in_irq_thread(r.host[1]));
	cr_assert_eq(mbox_send(r.rdev[0], host_rx[0], NULL), 0);
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert_eq(mbox_send(r.hdev[0], host_tx[0], NULL), 0);
	cr_assert_eq(mbox_send(r.hdev[1], host_tx[1], NULL), 0);
	for (unsigned l = 0; l < 2; l++) {
		cr_assert(wait_sem(&r.hh[l].sem, 5), "core 0, link %u", l);
		cr_assert(wait_sem(&r.rh[l].sem, 5), "remote of link %u", l);
	}
	/* Both members' callbacks: one thread, each member's own (checked in
	 * the callback with emu_core_in_irq_thread() of both members). */
	cr_assert(pthread_equal(r.hh[0].thread, r.hh[1].thread));
	cr_assert_not(pthread_equal(r.hh[0].thread, pthread_self()));
	/* Cores 1 and 2: threads of their own. */
	cr_assert_not(pthread_equal(r.rh[0].thread, r.hh[0].thread));
	cr_assert_not(pthread_equal(r.rh[1].thread, r.hh[0].thread));
	cr_assert_not(pthread_equal(r.rh[0].thread, r.rh[1].thread));
	for (unsigned l = 0; l < 2; l++) {
		cr_assert_eq(atomic_load(&r.hh[l].n), 1);
		cr_assert_eq(atomic_load(&r.rh[l].n), 1);
		assert_clean_hit(&r.hh[l], "core 0");
		assert_clean_hit(&r.rh[l], "remote");
	}
	rig_down(&r);
}

/* Round trips of core 2 -> core 0's link-1 member, one at a time. */
struct pinger {
	struct rig *r;
	unsigned rounds;
	atomic_uint done;
	atomic_uint failures;
};

static void *ping_link1(void *arg)
{
	struct pinger *p = arg;

	for (unsigned i = 0; i < p->rounds; i++) {
		if (mbox_send(p->r->rdev[1], host_rx[1], NULL) != 0 ||
		    !wait_sem(&p->r->hh[1].sem, 5)) {
			atomic_fetch_add(&p->failures, 1);
			break;
		}
		atomic_fetch_add(&p->done, 1);
	}
	return NULL;
}

VgTest(soc_irq, stopping_one_member_keeps_the_other_link, .timeout = 30)
{
	struct rig r;
	struct pinger p = {.r = &r, .rounds = 100};
	struct emu_ctl_role *core0;
	pthread_t t;
	unsigned spins = 0;

	if (getenv("VALGRIND") != NULL) {
		p.rounds = 40;
	}
	rig_up(&r, EMU_DOORBELL_FUTEX);
	/* host[0] goes away while link 1's callbacks run: they must not look at it. */
	r.hh[1].other = NULL;
	core0 = emu_segment_role_rec(r.v[0], H);
	cr_assert_eq(pthread_create(&t, NULL, ping_link1, &p), 0);
	/* Stop link 0's member while link 1 is busy. */
	while (atomic_load(&p.done) < 10 && atomic_load(&p.failures) == 0 && spins++ < 100000) {
		usleep(50);
	}
	emu_core_stop(r.host[0]);
	r.host[0] = NULL;
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(atomic_load(&p.failures), 0);
	cr_assert_eq(atomic_load(&p.done), p.rounds);
	cr_assert_eq(atomic_load(&r.hh[1].n), p.rounds);
	cr_assert_eq(atomic_load(&r.hh[0].n), 0);
	assert_clean_hit(&r.hh[1], "link 1 member");
	/* Core 1 signals link 0: nobody on core 0 takes it, it stays latched. */
	cr_assert_eq(mbox_send(r.rdev[0], host_rx[0], NULL), 0);
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert(wait_sem(&r.hh[1].sem, 5));
	cr_assert_eq(atomic_load(&r.hh[1].n), p.rounds + 1);
	cr_assert_neq(ipc_load_relaxed(&core0->pending) & (1u << host_rx[0]), 0);
	/* Link 0's member joins again: the core was not reset, the latched
	 * signal fires once its channel is enabled. */
	host_up(&r, 0);
	cr_assert(wait_sem(&r.hh[0].sem, 5));
	cr_assert_eq(atomic_load(&r.hh[0].n), 1);
	cr_assert_eq(atomic_load(&r.hh[1].n), p.rounds + 1);
	assert_clean_hit(&r.hh[0], "link 0 member again");
	rig_down(&r);
}

VgTest(soc_irq, boot_count_counts_core_starts_not_member_starts, .timeout = 20)
{
	struct rig r;
	struct emu_peer_status ps;

	rig_up(&r, EMU_DOORBELL_FUTEX);
	for (unsigned l = 0; l < 2; l++) {
		emu_segment_peer_status(r.v[l], H, &ps);
		cr_assert_eq(ps.boot_count, 1, "core 0 through link %u", l);
		cr_assert_eq(ps.pid, (uint32_t)getpid());
		cr_assert_neq(ps.heartbeat, 0);
		emu_segment_peer_status(r.v[l], R, &ps);
		cr_assert_eq(ps.boot_count, 1, "core %u", l + 1);
	}
	/* A second core of the same role on one view: -EBUSY. */
	{
		struct emu_core *c = NULL;

		cr_assert_eq(emu_core_start(r.v[0], H, &c), -EBUSY);
		cr_assert_null(c);
	}
	emu_core_stop(r.host[0]);
	emu_segment_peer_status(r.v[1], H, &ps);
	cr_assert_eq(ps.boot_count, 1, "one member left");
	emu_core_stop(r.host[1]);
	emu_segment_peer_status(r.v[0], H, &ps);
	cr_assert_eq(ps.boot_count, 1, "stop does not count");
	/* Core 0 starts again: its first member counts, the second joins. */
	cr_assert_eq(emu_core_start(r.v[1], H, &r.host[1]), 0);
	emu_segment_peer_status(r.v[0], H, &ps);
	cr_assert_eq(ps.boot_count, 2);
	cr_assert_eq(emu_core_start(r.v[0], H, &r.host[0]), 0);
	emu_segment_peer_status(r.v[1], H, &ps);
	cr_assert_eq(ps.boot_count, 2);
	for (unsigned l = 0; l < 2; l++) {
		emu_segment_peer_status(r.v[l], R, &ps);
		cr_assert_eq(ps.boot_count, 1, "core %u untouched", l + 1);
	}
	rig_down(&r);
}

VgTest(soc_irq, restart_of_a_core_drops_its_latched_signals, .timeout = 20)
{
	struct rig r;

	rig_up(&r, EMU_DOORBELL_FUTEX);
	emu_core_stop(r.host[0]);
	emu_core_stop(r.host[1]);
	r.host[0] = NULL;
	r.host[1] = NULL;
	/* Signals for core 0 while it is down. */
	cr_assert_eq(mbox_send(r.rdev[0], host_rx[0], NULL), 0);
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert_eq(ipc_load_relaxed(&emu_segment_role_rec(r.v[0], H)->pending) &
			     EMU_CTL_CHANNEL_MASK,
		     (1u << host_rx[0]) | (1u << host_rx[1]));
	/* The first member's start resets the core's mailbox. */
	host_up(&r, 1);
	cr_assert_eq(ipc_load_relaxed(&emu_segment_role_rec(r.v[0], H)->pending) &
			     EMU_CTL_CHANNEL_MASK,
		     0);
	host_up(&r, 0);
	/* Signals after the restart arrive. */
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert(wait_sem(&r.hh[1].sem, 5));
	cr_assert_eq(mbox_send(r.rdev[0], host_rx[0], NULL), 0);
	cr_assert(wait_sem(&r.hh[0].sem, 5));
	cr_assert_eq(atomic_load(&r.hh[0].n), 1);
	cr_assert_eq(atomic_load(&r.hh[1].n), 1);
	rig_down(&r);
}

VgTest(soc_irq, start_from_a_member_callback_is_edeadlk, .timeout = 20)
{
	struct rig r;
	struct emu_segment *v0b = NULL;

	rig_up(&r, EMU_DOORBELL_FUTEX);
	/* A second view of link 0: its host role is free, its core is core 0. */
	cr_assert_eq(emu_soc_link(r.soc, 0, &v0b), 0);
	r.hh[1].start_on = v0b;
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert(wait_sem(&r.hh[1].sem, 5));
	cr_assert_eq(r.hh[1].start_rc, -EDEADLK);
	cr_assert_null(r.hh[1].started);
	/* The failed start released the role: a start from here works. */
	{
		struct emu_core *c = NULL;
		struct emu_peer_status ps;

		cr_assert_eq(emu_core_start(v0b, H, &c), 0);
		emu_segment_peer_status(v0b, H, &ps);
		cr_assert_eq(ps.boot_count, 1, "a member's join does not count");
		emu_core_stop(c);
	}
	emu_segment_close(v0b);
	rig_down(&r);
}

static void *stop_core(void *arg)
{
	emu_core_stop(arg);
	return NULL;
}

/* The same while another thread stops a member of that core: the stop holds
 * the registry lock and waits for the context's lock (held by the thread
 * during the callback); the start in the callback must not wait for the
 * registry lock (it did before: both threads hung). */
Test(soc_irq, start_from_a_callback_during_a_stop_is_edeadlk, .timeout = 20)
{
	struct rig r;
	struct emu_segment *v0b = NULL;
	sem_t gate;
	pthread_t t;
	bool done;

	rig_up(&r, EMU_DOORBELL_FUTEX);
	r.hh[1].other = NULL; /* host[0] goes away */
	cr_assert_eq(sem_init(&gate, 0, 0), 0);
	cr_assert_eq(emu_soc_link(r.soc, 0, &v0b), 0);
	r.hh[1].gate = &gate;
	r.hh[1].start_on = v0b;
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert(wait_sem(&r.hh[1].entered, 5));
	cr_assert_eq(pthread_create(&t, NULL, stop_core, r.host[0]), 0);
	r.host[0] = NULL;
	usleep(200000); /* the stopper takes the registry lock */
	sem_post(&gate);
	done = wait_sem(&r.hh[1].sem, 3);
	cr_assert(done, "deadlock: the callback's emu_core_start() and a concurrent "
		  "emu_core_stop() wait for each other");
	cr_assert_eq(r.hh[1].start_rc, -EDEADLK);
	cr_assert_eq(pthread_join(t, NULL), 0);
	emu_segment_close(v0b);
	rig_down(&r);
}

/* emu_core_hold(): a core process holds its SoC core's interrupt context for
 * its whole life, so a link whose core stops early and another that starts
 * late are one boot of that core. */
VgTest(soc_irq, hold_makes_one_boot_of_member_starts_and_stops, .timeout = 20)
{
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX);
	struct emu_segment *v0 = NULL, *v1 = NULL;
	struct emu_core_hold *hold = NULL;
	struct emu_core *c0 = NULL, *c1 = NULL;
	struct emu_peer_status ps;

	cr_assert_eq(emu_soc_link(soc, 0, &v0), 0);
	cr_assert_eq(emu_soc_link(soc, 1, &v1), 0);
	cr_assert_eq(emu_core_hold(v0, H, &hold), 0);
	emu_segment_peer_status(v0, H, &ps);
	cr_assert_eq(ps.boot_count, 1, "the hold boots the core");
	cr_assert_eq(ps.pid, (uint32_t)getpid());
	/* A signal latched for core 0 before any member starts. */
	(void)ctl_fetch_or(&emu_segment_role_rec(v1, H)->pending, 1u << 4);
	cr_assert_eq(emu_core_start(v0, H, &c0), 0);
	emu_core_stop(c0); /* link 0 ends before link 1 starts */
	cr_assert_eq(emu_core_start(v1, H, &c1), 0);
	emu_segment_peer_status(v1, H, &ps);
	cr_assert_eq(ps.boot_count, 1, "members under a hold are the same boot");
	cr_assert_eq(ipc_load_relaxed(&emu_segment_role_rec(v1, H)->pending) & (1u << 4), 1u << 4,
		     "and a late member keeps what was latched for it");
	emu_core_stop(c1);
	emu_core_release(hold);
	/* Without a hold, a start after the last stop is the next boot. */
	cr_assert_eq(emu_core_start(v1, H, &c1), 0);
	emu_segment_peer_status(v1, H, &ps);
	cr_assert_eq(ps.boot_count, 2);
	cr_assert_eq(ipc_load_relaxed(&emu_segment_role_rec(v1, H)->pending) & (1u << 4), 0,
		     "a boot drops what the previous one left latched");
	emu_core_stop(c1);
	emu_segment_close(v0);
	emu_segment_close(v1);
	close_soc(soc);
}

VgTest(soc_irq, hold_needs_a_view, .timeout = 10)
{
	struct emu_segment_cfg cfg = {.mem_base = MEM_BASE, .mem_size = 0x1000};
	struct emu_segment *seg = NULL;
	struct emu_soc *soc = create_three(EMU_DOORBELL_FUTEX);
	struct emu_segment *v0 = NULL;
	struct emu_core_hold *hold = NULL;

	cr_assert_eq(emu_segment_create(&cfg, &seg), 0);
	cr_assert_eq(emu_core_hold(seg, H, &hold), -EINVAL);
	cr_assert_null(hold);
	cr_assert_eq(emu_soc_link(soc, 0, &v0), 0);
	cr_assert_eq(emu_core_hold(v0, (enum emu_role)2, &hold), -EINVAL);
	cr_assert_eq(emu_core_hold(v0, H, NULL), -EINVAL);
	cr_assert_eq(emu_core_hold(NULL, H, &hold), -EINVAL);
	emu_core_release(NULL);
	emu_segment_close(v0);
	emu_segment_close(seg);
	close_soc(soc);
}

VgTest(soc_irq, seventeenth_member_is_enomem, .timeout = 20)
{
	struct rig r;
	struct emu_segment *v[15];
	struct emu_core *c[15];
	struct emu_core *extra = NULL;

	/* Core 0 has two members; 14 more views of link 0 make 16. */
	rig_up(&r, EMU_DOORBELL_FUTEX);
	for (unsigned i = 0; i < 15; i++) {
		v[i] = NULL;
		c[i] = NULL;
		cr_assert_eq(emu_soc_link(r.soc, 0, &v[i]), 0);
	}
	for (unsigned i = 0; i < 14; i++) {
		cr_assert_eq(emu_core_start(v[i], H, &c[i]), 0, "member %u", i + 3);
	}
	cr_assert_eq(emu_core_start(v[14], H, &c[14]), -ENOMEM);
	cr_assert_null(c[14]);
	/* The context still works with 16 members. */
	cr_assert_eq(mbox_send(r.rdev[1], host_rx[1], NULL), 0);
	cr_assert(wait_sem(&r.hh[1].sem, 5));
	/* One leaves: the refused view (its role released) gets in. */
	emu_core_stop(c[0]);
	c[0] = NULL;
	cr_assert_eq(emu_core_start(v[14], H, &extra), 0);
	emu_core_stop(extra);
	for (unsigned i = 0; i < 15; i++) {
		emu_core_stop(c[i]);
		emu_segment_close(v[i]);
	}
	cr_assert_eq(mbox_send(r.rdev[0], host_rx[0], NULL), 0);
	cr_assert(wait_sem(&r.hh[0].sem, 5));
	cr_assert_eq(atomic_load(&r.hh[0].n), 1);
	cr_assert_eq(atomic_load(&r.hh[1].n), 1);
	rig_down(&r);
}

/* Under Valgrind: every VgTest of both suites in one process. */
VG_BATCH(soc, 300)
