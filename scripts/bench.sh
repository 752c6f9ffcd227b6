#!/usr/bin/env bash
# npm run bench [-- --quick]: every benchmark program, one after another (never two at once:
# the figures are single-thread and the machine has two cores). Prints Markdown tables.
# The tokenizer benchmarks read ../shared/data/tinyshakespeare.txt when it exists (1.1 MB),
# else the built-in corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native wasm
npx vite build --logLevel warn
echo "## native (build/bench_matmul)"; build/bench_matmul "$@"
echo; echo "## WASM under node (bench/wasm-node.mjs)"; node bench/wasm-node.mjs "$@"
echo; echo "## WASM in Chromium (bench/browser.mjs)"; node bench/browser.mjs "$@"
echo; echo "## training throughput (bench/train-vs-pytorch.sh)"; bash bench/train-vs-pytorch.sh
echo; echo "## tokenizers, native (build/bench_tokenizer)"; build/bench_tokenizer "$@"
echo; echo "## tokenizers, WASM under node (bench/tokenizer-node.mjs)"; node bench/tokenizer-node.mjs "$@"
