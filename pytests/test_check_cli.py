"""`ipc-emu check` and the malformed-devicetree corpus (issue 5, "Bad configuration").

Every tests/dts/bad_*.dts (one devicetree) and tests/dts/pairs/<case>/ (host.dts +
remote.dts) carries its expectation on its first line (remote.dts for a pair):

    /* expect: NODE: PROPERTY -- what is wrong */

NODE is a node path ("/reserved-memory") or its last components ("ipc0",
"memory@20070000"); PROPERTY is the property the one-line error names.  For
errors that dtc itself reports NODE is "dtc" and PROPERTY a piece of its message.
Both `ipc-emu check` and `ipc-emu run --dts` must exit 2 with exactly that one
line on stderr, nothing on stdout, and leave nothing in /dev/shm.
"""
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import shm_entries

ROOT = Path(__file__).resolve().parent.parent
DTS = ROOT / "tests" / "dts"
PAIRS = DTS / "pairs"
EXAMPLES = ROOT / "examples"

EXPECT = re.compile(r"^/\* expect: (?P<node>\S+?): (?P<prop>.+?)(?: -- .*)? \*/$")
# ipc-emu: [check: ]SOURCE: NODE: PROPERTY: PROBLEM
ERROR = re.compile(r"^ipc-emu: (?P<check>check: )?(?P<src>.+?): (?P<node>/[^\s:]*): "
                   r"(?P<prop>[^\s:]+): (?P<msg>\S.*)$")
CRASH = ("Traceback", "Segmentation", "core dumped", "AddressSanitizer", "Assertion",
         "LeakSanitizer", "runtime error")

SINGLE = sorted(DTS.glob("bad_*.dts"))
PAIR_DIRS = sorted(p for p in PAIRS.iterdir() if p.is_dir())
GOOD = sorted(DTS.glob("good_*.dts"))


def expectation(path):
    first = path.read_text().split("\n", 1)[0]
    m = EXPECT.match(first)
    assert m, f"{path}: first line is not '/* expect: NODE: PROPERTY -- ... */': {first!r}"
    return m["node"], m["prop"]


def cases():
    out = []
    for f in SINGLE:
        out.append(pytest.param([f], f, id=f.stem))
    for d in PAIR_DIRS:
        out.append(pytest.param([d / "host.dts", d / "remote.dts"], d / "remote.dts",
                                id="pair-" + d.name))
    return out


def node_matches(got, want):
    if want.startswith("/"):
        return got == want
    return got.endswith("/" + want)


def assert_one_line_error(res, files, expect_file, check):
    node, prop = expectation(expect_file)
    what = f"{'check' if check else 'run'} {' '.join(map(str, files))}"
    assert res.returncode == 2, f"{what}: exit {res.returncode}\n{res.stderr}"
    for word in CRASH:
        assert word not in res.stderr, f"{what}: {res.stderr}"
    assert res.stdout == "", f"{what}: stdout {res.stdout!r}"
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and res.stderr.endswith("\n"), f"{what}: stderr {res.stderr!r}"
    line = lines[0]
    prefix = "ipc-emu: check: " if check else "ipc-emu: "
    assert line.startswith(prefix), line
    if node == "dtc":
        assert line.startswith(f"{prefix}{expect_file}: dtc: "), line
        assert prop in line, line
        return
    m = ERROR.match(line)
    assert m, f"not 'SOURCE: NODE: PROPERTY: PROBLEM': {line}"
    assert bool(m["check"]) == check, line
    # The file that is wrong is named: the single file, or the pair's remote.
    assert m["src"] == str(expect_file), line
    assert node_matches(m["node"], node), f"node {m['node']!r} is not {node!r}: {line}"
    # `run` may name both regions of an instance ("tx-region/rx-region").
    assert prop == m["prop"] or prop in m["prop"].split("/"), \
        f"property {m['prop']!r} is not {prop!r}: {line}"


def test_corpus():
    assert len(SINGLE) >= 30, SINGLE
    assert len(PAIR_DIRS) >= 8, PAIR_DIRS
    for f in SINGLE:
        expectation(f)
    for d in PAIR_DIRS:
        assert (d / "host.dts").is_file() and (d / "remote.dts").is_file(), d
        expectation(d / "remote.dts")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("files, expect_file", cases())
def test_bad_check(cli, files, expect_file):
    res = cli("check", *files, timeout=25)
    assert_one_line_error(res, files, expect_file, check=True)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("files, expect_file", cases())
def test_bad_run(cli, files, expect_file):
    res = cli("run", "--dts", ",".join(map(str, files)), "--messages", 10, "--quiet",
              timeout=25)
    assert_one_line_error(res, files, expect_file, check=False)
    assert shm_entries(cli.shm_prefixes) == []


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_check(cli, path):
    res = cli("check", path, timeout=25)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    lines = res.stdout.splitlines()
    assert lines[0] == f"host: {path}"
    assert lines[1] == f"remote: <mirror of {path}>"
    assert lines[-1].startswith("ok: ")


@pytest.mark.timeout(30)
def test_good_pair_check(cli):
    res = cli("check", PAIRS / "good_host.dts", PAIRS / "good_remote.dts", timeout=25)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == (
        "ok: 2 instances, 2 MBOX controllers, 2 MBOX consumers, 1 IPM device")


@pytest.mark.timeout(30)
def test_examples_summary_is_exact(cli):
    app, net = EXAMPLES / "nrf5340dk_cpuapp.dts", EXAMPLES / "nrf5340dk_cpunet.dts"
    res = cli("check", app, net, timeout=25)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert res.stdout.splitlines() == [
        f"host: {app}",
        f"remote: {net}",
        "instance ipc0 (/ipc/ipc0): icmsg, tx 0x20070000+0x4000, rx 0x20074000+0x4000, "
        "mboxes tx 0 rx 1 on mbox, dcache-alignment 8, unbound disable",
        "instance ipc1 (/ipc/ipc1): icbmsg, tx 0x20078000+0x4000, rx 0x2007c000+0x4000, "
        "mboxes tx 2 rx 3 on mbox, dcache-alignment 8, icbmsg-version v2 (default), "
        "tx-blocks 16 x 1016 bytes, rx-blocks 24 x 680 bytes, queues 2 x 24 bytes "
        "(MAX_ACTIVE_COUNT 16)",
        "mbox mbox (/soc/mbox@2a000): #0, signalling, 31 channels, tx 0,2,4 rx 1,3,5",
        "mbox mbox_data (/soc/mbox@2b000): #1, data, mtu 16, 4 channels, tx 0 rx 1",
        "consumer mbox_consumer (/mbox-consumer): \"tx\" = <&mbox 4> outbound, "
        "\"rx\" = <&mbox 5> inbound",
        "consumer mbox_data_consumer (/mbox-data-consumer): \"tx\" = <&mbox_data 0> outbound, "
        "\"rx\" = <&mbox_data 1> inbound",
        "ipm ipm0 (/soc/ipm@2c000): ipc-emu,ipm, #0, data-size 4, max-id 0xffffffff, "
        "direction both",
        "ok: 2 instances, 2 MBOX controllers, 2 MBOX consumers, 1 IPM device",
    ]
    # One file: the remote is its mirror, the same summary from the host's view.
    one = cli("check", app, timeout=25)
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[1] == f"remote: <mirror of {app}>"
    assert one.stdout.splitlines()[2:] == res.stdout.splitlines()[2:]
    # --dts as `run` takes it; --quiet prints nothing.
    same = cli("check", "--dts", f"{app},{net}", timeout=25)
    assert same.returncode == 0 and same.stdout == res.stdout
    quiet = cli("check", "--quiet", app, net, timeout=25)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args, message", [
    ([], "ipc-emu: check: expected HOST.dts [REMOTE.dts] (see 'ipc-emu check --help')"),
    # three files are a multi-core topology (pytests/test_multicore_check.py)
    (["a.dts", "b.dts", "c.dts"], "ipc-emu: check: a.dts: No such file or directory"),
    (["--bogus", "a.dts"], "ipc-emu: check: unknown option '--bogus' (see 'ipc-emu check --help')"),
    (["--dts"], "ipc-emu: check: --dts needs FILE[,FILE] (see 'ipc-emu check --help')"),
    (["--dts", "a,b,c"], "ipc-emu: check: a: No such file or directory"),
    ([""], "ipc-emu: check: empty file name (see 'ipc-emu check --help')"),
    (["/nonexistent/nope.dts"], "ipc-emu: check: /nonexistent/nope.dts: No such file or directory"),
    ([str(DTS)], f"ipc-emu: check: {DTS}: is a directory, not a devicetree source"),
    (["--mem-limit"], "ipc-emu: check: --mem-limit needs MIB (see 'ipc-emu check --help')"),
    (["--mem-limit", "0", "a.dts"], "ipc-emu: check: --mem-limit: '0' is not a number of MiB in "
     "1..4095 (see 'ipc-emu check --help')"),
    (["--mem-limit=4096", "a.dts"], "ipc-emu: check: --mem-limit: '4096' is not a number of MiB "
     "in 1..4095 (see 'ipc-emu check --help')"),
], ids=["none", "three", "unknown", "dts-no-arg", "dts-three", "empty", "missing", "directory",
        "mem-limit-no-arg", "mem-limit-zero", "mem-limit-4g"])
def test_usage_errors(cli, args, message):
    res = cli("check", *args, timeout=25)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == message + "\n"


@pytest.mark.timeout(30)
def test_missing_remote_file(cli, tmp_path):
    res = cli("check", EXAMPLES / "nrf5340dk_cpuapp.dts", tmp_path / "net.dts", timeout=25)
    assert res.returncode == 2
    assert res.stderr == f"ipc-emu: check: {tmp_path / 'net.dts'}: No such file or directory\n"


@pytest.mark.timeout(30)
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(cli, tmp_path):
    f = tmp_path / "secret.dts"
    f.write_text((DTS / "good_minimal.dts").read_text())
    f.chmod(0)
    res = cli("check", f, timeout=25)
    assert res.returncode == 2
    assert res.stderr == f"ipc-emu: check: {f}: Permission denied\n"


@pytest.mark.timeout(30)
def test_control_characters_in_a_name_stay_on_one_line(cli, tmp_path):
    res = cli("check", tmp_path / "a\nb.dts", timeout=25)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "a?b.dts" in res.stderr


@pytest.mark.timeout(30)
def test_help(cli):
    res = cli("check", "--help", timeout=25)
    assert res.returncode == 0 and res.stderr == ""
    for word in ("usage: ipc-emu check", "tx-region", "tx-blocks", "unbound", "dcache-alignment",
                 "mbox-names", "swapped", "bonding magic", "examples:", "exit status"):
        assert word in res.stdout, word
    assert cli("help", "check", timeout=25).stdout == res.stdout


@pytest.mark.timeout(30)
def test_dts_directory_in_run(cli):
    res = cli("run", "--dts", DTS, "--quiet", timeout=25)
    assert res.returncode == 2
    assert res.stderr == f"ipc-emu: {DTS}: is a directory, not a devicetree source\n"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("cmd", ["check", "run"])
def test_compiled_dtb_gets_a_hint(cli, tmp_path, cmd):
    dtb = tmp_path / "zephyr.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, DTS / "good_minimal.dts"],
                   check=True)
    args = [dtb] if cmd == "check" else ["--dts", dtb, "--quiet"]
    res = cli(cmd, *args, timeout=25)
    assert res.returncode == 2
    prefix = "ipc-emu: check: " if cmd == "check" else "ipc-emu: "
    assert res.stderr == (f"{prefix}{dtb}: this is a compiled devicetree; pass the .dts, "
                          "e.g. build/zephyr/zephyr.dts\n")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("cmd", ["check", "run"])
def test_huge_source_is_refused_quickly(cli, tmp_path, cmd):
    # 5 MiB: a string literal that long keeps dtc busy for ~15 s.
    big = tmp_path / "huge.dts"
    big.write_text('/dts-v1/;\n/ { x = "' + "a" * (5 << 20) + '"; };\n')
    args = [big] if cmd == "check" else ["--dts", big, "--quiet"]
    t0 = time.monotonic()
    res = cli(cmd, *args, timeout=25)
    assert time.monotonic() - t0 < 10
    assert res.returncode == 2
    prefix = "ipc-emu: check: " if cmd == "check" else "ipc-emu: "
    assert res.stderr == (f"{prefix}{big}: {big.stat().st_size} bytes is above the 4 MiB limit "
                          "of a devicetree source\n")


@pytest.mark.timeout(30)
def test_mem_limit_raises_the_limit(cli):
    f = DTS / "bad_region_too_big.dts"
    assert cli("check", f, timeout=25).returncode == 2
    res = cli("check", "--mem-limit", "4095", f, timeout=25)
    assert res.returncode == 0, res.stderr
    assert "rx 0x30000000+0x80000000" in res.stdout
    # the image limit too: 0x1ff91000 bytes from the lowest to the end of the highest region
    img = DTS / "bad_image_too_big.dts"
    assert cli("check", "--mem-limit=511", img, timeout=25).returncode == 2
    assert cli("check", "--mem-limit=512", img, timeout=25).returncode == 0


@pytest.mark.timeout(30)
def test_lookalike_instance_warns(cli):
    f = DTS / "warn_compat_typo.dts"
    res = cli("check", f, timeout=25)
    assert res.returncode == 0, res.stderr
    assert res.stderr == (
        f"ipc-emu: check: warning: {f}: /ipc/ipc1: compatible: \"zephyr,ipc-icmsgX\" is not "
        "zephyr,ipc-icmsg or zephyr,ipc-icbmsg, but the node has tx-region/rx-region: not read "
        "as an instance (read as an MBOX consumer)\n")
    assert res.stdout.splitlines()[-1] == (
        "ok: 1 instance, 1 MBOX controller, 1 MBOX consumer, 0 IPM devices")
    quiet = cli("check", "--quiet", f, timeout=25)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == res.stderr


MBOX_ONLY = """/dts-v1/;
/ {
	mbox: mbox { compatible = "vnd,mbox"; #mbox-cells = <1>; };
	mbox_consumer: mbox-consumer {
		compatible = "vnd,mbox-consumer";
		mboxes = <&mbox 4>, <&mbox 5>;
		mbox-names = "tx", "rx";
	};
};
"""


@pytest.mark.timeout(30)
def test_no_instance_says_what_run_does(cli, tmp_path):
    f = tmp_path / "mbox.dts"
    f.write_text(MBOX_ONLY)
    res = cli("check", f, timeout=25)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-2:] == [
        "note: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg instance: 'run' takes user programs "
        "(--host/--remote) and --scenario mbox-pingpong; the other built-in scenarios need an "
        "instance",
        "ok: 0 instances, 1 MBOX controller, 1 MBOX consumer, 0 IPM devices",
    ]
    # with instances there is no note
    ex = cli("check", EXAMPLES / "nrf5340dk_cpuapp.dts", timeout=25)
    assert not any(line.startswith("note:") for line in ex.stdout.splitlines())


NO_INSTANCE = DTS / "good_no_instance.dts"


@pytest.mark.timeout(30)
def test_no_instance_fixture_note(cli):
    res = cli("check", NO_INSTANCE, timeout=25)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-2:] == [
        "note: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg instance: 'run' takes user programs "
        "(--host/--remote) and --scenario ipm-echo, mbox-pingpong; the other built-in "
        "scenarios need an instance",
        "ok: 0 instances, 1 MBOX controller, 1 MBOX consumer, 1 IPM device",
    ]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("scenario", ["ipm-echo", "mbox-pingpong"])
def test_run_without_instance_raw_scenarios(cli, scenario):
    # no region either: run gives the segment a minimal 4096-byte image
    res = cli("run", "--dts", NO_INSTANCE, "--scenario", scenario, "--messages", 200,
              timeout=50)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert "result      PASS: all 400 messages verified" in res.stdout
    assert shm_entries(cli.shm_prefixes) == []


@pytest.mark.timeout(60)
def test_run_without_instance_user_programs(cli, ipc_emu_bin, tmp_path):
    d = Path(ipc_emu_bin).parent / "examples" / "zephyr" / "mbox"
    if not (d / "host").exists():
        pytest.skip("examples/zephyr/mbox not built")
    out = tmp_path / "r.json"
    res = cli("run", "--dts", NO_INSTANCE, "--host", d / "host", "--remote", d / "remote",
              "--json", out, timeout=50)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "result      PASS: both programs exited with status 0" in res.stdout
    assert "REMOTE done" in res.stdout
    rep = json.loads(out.read_text())
    assert rep["ok"] is True and rep["instance"] is None


@pytest.mark.timeout(30)
@pytest.mark.parametrize("scenario", ["echo-stream", "exhaustion"])
def test_run_without_instance_builtin_scenarios_refused(cli, scenario):
    extra = ["--backend", "icbmsg"] if scenario == "exhaustion" else []
    res = cli("run", "--dts", NO_INSTANCE, "--scenario", scenario, *extra, timeout=25)
    assert res.returncode == 2
    assert res.stderr == (
        f"ipc-emu: {NO_INSTANCE}: no zephyr,ipc-icmsg or zephyr,ipc-icbmsg instance: "
        f"--scenario {scenario} needs one (user programs --host/--remote, --scenario ipm-echo "
        "and mbox-pingpong do not)\n")
    assert res.stdout == ""
