#include "auth/auth_contract_test.h"

namespace herald::auth {
INSTANTIATE_TEST_SUITE_P(Postgres, AuthContractTest,
                         ::testing::Values(storage::Backend::kPostgres));
}  // namespace herald::auth
