// JavaScript surface of the matmul kernels: a checked one-shot product for tests
// and demos, and a benchmark object that owns its buffers so JS can time it.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <random>
#include <string>
#include <vector>

#include "js_arrays.h"
#include "js_errors.h"
#include "numerics/matmul.h"

namespace gptlab::wasm {
namespace {

using emscripten::val;

std::vector<float> to_floats(const val& array, int rows, int cols, const char* name) {
  if (rows < 0 || cols < 0) throw ShapeError(std::string(name) + " cannot have negative dimensions.");
  std::vector<float> out = emscripten::convertJSArrayToNumberVector<float>(array);
  if (out.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
    throw ShapeError(std::string(name) + " has " + std::to_string(out.size()) + " numbers but its shape " +
                     std::to_string(rows) + "x" + std::to_string(cols) + " needs " +
                     std::to_string(static_cast<long long>(rows) * cols) + ".");
  return out;
}

// op is "ab" (A B), "abt" (A B^T) or "atb" (A^T B). Returns C as a new Float32Array.
val matmul_js(val a, int a_rows, int a_cols, val b, int b_rows, int b_cols, std::string op) {
  return guard([&] {
    if (op != "ab" && op != "abt" && op != "atb")
      throw ShapeError("matmul: op must be \"ab\", \"abt\" or \"atb\", not \"" + op + "\".");
    auto av = to_floats(a, a_rows, a_cols, "A"), bv = to_floats(b, b_rows, b_cols, "B");
    const int m = op == "atb" ? a_cols : a_rows, n = op == "abt" ? b_rows : b_cols;
    std::vector<float> c(static_cast<std::size_t>(m) * n);
    Matrix cm(c.data(), m, n);
    ConstMatrix am(av.data(), a_rows, a_cols), bm(bv.data(), b_rows, b_cols);
    if (op == "ab") matmul(cm, am, bm);
    if (op == "abt") matmul_bt(cm, am, bm);
    if (op == "atb") matmul_at(cm, am, bm);
    return copy_to_js("Float32Array", c);
  });
}

// C (m x n) = A (m x k) B (k x n) on random data, repeated; JS measures the time.
class MatmulBenchmark {
 public:
  MatmulBenchmark(int m, int k, int n) : m_(m), k_(k), n_(n) {
    guard([&] {
      if (m < 1 || k < 1 || n < 1) throw ShapeError("MatmulBenchmark: every dimension must be at least 1.");
      std::mt19937 rng(42);
      std::uniform_real_distribution<float> u(-1.0f, 1.0f);
      a_.resize(static_cast<std::size_t>(m) * k);
      b_.resize(static_cast<std::size_t>(k) * n);
      c_.resize(static_cast<std::size_t>(m) * n);
      for (float& x : a_) x = u(rng);
      for (float& x : b_) x = u(rng);
    });
  }
  void run(int repetitions) {
    for (int r = 0; r < repetitions; ++r)
      matmul(Matrix(c_.data(), m_, n_), ConstMatrix(a_.data(), m_, k_), ConstMatrix(b_.data(), k_, n_));
  }
  double flops_per_run() const { return 2.0 * m_ * k_ * n_; }

 private:
  int m_, k_, n_;
  std::vector<float> a_, b_, c_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(gptlab_matmul) {
  emscripten::function(
      "simdName", +[] { return std::string(matmul_simd_name()); });
  emscripten::function(
      "kernelName", +[] { return std::string(matmul_kernel_name()); });
  emscripten::function("matmul", &matmul_js);
  emscripten::class_<MatmulBenchmark>("MatmulBenchmark")
      .constructor<int, int, int>()
      .function("run", &MatmulBenchmark::run)
      .function("flopsPerRun", &MatmulBenchmark::flops_per_run);
}

}  // namespace gptlab::wasm
