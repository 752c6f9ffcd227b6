#include "train/run_clock.h"

#include <algorithm>
#include <cmath>

namespace gptlab {

RunClock::RunClock(double budget_seconds, int eval_interval, int warmup)
    : budget_(budget_seconds), eval_interval_(std::max(1, eval_interval)), warmup_(warmup) {}

std::optional<int> RunClock::steps_at(int step, double seconds) {
  double per_step;
  if (step == kFirst && !first_seconds_) {
    first_seconds_ = seconds;
    per_step = seconds / step;
  } else if (first_seconds_ && step > kFirst && step % eval_interval_ == 0) {
    per_step = (seconds - *first_seconds_) / (step - kFirst);
  } else {
    return std::nullopt;
  }
  const double fit = per_step > 0 ? std::floor((budget_ - seconds) / per_step) : 0;
  return std::max({step + 1, warmup_ + 1, step + static_cast<int>(std::clamp(fit, 0.0, 1e8))});
}

}  // namespace gptlab
