// ProvenanceService on SQLite (the contract in provenance_contract_test.h).
#include "provenance/provenance_contract_test.h"

namespace herald::provenance {
INSTANTIATE_TEST_SUITE_P(Sqlite, ProvenanceContractTest,
                         ::testing::Values(storage::Backend::kSqlite));
}  // namespace herald::provenance
