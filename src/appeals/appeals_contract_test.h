// AppealService over the real account, article, sanction, review and notification services, on
// the backend the including file chooses (appeals_test.cc: SQLite; appeals_pgtest.cc:
// PostgreSQL): who may appeal, the window, once per decision, the different-moderator rule and
// each outcome with its effect.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "appeals/appeal_service.h"
#include "identity/id_numbers.h"
#include "moderation/screen.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"

namespace herald::appeals {
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

class AppealsTest : public ::testing::TestWithParam<storage::Backend> {
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
    for (auto& x : notifications::NotificationService::Migrations()) m.push_back(x);
    for (auto& x : subjects::OtpService::Migrations()) m.push_back(x);
    for (auto& x : subjects::SubjectService::Migrations()) m.push_back(x);
    for (auto& x : accounts::AccountService::Migrations()) m.push_back(x);
    for (auto& x : provenance::ProvenanceService::Migrations()) m.push_back(x);
    for (auto& x : content::ArticleService::Migrations()) m.push_back(x);
    for (auto& x : comments::CommentService::Migrations()) m.push_back(x);
    for (auto& x : groups::GroupService::Migrations()) m.push_back(x);
    for (auto& x : AppealService::Migrations()) m.push_back(x);
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();

    dir_ = fs::temp_directory_path() /
           ("herald_appeals_" + std::to_string(::getpid()) + "_" +
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
    ASSERT_TRUE(screening_->Put("appeals", "待审词\tpolitics\treview\n").ok());
    ASSERT_TRUE(screening_->Reload().ok());
    subjects::OtpOptions oo;
    oo.resend_cooldown = 0;
    otp_ = std::make_unique<subjects::OtpService>(*db_, sms_, clock_, random_, keys_.index_key, oo);
    review::Options ro;
    ro.due_by_kind["appeal"] = 7 * kMicrosPerDay;
    review_ = std::make_unique<review::ReviewQueue>(*db_, audit_, clock_, ro);
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
    groups_ = std::make_unique<groups::GroupService>(*db_, audit_, clock_, *sanctions_, *screening_,
                                                     *review_);
    comments::Options copts;
    copts.max_per_minute = 0;
    comments_ = std::make_unique<comments::CommentService>(
        *db_, audit_, clock_, *accounts_, *articles_, *sanctions_, *screening_, *review_, copts);
    notifications_ = std::make_unique<notifications::NotificationService>(*db_, clock_);
    appeals_ = std::make_unique<AppealService>(*db_, audit_, clock_, *review_, *sanctions_,
                                               *accounts_, *articles_, groups_.get(),
                                               comments_.get(), notifications_.get());
    mod_a_ = NewUser("审核员甲");
    mod_b_ = NewUser("审核员乙");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  int64_t NewUser(const std::string& name = "用户") {
    const std::string phone = "1390000" + std::to_string(1000 + ++seq_);
    auto u = auth_->Register(phone, "password-123", name, meta_);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    phones_[u->id] = phone;
    return u->id;
  }

  accounts::Account NewAccount(const std::string& name) {
    int64_t op = NewUser("运营者");
    const std::string& phone = phones_[op];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    const std::string id = identity::MakeResidentId("110101", "19900307", 100 + seq_);
    auto subject =
        subjects_->CreateIndividual(op, {"张三", id, phone, ch->id, sms_.last_code()}, meta_);
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
    auto a = accounts_->Create(op, in, meta_);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return *a;
  }

  Result<content::PublishResult> Publish(const accounts::Account& acc, const std::string& body) {
    content::ArticleInput in;
    in.title = "一篇文章";
    in.body = body;
    return articles_->Publish(acc.owner_user_id, acc.id, in, meta_);
  }

  sanctions::Sanction Sanction(const accounts::Account& acc, const std::string& measure,
                               bool appealable = true, int64_t days = 10) {
    sanctions::NewSanction s;
    s.target = {"account", acc.id, ""};
    s.measure = measure;
    s.reason_code = "illegal_content";
    s.appealable = appealable;
    if (days > 0) s.ends_at = clock_.Now() + days * kMicrosPerDay;
    auto out = accounts_->IssueSanction("user:" + std::to_string(mod_a_), s, meta_);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return *out;
  }

  Result<Appeal> FileFor(int64_t user, const std::string& type, int64_t id) {
    NewAppeal in;
    in.target = {type, id};
    in.text = "处罚有误，请复核。The decision is wrong.";
    in.evidence = {"https://example.cn/proof", std::string(64, 'a')};
    return appeals_->File(user, in, meta_);
  }

  Result<Appeal> DecideBy(int64_t moderator, int64_t id, const std::string& outcome,
                          std::optional<Modified> modified = std::nullopt) {
    Decision d;
    d.outcome = outcome;
    d.reason = "复核结论 Review result";
    d.modified = std::move(modified);
    return appeals_->Decide(id, d, {moderator, "req-2", false});
  }

  std::string Mod(int64_t user) const { return "user:" + std::to_string(user); }

  // A published article of a new account, and a reader's comment on it.
  comments::PostResult Comment(int64_t reader, const std::string& body) {
    if (article_ == 0) {
      auto acc = NewAccount("评论申诉号");
      auto art = Publish(acc, "普通正文。");
      EXPECT_TRUE(art.ok()) << art.status().ToString();
      article_ = art->article.id;
    }
    auto c = comments_->Post(reader, article_, body, std::nullopt, meta_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }

  // The open review item of `kind` about `ref_id`.
  int64_t OpenItem(const std::string& kind, int64_t ref_id) {
    auto tx = db_->Begin(storage::TxMode::kRead);
    EXPECT_TRUE(tx.ok());
    auto items = review_->ItemsFor(**tx, kind, ref_id);
    EXPECT_TRUE(items.ok());
    for (const auto& it : *items) {
      if (it.open()) return it.id;
    }
    return 0;
  }

  // The open registration item of a held account.
  int64_t RegistrationItem(int64_t account_id) {
    review::Filter f;
    f.kinds = {"name", "over_cap", "registration_data"};
    f.account_id = account_id;
    auto items = review_->List(f);
    EXPECT_TRUE(items.ok());
    return items->empty() ? 0 : items->front().id;
  }

  std::vector<audit::Entry> Audit(const std::string& action) {
    audit::Filter f;
    f.action = action;
    f.limit = 500;
    auto page = audit_.Query(*db_, f);
    EXPECT_TRUE(page.ok());
    return page->entries;
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
  std::unique_ptr<groups::GroupService> groups_;
  std::unique_ptr<comments::CommentService> comments_;
  std::unique_ptr<notifications::NotificationService> notifications_;
  std::unique_ptr<AppealService> appeals_;
  std::map<int64_t, std::string> phones_;
  int64_t mod_a_ = 0, mod_b_ = 0;
  int64_t article_ = 0;
  int seq_ = 0;
};

TEST_P(AppealsTest, OnlyTheAffectedPartyAppealsAnAppealableSanctionWithValidInput) {
  auto acc = NewAccount("申诉测试号");
  auto s = Sanction(acc, "suspend_updates");
  EXPECT_EQ(FileFor(NewUser(), "sanction", s.id).status().reason(), "not_affected_party");
  EXPECT_EQ(FileFor(acc.owner_user_id, "sanction", 999999).status().reason(), "sanction_not_found");
  EXPECT_EQ(FileFor(acc.owner_user_id, "sanction", 0).status().reason(), "invalid_target");
  EXPECT_EQ(FileFor(acc.owner_user_id, "post", s.id).status().reason(), "invalid_target");
  NewAppeal bad;
  bad.target = {"sanction", s.id};
  bad.text = "";
  EXPECT_EQ(appeals_->File(acc.owner_user_id, bad, meta_).status().field(), "text");
  bad.text = std::string(2001, 'x');
  EXPECT_EQ(appeals_->File(acc.owner_user_id, bad, meta_).status().reason(), "invalid_text");
  bad.text = "理由";
  for (const std::string& ev :
       std::vector<std::string>{"ftp://example.cn/x", "javascript:alert(1)", "https://a b",
                                "media:xyz", std::string(63, 'a')}) {
    bad.evidence = {ev};
    EXPECT_EQ(appeals_->File(acc.owner_user_id, bad, meta_).status().reason(), "invalid_evidence")
        << ev;
  }
  bad.evidence = std::vector<std::string>(11, "https://example.cn/x");
  EXPECT_EQ(appeals_->File(acc.owner_user_id, bad, meta_).status().reason(), "invalid_evidence");
  // Nothing was written by the refusals.
  EXPECT_TRUE(appeals_->ListMine(acc.owner_user_id, 100, std::nullopt)->empty());

  auto not_appealable = Sanction(acc, "warning", /*appealable=*/false);
  EXPECT_EQ(FileFor(acc.owner_user_id, "sanction", not_appealable.id).status().reason(),
            "appeal_not_allowed");

  auto a = FileFor(acc.owner_user_id, "sanction", s.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->status, "pending");
  EXPECT_EQ(a->original_decided_by, "user:" + std::to_string(mod_a_));
  EXPECT_EQ(a->evidence.size(), 2u);
  EXPECT_EQ(a->window_closes_at, s.issued_at + 30 * kMicrosPerDay);
  EXPECT_EQ(a->due_at, a->created_at + 7 * kMicrosPerDay);
  auto item = review_->Get(a->review_id);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->kind, "appeal");
  EXPECT_EQ(item->ref_id, a->id);
  EXPECT_EQ(item->due_at, a->due_at);
  EXPECT_EQ(Audit("appeal.file").size(), 1u);
  // Once per decision.
  EXPECT_EQ(FileFor(acc.owner_user_id, "sanction", s.id).status().reason(), "already_appealed");
}

TEST_P(AppealsTest, TheWindowClosesThirtyDaysAfterTheDecision) {
  auto acc = NewAccount("申诉窗口号");
  auto early = Sanction(acc, "warning", true, 100);
  auto late = Sanction(acc, "stop_advertising", true, 100);
  clock_.Advance(30 * kMicrosPerDay);
  EXPECT_TRUE(FileFor(acc.owner_user_id, "sanction", early.id).ok());  // the last moment
  clock_.Advance(1);
  auto refused = FileFor(acc.owner_user_id, "sanction", late.id);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().reason(), "appeal_window_closed");
}

TEST_P(AppealsTest, OverturnedByAnotherModeratorLiftsTheSanctionAtOnce) {
  auto acc = NewAccount("申诉撤销号");
  auto s = Sanction(acc, "suspend_updates");
  EXPECT_EQ(Publish(acc, "正文内容。").status().reason(), "sanctioned");
  auto a = FileFor(acc.owner_user_id, "sanction", s.id);
  ASSERT_TRUE(a.ok());
  // The generic review decision cannot decide an appeal.
  auto generic = review_->Decide(a->review_id, "approve", "compliant", "", true,
                                 {"user:" + std::to_string(mod_b_), "r"});
  EXPECT_EQ(generic.status().reason(), "use_appeal_decision");
  // The moderator who issued the sanction is refused; so is the appellant.
  auto same = DecideBy(mod_a_, a->id, "overturned");
  EXPECT_EQ(same.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(same.status().reason(), "same_moderator");
  EXPECT_EQ(DecideBy(acc.owner_user_id, a->id, "overturned").status().reason(), "same_moderator");
  EXPECT_EQ(DecideBy(mod_b_, a->id, "sideways").status().reason(), "invalid_outcome");
  EXPECT_TRUE(sanctions_->Get(s.id)->ActiveAt(clock_.Now()));

  auto done = DecideBy(mod_b_, a->id, "overturned");
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, "overturned");
  EXPECT_EQ(done->decided_by, "user:" + std::to_string(mod_b_));
  auto lifted = sanctions_->Get(s.id);
  EXPECT_TRUE(lifted->lifted_at.has_value());
  EXPECT_TRUE(lifted->overturned);
  EXPECT_EQ(lifted->lift_reason, "appeal overturned: appeal:" + std::to_string(a->id));
  // It stops blocking at once.
  EXPECT_TRUE(Publish(acc, "正文内容。").ok());
  EXPECT_EQ(review_->Get(a->review_id)->status, "approved");
  EXPECT_EQ(Audit("appeal.decide").size(), 1u);
  auto inbox = notifications_->List(acc.owner_user_id, false, std::nullopt, 10);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].kind, "appeal_outcome");
  EXPECT_EQ((*inbox)[0].ref, "appeal:" + std::to_string(a->id));
  EXPECT_EQ(DecideBy(mod_b_, a->id, "upheld").status().reason(), "appeal_already_decided");
  EXPECT_EQ(FileFor(acc.owner_user_id, "sanction", s.id).status().reason(), "appeal_not_allowed");
}

TEST_P(AppealsTest, UpheldKeepsTheSanction) {
  auto acc = NewAccount("申诉维持号");
  auto s = Sanction(acc, "suspend_updates");
  auto a = FileFor(acc.owner_user_id, "sanction", s.id);
  ASSERT_TRUE(a.ok());
  auto done = DecideBy(mod_b_, a->id, "upheld");
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, "upheld");
  EXPECT_FALSE(sanctions_->Get(s.id)->lifted_at.has_value());
  EXPECT_EQ(Publish(acc, "正文内容。").status().reason(), "sanctioned");
  EXPECT_EQ(review_->Get(a->review_id)->status, "rejected");
  EXPECT_EQ(notifications_->List(acc.owner_user_id, false, std::nullopt, 10)->size(), 1u);
}

TEST_P(AppealsTest, ModifiedIssuesALighterSanctionLinkedToTheAppeal) {
  auto acc = NewAccount("申诉变更号");
  auto s = Sanction(acc, "suspend_updates", true, 30);
  auto a = FileFor(acc.owner_user_id, "sanction", s.id);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(DecideBy(mod_b_, a->id, "modified").status().reason(), "invalid_modified");
  EXPECT_EQ(DecideBy(mod_b_, a->id, "overturned", Modified{"warning", "", 1}).status().reason(),
            "invalid_modified");
  auto heavier = DecideBy(mod_b_, a->id, "modified", Modified{"suspend_updates", "", 60});
  EXPECT_EQ(heavier.status().reason(), "not_lighter");
  EXPECT_EQ(DecideBy(mod_b_, a->id, "modified", Modified{"close_account", "", 1}).status().reason(),
            "invalid_modified");
  EXPECT_EQ(DecideBy(mod_b_, a->id, "modified", Modified{"restrict", "jump", 1}).status().reason(),
            "invalid_function");
  // Nothing changed by the refusals.
  EXPECT_FALSE(sanctions_->Get(s.id)->lifted_at.has_value());

  auto done = DecideBy(mod_b_, a->id, "modified", Modified{"restrict", "advertise", 5});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, "modified");
  ASSERT_TRUE(done->new_sanction_id.has_value());
  EXPECT_TRUE(sanctions_->Get(s.id)->lifted_at.has_value());
  auto lighter = sanctions_->Get(*done->new_sanction_id);
  ASSERT_TRUE(lighter.ok());
  EXPECT_EQ(lighter->measure, "restrict");
  EXPECT_EQ(lighter->function, "advertise");
  EXPECT_EQ(lighter->target, s.target);
  EXPECT_EQ(*lighter->ends_at, clock_.Now() + 5 * kMicrosPerDay);
  EXPECT_EQ(lighter->evidence.back(), "appeal:" + std::to_string(a->id));
  EXPECT_FALSE(lighter->appealable);
  EXPECT_EQ(lighter->party_user_id, acc.owner_user_id);
  // Publishing is open again; advertising is not.
  EXPECT_TRUE(Publish(acc, "正文内容。").ok());
  content::ArticleInput ad;
  ad.title = "广告";
  ad.body = "正文";
  ad.advertising = true;
  EXPECT_EQ(articles_->Publish(acc.owner_user_id, acc.id, ad, meta_).status().reason(),
            "sanctioned");
}

TEST_P(AppealsTest, OverturningAClosureReopensTheAccount) {
  auto acc = NewAccount("申诉关闭号");
  auto s = Sanction(acc, "close_account", true, /*days=*/0);
  EXPECT_EQ(accounts_->Get(acc.id)->status, "closed");
  auto a = FileFor(acc.owner_user_id, "sanction", s.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(DecideBy(mod_b_, a->id, "overturned").ok());
  EXPECT_EQ(accounts_->Get(acc.id)->status, "active");
}

TEST_P(AppealsTest, ARejectedArticleIsRestoredWhenAnotherModeratorOverturns) {
  auto acc = NewAccount("申诉文章号");
  auto held = Publish(acc, "这里有待审词。");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_EQ(held->article.status, "held");
  const int64_t art = held->article.id;
  EXPECT_EQ(FileFor(NewUser(), "article", art).status().reason(), "not_affected_party");
  auto rejected = review_->Decide(*held->review_id, "reject", "harmful_content", "", false,
                                  {"user:" + std::to_string(mod_a_), "r"});
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  ASSERT_EQ(articles_->Get(art)->status, "rejected");

  auto a = FileFor(acc.owner_user_id, "article", art);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->original_decided_by, "user:" + std::to_string(mod_a_));
  EXPECT_EQ(a->account_id, acc.id);
  EXPECT_EQ(DecideBy(mod_a_, a->id, "overturned").status().reason(), "same_moderator");
  EXPECT_EQ(DecideBy(mod_b_, a->id, "modified", Modified{"warning", "", 1}).status().reason(),
            "invalid_modified");
  auto done = DecideBy(mod_b_, a->id, "overturned");
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto restored = articles_->GetPublic(art);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->status, "published");
  EXPECT_EQ(Audit("article.restore").size(), 1u);
  EXPECT_EQ(FileFor(acc.owner_user_id, "article", art).status().reason(), "appeal_not_allowed");
}

TEST_P(AppealsTest, AHoldIsAppealedOnceAndOverturningPublishesAndClosesItsReviewItem) {
  auto acc = NewAccount("申诉暂扣号");
  auto held = Publish(acc, "这里有待审词。");
  ASSERT_TRUE(held.ok());
  const int64_t art = held->article.id;
  auto a = FileFor(acc.owner_user_id, "article", art);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->original_decided_by, "");
  EXPECT_EQ(FileFor(acc.owner_user_id, "article", art).status().reason(), "already_appealed");
  auto published = Publish(acc, "普通正文。");
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(FileFor(acc.owner_user_id, "article", published->article.id).status().reason(),
            "appeal_not_allowed");
  ASSERT_TRUE(DecideBy(mod_a_, a->id, "overturned").ok());
  EXPECT_EQ(articles_->Get(art)->status, "published");
  EXPECT_EQ(review_->Get(*held->review_id)->status, "approved");
}

TEST_P(AppealsTest, ACommentRemovedByAModeratorIsRestoredWhenAnotherModeratorOverturns) {
  const int64_t reader = NewUser("读者");
  auto c = Comment(reader, "一条普通评论");
  ASSERT_EQ(c.comment.status, "visible");
  EXPECT_EQ(FileFor(reader, "comment", c.comment.id).status().reason(), "appeal_not_allowed");
  EXPECT_EQ(FileFor(reader, "comment", 999999).status().reason(), "comment_not_found");
  auto removed = comments_->Remove(Mod(mod_a_), c.comment.id, "harmful_content", "不友善", meta_);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(comments_->PublicCount(article_).value(), 0);
  // Only its author appeals (not the article's operator, not a stranger).
  EXPECT_EQ(FileFor(NewUser(), "comment", c.comment.id).status().reason(), "not_affected_party");
  EXPECT_TRUE(appeals_->ListMine(reader, 10, std::nullopt)->empty());

  auto a = FileFor(reader, "comment", c.comment.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->original_decided_by, Mod(mod_a_));
  EXPECT_EQ(a->original_decided_at, clock_.Now());
  EXPECT_EQ(a->window_closes_at, clock_.Now() + 30 * kMicrosPerDay);
  EXPECT_FALSE(a->account_id.has_value());
  EXPECT_EQ(review_->Get(a->review_id)->category, "comment");
  EXPECT_EQ(FileFor(reader, "comment", c.comment.id).status().reason(), "already_appealed");

  EXPECT_EQ(DecideBy(mod_a_, a->id, "overturned").status().reason(), "same_moderator");
  EXPECT_EQ(DecideBy(reader, a->id, "overturned").status().reason(), "same_moderator");
  EXPECT_EQ(DecideBy(mod_b_, a->id, "modified", Modified{"warning", "", 1}).status().reason(),
            "invalid_modified");
  EXPECT_EQ(comments_->Get(c.comment.id)->status, "removed");

  auto done = DecideBy(mod_b_, a->id, "overturned");
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto restored = comments_->Get(c.comment.id);
  EXPECT_EQ(restored->status, "visible");
  EXPECT_EQ(restored->decided_by, "");
  EXPECT_EQ(comments_->PublicCount(article_).value(), 1);
  auto audit = Audit("comment.restore");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, Mod(mod_b_));
  EXPECT_NE(audit[0].details.find("appeal:" + std::to_string(a->id)), std::string::npos);
  EXPECT_EQ(review_->Get(a->review_id)->status, "approved");
  EXPECT_EQ(notifications_->List(reader, false, std::nullopt, 10)->size(), 1u);
  EXPECT_EQ(FileFor(reader, "comment", c.comment.id).status().reason(), "appeal_not_allowed");
  // Removed again: a new decision, appealable once more.
  clock_.Advance(kMicrosPerHour);
  ASSERT_TRUE(comments_->Remove(Mod(mod_a_), c.comment.id, "policy_violation", "", meta_).ok());
  auto again = FileFor(reader, "comment", c.comment.id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_NE(again->decision_ref, a->decision_ref);
}

TEST_P(AppealsTest, AHeldCommentAppealedAndOverturnedIsShownAndItsReviewItemApproved) {
  const int64_t reader = NewUser("读者");
  auto held = Comment(reader, "这里有待审词。");
  ASSERT_EQ(held.comment.status, "held");
  ASSERT_TRUE(held.review_id.has_value());
  auto a = FileFor(reader, "comment", held.comment.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->original_decided_by, "");  // an automatic hold: any moderator decides
  EXPECT_EQ(a->original_decided_at, held.comment.created_at);
  ASSERT_TRUE(DecideBy(mod_a_, a->id, "overturned").ok());
  EXPECT_EQ(comments_->Get(held.comment.id)->status, "visible");
  EXPECT_EQ(review_->Get(*held.review_id)->status, "approved");
  EXPECT_EQ(comments_->PublicCount(article_).value(), 1);
}

TEST_P(AppealsTest, ARejectedCommentUpheldStaysRejectedAndTheWindowCloses) {
  const int64_t reader = NewUser("读者");
  auto first = Comment(reader, "第一条待审词评论");
  auto second = Comment(reader, "第二条待审词评论");
  for (const auto* c : {&first, &second}) {
    ASSERT_TRUE(
        review_->Decide(*c->review_id, "reject", "harmful_content", "", false, {Mod(mod_a_), "r"})
            .ok());
  }
  ASSERT_EQ(comments_->Get(first.comment.id)->status, "rejected");
  auto a = FileFor(reader, "comment", first.comment.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->original_decided_by, Mod(mod_a_));
  EXPECT_EQ(DecideBy(mod_a_, a->id, "upheld").status().reason(), "same_moderator");
  auto kept = DecideBy(mod_b_, a->id, "upheld");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(comments_->Get(first.comment.id)->status, "rejected");
  EXPECT_EQ(review_->Get(a->review_id)->status, "rejected");
  EXPECT_TRUE(Audit("comment.restore").empty());
  EXPECT_EQ(FileFor(reader, "comment", first.comment.id).status().reason(), "already_appealed");
  // Thirty days after the rejection and no later.
  clock_.Advance(30 * kMicrosPerDay + 1);
  EXPECT_EQ(FileFor(reader, "comment", second.comment.id).status().reason(),
            "appeal_window_closed");
  // A comment the operator hid or its author deleted is no platform decision.
  auto hidden = Comment(reader, "被运营者隐藏");
  auto article = articles_->Get(article_);
  ASSERT_TRUE(comments_
                  ->Moderate(accounts_->Get(article->account_id)->owner_user_id, hidden.comment.id,
                             comments::Action::kHide, "", meta_)
                  .ok());
  EXPECT_EQ(FileFor(reader, "comment", hidden.comment.id).status().reason(), "appeal_not_allowed");
  auto deleted = Comment(reader, "自己删除");
  ASSERT_TRUE(comments_->Delete(reader, deleted.comment.id, meta_).ok());
  EXPECT_EQ(FileFor(reader, "comment", deleted.comment.id).status().reason(), "appeal_not_allowed");
}

TEST_P(AppealsTest, AGroupMessageRemovedInReviewIsRestoredWhenOverturnedAndAHoldUpheldStays) {
  auto acc = NewAccount("群主账号");
  const int64_t sender = acc.owner_user_id;
  auto g = groups_->Create(sender, "读书交流群", "", meta_);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto fine = groups_->Post(sender, g->id, "大家好", meta_);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(FileFor(sender, "message", fine->id).status().reason(), "appeal_not_allowed");
  EXPECT_EQ(FileFor(sender, "message", 999999).status().reason(), "message_not_found");
  auto held = groups_->Post(sender, g->id, "这里有待审词。", meta_);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->status, "held");
  const int64_t item = OpenItem("group_message", held->id);
  ASSERT_NE(item, 0);
  ASSERT_TRUE(
      review_->Decide(item, "reject", "harmful_content", "", false, {Mod(mod_a_), "r"}).ok());
  EXPECT_EQ(FileFor(NewUser(), "message", held->id).status().reason(), "not_affected_party");
  auto a = FileFor(sender, "message", held->id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->original_decided_by, Mod(mod_a_));
  EXPECT_EQ(FileFor(sender, "message", held->id).status().reason(), "already_appealed");
  EXPECT_EQ(DecideBy(mod_a_, a->id, "overturned").status().reason(), "same_moderator");
  ASSERT_TRUE(DecideBy(mod_b_, a->id, "overturned").ok());
  auto shown = groups_->Messages(sender, g->id, 10, std::nullopt);
  ASSERT_TRUE(shown.ok());
  bool visible = false;
  for (const auto& m : *shown) visible = visible || (m.id == held->id && m.status == "visible");
  EXPECT_TRUE(visible);
  EXPECT_EQ(Audit("group_message.restore").size(), 1u);

  // A hold appealed and upheld: it stays held, its review item still open for the queue.
  auto held2 = groups_->Post(sender, g->id, "又有待审词。", meta_);
  ASSERT_TRUE(held2.ok());
  auto a2 = FileFor(sender, "message", held2->id);
  ASSERT_TRUE(a2.ok()) << a2.status().ToString();
  EXPECT_EQ(a2->original_decided_by, "");
  ASSERT_TRUE(DecideBy(mod_a_, a2->id, "upheld").ok());
  EXPECT_NE(OpenItem("group_message", held2->id), 0);
  EXPECT_EQ(Audit("group_message.restore").size(), 1u);
}

TEST_P(AppealsTest, ARefusedRegistrationIsReinstatedWhenAnotherModeratorOverturns) {
  auto acc = NewAccount("待审词号");
  ASSERT_EQ(acc.status, "pending_review");
  const int64_t item = RegistrationItem(acc.id);
  ASSERT_NE(item, 0);
  EXPECT_EQ(FileFor(acc.owner_user_id, "registration", acc.id).status().reason(),
            "appeal_not_allowed");  // not refused (yet)
  ASSERT_TRUE(
      review_->Decide(item, "reject", "illegal_content", "名称不当", false, {Mod(mod_a_), "r"})
          .ok());
  ASSERT_EQ(accounts_->Get(acc.id)->status, "rejected");
  EXPECT_EQ(FileFor(NewUser(), "registration", acc.id).status().reason(), "not_affected_party");
  EXPECT_EQ(FileFor(acc.owner_user_id, "registration", 999999).status().reason(),
            "account_not_found");
  auto a = FileFor(acc.owner_user_id, "registration", acc.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->original_decided_by, Mod(mod_a_));
  EXPECT_EQ(a->account_id, acc.id);
  EXPECT_EQ(FileFor(acc.owner_user_id, "registration", acc.id).status().reason(),
            "already_appealed");
  EXPECT_EQ(DecideBy(mod_a_, a->id, "overturned").status().reason(), "same_moderator");
  auto done = DecideBy(mod_b_, a->id, "overturned");
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto back = accounts_->Get(acc.id);
  EXPECT_EQ(back->status, "active");
  EXPECT_EQ(back->status_reason, "appeal_overturned");
  auto notices = accounts_->ListNotices(acc.owner_user_id, 20);
  ASSERT_TRUE(notices.ok());
  bool approved = false;
  for (const auto& n : *notices) approved = approved || n.kind == "registration_approved";
  EXPECT_TRUE(approved);
  EXPECT_EQ(FileFor(acc.owner_user_id, "registration", acc.id).status().reason(),
            "appeal_not_allowed");
}

TEST_P(AppealsTest, ARefusedRegistrationWhoseNameWasTakenCannotBeOverturnedOnlyUpheld) {
  auto acc = NewAccount("待审词名称");
  ASSERT_EQ(acc.status, "pending_review");
  ASSERT_TRUE(review_
                  ->Decide(RegistrationItem(acc.id), "reject", "illegal_content", "", false,
                           {Mod(mod_a_), "r"})
                  .ok());
  auto a = FileFor(acc.owner_user_id, "registration", acc.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // Another operator registers the released name (its own review approved).
  auto other = NewAccount("待审词名称");
  ASSERT_TRUE(review_
                  ->Decide(RegistrationItem(other.id), "approve", "compliant", "", false,
                           {Mod(mod_a_), "r"})
                  .ok());
  ASSERT_EQ(accounts_->Get(other.id)->status, "active");
  auto refused = DecideBy(mod_b_, a->id, "overturned");
  EXPECT_EQ(refused.status().reason(), "name_taken");
  // Nothing was written by the refusal.
  EXPECT_EQ(appeals_->Get(a->id)->status, "pending");
  EXPECT_EQ(accounts_->Get(acc.id)->status, "rejected");
  EXPECT_TRUE(notifications_->List(acc.owner_user_id, false, std::nullopt, 10)->empty());
  ASSERT_TRUE(DecideBy(mod_b_, a->id, "upheld").ok());
  EXPECT_EQ(accounts_->Get(acc.id)->status, "rejected");
  // The window of a refusal.
  auto late = NewAccount("待审词迟到");
  ASSERT_TRUE(review_
                  ->Decide(RegistrationItem(late.id), "reject", "illegal_content", "", false,
                           {Mod(mod_a_), "r"})
                  .ok());
  clock_.Advance(30 * kMicrosPerDay + 1);
  EXPECT_EQ(FileFor(late.owner_user_id, "registration", late.id).status().reason(),
            "appeal_window_closed");
}

TEST_P(AppealsTest, ARefusedRegistrationWithAnotherItemOpenGoesBackToReview) {
  // Two registration items (doubtful data and a name review); rejecting one refuses it.
  auto acc = NewAccount("待审词双项");
  ASSERT_EQ(acc.status, "pending_review");
  // A second open registration item for the same account (as a name review would add).
  {
    auto tx = db_->Begin(storage::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    review::NewItem it;
    it.kind = "name";
    it.account_id = acc.id;
    it.summary = "name: 待审词双项";
    ASSERT_TRUE(review_->Enqueue(**tx, it).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  review::Filter f;
  f.kinds = {"registration_data"};
  f.account_id = acc.id;
  auto items = review_->List(f);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  ASSERT_TRUE(
      review_->Decide(items->front().id, "reject", "illegal_content", "", false, {Mod(mod_a_), "r"})
          .ok());
  ASSERT_EQ(accounts_->Get(acc.id)->status, "rejected");
  auto a = FileFor(acc.owner_user_id, "registration", acc.id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(DecideBy(mod_b_, a->id, "overturned").ok());
  EXPECT_EQ(accounts_->Get(acc.id)->status, "pending_review");
  // The remaining item decides it as usual.
  const int64_t name_item = RegistrationItem(acc.id);
  ASSERT_NE(name_item, 0);
  ASSERT_TRUE(
      review_->Decide(name_item, "approve", "compliant", "", false, {Mod(mod_a_), "r"}).ok());
  EXPECT_EQ(accounts_->Get(acc.id)->status, "active");
}

TEST_P(AppealsTest, ThePublishedPolicyNamesEveryTargetType) {
  EXPECT_EQ(
      appeals_->PublishedPolicy().target_types,
      (std::vector<std::string>{"sanction", "article", "comment", "message", "registration"}));
}

}  // namespace
}  // namespace herald::appeals
