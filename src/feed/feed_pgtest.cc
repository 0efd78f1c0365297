// FeedService on PostgreSQL: the shared contract (feed_contract_test.h). Needs
// HERALD_TEST_PG_URL; run under scripts/with_postgres.sh.
#include "feed/feed_contract_test.h"

namespace herald::feed {

INSTANTIATE_TEST_SUITE_P(Postgres, FeedContractTest,
                         ::testing::Values(storage::Backend::kPostgres));

}  // namespace herald::feed
