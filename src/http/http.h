// Herald's HTTP vocabulary: requests, responses, routes. No Boost types appear here, so the api
// module (and its tests) can build handlers without knowing Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace herald::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
std::string_view MethodName(Method m);  // "GET", ...

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
};

// Matches method + path to a route. Literal segments beat {param} segments.
class Router {
 public:
  void Add(Route route);
  struct Match {
    const Route* route = nullptr;  // nullptr: no route
    std::map<std::string, std::string> params;
    bool method_not_allowed = false;  // path exists, but not for this method
  };
  Match Find(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace herald::http
