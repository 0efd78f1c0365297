// Feeds arbitrary bytes through the server's request path: the Beast parser with the server's
// limits, the conversion to http::Request (percent-decoding, query parsing, header names), the
// router and the error mapping. Any crash, sanitizer report or broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/strings.h"
#include "http/http.h"
#include "http/parse.h"

namespace {

using herald::http::Method;

const herald::http::Router& TestRouter() {
  static const herald::http::Router* router = [] {
    auto* r = new herald::http::Router;
    auto add = [r](Method m, const char* pattern) {
      herald::http::Route route;
      route.method = m;
      route.pattern = pattern;
      route.handler = [](herald::http::Request&) {
        return herald::http::Response::Json(200, "{}");
      };
      r->Add(std::move(route));
    };
    add(Method::kGet, "/");
    add(Method::kGet, "/healthz");
    add(Method::kGet, "/api/v1/users/{id}");
    add(Method::kGet, "/api/v1/users/me");
    add(Method::kPatch, "/api/v1/users/{id}");
    add(Method::kPost, "/api/v1/users/{id}/roles/{role}");
    add(Method::kDelete, "/api/v1/users/{id}/roles/{role}");
    add(Method::kGet, "/a/{x}/c");
    add(Method::kGet, "/a/b/{y}");
    return r;
  }();
  return *router;
}

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  herald::http::ParseLimits limits;
  limits.header_limit = 16 * 1024;
  limits.body_limit = 64 * 1024;
  std::string_view raw(reinterpret_cast<const char*>(data), size);

  auto request = herald::http::ParseRequest(raw, limits);
  if (!request.ok()) {
    herald::http::Response r = herald::http::ErrorResponse(request.status());
    Check(r.status >= 400 && r.status < 500);
    Check(herald::IsValidUtf8(r.body));
    return 0;
  }
  // Invariants the rest of Herald relies on.
  Check(request->body.size() <= limits.body_limit);
  Check(herald::IsValidUtf8(request->path));
  Check(request->path.find('\0') == std::string::npos);
  for (const auto& [key, value] : request->query) {
    Check(herald::IsValidUtf8(key) && herald::IsValidUtf8(value));
    Check(key.find('\0') == std::string::npos && value.find('\0') == std::string::npos);
  }
  for (const auto& [name, value] : request->headers) {
    for (char c : name) Check(!(c >= 'A' && c <= 'Z'));
  }

  auto match = TestRouter().Find(request->method, request->path);
  if (match.route != nullptr) {
    Check(!match.method_not_allowed);
    for (const auto& [name, value] : match.params) Check(!value.empty());
  } else if (match.method_not_allowed) {
    Check(!match.allow.empty());
  }
  return 0;
}
