// The run's random numbers: one seeded generator per run, split into independent
// streams (initialization, dropout, batches) so that adding a use of one stream
// never shifts another. Integer-only core (SplitMix64), so the same seed gives
// the same numbers natively and in WASM; normals use Box-Muller.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gptlab {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : state_(seed) {}
  // The whole state: Rng(r.state()) continues r's stream exactly (checkpoints save it).
  std::uint64_t state() const { return state_; }

  // SplitMix64 (Steele, Lea, Flood 2014): state += golden gamma, then mix.
  std::uint64_t next_u64() { return mix(state_ += kGamma); }
  // A new, independent generator; this one moves on by one draw.
  Rng split() { return Rng(next_u64() ^ 0x6A09E667F3BCC909ull); }

  // Uniform in [0, 1) with 24 (float) or 53 (double) random bits.
  float uniform_float() { return to_float(next_u64()); }
  // The next n uniform floats, exactly as n calls of uniform_float() give them. Draw i mixes
  // state + i * gamma alone (SplitMix64 is a counter), so the loop runs in SIMD lanes.
  void uniform_floats(float* out, std::size_t n);
  double uniform_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next_u64() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
  }
  // Standard normal (Box-Muller).
  double normal();

 private:
  static constexpr std::uint64_t kGamma = 0x9E3779B97F4A7C15ull;
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // The top 24 bits as a float in [0, 1) (through int32: SIMD has no 64-bit integer to float).
  static float to_float(std::uint64_t z) {
    return static_cast<float>(static_cast<std::int32_t>(z >> 40)) * 0x1.0p-24f;
  }

  std::uint64_t state_;
};

}  // namespace gptlab
