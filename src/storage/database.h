// Storage: one interface to a relational database, two backends (SQLite, PostgreSQL).
//
// Domain modules write portable SQL with `?` placeholders and run it inside a Transaction
// obtained from Database::Begin. A Transaction that is destroyed without Commit() rolls back,
// so a failing request leaves nothing half-written.
//
// Portable SQL rules (both backends must accept every statement a module writes):
//   - placeholders are `?`; the PostgreSQL backend rewrites them to $1..$n (outside quotes);
//   - ids come back with `INSERT ... RETURNING id`;
//   - integers are BIGINT, booleans are INTEGER 0/1, times are BIGINT microseconds (UTC);
//   - upserts use `ON CONFLICT (...) DO ...`; no backend-specific functions in queries.
// Migrations may differ per backend (see migrations.h).
//
// Errors: a unique-constraint violation returns AlreadyExists (reason "unique_violation"), a
// foreign-key violation FailedPrecondition ("foreign_key_violation"), lock contention or a
// serialization failure Aborted ("conflict"; retrying may succeed), a lost or unreachable
// server Unavailable ("database_unavailable"), anything else Internal ("database_error").
// Messages never contain parameter values (they may be personal data).
//
// Threading: Database is thread-safe. A Transaction belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace herald::storage {

enum class Backend { kSqlite, kPostgres };
std::string_view BackendName(Backend b);  // "sqlite" / "postgresql"

// Binary data; stored as BLOB (SQLite) or BYTEA (PostgreSQL).
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

// A parameter or column value. NULL is std::monostate.
using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;

// One result row. Accessors are lenient across backends: Int() parses numeric text (e.g. a
// PostgreSQL NUMERIC aggregate), Text() formats numbers, Bytes() returns blob or text bytes.
// Index out of range is a programmer error (asserted).
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  const Value& at(size_t i) const;
  bool IsNull(size_t i) const;
  int64_t Int(size_t i) const;        // 0 for NULL
  double Double(size_t i) const;      // 0 for NULL
  std::string Text(size_t i) const;   // "" for NULL
  std::string Bytes(size_t i) const;  // "" for NULL

 private:
  std::vector<Value> values_;
};

struct Rows {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }
};

class Transaction {
 public:
  // Rolls back when neither Commit() nor Rollback() was called.
  virtual ~Transaction() = default;

  // Runs one statement and returns its rows (empty for statements that return none).
  virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs one statement; returns the number of rows it changed.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs several `;`-separated statements without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;
  // Serialises every transaction that takes the same `name` until it ends (PostgreSQL:
  // pg_advisory_xact_lock; SQLite: writers are already serialised, so a no-op).
  virtual Status LockExclusive(std::string_view name) = 0;
  // Ends the transaction. After either call the transaction may not be used again.
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual Backend backend() const = 0;
};

enum class TxMode {
  kRead,   // read-only snapshot; served by the reader pool
  kWrite,  // may write; SQLite has one writer at a time (BEGIN IMMEDIATE)
};

struct PoolStats {
  int64_t size = 0;    // connections opened
  int64_t in_use = 0;  // connections inside a transaction now
  int64_t waits = 0;   // Begin calls that had to wait for a connection, since start
};

class Database {
 public:
  virtual ~Database() = default;
  // Starts a transaction, waiting for a free connection up to the backend's timeout
  // (Unavailable "database_busy" after that).
  virtual Result<std::unique_ptr<Transaction>> Begin(TxMode mode) = 0;
  virtual Backend backend() const = 0;
  virtual PoolStats Stats() const = 0;
};

struct DatabaseOptions {
  int readers = 4;             // SQLite reader connections / PostgreSQL pool size
  int busy_timeout_ms = 5000;  // wait for locks and pool connections
  // SQLite: the page cache of each connection (allocated as pages are read). The default 2 MiB
  // of SQLite holds too few of a large database's interior B-tree pages: each lookup then reads
  // them again from the operating system (docs/benchmarks.md).
  int sqlite_cache_kib = 64 * 1024;
};

// Opens `url`: "sqlite:///abs/path.db" or "sqlite://relative/path.db" (the file and its
// directory are created; WAL, foreign keys on, busy timeout), or
// "postgresql://user@host:port/dbname?..." (any libpq connection URI).
// Returns InvalidArgument ("invalid_database_url") for another scheme and Unavailable
// ("database_unavailable") when the database cannot be opened or reached.
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                               const DatabaseOptions& options = {});

// Runs `fn` in a transaction of `mode` and commits when it returns OK; rolls back otherwise.
// Retries the whole function up to `attempts` times when it fails with Aborted.
Status RunInTransaction(Database& db, TxMode mode, const std::function<Status(Transaction&)>& fn,
                        int attempts = 3);

}  // namespace herald::storage
