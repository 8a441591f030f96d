"""ICBMsg v2 is the default on every path of ipc-emu's core (issue 14 section
2): the Python harness, `peer --scenario echo-server`, user programs under
`run --host/--remote`, `check`; classic stays selectable on each.  Classic
and v2 never bond, so "bonds and echoes across an explicit v2 side" proves
a default of v2, and the classic-side checks prove classic still works."""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import ipc_emu  # noqa: E402
from ipc_emu import _native as native  # noqa: E402
from conftest import build_cache_rr_pair  # noqa: E402

HINT = ("/ipc/ipc1 (ipc1) runs ICBMsg v2, the default, and its peer classic ICBMsg (Zephyr "
        "v4.4 and earlier): choose classic with --icbmsg-version classic or "
        "ipc-emu,icbmsg-version = \"classic\"")


def echo(ep, n=20):
    ep.wait_bound(timeout=10)
    for i in range(n):
        data = bytes([i]) * (i + 1)
        ep.send(data)
        assert ep.recv(timeout=5) == data


def start_pair(cli, harness_version, peer_args):
    """This process's core on `harness_version`, the echo server with
    `peer_args` (no --icbmsg-version: its default)."""
    pair = ipc_emu.Pair(backend="icbmsg", cli=cli, remote_args=peer_args, start=False)
    h = pair.harness
    pair.segment = h.create_segment(None, "futex")
    h.unlink()
    h.start("host", icbmsg_version=harness_version)
    fds = list(h.fds())
    pair.remote = ipc_emu.pair.RemotePeer(pair._remote_argv(fds), [f for f in fds if f >= 0])
    pair.remote.start()
    return pair


@pytest.fixture
def cli_path(ipc_emu_bin):
    return str(ipc_emu_bin)


def test_constants_say_v2():
    assert native.ICBMSG_VERSIONS == {None: 0, "classic": 1, "v2": 2}
    assert native.ICBMSG_VERSION_DEFAULT == "v2"
    assert (native.OPT_ICBMSG_VERSION, native.OPT_MAX_ACTIVE_COUNT) == (7, 8)


@pytest.mark.timeout(60)
def test_python_harness_default_is_v2(cli_path):
    with ipc_emu.Pair(backend="icbmsg", cli=cli_path,
                      remote_args=["--icbmsg-version", "v2"]) as pair:
        ep = pair.open()
        echo(ep)
        assert ep.errors == 0


@pytest.mark.timeout(60)
def test_echo_server_default_is_v2(cli_path):
    pair = start_pair(cli_path, "v2", [])
    with pair:
        assert "--icbmsg-version" not in pair.remote.argv
        ep = pair.open()
        echo(ep)
        assert ep.errors == 0


@pytest.mark.timeout(60)
def test_classic_selectable_in_python_and_echo_server(cli_path):
    with ipc_emu.Pair(backend="icbmsg", cli=cli_path, icbmsg_version="classic") as pair:
        i = pair.remote.argv.index("--icbmsg-version")
        assert pair.remote.argv[i + 1] == "classic"
        ep = pair.open()
        echo(ep)
        assert ep.errors == 0


@pytest.mark.timeout(60)
def test_default_v2_across_classic_names_the_flag(cli_path, capfd):
    """This process's core on its default (v2), the echo server on classic:
    our v2 reports the classic peer to the endpoint and says, in one line,
    how to choose classic."""
    with ipc_emu.Pair(backend="icbmsg", cli=cli_path,
                      remote_args=["--icbmsg-version", "classic"]) as pair:
        ep = pair.open()
        ep._wait(native.ERRORS, 1, 10, "error")
        assert ep.last_error == "peer speaks classic ICBMsg"
        assert not ep.bound
    err = capfd.readouterr().err
    assert err.count("ipc-emu: error: icbmsg_v2: ipc1: peer speaks classic ICBMsg\n") == 1, err
    assert err.count(f"ipc-emu: error: {HINT}\n") == 1, err


def test_python_refuses_bad_versions(cli_path):
    with pytest.raises(ValueError, match="icbmsg_version must be None, 'classic' or 'v2', "
                                         "not 'v3'"):
        ipc_emu.Pair(backend="icbmsg", cli=cli_path, icbmsg_version="v3", start=False)
    with pytest.raises(ValueError, match="icbmsg_version needs backend='icbmsg'"):
        ipc_emu.Pair(backend="icmsg", cli=cli_path, icbmsg_version="classic", start=False)
    with ipc_emu.Harness() as h:
        for opt, bad in ((native.OPT_ICBMSG_VERSION, 3), (native.OPT_ICBMSG_VERSION, -1),
                         (native.OPT_MAX_ACTIVE_COUNT, 15), (native.OPT_MAX_ACTIVE_COUNT, 129)):
            with pytest.raises(ipc_emu.IpcEmuError) as e:
                h.set_option(opt, bad)
            assert e.value.errno == 22
        for opt, good in ((native.OPT_ICBMSG_VERSION, 0), (native.OPT_ICBMSG_VERSION, 1),
                          (native.OPT_ICBMSG_VERSION, 2), (native.OPT_MAX_ACTIVE_COUNT, 16),
                          (native.OPT_MAX_ACTIVE_COUNT, 128)):
            h.set_option(opt, good)


# -- user programs (ipc-emu's core under run --host/--remote) ---------------

ATTACH = re.compile(r"^ipc-emu (host|remote): info: attached as \1: .*$", re.M)


@pytest.fixture(scope="module")
def progs(ipc_emu_bin, tmp_path_factory):
    return build_cache_rr_pair(ipc_emu_bin, tmp_path_factory.mktemp("icbmsg_default"))


def run_progs(cli, progs, monkeypatch, *extra):
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    monkeypatch.setenv("CACHE_RR_ICBMSG", "1")
    monkeypatch.setenv("CACHE_RR_SIDE", "host")
    # no re-registration round: on v2 it fails today (reported, not ours)
    monkeypatch.setenv("CACHE_RR_ROUNDS", "0")
    return cli("run", *extra, "--timeout", "60", "--host", progs["host"], "--remote",
               progs["remote"], timeout=90)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("extra,want", [((), "v2"),
                                        (("--icbmsg-version", "v2"), "v2"),
                                        (("--icbmsg-version", "classic"), "classic")])
def test_user_programs_default_is_v2(cli, progs, monkeypatch, extra, want):
    r = run_progs(cli, progs, monkeypatch, *extra)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = {m.group(1): m.group(0) for m in ATTACH.finditer(r.stderr)}
    assert set(lines) == {"host", "remote"}, r.stderr
    for role, line in lines.items():
        assert line.endswith(f"(futex doorbells), ICBMsg ipc1 {want}"), line
    assert "cache_rr[host]: PONG 0" in r.stdout.splitlines(), r.stdout
    assert "cache_rr[remote]: PING 0" in r.stdout.splitlines(), r.stdout


# -- check: an absent property is v2 --------------------------------------

def test_check_reports_the_default(cli, tmp_path):
    r = cli("check", str(ROOT / "examples" / "nrf5340dk_cpuapp.dts"),
            str(ROOT / "examples" / "nrf5340dk_cpunet.dts"))
    assert r.returncode == 0, r.stdout + r.stderr
    icb = [ln for ln in r.stdout.splitlines() if ln.startswith("instance ipc1 ")]
    assert icb == ["instance ipc1 (/ipc/ipc1): icbmsg, tx 0x20078000+0x4000, rx "
                   "0x2007c000+0x4000, mboxes tx 2 rx 3 on mbox, dcache-alignment 8, "
                   "icbmsg-version v2 (default), tx-blocks 16 x 1016 bytes, rx-blocks 24 x "
                   "680 bytes, queues 2 x 24 bytes (MAX_ACTIVE_COUNT 16)"], r.stdout
