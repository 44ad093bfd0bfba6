#!/usr/bin/env bash
# Configures and builds a sanitizer flavour. Extra arguments are build targets (default:
# everything the flavour configures).
#   scripts/build-sanitized.sh asan [TARGET...]   GCC, ASan + UBSan, no GUI, no CUDA: the engine,
#                                                 the CLI and their tests
#   scripts/build-sanitized.sh tsan [TARGET...]   GCC, TSan, with the GUI libraries
#   scripts/build-sanitized.sh fuzz [TARGET...]   clang 16, ASan + UBSan + libFuzzer coverage: the
#                                                 fuzz targets of tests/fuzz (default `fuzzers`)
# GCC for the test flavours: Debian's clang (14 and 16) rejects LibTorch 1.13's headers in C++20
# against GCC 12's standard library (std::vector of the then incomplete c10::IValue), so only
# the torch-free fuzz targets are built with clang. BUILD_DIR defaults to build-asan /
# build-tsan / build-fuzz. Warnings are not fatal here: the GCC build of run-tests.sh enforces
# -Werror; these builds exist to run code under the sanitizers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLAVOUR="${1:?usage: build-sanitized.sh asan|tsan|fuzz [TARGET...]}"
shift
# ccache keys on paths below the base dir relatively, so another clone of the repository (or
# another CI folder) reuses this cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
case "$FLAVOUR" in
  asan)
    export CC="${SANITIZER_CC:-gcc}" CXX="${SANITIZER_CXX:-g++}"
    BUILD_DIR="${BUILD_DIR:-$ROOT/build-asan}"
    FLAGS=(-DHACE_SANITIZE_ADDRESS=ON -DHACE_SANITIZE_UNDEFINED=ON -DHACE_BUILD_GUI=OFF) ;;
  tsan)  # the GUI libraries too: the event bridge and the workbench are Qt
    export CC="${SANITIZER_CC:-gcc}" CXX="${SANITIZER_CXX:-g++}"
    BUILD_DIR="${BUILD_DIR:-$ROOT/build-tsan}"
    FLAGS=(-DHACE_SANITIZE_THREAD=ON -DHACE_BUILD_GUI=ON) ;;
  fuzz)
    export CC="${FUZZ_CC:-clang-16}" CXX="${FUZZ_CXX:-clang++-16}"
    BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
    FLAGS=(-DHACE_SANITIZE_ADDRESS=ON -DHACE_SANITIZE_UNDEFINED=ON -DHACE_BUILD_FUZZERS=ON
           -DHACE_BUILD_GUI=OFF)
    [ $# -eq 0 ] && set -- fuzzers ;;
  *) echo "build-sanitized: unknown flavour $FLAVOUR (asan, tsan or fuzz)" >&2; exit 2 ;;
esac
# -O1 and minimal debug info: readable reports at a fraction of -O3's compile time. Unity
# batches of 16 sources per target: LibTorch's headers are parsed once per batch instead of once
# per file, which cut a cold ASan build of hace_compress from 369 to 128 CPU seconds. The price:
# two files of one target may not define the same name in their anonymous namespaces (move such
# a helper to a shared header, as in_quotes went to engine/core/error.h). HACE_UNITY_BUILD=OFF
# builds file by file.
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O1 -g1 -DNDEBUG" \
  -DCMAKE_UNITY_BUILD="${HACE_UNITY_BUILD:-ON}" -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
  -DHACE_BUILD_TESTS=ON -DHACE_WITH_CUDA=OFF -DHACE_FATAL_WARNINGS=OFF "${FLAGS[@]}" >/dev/null
TARGETS=()
for t in "$@"; do TARGETS+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" "${TARGETS[@]}"
