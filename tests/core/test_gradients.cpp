// Finite-difference gradient checks, in double: every layer on its own, then the
// whole GPT on tiny configurations covering both FFNs, both position kinds,
// both norms, causal and bidirectional attention, padding, tied weights and
// dropout (with the dropout masks held fixed by reseeding), and the switches that
// take parts away: no positions, no FFN, no norm, no residual, no layers.
//
// Central differences (f(x + h) - f(x - h)) / 2h with h = 1e-6 have error
// O(h^2) + O(eps / h) ~ 1e-10 relative; a wrong gradient is off by O(1). The
// tolerance is |analytic - numeric| <= 1e-6 * max(1, |numeric|).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "model/attention.h"
#include "model/gpt.h"
#include "model/layers.h"

using namespace gptlab;
using Vec = std::vector<double>;

namespace {

constexpr double kH = 1e-6, kTol = 1e-6;

Vec random_vec(Rng& rng, std::size_t n, double scale = 1.0) {
  Vec v(n);
  for (double& x : v) x = rng.normal() * scale;
  return v;
}

// Checks d loss / d x for every element of x. `loss` reads x; `grad` is the analytic gradient.
void check_gradient(const char* what, Vec& x, const Vec& grad, const std::function<double()>& loss) {
  REQUIRE(grad.size() == x.size());
  int bad = 0;
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + kH;
    const double up = loss();
    x[i] = keep - kH;
    const double down = loss();
    x[i] = keep;
    const double numeric = (up - down) / (2 * kH);
    const double err = std::fabs(grad[i] - numeric) / std::max(1.0, std::fabs(numeric));
    worst = std::max(worst, err);
    bad += err > kTol;
  }
  INFO(what, ": worst relative error ", worst);
  CHECK(bad == 0);
}

double dot(const Vec& a, const double* b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

TEST_CASE("layer gradients: linear, norms, activations, RoPE, dropout") {
  Rng rng(1);
  const int n = 3, in = 5, out = 4;
  Vec x = random_vec(rng, n * in), w = random_vec(rng, out * in), b = random_vec(rng, out),
      dy = random_vec(rng, n * out);
  Vec y(n * out);
  auto linear_loss = [&] {
    linear_forward(y.data(), x.data(), w.data(), b.data(), n, in, out);
    return dot(dy, y.data());
  };
  // An activation's gradient is written afresh (whatever its buffer held is gone); the weights'
  // gradients accumulate. So dx starts as garbage and dw, db at zero.
  Vec dx(x.size(), 7.0), dw(w.size()), db(b.size());
  linear_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), n, in, out);
  check_gradient("linear dx", x, dx, linear_loss);
  check_gradient("linear dw", w, dw, linear_loss);
  check_gradient("linear db", b, db, linear_loss);

  const int C = 6;
  Vec nx = random_vec(rng, n * C, 2.0), nw = random_vec(rng, C), nb = random_vec(rng, C),
      ndy = random_vec(rng, n * C);
  Vec ny(n * C), mean(n), rstd(n);
  auto ln_loss = [&] {
    layernorm_forward(ny.data(), mean.data(), rstd.data(), nx.data(), nw.data(), nb.data(), n, C);
    return dot(ndy, ny.data());
  };
  ln_loss();
  Vec ndx(nx.size()), ndw(C), ndb(C);
  layernorm_backward(ndx.data(), ndw.data(), ndb.data(), ndy.data(), nx.data(), nw.data(), mean.data(),
                     rstd.data(), n, C);
  check_gradient("layernorm dx", nx, ndx, ln_loss);
  check_gradient("layernorm dw", nw, ndw, ln_loss);
  check_gradient("layernorm db", nb, ndb, ln_loss);

  auto rms_loss = [&] {
    rmsnorm_forward(ny.data(), rstd.data(), nx.data(), nw.data(), n, C);
    return dot(ndy, ny.data());
  };
  rms_loss();
  Vec rdx(nx.size()), rdw(C);
  rmsnorm_backward(rdx.data(), rdw.data(), ndy.data(), nx.data(), nw.data(), rstd.data(), n, C);
  check_gradient("rmsnorm dx", nx, rdx, rms_loss);
  check_gradient("rmsnorm dw", nw, rdw, rms_loss);

  Vec gx = random_vec(rng, 20, 2.0), gdy = random_vec(rng, 20), gy(20), gdx(20, 7.0);
  auto gelu_loss = [&] {
    gelu_forward(gy.data(), gx.data(), 20);
    return dot(gdy, gy.data());
  };
  gelu_backward(gdx.data(), gdy.data(), gx.data(), 20);
  check_gradient("gelu", gx, gdx, gelu_loss);

  const int F = 4;
  Vec gu = random_vec(rng, n * 2 * F, 2.0), hdy = random_vec(rng, n * F), h(n * F), dgu(gu.size(), 7.0);
  auto swiglu_loss = [&] {
    swiglu_forward(h.data(), gu.data(), n, F);
    return dot(hdy, h.data());
  };
  swiglu_backward(dgu.data(), hdy.data(), gu.data(), n, F);
  check_gradient("swiglu", gu, dgu, swiglu_loss);

  const int B = 2, T = 3, NH = 2, RC = 8;  // head size 4
  Vec cos(T * 2), sin(T * 2);
  rope_tables(cos.data(), sin.data(), T, RC / NH, 10000.0f);
  Vec qkv = random_vec(rng, B * T * 3 * RC), rdy = random_vec(rng, qkv.size()), rotated(qkv.size());
  auto rope_loss = [&] {
    rotated = qkv;
    rope_forward(rotated.data(), cos.data(), sin.data(), B, T, RC, NH);
    return dot(rdy, rotated.data());
  };
  Vec dqkv = rdy;  // rope_backward rotates a gradient in place
  rope_backward(dqkv.data(), cos.data(), sin.data(), B, T, RC, NH);
  check_gradient("rope", qkv, dqkv, rope_loss);

  Vec dx_in = random_vec(rng, 50), ddy = random_vec(rng, 50), dout(50), mask(50), ddx(50, 7.0);
  auto drop_loss = [&] {
    Rng r(9);
    dropout_forward(dout.data(), mask.data(), dx_in.data(), 50, 0.3f, r);
    return dot(ddy, dout.data());
  };
  drop_loss();
  dropout_backward(ddx.data(), ddy.data(), mask.data(), 50);
  check_gradient("dropout", dx_in, ddx, drop_loss);
  int zeros = 0;
  for (double m : mask) zeros += m == 0.0;
  CHECK(zeros > 5);  // p = 0.3 of 50: some are dropped ...
  CHECK(zeros < 30);
  for (double m : mask)
    CHECK((m == 0.0 || std::fabs(m - 1 / (1 - double(0.3f))) < 1e-12));  // ... the rest scaled by 1/(1-p)
}

TEST_CASE("layer gradients: cross entropy with ignored targets") {
  Rng rng(2);
  const int n = 4, V = 5;
  Vec logits = random_vec(rng, n * V, 3.0), dlogits(n * V);
  const int targets[] = {1, kIgnoreIndex, 4, 0};
  auto loss = [&] { return cross_entropy<double>(logits.data(), targets, n, V, nullptr); };
  cross_entropy<double>(logits.data(), targets, n, V, dlogits.data());
  check_gradient("cross entropy", logits, dlogits, loss);
  for (int j = 0; j < V; ++j) CHECK(dlogits[V + j] == 0.0);  // the ignored row
  const int none[] = {kIgnoreIndex, kIgnoreIndex, kIgnoreIndex, kIgnoreIndex};
  CHECK(cross_entropy<double>(logits.data(), none, n, V, dlogits.data()) ==
        0.0);  // nothing counted: 0, not NaN
  // Uniform logits: the loss is ln V.
  Vec flat(n * V, 0.0);
  CHECK(cross_entropy<double>(flat.data(), targets, n, V, nullptr) == doctest::Approx(std::log(5.0)));
}

TEST_CASE("layer gradients: attention, causal and bidirectional, with padding and dropout") {
  for (bool causal : {true, false}) {
    for (float p : {0.0f, 0.25f}) {
      Rng rng(3);
      const int B = 2, T = 4, C = 6, NH = 2;
      const AttentionShape s{B, T, C, NH, causal};
      Vec qkv = random_vec(rng, B * T * 3 * C), dy = random_vec(rng, B * T * C), out(B * T * C);
      Vec probs(B * NH * T * T), mask(probs.size()), scratch(2 * T * T);
      const std::uint8_t pad[] = {0, 0, 0, 1,
                                  0, 1, 0, 0};  // key 3 of batch 0 and key 1 of batch 1 are padding
      auto loss = [&] {
        Rng r(5);
        attention_forward(out.data(), probs.data(), mask.data(), scratch.data(), qkv.data(), pad, s, p, r);
        return dot(dy, out.data());
      };
      loss();
      Vec dqkv(qkv.size(), 7.0);
      attention_backward(dqkv.data(), scratch.data(), dy.data(), qkv.data(), probs.data(), mask.data(), s);
      INFO("causal ", causal, " dropout ", p);
      check_gradient("attention dqkv", qkv, dqkv, loss);
      // Padding keys get no weight; causal rows see no future; every row sums to 1.
      for (int b = 0; b < B; ++b)
        for (int h = 0; h < NH; ++h)
          for (int i = 0; i < T; ++i) {
            const double* row = probs.data() + ((b * NH + h) * T + i) * T;
            double sum = 0;
            for (int j = 0; j < T; ++j) {
              if (pad[b * T + j] || (causal && j > i)) CHECK(row[j] == 0.0);
              sum += row[j];
            }
            CHECK(sum == doctest::Approx(1.0));  // key 0 is never padding here
          }
    }
  }
}

TEST_CASE("a query whose keys are all padding attends to nothing, without NaN") {
  const int B = 1, T = 3, C = 2, NH = 1;
  Rng rng(4);
  Vec qkv = random_vec(rng, B * T * 3 * C), out(B * T * C), probs(T * T), mask(T * T), scratch(2 * T * T);
  const std::uint8_t pad[] = {1, 1, 0};  // causal: query 0 and 1 only see padding
  attention_forward(out.data(), probs.data(), mask.data(), scratch.data(), qkv.data(), pad,
                    {B, T, C, NH, true}, 0.0f, rng);
  for (int j = 0; j < T; ++j) CHECK(probs[j] == 0.0);
  for (double v : out) CHECK(std::isfinite(v));
  CHECK(out[0] == 0.0);
  CHECK(probs[2 * T + 2] == doctest::Approx(1.0));
}

namespace {

struct ModelCase {
  const char* name;
  GptConfig cfg;
  bool pad;
  float dropout;
};

GptConfig tiny() {
  GptConfig c;
  c.vocab_size = 7, c.block_size = 5, c.n_layer = 2, c.n_head = 2, c.n_embd = 8, c.ffn_multiple_of = 4;
  return c;
}

}  // namespace

TEST_CASE("whole-model gradients on tiny configurations") {
  std::vector<ModelCase> cases;
  auto with = [](auto f) {
    GptConfig c = tiny();
    f(c);
    return c;
  };
  cases.push_back({"rope gelu causal", tiny(), false, 0.0f});
  cases.push_back(
      {"learned positions", with([](GptConfig& c) { c.positions = Positions::learned; }), false, 0.0f});
  cases.push_back({"swiglu", with([](GptConfig& c) { c.ffn = Ffn::swiglu; }), false, 0.0f});
  cases.push_back({"rmsnorm", with([](GptConfig& c) { c.norm = Norm::rmsnorm; }), false, 0.0f});
  cases.push_back({"bidirectional with padding",
                   with([](GptConfig& c) { c.attention = AttentionMode::bidirectional; }), true, 0.0f});
  cases.push_back({"causal with padding", tiny(), true, 0.0f});
  cases.push_back({"tied weights", with([](GptConfig& c) { c.tie_weights = true; }), false, 0.0f});
  cases.push_back({"dropout", with([](GptConfig& c) { c.dropout = 0.2f; }), false, 0.2f});
  cases.push_back({"swiglu learned bidirectional rmsnorm tied, padding, dropout", with([](GptConfig& c) {
                     c.ffn = Ffn::swiglu, c.positions = Positions::learned,
                     c.attention = AttentionMode::bidirectional;
                     c.norm = Norm::rmsnorm, c.tie_weights = true;
                   }),
                   true, 0.1f});
  // The switches that change the graph.
  cases.push_back({"no residual", with([](GptConfig& c) { c.residual = false; }), false, 0.0f});
  cases.push_back({"no residual, swiglu rmsnorm, dropout", with([](GptConfig& c) {
                     c.residual = false;
                     c.ffn = Ffn::swiglu;
                     c.norm = Norm::rmsnorm;
                   }),
                   false, 0.2f});
  cases.push_back({"norm none", with([](GptConfig& c) { c.norm = Norm::none; }), false, 0.0f});
  cases.push_back({"ffn none", with([](GptConfig& c) { c.ffn = Ffn::none; }), false, 0.0f});
  cases.push_back({"positions none", with([](GptConfig& c) { c.positions = Positions::none; }), false, 0.0f});
  cases.push_back({"layers 0", with([](GptConfig& c) { c.n_layer = 0; }), false, 0.0f});
  cases.push_back({"layers 0, learned positions, rmsnorm, tied", with([](GptConfig& c) {
                     c.n_layer = 0;
                     c.positions = Positions::learned;
                     c.norm = Norm::rmsnorm;
                     c.tie_weights = true;
                   }),
                   false, 0.1f});
  cases.push_back({"no residual, norm none, ffn none, positions none, padding, dropout",
                   with([](GptConfig& c) {
                     c.residual = false;
                     c.norm = Norm::none;
                     c.ffn = Ffn::none;
                     c.positions = Positions::none;
                   }),
                   true, 0.1f});
  cases.push_back({"all of them with layers 0 (the bigram model)", with([](GptConfig& c) {
                     c.residual = false;
                     c.norm = Norm::none;
                     c.ffn = Ffn::none;
                     c.positions = Positions::none;
                     c.n_layer = 0;
                   }),
                   false, 0.0f});
  for (const ModelCase& mc : cases) {
    Gpt<double> model(mc.cfg, 42);
    const int B = 2, T = 5;
    const int tokens[] = {1, 2, 3, 4, 5, 6, 0, 1, 2, 3};
    const int targets[] = {2, 3, 4, 5, kIgnoreIndex, 0, 1, 2, kIgnoreIndex, kIgnoreIndex};
    const std::uint8_t pad[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};  // the second sequence has 3 tokens
    const Batch batch{tokens, targets, mc.pad ? pad : nullptr, B, T};
    auto loss = [&] {
      Rng r(7);  // the same dropout masks every time
      return model.forward(batch, {mc.dropout > 0, mc.dropout, &r});
    };
    loss();
    model.zero_grad();
    model.backward();
    Vec params(model.params().begin(), model.params().end()),
        grads(model.grads().begin(), model.grads().end());
    // check_gradient perturbs a copy; write it back into the model before each loss.
    auto model_loss = [&] {
      std::copy(params.begin(), params.end(), model.params().begin());
      return loss();
    };
    INFO(mc.name, " (", params.size(), " parameters)");
    check_gradient(mc.name, params, grads, model_loss);
  }
}
