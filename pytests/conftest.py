"""Fixtures for the ipc-emu CLI scenarios.

* ``ipc_emu_bin``: the built CLI, from $IPC_EMU_BIN or ../build/ipc-emu.
* ``cli``: runs the CLI with a per-test tag in its environment (inherited by
  every peer, valgrind included), so leftovers can be attributed exactly even
  with ``pytest -n 2``.
* ``build``: compiles a one-file Zephyr-API program against include/ and
  libipc_emu with the strict warning set user programs get (-Werror).
* autouse ``no_leaks``: after each test, no process carrying the tag and no
  /dev/shm object of a segment the test created may survive (polled 5 s).
"""
import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TAG_VAR = "IPC_EMU_PYTEST_TAG"
SHM = Path("/dev/shm")
HERE = Path(__file__).resolve().parent


def _find_binary():
    env = os.environ.get("IPC_EMU_BIN")
    if env:
        return Path(env).resolve()
    return (HERE.parent / "build" / "ipc-emu").resolve()


@pytest.fixture(scope="session")
def ipc_emu_bin():
    path = _find_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"ipc-emu binary not found at {path} (build it, or set IPC_EMU_BIN)")
    return str(path)


def build_cache_rr_pair(ipc_emu_bin, out):
    """tests/zephyr_userprog/cache_reregister.c built for both roles into
    `out` against the library next to ipc_emu_bin: {"host": path, "remote": path}."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    lib = Path(ipc_emu_bin).parent
    src = HERE.parent / "tests" / "zephyr_userprog" / "cache_reregister.c"
    progs = {}
    for role in ("host", "remote"):
        define = ["-DCACHE_RR_HOST"] if role == "host" else []
        r = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", *define,
                            f"-I{HERE.parent / 'include'}", str(src), "-o", str(out / role),
                            f"-L{lib}", "-lipc_emu", f"-Wl,-rpath,{lib}"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        progs[role] = str(out / role)
    return progs


@pytest.fixture
def build(ipc_emu_bin, tmp_path):
    """build(name, text) -> path of a program compiled from text."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    lib = Path(ipc_emu_bin).parent
    include = HERE.parent / "include"

    def compile_(name, text):
        src = tmp_path / f"{name}.c"
        src.write_text(text)
        out = tmp_path / name
        r = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wshadow",
                            "-Wstrict-prototypes", "-Wmissing-prototypes",
                            "-Wno-unused-parameter", f"-I{include}", str(src), "-o", str(out),
                            f"-L{lib}", "-lipc_emu", f"-Wl,-rpath,{lib}"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return str(out)
    return compile_


def tagged_pids(tag):
    """Pids of live (non-zombie) processes whose environment carries tag."""
    needle = f"{TAG_VAR}={tag}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if needle in env.split(b"\0") and ") Z " not in stat:
            pids.append(int(entry.name))
    return pids


def shm_entries(prefixes):
    try:
        names = os.listdir(SHM)
    except OSError:
        return []
    return sorted(n for n in names if any(n.startswith(p) for p in prefixes))


class Cli:
    """Runs ipc-emu with the test's tag; remembers what may leak."""

    def __init__(self, binary, tag):
        self.binary = binary
        self.tag = tag
        self.procs = []
        self.shm_prefixes = []

    def env(self):
        env = dict(os.environ)
        env[TAG_VAR] = self.tag
        # No progress lines in tests that compare stderr (a pipe is not a
        # terminal); test_output_cli sets IPC_EMU_PROGRESS_S to see them.
        env.setdefault("IPC_EMU_PROGRESS_S", "0")
        return env

    def start(self, *args, **kw):
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("text", True)
        p = subprocess.Popen([self.binary, *map(str, args)], env=self.env(), **kw)
        self.procs.append(p)
        # `run` names its segment ipc-emu-<supervisor pid>-<n>.
        self.shm_prefixes.append(f"ipc-emu-{p.pid}-")
        return p

    def __call__(self, *args, timeout=120):
        p = self.start(*args)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            pytest.fail(f"ipc-emu {' '.join(map(str, args))} did not finish in {timeout} s\n{err}")
        return subprocess.CompletedProcess(p.args, p.returncode, out, err)

    def segment_name(self):
        """A unique segment name for `peer --segment`, tracked for leaks."""
        name = f"ipc-emu-pyt-{uuid.uuid4().hex[:12]}"
        self.shm_prefixes.append(name + "-")
        return name


@pytest.fixture(autouse=True)
def no_leaks(request):
    """After the test: no process carrying the test's tag, no /dev/shm object
    of a segment it created (new `ipc-emu-*` entries of its own runs)."""
    if "cli" not in request.fixturenames:
        yield None
        return
    c = Cli(request.getfixturevalue("ipc_emu_bin"), uuid.uuid4().hex)
    yield c
    for p in c.procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    deadline = time.monotonic() + 5.0
    while True:
        procs = tagged_pids(c.tag)
        shm = shm_entries(c.shm_prefixes)
        if (not procs and not shm) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for pid in procs:  # do not let one test's leak break the next ones
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for name in shm:
        try:
            os.unlink(SHM / name)
        except OSError:
            pass
    assert not procs, f"ipc-emu processes left behind: {procs}"
    assert not shm, f"/dev/shm objects left behind: {shm}"


@pytest.fixture
def cli(no_leaks):
    """Runs the CLI with the test's tag (see Cli)."""
    return no_leaks


def wait_for(pred, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return pred()


def _ppid(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def peer_pids(tag):
    """Tagged processes that are peers (argv contains 'peer').

    A peer's own short-lived child (dtc, forked but not yet exec'd) still
    shows the peer's argv: a process whose parent is a peer is not one."""
    out = []
    for pid in tagged_pids(tag):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"peer" in argv:
            out.append(pid)
    return [p for p in out if _ppid(p) not in out]


# The Zephyr-stack mode (`--zephyr-base`) without a Zephyr tree: the CI tree
# (our own Zephyr-style sources) and the examples' nRF5340 DTS pair.
# The nRF54H20-like example topology (examples/nrf54h20/, docs/multicore.md):
# its cores in command-line order, the comma list for --dts, and its links
# (in topology order) with their backends.
NRF54H20_DIR = HERE.parent / "examples" / "nrf54h20"
NRF54H20_CORES = ["cpuapp", "cpurad", "cpuppr", "cpuflpr"]
NRF54H20 = ",".join(str(NRF54H20_DIR / f"{c}.dts") for c in NRF54H20_CORES)
NRF54H20_LINKS = ["cpuapp-cpurad.cpuapp_cpurad_ipc", "cpuapp-cpurad.cpuapp_cpurad_icmsg",
                  "cpuapp-cpuppr.cpuapp_cpuppr_ipc", "cpuapp-cpuflpr.cpuapp_cpuflpr_ipc"]
NRF54H20_BACKENDS = ["icbmsg", "icmsg", "icmsg", "icmsg"]


def gen_star(tmp_path, n, backend="icmsg"):
    """The devicetrees of a star of n cores (scripts/gen-topology.py): cpu0 .. cpuN-1."""
    out = tmp_path / f"star{n}{backend}"
    subprocess.run([sys.executable, str(HERE.parent / "scripts" / "gen-topology.py"), "--cores",
                    str(n), "--out", str(out), "--backend", backend], check=True,
                   stdout=subprocess.DEVNULL)
    return [out / f"cpu{i}.dts" for i in range(n)]

ZEPHYR_TREE = HERE.parent / "tests" / "zephyr_style" / "tree"
NRF5340_PAIR = (HERE.parent / "examples" / "nrf5340dk_cpuapp.dts",
                HERE.parent / "examples" / "nrf5340dk_cpunet.dts")


@pytest.fixture(scope="module")
def zephyr_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("zephyr-cache")


@pytest.fixture
def zephyr_cache(monkeypatch, zephyr_cache_dir):
    """$IPC_EMU_ZEPHYR_CACHE for the test: the module's cache, so that the
    stacks one test builds (tree, DTS, Kconfig) are found by the next ones."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(zephyr_cache_dir))
    return zephyr_cache_dir


@pytest.fixture
def empty_zephyr_cache(monkeypatch, tmp_path):
    """$IPC_EMU_ZEPHYR_CACHE for the test: a new empty directory (a refused
    run must leave it empty)."""
    d = tmp_path / "zephyr-cache"
    d.mkdir()
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(d))
    return d


@pytest.fixture(scope="session")
def unbound_dts(tmp_path_factory):
    """NRF5340_PAIR with ICMsg's `unbound` property in each mode, as --dts
    values: {"disable": "APP,NET", "enable": ..., "detect": ...}."""
    d = tmp_path_factory.mktemp("unbound-dts")
    out = {}
    for mode in ["disable", "enable", "detect"]:
        files = []
        for board in NRF5340_PAIR:
            f = d / f"{board.stem}-{mode}.dts"
            f.write_text(board.read_text().replace('unbound = "disable"', f'unbound = "{mode}"'))
            files.append(str(f))
        out[mode] = ",".join(files)
    return out


def refused(cli, *args):
    """Runs `ipc-emu ARGS`, which must end in a usage error (exit status 2);
    returns its stderr."""
    r = cli(*args)
    assert r.returncode == 2, r.stdout + r.stderr
    return r.stderr


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "valgrind: runs the peers under valgrind (slow; deselect with -m 'not valgrind')")
    # A developer's ZEPHYR_BASE would move every `ipc-emu run` of the suite
    # onto that tree (run reads it): the tests choose their trees explicitly.
    os.environ.pop("ZEPHYR_BASE", None)


def sh(*args, env=None, timeout=300, cwd=None, check=True):
    """Run a command; with check, assert exit status 0 (the output in the message)."""
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env,
                       timeout=timeout, cwd=cwd)
    if check:
        assert r.returncode == 0, f"{' '.join(map(str, args))} failed ({r.returncode}):\n" \
                                  f"{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def prefix(ipc_emu_bin, tmp_path_factory):
    """`cmake --install` of the build tree of IPC_EMU_BIN into a temporary prefix."""
    build = Path(ipc_emu_bin).parent
    if not (build / "CMakeCache.txt").is_file():
        pytest.skip(f"{build} is not a CMake build tree")
    dest = tmp_path_factory.mktemp("prefix")
    sh("cmake", "--install", build, "--prefix", dest)
    return dest


@contextlib.contextmanager
def clean_turn():
    """A plain `ipc-emu clean` removes every dead segment and run directory in
    /dev/shm and /tmp.  A test that makes one dead and then cleans it (or
    checks it) itself holds this lock from the kill to its clean, and every
    plain clean of the tests runs under it, so that another xdist worker's
    plain clean cannot remove it first."""
    with open("/tmp/ipc-emu-pytest-clean.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
