#include "model/gpt.h"

#include <algorithm>
#include <cmath>

#include "errors.h"
#include "model/attention.h"
#include "model/layers.h"

namespace gptlab {

// ============================== parameters ======================================

template <typename T>
std::vector<ParamTensor> Gpt<T>::layout(const GptConfig& cfg) {
  std::vector<ParamTensor> tensors;
  const int C = cfg.n_embd, V = cfg.vocab_size, F = cfg.ffn_hidden();
  const int fc_out = cfg.ffn == Ffn::swiglu ? 2 * F : F;  // SwiGLU: gate and up projections fused
  const bool norm = cfg.norm != Norm::none;               // norm weights (none: the identity, no tensors)
  const bool ln = cfg.norm == Norm::layernorm;            // and biases
  const bool mlp = cfg.ffn != Ffn::none;                  // the block's second half
  std::size_t offset = 0;
  auto add = [&](std::string name, std::vector<int> shape) {
    tensors.push_back({std::move(name), offset, std::move(shape)});
    offset += tensors.back().size();
  };
  add("transformer.wte.weight", {V, C});
  if (cfg.positions == Positions::learned) add("transformer.wpe.weight", {cfg.block_size, C});
  for (int l = 0; l < cfg.n_layer; ++l) {
    const std::string p = "transformer.h." + std::to_string(l) + ".";
    if (norm) add(p + "ln_1.weight", {C});
    if (ln) add(p + "ln_1.bias", {C});
    add(p + "attn.c_attn.weight", {3 * C, C});
    add(p + "attn.c_attn.bias", {3 * C});
    add(p + "attn.c_proj.weight", {C, C});
    add(p + "attn.c_proj.bias", {C});
    if (!mlp) continue;
    if (norm) add(p + "ln_2.weight", {C});
    if (ln) add(p + "ln_2.bias", {C});
    add(p + "mlp.c_fc.weight", {fc_out, C});
    add(p + "mlp.c_fc.bias", {fc_out});
    add(p + "mlp.c_proj.weight", {C, F});
    add(p + "mlp.c_proj.bias", {C});
  }
  if (norm) add("transformer.ln_f.weight", {C});
  if (ln) add("transformer.ln_f.bias", {C});
  if (!cfg.tie_weights) add("lm_head.weight", {V, C});
  return tensors;
}

template <typename T>
void Gpt<T>::build_tensors() {
  tensors_ = layout(cfg_);
  const std::size_t count = tensors_.back().offset + tensors_.back().size();
  params_.assign(count, T(0));
  grads_.assign(count, T(0));
}

template <typename T>
typename Gpt<T>::Weights Gpt<T>::views(T* base) const {
  auto at = [&](const std::string& name) -> T* {
    for (const ParamTensor& t : tensors_)
      if (t.name == name) return base + t.offset;
    return nullptr;  // a tensor this config does not have (wpe, norms, the MLP, lm_head when tied)
  };
  Weights w{at("transformer.wte.weight"),
            at("transformer.wpe.weight"),
            at("transformer.ln_f.weight"),
            at("transformer.ln_f.bias"),
            cfg_.tie_weights ? at("transformer.wte.weight") : at("lm_head.weight"),
            {}};
  for (int l = 0; l < cfg_.n_layer; ++l) {
    const std::string p = "transformer.h." + std::to_string(l) + ".";
    w.layers.push_back({at(p + "ln_1.weight"), at(p + "ln_1.bias"), at(p + "attn.c_attn.weight"),
                        at(p + "attn.c_attn.bias"), at(p + "attn.c_proj.weight"), at(p + "attn.c_proj.bias"),
                        at(p + "ln_2.weight"), at(p + "ln_2.bias"), at(p + "mlp.c_fc.weight"),
                        at(p + "mlp.c_fc.bias"), at(p + "mlp.c_proj.weight"), at(p + "mlp.c_proj.bias")});
  }
  return w;
}

template <typename T>
void Gpt<T>::initialize(std::uint64_t seed) {
  Rng rng = Rng(seed).split();
  const double residual_std = 0.02 / std::sqrt(2.0 * std::max(cfg_.n_layer, 1));  // 0 layers: unused
  for (const ParamTensor& t : tensors_) {
    T* p = params_.data() + t.offset;
    const bool is_norm = t.name.find("ln_") != std::string::npos;
    const bool is_bias = t.name.size() > 5 && t.name.compare(t.name.size() - 5, 5, ".bias") == 0;
    const bool into_residual = t.name.find("c_proj.weight") != std::string::npos;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (is_bias)
        p[i] = T(0);
      else if (is_norm)
        p[i] = T(1);
      else
        p[i] = static_cast<T>(rng.normal() * (into_residual ? residual_std : 0.02));
    }
  }
}

template <typename T>
Gpt<T>::Gpt(const GptConfig& config, std::uint64_t seed) : cfg_(config) {
  cfg_.validate();
  build_tensors();
  w_ = views(params_.data());
  g_ = views(grads_.data());
  initialize(seed);
  if (cfg_.positions == Positions::rope) {
    const std::size_t n = static_cast<std::size_t>(cfg_.block_size) * (cfg_.head_dim() / 2);
    rope_cos_.resize(n);
    rope_sin_.resize(n);
    rope_tables(rope_cos_.data(), rope_sin_.data(), cfg_.block_size, cfg_.head_dim(), cfg_.rope_base);
  }
}

// ============================== activations =====================================

template <typename T>
double Gpt<T>::training_bytes(const GptConfig& c, int B, int T_len) {
  const double C = c.n_embd, F = c.ffn_hidden(), fc = c.ffn == Ffn::swiglu ? 2 * F : F, V = c.vocab_size;
  const double n = static_cast<double>(B) * T_len, att = static_cast<double>(B) * c.n_head * T_len * T_len;
  const std::vector<ParamTensor> tensors = layout(c);
  const double params = static_cast<double>(tensors.back().offset + tensors.back().size());
  // The attention half: ln1 (+ stats) qkv att_y proj_mask res_out, probs and att_mask. The MLP
  // half: res_mid ln2 (+ stats) fc_pre fc_act mlp_mask.
  const double attention_half = n * (7 * C + 2) + 2 * att;
  const double mlp_half = c.ffn == Ffn::none ? 0.0 : n * (3 * C + 2 + fc + F);
  const double per_layer = attention_half + mlp_half;
  const double global =
      n * (4 * C + 2 + 2 * V) + n * (8 * C + fc + F) + 2.0 * T_len * T_len;  // + activation grads
  return sizeof(T) * (4 * params + c.n_layer * per_layer + global);
}

template <typename T>
void Gpt<T>::ensure_activations(int B, int T_len) {
  if (B <= capacity_B_ && T_len <= capacity_T_) return;
  capacity_B_ = std::max(B, capacity_B_);
  capacity_T_ = std::max(T_len, capacity_T_);
  const std::size_t n = static_cast<std::size_t>(capacity_B_) * capacity_T_;
  const std::size_t att = static_cast<std::size_t>(capacity_B_) * cfg_.n_head * capacity_T_ * capacity_T_;
  size_activations(act_, cfg_, n, att, 2 * static_cast<std::size_t>(capacity_T_) * capacity_T_);
}

// Every buffer of Activations for n rows and att attention weights per layer.
template <typename T>
void Gpt<T>::size_activations(Activations& a, const GptConfig& cfg, std::size_t n, std::size_t att,
                              std::size_t scratch) {
  const std::size_t C = cfg.n_embd;
  const std::size_t F = cfg.ffn_hidden();
  const std::size_t fc_out = cfg.ffn == Ffn::swiglu ? 2 * F : F;
  const std::size_t V = cfg.vocab_size;
  const std::size_t mlp_n = cfg.ffn == Ffn::none ? 0 : n;  // rows of the MLP half's buffers
  a.emb.resize(n * C);
  a.emb_mask.resize(n * C);
  a.branch.resize(n * C);
  a.lnf.resize(n * C);
  a.lnf_mean.resize(n);
  a.lnf_rstd.resize(n);
  a.logits.resize(n * V);
  a.dlogits.resize(n * V);
  a.layers.resize(cfg.n_layer);
  for (LayerActivations& l : a.layers) {
    l.ln1.resize(n * C);
    l.ln1_mean.resize(n);
    l.ln1_rstd.resize(n);
    l.qkv.resize(n * 3 * C);
    l.probs.resize(att);
    l.att_mask.resize(att);
    l.att_y.resize(n * C);
    l.proj_mask.resize(n * C);
    l.res_mid.resize(mlp_n * C);
    l.ln2.resize(mlp_n * C);
    l.ln2_mean.resize(mlp_n);
    l.ln2_rstd.resize(mlp_n);
    l.fc_pre.resize(mlp_n * fc_out);
    l.fc_act.resize(mlp_n * F);
    l.mlp_mask.resize(mlp_n * C);
    l.res_out.resize(n * C);
  }
  a.dres.resize(n * C);
  a.dbranch.resize(n * C);
  a.dln.resize(n * C);
  a.dqkv.resize(n * 3 * C);
  a.datt_y.resize(n * C);
  a.dfc_pre.resize(n * fc_out);
  a.dfc_act.resize(n * F);
  a.dlnf.resize(n * C);
  a.scratch.resize(scratch);
}

// The config's norm; Norm::none is the identity: y = x, and backward dx += dy.
template <typename T>
void Gpt<T>::norm_forward(T* y, T* mean, T* rstd, const T* x, const T* w, const T* b, int n) const {
  if (cfg_.norm == Norm::none)
    std::copy_n(x, static_cast<std::size_t>(n) * cfg_.n_embd, y);
  else if (cfg_.norm == Norm::layernorm)
    layernorm_forward(y, mean, rstd, x, w, b, n, cfg_.n_embd);
  else
    rmsnorm_forward(y, rstd, x, w, n, cfg_.n_embd);
}

template <typename T>
void Gpt<T>::norm_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, const T* mean,
                           const T* rstd, int n) const {
  if (cfg_.norm == Norm::none)
    for (std::size_t i = 0; i < static_cast<std::size_t>(n) * cfg_.n_embd; ++i) dx[i] += dy[i];
  else if (cfg_.norm == Norm::layernorm)
    layernorm_backward(dx, dw, db, dy, x, w, mean, rstd, n, cfg_.n_embd);
  else
    rmsnorm_backward(dx, dw, dy, x, w, rstd, n, cfg_.n_embd);
}

// A branch's output joins the residual stream: out = res + branch, or without the
// residual (GptConfig::residual false) it replaces the stream: out = branch.
template <typename T>
void Gpt<T>::join_stream(T* out, const T* res, const T* branch, int count) const {
  if (cfg_.residual)
    for (int i = 0; i < count; ++i) out[i] = res[i] + branch[i];
  else
    std::copy_n(branch, count, out);
}

// ============================== forward =========================================
// forward (a batch, for training and evaluation) and forward_next (one more position
// against a KV cache, for sampling) run the same layers_forward and block_forward.

template <typename T>
T Gpt<T>::forward(const Batch& batch, const StepMode& mode) {
  const int B = batch.B;
  const int Tn = batch.T;
  const int V = cfg_.vocab_size;
  if (B < 1 || Tn < 1) throw ShapeError("A batch needs at least one sequence of at least one token.");
  if (Tn > cfg_.block_size)
    throw ShapeError("The sequences are " + std::to_string(Tn) +
                     " tokens long, but the model's block size is " + std::to_string(cfg_.block_size) + ".");
  const int n = B * Tn;
  for (int i = 0; i < n; ++i)
    if (batch.tokens[i] < 0 || batch.tokens[i] >= V)
      throw ShapeError("Token id " + std::to_string(batch.tokens[i]) + " is outside the vocabulary of " +
                       std::to_string(V) + " tokens.");
  if (batch.targets)
    for (int i = 0; i < n; ++i)
      if (batch.targets[i] != kIgnoreIndex && (batch.targets[i] < 0 || batch.targets[i] >= V))
        throw ShapeError("Target id " + std::to_string(batch.targets[i]) + " is outside the vocabulary of " +
                         std::to_string(V) + " tokens (use -100 for positions without a target).");
  const float p = mode.train ? mode.dropout : 0.0f;
  if (p > 0.0f && !mode.rng) throw ShapeError("Training with dropout needs a random number generator.");
  Rng none(0);
  Rng& rng = mode.rng ? *mode.rng : none;

  ensure_activations(B, Tn);
  B_ = B;
  T_ = Tn;
  tokens_.assign(batch.tokens, batch.tokens + n);
  has_targets_ = batch.targets != nullptr;
  if (has_targets_) targets_.assign(batch.targets, batch.targets + n);
  has_pad_ = batch.key_pad != nullptr;
  if (has_pad_) key_pad_.assign(batch.key_pad, batch.key_pad + n);
  layers_forward(act_, {tokens_.data(), has_pad_ ? key_pad_.data() : nullptr, B, Tn, 0, p, &rng, nullptr});
  if (!has_targets_) return T(0);
  Activations& a = act_;
  const T loss = cross_entropy(a.logits.data(), targets_.data(), n, V, a.dlogits.data());
  if (mode.loss_scale != 1.0f)
    for (std::size_t i = 0; i < static_cast<std::size_t>(n) * V; ++i) a.dlogits[i] *= mode.loss_scale;
  return loss;
}

template <typename T>
const T* Gpt<T>::forward_next(int token, KvCache<T>& cache) {
  if (cfg_.attention != AttentionMode::causal)
    throw ShapeError("A KV cache only makes sense for a causal model.");
  if (token < 0 || token >= cfg_.vocab_size)
    throw ShapeError("Token id " + std::to_string(token) + " is outside the vocabulary.");
  if (cache.length_ >= cfg_.block_size) throw ShapeError("The KV cache is full (block size reached).");
  if (next_.layers.empty())
    size_activations(next_, cfg_, 1, static_cast<std::size_t>(cfg_.n_head) * cfg_.block_size, 0);
  Rng none(0);
  layers_forward(next_, {&token, nullptr, 1, 1, cache.length_, 0.0f, &none, &cache});
  ++cache.length_;
  return next_.logits.data();
}

// The layer sequence forward and forward_next share, writing a.logits:
//   x = dropout(wte[tokens] (+ wpe[positions])); every block; logits = norm_f(x) lm_head^T
template <typename T>
void Gpt<T>::layers_forward(Activations& a, const Pass& pass) {
  const int n = pass.B * pass.T_len;
  const int C = cfg_.n_embd;
  T* x = a.branch.data();  // the output of the current branch, before it joins the residual stream
  const T* wpe = w_.wpe ? w_.wpe + static_cast<std::size_t>(pass.pos) * C : nullptr;
  embedding_forward(x, pass.tokens, w_.wte, wpe, n, pass.T_len, C);
  dropout_forward(a.emb.data(), a.emb_mask.data(), x, n * C, pass.dropout, *pass.rng);
  const T* res = a.emb.data();
  for (int l = 0; l < cfg_.n_layer; ++l) res = block_forward(l, a.layers[l], a, res, pass);
  head_forward(a.logits.data(), a.lnf.data(), a.lnf_mean.data(), a.lnf_rstd.data(), res, n);
}

// The read-out: lnf = norm_f(x) (keeping mean and rstd for backward), logits = lnf lm_head^T.
template <typename T>
void Gpt<T>::head_forward(T* logits, T* lnf, T* mean, T* rstd, const T* x, int n) const {
  norm_forward(lnf, mean, rstd, x, w_.lnf_w, w_.lnf_b, n);
  linear_forward<T>(logits, lnf, w_.lm_head, nullptr, n, cfg_.n_embd, cfg_.vocab_size);
}

template <typename T>
void Gpt<T>::read_out(T* logits, const T* x, int n) const {
  std::vector<T> lnf(static_cast<std::size_t>(n) * cfg_.n_embd), mean(n), rstd(n);
  head_forward(logits, lnf.data(), mean.data(), rstd.data(), x, n);
}

// One transformer block on the residual stream res; returns its output (L.res_out). Without an
// FFN the block is its attention half, which then writes L.res_out.
template <typename T>
const T* Gpt<T>::block_forward(int l, LayerActivations& L, Activations& a, const T* res, const Pass& pass) {
  const int n = pass.B * pass.T_len;
  const int C = cfg_.n_embd;
  const int NH = cfg_.n_head;
  const int F = cfg_.ffn_hidden();
  const int fc_out = cfg_.ffn == Ffn::swiglu ? 2 * F : F;
  const float p = pass.dropout;
  Rng& rng = *pass.rng;
  const Layer& w = w_.layers[l];
  T* x = a.branch.data();
  T* mid = cfg_.ffn == Ffn::none ? L.res_out.data() : L.res_mid.data();
  // attention block: res_mid = res + dropout(proj(attention(rope(qkv(norm1(res)))))), without the
  // residual res_mid = dropout(...)
  norm_forward(L.ln1.data(), L.ln1_mean.data(), L.ln1_rstd.data(), res, w.ln1_w, w.ln1_b, n);
  linear_forward(L.qkv.data(), L.ln1.data(), w.qkv_w, w.qkv_b, n, C, 3 * C);
  if (cfg_.positions == Positions::rope) {
    const std::size_t from = static_cast<std::size_t>(pass.pos) * (cfg_.head_dim() / 2);  // tables' row pos
    rope_forward(L.qkv.data(), rope_cos_.data() + from, rope_sin_.data() + from, pass.B, pass.T_len, C, NH);
  }
  if (pass.cache) {
    attention_next(L.att_y.data(), L.probs.data(), L.qkv.data(), pass.cache->k_[l].data(),
                   pass.cache->v_[l].data(), pass.pos, C, NH);
  } else {
    const AttentionShape shape{pass.B, pass.T_len, C, NH, cfg_.attention == AttentionMode::causal};
    attention_forward(L.att_y.data(), L.probs.data(), L.att_mask.data(), a.scratch.data(), L.qkv.data(),
                      pass.key_pad, shape, p, rng);
  }
  linear_forward(x, L.att_y.data(), w.proj_w, w.proj_b, n, C, C);
  dropout_forward(x, L.proj_mask.data(), x, n * C, p, rng);
  join_stream(mid, res, x, n * C);
  if (cfg_.ffn == Ffn::none) return mid;
  // MLP block: res_out = res_mid + dropout(mlp(norm2(res_mid))), without the residual dropout(...)
  norm_forward(L.ln2.data(), L.ln2_mean.data(), L.ln2_rstd.data(), L.res_mid.data(), w.ln2_w, w.ln2_b, n);
  linear_forward(L.fc_pre.data(), L.ln2.data(), w.fc_w, w.fc_b, n, C, fc_out);
  if (cfg_.ffn == Ffn::gelu)
    gelu_forward(L.fc_act.data(), L.fc_pre.data(), n * F);
  else
    swiglu_forward(L.fc_act.data(), L.fc_pre.data(), n, F);
  linear_forward(x, L.fc_act.data(), w.fc_proj_w, w.fc_proj_b, n, F, C);
  dropout_forward(x, L.mlp_mask.data(), x, n * C, p, rng);
  join_stream(L.res_out.data(), L.res_mid.data(), x, n * C);
  return L.res_out.data();
}

// ============================== backward ========================================

template <typename T>
void Gpt<T>::backward() {
  if (!has_targets_) throw ShapeError("backward() needs a forward pass with targets.");
  const int B = B_, Tn = T_, n = B * Tn, C = cfg_.n_embd, V = cfg_.vocab_size, F = cfg_.ffn_hidden();
  const int fc_out = cfg_.ffn == Ffn::swiglu ? 2 * F : F;
  Activations& a = act_;
  const AttentionShape shape{B, Tn, C, cfg_.n_head, cfg_.attention == AttentionMode::causal};
  auto zero = [](std::vector<T>& v, std::size_t count) { std::fill(v.begin(), v.begin() + count, T(0)); };
  const std::size_t nC = static_cast<std::size_t>(n) * C;

  // LM head and final norm
  const T* res_last = cfg_.n_layer ? a.layers.back().res_out.data() : a.emb.data();
  linear_backward<T>(a.dlnf.data(), g_.lm_head, nullptr, a.dlogits.data(), a.lnf.data(), w_.lm_head, n, C, V);
  zero(a.dres, nC);
  norm_backward(a.dres.data(), g_.lnf_w, g_.lnf_b, a.dlnf.data(), res_last, w_.lnf_w, a.lnf_mean.data(),
                a.lnf_rstd.data(), n);

  for (int l = cfg_.n_layer - 1; l >= 0; --l) {
    const Layer& w = w_.layers[l];
    const Layer& g = g_.layers[l];
    LayerActivations& L = a.layers[l];
    const T* res_in = l ? a.layers[l - 1].res_out.data() : a.emb.data();
    // MLP block (dres = d res_out, which flows unchanged to res_mid, plus the branch;
    // without the residual only through the branch). Without an FFN there is none.
    if (cfg_.ffn != Ffn::none) {
      dropout_backward(a.dbranch.data(), a.dres.data(), L.mlp_mask.data(), n * C);
      linear_backward(a.dfc_act.data(), g.fc_proj_w, g.fc_proj_b, a.dbranch.data(), L.fc_act.data(),
                      w.fc_proj_w, n, F, C);
      if (cfg_.ffn == Ffn::gelu)
        gelu_backward(a.dfc_pre.data(), a.dfc_act.data(), L.fc_pre.data(), n * F);
      else
        swiglu_backward(a.dfc_pre.data(), a.dfc_act.data(), L.fc_pre.data(), n, F);
      linear_backward(a.dln.data(), g.fc_w, g.fc_b, a.dfc_pre.data(), L.ln2.data(), w.fc_w, n, C, fc_out);
      if (!cfg_.residual) zero(a.dres, nC);
      norm_backward(a.dres.data(), g.ln2_w, g.ln2_b, a.dln.data(), L.res_mid.data(), w.ln2_w,
                    L.ln2_mean.data(), L.ln2_rstd.data(), n);
    }
    // attention block (dres = d res_mid, or d res_out without an FFN)
    dropout_backward(a.dbranch.data(), a.dres.data(), L.proj_mask.data(), n * C);
    linear_backward(a.datt_y.data(), g.proj_w, g.proj_b, a.dbranch.data(), L.att_y.data(), w.proj_w, n, C, C);
    attention_backward(a.dqkv.data(), a.scratch.data(), a.datt_y.data(), L.qkv.data(), L.probs.data(),
                       L.att_mask.data(), shape);
    if (cfg_.positions == Positions::rope)
      rope_backward(a.dqkv.data(), rope_cos_.data(), rope_sin_.data(), B, Tn, C, cfg_.n_head);
    linear_backward(a.dln.data(), g.qkv_w, g.qkv_b, a.dqkv.data(), L.ln1.data(), w.qkv_w, n, C, 3 * C);
    if (!cfg_.residual) zero(a.dres, nC);
    norm_backward(a.dres.data(), g.ln1_w, g.ln1_b, a.dln.data(), res_in, w.ln1_w, L.ln1_mean.data(),
                  L.ln1_rstd.data(), n);
  }

  // embeddings (dres = d emb)
  dropout_backward(a.dbranch.data(), a.dres.data(), a.emb_mask.data(), n * C);
  embedding_backward(g_.wte, g_.wpe, a.dbranch.data(), tokens_.data(), n, Tn, C);
}

template <typename T>
const T* Gpt<T>::attention(int layer) const {
  if (layer < 0 || layer >= cfg_.n_layer || B_ == 0)
    throw ShapeError("There is no attention for layer " + std::to_string(layer) +
                     " (run a forward pass first).");
  return act_.layers[layer].probs.data();
}

template <typename T>
const T* Gpt<T>::residual(int after) const {
  if (after < 0 || after > cfg_.n_layer || B_ == 0)
    throw ShapeError("There is no residual stream after layer " + std::to_string(after) +
                     " (run a forward pass first).");
  return after == 0 ? act_.emb.data() : act_.layers[after - 1].res_out.data();
}

template class Gpt<float>;
template class Gpt<double>;

}  // namespace gptlab
