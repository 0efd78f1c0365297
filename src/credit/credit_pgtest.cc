// CreditService on PostgreSQL (credit_contract_test.h has the tests; skipped without
// HERALD_TEST_PG_URL).
#include "credit/credit_contract_test.h"

namespace herald::credit {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, CreditTest, ::testing::Values(storage::Backend::kPostgres));

}  // namespace
}  // namespace herald::credit
