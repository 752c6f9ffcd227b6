// Hugging Face tokenizer.json for byte-level BPE.
//
// HF writes token bytes as text through GPT-2's byte-to-character table: the
// printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves, the other
// 68 bytes become U+0100 onwards, in byte order (so a space is 'Ġ').
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "errors.h"
#include "json_fields.h"
#include "text/tokenizer_file.h"
#include "text/utf8.h"

namespace gptlab {

using nlohmann::json;

namespace {

// The GPT-4 split pattern as a regular expression (Hugging Face runs Oniguruma).
constexpr const char* kGpt4Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

constexpr std::array<char32_t, 256> kByteToChar = [] {
  std::array<char32_t, 256> table{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    table[b] = printable ? static_cast<char32_t>(b) : next++;
  }
  return table;
}();

std::string bytes_to_hf(std::string_view bytes) {
  std::string out;
  for (unsigned char b : bytes) utf8::append(out, kByteToChar[b]);
  return out;
}

std::string hf_to_bytes(const std::string& text) {
  static const auto char_to_byte = [] {
    std::unordered_map<char32_t, char> m;
    for (int b = 0; b < 256; ++b) m[kByteToChar[b]] = static_cast<char>(b);
    return m;
  }();
  std::string out;
  for (std::size_t pos = 0, len; pos < text.size(); pos += len) {
    auto it = char_to_byte.find(utf8::decode(text, pos, len));
    if (it == char_to_byte.end())
      throw TokenizerError("The vocabulary entry \"" + text +
                           "\" is not byte-level BPE text; only byte-level "
                           "tokenizers (GPT-2 style) can be imported.");
    out += it->second;
  }
  return out;
}

json byte_level(bool use_regex) {
  return {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", use_regex}};
}

json pre_tokenizer(SplitPattern split) {
  if (split == SplitPattern::gpt2) return byte_level(true);
  if (split == SplitPattern::none) return byte_level(false);
  return {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"},
             {"pattern", {{"Regex", kGpt4Regex}}},
             {"behavior", "Isolated"},
             {"invert", false}},
            byte_level(false)}}};
}

SplitPattern split_from(const json& pre) {
  const auto is_byte_level = [](const json& p) {
    return p.is_object() && p.value("type", "") == "ByteLevel";
  };
  if (is_byte_level(pre) && !pre.value("add_prefix_space", false))
    return pre.value("use_regex", true) ? SplitPattern::gpt2 : SplitPattern::none;
  if (pre.is_object() && pre.value("type", "") == "Sequence") {
    const json& parts = array_field(pre, "pretokenizers");
    if (parts.size() == 2 && parts[0].value("type", "") == "Split" && is_byte_level(parts[1]) &&
        !parts[1].value("use_regex", true) && !parts[1].value("add_prefix_space", false) &&
        parts[0].contains("pattern") && parts[0]["pattern"].value("Regex", "") == kGpt4Regex)
      return SplitPattern::gpt4;
  }
  throw TokenizerError(
      "The tokenizer.json pre-tokenizer is not one gptlab knows: it reads ByteLevel (GPT-2 split or "
      "none, without a prefix space) and the GPT-4 split followed by ByteLevel.");
}

BpeTokenizer import_parsed(const json& doc) {
  const json& model = field(doc, "model");
  if (model.value("type", "") != "BPE") throw TokenizerError("The tokenizer.json model is not BPE.");
  const json& vocab = field(model, "vocab");
  if (!vocab.is_object())
    throw TokenizerError("The tokenizer.json vocabulary is not a map of tokens to ids.");

  std::vector<SpecialToken> specials;
  if (doc.contains("added_tokens") && doc["added_tokens"].is_array())
    for (const json& t : doc["added_tokens"])
      specials.push_back({string_field(t, "content"), int_field(t, "id")});
  std::map<int, std::string> by_id;
  std::unordered_map<std::string, int> ids;
  for (const auto& [text, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() > 10'000'000)
      throw TokenizerError("The tokenizer.json vocabulary gives \"" + text +
                           "\" an id that is not a whole number "
                           "from 0 to 10,000,000.");
    ids[text] = id.get<int>();
    bool special = false;
    for (const SpecialToken& s : specials) special |= s.id == id.get<int>();
    if (!special) by_id[id.get<int>()] = hf_to_bytes(text);
  }
  int size = by_id.empty() ? 0 : by_id.rbegin()->first + 1;
  for (const SpecialToken& s : specials) size = std::max(size, s.id + 1);
  std::vector<std::string> tokens(static_cast<std::size_t>(size));
  for (auto& [id, bytes] : by_id) tokens[id] = std::move(bytes);

  std::vector<Merge> merges;
  for (const json& m : array_field(model, "merges")) {
    std::string left, right;
    if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      left = m[0].get<std::string>();
      right = m[1].get<std::string>();
    } else if (m.is_string() && m.get<std::string>().find(' ') != std::string::npos) {
      const std::string s = m.get<std::string>();
      left = s.substr(0, s.find(' '));
      right = s.substr(s.find(' ') + 1);
    } else {
      throw TokenizerError("The tokenizer.json merge " + std::to_string(merges.size()) +
                           " is neither [\"a\", \"b\"] nor \"a b\".");
    }
    const auto l = ids.find(left), r = ids.find(right), out = ids.find(left + right);
    if (l == ids.end() || r == ids.end() || out == ids.end())
      throw TokenizerError("The tokenizer.json merge \"" + left + "\" + \"" + right +
                           "\" uses tokens missing from the vocabulary.");
    merges.push_back({l->second, r->second, out->second});
  }
  return BpeTokenizer(std::move(tokens), std::move(merges), MergeRule::learned_order,
                      split_from(field(doc, "pre_tokenizer")), std::move(specials));
}

}  // namespace

std::string export_hf_tokenizer(const BpeTokenizer& t) {
  json vocab = json::object();
  for (int id = 0; id < t.vocab_size(); ++id) {
    if (t.tokens()[id].empty()) continue;
    const std::string key = t.is_special(id) ? t.tokens()[id] : bytes_to_hf(t.tokens()[id]);
    if (vocab.contains(key))
      throw TokenizerError("Tokens " + std::to_string(vocab[key].get<int>()) + " and " + std::to_string(id) +
                           " have the same bytes; a Hugging Face vocabulary cannot hold both.");
    vocab[key] = id;
  }
  json merges = json::array();
  for (const Merge& m : t.merges())
    merges.push_back({bytes_to_hf(t.tokens()[m.left]), bytes_to_hf(t.tokens()[m.right])});
  json added = json::array();
  for (const SpecialToken& s : t.specials())
    added.push_back({{"id", s.id},
                     {"content", s.text},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  json doc = {{"version", "1.0"},
              {"truncation", nullptr},
              {"padding", nullptr},
              {"added_tokens", added},
              {"normalizer", nullptr},
              {"pre_tokenizer", pre_tokenizer(t.split())},
              {"post_processor", nullptr},
              {"decoder", byte_level(true)},
              {"model",
               {{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", nullptr},
                {"end_of_word_suffix", nullptr},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"ignore_merges", false},
                {"vocab", vocab},
                {"merges", merges}}}};
  return doc.dump(2);
}

BpeTokenizer import_hf_tokenizer(std::string_view text) {
  return with_json_errors("tokenizer.json",
                          [&] { return import_parsed(parse_json(text, "tokenizer.json")); });
}

}  // namespace gptlab
