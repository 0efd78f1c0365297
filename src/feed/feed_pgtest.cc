// FeedService on PostgreSQL: the shared contract (feed_contract_test.h). Needs
// HERALD_TEST_PG_URL; run under scripts/with_postgres.sh.
#include "feed/feed_contract_test.h"

namespace herald::feed {

INSTANTIATE_TEST_SUITE_P(Postgres, FeedContractTest,
                         ::testing::Values(storage::Backend::kPostgres));

// The test server ships pg_trgm (contrib): the migration installs it and its indexes. Search
// itself does not need them (the contract above passes either way).
class FeedPostgresTest : public FeedContractTest {};

TEST_P(FeedPostgresTest, MigrationInstallsPgTrgmIndexesWhenAvailable) {
  auto tx = db_->Begin(storage::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto available = (*tx)->Query("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'");
  ASSERT_TRUE(available.ok());
  if (available->empty()) GTEST_SKIP() << "pg_trgm is not installed on this server";
  auto indexes = (*tx)->Query(
      "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'feed_search_%_trgm' "
      "ORDER BY indexname");
  ASSERT_TRUE(indexes.ok());
  ASSERT_EQ(indexes->size(), 2u);
  EXPECT_EQ(indexes->rows[0].Text(0), "feed_search_accounts_trgm");
  EXPECT_EQ(indexes->rows[1].Text(0), "feed_search_articles_trgm");
}

INSTANTIATE_TEST_SUITE_P(Postgres, FeedPostgresTest,
                         ::testing::Values(storage::Backend::kPostgres));

}  // namespace herald::feed
