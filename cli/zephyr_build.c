/*
 * zephyr_build.c - `ipc-emu zephyr-build`: compile the IPC sources of a
 * Zephyr tree, unchanged, against the compatibility headers, and link the
 * Zephyr-application-shaped programs of emu/zephyr_apps/ with them.
 *
 * What is compiled (the files of this list that the tree has):
 *   subsys/ipc/ipc_service/ipc_service.c, lib/pbuf.c, lib/icmsg.c,
 *   backends/ipc_icmsg.c, backends/ipc_icbmsg.c and lib/utils/bitarray.c
 * with the system cc, Zephyr's warning set (not -Werror; an implicit
 * function declaration is an error: a function the shim lacks), and the
 * include path
 *   KEY/overlay   symlinks to the tree's include/zephyr/ipc/ headers and
 *                 include/zephyr/sys/bitarray.h, nothing else of the tree
 *                 (its include/ would bring Zephyr's own kernel.h)
 *   KEY/cfg       devicetree_generated.h + autoconf.h of `ipc-emu
 *                 zephyr-config` for the core (defaults for the Kconfig
 *                 symbols the sources use that zephyr-config does not know
 *                 come first, the user's --kconfig files after them)
 *   compat        the compatibility headers (include/zephyr/)
 * The sources are compiled with EMU_ZEPHYR_DT_DEV_EXTERN (they define
 * devices, zephyr/emu_device_define.h) into KEY/libzephyr_ipc.a, with a
 * unit that defines the weak device references; programs link it whole
 * (--whole-archive) and libipc_emu.so.
 *
 * Classic ICBMsg is not wire-compatible built for a 64-bit host (a size_t
 * block header, sizeof(void *) in its sizing) and the runtime has no 32-bit
 * build: backends/ipc_icbmsg.c (and bitarray.c, which only it needs) is
 * left out with a note, and a DTS instance of it has no device.
 *
 * Cache: CACHE/KEY, KEY a 64-bit FNV-1a hash of the ipc-emu version, the
 * core, the DTS and Kconfig files' contents, the tree's compiled files and
 * overlay headers' contents, the tree's git commit (if it is a git work
 * tree), the compatibility headers and the app's source.  KEY/stamp is
 * written last: a directory with a stamp is complete and is used as is.
 *
 * Without --zephyr-base only the app is built, against ipc-emu's core
 * (the compatibility headers' own ipc_service), for the "ours" side of a
 * run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "zephyr_build.h"

#define ZB_PATH 4096

static const char *const tree_sources[] = {
	"subsys/ipc/ipc_service/ipc_service.c",
	"subsys/ipc/ipc_service/lib/pbuf.c",
	"subsys/ipc/ipc_service/lib/icmsg.c",
	"subsys/ipc/ipc_service/backends/ipc_icmsg.c",
	"subsys/ipc/ipc_service/backends/ipc_icbmsg.c",
	"lib/utils/bitarray.c",
};

/* Kconfig symbols Zephyr's IPC sources use, with Zephyr's defaults. */
static const char defaults_conf[] =
	"CONFIG_LOG=y\n" /* the sources' LOG_MODULE_REGISTER name their level symbols */
	"CONFIG_KERNEL_INIT_PRIORITY_DEFAULT=40\n"
	"CONFIG_KERNEL_INIT_PRIORITY_DEVICE=50\n"
	"CONFIG_IPC_SERVICE_BACKEND_ICBMSG_EP_BOUND_WORK_Q_STACK_SIZE=512\n"
	"CONFIG_IPC_SERVICE_ICMSG_BOND_NOTIFY_REPEAT_TO_MS=1\n";

/* Zephyr's own warning set (cmake/compiler/gcc), without -Werror. */
static const char *const warnings[] = {
	"-Wall", "-Wformat", "-Wformat-security", "-Wno-format-zero-length",
	"-Wno-pointer-sign", "-Wpointer-arith", "-Wexpansion-to-defined",
	"-Wno-unused-but-set-variable", "-Werror=implicit-int",
	"-Werror=implicit-function-declaration", "-fno-strict-aliasing", "-fno-common",
};

static int zb_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int zb_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ipc-emu: zephyr-build: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---------------------------------------------------------------- hash -- */

static void fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ull;
	}
}

static void fnv_str(uint64_t *h, const char *s)
{
	fnv(h, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1);
}

static int fnv_file(uint64_t *h, const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		return -errno;
	}
	fnv_str(h, path);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fnv(h, buf, (size_t)n);
	}
	close(fd);
	return n < 0 ? -EIO : 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every regular file under `dir`, in name order. */
static void fnv_tree(uint64_t *h, const char *dir, int depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, name_cmp);

	if (n < 0) {
		return;
	}
	for (int i = 0; i < n; i++) {
		char p[ZB_PATH];

		if (ents[i]->d_name[0] != '.' && depth < 8) {
			snprintf(p, sizeof(p), "%s/%s", dir, ents[i]->d_name);
			if (is_dir(p)) {
				fnv_tree(h, p, depth + 1);
			} else {
				(void)fnv_file(h, p);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

/* ------------------------------------------------------------ commands -- */

/* Run argv with stdout and stderr appended to `log` (stdout to `out` if
 * not NULL) and LC_ALL=C; the exit status, or -1. */
static int run_cmd(char *const argv[], const char *log, const char *out)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		return -1;
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int ofd = out != NULL ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : fd;

		if (fd < 0 || ofd < 0) {
			_exit(127);
		}
		dup2(ofd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		setenv("LC_ALL", "C", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void log_line(const char *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_line(const char *log, const char *fmt, ...)
{
	FILE *f = fopen(log, "a");
	va_list ap;

	if (f == NULL) {
		return;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* The symbol between the first pair of quotes after `what` in `line`. */
static bool quoted_after(const char *line, const char *what, char *sym, size_t len)
{
	const char *p = strstr(line, what);
	const char *q;

	if (p == NULL) {
		return false;
	}
	p = strchr(p, '\'');
	if (p == NULL) {
		return false;
	}
	q = strchr(p + 1, '\'');
	if (q == NULL || (size_t)(q - p - 1) >= len) {
		return false;
	}
	memcpy(sym, p + 1, (size_t)(q - p - 1));
	sym[q - p - 1] = '\0';
	return true;
}

/* One line for the first error of a failed compile: the symbol (or
 * header) the shim lacks when the error says so. */
static int report_compile_error(const char *log, const char *rel, size_t log_from)
{
	FILE *f = fopen(log, "r");
	char line[2048], sym[256];

	if (f != NULL && fseek(f, (long)log_from, SEEK_SET) == 0) {
		while (fgets(line, sizeof(line), f) != NULL) {
			char *nl = strchr(line, '\n');

			if (nl != NULL) {
				*nl = '\0';
			}
			if (strstr(line, "error:") == NULL) {
				continue;
			}
			fclose(f);
			if (quoted_after(line, "implicit declaration of function", sym, sizeof(sym)) ||
			    quoted_after(line, "error: unknown type name", sym, sizeof(sym)) ||
			    (strstr(line, "undeclared") != NULL &&
			     quoted_after(line, "error:", sym, sizeof(sym)))) {
				return zb_fail("%s: the compatibility headers lack '%s' (%s; full log: %s)",
					       rel, sym, line, log);
			}
			if (strstr(line, "No such file or directory") != NULL) {
				const char *h = strstr(line, "fatal error: ");

				return zb_fail("%s: the compatibility headers lack <%.*s> (full log: %s)",
					       rel, h != NULL ? (int)strcspn(h + 13, ":") : 0,
					       h != NULL ? h + 13 : "", log);
			}
			return zb_fail("%s does not compile against the compatibility headers: %s "
				       "(full log: %s)", rel, line, log);
		}
		fclose(f);
	}
	return zb_fail("%s does not compile (full log: %s)", rel, log);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* ------------------------------------------------------------ locations -- */

static void exe_dir(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len - 1);
	char *slash;

	out[n > 0 ? n : 0] = '\0';
	slash = strrchr(out, '/');
	if (slash != NULL) {
		*slash = '\0';
	}
}

/* The source tree this CLI was built from (__FILE__ is .../cli/zephyr_build.c). */
static void source_dir(char *out, size_t len)
{
	snprintf(out, len, "%s", __FILE__);
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(out, '/');

		if (slash != NULL) {
			*slash = '\0';
		}
	}
}

static bool find_compat(char *out, size_t len)
{
	char d[ZB_PATH - 128], p[ZB_PATH + 64];

	exe_dir(d, sizeof(d));
	snprintf(out, len, "%s/../include/ipc_emu/zephyr-compat", d);
	snprintf(p, sizeof(p), "%s/zephyr/kernel.h", out);
	if (exists(p)) {
		return true;
	}
	source_dir(d, sizeof(d));
	snprintf(out, len, "%s/include", d);
	snprintf(p, sizeof(p), "%s/zephyr/kernel.h", out);
	return exists(p);
}

static bool find_libdir(char *out, size_t len)
{
	static const char *const rel[] = {"", "/../lib", "/../lib64", "/../lib/x86_64-linux-gnu"};
	char d[ZB_PATH], p[ZB_PATH + 64];

	exe_dir(d, sizeof(d));
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(p, sizeof(p), "%s%s/libipc_emu.so", d, rel[i]);
		if (exists(p)) {
			snprintf(out, len, "%s%s", d, rel[i]);
			return true;
		}
	}
	return false;
}

static bool find_app(const char *app, char *out, size_t len)
{
	const char *env = getenv("IPC_EMU_ZEPHYR_APPS");
	char d[ZB_PATH - 256];

	if (env != NULL && env[0] != '\0') {
		snprintf(out, len, "%s/%s.c", env, app);
		return exists(out);
	}
	exe_dir(d, sizeof(d));
	snprintf(out, len, "%s/../share/ipc_emu/zephyr_apps/%s.c", d, app);
	if (exists(out)) {
		return true;
	}
	source_dir(d, sizeof(d));
	snprintf(out, len, "%s/emu/zephyr_apps/%s.c", d, app);
	return exists(out);
}

static void default_cache(char *out, size_t len)
{
	const char *env = getenv("IPC_EMU_ZEPHYR_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (env != NULL && env[0] != '\0') {
		snprintf(out, len, "%s", env);
	} else if (xdg != NULL && xdg[0] == '/') {
		snprintf(out, len, "%s/ipc-emu/zephyr", xdg);
	} else if (home != NULL && home[0] == '/') {
		snprintf(out, len, "%s/.cache/ipc-emu/zephyr", home);
	} else {
		snprintf(out, len, "/tmp/ipc-emu-zephyr-cache-%u", (unsigned)getuid());
	}
}

static int mkdirs(const char *path)
{
	char p[ZB_PATH];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				return -errno;
			}
			*s = '/';
		}
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		return -errno;
	}
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -EIO;
}

/* The tree's git commit, "" if it is none (or git is missing). */
static void git_commit(const char *tree, char *out, size_t len)
{
	char cmd[ZB_PATH + 64];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD 2>/dev/null", tree);
	if (strchr(tree, '\'') != NULL || (p = popen(cmd, "r")) == NULL) {
		return;
	}
	if (fgets(out, (int)len, p) == NULL) {
		out[0] = '\0';
	}
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/* --------------------------------------------------------------- build -- */

struct zb {
	const struct zb_req *r;
	char tree[ZB_PATH];
	char compat[ZB_PATH], libdir[ZB_PATH], app_src[ZB_PATH];
	char cache[ZB_PATH], dir[ZB_PATH + 32], log[ZB_PATH + 64];
	bool have[sizeof(tree_sources) / sizeof(tree_sources[0])];
	bool icbmsg_refused;
	char commit[64];
};

static int make_overlay(struct zb *b)
{
	static const char *const subdirs[] = {"include/zephyr/ipc", "include/zephyr/sys"};
	char dst[ZB_PATH + 64];
	int rc;

	for (size_t i = 0; i < 2; i++) {
		char src[ZB_PATH + 64];
		DIR *d;
		struct dirent *e;

		snprintf(src, sizeof(src), "%s/%s", b->tree, subdirs[i]);
		snprintf(dst, sizeof(dst), "%s/overlay/zephyr/%s", b->dir, i == 0 ? "ipc" : "sys");
		rc = mkdirs(dst);
		if (rc < 0) {
			return zb_fail("%s: %s", dst, strerror(-rc));
		}
		d = opendir(src);
		if (d == NULL) {
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			char from[ZB_PATH * 2], to[ZB_PATH * 2];
			size_t n = strlen(e->d_name);

			if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0 ||
			    (i == 1 && strcmp(e->d_name, "bitarray.h") != 0)) {
				continue;
			}
			snprintf(from, sizeof(from), "%s/%s", src, e->d_name);
			snprintf(to, sizeof(to), "%s/%s", dst, e->d_name);
			(void)unlink(to);
			if (symlink(from, to) < 0) {
				closedir(d);
				return zb_fail("%s: %s", to, strerror(errno));
			}
		}
		closedir(d);
	}
	return 0;
}

static void hash_overlay_sources(const struct zb *b, uint64_t *h)
{
	static const char *const subdirs[] = {"include/zephyr/ipc", "include/zephyr/sys/bitarray.h"};
	char p[ZB_PATH + 64];

	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", b->tree, subdirs[i]);
		if (is_dir(p)) {
			fnv_tree(h, p, 0);
		} else {
			(void)fnv_file(h, p);
		}
	}
}

/* The common compiler flags (argv entries appended to a[]). */
static int base_flags(const struct zb *b, char **a, int n, char (*buf)[ZB_PATH + 64])
{
	a[n++] = "-std=gnu11";
	a[n++] = "-O1";
	a[n++] = "-g";
	a[n++] = "-pthread";
	a[n++] = "-fno-pie";
	for (size_t i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++) {
		a[n++] = (char *)warnings[i];
	}
	if (b->r->zephyr_base != NULL) {
		snprintf(buf[0], sizeof(buf[0]), "-I%s/overlay", b->dir);
		a[n++] = buf[0];
	}
	snprintf(buf[1], sizeof(buf[1]), "-I%s/cfg", b->dir);
	a[n++] = buf[1];
	a[n++] = "-imacros";
	snprintf(buf[2], sizeof(buf[2]), "%s/cfg/zephyr/autoconf.h", b->dir);
	a[n++] = buf[2];
	snprintf(buf[3], sizeof(buf[3]), "-I%s", b->compat);
	a[n++] = buf[3];
	return n;
}

static int zephyr_config(const struct zb *b)
{
	char self[ZB_PATH], cfg[ZB_PATH + 64], defaults[ZB_PATH + 64];
	char *a[8 + 2 * ZB_MAX_KCONFIG + 4];
	int n = 0, rc;

	exe_dir(self, sizeof(self));
	strncat(self, "/ipc-emu", sizeof(self) - strlen(self) - 1);
	{
		ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);

		self[k > 0 ? k : 0] = '\0';
	}
	snprintf(cfg, sizeof(cfg), "%s/cfg", b->dir);
	snprintf(defaults, sizeof(defaults), "%s/defaults.conf", b->dir);
	rc = write_file(defaults, defaults_conf);
	if (rc < 0) {
		return zb_fail("%s: %s", defaults, strerror(-rc));
	}
	a[n++] = self;
	a[n++] = "zephyr-config";
	a[n++] = "--core";
	a[n++] = (char *)b->r->core;
	a[n++] = "--out";
	a[n++] = cfg;
	if (b->r->dts != NULL) {
		a[n++] = "--dts";
		a[n++] = (char *)b->r->dts;
	}
	a[n++] = "--kconfig";
	a[n++] = defaults;
	for (int i = 0; i < b->r->n_kconfig; i++) {
		a[n++] = "--kconfig";
		a[n++] = (char *)b->r->kconfig[i];
	}
	a[n] = NULL;
	log_line(b->log, "$ ipc-emu zephyr-config --core %s --out %s%s%s", b->r->core, cfg,
		 b->r->dts != NULL ? " --dts " : "", b->r->dts != NULL ? b->r->dts : "");
	rc = run_cmd(a, b->log, NULL);
	if (rc != 0) {
		return zb_fail("ipc-emu zephyr-config failed for the %s core (log: %s)", b->r->core,
			       b->log);
	}
	return 0;
}

static int compile(const struct zb *b, const char *src, const char *rel, const char *obj,
		   bool defines_devices)
{
	char buf[4][ZB_PATH + 64];
	char *a[64];
	int n = 0, rc;
	size_t from;

	a[n++] = getenv("CC") != NULL && getenv("CC")[0] != '\0' ? getenv("CC") : "cc";
	n = base_flags(b, a, n, buf);
	if (defines_devices) {
		a[n++] = "-DEMU_ZEPHYR_DT_DEV_EXTERN";
	}
	a[n++] = "-c";
	a[n++] = (char *)src;
	a[n++] = "-o";
	a[n++] = (char *)obj;
	a[n] = NULL;
	log_line(b->log, "$ cc ... -c %s", src);
	from = (size_t)file_size(b->log);
	rc = run_cmd(a, b->log, NULL);
	if (rc != 0) {
		return report_compile_error(b->log, rel, from);
	}
	return 0;
}

static int build_library(struct zb *b)
{
	char obj[ZB_PATH + 64], lib[ZB_PATH + 64], refs[ZB_PATH + 64];
	char *ar[4 + sizeof(tree_sources) / sizeof(tree_sources[0]) + 2];
	char objs[sizeof(tree_sources) / sizeof(tree_sources[0]) + 1][ZB_PATH + 64];
	int n = 0, no = 0, rc;

	snprintf(lib, sizeof(lib), "%s/libzephyr_ipc.a", b->dir);
	for (size_t i = 0; i < sizeof(tree_sources) / sizeof(tree_sources[0]); i++) {
		char src[ZB_PATH * 2];
		const char *base;

		if (!b->have[i]) {
			continue;
		}
		snprintf(src, sizeof(src), "%s/%s", b->tree, tree_sources[i]);
		base = strrchr(tree_sources[i], '/') + 1;
		snprintf(objs[no], sizeof(objs[no]), "%s/obj/%.*s.o", b->dir,
			 (int)(strlen(base) - 2), base);
		if (!b->r->quiet) {
			printf("zephyr-build: CC %s\n", tree_sources[i]);
		}
		rc = compile(b, src, tree_sources[i], objs[no], true);
		if (rc != 0) {
			return rc;
		}
		no++;
	}
	/* The weak device references (zephyr/device.h) in a unit of their own. */
	snprintf(refs, sizeof(refs), "%s/obj/emu_dt_refs.c", b->dir);
	rc = write_file(refs, "/* Generated by ipc-emu zephyr-build: the weak DEVICE_DT_GET objects. */\n"
			      "#include <zephyr/device.h>\n");
	if (rc < 0) {
		return zb_fail("%s: %s", refs, strerror(-rc));
	}
	snprintf(objs[no], sizeof(objs[no]), "%s/obj/emu_dt_refs.o", b->dir);
	rc = compile(b, refs, "emu_dt_refs.c", objs[no], false);
	if (rc != 0) {
		return rc;
	}
	no++;
	(void)unlink(lib);
	ar[n++] = "ar";
	ar[n++] = "rcs";
	ar[n++] = lib;
	for (int i = 0; i < no; i++) {
		ar[n++] = objs[i];
	}
	ar[n] = NULL;
	(void)obj;
	if (run_cmd(ar, b->log, NULL) != 0) {
		return zb_fail("ar failed (log: %s)", b->log);
	}
	return 0;
}

static int link_app(const struct zb *b, char *prog, size_t proglen)
{
	char buf[4][ZB_PATH + 64];
	char obj[ZB_PATH + 64], out[ZB_PATH + 64], lib[ZB_PATH + 64], ldir[ZB_PATH + 64];
	char rpath[ZB_PATH + 64];
	char *a[64];
	int n = 0, rc;
	size_t from;

	snprintf(obj, sizeof(obj), "%s/obj/app_%s.o", b->dir, b->r->app);
	rc = compile(b, b->app_src, b->app_src, obj, false);
	if (rc != 0) {
		return rc;
	}
	snprintf(out, sizeof(out), "%s/%s", b->dir, b->r->app);
	snprintf(lib, sizeof(lib), "%s/libzephyr_ipc.a", b->dir);
	snprintf(ldir, sizeof(ldir), "-L%s", b->libdir);
	snprintf(rpath, sizeof(rpath), "-Wl,-rpath,%s", b->libdir);
	a[n++] = getenv("CC") != NULL && getenv("CC")[0] != '\0' ? getenv("CC") : "cc";
	a[n++] = "-no-pie";
	a[n++] = "-pthread";
	a[n++] = "-o";
	a[n++] = out;
	a[n++] = obj;
	if (b->r->zephyr_base != NULL) {
		a[n++] = "-Wl,--whole-archive";
		a[n++] = lib;
		a[n++] = "-Wl,--no-whole-archive";
	}
	a[n++] = ldir;
	a[n++] = rpath;
	a[n++] = "-lipc_emu";
	a[n] = NULL;
	(void)buf;
	log_line(b->log, "$ cc -o %s ...", out);
	from = (size_t)file_size(b->log);
	rc = run_cmd(a, b->log, NULL);
	if (rc != 0) {
		FILE *f = fopen(b->log, "r");
		char line[2048], sym[256];

		if (f != NULL && fseek(f, (long)from, SEEK_SET) == 0) {
			while (fgets(line, sizeof(line), f) != NULL) {
				if (quoted_after(line, "undefined reference to", sym, sizeof(sym))) {
					fclose(f);
					return zb_fail("linking %s: nothing defines '%s' (the compatibility "
						       "runtime lacks it; full log: %s)",
						       b->r->app, sym, b->log);
				}
			}
			fclose(f);
		}
		return zb_fail("linking %s failed (full log: %s)", b->r->app, b->log);
	}
	if (prog != NULL) {
		snprintf(prog, proglen, "%s", out);
	}
	return 0;
}

int cli_zephyr_build(const struct zb_req *r, char *prog, size_t proglen)
{
	struct zb *b = calloc(1, sizeof(*b));
	uint64_t h = 0xcbf29ce484222325ull;
	char stamp[ZB_PATH + 64], p[ZB_PATH * 2];
	int rc = 0;

	if (b == NULL) {
		return zb_fail("out of memory");
	}
	b->r = r;
	if (r->core == NULL || (strcmp(r->core, "host") != 0 && strcmp(r->core, "remote") != 0)) {
		rc = zb_fail("--core host|remote is required");
		goto out;
	}
	if (!find_compat(b->compat, sizeof(b->compat))) {
		rc = zb_fail("cannot find the compatibility headers (zephyr/kernel.h)");
		goto out;
	}
	if (!find_libdir(b->libdir, sizeof(b->libdir))) {
		rc = zb_fail("cannot find libipc_emu.so beside this ipc-emu");
		goto out;
	}
	if (r->app != NULL && !find_app(r->app, b->app_src, sizeof(b->app_src))) {
		rc = zb_fail("no program '%s' in emu/zephyr_apps/", r->app);
		goto out;
	}
	fnv_str(&h, IPC_EMU_VERSION);
	fnv_str(&h, defaults_conf);
	for (size_t i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++) {
		fnv_str(&h, warnings[i]);
	}
	fnv_str(&h, r->core);
	fnv_str(&h, r->app);
	if (r->app != NULL) {
		(void)fnv_file(&h, b->app_src);
	}
	if (r->dts != NULL) {
		char dts[ZB_PATH];
		char *comma;

		snprintf(dts, sizeof(dts), "%s", r->dts);
		comma = strchr(dts, ',');
		if (comma != NULL) {
			*comma = '\0';
		}
		if (fnv_file(&h, dts) < 0 || (comma != NULL && fnv_file(&h, comma + 1) < 0)) {
			rc = zb_fail("--dts %s: cannot read it", r->dts);
			goto out;
		}
		fnv_str(&h, comma != NULL ? "two" : "one");
	}
	for (int i = 0; i < r->n_kconfig; i++) {
		if (fnv_file(&h, r->kconfig[i]) < 0) {
			rc = zb_fail("--kconfig %s: cannot read it", r->kconfig[i]);
			goto out;
		}
	}
	fnv_tree(&h, b->compat, 0);
	if (r->zephyr_base != NULL) {
		char *real = realpath(r->zephyr_base, NULL);
		bool any = false;

		if (real == NULL || !is_dir(real)) {
			free(real);
			rc = zb_fail("--zephyr-base %s: no such directory", r->zephyr_base);
			goto out;
		}
		snprintf(b->tree, sizeof(b->tree), "%s", real);
		free(real);
		snprintf(p, sizeof(p), "%s/include/zephyr/ipc/ipc_service.h", b->tree);
		if (!exists(p)) {
			rc = zb_fail("--zephyr-base %s: not a Zephyr tree (no "
				     "include/zephyr/ipc/ipc_service.h)", r->zephyr_base);
			goto out;
		}
		for (size_t i = 0; i < sizeof(tree_sources) / sizeof(tree_sources[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", b->tree, tree_sources[i]);
			b->have[i] = exists(p);
			if (b->have[i] && strstr(tree_sources[i], "ipc_icbmsg.c") != NULL) {
				/* 64-bit classic ICBMsg would not have the target's layout. */
				b->have[i] = false;
				b->icbmsg_refused = true;
			}
			if (b->have[i] && strstr(tree_sources[i], "bitarray.c") != NULL) {
				b->have[i] = false; /* only ICBMsg needs it */
			}
			if (b->have[i]) {
				(void)fnv_file(&h, p);
				any = true;
			}
		}
		if (!any) {
			rc = zb_fail("--zephyr-base %s: none of Zephyr's IPC sources "
				     "(subsys/ipc/ipc_service/...) is there", r->zephyr_base);
			goto out;
		}
		hash_overlay_sources(b, &h);
		git_commit(b->tree, b->commit, sizeof(b->commit));
		fnv_str(&h, b->commit);
	}
	if (r->out != NULL) {
		snprintf(b->cache, sizeof(b->cache), "%s", r->out);
	} else {
		default_cache(b->cache, sizeof(b->cache));
	}
	snprintf(b->dir, sizeof(b->dir), "%s/%016llx", b->cache, (unsigned long long)h);
	snprintf(b->log, sizeof(b->log), "%s/build.log", b->dir);
	snprintf(stamp, sizeof(stamp), "%s/stamp", b->dir);
	if (b->icbmsg_refused && !r->quiet) {
		printf("zephyr-build: note: backends/ipc_icbmsg.c is not built: classic ICBMsg "
		       "built for a 64-bit host has no target layout (size_t block header) and "
		       "there is no 32-bit runtime; its instances get no device\n");
	}
	if (exists(stamp)) {
		if (!r->quiet) {
			printf("zephyr-build: %s core: cached %s\n", r->core, b->dir);
		}
		if (prog != NULL) {
			snprintf(prog, proglen, "%s%s%s", b->dir, r->app != NULL ? "/" : "",
				 r->app != NULL ? r->app : "");
		}
		goto out;
	}
	snprintf(p, sizeof(p), "%s/obj", b->dir);
	rc = mkdirs(p);
	if (rc < 0) {
		rc = zb_fail("%s: %s", p, strerror(-rc));
		goto out;
	}
	(void)unlink(b->log);
	log_line(b->log, "ipc-emu %s zephyr-build: tree %s%s%s, core %s", IPC_EMU_VERSION,
		 r->zephyr_base != NULL ? b->tree : "(none: ipc-emu's core)",
		 b->commit[0] != '\0' ? " @ " : "", b->commit, r->core);
	rc = zephyr_config(b);
	if (rc == 0 && r->zephyr_base != NULL) {
		rc = make_overlay(b);
	}
	if (rc == 0 && r->zephyr_base != NULL) {
		rc = build_library(b);
	}
	if (rc == 0 && r->app != NULL) {
		if (!r->quiet) {
			printf("zephyr-build: LINK %s\n", r->app);
		}
		rc = link_app(b, prog, proglen);
	} else if (rc == 0 && prog != NULL) {
		snprintf(prog, proglen, "%s", b->dir);
	}
	if (rc == 0) {
		char flags[ZB_PATH * 12];

		snprintf(flags, sizeof(flags),
			 "# ipc-emu zephyr-build: flags to build a program against this stack\n"
			 "CFLAGS=-std=gnu11 -pthread -fno-pie %s%s%s-I%s/cfg -imacros "
			 "%s/cfg/zephyr/autoconf.h -I%s\n"
			 "LDFLAGS=-no-pie -pthread %s%s%s-L%s -Wl,-rpath,%s -lipc_emu\n",
			 r->zephyr_base != NULL ? "-I" : "", r->zephyr_base != NULL ? b->dir : "",
			 r->zephyr_base != NULL ? "/overlay " : "", b->dir, b->dir, b->compat,
			 r->zephyr_base != NULL ? "-Wl,--whole-archive " : "",
			 r->zephyr_base != NULL ? b->dir : "",
			 r->zephyr_base != NULL ? "/libzephyr_ipc.a -Wl,--no-whole-archive " : "",
			 b->libdir, b->libdir);
		snprintf(p, sizeof(p), "%s/flags.txt", b->dir);
		rc = write_file(p, flags);
		rc = rc < 0 ? zb_fail("%s: %s", p, strerror(-rc)) : write_file(stamp, "ok\n");
		if (rc == 0 && !r->quiet) {
			printf("zephyr-build: %s core: built %s\n", r->core, b->dir);
		}
		rc = rc < 0 ? EXIT_USAGE : 0;
	}
out:
	free(b);
	return rc;
}

/* ------------------------------------------------------------- command -- */

void cli_help_zephyr_build(FILE *f)
{
	fputs("usage: ipc-emu zephyr-build --zephyr-base DIR --core host|remote --out CACHE\n"
	      "                            [--dts A.dts[,B.dts]] [--kconfig prj.conf]...\n"
	      "                            [--app NAME] [--quiet]\n"
	      "\n"
	      "Compiles Zephyr's IPC sources of the tree DIR, unchanged, against ipc-emu's\n"
	      "compatibility headers for one core: subsys/ipc/ipc_service/ipc_service.c,\n"
	      "lib/pbuf.c, lib/icmsg.c, backends/ipc_icmsg.c (those the tree has), with the\n"
	      "tree's include/zephyr/ipc/*.h, the devicetree and autoconf.h of `ipc-emu\n"
	      "zephyr-config` and Zephyr's warning set.  Classic ICBMsg is not built (a\n"
	      "64-bit build would not have the target's layout).  The products (a static\n"
	      "library, the include overlay, flags.txt) go to CACHE/KEY, KEY a hash of the\n"
	      "tree's files and commit, DTS, Kconfig, core and ipc-emu version: a second\n"
	      "run with the same inputs compiles nothing.\n"
	      "\n"
	      "  --zephyr-base DIR  the tree (default: $ZEPHYR_BASE); `-`: none, only --app\n"
	      "                     against ipc-emu's own core\n"
	      "  --app NAME         also link emu/zephyr_apps/NAME.c (echo_server,\n"
	      "                     echo_client) with the stack into CACHE/KEY/NAME\n"
	      "  --out CACHE        the cache directory (default: $IPC_EMU_ZEPHYR_CACHE,\n"
	      "                     else ~/.cache/ipc-emu/zephyr)\n"
	      "\n"
	      "A source that does not compile stops the build with one line naming the\n"
	      "file and, when the error says so, the symbol the compatibility headers\n"
	      "lack; the full compiler output is in CACHE/KEY/build.log.  Exit status 0,\n"
	      "or 2 on any error.\n",
	      f);
}

int cli_zephyr_build_main(int argc, char **argv, int first)
{
	struct zb_req r = {0};
	const char *env = getenv("ZEPHYR_BASE");

	r.zephyr_base = env != NULL && env[0] != '\0' ? env : NULL;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_help_zephyr_build(stdout);
			return EXIT_PASS;
		}
		if (strcmp(a, "--quiet") == 0) {
			r.quiet = true;
			continue;
		}
		if (v == NULL) {
			cli_err("zephyr-build: %s: missing value or unknown option (see --help)", a);
			return EXIT_USAGE;
		}
		if (strcmp(a, "--zephyr-base") == 0) {
			r.zephyr_base = strcmp(v, "-") == 0 ? NULL : v;
		} else if (strcmp(a, "--core") == 0) {
			r.core = v;
		} else if (strcmp(a, "--dts") == 0) {
			r.dts = v;
		} else if (strcmp(a, "--kconfig") == 0) {
			if (r.n_kconfig == ZB_MAX_KCONFIG) {
				cli_err("zephyr-build: at most %d --kconfig files", ZB_MAX_KCONFIG);
				return EXIT_USAGE;
			}
			r.kconfig[r.n_kconfig++] = v;
		} else if (strcmp(a, "--out") == 0) {
			r.out = v;
		} else if (strcmp(a, "--app") == 0) {
			r.app = v;
		} else {
			cli_err("zephyr-build: unknown option '%s' (see --help)", a);
			return EXIT_USAGE;
		}
		i++;
	}
	if (r.zephyr_base == NULL && r.app == NULL) {
		cli_err("zephyr-build: --zephyr-base DIR (or ZEPHYR_BASE) is required");
		return EXIT_USAGE;
	}
	return cli_zephyr_build(&r, NULL, 0);
}
