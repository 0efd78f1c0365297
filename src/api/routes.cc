#include "api/routes.h"

#include "core/strings.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

using PublicFn = std::function<Result<Response>(Request&)>;
using AuthedFn = std::function<Result<Response>(Request&, const Principal&)>;

auth::RequestMeta Meta(const Request& req) {
  std::string device(req.Header("x-device-id").substr(0, 64));
  return {req.request_id, req.client_address, device};
}

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

http::Route Public(Method m, std::string pattern, PublicFn fn, bool blocking) {
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

Status RequireEither(const auth::Principal& who, std::string_view a, std::string_view b) {
  if (who.Has(a) || who.Has(b)) return Status();
  return PermissionDenied(
      "this action needs the permission " + std::string(a) + " or " + std::string(b),
      "permission_denied");
}

// Marks a route whose handler hashes or verifies a password (Argon2id, ~100 ms of CPU).
http::Route Heavy(http::Route r) {
  r.heavy = true;
  return r;
}

http::Route QuickRead(http::Route r, const ApiServices& s) {
  r.blocking = s.db == nullptr || s.db->backend() != storage::Backend::kSqlite;
  return r;
}

json::value Time(Micros t) { return json::value(FormatRfc3339(t)); }

json::value OptTimeJson(const std::optional<Micros>& t) {
  return t ? Time(*t) : json::value(nullptr);
}

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

}  // namespace herald::api::internal
