// Micro-benchmarks of the request path below the network: the /api/v1/me handler (session
// lookup + JSON), and its parts, on SQLite. Run: build/bench/herald_api_bench
#include <benchmark/benchmark.h>

#include <filesystem>

#include "api/api.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/crypto.h"
#include "storage/migrations.h"

namespace herald {
namespace {

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("herald-api-bench-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    db = std::move(*storage::OpenDatabase("sqlite://" + (dir / "b.db").string()));
    auto migrations = audit::AuditLog::Migrations();
    for (auto& m : auth::AuthService::Migrations()) migrations.push_back(m);
    (void)storage::Migrate(*db, migrations, clock);
    auth::AuthOptions opts;
    opts.registrations_per_client_per_hour = 0;
    opts.password_profile = crypto::PasswordHashProfile::kMinimum;
    auth = std::make_unique<auth::AuthService>(*db, audit, clock, random,
                                               auth::PiiKeys::Derive(std::string(32, 'k')), opts);
    for (int i = 0; i < 1000; ++i) {
      (void)auth->Register("150" + std::to_string(10000000 + i), "bench-password", "", {});
    }
    token = auth->Login("15010000999", "bench-password", {})->token;
    services.db = db.get();
    services.audit = &audit;
    services.auth = auth.get();
    services.metrics = &metrics;
    services.clock = &clock;
    router = api::BuildRouter(services);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  std::filesystem::path dir;
  SystemClock clock;
  SystemRandom random;
  audit::AuditLog audit{clock};
  http::Metrics metrics;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<auth::AuthService> auth;
  api::ApiServices services;
  http::Router router;
  std::string token;
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_MeHandler(benchmark::State& state) {
  auto& f = F();
  auto match = f.router.Find(http::Method::kGet, "/api/v1/me");
  http::Request req;
  req.method = http::Method::kGet;
  req.path = "/api/v1/me";
  req.headers.emplace_back("authorization", "Bearer " + f.token);
  for (auto _ : state) {
    http::Response r = match.route->handler(req);
    benchmark::DoNotOptimize(r);
    if (r.status != 200) state.SkipWithError("unexpected status");
  }
}
BENCHMARK(BM_MeHandler);

void BM_Authenticate(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) benchmark::DoNotOptimize(f.auth->Authenticate(f.token));
}
BENCHMARK(BM_Authenticate);

void BM_ReadTransactionSelect1(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) {
    auto tx = f.db->Begin(storage::TxMode::kRead);
    benchmark::DoNotOptimize((*tx)->Query("SELECT 1"));
  }
}
BENCHMARK(BM_ReadTransactionSelect1);

void BM_ReadTransactionPrimaryKey(benchmark::State& state) {
  auto& f = F();
  int64_t id = 1;
  for (auto _ : state) {
    auto tx = f.db->Begin(storage::TxMode::kRead);
    benchmark::DoNotOptimize((*tx)->Query("SELECT display_name FROM users WHERE id = ?", {id}));
    id = id % 1000 + 1;
  }
}
BENCHMARK(BM_ReadTransactionPrimaryKey);

void BM_Sha256Token(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::Sha256Hex(f.token));
}
BENCHMARK(BM_Sha256Token);

}  // namespace
}  // namespace herald

BENCHMARK_MAIN();
