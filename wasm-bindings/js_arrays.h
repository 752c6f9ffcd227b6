// Arrays handed to JavaScript are fresh copies: `new Float32Array(view)` copies
// the WASM memory the view points at, so the result stays valid after the call,
// after the C++ buffer is gone, and after WASM memory grows.
#pragma once

#include <emscripten/val.h>

#include <string_view>
#include <vector>

namespace gptlab::wasm {

// array_type: "Float32Array", "Int32Array", ...
template <typename T>
emscripten::val copy_to_js(const char* array_type, const T* data, std::size_t count) {
  return emscripten::val::global(array_type).new_(emscripten::typed_memory_view(count, data));
}

template <typename T>
emscripten::val copy_to_js(const char* array_type, const std::vector<T>& v) {
  return copy_to_js(array_type, v.data(), v.size());
}

// Bytes as a Uint8Array.
inline emscripten::val bytes_to_js(std::string_view bytes) {
  return copy_to_js("Uint8Array", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

}  // namespace gptlab::wasm
