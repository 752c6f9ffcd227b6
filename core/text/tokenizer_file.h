// Saving and loading tokenizers.
//
// gptlab's own format is JSON, versioned, and round-trips every tokenizer
// exactly (ids, special tokens, merges, split pattern):
//   {"format": "gptlab-tokenizer", "version": 1, "kind": "char" | "bpe", ...}
// char: "specials": [{"text", "id"}], "chars": ["a", "b", ...] (ids after the specials)
// bpe:  "split", "merge_rule", "specials", "tokens": [base64 bytes, or null for a
//       special or unused id], "merges": [[left, right, result], ...] (learned_order only)
//
// Hugging Face tokenizer.json (byte-level BPE only): the model as "BPE" with the
// GPT-2 byte-to-character mapping, a ByteLevel pre-tokenizer (with the split
// pattern as a Split regex for gpt4), special tokens as added tokens.
//
// Every loader throws TokenizerError with a sentence for corrupt, truncated or
// unsupported files.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "text/tokenizer.h"
#include "text/tokenizer_bpe.h"

namespace gptlab {

inline constexpr int kTokenizerFormatVersion = 1;

std::string save_tokenizer(const Tokenizer& tokenizer);
std::unique_ptr<Tokenizer> load_tokenizer(std::string_view json);

std::string export_hf_tokenizer(const BpeTokenizer& tokenizer);
BpeTokenizer import_hf_tokenizer(std::string_view json);

}  // namespace gptlab
