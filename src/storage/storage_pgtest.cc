// PostgreSQL: the shared storage contract plus what only a server can show (reconnecting after
// the server dropped a connection). Needs HERALD_TEST_PG_URL; run under scripts/with_postgres.sh.
#include <gtest/gtest.h>

#include "storage/store_contract_test.h"

namespace herald::storage {

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest, ::testing::Values(Backend::kPostgres));

namespace {

class PostgresOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = NewTestDatabaseUrl(Backend::kPostgres);
    if (!url.ok() && url.status().code() == StatusCode::kNotFound) {
      GTEST_SKIP() << url.status().message();
    }
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
  }
  std::string url_;
};

TEST_F(PostgresOnlyTest, BrokenConnectionsAreResetBeforeReuse) {
  auto db = OpenDatabase(url_, DatabaseOptions{.readers = 2});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto killer = OpenDatabase(url_, DatabaseOptions{.readers = 2});
  ASSERT_TRUE(killer.ok());
  {
    auto tx = (*killer)->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    // Terminates every other session on this database (db's two connections and killer's
    // idle one) and waits for them to end.
    auto rows = (*tx)->Query(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->size(), 3u);
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  for (int i = 0; i < 4; ++i) {
    auto tx = (*db)->Begin(i % 2 ? TxMode::kRead : TxMode::kWrite);
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    auto rows = (*tx)->Query("SELECT ? AS x", {int64_t{i}});
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->rows.at(0).Int(0), i);
    EXPECT_TRUE((*tx)->Commit().ok());
  }
}

TEST_F(PostgresOnlyTest, LostConnectionInsideATransactionIsUnavailable) {
  auto db = OpenDatabase(url_, DatabaseOptions{.readers = 2});
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  auto self = (*tx)->Query("SELECT pg_terminate_backend(pg_backend_pid())");
  EXPECT_FALSE(self.ok());
  EXPECT_EQ(self.status().code(), StatusCode::kUnavailable) << self.status().ToString();
  EXPECT_EQ(self.status().reason(), "database_unavailable");
  tx->reset();
  // The pool recovers.
  auto again = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*again)->Query("SELECT 1").ok());
}

TEST_F(PostgresOnlyTest, LockWaitsAreBoundedAndReportedAsConflicts) {
  auto db = OpenDatabase(url_, DatabaseOptions{.readers = 2, .busy_timeout_ms = 200});
  ASSERT_TRUE(db.ok());
  auto holder = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->LockExclusive("held").ok());
  auto waiter = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(waiter.ok());
  Status st = (*waiter)->LockExclusive("held");
  EXPECT_EQ(st.code(), StatusCode::kAborted) << st.ToString();
  EXPECT_EQ(st.reason(), "conflict");
  waiter->reset();
  // A different name does not wait.
  auto other = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->LockExclusive("another").ok());
}

TEST_F(PostgresOnlyTest, DataErrorsDoNotEchoValues) {
  auto db = OpenDatabase(url_);
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->Begin(TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto rows = (*tx)->Query("SELECT CAST(? AS BIGINT)", {std::string("secret-value")});
  EXPECT_EQ(rows.status().code(), StatusCode::kInternal);
  EXPECT_EQ(rows.status().message().find("secret-value"), std::string::npos)
      << rows.status().message();
}

TEST_F(PostgresOnlyTest, UrlsAreFreshDatabases) {
  auto other = NewTestDatabaseUrl(Backend::kPostgres);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, url_);
  EXPECT_TRUE(PostgresAvailable());
}

}  // namespace
}  // namespace herald::storage
