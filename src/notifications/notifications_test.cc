// NotificationService on SQLite (notifications_contract_test.h has the tests).
#include "notifications/notifications_contract_test.h"

namespace herald::notifications {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, NotificationsTest, ::testing::Values(storage::Backend::kSqlite));

}  // namespace
}  // namespace herald::notifications
