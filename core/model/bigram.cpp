#include "model/bigram.h"

#include <algorithm>

#include "errors.h"
#include "model/layers.h"

namespace gptlab {

template <typename T>
Bigram<T>::Bigram(int vocab_size, std::uint64_t seed) : V_(vocab_size) {
  if (vocab_size < 1) throw ShapeError("The vocabulary needs at least one token.");
  if (static_cast<double>(vocab_size) * vocab_size > 4e8)
    throw ShapeError("A bigram table for " + std::to_string(vocab_size) + " tokens would have " +
                     std::to_string(static_cast<long long>(vocab_size) * vocab_size) +
                     " entries; keep it below 400 million.");
  tensors_.push_back({"table.weight", 0, {V_, V_}});
  table_.resize(static_cast<std::size_t>(V_) * V_);
  grads_.assign(table_.size(), T(0));
  Rng rng = Rng(seed).split();
  for (T& x : table_) x = static_cast<T>(rng.normal() * 0.02);
}

template <typename T>
T Bigram<T>::forward(const Batch& batch, const StepMode& mode) {
  const int n = batch.B * batch.T;
  if (n < 1) throw ShapeError("A batch needs at least one sequence of at least one token.");
  for (int i = 0; i < n; ++i)
    if (batch.tokens[i] < 0 || batch.tokens[i] >= V_)
      throw ShapeError("Token id " + std::to_string(batch.tokens[i]) + " is outside the vocabulary of " +
                       std::to_string(V_) + " tokens.");
  tokens_.assign(batch.tokens, batch.tokens + n);
  logits_.resize(static_cast<std::size_t>(n) * V_);
  for (int i = 0; i < n; ++i)
    std::copy_n(table_.begin() + static_cast<std::ptrdiff_t>(tokens_[i]) * V_, V_,
                logits_.begin() + static_cast<std::ptrdiff_t>(i) * V_);
  has_targets_ = batch.targets != nullptr;
  if (!has_targets_) return T(0);
  for (int i = 0; i < n; ++i)
    if (batch.targets[i] != kIgnoreIndex && (batch.targets[i] < 0 || batch.targets[i] >= V_))
      throw ShapeError("Target id " + std::to_string(batch.targets[i]) + " is outside the vocabulary.");
  dlogits_.resize(logits_.size());
  const T loss = cross_entropy(logits_.data(), batch.targets, n, V_, dlogits_.data());
  if (mode.loss_scale != 1.0f)
    for (T& d : dlogits_) d *= mode.loss_scale;
  return loss;
}

template <typename T>
void Bigram<T>::backward() {
  if (!has_targets_) throw ShapeError("backward() needs a forward pass with targets.");
  for (std::size_t i = 0; i < tokens_.size(); ++i)
    for (int j = 0; j < V_; ++j)
      grads_[static_cast<std::size_t>(tokens_[i]) * V_ + j] += dlogits_[i * V_ + j];
}

template class Bigram<float>;
template class Bigram<double>;

}  // namespace gptlab
