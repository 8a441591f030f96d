#include "support/pair.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pair_setup(struct pair *p, const char *tag)
{
	static unsigned counter;
	char err[256], name[96];
	struct emu_segment_cfg cfg = {.doorbell = EMU_DOORBELL_FUTEX};

	memset(p, 0, sizeof(*p));
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_dt_load_string(emu_dt_default_board(r), "default", &p->plans[r], err,
						sizeof(err)),
			     0, "%s", err);
	}
	snprintf(name, sizeof(name), "ipc-emu-test-%s-%d-%u", tag, getpid(), counter++);
	cfg.name = name;
	cfg.mem_base = p->plans[0].base;
	cfg.mem_size = (uint32_t)p->plans[0].size;
	cr_assert_eq(emu_segment_create(&cfg, &p->seg), 0);
}

void pair_start(struct pair *p, int role, const struct emu_board_opts *opts)
{
	char err[256];

	cr_assert_eq(emu_core_start(p->seg, role, &p->core[role]), 0);
	cr_assert_eq(emu_board_create(&p->plans[role], p->seg, p->core[role], opts, &p->board[role],
				      err, sizeof(err)),
		     0, "%s", err);
}

void pair_stop(struct pair *p, int role)
{
	emu_board_destroy(p->board[role]);
	emu_core_stop(p->core[role]);
	p->board[role] = NULL;
	p->core[role] = NULL;
}

void pair_teardown(struct pair *p)
{
	char path[160];

	for (int r = 0; r < 2; r++) {
		if (p->core[r] != NULL) {
			pair_stop(p, r);
		}
	}
	snprintf(path, sizeof(path), "/dev/shm/%s-mem", emu_segment_name(p->seg));
	emu_segment_close(p->seg);
	cr_expect_neq(access(path, F_OK), 0, "%s left behind", path);
	p->seg = NULL;
}

bool wait_until(atomic_int *v, int want, int ms)
{
	if (getenv("VALGRIND") != NULL) {
		ms *= 20;
	}
	for (int i = 0; i < ms; i++) {
		if (atomic_load(v) >= want) {
			return true;
		}
		usleep(1000);
	}
	return atomic_load(v) >= want;
}
