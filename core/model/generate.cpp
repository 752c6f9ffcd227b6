#include "model/generate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "errors.h"

namespace gptlab {

// ---- sampling -------------------------------------------------------------------------

std::vector<int> never_sampled(const Tokenizer& tokenizer) {
  std::vector<int> ids;
  for (const char* name : {"<pad>", "<mask>", "<bos>"})
    if (const int id = tokenizer.special_id(name); id >= 0) ids.push_back(id);
  return ids;
}

namespace {

// The ids sampling may draw, most likely first, with unnormalised weights
// w_i = exp((l_i - l_max) / temperature) and their sum: the drawable (not banned) ids, cut to
// the top_k largest logits, then to the shortest prefix whose mass reaches top_p of theirs.
// Temperature 0 keeps the likeliest drawable id alone, with weight 1.
struct KeptTokens {
  std::vector<int> ids;
  std::vector<double> weights;
  double total;
};

KeptTokens kept_tokens(const float* logits, int V, const SamplingOptions& o) {
  if (!(o.temperature >= 0)) throw OptionError("The temperature cannot be negative.");
  if (!(o.top_p > 0 && o.top_p <= 1)) throw OptionError("top_p must be above 0 and at most 1.");
  if (o.top_k < 0) throw OptionError("top_k cannot be negative.");
  for (int i = 0; i < V; ++i)
    if (!std::isfinite(logits[i]))
      throw ShapeError("The model produced a non-finite logit; it cannot be sampled.");
  std::vector<int> order;  // the drawable ids, most likely first
  for (int i = 0; i < V; ++i)
    if (std::find(o.banned.begin(), o.banned.end(), i) == o.banned.end()) order.push_back(i);
  if (order.empty()) throw ShapeError("Every token is banned from sampling; there is nothing to draw.");
  const int drawable = static_cast<int>(order.size());
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return logits[a] > logits[b]; });
  if (o.temperature == 0) return {{order[0]}, {1.0}, 1.0};
  const int k = o.top_k > 0 ? std::min(o.top_k, drawable) : drawable;
  std::vector<double> p(k);
  for (int i = 0; i < k; ++i) p[i] = std::exp((logits[order[i]] - logits[order[0]]) / o.temperature);
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  int keep = 0;  // top-p: the smallest prefix whose probability reaches p (at least one token)
  for (double mass = 0; keep < k && (keep == 0 || mass < o.top_p * total); ++keep) mass += p[keep];
  order.resize(keep);
  p.resize(keep);
  const double kept = std::accumulate(p.begin(), p.end(), 0.0);
  return {std::move(order), std::move(p), kept};
}

}  // namespace

// p_i = w_i / sum of the kept weights at the kept ids, 0 at every other id.
std::vector<float> sampling_distribution(const float* logits, int V, const SamplingOptions& o) {
  const KeptTokens kept = kept_tokens(logits, V, o);
  std::vector<float> p(V, 0.0f);
  for (std::size_t i = 0; i < kept.ids.size(); ++i)
    p[kept.ids[i]] = static_cast<float>(kept.weights[i] / kept.total);
  return p;
}

// Inverse-CDF sampling over the kept ids, most likely first: the first id whose running
// weight passes u * total, u uniform in [0, 1). Temperature 0 draws no random number.
int sample_token(const float* logits, int V, const SamplingOptions& o, Rng& rng) {
  const KeptTokens kept = kept_tokens(logits, V, o);
  if (o.temperature == 0) return kept.ids[0];
  double u = rng.uniform_double() * kept.total;
  for (std::size_t i = 0; i < kept.ids.size(); ++i)
    if ((u -= kept.weights[i]) < 0) return kept.ids[i];
  return kept.ids.back();
}

std::vector<Candidate> most_likely(const float* logits, int V, int k) {
  const float maxv = *std::max_element(logits, logits + V);
  double sum = 0;
  for (int j = 0; j < V; ++j) sum += std::exp(static_cast<double>(logits[j]) - maxv);
  std::vector<Candidate> c(V);
  for (int j = 0; j < V; ++j)
    c[j] = {j, static_cast<float>(std::exp(static_cast<double>(logits[j]) - maxv) / sum)};
  const int n = std::clamp(k, 0, V);
  std::partial_sort(c.begin(), c.begin() + n, c.end(), [&](const Candidate& a, const Candidate& b) {
    return logits[a.token] > logits[b.token] || (logits[a.token] == logits[b.token] && a.token < b.token);
  });
  c.resize(n);
  return c;
}

namespace {

// Without a cache: each token's logits from a forward pass over the whole context, cut to
// its last block_size tokens; the last position's logits predict the next token.
std::vector<int> generate_without_cache(Gpt<float>& model, const std::vector<int>& prompt, int max_new_tokens,
                                        const SamplingOptions& options, Rng& rng,
                                        const std::function<bool(int)>& on_token) {
  if (model.config().attention != AttentionMode::causal)
    throw ShapeError("Only a causal model continues text; this one is bidirectional.");
  const std::size_t block = model.config().block_size;
  const int V = model.config().vocab_size;
  std::vector<int> context = prompt, out;
  for (int i = 0; i < max_new_tokens; ++i) {
    if (context.size() > block)
      context.erase(context.begin(), context.end() - static_cast<std::ptrdiff_t>(block));
    const int len = static_cast<int>(context.size());
    model.forward({context.data(), nullptr, nullptr, 1, len});
    const int next = sample_token(model.logits() + static_cast<std::size_t>(len - 1) * V, V, options, rng);
    out.push_back(next);
    context.push_back(next);
    if (on_token && !on_token(next)) break;
  }
  return out;
}

}  // namespace

std::vector<int> generate(Gpt<float>& model, const std::vector<int>& prompt, int max_new_tokens,
                          const SamplingOptions& options, Rng& rng,
                          const std::function<bool(int)>& on_token) {
  if (prompt.empty()) throw ShapeError("Generation needs a prompt of at least one token.");
  if (!options.kv_cache) return generate_without_cache(model, prompt, max_new_tokens, options, rng, on_token);
  const int block = model.config().block_size;
  KvCache<float> cache(model.config());
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

std::vector<std::vector<Candidate>> fill_masks(Gpt<float>& model, const std::vector<int>& tokens, int mask_id,
                                               int k) {
  if (tokens.empty()) throw ShapeError("There is no text to fill in.");
  if (static_cast<int>(tokens.size()) > model.config().block_size)
    throw ShapeError("The text is " + std::to_string(tokens.size()) +
                     " tokens long; the model reads at most " + std::to_string(model.config().block_size) +
                     ".");
  model.forward({tokens.data(), nullptr, nullptr, 1, static_cast<int>(tokens.size())});
  const int V = model.vocab_size();
  std::vector<std::vector<Candidate>> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] != mask_id) continue;
    out.push_back(most_likely(model.logits() + i * V, V, k));
  }
  return out;
}

}  // namespace gptlab
