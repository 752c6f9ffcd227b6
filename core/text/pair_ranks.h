// The merge ranks the BPE encoder looks up: (left, right) -> rank.
//
// Encoding a word for the first time looks up every adjacent pair of its parts,
// then the two new neighbours of each merge, in a table of some 100,000 pairs.
// Those lookups mostly miss the CPU cache, so the table is kept small: one
// 64-bit word a slot, packing left (21 bits), right (21 bits) and rank (22 bits),
// open addressing with linear probing at most half full. (The first round, pairs
// of single bytes, the encoder reads from a 256 x 256 array: tokenizer_bpe.h.)
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace gptlab {

class PairRanks {
 public:
  static constexpr int kNone = std::numeric_limits<int>::max();
  static constexpr int kMaxId = (1 << 21) - 2;  // (2^21 - 1, 2^21 - 1) marks an empty slot
  static constexpr int kMaxRank = (1 << 22) - 1;

  // Room for n pairs without growing.
  void reserve(std::size_t n) {
    std::size_t size = 64;
    while (size < 2 * n) size *= 2;
    if (size > slots_.size()) rehash(size);
  }
  // Adds (left, right) -> rank unless the pair is already there (the first rank stays).
  // left and right in [0, kMaxId], rank in [0, kMaxRank].
  void add(int left, int right, int rank) {
    if (2 * (size_ + 1) > slots_.size()) rehash(slots_.empty() ? 64 : 2 * slots_.size());
    const std::uint64_t key = pack(left, right);
    std::size_t i = slot(key);
    for (; slots_[i] != kEmpty; i = (i + 1) & mask_)
      if (slots_[i] >> kRankBits == key) return;
    slots_[i] = key << kRankBits | static_cast<std::uint64_t>(rank);
    ++size_;
  }
  // The rank of (left, right), or kNone.
  int find(int left, int right) const {
    if (slots_.empty()) return kNone;
    const std::uint64_t key = pack(left, right);
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      const std::uint64_t s = slots_[i];
      if (s >> kRankBits == key) return static_cast<int>(s & kRankMask);
      if (s == kEmpty) return kNone;
    }
  }
  std::size_t size() const { return size_; }

 private:
  static constexpr int kRankBits = 22;
  static constexpr std::uint64_t kRankMask = (std::uint64_t{1} << kRankBits) - 1;
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static std::uint64_t pack(int left, int right) {
    return static_cast<std::uint64_t>(left) << 21 | static_cast<std::uint64_t>(right);
  }
  std::size_t slot(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);  // Fibonacci hashing
  }
  void rehash(std::size_t size) {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(size, kEmpty);
    mask_ = size - 1;
    shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(size));
    for (const std::uint64_t s : old) {
      if (s == kEmpty) continue;
      std::size_t i = slot(s >> kRankBits);
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0, size_ = 0;
  unsigned shift_ = 64;
};

}  // namespace gptlab
