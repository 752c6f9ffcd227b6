// The Unicode character classes the GPT-2 and GPT-4 split patterns use:
// \p{L} (letters), \p{N} (numbers) and \s (White_Space). Tables are generated
// from the Unicode Character Database by tools/gen-unicode-tables.mjs.
#pragma once

#include <cstdint>

namespace gptlab {

enum class CharClass : std::uint8_t { kOther, kLetter, kNumber, kWhitespace };

CharClass char_class(char32_t cp);

}  // namespace gptlab
