#include "notifications/notification_service.h"

#include <utility>

#include "core/strings.h"

namespace herald::notifications {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr std::string_view kColumns =
    "id, user_id, kind, title, body, link, ref, created_at, read_at";

Notification FromRow(const Row& r) {
  Notification n;
  n.id = r.Int(0);
  n.user_id = r.Int(1);
  n.kind = r.Text(2);
  n.title = r.Text(3);
  n.body = r.Text(4);
  n.link = r.Text(5);
  n.ref = r.Text(6);
  n.created_at = r.Int(7);
  if (!r.IsNull(8)) n.read_at = r.Int(8);
  return n;
}

bool ValidKind(std::string_view kind) {
  if (kind.empty() || kind.size() > 40) return false;
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Status Invalid(std::string message, std::string field) {
  return InvalidArgument(std::move(message), "invalid_notification", std::move(field));
}

}  // namespace

NotificationService::NotificationService(storage::Database& db, const Clock& clock)
    : db_(db), clock_(clock) {}

Result<int64_t> NotificationService::Notify(Transaction& tx, const NewNotification& n) const {
  if (n.user_id <= 0) return Invalid("a notification needs a user", "user_id");
  if (!ValidKind(n.kind)) return Invalid("kind must be 1 to 40 of [a-z0-9_]", "kind");
  auto title = CheckTextField(n.title, 1, 200, "invalid_notification", "title");
  if (!title.ok()) return title.status();
  auto body = CheckTextField(n.body, 0, 4000, "invalid_notification", "body", true);
  if (!body.ok()) return body.status();
  if (n.link.size() > 300 || !IsValidUtf8(n.link) || (!n.link.empty() && n.link.front() != '/')) {
    return Invalid("link must be an API path starting with /", "link");
  }
  if (n.ref.size() > 100 || !IsValidUtf8(n.ref)) return Invalid("ref is too long", "ref");
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("INSERT INTO notifications (user_id, kind, title, body, link, ref, "
                          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {n.user_id, n.kind, *title, *body, n.link, n.ref, clock_.Now()}));
  return rows.rows.at(0).Int(0);
}

Result<std::vector<Notification>> NotificationService::List(int64_t user_id, bool unread_only,
                                                            std::optional<int64_t> before_id,
                                                            int limit) const {
  if (limit < 1 || limit > 100) {
    return InvalidArgument("limit must be 1 to 100", "invalid_limit", "limit");
  }
  std::string sql = "SELECT " + std::string(kColumns) + " FROM notifications WHERE user_id = ?";
  std::vector<Value> params = {user_id};
  if (unread_only) sql += " AND read_at IS NULL";
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Notification> out;
  out.reserve(rows.size());
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<int64_t> NotificationService::UnreadCount(int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS "
                           "NULL",
                           {user_id}));
  return rows.rows.at(0).Int(0);
}

Status NotificationService::MarkRead(int64_t user_id, int64_t id) const {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT read_at FROM notifications WHERE id = ? AND user_id = ?", {id, user_id}));
    if (rows.empty()) return NotFound("no such notification", "notification_not_found");
    if (!rows.rows[0].IsNull(0)) return Status();
    return tx
        .Execute("UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL",
                 {clock_.Now(), id})
        .status();
  });
}

Status NotificationService::MarkAllRead(int64_t user_id) const {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx
        .Execute("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
                 {clock_.Now(), user_id})
        .status();
  });
}

std::vector<storage::Migration> NotificationService::Migrations() {
  return {{"notifications/0001_notifications", R"SQL(
CREATE TABLE notifications (
  id {{AUTO_ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  link TEXT NOT NULL,
  ref TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at, id);
)SQL",
           ""}};
}

}  // namespace herald::notifications
