// gptlab, the command line: train, sample, eval, tokenize, export.
//
//   gptlab train --corpus FILE [options]        (gptlab help for all of them)
//
// Every error is a sentence on stderr and a non-zero exit code.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gptlab/checkpoint.h"
#include "gptlab/error.h"
#include "gptlab/generate.h"
#include "gptlab/tokenizer_bpe.h"
#include "gptlab/tokenizer_file.h"
#include "gptlab/trainer.h"
#include "gptlab/utf8.h"

using namespace gptlab;

namespace {

constexpr const char* kUsage = R"(gptlab — train and sample small language models

  gptlab train --corpus FILE [--checkpoint FILE] [--resume]
        data:      --tokenizer char|bpe|bpe-gpt2|bpe-gpt4 (char)  --vocab N (512, BPE)
                   --objective causal|masked|mntp (causal)
                   --documents SEPARATOR  (batches of whole documents, padded; e.g. --documents $'\n\n')
        model:     --layers 4 --heads 8 --embd 64 --block 128 --dropout 0
                   --positions rope|learned --ffn gelu|swiglu --norm layernorm|rmsnorm --tie
        training:  --batch 64 --steps 3000 --lr 1e-3 --min-lr 1e-5 --warmup 100 --weight-decay 0.1
                   --clip 1.0 --eval-interval 100 --eval-batches 10 --seed 1337
                   --threads N  (data-parallel; default: every core, at most 8. The same seed gives
                                 the same run for the same N; --threads 1 matches the browser)
                   --log-interval 10  (plain "step N loss X" lines when stdout is not a terminal)
  gptlab sample --checkpoint FILE [--prompt TEXT] [--tokens 200] [--temperature 1] [--top-k 0]
                [--top-p 1] [--seed 1]
  gptlab fill --checkpoint FILE --text "The <mask> sat." [--top 5]   (masked models)
  gptlab eval --checkpoint FILE --corpus FILE
  gptlab tokenize --checkpoint FILE --text TEXT
  gptlab export --checkpoint FILE --out model.safetensors [--tokenizer-out tokenizer.json]
                [--logits-out check.json]   (tokens and gptlab's logits, for tools/load_safetensors.py)

Ctrl-C during training saves the checkpoint before exiting.
)";

struct Args {
  std::map<std::string, std::string> values;
  std::vector<std::string> flags;
  bool has(const std::string& k) const { return values.count(k) || std::find(flags.begin(), flags.end(), k) != flags.end(); }
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
    if (end == it->second.c_str() || *end != '\0') throw Error("--" + k + " needs a number, not \"" + it->second + "\".");
    return v;
  }
  int integer(const std::string& k, int fallback) const {
    const double v = number(k, fallback);
    if (v != static_cast<int>(v)) throw Error("--" + k + " needs a whole number.");
    return static_cast<int>(v);
  }
};

Args parse(int argc, char** argv) {
  static const std::vector<std::string> kFlags = {"resume", "tie"};
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) throw Error("Unexpected argument \"" + k + "\"; options start with --.");
    k = k.substr(2);
    if (std::find(kFlags.begin(), kFlags.end(), k) != kFlags.end()) {
      a.flags.push_back(k);
      continue;
    }
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
  o.tokenizer = a.str("tokenizer", "char");
  o.vocab_size = a.integer("vocab", 512);
  o.objective = parse_objective(a.str("objective", "causal"));
  o.batch_size = a.integer("batch", 64);
  o.eval_batches = a.integer("eval-batches", 10);
  o.seed = static_cast<std::uint64_t>(a.number("seed", 1337));
  const int steps = a.integer("steps", 3000);
  o.lr = {LrSchedule::Kind::cosine, static_cast<float>(a.number("lr", 1e-3)), static_cast<float>(a.number("min-lr", 1e-5)),
          a.integer("warmup", 100), steps};
  const float dropout = static_cast<float>(a.number("dropout", 0));
  o.dropout = {dropout, dropout, steps};
  o.adamw.weight_decay = static_cast<float>(a.number("weight-decay", 0.1));
  o.grad_clip = static_cast<float>(a.number("clip", 1.0));
  o.document_separator = a.str("documents", "");
  o.threads = a.integer("threads", static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u)));
  const int eval_interval = a.integer("eval-interval", 100);
  const int log_interval = a.integer("log-interval", 10);
  if (o.batch_size < 1 || steps < 1 || eval_interval < 1 || o.eval_batches < 1)
    throw Error("--batch, --steps, --eval-interval and --eval-batches must be at least 1.");
  const std::string ck_path = a.str("checkpoint", "gptlab.ckpt");

  std::unique_ptr<Trainer> trainer;
  if (a.has("resume")) {
    trainer = std::make_unique<Trainer>(corpus, o, load_checkpoint(read_file(ck_path)));
    std::printf("resumed %s at step %d\n", ck_path.c_str(), trainer->steps_done());
  } else {
    GptConfig c;
    c.n_layer = a.integer("layers", 4), c.n_head = a.integer("heads", 8), c.n_embd = a.integer("embd", 64);
    c.block_size = a.integer("block", 128), c.dropout = dropout, c.tie_weights = a.has("tie");
    const std::string pos = a.str("positions", "rope"), ffn = a.str("ffn", "gelu"), norm = a.str("norm", "layernorm");
    if ((pos != "rope" && pos != "learned") || (ffn != "gelu" && ffn != "swiglu") || (norm != "layernorm" && norm != "rmsnorm"))
      throw Error("--positions takes rope or learned, --ffn gelu or swiglu, --norm layernorm or rmsnorm.");
    c.positions = pos == "rope" ? Positions::rope : Positions::learned;
    c.ffn = ffn == "gelu" ? Ffn::gelu : Ffn::swiglu;
    c.norm = norm == "layernorm" ? Norm::layernorm : Norm::rmsnorm;
    c.vocab_size = 1;  // set from the tokenizer
    trainer = std::make_unique<Trainer>(corpus, o, c);
  }
  Gpt<float>& model = trainer->model();
  const GptConfig& c = model.config();
  std::printf("model: %zu parameters (%d layers, %d heads, n_embd %d, block %d, vocab %d, %s, %s); "
              "objective %s; %zu training tokens; %d thread%s\n",
              model.num_parameters(), c.n_layer, c.n_head, c.n_embd, c.block_size, c.vocab_size, to_string(c.positions),
              to_string(c.ffn), to_string(o.objective), trainer->train_tokens(), trainer->threads(),
              trainer->threads() > 1 ? "s" : "");
  std::signal(SIGINT, [](int) { g_interrupted = 1; });
  const bool tty = isatty(fileno(stdout));
  auto save = [&] { write_file(ck_path, save_checkpoint(trainer->checkpoint())); };
  const auto start = std::chrono::steady_clock::now();
  const int first = trainer->steps_done();
  while (trainer->steps_done() < steps) {
    if (g_interrupted) {
      save();
      std::printf("\ninterrupted at step %d; checkpoint saved to %s\n", trainer->steps_done(), ck_path.c_str());
      return 130;
    }
    const float lr = trainer->current_lr();
    const float loss = trainer->step();
    const int done = trainer->steps_done();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double tok_s = (done - first) * static_cast<double>(o.batch_size) * c.block_size / elapsed;
    const double eta = elapsed / (done - first) * (steps - done);
    if (tty) {
      std::printf("\rstep %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %s   ", done, steps, loss, lr, tok_s, format_eta(eta).c_str());
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
      std::printf("), lr %.2e, %.0f tok/s\n", lr, tok_s);
      std::fflush(stdout);
      save();
    }
  }
  std::printf("saved %s\n", ck_path.c_str());
  return 0;
}

std::unique_ptr<Tokenizer> tokenizer_of(const Checkpoint& ck) { return load_tokenizer(ck.tokenizer); }

// The checkpoint's GPT with its weights.
std::unique_ptr<Gpt<float>> model_of(const Checkpoint& ck) {
  auto model = std::make_unique<Gpt<float>>(ck.config, 0);
  if (ck.params.size() != model->num_parameters())
    throw Error("The checkpoint has " + std::to_string(ck.params.size()) + " parameters; its configuration needs " +
                std::to_string(model->num_parameters()) + ".");
  std::copy(ck.params.begin(), ck.params.end(), model->params().begin());
  return model;
}

int sample(const Args& a) {
  const Checkpoint ck = load_checkpoint(read_file(a.required("checkpoint")));
  const auto tok = tokenizer_of(ck);
  if (ck.config.attention != AttentionMode::causal)
    throw Error("This checkpoint is a masked model; it fills in blanks rather than continuing text.");
  const auto model = model_of(ck);
  std::string prompt = a.str("prompt", "\n");
  std::vector<int> ids = tok->encode(prompt);
  if (ids.empty()) ids = tok->encode("\n");
  Rng rng(static_cast<std::uint64_t>(a.number("seed", 1)));
  const SamplingOptions s{static_cast<float>(a.number("temperature", 1.0)), a.integer("top-k", 0),
                          static_cast<float>(a.number("top-p", 1.0)), never_sampled(*tok)};
  std::fputs(prompt.c_str(), stdout);
  std::vector<int> pending;  // tokens whose bytes are not yet whole characters
  generate(*model, ids, a.integer("tokens", 200), s, rng, [&](int t) {
    pending.push_back(t);
    const std::string bytes = tok->decode_bytes(pending);
    if (utf8::is_valid(bytes)) std::fputs(bytes.c_str(), stdout), std::fflush(stdout), pending.clear();
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
  const auto tok = tokenizer_of(ck);
  const auto model = model_of(ck);
  const int mask = tok->special_id("<mask>");
  const auto filled = fill_masks(*model, tok->encode(a.required("text"), AllowedSpecials::every()), mask, a.integer("top", 5));
  if (filled.empty()) throw Error("The text has no <mask> to fill in.");
  for (std::size_t m = 0; m < filled.size(); ++m) {
    std::printf("<mask> %zu:", m + 1);
    for (const Candidate& c : filled[m]) std::printf("  \"%s\" %.3f", tok->decode(std::vector<int>{c.token}).c_str(), c.probability);
    std::printf("\n");
  }
  return 0;
}

int eval(const Args& a) {
  const Checkpoint ck = load_checkpoint(read_file(a.required("checkpoint")));
  TrainOptions o;
  o.batch_size = a.integer("batch", 16);
  o.eval_batches = a.integer("eval-batches", 10);
  Trainer t(read_file(a.required("corpus")), o, ck);
  const EvalResult r = t.evaluate();
  std::printf("train loss %.4f, val loss %.4f, perplexity %.2f, %.3f bits/char", r.train_loss, r.val_loss, r.perplexity,
              r.bits_per_char);
  if (r.masked_accuracy >= 0) std::printf(", masked accuracy %.3f (unigram baseline %.3f)", r.masked_accuracy, r.unigram_accuracy);
  std::printf("\n");
  return 0;
}

int tokenize(const Args& a) {
  const auto tok = tokenizer_of(load_checkpoint(read_file(a.required("checkpoint"))));
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
    const auto tok = tokenizer_of(ck);
    const auto* bpe = dynamic_cast<const BpeTokenizer*>(tok.get());
    write_file(a.str("tokenizer-out"), bpe ? export_hf_tokenizer(*bpe) : ck.tokenizer);
  }
  if (a.has("logits-out")) {  // a reference for tools/load_safetensors.py: logits of the first block of text
    const auto tok = tokenizer_of(ck);
    std::vector<int> ids = tok->encode("It is a truth universally acknowledged, that a single man in possession of a good fortune");
    ids.resize(std::min<std::size_t>(ids.size(), ck.config.block_size));
    const auto model = model_of(ck);
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
  const std::map<std::string, std::function<int(const Args&)>> commands = {
      {"train", train},   {"sample", sample},        {"fill", fill},
      {"eval", eval},     {"tokenize", tokenize},    {"export", export_weights}};
  if (argc < 2 || !commands.count(argv[1])) {
    std::fputs(kUsage, argc < 2 || std::string(argv[1]) == "help" ? stdout : stderr);
    return argc < 2 || std::string(argv[1]) == "help" ? 0 : 2;
  }
  try {
    return commands.at(argv[1])(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gptlab: %s\n", e.what());
    return 1;
  }
}
