#include "storage/database.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "storage/internal/postgres_database.h"
#include "storage/internal/sqlite_database.h"

namespace herald::storage {

namespace {

std::string FormatDouble(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

int64_t DoubleToInt(double d) {
  // Saturate instead of invoking undefined behaviour on out-of-range values.
  if (std::isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

double ParseDouble(const std::string& s) {
  // strtod accepts "1e3", "NaN", "Infinity" (PostgreSQL's spellings) and leading spaces.
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  return end == s.c_str() ? 0 : d;
}

int64_t ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && ptr == s.data() + s.size()) return v;
  // NUMERIC text such as "42.5000" or "1e3".
  return DoubleToInt(ParseDouble(s));
}

struct ToInt {
  int64_t operator()(std::monostate) const { return 0; }
  int64_t operator()(int64_t v) const { return v; }
  int64_t operator()(double v) const { return DoubleToInt(v); }
  int64_t operator()(const std::string& v) const { return ParseInt(v); }
  int64_t operator()(const Blob& v) const { return ParseInt(v.bytes); }
};

struct ToDouble {
  double operator()(std::monostate) const { return 0; }
  double operator()(int64_t v) const { return static_cast<double>(v); }
  double operator()(double v) const { return v; }
  double operator()(const std::string& v) const { return ParseDouble(v); }
  double operator()(const Blob& v) const { return ParseDouble(v.bytes); }
};

struct ToText {
  std::string operator()(std::monostate) const { return {}; }
  std::string operator()(int64_t v) const { return std::to_string(v); }
  std::string operator()(double v) const { return FormatDouble(v); }
  std::string operator()(const std::string& v) const { return v; }
  std::string operator()(const Blob& v) const { return v.bytes; }
};

}  // namespace

std::string_view BackendName(Backend b) {
  switch (b) {
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgres:
      return "postgresql";
  }
  return "unknown";
}

const Value& Row::at(size_t i) const {
  assert(i < values_.size() && "Row index out of range");
  return values_[i];
}

bool Row::IsNull(size_t i) const { return std::holds_alternative<std::monostate>(at(i)); }
int64_t Row::Int(size_t i) const { return std::visit(ToInt{}, at(i)); }
double Row::Double(size_t i) const { return std::visit(ToDouble{}, at(i)); }
std::string Row::Text(size_t i) const { return std::visit(ToText{}, at(i)); }
std::string Row::Bytes(size_t i) const { return std::visit(ToText{}, at(i)); }

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                               const DatabaseOptions& options) {
  if (url.starts_with("sqlite:")) {
    HERALD_ASSIGN_OR_RETURN(std::string path, internal::SqlitePathFromUrl(url));
    return internal::OpenSqliteDatabase(path, options);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return internal::OpenPostgresDatabase(url, options);
  }
  // The URL may hold a password: name the scheme only.
  std::string scheme = url.substr(0, std::min(url.find(':'), size_t{32}));
  return InvalidArgument("unsupported database URL scheme \"" + scheme +
                             "\": use sqlite:///path.db or postgresql://user@host:port/db",
                         "invalid_database_url");
}

Status RunInTransaction(Database& db, TxMode mode, const std::function<Status(Transaction&)>& fn,
                        int attempts) {
  attempts = std::max(attempts, 1);
  Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) {
      // A short, growing pause lets the transaction we collided with finish.
      std::this_thread::sleep_for(std::chrono::milliseconds(attempt * attempt));
    }
    auto tx = db.Begin(mode);
    if (!tx.ok()) {
      last = tx.status();
    } else {
      last = fn(**tx);
      if (last.ok()) {
        last = (*tx)->Commit();
      } else {
        (void)(*tx)->Rollback();
      }
    }
    if (last.ok() || last.code() != StatusCode::kAborted) return last;
  }
  return last;
}

}  // namespace herald::storage
