"""`ipc-emu check` with more than two cores (docs/multicore.md, "check").

Three files or more, or any `--core NAME=FILE`, make a topology: the summary
lists cores, links and the SoC's IPC memory; a malformed topology is refused
with one line naming the files and nodes (exit 2, nothing on stdout).  Two
files without --core stay the two-core pair check.  Every command runs in the
source tree, so messages name files as a user typing them would.
"""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EX = "examples/nrf54h20/"
TD = "tests/dts/topo/"
APP, RAD, PPR, FLPR = (EX + f for f in ("cpuapp.dts", "cpurad.dts", "cpuppr.dts", "cpuflpr.dts"))
EXAMPLE = [APP, RAD, PPR, FLPR]

SUMMARY = [
    f"core cpuapp: {APP}, 4 links (cpuapp-cpurad.cpuapp_cpurad_ipc, "
    "cpuapp-cpurad.cpuapp_cpurad_icmsg, cpuapp-cpuppr.cpuapp_cpuppr_ipc, "
    "cpuapp-cpuflpr.cpuapp_cpuflpr_ipc)",
    f"core cpurad: {RAD}, 2 links (cpuapp-cpurad.cpuapp_cpurad_ipc, "
    "cpuapp-cpurad.cpuapp_cpurad_icmsg)",
    f"core cpuppr: {PPR}, 1 link (cpuapp-cpuppr.cpuapp_cpuppr_ipc)",
    f"core cpuflpr: {FLPR}, 1 link (cpuapp-cpuflpr.cpuapp_cpuflpr_ipc)",
    "link cpuapp-cpurad.cpuapp_cpurad_ipc: cpuapp -> cpurad, cpuapp_cpurad_ipc (/ipc/ipc-2-3): "
    "icbmsg, tx 0x2f0bf000+0x800, rx 0x2f0bf800+0x800, mboxes tx 12 rx 18 on ipc_mbox, "
    "dcache-alignment 32, icbmsg-version classic, tx-blocks 32 x 44 bytes, rx-blocks 32 x 44 "
    "bytes",
    "link cpuapp-cpurad.cpuapp_cpurad_icmsg: cpuapp -> cpurad, cpuapp_cpurad_icmsg "
    "(/ipc/ipc-2-3-icmsg): icmsg, tx 0x2f0bd000+0x800, rx 0x2f0bd800+0x800, mboxes tx 11 rx 17 "
    "on ipc_mbox, dcache-alignment 32, unbound enable",
    "link cpuapp-cpuppr.cpuapp_cpuppr_ipc: cpuapp -> cpuppr, cpuapp_cpuppr_ipc (/ipc/ipc-2-13): "
    "icmsg, tx 0x2fc0f800+0x400, rx 0x2fc0fc00+0x400, mboxes tx 22 rx 13 on ipc_mbox, "
    "dcache-alignment 32, unbound enable",
    "link cpuapp-cpuflpr.cpuapp_cpuflpr_ipc: cpuapp -> cpuflpr, cpuapp_cpuflpr_ipc "
    "(/ipc/ipc-2-14): icmsg, tx 0x2f89b800+0x400, rx 0x2f89bc00+0x400, mboxes tx 16 rx 14 on "
    "ipc_mbox, dcache-alignment 32, unbound enable",
    "soc: IPC memory 0x2f0bd000+0xb53000 (the regions of all links)",
    "ok: 4 cores, 4 links",
]


def check(cli, *args):
    """ipc-emu check ARGS, run in the source tree."""
    p = cli.start("check", *args, cwd=ROOT)
    try:
        out, err = p.communicate(timeout=25)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        pytest.fail(f"ipc-emu check {' '.join(args)} did not finish in 25 s")
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


@pytest.mark.timeout(30)
def test_example_passes(cli):
    res = check(cli, *EXAMPLE)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert res.stdout.splitlines() == SUMMARY


@pytest.mark.timeout(30)
def test_dts_list_and_quiet(cli):
    res = check(cli, "--dts", ",".join(EXAMPLE))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == SUMMARY
    quiet = check(cli, "--quiet", f"--dts={','.join(EXAMPLE)}")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


@pytest.mark.timeout(30)
def test_core_names(cli):
    res = check(cli, "--core", f"app={APP}", "--core=rad=" + RAD, PPR, "--core", f"flpr={FLPR}")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"core app: {APP}, 4 links (app-rad.cpuapp_cpurad_ipc, ")
    assert lines[2] == f"core cpuppr: {PPR}, 1 link (app-cpuppr.cpuapp_cpuppr_ipc)"
    assert lines[7].startswith("link app-flpr.cpuapp_cpuflpr_ipc: app -> flpr, ")
    assert lines[-1] == "ok: 4 cores, 4 links"


@pytest.mark.timeout(30)
def test_two_files_stay_a_pair_check(cli):
    """Without --core, two files are the two-core check of today; with it, a topology."""
    pair = check(cli, APP, FLPR)
    assert pair.returncode == 2
    assert pair.stdout == ""
    assert pair.stderr == (f"ipc-emu: check: {FLPR}: /: label: no instance labelled "
                           f"\"cpuapp_cpurad_ipc\" ({APP} has /ipc/ipc-2-3)\n")
    alone = check(cli, FLPR)
    assert alone.returncode == 0 and alone.stdout.splitlines()[0] == f"host: {FLPR}"
    topo = check(cli, "--core", f"a={TD}ovl_x.dts", f"{TD}ovl_y.dts")
    assert topo.returncode == 0, topo.stderr
    assert topo.stdout.splitlines()[-2:] == [
        "soc: IPC memory 0x2f89a000+0x2000 (the regions of all links)", "ok: 2 cores, 1 link"]


@pytest.mark.timeout(30)
def test_consumers_and_ipm_devices_warn(cli):
    res = check(cli, APP, RAD, PPR, TD + "consumer_flpr.dts")
    assert res.returncode == 0, res.stderr
    assert res.stderr == (
        f"ipc-emu: check: warning: {TD}consumer_flpr.dts: /mbox-consumer: MBOX consumer "
        "\"mbox_consumer\" belongs to no link: a multi-core topology does not run it\n"
        "ipc-emu: check: warning: 1 more warning\n")
    assert res.stdout.splitlines()[-1] == "ok: 4 cores, 4 links"


REFUSALS = [
    ("dangling", [APP, RAD, PPR],
     f"{APP}: /ipc/ipc-2-14: tx-region /reserved-memory/memory@2f89b800 (0x2f89b800+0x400) is "
     f"used by no instance of another core ({RAD}, {PPR})"),
    ("half-match", [APP, RAD, PPR, TD + "half_flpr.dts"],
     f"{APP}: /ipc/ipc-2-14: tx-region /reserved-memory/memory@2f89b800 (0x2f89b800+0x400) is "
     f"the rx-region of {TD}half_flpr.dts /ipc/ipc-2-14, but its rx-region "
     "/reserved-memory/memory@2f89bc00 (0x2f89bc00+0x400) is not that instance's tx-region "
     "(0x2f89b000+0x400)"),
    ("claimed-by-two", EXAMPLE + ["--core", f"flpr2={FLPR}"],
     f"{APP}: /ipc/ipc-2-14: its regions (tx-region /reserved-memory/memory@2f89b800 "
     "0x2f89b800+0x400, rx-region /reserved-memory/memory@2f89bc00 0x2f89bc00+0x400) are "
     f"claimed by {FLPR} /ipc/ipc-2-14 and {FLPR} /ipc/ipc-2-14 (a region pair links two cores "
     "only)"),
    ("channel-of-two-links", [APP, RAD, TD + "chan_ppr.dts", FLPR],
     f"{APP}: /soc/mbox@0: channel 12 is used by two links of this core: to {RAD} /ipc/ipc-2-3 "
     f"(cpuapp-cpurad.cpuapp_cpurad_ipc) and to {TD}chan_ppr.dts /ipc/ipc-2-13 "
     "(cpuapp-chan_ppr.cpuapp_cpuppr_ipc)"),
    ("overlap", EXAMPLE + [TD + "ovl_x.dts", TD + "ovl_y.dts"],
     f"{TD}ovl_x.dts: /ipc/xy: rx-region /reserved-memory/memory@2f89b000 (0x2f89b000+0x1000) "
     "overlaps the tx-region /reserved-memory/memory@2f89b800 (0x2f89b800+0x400) of "
     f"{APP} /ipc/ipc-2-14 (links ovl_x-ovl_y.xy and cpuapp-cpuflpr.cpuapp_cpuflpr_ipc)"),
    ("core-without-link", [APP, RAD, PPR, FLPR, TD + "noinst.dts"],
     f"{TD}noinst.dts: has no ICMsg/ICBMsg instance, so no link to another core (a core of a "
     "topology needs one)"),
    ("pair-check", [APP, RAD, PPR, TD + "disable_flpr.dts"],
     f"link cpuapp-disable_flpr.cpuapp_cpuflpr_ipc: {TD}disable_flpr.dts: /ipc/ipc-2-14: "
     f"unbound: \"disable\" cannot pair with \"enable\" of {APP} /ipc/ipc-2-14 (disable and "
     "enable are incompatible; detect pairs with both)"),
    ("link-rule", ["--core", f"a={TD}small_a.dts", "--core", f"b={TD}small_b.dts"],
     f"link a-b.small: {TD}small_a.dts: /ipc/small: tx-region: /reserved-memory/memory@20000000: "
     "size 0x18 leaves a 16-byte ring, too small for the 13-byte bonding magic of unbound "
     "\"disable\" (needs 0x20: max(dcache-alignment, 4) + 4 + 24)"),
    ("duplicate-name", [APP, "--core", f"cpuapp={RAD}", PPR],
     f"{APP} and {RAD}: both cores are named \"cpuapp\" (core names must differ: --core "
     "NAME=FILE)"),
    ("bad-name", [APP, RAD, "--core", f"cpu-ppr={PPR}"],
     f"{PPR}: core name \"cpu-ppr\" is not 1 to 31 characters of [A-Za-z0-9_]"),
    ("one-core", ["--core", f"app={APP}"],
     "1 devicetree: a multi-core topology takes 2 to 8 cores, one devicetree each"),
    ("nine-cores", EXAMPLE + EXAMPLE + [APP],
     "9 devicetrees: a multi-core topology takes 2 to 8 cores, one devicetree each"),
    ("missing-file", [APP, RAD, TD + "nope.dts"], f"{TD}nope.dts: No such file or directory"),
]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args, message", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refused(cli, args, message):
    res = check(cli, *args)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == f"ipc-emu: check: {message}\n"


@pytest.mark.timeout(30)
def test_file_name_that_is_no_core_name(cli, tmp_path):
    bad = tmp_path / "cpu-app.dts"
    bad.write_text((ROOT / APP).read_text())
    res = check(cli, str(bad), RAD, PPR, FLPR)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == (f"ipc-emu: check: {bad}: core name \"cpu-app\" (the file name) is not 1 "
                          "to 31 characters of [A-Za-z0-9_]: name the core with --core "
                          "NAME=FILE\n")
    named = check(cli, "--core", f"app={bad}", RAD, PPR, FLPR)
    assert named.returncode == 0, named.stderr


@pytest.mark.timeout(30)
@pytest.mark.parametrize("args, message", [
    (["--core"], "--core needs NAME=FILE"),
    (["--core", "app"], "--core takes NAME=FILE, not 'app'"),
    (["--core", "=a.dts"], "--core takes NAME=FILE, not '=a.dts'"),
    (["--core=app=", APP], "--core takes NAME=FILE, not 'app='"),
    (["--dts", f"{APP},,{RAD}"], "empty file name"),
    (["a.dts"] * 17, "more than 16 devicetree files"),
], ids=["core-no-arg", "core-no-equals", "core-no-name", "core-no-file", "dts-empty", "17-files"])
def test_usage_errors(cli, args, message):
    res = check(cli, *args)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == f"ipc-emu: check: {message} (see 'ipc-emu check --help')\n"


@pytest.mark.timeout(30)
def test_help_teaches_the_multicore_form(cli):
    res = check(cli, "--help")
    assert res.returncode == 0 and res.stderr == ""
    for word in ("ipc-emu check [--quiet] [--mem-limit MIB] A.dts B.dts C.dts ...",
                 "--core NAME=FILE", "more than two cores", "dangling", "claimed by two cores",
                 "examples/nrf54h20/cpuflpr.dts"):
        assert word in res.stdout, word
