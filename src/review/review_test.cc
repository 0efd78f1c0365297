// ReviewQueue on SQLite with a fake clock: filters, due times, claims, escalation, decisions
// and their handlers, audit entries.
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "review/review_queue.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace herald::review {
namespace {

class ReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(storage::Backend::kSqlite);
    ASSERT_TRUE(url.ok());
    db_ = std::move(*storage::OpenDatabase(*url));
    auto m = audit::AuditLog::Migrations();
    for (auto& x : ReviewQueue::Migrations()) m.push_back(x);
    ASSERT_TRUE(storage::Migrate(*db_, m, clock_).ok());
    Options o;
    o.default_due = 24 * kMicrosPerHour;
    o.due_by_kind["name"] = 72 * kMicrosPerHour;
    o.claim_ttl = 30 * kMicrosPerMinute;
    q_ = std::make_unique<ReviewQueue>(*db_, audit_, clock_, o);
  }

  int64_t Add(NewItem in) {
    int64_t id = 0;
    EXPECT_TRUE(storage::RunInTransaction(*db_, storage::TxMode::kWrite,
                                          [&](storage::Transaction& tx) -> Status {
                                            HERALD_ASSIGN_OR_RETURN(id, q_->Enqueue(tx, in));
                                            return Status();
                                          })
                    .ok());
    return id;
  }

  std::vector<std::string> AuditActions() {
    audit::Filter f;
    f.newest_first = false;
    f.limit = 500;
    auto page = audit_.Query(*db_, f);
    std::vector<std::string> out;
    for (const auto& e : page->entries) out.push_back(e.action);
    return out;
  }

  FakeClock clock_;
  audit::AuditLog audit_{clock_};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<ReviewQueue> q_;
  RequestInfo alice_{"user:1", "r1"}, bob_{"user:2", "r2"}, cso_{"user:3", "r3"};
};

TEST_F(ReviewTest, DueTimesPerKindAndOverdue) {
  int64_t a = Add({"name", "", 2, 7, 0, "name check", "{}"});
  int64_t b = Add({"content", "gambling", 4, 8, 0, "article held", "{\"term\":\"赌博\"}"});
  auto ia = q_->Get(a);
  auto ib = q_->Get(b);
  ASSERT_TRUE(ia.ok() && ib.ok());
  EXPECT_EQ(ia->due_at - ia->created_at, 72 * kMicrosPerHour);
  EXPECT_EQ(ib->due_at - ib->created_at, 24 * kMicrosPerHour);
  EXPECT_FALSE(ib->overdue(clock_.Now()));

  clock_.Advance(25 * kMicrosPerHour);
  Filter f;
  f.overdue_only = true;
  auto overdue = q_->List(f);
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].id, b);
  EXPECT_TRUE((*overdue)[0].overdue(clock_.Now()));

  auto summary = q_->Summary();
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->size(), 2u);
  EXPECT_EQ((*summary)[0].kind, "content");
  EXPECT_EQ((*summary)[0].overdue, 1);
  EXPECT_EQ((*summary)[1].kind, "name");
  EXPECT_EQ((*summary)[1].overdue, 0);
}

TEST_F(ReviewTest, FiltersByKindCategorySeverityAgeAndPages) {
  Add({"content", "gambling", 4, 1, 0, "a", "{}"});
  clock_.Advance(kMicrosPerHour);
  Add({"content", "fraud", 2, 2, 0, "b", "{}"});
  Add({"name", "", 2, 3, 0, "c", "{}"});
  Filter f;
  f.kinds = {"content"};
  EXPECT_EQ(q_->List(f)->size(), 2u);
  f.category = "gambling";
  EXPECT_EQ(q_->List(f)->size(), 1u);
  f = Filter{};
  f.min_severity = 3;
  EXPECT_EQ(q_->List(f)->size(), 1u);
  f = Filter{};
  f.created_before = clock_.Now() - 30 * kMicrosPerMinute;
  EXPECT_EQ(q_->List(f)->size(), 1u);

  f = Filter{};
  f.limit = 2;
  auto first = q_->List(f);
  ASSERT_EQ(first->size(), 2u);
  f.after_id = first->back().id;
  auto second = q_->List(f);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_NE((*second)[0].id, (*first)[0].id);
  EXPECT_NE((*second)[0].id, (*first)[1].id);

  f = Filter{};
  f.status = "bogus";
  EXPECT_EQ(q_->List(f).status().reason(), "invalid_filter");
}

TEST_F(ReviewTest, ClaimBlocksOthersUntilReleasedOrExpired) {
  int64_t id = Add({"content", "", 2, 1, 0, "x", "{}"});
  ASSERT_TRUE(q_->Claim(id, alice_).ok());
  EXPECT_EQ(q_->Claim(id, bob_).status().reason(), "claimed_by_other");
  EXPECT_EQ(q_->Decide(id, "approve", "compliant", "", false, bob_).status().reason(),
            "claimed_by_other");
  EXPECT_EQ(q_->Release(id, bob_).status().reason(), "not_claimed");
  ASSERT_TRUE(q_->Release(id, alice_).ok());
  EXPECT_EQ(q_->Get(id)->status, "pending");
  ASSERT_TRUE(q_->Claim(id, alice_).ok());
  clock_.Advance(31 * kMicrosPerMinute);  // Alice's claim lapsed
  auto taken = q_->Claim(id, bob_);
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->claimed_by, "user:2");
}

TEST_F(ReviewTest, DecideRunsHandlerInTheSameTransaction) {
  std::vector<std::string> seen;
  bool fail = false;
  q_->RegisterHandler("qualification", [&](storage::Transaction& tx, const Item& item) -> Status {
    if (fail) return FailedPrecondition("effect impossible", "effect_failed");
    seen.push_back(item.decision + ":" + item.reason_code);
    // The handler sees the decision already written in its transaction.
    HERALD_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT status FROM review_items WHERE id = ?", {item.id}));
    EXPECT_EQ(rows.rows[0].Text(0), item.status);
    return Status();
  });
  std::vector<int64_t> committed;
  q_->RegisterAfterCommit("qualification", [&](const Item& item) { committed.push_back(item.id); });
  int64_t a = Add({"qualification", "finance", 2, 5, 9, "licence", "{}"});
  fail = true;
  EXPECT_EQ(q_->Decide(a, "approve", "authorised", "", false, alice_).status().reason(),
            "effect_failed");
  EXPECT_EQ(q_->Get(a)->status, "pending");  // nothing half-written
  fail = false;
  auto d = q_->Decide(a, "approve", "authorised", "licence checked", false, alice_);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->status, "approved");
  EXPECT_EQ(seen, std::vector<std::string>{"approve:authorised"});
  EXPECT_EQ(committed, std::vector<int64_t>{a});  // only the decision that committed
  EXPECT_EQ(q_->Decide(a, "reject", "invalid_document", "", false, alice_).status().reason(),
            "already_decided");
  auto actions = AuditActions();
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions.back(), "review.decide");
}

TEST_F(ReviewTest, ReasonCodesMustFitTheDecision) {
  int64_t a = Add({"content", "", 2, 1, 0, "x", "{}"});
  EXPECT_EQ(q_->Decide(a, "reject", "compliant", "", false, alice_).status().reason(),
            "invalid_reason_code");
  EXPECT_EQ(q_->Decide(a, "approve", "illegal_content", "", false, alice_).status().reason(),
            "invalid_reason_code");
  EXPECT_EQ(q_->Decide(a, "maybe", "compliant", "", false, alice_).status().reason(),
            "invalid_decision");
  EXPECT_TRUE(q_->Decide(a, "reject", "illegal_content", "", false, alice_).ok());
}

TEST_F(ReviewTest, EscalatedItemsAreDecidedOnlyByTheSecurityOfficer) {
  int64_t a = Add({"content", "", 3, 1, 0, "x", "{}"});
  EXPECT_EQ(q_->Escalate(a, "", alice_).status().reason(), "invalid_note");
  ASSERT_TRUE(q_->Escalate(a, "涉及重大舆情，请安全负责人决定", alice_).ok());
  EXPECT_EQ(q_->Escalate(a, "again", bob_).status().reason(), "already_escalated");
  EXPECT_EQ(q_->Decide(a, "reject", "illegal_content", "", false, bob_).status().reason(),
            "escalated_needs_cso");
  Filter f;
  f.status = "escalated";
  EXPECT_EQ(q_->List(f)->size(), 1u);
  auto d = q_->Decide(a, "reject", "illegal_content", "", true, cso_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->decided_by, "user:3");
  EXPECT_EQ(d->escalated_by, "user:1");
  auto actions = AuditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "review.escalate"), actions.end());
}

TEST_F(ReviewTest, EnqueueValidates) {
  auto tx = db_->Begin(storage::TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(q_->Enqueue(**tx, {"", "", 2, 1, 0, "", "{}"}).status().reason(),
            "invalid_review_item");
  EXPECT_EQ(q_->Enqueue(**tx, {"x", "", 5, 1, 0, "", "{}"}).status().reason(),
            "invalid_review_item");
  EXPECT_EQ(q_->Enqueue(**tx, {"x", "", 2, 1, 0, "", "[1]"}).status().reason(),
            "invalid_review_item");
}

}  // namespace
}  // namespace herald::review
