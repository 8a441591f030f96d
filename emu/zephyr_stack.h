/*
 * zephyr_stack.h - the "Zephyr stack" mode of the Zephyr runtime: a program
 * whose IPC backends are Zephyr's own sources (`ipc-emu zephyr-build`),
 * booted by its init list (emu/zephyr_init.c, zephyr/init.h) instead of
 * getting ipc-emu's core instances (emu/zephyr_rt.c).  Private to emu/.
 */
#ifndef IPC_EMU_ZEPHYR_STACK_H
#define IPC_EMU_ZEPHYR_STACK_H

#include <stdbool.h>
#include <stddef.h>

struct emu_segment;

/* Attach the program (emu/zephyr_rt.c), once.  `zephyr_stack`: the program
 * defines devices of its own (Zephyr's backends): no core IPC instance is
 * created and the memory image is mapped at the devicetree's addresses. */
void zshim_rt_attach(bool zephyr_stack);

/* True when the init list holds a device defined by the program. */
bool zshim_init_has_devices(void);

/* Map the segment's memory image again, at its devicetree address
 * (emu_segment_base()), with MAP_FIXED_NOREPLACE; the old mapping is
 * dropped and emu_segment_ptr() returns addresses in the new one.
 * 0, or a negative errno with one line in err (-EEXIST: the range is
 * taken). */
int zshim_segment_map_at_base(struct emu_segment *s, char *err, size_t errlen);

/* The cache model in Zephyr-stack mode (--cache-model): map private,
 * anonymous memory at the image's devicetree address instead of the image
 * itself, and make all of it views of `c` (emu/cache.c): one view per tx/rx
 * region of the plan's instances (lines of max(dcache-alignment, 4) bytes,
 * random evictions as on ipc-emu's core) and one per gap between them (no
 * evictions).  The shared mapping stays where it is (emu_segment_ptr()).
 * 0, or a negative errno with one line in err. */
struct emu_cache;
struct emu_dt_plan;
int zshim_segment_map_cached(struct emu_segment *s, struct emu_cache *c,
			     const struct emu_dt_plan *plan, char *err, size_t errlen);

/* emu_cache_map() with the private copy at `at` (the caller's memory, with
 * target's alignment modulo the line); `evict`: the view's lines take part
 * in random evictions.  The view's private address, or NULL. */
void *zshim_cache_map_at(struct emu_cache *c, void *shared, uint64_t target, size_t len,
			 uint32_t line, void *at, bool evict);

#endif /* IPC_EMU_ZEPHYR_STACK_H */
