// BPE training, incrementally (as Hugging Face tokenizers and SentencePiece do):
// count every adjacent pair once, then per merge touch only the places where the
// merged pair occurs, instead of recounting the whole corpus for every merge.
//
//   sequences  the corpus cut into chunks; each distinct chunk once, with its count
//   symbols    the current tokens of all sequences, as linked lists (prev/next)
//   pairs      for each adjacent pair: its count (weighted by chunk counts) and
//              where it occurs (positions, possibly stale: checked when used)
//   heap       pairs by count; entries go stale when a count changes and are
//              re-checked when they reach the top
//
// Tie-break (deterministic on every platform): the highest count wins; among
// equal counts, the pair with the smaller left id, then the smaller right id.
// Training stops early when no pair occurs at least twice.
#include <algorithm>
#include <optional>
#include <queue>
#include <unordered_map>

#include "errors.h"
#include "text/pair_map.h"
#include "text/tokenizer_bpe.h"

namespace gptlab {
namespace {

struct Symbols {
  std::vector<int> id, prev, next;
  std::vector<long long> weight;  // the count of the chunk each position belongs to

  void add_sequence(std::string_view bytes, long long count) {
    const int start = static_cast<int>(id.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const int pos = start + static_cast<int>(i);
      id.push_back(static_cast<unsigned char>(bytes[i]));
      prev.push_back(i == 0 ? -1 : pos - 1);
      next.push_back(i + 1 == bytes.size() ? -1 : pos + 1);
      weight.push_back(count);
    }
  }
};

struct PairStats {
  int left, right;
  long long count = 0;
  std::vector<int> positions;  // of the left symbol
};

struct HeapEntry {
  long long count;
  int pair;  // index into the stats
};

Symbols cut_corpus(std::string_view corpus, SplitPattern split) {
  Symbols symbols;
  if (split == SplitPattern::none) {
    symbols.add_sequence(corpus, 1);
    return symbols;
  }
  std::unordered_map<std::string_view, long long> counts;
  ChunkSplitter splitter(corpus, split);
  for (std::string_view chunk; splitter.next(chunk);) ++counts[chunk];
  for (const auto& [chunk, count] : counts)
    if (chunk.size() > 1) symbols.add_sequence(chunk, count);  // a 1-byte chunk has no pairs
  return symbols;
}

// The counts of every adjacent pair, where each occurs, and a heap to find the most frequent:
// BPE training asks it for the best pair and tells it each merge.
class PairCounts {
 public:
  explicit PairCounts(Symbols symbols) : s_(std::move(symbols)) {
    for (int pos = 0; pos < static_cast<int>(s_.id.size()); ++pos)
      if (s_.next[pos] >= 0) add(s_.id[pos], s_.id[s_.next[pos]], s_.weight[pos], pos);
    for (int i = 0; i < static_cast<int>(stats_.size()); ++i) heap_.push({stats_[i].count, i});
  }

  // The most frequent pair (left, right), or nothing if no pair occurs at least twice.
  std::optional<std::pair<int, int>> best() {
    while (!heap_.empty()) {
      const HeapEntry top = heap_.top();
      const PairStats& st = stats_[top.pair];
      if (top.count == st.count)
        return st.count >= 2 ? std::optional(std::pair(st.left, st.right)) : std::nullopt;
      heap_.pop();  // stale: the count changed since this entry was pushed
      if (st.count > 0 && st.count < top.count) heap_.push({st.count, top.pair});
    }
    return std::nullopt;
  }

  // Replaces every occurrence of (a, b) by `merged`, left to right.
  void merge(int a, int b, int merged) {
    const int index = *index_.find(a, b);
    std::vector<int> positions = std::move(stats_[index].positions);
    std::sort(positions.begin(), positions.end());
    for (int pos : positions) {
      const int j = s_.next[pos];
      if (s_.id[pos] != a || j < 0 || s_.id[j] != b) continue;  // stale, or consumed by an overlapping merge
      const long long w = s_.weight[pos];
      const int p = s_.prev[pos], q = s_.next[j];
      if (p >= 0) {
        add(s_.id[p], a, -w, -1);
        push(add(s_.id[p], merged, w, p));
      }
      if (q >= 0) {
        add(b, s_.id[q], -w, -1);
        push(add(merged, s_.id[q], w, pos));
      }
      s_.id[pos] = merged;
      s_.id[j] = -1;
      s_.next[pos] = q;
      if (q >= 0) s_.prev[q] = pos;
    }
    stats_[index].count = 0;
  }

 private:
  // count(left, right) += delta; a new occurrence is recorded at `pos` (if >= 0).
  // Returns the pair's index. A lowered count leaves a stale heap entry behind;
  // a raised one must be pushed (push) or the pair would surface too late.
  int add(int left, int right, long long delta, int pos) {
    int* found = index_.find(left, right);
    int index;
    if (found) {
      index = *found;
    } else {
      index = static_cast<int>(stats_.size());
      index_.set(left, right, index);
      stats_.push_back(PairStats{left, right, 0, {}});
    }
    PairStats& st = stats_[index];
    st.count += delta;
    if (pos >= 0) st.positions.push_back(pos);
    return index;
  }
  void push(int index) { heap_.push({stats_[index].count, index}); }

  struct Order {  // max-heap: higher count, then smaller (left, right)
    const std::vector<PairStats>* stats;
    bool operator()(const HeapEntry& x, const HeapEntry& y) const {
      if (x.count != y.count) return x.count < y.count;
      const PairStats &px = (*stats)[x.pair], &py = (*stats)[y.pair];
      return px.left != py.left ? px.left > py.left : px.right > py.right;
    }
  };

  Symbols s_;
  std::vector<PairStats> stats_;
  PairMap<int> index_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, Order> heap_{Order{&stats_}};
};

}  // namespace

BpeTokenizer::Trained BpeTokenizer::train(std::string_view corpus, const BpeTrainOptions& options) {
  const int n_special = static_cast<int>(options.specials.size());
  const int base = 256 + n_special;
  if (corpus.empty()) throw TokenizerError("The corpus is empty; BPE training needs text to count pairs in.");
  if (options.vocab_size < base)
    throw TokenizerError(
        "A vocabulary of " + std::to_string(options.vocab_size) + " tokens is too small: the 256 bytes" +
        (n_special ? " and " + std::to_string(n_special) + " special tokens" : std::string()) +
        " already take " + std::to_string(base) + ".");
  std::vector<SpecialToken> specials;
  for (const std::string& text : options.specials)
    specials.push_back({text, 256 + static_cast<int>(specials.size())});
  check_specials(specials);

  std::vector<std::string> tokens(base);
  for (int b = 0; b < 256; ++b) tokens[b] = std::string(1, static_cast<char>(b));
  std::vector<Merge> merges;
  const int wanted = options.vocab_size - base;
  PairCounts pairs(cut_corpus(corpus, options.split));
  while (static_cast<int>(merges.size()) < wanted) {
    const auto best = pairs.best();
    if (!best) break;
    const auto [left, right] = *best;
    const int merged = base + static_cast<int>(merges.size());
    merges.push_back({left, right, merged});
    tokens.push_back(tokens[left] + tokens[right]);
    pairs.merge(left, right, merged);
    if (options.progress) options.progress(static_cast<int>(merges.size()), wanted);
  }
  const int done = static_cast<int>(merges.size());
  std::optional<std::string> stopped;
  if (done < wanted)
    stopped = "The corpus supports only " + std::to_string(done) +
              " merges: after that no pair of adjacent tokens occurs twice. The vocabulary has " +
              std::to_string(base + done) + " tokens instead of the " + std::to_string(options.vocab_size) +
              " asked for.";
  return {BpeTokenizer(std::move(tokens), std::move(merges), MergeRule::learned_order, options.split,
                       std::move(specials)),
          done, stopped};
}

}  // namespace gptlab
