#!/usr/bin/env python3
"""bench-multicore.py - per-link speed with 2, 3, 4 and 8 cores (a benchmark, not a test).

For each core count N, a star topology (scripts/gen-topology.py: cpu0 linked to
each of cpu1 .. cpuN-1, one ICMsg link each, session mode) runs under
`ipc-emu run --dts ...` (the multi-core run: one process per core, every link at
once).  Each run's JSON gives every link's echo round-trip time (p50) and its
stream throughput (messages per second, both directions).  The core counts are
measured in interleaved rounds (2, 3, 4, 8, 2, 3, ...), so a burst of load on
the machine falls on all of them; each figure is the median over rounds of the
median over links, reported as a ratio to the two-core figure of the same
invocation.  Two cores go through the same multi-core run (`--core` spelling);
the classic two-core `run --dts A,B` of the same pair is measured beside it as
the baseline of the multi-core machinery itself.

Idle cost: for each core count, one process per core opens all of that core's
links with the library (the Python harness: each link's pair of files from
gen-topology.py --pair-files, the hub as host of every link), waits until every
link is bound, then idles for --idle-s seconds; the CPU time of each process
over that window (/proc/PID/schedstat, all threads) is reported as a percentage
of one CPU, the worst core and the hub.

    scripts/bench-multicore.py [--cli build/ipc-emu] [--rounds 5] [--messages 20000]

Prints a table and, with --json FILE, writes the figures.  No figure is a pass
or fail: the machine's load decides them (docs/multicore.md, "Scale").
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def gen(n, out):
    subprocess.run([sys.executable, os.path.join(HERE, "gen-topology.py"), "--cores", str(n),
                    "--out", out, "--pair-files"], check=True, stdout=subprocess.DEVNULL)
    return [os.path.join(out, f"cpu{i}.dts") for i in range(n)]


def run(cli, args, messages):
    cmd = [cli, "run"] + args + ["--messages", str(messages), "--quiet", "--json", "-"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"bench-multicore: {' '.join(cmd)}: exit {p.returncode}: "
                 f"{p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ''}")
    return json.loads(p.stdout)


def link_figures(rep):
    """[(rtt p50 us, messages/s)] of every link of a report (multi-core or two-core)."""
    links = rep["links"] if rep.get("mode") == "multicore" else [rep]
    return [(l["latency_us"]["p50"], l["throughput"]["messages_per_s"]) for l in links]


IDLE_CORE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from ipc_emu import Harness
links = sys.argv[3:]           # "SEGMENT:HOSTFILE:REMOTEFILE:LABEL"
role = sys.argv[2]
hs, eps = [], []
for spec in links:
    seg, hf, rf, label = spec.split(":")
    h = Harness(dts=hf, dts_remote=rf)
    if role == "host":
        h.create_segment(seg)
    else:
        h.attach_segment(seg)
    h.start(role)
    hs.append(h)
    eps.append(h.open(label, "ep0"))
for e in eps:
    e.wait_bound(timeout=30)
print("bound", flush=True)
sys.stdin.readline()
for h in hs:
    h.close()
"""


def cpu_ns(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def idle_cost(cli, n, files_dir, idle_s):
    """[% of a CPU] of each core process of the star of n cores, idle and bound."""
    py = os.path.join(HERE, "..", "python")
    tag = f"ipc-emu-bench-idle-{os.getpid()}-{n}"
    links = [(f"{tag}-{k}", os.path.join(files_dir, f"link{k}.dts"),
              os.path.join(files_dir, f"cpu{k}.dts"), f"ipc_cpu{k}") for k in range(1, n)]
    spec = [":".join(l) for l in links]
    env = dict(os.environ, IPC_EMU_BIN=os.path.abspath(cli))
    procs = [subprocess.Popen([sys.executable, "-c", IDLE_CORE, py, "host"] + spec,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)]
    for k in range(1, n):
        procs.append(subprocess.Popen([sys.executable, "-c", IDLE_CORE, py, "remote",
                                       spec[k - 1]],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                      env=env))
    try:
        for p in procs:
            if p.stdout.readline().strip() != "bound":
                sys.exit(f"bench-multicore: idle cost: a core of {n} did not bind")
        t0 = time.monotonic()
        c0 = [cpu_ns(p.pid) for p in procs]
        time.sleep(idle_s)
        c1 = [cpu_ns(p.pid) for p in procs]
        wall = time.monotonic() - t0
    finally:
        for p in procs:
            try:
                p.stdin.write("\n")
                p.stdin.flush()
            except OSError:
                pass
        for p in procs:
            p.wait(timeout=30)
    return [100.0 * (b - a) / 1e9 / wall for a, b in zip(c0, c1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", default=os.path.join(HERE, "..", "build", "ipc-emu"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--cores", default="2,3,4,8")
    ap.add_argument("--idle-s", type=float, default=3.0,
                    help="idle window of the idle-cost measure (0: skip it)")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()
    counts = [int(x) for x in a.cores.split(",")]
    if 2 not in counts or any(not 2 <= n <= 8 for n in counts):
        sys.exit("bench-multicore: --cores: a list of 2..8 that includes 2 (the baseline)")
    tmp = tempfile.mkdtemp(prefix="ipc-emu-bench-mc-")
    files = {n: gen(n, os.path.join(tmp, f"star{n}")) for n in counts}
    variants = [("two-core run", ["--dts", ",".join(files[2])])]
    for n in counts:
        spec = []
        for i, f in enumerate(files[n]):
            spec += ["--core", f"cpu{i}={f}"]
        variants.append((f"{n} cores", spec))
    samples = {name: [] for name, _ in variants}
    for r in range(a.rounds):
        for name, args in variants:
            figs = link_figures(run(a.cli, args, a.messages))
            samples[name].append((statistics.median(f[0] for f in figs),
                                  statistics.median(f[1] for f in figs), len(figs)))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
    base = samples["2 cores"]
    b_rtt = statistics.median(s[0] for s in base)
    b_thr = statistics.median(s[1] for s in base)
    rows = []
    print(f"{'topology':<14} {'links':>5} {'rtt p50 us':>11} {'x 2 cores':>9} "
          f"{'msg/s per link':>15} {'x 2 cores':>9}")
    for name, _ in variants:
        rtt = statistics.median(s[0] for s in samples[name])
        thr = statistics.median(s[1] for s in samples[name])
        links = samples[name][0][2]
        rows.append({"topology": name, "links": links, "rtt_p50_us": rtt,
                     "rtt_ratio": rtt / b_rtt, "messages_per_s": thr,
                     "throughput_ratio": thr / b_thr})
        print(f"{name:<14} {links:>5} {rtt:>11.1f} {rtt / b_rtt:>9.2f} {thr:>15.0f} "
              f"{thr / b_thr:>9.2f}")
    idle = []
    if a.idle_s > 0:
        print(f"\nidle cost, bound links, {a.idle_s:.1f} s: % of one CPU per core process")
        print(f"{'topology':<14} {'hub':>7} {'worst':>7} {'all cores':>30}")
        for n in counts:
            pct = idle_cost(a.cli, n, os.path.join(tmp, f"star{n}"), a.idle_s)
            idle.append({"cores": n, "hub_percent": pct[0], "worst_percent": max(pct),
                         "percent": pct})
            print(f"{str(n) + ' cores':<14} {pct[0]:>7.3f} {max(pct):>7.3f} "
                  f"{' '.join(f'{x:.3f}' for x in pct):>30}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rounds": a.rounds, "messages": a.messages, "results": rows,
                       "idle": idle}, f, indent=2)
    for n in counts:
        d = os.path.join(tmp, f"star{n}")
        for p in os.listdir(d):
            os.unlink(os.path.join(d, p))
        os.rmdir(d)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
