#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60), one after another.
#   scripts/fuzz.sh [SECONDS]        (FUZZ_ONLY=REGEX: only the targets whose names match)
# Builds them first when needed: a clang 16 build with ASan + UBSan + libFuzzer in FUZZ_BUILD_DIR
# (default build-fuzz; scripts/build-sanitized.sh fuzz). The four targets that link LibTorch
# need -DHACE_FUZZ_TORCH_TARGETS=ON and a clang that compiles its headers (tests/fuzz). Seeds are derived at run time from
# ../shared/data and resources/ (hace_fuzz_seeds); what a run discovers is kept in
# FUZZ_BUILD_DIR/fuzz-corpus/<target>, crashes in FUZZ_BUILD_DIR/fuzz-artifacts/. Exit status 1
# when any target found a crash, a leak or a timeout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-60}"
FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SHARED_DATA="${HACE_SHARED_DATA:-$ROOT/../shared/data}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"

BUILD_DIR="$FUZZ_BUILD_DIR" "$ROOT/scripts/build-sanitized.sh" fuzz fuzzers

SEEDS="$FUZZ_BUILD_DIR/fuzz-seeds"
rm -rf "$SEEDS"
"$FUZZ_BUILD_DIR/tests/fuzz/hace_fuzz_seeds" "$SHARED_DATA" "$ROOT" "$SEEDS"
mkdir -p "$FUZZ_BUILD_DIR/fuzz-artifacts"

# Leaks are checked per input; uninstrumented LibTorch needs the committed suppressions.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# Each input is written to a scratch file (and SQLite syncs it): tmpfs keeps that off the disk.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR="${FUZZ_TMPDIR:-/dev/shm}"

failed=()
while read -r target; do
  [ -z "$target" ] && continue
  corpus="$FUZZ_BUILD_DIR/fuzz-corpus/$target"
  mkdir -p "$corpus"
  seeds=()
  [ -d "$SEEDS/${target#fuzz_}" ] && seeds=("$SEEDS/${target#fuzz_}")
  log="$FUZZ_BUILD_DIR/fuzz-artifacts/$target.log"
  # -max_len 128 KiB: the trimmed seeds are a few KiB (the seed database ~80 KiB); -timeout 10 s
  # per input (a slow input is a bug too); -rss_limit_mb bounds a single input's memory.
  if "$FUZZ_BUILD_DIR/tests/fuzz/$target" "$corpus" "${seeds[@]}" \
      -max_total_time="$SECONDS_EACH" -max_len=131072 -timeout=10 -rss_limit_mb=4096 \
      -artifact_prefix="$FUZZ_BUILD_DIR/fuzz-artifacts/$target-" -print_final_stats=1 \
      >"$log" 2>&1; then
    runs="$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')"
    echo "fuzz: $target ok, ${runs:-?} executions in ${SECONDS_EACH}s"
  else
    echo "fuzz: $target FAILED (log: $log)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: internal error|.*runtime error)' "$log" | head -5 || true
    failed+=("$target")
  fi
done < <(grep -E "${FUZZ_ONLY:-.}" "$FUZZ_BUILD_DIR/fuzzers.txt")

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all targets clean"
