#!/usr/bin/env bash
# Runs every libFuzzer target, one after another (or FUZZ_JOBS at a time).
#   scripts/fuzz.sh [SECONDS]     each target for SECONDS (default 60)
#   FUZZ_RUNS=N scripts/fuzz.sh   each target until it has executed N inputs (the long run:
#                                 FUZZ_RUNS=1000000); SECONDS, when given, still caps each target
#   FUZZ_ONLY=REGEX               only the targets whose names match
#   FUZZ_JOBS=N                   N targets at once (default 1; each is one process, one core)
# Builds them first when needed: a clang 16 build with ASan + UBSan + libFuzzer in FUZZ_BUILD_DIR
# (default build-fuzz; scripts/build-sanitized.sh fuzz). Seeds are derived at run time from
# ../shared/data and resources/ (hace_fuzz_seeds); what a run discovers is kept in
# FUZZ_BUILD_DIR/fuzz-corpus/<target>, crashes in FUZZ_BUILD_DIR/fuzz-artifacts/, and one line
# per target (executions, seconds, result) in FUZZ_BUILD_DIR/fuzz-summary.tsv. Exit status 1
# when any target found a crash, a leak or a timeout, or stopped short of FUZZ_RUNS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${FUZZ_RUNS:-}"
if [ -n "$RUNS" ]; then SECONDS_EACH="${1:-0}"; else SECONDS_EACH="${1:-60}"; fi
FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SHARED_DATA="${HACE_SHARED_DATA:-$ROOT/../shared/data}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"

BUILD_DIR="$FUZZ_BUILD_DIR" "$ROOT/scripts/build-sanitized.sh" fuzz fuzzers

SEEDS="$FUZZ_BUILD_DIR/fuzz-seeds"
rm -rf "$SEEDS"
"$FUZZ_BUILD_DIR/tests/fuzz/hace_fuzz_seeds" "$SHARED_DATA" "$ROOT" "$SEEDS"
ARTIFACTS="$FUZZ_BUILD_DIR/fuzz-artifacts"
mkdir -p "$ARTIFACTS"
SUMMARY="$FUZZ_BUILD_DIR/fuzz-summary.tsv"
printf 'target\texecutions\tseconds\tresult\n' >"$SUMMARY"

# Leaks are checked per input; uninstrumented LibTorch needs the committed suppressions.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# Each input is written to a scratch file (and SQLite syncs it): tmpfs keeps that off the disk.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR="${FUZZ_TMPDIR:-/dev/shm}"

# One target; its verdict goes to ARTIFACTS/<target>.result (read back after all have run).
run_target() {
  local target="$1" corpus="$FUZZ_BUILD_DIR/fuzz-corpus/$1" log="$ARTIFACTS/$1.log"
  local seeds=() limits=(-max_total_time="$SECONDS_EACH") start end runs result
  mkdir -p "$corpus"
  [ -d "$SEEDS/${target#fuzz_}" ] && seeds=("$SEEDS/${target#fuzz_}")
  [ -n "$RUNS" ] && limits+=(-runs="$RUNS")
  start=$(date +%s)
  # -max_len 128 KiB: the trimmed seeds are a few KiB (the seed database ~80 KiB); -timeout 10 s
  # per input (a slow input is a bug too); -rss_limit_mb bounds a single input's memory.
  if "$FUZZ_BUILD_DIR/tests/fuzz/$target" "$corpus" "${seeds[@]}" "${limits[@]}" \
      -max_len=131072 -timeout=10 -rss_limit_mb=4096 \
      -artifact_prefix="$ARTIFACTS/$target-" -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
  fi
  end=$(date +%s)
  runs="$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')"
  # libFuzzer counts the corpus loading too; -runs=N stops at N executed units.
  if [ "$result" = ok ] && [ -n "$RUNS" ] && [ "${runs:-0}" -lt "$RUNS" ]; then
    result="SHORT (time cap before $RUNS executions)"
  fi
  printf '%s\t%s\t%s\t%s\n' "$target" "${runs:-?}" "$((end - start))" "$result" \
    >"$ARTIFACTS/$target.result"
  if [ "$result" = ok ]; then
    echo "fuzz: $target ok, ${runs:-?} executions in $((end - start)) s"
  else
    echo "fuzz: $target $result (log: $log)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: internal error|.*runtime error)' "$log" | head -5 || true
  fi
}

mapfile -t targets < <(grep -E "${FUZZ_ONLY:-.}" "$FUZZ_BUILD_DIR/fuzzers.txt" | grep -v '^$')
for target in "${targets[@]}"; do
  rm -f "$ARTIFACTS/$target.result"
  while [ "$(jobs -rp | wc -l)" -ge "${FUZZ_JOBS:-1}" ]; do wait -n || true; done
  run_target "$target" &
done
wait

failed=()
for target in "${targets[@]}"; do
  if [ -f "$ARTIFACTS/$target.result" ]; then
    cat "$ARTIFACTS/$target.result" >>"$SUMMARY"
    [ "$(cut -f4 "$ARTIFACTS/$target.result")" = ok ] || failed+=("$target")
  else
    printf '%s\t?\t?\tno result\n' "$target" >>"$SUMMARY"
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]} (summary: $SUMMARY)" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets clean (summary: $SUMMARY)"
