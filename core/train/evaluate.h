// Evaluation: loss and accuracy of a model on fixed batches of the training and
// validation splits, data-parallel like the training step and resumable in pieces.
// A run trained without the key-padding mask (it attends to padding) is also evaluated
// with the padding hidden, i.e. each document read alone, as one text is after training.
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
  double val_loss_alone;  // without the key mask: val_loss with padding hidden, each document alone (else -1)
};

// What an evaluation needs to know besides the model and the batches.
struct EvalOptions {
  int micro_batch = 0;         // rows per forward, as TrainOptions::micro_batch
  int most_frequent = 0;       // the training split's most frequent token
  double chars_per_token = 1;  // for bits_per_char
  bool masked = false;         // a masked objective: report masked_accuracy
  bool key_mask = true;        // false: attention sees padded keys (TrainOptions::key_mask)
};

// The model and its replicas: pool member k runs on model (k == 0) or replicas[k - 1].
struct Replicas {
  Gpt<float>& model;
  const std::vector<std::unique_ptr<Gpt<float>>>& replicas;
  ThreadPool& pool;
  Gpt<float>& member(int k) const { return k == 0 ? model : *replicas[k - 1]; }
};

// One evaluation under way on fixed batches of three sets: train, val, and the val batches
// again with padding hidden from attention whatever key_mask says (empty unless wanted). Each set's loss is
// the mean over its batches of each batch's mean loss.
class Evaluation {
 public:
  Evaluation(std::vector<BatchData> train, std::vector<BatchData> val, std::vector<BatchData> val_alone,
             const EvalOptions& options);
  // One piece (a micro-batch per thread); returns the result with the piece that completes it.
  std::optional<EvalResult> run_part(const Replicas& on);

 private:
  struct EvalStats {
    double loss = 0;
    long long right = 0, right_unigram = 0, counted = 0;
  };
  enum Set { kTrain, kVal, kValAlone, kSets };
  struct Part {
    int set, batch, first_row, rows;
  };
  std::vector<Part> next_parts(int threads);
  EvalStats eval_rows(Gpt<float>& model, const BatchData& b, int first_row, int rows,
                      bool padding_seen) const;
  EvalResult eval_result() const;

  EvalOptions options_;
  std::vector<BatchData> batches_[kSets];
  std::vector<long long> counted_[kSets];  // targets that count, per batch
  EvalStats stats_[kSets];
  int set_ = 0, batch_ = 0, row_ = 0;  // the next rows to evaluate
};

}  // namespace gptlab
