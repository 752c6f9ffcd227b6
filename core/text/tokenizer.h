// What every tokenizer does: text -> token ids -> bytes -> text.
// (minbpe's base class: one concrete tokenizer per file shares this.)
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text/special_tokens.h"

namespace gptlab {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual const char* kind() const = 0;  // "char" or "bpe"
  virtual int vocab_size() const = 0;    // ids are 0 .. vocab_size() - 1
  // Token ids for a text. Special tokens written in the text count only if allowed.
  virtual std::vector<int> encode(std::string_view text, const AllowedSpecials& allowed = {}) const = 0;
  // The bytes one token stands for; a special token stands for its own text.
  // Throws TokenizerError for an id outside the vocabulary.
  virtual std::string_view token_bytes(int id) const = 0;

  const std::vector<SpecialToken>& specials() const { return specials_; }
  int special_id(std::string_view text) const;  // -1 if the tokenizer has no such special token
  bool is_special(int id) const;

  // The concatenated bytes of the tokens (exact, possibly not valid UTF-8).
  std::string decode_bytes(std::span<const int> ids) const;
  // The same as text: bytes that are not valid UTF-8 (say, half a character at
  // the end of a sample) become U+FFFD.
  std::string decode(std::span<const int> ids) const;

 protected:
  void check_id(int id) const;
  std::vector<SpecialToken> specials_;
};

}  // namespace gptlab
