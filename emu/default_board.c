/*
 * default_board.c - the built-in board: an nRF5340-like pair of cores.
 *
 * Written the way Zephyr's nrf5340dk board files write their IPC setup: the
 * shared SRAM as reserved-memory nodes, the IPC peripheral as an MBOX
 * controller with one cell per channel, and the instances under /ipc.  The
 * network core's text is the application core's mirrored by hand (its own
 * tx/rx regions, mbox-names "rx", "tx" as on cpunet, swapped block counts),
 * so `ipc-emu check` of the two is a real test of the pair.
 *
 *   0x20070000 +0x4000  ipc0 app->net   (ICMsg)
 *   0x20074000 +0x4000  ipc0 net->app
 *   0x20078000 +0x4000  ipc1 app->net   (ICBMsg, 16 blocks)
 *   0x2007c000 +0x4000  ipc1 net->app   (ICBMsg, 24 blocks)
 *
 * Besides the IPC instances (registers, not memory: nothing in the image):
 *   mbox                the IPC peripheral, signalling; channels 0-3 for ipc0/ipc1,
 *                       4 (app->net) and 5 (net->app) for mbox_consumer
 *   mbox_data           an emulated controller in data mode (MTU 16, 4 channels),
 *                       0 (app->net) and 1 (net->app) for mbox_data_consumer
 *   ipm0                a generic emulated IPM device (4-byte data, ids up to
 *                       0xffffffff: enough for the IPM console), both ways
 *
 * examples/nrf5340dk_cpu{app,net}.dts hold the same pair with comments;
 * tests/test_devicetree.c checks that both give the same plans.
 */
#include <stddef.h>

#include "ipc_emu/emu.h"

/* dcache-alignment = <8> on ipc0 is harmless with no cache and lets the
 * unbound override choose any of the three modes (enable/detect need >= 8). */
static const char host_dts[] =
	"/dts-v1/;\n"
	"\n"
	"/ {\n"
	"\t#address-cells = <1>;\n"
	"\t#size-cells = <1>;\n"
	"\tmodel = \"ipc-emu default board (nRF5340-like), application core\";\n"
	"\tcompatible = \"ipc-emu,nrf5340-cpuapp\";\n"
	"\n"
	"\treserved-memory {\n"
	"\t\t#address-cells = <1>;\n"
	"\t\t#size-cells = <1>;\n"
	"\t\tranges;\n"
	"\n"
	"\t\tsram_ipc0_tx: memory@20070000 {\n"
	"\t\t\treg = <0x20070000 0x4000>;\n"
	"\t\t};\n"
	"\t\tsram_ipc0_rx: memory@20074000 {\n"
	"\t\t\treg = <0x20074000 0x4000>;\n"
	"\t\t};\n"
	"\t\tsram_ipc1_tx: memory@20078000 {\n"
	"\t\t\treg = <0x20078000 0x4000>;\n"
	"\t\t};\n"
	"\t\tsram_ipc1_rx: memory@2007c000 {\n"
	"\t\t\treg = <0x2007c000 0x4000>;\n"
	"\t\t};\n"
	"\t};\n"
	"\n"
	"\tsoc {\n"
	"\t\t#address-cells = <1>;\n"
	"\t\t#size-cells = <1>;\n"
	"\t\tcompatible = \"simple-bus\";\n"
	"\t\tranges;\n"
	"\n"
	"\t\tmbox: mbox@2a000 {\n"
	"\t\t\tcompatible = \"nordic,mbox-nrf-ipc\";\n"
	"\t\t\treg = <0x2a000 0x1000>;\n"
	"\t\t\t#mbox-cells = <1>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\n"
	"\t\tmbox_data: mbox@2b000 {\n"
	"\t\t\tcompatible = \"ipc-emu,mbox\";\n"
	"\t\t\treg = <0x2b000 0x1000>;\n"
	"\t\t\t#mbox-cells = <1>;\n"
	"\t\t\tipc-emu,mtu = <16>;\n"
	"\t\t\tipc-emu,channels = <4>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\n"
	"\t\tipm0: ipm@2c000 {\n"
	"\t\t\tcompatible = \"ipc-emu,ipm\";\n"
	"\t\t\treg = <0x2c000 0x1000>;\n"
	"\t\t\tdata-size = <4>;\n"
	"\t\t\tmax-id = <0xffffffff>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\t};\n"
	"\n"
	"\tipc {\n"
	"\t\tipc0: ipc0 {\n"
	"\t\t\tcompatible = \"zephyr,ipc-icmsg\";\n"
	"\t\t\ttx-region = <&sram_ipc0_tx>;\n"
	"\t\t\trx-region = <&sram_ipc0_rx>;\n"
	"\t\t\tmboxes = <&mbox 0>, <&mbox 1>;\n"
	"\t\t\tmbox-names = \"tx\", \"rx\";\n"
	"\t\t\tdcache-alignment = <8>;\n"
	"\t\t\tunbound = \"disable\";\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\n"
	"\t\tipc1: ipc1 {\n"
	"\t\t\tcompatible = \"zephyr,ipc-icbmsg\";\n"
	"\t\t\ttx-region = <&sram_ipc1_tx>;\n"
	"\t\t\trx-region = <&sram_ipc1_rx>;\n"
	"\t\t\ttx-blocks = <16>;\n"
	"\t\t\trx-blocks = <24>;\n"
	"\t\t\tmboxes = <&mbox 2>, <&mbox 3>;\n"
	"\t\t\tmbox-names = \"tx\", \"rx\";\n"
	"\t\t\tdcache-alignment = <8>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\t};\n"
	"\n"
	"\tmbox_consumer: mbox-consumer {\n"
	"\t\tcompatible = \"vnd,mbox-consumer\";\n"
	"\t\tmboxes = <&mbox 4>, <&mbox 5>;\n"
	"\t\tmbox-names = \"tx\", \"rx\";\n"
	"\t};\n"
	"\n"
	"\tmbox_data_consumer: mbox-data-consumer {\n"
	"\t\tcompatible = \"vnd,mbox-consumer\";\n"
	"\t\tmboxes = <&mbox_data 0>, <&mbox_data 1>;\n"
	"\t\tmbox-names = \"tx\", \"rx\";\n"
	"\t};\n"
	"};\n";

static const char remote_dts[] =
	"/dts-v1/;\n"
	"\n"
	"/ {\n"
	"\t#address-cells = <1>;\n"
	"\t#size-cells = <1>;\n"
	"\tmodel = \"ipc-emu default board (nRF5340-like), network core\";\n"
	"\tcompatible = \"ipc-emu,nrf5340-cpunet\";\n"
	"\n"
	"\treserved-memory {\n"
	"\t\t#address-cells = <1>;\n"
	"\t\t#size-cells = <1>;\n"
	"\t\tranges;\n"
	"\n"
	"\t\tsram_ipc0_rx: memory@20070000 {\n"
	"\t\t\treg = <0x20070000 0x4000>;\n"
	"\t\t};\n"
	"\t\tsram_ipc0_tx: memory@20074000 {\n"
	"\t\t\treg = <0x20074000 0x4000>;\n"
	"\t\t};\n"
	"\t\tsram_ipc1_rx: memory@20078000 {\n"
	"\t\t\treg = <0x20078000 0x4000>;\n"
	"\t\t};\n"
	"\t\tsram_ipc1_tx: memory@2007c000 {\n"
	"\t\t\treg = <0x2007c000 0x4000>;\n"
	"\t\t};\n"
	"\t};\n"
	"\n"
	"\tsoc {\n"
	"\t\t#address-cells = <1>;\n"
	"\t\t#size-cells = <1>;\n"
	"\t\tcompatible = \"simple-bus\";\n"
	"\t\tranges;\n"
	"\n"
	"\t\tmbox: mbox@2a000 {\n"
	"\t\t\tcompatible = \"nordic,mbox-nrf-ipc\";\n"
	"\t\t\treg = <0x2a000 0x1000>;\n"
	"\t\t\t#mbox-cells = <1>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\n"
	"\t\tmbox_data: mbox@2b000 {\n"
	"\t\t\tcompatible = \"ipc-emu,mbox\";\n"
	"\t\t\treg = <0x2b000 0x1000>;\n"
	"\t\t\t#mbox-cells = <1>;\n"
	"\t\t\tipc-emu,mtu = <16>;\n"
	"\t\t\tipc-emu,channels = <4>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\n"
	"\t\tipm0: ipm@2c000 {\n"
	"\t\t\tcompatible = \"ipc-emu,ipm\";\n"
	"\t\t\treg = <0x2c000 0x1000>;\n"
	"\t\t\tdata-size = <4>;\n"
	"\t\t\tmax-id = <0xffffffff>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\t};\n"
	"\n"
	"\tipc {\n"
	"\t\tipc0: ipc0 {\n"
	"\t\t\tcompatible = \"zephyr,ipc-icmsg\";\n"
	"\t\t\ttx-region = <&sram_ipc0_tx>;\n"
	"\t\t\trx-region = <&sram_ipc0_rx>;\n"
	"\t\t\tmboxes = <&mbox 0>, <&mbox 1>;\n"
	"\t\t\tmbox-names = \"rx\", \"tx\";\n"
	"\t\t\tdcache-alignment = <8>;\n"
	"\t\t\tunbound = \"disable\";\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\n"
	"\t\tipc1: ipc1 {\n"
	"\t\t\tcompatible = \"zephyr,ipc-icbmsg\";\n"
	"\t\t\ttx-region = <&sram_ipc1_tx>;\n"
	"\t\t\trx-region = <&sram_ipc1_rx>;\n"
	"\t\t\ttx-blocks = <24>;\n"
	"\t\t\trx-blocks = <16>;\n"
	"\t\t\tmboxes = <&mbox 2>, <&mbox 3>;\n"
	"\t\t\tmbox-names = \"rx\", \"tx\";\n"
	"\t\t\tdcache-alignment = <8>;\n"
	"\t\t\tstatus = \"okay\";\n"
	"\t\t};\n"
	"\t};\n"
	"\n"
	"\tmbox_consumer: mbox-consumer {\n"
	"\t\tcompatible = \"vnd,mbox-consumer\";\n"
	"\t\tmboxes = <&mbox 4>, <&mbox 5>;\n"
	"\t\tmbox-names = \"rx\", \"tx\";\n"
	"\t};\n"
	"\n"
	"\tmbox_data_consumer: mbox-data-consumer {\n"
	"\t\tcompatible = \"vnd,mbox-consumer\";\n"
	"\t\tmboxes = <&mbox_data 0>, <&mbox_data 1>;\n"
	"\t\tmbox-names = \"rx\", \"tx\";\n"
	"\t};\n"
	"};\n";

const char *emu_dt_default_board(enum emu_role role)
{
	switch (role) {
	case EMU_ROLE_HOST:
		return host_dts;
	case EMU_ROLE_REMOTE:
		return remote_dts;
	}
	return NULL;
}
