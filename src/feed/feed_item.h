// FeedItem: one published article as lists (timeline, latest, an account's page, search) show
// it, without its body. A plain value; see feed_service.h.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"

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

}  // namespace herald::feed
