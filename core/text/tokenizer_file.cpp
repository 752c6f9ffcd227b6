#include "text/tokenizer_file.h"

#include <nlohmann/json.hpp>

#include "errors.h"
#include "json_fields.h"
#include "text/base64.h"
#include "text/tokenizer_char.h"
#include "text/utf8.h"

namespace gptlab {

using nlohmann::json;

namespace {

json specials_json(const Tokenizer& t) {
  json out = json::array();
  for (const SpecialToken& s : t.specials()) out.push_back({{"text", s.text}, {"id", s.id}});
  return out;
}

std::vector<SpecialToken> specials_from(const json& doc) {
  std::vector<SpecialToken> specials;
  for (const json& s : array_field(doc, "specials"))
    specials.push_back({string_field(s, "text"), int_field(s, "id")});
  return specials;
}

json char_json(const CharTokenizer& t) {
  json chars = json::array();
  for (char32_t cp : t.chars()) {
    std::string s;
    utf8::append(s, cp);
    chars.push_back(s);
  }
  return {{"chars", chars}};
}

json bpe_json(const BpeTokenizer& t) {
  json tokens = json::array();
  for (int id = 0; id < t.vocab_size(); ++id)
    tokens.push_back(t.is_special(id) || t.tokens()[id].empty() ? json(nullptr)
                                                                : json(base64::encode(t.tokens()[id])));
  json out = {
      {"split", split_pattern_name(t.split())},
      {"merge_rule", t.merge_rule() == MergeRule::tiktoken_ranks ? "tiktoken_ranks" : "learned_order"},
      {"tokens", tokens}};
  if (t.merge_rule() == MergeRule::learned_order) {
    json merges = json::array();
    for (const Merge& m : t.merges()) merges.push_back({m.left, m.right, m.result});
    out["merges"] = merges;
  }
  return out;
}

std::unique_ptr<Tokenizer> char_from(const json& doc) {
  std::vector<char32_t> chars;
  for (const json& c : array_field(doc, "chars")) {
    if (!c.is_string())
      throw TokenizerError("The tokenizer file is corrupt: \"chars\" holds something other than text.");
    const std::string s = c.get<std::string>();
    std::size_t len = 0;
    const char32_t cp = s.empty() ? 0 : utf8::decode(s, 0, len);
    if (s.empty() || len != s.size())
      throw TokenizerError("The tokenizer file is corrupt: \"chars\" holds \"" + s +
                           "\", which is not one character.");
    chars.push_back(cp);
  }
  return std::make_unique<CharTokenizer>(std::move(chars), specials_from(doc));
}

std::unique_ptr<Tokenizer> bpe_from(const json& doc) {
  std::vector<std::string> tokens;
  for (const json& t : array_field(doc, "tokens")) {
    if (t.is_null()) {
      tokens.emplace_back();
      continue;
    }
    const auto bytes = t.is_string() ? base64::decode(t.get<std::string>()) : std::nullopt;
    if (!bytes)
      throw TokenizerError("The tokenizer file is corrupt: token " + std::to_string(tokens.size()) +
                           " is not base64 text.");
    tokens.push_back(*bytes);
  }
  const std::string rule = string_field(doc, "merge_rule");
  if (rule != "learned_order" && rule != "tiktoken_ranks")
    throw TokenizerError("The tokenizer file names an unknown merge rule \"" + rule + "\".");
  std::vector<Merge> merges;
  if (rule == "learned_order") {
    for (const json& m : array_field(doc, "merges")) {
      if (!m.is_array() || m.size() != 3 || !m[0].is_number_integer() || !m[1].is_number_integer() ||
          !m[2].is_number_integer())
        throw TokenizerError("The tokenizer file is corrupt: merge " + std::to_string(merges.size()) +
                             " is not [left, right, result].");
      merges.push_back({m[0].get<int>(), m[1].get<int>(), m[2].get<int>()});
    }
  }
  return std::make_unique<BpeTokenizer>(
      std::move(tokens), std::move(merges),
      rule == "learned_order" ? MergeRule::learned_order : MergeRule::tiktoken_ranks,
      parse_split_pattern(string_field(doc, "split")), specials_from(doc));
}

std::unique_ptr<Tokenizer> load_parsed(const json& doc) {
  if (!doc.is_object() || doc.value("format", "") != "gptlab-tokenizer")
    throw TokenizerError("This is not a gptlab tokenizer file (its \"format\" is not \"gptlab-tokenizer\").");
  const int version = int_field(doc, "version");
  if (version != kTokenizerFormatVersion)
    throw TokenizerError("This tokenizer file has format version " + std::to_string(version) +
                         "; this gptlab reads version " + std::to_string(kTokenizerFormatVersion) + ".");
  const std::string kind = string_field(doc, "kind");
  if (kind == "char") return char_from(doc);
  if (kind == "bpe") return bpe_from(doc);
  throw TokenizerError("The tokenizer file is of an unknown kind \"" + kind + "\".");
}

}  // namespace

std::string save_tokenizer(const Tokenizer& tokenizer) {
  json doc = {{"format", "gptlab-tokenizer"},
              {"version", kTokenizerFormatVersion},
              {"kind", tokenizer.kind()},
              {"specials", specials_json(tokenizer)}};
  if (auto* c = dynamic_cast<const CharTokenizer*>(&tokenizer))
    doc.update(char_json(*c));
  else if (auto* b = dynamic_cast<const BpeTokenizer*>(&tokenizer))
    doc.update(bpe_json(*b));
  else
    throw TokenizerError("This kind of tokenizer cannot be saved.");
  return doc.dump();
}

std::unique_ptr<Tokenizer> load_tokenizer(std::string_view text) {
  return with_json_errors("tokenizer file", [&] { return load_parsed(parse_json(text, "tokenizer file")); });
}

}  // namespace gptlab
