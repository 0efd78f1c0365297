// The composition root: builds config → logging → storage (+ migrations) → keys → audit →
// domain services → HTTP server, in that order, and tears them down in reverse. Used by main.cc
// for every subcommand; each command asks only for the parts it needs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/random.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::app {

// Threads for database-bound handlers: the configured number, or by default max(1, cores/2)
// for SQLite and 4 x cores for PostgreSQL.
int DatabaseWorkers(const Config& config, storage::Backend backend);

// Every module's migrations in dependency order.
std::vector<storage::Migration> AllMigrations();

class App {
 public:
  explicit App(Config config) : config_(std::move(config)) {}
  ~App();

  // Creates the data directory, opens the database and applies pending migrations.
  Status OpenStorage();
  // Loads (or creates) the master key and builds audit and auth services. Needs OpenStorage.
  Status OpenServices();
  // Runs the HTTP server until SIGINT or SIGTERM. Needs OpenServices.
  Status Serve();

  const Config& config() const { return config_; }
  storage::Database& db() { return *db_; }
  audit::AuditLog& audit() { return *audit_; }
  auth::AuthService& auth() { return *auth_; }
  const Clock& clock() const { return clock_; }
  int migrations_applied() const { return migrations_applied_; }

 private:
  Config config_;
  SystemClock clock_;
  SystemRandom random_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  int migrations_applied_ = 0;
};

}  // namespace herald::app
