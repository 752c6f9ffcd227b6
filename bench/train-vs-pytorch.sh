#!/usr/bin/env bash
# Training throughput, one run, one thread each: gptlab native, gptlab WASM under
# node, gptlab WASM in Chromium with TensorFlow.js as the in-browser peer (after
# `npx vite build`), and PyTorch (Debian's python3-torch with OpenBLAS) on the same
# config, batch and optimizer. Prints each line and the ratio native / PyTorch.
# PyTorch is optional: without it the ratio is skipped with a note.
#   bash bench/train-vs-pytorch.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-60}
ours=$(build/bench_train "$steps"); echo "$ours"
node --no-experimental-fetch build-wasm/bench_train.cjs "$steps"
[[ -f dist/index.html ]] && node bench/train-browser.mjs 30
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  theirs=$(/usr/bin/python3 bench/pytorch_train.py "$steps"); echo "$theirs"
  rate() { sed -E 's/.* ([0-9]+) tokens\/s.*/\1/' <<<"$1"; }
  awk -v a="$(rate "$ours")" -v b="$(rate "$theirs")" 'BEGIN { printf "gptlab native / PyTorch: %.2fx\n", a / b }'
else
  echo "PyTorch is not installed (apt-get install python3-torch libopenblas0-pthread): no ratio."
fi
