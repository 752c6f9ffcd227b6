// The matmul macro-kernel with fused multiply-add, as a standalone WebAssembly module.
//
// WebAssembly SIMD128 has no fused multiply-add; relaxed SIMD adds f32x4.relaxed_madd
// (a * b + c, fused where the CPU can). Emscripten 3.1.6 cannot emit its final encoding,
// so this file is built by clang 19 + wasm-ld 19 into a small module that imports the main
// module's memory; relaxed_gemm.js instantiates it beside the main module, and
// matmul.cpp calls it through an import (see there).
//
// Given A by rows (row r of the block at a + r * lda, kc floats: A where it lies, or a
// transposed A copied into rows by matmul.cpp) and B packed (matmul.cpp's pack_b):
//   B: nc columns in NR-wide panels, element (p, c) of panel j at b[j * NR * kc + p * NR + c]
// it computes, for every MR x NR tile of C,
//   C[tile] (+)= sum_p a[:, p] b[p, :]  (+ bias[cols])
// one outer product per step p, MR * NR / 4 relaxed_madd per step, each element of A broadcast
// from where it lies: no packing of A, a copy that for small products costs a good share of the
// product. (Loading four steps of a row at once and broadcasting each lane by a shuffle, as
// XNNPACK's "splat" kernels do, ran at two thirds of this speed in V8.)
//
// No linear-memory stack, no data: the module shares the main module's memory and must
// not write anywhere but C and the scratch tile it is given (the build checks this).
#include <wasm_simd128.h>

#ifndef MR
#define MR 4  // rows of a tile: must equal matmul.cpp's MR under WASM
#endif
#ifndef NR
#define NR 8  // columns of a tile: must equal matmul.cpp's NR under WASM
#endif
#define NV (NR / 4)

// C[MR x NR] = or += A (rows of kc floats, lda apart; past the first `rows` the last one is
// read again) * b (kc x NR panel), + bias when given.
static inline void micro_kernel(int kc, const float* a0, int lda, int rows, const float* b, float* c, int ldc,
                                int add_to_c, const float* bias) {
  const float* a[MR];
  for (int r = 0; r < MR; ++r) a[r] = a0 + (r < rows ? r : rows - 1) * lda;
  v128_t acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = wasm_f32x4_splat(0.0f);
  for (int p = 0; p < kc; ++p, b += NR) {
    v128_t bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = wasm_v128_load(b + 4 * v);
    for (int r = 0; r < MR; ++r) {
      const v128_t ar = wasm_v128_load32_splat(a[r] + p);
      for (int v = 0; v < NV; ++v) acc[r][v] = wasm_f32x4_relaxed_madd(ar, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      float* dst = c + r * ldc + 4 * v;
      v128_t x = acc[r][v];
      if (bias) x = wasm_f32x4_add(x, wasm_v128_load(bias + 4 * v));
      if (add_to_c) x = wasm_f32x4_add(x, wasm_v128_load(dst));
      wasm_v128_store(dst, x);
    }
}

// A tile cut short at the bottom or right edge: the kernel writes the scratch tile
// (MR x NR floats) and only the valid part reaches C.
static void ragged_tile(int rows, int cols, int kc, const float* a, int lda, const float* b, float* c,
                        int ldc, int add_to_c, const float* bias, float* scratch) {
  micro_kernel(kc, a, lda, rows, b, scratch, NR, 0, 0);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < cols; ++j) {
      const float x = scratch[r * NR + j] + (bias ? bias[j] : 0.0f);
      c[r * ldc + j] = add_to_c ? c[r * ldc + j] + x : x;
    }
}

// Every tile of one block: C[mc x nc] (+)= A (mc x kc, rows lda apart) B (kc x nc, packed) (+ bias).
__attribute__((export_name("gemm_block"))) void gemm_block(int mc, int nc, int kc, const float* a, int lda,
                                                           const float* b, float* c, int ldc, int add_to_c,
                                                           const float* bias, float* scratch) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int cols = nc - jr < NR ? nc - jr : NR;
    const float* bias_j = bias ? bias + jr : 0;
    for (int ir = 0; ir < mc; ir += MR) {
      const int rows = mc - ir < MR ? mc - ir : MR;
      const float* ap = a + ir * lda;
      const float* bp = b + jr * kc;
      float* cp = c + ir * ldc + jr;
      if (rows == MR && cols == NR)
        micro_kernel(kc, ap, lda, MR, bp, cp, ldc, add_to_c, bias_j);
      else
        ragged_tile(rows, cols, kc, ap, lda, bp, cp, ldc, add_to_c, bias_j, scratch);
    }
  }
}
