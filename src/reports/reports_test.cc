// ReportService on SQLite (reports_contract_test.h has the tests).
#include "reports/reports_contract_test.h"

namespace herald::reports {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, ReportsTest, ::testing::Values(storage::Backend::kSqlite));

}  // namespace
}  // namespace herald::reports
