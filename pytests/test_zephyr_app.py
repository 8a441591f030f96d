"""The firmware-shaped pair of examples/zephyr/app/ (k_timer, k_work and a
delayable watchdog, a K_MSGQ_DEFINE queue feeding a K_THREAD_DEFINE
consumer, atomics, compile-time devicetree and Kconfig) under
`ipc-emu run --host ... --remote ... --unbound enable|detect`.

What one run shows, line by line (each program's lines in its own order;
the two programs' lines interleave as they are forwarded):

* the host's k_timer paces ten requests; its expiry function runs in ISR
  context every time (k_is_in_isr(), counted with atomics);
* the remote answers requests 1..5, then resets itself with sys_reboot() on
  request 6 without answering it: exactly one reboot of the remote in the
  report, no crash, no restart;
* the host's watchdog (a k_work_delayable rescheduled by every reply) fires
  exactly once during that silence: after reply 5, at least WATCHDOG_MS
  after the last message and before the remote is back (unbound()).  A
  round trip slower than WATCHDOG_MS (a loaded machine) trips it elsewhere
  too; such an expiry is checked (silence >= WATCHDOG_MS, the request then
  outstanding, counted in the summary), not forbidden;
* the host registers its endpoint again, resends request 6, and gets
  replies 6..10 and the BYE reply 11: every number answered exactly once,
  in order (rx_work, on the system work queue, handled all 11 replies in
  thread context).

What is guaranteed: ICMsg delivers in order and without duplicates within
a session; what is in flight when a core resets is lost (the session check
drops it, or the send is discarded while disconnected).  The pair's
stop-and-wait protocol (one request outstanding, resent after the rebind)
turns that into exactly-once, in-order answers as seen by the host; the
remote may handle the request it held at its reset again in its next boot
(here request 6 is received in boot 1 and answered in boot 2).
"""
import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

WATCHDOG_MS = 400        # host.c
RESTART_DELAY_MS = 1200  # remote.c
MSG_COUNT = 10          # host.c

WATCHDOG = re.compile(r"host: watchdog: no message from the remote for (\d+) ms "
                      rf"\(limit {WATCHDOG_MS} ms\), request (\d+) unanswered")

HOST = (
    [re.escape("<inf> host: app started: ipc0 tx-region 16384 bytes, rx-region 16384 bytes, "
               f"tick 20 ms, watchdog {WATCHDOG_MS} ms"),
     re.escape("<inf> host: Ep bounded")]
    + [re.escape(f"host: reply {n}") for n in range(1, 6)]
    + ["WATCHDOG 6",
       re.escape("<inf> host: Ep unbounded"),
       re.escape("<inf> host: Ep bounded"),
       re.escape("host: resending request 6")]
    + [re.escape(f"host: reply {n}") for n in range(6, MSG_COUNT + 1)]
    + [re.escape("host: bye"),
       re.escape(f"host: reply {MSG_COUNT + 1}"),
       re.escape(f"host: {MSG_COUNT + 1} replies in order, 0 duplicates, 0 unexpected, "
                 "0 overflows"),
       r"host: timer: (?P<ticks>\d+) expiries in ISR context, 0 in thread context",
       re.escape(f"host: rx work: {MSG_COUNT + 1} messages handled in thread context, "
                 "0 in ISR context"),
       r"host: watchdog: (?P<expiries>\d+) expiries",
       re.escape("<inf> host: app ended: ok")])

REMOTE_BOOT1 = (["<inf> remote: app started: boot 1", "<inf> remote: Ep bounded"]
                + [f"remote: request {n}" for n in range(1, 6)]
                + ["remote: request 6: rebooting after 5 requests"])
REMOTE_BOOT2 = (["<inf> remote: app started: boot 2", "<inf> remote: Ep bounded"]
                + [f"remote: request {n}" for n in range(6, MSG_COUNT + 1)]
                + [f"remote: bye (request {MSG_COUNT + 1})",
                   "remote: boot 2 answered 5 requests, 0 out of order, 0 bad, 0 overflows",
                   "<inf> remote: app ended: ok"])


@pytest.fixture(scope="module")
def pair(ipc_emu_bin):
    d = Path(ipc_emu_bin).parent / "examples" / "zephyr" / "app"
    host, remote = d / "host", d / "remote"
    if not (host.is_file() and remote.is_file()):
        pytest.fail(f"pair 'app' not built in {d} (configure with -DIPC_EMU_EXAMPLES=ON)")
    return str(host), str(remote)


def run(cli, pair, tmp_path, *opts, timeout=60):
    host, remote = pair
    rep = tmp_path / "r.json"
    r = cli("run", *opts, "--json", rep, "--host", host, "--remote", remote, timeout=timeout)
    report = json.loads(rep.read_text()) if rep.exists() else None
    return r, report


def lines_of(out, who):
    rx = re.compile(rf"^(<inf> |<err> |<wrn> )?{who}: ")
    return [ln for ln in out.splitlines() if rx.match(ln)]


def check_host(lines, out):
    """The host's lines, exactly, with the watchdog's expiries checked apart.

    The expiry during the remote's reset is part of the exact sequence
    (marked "WATCHDOG 6"): exactly one, reporting request 6, at least
    WATCHDOG_MS after the last message and before unbound() (the remote
    stays away RESTART_DELAY_MS).  On a loaded machine a slow round trip
    can trip the watchdog elsewhere too (a timeout cannot tell slow from
    dead); such an expiry must still report WATCHDOG_MS of silence and the
    request then outstanding, and the final count must include it."""
    expiries = []
    rest = []
    last_reply = 0
    for line in lines:
        m = WATCHDOG.fullmatch(line)
        if m:
            quiet, request = int(m.group(1)), int(m.group(2))
            assert quiet >= WATCHDOG_MS, out
            assert request == last_reply + 1, out
            expiries.append(request)
            if request == 6 and "WATCHDOG 6" not in rest:
                rest.append("WATCHDOG 6")
            continue
        m = re.fullmatch(r"host: reply (\d+)", line)
        if m:
            last_reply = int(m.group(1))
        rest.append(line)
    assert len(rest) == len(HOST), out
    found = {}
    for line, pattern in zip(rest, HOST):
        if pattern == "WATCHDOG 6":
            assert line == pattern, out
            continue
        m = re.fullmatch(pattern, line)
        assert m, f"{line!r} does not match {pattern!r}\n{out}"
        found.update({k: int(v) for k, v in m.groupdict().items()})
    # Exactly one expiry while the remote was away: between reply 5 and
    # unbound() no message re-arms the watchdog.
    window = lines[lines.index("host: reply 5") + 1:lines.index("<inf> host: Ep unbounded")]
    assert [ln for ln in window if WATCHDOG.fullmatch(ln)] == [
        ln for ln in window if ln.startswith("host: watchdog:")], out
    assert len([ln for ln in window if WATCHDOG.fullmatch(ln)]) == 1, out
    assert found["expiries"] == len(expiries), out
    # One expiry per request sent at least (BYE included).
    assert found["ticks"] >= MSG_COUNT + 1, out
    return found


def check_report(j, boots_host=1, crashes=0, restarts=0):
    assert j["ok"] is True
    assert j["scenario"] == "user-programs"
    assert j["reboots"] == 1
    assert j["program_reboots"] == {"host": 0, "remote": 1}
    assert j["program_boots"] == {"host": boots_host, "remote": 2}
    assert j["crashes_injected"] == crashes and j["restarts"] == restarts
    assert [(p["role"], p["exit_status"]) for p in j["peers"]] == [("host", 0), ("remote", 0)]
    assert j["leaks"] == {"shm_objects": 0, "processes": 0}


@pytest.mark.parametrize("opts", [("--unbound", "enable"), ("--unbound", "detect"),
                                  ("--unbound", "detect", "--rx-in-isr"),
                                  ("--unbound", "enable", "--doorbell", "eventfd")],
                         ids=["enable", "detect", "detect-rx-in-isr", "enable-eventfd"])
def test_remote_reboot_watchdog_and_rebind(cli, pair, tmp_path, opts):
    r, j = run(cli, pair, tmp_path, *opts)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr == ""
    check_host(lines_of(r.stdout, "host"), r.stdout)
    assert lines_of(r.stdout, "remote") == REMOTE_BOOT1 + REMOTE_BOOT2, r.stdout
    assert "crashes injected 0  restarts 0  reboots 1" in r.stdout
    assert "PASS: both programs exited with status 0" in r.stdout
    check_report(j)


def test_host_crash_in_a_send_is_survived(cli, pair, tmp_path):
    """The host dies while sending request 3 (written, not signalled): the
    remote sees unbound(), registers again and starts a new host session
    (its reboot counts requests per session), and the restarted host's
    whole exchange, the remote's reboot included, is as without the crash."""
    r, j = run(cli, pair, tmp_path, "--unbound", "enable", "--crash-point",
               "host:icmsg_send_before_signal@3")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr == "ipc-emu: crash point hit, killing this process\n"
    host = lines_of(r.stdout, "host")
    restart = [i for i, ln in enumerate(host) if ln.startswith("<inf> host: app started")]
    assert len(restart) == 2, r.stdout
    assert [ln for ln in host[:restart[1]] if not WATCHDOG.fullmatch(ln)] == ["<inf> host: app started: ipc0 tx-region 16384 bytes, rx-region 16384 "
                        f"bytes, tick 20 ms, watchdog {WATCHDOG_MS} ms",
                        "<inf> host: Ep bounded", "host: reply 1", "host: reply 2"], r.stdout
    check_host(host[restart[1]:], r.stdout)
    assert lines_of(r.stdout, "remote") == (
        REMOTE_BOOT1[:2] + ["remote: request 1", "remote: request 2",
                            "<inf> remote: Ep unbounded", "<inf> remote: Ep bounded"]
        + REMOTE_BOOT1[2:] + REMOTE_BOOT2), r.stdout
    check_report(j, boots_host=2, crashes=1, restarts=1)


@pytest.mark.parametrize("seed", [1, 17])
def test_host_kills_are_survived(cli, pair, tmp_path, seed):
    """Three timed kills of the host (early in the run, wherever its
    program is then): its last incarnation runs the whole exchange as in a
    run without kills; the remote reboots exactly once."""
    r, j = run(cli, pair, tmp_path, "--unbound", "enable", "--kill-random", "3",
               "--kill-role", "host", "--seed", seed, "--timeout", "30")
    assert r.returncode == 0, r.stdout + r.stderr
    host = lines_of(r.stdout, "host")
    starts = [i for i, ln in enumerate(host) if ln.startswith("<inf> host: app started")]
    assert 1 <= len(starts) <= 4, r.stdout
    check_host(host[starts[-1]:], r.stdout)
    remote = lines_of(r.stdout, "remote")
    assert remote.count("<inf> remote: app started: boot 1") == 1
    boot2 = remote.index("<inf> remote: app started: boot 2")
    assert remote[boot2:] == REMOTE_BOOT2, r.stdout
    # The last session of boot 1: requests 1..5 answered, 6 ends the boot.
    assert remote[boot2 - 6:boot2] == REMOTE_BOOT1[2:], r.stdout
    assert "crashes injected 3  restarts 3  reboots 1" in r.stdout
    check_report(j, boots_host=4, crashes=3, restarts=3)


REMOTE_DONE = re.compile(r"remote: boot (\d+) answered (\d+) requests, 0 out of order, 0 bad, "
                         r"0 overflows")


@pytest.mark.parametrize("role", ["remote", "any"])
@pytest.mark.parametrize("seed", [1, 17])
def test_remote_and_any_kills_are_survived(cli, pair, tmp_path, role, seed):
    """Three timed kills of the remote (or of either program): the pair
    rebinds after each restart and the host still gets its 11 replies in
    order, once each.  The remote reboots itself only in boot 1, so a kill
    during boot 1 before request 6 leaves 0 reboots, a later one 1; every
    restart and reboot is a boot of its program in the report."""
    r, j = run(cli, pair, tmp_path, "--unbound", "enable", "--kill-random", "3",
               "--kill-role", role, "--seed", seed, "--timeout", "30")
    assert r.returncode == 0, r.stdout + r.stderr
    host = lines_of(r.stdout, "host")
    assert host[-1] == "<inf> host: app ended: ok", r.stdout
    assert host.count(f"host: {MSG_COUNT + 1} replies in order, 0 duplicates, 0 unexpected, "
                      "0 overflows") == 1, r.stdout
    remote = lines_of(r.stdout, "remote")
    assert remote[-1] == "<inf> remote: app ended: ok", r.stdout
    done = [REMOTE_DONE.fullmatch(ln) for ln in remote]
    done = [m for m in done if m]
    assert len(done) == 1, r.stdout
    assert j["ok"] is True and j["scenario"] == "user-programs"
    assert j["crashes_injected"] == 3 and j["restarts"] == 3
    reboots = j["program_reboots"]
    assert reboots["host"] == 0 and reboots["remote"] in (0, 1), j
    assert j["reboots"] == reboots["remote"]
    boots = j["program_boots"]
    assert int(done[0].group(1)) == boots["remote"], r.stdout
    assert boots["host"] + boots["remote"] == 2 + 3 + reboots["remote"], j
    if role == "remote":
        assert boots["host"] == 1, j
    assert f"crashes injected 3  restarts 3  reboots {reboots['remote']}" in r.stdout
    assert [(p["role"], p["exit_status"]) for p in j["peers"]] == [("host", 0), ("remote", 0)]
    assert j["leaks"] == {"shm_objects": 0, "processes": 0}


@pytest.mark.valgrind
@pytest.mark.timeout(300)
def test_valgrind_clean(cli, pair, tmp_path):
    r, j = run(cli, pair, tmp_path, "--unbound", "detect", "--valgrind", timeout=280)
    if r.returncode == 77:
        pytest.skip("valgrind not installed")
    assert r.returncode == 0, r.stdout + r.stderr
    assert [p["valgrind_errors"] for p in j["peers"]] == [0, 0]
    check_host(lines_of(r.stdout, "host"), r.stdout)
    assert lines_of(r.stdout, "remote") == REMOTE_BOOT1 + REMOTE_BOOT2, r.stdout
    check_report(j)
