// JavaScript surface of training: a Trainer owns a model, its tokenizer, its
// optimizer and its data. Arrays come back as fresh copies (safe to keep).
//
// Options (all optional): {tokenizer: 'char'|'bpe'|'bpe-gpt2'|'bpe-gpt4', vocabSize,
//   objective: 'causal'|'masked'|'mntp', batchSize, evalBatches, seed, documents, keyMask (true),
//   lr: {max, min, warmup, total, constant}, dropout: {start, end}, weightDecay,
//   decay: 'none'|'all'|'matrices', optimizer: 'adamw'|'muon', gradClip, microBatch,
//   model: {layers (0: a bigram-like model), heads, embd, block, positions: 'none'|'learned'|'rope',
//           ffn: 'none'|'gelu'|'swiglu', norm: 'none'|'layernorm'|'rmsnorm', residual (true), tieWeights}}
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "js_arrays.h"
#include "js_errors.h"
#include "model/generate.h"
#include "model/logit_lens.h"
#include "model/per_token_loss.h"
#include "numerics/pca.h"
#include "text/tokenizer_bpe.h"
#include "text/tokenizer_file.h"
#include "text/utf8.h"
#include "train/checkpoint.h"
#include "train/run_clock.h"
#include "train/trainer.h"

namespace gptlab::wasm {
namespace {

using emscripten::val;

// The most WASM memory a page may use (-sMAXIMUM_MEMORY in CMakeLists.txt), less headroom
// for the tokenizer, the corpus and the runtime.
constexpr double kMemoryLimit = 2048.0 * 1024 * 1024;
constexpr double kHeadroom = 256.0 * 1024 * 1024;

template <typename T>
T get(const val& obj, const char* key, T fallback) {
  if (obj.isUndefined() || obj.isNull()) return fallback;
  const val v = obj[key];
  return v.isUndefined() || v.isNull() ? fallback : v.as<T>();
}

// Options the object leaves out keep TrainOptions{}'s defaults.
TrainOptions options_from(const val& o) {
  TrainOptions t;
  t.tokenizer = parse_tokenizer_kind(get<std::string>(o, "tokenizer", to_string(t.tokenizer)));
  t.vocab_size = get<int>(o, "vocabSize", t.vocab_size);
  t.objective = parse_objective(get<std::string>(o, "objective", to_string(t.objective)));
  t.batch_size = get<int>(o, "batchSize", t.batch_size);
  t.eval_batches = get<int>(o, "evalBatches", t.eval_batches);
  t.seed = static_cast<std::uint64_t>(get<double>(o, "seed", static_cast<double>(t.seed)));
  t.document_separator = get<std::string>(o, "documents", t.document_separator);
  t.key_mask = get<bool>(o, "keyMask", t.key_mask);
  const val lr = o.isUndefined() ? val::undefined() : o["lr"];
  const bool constant = get<bool>(lr, "constant", t.lr.kind == LrSchedule::Kind::constant);
  t.lr.kind = constant ? LrSchedule::Kind::constant : LrSchedule::Kind::cosine;
  t.lr.max_lr = get<float>(lr, "max", t.lr.max_lr);
  t.lr.min_lr = get<float>(lr, "min", t.lr.min_lr);
  t.lr.warmup = get<int>(lr, "warmup", t.lr.warmup);
  t.lr.total = get<int>(lr, "total", t.lr.total);
  const val dropout = o.isUndefined() ? val::undefined() : o["dropout"];
  t.dropout.p0 = get<float>(dropout, "start", t.dropout.p0);
  t.dropout.p1 = get<float>(dropout, "end", t.dropout.p0);
  t.dropout.total = t.lr.total;
  t.adamw.weight_decay = get<float>(o, "weightDecay", t.adamw.weight_decay);
  t.adamw.decay = parse_decay(get<std::string>(o, "decay", to_string(t.adamw.decay)));
  t.adamw.optimizer = parse_optimizer(get<std::string>(o, "optimizer", to_string(t.adamw.optimizer)));
  t.grad_clip = get<float>(o, "gradClip", t.grad_clip);
  t.micro_batch = get<int>(o, "microBatch", t.micro_batch);
  t.threads = get<int>(o, "threads", t.threads);
  if (t.batch_size < 1 || t.eval_batches < 1)
    throw ShapeError("The batch size and the number of eval batches must be at least 1.");
  return t;
}

// Settings the object's "model" leaves out keep GptConfig{}'s defaults.
GptConfig model_from(const val& o) {
  const val m = o.isUndefined() ? val::undefined() : o["model"];
  GptConfig c;
  c.n_layer = get<int>(m, "layers", c.n_layer);
  c.n_head = get<int>(m, "heads", c.n_head);
  c.n_embd = get<int>(m, "embd", c.n_embd);
  c.block_size = get<int>(m, "block", c.block_size);
  c.tie_weights = get<bool>(m, "tieWeights", c.tie_weights);
  c.positions = parse_positions(get<std::string>(m, "positions", to_string(c.positions)));
  c.ffn = parse_ffn(get<std::string>(m, "ffn", to_string(c.ffn)));
  c.norm = parse_norm(get<std::string>(m, "norm", to_string(c.norm)));
  c.residual = get<bool>(m, "residual", c.residual);
  return c;
}

// Refuses a configuration whose training buffers cannot fit, before allocating them.
// The model and each extra thread's replica train and evaluate on parts of a batch (the
// replicas hold no AdamW moments, so this overestimates a little).
void check_memory(GptConfig c, int vocab_estimate, const TrainOptions& o) {
  c.vocab_size = vocab_estimate;
  c.validate();
  const int batch = o.batch_size, threads = std::max(1, o.threads);
  const int part = o.micro_batch > 0 ? std::min(o.micro_batch, batch) : (batch + threads - 1) / threads;
  const double need = threads * Gpt<float>::training_bytes(c, part, c.block_size);
  if (need > kMemoryLimit - kHeadroom)
    throw ShapeError("This model needs about " + std::to_string(static_cast<long long>(need / 1e6)) +
                     " MB to train with batches of " + std::to_string(batch) +
                     ", but the browser gives gptlab at most " +
                     std::to_string(static_cast<long long>((kMemoryLimit - kHeadroom) / 1e6)) +
                     " MB. Make it smaller (layers, n_embd, block size or batch size).");
}

// The options generate() and nextToken() sample with; never a <pad>, <mask> or <bos>.
SamplingOptions sampling_from(const val& sampling, const Tokenizer& tok) {
  const SamplingOptions defaults;
  return {get<float>(sampling, "temperature", defaults.temperature),
          get<int>(sampling, "topK", defaults.top_k), get<float>(sampling, "topP", defaults.top_p),
          never_sampled(tok), get<bool>(sampling, "cache", defaults.kv_cache)};
}

val eval_object(const EvalResult& r) {
  val o = val::object();
  o.set("trainLoss", r.train_loss);
  o.set("valLoss", r.val_loss);
  o.set("perplexity", r.perplexity);
  o.set("bitsPerChar", r.bits_per_char);
  o.set("maskedAccuracy", r.masked_accuracy < 0 ? val::null() : val(r.masked_accuracy));
  o.set("unigramAccuracy", r.unigram_accuracy);
  o.set("valLossAlone", r.val_loss_alone < 0 ? val::null() : val(r.val_loss_alone));
  return o;
}

class JsTrainer {
 public:
  static JsTrainer* create(std::string corpus, val options) {
    return guard([&] {
      const TrainOptions o = options_from(options);
      const GptConfig c = model_from(options);
      check_memory(c, o.tokenizer == TokenizerKind::characters ? 1024 : o.vocab_size, o);
      return new JsTrainer(std::make_unique<Trainer>(corpus, o, c));
    });
  }
  static JsTrainer* resume(std::string corpus, val options, val checkpoint) {
    return guard([&] {
      const Checkpoint ck = load_checkpoint(bytes_from(checkpoint));
      const TrainOptions o = options_from(options);
      check_memory(ck.config, ck.config.vocab_size, o);
      return new JsTrainer(std::make_unique<Trainer>(corpus, o, ck));
    });
  }

  // Runs n steps; returns their losses.
  val step(int n) {
    return guard([&] {
      std::vector<float> losses;
      for (int i = 0; i < n; ++i) losses.push_back(t_->step());
      return copy_to_js("Float32Array", losses);
    });
  }
  // One micro-batch of the current step: the step's loss if that finished it, else null.
  val step_part() {
    return guard([&] {
      const auto loss = t_->step_part();
      return loss ? val(*loss) : val::null();
    });
  }
  val evaluate() {
    return guard([&] { return eval_object(t_->evaluate()); });
  }
  val evaluate_part() {
    return guard([&] {
      const auto r = t_->evaluate_part();
      return r ? eval_object(*r) : val::null();
    });
  }
  // Count-model cross-entropies on the validation split: {unigram, bigram (null when not computed)}.
  val baselines() const {
    const Baselines b = t_->baselines();
    val o = val::object();
    o.set("unigram", b.unigram);
    o.set("bigram", b.bigram < 0 ? val::null() : val(b.bigram));
    return o;
  }
  int steps_done() const { return t_->steps_done(); }
  void set_total_steps(int total) { t_->set_total_steps(total); }
  int threads() const { return t_->threads(); }
  double lr() const { return t_->current_lr(); }
  double num_parameters() const { return static_cast<double>(t_->model().num_parameters()); }
  int vocab_size() const { return t_->model().vocab_size(); }
  int block_size() const { return t_->model().config().block_size; }
  int n_layer() const { return t_->model().config().n_layer; }
  int n_head() const { return t_->model().config().n_head; }
  std::string objective() const { return to_string(t_->options().objective); }

  // The model's logits for a text (cut to the block size): {tokens: string[], logits: Float32Array (T x
  // vocab)}.
  val logits(std::string text) {
    return guard([&] {
      const std::vector<int> ids = block_of(text);
      Gpt<float>& m = t_->model();
      m.forward({ids.data(), nullptr, nullptr, 1, static_cast<int>(ids.size())});
      val o = val::object();
      o.set("tokens", token_texts(ids));
      o.set("logits", copy_to_js("Float32Array", m.logits(), ids.size() * m.vocab_size()));
      return o;
    });
  }

  // Attention of every head of one layer for a text (cut to the block size):
  // {tokens: string[], weights: Float32Array (n_head x T x T)}.
  val attention(std::string text, int layer) {
    return guard([&] {
      const std::vector<int> ids = block_of(text);
      Gpt<float>& m = t_->model();
      m.forward({ids.data(), nullptr, nullptr, 1, static_cast<int>(ids.size())});
      const float* w = m.attention(layer);
      val out = val::object();
      out.set("tokens", token_texts(ids));
      out.set("weights", copy_to_js("Float32Array", w,
                                    static_cast<std::size_t>(m.config().n_head) * ids.size() * ids.size()));
      return out;
    });
  }

  // Attention of every head of one layer over a batch of texts, each cut to the block size and
  // padded with <pad> to the longest (T); the padding is hidden from attention unless the run
  // trains without the key mask. {tokens: string[][] (pads as "<pad>"), padded: Uint8Array (B x T,
  // 1 at padding), length: T, weights: Float32Array (B x n_head x T x T)}.
  val attention_batch(val texts, int layer) {
    return guard([&] {
      const int pad = t_->tokenizer().special_id("<pad>");
      if (pad < 0)
        throw ShapeError("This tokenizer has no <pad> token, so texts cannot be padded into a batch.");
      const auto strings = emscripten::vecFromJSArray<std::string>(texts);
      if (strings.empty()) throw ShapeError("There is no text to look at.");
      std::vector<std::vector<int>> rows;
      std::size_t T = 0;
      for (const std::string& text : strings) T = std::max(T, rows.emplace_back(block_of(text)).size());
      const int B = static_cast<int>(rows.size());
      std::vector<int> ids(B * T, pad);
      std::vector<std::uint8_t> padded(B * T, 1);
      val tokens = val::array();
      for (int b = 0; b < B; ++b) {
        std::copy(rows[b].begin(), rows[b].end(), ids.begin() + b * T);
        std::fill_n(padded.begin() + b * T, rows[b].size(), 0);
        val row = token_texts(rows[b]);
        for (std::size_t t = rows[b].size(); t < T; ++t) row.call<void>("push", std::string("<pad>"));
        tokens.call<void>("push", row);
      }
      Gpt<float>& m = t_->model();
      const std::uint8_t* key_pad = t_->options().key_mask ? padded.data() : nullptr;
      m.forward({ids.data(), nullptr, key_pad, B, static_cast<int>(T)});
      val out = val::object();
      out.set("tokens", tokens);
      out.set("padded", copy_to_js("Uint8Array", padded));
      out.set("length", static_cast<int>(T));
      out.set("weights", copy_to_js("Float32Array", m.attention(layer),
                                    static_cast<std::size_t>(B) * m.config().n_head * T * T));
      return out;
    });
  }

  // Per parameter tensor: [{name, matrix, decayed, muon, size, weightNorm, gradNorm, updateNorm}] (see
  // Trainer::tensor_stats).
  val tensor_stats() const {
    return guard([&] {
      val out = val::array();
      for (const TensorStats& s : t_->tensor_stats()) {
        val o = val::object();
        o.set("name", s.name);
        o.set("matrix", s.matrix);
        o.set("decayed", s.decayed);
        o.set("muon", s.muon);
        o.set("size", static_cast<double>(s.size));
        o.set("weightNorm", s.weight_norm);
        o.set("gradNorm", s.grad_norm);
        o.set("updateNorm", s.update_norm);
        out.call<void>("push", o);
      }
      return out;
    });
  }

  // Continues the prompt; on_token(text) receives each new piece of text as it is sampled.
  std::string generate(std::string prompt, int max_tokens, val sampling, val on_token) {
    return guard([&] {
      const Tokenizer& tok = t_->tokenizer();
      const SamplingOptions s = sampling_from(sampling, tok);
      Rng rng(static_cast<std::uint64_t>(get<double>(sampling, "seed", 1)));
      std::vector<int> ids = tok.encode(prompt);
      if (ids.empty()) ids = tok.encode("\n");
      std::vector<int> pending;
      std::string all;
      generate_tokens(ids, max_tokens, s, rng, [&](int id) {
        pending.push_back(id);
        const std::string bytes = tok.decode_bytes(pending);
        if (!utf8::is_valid(bytes)) return true;  // wait for the rest of the character
        all += bytes;
        pending.clear();
        if (on_token.typeOf().as<std::string>() != "function") return true;
        return !on_token(bytes).strictlyEquals(val(false));  // only an explicit false stops
      });
      return all + tok.decode(pending);
    });
  }

  // Masked models: the top k tokens for each <mask> in the text: [[{text, probability}]].
  val fill(std::string text, int k) {
    return guard([&] {
      const Tokenizer& tok = t_->tokenizer();
      const auto filled =
          fill_masks(t_->model(), tok.encode(text, AllowedSpecials::every()), tok.special_id("<mask>"), k);
      val out = val::array();
      for (const auto& cands : filled) out.call<void>("push", candidates_js(cands));
      return out;
    });
  }

  // The text of every token id, special tokens as their names.
  val vocabulary() const {
    return guard([&] {
      std::vector<int> ids(t_->tokenizer().vocab_size());
      for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int>(i);
      return token_texts(ids);
    });
  }

  // Causal models: what the model would write after the text (its last block_size tokens; an
  // empty text reads as "\n", as in generate). probabilities: the model's belief over the tokens
  // sampling may write, softmax of the last logits with <pad>, <mask> and <bos> at 0 (what
  // sampling at temperature 1 without top-k or top-p draws from); sampled: what sampling under
  // the options draws from (sampling_distribution). {tokens: string[], probabilities, sampled:
  // Float32Array (vocab)}.
  val next_token(std::string text, val sampling) {
    return guard([&] {
      if (t_->model().config().attention != AttentionMode::causal)
        throw ShapeError("This is a masked model; it fills in blanks rather than predicting the next token.");
      const Tokenizer& tok = t_->tokenizer();
      std::vector<int> ids = tok.encode(text);
      if (ids.empty()) ids = tok.encode("\n");
      const std::size_t block = t_->model().config().block_size;
      if (ids.size() > block) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(block));
      Gpt<float>& m = t_->model();
      const int T = static_cast<int>(ids.size()), V = m.vocab_size();
      m.forward({ids.data(), nullptr, nullptr, 1, T});
      const float* last = m.logits() + static_cast<std::size_t>(T - 1) * V;
      const std::vector<float> belief = sampling_distribution(last, V, {1.0f, 0, 1.0f, never_sampled(tok)});
      const std::vector<float> sampled = sampling_distribution(last, V, sampling_from(sampling, tok));
      val out = val::object();
      out.set("tokens", token_texts(ids));
      out.set("probabilities", copy_to_js("Float32Array", belief));
      out.set("sampled", copy_to_js("Float32Array", sampled));
      return out;
    });
  }

  // Causal models: the loss of each next token of the text (cut to the block size) and the k
  // tokens the model expected there. {tokens: string[], losses: Float32Array (T - 1), top:
  // [{text, probability}][] (T - 1)}: losses[t] = -log p(tokens[t + 1] | tokens[..t]).
  val surprise(std::string text, int k) {
    return guard([&] {
      const std::vector<int> ids = block_of(text);
      const std::vector<NextTokenLoss> per_token = per_token_loss(t_->model(), ids, k);
      std::vector<float> losses;
      val top = val::array();
      for (const NextTokenLoss& t : per_token) {
        losses.push_back(t.loss);
        top.call<void>("push", candidates_js(t.top));
      }
      val out = val::object();
      out.set("tokens", token_texts(ids));
      out.set("losses", copy_to_js("Float32Array", losses));
      out.set("top", top);
      return out;
    });
  }

  // The logit lens at one position of the text (cut to the block size; -1 the last): the k
  // likeliest tokens of the final norm and LM head applied to the residual stream after the
  // embeddings and after every block. {tokens: string[], layers: [{label, top: [{text, probability}]}]}.
  val logit_lens(std::string text, int position, int k) {
    return guard([&] {
      const std::vector<int> ids = block_of(text);
      if (position == -1) position = static_cast<int>(ids.size()) - 1;
      const auto lens = gptlab::logit_lens(t_->model(), ids, position, k);
      val layers = val::array();
      for (std::size_t l = 0; l < lens.size(); ++l) {
        val o = val::object();
        o.set("label", l == 0 ? std::string("embeddings") : "after block " + std::to_string(l));
        o.set("top", candidates_js(lens[l]));
        layers.call<void>("push", o);
      }
      val out = val::object();
      out.set("tokens", token_texts(ids));
      out.set("layers", layers);
      return out;
    });
  }

  // The token ('tokens') or learned position ('positions') embedding table on its top two
  // principal components: {texts: string[], x, y: Float32Array (rows), explained: [number, number]}.
  val embedding_projection(std::string table) {
    return guard([&] {
      Gpt<float>& m = t_->model();
      const GptConfig& c = m.config();
      if (table != "tokens" && table != "positions")
        throw OptionError("Unknown embedding table \"" + table + "\"; use tokens or positions.");
      const bool tokens = table == "tokens";
      if (!tokens && c.positions != Positions::learned)
        throw ShapeError(std::string("This model has no learned position table (its positions are ") +
                         to_string(c.positions) + ").");
      const ParamTensor& t = m.tensor(tokens ? "transformer.wte.weight" : "transformer.wpe.weight");
      const int rows = t.shape[0];
      const PrincipalComponents pc = principal_components(m.params().data() + t.offset, rows, t.shape[1]);
      std::vector<float> x(rows), y(rows);
      val texts = val::array();
      for (int r = 0; r < rows; ++r) {
        x[r] = pc.projections[static_cast<std::size_t>(r) * 2];
        y[r] = pc.projections[static_cast<std::size_t>(r) * 2 + 1];
        if (!tokens) texts.call<void>("push", std::to_string(r));
      }
      val explained = val::array();
      explained.call<void>("push", pc.explained[0]);
      explained.call<void>("push", pc.explained[1]);
      val out = val::object();
      out.set("texts", tokens ? vocabulary() : texts);
      out.set("x", copy_to_js("Float32Array", x));
      out.set("y", copy_to_js("Float32Array", y));
      out.set("explained", explained);
      return out;
    });
  }

  val save_checkpoint() const {
    return guard([&] { return bytes_to_js(gptlab::save_checkpoint(t_->checkpoint())); });
  }
  val export_safetensors() const {
    return guard([&] { return bytes_to_js(gptlab::export_safetensors(t_->checkpoint())); });
  }
  std::string export_tokenizer() const {
    return guard([&] {
      if (auto* b = dynamic_cast<const BpeTokenizer*>(&t_->tokenizer())) return export_hf_tokenizer(*b);
      return save_tokenizer(t_->tokenizer());
    });
  }

 private:
  explicit JsTrainer(std::unique_ptr<Trainer> t) : t_(std::move(t)) {}
  // The text's first block_size tokens. A masked model reads special tokens written in the
  // text (<mask>), as fill does; a causal model reads them as plain text.
  std::vector<int> block_of(const std::string& text) const {
    const bool masked = t_->model().config().attention == AttentionMode::bidirectional;
    std::vector<int> ids =
        t_->tokenizer().encode(text, masked ? AllowedSpecials::every() : AllowedSpecials{});
    if (ids.empty()) throw ShapeError("There is no text to look at.");
    ids.resize(std::min<std::size_t>(ids.size(), t_->model().config().block_size));
    return ids;
  }
  val token_texts(const std::vector<int>& ids) const {
    val tokens = val::array();
    for (int id : ids) tokens.call<void>("push", t_->tokenizer().decode(std::vector<int>{id}));
    return tokens;
  }
  // [{text, probability}] for a list of candidates.
  val candidates_js(const std::vector<Candidate>& candidates) const {
    val list = val::array();
    for (const Candidate& c : candidates) {
      val o = val::object();
      o.set("text", t_->tokenizer().decode(std::vector<int>{c.token}));
      o.set("probability", c.probability);
      list.call<void>("push", o);
    }
    return list;
  }
  static std::string bytes_from(const val& array) {
    const std::vector<unsigned char> v = emscripten::convertJSArrayToNumberVector<unsigned char>(array);
    return std::string(v.begin(), v.end());
  }
  void generate_tokens(const std::vector<int>& ids, int max_tokens, const SamplingOptions& s, Rng& rng,
                       const std::function<bool(int)>& on) {
    if (t_->model().config().attention != AttentionMode::causal)
      throw ShapeError("This is a masked model; it fills in blanks rather than continuing text.");
    gptlab::generate(t_->model(), ids, max_tokens, s, rng, on);
  }
  std::unique_ptr<Trainer> t_;
};

// RunClock::steps_at for JS: the run's new length, or null.
emscripten::val run_clock_steps_at(RunClock& clock, int step, double seconds) {
  const std::optional<int> steps = clock.steps_at(step, seconds);
  return steps ? emscripten::val(*steps) : emscripten::val::null();
}

}  // namespace

EMSCRIPTEN_BINDINGS(gptlab_trainer) {
  using emscripten::allow_raw_pointers;
  emscripten::class_<RunClock>("RunClock")
      .constructor<double, int, int>()
      .function("stepsAt", &run_clock_steps_at);
  emscripten::class_<JsTrainer>("Trainer")
      .class_function("create", &JsTrainer::create, allow_raw_pointers())
      .class_function("resume", &JsTrainer::resume, allow_raw_pointers())
      .function("step", &JsTrainer::step)
      .function("stepPart", &JsTrainer::step_part)
      .function("evaluate", &JsTrainer::evaluate)
      .function("evaluatePart", &JsTrainer::evaluate_part)
      .function("baselines", &JsTrainer::baselines)
      .function("stepsDone", &JsTrainer::steps_done)
      .function("setTotalSteps", &JsTrainer::set_total_steps)
      .function("threads", &JsTrainer::threads)
      .function("lr", &JsTrainer::lr)
      .function("numParameters", &JsTrainer::num_parameters)
      .function("vocabSize", &JsTrainer::vocab_size)
      .function("blockSize", &JsTrainer::block_size)
      .function("nLayer", &JsTrainer::n_layer)
      .function("nHead", &JsTrainer::n_head)
      .function("objective", &JsTrainer::objective)
      .function("logits", &JsTrainer::logits)
      .function("attention", &JsTrainer::attention)
      .function("attentionBatch", &JsTrainer::attention_batch)
      .function("tensorStats", &JsTrainer::tensor_stats)
      .function("generate", &JsTrainer::generate)
      .function("fill", &JsTrainer::fill)
      .function("vocabulary", &JsTrainer::vocabulary)
      .function("nextToken", &JsTrainer::next_token)
      .function("surprise", &JsTrainer::surprise)
      .function("logitLens", &JsTrainer::logit_lens)
      .function("embeddingProjection", &JsTrainer::embedding_projection)
      .function("saveCheckpoint", &JsTrainer::save_checkpoint)
      .function("exportSafetensors", &JsTrainer::export_safetensors)
      .function("exportTokenizer", &JsTrainer::export_tokenizer);
}

}  // namespace gptlab::wasm
