#include "train/adamw.h"

#include <cmath>

#include "errors.h"

namespace gptlab {

template <typename T>
AdamW<T>::AdamW(const std::vector<ParamTensor>& tensors, std::size_t num_params, AdamWConfig config)
    : cfg_(config), m_(num_params, T(0)), v_(num_params, T(0)) {
  if (!(cfg_.beta1 >= 0 && cfg_.beta1 < 1 && cfg_.beta2 >= 0 && cfg_.beta2 < 1))
    throw ShapeError("AdamW's betas must be at least 0 and below 1.");
  if (!(cfg_.eps > 0)) throw ShapeError("AdamW's eps must be positive.");
  if (!(cfg_.weight_decay >= 0)) throw ShapeError("Weight decay cannot be negative.");
  std::size_t next = 0;
  for (const ParamTensor& t : tensors) {
    if (t.offset != next) throw ShapeError("AdamW needs tensors that follow each other without gaps.");
    const bool decays = cfg_.decay == Decay::all || (cfg_.decay == Decay::matrices && t.decays());
    groups_.push_back({t.offset, t.size(), decays});
    next += t.size();
  }
  if (next != num_params)
    throw ShapeError("AdamW's tensors hold " + std::to_string(next) + " parameters, not " +
                     std::to_string(num_params) + ".");
}

template <typename T>
void AdamW<T>::step(std::span<T> params, std::span<const T> grads, float lr) {
  advance();
  update(params, grads, lr, 0, groups_.size());
}

template <typename T>
void AdamW<T>::update(std::span<T> params, std::span<const T> grads, float lr, std::size_t first,
                      std::size_t last) {
  if (params.size() != m_.size() || grads.size() != m_.size())
    throw ShapeError("AdamW was made for " + std::to_string(m_.size()) + " parameters, not " +
                     std::to_string(params.size()) + ".");
  const T b1 = cfg_.beta1, b2 = cfg_.beta2;
  const T bias1 = T(1) - static_cast<T>(std::pow(static_cast<double>(b1), t_));
  const T bias2 = T(1) - static_cast<T>(std::pow(static_cast<double>(b2), t_));
  const T lr_t = lr, eps = cfg_.eps;
  for (std::size_t k = first; k < last; ++k) {
    Group& group = groups_[k];
    const T wd = group.decays ? static_cast<T>(cfg_.weight_decay) : T(0);
    double g2 = 0, d2 = 0;  // squared norms of the gradient and of the change
    for (std::size_t i = group.offset; i < group.offset + group.size; ++i) {
      const T g = grads[i];
      m_[i] = b1 * m_[i] + (T(1) - b1) * g;
      v_[i] = b2 * v_[i] + (T(1) - b2) * g * g;
      const T update = (m_[i] / bias1) / (std::sqrt(v_[i] / bias2) + eps);
      const T before = params[i];
      params[i] -= lr_t * (update + wd * params[i]);
      const double change = static_cast<double>(params[i]) - before;
      g2 += static_cast<double>(g) * g;
      d2 += change * change;
    }
    group.grad_norm = std::sqrt(g2);
    group.update_norm = std::sqrt(d2);
  }
}

template <typename T>
std::vector<TensorStats> tensor_stats(const std::vector<ParamTensor>& tensors, std::span<const T> params,
                                      const AdamW<T>& adamw) {
  std::vector<TensorStats> out;
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const ParamTensor& t = tensors[k];
    double w2 = 0;
    for (std::size_t i = t.offset; i < t.offset + t.size(); ++i)
      w2 += static_cast<double>(params[i]) * params[i];
    out.push_back({t.name, t.shape.size() >= 2, adamw.decays(k), t.size(), std::sqrt(w2),
                   adamw.last_grad_norm(k), adamw.last_update_norm(k)});
  }
  return out;
}

template <typename T>
double squared_norm(std::span<const T> x) {
  double sum = 0;
  for (T g : x) sum += static_cast<double>(g) * g;
  return sum;
}

template <typename T>
T clip_factor(T norm, T max_norm) {
  return std::isfinite(norm) && norm > max_norm ? max_norm / (norm + T(1e-6)) : T(1);
}

template <typename T>
T clip_grad_norm(std::span<T> grads, T max_norm) {
  const T norm = static_cast<T>(std::sqrt(squared_norm<T>(grads)));
  if (const T scale = clip_factor(norm, max_norm); scale != T(1))
    for (T& g : grads) g *= scale;
  return norm;
}

template class AdamW<float>;
template class AdamW<double>;
template std::vector<TensorStats> tensor_stats<float>(const std::vector<ParamTensor>&, std::span<const float>,
                                                      const AdamW<float>&);
template std::vector<TensorStats> tensor_stats<double>(const std::vector<ParamTensor>&,
                                                       std::span<const double>, const AdamW<double>&);
template float clip_grad_norm<float>(std::span<float>, float);
template double clip_grad_norm<double>(std::span<double>, double);
template double squared_norm<float>(std::span<const float>);
template float clip_factor<float>(float, float);

}  // namespace gptlab
