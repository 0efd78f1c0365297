// RegistrationScreen: the legality check of registration data (PA-8.2: account names, bios,
// avatar captions, business scope) through the moderation engine's screening
// (moderation::Dictionary: `term<TAB>category<TAB>action` lines, allow entries, evasion-resistant
// normalisation, Vectorscan). For registration data only `block` (refuse) and `review` (hold)
// matter; `flag` and `replace` matches pass.
// Immutable after Load; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "moderation/screen.h"
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
  // `norm` (screening options, moderation::ScreeningNormalizerOptions) must outlive the screen.
  static Result<RegistrationScreen> Load(std::string_view text, const text::Normalizer& norm);
  // The built-in list Herald ships (a few clearly illegal service categories: gambling, drugs,
  // weapons, fake invoices and certificates, pornography, pyramid selling).
  static std::string_view BuiltinTerms();

  ScreenResult Screen(std::string_view text) const;
  size_t size() const { return dictionary_ ? dictionary_->size() : 0; }

 private:
  std::shared_ptr<const moderation::Dictionary> dictionary_;
};

}  // namespace herald::accounts
