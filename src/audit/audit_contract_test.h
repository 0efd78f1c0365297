// Audit log behaviour, run on every storage backend (audit_test.cc: SQLite,
// audit_pgtest.cc: PostgreSQL). Include once per test binary, then instantiate
// AuditContractTest with the backend.
#pragma once

#include <gtest/gtest.h>

#include <thread>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace herald::audit {

class AuditContractTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok()) GTEST_SKIP() << url.status().message();
    auto db = storage::OpenDatabase(*url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(storage::Migrate(*db_, AuditLog::Migrations(), clock_).ok());
  }

  Entry Append(const std::string& actor, const std::string& action, const std::string& subject = "",
               const std::string& details = "{}") {
    auto e = log_.AppendNow(*db_, NewEntry{actor, action, subject, details, "req-1"});
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    clock_.Advance(kMicrosPerSecond);
    return e.ok() ? *e : Entry{};
  }

  // Runs raw SQL with the append-only triggers removed, as an attacker with file access would.
  void Tamper(const std::string& sql) {
    auto tx = db_->Begin(storage::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    if (GetParam() == storage::Backend::kSqlite) {
      ASSERT_TRUE((*tx)
                      ->ExecuteScript("DROP TRIGGER IF EXISTS audit_log_no_update;"
                                      "DROP TRIGGER IF EXISTS audit_log_no_delete;"
                                      "DROP TRIGGER IF EXISTS audit_head_forward;")
                      .ok());
    } else {
      ASSERT_TRUE((*tx)
                      ->ExecuteScript("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;"
                                      "DROP TRIGGER IF EXISTS audit_head_forward ON audit_head;")
                      .ok());
    }
    auto st = (*tx)->ExecuteScript(sql);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  FakeClock clock_;
  AuditLog log_{clock_};
  std::unique_ptr<storage::Database> db_;
};

TEST_P(AuditContractTest, EntriesChainFromGenesis) {
  Entry a = Append("cli", "admin.create", "user:1");
  Entry b = Append("user:1", "role.grant", "user:2", R"({"role":"moderator"})");
  EXPECT_EQ(a.seq, 1);
  EXPECT_EQ(a.prev_hash, kGenesisHash);
  EXPECT_EQ(b.seq, 2);
  EXPECT_EQ(b.prev_hash, a.hash);
  EXPECT_EQ(b.hash, ComputeHash(b));
  auto report = log_.Verify(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->detail;
  EXPECT_EQ(report->entries_checked, 2);
  EXPECT_EQ(report->head_seq, 2);
  EXPECT_EQ(report->head_hash, b.hash);
}

TEST_P(AuditContractTest, CanonicalEncodingIsLengthPrefixed) {
  Entry e;
  e.seq = 7;
  e.time = 1767225600000000;
  e.actor = "user:1";
  e.action = "role.grant";
  e.subject = "user:2";
  e.details = R"({"role":"auditor"})";
  e.request_id = "abc";
  e.prev_hash = kGenesisHash;
  EXPECT_EQ(CanonicalEncoding(e),
            "herald-audit-v1\n1:7\n16:1767225600000000\n6:user:1\n10:role.grant\n6:user:2\n"
            "18:{\"role\":\"auditor\"}\n3:abc\n64:" +
                std::string(kGenesisHash) + "\n");
  // Moving a byte between fields changes the encoding (no ambiguity).
  Entry f = e;
  f.actor = "user:1r";
  f.action = "ole.grant";
  EXPECT_NE(ComputeHash(e), ComputeHash(f));
}

TEST_P(AuditContractTest, DatabaseRefusesUpdateAndDelete) {
  Append("cli", "admin.create", "user:1");
  for (const char* sql :
       {"UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1",
        "UPDATE audit_head SET seq = 0 WHERE id = 1", "DELETE FROM audit_head"}) {
    auto tx = db_->Begin(storage::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    auto r = (*tx)->Execute(sql);
    EXPECT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  }
  EXPECT_TRUE(log_.Verify(*db_)->ok);
}

TEST_P(AuditContractTest, VerifyFindsAlteredEntry) {
  for (int i = 0; i < 5; ++i) Append("user:1", "role.grant", "user:" + std::to_string(i));
  Tamper("UPDATE audit_log SET subject = 'user:99' WHERE seq = 3");
  auto report = log_.Verify(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 3);
  EXPECT_EQ(report->problem, "hash_mismatch");
}

TEST_P(AuditContractTest, VerifyFindsRecomputedHashAsBrokenLink) {
  for (int i = 0; i < 4; ++i) Append("user:1", "role.grant", "user:" + std::to_string(i));
  // An attacker who rewrites entry 2 and recomputes its hash breaks the link from entry 3.
  auto page = log_.Query(*db_, Filter{.newest_first = false});
  ASSERT_TRUE(page.ok());
  Entry e2 = page->entries[1];
  e2.subject = "user:forged";
  std::string forged = ComputeHash(e2);
  Tamper("UPDATE audit_log SET subject = 'user:forged', hash = '" + forged + "' WHERE seq = 2");
  auto report = log_.Verify(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 3);
  EXPECT_EQ(report->problem, "broken_link");
}

TEST_P(AuditContractTest, VerifyFindsMissingEntries) {
  for (int i = 0; i < 5; ++i) Append("user:1", "role.grant");
  Tamper("DELETE FROM audit_log WHERE seq = 2");
  auto report = log_.Verify(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 2);
  EXPECT_EQ(report->problem, "missing_entry");
}

TEST_P(AuditContractTest, VerifyFindsTruncatedTail) {
  for (int i = 0; i < 5; ++i) Append("user:1", "role.grant");
  Tamper("DELETE FROM audit_log WHERE seq = 5");
  auto report = log_.Verify(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->problem, "head_mismatch");
  EXPECT_EQ(report->first_bad_seq, 5);
}

TEST_P(AuditContractTest, RolledBackActionLeavesNoEntry) {
  Append("cli", "admin.create");
  {
    auto tx = db_->Begin(storage::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(log_.Append(**tx, NewEntry{"user:1", "role.grant", "user:2"}).ok());
    // destroyed without Commit
  }
  Entry next = Append("user:1", "role.revoke");
  EXPECT_EQ(next.seq, 2);
  EXPECT_TRUE(log_.Verify(*db_)->ok);
}

TEST_P(AuditContractTest, RejectsInvalidEntries) {
  EXPECT_EQ(log_.AppendNow(*db_, NewEntry{"", "x"}).status().reason(), "invalid_audit_entry");
  EXPECT_EQ(log_.AppendNow(*db_, NewEntry{"cli", ""}).status().reason(), "invalid_audit_entry");
  EXPECT_EQ(log_.AppendNow(*db_, NewEntry{"cli", "x", "", "[1]"}).status().reason(),
            "invalid_audit_entry");
}

TEST_P(AuditContractTest, FiltersAndCursorPagination) {
  Micros start = clock_.Now();
  for (int i = 0; i < 7; ++i) Append("user:1", "role.grant", "user:" + std::to_string(i % 2));
  Append("user:2", "auth.login_failure_burst", "user:3");
  Append("user:1", "role.revoke", "user:1");

  auto by_actor = log_.Query(*db_, Filter{.actor = "user:2"});
  ASSERT_TRUE(by_actor.ok());
  ASSERT_EQ(by_actor->entries.size(), 1u);
  EXPECT_EQ(by_actor->entries[0].action, "auth.login_failure_burst");

  auto by_prefix = log_.Query(*db_, Filter{.action = "role.*"});
  EXPECT_EQ(by_prefix->entries.size(), 8u);
  auto by_subject = log_.Query(*db_, Filter{.subject = "user:1"});
  EXPECT_EQ(by_subject->entries.size(), 4u);  // i = 1,3,5 and the revoke

  auto window = log_.Query(
      *db_, Filter{.since = start + 2 * kMicrosPerSecond, .until = start + 4 * kMicrosPerSecond});
  ASSERT_EQ(window->entries.size(), 2u);
  EXPECT_EQ(window->entries[0].seq, 4);  // newest first
  EXPECT_EQ(window->entries[1].seq, 3);

  // Walk everything 4 at a time, newest first, with the cursor.
  std::vector<int64_t> seen;
  Filter f{.limit = 4};
  for (;;) {
    auto page = log_.Query(*db_, f);
    ASSERT_TRUE(page.ok());
    for (auto& e : page->entries) seen.push_back(e.seq);
    if (!page->next_cursor) break;
    f.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{9, 8, 7, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(log_.Query(*db_, Filter{.limit = 0}).status().field(), "limit");
}

TEST_P(AuditContractTest, ConcurrentAppendsKeepOneChain) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto e = log_.AppendNow(*db_, NewEntry{"user:" + std::to_string(t), "role.grant"});
        EXPECT_TRUE(e.ok()) << e.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto report = log_.Verify(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->detail;
  EXPECT_EQ(report->entries_checked, 40);
}

}  // namespace herald::audit
