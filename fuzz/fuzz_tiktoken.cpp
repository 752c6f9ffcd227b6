// Arbitrary bytes as a tiktoken rank file ("base64 rank" lines): it loads or is refused
// with a sentence; what loads (every byte has a token) encodes a text with a special
// token and decodes it back to its bytes. The special token's id, 1000, sits right after
// the seed's 400 ranks' reach, as GPT-2's <|endoftext|> sits after its 50,256 ranks.
#include "fuzz_support.h"
#include "text/tokenizer_bpe.h"
#include "text/utf8.h"

using namespace gptlab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view ranks(reinterpret_cast<const char*>(data), size);
  fuzz::refuse_only_with_sentences([&] {
    const BpeTokenizer t = BpeTokenizer::from_tiktoken(ranks, SplitPattern::gpt2, {{"<|endoftext|>", 1000}});
    const std::string text = "It is a truth universally acknowledged <|endoftext|> 123";
    const std::vector<int> ids = t.encode(text, AllowedSpecials::every());
    fuzz::require(t.decode_bytes(ids) == text, "a loaded rank file gives back the text");
    fuzz::require(t.decode(ids) == text, "valid UTF-8 decodes to itself");
  });
  return 0;
}
