// FeedItem: one published article as lists (timeline, latest, an account's page, search) show
// it, without its body. A plain value; see feed_service.h. Also the one mapping from a database
// row to it (internal to the feed module: the service's queries and the timeline cache).
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "storage/database.h"

namespace herald::feed {

struct FeedItem {
  int64_t article_id = 0;
  std::string uid;
  int64_t account_id = 0;
  std::string account_name;
  std::string title, summary, category;
  bool original = false;
  bool advertising = false;
  Micros published_at = 0;
  std::string cover_media_id;  // "" without a cover
};

namespace internal {

// The select list of a FeedItem over `articles a JOIN accounts c ON c.id = a.account_id`.
inline constexpr const char* kItemColumns =
    "a.id, a.uid, a.account_id, c.name, a.title, a.summary, a.category, a.original, "
    "a.advertising, a.published_at, a.cover_media_id";

// The item of a row whose first columns are kItemColumns (feed_service.cc).
FeedItem ItemFromRow(const storage::Row& r);

}  // namespace internal

}  // namespace herald::feed
