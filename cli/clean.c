/*
 * clean.c - `ipc-emu clean`: remove segments whose owners are all dead.
 *
 * A segment is the pair <name>-mem / <name>-ctl in /dev/shm.  It is
 * recognised by its control block only (emu_segment_inspect(): magic, layout
 * version, size and the name recorded inside), never by its name.  Its
 * owners are the creator and the last process of each role; each is
 * recorded with its start time, so a pid that was reused by another process
 * counts as dead.  The pair is removed only when no owner runs.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <time.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "zephyr_build.h"
#include "../emu/sys.h"

#define SHM_DIR "/dev/shm"
#define RUN_DIR CLI_RUN_DIR
#define RUN_DIR_PREFIX CLI_RUN_DIR_PREFIX
#define CLEAN_MAX_NAMES 4096

void cli_help_clean(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu clean [--dry-run] [--quiet] [NAME...]\n"
		"       ipc-emu clean --zephyr-cache[=DIR] [--older-than DAYS] [--dry-run] [--quiet]\n"
		"\n"
		"Remove leftover shared-memory segments of ipc-emu from " SHM_DIR " whose\n"
		"owners are all dead: the <NAME>-mem / <NAME>-ctl pair that a named\n"
		"`ipc-emu peer --segment NAME` leaves when it is killed.  (`ipc-emu run`\n"
		"leaves no segment behind, even when it is SIGKILLed.)\n"
		"\n"
		"A segment is recognised by its control block (<NAME>-ctl: magic, layout\n"
		"version, size and the name recorded in it), never by its name alone; no\n"
		"other file is touched.  Its owners are the process that created it and\n"
		"the last process that ran each role (host, remote) on it.  An owner is\n"
		"alive when its pid runs and started when the segment recorded it (a pid\n"
		"reused by an unrelated process, or a zombie, counts as dead).  A segment\n"
		"with a live owner is kept.\n"
		"\n"
		"Without NAME every segment in " SHM_DIR " owned by you is examined;\n"
		"with NAMEs, only those (the name given to --segment, without -mem/-ctl).\n"
		"\n"
		"options:\n"
		"  -n, --dry-run  print what would be removed, remove nothing\n"
		"  -q, --quiet    print nothing but errors\n"
		"  -h, --help     this text\n"
		"\n"
		"output (stdout), one line per segment, then a count:\n"
		"  removed NAME (pids P... dead)\n"
		"  removed " RUN_DIR "/ipc-emu-KIND-... (pid P dead)\n"
		"  would remove NAME (pids P... dead)          with --dry-run\n"
		"  kept NAME (pid P alive)                     only for a NAME you gave\n"
		"  skipped NAME-mem (no NAME-ctl: cannot tell whether it is an ipc-emu segment)\n"
		"  clean: N removed, M kept (owner alive)     ('would be removed' with --dry-run)\n"
		"\n"
		"It also removes the private directories of `ipc-emu run` whose process\n"
		"is dead: " RUN_DIR "/ipc-emu-trace-PID-START-* (--trace event files),\n"
		"" RUN_DIR "/ipc-emu-vg-PID-START-* (--valgrind logs) and\n"
		"" RUN_DIR "/ipc-emu-san-PID-START-* (--sanitize logs), which only a SIGKILLed\n"
		"supervisor leaves behind (PID and START are the owner's pid and start\n"
		"time).  Logs a run kept on purpose (" RUN_DIR "/ipc-emu-vglogs-*,\n"
		"" RUN_DIR "/ipc-emu-sanlogs-*) stay.\n"
		"\n"
		"A -mem without its -ctl is never removed: this version creates the\n"
		"control block first, so it does not leave one; remove such a file by\n"
		"hand (rm " SHM_DIR "/NAME-mem) once you know nothing uses it.  A control\n"
		"block of another layout version is left alone.\n"
		"\n"
		"--zephyr-cache[=DIR] removes, instead, the product directories of\n"
		"`ipc-emu zephyr-build` (and of `run --zephyr-base`) from its cache: DIR,\n"
		"else $IPC_EMU_ZEPHYR_CACHE, else $XDG_CACHE_HOME/ipc-emu/zephyr, else\n"
		"~/.cache/ipc-emu/zephyr.  Every change of a tree, DTS, Kconfig, compiler or\n"
		"ipc-emu adds a directory there and nothing else removes old ones.  A\n"
		"product directory is recognised by its name (16 hex digits) and its\n"
		"build.log written by zephyr-build; nothing else in DIR is touched, and\n"
		"symbolic links in it (the include overlay) are removed, never followed.\n"
		"  --older-than DAYS  only those not used for DAYS days (each use of a\n"
		"                     cached build refreshes its stamp; default 0: all,\n"
		"                     except an unfinished build younger than 10 minutes,\n"
		"                     which may be running)\n"
		"output: 'removed DIR/KEY (last used N days ago)' per directory, then\n"
		"'clean: N removed, M kept'.\n"
		"\n"
		"exit status: 0 done (also when nothing was found); 2 usage error, a\n"
		"NAME that is no ipc-emu segment, or a segment that could not be\n"
		"removed (one line on stderr each).\n");
}

struct clean {
	bool dry_run, quiet, named;
	unsigned removed, kept, skipped, errors;
};

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* A regular file of ours (root: anyone's) in /dev/shm. */
static bool shm_file(const char *name, const char *suffix)
{
	char path[512];
	struct stat st;

	if (snprintf(path, sizeof(path), SHM_DIR "/%s%s", name, suffix) >= (int)sizeof(path)) {
		return false;
	}
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       (st.st_uid == geteuid() || geteuid() == 0);
}

static void list_pids(const struct emu_segment_info *in, bool alive, char *out, size_t len)
{
	size_t k = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < in->n_owner; i++) {
		bool dup = false;

		if (in->owner[i].alive != alive) {
			continue;
		}
		for (unsigned j = 0; j < i; j++) {
			dup |= in->owner[j].pid == in->owner[i].pid && in->owner[j].alive == alive;
		}
		if (!dup && k < len) {
			k += (size_t)snprintf(out + k, len - k, "%s%u", k ? ", " : "",
					      (unsigned)in->owner[i].pid);
		}
	}
}

static unsigned count_pids(const char *list)
{
	unsigned n = list[0] != '\0';

	for (const char *p = list; *p; p++) {
		n += *p == ',';
	}
	return n;
}

static void clean_one(struct clean *cl, const char *name)
{
	struct emu_segment_info in;
	char pids[128];
	int r = emu_segment_inspect(name, &in);

	if (r == -ENOENT) {
		if (shm_file(name, "-mem")) {
			cl->skipped++;
			if (!cl->quiet) {
				printf("skipped %s-mem (no %s-ctl: cannot tell whether it is an ipc-emu "
				       "segment)\n",
				       name, name);
			}
		} else if (cl->named) {
			cli_err("clean: no segment '%s' in " SHM_DIR, name);
			cl->errors++;
		}
		return;
	}
	if (r < 0) {
		if (cl->named) {
			cli_err("clean: '%s' is not an ipc-emu segment (%s)", name,
				r == -EPROTO ? "unknown control block" : strerror(-r));
			cl->errors++;
		}
		return;
	}
	if (in.uid != (uint32_t)geteuid() && geteuid() != 0) {
		if (cl->named) {
			cli_err("clean: segment '%s' belongs to uid %u, not to you", name,
				(unsigned)in.uid);
			cl->errors++;
		}
		return;
	}
	if (in.alive) {
		cl->kept++;
		if (cl->named && !cl->quiet) {
			list_pids(&in, true, pids, sizeof(pids));
			printf("kept %s (pid%s %s alive)\n", name, count_pids(pids) > 1 ? "s" : "",
			       pids);
		}
		return;
	}
	list_pids(&in, false, pids, sizeof(pids));
	if (cl->dry_run) {
		cl->removed++;
		if (!cl->quiet) {
			printf("would remove %s (pid%s %s dead)\n", name,
			       count_pids(pids) > 1 ? "s" : "", pids);
		}
		return;
	}
	r = emu_segment_unlink_name(name);
	if (r == -ENOENT) {
		return; /* someone else was faster */
	}
	if (r < 0) {
		cli_err("clean: cannot remove segment '%s': %s", name, strerror(-r));
		cl->errors++;
		return;
	}
	cl->removed++;
	if (!cl->quiet) {
		printf("removed %s (pid%s %s dead)\n", name, count_pids(pids) > 1 ? "s" : "", pids);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME of /dev/shm with a NAME-ctl or NAME-mem of ours, sorted, once. */
static int scan(struct clean *cl)
{
	DIR *d = opendir(SHM_DIR);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		cli_err("clean: cannot read " SHM_DIR ": %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char *nm;

		if (!has_suffix(e->d_name, "-ctl") && !has_suffix(e->d_name, "-mem")) {
			continue;
		}
		if (n == CLEAN_MAX_NAMES) {
			break;
		}
		if (n == cap) {
			char **bigger = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));

			if (bigger == NULL) {
				break;
			}
			names = bigger;
			cap = cap ? cap * 2 : 64;
		}
		nm = strndup(e->d_name, len - 4);
		if (nm == NULL) {
			break;
		}
		names[n++] = nm;
	}
	closedir(d);
	if (n > 0) {
		qsort(names, n, sizeof(*names), cmp_str);
	}
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0) {
			if (strlen(names[i]) < 128 && strchr(names[i], '/') == NULL) {
				clean_one(cl, names[i]);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	return 0;
}

/* One entry of RUN_DIR: a run directory of ours whose owner is dead is
 * removed; anything else is left alone. */
static void clean_run_dir(struct clean *cl, const char *name)
{
	char kind[16], tail[8], path[PATH_MAX];
	long pid;
	uint64_t start, now;
	struct stat st;
	int used = 0;

	if (sscanf(name, RUN_DIR_PREFIX "%15[a-z]-%ld-%" SCNu64 "-%7[A-Za-z0-9]%n", kind, &pid,
		   &start, tail, &used) != 4 || name[used] != '\0' || strlen(tail) != 6 ||
	    (strcmp(kind, "trace") != 0 && strcmp(kind, "vg") != 0 && strcmp(kind, "san") != 0) ||
	    pid <= 0) {
		return;
	}
	snprintf(path, sizeof(path), RUN_DIR "/%s", name);
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_uid != geteuid() && geteuid() != 0)) {
		return;
	}
	/* Alive: the pid runs and started when the name says (a reused pid
	 * is another process; 0 means the start time was not known). */
	if (emu_sys_proc_start(pid, &now) == 0 && (start == 0 || now == 0 || now == start)) {
		cl->kept++;
		return;
	}
	cl->removed++;
	if (!cl->dry_run) {
		cli_run_dir_remove(path);
	}
	if (!cl->quiet) {
		printf("%s %s (pid %ld dead)\n", cl->dry_run ? "would remove" : "removed", path, pid);
	}
}

static void scan_run_dirs(struct clean *cl)
{
	DIR *d = opendir(RUN_DIR);
	struct dirent *e;

	if (d == NULL) {
		return; /* no /tmp: nothing of ours can be there */
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, RUN_DIR_PREFIX, strlen(RUN_DIR_PREFIX)) == 0) {
			clean_run_dir(cl, e->d_name);
		}
	}
	closedir(d);
}

/* ------------------------------------------------ zephyr-build's cache -- */

#define ZCACHE_BUSY_S 600 /* an unfinished build this young may be running */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* DIR/name is a product directory of zephyr-build: its name is 16 lower-case
 * hex digits, it is a directory of ours (not a link), and its build.log
 * starts with the line zephyr-build writes.  *last_use: the stamp's mtime
 * (refreshed at each use), else the newest of build.log and the directory. */
static bool zcache_product(const char *dir, const char *name, char *path, size_t len,
			   time_t *last_use, bool *complete)
{
	char p[PATH_MAX + 64], line[256];
	struct stat st, ls;
	FILE *f;
	bool ok;

	if (strlen(name) != 16 || strspn(name, "0123456789abcdef") != 16 ||
	    snprintf(path, len, "%s/%s", dir, name) >= (int)len) {
		return false;
	}
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_uid != geteuid() && geteuid() != 0)) {
		return false;
	}
	snprintf(p, sizeof(p), "%s/build.log", path);
	if (lstat(p, &ls) != 0 || !S_ISREG(ls.st_mode) || (f = fopen(p, "r")) == NULL) {
		return false;
	}
	ok = fgets(line, sizeof(line), f) != NULL && strncmp(line, "ipc-emu ", 8) == 0 &&
	     strstr(line, " zephyr-build: ") != NULL;
	fclose(f);
	if (!ok) {
		return false;
	}
	snprintf(p, sizeof(p), "%s/stamp", path);
	*complete = stat(p, &st) == 0;
	if (*complete) {
		*last_use = st.st_mtime;
	} else {
		*last_use = ls.st_mtime > st.st_mtime ? ls.st_mtime : st.st_mtime;
	}
	return true;
}

static int clean_zephyr_cache(struct clean *cl, const char *dir, double older_than_days)
{
	char def[PATH_MAX], path[PATH_MAX + 32];
	time_t now = time(NULL);
	struct dirent **ents;
	int n;

	if (dir == NULL) {
		cli_zephyr_cache_dir(def, sizeof(def));
		dir = def;
	}
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		if (errno != ENOENT) {
			cli_err("clean: cannot read %s: %s", dir, strerror(errno));
			return EXIT_USAGE;
		}
		n = 0;
		ents = NULL;
	}
	for (int i = 0; i < n; i++) {
		time_t used;
		bool complete;
		double age;

		if (zcache_product(dir, ents[i]->d_name, path, sizeof(path), &used, &complete)) {
			age = difftime(now, used);
			if (age < older_than_days * 86400.0 || (!complete && age < ZCACHE_BUSY_S)) {
				cl->kept++;
			} else if (cl->dry_run) {
				cl->removed++;
			} else if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
				cli_err("clean: cannot remove %s: %s", path, strerror(errno));
				cl->errors++;
			} else {
				cl->removed++;
			}
			if (!cl->quiet && !(age < older_than_days * 86400.0 ||
					     (!complete && age < ZCACHE_BUSY_S))) {
				printf("%s %s (%slast used %.1f days ago)\n",
				       cl->dry_run ? "would remove" : "removed", path,
				       complete ? "" : "unfinished, ", age / 86400.0);
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (!cl->quiet) {
		printf("clean: %u %s, %u kept\n", cl->removed,
		       cl->dry_run ? "would be removed" : "removed", cl->kept);
	}
	return cl->errors > 0 ? EXIT_USAGE : EXIT_PASS;
}

int cli_clean_main(int argc, char **argv, int first)
{
	struct clean cl = {0};
	int i, n_names = 0;
	bool zcache = false;
	const char *zcache_dir = NULL;
	double older_than = 0;
	bool older_set = false;

	for (i = first; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli_help_clean(stdout);
			return EXIT_PASS;
		}
		if (strcmp(a, "-n") == 0 || strcmp(a, "--dry-run") == 0) {
			cl.dry_run = true;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			cl.quiet = true;
		} else if (strcmp(a, "--zephyr-cache") == 0 ||
			   strncmp(a, "--zephyr-cache=", 15) == 0) {
			zcache = true;
			zcache_dir = a[14] == '=' ? a + 15 : NULL;
			if (zcache_dir != NULL && zcache_dir[0] == '\0') {
				cli_err("clean: --zephyr-cache=DIR wants a directory");
				return EXIT_USAGE;
			}
		} else if (strcmp(a, "--older-than") == 0) {
			char *end;

			older_set = true;
			older_than = i + 1 < argc ? strtod(argv[i + 1], &end) : -1;
			if (i + 1 >= argc || *end != '\0' || end == argv[i + 1] || !(older_than >= 0) ||
			    older_than > 36500) {
				cli_err("clean: --older-than wants a number of days (0..36500)");
				return EXIT_USAGE;
			}
			i++;
		} else if (a[0] == '-' && a[1] != '\0') {
			cli_err("clean: unknown option '%s' (see 'ipc-emu help clean')", a);
			return EXIT_USAGE;
		} else {
			n_names++;
		}
	}
	for (int j = i; j < argc; j++) {
		n_names++;
	}
	if (older_set && !zcache) {
		cli_err("clean: --older-than applies to --zephyr-cache");
		return EXIT_USAGE;
	}
	if (zcache) {
		if (n_names > 0) {
			cli_err("clean: --zephyr-cache cleans the zephyr-build cache only; give segment "
				"NAMEs in a run of their own");
			return EXIT_USAGE;
		}
		return clean_zephyr_cache(&cl, zcache_dir, older_than);
	}
	/* Second pass: the names, now that all options are known. */
	cl.named = n_names > 0;
	for (int j = first; j < argc; j++) {
		const char *a = argv[j];

		if (j < i && strcmp(a, "--older-than") == 0) {
			j++; /* and its value */
			continue;
		}
		if (j < i && a[0] == '-' && a[1] != '\0') {
			continue;
		}
		if (j == i - 1 && strcmp(a, "--") == 0) {
			continue;
		}
		if (a[0] == '\0' || strchr(a, '/') != NULL || strlen(a) >= 128) {
			cli_err("clean: '%s' is not a segment name", a);
			cl.errors++;
			continue;
		}
		clean_one(&cl, a);
	}
	if (!cl.named && scan(&cl) < 0) {
		return EXIT_USAGE;
	}
	if (!cl.named) {
		scan_run_dirs(&cl);
	}
	if (!cl.quiet) {
		printf("clean: %u %s, %u kept (owner alive)", cl.removed,
		       cl.dry_run ? "would be removed" : "removed", cl.kept);
		if (cl.skipped > 0) {
			printf(", %u skipped (no control block)", cl.skipped);
		}
		putchar('\n');
	}
	return cl.errors > 0 ? EXIT_USAGE : EXIT_PASS;
}
