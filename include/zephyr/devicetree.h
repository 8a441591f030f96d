/*
 * zephyr/devicetree.h - node identifiers, resolved at run time.
 *
 * On Zephyr a node identifier is a token that the generated devicetree
 * header turns into compile-time constants.  Here it is a string that the
 * runtime (emu/zephyr_rt.c) looks up in the devicetree the program was
 * started with (IPC_EMU_DTS, or the built-in board):
 *
 *   DT_NODELABEL(ipc0)          "ipc0"       a node label
 *   DT_PATH(ipc, ipc0)          "/ipc/ipc0"  a path; each component is matched
 *                                            with its non-alphanumeric characters
 *                                            read as '_', as Zephyr spells them
 *
 * Node identifiers are usable wherever Zephyr code passes them on
 * (DEVICE_DT_GET, MBOX_DT_SPEC_GET), not in #if: DT_NODE_EXISTS and the
 * property macros are not provided.
 */
#ifndef ZEPHYR_INCLUDE_DEVICETREE_H_
#define ZEPHYR_INCLUDE_DEVICETREE_H_

#define DT_NODELABEL(label) #label

#define EMU_DT_PATH_1(a) "/" #a
#define EMU_DT_PATH_2(a, b) "/" #a "/" #b
#define EMU_DT_PATH_3(a, b, c) "/" #a "/" #b "/" #c
#define EMU_DT_PATH_4(a, b, c, d) "/" #a "/" #b "/" #c "/" #d
#define EMU_DT_PATH_PICK(_1, _2, _3, _4, name, ...) name
#define DT_PATH(...)                                                                          \
	EMU_DT_PATH_PICK(__VA_ARGS__, EMU_DT_PATH_4, EMU_DT_PATH_3, EMU_DT_PATH_2,             \
			 EMU_DT_PATH_1, ~)(__VA_ARGS__)

#endif /* ZEPHYR_INCLUDE_DEVICETREE_H_ */
