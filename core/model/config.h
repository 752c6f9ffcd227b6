// The model's configuration: one small struct (nanoGPT's GPTConfig), and every
// size derived from it computed in one place.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace gptlab {

// No position information at all (attention alone cannot tell the order; a causal mask still
// leaks some), GPT-2's learned absolute positions, or RoPE as in LLaMA.
enum class Positions { none, learned, rope };
// No MLP (a block is its attention half only), GPT-2's 4x GELU MLP, or LLaMA's SwiGLU.
enum class Ffn { none, gelu, swiglu };
// No norm (the identity, with no weights), LayerNorm or RMSNorm.
enum class Norm { none, layernorm, rmsnorm };
enum class AttentionMode { causal, bidirectional };
// What the model learns to predict: the next token (causal LM), masked tokens
// (BERT's masked LM) or masked tokens from the position before (MNTP). The
// masked objectives train with bidirectional attention.
enum class Objective { causal, masked, mntp };
// The tokenizer a run trains on its corpus: characters, or byte-level BPE with no
// pre-split, GPT-2's split or GPT-4's split.
enum class TokenizerKind { characters, bpe, bpe_gpt2, bpe_gpt4 };
// Which tensors AdamW's weight decay pulls towards zero: none, every tensor (biases and
// norm weights too), or nanoGPT's rule: the matrices (tensors of 2 or more dimensions,
// linear weights and embeddings).
enum class Decay { none, all, matrices };
// How the 2-D weights inside the blocks are updated: AdamW like every other tensor, or
// Muon (train/muon.h), which orthogonalizes their momentum; the rest stays on AdamW.
enum class Optimizer { adamw, muon };

struct GptConfig {
  int vocab_size = 65;
  int block_size = 128;  // the longest sequence the model sees
  int n_layer = 4;       // 0: embeddings straight into the final norm and the LM head (a bigram model)
  int n_head = 8;
  int n_embd = 64;
  float dropout = 0.0f;
  Positions positions = Positions::rope;
  Ffn ffn = Ffn::gelu;
  Norm norm = Norm::layernorm;
  AttentionMode attention = AttentionMode::causal;
  bool tie_weights = false;  // share the token embedding with the LM head
  // true: each half of a block adds to the stream, x = x + branch(x); false: it replaces
  // the stream, x = branch(x).
  bool residual = true;
  int ffn_multiple_of = 256;  // SwiGLU hidden size is rounded up to a multiple of this (LLaMA)
  float rope_base = 10000.0f;

  int head_dim() const { return n_embd / n_head; }
  // GELU: 4 C. SwiGLU (LLaMA): 2/3 of 4 C, rounded up to a multiple of ffn_multiple_of. No FFN: 0.
  int ffn_hidden() const;
  // Throws ShapeError with a sentence for a configuration no model can have.
  void validate() const;
};

// ---- option names ----------------------------------------------------------------------
// Every option above has one name per value, the same in the CLI, the bindings and
// checkpoints: to_string gives it, parse_* reads it back and throws OptionError with
// a sentence listing the names for any other text, e.g.
//   Unknown ffn "relu"; use none, gelu or swiglu.
const char* to_string(Positions p);      // none, learned, rope
const char* to_string(Ffn f);            // none, gelu, swiglu
const char* to_string(Norm n);           // none, layernorm, rmsnorm
const char* to_string(AttentionMode a);  // causal, bidirectional
const char* to_string(Objective o);      // causal, masked, mntp
const char* to_string(TokenizerKind t);  // char, bpe, bpe-gpt2, bpe-gpt4
const char* to_string(Decay d);          // none, all, matrices
const char* to_string(Optimizer o);      // adamw, muon

Positions parse_positions(std::string_view name);
Ffn parse_ffn(std::string_view name);
Norm parse_norm(std::string_view name);
AttentionMode parse_attention(std::string_view name);
Objective parse_objective(std::string_view name);
TokenizerKind parse_tokenizer_kind(std::string_view name);
Decay parse_decay(std::string_view name);
Optimizer parse_optimizer(std::string_view name);

// Every value of an option in order, e.g. all_values<Ffn>() = {none, gelu, swiglu}.
template <typename E>
std::span<const E> all_values();
// Their names joined by `separator`, e.g. option_names<Ffn>("|") = "none|gelu|swiglu".
template <typename E>
std::string option_names(std::string_view separator);

}  // namespace gptlab
