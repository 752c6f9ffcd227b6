// AdamW (Loshchilov & Hutter: decoupled weight decay), as torch.optim.AdamW:
//   m = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
//   p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) - lr wd p
// Two parameter groups, chosen by AdamWConfig::decay: by default nanoGPT's rule
// (Decay::matrices, ParamTensor::decays): tensors of 2 or more dimensions (linear
// weights AND embeddings) decay; biases and norm weights do not. Decay::all decays
// every tensor, Decay::none none (wd is then unused).
#pragma once

#include <span>
#include <vector>

#include "model/config.h"
#include "model/model.h"

namespace gptlab {

struct AdamWConfig {
  float beta1 = 0.9f, beta2 = 0.99f, eps = 1e-8f, weight_decay = 0.1f;
  Decay decay = Decay::matrices;  // which tensors weight_decay applies to
};

template <typename T>
class AdamW {
 public:
  AdamW(const std::vector<ParamTensor>& tensors, std::size_t num_params, AdamWConfig config = {});
  // One update of every parameter with this learning rate.
  void step(std::span<T> params, std::span<const T> grads, float lr);
  int steps_taken() const { return t_; }
  std::span<T> m() { return m_; }  // moments, for checkpoints
  std::span<T> v() { return v_; }
  void set_steps_taken(int t) { t_ = t; }
  const AdamWConfig& config() const { return cfg_; }

 private:
  AdamWConfig cfg_;
  std::vector<T> m_, v_;
  std::vector<std::uint8_t> decay_;  // per parameter
  int t_ = 0;
};

// Scales the gradients so that their global L2 norm is at most max_norm (as
// torch.nn.utils.clip_grad_norm_: by max_norm / (norm + 1e-6) when norm > max_norm).
// Returns the norm before clipping. A gradient with NaN or infinity is left as is,
// and its norm (NaN or inf) is returned for the caller to act on.
template <typename T>
T clip_grad_norm(std::span<T> grads, T max_norm);

}  // namespace gptlab
