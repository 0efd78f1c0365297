// Routes of the signed-in user's inbox (issue 6; notifications/notification_service.h):
// notifications other modules send (report received and decided, a report against you upheld,
// rumour debunks, appeal outcomes). Every route acts on the session's own user only.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "notifications/notification_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::object NotificationJson(const notifications::Notification& n) {
  return json::object{{"id", n.id},
                      {"kind", n.kind},
                      {"title", n.title},
                      {"body", n.body},
                      {"link", n.link.empty() ? json::value(nullptr) : json::value(n.link)},
                      {"ref", n.ref.empty() ? json::value(nullptr) : json::value(n.ref)},
                      {"created_at", Time(n.created_at)},
                      {"read_at", OptTimeJson(n.read_at)},
                      {"read", n.read_at.has_value()}};
}

Result<bool> QueryBool(const Request& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return false;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return InvalidArgument(key + " must be true or false", "invalid_parameter", key);
}

}  // namespace

void AddNotificationRoutes(http::Router& router, ApiServices& s) {
  router.Add(Secured(
      Method::kGet, "/api/v1/me/notifications", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"unread", "before", "limit"}));
        HERALD_ASSIGN_OR_RETURN(bool unread, QueryBool(req, "unread"));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        const int n = static_cast<int>(limit.value_or(20));
        HERALD_ASSIGN_OR_RETURN(auto list, s.notifications->List(who.user_id, unread, before, n));
        HERALD_ASSIGN_OR_RETURN(int64_t count, s.notifications->UnreadCount(who.user_id));
        json::array items;
        for (const auto& x : list) items.push_back(NotificationJson(x));
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == n) next = list.back().id;
        return JsonResponse(200, json::object{{"items", std::move(items)},
                                              {"unread_count", count},
                                              {"next_before", std::move(next)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/me/notifications/{id}/read", auth::perm::kSelfWrite,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_RETURN_IF_ERROR(s.notifications->MarkRead(who.user_id, id));
        HERALD_ASSIGN_OR_RETURN(int64_t count, s.notifications->UnreadCount(who.user_id));
        return JsonResponse(200, json::object{{"id", id}, {"unread_count", count}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/me/notifications/read-all", auth::perm::kSelfWrite,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_RETURN_IF_ERROR(s.notifications->MarkAllRead(who.user_id));
        return JsonResponse(200, json::object{{"unread_count", 0}});
      },
      s));
}

}  // namespace herald::api::internal
