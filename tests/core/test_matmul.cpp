// matmul, matmul_bt, matmul_at against two independent oracles: a double-precision
// triple loop and (natively) Eigen, on random shapes, edge shapes and empty ones.
//
// Tolerance: the classic bound for a float dot product of length k (Higham,
// "Accuracy and Stability of Numerical Algorithms", 3.1) is
//   |C - C_exact| <= gamma_k * (|A| |B|)_ij,  gamma_k = k eps / (1 - k eps),
// so every element is checked against 2 k eps (|A| |B|)_ij (+ |bias| + |C_old| terms).
#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "numerics/matmul.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

using namespace gptlab;

namespace {

enum class Op { ab, abt, atb };

const char* op_name(Op op) { return op == Op::ab ? "A B" : op == Op::abt ? "A B^T" : "A^T B"; }

struct Case {
  Op op;
  std::ptrdiff_t m, k, n;
  bool bias, accumulate;
  std::ptrdiff_t pad = 0;    // extra columns in every row stride (sub-matrix views)
  std::ptrdiff_t shift = 0;  // floats of offset from an aligned start (unaligned pointers)
};

struct Buffer {  // a row-major matrix with a chosen stride inside a larger allocation
  std::vector<float> storage;
  Matrix view;
  Buffer(std::ptrdiff_t rows, std::ptrdiff_t cols, const Case& c, std::mt19937& rng) {
    const std::ptrdiff_t stride = cols + c.pad;
    storage.assign(static_cast<std::size_t>(c.shift + rows * stride + 1), 0.0f);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& x : storage) x = u(rng);
    view = Matrix(storage.data() + c.shift, rows, cols, stride);
  }
};

void run(Op op, Matrix c, ConstMatrix a, ConstMatrix b, MatmulOptions o) {
  if (op == Op::ab) matmul(c, a, b, o);
  if (op == Op::abt) matmul_bt(c, a, b, o);
  if (op == Op::atb) matmul_at(c, a, b, o);
}

// Checks one case against the double-precision loop and Eigen. Also checks that
// the padding between rows of C (outside the view) is left untouched.
void check_case(const Case& cs, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const bool ta = cs.op == Op::atb, tb = cs.op == Op::abt;
  Buffer a(ta ? cs.k : cs.m, ta ? cs.m : cs.k, cs, rng);
  Buffer b(tb ? cs.n : cs.k, tb ? cs.k : cs.n, cs, rng);
  Buffer c(cs.m, cs.n, cs, rng);
  std::vector<float> bias(static_cast<std::size_t>(cs.n) + 1);
  for (float& x : bias) x = std::uniform_real_distribution<float>(-1, 1)(rng);
  MatmulOptions o{cs.bias ? bias.data() : nullptr, cs.accumulate};

  Buffer expected = c;  // copy of the initial C, including the padding
  expected.view.data = expected.storage.data() + cs.shift;
  const std::vector<float> before = c.storage;
  matmul_reference(expected.view, a.view, ta, b.view, tb, o);
  run(cs.op, c.view, a.view, b.view, o);

  // Eigen computes the same product independently (float, its own kernels).
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Map = Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>;
  Map ea(a.view.data, a.view.rows, a.view.cols, Eigen::OuterStride<>(a.view.row_stride));
  Map eb(b.view.data, b.view.rows, b.view.cols, Eigen::OuterStride<>(b.view.row_stride));
  Map ec0(before.data() + cs.shift, cs.m, cs.n, Eigen::OuterStride<>(c.view.row_stride));
  RowMajor eigen = ta   ? RowMajor(ea.transpose() * eb)
                   : tb ? RowMajor(ea * eb.transpose())
                        : RowMajor(ea * eb);
  if (cs.bias)
    for (std::ptrdiff_t i = 0; i < cs.m; ++i)
      for (std::ptrdiff_t j = 0; j < cs.n; ++j) eigen(i, j) += bias[j];
  if (cs.accumulate) eigen += ec0;

  INFO(op_name(cs.op), " m=", cs.m, " k=", cs.k, " n=", cs.n, " bias=", cs.bias,
       " accumulate=", cs.accumulate, " pad=", cs.pad, " shift=", cs.shift);
  const float eps = FLT_EPSILON;
  int bad = 0;
  for (std::ptrdiff_t i = 0; i < cs.m; ++i) {
    for (std::ptrdiff_t j = 0; j < cs.n; ++j) {
      double scale = (cs.bias ? std::fabs(bias[j]) : 0.0) + (cs.accumulate ? std::fabs(ec0(i, j)) : 0.0);
      for (std::ptrdiff_t p = 0; p < cs.k; ++p)
        scale += std::fabs((ta ? a.view(p, i) : a.view(i, p)) * (tb ? b.view(j, p) : b.view(p, j)));
      const double tol = 2.0 * double(cs.k + 2) * eps * scale + 1e-30;
      const float got = c.view(i, j);
      if (!(std::fabs(got - expected.view(i, j)) <= tol) || !(std::fabs(got - eigen(i, j)) <= 2 * tol)) ++bad;
    }
  }
  CHECK(bad == 0);
  // Nothing outside C's view was written: compare the padding and the slack.
  int stray = 0;
  for (std::size_t idx = 0; idx < c.storage.size(); ++idx) {
    const std::ptrdiff_t off = static_cast<std::ptrdiff_t>(idx) - cs.shift;
    const bool inside =
        c.view.row_stride > 0 && off >= 0 && off / c.view.row_stride < cs.m && off % c.view.row_stride < cs.n;
    if (!inside && c.storage[idx] != before[idx]) ++stray;
  }
  CHECK(stray == 0);
}

}  // namespace

TEST_CASE("matmul variants match the references on edge shapes") {
  const std::ptrdiff_t sizes[][3] = {{1, 1, 1},   {7, 13, 5},   {1, 17, 1},    {3, 1, 33},   {2, 3, 4},
                                     {13, 7, 31}, {6, 256, 32}, {31, 257, 17}, {65, 9, 129}, {97, 300, 3}};
  std::uint32_t seed = 1;
  for (Op op : {Op::ab, Op::abt, Op::atb})
    for (auto& s : sizes)
      for (bool bias : {false, true})
        for (bool acc : {false, true}) check_case({op, s[0], s[1], s[2], bias, acc}, seed++);
}

TEST_CASE("matmul variants match the references on random shapes, strides and offsets") {
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> dim(1, 200), pad(0, 5), shift(0, 7), coin(0, 1);
  for (int t = 0; t < 60; ++t) {
    Case cs{static_cast<Op>(t % 3), dim(rng),       dim(rng), dim(rng),
            coin(rng) == 1,         coin(rng) == 1, pad(rng), shift(rng)};
    check_case(cs, 1000u + t);
  }
}

TEST_CASE(
    "products with fewer rows than the kernel's tile (sampling's one-row products) match the references") {
  // 1 to 9 rows: below and above the micro-kernel's MR (4 in WASM, 6 with AVX2, 8 with AVX-512), which
  // are computed without packing; inner sizes across one SIMD width and one KC slice; padded and shifted.
  std::uint32_t seed = 500;
  for (Op op : {Op::ab, Op::abt, Op::atb})
    for (std::ptrdiff_t m = 1; m <= 9; ++m)
      for (auto [k, n] : {std::pair<std::ptrdiff_t, std::ptrdiff_t>{64, 192}, {17, 33}, {300, 70}, {3, 2100}})
        check_case({op, m, k, n, m % 2 == 0, m % 3 == 0, m % 4, m % 5}, seed++);
}

TEST_CASE("matmul blocks across every cache-blocking boundary") {
  // Larger than one KC slice, one MC block and one NC block of the driver.
  std::uint32_t seed = 77;
  check_case({Op::ab, 301, 600, 2100, true, false}, seed++);
  check_case({Op::abt, 250, 513, 129, false, true, 3, 1}, seed++);
  check_case({Op::atb, 129, 777, 250, true, true, 1, 3}, seed++);
}

TEST_CASE("zero-size dimensions are handled") {
  std::uint32_t seed = 500;
  for (Op op : {Op::ab, Op::abt, Op::atb}) {
    check_case({op, 0, 5, 7, true, false}, seed++);
    check_case({op, 5, 7, 0, true, true}, seed++);
    check_case({op, 0, 0, 0, false, false}, seed++);
  }
  // k == 0: the product is an empty sum, so C = bias, or C += bias.
  std::vector<float> c{1, 2, 3, 4, 5, 6}, bias{10, 20, 30};
  matmul(Matrix(c.data(), 2, 3), ConstMatrix(nullptr, 2, 0), ConstMatrix(nullptr, 0, 3),
         {bias.data(), false});
  CHECK(c == std::vector<float>{10, 20, 30, 10, 20, 30});
  matmul(Matrix(c.data(), 2, 3), ConstMatrix(nullptr, 2, 0), ConstMatrix(nullptr, 0, 3), {bias.data(), true});
  CHECK(c == std::vector<float>{20, 40, 60, 20, 40, 60});
  matmul(Matrix(c.data(), 2, 3), ConstMatrix(nullptr, 2, 0), ConstMatrix(nullptr, 0, 3));
  CHECK(c == std::vector<float>(6, 0.0f));
}

TEST_CASE("a small product is exact where it can be") {
  // Integers below 2^24 multiply and add exactly in float, so this is exact.
  std::vector<float> a{1, 2, 3, 4, 5, 6};     // 2x3
  std::vector<float> b{7, 8, 9, 10, 11, 12};  // 3x2
  std::vector<float> c(4), bias{100, 200};
  matmul(Matrix(c.data(), 2, 2), ConstMatrix(a.data(), 2, 3), ConstMatrix(b.data(), 3, 2), {bias.data()});
  CHECK(c == std::vector<float>{158, 264, 239, 354});
  matmul_bt(Matrix(c.data(), 2, 2), ConstMatrix(a.data(), 2, 3), ConstMatrix(a.data(), 2, 3));
  CHECK(c == std::vector<float>{14, 32, 32, 77});  // A A^T
  std::vector<float> d(9);
  matmul_at(Matrix(d.data(), 3, 3), ConstMatrix(a.data(), 2, 3), ConstMatrix(a.data(), 2, 3));
  CHECK(d == std::vector<float>{17, 22, 27, 22, 29, 36, 27, 36, 45});  // A^T A
}

TEST_CASE("matmul rejects shapes that do not fit with a sentence") {
  std::vector<float> a(6), b(6), c(4);
  CHECK_THROWS_WITH_AS(
      matmul(Matrix(c.data(), 2, 2), ConstMatrix(a.data(), 2, 3), ConstMatrix(b.data(), 2, 3)),
      "matmul: C is 2x2, A is 2x3 and B is 2x3; the inner dimensions of the product differ.", ShapeError);
  CHECK_THROWS_WITH_AS(
      matmul(Matrix(c.data(), 1, 4), ConstMatrix(a.data(), 2, 3), ConstMatrix(b.data(), 3, 2)),
      "matmul: C is 1x4, A is 2x3 and B is 3x2; C must have the product's shape.", ShapeError);
  CHECK_THROWS_AS(matmul_bt(Matrix(c.data(), 2, 2), ConstMatrix(a.data(), 2, 3), ConstMatrix(b.data(), 3, 2)),
                  ShapeError);
  CHECK_THROWS_AS(matmul_at(Matrix(c.data(), 2, 2), ConstMatrix(a.data(), 2, 3), ConstMatrix(b.data(), 3, 2)),
                  ShapeError);
  // In-place products would read what they already overwrote.
  std::vector<float> sq(4, 1.0f);
  CHECK_THROWS_WITH_AS(
      matmul(Matrix(sq.data(), 2, 2), ConstMatrix(sq.data(), 2, 2), ConstMatrix(b.data(), 2, 2)),
      "matmul: C is 2x2, A is 2x2 and B is 2x2; C must not share memory with A, B or the bias.", ShapeError);
  CHECK_THROWS_AS(Matrix(c.data(), 2, 3, 2), ShapeError);
  CHECK_THROWS_AS(Matrix(c.data(), -1, 3), ShapeError);
}

TEST_CASE("the kernels report which micro-kernel runs") {
  const std::string kernel = matmul_kernel_name();
#ifdef __EMSCRIPTEN__
  // ctest says which to expect: 1 for the run with node's relaxed-SIMD flag, 0 for the run without.
  const int expect_relaxed = EM_ASM_INT({ return Number(process.env.GPTLAB_EXPECT_RELAXED_MADD || -1); });
  if (expect_relaxed == 1) CHECK(kernel == "wasm simd128 + relaxed madd");
  if (expect_relaxed == 0) CHECK(kernel == "wasm simd128");
  CHECK(kernel.rfind("wasm simd128", 0) == 0);
#else
  CHECK(kernel == matmul_simd_name());
#endif
}

TEST_CASE("the kernels report the SIMD instruction set they were built for") {
  const std::string name = matmul_simd_name();
#ifdef __EMSCRIPTEN__
  CHECK(name == "sse4.1");  // translated to WASM SIMD128
#else
  CHECK(name.size() > 0);
  CHECK(name != "sse2");
#endif
}
