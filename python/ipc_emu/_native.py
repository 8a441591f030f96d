"""Finding and loading libipc_emu.so and the ipc-emu CLI; ctypes prototypes.

The library is looked up, in order: $IPC_EMU_LIB (a file); beside
$IPC_EMU_BIN: in its directory (a build tree) or, for an installed
PREFIX/bin/ipc-emu, in PREFIX/lib, PREFIX/lib64 or PREFIX/lib/<multiarch>
(libipc_emu.so.0, then libipc_emu.so); then the dynamic loader's standard
search (libipc_emu.so.0 through LD_LIBRARY_PATH, ld.so.cache...).  The CLI:
$IPC_EMU_BIN, else an ipc-emu next to the library or in ../bin of it, else
PATH.
"""
import ctypes
import ctypes.util
import errno
import os
import shutil
import sysconfig
import threading
from pathlib import Path

LIB_NAMES = ("libipc_emu.so.0", "libipc_emu.so")

# enum emu_role, emu_doorbell, emu_backend, emu_unbound (include/ipc_emu/emu.h)
ROLES = {"host": 0, "remote": 1}
DOORBELLS = {"futex": 0, "eventfd": 1}
BACKENDS = {1: "icmsg", 2: "icbmsg"}
UNBOUND = {None: 0, "devicetree": 0, "disable": 1, "enable": 2, "detect": 3}

# enum emu_harness_opt (include/ipc_emu/harness.h)
OPT_UNBOUND = 1
OPT_RX_IN_ISR = 2
OPT_RX_BUF_SIZE = 3
OPT_ICBMSG_NUM_EPT = 4
OPT_BUSY_POLL_US = 5
OPT_QUEUE_LIMIT = 6
OPT_ICBMSG_VERSION = 7
OPT_MAX_ACTIVE_COUNT = 8

# enum emu_icbmsg_version; None: the devicetree's ipc-emu,icbmsg-version,
# else v2 (EMU_ICBMSG_VERSION_DEFAULT, include/ipc_emu/emu.h)
ICBMSG_VERSIONS = {None: 0, "classic": 1, "v2": 2}
ICBMSG_VERSION_DEFAULT = "v2"

# enum emu_harness_what
BOUND = 1
BONDS = 2
UNBOUNDS = 3
ERRORS = 4
RECEIVED = 5
RX_BYTES = 6
SENT = 7
TX_BYTES = 8
QUEUED = 9
DROPPED = 10
UNBOUND_PENDING = 11


class IpcEmuError(OSError):
    """A negative errno from the C library: .errno, .strerror, .func."""

    def __init__(self, rc, func, detail=""):
        code = -rc if rc < 0 else rc
        msg = os.strerror(code)
        if detail:
            msg = f"{msg}: {detail}"
        super().__init__(code, f"{func}: {msg}")
        self.func = func
        self.detail = detail


def check(rc, func, detail=""):
    """Raise IpcEmuError for a negative return code, else return it."""
    if rc < 0:
        raise IpcEmuError(rc, func, detail)
    return rc


def lib_dirs_beside(cli):
    """Where the library of the CLI `cli` is: the CLI's own directory (a build
    tree), then, for PREFIX/bin/ipc-emu, the library directories CMake's
    GNUInstallDirs may choose under PREFIX (lib, lib64, lib/<multiarch>).
    Symbolic links are followed first, the path as given second."""
    dirs = []
    for c in (Path(cli).resolve(), Path(os.path.abspath(cli))):
        d = c.parent
        cands = [d]
        if d.name == "bin":
            multiarch = sysconfig.get_config_var("MULTIARCH")
            cands += [d.parent / "lib", d.parent / "lib64"]
            if multiarch:
                cands.append(d.parent / "lib" / multiarch)
        dirs += [x for x in cands if x not in dirs]
    return dirs


def find_library():
    """Path (or soname) of libipc_emu that load_library() would load."""
    env = os.environ.get("IPC_EMU_LIB")
    if env:
        return env
    bin_env = os.environ.get("IPC_EMU_BIN")
    if bin_env:
        for d in lib_dirs_beside(bin_env):
            for n in LIB_NAMES:
                if (d / n).is_file():
                    return str(d / n)
    found = ctypes.util.find_library("ipc_emu")
    return found or LIB_NAMES[0]


def find_cli():
    """Path of the ipc-emu CLI, or None."""
    env = os.environ.get("IPC_EMU_BIN")
    if env:
        return str(Path(env).resolve())
    lib = find_library()
    if os.sep in lib:
        d = Path(lib).resolve().parent
        # A build tree; PREFIX/lib, PREFIX/lib64; PREFIX/lib/<multiarch>.
        cands = [d / "ipc-emu", d.parent / "bin" / "ipc-emu"]
        if d.parent.name == "lib":
            cands.append(d.parent.parent / "bin" / "ipc-emu")
        for cand in cands:
            if cand.is_file() and os.access(cand, os.X_OK):
                return str(cand)
    return shutil.which("ipc-emu")


_VP = ctypes.c_void_p
_CP = ctypes.c_char_p
_INT = ctypes.c_int
_SZ = ctypes.c_size_t
_U64 = ctypes.c_uint64
_I64 = ctypes.c_int64

_PROTOS = {
    "emu_harness_new": (_INT, [ctypes.POINTER(_VP)]),
    "emu_harness_load": (_INT, [_VP, _CP, _CP, _CP, _SZ]),
    "emu_harness_instance": (_INT, [_VP, _INT, ctypes.c_uint, _CP, _SZ, ctypes.POINTER(_INT)]),
    "emu_harness_segment_create": (_INT, [_VP, _CP, _INT]),
    "emu_harness_segment_attach": (_INT, [_VP, _CP, _INT]),
    "emu_harness_segment_attach_fds": (_INT, [_VP, _INT, _INT, _INT, _INT]),
    "emu_harness_segment_unlink": (_INT, [_VP]),
    "emu_harness_segment_fds": (_INT, [_VP, ctypes.POINTER(_INT)]),
    "emu_harness_segment_name": (_CP, [_VP]),
    "emu_harness_peer_status": (_INT, [_VP, _INT, ctypes.POINTER(ctypes.c_uint32),
                                       ctypes.POINTER(ctypes.c_uint32)]),
    "emu_harness_set_opt": (_INT, [_VP, _INT, _I64]),
    "emu_harness_start": (_INT, [_VP, _INT, _CP, _SZ]),
    "emu_harness_stop": (None, [_VP]),
    "emu_harness_free": (None, [_VP]),
    "emu_harness_open": (_INT, [_VP, _CP, _CP, ctypes.POINTER(_VP)]),
    "emu_harness_close": (_INT, [_VP]),
    "emu_harness_rebind": (_INT, [_VP]),
    "emu_harness_send": (_INT, [_VP, _CP, _SZ, _INT]),
    "emu_harness_recv": (_INT, [_VP, _VP, _SZ, ctypes.POINTER(_SZ), _INT]),
    "emu_harness_count": (_U64, [_VP, _INT]),
    "emu_harness_wait": (_INT, [_VP, _INT, _U64, _INT]),
    "emu_harness_last_error": (_INT, [_VP, _CP, _SZ]),
    "emu_harness_ept_name": (_CP, [_VP]),
    "emu_harness_events": (_U64, [_VP]),
    "emu_harness_wait_events": (_INT, [_VP, _U64, _INT]),
}

_lock = threading.Lock()
_cache = {}


def load_library(path=None):
    """The ctypes.CDLL of libipc_emu (loaded once per path), prototypes set.

    ctypes releases the GIL around every call, so a blocking recv/wait in
    one Python thread does not stop the others."""
    path = path or find_library()
    with _lock:
        lib = _cache.get(path)
        if lib is not None:
            return lib
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            raise OSError(errno.ENOENT, f"cannot load the ipc-emu library '{path}': {e} "
                          "(build it, or set IPC_EMU_LIB or IPC_EMU_BIN)") from None
        for name, (res, args) in _PROTOS.items():
            try:
                fn = getattr(lib, name)
            except AttributeError:
                raise OSError(errno.ENOSYS, f"{path} has no {name}(): a library without "
                              "the harness API (emu/harness.c)") from None
            fn.restype = res
            fn.argtypes = args
        _cache[path] = lib
        return lib


def timeout_ms(timeout):
    """Seconds (float, None = forever) to the C convention (ms, -1 = forever)."""
    if timeout is None:
        return -1
    if timeout <= 0:
        return 0
    return max(1, min(int(timeout * 1000 + 0.5), 2**31 - 1))
