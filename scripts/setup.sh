#!/usr/bin/env bash
# Installs what gptlab needs and is missing, and nothing else:
#   Debian packages (Emscripten, header-only C++ libraries, Chromium for browser tests),
#   then the npm packages pinned in package-lock.json.
# A second run finds everything in place and returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang-19 and lld-19 build the WASM module's relaxed-SIMD (fused multiply-add) matmul kernel: wasm-kernels/.
PACKAGES=(g++ cmake ninja-build ccache clang-format emscripten binaryen libeigen3-dev libxsimd-dev doctest-dev nlohmann-json3-dev chromium
          clang-19 lld-19)
# `setup.sh fuzz` (npm run fuzz): clang and its libFuzzer runtime as well.
[[ ${1:-} == fuzz ]] && PACKAGES+=(clang libclang-rt-14-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then missing+=("$p"); fi
done

if ((${#missing[@]})); then
  install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "gptlab needs these Debian packages: ${missing[*]}." >&2
    echo "Install them as root with: $install_cmd" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
fi

# npm ci when node_modules is absent or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
