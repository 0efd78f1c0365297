#include "auth/auth_service.h"

#include <algorithm>

#include "auth/phone.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::auth {

namespace {

constexpr std::string_view kPhoneContext = "users.phone";
constexpr std::string_view kPhoneIndexDomain = "phone";
constexpr std::string_view kTokenPrefix = "hs_";

std::string TokenHash(std::string_view token) { return crypto::Sha256Hex(token); }

void SortRoles(std::vector<Role>& roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
}

std::string RoleDetails(Role role) { return JsonObjectWriter().Add("role", RoleName(role)).str(); }

}  // namespace

PiiKeys PiiKeys::Derive(const std::string& master_key) {
  PiiKeys k;
  k.encryption_key = crypto::DeriveKey(master_key, 1, "pii-enc");
  k.index_key = crypto::DeriveKey(master_key, 2, "pii-idx");
  return k;
}

Status PiiKeys::CheckAgainst(storage::Database& db, const Clock& clock) const {
  std::string check = crypto::BlindIndex(index_key, "key-check", key_id);
  return storage::RunInTransaction(db, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
    HERALD_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT check_value FROM pii_keys WHERE id = ?", {key_id}));
    if (rows.empty()) {
      return tx
          .Execute("INSERT INTO pii_keys (id, check_value, created_at) VALUES (?, ?, ?)",
                   {key_id, check, clock.Now()})
          .status();
    }
    if (rows.rows[0].Text(0) != check) {
      return FailedPrecondition(
          "the database was written under another master key: use the data directory whose "
          "keys/master.key created it",
          "key_mismatch");
    }
    return Status();
  });
}

bool Principal::Has(std::string_view permission) const {
  for (Role r : roles) {
    const auto& perms = PermissionsOf(r);
    if (std::binary_search(perms.begin(), perms.end(), permission)) return true;
  }
  return false;
}

AuthService::AuthService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                         Random& random, PiiKeys keys, AuthOptions options)
    : db_(db),
      audit_(audit),
      clock_(clock),
      random_(random),
      keys_(std::move(keys)),
      options_(options) {
  auto h = HashPassword(crypto::Base64UrlEncode(random_.Bytes(16)));
  dummy_hash_ = h.ok() ? *h : std::string();
}

Status AuthService::CheckPassword(std::string_view password, const std::string& field) const {
  if (!IsValidUtf8(password)) {
    return InvalidArgument("password must be valid UTF-8", "invalid_utf8", field);
  }
  size_t n = Utf8Length(password);
  if (n < 8) return InvalidArgument("password needs at least 8 characters", "weak_password", field);
  if (n > 128 || password.size() > 512) {
    return InvalidArgument("password may have at most 128 characters", "password_too_long", field);
  }
  return Status();
}

Result<std::string> AuthService::HashPassword(std::string_view password) const {
  return crypto::HashPassword(password, options_.password_profile);
}

Result<std::string> AuthService::ValidDisplayName(std::string_view name) {
  if (name.empty()) {
    return "用户" + crypto::HexEncode(random_.Bytes(4));
  }
  if (!IsValidUtf8(name)) {
    return InvalidArgument("display name must be valid UTF-8", "invalid_display_name",
                           "display_name");
  }
  size_t n = Utf8Length(name);
  if (n > 30) {
    return InvalidArgument("display name may have at most 30 characters", "invalid_display_name",
                           "display_name");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument("display name may not contain control characters",
                             "invalid_display_name", "display_name");
    }
  }
  if (name.find_first_not_of(' ') == std::string_view::npos) {
    return InvalidArgument("display name may not be blank", "invalid_display_name", "display_name");
  }
  return std::string(name);
}

Result<int64_t> AuthService::InsertUser(storage::Transaction& tx, const std::string& phone,
                                        const std::string& password_hash,
                                        const std::string& display_name) {
  Micros now = clock_.Now();
  auto rows = tx.Query(
      "INSERT INTO users (phone_index, phone_enc, phone_masked, key_id, password_hash, "
      "display_name, status, created_at, password_changed_at) "
      "VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
      {crypto::BlindIndex(keys_.index_key, kPhoneIndexDomain, phone),
       storage::Blob{crypto::Seal(keys_.encryption_key, phone, kPhoneContext)}, MaskPhone(phone),
       keys_.key_id, password_hash, display_name, now, now});
  if (!rows.ok()) {
    if (rows.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("this phone number is already registered", "phone_taken", "phone");
    }
    return rows.status();
  }
  int64_t id = rows->rows.at(0).Int(0);
  HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO user_roles (user_id, role, granted_at, granted_by)"
                                    " VALUES (?, 'reader', ?, 'system')",
                                    {id, now})
                             .status());
  return id;
}

Result<User> AuthService::LoadUser(storage::Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT u.id, u.phone_masked, u.display_name, u.status, u.created_at, "
                          "u.last_login_at, r.role FROM users u "
                          "LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.id = ?",
                          {id}));
  if (rows.empty()) return NotFound("no such user", "user_not_found");
  User u;
  const auto& first = rows.rows[0];
  u.id = first.Int(0);
  u.phone_masked = first.Text(1);
  u.display_name = first.Text(2);
  u.status = first.Text(3);
  u.created_at = first.Int(4);
  if (!first.IsNull(5)) u.last_login_at = first.Int(5);
  for (const auto& r : rows.rows) {
    if (r.IsNull(6)) continue;
    if (auto role = ParseRole(r.Text(6))) u.roles.push_back(*role);
  }
  SortRoles(u.roles);
  return u;
}

Result<User> AuthService::Register(std::string_view phone_in, std::string_view password,
                                   std::string_view display_name_in, const RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string phone, NormalizePhone(phone_in));
  HERALD_RETURN_IF_ERROR(CheckPassword(password, "password"));
  HERALD_ASSIGN_OR_RETURN(std::string display_name, ValidDisplayName(display_name_in));
  // PA-10.3: bulk registration from one address is refused (the command line is exempt).
  const bool limited = meta.client != "cli" && options_.registrations_per_client_per_hour > 0;
  auto over_limit = [&](storage::Transaction& tx) -> Status {
    if (!limited) return Status();
    HERALD_ASSIGN_OR_RETURN(auto n, tx.Query("SELECT COUNT(*) FROM registrations WHERE client = ? "
                                             "AND created_at > ?",
                                             {meta.client, clock_.Now() - kMicrosPerHour}));
    if (n.rows[0].Int(0) >= options_.registrations_per_client_per_hour) {
      return ResourceExhausted("too many registrations from this address; try again later",
                               "too_many_registrations");
    }
    return Status();
  };
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
    HERALD_RETURN_IF_ERROR(over_limit(*tx));
  }
  HERALD_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  User user;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(over_limit(tx));
        if (limited) {
          HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO registrations (client, created_at) VALUES "
                                            "(?, ?)",
                                            {meta.client, clock_.Now()})
                                     .status());
        }
        HERALD_ASSIGN_OR_RETURN(int64_t id, InsertUser(tx, phone, hash, display_name));
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx, audit::NewEntry{"user:" + std::to_string(id), "auth.register",
                                            "user:" + std::to_string(id),
                                            JsonObjectWriter()
                                                .Add("phone", MaskPhone(phone))
                                                .Add("client", meta.client)
                                                .str(),
                                            meta.request_id})
                .status());
        HERALD_ASSIGN_OR_RETURN(user, LoadUser(tx, id));
        return Status();
      }));
  return user;
}

Status AuthService::RecordFailure(const std::string& phone_index, const std::string& subject,
                                  const RequestMeta& meta) {
  return storage::RunInTransaction(db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
    // Read-modify-write of the counter: serialise concurrent failures for one number.
    HERALD_RETURN_IF_ERROR(tx.LockExclusive("login_guard:" + phone_index));
    Micros now = clock_.Now();
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT failures, window_start FROM login_guard WHERE phone_index = ?",
                            {phone_index}));
    int64_t failures = 1;
    Micros window_start = now;
    if (!rows.empty() && now - rows.rows[0].Int(1) <= options_.login_burst_window) {
      failures = rows.rows[0].Int(0) + 1;
      window_start = rows.rows[0].Int(1);
    }
    Micros locked_until = 0;
    if (failures >= options_.login_burst_threshold) {
      locked_until = now + options_.lockout;
      HERALD_RETURN_IF_ERROR(
          audit_
              .Append(tx, audit::NewEntry{"system", "auth.login_failure_burst", subject,
                                          JsonObjectWriter()
                                              .Add("failures", failures)
                                              .Add("window_seconds",
                                                   options_.login_burst_window / kMicrosPerSecond)
                                              .Add("locked_until", FormatRfc3339(locked_until))
                                              .Add("client", meta.client)
                                              .str(),
                                          meta.request_id})
              .status());
      failures = 0;
      window_start = now;
    }
    return tx
        .Execute(
            "INSERT INTO login_guard (phone_index, failures, window_start, locked_until) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (phone_index) DO UPDATE SET "
            "failures = excluded.failures, window_start = excluded.window_start, "
            "locked_until = CASE WHEN excluded.locked_until > 0 THEN excluded.locked_until "
            "ELSE login_guard.locked_until END",
            {phone_index, failures, window_start, locked_until})
        .status();
  });
}

Result<LoginResult> AuthService::Login(std::string_view phone_in, std::string_view password,
                                       const RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string phone, NormalizePhone(phone_in));
  if (password.empty() || password.size() > 512) {
    return Unauthenticated("wrong phone number or password", "invalid_credentials");
  }
  const std::string phone_index = crypto::BlindIndex(keys_.index_key, kPhoneIndexDomain, phone);
  int64_t user_id = 0;
  std::string stored_hash, status;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto guard,
        tx->Query("SELECT locked_until FROM login_guard WHERE phone_index = ?", {phone_index}));
    if (!guard.empty() && guard.rows[0].Int(0) > clock_.Now()) {
      return ResourceExhausted("too many failed logins; try again later", "too_many_attempts");
    }
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT id, password_hash, status FROM users WHERE phone_index = ?",
                             {phone_index}));
    if (!rows.empty()) {
      user_id = rows.rows[0].Int(0);
      stored_hash = rows.rows[0].Text(1);
      status = rows.rows[0].Text(2);
    }
  }
  bool match = crypto::VerifyPassword(user_id ? stored_hash : dummy_hash_, password) && user_id;
  if (!match) {
    std::string subject = user_id ? "user:" + std::to_string(user_id) : "phone:" + MaskPhone(phone);
    HERALD_RETURN_IF_ERROR(RecordFailure(phone_index, subject, meta));
    return Unauthenticated("wrong phone number or password", "invalid_credentials");
  }
  if (status != "active") return PermissionDenied("this user is disabled", "account_disabled");

  LoginResult result;
  result.token = std::string(kTokenPrefix) + crypto::Base64UrlEncode(random_.Bytes(32));
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        Micros now = clock_.Now();
        result.expires_at = now + options_.session_ttl;
        HERALD_RETURN_IF_ERROR(
            tx.Execute("DELETE FROM login_guard WHERE phone_index = ?", {phone_index}).status());
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query("INSERT INTO sessions (user_id, token_hash, created_at, expires_at, client) "
                     "VALUES (?, ?, ?, ?, ?) RETURNING id",
                     {user_id, TokenHash(result.token), now, result.expires_at, meta.client}));
        result.session_id = rows.rows.at(0).Int(0);
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE users SET last_login_at = ? WHERE id = ?", {now, user_id}).status());
        HERALD_ASSIGN_OR_RETURN(result.user, LoadUser(tx, user_id));
        return Status();
      }));
  return result;
}

Result<Principal> AuthService::Authenticate(std::string_view token) const {
  if (token.size() < kTokenPrefix.size() + 40 || token.size() > 100 ||
      !StartsWith(token, kTokenPrefix)) {
    return Unauthenticated("invalid session token", "invalid_token");
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT s.id, s.user_id, s.expires_at, s.revoked_at, u.status, u.phone_masked, "
                "u.display_name, u.created_at, u.last_login_at, r.role "
                "FROM sessions s JOIN users u ON u.id = s.user_id "
                "LEFT JOIN user_roles r ON r.user_id = s.user_id WHERE s.token_hash = ?",
                {TokenHash(token)}));
  if (rows.empty()) return Unauthenticated("invalid session token", "invalid_token");
  const auto& first = rows.rows[0];
  if (!first.IsNull(3)) return Unauthenticated("this session was ended", "session_revoked");
  if (first.Int(2) <= clock_.Now()) {
    return Unauthenticated("this session has expired", "session_expired");
  }
  if (first.Text(4) != "active") {
    return PermissionDenied("this user is disabled", "account_disabled");
  }
  Principal p;
  p.session_id = first.Int(0);
  p.user_id = first.Int(1);
  p.expires_at = first.Int(2);
  for (const auto& r : rows.rows) {
    if (r.IsNull(9)) continue;
    if (auto role = ParseRole(r.Text(9))) p.roles.push_back(*role);
  }
  SortRoles(p.roles);
  p.user.id = p.user_id;
  p.user.status = first.Text(4);
  p.user.phone_masked = first.Text(5);
  p.user.display_name = first.Text(6);
  p.user.created_at = first.Int(7);
  if (!first.IsNull(8)) p.user.last_login_at = first.Int(8);
  p.user.roles = p.roles;
  return p;
}

Status AuthService::Logout(const Principal& who, const RequestMeta&) {
  return storage::RunInTransaction(db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
    return tx
        .Execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                 {clock_.Now(), who.session_id})
        .status();
  });
}

Status AuthService::ChangePassword(const Principal& who, std::string_view old_password,
                                   std::string_view new_password, const RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(CheckPassword(new_password, "new_password"));
  std::string stored;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT password_hash FROM users WHERE id = ?", {who.user_id}));
    if (rows.empty()) return NotFound("no such user", "user_not_found");
    stored = rows.rows[0].Text(0);
  }
  if (old_password.size() > 512 || !crypto::VerifyPassword(stored, old_password)) {
    return Unauthenticated("the current password is wrong", "invalid_credentials", "old_password");
  }
  if (old_password == new_password) {
    return InvalidArgument("the new password must differ from the current one",
                           "password_unchanged", "new_password");
  }
  HERALD_ASSIGN_OR_RETURN(std::string hash, HashPassword(new_password));
  return storage::RunInTransaction(db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
    Micros now = clock_.Now();
    HERALD_RETURN_IF_ERROR(
        tx.Execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                   {hash, now, who.user_id})
            .status());
    HERALD_ASSIGN_OR_RETURN(
        int64_t revoked,
        tx.Execute("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND "
                   "revoked_at IS NULL",
                   {now, who.user_id, who.session_id}));
    return audit_
        .Append(tx, audit::NewEntry{who.Actor(), "auth.password_change", who.Actor(),
                                    JsonObjectWriter().Add("sessions_revoked", revoked).str(),
                                    meta.request_id})
        .status();
  });
}

Result<User> AuthService::GetUser(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
  return LoadUser(*tx, id);
}

Result<UserPage> AuthService::ListUsers(std::optional<int64_t> cursor, int limit) const {
  if (limit < 1 || limit > 200) {
    return InvalidArgument("limit must be between 1 and 200", "invalid_limit", "limit");
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto ids,
                          tx->Query("SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?",
                                    {cursor.value_or(0), int64_t{limit + 1}}));
  UserPage page;
  for (size_t i = 0; i < ids.rows.size() && static_cast<int>(i) < limit; ++i) {
    HERALD_ASSIGN_OR_RETURN(User u, LoadUser(*tx, ids.rows[i].Int(0)));
    page.users.push_back(std::move(u));
  }
  if (static_cast<int>(ids.rows.size()) > limit) page.next_cursor = page.users.back().id;
  return page;
}

Result<User> AuthService::GrantRole(const Principal& actor, int64_t user_id, Role role,
                                    const RequestMeta& meta) {
  if (!actor.Has(perm::kRolesManage)) {
    return PermissionDenied("granting roles needs roles.manage", "permission_denied");
  }
  User user;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(tx.LockExclusive("user_roles:" + std::to_string(user_id)));
        HERALD_ASSIGN_OR_RETURN(user, LoadUser(tx, user_id));
        if (std::binary_search(user.roles.begin(), user.roles.end(), role)) return Status();
        HERALD_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO user_roles (user_id, role, granted_at, granted_by) "
                       "VALUES (?, ?, ?, ?)",
                       {user_id, std::string(RoleName(role)), clock_.Now(), actor.Actor()})
                .status());
        HERALD_RETURN_IF_ERROR(audit_
                                   .Append(tx, audit::NewEntry{actor.Actor(), "role.grant",
                                                               "user:" + std::to_string(user_id),
                                                               RoleDetails(role), meta.request_id})
                                   .status());
        HERALD_ASSIGN_OR_RETURN(user, LoadUser(tx, user_id));
        return Status();
      }));
  return user;
}

Status AuthService::EnsureRole(storage::Transaction& tx, int64_t user_id, Role role,
                               std::string_view actor, const RequestMeta& meta) const {
  HERALD_RETURN_IF_ERROR(tx.LockExclusive("user_roles:" + std::to_string(user_id)));
  HERALD_ASSIGN_OR_RETURN(User user, LoadUser(tx, user_id));
  if (std::binary_search(user.roles.begin(), user.roles.end(), role)) return Status();
  HERALD_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO user_roles (user_id, role, granted_at, granted_by) "
                 "VALUES (?, ?, ?, ?)",
                 {user_id, std::string(RoleName(role)), clock_.Now(), std::string(actor)})
          .status());
  return audit_
      .Append(tx,
              audit::NewEntry{std::string(actor), "role.grant", "user:" + std::to_string(user_id),
                              RoleDetails(role), meta.request_id})
      .status();
}

Result<User> AuthService::RevokeRole(const Principal& actor, int64_t user_id, Role role,
                                     const RequestMeta& meta) {
  if (!actor.Has(perm::kRolesManage)) {
    return PermissionDenied("revoking roles needs roles.manage", "permission_denied");
  }
  if (role == Role::kReader) {
    return FailedPrecondition("every user keeps the reader role", "role_not_revocable");
  }
  User user;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(tx.LockExclusive("user_roles:" + std::to_string(user_id)));
        HERALD_ASSIGN_OR_RETURN(user, LoadUser(tx, user_id));
        if (!std::binary_search(user.roles.begin(), user.roles.end(), role)) return Status();
        if (role == Role::kPlatformAdmin) {
          HERALD_RETURN_IF_ERROR(tx.LockExclusive("user_roles.platform_admin"));
          HERALD_ASSIGN_OR_RETURN(
              auto n, tx.Query("SELECT COUNT(*) FROM user_roles WHERE role = 'platform_admin'"));
          if (n.rows[0].Int(0) <= 1) {
            return FailedPrecondition("the last platform admin cannot be removed", "last_admin");
          }
        }
        HERALD_RETURN_IF_ERROR(tx.Execute("DELETE FROM user_roles WHERE user_id = ? AND role = ?",
                                          {user_id, std::string(RoleName(role))})
                                   .status());
        HERALD_RETURN_IF_ERROR(audit_
                                   .Append(tx, audit::NewEntry{actor.Actor(), "role.revoke",
                                                               "user:" + std::to_string(user_id),
                                                               RoleDetails(role), meta.request_id})
                                   .status());
        HERALD_ASSIGN_OR_RETURN(user, LoadUser(tx, user_id));
        return Status();
      }));
  return user;
}

Result<User> AuthService::CreateOrGrant(std::string_view phone_in, std::string_view password,
                                        Role role, const RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string phone, NormalizePhone(phone_in));
  const std::string phone_index = crypto::BlindIndex(keys_.index_key, kPhoneIndexDomain, phone);
  std::string hash;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(auto rows,
                            tx->Query("SELECT id FROM users WHERE phone_index = ?", {phone_index}));
    if (rows.empty()) {
      HERALD_RETURN_IF_ERROR(CheckPassword(password, "password"));
      HERALD_ASSIGN_OR_RETURN(hash, HashPassword(password));
    }
  }
  User user;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(tx.LockExclusive("users.phone:" + phone_index));
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("SELECT id FROM users WHERE phone_index = ?", {phone_index}));
        int64_t id = 0;
        if (rows.empty()) {
          if (hash.empty()) return Aborted("user disappeared; retry", "conflict");
          HERALD_ASSIGN_OR_RETURN(std::string name, ValidDisplayName(""));
          HERALD_ASSIGN_OR_RETURN(id, InsertUser(tx, phone, hash, name));
          HERALD_RETURN_IF_ERROR(
              audit_
                  .Append(tx,
                          audit::NewEntry{"cli", "admin.create_user", "user:" + std::to_string(id),
                                          JsonObjectWriter().Add("phone", MaskPhone(phone)).str(),
                                          meta.request_id})
                  .status());
        } else {
          id = rows.rows[0].Int(0);
        }
        HERALD_ASSIGN_OR_RETURN(auto held,
                                tx.Query("SELECT 1 FROM user_roles WHERE user_id = ? AND role = ?",
                                         {id, std::string(RoleName(role))}));
        if (held.empty()) {
          HERALD_RETURN_IF_ERROR(
              tx.Execute("INSERT INTO user_roles (user_id, role, granted_at, granted_by) "
                         "VALUES (?, ?, ?, 'cli')",
                         {id, std::string(RoleName(role)), clock_.Now()})
                  .status());
          HERALD_RETURN_IF_ERROR(
              audit_
                  .Append(tx, audit::NewEntry{"cli", "role.grant", "user:" + std::to_string(id),
                                              RoleDetails(role), meta.request_id})
                  .status());
        }
        HERALD_ASSIGN_OR_RETURN(user, LoadUser(tx, id));
        return Status();
      }));
  return user;
}

Status AuthService::ReencryptPii(storage::Transaction& tx, const PiiKeys& from, const PiiKeys& to) {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, phone_enc FROM users"));
  for (const auto& r : rows.rows) {
    auto phone = crypto::Open(from.encryption_key, r.Bytes(1), kPhoneContext);
    if (!phone.ok())
      return Internal("a phone number does not open under the current key", "pii_decrypt_failed");
    HERALD_RETURN_IF_ERROR(
        tx.Execute(
              "UPDATE users SET phone_enc = ?, phone_index = ?, key_id = ? WHERE id = ?",
              {storage::Blob{crypto::Seal(to.encryption_key, *phone, kPhoneContext)},
               crypto::BlindIndex(to.index_key, kPhoneIndexDomain, *phone), to.key_id, r.Int(0)})
            .status());
  }
  HERALD_RETURN_IF_ERROR(tx.Execute("DELETE FROM login_guard").status());
  return tx
      .Execute("UPDATE pii_keys SET check_value = ? WHERE id = ?",
               {crypto::BlindIndex(to.index_key, "key-check", to.key_id), to.key_id})
      .status();
}

std::vector<storage::Migration> AuthService::Migrations() {
  return {
      {"auth/0001_users", R"sql(
CREATE TABLE users (
  id {{AUTO_ID}},
  phone_index TEXT NOT NULL UNIQUE,
  phone_enc {{BLOB}} NOT NULL,
  phone_masked TEXT NOT NULL,
  key_id TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at BIGINT NOT NULL,
  password_changed_at BIGINT NOT NULL,
  last_login_at BIGINT
);
CREATE TABLE user_roles (
  user_id BIGINT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL CHECK (role IN ('reader', 'operator', 'moderator',
    'content_security_officer', 'platform_admin', 'auditor')),
  granted_at BIGINT NOT NULL,
  granted_by TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role);
CREATE TABLE sessions (
  id {{AUTO_ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  client TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE login_guard (
  phone_index TEXT PRIMARY KEY,
  failures BIGINT NOT NULL,
  window_start BIGINT NOT NULL,
  locked_until BIGINT NOT NULL
);
CREATE TABLE pii_keys (
  id TEXT PRIMARY KEY,
  check_value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
)sql",
       ""},
      {"auth/0002_registrations", R"sql(
CREATE TABLE registrations (
  client TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX registrations_client ON registrations (client, created_at);
)sql",
       ""},
  };
}

}  // namespace herald::auth
