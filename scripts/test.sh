#!/usr/bin/env bash
# Build ipc-emu with -Werror and run every test: the Criterion suites, the
# same suites under Valgrind memcheck, the pytest scenarios through the CLI,
# and the Cortex-M33 cross-build of the core with its footprint.
#
#   scripts/test.sh            everything
#   BUILD_DIR=dir scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}
status=0
step() { printf '\n=== %s\n' "$*"; }

step "configure and build ($BUILD_DIR, -Werror)"
cmake -S . -B "$BUILD_DIR" -DIPC_EMU_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"

step "portable core: no POSIX headers in src/"
if grep -rnE '#include[[:space:]]*<(pthread|unistd|sys/|fcntl|semaphore|linux/|signal|time\.h|stdio)' src; then
  echo "FAIL: the portable core includes an OS header"; status=1
fi

step "Criterion suites"
(cd "$BUILD_DIR" && ctest --output-on-failure -j"$JOBS") || status=1

step "Criterion suites under Valgrind memcheck"
vgdir="$BUILD_DIR/vg"
rm -rf "$vgdir"; mkdir -p "$vgdir"
for t in "$BUILD_DIR"/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  # Criterion re-executes itself per test: --trace-children is required and
  # the exit code is meaningless (Criterion issue #137), so the logs decide.
  VALGRIND=1 valgrind -q --trace-children=yes --trace-children-skip='*/dtc,dtc' --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --fair-sched=yes \
    --log-file="$vgdir/$name.%p.log" "$t" --jobs=1 >/dev/null 2>"$vgdir/$name.stderr" || {
      echo "FAIL: $name under valgrind"; tail -5 "$vgdir/$name.stderr"; status=1; }
done
if [ -n "$(find "$vgdir" -name '*.log' -size +0)" ]; then
  echo "FAIL: memcheck reported errors:"; find "$vgdir" -name '*.log' -size +0 -exec head -30 {} \;
  status=1
else
  echo "memcheck: 0 errors"
fi

step "Criterion suites in an ASan+UBSan build"
cmake -S . -B "$BUILD_DIR-asan" -DIPC_EMU_WERROR=ON -DIPC_EMU_SANITIZE=ON >/dev/null
cmake --build "$BUILD_DIR-asan" -j"$JOBS"
(cd "$BUILD_DIR-asan" && \
  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp" \
  ctest --output-on-failure -j"$JOBS") || status=1

step "pytest scenarios"
set +e
IPC_EMU_BIN="$PWD/$BUILD_DIR/ipc-emu" /usr/bin/python3 -m pytest pytests -q -p no:cacheprovider
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "FAIL: pytest collected no test"; status=1; elif [ $rc -ne 0 ]; then status=1; fi

step "Cortex-M33 build of the core"
cmake --build "$BUILD_DIR" --target core-size || status=1

if [ $status -eq 0 ]; then step "ALL TESTS PASSED"; else step "SOME TESTS FAILED"; fi
exit $status
