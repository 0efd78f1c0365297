// CreditService over the real subject, account, article, social, group and sanction services, on
// the backend the including file chooses (credit_test.cc: SQLite; credit_pgtest.cc:
// PostgreSQL): the rules and their version, deductions through the sanction hooks, reversal
// only when overturned, recovery, qualification bonuses, what each level allows, and grades.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "accounts/account_service.h"
#include "content/article_service.h"
#include "credit/credit_service.h"
#include "groups/group_service.h"
#include "identity/id_numbers.h"
#include "moderation/screen.h"
#include "social/social_service.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"

namespace herald::credit {
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

class CreditTest : public ::testing::TestWithParam<storage::Backend> {
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
    for (auto& x : social::SocialService::Migrations()) m.push_back(x);
    for (auto& x : groups::GroupService::Migrations()) m.push_back(x);
    for (auto& x : CreditService::Migrations()) m.push_back(x);
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();

    dir_ = fs::temp_directory_path() /
           ("herald_credit_" + std::to_string(::getpid()) + "_" +
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
    auto rules = ParseRules(DefaultRulesToml());
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    credit_ = std::make_unique<CreditService>(*db_, audit_, clock_, *sanctions_, *rules);
    subjects_ = std::make_unique<subjects::SubjectService>(
        *db_, audit_, clock_, *otp_, verifier_, keys_, subjects::SubjectLimits{}, sanctions_.get());
    accounts::AccountOptions aopts;
    aopts.cap_individual = 3;
    aopts.subject_cap = [this](storage::Transaction& tx, int64_t subject, int cap) {
      return credit_->AccountCap(tx, subject, cap);
    };
    accounts_ =
        std::make_unique<accounts::AccountService>(*db_, audit_, clock_, *auth_, *subjects_, *norm_,
                                                   *review_, *sanctions_, aopts, screening_.get());
    provenance_ =
        std::make_unique<provenance::ProvenanceService>(*db_, audit_, clock_, *screening_norm_);
    ASSERT_TRUE(provenance_->Load().ok());
    content::ContentOptions copts;
    copts.publish_credit = [this](storage::Transaction& tx, const accounts::Account& a, bool ad) {
      return credit_->CheckPublish(tx, a.id, a.subject_id, ad);
    };
    articles_ = std::make_unique<content::ArticleService>(*db_, audit_, clock_, random_, *accounts_,
                                                          *screening_, *provenance_, *review_,
                                                          *screening_norm_, copts);
    social_ = std::make_unique<social::SocialService>(*db_, audit_, clock_, *accounts_, *articles_,
                                                      keys_.index_key);
    groups::GroupOptions gopts;
    gopts.credit = [this](storage::Transaction& tx, int64_t user, std::string_view service) {
      return credit_->CheckGroupService(tx, user, service);
    };
    groups_ = std::make_unique<groups::GroupService>(*db_, audit_, clock_, *sanctions_, *screening_,
                                                     *review_, gopts);
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

  // A verified individual subject of `op` (a new user when 0).
  subjects::Subject NewSubject(int64_t op) {
    const std::string& phone = phones_[op];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    const std::string id = identity::MakeResidentId("110101", "19900307", 100 + ++seq_);
    auto subject =
        subjects_->CreateIndividual(op, {"张三", id, phone, ch->id, sms_.last_code()}, meta_);
    EXPECT_TRUE(subject.ok()) << subject.status().ToString();
    return *subject;
  }

  Result<accounts::Account> NewAccountOf(int64_t op, int64_t subject_id, const std::string& name) {
    auto doc = accounts_->GetDocument(accounts::kServiceAgreement, 0);
    EXPECT_TRUE(
        accounts_->AcceptDocument(op, accounts::kServiceAgreement, doc->version, meta_).ok());
    accounts::AccountInput in;
    in.subject_id = subject_id;
    in.name = name;
    in.bio = "一个测试账号";
    in.category = "technology";
    in.registered_place = "北京市";
    in.operating_place = "北京市";
    in.contact = "ops@example.cn";
    return accounts_->Create(op, in, meta_);
  }

  accounts::Account NewAccount(const std::string& name) {
    int64_t op = NewUser("运营者");
    auto subject = NewSubject(op);
    auto a = NewAccountOf(op, subject.id, name);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return *a;
  }

  Result<content::PublishResult> Publish(const accounts::Account& account, bool ad = false,
                                         bool original = false) {
    content::ArticleInput in;
    in.title = "一篇文章" + std::to_string(++seq_);
    in.body = "正文内容，欢迎讨论。编号" + std::to_string(seq_);
    in.advertising = ad;
    in.original = original;
    return articles_->Publish(account.owner_user_id, account.id, in, meta_);
  }

  Result<sanctions::Sanction> Issue(const std::string& type, int64_t id, const std::string& measure,
                                    const std::string& reason,
                                    std::optional<Micros> ends = std::nullopt) {
    sanctions::NewSanction s;
    s.target = {type, id, ""};
    s.measure = measure;
    if (measure == "restrict") s.function = "comment";
    s.reason_code = reason;
    s.ends_at = ends;
    return accounts_->IssueSanction("user:9999", s, meta_);
  }

  Status Lift(int64_t id, sanctions::LiftKind kind) {
    return storage::RunInTransaction(
        *db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
          return sanctions_->Lift(tx, id, "复核", {"user:9999", "req"}, kind).status();
        });
  }

  int64_t ScoreOf(int64_t subject) {
    auto c = credit_->Credit(subject, 500);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->score : -1;
  }
  std::vector<LedgerEntry> History(int64_t subject) {
    auto c = credit_->Credit(subject, 500);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->history : std::vector<LedgerEntry>{};
  }

  FakeClock clock_;
  SeededRandom random_{17};
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
  std::unique_ptr<CreditService> credit_;
  std::unique_ptr<subjects::SubjectService> subjects_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<provenance::ProvenanceService> provenance_;
  std::unique_ptr<content::ArticleService> articles_;
  std::unique_ptr<social::SocialService> social_;
  std::unique_ptr<groups::GroupService> groups_;
  std::map<int64_t, std::string> phones_;
  int seq_ = 0;
};

TEST(CreditRules, DefaultRulesLevelsSeveritiesAndVersion) {
  auto r = ParseRules(DefaultRulesToml());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->start, 100);
  EXPECT_EQ(r->LevelFor(110).level, "A");
  EXPECT_EQ(r->LevelFor(90).level, "A");
  EXPECT_EQ(r->LevelFor(89).level, "B");
  EXPECT_EQ(r->LevelFor(75).level, "B");
  EXPECT_EQ(r->LevelFor(74).level, "C");
  EXPECT_EQ(r->LevelFor(60).level, "C");
  EXPECT_EQ(r->LevelFor(59).level, "D");
  EXPECT_EQ(r->LevelFor(0).level, "D");
  EXPECT_FALSE(r->LevelFor(10).advertising);
  EXPECT_EQ(r->DeductionFor("warning", "harmful_content"), 5);
  EXPECT_EQ(r->DeductionFor("warning", "rumour"), 15);  // a rumour weighs more than a warning
  EXPECT_EQ(r->DeductionFor("restrict", "spam"), 15);
  EXPECT_EQ(r->DeductionFor("close_account", "spam"), 40);
  EXPECT_EQ(r->DeductionFor("blacklist", "rumour"), 40);
  EXPECT_EQ(r->DeductionFor("suspend_updates", "inactivity"), 0);  // not a violation
  EXPECT_EQ(r->DeductionFor("ban_name", "impersonation"), 0);
  EXPECT_EQ(r->GradeFor(80).grade, "A");
  EXPECT_EQ(r->GradeFor(79).grade, "B");
  EXPECT_FALSE(r->GradeFor(39).recommendable);

  std::string v2(DefaultRulesToml());
  v2.replace(v2.find("version = 1"), 11, "version = 2");
  auto r2 = ParseRules(v2);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->version, 2);

  EXPECT_EQ(ParseRules("version = ").status().reason(), "invalid_credit_rules");
  std::string broken(DefaultRulesToml());
  broken.replace(broken.find("warning = \"minor\""), 17, "warning = \"tiny\"");
  auto bad = ParseRules(broken);
  EXPECT_EQ(bad.status().reason(), "invalid_credit_rules");
  EXPECT_EQ(bad.status().field(), "severity.warning");
  EXPECT_EQ(LoadRules("/nonexistent/credit.toml").status().reason(), "invalid_credit_rules");
}

TEST_P(CreditTest, SanctionsDeductInTheirTransactionAndOnlyOverturningRestores) {
  auto a = NewAccount("信用测试号");
  EXPECT_EQ(ScoreOf(a.subject_id), 100);
  EXPECT_TRUE(History(a.subject_id).empty());

  auto warning = Issue("account", a.id, "warning", "rumour");
  ASSERT_TRUE(warning.ok()) << warning.status().ToString();
  EXPECT_EQ(ScoreOf(a.subject_id), 85);
  auto h = History(a.subject_id);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, "violation");
  EXPECT_EQ(h[0].delta, -15);
  EXPECT_EQ(h[0].score_after, 85);
  EXPECT_EQ(h[0].reason_code, "rumour");
  EXPECT_EQ(h[0].cause, "sanction:" + std::to_string(warning->id));
  EXPECT_EQ(h[0].rules_version, 1);

  // A plain lift and expiry restore nothing.
  auto restrict = Issue("account", a.id, "restrict", "spam", clock_.Now() + kMicrosPerDay);
  ASSERT_TRUE(restrict.ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 70);
  clock_.Advance(2 * kMicrosPerDay);
  EXPECT_EQ(ScoreOf(a.subject_id), 70);
  ASSERT_TRUE(Lift(warning->id, sanctions::LiftKind::kLifted).ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 70);

  // Overturned: the deduction is reversed with a row linked to the same sanction.
  auto close = Issue("subject", a.subject_id, "warning", "harmful_content");
  ASSERT_TRUE(close.ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 65);
  ASSERT_TRUE(Lift(close->id, sanctions::LiftKind::kOverturned).ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 70);
  h = History(a.subject_id);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].kind, "overturned");
  EXPECT_EQ(h[0].delta, 5);
  EXPECT_EQ(h[0].cause, "sanction:" + std::to_string(close->id));
  EXPECT_EQ(h[0].actor, "user:9999");

  // A sanction on a person deducts from every subject the person owns.
  int64_t op = NewUser("运营者");
  auto s1 = NewSubject(op);
  auto s2 = NewSubject(op);
  ASSERT_TRUE(Issue("user", op, "warning", "harmful_content").ok());
  EXPECT_EQ(ScoreOf(s1.id), 95);
  EXPECT_EQ(ScoreOf(s2.id), 95);

  // A failing hook aborts the sanction (a subject lock is taken in the same transaction, and
  // a missing table fails): nothing is half-written.
  auto before = sanctions_->List({});
  ASSERT_TRUE(before.ok());
  const size_t sanctions_before = before->size();
  ASSERT_TRUE(
      storage::RunInTransaction(*db_, storage::TxMode::kWrite, [](storage::Transaction& tx) {
        return tx.ExecuteScript("ALTER TABLE credit_ledger RENAME TO credit_ledger_x");
      }).ok());
  EXPECT_FALSE(Issue("subject", s1.id, "warning", "spam").ok());
  auto after = sanctions_->List({});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), sanctions_before);
  ASSERT_TRUE(
      storage::RunInTransaction(*db_, storage::TxMode::kWrite, [](storage::Transaction& tx) {
        return tx.ExecuteScript("ALTER TABLE credit_ledger_x RENAME TO credit_ledger");
      }).ok());
  EXPECT_EQ(ScoreOf(s1.id), 95);
}

TEST_P(CreditTest, RecoveryForCleanTimeIsIdempotent) {
  auto a = NewAccount("恢复测试号");
  ASSERT_TRUE(Issue("account", a.id, "restrict", "spam", clock_.Now() + kMicrosPerDay).ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 85);
  clock_.Advance(29 * kMicrosPerDay);
  auto r = credit_->RunJobs(false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->recovered, 0);
  EXPECT_EQ(ScoreOf(a.subject_id), 85);
  clock_.Advance(32 * kMicrosPerDay);  // 61 days clean: two periods
  r = credit_->RunJobs(false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recovered, 1);
  EXPECT_EQ(ScoreOf(a.subject_id), 89);
  const size_t rows = History(a.subject_id).size();
  r = credit_->RunJobs(false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recovered, 0);
  EXPECT_EQ(ScoreOf(a.subject_id), 89);
  EXPECT_EQ(History(a.subject_id).size(), rows);
  auto h = History(a.subject_id);
  EXPECT_EQ(h[0].kind, "recovery");
  EXPECT_EQ(h[0].cause, "recovery");
  EXPECT_EQ(h[0].delta, 4);
  // The third period counts from the end of the second, not from this run.
  clock_.Advance(29 * kMicrosPerDay);
  ASSERT_TRUE(credit_->RunJobs(false).ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 91);
  // Recovery stops at the start score.
  clock_.Advance(400 * kMicrosPerDay);
  ASSERT_TRUE(credit_->RunJobs(false).ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 100);
  // A new violation restarts the clean period.
  ASSERT_TRUE(Issue("account", a.id, "warning", "spam").ok());
  clock_.Advance(20 * kMicrosPerDay);
  ASSERT_TRUE(credit_->RunJobs(false).ok());
  EXPECT_EQ(ScoreOf(a.subject_id), 95);
}

TEST_P(CreditTest, QualificationBonusFollowsValidity) {
  auto a = NewAccount("资质测试号");
  // The qualification review is the accounts module's; its outcome is a row in qualifications.
  Micros expires = clock_.Now() + 10 * kMicrosPerDay;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
          return tx
              .Execute(
                  "INSERT INTO qualifications (account_id, kind, licence_number, "
                  "issuer, expires_at, document_media_id, status, submitted_at, "
                  "decision_reason) VALUES (?, 'professional', 'L1', '发证机关', "
                  "?, 'm', 'approved', ?, '')",
                  {a.id, expires + i * kMicrosPerDay, clock_.Now()})
              .status();
        }).ok());
  }
  auto r = credit_->RunJobs(false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->bonuses_granted, 2);  // at most 10 points
  EXPECT_EQ(ScoreOf(a.subject_id), 110);
  EXPECT_EQ(credit_->RunJobs(false)->bonuses_granted, 0);
  EXPECT_EQ(ScoreOf(a.subject_id), 110);
  auto h = History(a.subject_id);
  EXPECT_EQ(h[0].kind, "qualification");
  EXPECT_EQ(h[0].cause.rfind("qualification:", 0), 0u);
  clock_.Advance(10 * kMicrosPerDay + kMicrosPerHour);  // the first expires
  r = credit_->RunJobs(false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bonuses_withdrawn, 1);
  EXPECT_EQ(r->bonuses_granted, 1);  // the third takes its place
  EXPECT_EQ(ScoreOf(a.subject_id), 110);
  clock_.Advance(5 * kMicrosPerDay);
  r = credit_->RunJobs(false);
  EXPECT_EQ(r->bonuses_withdrawn, 2);
  EXPECT_EQ(ScoreOf(a.subject_id), 100);
}

TEST_P(CreditTest, LevelsDecidePublishingAdvertisingGroupsAndAccounts) {
  auto a = NewAccount("等级测试号");
  // Level A, no grade stored yet: 50 a day; advertising allowed.
  ASSERT_TRUE(Publish(a, /*ad=*/true).ok());
  auto adj = credit_->Adjust(a.subject_id, -45, "多次违规，人工调整", {"user:1", "req-2"});
  ASSERT_TRUE(adj.ok()) << adj.status().ToString();
  EXPECT_EQ(adj->score_after, 55);
  EXPECT_EQ(adj->kind, "adjustment");
  audit::Filter f;
  f.action = "credit.adjust";
  EXPECT_EQ(audit_.Query(*db_, f)->entries.size(), 1u);
  EXPECT_EQ(credit_->Adjust(a.subject_id, 0, "x", {"user:1", ""}).status().reason(),
            "invalid_delta");
  EXPECT_EQ(credit_->Adjust(a.subject_id, 5, " ", {"user:1", ""}).status().reason(),
            "invalid_reason");
  EXPECT_EQ(credit_->Adjust(987654, 5, "x", {"user:1", ""}).status().reason(), "subject_not_found");

  // Level D: no advertising, one article a day (already published today).
  auto ad = Publish(a, /*ad=*/true);
  EXPECT_EQ(ad.status().reason(), "credit_limited");
  EXPECT_NE(ad.status().message().find("advertising"), std::string::npos);
  auto more = Publish(a);
  EXPECT_EQ(more.status().reason(), "credit_limited");
  EXPECT_NE(more.status().message().find("credit level D"), std::string::npos);
  clock_.Advance(kMicrosPerDay + kMicrosPerSecond);
  EXPECT_TRUE(Publish(a).ok());
  EXPECT_EQ(Publish(a).status().reason(), "credit_limited");

  // Groups: a D-level user creates none.
  auto g = groups_->Create(a.owner_user_id, "读书会", "", meta_);
  EXPECT_EQ(g.status().reason(), "credit_limited");
  ASSERT_TRUE(credit_->Adjust(a.subject_id, 10, "整改完成", {"user:1", ""}).ok());  // 65: C
  EXPECT_TRUE(groups_->Create(a.owner_user_id, "读书会", "", meta_).ok());
  EXPECT_EQ(groups_->Create(a.owner_user_id, "摄影会", "", meta_).status().reason(),
            "credit_limited");

  // Accounts: level C holds one account; the platform cap (3) applies at A.
  auto second = NewAccountOf(a.owner_user_id, a.subject_id, "等级测试二号");
  EXPECT_EQ(second.status().reason(), "account_cap_reached");
  ASSERT_TRUE(credit_->Adjust(a.subject_id, 35, "恢复", {"user:1", ""}).ok());  // 100: A
  EXPECT_TRUE(NewAccountOf(a.owner_user_id, a.subject_id, "等级测试二号").ok());
}

TEST_P(CreditTest, GradesFromQualityReachAndCreditAreRecomputedOnEvents) {
  auto a = NewAccount("分级测试号");
  auto g = credit_->GradeOf(a.id);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_FALSE(g->stored);
  EXPECT_EQ(g->components.credit_points, 40);
  EXPECT_EQ(g->components.quality_points, 30);
  EXPECT_EQ(g->components.points, 70);
  EXPECT_EQ(g->rule.grade, "B");

  ASSERT_TRUE(Publish(a, false, /*original=*/true).ok());
  ASSERT_TRUE(Publish(a, false, /*original=*/false).ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(social_->Follow(NewUser(), a.id, meta_).ok());
  }
  auto jobs = credit_->RunJobs(true);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  EXPECT_GE(jobs->grades_computed, 1);
  g = credit_->GradeOf(a.id);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->stored);
  EXPECT_EQ(g->components.published_articles, 2);
  EXPECT_EQ(g->components.original_articles, 1);
  EXPECT_EQ(g->components.originality_points, 7);  // 15 * 1 / 2
  EXPECT_EQ(g->components.followers, 10);
  EXPECT_EQ(g->components.follower_points, 4);
  EXPECT_EQ(g->components.points, 40 + 30 + 7 + 4);
  EXPECT_EQ(g->rule.grade, "A");
  EXPECT_EQ(g->rule.publish_percent, 150);

  // A sanction on the account: credit 85 (34 points), one violation (20 points).
  auto s = Issue("account", a.id, "warning", "rumour");
  ASSERT_TRUE(s.ok());
  g = credit_->GradeOf(a.id);
  EXPECT_EQ(g->components.violations, 1);
  EXPECT_EQ(g->components.credit_score, 85);
  EXPECT_EQ(g->components.credit_level, "B");
  EXPECT_EQ(g->components.points, 34 + 20 + 7 + 4);
  EXPECT_EQ(g->rule.grade, "B");
  // Overturned: the violation no longer counts and the credit is back.
  ASSERT_TRUE(Lift(s->id, sanctions::LiftKind::kOverturned).ok());
  g = credit_->GradeOf(a.id);
  EXPECT_EQ(g->components.violations, 0);
  EXPECT_EQ(g->components.points, 81);
  EXPECT_EQ(g->rule.grade, "A");

  // Three violations: quality 0, credit 55 (22): grade D, not recommendable, a quarter of the
  // level's rate (level D: 1 a day, at least 1).
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Issue("account", a.id, "restrict", "spam").ok());
  g = credit_->GradeOf(a.id);
  EXPECT_EQ(g->components.quality_points, 0);
  EXPECT_EQ(g->rule.grade, "D");
  EXPECT_FALSE(g->rule.recommendable);
  EXPECT_EQ(credit_->GradeOf(987654).status().reason(), "account_not_found");
}

}  // namespace
}  // namespace herald::credit
