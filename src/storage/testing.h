// Test support for every module's storage-backed tests: a fresh, empty database per test on
// either backend, so tests never share state. Link herald::storage_testing from TEST_DEPS.
//
//   auto url = storage::NewTestDatabaseUrl(GetParam());
//   if (!url.ok()) GTEST_SKIP() << url.status().message();  // PostgreSQL not configured
//   auto db = storage::OpenDatabase(*url);
//
// PostgreSQL tests need HERALD_TEST_PG_URL, an admin URL of a server they may create databases
// on; scripts/with_postgres.sh starts a throwaway server and sets it. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/database.h"

namespace herald::storage {

// What tests print when they skip because PostgreSQL is not configured.
inline constexpr std::string_view kPostgresUnavailableMessage =
    "PostgreSQL not available: set HERALD_TEST_PG_URL (scripts/with_postgres.sh does)";

// Returns the URL of a new, empty database, unique per call:
//   kSqlite:   a file in a temporary directory private to this process (removed at exit);
//   kPostgres: CREATE DATABASE herald_t_<random> on the server named by HERALD_TEST_PG_URL
//              (dropped again at exit); the URL is HERALD_TEST_PG_URL with its database
//              replaced.
// Returns NotFound (message kPostgresUnavailableMessage) for kPostgres when HERALD_TEST_PG_URL
// is unset or empty, Unavailable when that server cannot be reached or refuses CREATE
// DATABASE, and Internal when no temporary directory can be created.
Result<std::string> NewTestDatabaseUrl(Backend backend);

// True when HERALD_TEST_PG_URL is set and a connection to it succeeds (checked once).
bool PostgresAvailable();

}  // namespace herald::storage
