"""Endpoint re-registration under the cache model (issue 15 section 1,
docs/cache-model.md "Re-registration").

tests/zephyr_userprog/cache_reregister.c is a Zephyr-style program pair: one
side (CACHE_RR_SIDE) deregisters its ICMsg endpoint, waits 10 ms and
registers it again, three times; the other side gets unbound() and
re-registers too.  After each re-registration the host sends PING r and must
get PONG r.  Before the fix, the reader's cache line put the previous
session's rd_idx back over the writer's reset: the next send got -ENOMEM for
good, or the PONG never came.  Now every round passes and no send ever sees
-ENOMEM (the counts are exact: the exchange is lockstep, the ring never
fills)."""
import re

import pytest

from conftest import build_cache_rr_pair
ROUNDS = 3

DTS32 = """/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	reserved-memory {
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;
		tx0: memory@20070000 { reg = <0x20070000 0x1000>; };
		rx0: memory@20071000 { reg = <0x20071000 0x1000>; };
	};
	mbox: mbox { compatible = "vnd,mbox"; #mbox-cells = <1>; };
	ipc {
		ipc0: ipc0 {
			compatible = "zephyr,ipc-icmsg";
			tx-region = <&tx0>;
			rx-region = <&rx0>;
			mboxes = <&mbox 0>, <&mbox 1>;
			mbox-names = "tx", "rx";
			dcache-alignment = <32>;
		};
	};
};
"""


@pytest.fixture(scope="module")
def pair(ipc_emu_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("cache_rr")
    progs = build_cache_rr_pair(ipc_emu_bin, out)
    (out / "dcache32.dts").write_text(DTS32)
    progs["dts32"] = str(out / "dcache32.dts")
    return progs


def lines(out, role):
    return [ln for ln in out.splitlines() if ln.startswith(f"cache_rr[{role}]: ")]


def run_rr(cli, pair, monkeypatch, side, mode, seed, *extra):
    monkeypatch.setenv("CACHE_RR_SIDE", side)
    monkeypatch.setenv("CACHE_RR_ROUNDS", str(ROUNDS))
    return cli("run", "--cache-model", "--unbound", mode, "--seed", str(seed), *extra,
               "--timeout", "60", "--host", pair["host"], "--remote", pair["remote"],
               timeout=90)


def check(r, side):
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    host = [ln for ln in lines(out, "host") if ln != "cache_rr[host]: unbound"]
    remote = [ln for ln in lines(out, "remote") if ln != "cache_rr[remote]: unbound"]
    want_host, want_remote = [], []
    for i in range(ROUNDS + 1):
        if i > 0 and side == "remote":
            want_host.append(f"cache_rr[host]: READY {i}")
        want_host.append(f"cache_rr[host]: PONG {i}")
        want_remote.append(f"cache_rr[remote]: PING {i}")
        if i < ROUNDS and side == "remote":
            want_remote.append(f"cache_rr[remote]: NEXT {i}")
    want_host += ["cache_rr[host]: BYE", f"cache_rr[host]: {ROUNDS} rounds, 0 x -ENOMEM"]
    want_remote += ["cache_rr[remote]: BYE", f"cache_rr[remote]: {ROUNDS} rounds, 0 x -ENOMEM"]
    assert host == want_host, out
    assert remote == want_remote, out
    # Each re-registration of one side is seen by the other as unbound().
    other = "host" if side == "remote" else "remote"
    assert lines(out, other).count(f"cache_rr[{other}]: unbound") == ROUNDS, out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("side", ["remote", "host"])
@pytest.mark.parametrize("mode", ["enable", "detect"])
def test_reregistration_dcache_8(cli, pair, monkeypatch, mode, side, seed):
    check(run_rr(cli, pair, monkeypatch, side, mode, seed), side)


@pytest.mark.parametrize("side", ["remote", "host"])
@pytest.mark.parametrize("mode", ["enable", "detect"])
def test_reregistration_dcache_32(cli, pair, monkeypatch, mode, side):
    check(run_rr(cli, pair, monkeypatch, side, mode, 4, "--dts", pair["dts32"]), side)


def test_reregistration_without_the_model(cli, pair, monkeypatch):
    monkeypatch.setenv("CACHE_RR_SIDE", "host")
    r = cli("run", "--unbound", "enable", "--timeout", "60", "--host", pair["host"],
            "--remote", pair["remote"], timeout=90)
    check(r, "host")


def test_stalled_send_is_reported_with_its_cause(cli, pair, monkeypatch):
    """The remote's RX path blocks for good in its first message, the host
    retries -ENOMEM until --timeout: the host's ICMsg logs the stall once,
    with the index words, the free space and what the cache model holds for
    the reader's word; the run's hang report gives the shared words of both
    rings (CACHE_RR_HOLD, tests/zephyr_userprog/cache_reregister.c)."""
    monkeypatch.setenv("CACHE_RR_HOLD", "1")
    r = cli("run", "--cache-model", "--unbound", "enable", "--timeout", "4",
            "--host", pair["host"], "--remote", pair["remote"], timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL: hang: no completion within 4 s" in r.stdout
    stall = re.findall(
        r"^ipc-emu host: warning: icmsg: send stalled: (\d+) x -ENOMEM in (\d+) ms: TX ring "
        r"wr_idx (\d+) \(ours\), rd_idx (\d+) \(the reader's\): (\d+) of 16372 bytes free, "
        r"(\d+) needed; cache model: rd_idx word at 0x20070000: our cache (\d+), "
        r"shared memory (\d+), its line 0x20070000\+8 (clean|dirty)$", r.stderr, re.M)
    assert len(stall) == 1, r.stderr
    tries, ms, wr, rd, free, needed, cached, shared, _ = stall[0]
    assert int(tries) >= 1 and int(ms) >= 2000
    assert cached == rd == shared
    # A full ring: what is free is less than the packet needs.
    assert int(free) < int(needed)
    hang = re.findall(r"^ipc-emu run: hang: ipc0 (tx|rx)-region 0x(\w+) \((host|remote) writes\): "
                      r"wr_idx (\d+), rd_idx (\d+), (\d+) of 16372 bytes free$", r.stderr, re.M)
    assert [h[:3] for h in hang] == [("tx", "20070000", "host"), ("rx", "20074000", "remote")]
    assert hang[0][3:] == (wr, rd, free)
    assert "send stalled" not in "".join(ln for ln in r.stderr.splitlines()
                                         if ln.startswith("ipc-emu remote:"))


def icbmsg_want(side, v2):
    """Exact lines of CACHE_RR_ICBMSG=1: the side that re-registers says
    DEREG r, prints the other's ACK r and says READY r once bound again; the
    other prints DEREG r and READY r, on v2 with unbound() between them (the
    deregistration unbinds its endpoint; classic ICBMsg has no unbound()),
    no -ENOMEM (the pokes are released as they arrive)."""
    other = "remote" if side == "host" else "host"
    want = {"host": ["PONG 0"], "remote": ["PING 0"]}
    if side == "remote":
        want["remote"].append("NEXT 0")
    for i in range(1, ROUNDS + 1):
        want[other] += [f"DEREG {i}"] + (["unbound"] if v2 else []) + [f"READY {i}"]
        want[side].append(f"ACK {i}")
        want["host"].append(f"PONG {i}")
        want["remote"].append(f"PING {i}")
        if side == "remote" and i < ROUNDS:
            want["remote"].append(f"NEXT {i}")
    for role in want:
        want[role] += ["BYE", f"{ROUNDS} rounds, 0 x -ENOMEM"]
    return want


@pytest.mark.parametrize("version", ["classic", "v2", None], ids=["classic", "v2", "default"])
@pytest.mark.parametrize("model", [False, True], ids=["plain", "cache-model"])
@pytest.mark.parametrize("side", ["remote", "host"])
def test_reregistration_icbmsg(cli, pair, monkeypatch, side, model, version):
    """ICBMsg on ipc1 (classic, v2, and the default: v2): either side
    deregisters and registers its endpoint again, 3 times; every message
    arrives exactly once (no replay of the last one before the
    deregistration, none lost); on v2 the other side gets unbound() each
    time and registers again."""
    monkeypatch.setenv("CACHE_RR_SIDE", side)
    monkeypatch.setenv("CACHE_RR_ROUNDS", str(ROUNDS))
    monkeypatch.setenv("CACHE_RR_ICBMSG", "1")
    r = cli("run", *(["--icbmsg-version", version] if version else []),
            *(["--cache-model"] if model else []),
            "--timeout", "60", "--host", pair["host"], "--remote", pair["remote"], timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    for role, want in icbmsg_want(side, version != "classic").items():
        assert lines(r.stdout, role) == [f"cache_rr[{role}]: {w}" for w in want], r.stdout
