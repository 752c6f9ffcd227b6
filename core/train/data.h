// From a token stream to batches, and the three training objectives.
//
//   stream -> train / val split (the first 90% of the tokens train, the last 10%
//   validate: contiguous, so validation text was never seen)
//   -> batches: random windows of T tokens (sample_blocks), or whole documents
//      padded with <pad> to the longest in the batch (sample_documents)
//   -> objective: causal LM, masked LM, or masked next-token prediction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/model.h"
#include "numerics/rng.h"

namespace gptlab {

struct TrainValSplit {
  std::vector<int> train, val;
};
// Throws ShapeError if either part would be empty.
TrainValSplit split_train_val(const std::vector<int>& stream, double train_fraction = 0.9);

// A batch's storage; view() gives the model's Batch.
struct BatchData {
  int B = 0, T = 0;
  std::vector<int> tokens, targets;
  std::vector<std::uint8_t> key_pad;  // empty when nothing is padded
  Batch view() const { return rows(0, B); }
  Batch rows(int first, int count) const {  // rows [first, first + count)
    const std::size_t at = static_cast<std::size_t>(first) * T;
    return {tokens.data() + at, targets.data() + at, key_pad.empty() ? nullptr : key_pad.data() + at, count,
            T};
  }
  long long counted(int first,
                    int count) const;  // targets of rows [first, first + count) that count towards the loss
};

// Rows per part of a batch of B rows run in parts: micro_batch, or else one part per thread.
int part_rows(int B, int micro_batch, int threads);

// B windows of T consecutive tokens at random starts, with the causal targets
// (each token's successor). Throws ShapeError if the stream has fewer than T + 1 tokens.
void sample_blocks(const std::vector<int>& stream, int B, int T, Rng& rng, BatchData& out);

// Cuts a token stream into documents at every occurrence of `separator` (a token
// sequence, e.g. the tokens of "\n\n"); the separator stays at the end of its document.
std::vector<std::vector<int>> split_documents(const std::vector<int>& stream,
                                              const std::vector<int>& separator);

// B random documents, each cut to at most T tokens, padded with pad_id to the
// longest of them; key_pad marks the padding. Targets are left at -100: an
// objective fills them.
void sample_documents(const std::vector<std::vector<int>>& docs, int B, int T, int pad_id, Rng& rng,
                      BatchData& out);

// ---- objectives: each fills the targets of a batch (and may change its tokens) ----

// Causal LM: the target at t is the token at t + 1 of the same sequence; -100 at
// the last position and wherever the next position is padding.
void causal_lm(BatchData& batch);

struct MaskingOptions {
  float rate = 0.15f;  // share of eligible positions chosen
  int mask_id;         // <mask>
  int vocab_size;
  std::vector<int> special_ids;  // never chosen, never used as random replacements
};

// Masked LM (BERT): each eligible position (not padding, not a special token) is
// chosen with probability `rate`; a chosen token becomes <mask> (80%), a random
// non-special token (10%) or stays (10%). Targets: the original token at chosen
// positions, -100 elsewhere. Use with bidirectional attention.
void masked_lm(BatchData& batch, const MaskingOptions& options, Rng& rng);

// Masked next-token prediction (LLM2Vec): masked as for MLM, but the original
// token at a chosen position i is predicted from the output at i - 1, so the
// model keeps the causal LM's habit (output i - 1 predicts token i) while it
// learns to use context on both sides. Position 0 is never chosen (it has no i - 1).
void masked_next_token(BatchData& batch, const MaskingOptions& options, Rng& rng);

}  // namespace gptlab
