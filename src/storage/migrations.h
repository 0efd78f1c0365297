// Versioned schema migrations. Each module exposes its list (e.g. auth::Migrations()); the
// composition root concatenates them in dependency order and calls Migrate at start-up and from
// `herald migrate`. Applied ids are recorded in table schema_migrations(id, applied_at).
//
// In migration SQL, {{AUTO_ID}} expands to an auto-increment BIGINT primary key and {{BLOB}} to
// the binary type of the backend. When `postgres_sql` is non-empty it replaces `sql` on
// PostgreSQL (for triggers and other dialect-specific DDL).
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "storage/database.h"

namespace herald::storage {

struct Migration {
  std::string id;  // unique and never renamed, e.g. "auth/0001_users"
  std::string sql;
  std::string postgres_sql;
};

// Applies, in order, each migration whose id is not yet recorded; each in its own transaction
// together with its record. Returns the number applied, or the first failure (with the id).
Result<int> Migrate(Database& db, const std::vector<Migration>& migrations, const Clock& clock);

// Ids already applied, in the order they were applied.
Result<std::vector<std::string>> AppliedMigrations(Database& db);

}  // namespace herald::storage
