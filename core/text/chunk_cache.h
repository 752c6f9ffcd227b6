// Chunk -> token ids, for the chunks BPE meets again and again (" the", " and"),
// and for the vocabulary itself (token bytes -> id).
//
// One open-addressing table of 16-byte slots, no node per entry. A chunk of up
// to 8 bytes is its own key: its bytes fit one 64-bit integer, so a lookup is one
// multiply to hash and no string compare. A longer chunk is keyed by a 64-bit
// hash of its bytes, which are kept in an arena and compared on a match. The id
// of a short one-token chunk lives in its slot; other ids live in an arena.
// A cache stops taking new chunks at a fixed size, so memory stays bounded and
// results never depend on what was evicted.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gptlab {

class ChunkCache {
 public:
  static constexpr std::size_t kMaxEntries = 1 << 17;
  static constexpr std::size_t kMaxChunk = 0xFFFF;  // bytes; longer chunks are never stored

  explicit ChunkCache(std::size_t max_entries = kMaxEntries) : max_entries_(max_entries) {}

  // The ids cached for `chunk` (empty if none). Valid until the next insert.
  std::span<const int> find(std::string_view chunk) const {
    if (slots_.empty() || chunk.empty() || chunk.size() > kMaxChunk) return {};
    const std::uint64_t key = key_of(chunk);
    for (std::size_t i = slot(key, chunk.size());; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.len == 0) return {};
      if (s.key == key && s.len == chunk.size() && (chunk.size() <= 8 || same_bytes(s, chunk)))
        return ids_of(s);
    }
  }

  // Appends the ids cached for `chunk` to `out` and returns true, or returns false.
  bool append(std::string_view chunk, std::vector<int>& out) const {
    const std::span<const int> ids = find(chunk);
    if (ids.size() == 1)
      out.push_back(ids[0]);
    else
      out.insert(out.end(), ids.begin(), ids.end());
    return !ids.empty();
  }

  // Remembers the ids of a chunk. Returns false (and changes nothing) if the chunk
  // is already there, the cache is full, or the chunk or its ids are too long.
  bool insert(std::string_view chunk, std::span<const int> ids) {
    if (size_ >= max_entries_ || chunk.empty() || chunk.size() > kMaxChunk || ids.empty() ||
        ids.size() > 0xFFFF)
      return false;
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::uint64_t key = key_of(chunk);
    std::size_t i = slot(key, chunk.size());
    for (; slots_[i].len != 0; i = (i + 1) & mask_)
      if (slots_[i].key == key && slots_[i].len == chunk.size() &&
          (chunk.size() <= 8 || same_bytes(slots_[i], chunk)))
        return false;
    Slot& s = slots_[i];
    s = {key, 0, static_cast<std::uint16_t>(ids.size()), static_cast<std::uint16_t>(chunk.size())};
    if (ids.size() == 1 && chunk.size() <= 8) {
      s.offset = static_cast<std::uint32_t>(ids[0]);
    } else {
      s.offset = static_cast<std::uint32_t>(ids_.size());
      if (chunk.size() > 8) {  // long chunks: ids_[offset] is where the bytes start in bytes_; the ids follow
        ids_.push_back(static_cast<int>(bytes_.size()));
        bytes_.append(chunk);
      }
      ids_.insert(ids_.end(), ids.begin(), ids.end());
    }
    ++size_;
    return true;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t key = 0;     // short chunks: their bytes; long ones: a hash of them
    std::uint32_t offset = 0;  // the id itself for a one-token short chunk, else an index into ids_
    std::uint16_t count = 0;   // ids
    std::uint16_t len = 0;     // bytes; 0: empty slot
  };
  // Short chunks: two fixed-size loads that cover every byte (overlapping when the
  // chunk is shorter than 8 or 4 bytes), which, with the length, name the chunk.
  // Long chunks: a multiply-xorshift hash over their 8-byte words.
  static std::uint64_t key_of(std::string_view chunk) {
    const char* p = chunk.data();
    const std::size_t n = chunk.size();
    if (n >= 4 && n <= 8) return load<std::uint32_t>(p) | std::uint64_t{load<std::uint32_t>(p + n - 4)} << 32;
    if (n >= 2 && n < 4) return load<std::uint16_t>(p) | std::uint64_t{load<std::uint16_t>(p + n - 2)} << 16;
    if (n == 1) return static_cast<unsigned char>(p[0]);
    std::uint64_t key = 0;
    for (std::size_t at = 0; at < chunk.size(); at += 8) {  // the last word may overlap the one before
      std::uint64_t word;
      std::memcpy(&word, chunk.data() + std::min(at, chunk.size() - 8), 8);
      key = (key ^ word) * 0x9E3779B97F4A7C15ull;
      key ^= key >> 29;
    }
    return key;
  }
  template <typename Word>
  static Word load(const char* p) {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
  }
  std::size_t slot(std::uint64_t key, std::size_t len) const {
    return static_cast<std::size_t>(((key + len) * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  bool same_bytes(const Slot& s, std::string_view chunk) const {
    return std::memcmp(bytes_.data() + ids_[s.offset], chunk.data(), chunk.size()) == 0;
  }
  std::span<const int> ids_of(const Slot& s) const {
    if (s.len <= 8 && s.count == 1) return {reinterpret_cast<const int*>(&s.offset), 1};
    return {ids_.data() + s.offset + (s.len > 8 ? 1 : 0), s.count};
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

  std::size_t max_entries_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
  std::vector<int>
      ids_;  // the ids of chunks that are not one short token (long chunks: preceded by their bytes' offset)
  std::string bytes_;  // the bytes of long chunks
};

}  // namespace gptlab
