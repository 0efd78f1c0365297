// `herald demo`: loads a small living platform (staff and reader logins, verified subjects,
// accounts in several review states, articles with followers, reads, likes and forwards)
// through the same services and checks as everyone else. Idempotent: a second run leaves the
// data as it is and prints the logins again.
#include "app/demo.h"

#include <cstdio>
#include <string>

#include "auth/roles.h"
#include "identity/id_numbers.h"
#include "subjects/sms.h"

namespace herald::app {
namespace {

int DemoFail(const Status& s) {
  std::fprintf(stderr, "herald: %s\n", s.ToString().c_str());
  return 1;
}

struct DemoUser {
  const char* phone;
  const char* name;
  auth::Role role;
};

const DemoUser kDemoUsers[] = {
    {"13800000001", "平台管理员 Admin", auth::Role::kPlatformAdmin},
    {"13800000002", "内容安全负责人 CSO", auth::Role::kContentSecurityOfficer},
    {"13800000003", "审核员 Moderator", auth::Role::kModerator},
    {"13800000004", "监管审计 Auditor", auth::Role::kAuditor},
    {"13800000005", "运营者 Operator", auth::Role::kOperator},
    {"13800000006", "读者 Reader", auth::Role::kReader},
    {"13800000007", "读者小周 Reader", auth::Role::kReader},
    {"13800000008", "读者阿敏 Reader", auth::Role::kReader},
};
constexpr const char* kDemoPassword = "herald-demo-2026";

// The demo goes through the same verification flows as everyone; it only reads its own one-time
// codes from this in-memory SMS gateway instead of the outbox.
class CapturingSms final : public subjects::SmsGateway {
 public:
  Status Send(const subjects::SmsMessage& m) override {
    auto pos = m.text.find_first_of("0123456789");
    last_code_ = pos == std::string::npos ? "" : m.text.substr(pos, 6);
    return Status();
  }
  std::string_view Name() const override { return "demo"; }
  const std::string& last_code() const { return last_code_; }

 private:
  std::string last_code_;
};

// Loads subjects and accounts (idempotent: skipped when the operator already has accounts).
Status DemoAccounts(App& app, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(
      auto op, app.auth().CreateOrGrant("13800000005", kDemoPassword, auth::Role::kOperator, meta));
  HERALD_ASSIGN_OR_RETURN(auto existing, app.accounts().ListByOwner(op.id));
  if (!existing.empty()) return Status();
  CapturingSms sms;
  subjects::DevIdentityVerifier verifier;
  SystemRandom random;
  subjects::OtpOptions otp_opts;
  otp_opts.resend_cooldown = 0;
  subjects::OtpService otp(app.db(), sms, app.clock(), random, app.pii_keys().index_key, otp_opts);
  subjects::SubjectService subjects(app.db(), app.audit(), app.clock(), otp, verifier,
                                    app.pii_keys());
  auto code = [&](const std::string& phone) -> Result<std::pair<std::string, std::string>> {
    HERALD_ASSIGN_OR_RETURN(auto ch, otp.Send(phone, "subject", meta));
    return std::make_pair(ch.id, sms.last_code());
  };
  // Fictional identities with valid check characters (identity::Make*), never real people.
  HERALD_ASSIGN_OR_RETURN(auto c1, code("13800000005"));
  HERALD_ASSIGN_OR_RETURN(
      auto person,
      subjects.CreateIndividual(op.id,
                                {"林示例", identity::MakeResidentId("110101", "19880808", 5),
                                 "13800000005", c1.first, c1.second},
                                meta));
  HERALD_ASSIGN_OR_RETURN(auto c2, code("13800000005"));
  HERALD_ASSIGN_OR_RETURN(
      auto org,
      subjects.CreateOrganisation(
          op.id,
          {"北京先驱示例文化传媒有限公司", "enterprise",
           identity::MakeCreditCode('9', '1', "110108", "MA01HRLD"), "林示例",
           identity::MakeResidentId("110101", "19880808", 5), "13800000005", c2.first, c2.second},
          meta));
  HERALD_ASSIGN_OR_RETURN(auto version, app.accounts().GetDocument(accounts::kServiceAgreement, 0));
  HERALD_RETURN_IF_ERROR(
      app.accounts().AcceptDocument(op.id, accounts::kServiceAgreement, version.version, meta));
  HERALD_RETURN_IF_ERROR(app.accounts()
                             .ImportProtectedNames("cli",
                                                   {{0, "人民日报", "media", std::nullopt},
                                                    {0, "国务院", "government", std::nullopt},
                                                    {0, "新华社", "media", std::nullopt},
                                                    {0, "中国银行", "enterprise", std::nullopt}},
                                                   meta)
                             .status());
  accounts::AccountInput a1;
  a1.subject_id = person.id;
  a1.name = "林间科技笔记";
  a1.bio = "记录开源软件与编程的日常。";
  a1.category = "technology";
  a1.registered_place = "北京市";
  a1.operating_place = "北京市海淀区";
  a1.contact = "notes@example.cn";
  HERALD_RETURN_IF_ERROR(app.accounts().Create(op.id, a1, meta).status());
  accounts::AccountInput a2 = a1;
  a2.subject_id = org.id;
  a2.name = "先驱文化";
  a2.bio = "文化活动与展览资讯。";
  a2.category = "culture";
  a2.contact = "010-00000000";
  a2.business_scope = "组织文化艺术交流活动";
  HERALD_ASSIGN_OR_RETURN(auto culture, app.accounts().Create(op.id, a2, meta));
  // A sanction the operator sees on the console and the regulator's report lists.
  sanctions::NewSanction warning;
  warning.target = {"account", culture.id, ""};
  warning.measure = "warning";
  warning.reason_code = "advertising_violation";
  warning.note = "展览推广文章未标注“广告”，请整改。";
  warning.evidence = {"demo:article-1"};
  HERALD_RETURN_IF_ERROR(app.accounts().IssueSanction("cli", warning, meta).status());
  accounts::AccountInput a3 = a1;
  a3.name = "林间理财课";
  a3.bio = "理财知识分享（资质待审核）。";
  a3.category = "finance";
  HERALD_RETURN_IF_ERROR(app.accounts().Create(op.id, a3, meta).status());
  // Contains the protected name 新华社: held for a moderator's review (a likely false positive).
  accounts::AccountInput a4 = a2;
  a4.name = "新华社区生活";
  a4.bio = "新华社区的邻里生活。";
  a4.category = "lifestyle";
  HERALD_RETURN_IF_ERROR(app.accounts().Create(op.id, a4, meta).status());
  // A bio with a `flag` term of the default dictionary (贷款): held as registration data.
  accounts::AccountInput a5 = a2;
  a5.name = "先驱生活账本";
  a5.bio = "家庭记账与房贷、贷款知识。";
  a5.category = "lifestyle";
  return app.accounts().Create(op.id, a5, meta).status();
}

struct DemoArticle {
  const char* account;  // the account's name
  const char* title;
  const char* summary;
  const char* body;
  bool original;
  bool advertising;
};

const DemoArticle kDemoArticles[] = {
    {"林间科技笔记", "用 SQLite 做嵌入式存储的五个经验", "WAL 模式、事务边界和索引设计的实践总结。",
     "## 为什么选择 SQLite\n\nSQLite 体积小、零配置，适合单机部署。下面是我们在项目里总结的"
     "**五个经验**：\n\n1. 打开 WAL 模式，读写互不阻塞；\n2. 写操作放进短事务；\n3. 为常用查询"
     "建立复合索引；\n4. 定期执行 `ANALYZE`；\n5. 备份时使用在线备份接口。\n\n> 先测量，再优化。"
     "\n\n| 场景 | 建议 |\n|---|---|\n| 高并发读 | WAL |\n| 批量写入 | 合并事务 |\n",
     true, false},
    {"林间科技笔记", "开源软件许可证入门", "MIT、Apache-2.0 与 GPL 的区别。",
     "开源许可证决定了别人如何使用你的代码。\n\n- **MIT**：宽松，保留版权声明即可；\n- "
     "**Apache-2.0**：宽松，并包含专利授权；\n- **GPL**：衍生作品须以相同许可证发布。\n\n"
     "选择许可证前，请先想清楚你希望别人如何使用你的作品。",
     true, false},
    {"林间科技笔记", "周末读书：《程序设计实践》", "一本经典的编程实践书。",
     "这周重读了《程序设计实践》。书中关于**调试**和**测试**的章节依然实用：\n\n"
     "- 先写出能复现问题的最小例子；\n- 每次只改一处；\n- 让测试替你记住边界条件。\n\n"
     "欢迎在评论区分享你最近在读的书。",
     true, false},
    {"先驱文化", "本周末城市博物馆开放日", "免费参观，需提前预约。",
     "城市博物馆将于本周六、周日举办开放日活动，展出近百件馆藏文物。\n\n"
     "**参观须知**\n\n1. 请通过官方渠道提前预约；\n2. 携带有效证件；\n3. 馆内请勿使用闪光灯。",
     true, false},
    {"先驱文化", "秋季书展合作推广", "本文含广告：书展合作伙伴的推广信息。",
     "秋季书展即将开幕，合作书店提供会员折扣。\n\n"
     "本文为合作推广内容，已按规定标注“广告”。",
     false, true},
};

// Articles, followers, reads, likes and forwards (idempotent: skipped when the operator's
// technology account already has articles).
Status DemoContent(App& app, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(
      auto op, app.auth().CreateOrGrant("13800000005", kDemoPassword, auth::Role::kOperator, meta));
  HERALD_ASSIGN_OR_RETURN(auto owned, app.accounts().ListByOwner(op.id));
  auto find = [&](std::string_view name) -> int64_t {
    for (const auto& a : owned) {
      if (a.name == name) return a.id;
    }
    return 0;
  };
  const int64_t tech = find("林间科技笔记"), culture = find("先驱文化");
  if (tech == 0 || culture == 0) return Status();
  HERALD_ASSIGN_OR_RETURN(auto existing, app.articles().ListByAccount(tech, true, 1, std::nullopt));
  if (!existing.empty()) return Status();
  std::vector<int64_t> published;
  for (const auto& d : kDemoArticles) {
    content::ArticleInput in;
    in.title = d.title;
    in.summary = d.summary;
    in.body = d.body;
    in.original = d.original;
    if (d.original) in.reprint_policy = "attribution";
    in.advertising = d.advertising;
    HERALD_ASSIGN_OR_RETURN(auto r, app.articles().Publish(op.id, find(d.account), in, meta));
    if (r.article.status == "published") published.push_back(r.article.id);
  }
  // A repost with attribution of the first article (its owner allows reprints with attribution).
  HERALD_ASSIGN_OR_RETURN(auto first, app.articles().Get(published.front()));
  content::ArticleInput repost;
  repost.title = "转载：用 SQLite 做嵌入式存储的五个经验";
  repost.summary = "转自林间科技笔记。";
  repost.body = first.body;
  repost.attribution = provenance::Attribution{};
  repost.attribution->source_content_id = first.content_id;
  repost.attribution->copyright_holder = first.copyright_holder;
  HERALD_ASSIGN_OR_RETURN(auto rp, app.articles().Publish(op.id, culture, repost, meta));
  (void)rp;

  // Readers follow, read, like and forward.
  std::vector<int64_t> readers;
  for (const char* phone : {"13800000006", "13800000007", "13800000008"}) {
    HERALD_ASSIGN_OR_RETURN(
        auto u, app.auth().CreateOrGrant(phone, kDemoPassword, auth::Role::kReader, meta));
    readers.push_back(u.id);
  }
  for (size_t i = 0; i < readers.size(); ++i) {
    HERALD_RETURN_IF_ERROR(app.social().Follow(readers[i], tech, meta).status());
    if (i != 1) HERALD_RETURN_IF_ERROR(app.social().Follow(readers[i], culture, meta).status());
    for (size_t k = 0; k < published.size(); ++k) {
      if ((k + i) % 3 == 2) continue;
      social::Reader reader;
      reader.user_id = readers[i];
      HERALD_RETURN_IF_ERROR(app.social().RecordRead(published[k], reader).status());
      if ((k + i) % 2 == 0) {
        HERALD_RETURN_IF_ERROR(app.social().Like(readers[i], published[k]).status());
      }
    }
  }
  // Comments: readers comment and reply; the operator pins one and answers it; the culture
  // account shows only the comments it selects (精选).
  HERALD_ASSIGN_OR_RETURN(
      auto c1,
      app.comments().Post(readers[0], published.front(),
                          "写得很清楚，WAL 模式确实解决了我们的锁等待问题。", std::nullopt, meta));
  HERALD_RETURN_IF_ERROR(
      app.comments()
          .Post(readers[1], published.front(), "请问备份时需要停机吗？", std::nullopt, meta)
          .status());
  HERALD_RETURN_IF_ERROR(app.comments()
                             .Post(readers[2], published.front(),
                                   "同问，另外索引多了会不会影响写入？", c1.comment.id, meta)
                             .status());
  HERALD_RETURN_IF_ERROR(
      app.comments().Moderate(op.id, c1.comment.id, comments::Action::kPin, "", meta).status());
  HERALD_RETURN_IF_ERROR(app.comments()
                             .AuthorReply(op.id, c1.comment.id,
                                          "谢谢！在线备份接口不需要停机，下一篇会详细介绍。", meta)
                             .status());
  HERALD_RETURN_IF_ERROR(
      app.comments().SetAccountMode(op.id, culture, comments::Mode::kSelected, meta).status());
  const int64_t museum = published[3];
  HERALD_ASSIGN_OR_RETURN(
      auto c4, app.comments().Post(readers[0], museum, "上次去参观过，讲解非常专业，推荐！",
                                   std::nullopt, meta));
  HERALD_RETURN_IF_ERROR(
      app.comments().Post(readers[2], museum, "需要带身份证吗？", std::nullopt, meta).status());
  HERALD_RETURN_IF_ERROR(
      app.comments().Moderate(op.id, c4.comment.id, comments::Action::kSelect, "", meta).status());

  // A forward chain: reader → 小周 → 阿敏.
  HERALD_ASSIGN_OR_RETURN(
      auto f1, app.social().ForwardArticle(readers[0], published.front(), std::nullopt, meta));
  HERALD_ASSIGN_OR_RETURN(auto f2,
                          app.social().ForwardArticle(readers[1], published.front(), f1.id, meta));
  return app.social().ForwardArticle(readers[2], published.front(), f2.id, meta).status();
}

}  // namespace

int RunDemo(App& app) {
  auth::RequestMeta meta{"demo", "cli"};
  int64_t operator_id = 0;
  for (const auto& d : kDemoUsers) {
    auto reg = app.auth().Register(d.phone, kDemoPassword, d.name, meta);
    if (!reg.ok() && reg.status().reason() != "phone_taken") return DemoFail(reg.status());
    auto granted = app.auth().CreateOrGrant(d.phone, kDemoPassword, d.role, meta);
    if (!granted.ok()) return DemoFail(granted.status());
    if (d.role == auth::Role::kOperator) operator_id = granted->id;
  }
  if (Status st = DemoAccounts(app, meta); !st.ok()) return DemoFail(st);
  if (Status st = DemoContent(app, meta); !st.ok()) return DemoFail(st);
  if (Status st = DemoAppeals(app, operator_id, meta); !st.ok()) return DemoFail(st);
  if (Status st = DemoRumours(app, operator_id, meta); !st.ok()) return DemoFail(st);
  if (Status st = DemoReports(app, meta); !st.ok()) return DemoFail(st);
  std::printf("Demo data loaded into %s\n", app.config().DatabaseUrl().c_str());
  std::printf("Demo logins (password for all: %s):\n", kDemoPassword);
  for (const auto& d : kDemoUsers) {
    std::printf("  %-26s %s\n", std::string(auth::RoleName(d.role)).c_str(), d.phone);
  }
  std::printf(
      "The operator (13800000005) has a verified person and organisation with five accounts "
      "(one waits for a moderator's name review, one for a review of its bio, one for a finance "
      "qualification; one carries a warning, under appeal) and articles (one a repost with "
      "attribution, one "
      "labelled as advertising, comments pinned, answered and selected); the readers "
      "(13800000006-8) follow, read, like, comment and forward and have no verified subject "
      "yet.\n");
  std::printf("Screening dictionaries (hot-reloaded when edited): %s\n",
              app.dictionaries_dir().c_str());
  std::printf("Development SMS codes are written to %s\n", app.outbox_dir().c_str());
  return 0;
}

}  // namespace herald::app
