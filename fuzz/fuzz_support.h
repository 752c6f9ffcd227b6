// Shared by the fuzz targets: what counts as a failure. The core may refuse an input
// only with gptlab::Error (a sentence); anything else that escapes — another
// exception, a crash, a sanitizer report, a leak, a hang — is a bug libFuzzer stops on.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "errors.h"

namespace fuzz {

// Runs body; a gptlab::Error (with a non-empty sentence) is an accepted refusal.
template <typename Body>
void refuse_only_with_sentences(Body body) {
  try {
    body();
  } catch (const gptlab::Error& e) {
    if (std::string_view(e.what()).empty()) {
      std::fprintf(stderr, "an error without a sentence\n");
      std::abort();
    }
  }
}

// An invariant the target checks; failing it is a finding.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace fuzz
