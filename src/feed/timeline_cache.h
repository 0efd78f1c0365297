// TimelineCache: the newest published articles of each account, kept in memory so that a
// subscription timeline page costs a handful of lookups instead of two index probes per followed
// account (issue 5 performance; docs/feed.md "Timeline cache"). Internal to the feed module.
//
// What is cached per account: whether it is active, and the (published_at, id) of its newest
// kPerAccount published articles (and whether that is all of them). Nothing else: the listing
// columns of a page's rows are read from the database in the request's own transaction.
//
// Freshness: triggers on `articles` and `accounts` (migration feed/0003_timeline_changes) append
// the account of every change that can move an article into or out of a timeline (insert,
// delete, status or publication time of an article; status of an account) to feed_changes, in
// the writer's transaction. Every Candidates() call first reads the records after the last one
// it applied, in the caller's read transaction, and drops the entries of those accounts: a page
// reflects every change committed before its transaction began, whichever process committed it.
// SQLite only: its writers are serialised, so feed_changes.seq grows in commit order with no
// gaps; a gap means records were pruned unseen and the whole cache is dropped. (PostgreSQL
// sequences are not assigned in commit order: there the feed keeps its SQL query.)
//
// When the caller's snapshot is older than what the cache has applied (possible with several
// worker threads), Candidates() returns nullopt and the caller answers from SQL.
//
// Thread-safe (one mutex; SQLite lookups run under it, which is what the single SQLite worker
// does anyway).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "storage/database.h"

namespace herald::feed::internal {

// (published_at, article id), ordered newest first by the timeline.
using Key = std::pair<int64_t, int64_t>;

class TimelineCache {
 public:
  static constexpr int kPerAccount = 32;

  // Holds at most `max_accounts` entries (all are dropped when it is full: simple and rare).
  explicit TimelineCache(size_t max_accounts = 250000) : max_accounts_(max_accounts) {}

  // The newest `take` published articles strictly older than `bound` among the active accounts
  // `user_id` follows, newest first, as of `tx`'s snapshot; nullopt when the cache cannot serve
  // this snapshot.
  Result<std::optional<std::vector<Key>>> Candidates(storage::Transaction& tx, int64_t user_id,
                                                     Key bound, int take);

  // Deletes change records but the newest `keep` (never the newest one); in a write transaction.
  static Result<int64_t> Prune(storage::Transaction& tx, int64_t keep);

  // Statistics for tests and benchmarks.
  struct Stats {
    int64_t hits = 0, loads = 0, flushes = 0, invalidations = 0, refused = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    bool active = false;
    bool complete = false;   // `items` holds every published article of the account
    std::vector<Key> items;  // newest first, at most kPerAccount
  };

  // Applies the change records visible to `tx`. False when `tx` is older than the cache.
  Result<bool> SyncLocked(storage::Transaction& tx);
  Result<Entry> Load(storage::Transaction& tx, int64_t account_id) const;

  mutable std::mutex mu_;
  const size_t max_accounts_;
  int64_t last_seen_ = -1;  // the last change record applied; -1 before the first call
  std::unordered_map<int64_t, Entry> entries_;
  Stats stats_;
};

}  // namespace herald::feed::internal
