// CreditService on SQLite (credit_contract_test.h has the tests).
#include "credit/credit_contract_test.h"

namespace herald::credit {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, CreditTest, ::testing::Values(storage::Backend::kSqlite));

}  // namespace
}  // namespace herald::credit
