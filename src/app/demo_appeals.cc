// `herald demo`, appeals (issue 6): the operator appeals the warning on its culture account, so
// the demo platform has one appeal pending in the review queue (kind "appeal") for a moderator
// other than the issuer to decide. Idempotent: skipped once the operator has an appeal.
#include "app/demo.h"

namespace herald::app {

Status DemoAppeals(App& app, int64_t operator_user_id, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(auto mine, app.appeals().ListMine(operator_user_id, 1, std::nullopt));
  if (!mine.empty()) return Status();
  HERALD_ASSIGN_OR_RETURN(auto sanctions, app.accounts().SanctionsOf(operator_user_id, 100));
  for (const auto& s : sanctions) {
    if (s.measure != "warning" || !s.appealable || s.lifted_at) continue;
    appeals::NewAppeal in;
    in.target = {"sanction", s.id};
    in.text =
        "该展览文章为公益活动介绍，未收取任何费用，不属于广告。请复核。"
        "The exhibition article announces a free public event; nothing was paid for it, so it is "
        "not advertising. Please review.";
    in.evidence = {"https://example.cn/exhibition/free-entry"};
    return app.appeals().File(operator_user_id, in, meta).status();
  }
  return Status();
}

}  // namespace herald::app
