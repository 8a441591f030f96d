/*
 * zephyr/stats/stats.h - Zephyr's statistics macros as Zephyr defines them
 * without CONFIG_STATS: a group's STATS_SECT_START ... STATS_SECT_END
 * declares an empty structure type (struct stats_<group>), the entries
 * declare nothing, and STATS_INC/INCN/SET/CLEAR/RESET expand to nothing
 * (their arguments are not evaluated, so code may name fields that only
 * exist with CONFIG_STATS); STATS_INIT_AND_REG is (0).  Without
 * CONFIG_STATS_NAMES the STATS_NAME_* macros declare nothing either.
 *
 * Differences from Zephyr: CONFIG_STATS and CONFIG_STATS_NAMES are refused
 * with #error (there is no statistics registry or `stats` shell here); an
 * empty group is a GNU C empty structure, as on Zephyr.
 */
#ifndef ZEPHYR_INCLUDE_STATS_STATS_H_
#define ZEPHYR_INCLUDE_STATS_STATS_H_

#include <stddef.h>
#include <stdint.h>

#if defined(CONFIG_STATS) || defined(CONFIG_STATS_NAMES)
#error "ipc-emu's compatibility headers have no statistics registry: CONFIG_STATS and CONFIG_STATS_NAMES must be off"
#endif

#define STATS_SECT_DECL(group__) struct stats_##group__
#define STATS_SECT_START(group__) STATS_SECT_DECL(group__) {
#define STATS_SECT_END }
#define STATS_SECT_ENTRY(var__)
#define STATS_SECT_ENTRY16(var__)
#define STATS_SECT_ENTRY32(var__)
#define STATS_SECT_ENTRY64(var__)
#define STATS_RESET(var__)
#define STATS_SIZE_INIT_PARMS(group__, size__)
#define STATS_INCN(group__, var__, n__)
#define STATS_INC(group__, var__)
#define STATS_SET(group__, var__, ...)
#define STATS_CLEAR(group__, var__)
#define STATS_INIT_AND_REG(group__, size__, name__) (0)

#define STATS_NAME_START(name__)
#define STATS_NAME(name__, entry__)
#define STATS_NAME_END(name__)
#define STATS_NAME_INIT_PARMS(name__) NULL, 0

#endif /* ZEPHYR_INCLUDE_STATS_STATS_H_ */
