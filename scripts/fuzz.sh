#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets of fuzz/ and run each one briefly.
#
#   scripts/fuzz.sh [--replay | --update-corpus | --build-only] [--no-build] [TARGET...]
#
#   (default)        build, then fuzz each target for FUZZ_SECONDS seconds (default 15),
#                    starting from its seeds (fuzz/corpus/TARGET) plus what earlier runs
#                    found (build-fuzz/corpus/TARGET, where new inputs are written)
#   --replay         build, then run every input of fuzz/corpus/TARGET once (no fuzzing)
#   --update-corpus  merge build-fuzz/corpus/TARGET into fuzz/corpus/TARGET, keeping only
#                    inputs that add coverage (then commit fuzz/corpus)
#   --build-only     build the targets, run nothing; --no-build: run the targets built
#                    before (scripts/test.sh builds them while other steps run)
#
# TARGET is one of: pbuf icmsg icbmsg icbmsg_v2 devicetree (default: all).  Everything is built with
# clang -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined into
# build-fuzz/, outside the CMake build.  One line per target: runs, corpus size, result.
# A crash, sanitizer report, leak, timeout or harness check fails the target; its input is
# saved under build-fuzz/artifacts/TARGET/ and the end of the log is printed.
#
# Exit status: 0 all clean, 1 a target failed (or did not build), 2 usage error,
# 77 clang or libFuzzer missing (Debian: apt-get install clang-14 libclang-rt-14-dev).
# Environment: FUZZ_SECONDS (per target), FUZZ_CC (compiler; default clang, else clang-14),
# JOBS (targets run at a time, default 2), FUZZ_BUILD_DIR (default build-fuzz).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_BUILD_DIR:-$top/build-fuzz}
all_targets=(pbuf icmsg icbmsg icbmsg_v2 devicetree)
mode=fuzz
build=1
targets=()

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

for arg in "$@"; do
  case $arg in
    --replay) mode=replay ;;
    --update-corpus) mode=merge ;;
    --build-only) mode=build ;;
    --no-build) build=0 ;;
    -h|--help) usage ;;
    -*) echo "$0: unknown option $arg" >&2; usage ;;
    *)
      case " ${all_targets[*]} " in
        *" $arg "*) targets+=("$arg") ;;
        *) echo "$0: unknown target $arg (one of: ${all_targets[*]})" >&2; exit 2 ;;
      esac ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

seconds=${FUZZ_SECONDS:-15}
case $seconds in ''|*[!0-9]*) echo "$0: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;; esac

# ---------------------------------------------------------------- toolchain
cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
  for c in clang clang-14; do
    command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
  done
fi
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
  echo "$0: SKIP: clang not found (Debian: apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 77
fi
mkdir -p "$out" || exit 1
probe=$out/probe
cat >"$probe.c" <<'EOF'
int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);
int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }
EOF
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" >"$probe.log" 2>&1; then
  echo "$0: SKIP: $cc cannot link libFuzzer with ASan/UBSan (Debian: apt-get install" \
       "libclang-rt-14-dev); $(head -n 1 "$probe.log")" >&2
  exit 77
fi

# shellcheck disable=SC2054 # the commas belong to -fsanitize=
flags=(-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -Werror
       -I"$top/include" -I"$top/src" -I"$top/fuzz")

# Each target: its harness, the fuzz port, and the real code it drives.
build() {
  local t=$1 src=("$top/fuzz/fuzz_$1.c")
  local port=$top/fuzz/fuzz_port.c core=$top/src
  case $t in
    pbuf) src+=("$port" "$core/pbuf.c") ;;
    icmsg) src+=("$port" "$core/icmsg.c" "$core/pbuf.c") ;;
    icbmsg) src+=("$port" "$core/icbmsg.c" "$core/icmsg.c" "$core/pbuf.c" "$core/ipc_service.c") ;;
    icbmsg_v2) src+=("$port" "$core/icbmsg_v2.c" "$core/icmsg.c" "$core/pbuf.c" "$core/ipc_service.c") ;;
    devicetree) src+=(-D_GNU_SOURCE "$top"/emu/devicetree*.c "$port" "$core/icbmsg_v2.c" "$core/icmsg.c"
                      "$core/pbuf.c" "$core/ipc_service.c" -lfdt) ;;
  esac
  rm -f "$out/fuzz_$t"
  "$cc" "${flags[@]}" "${src[@]}" -o "$out/fuzz_$t" >"$out/build_$t.log" 2>&1
}

# Two compiles at a time (the machines have 2 cores).
failed=0
pids=()
targets_to_build=("${targets[@]}")
[ $build -eq 1 ] || targets_to_build=()
for t in "${targets_to_build[@]}"; do
  build "$t" &
  pids+=($!)
  if [ ${#pids[@]} -eq 2 ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[1]}")
  fi
done
for p in "${pids[@]}"; do
  wait "$p" || failed=1
done
for t in "${targets[@]}"; do
  if [ ! -x "$out/fuzz_$t" ] || [ -s "$out/build_$t.log" ]; then
    echo "fuzz_$t: BUILD FAILED"
    sed -n '1,20p' "$out/build_$t.log"
    failed=1
  fi
done
[ $failed -eq 0 ] || exit 1
[ $mode != build ] || exit 0

# ---------------------------------------------------------------- runs
count() { find "$1" -type f 2>/dev/null | wc -l; }

# One target: its run, then its result line into $out/result_TARGET (and the
# end of its log on a failure); exit status 1 if it failed.
run_target() {
  local t=$1 seeds work arts log start rc secs runs cov units corpus result before=
  seeds=$top/fuzz/corpus/$t
  work=$out/corpus/$t
  arts=$out/artifacts/$t
  log=$out/fuzz_$t.log
  mkdir -p "$seeds" "$work" "$arts"
  start=$(date +%s)
  case $mode in
    fuzz)
      # New inputs go to the first directory; the seeds stay as committed.
      "$out/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$arts/" "$work" "$seeds" >"$log" 2>&1 ;;
    replay)
      "$out/fuzz_$t" -runs=0 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$arts/" "$seeds" >"$log" 2>&1 ;;
    merge)
      before=$(count "$seeds")
      "$out/fuzz_$t" -merge=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$arts/" \
        "$seeds" "$work" >"$log" 2>&1 ;;
  esac
  rc=$?
  secs=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  units=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  case $mode in
    fuzz) corpus="corpus ${units:-?} inputs ($(count "$seeds") committed)" ;;
    replay) corpus="corpus $(count "$seeds")" ;;
    merge) corpus="corpus $before -> $(count "$seeds")" ;;
  esac
  if [ $rc -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $rc; input: $(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1))"
  fi
  {
    echo "fuzz_$t: $mode, ${runs:-?} runs in ${secs} s, $corpus, cov ${cov:-?}: $result"
    if [ $rc -ne 0 ]; then
      grep -E 'ERROR|SUMMARY|fuzz_[a-z]*:|runtime error' "$log" | head -n 10 | sed 's/^/    /'
      echo "    full log: $log"
    fi
  } >"$out/result_$t"
  [ $rc -eq 0 ]
}

# JOBS targets at a time (default 2, the machines' cores): each libFuzzer run
# is one single-threaded process, so each still has a core for its
# FUZZ_SECONDS.  A merge writes into the shared seed directories: one at a time.
jobs=${JOBS:-2}
case $jobs in ''|*[!0-9]*|0) jobs=2 ;; esac
[ $mode = merge ] && jobs=1
pids=()
names=()
for t in "${targets[@]}"; do
  rm -f "$out/result_$t"
  run_target "$t" &
  pids+=($!)
  names+=("$t")
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do
  wait "$p" || failed=1
done
# The result lines in the targets' order, whatever order they finished in.
for t in "${targets[@]}"; do
  if [ -f "$out/result_$t" ]; then cat "$out/result_$t"; else echo "fuzz_$t: no result"; failed=1; fi
done
exit $failed
