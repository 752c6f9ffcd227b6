#include "train/adamw.h"

#include <cmath>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "errors.h"
#include "train/muon.h"

namespace gptlab {
namespace {

// SIMD loops add their squares in float for kChunk batches at a time, then in double.
constexpr int kChunk = 64;

template <typename S>
struct Coefficients {
  S b1, b2, bias1, bias2, eps, lr, wd;
};

// The new moments and weight for gradient g and weight p (values or SIMD batches), as torch.optim.AdamW.
template <typename V, typename S>
V adamw_weight(V& m, V& v, V g, V p, const Coefficients<S>& c) {
  using std::sqrt;
  using xsimd::sqrt;
  m = c.b1 * m + (S(1) - c.b1) * g;
  v = c.b2 * v + (S(1) - c.b2) * g * g;
  return p - c.lr * ((m / c.bias1) / (sqrt(v / c.bias2) + c.eps) + c.wd * p);
}

}  // namespace

template <typename T>
AdamW<T>::AdamW(const std::vector<ParamTensor>& tensors, std::size_t num_params, AdamWConfig config)
    : cfg_(config), m_(num_params, T(0)), v_(num_params, T(0)) {
  if (!(cfg_.beta1 >= 0 && cfg_.beta1 < 1 && cfg_.beta2 >= 0 && cfg_.beta2 < 1))
    throw ShapeError("AdamW's betas must be at least 0 and below 1.");
  if (!(cfg_.eps > 0)) throw ShapeError("AdamW's eps must be positive.");
  if (!(cfg_.weight_decay >= 0)) throw ShapeError("Weight decay cannot be negative.");
  if (!(cfg_.momentum >= 0 && cfg_.momentum < 1))
    throw ShapeError("Muon's momentum must be at least 0 and below 1.");
  if (cfg_.optimizer == Optimizer::muon && !std::is_same_v<T, float>)
    throw ShapeError("Muon runs in float only.");
  std::size_t next = 0;
  for (const ParamTensor& t : tensors) {
    if (t.offset != next) throw ShapeError("AdamW needs tensors that follow each other without gaps.");
    const bool decays = cfg_.decay == Decay::all || (cfg_.decay == Decay::matrices && t.decays());
    groups_.push_back({t.offset, t.size(), decays});
    if (cfg_.optimizer == Optimizer::muon && t.shape.size() == 2 && t.name.starts_with("transformer.h.")) {
      groups_.back().rows = t.shape[0];
      groups_.back().cols = t.shape[1];
    }
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
  const double b1 = cfg_.beta1, b2 = cfg_.beta2;
  Coefficients<T> c{T(b1), T(b2), T(1 - std::pow(b1, t_)), T(1 - std::pow(b2, t_)), cfg_.eps, lr, T(0)};
  for (std::size_t k = first; k < last; ++k) {
    Group& group = groups_[k];
    if (group.rows > 0) {
      update_muon(group, params, grads, lr);
      continue;
    }
    c.wd = group.decays ? static_cast<T>(cfg_.weight_decay) : T(0);
    double g2 = 0, d2 = 0;  // squared norms of the gradient and of the change
    std::size_t i = group.offset;
    const std::size_t end = group.offset + group.size;
    if constexpr (std::is_same_v<T, float>) {
      using B = xsimd::batch<float>;
      while (i + B::size <= end) {
        B g2s(0.0f), d2s(0.0f);
        for (int n = 0; n < kChunk && i + B::size <= end; ++n, i += B::size) {
          const B g = B::load_unaligned(&grads[i]), p = B::load_unaligned(&params[i]);
          B m = B::load_unaligned(&m_[i]), v = B::load_unaligned(&v_[i]);
          const B after = adamw_weight(m, v, g, p, c);
          m.store_unaligned(&m_[i]);
          v.store_unaligned(&v_[i]);
          after.store_unaligned(&params[i]);
          g2s += g * g;
          d2s += (after - p) * (after - p);
        }
        g2 += xsimd::hadd(g2s);
        d2 += xsimd::hadd(d2s);
      }
    }
    for (; i < end; ++i) {
      const T g = grads[i], before = params[i];
      params[i] = adamw_weight(m_[i], v_[i], g, before, c);
      const double change = static_cast<double>(params[i]) - before;
      g2 += static_cast<double>(g) * g;
      d2 += change * change;
    }
    group.grad_norm = std::sqrt(g2);
    group.update_norm = std::sqrt(d2);
  }
}

template <typename T>
void AdamW<T>::update_muon(Group& group, std::span<T> params, std::span<const T> grads, float lr) {
  if constexpr (std::is_same_v<T, float>) {
    const MuonStep step{lr, group.decays ? cfg_.weight_decay : 0.0f, cfg_.momentum};
    const std::span<const float> g = grads.subspan(group.offset, group.size);
    group.update_norm = std::sqrt(muon_update(params.subspan(group.offset, group.size), g,
                                              std::span<float>(m_).subspan(group.offset, group.size),
                                              group.rows, group.cols, step));
    group.grad_norm = std::sqrt(squared_norm<float>(g));
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
    out.push_back({t.name, t.shape.size() >= 2, adamw.decays(k), adamw.orthogonalized(k), t.size(),
                   std::sqrt(w2), adamw.last_grad_norm(k), adamw.last_update_norm(k)});
  }
  return out;
}

template <typename T>
double squared_norm(std::span<const T> x) {
  double sum = 0;
  std::size_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float>;
    while (i + B::size <= x.size()) {
      B part(0.0f);
      for (int n = 0; n < kChunk && i + B::size <= x.size(); ++n, i += B::size) {
        const B g = B::load_unaligned(&x[i]);
        part += g * g;
      }
      sum += xsimd::hadd(part);
    }
  }
  for (; i < x.size(); ++i) sum += static_cast<double>(x[i]) * x[i];
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
