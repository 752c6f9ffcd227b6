// Training throughput of the GPT through the Trainer: the benchmark config
// (4 layers, 4 heads, n_embd 128, block 64, batch 32, RoPE, GELU, dropout 0.1,
// AdamW, grad clip 1.0, cosine schedule) on random text over 65 characters (the
// char tokenizer adds its 5 special tokens: vocab 70). Prints tokens/s and peak
// memory. With threads > 1 the batch is split across data-parallel replicas.
// bench/train-vs-pytorch.sh runs it next to PyTorch.
//
//   build/bench_train [steps] [threads]
//   node build-wasm/bench_train.cjs [steps]     (the same program as WASM, one thread)
#ifndef __EMSCRIPTEN__
#include <sys/resource.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "train/trainer.h"

using namespace gptlab;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 60, warmup_steps = 5;
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,;:!?'-\n&$3";
  Rng rng(1);
  std::string corpus(200000, ' ');
  for (char& ch : corpus) ch = alphabet[rng.below(static_cast<std::uint32_t>(alphabet.size()))];
  GptConfig c;
  c.block_size = 64, c.n_layer = 4, c.n_head = 4, c.n_embd = 128, c.positions = Positions::rope,
  c.ffn = Ffn::gelu;
  TrainOptions o;
  o.batch_size = 32;
  o.lr = {LrSchedule::Kind::cosine, 1e-3f, 1e-5f, 100, 3000};
  o.dropout = {0.1f, 0.1f, 3000};
  o.threads = argc > 2 ? std::atoi(argv[2]) : 1;
  Trainer trainer(corpus, o, c);
  double seconds = 0;
  float loss = 0;
  for (int step = 0; step < warmup_steps + steps; ++step) {
    const auto t0 = Clock::now();
    loss = trainer.step();
    if (step >= warmup_steps) seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  }
#ifdef __EMSCRIPTEN__
  const char* where = "gptlab WASM";
  const double peak_mb = __builtin_wasm_memory_size(0) * 65536.0 / 1e6;  // the WASM heap at its largest
#else
  const char* where = "gptlab native";
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double peak_mb = usage.ru_maxrss / 1024.0;
#endif
  const int tokens = o.batch_size * c.block_size;
  std::printf(
      "%s (%d thread%s): %zu parameters, vocab %d, %d steps of %d tokens: %.0f tokens/s (%.2f ms/step), "
      "peak memory %.1f MB, last loss %.3f\n",
      where, trainer.threads(), trainer.threads() > 1 ? "s" : "", trainer.model().num_parameters(),
      trainer.model().vocab_size(), steps, tokens, steps * tokens / seconds, 1e3 * seconds / steps, peak_mb,
      loss);
  return 0;
}
