#include "storage/internal/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "storage/internal/connection_pool.h"
#include "storage/internal/mmap_vfs.h"

namespace herald::storage::internal {

namespace {

// Statements cached per connection before the cache is flushed; generous for a fixed set of
// queries, a bound for callers that build SQL text dynamically.
constexpr size_t kMaxCachedStatements = 256;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Maps an extended SQLite result code to Herald's error vocabulary (storage/database.h).
// SQLite's messages name tables, columns and constraints, never the values bound to a statement.
Status MapSqliteError(int code, std::string_view message) {
  std::string m = "sqlite: " + std::string(message);
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return AlreadyExists(std::move(m), "unique_violation");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return FailedPrecondition(std::move(m), "foreign_key_violation");
    default:
      break;
  }
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:  // CHECK, NOT NULL, trigger RAISE(ABORT, ...)
      return FailedPrecondition(std::move(m), "constraint_violation");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Aborted(std::move(m), "conflict");
    default:
      return Internal(std::move(m), "database_error");
  }
}

Status LastError(sqlite3* db) {
  return MapSqliteError(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

// True when `tail` (what follows a prepared statement) holds more than whitespace, semicolons
// and comments.
bool HasMoreStatements(sqlite3* db, const char* tail, const char* end) {
  if (tail == nullptr || tail >= end) return false;
  sqlite3_stmt* next = nullptr;
  int rc = sqlite3_prepare_v2(db, tail, static_cast<int>(end - tail), &next, nullptr);
  sqlite3_finalize(next);
  return rc != SQLITE_OK || next != nullptr;
}

// One sqlite3 handle and its statement cache. Used by one transaction (so one thread) at a time.
class SqliteConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() {
    ClearCache();
    sqlite3_close_v2(db_);
  }

  sqlite3* db() const { return db_; }

  // Returns the cached statement for `sql`, preparing it on first use; nullptr (and OK) when
  // `sql` holds no statement. The statement is reset and unbound.
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxCachedStatements) ClearCache();
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return LastError(db_);
    if (HasMoreStatements(db_, tail, sql.data() + sql.size())) {
      sqlite3_finalize(stmt);
      return Internal("one statement per Query/Execute call; use ExecuteScript for several",
                      "database_error");
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  // Runs a parameterless statement through the cache (BEGIN, COMMIT, ...).
  Status Run(std::string_view sql) {
    HERALD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    int rc = sqlite3_step(stmt);
    Status st = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? Status() : LastError(db_);
    sqlite3_reset(stmt);
    return st;
  }

  // Readers: the read transaction left open when the last one ended, and the WAL state read
  // before it began (see SqliteDatabase::Begin).
  const std::optional<WalState>& kept() const { return kept_; }
  void Keep(const WalState& state) { kept_ = state; }
  // The kept transaction is a new Transaction's from now on.
  void ClaimKept() { kept_.reset(); }
  // Ends a kept read transaction.
  void DropKept() {
    if (!kept_) return;
    if (!sqlite3_get_autocommit(db_)) (void)Run("ROLLBACK");
    kept_.reset();
  }

 private:
  void ClearCache() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
  std::optional<WalState> kept_;
};

Result<std::unique_ptr<SqliteConnection>> OpenConnection(const std::string& path, bool reader,
                                                         int busy_timeout_ms, int cache_kib) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Unavailable("cannot open SQLite database " + path + ": " + msg, "database_unavailable");
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // Reject "text" as a string literal, as PostgreSQL does: double quotes are identifiers only.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  std::string setup = reader ? "PRAGMA foreign_keys=ON; PRAGMA query_only=1;"
                             : "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                               "PRAGMA synchronous=NORMAL;";
  setup += " PRAGMA cache_size=-" + std::to_string(std::max(cache_kib, 64)) + ";";
  // Any positive size lets read transactions use database pages in place from the map of the
  // herald-mmap VFS, which maps the whole file whatever this says (mmap_vfs.h).
  setup += " PRAGMA mmap_size=268435456;";
  char* err = nullptr;
  rc = sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return Unavailable("cannot configure SQLite database " + path + ": " + msg,
                       "database_unavailable");
  }
  return conn;
}

class SqliteDatabase;

class SqliteTransaction final : public Transaction {
 public:
  // `keep_as`: a read transaction that may be left open when it ends, for the next read on
  // `conn` to reuse while the WAL state is still this one.
  SqliteTransaction(SqliteDatabase& owner, SqliteConnection& conn, int slot, TxMode mode,
                    std::optional<WalState> keep_as = std::nullopt)
      : owner_(owner), conn_(conn), slot_(slot), mode_(mode), keep_as_(keep_as) {}
  ~SqliteTransaction() override {
    if (!ended_) (void)Rollback();
  }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    Rows rows;
    HERALD_RETURN_IF_ERROR(Run(sql, params, &rows, nullptr));
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    int64_t changes = 0;
    HERALD_RETURN_IF_ERROR(Run(sql, params, nullptr, &changes));
    return changes;
  }

  Status ExecuteScript(std::string_view sql) override {
    HERALD_RETURN_IF_ERROR(CheckUsable());
    keep_as_.reset();  // a script may end or change the transaction
    std::string script(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(conn_.db(), script.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return Fail(LastError(conn_.db()));
    return Status();
  }

  Status LockExclusive(std::string_view name) override {
    // Writers already hold the one write lock; readers see a snapshot and cannot write.
    return CheckUsable();
  }

  Status Commit() override {
    HERALD_RETURN_IF_ERROR(CheckEnded());
    if (!failed_.ok()) {
      Status why = EarlierFailure();
      (void)Rollback();
      return why;
    }
    if (mode_ == TxMode::kRead) return EndRead();
    Status st = conn_.Run("COMMIT");
    if (!st.ok() && !sqlite3_get_autocommit(conn_.db())) {
      // e.g. a deferred foreign key failed: the transaction is still open.
      (void)conn_.Run("ROLLBACK");
    }
    End();
    return st;
  }

  Status Rollback() override {
    HERALD_RETURN_IF_ERROR(CheckEnded());
    if (mode_ == TxMode::kRead && failed_.ok()) return EndRead();
    Status st;
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled the transaction back.
    if (!sqlite3_get_autocommit(conn_.db())) st = conn_.Run("ROLLBACK");
    End();
    return st;
  }

  Backend backend() const override { return Backend::kSqlite; }

 private:
  Status CheckEnded() const {
    if (ended_) return Internal("transaction already ended", "database_error");
    return Status();
  }

  Status CheckUsable() const {
    HERALD_RETURN_IF_ERROR(CheckEnded());
    if (!failed_.ok()) return EarlierFailure();
    return Status();
  }

  // As on PostgreSQL, a transaction in which a statement failed accepts nothing but Rollback
  // (Commit rolls back and reports the failure). Keeping both backends alike means code that
  // carries on after an error fails in SQLite tests too, not only in production on PostgreSQL.
  Status EarlierFailure() const {
    return Status(failed_.code(),
                  "an earlier statement in this transaction failed (" + failed_.message() + ")",
                  failed_.reason());
  }

  Status Fail(Status st) {
    if (failed_.ok()) failed_ = st;
    return st;
  }

  Status Run(std::string_view sql, const std::vector<Value>& params, Rows* rows, int64_t* changes);
  void End();

  // A read transaction that saw no error ends by staying open for the next read
  // (SqliteDatabase::Begin).
  Status EndRead() {
    if (keep_as_ && !sqlite3_get_autocommit(conn_.db())) {
      conn_.Keep(*keep_as_);
    } else if (!sqlite3_get_autocommit(conn_.db())) {
      (void)conn_.Run("ROLLBACK");
    }
    End();
    return Status();
  }

  SqliteDatabase& owner_;
  SqliteConnection& conn_;
  const int slot_;
  const TxMode mode_;
  std::optional<WalState> keep_as_;
  bool ended_ = false;
  Status failed_;
};

// Checkpoints the WAL on a thread of its own, so a commit never copies pages into the database
// file itself. The writer's WAL hook (replacing SQLite's automatic checkpoint, which runs inside
// the committing call) wakes it once the WAL holds kCheckpointPages; it then runs a PASSIVE
// checkpoint (never waits for readers or the writer) on its own connection. SQLite's automatic
// checkpoint does the same work at the same threshold, only on the committing thread.
//
// SQLite writes the WAL from its start again only when a write begins after a checkpoint has
// copied every frame and no reader still reads from the WAL. A checkpoint running beside a
// writer that commits without pause never gets there (it copies what was there when it started;
// by then more is appended), so the WAL would grow for as long as the writes go on (180 MB after
// 6,000 publishes), each commit extending the file. At kCatchUpPages the committing writer
// therefore waits for a catch-up round that starts after its commit: the hook runs with the
// write lock released, but the writer connection is busy in it, so nothing is appended
// meanwhile. That round ends with a RESTART checkpoint: it copies every frame, then waits (its
// busy handler) until every reader reads from the database file only, so the next write starts
// the WAL over. It waits kRestartTries short sleeps at most: a reader of another process may hold
// an old snapshot for long. When it gives up, the writer waits for the next catch-up only when the
// WAL has doubled.
//
// The thread also ends the read transactions readers keep open between reads (`release_kept`,
// see SqliteDatabase::Begin) on idle connections: before each round, while a catch-up round
// waits for readers, and every kKeptReadsDropInterval, so that an idle reader's snapshot holds
// back neither a checkpoint nor the WAL's restart, in this process or another, for longer.
class Checkpointer {
 public:
  static constexpr int kCheckpointPages = 1000;  // SQLite's default wal_autocheckpoint
  static constexpr int kCatchUpPages = 4 * kCheckpointPages;
  static constexpr int kRestartTries = 200;  // of 250 microseconds
  static constexpr std::chrono::milliseconds kKeptReadsDropInterval{100};

  Checkpointer(std::unique_ptr<SqliteConnection> conn, std::function<void()> release_kept)
      : conn_(std::move(conn)), release_kept_(std::move(release_kept)) {
    sqlite3_busy_handler(conn_->db(), &Checkpointer::Busy, this);
    thread_ = std::thread([this] { Loop(); });  // after everything it uses
  }
  ~Checkpointer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    done_.notify_all();
    thread_.join();
  }

  // Installs the hook on the writer connection `db`; `this` must outlive the hook.
  void Attach(sqlite3* db) { sqlite3_wal_hook(db, &Checkpointer::Hook, this); }

  // True while a checkpoint waits for a read lock to be released: readers then end each
  // transaction instead of keeping it (SQLite's checkpoint retries the lock it waits for, it
  // does not look again at which locks it needs).
  bool waiting_for_readers() const { return waiting_for_readers_.load(); }

 private:
  static int Hook(void* self, sqlite3*, const char*, int pages) {
    auto* c = static_cast<Checkpointer*>(self);
    if (pages < kCatchUpPages) c->catch_up_at_ = kCatchUpPages;  // writer's thread only
    if (pages >= c->catch_up_at_) {
      if (!c->CatchUp()) c->catch_up_at_ = 2 * pages;
    } else if (pages >= kCheckpointPages && !c->wanted_.exchange(true)) {
      std::lock_guard<std::mutex> lock(c->mu_);
      c->cv_.notify_one();
    }
    return SQLITE_OK;
  }

  // The catch-up round's wait for readers (the only checkpoint that waits).
  static int Busy(void* self, int tries) {
    if (tries >= kRestartTries) return 0;
    static_cast<Checkpointer*>(self)->waiting_for_readers_.store(true);
    static_cast<Checkpointer*>(self)->release_kept_();
    std::this_thread::sleep_for(std::chrono::microseconds(250));
    return 1;
  }

  // Blocks until a catch-up round that started after this call has finished; true when it
  // left the WAL to be started over.
  bool CatchUp() {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t ticket = ++requested_;
    wanted_.store(true);
    cv_.notify_one();
    done_.wait(lock, [&] { return stopping_ || served_ >= ticket; });
    return served_ok_;
  }

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait_for(lock, kKeptReadsDropInterval, [this] { return stopping_ || wanted_.load(); });
      if (stopping_) return;
      if (!wanted_.load()) {
        lock.unlock();
        release_kept_();
        lock.lock();
        continue;
      }
      wanted_.store(false);  // under mu_: a catch-up request is either served or wakes again
      const uint64_t serving = requested_;
      const bool catch_up = serving > served_;
      lock.unlock();
      release_kept_();
      int rc = sqlite3_wal_checkpoint_v2(conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                         nullptr);
      if (catch_up) {
        // The RESTART checkpoint waits for each read mark that was behind when it looked; the
        // PASSIVE one just run moved the readers on (their next read sees the checkpoint's
        // progress and begins anew), so what is left to wait for is short.
        rc = sqlite3_wal_checkpoint_v2(conn_->db(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                       nullptr);
        waiting_for_readers_.store(false);
      }
      lock.lock();
      if (catch_up) {
        served_ = serving;
        served_ok_ = rc == SQLITE_OK;
        done_.notify_all();
      }
    }
  }

  std::unique_ptr<SqliteConnection> conn_;
  const std::function<void()> release_kept_;
  std::mutex mu_;
  std::condition_variable cv_;    // wakes the checkpointer
  std::condition_variable done_;  // a round has finished
  std::atomic<bool> wanted_{false};
  std::atomic<bool> waiting_for_readers_{false};
  uint64_t requested_ = 0;  // catch-up requests made (guarded by mu_)
  uint64_t served_ = 0;     // requests made before the last catch-up round started
  bool served_ok_ = false;  // that round left the WAL to be started over
  bool stopping_ = false;
  int catch_up_at_ = kCatchUpPages;  // used by the writer's hook only
  std::thread thread_;               // started at the end of the constructor
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<SqliteConnection> writer,
                 std::vector<std::unique_ptr<SqliteConnection>> readers,
                 std::unique_ptr<SqliteConnection> checkpoint, const DatabaseOptions& options)
      : writer_(std::move(writer)),
        readers_(std::move(readers)),
        writer_pool_(1),
        reader_pool_(static_cast<int>(readers_.size())),
        timeout_(options.busy_timeout_ms),
        checkpointer_(
            std::make_unique<Checkpointer>(std::move(checkpoint), [this] { DropKeptReads(); })) {
    checkpointer_->Attach(writer_->db());
  }
  ~SqliteDatabase() override {
    // The hook points at the checkpointer: detach it before the checkpointer goes.
    sqlite3_wal_hook(writer_->db(), nullptr, nullptr);
    checkpointer_.reset();
  }

  Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override {
    SlotPool& pool = mode == TxMode::kWrite ? writer_pool_ : reader_pool_;
    std::optional<int> slot = pool.Acquire(timeout_);
    if (!slot) {
      return Unavailable(
          "no database connection became free within " + std::to_string(timeout_.count()) + " ms",
          "database_busy");
    }
    SqliteConnection& conn = mode == TxMode::kWrite ? *writer_ : *readers_[*slot];
    std::optional<WalState> keep_as;
    if (mode == TxMode::kRead) {
      // Beginning and ending a read transaction takes and drops a lock in the WAL index's
      // shared memory (a mutex of the process and an fcntl system call each way; with two
      // threads reading, they contend): a fifth of an article page's CPU. A reader's
      // transaction therefore stays open when it ends, and the next read on the connection
      // reuses it when the WAL state is what it was before it began: then nothing has been
      // committed since, in any process, so its snapshot is the current one. Otherwise it ends
      // and a new one begins, as without this. The state is read before BEGIN and SQLite takes
      // the snapshot later (at the first statement): a commit in between makes the states
      // differ next time, never the reverse. Nor is a kept transaction reused when its read lock
      // holds back a checkpoint or the WAL's restart (ReadLockIsCurrent), and none is kept while
      // a checkpoint waits for readers. The checkpointer ends kept transactions on idle
      // connections.
      WalState now;
      const bool known = ReadWalState(conn.db(), &now);
      const bool yield = checkpointer_->waiting_for_readers();
      if (conn.kept()) {
        if (known && !yield && now == *conn.kept() && !sqlite3_get_autocommit(conn.db()) &&
            ReadLockIsCurrent(conn.db())) {
          conn.ClaimKept();
          return std::unique_ptr<Transaction>(new SqliteTransaction(*this, conn, *slot, mode, now));
        }
        conn.DropKept();
      }
      if (known && !yield) keep_as = now;
    }
    Status st = conn.Run(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!st.ok()) {
      pool.Release(*slot);
      if (st.code() == StatusCode::kAborted) {
        // Another process held the write lock for the whole busy timeout.
        return Unavailable(
            "the database stayed locked for " + std::to_string(timeout_.count()) + " ms",
            "database_busy");
      }
      return st;
    }
    return std::unique_ptr<Transaction>(new SqliteTransaction(*this, conn, *slot, mode, keep_as));
  }

  Backend backend() const override { return Backend::kSqlite; }

  PoolStats Stats() const override {
    PoolStats s;
    s.size = writer_pool_.size() + reader_pool_.size();
    s.in_use = writer_pool_.in_use() + reader_pool_.in_use();
    s.waits = writer_pool_.waits() + reader_pool_.waits();
    return s;
  }

  void Release(TxMode mode, int slot) {
    (mode == TxMode::kWrite ? writer_pool_ : reader_pool_).Release(slot);
  }

  // Ends the read transactions kept open on connections no transaction is using.
  void DropKeptReads() {
    reader_pool_.ForEachFree([this](int slot) { readers_[slot]->DropKept(); });
  }

 private:
  std::unique_ptr<SqliteConnection> writer_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  SlotPool writer_pool_;
  SlotPool reader_pool_;
  const std::chrono::milliseconds timeout_;
  std::unique_ptr<Checkpointer> checkpointer_;
};

Status SqliteTransaction::Run(std::string_view sql, const std::vector<Value>& params, Rows* rows,
                              int64_t* changes) {
  HERALD_RETURN_IF_ERROR(CheckUsable());
  sqlite3* db = conn_.db();
  auto prepared = conn_.Prepare(sql);
  if (!prepared.ok()) return Fail(prepared.status());
  sqlite3_stmt* stmt = *prepared;
  if (stmt == nullptr) return Status();  // empty SQL

  int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size())) {
    return Fail(Internal("statement has " + std::to_string(expected) + " placeholders but " +
                             std::to_string(params.size()) + " parameters were given",
                         "database_error"));
  }
  // The parameters outlive the statement's use (it is reset and unbound below): no copies.
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i) + 1;
    const Value& v = params[i];
    if (const auto* n = std::get_if<int64_t>(&v)) {
      sqlite3_bind_int64(stmt, idx, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      sqlite3_bind_double(stmt, idx, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      sqlite3_bind_text64(stmt, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else if (const auto* b = std::get_if<Blob>(&v)) {
      // data() is never null, so an empty blob stays an empty blob rather than NULL.
      sqlite3_bind_blob64(stmt, idx, b->bytes.data(), b->bytes.size(), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(stmt, idx);
    }
  }

  int ncols = sqlite3_column_count(stmt);
  if (rows != nullptr) {
    rows->columns.reserve(ncols);
    for (int c = 0; c < ncols; ++c) rows->columns.emplace_back(sqlite3_column_name(stmt, c));
  }
  int64_t total_before = sqlite3_total_changes64(db);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (rows == nullptr) continue;
    std::vector<Value> values;
    values.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT:
          values.emplace_back(sqlite3_column_double(stmt, c));
          break;
        case SQLITE_TEXT: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          values.emplace_back(std::string(p, sqlite3_column_bytes(stmt, c)));
          break;
        }
        case SQLITE_BLOB: {
          const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
          int n = sqlite3_column_bytes(stmt, c);
          values.emplace_back(Blob{p ? std::string(p, n) : std::string()});
          break;
        }
        default:
          values.emplace_back(std::monostate());
      }
    }
    rows->rows.emplace_back(std::move(values));
  }
  Status st = rc == SQLITE_DONE ? Status() : LastError(db);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (!st.ok()) return Fail(std::move(st));
  if (changes != nullptr) {
    // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, so a statement that
    // changed nothing (DDL, SELECT) would otherwise report a stale number.
    *changes = sqlite3_total_changes64(db) != total_before ? sqlite3_changes64(db) : 0;
  }
  return Status();
}

void SqliteTransaction::End() {
  ended_ = true;
  owner_.Release(mode_, slot_);
}

}  // namespace

Result<std::string> SqlitePathFromUrl(std::string_view url) {
  constexpr std::string_view kPrefix = "sqlite://";
  if (!url.starts_with(kPrefix)) {
    return InvalidArgument("a SQLite URL starts with sqlite://", "invalid_database_url");
  }
  std::string_view path = url.substr(kPrefix.size());
  size_t slashes = 0;
  while (slashes < path.size() && path[slashes] == '/') ++slashes;
  if (slashes > 1) path.remove_prefix(slashes - 1);
  if (path.empty() || path == "/") {
    return InvalidArgument("the SQLite URL names no file", "invalid_database_url");
  }
  return std::string(path);
}

// FTS5 maintains its shadow tables (<table>_data, _idx, _docsize, _config, _content) with
// statements of its own, among them deletes of rowid ranges when it merges segments. Planner
// statistics that a whole-database ANALYZE recorded for them go stale as an index grows, and
// statistics saying "2 rows" make SQLite scan the whole table for each of those deletes
// (measured on the content benchmark: 40 ms instead of 2 ms to index an article, with a
// 50,000-page index). They are removed before any connection of the pool loads the schema
// (statistics are read with it); without them the planner uses the rowid ranges.
Status DropFts5Statistics(const std::string& path, int busy_timeout_ms) {
  HERALD_ASSIGN_OR_RETURN(auto conn, OpenConnection(path, /*reader=*/false, busy_timeout_ms, 64));
  HERALD_ASSIGN_OR_RETURN(
      sqlite3_stmt * exists,
      conn->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"));
  const bool has_stats = sqlite3_step(exists) == SQLITE_ROW;
  sqlite3_reset(exists);
  if (!has_stats) return Status();
  return conn->Run(
      "DELETE FROM sqlite_stat1 WHERE tbl IN (SELECT v.name || s.suffix FROM sqlite_master v, "
      "(SELECT '_data' AS suffix UNION ALL SELECT '_idx' UNION ALL SELECT '_docsize' "
      "UNION ALL SELECT '_config' UNION ALL SELECT '_content') s "
      "WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE % USING fts5%')");
}

// Process-wide SQLite settings, applied once before SQLite initialises. Memory statistics off:
// with them on, every allocation SQLite makes takes one global mutex, which the connections of
// concurrent requests then contend for (futex waits were 9% of the server's samples on the
// article-read benchmark).
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // After the configuration (registering initialises SQLite): database files are read through
    // one memory map per file (mmap_vfs.h).
    (void)RegisterMmapVfs();
  });
}

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path,
                                                     const DatabaseOptions& options) {
  ConfigureSqliteOnce();
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Unavailable("cannot create directory " + parent.string() + ": " + ec.message(),
                         "database_unavailable");
    }
  }
  int timeout = std::max(options.busy_timeout_ms, 0);
  HERALD_RETURN_IF_ERROR(DropFts5Statistics(path, timeout));
  // The writer first: it switches the file to WAL mode, which the readers then share.
  HERALD_ASSIGN_OR_RETURN(
      auto writer, OpenConnection(path, /*reader=*/false, timeout, options.sqlite_cache_kib));
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  int n = std::max(options.readers, 1);
  for (int i = 0; i < n; ++i) {
    HERALD_ASSIGN_OR_RETURN(
        auto reader, OpenConnection(path, /*reader=*/true, timeout, options.sqlite_cache_kib));
    readers.push_back(std::move(reader));
  }
  // The checkpointer's connection needs no page cache of its own.
  HERALD_ASSIGN_OR_RETURN(auto checkpoint,
                          OpenConnection(path, /*reader=*/false, timeout, /*cache_kib=*/64));
  DatabaseOptions effective = options;
  effective.busy_timeout_ms = timeout;
  return std::unique_ptr<Database>(
      new SqliteDatabase(std::move(writer), std::move(readers), std::move(checkpoint), effective));
}

}  // namespace herald::storage::internal
