// AdamW (Loshchilov & Hutter: decoupled weight decay), as torch.optim.AdamW:
//   m = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
//   p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) - lr wd p
// Two parameter groups, chosen by AdamWConfig::decay: by default nanoGPT's rule
// (Decay::matrices, ParamTensor::decays): tensors of 2 or more dimensions (linear
// weights AND embeddings) decay; biases and norm weights do not. Decay::all decays
// every tensor, Decay::none none (wd is then unused).
//
// With AdamWConfig::optimizer = muon, the 2-D weights inside the blocks (linear layers of
// attention and FFN, names under "transformer.h.") take Muon's step (train/muon.h) at the same
// learning rate and decay instead; their momentum lives where AdamW keeps m (v stays 0), so
// checkpoints keep one layout.
//
// Each step also records, per tensor, the L2 norm of the gradient it was given (after
// any clipping) and of the change it made to the weights: what tensor_stats() shows.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/model.h"

namespace gptlab {

struct AdamWConfig {
  float beta1 = 0.9f, beta2 = 0.99f, eps = 1e-8f, weight_decay = 0.1f;
  Decay decay = Decay::matrices;  // which tensors weight_decay applies to
  Optimizer optimizer = Optimizer::adamw;
  float momentum = 0.95f;  // Muon's (Nesterov) momentum
};

template <typename T>
class AdamW {
 public:
  // The tensors must tile the num_params parameters in order (a model's tensors() do);
  // throws ShapeError otherwise.
  AdamW(const std::vector<ParamTensor>& tensors, std::size_t num_params, AdamWConfig config = {});
  // One update of every parameter with this learning rate.
  void step(std::span<T> params, std::span<const T> grads, float lr);
  // The same step in pieces, for threads: advance() once, then update() every tensor
  // exactly once (tensors [first, last) a call, in any grouping).
  void advance() { ++t_; }
  void update(std::span<T> params, std::span<const T> grads, float lr, std::size_t first, std::size_t last);
  std::size_t num_tensors() const { return groups_.size(); }
  int steps_taken() const { return t_; }
  std::span<T> m() { return m_; }  // moments, for checkpoints
  std::span<T> v() { return v_; }
  void set_steps_taken(int t) { t_ = t; }
  const AdamWConfig& config() const { return cfg_; }

  // Per tensor k, in the order of the constructor's tensors:
  bool decays(std::size_t k) const { return groups_[k].decays; }               // weight decay applies to it
  bool orthogonalized(std::size_t k) const { return groups_[k].rows > 0; }     // Muon updates it
  double last_grad_norm(std::size_t k) const { return groups_[k].grad_norm; }  // ||g|| the last step used
  double last_update_norm(std::size_t k) const {
    return groups_[k].update_norm;  // ||p_after - p_before|| of the last step
  }

 private:
  struct Group {  // one tensor
    std::size_t offset, size;
    bool decays;
    int rows = 0, cols = 0;                 // the matrix's shape when Muon updates it, else 0
    double grad_norm = 0, update_norm = 0;  // of the last step (0 before any step, also after a resume)
  };
  AdamWConfig cfg_;
  std::vector<T> m_, v_;
  std::vector<Group> groups_;
  int t_ = 0;
  void update_muon(Group& group, std::span<T> params, std::span<const T> grads, float lr);
};

// What one parameter tensor looks like now: its weights, and the last optimizer step's
// gradient (after clipping) and change to it, as L2 norms.
struct TensorStats {
  std::string name;  // as in tensors() and the safetensors export
  bool matrix;       // 2 or more dimensions (linear weights, embeddings); else a bias or a norm's gain
  bool decayed;      // the AdamW decay policy applies weight decay to it
  bool muon;         // Muon, not AdamW, updates it
  std::size_t size;  // number of parameters
  double weight_norm, grad_norm, update_norm;
};

// The statistics of every tensor of a model (its tensors and params) under the optimizer made for it.
template <typename T>
std::vector<TensorStats> tensor_stats(const std::vector<ParamTensor>& tensors, std::span<const T> params,
                                      const AdamW<T>& adamw);

// Scales the gradients so that their global L2 norm is at most max_norm (as
// torch.nn.utils.clip_grad_norm_: by max_norm / (norm + 1e-6) when norm > max_norm).
// Returns the norm before clipping. A gradient with NaN or infinity is left as is,
// and its norm (NaN or inf) is returned for the caller to act on.
template <typename T>
T clip_grad_norm(std::span<T> grads, T max_norm);
// clip_grad_norm in pieces, for threads: the sum of squares of each slice of the gradient (in
// double), then the factor every gradient is multiplied by (1 when no clipping is needed).
template <typename T>
double squared_norm(std::span<const T> x);
template <typename T>
T clip_factor(T norm, T max_norm);

}  // namespace gptlab
