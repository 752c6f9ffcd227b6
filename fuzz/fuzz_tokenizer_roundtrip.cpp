// Arbitrary bytes through every tokenizer kind: encode never fails for byte-level BPE
// (every byte is a token) and decode_bytes gives back the exact bytes; the character
// tokenizer encodes (<unk> for unseen characters), or, without <unk>, may say which
// character it lacks; decode gives valid UTF-8 for any ids, even ids whose bytes are
// not (U+FFFD stands in); the pre-tokenizer's chunks always concatenate to the text.
// Input: byte 0 picks the tokenizer, byte 1 whether special tokens in the text count.
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "text/pretokenize.h"
#include "text/special_tokens.h"
#include "text/tokenizer_bpe.h"
#include "text/tokenizer_char.h"
#include "text/utf8.h"

using namespace gptlab;

namespace {

const std::string kCorpus =
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in "
    "want of a wife.\n\n  Ünïcödé: 日本語のテキスト — emoji 👩‍👩‍👧 and\ttabs, numbers 12345 "
    "and 'quotes' it's we'll.\r\n";

std::vector<std::unique_ptr<Tokenizer>> make_tokenizers() {
  const std::vector<std::string> specials(kStandardSpecials.begin(), kStandardSpecials.end());
  std::vector<std::unique_ptr<Tokenizer>> all;
  all.push_back(std::make_unique<CharTokenizer>(CharTokenizer::train(kCorpus, specials)));
  all.push_back(std::make_unique<CharTokenizer>(
      CharTokenizer::train(kCorpus, {})));  // no <unk>: unseen chars are errors
  for (SplitPattern split : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4})
    all.push_back(
        std::make_unique<BpeTokenizer>(BpeTokenizer::train(kCorpus, {320, split, specials, {}}).tokenizer));
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto tokenizers = make_tokenizers();
  if (size < 2) return 0;
  const Tokenizer& t = *tokenizers[data[0] % tokenizers.size()];
  const AllowedSpecials allowed = data[1] & 1 ? AllowedSpecials::every() : AllowedSpecials::none();
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  for (SplitPattern split : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4}) {
    std::string joined;
    for (std::string_view chunk : split_chunks(text, split)) joined += chunk;
    fuzz::require(joined == text, "the chunks of a text concatenate to the text");
  }
  // Arbitrary ids (two input bytes each, modulo the vocabulary): decode still gives valid UTF-8.
  std::vector<int> arbitrary;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    arbitrary.push_back((static_cast<unsigned char>(text[i]) | static_cast<unsigned char>(text[i + 1]) << 8) %
                        t.vocab_size());
  fuzz::require(utf8::is_valid(t.decode(arbitrary)), "decode of any ids is valid UTF-8");

  const bool may_refuse = std::string_view(t.kind()) == "char" && t.special_id("<unk>") < 0;
  std::vector<int> ids;
  try {
    ids = t.encode(text, allowed);
  } catch (const Error& e) {
    fuzz::require(may_refuse && *e.what() != '\0',
                  "only a character tokenizer without <unk> refuses a text, with a sentence");
    return 0;
  }
  for (int id : ids) fuzz::require(id >= 0 && id < t.vocab_size(), "every id is in the vocabulary");
  const std::string bytes = t.decode_bytes(ids), decoded = t.decode(ids);
  if (std::string_view(t.kind()) == "bpe")
    fuzz::require(bytes == text, "byte-level BPE gives back the exact bytes");
  fuzz::require(utf8::is_valid(decoded), "decode gives valid UTF-8");
  fuzz::require(!utf8::is_valid(bytes) || decoded == bytes, "decode leaves valid UTF-8 as it is");
  return 0;
}
