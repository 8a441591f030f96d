/*
 * zephyr/init.h - SYS_INIT(): functions run at "boot", in Zephyr's order.
 *
 * SYS_INIT(fn, level, prio) and the devices of DEVICE_DT_DEFINE and friends
 * (zephyr/emu_device_define.h) go into one init list, kept by the runtime
 * (emu/zephyr_init.c).  Each entry is registered by a constructor of
 * priority 101 of the translation unit that defines it; a second
 * constructor, of priority 65535, boots the program: it attaches it to its
 * peer (as the first device use does, see zephyr/device.h) and then runs
 * the init list once, in the order
 *
 *   level: PRE_KERNEL_1, PRE_KERNEL_2, POST_KERNEL, APPLICATION (EARLY
 *          first, SMP last), then prio (lower first), then registration
 *          order (the link order, as on Zephyr, where equal priorities run
 *          in link order too).
 *
 * So the list has run before main() and before any K_THREAD_DEFINE thread
 * (their constructors have no priority and run after every prioritised
 * one), which is where Zephyr runs it.  A program without SYS_INIT or
 * device definitions is not booted (the runtime attaches it lazily, as
 * before).
 *
 * SYS_INIT's function is `int fn(void)` (Zephyr 3.4 and later); a negative
 * return is logged on stderr with the function's name and the boot goes on,
 * as Zephyr's does.  A device whose init function fails stays in the list
 * with its result recorded (emu_zephyr_device_init_result()).
 *
 * Differences from Zephyr: there are no linker sections; `prio` may be any
 * integer constant expression (Zephyr requires a literal or a macro that
 * expands to one); the kernel is "up" at every level (threads, work queues
 * and timers all work from PRE_KERNEL_1 on), so k_is_pre_kernel()
 * (zephyr/kernel.h) is always false.
 */
#ifndef ZEPHYR_INCLUDE_INIT_H_
#define ZEPHYR_INCLUDE_INIT_H_

#include <stdbool.h>

#include <zephyr/toolchain.h>

#ifdef __cplusplus
extern "C" {
#endif

struct device;

/* Levels: pasted after EMU_ZEPHYR_INIT_LEVEL_ (an unknown one does not compile). */
enum {
	EMU_ZEPHYR_INIT_LEVEL_EARLY = 0,
	EMU_ZEPHYR_INIT_LEVEL_PRE_KERNEL_1 = 1,
	EMU_ZEPHYR_INIT_LEVEL_PRE_KERNEL_2 = 2,
	EMU_ZEPHYR_INIT_LEVEL_POST_KERNEL = 3,
	EMU_ZEPHYR_INIT_LEVEL_APPLICATION = 4,
	EMU_ZEPHYR_INIT_LEVEL_SMP = 5,
};

/* One entry of the init list: a SYS_INIT function or a device. */
struct emu_zephyr_init_entry {
	int level;                                   /* EMU_ZEPHYR_INIT_LEVEL_* */
	int prio;
	int (*init)(void);                           /* SYS_INIT, else NULL */
	int (*dev_init)(const struct device *dev);   /* a device's (may be NULL) */
	const struct device *dev;                    /* the device, else NULL */
	const char *name;                            /* function or device name */
	/* Kept by the runtime. */
	unsigned seq;
	bool done;
	int result;
	struct emu_zephyr_init_entry *next;
};

/* Add `e` to the init list (from the constructors below). */
void emu_zephyr_init_register(struct emu_zephyr_init_entry *e);
/* Attach the program and run the init list; once; later calls return at
 * once (after the first call has finished). */
void emu_zephyr_boot(void);
/* The recorded init result of a defined device: 0, its init function's
 * negative return, or -ENODEV for a device the init list does not hold (or
 * not yet run). */
int emu_zephyr_device_init_result(const struct device *dev);

#define EMU_ZEPHYR_INIT_DEFINE(id, lvl_, prio_, fn_, dev_fn_, dev_, name_)                    \
	static struct emu_zephyr_init_entry emu_zinit_##id = {                                \
		.level = EMU_ZEPHYR_INIT_LEVEL_##lvl_,                                        \
		.prio = (prio_),                                                              \
		.init = (fn_),                                                                \
		.dev_init = (dev_fn_),                                                        \
		.dev = (dev_),                                                                \
		.name = (name_),                                                              \
	};                                                                                    \
	__attribute__((constructor(101))) static void emu_zinit_reg_##id(void)               \
	{                                                                                     \
		emu_zephyr_init_register(&emu_zinit_##id);                                    \
	}                                                                                     \
	__attribute__((constructor(65535))) static void emu_zinit_boot_##id(void)            \
	{                                                                                     \
		emu_zephyr_boot();                                                            \
	}                                                                                     \
	extern int emu_zinit_semicolon_##id

#define SYS_INIT_NAMED(name_, init_fn, lvl_, prio_)                                           \
	EMU_ZEPHYR_INIT_DEFINE(name_, lvl_, prio_, init_fn, NULL, NULL, #init_fn)
#define SYS_INIT(init_fn, lvl_, prio_) SYS_INIT_NAMED(init_fn, init_fn, lvl_, prio_)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_INIT_H_ */
