"""ipc-emu from Python: be one side of a Zephyr IPC link (ICMsg, ICBMsg).

* Harness / Endpoint - one emulated core in this process (ctypes over
  libipc_emu.so): open an instance, register an endpoint, send, recv with a
  timeout, wait for bound/unbound, rebind.
* Pair - a Harness plus the other side (`ipc-emu peer --scenario
  echo-server`), which can be killed and restarted.
* run() - `ipc-emu run --json` and its parsed Report.
* pytest fixtures: ipc_emu.pytest_plugin (loaded by pytest once installed).
"""
from ._native import IpcEmuError, find_cli, find_library, load_library
from .harness import Endpoint, Harness
from .pair import Pair, RemotePeer
from .report import Report, run

__all__ = ["Endpoint", "Harness", "IpcEmuError", "Pair", "RemotePeer", "Report", "find_cli",
           "find_library", "load_library", "run"]
__version__ = "0.1.0"
