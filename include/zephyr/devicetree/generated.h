/*
 * zephyr/devicetree/generated.h - Zephyr's devicetree macros over the tokens
 * of <zephyr/devicetree_generated.h> (written by `ipc-emu zephyr-config`).
 * Included by <zephyr/devicetree.h> when that header is on the include path;
 * not meant to be included directly.
 *
 * A node identifier is a token: DT_N (root), DT_N_S_ipc_S_ipc0 (/ipc/ipc0),
 * node and property names spelt in lower case with every character that is
 * not a letter or a digit read as '_'.  Every macro here pastes a suffix on
 * it and lets the generated header give the value, so they are all constant
 * expressions, and the DT_NODE_EXISTS / DT_NODE_HAS_* / DT_HAS_* family is
 * usable in `#if`.  The generated header documents the tokens and how
 * property types are inferred from the DTS (the FDT has no types).
 *
 * Not provided (fail to compile): DT_LABEL (removed from Zephyr), the
 * bus/interrupt/GPIO/pinctrl/clock helper families, DT_FOREACH_NODE,
 * fixed-partition and memory-attribute helpers.
 */
#ifndef ZEPHYR_INCLUDE_DEVICETREE_GENERATED_MACROS_H_
#define ZEPHYR_INCLUDE_DEVICETREE_GENERATED_MACROS_H_

#include <zephyr/devicetree.h>

#ifdef EMU_DT_GENERATED

#include <zephyr/devicetree_generated.h>

/* --- preprocessor helpers (our own; EMU_ prefixed so that they never clash
 * with <zephyr/sys/util.h>) ------------------------------------------------ */
#define EMU_DT_CAT(a, b) EMU_DT_CAT_I(a, b)
#define EMU_DT_CAT_I(a, b) a##b
#define EMU_DT_CAT3(a, b, c) EMU_DT_CAT3_I(a, b, c)
#define EMU_DT_CAT3_I(a, b, c) a##b##c
#define EMU_DT_CAT4(a, b, c, d) EMU_DT_CAT4_I(a, b, c, d)
#define EMU_DT_CAT4_I(a, b, c, d) a##b##c##d
#define EMU_DT_CAT5(a, b, c, d, e) EMU_DT_CAT5_I(a, b, c, d, e)
#define EMU_DT_CAT5_I(a, b, c, d, e) a##b##c##d##e
#define EMU_DT_CAT6(a, b, c, d, e, f) EMU_DT_CAT6_I(a, b, c, d, e, f)
#define EMU_DT_CAT6_I(a, b, c, d, e, f) a##b##c##d##e##f
#define EMU_DT_CAT7(a, b, c, d, e, f, g) EMU_DT_CAT7_I(a, b, c, d, e, f, g)
#define EMU_DT_CAT7_I(a, b, c, d, e, f, g) a##b##c##d##e##f##g
#define EMU_DT_CAT8(a, b, c, d, e, f, g, h) EMU_DT_CAT8_I(a, b, c, d, e, f, g, h)
#define EMU_DT_CAT8_I(a, b, c, d, e, f, g, h) a##b##c##d##e##f##g##h

/* 1 when `x` expands to 1, else 0 (an undefined token gives 0). */
#define EMU_DT_ON_1 EMU_DT_ON_X,
#define EMU_DT_IS_1(x) EMU_DT_IS_1_I(x)
#define EMU_DT_IS_1_I(x) EMU_DT_IS_1_II(EMU_DT_ON_##x)
#define EMU_DT_IS_1_II(maybe_comma) EMU_DT_ARG2(maybe_comma 1, 0, ~)
#define EMU_DT_ARG2(a, b, ...) b
#define EMU_DT_DEBRACKET(...) __VA_ARGS__
/* (if_1) when `flag` expands to 1, else (otherwise); both parenthesised. */
#define EMU_DT_COND_1(flag, if_1, otherwise) EMU_DT_COND_1_I(flag, if_1, otherwise)
#define EMU_DT_COND_1_I(flag, if_1, otherwise)                                               \
	EMU_DT_COND_1_II(EMU_DT_ON_##flag, if_1, otherwise)
#define EMU_DT_COND_1_II(maybe_comma, if_1, otherwise)                                       \
	EMU_DT_ARG2_DEBRACKET(maybe_comma if_1, otherwise, ~)
#define EMU_DT_ARG2_DEBRACKET(a, b, ...) EMU_DT_DEBRACKET b

/* --- node identifiers ----------------------------------------------------- */
#define DT_INVALID_NODE _
#define DT_ROOT DT_N
#define DT_NODELABEL(label) EMU_DT_CAT(DT_N_NODELABEL_, label)
#define DT_ALIAS(alias) EMU_DT_CAT(DT_N_ALIAS_, alias)
#define DT_HAS_ALIAS(alias) DT_NODE_EXISTS(DT_ALIAS(alias))
#define DT_CHOSEN(prop) EMU_DT_CAT(DT_CHOSEN_, prop)
#define DT_HAS_CHOSEN(prop) EMU_DT_IS_1(EMU_DT_CAT3(DT_CHOSEN_, prop, _EXISTS))
#define DT_INST(inst, compat) EMU_DT_CAT4(DT_N_INST_, inst, _, compat)
#define DT_PARENT(node_id) EMU_DT_CAT(node_id, _PARENT)
#define DT_GPARENT(node_id) DT_PARENT(DT_PARENT(node_id))
#define DT_CHILD(node_id, child) EMU_DT_CAT3(node_id, _S_, child)

/* DT_PATH(a, b, ...): DT_N_S_a_S_b...; up to 8 components. */
#define EMU_DT_P1(a) DT_N_S_##a
#define EMU_DT_P2(a, b) DT_N_S_##a##_S_##b
#define EMU_DT_P3(a, b, c) DT_N_S_##a##_S_##b##_S_##c
#define EMU_DT_P4(a, b, c, d) DT_N_S_##a##_S_##b##_S_##c##_S_##d
#define EMU_DT_P5(a, b, c, d, e) DT_N_S_##a##_S_##b##_S_##c##_S_##d##_S_##e
#define EMU_DT_P6(a, b, c, d, e, f) DT_N_S_##a##_S_##b##_S_##c##_S_##d##_S_##e##_S_##f
#define EMU_DT_P7(a, b, c, d, e, f, g)                                                       \
	DT_N_S_##a##_S_##b##_S_##c##_S_##d##_S_##e##_S_##f##_S_##g
#define EMU_DT_P8(a, b, c, d, e, f, g, h)                                                    \
	DT_N_S_##a##_S_##b##_S_##c##_S_##d##_S_##e##_S_##f##_S_##g##_S_##h
#define EMU_DT_PPICK(_1, _2, _3, _4, _5, _6, _7, _8, name, ...) name
#define DT_PATH(...)                                                                          \
	EMU_DT_PPICK(__VA_ARGS__, EMU_DT_P8, EMU_DT_P7, EMU_DT_P6, EMU_DT_P5, EMU_DT_P4,       \
		     EMU_DT_P3, EMU_DT_P2, EMU_DT_P1, ~)(__VA_ARGS__)

/* --- nodes ---------------------------------------------------------------- */
#define DT_NODE_EXISTS(node_id) EMU_DT_IS_1(EMU_DT_CAT(node_id, _EXISTS))
#define DT_NODE_HAS_STATUS(node_id, status) EMU_DT_IS_1(EMU_DT_CAT3(node_id, _STATUS_, status))
#define DT_NODE_HAS_STATUS_OKAY(node_id) DT_NODE_HAS_STATUS(node_id, okay)
#define DT_NODE_HAS_COMPAT(node_id, compat)                                                  \
	EMU_DT_IS_1(EMU_DT_CAT3(node_id, _COMPAT_MATCHES_, compat))
#define DT_NODE_HAS_COMPAT_STATUS(node_id, compat, status)                                   \
	(DT_NODE_HAS_COMPAT(node_id, compat) && DT_NODE_HAS_STATUS(node_id, status))
#define DT_NODE_PATH(node_id) EMU_DT_CAT(node_id, _PATH)
#define DT_NODE_FULL_NAME(node_id) EMU_DT_CAT(node_id, _FULL_NAME)
#define DT_NODE_CHILD_IDX(node_id) EMU_DT_CAT(node_id, _CHILD_IDX)
#define DT_CHILD_NUM(node_id) EMU_DT_CAT(node_id, _CHILD_NUM)
#define DT_CHILD_NUM_STATUS_OKAY(node_id) EMU_DT_CAT(node_id, _CHILD_NUM_STATUS_OKAY)
#define DT_DEP_ORD(node_id) EMU_DT_CAT(node_id, _ORD)
#define DT_SAME_NODE(a, b) (DT_DEP_ORD(a) == DT_DEP_ORD(b))
#define DT_NUM_NODELABELS(node_id) EMU_DT_CAT(node_id, _NODELABEL_NUM)

#define DT_FOREACH_CHILD(node_id, fn) EMU_DT_CAT(node_id, _FOREACH_CHILD)(fn)
#define DT_FOREACH_CHILD_SEP(node_id, fn, sep) EMU_DT_CAT(node_id, _FOREACH_CHILD_SEP)(fn, sep)
#define DT_FOREACH_CHILD_VARGS(node_id, fn, ...)                                              \
	EMU_DT_CAT(node_id, _FOREACH_CHILD_VARGS)(fn, __VA_ARGS__)
#define DT_FOREACH_CHILD_STATUS_OKAY(node_id, fn)                                             \
	EMU_DT_CAT(node_id, _FOREACH_CHILD_STATUS_OKAY)(fn)
#define DT_FOREACH_CHILD_STATUS_OKAY_VARGS(node_id, fn, ...)                                  \
	EMU_DT_CAT(node_id, _FOREACH_CHILD_STATUS_OKAY_VARGS)(fn, __VA_ARGS__)

/* --- properties ------------------------------------------------------------ */
#define DT_PROP(node_id, prop) EMU_DT_CAT3(node_id, _P_, prop)
#define DT_NODE_HAS_PROP(node_id, prop) EMU_DT_IS_1(EMU_DT_CAT4(node_id, _P_, prop, _EXISTS))
#define DT_PROP_OR(node_id, prop, default_value)                                             \
	EMU_DT_COND_1(DT_NODE_HAS_PROP(node_id, prop), (DT_PROP(node_id, prop)), (default_value))
#define DT_PROP_LEN(node_id, prop) EMU_DT_CAT4(node_id, _P_, prop, _LEN)
#define DT_PROP_LEN_OR(node_id, prop, default_value)                                         \
	EMU_DT_COND_1(DT_NODE_HAS_PROP(node_id, prop), (DT_PROP_LEN(node_id, prop)),          \
		      (default_value))
#define DT_PROP_HAS_IDX(node_id, prop, idx)                                                  \
	EMU_DT_IS_1(EMU_DT_CAT6(node_id, _P_, prop, _IDX_, idx, _EXISTS))
#define DT_PROP_BY_IDX(node_id, prop, idx) EMU_DT_CAT5(node_id, _P_, prop, _IDX_, idx)
#define DT_PROP_HAS_NAME(node_id, prop, name)                                                \
	EMU_DT_IS_1(EMU_DT_CAT6(node_id, _P_, prop, _NAME_, name, _EXISTS))
#define DT_FOREACH_PROP_ELEM(node_id, prop, fn)                                               \
	EMU_DT_CAT4(node_id, _P_, prop, _FOREACH_PROP_ELEM)(fn)
#define DT_FOREACH_PROP_ELEM_SEP(node_id, prop, fn, sep)                                      \
	EMU_DT_CAT4(node_id, _P_, prop, _FOREACH_PROP_ELEM_SEP)(fn, sep)
#define DT_FOREACH_PROP_ELEM_VARGS(node_id, prop, fn, ...)                                    \
	EMU_DT_CAT4(node_id, _P_, prop, _FOREACH_PROP_ELEM_VARGS)(fn, __VA_ARGS__)

#define DT_ENUM_IDX(node_id, prop) EMU_DT_CAT4(node_id, _P_, prop, _ENUM_IDX)
#define DT_ENUM_IDX_OR(node_id, prop, default_idx_value)                                     \
	EMU_DT_COND_1(DT_NODE_HAS_PROP(node_id, prop), (DT_ENUM_IDX(node_id, prop)),          \
		      (default_idx_value))
#define DT_ENUM_HAS_VALUE(node_id, prop, value)                                              \
	EMU_DT_IS_1(EMU_DT_CAT6(node_id, _P_, prop, _ENUM_VAL_, value, _EXISTS))
#define DT_STRING_TOKEN(node_id, prop) EMU_DT_CAT4(node_id, _P_, prop, _STRING_TOKEN)
#define DT_STRING_UPPER_TOKEN(node_id, prop) EMU_DT_CAT4(node_id, _P_, prop, _STRING_UPPER_TOKEN)
#define DT_STRING_UNQUOTED(node_id, prop) EMU_DT_CAT4(node_id, _P_, prop, _STRING_UNQUOTED)
#define DT_STRING_TOKEN_OR(node_id, prop, default_value)                                     \
	EMU_DT_COND_1(DT_NODE_HAS_PROP(node_id, prop), (DT_STRING_TOKEN(node_id, prop)),      \
		      (default_value))
#define DT_STRING_UPPER_TOKEN_OR(node_id, prop, default_value)                               \
	EMU_DT_COND_1(DT_NODE_HAS_PROP(node_id, prop), (DT_STRING_UPPER_TOKEN(node_id, prop)),\
		      (default_value))
#define DT_STRING_TOKEN_BY_IDX(node_id, prop, idx)                                           \
	EMU_DT_CAT6(node_id, _P_, prop, _IDX_, idx, _STRING_TOKEN)
#define DT_STRING_UPPER_TOKEN_BY_IDX(node_id, prop, idx)                                     \
	EMU_DT_CAT6(node_id, _P_, prop, _IDX_, idx, _STRING_UPPER_TOKEN)

/* phandle, phandles and phandle-array properties */
#define DT_PHANDLE_BY_IDX(node_id, prop, idx) EMU_DT_CAT6(node_id, _P_, prop, _IDX_, idx, _PH)
#define DT_PHANDLE(node_id, prop) DT_PHANDLE_BY_IDX(node_id, prop, 0)
#define DT_PHANDLE_BY_NAME(node_id, pha, name) EMU_DT_CAT6(node_id, _P_, pha, _NAME_, name, _PH)
#define DT_PHA_BY_IDX(node_id, pha, idx, cell)                                               \
	EMU_DT_CAT7(node_id, _P_, pha, _IDX_, idx, _VAL_, cell)
#define DT_PHA_BY_IDX_OR(node_id, pha, idx, cell, default_value)                             \
	EMU_DT_COND_1(EMU_DT_IS_1(EMU_DT_CAT8(node_id, _P_, pha, _IDX_, idx, _VAL_, cell,      \
					      _EXISTS)),                                      \
		      (DT_PHA_BY_IDX(node_id, pha, idx, cell)), (default_value))
#define DT_PHA(node_id, pha, cell) DT_PHA_BY_IDX(node_id, pha, 0, cell)
#define DT_PHA_OR(node_id, pha, cell, default_value)                                         \
	DT_PHA_BY_IDX_OR(node_id, pha, 0, cell, default_value)
#define DT_PHA_BY_NAME(node_id, pha, name, cell)                                             \
	EMU_DT_CAT7(node_id, _P_, pha, _NAME_, name, _VAL_, cell)
#define DT_PHA_HAS_CELL_AT_IDX(node_id, pha, idx, cell)                                      \
	EMU_DT_IS_1(EMU_DT_CAT8(node_id, _P_, pha, _IDX_, idx, _VAL_, cell, _EXISTS))
#define DT_PHA_HAS_CELL(node_id, pha, cell) DT_PHA_HAS_CELL_AT_IDX(node_id, pha, 0, cell)

/* reg */
#define DT_NUM_REGS(node_id) EMU_DT_CAT(node_id, _REG_NUM)
#define DT_REG_HAS_IDX(node_id, idx) EMU_DT_IS_1(EMU_DT_CAT4(node_id, _REG_IDX_, idx, _EXISTS))
#define DT_REG_HAS_NAME(node_id, name)                                                       \
	EMU_DT_IS_1(EMU_DT_CAT4(node_id, _REG_NAME_, name, _EXISTS))
#define DT_REG_ADDR_BY_IDX(node_id, idx) EMU_DT_CAT4(node_id, _REG_IDX_, idx, _VAL_ADDRESS)
#define DT_REG_SIZE_BY_IDX(node_id, idx) EMU_DT_CAT4(node_id, _REG_IDX_, idx, _VAL_SIZE)
#define DT_REG_ADDR(node_id) DT_REG_ADDR_BY_IDX(node_id, 0)
#define DT_REG_SIZE(node_id) DT_REG_SIZE_BY_IDX(node_id, 0)
#define DT_REG_ADDR_BY_NAME(node_id, name) EMU_DT_CAT4(node_id, _REG_NAME_, name, _VAL_ADDRESS)
#define DT_REG_SIZE_BY_NAME(node_id, name) EMU_DT_CAT4(node_id, _REG_NAME_, name, _VAL_SIZE)

/* --- compatibles and instances ---------------------------------------------- */
#define DT_HAS_COMPAT_STATUS_OKAY(compat) EMU_DT_IS_1(EMU_DT_CAT(DT_COMPAT_HAS_OKAY_, compat))
#define DT_NUM_INST_STATUS_OKAY(compat)                                                      \
	EMU_DT_COND_1(DT_HAS_COMPAT_STATUS_OKAY(compat),                                       \
		      (EMU_DT_CAT3(DT_N_INST_, compat, _NUM_OKAY)), (0))
#define DT_COMPAT_GET_ANY_STATUS_OKAY(compat)                                                \
	EMU_DT_COND_1(DT_HAS_COMPAT_STATUS_OKAY(compat), (DT_INST(0, compat)),               \
		      (DT_INVALID_NODE))
#define DT_FOREACH_STATUS_OKAY(compat, fn)                                                    \
	EMU_DT_COND_1(DT_HAS_COMPAT_STATUS_OKAY(compat),                                       \
		      (EMU_DT_CAT(DT_FOREACH_OKAY_, compat)(fn)), ())
#define DT_FOREACH_STATUS_OKAY_VARGS(compat, fn, ...)                                         \
	EMU_DT_COND_1(DT_HAS_COMPAT_STATUS_OKAY(compat),                                       \
		      (EMU_DT_CAT(DT_FOREACH_OKAY_VARGS_, compat)(fn, __VA_ARGS__)), ())

/* DT_DRV_COMPAT (defined by the including file, as on Zephyr) */
#define DT_DRV_INST(inst) DT_INST(inst, DT_DRV_COMPAT)
#define DT_INST_FOREACH_STATUS_OKAY(fn)                                                       \
	EMU_DT_COND_1(DT_HAS_COMPAT_STATUS_OKAY(DT_DRV_COMPAT),                                \
		      (EMU_DT_CAT(DT_FOREACH_OKAY_INST_, DT_DRV_COMPAT)(fn)), ())
#define DT_INST_FOREACH_STATUS_OKAY_VARGS(fn, ...)                                            \
	EMU_DT_COND_1(DT_HAS_COMPAT_STATUS_OKAY(DT_DRV_COMPAT),                                \
		      (EMU_DT_CAT(DT_FOREACH_OKAY_INST_VARGS_, DT_DRV_COMPAT)(fn, __VA_ARGS__)), ())
#define DT_INST_NODE_HAS_PROP(inst, prop) DT_NODE_HAS_PROP(DT_DRV_INST(inst), prop)
#define DT_INST_NODE_HAS_COMPAT(inst, compat) DT_NODE_HAS_COMPAT(DT_DRV_INST(inst), compat)
#define DT_INST_PROP(inst, prop) DT_PROP(DT_DRV_INST(inst), prop)
#define DT_INST_PROP_OR(inst, prop, default_value) DT_PROP_OR(DT_DRV_INST(inst), prop, default_value)
#define DT_INST_PROP_LEN(inst, prop) DT_PROP_LEN(DT_DRV_INST(inst), prop)
#define DT_INST_PROP_LEN_OR(inst, prop, default_value)                                       \
	DT_PROP_LEN_OR(DT_DRV_INST(inst), prop, default_value)
#define DT_INST_PROP_HAS_IDX(inst, prop, idx) DT_PROP_HAS_IDX(DT_DRV_INST(inst), prop, idx)
#define DT_INST_PROP_BY_IDX(inst, prop, idx) DT_PROP_BY_IDX(DT_DRV_INST(inst), prop, idx)
#define DT_INST_PROP_HAS_NAME(inst, prop, name) DT_PROP_HAS_NAME(DT_DRV_INST(inst), prop, name)
#define DT_INST_ENUM_IDX(inst, prop) DT_ENUM_IDX(DT_DRV_INST(inst), prop)
#define DT_INST_ENUM_IDX_OR(inst, prop, d) DT_ENUM_IDX_OR(DT_DRV_INST(inst), prop, d)
#define DT_INST_ENUM_HAS_VALUE(inst, prop, value) DT_ENUM_HAS_VALUE(DT_DRV_INST(inst), prop, value)
#define DT_INST_STRING_TOKEN(inst, prop) DT_STRING_TOKEN(DT_DRV_INST(inst), prop)
#define DT_INST_STRING_UPPER_TOKEN(inst, prop) DT_STRING_UPPER_TOKEN(DT_DRV_INST(inst), prop)
#define DT_INST_STRING_UNQUOTED(inst, prop) DT_STRING_UNQUOTED(DT_DRV_INST(inst), prop)
#define DT_INST_STRING_TOKEN_OR(inst, prop, d) DT_STRING_TOKEN_OR(DT_DRV_INST(inst), prop, d)
#define DT_INST_STRING_UPPER_TOKEN_OR(inst, prop, d)                                         \
	DT_STRING_UPPER_TOKEN_OR(DT_DRV_INST(inst), prop, d)
#define DT_INST_PHANDLE(inst, prop) DT_PHANDLE(DT_DRV_INST(inst), prop)
#define DT_INST_PHANDLE_BY_IDX(inst, prop, idx) DT_PHANDLE_BY_IDX(DT_DRV_INST(inst), prop, idx)
#define DT_INST_PHANDLE_BY_NAME(inst, pha, name) DT_PHANDLE_BY_NAME(DT_DRV_INST(inst), pha, name)
#define DT_INST_PHA(inst, pha, cell) DT_PHA(DT_DRV_INST(inst), pha, cell)
#define DT_INST_PHA_BY_IDX(inst, pha, idx, cell) DT_PHA_BY_IDX(DT_DRV_INST(inst), pha, idx, cell)
#define DT_INST_PHA_BY_NAME(inst, pha, name, cell)                                           \
	DT_PHA_BY_NAME(DT_DRV_INST(inst), pha, name, cell)
#define DT_INST_REG_ADDR(inst) DT_REG_ADDR(DT_DRV_INST(inst))
#define DT_INST_REG_SIZE(inst) DT_REG_SIZE(DT_DRV_INST(inst))
#define DT_INST_REG_ADDR_BY_IDX(inst, idx) DT_REG_ADDR_BY_IDX(DT_DRV_INST(inst), idx)
#define DT_INST_REG_SIZE_BY_IDX(inst, idx) DT_REG_SIZE_BY_IDX(DT_DRV_INST(inst), idx)
#define DT_INST_REG_ADDR_BY_NAME(inst, name) DT_REG_ADDR_BY_NAME(DT_DRV_INST(inst), name)
#define DT_INST_REG_SIZE_BY_NAME(inst, name) DT_REG_SIZE_BY_NAME(DT_DRV_INST(inst), name)
#define DT_INST_NUM_REGS(inst) DT_NUM_REGS(DT_DRV_INST(inst))
#define DT_INST_PARENT(inst) DT_PARENT(DT_DRV_INST(inst))
#define DT_INST_CHILD(inst, child) DT_CHILD(DT_DRV_INST(inst), child)
#define DT_INST_NODE_HAS_STATUS(inst, status) DT_NODE_HAS_STATUS(DT_DRV_INST(inst), status)
#define DT_INST_FOREACH_CHILD(inst, fn) DT_FOREACH_CHILD(DT_DRV_INST(inst), fn)
#define DT_INST_FOREACH_CHILD_STATUS_OKAY(inst, fn)                                          \
	DT_FOREACH_CHILD_STATUS_OKAY(DT_DRV_INST(inst), fn)
#define DT_INST_FOREACH_PROP_ELEM(inst, prop, fn) DT_FOREACH_PROP_ELEM(DT_DRV_INST(inst), prop, fn)
#define DT_INST_DEP_ORD(inst) DT_DEP_ORD(DT_DRV_INST(inst))

#include <zephyr/devicetree/mbox.h>

#endif /* EMU_DT_GENERATED */

#endif /* ZEPHYR_INCLUDE_DEVICETREE_GENERATED_MACROS_H_ */
