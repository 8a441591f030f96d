/*
 * zephyr/devicetree.h - node identifiers and the devicetree macros.
 *
 * Two modes, chosen by whether <zephyr/devicetree_generated.h> is on the
 * include path:
 *
 * Generated (`ipc-emu zephyr-config`, or ipc_emu_zephyr_program() in CMake,
 * wrote DIR/zephyr/devicetree_generated.h from the run's DTS and DIR is on
 * the include path): node identifiers are tokens as on Zephyr
 * (DT_N_S_ipc_S_ipc0) and the property macros (DT_PROP, DT_REG_ADDR,
 * DT_NODE_EXISTS, DT_INST_FOREACH_STATUS_OKAY ...) are compile-time
 * constants, usable in `#if`; see zephyr/devicetree/generated.h.
 *
 * Run-time (no generated header, the behaviour of earlier releases): a node
 * identifier is a string that the runtime (emu/zephyr_rt.c) looks up in the
 * devicetree the program was started with (IPC_EMU_DTS, or the built-in
 * board):
 *
 *   DT_NODELABEL(ipc0)          "ipc0"       a node label
 *   DT_PATH(ipc, ipc0)          "/ipc/ipc0"  a path; each component is matched
 *                                            with its non-alphanumeric characters
 *                                            read as '_', as Zephyr spells them
 *
 * and only DEVICE_DT_GET and MBOX_DT_SPEC_GET accept them: the property
 * macros are not provided in this mode, so code that uses them fails to
 * compile instead of reading a wrong value.
 */
#ifndef ZEPHYR_INCLUDE_DEVICETREE_H_
#define ZEPHYR_INCLUDE_DEVICETREE_H_

#if defined(__has_include)
#if __has_include(<zephyr/devicetree_generated.h>)
#define EMU_DT_GENERATED 1
#endif
#endif

#ifdef EMU_DT_GENERATED

#include <zephyr/devicetree/generated.h>

#else /* !EMU_DT_GENERATED */

#define DT_NODELABEL(label) #label

#define EMU_DT_PATH_1(a) "/" #a
#define EMU_DT_PATH_2(a, b) "/" #a "/" #b
#define EMU_DT_PATH_3(a, b, c) "/" #a "/" #b "/" #c
#define EMU_DT_PATH_4(a, b, c, d) "/" #a "/" #b "/" #c "/" #d
#define EMU_DT_PATH_PICK(_1, _2, _3, _4, name, ...) name
#define DT_PATH(...)                                                                          \
	EMU_DT_PATH_PICK(__VA_ARGS__, EMU_DT_PATH_4, EMU_DT_PATH_3, EMU_DT_PATH_2,             \
			 EMU_DT_PATH_1, ~)(__VA_ARGS__)

#endif /* EMU_DT_GENERATED */

#endif /* ZEPHYR_INCLUDE_DEVICETREE_H_ */
