// C++ exceptions must not reach JavaScript as a bare number: every binding runs
// its body through guard(), which rethrows a core exception as a JS Error
// carrying the core's sentence.
#pragma once

#include <emscripten/val.h>

#include <exception>
#include <string>

namespace gptlab::wasm {

// The JS throw happens after the catch block has ended, so the C++ exception
// object is released before the JS exception unwinds the WASM stack.
template <typename F>
auto guard(F&& body) -> decltype(body()) {
  std::string message;
  try {
    return body();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "gptlab: an unknown internal error occurred.";
  }
  emscripten::val::global("Error").new_(message).throw_();
}

}  // namespace gptlab::wasm
