"""`ipc-emu run --schedule coop|parallel|random [--seed S]` (emu/zephyr_sched.c)
with the CI tree (tests/zephyr_style/tree), whose legacy ICMsg calls bound()
before it marks the instance connected, as Zephyr's icmsg.c does in
`unbound = "disable"` mode: a send woken by bound() in that window gets
-EBUSY (the echo apps name it "legacy-mode bound race").

coop (one thread at a time per program) never opens the window.  random
with seed 2 opens it every time: the second boundary decision of the
"icmsg_workq" thread (its k_mutex_unlock in bound() is the first, the
k_sem_give that wakes the app's main loop the second) is a hand-off, so the
giver waits in the window until the woken main thread has sent and failed
(on either core: both run the same threads with the same seed; the first
draw, a short sleep right after bound() set the app's flag, can let the
other side's polling main loop in first).
If the tree's work handler gains boundary events before bound(), that index
moves: pick a new seed whose second draw is a hand-off (zephyr_sched.c
next_rand(): draw >> 60 in {14, 15})."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "tests" / "zephyr_style" / "tree"
RACE_SEED = 2
RACE = "-EBUSY right after bound(): the backend called bound() before it could send"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("zephyr-cache")


def run(cli, *args):
    return cli("run", "--zephyr-base", TREE, "--messages", "20", *args, timeout=180)


def test_unknown_schedule_is_a_usage_error(cli):
    r = cli("run", "--zephyr-base", TREE, "--schedule", "foo")
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: run: --schedule wants coop, parallel or random, not 'foo' "
                        "(see 'ipc-emu run --help')\n")


def test_schedule_needs_zephyr_programs(cli):
    r = cli("run", "--schedule", "random")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1
    assert "--schedule applies to Zephyr programs (--host/--remote PROG, --zephyr-base)" \
        in r.stderr


def test_help_documents_schedule(cli):
    r = cli("run", "--help")
    assert r.returncode == 0
    assert "  --schedule MODE        coop|parallel|random:" in r.stdout
    assert "(default: coop)" in r.stdout


def test_coop_hides_the_bound_race(cli, shared_cache, monkeypatch):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(shared_cache))
    for seed in range(1, 11):
        r = run(cli, "--schedule", "coop", "--seed", seed)
        assert r.returncode == 0, f"seed {seed}\n{r.stdout}\n{r.stderr}"
        assert RACE not in r.stdout
        assert "schedule coop" not in r.stderr


def test_random_reproduces_the_bound_race_and_reports_the_seed(cli, shared_cache, monkeypatch):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(shared_cache))
    for _ in range(3):  # same seed, same outcome
        r = run(cli, "--schedule", "random", "--seed", RACE_SEED)
        assert r.returncode == 1, f"{r.stdout}\n{r.stderr}"
        assert RACE in r.stdout
        # The failing program's report: its last kernel events, the work
        # queue's among them, then the seed line.
        m = re.search(r"^ipc-emu (host|remote): the last (\d+) shim events \(oldest first\):$",
                      r.stderr, re.M)
        assert m, r.stderr
        role = m.group(1)
        events = re.findall(rf"^ipc-emu {role}:   -\d+\.\d{{3}} ms  (\S+) +(.+)$", r.stderr,
                            re.M)
        assert len(events) == int(m.group(2)) and 0 < len(events) <= 48
        assert any(t == "icmsg_workq" for t, _ in events), r.stderr
        line = (f"ipc-emu {role}: schedule random seed {RACE_SEED}: the program exited "
                f"with status 1 (replay: ipc-emu run ... --schedule random --seed {RACE_SEED})")
        mine = [ln for ln in r.stderr.splitlines() if ln.startswith(f"ipc-emu {role}:")]
        assert mine[-1] == line, r.stderr


def test_coop_orders_work_queues_by_priority(cli, shared_cache, monkeypatch, tmp_path):
    """k_work_queue_start's priority reaches the coop schedule, as on one
    core of Zephyr (tests/zephyr_userprog/wq_prio.c asserts the orders):
    main (0) is preempted by the cooperative queue it submits to, not by a
    preemptible queue of a lower priority ("AMP"); a cooperative queue's
    handler is not preempted by the two queues it submits to, which then
    run higher priority first, before main ("CBAM")."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(shared_cache))
    prog = tmp_path / "wq_prio"
    r = cli("zephyr-build", "--no-zephyr-base", "--core", "host", "--app-src",
            ROOT / "tests" / "zephyr_userprog" / "wq_prio.c", "-o", prog, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    for _ in range(5):
        r = cli("run", "--host", prog, "--remote", prog, "--schedule", "coop", timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert sorted(ln for ln in r.stdout.splitlines() if ln.startswith("wq-prio")) == \
            ["wq-prio[host]: order AMP CBAM", "wq-prio[remote]: order AMP CBAM"]
