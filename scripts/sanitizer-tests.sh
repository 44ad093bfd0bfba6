#!/usr/bin/env bash
# The sanitizer stages (run by run-tests.sh after the GCC build and its tests; CI runs all three).
# HACE_SANITIZER_STAGES chooses: a comma list of asan, fuzz, tsan, or "all"/1 (default).
#   asan  ASan + UBSan: one GCC build (build-asan, no GUI) of the engine, the CLI and every engine
#         and CLI test; the whole CTest suite runs in it.
#   fuzz  a clang 16 build (build-fuzz) of the libFuzzer targets, each run for FUZZ_SECONDS
#         (default 15; scripts/fuzz.sh).
#   tsan  only what is needed (GCC, build-tsan): the sweep executor, event bridge, workbench and
#         decode-kernel team (spin_team.h) tests, each run in full.
# Each stage runs alone (nothing else in parallel: the sanitizers multiply memory and time).
# Reports from uninstrumented third-party code are suppressed by tests/sanitizers/*.supp, one
# commented entry per cause; the project's own code is never suppressed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUPP="$ROOT/tests/sanitizers"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
export OMP_NUM_THREADS=1
JOBS="${JOBS:-$(nproc)}"
stage() { echo "sanitizers: $* ($(date -u +%H:%M:%S))"; }
WANT="${HACE_SANITIZER_STAGES:-all}"
[ "$WANT" = 1 ] && WANT=all
want() { [ "$WANT" = all ] || [[ ",$WANT," == *",$1,"* ]]; }
START=$(date +%s)

if want asan; then
  stage "ASan+UBSan build"
  BUILD_DIR="$ROOT/build-asan" "$ROOT/scripts/build-sanitized.sh" asan
  stage "ASan+UBSan tests"
  (
    cd "$ROOT/build-asan"
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp" \
    LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0" \
      ctest -j"$JOBS" --output-on-failure --timeout 1200
  )
fi

if want fuzz; then
  stage "fuzzing, ${FUZZ_SECONDS:-15} s per target"
  FUZZ_BUILD_DIR="$ROOT/build-fuzz" FUZZ_JOBS="${FUZZ_JOBS:-$JOBS}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp" \
    "$ROOT/scripts/fuzz.sh" "${FUZZ_SECONDS:-15}"
fi

if want tsan; then
  TSAN_TESTS=(test_sweep_executor test_event_bridge test_workbench test_spin_team test_prefill_attention)
  stage "TSan build (${TSAN_TESTS[*]})"
  BUILD_DIR="$ROOT/build-tsan" "$ROOT/scripts/build-sanitized.sh" tsan "${TSAN_TESTS[@]}"
  stage "TSan tests"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp"
  export QT_QPA_PLATFORM=offscreen
  export HACE_SHARED_DATA="${HACE_SHARED_DATA:-$ROOT/../shared/data}"
  for t in "${TSAN_TESTS[@]}"; do
    bin="$(find "$ROOT/build-tsan/tests" -type f -name "$t" -perm -u+x | head -1)"
    stage "TSan: $t"
    "$bin" --gtest_brief=1
  done
fi
stage "sanitizer stages ($WANT) clean after $(( ($(date +%s) - START) / 60 )) min"
