// The PostgreSQL backend of storage::Database (see storage/database.h for the contract).
//
// Shape: a pool of max(2, options.readers) libpq connections opened up front and shared by both
// modes: kRead runs BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (one snapshot for the whole
// transaction, like a SQLite read), kWrite runs BEGIN (READ COMMITTED). Threads queue FIFO for a
// connection for up to busy_timeout_ms (then Unavailable "database_busy"); lock waits inside the
// server are bounded by lock_timeout = busy_timeout_ms (then Aborted "conflict"). A connection
// found broken is reset before reuse. Statements are prepared once per connection, keyed by SQL
// text, with `?` rewritten to $n; results come back in text format and are converted by column
// type.
//
// The libpq types stay in postgres_database.cc; this header only declares the entry points and
// the pure helpers the tests exercise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/database.h"

namespace herald::storage::internal {

// Opens the pool for `url` (any libpq connection URI). Returns Unavailable
// ("database_unavailable") when the server cannot be reached or refuses the connection.
Result<std::unique_ptr<Database>> OpenPostgresDatabase(const std::string& url,
                                                       const DatabaseOptions& options);

// Rewrites each `?` placeholder to $1, $2, ... leaving `?` inside single-quoted strings
// (including E'...' escapes), double-quoted identifiers, -- comments and /* */ comments alone.
// Stores the number of placeholders in *count.
std::string RewritePlaceholders(std::string_view sql, int* count);

// The advisory-lock key of `name`: 64-bit FNV-1a, stable across processes and releases.
int64_t AdvisoryLockKey(std::string_view name);

}  // namespace herald::storage::internal
