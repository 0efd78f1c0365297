// ProvenanceService on PostgreSQL (the contract in provenance_contract_test.h); skipped with a
// message when HERALD_TEST_PG_URL is not set (scripts/with_postgres.sh sets it).
#include "provenance/provenance_contract_test.h"

namespace herald::provenance {
INSTANTIATE_TEST_SUITE_P(Postgres, ProvenanceContractTest,
                         ::testing::Values(storage::Backend::kPostgres));
}  // namespace herald::provenance
