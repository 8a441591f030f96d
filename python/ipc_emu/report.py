"""Running `ipc-emu run` and reading its JSON report."""
import json
import os
import subprocess
import tempfile

from . import _native as n

__all__ = ["Report", "run"]


class Report(dict):
    """The parsed JSON report (architecture.md, Reports) plus the run's
    .returncode, .stdout, .stderr and .argv."""

    returncode = None
    stdout = ""
    stderr = ""
    argv = ()

    @property
    def passed(self):
        return self.returncode == 0 and bool(self.get("ok"))

    def __repr__(self):
        return f"<Report rc={self.returncode} ok={self.get('ok')} {dict.__repr__(self)}>"


def run(*args, cli=None, timeout=300.0, env=None, check=False):
    """Run `ipc-emu run --json FILE ARGS...` and return its Report.

    args are strings or numbers (e.g. "--unbound", "enable", "--kill-random",
    2).  check=True raises AssertionError unless it passed (exit 0, ok).
    A run that ends without a report (usage error, exit 2) gives an empty
    Report with its returncode and stderr."""
    cli = cli or n.find_cli()
    if cli is None:
        raise FileNotFoundError("ipc-emu CLI not found (set IPC_EMU_BIN)")
    fd, path = tempfile.mkstemp(prefix="ipc-emu-report-", suffix=".json")
    os.close(fd)
    os.unlink(path)  # the CLI writes it; absent = no report
    argv = [cli, "run", "--json", path, *map(str, args)]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout, env=env)
        r = Report()
        try:
            with open(path) as f:
                r.update(json.load(f))
        except FileNotFoundError:
            pass
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    r.returncode, r.stdout, r.stderr, r.argv = p.returncode, p.stdout, p.stderr, tuple(argv)
    if check and not r.passed:
        raise AssertionError(f"ipc-emu run {' '.join(map(str, args))} failed "
                             f"(exit {p.returncode}):\n{p.stdout}\n{p.stderr}")
    return r
