// UTF-8 decoding, Unicode classes and the GPT-2 / GPT-4 chunk splitters.
// Expected chunks below were worked out by hand from the two regular expressions
// (see pretokenize.h); the Vitest suite also compares the splitters with
// JavaScript's regex engine on thousands of random strings.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "errors.h"
#include "test_support.h"
#include "text/pretokenize.h"
#include "text/unicode.h"
#include "text/utf8.h"

using namespace gptlab;
using Chunks = std::vector<std::string>;

static Chunks split(std::string_view text, SplitPattern p) {
  Chunks out;
  for (std::string_view c : split_chunks(text, p)) out.emplace_back(c);
  return out;
}

TEST_CASE("utf8 decodes valid text and replaces every invalid byte") {
  std::size_t len = 0;
  CHECK(utf8::decode("A", 0, len) == U'A');
  CHECK(len == 1);
  CHECK(utf8::decode("\xC3\xA9", 0, len) == U'é');
  CHECK(len == 2);
  CHECK(utf8::decode("\xE4\xB8\xAD", 0, len) == U'中');
  CHECK(len == 3);
  CHECK(utf8::decode("\xF0\x9F\x98\x80", 0, len) == U'😀');
  CHECK(len == 4);
  // Invalid: a lone continuation byte, an overlong '/', a surrogate, a truncated sequence, 0xFF.
  for (std::string bad : {"\x80", "\xC0\xAF", "\xED\xA0\x80", "\xE4\xB8", "\xFF"}) {
    CHECK(utf8::decode(bad, 0, len) == utf8::kReplacement);
    CHECK(len == 1);
    CHECK_FALSE(utf8::is_valid(bad));
  }
  CHECK(utf8::sanitize("a\xFF"
                       "b\xE4\xB8") ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(utf8::sanitize("héllo 中") == "héllo 中");
  CHECK(utf8::is_valid("\xEF\xBF\xBD"));  // U+FFFD itself is valid text
}

TEST_CASE("utf8 append and decode are inverse for every code point") {
  for (char32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x3000 ? 1 : 97)) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    std::string s;
    utf8::append(s, cp);
    std::size_t len = 0;
    REQUIRE(utf8::decode(s, 0, len) == cp);
    REQUIRE(len == s.size());
  }
}

TEST_CASE("Unicode classes") {
  for (char32_t cp : {U'a', U'Z', U'é', U'ß', U'中', U'ж', U'Ω', U'ſ', U'ǅ', U'ʰ'})
    CHECK(char_class(cp) == CharClass::kLetter);
  for (char32_t cp : {U'0', U'9', U'٣', U'½', U'Ⅻ', U'²'}) CHECK(char_class(cp) == CharClass::kNumber);
  for (char32_t cp : {U' ', U'\t', U'\n', U'\r', U'\u000B', U'\u00A0', U'\u2028', U'\u3000', U'\u0085'})
    CHECK(char_class(cp) == CharClass::kWhitespace);
  for (char32_t cp : {U'!', U'\'', U'😀', U'\u200D', U'\uFEFF', U'\uFFFD', U'€', U'\u0301'})
    CHECK(char_class(cp) == CharClass::kOther);
}

TEST_CASE("GPT-2 split, chunk by chunk") {
  const auto p = SplitPattern::gpt2;
  CHECK(split("", p) == Chunks{});
  CHECK(split("Hello world", p) == Chunks{"Hello", " world"});
  CHECK(split("I'm here", p) == Chunks{"I", "'m", " here"});
  CHECK(split("it's  2026!", p) == Chunks{"it", "'s", " ", " 2026", "!"});
  CHECK(split("we'll they've you're he'd", p) ==
        Chunks{"we", "'ll", " they", "'ve", " you", "'re", " he", "'d"});
  CHECK(split("I'M", p) == Chunks{"I", "'", "M"});  // GPT-2's contractions are lower case only
  CHECK(split("'s 'S", p) == Chunks{"'s", " '", "S"});
  CHECK(split("a   b", p) == Chunks{"a", "  ", " b"});
  CHECK(split("hello\n\nworld", p) == Chunks{"hello", "\n", "\n", "world"});
  CHECK(split("   ", p) == Chunks{"   "});
  CHECK(split("end  ", p) == Chunks{"end", "  "});
  CHECK(split("123abc", p) == Chunks{"123", "abc"});
  CHECK(split(" 😀😀!", p) == Chunks{" 😀😀!"});
  CHECK(split("x\xFF"
              "y",
              p) == Chunks{"x", "\xFF", "y"});  // an invalid byte is an "other" character
  CHECK(split("naïve café", p) == Chunks{"naïve", " café"});
  CHECK(split("\u3000中文", p) == Chunks{"\u3000", "中文"});  // ` ?` is only U+0020
  CHECK(split("a\u00A0\u00A0b", p) == Chunks{"a", "\u00A0", "\u00A0", "b"});
}

TEST_CASE("GPT-4 split, chunk by chunk") {
  const auto p = SplitPattern::gpt4;
  CHECK(split("Hello world", p) == Chunks{"Hello", " world"});
  CHECK(split("I'M here", p) == Chunks{"I", "'M", " here"});
  CHECK(split("WE'LL", p) == Chunks{"WE", "'LL"});
  CHECK(split("'ſ", p) == Chunks{"'ſ"});  // case folding makes ſ an s
  CHECK(split("12345", p) == Chunks{"123", "45"});
  CHECK(split("a\n\nb", p) == Chunks{"a", "\n\n", "b"});
  CHECK(split("(hello)", p) == Chunks{"(hello", ")"});
  CHECK(split("foo  \n  bar", p) == Chunks{"foo", "  \n", " ", " bar"});
  CHECK(split("!!!\n\nx", p) == Chunks{"!!!\n\n", "x"});
  CHECK(split(" !?", p) == Chunks{" !?"});
  CHECK(split("\thello", p) == Chunks{"\thello"});
  CHECK(split("\nhello", p) == Chunks{"\n", "hello"});  // a newline never joins the word
  CHECK(split("x 1", p) == Chunks{"x", " ", "1"});      // numbers take no space
  CHECK(split("   ", p) == Chunks{"   "});
}

TEST_CASE("chunks always concatenate back to the input (random bytes and text)") {
  std::mt19937 rng(7);
  for (SplitPattern p : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4}) {
    for (int i = 0; i < 300; ++i) {
      const std::string s = i % 2 ? test_support::random_bytes(rng, 64) : test_support::random_text(rng, 30);
      std::string joined;
      for (std::string_view c : split_chunks(s, p)) {
        REQUIRE(!c.empty());
        joined += c;
      }
      REQUIRE(joined == s);
    }
  }
}

TEST_CASE("split pattern names") {
  for (SplitPattern p : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4})
    CHECK(parse_split_pattern(split_pattern_name(p)) == p);
  CHECK_THROWS_WITH_AS(parse_split_pattern("gpt3"),
                       "Unknown split pattern \"gpt3\"; use \"none\", \"gpt2\" or \"gpt4\".", TokenizerError);
}
