// UTF-8: text is stored as bytes; characters are Unicode code points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gptlab::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;  // U+FFFD, shown for bytes that are not valid UTF-8

// Decodes the code point that starts at text[pos] and sets `length` to its byte
// count (1-4). A byte that does not start a valid, shortest-form sequence decodes
// to kReplacement with length 1, so every byte string can be walked to its end.
char32_t decode(std::string_view text, std::size_t pos, std::size_t& length);

// Appends the UTF-8 form of a code point (kReplacement for surrogates or > U+10FFFF).
void append(std::string& out, char32_t cp);

// The text with every invalid byte replaced by U+FFFD (a no-op copy for valid UTF-8).
std::string sanitize(std::string_view bytes);

bool is_valid(std::string_view bytes);

// "U+00E9" — for error messages.
std::string code_point_name(char32_t cp);

}  // namespace gptlab::utf8
