#include "train/muon.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "numerics/matmul.h"

namespace gptlab {
namespace {
constexpr int kSteps = 5;  // Newton-Schulz iterations
}  // namespace

double orthogonalize_cost(int rows, int cols) {
  const double n = std::min(rows, cols), m = std::max(rows, cols);
  return kSteps * (2 * n * n * m + n * n * n);  // X X^T, A A and (b A + c A^2) X
}

void orthogonalize(Matrix x) {
  constexpr float a = 3.4445f, b = -4.7750f, c = 2.0315f;
  if (x.empty()) return;
  const bool tall = x.rows > x.cols;
  const std::ptrdiff_t n = tall ? x.cols : x.rows;  // A is n x n
  std::vector<float> a_buf(n * n), a2_buf(n * n), y_buf(x.size());
  const Matrix A(a_buf.data(), n, n), A2(a2_buf.data(), n, n), Y(y_buf.data(), x.rows, x.cols);

  double sum = 0;
  for (std::ptrdiff_t i = 0; i < x.rows; ++i)
    for (std::ptrdiff_t j = 0; j < x.cols; ++j) sum += static_cast<double>(x(i, j)) * x(i, j);
  const float inv = static_cast<float>(1.0 / (std::sqrt(sum) + 1e-7));
  for (std::ptrdiff_t i = 0; i < x.rows; ++i)
    for (std::ptrdiff_t j = 0; j < x.cols; ++j) x(i, j) *= inv;

  for (int step = 0; step < kSteps; ++step) {
    if (tall)
      matmul_at(A, x, x);  // X^T X
    else
      matmul_bt(A, x, x);  // X X^T
    matmul(A2, A, A);
    for (std::ptrdiff_t i = 0; i < A.size(); ++i) a2_buf[i] = b * a_buf[i] + c * a2_buf[i];  // b A + c A^2
    for (std::ptrdiff_t i = 0; i < x.rows; ++i)
      for (std::ptrdiff_t j = 0; j < x.cols; ++j) Y(i, j) = a * x(i, j);
    if (tall)
      matmul(Y, x, A2, {.accumulate = true});  // a X + X (b A + c A^2)
    else
      matmul(Y, A2, x, {.accumulate = true});  // a X + (b A + c A^2) X
    for (std::ptrdiff_t i = 0; i < x.rows; ++i)
      for (std::ptrdiff_t j = 0; j < x.cols; ++j) x(i, j) = Y(i, j);
  }
}

double muon_update(std::span<float> w, std::span<const float> g, std::span<float> b, int rows, int cols,
                   const MuonStep& step) {
  const std::size_t size = static_cast<std::size_t>(rows) * cols;
  if (w.size() != size || g.size() != size || b.size() != size)
    throw ShapeError("Muon's weight, gradient and momentum must each hold " + std::to_string(rows) + "x" +
                     std::to_string(cols) + " values.");
  std::vector<float> u(size);
  for (std::size_t i = 0; i < size; ++i) {
    b[i] = step.momentum * b[i] + g[i];
    u[i] = g[i] + step.momentum * b[i];
  }
  orthogonalize(Matrix(u.data(), rows, cols));
  const float scale = step.lr * 0.2f * std::sqrt(static_cast<float>(std::max(rows, cols)));
  const float keep = 1.0f - step.lr * step.weight_decay;
  double change2 = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const float before = w[i];
    w[i] = keep * before - scale * u[i];
    const double change = static_cast<double>(w[i]) - before;
    change2 += change * change;
  }
  return change2;
}

}  // namespace gptlab
