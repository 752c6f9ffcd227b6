// Chunk -> token ids, for the chunks BPE meets again and again (" the", " and").
//
// Chunks of up to 8 bytes, nearly all of them in English, are keyed by their
// bytes packed into one 64-bit integer in an open-addressing table: one multiply
// to hash, no string compare, no allocation. Longer chunks go to a string map.
// The cache stops taking new chunks at a fixed size, so memory stays bounded and
// results never depend on what was evicted.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gptlab {

// A hash for maps keyed by std::string that lets them be searched with a
// string_view, without building a string (C++20 heterogeneous lookup).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class ChunkCache {
 public:
  static constexpr std::size_t kMaxEntries = 1 << 17;

  // Appends the ids cached for `chunk` to `out` and returns true, or returns false.
  bool append(std::string_view chunk, std::vector<int>& out) const {
    if (chunk.size() > 8) {
      auto it = long_.find(chunk);
      if (it == long_.end()) return false;
      out.insert(out.end(), it->second.begin(), it->second.end());
      return true;
    }
    if (slots_.empty()) return false;
    const std::uint64_t key = pack(chunk);
    for (std::size_t i = slot(key, chunk.size());; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.len == 0) return false;
      if (s.key == key && s.len == chunk.size()) {
        if (s.count == 1)
          out.push_back(static_cast<int>(s.offset));  // a single token is stored inline
        else
          out.insert(out.end(), ids_.begin() + s.offset, ids_.begin() + s.offset + s.count);
        return true;
      }
    }
  }

  // Remembers the ids of a chunk (ignored once the cache is full, or if already present).
  void insert(std::string_view chunk, std::span<const int> ids) {
    if (size_ >= kMaxEntries || chunk.empty() || ids.empty() || ids.size() > 0xFFFF) return;
    ++size_;
    if (chunk.size() > 8) {
      long_.emplace(std::string(chunk), std::vector<int>(ids.begin(), ids.end()));
      return;
    }
    if ((small_ + 1) * 4 > slots_.size() * 3) grow();
    const std::uint64_t key = pack(chunk);
    std::size_t i = slot(key, chunk.size());
    for (; slots_[i].len != 0; i = (i + 1) & mask_)
      if (slots_[i].key == key && slots_[i].len == chunk.size()) return;
    Slot& s = slots_[i];
    s = {key, 0, static_cast<std::uint16_t>(ids.size()), static_cast<std::uint8_t>(chunk.size())};
    if (ids.size() == 1) {
      s.offset = static_cast<std::uint32_t>(ids[0]);
    } else {
      s.offset = static_cast<std::uint32_t>(ids_.size());
      ids_.insert(ids_.end(), ids.begin(), ids.end());
    }
    ++small_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t offset = 0;  // the id itself when count == 1, else where the ids start in ids_
    std::uint16_t count = 0;
    std::uint8_t len = 0;  // 0: empty slot
  };
  static std::uint64_t pack(std::string_view chunk) {
    std::uint64_t key = 0;
    std::memcpy(&key, chunk.data(), chunk.size());
    return key;
  }
  std::size_t slot(std::uint64_t key, std::size_t len) const {
    return static_cast<std::size_t>(((key + len) * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const std::size_t n = old.empty() ? 1024 : old.size() * 2;
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(n));
    for (const Slot& s : old) {
      if (s.len == 0) continue;
      std::size_t i = slot(s.key, s.len);
      while (slots_[i].len != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t small_ = 0, size_ = 0;
  std::vector<int> ids_;
  std::unordered_map<std::string, std::vector<int>, StringHash, std::equal_to<>> long_;
};

}  // namespace gptlab
