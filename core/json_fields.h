// Reading fields of a parsed JSON file with sentences instead of library errors.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "errors.h"

namespace gptlab {

// `what` names the file in messages, e.g. "tokenizer file".
inline nlohmann::json parse_json(std::string_view text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw TokenizerError("The " + what + " is not valid JSON (it may be truncated or corrupt): " +
                         std::string(e.what()).substr(std::string(e.what()).find(' ') + 1));
  }
}

// Runs `body`, turning any error of the JSON library (a wrong type deep in the
// file, say) into a TokenizerError that names the file.
template <typename F>
auto with_json_errors(const std::string& what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const nlohmann::json::exception& e) {
    throw TokenizerError("The " + what +
                         " is corrupt: " + std::string(e.what()).substr(std::string(e.what()).find(' ') + 1));
  }
}

inline const nlohmann::json& field(const nlohmann::json& obj, const char* name) {
  if (!obj.is_object() || !obj.contains(name))
    throw TokenizerError(std::string("The file is missing the \"") + name + "\" field.");
  return obj[name];
}

inline const nlohmann::json& array_field(const nlohmann::json& obj, const char* name) {
  const nlohmann::json& f = field(obj, name);
  if (!f.is_array()) throw TokenizerError(std::string("The file's \"") + name + "\" field is not a list.");
  return f;
}

inline std::string string_field(const nlohmann::json& obj, const char* name) {
  const nlohmann::json& f = field(obj, name);
  if (!f.is_string()) throw TokenizerError(std::string("The file's \"") + name + "\" field is not text.");
  return f.get<std::string>();
}

inline int int_field(const nlohmann::json& obj, const char* name) {
  const nlohmann::json& f = field(obj, name);
  if (!f.is_number_integer() || f.get<long long>() < INT32_MIN || f.get<long long>() > INT32_MAX)
    throw TokenizerError(std::string("The file's \"") + name + "\" field is not a whole number.");
  return f.get<int>();
}

}  // namespace gptlab
