// Byte-level BPE (byte pair encoding), with optional GPT-2 / GPT-4 pre-splitting.
//
// Every text is bytes; every byte is a token. Training repeatedly merges the most
// frequent adjacent pair of tokens into a new token. Encoding cuts the text at
// allowed special tokens, then into chunks (pretokenize.h), then merges the bytes
// of each chunk: among adjacent pairs that form a token, the pair with the lowest
// merge rank first, the leftmost on ties; until no pair merges.
//
// Ids of a trained tokenizer (the seed's layout): bytes 0-255, then the special
// tokens (256.. in the order given), then merges in the order they were learned.
// A pretrained GPT-2 vocabulary keeps OpenAI's ids (ranks).
#pragma once

#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "text/chunk_cache.h"
#include "text/pair_ranks.h"
#include "text/pretokenize.h"
#include "text/tokenizer.h"

namespace gptlab {

struct Merge {
  int left, right;  // the pair of tokens ...
  int result;       // ... and the token they become
};

// How merges are ranked.
enum class MergeRule {
  // As trained (and as Hugging Face applies merges): the merge list's order.
  learned_order,
  // As tiktoken applies OpenAI's ranks: a chunk that is itself a token is that
  // token; otherwise any two adjacent parts whose bytes form a token merge,
  // lower token id first. The merge list holds every such split of every token.
  tiktoken_ranks,
};

struct BpeTrainOptions {
  int vocab_size = 512;
  SplitPattern split = SplitPattern::gpt2;
  std::vector<std::string> specials;  // e.g. the five of kStandardSpecials
  // Called after every merge with (merges done, merges wanted).
  std::function<void(int, int)> progress;
};

class BpeTokenizer : public Tokenizer {
 public:
  // The merges learned from a corpus. If the corpus runs out of pairs that occur
  // at least twice, training stops early and stopped_early says so in a sentence.
  struct Trained;
  static Trained train(std::string_view corpus, const BpeTrainOptions& options);

  // OpenAI's tiktoken format ("<base64 token bytes> <rank>" per line), plus special tokens.
  static BpeTokenizer from_tiktoken(std::string_view ranks_file, SplitPattern split,
                                    std::vector<SpecialToken> specials);

  // From parts (what the file formats store). `tokens[id]` is the bytes of every
  // id that is not special (empty for special ids). Checks that the pieces are
  // consistent and throws TokenizerError with the first problem found.
  BpeTokenizer(std::vector<std::string> tokens, std::vector<Merge> merges, MergeRule rule, SplitPattern split,
               std::vector<SpecialToken> specials);

  const char* kind() const override { return "bpe"; }
  int vocab_size() const override { return static_cast<int>(tokens_.size()); }
  std::vector<int> encode(std::string_view text, const AllowedSpecials& allowed = {}) const override;
  std::string_view token_bytes(int id) const override;

  // Encodes one chunk (no splitting, no special tokens), appending its ids.
  void encode_chunk(std::string_view chunk, std::vector<int>& out) const;

  // The same tokenizer after only its first k merges (0 <= k <= merges().size()):
  // what the text looked like at that point of training. Learned-order BPE only.
  BpeTokenizer with_first_merges(int k) const;

  SplitPattern split() const { return split_; }
  MergeRule merge_rule() const { return rule_; }
  // In rank order (tiktoken_ranks: derived from the tokens, ordered by result id).
  const std::vector<Merge>& merges() const { return merges_; }
  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  void encode_ordinary(std::string_view text, std::vector<int>& out) const;
  std::size_t merge_parts(std::string_view chunk, std::span<int> parts) const;
  std::size_t merge_parts_long(std::span<int> parts) const;
  // The token a merge of this rank makes.
  int result_of(int rank) const { return rule_ == MergeRule::tiktoken_ranks ? rank : merges_[rank].result; }

  std::vector<std::string> tokens_;  // id -> bytes (special ids: their text)
  std::vector<Merge> merges_;
  MergeRule rule_;
  SplitPattern split_;
  int byte_ids_[256];
  PairRanks pair_ranks_;              // (left, right) -> rank
  std::vector<int> byte_pair_ranks_;  // (first byte << 8 | second byte) -> rank of their merge
  // tiktoken_ranks: token bytes -> id (every token, however long).
  ChunkCache token_ids_{std::numeric_limits<std::size_t>::max()};
  // Encoded chunks (text repeats its words), starting empty. Filled during encode: not thread-safe.
  mutable ChunkCache cache_;
};

struct BpeTokenizer::Trained {
  BpeTokenizer tokenizer;
  int merges_done;
  std::optional<std::string> stopped_early;
};

}  // namespace gptlab
