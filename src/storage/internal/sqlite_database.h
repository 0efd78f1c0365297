// The SQLite backend of storage::Database (see storage/database.h for the contract).
//
// Shape: one writer connection and `options.readers` reader connections on one file, in WAL
// mode so readers never block the writer nor each other. kWrite transactions take the writer
// (BEGIN IMMEDIATE); threads wanting it queue in FIFO order for up to busy_timeout_ms, then get
// Unavailable "database_busy". Other processes on the same file are held off by SQLite's busy
// timeout. kRead transactions take a pooled reader (PRAGMA query_only=1, BEGIN). Every
// connection caches its prepared statements by SQL text.
//
// The sqlite3 types stay in sqlite_database.cc; this header only declares the entry points.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/database.h"

namespace herald::storage::internal {

// "sqlite:///abs/path.db" → "/abs/path.db"; "sqlite://rel/path.db" → "rel/path.db". Repeated
// leading slashes collapse to one. Returns InvalidArgument ("invalid_database_url") for another
// scheme or an empty path.
Result<std::string> SqlitePathFromUrl(std::string_view url);

// Opens (creating the file and its parent directory when missing) the database at `path`.
// Returns Unavailable ("database_unavailable") when it cannot be opened or configured.
Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path,
                                                     const DatabaseOptions& options);

}  // namespace herald::storage::internal
