/*
 * echo_client.c - the host of `ipc-emu run --zephyr-base`: a Zephyr
 * application on endpoint "ep0" of instance ipc0 (on ICBMsg, "ep0".."ep{K-1}"
 * with IPC_EMU_ENDPOINTS=K, each running the exchange below; IPC_EMU_NOCOPY=1
 * streams with the no-copy calls).  It sends IPC_EMU_MESSAGES
 * (default 200) echo requests one at a time, then a "done" request, and
 * checks that each comes back byte for byte; then it streams as many
 * messages to the server while receiving the server's stream (both ways at
 * once).  It survives a restart of either side in the session modes
 * (unbound = "enable"/"detect"): the exchange and its resume protocol are in
 * echo_common.h.  Prints "N echoes matched byte for byte" and a summary
 * line; exit status 0 when nothing was corrupted, duplicated or lost.
 * Built by `ipc-emu zephyr-build --app echo_client`.
 */
/* zephyr-build's cache key covers this directory, echo_common.h included
 * (protocol 3: echo, stream, resume, lanes). */
#include "echo_common.h"

int main(void)
{
	int rc = echo_main(true);

	if (rc != 0) {
		/* The client's failure path. */
	}
	return rc;
}
