// Seeds a Herald database with N users for the HTTP benchmark, through the real AuthService
// (encrypted phones, blind index, roles, audit entries), and prints a session token for the
// last user on stdout. Passwords use Argon2id's minimum cost so seeding 100k users takes
// seconds; this binary is for benchmarks only.
//   herald_seed_users --data DIR [--db URL] [--count N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/crypto.h"
#include "storage/database.h"
#include "storage/migrations.h"

using namespace herald;

int main(int argc, char** argv) {
  std::string data, db_url;
  long count = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--data")
      data = argv[i + 1];
    else if (k == "--db")
      db_url = argv[i + 1];
    else if (k == "--count")
      count = std::atol(argv[i + 1]);
  }
  if (data.empty() || count < 1) {
    std::fprintf(stderr, "usage: herald_seed_users --data DIR [--db URL] [--count N]\n");
    return 2;
  }
  if (db_url.empty()) db_url = "sqlite://" + data + "/herald.db";
  SystemClock clock;
  SystemRandom random;
  auto db = storage::OpenDatabase(db_url);
  if (!db.ok()) return std::fprintf(stderr, "%s\n", db.status().ToString().c_str()), 1;
  auto migrations = audit::AuditLog::Migrations();
  for (auto& m : auth::AuthService::Migrations()) migrations.push_back(m);
  if (auto m = storage::Migrate(**db, migrations, clock); !m.ok()) {
    return std::fprintf(stderr, "%s\n", m.status().ToString().c_str()), 1;
  }
  auto master = crypto::LoadOrCreateKeyFile(data + "/keys/master.key");
  if (!master.ok()) return std::fprintf(stderr, "%s\n", master.status().ToString().c_str()), 1;
  auth::PiiKeys keys = auth::PiiKeys::Derive(*master);
  if (auto st = keys.CheckAgainst(**db, clock); !st.ok()) {
    return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  }
  audit::AuditLog audit(clock);
  auth::AuthOptions opts;
  opts.registrations_per_client_per_hour = 0;  // seeding is not abuse
  opts.password_profile = crypto::PasswordHashProfile::kMinimum;
  auth::AuthService svc(**db, audit, clock, random, keys, opts);
  auto start = std::chrono::steady_clock::now();
  std::string last;
  for (long i = 0; i < count; ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "150%08ld", i);
    auto u = svc.Register(phone, "bench-password", "", {"seed", "bench"});
    if (!u.ok() && u.status().reason() != "phone_taken") {
      return std::fprintf(stderr, "%s\n", u.status().ToString().c_str()), 1;
    }
    last = phone;
  }
  auto login = svc.Login(last, "bench-password", {"seed", "bench"});
  if (!login.ok()) return std::fprintf(stderr, "%s\n", login.status().ToString().c_str()), 1;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "seeded %ld users in %.1f s\n", count, secs);
  std::printf("%s\n", login->token.c_str());
  return 0;
}
