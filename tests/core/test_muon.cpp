// Muon against an independent reference: Eigen's SVD in double. Newton-Schulz keeps the singular
// vectors and moves each singular value s (of G / ||G||_F) along the quintic a s + b s^3 + c s^5, five
// times; so NS5(G) = U f(S) V^T with f computed here on the singular values alone.
#include <doctest/doctest.h>

#include <Eigen/Dense>

#include <cmath>
#include <random>
#include <vector>

#include "errors.h"
#include "model/gpt.h"
#include "train/adamw.h"
#include "train/muon.h"

using namespace gptlab;

namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A rows x cols Gaussian matrix whose rows are scaled from 1 down to `smallest`: singular values spread.
std::vector<float> spread_matrix(int rows, int cols, double smallest, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(rows) * cols);
  for (int i = 0; i < rows; ++i) {
    const double scale = rows == 1 ? 1.0 : std::pow(smallest, double(i) / (rows - 1));
    for (int j = 0; j < cols; ++j) x[i * cols + j] = static_cast<float>(scale * n(rng));
  }
  return x;
}

RowMajor to_eigen(const std::vector<float>& x, int rows, int cols) {
  RowMajor m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = x[i * cols + j];
  return m;
}

// U f(S) V^T from Eigen's SVD, f the five quintic steps on the normalized singular values.
RowMajor reference_ns5(const RowMajor& g) {
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(g, Eigen::ComputeThinU | Eigen::ComputeThinV);
  Eigen::VectorXd s = svd.singularValues() / (g.norm() + 1e-7);
  for (int step = 0; step < 5; ++step)
    s = s.unaryExpr([](double v) { return 3.4445 * v - 4.7750 * v * v * v + 2.0315 * std::pow(v, 5); });
  return svd.matrixU() * s.asDiagonal() * svd.matrixV().transpose();
}

}  // namespace

TEST_CASE("Newton-Schulz: NS5(G) = U f(S) V^T against Eigen's SVD, wide, tall and square") {
  struct Shape {
    int rows, cols;
  };
  for (const Shape shape : {Shape{8, 20}, Shape{30, 6}, Shape{16, 16}, Shape{1, 5}}) {
    std::vector<float> x = spread_matrix(shape.rows, shape.cols, 0.05, 7);
    const RowMajor expected = reference_ns5(to_eigen(x, shape.rows, shape.cols));
    orthogonalize(Matrix(x.data(), shape.rows, shape.cols));
    const RowMajor got = to_eigen(x, shape.rows, shape.cols);
    INFO(shape.rows, "x", shape.cols, ": max |diff| ", (got - expected).cwiseAbs().maxCoeff());
    CHECK((got - expected).cwiseAbs().maxCoeff() < 2e-4);
  }
}

TEST_CASE("Newton-Schulz: a Gaussian matrix comes out with every singular value near 1") {
  // The point of the iteration: after it, no direction of the update dominates. Jordan's coefficients
  // aim for [0.7, 1.2] rather than exactly 1.
  const int rows = 32, cols = 96;
  std::vector<float> x = spread_matrix(rows, cols, 1.0, 3);
  const Eigen::VectorXd before = Eigen::JacobiSVD<Eigen::MatrixXd>(to_eigen(x, rows, cols)).singularValues();
  REQUIRE(before.maxCoeff() / before.minCoeff() > 2.5);  // not orthogonal to begin with
  orthogonalize(Matrix(x.data(), rows, cols));
  const Eigen::VectorXd after = Eigen::JacobiSVD<Eigen::MatrixXd>(to_eigen(x, rows, cols)).singularValues();
  INFO("singular values after: ", after.minCoeff(), " to ", after.maxCoeff());
  CHECK(after.minCoeff() > 0.6);
  CHECK(after.maxCoeff() < 1.25);
}

TEST_CASE("a Muon step by hand: Nesterov momentum, orthogonalized, scaled, decayed") {
  const int rows = 6, cols = 10;
  const std::vector<float> w0 = spread_matrix(rows, cols, 0.5, 1), g = spread_matrix(rows, cols, 0.2, 2),
                           b0 = spread_matrix(rows, cols, 0.7, 3);
  std::vector<float> w = w0, b = b0;
  const MuonStep step{0.01f, 0.3f, 0.95f};
  const double change2 = muon_update(w, g, b, rows, cols, step);

  const RowMajor G = to_eigen(g, rows, cols), B = 0.95 * to_eigen(b0, rows, cols) + G;
  const RowMajor W = (1 - 0.01 * 0.3) * to_eigen(w0, rows, cols) -
                     0.01 * 0.2 * std::sqrt(10.0) * reference_ns5(G + 0.95 * B);
  CHECK((to_eigen(b, rows, cols) - B).cwiseAbs().maxCoeff() < 1e-6);
  CHECK((to_eigen(w, rows, cols) - W).cwiseAbs().maxCoeff() < 1e-6);
  CHECK(change2 == doctest::Approx((W - to_eigen(w0, rows, cols)).squaredNorm()).epsilon(1e-4));
  CHECK_THROWS_AS(muon_update(w, g, b, rows + 1, cols, step), ShapeError);
}

TEST_CASE("optimizer muon: the blocks' matrices take Muon's step, every other tensor AdamW's") {
  GptConfig c;
  c.vocab_size = 16, c.block_size = 8, c.n_layer = 2, c.n_head = 2, c.n_embd = 16;
  Gpt<float> model(c, 1);
  AdamWConfig muon;
  muon.optimizer = Optimizer::muon;
  AdamW<float> opt(model.tensors(), model.num_parameters(), muon);
  int orthogonalized = 0;
  for (std::size_t k = 0; k < model.tensors().size(); ++k) {
    const std::string& name = model.tensors()[k].name;
    const bool block_matrix = name.starts_with("transformer.h.") && name.ends_with(".weight") &&
                              name.find(".ln_") == std::string::npos;
    INFO(name);
    CHECK(opt.orthogonalized(k) == block_matrix);
    orthogonalized += opt.orthogonalized(k);
  }
  CHECK(orthogonalized == 2 * 4);
  AdamW<float> adamw(model.tensors(), model.num_parameters());
  for (std::size_t k = 0; k < model.tensors().size(); ++k) CHECK_FALSE(adamw.orthogonalized(k));

  // One step from zero state: a Muon matrix moves by lr 0.2 sqrt(max dim) ||NS5(g)||, with v untouched.
  std::vector<float> grads(model.num_parameters());
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.0f, 1.0f);
  for (float& g : grads) g = n(rng);
  std::vector<float> before(model.params().begin(), model.params().end());
  opt.step(model.params(), grads, 1e-3f);
  const ParamTensor& fc = model.tensor("transformer.h.0.mlp.c_fc.weight");
  const std::vector<float> g_fc(grads.begin() + fc.offset, grads.begin() + fc.offset + fc.size());
  const RowMajor G = to_eigen(g_fc, fc.shape[0], fc.shape[1]);
  const RowMajor expected =
      (1 - 1e-3 * 0.1) *
          to_eigen(std::vector<float>(before.begin() + fc.offset, before.begin() + fc.offset + fc.size()),
                   fc.shape[0], fc.shape[1]) -
      1e-3 * 0.2 * std::sqrt(double(fc.shape[0])) * reference_ns5(1.95 * G);
  const std::vector<float> after(model.params().begin() + fc.offset,
                                 model.params().begin() + fc.offset + fc.size());
  CHECK((to_eigen(after, fc.shape[0], fc.shape[1]) - expected).cwiseAbs().maxCoeff() < 1e-6);
  for (std::size_t i = fc.offset; i < fc.offset + fc.size(); ++i) REQUIRE(opt.v()[i] == 0.0f);
  CHECK_THROWS_AS(AdamW<double>(model.tensors(), model.num_parameters(), muon), ShapeError);
}
