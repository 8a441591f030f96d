/*
 * emu.h - host-only API of the Linux platform: shared-memory segments,
 * emulated cores (interrupt thread + mailbox controller), devicetree link
 * plans and boards (devices looked up by devicetree label).
 *
 * Every function returns 0 or a negative errno unless stated otherwise.
 * Functions that can fail on bad input fill `err` (if non-NULL) with one line
 * (no trailing newline) naming the file, node and property at fault.
 */
#ifndef IPC_EMU_EMU_H
#define IPC_EMU_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/device.h"

#ifdef __cplusplus
extern "C" {
#endif

enum emu_role { EMU_ROLE_HOST = 0, EMU_ROLE_REMOTE = 1 };
enum emu_doorbell { EMU_DOORBELL_FUTEX = 0, EMU_DOORBELL_EVENTFD = 1 };

const char *emu_role_name(enum emu_role role); /* "host" / "remote" */

/* ------------------------------------------------------------------------
 * Segments: the memory image (<name>-mem, the target's address range
 * [base, base+size)) and the control block (<name>-ctl: doorbells, pending
 * words, peer status, application counters).  Objects are created 0600 with
 * O_EXCL in /dev/shm; the memory image starts zeroed.
 */
struct emu_segment;

struct emu_segment_cfg {
	const char *name;          /* NULL: unique "ipc-emu-<pid>-<n>" */
	uint64_t mem_base;         /* target address of the first byte */
	uint32_t mem_size;         /* bytes */
	enum emu_doorbell doorbell;
};

/* File descriptors that let a child process attach (inherit them). -1 = none. */
struct emu_segment_fds {
	int mem;
	int ctl;
	int efd[2]; /* eventfd doorbells of host/remote (eventfd mode only) */
};

/* Create (owner).  -EEXIST if the name is taken, -EINVAL bad cfg (names are
 * limited to 127 characters), -ENOSPC when /dev/shm is full, other -errno.
 * All descriptors are close-on-exec: clear the flag on those handed to a child. */
int emu_segment_create(const struct emu_segment_cfg *cfg, struct emu_segment **out);
/* Attach to an existing segment by name.  -ENOENT, -EPROTO (not ours, wrong
 * version, or the creator has not finished yet: retry). */
int emu_segment_attach(const char *name, struct emu_segment **out);
/* Attach through inherited descriptors (they are dup'ed; caller keeps its own). */
int emu_segment_attach_fds(const struct emu_segment_fds *fds, struct emu_segment **out);
/* Descriptors of this segment, for handing to a child. */
void emu_segment_get_fds(const struct emu_segment *s, struct emu_segment_fds *out);
/* Remove both names from /dev/shm now (mappings stay valid).  Idempotent. */
int emu_segment_unlink(struct emu_segment *s);
/* Remove the objects of a segment by name; -ENOENT if none existed. */
int emu_segment_unlink_name(const char *name);
/* Unmap and close; the creator also unlinks.  NULL is a no-op. */
void emu_segment_close(struct emu_segment *s);

const char *emu_segment_name(const struct emu_segment *s);
enum emu_doorbell emu_segment_doorbell(const struct emu_segment *s);
uint64_t emu_segment_base(const struct emu_segment *s);
uint32_t emu_segment_size(const struct emu_segment *s);
/* Local pointer for target address range [addr, addr+len), or NULL if it is
 * not entirely inside the memory image. */
void *emu_segment_ptr(const struct emu_segment *s, uint64_t addr, uint64_t len);

/* Per-role scratch area in the control block for application counters that
 * must survive a crash of the writer (EMU_APP_AREA_SIZE bytes, zeroed at
 * creation, 8-byte aligned). */
#define EMU_APP_AREA_SIZE 1024u
void *emu_segment_app_area(const struct emu_segment *s, enum emu_role role);

/* Peer status words in the control block. */
struct emu_peer_status {
	uint32_t pid;
	uint32_t boot_count;
	uint64_t heartbeat;
};
void emu_segment_peer_status(const struct emu_segment *s, enum emu_role role,
			     struct emu_peer_status *out);

/* What `ipc-emu clean` needs to know about the segment <name> in /dev/shm,
 * read from its control block without attaching (nothing is recorded). */
#define EMU_SEGMENT_MAX_OWNERS 3
struct emu_segment_owner {
	const char *what;  /* "creator", "host" or "remote" (the last core of the role) */
	uint32_t pid;
	bool alive;        /* running, and started when the segment recorded it (a
			    * reused pid counts as dead); a zombie counts as dead */
};
struct emu_segment_info {
	bool complete;     /* false: the creator had not finished (or died before) */
	bool alive;        /* at least one owner is alive */
	uint32_t uid;      /* owner of <name>-ctl */
	unsigned n_owner;
	struct emu_segment_owner owner[EMU_SEGMENT_MAX_OWNERS];
};
/* 0, -ENOENT (no <name>-ctl), -EPROTO (not an ipc-emu control block of this
 * layout version, or one made for another name), -EINVAL, other -errno. */
int emu_segment_inspect(const char *name, struct emu_segment_info *out);

/* ------------------------------------------------------------------------
 * Cores: one emulated CPU per process (tests may run two in one process).
 * A core owns its pending-interrupt word and an interrupt thread that runs
 * mailbox and IPM callbacks.  It has one primary MBOX controller
 * (emu_core_mbox(), EMU_MBOX_CHANNELS channels): sending on channel N sets
 * bit N of the peer core's pending word and rings its doorbell only if it
 * sleeps; signals coalesce; a signal on a disabled channel stays pending and
 * fires when the channel is enabled.  On a bare core (no board) every
 * channel of it is both outbound and inbound and it runs in signalling mode;
 * emu_board_create() configures it from devicetree (name, channel count,
 * MTU, direction of each channel) and adds the other MBOX controllers and
 * the IPM devices of the devicetree (docs/mbox.md, docs/ipm.md).
 */
#define EMU_MBOX_CHANNELS 31u
#define EMU_MBOX_MTU_MAX 64u  /* largest ipc-emu,mtu of an MBOX controller (data mode) */
#define EMU_IPM_DATA_MAX 64u  /* largest data size of an IPM device */
struct emu_core;

struct emu_core_stats {
	uint64_t signals_sent;   /* mbox_send calls that set a bit */
	uint64_t wakeups_sent;   /* futex wake / eventfd write syscalls issued */
	uint64_t irqs_taken;     /* interrupt-thread wakeups that found work */
	uint64_t callbacks;      /* channel callbacks run */
};

/* Start the core of `role` on a segment (bumps its boot count, records pid).
 * -EBUSY if a core of that role already runs on this segment object (the
 * claim is per struct emu_segment: another attachment, in this process or in
 * another, is not detected); -EOPNOTSUPP on an eventfd segment attached by
 * name (eventfds cannot be found by name); -EINVAL, -ENOMEM. */
int emu_core_start(struct emu_segment *s, enum emu_role role, struct emu_core **out);
/* Stop the interrupt thread and free the core.  Destroy its board first.
 * NULL is a no-op.  Not from the interrupt thread. */
void emu_core_stop(struct emu_core *c);
enum emu_role emu_core_role(const struct emu_core *c);
/* The core's MBOX controller (Zephyr MBOX API, include/ipc_emu/mbox.h). */
const struct device *emu_core_mbox(struct emu_core *c);
void emu_core_get_stats(const struct emu_core *c, struct emu_core_stats *out);
/* Busy-poll the pending word for up to `us` microseconds before sleeping (0 = off). */
void emu_core_set_busy_poll(struct emu_core *c, uint32_t us);

/* ------------------------------------------------------------------------
 * Devicetree: dtc compiles DTS, libfdt reads it into a link plan.
 */
#define EMU_DT_MAX_INST 8
#define EMU_DT_NAME_LEN 96
#define EMU_DT_MAX_MBOX 4          /* MBOX controllers referenced by `mboxes` */
#define EMU_DT_MAX_MBOX_USER 8     /* MBOX consumers: other nodes with `mboxes` */
#define EMU_DT_MAX_USER_CHANNELS 8 /* `mboxes` specifiers of one consumer */
#define EMU_DT_MAX_IPM 4           /* IPM devices */
#define EMU_DT_CHAN_NAME_LEN 32    /* an `mbox-names` entry, NUL included */

enum emu_backend { EMU_BACKEND_ICMSG = 1, EMU_BACKEND_ICBMSG = 2 };
/* Same numbering as Zephyr's ICMsg unbound modes. */
enum emu_unbound { EMU_UNBOUND_DISABLE = 1, EMU_UNBOUND_ENABLE = 2, EMU_UNBOUND_DETECT = 3 };
/* "disable" / "enable" / "detect" (the devicetree's spelling), "?" otherwise */
const char *emu_unbound_name(enum emu_unbound u);
/* Wire format of a zephyr,ipc-icbmsg instance: classic (Zephyr v4.0 - v4.4)
 * or the queue-based rework of Zephyr main (v2, docs/icbmsg.md). */
enum emu_icbmsg_version { EMU_ICBMSG_CLASSIC = 1, EMU_ICBMSG_V2 = 2 };
/* The version of an ICBMsg instance that neither its devicetree
 * (`ipc-emu,icbmsg-version`) nor an option names: v2, as current Zephyr.
 * Every path (run, peer, user programs, the harness and Python, inspect,
 * check) decides through emu_board_icbmsg_version(). */
#define EMU_ICBMSG_VERSION_DEFAULT EMU_ICBMSG_V2

struct emu_dt_region {
	char node[EMU_DT_NAME_LEN]; /* path of the reserved-memory node */
	uint64_t addr;
	uint64_t size;
};

struct emu_dt_inst {
	char node[EMU_DT_NAME_LEN];  /* path, e.g. "/ipc/ipc0" */
	char label[32];              /* first node label ("ipc0"), else the node name */
	enum emu_backend backend;
	struct emu_dt_region tx, rx;
	char mbox_node[EMU_DT_NAME_LEN]; /* path of the controller node of both channels */
	uint32_t mbox_tx, mbox_rx;       /* channel ids (first cell of each specifier) */
	uint32_t dcache_alignment;       /* 0 when absent */
	enum emu_unbound unbound;        /* EMU_UNBOUND_DISABLE when absent */
	uint32_t tx_blocks, rx_blocks;   /* ICBMsg only, else 0 */
	uint32_t icbmsg_version;         /* ICBMsg: `ipc-emu,icbmsg-version` ("classic" or
					  * "v2": enum emu_icbmsg_version), 0 when absent */
};

/*
 * An MBOX controller: a node referenced by an `mboxes` phandle (its
 * compatible does not matter; `#mbox-cells` >= 1, the first cell is the
 * channel).  Optional emulator properties: `ipc-emu,mtu` (0 = signalling
 * only, the default; 1..EMU_MBOX_MTU_MAX = data mode) and `ipc-emu,channels`
 * (1..EMU_MBOX_CHANNELS, default EMU_MBOX_CHANNELS).  The direction of each
 * channel comes from how this devicetree uses it: the "tx" channel of an
 * ICMsg/ICBMsg instance or a "tx" entry of a consumer's `mbox-names` is
 * outbound, "rx" inbound, both if used both ways; an unused channel is
 * neither (every call on it answers -EINVAL).
 */
struct emu_dt_mbox {
	char node[EMU_DT_NAME_LEN]; /* path, e.g. "/soc/mbox@2a000" */
	char label[32];             /* first node label, else the node name */
	uint32_t index;     /* == position in plan->mbox[] and the control-block slot.
			     * 0: the controller of the ICMsg/ICBMsg instances (or, without
			     * instances, the first by label) = the core's primary controller,
			     * emu_core_mbox(); the others follow in label order. */
	uint32_t mtu;       /* ipc-emu,mtu */
	uint32_t channels;  /* ipc-emu,channels */
	uint32_t tx_mask;   /* bit N: channel N is outbound for this core */
	uint32_t rx_mask;   /* bit N: channel N is inbound for this core */
};

/* One `mboxes` specifier of a consumer, with its `mbox-names` entry. */
struct emu_dt_mbox_chan {
	char name[EMU_DT_CHAN_NAME_LEN];
	uint32_t mbox;      /* index into plan->mbox[] */
	uint32_t channel;   /* first cell of the specifier */
	bool tx;            /* name "tx" or ending in "-tx"/"_tx"; else "rx"/"-rx"/"_rx" */
};

/* An MBOX consumer: any enabled node with `mboxes` that is not an ICMsg or
 * ICBMsg instance, e.g. Zephyr's samples' `compatible = "vnd,mbox-consumer"`.
 * `mbox-names` is required, one name per specifier, each naming a direction. */
struct emu_dt_mbox_user {
	char node[EMU_DT_NAME_LEN];
	char label[32];
	unsigned n_chan;
	struct emu_dt_mbox_chan chan[EMU_DT_MAX_USER_CHANNELS];
};

enum emu_ipm_kind {
	EMU_IPM_GENERIC = 1, /* compatible "ipc-emu,ipm" */
	EMU_IPM_IMX_MU = 2,  /* compatible "nxp,imx-mu" (Zephyr's drivers/ipm/ipm_imx.c) */
};

/*
 * An IPM device.  "nxp,imx-mu": `ipc-emu,data-size` = <4>, <8> or <16>
 * (CONFIG_IPM_IMX_MAX_DATA_SIZE_*, default 16) gives max id 3, 1 or 0;
 * always both directions.  "ipc-emu,ipm": `data-size` (0..EMU_IPM_DATA_MAX,
 * default 4), `max-id` (default 0xffffffff), `direction` = "tx", "rx" or
 * "both" (default).  Matched with the peer's node by label.
 */
struct emu_dt_ipm {
	char node[EMU_DT_NAME_LEN];
	char label[32];
	enum emu_ipm_kind kind;
	uint32_t index;     /* == position in plan->ipm[] and the control-block slot (label order) */
	uint32_t data_size; /* bytes: ipm_max_data_size_get() */
	uint32_t max_id;    /* ipm_max_id_val_get() */
	bool tx, rx;        /* this core may send / receive */
};

struct emu_dt_plan {
	char source[256];  /* file name or "<default board: host>" */
	/* First warning of the load, one line "SOURCE: NODE: PROPERTY: PROBLEM"
	 * ("" if none), and how many there were.  A warning does not fail the
	 * load: e.g. a node with tx-region/rx-region whose compatible is no
	 * ICMsg/ICBMsg one (a typo) is read as an MBOX consumer, not an instance. */
	char warning[256];
	unsigned n_warnings;
	unsigned n_inst;
	struct emu_dt_inst inst[EMU_DT_MAX_INST];
	uint64_t base;     /* lowest region address (0 without instances) */
	uint64_t size;     /* bytes from base to the end of the highest region (0 without) */
	unsigned n_mbox;
	struct emu_dt_mbox mbox[EMU_DT_MAX_MBOX];
	unsigned n_mbox_user;
	struct emu_dt_mbox_user mbox_user[EMU_DT_MAX_MBOX_USER];
	unsigned n_ipm;
	struct emu_dt_ipm ipm[EMU_DT_MAX_IPM];
};

/* Default limit of one region and of the memory image (plan->size): 256 MiB. */
#define EMU_DT_MEM_LIMIT_DEFAULT 0x10000000u
/* Largest DTS source (file or text) handed to dtc: 4 MiB.  dtc's time grows
 * with the square of a string literal's length (8 MiB: half a minute). */
#define EMU_DT_SOURCE_MAX (4u * 1024 * 1024)

struct emu_dt_load_opts {
	/* Largest region and memory image in bytes, 1..UINT32_MAX (the
	 * segment's size is 32-bit); 0 = EMU_DT_MEM_LIMIT_DEFAULT. */
	uint64_t mem_limit;
};

/* Compile and read a DTS file.  -ENOENT (no file), -EISDIR (a directory),
 * -EFBIG (larger than EMU_DT_SOURCE_MAX), -EINVAL (bad tree, err says which
 * node/property; also a compiled .dtb, err says to pass the .dts), -ENOEXEC
 * (dtc missing or failed; err has dtc's first error line).  A tree needs at
 * least one ICMsg/ICBMsg instance, IPM device or MBOX consumer with status
 * "okay"; all ICMsg/ICBMsg instances must use one MBOX controller (the core's
 * primary one); a region must fit the address space of its bus's
 * #address-cells (32 bits for 1), and no region nor the memory image from the
 * lowest to the end of the highest region may exceed
 * EMU_DT_MEM_LIMIT_DEFAULT. */
int emu_dt_load_file(const char *path, struct emu_dt_plan *out, char *err, size_t errlen);
/* Same with options (NULL: the defaults); -EINVAL when opts->mem_limit is
 * above UINT32_MAX. */
int emu_dt_load_file_opts(const char *path, const struct emu_dt_load_opts *opts,
			  struct emu_dt_plan *out, char *err, size_t errlen);
/* Same from DTS text; `source` names it in messages. */
int emu_dt_load_string(const char *dts, const char *source, struct emu_dt_plan *out, char *err,
		       size_t errlen);
/* Same from a flattened blob already in memory (as dtc -@ -O dtb writes it;
 * no dtc is run, the bytes are copied): -EINVAL also when it is not a valid
 * blob, -ENOMEM. */
int emu_dt_load_blob(const void *dtb, size_t len, const char *source, struct emu_dt_plan *out,
		     char *err, size_t errlen);
/* The peer's view of a plan: tx/rx regions, channels and block counts
 * swapped; MBOX channel directions (masks, consumers' "tx"/"rx" names) and
 * IPM directions swapped. */
void emu_dt_mirror(const struct emu_dt_plan *in, struct emu_dt_plan *out);
/* Check that two plans (host, remote) describe the two ends of the same link:
 * same instances (matched by label), regions swapped, equal alignment and
 * mode-compatible unbound values, block counts swapped, channels swapped, no
 * overlap; same MBOX controllers (by label: index, MTU, channel count, tx
 * and rx masks swapped) and IPM devices (by label: kind, index, data size,
 * max id, directions swapped).  0 or -EINVAL with one line in err. */
int emu_dt_check_pair(const struct emu_dt_plan *host, const struct emu_dt_plan *remote, char *err,
		      size_t errlen);
/*
 * Built-in nRF5340-like board: DTS text of each core.  Devices (labels, as
 * seen from the host; the remote's text is the mirror image):
 *   ipc0                ICMsg, mbox channels 0 (tx) / 1 (rx)
 *   ipc1                ICBMsg, mbox channels 2 (tx) / 3 (rx)
 *   mbox                primary MBOX controller, signalling (MTU 0), 31 channels
 *   mbox_data           MBOX controller in data mode: MTU 16, 4 channels
 *   mbox_consumer       consumer: "tx" = <&mbox 4>, "rx" = <&mbox 5>
 *   mbox_data_consumer  consumer: "tx" = <&mbox_data 0>, "rx" = <&mbox_data 1>
 *   ipm0                ipc-emu,ipm: 4-byte data, max id 0xffffffff, both ways
 * so that an IPM echo (emu_board_device(b, "ipm0")) and MBOX ping-pongs in
 * signalling and data mode (emu_board_mbox_dt_spec(b, "mbox_consumer" or
 * "mbox_data_consumer", "tx"/"rx")) run on it with the Zephyr APIs only.
 */
const char *emu_dt_default_board(enum emu_role role);
/* Find an instance by label; NULL if absent. */
const struct emu_dt_inst *emu_dt_find(const struct emu_dt_plan *plan, const char *label);
/* Find an MBOX controller, MBOX consumer or IPM device by label; NULL if absent. */
const struct emu_dt_mbox *emu_dt_find_mbox(const struct emu_dt_plan *plan, const char *label);
const struct emu_dt_mbox_user *emu_dt_find_mbox_user(const struct emu_dt_plan *plan,
						     const char *label);
const struct emu_dt_ipm *emu_dt_find_ipm(const struct emu_dt_plan *plan, const char *label);

/* ------------------------------------------------------------------------
 * Boards: the devices of one core built from its plan on a segment.
 */
struct emu_board_opts {
	uint32_t icmsg_rx_buf_size;     /* CONFIG_PBUF_RX_READ_BUF_SIZE, default 128 */
	bool icmsg_rx_in_isr;           /* process ICMsg RX in the interrupt thread */
	uint32_t icmsg_bond_notify_ms;  /* repeat period of the bonding signal, 1..100 (default 1) */
	uint32_t icmsg_mutex_timeout_ms;/* CONFIG_IPC_SERVICE_ICMSG_SHMEM_ACCESS_TO_MS, default 1 */
	int unbound_override;           /* 0: from devicetree, else an enum emu_unbound */
	uint32_t icbmsg_num_ept;        /* CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP, default 4 (1..254) */
	bool ipm_callback_async;        /* CONFIG_IPM_CALLBACK_ASYNC: a received IPM message
					 * stays unconsumed until ipm_complete() (default off:
					 * consumed before the callback runs) */
	bool cache_model;               /* see the ICMsg/ICBMsg regions through a private
					 * incoherent cache (default off) */
	uint64_t cache_seed;            /* seed of the cache model's random evictions */
	uint32_t icbmsg_version;        /* 0: each instance's `ipc-emu,icbmsg-version`,
					 * EMU_ICBMSG_VERSION_DEFAULT (v2) when absent; else an
					 * enum emu_icbmsg_version for every ICBMsg instance */
	uint32_t icbmsg_max_active;     /* v2: CONFIG_IPC_SERVICE_BACKEND_ICBMSG_MAX_ACTIVE_COUNT,
					 * queue slots, 16..128 (default 16); never exchanged:
					 * both cores must agree */
};
void emu_board_opts_default(struct emu_board_opts *o);
/* The ICBMsg version a board with `o` (NULL: the defaults) builds for the
 * ICBMsg instance `in`: enum emu_icbmsg_version.  o->icbmsg_version, else
 * the instance's `ipc-emu,icbmsg-version`, else EMU_ICBMSG_VERSION_DEFAULT. */
uint32_t emu_board_icbmsg_version(const struct emu_dt_inst *in, const struct emu_board_opts *o);

struct emu_board;
struct mbox_dt_spec; /* ipc_emu/mbox.h */

/* Build the devices of `plan` for `core` on `seg`: configure the core's
 * primary MBOX controller (plan->mbox[0]), create the other MBOX controllers,
 * the ICMsg/ICBMsg instances and the IPM devices.  One board per core at a
 * time (-EBUSY).  -EINVAL with one line in err; -ENOMEM.  Not from the
 * interrupt thread. */
int emu_board_create(const struct emu_dt_plan *plan, struct emu_segment *seg,
		     struct emu_core *core, const struct emu_board_opts *opts,
		     struct emu_board **out, char *err, size_t errlen);
/* Close the instances, remove the devices, return the primary MBOX
 * controller to its bare state.  NULL is a no-op.  Not from the interrupt
 * thread (it waits for running callbacks of the board's devices). */
void emu_board_destroy(struct emu_board *b);
/* DEVICE_DT_GET(DT_NODELABEL(label)) at run time: an ICMsg/ICBMsg instance
 * (ipc_service API), an MBOX controller (mbox.h) or an IPM device (ipm.h);
 * NULL if unknown.  Any thread. */
const struct device *emu_board_device(struct emu_board *b, const char *label);
/* MBOX_DT_SPEC_GET(DT_NODELABEL(node), name) at run time: the controller and
 * channel of entry `name` of the `mbox-names` of the consumer labelled
 * `node`.  0; -ENOENT (no such consumer or name); -EINVAL (NULL argument).
 * Any thread. */
int emu_board_mbox_dt_spec(struct emu_board *b, const char *node, const char *name,
			   struct mbox_dt_spec *out);

/* ------------------------------------------------------------------------
 * Faults.
 */
/* Arm crash point `name` to SIGKILL this process at its nth hit (n >= 1).
 * The environment variable IPC_EMU_CRASH="name@n" does the same at start. */
int emu_crash_arm(const char *name, unsigned nth);
/* Run fn(arg) at every hit of point `name`, on the thread that hits it,
 * after the hit is counted and before any armed kill (fn NULL: stop).  For
 * tests that need another thread's action at exactly that place.  0;
 * -EINVAL (bad name); -ENOMEM (too many points). */
int emu_crash_hook(const char *name, void (*fn)(void *arg), void *arg);
/* Number of hits of a crash point so far in this process. */
unsigned emu_crash_hits(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* IPC_EMU_EMU_H */
