// A hash map from a pair of token ids to a value, with open addressing and
// linear probing: the BPE encoder looks up a pair for every adjacent two parts
// of every chunk, and std::unordered_map's node-per-entry layout is several
// times slower at that. Keys are (left << 32 | right), ids are non-negative;
// values are small and trivially copyable (a slot is key + value, no flag).
#pragma once

#include <cstdint>
#include <vector>

namespace gptlab {

inline std::uint64_t pair_key(int left, int right) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
         static_cast<std::uint32_t>(right);
}

template <typename Value>
class PairMap {
 public:
  // Returns the value for (left, right), or nullptr.
  const Value* find(int left, int right) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t key = pair_key(left, right);
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmpty) return nullptr;
    }
  }
  Value* find(int left, int right) {
    return const_cast<Value*>(static_cast<const PairMap*>(this)->find(left, right));
  }
  // Inserts or overwrites; returns the stored value.
  Value& set(int left, int right, const Value& value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::uint64_t key = pair_key(left, right);
    std::size_t i = slot(key);
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    if (slots_[i].key == kEmpty) ++size_;
    slots_[i] = {key, value};
    return slots_[i].value;
  }
  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint64_t kEmpty = ~0ull;  // (-1, -1): never a pair of ids
  struct Slot {
    std::uint64_t key = kEmpty;
    Value value{};
  };
  std::size_t slot(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & mask_;  // Fibonacci hashing
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != kEmpty) set(static_cast<int>(s.key >> 32), static_cast<int>(s.key & 0xFFFFFFFFu), s.value);
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace gptlab
