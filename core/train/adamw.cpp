#include "train/adamw.h"

#include <cmath>

#include "errors.h"

namespace gptlab {

template <typename T>
AdamW<T>::AdamW(const std::vector<ParamTensor>& tensors, std::size_t num_params, AdamWConfig config)
    : cfg_(config), m_(num_params, T(0)), v_(num_params, T(0)), decay_(num_params, 0) {
  if (!(cfg_.beta1 >= 0 && cfg_.beta1 < 1 && cfg_.beta2 >= 0 && cfg_.beta2 < 1))
    throw ShapeError("AdamW's betas must be at least 0 and below 1.");
  if (!(cfg_.eps > 0)) throw ShapeError("AdamW's eps must be positive.");
  if (!(cfg_.weight_decay >= 0)) throw ShapeError("Weight decay cannot be negative.");
  for (const ParamTensor& t : tensors) {
    const bool decays = cfg_.decay == Decay::all || (cfg_.decay == Decay::matrices && t.decays());
    if (decays) std::fill(decay_.begin() + t.offset, decay_.begin() + t.offset + t.size(), 1);
  }
}

template <typename T>
void AdamW<T>::step(std::span<T> params, std::span<const T> grads, float lr) {
  if (params.size() != m_.size() || grads.size() != m_.size())
    throw ShapeError("AdamW was made for " + std::to_string(m_.size()) + " parameters, not " +
                     std::to_string(params.size()) + ".");
  ++t_;
  const T b1 = cfg_.beta1, b2 = cfg_.beta2;
  const T bias1 = T(1) - static_cast<T>(std::pow(static_cast<double>(b1), t_));
  const T bias2 = T(1) - static_cast<T>(std::pow(static_cast<double>(b2), t_));
  const T lr_t = lr, wd = cfg_.weight_decay, eps = cfg_.eps;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const T g = grads[i];
    m_[i] = b1 * m_[i] + (T(1) - b1) * g;
    v_[i] = b2 * v_[i] + (T(1) - b2) * g * g;
    const T update = (m_[i] / bias1) / (std::sqrt(v_[i] / bias2) + eps);
    params[i] -= lr_t * (update + (decay_[i] ? wd * params[i] : T(0)));
  }
}

template <typename T>
T clip_grad_norm(std::span<T> grads, T max_norm) {
  double sum = 0;
  for (T g : grads) sum += static_cast<double>(g) * g;
  const T norm = static_cast<T>(std::sqrt(sum));
  if (std::isfinite(norm) && norm > max_norm) {
    const T scale = max_norm / (norm + T(1e-6));
    for (T& g : grads) g *= scale;
  }
  return norm;
}

template class AdamW<float>;
template class AdamW<double>;
template float clip_grad_norm<float>(std::span<float>, float);
template double clip_grad_norm<double>(std::span<double>, double);

}  // namespace gptlab
