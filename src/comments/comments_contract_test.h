// CommentService over the real account, article, sanction, review and screening services, on
// the backend the including file chooses (comments_test.cc: SQLite; comments_pgtest.cc:
// PostgreSQL): screening, modes, operator moderation, the PA-17.2 powers policy, PA17-12
// sanctions, counts, listings and the platform's removal.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "comments/comment_service.h"
#include "identity/id_numbers.h"
#include "moderation/screen.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"

namespace herald::comments {
namespace {

namespace fs = std::filesystem;

class CapturingSms final : public subjects::SmsGateway {
 public:
  Status Send(const subjects::SmsMessage& m) override {
    auto pos = m.text.find_first_of("0123456789");
    last_code_ = pos == std::string::npos ? "" : m.text.substr(pos, 6);
    return Status();
  }
  std::string_view Name() const override { return "test"; }
  const std::string& last_code() const { return last_code_; }

 private:
  std::string last_code_;
};

class CommentsTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok()) GTEST_SKIP() << url.status().message();
    db_ = std::move(*storage::OpenDatabase(*url));
    std::vector<storage::Migration> m;
    for (auto& x : audit::AuditLog::Migrations()) m.push_back(x);
    for (auto& x : auth::AuthService::Migrations()) m.push_back(x);
    for (auto& x : review::ReviewQueue::Migrations()) m.push_back(x);
    for (auto& x : sanctions::SanctionService::Migrations()) m.push_back(x);
    for (auto& x : subjects::OtpService::Migrations()) m.push_back(x);
    for (auto& x : subjects::SubjectService::Migrations()) m.push_back(x);
    for (auto& x : accounts::AccountService::Migrations()) m.push_back(x);
    for (auto& x : provenance::ProvenanceService::Migrations()) m.push_back(x);
    for (auto& x : content::ArticleService::Migrations()) m.push_back(x);
    for (auto& x : CommentService::Migrations()) m.push_back(x);
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();

    dir_ = fs::temp_directory_path() /
           ("herald_comments_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);

    keys_ = auth::PiiKeys::Derive(std::string(32, 'k'));
    auth::AuthOptions ao;
    ao.password_profile = crypto::PasswordHashProfile::kMinimum;
    ao.registrations_per_client_per_hour = 0;
    auth_ = std::make_unique<auth::AuthService>(*db_, audit_, clock_, random_, keys_, ao);
    text::NormalizerOptions nopts;
    nopts.fold_cjk_lookalikes = true;
    nopts.drop_noise = true;
    norm_ = std::move(*text::Normalizer::Create(nopts));
    screening_norm_ =
        std::move(*text::Normalizer::Create(moderation::ScreeningNormalizerOptions()));
    auto screening = moderation::ScreeningService::Open((dir_ / "dictionaries").string(), {},
                                                        *screening_norm_, clock_);
    ASSERT_TRUE(screening.ok()) << screening.status().ToString();
    screening_ = std::move(*screening);
    subjects::OtpOptions oo;
    oo.resend_cooldown = 0;
    otp_ = std::make_unique<subjects::OtpService>(*db_, sms_, clock_, random_, keys_.index_key, oo);
    review_ = std::make_unique<review::ReviewQueue>(*db_, audit_, clock_);
    sanctions_ = std::make_unique<sanctions::SanctionService>(*db_, audit_, clock_);
    subjects_ = std::make_unique<subjects::SubjectService>(
        *db_, audit_, clock_, *otp_, verifier_, keys_, subjects::SubjectLimits{}, sanctions_.get());
    accounts_ = std::make_unique<accounts::AccountService>(
        *db_, audit_, clock_, *auth_, *subjects_, *norm_, *review_, *sanctions_,
        accounts::AccountOptions{}, screening_.get());
    provenance_ =
        std::make_unique<provenance::ProvenanceService>(*db_, audit_, clock_, *screening_norm_);
    ASSERT_TRUE(provenance_->Load().ok());
    articles_ = std::make_unique<content::ArticleService>(*db_, audit_, clock_, random_, *accounts_,
                                                          *screening_, *provenance_, *review_,
                                                          *screening_norm_);
    Options opts;
    opts.credit = [this](const accounts::Account& a) {
      auto it = credit_.find(a.id);
      return it == credit_.end() ? CreditLevel::kGood : it->second;
    };
    comments_ = std::make_unique<CommentService>(*db_, audit_, clock_, *accounts_, *articles_,
                                                 *sanctions_, *screening_, *review_, opts);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  int64_t NewUser(const std::string& name = "读者") {
    const std::string phone = "1390000" + std::to_string(1000 + ++seq_);
    auto u = auth_->Register(phone, "password-123", name, meta_);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    phones_[u->id] = phone;
    return u->id;
  }

  // An active account of a new operator, of an individual or an organisation subject.
  accounts::Account NewAccount(const std::string& name, bool organisation = false) {
    int64_t op = NewUser("运营者");
    const std::string& phone = phones_[op];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    Result<subjects::Subject> subject = NotFound("");
    const std::string id = identity::MakeResidentId("110101", "19900307", 100 + seq_);
    if (organisation) {
      subject = subjects_->CreateOrganisation(
          op,
          {"北京示例评论文化有限公司" + std::to_string(seq_), "enterprise",
           identity::MakeCreditCode('9', '1', "110108", "MA01CM" + std::to_string(10 + seq_)),
           "张三", id, phone, ch->id, sms_.last_code()},
          meta_);
    } else {
      subject =
          subjects_->CreateIndividual(op, {"张三", id, phone, ch->id, sms_.last_code()}, meta_);
    }
    EXPECT_TRUE(subject.ok()) << subject.status().ToString();
    auto doc = accounts_->GetDocument(accounts::kServiceAgreement, 0);
    EXPECT_TRUE(
        accounts_->AcceptDocument(op, accounts::kServiceAgreement, doc->version, meta_).ok());
    accounts::AccountInput in;
    in.subject_id = subject->id;
    in.name = name;
    in.bio = "一个测试账号";
    in.category = "technology";
    in.registered_place = "北京市";
    in.operating_place = "北京市";
    in.contact = "ops@example.cn";
    if (organisation) in.business_scope = "软件开发";
    auto a = accounts_->Create(op, in, meta_);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->status, "active");
    return *a;
  }

  int64_t Publish(const accounts::Account& account, const std::string& title = "一篇文章") {
    content::ArticleInput in;
    in.title = title;
    in.body = "正文内容，欢迎讨论。";
    auto r = articles_->Publish(account.owner_user_id, account.id, in, meta_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r->article.id;
  }

  PostResult Post(int64_t user, int64_t article, const std::string& body,
                  std::optional<int64_t> parent = std::nullopt) {
    auto r = comments_->Post(user, article, body, parent, meta_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    clock_.Advance(kMicrosPerSecond);
    return r.ok() ? *r : PostResult{};
  }

  Page List(int64_t article, std::optional<int64_t> viewer = std::nullopt, int limit = 20,
            std::optional<int64_t> before = std::nullopt) {
    auto p = comments_->List(article, Viewer{viewer}, limit, before);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : Page{};
  }

  static std::vector<std::string> Bodies(const std::vector<Comment>& list) {
    std::vector<std::string> out;
    for (const auto& c : list) out.push_back(c.body);
    return out;
  }

  std::vector<audit::Entry> Audit(const std::string& action) {
    audit::Filter f;
    f.action = action;
    f.limit = 500;
    auto page = audit_.Query(*db_, f);
    EXPECT_TRUE(page.ok());
    return page->entries;
  }

  Result<sanctions::Sanction> Sanction(const std::string& type, int64_t id) {
    sanctions::NewSanction s;
    s.target = {type, id, ""};
    s.measure = "restrict";
    s.function = "comment";
    s.reason_code = "comment_mismanagement";
    return accounts_->IssueSanction("user:9999", s, meta_);
  }

  FakeClock clock_;
  SeededRandom random_{11};
  audit::AuditLog audit_{clock_};
  CapturingSms sms_;
  subjects::DevIdentityVerifier verifier_;
  auth::RequestMeta meta_{"req-1", "127.0.0.1", ""};
  auth::PiiKeys keys_;
  fs::path dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<text::Normalizer> norm_, screening_norm_;
  std::unique_ptr<moderation::ScreeningService> screening_;
  std::unique_ptr<subjects::OtpService> otp_;
  std::unique_ptr<review::ReviewQueue> review_;
  std::unique_ptr<sanctions::SanctionService> sanctions_;
  std::unique_ptr<subjects::SubjectService> subjects_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<provenance::ProvenanceService> provenance_;
  std::unique_ptr<content::ArticleService> articles_;
  std::unique_ptr<CommentService> comments_;
  std::map<int64_t, CreditLevel> credit_;
  std::map<int64_t, std::string> phones_;
  int seq_ = 0;
};

TEST(CommentPowers, PolicyBySubjectKindAndCredit) {
  Powers org = PowersFor("organisation", CreditLevel::kGood);
  EXPECT_TRUE(org.close && org.hide && org.reply && org.select && org.pin);
  EXPECT_EQ(org.max_pinned, 3);
  Powers ind = PowersFor("individual", CreditLevel::kGood);
  EXPECT_TRUE(ind.close && ind.hide && ind.reply && ind.select && ind.pin);
  EXPECT_EQ(ind.max_pinned, 1);
  Powers org_fair = PowersFor("organisation", CreditLevel::kFair);
  EXPECT_TRUE(org_fair.select && org_fair.pin && org_fair.reply);
  EXPECT_EQ(org_fair.max_pinned, 1);
  Powers ind_fair = PowersFor("individual", CreditLevel::kFair);
  EXPECT_TRUE(ind_fair.close && ind_fair.hide && ind_fair.reply);
  EXPECT_FALSE(ind_fair.select || ind_fair.pin);
  for (const char* kind : {"organisation", "individual", "unknown"}) {
    Powers poor = PowersFor(kind, CreditLevel::kPoor);
    EXPECT_TRUE(poor.close && poor.hide) << kind;
    EXPECT_FALSE(poor.reply || poor.select || poor.pin) << kind;
    EXPECT_EQ(poor.max_pinned, 0) << kind;
  }
  EXPECT_EQ(ParseMode("selected").value(), Mode::kSelected);
  EXPECT_EQ(ParseMode("精选").status().reason(), "invalid_mode");
}

TEST_P(CommentsTest, OpenModeShowsCommentsAtOnceWithRepliesAndCounts) {
  auto acc = NewAccount("评论测试号");
  int64_t art = Publish(acc);
  int64_t alice = NewUser("爱丽丝"), bob = NewUser("鲍勃");
  auto c1 = Post(alice, art, "  写得好  ");
  EXPECT_TRUE(c1.is_public);
  EXPECT_EQ(c1.pending, "");
  EXPECT_EQ(c1.comment.body, "写得好");
  EXPECT_EQ(c1.comment.author_name, "爱丽丝");
  auto c2 = Post(bob, art, "有道理");
  auto r1 = Post(bob, art, "同意楼上", c1.comment.id);
  EXPECT_EQ(r1.comment.kind, "reply");

  Page p = List(art);
  EXPECT_EQ(p.comment_count, 2);
  EXPECT_TRUE(p.openness.accepting);
  ASSERT_EQ(p.comments.size(), 2u);
  EXPECT_EQ(p.comments[0].id, c2.comment.id);  // newest first
  EXPECT_EQ(p.comments[1].reply_count, 1);
  ASSERT_EQ(p.comments[1].replies.size(), 1u);
  EXPECT_EQ(p.comments[1].replies[0].body, "同意楼上");
  EXPECT_EQ(*comments_->PublicCount(art), 2);

  // One level only; the parent must belong to the article.
  EXPECT_EQ(comments_->Post(alice, art, "再回", r1.comment.id, meta_).status().reason(),
            "invalid_parent");
  int64_t other = Publish(acc, "另一篇");
  auto wrong = comments_->Post(alice, other, "错帖", c1.comment.id, meta_);
  EXPECT_EQ(wrong.status().reason(), "comment_not_found");
  EXPECT_EQ(wrong.status().field(), "parent_id");

  // Text rules.
  EXPECT_EQ(comments_->Post(alice, art, "   ", std::nullopt, meta_).status().reason(),
            "invalid_body");
  std::string long_text;
  for (int i = 0; i < 501; ++i) long_text += "字";
  EXPECT_EQ(comments_->Post(alice, art, long_text, std::nullopt, meta_).status().reason(),
            "invalid_body");
  EXPECT_EQ(comments_->Post(alice, 999999, "hi", std::nullopt, meta_).status().reason(),
            "article_not_found");

  // The author deletes: kept, not shown, counted out; twice is refused; others cannot.
  EXPECT_EQ(comments_->Delete(alice, c2.comment.id, meta_).status().reason(), "not_comment_author");
  auto d = comments_->Delete(bob, c2.comment.id, meta_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->status, "deleted");
  EXPECT_EQ(comments_->Delete(bob, c2.comment.id, meta_).status().reason(), "comment_deleted");
  p = List(art);
  EXPECT_EQ(p.comment_count, 1);
  EXPECT_EQ(Bodies(p.comments), std::vector<std::string>{"写得好"});
  EXPECT_EQ(comments_->Get(c2.comment.id)->body, "有道理");  // kept (PA17-16)
  // Readers' comments are not audited.
  EXPECT_TRUE(Audit("comment.post").empty());
}

TEST_P(CommentsTest, ScreeningBlocksHoldsAndMasksLikeArticles) {
  auto acc = NewAccount("评论审核号");
  int64_t art = Publish(acc);
  int64_t alice = NewUser("爱丽丝"), bob = NewUser("鲍勃");
  auto blocked = comments_->Post(alice, art, "来网赌吧", std::nullopt, meta_);
  EXPECT_EQ(blocked.status().reason(), "illegal_content");
  EXPECT_EQ(blocked.status().field(), "body");

  auto masked = Post(alice, art, "那个傻逼说得不对");
  EXPECT_EQ(masked.comment.body, "那个**说得不对");
  EXPECT_TRUE(masked.is_public);

  auto held = Post(alice, art, "可以办证吗");
  EXPECT_FALSE(held.is_public);
  EXPECT_EQ(held.pending, "in_review");
  ASSERT_TRUE(held.review_id.has_value());
  auto item = review_->Get(*held.review_id);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->kind, "comment");
  EXPECT_EQ(item->account_id, acc.id);

  // The public does not see it; its author does.
  EXPECT_EQ(List(art).comment_count, 1);
  EXPECT_EQ(Bodies(List(art).comments), std::vector<std::string>{"那个**说得不对"});
  Page own = List(art, alice);
  ASSERT_EQ(own.comments.size(), 2u);
  EXPECT_FALSE(own.comments[0].is_public);
  EXPECT_TRUE(own.comments[0].mine);
  EXPECT_EQ(Bodies(List(art, bob).comments), std::vector<std::string>{"那个**说得不对"});

  // Approving shows it; rejecting another keeps it hidden and tells its author.
  auto ok =
      review_->Decide(*held.review_id, "approve", "false_positive", "", false, {"user:77", ""});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(List(art).comment_count, 2);
  auto held2 = Post(bob, art, "出售手枪");
  auto no =
      review_->Decide(*held2.review_id, "reject", "illegal_content", "", false, {"user:77", ""});
  ASSERT_TRUE(no.ok()) << no.status().ToString();
  EXPECT_EQ(comments_->Get(held2.comment.id)->status, "rejected");
  EXPECT_EQ(List(art).comment_count, 2);
  EXPECT_TRUE(List(art, bob).comments.size() == 2u);  // a rejected comment is not shown
  auto notices = accounts_->ListNotices(bob, 10);
  ASSERT_TRUE(notices.ok());
  ASSERT_FALSE(notices->empty());
  EXPECT_EQ((*notices)[0].kind, "comment_rejected");
}

TEST_P(CommentsTest, SelectedModeShowsOnlySelectedAndPinnedFirst) {
  auto acc = NewAccount("精选评论号");
  int64_t art = Publish(acc);
  int64_t op = acc.owner_user_id;
  auto set = comments_->SetAccountMode(op, acc.id, Mode::kSelected, meta_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->mode, Mode::kSelected);
  int64_t alice = NewUser("爱丽丝"), bob = NewUser("鲍勃");
  auto a = Post(alice, art, "第一条");
  EXPECT_FALSE(a.is_public);
  EXPECT_EQ(a.pending, "awaiting_selection");
  auto b = Post(bob, art, "第二条");
  auto c = Post(bob, art, "第三条");
  EXPECT_TRUE(List(art).comments.empty());
  EXPECT_EQ(List(art).comment_count, 0);
  EXPECT_EQ(Bodies(List(art, alice).comments), std::vector<std::string>{"第一条"});

  // Only the operator selects.
  EXPECT_EQ(comments_->Moderate(alice, a.comment.id, Action::kSelect, "", meta_).status().reason(),
            "not_account_owner");
  ASSERT_TRUE(comments_->Moderate(op, a.comment.id, Action::kSelect, "", meta_).ok());
  ASSERT_TRUE(comments_->Moderate(op, c.comment.id, Action::kSelect, "", meta_).ok());
  Page p = List(art);
  EXPECT_EQ(p.comment_count, 2);
  EXPECT_EQ(Bodies(p.comments), (std::vector<std::string>{"第三条", "第一条"}));
  // Repeating is a no-op and is not audited again.
  ASSERT_TRUE(comments_->Moderate(op, a.comment.id, Action::kSelect, "", meta_).ok());
  EXPECT_EQ(Audit("comment.select").size(), 2u);

  // Pinning puts it first and (in selected mode) selects it; an individual pins one.
  auto pin = comments_->Moderate(op, b.comment.id, Action::kPin, "好评", meta_);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  EXPECT_TRUE(pin->selected);
  p = List(art);
  EXPECT_EQ(Bodies(p.comments), (std::vector<std::string>{"第二条", "第三条", "第一条"}));
  EXPECT_EQ(p.comment_count, 3);
  EXPECT_EQ(comments_->Moderate(op, a.comment.id, Action::kPin, "", meta_).status().reason(),
            "pin_limit_reached");
  ASSERT_TRUE(comments_->Moderate(op, b.comment.id, Action::kUnpin, "", meta_).ok());
  ASSERT_TRUE(comments_->Moderate(op, a.comment.id, Action::kPin, "", meta_).ok());
  EXPECT_EQ(Bodies(List(art).comments), (std::vector<std::string>{"第一条", "第三条", "第二条"}));

  // Unselecting takes it out of the public view (and unpins it in selected mode).
  ASSERT_TRUE(comments_->Moderate(op, a.comment.id, Action::kUnselect, "", meta_).ok());
  EXPECT_EQ(Bodies(List(art).comments), (std::vector<std::string>{"第三条", "第二条"}));
  EXPECT_EQ(List(art).comment_count, 2);

  // Back to open: every visible comment shows.
  ASSERT_TRUE(comments_->SetAccountMode(op, acc.id, Mode::kOpen, meta_).ok());
  EXPECT_EQ(List(art).comment_count, 3);
  EXPECT_EQ(Audit("comment.mode").size(), 2u);
}

TEST_P(CommentsTest, OrganisationsPinMoreAndCursorPagesSkipPinned) {
  auto acc = NewAccount("组织评论号", /*organisation=*/true);
  EXPECT_EQ(acc.subject_kind, "organisation");
  int64_t art = Publish(acc);
  int64_t op = acc.owner_user_id;
  int64_t reader = NewUser();
  std::vector<int64_t> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(Post(reader, art, "评论" + std::to_string(i)).comment.id);
  for (int i : {1, 3, 5})
    ASSERT_TRUE(comments_->Moderate(op, ids[i], Action::kPin, "", meta_).ok());
  EXPECT_EQ(comments_->Moderate(op, ids[0], Action::kPin, "", meta_).status().reason(),
            "pin_limit_reached");
  Page p1 = List(art, std::nullopt, 2);
  // The pinned (newest pin first), then two of the rest.
  EXPECT_EQ(Bodies(p1.comments),
            (std::vector<std::string>{"评论5", "评论3", "评论1", "评论6", "评论4"}));
  ASSERT_TRUE(p1.next_before.has_value());
  Page p2 = List(art, std::nullopt, 2, p1.next_before);
  EXPECT_EQ(Bodies(p2.comments), (std::vector<std::string>{"评论2", "评论0"}));
  EXPECT_EQ(List(art).comment_count, 7);
  // Hiding unpins and uncounts; unhiding restores the comment but not the pin.
  ASSERT_TRUE(comments_->Moderate(op, ids[5], Action::kHide, "广告", meta_).ok());
  EXPECT_EQ(List(art).comment_count, 6);
  EXPECT_EQ(Bodies(List(art, std::nullopt, 1).comments),
            (std::vector<std::string>{"评论3", "评论1", "评论6"}));
  EXPECT_EQ(comments_->Moderate(op, ids[5], Action::kPin, "", meta_).status().reason(),
            "comment_not_visible");
  ASSERT_TRUE(comments_->Moderate(op, ids[5], Action::kUnhide, "", meta_).ok());
  EXPECT_EQ(List(art).comment_count, 7);
  EXPECT_EQ(comments_->Moderate(op, ids[4], Action::kUnhide, "", meta_)->status, "visible");
  auto hides = Audit("comment.hide");
  ASSERT_EQ(hides.size(), 1u);
  EXPECT_EQ(hides[0].actor, "user:" + std::to_string(op));
  EXPECT_EQ(hides[0].subject, "comment:" + std::to_string(ids[5]));
}

TEST_P(CommentsTest, ClosedModeAndArticleOverride) {
  auto acc = NewAccount("关闭评论号");
  int64_t art1 = Publish(acc, "甲"), art2 = Publish(acc, "乙");
  int64_t op = acc.owner_user_id, reader = NewUser();
  Post(reader, art1, "先到");
  ASSERT_TRUE(comments_->SetAccountMode(op, acc.id, Mode::kClosed, meta_).ok());
  auto r = comments_->Post(reader, art1, "晚了", std::nullopt, meta_);
  EXPECT_EQ(r.status().reason(), "comments_closed");
  Page p = List(art1);
  EXPECT_FALSE(p.openness.accepting);
  EXPECT_EQ(p.openness.closed_reason, "closed");
  EXPECT_EQ(p.comment_count, 1);  // what was shown stays shown
  // The article override opens one article.
  auto s = comments_->SetArticleMode(op, art2, Mode::kOpen, meta_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->account_mode, Mode::kClosed);
  EXPECT_EQ(*s->override_mode, Mode::kOpen);
  EXPECT_TRUE(s->openness.accepting);
  Post(reader, art2, "这篇开着");
  // Removing the override follows the account again.
  ASSERT_TRUE(comments_->SetArticleMode(op, art2, std::nullopt, meta_).ok());
  EXPECT_EQ(comments_->Post(reader, art2, "又关了", std::nullopt, meta_).status().reason(),
            "comments_closed");
  EXPECT_EQ(comments_->SetArticleMode(reader, art2, Mode::kOpen, meta_).status().reason(),
            "not_account_owner");
  EXPECT_EQ(Audit("comment.mode").size(), 3u);
}

TEST_P(CommentsTest, PowersFollowCreditAndAreShownToTheOperator) {
  auto acc = NewAccount("信用评论号");
  int64_t art = Publish(acc);
  int64_t op = acc.owner_user_id, reader = NewUser();
  auto c = Post(reader, art, "一条评论");
  auto s = comments_->GetAccountSettings(op, acc.id);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credit, CreditLevel::kGood);
  EXPECT_TRUE(s->powers.select && s->powers.pin && s->powers.reply);
  EXPECT_EQ(comments_->GetAccountSettings(reader, acc.id).status().reason(), "not_account_owner");

  credit_[acc.id] = CreditLevel::kPoor;
  s = comments_->GetAccountSettings(op, acc.id);
  EXPECT_EQ(s->credit, CreditLevel::kPoor);
  EXPECT_FALSE(s->powers.select || s->powers.pin || s->powers.reply);
  EXPECT_TRUE(s->powers.close && s->powers.hide);
  auto sel = comments_->SetAccountMode(op, acc.id, Mode::kSelected, meta_);
  EXPECT_EQ(sel.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(sel.status().reason(), "comment_power_not_granted");
  EXPECT_EQ(comments_->Moderate(op, c.comment.id, Action::kPin, "", meta_).status().reason(),
            "comment_power_not_granted");
  EXPECT_EQ(comments_->AuthorReply(op, c.comment.id, "谢谢", meta_).status().reason(),
            "comment_power_not_granted");
  // Closing and hiding stay.
  EXPECT_TRUE(comments_->Moderate(op, c.comment.id, Action::kHide, "", meta_).ok());
  EXPECT_TRUE(comments_->SetAccountMode(op, acc.id, Mode::kClosed, meta_).ok());
}

TEST_P(CommentsTest, AuthorRepliesAreAttachedScreenedAndAudited) {
  auto acc = NewAccount("作者回复号");
  int64_t art = Publish(acc);
  int64_t op = acc.owner_user_id, reader = NewUser("读者甲");
  auto c = Post(reader, art, "请问什么时候更新？");
  auto r = comments_->AuthorReply(op, c.comment.id, "下周更新", meta_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->comment.kind, "author_reply");
  EXPECT_EQ(r->comment.author_name, "作者回复号");
  EXPECT_EQ(comments_->AuthorReply(reader, c.comment.id, "冒充", meta_).status().reason(),
            "not_account_owner");
  EXPECT_EQ(comments_->AuthorReply(op, c.comment.id, "去网赌", meta_).status().reason(),
            "illegal_content");
  EXPECT_EQ(comments_->AuthorReply(op, r->comment.id, "套娃", meta_).status().reason(),
            "not_a_reader_comment");
  Page p = List(art);
  ASSERT_EQ(p.comments.size(), 1u);
  ASSERT_EQ(p.comments[0].author_replies.size(), 1u);
  EXPECT_EQ(p.comments[0].author_replies[0].body, "下周更新");
  EXPECT_EQ(p.comment_count, 1);  // author replies are not counted as comments
  // Author replies to a reply are attached to the reply.
  auto reply = Post(NewUser(), art, "我也想知道", c.comment.id);
  ASSERT_TRUE(comments_->AuthorReply(op, reply.comment.id, "同上", meta_).ok());
  auto replies = comments_->Replies(c.comment.id, Viewer{}, 10, std::nullopt);
  ASSERT_TRUE(replies.ok()) << replies.status().ToString();
  ASSERT_EQ(replies->replies.size(), 1u);
  ASSERT_EQ(replies->replies[0].author_replies.size(), 1u);
  EXPECT_EQ(replies->replies[0].author_replies[0].body, "同上");
  EXPECT_EQ(Audit("comment.author_reply").size(), 2u);
  // Withdrawing it.
  ASSERT_TRUE(comments_->Delete(op, r->comment.id, meta_).ok());
  EXPECT_TRUE(List(art).comments[0].author_replies.empty());
  EXPECT_EQ(Audit("comment.author_reply.delete").size(), 1u);
}

TEST_P(CommentsTest, AccountSanctionRemovesCommentFunctionsUntilLifted) {
  auto acc = NewAccount("失职评论号");
  int64_t art = Publish(acc);
  int64_t op = acc.owner_user_id, reader = NewUser();
  auto c = Post(reader, art, "之前的评论");
  auto s = Sanction("account", acc.id);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // No new comments; the operator manages nothing; the restriction is shown.
  EXPECT_EQ(comments_->Post(reader, art, "新评论", std::nullopt, meta_).status().reason(),
            "comments_closed");
  Page p = List(art);
  EXPECT_FALSE(p.openness.accepting);
  EXPECT_EQ(p.openness.closed_reason, "platform_restricted");
  EXPECT_EQ(p.comment_count, 1);
  EXPECT_EQ(comments_->Moderate(op, c.comment.id, Action::kHide, "", meta_).status().reason(),
            "sanctioned");
  EXPECT_EQ(comments_->SetAccountMode(op, acc.id, Mode::kOpen, meta_).status().reason(),
            "sanctioned");
  EXPECT_EQ(comments_->AuthorReply(op, c.comment.id, "回复", meta_).status().reason(),
            "sanctioned");
  auto settings = comments_->GetAccountSettings(op, acc.id);
  ASSERT_TRUE(settings.ok());
  EXPECT_TRUE(settings->restricted);
  EXPECT_FALSE(settings->powers.close || settings->powers.hide);
  EXPECT_TRUE(settings->policy_powers.close);
  // Lifting restores everything.
  ASSERT_TRUE(accounts_->LiftSanction("user:9999", s->id, "整改完成", meta_).ok());
  EXPECT_TRUE(List(art).openness.accepting);
  Post(reader, art, "恢复了");
  EXPECT_TRUE(comments_->Moderate(op, c.comment.id, Action::kHide, "", meta_).ok());
  EXPECT_FALSE(comments_->GetAccountSettings(op, acc.id)->restricted);
}

TEST_P(CommentsTest, UserSanctionStopsThatUserCommenting) {
  auto acc = NewAccount("用户处罚号");
  int64_t art = Publish(acc);
  int64_t troll = NewUser(), other = NewUser();
  auto s = Sanction("user", troll);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto r = comments_->Post(troll, art, "捣乱", std::nullopt, meta_);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "sanctioned");
  Post(other, art, "正常评论");  // the article stays open to others
  // It expires by itself.
  sanctions::NewSanction timed;
  timed.target = {"user", other, ""};
  timed.measure = "restrict";
  timed.function = "comment";
  timed.reason_code = "harmful_content";
  timed.ends_at = clock_.Now() + kMicrosPerHour;
  ASSERT_TRUE(accounts_->IssueSanction("user:9999", timed, meta_).ok());
  EXPECT_EQ(comments_->Post(other, art, "被禁", std::nullopt, meta_).status().reason(),
            "sanctioned");
  clock_.Advance(2 * kMicrosPerHour);
  Post(other, art, "解禁了");
}

TEST_P(CommentsTest, PlatformRemovesAndRestoresAudited) {
  auto acc = NewAccount("平台处置号");
  int64_t art = Publish(acc);
  int64_t reader = NewUser();
  auto c = Post(reader, art, "有问题的评论");
  EXPECT_EQ(comments_->Remove("user:5", c.comment.id, "compliant", "", meta_).status().reason(),
            "invalid_reason_code");
  auto r = comments_->Remove("user:5", c.comment.id, "harmful_content", "辱骂", meta_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, "removed");
  EXPECT_EQ(List(art).comment_count, 0);
  EXPECT_EQ(
      comments_->Remove("user:5", c.comment.id, "harmful_content", "", meta_).status().reason(),
      "comment_not_visible");
  ASSERT_TRUE(comments_->Restore("user:5", c.comment.id, "误删", meta_).ok());
  EXPECT_EQ(List(art).comment_count, 1);
  EXPECT_EQ(comments_->Restore("user:5", c.comment.id, "", meta_).status().reason(),
            "comment_not_removed");
  EXPECT_EQ(Audit("comment.remove").size(), 1u);
  EXPECT_EQ(Audit("comment.restore").size(), 1u);
  auto op_view = comments_->ListForOperator(acc.owner_user_id, art, "", 50, std::nullopt);
  ASSERT_TRUE(op_view.ok()) << op_view.status().ToString();
  EXPECT_EQ(op_view->comments.size(), 1u);
  EXPECT_EQ(comments_->ListForOperator(reader, art, "", 50, std::nullopt).status().reason(),
            "not_account_owner");
}

TEST_P(CommentsTest, OperatorViewListsEveryStatusAndCountsAgree) {
  auto acc = NewAccount("运营视图号");
  int64_t art = Publish(acc);
  int64_t op = acc.owner_user_id, reader = NewUser();
  auto a = Post(reader, art, "可见");
  auto b = Post(reader, art, "会被隐藏");
  Post(reader, art, "可以办证吗");  // held
  auto d = Post(reader, art, "会被删除");
  ASSERT_TRUE(comments_->Moderate(op, b.comment.id, Action::kHide, "", meta_).ok());
  ASSERT_TRUE(comments_->Delete(reader, d.comment.id, meta_).ok());
  auto v = comments_->ListForOperator(op, art, "", 50, std::nullopt);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->comments.size(), 4u);
  std::map<std::string, int64_t> counts(v->counts.begin(), v->counts.end());
  EXPECT_EQ(counts["visible"], 1);
  EXPECT_EQ(counts["hidden"], 1);
  EXPECT_EQ(counts["held"], 1);
  EXPECT_EQ(counts["deleted"], 1);
  auto hidden = comments_->ListForOperator(op, art, "hidden", 50, std::nullopt);
  ASSERT_EQ(hidden->comments.size(), 1u);
  EXPECT_EQ(hidden->comments[0].id, b.comment.id);
  auto waiting = comments_->ListForOperator(op, art, "awaiting_selection", 50, std::nullopt);
  ASSERT_TRUE(waiting.ok()) << waiting.status().ToString();
  ASSERT_EQ(waiting->comments.size(), 1u);
  EXPECT_EQ(waiting->comments[0].id, a.comment.id);
  ASSERT_TRUE(comments_->Moderate(op, a.comment.id, Action::kSelect, "", meta_).ok());
  EXPECT_TRUE(comments_->ListForOperator(op, art, "awaiting_selection", 50, std::nullopt)
                  ->comments.empty());
  EXPECT_EQ(comments_->ListForOperator(op, art, "gone", 50, std::nullopt).status().reason(),
            "invalid_status");
  EXPECT_EQ(List(art).comment_count, counts["visible"]);
  EXPECT_EQ(comments_->Moderate(op, a.comment.id, Action::kUnhide, "", meta_)->status, "visible");
}

TEST_P(CommentsTest, ConcurrentChangesKeepCountsExact) {
  auto acc = NewAccount("并发评论号", /*organisation=*/true);
  int64_t art = Publish(acc);
  int64_t op = acc.owner_user_id;
  std::vector<int64_t> readers = {NewUser(), NewUser(), NewUser()};
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(Post(readers[i % 3], art, "并发" + std::to_string(i)).comment.id);
  }
  // Operators hide and unhide, select, pin, authors delete, all at once, on the same comments.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 12; ++i) {
        int64_t id = ids[(t + i) % ids.size()];
        Action a =
            std::vector<Action>{Action::kHide, Action::kUnhide,   Action::kSelect,
                                Action::kPin,  Action::kUnselect, Action::kUnpin}[(t * 7 + i) % 6];
        (void)comments_->Moderate(op, id, a, "", meta_);
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 3; ++i) (void)comments_->Delete(readers[i], ids[i], meta_);
  });
  for (auto& th : threads) th.join();
  auto view = comments_->ListForOperator(op, art, "", 100, std::nullopt);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  int64_t visible = 0, pinned = 0;
  for (const auto& c : view->comments) {
    visible += c.status == "visible";
    pinned += c.pinned_at.has_value();
  }
  EXPECT_EQ(*comments_->PublicCount(art), visible);
  EXPECT_LE(pinned, 3);
  ASSERT_TRUE(comments_->SetAccountMode(op, acc.id, Mode::kSelected, meta_).ok());
  int64_t selected = 0;
  auto after = comments_->ListForOperator(op, art, "", 100, std::nullopt);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  for (const auto& c : after->comments) {
    selected += c.status == "visible" && c.selected;
  }
  EXPECT_EQ(*comments_->PublicCount(art), selected);
}

TEST_P(CommentsTest, ReadersAreRateLimited) {
  auto acc = NewAccount("限流评论号");
  int64_t art = Publish(acc);
  int64_t reader = NewUser();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(comments_->Post(reader, art, "刷" + std::to_string(i), std::nullopt, meta_).ok());
  }
  auto r = comments_->Post(reader, art, "再刷", std::nullopt, meta_);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().reason(), "comment_rate_limited");
  clock_.Advance(61 * kMicrosPerSecond);
  EXPECT_TRUE(comments_->Post(reader, art, "一分钟后", std::nullopt, meta_).ok());
}

TEST_P(CommentsTest, PurgedArticlesTakeTheirCommentsCountersAndModeWithThem) {
  auto acc = NewAccount("清理评论号");
  int64_t art = Publish(acc), kept = Publish(acc, "保留的文章");
  int64_t alice = NewUser("爱丽丝"), bob = NewUser("鲍勃");
  auto c1 = Post(alice, art, "写得好");
  auto r1 = Post(bob, art, "同意", c1.comment.id);
  auto held = Post(bob, art, "可以办证吗");  // waits in the review queue
  ASSERT_TRUE(held.review_id.has_value());
  auto other = Post(alice, kept, "留下");
  ASSERT_TRUE(comments_->SetArticleMode(acc.owner_user_id, art, Mode::kClosed, meta_).ok());
  ASSERT_TRUE(articles_->Delete(acc.owner_user_id, art, meta_).ok());
  auto rows = [&](const std::string& table) {
    auto tx = db_->Begin(storage::TxMode::kRead);
    return (*tx)
        ->Query("SELECT COUNT(*) FROM " + table + " WHERE article_id = ?", {art})
        ->rows.at(0)
        .Int(0);
  };
  EXPECT_EQ(rows("comments"), 3);
  EXPECT_EQ(rows("comment_article_stats"), 1);
  EXPECT_EQ(rows("comment_article_settings"), 1);

  const Micros later = clock_.Now() + 181 * kMicrosPerDay;
  auto dry = articles_->PurgeExpired("cli", later, true, meta_);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->related.at("comments"), 3);
  EXPECT_TRUE(comments_->Get(r1.comment.id).ok());

  auto purged = articles_->PurgeExpired("system", later, false, meta_);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->articles, 1);
  EXPECT_EQ(purged->related.at("comments"), 3);
  EXPECT_EQ(comments_->Get(c1.comment.id).status().reason(), "comment_not_found");
  EXPECT_EQ(comments_->Get(r1.comment.id).status().reason(), "comment_not_found");
  EXPECT_EQ(rows("comments"), 0);
  EXPECT_EQ(rows("comment_article_stats"), 0);
  EXPECT_EQ(rows("comment_article_settings"), 0);
  EXPECT_TRUE(comments_->Get(other.comment.id).ok());
  EXPECT_EQ(*comments_->PublicCount(kept), 1);
  // The review item of a purged comment can still be decided; it changes nothing.
  auto decided =
      review_->Decide(*held.review_id, "reject", "illegal_content", "", false, {"user:77", ""});
  EXPECT_TRUE(decided.ok()) << decided.status().ToString();
}

}  // namespace
}  // namespace herald::comments
