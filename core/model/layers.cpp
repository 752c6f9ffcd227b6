// The model's layers, forward and backward. See layers.h for the conventions.
#include "model/layers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <type_traits>

#include <xsimd/xsimd.hpp>

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 raises false -Wmaybe-uninitialized alarms inside its own AVX-512 headers
// when xsimd's vectorized tanh is inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "numerics/gemm.h"

namespace gptlab {

// ============================== linear ==========================================

template <typename T>
void linear_forward(T* y, const T* x, const T* w, const T* b, int n, int in, int out) {
  gemm<T>({y, n, out}, {x, n, in}, false, {w, out, in}, true);  // y = x W^T
  if (b)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < out; ++j) y[static_cast<std::size_t>(i) * out + j] += b[j];
}

template <typename T>
void linear_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int n, int in, int out) {
  if (dx) gemm<T>({dx, n, in}, {dy, n, out}, false, {w, out, in}, false);  // dx = dy W
  gemm<T>({dw, out, in}, {dy, n, out}, true, {x, n, in}, false, true);     // dW += dy^T x
  if (db)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < out; ++j) db[j] += dy[static_cast<std::size_t>(i) * out + j];
}

// ============================== embeddings ======================================

template <typename T>
void embedding_forward(T* x, const int* tokens, const T* wte, const T* wpe, int n, int T_len, int C) {
  for (int i = 0; i < n; ++i) {
    const T* e = wte + static_cast<std::size_t>(tokens[i]) * C;
    const T* p = wpe ? wpe + static_cast<std::size_t>(i % T_len) * C : nullptr;
    T* out = x + static_cast<std::size_t>(i) * C;
    for (int c = 0; c < C; ++c) out[c] = e[c] + (p ? p[c] : T(0));
  }
}

template <typename T>
void embedding_backward(T* dwte, T* dwpe, const T* dx, const int* tokens, int n, int T_len, int C) {
  for (int i = 0; i < n; ++i) {
    const T* d = dx + static_cast<std::size_t>(i) * C;
    T* de = dwte + static_cast<std::size_t>(tokens[i]) * C;
    for (int c = 0; c < C; ++c) de[c] += d[c];
    if (dwpe) {
      T* dp = dwpe + static_cast<std::size_t>(i % T_len) * C;
      for (int c = 0; c < C; ++c) dp[c] += d[c];
    }
  }
}

// ============================== norms ===========================================
// LayerNorm backward, with xhat = (x - mean) rstd and g = dy * w:
//   dx = rstd (g - mean(g) - xhat mean(g xhat)),  dw += dy xhat,  db += dy
// RMSNorm backward, with xhat = x rstd:
//   dx = rstd (g - xhat mean(g xhat)),  dw += dy xhat

constexpr double kNormEps = 1e-5;

// One element at p, or a SIMD batch of them from p, by the type of the second argument.
inline float at(const float* p, float) { return *p; }
inline double at(const double* p, double) { return *p; }
inline xsimd::batch<float> at(const float* p, xsimd::batch<float>) {
  return xsimd::batch<float>::load_unaligned(p);
}

// sum over c < C of term(v, c), a row's reduction: term reads with at(p + c, v), v a SIMD batch for
// float rows (the compiler keeps a float sum in source order, so it does not vectorize one itself).
template <typename T, typename Term>
T row_sum(int C, Term term) {
  int c = 0;
  T total = 0;
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float>;
    B acc(0.0f);
    for (; c + static_cast<int>(B::size) <= C; c += B::size) acc += term(B{}, c);
    total = xsimd::hadd(acc);
  }
  for (; c < C; ++c) total += term(T{}, c);
  return total;
}

// Stores one element at p, or a SIMD batch of them from p.
inline void put(float* p, float x) { *p = x; }
inline void put(double* p, double x) { *p = x; }
inline void put(float* p, xsimd::batch<float> x) { x.store_unaligned(p); }

// f(v, c) for every c < C, an elementwise pass over a row: SIMD batches for float rows (the
// compiler does not vectorize a loop over several output rows that may overlap), then one at a time.
template <typename T, typename F>
void row_each(int C, F f) {
  int c = 0;
  if constexpr (std::is_same_v<T, float>)
    for (; c + static_cast<int>(xsimd::batch<float>::size) <= C; c += xsimd::batch<float>::size)
      f(xsimd::batch<float>{}, c);
  for (; c < C; ++c) f(T{}, c);
}

template <typename T>
void layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* w, const T* b, int n, int C) {
  for (int i = 0; i < n; ++i) {
    const T* xi = x + static_cast<std::size_t>(i) * C;
    const T m = row_sum<T>(C, [&](auto v, int c) { return at(xi + c, v); }) / C;
    const T var = row_sum<T>(C,
                             [&](auto v, int c) {
                               const auto d = at(xi + c, v) - m;
                               return d * d;
                             }) /
                  C;
    const T r = T(1) / std::sqrt(var + T(kNormEps));
    T* yi = y + static_cast<std::size_t>(i) * C;
    for (int c = 0; c < C; ++c) yi[c] = (xi[c] - m) * r * w[c] + b[c];
    mean[i] = m;
    rstd[i] = r;
  }
}

template <typename T>
void layernorm_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, const T* mean,
                        const T* rstd, int n, int C) {
  for (int i = 0; i < n; ++i) {
    const T* xi = x + static_cast<std::size_t>(i) * C;
    const T* dyi = dy + static_cast<std::size_t>(i) * C;
    T* dxi = dx + static_cast<std::size_t>(i) * C;
    const T m = mean[i], r = rstd[i];
    const T g_mean = row_sum<T>(C, [&](auto v, int c) { return at(dyi + c, v) * at(w + c, v); }) / C;
    const T gx_mean =
        row_sum<T>(C,
                   [&](auto v, int c) { return at(dyi + c, v) * at(w + c, v) * ((at(xi + c, v) - m) * r); }) /
        C;
    row_each<T>(C, [&](auto v, int c) {
      const auto xhat = (at(xi + c, v) - m) * r, d = at(dyi + c, v);
      put(dw + c, at(dw + c, v) + d * xhat);
      put(db + c, at(db + c, v) + d);
      put(dxi + c, at(dxi + c, v) + r * (d * at(w + c, v) - g_mean - xhat * gx_mean));
    });
  }
}

template <typename T>
void rmsnorm_forward(T* y, T* rstd, const T* x, const T* w, int n, int C) {
  for (int i = 0; i < n; ++i) {
    const T* xi = x + static_cast<std::size_t>(i) * C;
    T ms = 0;
    for (int c = 0; c < C; ++c) ms += xi[c] * xi[c];
    const T r = T(1) / std::sqrt(ms / C + T(kNormEps));
    T* yi = y + static_cast<std::size_t>(i) * C;
    for (int c = 0; c < C; ++c) yi[c] = xi[c] * r * w[c];
    rstd[i] = r;
  }
}

template <typename T>
void rmsnorm_backward(T* dx, T* dw, const T* dy, const T* x, const T* w, const T* rstd, int n, int C) {
  for (int i = 0; i < n; ++i) {
    const T* xi = x + static_cast<std::size_t>(i) * C;
    const T* dyi = dy + static_cast<std::size_t>(i) * C;
    T* dxi = dx + static_cast<std::size_t>(i) * C;
    T gx_mean = 0;
    for (int c = 0; c < C; ++c) {
      const T xhat = xi[c] * rstd[i];
      gx_mean += dyi[c] * w[c] * xhat;
      dw[c] += dyi[c] * xhat;
    }
    gx_mean /= C;
    for (int c = 0; c < C; ++c) dxi[c] += rstd[i] * (dyi[c] * w[c] - xi[c] * rstd[i] * gx_mean);
  }
}

// ============================== activations =====================================
// gelu'(x) = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 0.044715 x^2),
//   u = sqrt(2/pi) (x + 0.044715 x^3)

constexpr double kGeluScale = 0.7978845608028654;  // sqrt(2 / pi)

// Written once for a scalar and for a SIMD batch (xsimd's tanh is vectorized;
// libm's tanhf, one value at a time, took a quarter of a training step).
template <typename V, typename S>
V gelu_value(V v) {
  using std::tanh;
  using xsimd::tanh;
  return S(0.5) * v * (S(1) + tanh(S(kGeluScale) * (v + S(0.044715) * v * v * v)));
}

template <typename V, typename S>
V gelu_slope(V v) {
  using std::tanh;
  using xsimd::tanh;
  const V t = tanh(S(kGeluScale) * (v + S(0.044715) * v * v * v));
  const V du = S(kGeluScale) * (S(1) + S(3 * 0.044715) * v * v);
  return S(0.5) * (S(1) + t) + S(0.5) * v * (S(1) - t * t) * du;
}

template <typename T>
void gelu_forward(T* y, const T* x, int count) {
  int i = 0;
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float>;
    for (; i + static_cast<int>(B::size) <= count; i += B::size)
      gelu_value<B, float>(B::load_unaligned(x + i)).store_unaligned(y + i);
  }
  for (; i < count; ++i) y[i] = gelu_value<T, T>(x[i]);
}

template <typename T>
void gelu_backward(T* dx, const T* dy, const T* x, int count) {
  int i = 0;
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float>;
    for (; i + static_cast<int>(B::size) <= count; i += B::size) {
      const B d = B::load_unaligned(dy + i) * gelu_slope<B, float>(B::load_unaligned(x + i));
      d.store_unaligned(dx + i);
    }
  }
  for (; i < count; ++i) dx[i] = dy[i] * gelu_slope<T, T>(x[i]);
}

// silu'(g) = s (1 + g (1 - s)), s = sigmoid(g);  h = silu(g) u
template <typename T>
void swiglu_forward(T* h, const T* gu, int n, int F) {
  for (int i = 0; i < n; ++i) {
    const T* g = gu + static_cast<std::size_t>(i) * 2 * F;
    const T* u = g + F;
    T* hi = h + static_cast<std::size_t>(i) * F;
    for (int j = 0; j < F; ++j) hi[j] = g[j] / (T(1) + std::exp(-g[j])) * u[j];
  }
}

template <typename T>
void swiglu_backward(T* dgu, const T* dh, const T* gu, int n, int F) {
  for (int i = 0; i < n; ++i) {
    const T* g = gu + static_cast<std::size_t>(i) * 2 * F;
    const T* u = g + F;
    const T* dhi = dh + static_cast<std::size_t>(i) * F;
    T* dg = dgu + static_cast<std::size_t>(i) * 2 * F;
    T* du = dg + F;
    for (int j = 0; j < F; ++j) {
      const T s = T(1) / (T(1) + std::exp(-g[j]));
      dg[j] = dhi[j] * u[j] * s * (T(1) + g[j] * (T(1) - s));
      du[j] = dhi[j] * g[j] * s;
    }
  }
}

// ============================== RoPE ============================================

template <typename T>
void rope_tables(T* cos, T* sin, int block_size, int head_dim, float base) {
  const int half = head_dim / 2;
  for (int t = 0; t < block_size; ++t)
    for (int i = 0; i < half; ++i) {
      const double angle = t * std::pow(static_cast<double>(base), -2.0 * i / head_dim);
      cos[t * half + i] = static_cast<T>(std::cos(angle));
      sin[t * half + i] = static_cast<T>(std::sin(angle));
    }
}

namespace {
// Rotates the q and k parts of every qkv row by +angle (sign 1) or -angle (sign -1).
template <typename T>
void rope_rotate(T* qkv, const T* cos, const T* sin, int B, int T_len, int C, int NH, T sign) {
  const int hs = C / NH, half = hs / 2;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T_len; ++t) {
      T* row = qkv + (static_cast<std::size_t>(b) * T_len + t) * 3 * C;
      const T* ct = cos + static_cast<std::size_t>(t) * half;
      const T* st = sin + static_cast<std::size_t>(t) * half;
      for (int part = 0; part < 2; ++part)  // q, then k
        for (int h = 0; h < NH; ++h) {
          T* x = row + part * C + h * hs;
          for (int i = 0; i < half; ++i) {
            const T x1 = x[i], x2 = x[i + half], s = sign * st[i];
            x[i] = x1 * ct[i] - x2 * s;
            x[i + half] = x1 * s + x2 * ct[i];
          }
        }
    }
}
}  // namespace

template <typename T>
void rope_forward(T* qkv, const T* cos, const T* sin, int B, int T_len, int C, int NH) {
  rope_rotate(qkv, cos, sin, B, T_len, C, NH, T(1));
}

// The rotation is orthogonal, so its gradient is the inverse rotation. The q and k
// gradients are rotated in place; the v gradient is left alone.
template <typename T>
void rope_backward(T* dqkv, const T* cos, const T* sin, int B, int T_len, int C, int NH) {
  rope_rotate(dqkv, cos, sin, B, T_len, C, NH, T(-1));
}

// ============================== dropout =========================================

template <typename T>
void dropout_forward(T* y, T* mask, const T* x, int count, float p, Rng& rng) {
  if (p <= 0.0f) {
    std::copy(x, x + count, y);
    std::fill(mask, mask + count, T(1));
    return;
  }
  dropout_mask(mask, count, p, rng);
  for (int i = 0; i < count; ++i) y[i] = x[i] * mask[i];
}

template <typename T>
void dropout_mask(T* mask, int count, float p, Rng& rng) {
  const T keep = T(1) / (T(1) - T(p));
  float u[256];  // the draws, a chunk at a time (drawn in SIMD lanes, then compared)
  for (int i = 0; i < count; i += 256) {
    const int len = std::min(256, count - i);
    rng.uniform_floats(u, static_cast<std::size_t>(len));
    for (int j = 0; j < len; ++j) mask[i + j] = u[j] >= p ? keep : T(0);
  }
}

template <typename T>
void dropout_backward(T* dx, const T* dy, const T* mask, int count) {
  for (int i = 0; i < count; ++i) dx[i] = dy[i] * mask[i];
}

// ============================== loss ============================================
// d loss / d logits_j = (softmax_j - [j == target]) / count, for counted rows.

template <typename T>
T cross_entropy(const T* logits, const int* targets, int n, int V, T* dlogits) {
  int count = 0;
  for (int i = 0; i < n; ++i) count += targets[i] != kIgnoreIndex;
  double loss = 0;
  for (int i = 0; i < n; ++i) {
    const T* li = logits + static_cast<std::size_t>(i) * V;
    T* di = dlogits ? dlogits + static_cast<std::size_t>(i) * V : nullptr;
    if (targets[i] == kIgnoreIndex) {
      if (di) std::fill(di, di + V, T(0));
      continue;
    }
    const T maxv = *std::max_element(li, li + V);
    T sum = 0;
    for (int j = 0; j < V; ++j) sum += std::exp(li[j] - maxv);
    const T log_sum = std::log(sum) + maxv;
    loss += static_cast<double>(log_sum - li[targets[i]]);
    if (di) {
      for (int j = 0; j < V; ++j) di[j] = std::exp(li[j] - log_sum) / count;
      di[targets[i]] -= T(1) / count;
    }
  }
  return count ? static_cast<T>(loss / count) : T(0);
}

// ============================== instantiations ==================================

#define GPTLAB_LAYERS(T)                                                                                 \
  template void linear_forward<T>(T*, const T*, const T*, const T*, int, int, int);                      \
  template void linear_backward<T>(T*, T*, T*, const T*, const T*, const T*, int, int, int);             \
  template void embedding_forward<T>(T*, const int*, const T*, const T*, int, int, int);                 \
  template void embedding_backward<T>(T*, T*, const T*, const int*, int, int, int);                      \
  template void layernorm_forward<T>(T*, T*, T*, const T*, const T*, const T*, int, int);                \
  template void layernorm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*, int, \
                                      int);                                                              \
  template void rmsnorm_forward<T>(T*, T*, const T*, const T*, int, int);                                \
  template void rmsnorm_backward<T>(T*, T*, const T*, const T*, const T*, const T*, int, int);           \
  template void gelu_forward<T>(T*, const T*, int);                                                      \
  template void gelu_backward<T>(T*, const T*, const T*, int);                                           \
  template void swiglu_forward<T>(T*, const T*, int, int);                                               \
  template void swiglu_backward<T>(T*, const T*, const T*, int, int);                                    \
  template void rope_tables<T>(T*, T*, int, int, float);                                                 \
  template void rope_forward<T>(T*, const T*, const T*, int, int, int, int);                             \
  template void rope_backward<T>(T*, const T*, const T*, int, int, int, int);                            \
  template void dropout_mask<T>(T*, int, float, Rng&);                                                   \
  template void dropout_forward<T>(T*, T*, const T*, int, float, Rng&);                                  \
  template void dropout_backward<T>(T*, const T*, const T*, int);                                        \
  template T cross_entropy<T>(const T*, const int*, int, int, T*);
GPTLAB_LAYERS(float)
GPTLAB_LAYERS(double)

}  // namespace gptlab
