#include "gptlab/tokenizer_bpe.h"

#include <algorithm>
#include <limits>
#include <queue>

#include "base64.h"
#include "gptlab/error.h"

namespace gptlab {
namespace {

constexpr int kNoRank = std::numeric_limits<int>::max();
constexpr std::size_t kLongChunk = 96;       // bytes; longer chunks merge with a heap
constexpr std::size_t kCachedChunk = 256;    // bytes; longer chunks are not cached
constexpr std::size_t kCacheEntries = 1 << 16;

std::string describe(int id, const std::vector<std::string>& tokens) {
  return std::to_string(id) + " (" + std::to_string(tokens[id].size()) + " bytes)";
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::vector<std::string> tokens, std::vector<Merge> merges, MergeRule rule,
                           SplitPattern split, std::vector<SpecialToken> specials)
    : tokens_(std::move(tokens)), merges_(std::move(merges)), rule_(rule), split_(split) {
  const int n = static_cast<int>(tokens_.size());
  check_specials(specials);
  for (const SpecialToken& s : specials) {
    if (s.id >= n) throw TokenizerError("The special token " + s.text + " has id " + std::to_string(s.id) +
                                        ", outside the vocabulary of " + std::to_string(n) + " tokens.");
    if (!tokens_[s.id].empty())
      throw TokenizerError("The special token " + s.text + " has id " + std::to_string(s.id) +
                           ", which is already an ordinary token.");
    tokens_[s.id] = s.text;
  }
  specials_ = std::move(specials);

  std::fill(std::begin(byte_ids_), std::end(byte_ids_), -1);
  for (int id = n - 1; id >= 0; --id)
    if (tokens_[id].size() == 1 && !is_special(id)) byte_ids_[static_cast<unsigned char>(tokens_[id][0])] = id;
  for (int b = 0; b < 256; ++b)
    if (byte_ids_[b] < 0)
      throw TokenizerError("The vocabulary has no token for the byte " + std::to_string(b) +
                           ", so some texts could not be encoded.");

  if (rule_ == MergeRule::tiktoken_ranks) {
    if (!merges_.empty()) throw TokenizerError("A tiktoken vocabulary derives its merges; it cannot also list them.");
    for (int id = 0; id < n; ++id)
      if (!is_special(id) && !tokens_[id].empty() && !whole_tokens_.emplace(tokens_[id], id).second)
        throw TokenizerError("Two tokens of the tiktoken vocabulary have the same bytes (ids " +
                             std::to_string(whole_tokens_[tokens_[id]]) + " and " + std::to_string(id) + ").");
    // Every split of every token into two tokens is a merge, ranked by the token's id.
    for (int id = 0; id < n; ++id) {
      const std::string& t = tokens_[id];
      if (is_special(id)) continue;
      for (std::size_t cut = 1; cut < t.size(); ++cut) {
        const std::string_view v = t;
        auto l = whole_tokens_.find(v.substr(0, cut)), r = whole_tokens_.find(v.substr(cut));
        if (l != whole_tokens_.end() && r != whole_tokens_.end()) merges_.push_back({l->second, r->second, id});
      }
    }
  }
  for (std::size_t i = 0; i < merges_.size(); ++i) {
    const Merge& m = merges_[i];
    const std::string where = "Merge " + std::to_string(i) + " (" + std::to_string(m.left) + " + " +
                              std::to_string(m.right) + " -> " + std::to_string(m.result) + ")";
    for (int id : {m.left, m.right, m.result}) {
      if (id < 0 || id >= n) throw TokenizerError(where + " uses an id outside the vocabulary.");
      if (is_special(id)) throw TokenizerError(where + " uses a special token, which never merges.");
    }
    if (tokens_[m.result] != tokens_[m.left] + tokens_[m.right])
      throw TokenizerError(where + " does not join the bytes of its tokens: " + describe(m.result, tokens_) +
                           " is not " + describe(m.left, tokens_) + " followed by " + describe(m.right, tokens_) + ".");
    const int rank = rule_ == MergeRule::tiktoken_ranks ? m.result : static_cast<int>(i);
    if (!pair_ranks_.find(m.left, m.right)) pair_ranks_.set(m.left, m.right, {rank, m.result});
  }
}

std::string_view BpeTokenizer::token_bytes(int id) const {
  check_id(id);
  if (tokens_[id].empty()) throw TokenizerError("The token id " + std::to_string(id) + " is not used by this vocabulary.");
  return tokens_[id];
}

std::vector<int> BpeTokenizer::encode(std::string_view text, const AllowedSpecials& allowed) const {
  std::vector<int> ids;
  ids.reserve(text.size() / 3);
  for (const TextPiece& piece : split_at_specials(text, specials_, allowed)) {
    if (piece.special_id >= 0) {
      ids.push_back(piece.special_id);
      continue;
    }
    ChunkSplitter splitter(piece.text, split_);
    for (std::string_view chunk; splitter.next(chunk);) encode_chunk(chunk, ids);
  }
  return ids;
}

void BpeTokenizer::encode_chunk(std::string_view chunk, std::vector<int>& out) const {
  if (chunk.size() == 1) return out.push_back(byte_ids_[static_cast<unsigned char>(chunk[0])]);
  if (rule_ == MergeRule::tiktoken_ranks) {
    if (auto it = whole_tokens_.find(chunk); it != whole_tokens_.end()) return out.push_back(it->second);
  }
  const bool cacheable = chunk.size() <= kCachedChunk;
  if (cacheable) {
    if (auto it = cache_.find(chunk); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int> parts(chunk.size());
  for (std::size_t i = 0; i < chunk.size(); ++i) parts[i] = byte_ids_[static_cast<unsigned char>(chunk[i])];
  if (parts.size() <= kLongChunk) merge_parts(parts);
  else merge_parts_long(parts);
  out.insert(out.end(), parts.begin(), parts.end());
  if (cacheable) {
    if (cache_.size() >= kCacheEntries) cache_.clear();
    cache_.emplace(std::string(chunk), std::move(parts));
  }
}

// Short chunks: rescan the pair ranks after every merge (as tiktoken does).
//   ranks[i] = rank of (parts[i], parts[i + 1]); merge the lowest, leftmost first.
void BpeTokenizer::merge_parts(std::vector<int>& parts) const {
  auto rank_of = [&](std::size_t i) {
    const Ranked* r = pair_ranks_.find(parts[i], parts[i + 1]);
    return r ? r->rank : kNoRank;
  };
  std::vector<int> ranks(parts.size() - 1);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) ranks[i] = rank_of(i);
  while (!ranks.empty()) {
    const auto best = std::min_element(ranks.begin(), ranks.end());
    if (*best == kNoRank) break;
    const std::size_t i = static_cast<std::size_t>(best - ranks.begin());
    parts[i] = pair_ranks_.find(parts[i], parts[i + 1])->result;
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    ranks.erase(ranks.begin() + static_cast<std::ptrdiff_t>(i));
    if (i + 1 < parts.size()) ranks[i] = rank_of(i);
    if (i > 0) ranks[i - 1] = rank_of(i - 1);
  }
}

// Long chunks (a page of digits, a run of spaces): the same merges in O(n log n),
// with the parts in a linked list and candidate pairs in a min-heap ordered by
// (rank, position). A popped candidate whose parts have changed since is stale.
void BpeTokenizer::merge_parts_long(std::vector<int>& parts) const {
  const int n = static_cast<int>(parts.size());
  std::vector<int> next(n), prev(n);
  for (int i = 0; i < n; ++i) next[i] = i + 1, prev[i] = i - 1;
  next[n - 1] = -1;
  struct Candidate {
    int rank, pos, left, right;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](int pos) {
    if (pos < 0 || next[pos] < 0) return;
    if (const Ranked* r = pair_ranks_.find(parts[pos], parts[next[pos]])) heap.push({r->rank, pos, parts[pos], parts[next[pos]]});
  };
  for (int i = 0; i + 1 < n; ++i) consider(i);
  std::vector<bool> alive(n, true);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    const int j = next[c.pos];
    if (!alive[c.pos] || j < 0 || parts[c.pos] != c.left || parts[j] != c.right) continue;
    parts[c.pos] = pair_ranks_.find(c.left, c.right)->result;
    alive[j] = false;
    next[c.pos] = next[j];
    if (next[j] >= 0) prev[next[j]] = c.pos;
    consider(prev[c.pos]);
    consider(c.pos);
  }
  int w = 0;
  for (int i = 0; i >= 0; i = next[i]) parts[w++] = parts[i];
  parts.resize(w);
}

BpeTokenizer BpeTokenizer::from_tiktoken(std::string_view file, SplitPattern split, std::vector<SpecialToken> specials) {
  std::vector<std::string> tokens;
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos < file.size();) {
    std::size_t end = file.find('\n', pos);
    if (end == std::string_view::npos) end = file.size();
    std::string_view line = file.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::string where = "Line " + std::to_string(line_no) + " of the tiktoken file";
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) throw TokenizerError(where + " is not \"<base64 bytes> <rank>\".");
    const auto bytes = base64::decode(line.substr(0, space));
    if (!bytes || bytes->empty()) throw TokenizerError(where + " does not start with base64 token bytes.");
    long long rank = -1;
    const std::string_view digits = line.substr(space + 1);
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos)
      throw TokenizerError(where + " does not end with a rank (a whole number below 10^9).");
    rank = std::stoll(std::string(digits));
    if (rank >= static_cast<long long>(tokens.size())) tokens.resize(static_cast<std::size_t>(rank) + 1);
    if (!tokens[rank].empty()) throw TokenizerError(where + " repeats the rank " + std::to_string(rank) + ".");
    tokens[rank] = *bytes;
  }
  if (tokens.empty()) throw TokenizerError("The tiktoken file holds no tokens.");
  for (const SpecialToken& s : specials)
    if (s.id >= static_cast<int>(tokens.size())) tokens.resize(static_cast<std::size_t>(s.id) + 1);
  return BpeTokenizer(std::move(tokens), {}, MergeRule::tiktoken_ranks, split, std::move(specials));
}

}  // namespace gptlab
