// Special tokens: ids with a meaning of their own (<pad> pads a batch, <mask>
// hides a token from a masked LM, ...). Written in a text, "<eos>" is plain text
// unless the caller allows that special token; then it becomes one token that
// is never merged with anything.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace gptlab {

// The lab's five, in their id order.
inline constexpr std::array<std::string_view, 5> kStandardSpecials = {"<pad>", "<unk>", "<bos>", "<eos>",
                                                                      "<mask>"};

struct SpecialToken {
  std::string text;
  int id;
  bool operator==(const SpecialToken&) const = default;
};

// Which special tokens written in a text are read as special tokens.
struct AllowedSpecials {
  bool all = false;
  std::vector<std::string> names;
  bool allows(std::string_view text) const;
  static AllowedSpecials none() { return {}; }
  static AllowedSpecials every() { return {true, {}}; }
};

// A piece of text to encode: either plain text or one special token.
struct TextPiece {
  std::string_view text;
  int special_id = -1;  // >= 0 for a special token
};

// Cuts text at the allowed special tokens (leftmost first, longest on ties).
std::vector<TextPiece> split_at_specials(std::string_view text, const std::vector<SpecialToken>& specials,
                                         const AllowedSpecials& allowed);

// Checks a list of special tokens: non-empty, distinct texts and ids. Throws TokenizerError.
void check_specials(const std::vector<SpecialToken>& specials);

}  // namespace gptlab
