/*
 * zephyr/ipc/pbuf.h - Zephyr's packet buffer (include/ipc_emu/pbuf.h: the
 * same structures, PBUF_CFG_INIT and functions, and the same memory layout),
 * plus Zephyr's PBUF_DEFINE.
 *
 * PBUF_DEFINE(name, mem_addr, size, dcache_align, use_handshake,
 * compatibility) is Zephyr's 6-argument form (v4.1+): it defines
 * `static struct pbuf name` over a `static` config `cfg_##name`, with the
 * layout PBUF_CFG_INIT gives (ipc_emu/pbuf.h), and makes Zephyr's build-time
 * checks: dcache_align >= 0; size > 0 and a multiple of 4; size >=
 * PBUF_HEADER_OVERHEAD(dcache_align) + _PBUF_MIN_DATA_LEN; with
 * `compatibility`, dcache_align >= 8; and mem_addr aligned to
 * max(dcache_align, 4).  Difference: the alignment of mem_addr is checked at
 * build time only when it is an integer constant (Zephyr requires one); for
 * the address of an array, pbuf_tx_init()/pbuf_rx_init() check it and
 * return -EINVAL.  The config is not const when PBUF_MAYBE_CONST is empty
 * (CONFIG_ARCH_POSIX), as on Zephyr.
 */
#ifndef ZEPHYR_INCLUDE_IPC_PBUF_H_
#define ZEPHYR_INCLUDE_IPC_PBUF_H_

#include "ipc_emu/pbuf.h"
#include <zephyr/cache.h>
#include <zephyr/kernel.h>

#if defined(CONFIG_ARCH_POSIX)
#define PBUF_MAYBE_CONST
#else
#define PBUF_MAYBE_CONST const
#endif

/* Constant-expression alignment check that passes for non-constant addresses. */
#define EMU_PBUF_ADDR_ALIGNED(mem_addr, align)                                                \
	__builtin_choose_expr(__builtin_constant_p((uintptr_t)(mem_addr) % (align)),          \
			      ((uintptr_t)(mem_addr) % (align)) == 0, 1)

#define PBUF_DEFINE(name, mem_addr, size, dcache_align, use_handshake, compatibility)         \
	BUILD_ASSERT((dcache_align) >= 0, "Cache line size must be non negative.");             \
	BUILD_ASSERT((size) > 0 && IS_PTR_ALIGNED_BYTES(size, _PBUF_IDX_SIZE), "Incorrect size."); \
	BUILD_ASSERT(EMU_PBUF_ADDR_ALIGNED(mem_addr, MAX(dcache_align, _PBUF_IDX_SIZE)),        \
		     "Misaligned memory.");                                                  \
	BUILD_ASSERT((size) >= (MAX(dcache_align, _PBUF_IDX_SIZE) + _PBUF_IDX_SIZE +            \
				_PBUF_MIN_DATA_LEN),                                            \
		     "Insufficient size.");                                                  \
	BUILD_ASSERT(!(compatibility) || (dcache_align) >= 8,                                   \
		     "Data cache alignment must be at least 8 if compatibility is enabled.");  \
	static PBUF_MAYBE_CONST struct pbuf_cfg cfg_##name =                                   \
		PBUF_CFG_INIT(mem_addr, size, dcache_align, use_handshake);                    \
	static struct pbuf name = {                                                            \
		.cfg = &cfg_##name,                                                            \
	}

#endif /* ZEPHYR_INCLUDE_IPC_PBUF_H_ */
