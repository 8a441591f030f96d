#!/usr/bin/env bash
# Build ipc-emu with -Werror and run every test: the Criterion suites, the
# same suites under Valgrind memcheck and in an ASan+UBSan build, the pytest
# scenarios through the CLI, DRD/Helgrind and ThreadSanitizer race checks
# (TSan: clang, tests/tsan/), short libFuzzer runs
# over the corpus, and the Cortex-M33 cross-build of the core with its
# footprint.
#
#   scripts/test.sh            everything
#   BUILD_DIR=dir scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}
status=0
step() { printf '\n=== %s   [%d s so far]\n' "$*" "$SECONDS"; }

step "configure and build ($BUILD_DIR, -Werror)"
cmake -S . -B "$BUILD_DIR" -DIPC_EMU_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"

step "portable core: no POSIX headers in src/"
if grep -rnE '#include[[:space:]]*<(pthread|unistd|sys/|fcntl|semaphore|linux/|signal|time\.h|stdio)' src; then
  echo "FAIL: the portable core includes an OS header"; status=1
fi

step "Criterion suites: each binary is Criterion's and lists its tests"
# A main() pulled in from a library (ztest's once was) would replace
# Criterion's and make a suite "pass" without running anything.
for t in "$BUILD_DIR"/test_*; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  if ! "$t" --list 2>/dev/null | grep -q '^[├└]── '; then
    echo "FAIL: $(basename "$t") lists no Criterion test"; status=1
  fi
done

step "Criterion suites"
(cd "$BUILD_DIR" && ctest --output-on-failure -j"$JOBS") || status=1

# The other build trees (ASan+UBSan, the race-annotated one of
# threadcheck.sh, the TSan runners, the fuzz targets) are configured and
# built in the background, one after the other at nice 19, from the start of
# the Valgrind step on: that step leaves cores idle (suites that wait under
# Valgrind, e.g. test_zephyr_sched: ~16 s of CPU in ~55 s), and at nice 19 the
# builds take only CPU time nobody else wants, so the tests' timing is as
# before.  Each step that needs a tree waits for its build (prebuild_wait) and
# prints its output or failure there.  Nothing is tested in the background.
tsan_cc=$(command -v clang-14 || command -v clang || true)
tsan_dir="$BUILD_DIR-tsan"
pre_dir="$BUILD_DIR/prebuild"
prebuild_chain() {
  local rc=0 # (set -e: every failure is caught and recorded)
  { cmake -S . -B "$BUILD_DIR-asan" -DIPC_EMU_WERROR=ON -DIPC_EMU_SANITIZE=ON >/dev/null &&
    cmake --build "$BUILD_DIR-asan" -j"$JOBS"; } >"$pre_dir/asan.log" 2>&1 || rc=$?
  echo $rc >"$pre_dir/asan.rc"
  rc=0; ./scripts/threadcheck.sh --build-only >"$pre_dir/race.log" 2>&1 || rc=$?
  echo $rc >"$pre_dir/race.rc"
  rc=0
  if [ -z "$tsan_cc" ]; then
    rc=77
  else
    { cmake -S . -B "$tsan_dir" -DCMAKE_C_COMPILER="$tsan_cc" -DIPC_EMU_WERROR=ON -DIPC_EMU_TSAN=ON \
        -DIPC_EMU_TESTS=OFF -DIPC_EMU_EXAMPLES=OFF >/dev/null &&
      cmake --build "$tsan_dir" -j"$JOBS" --target test_tsan test_tsan_weak_release; } \
      >"$pre_dir/tsan.log" 2>&1 || rc=$?
  fi
  echo $rc >"$pre_dir/tsan.rc"
  rc=0; ./scripts/fuzz.sh --build-only >"$pre_dir/fuzz.log" 2>&1 || rc=$?
  echo $rc >"$pre_dir/fuzz.rc"
}
# prebuild_wait NAME: wait for that build; its exit status.
prebuild_wait() {
  while [ ! -f "$pre_dir/$1.rc" ] && kill -0 "$pre_pid" 2>/dev/null; do sleep 1; done
  [ -f "$pre_dir/$1.rc" ] || { echo "background build chain ended before building $1"; return 1; }
  return "$(cat "$pre_dir/$1.rc")"
}
rm -rf "$pre_dir"; mkdir -p "$pre_dir"
( renice -n 19 -p "$BASHPID" >/dev/null || true; prebuild_chain ) &
pre_pid=$!
trap 'kill "$pre_pid" 2>/dev/null || true' EXIT

step "Criterion suites under Valgrind memcheck"
vgdir="$BUILD_DIR/vg"
rm -rf "$vgdir"; mkdir -p "$vgdir"
# One suite under memcheck; prints its name and seconds, or FAIL.
# Criterion re-executes itself per test: --trace-children is required and
# the exit code is meaningless (Criterion issue #137), so the logs decide.
# Most of this step's time was starting processes: each test is one, and one
# costs about 1.2 s of CPU under memcheck (Valgrind's start and Criterion's
# twenty shared libraries) while most tests run for milliseconds.  So with
# VALGRIND set the parameter tables of the suites run as one test each, and
# the tests that leave their process as they found it (VgTest) run one after
# the other in one batch test per suite, valgrind_batch::<suite>
# (tests/support/vg_cases.h); tests scale their counts and waits down.  Every
# test and every case still runs here, under the same memcheck options.
vg_suite() {
  local t=$1 name start
  name=$(basename "$t"); start=$SECONDS
  if VALGRIND=1 valgrind -q --trace-children=yes --trace-children-skip='*/dtc,dtc' --leak-check=full \
      --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --fair-sched=yes \
      --log-file="$vgdir/$name.%p.log" "$t" --jobs=1 >/dev/null 2>"$vgdir/$name.stderr"; then
    printf '  %-40s %4d s\n' "$name" $((SECONDS - start))
  else
    # Which test and which assertion (Criterion's [----]/[FAIL] lines), then the end.
    echo "FAIL: $name under valgrind"; grep -E '^\[(----|FAIL)\]' "$vgdir/$name.stderr" | head -20
    # A batch names each test as it starts it: the last one is the failing one.
    grep '^\[vg  \] ' "$vgdir/$name.stderr" | tail -1 | sed 's/^\[vg  \] /  last test started in the batch: /'
    tail -3 "$vgdir/$name.stderr"; return 1
  fi
}
export -f vg_suite; export vgdir
# The test_cache_broken_* variants run the cache-model suite against a
# deliberately broken core: natively they prove the model; memcheck adds
# nothing there that test_cache does not already cover.
# The longest suites first, so that none is left running alone at the end
# (test_zephyr_work and test_zephyr_objects need a process per test: their
# tests share file-scope kernel objects that must start fresh).
longest='test_zephyr_work test_zephyr_objects test_devicetree test_pbuf'
{ for t in $longest; do echo "$BUILD_DIR/$t"; done
  find "$BUILD_DIR" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort | \
    grep -v -e '/test_cache_broken_' $(for t in $longest; do printf -- '-e /%s$ ' "$t"; done); } | \
  xargs -P"$JOBS" -I{} bash -c 'vg_suite "$1"' _ {} || status=1
if [ -n "$(find "$vgdir" -name '*.log' -size +0)" ]; then
  echo "FAIL: memcheck reported errors:"; find "$vgdir" -name '*.log' -size +0 -exec head -30 {} \;
  status=1
else
  echo "memcheck: 0 errors"
fi

step "Criterion suites in an ASan+UBSan build"
echo "(configured and built in the background since the Valgrind step: $pre_dir/asan.log)"
asan_ok=1
prebuild_wait asan || asan_ok=0
cat "$pre_dir/asan.log"
if [ $asan_ok -eq 0 ]; then
  echo "FAIL: ASan+UBSan build"; status=1
else
(cd "$BUILD_DIR-asan" && \
  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp" \
  ctest --output-on-failure -j"$JOBS") || status=1
fi

# pytest with the CLI binary $1; exit 5 (nothing collected) is a failure too.
# -n JOBS (pytest-xdist): the scenarios mostly wait on their peers (serially
# about 0.4 core busy), so two workers take ~45 % less time on 2 cores
# (measured: pytests/test_reliability.py + test_icbmsg_cli.py, 84/77 s
# serial, 44/46 s with -n 2).  conftest.py tags each test's processes and
# segments, so leftovers are still attributed exactly.
run_pytest() {
  local bin=$1 rc=0 xdist=()
  shift
  [ "$JOBS" -gt 1 ] && xdist=(-n "$JOBS")
  IPC_EMU_BIN="$PWD/$bin" /usr/bin/python3 -m pytest -q -p no:cacheprovider "${xdist[@]}" "$@" || rc=$?
  if [ $rc -eq 5 ]; then echo "FAIL: pytest collected no test"; fi
  [ $rc -eq 0 ] || status=1
}

step "pytest scenarios"
run_pytest "$BUILD_DIR/ipc-emu" pytests

step "pytest scenarios against the ASan+UBSan build of the CLI"
# The CLI-driven scenario files; Valgrind cannot run ASan binaries, and the
# Python harness, install and bench files load or link the library outside an
# ASan process, so those run only in the regular build above; so do the
# --sanitize runs (Zephyr programs linked against an ASan libipc_emu do not start).
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp" \
  run_pytest "$BUILD_DIR-asan/ipc-emu" -m "not valgrind" -k "not valgrind and not sanitize" \
  pytests/test_cli.py pytests/test_icbmsg_cli.py pytests/test_ipm_mbox_cli.py \
  pytests/test_reliability.py pytests/test_check_cli.py pytests/test_cache_cli.py \
  pytests/test_leaks.py pytests/test_inspect_trace.py pytests/test_multicore_run.py \
  pytests/test_multicore_check.py

step "race detection (DRD/Helgrind, annotated build)"
if prebuild_wait race; then
  ./scripts/threadcheck.sh --no-build || status=1
else
  cat "$pre_dir/race.log"; status=1
fi

step "race detection (ThreadSanitizer, clang build of the in-process pair workloads)"
# DRD/Helgrind see our annotations, not memory orders; TSan sees the C11
# atomics themselves.  tests/tsan/runner.c runs tests/test_race.c and the
# other pair workloads of tests/tsan/workloads.c (ICMsg in its three unbound
# modes and with RX in the interrupt thread, ICBMsg copy and no-copy, two
# senders per endpoint) without Criterion, which cannot start under TSan.
# No suppressions: any report fails the step.  Two checks that the step can
# fail: the canary (a payload written after its release store) and
# test_tsan_weak_release (every release store of the core relaxed,
# tests/tsan/weak_release.h) must both be reported.
tsan_run() { # expect(clean|reported) label binary [test...]; env from the caller
  local expect=$1 label=$2 bin=$3 rc=0 n
  shift 3
  rm -rf "$tsan_dir/log/$label"; mkdir -p "$tsan_dir/log/$label"
  TSAN_OPTIONS="halt_on_error=0 exitcode=66 log_path=$ROOT/$tsan_dir/log/$label/tsan" \
    "$tsan_dir/$bin" "$@" >"$tsan_dir/log/$label/out" 2>&1 || rc=$?
  n=$(cat "$tsan_dir/log/$label"/tsan.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer' || true)
  printf '  %-34s exit %2d, %3d TSan reports\n' "$label" "$rc" "$n"
  if [ "$expect" = clean ] && { [ "$rc" -ne 0 ] || [ "$n" -ne 0 ]; }; then
    echo "FAIL: $label"; grep -v '^ok ' "$tsan_dir/log/$label/out" | tail -5
    cat "$tsan_dir/log/$label"/tsan.* 2>/dev/null | head -40; return 1
  elif [ "$expect" = reported ] && { [ "$rc" -ne 66 ] || [ "$n" -eq 0 ]; }; then
    echo "FAIL: $label: TSan reported nothing (the step could not catch it)"; return 1
  fi
}
if [ -z "$tsan_cc" ]; then
  echo "FAIL: clang not found (scripts/install-deps.sh installs clang-14)"; status=1
elif ! prebuild_wait tsan; then
  echo "FAIL: TSan build (in the background: $pre_dir/tsan.log)"; tail -20 "$pre_dir/tsan.log"; status=1
else
  tsan_run clean workloads test_tsan || status=1
  IPC_EMU_RACE_CANARY=1 tsan_run reported canary test_tsan race/canary_payload_after_publish || status=1
  tsan_run reported release-weakened-to-relaxed test_tsan_weak_release || status=1
fi

step "fuzz targets (hostile peer): the corpus, then a short run of each"
# install-deps.sh installs clang and libFuzzer, so a skip (77) is a failure here.
# Built in the background (above); two targets run at a time.
if prebuild_wait fuzz; then
  FUZZ_SECONDS=${FUZZ_SECONDS:-10} ./scripts/fuzz.sh --no-build || status=1
else
  cat "$pre_dir/fuzz.log"; status=1
fi

step "Cortex-M33 build of the core"
cmake --build "$BUILD_DIR" --target core-size || status=1

if [ $status -eq 0 ]; then step "ALL TESTS PASSED"; else step "SOME TESTS FAILED"; fi
exit $status
