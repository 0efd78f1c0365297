#include "audit/audit_contract_test.h"

namespace herald::audit {
INSTANTIATE_TEST_SUITE_P(Sqlite, AuditContractTest, ::testing::Values(storage::Backend::kSqlite));
}  // namespace herald::audit
