// C (+)= op(A) op(B) for the layers, generic over the scalar type: float runs
// the SIMD kernels of matmul.h; double (used by the gradient checks) runs a
// plain loop. op(X) is X or X^T.
#pragma once

#include <type_traits>

#include "numerics/matmul.h"
#include "numerics/tensor.h"

namespace gptlab {

template <typename T>
void gemm(MatrixView<T> c, MatrixView<const T> a, bool transpose_a, MatrixView<const T> b, bool transpose_b,
          bool accumulate = false) {
  if constexpr (std::is_same_v<T, float>) {
    const MatmulOptions o{nullptr, accumulate};
    if (!transpose_a && !transpose_b) return matmul(c, a, b, o);
    if (!transpose_a && transpose_b) return matmul_bt(c, a, b, o);
    if (transpose_a && !transpose_b) return matmul_at(c, a, b, o);
    throw ShapeError("gemm: A^T B^T is not supported.");
  } else {
    const std::ptrdiff_t k = transpose_a ? a.rows : a.cols;
    for (std::ptrdiff_t i = 0; i < c.rows; ++i)
      for (std::ptrdiff_t j = 0; j < c.cols; ++j) {
        T sum = 0;
        for (std::ptrdiff_t p = 0; p < k; ++p)
          sum += (transpose_a ? a(p, i) : a(i, p)) * (transpose_b ? b(j, p) : b(p, j));
        c(i, j) = accumulate ? c(i, j) + sum : sum;
      }
  }
}

}  // namespace gptlab
