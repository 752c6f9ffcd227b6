#include "train/schedule.h"

#include <algorithm>
#include <cmath>

#include "errors.h"

namespace gptlab {

float LrSchedule::at(int step) const {
  if (kind == Kind::constant) return max_lr;
  if (step < warmup) return max_lr * static_cast<float>(step + 1) / static_cast<float>(warmup);
  if (step >= total) return min_lr;
  const double r = static_cast<double>(step - warmup) / std::max(1, total - warmup);
  return static_cast<float>(min_lr + (max_lr - min_lr) * 0.5 * (1.0 + std::cos(3.141592653589793 * r)));
}

void LrSchedule::validate() const {
  if (!(max_lr > 0 && std::isfinite(max_lr)))
    throw ShapeError("The learning rate must be a positive number.");
  if (kind == Kind::constant) return;
  if (!(min_lr >= 0 && min_lr <= max_lr))
    throw ShapeError("The minimum learning rate must be between 0 and the maximum.");
  if (warmup < 0) throw ShapeError("Warmup steps cannot be negative.");
  if (total <= warmup) throw ShapeError("The schedule needs more total steps than warmup steps.");
}

float DropoutSchedule::at(int step) const {
  if (p0 == p1 || total <= 0) return p0;
  const float r = std::clamp(static_cast<float>(step) / static_cast<float>(total), 0.0f, 1.0f);
  return p0 + (p1 - p0) * r;
}

void DropoutSchedule::validate() const {
  for (float p : {p0, p1})
    if (!(p >= 0 && p < 1)) throw ShapeError("Dropout must be at least 0 and below 1.");
}

}  // namespace gptlab
