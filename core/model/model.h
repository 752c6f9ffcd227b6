// What the GPT and the bigram baseline have in common: parameters and gradients as
// one contiguous block each, with named tensors; a forward pass that returns the loss;
// a backward pass. The tests train either through it; the Trainer uses the GPT itself.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "numerics/rng.h"

namespace gptlab {

// One named tensor inside the parameter block (names follow nanoGPT's modules).
struct ParamTensor {
  std::string name;
  std::size_t offset;      // into params() / grads()
  std::vector<int> shape;  // 1-D or 2-D, row-major; linear weights are (out, in) as in PyTorch
  std::size_t size() const;
  // nanoGPT's rule: every tensor of 2 or more dimensions decays (linear weights and
  // embeddings); biases and norm weights do not.
  bool decays() const { return shape.size() >= 2; }
};

struct Batch {
  const int* tokens;            // (B x T) token ids
  const int* targets;           // (B x T) ids to predict, -100 where nothing counts; or null
  const std::uint8_t* key_pad;  // (B x T) nonzero at padding positions, or null
  int B, T;
};

struct StepMode {
  bool train = false;  // dropout on (with this p) when training
  float dropout = 0.0f;
  Rng* rng = nullptr;  // dropout's random numbers (required when train && dropout > 0)
  // The next backward() adds loss_scale * d(loss)/d(params): a batch split into
  // micro-batches weights each by its share of the counted targets.
  float loss_scale = 1.0f;
};

template <typename T>
class Model {
 public:
  virtual ~Model() = default;
  virtual std::span<T> params() = 0;
  virtual std::span<T> grads() = 0;
  virtual const std::vector<ParamTensor>& tensors() const = 0;
  // Returns the mean cross-entropy over the counted targets (0 without targets).
  virtual T forward(const Batch& batch, const StepMode& mode = {}) = 0;
  // Adds d loss / d params to grads() for the last forward (which needs targets).
  virtual void backward() = 0;
  virtual const T* logits() const = 0;  // (B*T x vocab) after a forward
  virtual int vocab_size() const = 0;

  void zero_grad();
  std::size_t num_parameters() { return params().size(); }
  const ParamTensor& tensor(const std::string& name) const;
};

}  // namespace gptlab
