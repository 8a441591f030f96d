#include "support/board_rig.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

static unsigned slow(unsigned ms)
{
	return RUNNING_ON_VALGRIND ? ms * 20u : ms;
}

void rig_init(struct rig *r, const char *tag, enum emu_doorbell db, const char *host_dts,
	      const char *remote_dts)
{
	static unsigned counter;
	struct emu_segment_cfg cfg = {.doorbell = db};
	char err[512];

	memset(r, 0, sizeof(*r));
	if (host_dts == NULL) {
		host_dts = emu_dt_default_board(EMU_ROLE_HOST);
		remote_dts = emu_dt_default_board(EMU_ROLE_REMOTE);
	}
	cr_assert_eq(emu_dt_load_string(host_dts, "host.dts", &r->plan[0], err, sizeof(err)), 0,
		     "%s", err);
	if (remote_dts != NULL) {
		cr_assert_eq(emu_dt_load_string(remote_dts, "remote.dts", &r->plan[1], err,
						sizeof(err)),
			     0, "%s", err);
		cr_assert_eq(emu_dt_check_pair(&r->plan[0], &r->plan[1], err, sizeof(err)), 0, "%s",
			     err);
	} else {
		emu_dt_mirror(&r->plan[0], &r->plan[1]);
	}
	snprintf(r->name, sizeof(r->name), "ipc-emu-test-%s-%d-%u", tag, getpid(), counter++);
	cfg.name = r->name;
	cfg.mem_base = r->plan[0].size ? r->plan[0].base : 0x20000000u;
	cfg.mem_size = r->plan[0].size ? (uint32_t)r->plan[0].size : 4096u;
	cr_assert_eq(emu_segment_create(&cfg, &r->seg), 0);
}

void rig_start(struct rig *r, int role, const struct emu_board_opts *opts)
{
	char err[512];

	cr_assert_eq(emu_core_start(r->seg, role, &r->core[role]), 0);
	cr_assert_eq(emu_board_create(&r->plan[role], r->seg, r->core[role], opts, &r->board[role],
				      err, sizeof(err)),
		     0, "%s", err);
}

void rig_up(struct rig *r, const char *tag, enum emu_doorbell db, const char *host_dts,
	    const char *remote_dts)
{
	rig_init(r, tag, db, host_dts, remote_dts);
	rig_start(r, EMU_ROLE_HOST, NULL);
	rig_start(r, EMU_ROLE_REMOTE, NULL);
}

void rig_stop(struct rig *r, int role)
{
	emu_board_destroy(r->board[role]);
	emu_core_stop(r->core[role]);
	r->board[role] = NULL;
	r->core[role] = NULL;
}

void rig_fini(struct rig *r)
{
	char path[160];

	for (int role = 0; role < 2; role++) {
		if (r->core[role] != NULL) {
			rig_stop(r, role);
		}
	}
	emu_segment_close(r->seg);
	r->seg = NULL;
	snprintf(path, sizeof(path), "/dev/shm/%s-ctl", r->name);
	cr_expect_neq(access(path, F_OK), 0, "%s left behind", path);
}

const struct device *rig_dev(struct rig *r, int role, const char *label)
{
	const struct device *d = emu_board_device(r->board[role], label);

	cr_assert_not_null(d, "no device %s", label);
	return d;
}

void rig_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

unsigned rig_scaled(unsigned n)
{
	return RUNNING_ON_VALGRIND ? (n / 100u ? n / 100u : 1u) : n;
}

unsigned rig_wait(atomic_uint *v, unsigned want, unsigned ms)
{
	unsigned seen;

	ms = slow(ms);
	for (unsigned i = 0; (seen = atomic_load(v)) < want && i < ms; i++) {
		rig_sleep_ms(1);
	}
	return seen;
}

bool rig_sem_wait(void *sem, unsigned ms)
{
	struct timespec ts;

	ms = slow(ms);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000u;
	ts.tv_nsec += (long)(ms % 1000u) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	for (;;) {
		if (sem_timedwait(sem, &ts) == 0) {
			return true;
		}
		if (errno != EINTR) {
			return false;
		}
	}
}
