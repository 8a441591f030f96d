"""Programs on Zephyr's own IPC sources on the cores of a multi-core SoC
(docs/multicore.md, "Your own programs"): each core's program is built by
`ipc-emu zephyr-build --app-src` against tests/zephyr_style/tree (a tree laid
out like Zephyr's, our own code; it talks only to itself) for that core's
devicetree, and run with `--core-prog`.  The SoC image is mapped at its
devicetree addresses in each program, and the one MBOX device of a core's
controller node hands each channel to the link that has it.

The examples' app.c and echo.c are the programs: the hub pings both of its
links, the two leaves echo.
"""
import json
import re
from pathlib import Path

import pytest

from conftest import ZEPHYR_TREE, gen_star

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "nrf54h20" / "zephyr" / "app.c"
ECHO = ROOT / "examples" / "nrf54h20" / "zephyr" / "echo.c"


@pytest.fixture
def star3(cli, tmp_path, zephyr_cache):
    """A 3-core ICMsg star and one Zephyr-stack program per core."""
    dts = gen_star(tmp_path, 3)
    progs = []
    for i, d in enumerate(dts):
        out = tmp_path / f"cpu{i}"
        r = cli("zephyr-build", "--zephyr-base", ZEPHYR_TREE, "--core", "host", "--dts", d,
                "--app-src", APP if i == 0 else ECHO, "-o", out, "--quiet", timeout=300)
        assert r.returncode == 0, r.stderr
        progs.append(str(out))
    return dts, progs


def core_progs(progs):
    out = []
    for i, p in enumerate(progs):
        out += ["--core-prog", f"cpu{i}={p}"]
    return out


@pytest.mark.timeout(600)
@pytest.mark.parametrize("doorbell", ["futex", "eventfd"])
def test_zephyr_stack_on_every_core(cli, star3, tmp_path, monkeypatch, doorbell):
    """Every core on the tree's stack: both links of the hub carry their 50
    echoes; each program says it runs Zephyr's IPC stack on the SoC segment,
    and which of its links it serves in which role."""
    dts, progs = star3
    js = tmp_path / "r.json"
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    r = cli("run", "--dts", ",".join(map(str, dts)), *core_progs(progs), "--doorbell", doorbell,
            "--json", js, timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "app: 50 messages echoed on each of 2 links\n" in r.stdout
    assert r.stdout.count("<inf> echo: echoed on 1 links\n") == 2
    doc = json.loads(js.read_text())
    assert doc["ok"] is True and doc["scenario"] == "user-programs"
    assert [c["exit_status"] for c in doc["cores"]] == [0, 0, 0]
    assert [k["name"] for k in doc["links"]] == ["cpu0-cpu1.ipc_cpu1", "cpu0-cpu2.ipc_cpu2"]
    lines = {m.group(1): m.group(0) for m in
             re.finditer(r"^ipc-emu (cpu\d): info: attached as core \1: .*$", r.stderr, re.M)}
    assert sorted(lines) == ["cpu0", "cpu1", "cpu2"]
    for i in range(3):
        assert re.fullmatch(
            rf"ipc-emu cpu{i}: info: attached as core cpu{i}: {re.escape(str(dts[i]))}, SoC "
            rf"segment ipc-emu-\d+-soc\d+ \({doorbell} doorbells\), Zephyr's IPC stack, links "
            + ("ipc_cpu1 \\(host\\), ipc_cpu2 \\(host\\)" if i == 0 else
               f"ipc_cpu{i} \\(remote\\)"), lines[f"cpu{i}"]), lines[f"cpu{i}"]
