// Matrix multiplication, the way fast BLAS libraries do it (Goto & van de Geijn;
// BLIS). For C = A B with A (m x k), B (k x n):
//
//   for each block of NC columns of B            (jc)
//     for each slice of KC along k                (pc)
//       pack B[pc:pc+KC, jc:jc+NC] into NR-wide column panels      (fits L2/L3)
//       for each block of MC rows of A            (ic)
//         pack A[ic:ic+MC, pc:pc+KC] into MR-tall row panels       (fits L2)
//           (natively a row-major A is read where it lies instead: see APanel)
//         for each NR-wide panel of B             (jr)  (stays in L1)
//           for each MR-tall panel of A           (ir)
//             micro-kernel: C[MR x NR] += Apanel (MR x KC) * Bpanel (KC x NR)
//
// Packing copies each operand once into the exact order the micro-kernel reads,
// padding ragged edges with zeros, so the kernel always runs its full shape and
// reads memory sequentially. Transposes cost nothing extra: they only change
// how the packing routines walk the source.
//
// Under WASM, when the engine has relaxed SIMD (Chromium; node with a flag), the
// loops over jr and ir run in a separate module whose micro-kernel uses fused
// multiply-add (wasm-kernels/relaxed_gemm.c; SIMD128 has only mul + add) and reads A
// by rows: in place, or a transposed A copied into rows.
#include "numerics/matmul.h"

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>

namespace gptlab {
namespace {

using Batch = xsimd::batch<float>;
constexpr std::ptrdiff_t W = Batch::size;  // floats per SIMD register: 16, 8 or 4

// Shapes per instruction set, chosen by measurement (see BENCHMARKS.md):
//   MR x NR  the tile of C the micro-kernel keeps in registers (MR * NV accumulators,
//            plus NV registers of B and one broadcast of A), sized to the register file;
//   KC       depth of a packed slice: a KC x NR micro-panel of B stays in L1;
//   MC       rows of A per block (L2 natively; under WASM a 16-row block that stays
//            in L1 while B streams from L2 measured 10-15% faster);
//   NC       columns of B packed at once;
//   read A in place: natively the kernel reads a row-major A directly (see APanel);
//            so does the relaxed-SIMD kernel under WASM; for the SIMD128 one each extra
//            row pointer costs V8 an integer add per load and packing measured faster.
#if defined(__AVX512F__)
constexpr std::ptrdiff_t MR = 8, NV = 2, KC = 256, MC = 80;  // 16 of 32 zmm registers accumulate
constexpr bool kReadAInPlace = true;
#elif defined(__AVX__)
constexpr std::ptrdiff_t MR = 6, NV = 2, KC = 256, MC = 72;  // 12 of 16 ymm registers accumulate
constexpr bool kReadAInPlace = true;
#else  // SSE4.1, i.e. WASM SIMD128: V8 spills registers beyond 8 accumulators
constexpr std::ptrdiff_t MR = 4, NV = 2, KC = 384, MC = 16;
constexpr bool kReadAInPlace = false;
#endif
constexpr std::ptrdiff_t NR = NV * W;
constexpr std::ptrdiff_t NC = 2048;

// Element (i, p) of an operand is data[i * row_step + p * col_step]; a transposed
// view just swaps the two steps.
struct Operand {
  const float* data;
  std::ptrdiff_t row_step, col_step;
};

// Packed panels, aligned for the kernel's aligned loads. Fixed size, allocated
// once per thread on first use; nothing is allocated per call.
struct Workspace {
  static constexpr std::size_t kAlign = 64;
  struct Free {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t(kAlign)); }
  };
  std::unique_ptr<float[], Free> a{
      static_cast<float*>(::operator new[](sizeof(float) * MC * KC, std::align_val_t(kAlign)))};
  std::unique_ptr<float[], Free> b{
      static_cast<float*>(::operator new[](sizeof(float) * KC * NC, std::align_val_t(kAlign)))};
};

Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}

// Copy A[i0:i0+mc, p0:p0+kc] into panels of MR rows: panel[p * MR + r].
void pack_a(Operand a, std::ptrdiff_t i0, std::ptrdiff_t mc, std::ptrdiff_t p0, std::ptrdiff_t kc,
            float* dst) {
  for (std::ptrdiff_t ir = 0; ir < mc; ir += MR, dst += MR * kc) {
    const std::ptrdiff_t rows = std::min(MR, mc - ir);
    const float* src = a.data + (i0 + ir) * a.row_step + p0 * a.col_step;
    if (a.col_step == 1) {  // rows of A are contiguous: read along p
      for (std::ptrdiff_t r = 0; r < rows; ++r)
        for (std::ptrdiff_t p = 0; p < kc; ++p) dst[p * MR + r] = src[r * a.row_step + p];
    } else if (a.row_step == 1 && rows == MR) {  // A transposed, a whole panel: MR floats in a row,
      for (std::ptrdiff_t p = 0; p < kc; ++p)    // a fixed-size copy (no call)
        for (std::ptrdiff_t r = 0; r < MR; ++r) dst[p * MR + r] = src[p * a.col_step + r];
    } else {  // A is transposed: read down r
      for (std::ptrdiff_t p = 0; p < kc; ++p)
        for (std::ptrdiff_t r = 0; r < rows; ++r) dst[p * MR + r] = src[r * a.row_step + p * a.col_step];
    }
    for (std::ptrdiff_t p = 0; p < kc; ++p)
      for (std::ptrdiff_t r = rows; r < MR; ++r) dst[p * MR + r] = 0.0f;
  }
}

// Copy A[i0:i0+mc, p0:p0+kc] into plain rows, kc floats each: for a kernel that reads A by rows
// when A is transposed (its rows are then not contiguous where it lies).
void pack_a_rows(Operand a, std::ptrdiff_t i0, std::ptrdiff_t mc, std::ptrdiff_t p0, std::ptrdiff_t kc,
                 float* dst) {
  const float* src = a.data + i0 * a.row_step + p0 * a.col_step;
  for (std::ptrdiff_t p = 0; p < kc; ++p)
    for (std::ptrdiff_t r = 0; r < mc; ++r) dst[r * kc + p] = src[r * a.row_step + p * a.col_step];
}

// Copy B[p0:p0+kc, j0:j0+nc] into panels of NR columns: panel[p * NR + c].
void pack_b(Operand b, std::ptrdiff_t p0, std::ptrdiff_t kc, std::ptrdiff_t j0, std::ptrdiff_t nc,
            float* dst) {
  for (std::ptrdiff_t jr = 0; jr < nc; jr += NR, dst += NR * kc) {
    const std::ptrdiff_t cols = std::min(NR, nc - jr);
    const float* src = b.data + p0 * b.row_step + (j0 + jr) * b.col_step;
    if (b.col_step == 1 && cols == NR) {  // a whole panel: a fixed-size copy the compiler keeps in registers
      for (std::ptrdiff_t p = 0; p < kc; ++p)
        for (std::ptrdiff_t v = 0; v < NV; ++v)
          Batch::load_unaligned(src + p * b.row_step + v * W).store_aligned(dst + p * NR + v * W);
    } else if (b.col_step == 1) {  // rows of B are contiguous: read along c
      for (std::ptrdiff_t p = 0; p < kc; ++p) {
        std::copy(src + p * b.row_step, src + p * b.row_step + cols, dst + p * NR);
        std::fill(dst + p * NR + cols, dst + (p + 1) * NR, 0.0f);
      }
    } else {  // B is transposed: read along p
      for (std::ptrdiff_t c = 0; c < cols; ++c)
        for (std::ptrdiff_t p = 0; p < kc; ++p) dst[p * NR + c] = src[c * b.col_step + p * b.row_step];
      for (std::ptrdiff_t p = 0; p < kc; ++p) std::fill(dst + p * NR + cols, dst + (p + 1) * NR, 0.0f);
    }
  }
}

// Where the micro-kernel reads A: a packed panel (element (r, p) at data[p * MR + r])
// or, when A's rows are contiguous, A itself (element (r, p) at data[r * lda + p]).
// Reading A in place skips the pack, a transpose that costs as much as the whole
// product for the small shapes a tiny model multiplies.
struct APanel {
  const float* data;
  std::ptrdiff_t lda;  // 0 for a packed panel
};

// The micro-kernel: acc[R x NR] = sum_p a[:, p] b[p, :], one outer product per
// step p, then C = acc (+ bias) or C += acc (+ bias). b is a packed panel. R is MR
// but at the bottom edge, where fewer rows are left.
template <bool kPackedA, std::ptrdiff_t R>
void micro_kernel(std::ptrdiff_t kc, APanel ap, const float* b, float* c, std::ptrdiff_t ldc, bool add_to_c,
                  const float* bias) {
  Batch acc[R][NV];
  for (auto& row : acc)
    for (auto& v : row) v = Batch(0.0f);
  const float* a = ap.data;
  for (std::ptrdiff_t p = 0; p < kc; ++p, b += NR) {
    Batch bv[NV];
    for (std::ptrdiff_t v = 0; v < NV; ++v) bv[v] = Batch::load_aligned(b + v * W);
    for (std::ptrdiff_t r = 0; r < R; ++r) {
      const Batch ar(kPackedA ? a[p * MR + r] : a[r * ap.lda + p]);
      for (std::ptrdiff_t v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(ar, bv[v], acc[r][v]);
    }
  }
  for (std::ptrdiff_t r = 0; r < R; ++r) {
    for (std::ptrdiff_t v = 0; v < NV; ++v) {
      Batch x = acc[r][v];
      float* dst = c + r * ldc + v * W;
      if (bias) x += Batch::load_unaligned(bias + v * W);
      if (add_to_c) x += Batch::load_unaligned(dst);
      x.store_unaligned(dst);
    }
  }
}

// The micro-kernel for `rows` rows (1 to MR), each row count compiled on its own.
template <std::ptrdiff_t R = MR>
void kernel(std::ptrdiff_t rows, std::ptrdiff_t kc, APanel a, const float* b, float* c, std::ptrdiff_t ldc,
            bool add_to_c, const float* bias) {
  if constexpr (R > 1)
    if (rows < R) return kernel<R - 1>(rows, kc, a, b, c, ldc, add_to_c, bias);
  if (a.lda == 0) return micro_kernel<true, R>(kc, a, b, c, ldc, add_to_c, bias);
  micro_kernel<false, R>(kc, a, b, c, ldc, add_to_c, bias);
}

// One tile of C, up to MR x NR. A tile cut short at the right edge is written into a
// scratch tile first and only its valid columns copied.
void tile(std::ptrdiff_t rows, std::ptrdiff_t cols, std::ptrdiff_t kc, APanel a, const float* b, float* c,
          std::ptrdiff_t ldc, bool add_to_c, const float* bias) {
  if (cols == NR) return kernel(rows, kc, a, b, c, ldc, add_to_c, bias);
  alignas(64) float scratch[MR * NR];
  kernel(rows, kc, a, b, scratch, NR, false, nullptr);
  for (std::ptrdiff_t r = 0; r < rows; ++r)
    for (std::ptrdiff_t j = 0; j < cols; ++j) {
      float x = scratch[r * NR + j] + (bias ? bias[j] : 0.0f);
      c[r * ldc + j] = add_to_c ? c[r * ldc + j] + x : x;
    }
}

// dot(x, y) over k contiguous floats.
float dot(const float* x, const float* y, std::ptrdiff_t k) {
  Batch acc(0.0f);
  std::ptrdiff_t p = 0;
  for (; p + W <= k; p += W)
    acc = xsimd::fma(Batch::load_unaligned(x + p), Batch::load_unaligned(y + p), acc);
  float sum = xsimd::hadd(acc);
  for (; p < k; ++p) sum += x[p] * y[p];
  return sum;
}

// Fewer rows of C than the micro-kernel's MR (sampling runs one position at a time): packing
// B and running the MR-row kernel would cost more than the product itself, so each row of C
// is computed straight from the operands:
//   B's rows contiguous:     c[i, :] = sum_p a[i, p] B[p, :]   (a scaled row of B added per p)
//   B's columns contiguous:  c[i, j] = dot(a[i, :], B[:, j])   (a linear layer's x W^T)
// then + bias, + C when accumulating.
void few_rows(std::ptrdiff_t k, Operand a, Operand b, Matrix c, MatmulOptions opt) {
  const std::ptrdiff_t n = c.cols;
  for (std::ptrdiff_t i = 0; i < c.rows; ++i) {
    float* ci = &c(i, 0);
    const float* ai = a.data + i * a.row_step;
    for (std::ptrdiff_t j = 0; j < n; ++j)
      ci[j] = (opt.accumulate ? ci[j] : 0.0f) + (opt.bias ? opt.bias[j] : 0.0f);
    if (b.col_step == 1) {
      for (std::ptrdiff_t p = 0; p < k; ++p) {
        const Batch ap(ai[p * a.col_step]);
        const float* bp = b.data + p * b.row_step;
        std::ptrdiff_t j = 0;
        for (; j + W <= n; j += W)
          xsimd::fma(ap, Batch::load_unaligned(bp + j), Batch::load_unaligned(ci + j))
              .store_unaligned(ci + j);
        for (; j < n; ++j) ci[j] += ai[p * a.col_step] * bp[j];
      }
    } else if (a.col_step == 1 && b.row_step == 1) {
      for (std::ptrdiff_t j = 0; j < n; ++j) ci[j] += dot(ai, b.data + j * b.col_step, k);
    } else {
      for (std::ptrdiff_t j = 0; j < n; ++j)
        for (std::ptrdiff_t p = 0; p < k; ++p)
          ci[j] += ai[p * a.col_step] * b.data[p * b.row_step + j * b.col_step];
    }
  }
}

// The macro-kernel: every MR x NR tile of one block, C[mc x nc] (+)= A B (+ bias), with A at
// ap (packed into panels, or read in place with row step lda) and B packed into panels.
void macro_kernel(std::ptrdiff_t mc, std::ptrdiff_t nc, std::ptrdiff_t kc, APanel ap, const float* b,
                  float* c, std::ptrdiff_t ldc, bool add_to_c, const float* bias) {
  for (std::ptrdiff_t jr = 0; jr < nc; jr += NR) {
    for (std::ptrdiff_t ir = 0; ir < mc; ir += MR) {
      const APanel a = ap.lda ? APanel{ap.data + ir * ap.lda, ap.lda} : APanel{ap.data + ir * kc, 0};
      tile(std::min(MR, mc - ir), std::min(NR, nc - jr), kc, a, b + jr * kc, c + ir * ldc + jr, ldc, add_to_c,
           bias ? bias + jr : nullptr);
    }
  }
}

#ifdef __EMSCRIPTEN__
// The same macro-kernel with fused multiply-add (relaxed SIMD), reading A by rows (lda apart): a
// module of its own (wasm-kernels/), called through these two JS imports. Its MR and NR are ours.
extern "C" int gptlab_relaxed_gemm_ready();  // 1 when this thread can call the block kernel
extern "C" void gptlab_relaxed_gemm_block(int mc, int nc, int kc, const float* a, int lda, const float* b,
                                          float* c, int ldc, int add_to_c, const float* bias, float* scratch);

bool relaxed_madd() {
  thread_local const bool ready = gptlab_relaxed_gemm_ready() != 0;  // each thread instantiates its own
  return ready;
}

void relaxed_macro_kernel(std::ptrdiff_t mc, std::ptrdiff_t nc, std::ptrdiff_t kc, APanel a, const float* b,
                          float* c, std::ptrdiff_t ldc, bool add_to_c, const float* bias) {
  alignas(16) float scratch[MR * NR];  // for tiles cut short at the edges
  gptlab_relaxed_gemm_block(static_cast<int>(mc), static_cast<int>(nc), static_cast<int>(kc), a.data,
                            static_cast<int>(a.lda), b, c, static_cast<int>(ldc), add_to_c, bias, scratch);
}
#endif

// Whether this thread multiplies with the relaxed-SIMD kernel, which reads A only by rows (A in
// place, or a transposed A copied into rows), never packed panels.
bool rows_only_kernel() {
#ifdef __EMSCRIPTEN__
  return relaxed_madd();
#else
  return false;
#endif
}

// One block: the fused multiply-add kernel when this engine has one, else ours.
void block(std::ptrdiff_t mc, std::ptrdiff_t nc, std::ptrdiff_t kc, APanel a, const float* b, float* c,
           std::ptrdiff_t ldc, bool add_to_c, const float* bias) {
#ifdef __EMSCRIPTEN__
  if (a.lda != 0 && relaxed_madd()) return relaxed_macro_kernel(mc, nc, kc, a, b, c, ldc, add_to_c, bias);
#endif
  macro_kernel(mc, nc, kc, a, b, c, ldc, add_to_c, bias);
}

// C (m x n) (+)= A (m x k) B (k x n) (+ bias), operands given by their steps.
void gemm(std::ptrdiff_t k, Operand a, Operand b, Matrix c, MatmulOptions opt) {
  const std::ptrdiff_t m = c.rows, n = c.cols;
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = bias (or 0), or C += bias
    for (std::ptrdiff_t i = 0; i < m; ++i)
      for (std::ptrdiff_t j = 0; j < n; ++j)
        c(i, j) = (opt.accumulate ? c(i, j) : 0.0f) + (opt.bias ? opt.bias[j] : 0.0f);
    return;
  }
  if (m < MR) return few_rows(k, a, b, c, opt);
  const bool by_rows = rows_only_kernel();
  const bool read_a_in_place = (kReadAInPlace || by_rows) && a.col_step == 1;
  Workspace& ws = workspace();
  for (std::ptrdiff_t jc = 0; jc < n; jc += NC) {
    const std::ptrdiff_t nc = std::min(NC, n - jc);
    for (std::ptrdiff_t pc = 0; pc < k; pc += KC) {
      const std::ptrdiff_t kc = std::min(KC, k - pc);
      const bool first = pc == 0;  // the first slice writes C and adds the bias
      const bool add_to_c = !first || opt.accumulate;
      pack_b(b, pc, kc, jc, nc, ws.b.get());
      for (std::ptrdiff_t ic = 0; ic < m; ic += MC) {
        const std::ptrdiff_t mc = std::min(MC, m - ic);
        APanel ap{a.data + ic * a.row_step + pc, a.row_step};
        if (!read_a_in_place) {
          if (by_rows)
            pack_a_rows(a, ic, mc, pc, kc, ws.a.get());
          else
            pack_a(a, ic, mc, pc, kc, ws.a.get());
          ap = APanel{ws.a.get(), by_rows ? kc : 0};
        }
        block(mc, nc, kc, ap, ws.b.get(), &c(ic, jc), c.row_stride, add_to_c,
              first && opt.bias ? opt.bias + jc : nullptr);
      }
    }
  }
}

// Address range [first, last) a view touches, for the overlap check.
template <typename T>
std::pair<std::uintptr_t, std::uintptr_t> span_of(const MatrixView<T>& m) {
  if (m.empty()) return {0, 0};
  auto first = reinterpret_cast<std::uintptr_t>(m.data);
  return {first, first + sizeof(float) * static_cast<std::size_t>((m.rows - 1) * m.row_stride + m.cols)};
}

bool overlaps(Matrix c, ConstMatrix x) {
  auto [c0, c1] = span_of(c);
  auto [x0, x1] = span_of(x);
  return c0 < x1 && x0 < c1;
}

// Shapes of op(A) (m x k) and op(B) (k x n) must agree with C (m x n).
void check(const char* name, Matrix c, ConstMatrix a, bool ta, ConstMatrix b, bool tb, MatmulOptions opt) {
  const auto am = ta ? a.cols : a.rows, ak = ta ? a.rows : a.cols;
  const auto bk = tb ? b.cols : b.rows, bn = tb ? b.rows : b.cols;
  const std::string shapes = std::string(name) + ": C is " + shape_string(c) + ", A is " + shape_string(a) +
                             " and B is " + shape_string(b) + "; ";
  if (ak != bk) throw ShapeError(shapes + "the inner dimensions of the product differ.");
  if (am != c.rows || bn != c.cols) throw ShapeError(shapes + "C must have the product's shape.");
  if (overlaps(c, a) || overlaps(c, b) || (opt.bias && overlaps(c, ConstMatrix(opt.bias, 1, c.cols))))
    throw ShapeError(shapes + "C must not share memory with A, B or the bias.");
}

void multiply(const char* name, Matrix c, ConstMatrix a, bool ta, ConstMatrix b, bool tb, MatmulOptions opt) {
  check(name, c, a, ta, b, tb, opt);
  const Operand oa = ta ? Operand{a.data, 1, a.row_stride} : Operand{a.data, a.row_stride, 1};
  const Operand ob = tb ? Operand{b.data, 1, b.row_stride} : Operand{b.data, b.row_stride, 1};
  gemm(ta ? a.rows : a.cols, oa, ob, c, opt);
}

}  // namespace

void matmul(Matrix c, ConstMatrix a, ConstMatrix b, MatmulOptions o) {
  multiply("matmul", c, a, false, b, false, o);
}
void matmul_bt(Matrix c, ConstMatrix a, ConstMatrix b, MatmulOptions o) {
  multiply("matmul_bt", c, a, false, b, true, o);
}
void matmul_at(Matrix c, ConstMatrix a, ConstMatrix b, MatmulOptions o) {
  multiply("matmul_at", c, a, true, b, false, o);
}

void matmul_reference(Matrix c, ConstMatrix a, bool ta, ConstMatrix b, bool tb, MatmulOptions opt) {
  check("matmul_reference", c, a, ta, b, tb, opt);
  const std::ptrdiff_t k = ta ? a.rows : a.cols;
  for (std::ptrdiff_t i = 0; i < c.rows; ++i)
    for (std::ptrdiff_t j = 0; j < c.cols; ++j) {
      double sum = opt.bias ? opt.bias[j] : 0.0;
      for (std::ptrdiff_t p = 0; p < k; ++p)
        sum += double(ta ? a(p, i) : a(i, p)) * double(tb ? b(j, p) : b(p, j));
      c(i, j) = static_cast<float>(opt.accumulate ? c(i, j) + sum : sum);
    }
}

const char* matmul_simd_name() { return xsimd::default_arch::name(); }

const char* matmul_kernel_name() {
#ifdef __EMSCRIPTEN__
  return relaxed_madd() ? "wasm simd128 + relaxed madd" : "wasm simd128";
#else
  return matmul_simd_name();
#endif
}

}  // namespace gptlab
