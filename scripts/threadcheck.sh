#!/usr/bin/env bash
# threadcheck.sh - race detection: build ipc-emu with the race annotations
# (-DIPC_EMU_ANNOTATE_RACES=1: the PORT_RACE_* hooks of src/port.h become
# Helgrind/DRD client requests, emu/port_config.h) in a
# build directory of its own and run the in-process multi-thread tests under
# DRD and/or Helgrind.  Fails if a tool reports any error outside the
# third-party code suppressed by tests/race.supp, if a test fails under a
# tool, or if the canary (a deliberate payload race, race/canary_*) is NOT
# reported - which would mean the annotations or the tool hide races.
#
#   scripts/threadcheck.sh [--tool drd|helgrind|both] [--build-dir DIR] [--no-build | --build-only]
#
# Environment: RACE_BUILD_DIR (default build-race), RACE_TOOLS (default both),
# JOBS (default 2: runs at a time).  Exit 0 clean, 1 errors found, 2 usage or build error,
# 77 valgrind is not installed.  Logs: DIR/race/<tool>/<test>/<pid>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${RACE_BUILD_DIR:-build-race}
TOOLS=${RACE_TOOLS:-both}
JOBS=${JOBS:-2}
BUILD=1
BUILD_ONLY=0

usage() {
  sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"
}

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --tool) [ $# -ge 2 ] || { usage >&2; exit 2; }; TOOLS=$2; shift 2 ;;
    --tool=*) TOOLS=${1#--tool=}; shift ;;
    --build-dir) [ $# -ge 2 ] || { usage >&2; exit 2; }; BUILD_DIR=$2; shift 2 ;;
    --build-dir=*) BUILD_DIR=${1#--build-dir=}; shift ;;
    --no-build) BUILD=0; shift ;;
    --build-only) BUILD_ONLY=1; shift ;;
    *) echo "threadcheck: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $TOOLS in
  drd|helgrind) ;;
  both) TOOLS="drd helgrind" ;;
  *) echo "threadcheck: --tool must be drd, helgrind or both" >&2; exit 2 ;;
esac

if ! command -v valgrind >/dev/null 2>&1; then
  echo "threadcheck: valgrind not found, race detection skipped"
  exit 77
fi

# The in-process multi-thread workloads: binary and Criterion filter.
# tests/test_race.c synchronises its test threads with mutexes/condvars only,
# so every report is about the code under test (the existing suites wait on
# C11 atomics of their own, which the tools cannot see).
RUNS=(
  "test_race race/pbuf_two_threads"
  "test_race race/icmsg_pair_exchange"
  "test_race race/icbmsg_pair_exchange"
  "test_race race/mbox_data_both_ways"
)
CANARY="test_race race/canary_payload_after_publish"

start_all=$(date +%s.%N)
if [ $BUILD -eq 1 ]; then
  cmake -S . -B "$BUILD_DIR" -DIPC_EMU_WERROR=ON -DCMAKE_C_FLAGS="-DIPC_EMU_ANNOTATE_RACES=1" \
    >/dev/null || { echo "threadcheck: configure failed"; exit 2; }
  cmake --build "$BUILD_DIR" -j"$JOBS" --target test_race >/dev/null 2>"$BUILD_DIR/threadcheck-build.err" || {
    echo "threadcheck: build failed"; tail -20 "$BUILD_DIR/threadcheck-build.err"; exit 2; }
fi
[ $BUILD_ONLY -eq 0 ] || exit 0

logroot="$BUILD_DIR/race"
rm -rf "$logroot"
status=0

tool_flags() { # tool
  case $1 in
    drd) echo "--tool=drd" ;;
    helgrind) echo "--tool=helgrind --history-level=approx" ;;
  esac
}

# Run one test under one tool; prints "errors seconds".
run_one() { # tool bin filter dir [env...]
  local tool=$1 bin=$2 filter=$3 dir=$4; shift 4
  local t0 t1 errs
  mkdir -p "$dir"
  t0=$(date +%s.%N)
  # Criterion re-executes itself per test: --trace-children is required and
  # the exit code is meaningless (platform notes 4), so the logs decide.
  env VALGRIND=1 "$@" valgrind $(tool_flags "$tool") --trace-children=yes \
    --trace-children-skip='*/dtc,dtc' --fair-sched=yes \
    --suppressions="$ROOT/tests/race.supp" --log-file="$dir/%p.log" \
    "$BUILD_DIR/$bin" --jobs=1 --filter "$filter" >"$dir/stdout" 2>"$dir/stderr"
  t1=$(date +%s.%N)
  # Every process log ends with "ERROR SUMMARY: N errors from M contexts".
  errs=$(cat "$dir"/*.log 2>/dev/null |
         sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' | awk '{s += $1} END {print s + 0}')
  echo "$errs $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')"
}

# Every run first, JOBS at a time (a Valgrind process runs its threads one
# at a time: one core each), its "errors seconds" into DIR.result; then the
# verdicts, in the order of the runs.
for tool in $TOOLS; do
  mkdir -p "$logroot/$tool"
  for run in "${RUNS[@]}" "canary"; do
    if [ "$run" = canary ]; then
      read -r bin filter <<<"$CANARY"; dir="$logroot/$tool/canary"; extra=(IPC_EMU_RACE_CANARY=1)
    else
      read -r bin filter <<<"$run"; dir="$logroot/$tool/${filter//\//.}"; extra=()
    fi
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    run_one "$tool" "$bin" "$filter" "$dir" "${extra[@]}" >"$dir.result" &
  done
done
wait

for tool in $TOOLS; do
  for run in "${RUNS[@]}"; do
    read -r bin filter <<<"$run"
    dir="$logroot/$tool/${filter//\//.}"
    read -r errs secs <"$dir.result"
    ok=1 # the test itself passed under the tool
    grep -q 'Synthesis: .*Failing: 0 | Crashing: 0' "$dir/stderr" || ok=0
    grep -q 'Synthesis: Tested: 0 ' "$dir/stderr" && ok=0
    verdict=ok
    if [ "$errs" -ne 0 ]; then verdict="FAIL: $errs error(s)"; status=1; fi
    if [ $ok -eq 0 ]; then verdict="$verdict; FAIL: test failed under $tool"; status=1; fi
    printf '  %-9s %-32s %4s errors %6ss  %s\n' "$tool" "$filter" "$errs" "$secs" "$verdict"
    if [ "$errs" -ne 0 ]; then
      # First report of each failing log, for the CI output.
      for f in $(grep -L 'ERROR SUMMARY: 0 errors' "$dir"/*.log); do
        sed -n '/^==[0-9]*== \(Conflicting\|Possible data race\|Thread #\|Lock at\|Probably a race\)/,/^==[0-9]*== $/p' "$f" | head -40
        break
      done
    fi
    if [ $ok -eq 0 ]; then grep -v '^\[----\]   $' "$dir/stderr" | tail -8; fi
  done
  # The canary: a deliberate payload race the tool must report.
  read -r bin filter <<<"$CANARY"
  dir="$logroot/$tool/canary"
  read -r errs secs <"$dir.result"
  if [ "$errs" -gt 0 ] && grep -qE '(race_canary_payload_after_publish_impl|canary_writer) \(test_race\.c' "$dir"/*.log; then
    printf '  %-9s %-32s %4s errors %6ss  ok (deliberate race reported)\n' "$tool" canary "$errs" "$secs"
  else
    printf '  %-9s %-32s %4s errors %6ss  FAIL: deliberate race NOT reported\n' "$tool" canary "$errs" "$secs"
    status=1
  fi
done

end_all=$(date +%s.%N)
printf 'threadcheck: %s in %.0f s (logs: %s)\n' "$([ $status -eq 0 ] && echo clean || echo 'ERRORS FOUND')" \
  "$(awk -v a="$start_all" -v b="$end_all" 'BEGIN {print b - a}')" "$logroot"
exit $status
