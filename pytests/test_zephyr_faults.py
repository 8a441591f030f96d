"""Faults with a Zephyr-style IPC stack (`run --zephyr-base ... --kill-random`,
`stress --zephyr-base`), without a Zephyr tree: tests/zephyr_style/tree's
ICMsg has Zephyr's three unbound modes, and the echo apps of
emu/zephyr_apps resume after a restart of either side (echo_common.h)."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "tests" / "zephyr_style" / "tree"
BOARDS = [ROOT / "examples" / "nrf5340dk_cpuapp.dts", ROOT / "examples" / "nrf5340dk_cpunet.dts"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("zephyr-cache")


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    """The nRF5340 DTS pair in each unbound mode, as --dts values."""
    d = tmp_path_factory.mktemp("dts")
    out = {}
    for mode in ["disable", "enable", "detect"]:
        files = []
        for board in BOARDS:
            f = d / f"{board.stem}-{mode}.dts"
            f.write_text(board.read_text().replace('unbound = "disable"', f'unbound = "{mode}"'))
            files.append(str(f))
        out[mode] = ",".join(files)
    return out


@pytest.mark.parametrize("mode", ["enable", "detect"])
def test_kill_random_session_mode(cli, cache, pairs, monkeypatch, tmp_path, mode):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    report = tmp_path / "r.json"
    r = cli("run", "--zephyr-base", TREE, "--dts", pairs[mode], "--messages", "600",
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


def test_kill_random_legacy_refused(cli, cache, pairs, monkeypatch):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    expected = ('ipc-emu: run: --kill-random with --zephyr-base needs unbound = "enable" or '
                '"detect" in the DTS: in legacy mode ("disable") ICMsg has no reset protocol, '
                'so the peer of a restarted core never notices\n')
    for dts in [[], ["--dts", pairs["disable"]]]:  # the built-in board is legacy too
        r = cli("run", "--zephyr-base", TREE, *dts, "--kill-random", "2")
        assert r.returncode == 2
        assert r.stderr == expected


def test_nocopy_and_endpoints_refused(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(tmp_path))
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
    assert not list(tmp_path.iterdir())


def test_echo_stream_counts_without_kills(cli, cache, pairs, monkeypatch, tmp_path):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    report = tmp_path / "r.json"
    r = cli("run", "--zephyr-base", TREE, "--dts", pairs["disable"], "--messages", "100",
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


def test_stress_zephyr_base(cli, cache, pairs, monkeypatch, tmp_path):
    """On the DTS pair (its variants are the kill tests': built once)."""
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(cache))
    report = tmp_path / "s.json"
    r = cli("stress", "--zephyr-base", TREE, "--dts", pairs["disable"], "--cycles", "5",
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


def test_stress_zephyr_base_refuses_legacy_and_icbmsg(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(tmp_path))
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


def test_kill_random_icbmsg_refused(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("IPC_EMU_ZEPHYR_CACHE", str(tmp_path))
    r = cli("run", "--zephyr-base", TREE, "--backend", "icbmsg", "--kill-random", "2")
    assert r.returncode == 2
    assert r.stderr == ("ipc-emu: run: --kill-random with --zephyr-base runs on ICMsg only: "
                        "classic ICBMsg has no reset protocol (ipc-emu's own peers recover by "
                        "restarting both cores; the echo apps do not)\n")
    assert not list(tmp_path.iterdir())
