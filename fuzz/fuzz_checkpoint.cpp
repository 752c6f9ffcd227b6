// Arbitrary bytes as a checkpoint: loaded or refused with a sentence (magic, version,
// lengths and CRC come first). What loads is used as the CLI uses it: its tokenizer
// loads, its model is built (if it fits in 256 MB) and runs a forward pass.
#include "fuzz_support.h"
#include "model/gpt.h"
#include "text/tokenizer_file.h"
#include "train/checkpoint.h"

using namespace gptlab;

namespace {

void load_and_use(std::string_view bytes) {
  fuzz::refuse_only_with_sentences([&] {
    const Checkpoint ck = load_checkpoint(bytes);
    load_tokenizer(ck.tokenizer);
    if (ck.model_kind != "gpt" || Gpt<float>::training_bytes(ck.config, 1, ck.config.block_size) > 256e6)
      return;
    Gpt<float> model(ck.config, 1);
    fuzz::require(ck.params.size() == model.num_parameters(),
                  "a checkpoint that loads holds its model's parameters");
    std::copy(ck.params.begin(), ck.params.end(), model.params().begin());
    const std::vector<int> tokens(static_cast<std::size_t>(ck.config.block_size), 0);
    model.forward({tokens.data(), nullptr, nullptr, 1, ck.config.block_size});
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  load_and_use(bytes);
  // The same bytes with a CRC that matches them, so that mutations reach the header and the sizes
  // behind the CRC check (what a file written by a buggy or hostile program would hold).
  if (size >= 16) {
    std::string fixed(bytes);
    const std::uint32_t crc = crc32(std::string_view(fixed).substr(12, size - 16));
    for (int i = 0; i < 4; ++i) fixed[size - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    load_and_use(fixed);
  }
  return 0;
}
