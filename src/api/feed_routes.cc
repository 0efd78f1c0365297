// Routes of what readers browse and find (issue 5, "Feeds" and "Search"; docs/feed.md): the
// subscription timeline, the platform-wide latest articles, an account's articles and search. The
// timeline is always the session's own: no parameter names a user.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "feed/feed_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::object ItemJson(const feed::FeedItem& it, json::storage_ptr sp = {}) {
  return json::object({{"id", it.article_id},
                       {"uid", it.uid},
                       {"account_id", it.account_id},
                       {"account_name", it.account_name},
                       {"title", it.title},
                       {"summary", it.summary},
                       {"category", it.category},
                       {"original", it.original},
                       {"advertising", it.advertising},
                       {"published_at", Time(it.published_at)},
                       {"cover_url", it.cover_media_id.empty()
                                         ? json::value(nullptr)
                                         : json::value("/api/v1/media/" + it.cover_media_id)}},
                      std::move(sp));
}

// cursor and limit of a feed page; range errors come from the service (invalid_limit).
Result<feed::PageRequest> PageOf(const Request& req) {
  HERALD_RETURN_IF_ERROR(CheckQuery(req, {"cursor", "limit"}));
  feed::PageRequest p;
  HERALD_ASSIGN_OR_RETURN(p.cursor, QueryString(req, "cursor", 128));
  HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", -1000000, 1000000));
  p.limit = static_cast<int>(limit.value_or(20));
  return p;
}

Response PageResponse(const feed::FeedPage& page) {
  // Built in one arena: a page of 20 items is otherwise some 250 small allocations, a tenth of
  // a timeline request's CPU (docs/benchmarks.md).
  alignas(16) unsigned char buffer[32 * 1024];
  json::monotonic_resource arena(buffer, sizeof(buffer));
  json::storage_ptr sp(&arena);
  json::array items(sp);
  items.reserve(page.items.size());
  for (const auto& it : page.items) items.push_back(ItemJson(it, sp));
  json::object out(sp);
  out.reserve(2);
  out.emplace("items", std::move(items));
  out.emplace("next_cursor",
              page.next_cursor.empty() ? json::value(nullptr) : json::value(page.next_cursor));
  return JsonResponse(200, out);
}

}  // namespace

void AddFeedRoutes(http::Router& router, ApiServices& s) {
  router.Add(QuickRead(Secured(
                           Method::kGet, "/api/v1/me/timeline", auth::perm::kSelfRead,
                           [&s](Request& req, const Principal& who) -> Result<Response> {
                             HERALD_ASSIGN_OR_RETURN(auto page, PageOf(req));
                             HERALD_ASSIGN_OR_RETURN(auto out, s.feed->Timeline(who.user_id, page));
                             return PageResponse(out);
                           },
                           s),
                       s));
  router.Add(Public(Method::kGet, "/api/v1/feed/latest", [&s](Request& req) -> Result<Response> {
    HERALD_ASSIGN_OR_RETURN(auto page, PageOf(req));
    HERALD_ASSIGN_OR_RETURN(auto out, s.feed->Latest(page));
    return PageResponse(out);
  }));
  // An account's public page of articles: 404 for an unknown account, empty while it is not
  // active.
  router.Add(Public(Method::kGet, "/api/v1/accounts/{id}/articles",
                    [&s](Request& req) -> Result<Response> {
                      HERALD_ASSIGN_OR_RETURN(auto page, PageOf(req));
                      HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
                      HERALD_RETURN_IF_ERROR(s.accounts->Get(id).status());
                      HERALD_ASSIGN_OR_RETURN(auto out, s.feed->AccountArticles(id, page));
                      return PageResponse(out);
                    }));
  router.Add(Public(Method::kGet, "/api/v1/search", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {"q", "type", "limit", "offset"}));
    feed::SearchRequest q;
    HERALD_ASSIGN_OR_RETURN(q.q, QueryString(req, "q", 1024));
    if (q.q.size() > 256) {
      return InvalidArgument("q must be at most 64 characters", "invalid_query", "q");
    }
    HERALD_ASSIGN_OR_RETURN(std::string type, QueryString(req, "type", 32));
    if (type == "accounts") {
      q.type = feed::SearchType::kAccounts;
    } else if (type != "" && type != "articles") {
      return InvalidArgument("type must be articles or accounts", "invalid_parameter", "type");
    }
    HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", -1000000, 1000000));
    HERALD_ASSIGN_OR_RETURN(auto offset, QueryInt(req, "offset", -1000000, 1000000));
    q.limit = static_cast<int>(limit.value_or(20));
    q.offset = static_cast<int>(offset.value_or(0));
    HERALD_ASSIGN_OR_RETURN(auto result, s.feed->Search(q));
    json::array hits;
    for (const auto& h : result.hits) {
      json::object o{
          {"score", h.score}, {"title_html", h.title_html}, {"snippet_html", h.snippet_html}};
      if (h.article) {
        o["article"] = ItemJson(*h.article);
      } else {
        o["account"] = json::object{{"id", h.account_id},
                                    {"name", h.account_name},
                                    {"bio", h.account_bio},
                                    {"category", h.category}};
      }
      hits.push_back(std::move(o));
    }
    return JsonResponse(
        200, json::object{{"type", q.type == feed::SearchType::kAccounts ? "accounts" : "articles"},
                          {"hits", std::move(hits)},
                          {"more", result.more}});
  }));
}

}  // namespace herald::api::internal
