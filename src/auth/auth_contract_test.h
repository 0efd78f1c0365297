// AuthService behaviour on every storage backend (auth_test.cc: SQLite, auth_pgtest.cc:
// PostgreSQL).
#pragma once

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "auth/phone.h"
#include "core/crypto.h"
#include "core/strings.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace herald::auth {

class AuthContractTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok()) GTEST_SKIP() << url.status().message();
    auto db = storage::OpenDatabase(*url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto migrations = audit::AuditLog::Migrations();
    for (auto& m : AuthService::Migrations()) migrations.push_back(m);
    ASSERT_TRUE(storage::Migrate(*db_, migrations, clock_).ok());
    keys_ = PiiKeys::Derive(std::string(32, 'm'));
    ASSERT_TRUE(keys_.CheckAgainst(*db_, clock_).ok());
    AuthOptions opts;
    opts.password_profile = crypto::PasswordHashProfile::kMinimum;
    opts.login_burst_threshold = 3;
    opts.login_burst_window = 10 * kMicrosPerMinute;
    opts.lockout = 15 * kMicrosPerMinute;
    opts.session_ttl = kMicrosPerDay;
    svc_ = std::make_unique<AuthService>(*db_, audit_, clock_, random_, keys_, opts);
  }

  User MustRegister(const std::string& phone, const std::string& password = "password-123") {
    auto u = svc_->Register(phone, password, "", meta_);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : User{};
  }

  Principal AdminPrincipal() {
    auto u = svc_->CreateOrGrant("13900000000", "admin-pass-1", Role::kPlatformAdmin, meta_);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    auto login = svc_->Login("13900000000", "admin-pass-1", meta_);
    EXPECT_TRUE(login.ok()) << login.status().ToString();
    return *svc_->Authenticate(login->token);
  }

  std::vector<audit::Entry> AuditEntries(const std::string& action) {
    auto page = audit_.Query(*db_, audit::Filter{.action = action, .limit = 500});
    EXPECT_TRUE(page.ok());
    return page->entries;
  }

  FakeClock clock_;
  SeededRandom random_{42};
  audit::AuditLog audit_{clock_};
  PiiKeys keys_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<AuthService> svc_;
  RequestMeta meta_{"req-test", "127.0.0.1"};
};

TEST_P(AuthContractTest, RegisterLoginAuthenticateLogout) {
  User u = MustRegister("+86 138-0013-8000");
  EXPECT_GT(u.id, 0);
  EXPECT_EQ(u.phone_masked, "138****8000");
  EXPECT_EQ(u.roles, std::vector<Role>{Role::kReader});
  EXPECT_EQ(u.status, "active");

  auto login = svc_->Login("13800138000", "password-123", meta_);
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_TRUE(StartsWith(login->token, "hs_"));
  EXPECT_GE(login->token.size(), 45u);
  EXPECT_EQ(login->expires_at, clock_.Now() + kMicrosPerDay);
  EXPECT_EQ(login->user.last_login_at, clock_.Now());

  auto who = svc_->Authenticate(login->token);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->user_id, u.id);
  EXPECT_TRUE(who->Has(perm::kSelfRead));
  EXPECT_FALSE(who->Has(perm::kRolesManage));

  ASSERT_TRUE(svc_->Logout(*who, meta_).ok());
  EXPECT_EQ(svc_->Authenticate(login->token).status().reason(), "session_revoked");
  EXPECT_TRUE(svc_->Logout(*who, meta_).ok());  // idempotent
}

TEST_P(AuthContractTest, PhoneIsStoredOnlyEncrypted) {
  User u = MustRegister("13800138000");
  auto tx = db_->Begin(storage::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto rows = (*tx)->Query(
      "SELECT phone_index, phone_enc, phone_masked, password_hash FROM users WHERE id = ?", {u.id});
  ASSERT_TRUE(rows.ok());
  const auto& r = rows->rows.at(0);
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r.Bytes(i).find("13800138000"), std::string::npos) << "column " << i;
  }
  EXPECT_TRUE(StartsWith(r.Text(3), "$argon2id$"));
  EXPECT_EQ(*crypto::Open(keys_.encryption_key, r.Bytes(1), "users.phone"), "13800138000");
}

TEST_P(AuthContractTest, DuplicatePhoneRejectedWithField) {
  MustRegister("13800138000");
  auto again = svc_->Register("+8613800138000", "password-456", "", meta_);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().reason(), "phone_taken");
  EXPECT_EQ(again.status().field(), "phone");
}

TEST_P(AuthContractTest, RegistrationValidatesEachField) {
  EXPECT_EQ(svc_->Register("12345", "password-123", "", meta_).status().reason(), "invalid_phone");
  EXPECT_EQ(svc_->Register("23800138000", "password-123", "", meta_).status().reason(),
            "invalid_phone");
  EXPECT_EQ(svc_->Register("13800138000", "short", "", meta_).status().reason(), "weak_password");
  EXPECT_EQ(svc_->Register("13800138000", std::string(200, 'x'), "", meta_).status().reason(),
            "password_too_long");
  auto bad_name = svc_->Register("13800138000", "password-123", "a\nb", meta_);
  EXPECT_EQ(bad_name.status().reason(), "invalid_display_name");
  EXPECT_EQ(bad_name.status().field(), "display_name");
  EXPECT_EQ(svc_->Register("13800138000", "password-123", std::string(31 * 3, 'a'), meta_)
                .status()
                .reason(),
            "invalid_display_name");
  // None of the failed attempts left a user behind.
  auto page = svc_->ListUsers(std::nullopt, 10);
  EXPECT_TRUE(page->users.empty());
  auto named = svc_->Register("13800138000", "password-123", "小明的号", meta_);
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->display_name, "小明的号");
}

TEST_P(AuthContractTest, WrongPasswordAndUnknownPhoneLookAlike) {
  MustRegister("13800138000");
  auto wrong = svc_->Login("13800138000", "password-999", meta_);
  auto unknown = svc_->Login("13700137000", "password-123", meta_);
  EXPECT_EQ(wrong.status().reason(), "invalid_credentials");
  EXPECT_EQ(unknown.status().reason(), "invalid_credentials");
  EXPECT_EQ(wrong.status().message(), unknown.status().message());
}

TEST_P(AuthContractTest, LoginFailureBurstLocksAndIsAudited) {
  User u = MustRegister("13800138000");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(svc_->Login("13800138000", "nope-nope-nope", meta_).status().reason(),
              "invalid_credentials");
    clock_.Advance(kMicrosPerSecond);
  }
  // Locked now, even with the right password.
  EXPECT_EQ(svc_->Login("13800138000", "password-123", meta_).status().reason(),
            "too_many_attempts");
  auto bursts = AuditEntries("auth.login_failure_burst");
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].subject, "user:" + std::to_string(u.id));
  EXPECT_EQ(bursts[0].details.find("13800138000"), std::string::npos);
  clock_.Advance(16 * kMicrosPerMinute);
  EXPECT_TRUE(svc_->Login("13800138000", "password-123", meta_).ok());
}

TEST_P(AuthContractTest, SlowFailuresOutsideTheWindowDoNotLock) {
  MustRegister("13800138000");
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(svc_->Login("13800138000", "nope-nope-nope", meta_).ok());
    clock_.Advance(6 * kMicrosPerMinute);
  }
  EXPECT_TRUE(svc_->Login("13800138000", "password-123", meta_).ok());
  EXPECT_TRUE(AuditEntries("auth.login_failure_burst").empty());
}

TEST_P(AuthContractTest, SessionsExpire) {
  MustRegister("13800138000");
  auto login = svc_->Login("13800138000", "password-123", meta_);
  ASSERT_TRUE(login.ok());
  clock_.Advance(kMicrosPerDay + 1);
  EXPECT_EQ(svc_->Authenticate(login->token).status().reason(), "session_expired");
  EXPECT_EQ(svc_->Authenticate("hs_" + std::string(43, 'A')).status().reason(), "invalid_token");
  EXPECT_EQ(svc_->Authenticate("garbage").status().reason(), "invalid_token");
}

TEST_P(AuthContractTest, ChangePasswordRevokesOtherSessions) {
  MustRegister("13800138000");
  auto a = svc_->Login("13800138000", "password-123", meta_);
  auto b = svc_->Login("13800138000", "password-123", meta_);
  ASSERT_TRUE(a.ok() && b.ok());
  Principal pa = *svc_->Authenticate(a->token);
  EXPECT_EQ(svc_->ChangePassword(pa, "wrong-password", "new-password-1", meta_).field(),
            "old_password");
  EXPECT_EQ(svc_->ChangePassword(pa, "password-123", "short", meta_).reason(), "weak_password");
  ASSERT_TRUE(svc_->ChangePassword(pa, "password-123", "new-password-1", meta_).ok());
  EXPECT_TRUE(svc_->Authenticate(a->token).ok());
  EXPECT_EQ(svc_->Authenticate(b->token).status().reason(), "session_revoked");
  EXPECT_FALSE(svc_->Login("13800138000", "password-123", meta_).ok());
  EXPECT_TRUE(svc_->Login("13800138000", "new-password-1", meta_).ok());
  EXPECT_EQ(AuditEntries("auth.password_change").size(), 1u);
}

TEST_P(AuthContractTest, RolesGrantRevokeAuditedAndGuarded) {
  Principal admin = AdminPrincipal();
  User u = MustRegister("13800138000");
  auto granted = svc_->GrantRole(admin, u.id, Role::kModerator, meta_);
  ASSERT_TRUE(granted.ok()) << granted.status().ToString();
  EXPECT_EQ(granted->roles, (std::vector<Role>{Role::kReader, Role::kModerator}));
  // Granting again changes nothing and writes no second entry.
  ASSERT_TRUE(svc_->GrantRole(admin, u.id, Role::kModerator, meta_).ok());
  auto grants = AuditEntries("role.grant");
  // One for the admin bootstrap, one for the moderator grant.
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[0].actor, admin.Actor());
  EXPECT_EQ(grants[0].subject, "user:" + std::to_string(u.id));
  EXPECT_EQ(grants[0].details, R"({"role":"moderator"})");

  auto login = svc_->Login("13800138000", "password-123", meta_);
  Principal mod = *svc_->Authenticate(login->token);
  EXPECT_TRUE(mod.Has(perm::kUsersRead));
  EXPECT_EQ(svc_->GrantRole(mod, u.id, Role::kPlatformAdmin, meta_).status().code(),
            StatusCode::kPermissionDenied);

  ASSERT_TRUE(svc_->RevokeRole(admin, u.id, Role::kModerator, meta_).ok());
  EXPECT_FALSE(svc_->Authenticate(login->token)->Has(perm::kUsersRead));
  EXPECT_EQ(AuditEntries("role.revoke").size(), 1u);
  EXPECT_EQ(svc_->RevokeRole(admin, u.id, Role::kReader, meta_).status().reason(),
            "role_not_revocable");
  EXPECT_EQ(svc_->RevokeRole(admin, admin.user_id, Role::kPlatformAdmin, meta_).status().reason(),
            "last_admin");
  EXPECT_EQ(svc_->GrantRole(admin, 999999, Role::kAuditor, meta_).status().reason(),
            "user_not_found");
  EXPECT_TRUE(audit_.Verify(*db_)->ok);
}

TEST_P(AuthContractTest, ListUsersPaginates) {
  for (int i = 0; i < 5; ++i) MustRegister("1380013800" + std::to_string(i));
  std::vector<int64_t> ids;
  std::optional<int64_t> cursor;
  do {
    auto page = svc_->ListUsers(cursor, 2);
    ASSERT_TRUE(page.ok());
    for (auto& u : page->users) ids.push_back(u.id);
    cursor = page->next_cursor;
  } while (cursor);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(svc_->ListUsers(std::nullopt, 0).status().field(), "limit");
}

TEST_P(AuthContractTest, KeyMismatchIsDetected) {
  PiiKeys other = PiiKeys::Derive(std::string(32, 'x'));
  EXPECT_EQ(other.CheckAgainst(*db_, clock_).reason(), "key_mismatch");
}

}  // namespace herald::auth
