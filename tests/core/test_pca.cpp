// The top two principal components against Eigen's SelfAdjointEigenSolver on random data, and
// on a matrix whose components, variances and projections are known by construction.
#include <doctest/doctest.h>

#include <Eigen/Dense>

#include <cmath>
#include <random>
#include <vector>

#include "errors.h"
#include "numerics/pca.h"

using namespace gptlab;

namespace {

// The convention principal_components promises: the largest-magnitude entry positive.
Eigen::VectorXd with_sign_convention(Eigen::VectorXd v) {
  Eigen::Index at = 0;
  for (Eigen::Index i = 1; i < v.size(); ++i)
    if (std::abs(v[i]) > std::abs(v[at])) at = i;
  return v[at] < 0 ? Eigen::VectorXd(-v) : v;
}

}  // namespace

TEST_CASE("PCA: the top two components, variance shares and projections equal Eigen's eigen-decomposition") {
  const int rows = 60, cols = 7;
  std::mt19937 rng(11);
  std::normal_distribution<float> n(0.0f, 1.0f);
  // Columns of different spreads, mixed by a random matrix, plus an offset (centring matters).
  const double spread[cols] = {3.0, 2.0, 1.5, 1.0, 0.7, 0.4, 0.2};
  Eigen::MatrixXd mix(cols, cols);
  for (int i = 0; i < cols; ++i)
    for (int j = 0; j < cols; ++j) mix(i, j) = n(rng);
  std::vector<float> x(rows * cols);
  for (int r = 0; r < rows; ++r) {
    Eigen::VectorXd z(cols);
    for (int c = 0; c < cols; ++c) z[c] = spread[c] * n(rng);
    const Eigen::VectorXd row = mix * z;
    for (int c = 0; c < cols; ++c) x[r * cols + c] = static_cast<float>(row[c] + 5.0 + c);
  }
  const PrincipalComponents pc = principal_components(x.data(), rows, cols);

  Eigen::MatrixXd X(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) X(r, c) = x[r * cols + c];
  const Eigen::MatrixXd centred = X.rowwise() - X.colwise().mean();
  const Eigen::MatrixXd cov = centred.transpose() * centred / (rows - 1);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);  // eigenvalues ascending
  const double total = eig.eigenvalues().sum();
  for (int k = 0; k < 2; ++k) {
    INFO("component ", k + 1);
    const Eigen::VectorXd expected = with_sign_convention(eig.eigenvectors().col(cols - 1 - k));
    for (int c = 0; c < cols; ++c) CHECK(std::abs(pc.components[k][c] - expected[c]) < 1e-4);
    CHECK(pc.explained[k] == doctest::Approx(eig.eigenvalues()[cols - 1 - k] / total).epsilon(1e-8));
    const Eigen::VectorXd projected = centred * expected;
    for (int r = 0; r < rows; ++r)
      CHECK(std::abs(pc.projections[r * 2 + k] - projected[r]) < 1e-4 * (1 + std::abs(projected[r])));
  }
  CHECK(pc.explained[0] > pc.explained[1]);
}

TEST_CASE("PCA: rows a u + b w + offset give components u and w, shares 0.9 and 0.1, coordinates (a, b)") {
  // u and w orthonormal in R^3; a = (3, -3, 3, -3) and b = (1, 1, -1, -1) have mean 0 and a . b = 0,
  // so the covariance is (36 u u^T + 4 w w^T) / 3: eigenvalues 12 and 4/3, shares 36/40 and 4/40.
  const double u[3] = {0.6, 0.8, 0.0}, w[3] = {0.0, 0.0, -1.0}, offset[3] = {10, -4, 2};
  const double a[4] = {3, -3, 3, -3}, b[4] = {1, 1, -1, -1};
  std::vector<float> x(12);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 3; ++c) x[r * 3 + c] = static_cast<float>(a[r] * u[c] + b[r] * w[c] + offset[c]);
  const PrincipalComponents pc = principal_components(x.data(), 4, 3);
  // Sign convention: u's largest entry 0.8 is positive already; w's (-1) flips it to (0, 0, 1).
  for (int c = 0; c < 3; ++c) {
    CHECK(pc.components[0][c] == doctest::Approx(u[c]).epsilon(1e-6));
    CHECK(std::abs(pc.components[1][c] + w[c]) < 1e-6);
  }
  CHECK(pc.explained[0] == doctest::Approx(0.9).epsilon(1e-6));
  CHECK(pc.explained[1] == doctest::Approx(0.1).epsilon(1e-6));
  for (int r = 0; r < 4; ++r) {
    CHECK(pc.projections[r * 2] == doctest::Approx(a[r]).epsilon(1e-5));
    CHECK(pc.projections[r * 2 + 1] == doctest::Approx(-b[r]).epsilon(1e-5));
  }
  // One direction only (b = 0): the second component is orthogonal to the first, with share 0.
  std::vector<float> line(12);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 3; ++c) line[r * 3 + c] = static_cast<float>(a[r] * u[c]);
  const PrincipalComponents one = principal_components(line.data(), 4, 3);
  double along = 0;
  for (int c = 0; c < 3; ++c) along += one.components[0][c] * one.components[1][c];
  CHECK(std::abs(along) < 1e-9);
  CHECK(one.explained[0] == doctest::Approx(1.0).epsilon(1e-9));
  CHECK(std::abs(one.explained[1]) < 1e-9);
  CHECK_THROWS_AS(principal_components(x.data(), 1, 3), ShapeError);
}
