/*
 * zephyr/logging/log.h - Zephyr's logging macros, printed to standard output.
 *
 * A message is one line, written with one write():
 *
 *   <inf> host: Ep bounded
 *
 * as Zephyr's UART backend prints it without timestamps; set
 * IPC_EMU_LOG_TIMESTAMP=1 in the environment for Zephyr's
 * "[hh:mm:ss.mmm,uuu] " prefix (time since the program started).
 *
 * LOG_MODULE_REGISTER(name[, level]) / LOG_MODULE_DECLARE(name[, level]) name
 * the module of a file; the level (LOG_LEVEL_NONE..LOG_LEVEL_DBG, default
 * CONFIG_LOG_DEFAULT_LEVEL = 3, info) filters at compile time as on Zephyr.
 * Logging is synchronous (CONFIG_LOG_MODE_IMMEDIATE): a message logged in a
 * callback is printed before the callback returns.
 */
#ifndef ZEPHYR_INCLUDE_LOGGING_LOG_H_
#define ZEPHYR_INCLUDE_LOGGING_LOG_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOG_LEVEL_NONE 0
#define LOG_LEVEL_ERR 1
#define LOG_LEVEL_WRN 2
#define LOG_LEVEL_INF 3
#define LOG_LEVEL_DBG 4

#ifndef CONFIG_LOG_DEFAULT_LEVEL
#define CONFIG_LOG_DEFAULT_LEVEL LOG_LEVEL_INF
#endif

struct emu_log_source {
	const char *name;
	int level;
};

void emu_zephyr_log(const struct emu_log_source *src, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void emu_zephyr_log_hexdump(const struct emu_log_source *src, int level, const void *data,
			    size_t length, const char *str);

#define EMU_LOG_MODULE(name, level, ...)                                                      \
	__attribute__((unused)) static const struct emu_log_source emu_log_source_ = {#name, level}
#define LOG_MODULE_REGISTER(...) EMU_LOG_MODULE(__VA_ARGS__, CONFIG_LOG_DEFAULT_LEVEL, ~)
#define LOG_MODULE_DECLARE(...) EMU_LOG_MODULE(__VA_ARGS__, CONFIG_LOG_DEFAULT_LEVEL, ~)

#define EMU_LOG(lvl, ...)                                                                     \
	do {                                                                                  \
		if ((lvl) <= emu_log_source_.level) {                                         \
			emu_zephyr_log(&emu_log_source_, (lvl), __VA_ARGS__);                 \
		}                                                                             \
	} while (0)
#define EMU_LOG_HEXDUMP(lvl, data, length, str)                                               \
	do {                                                                                  \
		if ((lvl) <= emu_log_source_.level) {                                         \
			emu_zephyr_log_hexdump(&emu_log_source_, (lvl), (data), (length),     \
					       (str));                                        \
		}                                                                             \
	} while (0)

#define LOG_ERR(...) EMU_LOG(LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WRN(...) EMU_LOG(LOG_LEVEL_WRN, __VA_ARGS__)
#define LOG_INF(...) EMU_LOG(LOG_LEVEL_INF, __VA_ARGS__)
#define LOG_DBG(...) EMU_LOG(LOG_LEVEL_DBG, __VA_ARGS__)
#define LOG_HEXDUMP_ERR(data, length, str) EMU_LOG_HEXDUMP(LOG_LEVEL_ERR, data, length, str)
#define LOG_HEXDUMP_WRN(data, length, str) EMU_LOG_HEXDUMP(LOG_LEVEL_WRN, data, length, str)
#define LOG_HEXDUMP_INF(data, length, str) EMU_LOG_HEXDUMP(LOG_LEVEL_INF, data, length, str)
#define LOG_HEXDUMP_DBG(data, length, str) EMU_LOG_HEXDUMP(LOG_LEVEL_DBG, data, length, str)
#define LOG_PRINTK(...) printk(__VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_LOGGING_LOG_H_ */
