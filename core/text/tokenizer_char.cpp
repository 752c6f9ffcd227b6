#include "text/tokenizer_char.h"

#include <algorithm>
#include <set>

#include "errors.h"
#include "text/utf8.h"

namespace gptlab {

CharTokenizer CharTokenizer::train(std::string_view corpus, const std::vector<std::string>& special_texts) {
  if (corpus.empty())
    throw TokenizerError("The corpus is empty; a character vocabulary needs at least one character.");
  std::set<char32_t> seen;
  for (std::size_t pos = 0, len; pos < corpus.size(); pos += len) seen.insert(utf8::decode(corpus, pos, len));
  std::vector<SpecialToken> specials;
  for (const std::string& text : special_texts) specials.push_back({text, static_cast<int>(specials.size())});
  return CharTokenizer({seen.begin(), seen.end()}, std::move(specials));
}

CharTokenizer::CharTokenizer(std::vector<char32_t> chars, std::vector<SpecialToken> specials)
    : chars_(std::move(chars)) {
  check_specials(specials);
  for (const SpecialToken& s : specials)
    if (s.id >= static_cast<int>(specials.size()))
      throw TokenizerError("A character tokenizer numbers its special tokens 0 to " +
                           std::to_string(specials.size() - 1) + ", but " + s.text + " has id " +
                           std::to_string(s.id) + ".");
  specials_ = std::move(specials);
  std::sort(specials_.begin(), specials_.end(), [](auto& a, auto& b) { return a.id < b.id; });
  ascii_ids_.fill(-1);
  const int first = static_cast<int>(specials_.size());
  for (std::size_t i = 0; i < chars_.size(); ++i) {
    const char32_t cp = chars_[i];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      throw TokenizerError("The vocabulary holds " + utf8::code_point_name(cp) +
                           ", which is not a Unicode character.");
    if (!ids_.emplace(cp, first + static_cast<int>(i)).second)
      throw TokenizerError("The character " + utf8::code_point_name(cp) +
                           " appears twice in the vocabulary.");
    if (cp < 128) ascii_ids_[cp] = first + static_cast<int>(i);
    utf8::append(char_utf8_.emplace_back(), cp);
  }
  unk_id_ = special_id("<unk>");
}

int CharTokenizer::id_of(char32_t cp, std::size_t byte_pos) const {
  if (cp < 128 && ascii_ids_[cp] >= 0) return ascii_ids_[cp];
  if (auto it = ids_.find(cp); it != ids_.end()) return it->second;
  if (unk_id_ >= 0) return unk_id_;
  std::string shown;
  utf8::append(shown, cp);
  throw TokenizerError("The character '" + shown + "' (" + utf8::code_point_name(cp) + ") at byte " +
                       std::to_string(byte_pos) +
                       " is not in the vocabulary, and the tokenizer has no <unk> token to stand for it.");
}

std::vector<int> CharTokenizer::encode(std::string_view text, const AllowedSpecials& allowed) const {
  std::vector<int> ids;
  ids.reserve(text.size());
  for (const TextPiece& piece : split_at_specials(text, specials_, allowed)) {
    if (piece.special_id >= 0) {
      ids.push_back(piece.special_id);
      continue;
    }
    const std::size_t offset = static_cast<std::size_t>(piece.text.data() - text.data());
    for (std::size_t pos = 0, len; pos < piece.text.size(); pos += len)
      ids.push_back(id_of(utf8::decode(piece.text, pos, len), offset + pos));
  }
  return ids;
}

std::string_view CharTokenizer::token_bytes(int id) const {
  check_id(id);
  const int first = static_cast<int>(specials_.size());
  return id < first ? std::string_view(specials_[id].text) : std::string_view(char_utf8_[id - first]);
}

}  // namespace gptlab
