#include "support/v2_pair.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TX_CH(role) ((role) == V2_HOST ? 2u : 3u)
#define RX_CH(role) ((role) == V2_HOST ? 3u : 2u)

static uint32_t region_size(const struct v2_pair *p)
{
	return p->o.region_size ? p->o.region_size : 0x4000u;
}

static uint64_t region_addr(const struct v2_pair *p, int role, bool tx)
{
	/* host TX = remote RX at V2_BASE; host RX = remote TX after it. */
	bool first = (role == V2_HOST) == tx;

	return V2_BASE + (first ? 0 : region_size(p));
}

static uint32_t blocks(const struct v2_pair *p, int role, bool tx)
{
	uint32_t htx = p->o.host_tx_blocks ? p->o.host_tx_blocks : 16;
	uint32_t hrx = p->o.host_rx_blocks ? p->o.host_rx_blocks : 24;
	bool host_tx_region = (role == V2_HOST) == tx;

	return host_tx_region ? htx : hrx;
}

void v2_pair_setup(struct v2_pair *p, const char *tag, const struct v2_opts *o)
{
	static unsigned counter;
	char name[96];
	struct emu_segment_cfg cfg = {.doorbell = EMU_DOORBELL_FUTEX};

	memset(p, 0, sizeof(*p));
	if (o != NULL) {
		p->o = *o;
	}
	snprintf(name, sizeof(name), "ipc-emu-test-v2-%s-%d-%u", tag, getpid(), counter++);
	cfg.name = name;
	cfg.mem_base = V2_BASE;
	cfg.mem_size = 2u * region_size(p);
	cr_assert_eq(emu_segment_create(&cfg, &p->seg), 0);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(emu_core_start(p->seg, r, &p->core[r]), 0);
	}
}

uint8_t *v2_region(struct v2_pair *p, int role, bool tx)
{
	return emu_segment_ptr(p->seg, region_addr(p, role, tx), region_size(p));
}

void v2_layout(struct v2_pair *p, int role, bool tx, struct icbmsg_v2_layout *out)
{
	uint32_t s = p->o.slots[role] ? p->o.slots[role] : 16;

	cr_assert_eq(icbmsg_v2_layout_compute(region_addr(p, role, tx), region_size(p),
					      p->o.dcache_alignment, blocks(p, role, tx), s, out),
		     0);
}

void v2_side_init(struct v2_pair *p, int role)
{
	struct v2_side *s = &p->side[role];
	const struct device *mbox = emu_core_mbox(p->core[role]);

	uint8_t *tx = v2_region(p, role, true), *rx = v2_region(p, role, false);

	if (p->o.cache_model) {
		uint32_t line = p->o.dcache_alignment > 4 ? p->o.dcache_alignment : 4;

		if (p->cache[role] == NULL) {
			cr_assert_eq(emu_cache_create(0x5eed0u + (uint64_t)role, &p->cache[role]), 0);
			emu_cache_set_evict_rate(p->cache[role], p->o.evict_rate);
		}
		tx = emu_cache_map(p->cache[role], tx, region_addr(p, role, true), region_size(p),
				   line);
		rx = emu_cache_map(p->cache[role], rx, region_addr(p, role, false), region_size(p),
				   line);
		cr_assert(tx != NULL && rx != NULL);
	}
	memset(s, 0, sizeof(*s));
	s->conf = (struct icbmsg_v2_config){
		.mbox_tx = {.dev = mbox, .channel_id = TX_CH(role)},
		.mbox_rx = {.dev = mbox, .channel_id = RX_CH(role)},
		.tx = {.ptr = tx, .addr = region_addr(p, role, true),
		       .size = region_size(p), .blocks = blocks(p, role, true)},
		.rx = {.ptr = rx, .addr = region_addr(p, role, false),
		       .size = region_size(p), .blocks = blocks(p, role, false)},
		.dcache_alignment = p->o.dcache_alignment,
		.max_active_count = p->o.slots[role],
		.num_ept = p->o.num_ept,
		.deinit = !p->o.no_deinit,
	};
	s->data.ept = s->ept;
	s->dev = (struct device){.name = role == V2_HOST ? "host-v2" : "remote-v2",
				 .config = &s->conf,
				 .api = &ipc_icbmsg_v2_backend,
				 .data = &s->data};
	cr_assert_eq(icbmsg_v2_init(&s->dev), 0);
	s->up = true;
}

void v2_ring(struct v2_pair *p, int role)
{
	/* The peer's core sends on the channel `role` receives on. */
	cr_assert_eq(mbox_send(emu_core_mbox(p->core[!role]), RX_CH(role), NULL), 0);
}

void v2_pair_teardown(struct v2_pair *p)
{
	char path[160];

	for (int r = 0; r < 2; r++) {
		if (p->side[r].up) {
			icbmsg_v2_deinit(&p->side[r].dev);
			p->side[r].up = false;
		}
	}
	for (int r = 0; r < 2; r++) {
		emu_core_stop(p->core[r]);
		p->core[r] = NULL;
	}
	for (int r = 0; r < 2; r++) {
		if (p->cache[r] != NULL) {
			emu_cache_destroy(p->cache[r]);
			p->cache[r] = NULL;
		}
	}
	snprintf(path, sizeof(path), "/dev/shm/%s-mem", emu_segment_name(p->seg));
	emu_segment_close(p->seg);
	cr_expect_neq(access(path, F_OK), 0, "%s left behind", path);
	p->seg = NULL;
}
