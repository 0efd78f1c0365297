#include "accounts/registration_screen.h"

namespace herald::accounts {

std::string_view RegistrationScreen::BuiltinTerms() {
  return "# Built-in registration screening list: term<TAB>category<TAB>action\n"
         "赌博\tgambling\tblock\n"
         "赌场\tgambling\tblock\n"
         "博彩\tgambling\tblock\n"
         "六合彩\tgambling\tblock\n"
         "casino\tgambling\tblock\n"
         "毒品\tdrugs\tblock\n"
         "冰毒\tdrugs\tblock\n"
         "枪支\tweapons\tblock\n"
         "代开发票\tfraud\tblock\n"
         "办证\tfraud\tblock\n"
         "假证\tfraud\tblock\n"
         "裸聊\tpornography\tblock\n"
         "色情\tpornography\tblock\n"
         "传销\tpyramid_selling\tblock\n"
         "贷款\tfinance_risk\treview\n"
         "刷单\tfake_traffic\treview\n"
         "代购\tcommerce\treview\n";
}

Result<RegistrationScreen> RegistrationScreen::Load(std::string_view text,
                                                    const text::Normalizer& norm) {
  RegistrationScreen s;
  HERALD_ASSIGN_OR_RETURN(s.dictionary_, moderation::Dictionary::Load(
                                             {{"registration terms", std::string(text)}}, norm));
  return s;
}

ScreenResult RegistrationScreen::Screen(std::string_view text) const {
  if (!dictionary_) return {};
  auto r = dictionary_->Screen(text);
  if (!r.ok()) return ScreenResult{"block", "", "invalid_utf8"};
  if (r->verdict != moderation::Action::kBlock && r->verdict != moderation::Action::kReview) {
    return {};
  }
  for (const auto& m : r->matches) {
    if (m.action == r->verdict) {
      return ScreenResult{std::string(moderation::ActionName(m.action)), m.term, m.category};
    }
  }
  return {};
}

}  // namespace herald::accounts
