#!/usr/bin/env bash
# Builds gptlab. Usage: scripts/build.sh [native] [wasm] [asan] (default: native wasm).
#   native -> build/       (library, doctest suite, benchmarks)
#   wasm   -> build-wasm/  (the same doctest suite for node, and the web module)
#   asan   -> build-asan/  (the doctest suite under AddressSanitizer + UndefinedBehaviorSanitizer)
# Incremental: a second run with nothing changed takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
((${#targets[@]})) || targets=(native wasm)
export NODE_PATH=/usr/share/nodejs  # Emscripten's optimizer needs acorn from Debian's node modules
source scripts/ccache.sh  # sets launcher

for t in "${targets[@]}"; do
  case "$t" in
    native)
      [[ -f build/build.ninja ]] || cmake -S . -B build -G Ninja "${launcher[@]}"
      ninja -C build ;;
    wasm)
      [[ -f build-wasm/build.ninja ]] || emcmake cmake -S . -B build-wasm -G Ninja
      ninja -C build-wasm ;;
    asan)
      [[ -f build-asan/build.ninja ]] ||
        cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPTLAB_SANITIZE=ON "${launcher[@]}"
      ninja -C build-asan gptlab_tests ;;
    *) echo "build.sh: unknown target '$t' (use native, wasm or asan)" >&2; exit 2 ;;
  esac
done
