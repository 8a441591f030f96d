#!/bin/sh
# zephyr-sources-check.sh TREE [IPC_EMU] - build Zephyr's IPC sources of the
# Zephyr tree TREE (its ZEPHYR_BASE) with `ipc-emu zephyr-build` and run them
# in every mode `ipc-emu run` offers for them so far:
#   1. Zephyr on both cores          (--zephyr-base)
#   2. Zephyr remote, ipc-emu host   (--remote-zephyr-base)
#   3. Zephyr host, ipc-emu remote   (--host-zephyr-base)
# each with the built-in board and with the nRF5340 DTS pair of examples/,
# then the pair in each unbound mode, with peer kills in the session modes,
# then a 3-core SoC with the tree and ipc-emu's core mixed (--core-prog).
# A tree whose lib/icmsg.c predates the unbound modes (v4.0 and older:
# legacy ICMsg only) runs the DTS pair in legacy mode, and ipc-emu's core in
# "detect" against it, both ways (a legacy peer cannot pair with "enable");
# no kills (legacy ICMsg has no reset protocol).
# OTHER_TREE=DIR: also the interoperability case of Zephyr's ipc_sessions
# test, TREE on one core and the tree DIR on the other, the pair in
# "detect", both ways.  KCONFIG=FILE: a Kconfig fragment for every build
# (run --kconfig).
# IPC_EMU: the ipc-emu binary (default: build/ipc-emu).  The products are
# cached in $IPC_EMU_ZEPHYR_CACHE (default: a directory under /tmp), so a
# rerun only runs.  Prints one PASS/FAIL line per mode and the tree's commit;
# exit status 0 when all passed.
set -u
tree=${1:?usage: zephyr-sources-check.sh ZEPHYR_TREE [IPC_EMU]}
here=$(cd "$(dirname "$0")/.." && pwd)
emu=${2:-$here/build/ipc-emu}
: "${IPC_EMU_ZEPHYR_CACHE:=/tmp/ipc-emu-zephyr-check-$(id -u)}"
export IPC_EMU_ZEPHYR_CACHE
messages=${MESSAGES:-2000}
dts_pair="$here/examples/nrf5340dk_cpuapp.dts,$here/examples/nrf5340dk_cpunet.dts"

commit=$(git -C "$tree" rev-parse HEAD 2>/dev/null || echo "not a git tree")
echo "tree: $tree ($commit)"
echo "ipc-emu: $("$emu" --version)"

legacy=no
grep -q unbound "$tree/subsys/ipc/ipc_service/lib/icmsg.c" 2>/dev/null || legacy=yes
echo "ICMsg: $([ "$legacy" = yes ] && echo "legacy only (no unbound modes)" || echo "unbound modes")"
set -- # the Kconfig fragment, if any, as words for each command
[ -n "${KCONFIG:-}" ] && set -- --kconfig "$KCONFIG"

fails=0
check() {
	name=$1
	shift
	log=$(mktemp)
	if "$emu" run "$@" --messages "$messages" >"$log" 2>&1; then
		echo "PASS  $name"
	else
		echo "FAIL  $name: $(grep -m1 -E 'ipc-emu|FAIL|error' "$log" || tail -n1 "$log")"
		fails=$((fails + 1))
	fi
	rm -f "$log"
}

# The build alone first: its one-line error names what the shim lacks.
for core in host remote; do
	"$emu" zephyr-build --zephyr-base "$tree" --core "$core" --out "$IPC_EMU_ZEPHYR_CACHE" \
		--quiet "$@" || { echo "FAIL  build ($core core)"; exit 1; }
done
echo "PASS  build (both cores)"

check "zephyr<->zephyr, built-in board" --zephyr-base "$tree" "$@"
check "zephyr<->zephyr, nRF5340 DTS pair" --zephyr-base "$tree" --dts "$dts_pair" "$@"
check "ipc-emu host <-> zephyr remote" --remote-zephyr-base "$tree" "$@"
check "ipc-emu host <-> zephyr remote, DTS pair" --remote-zephyr-base "$tree" --dts "$dts_pair" \
	"$@"
check "zephyr host <-> ipc-emu remote" --host-zephyr-base "$tree" "$@"
# ICMsg's unbound mode is compiled in from the DTS on a Zephyr core (a
# legacy-only tree ignores the property).
tmp=$(mktemp -d)
for mode in disable enable detect; do
	for f in cpuapp cpunet; do
		sed "s/unbound = \"disable\"/unbound = \"$mode\"/" \
			"$here/examples/nrf5340dk_$f.dts" >"$tmp/$f-$mode.dts"
	done
done
pair() { echo "$tmp/cpuapp-$1.dts,$tmp/cpunet-$1.dts"; }
if [ "$legacy" = yes ]; then
	check "zephyr<->zephyr, legacy" --zephyr-base "$tree" --dts "$(pair disable)" "$@"
	check "ipc-emu host (detect) <-> zephyr remote (legacy)" --remote-zephyr-base "$tree" \
		--dts "$(pair detect)" "$@"
	check "zephyr host (legacy) <-> ipc-emu remote (detect)" --host-zephyr-base "$tree" \
		--dts "$(pair detect)" "$@"
else
	for mode in disable enable detect; do
		check "zephyr<->zephyr, unbound=$mode" --zephyr-base "$tree" --dts "$(pair $mode)" "$@"
		check "ipc-emu host <-> zephyr remote, unbound=$mode" --remote-zephyr-base "$tree" \
			--dts "$(pair $mode)" "$@"
		# Kills: only the session modes have a reset protocol (legacy is refused).
		if [ "$mode" != disable ]; then
			check "zephyr<->zephyr, unbound=$mode, --kill-random 6" --zephyr-base "$tree" \
				--dts "$(pair $mode)" --kill-random 6 "$@"
			check "zephyr host <-> ipc-emu remote, unbound=$mode, --kill-random 6" \
				--host-zephyr-base "$tree" --dts "$(pair $mode)" --kill-random 6 "$@"
		fi
	done
fi
if [ -n "${OTHER_TREE:-}" ]; then
	echo "other tree: $OTHER_TREE ($(git -C "$OTHER_TREE" rev-parse HEAD 2>/dev/null ||
		echo "not a git tree"))"
	check "tree host <-> other tree remote, detect" --host-zephyr-base "$tree" \
		--remote-zephyr-base "$OTHER_TREE" --dts "$(pair detect)" "$@"
	check "other tree host <-> tree remote, detect" --host-zephyr-base "$OTHER_TREE" \
		--remote-zephyr-base "$tree" --dts "$(pair detect)" "$@"
fi
rm -rf "$tmp"
# More than two cores (run --core-prog, docs/multicore.md): a 3-core ICMsg
# star in session mode (scripts/gen-topology.py), its programs the
# examples' app.c (hub) and echo.c (leaves), each built for its core's
# devicetree on the tree's sources and on ipc-emu's core; the tree on every
# core, then mixed with ipc-emu's core on the hub or on a leaf.
mcheck() {
	name=$1
	shift
	log=$(mktemp)
	if "$emu" run "$@" --timeout 60 >"$log" 2>&1; then
		echo "PASS  $name"
	else
		echo "FAIL  $name: $(grep -m1 -E 'ipc-emu|FAIL|error' "$log" || tail -n1 "$log")"
		fails=$((fails + 1))
	fi
	rm -f "$log"
}
if [ "$legacy" = no ]; then
	star=$(mktemp -d)
	built=yes
	python3 "$here/scripts/gen-topology.py" --cores 3 --out "$star" >/dev/null || built=no
	for c in 0 1 2; do
		src=$here/examples/nrf54h20/zephyr/echo.c
		[ "$c" = 0 ] && src=$here/examples/nrf54h20/zephyr/app.c
		"$emu" zephyr-build --zephyr-base "$tree" --core host --dts "$star/cpu$c.dts" \
			--app-src "$src" -o "$star/z$c" --out "$IPC_EMU_ZEPHYR_CACHE" --quiet "$@" ||
			built=no
		"$emu" zephyr-build --no-zephyr-base --core host --dts "$star/cpu$c.dts" \
			--app-src "$src" -o "$star/e$c" --out "$IPC_EMU_ZEPHYR_CACHE" --quiet "$@" ||
			built=no
	done
	if [ "$built" = yes ]; then
		echo "PASS  build (3-core star, both stacks)"
		d="$star/cpu0.dts,$star/cpu1.dts,$star/cpu2.dts"
		mcheck "3 cores, zephyr on every core" --dts "$d" --core-prog "cpu0=$star/z0" \
			--core-prog "cpu1=$star/z1" --core-prog "cpu2=$star/z2"
		mcheck "3 cores, zephyr hub and leaf, ipc-emu leaf" --dts "$d" \
			--core-prog "cpu0=$star/z0" --core-prog "cpu1=$star/e1" --core-prog "cpu2=$star/z2"
		mcheck "3 cores, ipc-emu hub, zephyr leaves" --dts "$d" --core-prog "cpu0=$star/e0" \
			--core-prog "cpu1=$star/z1" --core-prog "cpu2=$star/z2"
		mcheck "3 cores, zephyr hub and leaf, ipc-emu leaf, --kill-random 3" --dts "$d" \
			--core-prog "cpu0=$star/z0" --core-prog "cpu1=$star/e1" --core-prog "cpu2=$star/z2" \
			--kill-random 3
	else
		echo "FAIL  build (3-core star)"
		fails=$((fails + 1))
	fi
	rm -rf "$star"
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
