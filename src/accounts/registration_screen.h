// RegistrationScreen: the legality check of registration data (PA-8.2: account names, bios and
// other public profile text) until the moderation engine (issue 4) replaces it.
//
// A term list, loaded from text lines `term<TAB>category<TAB>action` (action `block` or
// `review`; the same line format as the moderation dictionaries; `#` comments and blank lines
// skipped), matched as substrings after both sides pass through the same evasion-resistant
// Normalizer (full-width, case, traditional → simplified, look-alikes, noise such as spaces or
// symbols between characters dropped). The strongest action among the matches wins.
// Immutable after Load; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "text/normalizer.h"

namespace herald::accounts {

struct ScreenResult {
  std::string action;  // "" (nothing found), "review" or "block"
  std::string term;    // the dictionary term that decided, as written in the list
  std::string category;
};

class RegistrationScreen {
 public:
  // InvalidArgument ("invalid_terms") naming the line for a malformed line or unknown action.
  static Result<RegistrationScreen> Load(std::string_view text, const text::Normalizer& norm);
  // The built-in list Herald ships (a few clearly illegal service categories: gambling, drugs,
  // weapons, fake invoices and certificates, pornography, pyramid selling).
  static std::string_view BuiltinTerms();

  ScreenResult Screen(std::string_view text) const;
  size_t size() const { return terms_.size(); }

 private:
  struct Term {
    std::string original, normalized, category, action;
  };
  const text::Normalizer* norm_ = nullptr;
  std::vector<Term> terms_;
};

}  // namespace herald::accounts
