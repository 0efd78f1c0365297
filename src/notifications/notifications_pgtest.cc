// NotificationService on PostgreSQL (notifications_contract_test.h has the tests; skipped
// without HERALD_TEST_PG_URL).
#include "notifications/notifications_contract_test.h"

namespace herald::notifications {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, NotificationsTest,
                         ::testing::Values(storage::Backend::kPostgres));

}  // namespace
}  // namespace herald::notifications
