// Arbitrary bytes as a model configuration (the JSON a checkpoint carries): refused with a
// sentence, or valid — and a valid config that fits in 64 MB builds a model whose forward
// and backward run and give a finite loss.
#include <cmath>

#include "fuzz_support.h"
#include "model/gpt.h"
#include "train/checkpoint.h"

using namespace gptlab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  fuzz::refuse_only_with_sentences([&] {
    GptConfig c = config_from_json(json);
    c.validate();
    const int T = std::min(c.block_size, 8);
    if (Gpt<float>::training_bytes(c, 2, T) > 64e6) return;
    Gpt<float> model(c, 7);
    std::vector<int> tokens(2 * static_cast<std::size_t>(T)), targets(tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i)
      tokens[i] = static_cast<int>(i % c.vocab_size), targets[i] = tokens[(i + 1) % tokens.size()];
    const float loss = model.forward({tokens.data(), targets.data(), nullptr, 2, T});
    fuzz::require(std::isfinite(loss), "a fresh model's loss is finite");
    model.backward();
  });
  return 0;
}
