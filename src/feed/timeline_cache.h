// TimelineCache: what a subscription timeline page needs, kept in memory so that a page costs
// one small query (the change log) instead of two index probes per followed account and a read
// of each listed row (issue 5 performance; docs/feed.md "Timeline cache"). Internal to the feed
// module.
//
// What is cached:
//  - per account: whether it is active, the (published_at, id) of its newest kPerAccount
//    published articles (and whether that is all of them), and the listing columns (FeedItem)
//    of the newest kRowsPerAccount of those;
//  - per reader: the accounts the reader follows.
//
// Freshness: triggers (migrations feed/0003_timeline_changes and feed/0004_timeline_rows)
// append to feed_changes, in the writer's transaction, the account of every change that can
// move an article into or out of a timeline or change how it is listed (insert, delete,
// status, publication time or listed columns of an article; status or name of an account), and
// the reader of every follow or unfollow. Every Candidates() call first reads the records after
// the last one it applied, in the caller's read transaction, and drops the entries they name:
// a page reflects every change committed before its transaction began, whichever process
// committed it. SQLite only: its writers are serialised, so feed_changes.seq grows in commit
// order with no gaps; a gap means records were pruned unseen and the whole cache is dropped.
// (PostgreSQL sequences are not assigned in commit order: there the feed keeps its SQL query.)
//
// When the caller's snapshot is older than what the cache has applied (possible with several
// worker threads), Candidates() returns nullopt and the caller answers from SQL.
//
// Thread-safe (one mutex; SQLite lookups run under it, which is what the single SQLite worker
// does anyway).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "feed/feed_item.h"
#include "storage/database.h"

namespace herald::feed::internal {

// (published_at, article id), ordered newest first by the timeline.
using Key = std::pair<int64_t, int64_t>;

// One candidate of a page: its key, and its listing columns when the cache holds them (null:
// the caller reads them).
struct Candidate {
  Key key;
  std::shared_ptr<const FeedItem> item;
};

class TimelineCache {
 public:
  static constexpr int kPerAccount = 32;
  static constexpr int kRowsPerAccount = 8;

  // Holds at most `max_accounts` account entries and `max_readers` follow lists (each map is
  // dropped whole when it is full: simple and rare).
  explicit TimelineCache(size_t max_accounts = 250000, size_t max_readers = 250000)
      : max_accounts_(max_accounts), max_readers_(max_readers) {}

  // The newest `take` published articles strictly older than `bound` among the active accounts
  // `user_id` follows, newest first, as of `tx`'s snapshot; nullopt when the cache cannot serve
  // this snapshot.
  Result<std::optional<std::vector<Candidate>>> Candidates(storage::Transaction& tx,
                                                           int64_t user_id, Key bound, int take);

  // Deletes change records but the newest `keep` (never the newest one); in a write transaction.
  static Result<int64_t> Prune(storage::Transaction& tx, int64_t keep);

  // Statistics for tests and benchmarks.
  struct Stats {
    int64_t hits = 0, loads = 0, flushes = 0, invalidations = 0, refused = 0;
    int64_t follow_hits = 0, follow_loads = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    bool active = false;
    bool complete = false;   // `items` holds every published article of the account
    std::vector<Key> items;  // newest first, at most kPerAccount
    std::vector<std::shared_ptr<const FeedItem>>
        rows;  // of the first items, at most kRowsPerAccount
  };

  // Applies the change records visible to `tx`. False when `tx` is older than the cache.
  Result<bool> SyncLocked(storage::Transaction& tx);
  Result<Entry> Load(storage::Transaction& tx, int64_t account_id) const;
  Result<const std::vector<int64_t>*> FollowsLocked(storage::Transaction& tx, int64_t user_id);

  // A k-way merge input: one account's candidates keys[pos..end), listing columns for
  // keys[0..n_rows).
  struct Run {
    const Key* keys;
    const std::shared_ptr<const FeedItem>* rows;
    size_t n_rows, pos, end;
  };

  mutable std::mutex mu_;
  std::vector<Run> runs_;     // scratch of Candidates(), under mu_
  std::vector<size_t> heap_;  // scratch of Candidates(), under mu_
  const size_t max_accounts_, max_readers_;
  int64_t last_seen_ = -1;  // the last change record applied; -1 before the first call
  std::unordered_map<int64_t, Entry> entries_;
  std::unordered_map<int64_t, std::vector<int64_t>> follows_;  // reader → followed accounts
  Stats stats_;
};

}  // namespace herald::feed::internal
