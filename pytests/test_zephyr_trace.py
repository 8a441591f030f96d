"""`ipc-emu run --trace` and `ipc-emu inspect` on Zephyr's stack.

The shim events that a Zephyr program keeps for its failure report
(emu/zephyr_sched.c: k_sem_give, work handler, interrupt, ...) also go to
the run's trace as EMU_TRACE_SHIM records (emu/trace.h), merged into the
Chrome trace JSON as instant events of category "zephyr", named as in the
report, with the thread as the report names it.  The CI tree
(tests/zephyr_style/tree) stands in for a Zephyr tree.

inspect: the CI tree's own ICMsg (lib/icmsg.c) keeps its rings in a format
of its own, not Zephyr's pbuf, so inspect cannot decode its ipc0 (with
Zephyr's icmsg.c and pbuf.c it can: docs/zephyr-sources.md).  Its classic
ICBMsg control rings are in Zephyr's pbuf format: the live segment of a
`run --zephyr-base TREE --backend icbmsg` (32-bit cores) decodes, and so
does a RAM dump of it copied from the run's memory object."""
import json
import os
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from conftest import ZEPHYR_TREE as TREE

REPORT = re.compile(r"^ipc-emu (host|remote):   -[0-9.]+ ms  (.{15}) (\S+(?: \S+)?)", re.M)

PLANTED = r"""
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

LOG_MODULE_REGISTER(planted, LOG_LEVEL_INF);

static K_SEM_DEFINE(sem, 0, 1);

int main(void)
{
	k_sem_give(&sem);
	(void)k_sem_take(&sem, K_NO_WAIT);
	(void)k_sem_take(&sem, K_NO_WAIT);
	LOG_ERR("planted failure %d, a message longer than sixteen bytes", 42);
	return 1;
}
"""


@pytest.fixture(scope="module")
def m32(ipc_emu_bin):
    if not (Path(ipc_emu_bin).parent / "m32" / "libipc_emu.so").exists():
        pytest.skip("no 32-bit runtime built (scripts/install-deps.sh, then rebuild)")
    return True


@pytest.fixture(autouse=True)
def own_cache(monkeypatch, zephyr_cache):
    """Each test builds into the module's cache (conftest: zephyr_cache)."""
    monkeypatch.delenv("ZEPHYR_BASE", raising=False)


def load(path):
    doc = json.loads(Path(path).read_text())
    events = doc["traceEvents"]
    written = [e for e in events if e["name"] not in ("process_name", "process_sort_index")]
    assert doc["otherData"]["events"] == len(written)
    assert doc["otherData"]["dropped"] == 0 and doc["otherData"]["uncommitted"] == 0
    return events


def thread_names(events):
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in events
            if e["name"] == "thread_name"}


def shim(events, pid):
    return [e for e in events if e.get("cat") == "zephyr" and e["pid"] == pid]


def test_trace_has_the_shim_events_of_both_cores(cli, tmp_path):
    trace = tmp_path / "t.json"
    r = cli("run", "--zephyr-base", TREE, "--trace", trace, "--messages", "20", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    events = load(trace)
    names = thread_names(events)
    for pid in (1, 2):  # host, remote
        ev = shim(events, pid)
        seen = {(e["name"], e["args"]["thread"]) for e in ev}
        for want in [("thread start", "main"), ("thread start", "icmsg_workq"),
                     ("k_sem_give", "icmsg_workq"), ("k_sem_take", "main"),
                     ("k_mutex_lock", "main"), ("k_mutex_unlock", "main"),
                     ("work handler", "icmsg_workq"), ("work done", "icmsg_workq"),
                     ("interrupt", "(interrupt)"), ("k_work_submit", "(interrupt)")]:
            assert want in seen, (pid, want, sorted(seen))
        for e in ev:
            assert e["ph"] == "i" and e["s"] == "t"
            name = names[(pid, e["tid"])]
            if e["args"]["thread"] == "(interrupt)":
                assert name.startswith("irq (pid "), name
            else:  # the trace's thread is the one the report names
                assert name.startswith(e["args"]["thread"] + " (pid "), (name, e)
        start = {e["args"]["thread"]: e["args"]["prio"] for e in ev if e["name"] == "thread start"}
        assert start == {"main": 0, "icmsg_workq": -1}
        # The semaphore bound() gives is the one main takes, by address.
        gives = {e["args"]["obj"] for e in ev if e["name"] == "k_sem_give"}
        takes = {e["args"]["obj"] for e in ev if e["name"] == "k_sem_take"}
        assert gives and gives <= takes
        assert all(re.fullmatch(r"0x[0-9a-f]+", o) for o in gives)
        rets = {e["args"]["ret"] for e in ev if e["name"] == "k_sem_take"}
        assert 0 in rets and rets <= {0, -11, -16}, rets  # taken, -EAGAIN, -EBUSY
        # Interrupt work submissions: 0 (queued) or 1 (already queued).
        subs = [e["args"]["ret"] for e in ev if e["name"] == "k_work_submit"
                and e["args"]["thread"] == "(interrupt)"]
        assert subs and set(subs) <= {0, 1, 2}
        # Each work item's handler starts after an interrupt (or main's
        # first submission) and is followed by its "work done".
        runs = [e for e in ev if e["name"] == "work handler"]
        dones = [e for e in ev if e["name"] == "work done"]
        assert len(runs) == len(dones) >= 2
        assert all(a["ts"] <= b["ts"] for a, b in zip(runs, dones))


def test_trace_of_built_in_peers_has_no_shim_events(cli, tmp_path):
    trace = tmp_path / "t.json"
    r = cli("run", "--messages", "20", "--trace", trace, "--quiet", timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    events = load(trace)
    assert [e for e in events if e["name"] == "send"]
    assert not [e for e in events if e.get("cat") == "zephyr"]


def test_trace_log_err_text_and_the_report_agree(cli, tmp_path):
    """A program of one's own (against ipc-emu's core): its LOG_ERR text is
    in the trace (in 16-byte pieces, up to 64 bytes), and the report it
    prints on failure lists the same events as the trace."""
    src = tmp_path / "planted.c"
    src.write_text(PLANTED)
    prog = tmp_path / "planted"
    r = cli("zephyr-build", "--no-zephyr-base", "--core", "host", "--app-src", src, "-o", prog,
            timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    trace = tmp_path / "t.json"
    r = cli("run", "--host", prog, "--remote", prog, "--trace", trace, "--schedule", "coop",
            "--seed", "7", timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    events = load(trace)
    for role, pid in (("host", 1), ("remote", 2)):
        ev = [e for e in shim(events, pid) if e["args"]["thread"] == "main"]
        assert [e["name"] for e in ev] == ["thread start", "k_sem_give", "k_sem_take",
                                           "k_sem_take", "LOG_ERR", "thread end"][:len(ev)]
        assert [e["args"].get("ret") for e in ev[2:4]] == [0, -16]  # -EBUSY: K_NO_WAIT
        log = ev[4]["args"]
        assert "obj" not in log
        assert log["text"] == ("<err> planted: planted failure 42, a message longer than "
                               "sixteen bytes")[:64], log
        assert ev[1]["args"]["obj"] == ev[2]["args"]["obj"] == ev[3]["args"]["obj"]
        # The report of this program: the same main-thread events, in order.
        rep = [(m.group(2).rstrip(), m.group(3).split(" 0x")[0].strip())
               for m in REPORT.finditer(r.stderr) if m.group(1) == role]
        rep_main = [n for t, n in rep if t == "main"]
        assert rep_main[:5] == [e["name"] for e in ev][:5], (rep, r.stderr)
        assert (f"ipc-emu {role}: schedule coop seed 7: the program exited with status 1 "
                "(replay: ipc-emu run ... --schedule coop --seed 7)") in r.stderr


def region(inst, name):
    return next(g for g in inst["regions"] if g["name"] == name)


def mem_fd(pid):
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/dev/shm/ipc-emu-") and target.split(" ")[0].endswith("-mem"):
            return f"/proc/{pid}/fd/{fd}"
    return None


@pytest.mark.timeout(120)
def test_inspect_live_and_dump_of_a_zephyr_stack_run(cli, tmp_path, m32):
    """The tree's classic ICBMsg (32-bit cores) under `run`: inspect --pid
    decodes the live segment (control rings in pbuf format, the 32-bit
    layout), and a copy of the memory object decodes as a RAM dump."""
    p = cli.start("run", "--zephyr-base", TREE, "--backend", "icbmsg", "--messages", "1000000",
                  "--timeout", "100", "--quiet")
    try:
        doc = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and p.poll() is None:
            # classic named, as for any classic tree: a live classic image
            # can read as consistent v2 for a moment (the guess is for dumps)
            r = cli("inspect", "--json", "--pid", p.pid, "--instance", "ipc1",
                    "--icbmsg-version", "classic", timeout=30)
            if r.returncode == 0:
                d = json.loads(r.stdout)
                rx = region(d["instances"][0], "rx-region")
                if all(d["mailbox"][x]["boot_count"] == 1 for x in ("host", "remote")) \
                        and rx["ring"]["wr_idx"] > 20:
                    doc = d
                    break
            time.sleep(0.2)
        assert doc, "the run's segment was never seen bonded"
        assert doc["ok"] is True and doc["problems"] == []
        inst = doc["instances"][0]
        assert inst["label"] == "ipc1" and inst["initiator"] == "remote"
        # The remote's region, in the 32-bit layout (64 bits: 520 and 660).
        layout = region(inst, "rx-region")["layout"]
        assert (layout["icmsg_size"], layout["block_size"], layout["block_count"]) == \
            (352, 668, 24)
        fd = mem_fd(p.pid)
        assert fd, os.listdir(f"/proc/{p.pid}/fd")
        dump = tmp_path / "ram.bin"
        peers = [doc["mailbox"][x]["pid"] for x in ("host", "remote")]
        for pid in peers:  # a still image: the peers are frozen while it is copied
            os.kill(pid, signal.SIGSTOP)
        try:
            shutil.copyfile(fd, dump)
        finally:
            for pid in peers:
                os.kill(pid, signal.SIGCONT)
        r = cli("inspect", "--dump", dump, "--instance", "ipc1", timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "roles     remote initiates endpoint binding" in r.stdout
        assert ("layout    control ring 352 bytes at +0x0; 24 blocks of 668 bytes at "
                "0x2007c160") in r.stdout
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=30)
