/*
 * common.h - what every file of the built-in peers' scenario engine
 * (scenario/) shares, and what the supervisor (cli/run.c) reads: the wire
 * format, the per-role counters kept in the control block's application
 * area, the run parameters, the clock and the CRC (common.c).
 *
 * The layer: scenario.c (echo-stream, exhaustion, priorities) runs the raw
 * scenarios of pingpong.c (ipm-echo, mbox-pingpong), which print through
 * console.c (the IPM console); echo_server.c is the peer of test hosts of
 * their own.  Each depends only on the files after it and on this one;
 * none on cli/.
 *
 * Wire format of a scenario message (little endian, 16-byte header):
 *
 *   0       4       8     10   11   12      16
 *   +-------+-------+-----+----+----+-------+----------------------------+
 *   | boot  | seq   | len |kind|lane| crc32 | payload (len - 16 bytes)   |
 *   +-------+-------+-----+----+----+-------+----------------------------+
 *
 *   boot   boot count of the sender's role (its app area's `boots`)
 *   seq    the sender's sequence number on this lane (reserved before the
 *          send, so a restarted sender never reuses one); an ECHO_REP carries
 *          the seq of the request it answers
 *   len    total length, header included (16..max)
 *   lane   endpoint index (0..K-1) the message belongs to: a message
 *          delivered to another endpoint is corrupted
 *   crc32  CRC-32 (IEEE) of the payload
 *   payload bytes of a PRNG seeded from (seed, origin role, lane, seq): the
 *          receiver regenerates and compares them.  The length is drawn from
 *          the same PRNG, so it is checked too.
 *
 * Endpoints: the run uses K endpoints "ep0".."epK-1" (K = 1 for ICMsg).
 * Each is a "lane" driven by its own thread on each side; sequence numbers,
 * phases and order checks are per lane (per sender boot).  The two sides
 * register the endpoints in different orders (host: reverse, remote: a
 * seeded shuffle, sometimes after a short random delay) so that binding is
 * shown not to depend on it.
 *
 * Protocol of a lane: phase 1 (echo) the host sends N/2 ECHO_REQ one at a
 * time and the remote answers each with an ECHO_REP; phase 2 (stream) both
 * send N/2 STREAM messages concurrently (the remote starts when it sees the
 * host's first STREAM or DONE on that lane); then each sends DONE, and a lane
 * is finished when it has sent its DONE and received the other's.  A role is
 * finished when all its lanes are.  Each waits until the other role is
 * finished too (both flags live in shared memory) before tearing down; with
 * ICBMsg both then wait until their TX blocks are all released (quiescence),
 * record how many stay in use and wait for each other again.
 *
 * --nocopy: STREAM messages are written straight into a buffer from
 * get_tx_buffer() and sent with send_nocopy(); receivers hold some of them
 * and release them later from their lane thread (after checking that the
 * held data did not change).  Scenario "exhaustion": receivers hold every
 * STREAM buffer until the sender has seen get_tx_buffer(K_MSEC(50)) fail with
 * -EAGAIN and a K_NO_WAIT copy send fail with -ENOMEM (the sender says so in
 * its app area), then release all and traffic resumes.
 *
 * The app area of a role is written only by that role's process (by one
 * incarnation at a time) and read by anyone: counters are plain uint64_t
 * updated with relaxed __atomic operations.  It survives a crash of its
 * writer, so a restarted peer resumes from its progress words (lane 0's words
 * live in the area; those of other lanes in process memory: a run with more
 * than one endpoint is ICBMsg, which cannot survive a peer reset anyway).
 */
#ifndef IPC_EMU_SCENARIO_COMMON_H
#define IPC_EMU_SCENARIO_COMMON_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_emu/emu.h"

#define SCN_MAGIC 0x324e435355504349ull /* "ICPUSCN2" */
#define SCN_HDR_LEN 16u
#define SCN_MAX_ENDPOINTS 254u       /* CONFIG_IPC_SERVICE_BACKEND_ICBMSG_NUM_EP range */
#define SCN_ICBMSG_DEFAULT_ENDPOINTS 4u

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

/* Progress of one lane.  Lane 0's live in the app area. */
struct scn_lane_words {
	uint64_t phase;          /* enum scn_phase */
	uint64_t tx_seq;         /* next sequence number */
	uint64_t echo_next;      /* host: echo exchanges completed */
	uint64_t echo_replied;   /* remote: replies sent */
	uint64_t stream_sent;    /* STREAM messages sent */
	uint64_t stream_received;/* STREAM messages received from the peer */
	uint64_t echo_received;  /* remote: requests received */
	uint64_t done_sent;      /* DONE sent at least once */
	uint64_t peer_done;      /* the peer's DONE received */
	uint64_t finished;       /* done_sent && peer_done */
	uint64_t bonds;
	uint64_t unbounds;
	/* Receive tracking of the peer's ordered messages (not ECHO_REP). */
	uint64_t rx_valid;
	uint64_t rx_last_seq;
	uint64_t rx_sender_boot;
	uint64_t rx_epoch;       /* lane bonds + unbounds when rx_last_seq was taken */
};

/* Scenarios. */
enum scn_scenario {
	SCN_ECHO_STREAM = 0,
	SCN_EXHAUSTION = 1,
	SCN_IPM_ECHO = 2,      /* ipm0: host sends a word (wait = 1), the remote's callback echoes it */
	SCN_MBOX_PINGPONG = 3, /* raw MBOX ping-pong on a consumer's tx/rx channels */
	SCN_ECHO_SERVER = 4,   /* peer only: echo every message back (echo_server.c) */
	SCN_PRIORITIES = 5,    /* echo-stream, odd endpoints with prio 1 (ICBMsg v2) */
};

/* Scenarios that run on a raw mailbox device instead of an ipc_service instance. */
static inline bool scn_is_raw(int sc)
{
	return sc == SCN_IPM_ECHO || sc == SCN_MBOX_PINGPONG;
}

enum scn_mbox_mode { SCN_MBOX_SIGNAL = 0, SCN_MBOX_DATA = 1 };

/* Devices of the raw scenarios and the IPM console (default board labels). */
#define SCN_IPM_LABEL "ipm0"
#define SCN_MBOX_SIGNAL_CONSUMER "mbox_consumer"
#define SCN_MBOX_DATA_CONSUMER "mbox_data_consumer"
#define SCN_CONSOLE_MIN_ID 0xFFu /* classic IPM console receiver: max id >= 0xff */

struct scn_area {
	uint64_t magic;     /* SCN_MAGIC once initialised */
	uint64_t messages;  /* N of the run that initialised the area */
	uint64_t endpoints; /* K of the run that initialised the area */
	uint64_t boots;     /* scenario starts of this role (header `boot`) */
	uint64_t pid;       /* of the current incarnation */

	/* Counters (all lanes): messages this role sent / received and what was wrong. */
	uint64_t sent;
	uint64_t received;
	uint64_t corrupted;
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t lost;
	uint64_t lost_across_session;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t bonds;          /* bound() calls, all endpoints */
	uint64_t unbounds;
	uint64_t echo_retries;   /* host: requests given up after a session change */
	uint64_t late_replies;   /* host: replies to requests given up */
	uint64_t errors;         /* error() callbacks and fatal send errors */
	uint64_t stream_received;
	uint64_t stream_bytes_received;

	/* Role progress. */
	uint64_t phase;          /* lowest phase of the lanes */
	uint64_t done_sent;      /* some lane sent its DONE */
	uint64_t finished;       /* every lane finished: waiting for the peer */
	uint64_t exited;         /* tore down cleanly */
	uint64_t endpoints_bound;     /* lanes bound at least once */
	uint64_t endpoints_finished;
	uint64_t endpoints_incomplete;/* lanes that finished with a wrong count */

	/* Timing, CLOCK_MONOTONIC ns (system-wide, comparable across peers). */
	uint64_t t_bound_ns;     /* first bond */
	uint64_t t_all_bound_ns; /* every endpoint bound */
	uint64_t t_finished_ns;
	uint64_t stream_t0_ns;   /* first STREAM sent */
	uint64_t stream_t1_ns;   /* all lanes finished */

	/* Latency of echo round trips (host, all lanes), ns. */
	uint64_t rtt_count;
	uint64_t rtt_p50_ns;
	uint64_t rtt_p99_ns;
	uint64_t rtt_max_ns;
	uint64_t rtt_sum_ns;

	/* ICBMsg, after quiescence. */
	uint64_t blocks_measured;
	uint64_t blocks_in_use_end;   /* TX blocks still allocated */
	uint64_t quiesced;
	uint64_t icb_rx_invalid;
	uint64_t icb_rx_released_unknown;
	uint64_t icb_rx_bound_released;

	/* No-copy. */
	uint64_t nocopy_sent;    /* STREAM sent with send_nocopy */
	uint64_t tx_max_requests;/* get_tx_buffer with size 0 */
	uint64_t tx_waits;       /* get_tx_buffer timeouts (-EAGAIN) outside exhaustion */
	uint64_t tx_dropped;     /* buffers given back with drop_tx_buffer */
	uint64_t rx_held;        /* RX buffers held in received() */
	uint64_t rx_released;    /* ... and released later */
	uint64_t held_blocks_max;/* most RX blocks held at once */

	/* Exhaustion (this role as the sender, except exh_released). */
	uint64_t exh_eagain;     /* get_tx_buffer(K_MSEC(50)) -> -EAGAIN */
	uint64_t exh_enomem;     /* then a K_NO_WAIT copy send -> -ENOMEM */
	uint64_t exh_codes_seen; /* both seen: the peer may release */
	uint64_t exh_released;   /* receiver: releasing all held buffers (set first) */
	uint64_t exh_resumed;    /* messages sent after the peer released */
	uint64_t prio_received[2]; /* --scenario priorities: received on prio 0 / 1 endpoints */

	struct scn_lane_words lane0;

	/* Raw scenarios (ipm-echo, mbox-pingpong). */
	uint64_t ready;          /* device enabled: the peer may send */
	uint64_t pp_timeouts;    /* host: round trips given up (no answer in time) */
	uint64_t pp_busy_retries;/* sends retried after -EBUSY */

	/* IPM console (--ipm-console). */
	uint64_t con_ready;      /* host: console receiver enabled */
	uint64_t con_lines_sent; /* remote: lines sent ('\n' consumed by the host) */
	uint64_t con_chars_sent; /* remote: characters sent */
	uint64_t con_closed;     /* remote: no more console output */
	uint64_t con_lines;      /* host: lines received and printed */
	uint64_t con_dropped;    /* remote: characters given up (host never took them) */

	/* Restart of both peers (ICBMsg recovery): set by the supervisor while
	 * no peer runs.  A message from an incarnation of the peer older than
	 * this boot is stale data of a dead session: counted as duplicated. */
	uint64_t min_peer_boot;
	uint64_t bound_now;      /* endpoints of this incarnation bound right now */

	/* --kill-random: set by the supervisor (which then initialises the
	 * area itself) while kills are still due; no lane sends its DONE
	 * meanwhile, so the run cannot end before every kill has happened. */
	uint64_t finish_hold;
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

static inline const char *scn_scenario_name(enum scn_scenario sc)
{
	switch (sc) {
	case SCN_EXHAUSTION:
		return "exhaustion";
	case SCN_IPM_ECHO:
		return "ipm-echo";
	case SCN_MBOX_PINGPONG:
		return "mbox-pingpong";
	case SCN_ECHO_SERVER:
		return "echo-server";
	case SCN_PRIORITIES:
		return "priorities";
	default:
		return "echo-stream";
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
	uint64_t messages;              /* N, per endpoint */
	uint32_t endpoints;             /* K */
	bool nocopy;                    /* STREAM through get_tx_buffer/send_nocopy */
	enum scn_scenario scenario;
	uint64_t seed;
	uint32_t max_len;               /* largest message, header included */
	double timeout_s;               /* 0: none (the supervisor watches) */
	bool quiet;
	int mbox_mode;                  /* enum scn_mbox_mode (mbox-pingpong) */
	bool ipm_console;               /* remote console output over ipm0 */
	uint32_t busy_poll_us;          /* interrupt thread polls this long before sleeping */
};

/* Exit statuses of a peer. */
#define SCN_EXIT_OK 0
#define SCN_EXIT_FAIL 1
#define SCN_EXIT_CONFIG 2

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()). */
uint32_t scn_crc32(const void *data, size_t len);

uint64_t scn_now_ns(void);


#endif /* IPC_EMU_SCENARIO_COMMON_H */
