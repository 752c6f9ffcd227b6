#include "model/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "model/layers.h"
#include "numerics/gemm.h"

namespace gptlab {
namespace {

// Views of head h of batch b: Q, K, V inside qkv rows (stride 3C), Y inside out rows (stride C).
template <typename T>
struct Head {
  MatrixView<T> q, k, v;
};

template <typename T>
Head<T> head(T* qkv, const AttentionShape& s, int b, int h) {
  const int hs = s.C / s.NH;
  T* base = qkv + static_cast<std::size_t>(b) * s.T * 3 * s.C + static_cast<std::size_t>(h) * hs;
  return {{base, s.T, hs, 3 * s.C}, {base + s.C, s.T, hs, 3 * s.C}, {base + 2 * s.C, s.T, hs, 3 * s.C}};
}

template <typename T>
MatrixView<T> out_head(T* out, const AttentionShape& s, int b, int h) {
  const int hs = s.C / s.NH;
  return {out + static_cast<std::size_t>(b) * s.T * s.C + static_cast<std::size_t>(h) * hs, s.T, hs, s.C};
}

// x_j = exp(x_j scale - shift) for j < n; returns their sum. SIMD for float (xsimd's exp:
// libm's expf, one value at a time, took 4% of a training step).
template <typename T>
T exp_and_sum(T* x, int n, T scale, T shift) {
  int j = 0;
  T sum = 0;
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float>;
    B acc(0.0f);
    for (; j + static_cast<int>(B::size) <= n; j += B::size) {
      const B e = xsimd::exp(B::load_unaligned(x + j) * scale - shift);
      e.store_unaligned(x + j);
      acc += e;
    }
    sum = xsimd::hadd(acc);
  }
  for (; j < n; ++j) sum += (x[j] = std::exp(x[j] * scale - shift));
  return sum;
}

// Row i of the scores: scale, mask, softmax in place. Masked weights are exactly 0.
template <typename T>
void masked_softmax_row(T* row, int i, int T_len, bool causal, const std::uint8_t* pad, T scale) {
  const int last = causal ? i : T_len - 1;  // keys 0..last can be seen
  T maxv = -std::numeric_limits<T>::infinity();
  for (int j = 0; j <= last; ++j)
    if (!(pad && pad[j])) maxv = std::max(maxv, row[j] * scale);
  if (maxv == -std::numeric_limits<T>::infinity()) {  // every key masked: no attention at all
    std::fill(row, row + T_len, T(0));
    return;
  }
  T sum = 0;
  if (pad) {
    for (int j = 0; j <= last; ++j) sum += (row[j] = pad[j] ? T(0) : std::exp(row[j] * scale - maxv));
  } else {
    sum = exp_and_sum(row, last + 1, scale, maxv);
  }
  std::fill(row + last + 1, row + T_len, T(0));
  for (int j = 0; j <= last; ++j) row[j] /= sum;
}

}  // namespace

template <typename T>
void attention_forward(T* out, T* probs, T* drop_mask, T* scratch, const T* qkv, const std::uint8_t* key_pad,
                       const AttentionShape& s, float dropout, Rng& rng) {
  const int hs = s.C / s.NH, TT = s.T * s.T;
  const T scale = T(1) / std::sqrt(static_cast<T>(hs));
  for (int b = 0; b < s.B; ++b) {
    const std::uint8_t* pad = key_pad ? key_pad + static_cast<std::size_t>(b) * s.T : nullptr;
    for (int h = 0; h < s.NH; ++h) {
      const Head<const T> hd = head(qkv, s, b, h);
      const std::size_t offset = (static_cast<std::size_t>(b) * s.NH + h) * TT;
      T* P = probs + offset;
      gemm<T>({P, s.T, s.T}, hd.q, false, hd.k, true);  // S = Q K^T
      for (int i = 0; i < s.T; ++i)
        masked_softmax_row(P + static_cast<std::size_t>(i) * s.T, i, s.T, s.causal, pad, scale);
      const T* Pd = P;
      if (dropout > 0.0f) {  // attention dropout (nanoGPT's attn_dropout)
        T* mask = drop_mask + offset;
        dropout_mask(mask, TT, dropout, rng);
        for (int k = 0; k < TT; ++k) scratch[k] = P[k] * mask[k];
        Pd = scratch;
      } else {
        std::fill(drop_mask + offset, drop_mask + offset + TT, T(1));
      }
      gemm<T>(out_head(out, s, b, h), MatrixView<const T>(Pd, s.T, s.T), false, hd.v, false);  // Y = Pd V
    }
  }
}

template <typename T>
void attention_backward(T* dqkv, T* scratch, const T* dout, const T* qkv, const T* probs, const T* drop_mask,
                        const AttentionShape& s) {
  const int hs = s.C / s.NH, TT = s.T * s.T;
  const T scale = T(1) / std::sqrt(static_cast<T>(hs));
  T* Pd = scratch;
  T* dP = scratch + TT;
  for (int b = 0; b < s.B; ++b) {
    for (int h = 0; h < s.NH; ++h) {
      const Head<const T> hd = head(qkv, s, b, h);
      const Head<T> dh = head(dqkv, s, b, h);
      const std::size_t offset = (static_cast<std::size_t>(b) * s.NH + h) * TT;
      const T* P = probs + offset;
      const T* mask = drop_mask + offset;
      const MatrixView<const T> dY = out_head(dout, s, b, h);
      for (int k = 0; k < TT; ++k) Pd[k] = P[k] * mask[k];
      gemm<T>(dh.v, MatrixView<const T>(Pd, s.T, s.T), true, dY, false);  // dV = Pd^T dY
      gemm<T>({dP, s.T, s.T}, dY, false, hd.v, true);                     // dPd = dY V^T
      for (int i = 0; i < s.T; ++i) {  // dS = P * (dP - rowsum(dP * P)) * scale, with dP = mask * dPd
        T* dPi = dP + static_cast<std::size_t>(i) * s.T;
        const T* Pi = P + static_cast<std::size_t>(i) * s.T;
        const T* mi = mask + static_cast<std::size_t>(i) * s.T;
        T dot = 0;
        for (int j = 0; j < s.T; ++j) {
          dPi[j] *= mi[j];
          dot += dPi[j] * Pi[j];
        }
        for (int j = 0; j < s.T; ++j) dPi[j] = Pi[j] * (dPi[j] - dot) * scale;
      }
      const MatrixView<const T> dS(dP, s.T, s.T);
      gemm<T>(dh.q, dS, false, hd.k, false);  // dQ = dS K
      gemm<T>(dh.k, dS, true, hd.q, false);   // dK = dS^T Q
    }
  }
}

template <typename T>
void attention_next(T* out, T* probs, const T* qkv, T* k_cache, T* v_cache, int pos, int C, int NH) {
  const int hs = C / NH;
  const int keys = pos + 1;
  std::copy_n(qkv + C, C, k_cache + static_cast<std::size_t>(pos) * C);
  std::copy_n(qkv + 2 * C, C, v_cache + static_cast<std::size_t>(pos) * C);
  const T scale = T(1) / std::sqrt(static_cast<T>(hs));
  for (int h = 0; h < NH; ++h) {
    const T* q = qkv + h * hs;
    const T* k = k_cache + h * hs;
    const T* v = v_cache + h * hs;
    T* p = probs + static_cast<std::size_t>(h) * keys;
    T maxv = -std::numeric_limits<T>::infinity();
    for (int j = 0; j < keys; ++j) {
      T s = 0;
      for (int i = 0; i < hs; ++i) s += q[i] * k[static_cast<std::size_t>(j) * C + i];
      p[j] = s * scale;
      maxv = std::max(maxv, p[j]);
    }
    T sum = 0;
    for (int j = 0; j < keys; ++j) sum += (p[j] = std::exp(p[j] - maxv));
    for (int j = 0; j < keys; ++j) p[j] /= sum;
    T* y = out + h * hs;
    std::fill(y, y + hs, T(0));
    for (int j = 0; j < keys; ++j)
      for (int i = 0; i < hs; ++i) y[i] += p[j] * v[static_cast<std::size_t>(j) * C + i];
  }
}

template void attention_forward<float>(float*, float*, float*, float*, const float*, const std::uint8_t*,
                                       const AttentionShape&, float, Rng&);
template void attention_forward<double>(double*, double*, double*, double*, const double*,
                                        const std::uint8_t*, const AttentionShape&, float, Rng&);
template void attention_backward<float>(float*, float*, const float*, const float*, const float*,
                                        const float*, const AttentionShape&);
template void attention_backward<double>(double*, double*, const double*, const double*, const double*,
                                         const double*, const AttentionShape&);
template void attention_next<float>(float*, float*, const float*, float*, float*, int, int, int);
template void attention_next<double>(double*, double*, const double*, double*, double*, int, int, int);

}  // namespace gptlab
