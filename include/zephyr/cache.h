/*
 * zephyr/cache.h - Zephyr's cache management API.
 *
 * The emulated cores have a data cache (CONFIG_DCACHE) and no instruction
 * cache.  Shared memory is coherent unless the run uses the incoherent cache
 * model (`ipc-emu run --cache-model`, docs/cache-model.md): then the range
 * operations act on the model exactly as the IPC core's own flushes and
 * invalidates do, line by line (a range outside the modelled regions is
 * coherent memory and needs nothing).
 *
 * Return values:
 *   sys_cache_data_flush_range / _invd_range / _flush_and_invd_range: 0.
 *   sys_cache_data_flush_all / _invd_all / _flush_and_invd_all: 0 without the
 *     cache model; -ENOTSUP with it (whole-cache operations are not modelled;
 *     the first such call says so on stderr): use the range forms.
 *   sys_cache_instr_*: -ENOTSUP (no instruction cache, as Zephyr without
 *     CONFIG_ICACHE).
 *   sys_cache_data_line_size_get: CONFIG_DCACHE_LINE_SIZE if defined (on the
 *     command line), else 0, as Zephyr without line-size detection.
 * Any thread, including MBOX/IPM callbacks.  The range operations pass the
 * crash points zephyr_cache_flush_before/_after and zephyr_cache_invd_before/
 * _after (`ipc-emu run --crash-point`, docs/reliability.md); a Zephyr-stack
 * program's cache model sits at the devicetree's addresses
 * (docs/zephyr-sources.md).
 */
#ifndef ZEPHYR_INCLUDE_CACHE_H_
#define ZEPHYR_INCLUDE_CACHE_H_

#include <errno.h>
#include <stddef.h>

#include <zephyr/toolchain.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The cache model's flush / invalidate of [addr, addr+size) (no-ops when the
 * model is off).  Both return 0. */
int emu_zephyr_cache_flush(void *addr, size_t size);
int emu_zephyr_cache_invd(void *addr, size_t size);
/* Whole data cache: 0 (coherent memory), or -ENOTSUP under the cache model. */
int emu_zephyr_cache_all(void);

static ALWAYS_INLINE void sys_cache_data_enable(void)
{
}

static ALWAYS_INLINE void sys_cache_data_disable(void)
{
}

static ALWAYS_INLINE void sys_cache_instr_enable(void)
{
}

static ALWAYS_INLINE void sys_cache_instr_disable(void)
{
}

static ALWAYS_INLINE int sys_cache_data_flush_range(void *addr, size_t size)
{
	return emu_zephyr_cache_flush(addr, size);
}

static ALWAYS_INLINE int sys_cache_data_invd_range(void *addr, size_t size)
{
	return emu_zephyr_cache_invd(addr, size);
}

static ALWAYS_INLINE int sys_cache_data_flush_and_invd_range(void *addr, size_t size)
{
	(void)emu_zephyr_cache_flush(addr, size);
	return emu_zephyr_cache_invd(addr, size);
}

static ALWAYS_INLINE int sys_cache_data_flush_all(void)
{
	return emu_zephyr_cache_all();
}

static ALWAYS_INLINE int sys_cache_data_invd_all(void)
{
	return emu_zephyr_cache_all();
}

static ALWAYS_INLINE int sys_cache_data_flush_and_invd_all(void)
{
	return emu_zephyr_cache_all();
}

static ALWAYS_INLINE int sys_cache_instr_flush_all(void)
{
	return -ENOTSUP;
}

static ALWAYS_INLINE int sys_cache_instr_invd_all(void)
{
	return -ENOTSUP;
}

static ALWAYS_INLINE int sys_cache_instr_flush_and_invd_all(void)
{
	return -ENOTSUP;
}

static ALWAYS_INLINE int sys_cache_instr_flush_range(void *addr, size_t size)
{
	(void)addr;
	(void)size;
	return -ENOTSUP;
}

static ALWAYS_INLINE int sys_cache_instr_invd_range(void *addr, size_t size)
{
	(void)addr;
	(void)size;
	return -ENOTSUP;
}

static ALWAYS_INLINE int sys_cache_instr_flush_and_invd_range(void *addr, size_t size)
{
	(void)addr;
	(void)size;
	return -ENOTSUP;
}

static ALWAYS_INLINE size_t sys_cache_data_line_size_get(void)
{
#if defined(CONFIG_DCACHE_LINE_SIZE)
	return CONFIG_DCACHE_LINE_SIZE;
#else
	return 0;
#endif
}

static ALWAYS_INLINE size_t sys_cache_instr_line_size_get(void)
{
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_CACHE_H_ */
