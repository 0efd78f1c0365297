// ReportService on PostgreSQL (reports_contract_test.h has the tests; skipped without
// HERALD_TEST_PG_URL).
#include "reports/reports_contract_test.h"

namespace herald::reports {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, ReportsTest, ::testing::Values(storage::Backend::kPostgres));

}  // namespace
}  // namespace herald::reports
