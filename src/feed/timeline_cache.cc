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
    return true;
  }
  // Reads from the last applied record itself: seeing it proves the snapshot is not older.
  const int64_t first = std::max<int64_t>(last_seen_, 1);
  HERALD_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT seq, account_id FROM feed_changes WHERE seq >= ? "
                                   "ORDER BY seq LIMIT ?",
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
    ++stats_.flushes;
  } else {
    for (const auto& r : rows.rows) {
      if (r.Int(0) <= last_seen_) continue;
      stats_.invalidations += static_cast<int64_t>(entries_.erase(r.Int(1)));
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
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT published_at, id FROM articles WHERE account_id = ? AND status = "
                          "'published' ORDER BY published_at DESC, id DESC LIMIT ?",
                          {account_id, int64_t{kPerAccount}}));
  e.items.reserve(rows.rows.size());
  for (const auto& r : rows.rows) e.items.emplace_back(r.Int(0), r.Int(1));
  e.complete = static_cast<int>(e.items.size()) < kPerAccount;
  return e;
}

Result<std::optional<std::vector<Key>>> TimelineCache::Candidates(Transaction& tx, int64_t user_id,
                                                                  Key bound, int take) {
  std::lock_guard<std::mutex> lock(mu_);
  HERALD_ASSIGN_OR_RETURN(bool fresh, SyncLocked(tx));
  if (!fresh) return std::optional<std::vector<Key>>();
  HERALD_ASSIGN_OR_RETURN(
      auto follows, tx.Query("SELECT account_id FROM social_follows WHERE user_id = ?", {user_id}));
  std::vector<Key> out;
  for (const auto& f : follows.rows) {
    const int64_t account = f.Int(0);
    auto it = entries_.find(account);
    if (it == entries_.end()) {
      HERALD_ASSIGN_OR_RETURN(Entry e, Load(tx, account));
      if (entries_.size() >= max_accounts_) {
        entries_.clear();
        ++stats_.flushes;
      }
      it = entries_.emplace(account, std::move(e)).first;
      ++stats_.loads;
    } else {
      ++stats_.hits;
    }
    const Entry& e = it->second;
    if (!e.active) continue;
    // The first cached item strictly older than the bound.
    auto pos = std::upper_bound(e.items.begin(), e.items.end(), bound, Newer);
    const auto available = static_cast<int>(e.items.end() - pos);
    if (available >= take || e.complete) {
      out.insert(out.end(), pos, pos + std::min(available, take));
      continue;
    }
    // Deeper than the cache reaches (a later page): this account's items from the index.
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT published_at, id FROM articles WHERE account_id = ? AND status = "
                 "'published' AND (published_at, id) < (?, ?) "
                 "ORDER BY published_at DESC, id DESC LIMIT ?",
                 {account, bound.first, bound.second, int64_t{take}}));
    for (const auto& r : rows.rows) out.emplace_back(r.Int(0), r.Int(1));
  }
  const size_t n = std::min(out.size(), static_cast<size_t>(take));
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), Newer);
  out.resize(n);
  return std::optional<std::vector<Key>>(std::move(out));
}

Result<int64_t> TimelineCache::Prune(Transaction& tx, int64_t keep) {
  HERALD_ASSIGN_OR_RETURN(auto n,
                          tx.Execute("DELETE FROM feed_changes WHERE seq <= (SELECT MAX(seq) FROM "
                                     "feed_changes) - ?",
                                     {std::max<int64_t>(keep, 1)}));
  return n;
}

}  // namespace herald::feed::internal
