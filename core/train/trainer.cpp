#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <utility>

#include "errors.h"
#include "model/layers.h"
#include "text/tokenizer_bpe.h"
#include "text/tokenizer_char.h"
#include "text/tokenizer_file.h"
#include "text/utf8.h"
#include "train/muon.h"

namespace gptlab {

namespace {

const std::vector<std::string> kSpecials(kStandardSpecials.begin(), kStandardSpecials.end());

std::unique_ptr<Tokenizer> train_tokenizer(std::string_view corpus, const TrainOptions& o) {
  SplitPattern split = SplitPattern::none;
  switch (o.tokenizer) {
    case TokenizerKind::characters:
      return std::make_unique<CharTokenizer>(CharTokenizer::train(corpus, kSpecials));
    case TokenizerKind::bpe:
      split = SplitPattern::none;
      break;
    case TokenizerKind::bpe_gpt2:
      split = SplitPattern::gpt2;
      break;
    case TokenizerKind::bpe_gpt4:
      split = SplitPattern::gpt4;
      break;
  }
  return std::make_unique<BpeTokenizer>(
      BpeTokenizer::train(corpus, {o.vocab_size, split, kSpecials, {}}).tokenizer);
}

// Mean -log P(val[i]) over i >= 1 with add-one unigram counts c of train (N tokens, V = c.size()):
// P(v) = (c_v + 1) / (N + V).
double unigram_baseline(const std::vector<long long>& counts, std::size_t train_size,
                        const std::vector<int>& val) {
  const double total = static_cast<double>(train_size) + static_cast<double>(counts.size());
  double nll = 0;
  for (std::size_t i = 1; i < val.size(); ++i)
    nll -= std::log((static_cast<double>(counts[val[i]]) + 1) / total);
  return nll / static_cast<double>(val.size() - 1);
}

// Mean -log P(val[i] | val[i-1]) with add-one bigram counts of train's adjacent pairs:
// P(b | a) = (c_ab + 1) / (c_a + V), c_a = pairs that start with a. Sparse: only seen pairs are stored.
double bigram_baseline(const std::vector<int>& train, const std::vector<int>& val, int V) {
  const auto key = [V](int a, int b) {
    return static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(V) + b;
  };
  std::unordered_map<std::uint64_t, long long> pairs;
  std::vector<long long> starts(V);
  for (std::size_t i = 1; i < train.size(); ++i) {
    ++pairs[key(train[i - 1], train[i])];
    ++starts[train[i - 1]];
  }
  double nll = 0;
  for (std::size_t i = 1; i < val.size(); ++i) {
    const auto it = pairs.find(key(val[i - 1], val[i]));
    const double c_ab = it == pairs.end() ? 0.0 : static_cast<double>(it->second);
    nll -= std::log((c_ab + 1) / (static_cast<double>(starts[val[i - 1]]) + V));
  }
  return nll / static_cast<double>(val.size() - 1);
}

GptConfig for_objective(GptConfig c, Objective o) {
  c.attention = o == Objective::causal ? AttentionMode::causal : AttentionMode::bidirectional;
  return c;
}

}  // namespace

Trainer::Trainer(std::string_view corpus, const TrainOptions& options, const GptConfig& model)
    : options_(options) {
  GptConfig shape = model;  // the model's own errors first; its vocabulary comes from the tokenizer below
  shape.vocab_size = 1;
  shape.validate();
  options_.lr.validate();
  options_.dropout.validate();
  if (corpus.empty()) throw Error("The corpus is empty; there is nothing to train on.");
  tokenizer_ = train_tokenizer(corpus, options_);
  GptConfig c = for_objective(model, options_.objective);
  c.vocab_size = tokenizer_->vocab_size();
  model_ = std::make_unique<Gpt<float>>(c, options_.seed);
  adamw_ = std::make_unique<AdamW<float>>(model_->tensors(), model_->num_parameters(), options_.adamw);
  prepare(corpus);
  start_threads();
}

void Trainer::set_total_steps(int total) {
  if (total < step_)
    throw Error("The run has done " + std::to_string(step_) + " steps; it cannot end at step " +
                std::to_string(total) + ".");
  LrSchedule lr = options_.lr;
  lr.total = total;
  lr.validate();
  options_.lr = lr;
  options_.dropout.total = total;
}

Trainer::Trainer(std::string_view corpus, const TrainOptions& options, const Checkpoint& ck)
    : options_(options) {
  if (ck.model_kind != "gpt")
    throw Error("The checkpoint holds a " + ck.model_kind + " model; training resumes GPTs only.");
  tokenizer_ = load_tokenizer(ck.tokenizer);
  options_.objective = parse_objective(ck.objective);
  if (tokenizer_->vocab_size() != ck.config.vocab_size)
    throw Error("The checkpoint's tokenizer has " + std::to_string(tokenizer_->vocab_size()) +
                " tokens but its model expects " + std::to_string(ck.config.vocab_size) + ".");
  model_ = load_model(ck);
  options_.adamw.optimizer = parse_optimizer(ck.optimizer);  // its state in adam_m means what it meant then
  adamw_ = std::make_unique<AdamW<float>>(model_->tensors(), model_->num_parameters(), options_.adamw);
  if (!ck.adam_m.empty()) {
    std::copy(ck.adam_m.begin(), ck.adam_m.end(), adamw_->m().begin());
    std::copy(ck.adam_v.begin(), ck.adam_v.end(), adamw_->v().begin());
    adamw_->set_steps_taken(ck.step);
  }
  step_ = ck.step;
  prepare(corpus);
  if (ck.rng_states.size() == 3) {  // the streams where the run left them: the same run as without the break
    batch_rng_ = Rng(ck.rng_states[0]);
    dropout_rng_ = Rng(ck.rng_states[1]);
    mask_rng_ = Rng(ck.rng_states[2]);
  } else {  // an older checkpoint: at least not the first batches over again
    for (int i = 0; i < step_; ++i) batch_rng_.next_u64();
  }
  start_threads();
}

void Trainer::start_threads() {
  if (options_.threads < 1 || options_.threads > 64)
    throw Error("The number of threads must be between 1 and 64, not " + std::to_string(options_.threads) +
                ".");
  pool_ = std::make_unique<ThreadPool>(options_.threads);
  for (int k = 1; k < pool_->size(); ++k)
    replicas_.push_back(std::make_unique<Gpt<float>>(model_->config(), options_.seed));
  plan_shards();
}

// Cuts the tensors into one shard per thread, each ending where the work so far reaches the next
// multiple of 1 / threads. A tensor's work is its size, or for a matrix under Muon the multiply-adds of
// its Newton-Schulz steps, which then dominate.
void Trainer::plan_shards() {
  const std::vector<ParamTensor>& tensors = model_->tensors();
  std::vector<double> work(tensors.size());
  for (std::size_t k = 0; k < tensors.size(); ++k)
    work[k] = adamw_->orthogonalized(k)
                  ? orthogonalize_cost(tensors[k].shape.front(), tensors[k].shape.back())
                  : double(tensors[k].size());
  double total = 0;
  for (double w : work) total += w;
  const std::size_t threads = static_cast<std::size_t>(pool_->size());
  shards_.clear();
  double done = 0;
  for (std::size_t k = 0, first = 0; k < tensors.size(); ++k) {
    done += work[k];
    if (k + 1 == tensors.size() ||
        (shards_.size() + 1 < threads && done * threads >= total * (shards_.size() + 1))) {
      shards_.push_back({first, k + 1, tensors[first].offset, tensors[k].offset + tensors[k].size()});
      first = k + 1;
    }
  }
}

void Trainer::prepare(std::string_view corpus) {
  const std::vector<int> stream = tokenizer_->encode(corpus);
  const int T = model_->config().block_size;
  if (stream.size() < static_cast<std::size_t>(T) + 1)
    throw Error("The corpus is " + std::to_string(stream.size()) + " tokens long; a block size of " +
                std::to_string(T) + " needs at least " + std::to_string(T + 1) + ".");
  data_ = split_train_val(stream, options_.train_fraction);
  if (data_.val.size() < static_cast<std::size_t>(T) + 1 ||
      data_.train.size() < static_cast<std::size_t>(T) + 1)
    throw Error("The corpus is too short: its validation part (" + std::to_string(data_.val.size()) +
                " tokens) needs at least block_size + 1 = " + std::to_string(T + 1) + " tokens.");
  std::size_t chars = 0;
  for (std::size_t pos = 0, len; pos < corpus.size(); pos += len, ++chars) utf8::decode(corpus, pos, len);
  chars_per_token_ = static_cast<double>(chars) / static_cast<double>(stream.size());
  if (!options_.document_separator.empty()) {
    const std::vector<int> sep = tokenizer_->encode(options_.document_separator);
    train_docs_ = split_documents(data_.train, sep);
    val_docs_ = split_documents(data_.val, sep);
  }
  const int V = tokenizer_->vocab_size();
  std::vector<long long> counts(V);  // of each token in the training split
  for (int id : data_.train) ++counts[id];
  most_frequent_ = static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
  baselines_.unigram = unigram_baseline(counts, data_.train.size(), data_.val);
  const bool char_tokens = dynamic_cast<const CharTokenizer*>(tokenizer_.get()) != nullptr;
  baselines_.bigram = char_tokens && options_.objective == Objective::causal
                          ? bigram_baseline(data_.train, data_.val, V)
                          : -1;
  masking_ = {0.15f, tokenizer_->special_id("<mask>"), tokenizer_->vocab_size(), {}};
  for (const SpecialToken& s : tokenizer_->specials()) masking_.special_ids.push_back(s.id);
  Rng root(options_.seed);
  root.split();  // the model's initialization stream
  batch_rng_ = root.split();
  dropout_rng_ = root.split();
  mask_rng_ = root.split();
}

void Trainer::make_batch(const std::vector<int>& stream, Rng& rng, Rng& mask_rng, BatchData& out) {
  const bool docs = !options_.document_separator.empty();
  if (docs) {
    sample_documents(&stream == &data_.train ? train_docs_ : val_docs_, options_.batch_size,
                     model_->config().block_size, tokenizer_->special_id("<pad>"), rng, out);
  } else {
    sample_blocks(stream, options_.batch_size, model_->config().block_size, rng, out);
  }
  if (options_.objective == Objective::causal) {
    if (docs) causal_lm(out);
    return;
  }
  if (options_.objective == Objective::masked)
    masked_lm(out, masking_, mask_rng);
  else
    masked_next_token(out, masking_, mask_rng);
}

float Trainer::step() {
  for (;;)
    if (const auto loss = step_part()) return *loss;
}

std::optional<float> Trainer::step_part() {
  eval_.reset();  // an unfinished evaluation would mix two sets of weights
  if (part_row_ == 0) begin_step();
  run_parts();
  if (part_row_ < batch_.B) return std::nullopt;
  return finish_step();
}

// A new step: remember the streams, draw the batch, zero the gradients, give the replicas the weights.
void Trainer::begin_step() {
  step_start_rngs_ = rng_states();
  make_batch(data_.train, batch_rng_, mask_rng_, batch_);
  model_->zero_grad();
  for (auto& replica : replicas_) replica->zero_grad();
  sync_replicas();
  part_loss_ = 0;
  part_counted_ = batch_.counted(0, batch_.B);
}

// The step's next micro-batches: one per thread at once, each on its own replica.
void Trainer::run_parts() {
  const int rows = part_rows(batch_.B, options_.micro_batch, pool_->size());
  const int parts = std::min(pool_->size(), (batch_.B - part_row_ + rows - 1) / rows);
  std::vector<Rng>
      dropout_rngs;  // one stream per part, drawn in order: the same masks on any number of threads
  for (int k = 0; k < parts; ++k) dropout_rngs.push_back(dropout_rng_.split());
  std::vector<double> losses(parts);
  const Replicas on = members();
  pool_->run(parts, [&](int k) {
    const int first = part_row_ + k * rows;
    losses[k] = run_part(on.member(k), first, std::min(rows, batch_.B - first), dropout_rngs[k]);
  });
  for (double loss : losses) part_loss_ += loss;
  part_row_ = std::min(batch_.B, part_row_ + parts * rows);
}

// Forward and backward of rows [first_row, first_row + rows) of the step's batch;
// returns the part's loss weighted by its share of the batch's counted targets.
double Trainer::run_part(Gpt<float>& model, int first_row, int rows, Rng& dropout_rng) {
  const long long counted = batch_.counted(first_row, rows);
  const float share = part_counted_ ? static_cast<float>(counted) / part_counted_ : 0.0f;
  const float loss = model.forward(model_view(batch_.rows(first_row, rows)),
                                   {true, options_.dropout.at(step_), &dropout_rng, share});
  if (counted) model.backward();
  return static_cast<double>(loss) * share;
}

Batch Trainer::model_view(const Batch& batch) const {
  Batch seen = batch;
  if (!options_.key_mask) seen.key_pad = nullptr;  // the teaching switch: padded keys are attended to
  return seen;
}

// The complete step: sum the gradients, clip, check, AdamW at the schedule's lr; returns the step's
// loss. Every thread sums, clips and updates its shard of the parameters.
float Trainer::finish_step() {
  std::vector<double> squares(shards_.size());
  const int shards = static_cast<int>(shards_.size());
  pool_->run(shards, [&](int s) { squares[s] = sum_gradients(shards_[s]); });
  part_row_ = 0;
  double sum = 0;
  for (double x : squares) sum += x;
  const float norm = static_cast<float>(std::sqrt(sum));
  const float step_loss = static_cast<float>(part_loss_);
  if (!std::isfinite(step_loss) || !std::isfinite(norm))
    throw Error("Training diverged at step " + std::to_string(step_ + 1) + ": the " +
                (std::isfinite(step_loss) ? "gradient" : "loss") +
                " is not a finite number. Lower the learning rate; "
                "the weights are kept as they were before this step.");
  const float scale = clip_factor(norm, options_.grad_clip), lr = options_.lr.at(step_);
  adamw_->advance();
  pool_->run(shards, [&](int s) {
    const Shard& shard = shards_[s];
    if (scale != 1.0f)
      for (float& g : model_->grads().subspan(shard.begin, shard.end - shard.begin)) g *= scale;
    adamw_->update(model_->params(), model_->grads(), lr, shard.first_tensor, shard.end_tensor);
  });
  ++step_;
  return step_loss;
}

// All-reduce, one shard: the step's gradient is the sum over the replicas' parts.
double Trainer::sum_gradients(const Shard& shard) {
  const std::span<float> sum = model_->grads().subspan(shard.begin, shard.end - shard.begin);
  for (auto& replica : replicas_) {
    const std::span<const float> part = replica->grads().subspan(shard.begin, sum.size());
    std::transform(part.begin(), part.end(), sum.begin(), sum.begin(), std::plus<>());
  }
  return squared_norm<float>(sum);
}

void Trainer::sync_replicas() {
  for (auto& replica : replicas_)
    std::copy(model_->params().begin(), model_->params().end(), replica->params().begin());
}

EvalResult Trainer::evaluate() {
  for (;;)
    if (const auto r = evaluate_part()) return *r;
}

std::optional<EvalResult> Trainer::evaluate_part() {
  if (!eval_) start_evaluation();
  const std::optional<EvalResult> r = eval_->run_part(members());
  if (r) eval_.reset();
  return r;
}

// A new evaluation: the same fixed batches every time, and the replicas get the current weights.
// A run that attends to padding (documents without the key mask) is also evaluated on the val
// batches with the padding hidden: each document read alone.
void Trainer::start_evaluation() {
  const auto fixed_batches = [&](const std::vector<int>& stream) {
    std::vector<BatchData> batches(options_.eval_batches);
    Rng rng(options_.seed ^ 0xE7A1u), mask_rng(options_.seed ^ 0x3A5Cu);
    for (BatchData& b : batches) make_batch(stream, rng, mask_rng, b);
    return batches;
  };
  const bool sees_padding = !options_.document_separator.empty() && !options_.key_mask;
  const EvalOptions eval{options_.micro_batch, most_frequent_, chars_per_token_,
                         options_.objective != Objective::causal, options_.key_mask};
  std::vector<BatchData> val = fixed_batches(data_.val);
  std::vector<BatchData> val_alone = sees_padding ? val : std::vector<BatchData>{};
  eval_ =
      std::make_unique<Evaluation>(fixed_batches(data_.train), std::move(val), std::move(val_alone), eval);
  sync_replicas();
}

std::vector<TensorStats> Trainer::tensor_stats() const {
  return gptlab::tensor_stats<float>(model_->tensors(), model_->params(), *adamw_);
}

Checkpoint Trainer::checkpoint() const {
  Checkpoint ck;
  ck.config = model_->config();
  ck.tokenizer = save_tokenizer(*tokenizer_);
  ck.objective = to_string(options_.objective);
  ck.optimizer = to_string(options_.adamw.optimizer);
  ck.step = step_;
  ck.tensors = model_->tensors();
  ck.params.assign(model_->params().begin(), model_->params().end());
  ck.adam_m.assign(adamw_->m().begin(), adamw_->m().end());
  ck.adam_v.assign(adamw_->v().begin(), adamw_->v().end());
  // Mid-step, the streams as the step found them: the resumed run redoes the whole step.
  ck.rng_states = part_row_ == 0 ? rng_states() : step_start_rngs_;
  return ck;
}

std::vector<std::uint64_t> Trainer::rng_states() const {
  return {batch_rng_.state(), dropout_rng_.state(), mask_rng_.state()};
}

}  // namespace gptlab
