// The layers of the model, each a forward/backward pair over plain row-major
// buffers (after llm.c). Conventions:
//   - n is the number of rows (batch x time), C a width;
//   - forward writes its outputs;
//   - backward ADDS into the gradients of its inputs and parameters (callers
//     zero them once per step), so residual branches and tied weights simply sum.
// Each is a template over the scalar type: float to train, double for the
// finite-difference checks in the tests.
#pragma once

#include <cstdint>

#include "numerics/rng.h"

namespace gptlab {

// ---- linear: y = x W^T + b, W stored (out x in) as in PyTorch -------------------
template <typename T>
void linear_forward(T* y, const T* x, const T* w, const T* b, int n, int in, int out);
// dx = dy W;  dW += dy^T x;  db += sum_rows dy   (dx, db may be null; the weights' gradients
// accumulate over a step, an activation's gradient is written afresh)
template <typename T>
void linear_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int n, int in, int out);

// ---- embeddings: x[i] = wte[token[i]] (+ wpe[i % T]) -----------------------------
template <typename T>
void embedding_forward(T* x, const int* tokens, const T* wte, const T* wpe, int n, int T_len, int C);
template <typename T>
void embedding_backward(T* dwte, T* dwpe, const T* dx, const int* tokens, int n, int T_len, int C);

// ---- LayerNorm: y = (x - mean) / sqrt(var + eps) * w + b --------------------------
// ---- RMSNorm:   y = x / sqrt(mean(x^2) + eps) * w      (b unused, may be null) ----
// mean (LayerNorm only) and rstd (1 / the denominator) are saved for backward.
template <typename T>
void layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* w, const T* b, int n, int C);
template <typename T>
void layernorm_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, const T* mean,
                        const T* rstd, int n, int C);
template <typename T>
void rmsnorm_forward(T* y, T* rstd, const T* x, const T* w, int n, int C);
template <typename T>
void rmsnorm_backward(T* dx, T* dw, const T* dy, const T* x, const T* w, const T* rstd, int n, int C);

// ---- GELU (tanh approximation, as GPT-2):
//      gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
template <typename T>
void gelu_forward(T* y, const T* x, int count);
template <typename T>
void gelu_backward(T* dx, const T* dy, const T* x, int count);  // dx = dy gelu'(x)

// ---- SwiGLU: h = silu(g) * u, with silu(g) = g sigmoid(g); gu holds [g | u] per row
template <typename T>
void swiglu_forward(T* h, const T* gu, int n, int F);
template <typename T>
void swiglu_backward(T* dgu, const T* dh, const T* gu, int n, int F);  // dgu written afresh

// ---- RoPE (rotate-half convention, as Hugging Face's LLaMA): for each head and
//      i < hs/2, the pair (x_i, x_{i+hs/2}) at position t turns by t * base^(-2i/hs):
//        x_i'        = x_i cos - x_{i+hs/2} sin
//        x_{i+hs/2}' = x_i sin + x_{i+hs/2} cos
// cos/sin tables are (block_size x hs/2). Rotates q and k in place inside qkv rows
// of width 3C (q at 0, k at C). Backward rotates the gradients by -angle.
template <typename T>
void rope_tables(T* cos, T* sin, int block_size, int head_dim, float base);
template <typename T>
void rope_forward(T* qkv, const T* cos, const T* sin, int B, int T_len, int C, int NH);
template <typename T>
void rope_backward(T* dqkv, const T* cos, const T* sin, int B, int T_len, int C, int NH);

// ---- inverted dropout: y = x * mask, mask = (u >= p) / (1 - p); identity if p == 0
template <typename T>
void dropout_mask(T* mask, int count, float p, Rng& rng);  // the mask alone, count draws of rng
template <typename T>
void dropout_forward(T* y, T* mask, const T* x, int count, float p, Rng& rng);
template <typename T>
void dropout_backward(T* dx, const T* dy, const T* mask, int count);  // dx = dy * mask

// ---- softmax cross entropy with ignore index -100, mean over counted rows ------
//   loss = mean over rows with target != -100 of -log softmax(logits)[target]
// Returns the loss (0 if no row counts: never NaN). If dlogits is not null, also
// writes the gradient (softmax - onehot) / count (zero rows where ignored).
inline constexpr int kIgnoreIndex = -100;
template <typename T>
T cross_entropy(const T* logits, const int* targets, int n, int V, T* dlogits);

}  // namespace gptlab
