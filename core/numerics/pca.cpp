#include "numerics/pca.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "errors.h"
#include "numerics/rng.h"

namespace gptlab {

namespace {

constexpr int kMaxIterations = 10000;
constexpr double kTolerance = 1e-12;  // largest change of an entry of the unit vector

// S = X_c^T X_c / (rows - 1), X_c the columns of x minus their means; (cols x cols).
std::vector<double> covariance(const float* x, int rows, int cols, std::vector<double>& mean) {
  mean.assign(cols, 0.0);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) mean[c] += x[static_cast<std::size_t>(r) * cols + c];
  for (double& m : mean) m /= rows;
  std::vector<double> S(static_cast<std::size_t>(cols) * cols, 0.0), d(cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) d[c] = x[static_cast<std::size_t>(r) * cols + c] - mean[c];
    for (int i = 0; i < cols; ++i)
      for (int j = i; j < cols; ++j) S[static_cast<std::size_t>(i) * cols + j] += d[i] * d[j];
  }
  for (int i = 0; i < cols; ++i)
    for (int j = i; j < cols; ++j)
      S[static_cast<std::size_t>(j) * cols + i] = S[static_cast<std::size_t>(i) * cols + j] /= rows - 1;
  return S;
}

// y = S v
void multiply(std::vector<double>& y, const std::vector<double>& S, const std::vector<double>& v) {
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) s += S[i * n + j] * v[j];
    y[i] = s;
  }
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// v <- v / |v|; returns |v|.
double normalize(std::vector<double>& v) {
  const double norm = std::sqrt(dot(v, v));
  if (norm > 0)
    for (double& x : v) x /= norm;
  return norm;
}

// v <- v - (v . u) u for each unit vector u found before.
void orthogonalize(std::vector<double>& v, const std::vector<std::vector<double>>& found) {
  for (const std::vector<double>& u : found) {
    const double along = dot(v, u);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] -= along * u[i];
  }
}

// Power iteration: v <- S v / |S v| from the unit vector v until no entry moves more than
// kTolerance (at most kMaxIterations). S is positive semi-definite, so v converges to the
// eigenvector of the largest eigenvalue without flipping sign. v is kept orthogonal to the
// components found before (deflation leaves rounding noise along them); if S v = 0, v stays.
void power_iteration(std::vector<double>& v, const std::vector<double>& S,
                     const std::vector<std::vector<double>>& found) {
  std::vector<double> next(v.size());
  for (int it = 0; it < kMaxIterations; ++it) {
    multiply(next, S, v);
    orthogonalize(next, found);
    if (normalize(next) == 0) return;
    double change = 0;
    for (std::size_t i = 0; i < v.size(); ++i) change = std::max(change, std::abs(next[i] - v[i]));
    v.swap(next);
    if (change < kTolerance) return;
  }
}

// Deflation: S <- S - lambda v v^T removes the found component (v a unit eigenvector).
void deflate(std::vector<double>& S, const std::vector<double>& v, double lambda) {
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) S[i * n + j] -= lambda * v[i] * v[j];
}

// The sign convention: the largest-magnitude entry positive (the first of equal magnitudes).
void fix_sign(std::vector<double>& v) {
  std::size_t at = 0;
  for (std::size_t i = 1; i < v.size(); ++i)
    if (std::abs(v[i]) > std::abs(v[at])) at = i;
  if (v[at] < 0)
    for (double& x : v) x = -x;
}

}  // namespace

PrincipalComponents principal_components(const float* x, int rows, int cols) {
  if (rows < 2 || cols < 2)
    throw ShapeError("Principal components need at least 2 rows and 2 columns; the matrix is " +
                     std::to_string(rows) + " x " + std::to_string(cols) + ".");
  std::vector<double> mean;
  const std::vector<double> S = covariance(x, rows, cols, mean);
  double trace = 0;
  for (int i = 0; i < cols; ++i) trace += S[static_cast<std::size_t>(i) * cols + i];
  PrincipalComponents pc;
  std::vector<double> deflated = S, Sv(cols);
  std::vector<std::vector<double>> found;
  Rng rng(0x9CA);  // a fixed random start: almost surely not orthogonal to the answer
  for (int k = 0; k < 2; ++k) {
    std::vector<double> v(cols);
    for (double& e : v) e = rng.normal();
    orthogonalize(v, found);
    normalize(v);
    power_iteration(v, deflated, found);
    fix_sign(v);
    multiply(Sv, S, v);
    const double lambda = dot(v, Sv);  // the Rayleigh quotient v^T S v
    pc.explained[k] = trace > 0 ? lambda / trace : 0.0;
    deflate(deflated, v, lambda);
    found.push_back(v);
    pc.components[k] = std::move(v);
  }
  pc.projections.resize(static_cast<std::size_t>(rows) * 2);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < 2; ++k) {
      double s = 0;
      for (int c = 0; c < cols; ++c)
        s += (x[static_cast<std::size_t>(r) * cols + c] - mean[c]) * pc.components[k][c];
      pc.projections[static_cast<std::size_t>(r) * 2 + k] = static_cast<float>(s);
    }
  return pc;
}

}  // namespace gptlab
