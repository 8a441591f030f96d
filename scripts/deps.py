#!/usr/bin/env python3
"""deps.py BUILD_DIR [--src DIR] - the module dependency graph of ipc-emu.

A module is one .c file with its .h (cli/run = cli/run.c + cli/run.h).  Module
A depends on module B when A's object file uses a symbol that B's object file
defines (`nm`: exact, whatever the headers say).  The objects are the ones
CMake leaves in BUILD_DIR/CMakeFiles/<target>.dir/<layer>/<name>.c.o, for the
layers cli/, scenario/, bench/, emu/ and src/.

The port (src/port.h) is the core's own interface: the core declares the
port_* functions and a platform implements them, so a core object's use of a
port_* symbol is no dependency of src/ on the platform; the implementing
module depends on src/port instead.

Prints the graph, one "module -> dependencies" line per module, then exits
  0  no import circle, and src/ (the portable core) depends on nothing outside
     src/ (neither by symbol nor by a "../" #include);
  1  otherwise, each problem named on one line ("cycle: a -> b -> a",
     "layer: src/x -> emu/y (sym)");
  2  usage error (no objects, nm missing).

--layers L1,L2: look for circles among the modules of these layers only (the
graph and the src/ check stay whole).

--src DIR: the source tree (default: CMAKE_HOME_DIRECTORY of the build's
CMakeCache.txt, if any).  With it, objects of sources that no longer exist are
skipped and src/'s #include lines are checked.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

LAYERS = ("cli", "scenario", "bench", "emu", "src")
CORE = "src"
PORT_HEADER = os.path.join("src", "port.h")
# Preferred CMake target per layer (other targets compile variants of the
# same sources: broken-cache cores, the shared library).
PREFERRED = {"cli": "ipc-emu", "scenario": "ipc-emu", "bench": "ipc-emu",
             "emu": "ipc_emu", "src": "ipc_emu_core"}
DEFINED = set("TDBRCVWGS")


def source_dir(build):
    cache = os.path.join(build, "CMakeCache.txt")
    try:
        with open(cache, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


def find_objects(build, src):
    """{module: object path}, one object per module: the preferred target's
    unless it is older than its source (a target CMake no longer builds),
    else the newest."""
    candidates = {}
    for layer in LAYERS:
        pattern = os.path.join(build, "CMakeFiles", "*.dir", layer, "*.c.o")
        for path in sorted(glob.glob(pattern)):
            name = os.path.basename(path)[:-len(".c.o")]
            source = os.path.join(src, layer, name + ".c") if src is not None else None
            if source is not None and not os.path.exists(source):
                continue  # a stale object of a removed source
            candidates.setdefault(layer + "/" + name, []).append((path, source))
    found = {}
    for module, paths in candidates.items():
        layer = module.split("/")[0]
        for path, source in paths:
            target = os.path.basename(os.path.dirname(os.path.dirname(path)))[:-len(".dir")]
            if target == PREFERRED[layer] and (
                    source is None or os.path.getmtime(path) >= os.path.getmtime(source)):
                found[module] = path
        if module not in found:
            found[module] = max(paths, key=lambda ps: os.path.getmtime(ps[0]))[0]
    return found


def symbols(objects):
    """{module: (defined, undefined)} global symbol names, one nm call."""
    paths = {p: m for m, p in objects.items()}
    out = subprocess.run(["nm", "-P", "-A"] + sorted(paths), check=True,
                         capture_output=True, text=True).stdout
    result = {m: (set(), set()) for m in objects}
    for line in out.splitlines():
        path, _, rest = line.rpartition(": ")
        parts = rest.split()
        if path not in paths or len(parts) < 2:
            continue
        sym, kind = parts[0], parts[1]
        defined, undefined = result[paths[path]]
        if kind in ("U", "w", "v"):
            undefined.add(sym)
        elif kind in DEFINED:
            defined.add(sym)
    return result


def port_symbols(src):
    """Functions declared in src/port.h (all port_* names without a tree)."""
    if src is None or not os.path.exists(os.path.join(src, PORT_HEADER)):
        return None
    with open(os.path.join(src, PORT_HEADER), encoding="utf-8") as f:
        text = f.read()
    return set(re.findall(r"\b(port_\w+)\s*\(", text))


def is_port(sym, ports):
    return sym in ports if ports is not None else sym.startswith("port_")


def build_graph(objects, ports):
    syms = symbols(objects)
    owner = {}
    for m, (defined, _) in syms.items():
        for s in defined:
            owner.setdefault(s, m)
    graph = {m: {} for m in objects}  # module -> {dependency: first symbol}
    for m, (_, undefined) in syms.items():
        for s in sorted(undefined):
            dep = owner.get(s)
            if dep is None or dep == m:
                continue
            if m.startswith(CORE + "/") and is_port(s, ports) and not dep.startswith(CORE + "/"):
                graph[dep].setdefault(CORE + "/port", s)  # implements the port
                continue
            graph[m].setdefault(dep, s)
    graph.setdefault(CORE + "/port", {})
    if not any(CORE + "/port" in deps for deps in graph.values()):
        del graph[CORE + "/port"]
    return graph


def cycles(graph):
    """One cycle (as a node list, first node repeated at the end) per
    strongly connected component with more than one module (Tarjan)."""
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(set(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    result = []
    for comp in comps:
        start = min(comp)
        result.append((shortest_cycle(graph, comp, start), sorted(comp)))
    return sorted(result)


def describe(cycle):
    path, comp = cycle
    text = "cycle: " + " -> ".join(path)
    if len(comp) > len(path) - 1:
        text += " (one circle of %d modules: %s)" % (len(comp), " ".join(comp))
    return text


def shortest_cycle(graph, comp, start):
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w not in comp:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start, start]


def core_includes(src):
    """src/ #include lines that reach outside src/ ("../x")."""
    bad = []
    for path in sorted(glob.glob(os.path.join(src, CORE, "*.[ch]"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
                if m and m.group(1).startswith("../"):
                    bad.append("%s/%s:%d: #include \"%s\"" %
                               (CORE, os.path.basename(path), n, m.group(1)))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", help="a CMake build directory")
    ap.add_argument("--src", help="the source tree (default: from CMakeCache.txt)")
    ap.add_argument("--quiet", action="store_true", help="print the problems only")
    ap.add_argument("--layers", default=",".join(LAYERS),
                    help="look for circles among these layers' modules only "
                         "(comma-separated; default: all)")
    args = ap.parse_args()
    src = args.src if args.src is not None else source_dir(args.build)
    objects = find_objects(args.build, src)
    if not objects:
        print("deps.py: no objects under %s/CMakeFiles/*.dir/{%s}/" %
              (args.build, ",".join(LAYERS)), file=sys.stderr)
        return 2
    try:
        graph = build_graph(objects, port_symbols(src))
    except (OSError, subprocess.CalledProcessError) as e:
        print("deps.py: nm: %s" % e, file=sys.stderr)
        return 2
    if not args.quiet:
        for m in sorted(graph):
            print("%s -> %s" % (m, " ".join(sorted(graph[m])) or "(nothing)"))
    layers = args.layers.split(",")
    unknown = [x for x in layers if x not in LAYERS]
    if unknown:
        print("deps.py: --layers: unknown layer %s (known: %s)" %
              (unknown[0], ",".join(LAYERS)), file=sys.stderr)
        return 2
    checked = {m: {d: x for d, x in deps.items() if d.split("/")[0] in layers}
               for m, deps in graph.items() if m.split("/")[0] in layers}
    problems = [describe(c) for c in cycles(checked)]
    for m in sorted(graph):
        if not m.startswith(CORE + "/"):
            continue
        for dep, sym in sorted(graph[m].items()):
            if not dep.startswith(CORE + "/"):
                problems.append("layer: %s -> %s (%s): the core uses something outside %s/" %
                                (m, dep, sym, CORE))
    if src is not None:
        problems += ["layer: " + b + ": the core includes a file outside " + CORE + "/"
                     for b in core_includes(src)]
    for p in problems:
        print(p)
    if not problems and not args.quiet:
        print("ok: %d modules, no import circle in %s, %s/ uses nothing outside it" %
              (len(graph), ",".join(layers), CORE))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
