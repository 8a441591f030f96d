/*
 * inspect.c - `ipc-emu inspect`: decode a live segment or a RAM dump.
 *
 * The memory image (a copy of <name>-mem, or a dump file covering the same
 * address range: offset = target address - base) is decoded with the
 * devicetree plan: per instance and region the pbuf indices, handshake word
 * and pending packets; for ICMsg the bonding magic or the session words;
 * for ICBMsg the region layout, the control messages, the blocks they name
 * and the endpoints visible in memory.  A live segment also shows the
 * control block: mailbox pending bits and peer status.
 *
 * The decoding (emu/inspect.c) trusts nothing in the image.  A region that
 * does not add up is shown with what is wrong, the first problem is printed
 * on stderr as one line and the exit status is 2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../emu/soc.h"
#include "ipc_emu/icmsg.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/topology.h"
#include "../emu/inspect.h"

#define MAX_PROBLEMS 32
#define DUMP_MAX (256u << 20) /* largest dump read (bytes) */
#define LIVE_TRIES 5          /* snapshots of a live image until one is consistent */

void cli_help_inspect(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu inspect [options] NAME\n"
		"       ipc-emu inspect [options] --pid PID\n"
		"       ipc-emu inspect [options] --dump FILE [--base ADDR]\n"
		"       ipc-emu inspect --dts A,B,C[,...] | --core NAME=FILE ... [options]\n"
		"                       (--dump FILE [--base ADDR] | --pid PID | NAME)\n"
		"\n"
		"Decode the shared memory of a link: a live segment NAME (made by 'ipc-emu peer\n"
		"--segment NAME', or a running 'ipc-emu run', whose segment ipc-emu-<pid>-<n>\n"
		"has no name in /dev/shm any more but is found through the processes that\n"
		"hold it open), the segment held open by process PID (a supervisor, a peer or\n"
		"a user program), or FILE, a raw RAM dump of the IPC regions' address range\n"
		"taken from hardware or copied from /dev/shm/NAME-mem (byte 0 of the file is\n"
		"address ADDR, by default the lowest region address of the devicetree).  The\n"
		"devicetree says where everything is: pass the one(s) the link was built\n"
		"with.  Nothing is written; a live segment keeps running.\n"
		"\n"
		"What is shown, per instance (as seen from the host's devicetree):\n"
		"  every ring    rd_idx, wr_idx (byte offsets into the ring's data), the\n"
		"                handshake word if the mode has one, bytes pending and each\n"
		"                pending packet: offset, length, first bytes in hex\n"
		"  ICMsg         unbound disable: whether the 13-byte bonding magic\n"
		"                (\"Em1l1K0rn3li4\") is at data[0] and whether it was read;\n"
		"                enable/detect: both session words decoded (bits 0-15 the\n"
		"                writer's session id request, bits 16-31 its ack of the\n"
		"                peer's id) and what they mean (bonded, waiting, closed)\n"
		"  ICBMsg        each region's layout (control ring, block size and count),\n"
		"                the pending control messages (DATA, RELEASE_DATA, BOUND,\n"
		"                RELEASE_BOUND: endpoint address, block), the block map and\n"
		"                the endpoint names visible in memory\n"
		"  mailbox       live segments: the pending channel bits of each core (named\n"
		"                after the instance or consumer using the channel), data-mode\n"
		"                MBOX and IPM registers that hold an unread message, and each\n"
		"                core's pid, boot count and heartbeat age\n"
		"The block map can only show what memory shows: a block named by a pending\n"
		"MSG_DATA/MSG_BOUND is in flight, one named by a pending RELEASE is being\n"
		"given back; any other block is free or held by the receiver - only the\n"
		"sender's private bitmap knows which.\n"
		"\n"
		"options:\n"
		"  NAME, --segment NAME   a live segment (/dev/shm/NAME-mem and NAME-ctl, or\n"
		"                         the unlinked objects of a running 'ipc-emu run')\n"
		"  --pid PID              the segment process PID holds open\n"
		"  --dump FILE            a RAM dump instead\n"
		"  --base ADDR            target address of the dump's first byte (default: the\n"
		"                         lowest IPC region address of the devicetree)\n"
		"  --dts FILE[,FILE]      the host's devicetree, or host,remote (checked as a\n"
		"                         pair); default: the built-in board\n"
		"  --unbound MODE         disable|enable|detect for every ICMsg instance, as\n"
		"                         'run --unbound' (default: the devicetree value)\n"
		"  --icbmsg-version V     classic|v2: how to read ICBMsg instances (default: the\n"
		"                         ipc-emu,icbmsg-version property, else what the live\n"
		"                         peers' built-in boards run (they say so in the control\n"
		"                         block), else v2, or classic when the memory reads\n"
		"                         consistently only as classic, or its v2 queue counts\n"
		"                         make no sense)\n"
		"  --max-active-count S   ICBMsg v2's queue slots (default: the live boards', else\n"
		"                         16)\n"
		"  --instance LABEL       only this instance (default: all); with a topology: the\n"
		"                         link of that name or (host's) label\n"
		"  --packets N            pending packets listed per ring (default: 16, max 64)\n"
		"  --bytes N              bytes of hex per packet or block (default: 16, max 64)\n"
		"                         (text only: --json lists up to 64 packets of 64 bytes)\n"
		"  --json, --json -       print JSON instead of text (stdout holds the JSON only;\n"
		"                         problems also go to stderr)\n"
		"  --help                 this text\n"
		"\n"
		"more than two cores (docs/multicore.md):\n"
		"  --dts A,B,C[,...]      3..8 devicetrees, one per core (named after the file\n"
		"                         without its extension), or\n"
		"  --core NAME=FILE       2..8 times: the topology's links (instance pairs) are\n"
		"                         found as 'ipc-emu run' finds them.  A summary per core\n"
		"                         comes first, then every link, decoded as above with\n"
		"                         its plan as seen from its host core (the first listed):\n"
		"                         from a dump of the SoC's IPC memory (default --base:\n"
		"                         its lowest region; a dump that misses a link's regions\n"
		"                         is refused with one line naming the link), or live:\n"
		"                         every segment that --pid PID holds open (a multi-core\n"
		"                         run's supervisor: all links; a core: its links) or\n"
		"                         NAME, each matched to its link by its memory range;\n"
		"                         the mailbox lines name the cores.  --json: \"cores\"\n"
		"                         and \"links\" (each with its \"instance\" object)\n"
		"\n"
		"examples:\n"
		"  ipc-emu peer --role host --segment demo &      # a host waiting for its peer\n"
		"  ipc-emu inspect demo\n"
		"  ipc-emu inspect demo --unbound enable --json\n"
		"  ipc-emu run --messages 1000000 & ipc-emu inspect --pid $!\n"
		"  cp /dev/shm/demo-mem ram.bin; ipc-emu inspect --dump ram.bin\n"
		"  ipc-emu inspect --dump ram.bin --dts app.dts,net.dts --instance ipc0\n"
		"  ipc-emu run --dts app.dts,rad.dts,ppr.dts & ipc-emu inspect --dts \\\n"
		"      app.dts,rad.dts,ppr.dts --pid $!\n"
		"\n"
		"exit status: 0 decoded and consistent, 2 usage error, unreadable or corrupt\n"
		"image (one line on stderr names the instance, region and problem; the\n"
		"decoded state is still printed).\n");
}

struct insp {
	const char *segment, *dump, *instance;
	long pid;                /* --pid: a process holding the segment open */
	char found_name[128];    /* the segment's name, when found through /proc */
	const char *dts[2];
	unsigned n_dts;
	char dts_buf[2][4096];
	uint64_t base;
	bool base_set, json;
	int unbound;
	uint32_t icbmsg_version, max_active; /* --icbmsg-version, --max-active-count */
	unsigned packets, bytes;
	struct emu_dt_plan host, remote;
	struct emu_insp_image im;
	uint8_t *copy;           /* the image's bytes, inside copy_raw */
	void *copy_raw;
	struct emu_segment *seg;
	const struct emu_insp_ctl *ctl; /* a live segment's control block, else NULL */
	unsigned n_problems;
	char problems[MAX_PROBLEMS][320];
	FILE *out;
	/* Topology mode (--dts with 3+ files, or --core NAME=FILE): every link
	 * of a multi-core SoC, each decoded as a two-core link with its plans. */
	bool topo_mode;
	unsigned n_spec;
	struct emu_topo_core_spec spec[EMU_TOPO_MAX_CORES];
	char spec_buf[EMU_TOPO_MAX_CORES][4096];
	struct emu_topo *topo;
	const char *prefix;        /* of every problem: "LINK: " in topology mode */
	const char *core_name[2];  /* topology: the link's host and remote cores */
};

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ipc-emu: inspect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'ipc-emu inspect --help')\n", stderr);
	return -1;
}

static void add_problem(struct insp *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_problem(struct insp *x, const char *fmt, ...)
{
	va_list ap;

	if (x->n_problems >= MAX_PROBLEMS) {
		return;
	}
	{
		char *dst = x->problems[x->n_problems++];
		int n = snprintf(dst, sizeof(x->problems[0]), "%s", x->prefix ? x->prefix : "");

		va_start(ap, fmt);
		vsnprintf(dst + n, sizeof(x->problems[0]) - (size_t)n, fmt, ap);
		va_end(ap);
	}
}

static int parse(struct insp *x, int argc, char **argv, int first)
{
	x->packets = 16;
	x->bytes = 16;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		uint64_t n;

#define VALUE()                                                                       \
	do {                                                                          \
		if (i + 1 >= argc) {                                                  \
			return usage("%s needs a value", a);                          \
		}                                                                     \
		v = argv[++i];                                                        \
	} while (0)
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_help_inspect(stdout);
			return 1;
		} else if (strcmp(a, "--json") == 0 || strcmp(a, "--json=-") == 0) {
			/* JSON on stdout; "--json -" says so as run, stress and bench do. */
			x->json = true;
			if (strcmp(a, "--json") == 0 && i + 1 < argc && strcmp(argv[i + 1], "-") == 0) {
				i++;
			}
		} else if (strcmp(a, "--segment") == 0) {
			VALUE();
			x->segment = v;
		} else if (strcmp(a, "--pid") == 0) {
			VALUE();
			if (!cli_parse_u64(v, INT_MAX, &n) || n == 0) {
				return usage("--pid wants a process id, not '%s'", v);
			}
			x->pid = (long)n;
		} else if (strcmp(a, "--dump") == 0) {
			VALUE();
			x->dump = v;
		} else if (strcmp(a, "--instance") == 0) {
			VALUE();
			x->instance = v;
		} else if (strcmp(a, "--base") == 0) {
			VALUE();
			if (!cli_parse_u64(v, UINT64_MAX, &x->base)) {
				return usage("--base wants an address, not '%s'", v);
			}
			x->base_set = true;
		} else if (strcmp(a, "--packets") == 0 || strcmp(a, "--bytes") == 0) {
			VALUE();
			if (!cli_parse_u64(v, 64, &n)) {
				return usage("%s wants 0..64, not '%s'", a, v);
			}
			*(a[2] == 'p' ? &x->packets : &x->bytes) = (unsigned)n;
		} else if (strcmp(a, "--icbmsg-version") == 0) {
			VALUE();
			if (strcmp(v, "classic") == 0) {
				x->icbmsg_version = EMU_ICBMSG_CLASSIC;
			} else if (strcmp(v, "v2") == 0) {
				x->icbmsg_version = EMU_ICBMSG_V2;
			} else {
				return usage("--icbmsg-version wants classic or v2, not '%s'", v);
			}
		} else if (strcmp(a, "--max-active-count") == 0) {
			VALUE();
			if (!cli_parse_u64(v, ICBMSG_V2_MAX_ACTIVE_COUNT_MAX, &n) ||
			    n < ICBMSG_V2_MAX_ACTIVE_COUNT_MIN) {
				return usage("--max-active-count wants %d..%d, not '%s'",
					     ICBMSG_V2_MAX_ACTIVE_COUNT_MIN,
					     ICBMSG_V2_MAX_ACTIVE_COUNT_MAX, v);
			}
			x->max_active = (uint32_t)n;
		} else if (strcmp(a, "--unbound") == 0) {
			VALUE();
			if (strcmp(v, "disable") == 0) {
				x->unbound = EMU_UNBOUND_DISABLE;
			} else if (strcmp(v, "enable") == 0) {
				x->unbound = EMU_UNBOUND_ENABLE;
			} else if (strcmp(v, "detect") == 0) {
				x->unbound = EMU_UNBOUND_DETECT;
			} else {
				return usage("--unbound wants disable, enable or detect, not '%s'", v);
			}
		} else if (strcmp(a, "--dts") == 0) {
			const char *comma;

			VALUE();
			comma = strchr(v, ',');
			if (comma == NULL) {
				snprintf(x->dts_buf[0], sizeof(x->dts_buf[0]), "%s", v);
				x->n_dts = 1;
			} else if (strchr(comma + 1, ',') == NULL && comma != v && comma[1] != '\0') {
				snprintf(x->dts_buf[0], sizeof(x->dts_buf[0]), "%.*s", (int)(comma - v), v);
				snprintf(x->dts_buf[1], sizeof(x->dts_buf[1]), "%s", comma + 1);
				x->n_dts = 2;
			} else if (comma != v && strstr(v, ",,") == NULL && v[strlen(v) - 1] != ',') {
				x->topo_mode = true; /* one devicetree per core */
			} else {
				return usage("--dts wants FILE, HOSTFILE,REMOTEFILE or one FILE per core, "
					     "not '%s'", v);
			}
			x->dts[0] = x->dts_buf[0];
			x->dts[1] = x->dts_buf[1];
			/* Also the cores of a topology, should --core or more files
			 * make this one. */
			for (const char *p = v; *p != '\0';) {
				size_t len = strcspn(p, ",");

				if (x->n_spec >= EMU_TOPO_MAX_CORES) {
					return usage("more than %d cores", EMU_TOPO_MAX_CORES);
				}
				if (len >= sizeof(x->spec_buf[0])) {
					return usage("--dts: a file name of %zu bytes", len);
				}
				snprintf(x->spec_buf[x->n_spec], sizeof(x->spec_buf[0]), "%.*s", (int)len, p);
				x->spec[x->n_spec].name = NULL;
				x->spec[x->n_spec].path = x->spec_buf[x->n_spec];
				x->n_spec++;
				p += len + (p[len] == ',');
			}
		} else if (strcmp(a, "--core") == 0) {
			bool full;
			int split;

			VALUE();
			full = x->n_spec >= EMU_TOPO_MAX_CORES;
			split = cli_core_spec_split(v, full ? NULL : x->spec_buf[x->n_spec],
						    sizeof(x->spec_buf[0]),
						    full ? NULL : &x->spec[x->n_spec], NULL);
			if (split == -1) {
				return usage("--core wants NAME=FILE, not '%s'", v);
			}
			if (full) {
				return usage("more than %d cores", EMU_TOPO_MAX_CORES);
			}
			if (split != 0) {
				return usage("--core: a value of %zu bytes", strlen(v));
			}
			x->n_spec++;
			x->topo_mode = true;
		} else if (a[0] == '-') {
			return usage("unknown option '%s'", a);
		} else if (x->segment == NULL) {
			x->segment = a;
		} else {
			return usage("one segment only ('%s' and '%s')", x->segment, a);
		}
#undef VALUE
	}
	if ((x->segment != NULL) + (x->dump != NULL) + (x->pid != 0) != 1) {
		return usage(x->segment || x->dump || x->pid
				     ? "one of a segment NAME, --pid PID or --dump FILE, not several"
				     : "a segment NAME, --pid PID or --dump FILE is needed");
	}
	if (x->base_set && x->dump == NULL) {
		return usage("--base applies to --dump only (a segment knows its base)");
	}
	return 0;
}

static int load_plans(struct insp *x)
{
	char err[512] = "";
	int rc;

	if (x->n_dts == 0) {
		rc = emu_dt_load_string(emu_dt_default_board(EMU_ROLE_HOST), "<default board: host>",
					&x->host, err, sizeof(err));
		if (rc == 0) {
			rc = emu_dt_load_string(emu_dt_default_board(EMU_ROLE_REMOTE),
						"<default board: remote>", &x->remote, err,
						sizeof(err));
		}
	} else {
		rc = emu_dt_load_file(x->dts[0], &x->host, err, sizeof(err));
		if (rc == 0 && x->n_dts == 2) {
			rc = emu_dt_load_file(x->dts[1], &x->remote, err, sizeof(err));
			if (rc == 0) {
				rc = emu_dt_check_pair(&x->host, &x->remote, err, sizeof(err));
			}
		} else if (rc == 0) {
			emu_dt_mirror(&x->host, &x->remote);
		}
		if (rc == -ENOENT && err[0] == '\0') {
			snprintf(err, sizeof(err), "%s: no such file", x->dts[x->n_dts - 1]);
		}
	}
	if (rc < 0) {
		cli_err("inspect: %s", err[0] ? err : strerror(-rc));
		return EXIT_USAGE;
	}
	if (x->host.n_inst == 0) {
		cli_err("inspect: %s: no ICMsg or ICBMsg instance: nothing in memory to decode",
			x->host.source);
		return EXIT_USAGE;
	}
	if (x->instance != NULL && emu_dt_find(&x->host, x->instance) == NULL) {
		cli_err("inspect: %s: no IPC instance labelled '%s'", x->host.source, x->instance);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * A buffer for the image of target addresses [base, base+len): its bytes lie
 * at host addresses congruent to the target's modulo 4 KiB, so the layout
 * checks (rd_idx on a dcache line) see the target's alignment, not malloc's.
 * Free *raw.
 */
static uint8_t *image_alloc(uint64_t base, uint64_t len, void **raw)
{
	uint8_t *p = malloc((size_t)len + 4096u + 1u);

	*raw = p;
	return p == NULL ? NULL : p + ((base - (uintptr_t)p) & 4095u);
}

/* Read the dump; `cover`: it must cover the host plan's regions. */
static int load_dump(struct insp *x, bool cover)
{
	int fd = open(x->dump, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint64_t need_end;
	size_t got = 0;

	if (fd < 0) {
		cli_err("inspect: %s: %s", x->dump, strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cli_err("inspect: %s: not a regular file", x->dump);
		close(fd);
		return EXIT_USAGE;
	}
	if (!x->base_set) {
		x->base = x->host.base;
	}
	need_end = x->host.base + x->host.size;
	if (cover && (x->base > x->host.base || (uint64_t)st.st_size < need_end - x->base)) {
		cli_err("inspect: %s: corrupt or wrong dump: %lld bytes from 0x%" PRIx64
			" do not cover the IPC regions 0x%" PRIx64 "..0x%" PRIx64 " of %s",
			x->dump, (long long)st.st_size, x->base, x->host.base, need_end,
			x->host.source);
		close(fd);
		return EXIT_USAGE;
	}
	if ((uint64_t)st.st_size > DUMP_MAX) {
		cli_err("inspect: %s: %lld bytes: larger than the %u MiB a dump may have", x->dump,
			(long long)st.st_size, DUMP_MAX >> 20);
		close(fd);
		return EXIT_USAGE;
	}
	x->copy = image_alloc(x->base, (uint64_t)st.st_size, &x->copy_raw);
	if (x->copy == NULL) {
		close(fd);
		cli_err("inspect: out of memory");
		return EXIT_INVARIANT;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, x->copy + got, (size_t)st.st_size - got);

		if (n <= 0) {
			cli_err("inspect: %s: %s", x->dump, n < 0 ? strerror(errno) : "file shrank");
			close(fd);
			return EXIT_USAGE;
		}
		got += (size_t)n;
	}
	close(fd);
	x->im = (struct emu_insp_image){.img = x->copy, .base = x->base, .len = got};
	return 0;
}

/*
 * `ipc-emu run` unlinks its segment at once; its processes still hold the
 * two objects open ("/dev/shm/NAME-mem (deleted)").  Find the descriptors
 * of `pid` (or, pid 0, of any process) whose names match `name` (NULL: any
 * ipc-emu segment) and attach through /proc/PID/fd.  0 or -ENOENT.
 */
static int attach_proc(struct insp *x, long pid, const char *name)
{
	char dir[64], path[PATH_MAX], link[PATH_MAX];
	DIR *pd = NULL, *d;
	struct dirent *pe = NULL, *e;
	int rc = -ENOENT;

	if (pid == 0 && (pd = opendir("/proc")) == NULL) {
		return -ENOENT;
	}
	for (;;) {
		long p = pid;
		char mem[PATH_MAX] = "", ctl[PATH_MAX] = "", seg[128] = "";

		if (pd != NULL) {
			if ((pe = readdir(pd)) == NULL) {
				break;
			}
			if (pe->d_name[0] < '1' || pe->d_name[0] > '9') {
				continue;
			}
			p = strtol(pe->d_name, NULL, 10);
		}
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", p);
		d = opendir(dir);
		while (d != NULL && (e = readdir(d)) != NULL) {
			ssize_t n;
			const char *base;
			size_t len;

			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0) {
				continue;
			}
			link[n] = '\0';
			if (strncmp(link, "/dev/shm/", 9) != 0) {
				continue;
			}
			base = link + 9;
			len = strcspn(base, " ");
			/* NAME-mem / NAME-ctl, NAME of our segments' form or the one asked. */
			if (len < 5 || len - 4 >= sizeof(seg) ||
			    (strncmp(base + len - 4, "-mem", 4) != 0 &&
			     strncmp(base + len - 4, "-ctl", 4) != 0)) {
				continue;
			}
			if (name != NULL && (strlen(name) != len - 4 || strncmp(base, name, len - 4) != 0)) {
				continue;
			}
			if (seg[0] != '\0' && (strlen(seg) != len - 4 || strncmp(seg, base, len - 4) != 0)) {
				continue; /* a second segment of the same process: keep the first */
			}
			snprintf(seg, sizeof(seg), "%.*s", (int)(len - 4), base);
			snprintf(base[len - 3] == 'm' ? mem : ctl, PATH_MAX, "%s", path);
		}
		if (d != NULL) {
			closedir(d);
		}
		if (mem[0] != '\0' && ctl[0] != '\0') {
			struct emu_segment_fds fds = {.mem = open(mem, O_RDWR | O_CLOEXEC),
						      .ctl = open(ctl, O_RDWR | O_CLOEXEC),
						      .efd = {-1, -1}};

			rc = fds.mem >= 0 && fds.ctl >= 0 ? emu_segment_attach_fds(&fds, &x->seg)
							  : -errno;
			if (fds.mem >= 0) {
				close(fds.mem);
			}
			if (fds.ctl >= 0) {
				close(fds.ctl);
			}
			if (rc == 0) {
				snprintf(x->found_name, sizeof(x->found_name), "%s", seg);
				x->pid = p;
				break;
			}
		}
		if (pd == NULL) {
			break;
		}
	}
	if (pd != NULL) {
		closedir(pd);
	}
	return rc;
}

static int attach_live(struct insp *x)
{
	int rc;
	uint64_t base, size;

	if (x->pid != 0) {
		rc = attach_proc(x, x->pid, NULL);
		if (rc < 0) {
			cli_err("inspect: process %ld holds no ipc-emu segment open (or is not "
				"yours): %s",
				x->pid, strerror(-rc));
			return EXIT_USAGE;
		}
		x->segment = x->found_name;
	} else {
		rc = emu_segment_attach(x->segment, &x->seg);
		if (rc == -ENOENT && attach_proc(x, 0, x->segment) == 0) {
			rc = 0; /* unlinked, but still open in a process of its run */
		}
	}
	if (rc < 0) {
		cli_err("inspect: cannot open segment '%s': %s", x->segment,
			rc == -ENOENT ? "it does not exist (see 'ls /dev/shm')"
			: rc == -EPROTO ? "not an ipc-emu segment of this version, or still being created"
					: strerror(-rc));
		return EXIT_USAGE;
	}
	base = emu_segment_base(x->seg);
	size = emu_segment_size(x->seg);
	if (base > x->host.base || base + size < x->host.base + x->host.size) {
		cli_err("inspect: segment '%s' covers 0x%" PRIx64 "+0x%" PRIx64
			", the devicetree %s needs 0x%" PRIx64 "+0x%" PRIx64 " (pass its --dts)",
			x->segment, base, size, x->host.source, x->host.base, x->host.size);
		return EXIT_USAGE;
	}
	x->copy = image_alloc(base, size, &x->copy_raw);
	if (x->copy == NULL) {
		cli_err("inspect: out of memory");
		return EXIT_INVARIANT;
	}
	x->im = (struct emu_insp_image){.img = x->copy, .base = base, .len = size};
	return 0;
}

/* A fresh copy of the live image: the rings are decoded from a copy, so
 * every value is read once, even while the peers run. */
static void snapshot(struct insp *x)
{
	const void *p = emu_segment_ptr(x->seg, x->im.base, x->im.len);

	if (p != NULL) {
		memcpy(x->copy, p, x->im.len);
	}
}

/* ----------------------------------------------------------- decode -- */

struct inst_view {
	const struct emu_dt_inst *in, *peer;
	int mode_host, mode_remote; /* ICMsg unbound modes */
	int rc;
	char err[256];
	struct emu_insp_ring ring[2]; /* ICMsg: tx, rx */
	struct emu_insp_icbmsg *icb;
	struct emu_insp_icbmsg_v2 *v2; /* ICBMsg read as v2 */
};

static const char *mode_name(int m)
{
	return emu_unbound_name(m == EMU_UNBOUND_ENABLE || m == EMU_UNBOUND_DETECT ? (enum emu_unbound)m
										  : EMU_UNBOUND_DISABLE);
}

/* Which ICBMsg the running boards said instance `v` speaks (the host's
 * record first, then the remote's; 0: not told, e.g. a user program), and
 * their MAX_ACTIVE_COUNT. */
static uint32_t told_icbmsg_version(const struct insp *x, const struct inst_view *v,
				    uint32_t *max_active)
{
	const struct emu_dt_inst *mine[2] = {v->in, v->peer};
	const struct emu_dt_plan *plans[2] = {&x->host, &x->remote};

	for (int r = 0; r < 2 && x->ctl != NULL; r++) {
		const struct emu_insp_ctl_role *o = &x->ctl->role[r];
		unsigned i;

		if (mine[r] == NULL) {
			continue;
		}
		i = (unsigned)(mine[r] - plans[r]->inst);
		if (i >= 32 || !((o->icbmsg_v2_mask | o->icbmsg_classic_mask) >> i & 1u)) {
			continue;
		}
		/* (a record out of range, e.g. a corrupt control block: the default) */
		*max_active = o->max_active >= ICBMSG_V2_MAX_ACTIVE_COUNT_MIN &&
					      o->max_active <= ICBMSG_V2_MAX_ACTIVE_COUNT_MAX
				      ? o->max_active
				      : 0;
		return (o->icbmsg_v2_mask >> i & 1u) ? EMU_ICBMSG_V2 : EMU_ICBMSG_CLASSIC;
	}
	return 0;
}

static int decode_inst(struct insp *x, struct inst_view *v)
{
	const struct emu_dt_inst *in = v->in;
	struct emu_board_opts bo = {.icbmsg_version = x->icbmsg_version};
	uint32_t max_active = x->max_active, told_slots = 0;
	bool told = false;

	v->err[0] = '\0';
	if (in->backend == EMU_BACKEND_ICBMSG && bo.icbmsg_version == 0 &&
	    in->icbmsg_version == 0) {
		bo.icbmsg_version = told_icbmsg_version(x, v, &told_slots);
		told = bo.icbmsg_version != 0;
		if (max_active == 0) {
			max_active = told_slots;
		}
	}
	if (in->backend == EMU_BACKEND_ICBMSG && emu_board_icbmsg_version(in, &bo) == EMU_ICBMSG_V2) {
		int rc;

		if (v->v2 == NULL && (v->v2 = malloc(sizeof(*v->v2))) == NULL) {
			snprintf(v->err, sizeof(v->err), "out of memory");
			return -ENOMEM;
		}
		rc = emu_insp_icbmsg_v2(&x->im, in,
					max_active ? max_active : ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT,
					v->v2, v->err, sizeof(v->err));
		/* Neither the option, the property nor the boards chose: memory
		 * that is not consistent v2 but consistent classic ICBMsg is
		 * read as classic. */
		char v2err[sizeof(v->err)];

		memcpy(v2err, v->err, sizeof(v2err));
		if (x->icbmsg_version == 0 && in->icbmsg_version == 0 && !told &&
		    (rc < 0 || !v->v2->r[0].ok || !v->v2->r[1].ok) &&
		    (v->icb != NULL || (v->icb = malloc(sizeof(*v->icb))) != NULL) &&
		    emu_insp_icbmsg(&x->im, in, v->icb, v->err, sizeof(v->err)) == 0 &&
		    (v->icb->n_problems == 0 ||
		     (rc == 0 && (v->v2->r[0].in_flight > v->v2->r[0].slots ||
				  v->v2->r[1].in_flight > v->v2->r[1].slots)))) {
			/* (queue counts that make no sense as v2: a classic image,
			 * corrupt or not) */
			free(v->v2);
			v->v2 = NULL;
			return 0;
		}
		memcpy(v->err, v2err, sizeof(v2err));
		return rc;
	}
	if (in->backend == EMU_BACKEND_ICBMSG) {
		if (v->icb == NULL && (v->icb = malloc(sizeof(*v->icb))) == NULL) {
			snprintf(v->err, sizeof(v->err), "out of memory");
			return -ENOMEM;
		}
		return emu_insp_icbmsg(&x->im, in, v->icb, v->err, sizeof(v->err));
	}
	/* The handshake word of a region is its reader's: tx is read by the
	 * remote, rx by the host. */
	for (int r = 0; r < 2; r++) {
		const struct emu_dt_region *g = r == 0 ? &in->tx : &in->rx;
		int mode = r == 0 ? v->mode_remote : v->mode_host;
		int rc = emu_insp_ring(&x->im, g->addr, g->size, in->dcache_alignment,
				       mode != EMU_UNBOUND_DISABLE, &v->ring[r]);

		if (rc < 0) {
			snprintf(v->err, sizeof(v->err), "%s: %s: %s", in->node,
				 r == 0 ? "tx-region" : "rx-region",
				 rc == -ERANGE ? "outside the memory image"
					       : "not a valid pbuf layout for its size, "
						 "dcache-alignment and unbound mode");
			return rc;
		}
	}
	return 0;
}

static bool inst_consistent(const struct inst_view *v)
{
	if (v->rc < 0) {
		return false;
	}
	if (v->v2 != NULL) {
		return v->v2->r[0].ok && v->v2->r[1].ok;
	}
	if (v->in->backend == EMU_BACKEND_ICBMSG) {
		return v->icb->n_problems == 0;
	}
	return v->ring[0].ok && v->ring[1].ok;
}

static void collect_problems(struct insp *x, const struct inst_view *v)
{
	const char *lab = v->in->label;

	if (v->rc < 0) {
		add_problem(x, "%s", v->err);
		return;
	}
	if (v->v2 != NULL) {
		for (int r = 0; r < 2; r++) {
			if (!v->v2->r[r].ok) {
				add_problem(x, "%s: %s: %s", lab, r == 0 ? "tx-region" : "rx-region",
					    v->v2->r[r].problem);
			}
		}
		return;
	}
	if (v->in->backend == EMU_BACKEND_ICBMSG) {
		for (unsigned i = 0; i < v->icb->n_problems; i++) {
			add_problem(x, "%s: %s", lab, v->icb->problem[i]);
		}
		return;
	}
	for (int r = 0; r < 2; r++) {
		if (!v->ring[r].ok) {
			add_problem(x, "%s: %s 0x%" PRIx64 ": %s", lab, r == 0 ? "tx-region" : "rx-region",
				    v->ring[r].addr, v->ring[r].problem);
		}
	}
}

/* ------------------------------------------------------------- text -- */

static void hex(FILE *f, const uint8_t *p, uint32_t n, uint32_t max)
{
	for (uint32_t i = 0; i < n && i < max; i++) {
		fprintf(f, "%s%02x", i ? " " : "", p[i]);
	}
	if (n > max) {
		fputs(" ..", f);
	}
}

static const char *msg_name(uint8_t t)
{
	switch (t) {
	case ICBMSG_MSG_DATA:
		return "DATA";
	case ICBMSG_MSG_RELEASE_DATA:
		return "RELEASE_DATA";
	case ICBMSG_MSG_BOUND:
		return "BOUND";
	case ICBMSG_MSG_RELEASE_BOUND:
		return "RELEASE_BOUND";
	default:
		return "UNKNOWN";
	}
}

static bool is_magic(const struct emu_insp_packet *k)
{
	return k->len == ICMSG_MAGIC_LEN && memcmp(k->head, icmsg_magic, ICMSG_MAGIC_LEN) == 0;
}

static void text_ring(struct insp *x, const struct emu_insp_ring *g, bool control)
{
	FILE *f = x->out;

	fprintf(f, "    ring      at 0x%" PRIx64 ": rd_idx 0x%x  wr_idx 0x%x (at +0x%x)  data %u bytes at "
		   "+0x%x\n",
		g->addr, g->rd, g->wr, g->wr_off, g->data_len, g->data_off);
	if (!g->problem[0]) {
		fprintf(f, "              %u bytes pending in %u packet%s\n", g->occupied, g->total,
			g->total == 1 ? "" : "s");
	} else {
		fprintf(f, "    CORRUPT   %s\n", g->problem);
	}
	for (unsigned i = 0; i < g->n_packets && i < x->packets; i++) {
		const struct emu_insp_packet *k = &g->pkt[i];

		fprintf(f, "    packet    data+0x%-5x %5u bytes  ", k->offset, k->len);
		if (is_magic(k)) {
			fputs("bonding magic \"Em1l1K0rn3li4\"\n", f);
			continue;
		}
		if (control && k->len >= 3) {
			fprintf(f, "%-13s ept %u  block %u\n", msg_name(k->head[0]), k->head[1],
				k->head[2]);
			continue;
		}
		hex(f, k->head, k->len, x->bytes < k->head_len ? x->bytes : k->head_len);
		fputc('\n', f);
	}
	if (g->total > x->packets && g->total > 0) {
		fprintf(f, "    ...       %u more\n", g->total - (g->n_packets < x->packets ? g->n_packets
										 : x->packets));
	}
}

/* What two session words mean (spec 2.4). */
static const char *session_state(uint32_t host_word, uint32_t remote_word)
{
	uint16_t hs = (uint16_t)host_word, ha = (uint16_t)(host_word >> 16);
	uint16_t rs = (uint16_t)remote_word, ra = (uint16_t)(remote_word >> 16);

	if (hs == 0 && rs == 0) {
		return "neither side has opened (or both closed)";
	}
	if (hs != 0 && rs != 0 && ha == rs && ra == hs) {
		return "bonded: each side acknowledges the other's session id";
	}
	if (hs == 0) {
		return "host closed or not open; remote waits";
	}
	if (rs == 0) {
		return "remote closed or not open; host waits";
	}
	if (ha != rs && ra != hs) {
		return "handshake in progress: neither id acknowledged yet";
	}
	return ha != rs ? "handshake in progress: host has not acknowledged the remote's id"
			: "handshake in progress: remote has not acknowledged the host's id";
}

static void text_icmsg(struct insp *x, const struct inst_view *v)
{
	FILE *f = x->out;
	const struct emu_dt_inst *in = v->in;
	bool hs = v->mode_host != EMU_UNBOUND_DISABLE || v->mode_remote != EMU_UNBOUND_DISABLE;

	for (int r = 0; r < 2; r++) {
		const struct emu_dt_region *g = r == 0 ? &in->tx : &in->rx;
		const struct emu_insp_ring *ring = &v->ring[r];

		fprintf(f, "  %s 0x%" PRIx64 "+0x%" PRIx64 "  %s\n", r == 0 ? "tx-region" : "rx-region",
			g->addr, g->size, r == 0 ? "host -> remote" : "remote -> host");
		text_ring(x, ring, false);
		if (ring->has_handshake) {
			fprintf(f, "    handshake 0x%08x  written by the %s: sid 0x%04x, acks 0x%04x\n",
				ring->handshake, r == 0 ? "remote" : "host",
				ring->handshake & 0xffffu, ring->handshake >> 16);
		}
		if (ring->magic_at_0) {
			bool pending = ring->n_packets > 0 && ring->pkt[0].offset == 0 &&
				       is_magic(&ring->pkt[0]);

			fprintf(f, "    magic     bonding magic at data[0]: %s\n",
				pending ? "pending (not read by the peer yet)"
					: "already read (or stale)");
		}
	}
	if (hs && v->ring[0].has_handshake && v->ring[1].has_handshake) {
		fprintf(f, "  session   %s\n", session_state(v->ring[1].handshake, v->ring[0].handshake));
	} else if (!hs) {
		const char *what[2];

		for (int r = 0; r < 2; r++) {
			const struct emu_insp_ring *g = &v->ring[r];

			what[r] = g->magic_at_0			 ? "wrote its magic"
				  : g->rd == 0 && g->wr == 0 ? "has not written its magic"
							     : "magic overwritten by later packets";
		}
		fprintf(f, "  bonding   legacy (magic): host %s, remote %s\n", what[0], what[1]);
	}
}

static const char *block_state_name(uint8_t s)
{
	switch (s) {
	case EMU_INSP_BLOCK_DATA:
		return "in flight (MSG_DATA pending)";
	case EMU_INSP_BLOCK_BOUND:
		return "in flight (MSG_BOUND pending)";
	case EMU_INSP_BLOCK_RELEASING:
		return "being released (RELEASE pending)";
	case EMU_INSP_BLOCK_CONT:
		return "in flight (continuation)";
	default:
		return "free or held";
	}
}

static void text_icbmsg_v2(struct insp *x, const struct inst_view *v)
{
	FILE *f = x->out;

	for (int r = 0; r < 2; r++) {
		const struct emu_insp_v2_region *g = &v->v2->r[r];

		fprintf(f, "  %s (%s)  v2: queues at 0x%" PRIx64 " (2 x %u bytes, %u slots), "
			   "%u blocks of %u bytes from +0x%x\n",
			r == 0 ? "tx-region" : "rx-region", r == 0 ? "host->remote" : "remote->host",
			g->addr, g->queue_size, g->slots, g->block_count, g->block_size,
			g->blocks_offset);
		fprintf(f, "    producer count %u (high priority %u)  consumer count %u  in flight %u\n",
			g->prod_count, g->prod_hi, g->cons_count, g->in_flight);
		if (!g->ok) {
			fprintf(f, "    CORRUPT   %s\n", g->problem);
		}
		for (unsigned k = 0; k < g->n_msgs; k++) {
			const struct emu_insp_v2_msg *m = &g->msg[k];

			fprintf(f, "    entry %u: slot 0x%02x (block %u%s) size %u ept 0x%02x: %s",
				m->entry, m->slot, m->slot & ICBMSG_V2_SLOT_INDEX_MASK,
				(m->slot & ICBMSG_V2_SLOT_HI_PRIO) ? ", prio 1" : "", m->size, m->ept,
				m->what);
			for (uint32_t b = 0; m->ok && b < m->head_len && b < x->bytes; b++) {
				fprintf(f, "%s%02x", b == 0 ? "  " : " ", m->head[b]);
			}
			fputc('\n', f);
		}
	}
}

static void text_icbmsg(struct insp *x, const struct inst_view *v)
{
	FILE *f = x->out;
	const struct emu_dt_inst *in = v->in;
	const struct emu_insp_icbmsg *o = v->icb;

	fprintf(f, "  roles     %s initiates endpoint binding (its rx blocks lie lower)\n",
		o->initiator ? "host" : "remote");
	for (int r = 0; r < 2; r++) {
		const struct emu_dt_region *g = r == 0 ? &in->tx : &in->rx;
		const struct emu_insp_icb_region *b = &o->r[r];
		unsigned refd = 0;

		fprintf(f, "  %s 0x%" PRIx64 "+0x%" PRIx64 "  %s\n", r == 0 ? "tx-region" : "rx-region",
			g->addr, g->size, r == 0 ? "host -> remote" : "remote -> host");
		fprintf(f, "    layout    control ring %u bytes at +0x%x; %u blocks of %u bytes at "
			   "0x%" PRIx64 "\n",
			b->icmsg_size, b->icmsg_offset, b->block_count, b->block_size, b->blocks_addr);
		text_ring(x, &b->ring, true);
		fputs("    blocks    ", f);
		for (uint32_t k = 0; k < b->block_count; k++) {
			static const char sym[] = ".DBRc";
			uint8_t st = b->block[k].state;

			fputc(sym[st < 5 ? st : 0], f);
			refd += st != EMU_INSP_BLOCK_UNREFERENCED;
		}
		fprintf(f, "   (D data, B bound, R releasing, c continuation, . free or held)\n");
		for (uint32_t k = 0; k < b->block_count; k++) {
			const struct emu_insp_block *bk = &b->block[k];
			const uint8_t *p;

			if (bk->state == EMU_INSP_BLOCK_UNREFERENCED || bk->state == EMU_INSP_BLOCK_CONT) {
				continue;
			}
			fprintf(f, "    block %-3u %s, ept %u, size %u", k, block_state_name(bk->state),
				bk->msg_ept, bk->size);
			if (bk->size_ok) {
				fprintf(f, " (%u block%s)%s", bk->span, bk->span == 1 ? "" : "s",
					bk->size ? ": " : "");
				p = x->im.img + (b->blocks_addr - x->im.base) +
				    (uint64_t)k * b->block_size + ICBMSG_BLOCK_HEADER_SIZE;
				hex(f, p, bk->size, x->bytes);
			} else {
				fputs(" (invalid)", f);
			}
			fputc('\n', f);
		}
		(void)refd;
	}
	if (o->n_ept == 0) {
		fputs("  endpoints none visible in memory (names travel in MSG_BOUND buffers)\n", f);
	}
	for (unsigned e = 0; e < o->n_ept; e++) {
		const struct emu_insp_ept *ep = &o->ept[e];

		if (ep->data_only) {
			fprintf(f, "  endpoint  addr %d  (its name is not in memory)", ep->addr);
		} else if (ep->addr >= 0) {
			fprintf(f, "  endpoint  addr %d \"%s\"  MSG_BOUND pending in %s block %u", ep->addr,
				ep->name, ep->region == 0 ? "tx-region" : "rx-region", ep->block);
		} else {
			fprintf(f, "  endpoint  \"%s\"  name left in %s block %u (a past MSG_BOUND)",
				ep->name, ep->region == 0 ? "tx-region" : "rx-region", ep->block);
		}
		if (ep->data_pending) {
			fprintf(f, ", %u MSG_DATA pending", ep->data_pending);
		}
		fputc('\n', f);
	}
	for (unsigned i = 0; i < o->n_problems; i++) {
		fprintf(f, "  CORRUPT   %s\n", o->problem[i]);
	}
}

/* Name of channel `ch` of controller `k` inbound for `role`. */
static void chan_user(const struct insp *x, unsigned k, enum emu_role role, unsigned ch,
		      char *buf, size_t len)
{
	const struct emu_dt_plan *p = &x->host;

	snprintf(buf, len, "unused");
	if (k == 0) {
		for (unsigned i = 0; i < p->n_inst; i++) {
			uint32_t in_ch = role == EMU_ROLE_HOST ? p->inst[i].mbox_rx : p->inst[i].mbox_tx;

			if (in_ch == ch) {
				snprintf(buf, len, "%s", p->inst[i].label);
				return;
			}
		}
	}
	for (unsigned u = 0; u < p->n_mbox_user; u++) {
		for (unsigned c = 0; c < p->mbox_user[u].n_chan; c++) {
			const struct emu_dt_mbox_chan *mc = &p->mbox_user[u].chan[c];
			bool inbound = role == EMU_ROLE_HOST ? !mc->tx : mc->tx;

			if (mc->mbox == k && mc->channel == ch && inbound) {
				snprintf(buf, len, "%s %s", p->mbox_user[u].label, mc->name);
				return;
			}
		}
	}
}

static const char *mbox_label(const struct insp *x, unsigned k)
{
	return k < x->host.n_mbox ? x->host.mbox[k].label : "?";
}

/* One mailbox channel with a signal pending or a data message unread. */
struct busy_chan {
	unsigned k, ch;
	bool signal, unread;
	char user[96];
};
typedef void (*busy_chan_fn)(struct insp *x, const struct busy_chan *b, void *arg);

/* Call fn for every busy channel of role r's controllers; returns how many. */
static unsigned each_busy_channel(struct insp *x, const struct emu_insp_ctl_role *o, int r,
				  busy_chan_fn fn, void *arg)
{
	unsigned n = 0;

	for (unsigned k = 0; k < EMU_DT_MAX_MBOX && k < (x->host.n_mbox ? x->host.n_mbox : 1);
	     k++) {
		for (unsigned ch = 0; ch < EMU_MBOX_CHANNELS; ch++) {
			struct busy_chan b = {.k = k, .ch = ch,
					      .signal = (o->mbox_pending[k] >> ch) & 1u,
					      .unread = (o->slot_full[k] >> ch) & 1u};

			if (!b.signal && !b.unread) {
				continue;
			}
			chan_user(x, k, (enum emu_role)r, ch, b.user, sizeof(b.user));
			fn(x, &b, arg);
			n++;
		}
	}
	return n;
}

static uint64_t heartbeat_age_ms(const struct emu_insp_ctl *c, const struct emu_insp_ctl_role *o)
{
	return c->now_ms >= o->heartbeat_ms ? c->now_ms - o->heartbeat_ms : 0;
}

static void text_chan(struct insp *x, const struct busy_chan *b, void *arg)
{
	(void)arg;
	fprintf(x->out, "              %s channel %u (%s):%s%s\n", mbox_label(x, b->k), b->ch,
		b->user, b->signal ? " signal pending" : "", b->unread ? " message unread" : "");
}

static void json_chan(struct insp *x, const struct busy_chan *b, void *arg)
{
	bool *first = arg;
	FILE *f = x->out;

	fprintf(f, "%s{\"mbox\": ", *first ? "" : ", ");
	cli_json_str(f, mbox_label(x, b->k));
	fprintf(f, ", \"channel\": %u, \"user\": ", b->ch);
	cli_json_str(f, b->user);
	fprintf(f, ", \"signal_pending\": %s, \"message_unread\": %s}",
		b->signal ? "true" : "false", b->unread ? "true" : "false");
	*first = false;
}

static void text_mailbox(struct insp *x, const struct emu_insp_ctl *c)
{
	FILE *f = x->out;

	fputs("mailbox (control block)\n", f);
	for (int r = 0; r < 2; r++) {
		const struct emu_insp_ctl_role *o = &c->role[r];
		bool any = false;

		if (x->core_name[r] != NULL) {
			fprintf(f, "  %s (%s)  ", x->core_name[r], emu_role_name((enum emu_role)r));
		} else {
			fprintf(f, "  %-6s    ", emu_role_name((enum emu_role)r));
		}
		if (o->boot_count == 0) {
			fputs("never started", f);
		} else {
			fprintf(f, "pid %u, boot %u, heartbeat %" PRIu64 " ms ago, %s", o->pid,
				o->boot_count,
				heartbeat_age_ms(c, o),
				o->sleeping ? "sleeping" : "awake");
		}
		fprintf(f, "; pending 0x%08x\n", o->pending);
		any = each_busy_channel(x, o, r, text_chan, NULL) > 0;
		if (o->pending & (1u << 31)) {
			fputs("              kick pending (secondary controllers/IPM to service)\n", f);
			any = true;
		}
		for (unsigned k = 0; k < x->host.n_ipm && k < EMU_DT_MAX_IPM; k++) {
			if (o->ipm_full[k] != 0) {
				fprintf(f, "              %s: message unread (full 0x%x, id %u, size %u)\n",
					x->host.ipm[k].label, o->ipm_full[k], o->ipm_id[k], o->ipm_size[k]);
				any = true;
			}
		}
		if (!any) {
			fputs("              nothing pending\n", f);
		}
	}
}

/* ------------------------------------------------------------- JSON -- */

static void jhex(FILE *f, const uint8_t *p, uint32_t n, uint32_t max)
{
	fputc('"', f);
	for (uint32_t i = 0; i < n && i < max; i++) {
		fprintf(f, "%02x", p[i]);
	}
	fputc('"', f);
}

static void json_ring(struct insp *x, const struct emu_insp_ring *g, bool control)
{
	FILE *f = x->out;

	fprintf(f, "{\"addr\": %" PRIu64 ", \"size\": %u, \"rd_idx\": %u, \"wr_idx\": %u, "
		   "\"wr_offset\": %u, \"data_offset\": %u, \"data_len\": %u, ",
		g->addr, g->size, g->rd, g->wr, g->wr_off, g->data_off, g->data_len);
	if (g->has_handshake) {
		fprintf(f, "\"handshake\": {\"word\": %u, \"sid\": %u, \"ack\": %u}, ", g->handshake,
			g->handshake & 0xffffu, g->handshake >> 16);
	} else {
		fputs("\"handshake\": null, ", f);
	}
	fprintf(f, "\"ok\": %s, \"problem\": ", g->ok ? "true" : "false");
	if (g->problem[0]) {
		cli_json_str(f, g->problem);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"occupied\": %u, \"pending_total\": %u, \"magic_at_0\": %s, \"pending\": [",
		g->occupied, g->total, g->magic_at_0 ? "true" : "false");
	for (unsigned i = 0; i < g->n_packets; i++) {
		const struct emu_insp_packet *k = &g->pkt[i];

		fprintf(f, "%s\n        {\"offset\": %u, \"len\": %u, \"hex\": ", i ? "," : "", k->offset,
			k->len);
		jhex(f, k->head, k->head_len, EMU_INSP_HEAD_MAX);
		if (is_magic(k)) {
			fputs(", \"magic\": true", f);
		} else if (control && k->len >= 3) {
			fprintf(f, ", \"control\": {\"type\": \"%s\", \"ept\": %u, \"block\": %u}",
				msg_name(k->head[0]), k->head[1], k->head[2]);
		}
		fputc('}', f);
	}
	fputs("]}", f);
}

static void json_inst(struct insp *x, const struct inst_view *v)
{
	FILE *f = x->out;
	const struct emu_dt_inst *in = v->in;

	fputs("    {\"label\": ", f);
	cli_json_str(f, in->label);
	fputs(", \"node\": ", f);
	cli_json_str(f, in->node);
	fprintf(f, ", \"backend\": \"%s\", \"dcache_alignment\": %u",
		in->backend == EMU_BACKEND_ICBMSG ? "icbmsg" : "icmsg", in->dcache_alignment);
	if (v->rc < 0) {
		fputs(", \"error\": ", f);
		cli_json_str(f, v->err);
		fputs("}", f);
		return;
	}
	if (in->backend == EMU_BACKEND_ICMSG) {
		fprintf(f, ", \"unbound\": {\"host\": \"%s\", \"remote\": \"%s\"}",
			mode_name(v->mode_host), mode_name(v->mode_remote));
		if (v->ring[0].has_handshake && v->ring[1].has_handshake) {
			uint32_t hw = v->ring[1].handshake, rw = v->ring[0].handshake;

			fprintf(f, ", \"session\": {\"host_sid\": %u, \"host_ack\": %u, "
				   "\"remote_sid\": %u, \"remote_ack\": %u, \"bonded\": %s, \"state\": ",
				hw & 0xffffu, hw >> 16, rw & 0xffffu, rw >> 16,
				(hw & 0xffffu) && (rw & 0xffffu) && (hw >> 16) == (rw & 0xffffu) &&
						(rw >> 16) == (hw & 0xffffu)
					? "true"
					: "false");
			cli_json_str(f, session_state(hw, rw));
			fputs("}", f);
		} else {
			fputs(", \"session\": null", f);
		}
		fputs(",\n     \"regions\": [", f);
		for (int r = 0; r < 2; r++) {
			const struct emu_dt_region *g = r == 0 ? &in->tx : &in->rx;

			fprintf(f, "%s\n      {\"name\": \"%s\", \"direction\": \"%s\", \"addr\": %" PRIu64
				   ", \"size\": %" PRIu64 ",\n       \"ring\": ",
				r ? "," : "", r == 0 ? "tx-region" : "rx-region",
				r == 0 ? "host->remote" : "remote->host", g->addr, g->size);
			json_ring(x, &v->ring[r], false);
			fputs("}", f);
		}
		fputs("]}", f);
		return;
	}
	if (v->v2 != NULL) {
		fputs(", \"icbmsg_version\": \"v2\", \"regions\": [", f);
		for (int r = 0; r < 2; r++) {
			const struct emu_insp_v2_region *g = &v->v2->r[r];

			fprintf(f, "%s\n      {\"name\": \"%s\", \"slots\": %u, \"block_size\": %u, "
				   "\"block_count\": %u, \"producer_count\": %u, \"hi_count\": %u, "
				   "\"consumer_count\": %u, \"in_flight\": %u, \"ok\": %s, \"problem\": ",
				r ? "," : "", r == 0 ? "tx-region" : "rx-region", g->slots, g->block_size,
				g->block_count, g->prod_count, g->prod_hi, g->cons_count, g->in_flight,
				g->ok ? "true" : "false");
			cli_json_str(f, g->ok ? NULL : g->problem);
			fputs(", \"entries\": [", f);
			for (unsigned k = 0; k < g->n_msgs; k++) {
				const struct emu_insp_v2_msg *m = &g->msg[k];

				fprintf(f, "%s{\"entry\": %u, \"slot\": %u, \"prio\": %u, \"size\": %u, "
					   "\"ept\": %u, \"ok\": %s, \"what\": ",
					k ? ", " : "", m->entry, m->slot, m->slot >> 7, m->size, m->ept,
					m->ok ? "true" : "false");
				cli_json_str(f, m->what);
				fputs("}", f);
			}
			fputs("]}", f);
		}
		fputs("]}", f);
		return;
	}
	{
		const struct emu_insp_icbmsg *o = v->icb;

		fprintf(f, ", \"initiator\": \"%s\",\n     \"regions\": [", o->initiator ? "host" : "remote");
		for (int r = 0; r < 2; r++) {
			const struct emu_dt_region *g = r == 0 ? &in->tx : &in->rx;
			const struct emu_insp_icb_region *b = &o->r[r];
			bool first = true;

			fprintf(f, "%s\n      {\"name\": \"%s\", \"direction\": \"%s\", \"addr\": %" PRIu64
				   ", \"size\": %" PRIu64 ",\n       \"layout\": {\"align\": %u, "
				   "\"icmsg_offset\": %u, \"icmsg_size\": %u, \"blocks_offset\": %u, "
				   "\"blocks_addr\": %" PRIu64 ", \"block_size\": %u, \"block_count\": %u},"
				   "\n       \"ring\": ",
				r ? "," : "", r == 0 ? "tx-region" : "rx-region",
				r == 0 ? "host->remote" : "remote->host", g->addr, g->size, b->align,
				b->icmsg_offset, b->icmsg_size, b->blocks_offset, b->blocks_addr,
				b->block_size, b->block_count);
			json_ring(x, &b->ring, true);
			fputs(",\n       \"blocks\": [", f);
			for (uint32_t k = 0; k < b->block_count; k++) {
				static const char *const names[] = {"free_or_held", "data", "bound",
								    "releasing", "continuation"};
				const struct emu_insp_block *bk = &b->block[k];

				fprintf(f, "%s\"%s\"", k ? ", " : "", names[bk->state < 5 ? bk->state : 0]);
			}
			fputs("],\n       \"buffers\": [", f);
			for (uint32_t k = 0; k < b->block_count; k++) {
				const struct emu_insp_block *bk = &b->block[k];

				if (bk->state == EMU_INSP_BLOCK_UNREFERENCED ||
				    bk->state == EMU_INSP_BLOCK_CONT) {
					continue;
				}
				fprintf(f, "%s\n        {\"block\": %u, \"state\": \"%s\", \"ept\": %u, "
					   "\"size\": %u, \"size_ok\": %s, \"span\": %u, \"hex\": ",
					first ? "" : ",", k,
					bk->state == EMU_INSP_BLOCK_DATA    ? "data"
					: bk->state == EMU_INSP_BLOCK_BOUND ? "bound"
									    : "releasing",
					bk->msg_ept, bk->size, bk->size_ok ? "true" : "false", bk->span);
				if (bk->size_ok) {
					jhex(f,
					     x->im.img + (b->blocks_addr - x->im.base) +
						     (uint64_t)k * b->block_size + ICBMSG_BLOCK_HEADER_SIZE,
					     bk->size, EMU_INSP_HEAD_MAX);
				} else {
					fputs("null", f);
				}
				fputc('}', f);
				first = false;
			}
			fputs("]}", f);
		}
		fputs("],\n     \"endpoints\": [", f);
		for (unsigned e = 0; e < o->n_ept; e++) {
			const struct emu_insp_ept *ep = &o->ept[e];

			fprintf(f, "%s\n      {\"addr\": ", e ? "," : "");
			if (ep->addr >= 0) {
				fprintf(f, "%d", ep->addr);
			} else {
				fputs("null", f);
			}
			fputs(", \"name\": ", f);
			if (ep->data_only) {
				fputs("null", f);
			} else {
				cli_json_str(f, ep->name);
			}
			fprintf(f, ", \"source\": \"%s\", \"region\": \"%s\", \"block\": %u, "
				   "\"data_pending\": %u}",
				ep->pending_bound ? "pending MSG_BOUND"
				: ep->data_only	  ? "pending MSG_DATA"
						  : "stale block",
				ep->region == 0 ? "tx-region" : "rx-region", ep->block, ep->data_pending);
		}
		fputs("],\n     \"problems\": [", f);
		for (unsigned i = 0; i < o->n_problems; i++) {
			fputs(i ? ", " : "", f);
			cli_json_str(f, o->problem[i]);
		}
		fputs("]}", f);
	}
}

/* The mailbox object: {"host": {...}, "remote": {...}}. */
static void json_mailbox_obj(struct insp *x, const struct emu_insp_ctl *c)
{
	FILE *f = x->out;

	fputc('{', f);
	for (int r = 0; r < 2; r++) {
		const struct emu_insp_ctl_role *o = &c->role[r];
		bool first = true;

		fprintf(f, "%s\n    \"%s\": {", r ? "," : "", emu_role_name((enum emu_role)r));
		if (x->core_name[r] != NULL) {
			fputs("\"core\": ", f);
			cli_json_str(f, x->core_name[r]);
			fputs(", ", f);
		}
		fprintf(f, "\"pid\": %u, \"boot_count\": %u, \"sleeping\": %s, \"heartbeat_age_ms\": ",
			o->pid, o->boot_count, o->sleeping ? "true" : "false");
		if (o->boot_count) {
			fprintf(f, "%" PRIu64, heartbeat_age_ms(c, o));
		} else {
			fputs("null", f);
		}
		fprintf(f, ", \"pending\": %u, \"kick\": %s, \"channels\": [", o->pending,
			o->pending & (1u << 31) ? "true" : "false");
		(void)each_busy_channel(x, o, r, json_chan, &first);
		fputs("], \"ipm\": [", f);
		first = true;
		for (unsigned k = 0; k < x->host.n_ipm && k < EMU_DT_MAX_IPM; k++) {
			if (o->ipm_full[k] == 0) {
				continue;
			}
			fprintf(f, "%s{\"device\": ", first ? "" : ", ");
			cli_json_str(f, x->host.ipm[k].label);
			fprintf(f, ", \"full\": %u, \"id\": %u, \"size\": %u}", o->ipm_full[k],
				o->ipm_id[k], o->ipm_size[k]);
			first = false;
		}
		fputs("]}", f);
	}
	fputs("}", f);
}

static void json_mailbox(struct insp *x, const struct emu_insp_ctl *c)
{
	fputs(",\n  \"mailbox\": ", x->out);
	json_mailbox_obj(x, c);
}

/* ------------------------------------------------------------- main -- */

/* The views of the instances to show (--instance; topology mode: the
 * link's one instance, links are chosen by the caller). */
static unsigned make_views(struct insp *x, struct inst_view *views)
{
	unsigned nv = 0;

	for (unsigned i = 0; i < x->host.n_inst; i++) {
		struct inst_view *v = &views[nv];

		if (!x->topo_mode && x->instance != NULL &&
		    strcmp(x->instance, x->host.inst[i].label) != 0) {
			continue;
		}
		v->in = &x->host.inst[i];
		v->peer = emu_dt_find(&x->remote, v->in->label);
		v->mode_host = x->unbound ? x->unbound : (int)v->in->unbound;
		v->mode_remote = x->unbound ? x->unbound
				 : v->peer ? (int)v->peer->unbound : v->mode_host;
		nv++;
	}
	return nv;
}

/* Decode the views (a live image: until a snapshot is consistent) and
 * collect their problems. */
static void decode_views(struct insp *x, struct inst_view *views, unsigned nv,
			 struct emu_insp_ctl *ctl)
{
	/* A live image changes under us: take snapshots until one decodes
	 * consistently (a torn copy shows as a problem). */
	for (unsigned t = 0; t < (x->seg ? LIVE_TRIES : 1); t++) {
		bool consistent = true;

		if (x->seg) {
			snapshot(x);
			emu_insp_ctl_read(x->seg, ctl);
			x->ctl = ctl;
		}
		for (unsigned i = 0; i < nv; i++) {
			views[i].rc = decode_inst(x, &views[i]);
			consistent = consistent && inst_consistent(&views[i]);
		}
		if (consistent) {
			break;
		}
	}
	for (unsigned i = 0; i < nv; i++) {
		collect_problems(x, &views[i]);
	}
}

/* One instance as text, from its label line on. */
static void text_inst(struct insp *x, const struct inst_view *v)
{
	FILE *f = x->out;

	fprintf(f, "%s (%s)  %s  dcache-alignment %u", v->in->label, v->in->node,
		v->in->backend == EMU_BACKEND_ICBMSG ? "ICBMsg" : "ICMsg", v->in->dcache_alignment);
	if (v->in->backend == EMU_BACKEND_ICMSG) {
		if (v->mode_host == v->mode_remote) {
			fprintf(f, "  unbound %s", mode_name(v->mode_host));
		} else {
			fprintf(f, "  unbound host %s, remote %s", mode_name(v->mode_host),
				mode_name(v->mode_remote));
		}
	} else {
		fprintf(f, "  tx-blocks %u  rx-blocks %u", v->in->tx_blocks, v->in->rx_blocks);
	}
	fputc('\n', f);
	if (v->rc < 0) {
		fprintf(f, "  CORRUPT   %s\n", v->err);
	} else if (v->in->backend == EMU_BACKEND_ICMSG) {
		text_icmsg(x, v);
	} else if (v->v2 != NULL) {
		text_icbmsg_v2(x, v);
	} else {
		text_icbmsg(x, v);
	}
}

static void free_views(struct inst_view *views)
{
	for (unsigned i = 0; i < EMU_DT_MAX_INST; i++) {
		free(views[i].icb);
		free(views[i].v2);
	}
	memset(views, 0, EMU_DT_MAX_INST * sizeof(*views));
}

/* ------------------------------------------------------- topology -- */

/*
 * Topology mode: the devicetrees of every core (emu_topo_load) give the
 * links; each link is decoded exactly as a two-core link (its plans, as
 * seen from its host core), from a dump of the SoC's IPC memory or from
 * the live segment of the link (one per link, found by its memory range).
 */
#define TOPO_MAX_SEGS 64

struct topo_seg {
	char name[128];
	struct emu_segment *seg; /* a link's segment, or its view of a SoC segment */
	struct emu_soc *soc;     /* the SoC segment, held by the first of its views */
	uint8_t *copy; /* inside raw */
	void *raw;
	int link; /* index into topo->link, -1: matches no link */
};

struct topo_live {
	unsigned n;
	struct topo_seg s[TOPO_MAX_SEGS];
	int seg_of[EMU_TOPO_MAX_LINKS]; /* index into s[], -1: none */
};

static bool topo_link_shown(const struct insp *x, const struct emu_topo_link *l)
{
	return x->instance == NULL || strcmp(x->instance, l->name) == 0 ||
	       strcmp(x->instance, l->plan[0].inst[0].label) == 0;
}

static int topo_load(struct insp *x)
{
	char err[512] = "";
	int rc;
	unsigned shown = 0;

	if (x->n_spec < 2) {
		cli_err("inspect: a topology needs 2 to %d cores (--dts A,B,C or --core NAME=FILE "
			"per core), not %u", EMU_TOPO_MAX_CORES, x->n_spec);
		return EXIT_USAGE;
	}
	x->topo = calloc(1, sizeof(*x->topo));
	if (x->topo == NULL) {
		cli_err("inspect: out of memory");
		return EXIT_INVARIANT;
	}
	rc = emu_topo_load(x->spec, x->n_spec, NULL, x->topo, err, sizeof(err));
	if (rc < 0) {
		cli_err("inspect: %s", err[0] ? err : strerror(-rc));
		return EXIT_USAGE;
	}
	for (unsigned l = 0; l < x->topo->n_link; l++) {
		shown += topo_link_shown(x, &x->topo->link[l]);
	}
	if (shown == 0) {
		cli_err("inspect: no link named or labelled '%s' in the topology", x->instance);
		return EXIT_USAGE;
	}
	return 0;
}

/* The dump must cover every link shown; one line names the first that it
 * does not. */
static int topo_check_dump(struct insp *x)
{
	const struct emu_topo *t = x->topo;
	uint64_t end = x->im.base + x->im.len;
	unsigned bad = 0, first = 0;

	for (unsigned l = 0; l < t->n_link; l++) {
		const struct emu_dt_plan *p = &t->link[l].plan[0];

		if (topo_link_shown(x, &t->link[l]) &&
		    (p->base < x->im.base || p->base + p->size > end)) {
			first = bad++ ? first : l;
		}
	}
	if (bad > 0) {
		const struct emu_topo_link *k = &t->link[first];

		char more[48] = "";

		if (bad > 1) {
			snprintf(more, sizeof(more), " (and %u more link%s)", bad - 1,
				 bad > 2 ? "s" : "");
		}
		cli_err("inspect: %s: corrupt or wrong dump: %" PRIu64 " bytes from 0x%" PRIx64
			" do not cover link %s (0x%" PRIx64 "..0x%" PRIx64 ")%s",
			x->dump, x->im.len, x->im.base, k->name, k->plan[0].base,
			k->plan[0].base + k->plan[0].size, more);
		return EXIT_USAGE;
	}
	return 0;
}

/* Attach the segment found at /proc fd paths mem/ctl: one link's segment
 * (one entry of lv), or the SoC segment of a multi-core run (one entry per
 * link, each a view).  0 or -errno. */
static int topo_attach_fds(const char *mem, const char *ctl, const char *name,
			   struct topo_live *lv)
{
	struct emu_segment_fds fds = {.mem = open(mem, O_RDWR | O_CLOEXEC),
				      .ctl = open(ctl, O_RDWR | O_CLOEXEC),
				      .efd = {-1, -1}};
	struct emu_soc_fds sfds = {.mem = fds.mem, .ctl = fds.ctl};
	struct emu_soc *soc = NULL;
	int rc = fds.mem >= 0 && fds.ctl >= 0 ? 0 : -errno;

	if (rc == 0) {
		rc = emu_segment_attach_fds(&fds, &lv->s[lv->n].seg);
		if (rc == 0) {
			snprintf(lv->s[lv->n++].name, sizeof(lv->s[0].name), "%.127s", name);
		}
	}
	if (rc == -EPROTO) {
		for (unsigned i = 0; i < EMU_SOC_MAX_CORES; i++) {
			sfds.efd[i] = -1;
		}
		rc = emu_soc_attach_fds(&sfds, &soc);
	}
	for (unsigned l = 0, first = lv->n; soc != NULL && l <= emu_soc_links(soc); l++) {
		struct topo_seg *s = &lv->s[lv->n];

		if (l == emu_soc_links(soc) || lv->n == TOPO_MAX_SEGS ||
		    emu_soc_link(soc, l, &s->seg) < 0) {
			if (lv->n == first) {
				emu_soc_close(soc); /* no view holds it */
			}
			break;
		}
		snprintf(s->name, sizeof(s->name), "%.127s", name);
		s->soc = lv->n == first ? soc : NULL;
		lv->n++;
	}
	if (fds.mem >= 0) {
		close(fds.mem);
	}
	if (fds.ctl >= 0) {
		close(fds.ctl);
	}
	return rc;
}

/* Every ipc-emu segment process `pid` holds open. */
static int topo_proc_segments(struct insp *x, struct topo_live *lv)
{
	char dir[64], path[PATH_MAX], link[PATH_MAX];
	static char mem[TOPO_MAX_SEGS][PATH_MAX], ctl[TOPO_MAX_SEGS][PATH_MAX];
	char names[TOPO_MAX_SEGS][128];
	unsigned n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", x->pid);
	d = opendir(dir);
	if (d == NULL) {
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		ssize_t len;
		const char *base;
		size_t bl;
		unsigned k;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0) {
			continue;
		}
		link[len] = '\0';
		if (strncmp(link, "/dev/shm/", 9) != 0) {
			continue;
		}
		base = link + 9;
		bl = strcspn(base, " ");
		if (bl < 5 || bl - 4 >= sizeof(names[0]) ||
		    (strncmp(base + bl - 4, "-mem", 4) != 0 && strncmp(base + bl - 4, "-ctl", 4) != 0)) {
			continue;
		}
		for (k = 0; k < n; k++) {
			if (strlen(names[k]) == bl - 4 && strncmp(names[k], base, bl - 4) == 0) {
				break;
			}
		}
		if (k == n) {
			if (n == TOPO_MAX_SEGS) {
				continue;
			}
			snprintf(names[n], sizeof(names[0]), "%.*s", (int)(bl - 4), base);
			mem[n][0] = ctl[n][0] = '\0';
			n++;
		}
		snprintf(base[bl - 3] == 'm' ? mem[k] : ctl[k], PATH_MAX, "%s", path);
	}
	closedir(d);
	for (unsigned k = 0; k < n && lv->n < TOPO_MAX_SEGS; k++) {
		if (mem[k][0] != '\0' && ctl[k][0] != '\0') {
			(void)topo_attach_fds(mem[k], ctl[k], names[k], lv);
		}
	}
	return lv->n > 0 ? 0 : -ENOENT;
}

/* Segments open: a SoC segment counts once, not once per link. */
static unsigned topo_nseg(const struct topo_live *lv)
{
	unsigned n = 0;

	for (unsigned k = 0; k < lv->n; k++) {
		n += emu_segment_soc_core(lv->s[k].seg, EMU_ROLE_HOST) < 0 || lv->s[k].soc != NULL;
	}
	return n;
}

/* Live: the segments (of --pid, or the one named), each matched to the link
 * whose memory range it is. */
static int topo_attach(struct insp *x, struct topo_live *lv)
{
	const struct emu_topo *t = x->topo;
	unsigned matched = 0;
	int rc;

	for (unsigned l = 0; l < EMU_TOPO_MAX_LINKS; l++) {
		lv->seg_of[l] = -1;
	}
	if (x->pid != 0) {
		rc = topo_proc_segments(x, lv);
		if (rc < 0) {
			cli_err("inspect: process %ld holds no ipc-emu segment open (or is not yours): %s",
				x->pid, strerror(-rc));
			return EXIT_USAGE;
		}
	} else {
		rc = emu_segment_attach(x->segment, &lv->s[0].seg);
		if (rc == -ENOENT && attach_proc(x, 0, x->segment) == 0) {
			lv->s[0].seg = x->seg; /* unlinked, but open in a process of its run */
			x->seg = NULL;
			rc = 0;
		}
		if (rc < 0) {
			cli_err("inspect: cannot open segment '%s': %s", x->segment,
				rc == -ENOENT ? "it does not exist (see 'ls /dev/shm')"
				: rc == -EPROTO
					? "not an ipc-emu segment of this version, or still being created"
					: strerror(-rc));
			return EXIT_USAGE;
		}
		snprintf(lv->s[0].name, sizeof(lv->s[0].name), "%s", x->segment);
		lv->n = 1;
	}
	for (unsigned k = 0; k < lv->n; k++) {
		struct topo_seg *s = &lv->s[k];
		uint64_t base = emu_segment_base(s->seg), size = emu_segment_size(s->seg);

		s->link = -1;
		for (unsigned l = 0; l < t->n_link; l++) {
			if (t->link[l].plan[0].base == base && t->link[l].plan[0].size == size &&
			    lv->seg_of[l] < 0) {
				s->link = (int)l;
				lv->seg_of[l] = (int)k;
				matched++;
				break;
			}
		}
		if (s->link >= 0 && (s->copy = image_alloc(base, size, &s->raw)) == NULL) {
			cli_err("inspect: out of memory");
			return EXIT_INVARIANT;
		}
	}
	if (matched == 0) {
		if (x->pid != 0) {
			cli_err("inspect: process %ld holds %u ipc-emu segment%s open, none of them a "
				"link of this topology", x->pid, topo_nseg(lv),
				topo_nseg(lv) == 1 ? "" : "s");
		} else {
			cli_err("inspect: segment '%s' (0x%" PRIx64 "+0x%x) is no link of this topology",
				x->segment, emu_segment_base(lv->s[0].seg),
				emu_segment_size(lv->s[0].seg));
		}
		return EXIT_USAGE;
	}
	return 0;
}

static void topo_close(struct topo_live *lv)
{
	for (unsigned k = 0; k < lv->n; k++) {
		emu_segment_close(lv->s[k].seg);
		free(lv->s[k].raw);
	}
	for (unsigned k = 0; k < lv->n; k++) {
		emu_soc_close(lv->s[k].soc); /* after all its views */
	}
	lv->n = 0;
}

static const char *backend_name(const struct emu_dt_plan *p)
{
	return p->n_inst > 0 && p->inst[0].backend == EMU_BACKEND_ICBMSG ? "ICBMsg" : "ICMsg";
}

static void topo_text_head(struct insp *x, const struct topo_live *lv)
{
	const struct emu_topo *t = x->topo;
	FILE *f = x->out;

	fprintf(f, "topology: %u cores, %u links, IPC memory 0x%" PRIx64 "+0x%" PRIx64 "\n",
		t->n_core, t->n_link, t->base, t->size);
	for (unsigned c = 0; c < t->n_core; c++) {
		bool first = true;

		fprintf(f, "  core %s  %s  links ", t->core[c].name, t->core[c].path);
		for (unsigned l = 0; l < t->n_link; l++) {
			if (t->link[l].core[0] == c || t->link[l].core[1] == c) {
				fprintf(f, "%s%s", first ? "" : ", ", t->link[l].name);
				first = false;
			}
		}
		fputc('\n', f);
	}
	if (x->dump != NULL) {
		fprintf(f, "dump %s: %" PRIu64 " bytes from 0x%" PRIx64 "\n", x->dump, x->im.len,
			x->im.base);
		return;
	}
	if (x->pid != 0) {
		unsigned nseg = topo_nseg(lv);

		fprintf(f, "process %ld: %u segment%s open\n", x->pid, nseg, nseg == 1 ? "" : "s");
	}
	for (unsigned k = 0; k < lv->n; k++) {
		if (lv->s[k].link < 0) {
			fprintf(f, "segment %s (0x%" PRIx64 "+0x%x): matches no link of the topology\n",
				lv->s[k].name, emu_segment_base(lv->s[k].seg),
				emu_segment_size(lv->s[k].seg));
		}
	}
}

static void topo_json_head(struct insp *x, const struct topo_live *lv)
{
	const struct emu_topo *t = x->topo;
	FILE *f = x->out;

	fputs("{\n  \"source\": ", f);
	if (x->dump != NULL) {
		fputs("{\"kind\": \"dump\", \"file\": ", f);
		cli_json_str(f, x->dump);
		fprintf(f, ", \"base\": %" PRIu64 ", \"size\": %" PRIu64 "}", x->im.base, x->im.len);
	} else if (x->pid != 0) {
		fprintf(f, "{\"kind\": \"process\", \"pid\": %ld}", x->pid);
	} else {
		fputs("{\"kind\": \"segment\", \"name\": ", f);
		cli_json_str(f, x->segment);
		fputc('}', f);
	}
	fprintf(f, ",\n  \"base\": %" PRIu64 ", \"size\": %" PRIu64 ",\n  \"cores\": [", t->base,
		t->size);
	for (unsigned c = 0; c < t->n_core; c++) {
		bool first = true;

		fprintf(f, "%s\n    {\"name\": ", c ? "," : "");
		cli_json_str(f, t->core[c].name);
		fputs(", \"file\": ", f);
		cli_json_str(f, t->core[c].path);
		fputs(", \"links\": [", f);
		for (unsigned l = 0; l < t->n_link; l++) {
			if (t->link[l].core[0] == c || t->link[l].core[1] == c) {
				fputs(first ? "" : ", ", f);
				cli_json_str(f, t->link[l].name);
				first = false;
			}
		}
		fputs("]}", f);
	}
	fputs("\n  ],\n  \"unmatched_segments\": [", f);
	for (unsigned k = 0, n = 0; lv != NULL && k < lv->n; k++) {
		if (lv->s[k].link < 0) {
			fprintf(f, "%s{\"name\": ", n++ ? ", " : "");
			cli_json_str(f, lv->s[k].name);
			fprintf(f, ", \"base\": %" PRIu64 ", \"size\": %u}", emu_segment_base(lv->s[k].seg),
				emu_segment_size(lv->s[k].seg));
		}
	}
	fputs("],\n  \"links\": [", f);
}

static int topo_main(struct insp *x, struct inst_view *views)
{
	static struct topo_live lv;
	const struct emu_topo *t;
	struct emu_insp_ctl ctl;
	FILE *f = x->out;
	unsigned shown = 0;
	int status;

	memset(&lv, 0, sizeof(lv));
	status = topo_load(x);
	if (status == 0 && x->dump != NULL) {
		x->host.base = x->topo->base; /* load_dump: default base, coverage */
		x->host.size = x->topo->size;
		snprintf(x->host.source, sizeof(x->host.source), "the topology");
		status = load_dump(x, false);
		if (status == 0) {
			status = topo_check_dump(x);
		}
	} else if (status == 0) {
		status = topo_attach(x, &lv);
	}
	if (status != 0) {
		goto out;
	}
	t = x->topo;
	if (x->json) {
		topo_json_head(x, x->dump ? NULL : &lv);
	} else {
		topo_text_head(x, &lv);
	}
	for (unsigned l = 0; l < t->n_link; l++) {
		const struct emu_topo_link *k = &t->link[l];
		const struct topo_seg *s = NULL;
		unsigned nv;

		if (!topo_link_shown(x, k)) {
			continue;
		}
		x->host = k->plan[0];
		x->remote = k->plan[1];
		x->core_name[0] = t->core[k->core[0]].name;
		x->core_name[1] = t->core[k->core[1]].name;
		x->seg = NULL;
		x->ctl = NULL;
		if (x->dump == NULL && lv.seg_of[l] >= 0) {
			s = &lv.s[lv.seg_of[l]];
			x->seg = s->seg;
			x->copy = s->copy; /* snapshot() */
			x->im = (struct emu_insp_image){.img = s->copy,
							.base = emu_segment_base(s->seg),
							.len = emu_segment_size(s->seg)};
		}
		if (x->json) {
			fprintf(f, "%s\n   {\"name\": ", shown ? "," : "");
			cli_json_str(f, k->name);
			fputs(", \"host\": ", f);
			cli_json_str(f, x->core_name[0]);
			fputs(", \"remote\": ", f);
			cli_json_str(f, x->core_name[1]);
			fprintf(f, ", \"backend\": \"%s\", \"base\": %" PRIu64 ", \"size\": %" PRIu64
				   ", \"segment\": ",
				k->plan[0].inst[0].backend == EMU_BACKEND_ICBMSG ? "icbmsg" : "icmsg",
				k->plan[0].base, k->plan[0].size);
			if (s != NULL) {
				fputs("{\"name\": ", f);
				cli_json_str(f, s->name);
				fputc('}', f);
			} else {
				fputs("null", f);
			}
		} else {
			fprintf(f, "\nlink %s: %s (host) <-> %s (remote), %s, 0x%" PRIx64 "+0x%" PRIx64,
				k->name, x->core_name[0], x->core_name[1], backend_name(&k->plan[0]),
				k->plan[0].base, k->plan[0].size);
			if (s != NULL) {
				fprintf(f, ", segment %s", s->name);
			}
			fputc('\n', f);
		}
		shown++;
		if (x->dump == NULL && s == NULL) {
			if (x->json) {
				fputs(", \"instance\": null, \"mailbox\": null}", f);
			} else if (x->pid != 0) {
				fprintf(f, "  no segment of this link is open in process %ld\n", x->pid);
			} else {
				fprintf(f, "  not in segment %s\n", x->segment);
			}
			continue;
		}
		{
			char prefix[sizeof(k->name) + 2];

			snprintf(prefix, sizeof(prefix), "%s: ", k->name);
			x->prefix = prefix;
			nv = make_views(x, views);
			decode_views(x, views, nv, &ctl);
			x->prefix = NULL;
		}
		if (x->json) {
			fputs(",\n    \"instance\":\n", f);
			for (unsigned i = 0; i < nv; i++) {
				json_inst(x, &views[i]);
			}
			if (x->seg != NULL) {
				fputs(",\n    \"mailbox\": ", f);
				json_mailbox_obj(x, &ctl);
			} else {
				fputs(",\n    \"mailbox\": null", f);
			}
			fputc('}', f);
		} else {
			for (unsigned i = 0; i < nv; i++) {
				text_inst(x, &views[i]);
			}
			if (x->seg != NULL) {
				fputc('\n', f);
				text_mailbox(x, &ctl);
			}
		}
		free_views(views);
	}
	if (x->json) {
		fprintf(f, "\n  ],\n  \"ok\": %s,\n  \"problems\": [", x->n_problems ? "false" : "true");
		for (unsigned i = 0; i < x->n_problems; i++) {
			fputs(i ? ", " : "", f);
			cli_json_str(f, x->problems[i]);
		}
		fputs("]\n}\n", f);
	}
	fflush(stdout);
	if (x->n_problems > 0) {
		char src[64];

		if (x->pid != 0) {
			snprintf(src, sizeof(src), "process %ld", x->pid);
		}
		cli_err("inspect: %s: %s%s", x->dump ? x->dump : x->pid ? src : x->segment,
			x->problems[0], x->n_problems > 1 ? " (and more, see the output)" : "");
		status = EXIT_USAGE;
	}
out:
	x->seg = NULL;
	if (x->dump == NULL) {
		x->copy = NULL; /* a segment's, freed by topo_close() */
	}
	topo_close(&lv);
	free(x->topo);
	x->topo = NULL;
	return status;
}

int cli_inspect_main(int argc, char **argv, int first)
{
	static struct insp x;
	static struct inst_view views[EMU_DT_MAX_INST];
	unsigned nv = 0;
	struct emu_insp_ctl ctl;
	int rc, status = EXIT_PASS;

	memset(&x, 0, sizeof(x));
	memset(views, 0, sizeof(views));
	x.out = stdout;
	rc = parse(&x, argc, argv, first);
	if (rc != 0) {
		return rc > 0 ? EXIT_PASS : EXIT_USAGE;
	}
	if (x.topo_mode) {
		status = topo_main(&x, views);
		goto out;
	}
	rc = load_plans(&x);
	if (rc == 0) {
		rc = x.dump ? load_dump(&x, true) : attach_live(&x);
	}
	if (rc != 0) {
		status = rc;
		goto out;
	}
	nv = make_views(&x, views);
	decode_views(&x, views, nv, &ctl);

	if (x.json) {
		FILE *f = x.out;

		fputs("{\n  \"source\": ", f);
		if (x.seg) {
			fputs("{\"kind\": \"segment\", \"name\": ", f);
			cli_json_str(f, x.segment);
		} else {
			fputs("{\"kind\": \"dump\", \"file\": ", f);
			cli_json_str(f, x.dump);
		}
		fprintf(f, ", \"base\": %" PRIu64 ", \"size\": %" PRIu64 "},\n  \"devicetree\": ",
			x.im.base, x.im.len);
		cli_json_str(f, x.host.source);
		fputs(",\n  \"instances\": [\n", f);
		for (unsigned i = 0; i < nv; i++) {
			if (i) {
				fputs(",\n", f);
			}
			json_inst(&x, &views[i]);
		}
		fputs("\n  ]", f);
		if (x.seg) {
			json_mailbox(&x, &ctl);
		} else {
			fputs(",\n  \"mailbox\": null", f);
		}
		fprintf(f, ",\n  \"ok\": %s,\n  \"problems\": [", x.n_problems ? "false" : "true");
		for (unsigned i = 0; i < x.n_problems; i++) {
			fputs(i ? ", " : "", f);
			cli_json_str(f, x.problems[i]);
		}
		fputs("]\n}\n", f);
	} else {
		FILE *f = x.out;

		if (x.seg) {
			fprintf(f, "segment %s (live): image 0x%" PRIx64 "+0x%" PRIx64 ", devicetree %s\n",
				x.segment, x.im.base, x.im.len, x.host.source);
		} else {
			fprintf(f, "dump %s: %" PRIu64 " bytes from 0x%" PRIx64 ", devicetree %s\n", x.dump,
				x.im.len, x.im.base, x.host.source);
		}
		for (unsigned i = 0; i < nv; i++) {
			fputc('\n', f);
			text_inst(&x, &views[i]);
		}
		if (x.seg) {
			fputc('\n', f);
			text_mailbox(&x, &ctl);
		}
	}
	fflush(stdout);
	if (x.n_problems > 0) {
		cli_err("inspect: %s: %s%s", x.seg ? x.segment : x.dump, x.problems[0],
			x.n_problems > 1 ? " (and more, see the output)" : "");
		status = EXIT_USAGE;
	}
out:
	free_views(views);
	free(x.copy_raw);
	emu_segment_close(x.seg);
	return status;
}
