#include "gptlab/generate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "gptlab/error.h"
#include "gptlab/layers.h"

namespace gptlab {

KvCache::KvCache(const GptConfig& c)
    : k_(c.n_layer, std::vector<float>(static_cast<std::size_t>(c.block_size) * c.n_embd)),
      v_(c.n_layer, std::vector<float>(static_cast<std::size_t>(c.block_size) * c.n_embd)) {}

// ---- forward_next: the layers of gpt.cpp's forward, for one row ----------------------
// attention of the new query over the cached keys 0..pos: p = softmax(q k_j / sqrt(hs)), y = sum_j p_j v_j
template <typename T>
const T* Gpt<T>::forward_next(int token, KvCache& cache) {
  if constexpr (!std::is_same_v<T, float>) {
    throw ShapeError("forward_next runs in float.");
  } else {
    if (cfg_.attention != AttentionMode::causal) throw ShapeError("A KV cache only makes sense for a causal model.");
    if (token < 0 || token >= cfg_.vocab_size) throw ShapeError("Token id " + std::to_string(token) + " is outside the vocabulary.");
    if (cache.length_ >= cfg_.block_size) throw ShapeError("The KV cache is full (block size reached).");
    const int C = cfg_.n_embd, F = cfg_.ffn_hidden(), fc_out = cfg_.ffn == Ffn::swiglu ? 2 * F : F, NH = cfg_.n_head;
    const int hs = C / NH, pos = cache.length_;
    next_x_.resize(C);
    next_buf_.resize(C);
    next_qkv_.resize(3 * C);
    next_att_.resize(cfg_.block_size);
    next_hidden_.resize(fc_out + F);
    next_logits_.resize(cfg_.vocab_size);
    float mean, rstd;
    float* x = next_x_.data();
    // The layers of a one-row batch; tables that depend on the position start at row pos.
    const std::size_t half = hs / 2;
    embedding_forward(x, &token, w_.wte, w_.wpe ? w_.wpe + static_cast<std::size_t>(pos) * C : nullptr, 1, 1, C);
    for (int l = 0; l < cfg_.n_layer; ++l) {
      const Layer& w = w_.layers[l];
      float* h = next_buf_.data();
      norm_forward(h, &mean, &rstd, x, w.ln1_w, w.ln1_b, 1);
      linear_forward(next_qkv_.data(), h, w.qkv_w, w.qkv_b, 1, C, 3 * C);
      if (cfg_.positions == Positions::rope)
        rope_forward(next_qkv_.data(), rope_cos_.data() + pos * half, rope_sin_.data() + pos * half, 1, 1, C, NH);
      float* K = cache.k_[l].data();
      float* V = cache.v_[l].data();
      std::copy_n(next_qkv_.data() + C, C, K + static_cast<std::size_t>(pos) * C);
      std::copy_n(next_qkv_.data() + 2 * C, C, V + static_cast<std::size_t>(pos) * C);
      const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
      for (int hd = 0; hd < NH; ++hd) {
        const float* q = next_qkv_.data() + hd * hs;
        float* p = next_att_.data();
        float maxv = -INFINITY;
        for (int j = 0; j <= pos; ++j) {
          float s = 0;
          for (int i = 0; i < hs; ++i) s += q[i] * K[static_cast<std::size_t>(j) * C + hd * hs + i];
          p[j] = s * scale;
          maxv = std::max(maxv, p[j]);
        }
        float sum = 0;
        for (int j = 0; j <= pos; ++j) sum += (p[j] = std::exp(p[j] - maxv));
        float* y = h + hd * hs;
        std::fill(y, y + hs, 0.0f);
        for (int j = 0; j <= pos; ++j)
          for (int i = 0; i < hs; ++i) y[i] += p[j] / sum * V[static_cast<std::size_t>(j) * C + hd * hs + i];
      }
      float* proj = next_hidden_.data();
      linear_forward(proj, h, w.proj_w, w.proj_b, 1, C, C);
      for (int c = 0; c < C; ++c) x[c] += proj[c];
      norm_forward(h, &mean, &rstd, x, w.ln2_w, w.ln2_b, 1);
      float* pre = next_hidden_.data();
      float* act = pre + fc_out;
      linear_forward(pre, h, w.fc_w, w.fc_b, 1, C, fc_out);
      if (cfg_.ffn == Ffn::gelu) gelu_forward(act, pre, F);
      else swiglu_forward(act, pre, 1, F);
      linear_forward(h, act, w.fc_proj_w, w.fc_proj_b, 1, F, C);
      for (int c = 0; c < C; ++c) x[c] += h[c];
    }
    norm_forward(next_buf_.data(), &mean, &rstd, x, w_.lnf_w, w_.lnf_b, 1);
    linear_forward<float>(next_logits_.data(), next_buf_.data(), w_.lm_head, nullptr, 1, C, cfg_.vocab_size);
    ++cache.length_;
    return next_logits_.data();
  }
}

template const float* Gpt<float>::forward_next(int, KvCache&);
template const double* Gpt<double>::forward_next(int, KvCache&);

// ---- sampling -------------------------------------------------------------------------

std::vector<int> never_sampled(const Tokenizer& tokenizer) {
  std::vector<int> ids;
  for (const char* name : {"<pad>", "<mask>", "<bos>"})
    if (const int id = tokenizer.special_id(name); id >= 0) ids.push_back(id);
  return ids;
}

int sample_token(const float* logits, int V, const SamplingOptions& o, Rng& rng) {
  if (!(o.temperature >= 0)) throw OptionError("The temperature cannot be negative.");
  if (!(o.top_p > 0 && o.top_p <= 1)) throw OptionError("top_p must be above 0 and at most 1.");
  if (o.top_k < 0) throw OptionError("top_k cannot be negative.");
  for (int i = 0; i < V; ++i)
    if (!std::isfinite(logits[i])) throw ShapeError("The model produced a non-finite logit; it cannot be sampled.");
  std::vector<int> order;  // the drawable ids, most likely first
  for (int i = 0; i < V; ++i)
    if (std::find(o.banned.begin(), o.banned.end(), i) == o.banned.end()) order.push_back(i);
  if (order.empty()) throw ShapeError("Every token is banned from sampling; there is nothing to draw.");
  const int drawable = static_cast<int>(order.size());
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return logits[a] > logits[b]; });
  if (o.temperature == 0) return order[0];
  const int k = o.top_k > 0 ? std::min(o.top_k, drawable) : drawable;
  std::vector<double> p(k);
  for (int i = 0; i < k; ++i) p[i] = std::exp((logits[order[i]] - logits[order[0]]) / o.temperature);
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  int keep = 0;  // top-p: the smallest prefix whose probability reaches p (at least one token)
  for (double mass = 0; keep < k && (keep == 0 || mass < o.top_p * total); ++keep) mass += p[keep];
  const double kept = std::accumulate(p.begin(), p.begin() + keep, 0.0);
  double u = rng.uniform_double() * kept;
  for (int i = 0; i < keep; ++i)
    if ((u -= p[i]) < 0) return order[i];
  return order[keep - 1];
}

std::vector<int> generate(Gpt<float>& model, const std::vector<int>& prompt, int max_new_tokens,
                          const SamplingOptions& options, Rng& rng, const std::function<bool(int)>& on_token) {
  if (prompt.empty()) throw ShapeError("Generation needs a prompt of at least one token.");
  const int block = model.config().block_size;
  KvCache cache(model.config());
  std::vector<int> context(prompt.end() - std::min<std::ptrdiff_t>(prompt.size(), block - 1), prompt.end());
  const float* logits = nullptr;
  for (int t : context) logits = model.forward_next(t, cache);
  std::vector<int> out;
  for (int i = 0; i < max_new_tokens; ++i) {
    const int next = sample_token(logits, model.config().vocab_size, options, rng);
    out.push_back(next);
    context.push_back(next);
    if (on_token && !on_token(next)) break;
    if (i + 1 == max_new_tokens) break;
    if (cache.length() == block) {  // full: keep the last half and run it again from position 0
      context.erase(context.begin(), context.end() - block / 2);
      cache.clear();
      for (std::size_t j = 0; j + 1 < context.size(); ++j) model.forward_next(context[j], cache);
    }
    logits = model.forward_next(next, cache);
  }
  return out;
}

std::vector<std::vector<Candidate>> fill_masks(Gpt<float>& model, const std::vector<int>& tokens, int mask_id, int k) {
  if (tokens.empty()) throw ShapeError("There is no text to fill in.");
  if (static_cast<int>(tokens.size()) > model.config().block_size)
    throw ShapeError("The text is " + std::to_string(tokens.size()) + " tokens long; the model reads at most " +
                     std::to_string(model.config().block_size) + ".");
  model.forward({tokens.data(), nullptr, nullptr, 1, static_cast<int>(tokens.size())});
  const int V = model.vocab_size();
  std::vector<std::vector<Candidate>> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] != mask_id) continue;
    const float* l = model.logits() + i * V;
    const float maxv = *std::max_element(l, l + V);
    double sum = 0;
    for (int j = 0; j < V; ++j) sum += std::exp(l[j] - maxv);
    std::vector<Candidate> c(V);
    for (int j = 0; j < V; ++j) c[j] = {j, static_cast<float>(std::exp(l[j] - maxv) / sum)};
    std::partial_sort(c.begin(), c.begin() + std::min(k, V), c.end(),
                      [](const Candidate& a, const Candidate& b) { return a.probability > b.probability; });
    c.resize(std::min(k, V));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace gptlab
