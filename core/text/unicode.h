// The Unicode character classes the GPT-2 and GPT-4 split patterns use:
// \p{L} (letters), \p{N} (numbers) and \s (White_Space). Tables are generated
// from the Unicode Character Database by tools/gen-unicode-tables.mjs.
#pragma once

#include <array>
#include <cstdint>

namespace gptlab {

enum class CharClass : std::uint8_t { kOther, kLetter, kNumber, kWhitespace };

namespace detail {
extern const std::array<CharClass, 128> kAsciiClasses;
CharClass char_class_from_table(char32_t cp);
}  // namespace detail

// ASCII (most text) is one table lookup; the rest a binary search over ranges.
inline CharClass char_class(char32_t cp) {
  return cp < 128 ? detail::kAsciiClasses[cp] : detail::char_class_from_table(cp);
}

}  // namespace gptlab
