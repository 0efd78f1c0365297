// FeedService on SQLite: the shared contract (feed_contract_test.h).
#include "feed/feed_contract_test.h"

namespace herald::feed {

INSTANTIATE_TEST_SUITE_P(Sqlite, FeedContractTest, ::testing::Values(storage::Backend::kSqlite));

}  // namespace herald::feed
