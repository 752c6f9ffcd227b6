// gptlab's GPT against PyTorch: fixtures written by tools/make_pytorch_fixtures.py
// (an independent PyTorch implementation; PyTorch version inside each file).
// Same weights, same batch: logits, loss and every gradient, then the
// parameters after 3 AdamW steps with warmup + cosine, clipping and nanoGPT's
// decay groups (or the fixture's decay policy; with Muon on the blocks' matrices when it says so).
//
// Tolerances (float32 on both sides, different summation orders):
//   logits, loss    |a - b| <= 1e-4 + 1e-4 |b|
//   gradients       |a - b| <= 1e-5 + 1e-3 |b|
//   after 3 steps   |a - b| <= 1e-5 + 1e-4 |b|, except where the true gradient is 0:
//                   Adam divides by sqrt(v), so there a step of +-lr follows the sign
//                   of rounding noise (~1e-9) on both sides. Without RoPE, the key
//                   bias is such a place: it adds q.b_k to every score of a row, and
//                   softmax ignores a constant added to a row. Those elements (PyTorch
//                   gradient below 1e-7) are checked to have a gradient below 1e-6 here
//                   too, and left out of the comparison after 3 steps.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "model/gpt.h"
#include "test_support.h"
#include "train/adamw.h"
#include "train/schedule.h"

using namespace gptlab;
using nlohmann::json;

namespace {

GptConfig config_from(const json& c) {
  GptConfig cfg;
  cfg.vocab_size = c["vocab_size"], cfg.block_size = c["block_size"], cfg.n_layer = c["n_layer"];
  cfg.n_head = c["n_head"], cfg.n_embd = c["n_embd"], cfg.ffn_multiple_of = c["ffn_multiple_of"];
  cfg.rope_base = c["rope_base"];
  cfg.positions = parse_positions(c["positions"].get<std::string>());
  cfg.ffn = parse_ffn(c["ffn"].get<std::string>());
  cfg.norm = parse_norm(c["norm"].get<std::string>());
  cfg.attention = parse_attention(c["attention"].get<std::string>());
  cfg.tie_weights = c["tie_weights"];
  cfg.residual = c.value("residual", true);
  return cfg;
}

// Counts elements outside |a - b| <= abs_tol + rel_tol |b|, and reports the worst.
// Elements where skip[i] is true are not compared.
int mismatches(const float* a, const std::vector<float>& b, double abs_tol, double rel_tol,
               const std::string& what, const std::vector<bool>& skip = {}) {
  int bad = 0;
  double worst = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (!skip.empty() && skip[i]) continue;
    const double err = std::fabs(a[i] - b[i]) - rel_tol * std::fabs(b[i]);
    worst = std::max(worst, static_cast<double>(std::fabs(a[i] - b[i])));
    bad += !(err <= abs_tol);
  }
  MESSAGE(what << ": max |diff| " << worst);
  return bad;
}

void check_fixture(const std::string& name) {
  const json fx = json::parse(test_support::read_source_file("tests/fixtures/" + name + ".json"));
  INFO(name, " (PyTorch ", fx["torch_version"].get<std::string>(), ")");
  Gpt<float> model(config_from(fx["config"]), 0);

  // The same parameters, by name: every tensor on each side exists on the other.
  REQUIRE(fx["params"].size() == model.tensors().size());
  for (const ParamTensor& t : model.tensors()) {
    INFO(t.name);
    REQUIRE(fx["params"].contains(t.name));
    const std::vector<float> values = fx["params"][t.name];
    REQUIRE(values.size() == t.size());
    std::copy(values.begin(), values.end(), model.params().begin() + static_cast<std::ptrdiff_t>(t.offset));
  }
  const std::vector<int> tokens = fx["tokens"], targets = fx["targets"];
  const std::vector<std::uint8_t> key_pad = fx["key_pad"];
  const Batch batch{tokens.data(), targets.data(), key_pad.data(), fx["B"], fx["T"]};

  const float loss = model.forward(batch);
  CHECK(loss == doctest::Approx(fx["loss"].get<double>()).epsilon(1e-5));
  CHECK(mismatches(model.logits(), fx["logits"], 1e-4, 1e-4, "logits") == 0);
  model.zero_grad();
  model.backward();
  std::vector<bool> zero_gradient(model.num_parameters(), false);
  for (const ParamTensor& t : model.tensors()) {
    INFO("gradient of ", t.name);
    const std::vector<float> theirs = fx["grads"][t.name];
    CHECK(mismatches(model.grads().data() + t.offset, theirs, 1e-5, 1e-3, "grad " + t.name) == 0);
    for (std::size_t i = 0; i < theirs.size(); ++i)
      if (std::fabs(theirs[i]) < 1e-7) {
        zero_gradient[t.offset + i] = true;
        CHECK(std::fabs(model.grads()[t.offset + i]) < 1e-6);
      }
  }

  // 3 AdamW steps from the same starting weights (reload them: forward/backward changed nothing, but be
  // explicit).
  const json& opt = fx["adamw"];
  for (const ParamTensor& t : model.tensors()) {
    const std::vector<float> values = fx["params"][t.name];
    std::copy(values.begin(), values.end(), model.params().begin() + static_cast<std::ptrdiff_t>(t.offset));
  }
  AdamW<float> adamw(
      model.tensors(), model.num_parameters(),
      {opt["beta1"], opt["beta2"], opt["eps"], opt["weight_decay"],
       parse_decay(opt.value("decay", std::string("matrices"))),
       parse_optimizer(opt.value("optimizer", std::string("adamw"))), opt.value("momentum", 0.95f)});
  LrSchedule schedule{LrSchedule::Kind::cosine, opt["schedule"]["max_lr"], opt["schedule"]["min_lr"],
                      opt["schedule"]["warmup"], opt["schedule"]["total"]};
  for (int step = 0; step < 3; ++step) {
    model.zero_grad();
    const float l = model.forward(batch);
    model.backward();
    const float norm = clip_grad_norm(model.grads(), float(opt["clip"]));
    CHECK(l == doctest::Approx(opt["losses"][step].get<double>()).epsilon(1e-5));
    CHECK(norm == doctest::Approx(opt["grad_norms"][step].get<double>()).epsilon(1e-4));
    adamw.step(model.params(), model.grads(), schedule.at(step));
  }
  for (const ParamTensor& t : model.tensors()) {
    INFO("after 3 steps: ", t.name);
    const std::vector<bool> skip(zero_gradient.begin() + static_cast<std::ptrdiff_t>(t.offset),
                                 zero_gradient.begin() + static_cast<std::ptrdiff_t>(t.offset + t.size()));
    CHECK(mismatches(model.params().data() + t.offset, opt["params_after"][t.name], 1e-5, 1e-4,
                     "after " + t.name, skip) == 0);
  }
}

}  // namespace

TEST_CASE("PyTorch parity: RoPE, GELU, LayerNorm, causal, padding") {
  check_fixture("gpt_rope_gelu_layernorm_causal");
}

TEST_CASE("PyTorch parity: learned positions, SwiGLU, RMSNorm, bidirectional, tied, padding") {
  check_fixture("gpt_learned_swiglu_rmsnorm_bidirectional_tied");
}

TEST_CASE("PyTorch parity: no positions, no FFN, no norm, no residual, causal, padding, decay all") {
  check_fixture("gpt_no_positions_ffn_norm_residual_decay_all");
}

TEST_CASE("PyTorch parity: Muon on the blocks' matrices, AdamW on the rest") {
  check_fixture("gpt_rope_gelu_layernorm_causal_muon");
}
