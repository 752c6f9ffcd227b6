// The training pipeline: batches and objectives, checkpoints, safetensors,
// sampling and the KV cache, masked fill-in.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "errors.h"
#include "model/generate.h"
#include "model/gpt.h"
#include "model/layers.h"
#include "text/tokenizer_char.h"
#include "train/checkpoint.h"
#include "train/data.h"

using namespace gptlab;

namespace {

GptConfig tiny_config() {
  GptConfig c;
  c.vocab_size = 20, c.block_size = 12, c.n_layer = 2, c.n_head = 2, c.n_embd = 16;
  return c;
}

// The named tensor's first value in the model's parameter block.
float* tensor(Gpt<float>& model, const std::string& name) {
  for (const ParamTensor& t : model.tensors())
    if (t.name == name) return model.params().data() + t.offset;
  FAIL("no tensor " << name);
  return nullptr;
}

}  // namespace

TEST_CASE("train/val split and random blocks with causal targets") {
  std::vector<int> stream(100);
  for (int i = 0; i < 100; ++i) stream[i] = i;
  const TrainValSplit s = split_train_val(stream);
  CHECK(s.train.size() == 90);
  CHECK(s.val.front() == 90);
  CHECK_THROWS_AS(split_train_val({1}), ShapeError);
  BatchData b;
  Rng rng(1);
  sample_blocks(s.train, 8, 10, rng, b);
  for (int i = 0; i < 80; ++i)
    CHECK(b.targets[i] == b.tokens[i] + 1);  // the stream counts up: successor = +1
  for (int row = 0; row < 8; ++row)
    CHECK(b.tokens[row * 10 + 9] <= 88);  // the last target (<= 89) is inside train
  CHECK_THROWS_WITH_AS(
      sample_blocks(std::vector<int>(10, 1), 2, 10, rng, b),
      "The text has 10 tokens, but a block of 10 needs at least 11 (one more, for the last target).",
      ShapeError);
}

TEST_CASE("documents, padding, and the causal objective on padded batches") {
  const std::vector<int> stream{5, 6, 7, 0, 0, 8, 9, 0, 0, 10};
  const auto docs = split_documents(stream, {0, 0});
  REQUIRE(docs.size() == 3);
  CHECK(docs[0] == std::vector<int>{5, 6, 7, 0, 0});
  CHECK(docs[2] == std::vector<int>{10});
  BatchData b;
  Rng rng(3);
  sample_documents(docs, 6, 4, /*pad*/ 1, rng, b);
  CHECK(b.T == 4);  // the longest document is cut to T
  causal_lm(b);
  for (int i = 0; i < b.B * b.T; ++i) {
    if (b.key_pad[i]) {
      CHECK(b.tokens[i] == 1);
      CHECK(b.targets[i] == kIgnoreIndex);
    } else if (i % b.T + 1 < b.T && !b.key_pad[i + 1]) {
      CHECK(b.targets[i] == b.tokens[i + 1]);
    } else {
      CHECK(b.targets[i] == kIgnoreIndex);
    }
  }
}

TEST_CASE("a padded batch gives the same loss as its sequences run one by one") {
  for (AttentionMode mode : {AttentionMode::causal, AttentionMode::bidirectional}) {
    GptConfig c = tiny_config();
    c.attention = mode;
    Gpt<float> model(c, 5);
    const std::vector<int> a{3, 4, 5, 6, 7, 8}, b{9, 10, 11};
    BatchData padded;
    padded.B = 2, padded.T = 6;
    padded.tokens = {3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0};
    padded.key_pad = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
    padded.targets.resize(12);
    causal_lm(padded);
    const float together = model.forward(padded.view());
    // One by one, each with its own count of targets: the padded loss is the mean over all 7 targets.
    auto alone = [&](const std::vector<int>& seq) {
      BatchData one;
      one.B = 1, one.T = static_cast<int>(seq.size()), one.tokens = seq, one.targets.resize(seq.size());
      causal_lm(one);
      return model.forward(one.view()) * static_cast<float>(seq.size() - 1);
    };
    CHECK(together == doctest::Approx((alone(a) + alone(b)) / 7).epsilon(1e-5));
  }
}

TEST_CASE("masked LM: 15% of eligible positions, 80/10/10, never padding or specials") {
  const int V = 50, mask_id = 4;
  BatchData b;
  b.B = 64, b.T = 128;
  Rng rng(9);
  for (int i = 0; i < b.B * b.T; ++i) b.tokens.push_back(5 + static_cast<int>(rng.below(V - 5)));
  for (int i = 0; i < b.B * b.T; i += 17) b.tokens[i] = 2;  // a special token here and there
  b.key_pad.assign(b.tokens.size(), 0);
  for (int row = 0; row < b.B; ++row)
    for (int t = 100; t < 128; ++t) b.key_pad[row * b.T + t] = 1;
  b.targets.resize(b.tokens.size());
  const std::vector<int> original = b.tokens;
  masked_lm(b, {0.15f, mask_id, V, {0, 1, 2, 3, 4}}, rng);
  int eligible = 0, chosen = 0, masked = 0, kept = 0, random = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    const bool ok = !b.key_pad[i] && original[i] != 2;
    eligible += ok;
    if (b.targets[i] == kIgnoreIndex) {
      CHECK(b.tokens[i] == original[i]);  // untouched
      continue;
    }
    REQUIRE(ok);  // never padding, never a special token
    CHECK(b.targets[i] == original[i]);
    ++chosen;
    if (b.tokens[i] == mask_id)
      ++masked;
    else if (b.tokens[i] == original[i])
      ++kept;
    else {
      ++random;
      CHECK(b.tokens[i] >= 5);  // random replacements are never special
    }
  }
  // Binomial bounds, about 4 standard deviations wide.
  const double n = eligible, p = 0.15;
  CHECK(std::fabs(chosen - n * p) < 4 * std::sqrt(n * p * (1 - p)));
  CHECK(std::fabs(masked - 0.8 * chosen) < 4 * std::sqrt(chosen * 0.16));
  CHECK(std::fabs(random - 0.1 * chosen) < 4 * std::sqrt(chosen * 0.09) + 1);
  CHECK(std::fabs(kept - 0.1 * chosen) <
        4 * std::sqrt(chosen * 0.09) + chosen * 0.1 * 0.02 + 2);  // random can equal original
}

TEST_CASE("masked next-token prediction: the label of a masked token sits one to the left") {
  BatchData b;
  b.B = 4, b.T = 32;
  Rng rng(4);
  for (int i = 0; i < b.B * b.T; ++i) b.tokens.push_back(10 + static_cast<int>(rng.below(30)));
  b.targets.resize(b.tokens.size());
  const std::vector<int> original = b.tokens;
  masked_next_token(b, {0.3f, 5, 40, {0, 1, 2, 3, 4, 5}}, rng);
  int labels = 0;
  for (int i = 0; i < b.B * b.T; ++i) {
    if (b.targets[i] == kIgnoreIndex) continue;
    ++labels;
    REQUIRE(i % b.T + 1 < b.T);              // never on the last position of a row
    CHECK(b.targets[i] == original[i + 1]);  // the token that was chosen at i + 1
  }
  CHECK(labels > 10);
  for (int row = 0; row < b.B; ++row)
    CHECK(b.tokens[row * b.T] == original[row * b.T]);  // position 0 is never masked
}

TEST_CASE("checkpoints round-trip exactly and refuse damaged files") {
  Gpt<float> model(tiny_config(), 7);
  Checkpoint ck;
  ck.config = tiny_config();
  ck.tokenizer = "{\"format\":\"gptlab-tokenizer\"}";
  ck.step = 42;
  ck.tensors = model.tensors();
  ck.params.assign(model.params().begin(), model.params().end());
  ck.adam_m.assign(ck.params.size(), 0.25f);
  ck.adam_v.assign(ck.params.size(), 0.5f);
  const std::string bytes = save_checkpoint(ck);
  const Checkpoint back = load_checkpoint(bytes);
  CHECK(back.params == ck.params);
  CHECK(back.adam_m == ck.adam_m);
  CHECK(back.adam_v == ck.adam_v);
  CHECK(back.step == 42);
  CHECK(back.tokenizer == ck.tokenizer);
  CHECK(config_to_json(back.config) == config_to_json(ck.config));
  REQUIRE(back.tensors.size() == ck.tensors.size());
  for (std::size_t i = 0; i < ck.tensors.size(); ++i) CHECK(back.tensors[i].name == ck.tensors[i].name);

  CHECK_THROWS_WITH_AS(load_checkpoint("hello"),
                       "This is not a gptlab checkpoint (it does not start with GPTLABCK).", Error);
  CHECK_THROWS_WITH_AS(
      load_checkpoint(bytes.substr(0, bytes.size() / 2)),
      "The checkpoint is damaged: its checksum does not match (the file was truncated or changed).", Error);
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  CHECK_THROWS_WITH_AS(load_checkpoint(flipped), doctest::Contains("checksum does not match"), Error);
  std::string future = bytes;
  future[8] = 2;
  CHECK_THROWS_WITH_AS(load_checkpoint(future),
                       "This checkpoint has format version 2; this gptlab reads version 1.", Error);
  for (std::size_t cut = 0; cut < 40; ++cut) CHECK_THROWS_AS(load_checkpoint(bytes.substr(0, cut)), Error);
  CHECK(crc32("123456789") == 0xCBF43926u);  // the standard check value

  // Found by fuzz_checkpoint: a file with an intact checksum whose config does not describe its
  // tensors (here a wider model than the weights) loaded, and its user read past the weights.
  Checkpoint wider = ck;
  wider.config.n_embd *= 2;
  CHECK_THROWS_WITH_AS(load_checkpoint(save_checkpoint(wider)),
                       "The checkpoint is damaged: its tensor transformer.wte.weight does not match its "
                       "model's configuration.",
                       Error);
  Checkpoint deeper = ck;
  deeper.config.n_layer += 1;
  CHECK_THROWS_WITH_AS(load_checkpoint(save_checkpoint(deeper)),
                       "The checkpoint is damaged: its tensors do not match its model's configuration.",
                       Error);
  Checkpoint impossible = ck;
  impossible.config.n_head = 3;  // does not divide n_embd
  CHECK_THROWS_WITH_AS(load_checkpoint(save_checkpoint(impossible)),
                       doctest::Contains("must be divisible by the number of heads"), Error);

  // load_model: the checkpoint's GPT with its weights, or a sentence.
  const auto loaded = load_model(back);
  CHECK(std::equal(loaded->params().begin(), loaded->params().end(), ck.params.begin(), ck.params.end()));
  CHECK(config_to_json(loaded->config()) == config_to_json(ck.config));
  Checkpoint short_params = ck;
  short_params.params.pop_back();
  CHECK_THROWS_WITH_AS(load_model(short_params),
                       ("The checkpoint has " + std::to_string(ck.params.size() - 1) +
                        " parameters; its configuration needs " + std::to_string(ck.params.size()) + ".")
                           .c_str(),
                       Error);
  Checkpoint bigram = ck;
  bigram.model_kind = "bigram";
  CHECK_THROWS_WITH_AS(load_model(bigram), "The checkpoint holds a bigram model, not a GPT.", Error);
  // An unknown name in the configuration is refused with the names it may take.
  std::string config = config_to_json(ck.config);
  config.replace(config.find("\"gelu\""), 6, "\"relu\"");
  CHECK_THROWS_WITH_AS(config_from_json(config), "Unknown ffn \"relu\"; use none, gelu or swiglu.",
                       OptionError);

  // Writing goes through a temporary file; the previous file survives a failed write.
  const std::string path = "gptlab_test_checkpoint.bin";
  write_file(path, bytes);
  CHECK(read_file(path) == bytes);
  CHECK_THROWS_WITH_AS(write_file("/nonexistent-dir/x.bin", bytes),
                       doctest::Contains("Cannot write /nonexistent-dir/x.bin.tmp"), Error);
  CHECK_THROWS_WITH_AS(read_file("/nonexistent-dir/x.bin"),
                       doctest::Contains("Cannot open /nonexistent-dir/x.bin"), Error);
  std::remove(path.c_str());
}

namespace {

// The checkpoint with its header's text changed by `edit`, lengths and checksum rewritten to match:
// what an older gptlab (or a hand-edited file) would have written.
std::string with_header(const std::string& bytes, const std::function<void(std::string&)>& edit) {
  auto u32 = [](std::string_view s, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
    return v;
  };
  auto put = [](std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  const std::uint32_t header_len = u32(bytes, 12);
  std::string header = bytes.substr(16, header_len);
  edit(header);
  std::string body;
  put(body, static_cast<std::uint32_t>(header.size()));
  body += header;
  body += bytes.substr(16 + header_len, bytes.size() - 4 - 16 - header_len);
  std::string out = bytes.substr(0, 12);  // magic and version
  out += body;
  put(out, crc32(body));
  return out;
}

}  // namespace

TEST_CASE("checkpoints keep the model switches; one written before them loads with the defaults") {
  // Every switch away from its default survives a save and a load.
  GptConfig c = tiny_config();
  c.positions = Positions::none;
  c.ffn = Ffn::none;
  c.norm = Norm::none;
  c.residual = false;
  c.n_layer = 0;
  Gpt<float> model(c, 7);
  Checkpoint ck;
  ck.config = c;
  ck.tokenizer = "{}";
  ck.tensors = model.tensors();
  ck.params.assign(model.params().begin(), model.params().end());
  const Checkpoint back = load_checkpoint(save_checkpoint(ck));
  CHECK(back.config.positions == Positions::none);
  CHECK(back.config.ffn == Ffn::none);
  CHECK(back.config.norm == Norm::none);
  CHECK_FALSE(back.config.residual);
  CHECK(back.config.n_layer == 0);
  CHECK(back.params == ck.params);
  CHECK(load_model(back)->config().residual == false);
  // Only the token embedding and the LM head are left.
  REQUIRE(back.tensors.size() == 2);
  CHECK(back.tensors[0].name == "transformer.wte.weight");
  CHECK(back.tensors[1].name == "lm_head.weight");

  // A checkpoint from before the switches: its header has no "residual" field.
  Gpt<float> old_model(tiny_config(), 7);
  Checkpoint old;
  old.config = tiny_config();
  old.config.residual = false;  // written as false, then the field is removed
  old.tokenizer = "{}";
  old.tensors = old_model.tensors();
  old.params.assign(old_model.params().begin(), old_model.params().end());
  const std::string bytes = with_header(save_checkpoint(old), [](std::string& header) {
    const std::string field = "\"residual\":false,";
    const std::size_t at = header.find(field);
    REQUIRE(at != std::string::npos);
    header.erase(at, field.size());
  });
  CHECK(bytes.find("residual") == std::string::npos);
  const Checkpoint loaded = load_checkpoint(bytes);
  CHECK(loaded.config.residual);  // the default, as every model had then
  GptConfig expected = tiny_config();
  CHECK(config_to_json(loaded.config) == config_to_json(expected));
  CHECK(loaded.params == old.params);
}

TEST_CASE("safetensors: a header of named F32 tensors and the weights after it") {
  Gpt<float> model(tiny_config(), 8);
  Checkpoint ck;
  ck.config = tiny_config();
  ck.tensors = model.tensors();
  ck.params.assign(model.params().begin(), model.params().end());
  const std::string st = export_safetensors(ck);
  std::uint64_t len = 0;
  for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(st[i]);
  CHECK((8 + len) % 8 == 0);
  const nlohmann::json h = nlohmann::json::parse(st.substr(8, len));
  for (const ParamTensor& t : ck.tensors) {
    const auto& e = h[t.name];
    CHECK(e["dtype"] == "F32");
    CHECK(e["shape"].get<std::vector<int>>() == t.shape);
    const std::size_t begin = e["data_offsets"][0], end = e["data_offsets"][1];
    REQUIRE(end - begin == t.size() * 4);
    std::vector<float> values(t.size());
    std::memcpy(values.data(), st.data() + 8 + len + begin, end - begin);
    CHECK(
        std::equal(values.begin(), values.end(), ck.params.begin() + static_cast<std::ptrdiff_t>(t.offset)));
  }
  CHECK(h["__metadata__"]["gptlab_model"] == "gpt");
}

TEST_CASE("the KV cache gives the logits of a full forward pass, position by position") {
  for (Positions pos : {Positions::rope, Positions::learned}) {
    for (Ffn ffn : {Ffn::gelu, Ffn::swiglu}) {
      GptConfig c = tiny_config();
      c.positions = pos;
      c.ffn = ffn;
      c.ffn_multiple_of = 16;
      Gpt<float> model(c, 9);
      const std::vector<int> tokens{1, 5, 9, 2, 7, 7, 3, 19, 0, 4, 11, 6};
      model.forward({tokens.data(), nullptr, nullptr, 1, 12});
      const std::vector<float> full(model.logits(), model.logits() + 12 * 20);
      KvCache<float> cache(c);
      for (int t = 0; t < 12; ++t) {
        const float* step = model.forward_next(tokens[t], cache);
        for (int v = 0; v < 20; ++v)
          REQUIRE(step[v] == doctest::Approx(full[t * 20 + v]).epsilon(1e-4).scale(1));
      }
      CHECK(cache.length() == 12);
      CHECK_THROWS_WITH_AS(model.forward_next(1, cache), "The KV cache is full (block size reached).",
                           ShapeError);
      // In double the two paths agree to rounding: the same layers, only attention differs.
      Gpt<double> exact(c, 9);
      exact.forward({tokens.data(), nullptr, nullptr, 1, 12});
      const std::vector<double> full64(exact.logits(), exact.logits() + 12 * 20);
      KvCache<double> cache64(c);
      double worst = 0;
      for (int t = 0; t < 12; ++t) {
        const double* step = exact.forward_next(tokens[t], cache64);
        for (int v = 0; v < 20; ++v) worst = std::max(worst, std::abs(step[v] - full64[t * 20 + v]));
      }
      CHECK(worst < 1e-12);
    }
  }
}

TEST_CASE("the KV cache gives the logits of a full forward pass with the model switches") {
  struct Case {
    const char* name;
    void (*change)(GptConfig&);
  };
  const Case cases[] = {
      {"positions none", [](GptConfig& c) { c.positions = Positions::none; }},
      {"ffn none", [](GptConfig& c) { c.ffn = Ffn::none; }},
      {"norm none", [](GptConfig& c) { c.norm = Norm::none; }},
      {"no residual", [](GptConfig& c) { c.residual = false; }},
      {"layers 0", [](GptConfig& c) { c.n_layer = 0; }},
      {"all of them, 2 layers",
       [](GptConfig& c) {
         c.positions = Positions::none;
         c.ffn = Ffn::none;
         c.norm = Norm::none;
         c.residual = false;
       }},
  };
  const std::vector<int> tokens{1, 5, 9, 2, 7, 7, 3, 19, 0, 4, 11, 6};
  for (const Case& k : cases) {
    INFO(k.name);
    GptConfig c = tiny_config();
    k.change(c);
    Gpt<double> model(c, 9);
    model.forward({tokens.data(), nullptr, nullptr, 1, 12});
    const std::vector<double> full(model.logits(), model.logits() + 12 * 20);
    KvCache<double> cache(c);
    double worst = 0;
    for (int t = 0; t < 12; ++t) {
      const double* step = model.forward_next(tokens[t], cache);
      for (int v = 0; v < 20; ++v) worst = std::max(worst, std::abs(step[v] - full[t * 20 + v]));
    }
    CHECK(worst < 1e-12);
    CHECK(cache.length() == 12);
  }
}

TEST_CASE("sampling: temperature 0 is argmax, top-k and top-p restrict the choice, seeds repeat") {
  const float logits[] = {1.0f, 3.0f, 2.0f, 0.5f, 2.9f};
  Rng rng(1);
  CHECK(sample_token(logits, 5, {0.0f, 0, 1.0f, {}}, rng) == 1);
  std::set<int> seen_k, seen_p, seen_all;
  for (int i = 0; i < 2000; ++i) {
    seen_k.insert(sample_token(logits, 5, {1.0f, 2, 1.0f, {}}, rng));
    seen_p.insert(sample_token(logits, 5, {1.0f, 0, 0.5f, {}}, rng));
    seen_all.insert(sample_token(logits, 5, {1.0f, 0, 1.0f, {}}, rng));
  }
  CHECK(seen_k == std::set<int>{1, 4});
  CHECK(seen_p == std::set<int>{1, 4});  // p(1) ~ 0.40, p(4) ~ 0.36: the two reach 0.5
  CHECK(seen_all.size() == 5);
  // The frequency of token 1 at temperatures 1 and 0.5 is softmax(l / T)_1, within 4 binomial
  // standard deviations sqrt(p (1 - p) / n) (about 0.004 for n = 200,000).
  for (float T : {1.0f, 0.5f}) {
    double z = 0;
    for (float l : logits) z += std::exp(l / T);
    const double p = std::exp(3.0 / T) / z;
    const int n = 200000;
    Rng r2(2);
    int ones = 0;
    for (int i = 0; i < n; ++i) ones += sample_token(logits, 5, {T, 0, 1.0f, {}}, r2) == 1;
    INFO("T ", T, ": p ", p, ", frequency ", static_cast<double>(ones) / n);
    CHECK(std::abs(static_cast<double>(ones) / n - p) < 4 * std::sqrt(p * (1 - p) / n));
  }
  const float bad[] = {1.0f, NAN};
  CHECK_THROWS_AS(sample_token(bad, 2, {}, rng), ShapeError);
  CHECK_THROWS_WITH_AS(sample_token(logits, 5, {-1.0f, 0, 1.0f, {}}, rng),
                       "The temperature cannot be negative.", OptionError);
  CHECK_THROWS_WITH_AS(sample_token(logits, 5, {1.0f, 0, 0.0f, {}}, rng),
                       "top_p must be above 0 and at most 1.", OptionError);
  CHECK_THROWS_WITH_AS(sample_token(logits, 5, {1.0f, 0, 1.5f, {}}, rng),
                       "top_p must be above 0 and at most 1.", OptionError);
  CHECK_THROWS_WITH_AS(sample_token(logits, 5, {1.0f, -1, 1.0f, {}}, rng), "top_k cannot be negative.",
                       OptionError);
}

// Greedy decoding by full forward passes over a window of at most `block` tokens: when a new
// token makes it block + 1 long, only the last `keep` stay (generate keeps block / 2).
std::vector<int> greedy_by_full_forward(Gpt<float>& model, std::vector<int> window, int n, std::size_t keep) {
  const int V = model.vocab_size();
  const std::size_t block = static_cast<std::size_t>(model.config().block_size);
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    const int T = static_cast<int>(window.size());
    model.forward({window.data(), nullptr, nullptr, 1, T});
    const float* last = model.logits() + static_cast<std::size_t>(T - 1) * V;
    out.push_back(static_cast<int>(std::max_element(last, last + V) - last));
    window.push_back(out.back());
    if (window.size() > block) window.erase(window.begin(), window.end() - static_cast<std::ptrdiff_t>(keep));
  }
  return out;
}

TEST_CASE("generation streams tokens, repeats with a seed, and runs past the block size") {
  Gpt<float> model(tiny_config(), 10);
  std::vector<int> streamed;
  Rng a(3), b(3);
  const auto first = generate(model, {1, 2, 3}, 40, {}, a, [&](int t) {
    streamed.push_back(t);
    return true;
  });
  CHECK(first.size() == 40);  // 3 + 40 > block size 12: the cache was refilled on the way
  CHECK(streamed == first);
  CHECK(generate(model, {1, 2, 3}, 40, {}, b) == first);
  // Temperature 0 past the block size: each token is the argmax of a full forward pass over the
  // window generate keeps (the last block / 2 tokens, re-run from position 0), for both kinds of positions.
  for (Positions pos : {Positions::rope, Positions::learned}) {
    GptConfig c = tiny_config();
    c.positions = pos;
    Gpt<float> m(c, 12);  // untrained greedy text soon cycles; with this seed the window policy still shows
    const std::vector<int> prompt{4, 8, 15, 16, 2};
    Rng rng(1);
    const auto greedy = generate(m, prompt, 40, {0.0f, 0, 1.0f, {}}, rng);
    CHECK(greedy == greedy_by_full_forward(m, prompt, 40, c.block_size / 2));
    CHECK(greedy !=
          greedy_by_full_forward(m, prompt, 40, c.block_size - 1));  // the policy shows in the tokens
    CHECK(std::set<int>(greedy.begin(), greedy.end()).size() >= 3);  // not one token repeated
  }
  int calls = 0;
  CHECK(generate(model, {1}, 10, {}, a, [&](int) { return ++calls < 4; }).size() ==
        4);  // stopped by the callback
  CHECK_THROWS_AS(generate(model, {}, 5, {}, a), ShapeError);
}

TEST_CASE("sampling never draws <pad>, <mask> or <bos>, even when the model favours them") {
  const std::vector<std::string> specials(kStandardSpecials.begin(), kStandardSpecials.end());
  const CharTokenizer tok = CharTokenizer::train("the cat sat", specials);
  const std::vector<int> banned = never_sampled(tok);
  CHECK(std::set<int>(banned.begin(), banned.end()) ==
        std::set<int>{tok.special_id("<pad>"), tok.special_id("<mask>"), tok.special_id("<bos>")});
  CHECK(never_sampled(CharTokenizer::train("abc")).empty());  // no specials, nothing to ban
  GptConfig c = tiny_config();
  c.vocab_size = tok.vocab_size();
  Gpt<float> model(c, 12);
  // Final norm gain 0 and bias e_0, so every position's logits are column 0 of lm_head:
  // 6 for the three banned ids, 0 for the rest (p(banned) = 3e^6 / (3e^6 + V - 3) ~ 0.99).
  std::fill_n(tensor(model, "transformer.ln_f.weight"), c.n_embd, 0.0f);
  std::fill_n(tensor(model, "transformer.ln_f.bias"), c.n_embd, 0.0f);
  tensor(model, "transformer.ln_f.bias")[0] = 1.0f;
  float* head = tensor(model, "lm_head.weight");
  std::fill_n(head, static_cast<std::size_t>(c.vocab_size) * c.n_embd, 0.0f);
  for (int id : banned) head[static_cast<std::size_t>(id) * c.n_embd] = 6.0f;
  const auto draws = [&](const std::vector<int>& ban) {
    SamplingOptions o;
    o.banned = ban;
    Rng rng(4);
    const std::vector<int> out = generate(model, tok.encode("the"), 300, o, rng);
    return std::multiset<int>(out.begin(), out.end());
  };
  const std::multiset<int> free = draws({}), kept = draws(banned);
  long long banned_free = 0;
  for (int id : banned) banned_free += static_cast<long long>(free.count(id));
  CHECK(banned_free > 250);  // without the ban they are nearly every draw
  for (int id : banned) CHECK(kept.count(id) == 0);
  CHECK(kept.count(tok.special_id("<eos>")) > 0);  // <eos> and ordinary tokens stay drawable
  CHECK(std::set<int>(kept.begin(), kept.end()).size() ==
        static_cast<std::size_t>(c.vocab_size) - banned.size());
  // Temperature 0 takes the likeliest drawable id; banning every id is an error.
  std::vector<float> logits(c.vocab_size, 0.0f);
  logits[banned[0]] = 9.0f;
  const int t = tok.encode("t")[0];
  logits[t] = 1.0f;
  Rng rng(5);
  CHECK(sample_token(logits.data(), c.vocab_size, {0.0f, 0, 1.0f, banned}, rng) == t);
  std::vector<int> all(c.vocab_size);
  std::iota(all.begin(), all.end(), 0);
  CHECK_THROWS_AS(sample_token(logits.data(), c.vocab_size, {1.0f, 0, 1.0f, all}, rng), ShapeError);
}

TEST_CASE("masked fill-in returns the k most likely tokens per mask") {
  GptConfig c = tiny_config();
  c.attention = AttentionMode::bidirectional;
  Gpt<float> model(c, 11);
  const std::vector<int> tokens{3, 4, 19, 5, 19, 6};
  const auto filled = fill_masks(model, tokens, 19, 3);
  REQUIRE(filled.size() == 2);
  // At each mask (positions 2 and 4): the top 3 of softmax over a full forward pass's logits there.
  model.forward({tokens.data(), nullptr, nullptr, 1, 6});
  const int V = c.vocab_size;
  const int positions[] = {2, 4};
  for (int m = 0; m < 2; ++m) {
    const float* l = model.logits() + positions[m] * V;
    double z = 0;
    for (int v = 0; v < V; ++v) z += std::exp(static_cast<double>(l[v]));
    std::vector<int> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return l[a] > l[b]; });
    REQUIRE(filled[m].size() == 3);
    for (int r = 0; r < 3; ++r) {
      CHECK(filled[m][r].token == order[r]);
      CHECK(filled[m][r].probability ==
            doctest::Approx(std::exp(static_cast<double>(l[order[r]])) / z).epsilon(1e-5));
    }
  }
}

TEST_CASE("sampling without the KV cache gives the cache's tokens (greedy, within the block)") {
  for (Positions pos : {Positions::rope, Positions::learned}) {
    INFO(to_string(pos));
    GptConfig c = tiny_config();
    c.positions = pos;
    Gpt<float> model(c, 12);
    const std::vector<int> prompt{4, 8, 15, 16};
    SamplingOptions greedy{0.0f, 0, 1.0f, {}};
    Rng a(1), b(1);
    const auto cached = generate(model, prompt, 8, greedy, a);  // 4 + 8 = block size 12
    greedy.kv_cache = false;
    std::vector<int> streamed;
    const auto uncached = generate(model, prompt, 8, greedy, b, [&](int t) {
      streamed.push_back(t);
      return true;
    });
    CHECK(uncached == cached);
    CHECK(streamed == uncached);
    CHECK(cached == greedy_by_full_forward(model, prompt, 8, c.block_size));
    CHECK(std::set<int>(cached.begin(), cached.end()).size() >= 3);  // not one token repeated
    // Past the block the uncached path slides a window of the last block_size tokens.
    Rng r(1);
    CHECK(generate(model, prompt, 30, greedy, r) == greedy_by_full_forward(model, prompt, 30, c.block_size));
  }
  GptConfig c = tiny_config();
  c.attention = AttentionMode::bidirectional;
  Gpt<float> masked(c, 1);
  Rng rng(1);
  SamplingOptions no_cache;
  no_cache.kv_cache = false;
  CHECK_THROWS_WITH_AS(generate(masked, {1}, 3, no_cache, rng),
                       "Only a causal model continues text; this one is bidirectional.", ShapeError);
}
