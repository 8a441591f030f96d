"""Harness and Endpoint: one emulated core in this Python process.

A Harness is one side of a pair: the devicetree plans, a shared-memory
segment, the core (interrupt thread, work queue) and its board.  Endpoints
never run Python code in the backend's threads: received messages are
queued in C and taken with Endpoint.recv(timeout); bound/unbound/error
events are counted there and waited for with Endpoint.wait_bound() etc.
"""
import ctypes
import errno
import threading

from . import _native as n
from ._native import IpcEmuError, check, timeout_ms

__all__ = ["Harness", "Endpoint", "IpcEmuError"]

_RECV_BUF = 4096


class Endpoint:
    """An endpoint registered on an instance of a Harness's core."""

    def __init__(self, harness, ptr, instance, name):
        self._h = harness
        self._p = ptr
        self.instance = instance
        self.name = name

    # -- plumbing --------------------------------------------------------
    def _ptr(self):
        if self._p is None or self._h._p is None:
            raise IpcEmuError(-errno.EBADF, "endpoint", f"{self.name}: its harness was freed")
        return self._p

    def _count(self, what):
        return int(self._h._lib.emu_harness_count(self._ptr(), what))

    def _wait(self, what, at_least, timeout, label):
        rc = self._h._lib.emu_harness_wait(self._ptr(), what, at_least, timeout_ms(timeout))
        if rc == -errno.EAGAIN:
            raise TimeoutError(f"{self.instance}/{self.name}: not {label} within {timeout} s "
                               f"({self.state()})")
        check(rc, "emu_harness_wait")

    # -- traffic ---------------------------------------------------------
    def send(self, data, timeout=1.0):
        """Send a copy of `data` (bytes-like).  Retries while the ring has no
        room, up to `timeout` s.  Returns the bytes sent; IpcEmuError with
        the backend's errno otherwise (EBUSY: not bound, ENOMEM: still no
        room, EMSGSIZE: can never fit, ENOTCONN: closed)."""
        b = bytes(data)
        rc = self._h._lib.emu_harness_send(self._ptr(), b, len(b), timeout_ms(timeout))
        return check(rc, f"send on {self.instance}/{self.name}")

    def recv(self, timeout=1.0):
        """The oldest received message as bytes; TimeoutError if none arrives
        within `timeout` s (None: wait forever, 0: do not wait)."""
        m = self.try_recv(timeout)
        if m is None:
            raise TimeoutError(f"{self.instance}/{self.name}: no message within {timeout} s "
                               f"({self.state()})")
        return m

    def try_recv(self, timeout=0):
        """Like recv(), but None instead of TimeoutError."""
        lib = self._h._lib
        size = ctypes.c_size_t(0)
        cap = self._h._buf_size
        tmo = timeout_ms(timeout)
        while True:
            buf = self._h._buf(cap)
            rc = lib.emu_harness_recv(self._ptr(), buf, cap, ctypes.byref(size), tmo)
            if rc == -errno.EMSGSIZE:  # grow and take it (it stays queued)
                cap = size.value
                tmo = 0
                continue
            if rc == -errno.EAGAIN:
                return None
            check(rc, "emu_harness_recv")
            return ctypes.string_at(buf, size.value)

    def drain(self):
        """Every message queued now, as a list of bytes."""
        out = []
        while True:
            m = self.try_recv(0)
            if m is None:
                return out
            out.append(m)

    # -- binding ---------------------------------------------------------
    def wait_bound(self, timeout=5.0):
        """Wait until bound (the bound() callback ran and no unbound() since)."""
        self._wait(n.BOUND, 1, timeout, "bound")

    def wait_bonds(self, count, timeout=5.0):
        """Wait until bound() has run at least `count` times in all."""
        self._wait(n.BONDS, count, timeout, f"bound {count} times")

    def wait_unbound(self, timeout=5.0):
        """Wait for an unbound() since the endpoint was opened or rebound."""
        self._wait(n.UNBOUND_PENDING, 1, timeout, "unbound")

    def rebind(self):
        """Re-register the endpoint (after unbound(), as Zephyr applications do:
        the peer reset, register again to bond with its new session)."""
        check(self._h._lib.emu_harness_rebind(self._ptr()), f"rebind {self.name}")

    def close(self):
        """Deregister.  Queued messages stay readable; rebind() registers again."""
        if self._p is None or self._h._p is None:
            return
        rc = self._h._lib.emu_harness_close(self._p)
        if rc != -errno.EALREADY:  # not registered
            check(rc, f"close {self.name}")

    # -- state -----------------------------------------------------------
    @property
    def bound(self):
        return bool(self._count(n.BOUND))

    @property
    def unbound_pending(self):
        return bool(self._count(n.UNBOUND_PENDING))

    bonds = property(lambda self: self._count(n.BONDS), doc="bound() callbacks")
    unbounds = property(lambda self: self._count(n.UNBOUNDS), doc="unbound() callbacks")
    errors = property(lambda self: self._count(n.ERRORS), doc="error() callbacks")
    received = property(lambda self: self._count(n.RECEIVED), doc="messages received")
    rx_bytes = property(lambda self: self._count(n.RX_BYTES))
    sent = property(lambda self: self._count(n.SENT), doc="successful sends")
    tx_bytes = property(lambda self: self._count(n.TX_BYTES))
    queued = property(lambda self: self._count(n.QUEUED), doc="messages waiting for recv()")
    dropped = property(lambda self: self._count(n.DROPPED), doc="messages dropped (queue full)")

    @property
    def last_error(self):
        """The first error() message, or '' if none."""
        buf = ctypes.create_string_buffer(256)
        self._h._lib.emu_harness_last_error(self._ptr(), buf, len(buf))
        return buf.value.decode(errors="replace")

    def state(self):
        if self._p is None or self._h._p is None:
            return "freed"
        return (f"bound={self.bound} bonds={self.bonds} unbounds={self.unbounds} "
                f"errors={self.errors} received={self.received} queued={self.queued}")

    def __repr__(self):
        return f"<Endpoint {self.instance}/{self.name} {self.state()}>"


class Harness:
    """One emulated core of a pair, run in this process.

    >>> h = Harness()                    # built-in default board
    >>> h.create_segment()               # or attach_segment(name) / attach_fds(...)
    >>> h.start("host", unbound="enable")
    >>> ep = h.open("ipc0", "ep0")
    """

    def __init__(self, dts=None, dts_remote=None, lib=None):
        """Load the plans: dts None = the built-in default board; dts_remote
        None = the mirror image of dts (both given: checked as a pair)."""
        self._lib = n.load_library(lib)
        self._p = None
        self._endpoints = []
        self._bufs = threading.local()
        self._buf_size = _RECV_BUF
        self.role = None
        p = ctypes.c_void_p()
        check(self._lib.emu_harness_new(ctypes.byref(p)), "emu_harness_new")
        self._p = p
        err = ctypes.create_string_buffer(512)
        rc = self._lib.emu_harness_load(self._p, _enc(dts), _enc(dts_remote), err, len(err))
        if rc < 0:
            self.close()
            check(rc, "load devicetree", err.value.decode(errors="replace"))

    def _buf(self, size):
        b = getattr(self._bufs, "b", None)
        if b is None or len(b) < size:
            b = ctypes.create_string_buffer(max(size, _RECV_BUF))
            self._bufs.b = b
        return b

    def _ptr(self):
        if self._p is None:
            raise IpcEmuError(-errno.EBADF, "harness", "already freed")
        return self._p

    # -- plan ------------------------------------------------------------
    def instances(self, role="host"):
        """[(label, backend name)] of the ICMsg/ICBMsg instances of a role's plan."""
        out = []
        label = ctypes.create_string_buffer(64)
        backend = ctypes.c_int(0)
        i = 0
        while True:
            rc = self._lib.emu_harness_instance(self._ptr(), n.ROLES[role], i, label,
                                                len(label), ctypes.byref(backend))
            if rc == -errno.ENOENT:
                return out
            check(rc, "emu_harness_instance")
            out.append((label.value.decode(), n.BACKENDS.get(backend.value, "?")))
            i += 1

    def instance_of(self, backend, role="host"):
        """Label of the first instance of a backend ("icmsg" / "icbmsg")."""
        for label, b in self.instances(role):
            if b == backend:
                return label
        raise LookupError(f"no zephyr,ipc-{backend} instance in the devicetree")

    # -- segment ---------------------------------------------------------
    def create_segment(self, name=None, doorbell="futex"):
        """Create the segment (name None: unique ipc-emu-<pid>-<n>).  This
        harness is its creator: close() removes it from /dev/shm."""
        check(self._lib.emu_harness_segment_create(self._ptr(), _enc(name),
                                                   n.DOORBELLS[doorbell]),
              "create segment")
        return self.segment_name

    def attach_segment(self, name, timeout=5.0):
        """Attach to a segment someone else created (retrying until it exists)."""
        check(self._lib.emu_harness_segment_attach(self._ptr(), _enc(name),
                                                   timeout_ms(timeout)),
              f"attach segment {name}")

    def attach_fds(self, mem, ctl, efd_host=-1, efd_remote=-1):
        check(self._lib.emu_harness_segment_attach_fds(self._ptr(), mem, ctl, efd_host,
                                                       efd_remote), "attach fds")

    def unlink(self):
        """Remove the segment's names from /dev/shm now (descriptors stay usable)."""
        check(self._lib.emu_harness_segment_unlink(self._ptr()), "unlink segment")

    def fds(self):
        """(mem, ctl, efd_host, efd_remote) descriptors; -1 = none.  They are
        close-on-exec: pass them to a child with subprocess's pass_fds."""
        arr = (ctypes.c_int * 4)()
        check(self._lib.emu_harness_segment_fds(self._ptr(), arr), "segment fds")
        return tuple(arr)

    @property
    def segment_name(self):
        v = self._lib.emu_harness_segment_name(self._ptr())
        return v.decode() if v is not None else None

    def peer_status(self, role):
        """(pid, boot_count) of the core of `role`, from the control block."""
        pid = ctypes.c_uint32(0)
        boots = ctypes.c_uint32(0)
        check(self._lib.emu_harness_peer_status(self._ptr(), n.ROLES[role], ctypes.byref(pid),
                                                ctypes.byref(boots)), "peer status")
        return pid.value, boots.value

    # -- core --------------------------------------------------------------
    def set_option(self, opt, value):
        check(self._lib.emu_harness_set_opt(self._ptr(), opt, int(value)), "set option")

    def start(self, role="host", unbound=None, rx_in_isr=False, rx_buf_size=None,
              icbmsg_endpoints=None, busy_poll_us=0, queue_limit=None,
              icbmsg_version=None, max_active_count=None):
        """Start this process's core of `role` and build its board.

        unbound: None (devicetree), "disable", "enable" or "detect".
        rx_buf_size: CONFIG_PBUF_RX_READ_BUF_SIZE (default 128).
        icbmsg_endpoints: endpoints per ICBMsg instance (default 4).
        icbmsg_version: None (each instance's ipc-emu,icbmsg-version, else
        "v2", as current Zephyr), "classic" (Zephyr v4.4 and earlier) or "v2"
        for every ICBMsg instance.
        max_active_count: ICBMsg v2 queue slots, 16..128 (default 16)."""
        if icbmsg_version not in n.ICBMSG_VERSIONS:
            raise ValueError("icbmsg_version must be None, 'classic' or 'v2', "
                             f"not {icbmsg_version!r}")
        self.set_option(n.OPT_UNBOUND, n.UNBOUND[unbound])
        self.set_option(n.OPT_RX_IN_ISR, bool(rx_in_isr))
        if rx_buf_size is not None:
            self.set_option(n.OPT_RX_BUF_SIZE, rx_buf_size)
        if icbmsg_endpoints is not None:
            self.set_option(n.OPT_ICBMSG_NUM_EPT, icbmsg_endpoints)
        self.set_option(n.OPT_BUSY_POLL_US, busy_poll_us)
        if queue_limit is not None:
            self.set_option(n.OPT_QUEUE_LIMIT, queue_limit)
        self.set_option(n.OPT_ICBMSG_VERSION, n.ICBMSG_VERSIONS[icbmsg_version])
        if max_active_count is not None:
            self.set_option(n.OPT_MAX_ACTIVE_COUNT, max_active_count)
        err = ctypes.create_string_buffer(512)
        rc = self._lib.emu_harness_start(self._ptr(), n.ROLES[role], err, len(err))
        check(rc, f"start {role} core", err.value.decode(errors="replace"))
        self.role = role

    def open(self, instance, name="ep0"):
        """Open `instance` (a devicetree label, e.g. "ipc0") and register
        endpoint `name` on it.  Returns an Endpoint."""
        p = ctypes.c_void_p()
        rc = self._lib.emu_harness_open(self._ptr(), instance.encode(), name.encode(),
                                        ctypes.byref(p))
        check(rc, f"open {instance}/{name}")
        ep = Endpoint(self, p, instance, name)
        self._endpoints.append(ep)
        return ep

    def stop(self):
        """Deregister every endpoint and stop the core (start() may follow)."""
        if self._p is not None:
            self._lib.emu_harness_stop(self._p)
            self.role = None

    def events(self):
        return int(self._lib.emu_harness_events(self._ptr()))

    def wait_events(self, seen, timeout=1.0):
        """True when an event (message, bound, unbound, error of any
        endpoint) happened since events() returned `seen`."""
        return self._lib.emu_harness_wait_events(self._ptr(), seen, timeout_ms(timeout)) == 0

    def close(self):
        """Stop, free everything and close the segment (the creator removes
        it from /dev/shm).  Endpoints become unusable.  Idempotent."""
        if self._p is not None:
            p, self._p = self._p, None
            for ep in self._endpoints:
                ep._p = None
            self._lib.emu_harness_free(p)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _enc(s):
    if s is None:
        return None
    return str(s).encode()
