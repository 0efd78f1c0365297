// RumourService on PostgreSQL (rumours_contract_test.h has the tests; skipped without
// HERALD_TEST_PG_URL).
#include "rumours/rumours_contract_test.h"

namespace herald::rumours {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, RumoursTest, ::testing::Values(storage::Backend::kPostgres));

}  // namespace
}  // namespace herald::rumours
