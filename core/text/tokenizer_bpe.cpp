#include "text/tokenizer_bpe.h"

#include <algorithm>
#include <queue>

#include "errors.h"
#include "text/base64.h"

namespace gptlab {
namespace {

constexpr int kNoRank = PairRanks::kNone;
constexpr std::size_t kLongChunk = 96;     // bytes; longer chunks merge with a heap
constexpr std::size_t kCachedChunk = 256;  // bytes; longer chunks are not cached

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
    if (s.id >= n)
      throw TokenizerError("The special token " + s.text + " has id " + std::to_string(s.id) +
                           ", outside the vocabulary of " + std::to_string(n) + " tokens.");
    if (!tokens_[s.id].empty())
      throw TokenizerError("The special token " + s.text + " has id " + std::to_string(s.id) +
                           ", which is already an ordinary token.");
    tokens_[s.id] = s.text;
  }
  specials_ = std::move(specials);

  std::fill(std::begin(byte_ids_), std::end(byte_ids_), -1);
  for (int id = n - 1; id >= 0; --id)
    if (tokens_[id].size() == 1 && !is_special(id))
      byte_ids_[static_cast<unsigned char>(tokens_[id][0])] = id;
  for (int b = 0; b < 256; ++b)
    if (byte_ids_[b] < 0)
      throw TokenizerError("The vocabulary has no token for the byte " + std::to_string(b) +
                           ", so some texts could not be encoded.");

  if (rule_ == MergeRule::tiktoken_ranks) {
    if (!merges_.empty())
      throw TokenizerError("A tiktoken vocabulary derives its merges; it cannot also list them.");
    for (int id = 0; id < n; ++id) {
      const std::string& t = tokens_[id];
      if (is_special(id) || t.empty()) continue;
      if (t.size() > ChunkCache::kMaxChunk)
        throw TokenizerError("The token " + describe(id, tokens_) + " is longer than the " +
                             std::to_string(ChunkCache::kMaxChunk) + " bytes a token may have.");
      if (!token_ids_.insert(t, std::span<const int>(&id, 1)))
        throw TokenizerError("Two tokens of the tiktoken vocabulary have the same bytes (ids " +
                             std::to_string(token_ids_.find(t)[0]) + " and " + std::to_string(id) + ").");
    }
    // Every split of every token into two tokens is a merge, ranked by the token's id.
    for (int id = 0; id < n; ++id) {
      const std::string_view t = tokens_[id];
      if (is_special(id)) continue;
      for (std::size_t cut = 1; cut < t.size(); ++cut) {
        const std::span<const int> l = token_ids_.find(t.substr(0, cut)), r = token_ids_.find(t.substr(cut));
        if (!l.empty() && !r.empty()) merges_.push_back({l[0], r[0], id});
      }
    }
  }
  if (n > PairRanks::kMaxId + 1 || merges_.size() > static_cast<std::size_t>(PairRanks::kMaxRank) + 1)
    throw TokenizerError("A BPE vocabulary may have at most " + std::to_string(PairRanks::kMaxId + 1) +
                         " tokens and " + std::to_string(PairRanks::kMaxRank + 1) + " merges.");
  pair_ranks_.reserve(merges_.size());
  byte_pair_ranks_.assign(256 * 256, kNoRank);
  // The byte of a token that encoding starts from (the ids of byte_ids_), or -1.
  auto byte_of = [&](int id) {
    const int b = tokens_[id].size() == 1 ? static_cast<unsigned char>(tokens_[id][0]) : -1;
    return b >= 0 && byte_ids_[b] == id ? b : -1;
  };
  for (std::size_t i = 0; i < merges_.size(); ++i) {
    const Merge& m = merges_[i];
    // The message is built only for a merge that fails (building it for each of some 100,000
    // merges was most of the loading time under WASM).
    auto where = [&] {
      return "Merge " + std::to_string(i) + " (" + std::to_string(m.left) + " + " + std::to_string(m.right) +
             " -> " + std::to_string(m.result) + ")";
    };
    for (int id : {m.left, m.right, m.result}) {
      if (id < 0 || id >= n) throw TokenizerError(where() + " uses an id outside the vocabulary.");
      if (is_special(id)) throw TokenizerError(where() + " uses a special token, which never merges.");
    }
    const std::string_view joined = tokens_[m.result], left = tokens_[m.left], right = tokens_[m.right];
    if (joined.size() != left.size() + right.size() || !joined.starts_with(left) || !joined.ends_with(right))
      throw TokenizerError(
          where() + " does not join the bytes of its tokens: " + describe(m.result, tokens_) + " is not " +
          describe(m.left, tokens_) + " followed by " + describe(m.right, tokens_) + ".");
    const int rank = rule_ == MergeRule::tiktoken_ranks ? m.result : static_cast<int>(i);
    pair_ranks_.add(m.left, m.right, rank);  // the first rank of a pair stays
    if (const int a = byte_of(m.left), b = byte_of(m.right); a >= 0 && b >= 0) {
      int& r = byte_pair_ranks_[a << 8 | b];
      if (r == kNoRank) r = rank;
    }
  }
}

std::string_view BpeTokenizer::token_bytes(int id) const {
  check_id(id);
  if (tokens_[id].empty())
    throw TokenizerError("The token id " + std::to_string(id) + " is not used by this vocabulary.");
  return tokens_[id];
}

std::vector<int> BpeTokenizer::encode(std::string_view text, const AllowedSpecials& allowed) const {
  std::vector<int> ids;
  ids.reserve(text.size() / 3);
  for (const TextPiece& piece : split_at_specials(text, specials_, allowed)) {
    if (piece.special_id >= 0)
      ids.push_back(piece.special_id);
    else
      encode_ordinary(piece.text, ids);
  }
  return ids;
}

// The per-chunk loop lives in a function of its own with no objects to destroy:
// under WASM's JavaScript-based exceptions, every call made where a destructor
// would have to run on unwinding goes through a JavaScript trampoline, which made
// encoding several times slower. noinline: inlined into encode() (which owns the
// id vector) its two calls per chunk went through those trampolines again.
[[gnu::noinline]] void BpeTokenizer::encode_ordinary(std::string_view text, std::vector<int>& out) const {
  ChunkSplitter splitter(text, split_);
  for (std::string_view chunk; splitter.next(chunk);) encode_chunk(chunk, out);
}

void BpeTokenizer::encode_chunk(std::string_view chunk, std::vector<int>& out) const {
  if (chunk.size() == 1) return out.push_back(byte_ids_[static_cast<unsigned char>(chunk[0])]);
  const bool cacheable = chunk.size() <= kCachedChunk;
  if (cacheable && cache_.append(chunk, out)) return;
  if (rule_ == MergeRule::tiktoken_ranks) {  // a chunk that is a token is that token
    if (const std::span<const int> id = token_ids_.find(chunk); !id.empty()) {
      out.push_back(id[0]);
      if (cacheable) cache_.insert(chunk, id);
      return;
    }
  }
  const std::size_t first = out.size();
  for (unsigned char b : chunk) out.push_back(byte_ids_[b]);
  const std::span<int> parts(out.data() + first, chunk.size());
  const std::size_t n = chunk.size() <= kLongChunk ? merge_parts(chunk, parts) : merge_parts_long(parts);
  out.resize(first + n);
  if (cacheable) cache_.insert(chunk, std::span<const int>(out.data() + first, n));
}

// Short chunks: rescan the pair ranks after every merge (as tiktoken does).
//   ranks[i] = rank of (parts[i], parts[i + 1]); merge the lowest, leftmost first.
// The parts start as the chunk's bytes, so the first ranks come from the byte-pair
// table; the rank of a merge also names its result (result_of), so each merge
// hashes only its two new neighbour pairs.
// Merges in place; returns how many parts are left.
std::size_t BpeTokenizer::merge_parts(std::string_view chunk, std::span<int> parts) const {
  std::size_t n = parts.size();
  auto rank_of = [&](std::size_t i) { return pair_ranks_.find(parts[i], parts[i + 1]); };
  int ranks[kLongChunk];
  for (std::size_t i = 0; i + 1 < n; ++i)
    ranks[i] = byte_pair_ranks_[static_cast<unsigned char>(chunk[i]) << 8 |
                                static_cast<unsigned char>(chunk[i + 1])];
  while (n > 1) {
    const std::size_t i = static_cast<std::size_t>(std::min_element(ranks, ranks + n - 1) - ranks);
    if (ranks[i] == kNoRank) break;
    parts[i] = result_of(ranks[i]);
    std::copy(parts.begin() + i + 2, parts.begin() + n, parts.begin() + i + 1);
    std::copy(ranks + i + 1, ranks + n - 1, ranks + i);
    --n;
    if (i + 1 < n) ranks[i] = rank_of(i);
    if (i > 0) ranks[i - 1] = rank_of(i - 1);
  }
  return n;
}

// Long chunks (a page of digits, a run of spaces): the same merges in O(n log n),
// with the parts in a linked list and candidate pairs in a min-heap ordered by
// (rank, position). A popped candidate whose parts have changed since is stale.
std::size_t BpeTokenizer::merge_parts_long(std::span<int> parts) const {
  const int n = static_cast<int>(parts.size());
  std::vector<int> next(n), prev(n);
  for (int i = 0; i < n; ++i) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  next[n - 1] = -1;
  struct Candidate {
    int rank, pos, left, right;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](int pos) {
    if (pos < 0 || next[pos] < 0) return;
    if (const int rank = pair_ranks_.find(parts[pos], parts[next[pos]]); rank != kNoRank)
      heap.push({rank, pos, parts[pos], parts[next[pos]]});
  };
  for (int i = 0; i + 1 < n; ++i) consider(i);
  std::vector<bool> alive(n, true);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    const int j = next[c.pos];
    if (!alive[c.pos] || j < 0 || parts[c.pos] != c.left || parts[j] != c.right) continue;
    parts[c.pos] = result_of(c.rank);
    alive[j] = false;
    next[c.pos] = next[j];
    if (next[j] >= 0) prev[next[j]] = c.pos;
    consider(prev[c.pos]);
    consider(c.pos);
  }
  std::size_t w = 0;
  for (int i = 0; i >= 0; i = next[i]) parts[w++] = parts[i];
  return w;
}

// How far a rank or a special token's id may run ahead of the tokens read so far.
constexpr long long kRankSlack = 1024;

BpeTokenizer BpeTokenizer::from_tiktoken(std::string_view file, SplitPattern split,
                                         std::vector<SpecialToken> specials) {
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
    // The message's start, built only on an error.
    auto where = [&] { return "Line " + std::to_string(line_no) + " of the tiktoken file"; };
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) throw TokenizerError(where() + " is not \"<base64 bytes> <rank>\".");
    auto bytes = base64::decode(line.substr(0, space));
    if (!bytes || bytes->empty()) throw TokenizerError(where() + " does not start with base64 token bytes.");
    const std::string_view digits = line.substr(space + 1);
    long long rank = 0;
    bool is_rank = !digits.empty() && digits.size() <= 9;
    for (const char d : digits) {
      is_rank = is_rank && d >= '0' && d <= '9';
      if (is_rank) rank = rank * 10 + (d - '0');
    }
    if (!is_rank) throw TokenizerError(where() + " does not end with a rank (a whole number below 10^9).");
    // Ranks count up from 0, one a line; one far ahead would only make a huge empty table.
    if (rank > static_cast<long long>(line_no) + kRankSlack)
      throw TokenizerError(where() + " has the rank " + std::to_string(rank) +
                           ", far past its line number; the ranks of a "
                           "tiktoken file count up from 0.");
    if (rank >= static_cast<long long>(tokens.size())) tokens.resize(static_cast<std::size_t>(rank) + 1);
    if (!tokens[rank].empty())
      throw TokenizerError(where() + " repeats the rank " + std::to_string(rank) + ".");
    tokens[rank] = std::move(*bytes);
  }
  if (tokens.empty()) throw TokenizerError("The tiktoken file holds no tokens.");
  for (const SpecialToken& s : specials) {
    if (s.id < 0 || s.id > static_cast<long long>(tokens.size()) + kRankSlack)
      throw TokenizerError("The special token " + s.text + " has the id " + std::to_string(s.id) +
                           ", but the tiktoken file "
                           "has " +
                           std::to_string(tokens.size()) + " tokens; special tokens come right after them.");
    if (s.id >= static_cast<int>(tokens.size())) tokens.resize(static_cast<std::size_t>(s.id) + 1);
  }
  return BpeTokenizer(std::move(tokens), {}, MergeRule::tiktoken_ranks, split, std::move(specials));
}

BpeTokenizer BpeTokenizer::with_first_merges(int k) const {
  if (rule_ != MergeRule::learned_order)
    throw TokenizerError("Only a BPE with learned merges can step through them.");
  if (k < 0 || k > static_cast<int>(merges_.size()))
    throw TokenizerError("This tokenizer has " + std::to_string(merges_.size()) + " merges; " +
                         std::to_string(k) + " is out of range.");
  // Keep every id up to the last byte, special token or kept merge; the merges left out must all come after.
  int keep = 0;
  for (int id = 0; id < static_cast<int>(tokens_.size()); ++id)
    if (tokens_[id].size() == 1 || is_special(id)) keep = id + 1;
  for (int i = 0; i < k; ++i) keep = std::max(keep, merges_[i].result + 1);
  for (std::size_t i = k; i < merges_.size(); ++i)
    if (merges_[i].result < keep)
      throw TokenizerError("This tokenizer's ids are not in merge order; it cannot step through its merges.");
  std::vector<std::string> tokens(tokens_.begin(), tokens_.begin() + keep);
  for (const SpecialToken& sp : specials_) tokens[sp.id].clear();
  return BpeTokenizer(std::move(tokens), std::vector<Merge>(merges_.begin(), merges_.begin() + k), rule_,
                      split_, specials_);
}

}  // namespace gptlab
