// The GPT: a decoder-only transformer (or, with bidirectional attention, an
// encoder for masked LM), readable top to bottom in gpt.cpp:
//
//   x = dropout(wte[tokens] (+ wpe[positions]))
//   for each layer:  x = x + dropout(proj(attention(rope(qkv(norm1(x))))))
//                    x = x + dropout(mlp(norm2(x)))
//   logits = norm_f(x) lm_head^T;  loss = cross_entropy(logits, targets)
//
// Parameters live in one contiguous block, gradients in another, each with
// named tensors (tensors()). Activations are sized once for a (batch, T) and
// reused; a step allocates nothing unless the batch grows.
#pragma once

#include <vector>

#include "gptlab/config.h"
#include "gptlab/model.h"

namespace gptlab {

template <typename T>
class Gpt : public Model<T> {
 public:
  // Validates the config and initializes as nanoGPT does: N(0, 0.02) weights,
  // N(0, 0.02 / sqrt(2 n_layer)) for the two projections into the residual
  // stream, zero biases, unit norm weights.
  Gpt(const GptConfig& config, std::uint64_t seed);

  // Bytes a model of this config needs to train on batches of B x T: parameters,
  // gradients, AdamW's two moments, and every activation buffer. Lets a caller
  // refuse a config that cannot fit before allocating anything. The config must be valid.
  static double training_bytes(const GptConfig& config, int B, int T_len);
  // The named tensors of the parameter block a config gives (nothing is allocated):
  // what a checkpoint of this config must hold.
  static std::vector<ParamTensor> layout(const GptConfig& config);

  const GptConfig& config() const { return cfg_; }
  std::span<T> params() override { return params_; }
  std::span<T> grads() override { return grads_; }
  const std::vector<ParamTensor>& tensors() const override { return tensors_; }
  T forward(const Batch& batch, const StepMode& mode = {}) override;
  void backward() override;
  const T* logits() const override { return act_.logits.data(); }
  int vocab_size() const override { return cfg_.vocab_size; }

  // One more position through the model using the keys and values cached for the
  // earlier ones (the cache grows by one). Returns the logits for that position
  // (vocab_size values, valid until the next call). Causal models only.
  const T* forward_next(int token, class KvCache& cache);

  // Attention weights of one layer after the last forward: (B, n_head, T, T),
  // row i the distribution of query i over the keys (before dropout).
  const T* attention(int layer) const;
  int last_batch() const { return B_; }
  int last_T() const { return T_; }

 private:
  struct Layer {  // pointers into params_ (or grads_)
    T *ln1_w, *ln1_b, *qkv_w, *qkv_b, *proj_w, *proj_b, *ln2_w, *ln2_b, *fc_w, *fc_b, *fc_proj_w, *fc_proj_b;
  };
  struct Weights {
    T *wte, *wpe, *lnf_w, *lnf_b, *lm_head;
    std::vector<Layer> layers;
  };
  struct LayerActivations {
    std::vector<T> ln1, ln1_mean, ln1_rstd, qkv, probs, att_mask, att_y, proj_mask, res_mid, ln2, ln2_mean, ln2_rstd,
        fc_pre, fc_act, mlp_mask, res_out;
  };
  struct Activations {
    std::vector<T> emb, emb_mask, branch, lnf, lnf_mean, lnf_rstd, logits, dlogits;
    std::vector<LayerActivations> layers;
    // gradients of activations, reused by every layer during backward
    std::vector<T> dres, dbranch, dln, dqkv, datt_y, dfc_pre, dfc_act, dlnf, scratch;
  };

  void build_tensors();
  Weights views(T* base) const;
  void initialize(std::uint64_t seed);
  void ensure_activations(int B, int T_len);
  void norm_forward(T* y, T* mean, T* rstd, const T* x, const T* w, const T* b, int n) const;
  void norm_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, const T* mean, const T* rstd, int n) const;

  GptConfig cfg_;
  std::vector<ParamTensor> tensors_;
  std::vector<T> params_, grads_;
  Weights w_, g_;
  std::vector<T> rope_cos_, rope_sin_;
  Activations act_;
  int capacity_B_ = 0, capacity_T_ = 0;  // activations are sized for these
  int B_ = 0, T_ = 0;                    // the last forward's batch
  std::vector<T> next_x_, next_buf_, next_qkv_, next_att_, next_hidden_, next_logits_;  // forward_next's rows
  std::vector<int> tokens_, targets_;
  std::vector<std::uint8_t> key_pad_;
  bool has_pad_ = false, has_targets_ = false;
};

}  // namespace gptlab
