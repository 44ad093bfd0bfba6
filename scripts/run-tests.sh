#!/usr/bin/env bash
# Installs dependencies, builds everything with warnings as errors, and runs the whole test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
export BUILD_DIR="${BUILD_DIR:-$ROOT/build-tests}"
"$ROOT/scripts/build.sh" -DHACE_BUILD_TESTS=ON -DHACE_FATAL_WARNINGS=ON
cd "$BUILD_DIR"
ctest -j"$(nproc)" --output-on-failure --timeout 600
