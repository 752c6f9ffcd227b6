// Character and BPE tokenizers: training, encoding, round trips, special tokens,
// files, and errors. GPT-2 / GPT-4 golden encodings are in test_openai_encodings.cpp.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "errors.h"
#include "test_support.h"
#include "text/tokenizer_bpe.h"
#include "text/tokenizer_char.h"
#include "text/tokenizer_file.h"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports a false -Wrestrict inside std::string concatenation (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

using namespace gptlab;
using Ids = std::vector<int>;

namespace {

const std::vector<std::string> kStandard(kStandardSpecials.begin(), kStandardSpecials.end());

// A small corpus with some repetition, so that BPE has pairs to merge.
std::string corpus() {
  std::string s;
  std::mt19937 rng(3);
  const char* words[] = {"the",  "cat",       "sat",   "on",   "mat", "hat",
                         "that", "cathedral", "naïve", "中文", "😀",   "isn't"};
  std::uniform_int_distribution<int> pick(0, 11);
  for (int i = 0; i < 4000; ++i) s += std::string(words[pick(rng)]) + (i % 17 == 16 ? ".\n\n" : " ");
  return s;
}

// The strings every tokenizer must round-trip.
const std::vector<std::string> kAwkward = {
    "",
    "?",
    "a",
    "😀👍🏽🇸🇪",
    "中文字符",
    "Καλημέρα мир مرحبا שלום",
    "naïve café ſ",
    std::string(300, ' '),
    "\t\t\n\n\r\n   x   ",
    "<eos> and <pad>",
    "<eo<eos>s>",
    "it's 2026!",
    "ZZZZ",
    std::string(2000, 'a'),
};

// minbpe's encode, written independently: repeatedly merge every occurrence of
// the adjacent pair with the lowest merge rank (the reference for encode_chunk).
Ids minbpe_encode(const std::string& chunk, const std::vector<Merge>& merges) {
  Ids ids(chunk.begin(), chunk.end());
  for (int& id : ids) id = static_cast<unsigned char>(id);
  std::map<std::pair<int, int>, std::pair<std::size_t, int>> rank;
  for (std::size_t i = 0; i < merges.size(); ++i)
    rank.emplace(std::pair(merges[i].left, merges[i].right), std::pair(i, merges[i].result));
  while (ids.size() >= 2) {
    std::size_t best = SIZE_MAX;
    std::pair<int, int> pair;
    for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
      auto it = rank.find({ids[i], ids[i + 1]});
      if (it != rank.end() && it->second.first < best) best = it->second.first, pair = it->first;
    }
    if (best == SIZE_MAX) break;
    Ids next;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i + 1 < ids.size() && std::pair(ids[i], ids[i + 1]) == pair) {
        next.push_back(rank[pair].second);
        ++i;
      } else {
        next.push_back(ids[i]);
      }
    }
    ids = next;
  }
  return ids;
}

}  // namespace

TEST_CASE("char tokenizer: sorted code points after the special tokens") {
  CharTokenizer t = CharTokenizer::train("hello wörld 😀", kStandard);
  CHECK(t.vocab_size() == 5 + 10);
  CHECK(t.chars() == std::vector<char32_t>{U' ', U'd', U'e', U'h', U'l', U'o', U'r', U'w', U'ö', U'😀'});
  CHECK(t.special_id("<pad>") == 0);
  CHECK(t.special_id("<mask>") == 4);
  CHECK(t.encode("hello") == Ids{8, 7, 9, 9, 10});
  CHECK(t.token_bytes(13) == "ö");
  CHECK(t.token_bytes(14) == "😀");
  CHECK(t.decode(t.encode("hello wörld 😀")) == "hello wörld 😀");
}

TEST_CASE("char tokenizer: unseen characters") {
  CharTokenizer with_unk = CharTokenizer::train("abc", kStandard);
  CHECK(with_unk.encode("abz") == Ids{5, 6, 1});
  CharTokenizer without = CharTokenizer::train("abc");
  CHECK_THROWS_WITH_AS(
      without.encode("abé"),
      "The character 'é' (U+00E9) at byte 2 is not in the vocabulary, and the tokenizer has no <unk> "
      "token to stand for it.",
      TokenizerError);
  // Invalid UTF-8 reads as U+FFFD, which is then an unseen character like any other.
  CHECK(with_unk.encode("a\xFF") == Ids{5, 1});
  CHECK_THROWS_AS(CharTokenizer::train(""), TokenizerError);
  CHECK_THROWS_WITH(CharTokenizer::train(""),
                    "The corpus is empty; a character vocabulary needs at least one character.");
}

TEST_CASE("special tokens are read only when allowed") {
  CharTokenizer c = CharTokenizer::train("<eos>ab", kStandard);
  const int eos = c.special_id("<eos>");
  CHECK(c.encode("a<eos>b", AllowedSpecials::every()) == Ids{c.encode("a")[0], eos, c.encode("b")[0]});
  CHECK(c.encode("a<eos>b").size() == 7);                                        // plain text by default
  CHECK(c.encode("<eos><pad>", AllowedSpecials{false, {"<pad>"}}).size() == 6);  // only <pad> allowed
  CHECK(c.decode(c.encode("x<eos>", AllowedSpecials::every())) == "<unk><eos>");

  auto trained = BpeTokenizer::train(corpus() + "<eos>", {300, SplitPattern::gpt2, kStandard, {}});
  const BpeTokenizer& b = trained.tokenizer;
  CHECK(b.special_id("<pad>") == 256);
  CHECK(b.special_id("<mask>") == 260);
  Ids expected = b.encode("the");
  expected.push_back(259);
  for (int id : b.encode("cat")) expected.push_back(id);
  CHECK(b.encode("the<eos>cat", AllowedSpecials::every()) == expected);
  CHECK(b.encode("<eos>") != Ids{259});
  for (const Merge& m : b.merges())  // special tokens never merge
    for (int id : {m.left, m.right, m.result}) CHECK_FALSE(b.is_special(id));
}

TEST_CASE("minbpe's Wikipedia example") {
  auto trained = BpeTokenizer::train("aaabdaaabac", {256 + 3, SplitPattern::none, {}, {}});
  CHECK(trained.merges_done == 3);
  CHECK_FALSE(trained.stopped_early);
  CHECK(trained.tokenizer.encode("aaabdaaabac") == Ids{258, 100, 258, 97, 99});
  CHECK(trained.tokenizer.decode(Ids{258, 100, 258, 97, 99}) == "aaabdaaabac");
  // Tie-break: counts tie between (256 'a') and ('a' 'b'); the smaller left id wins.
  const auto& m = trained.tokenizer.merges();
  CHECK(m[0].left == 97);
  CHECK(m[0].right == 97);
  CHECK(m[1].left == 97);
  CHECK(m[1].right == 98);
  CHECK(m[2].left == 256);
  CHECK(m[2].right == 257);
}

TEST_CASE("BPE training counts every merge correctly (against a recount-per-merge trainer)") {
  // The slow, obviously-correct trainer: recount all pairs, merge the best everywhere.
  const std::string text = corpus().substr(0, 3000);
  for (SplitPattern split : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4}) {
    auto fast = BpeTokenizer::train(text, {256 + 60, split, {}, {}});
    std::map<std::string, long long> words;
    for (std::string_view c : split_chunks(text, split)) ++words[std::string(c)];
    std::vector<std::pair<Ids, long long>> seqs;
    for (auto& [w, n] : words) seqs.push_back({Ids(w.begin(), w.end()), n});
    for (auto& [ids, n] : seqs)
      for (int& id : ids) id = static_cast<unsigned char>(id);
    for (int merge = 0; merge <= fast.merges_done; ++merge) {
      std::map<std::pair<int, int>, long long> counts;
      for (auto& [ids, n] : seqs)
        for (std::size_t i = 0; i + 1 < ids.size(); ++i) counts[{ids[i], ids[i + 1]}] += n;
      std::pair<int, int> best{-1, -1};
      long long best_count = 1;
      for (auto& [pair, n] : counts)  // map order: ties go to the smaller (left, right)
        if (n > best_count) best = pair, best_count = n;
      INFO("split ", split_pattern_name(split), " merge ", merge);
      if (merge == fast.merges_done) {  // the fast trainer stopped: no pair may occur twice
        CHECK((fast.merges_done == 60 || best.first < 0));
        break;
      }
      REQUIRE(best.first >= 0);
      const Merge& got = fast.tokenizer.merges()[merge];
      REQUIRE(std::pair(got.left, got.right) == best);
      for (auto& [ids, n] : seqs) {
        Ids next;
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (i + 1 < ids.size() && std::pair(ids[i], ids[i + 1]) == best) {
            next.push_back(256 + merge);
            ++i;
          } else {
            next.push_back(ids[i]);
          }
        }
        ids = next;
      }
    }
  }
}

TEST_CASE("BPE encoding equals minbpe's merge loop, for short and long chunks") {
  auto trained = BpeTokenizer::train(corpus(), {400, SplitPattern::none, {}, {}});
  const BpeTokenizer& t = trained.tokenizer;
  std::mt19937 rng(11);
  for (int i = 0; i < 200; ++i) {
    std::string s = test_support::random_text(rng, i < 150 ? 12 : 400);  // the long ones take the heap path
    if (i % 3 == 0)
      s = corpus().substr(static_cast<std::size_t>(i) * 37, static_cast<std::size_t>(i) * 3 + 10);
    Ids ours;
    t.encode_chunk(s, ours);
    if (s.empty()) continue;
    REQUIRE(ours == minbpe_encode(s, t.merges()));
  }
}

TEST_CASE("a BPE cut to its first k merges encodes as minbpe's loop with those merges") {
  auto trained = BpeTokenizer::train(corpus(), {300, SplitPattern::none, kStandard, {}});
  const BpeTokenizer& t = trained.tokenizer;
  const std::string text = corpus().substr(100, 300) + "<eos>";
  const int all = static_cast<int>(t.merges().size());
  std::size_t last = SIZE_MAX;
  for (int k : {0, 1, 2, 10, 39, all}) {
    const BpeTokenizer cut = t.with_first_merges(k);
    CHECK(cut.vocab_size() == 256 + 5 + k);
    CHECK(cut.special_id("<eos>") == t.special_id("<eos>"));
    const std::vector<Merge> first(t.merges().begin(), t.merges().begin() + k);
    Ids ids = cut.encode(text, AllowedSpecials::every());
    REQUIRE(ids.back() == t.special_id("<eos>"));
    ids.pop_back();
    CHECK(ids == minbpe_encode(text.substr(0, text.size() - 5), first));
    CHECK(ids.size() <= last);  // every merge can only join tokens
    last = ids.size();
  }
  CHECK(t.with_first_merges(all).encode(text) == t.encode(text));
  CHECK_THROWS_WITH_AS(t.with_first_merges(all + 1),
                       ("This tokenizer has " + std::to_string(all) + " merges; " + std::to_string(all + 1) +
                        " is out of range.")
                           .c_str(),
                       TokenizerError);
}

TEST_CASE("every tokenizer round-trips awkward strings and random bytes") {
  const std::string text = corpus();
  std::vector<std::unique_ptr<Tokenizer>> all;
  std::string every_char = text;
  for (const std::string& s : kAwkward) every_char += s;
  all.push_back(std::make_unique<CharTokenizer>(CharTokenizer::train(every_char, kStandard)));
  for (SplitPattern split : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4})
    all.push_back(
        std::make_unique<BpeTokenizer>(BpeTokenizer::train(text, {600, split, kStandard, {}}).tokenizer));
  for (const auto& t : all) {
    for (const std::string& s : kAwkward) {
      INFO(t->kind(), " on \"", s.substr(0, 40), "\"");
      CHECK(t->decode(t->encode(s)) == s);
      CHECK(t->decode(t->encode(s, AllowedSpecials::every())) == s);
    }
  }
  std::mt19937 rng(5);
  for (std::size_t k = 1; k < all.size(); ++k) {  // byte-level: any bytes, exactly
    for (int i = 0; i < 200; ++i) {
      const std::string s = test_support::random_bytes(rng, 80);
      REQUIRE(all[k]->decode_bytes(all[k]->encode(s)) == s);
    }
  }
}

TEST_CASE("decode replaces invalid UTF-8, decode_bytes keeps the bytes") {
  auto t = BpeTokenizer::train(corpus(), {300, SplitPattern::gpt2, {}, {}}).tokenizer;
  const Ids ids = t.encode("中");  // three byte tokens
  REQUIRE(ids.size() >= 1);
  const std::string bytes = t.decode_bytes(ids);
  CHECK(t.decode({ids.data(), 1}) == (ids.size() == 1 ? "中" : "\xEF\xBF\xBD"));
  CHECK(t.decode_bytes({ids.data(), 1}) == bytes.substr(0, t.token_bytes(ids[0]).size()));
  CHECK_THROWS_WITH_AS(t.token_bytes(100000), "The token id 100000 is outside the vocabulary (0 to 299).",
                       TokenizerError);
  CHECK_THROWS_AS(t.decode(Ids{-1}), TokenizerError);
}

TEST_CASE("BPE training: determinism, progress, and errors") {
  const std::string text = corpus();
  std::vector<std::pair<int, int>> progress;
  BpeTrainOptions o{512, SplitPattern::gpt4, kStandard, [&](int done, int total) {
                      progress.push_back({done, total});
                    }};
  auto a = BpeTokenizer::train(text, o);
  auto b = BpeTokenizer::train(text, {512, SplitPattern::gpt4, kStandard, {}});
  CHECK(a.tokenizer.merges().size() == b.tokenizer.merges().size());
  for (std::size_t i = 0; i < a.tokenizer.merges().size(); ++i) {
    CHECK(a.tokenizer.merges()[i].left == b.tokenizer.merges()[i].left);
    CHECK(a.tokenizer.merges()[i].right == b.tokenizer.merges()[i].right);
  }
  REQUIRE(progress.size() == static_cast<std::size_t>(a.merges_done));
  CHECK(progress.back() == std::pair(a.merges_done, 512 - 261));

  CHECK_THROWS_WITH_AS(BpeTokenizer::train("", {300, SplitPattern::gpt2, {}, {}}),
                       "The corpus is empty; BPE training needs text to count pairs in.", TokenizerError);
  CHECK_THROWS_WITH_AS(
      BpeTokenizer::train("abc", {258, SplitPattern::gpt2, kStandard, {}}),
      "A vocabulary of 258 tokens is too small: the 256 bytes and 5 special tokens already take 261.",
      TokenizerError);
  auto small = BpeTokenizer::train("abcabcabc", {1000, SplitPattern::none, {}, {}});
  CHECK(small.merges_done == 3);  // ab (3 times), abc (3), abcabc (twice); then (abcabc, abc) occurs once
  REQUIRE(small.stopped_early);
  CHECK(*small.stopped_early ==
        "The corpus supports only 3 merges: after that no pair of adjacent tokens occurs twice. The "
        "vocabulary has 259 "
        "tokens instead of the 1000 asked for.");
  CHECK(small.tokenizer.vocab_size() == 259);
  CHECK(small.tokenizer.encode("abcabcabc") == Ids{258, 257});
}

TEST_CASE("save and load round-trip every tokenizer exactly") {
  const std::string text = corpus();
  std::vector<std::unique_ptr<Tokenizer>> all;
  all.push_back(std::make_unique<CharTokenizer>(CharTokenizer::train(text + "<>", kStandard)));
  for (SplitPattern split : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4})
    all.push_back(
        std::make_unique<BpeTokenizer>(BpeTokenizer::train(text, {700, split, kStandard, {}}).tokenizer));
  for (const auto& t : all) {
    const std::string saved = save_tokenizer(*t);
    const auto loaded = load_tokenizer(saved);
    CHECK(std::string(loaded->kind()) == t->kind());
    CHECK(loaded->vocab_size() == t->vocab_size());
    CHECK(loaded->specials() == t->specials());
    for (int id = 0; id < t->vocab_size(); ++id) REQUIRE(loaded->token_bytes(id) == t->token_bytes(id));
    CHECK(save_tokenizer(*loaded) == saved);
    for (const std::string& s : {std::string("the cathedral isn't naïve <eos>"), text.substr(0, 500)})
      CHECK(loaded->encode(s, AllowedSpecials::every()) == t->encode(s, AllowedSpecials::every()));
  }
}

TEST_CASE("Hugging Face tokenizer.json export re-imports identically") {
  const std::string text = corpus();
  for (SplitPattern split : {SplitPattern::none, SplitPattern::gpt2, SplitPattern::gpt4}) {
    const BpeTokenizer t = BpeTokenizer::train(text, {600, split, kStandard, {}}).tokenizer;
    const std::string hf = export_hf_tokenizer(t);
    CHECK(hf.find("\"type\": \"ByteLevel\"") != std::string::npos);
    const BpeTokenizer back = import_hf_tokenizer(hf);
    CHECK(back.split() == split);
    CHECK(back.specials() == t.specials());
    CHECK(back.tokens() == t.tokens());
    REQUIRE(back.merges().size() == t.merges().size());
    for (std::size_t i = 0; i < t.merges().size(); ++i) {
      CHECK(back.merges()[i].left == t.merges()[i].left);
      CHECK(back.merges()[i].right == t.merges()[i].right);
      CHECK(back.merges()[i].result == t.merges()[i].result);
    }
    CHECK(save_tokenizer(back) == save_tokenizer(t));
  }
  // The byte-to-character table: a space is 'Ġ' (U+0120), 'a' is itself.
  const BpeTokenizer t = BpeTokenizer::train("a a a a a a", {258, SplitPattern::gpt2, {}, {}}).tokenizer;
  CHECK(export_hf_tokenizer(t).find("\"Ġa\": 256") != std::string::npos);
}

TEST_CASE("a character vocabulary with control characters and quotes saves and loads") {
  const CharTokenizer t = CharTokenizer::train("\n\t\"\\\x01 x\x7f");
  const auto loaded = load_tokenizer(save_tokenizer(t));
  CHECK(loaded->encode("x\"\\\x01") == t.encode("x\"\\\x01"));
  CHECK(save_tokenizer(*loaded) == save_tokenizer(t));
}

TEST_CASE("corrupt, truncated and foreign tokenizer files give sentences") {
  const BpeTokenizer t = BpeTokenizer::train(corpus(), {300, SplitPattern::gpt2, kStandard, {}}).tokenizer;
  const std::string good = save_tokenizer(t);
  CHECK_THROWS_WITH_AS(
      load_tokenizer(good.substr(0, good.size() / 2)),
      doctest::Contains("The tokenizer file is not valid JSON (it may be truncated or corrupt)"),
      TokenizerError);
  CHECK_THROWS_WITH_AS(load_tokenizer(""), doctest::Contains("not valid JSON"), TokenizerError);
  CHECK_THROWS_WITH_AS(load_tokenizer("[1,2]"),
                       "This is not a gptlab tokenizer file (its \"format\" is not \"gptlab-tokenizer\").",
                       TokenizerError);
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  CHECK_THROWS_WITH_AS(load_tokenizer(edit("\"version\":1", "\"version\":7")),
                       "This tokenizer file has format version 7; this gptlab reads version 1.",
                       TokenizerError);
  CHECK_THROWS_WITH_AS(load_tokenizer(edit("\"split\":\"gpt2\"", "\"split\":\"bert\"")),
                       "Unknown split pattern \"bert\"; use \"none\", \"gpt2\" or \"gpt4\".", TokenizerError);
  CHECK_THROWS_WITH_AS(load_tokenizer(edit("\"tokens\":[\"AA==\"", "\"tokens\":[\"A*==\"")),
                       "The tokenizer file is corrupt: token 0 is not base64 text.", TokenizerError);
  CHECK_THROWS_WITH_AS(load_tokenizer(edit("\"merges\":[[", "\"merges\":[[1,")),
                       doctest::Contains("is not [left, right, result]"), TokenizerError);
  CHECK_THROWS_WITH_AS(load_tokenizer(edit("\"kind\":\"bpe\"", "\"kind\":\"wordpiece\"")),
                       "The tokenizer file is of an unknown kind \"wordpiece\".", TokenizerError);
  CHECK_THROWS_WITH_AS(load_tokenizer(edit("\"merge_rule\"", "\"merge_rules\"")),
                       "The file is missing the \"merge_rule\" field.", TokenizerError);
  // A merge whose result is not the two tokens joined.
  const Merge& m = t.merges()[0];
  const std::string first =
      "[" + std::to_string(m.left) + "," + std::to_string(m.right) + "," + std::to_string(m.result) + "]";
  CHECK_THROWS_WITH_AS(
      load_tokenizer(edit(first, "[" + std::to_string(m.right) + "," + std::to_string(m.right) + "," +
                                     std::to_string(m.result) + "]")),
      doctest::Contains("does not join the bytes of its tokens"), TokenizerError);
  CHECK_THROWS_WITH_AS(import_hf_tokenizer("{\"model\": {\"type\": \"WordPiece\"}}"),
                       "The tokenizer.json model is not BPE.", TokenizerError);
  CHECK_THROWS_WITH_AS(import_hf_tokenizer("{\"model\": {\"type\": \"BPE\", \"vocab\": "
                                           "{\"\xC3\xA9\xC3\xA9\xE4\xB8\xAD\": 0}, \"merges\": []}}"),
                       doctest::Contains("is not byte-level BPE text"), TokenizerError);
  CHECK_THROWS_AS(import_hf_tokenizer("{\"model\": 3}"), TokenizerError);
}

TEST_CASE("tiktoken rank files") {
  // A toy vocabulary: the 256 bytes at ranks 0-255, then "ab" (256) and "abc" (257).
  std::string file;
  const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int b = 0; b < 256; ++b) {  // base64 of one byte: two characters and "=="
    file += std::string{b64[b >> 2], b64[(b & 3) << 4]} + "== " + std::to_string(b) + "\n";
  }
  file += "YWI= 256\nYWJj 257\n";
  const BpeTokenizer t = BpeTokenizer::from_tiktoken(file, SplitPattern::gpt2, {{"<|endoftext|>", 258}});
  CHECK(t.vocab_size() == 259);
  CHECK(t.encode("abc abd") == Ids{257, 32, 256, 100});
  CHECK(t.encode("x<|endoftext|>", AllowedSpecials::every()) == Ids{120, 258});
  CHECK_THROWS_WITH_AS(BpeTokenizer::from_tiktoken(file + "YWJj\n", SplitPattern::gpt2, {}),
                       "Line 259 of the tiktoken file is not \"<base64 bytes> <rank>\".", TokenizerError);
  CHECK_THROWS_WITH_AS(BpeTokenizer::from_tiktoken(file + "YWJj 256\n", SplitPattern::gpt2, {}),
                       "Line 259 of the tiktoken file repeats the rank 256.", TokenizerError);
  CHECK_THROWS_WITH_AS(BpeTokenizer::from_tiktoken(file + "Y$Jj 300\n", SplitPattern::gpt2, {}),
                       "Line 259 of the tiktoken file does not start with base64 token bytes.",
                       TokenizerError);
  CHECK_THROWS_WITH_AS(BpeTokenizer::from_tiktoken("YWI= 0\n", SplitPattern::gpt2, {}),
                       "The vocabulary has no token for the byte 0, so some texts could not be encoded.",
                       TokenizerError);
  CHECK_THROWS_WITH_AS(BpeTokenizer::from_tiktoken("", SplitPattern::gpt2, {}),
                       "The tiktoken file holds no tokens.", TokenizerError);
  // Found by fuzz_tiktoken: one line with a rank near 10^9 asked for a 10 GB table.
  CHECK_THROWS_WITH_AS(
      BpeTokenizer::from_tiktoken("YWI= 999999999\n", SplitPattern::gpt2, {}),
      "Line 1 of the tiktoken file has the rank 999999999, far past its line number; the ranks of a "
      "tiktoken file count up from 0.",
      TokenizerError);
  CHECK_THROWS_WITH_AS(
      BpeTokenizer::from_tiktoken(file, SplitPattern::gpt2, {{"<|endoftext|>", 2000000000}}),
      "The special token <|endoftext|> has the id 2000000000, but the tiktoken file has 258 tokens; "
      "special tokens come right after them.",
      TokenizerError);
}
