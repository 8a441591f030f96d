/*
 * zephyr_rt.c - the runtime behind include/zephyr/: it attaches a user
 * program to its peer and resolves DEVICE_DT_GET() references by label.
 *
 * Attachment is lazy: the first emu_zephyr_dev() (any ipc_service, mbox,
 * ipm or device_is_ready call on a DEVICE_DT_GET reference) runs init()
 * once, which reads the environment that `ipc-emu run --host/--remote`
 * prepares (docs/zephyr-compat.md):
 *
 *   IPC_EMU_ROLE         host | remote              (required, but see below)
 *   IPC_EMU_FDS          mem,ctl,efd_host,efd_remote descriptors inherited
 *                        from the supervisor (-1 = none)
 *   IPC_EMU_SEGMENT      instead of IPC_EMU_FDS: a segment name (futex
 *                        doorbells); the host creates it (or attaches), the
 *                        remote attaches, waiting up to 10 s for it
 *   IPC_EMU_DTS          "" (built-in board), "A" (host's DTS, the remote
 *                        mirrors it) or "A,B" (host's and remote's)
 *   IPC_EMU_UNBOUND      disable | enable | detect: ICMsg unbound override
 *   IPC_EMU_CACHE_MODEL  1: incoherent cache model (seed IPC_EMU_SEED)
 *   IPC_EMU_RX_IN_ISR    1: ICMsg receive in the interrupt thread
 *   IPC_EMU_BUSY_POLL    microseconds of busy polling before sleeping
 *   IPC_EMU_RX_BUF_SIZE  ICMsg receive buffer (CONFIG_PBUF_RX_READ_BUF_SIZE);
 *                        a program built with the generated autoconf.h uses
 *                        its compiled CONFIG_PBUF_RX_READ_BUF_SIZE instead
 *   IPC_EMU_CRASH        crash point, read by the port itself (emu/port.c)
 *   IPC_EMU_STACK        zephyr: Zephyr-stack mode even without a device of
 *                        the program's own (see below)
 *   IPC_EMU_SCHEDULE     coop | parallel | random: how the program's threads
 *                        share its CPU, read by a constructor before the init
 *                        levels (emu/zephyr_sched.c; unset: parallel)
 *
 * A core of a multi-core run (`ipc-emu run --dts A,B,C --core-prog NAME=PROG`,
 * docs/multicore.md) has instead of IPC_EMU_ROLE, IPC_EMU_FDS:
 *
 *   IPC_EMU_CORE         the core's name (log prefix)
 *   IPC_EMU_SOC_FDS      mem,ctl[,efd...] of the SoC segment (emu/soc.h)
 *   IPC_EMU_SOC_LINKS    L:ROLE:I,... each link of the core: link L of the SoC
 *                        segment, this core's role on it, instance I of the
 *                        program's devicetree (IPC_EMU_DTS, its core's file)
 *
 * Each link gets its own core (on its view of the SoC segment: the cores
 * share this process's one interrupt thread) and board (the instance alone,
 * as the topology pairs it); devices are looked up on every link's board.
 *
 * Zephyr-stack mode (a program built by `ipc-emu zephyr-build`, whose IPC
 * backends are Zephyr's own sources and define their devices with
 * DEVICE_DT_INST_DEFINE): the program is attached by its boot (emu/
 * zephyr_init.c, before main()), the memory image is mapped again at the
 * devicetree's addresses (Zephyr's sources build their pointers from
 * DT_REG_ADDR at compile time) and the board gets the MBOX and IPM devices
 * but no ipc-emu core instance: the program's definitions of pbuf_*,
 * icmsg_* and ipc_service_* take the place of the library's (ELF symbol
 * interposition), so the library's instances could not work in such a
 * process anyway.  With the cache model, private memory is mapped at the
 * devicetree's addresses instead, every byte of it a line of the cache
 * model's views of the image (zshim_segment_map_cached()).
 *
 * A constructor is deliberately not used: a program (or a Python process
 * loading the shared library) that never touches a Zephyr device is not
 * attached to anything.  Any failure here is a configuration error of the
 * run: one line on stderr and exit status 2, which `ipc-emu run` reports
 * as such.
 *
 * Nothing is closed when main() returns or exit() is called: as on a core
 * whose main() has returned, the devices stay open and the interrupt and
 * work-queue threads keep running until the process ends, which is the
 * core powering off.  Closing them at exit would tell the peer (an ICMsg
 * close in unbound enable/detect mode resets the session) and make it drop
 * the messages sent just before, which the peer has not read yet.  Valgrind
 * counts what the runtime holds at exit as "still reachable", not as a leak.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu_internal.h"
#include "soc.h"
#include "ipc_emu/topology.h"
#include "ipc_emu/emu.h"
#include "ipc_emu/mbox.h"
#include "port.h"
#include "zephyr_isr.h"
#include "zephyr_stack.h"
#include "trace.h"
#include <zephyr/device.h>
#include <zephyr/drivers/mbox.h>

#define EXIT_CONFIG 2
#define ATTACH_WAIT_MS 10000

const char emu_zephyr_ref_tag = 'Z';

/* Defined (weak) by zephyr/device.h in programs built with the generated
 * autoconf.h; absent otherwise. */
extern const unsigned int emu_zephyr_kconfig_pbuf_rx_read_buf_size __attribute__((weak));

static struct {
	pthread_once_t once;
	enum emu_role role;
	struct emu_dt_plan plan;
	struct emu_segment *seg;
	struct emu_core *core;
	struct emu_board *board;
	/* A core of a multi-core run: its SoC segment and one view, core and
	 * board per link (seg/core/board above are those of the first). */
	struct emu_soc *soc;
	unsigned n_link;
	struct {
		struct emu_segment *view;
		struct emu_core *core;
		struct emu_board *board;
	} link[EMU_DT_MAX_INST];
	bool created;  /* this process created the named segment */
	bool zephyr_stack; /* Zephyr-stack mode (see the top of the file) */
} rt = {.once = PTHREAD_ONCE_INIT};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	char line[768];
	int n = snprintf(line, sizeof(line), "ipc-emu: ");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	fflush(stdout);
	(void)!write(STDERR_FILENO, line, (size_t)n);
	_exit(EXIT_CONFIG);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static bool env_on(const char *name)
{
	const char *v = env(name);

	return v != NULL && strcmp(v, "0") != 0;
}

static unsigned long long env_ulong(const char *name, unsigned long long dflt,
				    unsigned long long max)
{
	const char *v = env(name);
	char *end;
	unsigned long long x;

	if (v == NULL) {
		return dflt;
	}
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || v[0] == '-' || x > max) {
		fail("%s=%s: expected a number from 0 to %llu", name, v, max);
	}
	return x;
}

static void load_plan(void)
{
	const char *dts = env("IPC_EMU_DTS");
	char err[512], path[4096];
	struct emu_dt_plan host;
	const char *comma;
	int rc;

	if (dts == NULL) {
		rc = emu_dt_load_string(emu_dt_default_board(rt.role),
					rt.role == EMU_ROLE_HOST ? "<default board: host>"
								 : "<default board: remote>",
					&rt.plan, err, sizeof(err));
		if (rc < 0) {
			fail("built-in board: %s", err);
		}
		return;
	}
	comma = strchr(dts, ',');
	if (comma == NULL) {
		/* One DTS: the host's; the remote sees its mirror image. */
		rc = emu_dt_load_file(dts, &host, err, sizeof(err));
		if (rc < 0) {
			fail("IPC_EMU_DTS: %s", err);
		}
		if (rt.role == EMU_ROLE_HOST) {
			rt.plan = host;
		} else {
			emu_dt_mirror(&host, &rt.plan);
		}
		return;
	}
	if (rt.role == EMU_ROLE_HOST) {
		if ((size_t)(comma - dts) >= sizeof(path)) {
			fail("IPC_EMU_DTS: path too long");
		}
		memcpy(path, dts, (size_t)(comma - dts));
		path[comma - dts] = '\0';
	} else {
		snprintf(path, sizeof(path), "%s", comma + 1);
	}
	rc = emu_dt_load_file(path, &rt.plan, err, sizeof(err));
	if (rc < 0) {
		fail("IPC_EMU_DTS: %s", err);
	}
}

static void attach_fds(const char *spec)
{
	struct emu_segment_fds fds;
	int v[4];
	int rc;

	if (sscanf(spec, "%d,%d,%d,%d", &v[0], &v[1], &v[2], &v[3]) != 4) {
		fail("IPC_EMU_FDS=%s: expected mem,ctl,efd_host,efd_remote", spec);
	}
	fds = (struct emu_segment_fds){.mem = v[0], .ctl = v[1], .efd = {v[2], v[3]}};
	rc = emu_segment_attach_fds(&fds, &rt.seg);
	/* Attached through duplicates: the inherited ones are not needed. */
	for (int i = 0; i < 4; i++) {
		if (v[i] > STDERR_FILENO) {
			close(v[i]);
		}
	}
	if (rc < 0) {
		fail("cannot attach the inherited segment (IPC_EMU_FDS=%s): %s", spec,
		     strerror(-rc));
	}
}

static void attach_named(const char *name)
{
	struct emu_segment_cfg cfg = {
		.name = name,
		.mem_base = rt.plan.base,
		.mem_size = (uint32_t)rt.plan.size,
		.doorbell = EMU_DOORBELL_FUTEX,
	};
	struct timespec pause = {0, 10 * 1000 * 1000};
	int rc = -ENOENT;

	if (rt.role == EMU_ROLE_HOST) {
		rc = emu_segment_create(&cfg, &rt.seg);
		if (rc == 0) {
			rt.created = true;
			return;
		}
		if (rc != -EEXIST) {
			fail("cannot create segment '%s': %s", name, strerror(-rc));
		}
	}
	for (int waited = 0; waited < ATTACH_WAIT_MS; waited += 10) {
		rc = emu_segment_attach(name, &rt.seg);
		if (rc == 0 || (rc != -ENOENT && rc != -EPROTO)) {
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (rc < 0) {
		fail("cannot attach to segment '%s': %s", name,
		     rc == -ENOENT ? "it does not exist" : strerror(-rc));
	}
}

/* At exit (see the top of the file: nothing is closed): the cache model's
 * figures, and the names of a segment this process created by name. */
static void at_exit(void)
{
	emu_board_log_cache_stats(rt.board);
	/* The peer keeps its mapping; the name must not outlive the run. */
	if (rt.created) {
		(void)emu_segment_unlink(rt.seg);
	}
}

/*
 * A core of a multi-core run has one board per link, each with its own MBOX
 * device for the link's two channels.  Zephyr code (the user's, or Zephyr's
 * own IPC sources) sees one device per controller node: a mux, which hands
 * each channel to the device of the link that has it.  The channel's
 * callback then gets that link's device, as the controller's driver would
 * be the one calling it on silicon.
 */
struct mbox_mux {
	struct device dev;
	char label[EMU_DT_NAME_LEN];
	unsigned n;
	struct {
		const struct device *dev;
		uint32_t tx, rx;
	} link[EMU_DT_MAX_INST];
};

static struct mbox_mux muxes[EMU_DT_MAX_MBOX];
static unsigned n_mux;

static const struct device *mux_route(const struct device *dev, mbox_channel_id_t ch, bool tx)
{
	const struct mbox_mux *x = dev->data;

	for (unsigned i = 0; ch < 32 && i < x->n; i++) {
		if (((tx ? x->link[i].tx : x->link[i].rx) & (1u << ch)) != 0) {
			return x->link[i].dev;
		}
	}
	return NULL;
}

static int mux_send(const struct device *dev, mbox_channel_id_t ch, const struct mbox_msg *msg)
{
	const struct device *d = mux_route(dev, ch, true);

	return d != NULL ? (mbox_send)(d, ch, msg) : -EINVAL;
}

static int mux_register_callback(const struct device *dev, mbox_channel_id_t ch,
				 mbox_callback_t cb, void *user_data)
{
	const struct device *d = mux_route(dev, ch, false);

	return d != NULL ? (mbox_register_callback)(d, ch, cb, user_data) : -EINVAL;
}

static int mux_set_enabled(const struct device *dev, mbox_channel_id_t ch, bool enabled)
{
	const struct device *d = mux_route(dev, ch, false);

	return d != NULL ? (mbox_set_enabled)(d, ch, enabled) : -EINVAL;
}

static int mux_mtu_get(const struct device *dev)
{
	const struct mbox_mux *x = dev->data;

	return (mbox_mtu_get)(x->link[0].dev);
}

static uint32_t mux_max_channels_get(const struct device *dev)
{
	const struct mbox_mux *x = dev->data;
	uint32_t most = 0;

	for (unsigned i = 0; i < x->n; i++) {
		uint32_t c = (mbox_max_channels_get)(x->link[i].dev);

		most = c > most ? c : most;
	}
	return most;
}

static const struct mbox_driver_api mux_api = {
	.send = mux_send,
	.register_callback = mux_register_callback,
	.mtu_get = mux_mtu_get,
	.max_channels_get = mux_max_channels_get,
	.set_enabled = mux_set_enabled,
};

/* The MBOX controller of a link's plan joins the mux of its label. */
static void mux_add(const struct emu_dt_plan *plan, struct emu_board *board)
{
	for (unsigned k = 0; k < plan->n_mbox && k < EMU_DT_MAX_MBOX; k++) {
		const struct device *d = emu_board_device(board, plan->mbox[k].label);
		struct mbox_mux *x = NULL;

		for (unsigned i = 0; i < n_mux; i++) {
			if (strcmp(muxes[i].label, plan->mbox[k].label) == 0) {
				x = &muxes[i];
			}
		}
		if (x == NULL && n_mux < EMU_DT_MAX_MBOX) {
			x = &muxes[n_mux++];
			snprintf(x->label, sizeof(x->label), "%s", plan->mbox[k].label);
			x->dev = (struct device){.name = x->label, .api = &mux_api, .data = x};
		}
		if (x == NULL || d == NULL || x->n == EMU_DT_MAX_INST) {
			fail("%s: MBOX controller %s: more controllers or links than a core of a "
			     "multi-core run takes", plan->source, plan->mbox[k].label);
		}
		x->link[x->n].dev = d;
		x->link[x->n].tx = plan->mbox[k].tx_mask;
		x->link[x->n].rx = plan->mbox[k].rx_mask;
		x->n++;
	}
}

/* A core of a multi-core run (see the top of the file). */
static void init_soc(const char *core_name, const struct emu_board_opts *opts)
{
	const char *spec = env("IPC_EMU_SOC_FDS");
	const char *links = env("IPC_EMU_SOC_LINKS");
	struct emu_soc_fds fds;
	char err[512], list[512] = "";
	int rc;

	if (spec == NULL || links == NULL) {
		fail("IPC_EMU_CORE=%s needs IPC_EMU_SOC_FDS and IPC_EMU_SOC_LINKS: start it with "
		     "`ipc-emu run --dts A,B,C --core-prog NAME=PROG` (docs/multicore.md)",
		     core_name);
	}
	if (emu_soc_fds_parse(spec, &fds) < 0) {
		fail("IPC_EMU_SOC_FDS=%s: expected mem,ctl[,efd...]", spec);
	}
	rc = emu_soc_attach_fds(&fds, &rt.soc);
	emu_soc_fds_close(&fds);
	if (rc < 0) {
		fail("cannot attach the inherited SoC segment (IPC_EMU_SOC_FDS=%s): %s", spec,
		     strerror(-rc));
	}
	if (rt.zephyr_stack) {
		/* Zephyr's sources point at DT_REG_ADDR: the image goes there
		 * before the views are made. */
		rc = emu_soc_map_at_base(rt.soc, err, sizeof(err));
		if (rc < 0) {
			fail("%s", err);
		}
	}
	zshim_isr_set_exclusive(); /* one core in this process: a single CPU */
	for (const char *p = links; *p != '\0';) {
		unsigned l, inst;
		char role[8];
		int used = 0;
		struct emu_dt_plan *plan;
		size_t n = strlen(list);

		if (sscanf(p, "%u:%7[a-z]:%u%n", &l, role, &inst, &used) != 3 ||
		    (p[used] != ',' && p[used] != '\0') || rt.n_link == EMU_DT_MAX_INST ||
		    l >= emu_soc_links(rt.soc) || inst >= rt.plan.n_inst ||
		    (strcmp(role, "host") != 0 && strcmp(role, "remote") != 0)) {
			fail("IPC_EMU_SOC_LINKS=%s: expected LINK:host|remote:INSTANCE,... (links of "
			     "the SoC segment, instances of %s)", links, rt.plan.source);
		}
		plan = malloc(sizeof(*plan));
		if (plan == NULL) {
			fail("out of memory");
		}
		emu_topo_inst_plan(&rt.plan, inst, plan);
		if (rt.zephyr_stack) {
			plan->n_inst = 0; /* the MBOX devices only: the instance is Zephyr's */
		}
		rc = emu_soc_link(rt.soc, l, &rt.link[rt.n_link].view);
		/* --trace: the link's core runs its work in the link's context. */
		emu_trace_ctx_set(l + 1);
		if (rc == 0) {
			rc = emu_core_start(rt.link[rt.n_link].view,
					    strcmp(role, "host") == 0 ? EMU_ROLE_HOST : EMU_ROLE_REMOTE,
					    &rt.link[rt.n_link].core);
		}
		if (rc < 0) {
			fail("core %s: cannot start its side of link %u: %s", core_name, l,
			     strerror(-rc));
		}
		emu_core_set_busy_poll(rt.link[rt.n_link].core,
				       (uint32_t)env_ulong("IPC_EMU_BUSY_POLL", 0, 1000000));
		rc = emu_board_create(plan, rt.link[rt.n_link].view, rt.link[rt.n_link].core, opts,
				      &rt.link[rt.n_link].board, err, sizeof(err));
		if (rc < 0) {
			fail("%s", err[0] != '\0' ? err : strerror(-rc));
		}
		mux_add(plan, rt.link[rt.n_link].board);
		free(plan);
		snprintf(list + n, sizeof(list) - n, "%s%.32s (%s)", n > 0 ? ", " : "",
			 rt.plan.inst[inst].label, role);
		rt.n_link++;
		p += used + (p[used] == ',');
	}
	emu_trace_ctx_set(0);
	if (rt.n_link == 0) {
		fail("IPC_EMU_SOC_LINKS is empty");
	}
	rt.seg = rt.link[0].view;
	rt.core = rt.link[0].core;
	rt.board = rt.link[0].board;
	port_log(PORT_LOG_INF, "attached as core %s: %s, SoC segment %s (%s doorbells)%s, links %s",
		 core_name, rt.plan.source, emu_soc_name(rt.soc),
		 emu_segment_doorbell(rt.seg) == EMU_DOORBELL_EVENTFD ? "eventfd" : "futex",
		 rt.zephyr_stack ? ", Zephyr's IPC stack" : "", list);
}

static void init(void)
{
	const char *core_name = env("IPC_EMU_CORE");
	const char *role = core_name != NULL ? "host" : env("IPC_EMU_ROLE");
	const char *fds = env("IPC_EMU_FDS");
	const char *name = env("IPC_EMU_SEGMENT");
	const char *unbound = env("IPC_EMU_UNBOUND");
	struct emu_board_opts opts;
	char err[512];
	int rc;

	if (role == NULL) {
		fail("IPC_EMU_ROLE is not set: start Zephyr programs with "
		     "`ipc-emu run --host PROG --remote PROG` (docs/zephyr-compat.md)");
	}
	if (strcmp(role, "host") == 0) {
		rt.role = EMU_ROLE_HOST;
	} else if (strcmp(role, "remote") == 0) {
		rt.role = EMU_ROLE_REMOTE;
	} else {
		fail("IPC_EMU_ROLE=%s: expected host or remote", role);
	}
	emu_port_set_log_prefix(core_name != NULL ? core_name : emu_role_name(rt.role));
	load_plan();
	if (env("IPC_EMU_STACK") != NULL) {
		if (strcmp(env("IPC_EMU_STACK"), "zephyr") != 0) {
			fail("IPC_EMU_STACK=%s: expected zephyr", env("IPC_EMU_STACK"));
		}
		rt.zephyr_stack = true;
	}

	emu_board_opts_default(&opts);
	opts.icmsg_rx_in_isr = env_on("IPC_EMU_RX_IN_ISR");
	opts.cache_model = env_on("IPC_EMU_CACHE_MODEL");
	opts.cache_seed = (uint64_t)env_ulong("IPC_EMU_SEED", 1, UINT64_MAX) * 2654435761u +
			  (uint64_t)rt.role;
	opts.icmsg_rx_buf_size =
		(uint32_t)env_ulong("IPC_EMU_RX_BUF_SIZE", opts.icmsg_rx_buf_size, 1u << 20);
	if (&emu_zephyr_kconfig_pbuf_rx_read_buf_size != NULL) {
		/* Built with the generated autoconf.h: the program's own value. */
		opts.icmsg_rx_buf_size = emu_zephyr_kconfig_pbuf_rx_read_buf_size;
	}
	if (env("IPC_EMU_ICBMSG_VERSION") != NULL) {
		const char *v = env("IPC_EMU_ICBMSG_VERSION");

		if (strcmp(v, "classic") == 0) {
			opts.icbmsg_version = EMU_ICBMSG_CLASSIC;
		} else if (strcmp(v, "v2") == 0) {
			opts.icbmsg_version = EMU_ICBMSG_V2;
		} else {
			fail("IPC_EMU_ICBMSG_VERSION=%s: expected classic or v2", v);
		}
	}
	opts.icbmsg_max_active = (uint32_t)env_ulong("IPC_EMU_MAX_ACTIVE_COUNT",
						     opts.icbmsg_max_active, 128);
	if (unbound != NULL) {
		if (strcmp(unbound, "disable") == 0) {
			opts.unbound_override = EMU_UNBOUND_DISABLE;
		} else if (strcmp(unbound, "enable") == 0) {
			opts.unbound_override = EMU_UNBOUND_ENABLE;
		} else if (strcmp(unbound, "detect") == 0) {
			opts.unbound_override = EMU_UNBOUND_DETECT;
		} else {
			fail("IPC_EMU_UNBOUND=%s: expected disable, enable or detect", unbound);
		}
	}

	if (core_name != NULL) {
		init_soc(core_name, &opts);
		return;
	}
	if (fds != NULL) {
		attach_fds(fds);
	} else if (name != NULL) {
		attach_named(name);
	} else {
		fail("neither IPC_EMU_FDS nor IPC_EMU_SEGMENT is set: start Zephyr programs with "
		     "`ipc-emu run --host PROG --remote PROG` (docs/zephyr-compat.md)");
	}
	if (emu_segment_base(rt.seg) > rt.plan.base ||
	    emu_segment_base(rt.seg) + emu_segment_size(rt.seg) < rt.plan.base + rt.plan.size) {
		fail("the segment covers 0x%llx+0x%x, %s needs 0x%llx+0x%llx",
		     (unsigned long long)emu_segment_base(rt.seg), emu_segment_size(rt.seg),
		     rt.plan.source, (unsigned long long)rt.plan.base,
		     (unsigned long long)rt.plan.size);
	}
	if (rt.zephyr_stack && !opts.cache_model) {
		rc = zshim_segment_map_at_base(rt.seg, err, sizeof(err));
		if (rc < 0) {
			fail("%s", err);
		}
	}
	zshim_isr_set_exclusive(); /* one core in this process: a single CPU */
	rc = emu_core_start(rt.seg, rt.role, &rt.core);
	if (rc < 0) {
		fail("cannot start the %s core: %s", emu_role_name(rt.role), strerror(-rc));
	}
	emu_core_set_busy_poll(rt.core, (uint32_t)env_ulong("IPC_EMU_BUSY_POLL", 0, 1000000));
	if (rt.zephyr_stack) {
		/* The MBOX and IPM devices only: the IPC nodes are the program's. */
		struct emu_dt_plan *bare = malloc(sizeof(*bare));

		if (bare == NULL) {
			fail("out of memory");
		}
		*bare = rt.plan;
		bare->n_inst = 0;
		rc = emu_board_create(bare, rt.seg, rt.core, &opts, &rt.board, err, sizeof(err));
		free(bare);
	} else {
		rc = emu_board_create(&rt.plan, rt.seg, rt.core, &opts, &rt.board, err,
				      sizeof(err));
	}
	if (rc < 0) {
		fail("%s", err[0] != '\0' ? err : strerror(-rc));
	}
	if (rt.zephyr_stack && opts.cache_model) {
		/* The cached view at the devicetree address (zephyr_stack.h). */
		rc = zshim_segment_map_cached(rt.seg, emu_board_cache(rt.board), &rt.plan, err,
					      sizeof(err));
		if (rc < 0) {
			fail("%s", err);
		}
	}
	/* Which ICBMsg each ICBMsg instance of ipc-emu's core runs (the
	 * option, the property, else v2: emu_board_icbmsg_version()). */
	char icb[8 * (32 + 24)] = "";

	for (unsigned i = 0; !rt.zephyr_stack && i < rt.plan.n_inst && i < EMU_DT_MAX_INST; i++) {
		const struct emu_dt_inst *in = &rt.plan.inst[i];
		size_t n = strlen(icb);

		if (in->backend == EMU_BACKEND_ICBMSG) {
			snprintf(icb + n, sizeof(icb) - n, ", ICBMsg %.32s %s", in->label,
				 emu_board_icbmsg_version(in, &opts) == EMU_ICBMSG_V2 ? "v2"
										 : "classic");
		}
	}
	port_log(PORT_LOG_INF, "attached as %s: %s, segment %s (%s doorbells)%s%s%s%s",
		 emu_role_name(rt.role), rt.plan.source, emu_segment_name(rt.seg),
		 emu_segment_doorbell(rt.seg) == EMU_DOORBELL_EVENTFD ? "eventfd" : "futex",
		 opts.cache_model ? ", cache model" : "", opts.icmsg_rx_in_isr ? ", RX in ISR" : "",
		 rt.zephyr_stack ? ", Zephyr's IPC stack" : "", icb);
	atexit(at_exit);
}

/* A program started by `ipc-emu run` (IPC_EMU_ROLE set) is one core from its
 * first instruction: its interrupt handlers (k_timer expiries included) are
 * masked by irq_lock()/k_spin_lock() before it attaches, which is lazy.
 * Priority 101: before the init levels and any timer a SYS_INIT function
 * starts.  Processes that run two cores (Criterion rigs) have no
 * IPC_EMU_ROLE and keep the handlers unmasked by each other. */
__attribute__((constructor(101))) static void exclusive_from_start(void)
{
	if (getenv("IPC_EMU_ROLE") != NULL || getenv("IPC_EMU_CORE") != NULL) {
		zshim_isr_set_exclusive();
	}
}

static void ensure_init(void)
{
	pthread_once(&rt.once, init);
}

/* From the boot of the init list (emu/zephyr_init.c), before main(). */
void zshim_rt_attach(bool zephyr_stack)
{
	if (zephyr_stack) {
		rt.zephyr_stack = true; /* before init(): the once below publishes it */
	}
	ensure_init();
}

/* Zephyr spells node names in DT_PATH with '_' for every character that is
 * not a letter or a digit, in lower case; the generated devicetree's
 * references (zephyr/device.h) give the exact path of a node without label. */
static bool path_matches(const char *node, const char *want)
{
	if (strcmp(node, want) == 0) {
		return true;
	}
	for (; *node != '\0' && *want != '\0'; node++, want++) {
		char c = *node;

		if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/')) {
			c = '_';
		}
		if (c != *want) {
			return false;
		}
	}
	return *node == *want;
}

/* The label the board knows a node by: `id` itself, or the label of the
 * node whose path is `id`. */
static const char *label_of(const char *id)
{
	const struct emu_dt_plan *p = &rt.plan;

	if (id[0] != '/') {
		return id;
	}
	for (unsigned i = 0; i < p->n_inst; i++) {
		if (path_matches(p->inst[i].node, id)) {
			return p->inst[i].label;
		}
	}
	for (unsigned i = 0; i < p->n_mbox; i++) {
		if (path_matches(p->mbox[i].node, id)) {
			return p->mbox[i].label;
		}
	}
	for (unsigned i = 0; i < p->n_mbox_user; i++) {
		if (path_matches(p->mbox_user[i].node, id)) {
			return p->mbox_user[i].label;
		}
	}
	for (unsigned i = 0; i < p->n_ipm; i++) {
		if (path_matches(p->ipm[i].node, id)) {
			return p->ipm[i].label;
		}
	}
	return NULL;
}

/* A device of the board; on a core of a multi-core run, an MBOX controller's
 * mux, or a device of any link's board. */
static const struct device *board_device(const char *label)
{
	const struct device *d;

	for (unsigned i = 0; rt.soc != NULL && i < n_mux; i++) {
		if (strcmp(muxes[i].label, label) == 0) {
			return &muxes[i].dev;
		}
	}
	d = emu_board_device(rt.board, label);

	for (unsigned i = 1; d == NULL && i < rt.n_link; i++) {
		d = emu_board_device(rt.link[i].board, label);
	}
	return d;
}

static bool is_ref(const struct device *dev)
{
	return dev != NULL && dev->config == &emu_zephyr_ref_tag;
}

static const char *how(const char *id)
{
	return id[0] == '/' ? "DT_PATH" : "DT_NODELABEL";
}

struct mbox_dt_spec emu_zephyr_mbox_resolve(const struct device *dev,
					    mbox_channel_id_t channel_id)
{
	struct mbox_dt_spec s = {.dev = dev, .channel_id = channel_id};
	const char *label;
	int rc;

	if (!is_ref(dev)) {
		return s;
	}
	ensure_init();
	label = label_of(dev->name);
	if (dev->data == NULL) {
		s.dev = label != NULL ? board_device(label) : NULL;
		if (s.dev == NULL) {
			fail("DEVICE_DT_GET(%s(%s)): %s has no such device", how(dev->name),
			     dev->name, rt.plan.source);
		}
		return s;
	}
	rc = label != NULL ? emu_board_mbox_dt_spec(rt.board, label, (const char *)dev->data, &s)
			   : -ENOENT;
	if (rc < 0) {
		fail("MBOX_DT_SPEC_GET(%s(%s), %s): %s has no MBOX consumer with that "
		     "mbox-names entry",
		     how(dev->name), dev->name, (const char *)dev->data, rt.plan.source);
	}
	return s;
}

int emu_zephyr_mbox_send(const struct device *dev, mbox_channel_id_t channel_id,
			 const struct mbox_msg *msg)
{
	struct mbox_dt_spec s = emu_zephyr_mbox_resolve(dev, channel_id);
	int rc;

	port_crash_point("zephyr_mbox_send_before");
	rc = (mbox_send)(s.dev, s.channel_id, msg); /* ipc_emu/mbox.h's, not the macro */
	port_crash_point("zephyr_mbox_send_after");
	return rc;
}

const struct device *emu_zephyr_dev(const struct device *dev)
{
	if (!is_ref(dev)) {
		return dev;
	}
	return emu_zephyr_mbox_resolve(dev, 0).dev;
}

const struct device *emu_zephyr_device_get_binding(const char *name)
{
	const char *label;

	if (name == NULL) {
		return NULL;
	}
	ensure_init();
	label = label_of(name);
	return label != NULL ? board_device(label) : NULL;
}
