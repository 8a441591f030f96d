/*
 * zephyr/devicetree/mbox.h - the `mboxes` / `mbox-names` helpers of Zephyr's
 * devicetree API (generated-header mode only, see zephyr/devicetree.h).
 */
#ifndef ZEPHYR_INCLUDE_DEVICETREE_MBOX_H_
#define ZEPHYR_INCLUDE_DEVICETREE_MBOX_H_

#include <zephyr/devicetree.h>

#ifdef EMU_DT_GENERATED

/* The controller node of the `mboxes` entry named `name` in `mbox-names`. */
#define DT_MBOX_CTLR_BY_NAME(node_id, name) DT_PHANDLE_BY_NAME(node_id, mboxes, name)
/* Its channel: the specifier's `channel` cell. */
#define DT_MBOX_CHANNEL_BY_NAME(node_id, name) DT_PHA_BY_NAME(node_id, mboxes, name, channel)

#endif /* EMU_DT_GENERATED */

#endif /* ZEPHYR_INCLUDE_DEVICETREE_MBOX_H_ */
