#include "train/evaluate.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "model/layers.h"

namespace gptlab {

Evaluation::Evaluation(std::vector<BatchData> train, std::vector<BatchData> val,
                       std::vector<BatchData> val_alone, const EvalOptions& options)
    : options_(options) {
  batches_[kTrain] = std::move(train);
  batches_[kVal] = std::move(val);
  batches_[kValAlone] = std::move(val_alone);
  for (int set = 0; set < kSets; ++set)
    for (const BatchData& b : batches_[set]) counted_[set].push_back(b.counted(0, b.B));
}

// The next parts, one per thread (fewer at the end): a batch's rows, then the next batch, then the next
// set (an empty set is skipped).
std::vector<Evaluation::Part> Evaluation::next_parts(int threads) {
  std::vector<Part> parts;
  while (static_cast<int>(parts.size()) < threads && set_ < kSets) {
    const int batches = static_cast<int>(batches_[set_].size());
    if (batches == 0) {
      ++set_;
      continue;
    }
    const int B = batches_[set_][batch_].B;
    const int rows = std::min(part_rows(B, options_.micro_batch, threads), B - row_);
    parts.push_back({set_, batch_, row_, rows});
    if ((row_ += rows) < B) continue;
    row_ = 0;
    if (++batch_ == batches) {
      batch_ = 0;
      ++set_;
    }
  }
  return parts;
}

std::optional<EvalResult> Evaluation::run_part(const Replicas& on) {
  const std::vector<Part> parts = next_parts(on.pool.size());
  std::vector<EvalStats> out(parts.size());
  on.pool.run(static_cast<int>(parts.size()), [&](int k) {
    const Part& p = parts[k];
    out[k] = eval_rows(on.member(k % on.pool.size()), batches_[p.set][p.batch], p.first_row, p.rows,
                       !options_.key_mask && p.set != kValAlone);
  });
  for (std::size_t k = 0; k < parts.size(); ++k) {  // each batch's mean loss counts 1 / batches
    const int set = parts[k].set;
    EvalStats& s = stats_[set];
    const long long batch_counted = counted_[set][parts[k].batch];
    const auto batches = static_cast<double>(batches_[set].size());
    if (batch_counted) s.loss += out[k].loss * out[k].counted / batch_counted / batches;
    s.right += out[k].right;
    s.right_unigram += out[k].right_unigram;
    s.counted += out[k].counted;
  }
  while (set_ < kSets && batches_[set_].empty()) ++set_;  // nothing left to run
  if (set_ < kSets) return std::nullopt;
  return eval_result();
}

// Loss (mean over counted targets), argmax hits and most-frequent-token hits on rows of an eval batch.
Evaluation::EvalStats Evaluation::eval_rows(Gpt<float>& model, const BatchData& b, int first_row, int rows,
                                            bool padding_seen) const {
  EvalStats s;
  Batch batch = b.rows(first_row, rows);
  if (padding_seen) batch.key_pad = nullptr;  // the teaching switch: padded keys are attended to
  s.loss = model.forward(batch);
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

// The figures from the summed statistics of the sets.
EvalResult Evaluation::eval_result() const {
  const EvalStats &train = stats_[kTrain], &val = stats_[kVal];
  const auto share = [&](long long n) { return val.counted ? static_cast<double>(n) / val.counted : 0.0; };
  EvalResult r{};
  r.train_loss = train.loss;
  r.val_loss = val.loss;
  r.perplexity = std::exp(r.val_loss);
  r.bits_per_char = r.val_loss / options_.chars_per_token / std::log(2.0);
  r.masked_accuracy = options_.masked ? share(val.right) : -1;
  r.unigram_accuracy = share(val.right_unigram);
  r.val_loss_alone = batches_[kValAlone].empty() ? -1 : stats_[kValAlone].loss;
  return r;
}

}  // namespace gptlab
