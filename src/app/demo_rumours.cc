// The demo's debunked rumour (PA-13.2): a rumour published on the operator's lifestyle account,
// read and forwarded by the demo readers, then debunked by the moderator with a source; the
// readers get the debunk in their notifications and the article carries the label.
#include "app/demo.h"

namespace herald::app {

namespace {
constexpr const char* kPassword = "herald-demo-2026";  // demo.cc's kDemoPassword
}  // namespace

Status DemoRumours(App& app, int64_t operator_user_id, const auth::RequestMeta& meta) {
  auto existing = app.rumours().List(1, std::nullopt);
  HERALD_RETURN_IF_ERROR(existing.status());
  if (!existing->empty()) return Status();  // loaded already
  HERALD_ASSIGN_OR_RETURN(auto owned, app.accounts().ListByOwner(operator_user_id));
  // The lifestyle account, or the technology account while the former waits for a review.
  int64_t lifestyle = 0;
  for (const char* name : {"先驱生活账本", "林间科技笔记"}) {
    for (const auto& a : owned) {
      if (lifestyle == 0 && a.name == name && a.status == "active") lifestyle = a.id;
    }
  }
  if (lifestyle == 0) return Status();
  content::ArticleInput in;
  in.title = "紧急通知：下月起房贷利率统一降到百分之一";
  in.summary = "据说是银行内部消息。";
  in.body =
      "听银行的朋友说，下个月起所有存量房贷利率统一降到百分之一，还没提前还款的千万别还，"
      "赶紧转发给身边有房贷的朋友！";
  HERALD_ASSIGN_OR_RETURN(auto published,
                          app.articles().Publish(operator_user_id, lifestyle, in, meta));
  const int64_t article = published.article.id;
  std::vector<int64_t> readers;
  for (const char* phone : {"13800000006", "13800000007", "13800000008"}) {
    HERALD_ASSIGN_OR_RETURN(auto u,
                            app.auth().CreateOrGrant(phone, kPassword, auth::Role::kReader, meta));
    readers.push_back(u.id);
  }
  for (int64_t r : {readers[0], readers[1]}) {
    social::Reader reader;
    reader.user_id = r;
    HERALD_RETURN_IF_ERROR(app.social().RecordRead(article, reader).status());
  }
  HERALD_RETURN_IF_ERROR(
      app.social().ForwardArticle(readers[2], article, std::nullopt, meta).status());
  HERALD_ASSIGN_OR_RETURN(auto moderator, app.auth().CreateOrGrant("13800000003", kPassword,
                                                                   auth::Role::kModerator, meta));
  rumours::NewRumour verdict;
  verdict.article_id = article;
  verdict.debunk =
      "经核实，房贷利率按合同约定和市场报价利率（LPR）调整，不存在“统一降到百分之一”的政策。";
  verdict.source_name = "中国人民银行";
  verdict.source_url = "https://www.pbc.gov.cn/";
  return app.rumours().Mark({"user:" + std::to_string(moderator.id), meta}, verdict).status();
}

}  // namespace herald::app
