// Evaluation: loss and accuracy of a model on fixed batches of the training and
// validation splits, data-parallel like the training step and resumable in pieces.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "model/gpt.h"
#include "numerics/thread_pool.h"
#include "train/data.h"

namespace gptlab {

struct EvalResult {
  double train_loss, val_loss;
  double perplexity;        // exp(val_loss)
  double bits_per_char;     // val_loss in bits per character of text (comparable across tokenizers)
  double masked_accuracy;   // masked objectives: share of masked tokens predicted exactly (else -1)
  double unigram_accuracy;  // the same for always guessing the most frequent training token
};

// What an evaluation needs to know besides the model and the batches.
struct EvalOptions {
  int micro_batch = 0;         // rows per forward, as TrainOptions::micro_batch
  int most_frequent = 0;       // the training split's most frequent token
  double chars_per_token = 1;  // for bits_per_char
  bool masked = false;         // a masked objective: report masked_accuracy
};

// The model and its replicas: pool member k runs on model (k == 0) or replicas[k - 1].
struct Replicas {
  Gpt<float>& model;
  const std::vector<std::unique_ptr<Gpt<float>>>& replicas;
  ThreadPool& pool;
  Gpt<float>& member(int k) const { return k == 0 ? model : *replicas[k - 1]; }
};

// One evaluation under way on batches[0] (train) and batches[1] (val), the same number each.
class Evaluation {
 public:
  Evaluation(std::vector<BatchData> train, std::vector<BatchData> val, const EvalOptions& options);
  // One piece (a micro-batch per thread); returns the result with the piece that completes it.
  std::optional<EvalResult> run_part(const Replicas& on);

 private:
  struct EvalStats {
    double loss = 0;
    long long right = 0, right_unigram = 0, counted = 0;
  };
  struct Part {
    int split, batch, first_row, rows;
  };
  std::vector<Part> next_parts(int threads);
  EvalStats eval_rows(Gpt<float>& model, const BatchData& b, int first_row, int rows) const;
  EvalResult eval_result() const;

  EvalOptions options_;
  std::vector<BatchData> batches_[2];
  std::vector<long long> counted_[2];  // targets that count, per batch
  EvalStats stats_[2];
  int split_ = 0, batch_ = 0, row_ = 0;  // the next rows to evaluate
};

}  // namespace gptlab
