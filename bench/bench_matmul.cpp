// Native matmul benchmark: gptlab vs Eigen vs a naive triple loop, same process,
// same data, single thread. Prints GFLOP/s (2 m k n / seconds, best of 5 timed
// batches of >= 0.2 s each) and the ratio gptlab / Eigen as a Markdown table.
//
//   build/bench_matmul            all shapes
//   build/bench_matmul --quick    fewer repetitions (a smoke run)
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "numerics/matmul.h"

using namespace gptlab;
using Clock = std::chrono::steady_clock;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

static double g_batch_seconds = 0.2;
static int g_batches = 5;

// Best rate over several batches, each repeating `fn` until it has run long enough.
double gflops(double flops, const std::function<void()>& fn) {
  fn();  // warm caches and the packing workspace
  double best = 0;
  for (int b = 0; b < g_batches; ++b) {
    int reps = 0;
    const auto start = Clock::now();
    double seconds = 0;
    do {
      fn();
      ++reps;
      seconds = std::chrono::duration<double>(Clock::now() - start).count();
    } while (seconds < g_batch_seconds);
    best = std::max(best, flops * reps / seconds / 1e9);
  }
  return best;
}

struct Shape {
  const char* label;
  char op;  // 'n': A B, 't': A B^T, 'a': A^T B
  int m, k, n;
};

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--quick") == 0) g_batch_seconds = 0.05, g_batches = 2;
  const Shape shapes[] = {
      {"square 64", 'n', 64, 64, 64},
      {"square 128", 'n', 128, 128, 128},
      {"square 256", 'n', 256, 256, 256},
      {"square 512", 'n', 512, 512, 512},
      {"qkv proj X W (B*T=2048, C=128)", 'n', 2048, 128, 384},
      {"mlp up X W", 'n', 2048, 128, 512},
      {"mlp down X W", 'n', 2048, 512, 128},
      {"input grad dY W^T", 't', 2048, 384, 128},
      {"weight grad X^T dY", 'a', 128, 2048, 384},
      {"attention Q K^T (T=64, hd=16)", 't', 64, 16, 64},
  };
  std::printf("SIMD: %s, single thread, Eigen %d.%d.%d\n\n", matmul_simd_name(), EIGEN_WORLD_VERSION,
              EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
  std::printf(
      "| shape | m x k x n | op | gptlab GFLOP/s | Eigen GFLOP/s | naive GFLOP/s | gptlab / Eigen |\n");
  std::printf("|---|---|---|---:|---:|---:|---:|\n");
  std::mt19937 rng(1);
  for (const Shape& s : shapes) {
    const bool ta = s.op == 'a', tb = s.op == 't';
    RowMajor a = RowMajor::Random(ta ? s.k : s.m, ta ? s.m : s.k);
    RowMajor b = RowMajor::Random(tb ? s.n : s.k, tb ? s.k : s.n);
    RowMajor c(s.m, s.n), e(s.m, s.n);
    Matrix cv(c.data(), s.m, s.n);
    ConstMatrix av(a.data(), a.rows(), a.cols()), bv(b.data(), b.rows(), b.cols());
    const double flops = 2.0 * s.m * s.k * s.n;
    const double ours = gflops(flops, [&] {
      if (s.op == 'n') matmul(cv, av, bv);
      if (s.op == 't') matmul_bt(cv, av, bv);
      if (s.op == 'a') matmul_at(cv, av, bv);
    });
    const double eigen = gflops(flops, [&] {
      if (s.op == 'n') e.noalias() = a * b;
      if (s.op == 't') e.noalias() = a * b.transpose();
      if (s.op == 'a') e.noalias() = a.transpose() * b;
    });
    double naive = 0;
    if (flops <= 2.0 * 256 * 256 * 256) naive = gflops(flops, [&] { matmul_reference(cv, av, ta, bv, tb); });
    const double diff = (c - e).cwiseAbs().maxCoeff();
    if (!(diff < 1e-2)) {
      std::fprintf(stderr, "%s: gptlab and Eigen disagree by %g\n", s.label, diff);
      return 1;
    }
    const char* opname = s.op == 'n' ? "A B" : s.op == 't' ? "A B^T" : "A^T B";
    char naive_text[32] = "-";
    if (naive > 0) std::snprintf(naive_text, sizeof naive_text, "%.2f", naive);
    std::printf("| %s | %dx%dx%d | %s | %.1f | %.1f | %s | %.2f |\n", s.label, s.m, s.k, s.n, opname, ours,
                eigen, naive_text, ours / eigen);
    std::fflush(stdout);
  }
  return 0;
}
