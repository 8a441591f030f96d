/*
 * devicetree_internal.h - what the files of the devicetree reader share
 * (devicetree.c, devicetree_dtc.c, devicetree_plan.c, devicetree_pair.c);
 * not installed.
 */
#ifndef IPC_EMU_EMU_DEVICETREE_INTERNAL_H
#define IPC_EMU_EMU_DEVICETREE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "ipc_emu/emu.h"

#define COMPAT_ICMSG "zephyr,ipc-icmsg"
#define COMPAT_ICBMSG "zephyr,ipc-icbmsg"
#define ICBMSG_VERSION_PROP "ipc-emu,icbmsg-version"
#define COMPAT_IPM_IMX "nxp,imx-mu"
#define COMPAT_IPM_EMU "ipc-emu,ipm"

enum { MSG_MAX = 256 }; /* one message line */

/* Length of a fixed-size char field that may lack its NUL (plans passed in
 * by callers are not trusted to be terminated). */
#define FIELD_LEN(f) ((int)strnlen((f), sizeof(f)))

/* Messages are one line: control characters (from a file name, a label...)
 * become spaces.  Inline here so that every file of the reader can report
 * without depending on another. */
static inline void dt_one_line(char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = ' ';
	}
}

/* One line into err (control characters become spaces). */
static inline void dt_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void dt_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	dt_one_line(err);
}
/* devicetree.c: "classic", "v2" or "absent (v2)" for a plan's
 * icbmsg_version, and the version an instance runs without an option. */
const char *dt_icbmsg_version_name(uint32_t v);
uint32_t dt_icbmsg_version_of(const struct emu_dt_inst *in);
/* devicetree.c: swap the tx/rx direction in a channel name. */
void dt_name_flip(char *n);
/* devicetree.c: do two regions share a byte? */
bool dt_overlap(const struct emu_dt_region *a, const struct emu_dt_region *b);

/* devicetree_dtc.c: run dtc on a file (`path`) or on text (`dts`).  On
 * success *dtb is a malloc'ed blob of *dtb_len bytes.  -ENOEXEC when dtc
 * cannot be run or fails (err has its first error line), other -errno for
 * local failures. */
int dt_run_dtc(const char *path, const char *dts, size_t dts_len, const char *src, char **dtb,
	       size_t *dtb_len, char *err, size_t errlen);

#endif /* IPC_EMU_EMU_DEVICETREE_INTERNAL_H */
