#include "api/api.h"

#include <boost/json.hpp>

#include "api/json_body.h"
#include "auth/roles.h"
#include "core/strings.h"

namespace herald::api {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

using PublicFn = std::function<Result<Response>(Request&)>;
using AuthedFn = std::function<Result<Response>(Request&, const Principal&)>;

auth::RequestMeta Meta(const Request& req) { return {req.request_id, req.client_address}; }

Result<std::string_view> BearerToken(const Request& req) {
  std::string_view h = req.Header("authorization");
  if (h.empty()) return Unauthenticated("sign in first: send Authorization: Bearer <token>");
  if (h.size() < 7 || ToLower(h.substr(0, 7)) != "bearer ") {
    return Unauthenticated("the Authorization header must use the Bearer scheme", "invalid_token");
  }
  std::string_view token = h.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

http::Route Public(Method m, std::string pattern, PublicFn fn, bool blocking = true) {
  http::Route r;
  r.method = m;
  r.pattern = std::move(pattern);
  r.blocking = blocking;
  r.handler = [fn = std::move(fn)](Request& req) -> Response {
    auto res = fn(req);
    return res.ok() ? std::move(*res) : http::ErrorResponse(res.status());
  };
  return r;
}

http::Route Secured(Method m, std::string pattern, std::string_view permission, AuthedFn fn,
                    ApiServices& s) {
  http::Route r;
  r.method = m;
  r.pattern = std::move(pattern);
  r.permission = std::string(permission);
  r.handler = [fn = std::move(fn), perm = r.permission, &s](Request& req) -> Response {
    auto token = BearerToken(req);
    if (!token.ok()) return http::ErrorResponse(token.status());
    auto who = s.auth->Authenticate(*token);
    if (!who.ok()) return http::ErrorResponse(who.status());
    if (!who->Has(perm)) {
      Response denied = http::ErrorResponse(
          PermissionDenied("this action needs the permission " + perm, "permission_denied"));
      denied.user_id = who->user_id;
      return denied;
    }
    auto res = fn(req, *who);
    Response out = res.ok() ? std::move(*res) : http::ErrorResponse(res.status());
    out.user_id = who->user_id;
    return out;
  };
  return r;
}

// Marks a route whose handler hashes or verifies a password (Argon2id, ~100 ms of CPU).
http::Route Heavy(http::Route r) {
  r.heavy = true;
  return r;
}

json::value Time(Micros t) { return json::value(FormatRfc3339(t)); }

json::object UserJson(const auth::User& u) {
  json::array roles;
  for (auto r : u.roles) roles.emplace_back(auth::RoleName(r));
  return json::object{
      {"id", u.id},
      {"display_name", u.display_name},
      {"phone", u.phone_masked},
      {"status", u.status},
      {"roles", std::move(roles)},
      {"created_at", Time(u.created_at)},
      {"last_login_at", u.last_login_at ? Time(*u.last_login_at) : json::value(nullptr)},
  };
}

json::object AuditJson(const audit::Entry& e) {
  boost::system::error_code ec;
  json::value details = json::parse(e.details, ec);
  if (ec) details = json::value(e.details);
  return json::object{
      {"seq", e.seq},
      {"time", Time(e.time)},
      {"actor", e.actor},
      {"action", e.action},
      {"subject", e.subject},
      {"details", std::move(details)},
      {"request_id", e.request_id},
      {"prev_hash", e.prev_hash},
      {"hash", e.hash},
  };
}

Result<auth::Role> PathRole(const Request& req) {
  auto it = req.path_params.find("role");
  if (it != req.path_params.end()) {
    if (auto r = auth::ParseRole(it->second)) return *r;
  }
  return InvalidArgument("unknown role", "invalid_role", "role");
}

Result<std::optional<Micros>> QueryTime(const Request& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return std::optional<Micros>();
  Micros t = 0;
  if (!ParseRfc3339(it->second, &t)) {
    return InvalidArgument(key + " must be an RFC 3339 time such as 2026-01-01T00:00:00Z",
                           "invalid_parameter", key);
  }
  return std::optional<Micros>(t);
}

Result<std::string> QueryString(const Request& req, const std::string& key, size_t max_bytes) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return std::string();
  if (it->second.size() > max_bytes) {
    return InvalidArgument(key + " is too long", "invalid_parameter", key);
  }
  return it->second;
}

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
      [&s](Request& req, const Principal& who) -> Result<Response> {
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
  return router;
}

}  // namespace herald::api
