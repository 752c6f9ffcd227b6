// Training throughput of the GPT, native, one thread: the benchmark
// config (4 layers, 4 heads, n_embd 128, block 64, batch 32, vocab 65, RoPE, GELU,
// dropout 0.1, AdamW, grad clip 1.0, cosine schedule). Prints tokens/s and peak
// memory. bench/train-vs-pytorch.sh runs it next to PyTorch.
//
//   build/bench_train [steps]
//   node build-wasm/bench_train.cjs [steps]     (the same program as WASM)
#ifndef __EMSCRIPTEN__
#include <sys/resource.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gptlab/adamw.h"
#include "gptlab/gpt.h"
#include "gptlab/schedule.h"

using namespace gptlab;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 60, warmup_steps = 5;
  GptConfig c;
  c.vocab_size = 65, c.block_size = 64, c.n_layer = 4, c.n_head = 4, c.n_embd = 128, c.dropout = 0.1f;
  c.positions = Positions::rope, c.ffn = Ffn::gelu;
  const int B = 32, T = 64;
  Gpt<float> model(c, 1337);
  AdamW<float> opt(model.tensors(), model.num_parameters());
  const LrSchedule lr{LrSchedule::Kind::cosine, 1e-3f, 1e-5f, 100, 3000};
  Rng data(1), dropout(2);
  std::vector<int> x(B * T), y(B * T);
  double seconds = 0;
  float loss = 0;
  for (int step = 0; step < warmup_steps + steps; ++step) {
    for (int i = 0; i < B * T; ++i) x[i] = static_cast<int>(data.below(65)), y[i] = static_cast<int>(data.below(65));
    const auto t0 = Clock::now();
    model.zero_grad();
    loss = model.forward({x.data(), y.data(), nullptr, B, T}, {true, c.dropout, &dropout});
    model.backward();
    clip_grad_norm(model.grads(), 1.0f);
    opt.step(model.params(), model.grads(), lr.at(step));
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
  std::printf("%s: %zu parameters, %d steps of %d tokens: %.0f tokens/s (%.2f ms/step), peak memory %.1f MB, "
              "last loss %.3f\n",
              where, model.num_parameters(), steps, B * T, steps * B * T / seconds, 1e3 * seconds / steps, peak_mb, loss);
  return 0;
}
