/*
 * rundir.c - a run's private directory in /tmp (rundir.h).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"
#include "../emu/sys.h"

int cli_run_dir_create(const char *kind, char *out, size_t len)
{
	uint64_t start = 0;
	int n;

	(void)emu_sys_proc_start((long)getpid(), &start);
	n = snprintf(out, len, CLI_RUN_DIR "/" CLI_RUN_DIR_PREFIX "%s-%ld-%" PRIu64 "-XXXXXX",
		     kind, (long)getpid(), start);
	if (n < 0 || (size_t)n >= len) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	return mkdtemp(out) != NULL ? 0 : -errno;
}

void cli_run_dir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		/* Only files: a run directory holds nothing else, and unlinkat
		 * without AT_REMOVEDIR never descends into anything. */
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			(void)unlinkat(dirfd(d), e->d_name, 0);
		}
	}
	closedir(d);
	(void)rmdir(dir);
}
