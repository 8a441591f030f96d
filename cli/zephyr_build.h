/*
 * zephyr_build.h - `ipc-emu zephyr-build`: Zephyr's IPC sources from a tree,
 * compiled unchanged against the compatibility headers, and the programs of
 * emu/zephyr_apps/ linked with them (cli/zephyr_build.c).
 */
#ifndef IPC_EMU_CLI_ZEPHYR_BUILD_H
#define IPC_EMU_CLI_ZEPHYR_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ZB_MAX_KCONFIG 8
#define ZB_MAX_APP_SRC 32

struct zb_req {
	const char *zephyr_base;  /* the tree, or NULL: the app against ipc-emu's core */
	const char *core;         /* "host" or "remote" */
	const char *dts;          /* as `ipc-emu run --dts` (A or A,B), or NULL */
	const char *kconfig[ZB_MAX_KCONFIG];
	int n_kconfig;
	const char *out;          /* the cache directory (NULL: the default one) */
	const char *app;          /* emu/zephyr_apps/<app>.c to link, or NULL */
	bool quiet;               /* no progress lines on stdout */
	/* A user's own program (--app-src): its sources are compiled every
	 * time (their headers are not tracked), against the cached stack of
	 * the tree, and linked into app_out (default: the first source's name
	 * without .c, in the current directory).  Exclusive with app. */
	const char *app_src[ZB_MAX_APP_SRC];
	int n_app_src;
	const char *app_cflags[ZB_MAX_APP_SRC]; /* -I DIR / -D X for them */
	int n_app_cflags;
	const char *app_out;
	const char *stack_link;   /* made a symlink to CACHE/KEY (CMake uses it) */
	/* Sanitizers for the tree's sources and the program: NULL, or one of
	 * the canonical sets of zb_sanitize_set(). */
	const char *sanitize;
	/* The instance the echo apps open (node label; NULL: ipc0), and
	 * whether it is a zephyr,ipc-icbmsg one (1 yes, -1 no, 0 unknown:
	 * zephyr-build reads the core's DTS for ipc0).  `run --backend icbmsg`
	 * and `run --instance` set them. */
	const char *instance;
	int instance_icbmsg;
};

/* The canonical sanitizer set of `v` ("address", "undefined" or
 * "address,undefined", either order), or NULL if `v` is none of them. */
const char *zb_sanitize_set(const char *v);

/* Build (or find in the cache) what `r` asks for.  On success returns 0
 * and, if `prog` is not NULL, the path of the linked app (or of the
 * product directory without an app).  On failure one line on stderr and
 * EXIT_USAGE (2). */
int cli_zephyr_build(const struct zb_req *r, char *prog, size_t proglen);

/* Whether `prog` is a 32-bit (-m32) program this kernel cannot exec (no
 * IA-32 emulation): `ipc-emu run` starts it under qemu-i386. */
bool cli_zephyr_needs_qemu(const char *prog);

int cli_zephyr_build_main(int argc, char **argv, int first);
/* The default cache directory: $IPC_EMU_ZEPHYR_CACHE, else
 * $XDG_CACHE_HOME/ipc-emu/zephyr, else ~/.cache/ipc-emu/zephyr. */
void cli_zephyr_cache_dir(char *out, size_t len);
void cli_help_zephyr_build(FILE *f);

#endif /* IPC_EMU_CLI_ZEPHYR_BUILD_H */
