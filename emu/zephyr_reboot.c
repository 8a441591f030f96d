/*
 * zephyr_reboot.c - sys_reboot() of include/zephyr/sys/reboot.h.
 *
 * The reboot record is one line, "reboot <type> <pid>\n", written with a
 * single write() (shorter than PIPE_BUF, so atomic) into the descriptor the
 * supervisor passed in IPC_EMU_REBOOT_FD; then the process ends with
 * EMU_ZEPHYR_REBOOT_EXIT_STATUS.  The supervisor restarts the program only
 * when it finds both, so a program that merely exits with that status is
 * not mistaken for a reboot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zephyr/sys/reboot.h>

static void say(const char *text)
{
	(void)!write(STDERR_FILENO, text, strlen(text));
}

void emu_zephyr_sys_reboot(int type)
{
	const char *v = getenv(EMU_ZEPHYR_REBOOT_FD_ENV);
	char rec[64], *end = NULL;
	long fd = -1;
	int n;

	/* What the program printed with stdio is still in its buffers. */
	fflush(stdout);
	fflush(stderr);
	if (v != NULL && *v != '\0') {
		errno = 0;
		fd = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || fd < 0 || fd > 65535) {
			fd = -1;
		}
	}
	if (fd < 0) {
		say("ipc-emu: sys_reboot(): no supervisor to restart this program (start it with "
		    "`ipc-emu run --host PROG --remote PROG`)\n");
		_exit(2);
	}
	n = snprintf(rec, sizeof(rec), "reboot %d %ld\n", type == SYS_REBOOT_WARM ? 0 : 1,
		     (long)getpid());
	while (write((int)fd, rec, (size_t)n) < 0 && errno == EINTR) {
	}
	_exit(EMU_ZEPHYR_REBOOT_EXIT_STATUS);
}
