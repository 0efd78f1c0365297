// SanctionService on SQLite with a fake clock: validation, enforcement per measure, expiry by
// the clock, lifting, the regulator's record, and publishing freezes.
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "sanctions/sanction_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace herald::sanctions {
namespace {

class SanctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(storage::Backend::kSqlite);
    ASSERT_TRUE(url.ok());
    db_ = std::move(*storage::OpenDatabase(*url));
    auto m = audit::AuditLog::Migrations();
    for (auto& x : SanctionService::Migrations()) m.push_back(x);
    ASSERT_TRUE(storage::Migrate(*db_, m, clock_).ok());
    s_ = std::make_unique<SanctionService>(*db_, audit_, clock_);
  }

  Result<Sanction> Issue(NewSanction in) {
    Result<Sanction> out = Internal("unset");
    Status st = storage::RunInTransaction(*db_, storage::TxMode::kWrite,
                                          [&](storage::Transaction& tx) -> Status {
                                            out = s_->Issue(tx, in, mod_);
                                            return out.status();
                                          });
    if (!st.ok()) return st;
    return out;
  }

  Status Check(const std::vector<Target>& targets, std::string_view function) {
    auto tx = db_->Begin(storage::TxMode::kRead);
    return s_->CheckAllowed(**tx, targets, function);
  }

  FakeClock clock_;
  audit::AuditLog audit_{clock_};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SanctionService> s_;
  Actor mod_{"user:9", "req-1"};
};

TEST_F(SanctionsTest, RestrictBlocksOnlyItsFunctionAndExpiresByTheClock) {
  NewSanction in;
  in.target = {"account", 12, ""};
  in.measure = "restrict";
  in.function = "comment";
  in.reason_code = "comment_mismanagement";
  in.note = "评论区充斥违法广告且长期未处理";
  in.evidence = {"article:7", "https://example.invalid/screenshot.png"};
  in.ends_at = clock_.Now() + 7 * kMicrosPerDay;
  in.party_user_id = 3;
  auto s = Issue(in);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->evidence,
            (std::vector<std::string>{"article:7", "https://example.invalid/screenshot.png"}));
  EXPECT_EQ(s_->Get(s->id)->evidence, s->evidence);
  EXPECT_EQ(s->issued_by, "user:9");
  EXPECT_EQ(s->StatusAt(clock_.Now()), "active");

  Status blocked = Check({{"account", 12, ""}}, "comment");
  EXPECT_EQ(blocked.reason(), "sanctioned");
  EXPECT_NE(blocked.message().find("comment_mismanagement"), std::string::npos);
  EXPECT_TRUE(Check({{"account", 12, ""}}, "publish").ok());
  EXPECT_TRUE(Check({{"account", 13, ""}}, "comment").ok());

  clock_.Advance(7 * kMicrosPerDay);
  EXPECT_TRUE(Check({{"account", 12, ""}}, "comment").ok());
  EXPECT_EQ(s_->Get(s->id)->StatusAt(clock_.Now()), "expired");
}

TEST_F(SanctionsTest, MeasuresBlockTheirFunctions) {
  EXPECT_EQ(BlockedFunctions("warning", ""), std::vector<std::string>{});
  EXPECT_EQ(BlockedFunctions("restrict", ""), std::vector<std::string>{});
  EXPECT_EQ(BlockedFunctions("restrict", "comment"), std::vector<std::string>{"comment"});
  EXPECT_EQ(BlockedFunctions("stop_advertising", ""), std::vector<std::string>{"advertise"});
  auto su = BlockedFunctions("suspend_updates", "");
  EXPECT_NE(std::find(su.begin(), su.end(), "publish"), su.end());
  EXPECT_EQ(std::find(su.begin(), su.end(), "comment"), su.end());
  EXPECT_EQ(BlockedFunctions("blacklist", "").size(), Functions().size());

  NewSanction in;
  in.target = {"subject", 5, ""};
  in.measure = "blacklist";
  in.reason_code = "repeated_violations";
  ASSERT_TRUE(Issue(in).ok());
  // The subject's blacklist stands behind every account of it.
  EXPECT_EQ(Check({{"account", 1, ""}, {"subject", 5, ""}}, "register").reason(), "sanctioned");
  auto tx = db_->Begin(storage::TxMode::kRead);
  auto ids = s_->ActiveTargetIds(**tx, "subject", "blacklist");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<int64_t>{5});

  NewSanction warn;
  warn.target = {"user", 4, ""};
  warn.measure = "warning";
  warn.reason_code = "harmful_content";
  ASSERT_TRUE(Issue(warn).ok());
  EXPECT_TRUE(Check({{"user", 4, ""}}, "publish").ok());
}

TEST_F(SanctionsTest, ValidationNamesTheField) {
  NewSanction in;
  in.target = {"planet", 1, ""};
  in.measure = "warning";
  in.reason_code = "harmful_content";
  EXPECT_EQ(Issue(in).status().reason(), "invalid_target");
  in.target = {"account", 1, ""};
  in.measure = "smack";
  EXPECT_EQ(Issue(in).status().reason(), "invalid_measure");
  in.measure = "restrict";
  in.function = "fly";
  EXPECT_EQ(Issue(in).status().reason(), "invalid_function");
  in.function = "publish";
  in.reason_code = "because";
  EXPECT_EQ(Issue(in).status().reason(), "invalid_reason_code");
  in.reason_code = "harmful_content";
  in.ends_at = clock_.Now() - 1;
  EXPECT_EQ(Issue(in).status().reason(), "invalid_period");
  in.ends_at.reset();
  in.measure = "close_account";
  in.function = "";
  in.target = {"subject", 1, ""};
  EXPECT_EQ(Issue(in).status().reason(), "invalid_measure");
  in.measure = "ban_name";
  in.target = {"account", 1, ""};
  EXPECT_EQ(Issue(in).status().reason(), "invalid_measure");
  in.target = {"name", 0, "人民日报"};
  auto ok = Issue(in);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(TargetRef(ok->target), "name:人民日报");
  in.ends_at = clock_.Now() + kMicrosPerDay;  // a name ban is forever
  EXPECT_EQ(Issue(in).status().reason(), "invalid_period");
  // Nothing was written by the refused attempts.
  ListFilter all;
  EXPECT_EQ(s_->List(all)->size(), 1u);
}

TEST_F(SanctionsTest, LiftEndsItAndIsAudited) {
  NewSanction in;
  in.target = {"account", 3, ""};
  in.measure = "suspend_updates";
  in.reason_code = "false_identity";
  auto s = Issue(in);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Check({{"account", 3, ""}}, "publish").reason(), "sanctioned");
  Result<Sanction> lifted = Internal("unset");
  ASSERT_TRUE(storage::RunInTransaction(*db_, storage::TxMode::kWrite,
                                        [&](storage::Transaction& tx) -> Status {
                                          lifted = s_->Lift(tx, s->id, "申诉成立", mod_);
                                          return lifted.status();
                                        })
                  .ok());
  EXPECT_EQ(lifted->StatusAt(clock_.Now()), "lifted");
  EXPECT_TRUE(Check({{"account", 3, ""}}, "publish").ok());
  auto again = db_->Begin(storage::TxMode::kWrite);
  EXPECT_EQ(s_->Lift(**again, s->id, "again", mod_).status().reason(), "already_lifted");

  audit::Filter f;
  f.action = "sanction.*";
  auto page = audit_.Query(*db_, f);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].action, "sanction.lift");
  EXPECT_EQ(page->entries[1].action, "sanction.issue");
}

TEST_F(SanctionsTest, ScheduledSanctionsStartLater) {
  NewSanction in;
  in.target = {"account", 3, ""};
  in.measure = "stop_advertising";
  in.reason_code = "advertising_violation";
  in.starts_at = clock_.Now() + kMicrosPerDay;
  in.ends_at = clock_.Now() + 2 * kMicrosPerDay;
  auto s = Issue(in);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->StatusAt(clock_.Now()), "scheduled");
  EXPECT_TRUE(Check({{"account", 3, ""}}, "advertise").ok());
  clock_.Advance(kMicrosPerDay);
  EXPECT_EQ(Check({{"account", 3, ""}}, "advertise").reason(), "sanctioned");
}

TEST_F(SanctionsTest, ReportAndFilters) {
  const Micros t0 = clock_.Now();
  for (int i = 1; i <= 3; ++i) {
    NewSanction in;
    in.target = {"account", i, ""};
    in.measure = "warning";
    in.reason_code = "harmful_content";
    in.party_user_id = i == 3 ? 30 : 10;
    ASSERT_TRUE(Issue(in).ok());
    clock_.Advance(kMicrosPerHour);
  }
  auto between = s_->IssuedBetween(t0 + kMicrosPerHour, t0 + 3 * kMicrosPerHour);
  ASSERT_TRUE(between.ok());
  ASSERT_EQ(between->size(), 2u);
  EXPECT_EQ((*between)[0].target.id, 2);
  ListFilter mine;
  mine.party_user_id = 10;
  EXPECT_EQ(s_->List(mine)->size(), 2u);
  ListFilter page;
  page.limit = 2;
  auto first = s_->List(page);
  ASSERT_EQ(first->size(), 2u);
  page.before_id = first->back().id;
  EXPECT_EQ(s_->List(page)->size(), 1u);
}

TEST_F(SanctionsTest, FreezesStopPublishingPlatformWideOrPerCategory) {
  auto tx = [&]() { return std::move(*db_->Begin(storage::TxMode::kRead)); };
  EXPECT_TRUE(s_->CheckPublishingOpen(*tx(), "finance").ok());
  EXPECT_EQ(s_->StartFreeze("category", "", "x", std::nullopt, mod_).status().reason(),
            "invalid_category");
  EXPECT_EQ(s_->StartFreeze("platform", "news", "x", std::nullopt, mod_).status().reason(),
            "invalid_category");
  auto f = s_->StartFreeze("category", "finance", "突发金融谣言", std::nullopt, mod_);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(s_->CheckPublishingOpen(*tx(), "finance").reason(), "publishing_frozen");
  EXPECT_TRUE(s_->CheckPublishingOpen(*tx(), "news").ok());
  auto p = s_->StartFreeze("platform", "", "重大突发事件", clock_.Now() + kMicrosPerHour, mod_);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(s_->CheckPublishingOpen(*tx(), "news").reason(), "publishing_frozen");
  clock_.Advance(kMicrosPerHour);  // the platform freeze ran out
  EXPECT_TRUE(s_->CheckPublishingOpen(*tx(), "news").ok());
  EXPECT_EQ(s_->ListFreezes(true)->size(), 1u);
  ASSERT_TRUE(s_->LiftFreeze(f->id, mod_).ok());
  EXPECT_TRUE(s_->CheckPublishingOpen(*tx(), "finance").ok());
  EXPECT_EQ(s_->LiftFreeze(f->id, mod_).status().reason(), "already_lifted");
  EXPECT_EQ(s_->ListFreezes(false)->size(), 2u);
}

TEST_F(SanctionsTest, HooksRunInTheTransactionAndKnowOverturnedLifts) {
  std::vector<std::string> seen;
  s_->OnIssued([&](storage::Transaction& tx, const Sanction& s) -> Status {
    auto rows = tx.Query("SELECT COUNT(*) FROM sanctions WHERE id = ?", {s.id});
    if (!rows.ok()) return rows.status();
    seen.push_back("issued:" + std::to_string(s.id) + ":" + std::to_string(rows->rows[0].Int(0)));
    if (s.reason_code == "spam") return FailedPrecondition("no spam today", "hook_refused");
    return Status::Ok();
  });
  s_->OnLifted([&](storage::Transaction&, const Sanction& s, bool overturned) -> Status {
    seen.push_back("lifted:" + std::to_string(s.id) + (overturned ? ":overturned" : ":plain"));
    return Status::Ok();
  });
  NewSanction in;
  in.target = {"account", 5, ""};
  in.measure = "warning";
  in.reason_code = "rumour";
  auto a = Issue(in);
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto b = Issue(in);
  ASSERT_TRUE(b.ok());
  // A hook's error aborts the issue: nothing is recorded.
  in.reason_code = "spam";
  auto refused = Issue(in);
  EXPECT_EQ(refused.status().reason(), "hook_refused");
  EXPECT_EQ(s_->List({})->size(), 2u);

  auto lift = [&](int64_t id, std::optional<LiftKind> kind) {
    Result<Sanction> out = Internal("unset");
    EXPECT_TRUE(storage::RunInTransaction(*db_, storage::TxMode::kWrite,
                                          [&](storage::Transaction& tx) -> Status {
                                            out = kind ? s_->Lift(tx, id, "复核", mod_, *kind)
                                                       : s_->Lift(tx, id, "复核", mod_);
                                            return out.status();
                                          })
                    .ok());
    return out;
  };
  auto la = lift(a->id, std::nullopt);
  ASSERT_TRUE(la.ok());
  EXPECT_FALSE(la->overturned);
  auto lb = lift(b->id, LiftKind::kOverturned);
  ASSERT_TRUE(lb.ok());
  EXPECT_TRUE(lb->overturned);
  EXPECT_TRUE(s_->Get(b->id)->overturned);
  EXPECT_FALSE(s_->Get(a->id)->overturned);
  const std::string ia = std::to_string(a->id), ib = std::to_string(b->id);
  EXPECT_EQ(seen,
            (std::vector<std::string>{"issued:" + ia + ":1", "issued:" + ib + ":1",
                                      "issued:" + std::to_string(b->id + 1) + ":1",
                                      "lifted:" + ia + ":plain", "lifted:" + ib + ":overturned"}));
}

}  // namespace
}  // namespace herald::sanctions
