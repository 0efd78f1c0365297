// AppealService on SQLite (appeals_contract_test.h has the tests).
#include "appeals/appeals_contract_test.h"

namespace herald::appeals {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, AppealsTest, ::testing::Values(storage::Backend::kSqlite));

}  // namespace
}  // namespace herald::appeals
