"""`ipc-emu run --trace FILE` with more than two cores (docs/multicore.md, "trace").

Every core process (each incarnation) and the supervisor record; the merged
Chrome/Perfetto JSON has one process per core, named by the core, and the
supervisor last; a core's threads are named by their link ("LINK lane 0",
"LINK link") but for its one interrupt thread ("irq", shared by its links
as the SoC segment gives each core one interrupt context), and an event of
a link names it in its args.
The port's work-queue thread is shared by all links of its core process: a
work item runs in the context of the link that submitted it, so its events
(receives, bound/unbound, doorbells) name their link too.  Counts are checked
against the run's JSON report, as the two-core trace tests do.

`--valgrind` runs every core process under memcheck: errors per core (all
its incarnations), the links touching a core with errors fail.
"""
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import NRF54H20, NRF54H20_CORES, NRF54H20_LINKS, gen_star


def traced_run(cli, tmp_path, *args):
    """run --trace --json ARGS: (exit status, report, trace)."""
    rep, tr = tmp_path / "mc.json", tmp_path / "mc.trace.json"
    res = cli("run", "--quiet", "--json", rep, "--trace", tr, *args, timeout=60)
    assert rep.exists() and tr.exists(), f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    assert list(tmp_path.glob("*.tmp-*")) == []
    return res.returncode, json.loads(rep.read_text()), json.loads(tr.read_text())


def processes(trace):
    return {e["pid"]: e["args"]["name"] for e in trace["traceEvents"]
            if e["name"] == "process_name"}


def thread_names(trace):
    """{(pid, tid): name without its " (pid N)"}"""
    return {(e["pid"], e["tid"]): e["args"]["name"].rsplit(" (pid ", 1)[0]
            for e in trace["traceEvents"] if e["name"] == "thread_name"}


def timed(trace):
    return [e for e in trace["traceEvents"] if e["ph"] != "M"]


def check_layout(rep, trace, cores):
    """Processes, thread names and the links named by events."""
    incarnations_killed = sum(c["restarts"] for c in rep["cores"])
    links = {ln["name"]: (ln["host"], ln["remote"]) for ln in rep["links"]}
    procs = processes(trace)
    assert procs == {**{i + 1: c for i, c in enumerate(cores)}, len(cores) + 1: "supervisor"}
    pid_of = {c: p for p, c in procs.items()}
    names = thread_names(trace)
    for link, ends in links.items():
        for core in ends:
            have = {n for (p, _), n in names.items() if p == pid_of[core]}
            for t in ("link", "lane 0"):
                assert f"{link} {t}" in have, (core, link, t, sorted(have))
            # One interrupt thread per core incarnation, shared by its links
            # (an incarnation killed at once may not have named it yet).
            irqs = sum(1 for (p, _), n in names.items() if p == pid_of[core] and n == "irq")
            restarts = sum(c["restarts"] for c in rep["cores"] if c["name"] == core)
            assert 1 <= irqs <= 1 + restarts, (core, irqs, restarts, sorted(have))
    for e in timed(trace):
        link = e.get("args", {}).get("link")
        if link is not None:
            assert procs[e["pid"]] in links[link], e
            name = names.get((e["pid"], e["tid"]), "")
            assert name.startswith(link + " ") or name in ("workq", "irq"), (e, name)
    other = trace["otherData"]
    assert other["dropped"] == 0
    # A thread SIGKILLed while it filled a record leaves it uncommitted.
    assert other["uncommitted"] <= 16 * incarnations_killed
    return links, pid_of


# Events that always belong to one link, whichever thread records them.
LINK_EVENTS = ("send", "receive", "bound", "unbound", "core_start", "doorbell", "mbox_send")


def check_untagged(trace, cores):
    """No core event of a link lacks its link, on the shared work queue too."""
    untagged = [e for e in timed(trace) if e["pid"] <= len(cores)
                and e["name"] in LINK_EVENTS and "link" not in e.get("args", {})]
    assert untagged == []


def check_counts(rep, trace, cores):
    """Every link's sends and receives per side equal the JSON's, on cores
    of one link and of several (the hub's work queue) alike."""
    links, pid_of = check_layout(rep, trace, cores)
    check_untagged(trace, cores)
    n_links = Counter(c for ends in links.values() for c in ends)
    assert max(n_links.values()) > 1  # a core of several links: a shared work queue
    names = thread_names(trace)
    by = Counter((e["pid"], e["name"], e.get("args", {}).get("link")) for e in timed(trace))
    on_workq = Counter((e["pid"], e["args"]["link"]) for e in timed(trace)
                       if e["name"] == "receive" and names[(e["pid"], e["tid"])] == "workq")
    for ln in rep["links"]:
        for side, core in enumerate((ln["host"], ln["remote"])):
            peer = ln["peers"][side]
            assert by[(pid_of[core], "send", ln["name"])] == peer["sent"], (ln["name"], core)
            assert by[(pid_of[core], "receive", ln["name"])] == peer["received"], (
                ln["name"], core)
            # ICMsg receives on the work queue (no --rx-in-isr).
            assert on_workq[(pid_of[core], ln["name"])] == peer["received"], (ln["name"], core)
            # Each endpoint bound once, on the work queue too.
            assert by[(pid_of[core], "bound", ln["name"])] == peer["bonds"], (ln["name"], core)


@pytest.mark.timeout(60)
def test_star3_every_core_and_link(cli, tmp_path):
    dts = gen_star(tmp_path, 3)
    st, rep, trace = traced_run(cli, tmp_path, "--dts", ",".join(map(str, dts)),
                                "--messages", "30")
    assert st == 0 and rep["ok"] is True, rep["reason"]
    cores = ["cpu0", "cpu1", "cpu2"]
    check_counts(rep, trace, cores)
    sup = [e for e in timed(trace) if e["pid"] == 4]
    assert sorted((e["name"], e["args"]["core"]) for e in sup) == sorted(
        [("spawn", c) for c in cores] + [("exit", c) for c in cores])
    assert all(e["args"]["status"] == 0 for e in sup if e["name"] == "exit")
    # Doorbells name the core they ring.
    assert {e["args"]["to"] for e in timed(trace) if e["name"] == "doorbell"
            and e.get("args", {}).get("link") is not None} == set(cores)


@pytest.mark.timeout(60)
def test_nrf54h20_every_link(cli, tmp_path):
    st, rep, trace = traced_run(cli, tmp_path, "--dts", NRF54H20, "--messages", "20")
    assert st == 0 and rep["ok"] is True, rep["reason"]
    assert [ln["name"] for ln in rep["links"]] == NRF54H20_LINKS
    check_counts(rep, trace, NRF54H20_CORES)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("topology", ["star3", "nrf54h20"])
def test_kill_random_per_core(cli, tmp_path, topology):
    if topology == "star3":
        dts, cores = ",".join(map(str, gen_star(tmp_path, 3))), ["cpu0", "cpu1", "cpu2"]
    else:
        dts, cores = NRF54H20, NRF54H20_CORES
    st, rep, trace = traced_run(cli, tmp_path, "--dts", dts, "--messages", "20",
                                "--kill-random", "2")
    assert st == 0 and rep["ok"] is True, rep["reason"]
    assert rep["kills"]["done"] == 2
    check_layout(rep, trace, cores)
    check_untagged(trace, cores)
    sup = [e for e in timed(trace) if e["pid"] == len(cores) + 1]
    for c in rep["cores"]:
        mine = [e for e in sup if e["args"]["core"] == c["name"]]
        kills = [e for e in mine if e["name"] == "crash"]
        assert [e["args"]["cause"] for e in kills] == ["kill-random"] * c["kills"], c
        assert len([e for e in mine if e["name"] == "restart"]) == c["restarts"], c
        assert len([e for e in mine if e["name"] == "spawn"]) == 1, c
        # Every incarnation started its links' cores: one core_start per link
        # and incarnation.
        pid = cores.index(c["name"]) + 1
        n_links = sum(c["name"] in (ln["host"], ln["remote"]) for ln in rep["links"])
        starts = [e for e in timed(trace) if e["pid"] == pid and e["name"] == "core_start"]
        assert len(starts) == n_links * (1 + c["restarts"]), c
        assert len({e["args"]["pid"] for e in starts}) == 1 + c["restarts"], c
    # A restart follows its kill, and the new pid is the one that starts.
    for k in (e for e in sup if e["name"] == "crash"):
        later = [e for e in sup if e["name"] == "restart" and e["ts"] >= k["ts"]
                 and e["args"]["core"] == k["args"]["core"]]
        assert later, k


@pytest.mark.timeout(30)
def test_trace_unwritable_is_usage_error(cli, tmp_path):
    dts = gen_star(tmp_path, 3)
    res = cli("run", "--quiet", "--dts", ",".join(map(str, dts)), "--trace",
              tmp_path / "no" / "t.json", timeout=30)
    assert res.returncode == 2
    assert res.stderr.startswith("ipc-emu: --trace: cannot write ")
    assert not (tmp_path / "no").exists()


# --valgrind: every core process under memcheck, as a two-core run's peers.

@pytest.mark.timeout(120)
def test_valgrind_every_core(cli, tmp_path):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    dts = gen_star(tmp_path, 3)
    rep_path = tmp_path / "vg.json"
    res = cli("run", "--dts", ",".join(map(str, dts)), "--messages", "5", "--valgrind",
              "--json", rep_path, timeout=110)
    assert res.returncode == 0, res.stdout + res.stderr
    rep = json.loads(rep_path.read_text())
    assert [(c["name"], c["valgrind_errors"]) for c in rep["cores"]] == [
        ("cpu0", 0), ("cpu1", 0), ("cpu2", 0)]
    for ln in rep["links"]:
        assert ln["valgrind"] is True
        assert [p["valgrind_errors"] for p in ln["peers"]] == [0, 0]
    assert [ln for ln in res.stdout.splitlines() if ln.startswith("  core ")] == [
        f"  core cpu{k}  pid {c['pid']}  kills 0  crashes 0  restarts 0  exit 0  "
        "valgrind errors 0" for k, c in enumerate(cores_of(res.stdout))]


def cores_of(stdout):
    return [{"pid": int(ln.split()[3])} for ln in stdout.splitlines() if ln.startswith("  core ")]


FAKE_VALGRIND = """#!/bin/sh
# Runs the program; for core cpu1 it then writes one error record into its
# log and exits 99, as memcheck does with --error-exitcode=99.
log=""
while [ $# -gt 0 ]; do
  case "$1" in --log-file=*) log="${1#--log-file=}";; -*) ;; *) break;; esac
  shift
done
"$@"; st=$?
case " $* " in *" --name cpu1 "*)
  f=$(printf '%s' "$log" | sed "s/%p/$$/")
  printf '==%s== Invalid read of size 4\\n==%s==    at 0x1: main\\n==%s== \\n' $$ $$ $$ > "$f"
  exit 99;;
esac
exit $st
"""


@pytest.mark.timeout(60)
def test_valgrind_errors_per_core(cli, tmp_path, monkeypatch):
    """A core's valgrind errors are its own: counted from its logs, the links
    touching it fail, the logs are kept and the run fails."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "valgrind"
    fake.write_text(FAKE_VALGRIND)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    dts = gen_star(tmp_path, 3)
    rep_path = tmp_path / "vg.json"
    res = cli("run", "--quiet", "--dts", ",".join(map(str, dts)), "--messages", "5",
              "--valgrind", "--json", rep_path, timeout=50)
    kept = [ln.split(" kept in ", 1)[1] for ln in res.stderr.splitlines()
            if ln.startswith("ipc-emu: valgrind logs kept in ")]
    try:
        assert res.returncode == 1, res.stderr
        rep = json.loads(rep_path.read_text())
        assert [(c["name"], c["valgrind_errors"], c["exit_status"]) for c in rep["cores"]] == [
            ("cpu0", 0, 0), ("cpu1", 1, 99), ("cpu2", 0, 0)]
        by = {ln["name"]: ln for ln in rep["links"]}
        assert by["cpu0-cpu1.ipc_cpu1"]["ok"] is False
        assert "remote peer: 1 valgrind errors" in by["cpu0-cpu1.ipc_cpu1"]["reason"]
        assert by["cpu0-cpu2.ipc_cpu2"]["ok"] is True
        assert len(kept) == 1 and kept[0].startswith("/tmp/ipc-emu-vglogs-")
        logs = sorted(p.name for p in Path(kept[0]).iterdir())
        assert len(logs) == 1 and logs[0].startswith("vg-cpu1-")
    finally:
        for d in kept:
            shutil.rmtree(d, ignore_errors=True)
