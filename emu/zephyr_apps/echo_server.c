/*
 * echo_server.c - the remote of `ipc-emu run --zephyr-base`: a Zephyr
 * application that echoes every request of endpoint "ep0" on instance ipc0
 * (of each of "ep0".."ep{K-1}" with IPC_EMU_ENDPOINTS=K on ICBMsg)
 * back unchanged (what `ipc-emu peer --scenario echo-server` does on
 * ipc-emu's core), and after the "done" request streams IPC_EMU_MESSAGES
 * messages to the client while receiving the client's stream.  It survives
 * a restart of either side in the session modes; the exchange and its
 * resume protocol are in echo_common.h.  Built by
 * `ipc-emu zephyr-build --app echo_server`, against Zephyr's IPC stack from
 * a tree or against ipc-emu's core.
 */
/* zephyr-build's cache key covers this directory, echo_common.h included
 * (protocol 3: echo, stream, resume, lanes). */
#include "echo_common.h"

int main(void)
{
	return echo_main(false);
}
