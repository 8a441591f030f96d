/*
 * ctl.h - layout of the control block (<name>-ctl), private to emu/.
 *
 * The control block models the hardware registers of the link: mailbox
 * pending bits, MBOX data registers, IPM message registers, doorbells and
 * peer status.  It is never part of the memory image.  Both processes map
 * it; it holds integers and bytes only, never pointers.
 *
 *   offset  size  what                        written by
 *   0x0000   192  struct emu_ctl_hdr          the creator, once; magic last
 *                                              (EMU_CTL_MAGIC_INIT first, see below);
 *                                              hdr.creator_id and hdr.role_owner[] are
 *                                              what `ipc-emu clean` reads to tell a
 *                                              dead segment from a live one
 *   0x00c0    64  role[EMU_ROLE_HOST]         see struct emu_ctl_role
 *   0x0100    64  role[EMU_ROLE_REMOTE]
 *   0x0140  1024  app[EMU_ROLE_HOST]          the host's application
 *   0x0540  1024  app[EMU_ROLE_REMOTE]        the remote's application
 *   0x0940 18176  mbox[EMU_CTL_MBOX_MAX]      4 MBOX controllers of 4544 bytes
 *   0x5040  1024  ipm[EMU_CTL_IPM_MAX]        4 IPM devices of 256 bytes
 *   0x5440        end (21568 bytes)
 *
 * Role record (one 64-byte cache line each, so the two interrupt threads do
 * not false-share):
 *
 *   +0  pending     bit N (N < EMU_MBOX_CHANNELS): channel N of MBOX
 *                   controller 0 (the core's primary controller) signalled;
 *                   bit 31 (EMU_CTL_KICK): "look at everything else" - set
 *                   by the owner itself (channel enabled, stop) and by the
 *                   peer after it wrote a secondary controller's pending
 *                   word or IPM registers.  Set by any sender with an
 *                   atomic OR; the owner's interrupt thread takes (clears)
 *                   only enabled bits and the kick with an atomic AND.  It
 *                   is also the futex word of the futex doorbell.
 *   +4  sleeping    1 while the owner's interrupt thread is (about to be)
 *                   blocked; senders ring the doorbell only when it is 1.
 *   +8  pid         pid of the process running the core (last started)
 *   +12 boot_count  incremented at each emu_core_start() of the role
 *   +16 heartbeat   CLOCK_MONOTONIC milliseconds of the interrupt thread's
 *                   last pass (at least every EMU_CTL_HEARTBEAT_MS)
 *   +24 icbmsg_v2_mask, +28 icbmsg_classic_mask, +32 max_active: what the
 *                   role's board runs (inspect)
 *   +36 tx_wait     ICBMsg v2 consumer wake (emu/port.c, port_wait_consumed):
 *                   1 while a sender of this role waits for the peer to
 *                   consume (out of blocks); set by that sender, taken
 *                   (exchanged to 0) by the peer's consumer, which then
 *                   wakes it.  A hint only: a stale 1 (a waiter that died)
 *                   costs the next consume one wake.
 *   +40 tx_wake     the futex word those senders sleep on: the peer's
 *                   consumer adds 1, then wakes every waiter
 *
 * MBOX controller k (struct emu_ctl_mbox; k is the `index` of the
 * controller in the devicetree plan, identical on both sides):
 *
 *   +0    pending[r]   controllers k >= 1: bit N = channel N signalled
 *                      towards role r (controller 0 uses role[r].pending);
 *                      same protocol as role[r].pending, then a kick
 *   +64   slot[r][N]   data mode: the message registers of channel N
 *                      towards role r (72 bytes each):
 *           +0 full    1 while a message waits: set (release) by the
 *                      sender after size and data, cleared (release) by
 *                      the receiver's interrupt thread once it has copied
 *                      them out ("consumed"); a sender seeing 1 gets -EBUSY
 *           +4 size    bytes of data, <= the controller's MTU (peer value:
 *                      validated before use)
 *           +8 data    EMU_MBOX_MTU_MAX bytes
 *
 * IPM device k (struct emu_ctl_ipm): box[r] holds the message registers read
 * by role r (128 bytes each):
 *
 *   +0  full   nxp,imx-mu: bit i = data register i holds an unread word
 *              (the MU's RF flag); ipc-emu,ipm: bit 0 = a message waits.
 *              Set (atomic OR, release) by the sender after the data,
 *              cleared (atomic AND, release) by the receiver after it read
 *              the data (or at ipm_complete() with asynchronous completion)
 *   +4  id     ipc-emu,ipm: the message id (imx-mu: the register index is
 *              the id)
 *   +8  size   ipc-emu,ipm: the `size` argument of the send (diagnostics)
 *   +16 data   EMU_IPM_DATA_MAX bytes: imx-mu registers 0..3, or the
 *              generic device's data
 *
 * Everything here may have been written by a buggy or hostile peer: readers
 * load a word once, validate it and use the local copy.
 *
 * One layout in both widths: a 32-bit (-m32, i386) Zephyr-stack program
 * shares this block with the 64-bit supervisor and peer
 * (cmake/IpcEmuM32.cmake).  Fixed-width types only, and every uint64_t at an
 * offset that is a multiple of 8 by construction (i386 aligns a plain
 * uint64_t member to 4 only): the _Static_asserts below are compiled in
 * both widths.
 */
#ifndef IPC_EMU_EMU_CTL_H
#define IPC_EMU_EMU_CTL_H

#include <assert.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_atomic.h"
#include "ipc_emu/emu.h"
#include "soc.h"

#if defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif
#endif
#ifndef VALGRIND_HG_DISABLE_CHECKING
#define VALGRIND_HG_DISABLE_CHECKING(addr, len) ((void)(addr), (void)(len))
#endif
#ifndef ANNOTATE_HAPPENS_BEFORE
#define ANNOTATE_HAPPENS_BEFORE(obj) ((void)(obj))
#define ANNOTATE_HAPPENS_AFTER(obj) ((void)(obj))
#endif

#define EMU_CTL_MAGIC 0x43455049u /* "IPEC" little-endian: IPc-Emu Control */
/* Magic of a control block whose creator has written version, size, name
 * and creator but not the rest yet (creation under way, or cut short by the
 * creator's death).  Attachers treat it as "not ready" (-EPROTO, retry). */
#define EMU_CTL_MAGIC_INIT 0x69706563u /* "cepi" */
#define EMU_CTL_VERSION 2u
#define EMU_CTL_NAME_LEN 128u    /* segment name incl. NUL */
#define EMU_CTL_KICK (1u << 31)  /* local kick bit of a pending word */
#define EMU_CTL_HEARTBEAT_MS 100 /* longest sleep of an interrupt thread */
#define EMU_CTL_CHANNEL_MASK ((1u << EMU_MBOX_CHANNELS) - 1u)
#define EMU_CTL_MBOX_MAX EMU_DT_MAX_MBOX /* MBOX controllers per link */
#define EMU_CTL_IPM_MAX EMU_DT_MAX_IPM   /* IPM devices per link */
#define EMU_CTL_IPM_REGS 4u              /* nxp,imx-mu: data registers per direction */
/* A process identity that survives pid reuse: the pid in the low half, the
 * low 32 bits of its start time (clock ticks since boot, field 22 of
 * /proc/<pid>/stat; 0 = unknown) in the high half.  One 64-bit word, so a
 * reader never sees the pid of one process with the start of another. */
#define EMU_CTL_OWNER_ID(pid, start) ((uint64_t)(uint32_t)(pid) | ((uint64_t)(uint32_t)(start) << 32))
#define EMU_CTL_OWNER_PID(id) ((uint32_t)(id))
#define EMU_CTL_OWNER_START(id) ((uint32_t)((id) >> 32))

struct emu_ctl_hdr {
	uint32_t magic;       /* EMU_CTL_MAGIC; published last (release) */
	uint32_t version;     /* EMU_CTL_VERSION */
	uint32_t ctl_size;    /* sizeof(struct emu_ctl) */
	uint32_t doorbell;    /* enum emu_doorbell */
	uint64_t mem_base;    /* target address of the image's first byte */
	uint32_t mem_size;    /* bytes of <name>-mem */
	uint32_t creator_pid;
	char name[EMU_CTL_NAME_LEN]; /* segment name, NUL-terminated */
	uint64_t creator_id;  /* EMU_CTL_OWNER_ID of the creator; 0 = unknown (older creator) */
	uint64_t role_owner[2]; /* EMU_CTL_OWNER_ID of the process that claimed the role
				 * last (written when it claims it, before its core
				 * starts); 0 = unknown (older writer) */
	uint32_t soc_cores;   /* SoC control block (struct emu_soc_ctl): its cores; 0 = a
			       * link's own control block */
	uint32_t soc_links;   /* SoC control block: its links */
};

struct emu_ctl_role {
	_Alignas(64) uint32_t pending;
	uint32_t sleeping;
	uint32_t pid;
	uint32_t boot_count;
	uint64_t heartbeat;
	/* What this role's built-in board runs, for inspect (written when the
	 * board is created; 0 = not told: a user program or an older peer):
	 * bit i = devicetree instance i is ICBMsg v2 / classic ICBMsg. */
	uint32_t icbmsg_v2_mask;
	uint32_t icbmsg_classic_mask;
	uint32_t max_active;  /* ICBMsg v2 MAX_ACTIVE_COUNT of the board */
	uint32_t tx_wait;     /* a sender of this role waits for the peer to consume */
	uint32_t tx_wake;     /* futex word of those senders (the peer's consumer adds 1) */
	uint8_t reserved[64 - 44];
};

struct emu_ctl_mbox_slot {
	uint32_t full;
	uint32_t size;
	uint8_t data[EMU_MBOX_MTU_MAX];
};

struct emu_ctl_mbox {
	_Alignas(64) uint32_t pending[2];
	uint8_t reserved[64 - 8];
	struct emu_ctl_mbox_slot slot[2][EMU_MBOX_CHANNELS];
};

struct emu_ctl_ipm_box {
	_Alignas(64) uint32_t full;
	uint32_t id;
	uint32_t size;
	uint32_t reserved0;
	uint32_t data[EMU_IPM_DATA_MAX / 4];
	uint8_t reserved1[128 - 16 - EMU_IPM_DATA_MAX];
};

struct emu_ctl_ipm {
	struct emu_ctl_ipm_box box[2];
};

struct emu_ctl {
	struct emu_ctl_hdr hdr;
	struct emu_ctl_role role[2];
	uint64_t app[2][EMU_APP_AREA_SIZE / sizeof(uint64_t)];
	struct emu_ctl_mbox mbox[EMU_CTL_MBOX_MAX];
	struct emu_ctl_ipm ipm[EMU_CTL_IPM_MAX];
};

static_assert(EMU_MBOX_CHANNELS <= 31, "bit 31 of a pending word is the kick bit");
static_assert(sizeof(struct emu_ctl_hdr) == 192, "header is three cache lines");
static_assert(offsetof(struct emu_ctl_hdr, mem_base) == 16, "hdr.mem_base");
static_assert(offsetof(struct emu_ctl_hdr, name) == 32, "hdr.name");
static_assert(offsetof(struct emu_ctl_hdr, creator_id) == 160, "hdr.creator_id");
static_assert(offsetof(struct emu_ctl_hdr, role_owner) == 168, "hdr.role_owner");
static_assert(sizeof(struct emu_ctl_role) == 64, "a role record is one cache line");
static_assert(offsetof(struct emu_ctl_role, pending) == 0, "role.pending");
static_assert(offsetof(struct emu_ctl_role, sleeping) == 4, "role.sleeping");
static_assert(offsetof(struct emu_ctl_role, pid) == 8, "role.pid");
static_assert(offsetof(struct emu_ctl_role, boot_count) == 12, "role.boot_count");
static_assert(offsetof(struct emu_ctl_role, heartbeat) == 16, "role.heartbeat");
static_assert(offsetof(struct emu_ctl_role, icbmsg_v2_mask) == 24, "role.icbmsg_v2_mask");
static_assert(offsetof(struct emu_ctl_role, max_active) == 32, "role.max_active");
static_assert(offsetof(struct emu_ctl_role, tx_wait) == 36, "role.tx_wait");
static_assert(offsetof(struct emu_ctl_role, tx_wake) == 40, "role.tx_wake");
static_assert(offsetof(struct emu_ctl, role) == 0xc0, "role[] follows the header");
static_assert(offsetof(struct emu_ctl, role) % 64 == 0, "role records are line-aligned");
static_assert(offsetof(struct emu_ctl, app) == 0x140, "app[] follows the role records");
static_assert(EMU_APP_AREA_SIZE % 8 == 0, "app area is a whole number of u64");
static_assert(offsetof(struct emu_ctl, app[1]) == 0x140 + EMU_APP_AREA_SIZE, "app[1]");
static_assert(offsetof(struct emu_ctl, mbox) == 0x140 + 2 * EMU_APP_AREA_SIZE, "mbox[] follows app[]");
static_assert(offsetof(struct emu_ctl, mbox) % 64 == 0, "mbox[] is line-aligned");
static_assert(sizeof(struct emu_ctl_mbox_slot) == 8 + EMU_MBOX_MTU_MAX, "slot: full, size, data");
static_assert(offsetof(struct emu_ctl_mbox, slot) == 64, "slots follow the pending line");
static_assert(sizeof(struct emu_ctl_mbox) == 4544, "an MBOX controller is 71 cache lines");
static_assert(EMU_MBOX_MTU_MAX % 8 == 0, "slots stay 8-byte aligned");
static_assert(sizeof(struct emu_ctl_ipm_box) == 128, "an IPM box is two cache lines");
static_assert(offsetof(struct emu_ctl_ipm_box, data) == 16, "ipm box data");
static_assert(EMU_IPM_DATA_MAX >= 4 * EMU_CTL_IPM_REGS, "imx-mu registers fit the data area");
static_assert(EMU_IPM_DATA_MAX % 4 == 0, "IPM data is whole words");
static_assert(offsetof(struct emu_ctl, ipm) == 0x940 + EMU_CTL_MBOX_MAX * 4544, "ipm[] follows mbox[]");
static_assert(sizeof(struct emu_ctl) == 0x940 + EMU_CTL_MBOX_MAX * 4544 + EMU_CTL_IPM_MAX * 256,
	      "no tail padding");
static_assert(EMU_CTL_MBOX_MAX == 4 && EMU_CTL_IPM_MAX == 4, "the layout comment above");
/* The offsets a 32-bit build could move (u64 members, arrays of structs). */
static_assert(offsetof(struct emu_ctl_hdr, mem_size) == 24, "hdr.mem_size");
static_assert(offsetof(struct emu_ctl_hdr, creator_pid) == 28, "hdr.creator_pid");
static_assert(offsetof(struct emu_ctl_hdr, soc_cores) == 184, "hdr.soc_cores");
static_assert(sizeof(struct emu_ctl_hdr) == 192, "hdr.soc_links ends the header");
static_assert(offsetof(struct emu_ctl_mbox_slot, size) == 4, "slot.size");
static_assert(offsetof(struct emu_ctl_mbox_slot, data) == 8, "slot.data");
static_assert(offsetof(struct emu_ctl_mbox, slot[1][0]) == 64 + EMU_MBOX_CHANNELS * (8 + EMU_MBOX_MTU_MAX),
	      "slot[1] follows slot[0]");
static_assert(offsetof(struct emu_ctl_ipm_box, id) == 4, "ipm box id");
static_assert(offsetof(struct emu_ctl_ipm_box, size) == 8, "ipm box size");
static_assert(offsetof(struct emu_ctl, mbox[1]) == 0x940 + 4544, "mbox[1]");
static_assert(offsetof(struct emu_ctl, ipm[1]) == 0x940 + EMU_CTL_MBOX_MAX * 4544 + 256, "ipm[1]");
static_assert(_Alignof(struct emu_ctl) == 64, "the block is line-aligned in both widths");

/*
 * SoC control block (<name>-ctl of a multi-core run, docs/multicore.md): one
 * for all the links of a topology, beside one memory image that spans all
 * their regions at their devicetree addresses.
 *
 *   offset        size        what
 *   0x0000         192        hdr: as a link's; ctl_size = the whole block,
 *                              soc_cores = N (2..EMU_SOC_MAX_CORES),
 *                              soc_links = L (1..EMU_SOC_MAX_LINKS)
 *   0x00c0    8 x   64        core[EMU_SOC_MAX_CORES]: the interrupt
 *                              context of each core (struct emu_ctl_role:
 *                              its one pending word, sleeping flag, pid,
 *                              boot count, heartbeat, consumer wake); every
 *                              link of the core signals it there
 *   0x02c0   64 x   16        link_rec[EMU_SOC_MAX_LINKS]: base and size of
 *                              each link's span of the image, its two cores
 *   0x06c0   L x 21568        link[L]: a link's own control block (struct
 *                              emu_ctl) for what is the link's alone: MBOX
 *                              data registers and secondary pending words,
 *                              IPM registers, app areas, its board's ICBMsg
 *                              flags (role[r] minus the doorbell words,
 *                              which live in core[])
 *
 * A core's inbound channels of all its links are bits of its one pending
 * word (the topology refuses two links of a core with the same inbound
 * channel, emu/topology.c).  Everything here may have been written by a
 * hostile peer: attachers validate the header and link records once and
 * keep copies.
 */

struct emu_soc_link_rec {
	uint64_t base;   /* target address of the link's span of the image */
	uint32_t size;   /* bytes of the span */
	uint8_t core[2]; /* core index of its host and remote role */
	uint8_t reserved[2];
};

struct emu_soc_ctl {
	struct emu_ctl_hdr hdr;
	struct emu_ctl_role core[EMU_SOC_MAX_CORES];
	struct emu_soc_link_rec link_rec[EMU_SOC_MAX_LINKS];
	struct emu_ctl link[]; /* hdr.soc_links of them */
};

static_assert(EMU_SOC_MAX_CORES == 8 && EMU_SOC_MAX_LINKS == 64, "the layout comment above");
static_assert(sizeof(struct emu_soc_link_rec) == 16, "a link record is 16 bytes");
static_assert(offsetof(struct emu_soc_ctl, core) == 0xc0, "core[] follows the header");
static_assert(offsetof(struct emu_soc_ctl, link_rec) == 0x2c0, "link_rec[] follows core[]");
static_assert(offsetof(struct emu_soc_ctl, link) == 0x6c0, "link[] follows link_rec[]");
static_assert(offsetof(struct emu_soc_ctl, link) % 64 == 0, "link[] is line-aligned");
#define EMU_SOC_CTL_SIZE(links) (sizeof(struct emu_soc_ctl) + (size_t)(links) * sizeof(struct emu_ctl))

/*
 * Atomic read-modify-write and 64-bit words of the control block, in the
 * vocabulary of src/ipc_atomic.h (which covers the 32-bit loads/stores).
 */
static inline uint32_t ctl_fetch_or(uint32_t *p, uint32_t bits)
{
	return atomic_fetch_or_explicit((volatile _Atomic uint32_t *)p, bits, memory_order_seq_cst);
}

static inline uint32_t ctl_fetch_and(uint32_t *p, uint32_t bits)
{
	return atomic_fetch_and_explicit((volatile _Atomic uint32_t *)p, bits,
					 memory_order_seq_cst);
}

static inline uint32_t ctl_fetch_add(uint32_t *p, uint32_t n)
{
	return atomic_fetch_add_explicit((volatile _Atomic uint32_t *)p, n, memory_order_seq_cst);
}

static inline uint64_t ctl_load64_relaxed(const uint64_t *p)
{
	return atomic_load_explicit((const volatile _Atomic uint64_t *)p, memory_order_relaxed);
}

static inline void ctl_store64_relaxed(uint64_t *p, uint64_t v)
{
	atomic_store_explicit((volatile _Atomic uint64_t *)p, v, memory_order_relaxed);
}

/*
 * Segment internals shared with core.c (implemented in segment.c).
 */

/* The mapped control block. */
struct emu_ctl *emu_segment_ctl(const struct emu_segment *s);
/* The eventfd doorbell of `role` in this process, or -1 (futex mode, or a
 * segment attached by name, which cannot learn the eventfds). */
int emu_segment_efd(const struct emu_segment *s, enum emu_role role);
/* Claim `role` for a core on this segment object: 0, or -EBUSY if a core of
 * that role already runs on it.  Any thread. */
int emu_segment_claim_role(struct emu_segment *s, enum emu_role role);
void emu_segment_release_role(struct emu_segment *s, enum emu_role role);
/* The doorbell record of `role`: &ctl->role[role], or for a view of a SoC
 * segment (emu/soc.h) the interrupt context of the role's core. */
struct emu_ctl_role *emu_segment_role_rec(const struct emu_segment *s, enum emu_role role);
/* True for a view of a SoC segment: its cores share their interrupt contexts. */
bool emu_segment_is_view(const struct emu_segment *s);

#endif /* IPC_EMU_EMU_CTL_H */
