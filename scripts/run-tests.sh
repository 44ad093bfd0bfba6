#!/usr/bin/env bash
# Installs dependencies, builds everything with warnings as errors, and runs the whole test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
export BUILD_DIR="${BUILD_DIR:-$ROOT/build-tests}"
# Cache keys relative to the checkout: a fresh clone in another folder still hits ccache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
# CUDA kernels are compiled wherever nvcc exists (their GPU tests skip without a device).
CUDA_FLAGS=()
NVCC="$(command -v nvcc || true)"
[ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ] && NVCC=/usr/local/cuda/bin/nvcc
if [ -n "$NVCC" ]; then
  echo "run-tests: compiling CUDA kernels with $NVCC"
  CUDA_FLAGS=(-DHACE_WITH_CUDA=ON -DCMAKE_CUDA_COMPILER="$NVCC")
else
  echo "run-tests: no nvcc found, CUDA kernels not compiled"
fi
"$ROOT/scripts/build.sh" -DHACE_BUILD_TESTS=ON -DHACE_FATAL_WARNINGS=ON "${CUDA_FLAGS[@]}"
(cd "$BUILD_DIR" && ctest -j"$(nproc)" --output-on-failure --timeout 600)
# Then the sanitizer stages, each alone (scripts/sanitizer-tests.sh): in CI (CI=true) ASan+UBSan
# over the engine and CLI suites, 15 s of libFuzzer per fuzz target, and TSan over the threaded
# parts; HACE_SANITIZER_STAGES picks them elsewhere ("all" or 1 for all three; 0 turns them off,
# also in CI).
STAGES="${HACE_SANITIZER_STAGES:-}"
if [ -z "$STAGES" ]; then
  if [ "${CI:-}" = true ]; then STAGES=all; else STAGES=0; fi
fi
if [ "$STAGES" != 0 ]; then
  HACE_SANITIZER_STAGES="$STAGES" "$ROOT/scripts/sanitizer-tests.sh"
fi
