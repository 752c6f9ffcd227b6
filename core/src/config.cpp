#include "gptlab/config.h"

#include "gptlab/error.h"

namespace gptlab {

int GptConfig::ffn_hidden() const {
  if (ffn == Ffn::gelu) return 4 * n_embd;
  const int hidden = 2 * (4 * n_embd) / 3;
  return ffn_multiple_of * ((hidden + ffn_multiple_of - 1) / ffn_multiple_of);
}

void GptConfig::validate() const {
  auto need = [](bool ok, const std::string& sentence) {
    if (!ok) throw ShapeError(sentence);
  };
  need(vocab_size >= 1, "The vocabulary needs at least one token.");
  need(block_size >= 1, "The block size (context length) must be at least 1.");
  need(n_layer >= 1 && n_layer <= 1000, "The model needs at least one layer and at most 1000.");
  need(n_head >= 1, "The model needs at least one attention head.");
  need(n_embd >= 1, "The embedding width n_embd must be at least 1.");
  need(n_embd % n_head == 0, "n_embd (" + std::to_string(n_embd) + ") must be divisible by the number of heads (" +
                                 std::to_string(n_head) + ").");
  need(positions != Positions::rope || head_dim() % 2 == 0,
       "RoPE rotates pairs of numbers, so the head size n_embd / n_head (" + std::to_string(head_dim()) +
           ") must be even.");
  need(dropout >= 0.0f && dropout < 1.0f, "Dropout must be at least 0 and below 1.");
  need(ffn_multiple_of >= 1, "ffn_multiple_of must be at least 1.");
  need(rope_base > 1.0f, "The RoPE base must be above 1.");
  const double params = 12.0 * n_layer * n_embd * static_cast<double>(n_embd) + 2.0 * vocab_size * n_embd;
  need(params < 2e9, "This configuration has about " + std::to_string(static_cast<long long>(params / 1e6)) +
                         " million parameters; gptlab models stay below 2 billion.");
  need(static_cast<double>(vocab_size) * n_embd < 2e9 && static_cast<double>(block_size) * n_embd < 2e9,
       "The embedding tables of this configuration are too large.");
}

const char* to_string(Positions p) { return p == Positions::rope ? "rope" : "learned"; }
const char* to_string(Ffn f) { return f == Ffn::gelu ? "gelu" : "swiglu"; }
const char* to_string(Norm n) { return n == Norm::layernorm ? "layernorm" : "rmsnorm"; }
const char* to_string(AttentionMode a) { return a == AttentionMode::causal ? "causal" : "bidirectional"; }

}  // namespace gptlab
