// The training pipeline: batches and objectives, checkpoints, safetensors,
// sampling and the KV cache, masked fill-in.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "gptlab/checkpoint.h"
#include "gptlab/data.h"
#include "gptlab/error.h"
#include "gptlab/generate.h"
#include "gptlab/gpt.h"
#include "gptlab/layers.h"

using namespace gptlab;

namespace {

GptConfig tiny_config() {
  GptConfig c;
  c.vocab_size = 20, c.block_size = 12, c.n_layer = 2, c.n_head = 2, c.n_embd = 16;
  return c;
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
  for (int i = 0; i < 80; ++i) CHECK(b.targets[i] == b.tokens[i] + 1);  // the stream counts up: successor = +1
  for (int row = 0; row < 8; ++row) CHECK(b.tokens[row * 10 + 9] <= 88);  // the last target (<= 89) is inside train
  CHECK_THROWS_WITH_AS(sample_blocks(std::vector<int>(10, 1), 2, 10, rng, b),
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
    if (b.tokens[i] == mask_id) ++masked;
    else if (b.tokens[i] == original[i]) ++kept;
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
  CHECK(std::fabs(kept - 0.1 * chosen) < 4 * std::sqrt(chosen * 0.09) + chosen * 0.1 * 0.02 + 2);  // random can equal original
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
    REQUIRE(i % b.T + 1 < b.T);             // never on the last position of a row
    CHECK(b.targets[i] == original[i + 1]);  // the token that was chosen at i + 1
  }
  CHECK(labels > 10);
  for (int row = 0; row < b.B; ++row) CHECK(b.tokens[row * b.T] == original[row * b.T]);  // position 0 is never masked
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

  CHECK_THROWS_WITH_AS(load_checkpoint("hello"), "This is not a gptlab checkpoint (it does not start with GPTLABCK).", Error);
  CHECK_THROWS_WITH_AS(load_checkpoint(bytes.substr(0, bytes.size() / 2)),
                       "The checkpoint is damaged: its checksum does not match (the file was truncated or changed).", Error);
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  CHECK_THROWS_WITH_AS(load_checkpoint(flipped), doctest::Contains("checksum does not match"), Error);
  std::string future = bytes;
  future[8] = 2;
  CHECK_THROWS_WITH_AS(load_checkpoint(future), "This checkpoint has format version 2; this gptlab reads version 1.", Error);
  for (std::size_t cut = 0; cut < 40; ++cut) CHECK_THROWS_AS(load_checkpoint(bytes.substr(0, cut)), Error);
  CHECK(crc32("123456789") == 0xCBF43926u);  // the standard check value

  // Found by fuzz_checkpoint: a file with an intact checksum whose config does not describe its
  // tensors (here a wider model than the weights) loaded, and its user read past the weights.
  Checkpoint wider = ck;
  wider.config.n_embd *= 2;
  CHECK_THROWS_WITH_AS(load_checkpoint(save_checkpoint(wider)),
                       "The checkpoint is damaged: its tensor transformer.wte.weight does not match its model's configuration.",
                       Error);
  Checkpoint deeper = ck;
  deeper.config.n_layer += 1;
  CHECK_THROWS_WITH_AS(load_checkpoint(save_checkpoint(deeper)),
                       "The checkpoint is damaged: its tensors do not match its model's configuration.", Error);
  Checkpoint impossible = ck;
  impossible.config.n_head = 3;  // does not divide n_embd
  CHECK_THROWS_WITH_AS(load_checkpoint(save_checkpoint(impossible)), doctest::Contains("must be divisible by the number of heads"),
                       Error);

  // Writing goes through a temporary file; the previous file survives a failed write.
  const std::string path = "gptlab_test_checkpoint.bin";
  write_file(path, bytes);
  CHECK(read_file(path) == bytes);
  CHECK_THROWS_WITH_AS(write_file("/nonexistent-dir/x.bin", bytes), doctest::Contains("Cannot write /nonexistent-dir/x.bin.tmp"), Error);
  CHECK_THROWS_WITH_AS(read_file("/nonexistent-dir/x.bin"), doctest::Contains("Cannot open /nonexistent-dir/x.bin"), Error);
  std::remove(path.c_str());
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
    CHECK(std::equal(values.begin(), values.end(), ck.params.begin() + static_cast<std::ptrdiff_t>(t.offset)));
  }
  CHECK(h["__metadata__"]["gptlab_model"] == "gpt");
}

TEST_CASE("the KV cache gives the logits of a full forward pass, position by position") {
  for (Positions pos : {Positions::rope, Positions::learned}) {
    for (Ffn ffn : {Ffn::gelu, Ffn::swiglu}) {
      GptConfig c = tiny_config();
      c.positions = pos, c.ffn = ffn, c.ffn_multiple_of = 16;
      Gpt<float> model(c, 9);
      const std::vector<int> tokens{1, 5, 9, 2, 7, 7, 3, 19, 0, 4, 11, 6};
      model.forward({tokens.data(), nullptr, nullptr, 1, 12});
      const std::vector<float> full(model.logits(), model.logits() + 12 * 20);
      KvCache cache(c);
      for (int t = 0; t < 12; ++t) {
        const float* step = model.forward_next(tokens[t], cache);
        for (int v = 0; v < 20; ++v) REQUIRE(step[v] == doctest::Approx(full[t * 20 + v]).epsilon(1e-4).scale(1));
      }
      CHECK(cache.length() == 12);
      CHECK_THROWS_WITH_AS(model.forward_next(1, cache), "The KV cache is full (block size reached).", ShapeError);
    }
  }
}

TEST_CASE("sampling: temperature 0 is argmax, top-k and top-p restrict the choice, seeds repeat") {
  const float logits[] = {1.0f, 3.0f, 2.0f, 0.5f, 2.9f};
  Rng rng(1);
  CHECK(sample_token(logits, 5, {0.0f, 0, 1.0f}, rng) == 1);
  std::set<int> seen_k, seen_p, seen_all;
  for (int i = 0; i < 2000; ++i) {
    seen_k.insert(sample_token(logits, 5, {1.0f, 2, 1.0f}, rng));
    seen_p.insert(sample_token(logits, 5, {1.0f, 0, 0.5f}, rng));
    seen_all.insert(sample_token(logits, 5, {1.0f, 0, 1.0f}, rng));
  }
  CHECK(seen_k == std::set<int>{1, 4});
  CHECK(seen_p == std::set<int>{1, 4});  // p(1) ~ 0.40, p(4) ~ 0.36: the two reach 0.5
  CHECK(seen_all.size() == 5);
  // The empirical frequency of token 1 at temperature 1 matches softmax.
  double z = 0;
  for (float l : logits) z += std::exp(l);
  Rng r2(2);
  int ones = 0;
  for (int i = 0; i < 20000; ++i) ones += sample_token(logits, 5, {}, r2) == 1;
  CHECK(ones / 20000.0 == doctest::Approx(std::exp(3.0) / z).epsilon(0.03));
  const float bad[] = {1.0f, NAN};
  CHECK_THROWS_AS(sample_token(bad, 2, {}, rng), ShapeError);
  CHECK_THROWS_AS(sample_token(logits, 5, {-1.0f, 0, 1.0f}, rng), ShapeError);
}

TEST_CASE("generation streams tokens, repeats with a seed, and runs past the block size") {
  Gpt<float> model(tiny_config(), 10);
  std::vector<int> streamed;
  Rng a(3), b(3);
  const auto first = generate(model, {1, 2, 3}, 40, {}, a, [&](int t) { streamed.push_back(t); return true; });
  CHECK(first.size() == 40);  // 3 + 40 > block size 12: the cache was refilled on the way
  CHECK(streamed == first);
  CHECK(generate(model, {1, 2, 3}, 40, {}, b) == first);
  int calls = 0;
  CHECK(generate(model, {1}, 10, {}, a, [&](int) { return ++calls < 4; }).size() == 4);  // stopped by the callback
  CHECK_THROWS_AS(generate(model, {}, 5, {}, a), ShapeError);
}

TEST_CASE("masked fill-in returns the k most likely tokens per mask") {
  GptConfig c = tiny_config();
  c.attention = AttentionMode::bidirectional;
  Gpt<float> model(c, 11);
  const auto filled = fill_masks(model, {3, 4, 19, 5, 19, 6}, 19, 3);
  REQUIRE(filled.size() == 2);
  for (const auto& cands : filled) {
    REQUIRE(cands.size() == 3);
    CHECK(cands[0].probability >= cands[1].probability);
    CHECK(cands[1].probability >= cands[2].probability);
    CHECK(cands[0].probability > 0.0f);
  }
}
