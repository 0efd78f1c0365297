// AuthService: users, passwords, sessions and roles.
//
// - Users register with a mainland mobile number and a password. The number is personal data:
//   it is stored only encrypted (XChaCha20-Poly1305 under the PII key), found through a keyed
//   blind index, and shown only masked ("138****8000"). Proof of the number by one-time code
//   arrives with the identity module.
// - Passwords are hashed with Argon2id (libsodium); hashing and verification run outside any
//   database transaction so the single SQLite writer is never held for the hash's ~100 ms.
// - Sessions are random 256-bit tokens ("hs_" + base64url); only SHA-256(token) is stored, with
//   an expiry and a revocation time.
// - Repeated login failures for one number within the configured window lock that number for
//   `lockout` and append "auth.login_failure_burst" to the audit log.
// - Role grants and revocations are audited in the same transaction as the change.
//
// Every method returns InvalidArgument with a field name for bad input, and never leaves a
// partial write behind. Thread-safe: all state lives in the database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "auth/roles.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/random.h"
#include "core/status.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::auth {

// Keys protecting personal data at rest, derived from the master key file in the data dir.
struct PiiKeys {
  std::string key_id = "k1";
  std::string encryption_key;  // 32 bytes
  std::string index_key;       // 32 bytes

  static PiiKeys Derive(const std::string& master_key);
  // Records the keys' check value on first use; afterwards FailedPrecondition ("key_mismatch")
  // when the database was written under another master key.
  Status CheckAgainst(storage::Database& db, const Clock& clock) const;
};

struct AuthOptions {
  Micros session_ttl = 30 * kMicrosPerDay;
  int login_burst_threshold = 5;
  Micros login_burst_window = 15 * kMicrosPerMinute;
  Micros lockout = 15 * kMicrosPerMinute;
  // Argon2id cost. Production: kInteractive or kModerate (config auth.password_hash); unit
  // tests use kMinimum to stay fast.
  crypto::PasswordHashProfile password_profile = crypto::PasswordHashProfile::kInteractive;
  // PA-10.3: registrations allowed per client address per hour (0 = unlimited); the command
  // line (client "cli") is exempt. Refusal: ResourceExhausted "too_many_registrations".
  int registrations_per_client_per_hour = 50;
};

// Who is calling, for audit entries and rate limits.
struct RequestMeta {
  std::string request_id;
  std::string client;
  std::string device;  // optional client-supplied device id (X-Device-Id), for abuse detection
};

struct User {
  int64_t id = 0;
  std::string phone_masked;
  std::string display_name;
  std::string status;  // "active" | "disabled"
  Micros created_at = 0;
  std::optional<Micros> last_login_at;
  std::vector<Role> roles;  // sorted, always includes kReader
};

struct LoginResult {
  std::string token;  // shown once; only its hash is stored
  int64_t session_id = 0;
  Micros expires_at = 0;
  User user;
};

// An authenticated caller.
struct Principal {
  int64_t user_id = 0;
  int64_t session_id = 0;
  Micros expires_at = 0;
  std::vector<Role> roles;
  User user;  // loaded with the session, in the same query

  bool Has(std::string_view permission) const;
  std::string Actor() const { return "user:" + std::to_string(user_id); }
};

struct UserPage {
  std::vector<User> users;
  std::optional<int64_t> next_cursor;
};

class AuthService {
 public:
  AuthService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
              Random& random, PiiKeys keys, AuthOptions options);

  // Creates an active user holding the reader role. AlreadyExists ("phone_taken", field
  // "phone") when the number is registered; InvalidArgument for a bad phone ("invalid_phone"),
  // password ("weak_password" under 8 characters, "password_too_long" over 128) or display
  // name ("invalid_display_name"). An empty display name gets a generated one.
  Result<User> Register(std::string_view phone, std::string_view password,
                        std::string_view display_name, const RequestMeta& meta);

  // Unauthenticated ("invalid_credentials") for an unknown number or wrong password (the two
  // are indistinguishable, in timing too); ResourceExhausted ("too_many_attempts") while the
  // number is locked; PermissionDenied ("account_disabled") for a disabled user.
  Result<LoginResult> Login(std::string_view phone, std::string_view password,
                            const RequestMeta& meta);

  // Resolves a bearer token. Unauthenticated with reason "invalid_token", "session_expired"
  // or "session_revoked"; PermissionDenied ("account_disabled").
  Result<Principal> Authenticate(std::string_view token) const;

  // Revokes the caller's session. Idempotent.
  Status Logout(const Principal& who, const RequestMeta& meta);

  // Unauthenticated ("invalid_credentials", field "old_password") when the old password is
  // wrong. Revokes every other session of the user; audited as "auth.password_change".
  Status ChangePassword(const Principal& who, std::string_view old_password,
                        std::string_view new_password, const RequestMeta& meta);

  // NotFound ("user_not_found").
  Result<User> GetUser(int64_t id) const;
  // Users by ascending id after `cursor`; limit 1..200.
  Result<UserPage> ListUsers(std::optional<int64_t> cursor, int limit) const;

  // Requires perm::kRolesManage. Granting a held role changes nothing and writes no audit
  // entry. Revoking "reader" is refused ("role_not_revocable"); revoking the last
  // platform_admin is refused ("last_admin").
  Result<User> GrantRole(const Principal& actor, int64_t user_id, Role role,
                         const RequestMeta& meta);
  Result<User> RevokeRole(const Principal& actor, int64_t user_id, Role role,
                          const RequestMeta& meta);

  // Bootstrap from the command line (`herald admin create`): registers the number when new,
  // otherwise verifies nothing and just grants `role`. Audited with actor "cli".
  Result<User> CreateOrGrant(std::string_view phone, std::string_view password, Role role,
                             const RequestMeta& meta);

  // Grants `role` inside the caller's write transaction on behalf of the system (e.g. the
  // operator role when a user's first account is created), audited with `actor`. A held role
  // changes nothing. NotFound ("user_not_found").
  Status EnsureRole(storage::Transaction& tx, int64_t user_id, Role role, std::string_view actor,
                    const RequestMeta& meta) const;

  static std::vector<storage::Migration> Migrations();

  // Key rotation: re-seals every user's phone number under `to` and recomputes its blind index,
  // forgets login-failure counters (keyed by the old index) and records `to`'s check value.
  // Runs in the caller's write transaction. Internal ("pii_decrypt_failed") when a value does not
  // open under `from`.
  static Status ReencryptPii(storage::Transaction& tx, const PiiKeys& from, const PiiKeys& to);

 private:
  Result<User> LoadUser(storage::Transaction& tx, int64_t id) const;
  Result<int64_t> InsertUser(storage::Transaction& tx, const std::string& phone,
                             const std::string& password_hash, const std::string& display_name);
  Status CheckPassword(std::string_view password, const std::string& field) const;
  Result<std::string> HashPassword(std::string_view password) const;
  Result<std::string> ValidDisplayName(std::string_view name);
  Status RecordFailure(const std::string& phone_index, const std::string& subject,
                       const RequestMeta& meta);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  PiiKeys keys_;
  AuthOptions options_;
  std::string dummy_hash_;  // verified against for unknown numbers, to equalise timing
};

}  // namespace herald::auth
