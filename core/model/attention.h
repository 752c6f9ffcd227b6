// Multi-head self-attention over a fused qkv buffer (rows of width 3C: q | k | v,
// each split into NH heads of size hs = C / NH). Per batch b and head h:
//
//   S = Q K^T / sqrt(hs)                        scores (T x T)
//   S[i][j] = -inf where j > i (causal) or key j is padding
//   P = softmax over each row of S               (a row with every key masked is all zeros)
//   Y = dropout(P) V                             (T x hs), written to head h's columns of out
//
// Backward (with Pd = dropout(P), dY the gradient of Y):
//   dV = Pd^T dY;  dPd = dY V^T;  dP = dropout_mask * dPd
//   dS = P * (dP - rowsum(dP * P)) / sqrt(hs)    (softmax backward)
//   dQ = dS K;  dK = dS^T Q
#pragma once

#include <cstdint>

#include "numerics/rng.h"

namespace gptlab {

struct AttentionShape {
  int B, T, C, NH;
  bool causal;
};

// probs: (B, NH, T, T), kept for backward and for the attention views; drop_mask:
// the same size, the dropout scale per weight (all ones when p == 0). key_pad:
// (B, T), nonzero where a position is padding, or null. scratch: T*T values.
template <typename T>
void attention_forward(T* out, T* probs, T* drop_mask, T* scratch, const T* qkv, const std::uint8_t* key_pad,
                       const AttentionShape& s, float dropout, Rng& rng);

// dqkv = the gradient of qkv (rows of width 3C, every element written); scratch: 2*T*T values.
template <typename T>
void attention_backward(T* dqkv, T* scratch, const T* dout, const T* qkv, const T* probs, const T* drop_mask,
                        const AttentionShape& s);

// Decoding with a KV cache: one new causal row at position pos. Its key and value
// join the cache at row pos, then for each head its query attends to keys 0..pos:
//   p_j = softmax_j(q . k_j / sqrt(hs)),   y = sum_j p_j v_j
// qkv: one row of width 3C; k_cache, v_cache: (block_size, C); probs: (NH, pos + 1);
// out: one row of width C.
template <typename T>
void attention_next(T* out, T* probs, const T* qkv, T* k_cache, T* v_cache, int pos, int C, int NH);

}  // namespace gptlab
