#include "http/http.h"

#include "core/strings.h"

namespace herald::http {

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Splits "/a/b" into {"a", "b"}; "/" into {""}. `path` starts with '/' (or is empty).
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const Status& status) {
  const std::string reason = status.reason();
  int http_status = HttpStatusFor(status.code());
  // Reasons that have statuses of their own: two limits that are not rate limits, and 405.
  if (status.code() == StatusCode::kResourceExhausted) {
    if (reason == "body_too_large") http_status = 413;
    if (reason == "headers_too_large") http_status = 431;
  }
  if (status.code() == StatusCode::kInvalidArgument && reason == "method_not_allowed") {
    http_status = 405;
  }
  if (status.code() == StatusCode::kInvalidArgument && reason == "unsupported_media_type") {
    http_status = 415;
  }
  if (status.ok()) http_status = 500;  // an OK status is not an error: a caller's bug

  std::string body = "{\"error\":{\"code\":\"";
  body += JsonEscape(reason);
  body += "\",\"message\":\"";
  body += JsonEscape(status.message());
  body += "\",\"field\":";
  if (status.field().empty()) {
    body += "null";
  } else {
    body += '"';
    body += JsonEscape(status.field());
    body += '"';
  }
  body += "}}";
  Response r = Response::Json(http_status, std::move(body));
  if (http_status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

void Router::SetFallback(Route route) { fallback_ = std::move(route); }

void Router::Add(Route route) {
  std::vector<Segment> segments;
  for (std::string_view part : SplitPath(route.pattern)) {
    Segment s;
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      s.param = true;
      s.text = std::string(part.substr(1, part.size() - 2));
    } else {
      s.text = std::string(part);
    }
    segments.push_back(std::move(s));
  }
  const size_t index = routes_.size();
  const size_t count = segments.size();
  if (by_third_.size() <= count) {
    by_third_.resize(count + 1);
    any_third_.resize(count + 1);
  }
  if (count < 3 || segments[2].param) {
    any_third_[count].push_back(index);
    for (auto& [third, list] : by_third_[count]) list.push_back(index);
  } else {
    auto [it, added] = by_third_[count].try_emplace(segments[2].text);
    if (added) it->second = any_third_[count];
    it->second.push_back(index);
  }
  routes_.push_back(std::move(route));
  segments_.push_back(std::move(segments));
}

const std::vector<size_t>& Router::Candidates(size_t count, std::string_view third) const {
  static const std::vector<size_t> kNone;
  if (count >= by_third_.size()) return kNone;
  if (count >= 3) {
    auto it = by_third_[count].find(third);
    if (it != by_third_[count].end()) return it->second;
  }
  return any_third_[count];
}

Router::Match Router::Find(Method method, std::string_view path) const {
  const std::vector<std::string_view> parts = SplitPath(path);
  auto path_matches = [&](const std::vector<Segment>& segs) {
    if (segs.size() != parts.size()) return false;
    for (size_t i = 0; i < segs.size(); ++i) {
      if (segs[i].param ? parts[i].empty() : segs[i].text != parts[i]) return false;
    }
    return true;
  };
  // True when `a` is more specific than `b`: a literal at the leftmost segment where they differ.
  auto more_specific = [](const std::vector<Segment>& a, const std::vector<Segment>& b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (a[i].param != b[i].param) return !a[i].param;
    }
    return false;
  };

  Match match;
  const std::vector<Segment>* best = nullptr;
  const std::vector<Segment>* best_get = nullptr;  // HEAD falls back to GET routes
  const Route* get_route = nullptr;
  bool methods[8] = {};
  bool any_path = false;
  for (size_t i : Candidates(parts.size(), parts.size() >= 3 ? parts[2] : std::string_view())) {
    const std::vector<Segment>& segs = segments_[i];
    if (!path_matches(segs)) continue;
    any_path = true;
    const Route& route = routes_[i];
    methods[static_cast<int>(route.method)] = true;
    if (route.method == method) {
      if (best == nullptr || more_specific(segs, *best)) {
        best = &segs;
        match.route = &route;
      }
    } else if (method == Method::kHead && route.method == Method::kGet) {
      if (best_get == nullptr || more_specific(segs, *best_get)) {
        best_get = &segs;
        get_route = &route;
      }
    }
  }
  if (match.route == nullptr && get_route != nullptr) {
    match.route = get_route;
    best = best_get;
  }
  if (match.route != nullptr) {
    for (size_t i = 0; i < best->size(); ++i) {
      if ((*best)[i].param) match.params[(*best)[i].text] = std::string(parts[i]);
    }
    return match;
  }
  if (!any_path && fallback_ && (method == Method::kGet || method == Method::kHead)) {
    match.route = &*fallback_;
    return match;
  }
  if (any_path) {
    match.method_not_allowed = true;
    if (methods[static_cast<int>(Method::kGet)]) methods[static_cast<int>(Method::kHead)] = true;
    for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kPatch,
                     Method::kDelete, Method::kOptions}) {
      if (!methods[static_cast<int>(m)]) continue;
      if (!match.allow.empty()) match.allow += ", ";
      match.allow += MethodName(m);
    }
  }
  return match;
}

}  // namespace herald::http
