#include "gptlab/unicode.h"

#include <algorithm>
#include <array>

namespace gptlab {
namespace {

struct ClassRun {
  char32_t first;
  CharClass cls;
};

#include "unicode_tables.inc"

// ASCII is most text: look it up in a table built from the same runs.
constexpr std::array<CharClass, 128> kAscii = [] {
  std::array<CharClass, 128> table{};
  std::size_t run = 0;
  for (char32_t cp = 0; cp < 128; ++cp) {
    while (run + 1 < std::size(kClassRuns) && kClassRuns[run + 1].first <= cp) ++run;
    table[cp] = kClassRuns[run].cls;
  }
  return table;
}();

}  // namespace

CharClass char_class(char32_t cp) {
  if (cp < 128) return kAscii[cp];
  // The last run that starts at or before cp.
  const auto* it = std::upper_bound(std::begin(kClassRuns), std::end(kClassRuns), cp,
                                    [](char32_t c, const ClassRun& r) { return c < r.first; });
  return it == std::begin(kClassRuns) ? CharClass::kOther : std::prev(it)->cls;
}

}  // namespace gptlab
