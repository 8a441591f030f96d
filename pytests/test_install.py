"""`cmake --install` into a temporary prefix, then use it as a user would:
the installed files, the exported symbols of libipc_emu.so, each installed
header on its own, the out-of-tree example (examples/out-of-tree/) built with
find_package(ipc_emu) and with pkg-config, and the Zephyr example pairs
compiled against the installed headers.  All runs use the installed CLI.

The build tree is the directory of $IPC_EMU_BIN (it must hold CMakeCache.txt).
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import sh

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent
EXPORTED = re.compile(r"^(emu_|ipc_service_|ipc_icmsg_backend$|ipc_icbmsg_backend$|ipc_icbmsg_v2_backend$|mbox_|ipm_|"
                      r"pbuf_|icmsg_|icbmsg_)")
PRIVATE = re.compile(r"^(port_|emu_sys_|emu_port_)")
CC = shutil.which("cc") or shutil.which("gcc")


def libdir(prefix):
    return Path(prefix) / "lib"


def pkg_env(prefix):
    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = str(libdir(prefix) / "pkgconfig")
    return env


def run_installed(prefix, host, remote, *extra):
    return subprocess.run([str(Path(prefix) / "bin" / "ipc-emu"), "run", *extra, "--host",
                           str(host), "--remote", str(remote)], capture_output=True, text=True,
                          timeout=60)


def test_installed_files(prefix):
    p = Path(prefix)
    for f in ["bin/ipc-emu", "lib/libipc_emu.so.0.1.0", "lib/libipc_emu_zephyr_main.a",
              "lib/cmake/ipc_emu/ipc_emuConfig.cmake",
              "lib/cmake/ipc_emu/ipc_emuConfigVersion.cmake", "lib/pkgconfig/ipc_emu.pc",
              "include/ipc_emu/ipc_service.h", "include/ipc_emu/emu.h",
              "include/ipc_emu/zephyr-compat/zephyr/kernel.h",
              "include/ipc_emu/zephyr-compat/zephyr/ipc/ipc_service.h",
              "include/ipc_emu/zephyr-compat/zephyr/drivers/mbox.h",
              "include/ipc_emu/zephyr-compat/zephyr/drivers/ipm.h",
              # generated from the help text (pytests/test_python_packaging.py)
              "share/man/man1/ipc-emu.1", "share/bash-completion/completions/ipc-emu"]:
        assert (p / f).is_file(), f
    assert os.readlink(p / "lib/libipc_emu.so.0") == "libipc_emu.so.0.1.0"
    assert os.readlink(p / "lib/libipc_emu.so") == "libipc_emu.so.0"
    # Never a top-level include/zephyr/ that could shadow a real Zephyr tree.
    assert not (p / "include" / "zephyr").exists()
    soname = sh("objdump", "-p", p / "lib/libipc_emu.so.0.1.0").stdout
    assert re.search(r"SONAME\s+libipc_emu\.so\.0\b", soname)
    r = sh(p / "bin/ipc-emu", "--version")
    assert r.stdout.strip() == "ipc-emu 0.1.0"


def exported_symbols(prefix):
    out = sh("nm", "-D", "--defined-only", libdir(prefix) / "libipc_emu.so.0.1.0").stdout
    # Type A: the version node (IPC_EMU_0) itself, not a symbol of the API.
    return {f[-1].split("@")[0] for f in (ln.split() for ln in out.splitlines())
            if len(f) >= 2 and f[-2] != "A"}


def declared_functions(header_text):
    """Names of the non-inline functions and objects a header declares."""
    text = re.sub(r"/\*.*?\*/", "", header_text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"#ifdef __cplusplus.*?#endif", "", text, flags=re.S)
    text = re.sub(r"^#.*?(?<!\\)$", "", text, flags=re.M | re.S)
    names = set()
    depth = 0
    stmt = ""
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            stmt = ""
            continue
        if depth:
            continue
        stmt += ch
        if ch == ";":
            s = " ".join(stmt.split())
            stmt = ""
            if s.startswith(("static", "typedef", "struct", "enum", "union")) and "(" not in s:
                continue
            if s.startswith(("static", "typedef")):
                continue
            m = re.search(r"\b([A-Za-z_]\w*)\s*\(", s)
            if m and not s.startswith("extern \"C\""):
                names.add(m.group(1))
            elif s.startswith("extern"):
                m = re.search(r"\b([A-Za-z_]\w*)\s*;$", s)
                if m:
                    names.add(m.group(1))
    return names


def test_only_public_symbols_are_exported(prefix):
    syms = exported_symbols(prefix)
    assert syms, "nothing exported"
    bad = sorted(s for s in syms if not EXPORTED.match(s) or PRIVATE.match(s))
    assert not bad, f"exported but not public: {bad}"
    # Everything the installed public headers declare is there.
    inc = Path(prefix) / "include" / "ipc_emu"
    missing = {}
    declared = set()
    for h in sorted(inc.rglob("*.h")):
        names = {n for n in declared_functions(h.read_text()) if EXPORTED.match(n)}
        declared |= names
        lost = sorted(names - syms)
        if lost:
            missing[str(h.relative_to(inc))] = lost
    assert not missing, f"declared in public headers, not exported: {missing}"
    # And nothing beyond them: an internal helper that is not hidden by name
    # in cmake/ipc_emu.map shows up here.
    assert sorted(syms - declared) == []
    for name in ["ipc_service_open_instance", "ipc_service_send", "pbuf_write", "icmsg_open",
                 "emu_board_create", "emu_zephyr_dev", "emu_k_sem_take", "ipc_icmsg_backend"]:
        assert name in syms, name


@pytest.mark.skipif(CC is None, reason="no C compiler")
def test_each_installed_header_compiles_on_its_own(prefix, tmp_path):
    inc = Path(prefix) / "include"
    zinc = inc / "ipc_emu" / "zephyr-compat"
    headers = sorted((inc / "ipc_emu").glob("*.h")) + sorted(zinc.rglob("*.h"))
    assert len(headers) > 15
    for h in headers:
        src = tmp_path / "one.c"
        src.write_text(f'#include "{h}"\n')
        sh(CC, "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", f"-I{inc}",
           f"-I{zinc}", src)


def test_out_of_tree_example_with_find_package(prefix, tmp_path):
    build = tmp_path / "app"
    sh("cmake", "-S", SOURCE / "examples" / "out-of-tree", "-B", build,
       f"-DCMAKE_PREFIX_PATH={prefix}")
    sh("cmake", "--build", build)
    r = run_installed(prefix, build / "host", build / "remote")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "<inf> host: total 55 after 10 values" in r.stdout.splitlines()
    assert "<inf> remote: total 55" in r.stdout.splitlines()
    assert "PASS: both programs exited with status 0" in r.stdout
    # Its own ctest runs the pair through IPC_EMU_EXECUTABLE from the package.
    sh("ctest", "--output-on-failure", cwd=build)


@pytest.mark.skipif(CC is None or shutil.which("pkg-config") is None,
                    reason="no C compiler or pkg-config")
def test_out_of_tree_example_with_pkg_config(prefix, tmp_path):
    flags = sh("pkg-config", "--cflags", "--libs", "ipc_emu", env=pkg_env(prefix)).stdout.split()
    src = SOURCE / "examples" / "out-of-tree" / "src"
    for core in ("host", "remote"):
        sh(CC, "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
           src / f"{core}.c", "-o", tmp_path / core, *flags, f"-Wl,-rpath,{libdir(prefix)}")
    r = run_installed(prefix, tmp_path / "host", tmp_path / "remote")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "<inf> host: total 55 after 10 values" in r.stdout.splitlines()


@pytest.mark.skipif(CC is None or shutil.which("pkg-config") is None,
                    reason="no C compiler or pkg-config")
@pytest.mark.parametrize("pair", ["simple", "nocopy", "ipm", "mbox", "multi_endpoint"])
def test_zephyr_examples_build_against_the_installed_headers(prefix, tmp_path, pair):
    flags = sh("pkg-config", "--cflags", "--libs", "ipc_emu", env=pkg_env(prefix)).stdout.split()
    src = SOURCE / "examples" / "zephyr" / pair
    for core in ("host", "remote"):
        # libipc_emu_zephyr_main.a: main() for multi_endpoint, which has none.
        sh(CC, "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
           src / f"{core}.c", "-o", tmp_path / core, "-lipc_emu_zephyr_main", *flags,
           f"-Wl,-rpath,{libdir(prefix)}")
    r = run_installed(prefix, tmp_path / "host", tmp_path / "remote")
    assert r.returncode == 0, r.stdout + r.stderr
