#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12 packages (nothing else is downloaded).
# Skips apt entirely when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ccache git
  lld                                       # links the test executables ~7x faster than ld
  libtorch-dev libopenblas0-openmp          # without openblas LibTorch uses reference BLAS (~20x slower)
  libsentencepiece-dev sentencepiece
  libgtest-dev libgmock-dev googletest nlohmann-json3-dev
  libsqlite3-dev sqlite3
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqcustomplot-dev
  xvfb xauth fonts-wqy-microhei
  slurm-wlm munge                           # single-node Slurm for the `hace slurm` test
  clang-16 libclang-rt-16-dev llvm-16       # sanitizer stages: clang, ASan/UBSan/TSan/libFuzzer
                                            # runtimes, llvm-symbolizer for readable reports (16:
                                            # clang 14 cannot compile LibTorch's headers in C++20)
  libomp-16-dev                             # OpenMP for clang (the CPU decode kernels)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
