#include "text/special_tokens.h"

#include <algorithm>
#include <set>

#include "errors.h"
#include "text/utf8.h"

namespace gptlab {

bool AllowedSpecials::allows(std::string_view text) const {
  return all || std::find(names.begin(), names.end(), text) != names.end();
}

std::vector<TextPiece> split_at_specials(std::string_view text, const std::vector<SpecialToken>& specials,
                                         const AllowedSpecials& allowed) {
  struct Candidate {
    const SpecialToken* token;
    std::size_t next;  // where it occurs next at or after the cursor (npos: nowhere)
  };
  std::vector<Candidate> active;
  for (const SpecialToken& s : specials)
    if (allowed.allows(s.text)) active.push_back({&s, text.find(s.text)});
  std::vector<TextPiece> pieces;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const Candidate* best = nullptr;
    for (Candidate& c : active) {
      if (c.next != std::string_view::npos && c.next < pos) c.next = text.find(c.token->text, pos);
      if (c.next == std::string_view::npos) continue;
      if (!best || c.next < best->next ||
          (c.next == best->next && c.token->text.size() > best->token->text.size()))
        best = &c;
    }
    if (!best) break;
    if (best->next > pos) pieces.push_back({text.substr(pos, best->next - pos)});
    pieces.push_back({text.substr(best->next, best->token->text.size()), best->token->id});
    pos = best->next + best->token->text.size();
  }
  if (pos < text.size()) pieces.push_back({text.substr(pos)});
  return pieces;
}

void check_specials(const std::vector<SpecialToken>& specials) {
  std::set<std::string> texts;
  std::set<int> ids;
  for (const SpecialToken& s : specials) {
    if (s.text.empty()) throw TokenizerError("A special token cannot be the empty string.");
    if (!utf8::is_valid(s.text)) throw TokenizerError("A special token must be valid UTF-8 text.");
    if (s.id < 0) throw TokenizerError("The special token " + s.text + " has a negative id.");
    if (!texts.insert(s.text).second)
      throw TokenizerError("The special token " + s.text + " is listed twice.");
    if (!ids.insert(s.id).second)
      throw TokenizerError("Two special tokens share the id " + std::to_string(s.id) + ".");
  }
}

}  // namespace gptlab
