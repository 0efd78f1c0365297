// ReportService on the backend the including file chooses (reports_test.cc: SQLite;
// reports_pgtest.cc: PostgreSQL), with the real review queue and notifications and a fake
// target resolver: validation, one open item per target, weights, campaign grouping, due
// times, handling with feedback, overdue escalation with a fake clock, rate limits.
#pragma once

#include <gtest/gtest.h>

#include <map>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/random.h"
#include "notifications/notification_service.h"
#include "reports/report_service.h"
#include "review/review_queue.h"
#include "storage/testing.h"

namespace herald::reports {
namespace {

class ReportsTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok()) GTEST_SKIP() << url.status().message();
    db_ = std::move(*storage::OpenDatabase(*url));
    std::vector<storage::Migration> m;
    for (auto& x : audit::AuditLog::Migrations()) m.push_back(x);
    for (auto& x : auth::AuthService::Migrations()) m.push_back(x);
    for (auto& x : review::ReviewQueue::Migrations()) m.push_back(x);
    for (auto& x : notifications::NotificationService::Migrations()) m.push_back(x);
    for (auto& x : ReportService::Migrations()) m.push_back(x);
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    keys_ = auth::PiiKeys::Derive(std::string(32, 'k'));
    auth::AuthOptions ao;
    ao.password_profile = crypto::PasswordHashProfile::kMinimum;
    ao.registrations_per_client_per_hour = 0;
    auth_ = std::make_unique<auth::AuthService>(*db_, audit_, clock_, random_, keys_, ao);
    review_ = std::make_unique<review::ReviewQueue>(*db_, audit_, clock_);
    notes_ = std::make_unique<notifications::NotificationService>(*db_, clock_);
    owner_ = NewUser();
    Options o;
    o.daily_limit_user = 5;
    o.resolver = [this](storage::Transaction&, const std::string& type,
                        int64_t id) -> Result<TargetInfo> {
      if (id >= 1000) return NotFound("no such target", "target_not_found", "target.id");
      return TargetInfo{owner_, type == "group" ? std::nullopt : std::optional<int64_t>(7),
                        "目标 " + std::to_string(id)};
    };
    o.relations = [this](storage::Transaction&, int64_t user) -> Result<std::vector<std::string>> {
      auto it = links_.find(user);
      return it == links_.end() ? std::vector<std::string>{} : it->second;
    };
    svc_ =
        std::make_unique<ReportService>(*db_, audit_, clock_, random_, keys_, *review_, *notes_, o);
  }

  int64_t NewUser() {
    auto u = auth_->Register("1390000" + std::to_string(1000 + ++seq_), "password-123", "",
                             auth::RequestMeta{"t", "local", ""});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? u->id : 0;
  }

  Reporter As(std::optional<int64_t> user, std::string ip = "", std::string device = "") {
    if (ip.empty()) ip = "10.0." + std::to_string(++ip_seq_) + ".1";
    return Reporter{user, auth::RequestMeta{"req", ip, device}};
  }

  NewReport On(std::string type, int64_t id, std::string category = "spam") {
    NewReport r;
    r.target_type = std::move(type);
    r.target_id = id;
    r.category = std::move(category);
    r.description = "刷屏广告";
    return r;
  }

  Result<review::Item> Decide(int64_t item, std::string decision, std::string code) {
    return review_->Decide(item, decision, code, "", true, review::RequestInfo{"user:99", "r"});
  }

  FakeClock clock_;
  SeededRandom random_{11};
  audit::AuditLog audit_{clock_};
  auth::PiiKeys keys_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<review::ReviewQueue> review_;
  std::unique_ptr<notifications::NotificationService> notes_;
  std::unique_ptr<ReportService> svc_;
  std::map<int64_t, std::vector<std::string>> links_;  // the relation resolver's answers
  int64_t owner_ = 0;
  int seq_ = 0, ip_seq_ = 0;
};

TEST_P(ReportsTest, RefusesBadReportsAndWritesNothing) {
  int64_t u = NewUser();
  auto check = [&](const Reporter& who, const NewReport& r, const std::string& reason,
                   const std::string& field) {
    auto res = svc_->Submit(who, r);
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.status().reason(), reason);
    EXPECT_EQ(res.status().field(), field);
  };
  check(As(u), On("user", 1), "invalid_target_type", "target.type");
  check(As(u), On("article", 5000), "target_not_found", "target.id");
  check(As(u), On("article", 1, "gossip"), "invalid_category", "category");
  NewReport empty = On("article", 1);
  empty.description = " ";
  check(As(u), empty, "invalid_description", "description");
  check(As(std::nullopt), On("article", 1), "contact_required", "contact");
  NewReport bad_contact = On("article", 1);
  bad_contact.contact = "call me";
  check(As(std::nullopt), bad_contact, "invalid_contact", "contact");
  NewReport copyright = On("article", 1, "copyright_infringement");
  check(As(u), copyright, "rights_holder_required", "rights_holder");
  copyright.rights_holder = "某某出版社";
  check(As(u), copyright, "rights_proof_required", "rights_proof");
  copyright.rights_proof.links = {"ftp://example.com/x"};
  check(As(u), copyright, "invalid_evidence", "rights_proof");
  NewReport media = On("article", 1);
  media.evidence.media_ids = {std::string(64, 'a')};
  media.contact = "13812345678";
  check(As(std::nullopt), media, "invalid_evidence", "evidence");

  auto list = svc_->List(Filter{});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  review::Filter rf;
  rf.kinds = {"report"};
  EXPECT_TRUE(review_->List(rf)->empty());

  copyright.rights_proof.links = {"https://example.com/certificate"};
  auto ok = svc_->Submit(As(u), copyright);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->report.rights_holder, "某某出版社");
  EXPECT_EQ(ok->report.stage, "screened");
  EXPECT_TRUE(ok->access_token.empty());
}

TEST_P(ReportsTest, ReportsOnOneTargetShareOneOpenItemAndWeightsRaiseSeverity) {
  clock_.Advance(30 * kMicrosPerDay);  // the reporters below are not new
  std::vector<int64_t> users;
  for (int i = 0; i < 5; ++i) users.push_back(NewUser());
  clock_.Advance(30 * kMicrosPerDay);
  // Old users, not new: register them before the clock moved.
  auto first = svc_->Submit(As(1), On("article", 3));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const Micros accepted = clock_.Now();
  EXPECT_EQ(first->report.stage, "screened");
  EXPECT_EQ(first->report.accepted_at, accepted);
  EXPECT_EQ(first->report.due_at, accepted + 7 * kMicrosPerDay);
  EXPECT_DOUBLE_EQ(first->report.weight, 0.5);
  ASSERT_TRUE(first->report.review_item_id.has_value());
  const int64_t item = *first->report.review_item_id;
  EXPECT_EQ(review_->Get(item)->severity, 2);
  EXPECT_EQ(review_->Get(item)->due_at, accepted + 7 * kMicrosPerDay);

  // An urgent category on the same target joins the item and shortens its due time.
  clock_.Advance(kMicrosPerHour);
  auto urgent = svc_->Submit(As(users[0]), On("article", 3, "fraud"));
  ASSERT_TRUE(urgent.ok()) << urgent.status().ToString();
  EXPECT_EQ(*urgent->report.review_item_id, item);
  EXPECT_EQ(urgent->report.due_at, clock_.Now() + 48 * kMicrosPerHour);
  auto it = review_->Get(item);
  EXPECT_EQ(it->due_at, clock_.Now() + 48 * kMicrosPerHour);
  EXPECT_EQ(it->severity, 3);
  for (int i = 1; i < 5; ++i) ASSERT_TRUE(svc_->Submit(As(users[i]), On("article", 3)).ok());
  // Six reports of weight 0.5: score 3 -> one step up.
  EXPECT_EQ(review_->Get(item)->severity, 4);
  review::Filter rf;
  rf.kinds = {"report"};
  EXPECT_EQ(review_->List(rf)->size(), 1u);
  // Another target gets its own item.
  auto other = svc_->Submit(As(users[0]), On("comment", 4));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other->report.review_item_id, item);
  EXPECT_EQ(review_->List(rf)->size(), 2u);

  // Decided: upheld; the next report on the target opens a new item.
  ASSERT_TRUE(Decide(item, "reject", "harmful_content").ok());
  auto after = svc_->Submit(As(users[1]), On("article", 3));
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after->report.review_item_id, item);
  // users[1] had one upheld report: (1 + 1) / (1 + 2).
  EXPECT_NEAR(after->report.weight, 2.0 / 3.0, 0.001);
}

TEST_P(ReportsTest, MassReportsFromNewAccountsAreGroupedAsCampaignAndRaiseNothing) {
  std::vector<int64_t> fresh;
  for (int i = 0; i < 4; ++i) fresh.push_back(NewUser());  // registered now: new accounts
  int64_t item = 0;
  for (int i = 0; i < 4; ++i) {
    auto r = svc_->Submit(As(fresh[i]), On("account", 9, "illegal_content"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    item = *r->report.review_item_id;
  }
  auto list = svc_->List(Filter{});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 4u);
  for (const auto& r : *list) {
    EXPECT_TRUE(r.campaign) << r.id;
    EXPECT_EQ(r.campaign_reasons, "new_user");
    EXPECT_EQ(r.campaign_group, item);
  }
  // Base severity of the category only; due time the first report's.
  auto it = review_->Get(item);
  EXPECT_EQ(it->severity, 3);
  EXPECT_EQ(it->due_at, (*list).back().due_at);
  Filter only;
  only.campaign = true;
  EXPECT_EQ(svc_->List(only)->size(), 4u);
  only.campaign = false;
  EXPECT_EQ(svc_->List(only)->size(), 0u);

  // Two anonymous reporters from one network share an IP hash: with a third they form a group.
  NewReport anon = On("group", 5, "spam");
  anon.contact = "13812345678";
  ASSERT_TRUE(svc_->Submit(As(std::nullopt, "192.168.1.9", "dev-a"), anon).ok());
  anon.contact = "someone@example.com";
  auto second = svc_->Submit(As(std::nullopt, "192.168.1.9", "dev-b"), anon);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->report.campaign);  // same reporter key (one address): not "shared"
  EXPECT_EQ(second->report.contact_masked, "s***@example.com");
  clock_.Advance(10 * kMicrosPerDay);
  int64_t old_user = fresh[0];  // 10 days old now
  ASSERT_TRUE(svc_->Submit(As(old_user, "172.16.0.1", "dev-a"), On("group", 5)).ok());
  int64_t other_old = fresh[1];
  ASSERT_TRUE(svc_->Submit(As(other_old, "172.16.0.1"), On("group", 5)).ok());
  Filter gf;
  gf.target_type = "group";
  auto grouped = svc_->List(gf);
  ASSERT_TRUE(grouped.ok());
  ASSERT_EQ(grouped->size(), 4u);
  // Two suspicious (shared address) within the 24 h window (the anonymous ones are older): fewer
  // than three, so no campaign.
  for (const auto& r : *grouped) EXPECT_FALSE(r.campaign) << r.id;
}

TEST_P(ReportsTest, ReportersBehindOneSubjectAreRelatedAndFormACampaign) {
  int64_t a = NewUser(), b = NewUser(), c = NewUser(), d = NewUser(), e = NewUser();
  clock_.Advance(10 * kMicrosPerDay);  // none of them is new any more
  links_[a] = {"subject:5", "phone:x1"};
  links_[b] = {"subject:5"};
  links_[c] = {"subject:9", "phone:x1"};  // related to a through the contact number
  links_[d] = {"subject:12"};
  for (int64_t u : {a, b, c, d}) {
    ASSERT_TRUE(svc_->Submit(As(u), On("account", 3, "spam")).ok());
  }
  auto list = svc_->List(Filter{});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 4u);
  int campaign = 0;
  for (const auto& r : *list) {
    if (r.reporter_user_id == d) {
      EXPECT_FALSE(r.campaign);
      continue;
    }
    EXPECT_TRUE(r.campaign) << r.id;
    EXPECT_EQ(r.campaign_reasons, "related_accounts");
    ++campaign;
  }
  EXPECT_EQ(campaign, 3);
  // Only two related reporters on another target: below the campaign threshold.
  for (int64_t u : {a, b, e}) ASSERT_TRUE(svc_->Submit(As(u), On("account", 4, "spam")).ok());
  Filter other;
  other.campaign = true;
  EXPECT_EQ(svc_->List(other)->size(), 3u);
}

TEST_P(ReportsTest, ASanctionCitingTheReviewItemIsLinkedToItsReports) {
  int64_t a = NewUser(), b = NewUser();
  auto ra = svc_->Submit(As(a), On("account", 6, "fraud"));
  auto rb = svc_->Submit(As(b), On("account", 6, "fraud"));
  auto rc = svc_->Submit(As(b), On("account", 8, "fraud"));
  ASSERT_TRUE(ra.ok() && rb.ok() && rc.ok());
  const int64_t item = *ra->report.review_item_id;
  Status linked = storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](auto& tx) {
    return svc_->LinkSanction(tx, 77, {"article:3", "review:" + std::to_string(item), "review:x"});
  });
  ASSERT_TRUE(linked.ok()) << linked.ToString();
  EXPECT_EQ(svc_->Get(ra->report.id, a, false, "")->sanction_id, 77);
  EXPECT_EQ(svc_->Get(rb->report.id, b, false, "")->sanction_id, 77);
  EXPECT_FALSE(svc_->Get(rc->report.id, b, false, "")->sanction_id.has_value());
  // One report by id; a second sanction does not replace the first link.
  ASSERT_TRUE(storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](auto& tx) {
                return svc_->LinkSanction(tx, 78,
                                          {"report:" + std::to_string(rc->report.id),
                                           "report:" + std::to_string(ra->report.id)});
              }).ok());
  EXPECT_EQ(svc_->Get(rc->report.id, b, false, "")->sanction_id, 78);
  EXPECT_EQ(svc_->Get(ra->report.id, a, false, "")->sanction_id, 77);
  // The decision without a "sanction:" note keeps the link.
  ASSERT_TRUE(Decide(item, "reject", "illegal_content").ok());
  auto done = svc_->Get(ra->report.id, a, false, "");
  EXPECT_EQ(done->outcome, "upheld");
  EXPECT_EQ(done->sanction_id, 77);
}

TEST_P(ReportsTest, HandlingGivesFeedbackToReportersAndTheReportedParty) {
  int64_t a = NewUser(), b = NewUser();
  auto ra = svc_->Submit(As(a), On("message", 2, "cyber_violence"));
  ASSERT_TRUE(ra.ok());
  NewReport anon = On("message", 2, "cyber_violence");
  anon.contact = "13812345678";
  auto rn = svc_->Submit(As(std::nullopt), anon);
  ASSERT_TRUE(rn.ok()) << rn.status().ToString();
  EXPECT_EQ(rn->report.contact_masked, "138****5678");
  ASSERT_FALSE(rn->access_token.empty());
  // The received notice.
  auto received = notes_->List(a, false, std::nullopt, 10);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].kind, "report_received");

  // Who may read a report.
  EXPECT_TRUE(svc_->Get(ra->report.id, a, false, "").ok());
  EXPECT_EQ(svc_->Get(ra->report.id, b, false, "").status().reason(), "report_not_found");
  EXPECT_TRUE(svc_->Get(ra->report.id, b, true, "").ok());
  EXPECT_TRUE(svc_->Get(rn->report.id, std::nullopt, false, rn->access_token).ok());
  EXPECT_EQ(svc_->Get(rn->report.id, std::nullopt, false, "hr_wrong").status().reason(),
            "report_not_found");
  EXPECT_EQ(svc_->Get(ra->report.id, std::nullopt, false, rn->access_token).status().reason(),
            "report_not_found");

  clock_.Advance(kMicrosPerHour);
  ASSERT_TRUE(Decide(*ra->report.review_item_id, "reject", "harmful_content").ok());
  auto done = svc_->Get(rn->report.id, std::nullopt, false, rn->access_token);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->stage, "feedback");
  EXPECT_EQ(done->outcome, "upheld");
  EXPECT_EQ(done->outcome_reason, "harmful_content");
  EXPECT_EQ(*done->handled_at, clock_.Now());
  EXPECT_NE(done->outcome_text.find("不良信息"), std::string::npos);
  auto mine = svc_->Mine(a, std::nullopt, 10);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].outcome, "upheld");
  auto notes = notes_->List(a, false, std::nullopt, 10);
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[0].kind, "report_outcome");
  EXPECT_EQ((*notes)[0].ref, "report:" + std::to_string(ra->report.id));
  auto against = notes_->List(owner_, false, std::nullopt, 10);
  ASSERT_EQ(against->size(), 1u);
  EXPECT_EQ((*against)[0].kind, "report_against_you");
  EXPECT_EQ((*against)[0].ref, "message:2");

  // Not upheld: the reporter is told, the reported party is not.
  auto rb = svc_->Submit(As(b), On("article", 8));
  ASSERT_TRUE(rb.ok());
  ASSERT_TRUE(Decide(*rb->report.review_item_id, "approve", "compliant").ok());
  auto nb = svc_->Get(rb->report.id, b, false, "");
  EXPECT_EQ(nb->outcome, "not_upheld");
  EXPECT_EQ(notes_->List(owner_, false, std::nullopt, 10)->size(), 1u);
  // b's record: (0 + 1) / (1 + 2).
  auto next = svc_->Submit(As(b), On("article", 8));
  ASSERT_TRUE(next.ok());
  EXPECT_NEAR(next->report.weight, 1.0 / 3.0, 0.001);
}

TEST_P(ReportsTest, OverdueReportsAreEscalatedAndMarked) {
  int64_t u = NewUser();
  auto r = svc_->Submit(As(u), On("article", 6, "pornography"));
  ASSERT_TRUE(r.ok());
  const int64_t item = *r->report.review_item_id;
  auto none = svc_->RunJobs(clock_.Now() + 47 * kMicrosPerHour);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->escalated, 0);
  clock_.Advance(49 * kMicrosPerHour);
  auto jobs = svc_->RunJobs(clock_.Now());
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  EXPECT_EQ(jobs->escalated, 1);
  EXPECT_EQ(jobs->marked_overdue, 1);
  EXPECT_EQ(review_->Get(item)->status, "escalated");
  EXPECT_EQ(review_->Get(item)->escalated_by, "system:reports");
  EXPECT_TRUE(svc_->Get(r->report.id, u, false, "")->overdue);
  auto again = svc_->RunJobs(clock_.Now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->escalated, 0);
  EXPECT_EQ(again->marked_overdue, 0);
  // Only the content security officer decides it now; the handler still gives feedback.
  auto d =
      review_->Decide(item, "approve", "compliant", "", false, review::RequestInfo{"user:99", "r"});
  EXPECT_EQ(d.status().reason(), "escalated_needs_cso");
  ASSERT_TRUE(Decide(item, "approve", "compliant").ok());
  EXPECT_EQ(svc_->Get(r->report.id, u, false, "")->stage, "feedback");
}

TEST_P(ReportsTest, ContactsAreSealedAndResealedUnderANewKey) {
  NewReport anon = On("article", 1);
  anon.contact = "13812345678";
  auto r = svc_->Submit(As(std::nullopt), anon);
  ASSERT_TRUE(r.ok());
  auto tx = db_->Begin(storage::TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  auto raw = (*tx)->Query("SELECT contact_enc FROM reports WHERE id = ?", {r->report.id});
  ASSERT_TRUE(raw.ok());
  const std::string sealed = raw->rows.at(0).Bytes(0);
  EXPECT_EQ(sealed.find("13812345678"), std::string::npos);
  auth::PiiKeys next = auth::PiiKeys::Derive(std::string(32, 'n'));
  next.key_id = "k2";
  ASSERT_TRUE(ReportService::ReencryptPii(**tx, keys_, next).ok());
  auto again = (*tx)->Query("SELECT contact_enc, key_id FROM reports WHERE id = ?", {r->report.id});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rows.at(0).Text(1), "k2");
  auto opened = crypto::Open(next.encryption_key, again->rows.at(0).Bytes(0), "reports.contact");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "13812345678");
}

TEST_P(ReportsTest, DailyLimitPerReporter) {
  int64_t u = NewUser();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(svc_->Submit(As(u), On("article", 1 + i)).ok());
  auto r = svc_->Submit(As(u), On("article", 20));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().reason(), "too_many_reports");
  clock_.Advance(kMicrosPerDay + 1);
  EXPECT_TRUE(svc_->Submit(As(u), On("article", 20)).ok());
}

}  // namespace
}  // namespace herald::reports
