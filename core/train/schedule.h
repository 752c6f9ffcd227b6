// How the learning rate and the dropout probability change over training.
#pragma once

namespace gptlab {

// constant: max_lr at every step.
// cosine: linear warmup from max_lr / warmup to max_lr over the first `warmup` steps,
// then half a cosine from max_lr down to min_lr at step `total`, and min_lr after:
//   step < warmup:    lr = max_lr (step + 1) / warmup
//   warmup <= step <= total:  r = (step - warmup) / (total - warmup)
//                     lr = min_lr + (max_lr - min_lr) (1 + cos(pi r)) / 2
// The seed's default: 1e-3 -> 1e-5, 100 warmup steps, 3000 steps.
struct LrSchedule {
  enum class Kind { constant, cosine } kind = Kind::cosine;
  float max_lr = 1e-3f, min_lr = 1e-5f;
  int warmup = 100, total = 3000;
  float at(int step) const;
  void validate() const;  // throws ShapeError with a sentence
};

// Dropout from p0 at step 0 to p1 at step `total`, linearly (constant when p0 == p1).
struct DropoutSchedule {
  float p0 = 0.0f, p1 = 0.0f;
  int total = 3000;
  float at(int step) const;
  void validate() const;
};

}  // namespace gptlab
