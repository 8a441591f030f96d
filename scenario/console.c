/*
 * console.c - the remote's console over IPM (--ipm-console), with the framing
 * of Zephyr's classic CONFIG_IPM_CONSOLE_SENDER / _RECEIVER: one IPM message
 * per character, the character is the message id, data NULL, size 0,
 * wait = 1; '\r' is never sent, '\n' is.  The receiver (host) collects the
 * characters into a line buffer from its callback and emits a line on '\n'
 * (or when lb_size - 2 characters are in), here as "remote: <line>" on
 * stdout.
 *
 * Ordering: the remote sends only after the host's receiver is enabled
 * (con_ready in the host's app area), counts a line once ipm_send() of its
 * '\n' returned (the host's interrupt handler has consumed it), and sets
 * con_closed after its last line; the host's close waits until it printed as
 * many lines as the remote sent, so no line is cut by the teardown.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipc_emu/emu.h"
#include "ipc_emu/ipm.h"
#include "common.h"
#include "console.h"

#define CON_LINE_BUF 128u              /* the receiver's line buffer (lb_size) */
#define CON_READY_WAIT_NS 10000000000ull /* remote: wait for the host's receiver */
#define CON_BUSY_WAIT_NS 5000000000ull /* remote: give up a character after 5 s of -EBUSY */

struct scn_console {
	const struct device *dev;
	struct emu_segment *seg;
	enum emu_role role;
	struct scn_area *me, *peer;
	bool own_callback;
	bool ready;               /* remote: the host's receiver was seen */
	/* host, interrupt context only */
	char line[CON_LINE_BUF];
	unsigned len;
};

static void con_sleep(long ns)
{
	struct timespec ts = {0, ns};

	nanosleep(&ts, NULL);
}

static void emit(struct scn_console *c)
{
	c->line[c->len] = '\0';
	/* One write per line; the supervisor's report comes after the peers exit. */
	fprintf(stdout, "%s: %s\n", scn_role_name(EMU_ROLE_REMOTE), c->line);
	fflush(stdout);
	c->len = 0;
	scn_add(&c->me->con_lines, 1);
}

void scn_console_rx(struct scn_console *c, uint32_t id)
{
	char ch = (char)(id & 0xFFu);

	if (c == NULL || c->role != EMU_ROLE_HOST) {
		return;
	}
	if (ch == '\n') {
		emit(c);
		return;
	}
	c->line[c->len++] = ch;
	if (c->len >= CON_LINE_BUF - 2u) {
		emit(c);
	}
}

static void on_console(const struct device *dev, void *user, uint32_t id, volatile void *data)
{
	(void)dev;
	(void)data;
	if (id <= 0xFFu) {
		scn_console_rx(user, id);
	}
}

struct scn_console *scn_console_open(struct emu_board *board, struct emu_segment *seg,
				     enum emu_role role, bool own_callback)
{
	struct scn_console *c;
	const struct device *dev = emu_board_device(board, SCN_IPM_LABEL);

	if (dev == NULL) {
		fprintf(stderr, "ipc-emu peer[%s]: --ipm-console: no IPM device '%s'\n",
			scn_role_name(role), SCN_IPM_LABEL);
		return NULL;
	}
	if (ipm_max_id_val_get(dev) < SCN_CONSOLE_MIN_ID) {
		fprintf(stderr,
			"ipc-emu peer[%s]: --ipm-console: %s accepts ids up to %u; the classic IPM "
			"console sends each character as the id and needs ids up to 0xff\n",
			scn_role_name(role), SCN_IPM_LABEL, ipm_max_id_val_get(dev));
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return NULL;
	}
	c->dev = dev;
	c->seg = seg;
	c->role = role;
	c->me = scn_area(seg, role);
	c->peer = scn_area(seg, role == EMU_ROLE_HOST ? EMU_ROLE_REMOTE : EMU_ROLE_HOST);
	c->own_callback = own_callback;
	scn_set(&c->me->con_lines, 0);
	scn_set(&c->me->con_lines_sent, 0);
	scn_set(&c->me->con_chars_sent, 0);
	scn_set(&c->me->con_closed, 0);
	if (role == EMU_ROLE_HOST) {
		if (own_callback) {
			ipm_register_callback(dev, on_console, c);
			if (ipm_set_enabled(dev, 1) < 0) {
				fprintf(stderr, "ipc-emu peer[host]: --ipm-console: %s is not inbound\n",
					SCN_IPM_LABEL);
				ipm_register_callback(dev, NULL, NULL);
				free(c);
				return NULL;
			}
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		scn_set(&c->me->con_ready, 1);
	}
	return c;
}

static void con_putc(struct scn_console *c, char ch)
{
	uint64_t t_end = 0;
	int rc;

	if (ch == '\r') {
		return; /* never sent */
	}
	for (;;) {
		rc = ipm_send(c->dev, 1, (uint32_t)(unsigned char)ch, NULL, 0);
		if (rc != -EBUSY) {
			break;
		}
		/* The scenario's own message is in the slot: it goes soon. */
		if (t_end == 0) {
			t_end = scn_now_ns() + CON_BUSY_WAIT_NS;
		} else if (scn_now_ns() > t_end) {
			break;
		}
		sched_yield();
	}
	if (rc == 0) {
		scn_add(&c->me->con_chars_sent, 1);
		if (ch == '\n') {
			scn_add(&c->me->con_lines_sent, 1);
		}
	} else {
		scn_add(&c->me->con_dropped, 1); /* the console ignores send errors */
	}
}

void scn_console_printf(struct scn_console *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (c == NULL || c->role != EMU_ROLE_REMOTE) {
		return;
	}
	if (!c->ready) {
		uint64_t t_end = scn_now_ns() + CON_READY_WAIT_NS;

		while (!scn_get(&c->peer->con_ready) && scn_now_ns() < t_end) {
			con_sleep(200000L);
		}
		c->ready = scn_get(&c->peer->con_ready) != 0;
		if (!c->ready) {
			fprintf(stderr, "ipc-emu peer[remote]: --ipm-console: the host's receiver never "
					"came up\n");
			return;
		}
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *p = buf; *p; p++) {
		con_putc(c, *p);
	}
}

void scn_console_close(struct scn_console *c, uint64_t timeout_ns)
{
	if (c == NULL) {
		return;
	}
	if (c->role == EMU_ROLE_REMOTE) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		scn_set(&c->me->con_closed, 1);
	} else {
		uint64_t t_end = scn_now_ns() + timeout_ns;

		/* '\n' is consumed before the callback runs: wait for the prints. */
		while (scn_now_ns() < t_end &&
		       !(scn_get(&c->peer->con_closed) &&
			 scn_get(&c->me->con_lines) >= scn_get(&c->peer->con_lines_sent))) {
			con_sleep(200000L);
		}
	}
}

void scn_console_free(struct scn_console *c)
{
	free(c);
}
