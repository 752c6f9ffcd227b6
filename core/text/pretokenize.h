// Pre-tokenization: cutting text into chunks before BPE, so that merges never
// cross a chunk boundary (a word never merges with the space or punctuation
// after it). Hand-written equivalents of the two regular expressions OpenAI uses:
//
// GPT-2 (r50k):
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// GPT-4 (cl100k, as tiktoken ships it):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// \p{L} letters, \p{N} numbers, \s Unicode White_Space (see unicode.h). Bytes
// that are not valid UTF-8 count as one "other" character each, so any byte
// string splits, and the chunks always concatenate back to the input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gptlab {

enum class SplitPattern { none, gpt2, gpt4 };

// "none", "gpt2", "gpt4" and back; parse throws TokenizerError for anything else.
const char* split_pattern_name(SplitPattern p);
SplitPattern parse_split_pattern(std::string_view name);

// Walks the chunks of a text without allocating:
//   ChunkSplitter s(text, SplitPattern::gpt2);
//   for (std::string_view chunk; s.next(chunk);) ...
class ChunkSplitter {
 public:
  ChunkSplitter(std::string_view text, SplitPattern pattern) : text_(text), pattern_(pattern) {}
  bool next(std::string_view& chunk);

 private:
  std::size_t gpt2_chunk_end() const;
  std::size_t gpt4_chunk_end() const;
  std::string_view text_;
  SplitPattern pattern_;
  std::size_t pos_ = 0;
};

std::vector<std::string_view> split_chunks(std::string_view text, SplitPattern pattern);

}  // namespace gptlab
