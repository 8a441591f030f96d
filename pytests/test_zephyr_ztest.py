"""Zephyr ztest programs under `ipc-emu run`: <zephyr/ztest.h> prints
Zephyr's ztest lines, the supervisor reads them into the JSON report
("ztest", "ztest_summary"), a summary line, the verdict and --junit XML."""
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

EXAMPLE_TESTS = ["test_echo_binary_sizes", "test_echo_exact_payload", "test_open_again_is_ok",
                 "test_send_empty_is_enodata", "test_unknown_label_has_no_binding"]


@pytest.fixture
def example(ipc_emu_bin):
    d = Path(ipc_emu_bin).parent / "examples" / "zephyr" / "ztest"
    if not (d / "host").exists():
        pytest.skip("example pair 'ztest' not built")
    return str(d / "host"), str(d / "remote")



IDLE = "int main(void) { return 0; }\n"

MIXED = r"""
#include <zephyr/ztest.h>

struct mixed_fixture { int value; };
static struct mixed_fixture fx;
static int before_calls, after_calls;

static void *mixed_setup(void) { fx.value = 42; return &fx; }
static void mixed_before(void *f) { before_calls++; }
static void mixed_after(void *f) { after_calls++; }

ZTEST_SUITE(mixed, NULL, mixed_setup, mixed_before, mixed_after, NULL);

ZTEST_F(mixed, test_a_fixture) { zassert_equal(fixture->value, 42); }
ZTEST(mixed, test_b_fails)
{
    int rc = -5;
    zassert_equal(rc, 0, "send returned %d", rc);
    printk("not reached\n");
}
ZTEST(mixed, test_c_assume) { zassume_true(1 == 2, "no such hardware"); }
ZTEST(mixed, test_d_skip) { ztest_test_skip(); }
ZTEST(mixed, test_e_expect)
{
    zexpect_equal(1, 2);
    printk("after expect\n");
}
ZTEST_USER(mixed, test_f_counts) { zassert_equal(before_calls, 6); zassert_equal(after_calls, 5); }
ZTEST(mixed, test_g_str) { zassert_str_equal("abc", "abc"); zassert_within(10, 12, 2); }

ZTEST_SUITE(aaa_first, NULL, NULL, NULL, NULL, NULL);
ZTEST(aaa_first, test_only) { zassert_true(true); }
"""


def run(cli, host, remote, tmp_path, *extra):
    rep = tmp_path / "r.json"
    r = cli("run", "--json", rep, "--host", host, "--remote", remote, *extra, timeout=60)
    return r, json.loads(rep.read_text())


def test_example_suite_passes_with_per_test_results(cli, example, tmp_path):
    host, remote = example
    xml = tmp_path / "junit.xml"
    r, j = run(cli, host, remote, tmp_path, "--junit", xml)
    assert r.returncode == 0, r.stdout + r.stderr
    assert j["ok"] is True
    assert [(t["core"], t["boot"], t["suite"], t["test"], t["result"]) for t in j["ztest"]] == [
        ("host", 1, "ipc_echo", name, "pass") for name in EXAMPLE_TESTS]
    assert all(t["message"] == "" and t["duration_s"] >= 0.001 for t in j["ztest"])
    assert j["ztest_summary"] == {"tests": 5, "passed": 5, "failed": 0, "skipped": 0}
    assert "  ztest       5 tests: 5 passed, 0 failed, 0 skipped" in r.stdout.splitlines()
    # The program's lines come through the supervisor unchanged and in order.
    out = r.stdout.splitlines()
    assert out[0] == "Running TESTSUITE ipc_echo"
    assert out[1] == "=" * 67
    assert out[2:5] == ["START - test_echo_binary_sizes",
                        out[3], "=" * 67]
    assert re.fullmatch(r" PASS - test_echo_binary_sizes in \d+\.\d{3} seconds", out[3])
    assert "TESTSUITE ipc_echo succeeded" in out
    assert "PROJECT EXECUTION SUCCESSFUL" in out
    assert "<inf> remote: echo done" in out
    # JUnit: exact structure and values (times normalised).
    text = re.sub(r'time="\d+\.\d{3}"', 'time="T"', xml.read_text())
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="ipc-emu" tests="5" failures="0" errors="0" skipped="0" time="T">\n'
        '  <testsuite name="host.ipc_echo" tests="5" failures="0" errors="0" skipped="0" '
        'time="T">\n'
        + "".join(f'    <testcase classname="ipc_echo" name="{n}" time="T"/>\n'
                  for n in EXAMPLE_TESTS)
        + '  </testsuite>\n</testsuites>\n')
    ET.parse(xml)  # well-formed


def test_failing_assert_fails_the_run_naming_the_test(cli, build, tmp_path):
    host = build("mixed", MIXED)
    idle = build("idle", IDLE)
    xml = tmp_path / "junit.xml"
    r, j = run(cli, host, idle, tmp_path, "--junit", xml)
    assert r.returncode == 1, r.stdout + r.stderr
    got = [(t["suite"], t["test"], t["result"]) for t in j["ztest"]]
    assert got == [("aaa_first", "test_only", "pass"),
                   ("mixed", "test_a_fixture", "pass"), ("mixed", "test_b_fails", "fail"),
                   ("mixed", "test_c_assume", "skip"), ("mixed", "test_d_skip", "skip"),
                   ("mixed", "test_e_expect", "fail"), ("mixed", "test_f_counts", "pass"),
                   ("mixed", "test_g_str", "pass")]
    src = str(tmp_path / "mixed.c")
    fail = j["ztest"][2]["message"]
    assert re.fullmatch(rf"Assertion failed at {re.escape(src)}:\d+: mixed_test_b_fails: "
                        r"\(rc not equal to 0\)", fail), fail
    assert j["ztest"][3]["message"].startswith("Assumption failed at ")
    assert j["ztest"][3]["message"].endswith(": mixed_test_c_assume: (1 == 2 is false)")
    assert j["ztest"][5]["message"].endswith(": mixed_test_e_expect: 1 not equal to 2")
    assert j["ztest_summary"] == {"tests": 8, "passed": 4, "failed": 2, "skipped": 2}
    assert j["ok"] is False
    assert "ztest: host test mixed.test_b_fails failed: Assertion failed at" in j["reason"]
    assert "ztest: host test mixed.test_e_expect failed" in j["reason"]
    assert "host program exited with status 1" in j["reason"]
    out = r.stdout.splitlines()
    assert "send returned -5" in out
    assert "not reached" not in out           # zassert ended the test
    assert "after expect" in out              # zexpect did not
    assert "TESTSUITE mixed failed." in out
    assert "TESTSUITE aaa_first succeeded" in out
    assert "SUITE FAIL -  66.67% [mixed]: pass = 4, fail = 2, skip = 2, total = 8 " \
           "duration" not in r.stdout  # (per suite: 7 tests in mixed)
    assert re.search(r"^SUITE FAIL -  60\.00% \[mixed\]: pass = 3, fail = 2, skip = 2, "
                     r"total = 7 duration = \d+\.\d{3} seconds$", r.stdout, re.M), r.stdout
    assert re.search(r"^SUITE PASS - 100\.00% \[aaa_first\]: pass = 1, fail = 0, skip = 0, "
                     r"total = 1 duration = \d+\.\d{3} seconds$", r.stdout, re.M)
    assert re.search(r"^ - SKIP - \[mixed\.test_d_skip\] duration = \d+\.\d{3} seconds$",
                     r.stdout, re.M)
    assert out[-1].startswith("  result      FAIL: ")
    assert "PROJECT EXECUTION FAILED" in out
    assert "  ztest       8 tests: 4 passed, 2 failed, 2 skipped" in out
    root = ET.parse(xml).getroot()
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("skipped")) == (
        "testsuites", "8", "2", "2")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["host.aaa_first", "host.mixed"]
    cases = {c.get("name"): c for c in suites[1].findall("testcase")}
    f = cases["test_b_fails"].find("failure")
    assert f.get("message") == fail
    assert "send returned -5" in f.text
    assert cases["test_c_assume"].find("skipped").get("message").startswith("Assumption")
    assert cases["test_d_skip"].find("skipped").get("message") == ""
    assert cases["test_a_fixture"].find("failure") is None


def test_program_exit_status_is_the_project_result(build, tmp_path):
    """Without the supervisor too: 0 when every test passed, 1 otherwise."""
    ok = build("ok", "#include <zephyr/ztest.h>\nZTEST_SUITE(s, NULL, NULL, NULL, NULL, NULL);\n"
                     "ZTEST(s, test_x) { zassert_ok(0); }\n")
    bad = build("bad", "#include <zephyr/ztest.h>\nZTEST_SUITE(s, NULL, NULL, NULL, NULL, NULL);\n"
                       "ZTEST(s, test_x) { zassert_unreachable(\"boom %d\", 7); }\n")
    r = subprocess.run([ok], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "PROJECT EXECUTION SUCCESSFUL"
    r = subprocess.run([bad], capture_output=True, text=True, timeout=20)
    assert r.returncode == 1 and r.stdout.splitlines()[-1] == "PROJECT EXECUTION FAILED"
    assert "boom 7" in r.stdout.splitlines()
    assert re.search(r"^    Assertion failed at .*bad\.c:3: s_test_x: \(Reached unreachable "
                     r"code\)$", r.stdout, re.M), r.stdout


def test_output_line_formats(build):
    """Zephyr's exact ztest line formats (tc_util.h / ztest.c)."""
    prog = build("fmt", "#include <zephyr/ztest.h>\n"
                        "static bool never(const void *s) { return false; }\n"
                        "ZTEST_SUITE(skipped_suite, never, NULL, NULL, NULL, NULL);\n"
                        "ZTEST(skipped_suite, test_never) { }\n"
                        "ZTEST_SUITE(fmt, NULL, NULL, NULL, NULL, NULL);\n"
                        "ZTEST(fmt, test_pass) { }\n")
    r = subprocess.run([prog], capture_output=True, text=True, timeout=20)
    line = "=" * 67
    out = re.sub(r"\d+\.\d{3} seconds", "D seconds", r.stdout)
    assert out == (
        f"Running TESTSUITE fmt\n{line}\nSTART - test_pass\n PASS - test_pass in D seconds\n"
        f"{line}\nTESTSUITE fmt succeeded\n"
        "ERROR: Test suite 'skipped_suite' did not run.\n"
        "\n------ TESTSUITE SUMMARY START ------\n\n"
        "SUITE PASS - 100.00% [fmt]: pass = 1, fail = 0, skip = 0, total = 1 duration = "
        "D seconds\n - PASS - [fmt.test_pass] duration = D seconds\n\n"
        "SUITE SKIP -   0.00% [skipped_suite]: pass = 0, fail = 0, skip = 1, total = 1 "
        "duration = D seconds\n - SKIP - [skipped_suite.test_never] duration = D seconds\n\n"
        f"------ TESTSUITE SUMMARY END ------\n\n{line}\nPROJECT EXECUTION FAILED\n")
    assert r.returncode == 1


def test_custom_test_main(build):
    prog = build("tm", "#include <zephyr/ztest.h>\n"
                       "static bool only_b(const void *s) { return s != NULL; }\n"
                       "ZTEST_SUITE(a, NULL, NULL, NULL, NULL, NULL);\n"
                       "ZTEST(a, test_1) { }\n"
                       "ZTEST_SUITE(b, only_b, NULL, NULL, NULL, NULL);\n"
                       "ZTEST(b, test_2) { }\n"
                       "void test_main(void) { ztest_run_test_suites(\"state\", false, 1, 1); }\n")
    r = subprocess.run([prog], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stdout
    assert [ln for ln in r.stdout.splitlines() if ln.startswith("Running")] == [
        "Running TESTSUITE a", "Running TESTSUITE b"]


def test_program_dying_in_a_test_fails_that_test(cli, build, tmp_path):
    host = build("dies", "#include <zephyr/ztest.h>\n#include <stdlib.h>\n"
                         "ZTEST_SUITE(s, NULL, NULL, NULL, NULL, NULL);\n"
                         "ZTEST(s, test_abort) { abort(); }\n")
    r, j = run(cli, host, build("idle", IDLE), tmp_path)
    assert r.returncode == 1
    assert [(t["test"], t["result"], t["message"]) for t in j["ztest"]] == [
        ("test_abort", "fail", "the program ended during the test (exit status 134)")]
    assert 'ztest: host program ended without "PROJECT EXECUTION"' in j["reason"]


PAIR_HOST = r"""
#include <zephyr/ztest.h>

ZTEST_SUITE(host_side, NULL, NULL, NULL, NULL, NULL);
ZTEST(host_side, test_h_one) { zassert_equal(2 + 2, 4); }
ZTEST(host_side, test_h_two) { zassert_true(true); }
"""

PAIR_REMOTE = r"""
#include <stdlib.h>
#include <string.h>
#include <zephyr/ztest.h>
#include <zephyr/sys/reboot.h>

ZTEST_SUITE(remote_side, NULL, NULL, NULL, NULL, NULL);
ZTEST(remote_side, test_r_a_first) { zassert_equal(1, 1); }
ZTEST(remote_side, test_r_b_reboots_in_boot_1)
{
    const char *boot = getenv("IPC_EMU_BOOT");

    zassert_not_null(boot);
    if (strcmp(boot, "1") == 0) {
        printk("rebooting in test_r_b\n");
        sys_reboot(SYS_REBOOT_COLD);
    }
    zassert_str_equal(boot, "2");
}
ZTEST(remote_side, test_r_c_after) { zassert_true(true); }
"""


def test_remote_suite_and_a_test_cut_short_by_sys_reboot(cli, build, tmp_path):
    """Both cores run a ztest suite: the remote's results carry core
    "remote" in the JSON and are the JUnit suite remote.SUITE.  A test cut
    short by sys_reboot() is not recorded; the remote's next incarnation
    runs its suite again and its results carry boot 2."""
    host = build("pair_host", PAIR_HOST)
    remote = build("pair_remote", PAIR_REMOTE)
    xml = tmp_path / "junit.xml"
    r, j = run(cli, host, remote, tmp_path, "--junit", xml)
    assert r.returncode == 0, r.stdout + r.stderr
    assert j["ok"] is True
    assert j["program_reboots"] == {"host": 0, "remote": 1}
    got = [(t["core"], t["boot"], t["suite"], t["test"], t["result"]) for t in j["ztest"]]
    assert sorted(got) == [
        ("host", 1, "host_side", "test_h_one", "pass"),
        ("host", 1, "host_side", "test_h_two", "pass"),
        ("remote", 1, "remote_side", "test_r_a_first", "pass"),
        ("remote", 2, "remote_side", "test_r_a_first", "pass"),
        ("remote", 2, "remote_side", "test_r_b_reboots_in_boot_1", "pass"),
        ("remote", 2, "remote_side", "test_r_c_after", "pass")], got
    assert j["ztest_summary"] == {"tests": 6, "passed": 6, "failed": 0, "skipped": 0}
    assert "rebooting in test_r_b" in r.stdout.splitlines()
    root = ET.parse(xml).getroot()
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("skipped")) == (
        "testsuites", "6", "0", "0")
    suites = {s.get("name"): sorted(c.get("name") for c in s.findall("testcase"))
              for s in root.findall("testsuite")}
    assert suites == {"host.host_side": ["test_h_one", "test_h_two"],
                      "remote.remote_side": ["test_r_a_first", "test_r_a_first (boot 2)",
                                             "test_r_b_reboots_in_boot_1", "test_r_c_after"]}, \
        xml.read_text()
