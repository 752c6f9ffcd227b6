#include "numerics/rng.h"

#include <cmath>

namespace gptlab {

// Box-Muller: for u1, u2 uniform in (0, 1], sqrt(-2 ln u1) cos(2 pi u2) is N(0, 1).
double Rng::normal() {
  const double u1 = 1.0 - uniform_double();  // (0, 1]: log is finite
  const double u2 = uniform_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

void Rng::uniform_floats(float* out, std::size_t n) {
  const std::uint64_t start = state_;
  for (std::size_t i = 0; i < n; ++i) out[i] = to_float(mix(start + (i + 1) * kGamma));
  state_ = start + n * kGamma;
}

}  // namespace gptlab
