"""sys_reboot() (<zephyr/sys/reboot.h>) and --kill-random with user programs:
a reboot restarts the program with a new boot count (IPC_EMU_BOOT) and is
reported apart from crashes and restarts."""
import json
import subprocess

import pytest

pytestmark = pytest.mark.timeout(60)

REBOOTER = r"""
#include <zephyr/kernel.h>
#include <zephyr/sys/reboot.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    const char *boot = getenv("IPC_EMU_BOOT");

    printk("boot %s args %d %s\n", boot ? boot : "?", argc, argc > 1 ? argv[1] : "-");
    if (boot != NULL && atoi(boot) == 1) {
        printf("stdio line before the reboot\n");  /* still buffered: a pipe */
        sys_reboot(SYS_REBOOT_COLD);
    }
    printk("finished\n");
    return 0;
}
"""



def test_sys_reboot_restarts_the_program_with_the_next_boot_count(cli, build, tmp_path):
    prog = build("rebooter", REBOOTER)
    rep = tmp_path / "r.json"
    r = cli("run", "--json", rep, "--host", prog, "--remote", "/bin/true", "--", "x", timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [ln for ln in r.stdout.splitlines() if not ln.startswith(("ipc-emu run", "  "))]
    assert lines == ["boot 1 args 2 x", "stdio line before the reboot", "boot 2 args 2 x",
                     "finished"]
    j = json.loads(rep.read_text())
    assert j["ok"] is True
    assert j["reboots"] == 1
    assert j["program_reboots"] == {"host": 1, "remote": 0}
    assert j["program_boots"] == {"host": 2, "remote": 1}
    assert j["crashes_injected"] == 0 and j["restarts"] == 0
    assert "crashes injected 0  restarts 0  reboots 1" in r.stdout


def test_exit_status_alone_is_not_a_reboot(cli, tmp_path):
    """235 without the reboot record is an ordinary failing exit."""
    rep = tmp_path / "r.json"
    r = cli("run", "--json", rep, "--host", "/bin/sh", "--remote", "/bin/true",
            "--", "-c", "exit 235")
    assert r.returncode == 1
    j = json.loads(rep.read_text())
    assert j["reboots"] == 0 and j["program_boots"] == {"host": 1, "remote": 1}
    assert j["ok"] is False and j["peers"][0]["exit_status"] == 235


def test_sys_reboot_without_the_supervisor(build):
    prog = build("rebooter", REBOOTER)
    r = subprocess.run([prog], env={"IPC_EMU_BOOT": "1"}, capture_output=True, text=True,
                       timeout=20)
    assert r.returncode == 2
    assert r.stdout.splitlines() == ["boot 1 args 1 -", "stdio line before the reboot"]
    assert "ipc-emu: sys_reboot(): no supervisor to restart this program" in r.stderr


# --kill-random with user programs: test_zephyr_app.py::test_host_kills_are_survived.
# (The simple pair finishes in a few tens of milliseconds, so whether all of
# its timed kills land before it ends depends on the machine's speed.)


def test_kill_role_is_checked(cli):
    r = cli("run", "--kill-role", "both")
    assert r.returncode == 2
    assert "--kill-role wants host, remote or any, not 'both'" in r.stderr
