// AppealService on PostgreSQL (appeals_contract_test.h has the tests; skipped without
// HERALD_TEST_PG_URL).
#include "appeals/appeals_contract_test.h"

namespace herald::appeals {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, AppealsTest, ::testing::Values(storage::Backend::kPostgres));

}  // namespace
}  // namespace herald::appeals
