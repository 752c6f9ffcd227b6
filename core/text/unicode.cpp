#include "text/unicode.h"

#include <algorithm>
#include <iterator>

namespace gptlab {
namespace {

struct ClassRun {
  char32_t first;
  CharClass cls;
};

#include "text/unicode_tables.inc"

}  // namespace

namespace detail {

CharClass char_class_from_table(char32_t cp) {
  // The last run that starts at or before cp.
  const auto* it = std::upper_bound(std::begin(kClassRuns), std::end(kClassRuns), cp,
                                    [](char32_t c, const ClassRun& r) { return c < r.first; });
  return it == std::begin(kClassRuns) ? CharClass::kOther : std::prev(it)->cls;
}

const std::array<CharClass, 128> kAsciiClasses = [] {
  std::array<CharClass, 128> table{};
  for (char32_t cp = 0; cp < 128; ++cp) table[cp] = char_class_from_table(cp);
  return table;
}();

}  // namespace detail
}  // namespace gptlab
