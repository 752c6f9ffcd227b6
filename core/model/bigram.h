// The bigram baseline: the next token depends only on the current one.
// logits[i] = table[token[i]], a (vocab x vocab) table of learned scores; the
// best it can do is the corpus's bigram statistics. Same interface as the GPT.
#pragma once

#include <vector>

#include "model/model.h"

namespace gptlab {

template <typename T>
class Bigram : public Model<T> {
 public:
  Bigram(int vocab_size, std::uint64_t seed);  // table ~ N(0, 0.02)

  std::span<T> params() override { return table_; }
  std::span<T> grads() override { return grads_; }
  const std::vector<ParamTensor>& tensors() const override { return tensors_; }
  T forward(const Batch& batch, const StepMode& mode = {}) override;
  void backward() override;
  const T* logits() const override { return logits_.data(); }
  int vocab_size() const override { return V_; }

 private:
  int V_;
  std::vector<ParamTensor> tensors_;
  std::vector<T> table_, grads_, logits_, dlogits_;
  std::vector<int> tokens_;
  bool has_targets_ = false;
};

}  // namespace gptlab
