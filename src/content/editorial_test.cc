// The editorial side of ArticleService on SQLite with a fake clock, over the real account
// service: members and agencies of organisation accounts (PA-16.1, PA-16.2), the draft workflow,
// versions of edited articles, tags and the purge after the retention period (PA17-16).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "content/article_service.h"
#include "identity/id_numbers.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"

namespace herald::content {
namespace {

namespace fs = std::filesystem;

// Keeps the one-time code of the last message, so subjects go through the real verification.
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

class EditorialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(storage::Backend::kSqlite);
    ASSERT_TRUE(url.ok());
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
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();

    dir_ = fs::temp_directory_path() /
           ("herald_editorial_" + std::to_string(::getpid()) + "_" +
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
    ContentOptions co;
    co.retention = 30 * kMicrosPerDay;  // below the floor: raised to 180 days
    articles_ =
        std::make_unique<ArticleService>(*db_, audit_, clock_, random_, *accounts_, *screening_,
                                         *provenance_, *review_, *screening_norm_, co);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A registered user with a fresh mobile number.
  int64_t NewUser() {
    const std::string phone = "1390000" + std::to_string(1000 + ++seq_);
    auto u = auth_->Register(phone, "password-123", "user", meta_);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    phones_[u->id] = phone;
    return u->id;
  }

  // An active account of a new operator (verified subject, agreement accepted).
  accounts::Account NewAccount(const std::string& name) {
    int64_t op = NewUser();
    const std::string& phone = phones_[op];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    auto subject = subjects_->CreateIndividual(
        op,
        {"张三", identity::MakeResidentId("110101", "19900307", 100 + seq_), phone, ch->id,
         sms_.last_code()},
        meta_);
    EXPECT_TRUE(subject.ok()) << subject.status().ToString();
    auto doc = accounts_->GetDocument(accounts::kServiceAgreement, 0);
    EXPECT_TRUE(doc.ok());
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
    EXPECT_EQ(a->status, "active");
    return *a;
  }

  // A user with a verified individual subject (may become a member).
  int64_t VerifiedUser() {
    int64_t u = NewUser();
    const std::string& phone = phones_[u];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    auto subject = subjects_->CreateIndividual(
        u,
        {"李四", identity::MakeResidentId("110101", "19900307", 100 + seq_), phone, ch->id,
         sms_.last_code()},
        meta_);
    EXPECT_TRUE(subject.ok()) << subject.status().ToString();
    return u;
  }

  // An active account of an organisation subject.
  accounts::Account NewOrgAccount(const std::string& name) {
    int64_t op = NewUser();
    const std::string& phone = phones_[op];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    subjects::OrganisationInput oi;
    oi.org_name = "北京示例文化传媒有限公司";
    oi.org_type = "enterprise";
    oi.credit_code =
        identity::MakeCreditCode('9', '1', "110108", "MA01ABC" + std::to_string(seq_ % 10));
    oi.legal_rep_name = "王五";
    oi.legal_rep_id_number = identity::MakeResidentId("110101", "19800101", 200 + seq_);
    oi.legal_rep_phone = phone;
    oi.otp_challenge = ch->id;
    oi.otp_code = sms_.last_code();
    auto subject = subjects_->CreateOrganisation(op, oi, meta_);
    EXPECT_TRUE(subject.ok()) << subject.status().ToString();
    auto doc = accounts_->GetDocument(accounts::kServiceAgreement, 0);
    EXPECT_TRUE(
        accounts_->AcceptDocument(op, accounts::kServiceAgreement, doc->version, meta_).ok());
    accounts::AccountInput in;
    in.subject_id = subject->id;
    in.name = name;
    in.bio = "一个机构测试账号";
    in.category = "technology";
    in.registered_place = "北京市";
    in.operating_place = "北京市";
    in.contact = "ops@example.cn";
    in.business_scope = "文化传播";
    auto a = accounts_->Create(op, in, meta_);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->status, "active");
    return *a;
  }

  // A published article of `account`.
  int64_t Publish(const accounts::Account& account, const std::string& title,
                  const std::string& body) {
    ArticleInput in;
    in.title = title;
    in.body = body;
    auto r = articles_->Publish(account.owner_user_id, account.id, in, meta_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->article.status, "published");
    return r->article.id;
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
  SeededRandom random_{7};
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
  std::unique_ptr<ArticleService> articles_;
  std::map<int64_t, std::string> phones_;
  int seq_ = 0;
};

TEST_F(EditorialTest, OwnerManagesVerifiedMembersAudited) {
  auto org = NewOrgAccount("示例机构号");
  int64_t owner = org.owner_user_id;
  int64_t editor = VerifiedUser();
  int64_t unverified = NewUser();

  EXPECT_EQ(accounts_->AddMember(owner, org.id, unverified, "editor", meta_).status().reason(),
            "user_not_verified");
  EXPECT_EQ(accounts_->AddMember(owner, org.id, editor, "admin", meta_).status().reason(),
            "invalid_member_role");
  EXPECT_EQ(accounts_->AddMember(editor, org.id, editor, "editor", meta_).status().reason(),
            "not_account_owner");
  EXPECT_EQ(accounts_->AddMember(owner, org.id, owner, "editor", meta_).status().reason(),
            "member_is_owner");
  auto m = accounts_->AddMember(owner, org.id, editor, "editor", meta_);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->role, "editor");
  EXPECT_EQ(accounts_->AddMember(owner, org.id, editor, "reviewer", meta_).status().reason(),
            "member_exists");
  EXPECT_EQ(*accounts_->RoleOf(org.id, editor), "editor");
  EXPECT_EQ(*accounts_->RoleOf(org.id, owner), "owner");
  EXPECT_EQ(*accounts_->RoleOf(org.id, unverified), "");
  EXPECT_EQ(accounts_->ListMembers(org.id)->size(), 1u);

  // An individual account has no members.
  auto personal = NewAccount("个人号");
  EXPECT_EQ(accounts_->AddMember(personal.owner_user_id, personal.id, editor, "editor", meta_)
                .status()
                .reason(),
            "not_organisation_account");

  ASSERT_TRUE(accounts_->RemoveMember(owner, org.id, editor, meta_).ok());
  EXPECT_EQ(accounts_->RemoveMember(owner, org.id, editor, meta_).reason(), "member_not_found");
  EXPECT_EQ(*accounts_->RoleOf(org.id, editor), "");
  EXPECT_EQ(Audit("account.member.add").size(), 1u);
  EXPECT_EQ(Audit("account.member.remove").size(), 1u);
}

TEST_F(EditorialTest, AgenciesAreRecordedCheckedAndEnded) {
  auto org = NewOrgAccount("代运营示例号");
  int64_t owner = org.owner_user_id;
  accounts::AgencyInput in;
  in.name = "上海某某网络代运营有限公司";
  in.credit_code = identity::MakeCreditCode('9', '1', "310000", "MA1K0000");
  in.agreement_ref = "DY-2026-001";
  in.starts_at = clock_.Now();
  in.ends_at = clock_.Now() + 365 * kMicrosPerDay;
  in.scope = "日常内容编辑与发布";

  auto bad = in;
  bad.credit_code = in.credit_code.substr(0, 17) + (in.credit_code[17] == '1' ? "2" : "1");
  EXPECT_EQ(accounts_->RecordAgency(owner, org.id, bad, meta_).status().reason(),
            "credit_code_checksum");
  bad = in;
  bad.ends_at = in.starts_at;
  EXPECT_EQ(accounts_->RecordAgency(owner, org.id, bad, meta_).status().reason(), "invalid_period");
  EXPECT_EQ(accounts_->RecordAgency(VerifiedUser(), org.id, in, meta_).status().reason(),
            "not_account_owner");

  auto a = accounts_->RecordAgency(owner, org.id, in, meta_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->status, "active");
  EXPECT_EQ(a->credit_code, in.credit_code);
  auto ended = accounts_->EndAgency(owner, org.id, a->id, "协议提前终止", meta_);
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_EQ(ended->status, "ended");
  EXPECT_EQ(accounts_->EndAgency(owner, org.id, a->id, "again", meta_).status().reason(),
            "agency_ended");
  auto list = accounts_->ListAgencies(org.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].status, "ended");
  EXPECT_EQ((*list)[0].end_reason, "协议提前终止");
  EXPECT_EQ(Audit("account.agency.record").size(), 1u);
  EXPECT_EQ(Audit("account.agency.end").size(), 1u);
}

TEST_F(EditorialTest, DraftMovesThroughTheWorkflowWithHistory) {
  auto org = NewOrgAccount("机构新闻号");
  int64_t owner = org.owner_user_id;
  int64_t editor = VerifiedUser(), reviewer = VerifiedUser(), outsider = VerifiedUser();
  ASSERT_TRUE(accounts_->AddMember(owner, org.id, editor, "editor", meta_).ok());
  ASSERT_TRUE(accounts_->AddMember(owner, org.id, reviewer, "reviewer", meta_).ok());

  ArticleInput in;
  in.title = "机构动态";
  in.body = "本周我们发布了新的开源工具。";
  in.tags = {"#Open-Source", "工具"};
  // Members of an organisation account do not publish directly.
  EXPECT_EQ(articles_->Publish(editor, org.id, in, meta_).status().reason(),
            "editorial_workflow_required");
  EXPECT_EQ(articles_->CreateDraft(reviewer, org.id, in, meta_).status().reason(),
            "role_not_allowed");
  EXPECT_EQ(articles_->CreateDraft(outsider, org.id, in, meta_).status().reason(),
            "not_account_member");

  auto d = articles_->CreateDraft(editor, org.id, in, meta_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->status, "draft");
  EXPECT_EQ(d->content.tags, (std::vector<std::string>{"open-source", "工具"}));
  EXPECT_EQ(articles_->GetDraft(outsider, false, d->id).status().reason(), "draft_not_found");
  EXPECT_TRUE(articles_->GetDraft(outsider, true, d->id).ok());  // staff

  EXPECT_EQ(articles_->PublishDraft(editor, d->id, meta_).status().reason(), "invalid_draft_state");
  ASSERT_TRUE(articles_->SubmitDraft(editor, d->id, meta_).ok());
  in.title = "改过的标题";
  EXPECT_EQ(articles_->UpdateDraft(editor, d->id, in, meta_).status().reason(),
            "invalid_draft_state");
  EXPECT_EQ(articles_->ApproveDraft(editor, d->id, "", meta_).status().reason(),
            "role_not_allowed");
  EXPECT_EQ(articles_->ReturnDraft(reviewer, d->id, "", meta_).status().reason(), "invalid_note");
  auto returned = articles_->ReturnDraft(reviewer, d->id, "标题再具体些", meta_);
  ASSERT_TRUE(returned.ok()) << returned.status().ToString();
  EXPECT_EQ(returned->status, "draft");
  EXPECT_EQ(returned->return_note, "标题再具体些");
  ASSERT_TRUE(articles_->UpdateDraft(editor, d->id, in, meta_).ok());
  ASSERT_TRUE(articles_->SubmitDraft(editor, d->id, meta_).ok());
  clock_.Advance(kMicrosPerMinute);
  auto approved = articles_->ApproveDraft(reviewer, d->id, "可以发布", meta_);
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->approved_by, reviewer);
  EXPECT_EQ(articles_->PublishDraft(reviewer, d->id, meta_).status().reason(), "role_not_allowed");

  auto pub = articles_->PublishDraft(editor, d->id, meta_);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->article.status, "published");
  EXPECT_EQ(pub->article.title, "改过的标题");
  EXPECT_EQ(pub->article.draft_id, d->id);
  EXPECT_EQ(pub->article.author_user_id, editor);
  EXPECT_EQ(pub->article.tags, (std::vector<std::string>{"open-source", "工具"}));

  auto done = articles_->GetDraft(reviewer, false, d->id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, "published");
  EXPECT_EQ(done->article_id, pub->article.id);
  std::vector<std::string> actions;
  for (const auto& e : done->history) actions.push_back(e.action + ":" + e.role);
  EXPECT_EQ(actions, (std::vector<std::string>{"create:editor", "submit:editor", "return:reviewer",
                                               "update:editor", "submit:editor", "approve:reviewer",
                                               "publish:editor"}));
  EXPECT_EQ(done->history[5].actor_user_id, reviewer);
  EXPECT_EQ(done->history[5].at, done->history[4].at + kMicrosPerMinute);
  EXPECT_EQ(Audit("draft.approve").size(), 1u);
  EXPECT_EQ(articles_->PublishDraft(editor, d->id, meta_).status().reason(), "invalid_draft_state");

  // The owner may still publish directly, and approve their own submission.
  EXPECT_TRUE(articles_->Publish(owner, org.id, in, meta_).ok());
  auto own = articles_->CreateDraft(owner, org.id, in, meta_);
  ASSERT_TRUE(own.ok());
  ASSERT_TRUE(articles_->SubmitDraft(owner, own->id, meta_).ok());
  EXPECT_TRUE(articles_->ApproveDraft(owner, own->id, "", meta_).ok());
}

TEST_F(EditorialTest, NoOneButTheOwnerApprovesTheirOwnSubmission) {
  auto org = NewOrgAccount("自审测试号");
  int64_t owner = org.owner_user_id, member = VerifiedUser();
  ASSERT_TRUE(accounts_->AddMember(owner, org.id, member, "editor", meta_).ok());
  ArticleInput in;
  in.title = "自审";
  in.body = "内容";
  auto d = articles_->CreateDraft(member, org.id, in, meta_);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(articles_->SubmitDraft(member, d->id, meta_).ok());
  // The editor becomes a reviewer: still not for their own submission.
  ASSERT_TRUE(accounts_->RemoveMember(owner, org.id, member, meta_).ok());
  ASSERT_TRUE(accounts_->AddMember(owner, org.id, member, "reviewer", meta_).ok());
  EXPECT_EQ(articles_->ApproveDraft(member, d->id, "", meta_).status().reason(), "self_approval");
  EXPECT_TRUE(articles_->ApproveDraft(owner, d->id, "", meta_).ok());
}

TEST_F(EditorialTest, EditsKeepVersionsAndPassScreeningAgain) {
  auto account = NewAccount("版本测试号");
  int64_t owner = account.owner_user_id;
  ArticleInput in;
  in.title = "第一版";
  in.body = "最初的正文。";
  in.tags = {"版本"};
  auto p = articles_->Publish(owner, account.id, in, meta_);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  int64_t id = p->article.id;

  ArticleEdit blocked;
  blocked.body = "欢迎来赌博";
  EXPECT_EQ(articles_->Edit(owner, id, blocked, meta_).status().reason(), "illegal_content");
  EXPECT_EQ(articles_->Edit(owner, id, ArticleEdit{}, meta_).status().reason(), "no_changes");
  ArticleEdit e;
  e.title = "第二版";
  e.tags = std::vector<std::string>{"版本", "更新"};
  EXPECT_EQ(articles_->Edit(VerifiedUser(), id, e, meta_).status().reason(), "not_account_owner");
  clock_.Advance(kMicrosPerHour);
  auto edited = articles_->Edit(owner, id, e, meta_);
  ASSERT_TRUE(edited.ok()) << edited.status().ToString();
  EXPECT_EQ(edited->article.status, "published");
  EXPECT_EQ(edited->article.title, "第二版");
  EXPECT_EQ(edited->article.body, "最初的正文。");
  EXPECT_EQ(edited->article.version, 2);
  EXPECT_EQ(edited->article.tags, (std::vector<std::string>{"版本", "更新"}));

  auto versions = articles_->Versions(id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 1);
  EXPECT_EQ((*versions)[0].title, "第一版");
  EXPECT_EQ((*versions)[0].tags, (std::vector<std::string>{"版本"}));
  EXPECT_EQ((*versions)[0].replaced_at, clock_.Now());
  EXPECT_EQ((*versions)[1].version, 2);
  EXPECT_EQ((*versions)[1].title, "第二版");
  EXPECT_FALSE((*versions)[1].replaced_at.has_value());
  EXPECT_EQ(Audit("article.edit").size(), 1u);

  // A review term holds the edited article (hidden until a moderator decides).
  ArticleEdit review;
  review.body = "最新的刷单兼职信息";
  auto held = articles_->Edit(owner, id, review, meta_);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(held->article.status, "held");
  EXPECT_TRUE(held->review_id.has_value());
  EXPECT_EQ(articles_->GetPublic(id).status().reason(), "article_not_found");
  EXPECT_EQ(articles_->Versions(id)->size(), 3u);
}

TEST_F(EditorialTest, TagsAreNormalisedLimitedScreenedAndListed) {
  auto account = NewAccount("标签测试号");
  EXPECT_EQ(*ArticleService::NormalizeTag("  #Rust "), "rust");
  EXPECT_EQ(ArticleService::NormalizeTag("a b").status().reason(), "invalid_tag");
  EXPECT_EQ(ArticleService::NormalizeTag(std::string(21, 'x')).status().reason(), "invalid_tag");
  EXPECT_EQ(ArticleService::NormalizeTag("").status().reason(), "invalid_tag");
  ArticleInput in;
  in.title = "标签";
  in.body = "正文";
  for (int i = 0; i < 11; ++i) in.tags.push_back("t" + std::to_string(i));
  EXPECT_EQ(articles_->Publish(account.owner_user_id, account.id, in, meta_).status().reason(),
            "too_many_tags");
  in.tags = {"赌博"};
  auto refused = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  EXPECT_EQ(refused.status().reason(), "illegal_content");
  EXPECT_EQ(refused.status().field(), "tags");
  in.tags = {"Rust", "rust", "#RUST"};
  auto a = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->article.tags, std::vector<std::string>{"rust"});
  auto b = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(articles_->Delete(account.owner_user_id, b->article.id, meta_).ok());
  auto list = articles_->ListByTag("#RUST", 20, std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);  // published only
  EXPECT_EQ((*list)[0].id, a->article.id);
}

TEST_F(EditorialTest, DeletedArticlesArePurgedOnlyAfterTheRetentionPeriod) {
  auto account = NewAccount("清理测试号");
  int64_t owner = account.owner_user_id;
  ArticleInput in;
  in.title = "将被删除";
  in.body = "这篇文章会被删除。";
  in.tags = {"清理"};
  auto p = articles_->Publish(owner, account.id, in, meta_);
  ASSERT_TRUE(p.ok());
  ArticleEdit e;
  e.title = "删除前改过";
  ASSERT_TRUE(articles_->Edit(owner, p->article.id, e, meta_).ok());
  in.title = "保留的文章";
  auto kept = articles_->Publish(owner, account.id, in, meta_);
  ASSERT_TRUE(kept.ok());
  // A held article deleted by its operator while its review item is still open.
  ArticleInput held_in;
  held_in.title = "待审后删除";
  held_in.body = "最新的刷单兼职信息";
  auto held = articles_->Publish(owner, account.id, held_in, meta_);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->article.status, "held");
  ASSERT_TRUE(held->review_id.has_value());
  ASSERT_TRUE(articles_->Delete(owner, held->article.id, meta_).ok());
  ASSERT_TRUE(articles_->Delete(owner, p->article.id, meta_).ok());
  const Micros deleted_at = clock_.Now();

  // The configured 30 days were raised to the 180-day floor.
  auto early = articles_->PurgeExpired("system", deleted_at + 179 * kMicrosPerDay, false, meta_);
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->articles, 0);
  EXPECT_TRUE(articles_->Get(p->article.id).ok());

  const Micros later = deleted_at + 181 * kMicrosPerDay;
  auto dry = articles_->PurgeExpired("cli", later, true, meta_);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->articles, 2);
  EXPECT_EQ(dry->versions, 1);
  EXPECT_EQ(dry->tags, 1);
  EXPECT_TRUE(articles_->Get(p->article.id).ok());
  EXPECT_TRUE(Audit("content.purge").empty());

  auto purged = articles_->PurgeExpired("system", later, false, meta_);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->articles, 2);
  EXPECT_EQ(articles_->Get(p->article.id).status().reason(), "article_not_found");
  // The purged article's open review item can still be decided (it changes nothing).
  auto decided =
      review_->Decide(*held->review_id, "reject", "illegal_content", "", false, {"user:77", ""});
  EXPECT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_TRUE(articles_->GetPublic(kept->article.id).ok());
  EXPECT_EQ(articles_->ListByTag("清理", 20, std::nullopt)->size(), 1u);
  EXPECT_EQ(Audit("content.purge").size(), 1u);
  EXPECT_EQ(articles_->PurgeExpired("system", later, false, meta_)->articles, 0);
}

// The purge job runs every jobs interval inside a write transaction: on a platform where nearly
// every article is published (and ANALYZE says so), finding its candidates must not scan the
// articles table (it did: 4 s for a million articles; docs/benchmarks.md).
TEST_F(EditorialTest, AnArticleReadsBackWithItsTagsInTheirOrder) {
  auto account = NewAccount("标签顺序号");
  ArticleInput in;
  in.title = "标签顺序";
  in.body = "正文";
  // Neither alphabetical nor by length; one holds the separator of position and tag.
  in.tags = {"zeta", "a:b", "中文", "alpha", "m", "9", "yy", "b", "x1", "k"};
  auto p = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const std::vector<std::string> want = {"zeta", "a:b", "中文", "alpha", "m",
                                         "9",    "yy",  "b",    "x1",    "k"};
  EXPECT_EQ(p->article.tags, want);
  auto got = articles_->GetPublic(p->article.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tags, want);
  in.tags = {};
  auto untagged = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  ASSERT_TRUE(untagged.ok());
  EXPECT_TRUE(articles_->Get(untagged->article.id)->tags.empty());
}

TEST_F(EditorialTest, AnArticleFromBeforeRenderedBodiesReadsAsEscapedText) {
  auto account = NewAccount("旧文章号");
  ArticleInput in;
  in.title = "旧文章";
  in.body = "第一段 <b>粗</b> & 'x' \"y\" **星**\n第一段续\n\n\n第二段";
  auto p = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  // As content/0002_body_html left articles published before it.
  auto cleared =
      storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        return tx.Execute("UPDATE articles SET body_html = '' WHERE id = ?", {p->article.id})
            .status();
      });
  ASSERT_TRUE(cleared.ok());
  auto got = articles_->GetPublic(p->article.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body_html,
            "<p>第一段 &lt;b&gt;粗&lt;/b&gt; &amp; &#39;x&#39; &quot;y&quot; **星**\n第一段续</p>\n"
            "<p>\n第二段</p>\n");
  // So does the page a reader loads (the Markdown read only for such an article).
  auto tx = db_->Begin(storage::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto page = articles_->GetPage(**tx, p->article.id);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->body_html, got->body_html);
}

TEST_F(EditorialTest, TheEditorsTextsLiveBesideTheRowAReaderLoads) {
  auto account = NewAccount("分表号");
  ArticleInput in;
  in.title = "分表";
  in.summary = "摘要";
  in.body = "第一版 **正文**";
  auto p = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const int64_t id = p->article.id;
  EXPECT_EQ(p->article.body, "第一版 **正文**");  // the owner's view has the Markdown
  auto row_texts = [&](const std::string& sql) {
    auto tx = db_->Begin(storage::TxMode::kRead);
    EXPECT_TRUE(tx.ok());
    auto rows = (*tx)->Query(sql, {id});
    EXPECT_TRUE(rows.ok() && rows->size() == 1);
    std::vector<std::string> out;
    for (size_t i = 0; i < 4; ++i) out.push_back(rows->rows[0].Text(i));
    return out;
  };
  const std::string in_row =
      "SELECT body, source_title, source_summary, source_body FROM articles WHERE id = ?";
  const std::string beside =
      "SELECT body, source_title, source_summary, source_body FROM article_sources WHERE "
      "article_id = ?";
  EXPECT_EQ(row_texts(in_row), (std::vector<std::string>{"", "", "", ""}));
  EXPECT_EQ(row_texts(beside),
            (std::vector<std::string>{"第一版 **正文**", "分表", "摘要", "第一版 **正文**"}));
  {
    // A reader's page: the HTML, no Markdown.
    auto tx = db_->Begin(storage::TxMode::kRead);
    ASSERT_TRUE(tx.ok());
    auto page = articles_->GetPage(**tx, id);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->body, "");
    EXPECT_EQ(page->body_html, "<p>第一版 <strong>正文</strong></p>\n");
    EXPECT_EQ(page->title, "分表");
  }
  EXPECT_EQ(articles_->GetPublicByUid(p->article.content_id.substr(8))->body, "");
  EXPECT_EQ(articles_->Get(id)->body, "第一版 **正文**");

  // An edit writes the texts beside the row; versions keep the old ones.
  ArticleEdit edit;
  edit.body = "第二版";
  auto e = articles_->Edit(account.owner_user_id, id, edit, meta_);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->article.body, "第二版");
  EXPECT_EQ(row_texts(in_row), (std::vector<std::string>{"", "", "", ""}));
  EXPECT_EQ(row_texts(beside), (std::vector<std::string>{"第二版", "分表", "摘要", "第二版"}));
  auto versions = articles_->Versions(id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].body, "第一版 **正文**");
  EXPECT_EQ((*versions)[0].source_body, "第一版 **正文**");
  EXPECT_EQ((*versions)[1].source_body, "第二版");

  // content/0006 moves the texts of articles written before it and clears the row's copies.
  auto old_layout =
      storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE articles SET body = 'old **md**', source_title "
                                          "= '旧题', source_summary = '旧摘要', source_body = "
                                          "'old src' WHERE id = ?",
                                          {id})
                                   .status());
        HERALD_RETURN_IF_ERROR(tx.Execute("DROP TABLE article_sources").status());
        return tx.Execute("DELETE FROM schema_migrations WHERE id = 'content/0006_article_sources'")
            .status();
      });
  ASSERT_TRUE(old_layout.ok()) << old_layout.ToString();
  auto again = storage::Migrate(*db_, ArticleService::Migrations(), clock_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 1);
  EXPECT_EQ(row_texts(in_row), (std::vector<std::string>{"", "", "", ""}));
  EXPECT_EQ(row_texts(beside),
            (std::vector<std::string>{"old **md**", "旧题", "旧摘要", "old src"}));
  EXPECT_EQ(articles_->Get(id)->body, "old **md**");
}

TEST_F(EditorialTest, PurgeCandidatesComeFromTheRemovalIndexNotATableScan) {
  auto account = NewAccount("清理计划号");
  ArticleInput in;
  in.title = "常见的已发布文章";
  in.body = "大多数文章都处于已发布状态。";
  auto p = articles_->Publish(account.owner_user_id, account.id, in, meta_);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->article.status, "published");
  auto done =
      storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        // 1,000 more published copies (fresh uids), then the statistics of such a platform.
        HERALD_ASSIGN_OR_RETURN(auto columns,
                                tx.Query("SELECT name FROM pragma_table_info('articles') "
                                         "WHERE name NOT IN ('id', 'uid')"));
        std::string list;
        for (const auto& c : columns.rows) list += ", " + c.Text(0);
        for (int i = 0; i < 1000; ++i) {
          HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO articles (uid" + list +
                                                ") SELECT uid || ?" + list +
                                                " FROM articles WHERE id = ?",
                                            {std::to_string(i), p->article.id})
                                     .status());
        }
        return Status();
      });
  ASSERT_TRUE(done.ok()) << done.ToString();
  // ANALYZE and the plan on one connection (another would not reload the statistics).
  auto tx = db_->Begin(storage::TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE((*tx)->Execute("ANALYZE").ok());
  auto plan = (*tx)->Query(std::string("EXPLAIN QUERY PLAN ") + ArticleService::kPurgeCandidatesSql,
                           {int64_t{0}});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::string details;
  for (const auto& row : plan->rows) details += row.Text(3) + "\n";
  EXPECT_NE(details.find("USING INDEX articles_removed"), std::string::npos) << details;
  EXPECT_EQ(details.find("SCAN articles"), std::string::npos) << details;
}

TEST_F(EditorialTest, PurgeHooksRunInThePurgeTransactionAndRollItBackOnFailure) {
  auto account = NewAccount("清理钩子号");
  int64_t owner = account.owner_user_id;
  ArticleInput in;
  in.title = "将被清理";
  in.body = "这篇文章会被删除然后清理。";
  auto gone = articles_->Publish(owner, account.id, in, meta_);
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  in.title = "保留的文章";
  auto kept = articles_->Publish(owner, account.id, in, meta_);
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(articles_->Delete(owner, gone->article.id, meta_).ok());
  // Another module's rows keyed by article id.
  ASSERT_TRUE(
      storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        HERALD_RETURN_IF_ERROR(
            tx.Execute("CREATE TABLE other_rows (article_id BIGINT NOT NULL)").status());
        for (int64_t id : {gone->article.id, gone->article.id, kept->article.id}) {
          HERALD_RETURN_IF_ERROR(
              tx.Execute("INSERT INTO other_rows (article_id) VALUES (?)", {id}).status());
        }
        return Status();
      }).ok());
  bool fail = true;
  std::vector<std::vector<int64_t>> calls;
  articles_->RegisterPurgeHook(
      {"others", "nothing"},
      [&](storage::Transaction& tx, const std::vector<int64_t>& ids,
          bool dry_run) -> Result<PurgeCounts> {
        calls.push_back(ids);
        // The articles rows are still there when the hook runs.
        auto a = tx.Query("SELECT COUNT(*) FROM articles WHERE id = ?", {ids.at(0)});
        EXPECT_EQ(a->rows.at(0).Int(0), 1);
        auto n = tx.Query("SELECT COUNT(*) FROM other_rows WHERE article_id = ?", {ids.at(0)});
        if (!n.ok()) return n.status();
        if (!dry_run) {
          auto d = tx.Execute("DELETE FROM other_rows WHERE article_id = ?", {ids.at(0)});
          if (!d.ok()) return d.status();
        }
        if (fail && !dry_run) return Unavailable("the other module is down", "other_down");
        return PurgeCounts{{"others", n->rows.at(0).Int(0)}};
      });
  auto other_rows = [&] {
    auto tx = db_->Begin(storage::TxMode::kRead);
    return (*tx)->Query("SELECT COUNT(*) FROM other_rows", {})->rows.at(0).Int(0);
  };
  const Micros later = clock_.Now() + 181 * kMicrosPerDay;

  // Nothing to purge yet: the declared kinds are reported, zero, and the hook is not called.
  auto none = articles_->PurgeExpired("cli", clock_.Now(), true, meta_);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->related, (PurgeCounts{{"nothing", 0}, {"others", 0}}));
  EXPECT_TRUE(calls.empty());

  auto dry = articles_->PurgeExpired("cli", later, true, meta_);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->related, (PurgeCounts{{"nothing", 0}, {"others", 2}}));
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::vector<int64_t>{gone->article.id});
  EXPECT_EQ(other_rows(), 3);

  // A failing hook rolls the whole purge back: its own deletion and the articles stay.
  auto failed = articles_->PurgeExpired("system", later, false, meta_);
  EXPECT_EQ(failed.status().reason(), "other_down");
  EXPECT_EQ(other_rows(), 3);
  EXPECT_TRUE(articles_->Get(gone->article.id).ok());
  EXPECT_TRUE(Audit("content.purge").empty());

  fail = false;
  auto purged = articles_->PurgeExpired("system", later, false, meta_);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->articles, 1);
  EXPECT_EQ(purged->related, (PurgeCounts{{"nothing", 0}, {"others", 2}}));
  EXPECT_EQ(other_rows(), 1);
  EXPECT_EQ(articles_->Get(gone->article.id).status().reason(), "article_not_found");
  auto audited = Audit("content.purge");
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_NE(audited[0].details.find("\"others\":2"), std::string::npos) << audited[0].details;
  EXPECT_NE(audited[0].details.find("\"nothing\":0"), std::string::npos) << audited[0].details;
}

}  // namespace
}  // namespace herald::content
