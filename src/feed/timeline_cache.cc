#include "feed/timeline_cache.h"

#include <algorithm>

namespace herald::feed::internal {

using storage::Transaction;
using storage::Value;

namespace {

// More change records than this since the last call: drop everything instead of reading them.
constexpr int64_t kMaxChangesApplied = 4096;

bool Newer(const Key& a, const Key& b) { return a > b; }

}  // namespace

TimelineCache::Stats TimelineCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Result<bool> TimelineCache::SyncLocked(Transaction& tx) {
  if (last_seen_ < 0) {
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COALESCE(MAX(seq), 0) FROM feed_changes"));
    last_seen_ = rows.rows.at(0).Int(0);
    entries_.clear();
    follows_.clear();
    return true;
  }
  // Reads from the last applied record itself: seeing it proves the snapshot is not older.
  const int64_t first = std::max<int64_t>(last_seen_, 1);
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT seq, account_id, user_id FROM feed_changes "
                                              "WHERE seq >= ? ORDER BY seq LIMIT ?",
                                              {first, kMaxChangesApplied + 1}));
  if (rows.rows.empty()) {
    if (last_seen_ == 0) return true;  // nothing was ever recorded
    ++stats_.refused;                  // the snapshot predates the last applied record
    return false;
  }
  const bool contiguous = rows.rows[0].Int(0) == first;
  if (!contiguous || static_cast<int64_t>(rows.rows.size()) > kMaxChangesApplied) {
    // Records were pruned before this cache saw them, or there are too many to read.
    entries_.clear();
    follows_.clear();
    ++stats_.flushes;
  } else {
    for (const auto& r : rows.rows) {
      if (r.Int(0) <= last_seen_) continue;
      if (r.IsNull(2)) {
        stats_.invalidations += static_cast<int64_t>(entries_.erase(r.Int(1)));
      } else {
        stats_.invalidations += static_cast<int64_t>(follows_.erase(r.Int(2)));
      }
    }
  }
  last_seen_ = rows.rows.back().Int(0);
  return true;
}

Result<TimelineCache::Entry> TimelineCache::Load(Transaction& tx, int64_t account_id) const {
  Entry e;
  HERALD_ASSIGN_OR_RETURN(auto acc,
                          tx.Query("SELECT status FROM accounts WHERE id = ?", {account_id}));
  e.active = !acc.rows.empty() && acc.rows[0].Text(0) == "active";
  if (!e.active) return e;
  // Keys from the index alone; the listing columns of the newest few rows.
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT published_at, id FROM articles WHERE account_id = ? AND status = "
                          "'published' ORDER BY published_at DESC, id DESC LIMIT ?",
                          {account_id, int64_t{kPerAccount}}));
  e.items.reserve(rows.rows.size());
  for (const auto& r : rows.rows) e.items.emplace_back(r.Int(0), r.Int(1));
  e.complete = static_cast<int>(e.items.size()) < kPerAccount;
  if (e.items.empty()) return e;
  HERALD_ASSIGN_OR_RETURN(
      auto listed,
      tx.Query(std::string("SELECT ") + kItemColumns +
                   " FROM articles a JOIN accounts c ON c.id = a.account_id WHERE a.account_id = "
                   "? AND a.status = 'published' ORDER BY a.published_at DESC, a.id DESC LIMIT ?",
               {account_id, int64_t{kRowsPerAccount}}));
  for (size_t i = 0; i < listed.rows.size() && i < e.items.size(); ++i) {
    auto item = std::make_shared<FeedItem>(ItemFromRow(listed.rows[i]));
    if (item->article_id != e.items[i].second) break;  // cannot differ within one snapshot
    e.rows.push_back(std::move(item));
  }
  return e;
}

Result<const std::vector<int64_t>*> TimelineCache::FollowsLocked(Transaction& tx, int64_t user_id) {
  auto it = follows_.find(user_id);
  if (it != follows_.end()) {
    ++stats_.follow_hits;
    return &it->second;
  }
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT account_id FROM social_follows WHERE user_id = ?", {user_id}));
  std::vector<int64_t> accounts;
  accounts.reserve(rows.rows.size());
  for (const auto& r : rows.rows) accounts.push_back(r.Int(0));
  if (follows_.size() >= max_readers_) {
    follows_.clear();
    ++stats_.flushes;
  }
  ++stats_.follow_loads;
  return &follows_.emplace(user_id, std::move(accounts)).first->second;
}

Result<std::optional<std::vector<Candidate>>> TimelineCache::Candidates(Transaction& tx,
                                                                        int64_t user_id, Key bound,
                                                                        int take) {
  std::lock_guard<std::mutex> lock(mu_);
  HERALD_ASSIGN_OR_RETURN(bool fresh, SyncLocked(tx));
  if (!fresh) return std::optional<std::vector<Candidate>>();
  HERALD_ASSIGN_OR_RETURN(const std::vector<int64_t>* follows, FollowsLocked(tx, user_id));
  // Entries are only dropped here, before any is referenced below.
  if (entries_.size() + follows->size() > max_accounts_) {
    entries_.clear();
    ++stats_.flushes;
  }
  // One run per followed active account: its candidates below the bound, newest first. The
  // scratch vectors are members, reused under the lock (allocations of a few KB per page were
  // a tenth of a timeline request's CPU).
  std::vector<Run>& runs = runs_;
  runs.clear();
  std::vector<std::vector<Key>> deeper;  // accounts read from the index (a later page)
  for (const int64_t account : *follows) {
    auto it = entries_.find(account);
    if (it == entries_.end()) {
      HERALD_ASSIGN_OR_RETURN(Entry e, Load(tx, account));
      it = entries_.emplace(account, std::move(e)).first;
      ++stats_.loads;
    } else {
      ++stats_.hits;
    }
    const Entry& e = it->second;
    if (!e.active) continue;
    // The first cached item strictly older than the bound.
    const size_t from = static_cast<size_t>(
        std::upper_bound(e.items.begin(), e.items.end(), bound, Newer) - e.items.begin());
    const size_t available = e.items.size() - from;
    if (available >= static_cast<size_t>(take) || e.complete) {
      if (available > 0) {
        runs.push_back({e.items.data(), e.rows.data(), e.rows.size(), from,
                        from + std::min(available, static_cast<size_t>(take))});
      }
      continue;
    }
    // Deeper than the cache reaches: this account's items from the index.
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT published_at, id FROM articles WHERE account_id = ? AND status = "
                 "'published' AND (published_at, id) < (?, ?) "
                 "ORDER BY published_at DESC, id DESC LIMIT ?",
                 {account, bound.first, bound.second, int64_t{take}}));
    std::vector<Key> keys;
    keys.reserve(rows.rows.size());
    for (const auto& r : rows.rows) keys.emplace_back(r.Int(0), r.Int(1));
    if (keys.empty()) continue;
    deeper.push_back(std::move(keys));
    runs.push_back({deeper.back().data(), nullptr, 0, 0, deeper.back().size()});
  }
  // (Runs point into `deeper`'s inner vectors, whose buffers do not move as it grows.)
  // A k-way merge of the runs: the newest `take` candidates.
  auto older = [&](size_t a, size_t b) {
    return runs[a].keys[runs[a].pos] < runs[b].keys[runs[b].pos];
  };
  std::vector<size_t>& heap = heap_;
  heap.resize(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) heap[i] = i;
  std::make_heap(heap.begin(), heap.end(), older);
  std::vector<Candidate> out;
  out.reserve(static_cast<size_t>(take));
  while (!heap.empty() && out.size() < static_cast<size_t>(take)) {
    std::pop_heap(heap.begin(), heap.end(), older);
    Run& r = runs[heap.back()];
    out.push_back({r.keys[r.pos], r.pos < r.n_rows ? r.rows[r.pos] : nullptr});
    if (++r.pos < r.end) {
      std::push_heap(heap.begin(), heap.end(), older);
    } else {
      heap.pop_back();
    }
  }
  return std::optional<std::vector<Candidate>>(std::move(out));
}

Result<int64_t> TimelineCache::Prune(Transaction& tx, int64_t keep) {
  HERALD_ASSIGN_OR_RETURN(auto n,
                          tx.Execute("DELETE FROM feed_changes WHERE seq <= (SELECT MAX(seq) FROM "
                                     "feed_changes) - ?",
                                     {std::max<int64_t>(keep, 1)}));
  return n;
}

}  // namespace herald::feed::internal
