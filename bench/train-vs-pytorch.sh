#!/usr/bin/env bash
# Training throughput, one run: gptlab native and PyTorch (Debian's python3-torch with
# OpenBLAS) on the same config, batch and optimizer, on one thread and on every core
# (gptlab: data-parallel replicas; PyTorch: its intra-op threads); gptlab WASM under
# node (one thread); gptlab WASM in Chromium on 1 and N threads with TensorFlow.js as
# the in-browser peer (after `npx vite build`). Prints each line and the ratios.
# PyTorch is optional: without it the ratios are skipped with a note.
#   bash bench/train-vs-pytorch.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-60}
cores=$(( $(nproc) < 8 ? $(nproc) : 8 ))
rate() { sed -E 's/.* ([0-9]+) tokens\/s.*/\1/' <<<"$1"; }
ratio() { awk -v a="$(rate "$2")" -v b="$(rate "$3")" -v l="$1" 'BEGIN { printf "%s: %.2fx\n", l, a / b }'; }
ours1=$(build/bench_train "$steps" 1); echo "$ours1"
oursN=$(build/bench_train "$steps" "$cores"); echo "$oursN"
node --no-experimental-fetch build-wasm/bench_train.cjs "$steps"
[[ -f dist/index.html ]] && node bench/train-browser.mjs 30
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  theirs1=$(/usr/bin/python3 bench/pytorch_train.py "$steps" 1); echo "$theirs1"
  theirsN=$(/usr/bin/python3 bench/pytorch_train.py "$steps" "$cores"); echo "$theirsN"
  ratio "gptlab native / PyTorch, 1 thread each" "$ours1" "$theirs1"
  ratio "gptlab native / PyTorch, $cores threads each" "$oursN" "$theirsN"
else
  echo "PyTorch is not installed (apt-get install python3-torch libopenblas0-pthread): no ratio."
fi
