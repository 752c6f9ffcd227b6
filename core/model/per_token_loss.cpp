#include "model/per_token_loss.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "errors.h"

namespace gptlab {

namespace {

// -log softmax(l)_target = log sum_j exp(l_j - max) + max - l_target, in double.
double next_token_loss(const float* l, int V, int target) {
  const double maxv = *std::max_element(l, l + V);
  double sum = 0;
  for (int j = 0; j < V; ++j) sum += std::exp(l[j] - maxv);
  return std::log(sum) + maxv - l[target];
}

}  // namespace

std::vector<NextTokenLoss> per_token_loss(Gpt<float>& model, const std::vector<int>& tokens, int k) {
  if (model.config().attention != AttentionMode::causal)
    throw ShapeError("The per-token loss is for next-token models; this one is masked (bidirectional).");
  if (tokens.empty()) throw ShapeError("There is no text to look at.");
  const int T = static_cast<int>(tokens.size());
  if (T > model.config().block_size)
    throw ShapeError("The text is " + std::to_string(T) + " tokens long; the model reads at most " +
                     std::to_string(model.config().block_size) + ".");
  model.forward({tokens.data(), nullptr, nullptr, 1, T});
  const int V = model.vocab_size();
  std::vector<NextTokenLoss> out;
  for (int t = 0; t + 1 < T; ++t) {
    const float* l = model.logits() + static_cast<std::size_t>(t) * V;
    out.push_back({static_cast<float>(next_token_loss(l, V, tokens[t + 1])), most_likely(l, V, k)});
  }
  return out;
}

}  // namespace gptlab
