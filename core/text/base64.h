// Standard base64 (RFC 4648, with padding): how tiktoken files and gptlab's
// tokenizer files write token bytes, which need not be valid UTF-8.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gptlab::base64 {

std::string encode(std::string_view bytes);
// nullopt if the text is not valid base64.
std::optional<std::string> decode(std::string_view text);

}  // namespace gptlab::base64
