#include "train/run_clock.h"

#include <algorithm>
#include <cmath>

namespace gptlab {

RunClock::RunClock(double budget_seconds, int eval_interval, int warmup)
    : budget_(budget_seconds), eval_interval_(std::max(1, eval_interval)), warmup_(warmup) {}

std::optional<int> RunClock::steps_at(int step, double seconds) {
  const bool evaluates = step % eval_interval_ == 0;
  const bool due = step == 20 || (evaluates && (seconds < budget_ / 4 || step == 2 * eval_interval_));
  if (!due || step <= last_step_) return std::nullopt;
  const double per_step = (seconds - last_seconds_) / (step - last_step_);
  const double fit = per_step > 0 ? std::floor((budget_ - seconds) / per_step) : 0;
  last_step_ = step;
  last_seconds_ = seconds;
  return std::max({step + 1, warmup_ + 1, step + static_cast<int>(std::min(fit, 1e8))});
}

}  // namespace gptlab
