#include "text/tokenizer.h"

#include "errors.h"
#include "text/utf8.h"

namespace gptlab {

int Tokenizer::special_id(std::string_view text) const {
  for (const SpecialToken& s : specials_)
    if (s.text == text) return s.id;
  return -1;
}

bool Tokenizer::is_special(int id) const {
  for (const SpecialToken& s : specials_)
    if (s.id == id) return true;
  return false;
}

void Tokenizer::check_id(int id) const {
  if (id < 0 || id >= vocab_size())
    throw TokenizerError("The token id " + std::to_string(id) + " is outside the vocabulary (0 to " +
                         std::to_string(vocab_size() - 1) + ").");
}

std::string Tokenizer::decode_bytes(std::span<const int> ids) const {
  std::string out;
  for (int id : ids) out += token_bytes(id);
  return out;
}

std::string Tokenizer::decode(std::span<const int> ids) const { return utf8::sanitize(decode_bytes(ids)); }

}  // namespace gptlab
