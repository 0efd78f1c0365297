#include "audit/audit_contract_test.h"

namespace herald::audit {
INSTANTIATE_TEST_SUITE_P(Postgres, AuditContractTest,
                         ::testing::Values(storage::Backend::kPostgres));
}  // namespace herald::audit
