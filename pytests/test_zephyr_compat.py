"""Zephyr application code as peers: the example pairs of examples/zephyr/
(built against include/zephyr/, unchanged Zephyr shape) run through
`ipc-emu run --host PROG --remote PROG`, with exact callbacks, output lines
and exit codes; crash points, the cache model and valgrind apply to them.

The example binaries are looked up beside the CLI: <dir of ipc-emu>/examples/zephyr/<pair>/{host,remote}.
"""
import json
import os
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
VALGRIND = bool(os.environ.get("VALGRIND"))


@pytest.fixture(scope="module")
def pairs(ipc_emu_bin):
    root = Path(ipc_emu_bin).parent / "examples" / "zephyr"
    if not root.is_dir():
        pytest.fail(f"example pairs not built in {root} (configure with -DIPC_EMU_EXAMPLES=ON)")

    def get(name):
        host, remote = root / name / "host", root / name / "remote"
        assert host.is_file() and remote.is_file(), f"pair {name} not built in {root}"
        return str(host), str(remote)

    return get


def run_pair(cli, pairs, name, *opts, timeout=60, json_path=None):
    host, remote = pairs(name)
    args = ["run", *opts, "--host", host, "--remote", remote]
    if json_path is not None:
        args += ["--json", json_path]
    return cli(*args, timeout=timeout)


def lines_of(out, pattern):
    """The lines of one program (they interleave with the other's)."""
    rx = re.compile(pattern)
    return [ln for ln in out.splitlines() if rx.search(ln)]


SIMPLE_HOST = (["<inf> host: IPC-service HOST demo started", "<inf> host: Ep bounded"]
               + [f"host: received 'hello world {i}'" for i in range(1, 6)]
               + ["host: received 'bye'", "<inf> host: IPC-service HOST demo ended"])
SIMPLE_REMOTE = (["<inf> remote: IPC-service REMOTE demo started", "<inf> remote: Ep bounded"]
                 + [f"remote: echoing 'hello world {i}'" for i in range(1, 6)]
                 + ["remote: echoing 'bye'", "<inf> remote: IPC-service REMOTE demo ended"])


def check_simple(out, unbound_at_end=False):
    """unbound_at_end: in unbound enable/detect modes the side that is still
    running sees unbound() when the other's program ends (its devices close)."""
    host = lines_of(out, r"^(<inf> )?host: ")
    remote = lines_of(out, r"^(<inf> )?remote: ")
    if unbound_at_end:
        assert host.count("<inf> host: Ep unbounded") + remote.count(
            "<inf> remote: Ep unbounded") <= 1, out
        host = [ln for ln in host if ln != "<inf> host: Ep unbounded"]
        remote = [ln for ln in remote if ln != "<inf> remote: Ep unbounded"]
    assert host == SIMPLE_HOST, out
    assert remote == SIMPLE_REMOTE, out


def test_simple_data_exchange(cli, pairs, tmp_path):
    rep = tmp_path / "r.json"
    r = run_pair(cli, pairs, "simple", json_path=rep)
    assert r.returncode == 0, r.stdout + r.stderr
    check_simple(r.stdout)
    assert "PASS: both programs exited with status 0" in r.stdout
    assert r.stderr == ""
    j = json.loads(rep.read_text())
    assert j["ok"] is True
    assert j["scenario"] == "user-programs"
    assert [(p["role"], p["exit_status"]) for p in j["peers"]] == [("host", 0), ("remote", 0)]
    assert j["crashes_injected"] == 0 and j["restarts"] == 0
    assert j["leaks"] == {"shm_objects": 0, "processes": 0}
    host, remote = pairs("simple")
    assert j["programs"] == {"host": host, "remote": remote, "args": []}


@pytest.mark.parametrize("opts", [("--doorbell", "eventfd"), ("--rx-in-isr",),
                                  ("--unbound", "enable"), ("--unbound", "detect"),
                                  ("--busy-poll=20",)])
def test_simple_data_exchange_options(cli, pairs, opts):
    r = run_pair(cli, pairs, "simple", *opts)
    assert r.returncode == 0, r.stdout + r.stderr
    check_simple(r.stdout, unbound_at_end="--unbound" in opts)


def test_simple_data_exchange_dts_pair(cli, pairs):
    dts = f"{EXAMPLES / 'nrf5340dk_cpuapp.dts'},{EXAMPLES / 'nrf5340dk_cpunet.dts'}"
    r = run_pair(cli, pairs, "simple", "--dts", dts)
    assert r.returncode == 0, r.stdout + r.stderr
    check_simple(r.stdout)


@pytest.mark.parametrize("version", [[], ["--icbmsg-version", "classic"]],
                         ids=["v2-default", "classic"])
def test_nocopy(cli, pairs, version):
    # received() runs in interrupt context on v2: the example's remote only
    # holds the buffer and queues it there (K_NO_WAIT), main() waits
    r = run_pair(cli, pairs, "nocopy", *version)
    assert r.returncode == 0, r.stdout + r.stderr
    msgs = [f"hello world {i}" for i in range(1, 4)] + ["bye"]
    host = lines_of(r.stdout, r"^(<inf> )?host: ")
    assert host[0] == "<inf> host: Ep bounded"
    assert re.fullmatch(r"<inf> host: TX buffers of up to \d+ bytes", host[1]), host
    assert host[2:] == [f"host: reply 're: {m}' read in place" for m in msgs] + [
        "<inf> host: done"]
    assert lines_of(r.stdout, r"^(<inf> )?remote: ") == (
        ["<inf> remote: Ep bounded"]
        + [f"remote: held '{m}' ({len(m) + 1} bytes)" for m in msgs]
        + ["<inf> remote: done"])


def test_ipm(cli, pairs):
    r = run_pair(cli, pairs, "ipm")
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines_of(r.stdout, r"HOST!|^host: ") == (
        ["Hello World from HOST!", "host: 4 data bytes, max id 4294967295"]
        + [f"host: received {n} (id 0) in ISR" for n in range(2, 11, 2)] + ["host: done"])
    assert lines_of(r.stdout, r"REMOTE!|^remote: ") == (
        ["Hello World from REMOTE!"]
        + [f"remote: received {n} (id 0) in ISR" for n in range(1, 10, 2)] + ["remote: done"])


def test_mbox(cli, pairs):
    r = run_pair(cli, pairs, "mbox")
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines_of(r.stdout, r"HOST|^Ping \d|^Pong") == (
        ["Hello from HOST"] + sum([[f"Ping {i}", "Pong (on channel 5)"] for i in (1, 2, 3)], []))
    assert lines_of(r.stdout, r"REMOTE|^Ping received") == (
        ["Hello from REMOTE"] + ["Ping received (on channel 4) in ISR"] * 3 + ["REMOTE done"])


def test_multi_endpoint_threads_without_main(cli, pairs):
    """K_THREAD_DEFINE threads, no main(): three endpoints on two instances
    run concurrently; each program ends when its three threads have."""
    r = run_pair(cli, pairs, "multi_endpoint")
    assert r.returncode == 0, r.stdout + r.stderr
    for t in "ABC":
        assert lines_of(r.stdout, rf"^(IPC-service )?HOST \[{t}\]") == (
            [f"IPC-service HOST [{t}] demo started"]
            + [f"HOST [{t}]: {n}" for n in range(1, 20, 2)]
            + [f"IPC-service HOST [{t}] demo ended."]), r.stdout
        assert lines_of(r.stdout, rf"^(IPC-service )?REMOTE \[{t}\]") == (
            [f"IPC-service REMOTE [{t}] demo started"]
            + [f"REMOTE [{t}]: {n}" for n in range(0, 19, 2)]
            + [f"IPC-service REMOTE [{t}] demo ended."]), r.stdout


def test_crash_point_restarts_the_user_program(cli, pairs, tmp_path):
    """The host is killed in the middle of its third send; the supervisor
    restarts it, the remote sees unbound(), re-registers, and the restarted
    host completes the whole exchange."""
    rep = tmp_path / "r.json"
    r = run_pair(cli, pairs, "simple", "--unbound", "enable", "--crash-point",
                 "host:icmsg_send_before_signal@3", json_path=rep)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ipc-emu: crash point hit, killing this process" in r.stderr
    # (The host may also see unbound() when the remote's program ends.)
    host = [ln for ln in lines_of(r.stdout, r"^(<inf> )?host: ")
            if ln != "<inf> host: Ep unbounded"]
    assert host.count("<inf> host: IPC-service HOST demo started") == 2
    assert host[-len(SIMPLE_HOST) + 1:] == SIMPLE_HOST[1:], r.stdout
    remote = lines_of(r.stdout, r"^(<inf> )?remote: ")
    assert "<inf> remote: Ep unbounded" in remote
    assert remote.count("<inf> remote: Ep bounded") == 2
    assert remote[-1] == "<inf> remote: IPC-service REMOTE demo ended"
    j = json.loads(rep.read_text())
    assert j["ok"] is True
    assert j["crashes_injected"] == 1 and j["restarts"] == 1
    assert "crashes injected 1  restarts 1" in r.stdout


def test_cache_model_applies(cli, pairs, monkeypatch):
    monkeypatch.setenv("IPC_EMU_LOG", "3")
    r = run_pair(cli, pairs, "simple", "--cache-model")
    assert r.returncode == 0, r.stdout + r.stderr
    check_simple(r.stdout)
    # Both programs ran their ICMsg regions through the cache model.
    assert re.search(r"ipc-emu host: info: cache model: [1-9]\d* flushes", r.stderr), r.stderr
    assert re.search(r"ipc-emu remote: info: cache model: [1-9]\d* flushes", r.stderr), r.stderr


def test_failing_program_fails_the_run(cli, tmp_path):
    rep = tmp_path / "r.json"
    r = cli("run", "--host", "/bin/false", "--remote", "/bin/true", "--json", rep)
    assert r.returncode == 1
    assert "host program exited with status 1" in r.stdout
    j = json.loads(rep.read_text())
    assert j["ok"] is False
    assert [(p["role"], p["exit_status"]) for p in j["peers"]] == [("host", 1), ("remote", 0)]


def test_unknown_label_is_a_configuration_error(cli, pairs, tmp_path):
    """DEVICE_DT_GET of a label the devicetree lacks: Zephyr would not build;
    the program stops with status 2 naming it, and so does the run."""
    dts = tmp_path / "no-ipm0.dts"
    dts.write_text((EXAMPLES / "nrf5340dk_cpuapp.dts").read_text()
                   .replace("ipm0: ipm@2c000", "other_ipm: ipm@2c000"))
    r = run_pair(cli, pairs, "ipm", "--dts", str(dts))
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"ipc-emu: DEVICE_DT_GET(DT_NODELABEL(ipm0)): {dts} has no such device" in r.stderr


def test_program_started_without_the_supervisor(pairs):
    import subprocess
    host, _ = pairs("simple")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_EMU_")}
    r = subprocess.run([host], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "ipc-emu: IPC_EMU_ROLE is not set" in r.stderr


def test_named_segment_without_the_supervisor(pairs):
    """IPC_EMU_SEGMENT: the two programs started by hand meet on a named
    segment (the host creates it, the remote attaches)."""
    import subprocess
    import uuid
    host, remote = pairs("simple")
    name = f"ipc-emu-pyt-{uuid.uuid4().hex[:12]}"
    base = {k: v for k, v in os.environ.items() if not k.startswith("IPC_EMU_")}
    try:
        h = subprocess.Popen([host], env={**base, "IPC_EMU_ROLE": "host", "IPC_EMU_SEGMENT": name},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        m = subprocess.Popen([remote],
                             env={**base, "IPC_EMU_ROLE": "remote", "IPC_EMU_SEGMENT": name},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        hout, herr = h.communicate(timeout=30)
        mout, merr = m.communicate(timeout=30)
    finally:
        for p in (h, m):
            if p.poll() is None:
                p.kill()
                p.wait()
        left = [n for n in os.listdir("/dev/shm") if n.startswith(name + "-")]
        for n in left:  # never leave a failed run's objects to the next tests
            os.unlink(os.path.join("/dev/shm", n))
    assert h.returncode == 0 and m.returncode == 0, herr + merr
    assert hout.splitlines() == SIMPLE_HOST
    assert mout.splitlines() == SIMPLE_REMOTE
    assert not left, f"the host left {left} in /dev/shm"


@pytest.mark.valgrind
@pytest.mark.parametrize("name", ["simple", "nocopy", "ipm", "mbox", "multi_endpoint"])
def test_valgrind_clean(cli, pairs, tmp_path, name):
    rep = tmp_path / "r.json"
    r = run_pair(cli, pairs, name, "--valgrind", json_path=rep, timeout=300)
    if r.returncode == 77:
        pytest.skip("valgrind not installed")
    assert r.returncode == 0, r.stdout + r.stderr
    j = json.loads(rep.read_text())
    assert [p["valgrind_errors"] for p in j["peers"]] == [0, 0]


def test_arguments_and_environment_contract(cli, tmp_path):
    """ARGS after '--' reach both programs; the IPC_EMU_* variables of
    docs/zephyr-compat.md carry the run's options."""
    script = 'env | grep "^IPC_EMU_" | grep -v PYTEST > "$0.$IPC_EMU_ROLE"'
    rep = tmp_path / "r.json"
    r = cli("run", "--doorbell", "eventfd", "--unbound", "detect", "--cache-model",
            "--rx-in-isr", "--busy-poll=7", "--seed", "42", "--rx-buf-size", "256",
            "--json", rep, "--host", "/bin/sh", "--remote", "/bin/sh",
            "--", "-c", script, tmp_path / "env")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(rep.read_text())["programs"]["args"] == ["-c", script,
                                                                str(tmp_path / "env")]
    for role in ("host", "remote"):
        env = dict(line.split("=", 1) for line in
                   (tmp_path / f"env.{role}").read_text().splitlines())
        fds = env.pop("IPC_EMU_FDS").split(",")
        assert len(fds) == 4 and all(int(f) >= 0 for f in fds), fds  # eventfd: all four
        want = {"IPC_EMU_ROLE": role, "IPC_EMU_DTS": "", "IPC_EMU_UNBOUND": "detect",
                "IPC_EMU_CACHE_MODEL": "1", "IPC_EMU_RX_IN_ISR": "1",
                "IPC_EMU_BUSY_POLL": "7", "IPC_EMU_SEED": "42", "IPC_EMU_RX_BUF_SIZE": "256"}
        assert {k: env.get(k) for k in want} == want, env
        assert "IPC_EMU_SEGMENT" not in env and "IPC_EMU_CRASH" not in env


DOC_SHAPED = {
    # The include line, macros and calls of the IPC service documentation's
    # two snippets (our own text): <zephyr/include/ipc_service.h> alone must
    # bring device.h and kernel.h, as Zephyr's header does.
    "simple.c": """
#include <zephyr/include/ipc_service.h>

static void bound_cb(void *priv) { }
static void recv_cb(const void *data, size_t len, void *priv) { }
static struct ipc_ept_cfg ept0_cfg = {
    .name = "ept0",
    .cb = { .bound = bound_cb, .received = recv_cb },
};

int main(void)
{
    const struct device *inst0;
    struct ipc_ept ept0;
    int ret;

    inst0 = DEVICE_DT_GET(DT_NODELABEL(ipc0));
    ret = ipc_service_open_instance(inst0);
    ret = ipc_service_register_endpoint(inst0, &ept0, &ept0_cfg);
    unsigned char message[] = "hello world";
    ret = ipc_service_send(&ept0, &message, sizeof(message));
    return ret < 0;
}
""",
    "nocopy.c": """
#include <zephyr/include/ipc_service.h>
#include <stdint.h>
#include <string.h>

static struct ipc_ept ept0;
static void bound_cb(void *priv) { }
static void recv_cb(const void *data, size_t len, void *priv)
{
    int ret = ipc_service_hold_rx_buffer(&ept0, (void *)data);
    ret = ipc_service_release_rx_buffer(&ept0, (void *)data);
    (void)ret;
}
static struct ipc_ept_cfg ept0_cfg = {
    .name = "ept0",
    .cb = { .bound = bound_cb, .received = recv_cb },
};

int main(void)
{
    const struct device *inst0;
    int ret;

    inst0 = DEVICE_DT_GET(DT_NODELABEL(ipc1));
    ret = ipc_service_open_instance(inst0);
    ret = ipc_service_register_endpoint(inst0, &ept0, &ept0_cfg);
    void *data;
    unsigned char message[] = "hello world";
    uint32_t len = sizeof(message);
    ret = ipc_service_get_tx_buffer(&ept0, &data, &len, K_FOREVER);
    memcpy(data, message, len);
    ret = ipc_service_send_nocopy(&ept0, data, sizeof(message));
    return ret < 0;
}
""",
}


@pytest.mark.parametrize("name", sorted(DOC_SHAPED))
def test_documentation_shaped_code_compiles_and_links(ipc_emu_bin, tmp_path, name):
    import shutil
    import subprocess
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    build = Path(ipc_emu_bin).parent
    src = tmp_path / name
    src.write_text(DOC_SHAPED[name])
    r = subprocess.run([cc, "-std=c11", "-Wall", "-Werror", "-Wno-unused-but-set-variable",
                        f"-I{HERE.parent / 'include'}", str(src), "-o", str(tmp_path / "a.out"),
                        f"-L{build}", "-lipc_emu", f"-Wl,-rpath,{build}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_program_that_never_ends_is_a_hang(cli):
    r = cli("run", "--timeout", "1", "--host", "/bin/sleep", "--remote", "/bin/sleep", "--", "30")
    assert r.returncode == 1
    assert "FAIL: hang: no completion within 1 s" in r.stdout


def test_icbmsg_crash_point_restarts_both_programs(cli, pairs, tmp_path):
    """Classic ICBMsg has no reset protocol: with --backend icbmsg a crash
    restarts both programs (docs/reliability.md), which then finish."""
    rep = tmp_path / "r.json"
    r = run_pair(cli, pairs, "nocopy", "--backend", "icbmsg", "--crash-point",
                 "host:icbmsg_block_before_control@2", json_path=rep)
    assert r.returncode == 0, r.stdout + r.stderr
    j = json.loads(rep.read_text())
    assert j["crashes_injected"] == 1 and j["restarts"] == 2
    assert j["resets"]["restarts_of_both"] == 1
    out = r.stdout.splitlines()
    assert out.count("<inf> host: Ep bounded") == 2 and out.count("<inf> remote: Ep bounded") == 2
    assert "host: reply 're: bye' read in place" in out
