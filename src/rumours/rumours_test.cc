// RumourService on SQLite (rumours_contract_test.h has the tests).
#include "rumours/rumours_contract_test.h"

namespace herald::rumours {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, RumoursTest, ::testing::Values(storage::Backend::kSqlite));

}  // namespace
}  // namespace herald::rumours
