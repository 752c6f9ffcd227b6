#include "train/evaluate.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "model/layers.h"

namespace gptlab {

Evaluation::Evaluation(std::vector<BatchData> train, std::vector<BatchData> val, const EvalOptions& options)
    : options_(options) {
  batches_[0] = std::move(train);
  batches_[1] = std::move(val);
  for (int split = 0; split < 2; ++split)
    for (const BatchData& b : batches_[split]) counted_[split].push_back(b.counted(0, b.B));
}

// The next parts, one per thread (fewer at the end): a batch's rows, then the next batch, then the next
// split.
std::vector<Evaluation::Part> Evaluation::next_parts(int threads) {
  const int batches = static_cast<int>(batches_[0].size());
  std::vector<Part> parts;
  while (static_cast<int>(parts.size()) < threads && split_ < 2) {
    const int B = batches_[split_][batch_].B;
    const int rows = std::min(part_rows(B, options_.micro_batch, threads), B - row_);
    parts.push_back({split_, batch_, row_, rows});
    if ((row_ += rows) < B) continue;
    row_ = 0;
    if (++batch_ == batches) {
      batch_ = 0;
      ++split_;
    }
  }
  return parts;
}

std::optional<EvalResult> Evaluation::run_part(const Replicas& on) {
  const std::vector<Part> parts = next_parts(on.pool.size());
  std::vector<EvalStats> out(parts.size());
  on.pool.run(static_cast<int>(parts.size()), [&](int k) {
    const Part& p = parts[k];
    out[k] = eval_rows(on.member(k % on.pool.size()), batches_[p.split][p.batch], p.first_row, p.rows);
  });
  const int batches = static_cast<int>(batches_[0].size());
  for (std::size_t k = 0; k < parts.size(); ++k) {  // each batch's mean loss counts 1 / batches
    EvalStats& s = stats_[parts[k].split];
    const long long batch_counted = counted_[parts[k].split][parts[k].batch];
    if (batch_counted) s.loss += out[k].loss * out[k].counted / batch_counted / batches;
    s.right += out[k].right;
    s.right_unigram += out[k].right_unigram;
    s.counted += out[k].counted;
  }
  if (split_ < 2) return std::nullopt;
  return eval_result();
}

// Loss (mean over counted targets), argmax hits and most-frequent-token hits on rows of an eval batch.
Evaluation::EvalStats Evaluation::eval_rows(Gpt<float>& model, const BatchData& b, int first_row,
                                            int rows) const {
  EvalStats s;
  s.loss = model.forward(b.rows(first_row, rows));
  const int V = model.vocab_size();
  const std::size_t first = static_cast<std::size_t>(first_row) * b.T;
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows) * b.T; ++r) {
    const int target = b.targets[first + r];
    if (target == kIgnoreIndex) continue;
    const float* l = model.logits() + r * V;
    s.right += std::max_element(l, l + V) - l == target;
    s.right_unigram += target == options_.most_frequent;
    ++s.counted;
  }
  return s;
}

// The figures from the summed statistics of both splits.
EvalResult Evaluation::eval_result() const {
  const EvalStats &train = stats_[0], &val = stats_[1];
  const auto share = [&](long long n) { return val.counted ? static_cast<double>(n) / val.counted : 0.0; };
  EvalResult r{};
  r.train_loss = train.loss;
  r.val_loss = val.loss;
  r.perplexity = std::exp(r.val_loss);
  r.bits_per_char = r.val_loss / options_.chars_per_token / std::log(2.0);
  r.masked_accuracy = options_.masked ? share(val.right) : -1;
  r.unigram_accuracy = share(val.right_unigram);
  return r;
}

}  // namespace gptlab
