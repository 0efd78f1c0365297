#include "api/api.h"

#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "auth/roles.h"
#include "core/strings.h"

namespace herald::api {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;
using namespace internal;

namespace {
void AddSystemRoutes(http::Router& router, ApiServices& s) {
  router.Add(Public(Method::kGet, "/healthz", [&s](Request&) -> Result<Response> {
    HERALD_ASSIGN_OR_RETURN(auto tx, s.db->Begin(storage::TxMode::kRead));
    HERALD_RETURN_IF_ERROR(tx->Query("SELECT 1").status());
    return JsonResponse(200, json::object{{"status", "ok"},
                                          {"database", storage::BackendName(s.db->backend())},
                                          {"version", s.version}});
  }));
  router.Add(Public(
      Method::kGet, "/metrics",
      [&s](Request&) -> Result<Response> {
        return Response::Text(200, s.metrics->Render(), "text/plain; version=0.0.4");
      },
      /*blocking=*/false));
  router.Add(Public(
      Method::kGet, "/api/v1/roles",
      [](Request&) -> Result<Response> {
        json::array roles;
        for (auto r : auth::AllRoles()) {
          json::array perms;
          for (auto p : auth::PermissionsOf(r)) perms.emplace_back(p);
          roles.push_back(json::object{{"role", auth::RoleName(r)}, {"permissions", perms}});
        }
        return JsonResponse(200, json::object{{"roles", std::move(roles)}});
      },
      /*blocking=*/false));
}

void AddAuthRoutes(http::Router& router, ApiServices& s) {
  router.Add(
      Heavy(Public(Method::kPost, "/api/v1/auth/register", [&s](Request& req) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body,
                                JsonBody::Parse(req, {"phone", "password", "display_name"}));
        HERALD_ASSIGN_OR_RETURN(auto phone, body.RequiredString("phone", 32));
        HERALD_ASSIGN_OR_RETURN(auto password, body.RequiredString("password", 128));
        HERALD_ASSIGN_OR_RETURN(auto name, body.OptionalString("display_name", 30));
        HERALD_ASSIGN_OR_RETURN(auto user,
                                s.auth->Register(phone, password, name.value_or(""), Meta(req)));
        Response res = JsonResponse(201, json::object{{"user", UserJson(user)}});
        res.user_id = user.id;
        return res;
      })));
  router.Add(
      Heavy(Public(Method::kPost, "/api/v1/auth/login", [&s](Request& req) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"phone", "password"}));
        HERALD_ASSIGN_OR_RETURN(auto phone, body.RequiredString("phone", 32));
        HERALD_ASSIGN_OR_RETURN(auto password, body.RequiredString("password", 128));
        HERALD_ASSIGN_OR_RETURN(auto login, s.auth->Login(phone, password, Meta(req)));
        Response res = JsonResponse(200, json::object{{"token", login.token},
                                                      {"token_type", "Bearer"},
                                                      {"session_id", login.session_id},
                                                      {"expires_at", Time(login.expires_at)},
                                                      {"user", UserJson(login.user)}});
        res.user_id = login.user.id;
        return res;
      })));
  router.Add(Secured(
      Method::kPost, "/api/v1/auth/logout", auth::perm::kSelfWrite,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_RETURN_IF_ERROR(s.auth->Logout(who, Meta(req)));
        return Response::Json(204, "");
      },
      s));
  router.Add(Heavy(Secured(
      Method::kPost, "/api/v1/auth/password", auth::perm::kSelfWrite,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"old_password", "new_password"}));
        HERALD_ASSIGN_OR_RETURN(auto old_pw, body.RequiredString("old_password", 128));
        HERALD_ASSIGN_OR_RETURN(auto new_pw, body.RequiredString("new_password", 128));
        HERALD_RETURN_IF_ERROR(s.auth->ChangePassword(who, old_pw, new_pw, Meta(req)));
        return Response::Json(204, "");
      },
      s)));
  router.Add(Secured(
      Method::kGet, "/api/v1/me", auth::perm::kSelfRead,
      [](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        const auth::User& user = who.user;  // loaded with the session
        json::array perms;
        for (auto p : auth::AllPermissions()) {
          if (who.Has(p)) perms.emplace_back(p);
        }
        json::object out = UserJson(user);
        out["permissions"] = std::move(perms);
        out["session"] = json::object{{"id", who.session_id}, {"expires_at", Time(who.expires_at)}};
        return JsonResponse(200, out);
      },
      s));
}

void AddUserRoutes(http::Router& router, ApiServices& s) {
  router.Add(Secured(
      Method::kGet, "/api/v1/users", auth::perm::kUsersRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"cursor", "limit"}));
        HERALD_ASSIGN_OR_RETURN(auto cursor, QueryInt(req, "cursor", 0, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 200));
        HERALD_ASSIGN_OR_RETURN(auto page,
                                s.auth->ListUsers(cursor, static_cast<int>(limit.value_or(50))));
        json::array users;
        for (auto& u : page.users) users.push_back(UserJson(u));
        return JsonResponse(
            200, json::object{{"users", std::move(users)},
                              {"next_cursor", page.next_cursor
                                                  ? json::value(std::to_string(*page.next_cursor))
                                                  : json::value(nullptr)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/users/{id}", auth::perm::kUsersRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto user, s.auth->GetUser(id));
        return JsonResponse(200, json::object{{"user", UserJson(user)}});
      },
      s));
  router.Add(Secured(
      Method::kPut, "/api/v1/users/{id}/roles/{role}", auth::perm::kRolesManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auth::Role role, PathRole(req));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_ASSIGN_OR_RETURN(auto user, s.auth->GrantRole(who, id, role, Meta(req)));
        return JsonResponse(200, json::object{{"user", UserJson(user)}});
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/users/{id}/roles/{role}", auth::perm::kRolesManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auth::Role role, PathRole(req));
        HERALD_ASSIGN_OR_RETURN(auto user, s.auth->RevokeRole(who, id, role, Meta(req)));
        return JsonResponse(200, json::object{{"user", UserJson(user)}});
      },
      s));
}

void AddAuditRoutes(http::Router& router, ApiServices& s) {
  router.Add(Secured(
      Method::kGet, "/api/v1/audit", auth::perm::kAuditRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(
            req, {"actor", "action", "subject", "since", "until", "cursor", "limit", "order"}));
        audit::Filter f;
        HERALD_ASSIGN_OR_RETURN(f.actor, QueryString(req, "actor", 200));
        HERALD_ASSIGN_OR_RETURN(f.action, QueryString(req, "action", 200));
        HERALD_ASSIGN_OR_RETURN(f.subject, QueryString(req, "subject", 200));
        HERALD_ASSIGN_OR_RETURN(f.since, QueryTime(req, "since"));
        HERALD_ASSIGN_OR_RETURN(f.until, QueryTime(req, "until"));
        HERALD_ASSIGN_OR_RETURN(f.cursor, QueryInt(req, "cursor", 0, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 500));
        f.limit = static_cast<int>(limit.value_or(50));
        HERALD_ASSIGN_OR_RETURN(std::string order, QueryString(req, "order", 10));
        if (!order.empty() && order != "asc" && order != "desc") {
          return InvalidArgument("order must be asc or desc", "invalid_parameter", "order");
        }
        f.newest_first = order != "asc";
        HERALD_ASSIGN_OR_RETURN(auto page, s.audit->Query(*s.db, f));
        json::array entries;
        for (auto& e : page.entries) entries.push_back(AuditJson(e));
        return JsonResponse(
            200, json::object{{"entries", std::move(entries)},
                              {"next_cursor", page.next_cursor
                                                  ? json::value(std::to_string(*page.next_cursor))
                                                  : json::value(nullptr)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/audit/verify", auth::perm::kAuditRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto r, s.audit->Verify(*s.db));
        return JsonResponse(
            200, json::object{
                     {"ok", r.ok},
                     {"entries_checked", r.entries_checked},
                     {"first_bad_seq", r.ok ? json::value(nullptr) : json::value(r.first_bad_seq)},
                     {"problem", r.ok ? json::value(nullptr) : json::value(r.problem)},
                     {"detail", r.detail},
                     {"head_seq", r.head_seq},
                     {"head_hash", r.head_hash}});
      },
      s));
}

}  // namespace

http::Router BuildRouter(ApiServices& services) {
  http::Router router;
  AddSystemRoutes(router, services);
  AddAuthRoutes(router, services);
  AddUserRoutes(router, services);
  AddAuditRoutes(router, services);
  AddIdentityRoutes(router, services);
  AddAccountRoutes(router, services);
  AddModerationRoutes(router, services);
  AddContentRoutes(router, services);
  AddGroupRoutes(router, services);
  AddSocialRoutes(router, services);
  AddCommentRoutes(router, services);
  AddFeedRoutes(router, services);
  AddCreditRoutes(router, services);
  AddRumourRoutes(router, services);
  AddNotificationRoutes(router, services);
  AddComplaintRoutes(router, services);
  AddAppealRoutes(router, services);
  return router;
}

}  // namespace herald::api
