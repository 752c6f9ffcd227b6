// The core's exceptions. Every message is a whole sentence for a human: the CLI
// prints it, the bindings hand it to JavaScript, the UI shows it next to the
// control that caused it.
#pragma once

#include <stdexcept>

namespace gptlab {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Shapes, sizes or arguments that do not fit together.
struct ShapeError : Error {
  using Error::Error;
};

// A setting outside the values it can take: an unknown name for an option (an ffn,
// a tokenizer kind, a command-line flag) or a number out of its range (a negative
// sampling temperature).
struct OptionError : Error {
  using Error::Error;
};

// Text, vocabularies and files a tokenizer cannot work with.
struct TokenizerError : Error {
  using Error::Error;
};

}  // namespace gptlab
