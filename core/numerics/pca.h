// Principal component analysis, to draw a cloud of high-dimensional rows (embeddings) in 2-D:
// the two directions along which the rows vary most, and each row's coordinates along them.
#pragma once

#include <array>
#include <vector>

namespace gptlab {

struct PrincipalComponents {
  std::vector<float> projections;                 // (rows, 2) (x_r - mean) . v_1, (x_r - mean) . v_2
  std::array<std::vector<double>, 2> components;  // (cols) unit eigenvectors v_1, v_2 of the covariance
  std::array<double, 2> explained;                // lambda_i / trace(covariance): variance share of each
};

// The top two principal components of a (rows x cols) row-major matrix, rows >= 2, cols >= 2:
// the columns centred, the covariance S = X_c^T X_c / (rows - 1) in double, and its two largest
// eigenvectors by power iteration with deflation. Sign convention: each component's
// largest-magnitude entry is positive (the first of equal magnitudes). Throws ShapeError for
// fewer rows or columns.
PrincipalComponents principal_components(const float* x, int rows, int cols);

}  // namespace gptlab
