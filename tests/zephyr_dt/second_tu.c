/*
 * Second translation unit of tests/test_zephyr_dt.c: its DEVICE_DT_GET and
 * MBOX_DT_SPEC_GET results, taken in static initialisers here, must equal
 * the ones of the test file.
 */
#include <zephyr/device.h>
#include <zephyr/drivers/mbox.h>

#include "zephyr_dt/second_tu.h"

const struct device *const second_tu_ipc0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
const struct device *const second_tu_mbox = DEVICE_DT_GET(DT_NODELABEL(mbox));
const struct mbox_dt_spec second_tu_consumer_tx = MBOX_DT_SPEC_GET(DT_NODELABEL(consumer), tx);
