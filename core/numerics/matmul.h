// Matrix multiplication: the three products a training step needs.
//
// For a linear layer Y = X W + b with X (n x in), W (in x out):
//   forward           Y  = X  W  + b   -> matmul
//   input gradient    dX = dY W^T      -> matmul_bt
//   weight gradient   dW = X^T dY      -> matmul_at
// Each computes C = op(A) op(B) (+ bias broadcast over rows), or adds that to C
// when accumulate is set (so gradients can be summed over a batch in place).
//
// fp32, single-threaded, SIMD (xsimd: AVX2/AVX-512 natively, SIMD128 in WASM),
// cache-blocked with packed panels and a register-blocked micro-kernel. Any
// shape works, including empty ones and pointers that are not aligned.
// C must not overlap A, B or the bias.
#pragma once

#include "numerics/tensor.h"

namespace gptlab {

struct MatmulOptions {
  const float* bias = nullptr;  // length C.cols, added to every row; nullptr for none
  bool accumulate = false;      // C += product instead of C = product
};

// C (m x n) (+)= A (m x k) * B (k x n)
void matmul(Matrix c, ConstMatrix a, ConstMatrix b, MatmulOptions options = {});
// C (m x n) (+)= A (m x k) * B^T, with B stored as (n x k)
void matmul_bt(Matrix c, ConstMatrix a, ConstMatrix b, MatmulOptions options = {});
// C (m x n) (+)= A^T * B (k x n), with A stored as (k x m)
void matmul_at(Matrix c, ConstMatrix a, ConstMatrix b, MatmulOptions options = {});

// The textbook triple loop, for tests and benchmarks: same contract, no tricks.
void matmul_reference(Matrix c, ConstMatrix a, bool transpose_a, ConstMatrix b, bool transpose_b,
                      MatmulOptions options = {});

// Which SIMD instruction set the kernels were compiled for, e.g. "avx512f" or "sse4.1".
const char* matmul_simd_name();
// Which micro-kernel runs the products on this thread: natively the SIMD set's name; under WASM
// "wasm simd128 + relaxed madd" when the engine has relaxed SIMD's fused multiply-add, else "wasm simd128".
const char* matmul_kernel_name();

}  // namespace gptlab
