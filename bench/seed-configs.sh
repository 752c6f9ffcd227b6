#!/usr/bin/env bash
# The seed's default model config (batch 64, block 128, n_embd 64, 8 heads, 4 layers, RoPE,
# lr 1e-3) with the causal and masked objectives, character and BPE (vocab 2048, GPT-4 split)
# tokenizers: val loss, bits/char, masked-token accuracy against the unigram baseline, tokens/s.
#   bash bench/seed-configs.sh [steps] [corpus]
# Default corpus: ../shared/data/tinyshakespeare.txt (benchmarks only), else the built-in one.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-300}
corpus=${2:-../shared/data/tinyshakespeare.txt}
[[ -f $corpus ]] || corpus=public/corpus/pride-and-prejudice.txt
echo "corpus: $corpus, $steps steps each (warmup 100, cosine to 1e-5 at the last step)"
for tokenizer in char bpe-gpt4; do
  for objective in causal masked; do
    echo "--- $tokenizer, $objective"
    build/gptlab train --corpus "$corpus" --tokenizer "$tokenizer" --vocab 2048 --objective "$objective" \
      --steps "$steps" --eval-interval "$steps" --checkpoint "/tmp/gptlab-seed-$tokenizer-$objective.ckpt" | grep -E "^step|model"
  done
done
