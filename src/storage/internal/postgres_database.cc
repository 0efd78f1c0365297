#include "storage/internal/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <vector>

#include "storage/internal/connection_pool.h"

namespace herald::storage::internal {

namespace {

// Type OIDs from PostgreSQL's pg_type.dat; stable across server versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

// Statements prepared per connection before they are all deallocated (see SqliteConnection).
constexpr size_t kMaxCachedStatements = 256;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Maps a failed command to Herald's error vocabulary (storage/database.h). Only the primary
// message is used: DETAIL lines repeat key values ("Key (phone)=(...)"), and data-exception
// messages (class 22) quote the offending input, so those are replaced by the SQLSTATE alone.
Status MapPgError(PGconn* conn, const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr || *state == '\0') {
    std::string detail = Trimmed(PQerrorMessage(conn));
    if (PQstatus(conn) != CONNECTION_OK) {
      return Unavailable("postgresql: connection lost: " + detail, "database_unavailable");
    }
    return Internal("postgresql: " + detail, "database_error");
  }
  std::string_view code(state);
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  std::string m = "postgresql: ";
  m += code.starts_with("22") ? std::string("invalid data value") : Trimmed(primary);
  m += " (SQLSTATE ";
  m += code;
  m += ")";
  if (code == "23505") return AlreadyExists(std::move(m), "unique_violation");
  if (code == "23503") return FailedPrecondition(std::move(m), "foreign_key_violation");
  if (code.starts_with("23") || code == "P0001") {
    return FailedPrecondition(std::move(m), "constraint_violation");
  }
  if (code == "40001" || code == "40P01" || code == "55P03")
    return Aborted(std::move(m), "conflict");
  if (code.starts_with("08") || code == "57P01" || code == "57P02" || code == "57P03") {
    return Unavailable(std::move(m), "database_unavailable");
  }
  return Internal(std::move(m), "database_error");
}

bool CommandOk(const PGresult* res) {
  if (res == nullptr) return false;
  ExecStatusType s = PQresultStatus(res);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes bytea text output: hex ("\x0001ff", the default) or the legacy escape format.
std::string DecodeBytea(const char* s, int len) {
  std::string out;
  if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
    out.reserve((len - 2) / 2);
    for (int i = 2; i + 1 < len; i += 2) {
      out.push_back(static_cast<char>(HexValue(s[i]) << 4 | HexValue(s[i + 1])));
    }
    return out;
  }
  for (int i = 0; i < len; ++i) {
    if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\\') {
      out.push_back('\\');
      ++i;
    } else if (s[i] == '\\' && i + 3 < len) {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

enum class ColumnKind { kInt, kDouble, kBool, kBytea, kText };

ColumnKind KindOf(Oid type) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return ColumnKind::kInt;
    case kFloat4Oid:
    case kFloat8Oid:
      return ColumnKind::kDouble;
    case kBoolOid:
      return ColumnKind::kBool;
    case kByteaOid:
      return ColumnKind::kBytea;
    default:
      return ColumnKind::kText;  // text, varchar, numeric (Row::Int parses it), ...
  }
}

Value ConvertField(ColumnKind kind, const char* s, int len) {
  switch (kind) {
    case ColumnKind::kInt: {
      int64_t v = 0;
      std::from_chars(s, s + len, v);
      return v;
    }
    case ColumnKind::kDouble:
      return std::strtod(s, nullptr);  // also "NaN", "Infinity", "-Infinity"
    case ColumnKind::kBool:
      return static_cast<int64_t>(len > 0 && s[0] == 't');
    case ColumnKind::kBytea:
      return Blob{DecodeBytea(s, len)};
    case ColumnKind::kText:
      break;
  }
  return std::string(s, len);
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // shortest exact form
  return std::string(buf, end);
}

struct PreparedStatement {
  std::string name;
  int params = 0;
};

// One libpq connection and its prepared statements. Used by one transaction at a time.
class PgConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() { PQfinish(conn_); }

  PGconn* get() const { return conn_; }

  ResultPtr Exec(const char* sql) { return ResultPtr(PQexec(conn_, sql)); }

  // Brings the connection to an idle, healthy state: resets a broken connection and rolls back
  // a transaction left open. Costs no round trip in the common case. Returns Unavailable when
  // the server cannot be reached.
  Status MakeReady() {
    if (!needs_reset_ && PQstatus(conn_) == CONNECTION_OK) {
      PGTransactionStatusType ts = PQtransactionStatus(conn_);
      if (ts == PQTRANS_IDLE) return Status();
      if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
        if (CommandOk(Exec("ROLLBACK").get())) return Status();
      }
    }
    return Reset();
  }

  Status Reset() {
    statements_.clear();  // server-side statements die with the session
    needs_reset_ = false;
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Unavailable("postgresql: cannot reconnect: " + Trimmed(PQerrorMessage(conn_)),
                         "database_unavailable");
    }
    return Status();
  }

  bool Broken() const { return PQstatus(conn_) != CONNECTION_OK; }

  ResultPtr ExecPrepared(const PreparedStatement& ps, const std::vector<const char*>& values,
                         const std::vector<int>& lengths, const std::vector<int>& formats) {
    return ResultPtr(PQexecPrepared(conn_, ps.name.c_str(), static_cast<int>(values.size()),
                                    values.data(), lengths.data(), formats.data(),
                                    /*resultFormat=*/0));
  }

  // Sends `begin` and the prepared statement in one round trip (libpq pipeline mode). Returns
  // BEGIN's result when it failed, else the statement's; nullptr when the connection failed.
  ResultPtr BeginAndExecPrepared(const char* begin, const PreparedStatement& ps,
                                 const std::vector<const char*>& values,
                                 const std::vector<int>& lengths, const std::vector<int>& formats) {
    if (PQenterPipelineMode(conn_) != 1) {
      ResultPtr res = Exec(begin);
      if (!CommandOk(res.get())) return res;
      return ExecPrepared(ps, values, lengths, formats);
    }
    ResultPtr begin_result;
    ResultPtr statement_result;
    bool sent = PQsendQueryParams(conn_, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
                PQsendQueryPrepared(conn_, ps.name.c_str(), static_cast<int>(values.size()),
                                    values.data(), lengths.data(), formats.data(), 0) == 1 &&
                PQpipelineSync(conn_) == 1;
    if (sent) {
      // Expected: BEGIN's result, NULL, the statement's result, NULL, PIPELINE_SYNC.
      int results = 0;
      int nulls = 0;
      while (true) {
        PGresult* r = PQgetResult(conn_);
        if (r == nullptr) {
          if (Broken() || ++nulls > 2) break;
          continue;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
          PQclear(r);
          break;
        }
        if (results++ == 0) {
          begin_result.reset(r);
        } else if (!statement_result) {
          statement_result.reset(r);
        } else {
          PQclear(r);
        }
      }
    }
    // Leaving fails only with results unread: the session is then in an unknown state.
    if (PQexitPipelineMode(conn_) != 1) needs_reset_ = true;
    if (!begin_result || !CommandOk(begin_result.get())) return begin_result;
    return statement_result;
  }

  // Returns the prepared statement for `sql`, preparing it on this connection on first use.
  Result<const PreparedStatement*> Prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return &it->second;
    if (statements_.size() >= kMaxCachedStatements) {
      // DEALLOCATE is allowed inside a transaction and is not undone by its rollback.
      ResultPtr res = Exec("DEALLOCATE ALL");
      if (!CommandOk(res.get())) return MapPgError(conn_, res.get());
      statements_.clear();
    }
    PreparedStatement ps;
    ps.name = "s" + std::to_string(++next_id_);
    std::string text = RewritePlaceholders(sql, &ps.params);
    ResultPtr res(PQprepare(conn_, ps.name.c_str(), text.c_str(), 0, nullptr));
    if (!CommandOk(res.get())) return MapPgError(conn_, res.get());
    auto [it, inserted] = statements_.emplace(std::string(sql), std::move(ps));
    return &it->second;
  }

 private:
  PGconn* conn_;
  std::unordered_map<std::string, PreparedStatement, StringHash, std::equal_to<>> statements_;
  int64_t next_id_ = 0;
  bool needs_reset_ = false;
};

class PostgresDatabase;

class PostgresTransaction final : public Transaction {
 public:
  // The server-side transaction starts lazily: `begin` travels with the first statement, so a
  // transaction costs one round trip less, and one that runs nothing costs none.
  PostgresTransaction(PostgresDatabase& owner, PgConnection& conn, int slot, const char* begin)
      : owner_(owner), conn_(conn), slot_(slot), begin_(begin) {}
  ~PostgresTransaction() override {
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
    if (!begun_) HERALD_RETURN_IF_ERROR(Fail(BeginNow()));
    std::string script(sql);
    // The simple-query protocol runs several statements (and $$-quoted bodies) in one call.
    ResultPtr res = conn_.Exec(script.c_str());
    if (!CommandOk(res.get())) return Fail(MapPgError(conn_.get(), res.get()));
    return Status();
  }

  Status LockExclusive(std::string_view name) override {
    return Run("SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))", {AdvisoryLockKey(name)}, nullptr,
               nullptr);
  }

  Status Commit() override {
    HERALD_RETURN_IF_ERROR(CheckEnded());
    if (!failed_.ok()) {
      Status why = EarlierFailure();
      (void)Rollback();
      return why;
    }
    if (!begun_) {
      End();
      return Status();
    }
    ResultPtr res = conn_.Exec("COMMIT");
    Status st;
    if (!CommandOk(res.get())) {
      st = MapPgError(conn_.get(), res.get());
    } else if (std::strcmp(PQcmdStatus(res.get()), "ROLLBACK") == 0) {
      st = Internal("postgresql: the server rolled the transaction back", "database_error");
    }
    End();
    return st;
  }

  Status Rollback() override {
    HERALD_RETURN_IF_ERROR(CheckEnded());
    if (!begun_) {
      End();
      return Status();
    }
    ResultPtr res = conn_.Exec("ROLLBACK");
    Status st = CommandOk(res.get()) ? Status() : MapPgError(conn_.get(), res.get());
    End();
    return st;
  }

  Backend backend() const override { return Backend::kPostgres; }

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

  // The server refuses every command after an error until ROLLBACK ("current transaction is
  // aborted"); report the original failure instead, with its code, so a conflict stays Aborted.
  Status EarlierFailure() const {
    return Status(failed_.code(),
                  "an earlier statement in this transaction failed (" + failed_.message() + ")",
                  failed_.reason());
  }

  Status Fail(Status st) {
    if (failed_.ok()) failed_ = st;
    return st;
  }

  // Starts the server-side transaction on its own (before a script). Like the pipelined start,
  // it reconnects once when the connection turns out to be dead: nothing has run yet.
  Status BeginNow() {
    begun_ = true;
    ResultPtr res = conn_.Exec(begin_);
    if (!CommandOk(res.get()) && conn_.Broken()) {
      HERALD_RETURN_IF_ERROR(conn_.Reset());
      res = conn_.Exec(begin_);
    }
    return CommandOk(res.get()) ? Status() : MapPgError(conn_.get(), res.get());
  }

  Status Run(std::string_view sql, const std::vector<Value>& params, Rows* rows, int64_t* changes);
  void End();

  PostgresDatabase& owner_;
  PgConnection& conn_;
  const int slot_;
  const char* const begin_;
  bool begun_ = false;
  bool ended_ = false;
  Status failed_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::vector<std::unique_ptr<PgConnection>> conns, int busy_timeout_ms)
      : conns_(std::move(conns)),
        pool_(static_cast<int>(conns_.size())),
        timeout_(busy_timeout_ms) {}

  Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override {
    std::optional<int> slot = pool_.Acquire(timeout_);
    if (!slot) {
      return Unavailable(
          "no database connection became free within " + std::to_string(timeout_.count()) + " ms",
          "database_busy");
    }
    PgConnection& conn = *conns_[*slot];
    Status st = conn.MakeReady();
    if (!st.ok()) {
      pool_.Release(*slot);
      return st;
    }
    const char* begin =
        mode == TxMode::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
    return std::unique_ptr<Transaction>(new PostgresTransaction(*this, conn, *slot, begin));
  }

  Backend backend() const override { return Backend::kPostgres; }

  PoolStats Stats() const override {
    return PoolStats{.size = pool_.size(), .in_use = pool_.in_use(), .waits = pool_.waits()};
  }

  void Release(int slot) { pool_.Release(slot); }

 private:
  std::vector<std::unique_ptr<PgConnection>> conns_;
  SlotPool pool_;
  const std::chrono::milliseconds timeout_;
};

Status PostgresTransaction::Run(std::string_view sql, const std::vector<Value>& params, Rows* rows,
                                int64_t* changes) {
  HERALD_RETURN_IF_ERROR(CheckUsable());

  // Numbers are formatted into `text`; strings and blobs are passed in place.
  const size_t n = params.size();
  std::vector<std::string> text(n);
  std::vector<const char*> values(n, nullptr);
  std::vector<int> lengths(n, 0);
  std::vector<int> formats(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const Value& v = params[i];
    if (const auto* k = std::get_if<int64_t>(&v)) {
      text[i] = std::to_string(*k);
      values[i] = text[i].c_str();
    } else if (const auto* d = std::get_if<double>(&v)) {
      text[i] = FormatDouble(*d);
      values[i] = text[i].c_str();
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      if (s->find('\0') != std::string::npos) {
        return Fail(Internal("text parameter " + std::to_string(i + 1) +
                                 " contains a NUL byte, which PostgreSQL text cannot hold; use "
                                 "Blob",
                             "database_error"));
      }
      values[i] = s->c_str();
    } else if (const auto* b = std::get_if<Blob>(&v)) {
      values[i] = b->bytes.data();  // never null: an empty blob is not NULL
      lengths[i] = static_cast<int>(b->bytes.size());
      formats[i] = 1;  // binary bytea: the raw bytes
    }
  }

  const bool first = !begun_;
  begun_ = true;
  ResultPtr res;
  for (int attempt = 0;; ++attempt) {
    // Before the first statement nothing has happened in this transaction, so a connection
    // that died while idle in the pool (server restart, idle timeout) is reset and retried.
    const bool may_retry = first && attempt == 0;
    auto prepared = conn_.Prepare(sql);
    if (!prepared.ok()) {
      if (may_retry && conn_.Broken() && conn_.Reset().ok()) continue;
      return Fail(prepared.status());
    }
    const PreparedStatement& ps = **prepared;
    if (ps.params != static_cast<int>(n)) {
      return Fail(Internal("statement has " + std::to_string(ps.params) + " placeholders but " +
                               std::to_string(n) + " parameters were given",
                           "database_error"));
    }
    res = first ? conn_.BeginAndExecPrepared(begin_, ps, values, lengths, formats)
                : conn_.ExecPrepared(ps, values, lengths, formats);
    if (may_retry && conn_.Broken() && conn_.Reset().ok()) continue;
    break;
  }
  if (!CommandOk(res.get())) return Fail(MapPgError(conn_.get(), res.get()));

  if (rows != nullptr) {
    const int ncols = PQnfields(res.get());
    const int nrows = PQntuples(res.get());
    std::vector<ColumnKind> kinds(ncols);
    rows->columns.reserve(ncols);
    for (int c = 0; c < ncols; ++c) {
      rows->columns.emplace_back(PQfname(res.get(), c));
      kinds[c] = KindOf(PQftype(res.get(), c));
    }
    rows->rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> row;
      row.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          row.emplace_back(std::monostate());
        } else {
          row.push_back(
              ConvertField(kinds[c], PQgetvalue(res.get(), r, c), PQgetlength(res.get(), r, c)));
        }
      }
      rows->rows.emplace_back(std::move(row));
    }
  }
  if (changes != nullptr) {
    // PQcmdTuples also counts the rows a SELECT returned; only changes are wanted here.
    std::string_view tag = PQcmdStatus(res.get());
    int64_t count = 0;
    if (tag.starts_with("INSERT") || tag.starts_with("UPDATE") || tag.starts_with("DELETE") ||
        tag.starts_with("MERGE")) {
      const char* tuples = PQcmdTuples(res.get());
      std::from_chars(tuples, tuples + std::strlen(tuples), count);
    }
    *changes = count;
  }
  return Status();
}

void PostgresTransaction::End() {
  ended_ = true;
  owner_.Release(slot_);
}

}  // namespace

std::string RewritePlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  const size_t len = sql.size();
  for (size_t i = 0; i < len; ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      // Copy through the closing quote. A doubled quote ('it''s') closes and reopens, which
      // copies it correctly; E'...' strings also treat a backslash as an escape.
      bool backslash_escapes =
          c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
          (i < 2 || !(std::isalnum(static_cast<unsigned char>(sql[i - 2])) || sql[i - 2] == '_'));
      size_t j = i + 1;
      while (j < len && sql[j] != c) {
        if (backslash_escapes && sql[j] == '\\') ++j;
        ++j;
      }
      j = std::min(j, len - 1);
      out.append(sql.substr(i, j - i + 1));
      i = j;
    } else if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
      size_t j = sql.find('\n', i);
      if (j == std::string_view::npos) j = len - 1;
      out.append(sql.substr(i, j - i + 1));
      i = j;
    } else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      j = j == std::string_view::npos ? len - 1 : j + 1;
      out.append(sql.substr(i, j - i + 1));
      i = j;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  *count = n;
  return out;
}

int64_t AdvisoryLockKey(std::string_view name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

Result<std::unique_ptr<Database>> OpenPostgresDatabase(const std::string& url,
                                                       const DatabaseOptions& options) {
  int busy_ms = std::max(options.busy_timeout_ms, 0);
  // Settings before "dbname" are defaults that the URL may override (libpq processes the
  // arrays in order and expands the URL in place). lock_timeout bounds waits for row and
  // advisory locks (55P03 → Aborted "conflict"); 0 would mean "wait forever".
  std::string connect_timeout = std::to_string(std::max(2, busy_ms / 1000 + 1));
  std::string server_options = "-c lock_timeout=" + std::to_string(std::max(busy_ms, 1)) +
                               " -c extra_float_digits=3 -c bytea_output=hex";
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding",
                        "options",         "dbname",           nullptr};
  const char* vals[] = {connect_timeout.c_str(), "herald",    "UTF8",
                        server_options.c_str(),  url.c_str(), nullptr};
  int n = std::max(options.readers, 2);
  std::vector<std::unique_ptr<PgConnection>> conns;
  conns.reserve(n);
  for (int i = 0; i < n; ++i) {
    PGconn* raw = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
    auto conn = std::make_unique<PgConnection>(raw);  // PQfinish even when connecting failed
    if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
      // libpq's message names host, port and user, never the password.
      std::string why = raw ? Trimmed(PQerrorMessage(raw)) : "out of memory";
      return Unavailable("cannot connect to PostgreSQL: " + why, "database_unavailable");
    }
    // Notices ("relation already exists, skipping") would go to stderr otherwise.
    PQsetNoticeProcessor(
        raw, [](void*, const char*) {}, nullptr);
    conns.push_back(std::move(conn));
  }
  return std::unique_ptr<Database>(new PostgresDatabase(std::move(conns), busy_ms));
}

}  // namespace herald::storage::internal
