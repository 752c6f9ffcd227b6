// Character tokenizer: one token per Unicode code point seen in the corpus.
//
// Ids: the special tokens first (0 .. S-1, in the order given), then the
// corpus's distinct code points sorted by value. A character that is not in the
// vocabulary becomes <unk> if the tokenizer has one, else encoding fails with a
// sentence that names it. Bytes that are not valid UTF-8 read as U+FFFD.
#pragma once

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/tokenizer.h"

namespace gptlab {

class CharTokenizer : public Tokenizer {
 public:
  // Throws TokenizerError for an empty corpus or invalid special tokens.
  static CharTokenizer train(std::string_view corpus, const std::vector<std::string>& special_texts = {});
  // From a saved vocabulary: specials must use ids 0 .. S-1; chars must be distinct.
  CharTokenizer(std::vector<char32_t> chars, std::vector<SpecialToken> specials);

  const char* kind() const override { return "char"; }
  int vocab_size() const override { return static_cast<int>(specials_.size() + chars_.size()); }
  std::vector<int> encode(std::string_view text, const AllowedSpecials& allowed = {}) const override;
  std::string_view token_bytes(int id) const override;

  const std::vector<char32_t>& chars() const { return chars_; }

 private:
  int id_of(char32_t cp, std::size_t byte_pos) const;

  std::vector<char32_t> chars_;
  std::vector<std::string> char_utf8_;     // token_bytes of each char
  std::unordered_map<char32_t, int> ids_;  // code point -> id
  std::array<int, 128> ascii_ids_;         // fast path, -1 where absent
  int unk_id_ = -1;
};

}  // namespace gptlab
