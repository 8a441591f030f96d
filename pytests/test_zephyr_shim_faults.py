"""Crash points at the Zephyr shim's boundaries, the cache model and ASan/UBSan
builds with Zephyr-stack programs (`ipc-emu run --zephyr-base`), on the CI
tree tests/zephyr_style/tree (our own Zephyr-style sources, session modes
from the DTS's `unbound` property).

The shim's points (cli/crash.c, `port_crash_point("zephyr_...")` in
emu/zephyr_*.c) sit around each mbox_send, sys_cache_data_flush_range /
_invd_range and work submission a program makes: in a Zephyr-stack program
those calls are Zephyr's IPC sources' own, in a plain user program they are
the program's (the examples/zephyr/app pair reschedules a watchdog)."""
import json
import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

from conftest import ZEPHYR_TREE as TREE, refused

ROOT = Path(__file__).resolve().parent.parent
PLANTED = ROOT / "tests" / "zephyr_style" / "planted"

SHIM_POINTS = [f"zephyr_{op}_{when}" for op in
               ["mbox_send", "cache_flush", "cache_invd", "work_submit", "work_schedule"]
               for when in ["before", "after"]]


@pytest.fixture(autouse=True)
def no_zephyr_base(monkeypatch):
    # run reads ZEPHYR_BASE when no option chooses the stack.
    monkeypatch.delenv("ZEPHYR_BASE", raising=False)


# Fixtures of conftest.py: zephyr_cache (the module's stack cache, set in
# the environment), empty_zephyr_cache, unbound_dts (the nRF5340 pair in
# each unbound mode: the crash tests run in "enable").


def run(cli, tmp_path, *args, timeout=120):
    rep = tmp_path / "r.json"
    r = cli("run", "--json", rep, *args, timeout=timeout)
    return r, (json.loads(rep.read_text()) if rep.exists() else None)


def test_shim_points_listed_and_called(cli):
    called = set()
    for f in (ROOT / "emu").glob("zephyr_*.c"):
        called |= set(re.findall(r'port_crash_point\("(zephyr_[a-z_]+)"\)', f.read_text()))
    assert called == set(SHIM_POINTS)
    res = cli("help", "run")
    assert res.returncode == 0
    listed = re.findall(r"^ {27}(zephyr_[a-z_]+)$", res.stdout, re.M)
    assert listed == SHIM_POINTS
    doc = (ROOT / "docs" / "reliability.md").read_text()
    assert set(re.findall(r"`(zephyr_[a-z_]+)`", doc)) >= set(SHIM_POINTS)


def test_shim_point_refused_for_builtin_peers(cli):
    err = refused(cli, "run", "--crash-point", "zephyr_mbox_send_before")
    assert err.startswith("ipc-emu: run: --crash-point zephyr_mbox_send_before: a point of the "
                          "Zephyr shim, hit only by --host/--remote programs and --zephyr-base "
                          "runs")
    assert len(err.splitlines()) == 1
    err = refused(cli, "peer", "--role", "host", "--segment", "x",
                  "--crash-point", "zephyr_cache_flush_after")
    assert "zephyr_cache_flush_after: a point of the Zephyr shim; the built-in peer does not " \
           "run it" in err


def test_core_point_refused_on_a_zephyr_core(cli, empty_zephyr_cache):
    err = refused(cli, "run", "--zephyr-base", TREE, "--crash-point", "pbuf_write_before_publish")
    assert err.startswith("ipc-emu: run: --crash-point pbuf_write_before_publish: a point of "
                          "ipc-emu's core, which the host (Zephyr's IPC sources) does not run; "
                          "use a zephyr_* point or arm the other core")
    assert not list(empty_zephyr_cache.iterdir())  # refused before any build


def test_crash_point_refused_in_legacy_mode(cli, empty_zephyr_cache):
    # The built-in board's ICMsg is unbound = "disable": no reset protocol.
    assert refused(cli, "run", "--zephyr-base", TREE,
                   "--crash-point", "host:zephyr_mbox_send_before") == (
        "ipc-emu: run: --crash-point with --zephyr-base needs unbound = \"enable\" or "
        "\"detect\" in the DTS: in legacy mode (\"disable\") ICMsg has no reset protocol, so "
        "the peer of a restarted core never notices\n")
    assert not list(empty_zephyr_cache.iterdir())


# Each kind at both of its boundaries, alternating roles: the killed program
# restarts, the survivor sees the session end, and both exchanges complete.
@pytest.mark.parametrize("point, role", [
    ("zephyr_mbox_send_before", "host"), ("zephyr_mbox_send_after", "remote"),
    ("zephyr_cache_flush_before", "remote"), ("zephyr_cache_flush_after", "host"),
    ("zephyr_cache_invd_before", "host"), ("zephyr_cache_invd_after", "remote"),
    ("zephyr_work_submit_before", "remote"), ("zephyr_work_submit_after", "host"),
])
def test_shim_crash_point_recovers(cli, zephyr_cache, unbound_dts, tmp_path, point, role):
    r, j = run(cli, tmp_path, "--zephyr-base", TREE, "--dts", unbound_dts["enable"],
               "--messages", "200", "--crash-point", f"{role}:{point}@30")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ipc-emu: crash point hit, killing this process" in r.stderr
    assert j["ok"] is True
    assert j["crashes_injected"] == 1 and j["restarts"] == 1
    assert j["resets"]["crash_points"] == 1 and j["resets"]["restarts_of_both"] == 0
    assert j["program_boots"] == {"host": 2 if role == "host" else 1,
                                  "remote": 2 if role == "remote" else 1}
    assert "echo-client[host]: 201 echoes matched byte for byte" in r.stdout


def test_schedule_point_in_a_plain_user_program(cli, ipc_emu_bin, tmp_path):
    """ipc-emu's core in the programs: the shim's points fire at the
    program's own calls (host.c reschedules its watchdog per reply)."""
    d = Path(ipc_emu_bin).parent / "examples" / "zephyr" / "app"
    if not (d / "host").is_file():
        pytest.skip("examples not built (-DIPC_EMU_EXAMPLES=ON)")
    rep = tmp_path / "r.json"
    r = cli("run", "--unbound", "enable", "--crash-point", "host:zephyr_work_schedule_before@3",
            "--json", rep, "--host", d / "host", "--remote", d / "remote", timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    j = json.loads(rep.read_text())
    assert j["crashes_injected"] == 1 and j["resets"]["crash_points"] == 1
    assert j["program_boots"]["host"] == 2


def test_cache_model_passes(cli, zephyr_cache, unbound_dts, monkeypatch, tmp_path):
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    r, j = run(cli, tmp_path, "--zephyr-base", TREE, "--dts", unbound_dts["enable"],
               "--messages", "300", "--cache-model")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "echo-client[host]: 301 echoes matched byte for byte" in r.stdout
    for role in ("host", "remote"):
        assert re.search(rf"ipc-emu {role}: info: attached as {role}: .*cache model, "
                         r"Zephyr's IPC stack", r.stderr), r.stderr
        m = re.search(rf"ipc-emu {role}: info: cache model: (\d+) flushes \((\d+) lines "
                      r"written back\), (\d+) invalidates", r.stderr)
        assert m and int(m[1]) > 300 and int(m[2]) > 0 and int(m[3]) > 300, r.stderr


def test_cache_model_catches_a_missing_flush(cli, zephyr_cache, unbound_dts, tmp_path):
    """The host's pbuf_write() flushes the length but not the payload
    (tests/zephyr_style/planted/no_flush.conf): coherent memory hides it,
    the cache model does not (the remote's build is the crash tests')."""
    bug = ["--zephyr-base", TREE, "--dts", unbound_dts["enable"], "--messages", "50",
           "--host-kconfig", PLANTED / "no_flush.conf"]
    r, _ = run(cli, tmp_path, *bug)
    assert r.returncode == 0, r.stdout + r.stderr
    r, j = run(cli, tmp_path, *bug, "--cache-model", "--timeout", "5")
    assert r.returncode == 1, r.stdout + r.stderr
    assert j["ok"] is False
    assert "echo-server[remote]: corrupted: a message of" in r.stdout, r.stdout


def test_sanitized_build_passes(cli, zephyr_cache, tmp_path):
    r, j = run(cli, tmp_path, "--zephyr-base", TREE, "--messages", "100",
               "--sanitize", "address,undefined", timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "sanitizer report" not in r.stderr
    assert "echo-client[host]: 101 echoes matched byte for byte" in r.stdout
    flags = [p / "flags.txt" for p in zephyr_cache.iterdir() if (p / "flags.txt").exists()]
    assert any("-fsanitize=address,undefined -fno-omit-frame-pointer "
               "-fno-sanitize-recover=all" in f.read_text() for f in flags)


@pytest.mark.parametrize("bug, report", [
    ("asan", r"SUMMARY: AddressSanitizer: heap-use-after-free \S+/lib/pbuf\.c:\d+ in pbuf_read"),
    ("ubsan", r"\S+/lib/pbuf\.c:\d+:\d+: runtime error: signed integer overflow: "
              r"\d+ \+ 2147483647 cannot be represented in type 'int'"),
])
def test_sanitizer_catches_the_planted_bug(cli, zephyr_cache, tmp_path, bug, report):
    # The bug in the host's build only; the remote's sanitized build is the
    # clean one of test_sanitized_build_passes (cached).
    r, j = run(cli, tmp_path, "--zephyr-base", TREE, "--messages", "20",
               "--sanitize", "address,undefined", "--host-kconfig", PLANTED / f"{bug}.conf",
               timeout=180)
    assert r.returncode == 1, r.stdout + r.stderr
    assert j["ok"] is False and j["peers"][0]["exit_status"] == 86
    lines = [ln for ln in r.stderr.splitlines() if "sanitizer report" in ln]
    assert len(lines) == 1, r.stderr
    assert re.fullmatch(r"ipc-emu: host program: sanitizer report: " + report +
                        r" \((/tmp/ipc-emu-sanlogs-[^/]+)/host\.\S+\)", lines[0]), lines[0]
    kept = re.search(r"\((/tmp/ipc-emu-sanlogs-[^/]+)/", lines[0])[1]
    shutil.rmtree(kept)


@pytest.mark.parametrize("args, msg", [
    (["--sanitize", "address"], "--sanitize applies to the builds of --zephyr-base runs"),
    (["--zephyr-base", TREE, "--sanitize", "thread"],
     "--sanitize wants address, undefined or address,undefined, not 'thread'"),
    (["--zephyr-base", TREE, "--sanitize", "address", "--valgrind"],
     "--sanitize and --valgrind exclude each other"),
])
def test_sanitize_usage_errors(cli, args, msg):
    err = refused(cli, "run", *args)
    assert len(err.splitlines()) == 1 and msg in err, err


def test_sanitize_is_in_the_cache_key(cli, zephyr_cache):
    # The sanitized remote of test_sanitized_build_passes is cached; the
    # same build without --sanitize is another directory.
    base = ["zephyr-build", "--zephyr-base", TREE, "--core", "remote", "--app", "echo_server",
            "--out", zephyr_cache]
    r1 = cli(*base, "--sanitize", "undefined,address")
    r2 = cli(*base)
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    (d1,) = re.findall(r"^zephyr-build: remote core: (?:built|cached) (\S+)$", r1.stdout, re.M)
    (d2,) = re.findall(r"^zephyr-build: remote core: (?:built|cached) (\S+)$", r2.stdout, re.M)
    assert d1 != d2
    assert "-fsanitize=address,undefined" in (Path(d1) / "flags.txt").read_text()
    assert "-fsanitize" not in (Path(d2) / "flags.txt").read_text()
    assert refused(cli, *base, "--sanitize", "memory") == (
        "ipc-emu: zephyr-build: --sanitize wants address, undefined or address,undefined, "
        "not 'memory'\n")
