"""Faults with a Zephyr-style IPC stack (`run --zephyr-base ... --kill-random`,
`stress --zephyr-base`), without a Zephyr tree: tests/zephyr_style/tree's
ICMsg has Zephyr's three unbound modes, and the echo apps of
emu/zephyr_apps resume after a restart of either side (echo_common.h)."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ZEPHYR_TREE as TREE

ROOT = Path(__file__).resolve().parent.parent

# Fixtures of conftest.py: zephyr_cache (the module's stack cache),
# empty_zephyr_cache, unbound_dts (the nRF5340 pair in each unbound mode).


@pytest.mark.parametrize("mode", ["enable", "detect"])
def test_kill_random_session_mode(cli, zephyr_cache, unbound_dts, tmp_path, mode):
    report = tmp_path / "r.json"
    r = cli("run", "--zephyr-base", TREE, "--dts", unbound_dts[mode], "--messages", "600",
            "--kill-random", "4", "--seed", "7", "--json", report, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "crashes injected 4  restarts 4  reboots 0" in r.stdout
    assert "echo-client echoed 601  streamed 600  corrupted 0  duplicated 0  lost 0" in r.stdout
    assert "echo-server echoed 601  streamed 600  corrupted 0  duplicated 0  lost 0" in r.stdout
    assert "PASS: both programs exited with status 0" in r.stdout
    j = json.loads(report.read_text())
    assert j["ok"] is True
    assert j["restarts"] == 4
    assert j["crashes_injected"] == 4
    assert j["resets"]["cycles"] == 4
    assert j["resets"]["rebonds"] == 4
    for role in ["host", "remote"]:
        z = j["zephyr_apps"][role]
        assert (z["echoed"], z["streamed"], z["corrupted"], z["duplicated"], z["lost"]) == \
            (601, 600, 0, 0, 0)
        assert z["summary"] is True
    # Every restarted program printed its "resumed" line.
    assert r.stdout.count("resumed (boot ") >= 4
    m = j["messages"]
    assert (m["corrupted"], m["duplicated"], m["lost"]) == (0, 0, 0)
    assert m["received"] == 2 * (601 + 600)


def test_kill_random_legacy_refused(cli, zephyr_cache, unbound_dts):
    expected = ('ipc-emu: run: --kill-random with --zephyr-base needs unbound = "enable" or '
                '"detect" in the DTS: in legacy mode ("disable") ICMsg has no reset protocol, '
                'so the peer of a restarted core never notices\n')
    for dts in [[], ["--dts", unbound_dts["disable"]]]:  # the built-in board is legacy too
        r = cli("run", "--zephyr-base", TREE, *dts, "--kill-random", "2")
        assert r.returncode == 2
        assert r.stderr == expected


def test_nocopy_and_endpoints_refused(cli, empty_zephyr_cache):
    r = cli("run", "--zephyr-base", TREE, "--nocopy")
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: run: --nocopy is not supported with --zephyr-base: the echo "
                        "apps run on ICMsg instance ipc0, and ICMsg has no no-copy API "
                        "(get_tx_buffer/send_nocopy) (see 'ipc-emu run --help')\n")
    r = cli("run", "--zephyr-base", TREE, "--endpoints", "2")
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: run: --endpoints is not supported with --zephyr-base: the "
                        "echo apps run on ICMsg instance ipc0, and ICMsg has one endpoint per "
                        "instance (see 'ipc-emu run --help')\n")
    assert not list(empty_zephyr_cache.iterdir())


def test_echo_stream_counts_without_kills(cli, zephyr_cache, unbound_dts, tmp_path):
    report = tmp_path / "r.json"
    r = cli("run", "--zephyr-base", TREE, "--dts", unbound_dts["disable"], "--messages", "100",
            "--json", report, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ("echo-client[host]: summary: echoed 101 streamed 100 sent 100 corrupted 0 "
            "duplicated 0 lost 0 boot 1") in r.stdout
    assert ("echo-server[remote]: summary: echoed 101 streamed 100 sent 100 corrupted 0 "
            "duplicated 0 lost 0 boot 1") in r.stdout
    assert "resumed (" not in r.stdout
    j = json.loads(report.read_text())
    assert j["zephyr_apps"]["host"]["resumed"] == 0
    assert j["restarts"] == 0


def test_stress_zephyr_base(cli, zephyr_cache, unbound_dts, tmp_path):
    """On the DTS pair (its variants are the kill tests': built once)."""
    report = tmp_path / "s.json"
    r = cli("stress", "--zephyr-base", TREE, "--dts", unbound_dts["disable"], "--cycles", "5",
            "--json", report, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    j = json.loads(report.read_text())
    assert j["ok"] is True
    assert [m["mode"] for m in j["modes"]] == ["icmsg-enable", "icmsg-detect"]
    for m in j["modes"]:
        assert (m["cycles"], m["rebonds"], m["restarts"]) == (5, 5, 5)
        assert m["sessions"] == 1  # 5 kills a session
        msgs = m["messages"]
        assert (msgs["corrupted"], msgs["duplicated"], msgs["lost"]) == (0, 0, 0)
        assert m["hangs"] == 0
    assert "echo-client" not in r.stdout  # the apps' lines are kept back


def test_stress_zephyr_base_refuses_legacy_and_icbmsg(cli, empty_zephyr_cache):
    r = cli("stress", "--zephyr-base", TREE, "--modes", "icmsg-disable")
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: stress: --modes icmsg-disable: not with --zephyr-base: legacy "
                        "ICMsg has no reset protocol, so kills cannot be recovered (see "
                        "'ipc-emu help stress')\n")
    r = cli("stress", "--zephyr-base", TREE, "--modes", "icbmsg")
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: stress: --modes icbmsg: not with --zephyr-base: the echo apps "
                        "run on ICMsg (modes icmsg-enable, icmsg-detect) (see 'ipc-emu help "
                        "stress')\n")


def test_kill_random_icbmsg_refused(cli, empty_zephyr_cache):
    r = cli("run", "--zephyr-base", TREE, "--backend", "icbmsg", "--kill-random", "2")
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: run: --kill-random with --zephyr-base runs on ICMsg only: "
                        "classic ICBMsg has no reset protocol (ipc-emu's own peers recover by "
                        "restarting both cores; the echo apps do not)\n")
    assert not list(empty_zephyr_cache.iterdir())


def test_stall_check_follows_the_timeout(cli, zephyr_cache):
    """The echo apps' stall check is half of `run --timeout` (at most 30 s),
    so a short --timeout ends with the apps' own stall report, the shim's
    events and the seed line, not a plain hang.  The CI tree's ICMsg talks
    only to itself: against ipc-emu's core (the remote) it never bonds."""
    r = cli("run", "--host-zephyr-base", TREE, "--messages", "20", "--timeout", "6", "--seed",
            "3", timeout=180)
    assert r.returncode == 1, r.stdout + r.stderr
    for app, role in (("echo-client[host]", "host"), ("echo-server[remote]", "remote")):
        assert (f"{app}: lost: no progress in 3000 ms (echo 0/21, stream sent 0 acked 0 "
                "received 0, not bound)\n") in r.stdout, r.stdout
        assert re.search(rf"^ipc-emu {role}: the last \d+ shim events \(oldest first\):$",
                         r.stderr, re.M), r.stderr
        assert (f"ipc-emu {role}: schedule coop seed 3: the program exited with status 1 "
                "(replay: ipc-emu run ... --schedule coop --seed 3)\n") in r.stderr
    assert "hang" not in r.stdout
    assert ("result      FAIL: host program exited with status 1; remote program exited "
            "with status 1; echo apps: 0 corrupted, 0 duplicated, 2 lost\n") in r.stdout


def test_log_err_and_wrn_name_the_core(cli, zephyr_cache, tmp_path):
    """LOG_WRN/LOG_ERR lines start with the core's name under `run`
    (LOG_INF keeps Zephyr's format), the event ring keeps the text without
    it, and a work queue started without a name shows in the report under
    its variable's name (tests/zephyr_userprog/log_core.c)."""
    prog = tmp_path / "log_core"
    r = cli("zephyr-build", "--no-zephyr-base", "--core", "host", "--app-src",
            ROOT / "tests" / "zephyr_userprog" / "log_core.c", "-o", prog, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    r = cli("run", "--host", prog, "--remote", prog, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    for role in ("host", "remote"):
        lines = [ln for ln in r.stdout.splitlines() if "logcore" in ln]
        assert f"{role}: <wrn> logcore: warning 1" in lines, r.stdout
        assert f"{role}: <err> logcore: from the queue 7" in lines, r.stdout
        assert re.search(rf"^ipc-emu {role}:   -\d+\.\d{{3}} ms  log_wq +LOG_ERR +<err> logcore: "
                         r"from the queue 7$", r.stderr, re.M), r.stderr
    assert [ln for ln in r.stdout.splitlines() if "<inf>" in ln] == \
        ["<inf> logcore: info line"] * 2


def test_sanitize_start_up_failure_named(cli, zephyr_cache, monkeypatch):
    """A sanitized program that its runtime stops at start-up (here ASan,
    because LD_PRELOAD puts another library first) has no report: run names
    its first error line, once per program, and keeps the logs."""
    libm = Path("/lib/x86_64-linux-gnu/libm.so.6")
    if not libm.exists():
        pytest.skip(f"{libm} missing")
    monkeypatch.setenv("LD_PRELOAD", str(libm))
    r = cli("run", "--zephyr-base", TREE, "--sanitize", "address", "--messages", "20",
            timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "peers       host exit 86, remote exit 86" in r.stdout
    kept = set()
    for role in ("host", "remote"):
        m = re.findall(rf"^ipc-emu: {role} program: exited with status 86: ==\d+==ASan runtime "
                       r"does not come first in initial library list; .* \((/tmp/ipc-emu-sanlogs"
                       rf"-[^/]+)/{role}\.stderr\)$", r.stderr, re.M)
        assert len(m) == 1, r.stderr
        kept.add(m[0])
    assert len(kept) == 1
    shutil.rmtree(kept.pop())


@pytest.mark.parametrize("role", ["host", "remote"])
def test_peer_segment_without_regions_refused(cli, role):
    """`peer --segment` with a devicetree of MBOX/IPM devices only: one
    line, exit 2, and no segment (not a 0-byte segment attempt)."""
    r = cli("peer", "--role", role, "--segment", "h13a-noregions", "--dts",
            ROOT / "tests" / "dts" / "good_no_instance.dts", "--scenario", "ipm-echo",
            timeout=30)
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: peer --segment h13a-noregions: the devicetree has no "
                        "shared-memory regions (no zephyr,ipc-icmsg or zephyr,ipc-icbmsg "
                        "instance), so a named segment has nothing to hold: run its MBOX/IPM "
                        "scenarios with `ipc-emu run`\n")
    assert not list(Path("/dev/shm").glob("h13a-noregions*"))


ASAN_BUILD_LINE = (
    "ipc-emu: run: --zephyr-base with this ipc-emu, built with -DIPC_EMU_SANITIZE=ON: its "
    "libipc_emu is AddressSanitizer-instrumented, and a Zephyr program that links it starts "
    "only with ASan's runtime first; add --sanitize address (or address,undefined), or use an "
    "ipc-emu built without IPC_EMU_SANITIZE (see 'ipc-emu run --help')\n")


def test_asan_built_ipc_emu_wants_address(cli, ipc_emu_bin, empty_zephyr_cache):
    """With an ipc-emu built with ASan (scripts/test.sh's ASan pass), a
    Zephyr-stack run without --sanitize address is one usage line: its
    programs would stop at start-up ("ASan runtime does not come first")."""
    ldd = subprocess.run(["ldd", str(ipc_emu_bin)], capture_output=True, text=True).stdout
    if "libasan" not in ldd:
        pytest.skip("ipc-emu is not built with -DIPC_EMU_SANITIZE=ON")
    for extra in [[], ["--sanitize", "undefined"]]:
        r = cli("run", "--zephyr-base", TREE, "--messages", "20", *extra)
        assert (r.returncode, r.stderr) == (2, ASAN_BUILD_LINE)
    assert not list(empty_zephyr_cache.iterdir())
