#include "accounts/registration_screen.h"

#include "core/strings.h"

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
  s.norm_ = &norm;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty() || Trim(line).front() == '#') continue;
    auto cols = Split(line, '\t');
    auto bad = [&](const std::string& why) {
      return InvalidArgument("registration terms line " + std::to_string(line_no) + ": " + why,
                             "invalid_terms");
    };
    if (cols.size() != 3) return bad("expected term<TAB>category<TAB>action");
    std::string action(Trim(cols[2]));
    if (action != "block" && action != "review") return bad("action must be block or review");
    auto folded = norm.Fold(Trim(cols[0]));
    if (!folded.ok()) return bad("not valid UTF-8");
    if (folded->empty()) return bad("the term is empty after normalisation");
    s.terms_.push_back(
        Term{std::string(Trim(cols[0])), *folded, std::string(Trim(cols[1])), action});
  }
  return s;
}

ScreenResult RegistrationScreen::Screen(std::string_view text) const {
  ScreenResult best;
  if (!norm_) return best;
  auto folded = norm_->Fold(text);
  if (!folded.ok()) return ScreenResult{"block", "", "invalid_utf8"};
  for (const auto& t : terms_) {
    if (folded->find(t.normalized) == std::string::npos) continue;
    if (best.action.empty() || (best.action == "review" && t.action == "block")) {
      best = ScreenResult{t.action, t.original, t.category};
    }
  }
  return best;
}

}  // namespace herald::accounts
