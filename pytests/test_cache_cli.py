"""The cache model through the CLI (docs/cache-model.md): `ipc-emu run
--cache-model` gives each peer a private, incoherent cache over the shared
regions; the regular core's flushes and invalidates must be enough for every
message to arrive intact.  With IPC_EMU_LOG=3 each peer logs its cache
counters when its board is destroyed, which proves the model was active."""
import json
import re

import pytest

STATS = re.compile(
    r"cache model: (\d+) flushes \((\d+) lines written back\), (\d+) invalidates "
    r"\((\d+) lines refetched\), (\d+) evictions \((\d+) dirty\)")


def run_cache(cli, tmp_path, monkeypatch, *args, timeout=60):
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    out = tmp_path / "report.json"
    res = cli("run", "--json", out, *args, timeout=timeout)
    assert res.returncode == 0, f"stdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    rep = json.loads(out.read_text())
    assert rep["ok"] is True, rep["reason"]
    m = rep["messages"]
    assert m["received"] == m["sent"] > 0
    for key in ("corrupted", "duplicated", "reordered", "lost"):
        assert m[key] == 0, key
    return res, rep


def cache_stats(res):
    """The counters logged by the two peers."""
    stats = [tuple(map(int, g)) for g in STATS.findall(res.stderr)]
    assert len(stats) == 2, res.stderr
    return stats


@pytest.mark.parametrize("mode", ["disable", "enable", "detect"])
def test_icmsg_through_the_cache_model(cli, tmp_path, monkeypatch, mode):
    res, rep = run_cache(cli, tmp_path, monkeypatch, "--cache-model", "--unbound", mode,
                         "--messages", "2000")
    assert rep["messages"]["sent"] == 2 * 2000 + 2
    for flushes, written, invds, refetched, evictions, _dirty in cache_stats(res):
        # At least a payload and a wr_idx flush per message sent.
        assert flushes >= 2 * 2001 and written >= flushes
        assert invds >= 2 * 2001 and refetched >= invds
        assert evictions > 0


def test_icmsg_rx_in_isr_through_the_cache_model(cli, tmp_path, monkeypatch):
    res, _ = run_cache(cli, tmp_path, monkeypatch, "--cache-model", "--unbound", "enable",
                       "--rx-in-isr", "--messages", "2000")
    assert len(cache_stats(res)) == 2


@pytest.mark.parametrize("nocopy", [False, True])
def test_icbmsg_through_the_cache_model(cli, tmp_path, monkeypatch, nocopy):
    args = ["--backend", "icbmsg", "--cache-model", "--messages", "1000"]
    if nocopy:
        args.append("--nocopy")
    res, rep = run_cache(cli, tmp_path, monkeypatch, *args)
    assert rep["blocks_in_use_at_end"] == 0
    for flushes, _w, invds, _r, _e, _d in cache_stats(res):
        assert flushes > 0 and invds > 0


def test_no_cache_model_by_default(cli, tmp_path, monkeypatch):
    res, _ = run_cache(cli, tmp_path, monkeypatch, "--messages", "200")
    assert STATS.search(res.stderr) is None
