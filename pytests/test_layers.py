"""scripts/deps.py: the module graph of the build has no import circle and the
portable core (src/) uses nothing outside src/ (issue 15, section 7).

The build is the one of $IPC_EMU_BIN (its CMakeFiles/*.dir/<layer>/*.c.o).
The other tests compile tiny objects in tmp_path, laid out as CMake lays them
out, to prove that the script can fail and names what is wrong.
"""
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPS = ROOT / "scripts" / "deps.py"
# The layers without emu/ (test_build_whole_tree_clean checks all of them).
CLEAN_LAYERS = "cli,scenario,bench,src"

pytestmark = pytest.mark.skipif(shutil.which("nm") is None or shutil.which("cc") is None,
                                reason="needs nm and cc")


def deps(*args):
    return subprocess.run([sys.executable, str(DEPS), *map(str, args)], capture_output=True,
                          text=True, timeout=60)


def build_dir(ipc_emu_bin):
    build = Path(ipc_emu_bin).parent
    if not (build / "CMakeFiles").is_dir():
        pytest.skip(f"{ipc_emu_bin} is not in a CMake build directory (an installed prefix?)")
    return build


def objects(tmp_path, files):
    """Compile {"layer/name.c": source} to tmp_path/CMakeFiles/t.dir/layer/name.c.o."""
    for rel, text in files.items():
        src = tmp_path / "src-tree" / rel
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(textwrap.dedent(text))
        obj = tmp_path / "CMakeFiles" / "t.dir" / (rel + ".o")
        obj.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cc", "-c", "-o", str(obj), str(src)], check=True, timeout=60)
    return tmp_path


def test_build_layers_clean(ipc_emu_bin):
    r = deps(build_dir(ipc_emu_bin), "--layers", CLEAN_LAYERS)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    # The graph is printed, one line per module, the cli/ leaves included.
    assert "cli/output -> (nothing)" in lines
    assert "cli/rundir -> emu/sys" in lines
    # cli_run_ex = plan (run_plan.c: options, devicetree) + run (run.c).
    assert any(x.startswith("cli/run -> ") and " cli/run_plan " in x for x in lines)
    assert any(x.startswith("cli/run_plan -> ") and " cli/options " in x for x in lines)
    assert lines[-1].startswith("ok: ")
    assert lines[-1].endswith(" modules, no import circle in cli,scenario,bench,src, "
                              "src/ uses nothing outside it")


def test_build_whole_tree_clean(ipc_emu_bin):
    r = deps(build_dir(ipc_emu_bin))
    assert r.returncode == 0, r.stdout
    lines = r.stdout.splitlines()
    assert lines[-1].endswith(" modules, no import circle in cli,scenario,bench,emu,src, "
                              "src/ uses nothing outside it")
    # The Zephyr shim is a stack: the leaves (event names, printk), the
    # port and the trace, the interrupt lock, the scheduler, the interrupt
    # context, the kernel objects, the threads, the kernel calls on top.
    # A lower layer calls up only through a hook the upper one installs.
    graph = {x.split(" -> ")[0]: x.split(" -> ")[1].split() for x in lines if " -> " in x}
    assert graph["emu/zephyr_events"] == ["(nothing)"]
    assert graph["emu/zephyr_printk"] == ["(nothing)"]
    assert graph["emu/port"] == ["src/port"]
    assert graph["emu/trace"] == ["emu/port", "emu/zephyr_events"]
    assert graph["emu/zephyr_irq"] == ["emu/zephyr_printk"]
    for upper in ("emu/zephyr_isr", "emu/zephyr_objects", "emu/zephyr_thread",
                  "emu/zephyr_kernel"):
        assert "emu/zephyr_sched" in graph[upper]
    for lower in ("emu/zephyr_sched", "emu/zephyr_isr", "emu/zephyr_objects"):
        assert "emu/zephyr_thread" not in graph[lower]
        assert "emu/zephyr_kernel" not in graph[lower]


def test_zephyr_run_planned_before_the_build(cli, empty_zephyr_cache, monkeypatch, tmp_path):
    # cli_run_ex = plan + run, and so is the --zephyr-base path
    # (cli_run_plan_zephyr): a usage error of the run itself (here --trace
    # to a missing directory, found by cli_run_plan_make) comes before the
    # echo apps are built - the cache stays empty.
    monkeypatch.delenv("ZEPHYR_BASE", raising=False)
    trace = tmp_path / "missing" / "t.trace"
    r = cli("run", "--zephyr-base", ROOT / "tests" / "zephyr_style" / "tree", "--trace", trace)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr == f"ipc-emu: --trace: cannot write {trace}: No such file or directory\n"
    assert not list(empty_zephyr_cache.iterdir())


def test_cycle_is_named(tmp_path):
    build = objects(tmp_path, {
        "cli/a.c": "void b_f(void);\nvoid a_f(void) { b_f(); }\n",
        "cli/b.c": "void a_f(void);\nvoid b_f(void) { a_f(); }\n",
        "cli/leaf.c": "void a_f(void);\nvoid leaf_f(void) { a_f(); }\n",
    })
    r = deps(build)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        "cli/a -> cli/b",
        "cli/b -> cli/a",
        "cli/leaf -> cli/a",
        "cycle: cli/a -> cli/b -> cli/a",
    ]
    # Outside the checked layers, the same circle is not looked for.
    assert deps(build, "--layers", "src", "--quiet").returncode == 0


def test_core_reaching_out_is_named(tmp_path):
    build = objects(tmp_path, {
        "src/core.c": "void emu_f(void);\nint port_log(void);\n"
                      "void core_f(void) { emu_f(); (void)port_log(); }\n",
        "emu/y.c": "void emu_f(void) {}\n",
        "emu/port.c": "int port_log(void) { return 0; }\n",
    })
    r = deps(build, "--quiet")
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        "layer: src/core -> emu/y (emu_f): the core uses something outside src/"]
    # The port is the core's own interface: its implementation depends on it.
    assert "emu/port -> src/port" in deps(build).stdout.splitlines()


def test_core_include_outside_is_named(tmp_path):
    build = objects(tmp_path, {"src/core.c": "int core_f(void) { return 0; }\n"})
    tree = tmp_path / "src-tree"
    (tree / "src" / "core.h").write_text('#include "../emu/x.h"\n')
    r = deps(build, "--src", tree, "--quiet")
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        'layer: src/core.h:1: #include "../emu/x.h": the core includes a file outside src/']


def test_no_objects_is_a_usage_error(tmp_path):
    r = deps(tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("deps.py: no objects under ")
