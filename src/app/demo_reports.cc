// `herald demo`, reports (issue 6: PA-20.1, PA-20.2): reports in different stages — one screened
// and waiting in the review queue, one handled with feedback (not upheld: the book-fair article
// is labelled advertising as required), and a campaign-suspected group of reports from three new
// accounts against the operator's first article. Idempotent: skipped once any report exists.
#include "app/demo.h"

namespace herald::app {

namespace {
constexpr const char* kPassword = "herald-demo-2026";  // demo.cc's kDemoPassword
}  // namespace

Status DemoReports(App& app, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(auto existing, app.reports().List(reports::Filter{}));
  if (!existing.empty()) return Status();
  int64_t first = 0, fair = 0, repost = 0;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, app.db().Begin(storage::TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query("SELECT id, title FROM articles WHERE status = 'published' ORDER BY id"));
    for (const auto& r : rows.rows) {
      if (first == 0 && r.Text(1) == "用 SQLite 做嵌入式存储的五个经验") first = r.Int(0);
      if (fair == 0 && r.Text(1) == "秋季书展合作推广") fair = r.Int(0);
      if (repost == 0 && r.Text(1).rfind("转载：", 0) == 0) repost = r.Int(0);
    }
  }
  if (first == 0 || fair == 0 || repost == 0) return Status();
  HERALD_ASSIGN_OR_RETURN(
      auto reader, app.auth().CreateOrGrant("13800000006", kPassword, auth::Role::kReader, meta));
  HERALD_ASSIGN_OR_RETURN(
      auto zhou, app.auth().CreateOrGrant("13800000007", kPassword, auth::Role::kReader, meta));
  HERALD_ASSIGN_OR_RETURN(
      auto mod, app.auth().CreateOrGrant("13800000003", kPassword, auth::Role::kModerator, meta));

  // Handled with feedback: 小周 reports the book-fair article as spam; not upheld.
  reports::NewReport ad;
  ad.target_type = "article";
  ad.target_id = fair;
  ad.category = "spam";
  ad.description = "这篇文章是广告推广。This article is an advertisement.";
  HERALD_ASSIGN_OR_RETURN(auto handled,
                          app.reports().Submit({zhou.id, {"demo", "198.51.100.7", ""}}, ad));
  HERALD_RETURN_IF_ERROR(app.review()
                             .Decide(*handled.report.review_item_id, "approve", "compliant",
                                     "已按规定标注广告 / labelled as advertising", false,
                                     {"user:" + std::to_string(mod.id), "demo"})
                             .status());

  // Screened and waiting: the reader complains of copyright infringement in the repost, with
  // the rights holder's proof.
  reports::NewReport waiting;
  waiting.target_type = "article";
  waiting.target_id = repost;
  waiting.category = "copyright_infringement";
  waiting.description =
      "转载文章第三节来自我的博客，未获授权。Section 3 is taken from my blog without permission.";
  waiting.evidence.links = {"https://blog.example.cn/sqlite-wal"};
  waiting.rights_holder = "王小明 Wang Xiaoming";
  waiting.rights_proof.links = {"https://blog.example.cn/about"};
  HERALD_RETURN_IF_ERROR(
      app.reports().Submit({reader.id, {"demo", "198.51.100.6", ""}}, waiting).status());

  // Campaign-suspected: three accounts registered today report the same article.
  int n = 0;
  for (const char* phone : {"13800000091", "13800000092", "13800000093"}) {
    HERALD_ASSIGN_OR_RETURN(auto u,
                            app.auth().CreateOrGrant(phone, kPassword, auth::Role::kReader, meta));
    reports::NewReport mass;
    mass.target_type = "article";
    mass.target_id = first;
    mass.category = "illegal_content";
    mass.description = "违法内容，请立即删除";
    HERALD_RETURN_IF_ERROR(
        app.reports()
            .Submit({u.id, {"demo", "203.0.113." + std::to_string(++n), ""}}, mass)
            .status());
  }
  return Status();
}

}  // namespace herald::app
