/*
 * scenario.h - the test scenario both peers run, and the per-role counters it
 * keeps in the control block's application area.
 *
 * Wire format of a scenario message (little endian, 16-byte header):
 *
 *   0       4       8     10   11   12      16
 *   +-------+-------+-----+----+----+-------+----------------------------+
 *   | boot  | seq   | len |kind|rsvd| crc32 | payload (len - 16 bytes)   |
 *   +-------+-------+-----+----+----+-------+----------------------------+
 *
 *   boot   boot count of the sender's role (its app area's `boots`)
 *   seq    the sender's sequence number (reserved in its app area before the
 *          send, so a restarted sender never reuses one); an ECHO_REP carries
 *          the seq of the request it answers
 *   len    total length, header included (16..max)
 *   crc32  CRC-32 (IEEE) of the payload
 *   payload bytes of a PRNG seeded from (seed, origin role, seq): the
 *          receiver regenerates and compares them.  The length is drawn from
 *          the same PRNG, so it is checked too.
 *
 * Protocol: phase 1 (echo) the host sends N/2 ECHO_REQ one at a time and
 * the remote answers each with an ECHO_REP; phase 2 (stream) both send N/2
 * STREAM messages concurrently (the remote starts when it sees the host's
 * first STREAM or DONE); then each sends DONE, and a peer is finished when
 * it has sent its DONE and received the other's.  Each waits until the other
 * is finished too (both flags live in shared memory) before tearing down.
 *
 * The app area of a role is written only by that role's process (by one
 * incarnation at a time) and read by anyone: counters are plain uint64_t
 * updated with relaxed __atomic operations.  It survives a crash of its
 * writer, so a restarted peer resumes from its progress words.
 */
#ifndef IPC_EMU_CLI_SCENARIO_H
#define IPC_EMU_CLI_SCENARIO_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/emu.h"

#define SCN_MAGIC 0x314e435355504349ull /* "ICPUSCN1" */
#define SCN_HDR_LEN 16u

enum scn_kind {
	SCN_ECHO_REQ = 1,
	SCN_ECHO_REP = 2,
	SCN_STREAM = 3,
	SCN_DONE = 4,
};

enum scn_phase {
	SCN_PHASE_INIT = 0,
	SCN_PHASE_ECHO = 1,
	SCN_PHASE_STREAM = 2,
	SCN_PHASE_FINISHED = 3,
};

struct scn_area {
	uint64_t magic;     /* SCN_MAGIC once initialised */
	uint64_t messages;  /* N of the run that initialised the area */
	uint64_t boots;     /* scenario starts of this role (header `boot`) */
	uint64_t pid;       /* of the current incarnation */

	/* Counters: messages this role sent / received and what was wrong. */
	uint64_t sent;
	uint64_t received;
	uint64_t corrupted;
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t lost;
	uint64_t lost_across_session;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t bonds;
	uint64_t unbounds;
	uint64_t echo_retries;   /* host: requests given up after a session change */
	uint64_t late_replies;   /* host: replies to requests given up */
	uint64_t errors;         /* error() callbacks and fatal send errors */

	/* Progress (a restarted peer resumes from here). */
	uint64_t phase;          /* enum scn_phase */
	uint64_t tx_seq;         /* next sequence number */
	uint64_t echo_next;      /* host: echo exchanges completed */
	uint64_t echo_replied;   /* remote: replies sent */
	uint64_t stream_sent;    /* STREAM messages sent */
	uint64_t stream_received;/* STREAM messages received from the peer */
	uint64_t stream_bytes_received;
	uint64_t done_sent;      /* DONE sent at least once */
	uint64_t peer_done;      /* the peer's DONE received */
	uint64_t finished;       /* done_sent && peer_done: waiting for the peer */
	uint64_t exited;         /* tore down cleanly */

	/* Receive tracking of the peer's ordered messages (not ECHO_REP). */
	uint64_t rx_valid;
	uint64_t rx_last_seq;
	uint64_t rx_sender_boot;
	uint64_t rx_epoch;       /* bonds + unbounds when rx_last_seq was taken */

	/* Timing, CLOCK_MONOTONIC ns (system-wide, comparable across peers). */
	uint64_t t_bound_ns;     /* first bond */
	uint64_t t_finished_ns;
	uint64_t stream_t0_ns;   /* first STREAM sent */
	uint64_t stream_t1_ns;   /* all STREAM sent and the peer's DONE received */

	/* Latency of echo round trips (host), ns. */
	uint64_t rtt_count;
	uint64_t rtt_p50_ns;
	uint64_t rtt_p99_ns;
	uint64_t rtt_max_ns;
	uint64_t rtt_sum_ns;
};

static_assert(sizeof(struct scn_area) <= EMU_APP_AREA_SIZE, "app area too small");
static_assert(sizeof(struct scn_area) % 8 == 0, "app area words are uint64_t");

static inline uint64_t scn_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void scn_set(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline uint64_t scn_add(uint64_t *p, uint64_t v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static inline void scn_max(uint64_t *p, uint64_t v)
{
	uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (v > cur && !__atomic_compare_exchange_n(p, &cur, v, true, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED)) {
	}
}

static inline const char *scn_role_name(enum emu_role role)
{
	return role == EMU_ROLE_HOST ? "host" : "remote";
}

static inline struct scn_area *scn_area(const struct emu_segment *seg, enum emu_role role)
{
	return (struct scn_area *)emu_segment_app_area(seg, role);
}

/* Everything a peer needs to run the scenario. */
struct scn_params {
	enum emu_role role;
	const struct emu_dt_plan *plan; /* this role's plan */
	const char *instance;           /* label of the instance to use */
	struct emu_board_opts board;
	uint64_t messages;              /* N */
	uint64_t seed;
	uint32_t max_len;               /* largest message, header included */
	double timeout_s;               /* 0: none (the supervisor watches) */
	bool quiet;
};

/* Exit statuses of a peer. */
#define SCN_EXIT_OK 0
#define SCN_EXIT_FAIL 1
#define SCN_EXIT_CONFIG 2

/* Run the scenario on an attached segment; returns an SCN_EXIT_* status.
 * Prints one line on stderr for every failure. */
int scn_run(struct emu_segment *seg, const struct scn_params *p);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()). */
uint32_t scn_crc32(const void *data, size_t len);

/* Largest message (header included) an ICMsg ring of `region_size` bytes can
 * hold, for the given dcache-alignment and handshake (unbound != disable). */
uint32_t scn_ring_capacity(uint64_t region_size, uint32_t dcache_alignment, bool handshake);

uint64_t scn_now_ns(void);

#endif /* IPC_EMU_CLI_SCENARIO_H */
