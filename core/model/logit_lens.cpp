#include "model/logit_lens.h"

#include <string>

#include "errors.h"

namespace gptlab {

std::vector<std::vector<Candidate>> logit_lens(Gpt<float>& model, const std::vector<int>& tokens,
                                               int position, int k) {
  if (tokens.empty()) throw ShapeError("There is no text to look at.");
  const int T = static_cast<int>(tokens.size());
  if (T > model.config().block_size)
    throw ShapeError("The text is " + std::to_string(T) + " tokens long; the model reads at most " +
                     std::to_string(model.config().block_size) + ".");
  if (position < 0 || position >= T)
    throw ShapeError("Position " + std::to_string(position) + " is outside the text's " + std::to_string(T) +
                     " tokens.");
  model.forward({tokens.data(), nullptr, nullptr, 1, T});
  const int C = model.config().n_embd, V = model.vocab_size();
  std::vector<float> logits(V);
  std::vector<std::vector<Candidate>> out;
  for (int after = 0; after <= model.config().n_layer; ++after) {
    model.read_out(logits.data(), model.residual(after) + static_cast<std::size_t>(position) * C, 1);
    out.push_back(most_likely(logits.data(), V, k));
  }
  return out;
}

}  // namespace gptlab
