// NotificationService: a user's inbox (站内通知). Other modules add a notification inside their
// own write transaction (so the notice lands together with what it tells of, or not at all);
// users list theirs newest first, count the unread ones and mark them read.
//
// A notification is plain text for one user: a stable `kind` (report_received, report_outcome,
// report_against_you, rumour_debunk, appeal_outcome, ...), a title and a body, an optional
// `link` (an API path such as "/api/v1/reports/12") and an optional `ref` naming the record it
// is about ("report:12", "rumour:3"). Notifications carry no personal data of third parties;
// callers must not put phone numbers or contacts into them.
//
// Errors (stable reasons): InvalidArgument invalid_notification (field user_id, kind, title,
// body, link or ref), invalid_limit; NotFound notification_not_found.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::notifications {

struct NewNotification {
  int64_t user_id = 0;
  std::string kind;         // stable, [a-z0-9_], at most 40 bytes
  std::string title, body;  // title 1..200 characters, body at most 4000
  std::string link;         // an API path or ""
  std::string ref;          // "report:12", "rumour:3", ... or ""
};

struct Notification {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string kind, title, body, link, ref;
  Micros created_at = 0;
  std::optional<Micros> read_at;
};

class NotificationService {
 public:
  NotificationService(storage::Database& db, const Clock& clock);

  // Adds a notification in the caller's write transaction; returns its id. InvalidArgument
  // invalid_notification for an empty kind or title, user_id <= 0, or a field over its limit.
  // A user id that does not exist fails with the database's foreign_key_violation.
  Result<int64_t> Notify(storage::Transaction& tx, const NewNotification& n) const;

  // The user's notifications, newest first (by id), only unread ones when `unread_only`, with
  // ids below `before_id` when given. limit 1..100 else InvalidArgument invalid_limit.
  Result<std::vector<Notification>> List(int64_t user_id, bool unread_only,
                                         std::optional<int64_t> before_id, int limit) const;
  // How many of the user's notifications are unread.
  Result<int64_t> UnreadCount(int64_t user_id) const;
  // Marks one read (idempotent). NotFound notification_not_found when it does not exist or
  // belongs to another user.
  Status MarkRead(int64_t user_id, int64_t id) const;
  // Marks every unread notification of the user read.
  Status MarkAllRead(int64_t user_id) const;

  static std::vector<storage::Migration> Migrations();

 private:
  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace herald::notifications
