#!/usr/bin/env bash
# Verifies the CUDA kernels (engine/kernels/cuda) on a machine with a GPU and measures them.
#
# Two machines are involved (docs: TOOLCHAIN.md section 5):
#   1. On the development machine (Debian 12 packages installed), stage what the GPU machine
#      lacks, inside git-ignored folders of the checkout:
#          scripts/gpu-verify.sh prepare
#      -> .gtest-src/      a copy of /usr/src/googletest (GoogleTest + GoogleMock sources)
#      -> build-gpu-deps/  nlohmann_json headers + CMake package, sqlite3.h (configure only)
#   2. On the GPU machine (python3 with a CUDA torch, nvcc, CMake; no network), from the
#      repository root, with those two folders carried along (the `run` tool's carry list:
#      [".gtest-src", "build-gpu-deps"]):
#          scripts/gpu-verify.sh            # = all: build, test, bench
#          scripts/gpu-verify.sh build|test|bench   # one stage (build outputs persist)
#
# build: configures BUILD_DIR (default build-gpu) against python torch's LibTorch with
#        HACE_WITH_CUDA=ON, no GUI, no sentencepiece, tests on, and builds the kernel tests and
#        the benchmark only (the SQLite runner and the app are configured but not built).
# test:  runs the kernel test binaries; fails if any test fails or if a CUDA test skipped
#        although a GPU is present.
# bench: runs bench_kernels_cuda: JSON with the device copy bandwidth (cudaMemcpy D2D) and the
#        ragged decode kernels at 7B shapes (32 query heads, 8 or 32 KV heads, head_dim 128,
#        contexts 4K..128K, 100 % and 1 % retention), plus the prefill-side kernels.
# Results go to $OUT (the `run` tool's returned folder) when set, else BUILD_DIR/gpu-verify:
#   env.txt, test-*.log, test-*.json (gtest), bench.json, summary.txt.
#
# Environment overrides: BUILD_DIR, GTEST_DIR, DEPS_DIR, PYTHON (python3), CUDA_ARCH (90) and
# TORCH_CUDA_ARCH_LIST (9.0) (H100 and H200 are both sm_90), JOBS (nproc), FATAL_WARNINGS (OFF: the GPU machine's compiler may warn differently; the CUDA
# sources are already -Werror-clean under nvcc 13 on the development machine),
# ALLOW_NO_GPU=1 (build and test on a machine without a GPU: CUDA tests then skip; for checking
# this script), TORCH_CMAKE_PREFIX (skip asking python for torch's CMake prefix),
# FORCE_STAGED_DEPS=1 (use the staged nlohmann_json and sqlite3.h even where the system has them:
# rehearses the GPU machine's configure on the development machine).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-gpu}"
GTEST_DIR="${GTEST_DIR:-$ROOT/.gtest-src}"
DEPS_DIR="${DEPS_DIR:-$ROOT/build-gpu-deps}"
PYTHON="${PYTHON:-python3}"
CUDA_ARCH="${CUDA_ARCH:-90}"
TORCH_ARCH="${TORCH_CUDA_ARCH_LIST:-9.0}"
FORCE_STAGED_DEPS="${FORCE_STAGED_DEPS:-0}"
JOBS="${JOBS:-$(nproc)}"
FATAL_WARNINGS="${FATAL_WARNINGS:-OFF}"
ALLOW_NO_GPU="${ALLOW_NO_GPU:-0}"
RESULTS="${OUT:-$BUILD_DIR/gpu-verify}"
# Kernel tests without LibTorch, and those that also link the engine's ATen code (hace_compress)
# for their CPU references: a torch-version problem elsewhere in the engine cannot hide the first.
PLAIN_TESTS=(test_ragged_decode_attention test_append_rows)
TORCH_TESTS=(test_window_stats_kernel test_topk_compact)
KERNEL_TESTS=("${PLAIN_TESTS[@]}" "${TORCH_TESTS[@]}")
BENCH=bench_kernels_cuda

log() { echo "gpu-verify: $*" >&2; }
die() {
    echo "gpu-verify: ERROR: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# ---- prepare (development machine) -----------------------------------------------------------
prepare() {
    [ -f /usr/src/googletest/CMakeLists.txt ] ||
        die "/usr/src/googletest not found (Debian package googletest)"
    [ -f /usr/include/nlohmann/json.hpp ] ||
        die "/usr/include/nlohmann not found (Debian package nlohmann-json3-dev)"
    [ -f /usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake ] ||
        die "nlohmann_json CMake package not found under /usr/share/cmake"
    [ -f /usr/include/sqlite3.h ] || die "/usr/include/sqlite3.h not found (libsqlite3-dev)"
    rm -rf "$GTEST_DIR" "$DEPS_DIR"
    cp -a /usr/src/googletest "$GTEST_DIR"
    mkdir -p "$DEPS_DIR/include" "$DEPS_DIR/share/cmake"
    cp -a /usr/include/nlohmann "$DEPS_DIR/include/"
    # The package's targets file finds the prefix three folders up: DEPS_DIR/share/cmake/x/.
    cp -a /usr/share/cmake/nlohmann_json "$DEPS_DIR/share/cmake/"
    cp /usr/include/sqlite3.h "$DEPS_DIR/include/"
    log "staged $(du -sh "$GTEST_DIR" | cut -f1) in $GTEST_DIR and $(du -sh "$DEPS_DIR" | cut -f1) in $DEPS_DIR"
    log "carry these to the GPU machine: [\"${GTEST_DIR#"$ROOT"/}\", \"${DEPS_DIR#"$ROOT"/}\"]"
}

# ---- helpers (GPU machine) -------------------------------------------------------------------
find_nvcc() {
    local nvcc
    nvcc="$(command -v nvcc || true)"
    if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
    [ -n "$nvcc" ] || die "nvcc not found (looked in PATH and /usr/local/cuda/bin)"
    echo "$nvcc"
}

gpu_present() {
    command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '
}

record_environment() {
    mkdir -p "$RESULTS"
    {
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "git: $(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
             "$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) changed paths"
        if gpu_present; then
            nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem \
                --format=csv,noheader
        else
            echo "gpu: none visible (nvidia-smi missing or lists no GPU)"
        fi
        local nvcc
        nvcc="$(find_nvcc 2>/dev/null || true)"
        if [ -n "$nvcc" ]; then "$nvcc" --version | tail -n 2; else echo "nvcc: not found"; fi
        "${CXX:-c++}" --version 2>/dev/null | head -n 1 || echo "c++: not found"
        cmake --version | head -n 1
        "$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
"cxx11abi", torch._C._GLIBCXX_USE_CXX11_ABI)' 2>&1 || echo "torch: not importable"
    } >"$RESULTS/env.txt" 2>&1
    cat "$RESULTS/env.txt" >&2
}

# CMake arguments for the dependencies the GPU machine lacks (staged by `prepare`).
dependency_args() {
    local args=()
    [ -f "$GTEST_DIR/CMakeLists.txt" ] ||
        die "GoogleTest sources not found in $GTEST_DIR: run 'scripts/gpu-verify.sh prepare' on the development machine and carry ${GTEST_DIR#"$ROOT"/}"
    args+=(-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON "-DHACE_GTEST_SRC=$GTEST_DIR")
    if [ -f "$DEPS_DIR/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake" ] ||
       [ "$FORCE_STAGED_DEPS" = 1 ]; then
        args+=("-Dnlohmann_json_DIR=$DEPS_DIR/share/cmake/nlohmann_json")
    elif [ ! -f /usr/include/nlohmann/json.hpp ]; then
        die "nlohmann_json not found: run 'scripts/gpu-verify.sh prepare' and carry ${DEPS_DIR#"$ROOT"/}"
    fi
    # SQLite is needed by the runner only, which is configured but not built here: a header is
    # enough for find_package, the library path may be a placeholder.
    if [ ! -f /usr/include/sqlite3.h ] || [ "$FORCE_STAGED_DEPS" = 1 ]; then
        [ -f "$DEPS_DIR/include/sqlite3.h" ] ||
            die "sqlite3.h not found: run 'scripts/gpu-verify.sh prepare' and carry ${DEPS_DIR#"$ROOT"/}"
        local lib=""
        [ "$FORCE_STAGED_DEPS" = 1 ] ||
            lib="$(ldconfig -p 2>/dev/null | awk '/libsqlite3\.so/ {print $NF; exit}')"
        args+=("-DSQLite3_INCLUDE_DIR=$DEPS_DIR/include"
               "-DSQLite3_LIBRARY=${lib:-$DEPS_DIR/lib/libsqlite3-not-built.so}")
    fi
    printf '%s\n' "${args[@]}"
}

# ---- build -----------------------------------------------------------------------------------
build() {
    local nvcc torch_prefix generator=()
    nvcc="$(find_nvcc)" || exit 1
    if [ -n "${TORCH_CMAKE_PREFIX+set}" ]; then
        torch_prefix="$TORCH_CMAKE_PREFIX"
    else
        torch_prefix="$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')" ||
            die "$PYTHON cannot import torch (set PYTHON or TORCH_CMAKE_PREFIX)"
    fi
    if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
    local deps_text deps=()
    deps_text="$(dependency_args)" || exit 1
    mapfile -t deps <<<"$deps_text"
    log "configuring $BUILD_DIR (torch prefix: ${torch_prefix:-none}, CUDA arch $CUDA_ARCH)"
    cmake -S "$ROOT" -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        "-DCMAKE_PREFIX_PATH=$torch_prefix" \
        "-DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCH" "-DTORCH_CUDA_ARCH_LIST=$TORCH_ARCH" \
        "-DCMAKE_CUDA_COMPILER=$nvcc" \
        -DHACE_WITH_CUDA=ON -DHACE_BUILD_GUI=OFF -DHACE_WITH_SPM=OFF -DHACE_BUILD_TESTS=ON \
        "-DHACE_FATAL_WARNINGS=$FATAL_WARNINGS" "${deps[@]}" \
        >"$RESULTS/configure.log" 2>&1 ||
        { tail -n 40 "$RESULTS/configure.log" >&2; die "configure failed (log: $RESULTS/configure.log)"; }
    log "building ${PLAIN_TESTS[*]} $BENCH with $JOBS jobs"
    cmake --build "$BUILD_DIR" -j "$JOBS" --target "${PLAIN_TESTS[@]}" "$BENCH" \
        >"$RESULTS/build.log" 2>&1 ||
        { grep -E -m 20 ' error|Error ' "$RESULTS/build.log" >&2 || true
          die "build failed (log: $RESULTS/build.log)"; }
    log "building ${TORCH_TESTS[*]} (they link LibTorch and the engine)"
    if ! cmake --build "$BUILD_DIR" -j "$JOBS" --target "${TORCH_TESTS[@]}" \
        >"$RESULTS/build-torch.log" 2>&1; then
        grep -E -m 20 ' error|Error ' "$RESULTS/build-torch.log" >&2 || true
        log "the LibTorch-linked kernel tests did not build (log: $RESULTS/build-torch.log);" \
            "the test stage runs the others and then fails"
        return 1
    fi
    log "build done"
}

binary_of() {
    echo "$BUILD_DIR/tests/engine/kernels/$1"
}

# ---- test ------------------------------------------------------------------------------------
run_tests() {
    local failed=0 t bin log_file
    for t in "${KERNEL_TESTS[@]}"; do
        bin="$(binary_of "$t")"
        if [ ! -x "$bin" ]; then
            log "$t is not built (run the build stage; see its logs)"
            failed=1
            continue
        fi
        log_file="$RESULTS/$t.log"
        log "running $t"
        if ! "$bin" "--gtest_output=json:$RESULTS/$t.json" >"$log_file" 2>&1; then
            grep -E '^\[  FAILED  \]|Failure|error' "$log_file" | head -n 20 >&2 || true
            log "$t FAILED (log: $log_file)"
            failed=1
        fi
        grep -E '^\[  PASSED  \] [0-9]+ test|^\[  (SKIPPED|FAILED) +\] [0-9]+ tests?, listed' \
            "$log_file" >&2 || true
        if gpu_present && grep -q '^\[  SKIPPED \]' "$log_file"; then
            log "$t skipped tests although a GPU is present (log: $log_file)"
            failed=1
        fi
    done
    [ "$failed" -eq 0 ] || die "kernel tests failed"
    log "all kernel tests passed"
}

# ---- bench -----------------------------------------------------------------------------------
run_bench() {
    gpu_present || die "no GPU visible: the benchmark needs one"
    local bin
    bin="$(binary_of "$BENCH")"
    [ -x "$bin" ] || die "$bin not built: run the build stage first"
    log "running $BENCH (tens of seconds)"
    "$bin" >"$RESULTS/bench.json" 2>"$RESULTS/bench.err" ||
        { cat "$RESULTS/bench.err" >&2; die "$BENCH failed"; }
    "$PYTHON" - "$RESULTS/bench.json" >"$RESULTS/summary.txt" <<'PY' || die "bench.json is not valid JSON"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"device {r['device']}  SMs {r['sm_count']}  d2d copy {r['d2d']['copy_GBps']} GB/s "
      f"(traffic {r['d2d']['traffic_GBps']} GB/s)")
print("ragged decode (float32 K/V; ms median; fraction of d2d traffic)")
print(f"{'Hkv':>4} {'context':>8} {'ret':>5} {'longest':>8} {'plain':>9} {'split':>9} "
      f"{'auto':>9} {'plain%':>7} {'split%':>7} {'auto%':>7} {'diff':>8}")
for x in r["ragged_decode"]:
    print(f"{x['n_kv_heads']:>4} {x['context']:>8} {x['retention']:>5} {x['longest']:>8} "
          f"{x['plain']['median_ms']:>9.4f} {x['split']['median_ms']:>9.4f} "
          f"{x['auto']['median_ms']:>9.4f} {100*x['plain_fraction_of_d2d']:>6.1f}% "
          f"{100*x['split_fraction_of_d2d']:>6.1f}% {100*x['auto_fraction_of_d2d']:>6.1f}% "
          f"{x['max_abs_diff_split_vs_plain']:>8.2g}")
print("prefill-side kernels (ms median)")
for x in r["prefill_kernels"]:
    print(f"Hkv {x['n_kv_heads']:>2} n {x['prompt']:>7}: window_stats "
          f"{x['window_stats']['median_ms']:.3f}  topk_compact {x['topk_compact']['median_ms']:.3f}"
          f"  append_rows {x['append_rows']['median_ms']:.4f}")
PY
    cat "$RESULTS/bench.json"
    cat "$RESULTS/summary.txt" >&2
}

main() {
    local stage="${1:-all}"
    case "$stage" in
        -h | --help | help) usage; return 0 ;;
        prepare) prepare; return 0 ;;
        all | build | test | bench) ;;
        *) usage >&2; die "unknown stage '$stage'" ;;
    esac
    [ "$#" -le 1 ] || die "one stage at a time"
    if ! gpu_present && [ "$ALLOW_NO_GPU" != 1 ]; then
        die "no GPU visible (nvidia-smi -L lists none); set ALLOW_NO_GPU=1 to build and test anyway"
    fi
    mkdir -p "$RESULTS"
    record_environment
    case "$stage" in
        build) build ;;
        test) run_tests ;;
        bench) run_bench ;;
        all)
            local built=0
            build || built=$?
            run_tests
            [ "$built" -eq 0 ] || die "some kernel tests did not build"
            if gpu_present; then run_bench; else log "no GPU: benchmark skipped"; fi
            ;;
    esac
    log "results in $RESULTS"
}

main "$@"
