// gptlab, the command line: train, sample, eval, tokenize, export.
//
//   gptlab train --corpus FILE [options]        (gptlab help for all of them)
//
// Every error is a sentence on stderr and a non-zero exit code.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "errors.h"
#include "model/generate.h"
#include "text/tokenizer_bpe.h"
#include "text/tokenizer_file.h"
#include "text/utf8.h"
#include "train/checkpoint.h"
#include "train/run_clock.h"
#include "train/trainer.h"

using namespace gptlab;

namespace {

// ---- defaults: the seed's config, from the structs that define it ------------------------
// A new run's model and training options are GptConfig{} and TrainOptions{} (with its
// LrSchedule{} and AdamWConfig{}); sampling is SamplingOptions{}. What only the command
// line has is here.
const GptConfig kModel{};
const TrainOptions kTrain{};
const SamplingOptions kSampling{};
constexpr int kEvalInterval = 100;  // train: evaluate and save every this many steps
constexpr int kLogInterval = 10;    // train: a "step N loss X" line every this many steps (not a terminal)
constexpr int kEvalBatch = 16;      // eval: rows per batch
constexpr int kSampleTokens = 200;
constexpr int kSampleSeed = 1;
constexpr int kFillTop = 5;

// Training uses every core, at most 8 (TrainOptions{} is one thread, the browser's default).
int default_threads() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u)); }

// A number as a person writes it: 64, 0.1, 1e-3.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  std::string s = buf;
  if (const auto e = s.find("e-0"); e != std::string::npos) s.erase(e + 2, 1);  // 1e-05 -> 1e-5
  if (s.find('e') == std::string::npos && v != 0 && std::abs(v) < 1e-2) {       // 0.001 -> 1e-3
    std::snprintf(buf, sizeof buf, "%.0e", v);
    s = buf;
    if (const auto e = s.find("e-0"); e != std::string::npos) s.erase(e + 2, 1);
  }
  return s;
}

// The help text is laid out as it prints.
// clang-format off
std::string usage() {
  const LrSchedule& lr = kTrain.lr;
  return "gptlab — train and sample small language models\n"
         "\n"
         "  gptlab train --corpus FILE [--checkpoint FILE] [--resume]\n"
         "        data:      --tokenizer " + option_names<TokenizerKind>("|") + " (" + to_string(kTrain.tokenizer) +
         ")  --vocab N (" + num(kTrain.vocab_size) + ", BPE)\n"
         "                   --objective " + option_names<Objective>("|") + " (" + to_string(kTrain.objective) + ")\n"
         "                   --documents SEPARATOR  (batches of whole documents, padded; e.g. --documents $'\\n\\n')\n"
         "                   --no-key-mask  (teaching: attention also looks at the padding, to show what goes wrong)\n"
         "        model:     --layers " + num(kModel.n_layer) + " --heads " + num(kModel.n_head) + " --embd " +
         num(kModel.n_embd) + " --block " + num(kModel.block_size) + " --dropout " + num(kModel.dropout) + "\n"
         "                   --positions " + option_names<Positions>("|") + " (" + to_string(kModel.positions) + ")" +
         "  --ffn " + option_names<Ffn>("|") + " (" + to_string(kModel.ffn) + ")\n"
         "                   --norm " + option_names<Norm>("|") + " (" + to_string(kModel.norm) + ")  --tie" +
         "  --no-residual  (x = branch(x), not x + branch(x))\n"
         "                   (--layers 0: the embeddings go straight to the final norm and the LM head)\n"
         "        training:  --batch " + num(kTrain.batch_size) + " --steps " + num(lr.total) + " --lr " + num(lr.max_lr) +
         " --min-lr " + num(lr.min_lr) + " --warmup " + num(lr.warmup) + " --weight-decay " +
         num(kTrain.adamw.weight_decay) + "\n"
         "                   --decay " + option_names<Decay>("|") + " (" + to_string(kTrain.adamw.decay) +
         "; which tensors decay: matrices = 2-D weights and embeddings)\n"
         "                   --optimizer " + option_names<Optimizer>("|") + " (" + to_string(kTrain.adamw.optimizer) +
         "; muon: the blocks' matrices take Muon's orthogonalized\n"
         "                                 momentum at the same --lr, the rest AdamW)\n"
         "                   --constant-lr  (no cosine decay after the warmup)\n"
         "                   --minutes M  (train for M minutes: the steps come from the speed measured\n"
         "                                 in the first steps, replacing --steps)\n"
         "                   --clip " + num(kTrain.grad_clip) + " --eval-interval " + num(kEvalInterval) +
         " --eval-batches " + num(kTrain.eval_batches) + " --seed " + std::to_string(kTrain.seed) + "\n"
         "                   --threads " + num(default_threads()) +
         "  (data-parallel; default: every core, at most 8. The same seed gives\n"
         "                                 the same run for the same N; --threads 1 matches the browser)\n"
         "                   --log-interval " + num(kLogInterval) +
         "  (plain \"step N loss X\" lines when stdout is not a terminal)\n"
         "                   --tensor-norms  (after each evaluation, every tensor's weight, gradient and update norm)\n"
         "  gptlab sample --checkpoint FILE [--prompt TEXT] [--tokens " + num(kSampleTokens) + "] [--temperature " +
         num(kSampling.temperature) + "] [--top-k " + num(kSampling.top_k) + "]\n"
         "                [--top-p " + num(kSampling.top_p) + "] [--seed " + num(kSampleSeed) + "]\n"
         "  gptlab fill --checkpoint FILE --text \"The <mask> sat.\" [--top " + num(kFillTop) + "]   (masked models)\n"
         "  gptlab eval --checkpoint FILE --corpus FILE [--batch " + num(kEvalBatch) + "] [--eval-batches " +
         num(kTrain.eval_batches) + "]\n"
         "  gptlab tokenize --checkpoint FILE --text TEXT\n"
         "  gptlab export --checkpoint FILE --out model.safetensors [--tokenizer-out tokenizer.json]\n"
         "                [--logits-out check.json]   (tokens and gptlab's logits, for tools/load_safetensors.py)\n"
         "\n"
         "Ctrl-C during training saves the checkpoint before exiting.\n";
}
// clang-format on

struct Args {
  std::map<std::string, std::string> values;
  std::vector<std::string> flags;
  bool has(const std::string& k) const {
    return values.count(k) || std::find(flags.begin(), flags.end(), k) != flags.end();
  }
  std::string str(const std::string& k, const std::string& fallback = "") const {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  }
  std::string required(const std::string& k) const {
    if (!values.count(k)) throw Error("This command needs --" + k + ".");
    return values.at(k);
  }
  double number(const std::string& k, double fallback) const {
    auto it = values.find(k);
    if (it == values.end()) return fallback;
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end != '\0')
      throw Error("--" + k + " needs a number, not \"" + it->second + "\".");
    return v;
  }
  int integer(const std::string& k, int fallback) const {
    const double v = number(k, fallback);
    if (v != static_cast<int>(v)) throw Error("--" + k + " needs a whole number.");
    return static_cast<int>(v);
  }
};

// A subcommand and the options it knows: `options` take a value, `flags` do not.
struct Command {
  std::function<int(const Args&)> run;
  std::vector<std::string> options;
  std::vector<std::string> flags;
};

// Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "Unknown option --step; did you mean --steps?" when a known option is a typo away
// (at most 2 edits, and at most a third of the name), else where to find the options.
[[noreturn]] void unknown_option(const std::string& name, const std::string& command, const Command& known) {
  std::string nearest;
  std::size_t best = SIZE_MAX;
  for (const auto* list : {&known.options, &known.flags})
    for (const std::string& k : *list)
      if (const std::size_t d = edit_distance(name, k); d < best) {
        best = d;
        nearest = k;
      }
  if (best <= std::min<std::size_t>(2, std::max<std::size_t>(1, name.size() / 3)))
    throw OptionError("Unknown option --" + name + "; did you mean --" + nearest + "?");
  throw OptionError("Unknown option --" + name + " for gptlab " + command +
                    "; gptlab help lists the options.");
}

Args parse(int argc, char** argv, const Command& command) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) throw Error("Unexpected argument \"" + k + "\"; options start with --.");
    k = k.substr(2);
    if (std::find(command.flags.begin(), command.flags.end(), k) != command.flags.end()) {
      a.flags.push_back(k);
      continue;
    }
    if (std::find(command.options.begin(), command.options.end(), k) == command.options.end())
      unknown_option(k, argv[1], command);
    if (i + 1 >= argc) throw Error("--" + k + " needs a value.");
    a.values[k] = argv[++i];
  }
  return a;
}

volatile std::sig_atomic_t g_interrupted = 0;

std::string format_eta(double seconds) {
  char buf[32];
  const int s = static_cast<int>(seconds);
  std::snprintf(buf, sizeof buf, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

int train(const Args& a) {
  const std::string corpus = read_file(a.required("corpus"));
  TrainOptions o;
  o.tokenizer = parse_tokenizer_kind(a.str("tokenizer", to_string(kTrain.tokenizer)));
  o.vocab_size = a.integer("vocab", kTrain.vocab_size);
  o.objective = parse_objective(a.str("objective", to_string(kTrain.objective)));
  o.batch_size = a.integer("batch", kTrain.batch_size);
  o.eval_batches = a.integer("eval-batches", kTrain.eval_batches);
  o.seed = static_cast<std::uint64_t>(a.number("seed", static_cast<double>(kTrain.seed)));
  int steps = a.integer("steps", kTrain.lr.total);  // a timed run (--minutes) sets it once it knows its speed
  const double minutes = a.number("minutes", 0);
  const int warmup = a.integer("warmup", kTrain.lr.warmup);
  o.lr = {a.has("constant-lr") ? LrSchedule::Kind::constant : LrSchedule::Kind::cosine,
          static_cast<float>(a.number("lr", kTrain.lr.max_lr)),
          static_cast<float>(a.number("min-lr", kTrain.lr.min_lr)), warmup, steps};
  const float dropout = static_cast<float>(a.number("dropout", kModel.dropout));
  o.dropout = {dropout, dropout, steps};
  o.adamw.weight_decay = static_cast<float>(a.number("weight-decay", kTrain.adamw.weight_decay));
  o.adamw.decay = parse_decay(a.str("decay", to_string(kTrain.adamw.decay)));
  o.adamw.optimizer = parse_optimizer(a.str("optimizer", to_string(kTrain.adamw.optimizer)));
  o.grad_clip = static_cast<float>(a.number("clip", kTrain.grad_clip));
  o.document_separator = a.str("documents", kTrain.document_separator);
  o.key_mask = !a.has("no-key-mask");
  o.threads = a.integer("threads", default_threads());
  const int eval_interval = a.integer("eval-interval", kEvalInterval);
  const int log_interval = a.integer("log-interval", kLogInterval);
  const bool tensor_norms = a.has("tensor-norms");  // each tensor's L2 norms at every evaluation
  if (o.batch_size < 1 || steps < 1 || eval_interval < 1 || o.eval_batches < 1)
    throw Error("--batch, --steps, --eval-interval and --eval-batches must be at least 1.");
  if (!(minutes >= 0 && minutes <= 1e6))
    throw Error("--minutes must be a number of minutes (0: train for --steps).");
  if (minutes > 0 && a.has("resume"))
    throw Error("--minutes times a new run; a resumed run goes on to the steps it had (--steps).");
  const std::string ck_path = a.str("checkpoint", "gptlab.ckpt");

  std::unique_ptr<Trainer> trainer;
  if (a.has("resume")) {
    trainer = std::make_unique<Trainer>(corpus, o, load_checkpoint(read_file(ck_path)));
    std::printf("resumed %s at step %d\n", ck_path.c_str(), trainer->steps_done());
  } else {
    GptConfig c = kModel;
    c.n_layer = a.integer("layers", kModel.n_layer);
    c.n_head = a.integer("heads", kModel.n_head);
    c.n_embd = a.integer("embd", kModel.n_embd);
    c.block_size = a.integer("block", kModel.block_size);
    c.dropout = dropout;
    c.tie_weights = a.has("tie");
    c.positions = parse_positions(a.str("positions", to_string(kModel.positions)));
    c.ffn = parse_ffn(a.str("ffn", to_string(kModel.ffn)));
    c.norm = parse_norm(a.str("norm", to_string(kModel.norm)));
    c.residual = !a.has("no-residual");
    c.vocab_size = 1;  // set from the tokenizer
    c.validate();      // the model's own errors before the schedule's
    if (steps <= warmup)
      throw OptionError("--steps " + std::to_string(steps) + " must be more than --warmup " +
                        std::to_string(warmup) + ".");
    trainer = std::make_unique<Trainer>(corpus, o, c);
  }
  Gpt<float>& model = trainer->model();
  const GptConfig& c = model.config();
  std::printf(
      "model: %zu parameters (%d layers, %d heads, n_embd %d, block %d, vocab %d, positions %s, ffn %s, "
      "norm %s%s); objective %s; optimizer %s; %zu training tokens; %d thread%s\n",
      model.num_parameters(), c.n_layer, c.n_head, c.n_embd, c.block_size, c.vocab_size,
      to_string(c.positions), to_string(c.ffn), to_string(c.norm), c.residual ? "" : ", no residual",
      to_string(o.objective), to_string(trainer->options().adamw.optimizer), trainer->train_tokens(),
      trainer->threads(), trainer->threads() > 1 ? "s" : "");
  const Baselines baselines = trainer->baselines();
  std::printf("count-model baselines on val: unigram %.4f", baselines.unigram);
  if (baselines.bigram >= 0) std::printf(", bigram %.4f", baselines.bigram);
  std::printf(" nats/token\n");
  std::signal(SIGINT, [](int) { g_interrupted = 1; });
  const bool tty = isatty(fileno(stdout));
  auto save = [&] { write_file(ck_path, save_checkpoint(trainer->checkpoint())); };
  const auto start = std::chrono::steady_clock::now();
  const int first = trainer->steps_done();
  std::optional<RunClock> clock;
  if (minutes > 0) clock.emplace(minutes * 60, eval_interval, warmup);
  while (trainer->steps_done() < steps) {
    if (g_interrupted) {
      save();
      std::printf("\ninterrupted at step %d; checkpoint saved to %s\n", trainer->steps_done(),
                  ck_path.c_str());
      return 130;
    }
    const float lr = trainer->current_lr();
    const float loss = trainer->step();
    const int done = trainer->steps_done();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (const std::optional<int> total = clock ? clock->steps_at(done, elapsed) : std::nullopt) {
      trainer->set_total_steps(*total);
      steps = *total;
    }
    const double tok_s = (done - first) * static_cast<double>(o.batch_size) * c.block_size / elapsed;
    const double eta = elapsed / (done - first) * (steps - done);
    if (tty) {
      std::printf("\rstep %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %s   ", done, steps, loss, lr, tok_s,
                  format_eta(eta).c_str());
      std::fflush(stdout);
    } else if (log_interval > 0 && done % log_interval == 0) {
      std::printf("step %d loss %.6f lr %.3e\n", done, loss, lr);
      std::fflush(stdout);  // whole lines for a reader of the log (tail -f, a test waiting for progress)
    }
    if (done % eval_interval == 0 || done == steps) {
      const EvalResult r = trainer->evaluate();
      std::printf("%sstep %d: train %.4f, val %.4f (perplexity %.2f, %.3f bits/char", tty ? "\n" : "", done,
                  r.train_loss, r.val_loss, r.perplexity, r.bits_per_char);
      if (r.masked_accuracy >= 0)
        std::printf(", masked accuracy %.3f vs unigram %.3f", r.masked_accuracy, r.unigram_accuracy);
      if (r.val_loss_alone >= 0) std::printf(", val each document alone %.4f", r.val_loss_alone);
      std::printf("), lr %.2e, %.0f tok/s\n", lr, tok_s);
      if (tensor_norms)
        for (const TensorStats& t : trainer->tensor_stats())
          std::printf("  %s (%s, %zu values%s): weight %.5g, gradient %.5g, update %.5g\n", t.name.c_str(),
                      t.matrix ? "matrix" : "vector", t.size, t.decayed ? ", decayed" : "", t.weight_norm,
                      t.grad_norm, t.update_norm);
      std::fflush(stdout);
      save();
    }
  }
  std::printf("saved %s\n", ck_path.c_str());
  return 0;
}

int sample(const Args& a) {
  const Checkpoint ck = load_checkpoint(read_file(a.required("checkpoint")));
  const auto tok = load_tokenizer(ck.tokenizer);
  if (ck.config.attention != AttentionMode::causal)
    throw Error("This checkpoint is a masked model; it fills in blanks rather than continuing text.");
  const auto model = load_model(ck);
  std::string prompt = a.str("prompt", "\n");
  std::vector<int> ids = tok->encode(prompt);
  if (ids.empty()) ids = tok->encode("\n");
  Rng rng(static_cast<std::uint64_t>(a.number("seed", kSampleSeed)));
  const SamplingOptions s{static_cast<float>(a.number("temperature", kSampling.temperature)),
                          a.integer("top-k", kSampling.top_k),
                          static_cast<float>(a.number("top-p", kSampling.top_p)), never_sampled(*tok)};
  std::fputs(prompt.c_str(), stdout);
  std::vector<int> pending;  // tokens whose bytes are not yet whole characters
  generate(*model, ids, a.integer("tokens", kSampleTokens), s, rng, [&](int t) {
    pending.push_back(t);
    const std::string bytes = tok->decode_bytes(pending);
    if (utf8::is_valid(bytes)) {
      std::fputs(bytes.c_str(), stdout);
      std::fflush(stdout);
      pending.clear();
    }
    return true;
  });
  if (!pending.empty()) std::fputs(tok->decode(pending).c_str(), stdout);
  std::printf("\n");
  return 0;
}

int fill(const Args& a) {
  const Checkpoint ck = load_checkpoint(read_file(a.required("checkpoint")));
  if (ck.config.attention != AttentionMode::bidirectional)
    throw Error("This checkpoint is a causal model; fill-in needs a masked (bidirectional) one.");
  const auto tok = load_tokenizer(ck.tokenizer);
  const auto model = load_model(ck);
  const int mask = tok->special_id("<mask>");
  const auto filled = fill_masks(*model, tok->encode(a.required("text"), AllowedSpecials::every()), mask,
                                 a.integer("top", kFillTop));
  if (filled.empty()) throw Error("The text has no <mask> to fill in.");
  for (std::size_t m = 0; m < filled.size(); ++m) {
    std::printf("<mask> %zu:", m + 1);
    for (const Candidate& c : filled[m])
      std::printf("  \"%s\" %.3f", tok->decode(std::vector<int>{c.token}).c_str(), c.probability);
    std::printf("\n");
  }
  return 0;
}

int eval(const Args& a) {
  const Checkpoint ck = load_checkpoint(read_file(a.required("checkpoint")));
  TrainOptions o;
  o.batch_size = a.integer("batch", kEvalBatch);
  o.eval_batches = a.integer("eval-batches", kTrain.eval_batches);
  Trainer t(read_file(a.required("corpus")), o, ck);
  const EvalResult r = t.evaluate();
  std::printf("train loss %.4f, val loss %.4f, perplexity %.2f, %.3f bits/char", r.train_loss, r.val_loss,
              r.perplexity, r.bits_per_char);
  if (r.masked_accuracy >= 0)
    std::printf(", masked accuracy %.3f (unigram baseline %.3f)", r.masked_accuracy, r.unigram_accuracy);
  std::printf("\n");
  return 0;
}

int tokenize(const Args& a) {
  const auto tok = load_tokenizer(load_checkpoint(read_file(a.required("checkpoint"))).tokenizer);
  const std::vector<int> ids = tok->encode(a.required("text"), AllowedSpecials::every());
  for (int id : ids) {
    const std::string piece = tok->decode(std::vector<int>{id});
    std::printf("%d\t%s\n", id, piece.c_str());
  }
  return 0;
}

int export_weights(const Args& a) {
  const Checkpoint ck = load_checkpoint(read_file(a.required("checkpoint")));
  write_file(a.required("out"), export_safetensors(ck));
  if (a.has("tokenizer-out")) {
    const auto tok = load_tokenizer(ck.tokenizer);
    const auto* bpe = dynamic_cast<const BpeTokenizer*>(tok.get());
    write_file(a.str("tokenizer-out"), bpe ? export_hf_tokenizer(*bpe) : ck.tokenizer);
  }
  if (a.has("logits-out")) {  // a reference for tools/load_safetensors.py: logits of the first block of text
    const auto tok = load_tokenizer(ck.tokenizer);
    std::vector<int> ids = tok->encode(
        "It is a truth universally acknowledged, that a single man in possession of a good fortune");
    ids.resize(std::min<std::size_t>(ids.size(), ck.config.block_size));
    const auto model = load_model(ck);
    model->forward({ids.data(), nullptr, nullptr, 1, static_cast<int>(ids.size())});
    std::string json = "{\"tokens\": [";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i) json += ',';
      json += std::to_string(ids[i]);
    }
    json += "], \"logits\": [";
    for (std::size_t i = 0; i < ids.size() * model->vocab_size(); ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.9g", i ? "," : "", model->logits()[i]);
      json += buf;
    }
    write_file(a.str("logits-out"), json + "]}");
  }
  std::printf("wrote %s\n", a.str("out").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::map<std::string, Command> commands = {
      {"train",
       {train,
        {"corpus",   "checkpoint",    "tokenizer",    "vocab",   "objective", "documents",    "layers",
         "heads",    "embd",          "block",        "dropout", "positions", "ffn",          "norm",
         "batch",    "steps",         "lr",           "min-lr",  "warmup",    "weight-decay", "decay",
         "clip",     "eval-interval", "eval-batches", "seed",    "threads",   "log-interval", "minutes",
         "optimizer"},
        {"resume", "tie", "no-residual", "no-key-mask", "constant-lr", "tensor-norms"}}},
      {"sample", {sample, {"checkpoint", "prompt", "tokens", "temperature", "top-k", "top-p", "seed"}, {}}},
      {"fill", {fill, {"checkpoint", "text", "top"}, {}}},
      {"eval", {eval, {"checkpoint", "corpus", "batch", "eval-batches"}, {}}},
      {"tokenize", {tokenize, {"checkpoint", "text"}, {}}},
      {"export", {export_weights, {"checkpoint", "out", "tokenizer-out", "logits-out"}, {}}}};
  if (argc < 2 || !commands.count(argv[1])) {
    const bool help = argc < 2 || std::string(argv[1]) == "help";
    std::fputs(usage().c_str(), help ? stdout : stderr);
    return help ? 0 : 2;
  }
  try {
    const Command& command = commands.at(argv[1]);
    return command.run(parse(argc, argv, command));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gptlab: %s\n", e.what());
    return 1;
  }
}
