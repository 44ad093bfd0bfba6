#!/usr/bin/env bash
# Installs dependencies, builds everything with warnings as errors, and runs the whole test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
export BUILD_DIR="${BUILD_DIR:-$ROOT/build-tests}"
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
cd "$BUILD_DIR"
ctest -j"$(nproc)" --output-on-failure --timeout 600
