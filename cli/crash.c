/*
 * crash.c - the crash points of the core, as `--crash-point` names them.
 *
 * Each is a port_crash_point("name") call in src/; the host port SIGKILLs the
 * process at the armed hit (IPC_EMU_CRASH=name@n in its environment).  A test
 * (pytests/test_reliability.py) checks that this list and the calls in src/
 * are the same set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *const cli_crash_points[] = {
	"pbuf_write_before_publish",     /* payload copied, write index not published */
	"pbuf_read_before_release",      /* message copied out, read index not released */
	"icmsg_send_before_signal",      /* index published, doorbell not rung */
	"icmsg_sid_ack_before_tx_reset", /* peer's session seen, TX ring not reset/acked */
	"icbmsg_alloc_before_header",    /* TX blocks allocated, block header not written */
	"icbmsg_block_before_control",   /* block written and flushed, control message not sent */
	"icbmsg_rx_before_release",      /* data delivered, release not sent back */
	"icbmsg_release_before_free",    /* release received, blocks not freed */
	"icbmsg_release_after_free",     /* blocks freed, nothing else done */
	"icbmsg_v2_before_produce",      /* v2: message written and flushed, not queued */
	"icbmsg_v2_before_doorbell",     /* v2: queued (count published), doorbell not rung */
	"icbmsg_v2_rx_before_consume",   /* v2: delivered, consumer entry not written */
	NULL,
};

/* At the boundaries of the Zephyr shim (include/zephyr/, emu/zephyr_*.c):
 * around each call a program (or Zephyr's IPC sources) makes.  A test
 * (pytests/test_zephyr_shim_faults.py) checks this list against the calls
 * in emu/. */
const char *const cli_shim_crash_points[] = {
	"zephyr_mbox_send_before",     /* mbox_send()/mbox_send_dt(): doorbell not rung */
	"zephyr_mbox_send_after",      /* doorbell rung, nothing after */
	"zephyr_cache_flush_before",   /* sys_cache_data_flush_range(): lines not written back */
	"zephyr_cache_flush_after",    /* lines written back, nothing after */
	"zephyr_cache_invd_before",    /* sys_cache_data_invd_range(): lines not refetched */
	"zephyr_cache_invd_after",     /* lines refetched, nothing after */
	"zephyr_work_submit_before",   /* k_work_submit(_to_queue)(): item not queued */
	"zephyr_work_submit_after",    /* item queued, nothing after */
	"zephyr_work_schedule_before", /* k_work_(re)schedule(_for_queue)(): not scheduled */
	"zephyr_work_schedule_after",  /* scheduled, nothing after */
	NULL,
};

bool cli_crash_is_shim(const char *name)
{
	for (const char *const *p = cli_shim_crash_points; *p != NULL; p++) {
		if (strcmp(*p, name) == 0) {
			return true;
		}
	}
	return false;
}

int cli_parse_crash(const char *v, struct cli_crash *out)
{
	const char *name = v, *at;
	size_t len;
	bool known = false;

	memset(out, 0, sizeof(*out));
	out->roles = 3u;
	out->nth = 1;
	if (strncmp(v, "host:", 5) == 0) {
		out->roles = 1u;
		name = v + 5;
	} else if (strncmp(v, "remote:", 7) == 0) {
		out->roles = 2u;
		name = v + 7;
	}
	at = strchr(name, '@');
	len = at != NULL ? (size_t)(at - name) : strlen(name);
	if (at != NULL) {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(at + 1, &end, 10);
		if (at[1] < '0' || at[1] > '9' || *end != '\0' || errno != 0 || n < 1 ||
		    n > 1000000000ul) {
			return -EINVAL;
		}
		out->nth = (unsigned)n;
	}
	for (const char *const *p = cli_crash_points; *p != NULL; p++) {
		if (strlen(*p) == len && strncmp(*p, name, len) == 0) {
			known = true;
		}
	}
	for (const char *const *p = cli_shim_crash_points; *p != NULL; p++) {
		if (strlen(*p) == len && strncmp(*p, name, len) == 0) {
			known = true;
		}
	}
	if (!known || len >= sizeof(out->name)) {
		return -ENOENT;
	}
	memcpy(out->name, name, len);
	out->name[len] = '\0';
	return 0;
}
