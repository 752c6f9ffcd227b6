// Arbitrary bytes as a tokenizer file: gptlab's own JSON and Hugging Face's tokenizer.json.
// Either it loads, or it is refused with a sentence; what loads saves and loads again to
// the same file and encodes a text without failing.
#include "fuzz_support.h"
#include "text/tokenizer_bpe.h"
#include "text/tokenizer_file.h"
#include "text/utf8.h"

using namespace gptlab;

namespace {
void exercise(const Tokenizer& t) {
  const std::string saved = save_tokenizer(t);
  fuzz::require(save_tokenizer(*load_tokenizer(saved)) == saved,
                "a loaded tokenizer saves and loads to the same file");
  fuzz::refuse_only_with_sentences([&] {
    const std::string text = t.decode(t.encode("It is a truth <eos> ü 日本 \xff", AllowedSpecials::every()));
    fuzz::require(utf8::is_valid(text), "decode gives valid UTF-8");
  });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  fuzz::refuse_only_with_sentences([&] { exercise(*load_tokenizer(json)); });
  fuzz::refuse_only_with_sentences([&] { exercise(import_hf_tokenizer(json)); });
  return 0;
}
