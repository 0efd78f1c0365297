// Herald's HTTP vocabulary: requests, responses, routes. No Boost types appear here, so the api
// module (and its tests) can build handlers without knowing Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace herald::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
std::string_view MethodName(Method m);  // "GET", ...; "OTHER" for kOther

struct Request {
  Method method = Method::kGet;
  std::string target;                              // raw request target, e.g. "/a?b=c"
  std::string path;                                // percent-decoded path, no query
  std::map<std::string, std::string> query;        // decoded query parameters (last wins)
  std::map<std::string, std::string> path_params;  // from the matched route's {name} segments
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client_address;
  std::string request_id;  // generated per request, echoed as X-Request-Id
  std::string route;       // the matched route pattern, e.g. "/api/v1/users/{id}"

  // First header with this (case-insensitive) name, or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // Filled by handlers for the access log: the authenticated user, 0 when none.
  int64_t user_id = 0;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
};

// The one mapping from Status to the wire: HTTP status by code, body
// {"error":{"code":<status.reason()>,"message":...,"field":...|null}}.
// HttpStatusFor: InvalidArgument 400, NotFound 404, AlreadyExists 409, PermissionDenied 403,
// Unauthenticated 401, FailedPrecondition 409, ResourceExhausted 429, Aborted 409,
// Unavailable 503, Internal 500 (Ok 200). ErrorResponse refines three reasons: ResourceExhausted
// "body_too_large" 413 and "headers_too_large" 431, InvalidArgument "method_not_allowed" 405;
// it adds "WWW-Authenticate: Bearer" to every 401. An OK status yields a 500.
int HttpStatusFor(StatusCode code);
Response ErrorResponse(const Status& status);

using Handler = std::function<Response(Request&)>;

struct Route {
  Method method = Method::kGet;
  std::string pattern;     // "/api/v1/users/{id}/roles/{role}"; segments in braces bind params
  std::string permission;  // permission the route requires; "" = public. Enforced by the api
                           // layer's wrapper; the router only records it (for docs and tests).
  Handler handler;
  // false: cheap, never touches the database or blocks; run inline on the network thread.
  // true (default): run on the worker pool so the network threads never stall.
  bool blocking = true;
  // Slow CPU-bound work (Argon2id password hashing, ~100 ms): runs on a pool of its own so quick
  // database requests never queue behind it. Implies blocking.
  bool heavy = false;
  // Largest request body this route accepts, in bytes; 0: the server's body_limit_bytes. Only a
  // larger value has an effect (uploads): the server picks the limit once the request's headers
  // are read, so other routes keep the server's limit.
  uint64_t body_limit = 0;
};

// Matches method + path to a route. Literal segments beat {param} segments: among the routes
// whose path matches, the one with a literal at the leftmost segment where they differ wins.
// A {param} matches one non-empty segment of the decoded path. HEAD matches a GET route when no
// HEAD route exists. Not thread-safe while routes are added; Find is safe from any thread after.
class Router {
 public:
  void Add(Route route);
  struct Match {
    const Route* route = nullptr;  // nullptr: no route
    std::map<std::string, std::string> params;
    bool method_not_allowed = false;  // path exists, but not for this method
    std::string allow;                // with method_not_allowed: the Allow header, "GET, HEAD"
  };
  Match Find(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }
  // The route for a GET or HEAD whose path matches no route at all (a path known for other
  // methods still answers 405). Its pattern is what the access log records; e.g. the web front
  // end's static files. Without one, such requests get 404 "route_not_found".
  void SetFallback(Route route);

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool param = false;
  };
  // Indexes of routes_ that may match a path of `count` segments whose third segment (the
  // resource under /api/v1/) is `third`, in the order the routes were added.
  const std::vector<size_t>& Candidates(size_t count, std::string_view third) const;

  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> segments_;  // parallel to routes_
  // by_third_[count][third]: the routes of `count` segments whose third is that literal, and those
  // whose third is a {param}; any_third_[count]: the latter alone (also every route of fewer than
  // three segments). Both ascending.
  std::vector<std::map<std::string, std::vector<size_t>, std::less<>>> by_third_;
  std::vector<std::vector<size_t>> any_third_;
  std::optional<Route> fallback_;
};

}  // namespace herald::http
