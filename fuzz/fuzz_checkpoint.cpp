// Arbitrary bytes as a checkpoint: loaded or refused with a sentence (magic, version,
// lengths and CRC come first). What loads is used as the CLI uses it: its tokenizer
// loads, its model is built (if it fits in 256 MB) and runs a forward pass.
#include "fuzz_support.h"
#include "gptlab/checkpoint.h"
#include "gptlab/gpt.h"
#include "gptlab/tokenizer_file.h"

using namespace gptlab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  fuzz::refuse_only_with_sentences([&] {
    const Checkpoint ck = load_checkpoint(bytes);
    load_tokenizer(ck.tokenizer);
    if (ck.model_kind != "gpt" || Gpt<float>::training_bytes(ck.config, 1, ck.config.block_size) > 256e6) return;
    Gpt<float> model(ck.config, 1);
    fuzz::require(ck.params.size() == model.num_parameters(), "a checkpoint that loads holds its model's parameters");
    std::copy(ck.params.begin(), ck.params.end(), model.params().begin());
    const std::vector<int> tokens(static_cast<std::size_t>(ck.config.block_size), 0);
    model.forward({tokens.data(), nullptr, nullptr, 1, ck.config.block_size});
  });
  return 0;
}
