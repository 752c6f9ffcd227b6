#include "text/pretokenize.h"

#include "errors.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace gptlab {
namespace {

// One character of the text: its code point, class and byte length.
struct Char {
  char32_t cp = 0;
  CharClass cls = CharClass::kOther;
  std::size_t len = 0;  // 0 past the end of the text
};

Char char_at(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return {};
  const unsigned char b = static_cast<unsigned char>(text[pos]);
  if (b < 0x80) return {b, detail::kAsciiClasses[b], 1};  // ASCII: no decoding
  Char c;
  c.cp = utf8::decode(text, pos, c.len);
  c.cls = char_class(c.cp);
  return c;
}

bool is_newline(char32_t cp) { return cp == '\r' || cp == '\n'; }

// End of the run of characters of class `cls` that starts at pos.
std::size_t run_end(std::string_view text, std::size_t pos, CharClass cls) {
  while (pos < text.size()) {
    const unsigned char b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) {  // ASCII fast path
      if (detail::kAsciiClasses[b] != cls) break;
      ++pos;
      continue;
    }
    const Char c = char_at(text, pos);
    if (c.cls != cls) break;
    pos += c.len;
  }
  return pos;
}

// Length of a contraction 's 't 're 've 'm 'll 'd at pos (0 if none). With
// ignore_case, letters match either case, and s also matches U+017F (long s),
// which Unicode case folding makes equal to s.
std::size_t contraction(std::string_view text, std::size_t pos, bool ignore_case) {
  if (text[pos] != '\'') return 0;
  const auto is = [&](std::size_t at, char lower) {
    if (at >= text.size()) return false;
    const char ch = text[at];
    return ch == lower || (ignore_case && ch == lower - 'a' + 'A');
  };
  const std::size_t p = pos + 1;
  if (is(p, 's') || is(p, 't') || is(p, 'm') || is(p, 'd')) return 2;
  if (ignore_case && text.substr(p, 2) == "\xC5\xBF") return 3;  // 'ſ
  if ((is(p, 'r') && is(p + 1, 'e')) || (is(p, 'v') && is(p + 1, 'e')) || (is(p, 'l') && is(p + 1, 'l')))
    return 3;
  return 0;
}

// `\s+(?!\S)|\s+` at a whitespace character: the whitespace run, minus its last
// character when a non-space follows (that one joins the next chunk as ` ?X+`).
std::size_t whitespace_chunk_end(std::string_view text, std::size_t pos) {
  const std::size_t end = run_end(text, pos, CharClass::kWhitespace);
  if (end == text.size()) return end;
  std::size_t last = end - 1;
  while ((static_cast<unsigned char>(text[last]) & 0xC0) == 0x80) --last;  // start of the last character
  return last > pos ? last : end;
}

}  // namespace

const char* split_pattern_name(SplitPattern p) {
  return p == SplitPattern::gpt2 ? "gpt2" : p == SplitPattern::gpt4 ? "gpt4" : "none";
}

SplitPattern parse_split_pattern(std::string_view name) {
  if (name == "none") return SplitPattern::none;
  if (name == "gpt2") return SplitPattern::gpt2;
  if (name == "gpt4") return SplitPattern::gpt4;
  throw TokenizerError("Unknown split pattern \"" + std::string(name) +
                       "\"; use \"none\", \"gpt2\" or \"gpt4\".");
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
std::size_t ChunkSplitter::gpt2_chunk_end() const {
  const std::string_view t = text_;
  const std::size_t p = pos_;
  // Most chunks are ASCII ` ?X+` (" the", ","): the class of the first byte after
  // an optional space decides the run, no decoding, no contraction to check.
  const unsigned char b0 = static_cast<unsigned char>(t[p]);
  if (b0 < 0x80 && b0 != '\'') {
    const std::size_t q = b0 == ' ' && p + 1 < t.size() ? p + 1 : p;
    const unsigned char b = static_cast<unsigned char>(t[q]);
    if (b < 0x80 && detail::kAsciiClasses[b] != CharClass::kWhitespace)
      return run_end(t, q + 1, detail::kAsciiClasses[b]);
  }
  if (std::size_t n = contraction(t, p, false)) return p + n;
  // ` ?X+` for X = letters, numbers or other: the class of the first character
  // after an optional space decides which alternative matches.
  const Char c0 = char_at(t, p);
  if (c0.cp == ' ') {
    const Char c1 = char_at(t, p + 1);
    if (c1.len && c1.cls != CharClass::kWhitespace) return run_end(t, p + 1, c1.cls);
  }
  if (c0.cls != CharClass::kWhitespace) return run_end(t, p, c0.cls);
  return whitespace_chunk_end(t, p);
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
std::size_t ChunkSplitter::gpt4_chunk_end() const {
  const std::string_view t = text_;
  const std::size_t p = pos_;
  if (std::size_t n = contraction(t, p, true)) return p + n;
  const Char c0 = char_at(t, p);
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (c0.cls == CharClass::kLetter) return run_end(t, p, CharClass::kLetter);
  const Char c1 = char_at(t, p + c0.len);
  if (c0.cls != CharClass::kNumber && !is_newline(c0.cp) && c1.cls == CharClass::kLetter && c1.len)
    return run_end(t, p + c0.len, CharClass::kLetter);
  // \p{N}{1,3}
  if (c0.cls == CharClass::kNumber) {
    std::size_t end = p;
    for (int i = 0; i < 3; ++i) {
      const Char c = char_at(t, end);
      if (c.cls != CharClass::kNumber || !c.len) break;
      end += c.len;
    }
    return end;
  }
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  const bool space_then_other = c0.cp == ' ' && c1.len && c1.cls == CharClass::kOther;
  if (c0.cls == CharClass::kOther || space_then_other) {
    std::size_t end = run_end(t, space_then_other ? p + 1 : p, CharClass::kOther);
    while (end < t.size() && is_newline(static_cast<unsigned char>(t[end]))) ++end;
    return end;
  }
  // \s*[\r\n]+ : the whitespace run up to and including its last newline
  const std::size_t end = run_end(t, p, CharClass::kWhitespace);
  for (std::size_t q = end; q > p; --q)
    if (is_newline(static_cast<unsigned char>(t[q - 1]))) return q;
  return whitespace_chunk_end(t, p);
}

bool ChunkSplitter::next(std::string_view& chunk) {
  if (pos_ >= text_.size()) return false;
  std::size_t end = text_.size();
  if (pattern_ == SplitPattern::gpt2) end = gpt2_chunk_end();
  if (pattern_ == SplitPattern::gpt4) end = gpt4_chunk_end();
  chunk = text_.substr(pos_, end - pos_);
  pos_ = end;
  return true;
}

std::vector<std::string_view> split_chunks(std::string_view text, SplitPattern pattern) {
  std::vector<std::string_view> chunks;
  ChunkSplitter splitter(text, pattern);
  for (std::string_view chunk; splitter.next(chunk);) chunks.push_back(chunk);
  return chunks;
}

}  // namespace gptlab
