// A matrix view: a row-major window onto floats someone else owns.
//
// The core never hides an allocation behind a shape. A view is a pointer plus
// (rows, cols, row_stride): element (i, j) lives at data[i * row_stride + j].
// A row_stride larger than cols describes a sub-block of a wider matrix, so
// views of the query, key and value columns of one fused buffer cost nothing.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

#include "errors.h"

namespace gptlab {

template <typename T>
struct MatrixView {
  T* data = nullptr;
  std::ptrdiff_t rows = 0;
  std::ptrdiff_t cols = 0;
  std::ptrdiff_t row_stride = 0;

  MatrixView() = default;
  MatrixView(T* d, std::ptrdiff_t r, std::ptrdiff_t c) : MatrixView(d, r, c, c) {}
  MatrixView(T* d, std::ptrdiff_t r, std::ptrdiff_t c, std::ptrdiff_t stride)
      : data(d), rows(r), cols(c), row_stride(stride) {
    if (r < 0 || c < 0) throw ShapeError("A matrix cannot have a negative number of rows or columns.");
    if (stride < c) throw ShapeError("A matrix row stride must be at least its number of columns.");
    if (d == nullptr && r > 0 && c > 0) throw ShapeError("A non-empty matrix needs data.");
  }
  // A mutable view converts to a read-only one.
  template <typename U, typename = std::enable_if_t<std::is_same_v<const U, T>>>
  MatrixView(const MatrixView<U>& m) : data(m.data), rows(m.rows), cols(m.cols), row_stride(m.row_stride) {}

  T& operator()(std::ptrdiff_t i, std::ptrdiff_t j) const { return data[i * row_stride + j]; }
  std::ptrdiff_t size() const { return rows * cols; }
  bool empty() const { return rows == 0 || cols == 0; }
  // The rows [first, first + count) as a view of the same columns.
  MatrixView row_block(std::ptrdiff_t first, std::ptrdiff_t count) const {
    return {data + first * row_stride, count, cols, row_stride};
  }
  // The columns [first, first + count) as a view of the same rows.
  MatrixView col_block(std::ptrdiff_t first, std::ptrdiff_t count) const {
    return {data + first, rows, count, row_stride};
  }
};

using Matrix = MatrixView<float>;
using ConstMatrix = MatrixView<const float>;

// "3x5" — used in error sentences.
template <typename T>
std::string shape_string(const MatrixView<T>& m) {
  return std::to_string(m.rows) + "x" + std::to_string(m.cols);
}

}  // namespace gptlab
