// The encoder's lookup tables: ChunkCache (chunk bytes -> ids, short and long keys)
// and PairRanks (packed pair -> rank), against std::map on random keys.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "text/chunk_cache.h"
#include "text/pair_ranks.h"

using namespace gptlab;

TEST_CASE("ChunkCache finds what was inserted, for every length, and nothing else") {
  std::mt19937 rng(7);
  ChunkCache cache(1 << 20);
  std::map<std::string, std::vector<int>> truth;
  for (int i = 0; i < 20000; ++i) {
    std::string chunk(1 + rng() % 40, '\0');
    for (char& c : chunk) c = static_cast<char>("ab\0\xff"[rng() % 4]);  // few symbols: many near misses
    std::vector<int> ids(1 + rng() % 3);
    for (int& id : ids) id = static_cast<int>(rng() % 100000);
    const bool fresh = truth.emplace(chunk, ids).second;
    CHECK(cache.insert(chunk, ids) == fresh);
  }
  CHECK(cache.size() == truth.size());
  for (const auto& [chunk, ids] : truth) {
    const std::span<const int> got = cache.find(chunk);
    REQUIRE(std::vector<int>(got.begin(), got.end()) == ids);
    if (truth.count(chunk + 'c') == 0) CHECK(cache.find(chunk + 'c').empty());
  }
  CHECK(cache.find("").empty());
}

TEST_CASE("ChunkCache stops taking chunks when full") {
  ChunkCache cache(2);
  const int id = 5;
  CHECK(cache.insert("one", {&id, 1}));
  CHECK(cache.insert("a chunk longer than eight bytes", {&id, 1}));
  CHECK_FALSE(cache.insert("three", {&id, 1}));
  CHECK(cache.find("three").empty());
  CHECK(cache.find("a chunk longer than eight bytes")[0] == 5);
}

TEST_CASE("PairRanks keeps the first rank of each pair") {
  std::mt19937 rng(11);
  PairRanks ranks;
  std::map<std::pair<int, int>, int> truth;
  for (int i = 0; i < 50000; ++i) {
    const int left = static_cast<int>(rng() % 3000), right = static_cast<int>(rng() % 3000);
    const int rank = static_cast<int>(rng() % PairRanks::kMaxRank);
    truth.emplace(std::pair(left, right), rank);
    ranks.add(left, right, rank);
  }
  ranks.add(PairRanks::kMaxId, PairRanks::kMaxId, PairRanks::kMaxRank);
  truth.emplace(std::pair(PairRanks::kMaxId, PairRanks::kMaxId), PairRanks::kMaxRank);
  CHECK(ranks.size() == truth.size());
  for (const auto& [pair, rank] : truth) REQUIRE(ranks.find(pair.first, pair.second) == rank);
  for (int i = 0; i < 1000; ++i) {
    const int left = 3000 + static_cast<int>(rng() % 1000), right = static_cast<int>(rng() % 3000);
    CHECK(ranks.find(left, right) == PairRanks::kNone);
  }
}
