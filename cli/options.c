/*
 * options.c - option parsing, help texts and configuration loading shared by
 * `ipc-emu run` and `ipc-emu peer`.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ipc_emu/ipc_icbmsg.h"
#include "ipc_emu/ipc_icbmsg_v2.h"
#include "ipc_emu/topology.h"
#include "zephyr_build.h"

const char *cli_unbound_name(int mode)
{
	return mode == 0 ? "devicetree" : emu_unbound_name((enum emu_unbound)mode);
}

const char *cli_backend_name(enum emu_backend b)
{
	return b == EMU_BACKEND_ICBMSG ? "icbmsg" : "icmsg";
}

const char *cli_icbmsg_version_name(uint32_t v)
{
	return v == EMU_ICBMSG_CLASSIC ? "classic" : "v2";
}

const char *cli_doorbell_name(enum emu_doorbell d)
{
	return d == EMU_DOORBELL_EVENTFD ? "eventfd" : "futex";
}

/* ---------------------------------------------------------------- help -- */

void cli_help_main(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu <command> [options]\n"
		"\n"
		"Run Zephyr-style inter-processor communication (ICMsg over pbuf, classic\n"
		"ICBMsg, ipc_service; raw MBOX and IPM mailboxes) between two Linux processes\n"
		"sharing memory laid out like the target's.\n"
		"\n"
		"commands:\n"
		"  run     spawn a host and a remote peer, supervise them, report\n"
		"  peer    run one side by hand (pair two terminals on one --segment)\n"
		"  stress  kill/restart campaign across backends and unbound modes, with a table\n"
		"  check   validate a devicetree, or a host/remote pair, without running anything\n"
		"  clean   remove segments and run directories whose owner process is dead\n"
		"          (--zephyr-cache: old zephyr-build products)\n"
		"  bench   round trips and throughput against raw baselines measured alongside\n"
		"  inspect decode a live segment or a RAM dump: rings, sessions, blocks, mailboxes\n"
		"  zephyr-config  devicetree_generated.h and autoconf.h for Zephyr code of a core\n"
		"  zephyr-build   compile a Zephyr tree's own IPC sources (run --zephyr-base),\n"
		"                 and your program against them (--app-src)\n"
		"  help    'ipc-emu help <command>' shows the options of a command\n"
		"\n"
		"options:\n"
		"  --help      this text\n"
		"  --version   print the version\n"
		"\n"
		"examples:\n"
		"  ipc-emu run\n"
		"  ipc-emu run --unbound enable --kill-random 3 --json report.json\n"
		"  ipc-emu run --backend icbmsg --endpoints 8 --nocopy\n"
		"  ipc-emu run --scenario ipm-echo --ipm-console\n"
		"  ipc-emu run --scenario mbox-pingpong --mbox-mode data\n"
		"  ipc-emu run --remote-zephyr-base ~/zephyrproject/zephyr\n"
		"  ipc-emu peer --role host --segment demo   # and in another terminal:\n"
		"  ipc-emu peer --role remote --segment demo\n"
		"\n"
		"exit status: 0 passed, 1 an invariant failed, 2 usage or configuration error,\n"
		"77 skipped (a host feature such as valgrind is missing).\n");
}

#define SCENARIO_OPTIONS_HELP                                                                     \
	"  --dts FILE[,FILE]      devicetree of the host (mirrored for the remote), or\n"         \
	"                         host,remote (checked as a pair); default: built-in\n"           \
	"                         nRF5340-like board\n"                                           \
	"  --backend NAME         icmsg|icbmsg (ICBMsg: no unbound modes) (default: icmsg)\n"   \
	"  --icbmsg-version V     classic|v2: the ICBMsg wire format of every ICBMsg\n"      \
	"                         instance; classic is Zephyr v4.0-v4.4's, v2 the rework of\n" \
	"                         Zephyr main (default: the instance's ipc-emu,icbmsg-\n"     \
	"                         version property, else v2)\n"                               \
	"  --max-active-count S   ICBMsg v2: CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_\n"  \
	"                         COUNT, queue slots 16..128; never exchanged, so both\n"     \
	"                         sides must use the same (default: 16)\n"                    \
	"  --instance LABEL       instance node label (default: first instance of the backend)\n" \
	"  --unbound MODE         disable|enable|detect: override devicetree `unbound`\n"         \
	"                         (default: the devicetree value)\n"                               \
	"  --endpoints K          K endpoints ep0..epK-1, each driven by its own thread on\n"  \
	"                         both sides, registered in different orders; K > 1 needs\n"    \
	"                         icbmsg, up to 254 (default: 4 with icbmsg, 1 with icmsg)\n"   \
	"  --messages N           echo-stream/exhaustion, per endpoint: N/2 echo round\n"      \
	"                         trips, then N/2 stream messages each way (default:\n"       \
	"                         10000); ipm-echo/mbox-pingpong: N round trips (default:\n"   \
	"                         100000, a few seconds)\n"                                     \
	"  --nocopy               icbmsg: stream with get_tx_buffer + send_nocopy (size 0\n"    \
	"                         or exact, K_FOREVER or K_MSEC waits); receivers hold some\n"  \
	"                         buffers and release them later (default: copy sends)\n"        \
	"  --scenario NAME        (default: echo-stream)\n"                                      \
	"      echo-stream        ipc_service echo round trips, then streams both ways\n"       \
	"      priorities         icbmsg v2: echo-stream with even endpoints at prio 0 and\n" \
	"                         odd ones at prio 1 (high: first within a receive batch);\n"  \
	"                         counts what each priority received (--endpoints >= 2)\n"    \
	"      exhaustion         icbmsg: receivers hold every buffer until the sender's\n"    \
	"                         get_tx_buffer(K_MSEC(50)) gives -EAGAIN and a K_NO_WAIT\n"    \
	"                         send -ENOMEM, then release all and traffic resumes (v2:\n"   \
	"                         held messages stop at --max-active-count; its expired\n"    \
	"                         wait answers -ENOMEM, as Zephyr's, counted as -EAGAIN)\n"  \
	"      ipm-echo           IPM ipm0: the host sends a 32-bit word (wait = 1), the\n"   \
	"                         remote's callback echoes it (wait = 1); every word checked\n" \
	"      mbox-pingpong      raw MBOX ping-pong on mbox_consumer (signalling) or\n"      \
	"                         mbox_data_consumer (data: seq + checked payload, -EBUSY\n"  \
	"                         retried); each side sends only after receiving\n"            \
	"      echo-server        peer only: send every message of ep0..epK-1 back\n"       \
	"                         unchanged, re-register after unbound; until SIGTERM,\n"    \
	"                         the parent exits or --timeout (for your own test host)\n"  \
	"                         ipm-echo and mbox-pingpong use no ipc_service instance:\n"   \
	"                         --backend icbmsg, --instance, --unbound, --endpoints,\n"    \
	"                         --nocopy, --rx-in-isr and --kill-random do not apply\n"      \
	"  --mbox-mode MODE       mbox-pingpong only: signal|data (default: signal)\n"         \
	"  --ipm-console          the remote prints a line at start and one at the end over\n" \
	"                         ipm0 with the classic IPM console framing (one message per\n" \
	"                         character, the character is the id, wait = 1, no '\\r');\n"  \
	"                         the host prints each line as 'remote: <line>' on stdout,\n"   \
	"                         also with --quiet.  Works with every scenario (ipm-echo\n"    \
	"                         shares ipm0: echo ids start at 0x10000); needs ipm0 with\n"  \
	"                         max id >= 0xff; not with --kill-random\n"                      \
	"  --rx-in-isr            process ICMsg RX in the interrupt thread, not a work queue\n"  \
	"                         (default: work queue)\n"                                         \
	"  --busy-poll[=US]       the interrupt thread polls its pending word US microseconds\n" \
	"                         (default 50) before sleeping (default: off)\n"                  \
	"  --rx-buf-size B        CONFIG_PBUF_RX_READ_BUF_SIZE; messages are 16..min(B, ring\n"   \
	"                         or blocks) bytes (default: 128)\n"                             \
	"  --seed S               seed of message lengths, payloads and kills (default: 1)\n"    \
	"  --json FILE            write the JSON report to FILE, '-': stdout, all text then\n"   \
	"                         on stderr (default: none); an unwritable FILE is a usage\n"  \
	"                         error (exit 2) found before the run\n"                        \
	"  --mem-limit MIB        largest region and memory image, in MiB (1..4095, default\n"   \
	"                         256); more than 256 not with --host/--remote or\n"            \
	"                         --zephyr-base (their runtime reads the tree itself)\n"         \
	"  --quiet                print nothing but errors and, when the run fails, its\n"    \
	"                         failure line on stderr (default: summary on stdout).\n"      \
	"                         Without it, when neither stdout nor stderr is a terminal,\n" \
	"                         `run` prints a progress line to stderr every 5 s\n"          \
	"                         (IPC_EMU_PROGRESS_S=SEC sets the period, 0 turns it off)\n"

void cli_help_run(FILE *f)
{
	char points[1024], shim[1024];
	size_t w = 0;

	for (const char *const *p = cli_crash_points; *p != NULL && w < sizeof(points); p++) {
		w += (size_t)snprintf(points + w, sizeof(points) - w, "%25s%s\n", "", *p);
	}
	w = 0;
	for (const char *const *p = cli_shim_crash_points; *p != NULL && w < sizeof(shim); p++) {
		w += (size_t)snprintf(shim + w, sizeof(shim) - w, "%27s%s\n", "", *p);
	}
	fprintf(f,
		"usage: ipc-emu run [options]\n"
		"\n"
		"Create a shared-memory segment, spawn a host and a remote peer on it, run the\n"
		"echo + stream scenario, check every message (CRC, length, order) and report.\n"
		"The segment's names are unlinked as soon as it exists: nothing in /dev/shm can\n"
		"outlive the run, and the peers die with the supervisor.\n"
		"\n"
		"options:\n" SCENARIO_OPTIONS_HELP
		"  --doorbell KIND        futex|eventfd (default: futex)\n"
		"  --valgrind             run each peer under valgrind memcheck; errors fail the\n"
		"                         run, timeouts are scaled x20 (exit 77 if not installed)\n"
		"  --kill-random K        SIGKILL a random peer K times during the run and restart\n"
		"                         it on the same segment (default: 0).  Kills land at\n"
		"                         random points of the echo phase, the last one early in\n"
		"                         the stream phase, each after the previous re-bond.\n"
		"                         ICMsg needs --unbound enable|detect to pass: the\n"
		"                         survivor must see unbound() and re-bond (with disable\n"
		"                         the run fails: legacy bonding cannot detect a reset).\n"
		"                         Classic ICBMsg has no reset protocol: the documented\n"
		"                         recovery restarts both peers, then 0 blocks may stay\n"
		"                         in use.  Nor has v2: both restart with the instance's\n"
		"                         regions cleared (a system reset).  With --host/--remote\n"
		"                         the kills are timed, not\n"
		"                         progress-based: each lands a seeded random 1-20 ms\n"
		"                         (x20 under --valgrind) after the previous kill or the\n"
		"                         start of the run, only while both programs run; a\n"
		"                         program that finishes first leaves fewer kills (the\n"
		"                         report says so)\n"
		"  --kill-role ROLE       host|remote|any: the peer --kill-random kills (default:\n"
		"                         any, drawn from --seed); needs --kill-random K >= 1\n"
		"  --crash-point [ROLE:]NAME[@N]\n"
		"                         kill a peer at the Nth hit (default 1) of a crash point\n"
		"                         of the core, then recover as for --kill-random; ROLE is\n"
		"                         host or remote (default: both, first incarnation only);\n"
		"                         with --backend icbmsg a point picks its ICBMsg version\n"
		"                         when --icbmsg-version is not given (icbmsg_v2_*: v2,\n"
		"                         the others: classic):\n"
		"%s"
		"                         and, in --host/--remote programs and --zephyr-base\n"
		"                         runs only, around the Zephyr shim's mbox_send, cache\n"
		"                         range operations and work submissions (zephyr_*,\n"
		"                         docs/reliability.md):\n"
		"%s"
		"  --zephyr-base DIR, --host-zephyr-base DIR, --remote-zephyr-base DIR\n"
		"                         run Zephyr's own IPC sources from the tree DIR (built\n"
		"                         unchanged by `ipc-emu zephyr-build`, cached) on both\n"
		"                         cores, the host or the remote; a core without a tree\n"
		"                         runs ipc-emu's core.  The cores run the echo-stream\n"
		"                         exchange of emu/zephyr_apps (--messages echo round\n"
		"                         trips, then as many streamed each way, every message\n"
		"                         checked) on ipc0, or the --backend/--instance\n"
		"                         choice.  Not with the other\n"
		"                         scenarios; --endpoints K (K <= 4) and --nocopy on\n"
		"                         ICBMsg only; --kill-random in\n"
		"                         the DTS's unbound \"enable\"/\"detect\" only (the apps\n"
		"                         resume); --valgrind, --cache-model and the zephyr_*\n"
		"                         crash points apply\n"
		"                         ZEPHYR_BASE in the environment stands for\n"
		"                         --zephyr-base (both cores) when no option chooses the\n"
		"                         stack: any --*zephyr-base option, --no-zephyr-base and\n"
		"                         --host/--remote PROG win over it (a note on stdout says\n"
		"                         when it applies)\n"
		"  --no-zephyr-base       ignore ZEPHYR_BASE: ipc-emu's core on both cores\n"
		"  --kconfig FILE, --host-kconfig FILE, --remote-kconfig FILE\n"
		"                         Kconfig fragments (prj.conf lines) for both cores'\n"
		"                         builds, or one core's, in --zephyr-base runs (as\n"
		"                         `zephyr-build --kconfig`; after the defaults; at most\n"
		"                         8 per core)\n"
		"  --sanitize SET         address, undefined or address,undefined: build the\n"
		"                         --zephyr-base programs (the tree's sources and the\n"
		"                         apps) with ASan/UBSan (`zephyr-build --sanitize`); a\n"
		"                         sanitizer report fails the run, named in one line\n"
		"  --host PROG --remote PROG [-- ARGS]\n"
		"                         run your own programs (linked with libipc_emu and its\n"
		"                         Zephyr runtime, see docs/zephyr-compat.md) as the two\n"
		"                         peers, with ARGS; they find the segment and their role\n"
		"                         in IPC_EMU_* environment variables.  The run passes when\n"
		"                         both exit 0 (valgrind clean, nothing leaked) and no\n"
		"                         ztest test failed; --crash-point, --kill-random,\n"
		"                         --cache-model, --valgrind apply.  Their stdout goes\n"
		"                         through the supervisor, line by line.  A program\n"
		"                         calling sys_reboot() is restarted with the same\n"
		"                         arguments on the same shared memory (a reboot, not a\n"
		"                         crash); each start gets its boot count in IPC_EMU_BOOT\n"
		"                         (1, 2, ...).  Zephyr ztest output (<zephyr/ztest.h>)\n"
		"                         is read into the report: per-test results in the\n"
		"                         JSON's \"ztest\" list, a summary line, and a failed\n"
		"                         test fails the run, named\n"
		"  --schedule MODE        coop|parallel|random: how the threads of each Zephyr\n"
		"                         program (--host/--remote, --zephyr-base) share its CPU\n"
		"                         (default: coop).  coop: one thread at a time, as on a\n"
		"                         single-core MCU; a thread runs until it waits in the\n"
		"                         kernel or yields, interrupts preempt it.  parallel:\n"
		"                         threads run at once, as on SMP.  random: parallel plus\n"
		"                         seeded yields, sleeps and hand-offs to the woken thread\n"
		"                         at k_sem_give, k_mutex_unlock, k_work_submit and other\n"
		"                         wake-ups, drawn from --seed; a program that fails\n"
		"                         prints its last kernel events and the seed on stderr\n"
		"  --junit FILE           write JUnit XML for CI: one testcase for the scenario\n"
		"                         run (a failure carries the failure line); with\n"
		"                         --host/--remote the programs' ztest results\n"
		"  --cache-model          each peer sees the shared regions through a private,\n"
		"                         incoherent cache (lines of dcache-alignment bytes,\n"
		"                         written back only by flush or by seeded random\n"
		"                         eviction, refetched only by invalidate)\n"
		"  --trace FILE           record both peers' events (send, receive, mailbox send,\n"
		"                         doorbell, interrupt, bound/unbound, core start) and the\n"
		"                         supervisor's (spawn, crash, restart, exit) into FILE, a\n"
		"                         Chrome/Perfetto trace JSON: open it in ui.perfetto.dev\n"
		"                         or chrome://tracing (docs/inspect-and-trace.md)\n"
		"  --timeout SEC          kill both peers and report a hang after SEC seconds\n"
		"                         (default: 120, x20 under --valgrind; 0: none).  With\n"
		"                         no progress at all for 10 s (x20) the run is a hang too\n"
		"  --help                 this text\n"
		"\n"
		"examples:\n"
		"  ipc-emu run --messages 100000 --doorbell eventfd\n"
		"  ipc-emu run --unbound enable --kill-random 3 --seed 7 --json out.json\n"
		"  ipc-emu run --dts host.dts,remote.dts --instance ipc0 --valgrind\n"
		"  ipc-emu run --backend icbmsg --endpoints 4 --json icb.json\n"
		"  ipc-emu run --backend icbmsg --endpoints 8 --nocopy --doorbell eventfd\n"
		"  ipc-emu run --backend icbmsg --scenario exhaustion --messages 2000\n"
		"  ipc-emu run --scenario ipm-echo --messages 100000 --json ipm.json\n"
		"  ipc-emu run --scenario ipm-echo --ipm-console --doorbell eventfd\n"
		"  ipc-emu run --scenario mbox-pingpong --mbox-mode data\n"
		"  ipc-emu run --ipm-console\n"
		"  ipc-emu run --unbound detect --crash-point icmsg_send_before_signal@100\n"
		"  ipc-emu run --backend icbmsg --crash-point remote:icbmsg_block_before_control@20\n"
		"  ipc-emu run --cache-model --unbound enable\n"
		"\n"
		"more than two cores (docs/multicore.md):\n"
		"  --dts A,B,C[,...]      3..8 devicetrees, one per core, each core named by\n"
		"                         its file without the extension; or\n"
		"  --core NAME=FILE       2..8 times.  One process per core; every ICMsg/ICBMsg\n"
		"                         instance pair of the devicetrees is a link, and all\n"
		"                         links run echo-stream at once (first core: host role)\n"
		"  --messages, --endpoints, --nocopy (ICBMsg links), --seed, --rx-buf-size,\n"
		"  --doorbell, --busy-poll, --rx-in-isr, --mem-limit, --timeout, --quiet,\n"
		"  --json: as above, for every link; --trace: one process per core, its\n"
		"  threads named by link; --valgrind: every core process under memcheck,\n"
		"  errors per core; the other options are two-core only\n"
		"  --kill-random K        K SIGKILLs of random cores (seeded); a killed core\n"
		"                         restarts: its ICMsg links' other cores must see\n"
		"                         unbound() and re-bond, the other core of an ICBMsg\n"
		"                         link restarts too; links of untouched cores must see\n"
		"                         no unbound() and lose nothing\n"
		"  --kill-core NAME       with --kill-random: kill only this core\n"
		"  --crash-point CORE:NAME[@N]  the core's process dies at the Nth hit of NAME\n"
		"  --core-prog NAME=PROG  run your Zephyr program PROG on core NAME (built with\n"
		"                         ipc-emu's headers against that core's devicetree),\n"
		"                         once per core, every core or none; -- ARGS go to\n"
		"                         every program; the verdict is their exit statuses\n"
		"                         (with --timeout, --seed, --doorbell, --busy-poll,\n"
		"                         --rx-in-isr, --rx-buf-size, --quiet, --json)\n"
		"\n"
		"exit status: 0 passed, 1 an invariant failed (corrupted, duplicated, reordered\n"
		"or lost messages, ICBMsg blocks left in use, a reset not recovered, a peer\n"
		"failed, valgrind errors, hang), 2 usage or configuration error, 77 skipped,\n"
		"128+N interrupted by signal N.\n",
		points, shim);
}

void cli_help_peer(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu peer --role host|remote --segment NAME [options]\n"
		"\n"
		"Run one side of the scenario by hand.  The host creates the segment NAME in\n"
		"/dev/shm if it does not exist (else attaches to it); the remote attaches,\n"
		"retrying while it does not exist.  Both sides must be given the same\n"
		"scenario options.  The creator removes the segment when it exits, a host\n"
		"also on SIGINT/SIGTERM (exit 128+N).  A second live process for a role is\n"
		"refused (\"role host is taken by pid N\"), and /dev/shm objects of that name\n"
		"that are not an ipc-emu segment are named (exit 2).\n"
		"\n"
		"options:\n"
		"  --role ROLE            host|remote (required)\n"
		"  --segment NAME         shared-memory segment name (required)\n" SCENARIO_OPTIONS_HELP
		"  --doorbell futex       doorbell kind of a segment the host creates; eventfd\n"
		"                         needs `ipc-emu run` (default: futex)\n"
		"  --timeout SEC          give up after SEC seconds, attaching included\n"
		"                         (default: 120; 0: none)\n"
		"  --crash-point [ROLE:]NAME[@N]\n"
		"                         SIGKILL this peer at the Nth hit of a crash point of\n"
		"                         the core (if ROLE, when given, is this peer's); the\n"
		"                         names: 'ipc-emu help run'\n"
		"  --cache-model          see the shared regions through a private incoherent\n"
		"                         cache (as 'ipc-emu run --cache-model')\n"
		"  --help                 this text\n"
		"\n"
		"examples:\n"
		"  ipc-emu peer --role host --segment demo --unbound enable\n"
		"  ipc-emu peer --role remote --segment demo --unbound enable\n"
		"  ipc-emu peer --role remote --segment demo --dts board.dts --messages 10000\n"
		"  ipc-emu peer --role host --segment icb --backend icbmsg --endpoints 8\n"
		"\n"
		"exit status: 0 passed, 1 an invariant failed or timeout, 2 usage or\n"
		"configuration error.\n");
}

/* ------------------------------------------------------------- parsing -- */

static const char *cmd_name(enum cli_cmd cmd)
{
	return cmd == CLI_CMD_RUN ? "run" : "peer";
}

static int usage(enum cli_cmd cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage(enum cli_cmd cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ipc-emu: %s: ", cmd_name(cmd));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'ipc-emu %s --help')\n", cmd_name(cmd));
	return -1;
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+') {
		return false;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max) {
		return false;
	}
	*out = v;
	return true;
}

int cli_core_spec_split(const char *v, char *store, size_t cap, struct emu_topo_core_spec *spec,
			size_t *name_len)
{
	const char *eq = strchr(v, '=');
	size_t len;

	if (eq == NULL || eq == v || eq[1] == '\0') {
		return -1;
	}
	if (name_len != NULL) {
		*name_len = (size_t)(eq - v);
	}
	len = strlen(v);
	if (cap != 0 && len >= cap) {
		return -2;
	}
	if (store != NULL) {
		memcpy(store, v, len + 1);
		store[eq - v] = '\0';
		spec->name = store;
		spec->path = store + (eq - v) + 1;
	}
	return 0;
}

static bool parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0') {
		return false;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v >= 0.0) || v > 1e7) {
		return false;
	}
	*out = v;
	return true;
}

static bool parse_fds(const char *s, int fds[4])
{
	char buf[128], *save = NULL, *tok;
	int n = 0;

	if (strlen(s) >= sizeof(buf)) {
		return false;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v;

		if (n == 4) {
			return false;
		}
		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno != 0 || *end != '\0' || v < -1 || v > INT_MAX) {
			return false;
		}
		fds[n++] = (int)v;
	}
	return n == 4 && fds[0] >= 0 && fds[1] >= 0;
}

/* Split "a,b" into the dts list (pointers into a static copy). */
static bool parse_dts(const char *s, struct cli_opts *o)
{
	static char buf[2][4096];
	const char *comma = strchr(s, ',');

	if (comma == NULL) {
		if (strlen(s) == 0 || strlen(s) >= sizeof(buf[0])) {
			return false;
		}
		strcpy(buf[0], s);
		o->dts[0] = buf[0];
		o->n_dts = 1;
		return true;
	}
	if (strchr(comma + 1, ',') != NULL || comma == s || comma[1] == '\0' ||
	    (size_t)(comma - s) >= sizeof(buf[0]) || strlen(comma + 1) >= sizeof(buf[1])) {
		return false;
	}
	memcpy(buf[0], s, (size_t)(comma - s));
	buf[0][comma - s] = '\0';
	strcpy(buf[1], comma + 1);
	o->dts[0] = buf[0];
	o->dts[1] = buf[1];
	o->n_dts = 2;
	return true;
}

enum opt_id {
	O_DTS, O_BACKEND, O_INSTANCE, O_UNBOUND, O_MESSAGES, O_JSON, O_DOORBELL, O_VALGRIND,
	O_RX_IN_ISR, O_RX_BUF, O_SEED, O_KILL, O_TIMEOUT, O_QUIET, O_ROLE, O_SEGMENT, O_FDS,
	O_HELP, O_ENDPOINTS, O_NOCOPY, O_SCENARIO, O_MBOX_MODE, O_IPM_CONSOLE, O_CACHE_MODEL,
	O_CRASH_POINT, O_BUSY_POLL, O_HOST_PROG, O_REMOTE_PROG, O_TRACE, O_JUNIT, O_KILL_ROLE,
	O_ZEPHYR_BASE, O_HOST_ZEPHYR_BASE, O_REMOTE_ZEPHYR_BASE, O_NO_ZEPHYR_BASE, O_KCONFIG,
	O_HOST_KCONFIG, O_REMOTE_KCONFIG, O_MEM_LIMIT, O_SCHEDULE, O_SANITIZE,
	O_ICBMSG_VERSION, O_MAX_ACTIVE,
};


enum { MEM_LIMIT_MAX_MIB = 4095 }; /* the segment's size is 32-bit (as check) */

/* This ipc-emu (and so its libipc_emu) is built with AddressSanitizer
 * (-DIPC_EMU_SANITIZE=ON): a Zephyr program linked with that library starts
 * only when it loads ASan's runtime first, i.e. is built with
 * -fsanitize=address itself. */
#if defined(__SANITIZE_ADDRESS__)
#define CLI_ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLI_ASAN_BUILD 1
#endif
#endif
#ifndef CLI_ASAN_BUILD
#define CLI_ASAN_BUILD 0
#endif

#define FOR_RUN 1u
#define FOR_PEER 2u

static const struct {
	const char *name;
	enum opt_id id;
	bool arg;
	unsigned cmds;
} opt_table[] = {
	{"dts", O_DTS, true, FOR_RUN | FOR_PEER},
	{"backend", O_BACKEND, true, FOR_RUN | FOR_PEER},
	{"instance", O_INSTANCE, true, FOR_RUN | FOR_PEER},
	{"unbound", O_UNBOUND, true, FOR_RUN | FOR_PEER},
	{"messages", O_MESSAGES, true, FOR_RUN | FOR_PEER},
	{"json", O_JSON, true, FOR_RUN | FOR_PEER},
	{"doorbell", O_DOORBELL, true, FOR_RUN | FOR_PEER},
	{"valgrind", O_VALGRIND, false, FOR_RUN},
	{"rx-in-isr", O_RX_IN_ISR, false, FOR_RUN | FOR_PEER},
	{"rx-buf-size", O_RX_BUF, true, FOR_RUN | FOR_PEER},
	{"seed", O_SEED, true, FOR_RUN | FOR_PEER},
	{"kill-random", O_KILL, true, FOR_RUN},
	{"timeout", O_TIMEOUT, true, FOR_RUN | FOR_PEER},
	{"quiet", O_QUIET, false, FOR_RUN | FOR_PEER},
	{"role", O_ROLE, true, FOR_PEER},
	{"segment", O_SEGMENT, true, FOR_PEER},
	{"fds", O_FDS, true, FOR_PEER},
	{"help", O_HELP, false, FOR_RUN | FOR_PEER},
	{"endpoints", O_ENDPOINTS, true, FOR_RUN | FOR_PEER},
	{"nocopy", O_NOCOPY, false, FOR_RUN | FOR_PEER},
	{"scenario", O_SCENARIO, true, FOR_RUN | FOR_PEER},
	{"mbox-mode", O_MBOX_MODE, true, FOR_RUN | FOR_PEER},
	{"ipm-console", O_IPM_CONSOLE, false, FOR_RUN | FOR_PEER},
	{"cache-model", O_CACHE_MODEL, false, FOR_RUN | FOR_PEER},
	{"crash-point", O_CRASH_POINT, true, FOR_RUN | FOR_PEER},
	{"busy-poll", O_BUSY_POLL, false, FOR_RUN | FOR_PEER}, /* optional =US */
	{"host", O_HOST_PROG, true, FOR_RUN},
	{"remote", O_REMOTE_PROG, true, FOR_RUN},
	{"trace", O_TRACE, true, FOR_RUN},
	{"junit", O_JUNIT, true, FOR_RUN},
	{"kill-role", O_KILL_ROLE, true, FOR_RUN},
	{"zephyr-base", O_ZEPHYR_BASE, true, FOR_RUN},
	{"sanitize", O_SANITIZE, true, FOR_RUN},
	{"host-zephyr-base", O_HOST_ZEPHYR_BASE, true, FOR_RUN},
	{"remote-zephyr-base", O_REMOTE_ZEPHYR_BASE, true, FOR_RUN},
	{"no-zephyr-base", O_NO_ZEPHYR_BASE, false, FOR_RUN},
	{"kconfig", O_KCONFIG, true, FOR_RUN},
	{"host-kconfig", O_HOST_KCONFIG, true, FOR_RUN},
	{"remote-kconfig", O_REMOTE_KCONFIG, true, FOR_RUN},
	{"mem-limit", O_MEM_LIMIT, true, FOR_RUN | FOR_PEER},
	{"schedule", O_SCHEDULE, true, FOR_RUN},
	{"icbmsg-version", O_ICBMSG_VERSION, true, FOR_RUN | FOR_PEER},
	{"max-active-count", O_MAX_ACTIVE, true, FOR_RUN | FOR_PEER},
};

static void opts_default(enum cli_cmd cmd, struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kill_role = -1;
	o->cmd = cmd;
	o->backend = EMU_BACKEND_ICMSG;
	o->messages = CLI_DEFAULT_MESSAGES;
	o->doorbell = EMU_DOORBELL_FUTEX;
	o->rx_buf_size = CLI_DEFAULT_RX_BUF;
	o->seed = 1;
	o->timeout_s = CLI_DEFAULT_TIMEOUT_S;
	for (int i = 0; i < 4; i++) {
		o->fds[i] = -1;
	}
}

static int apply(enum cli_cmd cmd, enum opt_id id, const char *name, const char *v,
		 struct cli_opts *o)
{
	uint64_t u;

	switch (id) {
	case O_DTS:
		if (!parse_dts(v, o)) {
			return usage(cmd, "--dts wants FILE or HOSTFILE,REMOTEFILE, not '%s'", v);
		}
		break;
	case O_BACKEND:
		if (strcmp(v, "icmsg") == 0) {
			o->backend = EMU_BACKEND_ICMSG;
		} else if (strcmp(v, "icbmsg") == 0) {
			o->backend = EMU_BACKEND_ICBMSG;
		} else {
			return usage(cmd, "--backend wants icmsg or icbmsg, not '%s'", v);
		}
		break;
	case O_ICBMSG_VERSION:
		if (strcmp(v, "classic") == 0) {
			o->icbmsg_version = EMU_ICBMSG_CLASSIC;
		} else if (strcmp(v, "v2") == 0) {
			o->icbmsg_version = EMU_ICBMSG_V2;
		} else {
			return usage(cmd, "--icbmsg-version wants classic or v2, not '%s'", v);
		}
		break;
	case O_MAX_ACTIVE:
		if (!cli_parse_u64(v, ICBMSG_V2_MAX_ACTIVE_COUNT_MAX, &u) ||
		    u < ICBMSG_V2_MAX_ACTIVE_COUNT_MIN) {
			return usage(cmd, "--max-active-count wants %d..%d (CONFIG_IPC_SERVICE_BACKEND_"
				     "ICBMSG_MAX_ACTIVE_COUNT), not '%s'", ICBMSG_V2_MAX_ACTIVE_COUNT_MIN,
				     ICBMSG_V2_MAX_ACTIVE_COUNT_MAX, v);
		}
		o->max_active_count = (uint32_t)u;
		break;
	case O_INSTANCE:
		if (*v == '\0' || strlen(v) >= 32) {
			return usage(cmd, "--instance wants a node label, not '%s'", v);
		}
		o->instance = v;
		break;
	case O_UNBOUND:
		if (strcmp(v, "disable") == 0) {
			o->unbound = EMU_UNBOUND_DISABLE;
		} else if (strcmp(v, "enable") == 0) {
			o->unbound = EMU_UNBOUND_ENABLE;
		} else if (strcmp(v, "detect") == 0) {
			o->unbound = EMU_UNBOUND_DETECT;
		} else {
			return usage(cmd, "--unbound wants disable, enable or detect, not '%s'", v);
		}
		break;
	case O_MESSAGES:
		if (!cli_parse_u64(v, UINT32_MAX, &o->messages)) {
			return usage(cmd, "--messages wants a count 0..%u, not '%s'", UINT32_MAX, v);
		}
		o->messages_set = true;
		break;
	case O_JSON:
		if (*v == '\0') {
			return usage(cmd, "--json wants a file name");
		}
		o->json = v;
		break;
	case O_DOORBELL:
		if (strcmp(v, "futex") == 0) {
			o->doorbell = EMU_DOORBELL_FUTEX;
		} else if (strcmp(v, "eventfd") == 0) {
			o->doorbell = EMU_DOORBELL_EVENTFD;
		} else {
			return usage(cmd, "--doorbell wants futex or eventfd, not '%s'", v);
		}
		o->doorbell_set = true;
		break;
	case O_VALGRIND:
		o->valgrind = true;
		break;
	case O_RX_IN_ISR:
		o->rx_in_isr = true;
		break;
	case O_RX_BUF:
		if (!cli_parse_u64(v, UINT16_MAX, &u) || u < SCN_HDR_LEN) {
			return usage(cmd, "--rx-buf-size wants bytes %u..65535, not '%s'", SCN_HDR_LEN,
				     v);
		}
		o->rx_buf_size = (uint32_t)u;
		break;
	case O_SEED:
		if (!cli_parse_u64(v, UINT64_MAX, &o->seed)) {
			return usage(cmd, "--seed wants an unsigned integer, not '%s'", v);
		}
		break;
	case O_SCHEDULE:
		if (strcmp(v, "coop") != 0 && strcmp(v, "parallel") != 0 &&
		    strcmp(v, "random") != 0) {
			return usage(cmd, "--schedule wants coop, parallel or random, not '%s'", v);
		}
		o->schedule = v;
		break;
	case O_KILL:
		if (!cli_parse_u64(v, 1000, &u)) {
			return usage(cmd, "--kill-random wants a count 0..1000, not '%s'", v);
		}
		o->kill_random = (unsigned)u;
		break;
	case O_TIMEOUT:
		if (!parse_double(v, &o->timeout_s)) {
			return usage(cmd, "--timeout wants seconds >= 0, not '%s'", v);
		}
		o->timeout_set = true;
		break;
	case O_QUIET:
		o->quiet = true;
		break;
	case O_ROLE:
		if (strcmp(v, "host") == 0) {
			o->role = EMU_ROLE_HOST;
		} else if (strcmp(v, "remote") == 0) {
			o->role = EMU_ROLE_REMOTE;
		} else {
			return usage(cmd, "--role wants host or remote, not '%s'", v);
		}
		o->role_set = true;
		break;
	case O_SEGMENT:
		if (*v == '\0' || strlen(v) > 200 || strchr(v, '/') != NULL) {
			return usage(cmd, "--segment wants a name without '/', not '%s'", v);
		}
		o->segment = v;
		break;
	case O_FDS:
		if (!parse_fds(v, o->fds)) {
			return usage(cmd, "--fds wants MEM,CTL,EFD0,EFD1, not '%s'", v);
		}
		o->have_fds = true;
		break;
	case O_ENDPOINTS:
		if (!cli_parse_u64(v, SCN_MAX_ENDPOINTS, &u) || u == 0) {
			return usage(cmd, "--endpoints wants a count 1..%u, not '%s'", SCN_MAX_ENDPOINTS,
				     v);
		}
		o->endpoints = (unsigned)u;
		break;
	case O_NOCOPY:
		o->nocopy = true;
		break;
	case O_SCENARIO:
		if (strcmp(v, "echo-stream") == 0) {
			o->scenario = SCN_ECHO_STREAM;
		} else if (strcmp(v, "exhaustion") == 0) {
			o->scenario = SCN_EXHAUSTION;
		} else if (strcmp(v, "priorities") == 0) {
			o->scenario = SCN_PRIORITIES;
		} else if (strcmp(v, "ipm-echo") == 0) {
			o->scenario = SCN_IPM_ECHO;
		} else if (strcmp(v, "mbox-pingpong") == 0) {
			o->scenario = SCN_MBOX_PINGPONG;
		} else if (strcmp(v, "echo-server") == 0 && cmd == CLI_CMD_PEER) {
			o->scenario = SCN_ECHO_SERVER;
		} else if (strcmp(v, "echo-server") == 0) {
			return usage(cmd, "--scenario echo-server is for 'ipc-emu peer': the other "
					  "side of a test host of your own (the Python harness)");
		} else {
			return usage(cmd, "--scenario wants echo-stream, exhaustion, priorities, "
					  "ipm-echo%s or mbox-pingpong, not '%s'",
				     cmd == CLI_CMD_PEER ? ", echo-server" : "", v);
		}
		break;
	case O_MBOX_MODE:
		if (strcmp(v, "signal") == 0) {
			o->mbox_mode = SCN_MBOX_SIGNAL;
		} else if (strcmp(v, "data") == 0) {
			o->mbox_mode = SCN_MBOX_DATA;
		} else {
			return usage(cmd, "--mbox-mode wants signal or data, not '%s'", v);
		}
		o->mbox_mode_set = true;
		break;
	case O_CACHE_MODEL:
		o->cache_model = true;
		break;
	case O_CRASH_POINT: {
		struct cli_crash cp;
		int rc = cli_parse_crash(v, &cp);

		if (rc == -ENOENT) {
			return usage(cmd, "--crash-point: unknown crash point in '%s' (see 'ipc-emu "
				     "help run')", v);
		}
		if (rc < 0) {
			return usage(cmd, "--crash-point: expected [host:|remote:]NAME[@N] with N "
				     ">= 1, got '%s'", v);
		}
		if (cmd == CLI_CMD_PEER && cli_crash_is_shim(cp.name)) {
			return usage(cmd, "--crash-point %s: a point of the Zephyr shim; the built-in "
				     "peer does not run it", cp.name);
		}
		o->crash_point = v;
		break;
	}
	case O_BUSY_POLL:
		o->busy_poll_us = CLI_DEFAULT_BUSY_POLL_US;
		if (v != NULL) {
			if (!cli_parse_u64(v, 1000000, &u) || u == 0) {
				return usage(cmd, "--busy-poll wants a time in microseconds 1..1000000, "
					     "not '%s'", v);
			}
			o->busy_poll_us = (uint32_t)u;
		}
		break;
	case O_HOST_PROG:
		o->prog[EMU_ROLE_HOST] = v;
		break;
	case O_REMOTE_PROG:
		o->prog[EMU_ROLE_REMOTE] = v;
		break;
	case O_TRACE:
		o->trace = v;
		break;
	case O_ZEPHYR_BASE:
	case O_HOST_ZEPHYR_BASE:
	case O_REMOTE_ZEPHYR_BASE:
		if (*v == '\0') {
			return usage(cmd, "--%s wants a Zephyr tree (the directory of ZEPHYR_BASE)",
				     id == O_ZEPHYR_BASE ? "zephyr-base"
				     : id == O_HOST_ZEPHYR_BASE ? "host-zephyr-base"
								: "remote-zephyr-base");
		}
		if (id != O_REMOTE_ZEPHYR_BASE) {
			o->zephyr_base[EMU_ROLE_HOST] = v;
		}
		if (id != O_HOST_ZEPHYR_BASE) {
			o->zephyr_base[EMU_ROLE_REMOTE] = v;
		}
		break;
	case O_SANITIZE:
		o->sanitize = zb_sanitize_set(v);
		if (o->sanitize == NULL) {
			return usage(cmd, "--sanitize wants address, undefined or address,undefined, "
				     "not '%s'", v);
		}
		break;
	case O_NO_ZEPHYR_BASE:
		o->no_zephyr_base = true;
		break;
	case O_KCONFIG:
	case O_HOST_KCONFIG:
	case O_REMOTE_KCONFIG:
		if (*v == '\0') {
			return usage(cmd, "--%s wants a Kconfig fragment (prj.conf)", name);
		}
		for (int r = 0; r < 2; r++) {
			if (id == (r == EMU_ROLE_HOST ? O_REMOTE_KCONFIG : O_HOST_KCONFIG)) {
				continue;
			}
			if (o->n_kconfig[r] == CLI_MAX_KCONFIG) {
				return usage(cmd, "at most %d Kconfig files per core", CLI_MAX_KCONFIG);
			}
			o->kconfig[r][o->n_kconfig[r]++] = v;
		}
		break;
	case O_JUNIT:
		if (*v == '\0') {
			return usage(cmd, "--junit wants a file name");
		}
		o->junit = v;
		break;
	case O_MEM_LIMIT:
		if (!cli_parse_u64(v, MEM_LIMIT_MAX_MIB, &u) || u == 0) {
			return usage(cmd, "--mem-limit: '%s' is not a number of MiB in 1..%d", v,
				     MEM_LIMIT_MAX_MIB);
		}
		o->mem_limit_mib = (unsigned)u;
		break;
	case O_KILL_ROLE:
		o->kill_role_set = true;
		if (strcmp(v, "host") == 0) {
			o->kill_role = EMU_ROLE_HOST;
		} else if (strcmp(v, "remote") == 0) {
			o->kill_role = EMU_ROLE_REMOTE;
		} else if (strcmp(v, "any") == 0) {
			o->kill_role = -1;
		} else {
			return usage(cmd, "--kill-role wants host, remote or any, not '%s'", v);
		}
		break;
	case O_IPM_CONSOLE:
		o->ipm_console = true;
		break;
	case O_HELP:
		break;
	}
	(void)name;
	return 0;
}

int cli_parse(enum cli_cmd cmd, int argc, char **argv, int first, struct cli_opts *o)
{
	unsigned mask = cmd == CLI_CMD_RUN ? FOR_RUN : FOR_PEER;

	opts_default(cmd, o);
	for (int i = first; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		char name[64];
		size_t nlen;
		size_t k;

		if (strcmp(a, "--") == 0 && cmd == CLI_CMD_RUN) {
			o->prog_argc = argc - i - 1;
			o->prog_argv = argv + i + 1;
			break;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (strcmp(a, "-h") == 0) {
				(cmd == CLI_CMD_RUN ? cli_help_run : cli_help_peer)(stdout);
				return 1;
			}
			return usage(cmd, "unexpected argument '%s'", a);
		}
		eq = strchr(a + 2, '=');
		nlen = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		if (nlen >= sizeof(name)) {
			return usage(cmd, "unknown option '%.40s...'", a);
		}
		memcpy(name, a + 2, nlen);
		name[nlen] = '\0';
		for (k = 0; k < sizeof(opt_table) / sizeof(opt_table[0]); k++) {
			if (strcmp(opt_table[k].name, name) == 0 && (opt_table[k].cmds & mask)) {
				break;
			}
		}
		if (k == sizeof(opt_table) / sizeof(opt_table[0])) {
			return usage(cmd, "unknown option '--%s'", name);
		}
		if (opt_table[k].id == O_HELP) {
			(cmd == CLI_CMD_RUN ? cli_help_run : cli_help_peer)(stdout);
			return 1;
		}
		if (opt_table[k].arg) {
			if (eq) {
				val = eq + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				return usage(cmd, "option '--%s' needs a value", name);
			}
		} else if (eq && opt_table[k].id == O_BUSY_POLL) {
			val = eq + 1;
		} else if (eq) {
			return usage(cmd, "option '--%s' takes no value", name);
		}
		if (apply(cmd, opt_table[k].id, name, val, o) < 0) {
			return -1;
		}
	}
	if (cmd == CLI_CMD_PEER) {
		if (!o->role_set) {
			return usage(cmd, "--role host|remote is required");
		}
		if (o->have_fds && o->segment != NULL) {
			return usage(cmd, "--fds and --segment are exclusive");
		}
		if (!o->have_fds && o->segment == NULL) {
			return usage(cmd, "--segment NAME is required");
		}
		if (!o->have_fds && o->doorbell == EMU_DOORBELL_EVENTFD) {
			return usage(cmd, "--doorbell eventfd needs 'ipc-emu run' (eventfds cannot "
					  "be found by name)");
		}
	}
	if (cmd == CLI_CMD_RUN && o->no_zephyr_base &&
	    (o->zephyr_base[0] != NULL || o->zephyr_base[1] != NULL)) {
		return usage(cmd, "--no-zephyr-base and --zephyr-base DIR (or --host-/--remote-"
				  "zephyr-base) contradict each other");
	}
	/* ZEPHYR_BASE applies to `ipc-emu run` as typed (main()'s argv, not the
	 * runs `stress` composes), when no option chooses the stack: any
	 * --*zephyr-base, --no-zephyr-base and --host/--remote PROG win. */
	if (cmd == CLI_CMD_RUN && argv[0] == program_invocation_name && !o->no_zephyr_base &&
	    o->zephyr_base[0] == NULL && o->zephyr_base[1] == NULL && o->prog[0] == NULL &&
	    o->prog[1] == NULL && getenv("ZEPHYR_BASE") != NULL && getenv("ZEPHYR_BASE")[0] != '\0') {
		o->zephyr_base[EMU_ROLE_HOST] = getenv("ZEPHYR_BASE");
		o->zephyr_base[EMU_ROLE_REMOTE] = o->zephyr_base[EMU_ROLE_HOST];
		o->zephyr_base_env = true;
	}
	if (cmd == CLI_CMD_RUN && (o->n_kconfig[0] > 0 || o->n_kconfig[1] > 0) &&
	    o->zephyr_base[0] == NULL && o->zephyr_base[1] == NULL) {
		return usage(cmd, "--kconfig applies to the builds of --zephyr-base (or ZEPHYR_BASE) "
				  "runs; %s",
			     o->prog[0] != NULL ? "a --host/--remote program has its Kconfig "
						  "compiled in (zephyr-build --kconfig)"
						: "ipc-emu's core takes its settings from options "
						  "(--rx-buf-size, --unbound, ...)");
	}
	if (o->zephyr_base[0] != NULL || o->zephyr_base[1] != NULL) {
		const char *bad = o->prog[0] != NULL || o->prog[1] != NULL ? "--host/--remote PROG"
				  : o->scenario != SCN_ECHO_STREAM && o->scenario != SCN_EXHAUSTION
					  ? "--scenario"
				  : o->endpoints > 1 && o->backend != EMU_BACKEND_ICBMSG ? "--endpoints"
				  : o->unbound != 0 ? "--unbound"
				  : o->nocopy && o->backend != EMU_BACKEND_ICBMSG ? "--nocopy"
				  : o->ipm_console ? "--ipm-console"
						   : NULL;

		if (bad != NULL && o->zephyr_base_env) {
			return usage(cmd, "%s: ZEPHYR_BASE=%s in the environment selects Zephyr's IPC "
					  "sources, which do not support it yet; add --no-zephyr-base "
					  "to run ipc-emu's core", bad, o->zephyr_base[EMU_ROLE_HOST]);
		}
		if (bad != NULL && o->prog[0] != NULL) {
			return usage(cmd, "--host/--remote PROG with --zephyr-base: a program's IPC "
					  "stack is linked in; build it on the tree with `ipc-emu "
					  "zephyr-build --zephyr-base DIR --core ROLE --app-src FILE.c` "
					  "and run it without --zephyr-base");
		}
		if (bad != NULL && o->unbound != 0 && strcmp(bad, "--unbound") == 0) {
			return usage(cmd, "--unbound is not supported with --zephyr-base: a Zephyr "
					  "core compiles the mode in; set the DTS's unbound property");
		}
		if (bad != NULL && (o->nocopy || o->endpoints > 1) && o->scenario == SCN_ECHO_STREAM &&
		    o->backend == EMU_BACKEND_ICMSG) {
			return usage(cmd, "%s is not supported with --zephyr-base: the echo apps run "
					  "on ICMsg instance ipc0, and ICMsg has %s", bad,
				     strcmp(bad, "--nocopy") == 0
					     ? "no no-copy API (get_tx_buffer/send_nocopy)"
					     : "one endpoint per instance");
		}
		if (bad != NULL) {
			return usage(cmd, "%s is not supported yet with --zephyr-base (Zephyr's IPC "
					  "sources run the echo exchange of emu/zephyr_apps only)", bad);
		}
		/* The echo apps run K endpoints on ICBMsg: at most 4, the default
		 * of CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP (ipc-emu's core as a
		 * user program has that default too). */
		if (o->endpoints > 4) {
			return usage(cmd, "--endpoints %u with --zephyr-base: the echo apps run at "
					  "most 4 endpoints (CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP's "
					  "default)", o->endpoints);
		}
	}
	if (o->sanitize != NULL && o->zephyr_base[0] == NULL && o->zephyr_base[1] == NULL) {
		return usage(cmd, "--sanitize applies to the builds of --zephyr-base runs (for "
				  "ipc-emu's own peers, build ipc-emu with -DIPC_EMU_SANITIZE=ON)");
	}
	if (CLI_ASAN_BUILD && cmd == CLI_CMD_RUN &&
	    (o->zephyr_base[0] != NULL || o->zephyr_base[1] != NULL) &&
	    (o->sanitize == NULL || strstr(o->sanitize, "address") == NULL)) {
		return usage(cmd, "--zephyr-base with this ipc-emu, built with -DIPC_EMU_SANITIZE=ON: "
				  "its libipc_emu is AddressSanitizer-instrumented, and a Zephyr "
				  "program that links it starts only with ASan's runtime first; add "
				  "--sanitize address (or address,undefined), or use an ipc-emu built "
				  "without IPC_EMU_SANITIZE");
	}
	if (o->sanitize != NULL && o->valgrind) {
		return usage(cmd, "--sanitize and --valgrind exclude each other (a sanitized "
				  "program does not run under valgrind)");
	}
	if (o->crash_point != NULL && cmd == CLI_CMD_RUN) {
		struct cli_crash cp;
		bool zb = o->zephyr_base[0] != NULL || o->zephyr_base[1] != NULL;

		(void)cli_parse_crash(o->crash_point, &cp); /* checked above */
		if (cli_crash_is_shim(cp.name) && !zb && o->prog[0] == NULL) {
			return usage(cmd, "--crash-point %s: a point of the Zephyr shim, hit only by "
				     "--host/--remote programs and --zephyr-base runs", cp.name);
		}
		for (int r = 0; r < 2 && zb && !cli_crash_is_shim(cp.name); r++) {
			if ((cp.roles & (1u << r)) && o->zephyr_base[r] != NULL) {
				return usage(cmd, "--crash-point %s: a point of ipc-emu's core, which "
					     "the %s (Zephyr's IPC sources) does not run; use a "
					     "zephyr_* point or arm the other core", cp.name,
					     r == 0 ? "host" : "remote");
			}
		}
	}
	if (o->schedule != NULL && o->prog[0] == NULL && o->prog[1] == NULL &&
	    o->zephyr_base[0] == NULL && o->zephyr_base[1] == NULL) {
		return usage(cmd, "--schedule applies to Zephyr programs (--host/--remote PROG, "
				  "--zephyr-base): the built-in peers run ipc-emu's core");
	}
	if ((o->prog[0] == NULL) != (o->prog[1] == NULL)) {
		return usage(cmd, "--host PROG and --remote PROG go together (a user program "
				  "cannot pair with a built-in peer)");
	}
	if (o->prog[0] != NULL) {
		const char *bad = o->ipm_console	  ? "--ipm-console"
				  : o->scenario != SCN_ECHO_STREAM ? "--scenario"
				  : o->nocopy		  ? "--nocopy"
				  : o->messages_set	  ? "--messages"
							  : NULL;

		if (bad != NULL) {
			return usage(cmd, "%s does not apply to user programs (--host/--remote): "
					  "they run their own code", bad);
		}
	} else if (o->prog_argc > 0) {
		return usage(cmd, "arguments after '--' are for --host/--remote programs");
	}
	if (o->mbox_mode_set && o->scenario != SCN_MBOX_PINGPONG) {
		return usage(cmd, "--mbox-mode applies to --scenario mbox-pingpong only, not %s",
			     scn_scenario_name(o->scenario));
	}
	if ((uint64_t)o->mem_limit_mib << 20 > EMU_DT_MEM_LIMIT_DEFAULT &&
	    (o->prog[0] != NULL || o->zephyr_base[0] != NULL ||
	     o->zephyr_base[1] != NULL)) {
		return usage(cmd, "--mem-limit %u: user programs (--host/--remote, --zephyr-base) "
				  "read the devicetree with the default limit, 256 MiB",
			     o->mem_limit_mib);
	}
	if (o->kill_role_set && o->kill_random == 0) {
		return usage(cmd, "--kill-role picks the peer that --kill-random K kills: it needs "
				  "--kill-random K (K >= 1)");
	}
	if (o->ipm_console && o->crash_point != NULL) {
		return usage(cmd, "--ipm-console cannot be combined with --crash-point (a crashed "
				  "remote would cut its console lines)");
	}
	if (o->ipm_console && o->kill_random > 0) {
		return usage(cmd, "--ipm-console cannot be combined with --kill-random (a killed "
				  "remote would cut its console lines)");
	}
	if (scn_is_raw(o->scenario)) {
		const char *bad = o->backend != EMU_BACKEND_ICMSG ? "--backend icbmsg"
				  : o->nocopy			 ? "--nocopy"
				  : o->endpoints > 1		 ? "--endpoints"
				  : o->unbound != 0		 ? "--unbound"
				  : o->instance != NULL		 ? "--instance"
				  : o->rx_in_isr		 ? "--rx-in-isr"
				  : o->kill_random > 0		 ? "--kill-random"
				  : o->crash_point != NULL	 ? "--crash-point"
				  : o->cache_model		 ? "--cache-model"
				  : o->icbmsg_version != 0	 ? "--icbmsg-version"
				  : o->max_active_count != 0	 ? "--max-active-count"
								 : NULL;

		if (bad != NULL) {
			return usage(cmd, "%s does not apply to --scenario %s (it runs on a raw "
					  "mailbox device, no ipc_service instance)",
				     bad, scn_scenario_name(o->scenario));
		}
		if (!o->messages_set) {
			o->messages = CLI_DEFAULT_RAW_MESSAGES;
		}
	}
	if (o->crash_point != NULL && o->backend == EMU_BACKEND_ICBMSG) {
		/* A point on one ICBMsg version's paths picks that version when
		 * none is given; the other version never hits it. */
		struct cli_crash cp;
		bool v2p, shim;

		(void)cli_parse_crash(o->crash_point, &cp); /* checked above */
		v2p = strncmp(cp.name, "icbmsg_v2_", 10) == 0;
		shim = cli_crash_is_shim(cp.name);
		if (!shim && o->icbmsg_version == 0) {
			o->icbmsg_version = v2p ? EMU_ICBMSG_V2 : EMU_ICBMSG_CLASSIC;
		} else if (!shim && v2p != (o->icbmsg_version == EMU_ICBMSG_V2)) {
			return usage(cmd, "--crash-point %s: a point of %s, which --icbmsg-version %s "
				     "never reaches", cp.name, v2p ? "ICBMsg v2" : "classic ICBMsg's "
				     "stack (ICMsg control channel, blocks)",
				     cli_icbmsg_version_name(o->icbmsg_version));
		}
	}
	if (o->max_active_count != 0 && o->icbmsg_version == EMU_ICBMSG_CLASSIC) {
		return usage(cmd, "--max-active-count applies to ICBMsg v2 (classic ICBMsg has no "
				  "queues)");
	}
	if (o->backend == EMU_BACKEND_ICMSG && o->prog[0] == NULL && o->prog[1] == NULL &&
	    (o->icbmsg_version != 0 || o->max_active_count != 0)) {
		return usage(cmd, "%s needs --backend icbmsg (the scenario runs on an ICMsg "
				  "instance)",
			     o->icbmsg_version != 0 ? "--icbmsg-version" : "--max-active-count");
	}
	if (o->backend == EMU_BACKEND_ICMSG) {
		if (o->endpoints > 1) {
			return usage(cmd, "--endpoints %u needs --backend icbmsg: an ICMsg instance has "
					  "exactly one endpoint",
				     o->endpoints);
		}
		if (o->nocopy) {
			return usage(cmd, "--nocopy needs --backend icbmsg: ICMsg has no no-copy API "
					  "(get_tx_buffer/send_nocopy/hold_rx_buffer)");
		}
		if (o->scenario == SCN_EXHAUSTION) {
			return usage(cmd, "--scenario exhaustion needs --backend icbmsg: ICMsg has no "
					  "buffers to hold");
		}
		if (o->scenario == SCN_PRIORITIES) {
			return usage(cmd, "--scenario priorities needs --backend icbmsg (ICBMsg v2): "
					  "ICMsg has no endpoint priorities");
		}
	}
	if (o->valgrind && !o->timeout_set) {
		o->timeout_s = CLI_DEFAULT_TIMEOUT_S * CLI_VALGRIND_SCALE;
	} else if (o->valgrind) {
		o->timeout_s *= CLI_VALGRIND_SCALE;
	}
	return 0;
}

/* -------------------------------------------------------- configuration -- */

uint32_t scn_ring_capacity(uint64_t region_size, uint32_t dcache_alignment, bool handshake)
{
	/* pbuf.h: data[] = size - W - 4, W = max(dcache_align, handshake ? 8 : 4);
	 * a packet takes 4 + roundup4(len) bytes and 4 bytes always stay free. */
	uint64_t w = dcache_alignment > (handshake ? 8u : 4u) ? dcache_alignment
							      : (handshake ? 8u : 4u);
	uint64_t data, cap;

	if (region_size < w + 4 + 12) {
		return 0;
	}
	data = region_size - w - 4;
	cap = data >= 8 ? (data - 8) & ~(uint64_t)3 : 0;
	return cap > UINT16_MAX ? UINT16_MAX : (uint32_t)cap;
}

/* ICBMsg v2: both layouts with MAX_ACTIVE_COUNT; the largest message either
 * way, at most 65535 bytes (the header's size field). */
static int icbmsg_v2_capacity(const struct cli_opts *o, struct cli_config *c, char *err,
			      size_t errlen)
{
	const struct emu_dt_inst *in = c->inst_host;
	uint32_t s = o->max_active_count ? o->max_active_count : ICBMSG_V2_MAX_ACTIVE_COUNT_DEFAULT;
	uint64_t cap = ICBMSG_V2_MAX_MSG_SIZE;

	for (int d = 0; d < 2; d++) {
		const struct emu_dt_region *r = d == 0 ? &in->tx : &in->rx;
		uint32_t n = d == 0 ? in->tx_blocks : in->rx_blocks;
		const char *prop = d == 0 ? "tx" : "rx";
		struct icbmsg_v2_layout l;

		if (n > ICBMSG_V2_MAX_BLOCKS) {
			snprintf(err, errlen, "%s: %s: %s-blocks: %u blocks, ICBMsg v2 allows at most "
				 "%d (--icbmsg-version classic allows 256)", c->host.source, in->node,
				 prop, n, ICBMSG_V2_MAX_BLOCKS);
			return -EINVAL;
		}
		if (icbmsg_v2_layout_compute(r->addr, r->size, in->dcache_alignment, n, s, &l) < 0) {
			snprintf(err, errlen, "%s: %s: %s-region: 0x%llx bytes cannot hold the two "
				 "ICBMsg v2 queues (MAX_ACTIVE_COUNT %u) and %u blocks of at least 4 "
				 "bytes", c->host.source, in->node, prop, (unsigned long long)r->size,
				 s, n);
			return -EINVAL;
		}
		if (l.max_payload < cap) {
			cap = l.max_payload;
		}
	}
	c->max_len = o->rx_buf_size < cap ? o->rx_buf_size : (uint32_t)cap;
	if (c->max_len < SCN_HDR_LEN) {
		snprintf(err, errlen, "%s: %s: blocks too small for a %u-byte message",
			 c->host.source, in->node, SCN_HDR_LEN);
		return -EINVAL;
	}
	return 0;
}

/* Largest ICBMsg message either way: all blocks of the smaller direction. */
static int icbmsg_capacity(const struct cli_opts *o, struct cli_config *c, char *err,
			   size_t errlen)
{
	const struct emu_dt_inst *in = c->inst_host;
	struct icbmsg_layout tx, rx;
	uint64_t cap_tx, cap_rx, cap;

	if (icbmsg_layout_compute(in->tx.addr, in->tx.size, in->dcache_alignment, in->tx_blocks,
				  in->rx_blocks, &tx) < 0 ||
	    icbmsg_layout_compute(in->rx.addr, in->rx.size, in->dcache_alignment, in->rx_blocks,
				  in->tx_blocks, &rx) < 0) {
		snprintf(err, errlen, "%s: %s: tx-region/rx-region: no valid ICBMsg block layout",
			 c->host.source, in->node);
		return -EINVAL;
	}
	cap_tx = (uint64_t)tx.block_size * tx.block_count - ICBMSG_BLOCK_HEADER_SIZE;
	cap_rx = (uint64_t)rx.block_size * rx.block_count - ICBMSG_BLOCK_HEADER_SIZE;
	cap = cap_tx < cap_rx ? cap_tx : cap_rx;
	if (cap > UINT16_MAX) {
		cap = UINT16_MAX;
	}
	c->max_len = o->rx_buf_size < cap ? o->rx_buf_size : (uint32_t)cap;
	if (c->max_len < SCN_HDR_LEN) {
		snprintf(err, errlen, "%s: %s: blocks too small for a %u-byte message",
			 c->host.source, in->node, SCN_HDR_LEN);
		return -EINVAL;
	}
	return 0;
}

static int load_plan(const char *path, enum emu_role role, unsigned mem_limit_mib,
		     struct emu_dt_plan *p, char *err, size_t errlen)
{
	int rc;

	if (path == NULL) {
		char src[64];

		snprintf(src, sizeof(src), "<default board: %s>", scn_role_name(role));
		rc = emu_dt_load_string(emu_dt_default_board(role), src, p, err, errlen);
	} else {
		struct emu_dt_load_opts lo = {.mem_limit = (uint64_t)mem_limit_mib << 20};

		rc = emu_dt_load_file_opts(path, &lo, p, err, errlen);
		if (rc == -ENOENT && err[0] == '\0') {
			snprintf(err, errlen, "%s: no such file", path);
		}
	}
	if (rc < 0 && err[0] == '\0') {
		snprintf(err, errlen, "%s: cannot load devicetree (%s)",
			 path ? path : "<default board>", strerror(-rc));
	}
	return rc;
}

static const struct emu_dt_inst *pick(const struct emu_dt_plan *p, const struct cli_opts *o,
				      char *err, size_t errlen)
{
	const struct emu_dt_inst *in = NULL;

	if (o->instance != NULL) {
		in = emu_dt_find(p, o->instance);
		if (in == NULL) {
			snprintf(err, errlen, "%s: no IPC instance labelled '%s'", p->source,
				 o->instance);
			return NULL;
		}
		if (in->backend != o->backend) {
			snprintf(err, errlen, "%s: %s: instance '%s' is not a zephyr,ipc-%s instance",
				 p->source, in->node, o->instance, cli_backend_name(o->backend));
			return NULL;
		}
		return in;
	}
	for (unsigned i = 0; i < p->n_inst; i++) {
		if (p->inst[i].backend == o->backend) {
			return &p->inst[i];
		}
	}
	if (p->n_inst == 0) {
		/* What check's note says run does with such a tree. */
		snprintf(err, errlen, "%s: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg instance: "
				      "--scenario %s needs one (user programs --host/--remote, "
				      "--scenario ipm-echo and mbox-pingpong do not)",
			 p->source, scn_scenario_name(o->scenario));
		return NULL;
	}
	snprintf(err, errlen, "%s: no zephyr,ipc-%s instance", p->source,
		 cli_backend_name(o->backend));
	return NULL;
}

/* --ipm-console: ipm0 in both plans, the remote may send, the host receive,
 * ids up to 0xff (the classic receiver refuses a device below that). */
static int check_console(const struct cli_config *c, char *err, size_t errlen)
{
	const struct emu_dt_ipm *h = emu_dt_find_ipm(&c->host, SCN_IPM_LABEL);
	const struct emu_dt_ipm *r = emu_dt_find_ipm(&c->remote, SCN_IPM_LABEL);

	if (h == NULL || r == NULL) {
		snprintf(err, errlen, "--ipm-console: %s: no IPM device labelled '%s'",
			 h == NULL ? c->host.source : c->remote.source, SCN_IPM_LABEL);
		return -EINVAL;
	}
	if (h->max_id < SCN_CONSOLE_MIN_ID) {
		snprintf(err, errlen,
			 "--ipm-console: %s: %s: max id %u is below 0xff: the classic IPM console "
			 "sends each character as the message id and refuses such a device",
			 c->host.source, h->node, h->max_id);
		return -EINVAL;
	}
	if (!h->rx || !r->tx) {
		snprintf(err, errlen,
			 "--ipm-console: %s: %s: the remote must be able to send and the host to "
			 "receive (direction)",
			 c->host.source, h->node);
		return -EINVAL;
	}
	return 0;
}

/* ipm-echo / mbox-pingpong: the device of the scenario, both ways on both
 * sides; the report names it as the "instance". */
static int raw_config(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen)
{
	const char *label;

	c->endpoints = 1;
	c->unbound = EMU_UNBOUND_DISABLE;
	c->max_len = 4;
	if (o->scenario == SCN_IPM_ECHO) {
		const struct emu_dt_ipm *h = emu_dt_find_ipm(&c->host, SCN_IPM_LABEL);

		label = SCN_IPM_LABEL;
		if (h == NULL || emu_dt_find_ipm(&c->remote, SCN_IPM_LABEL) == NULL) {
			snprintf(err, errlen, "--scenario ipm-echo: %s: no IPM device labelled '%s'",
				 h == NULL ? c->host.source : c->remote.source, label);
			return -EINVAL;
		}
		if (!h->tx || !h->rx) {
			snprintf(err, errlen, "--scenario ipm-echo: %s: %s: direction must be \"both\"",
				 c->host.source, h->node);
			return -EINVAL;
		}
		if (h->data_size < 4) {
			snprintf(err, errlen,
				 "--scenario ipm-echo: %s: %s: data size %u, the echo needs 4 bytes",
				 c->host.source, h->node, h->data_size);
			return -EINVAL;
		}
		if (o->ipm_console && h->max_id < 0x1FFFFu) {
			snprintf(err, errlen,
				 "--scenario ipm-echo --ipm-console: %s: %s: max id %u; sharing the "
				 "device with the console needs ids up to 0x1ffff",
				 c->host.source, h->node, h->max_id);
			return -EINVAL;
		}
	} else {
		const struct emu_dt_mbox_user *u;
		bool data = o->mbox_mode == SCN_MBOX_DATA;
		unsigned dirs = 0;

		label = data ? SCN_MBOX_DATA_CONSUMER : SCN_MBOX_SIGNAL_CONSUMER;
		u = emu_dt_find_mbox_user(&c->host, label);
		if (u == NULL || emu_dt_find_mbox_user(&c->remote, label) == NULL) {
			snprintf(err, errlen, "--scenario mbox-pingpong: %s: no MBOX consumer labelled "
					      "'%s'",
				 u == NULL ? c->host.source : c->remote.source, label);
			return -EINVAL;
		}
		for (unsigned i = 0; i < u->n_chan; i++) {
			const struct emu_dt_mbox *mb = &c->host.mbox[u->chan[i].mbox];

			if (strcmp(u->chan[i].name, "tx") == 0) {
				dirs |= 1u;
			} else if (strcmp(u->chan[i].name, "rx") == 0) {
				dirs |= 2u;
			}
			if (data && (mb->mtu < 4 || mb->mtu > EMU_MBOX_MTU_MAX)) {
				snprintf(err, errlen,
					 "--mbox-mode data: %s: %s: ipc-emu,mtu = %u, data mode needs "
					 "4..%u",
					 c->host.source, mb->node, mb->mtu, EMU_MBOX_MTU_MAX);
				return -EINVAL;
			}
			c->raw_mtu = data ? mb->mtu : 0;
		}
		if (dirs != 3u) {
			snprintf(err, errlen, "--scenario mbox-pingpong: %s: %s: needs mbox-names "
					      "\"tx\" and \"rx\"",
				 c->host.source, u->node);
			return -EINVAL;
		}
		c->max_len = c->raw_mtu;
	}
	snprintf(c->raw_inst.label, sizeof(c->raw_inst.label), "%s", label);
	snprintf(c->raw_inst.node, sizeof(c->raw_inst.node), "%s", label);
	c->raw_inst.backend = EMU_BACKEND_ICMSG;
	c->inst_host = c->inst_remote = &c->raw_inst;
	return 0;
}

static int load_config(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen);

int cli_load_config(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen)
{
	int rc = load_config(o, c, err, errlen);

	if (rc == 0 && o->ipm_console) {
		rc = check_console(c, err, errlen);
	}
	return rc;
}

static int load_config(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen)
{
	int rc;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	if (o->n_dts == 0) {
		rc = load_plan(NULL, EMU_ROLE_HOST, o->mem_limit_mib, &c->host, err, errlen);
		if (rc == 0) {
			rc = load_plan(NULL, EMU_ROLE_REMOTE, o->mem_limit_mib, &c->remote, err, errlen);
		}
		if (rc == 0) {
			rc = emu_dt_check_pair(&c->host, &c->remote, err, errlen);
		}
	} else if (o->n_dts == 1) {
		rc = load_plan(o->dts[0], EMU_ROLE_HOST, o->mem_limit_mib, &c->host, err, errlen);
		if (rc == 0) {
			emu_dt_mirror(&c->host, &c->remote);
		}
	} else {
		rc = load_plan(o->dts[0], EMU_ROLE_HOST, o->mem_limit_mib, &c->host, err, errlen);
		if (rc == 0) {
			rc = load_plan(o->dts[1], EMU_ROLE_REMOTE, o->mem_limit_mib, &c->remote, err, errlen);
		}
		if (rc == 0) {
			rc = emu_dt_check_pair(&c->host, &c->remote, err, errlen);
		}
	}
	if (rc < 0) {
		if (err[0] == '\0') {
			snprintf(err, errlen, "invalid devicetree pair (%s)", strerror(-rc));
		}
		return rc;
	}
	return cli_config_finish(o, c, err, errlen);
}

int cli_config_finish(const struct cli_opts *o, struct cli_config *c, char *err, size_t errlen)
{
	uint32_t cap;
	bool handshake;

	if (scn_is_raw(o->scenario)) {
		return raw_config(o, c, err, errlen);
	}
	if (o->prog[0] != NULL && o->instance == NULL && c->host.n_inst == 0 &&
	    c->remote.n_inst == 0) {
		/* User programs on a tree without ICMsg/ICBMsg instances (MBOX or IPM
		 * only): nothing to pick; the report names no instance. */
		c->endpoints = 1;
		c->unbound = o->unbound ? o->unbound : EMU_UNBOUND_DISABLE;
		c->max_len = o->rx_buf_size;
		c->raw_inst.backend = o->backend;
		c->inst_host = c->inst_remote = &c->raw_inst;
		return 0;
	}
	c->inst_host = pick(&c->host, o, err, errlen);
	if (c->inst_host == NULL) {
		return -EINVAL;
	}
	c->inst_remote = emu_dt_find(&c->remote, c->inst_host->label);
	if (c->inst_remote == NULL) {
		snprintf(err, errlen, "%s: no IPC instance labelled '%s'", c->remote.source,
			 c->inst_host->label);
		return -EINVAL;
	}
	if (c->inst_host->backend == EMU_BACKEND_ICBMSG) {
		/* Classic ICBMsg: its ICMsg channel always runs in legacy mode. */
		if (o->unbound != 0) {
			snprintf(err, errlen, "%s: %s: --unbound applies to ICMsg instances only",
				 c->host.source, c->inst_host->node);
			return -EINVAL;
		}
		c->unbound = EMU_UNBOUND_DISABLE;
		c->endpoints = o->endpoints ? o->endpoints : SCN_ICBMSG_DEFAULT_ENDPOINTS;
		if (o->scenario == SCN_EXHAUSTION) {
			uint32_t most = c->inst_host->tx_blocks > c->inst_host->rx_blocks
						? c->inst_host->tx_blocks
						: c->inst_host->rx_blocks;

			/* Each endpoint alone must be able to use up the sender's blocks. */
			if (o->messages / 2 <= most) {
				snprintf(err, errlen,
					 "--scenario exhaustion needs --messages > %u (2 x the %u "
					 "blocks of %s %s), not %llu",
					 2 * most, most, c->host.source, c->inst_host->node,
					 (unsigned long long)o->messages);
				return -EINVAL;
			}
		}
		{
			/* --icbmsg-version, else the property, else the default
			 * (v2): the library's rule (emu_board_icbmsg_version). */
			struct emu_board_opts bo = {.icbmsg_version = o->icbmsg_version};

			c->icbmsg_version = emu_board_icbmsg_version(c->inst_host, &bo);
		}
		if (o->scenario == SCN_PRIORITIES && c->icbmsg_version != EMU_ICBMSG_V2) {
			snprintf(err, errlen, "%s: %s: --scenario priorities needs ICBMsg v2; classic "
				 "ICBMsg has no endpoint priorities", c->host.source,
				 c->inst_host->node);
			return -EINVAL;
		}
		if (o->scenario == SCN_PRIORITIES && c->endpoints < 2) {
			snprintf(err, errlen, "--scenario priorities needs --endpoints >= 2 (even "
				 "endpoints send with prio 0, odd ones with prio 1), not %u",
				 c->endpoints);
			return -EINVAL;
		}
		if (c->icbmsg_version == EMU_ICBMSG_V2) {
			return icbmsg_v2_capacity(o, c, err, errlen);
		}
		if (o->max_active_count != 0) {
			snprintf(err, errlen, "%s: %s: --max-active-count applies to ICBMsg v2; the "
				 "instance runs classic ICBMsg (ipc-emu,icbmsg-version)",
				 c->host.source, c->inst_host->node);
			return -EINVAL;
		}
		return icbmsg_capacity(o, c, err, errlen);
	}
	c->endpoints = 1;
	c->unbound = o->unbound ? o->unbound : (int)c->inst_host->unbound;
	if (c->unbound == 0) {
		c->unbound = EMU_UNBOUND_DISABLE;
	}
	handshake = c->unbound != EMU_UNBOUND_DISABLE;
	if (handshake && c->inst_host->dcache_alignment < 8) {
		snprintf(err, errlen,
			 "%s: %s: dcache-alignment: unbound \"%s\" needs dcache-alignment >= 8 "
			 "(is %u)",
			 c->host.source, c->inst_host->node, cli_unbound_name(c->unbound),
			 c->inst_host->dcache_alignment);
		return -EINVAL;
	}
	cap = scn_ring_capacity(c->inst_host->tx.size, c->inst_host->dcache_alignment, handshake);
	{
		uint32_t cap_rx = scn_ring_capacity(c->inst_host->rx.size,
						    c->inst_host->dcache_alignment, handshake);
		if (cap_rx < cap) {
			cap = cap_rx;
		}
	}
	c->max_len = o->rx_buf_size < cap ? o->rx_buf_size : cap;
	if (c->max_len < SCN_HDR_LEN) {
		snprintf(err, errlen, "%s: %s: tx-region/rx-region: too small for a %u-byte message",
			 c->host.source, c->inst_host->node, SCN_HDR_LEN);
		return -EINVAL;
	}
	return 0;
}

void cli_scn_params(const struct cli_opts *o, const struct cli_config *c, enum emu_role role,
		    struct scn_params *p)
{
	memset(p, 0, sizeof(*p));
	p->role = role;
	p->plan = role == EMU_ROLE_HOST ? &c->host : &c->remote;
	p->instance = c->inst_host->label;
	emu_board_opts_default(&p->board);
	p->board.icmsg_rx_buf_size = o->rx_buf_size;
	p->board.icmsg_rx_in_isr = o->rx_in_isr;
	p->board.unbound_override = o->unbound;
	p->messages = o->messages;
	p->endpoints = c->endpoints;
	p->nocopy = o->nocopy;
	p->scenario = o->scenario;
	/* The instance must have room for every endpoint (Zephyr's default 4). */
	if (c->endpoints > p->board.icbmsg_num_ept) {
		p->board.icbmsg_num_ept = c->endpoints;
	}
	p->seed = o->seed;
	p->max_len = c->max_len;
	p->timeout_s = o->timeout_s;
	p->quiet = o->quiet;
	p->mbox_mode = o->mbox_mode;
	p->ipm_console = o->ipm_console;
	p->busy_poll_us = o->busy_poll_us;
	p->board.cache_model = o->cache_model;
	/* --icbmsg-version: every ICBMsg instance of the board runs it; else
	 * the scenario instance's property, for all of them; else 0: each
	 * instance its own property, else v2 (emu_board_icbmsg_version; a
	 * v2-by-default instance meeting a classic peer names the option). */
	p->board.icbmsg_version =
		o->icbmsg_version ? o->icbmsg_version
		: c->inst_host != NULL && c->inst_host->backend == EMU_BACKEND_ICBMSG
			? c->inst_host->icbmsg_version
			: 0;
	if (o->max_active_count != 0) {
		p->board.icbmsg_max_active = o->max_active_count;
	}
	p->board.cache_seed = o->seed * 2654435761u + (uint64_t)role;
}
