/*
 * icbmsg_version.c - which ICBMsg a Zephyr tree speaks, for `run
 * --zephyr-base` (the cores running ipc-emu's own core must match it).
 *
 * The marker is textual, in the tree's
 * subsys/ipc/ipc_service/backends/ipc_icbmsg.c: classic ICBMsg (Zephyr v4.0 -
 * v4.4) keeps its block usage in a sys_bitarray, so its source names
 * "sys_bitarray" (the include zephyr/sys/bitarray.h and the calls); the
 * rework of Zephyr main (v2) keeps a 32-bit mask and producer/consumer
 * queues and has no bitarray.  A file without "sys_bitarray" is v2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

uint32_t cli_tree_icbmsg_version(const char *tree)
{
	char path[4200];
	FILE *f;
	char *text;
	size_t n;
	uint32_t v;

	if (tree == NULL) {
		return 0;
	}
	snprintf(path, sizeof(path), "%s/subsys/ipc/ipc_service/backends/ipc_icbmsg.c", tree);
	f = fopen(path, "r");
	if (f == NULL) {
		return 0;
	}
	text = malloc(1u << 20);
	n = text != NULL ? fread(text, 1, (1u << 20) - 1, f) : 0;
	fclose(f);
	if (text == NULL) {
		return 0;
	}
	text[n] = '\0';
	v = strstr(text, "sys_bitarray") != NULL ? EMU_ICBMSG_CLASSIC : EMU_ICBMSG_V2;
	free(text);
	return v;
}
