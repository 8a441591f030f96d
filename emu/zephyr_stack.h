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

#endif /* IPC_EMU_ZEPHYR_STACK_H */
