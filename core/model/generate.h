// Sampling text from a model, one token at a time.
//
// A causal GPT samples with a KV cache: each new token runs through the layers
// once, attending to the keys and values of earlier positions kept from before,
// instead of recomputing the whole prefix. Cache policy at block_size: the
// cache is full; the last block_size / 2 tokens are kept and re-run from
// position 0 (with RoPE or learned positions alike, as if the text started there).
// Without the cache (SamplingOptions::kv_cache false) each new token runs the whole
// context, cut to its last block_size tokens, through forward: the same tokens while
// the text fits in the block, and the slow way the cache exists to avoid.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/gpt.h"
#include "numerics/rng.h"
#include "text/tokenizer.h"

namespace gptlab {

struct SamplingOptions {
  float temperature = 1.0f;  // 0: always the most likely token
  int top_k = 0;             // keep only the k most likely tokens (0: all)
  float top_p = 1.0f;        // keep the smallest set whose probability reaches p
  std::vector<int> banned;   // ids never drawn (probability 0), e.g. <pad>, <mask>, <bos>
  bool kv_cache = true;      // generate(): false re-runs the whole context for every token
};

// The special ids a causal model should never write: <pad>, <mask> and <bos>
// (those the tokenizer has). <eos> stays drawable.
std::vector<int> never_sampled(const Tokenizer& tokenizer);

// The probabilities sample_token draws from (V values, summing to 1): over the ids kept,
//   p_i = exp(l_i / temperature) / sum_kept exp(l_j / temperature),
// where an id is kept if it is not banned, is among the top_k largest logits (top_k > 0),
// and lies in the smallest most-likely-first prefix of those whose probability reaches top_p;
// every other id is exactly 0. Temperature 0 puts all the mass on the likeliest drawable id
// (the lowest id among equal logits). Throws as sample_token does.
std::vector<float> sampling_distribution(const float* logits, int V, const SamplingOptions& options);

// Draws a token id from sampling_distribution(logits, V, options), never a banned id.
// Throws OptionError for a negative temperature or top_k, or top_p outside (0, 1];
// ShapeError for non-finite logits or every id banned.
int sample_token(const float* logits, int V, const SamplingOptions& options, Rng& rng);

// Appends up to max_new_tokens tokens to `prompt` (a causal GPT; with the KV cache
// unless options.kv_cache is false), calling on_token after each; on_token returns false to stop early.
// Returns the new tokens. The prompt must be non-empty.
std::vector<int> generate(Gpt<float>& model, const std::vector<int>& prompt, int max_new_tokens,
                          const SamplingOptions& options, Rng& rng,
                          const std::function<bool(int)>& on_token = {});

// A token and the probability a model gives it.
struct Candidate {
  int token;
  float probability;
};

// The k most likely ids of softmax(logits) over V values, most likely first (the lower id
// first among equal logits), with their probabilities.
std::vector<Candidate> most_likely(const float* logits, int V, int k);

// For a bidirectional (masked LM) model: the k most likely tokens at every
// position holding mask_id, with their probabilities.
std::vector<std::vector<Candidate>> fill_masks(Gpt<float>& model, const std::vector<int>& tokens, int mask_id,
                                               int k);

}  // namespace gptlab
