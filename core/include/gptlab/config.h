// The model's configuration: one small struct (nanoGPT's GPTConfig), and every
// size derived from it computed in one place.
#pragma once

#include <string>

namespace gptlab {

enum class Positions { rope, learned };         // RoPE as in LLaMA, or GPT-2's learned absolute positions
enum class Ffn { gelu, swiglu };                // GPT-2's 4x GELU MLP, or LLaMA's SwiGLU
enum class Norm { layernorm, rmsnorm };
enum class AttentionMode { causal, bidirectional };

struct GptConfig {
  int vocab_size = 65;
  int block_size = 128;  // the longest sequence the model sees
  int n_layer = 4;
  int n_head = 8;
  int n_embd = 64;
  float dropout = 0.0f;
  Positions positions = Positions::rope;
  Ffn ffn = Ffn::gelu;
  Norm norm = Norm::layernorm;
  AttentionMode attention = AttentionMode::causal;
  bool tie_weights = false;  // share the token embedding with the LM head
  int ffn_multiple_of = 256;  // SwiGLU hidden size is rounded up to a multiple of this (LLaMA)
  float rope_base = 10000.0f;

  int head_dim() const { return n_embd / n_head; }
  // GELU: 4 C. SwiGLU (LLaMA): 2/3 of 4 C, rounded up to a multiple of ffn_multiple_of.
  int ffn_hidden() const;
  // Throws ShapeError with a sentence for a configuration no model can have.
  void validate() const;
};

const char* to_string(Positions p);
const char* to_string(Ffn f);
const char* to_string(Norm n);
const char* to_string(AttentionMode a);

}  // namespace gptlab
