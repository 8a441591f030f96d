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
 * block header, sizeof(void *) in its sizing): when ipc0 of the core's
 * devicetree is a zephyr,ipc-icbmsg instance (or IPC_EMU_M32=on), the
 * core's whole stack and program are built with -m32 and linked with the
 * 32-bit runtime (libipc_emu -m32, cmake/IpcEmuM32.cmake), with
 * backends/ipc_icbmsg.c and lib/utils/bitarray.c; without a 32-bit runtime
 * that build is refused with one line (choose_width()).  Otherwise, and for
 * the other ICBMsg generations (bitpool, the queue-based rework), the file
 * is left out with a note and a DTS instance of it has no device.
 *
 * Cache: CACHE/KEY, KEY a 64-bit FNV-1a hash of the ipc-emu version, the
 * core, the DTS and Kconfig files' contents, the tree's compiled files and
 * overlay headers' contents, the tree's git commit (if it is a git work
 * tree), the compatibility headers and the app's directory (its source and
 * headers).  KEY/stamp is written last: a directory with a stamp is
 * complete and is used as is.
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
	"CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT=16\n" /* ICBMsg v2 (main) */
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
	p += strcspn(p, "'`"); /* ld quotes `like this' */
	if (*p == '\0') {
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
				if (strncmp(sym, "CONFIG_", 7) == 0) {
					return zb_fail("%s: the Kconfig symbol %s is not set (ipc-emu's "
						       "defaults lack it: set it in a fragment given "
						       "with --kconfig) (%s; full log: %s)",
						       rel, sym, line, log);
				}
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

/* The first of the directories `rel` (relative to ipc-emu's own) that
 * holds libipc_emu.so. */
static bool find_lib_in(const char *const *rel, size_t n, char *out, size_t len)
{
	char d[ZB_PATH], p[ZB_PATH + 64];

	exe_dir(d, sizeof(d));
	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s%s/libipc_emu.so", d, rel[i]);
		if (exists(p)) {
			snprintf(out, len, "%s%s", d, rel[i]);
			return true;
		}
	}
	return false;
}

static bool find_libdir(char *out, size_t len)
{
	static const char *const rel[] = {"", "/../lib", "/../lib64", "/../lib/x86_64-linux-gnu"};

	return find_lib_in(rel, sizeof(rel) / sizeof(rel[0]), out, len);
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

void cli_zephyr_cache_dir(char *out, size_t len)
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

/* The first line argv prints on stdout ("" if it fails). */
static void capture_line(char *const argv[], char *out, size_t len)
{
	int fds[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	out[0] = '\0';
	if (pipe(fds) < 0) {
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		dup2(fds[1], STDOUT_FILENO);
		if (null >= 0) {
			dup2(null, STDERR_FILENO);
		}
		setenv("LC_ALL", "C", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && got + 1 < len && (n = read(fds[0], out + got, len - 1 - got)) > 0) {
		got += (size_t)n;
	}
	close(fds[0]);
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (pid > 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
		}
	}
}

/* The compiler's identity and libipc_emu's build in the key: $CC (or cc)
 * resolved on PATH, its `--version` first line and `-dumpmachine`, and the
 * contents of the libipc_emu.so programs are linked with. */
static void hash_toolchain(const char *libdir, uint64_t *h)
{
	const char *cc = getenv("CC") != NULL && getenv("CC")[0] != '\0' ? getenv("CC") : "cc";
	char path[ZB_PATH], line[512], lib[ZB_PATH + 32];
	char *real = NULL;

	fnv_str(h, cc);
	if (strchr(cc, '/') != NULL) {
		real = realpath(cc, NULL);
	} else if (getenv("PATH") != NULL) {
		const char *p = getenv("PATH");

		while (real == NULL && *p != '\0') {
			size_t k = strcspn(p, ":");

			snprintf(path, sizeof(path), "%.*s/%s", (int)k, p, cc);
			if (k > 0 && access(path, X_OK) == 0) {
				real = realpath(path, NULL);
			}
			p += k + (p[k] == ':');
		}
	}
	fnv_str(h, real);
	free(real);
	{
		char *v[] = {(char *)cc, "--version", NULL};
		char *m[] = {(char *)cc, "-dumpmachine", NULL};

		capture_line(v, line, sizeof(line));
		fnv_str(h, line);
		capture_line(m, line, sizeof(line));
		fnv_str(h, line);
	}
	snprintf(lib, sizeof(lib), "%s/libipc_emu.so", libdir);
	(void)fnv_file(h, lib);
}

/* ------------------------------------------------- ICBMsg, 32 bits -- */

/* Which ICBMsg a tree's backends/ipc_icbmsg.c is, told by its includes:
 * classic (v3.6 - v4.4: sys_bitarray + an ICMsg control channel), the
 * "bitpool" variant (zephyr/ipc/bitpool.h, never merged) or the
 * queue-based rework of Zephyr main (no ICMsg underneath, no bitarray). */
enum icbmsg_gen { ICBMSG_NONE, ICBMSG_CLASSIC, ICBMSG_BITPOOL, ICBMSG_QUEUES };

static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	bool hit;

	if (f == NULL) {
		return false;
	}
	text = malloc(1u << 20);
	n = text != NULL ? fread(text, 1, (1u << 20) - 1, f) : 0;
	fclose(f);
	if (text == NULL) {
		return false;
	}
	text[n] = '\0';
	hit = strstr(text, needle) != NULL;
	free(text);
	return hit;
}

static enum icbmsg_gen icbmsg_generation(const char *tree)
{
	char p[ZB_PATH + 64];

	snprintf(p, sizeof(p), "%s/subsys/ipc/ipc_service/backends/ipc_icbmsg.c", tree);
	if (!exists(p)) {
		return ICBMSG_NONE;
	}
	if (file_has(p, "zephyr/ipc/bitpool.h")) {
		return ICBMSG_BITPOOL;
	}
	if (file_has(p, "zephyr/sys/bitarray.h")) {
		return ICBMSG_CLASSIC;
	}
	return ICBMSG_QUEUES;
}

/* Whether the node labelled ipc0 (the instance the echo apps open) is a
 * zephyr,ipc-icbmsg node in the core's devicetree: the core's file of
 * `--dts A,B` (A alone for both cores; the built-in board's ipc0 is ICMsg).
 * A text search: the first `compatible` after the label `ipc0:`. */
static bool dts_ipc0_is_icbmsg(const char *dts, const char *core)
{
	char a[ZB_PATH], *comma, *text, *p;
	FILE *f;
	size_t n;
	bool hit = false;

	if (dts == NULL) {
		return false;
	}
	snprintf(a, sizeof(a), "%s", dts);
	comma = strchr(a, ',');
	if (comma != NULL) {
		*comma = '\0';
	}
	f = fopen(comma != NULL && strcmp(core, "remote") == 0 ? comma + 1 : a, "r");
	text = f != NULL ? malloc(1u << 20) : NULL;
	if (text != NULL) {
		n = fread(text, 1, (1u << 20) - 1, f);
		text[n] = '\0';
		p = strstr(text, "ipc0:");
		p = p != NULL ? strstr(p, "compatible") : NULL;
		p = p != NULL ? strchr(p, '"') : NULL;
		hit = p != NULL && strncmp(p, "\"zephyr,ipc-icbmsg\"", 19) == 0;
	}
	free(text);
	if (f != NULL) {
		fclose(f);
	}
	return hit;
}

/* The 32-bit runtime (cmake/IpcEmuM32.cmake): libipc_emu built with -m32,
 * in m32/ beside a built ipc-emu or <libdir>/ipc_emu/m32 of an installed
 * one.  IPC_EMU_M32=off in the environment: act as if there were none. */
static bool find_libdir32(char *out, size_t len)
{
	static const char *const rel[] = {"/m32", "/../lib/ipc_emu/m32", "/../lib64/ipc_emu/m32",
					  "/../lib/x86_64-linux-gnu/ipc_emu/m32"};
	const char *env = getenv("IPC_EMU_M32");

	if (env != NULL && (strcmp(env, "off") == 0 || strcmp(env, "0") == 0)) {
		return false;
	}
	return find_lib_in(rel, sizeof(rel) / sizeof(rel[0]), out, len);
}

/* Whether a 32-bit program can run here: the kernel runs i386 programs
 * (its IA-32 emulation runs the i386 loader), or qemu-i386 (user mode) is on
 * PATH, which `ipc-emu run` then starts the program under. */
static bool can_run_m32(void)
{
	char *q[] = {"qemu-i386", "--version", NULL};
	char *l[] = {"/lib/ld-linux.so.2", "--version", NULL};

	return run_cmd(l, "/dev/null", "/dev/null") == 0 || run_cmd(q, "/dev/null", "/dev/null") == 0;
}

bool cli_zephyr_needs_qemu(const char *prog)
{
	unsigned char h[5] = {0};
	char *l[] = {"/lib/ld-linux.so.2", "--version", NULL};
	FILE *f = fopen(prog, "rb");
	bool elf32 = f != NULL && fread(h, 1, sizeof(h), f) == sizeof(h) &&
		     memcmp(h, "\177ELF", 4) == 0 && h[4] == 1;

	if (f != NULL) {
		fclose(f);
	}
	return elf32 && run_cmd(l, "/dev/null", "/dev/null") != 0;
}

/* --------------------------------------------------------------- build -- */

struct zb {
	const struct zb_req *r;
	char tree[ZB_PATH];
	char compat[ZB_PATH], libdir[ZB_PATH], app_src[ZB_PATH];
	char cache[ZB_PATH], dir[ZB_PATH + 32], log[ZB_PATH + 64];
	bool have[sizeof(tree_sources) / sizeof(tree_sources[0])];
	bool icbmsg_refused;
	enum icbmsg_gen icbmsg;   /* the tree's ICBMsg generation */
	bool m32;                 /* the stack and program are built with -m32 */
	bool v2;                  /* ICBMsg v2 (no pointers in its layout): built as is */
	char instance_def[64];    /* -DECHO_IPC_INSTANCE=<label>, or "" */
	char commit[64];
	/* Installed: -I<prefix>/include beside <prefix>/include/ipc_emu/zephyr-compat. */
	char compat_parent[ZB_PATH + 16];
	/* A user's program (--app-src): its objects and where it goes. */
	bool user_build;
	char (*user_objs)[ZB_PATH + 64];
	int n_user_objs;
	char user_out[ZB_PATH];
	const char *user_name;
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

/* --sanitize: the sets, and their compiler flags (UBSan does not recover:
 * the first report ends the program). */
static const char *const sanitize_sets[][2] = {
	{"address", "-fsanitize=address"},
	{"undefined", "-fsanitize=undefined"},
	{"address,undefined", "-fsanitize=address,undefined"},
};

const char *zb_sanitize_set(const char *v)
{
	if (v == NULL) {
		return NULL;
	}
	if (strcmp(v, "undefined,address") == 0) {
		v = "address,undefined";
	}
	for (size_t i = 0; i < sizeof(sanitize_sets) / sizeof(sanitize_sets[0]); i++) {
		if (strcmp(v, sanitize_sets[i][0]) == 0) {
			return sanitize_sets[i][0];
		}
	}
	return NULL;
}

/* The -fsanitize= flag of the request's set, or NULL. */
static const char *sanitize_flag(const struct zb_req *r)
{
	for (size_t i = 0; r->sanitize != NULL && i < sizeof(sanitize_sets) / sizeof(sanitize_sets[0]);
	     i++) {
		if (strcmp(r->sanitize, sanitize_sets[i][0]) == 0) {
			return sanitize_sets[i][1];
		}
	}
	return NULL;
}

/* The common compiler flags (argv entries appended to a[]). */
static int base_flags(const struct zb *b, char **a, int n, char (*buf)[ZB_PATH + 64])
{
	a[n++] = "-std=gnu11";
	a[n++] = "-O1";
	a[n++] = "-g";
	a[n++] = "-pthread";
	a[n++] = "-fno-pie";
	if (b->m32) {
		a[n++] = "-m32";
	}
	if (sanitize_flag(b->r) != NULL) {
		a[n++] = (char *)sanitize_flag(b->r);
		a[n++] = "-fno-omit-frame-pointer";
		a[n++] = "-fno-sanitize-recover=all";
	}
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
	if (b->compat_parent[0] != '\0') {
		a[n++] = (char *)b->compat_parent; /* <ipc_emu/...> of zephyr/device.h */
	}
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
	char *a[64 + ZB_MAX_APP_SRC];
	int n = 0, rc;
	size_t from;

	a[n++] = getenv("CC") != NULL && getenv("CC")[0] != '\0' ? getenv("CC") : "cc";
	n = base_flags(b, a, n, buf);
	if (defines_devices) {
		a[n++] = "-DEMU_ZEPHYR_DT_DEV_EXTERN";
	}
	if (b->instance_def[0] != '\0' && src == b->app_src) {
		a[n++] = (char *)b->instance_def; /* the echo apps' instance */
	}
	for (int i = 0; b->user_build && i < b->r->n_app_cflags; i++) {
		a[n++] = (char *)b->r->app_cflags[i];
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
	char *a[64 + ZB_MAX_APP_SRC];
	const char *name = b->n_user_objs > 0 ? b->user_name : b->r->app;
	int n = 0, rc;
	size_t from;

	if (b->n_user_objs == 0) {
		snprintf(obj, sizeof(obj), "%s/obj/app_%s.o", b->dir, b->r->app);
		rc = compile(b, b->app_src, b->app_src, obj, false);
		if (rc != 0) {
			return rc;
		}
	}
	snprintf(out, sizeof(out), "%s/%s", b->dir, b->r->app != NULL ? b->r->app : "");
	if (b->n_user_objs > 0) {
		snprintf(out, sizeof(out), "%s", b->user_out);
	}
	snprintf(lib, sizeof(lib), "%s/libzephyr_ipc.a", b->dir);
	snprintf(ldir, sizeof(ldir), "-L%s", b->libdir);
	snprintf(rpath, sizeof(rpath), "-Wl,-rpath,%s", b->libdir);
	a[n++] = getenv("CC") != NULL && getenv("CC")[0] != '\0' ? getenv("CC") : "cc";
	a[n++] = "-no-pie";
	a[n++] = "-pthread";
	if (b->m32) {
		a[n++] = "-m32";
	}
	if (sanitize_flag(b->r) != NULL) {
		a[n++] = (char *)sanitize_flag(b->r);
	}
	a[n++] = "-o";
	a[n++] = out;
	if (b->n_user_objs == 0) {
		a[n++] = obj;
	}
	for (int i = 0; i < b->n_user_objs; i++) {
		a[n++] = b->user_objs[i];
	}
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
						       name, sym, b->log);
				}
			}
			fclose(f);
		}
		return zb_fail("linking %s failed (full log: %s)", name, b->log);
	}
	if (prog != NULL) {
		snprintf(prog, proglen, "%s", out);
	}
	return 0;
}

/* --stack-link PATH: PATH becomes a symlink to the product directory
 * (replaced atomically; left alone when it already points there). */
static int link_stack(const struct zb *b)
{
	const char *link = b->r->stack_link;
	char tmp[ZB_PATH + 32], old[ZB_PATH + 32], parent[ZB_PATH];
	struct stat st;
	ssize_t n;
	char *slash;

	if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
		return zb_fail("--stack-link %s: exists and is not a symbolic link", link);
	}
	n = readlink(link, old, sizeof(old) - 1);
	if (n > 0) {
		old[n] = '\0';
		if (strcmp(old, b->dir) == 0) {
			return 0;
		}
	}
	snprintf(parent, sizeof(parent), "%s", link);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		(void)mkdirs(parent);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", link, (long)getpid());
	(void)unlink(tmp);
	if (symlink(b->dir, tmp) < 0 || rename(tmp, link) < 0) {
		int e = errno;

		(void)unlink(tmp);
		return zb_fail("--stack-link %s: %s", link, strerror(e));
	}
	return 0;
}

/* --app-src: compile the user's sources (every time: the headers they
 * include are not tracked) against the stack in b->dir, in a temporary
 * directory of it, and link them into the program.  The temporary
 * directory is removed on success; on failure it keeps build.log. */
static int build_user_program(struct zb *b, char *prog, size_t proglen)
{
	const struct zb_req *r = b->r;
	char tmp[ZB_PATH + 64], name[ZB_PATH];
	char (*objs)[ZB_PATH + 64] = calloc((size_t)r->n_app_src, sizeof(*objs));
	const char *base = strrchr(r->app_src[0], '/');
	size_t len;
	int rc = 0;

	if (objs == NULL) {
		return zb_fail("out of memory");
	}
	snprintf(name, sizeof(name), "%s", base != NULL ? base + 1 : r->app_src[0]);
	len = strlen(name);
	if (len > 2 && strcmp(name + len - 2, ".c") == 0) {
		name[len - 2] = '\0';
	}
	snprintf(b->user_out, sizeof(b->user_out), "%s", r->app_out != NULL ? r->app_out : name);
	b->user_name = b->user_out;
	snprintf(tmp, sizeof(tmp), "%s/prog-XXXXXX", b->dir);
	if (mkdtemp(tmp) == NULL) {
		rc = zb_fail("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (snprintf(b->log, sizeof(b->log), "%s/build.log", tmp) >= (int)sizeof(b->log)) {
		rc = zb_fail("%s: path too long", tmp);
		goto out;
	}
	log_line(b->log, "ipc-emu %s zephyr-build: program %s against %s", IPC_EMU_VERSION,
		 b->user_out, b->dir);
	b->user_build = true;
	b->user_objs = objs;
	for (int i = 0; i < r->n_app_src && rc == 0; i++) {
		const char *sb = strrchr(r->app_src[i], '/');

		if (snprintf(objs[i], sizeof(objs[i]), "%s/%d_%s.o", tmp, i,
			     sb != NULL ? sb + 1 : r->app_src[i]) >= (int)sizeof(objs[i])) {
			rc = zb_fail("%s: path too long", r->app_src[i]);
			break;
		}
		if (!r->quiet) {
			printf("zephyr-build: CC %s\n", r->app_src[i]);
		}
		rc = compile(b, r->app_src[i], r->app_src[i], objs[i], false);
	}
	if (rc == 0) {
		b->n_user_objs = r->n_app_src;
		if (!r->quiet) {
			printf("zephyr-build: LINK %s\n", b->user_out);
		}
		rc = link_app(b, prog, proglen);
	}
	if (rc == 0) {
		cli_run_dir_remove(tmp);
	}
out:
	free(objs);
	return rc;
}

/* The word size of the core's stack: 32 bits (-m32, linked with the 32-bit
 * runtime) when the tree has classic ICBMsg and the program opens an
 * instance of it (ipc0 is zephyr,ipc-icbmsg; IPC_EMU_M32=on: always with
 * classic ICBMsg), for the target's layout; else the host's, without
 * ICBMsg.  Refused (one line) when that needs a 32-bit runtime this machine
 * lacks. */
static int choose_width(struct zb *b)
{
	const struct zb_req *r = b->r;
	const char *env = getenv("IPC_EMU_M32");
	const char *why = NULL;
	bool on = env != NULL && (strcmp(env, "on") == 0 || strcmp(env, "1") == 0);

	bool icbmsg_inst = r->instance_icbmsg != 0 ? r->instance_icbmsg > 0
						   : dts_ipc0_is_icbmsg(r->dts, r->core);

	b->icbmsg = r->zephyr_base != NULL ? icbmsg_generation(r->zephyr_base) : ICBMSG_NONE;
	b->v2 = b->icbmsg == ICBMSG_QUEUES && (on || icbmsg_inst);
	if (b->icbmsg != ICBMSG_CLASSIC || (!on && !icbmsg_inst)) {
		return 0;
	}
	if (env != NULL && (strcmp(env, "off") == 0 || strcmp(env, "0") == 0)) {
		why = "IPC_EMU_M32=off";
	} else if (!find_libdir32(b->libdir, sizeof(b->libdir))) {
		why = "no libipc_emu built with -m32: gcc-multilib and libfdt1:i386 missing when "
		      "ipc-emu was built";
	} else if (!can_run_m32()) {
		why = "the kernel runs no 32-bit programs and qemu-i386 is not installed";
	}
	if (why != NULL) {
		return zb_fail("%s is a zephyr,ipc-icbmsg instance, and classic ICBMsg must be "
			       "built for 32 bits to have the target's layout, but there is no 32-bit "
			       "runtime (%s; see scripts/install-deps.sh)",
			       r->instance != NULL ? r->instance : "ipc0", why);
	}
	if (r->sanitize != NULL && strstr(r->sanitize, "address") != NULL) {
		/* Seen: "cannot map the memory image at its devicetree address". */
		return zb_fail("--sanitize address cannot run a 32-bit (-m32) build: "
			       "AddressSanitizer's 32-bit shadow memory takes 0x20000000-0x3fffffff, "
			       "the Cortex-M SRAM range where the image is mapped (--sanitize "
			       "undefined works)");
	}
	b->m32 = true;
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
	if (strlen(b->compat) > 22 &&
	    strcmp(b->compat + strlen(b->compat) - 22, "/ipc_emu/zephyr-compat") == 0) {
		snprintf(b->compat_parent, sizeof(b->compat_parent), "-I%.*s",
			 (int)(strlen(b->compat) - 22), b->compat);
	}
	if (!find_libdir(b->libdir, sizeof(b->libdir))) {
		rc = zb_fail("cannot find libipc_emu.so beside this ipc-emu");
		goto out;
	}
	if (r->app != NULL && !find_app(r->app, b->app_src, sizeof(b->app_src))) {
		rc = zb_fail("no program '%s' in emu/zephyr_apps/", r->app);
		goto out;
	}
	for (int i = 0; i < r->n_app_src; i++) {
		if (!exists(r->app_src[i]) || is_dir(r->app_src[i])) {
			rc = zb_fail("--app-src %s: no such file", r->app_src[i]);
			goto out;
		}
	}
	fnv_str(&h, IPC_EMU_VERSION);
	fnv_str(&h, defaults_conf);
	for (size_t i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++) {
		fnv_str(&h, warnings[i]);
	}
	fnv_str(&h, r->core);
	fnv_str(&h, r->app);
	if (r->app != NULL) {
		/* The app's directory, not only its .c: the headers it shares
		 * (echo_common.h) are part of the program. */
		char app_dir[ZB_PATH];
		char *slash;

		snprintf(app_dir, sizeof(app_dir), "%s", b->app_src);
		slash = strrchr(app_dir, '/');
		if (slash != NULL) {
			*slash = '\0';
			fnv_tree(&h, app_dir, 0);
		} else {
			(void)fnv_file(&h, b->app_src);
		}
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
	rc = choose_width(b);
	if (rc != 0) {
		goto out;
	}
	fnv_str(&h, b->m32 ? "ilp32" : "lp64");
	if (r->instance != NULL && strcmp(r->instance, "ipc0") != 0) {
		snprintf(b->instance_def, sizeof(b->instance_def), "-DECHO_IPC_INSTANCE=%s",
			 r->instance);
		fnv_str(&h, b->instance_def);
	}
	fnv_str(&h, r->sanitize != NULL ? r->sanitize : "no sanitizer");
	hash_toolchain(b->libdir, &h);
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
			if (b->have[i] && !b->m32 &&
			    ((strstr(tree_sources[i], "ipc_icbmsg.c") != NULL && !b->v2) ||
			     strstr(tree_sources[i], "bitarray.c") != NULL)) {
				/* Only classic ICBMsg built for 32 bits (choose_width())
				 * or v2 with an instance, bitarray.c only for classic. */
				b->have[i] = false;
				b->icbmsg_refused |= strstr(tree_sources[i], "ipc_icbmsg.c") != NULL;
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
		cli_zephyr_cache_dir(b->cache, sizeof(b->cache));
	}
	snprintf(b->dir, sizeof(b->dir), "%s/%016llx", b->cache, (unsigned long long)h);
	snprintf(b->log, sizeof(b->log), "%s/build.log", b->dir);
	snprintf(stamp, sizeof(stamp), "%s/stamp", b->dir);
	if (b->icbmsg_refused && !r->quiet) {
		printf("zephyr-build: note: backends/ipc_icbmsg.c is not built: %s; its "
		       "instances get no device\n",
		       b->icbmsg == ICBMSG_CLASSIC
			       ? "classic ICBMsg is built (for 32 bits) only when the app opens a "
				 "zephyr,ipc-icbmsg instance (ipc0, or run --backend icbmsg; or "
				 "IPC_EMU_M32=on)"
			       : b->icbmsg == ICBMSG_BITPOOL
					 ? "it is the \"bitpool\" ICBMsg, which ipc-emu does not support"
					 : "ICBMsg v2 (the queue-based rework of Zephyr main) is "
					   "built only when the app opens a zephyr,ipc-icbmsg "
					   "instance (ipc0, or run --backend icbmsg)");
	}
	if (b->v2 && !r->quiet) {
		printf("zephyr-build: %s core: ICBMsg v2 (Zephyr main's rework), built for the "
		       "host: its layout has no pointer-sized fields\n", r->core);
	}
	if (b->m32 && !r->quiet) {
		printf("zephyr-build: %s core: built for 32 bits (-m32, %s): classic ICBMsg's "
		       "target layout\n", r->core, b->libdir);
	}
	if (exists(stamp)) {
		if (!r->quiet) {
			printf("zephyr-build: %s core: cached %s\n", r->core, b->dir);
		}
		if (prog != NULL) {
			snprintf(prog, proglen, "%s%s%s", b->dir, r->app != NULL ? "/" : "",
				 r->app != NULL ? r->app : "");
		}
		goto done;
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
			 "CFLAGS=-std=gnu11 -pthread -fno-pie %s%s%s%s%s%s-I%s/cfg -imacros "
			 "%s/cfg/zephyr/autoconf.h -I%s\n"
			 "LDFLAGS=-no-pie -pthread %s%s%s%s%s%s-L%s -Wl,-rpath,%s -lipc_emu\n",
			 sanitize_flag(r) != NULL ? sanitize_flag(r) : "",
			 sanitize_flag(r) != NULL ? " -fno-omit-frame-pointer -fno-sanitize-recover=all "
						  : "",
			 b->m32 ? "-m32 " : "", r->zephyr_base != NULL ? "-I" : "", r->zephyr_base != NULL ? b->dir : "",
			 r->zephyr_base != NULL ? "/overlay " : "", b->dir, b->dir, b->compat,
			 sanitize_flag(r) != NULL ? sanitize_flag(r) : "",
			 sanitize_flag(r) != NULL ? " " : "", b->m32 ? "-m32 " : "", r->zephyr_base != NULL ? "-Wl,--whole-archive " : "",
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
done:
	if (rc == 0) {
		/* The last use, for `ipc-emu clean --zephyr-cache --older-than`. */
		(void)utimensat(AT_FDCWD, stamp, NULL, 0);
		if (r->stack_link != NULL) {
			rc = link_stack(b);
		}
		if (rc == 0 && r->n_app_src > 0) {
			rc = build_user_program(b, prog, proglen);
		}
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
	      "                            [--app NAME] [--sanitize SET] [--quiet]\n"
	      "       ipc-emu zephyr-build --zephyr-base DIR --core host|remote\n"
	      "                            --app-src FILE.c [FILE.c...] [-I DIR] [-D X[=V]]\n"
	      "                            [-o PROG] [--dts ...] [--kconfig ...] [--out CACHE]\n"
	      "\n"
	      "Compiles Zephyr's IPC sources of the tree DIR, unchanged, against ipc-emu's\n"
	      "compatibility headers for one core: subsys/ipc/ipc_service/ipc_service.c,\n"
	      "lib/pbuf.c, lib/icmsg.c, backends/ipc_icmsg.c (those the tree has), with the\n"
	      "tree's include/zephyr/ipc/*.h, the devicetree and autoconf.h of `ipc-emu\n"
	      "zephyr-config` and Zephyr's warning set.  Classic ICBMsg\n"
	      "(backends/ipc_icbmsg.c + lib/utils/bitarray.c) is built, for 32 bits (-m32,\n"
	      "the target's layout), when ipc0 is a zephyr,ipc-icbmsg instance\n"
	      "(IPC_EMU_M32=on: always; =off: refused); otherwise it is left out with a\n"
	      "note.  ICBMsg v2 (the queue-based rework of Zephyr main; no bitarray.c) is\n"
	      "built under the same condition, for the host (its layout has no pointers).\n"
	      "The products (a static library, the include overlay, flags.txt) go\n"
	      "to CACHE/KEY, KEY a hash of the tree's files and commit, DTS, Kconfig,\n"
	      "core, word size, compiler ($CC or cc: its path, --version and -dumpmachine),\n"
	      "libipc_emu.so's contents and ipc-emu version: a second run with the same\n"
	      "inputs compiles nothing.  `ipc-emu clean --zephyr-cache` removes old\n"
	      "product directories.\n"
	      "\n"
	      "  --zephyr-base DIR  the tree (default: $ZEPHYR_BASE); `-` or\n"
	      "                     --no-zephyr-base: none, only --app (or --app-src)\n"
	      "                     against ipc-emu's own core\n"
	      "  --app NAME         also link emu/zephyr_apps/NAME.c (echo_server,\n"
	      "                     echo_client) with the stack into CACHE/KEY/NAME\n"
	      "  --app-src FILE.c [FILE.c...]\n"
	      "                     your own Zephyr application: compile these sources (all\n"
	      "                     arguments up to the next option; the option may repeat)\n"
	      "                     against the tree's stack with its devicetree, autoconf.h\n"
	      "                     and IPC headers, and link the program, non-PIE, with the\n"
	      "                     stack and libipc_emu.  Only the stack is cached: your\n"
	      "                     sources are compiled at every call.  Run it with\n"
	      "                     `ipc-emu run --host PROG --remote PROG` (same --dts)\n"
	      "  -I DIR, -D X[=V]   include directories and macros for --app-src sources\n"
	      "  -o PROG            the program (default: the first source's name without\n"
	      "                     .c, in the current directory)\n"
	      "  --sanitize SET     compile the tree's sources and the program with ASan\n"
	      "                     and/or UBSan: address, undefined or address,undefined\n"
	      "                     (-fsanitize=SET -fno-sanitize-recover=all; part of\n"
	      "                     the cache key; libipc_emu itself is not instrumented)\n"
	      "  --stack-link PATH  make PATH a symbolic link to CACHE/KEY (for build\n"
	      "                     systems: ipc_emu_zephyr_program(... ZEPHYR_BASE dir))\n"
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
	bool none = false;

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
		if (strcmp(a, "--no-zephyr-base") == 0) {
			r.zephyr_base = NULL;
			none = true;
			continue;
		}
		if ((strncmp(a, "-I", 2) == 0 || strncmp(a, "-D", 2) == 0) && a[2] != '\0') {
			if (r.n_app_cflags == ZB_MAX_APP_SRC) {
				cli_err("zephyr-build: at most %d -I/-D options", ZB_MAX_APP_SRC);
				return EXIT_USAGE;
			}
			r.app_cflags[r.n_app_cflags++] = a;
			continue;
		}
		if (strcmp(a, "--app-src") == 0) {
			/* --app-src FILE.c [FILE.c...]: every following argument up
			 * to the next option. */
			int k = i + 1;

			for (; k < argc && argv[k][0] != '-'; k++) {
				if (r.n_app_src == ZB_MAX_APP_SRC) {
					cli_err("zephyr-build: at most %d --app-src files", ZB_MAX_APP_SRC);
					return EXIT_USAGE;
				}
				r.app_src[r.n_app_src++] = argv[k];
			}
			if (k == i + 1) {
				cli_err("zephyr-build: --app-src wants one or more source files");
				return EXIT_USAGE;
			}
			i = k - 1;
			continue;
		}
		if (v == NULL) {
			cli_err("zephyr-build: %s: missing value or unknown option (see --help)", a);
			return EXIT_USAGE;
		}
		if (strcmp(a, "--zephyr-base") == 0) {
			r.zephyr_base = strcmp(v, "-") == 0 ? NULL : v;
			none = r.zephyr_base == NULL;
		} else if (strcmp(a, "-I") == 0 || strcmp(a, "-D") == 0) {
			static char flags[ZB_MAX_APP_SRC][ZB_PATH];

			if (r.n_app_cflags == ZB_MAX_APP_SRC) {
				cli_err("zephyr-build: at most %d -I/-D options", ZB_MAX_APP_SRC);
				return EXIT_USAGE;
			}
			snprintf(flags[r.n_app_cflags], sizeof(flags[0]), "%s%s", a, v);
			r.app_cflags[r.n_app_cflags] = flags[r.n_app_cflags];
			r.n_app_cflags++;
		} else if (strcmp(a, "-o") == 0) {
			r.app_out = v;
		} else if (strcmp(a, "--stack-link") == 0) {
			r.stack_link = v;
		} else if (strcmp(a, "--sanitize") == 0) {
			r.sanitize = zb_sanitize_set(v);
			if (r.sanitize == NULL) {
				cli_err("zephyr-build: --sanitize wants address, undefined or "
					"address,undefined, not '%s'", v);
				return EXIT_USAGE;
			}
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
	if (r.zephyr_base == NULL && (r.app == NULL || r.n_app_src > 0) && !none) {
		cli_err("zephyr-build: --zephyr-base DIR (or ZEPHYR_BASE) is required");
		return EXIT_USAGE;
	}
	if (r.zephyr_base == NULL && r.app == NULL && r.n_app_src == 0) {
		cli_err("zephyr-build: without a tree (--no-zephyr-base) there is nothing to build "
			"but --app NAME or --app-src FILE.c");
		return EXIT_USAGE;
	}
	if (r.app != NULL && r.n_app_src > 0) {
		cli_err("zephyr-build: --app NAME (one of ipc-emu's echo apps) and --app-src FILE.c "
			"(your program) are exclusive");
		return EXIT_USAGE;
	}
	if (r.n_app_src == 0 && (r.app_out != NULL || r.n_app_cflags > 0)) {
		cli_err("zephyr-build: %s applies to the program of --app-src FILE.c",
			r.app_out != NULL ? "-o PROG" : "-I/-D");
		return EXIT_USAGE;
	}
	return cli_zephyr_build(&r, NULL, 0);
}
