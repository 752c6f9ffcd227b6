// What the inside views show: the sampler's distribution (and that sample_token draws from
// it), the per-token loss, and the logit lens, each against a direct computation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "errors.h"
#include "model/generate.h"
#include "model/gpt.h"
#include "model/layers.h"
#include "model/logit_lens.h"
#include "model/per_token_loss.h"

using namespace gptlab;

namespace {

std::vector<float> random_logits(int V, std::uint32_t seed, float scale = 2.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, scale);
  std::vector<float> l(V);
  for (float& x : l) x = n(rng);
  return l;
}

// softmax(l / T) over the ids not banned, in double; banned ids 0.
std::vector<double> softmax(const std::vector<float>& l, double T, const std::vector<int>& banned = {}) {
  std::vector<double> p(l.size(), 0.0);
  double z = 0;
  for (std::size_t i = 0; i < l.size(); ++i)
    if (std::find(banned.begin(), banned.end(), static_cast<int>(i)) == banned.end())
      z += p[i] = std::exp(l[i] / T);
  for (double& x : p) x /= z;
  return p;
}

int nonzero(const std::vector<float>& p) {
  return static_cast<int>(std::count_if(p.begin(), p.end(), [](float x) { return x != 0.0f; }));
}

double sum(const std::vector<float>& p) { return std::accumulate(p.begin(), p.end(), 0.0); }

GptConfig tiny_config() {
  GptConfig c;
  c.vocab_size = 20, c.block_size = 12, c.n_layer = 2, c.n_head = 2, c.n_embd = 16;
  return c;
}

// Makes a model's predictions far from uniform: its LM head scaled up.
void make_confident(Gpt<float>& model) {
  const ParamTensor& head =
      model.tensor(model.config().tie_weights ? "transformer.wte.weight" : "lm_head.weight");
  for (std::size_t i = 0; i < head.size(); ++i) model.params()[head.offset + i] *= 60.0f;
}

}  // namespace

TEST_CASE("sampling distribution: temperature scales a softmax, banned ids are 0, it sums to 1") {
  const std::vector<float> l = random_logits(30, 1);
  for (float T : {1.0f, 0.5f, 2.0f}) {
    INFO("temperature ", T);
    const std::vector<float> p = sampling_distribution(l.data(), 30, {T, 0, 1.0f, {}});
    const std::vector<double> direct = softmax(l, T);
    for (int i = 0; i < 30; ++i) CHECK(p[i] == doctest::Approx(direct[i]).epsilon(1e-5));
    CHECK(sum(p) == doctest::Approx(1.0).epsilon(1e-6));
  }
  const std::vector<int> banned{0, 7, 29};
  const std::vector<float> p = sampling_distribution(l.data(), 30, {1.0f, 0, 1.0f, banned});
  const std::vector<double> direct = softmax(l, 1.0, banned);
  for (int id : banned) CHECK(p[id] == 0.0f);
  for (int i = 0; i < 30; ++i) CHECK(p[i] == doctest::Approx(direct[i]).epsilon(1e-5));
  CHECK(sum(p) == doctest::Approx(1.0).epsilon(1e-6));
  // Temperature 0: all the mass on the likeliest drawable id.
  std::vector<float> peaked = l;
  peaked[7] = 100.0f;  // banned
  peaked[12] = 50.0f;
  const std::vector<float> greedy = sampling_distribution(peaked.data(), 30, {0.0f, 0, 1.0f, banned});
  CHECK(greedy[12] == 1.0f);
  CHECK(nonzero(greedy) == 1);
  // The same errors as sample_token.
  CHECK_THROWS_WITH_AS(sampling_distribution(l.data(), 30, {-1.0f, 0, 1.0f, {}}),
                       "The temperature cannot be negative.", OptionError);
  CHECK_THROWS_WITH_AS(sampling_distribution(l.data(), 30, {1.0f, 0, 0.0f, {}}),
                       "top_p must be above 0 and at most 1.", OptionError);
}

TEST_CASE("sampling distribution: top-k keeps exactly the k largest logits") {
  const std::vector<float> l = random_logits(40, 2);  // distinct values
  std::vector<int> order(40);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return l[a] > l[b]; });
  for (int k : {1, 2, 5, 39, 40, 100}) {
    INFO("k ", k);
    const std::vector<float> p = sampling_distribution(l.data(), 40, {1.0f, k, 1.0f, {}});
    const int kept = std::min(k, 40);
    CHECK(nonzero(p) == kept);
    CHECK(sum(p) == doctest::Approx(1.0).epsilon(1e-6));
    // The kept ids are the k largest, in softmax proportions: p_a / p_b = exp(l_a - l_b).
    for (int r = 0; r < kept; ++r) CHECK(p[order[r]] > 0.0f);
    if (kept >= 2)
      CHECK(p[order[1]] / p[order[0]] == doctest::Approx(std::exp(l[order[1]] - l[order[0]])).epsilon(1e-5));
  }
}

TEST_CASE("sampling distribution: top-p keeps the shortest most-likely prefix reaching p") {
  // By hand: softmax(1, 3, 2, 0.5, 2.9) ~ (0.05, 0.40, 0.15, 0.03, 0.36); p = 0.5 needs ids 1 and 4.
  const float small[] = {1.0f, 3.0f, 2.0f, 0.5f, 2.9f};
  const std::vector<float> p = sampling_distribution(small, 5, {1.0f, 0, 0.5f, {}});
  const double z = std::exp(3.0) + std::exp(2.9);
  CHECK(p[1] == doctest::Approx(std::exp(3.0) / z).epsilon(1e-6));
  CHECK(p[4] == doctest::Approx(std::exp(2.9) / z).epsilon(1e-6));
  CHECK(nonzero(p) == 2);
  // Random logits, with top-k first: the kept set is the shortest prefix of the sorted top-k
  // softmax whose mass reaches p.
  const std::vector<float> l = random_logits(50, 3);
  std::vector<int> order(50);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return l[a] > l[b]; });
  for (int k : {0, 10}) {
    const int n = k ? k : 50;
    double z_k = 0;
    for (int r = 0; r < n; ++r) z_k += std::exp(static_cast<double>(l[order[r]]));
    for (float top_p : {0.1f, 0.3f, 0.6f, 0.9f, 0.99f}) {
      INFO("k ", k, ", p ", top_p);
      int prefix = 0;
      for (double mass = 0; mass < top_p; ++prefix)
        mass += std::exp(static_cast<double>(l[order[prefix]])) / z_k;
      const std::vector<float> q = sampling_distribution(l.data(), 50, {1.0f, k, top_p, {}});
      CHECK(nonzero(q) == prefix);
      double z_p = 0;
      for (int r = 0; r < prefix; ++r) z_p += std::exp(static_cast<double>(l[order[r]]));
      for (int r = 0; r < prefix; ++r)
        CHECK(q[order[r]] == doctest::Approx(std::exp(static_cast<double>(l[order[r]])) / z_p).epsilon(1e-5));
      CHECK(sum(q) == doctest::Approx(1.0).epsilon(1e-6));
    }
  }
}

TEST_CASE("sample_token's frequencies match sampling_distribution") {
  // Within 4.5 binomial standard deviations sqrt(p (1 - p) / n) for each id; dropped ids never drawn.
  const std::vector<float> l = random_logits(8, 4, 1.0f);
  const std::vector<int> banned{2};
  const SamplingOptions options[] = {{1.0f, 0, 1.0f, banned}, {0.7f, 5, 0.9f, banned}, {1.5f, 0, 0.6f, {}}};
  for (const SamplingOptions& o : options) {
    INFO("temperature ", o.temperature, ", top_k ", o.top_k, ", top_p ", o.top_p);
    const std::vector<float> p = sampling_distribution(l.data(), 8, o);
    const int n = 200000;
    std::vector<int> counts(8, 0);
    Rng rng(7);
    for (int i = 0; i < n; ++i) ++counts[sample_token(l.data(), 8, o, rng)];
    for (int id = 0; id < 8; ++id) {
      INFO("id ", id, ": p ", p[id], ", frequency ", static_cast<double>(counts[id]) / n);
      if (p[id] == 0.0f)
        CHECK(counts[id] == 0);
      else
        CHECK(std::abs(static_cast<double>(counts[id]) / n - p[id]) <
              4.5 * std::sqrt(p[id] * (1 - p[id]) / n));
    }
  }
}

TEST_CASE("per-token loss: its mean is the model's loss on the next tokens; top-1 is the argmax") {
  Gpt<float> model(tiny_config(), 3);
  make_confident(model);
  const std::vector<int> tokens{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  const auto losses = per_token_loss(model, tokens, 4);
  REQUIRE(losses.size() == tokens.size() - 1);
  std::vector<int> targets(tokens.begin() + 1, tokens.end());
  targets.push_back(kIgnoreIndex);
  const int T = static_cast<int>(tokens.size()), V = 20;
  const float loss = model.forward({tokens.data(), targets.data(), nullptr, 1, T});
  double mean = 0, spread = 0;
  for (const NextTokenLoss& t : losses) mean += t.loss;
  mean /= static_cast<double>(losses.size());
  for (const NextTokenLoss& t : losses) spread = std::max(spread, std::abs(t.loss - mean));
  CHECK(spread > 1.0);  // the losses differ from position to position
  CHECK(std::abs(mean - loss) < 1e-5 * std::max(1.0, static_cast<double>(loss)));
  for (int t = 0; t + 1 < T; ++t) {
    const float* l = model.logits() + t * V;
    REQUIRE(losses[t].top.size() == 4);
    CHECK(losses[t].top[0].token == static_cast<int>(std::max_element(l, l + V) - l));
    const std::vector<double> p = softmax(std::vector<float>(l, l + V), 1.0);
    CHECK(losses[t].loss == doctest::Approx(-std::log(p[tokens[t + 1]])).epsilon(1e-5));
    for (const Candidate& c : losses[t].top)
      CHECK(c.probability == doctest::Approx(p[c.token]).epsilon(1e-5));
  }
  CHECK(per_token_loss(model, {7}, 3).empty());  // one token: nothing follows
  CHECK_THROWS_AS(per_token_loss(model, std::vector<int>(13, 1), 3), ShapeError);
  GptConfig c = tiny_config();
  c.attention = AttentionMode::bidirectional;
  Gpt<float> masked(c, 1);
  CHECK_THROWS_WITH_AS(per_token_loss(masked, tokens, 3),
                       "The per-token loss is for next-token models; this one is masked (bidirectional).",
                       ShapeError);
}

namespace {

// The read-out computed directly: softmax(norm_f(x) lm_head^T) for one row x, in double
// (LayerNorm with eps 1e-5, or no norm).
std::vector<double> direct_read_out(Gpt<float>& model, const std::vector<double>& x) {
  const GptConfig& c = model.config();
  const int C = c.n_embd, V = c.vocab_size;
  std::vector<double> y = x;
  if (c.norm == Norm::layernorm) {
    const float* w = model.params().data() + model.tensor("transformer.ln_f.weight").offset;
    const float* b = model.params().data() + model.tensor("transformer.ln_f.bias").offset;
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / C;
    double var = 0;
    for (double v : x) var += (v - mean) * (v - mean);
    var /= C;
    for (int i = 0; i < C; ++i) y[i] = (x[i] - mean) / std::sqrt(var + 1e-5) * w[i] + b[i];
  }
  const float* head = model.params().data() +
                      model.tensor(c.tie_weights ? "transformer.wte.weight" : "lm_head.weight").offset;
  std::vector<float> logits(V);
  for (int v = 0; v < V; ++v) {
    double s = 0;
    for (int i = 0; i < C; ++i) s += head[static_cast<std::size_t>(v) * C + i] * y[i];
    logits[v] = static_cast<float>(s);
  }
  return softmax(logits, 1.0);
}

// The top k of probabilities p (the lower id first among equals).
std::vector<int> top_ids(const std::vector<double>& p, int k) {
  std::vector<int> ids(p.size());
  std::iota(ids.begin(), ids.end(), 0);
  std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) { return p[a] > p[b]; });
  ids.resize(k);
  return ids;
}

void check_top(const std::vector<Candidate>& got, const std::vector<double>& p, int k) {
  REQUIRE(got.size() == static_cast<std::size_t>(k));
  const std::vector<int> ids = top_ids(p, k);
  for (int r = 0; r < k; ++r) {
    CHECK(got[r].token == ids[r]);
    CHECK(std::abs(got[r].probability - p[ids[r]]) < 1e-5);
  }
}

}  // namespace

TEST_CASE("logit lens: the embeddings read directly from wte (+ wpe), the last layer is the model's output") {
  GptConfig learned = tiny_config();
  learned.positions = Positions::learned;
  GptConfig plain = tiny_config();  // RoPE, no norm, no FFN, no residual: the block's output is the stream
  plain.norm = Norm::none, plain.ffn = Ffn::none, plain.residual = false, plain.n_layer = 3;
  GptConfig tied = learned;
  tied.tie_weights = true;
  for (const GptConfig& c : {learned, plain, tied}) {
    INFO("positions ", std::string(to_string(c.positions)), ", norm ", std::string(to_string(c.norm)),
         ", layers ", c.n_layer);
    Gpt<float> model(c, 5);
    make_confident(model);
    const std::vector<int> tokens{3, 1, 4, 1, 5, 9, 2};
    const int C = c.n_embd, V = c.vocab_size, k = 5;
    for (int position : {0, 4, 6}) {
      INFO("position ", position);
      const auto lens = logit_lens(model, tokens, position, k);
      REQUIRE(lens.size() == static_cast<std::size_t>(c.n_layer) + 1);
      // After the last block: the model's own logits at that position.
      model.forward({tokens.data(), nullptr, nullptr, 1, 7});
      const float* l = model.logits() + position * V;
      check_top(lens.back(), softmax(std::vector<float>(l, l + V), 1.0), k);
      // The embeddings: wte[token] (+ wpe[position]) through the final norm and the LM head.
      const float* wte = model.params().data() + model.tensor("transformer.wte.weight").offset;
      std::vector<double> x(wte + tokens[position] * C, wte + (tokens[position] + 1) * C);
      if (c.positions == Positions::learned) {
        const float* wpe = model.params().data() + model.tensor("transformer.wpe.weight").offset;
        for (int i = 0; i < C; ++i) x[i] += wpe[position * C + i];
      }
      check_top(lens.front(), direct_read_out(model, x), k);
      // After block 1 is not yet the model's output (the lens shows something).
      bool differ = false;
      for (int r = 0; r < k; ++r)
        differ |=
            lens[1][r].token != lens.back()[r].token || lens[1][r].probability != lens.back()[r].probability;
      CHECK(differ);
    }
    CHECK_THROWS_WITH_AS(logit_lens(model, tokens, 7, k), "Position 7 is outside the text's 7 tokens.",
                         ShapeError);
  }
}
