"""A user's own Zephyr application on a tree's IPC stack, without a Zephyr
tree: tests/zephyr_style/tree stands in for the tree (our own Zephyr-style
code) and tests/zephyr_userprog/ is the user's program (host.c, remote.c,
a second source common.c and an include directory).  Both routes a user
takes: `ipc-emu zephyr-build --app-src` and the CMake function
ipc_emu_zephyr_program(... ZEPHYR_BASE dir).  Also: ZEPHYR_BASE in the
environment for `run` and its off switch, `run --kconfig`, the cache key's
compiler part and `ipc-emu clean --zephyr-cache`."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import NRF5340_PAIR, ZEPHYR_TREE as TREE

ROOT = Path(__file__).resolve().parent.parent
PROG = ROOT / "tests" / "zephyr_userprog"
ATTACH = re.compile(r"^ipc-emu (host|remote): info: attached as \1: .*$", re.M)


@pytest.fixture(autouse=True)
def no_stray_zephyr_base(monkeypatch, zephyr_cache):
    """Each test sets ZEPHYR_BASE itself; products go to the module's cache
    (conftest: zephyr_cache)."""
    monkeypatch.delenv("ZEPHYR_BASE", raising=False)


def build_prog(cli, core, out, *extra):
    sources = [PROG / f"{core}.c", PROG / "common.c"]
    return cli("zephyr-build", "--zephyr-base", TREE, "--core", core, "--app-src", *sources,
               "-I", PROG / "include", "-o", out, *extra)


def attach_lines(stderr):
    return {m.group(1): m.group(0) for m in ATTACH.finditer(stderr)}


def assert_pair_passed(r):
    assert r.returncode == 0, r.stdout + r.stderr
    assert "userprog[host]: 50 echoes matched" in r.stdout
    assert "userprog[remote]: 51 messages echoed" in r.stdout
    lines = attach_lines(r.stderr)
    assert sorted(lines) == ["host", "remote"], r.stderr
    for line in lines.values():
        assert line.endswith(", Zephyr's IPC stack"), line


def test_app_src_program_runs_on_the_tree_stack(cli, tmp_path, monkeypatch, zephyr_cache):
    for core in ["host", "remote"]:
        r = build_prog(cli, core, tmp_path / core)
        assert r.returncode == 0, r.stderr
        assert (f"zephyr-build: CC {PROG / core}.c\nzephyr-build: CC {PROG}/common.c\n"
                f"zephyr-build: LINK {tmp_path / core}\n") in r.stdout
        assert (tmp_path / core).is_file()
    # The objects' temporary directory is gone; the stack stays cached.
    assert not list(zephyr_cache.glob("*/prog-*"))
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    r = cli("run", "--host", tmp_path / "host", "--remote", tmp_path / "remote", timeout=120)
    assert_pair_passed(r)


def test_app_src_reuses_the_cached_stack(cli, tmp_path):
    assert build_prog(cli, "remote", tmp_path / "a").returncode == 0
    r = build_prog(cli, "remote", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    # Only the user's sources are compiled again, never the tree's.
    assert re.findall(r"^zephyr-build: CC (\S+)$", r.stdout, re.M) == [
        f"{PROG}/remote.c", f"{PROG}/common.c"]
    assert re.search(r"^zephyr-build: remote core: cached \S+/[0-9a-f]{16}$", r.stdout, re.M)


def test_app_src_missing_api_named(cli, tmp_path):
    src = tmp_path / "bad.c"
    src.write_text("#include <zephyr/kernel.h>\n"
                   "int main(void)\n{\n\treturn k_no_such_call(1);\n}\n")
    r = cli("zephyr-build", "--zephyr-base", TREE, "--core", "host", "--app-src", src,
            "-o", tmp_path / "bad")
    assert r.returncode == 2
    assert f"{src}: the compatibility headers lack 'k_no_such_call'" in r.stderr
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize("args, message", [
    (["--app", "echo_server", "--app-src", "X.c"],
     "--app NAME (one of ipc-emu's echo apps) and --app-src FILE.c (your program) are "
     "exclusive"),
    (["-o", "prog"], "-o PROG applies to the program of --app-src FILE.c"),
    (["--app-src", "--quiet"], "--app-src wants one or more source files"),
    (["--app-src", "/nonexistent/x.c"], "--app-src /nonexistent/x.c: no such file"),
])
def test_app_src_usage_errors(cli, args, message):
    r = cli("zephyr-build", "--zephyr-base", TREE, "--core", "host", *args)
    assert r.returncode == 2
    assert message in r.stderr, r.stderr


def test_run_refuses_program_with_zephyr_base(cli, tmp_path):
    r = cli("run", "--zephyr-base", TREE, "--host", "/bin/true", "--remote", "/bin/true")
    assert r.returncode == 2
    assert ("--host/--remote PROG with --zephyr-base: a program's IPC stack is linked in; "
            "build it on the tree with `ipc-emu zephyr-build --zephyr-base DIR --core ROLE "
            "--app-src FILE.c` and run it without --zephyr-base") in r.stderr


CMAKELISTS = """cmake_minimum_required(VERSION 3.20)
project(userprog C)
add_library(ipc_emu::ipc_emu SHARED IMPORTED)
set_target_properties(ipc_emu::ipc_emu PROPERTIES
  IMPORTED_LOCATION "{lib}/libipc_emu.so"
  INTERFACE_INCLUDE_DIRECTORIES "{root}/include")
set(IPC_EMU_EXECUTABLE "{cli}")
include("{root}/cmake/IpcEmuZephyr.cmake")
set(U "{prog}")
ipc_emu_zephyr_program(TARGET host SOURCES ${{U}}/host.c ${{U}}/common.c CORE host
  DTS "{app}" "{net}" ZEPHYR_BASE "{tree}")
# Without a value: the environment's ZEPHYR_BASE.
ipc_emu_zephyr_program(TARGET remote SOURCES ${{U}}/remote.c ${{U}}/common.c CORE remote
  DTS "{app}" "{net}" KCONFIG fragment.conf CONFIG CONFIG_PBUF_RX_READ_BUF_SIZE=256 ZEPHYR_BASE)
target_include_directories(host PRIVATE ${{U}}/include)
target_include_directories(remote PRIVATE ${{U}}/include)
"""


def cmake_project(tmp_path, ipc_emu_bin):
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(CMAKELISTS.format(
        lib=Path(ipc_emu_bin).parent, root=ROOT, cli=ipc_emu_bin, prog=PROG, tree=TREE,
        app=NRF5340_PAIR[0], net=NRF5340_PAIR[1]))
    (src / "fragment.conf").write_text("CONFIG_USERPROG_FRAGMENT=7\n")
    return src


def sh(*args, env=None):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env,
                          timeout=180)


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake not installed")
def test_cmake_zephyr_base(cli, tmp_path, ipc_emu_bin, monkeypatch):
    src = cmake_project(tmp_path, ipc_emu_bin)
    env = dict(os.environ, ZEPHYR_BASE=str(TREE))
    r = sh("cmake", "-S", src, "-B", tmp_path / "b", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    r = sh("cmake", "--build", tmp_path / "b", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    stack = tmp_path / "b" / "remote_zephyr" / "stack"
    assert stack.is_symlink()
    assert re.fullmatch(r"[0-9a-f]{16}", os.readlink(stack).rsplit("/", 1)[1])
    autoconf = (stack / "cfg/zephyr/autoconf.h").read_text()
    assert "#define CONFIG_PBUF_RX_READ_BUF_SIZE 256" in autoconf
    assert "#define CONFIG_USERPROG_FRAGMENT 7" in autoconf  # KCONFIG, relative path
    for core in ["host", "remote"]:  # DTS: the nRF5340 pair's reserved memory
        dt = tmp_path / "b" / f"{core}_zephyr" / "stack" / "cfg/zephyr/devicetree_generated.h"
        assert "0x20070000" in dt.read_text()
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    r = cli("run", "--host", tmp_path / "b" / "host", "--remote", tmp_path / "b" / "remote",
            "--dts", ",".join(map(str, NRF5340_PAIR)), timeout=120)
    assert_pair_passed(r)


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake not installed")
def test_cmake_zephyr_base_without_value_needs_the_environment(tmp_path, ipc_emu_bin):
    src = cmake_project(tmp_path, ipc_emu_bin)
    env = {k: v for k, v in os.environ.items() if k != "ZEPHYR_BASE"}
    r = sh("cmake", "-S", src, "-B", tmp_path / "b", env=env)
    assert r.returncode != 0
    assert ("ipc_emu_zephyr_program(remote): ZEPHYR_BASE without a directory takes the "
            "environment's ZEPHYR_BASE" in re.sub(r"\s+", " ", r.stderr)), r.stderr


def test_run_reads_zephyr_base_from_the_environment(cli, monkeypatch):
    monkeypatch.setenv("ZEPHYR_BASE", str(TREE))
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    r = cli("run", "--messages", "20", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith(f"ipc-emu run: ZEPHYR_BASE={TREE} (environment): Zephyr's IPC "
                               "sources on both cores; --no-zephyr-base runs ipc-emu's core\n")
    assert "echo-client[host]: 21 echoes matched byte for byte" in r.stdout
    for line in attach_lines(r.stderr).values():
        assert line.endswith(", Zephyr's IPC stack"), line


def test_no_zephyr_base_switches_the_environment_off(cli, monkeypatch):
    monkeypatch.setenv("ZEPHYR_BASE", str(TREE))
    r = cli("run", "--no-zephyr-base", "--messages", "20", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    # The built-in scenario on ipc-emu's core: nothing built, no note.
    assert "ZEPHYR_BASE" not in r.stdout
    assert "zephyr-build" not in r.stdout
    assert "PASS: all 42 messages verified" in r.stdout


def test_options_win_over_the_environment(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("ZEPHYR_BASE", str(tmp_path / "no-such-tree"))
    r = cli("run", "--zephyr-base", TREE, "--messages", "5", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ZEPHYR_BASE=" not in r.stdout
    assert "no-such-tree" not in r.stdout + r.stderr
    assert "echo-client[host]: 6 echoes matched byte for byte" in r.stdout
    # A user program carries its own stack: the environment is not read.
    r = cli("run", "--host", "/bin/true", "--remote", "/bin/true")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ZEPHYR_BASE" not in r.stdout + r.stderr


@pytest.mark.parametrize("args, message", [
    (["--scenario", "ipm-echo"],
     "--scenario: ZEPHYR_BASE={tree} in the environment selects Zephyr's IPC sources, which "
     "do not support it yet; add --no-zephyr-base to run ipc-emu's core"),
    (["--no-zephyr-base", "--zephyr-base", "{tree}"],
     "--no-zephyr-base and --zephyr-base DIR (or --host-/--remote-zephyr-base) contradict "
     "each other"),
    (["--no-zephyr-base", "--kconfig", "/dev/null"],
     "--kconfig applies to the builds of --zephyr-base (or ZEPHYR_BASE) runs; ipc-emu's core "
     "takes its settings from options (--rx-buf-size, --unbound, ...)"),
])
def test_run_environment_usage_errors(cli, monkeypatch, args, message):
    monkeypatch.setenv("ZEPHYR_BASE", str(TREE))
    r = cli("run", *[a.format(tree=TREE) for a in args])
    assert r.returncode == 2
    assert r.stderr == f"ipc-emu: run: {message.format(tree=TREE)} (see 'ipc-emu run --help')\n"


def test_run_kconfig_per_core(cli, tmp_path):
    conf = tmp_path / "remote.conf"
    conf.write_text("CONFIG_PBUF_RX_READ_BUF_SIZE=256\n")
    r = cli("run", "--zephyr-base", TREE, "--remote-kconfig", conf, "--messages", "10",
            timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    dirs = dict(re.findall(r"^zephyr-build: (host|remote) core: (?:built|cached) (\S+)$",
                           r.stdout, re.M))
    assert sorted(dirs) == ["host", "remote"]
    host = (Path(dirs["host"]) / "cfg/zephyr/autoconf.h").read_text()
    remote = (Path(dirs["remote"]) / "cfg/zephyr/autoconf.h").read_text()
    assert "#define CONFIG_PBUF_RX_READ_BUF_SIZE 256" in remote
    assert "#define CONFIG_PBUF_RX_READ_BUF_SIZE 128" in host


def test_cache_key_covers_the_compiler(cli, tmp_path, monkeypatch):
    """Same inputs, another compiler (a wrapper script around cc): a new key."""
    out = tmp_path / "cache"
    args = ["zephyr-build", "--zephyr-base", TREE, "--core", "host", "--out", out]
    r1 = cli(*args)
    assert r1.returncode == 0, r1.stderr
    wrapper = tmp_path / "mycc"
    wrapper.write_text('#!/bin/sh\nexec cc "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("CC", str(wrapper))
    r2 = cli(*args)
    assert r2.returncode == 0, r2.stderr
    assert "zephyr-build: CC subsys/ipc/ipc_service/ipc_service.c" in r2.stdout
    assert len([p for p in out.iterdir() if p.is_dir()]) == 2


def test_clean_zephyr_cache(cli, tmp_path):
    out = tmp_path / "cache"
    r = cli("zephyr-build", "--zephyr-base", TREE, "--core", "host", "--out", out)
    assert r.returncode == 0, r.stderr
    (key,) = [p for p in out.iterdir()]
    keep = out / "notes"  # not a product directory: never touched
    keep.mkdir()
    old = 10 * 86400
    st = (key / "stamp").stat()
    os.utime(key / "stamp", (st.st_atime - old, st.st_mtime - old))
    r = cli("clean", f"--zephyr-cache={out}", "--older-than", "20")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "clean: 0 removed, 1 kept\n"
    r = cli("clean", f"--zephyr-cache={out}", "--older-than", "5", "--dry-run")
    assert r.stdout == (f"would remove {key} (last used 10.0 days ago)\n"
                        "clean: 1 would be removed, 0 kept\n")
    assert key.is_dir()
    r = cli("clean", f"--zephyr-cache={out}")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"removed {key} (last used 10.0 days ago)\nclean: 1 removed, 0 kept\n"
    assert sorted(p.name for p in out.iterdir()) == ["notes"]
    # The overlay's links pointed into the tree: the tree is intact.
    assert (TREE / "include/zephyr/ipc/ipc_service.h").is_file()


IRQ_MASK = re.compile(r"^irq-mask\[(host|remote)\]: irq_lock (\d+) (\d+), spin_lock (\d+) (\d+)$",
                      re.M)


@pytest.mark.parametrize("schedule", ["coop", "parallel"])
def test_irq_lock_masks_timer_expiries_before_attach(cli, tmp_path, schedule):
    """irq_lock() and k_spin_lock() mask the program's interrupt handlers from
    its start under `ipc-emu run`, not only once it attaches to its peer
    (lazily, at its first device call): tests/zephyr_userprog/irq_mask.c
    never touches a device and holds each lock 50 ms with a 1 ms periodic
    k_timer running.  No expiry function runs inside a lock; the pending
    expiry runs after the unlock and the timer goes on."""
    prog = tmp_path / "irq_mask"
    r = cli("zephyr-build", "--no-zephyr-base", "--core", "host", "--app-src",
            PROG / "irq_mask.c", "-o", prog, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    r = cli("run", "--host", prog, "--remote", prog, "--schedule", schedule, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    found = {m.group(1): [int(x) for x in m.groups()[1:]] for m in IRQ_MASK.finditer(r.stdout)}
    assert sorted(found) == ["host", "remote"], r.stdout
    for role, (irq_in, irq_after, spin_in, spin_after) in found.items():
        assert (role, irq_in, spin_in) == (role, 0, 0), r.stdout
        assert irq_after >= 1 and spin_after >= 1, r.stdout
