"""Packaging as a user meets it: the Python harness installed on Debian 12
(a venv over the system's pytest, offline) with its fixtures loaded by
pytest on their own; an installed prefix found from IPC_EMU_BIN alone; the
man page and bash completion that `cmake --install` puts in place.

The build tree is the directory of $IPC_EMU_BIN (it must hold CMakeCache.txt).
"""
import os
import re
import shutil
import sysconfig
import textwrap
from pathlib import Path

import pytest

from conftest import sh

ROOT = Path(__file__).resolve().parents[1]
PY = "/usr/bin/python3"
# The two commands of docs/python-harness.md and README.md, VENV in a tmp dir.
VENV_CMD = "/usr/bin/python3 -m venv --system-site-packages --without-pip VENV"
PIP_CMD = "VENV/bin/python -m pip install --no-build-isolation --no-deps ./python"


def clean_env(**kw):
    env = {k: v for k, v in os.environ.items()
           if k not in ("IPC_EMU_BIN", "IPC_EMU_LIB", "LD_LIBRARY_PATH", "PYTHONPATH")}
    env.update({k: str(v) for k, v in kw.items()})
    return env


# ------------------------------------------------------------ venv install


@pytest.mark.timeout(120)
def test_documented_venv_install_autoloads_the_fixtures(tmp_path, ipc_emu_bin):
    """The documented Debian 12 install (no PyPI: a venv over the system's
    pytest and setuptools), then a test that uses ipc_emu_pair and
    ipc_emu_cli with no import and no conftest.py: the pytest11 entry point
    loads them."""
    for doc in ("README.md", "docs/python-harness.md"):
        text = (ROOT / doc).read_text()
        for cmd in (VENV_CMD, PIP_CMD):
            assert cmd.replace("VENV", "~/.venv/ipc-emu") in text, (doc, cmd)
    src = tmp_path / "python"
    shutil.copytree(ROOT / "python", src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    env = clean_env()
    sh(*VENV_CMD.replace("VENV", str(venv)).split(), env=env, cwd=tmp_path)
    r = sh(*PIP_CMD.replace("VENV", str(venv)).split(), "--no-index",
           "--disable-pip-version-check", env=env, cwd=tmp_path)
    assert "Successfully installed ipc-emu-0.1.0" in r.stdout
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_user.py").write_text(textwrap.dedent("""
        def test_echo(ipc_emu_pair, ipc_emu_cli):
            pair = ipc_emu_pair(backend="icmsg", unbound="enable")
            ep = pair.open()
            ep.wait_bound(timeout=5)
            assert ep.send(b"from a venv") == 11
            assert ep.recv(timeout=5) == b"from a venv"
            assert pair.remote.pid > 0 and ipc_emu_cli.endswith("ipc-emu")
    """))
    r = sh(venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-p", "no:xdist", tests, env=clean_env(IPC_EMU_BIN=ipc_emu_bin), cwd=tests,
           check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1].startswith("1 passed in ")
    # The plugin is the installed copy, registered by its entry point.
    r = sh(venv / "bin" / "python", "-c",
           "import importlib.metadata as m, ipc_emu; "
           "print([e.value for e in m.entry_points(group='pytest11') "
           "if e.name == 'ipc_emu.pytest_plugin']); print(ipc_emu.__file__)",
           env=clean_env(), cwd=tmp_path)
    lines = r.stdout.splitlines()
    assert lines[0] == "['ipc_emu.pytest_plugin']"
    assert lines[1].startswith(str(venv / "lib"))


# ------------------------------------------------- IPC_EMU_BIN of a prefix


def probe(env, cwd):
    code = textwrap.dedent("""
        import ipc_emu
        print(ipc_emu.find_library())
        print(ipc_emu.find_cli())
        ipc_emu.load_library()
        print("loaded")
    """)
    r = sh(PY, "-c", code, env=env, cwd=cwd)
    return r.stdout.splitlines()


@pytest.mark.timeout(60)
def test_ipc_emu_bin_of_an_installed_prefix_is_enough(prefix, tmp_path):
    """IPC_EMU_BIN=PREFIX/bin/ipc-emu alone: the library is PREFIX/lib's,
    and a pair runs on it."""
    env = clean_env(IPC_EMU_BIN=Path(prefix) / "bin" / "ipc-emu", PYTHONPATH=ROOT / "python")
    lib = str(Path(prefix) / "lib" / "libipc_emu.so.0")
    assert probe(env, tmp_path) == [lib, str(Path(prefix) / "bin" / "ipc-emu"), "loaded"]
    code = textwrap.dedent("""
        import ipc_emu
        with ipc_emu.Pair() as pair:
            ep = pair.open()
            ep.wait_bound(timeout=5)
            ep.send(b"prefix")
            assert ep.recv(timeout=5) == b"prefix"
        print("ok")
    """)
    r = sh(PY, "-c", code, env=env, cwd=tmp_path)
    assert r.stdout.strip() == "ok"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("libdir", ["lib64", "multiarch"])
def test_other_library_directories_of_a_prefix(prefix, tmp_path, libdir):
    """CMake's GNUInstallDirs may put the library in lib64 or
    lib/<multiarch>: found from IPC_EMU_BIN, and the CLI from IPC_EMU_LIB."""
    if libdir == "multiarch":
        libdir = "lib/" + (sysconfig.get_config_var("MULTIARCH") or "")
        if libdir == "lib/":
            pytest.skip("this Python has no MULTIARCH")
    p = tmp_path / "p"
    (p / "bin").mkdir(parents=True)
    shutil.copy2(Path(prefix) / "bin" / "ipc-emu", p / "bin" / "ipc-emu")
    (p / libdir).mkdir(parents=True)
    shutil.copy2(Path(prefix) / "lib" / "libipc_emu.so.0.1.0", p / libdir / "libipc_emu.so.0")
    lib = str(p / libdir / "libipc_emu.so.0")
    cli = str(p / "bin" / "ipc-emu")
    env = clean_env(IPC_EMU_BIN=cli, PYTHONPATH=ROOT / "python")
    assert probe(env, tmp_path) == [lib, cli, "loaded"]
    env = clean_env(IPC_EMU_LIB=lib, PYTHONPATH=ROOT / "python")
    assert probe(env, tmp_path) == [lib, cli, "loaded"]


# ------------------------------------------------------------------ man page


def helps(cli):
    top = sh(cli, "--help").stdout
    cmds = re.findall(r"^  ([a-z][a-z-]*) +\S",
                      re.search(r"^commands:\n(.*?)\n\n", top, re.S | re.M).group(1), re.M)
    return {c: sh(cli, "help", c).stdout for c in cmds if c != "help"}


def test_man_page_and_completion_are_installed(prefix):
    p = Path(prefix)
    man = p / "share/man/man1/ipc-emu.1"
    comp = p / "share/bash-completion/completions/ipc-emu"
    assert man.is_file() and comp.is_file()
    version = sh(p / "bin/ipc-emu", "--version").stdout.strip()
    assert f'.TH IPC\\-EMU 1 "" "{version.replace("-", chr(92) + "-")}" "User Commands"' \
        in man.read_text().splitlines()
    assert "complete -F _ipc_emu ipc-emu" in comp.read_text().splitlines()


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_man_page_renders_without_warnings(prefix):
    man = Path(prefix) / "share/man/man1/ipc-emu.1"
    r = sh("groff", "-man", "-Tutf8", "-ww", "-z", man)
    assert r.stderr == ""
    if shutil.which("man"):
        r = sh("man", "--warnings", "-l", man, env=dict(os.environ, MANWIDTH="80",
                                                       MAN_KEEP_FORMATTING="0"))
        assert r.stderr == ""


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_man_page_has_every_command_and_option(prefix):
    """Generated from the help text: one section per command, holding every
    option that command's help lists."""
    man = Path(prefix) / "share/man/man1/ipc-emu.1"
    text = sh("groff", "-man", "-Tascii", "-P", "-cbou", man).stdout
    sections = re.split(r"^IPC-EMU ([A-Z-]+)$", text, flags=re.M)
    by_cmd = {sections[i].lower(): sections[i + 1] for i in range(1, len(sections), 2)}
    cli_helps = helps(Path(prefix) / "bin/ipc-emu")
    assert sorted(by_cmd) == sorted(cli_helps)
    assert {"run", "peer", "stress", "check", "clean", "bench", "inspect", "zephyr-config",
            "zephyr-build"} <= set(by_cmd)
    for cmd, h in cli_helps.items():
        options = set(re.findall(r"^ {2,4}(?:-\w, )?(--?[A-Za-z][\w-]*)", h, re.M))
        missing = sorted(o for o in options
                         if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", by_cmd[cmd]))
        assert not missing, (cmd, missing)
    assert re.search(r"^NAME\n\s+ipc-emu - run Zephyr-style inter-processor", text, re.M)
    assert "--kill-random K" in by_cmd["run"] and "icbmsg_block_before_control" in by_cmd["run"]


# ---------------------------------------------------------------- completion


def complete(prefix, line, cwd):
    """COMPREPLY of the installed completion for `line` (the word under the
    cursor is the last one; a trailing space starts an empty word)."""
    script = Path(prefix) / "share/bash-completion/completions/ipc-emu"
    words = line.split(" ")
    code = ("source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
            "_ipc_emu; printf '%s\\n' \"${COMPREPLY[@]}\"")
    r = sh("bash", "--norc", "--noprofile", "-c", code, "complete", script, *words,
           cwd=cwd)
    assert r.stderr == ""
    return sorted(x for x in r.stdout.split("\n") if x)


@pytest.mark.timeout(60)
def test_completion_words(prefix, tmp_path):
    for f in ("app.dts", "net.dts", "notes.txt", "board.dtb"):
        (tmp_path / f).write_text("")
    (tmp_path / "boards").mkdir()
    c = lambda line: complete(prefix, line, tmp_path)  # noqa: E731
    assert c("ipc-emu ") == sorted(["run", "peer", "stress", "check", "clean", "bench",
                                    "inspect", "zephyr-config", "zephyr-build", "help",
                                    "--help", "--version"])
    assert c("ipc-emu zephyr-") == ["zephyr-build", "zephyr-config"]
    assert c("ipc-emu help s") == ["stress"]
    assert c("ipc-emu run --back") == ["--backend"]
    assert c("ipc-emu run --backend ") == ["icbmsg", "icmsg"]
    assert c("ipc-emu run --unbound d") == ["detect", "disable"]
    assert c("ipc-emu run --scenario e") == ["echo-server", "echo-stream", "exhaustion"]
    assert c("ipc-emu run --doorbell ") == ["eventfd", "futex"]
    assert c("ipc-emu run --kill-role ") == ["any", "host", "remote"]
    assert c("ipc-emu run --crash-point icbmsg_re") == ["icbmsg_release_after_free",
                                                        "icbmsg_release_before_free"]
    # `ROLE:NAME` and `--opt=VALUE` reach the function as three words.
    assert c("ipc-emu run --crash-point remote : icbmsg_blo") == ["icbmsg_block_before_control"]
    assert c("ipc-emu run --crash-point host :")[:2] == ["icbmsg_alloc_before_header",
                                                          "icbmsg_block_before_control"]
    assert c("ipc-emu run --busy-poll = ") == []
    assert c("ipc-emu clean --zephyr-cache =") == ["boards"]
    assert c("ipc-emu clean --zephyr-cache = b") == ["boards"]
    assert c("ipc-emu peer --role ") == ["host", "remote"]
    assert c("ipc-emu peer --ro") == ["--role"]
    assert c("ipc-emu stress --m") == ["--modes"]
    assert c("ipc-emu bench --pl") == ["--plot"]
    assert c("ipc-emu clean --d") == ["--dry-run"]
    assert c("ipc-emu run --messages ") == []
    # Devicetree files: *.dts and directories, also after a comma.
    assert c("ipc-emu run --dts ") == ["app.dts", "boards/", "net.dts"]
    assert c("ipc-emu run --dts app.dts,n") == ["app.dts,net.dts"]
    assert c("ipc-emu check ") == ["app.dts", "boards/", "net.dts"]
    assert c("ipc-emu run --json n") == ["net.dts", "notes.txt"]
    assert c("ipc-emu zephyr-build --out b") == ["boards"]
