#include "storage/testing.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <vector>

namespace herald::storage {

namespace {

// Test database names must not collide between concurrent test processes, so they come from
// the OS's entropy rather than from a seeded generator.
std::string RandomHex(int bytes) {
  std::random_device rd;
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < bytes; ++i) {
    unsigned v = rd() & 0xff;
    out += kHex[v >> 4];
    out += kHex[v & 15];
  }
  return out;
}

std::string AdminUrl() {
  const char* url = std::getenv("HERALD_TEST_PG_URL");
  return url ? url : "";
}

// Replaces the database of a libpq URI ("postgresql://u@h:p/db?x=y") or appends dbname= to a
// keyword/value connection string.
std::string WithDatabase(const std::string& url, const std::string& name) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + name;
  size_t start = scheme + 3;
  size_t query = url.find('?', start);
  size_t path = url.find('/', start);
  size_t end = query == std::string::npos ? url.size() : query;
  if (path == std::string::npos || path > end) path = end;
  return url.substr(0, path) + "/" + name + url.substr(end);
}

struct Connection {
  explicit Connection(const std::string& url) : conn(PQconnectdb(url.c_str())) {
    if (conn)
      PQsetNoticeProcessor(
          conn, [](void*, const char*) {}, nullptr);
  }
  ~Connection() { PQfinish(conn); }
  bool ok() const { return conn && PQstatus(conn) == CONNECTION_OK; }
  std::string error() const {
    std::string e = conn ? PQerrorMessage(conn) : "out of memory";
    while (!e.empty() && e.back() == '\n') e.pop_back();
    return e;
  }
  bool Exec(const std::string& sql) {
    PGresult* res = PQexec(conn, sql.c_str());
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok;
  }
  PGconn* conn;
};

// What this process created, removed at exit.
struct Created {
  std::mutex mu;
  std::filesystem::path sqlite_dir;       // guarded by mu
  std::vector<std::string> pg_databases;  // guarded by mu
  std::string admin_url;                  // guarded by mu
};

Created& Registry() {
  static Created* created = [] {
    auto* c = new Created();  // never destroyed: the exit hook below may run after statics
    std::atexit([] {
      Created& r = Registry();
      std::lock_guard lock(r.mu);
      if (!r.sqlite_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(r.sqlite_dir, ec);
      }
      if (!r.pg_databases.empty()) {
        Connection admin(r.admin_url);
        if (!admin.ok()) return;
        // FORCE: a test may have leaked a connection (its process is exiting anyway).
        for (const auto& name : r.pg_databases) {
          admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
      }
    });
    return c;
  }();
  return *created;
}

Result<std::string> NewSqliteUrl() {
  static std::atomic<int64_t> counter{0};
  Created& r = Registry();
  std::filesystem::path dir;
  {
    std::lock_guard lock(r.mu);
    if (r.sqlite_dir.empty()) {
      std::error_code ec;
      auto base = std::filesystem::temp_directory_path(ec);
      if (ec) base = "/tmp";
      auto candidate = base / ("herald-test-" + std::to_string(::getpid()) + "-" + RandomHex(6));
      std::filesystem::create_directories(candidate, ec);
      if (ec) {
        return Internal("cannot create test directory " + candidate.string() + ": " + ec.message());
      }
      r.sqlite_dir = candidate;
    }
    dir = r.sqlite_dir;
  }
  auto file = dir / ("db-" + std::to_string(++counter) + ".db");
  return "sqlite://" + file.string();
}

Result<std::string> NewPostgresUrl() {
  std::string admin_url = AdminUrl();
  if (admin_url.empty()) return NotFound(std::string(kPostgresUnavailableMessage));
  Connection admin(admin_url);
  if (!admin.ok()) {
    return Unavailable("cannot connect to HERALD_TEST_PG_URL: " + admin.error(),
                       "database_unavailable");
  }
  std::string name = "herald_t_" + RandomHex(8);
  if (!admin.Exec("CREATE DATABASE " + name)) {
    return Unavailable("CREATE DATABASE " + name + " failed: " + admin.error(),
                       "database_unavailable");
  }
  Created& r = Registry();
  {
    std::lock_guard lock(r.mu);
    r.admin_url = admin_url;
    r.pg_databases.push_back(name);
  }
  return WithDatabase(admin_url, name);
}

}  // namespace

Result<std::string> NewTestDatabaseUrl(Backend backend) {
  return backend == Backend::kSqlite ? NewSqliteUrl() : NewPostgresUrl();
}

bool PostgresAvailable() {
  static const bool available = [] {
    std::string url = AdminUrl();
    return !url.empty() && Connection(url).ok();
  }();
  return available;
}

}  // namespace herald::storage
