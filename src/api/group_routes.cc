// Routes of chat groups (first part): create, read, join, admins, members, messages.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "groups/group_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::object GroupJson(const groups::Group& g) {
  return json::object{{"id", g.id},
                      {"name", g.name},
                      {"description", g.description},
                      {"creator_user_id", g.creator_user_id},
                      {"status", g.status},
                      {"member_count", g.member_count},
                      {"created_at", Time(g.created_at)}};
}

json::object MessageJson(const groups::Message& m) {
  return json::object{{"id", m.id},           {"group_id", m.group_id},
                      {"user_id", m.user_id}, {"text", m.text},
                      {"status", m.status},   {"created_at", Time(m.created_at)}};
}

}  // namespace

void AddGroupRoutes(http::Router& router, ApiServices& s) {
  router.Add(Secured(
      Method::kPost, "/api/v1/groups", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"name", "description"}));
        HERALD_ASSIGN_OR_RETURN(auto name, body.RequiredString("name", 30));
        HERALD_ASSIGN_OR_RETURN(auto description, body.OptionalString("description", 500));
        HERALD_ASSIGN_OR_RETURN(
            auto g, s.groups->Create(who.user_id, name, description.value_or(""), Meta(req)));
        return JsonResponse(201, json::object{{"group", GroupJson(g)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/groups/{id}", auth::perm::kSelfRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto g, s.groups->Get(id));
        HERALD_ASSIGN_OR_RETURN(auto members, s.groups->Members(id));
        json::array out;
        for (const auto& m : members) {
          out.push_back(json::object{
              {"user_id", m.user_id}, {"role", m.role}, {"joined_at", Time(m.joined_at)}});
        }
        json::object body{{"group", GroupJson(g)}};
        body["members"] = std::move(out);
        return JsonResponse(200, body);
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/groups/{id}/join", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_RETURN_IF_ERROR(s.groups->Join(who.user_id, id, Meta(req)));
        HERALD_ASSIGN_OR_RETURN(auto g, s.groups->Get(id));
        return JsonResponse(200, json::object{{"group", GroupJson(g)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/groups/{id}/admins", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"user_id"}));
        HERALD_ASSIGN_OR_RETURN(int64_t user, body.RequiredInt("user_id", 1, INT64_MAX));
        HERALD_RETURN_IF_ERROR(s.groups->AddAdmin(who.user_id, id, user, Meta(req)));
        return Response::Json(204, "");
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/groups/{id}/members/{user_id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(int64_t user, PathId(req, "user_id"));
        HERALD_RETURN_IF_ERROR(s.groups->RemoveMember(who.user_id, id, user, Meta(req)));
        return Response::Json(204, "");
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/groups/{id}/messages", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"text"}));
        HERALD_ASSIGN_OR_RETURN(auto text, body.RequiredString("text", 2000));
        HERALD_ASSIGN_OR_RETURN(auto m, s.groups->Post(who.user_id, id, text, Meta(req)));
        return JsonResponse(201, json::object{{"message", MessageJson(m)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/groups/{id}/messages", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 200));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(
            auto list,
            s.groups->Messages(who.user_id, id, static_cast<int>(limit.value_or(50)), before));
        json::array out;
        for (const auto& m : list) out.push_back(MessageJson(m));
        return JsonResponse(200, json::object{{"messages", std::move(out)}});
      },
      s));
}

}  // namespace herald::api::internal
