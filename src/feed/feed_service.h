// FeedService: what readers browse and find (issue 5, "Feeds" and "Search"; docs/feed.md):
//
//  - Timeline: the published articles of the accounts a reader follows (social_follows), newest
//    first by publication time. Pages are cut by an opaque cursor that encodes the
//    (published_at, id) of the last item; the next page holds exactly the items strictly older
//    in that order, so articles published meanwhile never make a page repeat or skip an item.
//    Each followed account contributes at most `limit + 1` candidates per page (a bounded
//    fan-out on read over the index feed_articles_account_pub).
//  - Latest: every published article platform-wide, same order and cursor.
//  - Search over published articles and active accounts, Chinese-aware and ranked. Queries and
//    indexed text are folded by one text::Normalizer (NFKC case folding, traditional →
//    simplified, whitespace runs → one space). Each whitespace-separated term must occur as a
//    substring. Terms of 3+ characters use the trigram index (SQLite FTS5 `trigram`; on
//    PostgreSQL a unigram/bigram GIN index plus pg_trgm when installed); terms of 1-2
//    characters (常见: 疫苗) use the unigram/bigram index, which trigram indexes cannot serve.
//
// Visibility is decided as of the page's own read transaction: only articles with status
// `published` whose account is `active` are shown (held, rejected, removed and deleted articles
// and the articles of restricted, suspended, closed... accounts are not). On SQLite the timeline
// keeps the newest published (published_at, id) of each account in memory (timeline_cache.h),
// kept exact by a change log that triggers write in the same transactions as the changes, so a
// page still reflects every change committed before it was read, by any process.
//
// The search index is this module's copy of the normalised text (tables feed_search_*). Triggers
// on `articles` and `accounts` (installed by this module's migration, firing on INSERT, DELETE
// and any UPDATE of the indexed text or the status) queue the changed row in feed_search_dirty,
// so no code path that writes those tables can forget to tell the index. SyncSearchIndex applies
// the queue (the server calls it every second); Search first applies up to one batch, so while
// the queue holds only recent changes a search sees every committed change. Whatever the queue,
// visibility is checked when a search runs: hidden content is never returned.
//
// Errors (stable reasons): InvalidArgument invalid_cursor (field cursor), invalid_limit (field
// limit), invalid_query (field q), invalid_offset (field offset), invalid_parameter (field
// type). Storage errors pass through. Thread-safe: the state is in the database (and the
// timeline cache, which has its own lock); the normalizer is immutable.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "feed/feed_item.h"
#include "feed/timeline_cache.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "text/normalizer.h"

namespace herald::feed {

struct FeedPage {
  std::vector<FeedItem> items;
  std::string next_cursor;  // empty when there is nothing older
};

struct PageRequest {
  std::string cursor;  // "" for the first page; otherwise a FeedPage::next_cursor
  int limit = 20;      // 1..100
};

enum class SearchType { kArticles, kAccounts };

struct SearchRequest {
  std::string q;  // 1..64 characters after normalisation, at most 8 terms
  SearchType type = SearchType::kArticles;
  int limit = 20;  // 1..50
  int offset = 0;  // 0..1000
};

// One hit. `title_html` and `snippet_html` are HTML-escaped excerpts of what readers see with
// each occurrence of a query term wrapped in <mark>...</mark>; safe to insert as HTML.
struct SearchHit {
  double score = 0;                                 // larger is better
  std::optional<FeedItem> article;                  // type articles
  int64_t account_id = 0;                           // type accounts (and articles)
  std::string account_name, account_bio, category;  // type accounts
  std::string title_html, snippet_html;
};

struct SearchResult {
  std::vector<SearchHit> hits;
  bool more = false;  // another page exists at offset + limit
};

// How many queued changes SyncSearchIndex applied.
struct SyncReport {
  int applied = 0;
  bool drained = false;  // the queue was empty afterwards
};

// Options of the Normalizer the search index and queries share (NFKC case folding and
// traditional → simplified; punctuation and whitespace are kept).
text::NormalizerOptions SearchNormalizerOptions();

struct FeedOptions {
  // Account grades (PA-7.2; the credit module's account_grades.grade) that the credit rules do
  // not recommend: the articles of such accounts are left out of the platform-wide Latest list.
  // Their followers still see them in timelines, and the account's own list shows them. Empty:
  // no grade filter (and no read of the grades table).
  std::vector<std::string> unrecommended_grades;
};

class FeedService {
 public:
  // `norm` must have been created with SearchNormalizerOptions() (indexed text and queries must
  // fold alike); it must outlive the service.
  FeedService(storage::Database& db, const text::Normalizer& norm, FeedOptions options = {});

  // The reader's subscription timeline. InvalidArgument invalid_cursor, invalid_limit.
  Result<FeedPage> Timeline(int64_t user_id, const PageRequest& page) const;
  // Every published article of an active account whose grade is recommended. Same errors.
  Result<FeedPage> Latest(const PageRequest& page) const;
  // One account's published articles (its public page), newest first by publication time; empty
  // while the account is not active. Same errors (the caller checks that the account exists).
  Result<FeedPage> AccountArticles(int64_t account_id, const PageRequest& page) const;

  // Ranked search (score, then newer first). InvalidArgument invalid_query (empty, longer than
  // 64 characters, more than 8 terms), invalid_limit, invalid_offset.
  Result<SearchResult> Search(const SearchRequest& req);

  // Applies up to `max_changes` queued changes to the search index in one write transaction
  // (none is taken when the queue is empty). Indexing an article of about 1,000 characters
  // costs a few hundred microseconds, so the default keeps the writer for tens of
  // milliseconds; call it again while `drained` is false to catch up.
  Result<SyncReport> SyncSearchIndex(int max_changes = 200);

  // Deletes all but the newest `keep` records of the timeline change log (the server calls it
  // with its scheduled jobs). Returns how many were deleted. A cache that had not seen a deleted
  // record drops all its entries the next time it is used, so pruning is always safe.
  Result<int64_t> PruneTimelineChanges(int64_t keep = 20000);

  static std::vector<storage::Migration> Migrations();

 private:
  Result<FeedPage> Page(const std::string& sql_kind, int64_t user_id,
                        const PageRequest& page) const;
  std::string Fold(std::string_view s) const;

  storage::Database& db_;
  const text::Normalizer& norm_;
  FeedOptions options_;
  std::unique_ptr<internal::TimelineCache> timeline_cache_;  // SQLite only
};

}  // namespace herald::feed
