#include "audit/audit_log.h"

#include "core/crypto.h"

namespace herald::audit {

const char kGenesisHash[] = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

void Field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out.append(value);
  out += '\n';
}

// A cheap structural check: the caller renders details with a JSON library; we only make sure
// it is an object so auditors can always parse it.
bool LooksLikeJsonObject(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b != std::string_view::npos && s[b] == '{' && s[e] == '}';
}

Entry EntryFromRow(const storage::Row& r) {
  Entry e;
  e.seq = r.Int(0);
  e.time = r.Int(1);
  e.actor = r.Text(2);
  e.action = r.Text(3);
  e.subject = r.Text(4);
  e.details = r.Text(5);
  e.request_id = r.Text(6);
  e.prev_hash = r.Text(7);
  e.hash = r.Text(8);
  return e;
}

constexpr const char* kColumns =
    "seq, time, actor, action, subject, details, request_id, prev_hash, hash";

}  // namespace

std::string CanonicalEncoding(const Entry& e) {
  std::string out = "herald-audit-v1\n";
  Field(out, std::to_string(e.seq));
  Field(out, std::to_string(e.time));
  Field(out, e.actor);
  Field(out, e.action);
  Field(out, e.subject);
  Field(out, e.details);
  Field(out, e.request_id);
  Field(out, e.prev_hash);
  return out;
}

std::string ComputeHash(const Entry& e) { return crypto::Sha256Hex(CanonicalEncoding(e)); }

Result<Entry> AuditLog::Append(storage::Transaction& tx, const NewEntry& n) const {
  if (n.actor.empty()) return InvalidArgument("audit entry needs an actor", "invalid_audit_entry");
  if (n.action.empty())
    return InvalidArgument("audit entry needs an action", "invalid_audit_entry");
  if (!LooksLikeJsonObject(n.details)) {
    return InvalidArgument("audit details must be a JSON object", "invalid_audit_entry");
  }
  HERALD_RETURN_IF_ERROR(tx.LockExclusive("audit_log"));
  HERALD_ASSIGN_OR_RETURN(auto head, tx.Query("SELECT seq, hash FROM audit_head WHERE id = 1"));
  if (head.empty()) return Internal("audit_head row missing", "audit_corrupt");
  Entry e;
  e.seq = head.rows[0].Int(0) + 1;
  e.prev_hash = head.rows[0].Text(1);
  e.time = clock_.Now();
  e.actor = n.actor;
  e.action = n.action;
  e.subject = n.subject;
  e.details = n.details;
  e.request_id = n.request_id;
  e.hash = ComputeHash(e);
  HERALD_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO audit_log (seq, time, actor, action, subject, details, request_id, "
                 "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {e.seq, e.time, e.actor, e.action, e.subject, e.details, e.request_id, e.prev_hash,
                  e.hash})
          .status());
  HERALD_RETURN_IF_ERROR(
      tx.Execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", {e.seq, e.hash}).status());
  return e;
}

Result<Entry> AuditLog::AppendNow(storage::Database& db, const NewEntry& entry) const {
  Entry out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        HERALD_ASSIGN_OR_RETURN(out, Append(tx, entry));
        return Status();
      }));
  return out;
}

Result<Page> AuditLog::Query(storage::Database& db, const Filter& f) const {
  if (f.limit < 1 || f.limit > 500) {
    return InvalidArgument("limit must be between 1 and 500", "invalid_limit", "limit");
  }
  std::string sql = std::string("SELECT ") + kColumns + " FROM audit_log WHERE 1 = 1";
  std::vector<storage::Value> params;
  if (!f.actor.empty()) {
    sql += " AND actor = ?";
    params.emplace_back(f.actor);
  }
  if (!f.action.empty()) {
    if (f.action.back() == '*') {
      // Prefix match without LIKE (whose case rules differ between backends).
      std::string prefix = f.action.substr(0, f.action.size() - 1);
      sql += " AND substr(action, 1, ?) = ?";
      params.emplace_back(static_cast<int64_t>(prefix.size()));
      params.emplace_back(prefix);
    } else {
      sql += " AND action = ?";
      params.emplace_back(f.action);
    }
  }
  if (!f.subject.empty()) {
    sql += " AND subject = ?";
    params.emplace_back(f.subject);
  }
  if (f.since) {
    sql += " AND time >= ?";
    params.emplace_back(*f.since);
  }
  if (f.until) {
    sql += " AND time < ?";
    params.emplace_back(*f.until);
  }
  if (f.cursor) {
    sql += f.newest_first ? " AND seq < ?" : " AND seq > ?";
    params.emplace_back(*f.cursor);
  }
  sql += f.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq ASC";
  sql += " LIMIT ?";
  params.emplace_back(static_cast<int64_t>(f.limit + 1));

  HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  Page page;
  for (size_t i = 0; i < rows.rows.size() && static_cast<int>(i) < f.limit; ++i) {
    page.entries.push_back(EntryFromRow(rows.rows[i]));
  }
  if (static_cast<int>(rows.rows.size()) > f.limit) page.next_cursor = page.entries.back().seq;
  return page;
}

Result<VerifyReport> AuditLog::Verify(storage::Database& db) const {
  VerifyReport report;
  HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kRead));
  std::string prev = kGenesisHash;
  int64_t expected = 1;
  auto fail = [&](int64_t seq, std::string problem, std::string detail) {
    report.ok = false;
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
    report.detail = std::move(detail);
  };
  const int64_t kPage = 1000;
  int64_t after = 0;
  while (report.ok) {
    HERALD_ASSIGN_OR_RETURN(auto rows,
                            tx->Query(std::string("SELECT ") + kColumns +
                                          " FROM audit_log WHERE seq > ? ORDER BY seq ASC LIMIT ?",
                                      {after, kPage}));
    for (const auto& row : rows.rows) {
      Entry e = EntryFromRow(row);
      if (e.seq != expected) {
        fail(expected, "missing_entry",
             "entry " + std::to_string(expected) +
                 " is missing (next present: " + std::to_string(e.seq) + ")");
        break;
      }
      if (e.prev_hash != prev) {
        fail(e.seq, "broken_link",
             "entry " + std::to_string(e.seq) + " does not link to the hash of entry " +
                 std::to_string(e.seq - 1));
        break;
      }
      if (ComputeHash(e) != e.hash) {
        fail(
            e.seq, "hash_mismatch",
            "entry " + std::to_string(e.seq) + " was altered: its hash does not match its content");
        break;
      }
      prev = e.hash;
      ++expected;
      ++report.entries_checked;
      after = e.seq;
    }
    if (static_cast<int64_t>(rows.rows.size()) < kPage) break;
  }
  HERALD_ASSIGN_OR_RETURN(auto head, tx->Query("SELECT seq, hash FROM audit_head WHERE id = 1"));
  if (head.empty()) {
    if (report.ok) fail(expected, "head_mismatch", "the audit head record is missing");
    return report;
  }
  report.head_seq = head.rows[0].Int(0);
  report.head_hash = head.rows[0].Text(1);
  if (report.ok && (report.head_seq != expected - 1 || report.head_hash != prev)) {
    fail(expected - 1 < report.head_seq ? expected : report.head_seq, "head_mismatch",
         "the head records entry " + std::to_string(report.head_seq) + " but the chain ends at " +
             std::to_string(expected - 1) + ": entries were removed or the head was altered");
  }
  return report;
}

std::vector<storage::Migration> AuditLog::Migrations() {
  return {
      {"audit/0001_log",
       R"sql(
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  time BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  request_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
  WHEN NEW.seq <> OLD.seq + 1
  BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward by one'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
  BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END;
)sql",
       R"sql(
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  time BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  request_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.seq <> OLD.seq + 1 THEN
    RAISE EXCEPTION 'audit_head only moves forward by one';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
)sql"},
  };
}

}  // namespace herald::audit
