/* Objects of tests/zephyr_dt/second_tu.c. */
#ifndef TESTS_ZEPHYR_DT_SECOND_TU_H
#define TESTS_ZEPHYR_DT_SECOND_TU_H

#include <zephyr/device.h>
#include <zephyr/drivers/mbox.h>

extern const struct device *const second_tu_ipc0;
extern const struct device *const second_tu_mbox;
extern const struct mbox_dt_spec second_tu_consumer_tx;

#endif
