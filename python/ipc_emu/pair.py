"""Pair: this process is one side of a link, `ipc-emu peer --scenario
echo-server` the other; the other side can be killed and restarted.

The segment is created here and, by default, its names are removed from
/dev/shm at once: the other side attaches through inherited descriptors
(`ipc-emu peer --fds`), so nothing can stay behind in /dev/shm even if this
process is killed.  keep_names=True keeps them until close() (e.g. to look
at the live segment with `ipc-emu inspect`).  The echo server exits when its
parent (this process) does, so it cannot outlive the test either.
"""
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from . import _native as n
from .harness import Harness

__all__ = ["Pair", "RemotePeer", "valgrind_command"]

VALGRIND = ("valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect", "--track-origins=yes")


def valgrind_command():
    return list(VALGRIND)


class RemotePeer:
    """The other side: one `ipc-emu peer --scenario echo-server` process at a
    time, restartable.  .incarnations lists (pid, returncode, output) of the
    ones that ended."""

    def __init__(self, argv, pass_fds, env=None):
        self.argv = list(argv)
        self.pass_fds = tuple(pass_fds)
        self.env = env
        self.proc = None
        self._log = None
        self.incarnations = []
        self.starts = 0

    def start(self):
        if self.alive:
            raise RuntimeError("the remote peer is already running")
        self._log = tempfile.TemporaryFile(mode="w+b")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, pass_fds=self.pass_fds,
                                     env=self.env)
        self.starts += 1
        return self.proc.pid

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self):
        return self.proc.returncode if self.proc is not None else None

    def output(self):
        """What the current (or last) incarnation printed so far."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        data = self._log.read().decode(errors="replace")
        self._log.seek(0, os.SEEK_END)
        return data

    def _reap(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.incarnations.append((self.proc.pid, self.proc.returncode, self.output()))
        self._log.close()
        self._log = None

    def kill(self, sig=signal.SIGKILL):
        """Kill the running incarnation (SIGKILL: a crash) and reap it.
        Returns its exit status (-sig)."""
        if self.proc is None or self._log is None:
            raise RuntimeError("the remote peer is not running")
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self._reap(10.0)
        return self.proc.returncode

    def stop(self, timeout=10.0):
        """SIGTERM (a clean exit), SIGKILL after `timeout` s.  Returns the
        exit status, None if it was not running."""
        if self.proc is None or self._log is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self._reap(timeout)
        return self.proc.returncode


class Pair:
    """This process's core (a Harness) plus the other side's echo server.

    >>> with Pair(unbound="enable") as pair:
    ...     ep = pair.open()
    ...     ep.wait_bound()
    ...     ep.send(b"ping"); assert ep.recv() == b"ping"
    ...     pair.kill_remote(); pair.restart_remote()
    ...     ep.wait_unbound(); ep.rebind(); ep.wait_bound()
    """

    def __init__(self, backend="icmsg", instance=None, unbound=None, dts=None,
                 dts_remote=None, role="host", doorbell="futex", endpoints=None,
                 rx_in_isr=False, rx_buf_size=None, valgrind=False, keep_names=False,
                 segment=None, cli=None, lib=None, remote_args=(), env=None, start=True,
                 icbmsg_version=None):
        if backend not in ("icmsg", "icbmsg"):
            raise ValueError(f"backend must be 'icmsg' or 'icbmsg', not {backend!r}")
        if icbmsg_version not in n.ICBMSG_VERSIONS:
            raise ValueError("icbmsg_version must be None, 'classic' or 'v2', "
                             f"not {icbmsg_version!r}")
        if icbmsg_version is not None and backend != "icbmsg":
            raise ValueError("icbmsg_version needs backend='icbmsg'")
        if role not in n.ROLES:
            raise ValueError(f"role must be 'host' or 'remote', not {role!r}")
        self.backend = backend
        self.unbound = unbound
        self.role = role
        self.peer_role = "remote" if role == "host" else "host"
        self.doorbell = doorbell
        self.endpoints = endpoints
        self.rx_in_isr = rx_in_isr
        self.rx_buf_size = rx_buf_size
        self.icbmsg_version = icbmsg_version
        self.valgrind = valgrind
        self.keep_names = keep_names
        self.dts, self.dts_remote = dts, dts_remote
        self.cli = cli or n.find_cli()
        if self.cli is None:
            raise FileNotFoundError("ipc-emu CLI not found (set IPC_EMU_BIN)")
        self.remote_args = list(remote_args)
        self.env = env
        self.harness = Harness(dts, dts_remote, lib=lib)
        self.instance = instance or self.harness.instance_of(backend)
        self.remote = None
        self.segment = None
        self._segment_req = segment
        self._closed = False
        if start:
            try:
                self.start()
            except BaseException:
                self.close()
                raise

    # -- set-up ------------------------------------------------------------
    def _remote_argv(self, fds):
        argv = [self.cli, "peer", "--role", self.peer_role,
                "--fds", ",".join(str(f) for f in fds),
                "--scenario", "echo-server", "--backend", self.backend,
                "--instance", self.instance, "--timeout", "0"]
        if self.unbound is not None:
            argv += ["--unbound", self.unbound]
        if self.dts is not None:
            argv += ["--dts", str(self.dts) if self.dts_remote is None
                     else f"{self.dts},{self.dts_remote}"]
        if self.endpoints is not None:
            argv += ["--endpoints", str(self.endpoints)]
        if self.rx_in_isr:
            argv.append("--rx-in-isr")
        if self.rx_buf_size is not None:
            argv += ["--rx-buf-size", str(self.rx_buf_size)]
        if self.icbmsg_version is not None:
            argv += ["--icbmsg-version", self.icbmsg_version]
        argv += self.remote_args
        if self.valgrind:
            argv = valgrind_command() + argv
        return argv

    def start(self):
        """Create the segment, start this side's core and the other side."""
        h = self.harness
        self.segment = h.create_segment(self._segment_req, self.doorbell)
        if not self.keep_names:
            h.unlink()
        icb = None
        if self.endpoints is not None and self.endpoints > 4:
            icb = self.endpoints
        h.start(self.role, unbound=self.unbound, rx_in_isr=self.rx_in_isr,
                rx_buf_size=self.rx_buf_size, icbmsg_endpoints=icb,
                icbmsg_version=self.icbmsg_version)
        fds = [f for f in h.fds()]
        self.remote = RemotePeer(self._remote_argv(fds), [f for f in fds if f >= 0],
                                 env=self.env)
        self.remote.start()

    def open(self, name="ep0"):
        """Register endpoint `name` on this side's instance.  The echo server
        registers ep0..epK-1 (K = `endpoints`: 1 for ICMsg, 4 by default for
        ICBMsg)."""
        return self.harness.open(self.instance, name)

    # -- the other side ----------------------------------------------------
    def remote_boots(self):
        """Boot count of the other side's core (bumped by each start)."""
        return self.harness.peer_status(self.peer_role)[1]

    def kill_remote(self, sig=signal.SIGKILL):
        """Kill the other side (SIGKILL by default: a crash) and reap it."""
        return self.remote.kill(sig)

    def restart_remote(self, wait=True, timeout=10.0):
        """Start the other side again on the same segment.  With wait, return
        once its core has started (its boot count went up)."""
        before = self.remote_boots()
        self.remote.start()
        if wait:
            deadline = time.monotonic() + timeout * (20 if self.valgrind else 1)
            while self.remote_boots() <= before:
                if not self.remote.alive:
                    raise RuntimeError(f"the remote peer exited ({self.remote.returncode}):\n"
                                       f"{self.remote.output()}")
                if time.monotonic() > deadline:
                    raise TimeoutError("the restarted remote peer did not start its core")
                time.sleep(0.005)

    # -- teardown ----------------------------------------------------------
    def shm_objects(self):
        """This pair's names still in /dev/shm."""
        if self.segment is None:
            return []
        try:
            return sorted(x for x in os.listdir("/dev/shm")
                          if x.startswith(self.segment + "-"))
        except OSError:
            return []

    def live_processes(self):
        """Pids of this pair's processes still alive (zombies excluded)."""
        out = []
        if self.remote is None:
            return out
        pids = {p for p, _, _ in self.remote.incarnations}
        if self.remote.pid is not None:
            pids.add(self.remote.pid)
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            if ") Z " not in stat:
                out.append(pid)
        return sorted(out)

    def close(self):
        """Stop the other side (SIGTERM: a clean exit), then this side; the
        segment is removed.  Returns the other side's last exit status."""
        if self._closed:
            return self.remote.returncode if self.remote is not None else None
        self._closed = True
        status = None
        try:
            if self.remote is not None and self.remote.alive:
                status = self.remote.stop(60.0 if self.valgrind else 10.0)
            elif self.remote is not None:
                status = self.remote.returncode
        finally:
            self.harness.close()
        return status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
