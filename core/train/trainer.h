// A training run: corpus -> tokenizer -> token stream -> train/val split ->
// model -> steps of (batch, objective, forward, backward, clip, AdamW) with the
// schedules -> evaluation and checkpoints. The CLI and the browser both drive this.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/gpt.h"
#include "numerics/thread_pool.h"
#include "text/tokenizer.h"
#include "train/adamw.h"
#include "train/checkpoint.h"
#include "train/data.h"
#include "train/evaluate.h"
#include "train/schedule.h"

namespace gptlab {

struct TrainOptions {
  TokenizerKind tokenizer = TokenizerKind::characters;
  int vocab_size = 512;  // BPE only
  Objective objective = Objective::causal;
  int batch_size = 64;
  int eval_batches = 10;
  std::uint64_t seed = 1337;
  LrSchedule lr;
  DropoutSchedule dropout;
  AdamWConfig adamw;
  float grad_clip = 1.0f;
  double train_fraction = 0.9;
  // Empty: batches are random windows of block_size tokens. Otherwise the text is
  // cut into documents after each occurrence of this separator (e.g. "\n\n"), and a
  // batch is whole documents (cut to block_size) padded with <pad> to the longest.
  std::string document_separator;
  // The key-padding mask (documents mode): attention never looks at a padded key. false
  // is a switch for teaching, to show what goes wrong without it: padded keys are then
  // attended to like real ones, in training and in evaluation (with causal attention
  // padding only ever comes after a real token, so it shows in bidirectional models).
  // Padding still has no targets and is never chosen for masking.
  bool key_mask = true;
  // Rows per forward/backward (0: the whole batch at once). Smaller parts let a
  // caller do one step in several short pieces (step_part) with the same result
  // up to rounding: gradients are accumulated, weighted by each part's targets.
  int micro_batch = 0;
  // Data-parallel training: up to this many micro-batches of a step run at once,
  // each on its own copy of the model (same weights, own activations and
  // gradients), and their gradients are summed before the update, as PyTorch's
  // DistributedDataParallel does across processes. Without micro_batch the batch
  // is cut into this many parts. The platform may give fewer threads.
  int threads = 1;
};

// Count models as reference lines for the loss: cross-entropy in nats per token of
// the validation split's targets (every token after its first) under add-one
// smoothed counts from the training split.
struct Baselines {
  double unigram;  // P(v) = (c_v + 1) / (N + V)
  double bigram;  // P(b | a) = (c_ab + 1) / (c_a + V); character tokenizer and causal objective only, else -1
};

class Trainer {
 public:
  // A new run. The objective decides the attention (causal LM: causal; masked
  // LM and MNTP: bidirectional). Throws with a sentence for a corpus that is
  // empty or shorter than block_size + 1 tokens, or a bad configuration.
  Trainer(std::string_view corpus, const TrainOptions& options, const GptConfig& model);
  // Resumes from a checkpoint (weights, optimizer state, step, tokenizer).
  Trainer(std::string_view corpus, const TrainOptions& options, const Checkpoint& checkpoint);

  // One optimizer step; returns the training loss. Throws Error naming the step
  // if the loss or the gradient becomes NaN or infinite (the weights are left as
  // they were before the step).
  float step();
  // One micro-batch of the current step (see TrainOptions::micro_batch), or one
  // per thread at once. Returns the step's loss when this completed the step,
  // else nothing.
  std::optional<float> step_part();
  // Loss on eval_batches fixed batches of each split (the same batches every
  // time), data-parallel like the steps.
  EvalResult evaluate();
  // One piece of an evaluation (a micro-batch per thread) for callers that must
  // stay responsive; returns the result with the piece that completes it. A
  // step_part() in between discards the unfinished evaluation.
  std::optional<EvalResult> evaluate_part();
  Checkpoint checkpoint() const;
  Baselines baselines() const { return baselines_; }
  // Per parameter tensor: its weights' norm, and the last step's gradient (after clipping)
  // and update norms (0 before the first step of this Trainer, also after a resume).
  std::vector<TensorStats> tensor_stats() const;

  // Moves the end of the learning-rate (and dropout) schedule to `total` steps: a run timed by the
  // clock learns its length once it has measured its speed (within the warmup, the run is then the
  // one planned with that length, unless dropout changes over the run). Throws with a sentence for a total
  // that is not after the warmup or is before the steps done.
  void set_total_steps(int total);
  int steps_done() const { return step_; }
  float current_lr() const { return options_.lr.at(step_); }
  Gpt<float>& model() { return *model_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const TrainOptions& options() const { return options_; }
  int threads() const { return pool_->size(); }  // the threads really running
  std::size_t train_tokens() const { return data_.train.size(); }

 private:
  void prepare(std::string_view corpus);
  void make_batch(const std::vector<int>& stream, Rng& rng, Rng& mask_rng, BatchData& out);
  Batch model_view(const Batch& batch) const;  // what the model is shown of a batch (key_mask)
  void start_threads();
  void sync_replicas();  // the replicas get the model's weights
  Replicas members() { return {*model_, replicas_, *pool_}; }
  void begin_step();
  void run_parts();
  float finish_step();
  // One thread's share of the step's element-wise work: whole tensors [first_tensor, end_tensor),
  // parameters [begin, end), about 1 / threads of them.
  struct Shard {
    std::size_t first_tensor, end_tensor, begin, end;
  };
  void plan_shards();
  double sum_gradients(const Shard& shard);  // returns the shard's sum of squared gradients
  double run_part(Gpt<float>& model, int first_row, int rows, Rng& dropout_rng);
  void start_evaluation();
  std::vector<std::uint64_t> rng_states() const;

  TrainOptions options_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<Gpt<float>> model_;
  std::unique_ptr<AdamW<float>> adamw_;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<std::unique_ptr<Gpt<float>>> replicas_;  // one per extra thread, weights copied each step
  std::vector<Shard> shards_;                          // one per thread (fewer if a tensor is that large)
  TrainValSplit data_;
  std::vector<std::vector<int>> train_docs_, val_docs_;  // when document_separator is set
  double chars_per_token_ = 1;
  int most_frequent_ = 0;
  Baselines baselines_{};
  MaskingOptions masking_{};  // for the masked objectives: <mask>, the special ids
  int step_ = 0;
  Rng batch_rng_, dropout_rng_, mask_rng_;
  std::vector<std::uint64_t> step_start_rngs_;  // the three streams' states when the current step began
  BatchData batch_;
  std::unique_ptr<Evaluation> eval_;  // an evaluation under way
  int part_row_ = 0;                  // the next row of batch_ to run; 0: a new step begins
  double part_loss_ = 0;              // the step's loss so far
  long long part_counted_ = 0;        // targets that count in the whole batch
};

}  // namespace gptlab
