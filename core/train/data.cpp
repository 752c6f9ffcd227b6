#include "train/data.h"

#include <algorithm>

#include "errors.h"
#include "model/layers.h"

namespace gptlab {

long long BatchData::counted(int first, int count) const {
  const auto begin = targets.begin() + static_cast<std::ptrdiff_t>(first) * T;
  return std::count_if(begin, begin + static_cast<std::ptrdiff_t>(count) * T,
                       [](int t) { return t != kIgnoreIndex; });
}

int part_rows(int B, int micro_batch, int threads) {
  if (micro_batch > 0) return micro_batch;
  return (B + threads - 1) / threads;
}

TrainValSplit split_train_val(const std::vector<int>& stream, double train_fraction) {
  const auto n_train = static_cast<std::size_t>(static_cast<double>(stream.size()) * train_fraction);
  if (n_train == 0 || n_train == stream.size())
    throw ShapeError("The corpus (" + std::to_string(stream.size()) +
                     " tokens) is too short to split into training "
                     "and validation text.");
  return {{stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n_train)},
          {stream.begin() + static_cast<std::ptrdiff_t>(n_train), stream.end()}};
}

void sample_blocks(const std::vector<int>& stream, int B, int T, Rng& rng, BatchData& out) {
  if (B < 1 || T < 1) throw ShapeError("A batch needs at least one sequence of at least one token.");
  if (stream.size() < static_cast<std::size_t>(T) + 1)
    throw ShapeError("The text has " + std::to_string(stream.size()) + " tokens, but a block of " +
                     std::to_string(T) + " needs at least " + std::to_string(T + 1) +
                     " (one more, for the last target).");
  out.B = B;
  out.T = T;
  out.tokens.resize(static_cast<std::size_t>(B) * T);
  out.targets.resize(out.tokens.size());
  out.key_pad.clear();
  const auto starts =
      static_cast<std::uint32_t>(stream.size() - T);  // windows [s, s + T] exist for s < starts
  for (int b = 0; b < B; ++b) {
    const std::size_t s = rng.below(starts);
    for (int t = 0; t < T; ++t) {
      out.tokens[static_cast<std::size_t>(b) * T + t] = stream[s + t];
      out.targets[static_cast<std::size_t>(b) * T + t] = stream[s + t + 1];
    }
  }
}

std::vector<std::vector<int>> split_documents(const std::vector<int>& stream,
                                              const std::vector<int>& separator) {
  std::vector<std::vector<int>> docs(1);
  for (std::size_t i = 0; i < stream.size(); ++i) {
    docs.back().push_back(stream[i]);
    const std::size_t n = docs.back().size();
    if (!separator.empty() && n >= separator.size() &&
        std::equal(separator.begin(), separator.end(),
                   docs.back().end() - static_cast<std::ptrdiff_t>(separator.size())))
      docs.emplace_back();
  }
  if (docs.back().empty()) docs.pop_back();
  return docs;
}

void sample_documents(const std::vector<std::vector<int>>& docs, int B, int T, int pad_id, Rng& rng,
                      BatchData& out) {
  if (docs.empty()) throw ShapeError("There are no documents to sample from.");
  if (B < 1 || T < 1) throw ShapeError("A batch needs at least one sequence of at least one token.");
  std::vector<const std::vector<int>*> picked(B);
  int longest = 1;
  for (int b = 0; b < B; ++b) {
    picked[b] = &docs[rng.below(static_cast<std::uint32_t>(docs.size()))];
    longest = std::max(longest, std::min(T, static_cast<int>(picked[b]->size())));
  }
  out.B = B;
  out.T = longest;
  out.tokens.assign(static_cast<std::size_t>(B) * longest, pad_id);
  out.targets.assign(out.tokens.size(), kIgnoreIndex);
  out.key_pad.assign(out.tokens.size(), 1);
  for (int b = 0; b < B; ++b) {
    const int len = std::min(longest, static_cast<int>(picked[b]->size()));
    for (int t = 0; t < len; ++t) {
      out.tokens[static_cast<std::size_t>(b) * longest + t] = (*picked[b])[t];
      out.key_pad[static_cast<std::size_t>(b) * longest + t] = 0;
    }
  }
}

void causal_lm(BatchData& batch) {
  const bool padded = !batch.key_pad.empty();
  for (int b = 0; b < batch.B; ++b)
    for (int t = 0; t < batch.T; ++t) {
      const std::size_t i = static_cast<std::size_t>(b) * batch.T + t;
      const bool has_next = t + 1 < batch.T && !(padded && batch.key_pad[i + 1]);
      batch.targets[i] = has_next && !(padded && batch.key_pad[i]) ? batch.tokens[i + 1] : kIgnoreIndex;
    }
}

namespace {

bool is_special(const MaskingOptions& o, int id) {
  return std::find(o.special_ids.begin(), o.special_ids.end(), id) != o.special_ids.end();
}

// Picks the positions to mask: eligible ones (not padding, not special, not the
// first of a row when skip_first), each with probability o.rate.
std::vector<std::size_t> choose(const BatchData& batch, const MaskingOptions& o, Rng& rng, bool skip_first) {
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < batch.tokens.size(); ++i) {
    const bool pad = !batch.key_pad.empty() && batch.key_pad[i];
    if (pad || is_special(o, batch.tokens[i]) || (skip_first && i % batch.T == 0)) continue;
    if (rng.uniform_float() >= o.rate) continue;
    chosen.push_back(i);
  }
  return chosen;
}

// BERT's 80/10/10: <mask>, a random non-special token, or the token itself.
void corrupt(BatchData& batch, const std::vector<std::size_t>& chosen, const MaskingOptions& o, Rng& rng) {
  std::vector<int> replacements;
  for (int id = 0; id < o.vocab_size; ++id)
    if (!is_special(o, id)) replacements.push_back(id);
  if (replacements.empty()) throw ShapeError("Masking needs at least one token that is not special.");
  for (std::size_t i : chosen) {
    const float u = rng.uniform_float();
    if (u < 0.8f)
      batch.tokens[i] = o.mask_id;
    else if (u < 0.9f)
      batch.tokens[i] = replacements[rng.below(static_cast<std::uint32_t>(replacements.size()))];
  }
}

}  // namespace

void masked_lm(BatchData& batch, const MaskingOptions& o, Rng& rng) {
  std::fill(batch.targets.begin(), batch.targets.end(), kIgnoreIndex);
  const std::vector<std::size_t> chosen = choose(batch, o, rng, false);
  for (std::size_t i : chosen) batch.targets[i] = batch.tokens[i];
  corrupt(batch, chosen, o, rng);
}

void masked_next_token(BatchData& batch, const MaskingOptions& o, Rng& rng) {
  std::fill(batch.targets.begin(), batch.targets.end(), kIgnoreIndex);
  const std::vector<std::size_t> chosen = choose(batch, o, rng, true);
  for (std::size_t i : chosen) batch.targets[i - 1] = batch.tokens[i];  // predicted from the output before it
  corrupt(batch, chosen, o, rng);
}

}  // namespace gptlab
