#!/usr/bin/env python3
"""gen-topology.py - write the devicetrees of a star topology of N cores.

Core cpu0 (the hub) has one link to each of cpu1 .. cpuN-1 (N = 2..8): one
ICMsg instance (unbound "enable": session mode) or one ICBMsg instance per
link, on its own pair of 8 KiB shared-memory regions (dcache-alignment 32), with its own two
channels of the core's MBOX controller.  Used by the multi-core tests and
the multi-core benchmark (docs/multicore.md); the files are ordinary
devicetree sources:

    scripts/gen-topology.py --cores 4 --out /tmp/star4
    ipc-emu check /tmp/star4/cpu0.dts /tmp/star4/cpu1.dts ...
"""
import argparse
import os
import sys

BASE = 0x2F000000
REGION = 0x2000


def region_addr(leaf, direction):
    """Address of the region the hub (direction 0) or leaf `leaf` (1) writes."""
    return BASE + (leaf - 1) * 2 * REGION + direction * REGION


def instance(leaf, hub_side, backend):
    label = f"ipc_cpu{leaf}"
    tx, rx = ("hub", "leaf") if hub_side else ("leaf", "hub")
    ch_tx, ch_rx = 2 * (leaf - 1), 2 * (leaf - 1) + 1
    if not hub_side:
        ch_tx, ch_rx = ch_rx, ch_tx
    lines = [f"\t\t{label}: ipc-cpu{leaf} {{"]
    if backend == "icmsg":
        lines += ['\t\t\tcompatible = "zephyr,ipc-icmsg";', '\t\t\tunbound = "enable";']
    else:
        blocks = (8, 8)
        lines += ['\t\t\tcompatible = "zephyr,ipc-icbmsg";',
                  f"\t\t\ttx-blocks = <{blocks[0]}>;", f"\t\t\trx-blocks = <{blocks[1]}>;"]
    lines += ["\t\t\tdcache-alignment = <32>;",
              f"\t\t\ttx-region = <&sram_cpu{leaf}_{tx}>;",
              f"\t\t\trx-region = <&sram_cpu{leaf}_{rx}>;",
              f"\t\t\tmboxes = <&bellboard {ch_tx}>, <&bellboard {ch_rx}>;",
              '\t\t\tmbox-names = "tx", "rx";',
              '\t\t\tstatus = "okay";',
              "\t\t};"]
    return lines


def core_dts(core, n, backend, only=None):
    """The devicetree of core `core`; only=K: the hub's file with link K only
    (one end of a two-core pair, for tools that take a pair)."""
    leaves = [only] if only is not None else range(1, n) if core == 0 else [core]
    out = ["/dts-v1/;", "", "/ {", "\t#address-cells = <1>;", "\t#size-cells = <1>;",
           f'\tmodel = "ipc-emu star topology of {n} cores: cpu{core}";', "",
           "\treserved-memory {", "\t\t#address-cells = <1>;", "\t\t#size-cells = <1>;",
           "\t\tranges;"]
    for leaf in leaves:
        for d, who in ((0, "hub"), (1, "leaf")):
            a = region_addr(leaf, d)
            out += [f"\t\tsram_cpu{leaf}_{who}: memory@{a:x} {{",
                    f"\t\t\treg = <0x{a:x} 0x{REGION:x}>;", "\t\t};"]
    out += ["\t};", "", "\tsoc {", "\t\t#address-cells = <1>;", "\t\t#size-cells = <1>;",
            '\t\tcompatible = "simple-bus";', "\t\tranges;", "",
            "\t\tbellboard: mailbox@9a000 {", '\t\t\tcompatible = "nordic,nrf-bellboard-rx";',
            "\t\t\treg = <0x9a000 0x1000>;", "\t\t\t#mbox-cells = <1>;",
            '\t\t\tstatus = "okay";', "\t\t};", "\t};", "", "\tipc {"]
    for leaf in leaves:
        out += instance(leaf, core == 0, backend)
    out += ["\t};", "};", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cores", type=int, required=True, help="2..8")
    ap.add_argument("--out", required=True, help="directory for cpu0.dts .. cpuN-1.dts")
    ap.add_argument("--backend", choices=("icmsg", "icbmsg"), default="icmsg")
    ap.add_argument("--pair-files", action="store_true",
                    help="also write link1.dts .. linkN-1.dts: the hub's file with that "
                         "link only (with cpuK.dts, a two-core pair)")
    a = ap.parse_args()
    if not 2 <= a.cores <= 8:
        sys.exit(f"gen-topology.py: --cores {a.cores}: must be 2..8")
    os.makedirs(a.out, exist_ok=True)
    paths = []
    for c in range(a.cores):
        p = os.path.join(a.out, f"cpu{c}.dts")
        with open(p, "w") as f:
            f.write(core_dts(c, a.cores, a.backend))
        paths.append(p)
    if a.pair_files:
        for k in range(1, a.cores):
            with open(os.path.join(a.out, f"link{k}.dts"), "w") as f:
                f.write(core_dts(0, a.cores, a.backend, only=k))
    print(",".join(paths))


if __name__ == "__main__":
    main()
