// The GPT: a decoder-only transformer (or, with bidirectional attention, an
// encoder for masked LM), readable top to bottom in gpt.cpp:
//
//   x = dropout(wte[tokens] (+ wpe[positions]))
//   for each layer:  x = x + dropout(proj(attention(rope(qkv(norm1(x))))))
//                    x = x + dropout(mlp(norm2(x)))
//   logits = norm_f(x) lm_head^T;  loss = cross_entropy(logits, targets)
//
// Switches for the lessons (GptConfig): positions none (no wpe, no RoPE); ffn none
// (a block is its attention half); norm none (every norm the identity); residual
// false (each half replaces x: x = dropout(...)); n_layer 0 (embeddings straight into
// norm_f and the LM head: with norm none and positions none, a bigram model).
//
// Parameters live in one contiguous block, gradients in another, each with
// named tensors (tensors()). Activations are sized once for a (batch, T) and
// reused; a step allocates nothing unless the batch grows. Sampling (forward_next)
// runs the same layers on one new position, attending to a KV cache instead of
// the batch: a new norm, FFN or position scheme is written once, in block_forward.
#pragma once

#include <cstdint>
#include <vector>

#include "model/config.h"
#include "model/model.h"

namespace gptlab {

template <typename T>
class KvCache;

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
  const T* forward_next(int token, KvCache<T>& cache);

  // Attention weights of one layer after the last forward: (B, n_head, T, T),
  // row i the distribution of query i over the keys (before dropout).
  const T* attention(int layer) const;
  // The residual stream after the last forward, (B, T, C): after = 0 the embeddings
  // (wte[tokens] (+ wpe), after dropout if it trained), after = l the output of block l
  // (l = 1 .. n_layer; without the residual, the block's output is the stream).
  const T* residual(int after) const;
  // The model's read-out on n rows of a residual stream x (n, C), as the forward ends:
  // logits (n, V) = norm_f(x) lm_head^T. The logit lens applies it to earlier layers.
  void read_out(T* logits, const T* x, int n) const;
  int last_batch() const { return B_; }
  int last_T() const { return T_; }

 private:
  // Shapes, row-major. C = n_embd, F = ffn_hidden(), fc_out = 2F for SwiGLU (gate and up
  // fused) else F, V = vocab_size, L = n_layer, NH = n_head, hs = C / NH. Activations are
  // sized for the largest batch seen: n = B * T rows, att = B * NH * T * T.

  // One transformer block's parameters: pointers into params_ (or grads_). Biases of the
  // norms are null with RMSNorm, the norms' weights too with no norm, the MLP half's
  // tensors with no FFN. The field order is views()'s order.
  struct Layer {
    T* ln1_w;      // (C)        norm before attention
    T* ln1_b;      // (C)        LayerNorm only
    T* qkv_w;      // (3C, C)    q, k and v projections, stacked
    T* qkv_b;      // (3C)
    T* proj_w;     // (C, C)     attention output projection
    T* proj_b;     // (C)
    T* ln2_w;      // (C)        norm before the MLP
    T* ln2_b;      // (C)        LayerNorm only
    T* fc_w;       // (fc_out, C)
    T* fc_b;       // (fc_out)
    T* fc_proj_w;  // (C, F)     MLP output projection
    T* fc_proj_b;  // (C)
  };
  struct Weights {
    T* wte;                     // (V, C)           token embedding
    T* wpe;                     // (block_size, C)  learned positions only, else null
    T* lnf_w;                   // (C)              final norm (null with no norm)
    T* lnf_b;                   // (C)              LayerNorm only
    T* lm_head;                 // (V, C)           == wte when tie_weights
    std::vector<Layer> layers;  // (L)
  };
  // What one block's forward keeps for its backward. Without an FFN the MLP half's
  // buffers (res_mid to mlp_mask) are empty and the attention half writes res_out.
  struct LayerActivations {
    std::vector<T> ln1;        // (n, C)     norm1(block input)
    std::vector<T> ln1_mean;   // (n)
    std::vector<T> ln1_rstd;   // (n)
    std::vector<T> qkv;        // (n, 3C)    after RoPE
    std::vector<T> probs;      // (att)      softmax attention weights, before dropout
    std::vector<T> att_mask;   // (att)      dropout mask of the attention weights
    std::vector<T> att_y;      // (n, C)     heads' outputs, concatenated
    std::vector<T> proj_mask;  // (n, C)     dropout mask after proj
    std::vector<T> res_mid;    // (n, C)     residual stream after attention
    std::vector<T> ln2;        // (n, C)     norm2(res_mid)
    std::vector<T> ln2_mean;   // (n)
    std::vector<T> ln2_rstd;   // (n)
    std::vector<T> fc_pre;     // (n, fc_out)  before GELU / SwiGLU
    std::vector<T> fc_act;     // (n, F)     after GELU / SwiGLU
    std::vector<T> mlp_mask;   // (n, C)     dropout mask after the MLP
    std::vector<T> res_out;    // (n, C)     residual stream after the block
  };
  struct Activations {
    std::vector<T> emb;       // (n, C)     dropout(wte[tokens] (+ wpe)): the residual stream's start
    std::vector<T> emb_mask;  // (n, C)     dropout mask of the embeddings
    std::vector<T> branch;    // (n, C)     the current branch's output, before it joins the stream
    std::vector<T> lnf;       // (n, C)     final norm
    std::vector<T> lnf_mean;  // (n)
    std::vector<T> lnf_rstd;  // (n)
    std::vector<T> logits;    // (n, V)
    std::vector<T> dlogits;   // (n, V)     d loss / d logits, from the forward's cross-entropy
    std::vector<LayerActivations> layers;  // (L)
    // gradients of activations, reused by every layer during backward
    std::vector<T> dres;     // (n, C)     d residual stream
    std::vector<T> dbranch;  // (n, C)
    std::vector<T> dln;      // (n, C)
    std::vector<T> dqkv;     // (n, 3C)
    std::vector<T> datt_y;   // (n, C)
    std::vector<T> dfc_pre;  // (n, fc_out)
    std::vector<T> dfc_act;  // (n, F)
    std::vector<T> dlnf;     // (n, C)
    std::vector<T> scratch;  // (2, T, T)  one head's attention work space
  };

  // One pass through the layers: B sequences of T tokens at positions pos.. (pos > 0
  // only when decoding), with dropout p. Decoding runs one row against a KV cache.
  struct Pass {
    const int* tokens;            // (B, T)
    const std::uint8_t* key_pad;  // (B, T) nonzero at padding, or null
    int B;
    int T_len;
    int pos;  // the position of the first token
    float dropout;
    Rng* rng;
    KvCache<T>* cache;  // null: attend within the batch; else the earlier positions' keys
  };

  void build_tensors();
  Weights views(T* base) const;
  void initialize(std::uint64_t seed);
  void ensure_activations(int B, int T_len);
  static void size_activations(Activations& a, const GptConfig& cfg, std::size_t n, std::size_t att,
                               std::size_t scratch);
  void layers_forward(Activations& a, const Pass& pass);
  void head_forward(T* logits, T* lnf, T* mean, T* rstd, const T* x, int n) const;
  const T* block_forward(int l, LayerActivations& L, Activations& a, const T* res, const Pass& pass);
  void norm_forward(T* y, T* mean, T* rstd, const T* x, const T* w, const T* b, int n) const;
  void norm_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, const T* mean, const T* rstd,
                     int n) const;
  void join_stream(T* out, const T* res, const T* branch, int count) const;

  GptConfig cfg_;
  std::vector<ParamTensor> tensors_;  // names, offsets and shapes of params_ (layout(cfg_))
  std::vector<T> params_;             // (num_parameters) every weight, in tensors_' order
  std::vector<T> grads_;              // (num_parameters) their gradients, same layout
  Weights w_;                         // views into params_
  Weights g_;                         // views into grads_
  std::vector<T> rope_cos_;           // (block_size, hs / 2)  RoPE only
  std::vector<T> rope_sin_;           // (block_size, hs / 2)  RoPE only
  Activations act_;
  int capacity_B_ = 0;  // act_ is sized for batches of capacity_B_ x capacity_T_
  int capacity_T_ = 0;
  int B_ = 0;  // the last forward's batch
  int T_ = 0;
  Activations next_;  // forward_next's one row (n = 1, att = NH * block_size)
  // the last forward's batch, kept for backward
  std::vector<int> tokens_;            // (n)
  std::vector<int> targets_;           // (n)  if has_targets_
  std::vector<std::uint8_t> key_pad_;  // (n)  nonzero at padding positions; if has_pad_
  bool has_pad_ = false;
  bool has_targets_ = false;
};

// The keys and values of every layer for the positions decoded so far (forward_next).
template <typename T>
class KvCache {
 public:
  explicit KvCache(const GptConfig& config)
      : k_(config.n_layer, std::vector<T>(static_cast<std::size_t>(config.block_size) * config.n_embd)),
        v_(config.n_layer, std::vector<T>(static_cast<std::size_t>(config.block_size) * config.n_embd)) {}
  int length() const { return length_; }
  void clear() { length_ = 0; }

 private:
  friend class Gpt<T>;
  int length_ = 0;
  std::vector<std::vector<T>> k_;  // (L, block_size, C)  keys after RoPE
  std::vector<std::vector<T>> v_;  // (L, block_size, C)
};

}  // namespace gptlab
