#!/usr/bin/env bash
# Configures and builds a sanitizer flavour with Debian's clang 16. Extra arguments are build
# targets (default: everything the flavour configures).
#   scripts/build-sanitized.sh asan [TARGET...]   ASan + UBSan + libFuzzer coverage, no GUI, no
#                                                 CUDA: engine, CLI, tests and tests/fuzz
#   scripts/build-sanitized.sh tsan [TARGET...]   TSan, with the GUI libraries
# BUILD_DIR defaults to build-asan / build-tsan. Warnings are not fatal here: the GCC build of
# run-tests.sh enforces -Werror; this build exists to run code under the sanitizers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLAVOUR="${1:?usage: build-sanitized.sh asan|tsan [TARGET...]}"
shift
# ccache keys on paths below the base dir relatively, so another clone of the repository (or
# another CI folder) reuses this cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
# clang 16: clang 14 with GCC 12's C++20 library rejects LibTorch's headers (std::vector of the
# then incomplete c10::IValue in a constexpr context).
export CC="${SANITIZER_CC:-clang-16}" CXX="${SANITIZER_CXX:-clang++-16}"
case "$FLAVOUR" in
  asan)
    BUILD_DIR="${BUILD_DIR:-$ROOT/build-asan}"
    FLAGS=(-DHACE_SANITIZE_ADDRESS=ON -DHACE_SANITIZE_UNDEFINED=ON -DHACE_BUILD_FUZZERS=ON
           -DHACE_BUILD_GUI=OFF) ;;
  tsan)  # the GUI libraries too: the event bridge and the workbench are Qt
    BUILD_DIR="${BUILD_DIR:-$ROOT/build-tsan}"
    FLAGS=(-DHACE_SANITIZE_THREAD=ON -DHACE_BUILD_GUI=ON) ;;
  *) echo "build-sanitized: unknown flavour $FLAVOUR (asan or tsan)" >&2; exit 2 ;;
esac
# -O1 and line tables: readable reports at a fraction of -O3's compile time.
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_C_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
  -DHACE_BUILD_TESTS=ON -DHACE_WITH_CUDA=OFF -DHACE_FATAL_WARNINGS=OFF "${FLAGS[@]}" >/dev/null
TARGETS=()
for t in "$@"; do TARGETS+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" "${TARGETS[@]}"
