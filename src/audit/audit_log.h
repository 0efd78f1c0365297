// AuditLog: the append-only, hash-chained record of every privileged or compliance-relevant
// action (role changes, login-failure bursts, and later sanctions and verification decisions).
//
// Each entry carries the SHA-256 of its predecessor; the hash of an entry is computed over the
// canonical encoding documented in docs/audit_format.md (CanonicalEncoding below is the
// reference implementation). Entries are appended inside the caller's write transaction, so an
// action and its audit entry commit or roll back together. The database refuses UPDATE and
// DELETE on the log (triggers), and a one-row head table records the last sequence number and
// hash so that entries removed from the end are detected.
//
// This module knows no domain types: actors and subjects are strings such as "user:42",
// "cli" or "system"; details are a JSON object rendered by the caller.
//
// Thread-safety: AuditLog is stateless apart from its clock and may be shared by all threads;
// concurrent appends are serialised by Transaction::LockExclusive("audit_log").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::audit {

// 64 zeros: the prev_hash of the first entry.
extern const char kGenesisHash[];

struct Entry {
  int64_t seq = 0;         // 1, 2, 3, ... without gaps
  Micros time = 0;         // microseconds since the epoch, UTC
  std::string actor;       // "user:<id>", "cli", "system"
  std::string action;      // dotted verb, e.g. "role.grant"
  std::string subject;     // what was acted on, e.g. "user:42"; may be empty
  std::string details;     // a JSON object, stored and hashed byte for byte
  std::string request_id;  // HTTP request id, or "" outside a request
  std::string prev_hash;   // hex SHA-256 of the previous entry
  std::string hash;        // hex SHA-256 of CanonicalEncoding(*this)
};

struct NewEntry {
  std::string actor;
  std::string action;
  std::string subject;
  std::string details = "{}";
  std::string request_id;
};

// The exact bytes hashed for an entry (all fields but `hash`). See docs/audit_format.md.
std::string CanonicalEncoding(const Entry& e);
// hex(SHA-256(CanonicalEncoding(e))).
std::string ComputeHash(const Entry& e);

struct Filter {
  std::string actor;              // exact match when non-empty
  std::string action;             // exact match, or prefix match when it ends with '*'
  std::string subject;            // exact match when non-empty
  std::optional<Micros> since;    // time >= since
  std::optional<Micros> until;    // time < until
  std::optional<int64_t> cursor;  // continue after this seq (exclusive) in the chosen order
  bool newest_first = true;
  int limit = 50;  // 1..500
};

struct Page {
  std::vector<Entry> entries;
  std::optional<int64_t> next_cursor;  // set when more entries may follow
};

struct VerifyReport {
  bool ok = true;
  int64_t entries_checked = 0;
  int64_t first_bad_seq = 0;  // 0 when ok
  std::string problem;        // "missing_entry", "broken_link", "hash_mismatch", "head_mismatch"
  std::string detail;         // human-readable explanation
  int64_t head_seq = 0;
  std::string head_hash;  // publish this to anchor the chain externally
};

class AuditLog {
 public:
  explicit AuditLog(const Clock& clock) : clock_(clock) {}

  // Appends `entry` in `tx` (which must be a write transaction) and returns it as stored.
  // InvalidArgument when actor or action is empty or details is not a JSON object text.
  Result<Entry> Append(storage::Transaction& tx, const NewEntry& entry) const;

  // Convenience: appends in a transaction of its own.
  Result<Entry> AppendNow(storage::Database& db, const NewEntry& entry) const;

  // One page of entries matching `filter`. InvalidArgument for a limit out of range.
  Result<Page> Query(storage::Database& db, const Filter& filter) const;

  // Recomputes the whole chain in seq order and reports the first problem found.
  Result<VerifyReport> Verify(storage::Database& db) const;

  static std::vector<storage::Migration> Migrations();

 private:
  const Clock& clock_;
};

}  // namespace herald::audit
