/*
 * zephyr/emu_device_define.h - DEVICE_DT_DEFINE, DEVICE_DT_INST_DEFINE and
 * DEVICE_DEFINE: devices defined by the program itself (a driver or an IPC
 * backend compiled from Zephyr's sources).  Included at the end of
 * zephyr/device.h.
 *
 * DEVICE_DT_DEFINE(node_id, init_fn, pm, data, config, level, prio, api, ...)
 * defines the node's device object `emu_zephyr_dt_dev_<ordinal>` (the one
 * DEVICE_DT_GET(node_id) gives) as a strong, real device: name
 * DEVICE_DT_NAME(node_id), the given config, data and api.  It overrides the
 * weak reference object zephyr/device.h defines for the node in the other
 * translation units, so DEVICE_DT_GET gives this device everywhere, and
 * emu_zephyr_dev() returns it as is.  The translation unit that defines a
 * device must be compiled with EMU_ZEPHYR_DT_DEV_EXTERN defined (C cannot
 * define the same object weak and strong in one file; `ipc-emu zephyr-build`
 * does so for the sources it compiles), and the objects must be linked as
 * objects, not pulled from an archive (an archive member is not pulled to
 * override a weak definition: link with --whole-archive).  The device's
 * init function runs from the init list (zephyr/init.h) at (level, prio).
 *
 * DEVICE_DEFINE(dev_id, name, init_fn, pm, data, config, level, prio, api)
 * defines a device that is no devicetree node; DEVICE_GET(dev_id) gives it,
 * DEVICE_DECLARE(dev_id) declares it.
 *
 * Only with the generated devicetree (`ipc-emu zephyr-config`); the `pm`
 * argument is ignored (no power management); device_is_ready() is true for
 * a defined device even if its init function failed
 * (emu_zephyr_device_init_result() tells).
 */
#ifndef ZEPHYR_INCLUDE_EMU_DEVICE_DEFINE_H_
#define ZEPHYR_INCLUDE_EMU_DEVICE_DEFINE_H_

#include <zephyr/device.h>
#include <zephyr/init.h>

#ifdef EMU_DT_GENERATED

#define DEVICE_DT_DEFINE(node_id, init_fn, pm, data_, config_, lvl_, prio_, api_, ...)        \
	extern const struct device EMU_ZEPHYR_DT_DEV(node_id);                                \
	const struct device EMU_ZEPHYR_DT_DEV(node_id) = {                                    \
		.name = DEVICE_DT_NAME(node_id),                                              \
		.config = (config_),                                                          \
		.api = (api_),                                                                \
		.data = (data_),                                                              \
	};                                                                                    \
	EMU_ZEPHYR_DEVICE_INIT_I(EMU_DT_CAT(dt_dev_, DT_DEP_ORD(node_id)), lvl_, prio_,       \
				 init_fn, &EMU_ZEPHYR_DT_DEV(node_id), DEVICE_DT_NAME(node_id))
#define DEVICE_DT_INST_DEFINE(inst, ...) DEVICE_DT_DEFINE(DT_DRV_INST(inst), __VA_ARGS__)

#endif /* EMU_DT_GENERATED */

#define EMU_ZEPHYR_DEVICE_INIT_I(id, lvl_, prio_, fn_, dev_, name_)                          \
	EMU_ZEPHYR_DEVICE_INIT_II(id, lvl_, prio_, fn_, dev_, name_)
#define EMU_ZEPHYR_DEVICE_INIT_II(id, lvl_, prio_, fn_, dev_, name_)                         \
	EMU_ZEPHYR_INIT_DEFINE(id, lvl_, prio_, NULL, fn_, dev_, name_)

#define DEVICE_NAME_GET(dev_id) emu_zephyr_dev_##dev_id
#define DEVICE_GET(dev_id) (&DEVICE_NAME_GET(dev_id))
#define DEVICE_DECLARE(dev_id) extern const struct device DEVICE_NAME_GET(dev_id)
#define DEVICE_DEFINE(dev_id, name_, init_fn, pm, data_, config_, lvl_, prio_, api_)         \
	DEVICE_DECLARE(dev_id);                                                               \
	const struct device DEVICE_NAME_GET(dev_id) = {                                       \
		.name = (name_),                                                              \
		.config = (config_),                                                          \
		.api = (api_),                                                                \
		.data = (data_),                                                              \
	};                                                                                    \
	EMU_ZEPHYR_INIT_DEFINE(dev_##dev_id, lvl_, prio_, NULL, init_fn, DEVICE_GET(dev_id),  \
			       name_)

#endif /* ZEPHYR_INCLUDE_EMU_DEVICE_DEFINE_H_ */
